//! Targets: where requests go and how they authenticate (bearer token, extra headers such as
//! `X-Auth-Token`, a client certificate, CA certificates or explicit insecure mode). Secrets (the
//! token, header values, the client key) never appear in `Debug` output or in error messages.
//!
//! A [`Target`] is usually made from a URL ([`Target::new`]) or by name from a targets file
//! ([`file`]).

pub mod file;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

/// An endpoint to test: a base URL plus TLS and authentication settings.
#[derive(Clone, Default)]
pub struct Target {
    /// The name the target has in a targets file; `None` for a bare URL. See [`Target::display_name`].
    pub name: Option<String>,
    /// Base URL, e.g. `https://127.0.0.1:6443` (no trailing slash needed).
    pub url: String,
    /// Bearer token sent as `Authorization: Bearer …`.
    pub token: Option<String>,
    /// PEM file with the CA certificate(s) to trust for this target.
    pub ca_file: Option<PathBuf>,
    /// PEM CA certificate(s) held in memory (e.g. a kubeconfig's `certificate-authority-data`),
    /// trusted together with those of `ca_file`. With either set, only these CAs are trusted.
    pub ca_pem: Option<Vec<u8>>,
    /// Accept any server certificate (self-signed test servers). Must be asked for explicitly.
    pub insecure: bool,
    /// Extra headers sent with every request, name → value (e.g. `X-Auth-Token`). The values are
    /// treated as secrets: marked sensitive, never shown.
    pub headers: BTreeMap<String, String>,
    /// A client certificate and key for mutual TLS.
    pub identity: Option<ClientIdentity>,
}

/// A client certificate (chain) and its private key, PEM encoded (the key in PKCS#8, PKCS#1/RSA or
/// SEC1/EC form).
#[derive(Clone)]
pub enum ClientIdentity {
    /// Read from these files when the client is built.
    Files { cert: PathBuf, key: PathBuf },
    /// Held in memory (e.g. a kubeconfig's `client-certificate-data` and `client-key-data`).
    Pem { cert: Vec<u8>, key: Vec<u8> },
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientIdentity::Files { cert, key } => f
                .debug_struct("Files")
                .field("cert", cert)
                .field("key", key)
                .finish(),
            ClientIdentity::Pem { cert, .. } => f
                .debug_struct("Pem")
                .field("cert", &format_args!("<{} bytes>", cert.len()))
                .field("key", &format_args!("<redacted>"))
                .finish(),
        }
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: BTreeMap<&str, &str> = self
            .headers
            .keys()
            .map(|k| (k.as_str(), "<redacted>"))
            .collect();
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("url", &without_userinfo(&self.url))
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("ca_file", &self.ca_file)
            .field(
                "ca_pem",
                &self.ca_pem.as_ref().map(|p| format!("<{} bytes>", p.len())),
            )
            .field("insecure", &self.insecure)
            .field("headers", &headers)
            .field("identity", &self.identity)
            .finish()
    }
}

/// Why an HTTP client for a target could not be made. The messages name the file, header or
/// setting at fault and never contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("cannot read the CA file {path}: {source}")]
    CaFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the CA file {path} holds no usable PEM certificate{}", cause(.source))]
    CaPem {
        path: PathBuf,
        source: Option<reqwest::Error>,
    },
    #[error("the in-memory CA certificates (ca_pem) hold no usable PEM certificate{}", cause(.source))]
    CaPemInline { source: Option<reqwest::Error> },
    #[error("the bearer token is not a valid HTTP header value (it must be printable ASCII)")]
    BadToken,
    #[error("{name:?} is not a valid HTTP header name")]
    BadHeaderName { name: String },
    #[error(
        "the value of the header {name} is not a valid HTTP header value (it must be printable ASCII)"
    )]
    BadHeaderValue { name: String },
    #[error(
        "both a bearer token and an {name} header are set: choose one (the token is sent as Authorization: Bearer …)"
    )]
    TwoAuthorizations { name: String },
    #[error("cannot read the client {what} file {path}: {source}")]
    IdentityFile {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the client certificate and key ({origin}) are not usable: {} (expected PEM: one or more CERTIFICATE blocks and one PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)",
        chain(.source)
    )]
    Identity {
        origin: String,
        source: reqwest::Error,
    },
    #[error("cannot build an HTTP client: {0}")]
    Client(reqwest::Error),
    #[error("the target URL {0:?} must start with http:// or https://")]
    BadUrl(String),
}

fn cause(source: &Option<reqwest::Error>) -> String {
    match source {
        Some(e) => format!(": {}", chain(e)),
        None => String::new(),
    }
}

/// An error and its sources, `: `-separated (reqwest's own message is often just "builder error").
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

impl Target {
    /// A target at `url` with no credentials.
    pub fn new(url: impl Into<String>) -> Self {
        Target {
            url: url.into(),
            ..Target::default()
        }
    }

    /// The base URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.url.trim_end_matches('/')
    }

    /// The name to show for this target: its name in the targets file, else its base URL.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or_else(|| self.base_url())
    }

    /// The default headers sent with every request: the token as `Authorization: Bearer …` and the
    /// extra headers, all marked sensitive (so they never show in debug output).
    pub fn default_headers(&self) -> Result<HeaderMap, TargetError> {
        let mut headers = HeaderMap::new();
        if let Some(token) = &self.token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| TargetError::BadToken)?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| TargetError::BadHeaderName { name: name.clone() })?;
            if header == AUTHORIZATION && self.token.is_some() {
                return Err(TargetError::TwoAuthorizations { name: name.clone() });
            }
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| TargetError::BadHeaderValue { name: name.clone() })?;
            value.set_sensitive(true);
            headers.insert(header, value);
        }
        Ok(headers)
    }

    /// The CA certificates to trust (from `ca_file` and `ca_pem`); empty: the system's roots.
    fn ca_certs(&self) -> Result<Vec<reqwest::Certificate>, TargetError> {
        let mut certs = Vec::new();
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read(path).map_err(|source| TargetError::CaFile {
                path: path.clone(),
                source,
            })?;
            match reqwest::Certificate::from_pem_bundle(&pem) {
                Ok(found) if !found.is_empty() => certs.extend(found),
                Ok(_) => {
                    return Err(TargetError::CaPem {
                        path: path.clone(),
                        source: None,
                    });
                }
                Err(e) => {
                    return Err(TargetError::CaPem {
                        path: path.clone(),
                        source: Some(e),
                    });
                }
            }
        }
        if let Some(pem) = &self.ca_pem {
            match reqwest::Certificate::from_pem_bundle(pem) {
                Ok(found) if !found.is_empty() => certs.extend(found),
                Ok(_) => return Err(TargetError::CaPemInline { source: None }),
                Err(e) => return Err(TargetError::CaPemInline { source: Some(e) }),
            }
        }
        Ok(certs)
    }

    /// The client identity, if any, loaded and checked.
    fn client_identity(&self) -> Result<Option<reqwest::Identity>, TargetError> {
        let Some(identity) = &self.identity else {
            return Ok(None);
        };
        let (mut pem, origin) = match identity {
            ClientIdentity::Files { cert, key } => {
                let read = |what, path: &PathBuf| {
                    std::fs::read(path).map_err(|source| TargetError::IdentityFile {
                        what,
                        path: path.clone(),
                        source,
                    })
                };
                let mut pem = read("certificate", cert)?;
                pem.push(b'\n');
                pem.extend(read("key", key)?);
                (
                    pem,
                    format!("files {} and {}", cert.display(), key.display()),
                )
            }
            ClientIdentity::Pem { cert, key } => {
                let mut pem = cert.clone();
                pem.push(b'\n');
                pem.extend_from_slice(key);
                (pem, "in memory".to_string())
            }
        };
        let identity = reqwest::Identity::from_pem(&pem);
        // The buffer held the private key: clear it before it is freed.
        pem.iter_mut().for_each(|b| *b = 0);
        identity
            .map(Some)
            .map_err(|source| TargetError::Identity { origin, source })
    }

    /// An HTTP client for this target: connection reuse, the token and extra headers as default
    /// headers (marked sensitive so they never show in debug output), the TLS settings (CA
    /// certificates, client identity, insecure mode), and a per-request timeout.
    pub fn client(&self, timeout: Duration) -> Result<reqwest::Client, TargetError> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(TargetError::BadUrl(self.url.clone()));
        }
        let mut builder = reqwest::Client::builder()
            .default_headers(self.default_headers()?)
            .user_agent(concat!("apiconform/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(64)
            .tcp_nodelay(true);
        let certs = self.ca_certs()?;
        if !certs.is_empty() {
            builder = builder.tls_certs_only(certs);
        }
        if let Some(identity) = self.client_identity()? {
            builder = builder.identity(identity);
        }
        if self.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        builder.build().map_err(TargetError::Client)
    }
}

/// Whether a header's value is a credential (by its name): such values are never written literally
/// in a targets file, and are blanked out of answers.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "auth",
        "token",
        "key",
        "secret",
        "password",
        "cookie",
        "session",
        "credential",
    ]
    .iter()
    .any(|word| name.contains(word))
}

impl Target {
    /// The credentials this target sends: the bearer token, the values of credential headers, and
    /// a password in the URL (`https://user:password@host`: as written, decoded, and as the basic
    /// authentication value it is sent as).
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = self
            .token
            .iter()
            .chain(
                self.headers
                    .iter()
                    .filter(|(name, _)| is_secret_header(name))
                    .map(|(_, v)| v),
            )
            .cloned()
            .collect();
        if let Ok(url) = reqwest::Url::parse(&self.url)
            && let Some(password) = url.password()
        {
            use base64::Engine;
            let decoded = percent_decoded(password);
            let basic = format!("{}:{decoded}", percent_decoded(url.username()));
            secrets.push(base64::engine::general_purpose::STANDARD.encode(basic));
            secrets.push(password.to_string());
            secrets.push(decoded);
        }
        secrets.retain(|s| !s.is_empty());
        secrets
    }

    /// The URL as it may be shown: without `user:password@`.
    pub fn shown_url(&self) -> String {
        without_userinfo(self.base_url())
    }
}

/// A URL without `user:password@`, which must not reach an output.
pub fn without_userinfo(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_string(),
    }
}

/// `%XX` escapes decoded (lossily, as UTF-8).
fn percent_decoded(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secrets() {
        let t = Target {
            name: Some("vendor".into()),
            token: Some("s3cret-token".into()),
            headers: [("X-Auth-Token".to_string(), "s3cret-header".to_string())].into(),
            identity: Some(ClientIdentity::Pem {
                cert: b"-----BEGIN CERTIFICATE-----".to_vec(),
                key: b"s3cret-key".to_vec(),
            }),
            ..Target::new("https://x")
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("<redacted>"));
        assert!(shown.contains("X-Auth-Token"), "{shown}");
        assert!(shown.contains("vendor"), "{shown}");
    }

    #[test]
    fn display_name_is_the_name_or_the_url() {
        let mut t = Target::new("https://x:6443/");
        assert_eq!(t.display_name(), "https://x:6443");
        t.name = Some("kind-local".into());
        assert_eq!(t.display_name(), "kind-local");
    }

    #[test]
    fn rejects_urls_without_scheme() {
        let err = Target::new("127.0.0.1:6443")
            .client(Duration::from_secs(1))
            .unwrap_err();
        assert!(matches!(err, TargetError::BadUrl(_)));
    }

    #[test]
    fn missing_ca_file_names_the_path() {
        let t = Target {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..Target::new("https://x")
        };
        let err = t.client(Duration::from_secs(1)).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");
    }

    #[test]
    fn ca_pem_without_certificates_is_refused() {
        let t = Target {
            ca_pem: Some(b"not a certificate".to_vec()),
            ..Target::new("https://x")
        };
        let err = t.client(Duration::from_secs(1)).unwrap_err();
        assert!(matches!(err, TargetError::CaPemInline { .. }), "{err}");
    }

    #[test]
    fn headers_are_sensitive_and_bad_ones_named_without_their_value() {
        let t = Target {
            token: Some("tok".into()),
            headers: [("X-Auth-Token".to_string(), "s3cret".to_string())].into(),
            ..Target::new("https://x")
        };
        let headers = t.default_headers().unwrap();
        assert!(headers["x-auth-token"].is_sensitive());
        assert!(headers["authorization"].is_sensitive());
        assert!(!format!("{headers:?}").contains("s3cret"));

        let bad_name = Target {
            headers: [("X Auth".to_string(), "v".to_string())].into(),
            ..Target::new("https://x")
        };
        let err = bad_name.client(Duration::from_secs(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"X Auth\" is not a valid HTTP header name"
        );

        let bad_value = Target {
            headers: [("X-Auth-Token".to_string(), "s3cret\nline".to_string())].into(),
            ..Target::new("https://x")
        };
        let err = bad_value.client(Duration::from_secs(1)).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(
            shown.contains("X-Auth-Token") && !shown.contains("s3cret"),
            "{shown}"
        );

        let two = Target {
            token: Some("tok".into()),
            headers: [("authorization".to_string(), "Basic x".to_string())].into(),
            ..Target::new("https://x")
        };
        assert!(matches!(
            two.client(Duration::from_secs(1)).unwrap_err(),
            TargetError::TwoAuthorizations { .. }
        ));
    }

    #[test]
    fn unreadable_or_bad_identities_are_named() {
        let t = Target {
            identity: Some(ClientIdentity::Files {
                cert: "/nonexistent/client.crt".into(),
                key: "/nonexistent/client.key".into(),
            }),
            ..Target::new("https://x")
        };
        let err = t.client(Duration::from_secs(1)).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/client.crt"), "{err}");

        let t = Target {
            identity: Some(ClientIdentity::Pem {
                cert: b"garbage".to_vec(),
                key: b"s3cret".to_vec(),
            }),
            ..Target::new("https://x")
        };
        let err = t.client(Duration::from_secs(1)).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(matches!(err, TargetError::Identity { .. }), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn a_password_in_the_url_is_a_secret_and_never_shown() {
        let t = Target {
            token: Some("tok".into()),
            ..Target::new("https://admin:p%40ss-w0rd@host:6443/base/")
        };
        let secrets = t.secrets();
        // "admin:p@ss-w0rd" in base64, as sent in `Authorization: Basic …`.
        assert!(
            secrets.contains(&"YWRtaW46cEBzcy13MHJk".to_string()),
            "{secrets:?}"
        );
        assert!(secrets.contains(&"p%40ss-w0rd".to_string()), "{secrets:?}");
        assert!(secrets.contains(&"p@ss-w0rd".to_string()), "{secrets:?}");
        assert!(secrets.contains(&"tok".to_string()), "{secrets:?}");
        assert_eq!(t.shown_url(), "https://host:6443/base");
        assert_eq!(without_userinfo("http://127.0.0.1:1"), "http://127.0.0.1:1");
    }
}
