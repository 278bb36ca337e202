//! `watch=true` (and the `/watch/` paths): a stream of `ADDED`, `MODIFIED` and `DELETED` events of
//! a resource, in a namespace or across namespaces, or of one object, from a resourceVersion (or
//! the current objects first), filtered by the label and field selectors as the real server's
//! watch cache does, until `timeoutSeconds`; as Tables when the client asks for them (the column
//! definitions in the first event only).

use super::{App, Req, Selector, encode_body, parse_selector};
use crate::server::status::ApiError;
use crate::server::store::{EVENT_HISTORY, Event, EventType};
use crate::server::table::{self, Include};
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// What a watch asks for.
pub(super) struct WatchRequest<'a> {
    pub resource: &'static str,
    pub kind: &'static str,
    /// The schema type of the objects and the version they are sent in.
    pub ty: &'static str,
    pub api_version: &'static str,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub resource_version: Option<&'a str>,
    pub timeout: Option<u64>,
    pub table: bool,
    pub include: Include,
    /// `allowWatchBookmarks`: one `BOOKMARK` two seconds before the watch ends, as the watch
    /// cache sends it.
    pub bookmarks: bool,
}

/// The kube-apiserver default when a watch names no timeout (`--min-request-timeout`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

struct Stream {
    pending: VecDeque<Arc<Event>>,
    rx: broadcast::Receiver<Arc<Event>>,
    deadline: Instant,
    bookmark_at: Option<Instant>,
    /// The newest revision the watch knows of (of any event, also of those it filters out).
    latest: u64,
    w: Filter,
    first: bool,
}

struct Filter {
    resource: &'static str,
    kind: &'static str,
    ty: &'static str,
    api_version: &'static str,
    namespace: Option<String>,
    name: Option<String>,
    selector: Selector,
    table: bool,
    include: Include,
}

impl Filter {
    fn concerns(&self, obj: &Value) -> bool {
        let meta = |k: &str| {
            obj.pointer(&format!("/metadata/{k}"))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        self.namespace
            .as_deref()
            .is_none_or(|ns| ns == meta("namespace"))
            && self.name.as_deref().is_none_or(|n| n == meta("name"))
            && self.selector.matches(obj)
    }

    /// The event a watcher with these filters sees, if any (the watch cache's rules: a change
    /// into the selection is an addition, out of it a deletion).
    fn view(&self, e: &Event) -> Option<(EventType, Arc<Value>)> {
        if e.resource != self.resource {
            return None;
        }
        let now = self.concerns(&e.object);
        let before = e.previous.as_ref().is_some_and(|p| self.concerns(p));
        match (e.kind, before, now) {
            (EventType::Added, _, true) => Some((EventType::Added, e.object.clone())),
            (EventType::Modified, true, true) => Some((EventType::Modified, e.object.clone())),
            (EventType::Modified, false, true) => Some((EventType::Added, e.object.clone())),
            (EventType::Modified, true, false) => {
                let mut gone = e.previous.as_deref().cloned().unwrap_or(Value::Null);
                if let Some(m) = gone.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.insert("resourceVersion".into(), json!(e.revision.to_string()));
                }
                Some((EventType::Deleted, Arc::new(gone)))
            }
            (EventType::Deleted, b, n) if b || n => Some((EventType::Deleted, e.object.clone())),
            _ => None,
        }
    }

    /// A `BOOKMARK`: an empty object of the kind at the newest revision.
    fn bookmark(&self, revision: u64) -> Bytes {
        let obj = json!({"kind": self.kind, "apiVersion": self.api_version,
                         "metadata": {"resourceVersion": revision.to_string()}});
        let object = trimmed(encode_body(self.ty, &obj, false));
        let mut out = Vec::with_capacity(object.len() + 32);
        out.extend_from_slice(br#"{"type":"BOOKMARK","object":"#);
        out.extend_from_slice(&object);
        out.extend_from_slice(b"}\n");
        Bytes::from(out)
    }

    /// One event as its line of the stream.
    fn line(&self, kind: EventType, obj: &Value, first: &mut bool) -> Bytes {
        let object = if self.table {
            let rv = obj
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("");
            match table::table(self.resource, &[obj], rv, self.include) {
                Some(mut t) => {
                    if !*first {
                        t["columnDefinitions"] = Value::Null;
                    }
                    *first = false;
                    serde_json::to_vec(&t).unwrap_or_default()
                }
                None => trimmed(encode_body(self.ty, obj, false)),
            }
        } else {
            trimmed(encode_body(self.ty, obj, false))
        };
        let mut out = Vec::with_capacity(object.len() + 32);
        out.extend_from_slice(br#"{"type":""#);
        out.extend_from_slice(kind.name().as_bytes());
        out.extend_from_slice(br#"","object":"#);
        out.extend_from_slice(&object);
        out.extend_from_slice(b"}\n");
        Bytes::from(out)
    }
}

fn trimmed(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&b'\n') {
        v.pop();
    }
    v
}

/// Starts a watch: the events to send first are taken, and the subscription made, under the
/// store's lock, so that none is missed or sent twice.
pub(super) fn serve(app: &App, req: &Req, w: WatchRequest<'_>) -> Response {
    let selector = match parse_selector(req, w.kind) {
        Ok(s) => s,
        Err(e) => return super::error_response(&e, req.pretty),
    };
    let filter = Filter {
        resource: w.resource,
        kind: w.kind,
        ty: w.ty,
        api_version: w.api_version,
        namespace: w.namespace,
        name: w.name,
        selector,
        table: w.table,
        include: w.include,
    };
    let store = app.store();
    let mut pending = VecDeque::new();
    match w.resource_version.filter(|rv| !rv.is_empty() && *rv != "0") {
        None => {
            // The current objects, as additions, in the order of a list.
            let mut current: Vec<&Arc<Value>> = store
                .objects
                .iter()
                .filter(|((res, _, _), _)| *res == w.resource)
                .map(|(_, s)| &s.obj)
                .collect();
            current.retain(|o| filter.concerns(o));
            for o in current {
                pending.push_back(Arc::new(Event {
                    revision: 0,
                    kind: EventType::Added,
                    resource: w.resource,
                    object: o.clone(),
                    previous: None,
                }));
            }
        }
        Some(rv) => {
            let Ok(from) = rv.parse::<u64>() else {
                let e = ApiError::bad_request(format!(
                    "resourceVersion: Invalid value: \"{rv}\": strconv.ParseUint: parsing \"{rv}\": invalid syntax"
                ));
                return super::error_response(&e, req.pretty);
            };
            let oldest = store.history.front().map(|e| e.revision);
            let truncated = store.history.len() == EVENT_HISTORY;
            if truncated && oldest.is_some_and(|o| from + 1 < o) {
                let status = json!({
                    "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": format!("too old resource version: {from} ({})", oldest.unwrap_or(0) - 1),
                    "reason": "Expired", "code": 410
                });
                let line = format!(
                    "{{\"type\":\"ERROR\",\"object\":{}}}\n",
                    serde_json::to_string(&status).unwrap_or_default()
                );
                return stream_response(Body::from(line));
            }
            pending.extend(store.history.iter().filter(|e| e.revision > from).cloned());
        }
    }
    let rx = store.events.subscribe();
    let latest = store.revision().parse().unwrap_or(0);
    drop(store);
    let timeout = w
        .timeout
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT);
    let deadline = Instant::now() + timeout;
    let bookmark_at = (w.bookmarks && timeout > Duration::from_secs(2))
        .then(|| deadline - Duration::from_secs(2));
    let state = Stream {
        pending,
        rx,
        deadline,
        bookmark_at,
        latest,
        w: filter,
        first: true,
    };
    let stream = futures_util::stream::unfold(state, |mut st| async move {
        loop {
            let event = match st.pending.pop_front() {
                Some(e) => e,
                None => {
                    let until = st.bookmark_at.unwrap_or(st.deadline).min(st.deadline);
                    let left = until.saturating_duration_since(Instant::now());
                    match tokio::time::timeout(left, st.rx.recv()).await {
                        Ok(Ok(e)) => e,
                        Err(_) if st.bookmark_at.is_some() => {
                            st.bookmark_at = None;
                            let line = st.w.bookmark(st.latest);
                            return Some((Ok::<Bytes, std::io::Error>(line), st));
                        }
                        // Timed out, the server stopping, or a watcher too slow to keep up: the
                        // stream ends (a client lists and watches again).
                        _ => return None,
                    }
                }
            };
            st.latest = st.latest.max(event.revision);
            if let Some((kind, obj)) = st.w.view(&event) {
                let mut first = st.first;
                let line = st.w.line(kind, &obj, &mut first);
                st.first = first;
                return Some((Ok::<Bytes, std::io::Error>(line), st));
            }
        }
    });
    stream_response(Body::from_stream(stream))
}

fn stream_response(body: Body) -> Response {
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    resp
}
