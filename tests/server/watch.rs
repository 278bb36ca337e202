//! Watches (`watch=true`): the events of a resource as kube-apiserver v1.20.2 sends them, checked
//! against the embedded reference server, and (with `APICONFORM_ORACLE_URL`, as in
//! `differential.rs`) the same sequence against the real server, compared event by event.

use apiconform::server::ReferenceServer;
use apiconform::target::Target;
use reqwest::Client;
use serde_json::{Value, json};
use std::time::Duration;

/// Starts a watch, runs `changes`, and collects the events until the watch's own timeout.
async fn watch_while(
    client: &Client,
    base: &str,
    path: &str,
    changes: impl std::future::Future<Output = ()>,
) -> Vec<(String, Value)> {
    let mut resp = client
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("watch starts");
    assert_eq!(resp.status(), 200, "{path}");
    changes.await;
    let mut text = Vec::new();
    // The watch ends by itself (timeoutSeconds); bounded anyway.
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(chunk)) = resp.chunk().await {
            text.extend_from_slice(&chunk);
        }
    })
    .await;
    String::from_utf8_lossy(&text)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("one JSON event per line");
            (
                v["type"].as_str().unwrap_or("").to_string(),
                v["object"].clone(),
            )
        })
        .collect()
}

async fn send(client: &Client, method: &str, url: &str, ct: &str, body: Value) -> Value {
    let resp = client
        .request(method.parse().unwrap(), url)
        .header("Content-Type", ct)
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    resp.json().await.unwrap_or(Value::Null)
}

/// The sequence: a watch of config maps labelled `w=1` from the namespace's current state, while
/// one is created, changed, moved out of the selection, back in, and deleted.
async fn sequence(client: &Client, base: &str, ns: &str) -> Vec<(String, Value)> {
    let coll = format!("{base}/api/v1/namespaces/{ns}/configmaps");
    send(
        client,
        "POST",
        &coll,
        "application/json",
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "before", "labels": {"w": "1"}}}),
    )
    .await;
    let path = format!(
        "/api/v1/namespaces/{ns}/configmaps?watch=true&labelSelector=w%3D1&timeoutSeconds=2"
    );
    let changes = async {
        let one = format!("{coll}/c1");
        let merge = "application/merge-patch+json";
        send(
            client,
            "POST",
            &coll,
            "application/json",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c1", "labels": {"w": "1"}}}),
        )
        .await;
        send(client, "PATCH", &one, merge, json!({"data": {"a": "1"}})).await;
        send(
            client,
            "PATCH",
            &one,
            merge,
            json!({"metadata": {"labels": {"w": "2"}}}),
        )
        .await;
        send(
            client,
            "PATCH",
            &one,
            merge,
            json!({"metadata": {"labels": {"w": "1"}}}),
        )
        .await;
        let _ = client.delete(&one).send().await;
    };
    watch_while(client, base, &path, changes).await
}

fn summary(events: &[(String, Value)]) -> Vec<String> {
    events
        .iter()
        .map(|(t, o)| {
            format!(
                "{t} {} w={} data={}",
                o["metadata"]["name"].as_str().unwrap_or(""),
                o["metadata"]["labels"]["w"].as_str().unwrap_or("-"),
                o["data"]
            )
        })
        .collect()
}

#[tokio::test]
async fn a_watch_reports_additions_changes_and_deletions_in_its_selection() {
    let server = ReferenceServer::start().await.expect("reference server");
    let client = Client::new();
    let base = server.url();
    send(
        &client,
        "POST",
        &format!("{base}/api/v1/namespaces"),
        "application/json",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "w"}}),
    )
    .await;
    let events = sequence(&client, &base, "w").await;
    assert_eq!(
        summary(&events),
        [
            "ADDED before w=1 data=null",
            "ADDED c1 w=1 data=null",
            "MODIFIED c1 w=1 data={\"a\":\"1\"}",
            "DELETED c1 w=1 data={\"a\":\"1\"}",
            "ADDED c1 w=1 data={\"a\":\"1\"}",
            "DELETED c1 w=1 data={\"a\":\"1\"}",
        ]
    );
    // Every event carries the object's kind and a resourceVersion of its own, rising.
    let rvs: Vec<u64> = events[1..]
        .iter()
        .map(|(_, o)| {
            o["metadata"]["resourceVersion"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(rvs.windows(2).all(|w| w[0] < w[1]), "{rvs:?}");
    assert!(events.iter().all(|(_, o)| o["kind"] == "ConfigMap"));

    // From a resourceVersion: the events after it, then the stream ends at its timeout.
    let from = rvs[1];
    let replay = watch_while(
        &client,
        &base,
        &format!("/api/v1/namespaces/w/configmaps?watch=1&resourceVersion={from}&timeoutSeconds=1"),
        async {},
    )
    .await;
    assert_eq!(replay.len(), 3, "{:?}", summary(&replay));
    assert_eq!(replay[0].0, "MODIFIED");
    server.shutdown().await;
}

#[tokio::test]
async fn a_watch_behaves_as_on_the_real_server() {
    let Some(oracle) = super::live::oracle("a_watch_behaves_as_on_the_real_server") else {
        return;
    };
    let oracle_client = oracle.client(Duration::from_secs(30)).expect("client");
    let ns = format!(
        "apiconform-watch-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let base = oracle.base_url().to_string();
    send(
        &oracle_client,
        "POST",
        &format!("{base}/api/v1/namespaces"),
        "application/json",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    )
    .await;
    let real = sequence(&oracle_client, &base, &ns).await;
    // The run's namespace goes (its finalizer removed: a bare server never finishes it).
    let _ = oracle_client
        .delete(format!("{base}/api/v1/namespaces/{ns}/configmaps/before"))
        .send()
        .await;
    let _ = oracle_client
        .delete(format!("{base}/api/v1/namespaces/{ns}"))
        .send()
        .await;
    let _ = send(
        &oracle_client,
        "PUT",
        &format!("{base}/api/v1/namespaces/{ns}/finalize"),
        "application/json",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}, "spec": {"finalizers": []}}),
    )
    .await;

    let server = ReferenceServer::start().await.expect("reference server");
    let client = Client::new();
    send(
        &client,
        "POST",
        &format!("{}/api/v1/namespaces", server.url()),
        "application/json",
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
    )
    .await;
    let reference = sequence(&client, &server.url(), &ns).await;
    server.shutdown().await;
    assert_eq!(summary(&reference), summary(&real));
}

/// The shape of the one `BOOKMARK` a watch with `allowWatchBookmarks` gets before it ends: an
/// empty object of the kind at the newest revision (its resourceVersion left out).
async fn bookmark(client: &Client, base: &str, ns: &str, resource: &str) -> Vec<(String, Value)> {
    let path = format!(
        "/api/v1/namespaces/{ns}/{resource}?watch=true&allowWatchBookmarks=true&timeoutSeconds=4&labelSelector=none%3Dnone"
    );
    let mut events = watch_while(client, base, &path, async {}).await;
    for (_, o) in &mut events {
        let rv = o["metadata"]["resourceVersion"].as_str().unwrap_or("");
        assert!(rv.parse::<u64>().is_ok(), "{o}");
        o["metadata"]["resourceVersion"] = json!("<rv>");
    }
    events
}

#[tokio::test]
async fn a_watch_with_bookmarks_gets_one_before_it_ends() {
    let server = ReferenceServer::start().await.expect("reference server");
    let client = Client::new();
    let events = bookmark(&client, &server.url(), "default", "configmaps").await;
    assert_eq!(
        events,
        [(
            "BOOKMARK".to_string(),
            json!({"kind": "ConfigMap", "apiVersion": "v1",
                   "metadata": {"resourceVersion": "<rv>", "creationTimestamp": null}})
        )]
    );
    let real_url = std::env::var("APICONFORM_ORACLE_URL");
    if let Ok(url) = real_url {
        let oracle = Target {
            url,
            token: std::env::var("APICONFORM_ORACLE_TOKEN").ok(),
            insecure: true,
            ..Target::default()
        };
        let oracle_client = oracle.client(Duration::from_secs(30)).expect("client");
        // A bookmark is a hint the real watch cache sends on a timer of its own: where it sent
        // some, they have the reference's shape.
        for resource in ["configmaps", "pods"] {
            let real = bookmark(&oracle_client, oracle.base_url(), "default", resource).await;
            let reference = bookmark(&client, &server.url(), "default", resource).await;
            // How many (none, one, two) depends on the real cache's timer; each has the shape.
            assert_eq!(reference.len(), 1, "{resource}: {reference:?}");
            if real.is_empty() {
                eprintln!("{resource}: the real server sent no bookmark this time");
            }
            for event in &real {
                assert_eq!(event, &reference[0], "{resource}");
            }
        }
    }
    server.shutdown().await;
}
