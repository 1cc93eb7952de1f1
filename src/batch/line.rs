//! One batch line: `{"provider": "<id>", "response": {...}, "id": <scalar>?, "context": {...}?}`
//! → one JSON record, or an error record naming what is wrong with it.
//!
//! The common, valid shape takes a fast path (borrowed parse, no map for the line itself);
//! anything else is parsed as a whole value and classified ([`LineErrorKind`]). Both paths
//! agree on every line the fast one accepts.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::BatchOptions;
use crate::catalog::Lang;
use crate::engine::Engine;
use crate::json::{Json, Node};
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
    /// `response` is not an object.
    InvalidResponse => "invalid-response",
    /// `id` is an array or an object.
    InvalidId => "invalid-id",
    /// `context` is not an object of known keys and values.
    InvalidContext => "invalid-context",
}

/// The number of kinds, for per-kind counters.
pub(crate) const KINDS: usize = LineErrorKind::ALL.len();

#[derive(Serialize)]
struct ErrorRecord<'a> {
    line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a Value>,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    kind: &'a str,
    message: &'a str,
}

type LineError = (LineErrorKind, String);

pub(crate) fn write_error(
    line_no: u64,
    id: Option<&Value>,
    kind: LineErrorKind,
    message: &str,
    out: &mut Vec<u8>,
) {
    let record = ErrorRecord {
        line: line_no,
        id,
        error: ErrorBody {
            kind: kind.as_str(),
            message,
        },
    };
    serde_json::to_writer(&mut *out, &record).expect("writing to a Vec cannot fail");
}

/// Normalizes one input line (without its line end) and appends exactly one JSON record and
/// a `\n` to `out`.
pub fn process_line(
    engine: &Engine,
    options: &BatchOptions,
    line_no: u64,
    line: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), LineErrorKind> {
    let result = match fast_line(line) {
        Some(fast) => finish(
            engine,
            options.lang,
            fast.provider.as_ref(),
            &fast.response,
            fast.id.0.as_ref(),
            &fast.context.unwrap_or_default(),
            out,
        )
        .map_err(|e| (e, fast.id.0.clone())),
        None => slow_line(engine, options.lang, line, out),
    };
    let outcome = match result {
        Ok(()) => Ok(()),
        Err(((kind, message), id)) => {
            write_error(line_no, id.as_ref(), kind, &message, out);
            Err(kind)
        }
    };
    out.push(b'\n');
    outcome
}

/// `"id": null` is echoed as `null`, unlike a missing `id`: keep the difference.
#[derive(Default)]
struct Present(Option<Value>);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(|v| Present(Some(v)))
    }
}

/// The common shape of a line, read without building a map for the line itself.
#[derive(Deserialize)]
struct FastLine<'a> {
    #[serde(borrow)]
    provider: Cow<'a, str>,
    #[serde(borrow)]
    response: Json<'a>,
    #[serde(default)]
    id: Present,
    #[serde(default)]
    context: Option<Context>,
}

/// The line when it has the common, valid shape; `None` sends it to [`slow_line`], which
/// classifies every problem (and agrees with this path on every line this path accepts).
fn fast_line(line: &[u8]) -> Option<FastLine<'_>> {
    let fast: FastLine = serde_json::from_slice(line).ok()?;
    let id_ok = fast
        .id
        .0
        .as_ref()
        .is_none_or(|v| !v.is_array() && !v.is_object());
    (fast.response.is_object() && id_ok).then_some(fast)
}

/// Parses the line as a whole value and classifies what is wrong with it.
fn slow_line(
    engine: &Engine,
    lang: Lang,
    line: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), (LineError, Option<Value>)> {
    use LineErrorKind as K;
    let value = parse_line(line).map_err(|e| (e, None))?;
    // Echo the id in error records too, so failures join back to their source.
    let id = value
        .get("id")
        .filter(|v| !v.is_array() && !v.is_object())
        .cloned();
    let fail = |kind, message: &str| Err(((kind, message.to_string()), id.clone()));
    let Some(obj) = value.as_object() else {
        return fail(K::NotAnObject, "line is not a JSON object");
    };
    if obj.get("id").is_some_and(|v| v.is_array() || v.is_object()) {
        return fail(
            K::InvalidId,
            "`id` must be a string, number, boolean or null",
        );
    }
    let provider = match obj.get("provider") {
        None | Some(Value::Null) => return fail(K::MissingProvider, "missing `provider`"),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return fail(K::InvalidProvider, "`provider` must be a string"),
    };
    let response = match obj.get("response") {
        None | Some(Value::Null) => return fail(K::MissingResponse, "missing `response`"),
        Some(r @ Value::Object(_)) => r,
        Some(_) => return fail(K::InvalidResponse, "`response` must be a JSON object"),
    };
    let context = match obj.get("context") {
        None | Some(Value::Null) => Context::default(),
        Some(c) => match Context::deserialize(c) {
            Ok(c) => c,
            Err(e) => return fail(K::InvalidContext, &format!("invalid `context`: {e}")),
        },
    };
    finish(
        engine,
        lang,
        provider,
        response,
        obj.get("id"),
        &context,
        out,
    )
    .map_err(|e| (e, id))
}

fn parse_line(line: &[u8]) -> Result<Value, LineError> {
    use LineErrorKind as K;
    let text = std::str::from_utf8(line).map_err(|e| {
        (
            K::InvalidUtf8,
            format!("line is not UTF-8 (bad byte at offset {})", e.valid_up_to()),
        )
    })?;
    if text.trim().is_empty() {
        return Err((K::BlankLine, "blank line".into()));
    }
    serde_json::from_str(text).map_err(|e| {
        if e.to_string().contains("recursion limit") {
            (K::TooDeep, "JSON nests too deeply".to_string())
        } else {
            (K::InvalidJson, format!("invalid JSON: {e}"))
        }
    })
}

/// Normalizes a well-formed line and writes its record.
fn finish<D: Node + ?Sized>(
    engine: &Engine,
    lang: Lang,
    provider: &str,
    response: &D,
    id: Option<&Value>,
    context: &Context,
    out: &mut Vec<u8>,
) -> Result<(), LineError> {
    let outcome = engine
        .run(provider, response, context, &mut ())
        .map_err(|e| (LineErrorKind::UnknownProvider, e.to_string()))?;
    write_record(&outcome, id, lang, out);
    Ok(())
}
