//! The PATCH types of the Kubernetes API: the one enum the importer, the verification and the
//! reference server share.

/// A PATCH content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatchType {
    /// `application/json-patch+json` (RFC 6902).
    Json,
    /// `application/merge-patch+json` (RFC 7386).
    Merge,
    /// `application/strategic-merge-patch+json` (Kubernetes' own).
    Strategic,
}

impl PatchType {
    pub const ALL: [PatchType; 3] = [PatchType::Json, PatchType::Merge, PatchType::Strategic];

    /// The patch type for a `Content-Type` header value (parameters such as `; charset=utf-8`
    /// ignored), as kube-apiserver reads it: exactly, case-sensitively.
    pub fn from_content_type(ct: &str) -> Option<Self> {
        PatchType::ALL
            .into_iter()
            .find(|p| p.content_type() == media_type(ct))
    }

    /// The patch type a document most likely means by a content type it writes sloppily
    /// (`json-patch` anywhere: JSON Patch; `strategic`: strategic merge patch; else merge patch).
    pub fn from_document(ct: &str) -> Self {
        if ct.contains("json-patch") {
            PatchType::Json
        } else if ct.contains("strategic") {
            PatchType::Strategic
        } else {
            PatchType::Merge
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            PatchType::Json => "application/json-patch+json",
            PatchType::Merge => "application/merge-patch+json",
            PatchType::Strategic => "application/strategic-merge-patch+json",
        }
    }

    /// The short name used in tags and reports: `json-patch`, `merge-patch`, `strategic-merge-patch`.
    pub fn name(self) -> &'static str {
        let ct = self.content_type();
        &ct["application/".len()..ct.len() - "+json".len()]
    }
}

/// The media type of a `Content-Type` value, without parameters, trimmed (kube-apiserver then
/// compares case-sensitively).
pub fn media_type(ct: &str) -> &str {
    ct.split(';').next().unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        for p in PatchType::ALL {
            assert_eq!(PatchType::from_content_type(p.content_type()), Some(p));
            assert_eq!(PatchType::from_document(p.content_type()), p);
        }
        assert_eq!(
            PatchType::from_content_type("application/merge-patch+json; charset=utf-8"),
            Some(PatchType::Merge)
        );
        assert_eq!(
            PatchType::from_content_type("Application/Merge-Patch+json"),
            None
        );
        assert_eq!(PatchType::from_content_type("application/json"), None);
        assert_eq!(PatchType::Strategic.name(), "strategic-merge-patch");
        assert_eq!(PatchType::Json.name(), "json-patch");
    }
}
