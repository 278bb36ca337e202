//! Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, what `kubectl get` asks
//! for): the real server's columns per kind (recorded, `tools/record_table_columns.py`) and its
//! printers' cells (`pkg/printers/internalversion`), for the kinds modelled here.

use super::strategy::label_selector::LabelSelector;
use serde_json::{Map, Value, json};
use std::sync::LazyLock;
use std::time::SystemTime;

static COLUMNS: LazyLock<Map<String, Value>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("table-columns-v1.20.2.json")).unwrap_or_default()
});

/// Whether the request asks for a Table (kubectl's `Accept` lists it first).
pub fn wanted(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table") && first.contains("g=meta.k8s.io"))
}

/// What each row carries besides its cells (`?includeObject=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    pub fn from_query(v: Option<&str>) -> Include {
        match v {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

/// The Table of `objects` of the resource `plural`, at `resource_version`; `None` for a resource
/// this module has no printer for (the caller answers the plain object or list).
pub fn table(
    plural: &str,
    objects: &[&Value],
    resource_version: &str,
    include: Include,
) -> Option<Value> {
    let columns = COLUMNS.get(plural)?.clone();
    let now = SystemTime::now();
    let mut rows = Vec::with_capacity(objects.len());
    for obj in objects {
        let cells = cells(plural, obj, now)?;
        let mut row = Map::new();
        row.insert("cells".into(), Value::Array(cells));
        match include {
            Include::None => {}
            Include::Metadata => {
                row.insert(
                    "object".into(),
                    json!({
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": obj.get("metadata").cloned().unwrap_or(json!({}))
                    }),
                );
            }
            Include::Object => {
                row.insert("object".into(), (*obj).clone());
            }
        }
        rows.push(Value::Object(row));
    }
    Some(json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": columns,
        "rows": rows,
    }))
}

fn s<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or("")
}

fn or_none(x: &str) -> String {
    if x.is_empty() {
        "<none>".into()
    } else {
        x.to_string()
    }
}

fn count(v: &Value, p: &str) -> usize {
    match v.pointer(p) {
        Some(Value::Object(m)) => m.len(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

/// `labels.SelectorFromSet(m).String()`: `k=v` sorted, joined by commas.
fn selector(v: Option<&Value>) -> String {
    let Some(m) = v.and_then(Value::as_object) else {
        return String::new();
    };
    let mut parts: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    parts.sort();
    parts.join(",")
}

/// `duration.HumanDuration`.
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

fn age(obj: &Value, now: SystemTime) -> String {
    since(s(obj, "/metadata/creationTimestamp"), now)
}

/// `translateTimestampSince` of a timestamp.
fn since(ts: &str, now: SystemTime) -> String {
    match humantime::parse_rfc3339(ts) {
        Ok(t) => {
            let secs = match now.duration_since(t) {
                Ok(d) => d.as_secs() as i64,
                Err(e) => -(e.duration().as_secs() as i64),
            };
            human_duration(secs)
        }
        Err(_) => "<unknown>".into(),
    }
}

/// `GetAccessModesAsString`: RWO, ROX, RWX in that order.
fn access_modes(v: Option<&Value>) -> String {
    let modes: Vec<&str> = v
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut out = Vec::new();
    for (m, short) in [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
    ] {
        if modes.contains(&m) {
            out.push(short);
        }
    }
    out.join(",")
}

fn storage_class(obj: &Value) -> String {
    let class = s(obj, "/spec/storageClassName");
    if class.is_empty() {
        s(
            obj,
            "/metadata/annotations/volume.beta.kubernetes.io~1storage-class",
        )
        .to_string()
    } else {
        class.to_string()
    }
}

fn containers_and_images(spec: Option<&Value>) -> (String, String) {
    let cs: Vec<&Value> = spec
        .and_then(|s| s.get("containers"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let names: Vec<&str> = cs.iter().map(|c| s(c, "/name")).collect();
    let images: Vec<&str> = cs.iter().map(|c| s(c, "/image")).collect();
    (names.join(","), images.join(","))
}

/// The cells of one object, as the real server's printer for the kind makes them.
fn cells(plural: &str, o: &Value, now: SystemTime) -> Option<Vec<Value>> {
    let name = json!(s(o, "/metadata/name"));
    Some(match plural {
        "pods" => {
            let total = count(o, "/spec/containers");
            let statuses: Vec<&Value> = o
                .pointer("/status/containerStatuses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            let ready = statuses
                .iter()
                .filter(|c| c.get("ready").and_then(Value::as_bool) == Some(true))
                .count();
            let restarts: i64 = statuses
                .iter()
                .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
                .sum();
            let mut reason = s(o, "/status/phase").to_string();
            if !s(o, "/status/reason").is_empty() {
                reason = s(o, "/status/reason").to_string();
            }
            for c in statuses.iter().rev() {
                if let Some(r) = c.pointer("/state/waiting/reason").and_then(Value::as_str) {
                    reason = r.to_string();
                } else if let Some(r) = c
                    .pointer("/state/terminated/reason")
                    .and_then(Value::as_str)
                {
                    reason = r.to_string();
                }
            }
            if !s(o, "/metadata/deletionTimestamp").is_empty() {
                reason = if s(o, "/status/reason") == "NodeLost" {
                    "Unknown".into()
                } else {
                    "Terminating".into()
                };
            }
            let gates = count(o, "/spec/readinessGates");
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(reason),
                json!(restarts),
                json!(age(o, now)),
                json!(or_none(s(o, "/status/podIP"))),
                json!(or_none(s(o, "/spec/nodeName"))),
                json!(or_none(s(o, "/status/nominatedNodeName"))),
                json!(if gates == 0 {
                    "<none>".to_string()
                } else {
                    format!("0/{gates}")
                }),
            ]
        }
        "namespaces" => vec![name, json!(s(o, "/status/phase")), json!(age(o, now))],
        "configmaps" => vec![
            name,
            json!(count(o, "/data") + count(o, "/binaryData")),
            json!(age(o, now)),
        ],
        "secrets" => vec![
            name,
            json!(s(o, "/type")),
            json!(count(o, "/data")),
            json!(age(o, now)),
        ],
        "serviceaccounts" => vec![name, json!(count(o, "/secrets")), json!(age(o, now))],
        "endpoints" => vec![name, json!(endpoints(o)), json!(age(o, now))],
        "services" => {
            let kind = s(o, "/spec/type");
            let external: Vec<&str> = o
                .pointer("/spec/externalIPs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let external = match kind {
                "ExternalName" => s(o, "/spec/externalName").to_string(),
                "LoadBalancer" if external.is_empty() => "<pending>".into(),
                _ if external.is_empty() => "<none>".into(),
                _ => external.join(","),
            };
            let ports: Vec<String> = o
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| {
                    let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
                    let proto = s(p, "/protocol");
                    match p
                        .get("nodePort")
                        .and_then(Value::as_i64)
                        .filter(|n| *n != 0)
                    {
                        Some(n) => format!("{port}:{n}/{proto}"),
                        None => format!("{port}/{proto}"),
                    }
                })
                .collect();
            let ip = s(o, "/spec/clusterIP");
            vec![
                name,
                json!(kind),
                json!(if ip.is_empty() { "<none>" } else { ip }),
                json!(external),
                json!(if ports.is_empty() {
                    "<none>".to_string()
                } else {
                    ports.join(",")
                }),
                json!(age(o, now)),
                json!(or_none(&selector(o.pointer("/spec/selector")))),
            ]
        }
        "persistentvolumeclaims" => {
            let bound = !s(o, "/spec/volumeName").is_empty();
            let (capacity, modes) = if bound {
                (
                    s(o, "/status/capacity/storage").to_string(),
                    access_modes(o.pointer("/status/accessModes")),
                )
            } else {
                (String::new(), String::new())
            };
            let mode = s(o, "/spec/volumeMode");
            vec![
                name,
                json!(s(o, "/status/phase")),
                json!(s(o, "/spec/volumeName")),
                json!(capacity),
                json!(modes),
                json!(storage_class(o)),
                json!(age(o, now)),
                json!(if mode.is_empty() { "<unset>" } else { mode }),
            ]
        }
        "persistentvolumes" => {
            let claim = match (
                s(o, "/spec/claimRef/namespace"),
                s(o, "/spec/claimRef/name"),
            ) {
                (_, "") => String::new(),
                (ns, n) => format!("{ns}/{n}"),
            };
            let mode = s(o, "/spec/volumeMode");
            vec![
                name,
                json!(s(o, "/spec/capacity/storage")),
                json!(access_modes(o.pointer("/spec/accessModes"))),
                json!(s(o, "/spec/persistentVolumeReclaimPolicy")),
                json!(s(o, "/status/phase")),
                json!(claim),
                json!(storage_class(o)),
                json!(s(o, "/status/reason")),
                json!(age(o, now)),
                json!(if mode.is_empty() { "<unset>" } else { mode }),
            ]
        }
        "replicationcontrollers" => {
            let (names, images) = containers_and_images(o.pointer("/spec/template/spec"));
            vec![
                name,
                json!(
                    o.pointer("/spec/replicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(0)
                ),
                json!(
                    o.pointer("/status/replicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(0)
                ),
                json!(
                    o.pointer("/status/readyReplicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(0)
                ),
                json!(age(o, now)),
                json!(names),
                json!(images),
                json!(selector(o.pointer("/spec/selector"))),
            ]
        }
        "podtemplates" => {
            let (names, images) = containers_and_images(o.pointer("/template/spec"));
            vec![
                name,
                json!(names),
                json!(images),
                json!(or_none(&selector(o.pointer("/template/metadata/labels")))),
            ]
        }
        "limitranges" => vec![name, json!(s(o, "/metadata/creationTimestamp"))],
        "nodes" => {
            let ready = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|c| s(c, "/type") == "Ready");
            let mut status = vec![match ready {
                Some(c) if s(c, "/status") == "True" => "Ready".to_string(),
                Some(_) => "NotReady".to_string(),
                None => "Unknown".to_string(),
            }];
            if o.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
                status.push("SchedulingDisabled".into());
            }
            let mut roles: Vec<String> = o
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| {
                    k.strip_prefix("node-role.kubernetes.io/")
                        .filter(|r| !r.is_empty())
                        .map(str::to_string)
                        .or_else(|| {
                            (k == "kubernetes.io/role")
                                .then(|| v.as_str().unwrap_or("").to_string())
                                .filter(|r| !r.is_empty())
                        })
                })
                .collect();
            roles.sort();
            roles.dedup();
            let address = |kind: &str| {
                o.pointer("/status/addresses")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .find(|a| s(a, "/type") == kind)
                    .map(|a| s(a, "/address").to_string())
                    .unwrap_or_else(|| "<none>".into())
            };
            let info = |k: &str| {
                let v = s(o, &format!("/status/nodeInfo/{k}"));
                if v.is_empty() {
                    "<unknown>".to_string()
                } else {
                    v.to_string()
                }
            };
            vec![
                name,
                json!(status.join(",")),
                json!(if roles.is_empty() {
                    "<none>".to_string()
                } else {
                    roles.join(",")
                }),
                json!(age(o, now)),
                json!(s(o, "/status/nodeInfo/kubeletVersion")),
                json!(address("InternalIP")),
                json!(address("ExternalIP")),
                json!(info("osImage")),
                json!(info("kernelVersion")),
                json!(info("containerRuntimeVersion")),
            ]
        }
        "resourcequotas" => {
            let hard = o.pointer("/status/hard").and_then(Value::as_object);
            let mut names: Vec<&String> = hard.into_iter().flat_map(|m| m.keys()).collect();
            names.sort();
            let (mut requests, mut limits) = (Vec::new(), Vec::new());
            for r in names {
                let used = o
                    .pointer(&format!("/status/used/{}", crate::json_pointer::escape(r)))
                    .and_then(Value::as_str)
                    .unwrap_or("0");
                let h = hard
                    .and_then(|m| m.get(r))
                    .and_then(Value::as_str)
                    .unwrap_or("0");
                let text = format!("{r}: {used}/{h}");
                if r.split('.').next() == Some("limits") && r.contains('.') {
                    limits.push(text);
                } else {
                    requests.push(text);
                }
            }
            vec![
                name,
                json!(age(o, now)),
                json!(requests.join(", ")),
                json!(limits.join(", ")),
            ]
        }
        "events" => {
            let since = |p: &str| {
                if s(o, p).is_empty() {
                    None
                } else {
                    let mut tmp = json!({"metadata": {"creationTimestamp": s(o, p)}});
                    Some(age(&tmp.take(), now))
                }
            };
            let first = since("/firstTimestamp")
                .or_else(|| since("/eventTime"))
                .unwrap_or_else(|| "<unknown>".into());
            let mut last = since("/lastTimestamp").unwrap_or_else(|| first.clone());
            let mut count = o.get("count").and_then(Value::as_i64).unwrap_or(0);
            if o.get("series").is_some_and(|v| !v.is_null()) {
                last = since("/series/lastObservedTime").unwrap_or_else(|| "<unknown>".into());
                count = o
                    .pointer("/series/count")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
            } else if count == 0 {
                count = 1;
            }
            let kind = s(o, "/involvedObject/kind").to_lowercase();
            let target = match s(o, "/involvedObject/name") {
                "" => kind,
                n => format!("{kind}/{n}"),
            };
            let source = match (s(o, "/source/component"), s(o, "/source/host")) {
                (c, "") => c.to_string(),
                (c, h) => format!("{c}, {h}"),
            };
            vec![
                json!(last),
                json!(s(o, "/type")),
                json!(s(o, "/reason")),
                json!(target),
                json!(s(o, "/involvedObject/fieldPath")),
                json!(source),
                json!(s(o, "/message").trim()),
                json!(first),
                json!(count),
                name,
            ]
        }
        _ => return group_cells(plural, o, name, now),
    })
}

/// `ready/desired` replicas of a controller.
fn ready_of_desired(o: &Value) -> Value {
    json!(format!(
        "{}/{}",
        int(o, "/status/readyReplicas"),
        int(o, "/spec/replicas")
    ))
}

fn int(o: &Value, p: &str) -> i64 {
    o.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

/// `Selector.String()` of a label selector (empty for none).
fn label_selector(v: Option<&Value>) -> String {
    LabelSelector::from_value(v.filter(|v| !v.is_null())).to_string()
}

/// `metav1.FormatLabelSelector`: the selector, `<none>` when it selects by nothing.
fn format_label_selector(v: Option<&Value>) -> String {
    or_none(&label_selector(v))
}

/// `printBool`/`printBoolPtr`.
fn bool_cell(v: Option<&Value>) -> String {
    match v.and_then(Value::as_bool) {
        Some(true) => "True".into(),
        Some(false) => "False".into(),
        None => "<unset>".into(),
    }
}

/// An int-or-string as `IntOrString.String()` prints it.
fn int_or_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The cells of a kind of the API groups (`pkg/printers/internalversion`; always wide, as the
/// server prints them).
fn group_cells(plural: &str, o: &Value, name: Value, now: SystemTime) -> Option<Vec<Value>> {
    let created = || json!(age(o, now));
    let template = |p: &str| containers_and_images(o.pointer(p));
    Some(match plural {
        "deployments" => {
            let (names, images) = template("/spec/template/spec");
            vec![
                name,
                ready_of_desired(o),
                json!(int(o, "/status/updatedReplicas")),
                json!(int(o, "/status/availableReplicas")),
                created(),
                json!(names),
                json!(images),
                json!(label_selector(o.pointer("/spec/selector"))),
            ]
        }
        "replicasets" => {
            let (names, images) = template("/spec/template/spec");
            vec![
                name,
                json!(int(o, "/spec/replicas")),
                json!(int(o, "/status/replicas")),
                json!(int(o, "/status/readyReplicas")),
                created(),
                json!(names),
                json!(images),
                json!(format_label_selector(o.pointer("/spec/selector"))),
            ]
        }
        "statefulsets" => {
            let (names, images) = template("/spec/template/spec");
            vec![
                name,
                ready_of_desired(o),
                created(),
                json!(names),
                json!(images),
            ]
        }
        "daemonsets" => {
            let (names, images) = template("/spec/template/spec");
            vec![
                name,
                json!(int(o, "/status/desiredNumberScheduled")),
                json!(int(o, "/status/currentNumberScheduled")),
                json!(int(o, "/status/numberReady")),
                json!(int(o, "/status/updatedNumberScheduled")),
                json!(int(o, "/status/numberAvailable")),
                json!(or_none(&selector(
                    o.pointer("/spec/template/spec/nodeSelector")
                ))),
                created(),
                json!(names),
                json!(images),
                json!(format_label_selector(o.pointer("/spec/selector"))),
            ]
        }
        "controllerrevisions" => {
            let owner = o
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true));
            let controller = match owner {
                Some(r) => {
                    let (group, _) = crate::kinds::split_api_version(s(r, "/apiVersion"));
                    let kind = match group {
                        "" => s(r, "/kind").to_string(),
                        g => format!("{}.{g}", s(r, "/kind")),
                    };
                    format!("{}/{}", kind.to_lowercase(), s(r, "/name"))
                }
                None => "<none>".into(),
            };
            vec![
                name,
                json!(controller),
                json!(int(o, "/revision")),
                created(),
            ]
        }
        "jobs" => {
            let succeeded = int(o, "/status/succeeded");
            let completions = match o.pointer("/spec/completions").and_then(Value::as_i64) {
                Some(c) => format!("{succeeded}/{c}"),
                None => match int(o, "/spec/parallelism") {
                    p if p > 1 => format!("{succeeded}/1 of {p}"),
                    _ => format!("{succeeded}/1"),
                },
            };
            let time = |p: &str| {
                o.pointer(p)
                    .and_then(Value::as_str)
                    .and_then(|t| humantime::parse_rfc3339(t).ok())
            };
            let duration = match (time("/status/startTime"), time("/status/completionTime")) {
                (None, _) => String::new(),
                (Some(start), None) => {
                    human_duration(now.duration_since(start).map_or(0, |d| d.as_secs() as i64))
                }
                (Some(start), Some(end)) => {
                    human_duration(end.duration_since(start).map_or(0, |d| d.as_secs() as i64))
                }
            };
            let (names, images) = template("/spec/template/spec");
            vec![
                name,
                json!(completions),
                json!(duration),
                created(),
                json!(names),
                json!(images),
                json!(format_label_selector(o.pointer("/spec/selector"))),
            ]
        }
        "cronjobs" => {
            let last = match o.pointer("/status/lastScheduleTime") {
                Some(Value::String(t)) => since(t, now),
                _ => "<none>".into(),
            };
            let (names, images) = template("/spec/jobTemplate/spec/template/spec");
            vec![
                name,
                json!(s(o, "/spec/schedule")),
                json!(bool_cell(o.pointer("/spec/suspend"))),
                json!(count(o, "/status/active")),
                json!(last),
                created(),
                json!(names),
                json!(images),
                json!(format_label_selector(
                    o.pointer("/spec/jobTemplate/spec/selector")
                )),
            ]
        }
        "ingresses" => {
            let rules: Vec<&Value> = o
                .pointer("/spec/rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            // formatHosts: the first three hosts, then `+ N more...` (N counting every rule past
            // three, with a host or not) once a rule comes after them; `*` for none.
            let (mut hosts, mut more) = (Vec::new(), false);
            for rule in &rules {
                if hosts.len() == 3 {
                    more = true;
                }
                let host = s(rule, "/host");
                if !more && !host.is_empty() {
                    hosts.push(host);
                }
            }
            let hosts = match (hosts.is_empty(), more) {
                (true, _) => "*".to_string(),
                (false, true) => format!("{} + {} more...", hosts.join(","), rules.len() - 3),
                (false, false) => hosts.join(","),
            };
            let mut addresses: Vec<&str> = o
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|i| match s(i, "/ip") {
                    "" => s(i, "/hostname"),
                    ip => ip,
                })
                .filter(|a| !a.is_empty())
                .collect();
            addresses.sort_unstable();
            addresses.dedup();
            let ports = if count(o, "/spec/tls") > 0 {
                "80, 443"
            } else {
                "80"
            };
            let class = o
                .pointer("/spec/ingressClassName")
                .and_then(Value::as_str)
                .unwrap_or("<none>");
            vec![
                name,
                json!(class),
                json!(hosts),
                json!(addresses.join(",")),
                json!(ports),
                created(),
            ]
        }
        "ingressclasses" => {
            let parameters = match o.pointer("/spec/parameters").filter(|p| p.is_object()) {
                Some(p) => {
                    let group = match p.get("apiGroup").and_then(Value::as_str) {
                        Some(g) => format!(".{g}"),
                        None => String::new(),
                    };
                    format!("{}{group}/{}", s(p, "/kind"), s(p, "/name"))
                }
                None => "<none>".into(),
            };
            vec![
                name,
                json!(s(o, "/spec/controller")),
                json!(parameters),
                created(),
            ]
        }
        "networkpolicies" => vec![
            name,
            json!(format_label_selector(o.pointer("/spec/podSelector"))),
            created(),
        ],
        "roles" | "clusterroles" => vec![name, json!(s(o, "/metadata/creationTimestamp"))],
        "rolebindings" | "clusterrolebindings" => {
            let (mut users, mut groups, mut sas) = (Vec::new(), Vec::new(), Vec::new());
            for subject in o
                .pointer("/subjects")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match s(subject, "/kind") {
                    "ServiceAccount" => sas.push(format!(
                        "{}/{}",
                        s(subject, "/namespace"),
                        s(subject, "/name")
                    )),
                    "User" => users.push(s(subject, "/name").to_string()),
                    "Group" => groups.push(s(subject, "/name").to_string()),
                    _ => {}
                }
            }
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    s(o, "/roleRef/kind"),
                    s(o, "/roleRef/name")
                )),
                created(),
                json!(users.join(", ")),
                json!(groups.join(", ")),
                json!(sas.join(", ")),
            ]
        }
        "poddisruptionbudgets" => {
            let spec = |k: &str| {
                o.pointer(&format!("/spec/{k}"))
                    .filter(|v| !v.is_null())
                    .map_or_else(|| "N/A".to_string(), int_or_string)
            };
            vec![
                name,
                json!(spec("minAvailable")),
                json!(spec("maxUnavailable")),
                json!(int(o, "/status/disruptionsAllowed")),
                created(),
            ]
        }
        "podsecuritypolicies" => {
            let join = |p: &str| {
                o.pointer(p)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(",")
            };
            let privileged = o.pointer("/spec/privileged").and_then(Value::as_bool);
            vec![
                name,
                json!(privileged.unwrap_or(false).to_string()),
                json!(join("/spec/allowedCapabilities")),
                json!(s(o, "/spec/seLinux/rule")),
                json!(s(o, "/spec/runAsUser/rule")),
                json!(s(o, "/spec/fsGroup/rule")),
                json!(s(o, "/spec/supplementalGroups/rule")),
                json!(
                    o.pointer("/spec/readOnlyRootFilesystem")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                ),
                json!(join("/spec/volumes")),
            ]
        }
        "horizontalpodautoscalers" => {
            // autoscaling/v1: one CPU utilization target (80% by default), its current value.
            let current = o
                .pointer("/status/currentCPUUtilizationPercentage")
                .and_then(Value::as_i64)
                .map_or_else(|| "<unknown>".to_string(), |c| format!("{c}%"));
            let target = o
                .pointer("/spec/targetCPUUtilizationPercentage")
                .and_then(Value::as_i64)
                .map_or_else(|| "<auto>".to_string(), |t| format!("{t}%"));
            let min = o
                .pointer("/spec/minReplicas")
                .and_then(Value::as_i64)
                .map_or_else(|| "<unset>".to_string(), |m| m.to_string());
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    s(o, "/spec/scaleTargetRef/kind"),
                    s(o, "/spec/scaleTargetRef/name")
                )),
                json!(format!("{current}/{target}")),
                json!(min),
                json!(int(o, "/spec/maxReplicas")),
                json!(int(o, "/status/currentReplicas")),
                created(),
            ]
        }
        "storageclasses" => {
            let default = [
                "storageclass.kubernetes.io/is-default-class",
                "storageclass.beta.kubernetes.io/is-default-class",
            ]
            .iter()
            .any(|a| {
                o.pointer("/metadata/annotations")
                    .and_then(|m| m.get(*a))
                    .and_then(Value::as_str)
                    == Some("true")
            });
            let mut shown = s(o, "/metadata/name").to_string();
            if default {
                shown.push_str(" (default)");
            }
            let or = |p: &str, d: &str| match s(o, p) {
                "" => d.to_string(),
                v => v.to_string(),
            };
            vec![
                json!(shown),
                json!(s(o, "/provisioner")),
                json!(or("/reclaimPolicy", "Delete")),
                json!(or("/volumeBindingMode", "Immediate")),
                json!(
                    o.pointer("/allowVolumeExpansion")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                ),
                created(),
            ]
        }
        "priorityclasses" => vec![
            name,
            json!(int(o, "/value")),
            json!(
                o.pointer("/globalDefault")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            ),
            created(),
        ],
        "certificatesigningrequests" => {
            let has = |t: &str| {
                o.pointer("/status/conditions")
                    .and_then(Value::as_array)
                    .is_some_and(|cs| cs.iter().any(|c| s(c, "/type") == t))
            };
            let mut condition = if has("Denied") {
                "Denied"
            } else if has("Approved") {
                "Approved"
            } else {
                "Pending"
            }
            .to_string();
            if has("Failed") {
                condition.push_str(",Failed");
            }
            if !s(o, "/status/certificate").is_empty() {
                condition.push_str(",Issued");
            }
            vec![
                name,
                created(),
                json!(or_none(s(o, "/spec/signerName"))),
                json!(s(o, "/spec/username")),
                json!(condition),
            ]
        }
        "apiservices" => {
            let service = match o.pointer("/spec/service").filter(|v| v.is_object()) {
                Some(svc) => format!("{}/{}", s(svc, "/namespace"), s(svc, "/name")),
                None => "Local".into(),
            };
            let available = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .and_then(|cs| cs.iter().find(|c| s(c, "/type") == "Available"));
            let status = match available {
                None => "Unknown".to_string(),
                Some(c) if s(c, "/status") == "True" || s(c, "/reason").is_empty() => {
                    s(c, "/status").to_string()
                }
                Some(c) => format!("{} ({})", s(c, "/status"), s(c, "/reason")),
            };
            vec![name, json!(service), json!(status), created()]
        }
        _ => return None,
    })
}

/// `formatEndpoints`: `ip:port` of every address and port, at most three, then `+ N more...`.
fn endpoints(o: &Value) -> String {
    let mut list = Vec::new();
    for ss in o
        .get("subsets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ports: Vec<i64> = ss
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("port").and_then(Value::as_i64))
            .collect();
        for a in ss
            .get("addresses")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let ip = s(a, "/ip");
            if ports.is_empty() {
                list.push(ip.to_string());
            }
            for p in &ports {
                list.push(format!("{ip}:{p}"));
            }
        }
    }
    match list.len() {
        0 => "<none>".into(),
        n if n > 3 => format!("{} + {} more...", list[..3].join(","), n - 3),
        _ => list.join(","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_kubectl_prints_them() {
        for (secs, want) in [
            (0, "0s"),
            (119, "119s"),
            (125, "2m5s"),
            (600, "10m"),
            (3 * 3600 + 60, "3h1m"),
            (30 * 3600, "30h"),
            (3 * 86400 + 3600, "3d1h"),
            (100 * 86400, "100d"),
        ] {
            assert_eq!(human_duration(secs), want);
        }
    }

    /// Rows of kinds of the API groups as the real v1.20.2 printed them for the same objects
    /// (ages apart).
    #[test]
    fn rows_of_the_groups_kinds_as_the_real_server_prints_them() {
        let row = |plural: &str, obj: Value| {
            let t = table(plural, &[&obj], "1", Include::None).unwrap();
            let cells = t["rows"][0]["cells"].clone();
            assert_eq!(
                cells.as_array().unwrap().len(),
                t["columnDefinitions"].as_array().unwrap().len(),
                "a cell per column of {plural}"
            );
            cells
        };
        let ingress = json!({"metadata": {"name": "i1"}, "spec": {"ingressClassName": "nginx",
            "tls": [{"hosts": ["a.example.com"]}], "rules": [{"host": "a.example.com"},
            {"host": "b.example.com"}, {}, {"host": "d.example.com"}, {"host": "e.example.com"}]}});
        let cells = row("ingresses", ingress);
        assert_eq!(cells[1], "nginx");
        assert_eq!(
            cells[2],
            "a.example.com,b.example.com,d.example.com + 2 more..."
        );
        assert_eq!(cells[4], "80, 443");
        let ds = json!({"metadata": {"name": "d1"}, "spec": {"selector": {"matchLabels": {"app": "x"}},
            "template": {"spec": {"nodeSelector": {"disk": "ssd"},
            "containers": [{"name": "c", "image": "nginx:1.21"}]}}}});
        let cells = row("daemonsets", ds);
        assert_eq!(cells[6], "disk=ssd");
        assert_eq!(
            (cells[8].clone(), cells[9].clone(), cells[10].clone()),
            (json!("c"), json!("nginx:1.21"), json!("app=x"))
        );
        let rb = json!({"metadata": {"name": "rb1"}, "roleRef": {"kind": "Role", "name": "ro1"},
            "subjects": [{"kind": "User", "name": "u1"}, {"kind": "User", "name": "u2"},
            {"kind": "Group", "name": "g"}, {"kind": "ServiceAccount", "name": "sa", "namespace": "x"}]});
        let cells = row("rolebindings", rb);
        assert_eq!(cells[1], "Role/ro1");
        assert_eq!(
            (cells[3].clone(), cells[5].clone()),
            (json!("u1, u2"), json!("x/sa"))
        );
        let hpa = json!({"metadata": {"name": "h1"}, "spec": {"scaleTargetRef":
            {"kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 4,
            "targetCPUUtilizationPercentage": 80}});
        let cells = row("horizontalpodautoscalers", hpa);
        assert_eq!(cells[1], "Deployment/web");
        assert_eq!(cells[2], "<unknown>/80%");
        assert_eq!(cells[3], "1");
        let cr = json!({"metadata": {"name": "cr1", "ownerReferences": [{"apiVersion": "apps/v1",
            "kind": "DaemonSet", "name": "d1", "controller": true}]}, "revision": 3});
        assert_eq!(row("controllerrevisions", cr)[1], "daemonset.apps/d1");
        let job = json!({"metadata": {"name": "j1"}, "spec": {"parallelism": 3}});
        assert_eq!(row("jobs", job)[1], "0/1 of 3");
    }

    #[test]
    fn a_pending_pod_row() {
        let pod = json!({"metadata": {"name": "web", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "c"}]}, "status": {"phase": "Pending"}});
        let t = table("pods", &[&pod], "7", Include::Metadata).unwrap();
        let cells = &t["rows"][0]["cells"];
        assert_eq!(cells[0], "web");
        assert_eq!(cells[1], "0/1");
        assert_eq!(cells[2], "Pending");
        assert_eq!(cells[3], 0);
        assert_eq!(cells[5], "<none>");
        assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        assert_eq!(t["columnDefinitions"].as_array().unwrap().len(), 9);
        assert!(table("bindings", &[&pod], "7", Include::None).is_none());
        assert!(wanted(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        ));
        assert!(!wanted("application/json"));
    }
}
