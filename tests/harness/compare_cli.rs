//! `apiconform compare` as a user runs it: the embedded reference server against a deliberately
//! different vendor (a proxy in front of another reference server that refuses strategic merge
//! patches, adds `metadata.generation` to pods, and echoes the credentials it receives). The matrix
//! has the right cells and diffs; a baseline accepts the deviations and the gate passes; an expired
//! entry fails it; the credentials appear in no output.

use apiconform::results::{Cell, ResultSet};
use apiconform::server::BackgroundServer;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TOKEN: &str = "tok-9f8e7d6c5b4a";
const AUTH_HEADER: &str = "xauth-1a2b3c4d5e6f";

async fn vendor(State(upstream): State<String>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let ct = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let echo = format!(
        "{} {}",
        parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
        parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    );
    let json_response = |status: u16, v: Value| {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Body::from(v.to_string()))
            .expect("response")
    };
    if parts.method == "PATCH" && ct == "application/strategic-merge-patch+json" {
        return json_response(
            415,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": format!("strategic merge patch is not supported (you sent {echo})"),
                "reason": "UnsupportedMediaType", "code": 415}),
        );
    }
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut up = reqwest::Client::new().request(parts.method, format!("{upstream}{}", parts.uri));
    for (k, v) in &parts.headers {
        if k != "host" {
            up = up.header(k, v);
        }
    }
    let Ok(resp) = up.body(body).send().await else {
        return json_response(502, json!({}));
    };
    let status = resp.status().as_u16();
    let mut v: Value = resp.json().await.unwrap_or(Value::Null);
    if v["kind"] == "Pod" {
        v["metadata"]["generation"] = json!(1);
    }
    if v["kind"] == "Status" {
        v["echo"] = json!(echo);
    }
    json_response(status, v)
}

struct Fixture {
    _reference: BackgroundServer,
    _rt: tokio::runtime::Runtime,
    dir: PathBuf,
}

fn start() -> Fixture {
    let reference = BackgroundServer::start().expect("reference server");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .fallback(vendor)
        .with_state(reference.url().to_string());
    rt.spawn(async move { axum::serve(listener, app).await });
    let dir = std::env::temp_dir().join(format!("apiconform-compare-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("targets.toml"),
        format!(
            "[targets.vendor]\nurl = \"{url}\"\ntoken_env = \"VENDOR_TOKEN\"\n\
             headers = {{ X-Auth-Token = {{ env = \"VENDOR_AUTH\" }} }}\n"
        ),
    )
    .expect("targets file");
    Fixture {
        _reference: reference,
        _rt: rt,
        dir,
    }
}

fn compare(f: &Fixture, extra: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new(env!("CARGO_BIN_EXE_apiconform"))
        .current_dir(root)
        .env("VENDOR_TOKEN", TOKEN)
        .env("VENDOR_AUTH", AUTH_HEADER)
        .env("CI", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(["compare", "vendor", "--no-snapshots", "--filter", "patch"])
        .arg("--targets-file")
        .arg(f.dir.join("targets.toml"))
        .arg("--out")
        .arg(f.dir.join("out"))
        .args(extra)
        .output()
        .expect("apiconform runs")
}

fn results(f: &Fixture) -> ResultSet {
    let text = std::fs::read_to_string(f.dir.join("out/results.json")).expect("results.json");
    serde_json::from_str(&text).expect("a result set")
}

/// Every output of a run: stdout, stderr and each report file.
fn outputs(f: &Fixture, out: &Output) -> String {
    let mut all = String::from_utf8_lossy(&out.stdout).to_string();
    all.push_str(&String::from_utf8_lossy(&out.stderr));
    for entry in std::fs::read_dir(f.dir.join("out")).expect("out dir") {
        all.push_str(&std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default());
    }
    all
}

#[test]
fn a_different_vendor_shows_in_the_matrix_and_a_baseline_gates_it() {
    let f = start();
    let out = compare(&f, &[]);
    let text = outputs(&f, &out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for file in [
        "results.json",
        "summary.md",
        "report.html",
        "junit-reference.xml",
        "junit-vendor.xml",
    ] {
        assert!(f.dir.join("out").join(file).exists(), "{file} missing");
    }
    let set = results(&f);
    let cell = |target: &str, id: &str| {
        set.targets
            .iter()
            .find(|t| t.name == target)
            .and_then(|t| t.cases.iter().find(|c| c.id == id))
            .unwrap_or_else(|| panic!("no {id} on {target}"))
            .clone()
    };
    // The reference passes everything it was asked.
    assert!(
        set.targets[0].cases.iter().all(|c| c.cell == Cell::Passed),
        "{:?}",
        set.targets[0].cases
    );
    // A refused patch type where success is expected is "unsupported", not a generic failure.
    let smp = cell("vendor", "patch-strategic-container-image");
    assert_eq!(smp.cell, Cell::Unsupported);
    assert_eq!(smp.status, Some(415));
    // A successful patch passes layers 1-3, and shows the vendor's extra field against the
    // reference's answer.
    let labels = cell("vendor", "patch-merge-patch-labels");
    assert!(
        labels
            .vs_reference
            .iter()
            .any(|m| m.path == "/metadata/generation" && m.actual == Some(json!(1))),
        "{:?}",
        labels.vs_reference
    );
    // The credentials the proxy echoed never reach any output.
    assert!(
        !text.contains(TOKEN) && !text.contains(AUTH_HEADER),
        "{text}"
    );
    assert!(
        text.contains("[secret]"),
        "the echo was blanked, not dropped"
    );

    // Accept what fails now; the gate then passes.
    let baseline = f.dir.join("baseline.toml");
    let b = baseline.to_str().expect("utf-8 path");
    let out = compare(&f, &["--baseline", b, "--update-baseline"]);
    assert_eq!(out.status.code(), Some(0), "{}", outputs(&f, &out));
    let out = compare(&f, &["--baseline", b]);
    assert_eq!(out.status.code(), Some(0), "{}", outputs(&f, &out));
    let set = results(&f);
    assert_eq!(
        cell_of(&set, "vendor", "patch-strategic-container-image"),
        Cell::Accepted
    );

    // An expired entry fails the gate, and says so.
    let text = std::fs::read_to_string(&baseline).expect("baseline");
    assert!(text.contains("patch-strategic-container-image"), "{text}");
    let expired = text.replacen("[[accept]]\n", "[[accept]]\nexpires = \"2020-01-01\"\n", 1);
    std::fs::write(&baseline, expired).expect("baseline written");
    let out = compare(&f, &["--baseline", b]);
    let text = outputs(&f, &out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("expired on 2020-01-01"), "{text}");
}

fn cell_of(set: &ResultSet, target: &str, id: &str) -> Cell {
    set.targets
        .iter()
        .find(|t| t.name == target)
        .and_then(|t| t.cases.iter().find(|c| c.id == id))
        .map(|c| c.cell)
        .expect("cell")
}
