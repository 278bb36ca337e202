//! Request bodies the server must refuse or bound: malformed ones (each refused with the real
//! server's status and nothing changed), the 3 MiB limit, stalled and abandoned uploads.

use super::*;

/// `n` bytes from a fixed-seed linear congruential generator (Knuth's MMIX constants).
fn lcg_bytes(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as u8
        })
        .collect()
}

/// Every malformed body for `ep`, named. `stored` is the pod's current JSON.
fn bad_bodies(ep: &Endpoint, stored: &Value) -> Vec<(String, Vec<u8>)> {
    let mut bodies: Vec<(String, Vec<u8>)> = Vec::new();
    let valid = ep.change_body(stored, &json!("ok"));
    bodies.push(("empty".into(), Vec::new()));
    bodies.push(("truncated".into(), valid[..valid.len() / 2].to_vec()));
    bodies.push(("only an opening brace".into(), b"{".to_vec()));
    for seed in [1, 2, 3] {
        bodies.push((format!("binary seed {seed}"), lcg_bytes(4096, seed)));
    }
    // Invalid UTF-8 (a lone continuation byte and a truncated sequence) inside a JSON string. Go
    // decodes it as U+FFFD, so it goes where that is invalid too: a label value.
    let bad_utf8 = ep.label_body(stored, &json!("@@BAD@@"));
    let text = String::from_utf8(bad_utf8).expect("utf-8");
    let (before, after) = text.split_once("@@BAD@@").expect("marker");
    bodies.push((
        "invalid UTF-8 in a string".into(),
        [before.as_bytes(), b"\x80\xff\xe2\x82", after.as_bytes()].concat(),
    ));
    for shape in ep.wrong_shapes() {
        bodies.push((format!("wrong shape {shape}"), shape.as_bytes().to_vec()));
    }
    bodies.push(("100000 '['".into(), vec![b'['; 100_000]));
    bodies.push((
        "100000 balanced '[' ']'".into(),
        [vec![b'['; 100_000], vec![b']'; 100_000]].concat(),
    ));
    bodies.push(("100000 '{\"a\":'".into(), b"{\"a\":".repeat(100_000)));
    // Deep, but within what the parser accepts: a label value nested 100 arrays deep.
    let deep: Value = (0..100).fold(json!("x"), |v, _| json!([v]));
    bodies.push((
        "a value nested 100 deep".into(),
        ep.change_body(stored, &deep),
    ));
    bodies
}

// ---------------------------------------------------------------------------------------------------
// 1 and 2. Bad bodies get Status errors and change nothing

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_bodies_get_failure_statuses_and_change_nothing() {
    let (_server, client, base) = setup().await;
    let (before, stored) = get_pod(&client, &base).await;
    let mut seen = 0;
    for ep in ENDPOINTS {
        for (what, body) in bad_bodies(&ep, &stored) {
            let what = format!("{} with {what}", ep.name());
            let reply = send(
                &client,
                ep.method,
                &ep.url(&base),
                Some(ep.content_type),
                body,
            )
            .await;
            assert_failure_status(&what, ep.content_type, &reply);
            seen += 1;
        }
    }
    assert!(seen > 100, "only {seen} bad requests sent");

    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(
        String::from_utf8_lossy(&after),
        String::from_utf8_lossy(&before),
        "the stored pod changed"
    );

    // The server still works: a valid patch succeeds and takes a new resourceVersion.
    let reply = label_pod(&client, &pod_url(&base), "still", "alive").await;
    assert_eq!(reply.code, StatusCode::OK);
    let patched = reply.json();
    assert_eq!(patched["metadata"]["labels"]["still"], "alive");
    assert!(rv(&patched) > rv(&stored));
}

#[tokio::test]
async fn malformed_bodies_get_the_recorded_status_for_each_patch_type() {
    // The answers kube-apiserver v1.20.2 gives to an unparsable body: recorded in the transcripts
    // 10-patch-malformed-body, 10b-patch-malformed-merge-body and 60-put-status-empty-body; for a
    // strategic merge patch, the io.ErrUnexpectedEOF of the streaming decoder in util/json.
    let (_server, client, base) = setup().await;
    let cases = [
        (
            "PATCH",
            "",
            JSON_PATCH,
            "{\"metadata\":",
            400,
            Some("BadRequest"),
            "unexpected end of JSON input",
        ),
        (
            "PATCH",
            "",
            MERGE_PATCH,
            "{\"metadata\":",
            500,
            None,
            "Invalid JSON Patch",
        ),
        (
            "PATCH",
            "",
            STRATEGIC_PATCH,
            "{\"metadata\":",
            400,
            Some("BadRequest"),
            "unexpected EOF",
        ),
        (
            "PUT",
            "/status",
            "application/json",
            "",
            400,
            Some("BadRequest"),
            "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; \
             json parse error: unexpected end of JSON input (<empty>)",
        ),
    ];
    for (method, sub, ct, body, code, reason, message) in cases {
        let url = format!("{}{sub}", pod_url(&base));
        let reply = send(&client, method, &url, Some(ct), body).await;
        let what = format!("{method} {sub} {ct} {body:?}");
        assert_eq!(reply.code.as_u16(), code, "{what}");
        let status = assert_failure_status(&what, ct, &reply);
        assert_eq!(status["reason"].as_str(), reason, "{what}");
        assert_eq!(status["message"], message, "{what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bodies_over_3_mib_get_413_and_exactly_3_mib_is_accepted() {
    assert_eq!(MAX_BODY_BYTES, LIMIT);
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    for ep in ENDPOINTS {
        // Valid JSON that changes nothing, padded with whitespace: only its size can be wrong.
        let no_op = ep.no_op_body(&before);

        let reply = send(
            &client,
            ep.method,
            &ep.url(&base),
            Some(ep.content_type),
            padded(&no_op, LIMIT + 1),
        )
        .await;
        let what = format!("{} with {} bytes", ep.name(), LIMIT + 1);
        assert_eq!(reply.code, StatusCode::PAYLOAD_TOO_LARGE, "{what}");
        let status = assert_failure_status(&what, ep.content_type, &reply);
        assert_eq!(status["reason"], "RequestEntityTooLarge", "{what}");
        assert_eq!(
            status["message"], "Request entity too large: limit is 3145728",
            "{what}"
        );

        let reply = send(
            &client,
            ep.method,
            &ep.url(&base),
            Some(ep.content_type),
            padded(&no_op, LIMIT),
        )
        .await;
        assert_eq!(
            reply.code,
            StatusCode::OK,
            "{} with exactly {LIMIT} bytes: {}",
            ep.name(),
            String::from_utf8_lossy(&reply.body)
        );
        // A no-op write answers with the stored object, as it is.
        assert_eq!(
            reply.body,
            before,
            "{} with exactly {LIMIT} bytes",
            ep.name()
        );
    }
    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before, "the stored pod changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_stalled_or_abandoned_mid_body_blocks_nobody() {
    let (server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    let head = |len: usize| {
        format!(
            "PATCH /api/v1/namespaces/{NS}/pods/{POD} HTTP/1.1\r\nHost: {}\r\n\
             Content-Type: {MERGE_PATCH}\r\nContent-Length: {len}\r\n\r\n",
            server.addr()
        )
    };
    // One connection sends half a body and then stalls, keeping the connection open.
    let mut stalled = TcpStream::connect(server.addr()).await.expect("connect");
    stalled
        .write_all(format!("{}{{\"metadata\":", head(100)).as_bytes())
        .await
        .expect("write");
    // Another sends half a body and goes away.
    let mut abandoned = TcpStream::connect(server.addr()).await.expect("connect");
    abandoned
        .write_all(format!("{}{{\"metadata\":{{\"labels\":", head(100)).as_bytes())
        .await
        .expect("write");
    drop(abandoned);

    // Meanwhile, reads and writes go through.
    let (during, _) = get_pod(&client, &base).await;
    assert_eq!(during, before);
    let reply = label_pod(&client, &pod_url(&base), "during", "stall").await;
    assert_eq!(reply.code, StatusCode::OK);
    drop(stalled);

    let (_, after) = get_pod(&client, &base).await;
    let labels = after["metadata"]["labels"].as_object().expect("labels");
    let mut keys: Vec<&str> = labels.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["app", "during"], "only the complete patch applied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_oversized_declared_body_is_refused_once_past_the_limit() {
    // The client announces 8 MiB but the server answers 413 once it has read 3 MiB + 1 byte,
    // without waiting for the rest.
    let (server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    let mut conn = TcpStream::connect(server.addr()).await.expect("connect");
    let head = format!(
        "PATCH /api/v1/namespaces/{NS}/pods/{POD} HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: {MERGE_PATCH}\r\nContent-Length: {}\r\n\r\n",
        server.addr(),
        8 * 1024 * 1024
    );
    conn.write_all(head.as_bytes()).await.expect("write head");
    conn.write_all(&padded(b"{}", LIMIT + 1))
        .await
        .expect("write 3 MiB + 1");
    let mut answer = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            let n = conn.read(&mut buf).await.expect("read");
            answer.extend_from_slice(&buf[..n]);
            if n == 0 || answer.ends_with(b"\"code\":413}\n") {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("answered before the declared body was sent");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413 "), "{text}");
    assert!(
        text.contains(r#""message":"Request entity too large: limit is 3145728","reason":"RequestEntityTooLarge""#),
        "{text}"
    );
    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before);
}

// ---------------------------------------------------------------------------------------------------
// 3. Concurrency and the resourceVersion counter
