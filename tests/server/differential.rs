//! The live differential test: the same request sequence sent to the embedded reference server and
//! to a real kube-apiserver, responses compared after normalising uids, resourceVersions and timestamps
//! (managedFields are compared, but for their times).
//!
//! Runs only when `APICONFORM_ORACLE_URL` names the real server (e.g. `https://127.0.0.1:6443` after
//! `tools/kube-apiserver/start.sh`), with `APICONFORM_ORACLE_TOKEN` (bearer token) and optionally
//! `APICONFORM_ORACLE_CA` (CA file; without it the loopback server's certificate is not verified).
//! Otherwise it says so and passes: the recorded version of the same comparison
//! (`tests/server/transcripts.rs`) always runs. Every answer must be identical (the layout ones
//! byte for byte), but for the named known differences, which may differ in their messages only
//! (`support::transcript::KNOWN_DIFFERENCES`). The run's namespace is deleted afterwards, also
//! when an assertion fails; on a bare server, where it would stay `Terminating`, its finalizer is
//! removed, so that nothing of the run remains.
//!
//! With `APICONFORM_RECORD=1`, the real server's answers to the extended sequence are written to
//! `tests/oracle/extended-v1.20.2/`, the recording the always-on test replays.

use crate::support;

use apiconform::server::ReferenceServer;
use apiconform::target::Target;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use support::transcript::{self, Exchange, IdMap, Verdict, known_difference, verdict};

/// The namespace the recorded sequences use; each live run substitutes a fresh one, because the real
/// server (without a controller manager) never finishes deleting namespaces.
const RECORDED_NS: &str = "conf-smoke";

struct Answer {
    status: u16,
    status_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn send(
    client: &reqwest::Client,
    base: &str,
    ex: &Exchange,
    ns: &str,
    ids: &IdMap,
) -> Answer {
    let path = ex.path.replace(RECORDED_NS, ns);
    let body = String::from_utf8_lossy(&ids.apply(&ex.body)).replace(RECORDED_NS, ns);
    let mut req = client.request(ex.method.parse().expect("method"), format!("{base}{path}"));
    for (k, v) in &ex.headers {
        if !matches!(
            k.to_ascii_lowercase().as_str(),
            "host" | "authorization" | "content-length"
        ) {
            req = req.header(k, v);
        }
    }
    let resp = req
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", ex.name));
    let status = resp.status();
    let headers = resp
        .headers()
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "content-type" | "cache-control"))
        .map(|(k, v)| (title_case(k.as_str()), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = resp.bytes().await.expect("body").to_vec();
    let body = String::from_utf8_lossy(&body)
        .replace(ns, RECORDED_NS)
        .into_bytes();
    Answer {
        status: status.as_u16(),
        status_line: format!("HTTP/1.1 {status}"),
        headers,
        body,
    }
}

fn title_case(h: &str) -> String {
    h.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Deletes the run's namespace on the real server when dropped, unless [`NamespaceGuard::remove`]
/// already did: the namespace must not outlive the test, even one that failed.
struct NamespaceGuard {
    target: Target,
    ns: String,
    removed: bool,
}

impl NamespaceGuard {
    /// Deletes the namespace and reports whether anything of it remains.
    async fn remove(&mut self) -> Result<(), String> {
        let client = self
            .target
            .client(Duration::from_secs(30))
            .map_err(|e| e.to_string())?;
        let result = remove_namespace(&client, self.target.base_url(), &self.ns).await;
        self.removed = true;
        result
    }
}

impl Drop for NamespaceGuard {
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        // Dropped while the test's runtime unwinds: a runtime of its own, on a thread of its own.
        let (target, ns) = (self.target.clone(), self.ns.clone());
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let client = target
                    .client(Duration::from_secs(30))
                    .map_err(|e| e.to_string())?;
                remove_namespace(&client, target.base_url(), &ns).await
            })
        })
        .join();
        match done {
            Ok(Ok(())) => eprintln!("namespace {} deleted", self.ns),
            Ok(Err(e)) => eprintln!("namespace {} NOT deleted: {e}", self.ns),
            Err(_) => eprintln!("namespace {} NOT deleted: the cleanup panicked", self.ns),
        }
    }
}

/// Deletes `ns` and its pods on the real server and waits until neither is left. A bare
/// kube-apiserver has no namespace controller: a deleted namespace stays `Terminating` with the
/// `kubernetes` finalizer, which is removed here (`PUT .../finalize` with `spec.finalizers`
/// emptied). Pods go first, with no grace period, so that none is left behind in the store.
async fn remove_namespace(client: &reqwest::Client, base: &str, ns: &str) -> Result<(), String> {
    let ns_url = format!("{base}/api/v1/namespaces/{ns}");
    let pods_url = format!("{ns_url}/pods");
    let err = |what: &str, e: reqwest::Error| format!("{what}: {e}");
    let resp = client
        .delete(&pods_url)
        .query(&[("gracePeriodSeconds", "0")])
        .send()
        .await
        .map_err(|e| err("deleting the pods", e))?;
    if !(resp.status().is_success() || resp.status().as_u16() == 404) {
        return Err(format!("deleting the pods: HTTP {}", resp.status()));
    }
    let resp = client
        .delete(&ns_url)
        .send()
        .await
        .map_err(|e| err("deleting the namespace", e))?;
    if !(resp.status().is_success() || resp.status().as_u16() == 404) {
        return Err(format!("deleting the namespace: HTTP {}", resp.status()));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let resp = client
            .get(&ns_url)
            .send()
            .await
            .map_err(|e| err("reading the namespace", e))?;
        let status = resp.status().as_u16();
        let mut body: Value = resp.json().await.unwrap_or(Value::Null);
        if status == 404 {
            break;
        }
        let terminating = body["status"]["phase"] == "Terminating";
        let finalizers = body["spec"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
        if status == 200 && terminating && finalizers {
            body["spec"]["finalizers"] = Value::Array(Vec::new());
            let resp = client
                .put(format!("{ns_url}/finalize"))
                .json(&body)
                .send()
                .await
                .map_err(|e| err("finalizing the namespace", e))?;
            if !resp.status().is_success() {
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                return Err(format!("finalizing the namespace: HTTP {status}: {text}"));
            }
        }
        if std::time::Instant::now() > deadline {
            return Err(format!(
                "namespace still there after 60 s: HTTP {status} {body}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Nothing of the namespace may be left in the store either.
    let pods: Value = client
        .get(format!("{base}/api/v1/pods"))
        .query(&[("fieldSelector", format!("metadata.namespace={ns}"))])
        .send()
        .await
        .map_err(|e| err("listing pods", e))?
        .json()
        .await
        .map_err(|e| err("listing pods", e))?;
    match pods["items"].as_array() {
        Some(items) if items.is_empty() => Ok(()),
        _ => Err(format!("pods of {ns} left: {pods}")),
    }
}

fn reason(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("reason").cloned())
}

#[tokio::test]
async fn reference_server_answers_like_the_real_one() {
    let Ok(url) = std::env::var("APICONFORM_ORACLE_URL") else {
        eprintln!("APICONFORM_ORACLE_URL is not set: live differential test not run");
        return;
    };
    let oracle = Target {
        url,
        token: std::env::var("APICONFORM_ORACLE_TOKEN").ok(),
        ca_file: std::env::var("APICONFORM_ORACLE_CA").ok().map(Into::into),
        insecure: std::env::var("APICONFORM_ORACLE_CA").is_err(),
        ..Target::default()
    };
    let oracle_client = oracle
        .client(Duration::from_secs(30))
        .expect("oracle client");
    let server = ReferenceServer::start()
        .await
        .expect("reference server starts");
    let reference_client = Target::new(server.url())
        .client(Duration::from_secs(30))
        .unwrap();

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle");
    let base = transcript::load_dir(&root.join("base-v1.20.2")).expect("base sequence");
    let extended =
        transcript::load_dir(&root.join("extended-requests")).expect("extended sequence");
    let record = std::env::var("APICONFORM_RECORD").is_ok_and(|v| v == "1");
    let out_dir = root.join("extended-v1.20.2");
    if record {
        std::fs::create_dir_all(&out_dir).expect("recording directory");
    }

    let ns = format!(
        "apiconform-diff-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let mut guard = NamespaceGuard {
        target: oracle.clone(),
        ns: ns.clone(),
        removed: false,
    };
    let (mut oracle_ids, mut reference_ids) = (IdMap::default(), IdMap::default());
    let mut identical = 0;
    let mut message_only = Vec::new();
    let mut body_failures = Vec::new();
    let mut rows = Vec::new();
    let mut contract_failures = Vec::new();
    for ex in base.iter().chain(&extended) {
        let o = send(&oracle_client, oracle.base_url(), ex, &ns, &oracle_ids).await;
        let r = send(&reference_client, &server.url(), ex, &ns, &reference_ids).await;
        if let Some(rec) = &ex.response
            && let Ok(recorded) = serde_json::from_slice::<Value>(&rec.body)
        {
            if let Ok(v) = serde_json::from_slice::<Value>(&o.body) {
                oracle_ids.learn(&recorded, &v);
            }
            if let Ok(v) = serde_json::from_slice::<Value>(&r.body) {
                reference_ids.learn(&recorded, &v);
            }
        }
        if record && ex.response.is_none() {
            transcript::write(
                &out_dir.join(format!("{}.txt", ex.name)),
                ex,
                &o.status_line,
                &o.headers,
                &o.body,
            )
            .expect("recording written");
        }
        if o.status != r.status || reason(&o.body) != reason(&r.body) {
            contract_failures.push(format!(
                "{}: real {} {:?}, reference {} {:?}",
                ex.name,
                o.status,
                reason(&o.body),
                r.status,
                reason(&r.body)
            ));
        }
        let outcome = if o.status == r.status {
            verdict(&ex.name, &o.body, &r.body)
        } else {
            Verdict::Differs(format!("status {} vs {}", o.status, r.status))
        };
        match outcome {
            Verdict::Identical => {
                identical += 1;
                rows.push(format!("  identical  {}", ex.name));
                if known_difference(&ex.name).is_some() {
                    body_failures.push(format!(
                        "{}: now identical; remove it from KNOWN_DIFFERENCES",
                        ex.name
                    ));
                }
            }
            Verdict::MessageOnly => {
                message_only.push(ex.name.clone());
                rows.push(format!("  message    {} (known difference)", ex.name));
            }
            Verdict::Differs(at) => {
                let at = at.replace('\n', "\n             ");
                rows.push(format!(
                    "  DIFFERS    {} ({} vs {}): {at}",
                    ex.name, o.status, r.status
                ));
                body_failures.push(format!("{}: {at}", ex.name));
            }
        }
    }
    server.shutdown().await;
    let total = base.len() + extended.len();
    eprintln!(
        "differential sequence: {identical} of {total} responses identical\n{}",
        rows.join("\n")
    );
    let removed = guard.remove().await;
    assert!(
        contract_failures.is_empty(),
        "status code or reason differ:\n{}",
        contract_failures.join("\n")
    );
    assert!(
        body_failures.is_empty(),
        "answers differ:\n{}",
        body_failures.join("\n")
    );
    let mut known: Vec<&str> = transcript::KNOWN_DIFFERENCES
        .iter()
        .map(|(n, _)| *n)
        .collect();
    known.sort_unstable();
    message_only.sort_unstable();
    assert_eq!(
        message_only, known,
        "the known differences, and only they, differ in their messages"
    );
    assert_eq!(
        identical,
        total - known.len(),
        "every other answer is identical"
    );
    removed.unwrap_or_else(|e| panic!("namespace {ns} not removed: {e}"));
}
