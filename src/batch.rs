//! Batch normalization: JSONL in, JSONL out, one output line per input line, in order.
//!
//! Each input line is `{"provider": "<id>", "response": {...}, "id": <scalar, optional>}`.
//! A line that cannot be normalized gets an error record in its place
//! (`{"line": N, "id": ..., "error": {"kind": "...", "message": "..."}}`) and the run goes on.
//! Lines are read with a length limit: a longer line is skipped past, never buffered whole.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use serde::Serialize;
use serde_json::Value;

use crate::engine::{Engine, Normalized};

/// Default `--max-line-bytes`.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;

/// Options of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Lines longer than this (without the line end) become `line-too-long` errors.
    pub max_line_bytes: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

/// Why a line produced an error record. The kebab-case names are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineErrorKind {
    /// The line is empty or only white space.
    BlankLine,
    /// The line is not UTF-8.
    InvalidUtf8,
    /// The line is longer than the limit.
    LineTooLong,
    /// The line is not valid JSON.
    InvalidJson,
    /// The JSON nests deeper than the parser's limit.
    TooDeep,
    /// The line is JSON, but not an object.
    NotAnObject,
    /// No `provider` key.
    MissingProvider,
    /// `provider` is not a string.
    InvalidProvider,
    /// `provider` names no loaded mapping.
    UnknownProvider,
    /// No `response` key (or `null`).
    MissingResponse,
    /// `response` is not an object.
    InvalidResponse,
    /// `id` is an array or an object.
    InvalidId,
}

impl LineErrorKind {
    /// The stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LineErrorKind::BlankLine => "blank-line",
            LineErrorKind::InvalidUtf8 => "invalid-utf8",
            LineErrorKind::LineTooLong => "line-too-long",
            LineErrorKind::InvalidJson => "invalid-json",
            LineErrorKind::TooDeep => "too-deep",
            LineErrorKind::NotAnObject => "not-an-object",
            LineErrorKind::MissingProvider => "missing-provider",
            LineErrorKind::InvalidProvider => "invalid-provider",
            LineErrorKind::UnknownProvider => "unknown-provider",
            LineErrorKind::MissingResponse => "missing-response",
            LineErrorKind::InvalidResponse => "invalid-response",
            LineErrorKind::InvalidId => "invalid-id",
        }
    }
}

/// Counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Input lines seen (= output lines written).
    pub lines: u64,
    /// Lines normalized.
    pub ok: u64,
    /// Lines that got an error record, by kind.
    pub failed: BTreeMap<&'static str, u64>,
}

impl BatchSummary {
    /// Lines that got an error record.
    pub fn failed_total(&self) -> u64 {
        self.failed.values().sum()
    }

    /// One line for stderr: `3 lines: 2 ok, 1 failed (invalid-json: 1)`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} lines: {} ok, {} failed",
            self.lines,
            self.ok,
            self.failed_total()
        );
        if !self.failed.is_empty() {
            let kinds: Vec<String> = self
                .failed
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect();
            s.push_str(&format!(" ({})", kinds.join(", ")));
        }
        s
    }
}

#[derive(Serialize)]
struct OkRecord<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a Value>,
    #[serde(flatten)]
    result: &'a Normalized<'a>,
}

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

/// What one line produced.
pub type LineOutcome = Result<(), LineErrorKind>;

/// Normalizes one input line (without its line end) and appends exactly one JSON record and
/// a `\n` to `out`.
pub fn process_line(engine: &Engine, line_no: u64, line: &[u8], out: &mut Vec<u8>) -> LineOutcome {
    let parsed = parse_line(line);
    let (id, result) = match &parsed {
        Err(e) => (None, Err(e.clone())),
        Ok(value) => {
            // Echo the id in error records too, so failures join back to their source.
            let id = value.get("id").filter(|v| !v.is_array() && !v.is_object());
            (id, normalize_value(engine, value, out))
        }
    };
    if let Err((kind, message)) = &result {
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
    out.push(b'\n');
    result.map_err(|(k, _)| k)
}

type LineError = (LineErrorKind, String);

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

fn normalize_value(engine: &Engine, value: &Value, out: &mut Vec<u8>) -> Result<(), LineError> {
    use LineErrorKind as K;
    let obj = value
        .as_object()
        .ok_or_else(|| (K::NotAnObject, "line is not a JSON object".to_string()))?;
    let id = obj.get("id");
    if id.is_some_and(|v| v.is_array() || v.is_object()) {
        return Err((
            K::InvalidId,
            "`id` must be a string, number, boolean or null".into(),
        ));
    }
    let provider = match obj.get("provider") {
        None | Some(Value::Null) => return Err((K::MissingProvider, "missing `provider`".into())),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err((K::InvalidProvider, "`provider` must be a string".into())),
    };
    let response = match obj.get("response") {
        None | Some(Value::Null) => return Err((K::MissingResponse, "missing `response`".into())),
        Some(r @ Value::Object(_)) => r,
        Some(_) => {
            return Err((
                K::InvalidResponse,
                "`response` must be a JSON object".into(),
            ));
        }
    };
    let result = engine
        .normalize(provider, response)
        .map_err(|e| (K::UnknownProvider, e.to_string()))?;
    serde_json::to_writer(
        &mut *out,
        &OkRecord {
            id,
            result: &result,
        },
    )
    .expect("writing to a Vec cannot fail");
    Ok(())
}

/// Reads one line of at most `max` bytes into `buf` (line end removed). Returns `None` at the
/// end of input, `Some(true)` when the line was longer than `max` (the rest was skipped, not
/// buffered). A last line without a line end counts.
pub fn read_line_bounded(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if !too_long {
            if buf.len() + chunk.len() > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(available.len());
        input.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(too_long))
}

/// Runs a whole batch: every line of `input` to one record on `output`, in order.
pub fn run(
    engine: &Engine,
    mut input: impl BufRead,
    mut output: impl Write,
    options: &BatchOptions,
) -> io::Result<BatchSummary> {
    let mut summary = BatchSummary::default();
    let mut line = Vec::new();
    let mut out = Vec::with_capacity(64 * 1024);
    while let Some(too_long) = read_line_bounded(&mut input, &mut line, options.max_line_bytes)? {
        summary.lines += 1;
        let outcome = if too_long {
            let kind = LineErrorKind::LineTooLong;
            let message = format!("line is longer than {} bytes", options.max_line_bytes);
            let record = ErrorRecord {
                line: summary.lines,
                id: None,
                error: ErrorBody {
                    kind: kind.as_str(),
                    message: &message,
                },
            };
            serde_json::to_writer(&mut out, &record).expect("writing to a Vec cannot fail");
            out.push(b'\n');
            Err(kind)
        } else {
            process_line(engine, summary.lines, &line, &mut out)
        };
        match outcome {
            Ok(()) => summary.ok += 1,
            Err(kind) => *summary.failed.entry(kind.as_str()).or_default() += 1,
        }
        if out.len() >= 60 * 1024 {
            output.write_all(&out)?;
            out.clear();
        }
    }
    output.write_all(&out)?;
    output.flush()?;
    Ok(summary)
}
