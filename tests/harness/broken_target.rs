//! A deliberately broken target: a proxy in front of the reference server that answers the wrong
//! status for missing pods and rewrites container images in pod answers. The right cases must fail,
//! with mismatches that name the JSON Pointer of what is wrong; the others must still pass. The
//! snapshot layer runs with `Update::No`, so that the test never writes into `snapshots/`.

use apiconform::cases;
use apiconform::results::Cell;
use apiconform::runner::{Run, RunConfig};
use apiconform::server::ReferenceServer;
use apiconform::target::Target;
use apiconform::verify::Layer;
use apiconform::verify::snapshot::{Snapshots, Update};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use std::path::Path;
use std::time::Duration;

async fn corrupt(State(upstream): State<String>, req: Request) -> Response {
    let client = reqwest::Client::new();
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut up = client.request(parts.method.clone(), format!("{upstream}{}", parts.uri));
    for (k, v) in &parts.headers {
        if k != "host" {
            up = up.header(k, v);
        }
    }
    let resp = up.body(body).send().await.expect("upstream answers");
    let mut status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").cloned();
    let mut text = resp.text().await.unwrap_or_default();
    if status == 404 && parts.method == "GET" {
        status = 200; // wrong status for a missing pod
    }
    if parts.method == "PATCH" {
        text = text.replace(
            "\"image\":\"busybox:latest\"",
            "\"image\":\"busybox:broken\"",
        );
    }
    let mut out = Response::new(Body::from(text));
    *out.status_mut() = axum::http::StatusCode::from_u16(status).expect("valid status");
    if let Some(ct) = ct {
        out.headers_mut().insert("content-type", ct);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_target_fails_the_right_cases_with_paths() {
    let reference = ReferenceServer::start().await.expect("reference server");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new()
        .fallback(corrupt)
        .with_state(reference.url());
    let proxy = tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let all = cases::load_dir(&dir).expect("cases load");
    let pick = |id: &str| {
        all.iter()
            .find(|c| c.id == id)
            .expect("case exists")
            .clone()
    };
    let cfg = RunConfig {
        target: Target::new(format!("http://{addr}")),
        timeout: Duration::from_secs(10),
        concurrency: 4,
        snapshots: Some(Snapshots {
            dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"),
            update: Update::No,
        }),
        allow_unconfined: false,
    };
    let run = Run::start(&cfg).await.expect("run starts");

    let missing = run.run_case(&pick("get-missing-pod")).await;
    assert_eq!(
        missing.cell,
        Cell::Failed,
        "get-missing-pod should fail: {missing:?}"
    );
    let ms = &missing.mismatches;
    assert!(
        ms.iter().any(|m| m.layer == Layer::Protocol
            && m.check == "status"
            && m.expected == Some(404.into())
            && m.actual == Some(200.into())),
        "{ms:?}"
    );

    let patched = run.run_case(&pick("patch-json-patch-doc-example")).await;
    assert_eq!(
        patched.cell,
        Cell::Failed,
        "the JSON Patch example should fail: {patched:?}"
    );
    let ms = &patched.mismatches;
    let paths: Vec<(&str, &str)> = ms
        .iter()
        .map(|m| (m.check.as_str(), m.path.as_str()))
        .collect();
    assert!(
        paths.contains(&("json_patch_applied", "/spec/containers/0/image")),
        "{paths:?}"
    );
    assert!(
        paths.contains(&("include", "/spec/containers/0/image")),
        "{paths:?}"
    );
    // Layer 4: the accepted snapshot (recorded from the real server) names the same path.
    assert!(
        paths.contains(&("snapshot", "/spec/containers/0/image")),
        "{paths:?}"
    );

    let fine = run.run_case(&pick("put-status-unconditional")).await;
    assert_eq!(fine.cell, Cell::Passed, "{fine:?}");

    run.finish().await.expect("namespace deleted");
    proxy.abort();
    reference.shutdown().await;
}
