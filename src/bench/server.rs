//! `apiconform bench-server`: requests/s and latency of GET and PATCH (JSON Patch) of one object of
//! each kind family — a pod, a config map, a service (a strategy that allocates) and an apps/v1
//! Deployment (a pod template defaulted and validated on every write), all through the generic
//! registry — at a fixed number of concurrent connections, against the reference server and
//! optionally a real one, in rounds taken in turns.
//!
//! This is a benchmark (a command that prints figures), not a test: it asserts nothing.

use crate::runner::{Run, RunConfig, RunError, describe};
use crate::target::{Target, TargetError};
use hdrhistogram::Histogram;
use serde_json::json;
use std::time::{Duration, Instant};

/// How long and how wide to measure.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// Measured time per operation.
    pub duration: Duration,
    /// Untimed requests per operation before measuring.
    pub warmup: Duration,
    /// Concurrent connections (one worker each).
    pub connections: usize,
}

/// Figures for one operation on one target.
#[derive(Debug, Clone)]
pub struct OpStats {
    pub op: String,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub p50: Duration,
    pub p99: Duration,
}

impl OpStats {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Figures for one target.
#[derive(Debug, Clone)]
pub struct TargetStats {
    pub name: String,
    pub ops: Vec<OpStats>,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("{target}: {step} failed: {detail}")]
    Setup {
        target: String,
        step: &'static str,
        detail: String,
    },
}

/// The objects measured: the group-version's path (`api/v1`, `apis/apps/v1`), the resource
/// (plural), and the object.
fn families() -> Vec<(&'static str, &'static str, serde_json::Value)> {
    vec![
        (
            "api/v1",
            "pods",
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bench"},
                   "spec": {"containers": [{"name": "bench", "image": "nginx:1.19"}]}}),
        ),
        (
            "api/v1",
            "configmaps",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bench"},
                   "data": {"a": "1"}}),
        ),
        (
            "api/v1",
            "services",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "bench"},
                   "spec": {"selector": {"app": "bench"}, "ports": [{"port": 80}]}}),
        ),
        (
            "apis/apps/v1",
            "deployments",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bench"},
                   "spec": {"selector": {"matchLabels": {"app": "bench"}},
                            "template": {"metadata": {"labels": {"app": "bench"}},
                                         "spec": {"containers": [{"name": "bench",
                                                                  "image": "nginx:1.19"}]}}}}),
        ),
    ]
}

/// Measures GET and PATCH of one object of each kind family on `target`, in a namespace of its own
/// that is deleted afterwards.
pub async fn bench_target(
    name: &str,
    target: &Target,
    cfg: &BenchConfig,
) -> Result<TargetStats, BenchError> {
    // The run's namespace, created first and deleted at the end, as for a conformance run.
    let run = Run::start(&RunConfig {
        target: target.clone(),
        timeout: Duration::from_secs(10),
        concurrency: 1,
        snapshots: None,
        allow_unconfined: false,
    })
    .await?;
    let result = async {
        let client = target.client(Duration::from_secs(10))?;
        let mut ops = Vec::new();
        for (group_version, resource, object) in families() {
            let collection = format!(
                "{}/{group_version}/namespaces/{}/{resource}",
                target.base_url(),
                run.namespace()
            );
            let failure = match client.post(&collection).json(&object).send().await {
                Ok(r) if r.status().as_u16() == 201 => None,
                Ok(r) => Some(format!("HTTP {}", r.status())),
                Err(e) => Some(describe(&e)),
            };
            if let Some(detail) = failure {
                return Err(BenchError::Setup {
                    target: name.to_string(),
                    step: "creating the object",
                    detail: format!("{resource}: {detail}"),
                });
            }
            let url = format!("{collection}/bench");
            let singular = resource.trim_end_matches('s');
            ops.push(measure(format!("GET {singular}"), target, cfg, &url, false).await?);
            ops.push(measure(format!("PATCH {singular}"), target, cfg, &url, true).await?);
        }
        Ok(TargetStats {
            name: name.to_string(),
            ops,
        })
    }
    .await;
    let deleted = run.finish().await;
    let stats = result?;
    deleted?;
    Ok(stats)
}

/// One benchmark request: method, path and query, optional JSON Patch body.
struct Call {
    method: reqwest::Method,
    body: Option<String>,
}

/// One connection's client. Plain-HTTP targets get a bare hyper HTTP/1.1 connection, so that the
/// client's own cost does not hide the server's; TLS targets (real servers, hundreds of times
/// slower) use reqwest.
enum Conn {
    Bare {
        sender: hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>,
        authority: String,
        path: String,
        bearer: Option<String>,
    },
    Reqwest {
        client: reqwest::Client,
        url: reqwest::Url,
    },
}

impl Conn {
    async fn open(target: &Target, url: &str) -> Result<Conn, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
        if parsed.scheme() != "http" {
            let client = target
                .client(Duration::from_secs(10))
                .map_err(|e| e.to_string())?;
            return Ok(Conn::Reqwest {
                client,
                url: parsed,
            });
        }
        let host = parsed.host_str().unwrap_or("127.0.0.1").to_string();
        let port = parsed.port_or_known_default().unwrap_or(80);
        let stream = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        Ok(Conn::Bare {
            sender,
            authority: format!("{host}:{port}"),
            path: parsed.path().to_string(),
            bearer: target.token.as_ref().map(|t| format!("Bearer {t}")),
        })
    }

    /// Sends one request and reads the whole answer; true if it was a success.
    async fn call(&mut self, call: &Call) -> bool {
        match self {
            Conn::Bare {
                sender,
                authority,
                path,
                bearer,
            } => {
                use http_body_util::BodyExt;
                let mut req = hyper::Request::builder()
                    .method(call.method.clone())
                    .uri(path.as_str())
                    .header("host", authority.as_str())
                    .header("user-agent", "apiconform-bench");
                if let Some(b) = bearer {
                    req = req.header("authorization", b.as_str());
                }
                if call.body.is_some() {
                    req = req.header("content-type", "application/json-patch+json");
                }
                let body = call.body.clone().unwrap_or_default();
                let Ok(req) = req.body(http_body_util::Full::new(bytes::Bytes::from(body))) else {
                    return false;
                };
                match sender.send_request(req).await {
                    Ok(resp) => {
                        let ok = resp.status().is_success();
                        ok & resp.into_body().collect().await.is_ok()
                    }
                    Err(_) => false,
                }
            }
            Conn::Reqwest { client, url } => {
                let mut req = client.request(call.method.clone(), url.clone());
                if let Some(body) = &call.body {
                    req = req
                        .header("Content-Type", "application/json-patch+json")
                        .body(body.clone());
                }
                match req.send().await {
                    Ok(resp) => {
                        let ok = resp.status().is_success();
                        ok & resp.bytes().await.is_ok()
                    }
                    Err(_) => false,
                }
            }
        }
    }
}

async fn measure(
    op: String,
    target: &Target,
    cfg: &BenchConfig,
    url: &str,
    patch: bool,
) -> Result<OpStats, BenchError> {
    let mut workers = Vec::new();
    let start = Instant::now();
    let measure_from = start + cfg.warmup;
    let end = measure_from + cfg.duration;
    for w in 0..cfg.connections.max(1) {
        let mut conn = Conn::open(target, url)
            .await
            .map_err(|detail| BenchError::Setup {
                target: target.base_url().to_string(),
                step: "connecting",
                detail,
            })?;
        workers.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
                .expect("static histogram bounds are valid");
            let mut errors = 0u64;
            let mut n = (w as u64) << 40;
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                n += 1;
                let call = if patch {
                    Call {
                        method: reqwest::Method::PATCH,
                        body: Some(format!(
                            r#"[{{"op":"add","path":"/metadata/labels","value":{{"n":"{n}"}}}}]"#
                        )),
                    }
                } else {
                    Call {
                        method: reqwest::Method::GET,
                        body: None,
                    }
                };
                let ok = conn.call(&call).await;
                if t0 >= measure_from {
                    if ok {
                        let us = t0.elapsed().as_micros().max(1) as u64;
                        let _ = hist.record(us.min(60_000_000));
                    } else {
                        errors += 1;
                    }
                }
            }
            (hist, errors)
        }));
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
        .expect("static histogram bounds are valid");
    let mut errors = 0;
    for w in workers {
        if let Ok((h, e)) = w.await {
            let _ = hist.add(h);
            errors += e;
        }
    }
    Ok(OpStats {
        op,
        requests: hist.len(),
        errors,
        seconds: cfg.duration.as_secs_f64(),
        p50: Duration::from_micros(hist.value_at_quantile(0.50)),
        p99: Duration::from_micros(hist.value_at_quantile(0.99)),
    })
}

/// One operation's figures over rounds: the round with the median requests/s.
fn median(rounds: &[&OpStats]) -> OpStats {
    let mut sorted = rounds.to_vec();
    sorted.sort_by(|a, b| a.per_second().total_cmp(&b.per_second()));
    sorted[sorted.len() / 2].clone()
}

/// A target's figures over its rounds (each a [`bench_target`] of it): per operation, the round
/// with the median requests/s.
pub fn combine(rounds: &[TargetStats]) -> Option<TargetStats> {
    let first = rounds.first()?;
    let ops = (0..first.ops.len())
        .map(|i| {
            median(
                &rounds
                    .iter()
                    .filter_map(|r| r.ops.get(i))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    Some(TargetStats {
        name: first.name.clone(),
        ops,
    })
}

/// The figures as a plain-text table (each target's median round per operation), with the
/// speed-up of the first target over each other one: of the medians, and the range of the rounds'
/// own (round `i` of one target against round `i` of the other, measured one after the other).
pub fn render(targets: &[Vec<TargetStats>], cfg: &BenchConfig) -> String {
    let rounds = targets.first().map_or(0, Vec::len);
    let mut out = format!(
        "{} concurrent connections, {:.1} s per operation, {rounds} round(s) per target taken in turns (the median round shown)\n\n{:<16} {:<17} {:>10} {:>12} {:>10} {:>10} {:>7}\n",
        cfg.connections,
        cfg.duration.as_secs_f64(),
        "target",
        "op",
        "requests",
        "req/s",
        "p50",
        "p99",
        "errors"
    );
    let stats: Vec<TargetStats> = targets.iter().filter_map(|t| combine(t)).collect();
    for t in &stats {
        for o in &t.ops {
            out.push_str(&format!(
                "{:<16} {:<17} {:>10} {:>12.0} {:>10} {:>10} {:>7}\n",
                t.name,
                o.op,
                o.requests,
                o.per_second(),
                fmt_dur(o.p50),
                fmt_dur(o.p99),
                o.errors
            ));
        }
    }
    let speed = |a: &OpStats, b: &OpStats| a.per_second() / b.per_second().max(f64::MIN_POSITIVE);
    if let (Some((first, rest)), Some((first_rounds, rest_rounds))) =
        (stats.split_first(), targets.split_first())
    {
        for (other, other_rounds) in rest.iter().zip(rest_rounds) {
            out.push('\n');
            for (i, (a, b)) in first.ops.iter().zip(&other.ops).enumerate() {
                let lat = b.p99.as_secs_f64() / a.p99.as_secs_f64().max(1e-9);
                let per_round: Vec<f64> = first_rounds
                    .iter()
                    .zip(other_rounds)
                    .filter_map(|(x, y)| Some(speed(x.ops.get(i)?, y.ops.get(i)?)))
                    .collect();
                let low = per_round.iter().copied().fold(f64::INFINITY, f64::min);
                let high = per_round.iter().copied().fold(0.0, f64::max);
                let range = if per_round.len() > 1 {
                    format!(" (rounds {low:.1}x-{high:.1}x)")
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "{} vs {} {}: {:.1}x the requests/s{range}, p99 {:.1}x lower\n",
                    first.name,
                    other.name,
                    a.op,
                    speed(a, b),
                    lat
                ));
            }
        }
    }
    out
}

fn fmt_dur(d: Duration) -> String {
    let us = d.as_micros();
    if us >= 10_000 {
        format!("{:.1}ms", us as f64 / 1000.0)
    } else {
        format!("{us}µs")
    }
}
