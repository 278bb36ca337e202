//! Secrets: the bearer token and the `X-Auth-Token` value given to a target never appear in
//! stdout, stderr, pending snapshots, JUnit, JSON, Markdown or HTML — when the server echoes them
//! back in its answers (body, status line, headers, Content-Type), when a request fails
//! (connection refused, TLS), when the run cannot even start — nor in `{:?}` of targets, errors
//! and results. Where an echo reaches an output, it shows as `[secret]`.

use crate::support::fault;

use apiconform::runner::session;
use apiconform::runner::{Run, RunConfig};
use apiconform::target::Target;
use fault::{Fault, FaultServer, Ran, When};
use std::path::Path;
use std::time::Duration;

const TOKEN: &str = "tok-5ecret-7f3a9b2e";
const XAUTH: &str = "xauth-5ecret-c4d2e1f0";

/// A run's every output: stdout, stderr, the reports and the snapshot files written.
struct Outputs {
    ran: Ran,
    out: tempfile::TempDir,
    snapshots: tempfile::TempDir,
}

impl Outputs {
    fn all(&self) -> String {
        format!(
            "{}\n{}\n{}",
            self.ran.text(),
            fault::all_files_text(self.out.path()),
            fault::all_files_text(self.snapshots.path())
        )
    }

    fn assert_no_secret(&self) -> String {
        let all = self.all();
        assert!(
            !all.contains(TOKEN) && !all.contains(XAUTH),
            "a secret leaked:\n{all}"
        );
        all
    }
}

/// A targets file naming `url` as `vendor`, with the token and the X-Auth-Token from the
/// environment.
fn targets_file(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("targets.toml");
    std::fs::write(
        &path,
        format!(
            "[targets.vendor]\nurl = \"{url}\"\ntoken_env = \"SECRET_TOKEN\"\ninsecure = true\n\
             headers = {{ X-Auth-Token = {{ env = \"SECRET_XAUTH\" }} }}\n"
        ),
    )
    .expect("targets file");
    path
}

/// `apiconform <command> vendor …` (the target named in a targets file for `url`), snapshots on,
/// pending ones written into a temporary directory.
fn run_named(command: &str, url: &str, cases: &[&str], extra: &[&str]) -> Outputs {
    let work = tempfile::tempdir().expect("temp dir");
    let targets = targets_file(work.path(), url);
    let case_dir = fault::case_dir(cases);
    let out = tempfile::tempdir().expect("temp dir");
    let snapshots = tempfile::tempdir().expect("temp dir");
    let mut cmd = fault::cli();
    cmd.env("SECRET_TOKEN", TOKEN)
        .env("SECRET_XAUTH", XAUTH)
        .env("INSTA_UPDATE", "new")
        .arg(command);
    if command == "run" {
        cmd.args(["--target", "vendor"]);
    } else {
        cmd.arg("vendor");
    }
    cmd.arg("--targets-file")
        .arg(&targets)
        .arg("--cases")
        .arg(case_dir.path())
        .arg("--snapshots")
        .arg(snapshots.path())
        .arg("--out")
        .arg(out.path())
        .args(["--timeout", "2"])
        .args(extra);
    let ran = fault::run_bounded(&mut cmd, Duration::from_secs(20));
    Outputs {
        ran,
        out,
        snapshots,
    }
}

fn echoing(when: When) -> FaultServer {
    FaultServer::start(Fault::Echo, when)
}

#[test]
fn echoed_credentials_never_reach_an_output_of_run() {
    // The pod is created; the PATCH under test is answered 403 with the credentials echoed in
    // the status line, the headers, the Content-Type and the body. The GET of a missing pod gets
    // the same (every GET after the PATCH too).
    let server = echoing(|m, p| m == "PATCH" || (m == "GET" && p.contains("/pods/")));
    let o = run_named(
        "run",
        &server.url,
        &["get-missing-pod", "patch-merge-patch-labels"],
        &[],
    );
    let all = o.assert_no_secret();
    assert_eq!(o.ran.code, Some(1), "{all}");
    // The echo reached the outputs, blanked: in the answer, the Content-Type, the snapshots.
    assert!(o.ran.stdout.contains("[secret]"), "{all}");
    assert!(
        o.ran
            .stdout
            .contains("text/plain; echo=\\\"Bearer [secret] [secret]\\\""),
        "the Content-Type is shown, blanked:\n{all}"
    );
    let pending = fault::files_containing(o.snapshots.path(), ".snap.new");
    assert!(
        !pending.is_empty(),
        "pending snapshots were written:\n{all}"
    );
    for p in &pending {
        let text = std::fs::read_to_string(p).expect("snapshot");
        assert!(text.contains("[secret]"), "{}:\n{text}", p.display());
    }
    for report in [
        "results.json",
        "summary.md",
        "report.html",
        "junit-vendor.xml",
    ] {
        let text = std::fs::read_to_string(o.out.path().join(report)).expect("report");
        assert!(text.contains("[secret]"), "{report} shows the blanked echo");
    }
}

#[test]
fn echoed_credentials_never_reach_an_output_of_compare() {
    let server = echoing(fault::patches);
    let o = run_named(
        "compare",
        &server.url,
        &["patch-merge-patch-labels", "get-missing-pod"],
        &["--no-snapshots"],
    );
    let all = o.assert_no_secret();
    assert_eq!(o.ran.code, Some(1), "{all}");
    assert!(all.contains("[secret]"), "{all}");
}

#[test]
fn credentials_echoed_while_the_namespace_is_created_are_blanked_in_the_error() {
    let server = echoing(fault::all);
    let o = run_named("run", &server.url, &["get-missing-pod"], &[]);
    let all = o.assert_no_secret();
    assert_eq!(o.ran.code, Some(2), "{all}");
    assert!(
        o.ran.stderr.contains("cannot create the run's namespace")
            && o.ran.stderr.contains("HTTP 403 Forbidden")
            && o.ran.stderr.contains("[secret]"),
        "{all}"
    );
}

#[test]
fn failed_requests_show_no_credential() {
    // Connection refused from the start, midway, TLS garbage, and a TLS certificate refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let refusing = FaultServer::start(Fault::RefuseAfterFirst, fault::all);
    let garbage = FaultServer::start(Fault::Garbage, fault::all);
    let tls = FaultServer::start_tls("127.0.0.2");
    let cases = ["get-missing-pod", "patch-merge-patch-labels"];
    for (url, code) in [
        (format!("http://127.0.0.1:{port}"), 2),
        (refusing.url.clone(), 1),
        (garbage.url.replace("http://", "https://"), 2),
    ] {
        let o = run_named("run", &url, &cases, &[]);
        let all = o.assert_no_secret();
        assert_eq!(o.ran.code, Some(code), "{all}");
    }
    // The certificate of another host, with the test CA trusted (not insecure): a URL target
    // with the token from --token-env.
    let case_dir = fault::case_dir(&cases);
    let out = tempfile::tempdir().expect("temp dir");
    let snapshots = tempfile::tempdir().expect("temp dir");
    let ran = fault::run_bounded(
        fault::cli()
            .env("SECRET_TOKEN", TOKEN)
            .args(fault::run_args(&tls.url, case_dir.path(), out.path(), "2"))
            .args(["--token-env", "SECRET_TOKEN", "--ca-file"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pki/ca.crt"))
            .arg("--snapshots")
            .arg(snapshots.path()),
        Duration::from_secs(20),
    );
    let o = Outputs {
        ran,
        out,
        snapshots,
    };
    let all = o.assert_no_secret();
    assert_eq!(o.ran.code, Some(2), "{all}");
    assert!(all.contains("certificate"), "{all}");
}

#[test]
fn debug_output_of_targets_errors_and_results_shows_no_credential() {
    let target = |url: &str| Target {
        name: Some("vendor".into()),
        token: Some(TOKEN.into()),
        headers: [("X-Auth-Token".to_string(), XAUTH.to_string())].into(),
        ..Target::new(url)
    };
    let echo_all = echoing(fault::all);
    let echo_patches = echoing(fault::patches);
    let cases = fault::case_dir(&["patch-merge-patch-labels", "get-missing-pod"]);
    let cases = apiconform::cases::load_dir(cases.path()).expect("cases");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mut shown = String::new();
    for url in [&echo_all.url, &echo_patches.url] {
        let t = target(url);
        shown.push_str(&format!("{t:?}\n"));
        let cfg = RunConfig {
            target: t.clone(),
            timeout: Duration::from_secs(2),
            concurrency: 2,
            snapshots: None,
            allow_unconfined: false,
        };
        shown.push_str(&format!("{cfg:?}\n"));
        match rt.block_on(Run::start(&cfg)) {
            Ok(run) => {
                for case in &cases {
                    let r = rt.block_on(run.run_case(case));
                    shown.push_str(&format!("{r:?}\n"));
                }
                if let Err(e) = rt.block_on(run.finish()) {
                    shown.push_str(&format!("{e:?}\n{e}\n"));
                }
            }
            Err(e) => shown.push_str(&format!("{e:?}\n{e}\n")),
        }
        let named = [session::NamedTarget {
            name: "vendor".into(),
            target: t,
        }];
        let opts = session::Options {
            timeout: Duration::from_secs(2),
            concurrency: 2,
            snapshots: None,
            allow_unconfined: false,
        };
        let outcome = rt.block_on(session::run(
            &cases,
            &named,
            None,
            &opts,
            &|_, r| shown_push(r),
            std::future::pending(),
        ));
        shown.push_str(&format!("{outcome:?}\n"));
    }
    assert!(
        !shown.contains(TOKEN) && !shown.contains(XAUTH),
        "a secret leaked into debug output:\n{shown}"
    );
    assert!(shown.contains("[secret]"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
}

fn shown_push(r: &apiconform::results::CaseResult) {
    let text = format!("{r:?}");
    assert!(
        !text.contains(TOKEN) && !text.contains(XAUTH),
        "a secret leaked into a case result:\n{text}"
    );
}

#[test]
fn a_password_in_the_target_url_is_a_secret_too() {
    use base64::Engine;
    const PASSWORD: &str = "pw-5ecret-4411";
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("apiuser:{PASSWORD}"));
    for (when, code) in [(fault::patches as When, 1), (fault::all, 2)] {
        let server = echoing(when);
        let url = server
            .url
            .replace("http://", &format!("http://apiuser:{PASSWORD}@"));
        let case_dir = fault::case_dir(&["patch-merge-patch-labels"]);
        let out = tempfile::tempdir().expect("temp dir");
        let snapshots = tempfile::tempdir().expect("temp dir");
        let ran = fault::run_bounded(
            fault::cli()
                .env("INSTA_UPDATE", "new")
                .args(fault::run_args(&url, case_dir.path(), out.path(), "2"))
                .arg("--snapshots")
                .arg(snapshots.path()),
            Duration::from_secs(20),
        );
        let o = Outputs {
            ran,
            out,
            snapshots,
        };
        let all = o.all();
        assert_eq!(o.ran.code, Some(code), "{all}");
        assert!(
            !all.contains(PASSWORD) && !all.contains(&basic),
            "the URL's password leaked:\n{all}"
        );
        assert!(all.contains("Basic [secret]"), "{all}");
    }
}
