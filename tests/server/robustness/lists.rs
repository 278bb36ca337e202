//! Lists: pages with `limit` and `continue`.

use super::*;

/// `limit` and `continue`: pages in key order, the real server's token (base64url of
/// `{"v","rv","start"}`), `remainingItemCount` for an unfiltered list, and a broken token refused.
#[tokio::test]
async fn lists_are_paged_with_limit_and_continue() {
    let (_server, client, base) = setup().await;
    let coll = format!("{base}/api/v1/namespaces/{NS}/configmaps");
    for name in ["c", "a", "b"] {
        let body = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
        let reply = send(
            &client,
            "POST",
            &coll,
            Some("application/json"),
            body.to_string(),
        )
        .await;
        assert_eq!(reply.code, StatusCode::CREATED);
    }
    let page = send(
        &client,
        "GET",
        &format!("{coll}?limit=2"),
        None,
        String::new(),
    )
    .await;
    let page = page.json();
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(page["metadata"]["remainingItemCount"], 1);
    let token = page["metadata"]["continue"]
        .as_str()
        .expect("continue")
        .to_string();
    use base64::Engine;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&token)
        .unwrap();
    let decoded: Value = serde_json::from_slice(&decoded).unwrap();
    assert_eq!(decoded["v"], "meta.k8s.io/v1");
    assert_eq!(decoded["start"], "b\u{0}");
    let next = send(
        &client,
        "GET",
        &format!("{coll}?limit=2&continue={token}"),
        None,
        String::new(),
    )
    .await
    .json();
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
    assert_eq!(next["items"][0]["metadata"]["name"], "c");
    assert!(next["metadata"].get("continue").is_none());
    assert_eq!(
        next["metadata"]["resourceVersion"],
        page["metadata"]["resourceVersion"]
    );
    let bad = send(
        &client,
        "GET",
        &format!("{coll}?continue=%%%"),
        None,
        String::new(),
    )
    .await;
    assert_eq!(bad.code, StatusCode::BAD_REQUEST);
}
