//! The deprecated kinds of v1.20.2 (`zz_generated.prerelease-lifecycle.go` of each API package:
//! deprecated in a release up to 1.20), with the warning kube-apiserver sends with every answer
//! about them (`Warning: 299 - "…"`).

/// `(group, version, kind, deprecated in, removed in, replacement group/version and kind)`.
type Deprecation = (
    &'static str,
    &'static str,
    &'static str,
    (u32, u32),
    Option<(u32, u32)>,
    Option<(&'static str, &'static str)>,
);

#[rustfmt::skip]
const DEPRECATED: &[Deprecation] = &[
    // Deprecated without a release it goes away in (`k8s.io/api/core/v1`).
    ("", "v1", "ComponentStatus", (1, 19), None, None),
    ("admissionregistration.k8s.io", "v1beta1", "MutatingWebhookConfiguration", (1, 16), Some((1, 22)), Some(("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"))),
    ("admissionregistration.k8s.io", "v1beta1", "ValidatingWebhookConfiguration", (1, 16), Some((1, 22)), Some(("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"))),
    ("authentication.k8s.io", "v1beta1", "TokenReview", (1, 19), Some((1, 22)), Some(("authentication.k8s.io/v1", "TokenReview"))),
    ("authorization.k8s.io", "v1beta1", "LocalSubjectAccessReview", (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "LocalSubjectAccessReview"))),
    ("authorization.k8s.io", "v1beta1", "SelfSubjectAccessReview", (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "SelfSubjectAccessReview"))),
    ("authorization.k8s.io", "v1beta1", "SelfSubjectRulesReview", (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "SelfSubjectRulesReview"))),
    ("authorization.k8s.io", "v1beta1", "SubjectAccessReview", (1, 19), Some((1, 22)), Some(("authorization.k8s.io/v1", "SubjectAccessReview"))),
    ("certificates.k8s.io", "v1beta1", "CertificateSigningRequest", (1, 19), Some((1, 22)), Some(("certificates.k8s.io/v1", "CertificateSigningRequest"))),
    ("coordination.k8s.io", "v1beta1", "Lease", (1, 19), Some((1, 22)), Some(("coordination.k8s.io/v1", "Lease"))),
    ("extensions", "v1beta1", "Ingress", (1, 14), Some((1, 22)), Some(("networking.k8s.io/v1", "Ingress"))),
    ("networking.k8s.io", "v1beta1", "Ingress", (1, 19), Some((1, 22)), Some(("networking.k8s.io/v1", "Ingress"))),
    // The replacement is as v1.20.2 names it.
    ("networking.k8s.io", "v1beta1", "IngressClass", (1, 19), Some((1, 22)), Some(("networking.k8s.io/v1", "IngressClassList"))),
    ("rbac.authorization.k8s.io", "v1beta1", "ClusterRole", (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "ClusterRole"))),
    ("rbac.authorization.k8s.io", "v1beta1", "ClusterRoleBinding", (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"))),
    ("rbac.authorization.k8s.io", "v1beta1", "Role", (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "Role"))),
    ("rbac.authorization.k8s.io", "v1beta1", "RoleBinding", (1, 17), Some((1, 22)), Some(("rbac.authorization.k8s.io/v1", "RoleBinding"))),
    ("scheduling.k8s.io", "v1beta1", "PriorityClass", (1, 14), Some((1, 22)), Some(("scheduling.k8s.io/v1", "PriorityClass"))),
    ("storage.k8s.io", "v1beta1", "CSIDriver", (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "CSIDriver"))),
    ("storage.k8s.io", "v1beta1", "CSINode", (1, 17), Some((1, 22)), Some(("storage.k8s.io/v1", "CSINode"))),
    ("storage.k8s.io", "v1beta1", "StorageClass", (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "StorageClass"))),
    ("storage.k8s.io", "v1beta1", "VolumeAttachment", (1, 19), Some((1, 22)), Some(("storage.k8s.io/v1", "VolumeAttachment"))),
    ("flowcontrol.apiserver.k8s.io", "v1alpha1", "FlowSchema", (1, 20), Some((1, 21)), Some(("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"))),
    ("flowcontrol.apiserver.k8s.io", "v1alpha1", "PriorityLevelConfiguration", (1, 20), Some((1, 21)), Some(("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration"))),
];

/// The text of the `Warning` header v1.20.2 sends with an answer about `kind` of a
/// group-version, if the kind is deprecated: `299 - "extensions/v1beta1 Ingress is deprecated in
/// v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress"`.
pub fn deprecation_warning(group: &str, version: &str, kind: &str) -> Option<String> {
    let &(g, v, k, (dma, dmi), removed, replacement) = DEPRECATED
        .iter()
        .find(|(g, v, k, ..)| *g == group && *v == version && *k == kind)?;
    let mut msg = format!(
        "{} {k} is deprecated in v{dma}.{dmi}+",
        super::join_api_version(g, v)
    );
    if let Some((rma, rmi)) = removed {
        msg.push_str(&format!(", unavailable in v{rma}.{rmi}+"));
    }
    if let Some((gv, rk)) = replacement {
        msg.push_str(&format!("; use {gv} {rk}"));
    }
    Some(format!("299 - {msg:?}"))
}
