//! Named targets from a TOML targets file (by default `targets.toml` in the current directory; the
//! format is documented in `targets.example.toml`):
//!
//! ```toml
//! [targets.kind-local]
//! url = "https://127.0.0.1:6443"
//! token_env = "KIND_TOKEN"        # or token_file = "path"; never a literal token
//! ca_file = "ca.pem"              # or insecure = true
//!
//! [targets.vendor]
//! url = "https://cce.example.invalid"
//! headers = { X-Auth-Token = { env = "VENDOR_TOKEN" } }
//!
//! [targets.from-kubeconfig]
//! kubeconfig = "~/.kube/config"   # context optional: the current context by default
//! context = "my-context"
//! ```
//!
//! Secrets are never stored in the file: a bearer token or a secret header value comes from an
//! environment variable or a file, read when the target is asked for ([`TargetsFile::get`]), so a
//! missing variable is reported only for the target in use. Relative paths are relative to the
//! targets file's directory; `~/` is the home directory. A kubeconfig is read with the `kube`
//! crate; settings given next to it in the targets file override what the kubeconfig says.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use reqwest::header::HeaderName;
use secrecy::ExposeSecret as _;
use serde::Deserialize;
use toml::Spanned;

use crate::target::{ClientIdentity, Target};

/// The targets file used when none is named: `targets.toml` in the current directory.
pub const DEFAULT_FILE: &str = "targets.toml";

/// Why a targets file or one of its targets could not be used. Messages name the file (with the
/// line), the target, the variable or the file at fault, and never contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    #[error("cannot read the targets file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}:{line}: target '{target}': {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        target: String,
        message: String,
    },
    #[error("no target named '{name}' in {}{}{}", path.display(), known_names(.known), url_hint(.name))]
    UnknownTarget {
        name: String,
        path: PathBuf,
        known: Vec<String>,
    },
    #[error(
        "'{spec}' is not a URL (http://… or https://…), so it should name a target in a targets file, but there is no {} here: create one (targets.example.toml shows the format) or name the file to use{}",
        path.display(), url_hint(.spec)
    )]
    NoTargetsFile { spec: String, path: PathBuf },
    #[error(
        "target '{target}': the environment variable {var} ({what}) is not set{}",
        if *.empty { " or is empty" } else { "" }
    )]
    EnvUnset {
        target: String,
        var: String,
        what: String,
        empty: bool,
    },
    #[error("target '{target}': cannot read {what} from {}: {source}", path.display())]
    CredentialFile {
        target: String,
        what: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("target '{target}': {what} from {} is empty", path.display())]
    EmptyCredential {
        target: String,
        what: String,
        path: PathBuf,
    },
    #[error("target '{target}': the kubeconfig {}: {message}", path.display())]
    Kubeconfig {
        target: String,
        path: PathBuf,
        message: String,
    },
    #[error("target '{target}': the kubeconfig {}: {message} is not supported{}", path.display(), hint_suffix(.hint))]
    Unsupported {
        target: String,
        path: PathBuf,
        message: String,
        hint: Option<String>,
    },
}

fn known_names(known: &[String]) -> String {
    if known.is_empty() {
        " (it defines no targets)".to_string()
    } else {
        format!(" (it defines: {})", known.join(", "))
    }
}

fn url_hint(spec: &str) -> String {
    if spec.contains(':') || spec.contains('/') || spec.contains('.') {
        format!("; if '{spec}' is meant as a URL, write it with https:// or http://")
    } else {
        String::new()
    }
}

fn hint_suffix(hint: &Option<String>) -> String {
    hint.as_ref().map(|h| format!(": {h}")).unwrap_or_default()
}

/// Where a secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Env(String),
    File(PathBuf),
}

/// A header value: a literal (non-secret headers only) or a secret from the environment or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HeaderSource {
    Literal(String),
    Secret(Source),
}

/// One target as written in the file, checked and with its paths resolved.
#[derive(Debug, Clone)]
struct Entry {
    url: Option<String>,
    token: Option<Source>,
    ca_file: Option<PathBuf>,
    insecure: bool,
    identity: Option<(PathBuf, PathBuf)>,
    kubeconfig: Option<PathBuf>,
    context: Option<String>,
    headers: BTreeMap<String, HeaderSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    targets: BTreeMap<String, Spanned<TargetSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetSpec {
    url: Option<String>,
    token_env: Option<String>,
    token_file: Option<String>,
    /// Only so that a literal token is refused with an explanation rather than "unknown field".
    token: Option<Spanned<serde::de::IgnoredAny>>,
    ca_file: Option<String>,
    insecure: Option<bool>,
    client_cert: Option<String>,
    client_key: Option<String>,
    kubeconfig: Option<String>,
    context: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<toml::Value>>,
}

/// A parsed targets file. Credentials are not read until a target is asked for with [`get`].
///
/// [`get`]: TargetsFile::get
#[derive(Debug, Clone)]
pub struct TargetsFile {
    path: PathBuf,
    targets: BTreeMap<String, Entry>,
}

impl TargetsFile {
    /// Reads and checks the targets file at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<TargetsFile, TargetsError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| TargetsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        TargetsFile::parse(&text, path)
    }

    /// Checks the text of a targets file; `path` is the file it came from, named in error messages
    /// and used to resolve relative paths.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<TargetsFile, TargetsError> {
        let path = path.as_ref().to_path_buf();
        let spec: FileSpec = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_col(text, span.start))
                .unwrap_or((1, 1));
            TargetsError::Parse {
                path: path.clone(),
                line,
                column,
                message: redact_strings(e.message().trim_end()),
            }
        })?;
        let dir = std::path::absolute(&path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        let mut targets = BTreeMap::new();
        for (name, spec) in spec.targets {
            let line = line_col(text, spec.span().start).0;
            let entry = check(spec.into_inner(), line, text, &dir).map_err(|(line, message)| {
                TargetsError::Invalid {
                    path: path.clone(),
                    line,
                    target: name.clone(),
                    message,
                }
            })?;
            targets.insert(name, entry);
        }
        Ok(TargetsFile { path, targets })
    }

    /// The file this was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The names of the targets, in sorted order.
    pub fn names(&self) -> Vec<&str> {
        self.targets.keys().map(String::as_str).collect()
    }

    /// The target `name`, its credentials read now (environment variables, token and key files, the
    /// kubeconfig).
    pub fn get(&self, name: &str) -> Result<Target, TargetsError> {
        let entry = self
            .targets
            .get(name)
            .ok_or_else(|| TargetsError::UnknownTarget {
                name: name.to_string(),
                path: self.path.clone(),
                known: self.targets.keys().cloned().collect(),
            })?;
        let mut target = match &entry.kubeconfig {
            Some(path) => from_kubeconfig(name, path, entry.context.as_deref())?,
            None => Target::default(),
        };
        target.name = Some(name.to_string());
        if let Some(url) = &entry.url {
            target.url = url.clone();
        }
        if let Some(source) = &entry.token {
            target.token = Some(read_secret(name, "token_env", "the token", source)?);
        }
        if let Some(ca_file) = &entry.ca_file {
            target.ca_file = Some(ca_file.clone());
            target.ca_pem = None;
            target.insecure = false;
        }
        if entry.insecure {
            target.insecure = true;
        }
        if let Some((cert, key)) = &entry.identity {
            target.identity = Some(ClientIdentity::Files {
                cert: cert.clone(),
                key: key.clone(),
            });
        }
        for (header, source) in &entry.headers {
            let value = match source {
                HeaderSource::Literal(value) => value.clone(),
                HeaderSource::Secret(source) => read_secret(
                    name,
                    &format!("header {header}"),
                    &format!("the value of the header {header}"),
                    source,
                )?,
            };
            target.headers.insert(header.clone(), value);
        }
        Ok(target)
    }
}

/// A URL (`http://…` or `https://…`) as a target without credentials, or else the target of that
/// name in the targets `file` (default: [`DEFAULT_FILE`] in the current directory).
pub fn resolve(spec: &str, file: Option<&Path>) -> Result<Target, TargetsError> {
    if spec.starts_with("http://") || spec.starts_with("https://") {
        return Ok(Target::new(spec));
    }
    let path = match file {
        Some(path) => path.to_path_buf(),
        None => {
            let path = PathBuf::from(DEFAULT_FILE);
            if !path.exists() {
                return Err(TargetsError::NoTargetsFile {
                    spec: spec.to_string(),
                    path: std::path::absolute(&path).unwrap_or(path),
                });
            }
            path
        }
    };
    TargetsFile::load(path)?.get(spec)
}

/// Checks one target's settings; an error is (line, message).
fn check(spec: TargetSpec, line: usize, text: &str, dir: &Path) -> Result<Entry, (usize, String)> {
    let fail = |message: String| Err((line, message));
    if let Some(token) = &spec.token {
        return Err((
            line_col(text, token.span().start).0,
            "a literal `token` is not accepted: secrets are never stored in the targets file. \
             Put the token in an environment variable and write token_env = \"VARIABLE\", or in a \
             file and write token_file = \"path\""
                .to_string(),
        ));
    }
    let token = match (spec.token_env, spec.token_file) {
        (Some(_), Some(_)) => return fail("token_env and token_file: give only one".into()),
        (Some(var), None) => Some(Source::Env(env_name(&var).map_err(|m| (line, m))?)),
        (None, Some(file)) => Some(Source::File(resolve_path(dir, &file))),
        (None, None) => None,
    };
    if let Some(url) = &spec.url
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return fail(format!("url {url:?} must start with https:// or http://"));
    }
    if spec.url.is_none() && spec.kubeconfig.is_none() {
        return fail("needs a url (or a kubeconfig to take it from)".into());
    }
    if spec.context.is_some() && spec.kubeconfig.is_none() {
        return fail("context is only meaningful with a kubeconfig".into());
    }
    let insecure = spec.insecure.unwrap_or(false);
    if insecure && spec.ca_file.is_some() {
        return fail("ca_file and insecure = true contradict each other: choose one".into());
    }
    let identity = match (spec.client_cert, spec.client_key) {
        (Some(cert), Some(key)) => Some((resolve_path(dir, &cert), resolve_path(dir, &key))),
        (Some(_), None) => return fail("client_cert needs client_key too".into()),
        (None, Some(_)) => return fail("client_key needs client_cert too".into()),
        (None, None) => None,
    };
    let mut headers = BTreeMap::new();
    for (name, value) in spec.headers {
        let line = line_col(text, value.span().start).0;
        headers.insert(
            name.clone(),
            header_source(&name, value.into_inner(), dir).map_err(|m| (line, m))?,
        );
    }
    Ok(Entry {
        url: spec.url,
        token,
        ca_file: spec.ca_file.map(|p| resolve_path(dir, &p)),
        insecure,
        identity,
        kubeconfig: spec.kubeconfig.map(|p| resolve_path(dir, &p)),
        context: spec.context,
        headers,
    })
}

fn header_source(name: &str, value: toml::Value, dir: &Path) -> Result<HeaderSource, String> {
    if HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!("{name:?} is not a valid HTTP header name"));
    }
    let forms = "write { env = \"VARIABLE\" } or { file = \"path\" }";
    match value {
        toml::Value::String(literal) => {
            if crate::target::is_secret_header(name) {
                Err(format!(
                    "the header {name} carries a credential, and secrets are never stored in the \
                     targets file: {forms} (a literal value is only accepted for headers whose \
                     name does not suggest a credential)"
                ))
            } else {
                Ok(HeaderSource::Literal(literal))
            }
        }
        toml::Value::Table(table) => {
            let mut keys = table.keys().map(String::as_str).collect::<Vec<_>>();
            keys.sort_unstable();
            match (keys.as_slice(), table.values().next()) {
                (["env"], Some(toml::Value::String(var))) => {
                    Ok(HeaderSource::Secret(Source::Env(env_name(var)?)))
                }
                (["file"], Some(toml::Value::String(file))) => {
                    Ok(HeaderSource::Secret(Source::File(resolve_path(dir, file))))
                }
                _ => Err(format!(
                    "header {name}: {forms}, or a plain string for a non-secret value"
                )),
            }
        }
        _ => Err(format!(
            "header {name}: {forms}, or a plain string for a non-secret value"
        )),
    }
}

fn env_name(var: &str) -> Result<String, String> {
    if var.is_empty() || var.contains('=') || var.contains('\0') {
        Err(format!("{var:?} is not an environment variable name"))
    } else {
        Ok(var.to_string())
    }
}

/// `~/…` is in the home directory, other relative paths are relative to `dir`.
fn resolve_path(dir: &Path, path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/")
        && let Some(home) = std::env::home_dir()
    {
        return home.join(rest);
    }
    dir.join(path)
}

/// Reads a secret: an environment variable's value, or a file's content without surrounding
/// whitespace.
fn read_secret(
    target: &str,
    setting: &str,
    what: &str,
    source: &Source,
) -> Result<String, TargetsError> {
    match source {
        Source::Env(var) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(value),
            Ok(_) => Err(TargetsError::EnvUnset {
                target: target.to_string(),
                var: var.clone(),
                what: setting.to_string(),
                empty: true,
            }),
            Err(_) => Err(TargetsError::EnvUnset {
                target: target.to_string(),
                var: var.clone(),
                what: setting.to_string(),
                empty: false,
            }),
        },
        Source::File(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|source| TargetsError::CredentialFile {
                    target: target.to_string(),
                    what: what.to_string(),
                    path: path.clone(),
                    source,
                })?;
            let value = text.trim();
            if value.is_empty() {
                return Err(TargetsError::EmptyCredential {
                    target: target.to_string(),
                    what: what.to_string(),
                    path: path.clone(),
                });
            }
            Ok(value.to_string())
        }
    }
}

/// The target a kubeconfig describes for `context` (default: its current context): server URL, CA
/// certificates, insecure-skip-tls-verify, bearer token (inline or token file), client certificate
/// and key (inline data or files). Authentication the harness cannot do itself (exec and
/// auth-provider plugins, basic auth, impersonation) is refused, not ignored.
fn from_kubeconfig(
    target: &str,
    path: &Path,
    context: Option<&str>,
) -> Result<Target, TargetsError> {
    use kube::config::Kubeconfig;
    let error = |message: String| TargetsError::Kubeconfig {
        target: target.to_string(),
        path: path.to_path_buf(),
        message,
    };
    let unsupported = |message: String, hint: Option<&str>| TargetsError::Unsupported {
        target: target.to_string(),
        path: path.to_path_buf(),
        message,
        hint: hint.map(str::to_string),
    };
    let mut kubeconfig = Kubeconfig::read_from(path).map_err(|e| error(kubeconfig_message(&e)))?;
    if let Some(context) = context {
        if !kubeconfig.contexts.iter().any(|c| c.name == context) {
            let names: Vec<&str> = kubeconfig
                .contexts
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            return Err(error(format!(
                "has no context named '{context}' (it has: {})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )));
        }
        kubeconfig.current_context = Some(context.to_string());
    } else if kubeconfig.current_context.is_none() {
        return Err(error(
            "sets no current-context: name one with context = \"…\" in the targets file".into(),
        ));
    }
    let config = kube::Config::try_from(kubeconfig).map_err(|e| error(kubeconfig_message(&e)))?;
    let auth = &config.auth_info;
    let external = Some("get a token from it yourself and give it with token_env or token_file");
    if let Some(exec) = &auth.exec {
        return Err(unsupported(
            format!(
                "the exec credential plugin ({})",
                exec.command.as_deref().unwrap_or("no command")
            ),
            external,
        ));
    }
    if let Some(provider) = &auth.auth_provider {
        return Err(unsupported(
            format!("the auth-provider plugin '{}'", provider.name),
            external,
        ));
    }
    if auth.username.is_some() || auth.password.is_some() {
        return Err(unsupported(
            "basic authentication (username/password)".into(),
            None,
        ));
    }
    if auth.impersonate.is_some()
        || auth.impersonate_uid.is_some()
        || auth.impersonate_groups.is_some()
        || auth.impersonate_user_extra.is_some()
    {
        return Err(unsupported("impersonation (as, as-groups, …)".into(), None));
    }
    if config.tls_server_name.is_some() {
        return Err(unsupported("tls-server-name".into(), None));
    }

    let token = match (&auth.token, &auth.token_file) {
        (Some(token), _) => Some(token.expose_secret().to_string()),
        (None, Some(file)) => Some(read_secret(
            target,
            "tokenFile",
            "the kubeconfig's token",
            &Source::File(PathBuf::from(file)),
        )?),
        (None, None) => None,
    };
    let load = |what: &str,
                data: Option<&str>,
                file: Option<&String>|
     -> Result<Option<Vec<u8>>, TargetsError> {
        match (data, file) {
            (Some(data), _) => base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map(Some)
                .map_err(|_| error(format!("the {what}-data of its user is not valid base64"))),
            (None, Some(file)) => {
                std::fs::read(file)
                    .map(Some)
                    .map_err(|source| TargetsError::CredentialFile {
                        target: target.to_string(),
                        what: format!("the kubeconfig's {what}"),
                        path: PathBuf::from(file),
                        source,
                    })
            }
            (None, None) => Ok(None),
        }
    };
    let cert = load(
        "client-certificate",
        auth.client_certificate_data.as_deref(),
        auth.client_certificate.as_ref(),
    )?;
    let key = load(
        "client-key",
        auth.client_key_data.as_ref().map(|k| k.expose_secret()),
        auth.client_key.as_ref(),
    )?;
    let identity = match (cert, key) {
        (Some(cert), Some(key)) => Some(ClientIdentity::Pem { cert, key }),
        (None, None) => None,
        (Some(_), None) => {
            return Err(error(
                "its user has a client certificate but no client key".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(error(
                "its user has a client key but no client certificate".into(),
            ));
        }
    };
    let ca_pem = config.root_cert.as_ref().map(|certs| {
        certs.iter().fold(String::new(), |mut pem, der| {
            pem.push_str("-----BEGIN CERTIFICATE-----\n");
            let b64 = base64::engine::general_purpose::STANDARD.encode(der);
            for chunk in b64.as_bytes().chunks(64) {
                pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
                pem.push('\n');
            }
            pem.push_str("-----END CERTIFICATE-----\n");
            pem
        })
    });
    Ok(Target {
        name: Some(target.to_string()),
        url: config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string(),
        token,
        ca_file: None,
        ca_pem: ca_pem.map(String::into_bytes),
        insecure: config.accept_invalid_certs,
        headers: BTreeMap::new(),
        identity,
    })
}

/// A kube kubeconfig error as a message without secrets: YAML errors give their position and a
/// message with quoted values elided (the YAML snippet could show a token).
fn kubeconfig_message(e: &kube::config::KubeconfigError) -> String {
    use kube::config::KubeconfigError as E;
    match e {
        E::Parse(yaml) => {
            let mut message = String::from("is not a valid kubeconfig");
            if let Some(at) = yaml.location() {
                let _ = write!(message, " (line {}, column {})", at.line(), at.column());
            }
            let detail = redact_strings(&yaml.without_snippet().to_string());
            let detail = detail.lines().next().unwrap_or_default();
            if !detail.is_empty() {
                let _ = write!(message, ": {detail}");
            }
            message
        }
        E::ReadConfig(source, _) => format!("cannot be read: {source}"),
        E::CurrentContextNotSet => {
            "sets no current-context: name one with context = \"…\" in the targets file".into()
        }
        E::LoadContext(name) => format!("has no context named '{name}'"),
        E::LoadClusterOfContext(name) => {
            format!("its context refers to the cluster '{name}', which it does not define")
        }
        E::MissingClusterUrl => "its cluster has no server URL".into(),
        other => redact_strings(&other.to_string()),
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Replaces the contents of quoted string values in a parser's message (`string "…"`, as serde
/// reports an unexpected string) with `…`, so that a secret written in the wrong place is not
/// echoed.
fn redact_strings(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("string \"") {
        let open = at + "string \"".len();
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let mut escaped = false;
        let close = tail.char_indices().find_map(|(i, c)| {
            let end = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            end.then_some(i)
        });
        out.push('…');
        match close {
            Some(close) => rest = &tail[close..],
            None => {
                rest = "";
                out.push('"');
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TargetsFile, TargetsError> {
        TargetsFile::parse(text, "/etc/apiconform/targets.toml")
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("ab\ncd\n", 0), (1, 1));
        assert_eq!(line_col("ab\ncd\n", 4), (2, 2));
    }

    #[test]
    fn redacts_quoted_strings() {
        assert_eq!(
            redact_strings("invalid type: string \"s3\\\"cret\", expected a boolean"),
            "invalid type: string \"…\", expected a boolean"
        );
        assert_eq!(
            redact_strings("unknown field `tokn`"),
            "unknown field `tokn`"
        );
    }

    #[test]
    fn paths_resolve_against_the_file_and_home() {
        let file = parse(
            "[targets.a]\nurl = \"https://a\"\nca_file = \"pki/ca.pem\"\ntoken_file = \"/abs/token\"\n\
             client_cert = \"c.crt\"\nclient_key = \"~/c.key\"\n",
        )
        .unwrap();
        let entry = &file.targets["a"];
        assert_eq!(
            entry.ca_file.as_deref(),
            Some(Path::new("/etc/apiconform/pki/ca.pem"))
        );
        assert_eq!(entry.token, Some(Source::File("/abs/token".into())));
        let (cert, key) = entry.identity.clone().unwrap();
        assert_eq!(cert, Path::new("/etc/apiconform/c.crt"));
        if let Some(home) = std::env::home_dir() {
            assert_eq!(key, home.join("c.key"));
        }
    }

    #[test]
    fn contradictions_are_refused_with_the_line() {
        for (text, expected) in [
            (
                "[targets.a]\nurl = \"https://a\"\ntoken_env = \"A\"\ntoken_file = \"f\"\n",
                "only one",
            ),
            (
                "[targets.a]\nurl = \"https://a\"\nca_file = \"c\"\ninsecure = true\n",
                "contradict",
            ),
            (
                "[targets.a]\nurl = \"https://a\"\nclient_cert = \"c\"\n",
                "client_key",
            ),
            ("[targets.a]\nurl = \"a:6443\"\n", "https://"),
            ("[targets.a]\ntoken_env = \"A\"\n", "needs a url"),
            (
                "[targets.a]\nurl = \"https://a\"\ncontext = \"c\"\n",
                "kubeconfig",
            ),
            (
                "[targets.a]\nurl = \"https://a\"\nheaders = { \"X Y\" = \"v\" }\n",
                "header name",
            ),
            (
                "[targets.a]\nurl = \"https://a\"\nheaders = { X-Y = { env = \"A\", file = \"f\" } }\n",
                "env =",
            ),
        ] {
            let err = parse(text).unwrap_err();
            let shown = err.to_string();
            assert!(
                matches!(err, TargetsError::Invalid { line: 1..=3, .. }),
                "{shown}"
            );
            assert!(
                shown.starts_with("/etc/apiconform/targets.toml:"),
                "{shown}"
            );
            assert!(shown.contains(expected), "{text}: {shown}");
        }
    }

    #[test]
    fn literal_secret_headers_are_refused_others_accepted() {
        let err = parse(
            "[targets.a]\nurl = \"https://a\"\n\n[targets.a.headers]\nX-Auth-Token = \"s3cret\"\n",
        )
        .unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.starts_with("/etc/apiconform/targets.toml:5: target 'a'"),
            "{shown}"
        );
        assert!(!shown.contains("s3cret"), "{shown}");
        let file =
            parse("[targets.a]\nurl = \"https://a\"\nheaders = { Accept-Language = \"de\" }\n")
                .unwrap();
        let target = file.get("a").unwrap();
        assert_eq!(target.headers["Accept-Language"], "de");
    }
}
