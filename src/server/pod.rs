//! Pod semantics of kube-apiserver v1.20.2: defaulting, admission defaults, validation of creates and
//! updates, the QoS class, and the podIP/podIPs conversion.

use super::status::Cause;
use serde_json::{Map, Value, json};

/// Defaulting that the v1 scheme applies to every decoded Pod (`SetDefaults_Pod`, `_PodSpec`,
/// `_Container`, probes, ports, volumes).
pub fn apply_defaults(pod: &mut Value) {
    defaults(pod, true)
}

/// The defaults of a pod template (`SetDefaults_PodSpec` and below): a pod's but for what
/// `SetDefaults_Pod` alone sets (`enableServiceLinks`, requests from limits).
pub fn apply_template_defaults(template: &mut Value) {
    defaults(template, false)
}

fn defaults(pod: &mut Value, is_pod: bool) {
    let Some(pod) = pod.as_object_mut() else {
        return;
    };
    let spec = obj_entry(pod, "spec");
    // The v1 conversion: `serviceAccount` is the deprecated alias of `serviceAccountName`, which
    // wins when both are set, and is written back as both.
    let account = ["serviceAccountName", "serviceAccount"]
        .iter()
        .filter_map(|k| spec.get(*k).and_then(Value::as_str))
        .find(|a| !a.is_empty())
        .map(str::to_string);
    if let Some(account) = account {
        spec.insert("serviceAccountName".into(), json!(account));
        spec.insert("serviceAccount".into(), json!(account));
    }
    for field in ["containers", "initContainers"] {
        if let Some(Value::Array(cs)) = spec.get_mut(field) {
            for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                default_container(c, is_pod);
            }
        }
    }
    if let Some(Value::Array(cs)) = spec.get_mut("ephemeralContainers") {
        for c in cs.iter_mut().filter_map(Value::as_object_mut) {
            default_container(c, is_pod);
        }
    }
    set_if_absent(spec, "restartPolicy", json!("Always"));
    set_if_absent(spec, "terminationGracePeriodSeconds", json!(30));
    set_if_absent(spec, "dnsPolicy", json!("ClusterFirst"));
    set_if_absent(spec, "securityContext", json!({}));
    set_if_absent(spec, "schedulerName", json!("default-scheduler"));
    if is_pod {
        set_if_absent(spec, "enableServiceLinks", json!(true));
    }
    if spec.get("hostNetwork") == Some(&json!(true)) {
        for field in ["containers", "initContainers"] {
            if let Some(Value::Array(cs)) = spec.get_mut(field) {
                for c in cs.iter_mut().filter_map(Value::as_object_mut) {
                    if let Some(Value::Array(ports)) = c.get_mut("ports") {
                        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
                            if !p.contains_key("hostPort")
                                && let Some(cp) = p.get("containerPort").cloned()
                            {
                                p.insert("hostPort".into(), cp);
                            }
                        }
                    }
                }
            }
        }
    }
    if let Some(Value::Array(vols)) = spec.get_mut("volumes") {
        for v in vols.iter_mut().filter_map(Value::as_object_mut) {
            default_volume(v);
        }
    }
}

fn default_container(c: &mut Map<String, Value>, is_pod: bool) {
    if !c.contains_key("imagePullPolicy")
        && let Some(image) = c.get("image").and_then(Value::as_str)
    {
        let policy = image_pull_policy(image);
        c.insert("imagePullPolicy".into(), json!(policy));
    }
    set_if_absent(c, "terminationMessagePath", json!("/dev/termination-log"));
    set_if_absent(c, "terminationMessagePolicy", json!("File"));
    // Requests default to limits for every resource that has a limit and no request.
    let resources = obj_entry(c, "resources");
    if is_pod
        && let Some(Value::Object(limits)) = resources.get("limits").cloned()
        && !limits.is_empty()
    {
        let requests = obj_entry(resources, "requests");
        for (k, v) in limits {
            requests.entry(k).or_insert(v);
        }
    }
    if let Some(Value::Array(ports)) = c.get_mut("ports") {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_if_absent(p, "protocol", json!("TCP"));
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(Value::Object(p)) = c.get_mut(probe) {
            set_if_absent(p, "timeoutSeconds", json!(1));
            set_if_absent(p, "periodSeconds", json!(10));
            set_if_absent(p, "successThreshold", json!(1));
            set_if_absent(p, "failureThreshold", json!(3));
            if let Some(Value::Object(h)) = p.get_mut("httpGet") {
                default_http_get(h);
            }
        }
    }
    if let Some(Value::Object(lifecycle)) = c.get_mut("lifecycle") {
        for handler in ["postStart", "preStop"] {
            if let Some(Value::Object(h)) = lifecycle
                .get_mut(handler)
                .and_then(|h| h.get_mut("httpGet"))
            {
                default_http_get(h);
            }
        }
    }
    if let Some(Value::Array(env)) = c.get_mut("env") {
        for e in env.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(Value::Object(from)) = e.get_mut("valueFrom")
                && let Some(Value::Object(f)) = from.get_mut("fieldRef")
            {
                set_if_absent(f, "apiVersion", json!("v1"));
            }
        }
    }
}

/// `SetDefaults_HTTPGetAction`.
fn default_http_get(h: &mut Map<String, Value>) {
    if h.get("path")
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
    {
        h.insert("path".into(), json!("/"));
    }
    if h.get("scheme")
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
    {
        h.insert("scheme".into(), json!("HTTP"));
    }
}

fn default_volume(v: &mut Map<String, Value>) {
    const SOURCES: &[&str] = &[
        "hostPath",
        "emptyDir",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "secret",
        "nfs",
        "iscsi",
        "glusterfs",
        "persistentVolumeClaim",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "downwardAPI",
        "fc",
        "azureFile",
        "configMap",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "projected",
        "portworxVolume",
        "scaleIO",
        "storageos",
        "csi",
        "ephemeral",
    ];
    if !SOURCES.iter().any(|s| v.contains_key(*s)) {
        v.insert("emptyDir".into(), json!({}));
    }
    for src in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(Value::Object(s)) = v.get_mut(src) {
            set_if_absent(s, "defaultMode", json!(420));
        }
    }
    if let Some(Value::Object(h)) = v.get_mut("hostPath") {
        set_if_absent(h, "type", json!(""));
    }
    // `SetDefaults_ObjectFieldSelector`, in downward API volumes and projections too.
    if let Some(items) = v.get_mut("downwardAPI").and_then(|d| d.get_mut("items")) {
        default_field_refs(items);
    }
    if let Some(Value::Array(sources)) = v.get_mut("projected").and_then(|p| p.get_mut("sources")) {
        for src in sources {
            if let Some(items) = src.get_mut("downwardAPI").and_then(|d| d.get_mut("items")) {
                default_field_refs(items);
            }
        }
    }
}

fn default_field_refs(items: &mut Value) {
    for item in items.as_array_mut().into_iter().flatten() {
        if let Some(Value::Object(f)) = item.get_mut("fieldRef") {
            set_if_absent(f, "apiVersion", json!("v1"));
        }
    }
}

/// `IfNotPresent`, unless the image has no tag or the tag `latest` (then `Always`).
pub fn image_pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

/// What admission plugins add on create: `Priority` (priority 0 and the preemption policy of the
/// default class) and `DefaultTolerationSeconds` (the not-ready/unreachable NoExecute tolerations,
/// 300 s). Being admission, not defaulting, none of it is owned in managedFields.
pub fn admit_create(pod: &mut Value) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    if !spec.contains_key("priorityClassName") || spec.get("priorityClassName") == Some(&json!(""))
    {
        spec.insert("priority".into(), json!(0));
    }
    set_if_absent(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    default_toleration_seconds(pod);
}

/// The `DefaultTolerationSeconds` admission plugin, on create and on update of a pod: the
/// not-ready and unreachable NoExecute tolerations (300 s) unless the pod tolerates them already.
pub fn default_toleration_seconds(pod: &mut Value) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let tolerations = match spec.get_mut("tolerations") {
        Some(Value::Array(t)) => t,
        _ => {
            spec.insert("tolerations".into(), json!([]));
            match spec.get_mut("tolerations") {
                Some(Value::Array(t)) => t,
                _ => return,
            }
        }
    };
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let present = tolerations.iter().any(|t| {
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            let tkey = t.get("key").and_then(Value::as_str).unwrap_or("");
            let op = t.get("operator").and_then(Value::as_str).unwrap_or("");
            (effect.is_empty() || effect == "NoExecute")
                && (tkey == key || (tkey.is_empty() && op == "Exists"))
        });
        if !present {
            tolerations.push(json!({
                "key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300
            }));
        }
    }
}

/// The QoS class (`status.qosClass`) of a pod spec.
pub fn qos_class(spec: &Value) -> &'static str {
    let mut requests_any = false;
    let mut guaranteed = true;
    let containers = ["containers", "initContainers"]
        .iter()
        .filter_map(|f| spec.get(*f).and_then(Value::as_array))
        .flatten();
    for c in containers {
        let res = c.get("resources");
        let req = res
            .and_then(|r| r.get("requests"))
            .and_then(Value::as_object);
        let lim = res.and_then(|r| r.get("limits")).and_then(Value::as_object);
        let nonzero = |m: Option<&Map<String, Value>>, k: &str| {
            m.and_then(|m| m.get(k))
                .is_some_and(|q| !quantity_is_zero(q))
        };
        for k in ["cpu", "memory"] {
            if nonzero(req, k) || nonzero(lim, k) {
                requests_any = true;
            }
            if !nonzero(lim, k) || req.and_then(|m| m.get(k)) != lim.and_then(|m| m.get(k)) {
                guaranteed = false;
            }
        }
    }
    if !requests_any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

fn quantity_is_zero(q: &Value) -> bool {
    match q {
        Value::String(s) => s
            .trim_start_matches(['0', '.'])
            .chars()
            .all(|c| !c.is_ascii_digit()),
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => true,
    }
}

/// The v1 ↔ internal conversion of `status.podIP`/`podIPs`: `podIP` is authoritative, `podIPs` follows it.
pub fn convert_pod_ips(pod: &mut Value) {
    let Some(status) = pod.get_mut("status").and_then(Value::as_object_mut) else {
        return;
    };
    let ip = status
        .get("podIP")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let first = status
        .get("podIPs")
        .and_then(|v| v.get(0))
        .and_then(|v| v.get("ip"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if !ip.is_empty() && first.as_deref() != Some(ip.as_str()) {
        status.insert("podIPs".into(), json!([{ "ip": ip }]));
    } else if ip.is_empty()
        && let Some(first) = first
    {
        status.insert("podIP".into(), json!(first));
    }
}

/// `ValidatePod` (create), for the fields a Pod API fake can check without other objects: the
/// metadata, then [`validate_spec`].
pub fn validate_create(pod: &Value) -> Vec<Cause> {
    let mut errs = Vec::new();
    validate_meta(pod, &mut errs);
    errs.extend(validate_spec(pod));
    errs
}

/// `ValidatePodSpec`, for the fields a Pod API fake can check without other objects.
pub fn validate_spec(pod: &Value) -> Vec<Cause> {
    let mut errs = Vec::new();
    let empty = Map::new();
    let spec = pod.get("spec").and_then(Value::as_object).unwrap_or(&empty);
    let volumes = validate_volumes(spec.get("volumes"), &mut errs);
    let containers = spec.get("containers").and_then(Value::as_array);
    // `validateContainers` of the app containers, then of the init containers
    // (`validateInitContainers`: an init container may not share a name with an app container).
    let app: &[Value] = containers.map_or(&[], Vec::as_slice);
    validate_containers(app, "spec.containers", &volumes, &mut errs);
    if let Some(init) = spec.get("initContainers").and_then(Value::as_array)
        && !init.is_empty()
    {
        validate_containers(init, "spec.initContainers", &volumes, &mut errs);
        let mut names: Vec<&str> = app
            .iter()
            .map(|c| c.get("name").and_then(Value::as_str).unwrap_or(""))
            .collect();
        for (i, c) in init.iter().enumerate() {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            if names.contains(&name) {
                errs.push(Cause::duplicate(
                    format!("spec.initContainers[{i}].name"),
                    &json!(name),
                ));
            }
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    validate_enum(
        spec.get("restartPolicy"),
        "spec.restartPolicy",
        &["Always", "OnFailure", "Never"],
        &mut errs,
    );
    validate_enum(
        spec.get("dnsPolicy"),
        "spec.dnsPolicy",
        &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        &mut errs,
    );
    if let Some(ads) = spec.get("activeDeadlineSeconds").and_then(Value::as_i64)
        && ads <= 0
    {
        errs.push(Cause::invalid(
            "spec.activeDeadlineSeconds",
            &json!(ads),
            "must be between 1 and 2147483647, inclusive",
        ));
    }
    if let Some(Value::Array(tolerations)) = spec.get("tolerations") {
        validate_tolerations(tolerations, &mut errs);
    }
    errs
}

/// `validateContainers` of one list (`at`: `spec.containers` or `spec.initContainers`): required,
/// then each container's name (a DNS-1123 label, unique in the list), image, probes, termination
/// message policy, ports, environment, mounts (of the valid `volumes`), pull policy and resources.
fn validate_containers(cs: &[Value], at: &str, volumes: &[&str], errs: &mut Vec<Cause>) {
    if cs.is_empty() {
        errs.push(Cause::required(at));
        return;
    }
    let list = at;
    let mut names: Vec<&str> = Vec::new();
    for (i, c) in cs.iter().enumerate() {
        let at = format!("{list}[{i}]");
        let name = c.get("name").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() {
            errs.push(Cause::required(format!("{at}.name")));
        } else if let Some(why) = dns1123_label(name) {
            errs.push(Cause::invalid(format!("{at}.name"), &json!(name), &why));
        }
        if names.contains(&name) {
            errs.push(Cause::duplicate(format!("{at}.name"), &json!(name)));
        } else {
            names.push(name);
        }
        if c.get("image")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            errs.push(Cause::required(format!("{at}.image")));
        }
        for probe in ["livenessProbe", "startupProbe"] {
            let Some(p) = c.get(probe).filter(|p| p.is_object()) else {
                continue;
            };
            validate_probe(p, &format!("{at}.{probe}"), errs);
            let threshold = p
                .get("successThreshold")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if threshold != 1 {
                errs.push(Cause::invalid(
                    format!("{at}.{probe}.successThreshold"),
                    &json!(threshold),
                    "must be 1",
                ));
            }
        }
        match c.get("terminationMessagePolicy").and_then(Value::as_str) {
            None => {}
            Some("File" | "FallbackToLogsOnError") => {}
            Some("") => errs.push(Cause::required_because(
                format!("{at}.terminationMessagePolicy"),
                "must be 'File' or 'FallbackToLogsOnError'",
            )),
            Some(other) => errs.push(Cause::invalid(
                format!("{at}.terminationMessagePolicy"),
                &json!(other),
                "must be 'File' or 'FallbackToLogsOnError'",
            )),
        }
        if let Some(p) = c.get("readinessProbe").filter(|p| p.is_object()) {
            validate_probe(p, &format!("{at}.readinessProbe"), errs);
        }
        validate_ports(c.get("ports"), &format!("{at}.ports"), errs);
        validate_env(c.get("env"), &format!("{at}.env"), errs);
        validate_mounts(
            c.get("volumeMounts"),
            volumes,
            &format!("{at}.volumeMounts"),
            errs,
        );
        validate_enum(
            c.get("imagePullPolicy"),
            &format!("{at}.imagePullPolicy"),
            &["Always", "IfNotPresent", "Never"],
            errs,
        );
        validate_resources(c.get("resources"), &format!("{at}.resources"), errs);
    }
}

/// The volume sources a volume may name (`VolumeSource`), and the field each requires.
const VOLUME_SOURCES: &[(&str, Option<&str>)] = &[
    ("hostPath", Some("path")),
    ("emptyDir", None),
    ("gcePersistentDisk", None),
    ("awsElasticBlockStore", None),
    ("gitRepo", None),
    ("secret", Some("secretName")),
    ("nfs", None),
    ("iscsi", None),
    ("glusterfs", None),
    ("persistentVolumeClaim", Some("claimName")),
    ("rbd", None),
    ("flexVolume", None),
    ("cinder", None),
    ("cephfs", None),
    ("flocker", None),
    ("downwardAPI", None),
    ("fc", None),
    ("azureFile", None),
    ("configMap", Some("name")),
    ("vsphereVolume", None),
    ("quobyte", None),
    ("azureDisk", None),
    ("photonPersistentDisk", None),
    ("projected", None),
    ("portworxVolume", None),
    ("scaleIO", None),
    ("storageos", None),
    ("csi", None),
    ("ephemeral", None),
];

/// `ValidateVolumes`, its common rules: one volume source each (and the name a hostPath, secret,
/// claim or config map source requires), a DNS-1123 label name, unique. The names of the valid
/// volumes (those a mount may name).
fn validate_volumes<'a>(volumes: Option<&'a Value>, errs: &mut Vec<Cause>) -> Vec<&'a str> {
    let mut valid: Vec<&str> = Vec::new();
    for (i, v) in volumes
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("spec.volumes[{i}]");
        let mut el = Vec::new();
        let mut sources = 0;
        for (source, required) in VOLUME_SOURCES {
            let Some(src) = v.get(*source).filter(|s| !s.is_null()) else {
                continue;
            };
            if sources > 0 {
                el.push(Cause::forbidden(
                    format!("{at}.{source}"),
                    "may not specify more than 1 volume type",
                ));
                continue;
            }
            sources += 1;
            if let Some(field) = required
                && src
                    .get(*field)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .is_empty()
            {
                el.push(Cause::required(format!("{at}.{source}.{field}")));
            }
        }
        if sources == 0 {
            el.push(Cause::required_because(&at, "must specify a volume type"));
        }
        let name = v.get("name").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() {
            el.push(Cause::required(format!("{at}.name")));
        } else if let Some(why) = dns1123_label(name) {
            el.push(Cause::invalid(format!("{at}.name"), &json!(name), &why));
        }
        if valid.contains(&name) {
            el.push(Cause::duplicate(format!("{at}.name"), &json!(name)));
        }
        if el.is_empty() {
            valid.push(name);
        } else {
            errs.extend(el);
        }
    }
    valid
}

/// `ValidateVolumeMounts`, its common rules: a name, of a valid volume; a mount path, unique.
fn validate_mounts(mounts: Option<&Value>, volumes: &[&str], at: &str, errs: &mut Vec<Cause>) {
    let mut paths: Vec<&str> = Vec::new();
    for (i, m) in mounts
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{at}[{i}]");
        let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
        let (name, path) = (text("name"), text("mountPath"));
        if name.is_empty() {
            errs.push(Cause::required(format!("{at}.name")));
        }
        if !volumes.contains(&name) {
            errs.push(Cause {
                reason: "FieldValueNotFound",
                message: format!("Not found: {}", json!(name)),
                field: format!("{at}.name"),
            });
        }
        if path.is_empty() {
            errs.push(Cause::required(format!("{at}.mountPath")));
        }
        if paths.contains(&path) {
            errs.push(Cause::invalid(
                format!("{at}.mountPath"),
                &json!(path),
                "must be unique",
            ));
        }
        paths.push(path);
    }
}

/// `ValidateEnv`: each variable's name (`IsEnvVarName`) and the source of its value.
fn validate_env(env: Option<&Value>, at: &str, errs: &mut Vec<Cause>) {
    const NAME_MSG: &str = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
    for (i, e) in env
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{at}[{i}]");
        let name = e.get("name").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() {
            errs.push(Cause::required(format!("{at}.name")));
        } else {
            let b = name.as_bytes();
            let word = |c: &u8| c.is_ascii_alphanumeric() || b"-._".contains(c);
            if b[0].is_ascii_digit() || !b.iter().all(word) {
                errs.push(Cause::invalid(format!("{at}.name"), &json!(name), NAME_MSG));
            }
            let chdir = match name {
                "." => Some("must not be '.'"),
                ".." => Some("must not be '..'"),
                n if n.starts_with("..") => Some("must not start with '..'"),
                _ => None,
            };
            if let Some(why) = chdir {
                errs.push(Cause::invalid(format!("{at}.name"), &json!(name), why));
            }
        }
        let Some(from) = e.get("valueFrom").filter(|f| f.is_object()) else {
            continue;
        };
        let at = format!("{at}.valueFrom");
        let mut sources = 0;
        for source in [
            "fieldRef",
            "resourceFieldRef",
            "configMapKeyRef",
            "secretKeyRef",
        ] {
            let Some(src) = from.get(source).filter(|s| !s.is_null()) else {
                continue;
            };
            sources += 1;
            if matches!(source, "configMapKeyRef" | "secretKeyRef") {
                // `validateConfigMapKeySelector`, `validateSecretKeySelector`.
                let text = |k: &str| src.get(k).and_then(Value::as_str).unwrap_or("");
                let (name, key) = (text("name"), text("key"));
                if let Some(why) = dns1123_subdomain(name) {
                    errs.push(Cause::invalid(
                        format!("{at}.{source}.name"),
                        &json!(name),
                        &why,
                    ));
                }
                if key.is_empty() {
                    errs.push(Cause::required(format!("{at}.{source}.key")));
                } else if let Some(why) = super::strategy::config_key(key) {
                    errs.push(Cause::invalid(
                        format!("{at}.{source}.key"),
                        &json!(key),
                        &why,
                    ));
                }
            }
        }
        let value = e.get("value").and_then(Value::as_str).unwrap_or("");
        let why = if sources == 0 {
            Some(
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
            )
        } else if !value.is_empty() {
            Some("may not be specified when `value` is not empty")
        } else if sources > 1 {
            Some("may not have more than one field specified at a time")
        } else {
            None
        };
        if let Some(why) = why {
            errs.push(Cause::invalid(&at, &json!(""), why));
        }
    }
}

/// `validateProbe`: one handler, and no negative numbers.
fn validate_probe(probe: &Value, at: &str, errs: &mut Vec<Cause>) {
    let mut handlers = 0;
    for handler in ["exec", "httpGet", "tcpSocket"] {
        if probe.get(handler).is_some_and(|h| !h.is_null()) {
            if handlers > 0 {
                errs.push(Cause::forbidden(
                    format!("{at}.{handler}"),
                    "may not specify more than 1 handler type",
                ));
            } else {
                handlers += 1;
            }
        }
    }
    if handlers == 0 {
        errs.push(Cause::required_because(at, "must specify a handler type"));
    }
    for field in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        if let Some(n) = probe.get(field).and_then(Value::as_i64).filter(|n| *n < 0) {
            errs.push(Cause::invalid(
                format!("{at}.{field}"),
                &json!(n),
                "must be greater than or equal to 0",
            ));
        }
    }
}

/// `validateContainerPorts`: each port's name (an IANA service name, unique), number, host port
/// and protocol.
fn validate_ports(ports: Option<&Value>, at: &str, errs: &mut Vec<Cause>) {
    let mut names: Vec<&str> = Vec::new();
    for (i, port) in ports
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{at}[{i}]");
        let name = port.get("name").and_then(Value::as_str).unwrap_or("");
        if !name.is_empty() {
            let why = super::strategy::port_name_errors(name);
            if !why.is_empty() {
                for why in why {
                    errs.push(Cause::invalid(format!("{at}.name"), &json!(name), why));
                }
            } else if names.contains(&name) {
                errs.push(Cause::duplicate(format!("{at}.name"), &json!(name)));
            } else {
                names.push(name);
            }
        }
        let number = |k: &str| port.get(k).and_then(Value::as_i64).unwrap_or(0);
        let container_port = number("containerPort");
        if container_port == 0 {
            errs.push(Cause::required(format!("{at}.containerPort")));
        } else if !(1..=65535).contains(&container_port) {
            errs.push(Cause::invalid(
                format!("{at}.containerPort"),
                &json!(container_port),
                "must be between 1 and 65535, inclusive",
            ));
        }
        let host_port = number("hostPort");
        if host_port != 0 && !(1..=65535).contains(&host_port) {
            errs.push(Cause::invalid(
                format!("{at}.hostPort"),
                &json!(host_port),
                "must be between 1 and 65535, inclusive",
            ));
        }
        match port.get("protocol").and_then(Value::as_str).unwrap_or("") {
            "" => errs.push(Cause::required(format!("{at}.protocol"))),
            "SCTP" | "TCP" | "UDP" => {}
            other => errs.push(Cause::not_supported(
                format!("{at}.protocol"),
                &json!(other),
                &["SCTP", "TCP", "UDP"],
            )),
        }
    }
}

/// `ValidateResourceRequirements`, its request-against-limit rules: a request may not exceed its
/// limit, and one of a resource that cannot be overcommitted (an extended or hugepages one) must
/// equal it, or have one. Requests are visited in name order (Go visits its map at random).
fn validate_resources(resources: Option<&Value>, at: &str, errs: &mut Vec<Cause>) {
    let empty = Map::new();
    let of = |k: &str| {
        resources
            .and_then(|r| r.get(k))
            .and_then(Value::as_object)
            .unwrap_or(&empty)
    };
    let (limits, requests) = (of("limits"), of("requests"));
    let mut names: Vec<&String> = requests.keys().collect();
    names.sort();
    for name in names {
        let request = requests[name].as_str().unwrap_or("");
        let overcommit = !name.starts_with("hugepages-")
            && (!name.contains('/') || name.starts_with("kubernetes.io/"));
        match limits.get(name).and_then(Value::as_str) {
            Some(limit) => {
                let (r, l) = (
                    super::schema::quantity_nanos(request),
                    super::schema::quantity_nanos(limit),
                );
                if r != l && !overcommit {
                    errs.push(Cause::invalid(
                        format!("{at}.requests"),
                        &json!(request),
                        &format!("must be equal to {name} limit"),
                    ));
                } else if let (Some(r), Some(l)) = (r, l)
                    && r > l
                {
                    errs.push(Cause::invalid(
                        format!("{at}.requests"),
                        &json!(request),
                        &format!("must be less than or equal to {name} limit"),
                    ));
                }
            }
            None if !overcommit => errs.push(Cause::required_because(
                format!("{at}.limits"),
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
    }
}

/// `ValidateTolerations`: a key is a label name; an empty key needs `Exists`; only a `NoExecute`
/// toleration has seconds; the value suits the operator; the effect is a taint effect.
fn validate_tolerations(tolerations: &[Value], errs: &mut Vec<Cause>) {
    for (i, t) in tolerations.iter().enumerate() {
        let at = format!("spec.tolerations[{i}]");
        let text = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("");
        let (key, operator, value, effect) =
            (text("key"), text("operator"), text("value"), text("effect"));
        if !key.is_empty() {
            for why in qualified_name_errors(key) {
                errs.push(Cause::invalid(format!("{at}.key"), &json!(key), &why));
            }
        }
        if key.is_empty() && operator != "Exists" {
            errs.push(Cause::invalid(
                format!("{at}.operator"),
                &json!(operator),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if t.get("tolerationSeconds").is_some_and(|s| !s.is_null()) && effect != "NoExecute" {
            errs.push(Cause::invalid(
                format!("{at}.effect"),
                &json!(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match operator {
            "Equal" | "" => {
                if let Some(why) = label_value(value) {
                    errs.push(Cause::invalid(
                        format!("{at}.operator"),
                        &json!(value),
                        &why,
                    ));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    let shown = super::go_value::go_value("core.Toleration", t)
                        .unwrap_or_else(|| "core.Toleration{…}".into());
                    errs.push(Cause::invalid_shown(
                        format!("{at}.operator"),
                        &shown,
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => errs.push(Cause::not_supported(
                format!("{at}.operator"),
                &json!(other),
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() && !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute")
        {
            errs.push(Cause::not_supported(
                format!("{at}.effect"),
                &json!(effect),
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
    }
}

fn validate_enum(v: Option<&Value>, field: &str, allowed: &[&str], errs: &mut Vec<Cause>) {
    match v.and_then(Value::as_str) {
        Some("") | None => {
            if v.is_some() {
                errs.push(Cause::required(field));
            }
        }
        Some(s) if allowed.contains(&s) => {}
        Some(s) => errs.push(Cause::not_supported(field, &json!(s), allowed)),
    }
}

fn validate_meta(obj: &Value, errs: &mut Vec<Cause>) {
    validate_object_meta(obj, dns1123_subdomain, errs)
}

/// `ValidateObjectMeta`: the name (by the kind's rule), the labels and the annotations.
pub fn validate_object_meta(
    obj: &Value,
    name_rule: fn(&str) -> Option<String>,
    errs: &mut Vec<Cause>,
) {
    let meta = obj.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() {
        errs.push(Cause::required("metadata.name"));
    } else if let Some(why) = name_rule(name) {
        errs.push(Cause::invalid("metadata.name", &json!(name), &why));
    }
    for (field, is_labels) in [("labels", true), ("annotations", false)] {
        let Some(m) = meta.and_then(|m| m.get(field)).and_then(Value::as_object) else {
            continue;
        };
        for (k, v) in m {
            if let Some(why) = qualified_name(k) {
                errs.push(Cause::invalid(format!("metadata.{field}"), &json!(k), &why));
            }
            if is_labels
                && let Some(s) = v.as_str()
                && let Some(why) = label_value(s)
            {
                errs.push(Cause::invalid("metadata.labels", &json!(s), &why));
            }
        }
    }
}

const DNS_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// `None` if `s` is a DNS-1123 label, else the reason.
pub fn dns1123_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some("must be no more than 63 characters".into());
    }
    if is_label(s) {
        None
    } else {
        Some(DNS_LABEL_MSG.into())
    }
}

fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// `None` if `s` is a DNS-1123 subdomain, else the reason.
pub fn dns1123_subdomain(s: &str) -> Option<String> {
    if s.len() > 253 {
        return Some("must be no more than 253 characters".into());
    }
    if s.split('.').all(is_label) {
        None
    } else {
        Some(DNS_SUBDOMAIN_MSG.into())
    }
}

/// `IsQualifiedName`, every message: an optional DNS subdomain prefix and `/`, then a name part of
/// at most 63 alphanumerics, `-`, `_` and `.`, starting and ending with an alphanumeric.
pub fn qualified_name_errors(v: &str) -> Vec<String> {
    const NAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    let mut errs = Vec::new();
    let parts: Vec<&str> = v.split('/').collect();
    let name = match parts[..] {
        [name] => name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else if let Some(why) = dns1123_subdomain(prefix) {
                errs.push(format!("prefix part {why}"));
            }
            name
        }
        _ => {
            return vec![format!(
                "a qualified name {NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )];
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 characters".into());
    }
    let b = name.as_bytes();
    let ok = !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric();
    if !ok {
        errs.push(format!("name part {NAME_MSG}"));
    }
    errs
}

fn qualified_name(k: &str) -> Option<String> {
    let name = match k.split_once('/') {
        Some((prefix, name)) => {
            if dns1123_subdomain(prefix).is_some() {
                return Some("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character".into());
            }
            name
        }
        None => k,
    };
    let b = name.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric();
    if ok {
        None
    } else {
        Some("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".into())
    }
}

fn label_value(v: &str) -> Option<String> {
    if v.is_empty() {
        return None;
    }
    let b = v.as_bytes();
    let ok = b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(c))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric();
    if ok {
        None
    } else {
        Some("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".into())
    }
}

const SPEC_FORBIDDEN: &str = "pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds` or `spec.tolerations` (only additions to existing tolerations)";

/// `ValidatePodUpdate` beyond the metadata and the spec of `new`: the only spec changes a pod
/// allows.
pub fn validate_update(new: &Value, old: &Value) -> Vec<Cause> {
    let mut errs = Vec::new();
    let empty = json!({});
    let new_spec = new.get("spec").unwrap_or(&empty);
    let old_spec = old.get("spec").unwrap_or(&empty);
    for field in ["containers", "initContainers"] {
        let n = new_spec
            .get(field)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let o = old_spec
            .get(field)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if n != o {
            errs.push(Cause::forbidden(
                format!("spec.{field}"),
                "pod updates may not add or remove containers",
            ));
            return errs;
        }
        if let Some(cs) = new_spec.get(field).and_then(Value::as_array) {
            for (i, c) in cs.iter().enumerate() {
                if c.get("image")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .is_empty()
                {
                    errs.push(Cause::required(format!("spec.{field}[{i}].image")));
                }
            }
        }
    }
    let old_ads = old_spec
        .get("activeDeadlineSeconds")
        .and_then(Value::as_i64);
    match (new_spec.get("activeDeadlineSeconds"), old_ads) {
        (Some(ads), _)
            if ads
                .as_i64()
                .is_none_or(|n| !(0..=i64::from(i32::MAX)).contains(&n)) =>
        {
            errs.push(Cause::invalid(
                "spec.activeDeadlineSeconds",
                ads,
                "must be between 0 and 2147483647, inclusive",
            ));
            return errs;
        }
        (Some(ads), Some(o)) if ads.as_i64().is_some_and(|n| n > o) => {
            errs.push(Cause::invalid(
                "spec.activeDeadlineSeconds",
                ads,
                "must be less than or equal to previous value",
            ));
            return errs;
        }
        (None, Some(_)) => errs.push(Cause::invalid(
            "spec.activeDeadlineSeconds",
            &json!("null"),
            "must not update from a positive integer to nil value",
        )),
        _ => {}
    }
    if !only_added_tolerations(new_spec, old_spec) {
        errs.push(Cause::forbidden(
            "spec.tolerations",
            "existing toleration can not be modified except its tolerationSeconds",
        ));
    }
    // The specs must be equal but for the fields a pod update may change.
    if !spec_equal_but_mutable(new_spec, old_spec) {
        errs.push(Cause::forbidden(
            "spec",
            format!("{SPEC_FORBIDDEN}\n{}", spec_diff(new_spec, old_spec)),
        ));
    }
    errs
}

/// Every old toleration is still there, but for its `tolerationSeconds` (`validateOnlyAddedTolerations`).
fn only_added_tolerations(new_spec: &Value, old_spec: &Value) -> bool {
    let list = |s: &Value| {
        s.get("tolerations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let new = list(new_spec);
    list(old_spec).iter().all(|old| {
        new.iter().any(|n| {
            let (mut a, mut b) = (old.clone(), n.clone());
            for t in [&mut a, &mut b] {
                if let Some(m) = t.as_object_mut() {
                    m.remove("tolerationSeconds");
                }
            }
            a == b
        })
    })
}

/// Equality of two pod specs ignoring container images, `activeDeadlineSeconds` and tolerations
/// (checked on their own): `ValidatePodUpdate`'s comparison, without copying the specs.
fn spec_equal_but_mutable(new: &Value, old: &Value) -> bool {
    let empty = Map::new();
    let n = new.as_object().unwrap_or(&empty);
    let o = old.as_object().unwrap_or(&empty);
    let keys = n.keys().chain(o.keys().filter(|k| !n.contains_key(*k)));
    for k in keys {
        let (nv, ov) = (n.get(k), o.get(k));
        let same = match k.as_str() {
            "activeDeadlineSeconds" => true,
            "containers" | "initContainers" => containers_equal_but_image(nv, ov),
            "tolerations" => true,
            _ => nv == ov,
        };
        if !same {
            return false;
        }
    }
    true
}

fn containers_equal_but_image(new: Option<&Value>, old: Option<&Value>) -> bool {
    let (Some(Value::Array(n)), Some(Value::Array(o))) = (new, old) else {
        return new == old;
    };
    n.len() == o.len()
        && n.iter()
            .zip(o)
            .all(|(a, b)| match (a.as_object(), b.as_object()) {
                (Some(a), Some(b)) => {
                    a.iter()
                        .filter(|(k, _)| *k != "image")
                        .all(|(k, v)| b.get(k) == Some(v))
                        && b.keys()
                            .filter(|k| *k != "image")
                            .all(|k| a.contains_key(k))
                }
                _ => a == b,
            })
}

/// A short rendering of which spec fields differ, in the spirit of the real server's `cmp.Diff`.
fn spec_diff(new: &Value, old: &Value) -> String {
    let mut out = String::from("  core.PodSpec{\n");
    let empty = Map::new();
    let n = new.as_object().unwrap_or(&empty);
    let o = old.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
    keys.dedup();
    let mut seen = Vec::new();
    for k in keys {
        if seen.contains(&k) {
            continue;
        }
        seen.push(k);
        if n.get(k) != o.get(k) {
            let show = |v: Option<&Value>| v.map_or("nil".to_string(), Value::to_string);
            out.push_str(&format!("- \t{}: {},\n", go_field(k), show(n.get(k))));
            out.push_str(&format!("+ \t{}: {},\n", go_field(k), show(o.get(k))));
        }
    }
    out.push_str("  }\n");
    out
}

fn go_field(k: &str) -> String {
    let mut c = k.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// `ValidatePodStatusUpdate` beyond the metadata: the parts of a status a fake can check.
pub fn validate_status(new: &Value) -> Vec<Cause> {
    let mut errs = Vec::new();
    if let Some(ips) = new.pointer("/status/podIPs").and_then(Value::as_array) {
        for (i, ip) in ips.iter().enumerate() {
            let s = ip.get("ip").and_then(Value::as_str).unwrap_or("");
            if s.parse::<std::net::IpAddr>().is_err() {
                errs.push(Cause::invalid(
                    format!("status.podIPs[{i}]"),
                    &json!(s),
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                ));
            }
        }
        if ips.len() > 1 {
            validate_dual_stack(ips, &mut errs);
        }
    }
    errs
}

/// `validatePodIPs` beyond each IP: at most one IP per family, no duplicates.
fn validate_dual_stack(ips: &[Value], errs: &mut Vec<Cause>) {
    use std::net::IpAddr;
    let texts: Vec<&str> = ips
        .iter()
        .map(|ip| ip.get("ip").and_then(Value::as_str).unwrap_or(""))
        .collect();
    let (mut v4, mut v6, mut invalid) = (false, false, false);
    for t in &texts {
        match t.parse::<IpAddr>() {
            Ok(IpAddr::V4(_)) => v4 = true,
            Ok(IpAddr::V6(a)) if a.to_ipv4_mapped().is_some() => v4 = true,
            Ok(IpAddr::V6(_)) => v6 = true,
            Err(_) => invalid = true,
        }
    }
    if invalid {
        errs.push(Cause {
            reason: "InternalError",
            message:
                "Internal error: failed to check for dual stack with error:ip <nil> is invalid"
                    .into(),
            field: "status.podIPs".into(),
        });
    }
    if invalid || !(v4 && v6) || texts.len() > 2 {
        let shown: Vec<String> = texts
            .iter()
            .map(|t| format!("core.PodIP{{IP:{t:?}}}"))
            .collect();
        errs.push(Cause::invalid_shown(
            "status.podIPs",
            &format!("[]core.PodIP{{{}}}", shown.join(", ")),
            "may specify no more than one IP for each IP family",
        ));
    }
    for (i, t) in texts.iter().enumerate() {
        if texts[..i].contains(t) {
            errs.push(Cause {
                reason: "FieldValueDuplicate",
                message: format!("Duplicate value: core.PodIP{{IP:{t:?}}}"),
                field: format!("status.podIPs[{i}]"),
            });
        }
    }
}

fn set_if_absent(m: &mut Map<String, Value>, key: &str, v: Value) {
    if !m.contains_key(key) {
        m.insert(key.into(), v);
    }
}

/// The object member `key` of `m`, created (or replaced by `{}` if not an object) as needed.
pub fn obj_entry<'a>(m: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let slot = m.entry(key.to_string()).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    match slot {
        Value::Object(o) => o,
        _ => unreachable!("just made an object"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_follows_tag() {
        assert_eq!(image_pull_policy("nginx"), "Always");
        assert_eq!(image_pull_policy("nginx:latest"), "Always");
        assert_eq!(image_pull_policy("nginx:1.19"), "IfNotPresent");
        assert_eq!(image_pull_policy("localhost:5000/nginx"), "Always");
        assert_eq!(image_pull_policy("nginx@sha256:abc"), "IfNotPresent");
    }

    #[test]
    fn defaults_match_the_recorded_create() {
        let mut pod = json!({"metadata": {"name": "hello-world"},
                             "spec": {"containers": [{"name": "hello-world", "image": "beego:v1"}]}});
        apply_defaults(&mut pod);
        admit_create(&mut pod);
        let spec = &pod["spec"];
        assert_eq!(spec["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(spec["containers"][0]["terminationMessagePolicy"], "File");
        assert_eq!(spec["schedulerName"], "default-scheduler");
        assert_eq!(spec["tolerations"].as_array().unwrap().len(), 2);
        assert_eq!(spec["priority"], 0);
        assert_eq!(qos_class(spec), "BestEffort");
    }

    #[test]
    fn qos_classes() {
        let g = json!({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"},
                                                       "requests": {"cpu": "1", "memory": "1Gi"}}}]});
        assert_eq!(qos_class(&g), "Guaranteed");
        let b = json!({"containers": [{"resources": {"requests": {"cpu": "100m"}}}]});
        assert_eq!(qos_class(&b), "Burstable");
    }

    #[test]
    fn update_rules() {
        let old = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "a"}],
                          "restartPolicy": "Always", "tolerations": [{"key": "k"}]}});
        let mut new = old.clone();
        new["spec"]["containers"][0]["image"] = json!("b");
        new["spec"]["tolerations"] = json!([{"key": "k"}, {"key": "l"}]);
        new["spec"]["activeDeadlineSeconds"] = json!(10);
        assert!(validate_update(&new, &old).is_empty());
        let mut bad = old.clone();
        bad["spec"]["restartPolicy"] = json!("Never");
        let errs = validate_update(&bad, &old);
        assert_eq!(errs[0].reason, "FieldValueForbidden");
        assert_eq!(errs[0].field, "spec");
        let mut removed = old.clone();
        removed["spec"]["tolerations"] = json!([]);
        assert_eq!(validate_update(&removed, &old).len(), 1);
        let mut added = old.clone();
        added["spec"]["containers"] =
            json!([{"name": "c", "image": "a"}, {"name": "d", "image": "a"}]);
        assert_eq!(validate_update(&added, &old)[0].field, "spec.containers");
    }

    #[test]
    fn admission_not_defaulting_sets_the_preemption_policy() {
        let mut pod = json!({"spec": {"containers": [{"name": "c", "image": "x",
            "readinessProbe": {"httpGet": {"port": 80}}}]}});
        apply_defaults(&mut pod);
        assert!(pod["spec"].get("preemptionPolicy").is_none());
        assert_eq!(
            pod["spec"]["containers"][0]["readinessProbe"]["httpGet"],
            json!({"port": 80, "path": "/", "scheme": "HTTP"})
        );
        admit_create(&mut pod);
        assert_eq!(pod["spec"]["preemptionPolicy"], "PreemptLowerPriority");
    }

    #[test]
    fn pod_ips_one_per_family() {
        let status = |ips: Value| json!({"metadata": {"name": "p"}, "status": {"podIPs": ips}});
        let ok = status(json!([{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]));
        assert!(validate_status(&ok).is_empty());
        let errs = validate_status(&status(json!([{"ip": "10.0.0.1"}, {"ip": "10.0.0.1"}])));
        let reasons: Vec<&str> = errs.iter().map(|c| c.reason).collect();
        assert_eq!(reasons, ["FieldValueInvalid", "FieldValueDuplicate"]);
        assert_eq!(
            errs[1].message,
            "Duplicate value: core.PodIP{IP:\"10.0.0.1\"}"
        );
    }

    #[test]
    fn pod_ips_follow_pod_ip() {
        let mut pod = json!({"status": {"podIP": "10.0.0.1"}});
        convert_pod_ips(&mut pod);
        assert_eq!(pod["status"]["podIPs"], json!([{"ip": "10.0.0.1"}]));
        let mut pod = json!({"status": {"podIP": "10.0.0.2", "podIPs": [{"ip": "10.0.0.1"}]}});
        convert_pod_ips(&mut pod);
        assert_eq!(pod["status"]["podIPs"], json!([{"ip": "10.0.0.2"}]));
    }
}
