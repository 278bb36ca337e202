//! kubectl 1.20.2 against the embedded reference server (`apiconform serve`), compared with the same
//! commands against a real kube-apiserver v1.20.2: everyday commands (api-resources, create -f, get
//! in every output format, describe, the three patch types, label, annotate, label and field
//! selectors, client-side apply, replace, get -w with a concurrent change, delete, delete
//! namespace; then the API groups: create deployment, configmap, service clusterip, job and cronjob,
//! scale, rollout history and undo, a certificate signing request approved, the local APIServices,
//! server-side apply twice with a change and a field-manager conflict, forced), each in a namespace
//! of its own on each server. Prints per command whether the two
//! outputs agree (after normalising ages, uids, resourceVersions, timestamps and the namespace
//! name) and how many do; asserts that every command works against the real server (the
//! yardstick) and behaves the same against the reference server.
//!
//! Needs kubectl 1.20.2 (`APICONFORM_KUBECTL`, else `kubectl` on the PATH if it is 1.20; Debian's
//! `kubernetes-client`: `apt-get download kubernetes-client && dpkg -x kubernetes-client_*.deb DIR`)
//! and the real server (`APICONFORM_ORACLE_URL`, `APICONFORM_ORACLE_TOKEN`); skipped, saying so,
//! without either.

use apiconform::server::BackgroundServer;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const POD: &str = r#"{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "web", "labels": {"app": "web"}},
 "spec": {"containers": [{"name": "web", "image": "nginx:1.21"}]}}"#;

const POD_CHANGED: &str = r#"{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
 "spec": {"containers": [{"name": "web", "image": "nginx:1.22"}]}}"#;

/// The commands, in order; `{ns}` is the namespace, `{dir}` the folder of the manifests. A command
/// starting with `watch:` runs `kubectl get -w` while a label is added.
const COMMANDS: &[&str] = &[
    "api-resources --api-group=",
    // What a new server makes of itself: read only.
    "get namespaces default kube-system kube-public kube-node-lease",
    "get namespace default -o yaml",
    "-n default get service kubernetes -o jsonpath={.metadata.labels}{.spec}",
    "get priorityclasses",
    "get clusterroles -o name",
    "describe clusterrole system:discovery",
    "-n kube-system get rolebindings -o name",
    "auth can-i create pods",
    "auth can-i list deployments.apps --all-namespaces",
    "auth can-i get /healthz",
    "auth can-i --list -n default",
    // Impersonation: another user, authorized by RBAC over the bootstrap policy.
    "fails:auth can-i get pods --as=bob",
    "auth can-i --list -n default --as=bob",
    "fails:-n default get pods --as=bob",
    "fails:get nodes --as=bob --as-group=tester",
    "create namespace {ns}",
    "-n {ns} create -f {dir}/pod.json",
    "-n {ns} get pods",
    "-n {ns} get pod web -o json",
    "-n {ns} get pod web -o yaml",
    "-n {ns} get pods -o wide",
    "-n {ns} get pods -o name",
    "-n {ns} describe pod web",
    "-n {ns} patch pod web --type json -p [{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"nginx:1.22\"}]",
    "-n {ns} patch pod web --type merge -p {\"metadata\":{\"labels\":{\"patched\":\"merge\"}}}",
    "-n {ns} patch pod web --type strategic -p {\"metadata\":{\"labels\":{\"patched\":\"strategic\"}}}",
    "-n {ns} label pod web color=blue",
    "-n {ns} annotate pod web note=hello",
    "-n {ns} get pods -l color=blue",
    "-n {ns} get pods -l color=red",
    "-n {ns} get pods --field-selector metadata.name=web",
    "-n {ns} get pods --field-selector metadata.name=nope",
    "-n {ns} apply -f {dir}/pod-changed.json",
    "-n {ns} replace -f {dir}/pod-changed.json",
    "watch:-n {ns} get pods --watch --request-timeout=3s",
    "-n {ns} delete pod web --wait=false",
    "-n {ns} get pods",
    // The API groups: created by kubectl's generators, no controller acting on them.
    "-n {ns} create deployment web --image=nginx:1.21",
    "-n {ns} get deployments",
    "-n {ns} scale deployment web --replicas=3",
    "-n {ns} get deployment web -o json",
    "-n {ns} rollout history deployment web",
    "fails:-n {ns} rollout undo deployment web",
    "-n {ns} create configmap settings --from-literal=color=blue",
    "-n {ns} get configmap settings -o yaml",
    "-n {ns} create service clusterip front --tcp=80:8080",
    "-n {ns} get service front -o jsonpath={.spec.ports}",
    "-n {ns} create job once --image=busybox:1.36",
    "-n {ns} create cronjob often --image=busybox:1.36 --schedule=*/5{sp}*{sp}*{sp}*{sp}*",
    "-n {ns} get jobs,cronjobs",
    // A certificate signing request (cluster-scoped: named after the namespace), approved.
    "create -f {dir}/csr-{ns}.json",
    "get csr {ns}-csr",
    "certificate approve {ns}-csr",
    "get csr {ns}-csr -o jsonpath={.spec.signerName}{.spec.username}{.status.conditions[0].type}",
    "describe csr {ns}-csr",
    "delete csr {ns}-csr",
    // The aggregator's local APIServices.
    "get apiservices v1. v1.apps v1beta1.batch",
    // Server-side apply: twice by one manager with a change, then a conflict with another.
    "-n {ns} apply --server-side -f {dir}/config.json",
    "-n {ns} apply --server-side -f {dir}/config-changed.json",
    "-n {ns} get configmap applied -o json",
    "fails:-n {ns} apply --server-side --field-manager=other -f {dir}/config-other.json",
    "-n {ns} apply --server-side --field-manager=other --force-conflicts -f {dir}/config-other.json",
    "-n {ns} get configmap applied -o json",
    // What a bare kube-apiserver would keep in the namespace, deleted one by one.
    "-n {ns} delete deployment web",
    "-n {ns} delete job once",
    "-n {ns} delete cronjob often",
    "-n {ns} delete configmap settings applied",
    "-n {ns} delete service front",
    "delete namespace {ns} --wait=false",
];

const CONFIG: &str = r#"{"apiVersion": "v1", "kind": "ConfigMap",
 "metadata": {"name": "applied"}, "data": {"a": "1", "b": "2"}}"#;

const CONFIG_CHANGED: &str = r#"{"apiVersion": "v1", "kind": "ConfigMap",
 "metadata": {"name": "applied", "labels": {"v": "2"}}, "data": {"a": "10"}}"#;

const CONFIG_OTHER: &str = r#"{"apiVersion": "v1", "kind": "ConfigMap",
 "metadata": {"name": "applied"}, "data": {"a": "100"}}"#;

/// A signing request (PKCS#10 of `CN=alice, O=dev`, base64 of its PEM) named `{name}`.
const CSR: &str = r#"{"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
 "metadata": {"name": "{name}"},
 "spec": {"signerName": "example.com/signer", "usages": ["client auth"],
          "request": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQ1l6Q0NBVXNDQVFBd0hqRU9NQXdHQTFVRUF3d0ZZV3hwWTJVeEREQUtCZ05WQkFvTUEyUmxkakNDQVNJdwpEUVlKS29aSWh2Y05BUUVCQlFBRGdnRVBBRENDQVFvQ2dnRUJBTWJnU21NRXRTUWYzOHhFR3ZDRUNlTEszeGlkCjJzY3MxNWRzNktBRUpZKzNoUjh5a1lLb0pHM3IwNC93OW5mZWtCd2FhcHpydVgxU0Nvd1FCMTNVbVliOHpzWHQKQThtSURxYVhNZVl1SEZMQmV5UG9LWlJqZmtyeHdHazJQWDdjbytQVDFJMFJrZVRyVFF2UGo0V1o1TGY5ZmVCVQpLWWUxekUvelNka0Y5ZHErQnJuY0NyNkR2Z3hvcURKU09IZmNTekdBRXlCUHkwUlYxZWRaRDlldEU5YWkxbDZZCkFoVGFzeFZGVlA5UlFDQUNMci8zTjlTcW9xUGYvMFZxMUFMMVNYNjRFM0VDdmtsRWJOSTYxMzkvc3ZjRVI5dTQKMDBjVks4dE5wbjRKL3MyOFZCaXphck9BeldZMXZMYkJKVFNLREJPblB1SjZjdithcC9TZzBIVWZuRjBDQXdFQQpBYUFBTUEwR0NTcUdTSWIzRFFFQkN3VUFBNElCQVFBSTdQdnkzZjRPZXplQ0w5YmpoV1RldGRFQnA0VlFMMnhtClRwTFZic0sxbDFWRllOUmRRTS9WV3RNamg1RUpYUUdFUFZQZzZzOWw5REg3Sk9GMlAxWllTbFdSVWREL0Ivb3YKRCtHRnBJR0dkMitTb3J4T2ljd052K0lmdkFlL2dBSndsb3ZxaUVDNVJxOE5VUVdBcDYrbWc5VDJHeFpyQzdOMAplL2x4aVBSWjVQZW5SNE1ZbjB1MG5ubitBOHhwVG5PRjVPODhjNkh4cEJrWjZiRktWRWtZazNPUDNXWTd2MHJ2CmV6MCtxSTh1UERJajl0YzlYc3ZwelMza3Y4bXBCb2o4SmYrdWxVNXNUVUkzVEZNQTJucVdzQmtmNnRLcFp2MUEKVmh6VHUwZGZ1V3QyZUFwUTlkRzR5NGNqQzFJZ1locUNpQzhyQzZwWmpodDF5SkhaN0luawotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K"}}"#;

fn kubectl() -> Option<PathBuf> {
    let candidate = std::env::var_os("APICONFORM_KUBECTL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("kubectl"));
    let out = Command::new(&candidate)
        .args(["version", "--client", "--short"])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .contains("v1.20.")
        .then_some(candidate)
}

fn kubeconfig(dir: &Path, name: &str, server: &str, token: Option<&str>) -> PathBuf {
    let user = match token {
        Some(t) => format!("  user: {{token: {t}}}"),
        None => "  user: {}".to_string(),
    };
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: \"{server}\", insecure-skip-tls-verify: {}}}\nusers:\n- name: u\n{user}\ncontexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n",
        server.starts_with("https")
    );
    let path = dir.join(format!("{name}.kubeconfig"));
    std::fs::write(&path, text).expect("kubeconfig");
    path
}

/// kubectl with `args`, its output piped.
fn spawn(kubectl: &Path, config: &Path, args: &[String]) -> std::process::Child {
    Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(config)
        .args(args)
        .env("HOME", config.parent().expect("dir"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl starts")
}

/// Waits for `child` to end, killing it after 20 s.
fn wait_bounded(child: &mut std::process::Child) {
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One kubectl command, bounded in time: (exit code, stdout + stderr).
fn run(kubectl: &Path, config: &Path, args: &[String]) -> (Option<i32>, String) {
    let mut child = spawn(kubectl, config, args);
    wait_bounded(&mut child);
    let out = child.wait_with_output().expect("output");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A kubectl watch (`get -w`, ending with its request timeout) and a `change` made once it has
/// printed what it watches, so that the change comes after the watch starts however slow the
/// machine: (exit code, stdout + stderr).
fn run_watch(
    kubectl: &Path,
    config: &Path,
    args: &[String],
    change: impl FnOnce(),
) -> (Option<i32>, String) {
    use std::io::{BufRead, Read};
    let mut child = spawn(kubectl, config, args);
    let (stdout, mut stderr) = (
        child.stdout.take().expect("stdout"),
        child.stderr.take().expect("stderr"),
    );
    let (first_line, printed) = std::sync::mpsc::channel::<()>();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            out.push_str(&line);
            out.push('\n');
            let _ = first_line.send(());
        }
        out
    });
    let errors = std::thread::spawn(move || {
        let mut err = String::new();
        let _ = stderr.read_to_string(&mut err);
        err
    });
    // The table's header and the pod: then the change.
    for _ in 0..2 {
        let _ = printed.recv_timeout(Duration::from_secs(15));
    }
    change();
    wait_bounded(&mut child);
    let code = child.wait().expect("exit").code();
    let out = reader.join().unwrap_or_default();
    (code, out + &errors.join().unwrap_or_default())
}

/// The output with what differs between any two servers by nature replaced.
fn normalize(text: &str, ns: &str) -> String {
    let mut out = text.replace(ns, "[ns]");
    for (pattern, with) in [
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uid]",
        ),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[time]"),
        (r#"(resourceVersion"?:\s*"?)\d+"#, "${1}[rv]"),
        (r"\b(\d+[smhd])+\b", "[age]"),
        (r"<invalid>|<unknown>", "[age]"),
        (
            r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}",
            "[date]",
        ),
    ] {
        out = regex_replace(&out, pattern, with);
    }
    out
}

fn regex_replace(text: &str, pattern: &str, with: &str) -> String {
    regex::Regex::new(pattern)
        .expect("pattern")
        .replace_all(text, with)
        .into_owned()
}

#[test]
fn kubectl_behaves_as_against_the_real_server() {
    let skip = |why: &str| {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("kubectl_behaves_as_against_the_real_server: SKIPPED: {why}\n").as_bytes(),
        );
    };
    let Some(kubectl) = kubectl() else {
        return skip("no kubectl 1.20 (set APICONFORM_KUBECTL; see the module comment)");
    };
    let Ok(oracle) = std::env::var("APICONFORM_ORACLE_URL") else {
        return skip("APICONFORM_ORACLE_URL is not set (tools/kube-apiserver/start.sh)");
    };
    let token = std::env::var("APICONFORM_ORACLE_TOKEN").unwrap_or_default();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("pod.json"), POD).expect("pod");
    std::fs::write(dir.path().join("pod-changed.json"), POD_CHANGED).expect("pod");
    for (name, text) in [
        ("config.json", CONFIG),
        ("config-changed.json", CONFIG_CHANGED),
        ("config-other.json", CONFIG_OTHER),
    ] {
        std::fs::write(dir.path().join(name), text).expect("manifest");
    }
    let server = BackgroundServer::start().expect("reference server");
    let real = kubeconfig(dir.path(), "real", &oracle, Some(&token));
    let reference = kubeconfig(dir.path(), "reference", server.url(), None);
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let (real_ns, ref_ns) = (format!("kubectl-r-{suffix}"), format!("kubectl-x-{suffix}"));
    for ns in [&real_ns, &ref_ns] {
        let csr = CSR.replace("{name}", &format!("{ns}-csr"));
        std::fs::write(dir.path().join(format!("csr-{ns}.json")), csr).expect("manifest");
    }
    let mut agree = 0;
    let mut real_failures = Vec::new();
    let mut report = String::new();
    for command in COMMANDS {
        // `fails:`: a command that fails against the real server too (its message compared).
        let (fails, command) = match command.strip_prefix("fails:") {
            Some(c) => (true, c),
            None => (false, *command),
        };
        let (watch, command) = match command.strip_prefix("watch:") {
            Some(c) => (true, c),
            None => (false, command),
        };
        let args = |ns: &str| -> Vec<String> {
            let dir = dir.path().display().to_string();
            command
                .split(' ')
                .map(|a| {
                    a.replace("{ns}", ns)
                        .replace("{dir}", &dir)
                        .replace("{sp}", " ")
                })
                .collect()
        };
        let one = |config: &Path, ns: &str| {
            if !watch {
                return run(&kubectl, config, &args(ns));
            }
            // A label added once the watch has printed the pod: the watch shows the change,
            // then times out.
            run_watch(&kubectl, config, &args(ns), || {
                run(
                    &kubectl,
                    config,
                    &["-n", ns, "label", "pod", "web", "watched=yes"].map(String::from),
                );
            })
        };
        let (real_code, real_out) = one(&real, &real_ns);
        let (ref_code, ref_out) = one(&reference, &ref_ns);
        let same =
            real_code == ref_code && normalize(&real_out, &real_ns) == normalize(&ref_out, &ref_ns);
        agree += usize::from(same);
        // The watch ends with the request timeout, an error exit code on both.
        if (real_code == Some(0)) == fails && !watch {
            real_failures.push(format!("{command}: {real_code:?} {real_out}"));
        }
        let _ = writeln!(
            report,
            "{} kubectl {command}{}",
            if same { "same   " } else { "DIFFERS" },
            if same {
                String::new()
            } else {
                format!(
                    "\n    real ({real_code:?}): {}\n    reference ({ref_code:?}): {}",
                    normalize(&real_out, &real_ns)
                        .trim()
                        .replace('\n', "\n      "),
                    normalize(&ref_out, &ref_ns)
                        .trim()
                        .replace('\n', "\n      ")
                )
            }
        );
    }
    // The real server's namespace: deleted above; a bare server keeps it Terminating, empty, until
    // its `kubernetes` finalizer is removed (nothing of the test may remain).
    let finalize = dir.path().join("finalize.json");
    let body = format!(
        r#"{{"apiVersion":"v1","kind":"Namespace","metadata":{{"name":"{real_ns}"}},"spec":{{"finalizers":[]}}}}"#
    );
    std::fs::write(&finalize, body).expect("finalize body");
    let uri = format!("/api/v1/namespaces/{real_ns}/finalize");
    let path = finalize.display().to_string();
    let (code, out) = run(
        &kubectl,
        &real,
        &["replace", "--raw", &uri, "-f", &path].map(String::from),
    );
    assert_eq!(
        code,
        Some(0),
        "finalizing {real_ns} on the real server: {out}"
    );
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "{report}kubectl 1.20.2: {agree} of {} commands behave against the reference server as against the real one\n",
            COMMANDS.len()
        )
        .as_bytes(),
    );
    assert!(
        real_failures.is_empty(),
        "commands that fail against the real server (the test is wrong):\n{}",
        real_failures.join("\n")
    );
    assert_eq!(
        agree,
        COMMANDS.len(),
        "every command behaves against the reference server as against the real one:\n{report}"
    );
}
