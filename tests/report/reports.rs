//! The file reports (JSON, JUnit XML, Markdown, HTML) of a result set with three targets: the
//! reference (all pass), `vendor-b` (one cell of every kind, drift, differences from the
//! reference, a `<script>` in an answer) and `broken` (could not be run at all).
//!
//! The set is also checked in as `tests/fixtures/results/three-targets.json` (the browser test
//! reads it); `APICONFORM_UPDATE_FIXTURES=1 cargo test --test report reports::` rewrites it.

use apiconform::report::{html, json, junit, markdown};
use apiconform::results::{
    CaseError, CaseInfo, CaseResult, Cell, Counts, ErrorKind, ResultSet, SCHEMA_VERSION,
    TargetResults,
};
use apiconform::verify::{Drift, Layer, Mismatch};
use quick_xml::events::Event;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const SCRIPT: &str = "<script>alert(1)</script>";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results")
}

/// A case of `METHOD <path after the namespace>` (`GET pods/{name}`) on core v1.
fn case(id: &str, title: &str, endpoint: &str, ct: Option<&str>, line: u32) -> CaseInfo {
    let (method, rest) = endpoint.split_once(' ').unwrap();
    let path = format!("/api/v1/namespaces/{{namespace}}/{rest}");
    let info = CaseInfo {
        tags: vec!["pods".into()],
        document: Some("docs/pods.md".into()),
        line: Some(line),
        content_type: ct.map(Into::into),
        ..CaseInfo::new(id, title, method, &path, false)
    };
    assert_eq!(info.endpoint, endpoint);
    info
}

fn m(
    layer: Layer,
    check: &str,
    path: &str,
    expected: Option<Value>,
    actual: Option<Value>,
) -> Mismatch {
    Mismatch {
        layer,
        check: check.into(),
        path: path.into(),
        expected,
        actual,
    }
}

fn run(id: &str, cell: Cell, status: u16, image: &str) -> CaseResult {
    CaseResult {
        id: id.into(),
        cell,
        duration_ms: 12,
        duration_us: 12_000,
        status: Some(status),
        mismatches: vec![],
        drift: vec![],
        vs_reference: vec![],
        error: None,
        accepted: vec![],
        pending_snapshot: None,
        accepted_snapshot: None,
        cleanup: None,
        answer: Some(
            json!({"status": status, "body": {
                "kind": "Pod",
                "metadata": {"name": "web", "labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image}]}
            }})
            .into(),
        ),
    }
}

const IDS: [&str; 5] = [
    "get-pod",
    "patch-json-patch-image",
    "patch-strategic-merge-containers",
    "patch-merge-labels",
    "put-status",
];

/// The three-target set the reports are checked with.
pub fn fixture() -> ResultSet {
    let cases = vec![
        case(IDS[0], "GET returns the pod", "GET pods/{name}", None, 10),
        case(
            IDS[1],
            "JSON Patch replaces the image",
            "PATCH pods/{name}",
            Some("application/json-patch+json"),
            42,
        ),
        case(
            IDS[2],
            "Strategic merge patch merges containers by name",
            "PATCH pods/{name}",
            Some("application/strategic-merge-patch+json"),
            77,
        ),
        case(
            IDS[3],
            "merge patch | labels",
            "PATCH pods/{name}",
            Some("application/merge-patch+json"),
            90,
        ),
        case(
            IDS[4],
            "PUT status leaves the spec alone",
            "PUT pods/{name}/status",
            None,
            120,
        ),
    ];
    let reference_cases: Vec<CaseResult> = IDS
        .iter()
        .map(|id| run(id, Cell::Passed, 200, "nginx:1.21"))
        .collect();

    let mut get = run(IDS[0], Cell::Passed, 200, "nginx:1.21");
    get.drift.push(Drift {
        path: "/status/qosClass".into(),
        documented: json!("BestEffort"),
        actual: None,
        reason: "environmental field the document shows".into(),
    });
    get.vs_reference.push(m(
        Layer::Reference,
        "reference",
        "/metadata/annotations/a|b",
        None,
        Some(json!("pipe|value")),
    ));

    let mut failed = run(IDS[1], Cell::Failed, 200, "nginx:1.20");
    failed.mismatches = vec![
        m(
            Layer::Semantics,
            "json_patch_applied",
            "/spec/containers/0/image",
            Some(json!("nginx:1.21")),
            Some(json!("nginx:1.20")),
        ),
        m(
            Layer::Document,
            "include",
            "/metadata/annotations/note",
            Some(json!("hello")),
            Some(json!(SCRIPT)),
        ),
    ];
    failed.vs_reference.push(m(
        Layer::Reference,
        "reference",
        "/spec/containers/0/image",
        Some(json!("nginx:1.21")),
        Some(json!("nginx:1.20")),
    ));

    let mut unsupported = run(IDS[2], Cell::Unsupported, 415, "");
    unsupported.answer = Some(
        json!({"status": 415, "body": {
            "kind": "Status", "status": "Failure", "reason": "UnsupportedMediaType", "code": 415
        }})
        .into(),
    );
    unsupported.mismatches = vec![
        m(
            Layer::Protocol,
            "status",
            "",
            Some(json!(200)),
            Some(json!(415)),
        ),
        m(
            Layer::Protocol,
            "kind",
            "/kind",
            Some(json!("Pod")),
            Some(json!("Status")),
        ),
    ];
    unsupported.vs_reference.push(m(
        Layer::Reference,
        "reference_status",
        "",
        Some(json!(200)),
        Some(json!(415)),
    ));

    let mut accepted = run(IDS[3], Cell::Accepted, 200, "nginx:1.21");
    accepted.mismatches = vec![m(
        Layer::Snapshot,
        "snapshot",
        "/metadata/labels/tier",
        None,
        Some(json!("gold")),
    )];
    accepted.accepted = vec!["vendor-b adds a `tier` label to every pod (ticket 12)".into()];
    accepted.pending_snapshot = Some("snapshots/patch-merge-labels.snap.new".into());

    let mut error = run(IDS[4], Cell::Error, 0, "");
    error.status = None;
    error.answer = None;
    error.error = Some(CaseError::new(
        ErrorKind::Transport,
        "connection reset by peer | while reading the answer",
    ));

    let vendor_cases = vec![get, failed, unsupported, accepted, error];
    let target =
        |name: &str, url: &str, cases: Vec<CaseResult>, error: Option<&str>| TargetResults {
            name: name.into(),
            url: url.into(),
            namespace: error.is_none().then(|| format!("apiconform-{name}")),
            error: error.map(Into::into),
            cleanup: vec![],
            duration_ms: 840,
            counts: Counts::of(&cases),
            cases,
        };
    ResultSet {
        schema_version: SCHEMA_VERSION,
        tool: "apiconform 0.1.0".into(),
        started_at: "2026-11-22T10:00:00Z".into(),
        duration_ms: 2400,
        reference: Some("reference".into()),
        cases,
        targets: vec![
            target("reference", "http://127.0.0.1:40123", reference_cases, None),
            target(
                "vendor-b",
                "https://vendor-b.example:6443",
                vendor_cases,
                None,
            ),
            target(
                "broken",
                "https://10.0.0.9:6443",
                vec![],
                Some("cannot reach https://10.0.0.9:6443: connection refused"),
            ),
        ],
    }
}

#[test]
fn the_checked_in_fixture_is_the_fixture() {
    let path = fixtures().join("three-targets.json");
    let set = fixture();
    if std::env::var_os("APICONFORM_UPDATE_FIXTURES").is_some() {
        json::write(&set, &path).unwrap();
    }
    // The stable schema: the same set serializes to the same bytes as when the file was written.
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        json::to_string(&set),
        "rewrite with APICONFORM_UPDATE_FIXTURES=1"
    );
    assert_eq!(json::read(&path).unwrap(), set);
}

#[test]
fn json_round_trips_through_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    let set = fixture();
    json::write(&set, &path).unwrap();
    assert_eq!(json::read(&path).unwrap(), set);
    // Pretty, with the schema version first.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("{\n  \"schema_version\": 2,\n"), "{text}");
    // Overwriting leaves exactly the one file.
    json::write(&set, &path).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn json_read_explains_what_is_wrong() {
    let err = |name: &str| json::read(&fixtures().join(name)).unwrap_err().to_string();
    let e = err("schema-v3.json");
    assert!(
        e.contains("schema_version 3") && e.contains("reads schema_version 2"),
        "{e}"
    );
    assert!(e.contains("schema-v3.json"), "{e}");
    let e = err("broken.json");
    assert!(
        e.contains("broken.json is not valid JSON") && e.contains("line"),
        "{e}"
    );
    let e = err("not-results.json");
    assert!(e.contains("not an apiconform result set"), "{e}");
    let e = err("missing.json");
    assert!(
        e.starts_with("cannot read") && e.contains("missing.json"),
        "{e}"
    );
    // Right version, wrong shape: names the field.
    let e = json::from_str(r#"{"schema_version": 2, "tool": 3}"#)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("does not match results schema_version 2") && e.contains("line 1 column 31"),
        "{e}"
    );
}

/// Per `<testsuite>`: its attributes and, per `<testcase>`, its name, classname and the name of
/// its first child element that says how it ended (`failure`, `error`, `skipped`) with its type
/// and message.
#[derive(Debug, Default)]
struct Suite {
    attrs: Vec<(String, String)>,
    cases: Vec<Case>,
}

#[derive(Debug, Default)]
struct Case {
    name: String,
    classname: String,
    outcome: Option<(String, String, String)>,
    properties: Vec<(String, String)>,
}

impl Suite {
    fn attr(&self, k: &str) -> &str {
        &self.attrs.iter().find(|(n, _)| n == k).unwrap().1
    }
    fn case(&self, name: &str) -> &Case {
        self.cases.iter().find(|c| c.name == name).unwrap()
    }
}

fn attrs(e: &quick_xml::events::BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .map(|a| {
            let a = a.unwrap();
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect()
}

fn parse_junit(xml: &str) -> Vec<Suite> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites: Vec<Suite> = vec![];
    let mut depth = 0;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
            let a = attrs(&e);
            let get = |k: &str| {
                a.iter()
                    .find(|(n, _)| n == k)
                    .map_or(String::new(), |(_, v)| v.clone())
            };
            match name.as_str() {
                "testsuite" => suites.push(Suite {
                    attrs: a.clone(),
                    cases: vec![],
                }),
                "testcase" => suites.last_mut().unwrap().cases.push(Case {
                    name: get("name"),
                    classname: get("classname"),
                    ..Case::default()
                }),
                "failure" | "error" | "skipped" => {
                    let c = suites.last_mut().unwrap().cases.last_mut().unwrap();
                    assert!(c.outcome.is_none(), "one outcome per test case");
                    c.outcome = Some((name.clone(), get("type"), get("message")));
                }
                "property" => {
                    if let Some(c) = suites.last_mut().and_then(|s| s.cases.last_mut()) {
                        c.properties.push((get("name"), get("value")));
                    }
                }
                _ => {}
            }
            if !empty {
                depth += 1;
            }
        }
        match event {
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0);
    suites
}

#[test]
fn junit_has_one_suite_per_target_and_one_case_per_case() {
    let set = fixture();

    let suites = parse_junit(&junit::render(&set, "reference").unwrap());
    assert_eq!(suites.len(), 1);
    let s = &suites[0];
    assert_eq!(s.attr("name"), "reference");
    assert_eq!(
        (s.attr("tests"), s.attr("failures"), s.attr("errors")),
        ("5", "0", "0")
    );
    assert!(s.cases.iter().all(|c| c.outcome.is_none()));
    let names: Vec<_> = s.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, IDS);
    assert_eq!(s.case("put-status").classname, "PUT pods/{name}/status");

    let suites = parse_junit(&junit::render(&set, "vendor-b").unwrap());
    let s = &suites[0];
    // failed + unsupported are failures; the error cell is an error; accepted passes.
    assert_eq!(
        (s.attr("tests"), s.attr("failures"), s.attr("errors")),
        ("5", "2", "1")
    );
    let failed = s.case("patch-json-patch-image");
    assert_eq!(failed.classname, "PATCH pods/{name}");
    let (kind, ty, message) = failed.outcome.clone().unwrap();
    assert_eq!((kind.as_str(), ty.as_str()), ("failure", "failed"));
    assert_eq!(
        message,
        "2 mismatches; first: [semantics] json_patch_applied at /spec/containers/0/image: \
         expected \"nginx:1.21\", actual \"nginx:1.20\""
    );
    let (kind, ty, message) = s
        .case("patch-strategic-merge-containers")
        .outcome
        .clone()
        .unwrap();
    assert_eq!((kind.as_str(), ty.as_str()), ("failure", "unsupported"));
    assert!(message.contains("HTTP 415"), "{message}");
    let (kind, _, message) = s.case("put-status").outcome.clone().unwrap();
    assert_eq!(kind, "error");
    assert!(message.contains("connection reset by peer"));
    let accepted = s.case("patch-merge-labels");
    assert!(accepted.outcome.is_none());
    assert!(
        accepted
            .properties
            .contains(&("apiconform.cell".into(), "accepted".into()))
    );
    assert!(
        accepted
            .properties
            .iter()
            .any(|(k, v)| k == "apiconform.accepted" && v.contains("ticket 12"))
    );
    let get = s.case("get-pod");
    assert!(
        get.properties
            .contains(&("apiconform.drift".into(), "1".into()))
    );

    // A target that could not be run: every case is an error naming why.
    let suites = parse_junit(&junit::render(&set, "broken").unwrap());
    let s = &suites[0];
    assert_eq!(
        (s.attr("tests"), s.attr("failures"), s.attr("errors")),
        ("5", "0", "5")
    );
    let (kind, ty, message) = s.case("get-pod").outcome.clone().unwrap();
    assert_eq!((kind.as_str(), ty.as_str()), ("error", "target"));
    assert!(message.contains("connection refused"));

    // All targets in one report.
    let all = parse_junit(&junit::render_all(&set).unwrap());
    let names: Vec<_> = all.iter().map(|s| s.attr("name").to_string()).collect();
    assert_eq!(names, ["reference", "vendor-b", "broken"]);

    let e = junit::render(&set, "nope").unwrap_err().to_string();
    assert_eq!(
        e,
        "no target named \"nope\" in the results (targets: reference, vendor-b, broken)"
    );
}

#[test]
fn junit_escapes_what_servers_send() {
    let xml = junit::render(&fixture(), "vendor-b").unwrap();
    assert!(!xml.contains(SCRIPT));
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// The cells of a Markdown table row (split at unescaped `|`).
fn md_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for ch in line
        .trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .chars()
    {
        if ch == '|' && !escaped {
            cells.push(String::new());
        } else {
            cells.last_mut().unwrap().push(ch);
        }
        escaped = ch == '\\' && !escaped;
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

#[test]
fn markdown_has_the_counts_the_matrix_and_the_mismatches() {
    let md = markdown::render(&fixture());
    // Every table keeps its column count: values with `|` are escaped.
    let mut columns = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = md_cells(line).len();
            assert_eq!(*columns.get_or_insert(n), n, "row breaks its table: {line}");
        } else {
            columns = None;
        }
    }
    let row = |first: &str| -> Vec<String> {
        let line = md
            .lines()
            .find(|l| l.starts_with('|') && md_cells(l)[0] == first)
            .unwrap_or_else(|| panic!("no row {first} in\n{md}"));
        md_cells(line)
    };
    assert_eq!(row("vendor-b")[2..], ["1", "1", "1", "1", "1", "1"]);
    assert_eq!(
        row("reference (reference)")[2..],
        ["5", "0", "0", "0", "0", "0"]
    );
    assert_eq!(
        row("`get-pod`")[2..],
        ["pass", "pass · drift 1", "not run (target error)"]
    );
    assert_eq!(row("`patch-json-patch-image`")[2..4], ["pass", "**FAIL**"]);
    assert_eq!(row("`patch-strategic-merge-containers`")[3], "unsupported");
    assert_eq!(row("`patch-merge-labels`")[3], "accepted");
    assert_eq!(row("`put-status`")[3], "error");
    assert!(md.contains(
        "  - semantics json\\_patch\\_applied at `/spec/containers/0/image`: expected `\"nginx:1.21\"`, actual `\"nginx:1.20\"`"
    ), "{md}");
    // A server's markup stays inside a code span.
    assert!(md.contains(&format!("actual `\"{SCRIPT}\"`")));
    assert_eq!(md.matches(SCRIPT).count(), 1);
    assert!(md.contains(
        "**broken** could not be run: cannot reach https://10.0.0.9:6443: connection refused"
    ));
    // Differences from the reference: cases, total, pointers (the `|` in a pointer escaped).
    let diff = row("vendor-b");
    assert_eq!(diff.len(), 8);
    let vs = md
        .lines()
        .rfind(|l| l.starts_with("| vendor-b"))
        .map(md_cells)
        .unwrap();
    assert_eq!(vs[1..3], ["3", "3"]);
    assert!(vs[3].contains("`/metadata/annotations/a\\|b` ×1"), "{vs:?}");
    assert!(md.contains("| broken | — | — | could not be run |"));
}

/// One element's attribute in an HTML string, found by a unique marker before it.
fn cell_class(html: &str, case: &str, target: &str) -> String {
    let needle = format!("data-case=\"{case}\" data-target=\"{target}\"");
    let at = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no cell {case} × {target}"));
    assert_eq!(html.matches(&needle).count(), 1);
    let start = html[..at].rfind("<td class=\"").unwrap() + "<td class=\"".len();
    html[start..at].trim_end().trim_end_matches('"').to_string()
}

#[test]
fn html_has_every_cell_with_its_class() {
    let html = html::render(&fixture());
    let expected = [
        (
            "get-pod",
            ["cell passed", "cell passed drift differs", "cell notrun"],
        ),
        (
            "patch-json-patch-image",
            ["cell passed", "cell failed differs", "cell notrun"],
        ),
        (
            "patch-strategic-merge-containers",
            ["cell passed", "cell unsupported differs", "cell notrun"],
        ),
        (
            "patch-merge-labels",
            ["cell passed", "cell accepted", "cell notrun"],
        ),
        ("put-status", ["cell passed", "cell error", "cell notrun"]),
    ];
    for (case, classes) in expected {
        for (target, class) in ["reference", "vendor-b", "broken"].iter().zip(classes) {
            assert_eq!(cell_class(&html, case, target), class, "{case} × {target}");
        }
    }
    // Rows grouped by endpoint, in the order endpoints first appear.
    let groups: Vec<_> = html
        .match_indices("scope=\"rowgroup\">")
        .map(|(i, s)| html[i + s.len()..].split(" <span").next().unwrap())
        .collect();
    assert_eq!(
        groups,
        [
            "GET pods/{name}",
            "PATCH pods/{name}",
            "PUT pods/{name}/status"
        ]
    );
    // Each cell opens its panel, with the diff by layer, the reference diff and the drift.
    let panel = |id: &str| {
        let start = html
            .find(&format!("<section class=\"panel\" id=\"{id}\""))
            .unwrap();
        let end = start + html[start..].find("</section>").unwrap();
        html[start..end].to_string()
    };
    assert!(html.contains("href=\"#d-1-1\" data-open=\"d-1-1\""));
    let failed = panel("d-1-1");
    assert!(failed.contains("<h4 class=\"layer\">semantics <span class=\"n\">1</span></h4>"));
    assert!(failed.contains("<h4 class=\"layer\">document <span class=\"n\">1</span></h4>"));
    assert!(failed.contains("<code class=\"ptr\">/spec/containers/0/image</code>"));
    assert!(failed.contains("<pre>&quot;nginx:1.21&quot;</pre>"));
    assert!(failed.contains("Differences from the reference"));
    let get = panel("d-0-1");
    assert!(get.contains("Drift") && get.contains("/status/qosClass"));
    assert!(panel("d-4-1").contains("connection reset by peer"));
    assert!(panel("t-2").contains("connection refused"));
    // The header and the charts.
    assert!(html.contains("<dt>reference target</dt><dd><span class=\"tag ref\">reference</span>"));
    assert!(html.contains("<dt>started</dt><dd>2026-11-22T10:00:00Z</dd>"));
    assert!(html.contains(">100% passed</text>") && html.contains(">20% passed</text>"));
    assert!(html.contains(">PATCH pods/{name} (strategic-merge-patch)</text>"));
}

#[test]
fn html_escapes_what_servers_send() {
    let html = html::render(&fixture());
    assert!(!html.contains(SCRIPT));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The only script is the report's own.
    assert_eq!(html.matches("<script").count(), 1);
    // A value breaking out of an attribute is escaped too.
    let mut set = fixture();
    set.targets[1].name = "x\" onmouseover=\"alert(1)".into();
    set.cases[0].id = "<img src=x onerror=alert(1)>".into();
    set.targets[0].cases[0].id = set.cases[0].id.clone();
    let html = html::render(&set);
    assert!(!html.contains("\" onmouseover=\"") && !html.contains("<img"));
}

#[test]
fn html_loads_nothing_from_outside() {
    let html = html::render(&fixture());
    // The target URLs are shown as text …
    assert!(html.contains("https://vendor-b.example:6443"));
    // … but nothing is loaded or linked: every href is a fragment, no src, no url(), no import.
    for (i, _) in html.match_indices("href=") {
        let v = &html[i + 5..];
        assert!(
            v.starts_with("\"#"),
            "external link: {}",
            &v[..60.min(v.len())]
        );
    }
    for forbidden in [
        "src=", "url(", "@import", "srcset", "<link", "<iframe", "<object", "<embed",
    ] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    assert!(html.contains("content=\"default-src 'none';"));
}

/// The alphanumeric words of at least 6 characters.
fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 6 && !w.chars().all(|c| c.is_ascii_digit()))
        .collect()
}

#[test]
fn reports_contain_only_what_the_set_contains() {
    // A token anywhere in the process (as a run would have it) never reaches a report: every word
    // of a report is in the set's JSON, in the report code, or XML vocabulary.
    let set = fixture();
    let from_set = json::to_string(&set);
    let code = [
        include_str!("../../src/report/html.rs"),
        include_str!("../../src/report/html.css"),
        include_str!("../../src/report/html.js"),
        include_str!("../../src/report/markdown.rs"),
        include_str!("../../src/report/junit.rs"),
        include_str!("../../src/report/common.rs"),
        include_str!("../../src/results/coverage.rs"),
    ]
    .concat();
    let vocabulary = [
        "testsuites",
        "testsuite",
        "testcase",
        "classname",
        "properties",
        "property",
        "timestamp",
        "encoding",
        "system",
        "failure",
        "errors",
        "skipped",
        "failures",
        "message",
        "apiconform",
        "version",
    ];
    // The script's hash in the Content-Security-Policy is the only word made up by the renderer.
    let html = html::render(&set);
    let hash_at = html.find("'sha256-").unwrap() + "'sha256-".len();
    let hash_end = hash_at + html[hash_at..].find('\'').unwrap();
    let html = format!("{}{}", &html[..hash_at], &html[hash_end..]);
    for (name, report) in [
        ("html", html),
        ("markdown", markdown::render(&set)),
        ("junit", junit::render_all(&set).unwrap()),
    ] {
        for w in words(&report) {
            assert!(
                from_set.contains(w) || code.contains(w) || vocabulary.contains(&w),
                "{name} report has {w:?}, which is not in the result set"
            );
        }
    }
}

/// The three renders of a set.
fn renders(set: &ResultSet) -> [(&'static str, String); 3] {
    [
        ("html", html::render(set)),
        ("markdown", markdown::render(set)),
        ("junit", junit::render_all(set).unwrap()),
    ]
}

#[test]
fn reports_are_pure_functions_of_the_set() {
    // The same set, built twice independently: by the code, and read back from the checked-in
    // JSON file (the_checked_in_fixture_is_the_fixture keeps that the same set), gives the same
    // bytes, whatever the allocations, map orders or the time of the rendering.
    let built = fixture();
    let read = json::read(&fixtures().join("three-targets.json")).unwrap();
    assert_eq!(read, built, "the checked-in fixture is the fixture");
    let (a, b) = (renders(&built), renders(&read));
    for ((name, a), (_, b)) in a.iter().zip(&b) {
        assert_eq!(a, b, "{name}: two renders of the same set differ");
    }
    // And a function of the set: a change in it changes every report that shows what changed
    // (Markdown and JUnit name cases by id; only the HTML report shows titles).
    let mut retitled = fixture();
    retitled.cases[0].title = "GET returns the pod, retitled".into();
    let mut moved = fixture();
    moved.targets[1].url = "https://vendor-b.example:7443".into();
    let mut recelled = fixture();
    let vendor = recelled
        .targets
        .iter_mut()
        .find(|t| t.name == "vendor-b")
        .expect("vendor-b");
    let cell = vendor
        .cases
        .iter_mut()
        .find(|c| c.cell == Cell::Passed)
        .expect("a passed case on vendor-b");
    cell.cell = Cell::Error;
    cell.error = Some(CaseError::new(ErrorKind::Transport, "connection reset"));
    for (change, changed, reports) in [
        ("a case title", retitled, &["html"][..]),
        ("a target's url", moved, &["html", "markdown", "junit"]),
        ("a cell", recelled, &["html", "markdown", "junit"]),
    ] {
        for ((name, before), (_, after)) in a.iter().zip(&renders(&changed)) {
            if reports.contains(name) {
                assert_ne!(
                    before, after,
                    "{name}: {change} changed, the report did not"
                );
            }
        }
    }
    // An empty set renders too.
    let empty = ResultSet {
        cases: vec![],
        targets: vec![],
        reference: None,
        ..built
    };
    assert!(html::render(&empty).contains("0 cases × 0 targets"));
    assert!(markdown::render(&empty).contains("0 cases"));
    assert_eq!(parse_junit(&junit::render_all(&empty).unwrap()).len(), 0);
}

#[test]
fn reports_are_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let set = fixture();
    html::write(&set, &dir.path().join("r.html")).unwrap();
    markdown::write(&set, &dir.path().join("r.md")).unwrap();
    junit::write(&set, "vendor-b", &dir.path().join("r.xml")).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.html")).unwrap(),
        html::render(&set)
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
    let e = html::write(&set, &dir.path().join("missing/r.html")).unwrap_err();
    assert!(e.to_string().contains("missing/r.html"), "{e}");
}
