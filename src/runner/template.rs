//! Templating: `{namespace}`, `{name}` and `{{variable}}` in paths, queries, headers, bodies and
//! expectations, filled in with the run's and the case's values.

use serde_json::Value;
use std::collections::BTreeMap;

/// The values of a case's variables: `namespace`, `name`, and what its setup steps captured.
pub type Vars = BTreeMap<String, String>;

/// `{namespace}`, `{name}` and `{{variable}}` replaced by their values.
pub fn expand(s: &str, vars: &Vars) -> String {
    if !s.contains('{') {
        return s.to_string();
    }
    let mut out = s.to_string();
    if out.contains("{{") {
        for (k, v) in vars {
            let pattern = format!("{{{{{k}}}}}");
            if out.contains(&pattern) {
                out = out.replace(&pattern, v);
            }
        }
    }
    for k in ["namespace", "name"] {
        if let Some(v) = vars.get(k) {
            let pattern = format!("{{{k}}}");
            if out.contains(&pattern) {
                out = out.replace(&pattern, v);
            }
        }
    }
    out
}

/// [`expand`] on a body that is text; other bytes are left as they are.
pub fn expand_bytes(b: &[u8], vars: &Vars) -> Vec<u8> {
    match std::str::from_utf8(b) {
        Ok(s) => expand(s, vars).into_bytes(),
        Err(_) => b.to_vec(),
    }
}

/// Whether a string in `v` may hold a `{variable}`.
pub fn has_template(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('{'),
        Value::Array(a) => a.iter().any(has_template),
        Value::Object(m) => m.values().any(has_template),
        _ => false,
    }
}

/// [`expand`] on every string of a JSON value.
pub fn expand_json(v: &mut Value, vars: &Vars) {
    match v {
        Value::String(s) => *s = expand(s, vars),
        Value::Array(a) => a.iter_mut().for_each(|x| expand_json(x, vars)),
        Value::Object(m) => m.values_mut().for_each(|x| expand_json(x, vars)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_variables() {
        let mut vars = BTreeMap::new();
        vars.insert("namespace".into(), "ns1".into());
        vars.insert("name".into(), "p".into());
        vars.insert("rv".into(), "42".into());
        assert_eq!(
            expand(
                "/api/v1/namespaces/{namespace}/pods/{name}?rv={{rv}}",
                &vars
            ),
            "/api/v1/namespaces/ns1/pods/p?rv=42"
        );
    }
}
