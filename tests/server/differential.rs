//! The live differential tests: the same request sequence sent to the embedded reference server and
//! to a real kube-apiserver, responses compared after normalising uids, resourceVersions and timestamps
//! (managedFields are compared, but for their times), and their `Warning` headers.
//!
//! Run only when `APICONFORM_ORACLE_URL` names the real server (e.g. `https://127.0.0.1:6443` after
//! `tools/kube-apiserver/start.sh`), with `APICONFORM_ORACLE_TOKEN` (bearer token) and optionally
//! `APICONFORM_ORACLE_CA` (CA file; without it the loopback server's certificate is not verified).
//! Otherwise they say so and pass: the recorded versions of the same comparisons
//! (`tests/server/transcripts.rs`) always run.
//!
//! - [`reference_server_answers_like_the_real_one`]: the core/v1 sequences (`base-v1.20.2`, then
//!   `extended-requests`). Every answer must be identical (the layout ones byte for byte), but for
//!   the named known differences, which may differ in their messages or their `Warning` headers
//!   only (`support::transcript::KNOWN_DIFFERENCES`).
//! - [`groups_answer_like_the_real_one`]: the API groups' sequence (`groups-requests`,
//!   `tools/gen_groups_battery.py`), compared where the reference serves the resource by its own
//!   discovery ([`sequence::Served`]); the others are counted as not served yet.
//!
//! Each run has a namespace of its own, deleted afterwards, also when an assertion fails; on a bare
//! server, where it would stay `Terminating`, its finalizer is removed, so that nothing of the run
//! remains. The groups' run also sweeps the collections its sequence used (in its namespace, and
//! the cluster-scoped objects named after it): the sequence deletes all it creates, and whatever it
//! left is deleted and fails the test.
//!
//! With `APICONFORM_RECORD=1`, the real server's answers to the request-only sequences are written
//! to `tests/oracle/extended-v1.20.2/` and `tests/oracle/groups-v1.20.2/`, the recordings the
//! always-on tests replay.

use crate::sequence::{self, Answer, Outcome, Served, Tally, compare, reason};
use crate::support;

use apiconform::server::ReferenceServer;
use apiconform::target::Target;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::transcript::{self, Exchange, IdMap, Verdict, known_difference};

/// The namespace the recorded sequences use; each live run substitutes a fresh one, because the real
/// server (without a controller manager) never finishes deleting namespaces. Cluster-scoped names
/// start with it, so that they are fresh too.
const RECORDED_NS: &str = "conf-smoke";

/// Sends `ex` to `base` in the run's namespace `ns` (and with the ids the server gave, `ids`); the
/// answer as the recording has it, in the recorded namespace.
async fn send(
    client: &reqwest::Client,
    base: &str,
    ex: &Exchange,
    ns: &str,
    ids: &IdMap,
) -> Answer {
    let path = ex.path.replace(RECORDED_NS, ns);
    let body = String::from_utf8_lossy(&ids.apply(&ex.body)).replace(RECORDED_NS, ns);
    let mut answer = sequence::send(client, base, ex, &path, body.into_bytes()).await;
    answer.body = String::from_utf8_lossy(&answer.body)
        .replace(ns, RECORDED_NS)
        .into_bytes();
    for (_, v) in &mut answer.headers {
        *v = v.replace(ns, RECORDED_NS);
    }
    answer
}

/// The two servers of a live run, and the run's namespace on the real one.
struct Live {
    oracle_client: reqwest::Client,
    oracle_url: String,
    server: ReferenceServer,
    reference_client: reqwest::Client,
    ns: String,
    guard: NamespaceGuard,
}

/// One exchange of a live run: both answers, and how the reference's compares with the real one's.
struct Compared {
    oracle: Answer,
    reference: Answer,
    verdict: Verdict,
}

impl Live {
    /// Connects to the real server of `APICONFORM_ORACLE_URL` and starts a reference server; `None`
    /// (having said so) without the variable. `sweep`: the collections (as the transcripts name
    /// them) whose leftovers the cleanup deletes.
    async fn start(sweep: Vec<String>) -> Option<Live> {
        let Ok(url) = std::env::var("APICONFORM_ORACLE_URL") else {
            eprintln!("APICONFORM_ORACLE_URL is not set: live differential test not run");
            return None;
        };
        let oracle = Target {
            url,
            token: std::env::var("APICONFORM_ORACLE_TOKEN").ok(),
            ca_file: std::env::var("APICONFORM_ORACLE_CA").ok().map(Into::into),
            insecure: std::env::var("APICONFORM_ORACLE_CA").is_err(),
            ..Target::default()
        };
        let oracle_client = oracle
            .client(Duration::from_secs(30))
            .expect("oracle client");
        let server = ReferenceServer::start()
            .await
            .expect("reference server starts");
        let reference_client = Target::new(server.url())
            .client(Duration::from_secs(30))
            .unwrap();
        let ns = format!(
            "apiconform-diff-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let guard = NamespaceGuard {
            target: oracle.clone(),
            ns: ns.clone(),
            sweep,
            removed: false,
        };
        Some(Live {
            oracle_client,
            oracle_url: oracle.base_url().to_string(),
            server,
            reference_client,
            ns,
            guard,
        })
    }

    /// Sends each exchange to both servers, in order, and compares the answers. With `record`, the
    /// real server's answers to the request-only exchanges are written there.
    async fn run(&self, exchanges: &[Exchange], record: Option<&Path>) -> Vec<Compared> {
        if let Some(dir) = record {
            std::fs::create_dir_all(dir).expect("recording directory");
        }
        let (mut oracle_ids, mut reference_ids) = (IdMap::default(), IdMap::default());
        let mut compared = Vec::with_capacity(exchanges.len());
        for ex in exchanges {
            let o = send(
                &self.oracle_client,
                &self.oracle_url,
                ex,
                &self.ns,
                &oracle_ids,
            )
            .await;
            let url = self.server.url();
            let r = send(&self.reference_client, &url, ex, &self.ns, &reference_ids).await;
            if let Some(rec) = &ex.response
                && let Ok(recorded) = serde_json::from_slice::<Value>(&rec.body)
            {
                if let Ok(v) = serde_json::from_slice::<Value>(&o.body) {
                    oracle_ids.learn(&recorded, &v);
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&r.body) {
                    reference_ids.learn(&recorded, &v);
                }
            }
            if let Some(dir) = record
                && ex.response.is_none()
            {
                transcript::write(
                    &dir.join(format!("{}.txt", ex.name)),
                    ex,
                    &o.status_line,
                    &o.headers,
                    &o.body,
                )
                .expect("recording written");
            }
            let verdict = compare(&ex.name, o.status, &o.body, &o.warnings(), &r);
            compared.push(Compared {
                oracle: o,
                reference: r,
                verdict,
            });
        }
        compared
    }

    /// Stops the reference server and removes the run's namespace (and, with a sweep, what the
    /// sequence left): whether anything of the run remains.
    async fn finish(mut self) -> Result<(), String> {
        self.server.shutdown().await;
        self.guard.remove().await
    }
}

/// `APICONFORM_RECORD=1`: where the real server's answers are recorded.
fn recording(dir: &Path) -> Option<PathBuf> {
    std::env::var("APICONFORM_RECORD")
        .is_ok_and(|v| v == "1")
        .then(|| dir.to_path_buf())
}

fn oracle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle")
}

/// Fails on the status codes or reasons that differ, then on the other differences.
fn assert_no_failures(contract_failures: &[String], body_failures: &[String]) {
    assert!(
        contract_failures.is_empty(),
        "status code or reason differ:\n{}",
        contract_failures.join("\n")
    );
    assert!(
        body_failures.is_empty(),
        "answers differ:\n{}",
        body_failures.join("\n")
    );
}

/// A status code or reason that differs, if one does.
fn contract_failure(name: &str, c: &Compared) -> Option<String> {
    let (o, r) = (&c.oracle, &c.reference);
    (o.status != r.status || reason(&o.body) != reason(&r.body)).then(|| {
        format!(
            "{name}: real {} {:?}, reference {} {:?}",
            o.status,
            reason(&o.body),
            r.status,
            reason(&r.body)
        )
    })
}

/// Deletes the run's namespace on the real server when dropped, unless [`NamespaceGuard::remove`]
/// already did: the namespace must not outlive the test, even one that failed.
struct NamespaceGuard {
    target: Target,
    ns: String,
    /// Collections (as the transcripts name them, in the recorded namespace) to clear first.
    sweep: Vec<String>,
    removed: bool,
}

impl NamespaceGuard {
    /// Deletes the namespace and reports whether anything of it remains.
    async fn remove(&mut self) -> Result<(), String> {
        let client = self
            .target
            .client(Duration::from_secs(30))
            .map_err(|e| e.to_string())?;
        let base = self.target.base_url();
        let swept = sweep(&client, base, &self.ns, &self.sweep).await;
        let result = remove_namespace(&client, base, &self.ns).await;
        self.removed = true;
        match swept {
            Ok(left) if left.is_empty() => result,
            Ok(left) => Err(format!(
                "the sequence left (now deleted): {}",
                left.join(", ")
            )),
            Err(e) => Err(e),
        }
    }
}

impl Drop for NamespaceGuard {
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        // Dropped while the test's runtime unwinds: a runtime of its own, on a thread of its own.
        let (target, ns, collections) = (self.target.clone(), self.ns.clone(), self.sweep.clone());
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let client = target
                    .client(Duration::from_secs(30))
                    .map_err(|e| e.to_string())?;
                let swept = sweep(&client, target.base_url(), &ns, &collections).await;
                let removed = remove_namespace(&client, target.base_url(), &ns).await;
                swept.and(removed)
            })
        })
        .join();
        match done {
            Ok(Ok(())) => eprintln!("namespace {} deleted", self.ns),
            Ok(Err(e)) => eprintln!("namespace {} NOT deleted: {e}", self.ns),
            Err(_) => eprintln!("namespace {} NOT deleted: the cleanup panicked", self.ns),
        }
    }
}

/// Deletes what is left in the run's `collections` (transcript paths, in the recorded namespace) on
/// the real server: every object of a namespaced collection in the run's namespace `ns`, and the
/// cluster-scoped objects whose name has `ns` in it (the run's own: nothing else is touched).
/// Finalizers are removed first (no garbage collector runs). The objects found, as paths.
async fn sweep(
    client: &reqwest::Client,
    base: &str,
    ns: &str,
    collections: &[String],
) -> Result<Vec<String>, String> {
    let mut left = Vec::new();
    for collection in collections {
        let namespaced = collection.contains(&format!("/namespaces/{RECORDED_NS}/"));
        let url = format!("{base}{}", collection.replace(RECORDED_NS, ns));
        let resp = client
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("listing {url}: {e}"))?;
        if !resp.status().is_success() {
            continue;
        }
        let list: Value = resp
            .json()
            .await
            .map_err(|e| format!("listing {url}: {e}"))?;
        let names = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item["metadata"]["name"].as_str())
            .filter(|name| namespaced || name.contains(ns));
        for name in names {
            if collection == "/api/v1/namespaces" {
                // The run's other namespaces, finalized as its own is (which goes last); a
                // sequence's deleted namespace stays Terminating on a bare server: not "left".
                if name != ns {
                    remove_namespace(client, base, name).await?;
                }
                continue;
            }
            let object = format!("{url}/{name}");
            let finalizers = serde_json::json!({"metadata": {"finalizers": null}});
            let patched = client
                .patch(&object)
                .header("Content-Type", "application/merge-patch+json")
                .body(finalizers.to_string())
                .send()
                .await;
            let deleted = client
                .delete(&object)
                .query(&[("propagationPolicy", "Background")])
                .send()
                .await;
            if let Err(e) = patched.and(deleted) {
                return Err(format!("deleting {object}: {e}"));
            }
            left.push(format!("{collection}/{name}"));
        }
    }
    Ok(left)
}

/// Deletes `ns` and its pods on the real server and waits until neither is left. A bare
/// kube-apiserver has no namespace controller: a deleted namespace stays `Terminating` with the
/// `kubernetes` finalizer, which is removed here (`PUT .../finalize` with `spec.finalizers`
/// emptied). Pods go first, with no grace period, so that none is left behind in the store.
async fn remove_namespace(client: &reqwest::Client, base: &str, ns: &str) -> Result<(), String> {
    let ns_url = format!("{base}/api/v1/namespaces/{ns}");
    let pods_url = format!("{ns_url}/pods");
    let err = |what: &str, e: reqwest::Error| format!("{what}: {e}");
    let resp = client
        .delete(&pods_url)
        .query(&[("gracePeriodSeconds", "0")])
        .send()
        .await
        .map_err(|e| err("deleting the pods", e))?;
    if !(resp.status().is_success() || resp.status().as_u16() == 404) {
        return Err(format!("deleting the pods: HTTP {}", resp.status()));
    }
    let resp = client
        .delete(&ns_url)
        .send()
        .await
        .map_err(|e| err("deleting the namespace", e))?;
    if !(resp.status().is_success() || resp.status().as_u16() == 404) {
        return Err(format!("deleting the namespace: HTTP {}", resp.status()));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let resp = client
            .get(&ns_url)
            .send()
            .await
            .map_err(|e| err("reading the namespace", e))?;
        let status = resp.status().as_u16();
        let mut body: Value = resp.json().await.unwrap_or(Value::Null);
        if status == 404 {
            break;
        }
        let terminating = body["status"]["phase"] == "Terminating";
        let finalizers = body["spec"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
        if status == 200
            && terminating
            && body["metadata"]["finalizers"]
                .as_array()
                .is_some_and(|f| !f.is_empty())
        {
            // Finalizers of its own (`orphan`, from a propagation policy): no collector removes them.
            let none = serde_json::json!({"metadata": {"finalizers": null}});
            client
                .patch(&ns_url)
                .header("Content-Type", "application/merge-patch+json")
                .body(none.to_string())
                .send()
                .await
                .map_err(|e| err("removing the namespace's finalizers", e))?;
        }
        if status == 200 && terminating && finalizers {
            body["spec"]["finalizers"] = Value::Array(Vec::new());
            let resp = client
                .put(format!("{ns_url}/finalize"))
                .json(&body)
                .send()
                .await
                .map_err(|e| err("finalizing the namespace", e))?;
            if !resp.status().is_success() {
                let status = resp.status();
                let text = resp.text().await.unwrap_or_default();
                return Err(format!("finalizing the namespace: HTTP {status}: {text}"));
            }
        }
        if std::time::Instant::now() > deadline {
            return Err(format!(
                "namespace still there after 60 s: HTTP {status} {body}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Nothing of the namespace may be left in the store either.
    let pods: Value = client
        .get(format!("{base}/api/v1/pods"))
        .query(&[("fieldSelector", format!("metadata.namespace={ns}"))])
        .send()
        .await
        .map_err(|e| err("listing pods", e))?
        .json()
        .await
        .map_err(|e| err("listing pods", e))?;
    match pods["items"].as_array() {
        Some(items) if items.is_empty() => Ok(()),
        _ => Err(format!("pods of {ns} left: {pods}")),
    }
}

#[tokio::test]
async fn reference_server_answers_like_the_real_one() {
    let root = oracle_dir();
    let base = transcript::load_dir(&root.join("base-v1.20.2")).expect("base sequence");
    let extended =
        transcript::load_dir(&root.join("extended-requests")).expect("extended sequence");
    // The namespaces the sequence makes beside its own.
    let Some(live) = Live::start(vec!["/api/v1/namespaces".to_string()]).await else {
        return;
    };
    let ns = live.ns.clone();
    let exchanges: Vec<Exchange> = base.into_iter().chain(extended).collect();
    let compared = live
        .run(
            &exchanges,
            recording(&root.join("extended-v1.20.2")).as_deref(),
        )
        .await;
    let mut identical = 0;
    let mut known_only = Vec::new();
    let mut body_failures = Vec::new();
    let mut rows = Vec::new();
    let mut contract_failures = Vec::new();
    for (ex, c) in exchanges.iter().zip(&compared) {
        contract_failures.extend(contract_failure(&ex.name, c));
        match &c.verdict {
            Verdict::Identical => {
                identical += 1;
                rows.push(format!("  identical  {}", ex.name));
                if known_difference(&ex.name).is_some() {
                    body_failures.push(format!(
                        "{}: now identical; remove it from KNOWN_DIFFERENCES",
                        ex.name
                    ));
                }
            }
            Verdict::Known => {
                known_only.push(ex.name.clone());
                rows.push(format!("  known      {} (known difference)", ex.name));
            }
            Verdict::Differs(at) => {
                let at = at.replace('\n', "\n             ");
                rows.push(format!(
                    "  DIFFERS    {} ({} vs {}): {at}",
                    ex.name, c.oracle.status, c.reference.status
                ));
                body_failures.push(format!("{}: {at}", ex.name));
            }
        }
    }
    let total = exchanges.len();
    eprintln!(
        "differential sequence: {identical} of {total} responses identical\n{}",
        rows.join("\n")
    );
    let removed = live.finish().await;
    assert_no_failures(&contract_failures, &body_failures);
    // The known differences of this sequence (the groups' have names of their own).
    let names: std::collections::BTreeSet<&str> =
        exchanges.iter().map(|ex| ex.name.as_str()).collect();
    let mut known: Vec<&str> = transcript::KNOWN_DIFFERENCES
        .iter()
        .map(|(n, ..)| *n)
        .filter(|n| names.contains(n))
        .collect();
    known.sort_unstable();
    known_only.sort_unstable();
    assert_eq!(
        known_only, known,
        "the known differences, and only they, differ (in what they may only)"
    );
    assert_eq!(
        identical,
        total - known.len(),
        "every other answer is identical"
    );
    removed.unwrap_or_else(|e| panic!("namespace {ns} not removed: {e}"));
}

/// The API groups' sequence (`tools/gen_groups_battery.py`), in a namespace of its own: compared
/// like the core one where the reference serves the resource (by its own discovery, asked before
/// the run), counted as not served yet elsewhere.
#[tokio::test]
async fn groups_answer_like_the_real_one() {
    let root = oracle_dir();
    let exchanges = transcript::load_dir(&root.join("groups-requests")).expect("groups sequence");
    let collections: BTreeSet<String> = exchanges
        .iter()
        .filter_map(|ex| sequence::collection_of(&ex.path))
        .collect();
    let Some(live) = Live::start(collections.into_iter().collect()).await else {
        return;
    };
    let ns = live.ns.clone();
    let mut served = Served::of(&live.reference_client, &live.server.url()).await;
    let out_dir = recording(&root.join("groups-v1.20.2"));
    let compared = live.run(&exchanges, out_dir.as_deref()).await;
    if let Some(dir) = &out_dir {
        remove_stale_recordings(dir, &exchanges);
    }
    let mut tally = Tally::default();
    let mut contract_failures = Vec::new();
    let mut body_failures = Vec::new();
    for (ex, c) in exchanges.iter().zip(&compared) {
        let resource = sequence::resource_of(&ex.path);
        if !served.covers(ex, c.oracle.status, &c.oracle.body) {
            tally.add(&resource, Outcome::NotServed);
            continue;
        }
        tally.add(&resource, Outcome::from(&c.verdict));
        contract_failures.extend(contract_failure(&ex.name, c));
        if let Verdict::Differs(at) = &c.verdict {
            body_failures.push(format!("{}: {at}", ex.name));
        }
    }
    eprintln!(
        "groups sequence: {} of {} responses identical, {} not served by the reference yet\n{}",
        tally.total(Outcome::Identical),
        exchanges.len(),
        tally.total(Outcome::NotServed),
        tally.table()
    );
    let removed = live.finish().await;
    assert_no_failures(&contract_failures, &body_failures);
    removed.unwrap_or_else(|e| panic!("namespace {ns} not removed: {e}"));
}

/// Removes the recordings in `dir` of exchanges no longer in the sequence.
fn remove_stale_recordings(dir: &Path, exchanges: &[Exchange]) {
    let current: BTreeSet<String> = exchanges
        .iter()
        .map(|ex| format!("{}.txt", ex.name))
        .collect();
    for entry in std::fs::read_dir(dir)
        .expect("recording directory")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".txt") && !current.contains(&name) {
            std::fs::remove_file(entry.path()).expect("stale recording removed");
        }
    }
}
