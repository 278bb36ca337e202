//! Misbehaving loopback servers for the reliability tests, and a bounded way to run the CLI.
//!
//! A [`FaultServer`] speaks raw HTTP/1.1 (so that it can break the protocol precisely) in front of
//! an embedded reference server: requests the fault does not hit are forwarded to the reference
//! server, the others get the fault. Every answer closes its connection. Faults are bounded in
//! time: a hanging or dripping connection is dropped after a minute at most, and the server's
//! runtime ends with the fixture.
#![allow(dead_code)]

use apiconform::server::BackgroundServer;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the server does to the requests the fault hits.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Nothing: every request is forwarded.
    None,
    /// The listener is closed once the first request (the run's namespace) is answered: every
    /// later connection is refused.
    RefuseAfterFirst,
    /// The status line, headers and 100 of 1000 announced body bytes, then a TCP reset.
    ResetMidBody,
    /// The request is read and never answered.
    Hang,
    /// An answer with this status, content type and (non-JSON) body.
    Answer {
        status: u16,
        content_type: &'static str,
        body: &'static str,
    },
    /// A 200 answer of 50 MB, with a Content-Length or chunked.
    Huge { chunked: bool },
    /// A 200 answer whose 600 body bytes come one per 100 ms.
    Drip,
    /// A chunked answer whose second chunk size is not hexadecimal.
    BadChunked,
    /// 403, echoing the Authorization and X-Auth-Token headers received in the status line,
    /// the headers (Content-Type included) and the JSON body.
    Echo,
    /// Bytes that are not HTTP (nor TLS) as soon as a connection is accepted.
    Garbage,
    /// Forwarded after this many milliseconds.
    Delay(u64),
    /// Held until requests in this many distinct namespaces have been hit (or [`MEETING_LIMIT`]
    /// passed), then forwarded: the first pod request of each run waits for the others, so that
    /// the runs are seen to overlap ([`FaultServer::overlapped`]) however loaded the machine is.
    Rendezvous(usize),
}

/// The longest a [`Fault::Rendezvous`] holds a request.
pub const MEETING_LIMIT: Duration = Duration::from_secs(15);

/// The namespaces [`Fault::Rendezvous`] has seen, and whether a held request was released by the
/// arrival of the last one (rather than by [`MEETING_LIMIT`]).
#[derive(Default)]
struct Meeting {
    seen: std::sync::Mutex<Option<tokio::sync::watch::Sender<std::collections::BTreeSet<String>>>>,
    met: std::sync::atomic::AtomicBool,
}

impl Meeting {
    fn sender(&self) -> tokio::sync::watch::Sender<std::collections::BTreeSet<String>> {
        self.seen
            .lock()
            .expect("meeting lock")
            .get_or_insert_with(|| tokio::sync::watch::channel(Default::default()).0)
            .clone()
    }

    /// Waits until `n` namespaces, `path`'s included, have been seen, or the limit passed.
    async fn attend(&self, n: usize, path: &str) {
        let ns = path
            .split('/')
            .skip_while(|s| *s != "namespaces")
            .nth(1)
            .unwrap_or("")
            .to_string();
        let tx = self.sender();
        let mut rx = tx.subscribe();
        let mut waits = false;
        tx.send_modify(|seen| {
            seen.insert(ns);
            waits = seen.len() < n;
        });
        if !waits {
            return;
        }
        let met = tokio::time::timeout(MEETING_LIMIT, rx.wait_for(|seen| seen.len() >= n)).await;
        if matches!(met, Ok(Ok(_))) {
            self.met.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Which requests a fault hits: (method, path) → hit.
pub type When = fn(&str, &str) -> bool;

/// Requests on pods (the cases' requests, not the run's namespace).
pub fn pods(_: &str, path: &str) -> bool {
    path.contains("/pods")
}

/// Every request.
pub fn all(_: &str, _: &str) -> bool {
    true
}

/// PATCH requests only.
pub fn patches(method: &str, _: &str) -> bool {
    method == "PATCH"
}

/// DELETE of a namespace (the run's cleanup).
pub fn namespace_delete(method: &str, path: &str) -> bool {
    method == "DELETE" && !path.contains("/pods")
}

/// The longest a fault keeps a connection.
const LIMIT: Duration = Duration::from_secs(60);

pub const HUGE: usize = 50 * 1024 * 1024;

/// A fault server with the reference server behind it.
pub struct FaultServer {
    pub url: String,
    pub reference: BackgroundServer,
    rt: tokio::runtime::Runtime,
    meeting: Arc<Meeting>,
}

impl FaultServer {
    /// A plain-HTTP fault server on 127.0.0.1.
    pub fn start(fault: Fault, when: When) -> FaultServer {
        FaultServer::with_rules(&[(when, fault)])
    }

    /// A plain-HTTP fault server on 127.0.0.1 where each request gets the fault of the first rule
    /// that hits it (none: forwarded).
    pub fn with_rules(rules: &[(When, Fault)]) -> FaultServer {
        let rules: Rules = Arc::new(rules.to_vec());
        let reference = BackgroundServer::start().expect("reference server");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let upstream = reference.url().to_string();
        let meeting = Arc::new(Meeting::default());
        rt.spawn(serve(listener, rules, upstream, meeting.clone()));
        FaultServer {
            url,
            reference,
            rt,
            meeting,
        }
    }

    /// A TLS server on `ip` (a loopback address) with the test PKI's server certificate (valid
    /// for 127.0.0.1 and localhost only), forwarding the decrypted bytes to the reference server.
    pub fn start_tls(ip: &str) -> FaultServer {
        let reference = BackgroundServer::start().expect("reference server");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = rt
            .block_on(TcpListener::bind(format!("{ip}:0")))
            .expect("bind");
        let url = format!("https://{}", listener.local_addr().expect("addr"));
        let upstream = reference
            .url()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let acceptor = tls_acceptor();
        rt.spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut up) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let _ = tokio::time::timeout(
                        Duration::from_secs(60),
                        tokio::io::copy_bidirectional(&mut tls, &mut up),
                    )
                    .await;
                });
            }
        });
        FaultServer {
            url,
            reference,
            rt,
            meeting: Arc::default(),
        }
    }

    /// Whether a request held by [`Fault::Rendezvous`] was released by requests in the other
    /// namespaces arriving: the runs were under way at the same time.
    pub fn overlapped(&self) -> bool {
        self.meeting.met.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The reference server's `apiconform-*` namespaces and the number of pods in them.
    pub fn leftovers(&self) -> (Vec<String>, usize) {
        let base = self.reference.url().to_string();
        let get = |path: String| -> serde_json::Value {
            self.rt
                .block_on(async { reqwest::get(format!("{base}{path}")).await?.json().await })
                .expect("reference server answers")
        };
        let names: Vec<String> = get("/api/v1/namespaces".into())["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|n| n["metadata"]["name"].as_str())
            .filter(|n| n.starts_with("apiconform-"))
            .map(str::to_string)
            .collect();
        let pods = get("/api/v1/pods".into())["items"]
            .as_array()
            .map_or(0, |a| a.len());
        (names, pods)
    }
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let pki = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pki");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let certs = CertificateDer::pem_file_iter(pki.join("server.crt"))
        .expect("server.crt")
        .collect::<Result<Vec<_>, _>>()
        .expect("server.crt parses");
    let key = PrivateKeyDer::from_pem_file(pki.join("server.key")).expect("server.key");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server certificate");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

type Rules = Arc<Vec<(When, Fault)>>;

async fn serve(listener: TcpListener, rules: Rules, upstream: String, meeting: Arc<Meeting>) {
    let client = reqwest::Client::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        if rules
            .iter()
            .any(|(_, f)| matches!(f, Fault::RefuseAfterFirst))
        {
            // Stop listening, then answer this one: later connections are refused.
            drop(listener);
            handle(stream, &rules, &upstream, &client, &meeting).await;
            return;
        }
        let (client, upstream, rules, meeting) = (
            client.clone(),
            upstream.clone(),
            rules.clone(),
            meeting.clone(),
        );
        tokio::spawn(async move { handle(stream, &rules, &upstream, &client, &meeting).await });
    }
}

struct Head {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Head {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }
}

async fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Head> {
    let mut line = String::new();
    reader.read_line(&mut line).await.ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).await.ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let mut head = Head {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let len: usize = head.header("content-length").parse().unwrap_or(0);
    head.body = vec![0; len];
    reader.read_exact(&mut head.body).await.ok()?;
    Some(head)
}

async fn handle(
    stream: TcpStream,
    rules: &[(When, Fault)],
    upstream: &str,
    client: &reqwest::Client,
    meeting: &Meeting,
) {
    if rules.iter().any(|(_, f)| matches!(f, Fault::Garbage)) {
        let mut stream = stream;
        let _ = stream
            .write_all(b"SSH-2.0-OpenSSH_9.2 not what you expected\r\n\x00\x01\x02\x03")
            .await;
        let _ = stream.shutdown().await;
        return;
    }
    let mut reader = BufReader::new(stream);
    let Some(req) = read_request(&mut reader).await else {
        return;
    };
    let mut stream = reader.into_inner();
    let fault = rules
        .iter()
        .find(|(when, _)| when(&req.method, &req.path))
        .map_or(Fault::None, |(_, f)| *f);
    match fault {
        Fault::None | Fault::RefuseAfterFirst | Fault::Garbage => {
            forward(&mut stream, &req, upstream, client).await;
        }
        Fault::Delay(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            forward(&mut stream, &req, upstream, client).await;
        }
        Fault::Rendezvous(n) => {
            meeting.attend(n, &req.path).await;
            forward(&mut stream, &req, upstream, client).await;
        }
        Fault::ResetMidBody => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n",
                )
                .await;
            let _ = stream.write_all(&[b' '; 100]).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Fault::Hang => {
            let _ = tokio::time::timeout(LIMIT, std::future::pending::<()>()).await;
        }
        Fault::Answer {
            status,
            content_type,
            body,
        } => {
            let reason = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Whatever");
            let text = format!(
                "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(text.as_bytes()).await;
        }
        Fault::Huge { chunked } => {
            let _ = tokio::time::timeout(LIMIT, async {
                let head = if chunked {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_string()
                } else {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {HUGE}\r\nconnection: close\r\n\r\n"
                    )
                };
                stream.write_all(head.as_bytes()).await?;
                let block = vec![b'7'; 64 * 1024];
                for _ in 0..HUGE / block.len() {
                    if chunked {
                        stream
                            .write_all(format!("{:x}\r\n", block.len()).as_bytes())
                            .await?;
                        stream.write_all(&block).await?;
                        stream.write_all(b"\r\n").await?;
                    } else {
                        stream.write_all(&block).await?;
                    }
                }
                if chunked {
                    stream.write_all(b"0\r\n\r\n").await?;
                }
                std::io::Result::Ok(())
            })
            .await;
        }
        Fault::Drip => {
            let _ = tokio::time::timeout(LIMIT, async {
                stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 600\r\nconnection: close\r\n\r\n",
                    )
                    .await?;
                for _ in 0..600 {
                    stream.write_all(b" ").await?;
                    stream.flush().await?;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                std::io::Result::Ok(())
            })
            .await;
        }
        Fault::BadChunked => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n5\r\n{\"a\":\r\nzz\r\nnot a chunk\r\n0\r\n\r\n",
                )
                .await;
        }
        Fault::Echo => {
            let echo = format!(
                "{} {}",
                req.header("authorization"),
                req.header("x-auth-token")
            );
            let body = serde_json::json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": format!("forbidden: you sent {echo}"), "reason": "Forbidden",
                "code": 403, "details": {"echo": echo},
            })
            .to_string();
            let text = format!(
                "HTTP/1.1 403 Forbidden {echo}\r\ncontent-type: text/plain; echo=\"{echo}\"\r\nx-echo: {echo}\r\nwww-authenticate: Bearer realm=\"{echo}\"\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(text.as_bytes()).await;
        }
    }
}

/// Forwards a request to the reference server and writes its answer back.
async fn forward(stream: &mut TcpStream, req: &Head, upstream: &str, client: &reqwest::Client) {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("method");
    let mut up = client.request(method, format!("{upstream}{}", req.path));
    for (k, v) in &req.headers {
        let k = k.to_ascii_lowercase();
        if !["host", "content-length", "connection", "transfer-encoding"].contains(&k.as_str()) {
            up = up.header(k, v);
        }
    }
    let (status, ct, body) = match up.body(req.body.clone()).send().await {
        Ok(resp) => {
            let status = resp.status();
            let ct = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/json")
                .to_string();
            (status, ct, resp.bytes().await.unwrap_or_default().to_vec())
        }
        Err(_) => (
            reqwest::StatusCode::BAD_GATEWAY,
            "text/plain".into(),
            vec![],
        ),
    };
    let head = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {ct}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&body).await;
    let _ = stream.flush().await;
}

/// A directory of cases copied from `cases/` (with `cases/fixtures/`): the files of these ids.
pub fn case_dir(ids: &[&str]) -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut found = 0;
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("cases dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&root).expect("under cases");
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let wanted = rel.starts_with("fixtures")
                || (path.extension().is_some_and(|e| e == "yaml") && ids.contains(&stem));
            if wanted {
                found += usize::from(!rel.starts_with("fixtures"));
                let to = dir.path().join(rel);
                std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
                std::fs::copy(&path, &to).expect("copy");
            }
        }
    }
    assert_eq!(found, ids.len(), "every case id exists in cases/");
    dir
}

/// What a finished CLI run gave.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Ran {
    /// stdout and stderr, for assertion messages and searches.
    pub fn text(&self) -> String {
        format!(
            "exit {:?} after {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.took, self.stdout, self.stderr
        )
    }
}

/// The `apiconform` command, from the project root, with CI-like output (plain lines).
pub fn cli() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_apiconform"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "1")
        .env("NO_COLOR", "1")
        .env_remove("APICONFORM_TOKEN")
        .env_remove("APICONFORM_TARGETS_FILE")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("INSTA_UPDATE");
    cmd
}

/// Runs a command to its end, killing it (and failing) if it takes longer than `limit`.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Ran {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("apiconform starts");
    let out = read_in_background(child.stdout.take().expect("stdout"));
    let err = read_in_background(child.stderr.take().expect("stderr"));
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "apiconform did not finish within {limit:?}\n--- stdout\n{}\n--- stderr\n{}",
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ran {
        code,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        took: started.elapsed(),
    }
}

fn read_in_background(
    mut pipe: impl std::io::Read + Send + 'static,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// `run --target URL --cases DIR --out DIR --timeout SECS …` against `url`.
pub fn run_args(url: &str, cases: &Path, out: &Path, timeout: &str) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["run", "--target", url, "--timeout", timeout, "--cases"]
        .iter()
        .map(OsString::from)
        .collect();
    args.push(cases.into());
    args.push("--out".into());
    args.push(out.into());
    args
}

/// Files under `dir` (recursively) whose name contains `part`.
pub fn files_containing(dir: &Path, part: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(part))
            {
                found.push(path);
            }
        }
    }
    found
}

/// Every file under `dir`, concatenated (lossy UTF-8).
pub fn all_files_text(dir: &Path) -> String {
    let mut text = String::new();
    for f in files_containing(dir, "") {
        text.push_str(&format!("\n=== {}\n", f.display()));
        text.push_str(&String::from_utf8_lossy(
            &std::fs::read(&f).unwrap_or_default(),
        ));
    }
    text
}

/// A CLI run in progress, its output collected line by line as it comes.
pub struct Live {
    child: std::process::Child,
    started: Instant,
    stdout: Arc<std::sync::Mutex<String>>,
    stderr: Arc<std::sync::Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Live {
    /// Starts `cmd` with both outputs collected.
    pub fn spawn(cmd: &mut Command) -> Live {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("apiconform starts");
        let stdout = Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = Arc::new(std::sync::Mutex::new(String::new()));
        let collect = |pipe: Box<dyn std::io::Read + Send>, into: Arc<std::sync::Mutex<String>>| {
            std::thread::spawn(move || {
                use std::io::BufRead;
                for line in std::io::BufReader::new(pipe).lines() {
                    let Ok(line) = line else { return };
                    if let Ok(mut text) = into.lock() {
                        text.push_str(&line);
                        text.push('\n');
                    }
                }
            })
        };
        let readers = vec![
            collect(
                Box::new(child.stdout.take().expect("stdout")),
                stdout.clone(),
            ),
            collect(
                Box::new(child.stderr.take().expect("stderr")),
                stderr.clone(),
            ),
        ];
        Live {
            child,
            started: Instant::now(),
            stdout,
            stderr,
            readers,
        }
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The case lines printed so far (`PASS …`, `FAIL …`, `ERROR …`).
    pub fn case_lines(&self) -> usize {
        self.stdout().lines().filter(|l| is_case_line(l)).count()
    }

    /// Waits until `ready` holds (polling every 10 ms), failing after `limit`.
    pub fn wait_until(&mut self, limit: Duration, what: &str, ready: impl Fn(&Live) -> bool) {
        let deadline = Instant::now() + limit;
        while !ready(self) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "apiconform ended ({status}) before {what}\n--- stdout\n{}--- stderr\n{}",
                    self.stdout(),
                    self.stderr()
                );
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "no {what} within {limit:?}\n--- stdout\n{}--- stderr\n{}",
                    self.stdout(),
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends a signal (`-INT`, `-TERM`) with kill(1).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal}");
    }

    /// Waits for the end (killing the process and failing after `limit`).
    pub fn finish(mut self, limit: Duration) -> Ran {
        let deadline = Instant::now() + limit;
        let code = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "apiconform did not end within {limit:?}\n--- stdout\n{}--- stderr\n{}",
                    self.stdout(),
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        Ran {
            code,
            stdout: self.stdout(),
            stderr: self.stderr(),
            took: self.started.elapsed(),
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // A test that failed midway leaves no process behind.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Whether a line of the terminal report starts a case's result.
pub fn is_case_line(l: &str) -> bool {
    [
        "PASS ",
        "FAIL ",
        "ERROR ",
        "NOT SERVED ",
        "SKIP ",
        "UNSUPPORTED ",
    ]
    .iter()
    .any(|p| l.starts_with(p))
}
