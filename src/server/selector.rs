//! `labelSelector` and `fieldSelector` of list (and delete collection) requests, parsed and
//! matched as `k8s.io/apimachinery/pkg/labels` and `pkg/fields` do, with the field labels each kind
//! supports (`AddFieldLabelConversionFunc` of core/v1, else `metadata.name` and
//! `metadata.namespace`) and their error messages.

use super::status::ApiError;
use serde_json::Value;

/// A label selector: every requirement must hold.
#[derive(Debug, Default)]
pub struct Labels(Vec<Requirement>);

#[derive(Debug)]
struct Requirement {
    key: String,
    op: LabelOp,
}

#[derive(Debug)]
enum LabelOp {
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    NotExists,
    Gt(i64),
    Lt(i64),
}

/// The lexer's tokens (`labels.Lexer`).
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Identifier(String),
    DoubleEquals,
    Equals,
    NotEquals,
    In,
    NotIn,
    Bang,
    Gt,
    Lt,
    OpenPar,
    ClosePar,
    Comma,
    End,
}

fn lex(s: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = b[i..(i + 2).min(b.len())].iter().collect();
        let (tok, len) = match (c, two.as_str()) {
            (_, "==") => (Token::DoubleEquals, 2),
            (_, "!=") => (Token::NotEquals, 2),
            ('=', _) => (Token::Equals, 1),
            ('!', _) => (Token::Bang, 1),
            ('>', _) => (Token::Gt, 1),
            ('<', _) => (Token::Lt, 1),
            ('(', _) => (Token::OpenPar, 1),
            (')', _) => (Token::ClosePar, 1),
            (',', _) => (Token::Comma, 1),
            _ => {
                let start = i;
                while i < b.len() && !b[i].is_whitespace() && !"=!<>(),".contains(b[i]) {
                    i += 1;
                }
                let word: String = b[start..i].iter().collect();
                out.push(match word.as_str() {
                    "in" => Token::In,
                    "notin" => Token::NotIn,
                    _ => Token::Identifier(word),
                });
                continue;
            }
        };
        out.push(tok);
        i += len;
    }
    out.push(Token::End);
    out
}

fn shown(t: &Token) -> String {
    match t {
        Token::Identifier(s) => s.clone(),
        Token::DoubleEquals => "==".into(),
        Token::Equals => "=".into(),
        Token::NotEquals => "!=".into(),
        Token::In => "in".into(),
        Token::NotIn => "notin".into(),
        Token::Bang => "!".into(),
        Token::Gt => ">".into(),
        Token::Lt => "<".into(),
        Token::OpenPar => "(".into(),
        Token::ClosePar => ")".into(),
        Token::Comma => ",".into(),
        Token::End => "".into(),
    }
}

fn bad(msg: String) -> ApiError {
    ApiError::bad_request(msg)
}

/// Parses a `labelSelector` (the full syntax: `=`, `==`, `!=`, `in`, `notin`, existence, `!`,
/// `>` and `<`).
pub fn labels(s: Option<&str>) -> Result<Labels, ApiError> {
    let s = s.unwrap_or("");
    let toks = lex(s);
    let mut p = 0;
    let mut reqs = Vec::new();
    if toks[0] == Token::End {
        return Ok(Labels(reqs));
    }
    loop {
        // A requirement: [!]key [op values]
        let negated = toks[p] == Token::Bang;
        if negated {
            p += 1;
        }
        let key = match &toks[p] {
            Token::Identifier(k) => k.clone(),
            t => {
                return Err(bad(format!(
                    "unable to parse requirement: found '{}', expected: identifier",
                    shown(t)
                )));
            }
        };
        p += 1;
        if negated {
            reqs.push(Requirement {
                key,
                op: LabelOp::NotExists,
            });
        } else {
            let op = match &toks[p] {
                Token::Comma | Token::End => LabelOp::Exists,
                Token::Equals | Token::DoubleEquals | Token::NotEquals => {
                    let ne = toks[p] == Token::NotEquals;
                    p += 1;
                    let v = match &toks[p] {
                        Token::Identifier(v) => {
                            p += 1;
                            v.clone()
                        }
                        Token::Comma | Token::End => String::new(),
                        t => {
                            return Err(bad(format!(
                                "unable to parse requirement: found '{}', expected: identifier",
                                shown(t)
                            )));
                        }
                    };
                    if ne {
                        LabelOp::NotIn(vec![v])
                    } else {
                        LabelOp::In(vec![v])
                    }
                }
                Token::In | Token::NotIn => {
                    let not = toks[p] == Token::NotIn;
                    p += 1;
                    if toks[p] != Token::OpenPar {
                        return Err(bad(format!(
                            "unable to parse requirement: found '{}' expected: '('",
                            shown(&toks[p])
                        )));
                    }
                    p += 1;
                    let mut values = Vec::new();
                    loop {
                        match &toks[p] {
                            Token::Identifier(v) => {
                                values.push(v.clone());
                                p += 1;
                            }
                            Token::ClosePar => {
                                p += 1;
                                break;
                            }
                            _ => {}
                        }
                        match &toks[p] {
                            Token::Comma => p += 1,
                            Token::ClosePar => {
                                p += 1;
                                break;
                            }
                            t => {
                                return Err(bad(format!(
                                    "unable to parse requirement: found '{}', expected: ',', or ')'",
                                    shown(t)
                                )));
                            }
                        }
                    }
                    if not {
                        LabelOp::NotIn(values)
                    } else {
                        LabelOp::In(values)
                    }
                }
                Token::Gt | Token::Lt => {
                    let gt = toks[p] == Token::Gt;
                    p += 1;
                    let n = match &toks[p] {
                        Token::Identifier(v) => v.parse::<i64>().map_err(|_| {
                            bad("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer".into())
                        })?,
                        t => {
                            return Err(bad(format!(
                                "unable to parse requirement: found '{}', expected: identifier",
                                shown(t)
                            )));
                        }
                    };
                    p += 1;
                    if gt { LabelOp::Gt(n) } else { LabelOp::Lt(n) }
                }
                t => {
                    return Err(bad(format!(
                        "unable to parse requirement: found '{}', expected: '=', '!=', '==', 'in', notin'",
                        shown(t)
                    )));
                }
            };
            reqs.push(Requirement { key, op });
        }
        match &toks[p] {
            Token::End => break,
            Token::Comma => p += 1,
            t => {
                return Err(bad(format!(
                    "found '{}', expected: ',' or 'end of string'",
                    shown(t)
                )));
            }
        }
    }
    Ok(Labels(reqs))
}

impl Labels {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the object's labels satisfy every requirement.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        self.0.iter().all(|r| {
            let v = labels.and_then(|l| l.get(&r.key)).and_then(Value::as_str);
            match &r.op {
                LabelOp::In(vals) => v.is_some_and(|v| vals.iter().any(|x| x == v)),
                LabelOp::NotIn(vals) => v.is_none_or(|v| !vals.iter().any(|x| x == v)),
                LabelOp::Exists => v.is_some(),
                LabelOp::NotExists => v.is_none(),
                LabelOp::Gt(n) => v
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|x| x > *n),
                LabelOp::Lt(n) => v
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|x| x < *n),
            }
        })
    }
}

/// A field selector: `field=value`, `field==value` and `field!=value` terms, all of which must
/// hold.
#[derive(Debug, Default)]
pub struct Fields(Vec<(String, bool, String)>);

/// The field labels a kind's list supports beyond `metadata.name` and `metadata.namespace`
/// (`None`: the generic conversion, which names only those two).
fn kind_fields(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
            "spec.host",
        ],
        "Node" => &["metadata.name", "spec.unschedulable"],
        "CertificateSigningRequest" => &["metadata.name", "spec.signerName"],
        "ReplicationController" => &["metadata.name", "metadata.namespace", "status.replicas"],
        "Event" => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
            "metadata.namespace",
            "metadata.name",
        ],
        "Namespace" => &["status.phase", "metadata.name"],
        "Secret" => &["type", "metadata.namespace", "metadata.name"],
        _ => return None,
    })
}

/// Parses a `fieldSelector` for a list of `kind`, refusing the field labels the kind does not
/// support as the real server does.
pub fn fields(s: Option<&str>, kind: &str) -> Result<Fields, ApiError> {
    let s = s.unwrap_or("");
    let mut terms = Vec::new();
    for term in s.split(',').filter(|t| !t.is_empty()) {
        let (k, ne, v) = if let Some((k, v)) = term.split_once("!=") {
            (k, true, v)
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            (k, false, v)
        } else {
            return Err(bad(format!(
                "invalid selector: '{s}'; can't understand '{term}'"
            )));
        };
        let k = k.trim();
        match kind_fields(kind) {
            Some(known) if !known.contains(&k) => {
                return Err(bad(format!("field label not supported: {k}")));
            }
            None if !matches!(k, "metadata.name" | "metadata.namespace") => {
                return Err(bad(format!(
                    "\"{k}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                )));
            }
            _ => {}
        }
        let k = if k == "spec.host" { "spec.nodeName" } else { k };
        terms.push((k.to_string(), ne, v.to_string()));
    }
    Ok(Fields(terms))
}

/// The value of a selectable field of an object, as the registry's `GetAttrs` gives it.
fn field_value(obj: &Value, field: &str) -> Option<String> {
    let text = |p: &str| obj.pointer(p).and_then(Value::as_str).map(str::to_string);
    match field {
        "metadata.name" => text("/metadata/name"),
        "metadata.namespace" => text("/metadata/namespace").or(Some(String::new())),
        "spec.unschedulable" => Some(
            obj.pointer("/spec/unschedulable")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string(),
        ),
        "status.replicas" => Some(
            obj.pointer("/status/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .to_string(),
        ),
        "source" => text("/source/component").or(Some(String::new())),
        "status.podIPs" => None,
        other => {
            let pointer = format!("/{}", other.replace('.', "/"));
            Some(text(&pointer).unwrap_or_default())
        }
    }
}

impl Fields {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(k, ne, v)| {
            let actual = field_value(obj, k);
            match actual {
                Some(a) => (a == *v) != *ne,
                None => *ne,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selectors_of_every_form() {
        let obj = json!({"metadata": {"labels": {"a": "x", "n": "5"}}});
        for (sel, want) in [
            ("a=x", true),
            ("a==y", false),
            ("a!=y", true),
            ("a in (x,y)", true),
            ("a notin (x)", false),
            ("a,!b", true),
            ("b", false),
            ("n>4,n<6", true),
            ("", true),
        ] {
            assert_eq!(labels(Some(sel)).unwrap().matches(&obj), want, "{sel}");
        }
        assert_eq!(
            labels(Some("a in x")).unwrap_err().message,
            "unable to parse requirement: found 'x' expected: '('"
        );
        assert_eq!(
            labels(Some("Bad Key=1")).unwrap_err().message,
            "unable to parse requirement: found 'Key', expected: '=', '!=', '==', 'in', notin'"
        );
    }

    #[test]
    fn field_selectors_by_kind() {
        let pod =
            json!({"metadata": {"name": "p", "namespace": "n"}, "status": {"phase": "Pending"}});
        assert!(
            fields(Some("metadata.name=p,status.phase!=Running"), "Pod")
                .unwrap()
                .matches(&pod)
        );
        assert!(
            !fields(Some("metadata.name=q"), "Pod")
                .unwrap()
                .matches(&pod)
        );
        assert_eq!(
            fields(Some("spec.bogus=1"), "Pod").unwrap_err().message,
            "field label not supported: spec.bogus"
        );
        assert_eq!(
            fields(Some("data.a=1"), "ConfigMap").unwrap_err().message,
            "\"data.a\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        );
        assert_eq!(
            fields(Some("metadata.name"), "Pod").unwrap_err().message,
            "invalid selector: 'metadata.name'; can't understand 'metadata.name'"
        );
    }
}
