//! Named targets: the targets file (parsing, relative paths, refusals with line numbers, credentials
//! from the environment and from files), kubeconfig fixtures, and the built client against loopback
//! servers (plain HTTP echoing the headers it got; HTTPS with a private CA that requires a client
//! certificate). The fixtures' PKI is made by tests/fixtures/pki/make.sh.
//!
//! Environment variables set here have names unique to this file and to each test.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use apiconform::target::file::{self, TargetsError, TargetsFile};
use apiconform::target::{ClientIdentity, Target};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

const TIMEOUT: Duration = Duration::from_secs(10);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn set_env(name: &str, value: &str) {
    // SAFETY: each test uses its own variable names, and nothing in this test binary reads the
    // environment from C code while the tests run.
    unsafe { std::env::set_var(name, value) };
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("apiconform-targets-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn parse(text: &str) -> Result<TargetsFile, TargetsError> {
    TargetsFile::parse(text, "/srv/conf/targets.toml")
}

/// The PEM certificates of a file or buffer as base64 without line breaks, to compare contents.
fn pem_body(pem: &[u8]) -> String {
    String::from_utf8_lossy(pem)
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect()
}

#[test]
fn the_example_file_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets.example.toml");
    let file = TargetsFile::load(&path).unwrap();
    assert_eq!(
        file.names(),
        [
            "from-kubeconfig",
            "kind-local",
            "local-oracle",
            "mtls",
            "vendor"
        ]
    );
    assert_eq!(file.path(), path);
}

#[test]
fn unknown_fields_are_named_with_their_line() {
    let err = parse("[targets.a]\nurl = \"https://a\"\ntokn_env = \"X\"\n").unwrap_err();
    assert!(
        matches!(
            err,
            TargetsError::Parse {
                line: 3,
                column: 1,
                ..
            }
        ),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with("/srv/conf/targets.toml:3:1: unknown field `tokn_env`"),
        "{shown}"
    );
    assert!(
        shown.contains("token_env"),
        "the known fields are listed: {shown}"
    );

    let err = parse("[target.a]\nurl = \"https://a\"\n").unwrap_err();
    assert!(
        matches!(err, TargetsError::Parse { line: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("unknown field `target`"), "{err}");
}

#[test]
fn syntax_and_type_errors_give_the_line_without_echoing_values() {
    let err = parse("[targets.a]\nurl = \"https://a\"\ninsecure = \"s3cret-value\"\n").unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with("/srv/conf/targets.toml:3:"), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");

    let err = parse("[targets.a]\nurl = \"https://a\n").unwrap_err();
    assert!(
        matches!(err, TargetsError::Parse { line: 2, .. }),
        "{err:?}"
    );
}

#[test]
fn a_literal_token_is_refused_with_an_explanation() {
    let err = parse("[targets.a]\nurl = \"https://a\"\n\ntoken = \"s3cret-token\"\n").unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        err.to_string()
            .starts_with("/srv/conf/targets.toml:4: target 'a': a literal `token` is not accepted"),
        "{err}"
    );
    assert!(
        shown.contains("token_env") && shown.contains("token_file"),
        "{shown}"
    );
    assert!(!shown.contains("s3cret"), "{shown}");
}

#[test]
fn literal_secret_headers_are_refused() {
    for name in ["X-Auth-Token", "Authorization", "X-Api-Key", "Cookie"] {
        let text =
            format!("[targets.v]\nurl = \"https://v\"\nheaders = {{ {name} = \"s3cret\" }}\n");
        let err = parse(&text).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(
            matches!(err, TargetsError::Invalid { line: 3, .. }),
            "{shown}"
        );
        assert!(
            shown.contains("env =") && !shown.contains("s3cret"),
            "{shown}"
        );
    }
}

#[test]
fn credentials_come_from_the_environment_and_files_when_asked_for() {
    let dir = Scratch::new("credentials");
    dir.write("token.txt", "  file-token\n");
    dir.write("header.txt", "header-from-file\n");
    let path = dir.write(
        "targets.toml",
        r#"
[targets.env]
url = "https://env.example.invalid"
token_env = "APICONFORM_TARGETS_TEST_TOKEN"
headers = { X-Auth-Token = { env = "APICONFORM_TARGETS_TEST_HEADER" }, X-Other-Secret = { file = "header.txt" }, Accept-Language = "de" }
insecure = true

[targets.file]
url = "https://file.example.invalid/"
token_file = "token.txt"
ca_file = "ca.pem"

[targets.unset]
url = "https://unset.example.invalid"
token_env = "APICONFORM_TARGETS_TEST_UNSET"

[targets.missing-file]
url = "https://missing.example.invalid"
headers = { X-Auth-Token = { file = "nowhere.txt" } }
"#,
    );
    // Loading reads no credential: the unset variable is only an error for its target.
    let file = TargetsFile::load(&path).unwrap();
    assert_eq!(file.names(), ["env", "file", "missing-file", "unset"]);
    set_env("APICONFORM_TARGETS_TEST_TOKEN", "env-token");
    set_env("APICONFORM_TARGETS_TEST_HEADER", "env-header");

    let t = file.get("env").unwrap();
    assert_eq!(t.name.as_deref(), Some("env"));
    assert_eq!(t.display_name(), "env");
    assert_eq!(t.token.as_deref(), Some("env-token"));
    assert_eq!(t.headers["X-Auth-Token"], "env-header");
    assert_eq!(t.headers["X-Other-Secret"], "header-from-file");
    assert_eq!(t.headers["Accept-Language"], "de");
    assert!(t.insecure);
    let shown = format!("{t:?}");
    for secret in ["env-token", "env-header", "header-from-file"] {
        assert!(!shown.contains(secret), "{shown}");
    }

    let t = file.get("file").unwrap();
    assert_eq!(t.token.as_deref(), Some("file-token"));
    assert_eq!(t.base_url(), "https://file.example.invalid");
    assert_eq!(t.ca_file.as_deref(), Some(dir.0.join("ca.pem").as_path()));

    let err = file.get("unset").unwrap_err();
    assert_eq!(
        err.to_string(),
        "target 'unset': the environment variable APICONFORM_TARGETS_TEST_UNSET (token_env) is not set"
    );
    set_env("APICONFORM_TARGETS_TEST_UNSET", "");
    assert!(
        file.get("unset")
            .unwrap_err()
            .to_string()
            .contains("or is empty")
    );

    let err = file.get("missing-file").unwrap_err().to_string();
    assert!(
        err.contains("X-Auth-Token") && err.contains(&*dir.0.join("nowhere.txt").to_string_lossy()),
        "{err}"
    );

    let err = file.get("nope").unwrap_err().to_string();
    assert!(
        err.starts_with("no target named 'nope' in ")
            && err.ends_with("(it defines: env, file, missing-file, unset)"),
        "{err}"
    );
}

#[test]
fn resolve_takes_urls_as_they_are_and_names_from_the_file() {
    let t = file::resolve("https://127.0.0.1:6443", None).unwrap();
    assert_eq!(t.url, "https://127.0.0.1:6443");
    assert!(t.name.is_none() && t.token.is_none());

    let dir = Scratch::new("resolve");
    let path = dir.write("t.toml", "[targets.named]\nurl = \"http://127.0.0.1:1\"\n");
    let t = file::resolve("named", Some(&path)).unwrap();
    assert_eq!(
        (t.display_name(), t.url.as_str()),
        ("named", "http://127.0.0.1:1")
    );

    let err = file::resolve("named", Some(&dir.0.join("absent.toml"))).unwrap_err();
    assert!(matches!(err, TargetsError::Read { .. }), "{err}");
    assert!(err.to_string().contains("absent.toml"), "{err}");

    // The default file is ./targets.toml, which the repository does not have.
    if !Path::new(file::DEFAULT_FILE).exists() {
        let err = file::resolve("127.0.0.1:6443", None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no targets.toml") || err.contains("targets.toml here"),
            "{err}"
        );
        assert!(err.contains("targets.example.toml"), "{err}");
        assert!(
            err.contains("https://"),
            "a URL without scheme gets a hint: {err}"
        );
    }
}

#[test]
fn kubeconfig_with_inline_ca_data_and_token() {
    let fixtures = fixtures();
    let text = format!(
        "[targets.kc]\nkubeconfig = \"{0}/kubeconfig-token.yaml\"\n\n\
         [targets.kc-skip]\nkubeconfig = \"{0}/kubeconfig-token.yaml\"\ncontext = \"skip-verify\"\n\n\
         [targets.kc-exec]\nkubeconfig = \"{0}/kubeconfig-token.yaml\"\ncontext = \"exec\"\n\n\
         [targets.kc-nope]\nkubeconfig = \"{0}/kubeconfig-token.yaml\"\ncontext = \"nope\"\n\n\
         [targets.kc-override]\nkubeconfig = \"{0}/kubeconfig-token.yaml\"\nurl = \"https://127.0.0.1:7000\"\n\
         token_env = \"APICONFORM_TARGETS_TEST_KC_TOKEN\"\ninsecure = true\n",
        fixtures.display()
    );
    let file = parse(&text).unwrap();

    let t = file.get("kc").unwrap();
    assert_eq!(t.url, "https://127.0.0.1:6443");
    assert_eq!(t.token.as_deref(), Some("fixture-kubeconfig-token"));
    assert!(!t.insecure);
    assert!(t.identity.is_none());
    let ca = std::fs::read(fixtures.join("pki/ca.crt")).unwrap();
    assert_eq!(pem_body(t.ca_pem.as_deref().unwrap()), pem_body(&ca));
    t.client(TIMEOUT)
        .expect("a client with the kubeconfig's CA");
    assert!(!format!("{t:?}").contains("fixture-kubeconfig-token"));

    // A tokenFile relative to the kubeconfig, a server with a path prefix, skip-verify.
    let t = file.get("kc-skip").unwrap();
    assert_eq!(t.url, "https://localhost:7443/prefix");
    assert_eq!(t.token.as_deref(), Some("fixture-kubeconfig-file-token"));
    assert!(t.insecure && t.ca_pem.is_none());

    let err = file.get("kc-exec").unwrap_err();
    assert!(matches!(err, TargetsError::Unsupported { .. }), "{err}");
    let err = err.to_string();
    assert!(
        err.contains("exec credential plugin (fixture-credential-helper) is not supported")
            && err.contains("token_env"),
        "{err}"
    );

    let err = file.get("kc-nope").unwrap_err().to_string();
    assert!(
        err.contains("no context named 'nope' (it has: verified, skip-verify, exec)"),
        "{err}"
    );

    // Settings in the targets file win over the kubeconfig's.
    set_env("APICONFORM_TARGETS_TEST_KC_TOKEN", "override-token");
    let t = file.get("kc-override").unwrap();
    assert_eq!(t.url, "https://127.0.0.1:7000");
    assert_eq!(t.token.as_deref(), Some("override-token"));
    assert!(t.insecure);
}

#[test]
fn kubeconfig_with_client_certificate_data_and_files() {
    let fixtures = fixtures();
    let text = format!(
        "[targets.inline]\nkubeconfig = \"{0}/kubeconfig-client-cert.yaml\"\n\n\
         [targets.files]\nkubeconfig = \"{0}/kubeconfig-client-cert.yaml\"\ncontext = \"files\"\n",
        fixtures.display()
    );
    let file = parse(&text).unwrap();
    let cert = std::fs::read(fixtures.join("pki/client.crt")).unwrap();
    let key = std::fs::read(fixtures.join("pki/client.key")).unwrap();
    let ca = std::fs::read(fixtures.join("pki/ca.crt")).unwrap();
    for name in ["inline", "files"] {
        let t = file.get(name).unwrap();
        assert!(t.token.is_none(), "{name}");
        assert_eq!(
            pem_body(t.ca_pem.as_deref().unwrap()),
            pem_body(&ca),
            "{name}"
        );
        match &t.identity {
            Some(ClientIdentity::Pem { cert: c, key: k }) => {
                assert_eq!((c, k), (&cert, &key), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
        let shown = format!("{t:?}");
        assert!(!shown.contains(&pem_body(&key)[..20]), "{shown}");
        t.client(TIMEOUT).expect("the identity loads");
    }
}

#[test]
fn client_identity_loads_from_pem_files() {
    let pki = fixtures().join("pki");
    let t = Target {
        identity: Some(ClientIdentity::Files {
            cert: pki.join("client.crt"),
            key: pki.join("client.key"),
        }),
        ..Target::new("https://127.0.0.1:1")
    };
    t.client(TIMEOUT).expect("identity from files");

    // A certificate without its key is named as the problem.
    let t = Target {
        identity: Some(ClientIdentity::Files {
            cert: pki.join("client.crt"),
            key: pki.join("client.crt"),
        }),
        ..Target::new("https://127.0.0.1:1")
    };
    let err = t.client(TIMEOUT).unwrap_err().to_string();
    assert!(
        err.contains("client.crt") && err.contains("PRIVATE KEY"),
        "{err}"
    );
}

/// Serves one HTTP/1.1 request on `stream`: answers 200 with a JSON object of the request's
/// headers (lower-case names), plus `"x-client-cert": "yes"` when a client certificate was verified.
async fn echo<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, client_cert: bool) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut headers = serde_json::Map::new();
    for line in head.lines().skip(1).take_while(|l| !l.is_empty()) {
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().into());
        }
    }
    if client_cert {
        headers.insert("x-client-cert".into(), "yes".into());
    }
    let body = serde_json::Value::Object(headers).to_string();
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

async fn plain_echo_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(echo(stream, false));
        }
    });
    format!("http://{addr}")
}

/// An HTTPS echo server with the fixtures' server certificate that requires a client certificate
/// issued by the fixtures' CA.
async fn mtls_echo_server() -> String {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let pki = fixtures().join("pki");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(pki.join("ca.crt")).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let certs = CertificateDer::pem_file_iter(pki.join("server.crt"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(pki.join("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(stream).await {
                    let verified = tls.get_ref().1.peer_certificates().is_some();
                    echo(tls, verified).await;
                }
            });
        }
    });
    format!("https://127.0.0.1:{}", addr.port())
}

async fn get_headers(target: &Target) -> Result<serde_json::Value, reqwest::Error> {
    let client = target.client(TIMEOUT).unwrap();
    let response = client
        .get(format!("{}/echo", target.base_url()))
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    response.json().await
}

#[tokio::test]
async fn the_token_and_extra_headers_are_sent_and_never_shown() {
    let url = plain_echo_server().await;
    let dir = Scratch::new("echo");
    dir.write("vendor-token", "header-secret-from-file\n");
    let path = dir.write(
        "targets.toml",
        &format!(
            "[targets.vendor]\nurl = \"{url}\"\ntoken_env = \"APICONFORM_TARGETS_TEST_ECHO_TOKEN\"\n\
             headers = {{ X-Auth-Token = {{ file = \"vendor-token\" }}, X-Project = {{ env = \"APICONFORM_TARGETS_TEST_ECHO_PROJECT\" }}, Accept-Language = \"de\" }}\n"
        ),
    );
    set_env(
        "APICONFORM_TARGETS_TEST_ECHO_TOKEN",
        "bearer-secret-from-env",
    );
    set_env(
        "APICONFORM_TARGETS_TEST_ECHO_PROJECT",
        "project-secret-from-env",
    );
    let target = file::resolve("vendor", Some(&path)).unwrap();

    let got = get_headers(&target).await.unwrap();
    assert_eq!(got["authorization"], "Bearer bearer-secret-from-env");
    assert_eq!(got["x-auth-token"], "header-secret-from-file");
    assert_eq!(got["x-project"], "project-secret-from-env");
    assert_eq!(got["accept-language"], "de");

    let secrets = [
        "bearer-secret-from-env",
        "header-secret-from-file",
        "project-secret-from-env",
    ];
    let client = target.client(TIMEOUT).unwrap();
    let request = client.get(format!("{url}/x")).build().unwrap();
    for shown in [
        format!("{target:?}"),
        format!("{:?}", target.default_headers().unwrap()),
        format!("{request:?}"),
        format!("{client:?}"),
    ] {
        for secret in secrets {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    // An invalid header value is named by its header, not shown.
    set_env(
        "APICONFORM_TARGETS_TEST_ECHO_PROJECT",
        "project-secret\r\nX-Injected: 1",
    );
    let target = file::resolve("vendor", Some(&path)).unwrap();
    let err = target.client(TIMEOUT).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        shown.contains("X-Project") && !shown.contains("project-secret"),
        "{shown}"
    );
}

#[tokio::test]
async fn mutual_tls_with_a_private_ca_from_the_targets_file() {
    let url = mtls_echo_server().await;
    let pki = fixtures().join("pki");
    let text = format!(
        "[targets.mtls]\nurl = \"{url}\"\nca_file = \"pki/ca.crt\"\nclient_cert = \"pki/client.crt\"\n\
         client_key = \"pki/client.key\"\ntoken_env = \"APICONFORM_TARGETS_TEST_MTLS_TOKEN\"\n\n\
         [targets.no-client-cert]\nurl = \"{url}\"\nca_file = \"pki/ca.crt\"\n\n\
         [targets.system-roots]\nurl = \"{url}\"\nclient_cert = \"pki/client.crt\"\nclient_key = \"pki/client.key\"\n\n\
         [targets.kubeconfig]\nkubeconfig = \"kubeconfig-client-cert.yaml\"\nurl = \"{url}\"\n"
    );
    // Relative paths: the file is read as if it were tests/fixtures/targets.toml.
    let file = TargetsFile::parse(&text, fixtures().join("targets.toml")).unwrap();
    set_env("APICONFORM_TARGETS_TEST_MTLS_TOKEN", "mtls-token");

    let target = file.get("mtls").unwrap();
    assert_eq!(
        target.ca_file.as_deref(),
        Some(pki.join("ca.crt").as_path())
    );
    let got = get_headers(&target).await.unwrap();
    assert_eq!(got["x-client-cert"], "yes");
    assert_eq!(got["authorization"], "Bearer mtls-token");

    // CA data and client certificate data from a kubeconfig.
    let got = get_headers(&file.get("kubeconfig").unwrap()).await.unwrap();
    assert_eq!(got["x-client-cert"], "yes");

    // Without the client certificate the server refuses; without the CA the client does.
    assert!(
        get_headers(&file.get("no-client-cert").unwrap())
            .await
            .is_err()
    );
    assert!(
        get_headers(&file.get("system-roots").unwrap())
            .await
            .is_err()
    );
}

/// The kubeconfig of the live kube-apiserver: `APICONFORM_ORACLE_KUBECONFIG`, else
/// `$KUBE_ORACLE_HOME/run/kubeconfig` (where `tools/kube-apiserver/start.sh` writes it).
fn oracle_kubeconfig() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("APICONFORM_ORACLE_KUBECONFIG") {
        return Ok(PathBuf::from(path));
    }
    if let Some(home) = std::env::var_os("KUBE_ORACLE_HOME") {
        return Ok(PathBuf::from(home).join("run/kubeconfig"));
    }
    Err(
        "neither APICONFORM_ORACLE_KUBECONFIG nor KUBE_ORACLE_HOME is set: start the server with \
         tools/kube-apiserver/start.sh, then run with \
         APICONFORM_ORACLE_KUBECONFIG=~/.cache/kube-oracle/run/kubeconfig (or the \
         $KUBE_ORACLE_HOME/run/kubeconfig it printed)"
            .to_string(),
    )
}

/// The local kube-apiserver v1.20.2 (`tools/kube-apiserver/start.sh`) through the kubeconfig its
/// start.sh writes, taken from `APICONFORM_ORACLE_KUBECONFIG` (else `$KUBE_ORACLE_HOME/run/kubeconfig`):
/// `APICONFORM_ORACLE_KUBECONFIG=… cargo test --test harness -- --ignored --nocapture targets::`. Run, it
/// fails when there is no kubeconfig or the server does not answer: CI runs it to check just that.
#[tokio::test]
#[ignore = "needs the local kube-apiserver (tools/kube-apiserver/start.sh) and APICONFORM_ORACLE_KUBECONFIG"]
async fn live_kube_apiserver_through_its_kubeconfig() {
    let kubeconfig = oracle_kubeconfig().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        kubeconfig.is_file(),
        "the kubeconfig {} does not exist: start the server with tools/kube-apiserver/start.sh \
         (it writes $KUBE_ORACLE_HOME/run/kubeconfig) or point APICONFORM_ORACLE_KUBECONFIG at it",
        kubeconfig.display()
    );
    let quoted = toml::Value::String(kubeconfig.display().to_string()).to_string();
    let mut text = format!("[targets.oracle]\nkubeconfig = {quoted}\n");
    // The server's self-signed certificate bundle (serving certificate and its CA), next to the
    // kubeconfig start.sh writes, verifies it.
    let serving = kubeconfig
        .parent()
        .map(|run| run.join("pki/serving/apiserver.crt"));
    match serving.filter(|s| s.is_file()) {
        Some(serving) => {
            let ca = toml::Value::String(serving.display().to_string()).to_string();
            text +=
                &format!("\n[targets.oracle-verified]\nkubeconfig = {quoted}\nca_file = {ca}\n");
        }
        None => eprintln!(
            "no pki/serving/apiserver.crt next to the kubeconfig: verified TLS not checked"
        ),
    }
    let file = parse(&text).unwrap();
    for name in file.names() {
        let target = file.get(name).unwrap();
        eprintln!("{name}: {target:?}");
        let client = target.client(TIMEOUT).unwrap();
        let response = client
            .get(format!("{}/api/v1/namespaces", target.base_url()))
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "{name}: the kube-apiserver of {} does not answer at {} ({e}): is it running \
                     (tools/kube-apiserver/start.sh)?",
                    kubeconfig.display(),
                    target.base_url()
                )
            });
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        eprintln!(
            "{name}: GET /api/v1/namespaces -> {status}, {} namespaces",
            body["items"].as_array().map_or(0, Vec::len)
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["kind"], "NamespaceList");
    }
}

#[test]
fn missing_variables_are_errors_only_for_the_target_in_use() {
    let file = parse(
        "[targets.a]\nurl = \"https://a\"\ntoken_env = \"APICONFORM_TARGETS_TEST_NEVER_SET_A\"\n\n\
         [targets.b]\nurl = \"https://b\"\n",
    )
    .unwrap();
    assert!(file.get("b").is_ok());
    assert!(matches!(
        file.get("a").unwrap_err(),
        TargetsError::EnvUnset { ref var, .. } if var == "APICONFORM_TARGETS_TEST_NEVER_SET_A"
    ));
}

#[test]
fn the_readme_example_parses() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme
        .find("### Targets file")
        .expect("the README's targets section")..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let block = &section[start..start + section[start..].find("```").unwrap()];
    let file = TargetsFile::parse(block, "README.md").unwrap();
    assert_eq!(
        file.names(),
        ["kind-local", "local-oracle", "mtls", "vendor"]
    );
}
