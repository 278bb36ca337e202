//! The deprecated kinds of v1.20.2 (`zz_generated.prerelease-lifecycle.go` of each API package:
//! deprecated in a release up to 1.20; generated into `deprecated.rs` by `tools/gen_lifecycle.py`),
//! with the warning kube-apiserver sends with every answer about them (`Warning: 299 - "…"`).

/// `(group, version, kind, deprecated in, removed in, replacement group/version and kind)`.
type Deprecation = (
    &'static str,
    &'static str,
    &'static str,
    (u32, u32),
    Option<(u32, u32)>,
    Option<(&'static str, &'static str)>,
);

#[path = "deprecated.rs"]
mod deprecated;
use deprecated::DEPRECATED;

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
