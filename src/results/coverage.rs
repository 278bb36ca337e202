//! The reference's coverage and each target's conformance score: a pure function of a
//! [`ResultSet`] that every report renders.
//!
//! The documented operations are the set's cases (one case, one documented operation: a method on
//! a path, as a document's example shows it). They are grouped per API group (`core`, `apps`, …,
//! `discovery` for discovery documents, `other` for other paths) and, within a group, per kind and
//! API version (`Deployment` in `apps/v1`, and apart in a retired `apps/v1beta1`). For every group,
//! kind and target, a [`Tally`] counts the cells.
//!
//! A target's [`Score`] is the share of all documented operations that behave as documented on
//! it: cells `passed` and `accepted` (passed with a reason, the baseline's) hold; every other cell
//! does not — `failed`, `unsupported` and `error`, and also `not_served` (the target does not serve
//! the documented endpoint), `skipped` (not run here: it cannot be confined to the run's objects)
//! and cases the target did not run. The last three are not failures of the target, so the score
//! lists them apart: "docs vs vendor-b: 251 of 300 operations hold (83%)".

use super::{CaseInfo, Cell, ResultSet};
use crate::kinds;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Write;

/// The cells of some operations on one target, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub passed: usize,
    /// Failed, but every mismatch is accepted by the baseline: holds, with a reason.
    pub accepted: usize,
    pub failed: usize,
    pub unsupported: usize,
    pub errors: usize,
    pub not_served: usize,
    pub skipped: usize,
    /// Not run on the target (it could not be run, or the case was not part of its run).
    pub not_run: usize,
}

impl Tally {
    /// Counts one operation: its cell, or `None` if it did not run.
    pub fn add(&mut self, cell: Option<Cell>) {
        let n = match cell {
            Some(Cell::Passed) => &mut self.passed,
            Some(Cell::Accepted) => &mut self.accepted,
            Some(Cell::Failed) => &mut self.failed,
            Some(Cell::Unsupported) => &mut self.unsupported,
            Some(Cell::Error) => &mut self.errors,
            Some(Cell::NotServed) => &mut self.not_served,
            Some(Cell::Skipped) => &mut self.skipped,
            None => &mut self.not_run,
        };
        *n += 1;
    }

    /// The operations that behave as documented: passed and accepted.
    pub fn holds(&self) -> usize {
        self.passed + self.accepted
    }

    /// Every operation counted.
    pub fn total(&self) -> usize {
        self.holds() + self.failures() + self.not_judged()
    }

    /// The operations where the target does not behave as documented: failed, unsupported,
    /// error (the cells that fail a CI gate).
    pub fn failures(&self) -> usize {
        self.failed + self.unsupported + self.errors
    }

    /// The operations that do not hold without being failures: not served, skipped, not run.
    pub fn not_judged(&self) -> usize {
        self.not_served + self.skipped + self.not_run
    }

    /// `(count, word)` of every kind of cell, in report order: passed, accepted, failed,
    /// unsupported, error, not served, skipped, not run.
    pub fn parts(&self) -> [(usize, &'static str); 8] {
        [
            (self.passed, "passed"),
            (self.accepted, "accepted"),
            (self.failed, "failed"),
            (self.unsupported, "unsupported"),
            (self.errors, "error"),
            (self.not_served, "not served"),
            (self.skipped, "skipped"),
            (self.not_run, "not run"),
        ]
    }

    /// The counts that are not zero, in words: `3 passed, 1 accepted, 2 not served`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .parts()
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!("{n} {}", plural_word(*n, w)))
            .collect();
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    }
}

fn plural_word(n: usize, word: &str) -> String {
    if n != 1 && word == "error" {
        "errors".into()
    } else {
        word.into()
    }
}

/// One target's conformance score: of the documented operations, how many hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub target: String,
    /// Passed + accepted.
    pub holds: usize,
    /// Every documented operation (every case of the set).
    pub operations: usize,
    /// Whether this is the set's reference target.
    pub reference: bool,
    /// The target could not be run at all (every operation not run).
    pub could_not_run: bool,
    pub tally: Tally,
}

impl Score {
    /// The share that holds, in whole percent rounded down (299 of 300 is 99%, not 100%).
    pub fn percent(&self) -> usize {
        (self.holds * 100).checked_div(self.operations).unwrap_or(0)
    }

    /// `docs vs vendor-b: 251 of 300 operations hold (83%)`.
    pub fn headline(&self) -> String {
        format!(
            "docs vs {}: {} of {} operation{} hold{} ({}%)",
            self.target,
            self.holds,
            self.operations,
            if self.operations == 1 { "" } else { "s" },
            if self.holds == 1 { "s" } else { "" },
            self.percent()
        )
    }

    /// What the headline counts, apart: `240 passed + 11 accepted; not holding: 20 failed, 3
    /// unsupported, 2 errors; not served 20, skipped 4`.
    pub fn details(&self) -> String {
        let t = &self.tally;
        let mut s = format!("{} passed + {} accepted", t.passed, t.accepted);
        let _ = write!(
            s,
            "; not holding: {} failed, {} unsupported, {} {}; not served {}, skipped {}",
            t.failed,
            t.unsupported,
            t.errors,
            plural_word(t.errors, "error"),
            t.not_served,
            t.skipped
        );
        if t.not_run > 0 {
            let _ = write!(s, ", not run {}", t.not_run);
        }
        s
    }

    /// The headline and the details on one line.
    pub fn line(&self) -> String {
        format!("{} — {}", self.headline(), self.details())
    }
}

/// The operations of one kind in one API version (or one discovery path) in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCoverage {
    /// `Deployment`; for discovery the path (`/apis/apps/v1`); `(unknown)` if not known.
    pub kind: String,
    /// `v1`, `apps/v1`; absent for a path without one.
    pub api_version: Option<String>,
    /// Not served by Kubernetes v1.20 in this version ([`CaseInfo::retired`]).
    pub retired: bool,
    pub operations: usize,
    /// The verbs of the operations, each once, in case order.
    pub verbs: Vec<String>,
    /// The case ids, in the set's order.
    pub cases: Vec<String>,
    /// Per target, in the set's order.
    pub tallies: Vec<Tally>,
}

/// The operations of one API group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCoverage {
    /// `core`, `apps`, `rbac.authorization.k8s.io`, …; `discovery`, `other`, `(unknown)`.
    pub group: String,
    pub operations: usize,
    /// Per target, in the set's order.
    pub tallies: Vec<Tally>,
    pub kinds: Vec<KindCoverage>,
}

/// The coverage of the documented operations and the score of each target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Every documented operation (every case).
    pub operations: usize,
    /// The targets' names, the order of every `tallies`.
    pub targets: Vec<String>,
    /// Per target, in the set's order.
    pub scores: Vec<Score>,
    /// Core first, then the other API groups in the kind table's order, then discovery and other
    /// paths.
    pub groups: Vec<GroupCoverage>,
}

/// Where a case belongs: (group, kind, API version, retired).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Section {
    pub group: String,
    pub kind: String,
    pub api_version: Option<String>,
    pub retired: bool,
}

pub const DISCOVERY: &str = "discovery";
pub const OTHER: &str = "other";
pub const UNKNOWN: &str = "(unknown)";

impl Section {
    /// The section of a case: from its operation fields, else (a set written before they
    /// existed) from its endpoint's resource through the kind table, else from a `kind:` tag.
    pub fn of(info: Option<&CaseInfo>) -> Section {
        let unknown = |kind: Option<String>| Section {
            group: UNKNOWN.into(),
            kind: kind.unwrap_or_else(|| UNKNOWN.into()),
            api_version: None,
            retired: false,
        };
        let Some(c) = info else {
            return unknown(None);
        };
        if c.resource.is_some() || c.kind.is_some() {
            let group = match c.group.as_deref() {
                Some("") => "core".to_string(),
                Some(g) => g.to_string(),
                None => UNKNOWN.to_string(),
            };
            let kind = c
                .kind
                .clone()
                .or_else(|| super::operation::tag_kind(&c.tags))
                .or_else(|| c.resource.clone())
                .unwrap_or_else(|| UNKNOWN.into());
            return Section {
                group,
                kind,
                api_version: c.api_version(),
                retired: c.retired,
            };
        }
        if c.verb.is_some() || c.path.is_some() {
            let path = c.path.clone().unwrap_or_else(|| c.endpoint.clone());
            let group = if c.verb.as_deref() == Some(DISCOVERY) {
                DISCOVERY
            } else {
                OTHER
            };
            return Section {
                group: group.into(),
                kind: path,
                api_version: None,
                retired: c.retired,
            };
        }
        // Written before the operation fields: `GET pods/{name}`.
        let rest = c.endpoint.split_once(' ').map_or("", |(_, r)| r);
        if rest.starts_with('/') {
            return Section {
                group: DISCOVERY.into(),
                kind: rest.to_string(),
                api_version: None,
                retired: false,
            };
        }
        let plural = rest.split('/').next().unwrap_or_default();
        match kinds::by_plural_any_version(plural).next() {
            Some(r) if !plural.is_empty() => Section {
                group: if r.group.is_empty() {
                    "core".into()
                } else {
                    r.group.into()
                },
                kind: r.kind.into(),
                api_version: Some(r.api_version.into()),
                retired: false,
            },
            _ => unknown(super::operation::tag_kind(&c.tags)),
        }
    }

    /// `Pod (v1)`, `Deployment (apps/v1beta1, retired)`, `/apis/apps/v1`.
    pub fn kind_label(&self) -> String {
        kind_label(&self.kind, self.api_version.as_deref(), self.retired)
    }
}

/// `Pod (v1)`, `Deployment (apps/v1beta1, retired)`, `/apis/apps/v1`.
pub fn kind_label(kind: &str, api_version: Option<&str>, retired: bool) -> String {
    match (api_version, retired) {
        (Some(v), false) => format!("{kind} ({v})"),
        (Some(v), true) => format!("{kind} ({v}, retired)"),
        (None, true) => format!("{kind} (retired)"),
        (None, false) => kind.to_string(),
    }
}

impl KindCoverage {
    /// `Pod (v1)`, `Deployment (apps/v1beta1, retired)`, `/apis/apps/v1`.
    pub fn label(&self) -> String {
        kind_label(&self.kind, self.api_version.as_deref(), self.retired)
    }
}

/// The order of a group: core, the kind table's groups, other API groups, discovery, other,
/// unknown.
fn group_rank(group: &str) -> (usize, String) {
    match group {
        "core" => (0, String::new()),
        DISCOVERY => (3, String::new()),
        OTHER => (4, String::new()),
        UNKNOWN => (5, String::new()),
        g => match kinds::GROUP_VERSIONS.iter().position(|gv| gv.group == g) {
            Some(i) => (1, format!("{i:06}")),
            None => (2, g.to_string()),
        },
    }
}

/// The case ids in report order: the set's cases, then ids only some target ran.
pub fn case_ids(set: &ResultSet) -> Vec<&str> {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut ids = Vec::with_capacity(set.cases.len());
    for id in set.cases.iter().map(|c| c.id.as_str()).chain(
        set.targets
            .iter()
            .flat_map(|t| t.cases.iter().map(|c| c.id.as_str())),
    ) {
        if seen.insert(id) {
            ids.push(id);
        }
    }
    ids
}

impl Coverage {
    /// The coverage of a set: every case once, every target.
    pub fn of(set: &ResultSet) -> Coverage {
        let ids = case_ids(set);
        let infos: HashMap<&str, &CaseInfo> =
            set.cases.iter().map(|c| (c.id.as_str(), c)).collect();
        let cells: Vec<HashMap<&str, Cell>> = set
            .targets
            .iter()
            .map(|t| t.cases.iter().map(|c| (c.id.as_str(), c.cell)).collect())
            .collect();
        let n = set.targets.len();
        let mut scores: Vec<Score> = set
            .targets
            .iter()
            .map(|t| Score {
                target: t.name.clone(),
                holds: 0,
                operations: ids.len(),
                reference: set.reference.as_deref() == Some(t.name.as_str()),
                could_not_run: t.error.is_some(),
                tally: Tally::default(),
            })
            .collect();
        let mut sections: Vec<(Section, KindCoverage)> = Vec::new();
        let mut index: HashMap<Section, usize> = HashMap::new();
        for id in &ids {
            let info = infos.get(id).copied();
            let section = Section::of(info);
            let i = *index.entry(section.clone()).or_insert_with(|| {
                sections.push((
                    section.clone(),
                    KindCoverage {
                        kind: section.kind.clone(),
                        api_version: section.api_version.clone(),
                        retired: section.retired,
                        operations: 0,
                        verbs: vec![],
                        cases: vec![],
                        tallies: vec![Tally::default(); n],
                    },
                ));
                sections.len() - 1
            });
            let k = &mut sections[i].1;
            k.operations += 1;
            k.cases.push(id.to_string());
            if let Some(verb) = info.and_then(|c| c.verb.as_ref())
                && !k.verbs.contains(verb)
            {
                k.verbs.push(verb.clone());
            }
            for (ti, cells) in cells.iter().enumerate() {
                let cell = cells.get(id).copied();
                k.tallies[ti].add(cell);
                scores[ti].tally.add(cell);
            }
        }
        for s in &mut scores {
            s.holds = s.tally.holds();
        }
        sections.sort_by(|(a, _), (b, _)| {
            (group_rank(&a.group), &a.kind, a.retired, &a.api_version).cmp(&(
                group_rank(&b.group),
                &b.kind,
                b.retired,
                &b.api_version,
            ))
        });
        let mut groups: Vec<GroupCoverage> = Vec::new();
        for (section, kind) in sections {
            if groups.last().is_none_or(|g| g.group != section.group) {
                groups.push(GroupCoverage {
                    group: section.group.clone(),
                    operations: 0,
                    tallies: vec![Tally::default(); n],
                    kinds: vec![],
                });
            }
            let g = groups.last_mut().expect("just pushed");
            g.operations += kind.operations;
            for (sum, t) in g.tallies.iter_mut().zip(&kind.tallies) {
                sum.passed += t.passed;
                sum.accepted += t.accepted;
                sum.failed += t.failed;
                sum.unsupported += t.unsupported;
                sum.errors += t.errors;
                sum.not_served += t.not_served;
                sum.skipped += t.skipped;
                sum.not_run += t.not_run;
            }
            g.kinds.push(kind);
        }
        Coverage {
            operations: ids.len(),
            targets: set.targets.iter().map(|t| t.name.clone()).collect(),
            scores,
            groups,
        }
    }

    /// The number of kinds (kind and version rows) over all groups.
    pub fn kinds(&self) -> usize {
        self.groups.iter().map(|g| g.kinds.len()).sum()
    }

    /// `300 documented operations in 6 API groups and 21 kinds`.
    pub fn headline(&self) -> String {
        let groups = self.groups.len();
        let kinds = self.kinds();
        format!(
            "{} documented operation{} in {groups} group{} and {kinds} kind{}",
            self.operations,
            if self.operations == 1 { "" } else { "s" },
            if groups == 1 { "" } else { "s" },
            if kinds == 1 { "" } else { "s" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CaseResult, TargetResults};

    fn info(id: &str, method: &str, path: &str) -> CaseInfo {
        CaseInfo::new(id, id, method, path, false)
    }

    fn target(name: &str, cells: &[(&str, Cell)]) -> TargetResults {
        TargetResults::new(
            name,
            "http://x",
            cells
                .iter()
                .map(|(id, c)| CaseResult::new(id, *c))
                .collect(),
        )
    }

    fn set() -> ResultSet {
        let ns = "/api/v1/namespaces/{namespace}";
        let apps = "/apis/apps/v1/namespaces/{namespace}";
        ResultSet {
            schema_version: crate::results::SCHEMA_VERSION,
            tool: "t".into(),
            started_at: "2026-12-02T00:00:00Z".into(),
            duration_ms: 0,
            reference: Some("ref".into()),
            cases: vec![
                info("get-pod", "GET", &format!("{ns}/pods/{{name}}")),
                info("patch-pod", "PATCH", &format!("{ns}/pods/{{name}}")),
                info("put-status", "PUT", &format!("{ns}/pods/{{name}}/status")),
                info("get-deploy", "GET", &format!("{apps}/deployments/{{name}}")),
                info(
                    "scale",
                    "GET",
                    &format!("{apps}/deployments/{{name}}/scale"),
                ),
                info(
                    "old-deploy",
                    "GET",
                    "/apis/apps/v1beta1/namespaces/{namespace}/deployments/{name}",
                ),
                info("apis", "GET", "/apis"),
                info(
                    "binding",
                    "GET",
                    "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                ),
            ],
            targets: vec![
                target(
                    "ref",
                    &[
                        ("get-pod", Cell::Passed),
                        ("patch-pod", Cell::Passed),
                        ("put-status", Cell::Passed),
                        ("get-deploy", Cell::Passed),
                        ("scale", Cell::Passed),
                        ("old-deploy", Cell::NotServed),
                        ("apis", Cell::Passed),
                        ("binding", Cell::Skipped),
                    ],
                ),
                target(
                    "b",
                    &[
                        ("get-pod", Cell::Accepted),
                        ("patch-pod", Cell::Failed),
                        ("put-status", Cell::Unsupported),
                        ("get-deploy", Cell::Error),
                        ("scale", Cell::Passed),
                        ("old-deploy", Cell::NotServed),
                        ("apis", Cell::Passed),
                    ],
                ),
            ],
        }
    }

    #[test]
    fn scores_count_passed_and_accepted_of_every_operation() {
        let c = Coverage::of(&set());
        assert_eq!(c.operations, 8);
        let [r, b] = &c.scores[..] else { panic!() };
        assert_eq!((r.holds, r.operations, r.percent()), (6, 8, 75));
        assert!(r.reference && !b.reference);
        assert_eq!(r.tally.not_served, 1);
        assert_eq!(r.tally.skipped, 1);
        assert_eq!(r.headline(), "docs vs ref: 6 of 8 operations hold (75%)");
        assert_eq!(
            b.tally,
            Tally {
                passed: 2,
                accepted: 1,
                failed: 1,
                unsupported: 1,
                errors: 1,
                not_served: 1,
                skipped: 0,
                not_run: 1,
            }
        );
        assert_eq!((b.holds, b.percent()), (3, 37));
        assert_eq!(
            b.details(),
            "2 passed + 1 accepted; not holding: 1 failed, 1 unsupported, 1 error; \
             not served 1, skipped 0, not run 1"
        );
        assert_eq!(b.tally.total(), 8);
        assert_eq!(
            b.tally.describe(),
            "2 passed, 1 accepted, 1 failed, 1 unsupported, 1 error, 1 not served, 1 not run"
        );
    }

    #[test]
    fn operations_are_grouped_by_api_group_and_kind() {
        let c = Coverage::of(&set());
        let groups: Vec<&str> = c.groups.iter().map(|g| g.group.as_str()).collect();
        assert_eq!(
            groups,
            ["core", "apps", "rbac.authorization.k8s.io", "discovery"]
        );
        assert_eq!(
            c.headline(),
            "8 documented operations in 4 groups and 5 kinds"
        );
        let core = &c.groups[0];
        assert_eq!(core.operations, 3);
        assert_eq!(core.kinds.len(), 1);
        assert_eq!(core.kinds[0].label(), "Pod (v1)");
        assert_eq!(core.kinds[0].verbs, ["get", "patch", "update status"]);
        assert_eq!(core.tallies[1].holds(), 1);
        assert_eq!(core.tallies[1].failures(), 2);
        let apps = &c.groups[1];
        let labels: Vec<String> = apps.kinds.iter().map(KindCoverage::label).collect();
        assert_eq!(
            labels,
            ["Deployment (apps/v1)", "Deployment (apps/v1beta1, retired)"]
        );
        assert_eq!(apps.kinds[0].cases, ["get-deploy", "scale"]);
        assert_eq!(apps.kinds[0].verbs, ["get", "get scale"]);
        assert_eq!(apps.kinds[1].tallies[0].not_served, 1);
        assert_eq!(apps.tallies[1].errors, 1);
        assert_eq!(
            c.groups[2].kinds[0].label(),
            "ClusterRole (rbac.authorization.k8s.io/v1)"
        );
        assert_eq!(c.groups[2].tallies[1].not_run, 1);
        assert_eq!(c.groups[3].kinds[0].kind, "/apis");
        // Every operation is in exactly one kind, on every target.
        for ti in 0..2 {
            let sum: usize = c.groups.iter().map(|g| g.tallies[ti].total()).sum();
            assert_eq!(sum, c.operations);
        }
    }

    #[test]
    fn sets_written_before_the_operation_fields_are_grouped_by_their_endpoint() {
        let old = CaseInfo {
            id: "a".into(),
            endpoint: "PATCH pods/{name}".into(),
            ..CaseInfo::default()
        };
        let s = Section::of(Some(&old));
        assert_eq!(
            (s.group.as_str(), s.kind.as_str(), s.api_version.as_deref()),
            ("core", "Pod", Some("v1"))
        );
        let tagged = CaseInfo {
            endpoint: "GET widgets".into(),
            tags: vec!["kind:Widget".into()],
            ..CaseInfo::default()
        };
        assert_eq!(Section::of(Some(&tagged)).kind, "Widget");
        assert_eq!(Section::of(None).group, UNKNOWN);
    }

    #[test]
    fn an_empty_set_has_no_operations() {
        let mut s = set();
        s.cases.clear();
        s.targets.clear();
        let c = Coverage::of(&s);
        assert_eq!(c.operations, 0);
        assert!(c.groups.is_empty() && c.scores.is_empty());
    }
}
