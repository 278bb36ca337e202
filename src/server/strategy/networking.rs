//! The strategies of networking.k8s.io (and the extensions/v1beta1 Ingress):
//! `pkg/registry/networking/{ingress,ingressclass,networkpolicy}`, their defaults and validation.
//! One store holds the ingresses of all three versions, converted on the way out as
//! kube-apiserver converts them through its internal type.

use super::label_selector::LabelSelector;
use super::{Strategy, reset_status, spec_of};
use crate::server::pod::dns1123_subdomain;
use crate::server::status::Cause;
use serde_json::{Map, Value, json};

pub(super) fn for_kind(group: &str, kind: &str) -> Option<&'static dyn Strategy> {
    Some(match (group, kind) {
        ("networking.k8s.io" | "extensions", "Ingress") => &Ingress,
        ("networking.k8s.io", "IngressClass") => &IngressClass,
        ("networking.k8s.io", "NetworkPolicy") => &NetworkPolicy,
        _ => return None,
    })
}

/// `ValidateLoadBalancerStatus` of `status.loadBalancer`.
fn validate_load_balancer_status(obj: &Value) -> Vec<Cause> {
    let mut errs = Vec::new();
    let ingress = obj
        .pointer("/status/loadBalancer/ingress")
        .and_then(Value::as_array);
    for (i, lb) in ingress.into_iter().flatten().enumerate() {
        let at = format!("status.loadBalancer.ingress[{i}]");
        let ip = lb.get("ip").and_then(Value::as_str).unwrap_or("");
        if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
            errs.push(Cause::invalid(
                format!("{at}.ip"),
                &json!(ip),
                "must be a valid IP address",
            ));
        }
        let host = lb.get("hostname").and_then(Value::as_str).unwrap_or("");
        if !host.is_empty() {
            if let Some(why) = dns1123_subdomain(host) {
                errs.push(Cause::invalid(format!("{at}.hostname"), &json!(host), &why));
            }
            if host.parse::<std::net::IpAddr>().is_ok() {
                errs.push(Cause::invalid(
                    format!("{at}.hostname"),
                    &json!(host),
                    "must be a DNS name, not an IP address",
                ));
            }
        }
    }
    errs
}

fn api_version(obj: &Value) -> &str {
    obj.get("apiVersion").and_then(Value::as_str).unwrap_or("")
}

fn is_v1(obj: &Value) -> bool {
    api_version(obj) == "networking.k8s.io/v1"
}

/// Every backend of an ingress spec (the default one and each path's), mutably.
fn for_each_backend(spec: &mut Map<String, Value>, default_key: &str, f: &dyn Fn(&mut Value)) {
    if let Some(b) = spec.get_mut(default_key).filter(|b| b.is_object()) {
        f(b);
    }
    let rules = spec.get_mut("rules").and_then(Value::as_array_mut);
    for rule in rules.into_iter().flatten() {
        let paths = rule
            .pointer_mut("/http/paths")
            .and_then(Value::as_array_mut);
        for path in paths.into_iter().flatten() {
            if let Some(b) = path.get_mut("backend").filter(|b| b.is_object()) {
                f(b);
            }
        }
    }
}

/// A v1beta1 backend (`serviceName`, `servicePort`) as v1 has it (`service: {name, port}`).
fn backend_to_v1(b: &mut Value) {
    let Some(m) = b.as_object_mut() else { return };
    let name = m.shift_remove("serviceName");
    let port = m.shift_remove("servicePort");
    let has_name = name
        .as_ref()
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    if has_name || port.as_ref().is_some_and(|p| !p.is_null()) {
        let port = match port {
            Some(Value::String(s)) => json!({"name": s}),
            Some(Value::Number(n)) => json!({"number": n}),
            _ => json!({}),
        };
        let mut service = Map::new();
        service.insert("name".into(), name.unwrap_or(json!("")));
        service.insert("port".into(), port);
        m.insert("service".into(), Value::Object(service));
    }
}

/// A v1 backend as v1beta1 has it.
fn backend_to_v1beta1(b: &mut Value) {
    let Some(m) = b.as_object_mut() else { return };
    if let Some(service) = m.shift_remove("service").filter(|s| s.is_object()) {
        m.insert(
            "serviceName".into(),
            service.get("name").cloned().unwrap_or(json!("")),
        );
        let name = service
            .pointer("/port/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let port = if name.is_empty() {
            service.pointer("/port/number").cloned().unwrap_or(json!(0))
        } else {
            json!(name)
        };
        m.insert("servicePort".into(), port);
    }
}

/// The ingress `obj` in `to` (`extensions/v1beta1`, `networking.k8s.io/v1beta1` or `…/v1`).
pub(super) fn convert_ingress(obj: &mut Value, to: &str) {
    let from_v1 = is_v1(obj);
    let to_v1 = to == "networking.k8s.io/v1";
    obj["apiVersion"] = json!(to);
    if from_v1 == to_v1 {
        return;
    }
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let (from_key, to_key) = if to_v1 {
        ("backend", "defaultBackend")
    } else {
        ("defaultBackend", "backend")
    };
    if let Some(b) = spec.shift_remove(from_key) {
        spec.insert(to_key.into(), b);
    }
    if to_v1 {
        for_each_backend(spec, to_key, &backend_to_v1);
    } else {
        for_each_backend(spec, to_key, &backend_to_v1beta1);
    }
}

/// An Ingress: in v1beta1 a path's type defaults to ImplementationSpecific; created without
/// status, generation 1 and one more per spec change; validated on its v1 form, with the paths
/// of the version asked.
struct Ingress;
impl Strategy for Ingress {
    fn validate_status(&self, new: &Value, _old: &Value) -> Vec<Cause> {
        validate_load_balancer_status(new)
    }
    fn default(&self, obj: &mut Value) {
        if is_v1(obj) {
            return;
        }
        let rules = obj.pointer_mut("/spec/rules").and_then(Value::as_array_mut);
        for rule in rules.into_iter().flatten() {
            let paths = rule
                .pointer_mut("/http/paths")
                .and_then(Value::as_array_mut);
            for p in paths.into_iter().flatten().filter_map(Value::as_object_mut) {
                if p.get("pathType").is_none_or(Value::is_null) {
                    p.insert("pathType".into(), json!("ImplementationSpecific"));
                }
            }
        }
    }
    fn invalid_kind(&self) -> Option<&'static str> {
        // kube-apiserver v1.20 names the ingress storage's kind so in every version.
        Some("Ingress.extensions")
    }
    fn convert(&self, obj: &mut Value, to: &str) {
        convert_ingress(obj, to);
    }
    fn prepare_create(&self, obj: &mut Value) {
        reset_status(obj);
        obj["metadata"]["generation"] = json!(1);
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let v1 = is_v1(obj);
        let mut internal = obj.clone();
        convert_ingress(&mut internal, "networking.k8s.io/v1");
        let spec = internal.get("spec").cloned().unwrap_or(json!({}));
        let default_key = if v1 { "defaultBackend" } else { "backend" };
        let mut errs = Vec::new();
        let rules = spec
            .get("rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let default_backend = spec.get("defaultBackend").filter(|b| !b.is_null());
        if rules.is_empty() && default_backend.is_none() {
            errs.push(Cause::invalid_shown(
                "spec",
                "[]networking.IngressRule(nil)",
                &format!("either `{default_key}` or `rules` must be specified"),
            ));
        }
        if let Some(b) = default_backend {
            validate_backend(b, &format!("spec.{default_key}"), v1, &mut errs);
        }
        for (i, rule) in rules.iter().enumerate() {
            let at = format!("spec.rules[{i}]");
            let host = rule.get("host").and_then(Value::as_str).unwrap_or("");
            if !host.is_empty() {
                if host.parse::<std::net::IpAddr>().is_ok() {
                    errs.push(Cause::invalid(
                        format!("{at}.host"),
                        &json!(host),
                        "must be a DNS name, not an IP address",
                    ));
                }
                let why = if host.contains('*') {
                    wildcard_dns1123_subdomain(host)
                } else {
                    dns1123_subdomain(host)
                };
                if let Some(why) = why {
                    errs.push(Cause::invalid(format!("{at}.host"), &json!(host), &why));
                }
            }
            let Some(http) = rule.get("http").filter(|h| !h.is_null()) else {
                continue;
            };
            let paths = http
                .get("paths")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if paths.is_empty() {
                errs.push(Cause::required(format!("{at}.http.paths")));
            }
            for (j, p) in paths.iter().enumerate() {
                let at = format!("{at}.http.paths[{j}]");
                let path = p.get("path").and_then(Value::as_str).unwrap_or("");
                let absolute = |errs: &mut Vec<Cause>| {
                    if !path.starts_with('/') {
                        errs.push(Cause::invalid(
                            format!("{at}.path"),
                            &json!(path),
                            "must be an absolute path",
                        ));
                    }
                };
                match p.get("pathType").and_then(Value::as_str) {
                    None => {
                        errs.push(Cause::required_because(
                            format!("{at}.pathType"),
                            "pathType must be specified",
                        ));
                        continue;
                    }
                    Some("Exact" | "Prefix") => absolute(&mut errs),
                    Some("ImplementationSpecific") => {
                        if !path.is_empty() {
                            absolute(&mut errs);
                        }
                    }
                    Some(other) => errs.push(Cause::not_supported(
                        format!("{at}.pathType"),
                        &json!(other),
                        &["Exact", "ImplementationSpecific", "Prefix"],
                    )),
                }
                let b = p.get("backend").cloned().unwrap_or(json!({}));
                validate_backend(&b, &format!("{at}.backend"), v1, &mut errs);
            }
        }
        errs
    }
}

/// `validateIngressBackend` of a backend in its v1 form; the fields are named as the request's
/// version names them.
fn validate_backend(b: &Value, at: &str, v1: bool, errs: &mut Vec<Cause>) {
    let resource = b.get("resource").filter(|r| !r.is_null());
    let service = b.get("service").filter(|s| !s.is_null());
    let (name_field, number_field) = if v1 {
        (
            format!("{at}.service.name"),
            format!("{at}.service.port.number"),
        )
    } else {
        (format!("{at}.serviceName"), format!("{at}.servicePort"))
    };
    match (resource, service) {
        (Some(_), Some(_)) => errs.push(Cause::invalid(
            at,
            &json!(""),
            "cannot set both resource and service backends",
        )),
        (Some(_), None) => {}
        (None, Some(s)) => {
            let name = s.get("name").and_then(Value::as_str).unwrap_or("");
            if name.is_empty() {
                errs.push(Cause::required(name_field));
            } else if let Some(why) = crate::server::pod::dns1123_label(name) {
                errs.push(Cause::invalid(name_field, &json!(name), &why));
            }
            let port_name = s
                .pointer("/port/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let number = s
                .pointer("/port/number")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            match (port_name.is_empty(), number) {
                (false, n) if n != 0 => errs.push(Cause::invalid(
                    at,
                    &json!(""),
                    "cannot set both port name & port number",
                )),
                (false, _) => {}
                (true, 0) => errs.push(Cause::required_because(
                    at,
                    "port name or number is required",
                )),
                (true, n) if !(1..=65535).contains(&n) => errs.push(Cause::invalid(
                    number_field,
                    &json!(n),
                    "must be between 1 and 65535, inclusive",
                )),
                _ => {}
            }
        }
        (None, None) => errs.push(Cause::invalid(
            at,
            &json!(""),
            "resource or service backend is required",
        )),
    }
}

/// An IngressClass: its controller is required and immutable.
struct IngressClass;
impl Strategy for IngressClass {
    fn prepare_create(&self, obj: &mut Value) {
        obj["metadata"]["generation"] = json!(1);
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let controller = obj
            .pointer("/spec/controller")
            .and_then(Value::as_str)
            .unwrap_or("");
        if controller.len() > 253 {
            errs.push(Cause {
                reason: "FieldValueTooLong",
                message: "Too long: must have at most 253 bytes".into(),
                field: "spec.controller".into(),
            });
        }
        validate_domain_prefixed_path(controller, "spec.controller", &mut errs);
        if let Some(p) = obj.pointer("/spec/parameters").filter(|p| !p.is_null()) {
            validate_parameters_ref(p, "spec.parameters", &mut errs);
        }
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let c = |o: &Value| o.pointer("/spec/controller").cloned().unwrap_or(json!(""));
        if c(new) != c(old) {
            errs.push(Cause::invalid(
                "spec.controller",
                &c(new),
                "field is immutable",
            ));
        }
        errs
    }
}

/// A NetworkPolicy: each port's protocol defaults to TCP; the policy types to Ingress (and
/// Egress when it has egress rules); generation 1 and one more per spec change.
struct NetworkPolicy;
impl Strategy for NetworkPolicy {
    fn default(&self, obj: &mut Value) {
        let Some(spec) = spec_of(obj) else { return };
        for dir in ["ingress", "egress"] {
            let rules = spec.get_mut(dir).and_then(Value::as_array_mut);
            for rule in rules.into_iter().flatten() {
                let ports = rule.get_mut("ports").and_then(Value::as_array_mut);
                for p in ports.into_iter().flatten().filter_map(Value::as_object_mut) {
                    if p.get("protocol").is_none_or(Value::is_null) {
                        p.insert("protocol".into(), json!("TCP"));
                    }
                }
            }
        }
        let empty = spec
            .get("policyTypes")
            .and_then(Value::as_array)
            .is_none_or(|a| a.is_empty());
        if empty {
            let egress = spec
                .get("egress")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
            let types = if egress {
                json!(["Ingress", "Egress"])
            } else {
                json!(["Ingress"])
            };
            spec.insert("policyTypes".into(), types);
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        obj["metadata"]["generation"] = json!(1);
    }
    fn tracks_generation(&self) -> bool {
        true
    }
    fn invalid_kind(&self) -> Option<&'static str> {
        // As v1.20.2 names the kind of its network policy storage.
        Some("NetworkPolicy.extensions")
    }
    /// `ValidateNetworkPolicySpec`.
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let spec = obj.get("spec").unwrap_or(&Value::Null);
        errs.extend(
            LabelSelector::from_value(spec.get("podSelector")).validate("spec.podSelector"),
        );
        for (dir, peers) in [("ingress", "from"), ("egress", "to")] {
            let rules = spec.get(dir).and_then(Value::as_array);
            for (i, rule) in rules.into_iter().flatten().enumerate() {
                let at = format!("spec.{dir}[{i}]");
                let ports = rule.get("ports").and_then(Value::as_array);
                for (j, port) in ports.into_iter().flatten().enumerate() {
                    validate_policy_port(port, &format!("{at}.ports[{j}]"), &mut errs);
                }
                let list = rule.get(peers).and_then(Value::as_array);
                for (j, peer) in list.into_iter().flatten().enumerate() {
                    validate_policy_peer(peer, &format!("{at}.{peers}[{j}]"), &mut errs);
                }
            }
        }
        let types = spec.get("policyTypes").and_then(Value::as_array);
        let types = types.map(Vec::as_slice).unwrap_or_default();
        if types.len() > 2 {
            errs.push(Cause::invalid_shown(
                "spec.policyTypes",
                &format!("&{}", go_string_slice(types)),
                "may not specify more than two policyTypes",
            ));
            return errs;
        }
        for (i, t) in types.iter().enumerate() {
            let t = t.as_str().unwrap_or("");
            if t != "Ingress" && t != "Egress" {
                errs.push(Cause::not_supported(
                    format!("spec.policyTypes[{i}]"),
                    &json!(t),
                    &["Ingress", "Egress"],
                ));
            }
        }
        errs
    }
}

/// `IsWildcardDNS1123Subdomain`: `*.` and a DNS subdomain (its first failing rule).
fn wildcard_dns1123_subdomain(host: &str) -> Option<String> {
    if host.len() > 253 {
        return Some("must be no more than 253 characters".into());
    }
    let ok = host
        .strip_prefix("*.")
        .is_some_and(|rest| dns1123_subdomain(rest).is_none());
    (!ok).then(|| {
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must \
         consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character \
         (e.g. '*.example.com', regex used for validation is \
         '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            .into()
    })
}

/// `IsDomainPrefixedPath`: `host/path`, the host a DNS subdomain.
fn validate_domain_prefixed_path(v: &str, field: &str, errs: &mut Vec<Cause>) {
    if v.is_empty() {
        errs.push(Cause::required(field));
        return;
    }
    let Some((host, path)) = v
        .split_once('/')
        .filter(|(h, p)| !h.is_empty() && !p.is_empty())
    else {
        errs.push(Cause::invalid(
            field,
            &json!(v),
            "must be a domain-prefixed path (such as \"acme.io/foo\")",
        ));
        return;
    };
    if let Some(why) = dns1123_subdomain(host) {
        errs.push(Cause::invalid(field, &json!(host), &why));
    }
    let ok = path
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:".contains(&c));
    if !ok {
        errs.push(Cause::invalid(
            field,
            &json!(path),
            "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')",
        ));
    }
}

/// `validateIngressTypedLocalObjectReference`: an IngressClass's parameters.
fn validate_parameters_ref(p: &Value, at: &str, errs: &mut Vec<Cause>) {
    if let Some(g) = p.get("apiGroup").and_then(Value::as_str)
        && let Some(why) = dns1123_subdomain(g)
    {
        errs.push(Cause::invalid(format!("{at}.apiGroup"), &json!(g), &why));
    }
    for (k, why) in [("kind", "kind is required"), ("name", "name is required")] {
        let v = p.get(k).and_then(Value::as_str).unwrap_or("");
        if v.is_empty() {
            errs.push(Cause::required_because(format!("{at}.{k}"), why));
        } else if let Some(bad) = super::rbac::path_segment_name(v) {
            errs.push(Cause::invalid(format!("{at}.{k}"), &json!(v), &bad));
        }
    }
}

/// Go's `%#v` of a `[]networking.PolicyType`.
fn go_string_slice(items: &[Value]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|v| format!("{:?}", v.as_str().unwrap_or("")))
        .collect();
    format!("[]networking.PolicyType{{{}}}", quoted.join(", "))
}

/// `ValidateNetworkPolicyPort`.
fn validate_policy_port(port: &Value, at: &str, errs: &mut Vec<Cause>) {
    if let Some(p) = port.get("protocol").and_then(Value::as_str)
        && !matches!(p, "TCP" | "UDP" | "SCTP")
    {
        errs.push(Cause::not_supported(
            format!("{at}.protocol"),
            &json!(p),
            &["TCP", "UDP", "SCTP"],
        ));
    }
    match port.get("port") {
        Some(Value::Number(n)) => {
            let n = n.as_i64().unwrap_or(0);
            if !(1..=65535).contains(&n) {
                errs.push(Cause::invalid(
                    format!("{at}.port"),
                    &json!(n),
                    "must be between 1 and 65535, inclusive",
                ));
            }
        }
        Some(Value::String(name)) => {
            for why in port_name_errors(name) {
                errs.push(Cause::invalid(format!("{at}.port"), &json!(name), why));
            }
        }
        _ => {}
    }
}

/// `IsValidPortName`: an IANA service name, every message.
pub(crate) fn port_name_errors(name: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if name.len() > 15 {
        errs.push("must be no more than 15 characters");
    }
    if !name
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        || name.is_empty()
    {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !name.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter or number (a-z, 0-9)");
    }
    if name.contains("--") {
        errs.push("must not contain consecutive hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') {
        errs.push("must not begin or end with a hyphen");
    }
    errs
}

/// `ValidateNetworkPolicyPeer`: one peer, an IP block alone.
fn validate_policy_peer(peer: &Value, at: &str, errs: &mut Vec<Cause>) {
    let mut peers = 0;
    for sel in ["podSelector", "namespaceSelector"] {
        if let Some(v) = peer.get(sel).filter(|v| !v.is_null()) {
            peers += 1;
            errs.extend(LabelSelector::from_value(Some(v)).validate(&format!("{at}.{sel}")));
        }
    }
    let block = peer.get("ipBlock").filter(|v| !v.is_null());
    if let Some(b) = block {
        peers += 1;
        validate_ip_block(b, &format!("{at}.ipBlock"), errs);
    }
    if peers == 0 {
        errs.push(Cause::required_because(at, "must specify a peer"));
    } else if peers > 1 && block.is_some() {
        errs.push(Cause::forbidden(
            at,
            "may not specify both ipBlock and another peer",
        ));
    }
}

/// A CIDR as Go's `net.ParseCIDR` reads it: the network's address and prefix length.
fn parse_cidr(s: &str) -> Option<(std::net::IpAddr, u32)> {
    let (ip, len) = s.split_once('/')?;
    let ip: std::net::IpAddr = ip.parse().ok()?;
    let len: u32 = len
        .parse()
        .ok()
        .filter(|_| len.bytes().all(|c| c.is_ascii_digit()))?;
    let bits = if ip.is_ipv4() { 32 } else { 128 };
    (len <= bits).then_some((ip, len))
}

/// Whether `ip` lies in the network `net`/`len`.
fn cidr_contains(net: std::net::IpAddr, len: u32, ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(i)) => {
            let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
            u32::from(n) & mask == u32::from(i) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(i)) => {
            let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
            u128::from(n) & mask == u128::from(i) & mask
        }
        _ => false,
    }
}

/// `ValidateIPBlock`: a valid CIDR, and exceptions strictly inside it.
fn validate_ip_block(b: &Value, at: &str, errs: &mut Vec<Cause>) {
    let cidr = b.get("cidr").and_then(Value::as_str).unwrap_or("");
    if cidr.is_empty() {
        errs.push(Cause::required(format!("{at}.cidr")));
        return;
    }
    let Some((net, len)) = parse_cidr(cidr) else {
        errs.push(Cause::invalid(
            format!("{at}.cidr"),
            &json!(cidr),
            "not a valid CIDR",
        ));
        return;
    };
    let except = b.get("except").and_then(Value::as_array);
    for (i, e) in except.into_iter().flatten().enumerate() {
        let e = e.as_str().unwrap_or("");
        let field = format!("{at}.except[{i}]");
        let Some((eip, elen)) = parse_cidr(e) else {
            errs.push(Cause::invalid(field, &json!(e), "not a valid CIDR"));
            return;
        };
        if !cidr_contains(net, len, eip) || len >= elen {
            errs.push(Cause::invalid(
                field,
                &json!(e),
                "must be a strict subset of `cidr`",
            ));
        }
    }
}
