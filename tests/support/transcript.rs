//! Raw HTTP exchanges recorded from a real kube-apiserver (`=== REQUEST ===` / `=== RESPONSE ===`
//! files), and how to replay and compare them.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One recorded exchange.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub name: String,
    pub method: String,
    /// Path and query, e.g. `/api/v1/namespaces/x/pods?pretty=true`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub response: Option<Recorded>,
}

/// The recorded response.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub status: u16,
    /// The body, trailing newlines removed (what the JSON comparisons use).
    pub body: Vec<u8>,
    /// The body exactly as the server sent it: the stored text minus the one newline the recorder
    /// appended (or as long as the response's Content-Length says). Compact answers end in the
    /// newline of Go's `json.Encoder`, pretty ones do not.
    pub raw_body: Vec<u8>,
    /// The response headers as recorded (which ones depends on the recorder: the live test keeps
    /// `Cache-Control`, `Content-Type` and `Warning`).
    pub headers: Vec<(String, String)>,
}

impl Recorded {
    /// The `Warning` headers, in order.
    pub fn warnings(&self) -> Vec<String> {
        warnings(&self.headers)
    }
}

/// The values of the `Warning` headers of `headers`, in order.
pub fn warnings(headers: &[(String, String)]) -> Vec<String> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("warning"))
        .map(|(_, v)| v.clone())
        .collect()
}

/// Compares the `Warning` headers of exchange `name` (the deprecation warnings of older API
/// versions) with the expected ones: they must be the same, in the same order, but for a known
/// difference in them ([`Allowed::Warnings`]).
pub fn warnings_verdict(name: &str, expected: &[String], actual: &[String]) -> Verdict {
    if expected == actual {
        Verdict::Identical
    } else if allowed(name) == Some(Allowed::Warnings) {
        Verdict::Known
    } else {
        Verdict::Differs(format!("Warning headers {actual:?}, expected {expected:?}"))
    }
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a transcript file (a request part, optionally followed by a response part).
pub fn parse(path: &Path) -> Result<Exchange, String> {
    let raw = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let err = |m: &str| format!("{}: {m}", path.display());
    let req_mark = b"=== REQUEST ===\n";
    let resp_mark = b"\n=== RESPONSE ===\n";
    if !raw.starts_with(req_mark) {
        return Err(err("does not start with `=== REQUEST ===`"));
    }
    let rest = &raw[req_mark.len()..];
    let (req_part, resp_part) = match find(rest, resp_mark) {
        Some(i) => (&rest[..i], Some(&rest[i + resp_mark.len()..])),
        None => (rest, None),
    };
    let (head, body) = split_head(req_part).ok_or_else(|| err("request has no blank line"))?;
    let mut lines = head.lines();
    let request_line = lines.next().ok_or_else(|| err("no request line"))?;
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts
        .next()
        .ok_or_else(|| err("no request target"))?
        .to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": ").or_else(|| l.split_once(':')))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    // The recorder wrote the body followed by a newline; Content-Length says how much is the body.
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    let body = match len {
        Some(n) if n <= body.len() => body[..n].to_vec(),
        _ => trim_trailing_newlines(body).to_vec(),
    };
    let response = match resp_part {
        None => None,
        Some(r) => {
            let (rhead, rbody) = split_head(r).ok_or_else(|| err("response has no blank line"))?;
            let status_line = rhead.lines().next().unwrap_or_default();
            let status = status_line
                .split(' ')
                .nth(1)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| err("bad status line"))?;
            let rheaders: Vec<(String, String)> = rhead
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.to_string(), v.trim_start().to_string()))
                .collect();
            let rlen = rheaders
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok());
            let raw_body = match rlen {
                Some(n) if n <= rbody.len() => &rbody[..n],
                _ => rbody.strip_suffix(b"\n").unwrap_or(rbody),
            };
            Some(Recorded {
                status,
                body: trim_trailing_newlines(rbody).to_vec(),
                raw_body: raw_body.to_vec(),
                headers: rheaders,
            })
        }
    };
    Ok(Exchange {
        name,
        method,
        path: target,
        headers,
        body,
        response,
    })
}

/// Writes an exchange in the same format.
pub fn write(
    path: &Path,
    ex: &Exchange,
    status_line: &str,
    resp_headers: &[(String, String)],
    resp_body: &[u8],
) -> std::io::Result<()> {
    let mut out = Vec::new();
    out.extend_from_slice(b"=== REQUEST ===\n");
    out.extend_from_slice(format!("{} {} HTTP/1.1\n", ex.method, ex.path).as_bytes());
    for (k, v) in &ex.headers {
        out.extend_from_slice(format!("{k}: {v}\n").as_bytes());
    }
    out.extend_from_slice(b"\n");
    out.extend_from_slice(&ex.body);
    out.extend_from_slice(b"\n\n=== RESPONSE ===\n");
    out.extend_from_slice(format!("{status_line}\n").as_bytes());
    for (k, v) in resp_headers {
        out.extend_from_slice(format!("{k}: {v}\n").as_bytes());
    }
    out.extend_from_slice(b"\n");
    out.extend_from_slice(resp_body);
    out.extend_from_slice(b"\n");
    std::fs::write(path, out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn split_head(part: &[u8]) -> Option<(String, &[u8])> {
    let i = find(part, b"\n\n")?;
    Some((
        String::from_utf8_lossy(&part[..i]).into_owned(),
        &part[i + 2..],
    ))
}

fn trim_trailing_newlines(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && b[end - 1] == b'\n' {
        end -= 1;
    }
    &b[..end]
}

/// The transcripts of a directory, in name order (which is the recorded order).
pub fn load_dir(dir: &Path) -> Result<Vec<Exchange>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files.iter().map(|p| parse(p)).collect()
}

/// Values that differ between two servers for the same object (uids, resourceVersions), mapped from
/// the recorded server's to the replaying server's, so that recorded request bodies can be replayed.
#[derive(Default, Debug)]
pub struct IdMap(HashMap<String, String>);

impl IdMap {
    /// Learns the pairs found at the same places in a recorded and an actual response.
    pub fn learn(&mut self, recorded: &Value, actual: &Value) {
        match (recorded, actual) {
            (Value::Object(r), Value::Object(a)) => {
                for (k, rv) in r {
                    if let Some(av) = a.get(k) {
                        if matches!(k.as_str(), "uid" | "resourceVersion")
                            && let (Some(rs), Some(as_)) = (rv.as_str(), av.as_str())
                            && !rs.is_empty()
                        {
                            self.0.insert(rs.to_string(), as_.to_string());
                        } else {
                            self.learn(rv, av);
                        }
                    }
                }
            }
            (Value::Array(r), Value::Array(a)) => {
                for (rv, av) in r.iter().zip(a) {
                    self.learn(rv, av);
                }
            }
            _ => {}
        }
    }

    /// The body with every quoted recorded id replaced by the actual one, in one pass: an actual
    /// id that is also a recorded one (a later resourceVersion of the recording) is not replaced
    /// again.
    pub fn apply(&self, body: &[u8]) -> Vec<u8> {
        let Ok(s) = std::str::from_utf8(body) else {
            return body.to_vec();
        };
        static QUOTED: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new(r#""((?:[^"\\]|\\.)*)""#).unwrap());
        QUOTED
            .replace_all(s, |c: &regex::Captures| match self.0.get(&c[1]) {
                Some(to) => format!("\"{to}\""),
                None => c[0].to_string(),
            })
            .into_owned()
            .into_bytes()
    }
}

/// Replaces the fields that legitimately differ between servers and runs by placeholders, after
/// checking their shape: a malformed uid or timestamp is kept, so the comparison fails on it. A
/// Job's generated `controller-uid` label (and selector) is its uid; a `message` keeps its text,
/// but for the uids and Go pointers it quotes (validation messages print Go values: a
/// generated selector, `(*intstr.IntOrString)(0xc006522580)`); managedFields entries are put in
/// one order (see below).
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let n = match (k.as_str(), v) {
                        ("uid" | "controller-uid", Value::String(s)) if is_uuid(s) => {
                            Value::String("<uid>".into())
                        }
                        ("message", Value::String(s)) => Value::String(normalize_message(s)),
                        ("resourceVersion", Value::String(s)) if is_digits(s) => {
                            Value::String("<resourceVersion>".into())
                        }
                        (
                            "creationTimestamp" | "deletionTimestamp" | "time"
                            | "lastTransitionTime" | "lastUpdateTime",
                            Value::String(s),
                        ) if is_rfc3339(s) => Value::String("<time>".into()),
                        ("managedFields", Value::Array(entries)) => {
                            // The field manager orders its entries by operation, then by time
                            // (in seconds), then by manager: with the times gone, the order of
                            // two managers that wrote in different seconds on one server and in
                            // the same on the other is not the servers' to agree on.
                            let mut entries: Vec<Value> = entries.iter().map(normalize).collect();
                            entries.sort_by(|a, b| {
                                let key = |e: &Value| {
                                    (e["operation"].to_string(), e["manager"].to_string())
                                };
                                key(a).cmp(&key(b))
                            });
                            Value::Array(entries)
                        }
                        _ => normalize(v),
                    };
                    (k.clone(), n)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

/// `message` with each uid it quotes replaced by `<uid>` and each Go pointer (`0xc` and hex
/// digits) by `0x<pointer>`.
pub fn normalize_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_hexdigit() && rest.get(..36).is_some_and(is_uuid) {
            out.push_str("<uid>");
            rest = &rest[36..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("0xc") {
            let digits = after.bytes().take_while(u8::is_ascii_hexdigit).count();
            if digits >= 6 {
                out.push_str("0x<pointer>");
                rest = &after[digits..];
                continue;
            }
        }
        // Skip a whole word of hex digits and letters, so that a uid is found at its start only.
        let word = rest
            .bytes()
            .take_while(u8::is_ascii_alphanumeric)
            .count()
            .max(c.len_utf8());
        out.push_str(&rest[..word]);
        rest = &rest[word..];
    }
    out
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
}

/// A body as comparable JSON: normalised, serialised with its key order (order is part of the
/// contract of a faithful server), or the raw text if it is not JSON.
pub fn comparable(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => serde_json::to_string_pretty(&normalize(&v)).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

/// The first lines where two texts differ, for a failure message.
pub fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1);
        }
    }
    format!(
        "length differs: expected {} lines, actual {}",
        expected.lines().count(),
        actual.lines().count()
    )
}

/// What a known difference may differ in; everything else must still be identical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// The `message` texts (the top-level one and those of `details.causes`): code, status,
    /// reason, details (causes' reason and field included) and the rest of the body are compared.
    Messages,
    /// The `Warning` headers: the reference server does not send the real server's (yet). The body
    /// is compared in full.
    Warnings,
}

/// Exchanges whose answer is known to differ from the real server's, in what, and why.
pub const KNOWN_DIFFERENCES: &[(&str, Allowed, &str)] = &[
    (
        "15-patch-immutable-restartpolicy",
        Allowed::Messages,
        CMP_DIFF,
    ),
    ("37-smp-env-merge", Allowed::Messages, CMP_DIFF),
    (
        "64-put-pod-change-restart-policy",
        Allowed::Messages,
        CMP_DIFF,
    ),
    (
        "52-merge-patch-wrong-type",
        Allowed::Messages,
        "the message quotes json-iterator's decoder context (`error found in #10 byte of ...|...|`), \
         and Go's partially re-marshalled patched document; the reference server quotes the whole \
         document with sorted keys and no decoder context",
    ),
];

const CMP_DIFF: &str = "the message embeds Go's cmp.Diff of the internal core.PodSpec; the reference \
                        server renders its own, shorter diff of the v1 fields";

/// Exchanges whose point is the layout of the body (`?pretty=true`, a compact answer for a
/// non-curl client, `?pretty=false`): besides the JSON comparison, their bytes are compared as
/// sent, after [`normalize_text`], so that a change of indentation or of the trailing newline fails.
pub const BYTE_EXACT: &[&str] = &[
    "16-get-pod-pretty",
    "65-get-pod-compact",
    "66-get-pod-pretty-false",
];

/// The reason a known difference is allowed, if `name` is one.
pub fn known_difference(name: &str) -> Option<&'static str> {
    KNOWN_DIFFERENCES
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(.., why)| *why)
}

/// What the known difference `name` may differ in, if it is one.
pub fn allowed(name: &str) -> Option<Allowed> {
    KNOWN_DIFFERENCES
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, allowed, _)| *allowed)
}

/// How an answer compares with the recorded (or real) one.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Same body (and, for [`BYTE_EXACT`] exchanges, same bytes).
    Identical,
    /// A [`KNOWN_DIFFERENCES`] entry that differs in what it may ([`Allowed`]) and nothing else.
    Known,
    /// Anything else; where the first difference is.
    Differs(String),
}

/// Compares the body `actual` of exchange `name` with the `expected` one. Both are the bodies as
/// sent (see [`Recorded::raw_body`]).
pub fn verdict(name: &str, expected: &[u8], actual: &[u8]) -> Verdict {
    let (want, got) = (comparable(expected), comparable(actual));
    if want != got {
        if allowed(name) == Some(Allowed::Messages) {
            let (want, got) = (without_messages(expected), without_messages(actual));
            if want == got {
                return Verdict::Known;
            }
            return Verdict::Differs(format!(
                "(apart from the messages) {}",
                first_difference(&want, &got)
            ));
        }
        return Verdict::Differs(first_difference(&want, &got));
    }
    if BYTE_EXACT.contains(&name) {
        let (want, got) = (normalize_text(expected), normalize_text(actual));
        if want != got {
            return Verdict::Differs(format!("bytes: {}", first_byte_difference(&want, &got)));
        }
    }
    Verdict::Identical
}

/// The body as comparable JSON like [`comparable`], with the top-level `message` and every
/// `details.causes[].message` replaced by a placeholder.
pub fn without_messages(body: &[u8]) -> String {
    let Ok(mut v) = serde_json::from_slice::<Value>(body) else {
        return String::from_utf8_lossy(body).into_owned();
    };
    let placeholder = |m: &mut Value| {
        if m.is_string() {
            *m = Value::String("<message>".into());
        }
    };
    if let Some(m) = v.get_mut("message") {
        placeholder(m);
    }
    if let Some(causes) = v
        .pointer_mut("/details/causes")
        .and_then(Value::as_array_mut)
    {
        for c in causes {
            if let Some(m) = c.get_mut("message") {
                placeholder(m);
            }
        }
    }
    serde_json::to_string_pretty(&normalize(&v)).unwrap_or_default()
}

/// The body as text with the same values as in [`normalize`] replaced by placeholders in place
/// (`"uid": "<uid>"`), every other byte (whitespace, key order, escapes, trailing newline) kept.
pub fn normalize_text(body: &[u8]) -> String {
    /// A key, its placeholder, and the shape its value must have to be replaced.
    type Normalised = (&'static str, &'static str, fn(&str) -> bool);
    const KEYS: &[Normalised] = &[
        ("uid", "<uid>", is_uuid),
        ("controller-uid", "<uid>", is_uuid),
        ("resourceVersion", "<resourceVersion>", is_digits),
        ("creationTimestamp", "<time>", is_rfc3339),
        ("deletionTimestamp", "<time>", is_rfc3339),
        ("time", "<time>", is_rfc3339),
        ("lastTransitionTime", "<time>", is_rfc3339),
        ("lastUpdateTime", "<time>", is_rfc3339),
    ];
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    'scan: while let Some(i) = rest.find('"') {
        for (key, placeholder, shape) in KEYS {
            let Some(after) = rest[i + 1..]
                .strip_prefix(key)
                .and_then(|r| r.strip_prefix('"'))
            else {
                continue;
            };
            let Some(value) = after
                .trim_start_matches([' ', '\n', '\t', '\r'])
                .strip_prefix(':')
                .map(|r| r.trim_start_matches([' ', '\n', '\t', '\r']))
                .and_then(|r| r.strip_prefix('"'))
            else {
                continue;
            };
            if let Some(end) = value.find('"')
                && shape(&value[..end])
            {
                out.push_str(&rest[..rest.len() - value.len()]);
                out.push_str(placeholder);
                rest = &value[end..];
                continue 'scan;
            }
        }
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}

/// Where two texts first differ, byte-wise, with a little context and whitespace made visible.
pub fn first_byte_difference(expected: &str, actual: &str) -> String {
    let at = expected
        .bytes()
        .zip(actual.bytes())
        .position(|(e, a)| e != a)
        .unwrap_or(expected.len().min(actual.len()));
    let show = |s: &str| {
        let from = at.saturating_sub(30);
        let to = (at + 30).min(s.len());
        format!("{:?}", String::from_utf8_lossy(&s.as_bytes()[from..to]))
    };
    format!(
        "byte {at} (lengths {} and {}):\n  expected: {}\n  actual:   {}",
        expected.len(),
        actual.len(),
        show(expected),
        show(actual)
    )
}
