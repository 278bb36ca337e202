//! The always-on differential test: request sequences recorded from a real kube-apiserver v1.20.2
//! (`tests/oracle/*-v1.20.2/`) are replayed against the embedded reference server, and every response
//! must equal the recorded one: same status code, and the same body (same fields, values and field
//! order) once uids, resourceVersions and timestamps (managedFields times included) are normalised.

mod support;

use apiconform::server::ReferenceServer;
use serde_json::Value;
use std::path::Path;
use support::transcript::{self, IdMap, comparable, first_difference};

/// Exchanges whose body is known to differ, and why. Status code and reason must still match.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    ("15-patch-immutable-restartpolicy", CMP_DIFF),
    ("37-smp-env-merge", CMP_DIFF),
    ("64-put-pod-change-restart-policy", CMP_DIFF),
    (
        "52-merge-patch-wrong-type",
        "the message quotes json-iterator's decoder context (`error found in #10 byte of ...|...|`), \
         and Go's partially re-marshalled patched document; the reference server quotes the whole \
         document with sorted keys and no decoder context",
    ),
];

const CMP_DIFF: &str = "the message embeds Go's cmp.Diff of the internal core.PodSpec; the reference \
                        server renders its own, shorter diff of the v1 fields";

/// Replays the recorded sequences of `dirs`, in order, against one reference server.
async fn replay(dirs: &[&str]) -> (usize, Vec<String>) {
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
        let (want, got) = (comparable(&recorded.body), comparable(&body));
        let known = KNOWN_DIFFERENCES.iter().find(|(n, _)| *n == ex.name);
        if status != recorded.status {
            failures.push(format!(
                "{}: status {status}, recorded {}",
                ex.name, recorded.status
            ));
        } else if want == got {
            identical += 1;
            if known.is_some() {
                failures.push(format!(
                    "{}: now identical; remove it from KNOWN_DIFFERENCES",
                    ex.name
                ));
            }
        } else if let Some((_, why)) = known {
            // Code and reason still have to agree.
            let reason = |b: &str| {
                serde_json::from_str::<Value>(b)
                    .ok()
                    .and_then(|v| v.get("reason").cloned())
            };
            if reason(&want) != reason(&got) {
                failures.push(format!("{}: reason differs ({why})", ex.name));
            }
        } else {
            failures.push(format!(
                "{}: body differs at {}",
                ex.name,
                first_difference(&want, &got)
            ));
        }
    }
    server.shutdown().await;
    eprintln!(
        "{dirs:?}: {identical} of {} responses identical",
        exchanges.len()
    );
    (identical, failures)
}

#[tokio::test]
async fn base_sequence_matches_the_recording() {
    let (identical, failures) = replay(&["base-v1.20.2"]).await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(identical >= 26, "only {identical} identical");
}

/// The extended sequence was recorded after the base one, in the same namespace.
#[tokio::test]
async fn extended_sequence_matches_the_recording() {
    let (identical, failures) = replay(&["base-v1.20.2", "extended-v1.20.2"]).await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(identical >= 68, "only {identical} identical");
}
