//! Targets: where requests go and how they authenticate (bearer token, CA file or explicit insecure
//! mode). Credentials are kept out of `Debug` output.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// An endpoint to test: a base URL plus TLS and authentication settings.
#[derive(Clone, Default)]
pub struct Target {
    /// Base URL, e.g. `https://127.0.0.1:6443` (no trailing slash needed).
    pub url: String,
    /// Bearer token sent as `Authorization: Bearer …`.
    pub token: Option<String>,
    /// PEM file with the CA certificate(s) to trust for this target.
    pub ca_file: Option<PathBuf>,
    /// Accept any server certificate (self-signed test servers). Must be asked for explicitly.
    pub insecure: bool,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("ca_file", &self.ca_file)
            .field("insecure", &self.insecure)
            .finish()
    }
}

/// Why an HTTP client for a target could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("cannot read the CA file {path}: {source}")]
    CaFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the CA file {path} holds no usable PEM certificate: {source}")]
    CaPem {
        path: PathBuf,
        source: reqwest::Error,
    },
    #[error("the bearer token is not a valid HTTP header value (it must be printable ASCII)")]
    BadToken,
    #[error("cannot build an HTTP client: {0}")]
    Client(reqwest::Error),
    #[error("the target URL {0:?} must start with http:// or https://")]
    BadUrl(String),
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

    /// An HTTP client for this target: connection reuse, the token as a default header (marked
    /// sensitive so it never shows in debug output), the TLS settings, and a per-request timeout.
    pub fn client(&self, timeout: Duration) -> Result<reqwest::Client, TargetError> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(TargetError::BadUrl(self.url.clone()));
        }
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(token) = &self.token {
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| TargetError::BadToken)?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("apiconform/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(64)
            .tcp_nodelay(true);
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read(path).map_err(|source| TargetError::CaFile {
                path: path.clone(),
                source,
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|source| {
                TargetError::CaPem {
                    path: path.clone(),
                    source,
                }
            })?;
            builder = builder.tls_certs_only(certs);
        }
        if self.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        builder.build().map_err(TargetError::Client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token() {
        let t = Target {
            token: Some("s3cret-token".into()),
            ..Target::new("https://x")
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("<redacted>"));
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
}
