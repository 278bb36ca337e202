//! The HTTP surface: unknown paths (404), methods (405), pretty and compact output, dry runs, requests
//! without a User-Agent, status bodies of refused uploads.

use super::*;

#[tokio::test]
async fn unknown_resources_and_subresources_get_404() {
    let (_server, client, base) = setup().await;
    let not_found = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the server could not find the requested resource", "reason": "NotFound",
        "details": {}, "code": 404
    });
    let pod = pod_url(&base);
    let cases = [
        ("GET", format!("{base}/api/v1/namespaces/x/bogusthings/y")),
        (
            "GET",
            format!("{base}/api/v1/namespaces/{NS}/bogusthings/y"),
        ),
        ("GET", format!("{pod}/bogus")),
        ("PUT", format!("{pod}/bogus")),
        ("PATCH", format!("{pod}/bogus")),
        ("GET", format!("{pod}/status/extra")),
        ("GET", format!("{base}/api/v2/namespaces")),
    ];
    for (method, url) in cases {
        let reply = send(&client, method, &url, Some(MERGE_PATCH), "{}").await;
        assert_eq!(reply.code, StatusCode::NOT_FOUND, "{method} {url}");
        assert_failure_status(&format!("{method} {url}"), "", &reply);
        assert_eq!(reply.json(), not_found, "{method} {url}");
    }
}

#[tokio::test]
async fn unsupported_methods_on_pods_and_status_get_405() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    let not_allowed = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the server does not allow this method on the requested resource",
        "reason": "MethodNotAllowed", "details": {}, "code": 405
    });
    let pod = pod_url(&base);
    let cases = [
        ("DELETE", format!("{pod}/status")),
        ("POST", format!("{pod}/status")),
        ("POST", pod.clone()),
    ];
    for (method, url) in cases {
        let reply = send(&client, method, &url, Some("application/json"), "{}").await;
        assert_eq!(reply.code, StatusCode::METHOD_NOT_ALLOWED, "{method} {url}");
        assert_failure_status(&format!("{method} {url}"), "", &reply);
        assert_eq!(reply.json(), not_allowed, "{method} {url}");
    }
    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before, "DELETE of the status deleted something");
}

// ---------------------------------------------------------------------------------------------------
// 5. Output formatting

#[tokio::test]
async fn pretty_output_for_pretty_true_and_curl_compact_otherwise() {
    let (_server, client, base) = setup().await;
    let pod = pod_url(&base);
    let compact = get(&client, &pod).await.body;
    let pretty = get(&client, &format!("{pod}?pretty=true")).await.body;
    let curl = client
        .get(&pod)
        .header(USER_AGENT, "curl/8.0")
        .send()
        .await
        .expect("curl-like GET")
        .bytes()
        .await
        .expect("body")
        .to_vec();
    let curl_not_pretty = client
        .get(format!("{pod}?pretty=false"))
        .header(USER_AGENT, "curl/8.0")
        .send()
        .await
        .expect("curl-like GET")
        .bytes()
        .await
        .expect("body")
        .to_vec();

    let compact_text = String::from_utf8(compact.clone()).expect("utf-8");
    assert!(compact_text.ends_with("}\n"), "compact ends with a newline");
    assert_eq!(compact_text.matches('\n').count(), 1, "compact is one line");
    assert!(
        compact_text.starts_with(r#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"victim","#)
    );

    let pretty_text = String::from_utf8(pretty.clone()).expect("utf-8");
    assert!(
        pretty_text.starts_with("{\n  \"kind\": \"Pod\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {\n    \"name\": \"victim\",\n"),
        "{pretty_text}"
    );
    assert!(
        pretty_text.ends_with("\n}"),
        "pretty output ends with the closing brace"
    );
    assert!(pretty_text.lines().count() > 30);
    assert!(
        pretty_text
            .lines()
            .skip(1)
            .all(|l| l.starts_with(' ') || l == "}" || l.is_empty()),
        "every inner line is indented"
    );

    assert_eq!(curl, pretty, "curl gets what ?pretty=true gets");
    assert_eq!(
        curl_not_pretty, compact,
        "?pretty=false wins over the user agent"
    );
    let parsed: Value = serde_json::from_slice(&compact).expect("compact parses");
    assert_eq!(
        serde_json::from_slice::<Value>(&pretty).expect("pretty parses"),
        parsed
    );

    // Errors are formatted the same way.
    let missing = format!("{base}/api/v1/namespaces/{NS}/pods/missing");
    let compact_err = get(&client, &missing).await;
    let pretty_err = get(&client, &format!("{missing}?pretty=1")).await;
    assert_eq!(compact_err.code, StatusCode::NOT_FOUND);
    assert_eq!(pretty_err.code, StatusCode::NOT_FOUND);
    assert!(compact_err.body.ends_with(b"\"code\":404}\n"));
    assert!(pretty_err.body.starts_with(b"{\n  \"kind\": \"Status\",\n"));
    assert_eq!(compact_err.json(), pretty_err.json());
}

// ---------------------------------------------------------------------------------------------------
// 6. Dry runs

#[tokio::test]
async fn dry_run_writes_answer_the_result_but_store_nothing() {
    let (_server, client, base) = setup().await;
    let (before, stored) = get_pod(&client, &base).await;
    for ep in ENDPOINTS {
        let value = json!(format!("dry-{}", ep.content_type.len()));
        let body = ep.change_body(&stored, &value);
        let url = format!("{}?dryRun=All", ep.url(&base));
        let reply = send(&client, ep.method, &url, Some(ep.content_type), body).await;
        assert_eq!(
            reply.code,
            StatusCode::OK,
            "{}: {}",
            ep.name(),
            String::from_utf8_lossy(&reply.body)
        );
        let answered = reply.json();
        assert_eq!(ep.changed(&answered), &value, "{}", ep.name());
        assert_eq!(rv(&answered), rv(&stored), "{}: resourceVersion", ep.name());
        let (after, _) = get_pod(&client, &base).await;
        assert_eq!(
            String::from_utf8_lossy(&after),
            String::from_utf8_lossy(&before),
            "{}: stored after a dry run",
            ep.name()
        );
    }
    // An invalid dryRun value is refused before anything else.
    let reply = send(
        &client,
        "PATCH",
        &format!("{}?dryRun=Yes", pod_url(&base)),
        Some(MERGE_PATCH),
        "{\"metadata\":",
    )
    .await;
    assert_eq!(reply.code, StatusCode::UNPROCESSABLE_ENTITY);
    let status = assert_failure_status("dryRun=Yes", MERGE_PATCH, &reply);
    assert_eq!(status["reason"], "Invalid");
    // The next real write takes the next resourceVersion: the dry runs consumed none.
    let reply = send(
        &client,
        "PATCH",
        &pod_url(&base),
        Some(JSON_PATCH),
        r#"[{"op":"add","path":"/metadata/labels/real","value":"yes"}]"#,
    )
    .await;
    assert_eq!(reply.code, StatusCode::OK);
    assert_eq!(rv(&reply.json()), rv(&stored) + 1);
}

// ---------------------------------------------------------------------------------------------------
// Departures from kube-apiserver v1.20.2 that these tests found, fixed and kept as regression tests;
// each states what the real server does (checked against it) and the Go code that decides it.

#[tokio::test]
async fn a_write_without_user_agent_or_field_manager_succeeds() {
    let (_server, client, base) = setup().await;
    let anonymous = Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client builds");
    let answer = anonymous
        .patch(pod_url(&base))
        .header(CONTENT_TYPE, MERGE_PATCH)
        .body(r#"{"metadata":{"labels":{"anonymous":"yes"}}}"#)
        .send()
        .await;
    let answer =
        answer.unwrap_or_else(|e| panic!("no answer to a PATCH without User-Agent: {e:?}"));
    assert_eq!(answer.status(), StatusCode::OK);
    let (_, stored) = get_pod(&client, &base).await;
    assert_eq!(stored["metadata"]["labels"]["anonymous"], "yes");
}

#[tokio::test]
async fn too_large_status_has_no_details() {
    let (_server, client, base) = setup().await;
    let reply = send(
        &client,
        "PATCH",
        &pod_url(&base),
        Some(MERGE_PATCH),
        padded(b"{}", LIMIT + 1),
    )
    .await;
    assert_eq!(reply.code, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        reply.json(),
        json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "Request entity too large: limit is 3145728",
            "reason": "RequestEntityTooLarge", "code": 413
        })
    );
}

#[tokio::test]
async fn a_body_cut_short_is_not_reported_as_too_large() {
    let (server, _client, _base) = setup().await;
    let mut conn = TcpStream::connect(server.addr()).await.expect("connect");
    let request = format!(
        "PATCH /api/v1/namespaces/{NS}/pods/{POD} HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: {MERGE_PATCH}\r\nContent-Length: 100\r\n\r\n{{\"metadata\":",
        server.addr()
    );
    conn.write_all(request.as_bytes()).await.expect("write");
    conn.shutdown().await.expect("half-close");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), conn.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .expect("read");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 "), "{text}");
    assert!(!text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(!text.contains("too large"), "{text}");
}
