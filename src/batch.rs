//! Batch normalization: JSONL in, JSONL out, one output line per input line, in order.
//!
//! Each input line is `{"provider": "<id>", "response": {...}, "id": <scalar, optional>}`.
//! A line that cannot be normalized gets an error record in its place
//! (`{"line": N, "id": ..., "error": {"kind": "...", "message": "..."}}`) and the run goes on.
//! Lines are read with a length limit: a longer line is skipped past, never buffered whole.
//!
//! With more than one thread the run is a pipeline: the calling thread reads chunks of lines
//! and hands them to worker threads, which normalize each chunk into its output bytes; the
//! calling thread writes the chunks back in input order. At most `2 × threads` chunks are in
//! flight, so memory stays bounded whatever the input size.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::catalog::Lang;
use crate::decision::Context;
use crate::doc::{Document, Json};
use crate::engine::Engine;
use crate::record::write_record;

/// Default `--max-line-bytes`.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;

/// Options of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Lines longer than this (without the line end) become `line-too-long` errors.
    pub max_line_bytes: usize,
    /// Language of `message` and `customer_message`.
    pub lang: Lang,
    /// Worker threads; 1 normalizes on the calling thread.
    pub threads: usize,
    /// Show progress on stderr (lines, lines/s, errors) every half second. The CLI turns it
    /// on only when stderr is a terminal.
    pub progress: bool,
}

/// The number of cores, the default of `--threads`.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            lang: Lang::En,
            threads: 1,
            progress: false,
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
    /// `context` is not an object of known keys and values.
    InvalidContext,
}

impl LineErrorKind {
    /// Every kind, in the order of `as_str` names.
    pub const ALL: [LineErrorKind; 13] = [
        LineErrorKind::BlankLine,
        LineErrorKind::InvalidUtf8,
        LineErrorKind::LineTooLong,
        LineErrorKind::InvalidJson,
        LineErrorKind::TooDeep,
        LineErrorKind::NotAnObject,
        LineErrorKind::MissingProvider,
        LineErrorKind::InvalidProvider,
        LineErrorKind::UnknownProvider,
        LineErrorKind::MissingResponse,
        LineErrorKind::InvalidResponse,
        LineErrorKind::InvalidId,
        LineErrorKind::InvalidContext,
    ];

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
            LineErrorKind::InvalidContext => "invalid-context",
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

type LineError = (LineErrorKind, String);

fn write_error(
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
) -> LineOutcome {
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
fn finish<D: Document + ?Sized>(
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

/// Where a line of a chunk is: its bytes, or skipped for being too long.
#[derive(Clone)]
enum Slot {
    Line(std::ops::Range<usize>),
    TooLong,
}

/// Appends one line of at most `max` bytes to `buf` (line end removed). `None` at the end of
/// input. A longer line is consumed without being stored. A last line without a line end
/// counts.
fn append_line(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<Slot>> {
    let start = buf.len();
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
        let (chunk, done) = match memchr(available) {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if !too_long {
            // One byte of slack for a `\r` before the `\n`, which is not part of the line.
            if buf.len() - start + chunk.len() > max.saturating_add(1) {
                too_long = true;
                buf.truncate(start);
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
    if !too_long && buf.len() > start && buf.last() == Some(&b'\r') {
        buf.pop();
    }
    if too_long || buf.len() - start > max {
        buf.truncate(start);
        return Ok(Some(Slot::TooLong));
    }
    Ok(Some(Slot::Line(start..buf.len())))
}

fn memchr(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
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
    Ok(append_line(input, buf, max)?.map(|slot| matches!(slot, Slot::TooLong)))
}

/// Lines of one chunk, read in order.
struct Chunk {
    seq: u64,
    first_line: u64,
    data: Vec<u8>,
    slots: Vec<Slot>,
}

/// What a chunk produced.
struct Done {
    seq: u64,
    out: Vec<u8>,
    ok: u64,
    failed: [u64; LineErrorKind::ALL.len()],
}

const CHUNK_BYTES: usize = 256 * 1024;
const CHUNK_LINES: usize = 2048;

/// Reads the next chunk; `None` at the end of input.
fn read_chunk(
    input: &mut impl BufRead,
    seq: u64,
    first_line: u64,
    max: usize,
) -> io::Result<Option<Chunk>> {
    let mut chunk = Chunk {
        seq,
        first_line,
        data: Vec::with_capacity(CHUNK_BYTES + 4096),
        slots: Vec::with_capacity(CHUNK_LINES),
    };
    while chunk.data.len() < CHUNK_BYTES && chunk.slots.len() < CHUNK_LINES {
        match append_line(input, &mut chunk.data, max)? {
            Some(slot) => chunk.slots.push(slot),
            None => break,
        }
    }
    Ok((!chunk.slots.is_empty()).then_some(chunk))
}

fn process_chunk(engine: &Engine, options: &BatchOptions, chunk: Chunk) -> Done {
    let mut done = Done {
        seq: chunk.seq,
        out: Vec::with_capacity(chunk.data.len() * 3),
        ok: 0,
        failed: [0; LineErrorKind::ALL.len()],
    };
    for (i, slot) in chunk.slots.iter().enumerate() {
        let line_no = chunk.first_line + i as u64;
        let outcome = match slot {
            Slot::Line(range) => process_line(
                engine,
                options,
                line_no,
                &chunk.data[range.clone()],
                &mut done.out,
            ),
            Slot::TooLong => {
                let kind = LineErrorKind::LineTooLong;
                let message = format!("line is longer than {} bytes", options.max_line_bytes);
                write_error(line_no, None, kind, &message, &mut done.out);
                done.out.push(b'\n');
                Err(kind)
            }
        };
        match outcome {
            Ok(()) => done.ok += 1,
            Err(kind) => done.failed[kind as usize] += 1,
        }
    }
    done
}

/// Progress on stderr, at most twice a second.
struct Progress {
    enabled: bool,
    start: Instant,
    last: Instant,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Progress {
            enabled,
            start: now,
            last: now,
        }
    }

    fn tick(&mut self, summary: &BatchSummary) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(500) {
            return;
        }
        self.last = Instant::now();
        let secs = self.start.elapsed().as_secs_f64().max(1e-9);
        eprint!(
            "\r{} lines, {:.0} lines/s, {} errors   ",
            summary.lines,
            summary.lines as f64 / secs,
            summary.failed_total()
        );
    }

    fn finish(&self) {
        if self.enabled && self.last != self.start {
            eprint!("\r\x1b[2K");
        }
    }
}

impl BatchSummary {
    fn add(&mut self, done: &Done, lines: u64) {
        self.lines += lines;
        self.ok += done.ok;
        for (kind, n) in LineErrorKind::ALL.iter().zip(done.failed) {
            if n > 0 {
                *self.failed.entry(kind.as_str()).or_default() += n;
            }
        }
    }
}

/// Runs a whole batch: every line of `input` to one record on `output`, in order.
pub fn run(
    engine: &Engine,
    mut input: impl BufRead,
    mut output: impl Write,
    options: &BatchOptions,
) -> io::Result<BatchSummary> {
    let mut summary = BatchSummary::default();
    let mut progress = Progress::new(options.progress && io::stderr().is_terminal());
    let max = options.max_line_bytes;
    if options.threads <= 1 {
        let mut seq = 0;
        while let Some(chunk) = read_chunk(&mut input, seq, summary.lines + 1, max)? {
            let lines = chunk.slots.len() as u64;
            let done = process_chunk(engine, options, chunk);
            output.write_all(&done.out)?;
            summary.add(&done, lines);
            progress.tick(&summary);
            seq += 1;
        }
        output.flush()?;
        progress.finish();
        return Ok(summary);
    }

    let in_flight_max = 2 * options.threads;
    let (work_tx, work_rx) = mpsc::sync_channel::<Chunk>(in_flight_max);
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<(Done, u64)>();
    std::thread::scope(|scope| {
        for _ in 0..options.threads {
            let work_rx = &work_rx;
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                loop {
                    let next = work_rx.lock().expect("a worker panicked").recv();
                    let Ok(chunk) = next else { break };
                    let lines = chunk.slots.len() as u64;
                    if done_tx
                        .send((process_chunk(engine, options, chunk), lines))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(done_tx);

        let mut pending: BTreeMap<u64, (Done, u64)> = BTreeMap::new();
        let (mut next_seq, mut sent, mut next_line) = (0u64, 0u64, 1u64);
        let mut write_ready = |pending: &mut BTreeMap<u64, (Done, u64)>,
                               next_seq: &mut u64,
                               summary: &mut BatchSummary|
         -> io::Result<()> {
            while let Some((done, lines)) = pending.remove(next_seq) {
                output.write_all(&done.out)?;
                summary.add(&done, lines);
                *next_seq += 1;
            }
            Ok(())
        };
        let mut eof = false;
        loop {
            // Keep the workers fed while fewer than `in_flight_max` chunks are unwritten.
            while !eof && sent - next_seq < in_flight_max as u64 {
                match read_chunk(&mut input, sent, next_line, max)? {
                    Some(chunk) => {
                        next_line += chunk.slots.len() as u64;
                        sent += 1;
                        work_tx
                            .send(chunk)
                            .expect("workers live while the sender does");
                    }
                    None => eof = true,
                }
            }
            if next_seq == sent {
                break;
            }
            let (done, lines) = done_rx.recv().expect("a chunk in flight comes back");
            pending.insert(done.seq, (done, lines));
            write_ready(&mut pending, &mut next_seq, &mut summary)?;
            progress.tick(&summary);
        }
        drop(work_tx);
        output.flush()?;
        progress.finish();
        Ok(summary)
    })
}
