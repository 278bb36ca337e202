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
    pub body: Vec<u8>,
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
            Some(Recorded {
                status,
                body: trim_trailing_newlines(rbody).to_vec(),
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

    /// The body with every quoted recorded id replaced by the actual one.
    pub fn apply(&self, body: &[u8]) -> Vec<u8> {
        let mut s = String::from_utf8_lossy(body).into_owned();
        if String::from_utf8(body.to_vec()).is_err() {
            return body.to_vec();
        }
        for (from, to) in &self.0 {
            s = s.replace(&format!("\"{from}\""), &format!("\"{to}\""));
        }
        s.into_bytes()
    }
}

/// Replaces the fields that legitimately differ between servers and runs by placeholders, after
/// checking their shape: a malformed uid or timestamp is kept, so the comparison fails on it.
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let n = match (k.as_str(), v) {
                        ("uid", Value::String(s)) if is_uuid(s) => Value::String("<uid>".into()),
                        ("resourceVersion", Value::String(s))
                            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            Value::String("<resourceVersion>".into())
                        }
                        ("creationTimestamp" | "deletionTimestamp" | "time", Value::String(s))
                            if is_rfc3339(s) =>
                        {
                            Value::String("<time>".into())
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
