//! JSON Pointers (RFC 6901): the one place their reference tokens are escaped and unescaped.

use std::borrow::Cow;

/// One reference token escaped for a pointer: `~` → `~0`, `/` → `~1`.
pub fn escape(token: &str) -> Cow<'_, str> {
    if token.contains(['~', '/']) {
        Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(token)
    }
}

/// One reference token of a pointer unescaped: `~1` → `/`, `~0` → `~`.
pub fn unescape(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// Appends one reference token to a pointer being built (`at` is `""` for the whole document).
pub fn push(at: &mut String, token: &str) {
    at.push('/');
    at.push_str(&escape(token));
}

/// A pointer's unescaped reference tokens (none for `""`, the whole document).
pub fn tokens(pointer: &str) -> impl Iterator<Item = Cow<'_, str>> {
    pointer.split('/').skip(1).map(unescape)
}

/// The pointer's parent and last token, unescaped (`None` for `""`).
pub fn split_last(pointer: &str) -> Option<(&str, Cow<'_, str>)> {
    pointer
        .rsplit_once('/')
        .map(|(parent, last)| (parent, unescape(last)))
}

/// Sets the member of an object at `pointer` (creating the objects on the way), or removes it
/// with `None`. A pointer may go through array elements by index (they are not created); the
/// last token names an object member.
pub fn set(doc: &mut serde_json::Value, pointer: &str, value: Option<serde_json::Value>) {
    let Some((parent, last)) = split_last(pointer) else {
        return;
    };
    let mut at = doc;
    for t in tokens(parent) {
        at = match at {
            serde_json::Value::Array(a) => match t.parse::<usize>().ok().and_then(|i| a.get_mut(i))
            {
                Some(e) => e,
                None => return,
            },
            serde_json::Value::Object(m) => {
                if !m.contains_key(t.as_ref()) {
                    if value.is_none() {
                        return;
                    }
                    m.insert(t.to_string(), serde_json::Value::Object(Default::default()));
                }
                m.get_mut(t.as_ref()).expect("inserted")
            }
            _ => return,
        };
    }
    if let Some(m) = at.as_object_mut() {
        match value {
            Some(v) => {
                m.insert(last.into_owned(), v);
            }
            None => {
                m.remove(last.as_ref());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let mut at = String::new();
        for t in ["metadata", "labels", "a/b~c", ""] {
            push(&mut at, t);
        }
        assert_eq!(at, "/metadata/labels/a~1b~0c/");
        assert_eq!(
            tokens(&at).collect::<Vec<_>>(),
            ["metadata", "labels", "a/b~c", ""]
        );
        assert_eq!(tokens("").count(), 0);
        // `~01` is `~1` unescaped, not `/`.
        assert_eq!(unescape("~01"), "~1");
        assert_eq!(
            split_last("/metadata/labels/a~1b"),
            Some(("/metadata/labels", Cow::Borrowed("a/b")))
        );
        assert_eq!(split_last(""), None);
    }

    #[test]
    fn set_creates_and_removes() {
        let mut v = serde_json::json!({"a": {"b": 1}});
        set(&mut v, "/a/c/d", Some(serde_json::json!(2)));
        set(&mut v, "/a/b", None);
        set(&mut v, "/x/y", None);
        assert_eq!(v, serde_json::json!({"a": {"c": {"d": 2}}}));
    }
}
