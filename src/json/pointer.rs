//! JSON pointers (RFC 6901), parsed once when a mapping is validated and resolved against any
//! [`Node`] document.

use super::Node;

/// A JSON pointer (RFC 6901) split and unescaped once, at compile time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    text: String,
    tokens: Vec<(String, Option<usize>)>,
}

impl Pointer {
    /// Parses a pointer: empty (the whole document) or `/`-separated tokens with `~1` for `/`
    /// and `~0` for `~`. `None` when it does not start with `/`.
    pub fn parse(text: &str) -> Option<Pointer> {
        if text.is_empty() {
            return Some(Pointer {
                text: String::new(),
                tokens: Vec::new(),
            });
        }
        let rest = text.strip_prefix('/')?;
        let tokens = rest
            .split('/')
            .map(|t| {
                let key = t.replace("~1", "/").replace("~0", "~");
                // An array index: digits, no leading zero (as serde_json reads it).
                let index = if key.starts_with('+') || (key.starts_with('0') && key.len() != 1) {
                    None
                } else {
                    key.parse().ok()
                };
                (key, index)
            })
            .collect();
        Some(Pointer {
            text: text.to_string(),
            tokens,
        })
    }

    /// The pointer as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The node the pointer points at in `root`, if any: the one resolver for every
    /// document type.
    #[inline]
    pub fn resolve<'v, N: Node + ?Sized>(&self, root: &'v N) -> Option<&'v N> {
        let mut node = root;
        for (key, index) in &self.tokens {
            node = node.child(key, *index)?;
        }
        Some(node)
    }
}

#[cfg(test)]
mod tests {
    use super::Pointer;
    use serde_json::json;

    #[test]
    fn pointers_resolve_like_serde_json() {
        let doc = json!({"a": {"b/c": [10, {"~d": 5}]}, "": 1, "01": 2});
        for p in [
            "",
            "/a",
            "/a/b~1c",
            "/a/b~1c/0",
            "/a/b~1c/1/~0d",
            "/a/b~1c/01",
            "/a/b~1c/+1",
            "/",
            "/01",
            "/x/y",
            "/a/b~1c/9",
        ] {
            assert_eq!(
                Pointer::parse(p).unwrap().resolve(&doc),
                doc.pointer(p),
                "{p}"
            );
        }
        assert!(Pointer::parse("a/b").is_none());
    }
}
