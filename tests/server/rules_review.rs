//! A self subject rules review lists the rules RBAC gives the requester (the reference server's
//! is a member of `system:masters` and `system:authenticated`, as the live tests' user): the same
//! rules as the real server's, whose order is its cache's map order (compared sorted).

use super::apply::reference_client;
use apiconform::server::ReferenceServer;
use reqwest::Client;
use serde_json::{Value, json};
use std::time::Duration;

async fn rules(client: &Client, base: &str) -> (u16, Value) {
    let resp = client
        .post(format!(
            "{base}/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
        ))
        .header("Content-Type", "application/json")
        .body(json!({"spec": {"namespace": "default"}}).to_string())
        .send()
        .await
        .expect("request");
    let code = resp.status().as_u16();
    let mut body: Value = resp.json().await.unwrap_or(Value::Null);
    for list in ["resourceRules", "nonResourceRules"] {
        if let Some(Value::Array(rules)) = body.pointer_mut(&format!("/status/{list}")) {
            rules.sort_by_key(|r| r.to_string());
        }
    }
    (code, body)
}

#[tokio::test]
async fn a_rules_review_lists_the_requesters_rules() {
    let server = ReferenceServer::start().await.expect("reference server");
    let (code, review) = rules(&reference_client(), &server.url()).await;
    server.shutdown().await;
    assert_eq!(code, 201, "{review}");
    let resource = review["status"]["resourceRules"].as_array().expect("rules");
    // cluster-admin (system:masters) and system:basic-user (system:authenticated).
    assert!(resource.contains(&json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})));
    assert!(resource.contains(
        &json!({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
        "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]})
    ));
    assert_eq!(
        review["status"]["nonResourceRules"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(review["spec"], json!({}), "a new review, not the request's");

    let Some(oracle) = super::live::oracle("a_rules_review_lists_the_requesters_rules (live)")
    else {
        return;
    };
    let client = oracle.client(Duration::from_secs(30)).expect("client");
    assert_eq!(rules(&client, oracle.base_url()).await, (code, review));
}
