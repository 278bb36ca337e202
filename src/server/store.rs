//! The in-memory object store: the objects of the generic registry, one global resourceVersion
//! counter (as etcd's revision), objects kept both as JSON values and as their compact encoding
//! for fast reads.

use bytes::Bytes;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use tokio::sync::broadcast;

/// One stored object: its JSON as the server returns it (shared with the watch events of its
/// changes), and that JSON encoded compactly.
#[derive(Debug, Clone)]
pub struct Stored {
    pub obj: Arc<Value>,
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
    pub object: Arc<Value>,
    pub previous: Option<Arc<Value>>,
}

/// How many past events a watch can start from (older resourceVersions are "too old": 410).
pub const EVENT_HISTORY: usize = 10_000;

/// All objects, keyed like etcd keys so that lists come out in the real server's order.
#[derive(Debug)]
pub struct Store {
    revision: u64,
    /// The objects, keyed (resource, namespace, name) as etcd's
    /// `/registry/<resource>/<namespace>/<name>`; the namespace is `""` for a cluster-scoped one.
    /// Shared so that a writer can compute from a snapshot without holding the store lock.
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

    /// Whether the namespace `ns` exists.
    pub fn has_namespace(&self, ns: &str) -> bool {
        self.objects
            .contains_key(&("namespaces", String::new(), ns.to_string()))
    }

    /// Deletes the namespace `ns` and everything in it, as its controller would once it is
    /// `terminating` (the namespace as its deletion marked it, given the resourceVersion of its
    /// removal): each deletion a revision of its own, the namespace last.
    pub fn delete_namespace(&mut self, ns: &str, terminating: &mut Value) {
        let contents: Vec<ObjectKey> = self
            .objects
            .keys()
            .filter(|(_, ons, _)| ons == ns)
            .cloned()
            .collect();
        for key in contents {
            if let Some(old) = self.objects.get(&key).map(|s| s.obj.clone()) {
                self.remove_as(&key, &mut (*old).clone(), old);
            }
        }
        let key = ("namespaces", String::new(), ns.to_string());
        if let Some(old) = self.objects.get(&key).map(|s| s.obj.clone()) {
            self.remove_as(&key, terminating, old);
        }
    }

    /// Removes the object at `key`: `gone`, the object the deletion reports, is given the
    /// deletion's own revision, and the watches get it after `previous`.
    pub fn remove_as(&mut self, key: &ObjectKey, gone: &mut Value, previous: Arc<Value>) {
        self.objects.remove(key);
        gone["metadata"]["resourceVersion"] = Value::String(self.next_revision());
        let deleted = Arc::new(gone.clone());
        self.emit(EventType::Deleted, key.0, deleted, Some(previous));
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
        object: Arc<Value>,
        previous: Option<Arc<Value>>,
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
            object,
            previous,
        });
        if self.history.len() == EVENT_HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(event.clone());
        // No watch in progress is not an error.
        let _ = self.events.send(event);
    }
}
