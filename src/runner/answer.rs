//! Reading answers: the body (bounded, credentials blanked out) and transport faults in words, as
//! typed [`CaseError`]s.

use crate::results::{CaseError, ErrorKind};
use std::time::Duration;

/// The most of an answer's body that is read. An answer about the run's own objects is a few KiB;
/// a bigger one is a fault of the target, reported as such instead of filling the memory.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// A request's body as sent, and the answer.
pub(crate) struct Exchange {
    pub sent: Vec<u8>,
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
}

/// Reads an answer's body, at most [`MAX_ANSWER_BYTES`], with the secrets blanked out.
pub(crate) async fn read(
    mut resp: reqwest::Response,
    secrets: &[String],
    timeout: Duration,
) -> Result<Vec<u8>, CaseError> {
    const MIB: usize = 1024 * 1024;
    if let Some(len) = resp.content_length()
        && len > MAX_ANSWER_BYTES as u64
    {
        return Err(CaseError::new(
            ErrorKind::TooLarge,
            format!(
                "the answer is too large: {len} bytes announced, more than the limit of {} MiB; not read",
                MAX_ANSWER_BYTES / MIB
            ),
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| transport(&e, timeout, secrets))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(CaseError::new(
                ErrorKind::TooLarge,
                format!(
                    "the answer is too large: more than the limit of {} MiB; reading stopped",
                    MAX_ANSWER_BYTES / MIB
                ),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(scrub(body, secrets))
}

/// A transport error as a case error: [`ErrorKind::Timeout`] or [`ErrorKind::Transport`], in words
/// ([`describe_within`]), the secrets blanked out.
pub(crate) fn transport(e: &reqwest::Error, timeout: Duration, secrets: &[String]) -> CaseError {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    CaseError::new(kind, scrub_text(describe_within(e, timeout), secrets))
}

/// A transport error in words: timeout, refused or reset connection, TLS, … with its causes.
pub fn describe(e: &reqwest::Error) -> String {
    let mut causes = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push_str(": ");
        causes.push_str(&s.to_string());
        source = s.source();
    }
    let lower = causes.to_ascii_lowercase();
    let kind = if e.is_timeout() {
        "timed out"
    } else if lower.contains("certificate") {
        "TLS: the server's certificate was rejected (trust the CA that signed it with --ca-file or \
         ca_file; --insecure accepts any certificate, for test servers only)"
    } else if lower.contains("corrupt message")
        || lower.contains("invalidcontenttype")
        || lower.contains("handshake")
        || lower.contains("peer is incompatible")
        || lower.contains("alert")
    {
        "TLS handshake failed (is the target an https endpoint?)"
    } else if lower.contains("connection refused") {
        "connection refused"
    } else if lower.contains("connection reset") {
        "connection reset"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "broken answer body"
    } else {
        "request failed"
    };
    format!("{kind}{causes}")
}

/// [`describe`], naming the per-request timeout when it struck.
pub fn describe_within(e: &reqwest::Error, timeout: Duration) -> String {
    let text = describe(e);
    if e.is_timeout() {
        text.replacen(
            "timed out",
            &format!(
                "timed out (no complete answer within the per-request timeout of {})",
                humantime::format_duration(timeout)
            ),
            1,
        )
    } else {
        text
    }
}

/// `body` with every occurrence of a secret replaced by `[secret]`.
pub(crate) fn scrub(mut body: Vec<u8>, secrets: &[String]) -> Vec<u8> {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let needle = secret.as_bytes();
        let mut out = Vec::with_capacity(body.len());
        let mut i = 0;
        while i < body.len() {
            if body[i..].starts_with(needle) {
                out.extend_from_slice(b"[secret]");
                i += needle.len();
            } else {
                out.push(body[i]);
                i += 1;
            }
        }
        body = out;
    }
    body
}

/// `text` with every occurrence of a secret replaced by `[secret]`.
pub(crate) fn scrub_text(text: String, secrets: &[String]) -> String {
    if secrets
        .iter()
        .all(|s| s.is_empty() || !text.contains(s.as_str()))
    {
        return text;
    }
    String::from_utf8_lossy(&scrub(text.into_bytes(), secrets)).into_owned()
}

/// The start of a body, for messages.
pub(crate) fn snippet(body: &[u8], chars: usize) -> String {
    String::from_utf8_lossy(body).chars().take(chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_from_answers() {
        let body = br#"{"echo":"Bearer tok-123","again":"tok-123tok-123"}"#.to_vec();
        let out = scrub(body, &["tok-123".to_string(), String::new()]);
        assert_eq!(
            out,
            br#"{"echo":"Bearer [secret]","again":"[secret][secret]"}"#.to_vec()
        );
    }
}
