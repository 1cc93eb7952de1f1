//! The document of the batch path, the CLI and the service: a JSON text parsed into a
//! [`Json`], strings borrowed from the text where they have no escapes, objects as small
//! vectors, and numbers kept as the text they were written as (`5.10` stays `5.10`, `1e2`
//! stays `1e2`, `-0` stays `-0`, a 30-digit id stays 30 digits). It costs far fewer
//! allocations than a `serde_json::Value` and reads through the same [`Node`] interface.
//!
//! Two readers: a small fast one (`json::fast`) for the JSON the batch path nearly always
//! sees, which steps aside for anything unusual, and serde_json's, which decides then (with
//! its own error messages). serde_json reports each number as a value, not as text; the
//! number's text is found in the input by a cursor that moves forward past strings to the
//! next number token. serde_json visits numbers in document order and this parser visits
//! every value, so the n-th number visited is the n-th number token: one forward pass in all.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{Kind, Node, Scalar};

/// The deepest nesting a response may have, counted from the response itself: an object in
/// an object is 2. Real answers nest under 10; the limit keeps hostile input cheap and is the
/// same for every entry point (a batch line adds one level for the line itself).
pub const MAX_DEPTH: usize = 100;

/// A parsed JSON value that borrows its strings (and the text of its numbers) from the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// A number as written in the input.
    Number(Cow<'a, str>),
    Str(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members in input order; a repeated key counts with its last value, as in `Value`.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Why a text is not a document.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON, with serde_json's message (line and column).
    #[error("{0}")]
    Syntax(serde_json::Error),
    /// Nested deeper than allowed.
    #[error("JSON nests deeper than {0} levels")]
    TooDeep(usize),
}

impl<'a> Json<'a> {
    /// Parses one JSON text; a response may nest at most [`MAX_DEPTH`] levels.
    pub fn parse(input: &'a [u8]) -> Result<Json<'a>, ParseError> {
        Json::parse_with_depth(input, MAX_DEPTH)
    }

    /// [`Json::parse`] with a nesting limit of `max_depth` levels (at most 127, below
    /// serde_json's own limit).
    pub fn parse_with_depth(input: &'a [u8], max_depth: usize) -> Result<Json<'a>, ParseError> {
        let max_depth = max_depth.min(127);
        // One UTF-8 check of the whole input; then the fast reader, which steps aside for
        // serde_json's on anything unusual (see `json::fast`).
        let text = std::str::from_utf8(input);
        if let Some(json) = text.ok().and_then(|t| super::fast::parse(t, max_depth)) {
            return Ok(json);
        }
        Json::parse_serde(input, text.ok(), max_depth)
    }

    /// serde_json's reader: the one that decides when the fast reader steps aside, with
    /// serde_json's own error messages. `text`: `input` as `str`, when it is UTF-8.
    pub(super) fn parse_serde(
        input: &'a [u8],
        text: Option<&'a str>,
        max_depth: usize,
    ) -> Result<Json<'a>, ParseError> {
        let state = State {
            input,
            cursor: Cell::new(0),
            max_depth,
            too_deep: Cell::new(false),
        };
        let seed = Seed {
            state: &state,
            depth: 0,
        };
        // Input known to be UTF-8 is read as `str`, which skips serde_json's check of every
        // string; other input is read as bytes, for serde_json's own error and position.
        fn whole<'de, R: serde_json::de::Read<'de>>(
            mut de: serde_json::Deserializer<R>,
            seed: Seed<'_, 'de>,
        ) -> Result<Json<'de>, serde_json::Error> {
            let json = seed.deserialize(&mut de)?;
            de.end().map(|()| json)
        }
        let parsed = match text {
            Some(text) => whole(serde_json::Deserializer::from_str(text), seed),
            None => whole(serde_json::Deserializer::from_slice(input), seed),
        };
        parsed.map_err(|e| {
            if state.too_deep.get() || e.to_string().starts_with("recursion limit exceeded") {
                ParseError::TooDeep(max_depth)
            } else {
                ParseError::Syntax(e)
            }
        })
    }

    /// True for a JSON object.
    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    /// True for an array or an object.
    pub fn is_container(&self) -> bool {
        matches!(self, Json::Array(_) | Json::Object(_))
    }

    /// The member `key` of an object (its last value when repeated).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            _ => None,
        }
    }

    /// Appends this value as JSON text: numbers exactly as they were written, strings
    /// re-escaped by serde_json.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(true) => out.extend_from_slice(b"true"),
            Json::Bool(false) => out.extend_from_slice(b"false"),
            Json::Number(n) => out.extend_from_slice(n.as_bytes()),
            Json::Str(s) => super::write_str(out, s),
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_to(out);
                }
                out.push(b']');
            }
            Json::Object(members) => {
                out.push(b'{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    super::write_str(out, key);
                    out.push(b':');
                    value.write_to(out);
                }
                out.push(b'}');
            }
        }
    }

    /// The same value as a `serde_json::Value` (numbers as serde_json reads their text).
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => n.parse().map_or(Value::Null, Value::Number),
            Json::Str(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

impl Node for Json<'_> {
    fn each_key(&self, key: &mut dyn FnMut(&str)) -> bool {
        let Json::Object(members) = self else {
            return false;
        };
        members.iter().for_each(|(k, _)| key(k));
        true
    }

    #[inline]
    fn child(&self, key: &str, index: Option<usize>) -> Option<&Self> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            Json::Array(items) => items.get(index?),
            _ => None,
        }
    }

    #[inline]
    fn element(&self, index: usize) -> Option<&Self> {
        match self {
            Json::Array(items) => items.get(index),
            _ => None,
        }
    }

    #[inline]
    fn scalar(&self) -> Scalar<'_> {
        match self {
            Json::Str(s) | Json::Number(s) => Scalar::Text(Cow::Borrowed(s.as_ref())),
            Json::Bool(b) => Scalar::Text(Cow::Borrowed(if *b { "true" } else { "false" })),
            Json::Null => Scalar::NotScalar(Kind::Null),
            Json::Array(_) => Scalar::NotScalar(Kind::Array),
            Json::Object(_) => Scalar::NotScalar(Kind::Object),
        }
    }
}

/// What every level of one parse shares: the input and the number cursor.
struct State<'a> {
    input: &'a [u8],
    /// Where the search for the next number token starts: always outside a string.
    cursor: Cell<usize>,
    max_depth: usize,
    too_deep: Cell<bool>,
}

impl<'a> State<'a> {
    /// The text of the next number token, skipping strings (which may hold digits).
    fn next_number(&self) -> Option<&'a str> {
        let bytes = self.input;
        let mut i = self.cursor.get();
        loop {
            match *bytes.get(i)? {
                b'"' => {
                    i += 1;
                    loop {
                        let j = i + memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
                        if bytes[j] == b'\\' {
                            i = j + 2;
                        } else {
                            i = j + 1;
                            break;
                        }
                    }
                }
                b'-' | b'0'..=b'9' => break,
                _ => i += 1,
            }
        }
        let start = i;
        while bytes
            .get(i)
            .is_some_and(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
        {
            i += 1;
        }
        self.cursor.set(i);
        std::str::from_utf8(&bytes[start..i]).ok()
    }

    /// A number visited by serde_json: its text from the input (its re-printed value only if
    /// the cursor lost track, which the tests rule out).
    fn number<E>(&self, printed: impl FnOnce() -> String) -> Result<Json<'a>, E> {
        Ok(Json::Number(match self.next_number() {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(printed()),
        }))
    }
}

#[derive(Clone, Copy)]
struct Seed<'s, 'a> {
    state: &'s State<'a>,
    depth: usize,
}

impl<'s, 'a> Seed<'s, 'a> {
    fn nested<E: serde::de::Error>(self) -> Result<Seed<'s, 'a>, E> {
        if self.depth >= self.state.max_depth {
            self.state.too_deep.set(true);
            return Err(E::custom("too deep"));
        }
        Ok(Seed {
            state: self.state,
            depth: self.depth + 1,
        })
    }
}

impl<'de, 's> DeserializeSeed<'de> for Seed<'s, 'de> {
    type Value = Json<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 's> Visitor<'de> for Seed<'s, 'de> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Json::Bool(b))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Self::Value, E> {
        self.state.number(|| n.to_string())
    }

    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        self.state.number(|| n.to_string())
    }

    fn visit_f64<E>(self, n: f64) -> Result<Self::Value, E> {
        self.state.number(|| n.to_string())
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let inner = self.nested()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let inner = self.nested()?;
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(Key(key)) = map.next_key()? {
            members.push((key, map.next_value_seed(inner)?));
        }
        Ok(Json::Object(members))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Pointer;
    use serde_json::Value;

    #[test]
    fn json_and_value_read_the_same_scalars() {
        let text = r#"{"a": {"b": [1, {"c": "x\"y"}], "n": 5.0, "t": true, "z": null}, "a2": 1, "d": "first", "d": "last", "big": 18446744073709551615, "neg": -3}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        let json = Json::parse(text.as_bytes()).unwrap();
        for p in [
            "/a/b/0", "/a/b/1/c", "/a/n", "/a/t", "/a/z", "/a", "/d", "/big", "/neg", "/missing",
            "/a/b/7", "",
        ] {
            let p = Pointer::parse(p).unwrap();
            assert_eq!(json.text_at(&p), value.text_at(&p), "{}", p.as_str());
        }
    }

    #[test]
    fn numbers_keep_the_text_they_were_written_as() {
        let text = r#"{"k9": "a 1 \"2\" 3\\", "n": [5.10, 1e2, -0, 1E+2, 0.0, 123456789012345678901234567890, 18446744073709551616, -9223372036854775809, 7], "s\"4": {"x": -1.5e-7}}"#;
        let json = Json::parse(text.as_bytes()).unwrap();
        let texts: Vec<String> = (0..9)
            .map(|i| {
                let p = Pointer::parse(&format!("/n/{i}")).unwrap();
                json.text_at(&p).unwrap().into_owned()
            })
            .collect();
        assert_eq!(
            texts,
            [
                "5.10",
                "1e2",
                "-0",
                "1E+2",
                "0.0",
                "123456789012345678901234567890",
                "18446744073709551616",
                "-9223372036854775809",
                "7"
            ]
        );
        let p = Pointer::parse("/s\"4/x").unwrap();
        assert_eq!(json.text_at(&p).as_deref(), Some("-1.5e-7"));
        let mut out = Vec::new();
        json.get("n").unwrap().write_to(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[5.10,1e2,-0,1E+2,0.0,123456789012345678901234567890,18446744073709551616,-9223372036854775809,7]"
        );
    }

    #[test]
    fn nesting_is_limited_from_the_document_itself() {
        let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert!(Json::parse(nested(MAX_DEPTH).as_bytes()).is_ok());
        assert!(matches!(
            Json::parse(nested(MAX_DEPTH + 1).as_bytes()),
            Err(ParseError::TooDeep(MAX_DEPTH))
        ));
        assert!(matches!(
            Json::parse(nested(5000).as_bytes()),
            Err(ParseError::TooDeep(MAX_DEPTH))
        ));
        assert!(matches!(
            Json::parse(b"{\"a\": }"),
            Err(ParseError::Syntax(_))
        ));
    }
}
