//! Profiles the reference server's request handling without sockets: `cargo run --release --example
//! patch_profile` prints the mean time per GET and per JSON Patch of one pod and of one Deployment
//! (the generic registry with the apps strategy).

use axum::body::Body;
use axum::http::Request;
use std::time::Instant;
use tower::ServiceExt;

/// The executable's allocator, so that the figures are `apiconform serve`'s.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let app = apiconform::server::router();
    let send = |req: Request<Body>| {
        let app = app.clone();
        async move {
            let resp = app.oneshot(req).await.expect("infallible");
            let status = resp.status();
            let _ = axum::body::to_bytes(resp.into_body(), usize::MAX).await;
            status
        }
    };
    let post = |uri: &str, body: &str| {
        Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request")
    };
    send(post("/api/v1/namespaces", r#"{"metadata":{"name":"p"}}"#)).await;
    send(post(
        "/api/v1/namespaces/p/pods",
        r#"{"metadata":{"name":"x"},"spec":{"containers":[{"name":"c","image":"nginx:1.19"}]}}"#,
    ))
    .await;
    send(post(
        "/apis/apps/v1/namespaces/p/deployments",
        r#"{"metadata":{"name":"x"},"spec":{"selector":{"matchLabels":{"app":"x"}},
            "template":{"metadata":{"labels":{"app":"x"}},
            "spec":{"containers":[{"name":"c","image":"nginx:1.19"}]}}}}"#,
    ))
    .await;
    let n = 20_000;
    for (what, uri) in [
        ("pod", "/api/v1/namespaces/p/pods/x"),
        ("deployment", "/apis/apps/v1/namespaces/p/deployments/x"),
    ] {
        let t = Instant::now();
        for _ in 0..n {
            let req = Request::get(uri).body(Body::empty()).expect("request");
            send(req).await;
        }
        println!(
            "GET   {what:<10} {:.1} µs",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
        let t = Instant::now();
        for i in 0..n {
            let body =
                format!(r#"[{{"op":"add","path":"/metadata/labels","value":{{"n":"{i}"}}}}]"#);
            let req = Request::patch(uri)
                .header("content-type", "application/json-patch+json")
                .body(Body::from(body))
                .expect("request");
            assert!(send(req).await.is_success());
        }
        println!(
            "PATCH {what:<10} {:.1} µs",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    }
}
