//! The in-memory object store: namespaces, pods and the objects of the generic registry, one global resourceVersion counter (as etcd's
//! revision), objects kept both as JSON values and as their compact encoding for fast reads.

use bytes::Bytes;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use tokio::sync::broadcast;

/// One stored object: its JSON as the server returns it, and that JSON encoded compactly.
#[derive(Debug, Clone)]
pub struct Stored {
    pub obj: Value,
    pub compact: Bytes,
}

impl Stored {
    /// The object's `metadata.resourceVersion`.
    pub fn resource_version(&self) -> &str {
        self.obj
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// What happened to an object, as a watch reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn name(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change of one object: its resource, the object after the change (for a deletion, as it
/// was, with the deletion's resourceVersion) and before it.
#[derive(Debug)]
pub struct Event {
    pub revision: u64,
    pub kind: EventType,
    pub resource: &'static str,
    pub object: Value,
    pub previous: Option<Value>,
}

/// How many past events a watch can start from (older resourceVersions are "too old": 410).
pub const EVENT_HISTORY: usize = 10_000;

/// All objects, keyed like etcd keys so that lists come out in the real server's order.
#[derive(Debug)]
pub struct Store {
    revision: u64,
    pub namespaces: BTreeMap<String, Stored>,
    /// Shared so that a writer can compute from a snapshot without holding the store lock.
    pub pods: BTreeMap<(String, String), Arc<Stored>>,
    /// The objects of the kinds the generic registry serves, keyed (resource, namespace, name) as
    /// etcd's `/registry/<resource>/<namespace>/<name>`; the namespace is `""` for a cluster-scoped one.
    pub objects: BTreeMap<ObjectKey, Arc<Stored>>,
    /// The latest events, oldest first, for watches that start from a resourceVersion.
    pub history: VecDeque<Arc<Event>>,
    /// New events, for the watches in progress.
    pub events: broadcast::Sender<Arc<Event>>,
}

impl Default for Store {
    fn default() -> Store {
        Store {
            revision: 0,
            namespaces: BTreeMap::new(),
            pods: BTreeMap::new(),
            objects: BTreeMap::new(),
            history: VecDeque::new(),
            events: broadcast::channel(4096).0,
        }
    }
}

/// The key of an object of the generic registry: its resource (plural), namespace and name.
pub type ObjectKey = (&'static str, String, String);

impl Store {
    /// Takes the next resourceVersion (monotonically increasing across all objects).
    pub fn next_revision(&mut self) -> String {
        self.revision += 1;
        self.revision.to_string()
    }

    /// The current revision, as a list's `metadata.resourceVersion`.
    pub fn revision(&self) -> String {
        self.revision.to_string()
    }

    /// Records a change of an object of `resource` for the watches (`object` carries the
    /// resourceVersion of the change).
    pub fn emit(
        &mut self,
        kind: EventType,
        resource: &'static str,
        object: &Value,
        previous: Option<&Value>,
    ) {
        let revision = object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .and_then(|r| r.parse().ok())
            .unwrap_or(self.revision);
        let event = Arc::new(Event {
            revision,
            kind,
            resource,
            object: object.clone(),
            previous: previous.cloned(),
        });
        if self.history.len() == EVENT_HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(event.clone());
        // No watch in progress is not an error.
        let _ = self.events.send(event);
    }
}
