//! The in-memory object store: namespaces, pods and the objects of the generic registry, one global resourceVersion counter (as etcd's
//! revision), objects kept both as JSON values and as their compact encoding for fast reads.

use bytes::Bytes;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// All objects, keyed like etcd keys so that lists come out in the real server's order.
#[derive(Debug, Default)]
pub struct Store {
    revision: u64,
    pub namespaces: BTreeMap<String, Stored>,
    /// Shared so that a writer can compute from a snapshot without holding the store lock.
    pub pods: BTreeMap<(String, String), Arc<Stored>>,
    /// The objects of the kinds the generic registry serves, keyed (resource, namespace, name) as
    /// etcd's `/registry/<resource>/<namespace>/<name>`; the namespace is `""` for a cluster-scoped one.
    pub objects: BTreeMap<ObjectKey, Arc<Stored>>,
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
}
