//! Patches at the edges: nulls and scalars, JSON Patch operation, copy and nesting limits (as Go's
//! parser and evanphx/json-patch have them), the streaming check of large patches.

use super::*;

/// evanphx/json-patch's MergePatch answers errBadJSONPatch for a patch that is `null` or a scalar
/// (neither a partialDoc nor a partialArray), which kube-apiserver sends as the reason-less 500
/// "Invalid JSON Patch".
#[tokio::test]
async fn merge_patch_with_a_json_scalar_is_an_invalid_json_patch() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    for body in ["42", "1.5", r#""pod""#, "true", "null"] {
        let reply = send(&client, "PATCH", &pod_url(&base), Some(MERGE_PATCH), body).await;
        assert_eq!(reply.code, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
        assert_eq!(
            reply.json(),
            json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Invalid JSON Patch", "code": 500
            }),
            "{body}"
        );
    }
    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before);
}

/// Go's json.Unmarshal of `null` into a slice or a map sets it to nil without error, so
/// kube-apiserver applies a `null` JSON Patch (jsonpatch.DecodePatch) or strategic merge patch
/// (into a map[string]interface{}) as an empty patch: 200, nothing changes. A `null` merge patch is
/// the 500 above.
#[tokio::test]
async fn null_json_patch_and_null_strategic_merge_patch_change_nothing() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    for ct in [JSON_PATCH, STRATEGIC_PATCH] {
        let reply = send(&client, "PATCH", &pod_url(&base), Some(ct), "null").await;
        assert_eq!(
            reply.code,
            StatusCode::OK,
            "{ct}: {}",
            String::from_utf8_lossy(&reply.body)
        );
        assert_eq!(reply.body, before, "{ct}");
    }
    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before);
}

/// A `null` operation in a JSON Patch decodes (as a nil map) and fails when it is applied
/// ("Unexpected kind"): the generic 422, not the 400 of an operation that is not an object.
#[tokio::test]
async fn a_null_json_patch_operation_fails_when_applied() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    let test = r#"{"op":"test","path":"/metadata/name","value":"victim"}"#;
    for body in ["[null]".to_string(), format!("[{test},null,{test}]")] {
        let reply = send(
            &client,
            "PATCH",
            &pod_url(&base),
            Some(JSON_PATCH),
            body.clone(),
        )
        .await;
        assert_eq!(reply.json(), patch_rejected(), "{body}");
    }
    let reply = send(
        &client,
        "PATCH",
        &pod_url(&base),
        Some(JSON_PATCH),
        "[null,1]",
    )
    .await;
    assert_eq!(reply.code, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.json()["message"],
        "json: cannot unmarshal number into Go value of type jsonpatch.Operation"
    );
    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before);
}

/// For a strategic merge patch that is not an object, Go's json error names the JSON type found.
#[tokio::test]
async fn strategic_merge_patch_of_a_scalar_names_its_type() {
    let (_server, client, base) = setup().await;
    for (body, found) in [
        ("42", "number"),
        ("-1.5", "number"),
        (r#""pod""#, "string"),
        ("true", "bool"),
        ("[]", "array"),
    ] {
        let reply = send(
            &client,
            "PATCH",
            &pod_url(&base),
            Some(STRATEGIC_PATCH),
            body,
        )
        .await;
        assert_eq!(reply.code, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            reply.json(),
            json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": format!(
                    "json: cannot unmarshal {found} into Go value of type map[string]interface {{}}"
                ),
                "reason": "BadRequest", "code": 400
            }),
            "{body}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// 7. Limits of a JSON Patch

/// The generic 422 of a JSON Patch that cannot be applied.
fn patch_rejected() -> Value {
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the server rejected our request due to an error in our request",
        "reason": "Invalid", "details": {}, "code": 422
    })
}

/// A JSON Patch of `ops`.
fn json_patch(ops: &[Value]) -> String {
    Value::Array(ops.to_vec()).to_string()
}

/// kube-apiserver's patch handler refuses a JSON Patch of more than maxJSONPatchOperations (10000)
/// operations with 413, after decoding it and before applying any operation: the operations are
/// counted whatever they are.
#[tokio::test]
async fn json_patch_of_more_than_10000_operations_gets_413() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    let test = json!({"op": "test", "path": "/metadata/name", "value": POD});
    let reply = send(
        &client,
        "PATCH",
        &pod_url(&base),
        Some(JSON_PATCH),
        json_patch(&vec![test.clone(); 10_000]),
    )
    .await;
    assert_eq!(reply.code, StatusCode::OK, "10000 operations");
    assert_eq!(reply.body, before, "10000 tests change nothing");
    for (what, op) in [
        ("tests", test),
        ("nulls", Value::Null),
        ("bogus operations", json!({"op": "bogus"})),
    ] {
        let reply = send(
            &client,
            "PATCH",
            &pod_url(&base),
            Some(JSON_PATCH),
            json_patch(&vec![op; 10_001]),
        )
        .await;
        assert_eq!(reply.code, StatusCode::PAYLOAD_TOO_LARGE, "10001 {what}");
        assert_failure_status(&format!("10001 {what}"), JSON_PATCH, &reply);
        assert_eq!(
            reply.json(),
            json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Request entity too large: The allowed maximum operations in a JSON patch \
                            is 10000, got 10001",
                "reason": "RequestEntityTooLarge", "code": 413
            }),
            "10001 {what}"
        );
    }
    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before);
}

/// kube-apiserver sets jsonpatch.AccumulatedCopySizeLimit to JSONPatchMaxCopyBytes (3 MiB): the
/// `copy` operations of one JSON Patch may copy 3 MiB in all (each copied value measured as Go
/// marshals it), and the patch fails with the generic 422 past that.
#[tokio::test]
async fn json_patch_copies_are_limited_to_3_mib() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    // 60 copies of a 64 KiB string: 3.75 MiB copied, little memory. Unknown fields of the spec are
    // dropped when the result is decoded, so without a limit the patch is a no-op.
    let mut ops = vec![json!({"op": "add", "path": "/spec/x0", "value": "a".repeat(64 * 1024)})];
    ops.extend(
        (1..=60).map(|i| json!({"op": "copy", "from": "/spec/x0", "path": format!("/spec/x{i}")})),
    );
    let reply = send(
        &client,
        "PATCH",
        &pod_url(&base),
        Some(JSON_PATCH),
        json_patch(&ops),
    )
    .await;
    assert_eq!(reply.json(), patch_rejected());
    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before);
}

#[tokio::test]
async fn json_patch_copies_of_exactly_3_mib_are_allowed() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    // Two copies of a string that Go marshals in `len` bytes (quotes included; `<` is `\u003c`).
    let two_copies = |value: String| {
        json_patch(&[
            json!({"op": "add", "path": "/spec/x0", "value": value}),
            json!({"op": "copy", "from": "/spec/x0", "path": "/spec/x1"}),
            json!({"op": "copy", "from": "/spec/x0", "path": "/spec/x2"}),
        ])
    };
    let half = LIMIT / 2;
    let cases = [
        ("2 x 1.5 MiB", "a".repeat(half - 2), StatusCode::OK),
        (
            "2 x (1.5 MiB + 1)",
            "a".repeat(half - 1),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // The same string with one character that Go writes as 6 bytes instead of 1.
        (
            "2 x (1.5 MiB + 5)",
            format!("<{}", "a".repeat(half - 3)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Multi-byte UTF-8 counts its bytes.
        ("2 x 1.5 MiB of é", "é".repeat(half / 2 - 1), StatusCode::OK),
    ];
    for (what, value, code) in cases {
        let reply = send(
            &client,
            "PATCH",
            &pod_url(&base),
            Some(JSON_PATCH),
            two_copies(value),
        )
        .await;
        assert_eq!(reply.code, code, "{what}");
        if code == StatusCode::OK {
            assert_eq!(
                reply.body, before,
                "{what}: unknown spec fields are dropped"
            );
        } else {
            assert_eq!(reply.json(), patch_rejected(), "{what}");
        }
    }
}

/// A small patch of copies of a value into itself doubles it each time: 60 of them would ask for
/// exabytes. The limit is enforced before each copy is made, so the server answers at once.
#[tokio::test]
async fn doubling_json_patch_copies_are_refused_before_they_exhaust_memory() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    let mut ops = vec![json!({"op": "add", "path": "/spec/d", "value": {"s": "a".repeat(1000)}})];
    ops.extend(
        (0..60).map(|i| json!({"op": "copy", "from": "/spec/d", "path": format!("/spec/d/c{i}")})),
    );
    let body = json_patch(&ops);
    assert!(body.len() < 8 * 1024);
    let started = std::time::Instant::now();
    let reply = send(&client, "PATCH", &pod_url(&base), Some(JSON_PATCH), body).await;
    assert_eq!(reply.json(), patch_rejected());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "answered in {:?}",
        started.elapsed()
    );
    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before);
    let reply = label_pod(&client, &pod_url(&base), "still", "alive").await;
    assert_eq!(reply.code, StatusCode::OK);
}

/// `depth` nested empty arrays.
fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// A JSON Patch that nests arrays below `/spec/x` until the deepest is `depth` levels deep as Go's
/// scanner counts them (the pod 1, `spec` 2, `/spec/x` 3, ...), adding at most 100 levels at a time
/// (serde_json, and so the reference server, parses no deeper than 128).
fn deepening_patch(depth: usize) -> String {
    let mut ops = Vec::new();
    let mut nested = 0; // levels below `spec`
    while nested < depth - 2 {
        let step = (depth - 2 - nested).min(100);
        let path = if nested == 0 {
            "/spec/x".to_string()
        } else {
            format!("/spec/x{}/-", "/0".repeat(nested - 1))
        };
        ops.push(format!(
            r#"{{"op":"add","path":"{path}","value":{}}}"#,
            nested_arrays(step)
        ));
        nested += step;
    }
    format!("[{}]", ops.join(","))
}

/// Go parses JSON at most 10000 levels deep. kube-apiserver applies a JSON Patch that nests the pod
/// 10000 levels deep (and drops the unknown field when it decodes the result); one level more and
/// the patched document cannot be decoded (422 quoting it); one more and evanphx/json-patch cannot
/// marshal it (the generic 422). The reference server follows the nesting on a large stack.
#[tokio::test]
async fn json_patch_nesting_is_limited_as_go_parses_json() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    let url = pod_url(&base);
    let patch = |depth| {
        send(
            &client,
            "PATCH",
            &url,
            Some(JSON_PATCH),
            deepening_patch(depth),
        )
    };

    let reply = patch(10_000).await;
    assert_eq!(reply.code, StatusCode::OK, "10000 levels");
    assert_eq!(
        reply.body, before,
        "10000 levels: the unknown field is dropped"
    );

    let reply = patch(10_001).await;
    assert_eq!(reply.code, StatusCode::UNPROCESSABLE_ENTITY, "10001 levels");
    let status = assert_failure_status("10001 levels", JSON_PATCH, &reply);
    let message = status["message"].as_str().expect("message");
    assert!(
        message.starts_with(
            r#" "" is invalid: patch: Invalid value: "{\"apiVersion\":\"v1\",\"kind\":\"Pod\","#
        ),
        "{}",
        &message[..200]
    );
    assert!(
        message.ends_with(
            "\": couldn't get version/kind; json parse error: invalid character '[' exceeded max depth"
        ),
        "{}",
        &message[message.len() - 200..]
    );
    assert_eq!(status["details"]["causes"][0]["field"], "patch");

    let reply = patch(10_002).await;
    assert_eq!(reply.json(), patch_rejected(), "10002 levels");

    let (after, _) = get_pod(&client, &base).await;
    assert_eq!(after, before);
}

/// Copies of a value into its own deepest array double its depth each time: 20 of them, in a 2 MiB
/// patch, would nest a million levels, which no recursive walker survives. Nesting is checked
/// before each operation, so the patch fails like in kube-apiserver and the server lives on.
#[tokio::test]
async fn doubling_json_patch_depth_is_refused_before_it_overflows_the_stack() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    let doubling = |copies: u32| {
        let mut ops = vec![json!({"op": "add", "path": "/spec/x", "value": []})];
        let mut depth = 1;
        for _ in 0..copies {
            ops.push(json!({"op": "copy", "from": "/spec/x", "path": format!("/spec/x{}", "/0".repeat(depth))}));
            depth *= 2;
        }
        json_patch(&ops)
    };
    // 2^13 = 8192 levels below `/spec/x` is within Go's limit, 2^14 is not.
    let reply = send(
        &client,
        "PATCH",
        &pod_url(&base),
        Some(JSON_PATCH),
        doubling(13),
    )
    .await;
    assert_eq!(reply.code, StatusCode::OK, "13 doublings");
    assert_eq!(reply.body, before);
    for copies in [14, 20] {
        let reply = send(
            &client,
            "PATCH",
            &pod_url(&base),
            Some(JSON_PATCH),
            doubling(copies),
        )
        .await;
        assert_eq!(reply.json(), patch_rejected(), "{copies} doublings");
    }
    let reply = label_pod(&client, &pod_url(&base), "still", "alive").await;
    assert_eq!(reply.code, StatusCode::OK);
}

/// kube-apiserver first reads a JSON Patch over 1 MiB with a json.Decoder into `[]interface{}`
/// (only its first value), and prefixes that decoder's errors with "error decoding patch: ".
#[tokio::test]
async fn json_patch_over_1_mib_is_checked_by_a_streaming_decoder_first() {
    let (_server, client, base) = setup().await;
    let (before, _) = get_pod(&client, &base).await;
    let mib = 1024 * 1024;
    let cases: [(&str, Vec<u8>, u16, &str); 9] = [
        (
            "blank",
            padded(b"", mib + 1),
            400,
            "error decoding patch: EOF",
        ),
        (
            "truncated",
            padded(b"[", mib + 1),
            400,
            "error decoding patch: unexpected EOF",
        ),
        (
            "syntax error",
            padded(b"[x", mib + 1),
            400,
            "error decoding patch: invalid character 'x' looking for beginning of value",
        ),
        (
            "object",
            padded(br#"{"op":"add"}"#, mib + 1),
            400,
            "error decoding patch: json: cannot unmarshal object into Go value of type []interface {}",
        ),
        (
            "number",
            padded(b"42", mib + 1),
            400,
            "error decoding patch: json: cannot unmarshal number into Go value of type []interface {}",
        ),
        // Arrays pass the check; their operations are decoded as usual.
        (
            "array of numbers",
            padded(b"[1]", mib + 1),
            400,
            "json: cannot unmarshal number into Go value of type jsonpatch.Operation",
        ),
        // Exactly 1 MiB is not checked.
        (
            "1 MiB object",
            padded(b"{}", mib),
            400,
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
        ),
        ("null", padded(b"null", mib + 1), 200, ""),
        ("empty", padded(b"[]", mib + 1), 200, ""),
    ];
    for (what, body, code, message) in cases {
        let reply = send(&client, "PATCH", &pod_url(&base), Some(JSON_PATCH), body).await;
        assert_eq!(reply.code.as_u16(), code, "{what}");
        if code == 200 {
            assert_eq!(reply.body, before, "{what}");
        } else {
            let status = assert_failure_status(what, JSON_PATCH, &reply);
            assert_eq!(status["reason"], "BadRequest", "{what}");
            assert_eq!(status["message"], message, "{what}");
        }
    }
}
