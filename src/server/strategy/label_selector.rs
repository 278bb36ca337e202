//! `metav1.LabelSelector` as the controllers' strategies use it: validation
//! (`ValidateLabelSelector`), matching (`LabelSelectorAsSelector` then `Matches`), its string
//! form (`Selector.String()`, what a Scale's `status.selector` says) and Go's `%#v` of it (what a
//! validation message quotes).

use super::{go_strings, strings};
use crate::server::status::Cause;
use serde_json::{Value, json};
use std::fmt;

const OPERATORS: [&str; 4] = ["In", "NotIn", "Exists", "DoesNotExist"];

/// One `matchExpressions` entry.
#[derive(Debug, Clone)]
struct Requirement {
    key: String,
    operator: String,
    /// `None` when the field is absent (Go's nil slice).
    values: Option<Vec<String>>,
}

/// A label selector; `present` is false for a nil one (which matches nothing).
#[derive(Debug, Clone, Default)]
pub struct LabelSelector {
    present: bool,
    /// `None` when the field is absent (Go's nil map).
    match_labels: Option<Vec<(String, String)>>,
    expressions: Option<Vec<Requirement>>,
}

impl LabelSelector {
    pub fn from_value(v: Option<&Value>) -> Self {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return LabelSelector::default();
        };
        let match_labels = v.get("matchLabels").and_then(Value::as_object).map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        });
        let expressions = v
            .get("matchExpressions")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|e| Requirement {
                        key: e.get("key").and_then(Value::as_str).unwrap_or("").into(),
                        operator: e
                            .get("operator")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .into(),
                        values: e
                            .get("values")
                            .filter(|v| !v.is_null())
                            .map(|v| strings(Some(v))),
                    })
                    .collect()
            });
        LabelSelector {
            present: true,
            match_labels,
            expressions,
        }
    }

    fn labels(&self) -> &[(String, String)] {
        self.match_labels.as_deref().unwrap_or_default()
    }

    fn exprs(&self) -> &[Requirement] {
        self.expressions.as_deref().unwrap_or_default()
    }

    /// A selector without requirements (`{}`): `Selector.Empty()`, it matches every object.
    pub fn is_empty(&self) -> bool {
        self.present && self.labels().is_empty() && self.exprs().is_empty()
    }

    /// Whether `LabelSelectorAsSelector` accepts it.
    pub fn valid(&self) -> bool {
        self.exprs().iter().all(|r| {
            let n = r.values.as_ref().map_or(0, Vec::len);
            match r.operator.as_str() {
                "In" | "NotIn" => n > 0,
                "Exists" | "DoesNotExist" => n == 0,
                _ => false,
            }
        })
    }

    /// `ValidateLabelSelector` at `field`.
    pub fn validate(&self, field: &str) -> Vec<Cause> {
        let mut errs = Vec::new();
        for (i, r) in self.exprs().iter().enumerate() {
            let at = format!("{field}.matchExpressions[{i}]");
            let n = r.values.as_ref().map_or(0, Vec::len);
            match r.operator.as_str() {
                "In" | "NotIn" if n == 0 => errs.push(Cause::required_because(
                    format!("{at}.values"),
                    "must be specified when `operator` is 'In' or 'NotIn'",
                )),
                "Exists" | "DoesNotExist" if n > 0 => errs.push(Cause::forbidden(
                    format!("{at}.values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )),
                op if !OPERATORS.contains(&op) => errs.push(Cause::invalid(
                    format!("{at}.operator"),
                    &json!(op),
                    "not a valid selector operator",
                )),
                _ => {}
            }
        }
        errs
    }

    /// Whether the labels (an object, or `None`) satisfy the selector; a nil selector matches
    /// nothing.
    pub fn matches(&self, labels: Option<&Value>) -> bool {
        if !self.present || !self.valid() {
            return false;
        }
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.labels().iter().all(|(k, v)| get(k) == Some(v))
            && self.exprs().iter().all(|r| {
                let values = r.values.as_deref().unwrap_or_default();
                match r.operator.as_str() {
                    "In" => get(&r.key).is_some_and(|v| values.iter().any(|x| x == v)),
                    "NotIn" => get(&r.key).is_none_or(|v| values.iter().all(|x| x != v)),
                    "Exists" => get(&r.key).is_some(),
                    _ => get(&r.key).is_none(),
                }
            })
    }

    /// Go's `%#v` of the selector as a validation message quotes it (`"null"` for a nil one).
    pub fn go_repr(&self) -> String {
        if !self.present {
            return "\"null\"".into();
        }
        let labels = match &self.match_labels {
            None => "map[string]string(nil)".to_string(),
            Some(l) => {
                let mut l = l.clone();
                l.sort();
                let parts: Vec<String> = l.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
                format!("map[string]string{{{}}}", parts.join(", "))
            }
        };
        let exprs = match &self.expressions {
            None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
            Some(e) => {
                let parts: Vec<String> = e
                    .iter()
                    .map(|r| {
                        let values = match &r.values {
                            None => "[]string(nil)".to_string(),
                            Some(v) => go_strings(v),
                        };
                        format!(
                            "v1.LabelSelectorRequirement{{Key:{:?}, Operator:{:?}, Values:{values}}}",
                            r.key, r.operator
                        )
                    })
                    .collect();
                format!("[]v1.LabelSelectorRequirement{{{}}}", parts.join(", "))
            }
        };
        format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{exprs}}}")
    }
}

/// `Selector.String()`: the requirements sorted by key, `k=v`, `k in (a,b)`, `k notin (a,b)`,
/// `k`, `!k`; empty for a nil or empty selector.
impl fmt::Display for LabelSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.present || !self.valid() {
            return Ok(());
        }
        let mut parts: Vec<(String, String)> = self
            .labels()
            .iter()
            .map(|(k, v)| (k.clone(), format!("{k}={v}")))
            .collect();
        for r in self.exprs() {
            let mut values = r.values.clone().unwrap_or_default();
            values.sort();
            let text = match r.operator.as_str() {
                "In" => format!("{} in ({})", r.key, values.join(",")),
                "NotIn" => format!("{} notin ({})", r.key, values.join(",")),
                "Exists" => r.key.clone(),
                _ => format!("!{}", r.key),
            };
            parts.push((r.key.clone(), text));
        }
        parts.sort_by(|a, b| a.0.cmp(&b.0));
        let texts: Vec<&str> = parts.iter().map(|(_, t)| t.as_str()).collect();
        f.write_str(&texts.join(","))
    }
}

/// Go's `%#v` of a labels map (`map[string]string{"app":"a"}`, keys sorted;
/// `map[string]string(nil)` when absent).
pub fn go_map(labels: Option<&Value>) -> String {
    match labels.and_then(Value::as_object) {
        None => "map[string]string(nil)".into(),
        Some(m) => {
            let mut parts: Vec<(String, String)> = m
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect();
            parts.sort();
            let shown: Vec<String> = parts.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
            format!("map[string]string{{{}}}", shown.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_match_print_and_quote_as_go_does() {
        let s = LabelSelector::from_value(Some(&json!({
            "matchLabels": {"tier": "web", "app": "a"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                                 {"key": "gone", "operator": "DoesNotExist"}]
        })));
        assert!(s.valid());
        assert_eq!(s.to_string(), "app=a,env in (dev,prod),!gone,tier=web");
        assert!(s.matches(Some(&json!({"app": "a", "tier": "web", "env": "dev"}))));
        assert!(!s.matches(Some(&json!({"app": "a", "tier": "web", "env": "qa"}))));
        assert!(!s.matches(Some(
            &json!({"app": "a", "tier": "web", "env": "dev", "gone": "x"})
        )));
        // A nil selector matches nothing; an empty one everything.
        assert!(!LabelSelector::from_value(None).matches(Some(&json!({}))));
        assert!(LabelSelector::from_value(Some(&json!({}))).matches(None));
        assert_eq!(
            LabelSelector::from_value(Some(&json!({}))).go_repr(),
            "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
        );
        let bad = LabelSelector::from_value(Some(
            &json!({"matchExpressions": [{"key": "x", "operator": "Bad"}]}),
        ));
        assert!(!bad.valid());
        assert_eq!(
            bad.go_repr(),
            "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"x\", Operator:\"Bad\", Values:[]string(nil)}}}"
        );
        let causes = bad.validate("spec.selector");
        assert_eq!(
            causes[0].field,
            "spec.selector.matchExpressions[0].operator"
        );
        assert_eq!(
            causes[0].message,
            "Invalid value: \"Bad\": not a valid selector operator"
        );
        assert_eq!(
            go_map(Some(&json!({"b": "2", "a": "1"}))),
            "map[string]string{\"a\":\"1\", \"b\":\"2\"}"
        );
    }
}
