//! Robustness of the embedded reference server (`apiconform::server`), by concern: request bodies
//! (`bodies`: malformed, oversized, stalled), concurrent writers (`concurrency`), the HTTP surface
//! (`protocol`: unknown paths and methods, output formatting, dry runs), patches at their limits
//! (`patches`: operation counts, copied bytes, nesting depth, each checked against the real server),
//! and lists (`lists`: paging). This file holds what they share: the server, the request helpers and
//! the endpoints every body test goes through.
//!
//! Every test starts its own server on an ephemeral loopback port.

use apiconform::server::{MAX_BODY_BYTES, ReferenceServer};
use reqwest::header::{CONTENT_TYPE, USER_AGENT};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Barrier;
use tokio::task::JoinSet;

const NS: &str = "robust";
const POD: &str = "victim";
const JSON_PATCH: &str = "application/json-patch+json";
const MERGE_PATCH: &str = "application/merge-patch+json";
const STRATEGIC_PATCH: &str = "application/strategic-merge-patch+json";
const PATCH_TYPES: [&str; 3] = [JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH];
/// kube-apiserver's `MaxRequestBodyBytes`: 3 MiB.
const LIMIT: usize = 3 * 1024 * 1024;
const CONFLICT_MESSAGE: &str = "Operation cannot be fulfilled on pods \"victim\": the object has been \
                                modified; please apply your changes to the latest version and try again";

// ---------------------------------------------------------------------------------------------------
// Helpers

/// The User-Agent of the tests' client (the field manager of its writes).
const CLIENT_AGENT: &str = "apiconform-robustness/1";

/// A fresh server holding namespace `NS` with pod `POD`, a client with a per-request timeout, and the
/// server's base URL. Keep the server alive for the duration of the test.
async fn setup() -> (ReferenceServer, Client, String) {
    let server = ReferenceServer::start()
        .await
        .expect("reference server starts");
    let client = Client::builder()
        .timeout(Duration::from_secs(5))
        .user_agent(CLIENT_AGENT)
        .build()
        .expect("client builds");
    let base = server.url();
    create_namespace(&client, &base, NS).await;
    create_pod(&client, &base, NS, POD).await;
    (server, client, base)
}

fn pod_url(base: &str) -> String {
    format!("{base}/api/v1/namespaces/{NS}/pods/{POD}")
}

/// One answer: status, `Content-Type` and the body bytes.
struct Reply {
    code: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} body is not JSON ({e}): {}",
                self.code,
                String::from_utf8_lossy(&self.body[..self.body.len().min(300)])
            )
        })
    }
}

async fn send(
    client: &Client,
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = client.request(method, url).body(body);
    if let Some(ct) = content_type {
        req = req.header(CONTENT_TYPE, ct);
    }
    let resp = req.send().await.expect("request gets an answer");
    let code = resp.status();
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.bytes().await.expect("body read").to_vec();
    Reply {
        code,
        content_type,
        body,
    }
}

async fn get(client: &Client, url: &str) -> Reply {
    send(client, "GET", url, None, Vec::new()).await
}

/// A merge patch at `url` that sets one label.
async fn label_pod(client: &Client, url: &str, key: &str, value: &str) -> Reply {
    let body = json!({"metadata": {"labels": {key: value}}}).to_string();
    send(client, "PATCH", url, Some(MERGE_PATCH), body).await
}

/// The pod as stored: its exact bytes and parsed value.
async fn get_pod(client: &Client, base: &str) -> (Vec<u8>, Value) {
    let reply = get(client, &pod_url(base)).await;
    assert_eq!(reply.code, StatusCode::OK, "GET pod");
    let v = reply.json();
    (reply.body, v)
}

async fn create_namespace(client: &Client, base: &str, ns: &str) -> Value {
    let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
    let reply = send(
        client,
        "POST",
        &format!("{base}/api/v1/namespaces"),
        Some("application/json"),
        body.to_string(),
    )
    .await;
    assert_eq!(reply.code, StatusCode::CREATED, "create namespace {ns}");
    reply.json()
}

async fn create_pod(client: &Client, base: &str, ns: &str, name: &str) -> Value {
    let body = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "robust"}},
        "spec": {"containers": [{"name": "main", "image": "busybox:1.33"}]}
    });
    let reply = send(
        client,
        "POST",
        &format!("{base}/api/v1/namespaces/{ns}/pods"),
        Some("application/json"),
        body.to_string(),
    )
    .await;
    assert_eq!(reply.code, StatusCode::CREATED, "create pod {ns}/{name}");
    reply.json()
}

/// `metadata.resourceVersion` as a number.
fn rv(obj: &Value) -> u64 {
    obj["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no numeric resourceVersion in {obj}"))
}

/// Asserts that `reply` is a well-formed failure `Status` whose `code` is the HTTP status: a 4xx
/// with a reason, or the reason-less 500 "Invalid JSON Patch" kube-apiserver gives for a merge patch
/// it cannot parse. Returns the Status.
fn assert_failure_status(what: &str, content_type: &str, reply: &Reply) -> Value {
    assert_eq!(
        reply.content_type, "application/json",
        "{what}: Content-Type"
    );
    let status = reply.json();
    let keys: Vec<&str> = status
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(status["kind"], "Status", "{what}: {status}");
    assert_eq!(status["apiVersion"], "v1", "{what}: {status}");
    assert_eq!(status["metadata"], json!({}), "{what}: {status}");
    assert_eq!(status["status"], "Failure", "{what}: {status}");
    assert_eq!(
        status["code"].as_u64(),
        Some(u64::from(reply.code.as_u16())),
        "{what}: code member vs HTTP status: {status}"
    );
    assert!(
        status["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: message: {status}"
    );
    assert!(
        keys.iter().all(|k| [
            "kind",
            "apiVersion",
            "metadata",
            "status",
            "message",
            "reason",
            "details",
            "code"
        ]
        .contains(k)),
        "{what}: unexpected members: {status}"
    );
    let merge_patch_500 = reply.code == StatusCode::INTERNAL_SERVER_ERROR
        && content_type == MERGE_PATCH
        && status["message"] == "Invalid JSON Patch";
    if merge_patch_500 {
        assert!(status.get("reason").is_none(), "{what}: {status}");
    } else {
        assert!(
            reply.code.is_client_error(),
            "{what}: want 4xx, got {}: {status}",
            reply.code
        );
        assert!(
            status["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{what}: reason: {status}"
        );
    }
    status
}

/// A write endpoint of the pod: method, path after `.../pods/{name}`, request content type.
#[derive(Clone, Copy, Debug)]
struct Endpoint {
    method: &'static str,
    sub: &'static str,
    content_type: &'static str,
}

const ENDPOINTS: [Endpoint; 8] = [
    Endpoint {
        method: "PUT",
        sub: "",
        content_type: "application/json",
    },
    Endpoint {
        method: "PUT",
        sub: "/status",
        content_type: "application/json",
    },
    Endpoint {
        method: "PATCH",
        sub: "",
        content_type: JSON_PATCH,
    },
    Endpoint {
        method: "PATCH",
        sub: "",
        content_type: MERGE_PATCH,
    },
    Endpoint {
        method: "PATCH",
        sub: "",
        content_type: STRATEGIC_PATCH,
    },
    Endpoint {
        method: "PATCH",
        sub: "/status",
        content_type: JSON_PATCH,
    },
    Endpoint {
        method: "PATCH",
        sub: "/status",
        content_type: MERGE_PATCH,
    },
    Endpoint {
        method: "PATCH",
        sub: "/status",
        content_type: STRATEGIC_PATCH,
    },
];

impl Endpoint {
    fn url(&self, base: &str) -> String {
        format!("{}{}", pod_url(base), self.sub)
    }

    fn name(&self) -> String {
        format!(
            "{} pods/{}{} ({})",
            self.method, POD, self.sub, self.content_type
        )
    }

    /// A body this endpoint accepts and that changes nothing: the stored pod for a PUT, an empty
    /// patch otherwise.
    fn no_op_body(&self, stored: &[u8]) -> Vec<u8> {
        match self.content_type {
            JSON_PATCH => b"[]".to_vec(),
            MERGE_PATCH | STRATEGIC_PATCH => b"{}".to_vec(),
            _ => stored.to_vec(),
        }
    }

    /// A valid body that sets `value` where this endpoint may change the pod: `status.message` on
    /// the status subresource, `metadata.labels.probe` on the pod.
    fn change_body(&self, stored: &Value, value: &Value) -> Vec<u8> {
        let (parent, field) = self.changed_field();
        let v = match self.content_type {
            JSON_PATCH => {
                json!([{"op": "add", "path": format!("/{parent}/{field}"), "value": value}])
            }
            MERGE_PATCH | STRATEGIC_PATCH if parent == "status" => {
                json!({"status": {"message": value}})
            }
            MERGE_PATCH | STRATEGIC_PATCH => json!({"metadata": {"labels": {"probe": value}}}),
            _ => {
                let mut pod = stored.clone();
                pod.pointer_mut(&format!("/{parent}"))
                    .and_then(Value::as_object_mut)
                    .expect("parent object")
                    .insert(field.to_string(), value.clone());
                pod
            }
        };
        v.to_string().into_bytes()
    }

    /// A valid body that sets the label `probe` to `value`, on either subresource.
    fn label_body(&self, stored: &Value, value: &Value) -> Vec<u8> {
        let v = match self.content_type {
            JSON_PATCH => json!([{"op": "add", "path": "/metadata/labels/probe", "value": value}]),
            MERGE_PATCH | STRATEGIC_PATCH => json!({"metadata": {"labels": {"probe": value}}}),
            _ => {
                let mut pod = stored.clone();
                pod["metadata"]["labels"]["probe"] = value.clone();
                pod
            }
        };
        v.to_string().into_bytes()
    }

    /// The JSON pointer (without its leading `/`) of the parent object and the field that
    /// [`Endpoint::change_body`] sets.
    fn changed_field(&self) -> (&'static str, &'static str) {
        if self.sub == "/status" {
            ("status", "message")
        } else {
            ("metadata/labels", "probe")
        }
    }

    /// The value of the field [`Endpoint::change_body`] sets, in `obj`.
    fn changed<'a>(&self, obj: &'a Value) -> &'a Value {
        let (parent, field) = self.changed_field();
        obj.pointer(&format!("/{parent}/{field}"))
            .unwrap_or(&Value::Null)
    }

    /// Well-formed JSON of the wrong shape: scalars, and arrays where an object is expected (objects
    /// where a JSON Patch array is expected). `null` is left out: Go decodes it into a map or a
    /// slice without error, so it is not malformed for kube-apiserver.
    fn wrong_shapes(&self) -> &'static [&'static str] {
        match self.content_type {
            JSON_PATCH => &[
                r#"{"op":"add","path":"/metadata/labels/x","value":"y"}"#,
                "42",
                r#""pod""#,
                "true",
                "[1]",
                "[[]]",
                r#"["add"]"#,
            ],
            _ => &["42", r#""pod""#, "true", "[]", r#"[{"metadata":{}}]"#],
        }
    }
}

/// `json` padded with trailing spaces to exactly `len` bytes (still valid JSON).
fn padded(json: &[u8], len: usize) -> Vec<u8> {
    assert!(json.len() <= len);
    let mut v = json.to_vec();
    v.resize(len, b' ');
    v
}

mod bodies;
mod concurrency;
mod lists;
mod patches;
mod protocol;
