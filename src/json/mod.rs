//! The documents fields are read from, and the pointers that read them.
//!
//! A [`Node`] is a JSON tree the engine can walk: [`Json`] (parsed from text, strings
//! borrowed, numbers kept as written) for the batch path, the CLI and the service, or a
//! `serde_json::Value` a library caller already has. A `Value`'s numbers read as serde_json
//! prints them (`5.10` as `5.1`) unless serde_json's `arbitrary_precision` feature is on;
//! pass the text ([`Json::parse`]) when the exact number text matters. A [`Pointer`] walks
//! either one the same way, and [`Node::scalar`] says what it found: a scalar's text, or which
//! kind of non-scalar stood there. Both documents give the same answers (tested byte for byte
//! in `tests/batch.rs`).

mod borrowed;
mod fast;

/// Appends `text` as a JSON string: copied between quotes when nothing in it needs an
/// escape (the usual case), else escaped by serde_json.
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    if fast::stop_at(text.as_bytes()).is_none() {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, text).expect("writing to a Vec cannot fail");
    }
}
mod pointer;

use std::borrow::Cow;

use serde_json::Value;

pub use borrowed::{Json, MAX_DEPTH, ParseError};
pub use pointer::{Pointer, PointerError, WILDCARD};

/// What a pointer found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar<'s> {
    /// A string as it is, a number as its JSON text, a boolean as `true`/`false`.
    Text(Cow<'s, str>),
    /// Something that has no value: `null`, an array or an object.
    NotScalar(Kind),
}

/// The kind of a non-scalar JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Array,
    Object,
}

impl Kind {
    /// `null`, `an array`, `an object`: for traces.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// A JSON tree fields can be read from.
pub trait Node {
    /// The member `key` of an object, or the element `index` of an array (`index` is the
    /// token read as an array index, when it reads as one).
    fn child(&self, key: &str, index: Option<usize>) -> Option<&Self>;

    /// This node as a field value.
    fn scalar(&self) -> Scalar<'_>;

    /// The element `index` of an array; `None` past its end and for anything else.
    fn element(&self, index: usize) -> Option<&Self>;

    /// Calls `key` with the key of every member of an object (in document order, repeats
    /// included) and returns true; returns false for anything but an object.
    fn each_key(&self, key: &mut dyn FnMut(&str)) -> bool;

    /// The text of the scalar at `pointer`; `None` for missing, `null`, arrays and objects.
    #[inline]
    fn text_at(&self, pointer: &Pointer) -> Option<Cow<'_, str>> {
        match pointer.resolve(self)?.scalar() {
            Scalar::Text(t) => Some(t),
            Scalar::NotScalar(_) => None,
        }
    }
}

impl Node for Value {
    fn each_key(&self, key: &mut dyn FnMut(&str)) -> bool {
        let Value::Object(map) = self else {
            return false;
        };
        map.keys().for_each(|k| key(k));
        true
    }

    #[inline]
    fn child(&self, key: &str, index: Option<usize>) -> Option<&Self> {
        match self {
            Value::Object(map) => map.get(key),
            Value::Array(list) => list.get(index?),
            _ => None,
        }
    }

    #[inline]
    fn element(&self, index: usize) -> Option<&Self> {
        match self {
            Value::Array(list) => list.get(index),
            _ => None,
        }
    }

    #[inline]
    fn scalar(&self) -> Scalar<'_> {
        match self {
            Value::String(s) => Scalar::Text(Cow::Borrowed(s.as_str())),
            Value::Number(n) => Scalar::Text(Cow::Owned(n.to_string())),
            Value::Bool(b) => Scalar::Text(Cow::Borrowed(if *b { "true" } else { "false" })),
            Value::Null => Scalar::NotScalar(Kind::Null),
            Value::Array(_) => Scalar::NotScalar(Kind::Array),
            Value::Object(_) => Scalar::NotScalar(Kind::Object),
        }
    }
}
