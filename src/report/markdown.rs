//! The Markdown summary, for a CI job summary (`$GITHUB_STEP_SUMMARY`) or a pull-request comment:
//! the targets' counts, each target's score ("docs vs vendor-b: N of M operations hold"), the
//! coverage per API group and kind, the matrix of cases × targets in one collapsible section per
//! kind (open where something does not hold), the mismatches of each failing cell, the endpoints
//! not served and the cases skipped, and the differences from the reference target. GitHub-flavoured Markdown; every value from a server or a
//! case is escaped, so it cannot break a table or inject markup.

use super::common::{
    WriteError, case_ids, cell_word, is_reference, layer_name, pointer, run_of, short, show,
    write_atomic,
};
use crate::results::coverage::{Section, Tally};
use crate::results::{Cell, Coverage, ResultSet};
use std::fmt::Write;
use std::path::Path;

/// Failing cells whose mismatches are listed; the others are counted (a job summary is limited
/// to 1 MiB).
const MAX_CELLS: usize = 40;
/// Mismatches listed per failing cell.
const MAX_MISMATCHES: usize = 8;
/// Characters of a value.
const VALUE: usize = 80;

/// The summary as GitHub-flavoured Markdown.
pub fn render(set: &ResultSet) -> String {
    let mut out = String::new();
    let coverage = Coverage::of(set);
    header(set, &mut out);
    targets(set, &mut out);
    score(&coverage, &mut out);
    coverage_table(&coverage, &mut out);
    matrix(set, &coverage, &mut out);
    failures(set, &mut out);
    not_served(set, &mut out);
    vs_reference(set, &mut out);
    out
}

/// Writes [`render`]'s summary to `path`, atomically.
pub fn write(set: &ResultSet, path: &Path) -> Result<(), WriteError> {
    write_atomic(path, render(set).as_bytes())
}

fn header(set: &ResultSet, out: &mut String) {
    let _ = writeln!(out, "## apiconform results\n");
    let _ = write!(
        out,
        "{} · started {} · {} cases · {} targets",
        text(&set.tool),
        text(&set.started_at),
        set.cases.len(),
        set.targets.len()
    );
    if let Some(r) = &set.reference {
        let _ = write!(out, " · reference: {}", code(r));
    }
    out.push_str("\n\n");
}

fn targets(set: &ResultSet, out: &mut String) {
    let _ = writeln!(
        out,
        "| target | url | passed | failed | errors | unsupported | accepted | drift |"
    );
    let _ = writeln!(out, "|---|---|--:|--:|--:|--:|--:|--:|");
    for t in &set.targets {
        let c = &t.counts;
        let mut name = text(&t.name);
        if is_reference(set, t) {
            name.push_str(" (reference)");
        }
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {} | {} | {} |",
            cell_code(&t.url),
            c.passed,
            c.failed,
            c.errors,
            c.unsupported,
            c.accepted,
            c.drift
        );
    }
    out.push('\n');
    for t in &set.targets {
        if let Some(e) = &t.error {
            let _ = writeln!(
                out,
                "> **{}** could not be run: {}\n",
                text(&t.name),
                text(&short(e, 500))
            );
        }
        for c in &t.cleanup {
            let _ = writeln!(
                out,
                "> cleanup on **{}**: {}\n",
                text(&t.name),
                text(&short(c, 500))
            );
        }
    }
}

fn score(c: &Coverage, out: &mut String) {
    if c.scores.is_empty() || c.operations == 0 {
        return;
    }
    let _ = writeln!(out, "### Score\n");
    for s in &c.scores {
        let _ = writeln!(
            out,
            "- **{}** — {}",
            text(&s.headline()),
            text(&s.details())
        );
    }
    out.push_str(
        "\nAn operation holds when its case passed or was accepted by the baseline (passed with a \
         reason); not served, skipped and not run do not hold, and are counted apart.\n\n",
    );
    let _ = writeln!(
        out,
        "| target | holds | of | share | passed | accepted | failed | unsupported | errors | not served | skipped | not run |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for s in &c.scores {
        let t = &s.tally;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {}% | {} | {} | {} | {} | {} | {} | {} | {} |",
            text(&s.target),
            s.holds,
            s.operations,
            s.percent(),
            t.passed,
            t.accepted,
            t.failed,
            t.unsupported,
            t.errors,
            t.not_served,
            t.skipped,
            t.not_run
        );
    }
    out.push('\n');
}

/// `22/24 · 1 accepted · 1 failed · 1 error`: holds of documented, then every cell but passed.
fn tally_cell(t: &Tally) -> String {
    if t.not_run == t.total() {
        return "not run".into();
    }
    let mut s = format!("{}/{}", t.holds(), t.total());
    for (n, word) in t.parts().into_iter().skip(1) {
        if n > 0 {
            let word = if word == "error" && n > 1 {
                "errors"
            } else {
                word
            };
            let _ = write!(s, " · {n} {word}");
        }
    }
    s
}

fn coverage_table(c: &Coverage, out: &mut String) {
    if c.operations == 0 {
        return;
    }
    let _ = writeln!(out, "### Coverage per API group and kind\n");
    let _ = writeln!(
        out,
        "{}; per target the operations that hold of those documented, and the other cells.\n",
        text(&c.headline())
    );
    out.push_str("| group | kind | operations |");
    for t in &c.targets {
        let _ = write!(out, " {} |", text(t));
    }
    out.push_str("\n|---|---|--:|");
    for _ in &c.targets {
        out.push_str("---|");
    }
    out.push('\n');
    for g in &c.groups {
        let _ = write!(out, "| **{}** | | **{}** |", text(&g.group), g.operations);
        for t in &g.tallies {
            let _ = write!(out, " **{}** |", text(&tally_cell(t)));
        }
        out.push('\n');
        for k in &g.kinds {
            let _ = write!(out, "| | {} | {} |", text(&k.label()), k.operations);
            for t in &k.tallies {
                let _ = write!(out, " {} |", text(&tally_cell(t)));
            }
            out.push('\n');
        }
    }
    out.push('\n');
}

fn matrix(set: &ResultSet, c: &Coverage, out: &mut String) {
    let _ = writeln!(out, "### Cases × targets\n");
    let mut head = String::from("| case | endpoint |");
    for t in &set.targets {
        let _ = write!(head, " {} |", text(&t.name));
    }
    head.push_str("\n|---|---|");
    for _ in &set.targets {
        head.push_str("---|");
    }
    head.push('\n');
    for g in &c.groups {
        for k in &g.kinds {
            let all_hold = k
                .tallies
                .iter()
                .zip(&set.targets)
                .all(|(t, target)| t.holds() == t.total() || target.error.is_some());
            let _ = write!(
                out,
                "<details{}>\n<summary><b>{} · {}</b> — {} case{}",
                if all_hold { "" } else { " open" },
                html(&g.group),
                html(&k.label()),
                k.operations,
                if k.operations == 1 { "" } else { "s" }
            );
            for (t, name) in k.tallies.iter().zip(&c.targets) {
                let _ = write!(out, " · {} {}/{}", html(name), t.holds(), t.total());
            }
            out.push_str("</summary>\n\n");
            out.push_str(&head);
            for id in &k.cases {
                matrix_row(set, id, out);
            }
            out.push_str("\n</details>\n\n");
        }
    }
    out.push('\n');
}

fn matrix_row(set: &ResultSet, id: &str, out: &mut String) {
    let endpoint = set.case(id).map_or(String::new(), |c| {
        let mut e = cell_code(&c.endpoint);
        if let Some(ct) = &c.content_type {
            let _ = write!(e, " {}", cell_code(ct));
        }
        e
    });
    let _ = write!(out, "| {} | {endpoint} |", cell_code(id));
    for t in &set.targets {
        let word = match run_of(t, id) {
            None if t.error.is_some() => "not run (target error)".to_string(),
            None => "not run".to_string(),
            Some(r) => {
                let mut w = match r.cell {
                    Cell::Failed => "**FAIL**".to_string(),
                    Cell::NotServed => "*not served*".to_string(),
                    c => cell_word(c).to_string(),
                };
                if !r.drift.is_empty() {
                    let _ = write!(w, " · drift {}", r.drift.len());
                }
                w
            }
        };
        let _ = write!(out, " {word} |");
    }
    out.push('\n');
}

/// Per target, the documented operations it does not serve (per kind) and the cases skipped.
fn not_served(set: &ResultSet, out: &mut String) {
    let mut lines = Vec::new();
    for t in &set.targets {
        let mut by_kind: Vec<(String, Vec<&str>)> = Vec::new();
        let mut skipped: Vec<&crate::results::CaseResult> = Vec::new();
        for id in case_ids(set) {
            let Some(r) = run_of(t, &id) else { continue };
            match r.cell {
                Cell::NotServed => {
                    let label = Section::of(set.case(&id)).kind_label();
                    match by_kind.iter_mut().find(|(l, _)| *l == label) {
                        Some((_, ids)) => ids.push(&r.id),
                        None => by_kind.push((label, vec![&r.id])),
                    }
                }
                Cell::Skipped => skipped.push(r),
                _ => {}
            }
        }
        let n: usize = by_kind.iter().map(|(_, ids)| ids.len()).sum();
        if n > 0 {
            let kinds = by_kind
                .iter()
                .map(|(l, ids)| format!("{} ×{}", text(l), ids.len()))
                .collect::<Vec<_>>()
                .join(", ");
            lines.push(format!(
                "- **{}** does not serve {n} documented operation{}: {kinds}",
                text(&t.name),
                if n == 1 { "" } else { "s" }
            ));
        }
        if !skipped.is_empty() {
            let ids: Vec<String> = skipped.iter().take(10).map(|r| code(&r.id)).collect();
            let more = if skipped.len() > 10 {
                format!(", … and {} more", skipped.len() - 10)
            } else {
                String::new()
            };
            let why = skipped[0]
                .error
                .as_ref()
                .map(|e| format!(" ({})", text(&short(&e.message, 200))))
                .unwrap_or_default();
            lines.push(format!(
                "- **{}** skipped {}: {}{more}{why}",
                text(&t.name),
                skipped.len(),
                ids.join(", ")
            ));
        }
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Not served and skipped\n");
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    out.push('\n');
}

fn failures(set: &ResultSet, out: &mut String) {
    let failing: Vec<_> = set
        .targets
        .iter()
        .flat_map(|t| {
            case_ids(set)
                .into_iter()
                .filter_map(move |id| run_of(t, &id).map(|r| (t, r)))
        })
        .filter(|(_, r)| !matches!(r.cell, Cell::Passed | Cell::NotServed | Cell::Skipped))
        .collect();
    if failing.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Cells that did not pass\n");
    for (t, r) in failing.iter().take(MAX_CELLS) {
        let _ = write!(
            out,
            "- {} on **{}**: {}",
            code(&r.id),
            text(&t.name),
            cell_word(r.cell)
        );
        if let Some(s) = r.status {
            let _ = write!(out, " (HTTP {s})");
        }
        out.push('\n');
        if let Some(e) = &r.error {
            let _ = writeln!(out, "  - {}", text(&short(&e.message, 300)));
        }
        for reason in &r.accepted {
            let _ = writeln!(out, "  - accepted: {}", text(&short(reason, 300)));
        }
        for m in r.mismatches.iter().take(MAX_MISMATCHES) {
            let _ = writeln!(
                out,
                "  - {} {} at {}: expected {}, actual {}",
                layer_name(m.layer),
                text(&m.check),
                code(pointer(&m.path)),
                code(&show(m.expected.as_ref(), VALUE)),
                code(&show(m.actual.as_ref(), VALUE))
            );
        }
        if r.mismatches.len() > MAX_MISMATCHES {
            let _ = writeln!(
                out,
                "  - … and {} more",
                r.mismatches.len() - MAX_MISMATCHES
            );
        }
    }
    if failing.len() > MAX_CELLS {
        let _ = writeln!(
            out,
            "- … and {} more cells that did not pass (see the HTML or JSON report)",
            failing.len() - MAX_CELLS
        );
    }
    out.push('\n');
}

fn vs_reference(set: &ResultSet, out: &mut String) {
    let Some(reference) = &set.reference else {
        return;
    };
    let others: Vec<_> = set
        .targets
        .iter()
        .filter(|t| &t.name != reference)
        .collect();
    if others.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Differences from {}\n", code(reference));
    let _ = writeln!(
        out,
        "| target | cases answering differently | differences | most frequent pointers |"
    );
    let _ = writeln!(out, "|---|--:|--:|---|");
    for t in others {
        if t.error.is_some() {
            let _ = writeln!(out, "| {} | — | — | could not be run |", text(&t.name));
            continue;
        }
        let cases = t
            .cases
            .iter()
            .filter(|c| !c.vs_reference.is_empty())
            .count();
        let diffs: usize = t.cases.iter().map(|c| c.vs_reference.len()).sum();
        let mut by_path: Vec<(&str, usize)> = Vec::new();
        for m in t.cases.iter().flat_map(|c| &c.vs_reference) {
            match by_path.iter_mut().find(|(p, _)| *p == m.path) {
                Some((_, n)) => *n += 1,
                None => by_path.push((&m.path, 1)),
            }
        }
        by_path.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let top = by_path
            .iter()
            .take(3)
            .map(|(p, n)| format!("{} ×{n}", cell_code(pointer(p))))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "| {} | {cases} | {diffs} | {top} |", text(&t.name));
    }
    out.push('\n');
}

/// Plain text with the punctuation that starts Markdown or HTML markup backslash-escaped (`|`
/// included, for tables) and line breaks flattened. Never used at the start of a line.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '~'
            | '&' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Text inside an HTML element (a `<summary>`): markup escaped, one line.
fn html(s: &str) -> String {
    super::html::esc(s).replace(['\n', '\r'], " ")
}

/// A code span: a fence of backticks longer than any run inside, line breaks flattened.
fn code(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in flat.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') || flat.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// A code span in a table cell: GitHub splits rows at `|` even inside code, unless escaped.
pub(crate) fn cell_code(s: &str) -> String {
    code(&s.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cannot_break_out() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(cell_code("a|b"), "`a\\|b`");
        assert_eq!(text("<b>|x\n"), "\\<b\\>\\|x ");
    }
}
