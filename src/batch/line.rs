//! One batch line: `{"provider": "<id>", "response": {...}, "id": <scalar>?, "context": {...}?}`
//! → one JSON record, or an error record naming what is wrong with it.
//!
//! The line is parsed once into a borrowed [`Json`] (numbers kept as written, so an `id` is
//! echoed exactly), then classified ([`LineErrorKind`]) or normalized.

use serde::Deserialize;

use super::BatchOptions;
use crate::catalog::Lang;
use crate::engine::Engine;
use crate::json::{Json, MAX_DEPTH, ParseError};
use crate::record::write_record;
use crate::vocab::Context;

/// Declares [`LineErrorKind`] with its stable names and its registry in one list, so a new
/// kind cannot be missing from [`LineErrorKind::ALL`] or lack a name.
macro_rules! line_error_kinds {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// Why a line produced an error record. The kebab-case names are stable.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum LineErrorKind {
            $($(#[doc = $doc])* $variant,)*
        }

        impl LineErrorKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [LineErrorKind] = &[$(LineErrorKind::$variant,)*];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(LineErrorKind::$variant => $name,)*
                }
            }
        }
    };
}

line_error_kinds! {
    /// The line is empty or only white space.
    BlankLine => "blank-line",
    /// The line is not UTF-8.
    InvalidUtf8 => "invalid-utf8",
    /// The line is longer than the limit.
    LineTooLong => "line-too-long",
    /// The line is not valid JSON.
    InvalidJson => "invalid-json",
    /// The JSON nests deeper than the parser's limit.
    TooDeep => "too-deep",
    /// The line is JSON, but not an object.
    NotAnObject => "not-an-object",
    /// No `provider` key.
    MissingProvider => "missing-provider",
    /// `provider` is not a string.
    InvalidProvider => "invalid-provider",
    /// `provider` names no loaded mapping.
    UnknownProvider => "unknown-provider",
    /// No `response` key (or `null`).
    MissingResponse => "missing-response",
    /// `response` is not an object or an array.
    InvalidResponse => "invalid-response",
    /// `id` is an array or an object.
    InvalidId => "invalid-id",
    /// A key other than `provider`, `response`, `id` and `context` (a typo such as `contxt`
    /// would otherwise drop the context silently).
    UnknownKey => "unknown-key",
    /// `context` is not an object of known keys and values.
    InvalidContext => "invalid-context",
}

/// The number of kinds, for per-kind counters.
pub(crate) const KINDS: usize = LineErrorKind::ALL.len();

/// The keys a line may have.
const LINE_KEYS: [&str; 4] = ["provider", "response", "id", "context"];

type LineError = (LineErrorKind, String);

/// Writes an error record: `{"line":N,"id":..,"error":{"kind":"..","message":".."}}` (no
/// line end). Public for bindings that classify an item before it is a line (the Python
/// package's `normalize_many` for a dict that is not JSON), so every error record has one writer.
pub fn write_error(
    line_no: u64,
    id: Option<&Json>,
    kind: LineErrorKind,
    message: &str,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(b"{\"line\":");
    out.extend_from_slice(itoa::Buffer::new().format(line_no).as_bytes());
    if let Some(id) = id {
        out.extend_from_slice(b",\"id\":");
        id.write_to(out);
    }
    out.extend_from_slice(b",\"error\":{\"kind\":\"");
    out.extend_from_slice(kind.as_str().as_bytes());
    out.extend_from_slice(b"\",\"message\":");
    serde_json::to_writer(&mut *out, message).expect("writing to a Vec cannot fail");
    out.extend_from_slice(b"}}");
}

/// Normalizes one input line (without its line end) and appends exactly one JSON record and
/// a `\n` to `out`. A UTF-8 byte order mark before the first line is ignored.
pub fn process_line(
    engine: &Engine,
    options: &BatchOptions,
    line_no: u64,
    line: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), LineErrorKind> {
    let line = match line_no {
        1 => line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line),
        _ => line,
    };
    let parsed = parse_line(line);
    let outcome = match &parsed {
        Err((kind, message)) => {
            write_error(line_no, None, *kind, message, out);
            Err(*kind)
        }
        Ok(doc) => {
            normalize_line(engine, options.lang, doc, out).map_err(|((kind, message), id)| {
                write_error(line_no, id, kind, &message, out);
                kind
            })
        }
    };
    out.push(b'\n');
    outcome
}

/// Parses one line or request body into a document, or says why it is not one (blank,
/// invalid UTF-8, invalid JSON, too deep).
pub fn parse_line(line: &[u8]) -> Result<Json<'_>, (LineErrorKind, String)> {
    use LineErrorKind as K;
    // One level more than a response may have: the line's own object.
    Json::parse_with_depth(line, MAX_DEPTH + 1).map_err(|e| match e {
        ParseError::TooDeep(_) => (
            K::TooDeep,
            format!("the response nests deeper than {MAX_DEPTH} levels"),
        ),
        ParseError::Syntax(e) => {
            if let Err(bad) = std::str::from_utf8(line) {
                let offset = bad.valid_up_to();
                (
                    K::InvalidUtf8,
                    format!("line is not UTF-8 (bad byte at offset {offset})"),
                )
            } else if line.trim_ascii().is_empty() {
                (K::BlankLine, "blank line".into())
            } else {
                (K::InvalidJson, format!("invalid JSON: {e}"))
            }
        }
    })
}

/// Classifies what is wrong with a parsed line (or service request), or normalizes it and
/// appends its record to `out`. The error carries the line's `id` when it is a scalar, so
/// failures join back to their source.
pub fn normalize_line<'d>(
    engine: &Engine,
    lang: Lang,
    doc: &'d Json<'d>,
    out: &mut Vec<u8>,
) -> Result<(), (LineError, Option<&'d Json<'d>>)> {
    use LineErrorKind as K;
    let id = doc.get("id");
    let scalar_id = id.filter(|v| !v.is_container());
    let fail = |kind, message: String| Err(((kind, message), scalar_id));
    let Json::Object(members) = doc else {
        return fail(K::NotAnObject, "line is not a JSON object".into());
    };
    if id.is_some_and(Json::is_container) {
        return fail(
            K::InvalidId,
            "`id` must be a string, number, boolean or null".into(),
        );
    }
    if let Some((key, _)) = members
        .iter()
        .find(|(k, _)| !LINE_KEYS.contains(&k.as_ref()))
    {
        return fail(
            K::UnknownKey,
            format!("unknown key `{key}` (a line has `provider`, `response`, `id` and `context`)"),
        );
    }
    let provider = match doc.get("provider") {
        None | Some(Json::Null) => return fail(K::MissingProvider, "missing `provider`".into()),
        Some(Json::Str(s)) => s.as_ref(),
        Some(_) => return fail(K::InvalidProvider, "`provider` must be a string".into()),
    };
    let response = match doc.get("response") {
        None | Some(Json::Null) => return fail(K::MissingResponse, "missing `response`".into()),
        // Some answers are arrays: Checkout.com's list of a payment's actions, ISO 8583
        // field lists as libraries dump them.
        Some(r @ (Json::Object(_) | Json::Array(_))) => r,
        Some(_) => {
            return fail(
                K::InvalidResponse,
                "`response` must be a JSON object or array".into(),
            );
        }
    };
    let context = match doc.get("context") {
        None | Some(Json::Null) => Context::default(),
        Some(c) => match Context::deserialize(c.to_value()) {
            Ok(c) => c,
            Err(e) => return fail(K::InvalidContext, format!("invalid `context`: {e}")),
        },
    };
    let outcome = match engine.run(provider, response, &context, &mut ()) {
        Ok(outcome) => outcome,
        Err(e) => return fail(K::UnknownProvider, e.to_string()),
    };
    write_record(&outcome, id, lang, out);
    Ok(())
}
