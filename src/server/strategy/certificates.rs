//! The strategy of certificates.k8s.io v1 and v1beta1 CertificateSigningRequests
//! (`pkg/registry/certificates/certificates`, `pkg/apis/certificates/validation` and the v1beta1
//! defaults): the requester recorded on create, the PKCS#10 request parsed and its signature
//! checked, the status and approval subresources each changing their own part, and the
//! CertificateSubjectRestriction admission plugin. What v1beta1 still allows (the legacy signer,
//! unknown and duplicate usages, arbitrary certificates) it allows by the request's version.

use super::{Requester, Strategy, strings};
use crate::server::pod::{dns1123_label, dns1123_subdomain};
use crate::server::status::Cause;
use base64::Engine;
use serde_json::{Value, json};
use x509_parser::prelude::{FromDer, GeneralName, ParsedExtension, X509CertificationRequest};

pub(super) struct SigningRequest;

const V1BETA1: &str = "certificates.k8s.io/v1beta1";
const LEGACY_UNKNOWN: &str = "kubernetes.io/legacy-unknown";
const KUBE_APISERVER_CLIENT: &str = "kubernetes.io/kube-apiserver-client";

/// Every key usage a request may name (`allValidUsages`), sorted as Go lists them.
const USAGES: &[&str] = &[
    "any",
    "cert sign",
    "client auth",
    "code signing",
    "content commitment",
    "crl sign",
    "data encipherment",
    "decipher only",
    "digital signature",
    "email protection",
    "encipher only",
    "ipsec end system",
    "ipsec tunnel",
    "ipsec user",
    "key agreement",
    "key encipherment",
    "microsoft sgc",
    "netscape sgc",
    "ocsp signing",
    "s/mime",
    "server auth",
    "signing",
    "timestamping",
];

fn is_v1beta1(obj: &Value) -> bool {
    obj.get("apiVersion").and_then(Value::as_str) == Some(V1BETA1)
}

/// A `[]byte` field (base64 in JSON) as Go decoded it: `None` if absent or null.
fn bytes(obj: &Value, pointer: &str) -> Option<Vec<u8>> {
    let s = obj.pointer(pointer)?.as_str()?;
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .unwrap_or_default(),
    )
}

/// What the rules read of a parsed request (Go's `x509.CertificateRequest`).
struct Parsed {
    organizations: Vec<String>,
    common_name: String,
    dns_names: usize,
    ip_addresses: usize,
    emails: usize,
    uris: usize,
}

/// The first PEM block of `pem`, if there is one (Go's `pem.Decode`): its label and contents.
fn pem_block(pem: &[u8]) -> Option<(String, Vec<u8>)> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem).ok()?;
    Some((block.label, block.contents))
}

/// `certificates.ParseCSR`, and with `check` the request's signature too (`CheckSignature`): the
/// request, or Go's error text.
fn parse_csr(pem: &[u8], check: bool) -> Result<Parsed, String> {
    const NOT_A_REQUEST: &str = "PEM block type must be CERTIFICATE REQUEST";
    let (label, der) = pem_block(pem).ok_or(NOT_A_REQUEST)?;
    if label != "CERTIFICATE REQUEST" {
        return Err(NOT_A_REQUEST.into());
    }
    let (rest, csr) = X509CertificationRequest::from_der(&der)
        .map_err(|_| "asn1: structure error: malformed certificate request".to_string())?;
    if !rest.is_empty() {
        return Err("asn1: syntax error: trailing data".into());
    }
    let info = &csr.certification_request_info;
    let mut parsed = Parsed {
        organizations: info
            .subject
            .iter_organization()
            .filter_map(|a| a.as_str().ok().map(str::to_string))
            .collect(),
        common_name: info
            .subject
            .iter_common_name()
            .filter_map(|a| a.as_str().ok())
            .last()
            .unwrap_or("")
            .to_string(),
        dns_names: 0,
        ip_addresses: 0,
        emails: 0,
        uris: 0,
    };
    for ext in csr.requested_extensions().into_iter().flatten() {
        if let ParsedExtension::SubjectAlternativeName(san) = ext {
            for name in &san.general_names {
                match name {
                    GeneralName::DNSName(_) => parsed.dns_names += 1,
                    GeneralName::IPAddress(_) => parsed.ip_addresses += 1,
                    GeneralName::RFC822Name(_) => parsed.emails += 1,
                    GeneralName::URI(_) => parsed.uris += 1,
                    _ => {}
                }
            }
        }
    }
    if check && csr.verify_signature().is_err() {
        let key = &info.subject_pki.algorithm.algorithm;
        return Err(
            if *key == x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION {
                "crypto/rsa: verification error"
            } else if *key == x509_parser::oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY {
                "x509: ECDSA verification failure"
            } else if *key == x509_parser::oid_registry::OID_SIG_ED25519 {
                "x509: Ed25519 verification failure"
            } else {
                "x509: cannot verify signature: algorithm unimplemented"
            }
            .into(),
        );
    }
    Ok(parsed)
}

/// Whether the request is a kubelet's (organization `system:nodes`, common name
/// `system:node:…`) for a client or a serving certificate, with exactly the usages of one.
fn kubelet_signer(p: &Parsed, usages: &[String]) -> Option<&'static str> {
    if p.organizations != ["system:nodes"]
        || !p.common_name.starts_with("system:node:")
        || p.emails > 0
        || p.uris > 0
    {
        return None;
    }
    let set: std::collections::BTreeSet<&str> = usages.iter().map(String::as_str).collect();
    let is = |wanted: [&str; 3]| set == wanted.into_iter().collect();
    if p.dns_names == 0
        && p.ip_addresses == 0
        && is(["client auth", "digital signature", "key encipherment"])
    {
        return Some("kubernetes.io/kube-apiserver-client-kubelet");
    }
    if (p.dns_names > 0 || p.ip_addresses > 0)
        && is(["digital signature", "key encipherment", "server auth"])
    {
        return Some("kubernetes.io/kubelet-serving");
    }
    None
}

/// The conditions of the object's status.
fn conditions(obj: &Value) -> &[Value] {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn condition_type(c: &Value) -> &str {
    c.get("type").and_then(Value::as_str).unwrap_or("")
}

/// The validation options of a request's version, given the stored object of an update
/// (`getValidationOptions`).
#[derive(Default)]
struct Options {
    setting_approval: bool,
    setting_certificate: bool,
    both_approved_and_denied: bool,
    resetting_certificate: bool,
    legacy_signer: bool,
    duplicate_conditions: bool,
    empty_condition_type: bool,
    arbitrary_certificate: bool,
    unknown_usages: bool,
    duplicate_usages: bool,
}

impl Options {
    fn of(new: &Value, old: Option<&Value>) -> Options {
        let beta = is_v1beta1(new);
        let old_conditions = old.map(conditions).unwrap_or_default();
        let has = |t: &str| old_conditions.iter().any(|c| condition_type(c) == t);
        let old_usages = old
            .map(|o| strings(o.pointer("/spec/usages")))
            .unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        let old_types_duplicate = !old_conditions
            .iter()
            .all(|c| seen.insert(condition_type(c)));
        let mut seen = std::collections::HashSet::new();
        let old_usages_duplicate = !old_usages.iter().all(|u| seen.insert(u.as_str()));
        let old_certificate = old.and_then(|o| bytes(o, "/status/certificate"));
        Options {
            both_approved_and_denied: has("Approved") && has("Denied"),
            resetting_certificate: beta,
            legacy_signer: beta
                || old.is_some_and(|o| {
                    o.pointer("/spec/signerName").and_then(Value::as_str) == Some(LEGACY_UNKNOWN)
                }),
            duplicate_conditions: beta || old_types_duplicate,
            empty_condition_type: beta
                || old_conditions.iter().any(|c| condition_type(c).is_empty()),
            arbitrary_certificate: beta
                || (old.is_some()
                    && bytes(new, "/status/certificate").unwrap_or_default()
                        == old_certificate.clone().unwrap_or_default())
                || old_certificate.is_some_and(|c| validate_certificate(&c).is_some()),
            unknown_usages: beta || old_usages.iter().any(|u| !USAGES.contains(&u.as_str())),
            duplicate_usages: beta || old_usages_duplicate,
            ..Options::default()
        }
    }
}

/// `validateCertificate`: `None` if the PEM data holds only certificates (or nothing).
fn validate_certificate(pem: &[u8]) -> Option<String> {
    if pem.is_empty() {
        return None;
    }
    let mut blocks = 0;
    for block in x509_parser::pem::Pem::iter_from_buffer(pem) {
        let Ok(block) = block else { break };
        if block.label != "CERTIFICATE" {
            return Some(format!(
                "only CERTIFICATE PEM blocks are allowed, found {:?}",
                block.label
            ));
        }
        blocks += 1;
        if x509_parser::parse_x509_certificate(&block.contents).is_err() {
            return Some("x509: malformed certificate".into());
        }
    }
    (blocks == 0).then(|| "must contain at least one CERTIFICATE PEM block".into())
}

/// `ValidateCertificateSigningRequestSignerName`.
fn validate_signer_name(signer: &str, errs: &mut Vec<Cause>) {
    let field = "spec.signerName";
    if signer.is_empty() {
        errs.push(Cause::required_because(
            field,
            "signerName must be provided",
        ));
        return;
    }
    let segments: Vec<&str> = signer.split('/').collect();
    let [domain, path] = segments[..] else {
        errs.push(Cause::invalid(
            field,
            &json!(signer),
            "must be a fully qualified domain and path of the form 'example.com/signer-name'",
        ));
        return;
    };
    if domain.len() > 253 {
        errs.push(too_long(field, 253));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if let Some((label, why)) = labels
        .iter()
        .find_map(|l| dns1123_label(l).map(|why| (l, why)))
    {
        errs.push(Cause::invalid(
            field,
            &json!(domain),
            &format!("validating label {label:?}: {why}"),
        ));
    }
    if labels.len() < 2 {
        errs.push(Cause::invalid(
            field,
            &json!(domain),
            "should be a domain with at least two segments separated by dots",
        ));
    }
    if let Some((label, why)) = path
        .split('.')
        .find_map(|l| dns1123_subdomain(l).map(|why| (l, why)))
    {
        errs.push(Cause::invalid(
            field,
            &json!(path),
            &format!("validating label {label:?}: {why}"),
        ));
    }
    let max = 253 + (253 + 63 + 1) + 1;
    if signer.len() > max {
        errs.push(too_long(field, max));
    }
}

fn too_long(field: &str, max: usize) -> Cause {
    Cause {
        reason: "FieldValueTooLong",
        message: format!("Too long: must have at most {max} bytes"),
        field: field.into(),
    }
}

/// `validateCertificateSigningRequest` (after the object metadata's).
fn validate(obj: &Value, opts: &Options) -> Vec<Cause> {
    let mut errs = Vec::new();
    let request = bytes(obj, "/spec/request");
    if let Err(why) = parse_csr(request.as_deref().unwrap_or_default(), true) {
        errs.push(Cause::invalid_shown(
            "spec.request",
            &crate::server::go_value::go_bytes(request.as_deref()),
            &why,
        ));
    }
    let usages = strings(obj.pointer("/spec/usages"));
    if usages.is_empty() {
        errs.push(Cause::required_because(
            "spec.usages",
            "usages must be provided",
        ));
    }
    if !opts.unknown_usages {
        for (i, u) in usages.iter().enumerate() {
            if !USAGES.contains(&u.as_str()) {
                errs.push(Cause::not_supported(
                    format!("spec.usages[{i}]"),
                    &json!(u),
                    USAGES,
                ));
            }
        }
    }
    if !opts.duplicate_usages {
        for (i, u) in usages.iter().enumerate() {
            if usages[..i].contains(u) {
                errs.push(Cause::duplicate(format!("spec.usages[{i}]"), &json!(u)));
            }
        }
    }
    let signer = obj
        .pointer("/spec/signerName")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !opts.legacy_signer && signer == LEGACY_UNKNOWN {
        errs.push(Cause::invalid(
            "spec.signerName",
            &json!(signer),
            "the legacy signerName is not allowed via this API version",
        ));
    } else {
        validate_signer_name(signer, &mut errs);
    }
    validate_conditions(obj, opts, &mut errs);
    if !opts.arbitrary_certificate
        && let Some(why) = bytes(obj, "/status/certificate").and_then(|c| validate_certificate(&c))
    {
        errs.push(Cause::invalid(
            "status.certificate",
            &json!("<certificate data>"),
            &why,
        ));
    }
    errs
}

/// `validateConditions`.
fn validate_conditions(obj: &Value, opts: &Options, errs: &mut Vec<Cause>) {
    let (mut approved, mut denied) = (false, false);
    let mut seen: Vec<&str> = Vec::new();
    for (i, c) in conditions(obj).iter().enumerate() {
        let at = format!("status.conditions[{i}]");
        let ty = condition_type(c);
        if !opts.empty_condition_type && ty.is_empty() {
            errs.push(Cause::required(format!("{at}.type")));
        }
        let status = c.get("status").and_then(Value::as_str).unwrap_or("");
        let allowed: &[&str] = if matches!(ty, "Approved" | "Denied" | "Failed") {
            &["True"]
        } else {
            &["False", "True", "Unknown"]
        };
        if status.is_empty() {
            errs.push(Cause::required(format!("{at}.status")));
        } else if !allowed.contains(&status) {
            errs.push(Cause::not_supported(
                format!("{at}.status"),
                &json!(status),
                allowed,
            ));
        }
        if !opts.both_approved_and_denied {
            let exclusive = match ty {
                "Approved" => {
                    approved = true;
                    denied
                }
                "Denied" => {
                    denied = true;
                    approved
                }
                _ => false,
            };
            if exclusive {
                errs.push(Cause::invalid(
                    format!("{at}.type"),
                    &json!(ty),
                    "Approved and Denied conditions are mutually exclusive",
                ));
            }
        }
        if !opts.duplicate_conditions {
            if seen.contains(&ty) {
                errs.push(Cause::duplicate(format!("{at}.type"), &json!(ty)));
            }
            seen.push(ty);
        }
    }
}

/// `validateCertificateSigningRequestUpdate` (the object metadata's update rules are the
/// registry's).
fn validate_update(new: &Value, old: &Value, opts: &Options) -> Vec<Cause> {
    let mut errs = validate(new, opts);
    let count = |obj: &Value, t: &str| {
        conditions(obj)
            .iter()
            .filter(|c| condition_type(c) == t)
            .count()
    };
    for t in ["Approved", "Denied", "Failed"] {
        if count(new, t) < count(old, t) {
            errs.push(Cause::forbidden(
                "status.conditions",
                format!("updates may not remove a condition of type {t:?}"),
            ));
        }
    }
    if !opts.setting_approval {
        for t in ["Approved", "Denied"] {
            if count(new, t) > count(old, t) {
                errs.push(Cause::forbidden(
                    "status.conditions",
                    format!("updates may not add a condition of type {t:?}"),
                ));
            }
        }
    }
    let (new_cert, old_cert) = (
        bytes(new, "/status/certificate").unwrap_or_default(),
        bytes(old, "/status/certificate").unwrap_or_default(),
    );
    if new_cert != old_cert {
        if !opts.setting_certificate {
            errs.push(Cause::forbidden(
                "status.certificate",
                "updates may not set certificate content",
            ));
        } else if !opts.resetting_certificate && !old_cert.is_empty() {
            errs.push(Cause::forbidden(
                "status.certificate",
                "updates may not modify existing certificate content",
            ));
        }
    }
    errs
}

/// `populateConditionTimestamps`: a condition's update time is now unless given; its transition
/// time that of the old condition of the same type and status, else now.
fn populate_condition_timestamps(new: &mut Value, old: &Value) {
    let now = super::now();
    let old_conditions = conditions(old).to_vec();
    let Some(list) = new
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    let unset = |c: &Value, k: &str| c.get(k).is_none_or(|v| v.is_null() || v == "");
    for c in list.iter_mut().filter(|c| c.is_object()) {
        if unset(c, "lastUpdateTime") {
            c["lastUpdateTime"] = json!(now);
        }
        if unset(c, "lastTransitionTime") {
            let kept = old_conditions.iter().find(|o| {
                o.get("type") == c.get("type")
                    && o.get("status") == c.get("status")
                    && !unset(o, "lastTransitionTime")
            });
            c["lastTransitionTime"] = kept
                .and_then(|o| o.get("lastTransitionTime").cloned())
                .unwrap_or(json!(now));
        }
    }
}

/// `preserveConditionInstances`: the conditions of type `t` as they were, if as many; whether
/// they were.
fn preserve_conditions(new: &mut Value, old: &Value, t: &str) -> bool {
    let old_of: Vec<Value> = conditions(old)
        .iter()
        .filter(|c| condition_type(c) == t)
        .cloned()
        .collect();
    let Some(list) = new
        .pointer_mut("/status/conditions")
        .and_then(Value::as_array_mut)
    else {
        return old_of.is_empty();
    };
    let at: Vec<usize> = (0..list.len())
        .filter(|&i| condition_type(&list[i]) == t)
        .collect();
    if at.len() != old_of.len() {
        return false;
    }
    for (i, o) in at.into_iter().zip(old_of) {
        list[i] = o;
    }
    true
}

/// The object's status with `conditions` as its conditions (dropped when empty).
fn set_conditions(obj: &mut Value, conditions: Option<Value>) {
    let Some(status) = obj.get_mut("status").and_then(Value::as_object_mut) else {
        if let Some(c) = conditions.filter(|c| c.as_array().is_some_and(|a| !a.is_empty())) {
            obj["status"] = json!({"conditions": c});
        }
        return;
    };
    match conditions {
        Some(c) => {
            status.insert("conditions".into(), c);
        }
        None => {
            status.shift_remove("conditions");
        }
    }
}

impl Strategy for SigningRequest {
    fn default(&self, obj: &mut Value) {
        if !is_v1beta1(obj) {
            return;
        }
        if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
            if spec.get("usages").is_none_or(Value::is_null) {
                spec.insert(
                    "usages".into(),
                    json!(["digital signature", "key encipherment"]),
                );
            }
            if spec.get("signerName").is_none_or(Value::is_null) {
                let request = spec
                    .get("request")
                    .and_then(Value::as_str)
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                    .unwrap_or_default();
                let usages = strings(spec.get("usages"));
                let signer = parse_csr(&request, false)
                    .ok()
                    .and_then(|p| kubelet_signer(&p, &usages))
                    .unwrap_or(LEGACY_UNKNOWN);
                spec.insert("signerName".into(), json!(signer));
            }
        }
        if let Some(list) = obj
            .pointer_mut("/status/conditions")
            .and_then(Value::as_array_mut)
        {
            for c in list.iter_mut().filter(|c| c.is_object()) {
                if c.get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .is_empty()
                {
                    c["status"] = json!("True");
                }
            }
        }
    }
    fn name_rule(&self) -> fn(&str) -> Option<String> {
        |_| None
    }
    fn record_requester(&self, obj: &mut Value, who: &Requester<'_>) {
        let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
            return;
        };
        for k in ["username", "uid", "groups", "extra"] {
            spec.shift_remove(k);
        }
        if !who.name.is_empty() {
            spec.insert("username".into(), json!(who.name));
        }
        if !who.uid.is_empty() {
            spec.insert("uid".into(), json!(who.uid));
        }
        if !who.groups.is_empty() {
            spec.insert("groups".into(), json!(who.groups));
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        obj["status"] = json!({});
    }
    fn prepare_update(&self, new: &mut Value, old: &Value) {
        new["spec"] = old.get("spec").cloned().unwrap_or(Value::Null);
    }
    fn prepare_status_update(&self, new: &mut Value, old: &Value) {
        if is_v1beta1(new) {
            let mut candidate = new.clone();
            let kept = preserve_conditions(&mut candidate, old, "Approved")
                && preserve_conditions(&mut candidate, old, "Denied");
            if kept {
                *new = candidate;
            } else {
                set_conditions(new, old.pointer("/status/conditions").cloned());
            }
        } else {
            preserve_conditions(new, old, "Approved");
            preserve_conditions(new, old, "Denied");
        }
        populate_condition_timestamps(new, old);
    }
    fn prepare_subresource_update(&self, sub: &str, new: &mut Value, old: &Value) {
        if sub != "approval" {
            return;
        }
        populate_condition_timestamps(new, old);
        let conditions = new.pointer("/status/conditions").cloned();
        new["spec"] = old.get("spec").cloned().unwrap_or(Value::Null);
        new["status"] = old.get("status").cloned().unwrap_or(json!({}));
        set_conditions(new, conditions);
    }
    fn validate_create(&self, obj: &Value) -> Vec<Cause> {
        validate(obj, &Options::of(obj, None))
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        validate_update(new, old, &Options::of(new, Some(old)))
    }
    fn validate_status(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let opts = Options {
            setting_certificate: true,
            ..Options::of(new, Some(old))
        };
        validate_update(new, old, &opts)
    }
    fn validate_subresource(&self, sub: &str, new: &Value, old: &Value) -> Vec<Cause> {
        let opts = Options {
            setting_approval: sub == "approval",
            ..Options::of(new, Some(old))
        };
        validate_update(new, old, &opts)
    }
    fn admit_create(&self, obj: &Value) -> Option<String> {
        if obj.pointer("/spec/signerName").and_then(Value::as_str) != Some(KUBE_APISERVER_CLIENT) {
            return None;
        }
        let request = bytes(obj, "/spec/request").unwrap_or_default();
        match parse_csr(&request, false) {
            Err(e) => Some(format!("failed to parse CSR: {e}")),
            Ok(p) if p.organizations.iter().any(|o| o == "system:masters") => Some(format!(
                "use of {KUBE_APISERVER_CLIENT} signer with system:masters group is not allowed"
            )),
            Ok(_) => None,
        }
    }
}
