//! Baselines: deviations a team has accepted, per target, so that a CI gate fails only on new ones.
//!
//! A baseline is a TOML file of `[[accept]]` entries: target, case, optionally a JSON Pointer (the
//! mismatch's path or a parent of it) and a layer, the reason, and optionally an expiry date. A failed
//! case whose mismatches are all covered becomes [`Cell::Accepted`]. An expired entry covers nothing
//! and fails the gate until it is renewed or removed; an entry that covers nothing any more is
//! reported as no longer needed.

use crate::results::{Cell, Counts, ResultSet};
use crate::verify::{Layer, Mismatch};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The baseline file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    #[serde(default)]
    pub accept: Vec<Entry>,
}

/// One accepted deviation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Target name, or `*` for every target.
    pub target: String,
    /// Case id.
    pub case: String,
    /// JSON Pointer of the accepted mismatch (or a parent of it); absent: the whole case, whatever
    /// fails in it (also an error or an unsupported request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only mismatches of this layer (`protocol`, `semantics`, `document`, `snapshot`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Layer>,
    pub reason: String,
    /// `YYYY-MM-DD`: the last day the entry applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read the baseline {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: {message}\n  hint: a baseline is a list of [[accept]] entries with target, case, reason and optionally path, layer, expires"
    )]
    Parse { path: PathBuf, message: String },
    #[error("cannot write the baseline {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What applying a baseline found about the baseline itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// Entries past their expiry date (they fail the gate).
    pub expired: Vec<Entry>,
    /// Entries for targets of this run that covered nothing (no longer needed).
    pub unused: Vec<Entry>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let parse = |message: String| BaselineError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let baseline: Baseline = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            parse(format!(
                "{}{}",
                line.map(|l| format!("line {l}: ")).unwrap_or_default(),
                e.message()
            ))
        })?;
        for (i, e) in baseline.accept.iter().enumerate() {
            let n = i + 1;
            if e.path
                .as_deref()
                .is_some_and(|p| !p.is_empty() && !p.starts_with('/'))
            {
                return Err(parse(format!(
                    "entry {n}: path must be a JSON Pointer (starting with '/')"
                )));
            }
            if e.expires.as_deref().is_some_and(|d| !is_date(d)) {
                return Err(parse(format!(
                    "entry {n}: expires must be a date YYYY-MM-DD"
                )));
            }
            if e.reason.trim().is_empty() {
                return Err(parse(format!(
                    "entry {n} ({}): a reason is required",
                    e.case
                )));
            }
        }
        Ok(baseline)
    }

    /// Writes the baseline (through a temporary file, so it is never half-written).
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        let text = format!(
            "# apiconform baseline: accepted deviations per target. A run exits non-zero only for\n\
             # failures not covered here. Entries: target (or \"*\"), case, optional path (JSON\n\
             # Pointer) and layer, reason, optional expires = \"YYYY-MM-DD\".\n\n{body}"
        );
        crate::fsutil::write_atomic(path, text.as_bytes()).map_err(|e| BaselineError::Write {
            path: e.path,
            source: e.source,
        })
    }

    /// Marks the failed cells whose mismatches the baseline covers as accepted (with the reasons),
    /// recounts, and reports expired and unused entries. `today` is `YYYY-MM-DD`.
    pub fn apply(&self, set: &mut ResultSet, today: &str) -> Applied {
        let mut used = vec![false; self.accept.len()];
        let live = |e: &Entry| e.expires.as_deref().is_none_or(|d| d >= today);
        for t in &mut set.targets {
            for case in &mut t.cases {
                if !case.cell.gates() {
                    continue;
                }
                let entries: Vec<(usize, &Entry)> = self
                    .accept
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| {
                        (e.target == "*" || e.target == t.name) && e.case == case.id && live(e)
                    })
                    .collect();
                let whole = entries
                    .iter()
                    .find(|(_, e)| e.path.is_none() && e.layer.is_none());
                let mut reasons = Vec::new();
                let covered = if let Some((i, e)) = whole {
                    used[*i] = true;
                    reasons.push(e.reason.clone());
                    true
                } else if case.cell == Cell::Error || case.mismatches.is_empty() {
                    false
                } else {
                    case.mismatches.iter().all(|m| {
                        let hit = entries.iter().find(|(_, e)| covers(e, m));
                        if let Some((i, e)) = hit {
                            used[*i] = true;
                            if !reasons.contains(&e.reason) {
                                reasons.push(e.reason.clone());
                            }
                        }
                        hit.is_some()
                    })
                };
                if covered {
                    case.cell = Cell::Accepted;
                    case.accepted = reasons;
                }
            }
            t.counts = Counts::of(&t.cases);
        }
        let in_run = |e: &Entry| e.target == "*" || set.targets.iter().any(|t| t.name == e.target);
        let mut applied = Applied::default();
        for (e, used) in self.accept.iter().zip(used) {
            if !in_run(e) {
                continue;
            }
            if !live(e) {
                applied.expired.push(e.clone());
            } else if !used {
                applied.unused.push(e.clone());
            }
        }
        applied
    }

    /// The baseline that accepts exactly what fails now: the entries still used (kept as they are),
    /// plus one new entry per case (error, unsupported) or per uncovered mismatch path. Expired and
    /// unused entries of the run's targets are dropped; entries for other targets are kept.
    pub fn updated(&self, set: &ResultSet, today: &str) -> Baseline {
        let mut probe = set.clone();
        let applied = self.apply(&mut probe, today);
        let dropped = |e: &Entry| applied.expired.contains(e) || applied.unused.contains(e);
        let mut out = Baseline {
            accept: self
                .accept
                .iter()
                .filter(|e| !dropped(e))
                .cloned()
                .collect(),
        };
        for t in &probe.targets {
            for case in t.cases.iter().filter(|c| c.cell.gates()) {
                let note = format!("recorded by --update-baseline on {today}");
                if case.cell != Cell::Failed || case.mismatches.is_empty() {
                    out.accept.push(Entry {
                        target: t.name.clone(),
                        case: case.id.clone(),
                        path: None,
                        layer: None,
                        reason: format!("{note}: {:?}", case.cell).to_lowercase(),
                        expires: None,
                    });
                    continue;
                }
                let mut seen: Vec<(String, Layer)> = Vec::new();
                for m in &case.mismatches {
                    let live_cover = self.accept.iter().any(|e| {
                        (e.target == "*" || e.target == t.name)
                            && e.case == case.id
                            && e.expires.as_deref().is_none_or(|d| d >= today)
                            && covers(e, m)
                    });
                    if live_cover || seen.contains(&(m.path.clone(), m.layer)) {
                        continue;
                    }
                    seen.push((m.path.clone(), m.layer));
                    out.accept.push(Entry {
                        target: t.name.clone(),
                        case: case.id.clone(),
                        path: Some(m.path.clone()),
                        layer: Some(m.layer),
                        reason: format!("{note}: {}", m.check),
                        expires: None,
                    });
                }
            }
        }
        out
    }
}

/// Whether an entry with a path (or a layer) covers a mismatch.
fn covers(e: &Entry, m: &Mismatch) -> bool {
    let path_ok = match &e.path {
        None => true,
        Some(p) => m.path == *p || p.is_empty() || m.path.starts_with(&format!("{p}/")),
    };
    path_ok && e.layer.is_none_or(|l| l == m.layer)
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    d.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    humantime::format_rfc3339(std::time::SystemTime::now()).to_string()[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CaseResult, TargetResults};
    use serde_json::json;

    fn mismatch(layer: Layer, path: &str) -> Mismatch {
        Mismatch {
            layer,
            check: "x".into(),
            path: path.into(),
            expected: Some(json!(1)),
            actual: Some(json!(2)),
        }
    }

    fn case(id: &str, cell: Cell, mismatches: Vec<Mismatch>) -> CaseResult {
        CaseResult {
            mismatches,
            ..CaseResult::new(id, cell)
        }
    }

    fn set() -> ResultSet {
        ResultSet {
            schema_version: 1,
            tool: "t".into(),
            started_at: "2026-11-22T00:00:00Z".into(),
            duration_ms: 0,
            reference: None,
            cases: vec![],
            targets: vec![TargetResults::new(
                "vendor",
                "http://x",
                vec![
                    case(
                        "a",
                        Cell::Failed,
                        vec![
                            mismatch(Layer::Snapshot, "/metadata/generation"),
                            mismatch(Layer::Snapshot, "/status/qosClass"),
                        ],
                    ),
                    case("b", Cell::Unsupported, vec![mismatch(Layer::Protocol, "")]),
                    case("c", Cell::Passed, vec![]),
                ],
            )],
        }
    }

    fn entry(case: &str, path: Option<&str>, expires: Option<&str>) -> Entry {
        Entry {
            target: "vendor".into(),
            case: case.into(),
            path: path.map(str::to_string),
            layer: None,
            reason: format!("because {case}"),
            expires: expires.map(str::to_string),
        }
    }

    #[test]
    fn covered_mismatches_are_accepted_and_the_gate_passes() {
        let b = Baseline {
            accept: vec![
                entry("a", Some("/metadata"), None),
                entry("a", Some("/status/qosClass"), Some("2026-12-31")),
                entry("b", None, None),
            ],
        };
        let mut s = set();
        assert!(s.gate_failed());
        let applied = b.apply(&mut s, "2026-11-22");
        assert_eq!(applied, Applied::default());
        assert_eq!(s.targets[0].cases[0].cell, Cell::Accepted);
        assert_eq!(s.targets[0].cases[1].cell, Cell::Accepted);
        assert_eq!(s.targets[0].counts.accepted, 2);
        assert!(!s.gate_failed());
    }

    #[test]
    fn partly_covered_expired_and_unused_entries() {
        let b = Baseline {
            accept: vec![
                entry("a", Some("/metadata/generation"), None),
                entry("b", None, Some("2026-11-21")),
                entry("c", None, None),
                Entry {
                    target: "other-vendor".into(),
                    ..entry("a", None, None)
                },
            ],
        };
        let mut s = set();
        let applied = b.apply(&mut s, "2026-11-22");
        // One of a's two mismatches is not covered: still failed.
        assert_eq!(s.targets[0].cases[0].cell, Cell::Failed);
        // The expired entry no longer accepts b, and is reported.
        assert_eq!(s.targets[0].cases[1].cell, Cell::Unsupported);
        assert_eq!(applied.expired, vec![b.accept[1].clone()]);
        // c passes: its entry is no longer needed; the other target's entry is not judged.
        assert_eq!(applied.unused, vec![b.accept[2].clone()]);
        assert!(s.gate_failed());

        // Updating keeps the used entry, drops expired and unused ones, adds what fails now.
        let u = b.updated(&set(), "2026-11-22");
        let mut s = set();
        let applied = u.apply(&mut s, "2026-11-22");
        assert!(!s.gate_failed(), "{u:#?}");
        assert_eq!(applied, Applied::default());
        assert!(u.accept.contains(&b.accept[0]));
        assert!(u.accept.contains(&b.accept[3]));
        assert_eq!(u.accept.len(), 4, "{u:#?}");
    }

    #[test]
    fn files_round_trip_and_errors_name_the_line() {
        let dir = std::env::temp_dir().join(format!("apiconform-bl-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("baseline.toml");
        let b = Baseline {
            accept: vec![entry("a", Some("/x"), Some("2027-01-01"))],
        };
        b.save(&p).unwrap();
        assert_eq!(Baseline::load(&p).unwrap(), b);
        std::fs::write(
            &p,
            "[[accept]]\ntarget = \"v\"\ncase = \"a\"\nreason = \"r\"\nexpiry = \"2027-01-01\"\n",
        )
        .unwrap();
        let err = Baseline::load(&p).unwrap_err().to_string();
        assert!(
            err.contains("baseline.toml") && err.contains("line 5"),
            "{err}"
        );
        std::fs::write(
            &p,
            "[[accept]]\ntarget = \"v\"\ncase = \"a\"\nreason = \"r\"\nexpires = \"soon\"\n",
        )
        .unwrap();
        let err = Baseline::load(&p).unwrap_err().to_string();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
    }
}
