//! The process's exit codes, named, and derived from a result set in one place.

use super::ResultSet;
use super::baseline::Applied;

/// How an invocation ends, as its exit code says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: every case passed or was accepted by the baseline.
    Passed,
    /// 1: a case failed (or errored, or was unsupported) outside the baseline, an accepted deviation
    /// expired, or an import left a page or file behind.
    Failed,
    /// 2: usage, configuration or infrastructure error: nothing could be judged.
    Error,
    /// 130: interrupted by Ctrl-C or SIGTERM (after the cleanup).
    Interrupted,
}

impl Exit {
    /// The exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Passed => 0,
            Exit::Failed => 1,
            Exit::Error => 2,
            Exit::Interrupted => 130,
        }
    }

    /// How a session that produced `set` ends: interrupted, or no target could even start (an
    /// infrastructure error), or failed at the gate (failures outside the baseline, expired
    /// entries), or passed.
    pub fn of(set: &ResultSet, applied: &Applied, interrupted: bool) -> Exit {
        if interrupted {
            Exit::Interrupted
        } else if set.none_started() {
            Exit::Error
        } else if set.gate_failed() || !applied.expired.is_empty() {
            Exit::Failed
        } else {
            Exit::Passed
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CaseResult, Cell, SCHEMA_VERSION, TargetResults};

    fn set(targets: Vec<TargetResults>) -> ResultSet {
        ResultSet {
            schema_version: SCHEMA_VERSION,
            tool: "t".into(),
            started_at: "2026-12-02T00:00:00Z".into(),
            duration_ms: 0,
            reference: None,
            cases: vec![],
            targets,
        }
    }

    #[test]
    fn exit_codes_follow_the_set() {
        let none = Applied::default();
        let passed = TargetResults::new("a", "http://a", vec![CaseResult::new("x", Cell::Passed)]);
        let failed = TargetResults::new("b", "http://b", vec![CaseResult::new("x", Cell::Failed)]);
        let accepted =
            TargetResults::new("c", "http://c", vec![CaseResult::new("x", Cell::Accepted)]);
        let mut dead = TargetResults::new("d", "http://d", vec![]);
        dead.error = Some("connection refused".into());
        assert_eq!(
            Exit::of(&set(vec![passed.clone()]), &none, false),
            Exit::Passed
        );
        assert_eq!(Exit::of(&set(vec![accepted]), &none, false), Exit::Passed);
        assert_eq!(
            Exit::of(&set(vec![passed.clone(), failed]), &none, false),
            Exit::Failed
        );
        assert_eq!(
            Exit::of(&set(vec![dead.clone()]), &none, false),
            Exit::Error
        );
        // One target that could not start beside one that ran: the gate fails, not the whole run.
        assert_eq!(
            Exit::of(&set(vec![passed.clone(), dead]), &none, false),
            Exit::Failed
        );
        assert_eq!(
            Exit::of(&set(vec![passed.clone()]), &none, true),
            Exit::Interrupted
        );
        let expired = Applied {
            expired: vec![crate::results::baseline::Entry {
                target: "*".into(),
                case: "x".into(),
                path: None,
                layer: None,
                reason: "old".into(),
                expires: Some("2020-01-01".into()),
            }],
            ..Applied::default()
        };
        assert_eq!(Exit::of(&set(vec![passed]), &expired, false), Exit::Failed);
        assert_eq!(
            [Exit::Passed, Exit::Failed, Exit::Error, Exit::Interrupted].map(Exit::code),
            [0, 1, 2, 130]
        );
    }
}
