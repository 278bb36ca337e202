//! What the live differential tests (`differential.rs`) and the replays of their recordings
//! (`transcripts.rs`) share: sending a transcript's request, comparing an answer with the expected
//! one (status code, body, `Warning` headers), which exchanges the reference server serves (asked
//! of its own discovery), and the per-resource counts they print.

use crate::support::transcript::{self, Exchange, Verdict, verdict, warnings_verdict};
use apiconform::kinds;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};

/// An answer as the tests compare and record it.
pub struct Answer {
    pub status: u16,
    pub status_line: String,
    /// The headers the recordings keep: `Cache-Control`, `Content-Type`, `Warning`.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn warnings(&self) -> Vec<String> {
        transcript::warnings(&self.headers)
    }
}

/// Sends the request of `ex` to `base` + `path` (path and query) with `body`, with the request's
/// headers but `Host`, `Authorization` and `Content-Length` (the client sets its own).
pub async fn send(
    client: &reqwest::Client,
    base: &str,
    ex: &Exchange,
    path: &str,
    body: Vec<u8>,
) -> Answer {
    let mut req = client.request(ex.method.parse().expect("method"), format!("{base}{path}"));
    for (k, v) in &ex.headers {
        if !matches!(
            k.to_ascii_lowercase().as_str(),
            "host" | "authorization" | "content-length"
        ) {
            req = req.header(k, v);
        }
    }
    let resp = req
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", ex.name));
    let status = resp.status();
    let headers = resp
        .headers()
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "content-type" | "cache-control" | "warning"))
        .map(|(k, v)| (title_case(k.as_str()), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = resp.bytes().await.expect("body").to_vec();
    Answer {
        status: status.as_u16(),
        status_line: format!("HTTP/1.1 {status}"),
        headers,
        body,
    }
}

fn title_case(h: &str) -> String {
    h.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// How `actual` compares with the expected answer to exchange `name`: the status code, the body
/// as sent ([`verdict`]), and the `Warning` headers ([`warnings_verdict`]).
pub fn compare(
    name: &str,
    expected_status: u16,
    expected_body: &[u8],
    expected_warnings: &[String],
    actual: &Answer,
) -> Verdict {
    if actual.status != expected_status {
        return Verdict::Differs(format!(
            "status {}, expected {expected_status}",
            actual.status
        ));
    }
    match (
        verdict(name, expected_body, &actual.body),
        warnings_verdict(name, expected_warnings, &actual.warnings()),
    ) {
        (Verdict::Differs(at), _) | (_, Verdict::Differs(at)) => Verdict::Differs(at),
        (Verdict::Identical, Verdict::Identical) => Verdict::Identical,
        _ => Verdict::Known,
    }
}

/// The `reason` of a Status body, if it has one.
pub fn reason(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("reason").cloned())
}

/// What the reference server serves, by its own discovery (`/api/v1`, `/apis` and each
/// group-version it lists), and whether it takes server-side apply patches; and, along a
/// sequence, the objects that only the real server has, because exchanges not served made them.
pub struct Served {
    /// `"v1"`, `"apps/v1"`: the names (`deployments`, `deployments/scale`) its document lists.
    resources: HashMap<String, BTreeSet<String>>,
    apply: bool,
    /// The objects (see [`object_key`]) an exchange not compared created on the real server.
    only_real: HashSet<String>,
}

impl Served {
    /// Asks the server at `base`. Server-side apply is not in discovery: a probe (an apply patch
    /// in a namespace that does not exist, which creates nothing) tells whether the server knows
    /// the media type (`415 Unsupported Media Type` if not).
    pub async fn of(client: &reqwest::Client, base: &str) -> Served {
        let get = |path: String| async move {
            let resp = client.get(format!("{base}{path}")).send().await.ok()?;
            if !resp.status().is_success() {
                return None;
            }
            resp.json::<Value>().await.ok()
        };
        let mut group_versions = vec!["v1".to_string()];
        if let Some(apis) = get("/apis".into()).await {
            group_versions.extend(named_group_versions(&apis));
        }
        let mut resources = HashMap::new();
        for gv in group_versions {
            let path = if gv == "v1" {
                "/api/v1".to_string()
            } else {
                format!("/apis/{gv}")
            };
            if let Some(doc) = get(path).await {
                resources.insert(gv, listed_resources(&doc));
            }
        }
        let probe = client
            .patch(format!(
                "{base}/api/v1/namespaces/apiconform-probe-absent/configmaps/probe?fieldManager=probe"
            ))
            .header("Content-Type", "application/apply-patch+yaml")
            .body("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n")
            .send()
            .await;
        let apply = probe.is_ok_and(|r| r.status().as_u16() != 415);
        Served {
            resources,
            apply,
            only_real: HashSet::new(),
        }
    }

    /// Whether the answers to exchange `ex` are to be compared, the exchanges before it having
    /// been asked in order; `status` and `expected` are the real server's answer. They are, when
    /// the reference serves what it asks ([`Served::serves`]) and it does not address an object
    /// that an exchange not compared made on the real server only (a Deployment created by an
    /// apply patch, while the reference does not take those).
    pub fn covers(&mut self, ex: &Exchange, status: u16, expected: &[u8]) -> bool {
        let key = object_key(ex, expected);
        let covered =
            self.serves(ex, expected) && key.as_ref().is_none_or(|k| !self.only_real.contains(k));
        if let Some(key) = key {
            let made = (200..300).contains(&status) && ex.method != "GET" && ex.method != "DELETE";
            let gone = ex.method == "DELETE"
                && (200..300).contains(&status)
                && serde_json::from_slice::<Value>(expected).is_ok_and(|v| v["kind"] == "Status");
            if covered && made && ex.method == "POST" || gone {
                self.only_real.remove(&key);
            } else if !covered && made {
                self.only_real.insert(key);
            }
        }
        covered
    }

    /// Whether the reference serves what exchange `ex` asks, `expected` being the real server's
    /// answer to it:
    /// - a discovery document, when the reference serves every group-version it names and, for
    ///   a group-version's, every resource it lists;
    /// - a resource (or subresource) the reference's discovery lists;
    /// - one the real server does not serve (a retired version, a missing subresource), when
    ///   the reference serves the group: both must refuse it alike;
    /// - a server-side apply patch, only when the reference takes them.
    pub fn serves(&self, ex: &Exchange, expected: &[u8]) -> bool {
        if is_apply(ex) && !self.apply {
            return false;
        }
        let Some(path) = kinds::parse_path(&ex.path) else {
            return true;
        };
        if path.is_discovery()
            && let Ok(doc) = serde_json::from_slice::<Value>(expected)
        {
            let named = named_group_versions(&doc);
            if !named.is_empty() {
                let listed = listed_resources(&doc);
                return named.iter().all(|gv| {
                    self.resources
                        .get(gv)
                        .is_some_and(|served| listed.is_subset(served))
                });
            }
        }
        let lists = |gv: &str, name: &str| self.resources.get(gv).is_some_and(|r| r.contains(name));
        if let (Some(gv), Some(plural)) = (path.api_version(), path.plural)
            && lists(&gv, &path.endpoint())
            && path.subresource.is_none_or(|_| lists(&gv, plural))
        {
            return true;
        }
        let group_served = self
            .resources
            .keys()
            .any(|gv| kinds::split_api_version(gv).0 == path.group);
        group_served && !path.is_served()
    }
}

/// The object an exchange addresses, whatever the version it is asked through:
/// `deployments/<namespace>/<name>`; for a create, named by the answer.
fn object_key(ex: &Exchange, answer: &[u8]) -> Option<String> {
    let p = kinds::parse_path(&ex.path)?;
    let plural = p.plural?;
    let name = match p.name {
        Some(name) => name.to_string(),
        None if ex.method == "POST" => serde_json::from_slice::<Value>(answer)
            .ok()?
            .pointer("/metadata/name")?
            .as_str()?
            .to_string(),
        None => return None,
    };
    Some(format!(
        "{plural}/{}/{name}",
        p.namespace.unwrap_or_default()
    ))
}

/// Whether the request is a server-side apply patch.
fn is_apply(ex: &Exchange) -> bool {
    ex.header("content-type")
        .is_some_and(|t| t.starts_with("application/apply-patch"))
}

/// The group-versions a discovery document names: each group's versions (`/apis`, `/apis/apps`),
/// its own (`/apis/apps/v1`, `/api/v1`), the core ones (`/api`); none for anything else.
fn named_group_versions(doc: &Value) -> Vec<String> {
    let strings = |v: &Value, key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["groupVersion"].as_str().or(x.as_str()))
            .map(String::from)
            .collect()
    };
    match doc["kind"].as_str() {
        Some("APIGroupList") => doc["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| strings(g, "versions"))
            .collect(),
        Some("APIGroup") => strings(doc, "versions"),
        Some("APIVersions") => strings(doc, "versions"),
        Some("APIResourceList") => doc["groupVersion"]
            .as_str()
            .map(String::from)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The resource names an `APIResourceList` lists (none for other documents).
fn listed_resources(doc: &Value) -> BTreeSet<String> {
    doc["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str().map(String::from))
        .collect()
}

/// The resource an exchange is counted under: `apps/v1 deployments` (subresources under their
/// resource), `discovery` for discovery documents, the path for anything else.
pub fn resource_of(path: &str) -> String {
    match kinds::parse_path(path) {
        Some(p) => match (p.api_version(), p.plural) {
            (Some(gv), Some(plural)) => format!("{gv} {plural}"),
            _ => "discovery".to_string(),
        },
        None => path.split('?').next().unwrap_or_default().to_string(),
    }
}

/// The collection of the objects an exchange addresses, as in the transcript
/// (`/apis/apps/v1/namespaces/conf-smoke/deployments`, `/apis/storage.k8s.io/v1/storageclasses`);
/// `None` for discovery documents and namespaces themselves.
pub fn collection_of(path: &str) -> Option<String> {
    let p = kinds::parse_path(path)?;
    let plural = p.plural?;
    if plural == "namespaces" && p.group.is_empty() {
        return None;
    }
    let base = match p.group {
        "" => format!("/api/{}", p.version?),
        group => format!("/apis/{group}/{}", p.version?),
    };
    Some(match p.namespace {
        Some(ns) => format!("{base}/namespaces/{ns}/{plural}"),
        None => format!("{base}/{plural}"),
    })
}

/// How one exchange came out, for the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Identical (or a known difference, in its messages only).
    Identical,
    Differs,
    /// Of a resource the reference does not serve yet: not compared.
    NotServed,
}

impl From<&Verdict> for Outcome {
    fn from(v: &Verdict) -> Self {
        match v {
            Verdict::Identical | Verdict::Known => Outcome::Identical,
            Verdict::Differs(_) => Outcome::Differs,
        }
    }
}

/// Counts of outcomes per resource, in the order the resources first come.
#[derive(Default)]
pub struct Tally {
    rows: Vec<(String, [usize; 3])>,
}

impl Tally {
    pub fn add(&mut self, resource: &str, outcome: Outcome) {
        let i = match self.rows.iter().position(|(r, _)| r == resource) {
            Some(i) => i,
            None => {
                self.rows.push((resource.to_string(), [0; 3]));
                self.rows.len() - 1
            }
        };
        self.rows[i].1[outcome as usize] += 1;
    }

    pub fn total(&self, outcome: Outcome) -> usize {
        self.rows.iter().map(|(_, c)| c[outcome as usize]).sum()
    }

    /// One line a resource: identical, differs, not served by the reference yet.
    pub fn table(&self) -> String {
        let width = self.rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
        let mut out = format!(
            "  {:width$}  identical  differs  not served by the reference yet\n",
            "resource"
        );
        for (resource, [same, differs, not_served]) in &self.rows {
            out.push_str(&format!(
                "  {resource:width$}  {same:>9}  {differs:>7}  {not_served:>7}\n"
            ));
        }
        out.push_str(&format!(
            "  {:width$}  {:>9}  {:>7}  {:>7}",
            "total",
            self.total(Outcome::Identical),
            self.total(Outcome::Differs),
            self.total(Outcome::NotServed)
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchanges_are_counted_under_their_resource() {
        assert_eq!(
            resource_of("/apis/apps/v1/namespaces/x/deployments/d/scale?pretty=1"),
            "apps/v1 deployments"
        );
        assert_eq!(resource_of("/api/v1/namespaces"), "v1 namespaces");
        assert_eq!(resource_of("/apis/apps"), "discovery");
        assert_eq!(
            collection_of("/apis/apps/v1/namespaces/x/deployments/d/status"),
            Some("/apis/apps/v1/namespaces/x/deployments".into())
        );
        assert_eq!(
            collection_of("/apis/storage.k8s.io/v1/storageclasses/s?x=1"),
            Some("/apis/storage.k8s.io/v1/storageclasses".into())
        );
        assert_eq!(collection_of("/api/v1/namespaces/x"), None);
        assert_eq!(collection_of("/apis/apps/v1"), None);
    }

    fn exchange(method: &str, path: &str, content_type: &str) -> Exchange {
        Exchange {
            name: "x".into(),
            method: method.into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Vec::new(),
            response: None,
        }
    }

    #[test]
    fn what_the_reference_lists_is_compared_and_what_it_made_alone_is_not() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        let mut served = Served {
            resources: HashMap::from([
                ("v1".into(), names(&["configmaps", "namespaces"])),
                (
                    "apps/v1".into(),
                    names(&["deployments", "deployments/scale"]),
                ),
            ]),
            apply: false,
            only_real: HashSet::new(),
        };
        let json = "application/json";
        let ns = "/apis/apps/v1/namespaces/n";
        let created = br#"{"kind":"Deployment","metadata":{"name":"d"}}"#;
        assert!(served.covers(
            &exchange("POST", &format!("{ns}/deployments"), json),
            201,
            created
        ));
        assert!(served.covers(
            &exchange("GET", &format!("{ns}/deployments/d/scale"), json),
            200,
            b"{}"
        ));
        assert!(!served.covers(
            &exchange("GET", &format!("{ns}/replicasets/r"), json),
            200,
            b"{}"
        ));
        // A retired version of a served group, a subresource the real server does not have.
        assert!(served.covers(&exchange("GET", "/apis/apps/v1beta1", json), 404, b"{}"));
        assert!(served.covers(
            &exchange("GET", &format!("{ns}/deployments/d/binding"), json),
            404,
            b"{}"
        ));
        assert!(!served.covers(&exchange("GET", "/apis/batch/v1beta1", json), 404, b"{}"));
        // Discovery: every group-version named must be served.
        let group = br#"{"kind":"APIGroup","versions":[{"groupVersion":"apps/v1"}]}"#;
        assert!(served.covers(&exchange("GET", "/apis/apps", json), 200, group));
        let list = br#"{"kind":"APIResourceList","groupVersion":"apps/v1","resources":[{"name":"deployments"},{"name":"replicasets"}]}"#;
        assert!(!served.covers(&exchange("GET", "/apis/apps/v1", json), 200, list));
        // An object made by an apply patch the reference does not take: not compared until deleted.
        let apply = "application/apply-patch+yaml";
        let cm = "/api/v1/namespaces/n/configmaps/a";
        assert!(!served.covers(
            &exchange("PATCH", &format!("{cm}?fieldManager=m"), apply),
            201,
            b"{}"
        ));
        assert!(!served.covers(&exchange("GET", cm, json), 200, b"{}"));
        assert!(!served.covers(&exchange("DELETE", cm, json), 200, br#"{"kind":"Status"}"#));
        assert!(served.covers(&exchange("GET", cm, json), 404, b"{}"));
    }
}
