//! The coverage, the score and the cells `not_served` and `skipped` in every report, on a
//! hand-built set: core Pods and apps Deployments (one in the retired `apps/v1beta1`), on a
//! reference and on a vendor that does not serve one endpoint and skips an unconfined case.

use apiconform::report::{html, json, junit, markdown, terminal};
use apiconform::results::baseline::Applied;
use apiconform::results::coverage::Tally;
use apiconform::results::{
    CaseError, CaseInfo, CaseResult, Cell, Coverage, ErrorKind, ResultSet, SCHEMA_VERSION,
    TargetResults,
};

const NS: &str = "/api/v1/namespaces/{namespace}";
const APPS: &str = "/apis/apps/v1/namespaces/{namespace}";

fn info(id: &str, method: &str, path: &str, line: u32) -> CaseInfo {
    let mut c = CaseInfo::new(id, &format!("{method} {path}"), method, path, false);
    c.document = Some("docs/ref.md".into());
    c.line = Some(line);
    c
}

fn run(id: &str, cell: Cell) -> CaseResult {
    let mut r = CaseResult::new(id, cell);
    match cell {
        Cell::NotServed => r.status = Some(404),
        Cell::Skipped => {
            r.error = Some(CaseError::new(
                ErrorKind::Case,
                "skipped: it cannot be confined to the run's own objects (deletes every pod); \
                 --allow-unconfined runs it",
            ))
        }
        Cell::Accepted => r.accepted = vec!["known (ticket 7)".into()],
        _ => r.status = Some(200),
    }
    r
}

fn set() -> ResultSet {
    let cases = vec![
        info("get-pod", "GET", &format!("{NS}/pods/{{name}}"), 10),
        info("list-pods", "GET", &format!("{NS}/pods"), 20),
        info("delete-pods", "DELETE", &format!("{NS}/pods"), 30),
        info(
            "get-deploy",
            "GET",
            &format!("{APPS}/deployments/{{name}}"),
            40,
        ),
        info(
            "scale-deploy",
            "PUT",
            &format!("{APPS}/deployments/{{name}}/scale"),
            50,
        ),
        info(
            "old-deploy",
            "GET",
            "/apis/apps/v1beta1/namespaces/{namespace}/deployments/{name}",
            60,
        ),
    ];
    let reference = vec![
        run("get-pod", Cell::Passed),
        run("list-pods", Cell::Passed),
        run("delete-pods", Cell::Passed),
        run("get-deploy", Cell::Passed),
        run("scale-deploy", Cell::Passed),
        run("old-deploy", Cell::NotServed),
    ];
    let vendor = vec![
        run("get-pod", Cell::Accepted),
        run("list-pods", Cell::Failed),
        run("delete-pods", Cell::Skipped),
        run("get-deploy", Cell::Passed),
        run("scale-deploy", Cell::NotServed),
        run("old-deploy", Cell::NotServed),
    ];
    ResultSet {
        schema_version: SCHEMA_VERSION,
        tool: "apiconform 0.1.0".into(),
        started_at: "2026-12-02T10:00:00Z".into(),
        duration_ms: 1000,
        reference: Some("reference".into()),
        cases,
        targets: vec![
            TargetResults::new("reference", "http://127.0.0.1:1", reference),
            TargetResults::new("vendor", "https://vendor.example", vendor),
        ],
    }
}

#[test]
fn the_coverage_of_a_hand_built_set() {
    let c = Coverage::of(&set());
    assert_eq!(c.operations, 6);
    let labels: Vec<(String, Vec<String>)> = c
        .groups
        .iter()
        .map(|g| (g.group.clone(), g.kinds.iter().map(|k| k.label()).collect()))
        .collect();
    assert_eq!(
        labels,
        [
            ("core".to_string(), vec!["Pod (v1)".to_string()]),
            (
                "apps".to_string(),
                vec![
                    "Deployment (apps/v1)".to_string(),
                    "Deployment (apps/v1beta1, retired)".to_string()
                ]
            ),
        ]
    );
    let pod = &c.groups[0].kinds[0];
    assert_eq!(pod.verbs, ["get", "list", "deletecollection"]);
    assert_eq!(
        pod.tallies[1],
        Tally {
            accepted: 1,
            failed: 1,
            skipped: 1,
            ..Tally::default()
        }
    );
    assert_eq!(c.groups[1].kinds[0].verbs, ["get", "update scale"]);
    assert_eq!(c.groups[1].tallies[1].not_served, 2);
    let [r, v] = &c.scores[..] else { panic!() };
    assert_eq!((r.holds, r.operations, r.percent()), (5, 6, 83));
    assert_eq!((v.holds, v.tally.passed, v.tally.accepted), (2, 1, 1));
    assert_eq!(
        (v.tally.not_served, v.tally.skipped, v.tally.failed),
        (2, 1, 1)
    );
    assert_eq!(v.headline(), "docs vs vendor: 2 of 6 operations hold (33%)");
    assert_eq!(
        v.details(),
        "1 passed + 1 accepted; not holding: 1 failed, 0 unsupported, 0 errors; not served 2, skipped 1"
    );
}

#[test]
fn the_terminal_shows_the_new_cells_the_coverage_and_the_score() {
    let s = set();
    let vendor = &s.targets[1];
    let line = |id: &str| {
        let r = vendor.cases.iter().find(|r| r.id == id).unwrap();
        terminal::case(r, "t")
    };
    assert!(
        line("scale-deploy").starts_with("NOT SERVED scale-deploy"),
        "{}",
        line("scale-deploy")
    );
    assert!(
        line("delete-pods")
            .starts_with("SKIP  delete-pods — t\n      skipped: it cannot be confined")
    );
    let summary = terminal::summary(&s, &Applied::default(), true);
    assert!(
        summary.contains("coverage: 6 documented operations in 2 groups and 3 kinds"),
        "{summary}"
    );
    let row = |label: &str| {
        summary
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label:?} in {summary}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(row("core"), "core 3 3/3 1/3 A1 F1 S1");
    assert_eq!(
        row("  Deployment (apps/v1)"),
        "Deployment (apps/v1) 2 2/2 1/2 N1"
    );
    assert_eq!(
        row("  Deployment (apps/v1beta1, retired)"),
        "Deployment (apps/v1beta1, retired) 1 0/1 N1 0/1 N1"
    );
    assert!(summary.contains("vendor               1 passed, 1 failed, 1 accepted by the baseline, 2 not served, 1 skipped"), "{summary}");
    assert!(summary.contains(
        "docs vs vendor: 2 of 6 operations hold (33%) — 1 passed + 1 accepted; not holding: 1 failed, 0 unsupported, 0 errors; not served 2, skipped 1"
    ), "{summary}");
    // The cases that do not hold are listed once more, per target, before the coverage.
    let listed = summary
        .split("\nnot holding on vendor:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no list of failures in {summary}"));
    assert!(listed.starts_with("  FAIL  list-pods"), "{summary}");
    assert!(!summary.contains("not holding on reference"), "{summary}");
}

#[test]
fn markdown_shows_the_new_cells_the_coverage_and_the_score() {
    let md = markdown::render(&set());
    assert!(
        md.contains("- **docs vs vendor: 2 of 6 operations hold (33%)** — "),
        "{md}"
    );
    assert!(
        md.contains("| vendor | 2 | 6 | 33% | 1 | 1 | 1 | 0 | 0 | 2 | 1 | 0 |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| **core** | | **3** | **3/3** | **1/3 · 1 accepted · 1 failed · 1 skipped** |"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "| | Deployment (apps/v1beta1, retired) | 1 | 0/1 · 1 not served | 0/1 · 1 not served |"
        ),
        "{md}"
    );
    // One section per kind, open where something does not hold.
    assert_eq!(md.matches("<details open>").count(), 3);
    assert!(md.contains("<summary><b>apps · Deployment (apps/v1)</b> — 2 cases · reference 2/2 · vendor 1/2</summary>"), "{md}");
    assert!(
        md.contains("| `scale-deploy` | `PUT deployments/{name}/scale` | pass | *not served* |"),
        "{md}"
    );
    assert!(
        md.contains("| `delete-pods` | `DELETE pods` | pass | skipped |"),
        "{md}"
    );
    assert!(md.contains("- **vendor** does not serve 2 documented operations: Deployment (apps/v1) ×1, Deployment (apps/v1beta1, retired) ×1"), "{md}");
    assert!(
        md.contains("- **vendor** skipped 1: `delete-pods` (skipped: it cannot be confined"),
        "{md}"
    );
    // Not served and skipped are not failures: not in the list of cells that did not pass.
    let failing = md.split("### Cells that did not pass").nth(1).unwrap();
    let failing = failing.split("###").next().unwrap();
    assert!(
        failing.contains("`list-pods`")
            && !failing.contains("scale-deploy")
            && !failing.contains("delete-pods"),
        "{failing}"
    );
}

#[test]
fn html_shows_the_new_cells_the_coverage_and_the_score() {
    let page = html::render(&set());
    assert!(page.contains("docs vs vendor: 2 of 6 operations hold (33%)"));
    for (case, class) in [
        ("scale-deploy", "cell not_served"),
        ("delete-pods", "cell skipped"),
        ("get-pod", "cell accepted"),
    ] {
        let needle = format!("<td class=\"{class}\" data-case=\"{case}\" data-target=\"vendor\">");
        assert!(page.contains(&needle), "{needle}");
    }
    assert!(page.contains("<span class=\"chip not_served\">not served</span>"));
    assert!(page.contains("<span class=\"chip skipped\">skipped</span>"));
    assert!(page.contains("<span class=\"sw not_served\"></span>not served"));
    assert!(page.contains("<td class=\"num not_served\">2</td><td class=\"num skipped\">1</td>"));
    // Sections per group and kind, each with its endpoints.
    let sections: Vec<&str> = page
        .match_indices("<tbody class=\"sec")
        .map(|(i, _)| {
            let tag = &page[i..i + page[i..].find('>').unwrap()];
            let kind = tag.split("data-kind=\"").nth(1).unwrap();
            &kind[..kind.find('"').unwrap()]
        })
        .collect();
    assert_eq!(sections, ["Pod", "Deployment", "Deployment"]);
    let s1 = &page[page.find("id=\"s-1\"").unwrap()..page.find("id=\"s-2\"").unwrap()];
    assert!(s1.contains("scope=\"rowgroup\">GET deployments/{name} <span"));
    assert!(s1.contains("scope=\"rowgroup\">PUT deployments/{name}/scale <span"));
    assert!(
        s1.contains(
            "<span class=\"sc some\" title=\"vendor: 1 passed, 1 not served\">vendor 1/2</span>"
        ),
        "{s1}"
    );
    // The coverage table links each kind to its section.
    assert!(
        page.contains("<a href=\"#s-2\" data-sec=\"s-2\">Deployment (apps/v1beta1, retired)</a>")
    );
    // The filter searches id, kind, verb and every target's cell.
    assert!(page.contains(
        "data-s=\"id:scale-deploy group:apps kind:deployment version:apps/v1 verb:update_scale"
    ));
    assert!(page.contains("cell:not_served vendor:not_served"));
}

#[test]
fn junit_and_json_show_the_new_cells_and_the_score() {
    let s = set();
    let xml = junit::render(&s, "vendor").unwrap();
    assert_eq!(
        xml.matches("<skipped message=\"not served: ").count(),
        2,
        "{xml}"
    );
    assert_eq!(xml.matches("type=\"not_served\"/>").count(), 2, "{xml}");
    assert!(
        xml.contains("<skipped message=\"skipped: it cannot be confined"),
        "{xml}"
    );
    assert!(
        xml.contains("--allow-unconfined runs it\" type=\"skipped\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains(
            "name=\"apiconform.score\" value=\"docs vs vendor: 2 of 6 operations hold (33%)\""
        ),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"apiconform.kind\" value=\"Deployment\""),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"apiconform.verb\" value=\"update scale\""),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"apiconform.api_group\" value=\"core\""),
        "{xml}"
    );

    let text = json::to_string(&s);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["targets"][1]["counts"]["not_served"], 2);
    assert_eq!(v["targets"][1]["counts"]["skipped"], 1);
    assert_eq!(v["coverage"]["scores"][1]["holds"], 2);
    assert_eq!(v["coverage"]["groups"][1]["kinds"][1]["retired"], true);
    assert_eq!(v["cases"][4]["verb"], "update scale");
    assert_eq!(v["cases"][5]["retired"], true);
    assert_eq!(json::from_str(&text).unwrap(), s);
}

#[test]
fn a_file_without_the_new_fields_reads_and_renders() {
    // A schema_version 2 file from before the operation fields, the coverage and the new counts.
    let mut v: serde_json::Value = serde_json::from_str(&json::to_string(&set())).unwrap();
    v.as_object_mut().unwrap().remove("coverage");
    for c in v["cases"].as_array_mut().unwrap() {
        for f in [
            "group", "version", "kind", "resource", "verb", "path", "retired",
        ] {
            c.as_object_mut().unwrap().remove(f);
        }
    }
    for t in v["targets"].as_array_mut().unwrap() {
        t["counts"].as_object_mut().unwrap().remove("not_served");
        t["counts"].as_object_mut().unwrap().remove("skipped");
    }
    let old = json::from_str(&v.to_string()).unwrap();
    assert_eq!(old.cases[0].kind, None);
    // Grouped from the endpoints through the kind table (the version unknown: the served one).
    let c = Coverage::of(&old);
    let labels: Vec<String> = c
        .groups
        .iter()
        .flat_map(|g| g.kinds.iter().map(|k| k.label()))
        .collect();
    assert_eq!(labels, ["Pod (v1)", "Deployment (apps/v1)"]);
    assert_eq!(c.scores[1].holds, 2);
    assert!(markdown::render(&old).contains("**docs vs vendor: 2 of 6 operations hold (33%)**"));
    assert!(html::render(&old).contains("docs vs vendor: 2 of 6 operations hold (33%)"));
}
