//! JSON pointers (RFC 6901), parsed once when a mapping is validated and resolved against any
//! [`Node`] document.

use super::Node;

/// Why a text is not a JSON pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PointerError {
    /// A non-empty pointer starts with `/`.
    #[error("a JSON pointer starts with `/`")]
    NoLeadingSlash,
    /// `~` at this byte offset is not `~0` or `~1`.
    #[error("`~` at byte {0} must be `~0` (for `~`) or `~1` (for `/`)")]
    BadEscape(usize),
}

/// A JSON pointer (RFC 6901) split and unescaped once, at compile time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    text: String,
    tokens: Vec<(String, Option<usize>)>,
    /// Whether a token is `*` (every element of an array).
    wild: bool,
}

/// The token that stands for every element of an array.
pub const WILDCARD: &str = "*";

impl Pointer {
    /// Parses a pointer: empty (the whole document) or `/`-separated tokens with `~1` for `/`
    /// and `~0` for `~`. Anything else is not RFC 6901: a text that does not start with `/`,
    /// or a `~` not followed by `0` or `1` (`/a~2b`, `/r~`).
    pub fn parse(text: &str) -> Result<Pointer, PointerError> {
        if text.is_empty() {
            return Ok(Pointer {
                text: String::new(),
                tokens: Vec::new(),
                wild: false,
            });
        }
        let rest = text.strip_prefix('/').ok_or(PointerError::NoLeadingSlash)?;
        if let Some(at) = text
            .match_indices('~')
            .map(|(i, _)| i)
            .find(|&i| !matches!(text.as_bytes().get(i + 1), Some(b'0' | b'1')))
        {
            return Err(PointerError::BadEscape(at));
        }
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
        let wild = rest.split('/').any(|t| t == WILDCARD);
        Ok(Pointer {
            text: text.to_string(),
            tokens,
            wild,
        })
    }

    /// True when a token is `*`: the pointer can point at several nodes
    /// ([`Pointer::resolve_each`]).
    pub fn is_wild(&self) -> bool {
        self.wild
    }

    /// Calls `found` with every node the pointer points at in `root`, in document order: a
    /// `*` token stands for every element of an array (and matches nothing elsewhere). A
    /// pointer without `*` finds at most one node, as [`Pointer::resolve`].
    pub fn resolve_each<'v, N: Node + ?Sized>(&self, root: &'v N, found: &mut impl FnMut(&'v N)) {
        resolve_from(&self.tokens, root, found);
    }

    /// The pointer as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first token, unless the pointer is empty or starts with `*`.
    pub fn first_key(&self) -> Option<&str> {
        let (key, _) = self.tokens.first()?;
        (key != WILDCARD).then_some(key.as_str())
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

fn resolve_from<'v, N: Node + ?Sized>(
    tokens: &[(String, Option<usize>)],
    node: &'v N,
    found: &mut impl FnMut(&'v N),
) {
    let Some(((key, index), rest)) = tokens.split_first() else {
        found(node);
        return;
    };
    if key == WILDCARD && index.is_none() {
        let mut i = 0;
        while let Some(item) = node.element(i) {
            resolve_from(rest, item, found);
            i += 1;
        }
    } else if let Some(child) = node.child(key, *index) {
        resolve_from(rest, child, found);
    }
}

#[cfg(test)]
mod tests {
    use super::{Pointer, PointerError};
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
        assert_eq!(Pointer::parse("a/b"), Err(PointerError::NoLeadingSlash));
        assert_eq!(Pointer::parse("/a~2b"), Err(PointerError::BadEscape(2)));
        assert_eq!(Pointer::parse("/r~"), Err(PointerError::BadEscape(2)));
        assert_eq!(Pointer::parse("/~01").unwrap().tokens[0].0, "~1");
    }
}
