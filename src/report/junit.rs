//! JUnit XML: one `<testsuite>` per target, one `<testcase>` per case (`classname` = the case's
//! endpoint, `name` = the case id), for CI systems that show test reports.
//!
//! How the cells map (documented in `docs/results-schema.md`):
//!
//! | cell | JUnit |
//! |---|---|
//! | passed | success |
//! | accepted | success, with property `apiconform.cell=accepted`, the baseline reasons as `apiconform.accepted` properties and the accepted mismatches in `<system-out>` |
//! | failed | `<failure type="failed">`: the first mismatch in the message, all of them in the text |
//! | unsupported | `<failure type="unsupported">`: the target refused the method or content type |
//! | error | `<error type="error">`: the case could not be judged |
//! | not_served | `<skipped type="not_served">`: the target does not serve the documented endpoint |
//! | skipped | `<skipped type="skipped">` with the reason: the case cannot be confined to the run's objects |
//! | target could not be run | every case `<error type="target">` with the target's error |
//! | case not run on this target | `<skipped>` |
//!
//! Drift (documented fields not returned) never fails a test case: it is listed in `<system-out>`
//! and counted in the `apiconform.drift` property.
//!
//! Each suite carries the target's score (`apiconform.score`: "docs vs vendor-b: N of M operations
//! hold (P%)", with `apiconform.holds` and `apiconform.operations`), and its `<system-out>` the score
//! with its details and the coverage per API group and kind on the target.

use super::common::{
    LAYERS, WriteError, cell_name, endpoint_label, layer_name, pointer, run_of, short, show,
    write_atomic,
};
use crate::results::{CaseInfo, CaseResult, Cell, Coverage, ResultSet, TargetResults};
use crate::verify::Mismatch;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

/// Mismatches listed in a failure's text; the rest are counted.
const MAX_LISTED: usize = 50;
/// Characters of a value in the failure message (the text has up to [`TEXT_VALUE`]).
const MESSAGE_VALUE: usize = 120;
const TEXT_VALUE: usize = 2000;

/// Rendering JUnit XML failed.
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    #[error("no target named {name:?} in the results (targets: {known})")]
    UnknownTarget { name: String, known: String },
    #[error("cannot serialize JUnit XML: {0}")]
    Serialize(#[from] quick_junit::SerializeError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// The JUnit XML report of one target: one `<testsuite>` named after it.
pub fn render(set: &ResultSet, target_name: &str) -> Result<String, JunitError> {
    let target = set
        .targets
        .iter()
        .find(|t| t.name == target_name)
        .ok_or_else(|| JunitError::UnknownTarget {
            name: target_name.to_string(),
            known: set
                .targets
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let mut report = report(set);
    report.add_test_suite(suite(set, &Coverage::of(set), target));
    Ok(report.to_string()?)
}

/// The JUnit XML report of every target: one `<testsuite>` per target, in the set's order.
pub fn render_all(set: &ResultSet) -> Result<String, JunitError> {
    let mut report = report(set);
    let coverage = Coverage::of(set);
    report.add_test_suites(set.targets.iter().map(|t| suite(set, &coverage, t)));
    Ok(report.to_string()?)
}

/// Writes [`render`]'s report to `path`, atomically.
pub fn write(set: &ResultSet, target_name: &str, path: &Path) -> Result<(), JunitError> {
    let xml = render(set, target_name)?;
    Ok(write_atomic(path, xml.as_bytes())?)
}

fn report(set: &ResultSet) -> Report {
    let mut report = Report::new("apiconform");
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&set.started_at) {
        report.set_timestamp(t);
    }
    report.set_time(Duration::from_millis(set.duration_ms));
    report
}

fn suite(set: &ResultSet, coverage: &Coverage, t: &TargetResults) -> TestSuite {
    let mut suite = TestSuite::new(&t.name);
    if let Ok(ts) = chrono::DateTime::parse_from_rfc3339(&set.started_at) {
        suite.set_timestamp(ts);
    }
    suite.set_time(Duration::from_millis(t.duration_ms));
    suite.add_property(Property::new("apiconform.url", &t.url));
    if let Some(ns) = &t.namespace {
        suite.add_property(Property::new("apiconform.namespace", ns));
    }
    if let Some(r) = &set.reference {
        suite.add_property(Property::new("apiconform.reference", r));
    }
    suite.add_property(Property::new("apiconform.tool", &set.tool));
    let ti = set
        .targets
        .iter()
        .position(|x| std::ptr::eq(x, t))
        .unwrap_or_default();
    if let Some(score) = coverage.scores.get(ti).filter(|_| coverage.operations > 0) {
        suite.add_property(Property::new("apiconform.score", score.headline()));
        suite.add_property(Property::new("apiconform.holds", score.holds.to_string()));
        suite.add_property(Property::new(
            "apiconform.operations",
            score.operations.to_string(),
        ));
        let mut out = format!("{}\n\ncoverage: {}\n", score.line(), coverage.headline());
        for g in &coverage.groups {
            let _ = writeln!(out, "{}: {}", g.group, g.tallies[ti].describe());
            for k in &g.kinds {
                let _ = writeln!(out, "  {}: {}", k.label(), k.tallies[ti].describe());
            }
        }
        suite.set_system_out(out);
    }
    let mut err = String::new();
    if let Some(e) = &t.error {
        let _ = writeln!(err, "target could not be run: {e}");
    }
    for c in &t.cleanup {
        let _ = writeln!(err, "cleanup: {c}");
    }
    if !err.is_empty() {
        suite.set_system_err(err);
    }
    for id in super::common::case_ids(set) {
        let info = set.case(&id);
        suite.add_test_case(test_case(&id, info, t));
    }
    suite
}

fn test_case(id: &str, info: Option<&CaseInfo>, t: &TargetResults) -> TestCase {
    let classname = info.map_or("(unknown endpoint)", |i| i.endpoint.as_str());
    let run = run_of(t, id);
    let status = match (run, &t.error) {
        (Some(run), _) => status(run),
        (None, Some(e)) => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_type("target")
                .set_message(format!("target could not be run: {}", short(e, 500)));
            s
        }
        (None, None) => {
            let mut s = TestCaseStatus::skipped();
            s.set_message("not run on this target");
            s
        }
    };
    let mut tc = TestCase::new(id, status);
    tc.set_classname(classname);
    if let Some(info) = info {
        if let Some(ct) = &info.content_type {
            tc.add_property(Property::new("apiconform.content_type", ct));
        }
        tc.add_property(Property::new(
            "apiconform.group",
            endpoint_label(&info.endpoint, info.content_type.as_deref()),
        ));
        for (name, value) in [
            (
                "apiconform.api_group",
                info.group
                    .as_deref()
                    .map(|g| if g.is_empty() { "core" } else { g }),
            ),
            ("apiconform.api_version", info.version.as_deref()),
            ("apiconform.kind", info.kind.as_deref()),
            ("apiconform.verb", info.verb.as_deref()),
        ] {
            if let Some(v) = value {
                tc.add_property(Property::new(name, v));
            }
        }
        if let Some(doc) = &info.document {
            let at = match info.line {
                Some(l) => format!("{doc}:{l}"),
                None => doc.clone(),
            };
            tc.add_property(Property::new("apiconform.document", at));
        }
    }
    let Some(run) = run else {
        return tc;
    };
    tc.set_time(Duration::from_millis(run.duration_ms));
    tc.add_property(Property::new("apiconform.cell", cell_name(run.cell)));
    if let Some(s) = run.status {
        tc.add_property(Property::new("apiconform.status", s.to_string()));
    }
    if !run.drift.is_empty() {
        tc.add_property(Property::new(
            "apiconform.drift",
            run.drift.len().to_string(),
        ));
    }
    for reason in &run.accepted {
        tc.add_property(Property::new("apiconform.accepted", reason));
    }
    let out = system_out(run);
    if !out.is_empty() {
        tc.set_system_out(out);
    }
    tc
}

fn status(run: &CaseResult) -> TestCaseStatus {
    match run.cell {
        Cell::Passed | Cell::Accepted => TestCaseStatus::success(),
        Cell::Failed => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_type("failed")
                .set_message(failure_message(&run.mismatches))
                .set_description(mismatch_list(&run.mismatches));
            s
        }
        Cell::Unsupported => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let code = run
                .status
                .map_or_else(|| "no status".to_string(), |s| format!("HTTP {s}"));
            s.set_type("unsupported")
                .set_message(format!(
                    "unsupported: the target refused the request's method or content type ({code})"
                ))
                .set_description(mismatch_list(&run.mismatches));
            s
        }
        Cell::NotServed => {
            let mut s = TestCaseStatus::skipped();
            s.set_type("not_served").set_message(
                "not served: the target does not serve this documented endpoint (404 for the whole resource)",
            );
            s
        }
        Cell::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_type("skipped").set_message(
                run.error
                    .as_ref()
                    .map_or_else(|| "skipped".to_string(), |e| short(&e.message, 1000)),
            );
            s
        }
        Cell::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_type("error").set_message(
                run.error
                    .as_ref()
                    .map_or_else(|| "error".to_string(), |e| short(&e.message, 1000)),
            );
            s
        }
    }
}

/// `N mismatches; first: [layer] check at /pointer: expected X, actual Y`.
fn failure_message(ms: &[Mismatch]) -> String {
    let Some(m) = ms.first() else {
        return "failed".to_string();
    };
    let first = format!(
        "[{}] {} at {}: expected {}, actual {}",
        layer_name(m.layer),
        m.check,
        pointer(&m.path),
        show(m.expected.as_ref(), MESSAGE_VALUE),
        show(m.actual.as_ref(), MESSAGE_VALUE)
    );
    if ms.len() == 1 {
        format!("1 mismatch: {first}")
    } else {
        format!("{} mismatches; first: {first}", ms.len())
    }
}

/// Every mismatch, by layer, one block each.
fn mismatch_list(ms: &[Mismatch]) -> String {
    let mut out = String::new();
    let mut listed = 0;
    for layer in LAYERS {
        for m in ms.iter().filter(|m| m.layer == layer) {
            if listed == MAX_LISTED {
                break;
            }
            listed += 1;
            let _ = writeln!(
                out,
                "[{}] {} at {}\n  expected: {}\n  actual:   {}",
                layer_name(m.layer),
                m.check,
                pointer(&m.path),
                show(m.expected.as_ref(), TEXT_VALUE),
                show(m.actual.as_ref(), TEXT_VALUE)
            );
        }
    }
    if ms.len() > listed {
        let _ = writeln!(out, "… and {} more", ms.len() - listed);
    }
    out
}

/// What a passing or failing case has besides its verdict: accepted mismatches, differences from
/// the reference target, drift, a pending snapshot.
fn system_out(run: &CaseResult) -> String {
    let mut out = String::new();
    if run.cell == Cell::Accepted {
        let _ = writeln!(out, "accepted by the baseline:");
        for r in &run.accepted {
            let _ = writeln!(out, "  reason: {r}");
        }
        out.push_str(&mismatch_list(&run.mismatches));
    }
    if !run.vs_reference.is_empty() {
        let n = run.vs_reference.len();
        let _ = writeln!(
            out,
            "{n} difference{} from the reference target's answer:",
            if n == 1 { "" } else { "s" }
        );
        for m in run.vs_reference.iter().take(MAX_LISTED) {
            let _ = writeln!(
                out,
                "  {}: reference {}, this target {}",
                pointer(&m.path),
                show(m.expected.as_ref(), MESSAGE_VALUE),
                show(m.actual.as_ref(), MESSAGE_VALUE)
            );
        }
        if run.vs_reference.len() > MAX_LISTED {
            let _ = writeln!(out, "  … and {} more", run.vs_reference.len() - MAX_LISTED);
        }
    }
    for d in &run.drift {
        let _ = writeln!(
            out,
            "drift {}: documented {}, target {} ({})",
            pointer(&d.path),
            short(&d.documented.to_string(), MESSAGE_VALUE),
            show(d.actual.as_ref(), MESSAGE_VALUE),
            d.reason
        );
    }
    if let Some(p) = &run.pending_snapshot {
        let _ = writeln!(out, "snapshot pending review: {p}");
    }
    out
}
