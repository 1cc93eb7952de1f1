//! The batch path's document: each line parsed into a [`Json`], strings borrowed from the
//! line where they have no escapes, objects as small vectors. It costs far fewer allocations
//! than a `serde_json::Value`, and reads through the same [`Node`] interface.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

use super::{Kind, Node, Scalar};

/// A parsed JSON value that borrows its strings from the input where it can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members in input order; a repeated key counts with its last value, as in `Value`.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl Json<'_> {
    /// True for a JSON object.
    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }
}

impl Node for Json<'_> {
    #[inline]
    fn child(&self, key: &str, index: Option<usize>) -> Option<&Self> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            Json::Array(items) => items.get(index?),
            _ => None,
        }
    }

    #[inline]
    fn scalar(&self) -> Scalar<'_> {
        match self {
            Json::Str(s) => Scalar::Text(Cow::Borrowed(s.as_ref())),
            Json::Number(n) => Scalar::Text(Cow::Owned(n.to_string())),
            Json::Bool(b) => Scalar::Text(Cow::Borrowed(if *b { "true" } else { "false" })),
            Json::Null => Scalar::NotScalar(Kind::Null),
            Json::Array(_) => Scalar::NotScalar(Kind::Array),
            Json::Object(_) => Scalar::NotScalar(Kind::Object),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Json<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
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
        Ok(Json::Number(n.into()))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Self::Value, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Self::Value, E> {
        Number::from_f64(n)
            .map(Json::Number)
            .ok_or_else(|| E::custom("number out of range"))
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
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(Key(key)) = map.next_key()? {
            members.push((key, map.next_value()?));
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
        let json: Json = serde_json::from_str(text).unwrap();
        for p in [
            "/a/b/0", "/a/b/1/c", "/a/n", "/a/t", "/a/z", "/a", "/d", "/big", "/neg", "/missing",
            "/a/b/7", "",
        ] {
            let p = Pointer::parse(p).unwrap();
            assert_eq!(json.text_at(&p), value.text_at(&p), "{}", p.as_str());
        }
    }
}
