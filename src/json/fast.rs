//! The fast path of [`Json::parse`](super::Json::parse): a small recursive-descent reader of
//! the JSON the batch path sees nearly always: no `\u` escapes and no exponents. It takes
//! exactly what serde_json takes and gives the value serde_json's reader gives (the
//! differential tests in `tests/hostile.rs` check both), and it steps aside (`None`)
//! for anything else: a syntax error, a `\u` escape, an exponent, a very long number, a
//! nesting past the limit. The serde_json reader then decides, with its own error
//! message, so the fast path can never change an answer, only skip work.

use std::borrow::Cow;

use super::borrowed::Json;

/// Reads `text` as one JSON value, or `None` when the serde_json reader must decide.
pub(super) fn parse(text: &str, max_depth: usize) -> Option<Json<'_>> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
        max_depth,
    };
    reader.whitespace();
    let value = reader.value(0)?;
    reader.whitespace();
    (reader.at == reader.bytes.len()).then_some(value)
}

/// Numbers longer than this go to serde_json, which rejects those out of `f64`'s range.
const MAX_NUMBER_LEN: usize = 300;

/// The bytes that end a run of plain string contents: `"`, `\\` and the control characters.
static STOP: [bool; 256] = {
    let mut stop = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        stop[b] = true;
        b += 1;
    }
    stop[b'"' as usize] = true;
    stop[b'\\' as usize] = true;
    stop
};

/// The offset of the first `"`, `\\` or control character in `bytes`: eight bytes at a
/// time (the lowest byte flagged by these bit tests is always a true match), then the
/// table for the tail.
#[inline]
pub(super) fn stop_at(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let x = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let flagged = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGH;
        if flagged != 0 {
            return Some(at + (flagged.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| STOP[usize::from(b)])
        .map(|p| at + p)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    max_depth: usize,
}

impl<'a> Reader<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    #[inline]
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json<'a>> {
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                self.at += 1;
                self.string().map(Json::Str)
            }
            b't' => self.word(b"true", Json::Bool(true)),
            b'f' => self.word(b"false", Json::Bool(false)),
            b'n' => self.word(b"null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn word(&mut self, word: &[u8], value: Json<'a>) -> Option<Json<'a>> {
        self.bytes[self.at..].starts_with(word).then(|| {
            self.at += word.len();
            value
        })
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Option<Json<'a>> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) || self.at - start > MAX_NUMBER_LEN {
            return None;
        }
        Some(Json::Number(Cow::Borrowed(&self.text[start..self.at])))
    }

    /// A string's contents, the opening quote already read.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.at;
        let end = start + stop_at(&self.bytes[start..])?;
        self.at = end;
        match self.bytes[end] {
            b'"' => {
                self.at += 1;
                Some(Cow::Borrowed(&self.text[start..end]))
            }
            b'\\' => self.escaped(start),
            // A control character must be escaped (serde_json rejects it).
            _ => None,
        }
    }

    /// The rest of a string with escapes, from `start`; `\u` escapes go to serde_json.
    fn escaped(&mut self, start: usize) -> Option<Cow<'a, str>> {
        let mut out = String::from(&self.text[start..self.at]);
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    out.push(match self.bytes.get(self.at + 1)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        _ => return None,
                    });
                    self.at += 2;
                }
                0..0x20 => return None,
                _ => {
                    let run = self.at;
                    self.at += stop_at(&self.bytes[run..])?;
                    out.push_str(&self.text[run..self.at]);
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth >= self.max_depth {
            return None;
        }
        self.at += 1;
        self.whitespace();
        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(Json::Object(members));
        }
        loop {
            if self.peek()? != b'"' {
                return None;
            }
            self.at += 1;
            let key = self.string()?;
            self.whitespace();
            if self.peek()? != b':' {
                return None;
            }
            self.at += 1;
            self.whitespace();
            members.push((key, self.value(depth + 1)?));
            self.whitespace();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.whitespace();
                }
                b'}' => {
                    self.at += 1;
                    return Some(Json::Object(members));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth >= self.max_depth {
            return None;
        }
        self.at += 1;
        self.whitespace();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Some(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.whitespace();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.whitespace();
                }
                b']' => {
                    self.at += 1;
                    return Some(Json::Array(items));
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, stop_at};
    use crate::json::borrowed::Json;
    use proptest::prelude::*;

    /// The serde_json reader's answer, the reference.
    fn reference(text: &str) -> Option<Json<'_>> {
        Json::parse_serde(text.as_bytes(), Some(text), 8).ok()
    }

    /// JSON texts the fast reader must read itself: no `\u`, no exponent, within depth.
    fn plain_json() -> impl Strategy<Value = String> {
        let string = prop_oneof![
            "[a-zA-Z0-9 _.:/-]{0,12}",
            "[^\"\\\\\\x00-\\x1f]{0,12}",
            prop::collection::vec(
                prop_oneof![
                    Just("\\\"".to_string()),
                    Just("\\\\".to_string()),
                    Just("\\/".to_string()),
                    Just("\\n".to_string()),
                    Just("\\t".to_string()),
                    Just("\\b".to_string()),
                    Just("\\f".to_string()),
                    Just("\\r".to_string()),
                    "[a-z\u{e9}\u{4f59}]{0,3}",
                ],
                0..5
            )
            .prop_map(|parts| parts.concat()),
        ]
        .prop_map(|s| format!("\"{s}\""));
        let number = "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,8})?";
        let ws = "[ \t\r\n]{0,2}";
        let leaf = prop_oneof![
            string.clone(),
            number.prop_map(|n| n.to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("null".to_string()),
        ];
        leaf.prop_recursive(5, 48, 6, move |inner| {
            prop_oneof![
                (prop::collection::vec(inner.clone(), 0..6), ws)
                    .prop_map(|(items, ws)| format!("[{ws}{}{ws}]", items.join(&format!("{ws},")))),
                (prop::collection::vec((string.clone(), inner), 0..6), ws).prop_map(
                    |(members, ws)| {
                        let members: Vec<String> = members
                            .into_iter()
                            .map(|(k, v)| format!("{k}{ws}:{ws}{v}"))
                            .collect();
                        format!("{{{ws}{}{ws}}}", members.join(","))
                    }
                ),
            ]
        })
    }

    /// A text with one to three edits: bytes deleted, or JSON-ish bytes inserted.
    fn edited() -> impl Strategy<Value = String> {
        let insert = prop_oneof![
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(","),
            Just(":"),
            Just("\""),
            Just("\\"),
            Just("\\u00e9"),
            Just("\\ud800"),
            Just("0"),
            Just("-"),
            Just("."),
            Just("e5"),
            Just("E+"),
            Just("1e400"),
            Just("\u{1}"),
            Just("\t"),
            Just("x"),
            Just("tru"),
            Just("nul"),
            Just(" "),
        ];
        (
            plain_json(),
            prop::collection::vec(
                (any::<prop::sample::Index>(), prop::option::of(insert)),
                1..4,
            ),
        )
            .prop_map(|(mut text, edits)| {
                for (at, insert) in edits {
                    let mut at = at.index(text.len() + 1);
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    match insert {
                        Some(s) => text.insert_str(at, s),
                        None if at < text.len() => {
                            text.remove(at);
                        }
                        None => {}
                    }
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// On the JSON it is for, the fast reader reads it, and as serde_json's does.
        #[test]
        fn reads_plain_json_as_serde_json_does(text in plain_json()) {
            let fast = parse(&text, 8);
            prop_assert!(fast.is_some(), "the fast reader stepped aside on {text:?}");
            prop_assert_eq!(fast, reference(&text), "{:?}", text);
        }

        /// On anything, it either steps aside or gives serde_json's reader's value: it never
        /// takes a text serde_json rejects, nor reads one differently.
        #[test]
        fn never_disagrees_with_serde_json(text in edited()) {
            if let Some(fast) = parse(&text, 8) {
                prop_assert_eq!(Some(fast), reference(&text), "{:?}", text);
            }
        }

        /// Strings are written as serde_json writes them, escapes and all.
        #[test]
        fn write_str_writes_as_serde_json_does(text in "(\\PC|[\x00-\x1f\"\\\\\x7f])*") {
            let mut out = Vec::new();
            crate::json::write_str(&mut out, &text);
            prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn stop_at_finds_the_first_stop_byte(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            let naive = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            prop_assert_eq!(stop_at(&bytes), naive);
        }
    }

    #[test]
    fn steps_aside_where_serde_json_must_decide() {
        for text in [
            r#"{"a": "\u00e9"}"#,
            "[1e5]",
            "[1E+2]",
            "\"tab\tinside\"",
            "[01]",
            "[1.]",
            "{\"a\":1,}",
            "[1,]",
            "",
            "  ",
            "{} x",
            "[[[[[[[[[1]]]]]]]]]",
            &format!("[{}]", "9".repeat(301)),
        ] {
            assert_eq!(parse(text, 8), None, "{text:?}");
        }
        // Within the limits it reads: the depth limit counts containers as serde_json's does.
        assert_eq!(
            parse("[[[[[[[[1]]]]]]]]", 8),
            reference("[[[[[[[[1]]]]]]]]")
        );
        assert!(parse("[[[[[[[[1]]]]]]]]", 8).is_some());
        assert_eq!(reference("[[[[[[[[[1]]]]]]]]]"), None);
    }
}
