//! The always-on differential test: request sequences recorded from a real kube-apiserver v1.20.2
//! (`tests/oracle/*-v1.20.2/`) are replayed against the embedded reference server, and every response
//! must equal the recorded one: same status code, and the same body (same fields, values and field
//! order) once uids, resourceVersions and timestamps (managedFields times included) are normalised.
//! The answers whose layout is the point (`?pretty=true`, compact, `?pretty=false`) must also have
//! the recorded bytes (indentation, trailing newline), and the known differences may differ in
//! their message texts only (see `support::transcript::KNOWN_DIFFERENCES`).

use crate::support;

use apiconform::server::ReferenceServer;
use serde_json::Value;
use std::path::Path;
use support::transcript::{self, IdMap, Verdict, known_difference, verdict};

/// Replays the recorded sequences of `dirs`, in order, against one reference server.
async fn replay(dirs: &[&str]) -> (usize, usize, Vec<String>) {
    let mut exchanges = Vec::new();
    for dir in dirs {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/oracle")
            .join(dir);
        let loaded = transcript::load_dir(&dir).expect("recorded transcripts load");
        assert!(!loaded.is_empty(), "no transcripts in {}", dir.display());
        exchanges.extend(loaded);
    }
    let server = ReferenceServer::start()
        .await
        .expect("reference server starts");
    let client = reqwest::Client::new();
    let mut ids = IdMap::default();
    let mut identical = 0;
    let mut known = 0;
    let mut failures = Vec::new();
    for ex in &exchanges {
        let recorded = ex.response.as_ref().expect("transcript has a response");
        let mut req = client.request(
            ex.method.parse().expect("method"),
            format!("{}{}", server.url(), ex.path),
        );
        for (k, v) in &ex.headers {
            if !matches!(
                k.to_ascii_lowercase().as_str(),
                "host" | "authorization" | "content-length"
            ) {
                req = req.header(k, v);
            }
        }
        let resp = req
            .body(ids.apply(&ex.body))
            .send()
            .await
            .expect("request sent");
        let status = resp.status().as_u16();
        let body = resp.bytes().await.expect("body read").to_vec();
        if let (Ok(r), Ok(a)) = (
            serde_json::from_slice::<Value>(&recorded.body),
            serde_json::from_slice::<Value>(&body),
        ) {
            ids.learn(&r, &a);
        }
        if status != recorded.status {
            failures.push(format!(
                "{}: status {status}, recorded {}",
                ex.name, recorded.status
            ));
            continue;
        }
        match verdict(&ex.name, &recorded.raw_body, &body) {
            Verdict::Identical => {
                identical += 1;
                if known_difference(&ex.name).is_some() {
                    failures.push(format!(
                        "{}: now identical; remove it from KNOWN_DIFFERENCES",
                        ex.name
                    ));
                }
            }
            // Only the message texts differ, for a known reason; everything else was compared.
            Verdict::MessageOnly => known += 1,
            Verdict::Differs(at) => {
                let why = known_difference(&ex.name)
                    .map(|why| format!(" (a known difference, but not only in the message: {why})"))
                    .unwrap_or_default();
                failures.push(format!("{}: body differs{why} at {at}", ex.name));
            }
        }
    }
    server.shutdown().await;
    eprintln!(
        "{dirs:?}: {identical} of {} responses identical, {known} identical but for the message",
        exchanges.len()
    );
    (identical, known, failures)
}

#[tokio::test]
async fn base_sequence_matches_the_recording() {
    let (identical, known, failures) = replay(&["base-v1.20.2"]).await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(identical >= 26, "only {identical} identical");
    assert_eq!(known, 1, "15 differs in its message only");
}

/// The extended sequence was recorded after the base one, in the same namespace: the Pod API's
/// requests, then every core/v1 kind the reference models (`tools/gen_core_battery.py`).
#[tokio::test]
async fn extended_sequence_matches_the_recording() {
    let (identical, known, failures) = replay(&["base-v1.20.2", "extended-v1.20.2"]).await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(identical >= 187, "only {identical} identical");
    assert_eq!(
        known,
        transcript::KNOWN_DIFFERENCES.len(),
        "each known difference differs in its messages only"
    );
}
