//! Cleanup and nothing lost: a run whose cases fail midway leaves no namespace or pod; two runs
//! at once do not interfere; an interrupted run still writes the results of the cases it finished
//! and only whole snapshot files; a second interrupt during the cleanup exits at once, naming the
//! namespace that may remain. The target is the reference server behind a fault server
//! (tests/support/fault.rs); every run is bounded in time.

use crate::support::fault;

use apiconform::results::{Cell, ResultSet};
use fault::{Fault, FaultServer, Live};
use std::path::Path;
use std::time::{Duration, Instant};

fn results(out: &Path) -> ResultSet {
    let text = std::fs::read_to_string(out.join("results.json")).expect("results.json");
    serde_json::from_str(&text).expect("a result set")
}

const PATCH_CASES: [&str; 5] = [
    "get-missing-pod",
    "patch-merge-patch-labels",
    "patch-json-patch-doc-example",
    "patch-strategic-container-image",
    "put-status-unconditional",
];

#[test]
fn a_run_whose_cases_fail_midway_leaves_no_namespace_or_pod() {
    for fault in [
        Fault::ResetMidBody,
        Fault::Answer {
            status: 500,
            content_type: "text/plain",
            body: "internal error",
        },
        Fault::Hang,
    ] {
        // The pods are created, then each PATCH fails.
        let server = FaultServer::start(fault, fault::patches);
        let cases = fault::case_dir(&PATCH_CASES);
        let out = tempfile::tempdir().expect("temp dir");
        let ran = fault::run_bounded(
            fault::cli()
                .args(fault::run_args(&server.url, cases.path(), out.path(), "1"))
                .args(["--no-snapshots", "--concurrency", "4"]),
            Duration::from_secs(10),
        );
        let text = ran.text();
        assert_eq!(ran.code, Some(1), "{fault:?}: {text}");
        let set = results(out.path());
        let cells: Vec<(&str, Cell)> = set.targets[0]
            .cases
            .iter()
            .map(|c| (c.id.as_str(), c.cell))
            .collect();
        assert!(
            cells
                .iter()
                .filter(|(id, _)| id.starts_with("patch-"))
                .all(|(_, c)| *c != Cell::Passed),
            "{fault:?}: {cells:?}"
        );
        assert!(
            cells.contains(&("put-status-unconditional", Cell::Passed)),
            "{cells:?}"
        );
        assert!(set.targets[0].cleanup.is_empty(), "{fault:?}: {text}");
        assert!(
            !ran.stderr.contains("warning: cleanup"),
            "{fault:?}: {text}"
        );
        assert_eq!(server.leftovers(), (vec![], 0), "{fault:?}: {text}");
    }
}

#[test]
fn two_runs_at_once_do_not_interfere() {
    // The first pod request of each run is held until the other run's arrives: both runs are
    // then under way at once, each with its namespace, however slow the machine (no polling).
    let server = FaultServer::start(Fault::Rendezvous(2), fault::pods);
    let cases = fault::case_dir(&PATCH_CASES);
    let outs = [
        tempfile::tempdir().expect("temp dir"),
        tempfile::tempdir().expect("temp dir"),
    ];
    // A per-request timeout above fault::MEETING_LIMIT: the held request does not time out.
    let live: Vec<Live> = outs
        .iter()
        .map(|out| {
            Live::spawn(
                fault::cli()
                    .args(fault::run_args(&server.url, cases.path(), out.path(), "30"))
                    .args(["--no-snapshots", "--concurrency", "2"]),
            )
        })
        .collect();
    let ran: Vec<_> = live
        .into_iter()
        .map(|l| l.finish(fault::MEETING_LIMIT + Duration::from_secs(30)))
        .collect();
    for r in &ran {
        assert_eq!(r.code, Some(0), "{}", r.text());
    }
    assert!(
        server.overlapped(),
        "the two runs did not overlap: a run's first pod request was not joined by the other's \
         within {:?}",
        fault::MEETING_LIMIT
    );
    let namespaces: Vec<String> = outs
        .iter()
        .map(|o| {
            results(o.path()).targets[0]
                .namespace
                .clone()
                .expect("namespace")
        })
        .collect();
    assert_ne!(namespaces[0], namespaces[1]);
    for o in &outs {
        let set = results(o.path());
        assert_eq!(set.targets[0].counts.passed, PATCH_CASES.len());
    }
    assert_eq!(server.leftovers(), (vec![], 0));
}

/// Whether a pending snapshot file is whole: insta's header, then `HTTP <status>` and a JSON body.
fn whole_snapshot(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("---\n") else {
        return false;
    };
    let Some((_, content)) = rest.split_once("\n---\n") else {
        return false;
    };
    let Some((status, body)) = content.split_once('\n') else {
        return false;
    };
    status.starts_with("HTTP ")
        && text.ends_with('\n')
        && serde_json::from_str::<serde_json::Value>(body).is_ok()
}

#[test]
fn an_interrupted_run_keeps_the_results_of_finished_cases_and_only_whole_snapshots() {
    let server = FaultServer::start(Fault::Delay(100), fault::pods);
    let out = tempfile::tempdir().expect("temp dir");
    let snapshots = tempfile::tempdir().expect("temp dir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let total = apiconform::cases::load_dir(&root.join("cases"))
        .expect("cases")
        .len();
    let mut live = Live::spawn(
        fault::cli()
            .env("INSTA_UPDATE", "new")
            .args(fault::run_args(
                &server.url,
                &root.join("cases"),
                out.path(),
                "5",
            ))
            .args(["--concurrency", "2", "--snapshots"])
            .arg(snapshots.path()),
    );
    live.wait_until(Duration::from_secs(10), "3 finished cases", |l| {
        l.case_lines() >= 3
    });
    live.signal("-INT");
    let ran = live.finish(Duration::from_secs(10));
    let text = ran.text();
    assert_eq!(ran.code, Some(130), "{text}");

    // The results of the finished cases are in the reports, and only those.
    let set = results(out.path());
    let printed = ran
        .stdout
        .lines()
        .filter(|l| fault::is_case_line(l))
        .count();
    let finished = set.targets[0].cases.len();
    assert_eq!(finished, printed, "{text}");
    assert!(
        finished >= 3 && finished < total,
        "{finished} of {total}: {text}"
    );
    assert!(
        ran.stderr.contains(&format!(
            "the results above and in the reports are those of the {finished} cases that finished"
        )),
        "{text}"
    );
    let namespace = set.targets[0].namespace.clone().expect("namespace");
    assert!(
        ran.stderr
            .contains(&format!("interrupted: deleting namespace {namespace} on "))
            && ran
                .stderr
                .contains(&format!("interrupted: namespace {namespace} on "))
            && ran.stderr.contains("deleted, with its pods"),
        "{text}"
    );
    assert_eq!(server.leftovers(), (vec![], 0), "{text}");

    // Snapshots: no temporary file, and every pending snapshot whole; one per finished case at
    // least (a case cut short after its answer may have written its own).
    assert!(
        fault::files_containing(snapshots.path(), ".tmp").is_empty(),
        "{text}"
    );
    assert!(
        fault::files_containing(out.path(), ".tmp").is_empty(),
        "{text}"
    );
    // (A case of an endpoint the target does not serve keeps no snapshot.)
    let answered = set.targets[0]
        .cases
        .iter()
        .filter(|c| c.cell != apiconform::results::Cell::NotServed)
        .count();
    let pending = fault::files_containing(snapshots.path(), ".snap.new");
    assert!(
        pending.len() >= answered,
        "{} pending for {answered} finished and answered",
        pending.len()
    );
    for p in &pending {
        let body = std::fs::read_to_string(p).expect("snapshot");
        assert!(
            whole_snapshot(&body),
            "{} is not whole:\n{body}",
            p.display()
        );
    }
}

#[test]
fn a_second_interrupt_during_the_cleanup_exits_at_once_naming_the_namespace() {
    // Pod requests are slow; the namespace's deletion is never answered.
    let server = FaultServer::with_rules(&[
        (fault::namespace_delete, Fault::Hang),
        (fault::pods, Fault::Delay(100)),
    ]);
    let cases = fault::case_dir(&PATCH_CASES);
    let out = tempfile::tempdir().expect("temp dir");
    let mut live = Live::spawn(
        fault::cli()
            .args(fault::run_args(&server.url, cases.path(), out.path(), "30"))
            .args(["--no-snapshots", "--concurrency", "1"]),
    );
    live.wait_until(Duration::from_secs(10), "a finished case", |l| {
        l.case_lines() >= 1
    });
    live.signal("-INT");
    live.wait_until(Duration::from_secs(5), "the cleanup", |l| {
        l.stderr().contains("interrupted: deleting namespace")
    });
    // Let the cleanup reach the namespace's deletion (pods first, 100 ms each).
    std::thread::sleep(Duration::from_millis(600));
    let second = Instant::now();
    live.signal("-INT");
    let ran = live.finish(Duration::from_secs(10));
    let text = ran.text();
    assert_eq!(ran.code, Some(130), "{text}");
    assert!(second.elapsed() < Duration::from_secs(3), "{text}");
    let namespaces = server.leftovers().0;
    assert_eq!(namespaces.len(), 1, "{text}");
    assert!(
        ran.stderr.contains(&format!(
            "interrupted again: exiting without waiting for the cleanup; these namespaces may remain: {} on ",
            namespaces[0]
        )),
        "{text}"
    );
}

#[test]
fn an_interrupt_while_the_namespace_is_created_still_deletes_it() {
    // The namespace's creation is answered (and done) only after 1.5 s; the interrupt comes
    // before. The run waits for the answer (bounded by --timeout), then deletes the namespace.
    let server = FaultServer::with_rules(&[(
        |m: &str, p: &str| m == "POST" && !p.contains("/pods"),
        Fault::Delay(1500),
    )]);
    let cases = fault::case_dir(&["get-missing-pod"]);
    let out = tempfile::tempdir().expect("temp dir");
    let mut live = Live::spawn(
        fault::cli()
            .args(fault::run_args(&server.url, cases.path(), out.path(), "5"))
            .arg("--no-snapshots"),
    );
    live.wait_until(Duration::from_secs(5), "the start", |l| {
        l.stdout().contains("running 1 cases against")
    });
    std::thread::sleep(Duration::from_millis(300));
    live.signal("-INT");
    let ran = live.finish(Duration::from_secs(10));
    let text = ran.text();
    assert_eq!(ran.code, Some(130), "{text}");
    assert!(!ran.stdout.contains("PASS "), "no case ran: {text}");
    assert!(
        ran.stderr
            .contains("interrupted: deleting namespace apiconform-"),
        "{text}"
    );
    assert_eq!(server.leftovers(), (vec![], 0), "{text}");
}
