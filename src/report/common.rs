//! What the file reports share: the short forms of values, layers and cells they show.

use crate::results::{CaseResult, Cell, ResultSet, TargetResults};
use crate::verify::Layer;
use serde_json::Value;

pub use crate::fsutil::{WriteError, write_atomic};

/// The word for a layer.
pub(crate) fn layer_name(l: Layer) -> &'static str {
    match l {
        Layer::Protocol => "protocol",
        Layer::Semantics => "semantics",
        Layer::Document => "document",
        Layer::Snapshot => "snapshot",
        Layer::Reference => "reference",
    }
}

/// All layers, in report order.
pub(crate) const LAYERS: [Layer; 5] = [
    Layer::Protocol,
    Layer::Semantics,
    Layer::Document,
    Layer::Snapshot,
    Layer::Reference,
];

/// The word for a cell, as the matrices show it.
pub(crate) fn cell_word(c: Cell) -> &'static str {
    match c {
        Cell::Passed => "pass",
        Cell::Failed => "FAIL",
        Cell::Error => "error",
        Cell::Unsupported => "unsupported",
        Cell::Accepted => "accepted",
        Cell::NotServed => "not served",
        Cell::Skipped => "skipped",
    }
}

/// The cell's name in the JSON schema (`passed`, `failed`, …).
pub(crate) fn cell_name(c: Cell) -> &'static str {
    match c {
        Cell::Passed => "passed",
        Cell::Failed => "failed",
        Cell::Error => "error",
        Cell::Unsupported => "unsupported",
        Cell::Accepted => "accepted",
        Cell::NotServed => "not_served",
        Cell::Skipped => "skipped",
    }
}

/// A JSON Pointer as shown: the empty pointer is the whole answer.
pub(crate) fn pointer(p: &str) -> &str {
    if p.is_empty() { "(answer)" } else { p }
}

/// A value on one line, cut to `max` characters; `(absent)` for none.
pub(crate) fn show(v: Option<&Value>, max: usize) -> String {
    match v {
        None => "(absent)".to_string(),
        Some(v) => short(&v.to_string(), max),
    }
}

/// `s` cut to `max` characters, with an ellipsis if cut.
pub(crate) fn short(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s.to_string()
    }
}

/// `endpoint` and, if it has one, the request's content type: the groups of the per-endpoint chart.
pub(crate) fn endpoint_label(endpoint: &str, content_type: Option<&str>) -> String {
    match content_type {
        Some(ct) => format!("{endpoint} ({ct})"),
        None => endpoint.to_string(),
    }
}

/// The run of case `id` on target `t`, if it ran there.
pub(crate) fn run_of<'a>(t: &'a TargetResults, id: &str) -> Option<&'a CaseResult> {
    t.cases.iter().find(|c| c.id == id)
}

/// The case ids in report order: the set's cases, then ids only some target ran.
pub(crate) fn case_ids(set: &ResultSet) -> Vec<String> {
    let mut ids: Vec<String> = set.cases.iter().map(|c| c.id.clone()).collect();
    for t in &set.targets {
        for c in &t.cases {
            if !ids.contains(&c.id) {
                ids.push(c.id.clone());
            }
        }
    }
    ids
}

/// Whether `t` is the set's reference target.
pub(crate) fn is_reference(set: &ResultSet, t: &TargetResults) -> bool {
    set.reference.as_deref() == Some(t.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        // A directory where the file should go: the write fails and names the path.
        let e = write_atomic(dir.path(), b"x").unwrap_err();
        assert!(e.to_string().contains(&dir.path().display().to_string()));
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        // No temporary files are left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn values_are_cut_by_characters() {
        assert_eq!(short("äöü", 2), "äö…");
        assert_eq!(show(None, 5), "(absent)");
        assert_eq!(pointer(""), "(answer)");
    }
}
