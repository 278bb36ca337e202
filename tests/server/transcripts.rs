//! The always-on differential tests: request sequences recorded from a real kube-apiserver v1.20.2
//! (`tests/oracle/*-v1.20.2/`) are replayed against the embedded reference server, and every response
//! must equal the recorded one: same status code, the same body (same fields, values and field
//! order) once uids, resourceVersions and timestamps (managedFields times included) are normalised,
//! and the same `Warning` headers. The answers whose layout is the point (`?pretty=true`, compact,
//! `?pretty=false`) must also have the recorded bytes (indentation, trailing newline), and the known
//! differences may differ in their message texts or `Warning` headers only (see
//! `support::transcript::KNOWN_DIFFERENCES`).
//!
//! The API groups' sequence is compared where the reference serves the resource (by its own
//! discovery, [`Served`]); the rest is counted as not served yet, and must become identical as soon
//! as the reference serves it.

use crate::sequence::{self, Outcome, Served, Tally, compare};
use crate::support;

use apiconform::server::ReferenceServer;
use serde_json::Value;
use std::path::Path;
use support::transcript::{self, Exchange, IdMap, Verdict, known_difference};

/// Replays the recorded sequences of `dirs`, in order, against one reference server: each exchange
/// with its verdict, and what that server serves.
async fn replay(dirs: &[&str]) -> (Vec<(Exchange, Verdict)>, Served) {
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
    let served = Served::of(&client, &server.url()).await;
    let mut ids = IdMap::default();
    let mut replayed = Vec::with_capacity(exchanges.len());
    for ex in exchanges {
        let recorded = ex.response.as_ref().expect("transcript has a response");
        let answer =
            sequence::send(&client, &server.url(), &ex, &ex.path, ids.apply(&ex.body)).await;
        if let (Ok(r), Ok(a)) = (
            serde_json::from_slice::<Value>(&recorded.body),
            serde_json::from_slice::<Value>(&answer.body),
        ) {
            ids.learn(&r, &a);
        }
        // For a look at what the reference answered: APICONFORM_REPLAY_DUMP=<dir> writes each
        // answer's body there, named after its exchange.
        if let Some(dir) = std::env::var_os("APICONFORM_REPLAY_DUMP") {
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(Path::new(&dir).join(&ex.name), &answer.body);
        }
        let verdict = compare(
            &ex.name,
            recorded.status,
            &recorded.raw_body,
            &recorded.warnings(),
            &answer,
        );
        replayed.push((ex, verdict));
    }
    server.shutdown().await;
    (replayed, served)
}

/// The identical answers, the known differences (identical but for what they may differ in), and
/// the failures.
fn summary<'a>(
    label: &str,
    replayed: impl IntoIterator<Item = &'a (Exchange, Verdict)>,
) -> (usize, usize, Vec<String>) {
    let (mut identical, mut known, mut failures, mut total) = (0, 0, Vec::new(), 0);
    for (ex, verdict) in replayed {
        total += 1;
        match verdict {
            Verdict::Identical => {
                identical += 1;
                if known_difference(&ex.name).is_some() {
                    failures.push(format!(
                        "{}: now identical; remove it from KNOWN_DIFFERENCES",
                        ex.name
                    ));
                }
            }
            // Only the message texts or Warning headers differ, for a known reason; everything else
            // was compared.
            Verdict::Known => known += 1,
            Verdict::Differs(at) => {
                let why = known_difference(&ex.name)
                    .map(|why| format!(" (a known difference, but not only in what it may: {why})"))
                    .unwrap_or_default();
                failures.push(format!("{}: differs{why} at {at}", ex.name));
            }
        }
    }
    eprintln!("{label}: {identical} of {total} responses identical, {known} known differences");
    (identical, known, failures)
}

#[tokio::test]
async fn base_sequence_matches_the_recording() {
    let (replayed, _) = replay(&["base-v1.20.2"]).await;
    let (identical, known, failures) = summary("base-v1.20.2", &replayed);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(identical >= 26, "only {identical} identical");
    assert_eq!(known, 1, "15 differs in its message only");
}

/// The extended sequence was recorded after the base one, in the same namespace: the Pod API's
/// requests, then every core/v1 kind the reference models (`tools/gen_core_battery.py`).
#[tokio::test]
async fn extended_sequence_matches_the_recording() {
    let (replayed, _) = replay(&["base-v1.20.2", "extended-v1.20.2"]).await;
    let (identical, known, failures) = summary("base and extended", &replayed);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(identical >= 253, "only {identical} identical");
    assert_eq!(
        known, 4,
        "each known difference of the core sequences differs in what it may only"
    );
}

/// The API groups' sequence (`tools/gen_groups_battery.py`), recorded in a namespace of its own
/// (which it creates first): the exchanges of resources the reference serves must be identical,
/// the others are counted per resource.
#[tokio::test]
async fn groups_sequence_matches_the_recording() {
    let (replayed, mut served) = replay(&["groups-v1.20.2"]).await;
    let mut tally = Tally::default();
    let mut compared = Vec::new();
    for entry in &replayed {
        let (ex, verdict) = entry;
        let recorded = ex.response.as_ref().expect("transcript has a response");
        let resource = sequence::resource_of(&ex.path);
        if served.covers(ex, recorded.status, &recorded.body) {
            tally.add(&resource, Outcome::from(verdict));
            compared.push(entry);
        } else {
            tally.add(&resource, Outcome::NotServed);
        }
    }
    let (identical, known, failures) = summary("groups-v1.20.2", compared);
    eprintln!(
        "groups-v1.20.2 per resource ({} exchanges):\n{}",
        replayed.len(),
        tally.table()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(known, 0, "the groups have no known differences");
    let total = identical + known;
    assert!(
        identical * 100 >= total * 95,
        "only {identical} of {total} compared answers identical"
    );
}

/// The ids a recorded request quotes become the ones the server gave, each once: a server whose
/// resourceVersions run ahead of the recording's gives for a recorded version one that the
/// recording used later, and that one must not be replaced again (a stale version would become
/// the current one).
#[test]
fn recorded_ids_are_replaced_once() {
    let mut ids = IdMap::default();
    let recorded = serde_json::json!({"metadata": {"resourceVersion": "190"}, "items": [{"metadata": {"resourceVersion": "194", "uid": "u-1"}}]});
    let actual = serde_json::json!({"metadata": {"resourceVersion": "194"}, "items": [{"metadata": {"resourceVersion": "198", "uid": "u-2"}}]});
    ids.learn(&recorded, &actual);
    let body = br#"{"metadata": {"resourceVersion": "190", "uid": "u-1", "name": "a\"190\""}, "x": "194"}"#;
    assert_eq!(
        String::from_utf8(ids.apply(body)).unwrap(),
        r#"{"metadata": {"resourceVersion": "194", "uid": "u-2", "name": "a\"190\""}, "x": "198"}"#
    );
}
