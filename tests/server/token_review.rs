//! Token reviews (`authentication.k8s.io` `tokenreviews`) of the service-account tokens each
//! server issues: authenticated with the account's user and the pod it is bound to, refused for
//! another audience, after the pod is gone, and for a token that is none of the server's; the
//! review's own errors. Each server reviews the tokens it issued, so the sequence captures them.
//! Replayed against the real server's recorded answers (`tests/oracle/token-review-v1.20.2.json`)
//! always, and compared with the real server live with `APICONFORM_ORACLE_URL`
//! (`APICONFORM_RECORD=1` records it again).

use super::apply::{differences, normalise, reference_client};
use apiconform::server::ReferenceServer;
use reqwest::Client;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

const REVIEWS: &str = "/apis/authentication.k8s.io/v1/tokenreviews";

async fn send(client: &Client, base: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
    let mut request = client.request(method.parse().expect("method"), format!("{base}{path}"));
    if !body.is_null() {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let resp = request.send().await.expect("request");
    let code = resp.status().as_u16();
    (
        code,
        serde_json::from_str(&resp.text().await.unwrap_or_default()).unwrap_or(Value::Null),
    )
}

/// The answers to the sequence in namespace `ns`, tokens and run-specific values normalised, each
/// with the request it answers.
async fn run(client: &Client, base: &str, ns: &str) -> Value {
    let nsp = format!("/api/v1/namespaces/{ns}");
    let setup = [
        (
            "/api/v1/namespaces".to_string(),
            json!({"metadata": {"name": ns}}),
        ),
        (
            format!("{nsp}/serviceaccounts"),
            json!({"metadata": {"name": "sa1"}}),
        ),
        (
            format!("{nsp}/pods"),
            json!({"metadata": {"name": "p1"}, "spec": {"serviceAccountName": "sa1",
                   "containers": [{"name": "c", "image": "nginx:1.19"}]}}),
        ),
    ];
    let mut pod_uid = String::new();
    for (path, body) in setup {
        let (code, answer) = send(client, base, "POST", &path, body).await;
        assert_eq!(code, 201, "{path}: {answer}");
        pod_uid = answer["metadata"]["uid"].as_str().unwrap_or("").to_string();
    }
    let token = |answer: &Value| answer["status"]["token"].as_str().unwrap_or("").to_string();
    let token_path = format!("{nsp}/serviceaccounts/sa1/token");
    let (_, plain) = send(client, base, "POST", &token_path, json!({"spec": {}})).await;
    let bound_request = json!({"spec": {"audiences": ["aud-x"],
        "boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": "p1"}}});
    let (_, bound) = send(client, base, "POST", &token_path, bound_request).await;
    let (plain, bound) = (token(&plain), token(&bound));
    assert!(!plain.is_empty() && !bound.is_empty(), "tokens issued");
    let review = |token: &str, audiences: Option<Vec<&str>>| {
        let mut spec = json!({"token": token});
        if let Some(a) = audiences {
            spec["audiences"] = json!(a);
        }
        json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": spec})
    };
    let delete_pod = format!("{nsp}/pods/p1?gracePeriodSeconds=0");
    let steps: Vec<(&str, String, Value)> = vec![
        ("POST", REVIEWS.into(), review(&plain, None)),
        (
            "POST",
            REVIEWS.into(),
            review(&bound, Some(vec!["aud-x", "other"])),
        ),
        ("POST", REVIEWS.into(), review(&bound, None)),
        ("POST", REVIEWS.into(), review("not-a-token", None)),
        ("POST", REVIEWS.into(), json!({"spec": {}})),
        ("GET", REVIEWS.into(), Value::Null),
        (
            "POST",
            "/apis/authentication.k8s.io/v1beta1/tokenreviews".into(),
            json!({"apiVersion": "authentication.k8s.io/v1beta1", "kind": "TokenReview",
                   "spec": {"token": plain}}),
        ),
        (
            "POST",
            format!("/apis/authentication.k8s.io/v1/namespaces/{ns}/tokenreviews"),
            review(&plain, None),
        ),
        ("DELETE", delete_pod, Value::Null),
        ("POST", REVIEWS.into(), review(&bound, Some(vec!["aud-x"]))),
    ];
    let mut answers = Vec::new();
    for (method, path, body) in steps {
        let (code, answer) = send(client, base, method, &path, body).await;
        if method == "DELETE" {
            // The real authenticator reads pods from its watch cache: the deletion reaches it
            // a little later.
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
        let text = answer
            .to_string()
            .replace(&plain, "<token>")
            .replace(&bound, "<bound token>")
            .replace(&pod_uid, "<pod uid>");
        let request = format!("{method} {}", path.replace(ns, "NS"));
        let mut body = normalise(&text, ns);
        if let Some(at) = body.pointer_mut("/metadata/deletionTimestamp") {
            *at = json!("<deletionTimestamp>");
        }
        answers.push(json!({"request": request, "code": code, "body": body}));
    }
    // Nothing of the run is left: what is in the namespace (a bare server has no controller to
    // delete it), then the namespace (its finalizer removed).
    send(
        client,
        base,
        "DELETE",
        &format!("{nsp}/serviceaccounts/sa1"),
        Value::Null,
    )
    .await;
    send(client, base, "DELETE", &nsp, Value::Null).await;
    let finalize = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns},
                          "spec": {"finalizers": []}});
    send(client, base, "PUT", &format!("{nsp}/finalize"), finalize).await;
    Value::Array(answers)
}

fn recording() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/token-review-v1.20.2.json")
}

fn assert_same(reference: &Value, real: &Value) {
    let diffs = differences(reference, real);
    assert!(
        diffs.is_empty(),
        "{} answers differ:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[tokio::test]
async fn token_reviews_answer_as_the_real_server_recorded() {
    let server = ReferenceServer::start().await.expect("reference server");
    let answers = run(&reference_client(), &server.url(), "token-review-run").await;
    server.shutdown().await;
    let text = std::fs::read_to_string(recording()).expect("the recording");
    let real: Value = serde_json::from_str(&text).expect("the recording is JSON");
    assert_same(&answers, &real);
    // The recording itself says what holds: the first review authenticates the account.
    assert_eq!(
        real[0]["body"]["status"]["user"]["username"],
        "system:serviceaccount:NS:sa1"
    );
}

#[tokio::test]
async fn token_reviews_behave_as_on_the_real_server() {
    let Some(oracle) = super::live::oracle("token_reviews_behave_as_on_the_real_server") else {
        return;
    };
    let client = oracle.client(Duration::from_secs(30)).expect("client");
    let ns = format!(
        "token-review-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let real = run(&client, oracle.base_url(), &ns).await;
    if std::env::var_os("APICONFORM_RECORD").is_some() {
        let text = serde_json::to_string_pretty(&real).expect("JSON") + "\n";
        std::fs::write(recording(), text).expect("the recording is written");
    }
    let server = ReferenceServer::start().await.expect("reference server");
    let reference = run(&reference_client(), &server.url(), &ns).await;
    server.shutdown().await;
    assert_same(&reference, &real);
}
