//! The real server of the live tests (`APICONFORM_ORACLE_URL`, `APICONFORM_ORACLE_TOKEN`).

use apiconform::target::Target;

/// The real server, or `None` (the `test` says it is skipped) when none is set.
pub fn oracle(test: &str) -> Option<Target> {
    let Ok(url) = std::env::var("APICONFORM_ORACLE_URL") else {
        eprintln!(
            "{test}: SKIPPED: APICONFORM_ORACLE_URL is not set (tools/kube-apiserver/start.sh, then APICONFORM_ORACLE_URL=https://127.0.0.1:6443 APICONFORM_ORACLE_TOKEN=conformance-token)"
        );
        return None;
    };
    Some(Target {
        url,
        token: std::env::var("APICONFORM_ORACLE_TOKEN").ok(),
        insecure: true,
        ..Target::default()
    })
}
