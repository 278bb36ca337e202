//! Server faults, through the real command line. Each test starts a loopback server that breaks
//! the protocol on purpose (tests/support/fault.rs) in front of an embedded reference server, and
//! runs `apiconform run --target URL --out DIR --timeout …` on two cases. Whatever the fault, the
//! run must end by itself within its bound with exit code 1 (a fault on the cases) or 2 (a target
//! that cannot even be started: infrastructure); each case's failure must name the case and the
//! fault; the reports must be written whole; the cleanup must be attempted, and when it fails, a
//! warning must name the namespace.

use crate::support::fault;

use apiconform::results::{Cell, ResultSet};
use fault::{Fault, FaultServer, Ran, When};
use std::path::Path;
use std::time::Duration;

/// One case without a pod (a single GET) and one with a pod (setup, PATCH, reads around it,
/// teardown).
const CASES: [&str; 2] = ["get-missing-pod", "patch-merge-patch-labels"];

/// The longest any of these runs may take.
const BOUND: Duration = Duration::from_secs(10);

struct Faulted {
    ran: Ran,
    out: tempfile::TempDir,
    server: FaultServer,
}

impl Faulted {
    fn results(&self) -> ResultSet {
        let text = std::fs::read_to_string(self.out.path().join("results.json"))
            .unwrap_or_else(|e| panic!("results.json: {e}\n{}", self.ran.text()));
        serde_json::from_str(&text).expect("results.json is a result set")
    }

    /// The run ended with `code`, within the bound, and wrote every report whole.
    fn ended(&self, code: i32) -> ResultSet {
        let text = self.ran.text();
        assert_eq!(self.ran.code, Some(code), "{text}");
        assert!(self.ran.took < BOUND, "{text}");
        assert!(!text.contains("panicked"), "{text}");
        reports_whole(self.out.path(), &text);
        self.results()
    }

    /// Each case is an error naming the case, whose message contains `fault`; `fault` also is in
    /// the reports.
    fn each_case_names(&self, fault: &str) -> ResultSet {
        let set = self.ended(1);
        let text = self.ran.text();
        for id in CASES {
            let line = self
                .ran
                .stdout
                .lines()
                .skip_while(|l| !l.contains(&format!(" {id} ")))
                .take(3)
                .collect::<Vec<_>>()
                .join("\n");
            assert!(line.starts_with("ERROR"), "{id}:\n{text}");
            assert!(line.contains(fault), "{id}: no {fault:?}:\n{text}");
        }
        let target = &set.targets[0];
        assert_eq!(target.cases.len(), CASES.len(), "{text}");
        for c in &target.cases {
            assert_eq!(c.cell, Cell::Error, "{c:?}");
            let error = c.error.as_ref().map_or("", |e| e.message.as_str());
            assert!(error.contains(fault), "{c:?}");
        }
        for report in ["summary.md", "report.html"] {
            let body = std::fs::read_to_string(self.out.path().join(report)).expect("report");
            assert!(body.contains(fault), "{report} does not say {fault:?}");
        }
        set
    }

    /// The run's namespace and pods are gone from the reference server, and no warning says
    /// otherwise.
    fn cleaned_up(&self, set: &ResultSet) {
        let namespace = set.targets[0].namespace.clone().expect("a namespace");
        assert_eq!(
            self.server.leftovers(),
            (vec![], 0),
            "{namespace} left behind\n{}",
            self.ran.text()
        );
        assert!(
            !self
                .ran
                .stderr
                .contains("cannot delete the run's namespace"),
            "{}",
            self.ran.text()
        );
    }
}

/// No temporary file is left in `out`, and the reports read back.
fn reports_whole(out: &Path, text: &str) {
    assert!(fault::files_containing(out, ".tmp").is_empty(), "{text}");
    for f in ["results.json", "summary.md", "report.html"] {
        let body = std::fs::read_to_string(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(!body.is_empty(), "{f} is empty");
    }
    assert!(
        std::fs::read_to_string(out.join("report.html"))
            .expect("html")
            .trim_end()
            .ends_with("</html>"),
        "report.html is whole"
    );
}

fn faulted(fault: Fault, when: When, timeout: &str) -> Faulted {
    let server = FaultServer::start(fault, when);
    let url = server.url.clone();
    run_against(server, &url, timeout, &[])
}

fn run_against(server: FaultServer, url: &str, timeout: &str, extra: &[&str]) -> Faulted {
    let cases = fault::case_dir(&CASES);
    let out = tempfile::tempdir().expect("temp dir");
    let ran = fault::run_bounded(
        fault::cli()
            .args(fault::run_args(url, cases.path(), out.path(), timeout))
            .args(["--no-snapshots", "--concurrency", "1"])
            .args(extra),
        BOUND + Duration::from_secs(5),
    );
    Faulted { ran, out, server }
}

#[test]
fn connection_refused_from_the_start_is_an_infrastructure_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let server = FaultServer::start(Fault::None, fault::all);
    let f = run_against(server, &format!("http://127.0.0.1:{port}"), "2", &[]);
    let set = f.ended(2);
    let text = f.ran.text();
    assert!(
        f.ran
            .stderr
            .contains("error: cannot create the run's namespace apiconform-")
            && f.ran.stderr.contains("connection refused"),
        "{text}"
    );
    let target = &set.targets[0];
    assert!(target.cases.is_empty(), "{text}");
    assert!(
        target
            .error
            .as_deref()
            .is_some_and(|e| e.contains("connection refused")),
        "{target:?}"
    );
}

#[test]
fn connection_refused_midway_fails_each_case_and_names_the_namespace_left_behind() {
    let f = faulted(Fault::RefuseAfterFirst, fault::all, "2");
    let set = f.each_case_names("connection refused");
    // The namespace could not be deleted: a warning names it, and it is really there.
    let namespace = set.targets[0].namespace.clone().expect("namespace");
    assert!(
        f.ran.stderr.lines().any(|l| l.starts_with("warning: ")
            && l.contains(&format!("cannot delete the run's namespace {namespace}"))),
        "{}",
        f.ran.text()
    );
    assert!(
        set.targets[0]
            .cleanup
            .iter()
            .any(|c| c.contains(&namespace)),
        "{:?}",
        set.targets[0].cleanup
    );
    assert_eq!(f.server.leftovers().0, vec![namespace]);
}

#[test]
fn connection_reset_in_the_middle_of_a_body() {
    let f = faulted(Fault::ResetMidBody, fault::pods, "2");
    let set = f.each_case_names("connection reset");
    f.cleaned_up(&set);
}

#[test]
fn a_server_that_never_answers_times_out_and_the_next_case_runs() {
    let f = faulted(Fault::Hang, fault::pods, "1");
    let set =
        f.each_case_names("timed out (no complete answer within the per-request timeout of 1s)");
    // One case after the other (--concurrency 1): the second ran after the first timed out.
    assert_eq!(set.targets[0].cases.len(), 2);
    f.cleaned_up(&set);
}

#[test]
fn a_body_dripping_one_byte_per_100_ms_is_cut_by_the_per_request_timeout() {
    // 600 bytes at 10 per second would take a minute; the timeout covers the body read.
    let f = faulted(Fault::Drip, fault::pods, "1");
    let set = f.each_case_names("timed out");
    // A case meets at most two dripping answers (the pod case's setup and its teardown), each cut
    // after the 1 s timeout: 2 s, bounded at 4 times that for a loaded machine. Uncut, one
    // answer alone would take a minute.
    let bound = 4 * 2 * 1000;
    for c in &set.targets[0].cases {
        assert!(c.duration_ms < bound, "{c:?}");
    }
    f.cleaned_up(&set);
}

#[test]
fn server_errors_with_non_json_bodies_are_failures_showing_the_body() {
    for (status, content_type, body) in [
        (
            503,
            "text/html",
            "<html><body>Service Unavailable</body></html>",
        ),
        (500, "text/plain", "upstream connect error or disconnect"),
    ] {
        let f = faulted(
            Fault::Answer {
                status,
                content_type,
                body,
            },
            fault::pods,
            "2",
        );
        let set = f.ended(1);
        let text = f.ran.text();
        // The case without a pod got an answer, the wrong one: a protocol failure with the body.
        let get = &set.targets[0].cases[0];
        assert_eq!(
            (get.id.as_str(), get.cell, get.status),
            ("get-missing-pod", Cell::Failed, Some(status)),
            "{text}"
        );
        assert!(
            text.contains(&format!("answer: {body}"))
                && text.contains(&format!("actual:   {status}")),
            "{text}"
        );
        // The case with a pod could not create it.
        assert!(
            text.contains(&format!("setup: creating the pod: HTTP {status}"))
                && text.contains(body),
            "{text}"
        );
        assert_eq!(set.targets[0].cases[1].cell, Cell::Error, "{text}");
        f.cleaned_up(&set);
    }
}

#[test]
fn a_50_mb_answer_is_refused_at_the_size_limit() {
    for chunked in [false, true] {
        let f = faulted(Fault::Huge { chunked }, fault::pods, "5");
        let set = f.each_case_names("the answer is too large");
        assert!(
            f.ran.stdout.contains("more than the limit of 16 MiB"),
            "{}",
            f.ran.text()
        );
        f.cleaned_up(&set);
    }
}

#[test]
fn invalid_chunked_encoding_is_a_broken_body() {
    let f = faulted(Fault::BadChunked, fault::pods, "2");
    let set = f.each_case_names("broken answer body");
    assert!(
        f.ran.stdout.contains("Invalid chunk size"),
        "{}",
        f.ran.text()
    );
    f.cleaned_up(&set);
}

#[test]
fn garbage_instead_of_a_tls_handshake_is_an_infrastructure_error() {
    let server = FaultServer::start(Fault::Garbage, fault::all);
    let url = server.url.replace("http://", "https://");
    let f = run_against(server, &url, "2", &[]);
    let set = f.ended(2);
    assert!(
        f.ran.stderr.contains("cannot create the run's namespace")
            && f.ran.stderr.contains("TLS handshake failed"),
        "{}",
        f.ran.text()
    );
    assert!(set.targets[0].cases.is_empty());
}

#[test]
fn a_certificate_for_another_host_is_refused_unless_insecure_is_asked_for() {
    // The test PKI's server certificate is valid for 127.0.0.1 and localhost; served on 127.0.0.2.
    let ca = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pki/ca.crt");
    let ca = ca.to_str().expect("utf-8 path");
    let server = FaultServer::start_tls("127.0.0.2");
    let url = server.url.clone();
    let f = run_against(server, &url, "2", &["--ca-file", ca]);
    f.ended(2);
    assert!(
        f.ran
            .stderr
            .contains("TLS: the server's certificate was rejected")
            && f.ran
                .stderr
                .contains("certificate not valid for name \"127.0.0.2\""),
        "{}",
        f.ran.text()
    );
    assert_eq!(f.server.leftovers(), (vec![], 0), "nothing was created");

    // The same server, with --insecure asked for: the cases run and pass.
    let Faulted { server, .. } = f;
    let f = run_against(server, &url, "2", &["--insecure"]);
    let set = f.ended(0);
    assert!(
        set.targets[0].cases.iter().all(|c| c.cell == Cell::Passed),
        "{}",
        f.ran.text()
    );
    f.cleaned_up(&set);
}
