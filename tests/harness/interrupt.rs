//! Ctrl-C (SIGINT) and SIGTERM during a run: the command deletes the run's namespace, with the pods
//! the cases created in it, and exits 130. The target is the reference server behind a proxy that
//! slows every pod request down, so that the signal arrives while cases are in flight.

use crate::support::fault;

use fault::{Fault, FaultServer};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn interrupt_run(signal: &str) {
    let server = FaultServer::start(Fault::Delay(150), fault::pods);

    let mut child = Command::new(env!("CARGO_BIN_EXE_apiconform"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--no-snapshots", "--concurrency", "2", "--target"])
        .arg(&server.url)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("apiconform starts");

    // Wait until the run has its namespace and at least one pod, then signal it.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (ns, pods) = server.leftovers();
        if !ns.is_empty() && pods > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the run never created its pods");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());

    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("apiconform did not stop within 20 s of {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr readable");
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: deleting namespace apiconform-")
            && stderr.contains("deleted, with its pods"),
        "{stderr}"
    );
    assert_eq!(server.leftovers(), (vec![], 0), "{stderr}");
}

#[test]
fn sigint_deletes_the_runs_namespace() {
    interrupt_run("-INT");
}

#[test]
fn sigterm_deletes_the_runs_namespace() {
    interrupt_run("-TERM");
}

/// Against a real kube-apiserver (`APICONFORM_ORACLE_URL`, e.g. https://127.0.0.1:6443 after
/// `tools/kube-apiserver/start.sh`, with `APICONFORM_ORACLE_TOKEN` and optionally
/// `APICONFORM_ORACLE_CA`): Ctrl-C in the middle of a run leaves no pod in the run's namespace,
/// and the namespace deleted or `Terminating` (a bare kube-apiserver has no namespace controller
/// to finish the deletion: that is reported, not failed). Skipped, saying so, without the URL.
#[test]
fn sigint_against_a_real_kube_apiserver_leaves_no_pod() {
    let Ok(url) = std::env::var("APICONFORM_ORACLE_URL") else {
        // Straight to stderr, past the test harness's capture: a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "sigint_against_a_real_kube_apiserver_leaves_no_pod: SKIPPED: APICONFORM_ORACLE_URL \
             is not set (tools/kube-apiserver/start.sh, then APICONFORM_ORACLE_URL=https://127.0.0.1:6443 \
             APICONFORM_ORACLE_TOKEN=conformance-token)"
        );
        return;
    };
    let token = std::env::var("APICONFORM_ORACLE_TOKEN").unwrap_or_default();
    let ca = std::env::var("APICONFORM_ORACLE_CA").ok();
    let out = tempfile::tempdir().expect("temp dir");
    let mut cmd = fault::cli();
    cmd.env("APICONFORM_TOKEN", &token)
        .args([
            "run",
            "--no-snapshots",
            "--concurrency",
            "1",
            "--timeout",
            "10",
        ])
        .args(["--target", &url, "--out"])
        .arg(out.path());
    match &ca {
        Some(ca) => cmd.args(["--ca-file", ca]),
        None => cmd.arg("--insecure"),
    };
    let mut live = fault::Live::spawn(&mut cmd);
    live.wait_until(Duration::from_secs(60), "3 finished cases", |l| {
        l.case_lines() >= 3
    });
    live.signal("-INT");
    let ran = live.finish(Duration::from_secs(60));
    let text = ran.text();
    assert_eq!(ran.code, Some(130), "{text}");
    let results: apiconform::results::ResultSet = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("results.json")).expect("results.json"),
    )
    .expect("a result set");
    let namespace = results.targets[0].namespace.clone().expect("namespace");
    let finished = results.targets[0].cases.len();
    assert!(finished >= 3, "{text}");
    assert!(
        ran.stderr
            .contains(&format!("interrupted: deleting namespace {namespace}")),
        "{text}"
    );

    let target = apiconform::target::Target {
        token: Some(token),
        ca_file: ca.map(Into::into),
        insecure: std::env::var_os("APICONFORM_ORACLE_CA").is_none(),
        ..apiconform::target::Target::new(url.as_str())
    };
    let client = target.client(Duration::from_secs(10)).expect("client");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let get = |path: String| -> (u16, serde_json::Value) {
        rt.block_on(async {
            let resp = client
                .get(format!("{}{path}", target.base_url()))
                .send()
                .await
                .expect("the server answers");
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(serde_json::Value::Null))
        })
    };
    let (status, pods) = get(format!("/api/v1/namespaces/{namespace}/pods"));
    assert_eq!(status, 200, "{pods}");
    let left: Vec<&str> = pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["metadata"]["name"].as_str())
        .collect();
    assert!(
        left.is_empty(),
        "pods left in {namespace}: {left:?}\n{text}"
    );
    let (status, ns) = get(format!("/api/v1/namespaces/{namespace}"));
    let phase = ns["status"]["phase"].as_str().unwrap_or("");
    match (status, phase) {
        (404, _) => writeln!(
            std::io::stderr(),
            "{finished} cases finished before the interrupt; namespace {namespace} deleted, no pod left"
        ),
        (200, "Terminating") => writeln!(
            std::io::stderr(),
            "{finished} cases finished before the interrupt; no pod left; namespace {namespace} is \
             Terminating: its deletion was accepted, and a bare kube-apiserver (no controller \
             manager) never finishes it"
        ),
        _ => panic!("namespace {namespace}: HTTP {status}, phase {phase:?}\n{text}"),
    }
    .expect("stderr");
}
