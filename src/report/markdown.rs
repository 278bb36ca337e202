//! The Markdown summary, for a CI job summary (`$GITHUB_STEP_SUMMARY`) or a pull-request comment:
//! the targets' counts, the matrix of cases × targets, the mismatches of each failing cell and the
//! differences from the reference target. GitHub-flavoured Markdown; every value from a server or a
//! case is escaped, so it cannot break a table or inject markup.

use super::common::{
    WriteError, case_ids, cell_word, is_reference, layer_name, pointer, run_of, short, show,
    write_atomic,
};
use crate::results::{Cell, ResultSet};
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
    header(set, &mut out);
    targets(set, &mut out);
    matrix(set, &mut out);
    failures(set, &mut out);
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

fn matrix(set: &ResultSet, out: &mut String) {
    let _ = writeln!(out, "### Cases × targets\n");
    out.push_str("| case | endpoint |");
    for t in &set.targets {
        let _ = write!(out, " {} |", text(&t.name));
    }
    out.push_str("\n|---|---|");
    for _ in &set.targets {
        out.push_str("---|");
    }
    out.push('\n');
    for id in case_ids(set) {
        let endpoint = set.case(&id).map_or(String::new(), |c| {
            let mut e = cell_code(&c.endpoint);
            if let Some(ct) = &c.content_type {
                let _ = write!(e, " {}", cell_code(ct));
            }
            e
        });
        let _ = write!(out, "| {} | {endpoint} |", cell_code(&id));
        for t in &set.targets {
            let word = match run_of(t, &id) {
                None if t.error.is_some() => "not run (target error)".to_string(),
                None => "not run".to_string(),
                Some(r) => {
                    let mut w = match r.cell {
                        Cell::Failed => "**FAIL**".to_string(),
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
        .filter(|(_, r)| r.cell != Cell::Passed)
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
