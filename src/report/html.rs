//! The HTML report: one self-contained page (inline CSS, SVG and a small script; no external
//! resource, enforced by its Content-Security-Policy) with each target's score, the coverage per
//! API group and kind, and the matrix of cases × targets in one collapsible section per kind (and
//! within it per endpoint), with a filter box (by id, kind, group, verb, cell). A click on a cell opens its structured diff: the mismatches by layer with their JSON
//! Pointers, the differences from the reference target, the drift, the error, the normalized
//! answer. Charts show the share of passed cases per target and per endpoint and patch type.
//!
//! Everything shown comes from the [`ResultSet`] and is HTML-escaped: servers' answers can contain
//! markup. The panels work without JavaScript (CSS `:target`); the script only adds keyboard
//! closing and the selected-cell highlight, and marks the page `data-js="ready"`.

use super::common::{
    LAYERS, WriteError, case_ids, cell_name, cell_word, endpoint_label, is_reference, layer_name,
    pointer, run_of, short, write_atomic,
};
use crate::results::coverage::{KindCoverage, Tally};
use crate::results::{CaseInfo, CaseResult, Cell, Coverage, ResultSet, TargetResults};
use crate::verify::Mismatch;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::path::Path;

/// Characters of one value in a diff table; of the normalized answer.
const VALUE: usize = 4000;
const ANSWER: usize = 30_000;
/// Rows of one diff table; the rest are counted.
const MAX_ROWS: usize = 200;

const CSS: &str = include_str!("html.css");
const SCRIPT: &str = include_str!("html.js");

/// The report as one HTML document.
pub fn render(set: &ResultSet) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let script_hash = base64(&Sha256::digest(SCRIPT.as_bytes()));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{script_hash}'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>apiconform report · {}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        esc(&set.started_at)
    );
    let coverage = Coverage::of(set);
    header(set, &mut out);
    out.push_str("<main>\n");
    summary(set, &coverage, &mut out);
    coverage_table(&coverage, &mut out);
    matrix(set, &coverage, &mut out);
    out.push_str("<section class=\"card wide\">\n<h2>Passed per endpoint and patch type</h2>\n");
    endpoint_chart(set, &mut out);
    out.push_str("</section>\n</main>\n");
    panels(set, &mut out);
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

/// Writes [`render`]'s page to `path`, atomically.
pub fn write(set: &ResultSet, path: &Path) -> Result<(), WriteError> {
    write_atomic(path, render(set).as_bytes())
}

/// HTML-escapes text for element content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn header(set: &ResultSet, out: &mut String) {
    let reference = match &set.reference {
        Some(r) => format!("<span class=\"tag ref\">{}</span>", esc(r)),
        None => "none".to_string(),
    };
    let _ = write!(
        out,
        "<header>\n<h1>Conformance report</h1>\n<dl class=\"meta\">\
         <div><dt>tool</dt><dd>{}</dd></div>\
         <div><dt>started</dt><dd>{}</dd></div>\
         <div><dt>duration</dt><dd>{}</dd></div>\
         <div><dt>reference target</dt><dd>{reference}</dd></div>\
         <div><dt>matrix</dt><dd>{} cases × {} targets</dd></div>\
         </dl>\n</header>\n",
        esc(&set.tool),
        esc(&set.started_at),
        duration(set.duration_ms),
        set.cases.len(),
        set.targets.len()
    );
}

fn duration(ms: u64) -> String {
    if ms >= 1000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

/// The colour classes of a cell, in stacking order for the charts.
const STACK: [Cell; 7] = [
    Cell::Passed,
    Cell::Accepted,
    Cell::Failed,
    Cell::Unsupported,
    Cell::NotServed,
    Cell::Skipped,
    Cell::Error,
];

fn summary(set: &ResultSet, coverage: &Coverage, out: &mut String) {
    out.push_str("<section class=\"summary\">\n");
    score(coverage, out);
    out.push_str("<div class=\"card\">\n<h2>Targets</h2>\n");
    out.push_str(
        "<table class=\"targets\"><thead><tr><th>target</th><th>passed</th><th>failed</th>\
         <th>errors</th><th>unsupported</th><th>accepted</th><th>not served</th><th>skipped</th>\
         <th>drift</th></tr></thead><tbody>\n",
    );
    for (ti, t) in set.targets.iter().enumerate() {
        let c = &t.counts;
        let _ = write!(
            out,
            "<tr><th scope=\"row\"><a href=\"#t-{ti}\" data-open=\"t-{ti}\">{}</a>{}<div class=\"url\">{}</div></th>",
            esc(&t.name),
            target_tags(set, t),
            esc(&t.url)
        );
        for (n, class) in [
            (c.passed, "passed"),
            (c.failed, "failed"),
            (c.errors, "error"),
            (c.unsupported, "unsupported"),
            (c.accepted, "accepted"),
            (c.not_served, "not_served"),
            (c.skipped, "skipped"),
            (c.drift, "drift"),
        ] {
            let class = if n == 0 { "zero" } else { class };
            let _ = write!(out, "<td class=\"num {class}\">{n}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out.push_str("</div>\n<div class=\"card\">\n<h2>Passed per target</h2>\n");
    target_chart(set, out);
    out.push_str("<ul class=\"swatches\">");
    for cell in STACK {
        let _ = write!(
            out,
            "<li><span class=\"sw {}\"></span>{}</li>",
            cell_name(cell),
            cell_word(cell).to_lowercase()
        );
    }
    out.push_str("</ul>\n</div>\n</section>\n");
}

fn target_tags(set: &ResultSet, t: &TargetResults) -> String {
    let mut s = String::new();
    if is_reference(set, t) {
        s.push_str(" <span class=\"tag ref\">reference</span>");
    }
    if t.error.is_some() {
        s.push_str(" <span class=\"tag down\">could not run</span>");
    }
    if !t.cleanup.is_empty() {
        s.push_str(" <span class=\"tag warn\">cleanup problems</span>");
    }
    s
}

fn legend(out: &mut String) {
    out.push_str("<ul class=\"legend\">");
    for (class, word, what) in [
        ("passed", "pass", "every expectation holds"),
        ("failed", "FAIL", "an expectation does not hold"),
        ("error", "error", "no answer to judge"),
        (
            "unsupported",
            "unsupported",
            "method or content type refused (405, 415, 501)",
        ),
        (
            "accepted",
            "accepted",
            "failed, but every mismatch is accepted by the baseline",
        ),
        (
            "not_served",
            "not served",
            "the target does not serve the documented endpoint (404 for the whole resource)",
        ),
        (
            "skipped",
            "skipped",
            "not run: it cannot be confined to the run's own objects",
        ),
        ("notrun", "not run", "the case did not run on the target"),
    ] {
        let _ = write!(
            out,
            "<li><span class=\"chip {class}\">{word}</span> {what}</li>"
        );
    }
    out.push_str(
        "<li><span class=\"mark drift\">drift</span> documented fields the target does not return</li>\
         <li><span class=\"mark diff\">≠ref</span> the answer differs from the reference target's</li>",
    );
    out.push_str("</ul>\n");
}

fn count(cases: &[&CaseResult], cell: Cell) -> usize {
    cases.iter().filter(|c| c.cell == cell).count()
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Horizontal stacked bars, one per target, labelled with the share passed.
fn target_chart(set: &ResultSet, out: &mut String) {
    const LABEL: f64 = 120.0;
    const BAR: f64 = 220.0;
    const ROW: f64 = 30.0;
    let height = ROW * set.targets.len().max(1) as f64 + 8.0;
    let width = LABEL + BAR + 100.0;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">\
         <title>Share of cases passed per target</title>"
    );
    for (i, t) in set.targets.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL - 10.0,
            y + 16.0,
            esc(&short(&t.name, 16))
        );
        let _ = write!(
            out,
            "<rect class=\"track\" x=\"{LABEL}\" y=\"{}\" width=\"{BAR}\" height=\"18\" rx=\"3\"/>",
            y + 3.0
        );
        let runs: Vec<&CaseResult> = t.cases.iter().collect();
        if runs.is_empty() {
            let what = if t.error.is_some() {
                "could not be run"
            } else {
                "no cases"
            };
            let _ = writeln!(
                out,
                "<text class=\"note\" x=\"{}\" y=\"{}\">{what}</text>",
                LABEL + 8.0,
                y + 16.0
            );
            continue;
        }
        let mut x = LABEL;
        for cell in STACK {
            let n = count(&runs, cell);
            if n == 0 {
                continue;
            }
            let w = BAR * n as f64 / runs.len() as f64;
            let _ = write!(
                out,
                "<rect class=\"seg {}\" x=\"{x:.2}\" y=\"{}\" width=\"{w:.2}\" height=\"18\"><title>{}: {n} {}</title></rect>",
                cell_name(cell),
                y + 3.0,
                esc(&t.name),
                cell_name(cell)
            );
            x += w;
        }
        let passed = count(&runs, Cell::Passed);
        let _ = writeln!(
            out,
            "<text class=\"value\" x=\"{}\" y=\"{}\">{:.0}% passed</text>",
            LABEL + BAR + 8.0,
            y + 16.0,
            percent(passed, runs.len())
        );
    }
    out.push_str("</svg>\n");
}

/// The endpoint (and patch type) groups of the chart, in the order of the set's cases.
fn chart_groups(set: &ResultSet) -> Vec<(String, Vec<&str>)> {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for c in &set.cases {
        let mut label = endpoint_label(&c.endpoint, c.content_type.as_deref().map(short_type));
        if let Some(v) = c.api_version().filter(|v| v != "v1") {
            label = format!("{v} {label}");
        }
        match groups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, ids)) => ids.push(&c.id),
            None => groups.push((label, vec![&c.id])),
        }
    }
    groups
}

/// A grid: one row per endpoint and patch type, one column per target, each cell a bar of the
/// share passed with `passed/ran`.
fn endpoint_chart(set: &ResultSet, out: &mut String) {
    const LABEL: f64 = 330.0;
    const COL: f64 = 130.0;
    const ROW: f64 = 26.0;
    const HEAD: f64 = 22.0;
    let groups = chart_groups(set);
    let width = LABEL + COL * set.targets.len() as f64 + 4.0;
    let height = HEAD + ROW * groups.len().max(1) as f64 + 4.0;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">\
         <title>Share of cases passed per endpoint and patch type, per target</title>"
    );
    for (ti, t) in set.targets.iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"head\" x=\"{}\" y=\"15\" text-anchor=\"middle\">{}</text>",
            LABEL + COL * ti as f64 + COL / 2.0,
            esc(&short(&t.name, 16))
        );
    }
    out.push('\n');
    for (gi, (label, ids)) in groups.iter().enumerate() {
        let y = HEAD + ROW * gi as f64;
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL - 10.0,
            y + 17.0,
            esc(&short(label, 52))
        );
        for (ti, t) in set.targets.iter().enumerate() {
            let x = LABEL + COL * ti as f64 + 6.0;
            let w = COL - 12.0;
            let runs: Vec<&CaseResult> = ids.iter().filter_map(|id| run_of(t, id)).collect();
            let _ = write!(
                out,
                "<rect class=\"track\" x=\"{x}\" y=\"{}\" width=\"{w}\" height=\"18\" rx=\"3\"/>",
                y + 4.0
            );
            if runs.is_empty() {
                let _ = write!(
                    out,
                    "<text class=\"note\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">not run</text>",
                    x + w / 2.0,
                    y + 17.0
                );
                continue;
            }
            let passed = count(&runs, Cell::Passed);
            let share = percent(passed, runs.len());
            if passed == 0 {
                let _ = write!(
                    out,
                    "<rect class=\"track none\" x=\"{x}\" y=\"{}\" width=\"{w}\" height=\"18\" rx=\"3\"/>",
                    y + 4.0
                );
            }
            let class = if passed == runs.len() {
                "passed"
            } else if passed == 0 {
                "failed"
            } else {
                "partial"
            };
            let _ = write!(
                out,
                "<rect class=\"seg {class}\" x=\"{x}\" y=\"{}\" width=\"{:.2}\" height=\"18\" rx=\"3\">\
                 <title>{}: {passed} of {} passed</title></rect>\
                 <text class=\"cellvalue\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{passed}/{}</text>",
                y + 4.0,
                w * share / 100.0,
                esc(&t.name),
                runs.len(),
                x + w / 2.0,
                y + 17.0,
                runs.len()
            );
        }
        out.push('\n');
    }
    out.push_str("</svg>\n");
}

/// `application/strategic-merge-patch+json` → `strategic-merge-patch`.
fn short_type(ct: &str) -> &str {
    let t = ct.strip_prefix("application/").unwrap_or(ct);
    t.strip_suffix("+json").unwrap_or(t)
}

/// Each target's score: the headline, what it counts, a bar of its cells.
fn score(c: &Coverage, out: &mut String) {
    if c.operations == 0 || c.scores.is_empty() {
        return;
    }
    out.push_str("<div class=\"card score\">\n<h2>Score</h2>\n");
    for s in &c.scores {
        let _ = writeln!(
            out,
            "<div class=\"score-row\"><p class=\"headline\"><span class=\"pct\">{}%</span> {}{}</p>{}\
             <p class=\"details\">{}</p></div>",
            s.percent(),
            esc(&s.headline()),
            if s.reference {
                " <span class=\"tag ref\">reference</span>"
            } else {
                ""
            },
            bar(&s.tally),
            esc(&s.details())
        );
    }
    out.push_str(
        "<p class=\"hint\">An operation holds when its case passed or was accepted by the baseline \
         (passed with a reason); not served, skipped and not run do not hold, and are counted apart.</p>\n</div>\n",
    );
}

/// The cells of a tally as a stacked bar (segments sized by inline style), with its numbers as
/// the title.
fn bar(t: &Tally) -> String {
    let total = t.total();
    let mut out = format!("<span class=\"bar\" title=\"{}\">", esc(&t.describe()));
    if total > 0 {
        for ((n, _), class) in t.parts().iter().zip([
            "passed",
            "accepted",
            "failed",
            "unsupported",
            "error",
            "not_served",
            "skipped",
            "notrun",
        ]) {
            if *n > 0 {
                let _ = write!(
                    out,
                    "<span class=\"seg {class}\" style=\"width:{:.2}%\"></span>",
                    *n as f64 * 100.0 / total as f64
                );
            }
        }
    }
    out.push_str("</span>");
    out
}

/// A tally in a table cell: the bar and `holds/total`.
fn tally_cell(t: &Tally) -> String {
    format!(
        "<td class=\"tally\">{}<span class=\"frac\">{}/{}</span></td>",
        bar(t),
        t.holds(),
        t.total()
    )
}

fn coverage_table(c: &Coverage, out: &mut String) {
    if c.operations == 0 {
        return;
    }
    let _ = write!(
        out,
        "<section class=\"card wide coverage\">\n<h2>Coverage per API group and kind</h2>\n\
         <p class=\"hint\">{}: per target the operations that hold of those documented (bar: every \
         cell). A kind links to its section of the matrix.</p>\n\
         <table class=\"coverage\"><thead><tr><th>group / kind</th><th>operations</th><th>verbs</th>",
        esc(&c.headline())
    );
    for t in &c.targets {
        let _ = write!(out, "<th>{}</th>", esc(t));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut si = 0;
    for g in &c.groups {
        let _ = write!(
            out,
            "<tr class=\"cg\"><th scope=\"row\">{}</th><td class=\"num\">{}</td><td></td>",
            esc(&g.group),
            g.operations
        );
        for t in &g.tallies {
            out.push_str(&tally_cell(t));
        }
        out.push_str("</tr>\n");
        for k in &g.kinds {
            let _ = write!(
                out,
                "<tr class=\"ck\"><th scope=\"row\"><a href=\"#s-{si}\" data-sec=\"s-{si}\">{}</a></th>\
                 <td class=\"num\">{}</td><td class=\"verbs\">{}</td>",
                esc(&k.label()),
                k.operations,
                esc(&k.verbs.join(", "))
            );
            for t in &k.tallies {
                out.push_str(&tally_cell(t));
            }
            out.push_str("</tr>\n");
            si += 1;
        }
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// The ids of a kind's cases grouped by endpoint, in the order endpoints first appear.
fn row_groups<'a>(set: &ResultSet, k: &'a KindCoverage) -> Vec<(String, Vec<&'a str>)> {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for id in &k.cases {
        let endpoint = set
            .case(id)
            .map_or("(unknown endpoint)".to_string(), |c| c.endpoint.clone());
        match groups.iter_mut().find(|(e, _)| *e == endpoint) {
            Some((_, ids)) => ids.push(id),
            None => groups.push((endpoint, vec![id])),
        }
    }
    groups
}

fn matrix(set: &ResultSet, coverage: &Coverage, out: &mut String) {
    let ids = case_ids(set);
    let index: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    out.push_str(
        "<section class=\"matrix-wrap\">\n<h2>Cases × targets</h2>\n\
         <p class=\"hint\">One section per API group and kind (click its title to fold it; sections \
         where everything holds start folded), within it per endpoint. Click a cell for its diff: the \
         mismatches by layer, the differences from the reference target, the drift, the answer.</p>\n",
    );
    let _ = writeln!(
        out,
        "<div class=\"filter\"><label for=\"filter\">Filter</label> <input type=\"search\" id=\"filter\" \
         placeholder=\"id, kind, verb, cell: e.g. deployment failed, kind:pod, cell:not_served, vendor-b:failed\" \
         autocomplete=\"off\" spellcheck=\"false\"> <span id=\"shown\" class=\"n\">{} cases</span> \
         <button type=\"button\" id=\"expand\">unfold all</button> <button type=\"button\" id=\"collapse\">fold all</button></div>",
        ids.len()
    );
    legend(out);
    out.push_str(
        "<table id=\"matrix\" class=\"matrix\">\n<thead><tr><th class=\"case\">case</th><th class=\"ct\">type</th>",
    );
    for (ti, t) in set.targets.iter().enumerate() {
        let _ = write!(
            out,
            "<th class=\"target\" scope=\"col\"><a href=\"#t-{ti}\" data-open=\"t-{ti}\">{}</a>{}</th>",
            esc(&t.name),
            target_tags(set, t)
        );
    }
    out.push_str("</tr></thead>\n");
    let columns = set.targets.len() + 2;
    let mut si = 0;
    for g in &coverage.groups {
        for k in &g.kinds {
            let all_hold = k.tallies.iter().all(|t| t.holds() == t.total());
            let _ = write!(
                out,
                "<tbody class=\"sec{}\" id=\"s-{si}\" data-group=\"{}\" data-kind=\"{}\">\
                 <tr class=\"sec-head\"><th colspan=\"{columns}\"><button type=\"button\" class=\"fold\" \
                 aria-expanded=\"{}\"><span class=\"grp\">{}</span> {} <span class=\"n\"><span class=\"count\">{}</span> case{}</span>",
                if all_hold { " collapsed" } else { "" },
                esc(&g.group),
                esc(&k.kind),
                !all_hold,
                esc(&g.group),
                esc(&k.label()),
                k.operations,
                if k.operations == 1 { "" } else { "s" }
            );
            for (t, name) in k.tallies.iter().zip(&coverage.targets) {
                let class = if t.holds() == t.total() {
                    "all"
                } else if t.holds() == 0 {
                    "none"
                } else {
                    "some"
                };
                let _ = write!(
                    out,
                    " <span class=\"sc {class}\" title=\"{}: {}\">{} {}/{}</span>",
                    esc(name),
                    esc(&t.describe()),
                    esc(name),
                    t.holds(),
                    t.total()
                );
            }
            out.push_str("</button></th></tr>\n");
            for (endpoint, group) in row_groups(set, k) {
                let _ = writeln!(
                    out,
                    "<tr class=\"group\"><th colspan=\"{columns}\" scope=\"rowgroup\">{} \
                     <span class=\"n\">{} case{}</span></th></tr>",
                    esc(&endpoint),
                    group.len(),
                    if group.len() == 1 { "" } else { "s" }
                );
                for id in group {
                    let ci = index.get(id).copied().unwrap_or(0);
                    row(set, &g.group, id, ci, out);
                }
            }
            out.push_str("</tbody>\n");
            si += 1;
        }
    }
    out.push_str("</table>\n</section>\n");
}

/// One case's row: its id and title, its type, a cell per target; `data-s` is what the filter
/// searches (lower case).
fn row(set: &ResultSet, group: &str, id: &str, ci: usize, out: &mut String) {
    let info = set.case(id);
    let title = info.map_or(String::new(), |c| c.title.clone());
    let ct = info.and_then(|c| c.content_type.as_deref());
    let mut search = format!("id:{id} group:{group}");
    if let Some(c) = info {
        for (key, value) in [
            ("kind", c.kind.as_deref()),
            ("version", c.api_version().as_deref()),
            ("verb", c.verb.as_deref()),
        ] {
            if let Some(v) = value {
                let _ = write!(search, " {key}:{}", v.replace(' ', "_"));
            }
        }
        let _ = write!(search, " {} {}", c.endpoint, ct.unwrap_or(""));
        if c.retired {
            search.push_str(" retired");
        }
    }
    for t in &set.targets {
        let word = run_of(t, id).map_or("not_run", |r| cell_name(r.cell));
        let _ = write!(search, " cell:{word} {}:{word}", t.name);
    }
    let _ = write!(
        out,
        "<tr class=\"row\" data-s=\"{}\"><th scope=\"row\" class=\"case\"><span class=\"id\">{}</span><span class=\"title\">{}</span></th>\
         <td class=\"ct\" title=\"{}\">{}</td>",
        esc(&search.to_lowercase()),
        esc(id),
        esc(&title),
        esc(ct.unwrap_or("")),
        esc(ct.map_or("", short_type))
    );
    for (ti, t) in set.targets.iter().enumerate() {
        cell(set, id, ci, t, ti, out);
    }
    out.push_str("</tr>\n");
}

fn cell(set: &ResultSet, id: &str, ci: usize, t: &TargetResults, ti: usize, out: &mut String) {
    let attrs = format!("data-case=\"{}\" data-target=\"{}\"", esc(id), esc(&t.name));
    let Some(run) = run_of(t, id) else {
        let why = if t.error.is_some() {
            "target error"
        } else {
            "not run"
        };
        let _ = write!(
            out,
            "<td class=\"cell notrun\" {attrs}><a href=\"#t-{ti}\" data-open=\"t-{ti}\" \
             title=\"{} on {}: {why}\">not run</a></td>",
            esc(id),
            esc(&t.name)
        );
        return;
    };
    let mut class = format!("cell {}", cell_name(run.cell));
    let mut marks = String::new();
    if !run.drift.is_empty() {
        class.push_str(" drift");
        let _ = write!(
            marks,
            "<span class=\"mark drift\">drift {}</span>",
            run.drift.len()
        );
    }
    if !run.vs_reference.is_empty() && !is_reference(set, t) {
        class.push_str(" differs");
        let _ = write!(
            marks,
            "<span class=\"mark diff\">≠ref {}</span>",
            run.vs_reference.len()
        );
    }
    let _ = write!(
        out,
        "<td class=\"{class}\" {attrs}><a href=\"#d-{ci}-{ti}\" data-open=\"d-{ci}-{ti}\" \
         title=\"{} on {}: {}\"><span class=\"word\">{}</span>{marks}</a></td>",
        esc(id),
        esc(&t.name),
        cell_name(run.cell),
        cell_word(run.cell)
    );
}

fn panels(set: &ResultSet, out: &mut String) {
    out.push_str("<div id=\"panels\">\n");
    for (ti, t) in set.targets.iter().enumerate() {
        target_panel(set, t, ti, out);
    }
    for (ci, id) in case_ids(set).iter().enumerate() {
        for (ti, t) in set.targets.iter().enumerate() {
            if let Some(run) = run_of(t, id) {
                case_panel(set, set.case(id), run, t, ci, ti, out);
            }
        }
    }
    out.push_str("</div>\n");
}

fn panel_open(id: &str, label: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "<section class=\"panel\" id=\"{id}\" tabindex=\"-1\" role=\"dialog\" aria-label=\"{}\">\
         <a class=\"close\" href=\"#matrix\" title=\"close (Esc)\">×</a>",
        esc(label)
    );
}

fn target_panel(set: &ResultSet, t: &TargetResults, ti: usize, out: &mut String) {
    panel_open(&format!("t-{ti}"), &t.name, out);
    let _ = write!(
        out,
        "<p class=\"kicker\">target</p><h2>{}{}</h2>\n<dl class=\"facts\">\
         <dt>URL</dt><dd>{}</dd><dt>namespace</dt><dd>{}</dd><dt>duration</dt><dd>{}</dd>\
         <dt>cases run</dt><dd>{}</dd></dl>\n",
        esc(&t.name),
        target_tags(set, t),
        esc(&t.url),
        esc(t.namespace.as_deref().unwrap_or("—")),
        duration(t.duration_ms),
        t.cases.len()
    );
    if let Some(e) = &t.error {
        let _ = write!(
            out,
            "<h3>Could not be run</h3>\n<pre class=\"error\">{}</pre>\n",
            esc(e)
        );
    }
    if !t.cleanup.is_empty() {
        out.push_str("<h3>Cleanup problems</h3>\n<ul>");
        for c in &t.cleanup {
            let _ = write!(out, "<li>{}</li>", esc(c));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn case_panel(
    set: &ResultSet,
    info: Option<&CaseInfo>,
    run: &CaseResult,
    t: &TargetResults,
    ci: usize,
    ti: usize,
    out: &mut String,
) {
    panel_open(
        &format!("d-{ci}-{ti}"),
        &format!("{} on {}", run.id, t.name),
        out,
    );
    let endpoint = info.map_or(String::new(), |c| {
        endpoint_label(&c.endpoint, c.content_type.as_deref())
    });
    let _ = write!(
        out,
        "<p class=\"kicker\">{} · {}</p>\n<h2>{} <span class=\"chip {}\">{}</span></h2>\n",
        esc(&t.name),
        esc(&endpoint),
        esc(&run.id),
        cell_name(run.cell),
        cell_word(run.cell)
    );
    if let Some(info) = info {
        let _ = writeln!(out, "<p class=\"title\">{}</p>", esc(&info.title));
    }
    out.push_str("<dl class=\"facts\">");
    if let Some(s) = run.status {
        let _ = write!(out, "<dt>HTTP status</dt><dd>{s}</dd>");
    }
    let _ = write!(
        out,
        "<dt>duration</dt><dd>{}</dd>",
        duration(run.duration_ms)
    );
    if let Some(info) = info {
        if let Some(doc) = &info.document {
            let at = match info.line {
                Some(l) => format!("{doc}:{l}"),
                None => doc.clone(),
            };
            let _ = write!(out, "<dt>document</dt><dd>{}</dd>", esc(&at));
        }
        if !info.tags.is_empty() {
            let _ = write!(out, "<dt>tags</dt><dd>{}</dd>", esc(&info.tags.join(", ")));
        }
    }
    let _ = write!(out, "<dt>target URL</dt><dd>{}</dd>", esc(&t.url));
    out.push_str("</dl>\n");

    if let Some(e) = &run.error {
        let _ = write!(
            out,
            "<h3>Error</h3>\n<pre class=\"error\">{}</pre>\n",
            esc(&e.message)
        );
    }
    if !run.accepted.is_empty() {
        out.push_str("<h3>Accepted by the baseline</h3>\n<ul class=\"reasons\">");
        for r in &run.accepted {
            let _ = write!(out, "<li>{}</li>", esc(r));
        }
        out.push_str("</ul>\n");
    }
    if !run.mismatches.is_empty() {
        let _ = writeln!(
            out,
            "<h3>Mismatches <span class=\"n\">{}</span></h3>",
            run.mismatches.len()
        );
        for layer in LAYERS {
            let ms: Vec<&Mismatch> = run.mismatches.iter().filter(|m| m.layer == layer).collect();
            if ms.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "<h4 class=\"layer\">{} <span class=\"n\">{}</span></h4>",
                layer_name(layer),
                ms.len()
            );
            diff_table(&ms, ("check", "expected", "actual"), true, out);
        }
    }
    if !run.vs_reference.is_empty() && !is_reference(set, t) {
        let _ = writeln!(
            out,
            "<h3>Differences from the reference <span class=\"tag ref\">{}</span> <span class=\"n\">{}</span></h3>",
            esc(set.reference.as_deref().unwrap_or("")),
            run.vs_reference.len()
        );
        let ms: Vec<&Mismatch> = run.vs_reference.iter().collect();
        diff_table(&ms, ("", "reference", "this target"), false, out);
    }
    if !run.drift.is_empty() {
        let _ = write!(
            out,
            "<h3>Drift <span class=\"n\">{}</span></h3>\n<p class=\"hint\">Documented fields the \
             target does not return as documented: news for the documents, not a failure.</p>\n\
             <table class=\"diff\"><thead><tr><th>JSON Pointer</th><th>documented</th><th>returned</th>\
             <th>why it is drift</th></tr></thead><tbody>\n",
            run.drift.len()
        );
        for d in run.drift.iter().take(MAX_ROWS) {
            let _ = writeln!(
                out,
                "<tr><td><code class=\"ptr\">{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(pointer(&d.path)),
                value(Some(&d.documented)),
                value(d.actual.as_ref()),
                esc(&d.reason)
            );
        }
        more(run.drift.len(), 4, out);
        out.push_str("</tbody></table>\n");
    }
    if let Some(p) = &run.pending_snapshot {
        let _ = write!(
            out,
            "<h3>Snapshot</h3>\n<p>New snapshot pending review: <code>{}</code></p>\n",
            esc(p)
        );
    }
    let reference = set
        .reference
        .as_deref()
        .filter(|r| *r != t.name)
        .and_then(|r| set.targets.iter().position(|x| x.name == r));
    let same = reference.and_then(|ri| {
        let theirs = run_of(&set.targets[ri], &run.id)?.answer.as_ref()?;
        (Some(theirs.as_str()) == run.answer.as_ref().map(|a| a.as_str())).then_some(ri)
    });
    if let Some(ri) = same {
        // The page would hold the same answer twice: link to the reference's.
        let _ = writeln!(
            out,
            "<p class=\"answer same\">Normalized answer: the same as the reference's \
             (<a href=\"#d-{ci}-{ri}\" data-open=\"d-{ci}-{ri}\">open it</a>).</p>"
        );
    } else if let Some(answer) = &run.answer {
        let pretty = serde_json::to_string_pretty(&answer.value()).unwrap_or_default();
        let _ = writeln!(
            out,
            "<details class=\"answer\"><summary>Normalized answer</summary><pre>{}</pre></details>",
            esc(&short(&pretty, ANSWER))
        );
    }
    if run.cell == Cell::Passed
        && run.drift.is_empty()
        && (run.vs_reference.is_empty() || is_reference(set, t))
    {
        out.push_str("<p class=\"ok\">Every expectation holds.</p>\n");
    }
    out.push_str("</section>\n");
}

/// Rows of pointer, check (if `with_check`), expected, actual.
fn diff_table(
    ms: &[&Mismatch],
    (check, expected, actual): (&str, &str, &str),
    with_check: bool,
    out: &mut String,
) {
    out.push_str("<table class=\"diff\"><thead><tr><th>JSON Pointer</th>");
    if with_check {
        let _ = write!(out, "<th>{check}</th>");
    }
    let _ = writeln!(
        out,
        "<th>{expected}</th><th>{actual}</th></tr></thead><tbody>"
    );
    for m in ms.iter().take(MAX_ROWS) {
        let _ = write!(
            out,
            "<tr><td><code class=\"ptr\">{}</code></td>",
            esc(pointer(&m.path))
        );
        if with_check {
            let _ = write!(out, "<td>{}</td>", esc(&m.check));
        }
        let _ = writeln!(
            out,
            "<td class=\"exp\">{}</td><td class=\"act\">{}</td></tr>",
            value(m.expected.as_ref()),
            value(m.actual.as_ref())
        );
    }
    more(ms.len(), if with_check { 4 } else { 3 }, out);
    out.push_str("</tbody></table>\n");
}

fn more(n: usize, columns: usize, out: &mut String) {
    if n > MAX_ROWS {
        let _ = writeln!(
            out,
            "<tr><td colspan=\"{columns}\" class=\"more\">… and {} more (see the JSON report)</td></tr>",
            n - MAX_ROWS
        );
    }
}

/// A value as pretty JSON in a `<pre>`; `absent` when there is none.
fn value(v: Option<&Value>) -> String {
    match v {
        None => "<span class=\"absent\">absent</span>".to_string(),
        Some(v) => {
            let text = match v {
                Value::Object(_) | Value::Array(_) => {
                    serde_json::to_string_pretty(v).unwrap_or_default()
                }
                v => v.to_string(),
            };
            format!("<pre>{}</pre>", esc(&short(&text, VALUE)))
        }
    }
}

/// Standard base64 with padding (for the script's CSP hash).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn base64_of_a_sha256_is_the_csp_form() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        // echo -n abc | openssl dgst -sha256 -binary | base64
        assert_eq!(
            base64(&Sha256::digest(b"abc")),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    #[test]
    fn the_script_contains_no_closing_tag() {
        assert!(!SCRIPT.contains("</"));
        assert!(!CSS.contains("</"));
    }
}
