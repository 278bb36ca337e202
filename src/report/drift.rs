//! The document drift report: Markdown for a documentation team, over the whole reference. A table
//! of every page (document) with its examples counted: how many hold on the target, have drift,
//! are not served, did not pass, were skipped. Then per page and per example (provenance
//! `file:line`): the documented endpoints the target does not serve at all (cell `not_served`),
//! and the documented fields that the target contradicts or never returns — the `environmental`
//! fields of the cases, where the target differs — with what the target returned and why the field
//! depends on the environment. Failures of the target and skipped cases are listed apart: they are
//! not drift.

use super::common;
use super::markdown::cell_code;
use crate::results::{CaseInfo, CaseResult, Cell, ResultSet};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Values longer than this are cut in the tables.
const MAX_VALUE: usize = 100;

/// Renders the drift found on the target named `target` in a result set (the cases' provenance
/// comes from the set).
pub fn render(set: &ResultSet, target: &str) -> String {
    let Some(run) = set.targets.iter().find(|t| t.name == target) else {
        return format!(
            "# Document drift on {}\n\nThe results hold no target of that name.\n",
            md_text(target)
        );
    };
    let results = &run.cases;
    let by_id: BTreeMap<&str, &CaseInfo> = set.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    // document → (example line, case id) → result
    let mut docs: BTreeMap<String, BTreeMap<(u32, String), &CaseResult>> = BTreeMap::new();
    // document → (request line, case id) → info, of the not-served cells
    let mut unserved: BTreeMap<String, BTreeMap<(u32, String), Option<&CaseInfo>>> =
        BTreeMap::new();
    let mut fields = 0;
    for r in results.iter().filter(|r| !r.drift.is_empty()) {
        fields += r.drift.len();
        let (doc, line) = provenance(by_id.get(r.id.as_str()).copied());
        docs.entry(doc)
            .or_default()
            .insert((line.unwrap_or(0), r.id.clone()), r);
    }
    for r in results.iter().filter(|r| r.cell == Cell::NotServed) {
        let case = by_id.get(r.id.as_str()).copied();
        let (doc, _) = provenance(case);
        let line = case.and_then(|c| c.line.or(c.response_line));
        unserved
            .entry(doc)
            .or_default()
            .insert((line.unwrap_or(0), r.id.clone()), case);
    }

    let mut out = format!("# Document drift on {}\n\n", md_text(target));
    out.push_str(
        "Fields that the documents' examples show and that the target contradicts or never returns. \
         They are not failures of the target: each is a field that depends on the environment the \
         example was recorded in (a scheduler, a kubelet, admission plugins, the server's version). \
         To fix a page, remove the field from the example, or say next to it that it is set by the \
         component named under *why*.\n\n",
    );
    pages(set, run, &mut out);
    if docs.is_empty() {
        out.push_str("No drift: the target returned every documented field that was checked.\n");
    } else {
        let examples: usize = docs.values().map(BTreeMap::len).sum();
        let _ = writeln!(
            out,
            "{fields} field{} in {examples} example{} of {} document{}.\n",
            plural(fields),
            plural(examples),
            docs.len(),
            plural(docs.len())
        );
    }
    if !unserved.is_empty() {
        out.push_str(
            "*Documented endpoint not served*: the target answers 404 for the whole resource (or its \
             group or version), so it does not serve what the page documents — a retired API version, \
             or one the target has not enabled; the page may need a note.\n\n",
        );
    }
    let empty = BTreeMap::new();
    let mut pages: Vec<&String> = docs.keys().chain(unserved.keys()).collect();
    pages.sort();
    pages.dedup();
    for doc in pages {
        let _ = writeln!(out, "## {}\n", md_text(doc));
        if let Some(entries) = unserved.get(doc) {
            let _ = writeln!(
                out,
                "### Documented endpoint{} not served\n",
                if entries.len() == 1 { "" } else { "s" }
            );
            for ((line, id), case) in entries {
                let at = if *line > 0 {
                    format!("{}:{line}", md_text(doc))
                } else {
                    md_text(doc)
                };
                let what = match case {
                    Some(c) => {
                        let mut w = cell_code(&c.endpoint);
                        if let Some(v) = c.api_version() {
                            let _ = write!(w, " in {}", cell_code(&v));
                        }
                        if let Some(p) = &c.path {
                            let _ = write!(w, " ({})", cell_code(p));
                        }
                        if c.retired {
                            w.push_str(", a retired version");
                        }
                        w
                    }
                    None => "(endpoint not recorded)".to_string(),
                };
                let _ = writeln!(
                    out,
                    "- Example at {at} (case `{id}`): documented endpoint not served: {what}"
                );
            }
            out.push('\n');
        }
        for ((_, id), r) in docs.get(doc).unwrap_or(&empty) {
            let case = by_id.get(id.as_str()).copied();
            let _ = writeln!(out, "### {}\n", example_heading(doc, case, id));
            if let Some(c) = case {
                let _ = writeln!(out, "Case `{}`: {}.\n", c.id, cell_code(&c.endpoint));
            }
            if r.cell != Cell::Passed {
                out.push_str(
                    "The case did not pass (see *Failures* below): fields after a failure may be missing.\n\n",
                );
            }
            out.push_str("| field | documented | target | why |\n|---|---|---|---|\n");
            for d in &r.drift {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    cell_code(&d.path),
                    cell_code(&short(&d.documented.to_string())),
                    match &d.actual {
                        None => "*(absent)*".to_string(),
                        Some(v) => cell_code(&short(&v.to_string())),
                    },
                    md_text(&d.reason)
                );
            }
            out.push('\n');
        }
    }

    let failures: Vec<&CaseResult> = results
        .iter()
        .filter(|r| !matches!(r.cell, Cell::Passed | Cell::NotServed | Cell::Skipped))
        .collect();
    if !failures.is_empty() {
        out.push_str("## Failures (not drift)\n\n");
        out.push_str(
            "These examples could not be checked completely: the target answered otherwise than the \
             case expects, or the case could not be run. See the run's output for the diffs.\n\n",
        );
        for r in failures {
            let case = by_id.get(r.id.as_str()).copied();
            let (doc, _) = provenance(case);
            let what = match &r.error {
                None => {
                    let mut paths: Vec<String> = r
                        .mismatches
                        .iter()
                        .map(|m| {
                            if m.path.is_empty() {
                                m.check.clone()
                            } else {
                                format!("{} {}", m.check, m.path)
                            }
                        })
                        .collect();
                    paths.dedup();
                    let n = paths.len();
                    paths.truncate(5);
                    format!(
                        "{n} mismatch{}: {}{}",
                        if n == 1 { "" } else { "es" },
                        paths
                            .iter()
                            .map(|p| cell_code(p))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if n > 5 { ", …" } else { "" }
                    )
                }
                Some(e) => format!("could not be run: {}", md_text(&short(&e.message))),
            };
            let _ = writeln!(
                out,
                "- {} (case `{}`): {what}",
                example_heading(&doc, case, &r.id),
                r.id
            );
        }
    }
    let skipped: Vec<&CaseResult> = results.iter().filter(|r| r.cell == Cell::Skipped).collect();
    if !skipped.is_empty() {
        out.push_str("\n## Skipped (not checked)\n\n");
        for r in skipped {
            let case = by_id.get(r.id.as_str()).copied();
            let (doc, _) = provenance(case);
            let why = r
                .error
                .as_ref()
                .map_or_else(|| "skipped".to_string(), |e| md_text(&short(&e.message)));
            let _ = writeln!(
                out,
                "- {} (case `{}`): {why}",
                example_heading(&doc, case, &r.id),
                r.id
            );
        }
    }
    out
}

/// The table of every page of the reference: its examples, and how they went on the target.
fn pages(set: &ResultSet, run: &crate::results::TargetResults, out: &mut String) {
    #[derive(Default)]
    struct Page {
        examples: usize,
        hold: usize,
        drift: usize,
        fields: usize,
        not_served: usize,
        failed: usize,
        skipped: usize,
        not_run: usize,
    }
    let results: BTreeMap<&str, &CaseResult> =
        run.cases.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut pages: BTreeMap<String, Page> = BTreeMap::new();
    let mut total = Page::default();
    let ids = crate::results::coverage::case_ids(set);
    for id in &ids {
        let (doc, _) = provenance(set.case(id));
        let p = pages.entry(doc).or_default();
        for p in [p, &mut total] {
            p.examples += 1;
            match results.get(id) {
                None => p.not_run += 1,
                Some(r) => {
                    if !r.drift.is_empty() {
                        p.drift += 1;
                        p.fields += r.drift.len();
                    }
                    match r.cell {
                        Cell::Passed | Cell::Accepted => p.hold += 1,
                        Cell::NotServed => p.not_served += 1,
                        Cell::Skipped => p.skipped += 1,
                        Cell::Failed | Cell::Error | Cell::Unsupported => p.failed += 1,
                    }
                }
            }
        }
    }
    if pages.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "The reference: {} page{}, {} example{}; on this target {} hold, {} with drift, {} not served, \
         {} did not pass, {} skipped{}.\n",
        pages.len(),
        plural(pages.len()),
        total.examples,
        plural(total.examples),
        total.hold,
        total.drift,
        total.not_served,
        total.failed,
        total.skipped,
        if total.not_run > 0 {
            format!(", {} not run", total.not_run)
        } else {
            String::new()
        }
    );
    out.push_str(
        "| page | examples | hold | with drift | drift fields | not served | did not pass | skipped |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for (doc, p) in &pages {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md_text(doc),
            p.examples,
            p.hold,
            p.drift,
            p.fields,
            p.not_served,
            p.failed,
            p.skipped
        );
    }
    out.push('\n');
}

fn provenance(case: Option<&CaseInfo>) -> (String, Option<u32>) {
    match case.and_then(|c| c.document.clone().map(|d| (d, c))) {
        Some((doc, c)) => (doc, c.response_line.or(c.line)),
        None => ("(cases without a document)".to_string(), None),
    }
}

/// "Response example at docs/x.md:96 (request example at docs/x.md:56)".
fn example_heading(doc: &str, case: Option<&CaseInfo>, id: &str) -> String {
    let Some(p) = case.filter(|c| c.document.is_some()) else {
        return format!("Case {}", cell_code(id));
    };
    match (p.line, p.response_line) {
        (Some(req), Some(resp)) if req != resp => format!(
            "Response example at {doc}:{resp} (request example at {doc}:{req})",
            doc = md_text(doc)
        ),
        (_, Some(l)) | (Some(l), None) => format!("Example at {}:{l}", md_text(doc)),
        (None, None) => format!("{} (case {})", md_text(doc), cell_code(id)),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn short(s: &str) -> String {
    common::short(s, MAX_VALUE)
}

/// Text in a table cell or heading: pipes and Markdown punctuation escaped, one line.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '`' | '[' | ']' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::TargetResults;
    use crate::verify::{Drift, Layer, Mismatch};
    use serde_json::{Value, json};

    fn case(id: &str, doc: &str, line: u32, response_line: Option<u32>) -> CaseInfo {
        CaseInfo {
            id: id.into(),
            title: "t".into(),
            tags: vec![],
            document: Some(doc.into()),
            line: Some(line),
            response_line,
            endpoint: "PATCH pods/{name}".into(),
            ..CaseInfo::default()
        }
    }

    fn result(id: &str, cell: Cell, drift: Vec<Drift>) -> CaseResult {
        CaseResult {
            drift,
            ..CaseResult::new(id, cell)
        }
    }

    fn set(target: &str, cases: Vec<CaseInfo>, results: Vec<CaseResult>) -> ResultSet {
        ResultSet {
            schema_version: 1,
            tool: "t".into(),
            started_at: "2026-11-22T00:00:00Z".into(),
            duration_ms: 0,
            reference: None,
            cases,
            targets: vec![TargetResults::new(target, "http://x", results)],
        }
    }

    fn drift(path: &str, documented: Value, actual: Option<Value>) -> Drift {
        Drift {
            path: path.into(),
            documented,
            actual,
            reason: "set by the scheduler".into(),
        }
    }

    #[test]
    fn lists_drift_per_document_and_example() {
        let cases = vec![
            case("b", "docs/b.md", 60, Some(78)),
            case("a", "docs/a.md", 56, Some(96)),
            case("c", "docs/a.md", 10, None),
        ];
        let results = vec![
            result(
                "b",
                Cell::Passed,
                vec![
                    drift("/spec/nodeName", json!("127.0.0.1"), None),
                    drift("/x|y", json!("a`b"), Some(json!(3))),
                ],
            ),
            result(
                "a",
                Cell::Passed,
                vec![drift("/metadata/selfLink", json!("/api/v1/x"), None)],
            ),
            result("c", Cell::Passed, vec![]),
        ];
        let md = render(
            &set("https://127.0.0.1:6443", cases, results),
            "https://127.0.0.1:6443",
        );
        assert!(md.contains("3 fields in 2 examples of 2 documents"), "{md}");
        let a = md.find("## docs/a.md").unwrap();
        let b = md.find("## docs/b.md").unwrap();
        assert!(a < b, "{md}");
        assert!(
            md.contains("### Response example at docs/b.md:78 (request example at docs/b.md:60)"),
            "{md}"
        );
        assert!(
            md.contains(
                "| `/spec/nodeName` | `\"127.0.0.1\"` | *(absent)* | set by the scheduler |"
            ),
            "{md}"
        );
        // Pipes and backticks do not break the table.
        assert!(md.contains(r#"| `/x\|y` | ``"a`b"`` | `3` |"#), "{md}");
        assert!(!md.contains("Failures"), "{md}");
        assert!(!md.contains("docs/a.md:10"), "no drift, no entry: {md}");
    }

    #[test]
    fn failures_are_listed_apart_from_drift() {
        let cases = vec![case("a", "docs/a.md", 56, Some(96))];
        let mismatch = Mismatch {
            layer: Layer::Document,
            check: "include".into(),
            path: "/spec/containers/0/image".into(),
            expected: Some(json!("x")),
            actual: Some(json!("y")),
        };
        let mut failed = result("a", Cell::Failed, vec![]);
        failed.mismatches = vec![mismatch];
        let mut error = result("z", Cell::Error, vec![]);
        error.error = Some(crate::results::CaseError::new(
            crate::results::ErrorKind::Setup,
            "setup: HTTP 422",
        ));
        let md = render(&set("reference", cases, vec![failed, error]), "reference");
        assert!(md.contains("No drift"), "{md}");
        assert!(md.contains("## Failures (not drift)"), "{md}");
        assert!(
            md.contains("(case `a`): 1 mismatch: `include /spec/containers/0/image`"),
            "{md}"
        );
        assert!(md.contains("could not be run: setup: HTTP 422"), "{md}");
    }

    #[test]
    fn not_served_endpoints_are_listed_per_page_and_every_page_is_counted() {
        let mut old = CaseInfo::new(
            "old",
            "t",
            "GET",
            "/apis/apps/v1beta1/namespaces/{namespace}/deployments/{name}",
            false,
        );
        old.document = Some("docs/deploy.md".into());
        old.line = Some(12);
        let mut skip = case("skip", "docs/deploy.md", 40, None);
        skip.endpoint = "DELETE pods".into();
        let cases = vec![case("a", "docs/a.md", 56, None), old, skip];
        let mut skipped = result("skip", Cell::Skipped, vec![]);
        skipped.error = Some(crate::results::CaseError::new(
            crate::results::ErrorKind::Case,
            "skipped: it cannot be confined to the run's own objects",
        ));
        let results = vec![
            result("a", Cell::Passed, vec![]),
            result("old", Cell::NotServed, vec![]),
            skipped,
        ];
        let md = render(&set("t", cases, results), "t");
        assert!(
            md.contains(
                "The reference: 2 pages, 3 examples; on this target 1 hold, 0 with drift, 1 not served, 0 did not pass, 1 skipped."
            ),
            "{md}"
        );
        assert!(
            md.contains("| docs/a.md | 1 | 1 | 0 | 0 | 0 | 0 | 0 |"),
            "{md}"
        );
        assert!(
            md.contains("| docs/deploy.md | 2 | 0 | 0 | 0 | 1 | 0 | 1 |"),
            "{md}"
        );
        assert!(
            md.contains("## docs/deploy.md\n\n### Documented endpoint not served\n"),
            "{md}"
        );
        assert!(
            md.contains(
                "- Example at docs/deploy.md:12 (case `old`): documented endpoint not served: \
                 `GET deployments/{name}` in `apps/v1beta1` \
                 (`/apis/apps/v1beta1/namespaces/{namespace}/deployments/{name}`), a retired version"
            ),
            "{md}"
        );
        // Neither is a failure; the skipped case is listed apart, with its reason.
        assert!(!md.contains("## Failures"), "{md}");
        assert!(md.contains("## Skipped (not checked)"), "{md}");
        assert!(
            md.contains("(case `skip`): skipped: it cannot be confined"),
            "{md}"
        );
        assert!(
            !md.contains("## docs/a.md"),
            "nothing to say about docs/a.md: {md}"
        );
    }
}
