//! Server-side apply (`PATCH` with `application/apply-patch+yaml`) on the embedded reference
//! server, against the answers of the real kube-apiserver v1.20.2 recorded in
//! `tests/oracle/apply-v1.20.2.json`: create on apply, a changed apply, an unchanged one, conflicts
//! with another applier and with an updater (409 with `FieldManagerConflict` causes), force, a field
//! the applier stops applying (pruned unless someone else owns it), shared ownership of a value
//! applied alike, the PatchOptions checks and the decoding errors; for a ConfigMap, a Deployment
//! (apps/v1), a Pod, a ClusterRole and a Namespace (cluster-scoped).
//!
//! With `APICONFORM_ORACLE_URL` (and `APICONFORM_ORACLE_TOKEN`), the same sequence also runs
//! against the real server and the two are compared answer by answer; with `APICONFORM_RECORD=1`
//! as well, the real answers are written to the recording.

use apiconform::server::ReferenceServer;
use reqwest::Client;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

const APPLY: &str = "application/apply-patch+yaml";
const MERGE: &str = "application/merge-patch+json";
const STRATEGIC: &str = "application/strategic-merge-patch+json";
const JSON: &str = "application/json";

const CM: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: cm1
  labels: {x: "1"}
data:
  a: "1"
  b: "2"
"#;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d1
  labels:
    app: d1
spec:
  replicas: 1
  selector:
    matchLabels:
      app: d1
  template:
    metadata:
      labels:
        app: d1
    spec:
      containers:
      - name: c
        image: nginx:1.19
        ports:
        - containerPort: 80
          protocol: TCP
        env:
        - name: A
          value: "1"
"#;

const POD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: p1
  labels: {app: p}
spec:
  containers:
  - name: c
    image: nginx
    env:
    - {name: A, value: "1"}
  tolerations:
  - key: k
    operator: Exists
"#;

const CLUSTER_ROLE: &str = r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {ns}-cr
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
"#;

const SCALE: &str =
    "apiVersion: autoscaling/v1\nkind: Scale\nmetadata: {name: d2}\nspec: {replicas: 4}\n";

/// A ConfigMap as `kubectl apply` (client-side) creates it: its last-applied annotation says
/// `a: 1, b: 2`, its data has `a: 1` and `b`.
fn last_applied_cm(name: &str, b: &str) -> String {
    let last = format!(
        r#"{{"apiVersion":"v1","data":{{"a":"1","b":"2"}},"kind":"ConfigMap","metadata":{{"annotations":{{}},"name":"{name}"}}}}"#
    ) + "\n";
    json!({"metadata": {"name": name,
                        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last}},
           "data": {"a": "1", "b": b}})
    .to_string()
}

/// What `kubectl apply --server-side` sends for that ConfigMap.
fn kubectl_cm(name: &str, a: &str, b: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{a: '{a}', b: '{b}'}}\n"
    )
}

/// One request: method, path and body (`{ns}` is the run's namespace), content type.
type Step = (&'static str, String, String, &'static str);

fn steps() -> Vec<Step> {
    let ns = "/api/v1/namespaces/{ns}";
    let cm = format!("{ns}/configmaps/cm1");
    let d = "/apis/apps/v1/namespaces/{ns}/deployments/d1".to_string();
    let p = format!("{ns}/pods/p1");
    let cr = "/apis/rbac.authorization.k8s.io/v1/clusterroles/{ns}-cr".to_string();
    let n = "/api/v1/namespaces/{ns}-n".to_string();
    let d2 = "/apis/apps/v1/namespaces/{ns}/deployments/d2".to_string();
    let s = |t: &str| t.to_string();
    let cm_meta = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1}\n";
    let no_ports = "        ports:\n        - containerPort: 80\n          protocol: TCP\n";
    let other_env = "        env:\n        - name: B\n          value: \"2\"\n";
    let env = "        env:\n        - name: A\n          value: \"1\"\n";
    let tolerations = "  tolerations:\n  - key: k\n    operator: Exists\n";
    vec![
        // A ConfigMap.
        ("PATCH", format!("{cm}?fieldManager=a"), s(CM), APPLY),
        ("PATCH", format!("{cm}?fieldManager=a"), s(CM), APPLY),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            CM.replace(r#"b: "2""#, r#"b: "3""#),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=b"),
            CM.replace(r#"a: "1""#, r#"a: "9""#),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=b&force=true"),
            CM.replace(r#"a: "1""#, r#"a: "9""#),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            CM.replace("  b: \"2\"\n", ""),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=kubectl-client-side-apply"),
            s(r#"{"data":{"c":"5"}}"#),
            MERGE,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            CM.replace(r#"b: "2""#, r#"c: "6""#),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            CM.replace(r#"b: "2""#, r#"c: "5""#),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=c"),
            format!("{cm_meta}data: {{a: '0', c: '0', x: '1'}}\n"),
            APPLY,
        ),
        ("PATCH", format!("{cm}?fieldManager=a"), s(cm_meta), APPLY),
        ("GET", cm.clone(), String::new(), JSON),
        // The options and the decoding.
        ("PATCH", cm.clone(), s(CM), APPLY),
        (
            "PATCH",
            format!("{cm}?force=true"),
            s(r#"{"data":{}}"#),
            MERGE,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            s("spec: [unclosed\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            s("apiVersion: v2\nkind: ConfigMap\nmetadata: {name: cm1}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            format!("{cm_meta}foo: 1\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            format!("{cm_meta}data: {{a: 1}}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1, managedFields: []}\n"),
            APPLY,
        ),
        ("PATCH", format!("{cm}?fieldManager=a"), s("- a\n"), APPLY),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            s("apiVersion: v1\nkind: Foo\nmetadata: {name: cm1}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            s("apiVersion: v1\nmetadata: {name: cm1}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            s("apiVersion: v1\nkind: Secret\nmetadata: {name: cm1}\nfoo: 1\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm1, labels: {a: [1]}}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a"),
            String::new(),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cm}?fieldManager=a&force=abc"),
            CM.replace(r#"a: "1""#, r#"a: "7""#),
            APPLY,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/cm2?fieldManager=a"),
            s(
                r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm2"},"data":{"k":"v","y":"1"}}"#,
            ),
            APPLY,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/cm2?fieldManager=a&dryRun=All"),
            s(
                r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm2"},"data":{"k":"w"}}"#,
            ),
            APPLY,
        ),
        ("GET", format!("{ns}/configmaps/cm2"), String::new(), JSON),
        (
            "PATCH",
            format!("{ns}/configmaps/cm3?fieldManager=a"),
            s("apiVersion: v1\nkind: ConfigMap\ndata:\n  y: '1'\n"),
            APPLY,
        ),
        (
            "PATCH",
            "/api/v1/namespaces/{ns}-nope/configmaps/cm3?fieldManager=a".into(),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm3}\n"),
            APPLY,
        ),
        (
            "POST",
            format!("{ns}/configmaps"),
            s(r#"{"metadata":{"name":"cm4"},"data":{"a":"1"}}"#),
            JSON,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/cm4?fieldManager=a"),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm4}\ndata: {a: '2'}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/cm4?fieldManager=a&force=1"),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm4}\ndata: {a: '2'}\n"),
            APPLY,
        ),
        // A Deployment.
        ("PATCH", format!("{d}?fieldManager=a"), s(DEPLOYMENT), APPLY),
        (
            "PATCH",
            format!("{d}?fieldManager=a"),
            DEPLOYMENT.replace("replicas: 1", "replicas: 2"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=a"),
            DEPLOYMENT.replace("replicas: 1", "replicas: 2"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=b"),
            DEPLOYMENT.replace("replicas: 1", "replicas: 3"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=b&force=true"),
            DEPLOYMENT.replace("replicas: 1", "replicas: 3"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=a"),
            DEPLOYMENT
                .replace("  replicas: 1\n", "")
                .replace("nginx:1.19", "nginx:1.20"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=kubectl-client-side-apply"),
            s(
                r#"{"spec":{"replicas":5,"template":{"spec":{"containers":[{"name":"c","image":"nginx:1.21"}]}}}}"#,
            ),
            STRATEGIC,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=a"),
            DEPLOYMENT.replace("replicas: 1", "replicas: 7"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=a"),
            DEPLOYMENT.replace(env, other_env),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=c"),
            DEPLOYMENT
                .replace("  replicas: 1\n", "")
                .replace("- name: c\n", "- name: d\n")
                .replace("containerPort: 80", "containerPort: 81"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=a"),
            DEPLOYMENT
                .replace("replicas: 1", "replicas: 5")
                .replace(no_ports, ""),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d}?fieldManager=a&force=true"),
            DEPLOYMENT.replace("          protocol: TCP\n", ""),
            APPLY,
        ),
        ("GET", d.clone(), String::new(), JSON),
        (
            "PATCH",
            format!("{d}?fieldManager=a"),
            DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet"),
            APPLY,
        ),
        ("DELETE", d.clone(), String::new(), JSON),
        // A Pod and its status.
        ("PATCH", format!("{p}?fieldManager=a"), s(POD), APPLY),
        (
            "PATCH",
            format!("{p}?fieldManager=b"),
            POD.replace("app: p", "app: q"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{p}?fieldManager=b&force=true"),
            POD.replace("app: p", "app: q"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{p}?fieldManager=a"),
            POD.replace(tolerations, ""),
            APPLY,
        ),
        (
            "PATCH",
            format!("{p}/status?fieldManager=s"),
            s(
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\nstatus:\n  conditions:\n  - type: Ready\n    status: 'True'\n",
            ),
            APPLY,
        ),
        ("GET", p.clone(), String::new(), JSON),
        // A ClusterRole.
        (
            "PATCH",
            format!("{cr}?fieldManager=a"),
            s(CLUSTER_ROLE),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cr}?fieldManager=a"),
            CLUSTER_ROLE.replace("[get, list]", "[get]"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cr}?fieldManager=b"),
            CLUSTER_ROLE.replace("[get, list]", "[watch]"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{cr}?fieldManager=b&force=true"),
            CLUSTER_ROLE.replace("[get, list]", "[watch]"),
            APPLY,
        ),
        (
            "PUT",
            cr.clone(),
            s(
                r#"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"{ns}-cr"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["delete"]}]}"#,
            ),
            JSON,
        ),
        (
            "PATCH",
            format!("{cr}?fieldManager=a"),
            s(CLUSTER_ROLE),
            APPLY,
        ),
        ("DELETE", cr.clone(), String::new(), JSON),
        // kubectl taking over what its client-side apply set (and the last-applied annotation).
        (
            "POST",
            format!("{ns}/configmaps?fieldManager=kubectl-client-side-apply"),
            last_applied_cm("k1", "2"),
            JSON,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/k1?fieldManager=kubectl"),
            kubectl_cm("k1", "5", "2"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/k1?fieldManager=other"),
            s(r#"{"data":{"a":"6","c":"3"}}"#),
            MERGE,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/k1?fieldManager=kubectl"),
            kubectl_cm("k1", "7", "2"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/k1?fieldManager=kubectl"),
            kubectl_cm("k1", "6", "8"),
            APPLY,
        ),
        (
            "POST",
            format!("{ns}/configmaps?fieldManager=kubectl-client-side-apply"),
            last_applied_cm("k2", "9"),
            JSON,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/k2?fieldManager=kubectl"),
            kubectl_cm("k2", "5", "3"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/k2?fieldManager=kubectl-x"),
            kubectl_cm("k2", "5", "2"),
            APPLY,
        ),
        // Nulls, a uid or a resourceVersion on create.
        (
            "PATCH",
            format!("{ns}/configmaps/c3?fieldManager=b"),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c3\n  labels: {x: '1'}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/c3?fieldManager=a"),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c3\n  labels: {x: null}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/c5?fieldManager=a"),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c5, uid: '1234'}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{ns}/configmaps/c6?fieldManager=a"),
            s("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c6, resourceVersion: '12'}\n"),
            APPLY,
        ),
        // The scale of a Deployment.
        (
            "POST",
            "/apis/apps/v1/namespaces/{ns}/deployments".into(),
            s(
                r#"{"metadata":{"name":"d2"},"spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"x"}]}}}}"#,
            ),
            JSON,
        ),
        (
            "PATCH",
            format!("{d2}/scale?fieldManager=sc"),
            s(SCALE),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d2}/scale?fieldManager=sc&force=true"),
            s(SCALE),
            APPLY,
        ),
        (
            "PATCH",
            format!("{d2}/scale?fieldManager=m"),
            s(r#"{"spec":{"replicas":6}}"#),
            MERGE,
        ),
        ("GET", d2.clone(), String::new(), JSON),
        ("DELETE", d2.clone(), String::new(), JSON),
        // A Namespace.
        (
            "PATCH",
            format!("{n}?fieldManager=a"),
            s("apiVersion: v1\nkind: Namespace\nmetadata: {name: '{ns}-n', labels: {a: b}}\n"),
            APPLY,
        ),
        (
            "PATCH",
            format!("{n}?fieldManager=a"),
            s("apiVersion: v1\nkind: Namespace\nmetadata: {name: '{ns}-n', labels: {a: c}}\n"),
            APPLY,
        ),
    ]
}

/// What the sequence leaves behind, deleted afterwards (a namespace's finalizer removed: a bare
/// server never finishes it).
const LEFT: &[&str] = &[
    "/api/v1/namespaces/{ns}/configmaps/cm1",
    "/api/v1/namespaces/{ns}/configmaps/cm2",
    "/api/v1/namespaces/{ns}/configmaps/cm3",
    "/api/v1/namespaces/{ns}/configmaps/cm4",
    "/api/v1/namespaces/{ns}/configmaps/k1",
    "/api/v1/namespaces/{ns}/configmaps/k2",
    "/api/v1/namespaces/{ns}/configmaps/c3",
    "/api/v1/namespaces/{ns}/configmaps/c5",
    "/api/v1/namespaces/{ns}/configmaps/c6",
    "/api/v1/namespaces/{ns}/pods/p1?gracePeriodSeconds=0",
    "/apis/apps/v1/namespaces/{ns}/deployments/d1",
    "/apis/rbac.authorization.k8s.io/v1/clusterroles/{ns}-cr",
];

async fn send(client: &Client, base: &str, ns: &str, step: &Step) -> (u16, Value) {
    let (method, path, body, ct) = step;
    let url = format!("{base}{}", path.replace("{ns}", ns));
    let resp = client
        .request(method.parse().expect("method"), url)
        .header("Content-Type", *ct)
        .body(body.replace("{ns}", ns))
        .send()
        .await
        .expect("request");
    let code = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (code, normalise(&text, ns))
}

/// The answer without what differs from run to run: uids, resourceVersions, times, the namespace's
/// name; managedFields entries and conflict causes in one order (the real server orders entries
/// by their time to the second, and lists several managers' conflicts in map order).
pub(super) fn normalise(text: &str, ns: &str) -> Value {
    let mut v: Value = serde_json::from_str(&text.replace(ns, "NS")).unwrap_or(json!(text));
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                // Entries are ordered by their time, to the second: an order that depends on
                // when a run crosses a second.
                if let Some(Value::Array(entries)) = m.get_mut("managedFields") {
                    entries.sort_by_key(|e| {
                        let at = |k: &str| e[k].as_str().unwrap_or("").to_string();
                        (at("operation"), at("manager"), at("apiVersion"))
                    });
                }
                for (k, child) in m.iter_mut() {
                    if matches!(
                        k.as_str(),
                        "uid" | "resourceVersion" | "creationTimestamp" | "time"
                    ) && child.is_string()
                    {
                        *child = json!(format!("<{k}>"));
                    } else {
                        walk(child);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    // Go pointers in a message.
    if let Some(Value::String(m)) = v.get_mut("message") {
        let mut out = String::new();
        let mut rest = m.as_str();
        while let Some(i) = rest.find("0xc") {
            out.push_str(&rest[..i]);
            out.push_str("0xPTR");
            rest = rest[i + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
        }
        out.push_str(rest);
        *m = out;
    }
    if let Some(Value::Array(causes)) = v.pointer_mut("/details/causes") {
        causes.sort_by_key(|c| c.to_string());
    }
    v
}

async fn run(client: &Client, base: &str, ns: &str) -> Vec<(u16, Value)> {
    let create = (
        "POST",
        "/api/v1/namespaces".to_string(),
        r#"{"metadata":{"name":"{ns}"}}"#.to_string(),
        JSON,
    );
    let (code, _) = send(client, base, ns, &create).await;
    assert_eq!(code, 201, "the run's namespace is created");
    let mut answers = Vec::new();
    for step in steps() {
        answers.push(send(client, base, ns, &step).await);
    }
    answers
}

async fn clean_up(client: &Client, base: &str, ns: &str) {
    for path in LEFT {
        let step = ("DELETE", path.to_string(), String::new(), JSON);
        send(client, base, ns, &step).await;
    }
    for name in [ns.to_string(), format!("{ns}-n")] {
        let path = format!("/api/v1/namespaces/{name}");
        send(
            client,
            base,
            ns,
            &("DELETE", path.clone(), String::new(), JSON),
        )
        .await;
        let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name},
                          "spec": {"finalizers": []}});
        let finalize = ("PUT", format!("{path}/finalize"), body.to_string(), JSON);
        send(client, base, ns, &finalize).await;
    }
}

/// A client that names itself as the real server's client does (the manager of the updates).
pub(super) fn reference_client() -> Client {
    Client::builder()
        .user_agent(concat!("apiconform/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("client")
}

fn recording() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/apply-v1.20.2.json")
}

/// The answers as recorded: one `{request, code, body}` per step.
fn as_recording(answers: &[(u16, Value)]) -> Value {
    let steps = steps();
    Value::Array(
        answers
            .iter()
            .zip(&steps)
            .map(|((code, body), (m, p, _, _))| json!({"request": format!("{m} {p}"), "code": code, "body": body}))
            .collect(),
    )
}

/// The first answers that differ, shown.
pub(super) fn differences(reference: &Value, real: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (reference.as_array(), real.as_array()) else {
        return vec!["not a list of answers".into()];
    };
    let mut out = Vec::new();
    if a.len() != b.len() {
        out.push(format!("{} answers, {} recorded", a.len(), b.len()));
    }
    for (x, y) in a.iter().zip(b) {
        if x != y {
            out.push(format!(
                "{}:\n  reference: {x}\n  real:      {y}",
                y["request"]
            ));
        }
    }
    out
}

#[tokio::test]
async fn apply_answers_as_the_real_server_recorded() {
    let server = ReferenceServer::start().await.expect("reference server");
    let client = reference_client();
    let ns = "ssa-probe-run";
    let answers = run(&client, &server.url(), ns).await;
    server.shutdown().await;
    let text = std::fs::read_to_string(recording()).expect("the recording");
    let real: Value = serde_json::from_str(&text).expect("the recording is JSON");
    let diffs = differences(&as_recording(&answers), &real);
    assert!(
        diffs.is_empty(),
        "{} of {} answers differ:\n{}",
        diffs.len(),
        answers.len(),
        diffs.join("\n")
    );
}

#[tokio::test]
async fn apply_behaves_as_on_the_real_server() {
    let Some(oracle) = super::live::oracle("apply_behaves_as_on_the_real_server") else {
        return;
    };
    let oracle_client = oracle.client(Duration::from_secs(30)).expect("client");
    let ns = format!(
        "ssa-probe-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let base = oracle.base_url().to_string();
    let real = run(&oracle_client, &base, &ns).await;
    clean_up(&oracle_client, &base, &ns).await;
    let real = as_recording(&real);
    if std::env::var_os("APICONFORM_RECORD").is_some() {
        let text = serde_json::to_string_pretty(&real).expect("JSON") + "\n";
        std::fs::write(recording(), text).expect("the recording is written");
    }

    let server = ReferenceServer::start().await.expect("reference server");
    let client = reference_client();
    let reference = as_recording(&run(&client, &server.url(), &ns).await);
    server.shutdown().await;
    let diffs = differences(&reference, &real);
    assert!(
        diffs.is_empty(),
        "{} answers differ:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// Applies by several managers at once, each of a field of its own, all land: an apply computed
/// from an object another write changed meanwhile is computed again from the newer one.
#[tokio::test]
async fn concurrent_applies_of_different_fields_all_land() {
    let server = ReferenceServer::start().await.expect("reference server");
    let client = reference_client();
    let base = server.url();
    let ns = (
        "POST",
        "/api/v1/namespaces".to_string(),
        r#"{"metadata":{"name":"c"}}"#.to_string(),
        JSON,
    );
    assert_eq!(send(&client, &base, "c", &ns).await.0, 201);
    let applies = (0..8).map(|i| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let step = (
                "PATCH",
                format!("/api/v1/namespaces/c/configmaps/shared?fieldManager=m{i}"),
                format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: shared}}\ndata: {{k{i}: v}}\n"),
                APPLY,
            );
            send(&client, &base, "c", &step).await.0
        }
    });
    let codes = futures_util::future::join_all(applies).await;
    assert!(codes.iter().all(|c| *c == 200 || *c == 201), "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 1, "{codes:?}");
    let get = (
        "GET",
        "/api/v1/namespaces/c/configmaps/shared".to_string(),
        String::new(),
        JSON,
    );
    let (_, cm) = send(&client, &base, "c", &get).await;
    server.shutdown().await;
    assert_eq!(cm["data"].as_object().map(|d| d.len()), Some(8), "{cm}");
    let managers = cm["metadata"]["managedFields"].as_array().map(Vec::len);
    assert_eq!(managers, Some(8), "{cm}");
}
