//! Authorization: a self subject rules review lists the rules RBAC gives the requester (the
//! reference server's is a member of `system:masters` and `system:authenticated`, as the live
//! tests' user): the same rules as the real server's, whose order is its cache's map order
//! (compared sorted); an impersonated user is authorized by RBAC, refused with the real 403s.

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

/// A request as `user` (kubectl's `--as`): the status code and the body, the time of managedFields
/// left out.
async fn as_user(
    client: &Client,
    base: &str,
    user: &str,
    method: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let mut request = client
        .request(method.parse().expect("method"), format!("{base}{path}"))
        .header("Impersonate-User", user);
    if !body.is_null() {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let resp = request.send().await.expect("request");
    let code = resp.status().as_u16();
    let mut body: Value = resp.json().await.unwrap_or(Value::Null);
    if let Some(Value::Array(entries)) = body.pointer_mut("/metadata/managedFields") {
        entries.iter_mut().for_each(|e| e["time"] = json!("<time>"));
    }
    (code, body)
}

/// What an impersonated user may do, and the real server's refusals (403 with its messages).
async fn impersonated(client: &Client, base: &str) -> Vec<(u16, Value)> {
    let review = json!({"spec": {"resourceAttributes": {"verb": "list", "resource": "pods",
                                                          "namespace": "default"}}});
    vec![
        as_user(client, base, "bob", "GET", "/api/v1/namespaces/default/pods", Value::Null).await,
        as_user(client, base, "bob", "GET", "/api/v1/nodes", Value::Null).await,
        as_user(client, base, "bob", "GET", "/apis/apps/v1/namespaces/default/deployments/d/scale", Value::Null).await,
        as_user(client, base, "bob", "DELETE", "/api/v1/namespaces/default/configmaps", Value::Null).await,
        as_user(client, base, "bob", "GET", "/api/v1/namespaces/default", Value::Null).await,
        as_user(client, base, "bob", "GET", "/version", Value::Null).await,
        as_user(client, base, "bob", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review.clone()).await,
        // The bootstrap policy lets every authenticated user review itself.
        as_user(client, base, "bob", "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                json!({"spec": {"resourceAttributes": {"verb": "create", "group": "authorization.k8s.io",
                                                       "resource": "selfsubjectaccessreviews"}}})).await,
    ]
}

#[tokio::test]
async fn an_impersonated_user_is_authorized_by_rbac() {
    let server = ReferenceServer::start().await.expect("reference server");
    let answers = impersonated(&reference_client(), &server.url()).await;
    server.shutdown().await;
    assert_eq!(answers[0].0, 403);
    assert_eq!(
        answers[0].1["message"],
        "pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
    );
    assert_eq!(
        answers[2].1["message"],
        "deployments.apps \"d\" is forbidden: User \"bob\" cannot get resource \"deployments/scale\" in API group \"apps\" in the namespace \"default\""
    );
    assert_eq!(answers[5].0, 200, "what every authenticated user may read");
    assert_eq!(answers[6].1["status"], json!({"allowed": false}));
    assert_eq!(answers[7].1["status"]["allowed"], true, "{}", answers[7].1);

    let Some(oracle) = super::live::oracle("an_impersonated_user_is_authorized_by_rbac (live)")
    else {
        return;
    };
    let client = oracle.client(Duration::from_secs(30)).expect("client");
    let real = impersonated(&client, oracle.base_url()).await;
    // Compared whole, but the version (its build date is the real server's own build's).
    for (i, (reference, real)) in answers.iter().zip(&real).enumerate() {
        if i == 5 {
            assert_eq!(reference.0, real.0, "request {i}");
        } else {
            assert_eq!(reference, real, "request {i}");
        }
    }
}
