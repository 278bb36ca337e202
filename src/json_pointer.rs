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
}
