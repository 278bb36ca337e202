//! The flags several commands share: which cases and how they run, reports and the gate, and how to
//! authenticate to a target given as a URL.

use super::CliError;
use crate::cases;
use crate::results::baseline::Baseline;
use crate::runner::session;
use crate::target::{self, Target};
use crate::verify::snapshot::{Snapshots, Update};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// The name of the embedded reference server in results.
pub const REFERENCE: &str = "reference";

/// Which cases, and how they run.
#[derive(Args)]
pub struct SuiteArgs {
    /// Directory of case files (*.yaml).
    #[arg(long, default_value = "cases", value_name = "DIR")]
    pub cases: PathBuf,
    /// Directory of the accepted snapshots (`<case id>.snap`). With `run`, a new or differing answer
    /// fails its case and is written beside it as `<case id>.snap.new` for `cargo insta review`
    /// (INSTA_UPDATE=no writes nothing; INSTA_UPDATE=always accepts answers that pass layers 1-3);
    /// `compare` only reads them.
    #[arg(long, default_value = "snapshots", value_name = "DIR")]
    pub snapshots: PathBuf,
    /// Skip the snapshot layer (check layers 1-3 only).
    #[arg(long)]
    pub no_snapshots: bool,
    /// Cases run at the same time (per target).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Per-request timeout in seconds (connecting, sending and reading the whole answer).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Also run the cases that cannot be confined to the run's own objects (they read or change
    /// objects the run did not create, e.g. an existing node); without it they are `skipped`.
    #[arg(long)]
    pub allow_unconfined: bool,
}

/// Reports and the CI gate.
#[derive(Args)]
pub struct OutputArgs {
    /// Write the reports into this directory: results.json, junit-<target>.xml, summary.md,
    /// report.html (`compare` default: apiconform-report).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Accepted deviations (TOML): failures covered there do not fail the exit code; expired
    /// entries do.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the baseline file (--baseline, default baseline.toml) so that it accepts exactly what
    /// fails now: keeps the entries still needed, drops expired and unneeded ones, adds new ones.
    #[arg(long)]
    pub update_baseline: bool,
}

/// How to authenticate to a target given on the command line.
#[derive(Args)]
pub struct AuthArgs {
    /// Bearer token (read from the environment so that it stays out of shell history and `ps`).
    #[arg(
        long = "token-env",
        value_name = "VAR",
        default_value = "APICONFORM_TOKEN"
    )]
    pub token_env: String,
    /// File holding the bearer token (used if the variable named by --token-env is unset).
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// PEM file with the CA certificate(s) to trust.
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<PathBuf>,
    /// Accept any server certificate (for self-signed test servers only).
    #[arg(long)]
    pub insecure: bool,
    /// The targets file in which target names are looked up (default: targets.toml). Named targets
    /// carry their own authentication; the flags above apply to targets given as URLs.
    #[arg(long, value_name = "FILE", env = "APICONFORM_TARGETS_FILE")]
    pub targets_file: Option<PathBuf>,
    /// Refused: a token on the command line ends up in shell history and `ps` (see the error).
    #[arg(long, hide = true, value_name = "TOKEN")]
    pub token: Option<String>,
}

impl AuthArgs {
    /// Refuses a token given on the command line, saying where tokens go.
    pub fn check(&self) -> Result<(), CliError> {
        if self.token.is_some() {
            return Err(CliError(
                "--token is not accepted: a token on the command line is kept in the shell's \
                 history and shown by `ps` to every user of the machine.\n  hint: put it in an \
                 environment variable (APICONFORM_TOKEN, or another named by --token-env VAR), in a \
                 file (--token-file PATH), or in a targets file entry (token_env / token_file)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The target a spec names: a URL (authenticated with these flags) or the name of a target in
    /// the targets file (authenticated as the file says).
    pub fn target(&self, spec: &str) -> Result<Target, CliError> {
        self.check()?;
        if !spec.contains("://") {
            return Ok(target::file::resolve(spec, self.targets_file.as_deref())?);
        }
        let token = match std::env::var(&self.token_env) {
            Ok(t) if !t.is_empty() => Some(t),
            _ => match &self.token_file {
                Some(p) => Some(
                    std::fs::read_to_string(p)
                        .map_err(|e| {
                            CliError(format!("cannot read the token file {}: {e}", p.display()))
                        })?
                        .trim()
                        .to_string(),
                ),
                None => None,
            },
        };
        Ok(Target {
            url: spec.to_string(),
            token,
            ca_file: self.ca_file.clone(),
            insecure: self.insecure,
            ..Target::default()
        })
    }
}

impl SuiteArgs {
    /// The cases of `--cases`, those whose id contains `filter` if given.
    pub fn load(&self, filter: Option<&str>) -> Result<Vec<cases::Case>, CliError> {
        if !(self.timeout > 0.0 && self.timeout <= 3600.0) {
            return Err(CliError(
                "--timeout must be between 0 and 3600 seconds".into(),
            ));
        }
        let mut cases = cases::load_dir(&self.cases)?;
        if let Some(f) = filter {
            cases.retain(|c| c.id.contains(f));
            if cases.is_empty() {
                return Err(CliError(format!("no case id contains {f:?}")));
            }
        }
        Ok(cases)
    }

    /// How each target is run; `update` overrides `INSTA_UPDATE`.
    pub fn options(&self, update: Option<Update>) -> Result<session::Options, CliError> {
        let snapshots = if self.no_snapshots {
            None
        } else {
            Some(Snapshots {
                dir: self.snapshots.clone(),
                update: match update {
                    Some(u) => u,
                    None => Update::from_env()?,
                },
            })
        };
        Ok(session::Options {
            timeout: Duration::from_secs_f64(self.timeout),
            concurrency: self.concurrency,
            snapshots,
            allow_unconfined: self.allow_unconfined,
        })
    }
}

impl OutputArgs {
    pub fn baseline_path(&self) -> PathBuf {
        self.baseline
            .clone()
            .unwrap_or_else(|| PathBuf::from("baseline.toml"))
    }

    /// The baseline to judge against, if any.
    pub fn load_baseline(&self) -> Result<Option<Baseline>, CliError> {
        let path = self.baseline_path();
        // --update-baseline starts from the file if it exists, else from nothing.
        let load = if self.update_baseline {
            path.exists()
        } else {
            self.baseline.is_some()
        };
        if load {
            Ok(Some(Baseline::load(&path)?))
        } else {
            Ok(None)
        }
    }
}

/// The name of a target given as a URL: its host and port.
pub fn url_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_string()
}
