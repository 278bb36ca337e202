//! The live differential test: the same request sequence sent to the embedded reference server and
//! to a real kube-apiserver, responses compared after normalising uids, resourceVersions and timestamps
//! (managedFields are compared, but for their times).
//!
//! Runs only when `APICONFORM_ORACLE_URL` names the real server (e.g. `https://127.0.0.1:6443` after
//! `../shared/kube-apiserver/start.sh`), with `APICONFORM_ORACLE_TOKEN` (bearer token) and optionally
//! `APICONFORM_ORACLE_CA` (CA file; without it the loopback server's certificate is not verified).
//! Otherwise it says so and passes: the recorded version of the same comparison
//! (`tests/reference_transcripts.rs`) always runs.
//!
//! With `APICONFORM_RECORD=1`, the real server's answers to the extended sequence are written to
//! `tests/oracle/extended-v1.20.2/`, the recording the always-on test replays.

mod support;

use apiconform::server::ReferenceServer;
use apiconform::target::Target;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use support::transcript::{self, Exchange, IdMap, comparable, first_difference};

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
    let (mut oracle_ids, mut reference_ids) = (IdMap::default(), IdMap::default());
    let mut identical = 0;
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
        let (want, got) = (comparable(&o.body), comparable(&r.body));
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
        if o.status == r.status && want == got {
            identical += 1;
            rows.push(format!("  identical  {}", ex.name));
        } else {
            rows.push(format!(
                "  DIFFERS    {} ({} vs {}): {}",
                ex.name,
                o.status,
                r.status,
                first_difference(&want, &got).replace('\n', "\n             ")
            ));
        }
    }
    server.shutdown().await;
    let total = base.len() + extended.len();
    eprintln!(
        "differential sequence: {identical} of {total} responses identical\n{}",
        rows.join("\n")
    );
    assert!(
        contract_failures.is_empty(),
        "status code or reason differ:\n{}",
        contract_failures.join("\n")
    );
}
