//! The terminal report: one line per case, the structured diff of each failure, a summary line.

use super::common::{cell_word, layer_name, pointer, short, show};
use crate::results::baseline::{Applied, Entry};
use crate::results::coverage::Tally;
use crate::results::{CaseResult, Cell, Coverage, ResultSet, TargetResults};
use crate::verify::{Layer, Mismatch};
use serde_json::Value;
use std::fmt::Write;

/// Mismatches listed per failed case; the rest are counted.
const MAX_MISMATCHES: usize = 20;

/// The characters of an answer shown with a protocol failure.
const ANSWER_CHARS: usize = 400;

/// The line for one case (its title given by the caller), followed by its diff if it failed.
pub fn case(r: &CaseResult, title: &str) -> String {
    let ms = r.duration_ms;
    let mut out = match (r.cell, &r.error) {
        (Cell::Passed, _) => format!("PASS  {} ({ms} ms)\n", r.id),
        (Cell::NotServed, e) => format!(
            "NOT SERVED {} ({ms} ms) — {title}\n      {}\n",
            r.id,
            e.as_ref().map_or_else(
                || "the target does not serve this documented endpoint (404 for the whole resource)"
                    .to_string(),
                |e| e.message.clone()
            )
        ),
        (Cell::Skipped, e) => format!(
            "SKIP  {} — {title}\n      {}\n",
            r.id,
            e.as_ref()
                .map_or_else(|| "skipped".to_string(), |e| e.message.clone())
        ),
        (_, Some(e)) => format!("ERROR {} ({ms} ms) — {title}\n      {e}\n", r.id),
        (_, None) => format!("FAIL  {} ({ms} ms) — {title}\n", r.id),
    };
    if !matches!(r.cell, Cell::Passed | Cell::NotServed | Cell::Skipped) {
        let ms = &r.mismatches;
        for m in ms.iter().take(MAX_MISMATCHES) {
            out.push_str(&mismatch(m));
        }
        if ms.len() > MAX_MISMATCHES {
            let _ = writeln!(out, "      … and {} more", ms.len() - MAX_MISMATCHES);
        }
        if let Some(answer) = &r.answer
            && ms.iter().any(|m| m.layer == Layer::Protocol)
        {
            let body = match answer.value() {
                Value::Object(mut m) => m.remove("body").unwrap_or(Value::Null),
                _ => Value::Null,
            };
            let text = match body {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let text: String = text.chars().take(ANSWER_CHARS).collect();
            let _ = writeln!(out, "      answer: {}", text.trim_end());
        }
    }
    for d in &r.drift {
        let _ = writeln!(
            out,
            "      drift {}: documented {}, target {} ({})",
            pointer(&d.path),
            short(&d.documented.to_string(), 60),
            show(d.actual.as_ref(), 60),
            d.reason
        );
    }
    if let Some(p) = &r.pending_snapshot {
        let _ = writeln!(out, "      snapshot: new one written to {p}");
    }
    if let Some(p) = &r.accepted_snapshot {
        let _ = writeln!(out, "      snapshot: accepted into {p}");
    }
    if let Some(c) = &r.cleanup {
        let _ = writeln!(out, "      cleanup: {c}");
    }
    out
}

/// One mismatch: layer, check, JSON Pointer, expected and actual.
pub fn mismatch(m: &Mismatch) -> String {
    let layer = match m.layer {
        Layer::Reference => "vs reference",
        other => layer_name(other),
    };
    format!(
        "      [{layer}] {} at {}\n        expected: {}\n        actual:   {}\n",
        m.check,
        pointer(&m.path),
        show(m.expected.as_ref(), 300),
        show(m.actual.as_ref(), 300)
    )
}

/// The summary of a result set: the counts line per target, what the notes mean, the baseline.
/// `listed`: the drift of every case was printed above (else the reports hold it).
pub fn summary(set: &ResultSet, applied: &Applied, listed: bool) -> String {
    let mut out = String::new();
    let drift: usize = set.targets.iter().map(|t| t.counts.drift).sum();
    let pending = set
        .targets
        .iter()
        .flat_map(|t| &t.cases)
        .filter(|c| c.pending_snapshot.is_some())
        .count();
    if drift > 0 {
        let where_ = if listed {
            "are listed as `drift` above"
        } else {
            "are in the reports"
        };
        let _ = writeln!(
            out,
            "\n{drift} documented fields that the target does not return {where_}: \
             news for the documents, not failures"
        );
    }
    if pending > 0 {
        let _ = writeln!(
            out,
            "\n{pending} new snapshots are pending review: `cargo insta review` shows each and accepts or \
             rejects it (`cargo install cargo-insta` once); accepted snapshots are never overwritten"
        );
    }
    for t in &set.targets {
        let accepted: Vec<&CaseResult> = t
            .cases
            .iter()
            .filter(|c| c.cell == Cell::Accepted)
            .collect();
        if !accepted.is_empty() {
            let _ = writeln!(out, "\naccepted by the baseline{}:", on(set, t));
            for c in accepted {
                let _ = writeln!(out, "  {}: {}", c.id, c.accepted.join("; "));
            }
        }
    }
    // The cases that do not hold, once more at the end (as nextest lists its failures), each with
    // its first reason.
    for t in &set.targets {
        let failing: Vec<&CaseResult> = t
            .cases
            .iter()
            .filter(|c| matches!(c.cell, Cell::Failed | Cell::Error | Cell::Unsupported))
            .collect();
        if failing.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\nnot holding{}:", on(set, t));
        for c in failing {
            let why = match (&c.error, c.mismatches.first()) {
                (Some(e), _) => e.message.clone(),
                (None, Some(m)) => mismatch(m).trim().to_string(),
                (None, None) => String::new(),
            };
            let why: Vec<&str> = why
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let why = why.join("; ");
            let why = short(&why.split_whitespace().collect::<Vec<_>>().join(" "), 300);
            let _ = writeln!(out, "  {:<5} {}: {why}", cell_word(c.cell), c.id);
        }
    }
    let entry = |e: &Entry| {
        let path = e
            .path
            .as_deref()
            .map(|p| format!(" {p}"))
            .unwrap_or_default();
        format!("{} {}{path} — {}", e.target, e.case, e.reason)
    };
    for e in &applied.expired {
        let _ = writeln!(
            out,
            "\nbaseline entry expired on {} (it fails the gate until renewed or removed): {}",
            e.expires.as_deref().unwrap_or("?"),
            entry(e)
        );
    }
    for e in &applied.unused {
        let _ = writeln!(
            out,
            "\nbaseline entry no longer needed (nothing fails there now): {}",
            entry(e)
        );
    }
    out.push('\n');
    out.push_str(&coverage(set));
    for t in &set.targets {
        if set.targets.len() > 1 {
            let _ = write!(out, "{:<20} ", t.name);
        }
        match &t.error {
            Some(e) => {
                let _ = writeln!(out, "not run: {e}");
            }
            None => {
                let _ = writeln!(out, "{}", counts_line(t, set.reference.as_deref()));
            }
        }
    }
    if !set.cases.is_empty() {
        for s in &Coverage::of(set).scores {
            let _ = writeln!(out, "{}", s.line());
        }
    }
    out
}

/// The coverage table: per API group and kind, the documented operations and per target how many
/// hold, with the other cells as letters; empty for a set without cases.
pub fn coverage(set: &ResultSet) -> String {
    let c = Coverage::of(set);
    if c.operations == 0 {
        return String::new();
    }
    let mut rows: Vec<(String, usize, Vec<String>)> = Vec::new();
    for g in &c.groups {
        rows.push((
            g.group.clone(),
            g.operations,
            g.tallies.iter().map(compact).collect(),
        ));
        for k in &g.kinds {
            rows.push((
                format!("  {}", k.label()),
                k.operations,
                k.tallies.iter().map(compact).collect(),
            ));
        }
    }
    let label = rows
        .iter()
        .map(|(l, _, _)| l.chars().count())
        .max()
        .unwrap_or(0)
        .max("group / kind".len());
    let widths: Vec<usize> = c
        .targets
        .iter()
        .enumerate()
        .map(|(i, name)| {
            rows.iter()
                .map(|(_, _, cells)| cells[i].chars().count())
                .chain([name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!(
        "coverage: {}\n(per target: operations that hold / documented; of the rest F failed, \
         U unsupported, E error, N not served, S skipped, - not run; A: of those that hold, \
         accepted by the baseline)\n",
        c.headline()
    );
    let mut line = |l: &str, ops: &str, cells: &[String]| {
        let mut s = format!("{l:<label$}  {ops:>4}");
        for (cell, w) in cells.iter().zip(&widths) {
            let _ = write!(s, "  {cell:<w$}");
        }
        let _ = writeln!(out, "{}", s.trim_end());
    };
    line("group / kind", "ops", &c.targets);
    for (l, ops, cells) in &rows {
        line(l, &ops.to_string(), cells);
    }
    out.push('\n');
    out
}

/// `38/40 A2 F1 N1`: holds of documented, then the letters of the other cells that occur.
fn compact(t: &Tally) -> String {
    if t.not_run == t.total() {
        return "not run".into();
    }
    let mut s = format!("{}/{}", t.holds(), t.total());
    for (n, letter) in [
        (t.accepted, 'A'),
        (t.failed, 'F'),
        (t.unsupported, 'U'),
        (t.errors, 'E'),
        (t.not_served, 'N'),
        (t.skipped, 'S'),
        (t.not_run, '-'),
    ] {
        if n > 0 {
            let _ = write!(s, " {letter}{n}");
        }
    }
    s
}

fn on(set: &ResultSet, t: &TargetResults) -> String {
    if set.targets.len() > 1 {
        format!(" on {}", t.name)
    } else {
        String::new()
    }
}

/// `N passed, N failed` and the other cells that occur (errors count as failed and are named).
pub fn counts_line(t: &TargetResults, reference: Option<&str>) -> String {
    let c = &t.counts;
    let mut line = format!(
        "{} passed, {} failed",
        c.passed,
        c.failed + c.errors + c.unsupported
    );
    if c.errors > 0 {
        let _ = write!(line, " ({} could not be run)", c.errors);
    }
    if c.unsupported > 0 {
        let _ = write!(
            line,
            ", {} of them unsupported requests (405/415/501)",
            c.unsupported
        );
    }
    if c.accepted > 0 {
        let _ = write!(line, ", {} accepted by the baseline", c.accepted);
    }
    if c.not_served > 0 {
        let _ = write!(line, ", {} not served", c.not_served);
    }
    if c.skipped > 0 {
        let _ = write!(line, ", {} skipped", c.skipped);
    }
    if let Some(r) = reference.filter(|r| *r != t.name) {
        let differ = t
            .cases
            .iter()
            .filter(|c| !c.vs_reference.is_empty())
            .count();
        let _ = write!(line, "; {differ} answers differ from {r}'s");
    }
    line
}
