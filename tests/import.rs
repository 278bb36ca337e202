//! The importer: vendor pages (tests/fixtures/docs: copies of the vendor's reference pages, plus synthetic pages
//! with the variations other pages of the same reference have) into case files that load and run.

use apiconform::cases;
use apiconform::import::{self, FileAction, ImportError, ImportOptions};
use apiconform::results::Cell;
use apiconform::runner::session;
use apiconform::server::ReferenceServer;
use apiconform::target::Target;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/docs")
        .join(name)
}

const VENDOR: &[&str] = &[
    "cce_02_0038-replace-pod-status.md",
    "cce_02_0041-patch-pod.md",
];
const SYNTHETIC: &[&str] = &["get-pod-crlf.md", "patch-pod-merge-examples.md"];

fn tmpdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("apiconform-import-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn paths(names: &[&str]) -> Vec<PathBuf> {
    names.iter().map(|n| fixture(n)).collect()
}

fn import_one(name: &str) -> Vec<import::ImportedCase> {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).unwrap();
    import::import_page(&path, &text).unwrap_or_else(|e| panic!("{e}"))
}

fn read_dir_sorted(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn vendor_pages_import_and_reimport_is_byte_identical() {
    let (a, b) = (tmpdir(), tmpdir());
    let first = import::import_docs(&paths(VENDOR), &a, ImportOptions::default());
    assert!(first.is_success(), "{:?}", first.errors);
    assert_eq!(first.written.len(), 2);
    assert!(
        first
            .written
            .iter()
            .all(|w| w.action == FileAction::Created)
    );
    let before = read_dir_sorted(&a);

    let again = import::import_docs(&paths(VENDOR), &a, ImportOptions::default());
    assert!(again.is_success(), "{:?}", again.errors);
    assert!(
        again
            .written
            .iter()
            .all(|w| w.action == FileAction::Unchanged)
    );
    assert_eq!(read_dir_sorted(&a), before);

    // Elsewhere, from the same documents: the same bytes.
    let other = import::import_docs(&paths(VENDOR), &b, ImportOptions::default());
    assert!(other.is_success());
    assert_eq!(read_dir_sorted(&b), before);
}

#[test]
fn committed_imported_cases_are_up_to_date() {
    let out = tmpdir();
    let report = import::import_docs(&paths(VENDOR), &out, ImportOptions::default());
    assert!(report.is_success(), "{:?}", report.errors);
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/imported");
    assert_eq!(
        read_dir_sorted(&committed),
        read_dir_sorted(&out),
        "cases/imported differs from a fresh import of tests/fixtures/docs: run \
         `cargo run -- import tests/fixtures/docs/cce_*.md --out cases/imported`"
    );
}

#[test]
fn generated_cases_load() {
    let out = tmpdir();
    let all: Vec<&str> = VENDOR.iter().chain(SYNTHETIC).copied().collect();
    let report = import::import_docs(&paths(&all), &out, ImportOptions::default());
    assert!(report.is_success(), "{:?}", report.errors);
    let loaded = cases::load_dir(&out).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = loaded.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "cce-02-0038-replace-pod-status",
            "cce-02-0041-patch-pod",
            "test-get-pod",
            "test-merge-patch-ex1",
            "test-merge-patch-ex2"
        ]
    );
    for c in &loaded {
        assert!(c.tags.contains(&"imported".to_string()), "{}", c.id);
        let p = c.provenance.as_ref().unwrap();
        assert!(p.document.starts_with("docs/"), "{}", p.document);
        assert!(p.line.is_some(), "{}", c.id);
    }
}

#[test]
fn put_status_case_is_derived_from_the_examples() {
    let cases = import_one("cce_02_0038-replace-pod-status.md");
    assert_eq!(cases.len(), 1);
    let c = &cases[0].case;
    assert_eq!(
        c["provenance"],
        json!({"document": "docs/cce_02_0038-replace-pod-status.md", "line": 56, "response_line": 96})
    );
    assert_eq!(c["request"]["method"], "PUT");
    assert_eq!(
        c["request"]["path"],
        "/api/v1/namespaces/{namespace}/pods/{name}/status"
    );
    // The body: no server-set metadata (pods allow unconditional updates), names templated.
    let meta = &c["request"]["body"]["json"]["metadata"];
    assert_eq!(
        meta,
        &json!({"name": "{name}", "namespace": "{namespace}", "labels": {"name": "brace"}})
    );
    // The pod: the response's spec, without what the scheduler and admission add; no status.
    let pod = &c["fixtures"][0]["body"]["json"];
    assert!(pod.get("status").is_none());
    assert!(pod["spec"].get("nodeName").is_none());
    assert_eq!(pod["spec"]["volumes"].as_array().unwrap().len(), 1);
    assert_eq!(pod["spec"]["containers"][0]["image"], "beego:v1");
    // The expectations.
    let expect = &c["expect"];
    assert_eq!(expect["status"], 200);
    assert_eq!(expect["kind"], "Pod");
    assert_eq!(expect["include"]["metadata"]["name"], "{name}");
    assert_eq!(expect["include"]["metadata"]["namespace"], "{namespace}");
    let env = expect["environmental"].as_object().unwrap();
    for p in [
        "/metadata/selfLink",
        "/metadata/uid",
        "/metadata/resourceVersion",
        "/metadata/creationTimestamp",
        "/spec/nodeName",
        "/spec/volumes/1",
        "/spec/containers/0/volumeMounts/1",
    ] {
        assert!(env.contains_key(p), "{p} not environmental: {env:?}");
    }
    // The request sets the status: what it sets is compared, not environmental.
    assert!(!env.keys().any(|k| k.starts_with("/status")), "{env:?}");
}

#[test]
fn json_patch_case_starts_from_a_pod_the_patch_changes() {
    let cases = import_one("cce_02_0041-patch-pod.md");
    let c = &cases[0].case;
    assert_eq!(c["request"]["content_type"], "application/json-patch+json");
    assert_eq!(
        c["request"]["body"]["json"],
        json!([{"op": "add", "path": "/spec/containers/0/image", "value": "busybox:latest"}])
    );
    assert_eq!(
        c["fixtures"][0]["body"]["json"]["spec"]["containers"][0]["image"],
        import::PLACEHOLDER
    );
    assert_eq!(
        c["expect"]["checks"],
        json!([
            "json_patch_applied",
            "resource_version_changed",
            "identity_preserved"
        ])
    );
    let env = c["expect"]["environmental"].as_object().unwrap();
    for p in [
        "/status/phase",
        "/status/conditions",
        "/status/hostIP",
        "/status/podIP",
        "/status/startTime",
        "/status/containerStatuses",
    ] {
        assert!(env.contains_key(p), "{p} not environmental: {env:?}");
    }
    // The patched field is compared.
    assert_eq!(
        c["expect"]["include"]["spec"]["containers"][0]["image"],
        "busybox:latest"
    );
    assert!(!env.contains_key("/spec/containers/0/image"));
    // Environmental fields keep the documented text (the drift report quotes it).
    assert_eq!(
        c["expect"]["include"]["metadata"]["selfLink"],
        "/api/v1/namespaces/default/pods/hello-world"
    );
}

#[test]
fn page_without_request_body_crlf_and_markdown_status_table() {
    let raw = std::fs::read(fixture("get-pod-crlf.md")).unwrap();
    assert!(
        raw.windows(2).any(|w| w == b"\r\n"),
        "the fixture must keep its CRLF line endings"
    );
    let cases = import_one("get-pod-crlf.md");
    assert_eq!(cases.len(), 1);
    let c = &cases[0].case;
    assert_eq!(c["request"]["method"], "GET");
    assert!(c["request"].get("body").is_none());
    assert!(c["request"].get("content_type").is_none());
    assert_eq!(
        c["provenance"],
        json!({"document": "docs/get-pod-crlf.md", "line": 49})
    );
    assert_eq!(c["expect"]["status"], 200);
    assert!(c["expect"].get("checks").is_none());
    let env = c["expect"]["environmental"].as_object().unwrap();
    assert!(env.contains_key("/status/phase") && env.contains_key("/spec/nodeName"));
    // qosClass is set by the API server itself: compared.
    assert!(!env.contains_key("/status/qosClass"));
    assert_eq!(
        c["fixtures"][0]["body"]["json"]["spec"]["schedulerName"],
        "default-scheduler"
    );
}

#[test]
fn several_examples_fullwidth_punctuation_comments_and_trailing_commas() {
    let cases = import_one("patch-pod-merge-examples.md");
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["test-merge-patch-ex1", "test-merge-patch-ex2"]);
    let (one, two) = (&cases[0].case, &cases[1].case);
    // "Content-Type：application/merge-patch+json" with a fullwidth colon, in a paragraph.
    assert_eq!(
        one["request"]["content_type"],
        "application/merge-patch+json"
    );
    assert_eq!(
        two["request"]["content_type"],
        "application/merge-patch+json"
    );
    // ｛ "tier"："backend"， ｝ with a comment and trailing commas, in a fence without language.
    assert_eq!(
        one["request"]["body"]["json"],
        json!({"metadata": {"labels": {"tier": "backend"}}})
    );
    // A `javascript` fence with a block comment.
    assert_eq!(
        two["request"]["body"]["json"],
        json!({"spec": {"activeDeadlineSeconds": 30}})
    );
    assert_eq!(
        (cases[0].request_line, cases[0].response_line),
        (Some(26), Some(52))
    );
    assert_eq!(
        (cases[1].request_line, cases[1].response_line),
        (Some(39), Some(75))
    );
    // The pods are the responses with each patch undone.
    assert_eq!(
        one["fixtures"][0]["body"]["json"]["metadata"]["labels"]["tier"],
        import::PLACEHOLDER
    );
    assert_eq!(
        one["fixtures"][0]["body"]["json"]["spec"]["activeDeadlineSeconds"],
        60
    );
    assert_eq!(
        two["fixtures"][0]["body"]["json"]["spec"]["activeDeadlineSeconds"],
        31
    );
    assert_eq!(one["expect"]["checks"][0], "merge_patch_applied");
    // Several examples: the status table (HTML, with a 422 row) gives 200 to both.
    assert_eq!(one["expect"]["status"], 200);
    assert_eq!(two["expect"]["status"], 200);
}

#[test]
fn a_page_that_cannot_be_read_names_file_line_and_what_was_expected() {
    let path = fixture("broken-json.md");
    let err = import::import_page(&path, &std::fs::read_to_string(&path).unwrap()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("{}:17: expected a JSON example", path.display())),
        "{msg}"
    );
    let ImportError::Page { line, .. } = err else {
        panic!("{msg}")
    };
    assert_eq!(line, 17);

    let path = fixture("no-uri.md");
    let msg = import::import_page(&path, &std::fs::read_to_string(&path).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with(&format!("{}:1: expected the URI", path.display())),
        "{msg}"
    );
}

#[test]
fn a_broken_page_does_not_stop_the_others() {
    let out = tmpdir();
    let report = import::import_docs(
        &paths(&["broken-json.md", "get-pod-crlf.md", "no-uri.md"]),
        &out,
        ImportOptions::default(),
    );
    assert!(!report.is_success());
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    assert_eq!(report.written.len(), 1);
    assert!(out.join("test-get-pod.yaml").exists());
}

#[test]
fn hand_edits_are_refused_unless_forced() {
    let out = tmpdir();
    let docs = paths(&["get-pod-crlf.md"]);
    assert!(import::import_docs(&docs, &out, ImportOptions::default()).is_success());
    let file = out.join("test-get-pod.yaml");
    let generated = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, generated.replace("status: 200", "status: 201")).unwrap();

    let report = import::import_docs(&docs, &out, ImportOptions::default());
    assert!(!report.is_success());
    assert_eq!(report.refused.len(), 1);
    let reason = &report.refused[0].reason;
    assert!(
        reason.contains("test-get-pod.yaml")
            && reason.contains("by hand")
            && reason.contains("--force"),
        "{reason}"
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("status: 201")
    );

    let report = import::import_docs(&docs, &out, ImportOptions { force: true });
    assert!(report.is_success());
    assert_eq!(report.written[0].action, FileAction::Overwritten);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), generated);

    // A file the importer did not write is not overwritten either.
    std::fs::write(&file, "id: mine\n").unwrap();
    let report = import::import_docs(&docs, &out, ImportOptions::default());
    assert!(
        report.refused[0].reason.contains("not generated"),
        "{:?}",
        report.refused
    );
}

#[test]
fn an_unchanged_generated_file_is_updated_when_the_document_changes() {
    let out = tmpdir();
    let src = tmpdir().join("docs");
    std::fs::create_dir_all(&src).unwrap();
    let page = src.join("get-pod-crlf.md");
    let text = std::fs::read_to_string(fixture("get-pod-crlf.md")).unwrap();
    std::fs::write(&page, &text).unwrap();
    assert!(
        import::import_docs(std::slice::from_ref(&page), &out, ImportOptions::default())
            .is_success()
    );
    std::fs::write(&page, text.replace("nginx:1.19", "nginx:1.20")).unwrap();
    let report = import::import_docs(std::slice::from_ref(&page), &out, ImportOptions::default());
    assert!(report.is_success(), "{:?}", report.refused);
    assert_eq!(report.written[0].action, FileAction::Updated);
    let new = std::fs::read_to_string(out.join("test-get-pod.yaml")).unwrap();
    assert!(new.contains("nginx:1.20") && !new.contains("nginx:1.19"));
}

#[test]
fn imported_cases_pass_on_the_reference_server() {
    let out = tmpdir();
    let all: Vec<&str> = VENDOR.iter().chain(SYNTHETIC).copied().collect();
    assert!(import::import_docs(&paths(&all), &out, ImportOptions::default()).is_success());
    let loaded = cases::load_dir(&out).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let set = rt.block_on(async {
        let server = ReferenceServer::start().await.unwrap();
        let targets = [session::NamedTarget {
            name: "reference".into(),
            target: Target::new(server.url()),
        }];
        let opts = session::Options {
            timeout: Duration::from_secs(30),
            concurrency: 4,
            snapshots: None,
            allow_unconfined: false,
        };
        let outcome = session::run(
            &loaded,
            &targets,
            None,
            &opts,
            &|_, _| {},
            std::future::pending(),
        )
        .await;
        server.shutdown().await;
        outcome.results
    });
    let results = &set.targets[0].cases;
    assert_eq!(results.len(), loaded.len());
    for r in results {
        assert_eq!(r.cell, Cell::Passed, "{}: {:?}", r.id, r.mismatches);
    }
    // The documents' kubelet and scheduler fields are drift, not failures.
    let patch = results
        .iter()
        .find(|r| r.id == "cce-02-0041-patch-pod")
        .unwrap();
    let drift: Vec<&str> = patch.drift.iter().map(|d| d.path.as_str()).collect();
    assert!(drift.contains(&"/spec/nodeName"), "{drift:?}");
    assert!(drift.contains(&"/status/containerStatuses"), "{drift:?}");
    let md = apiconform::report::drift::render(&set, "reference");
    assert!(
        md.contains("Response example at docs/cce_02_0041-patch-pod.md:78"),
        "{md}"
    );
}

#[test]
fn cases_of_removed_examples_are_reported_as_stale() {
    let out = tmpdir();
    let src = tmpdir().join("docs");
    std::fs::create_dir_all(&src).unwrap();
    let page = src.join("patch-pod-merge-examples.md");
    let text = std::fs::read_to_string(fixture("patch-pod-merge-examples.md")).unwrap();
    std::fs::write(&page, &text).unwrap();
    let report = import::import_docs(std::slice::from_ref(&page), &out, ImportOptions::default());
    assert_eq!(report.written.len(), 2);
    assert!(report.stale.is_empty());
    // The page keeps one example of each: one case, under the page's own id.
    let cut = |t: &str, from: &str, to: &str| {
        let (a, b) = (t.find(from).unwrap(), t.find(to).unwrap());
        format!("{}{}", &t[..a], &t[b..])
    };
    let one = cut(&text, "**请求示例2：**", "## 响应消息");
    let one = cut(&one, "**响应示例2：**", "## 状态码");
    std::fs::write(&page, one).unwrap();
    let report = import::import_docs(std::slice::from_ref(&page), &out, ImportOptions::default());
    assert!(report.is_success(), "{:?}", report.errors);
    assert_eq!(report.written[0].id, "test-merge-patch");
    let stale: Vec<String> = report
        .stale
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        stale,
        ["test-merge-patch-ex1.yaml", "test-merge-patch-ex2.yaml"]
    );
}
