//! Nothing a run creates remains after it, of any kind, on a real kube-apiserver: after a run of
//! every case in `cases/`, after one interrupted with SIGINT midway, and after one whose cases all
//! fail. The whole cluster is inventoried before and after each (every listable resource of the
//! kind table, cluster-wide): the only new object allowed is the run's own namespace, deleted and
//! empty but `Terminating` (a bare kube-apiserver has no namespace controller to finish it).
//!
//! Live only: `APICONFORM_ORACLE_URL` (e.g. https://127.0.0.1:6443 after
//! `tools/kube-apiserver/start.sh`) and `APICONFORM_ORACLE_TOKEN`; skipped, saying so, without
//! them. It needs the cluster to itself (`.ci/run` runs it alone).

use crate::support::fault;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

struct Oracle {
    target: apiconform::target::Target,
    client: reqwest::Client,
    rt: tokio::runtime::Runtime,
    token: String,
}

impl Oracle {
    fn from_env() -> Option<Oracle> {
        let url = std::env::var("APICONFORM_ORACLE_URL").ok()?;
        let token = std::env::var("APICONFORM_ORACLE_TOKEN").unwrap_or_default();
        let target = apiconform::target::Target {
            token: Some(token.clone()),
            insecure: true,
            ..apiconform::target::Target::new(url.as_str())
        };
        let client = target.client(Duration::from_secs(20)).expect("client");
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        Some(Oracle {
            target,
            client,
            rt,
            token,
        })
    }

    fn get(&self, path: &str) -> (u16, serde_json::Value) {
        self.rt.block_on(async {
            let resp = self
                .client
                .get(format!("{}{path}", self.target.base_url()))
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {path}: {e}"));
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(serde_json::Value::Null))
        })
    }

    /// Every object of every listable resource, cluster-wide: `group/version/plural
    /// namespace/name` → the namespace's phase for namespaces, `""` for the others.
    fn inventory(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for r in apiconform::kinds::RESOURCES
            .iter()
            .filter(|r| r.has_verb("list"))
        {
            let (status, list) = self.get(&r.collection_path(None));
            assert_eq!(status, 200, "listing {}: {list}", r.collection_path(None));
            for item in list["items"].as_array().into_iter().flatten() {
                let meta = &item["metadata"];
                let key = format!(
                    "{} {}/{}",
                    r.collection_path(None),
                    meta["namespace"].as_str().unwrap_or("-"),
                    meta["name"].as_str().unwrap_or("?")
                );
                let phase = if r.plural == "namespaces" && r.group.is_empty() {
                    item["status"]["phase"].as_str().unwrap_or("").to_string()
                } else {
                    String::new()
                };
                out.insert(key, phase);
            }
        }
        out
    }

    /// Runs the CLI over `cases` against the oracle, bounded; `interrupt_after`: SIGINT once that
    /// many cases finished.
    fn run(&self, cases: &Path, interrupt_after: Option<usize>) -> fault::Ran {
        let mut cmd = fault::cli();
        cmd.env("APICONFORM_TOKEN", &self.token)
            .args(["run", "--no-snapshots", "--insecure", "--timeout", "20"])
            .args(["--target", self.target.base_url(), "--cases"])
            .arg(cases);
        match interrupt_after {
            None => fault::run_bounded(&mut cmd, Duration::from_secs(600)),
            Some(n) => {
                let mut live = fault::Live::spawn(&mut cmd);
                live.wait_until(Duration::from_secs(120), "cases finished", |l| {
                    l.case_lines() >= n
                });
                live.signal("-INT");
                live.finish(Duration::from_secs(120))
            }
        }
    }

    /// The objects in `after` and not in `before`, but for namespaces that are `Terminating` and
    /// hold no new object: what a run left.
    fn left(
        &self,
        before: &BTreeMap<String, String>,
        after: &BTreeMap<String, String>,
    ) -> Vec<String> {
        let new: Vec<(&String, &String)> = after
            .iter()
            .filter(|(k, _)| !before.contains_key(*k))
            .collect();
        let mut left = Vec::new();
        for (key, phase) in &new {
            let namespace_name = key
                .strip_prefix("/api/v1/namespaces -/")
                .map(str::to_string);
            if let Some(ns) = &namespace_name
                && phase.as_str() == "Terminating"
                && !new.iter().any(|(k, _)| k.contains(&format!(" {ns}/")))
            {
                continue;
            }
            left.push(format!("{key} {phase}"));
        }
        left
    }

    /// Removes the `kubernetes` finalizer of the empty Terminating namespaces a run left, so that
    /// the next run starts from a clean cluster (the test's own housekeeping, not the run's). A
    /// namespace that still holds something is left alone: finalizing it would orphan its objects.
    fn finalize_terminating(&self, before: &BTreeMap<String, String>, left: &[String]) {
        let (_, list) = self.get("/api/v1/namespaces");
        for ns in list["items"].as_array().into_iter().flatten() {
            let name = ns["metadata"]["name"].as_str().unwrap_or("");
            let key = format!("/api/v1/namespaces -/{name}");
            if before.contains_key(&key)
                || ns["status"]["phase"] != "Terminating"
                || left.iter().any(|l| l.contains(&format!(" {name}/")))
            {
                continue;
            }
            let mut body = ns.clone();
            body["spec"]["finalizers"] = serde_json::json!([]);
            self.rt.block_on(async {
                let _ = self
                    .client
                    .put(format!(
                        "{}/api/v1/namespaces/{name}/finalize",
                        self.target.base_url()
                    ))
                    .json(&body)
                    .send()
                    .await;
            });
        }
    }
}

/// `cases/` copied with every expected status replaced by 599: every case that gets an answer
/// fails (its fixtures are created and must be deleted all the same).
fn failing_copy(dir: &Path) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("temp dir");
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("cases dir") {
            let p = e.expect("entry").path();
            let to = out.path().join(p.strip_prefix(dir).expect("below"));
            if p.is_dir() {
                std::fs::create_dir_all(&to).expect("dir");
                stack.push(p);
            } else {
                let mut bytes = std::fs::read(&p).expect("read");
                if p.extension().is_some_and(|x| x == "yaml") {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    let mut in_expect = false;
                    let lines: Vec<String> = text
                        .lines()
                        .map(|l| {
                            if !l.starts_with(' ') {
                                in_expect = l.starts_with("expect:");
                            }
                            if in_expect && l.starts_with("  status: ") {
                                "  status: 599".to_string()
                            } else {
                                l.to_string()
                            }
                        })
                        .collect();
                    bytes = (lines.join("\n") + "\n").into_bytes();
                }
                std::fs::write(&to, bytes).expect("write");
            }
        }
    }
    out
}

#[test]
fn a_run_leaves_nothing_on_a_real_kube_apiserver() {
    let Some(oracle) = Oracle::from_env() else {
        let _ = writeln!(
            std::io::stderr(),
            "a_run_leaves_nothing_on_a_real_kube_apiserver: SKIPPED: APICONFORM_ORACLE_URL is not \
             set (tools/kube-apiserver/start.sh, then APICONFORM_ORACLE_URL=https://127.0.0.1:6443 \
             APICONFORM_ORACLE_TOKEN=conformance-token)"
        );
        return;
    };
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let failing = failing_copy(&cases);
    let scenarios: [(&str, &Path, Option<usize>); 3] = [
        ("a whole run", &cases, None),
        ("a run interrupted midway", &cases, Some(10)),
        ("a run whose cases fail", failing.path(), None),
    ];
    for (what, dir, interrupt) in scenarios {
        let before = oracle.inventory();
        let ran = oracle.run(dir, interrupt);
        let text = ran.text();
        let expected = match interrupt {
            Some(_) => vec![Some(130)],
            None if what.contains("fail") => vec![Some(1)],
            None => vec![Some(0), Some(1)],
        };
        assert!(expected.contains(&ran.code), "{what}: {text}");
        if what.contains("fail") {
            assert!(
                !ran.stdout.contains("PASS "),
                "{what}: a case passed\n{text}"
            );
        }
        let after = oracle.inventory();
        let left = oracle.left(&before, &after);
        oracle.finalize_terminating(&before, &left);
        assert!(
            left.is_empty(),
            "{what} left objects behind:\n  {}\n{text}",
            left.join("\n  ")
        );
        let _ = writeln!(
            std::io::stderr(),
            "{what}: exit {:?}, {} objects before and {} after (new: only empty Terminating namespaces)",
            ran.code,
            before.len(),
            after.len()
        );
    }
}
