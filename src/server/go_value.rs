//! Go's `%#v` of an internal object, as kube-apiserver quotes a whole value in a validation message
//! (`field.Invalid(path, value, …)` of a struct: a Job's immutable pod template). The internal
//! structs come from `go-internal-types.json` (`tools/gen_go_values.py`); the values from the
//! versioned object, by the JSON name of each Go field. A non-nil pointer prints as an address:
//! made up here (the real ones are the process's own), like the real ones `0xc` and nine hex digits.

use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::LazyLock;

/// One field of an internal struct: its Go name, the JSON name of the versioned field that holds
/// its value (`""`: inline, the parent's fields), and its type.
struct GoField {
    go: String,
    json: Option<String>,
    ty: Value,
}

static STRUCTS: LazyLock<HashMap<String, Vec<GoField>>> = LazyLock::new(|| {
    let doc: Value =
        serde_json::from_str(include_str!("go-internal-types.json")).unwrap_or(Value::Null);
    let mut out = HashMap::new();
    for (name, fields) in doc["structs"].as_object().into_iter().flatten() {
        let fields = fields
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| GoField {
                go: f["go"].as_str().unwrap_or("").to_string(),
                json: f["json"].as_str().map(str::to_string),
                ty: f["type"].clone(),
            })
            .collect();
        out.insert(name.clone(), fields);
    }
    out
});

/// `%#v` of the internal struct `ty` (e.g. `core.PodTemplateSpec`) whose versioned form is `v`;
/// `None` for a struct the table does not have.
pub fn go_value(ty: &str, v: &Value) -> Option<String> {
    STRUCTS.get(ty)?;
    let mut p = Printer {
        out: String::new(),
        pointers: 0,
    };
    p.structure(ty, Some(v));
    Some(p.out)
}

struct Printer {
    out: String,
    pointers: u32,
}

impl Printer {
    fn structure(&mut self, ty: &str, v: Option<&Value>) {
        self.out.push_str(ty);
        self.out.push('{');
        for (i, f) in STRUCTS.get(ty).into_iter().flatten().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.out.push_str(&f.go);
            self.out.push(':');
            let value = match f.json.as_deref() {
                Some("") => v,
                Some(name) => v.and_then(|v| v.get(name)),
                None => None,
            };
            self.typed(&f.ty, value);
        }
        self.out.push('}');
    }

    fn address(&mut self) -> String {
        self.pointers += 1;
        format!("0xc000b{:05x}", self.pointers * 0x20)
    }

    fn typed(&mut self, ty: &Value, v: Option<&Value>) {
        let v = v.filter(|v| !v.is_null());
        match ty {
            Value::String(s) => match s.as_str() {
                "string" => quote(&mut self.out, v.and_then(Value::as_str).unwrap_or("")),
                "number" => match v {
                    Some(Value::Number(n)) => self.out.push_str(&n.to_string()),
                    _ => self.out.push('0'),
                },
                "bool" => self.out.push_str(if v == Some(&Value::Bool(true)) {
                    "true"
                } else {
                    "false"
                }),
                "time" => time(&mut self.out, v.and_then(Value::as_str)),
                "quantity" => quantity(&mut self.out, v),
                "intorstring" => match v {
                    Some(Value::String(s)) => {
                        self.out
                            .push_str("intstr.IntOrString{Type:1, IntVal:0, StrVal:");
                        quote(&mut self.out, s);
                        self.out.push('}');
                    }
                    other => {
                        let n = other.and_then(Value::as_i64).unwrap_or(0);
                        let _ = write!(
                            self.out,
                            "intstr.IntOrString{{Type:0, IntVal:{n}, StrVal:\"\"}}"
                        );
                    }
                },
                _ => self.out.push_str("<?>"),
            },
            Value::Object(t) => {
                if let Some(shown) = t.get("ptr").and_then(Value::as_str) {
                    let is_time = t.contains_key("time");
                    match (v, is_time) {
                        (None, true) => self.out.push_str("<nil>"),
                        (None, false) => {
                            let _ = write!(self.out, "({shown})(nil)");
                        }
                        (Some(v), true) => time(&mut self.out, v.as_str()),
                        (Some(_), false) => {
                            let at = self.address();
                            let _ = write!(self.out, "({shown})({at})");
                        }
                    }
                } else if let Some(shown) = t.get("slice").and_then(Value::as_str) {
                    match v.and_then(Value::as_array) {
                        None => {
                            let _ = write!(self.out, "{shown}(nil)");
                        }
                        Some(items) => {
                            self.out.push_str(shown);
                            self.out.push('{');
                            for (i, item) in items.iter().enumerate() {
                                if i > 0 {
                                    self.out.push_str(", ");
                                }
                                self.typed(&t["elem"], Some(item));
                            }
                            self.out.push('}');
                        }
                    }
                } else if let Some(shown) = t.get("map").and_then(Value::as_str) {
                    match v.and_then(Value::as_object) {
                        None => {
                            let _ = write!(self.out, "{shown}(nil)");
                        }
                        Some(m) => {
                            self.out.push_str(shown);
                            self.out.push('{');
                            let mut keys: Vec<&String> = m.keys().collect();
                            keys.sort();
                            for (i, k) in keys.into_iter().enumerate() {
                                if i > 0 {
                                    self.out.push_str(", ");
                                }
                                quote(&mut self.out, k);
                                self.out.push(':');
                                self.typed(&t["elem"], m.get(k));
                            }
                            self.out.push('}');
                        }
                    }
                } else if t.contains_key("bytes") {
                    use base64::Engine;
                    let b = v.and_then(Value::as_str).map(|s| {
                        base64::engine::general_purpose::STANDARD
                            .decode(s)
                            .unwrap_or_default()
                    });
                    self.out.push_str(&go_bytes(b.as_deref()));
                } else if let Some(key) = t.get("struct").and_then(Value::as_str) {
                    self.structure(key, v);
                }
            }
            _ => self.out.push_str("<?>"),
        }
    }
}

/// Go's `%#v` of a `[]byte` (`[]byte(nil)` for none).
pub fn go_bytes(b: Option<&[u8]>) -> String {
    match b {
        None => "[]byte(nil)".into(),
        Some(b) => {
            let shown: Vec<String> = b.iter().map(|x| format!("{x:#x}")).collect();
            format!("[]byte{{{}}}", shown.join(", "))
        }
    }
}

/// Go's `strconv.Quote` (what `%#v` prints a string as).
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A `metav1.Time` (its `time.Time`'s `GoString`): the zero time in UTC, a decoded one in the
/// server's local zone.
fn time(out: &mut String, v: Option<&str>) {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parsed = v.and_then(|s| humantime::parse_rfc3339_weak(s).ok());
    let Some(t) = parsed else {
        out.push_str("time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)");
        return;
    };
    let text = humantime::format_rfc3339_seconds(t).to_string();
    let num = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok());
    let (y, mo, d, h, mi, s) = (
        num(0..4).unwrap_or(1),
        num(5..7).unwrap_or(1),
        num(8..10).unwrap_or(1),
        num(11..13).unwrap_or(0),
        num(14..16).unwrap_or(0),
        num(17..19).unwrap_or(0),
    );
    let month = MONTHS[(mo.clamp(1, 12) - 1) as usize];
    let _ = write!(
        out,
        "time.Date({y}, time.{month}, {d}, {h}, {mi}, {s}, 0, time.Local)"
    );
}

/// A `resource.Quantity` (its private fields) as `ParseQuantity`'s fast path makes it of the
/// string (`schema::fast_quantity`). A value only the slow path (`inf.Dec`) holds prints its amount
/// as 0.
fn quantity(out: &mut String, v: Option<&Value>) {
    let s = v.and_then(Value::as_str).unwrap_or("");
    let q = super::schema::fast_quantity(s).unwrap_or(super::schema::FastQuantity {
        value: 0,
        scale: 0,
        cached: false,
        format: "DecimalSI",
    });
    let _ = write!(
        out,
        "resource.Quantity{{i:resource.int64Amount{{value:{}, scale:{}}}, d:resource.infDecAmount{{Dec:(*inf.Dec)(nil)}}, s:",
        q.value, q.scale
    );
    quote(out, if q.cached { s } else { "" });
    let _ = write!(out, ", Format:{:?}}}", q.format);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quantities kube-apiserver v1.20.2 printed in a Job's immutable-template error.
    #[test]
    fn quantities_are_printed_as_parse_quantity_makes_them() {
        for (q, shown) in [
            (
                "100Mi",
                "value:104857600, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"100Mi\", Format:\"BinarySI\"",
            ),
            (
                "64Mi",
                "value:67108864, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"\", Format:\"BinarySI\"",
            ),
            (
                "100m",
                "value:100, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"100m\", Format:\"DecimalSI\"",
            ),
            (
                "1200m",
                "value:1200, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"1200m\", Format:\"DecimalSI\"",
            ),
            (
                "2k",
                "value:2, scale:3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:\"2k\", Format:\"DecimalSI\"",
            ),
        ] {
            let mut out = String::new();
            quantity(&mut out, Some(&Value::String(q.into())));
            assert_eq!(
                out,
                format!("resource.Quantity{{i:resource.int64Amount{{{shown}}}"),
                "{q}"
            );
        }
    }

    #[test]
    fn a_template_prints_every_field_with_nil_and_pointer_forms() {
        let template = serde_json::json!({
            "metadata": {"labels": {"b": "2", "a": "1\"q"}},
            "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 30,
                     "containers": [{"name": "c", "image": "busybox", "args": []}]}
        });
        let shown = go_value("core.PodTemplateSpec", &template).expect("known struct");
        assert!(shown.starts_with("core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{Name:\"\", "));
        assert!(shown.contains("CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>, DeletionGracePeriodSeconds:(*int64)(nil)"));
        assert!(shown.contains("Labels:map[string]string{\"a\":\"1\\\"q\", \"b\":\"2\"}"));
        assert!(shown.contains("Containers:[]core.Container{core.Container{Name:\"c\", Image:\"busybox\", Command:[]string(nil), Args:[]string{}, "));
        assert!(shown.contains(
            "RestartPolicy:\"Never\", TerminationGracePeriodSeconds:(*int64)(0xc000b00020), "
        ));
        assert!(
            shown.ends_with("TopologySpreadConstraints:[]core.TopologySpreadConstraint(nil)}}")
        );
        assert!(go_value("core.Nothing", &template).is_none());
    }
}
