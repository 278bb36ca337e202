//! The fields the API server assigns to every object: the one list of them, with the reasons the
//! importer writes into case files and the drift report shows, and how each is compared.

/// A metadata field the API server assigns (never sent in a create; environmental in a documented
/// answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerField {
    /// The key under `metadata`.
    pub name: &'static str,
    /// Why a documented value is not what a target returns.
    pub reason: &'static str,
    /// Its value differs from one object to the next by nature (a uid, a timestamp): only its
    /// absence or another type is drift, and snapshots redact it (when it has the expected shape).
    pub per_object: bool,
}

/// The server-assigned metadata, in the order the importer lists it.
pub const SERVER_METADATA: &[ServerField] = &[
    ServerField {
        name: "selfLink",
        reason: "not set by kube-apiserver since v1.20 (RemoveSelfLink); the example comes from an older server",
        per_object: false,
    },
    ServerField {
        name: "uid",
        reason: "assigned by the API server when the pod is created",
        per_object: true,
    },
    ServerField {
        name: "resourceVersion",
        reason: "assigned by the API server on every write",
        per_object: true,
    },
    ServerField {
        name: "creationTimestamp",
        reason: "set by the API server when the pod is created",
        per_object: true,
    },
    ServerField {
        name: "generation",
        reason: "maintained by the API server",
        per_object: false,
    },
    ServerField {
        name: "managedFields",
        reason: "maintained by the API server's field manager",
        per_object: false,
    },
    ServerField {
        name: "deletionTimestamp",
        reason: "set by the API server when the pod is being deleted",
        per_object: true,
    },
    ServerField {
        name: "deletionGracePeriodSeconds",
        reason: "set by the API server when the pod is being deleted",
        per_object: false,
    },
];

/// Keys whose values are timestamps the server sets (`metadata.creationTimestamp`,
/// `metadata.deletionTimestamp`, and the `time` of each `managedFields` entry).
pub const TIMESTAMP_KEYS: &[&str] = &["creationTimestamp", "deletionTimestamp", "time"];

/// Whether the value under this key differs per object by nature (a server-assigned uid,
/// resourceVersion or timestamp).
pub fn is_per_object(key: &str) -> bool {
    TIMESTAMP_KEYS.contains(&key)
        || SERVER_METADATA
            .iter()
            .any(|f| f.per_object && f.name == key)
}

/// What every write changes in the object it writes, whatever it writes: JSON Pointers.
pub const WRITE_VOLATILE: &[&str] = &["/metadata/resourceVersion", "/metadata/managedFields"];

/// What a write of the object itself (PUT or PATCH without a subresource) leaves as it was, by
/// the kind's strategy: the status of a kind with a status subresource, and a namespace's
/// `spec.finalizers` (changed through `/finalize` only). JSON Pointers.
pub fn kept_by_update(api_version: &str, kind: &str) -> Vec<&'static str> {
    let mut kept = Vec::new();
    if super::by_kind(api_version, kind).is_some_and(|r| r.has_subresource("status")) {
        kept.push("/status");
    }
    if kind == "Namespace" && api_version == "v1" {
        kept.push("/spec/finalizers");
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_object_fields() {
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "deletionTimestamp",
            "time",
        ] {
            assert!(is_per_object(k), "{k}");
        }
        for k in ["generation", "name", "selfLink", "managedFields"] {
            assert!(!is_per_object(k), "{k}");
        }
    }
}
