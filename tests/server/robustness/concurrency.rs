//! Concurrent writers: optimistic concurrency, unconditional patches, the one resourceVersion counter.

use super::*;

/// How one writer of a conditional round changes the pod.
#[derive(Clone, Copy, Debug)]
enum ConditionalWrite {
    Put,
    PutStatus,
    Patch(&'static str),
}

impl ConditionalWrite {
    /// The method, URL suffix, content type and body with which a writer sets its `mark`, based on
    /// the stored object (and its resourceVersion). Marks must differ from the stored one: a write
    /// that changes nothing succeeds whatever happened concurrently.
    fn request(
        &self,
        stored: &Value,
        mark: &str,
    ) -> (&'static str, &'static str, &'static str, String) {
        let rv = stored["metadata"]["resourceVersion"].clone();
        let writer = json!(mark);
        match self {
            ConditionalWrite::Put => {
                let mut pod = stored.clone();
                pod["metadata"]["labels"]["writer"] = writer;
                ("PUT", "", "application/json", pod.to_string())
            }
            ConditionalWrite::PutStatus => {
                let mut pod = stored.clone();
                pod["status"]["message"] = writer;
                ("PUT", "/status", "application/json", pod.to_string())
            }
            ConditionalWrite::Patch(ct) => {
                let patch =
                    json!({"metadata": {"resourceVersion": rv, "labels": {"writer": writer}}});
                ("PATCH", "", ct, patch.to_string())
            }
        }
    }

    /// The writer's mark in an object it wrote.
    fn mark<'a>(&self, obj: &'a Value) -> &'a Value {
        match self {
            ConditionalWrite::PutStatus => &obj["status"]["message"],
            _ => &obj["metadata"]["labels"]["writer"],
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_writes_based_on_one_resource_version_have_exactly_one_winner() {
    const WRITERS: usize = 32;
    let (_server, client, base) = setup().await;
    let rounds = [
        ConditionalWrite::Put,
        ConditionalWrite::Patch(MERGE_PATCH),
        ConditionalWrite::PutStatus,
        ConditionalWrite::Patch(STRATEGIC_PATCH),
        ConditionalWrite::Put,
        ConditionalWrite::Patch(MERGE_PATCH),
    ];
    for (round, write) in rounds.into_iter().enumerate() {
        let (_, stored) = get_pod(&client, &base).await;
        let barrier = Arc::new(Barrier::new(WRITERS));
        let mut tasks = JoinSet::new();
        for j in 0..WRITERS {
            let (method, sub, ct, body) = write.request(&stored, &format!("r{round}-w{j}"));
            let (client, barrier) = (client.clone(), barrier.clone());
            let url = format!("{}{sub}", pod_url(&base));
            tasks.spawn(async move {
                barrier.wait().await;
                (j, send(&client, method, &url, Some(ct), body).await)
            });
        }
        let mut winners = Vec::new();
        while let Some(done) = tasks.join_next().await {
            let (j, reply) = done.expect("writer task");
            let what = format!("round {round} ({write:?}), writer {j}");
            match reply.code {
                StatusCode::OK => winners.push((j, reply.json())),
                StatusCode::CONFLICT => {
                    let status = assert_failure_status(&what, "", &reply);
                    assert_eq!(status["reason"], "Conflict", "{what}");
                    assert_eq!(status["message"], CONFLICT_MESSAGE, "{what}");
                    assert_eq!(
                        status["details"],
                        json!({"name": POD, "kind": "pods"}),
                        "{what}"
                    );
                }
                other => panic!("{what}: {other}: {}", String::from_utf8_lossy(&reply.body)),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "round {round} ({write:?}): winners {winners:?}"
        );
        let (j, won) = &winners[0];
        assert_eq!(
            write.mark(won),
            &json!(format!("r{round}-w{j}")),
            "round {round}"
        );
        assert!(
            rv(won) > rv(&stored),
            "round {round}: resourceVersion not bumped"
        );
        let (_, now) = get_pod(&client, &base).await;
        assert_eq!(&now, won, "round {round}: stored object is the winner's");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_unconditional_patches_all_apply_in_one_order() {
    const WRITERS: usize = 30;
    let (_server, client, base) = setup().await;
    let (_, stored) = get_pod(&client, &base).await;
    let start = rv(&stored);
    let barrier = Arc::new(Barrier::new(WRITERS));
    let mut tasks = JoinSet::new();
    for i in 0..WRITERS {
        let ct = PATCH_TYPES[i % 3];
        let body = match ct {
            JSON_PATCH => {
                json!([{"op": "add", "path": format!("/metadata/labels/k{i}"), "value": "v"}])
            }
            _ => json!({"metadata": {"labels": {format!("k{i}"): "v"}}}),
        };
        let (client, barrier, url) = (client.clone(), barrier.clone(), pod_url(&base));
        tasks.spawn(async move {
            barrier.wait().await;
            (
                i,
                send(&client, "PATCH", &url, Some(ct), body.to_string()).await,
            )
        });
    }
    let mut results: Vec<(u64, usize, Value)> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (i, reply) = done.expect("writer task");
        assert_eq!(
            reply.code,
            StatusCode::OK,
            "patch {i}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        let obj = reply.json();
        results.push((rv(&obj), i, obj));
    }
    results.sort_by_key(|(rv, _, _)| *rv);
    let rvs: Vec<u64> = results.iter().map(|(rv, _, _)| *rv).collect();
    let expected: Vec<u64> = (start + 1..=start + WRITERS as u64).collect();
    assert_eq!(
        rvs, expected,
        "one new resourceVersion per patch, no gaps, no repeats"
    );
    // Linearizable: the answer to the k-th write holds exactly the labels of the first k writes.
    let mut applied = vec!["app".to_string()];
    for (rv, i, obj) in &results {
        applied.push(format!("k{i}"));
        let mut labels: Vec<String> = obj["metadata"]["labels"]
            .as_object()
            .expect("labels")
            .keys()
            .cloned()
            .collect();
        labels.sort();
        let mut want = applied.clone();
        want.sort();
        assert_eq!(
            labels, want,
            "labels in the answer with resourceVersion {rv}"
        );
    }
    let (_, last) = get_pod(&client, &base).await;
    assert_eq!(rv(&last), start + WRITERS as u64);
    assert_eq!(last, results.last().expect("results").2);
    assert_eq!(
        last["metadata"]["labels"]
            .as_object()
            .expect("labels")
            .len(),
        WRITERS + 1
    );
}

#[tokio::test]
async fn resource_version_is_one_counter_across_objects() {
    let (_server, client, base) = setup().await;
    let (_, first) = get_pod(&client, &base).await;
    let mut highest = rv(&first);
    let mut advance = |obj: &Value, what: &str| {
        let v = rv(obj);
        assert!(
            v > highest,
            "{what}: resourceVersion {v} not above {highest}"
        );
        highest = v;
        v
    };

    let patched = send(
        &client,
        "PATCH",
        &pod_url(&base),
        Some(STRATEGIC_PATCH),
        r#"{"metadata":{"labels":{"step":"1"}}}"#,
    )
    .await
    .json();
    advance(&patched, "patch of the first pod");
    advance(
        &create_namespace(&client, &base, "other").await,
        "second namespace",
    );
    advance(
        &create_pod(&client, &base, "other", POD).await,
        "pod of the same name in the second namespace",
    );
    let second = advance(
        &create_pod(&client, &base, NS, "second").await,
        "second pod in the first namespace",
    );
    // Failed and dry-run writes take no resourceVersion.
    let failed = send(
        &client,
        "PATCH",
        &pod_url(&base),
        Some(MERGE_PATCH),
        r#"{"metadata":{"resourceVersion":"1"}}"#,
    )
    .await;
    assert_eq!(failed.code, StatusCode::CONFLICT);
    let dry = label_pod(
        &client,
        &format!("{}?dryRun=All", pod_url(&base)),
        "dry",
        "run",
    )
    .await;
    assert_eq!(dry.code, StatusCode::OK);
    let third = create_pod(&client, &base, NS, "third").await;
    let last = advance(&third, "third pod");
    assert_eq!(last, second + 1, "no resourceVersion consumed in between");

    for list in ["/api/v1/pods", "/api/v1/namespaces"] {
        let reply = get(&client, &format!("{base}{list}")).await;
        assert_eq!(reply.code, StatusCode::OK);
        assert_eq!(rv(&reply.json()), last, "{list}");
    }
}

// ---------------------------------------------------------------------------------------------------
// 4. Unknown paths and methods
