//! The terminal report: one line per case, the structured diff of each failure, a summary line.

use crate::compare::{Layer, Mismatch};
use crate::run::{CaseResult, Outcome};
use crate::snapshot::Written;

/// Mismatches listed per failed case; the rest are counted.
const MAX_MISMATCHES: usize = 20;
use serde_json::Value;
use std::fmt::Write;

/// The line for one case, followed by its diff if it failed.
pub fn case(r: &CaseResult) -> String {
    let ms = r.duration.as_millis();
    let mut out = match &r.outcome {
        Outcome::Passed => format!("PASS  {} ({ms} ms)\n", r.id),
        Outcome::Failed(_) => format!("FAIL  {} ({ms} ms) — {}\n", r.id, r.title),
        Outcome::Error(e) => format!("ERROR {} ({ms} ms) — {}\n      {e}\n", r.id, r.title),
    };
    if let Outcome::Failed(ms) = &r.outcome {
        for m in ms.iter().take(MAX_MISMATCHES) {
            out.push_str(&mismatch(m));
        }
        if ms.len() > MAX_MISMATCHES {
            let _ = writeln!(out, "      … and {} more", ms.len() - MAX_MISMATCHES);
        }
        if let Some(answer) = &r.answer
            && ms.iter().any(|m| m.layer == Layer::Protocol)
        {
            let _ = writeln!(out, "      answer: {}", answer.trim_end());
        }
    }
    for d in &r.verdict.drift {
        let _ = writeln!(
            out,
            "      drift {}: documented {}, target {} ({})",
            pointer(&d.path),
            short(&d.documented.to_string(), 60),
            short(&show(d.actual.as_ref()), 60),
            d.reason
        );
    }
    match &r.snapshot {
        Some(Written::Pending(p)) => {
            let _ = writeln!(out, "      snapshot: new one written to {}", p.display());
        }
        Some(Written::Accepted(p)) => {
            let _ = writeln!(out, "      snapshot: accepted into {}", p.display());
        }
        None => {}
    }
    if let Some(c) = &r.cleanup {
        let _ = writeln!(out, "      cleanup: {c}");
    }
    out
}

/// One mismatch: layer, check, JSON Pointer, expected and actual.
pub fn mismatch(m: &Mismatch) -> String {
    let layer = match m.layer {
        Layer::Protocol => "protocol",
        Layer::Semantics => "semantics",
        Layer::Document => "document",
        Layer::Snapshot => "snapshot",
        Layer::Reference => "vs reference",
    };
    format!(
        "      [{layer}] {} at {}\n        expected: {}\n        actual:   {}\n",
        m.check,
        pointer(&m.path),
        show(m.expected.as_ref()),
        show(m.actual.as_ref())
    )
}

fn pointer(p: &str) -> &str {
    if p.is_empty() { "(answer)" } else { p }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".to_string(),
        Some(v) => short(&v.to_string(), 300),
    }
}

/// `s` cut to `max` characters, with an ellipsis if cut.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Counts of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Documented fields the target does not return (document drift, not failures).
    pub drift: usize,
    /// Snapshots written for review (`<id>.snap.new`).
    pub pending: usize,
}

impl Summary {
    pub fn of(results: &[CaseResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            s.drift += r.verdict.drift.len();
            s.pending += usize::from(matches!(r.snapshot, Some(Written::Pending(_))));
            match r.outcome {
                Outcome::Passed => s.passed += 1,
                Outcome::Failed(_) => s.failed += 1,
                Outcome::Error(_) => s.errors += 1,
            }
        }
        s
    }

    /// `N passed, N failed` (errors count as failed; they are listed above it).
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} passed, {} failed",
            self.passed,
            self.failed + self.errors
        );
        if self.errors > 0 {
            let _ = write!(line, " ({} could not be run)", self.errors);
        }
        line
    }

    /// What to do with the pending snapshots, if any were written.
    pub fn pending_note(&self) -> Option<String> {
        (self.pending > 0).then(|| {
            format!(
                "{} new snapshots are pending review: `cargo insta review` shows each and accepts or \
                 rejects it (`cargo install cargo-insta` once); accepted snapshots are never overwritten",
                self.pending
            )
        })
    }

    /// What the drift lines above mean, if there were any.
    pub fn drift_note(&self) -> Option<String> {
        (self.drift > 0).then(|| {
            format!(
                "{} documented fields that the target does not return are listed as `drift` above: \
                 news for the documents, not failures",
                self.drift
            )
        })
    }
}
