//! The reports of the whole reference: 300 cases × 3 targets (the synthetic set). The renders are
//! left in `target/tmp/synthetic-300/` for a look.

use super::synthetic;
use apiconform::report::{drift, html, json, junit, markdown, terminal};
use apiconform::results::Coverage;
use apiconform::results::baseline::Applied;
use std::path::{Path, PathBuf};

/// Writes every report of the synthetic set into `target/tmp/synthetic-300/`.
pub fn write_all() -> PathBuf {
    let set = synthetic::set(300);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("synthetic-300");
    std::fs::create_dir_all(&dir).unwrap();
    let summary = terminal::summary(&set, &Applied::default(), false);
    std::fs::write(dir.join("terminal.txt"), &summary).unwrap();
    markdown::write(&set, &dir.join("summary.md")).unwrap();
    std::fs::write(
        dir.join("drift-vendor-b.md"),
        drift::render(&set, "vendor-b"),
    )
    .unwrap();
    junit::write(&set, "vendor-b", &dir.join("junit-vendor-b.xml")).unwrap();
    json::write(&set, &dir.join("results.json")).unwrap();
    html::write(&set, &dir.join("report.html")).unwrap();
    dir
}

#[test]
fn the_synthetic_set_is_the_whole_reference() {
    let set = synthetic::set(300);
    assert_eq!(set.cases.len(), 300);
    assert_eq!(set.targets.len(), 3);
    let c = Coverage::of(&set);
    let groups: Vec<&str> = c.groups.iter().map(|g| g.group.as_str()).collect();
    for g in [
        "core",
        "apps",
        "batch",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "discovery",
    ] {
        assert!(groups.contains(&g), "{groups:?}");
    }
    assert!(c.kinds() >= 20, "{}", c.kinds());
    assert!(c.groups.iter().flat_map(|g| &g.kinds).any(|k| k.retired));
    // Every kind of cell occurs.
    let sum = |f: fn(&apiconform::results::coverage::Tally) -> usize| -> usize {
        c.scores.iter().map(|s| f(&s.tally)).sum()
    };
    for (what, n) in [
        ("passed", sum(|t| t.passed)),
        ("accepted", sum(|t| t.accepted)),
        ("failed", sum(|t| t.failed)),
        ("unsupported", sum(|t| t.unsupported)),
        ("errors", sum(|t| t.errors)),
        ("not served", sum(|t| t.not_served)),
        ("skipped", sum(|t| t.skipped)),
    ] {
        assert!(n > 0, "no {what} cell");
    }
}

#[test]
fn the_reports_of_300_cases_on_3_targets() {
    let dir = write_all();
    let set = synthetic::set(300);
    let c = Coverage::of(&set);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();

    // Every report has the score line of every target.
    let terminal = read("terminal.txt");
    let md = read("summary.md");
    let page = read("report.html");
    let xml = read("junit-vendor-b.xml");
    for s in &c.scores {
        let headline = s.headline();
        assert!(headline.starts_with(&format!("docs vs {}: ", s.target)));
        assert!(terminal.contains(&s.line()), "terminal: {headline}");
        assert!(
            md.contains(&format!("**{headline}**")),
            "markdown: {headline}"
        );
        assert!(page.contains(&headline), "html: {headline}");
    }
    assert!(xml.contains(&c.scores[2].headline()), "junit");

    // The page stays usable: under 3 MB, one foldable section per kind, every cell.
    assert!(
        page.len() < 3_000_000,
        "report.html is {} bytes",
        page.len()
    );
    eprintln!("report.html of 300 cases × 3 targets: {} bytes", page.len());
    assert_eq!(page.matches("<tbody class=\"sec").count(), c.kinds());
    assert_eq!(page.matches("<td class=\"cell ").count(), 900);
    assert!(page.contains("<input type=\"search\" id=\"filter\""));
    assert!(page.contains("data-kind=\"Deployment\""));
    let results = read("results.json");
    let v: serde_json::Value = serde_json::from_str(&results).unwrap();
    assert_eq!(v["coverage"]["scores"][2]["holds"], c.scores[2].holds);
    assert_eq!(
        json::from_str(&results).unwrap(),
        set,
        "the coverage is ignored when read"
    );

    // The terminal's coverage table: a line per group and kind, the letters of the cells.
    assert!(terminal.contains("coverage: 300 documented operations in 7 groups and 34 kinds"));
    let row = terminal
        .lines()
        .find(|l| l.starts_with("  Deployment (apps/v1beta1, retired)"))
        .unwrap();
    assert!(row.contains("0/9 N9"), "{row}");
    assert!(terminal.contains("31 not served, 25 skipped"), "{terminal}");

    // Markdown: the coverage table, one collapsible section per kind, under the size limit of
    // a job summary (1 MiB).
    assert!(md.len() < 1024 * 1024, "{}", md.len());
    assert!(md.contains("| | Deployment (apps/v1beta1, retired) | 9 | 0/9 · 9 not served |"));
    assert_eq!(md.matches("<details").count(), c.kinds());
    assert!(md.contains("| `get-apis-apps-v1beta1-deployments-name-245` | `GET deployments/{name}` | *not served* | *not served* | *not served* |"), "{md}");
    assert!(md.contains("- **vendor-b** does not serve 31 documented operations: "));
    assert!(md.contains("- **vendor-b** skipped 25: "));
}
