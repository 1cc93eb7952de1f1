//! Batch normalization: JSONL in, JSONL out, one output line per input line, in order.
//!
//! Each input line is `{"provider": "<id>", "response": {...}, "id": <scalar, optional>}`
//! (`line`). A line that cannot be normalized gets an error record in its place
//! (`{"line": N, "id": ..., "error": {"kind": "...", "message": "..."}}`) and the run goes on.
//! Lines are read with a length limit (`reader`): a longer line is skipped past, never
//! buffered whole.
//!
//! With more than one thread the run is a pipeline: a reader thread reads chunks of lines
//! and hands them to worker threads, which normalize each chunk into its output bytes; the
//! calling thread writes the chunks back in input order. At most `2 × threads` chunks are in
//! flight, so memory stays bounded whatever the input size. A chunk ends early when the input
//! has nothing more buffered, and each chunk is flushed once written, so results follow a
//! slow input (`tail -f`) instead of waiting for a chunk to fill. The library prints
//! nothing: a caller that shows progress passes a callback to [`run_with_progress`].

mod line;
mod reader;

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::sync::{Mutex, mpsc};

pub use line::{LineErrorKind, normalize_line, parse_line, process_line, write_error};

use crate::catalog::Lang;
use crate::engine::Engine;
use line::KINDS;
use reader::{Chunk, Slot, read_chunk};

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

    fn add(&mut self, done: &Done) {
        self.lines += done.lines;
        self.ok += done.ok;
        for (kind, n) in LineErrorKind::ALL.iter().zip(done.failed) {
            if n > 0 {
                *self.failed.entry(kind.as_str()).or_default() += n;
            }
        }
    }
}

/// What a chunk produced.
struct Done {
    seq: u64,
    lines: u64,
    out: Vec<u8>,
    ok: u64,
    failed: [u64; KINDS],
}

fn process_chunk(engine: &Engine, options: &BatchOptions, chunk: Chunk) -> Done {
    let mut done = Done {
        seq: chunk.seq,
        lines: chunk.slots.len() as u64,
        out: Vec::with_capacity(chunk.data.len() * 3),
        ok: 0,
        failed: [0; KINDS],
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

/// Runs a whole batch: every line of `input` to one record on `output`, in order.
pub fn run(
    engine: &Engine,
    input: impl BufRead + Send,
    output: impl Write,
    options: &BatchOptions,
) -> io::Result<BatchSummary> {
    run_with_progress(engine, input, output, options, |_| {})
}

/// [`run`], calling `progress` with the counts so far after each chunk is written.
///
/// Output is written a chunk at a time, each `write_all` call carrying whole records only,
/// and flushed after each chunk; a chunk ends early when the input has nothing more
/// buffered, so results follow a slow input within one read.
pub fn run_with_progress(
    engine: &Engine,
    mut input: impl BufRead + Send,
    mut output: impl Write,
    options: &BatchOptions,
    mut progress: impl FnMut(&BatchSummary),
) -> io::Result<BatchSummary> {
    let mut summary = BatchSummary::default();
    if options.threads <= 1 {
        let max = options.max_line_bytes;
        let mut seq = 0;
        while let Some(chunk) = read_chunk(&mut input, seq, summary.lines + 1, max)? {
            let done = process_chunk(engine, options, chunk);
            output.write_all(&done.out)?;
            output.flush()?;
            summary.add(&done);
            progress(&summary);
            seq += 1;
        }
    } else {
        run_parallel(
            engine,
            &mut input,
            &mut output,
            options,
            &mut summary,
            &mut progress,
        )?;
    }
    output.flush()?;
    Ok(summary)
}

/// The pipeline: a reader thread reads chunks, `options.threads` workers normalize them, and
/// this thread writes them back in input order. The writer never waits on the input: a
/// finished chunk is written while the reader waits for more. At most `2 × threads` chunks
/// are read and not yet written (a token per chunk, returned when it is written).
fn run_parallel(
    engine: &Engine,
    input: &mut (impl BufRead + Send),
    output: &mut impl Write,
    options: &BatchOptions,
    summary: &mut BatchSummary,
    progress: &mut impl FnMut(&BatchSummary),
) -> io::Result<()> {
    let in_flight_max = 2 * options.threads;
    let (work_tx, work_rx) = mpsc::sync_channel::<Chunk>(in_flight_max);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    let (token_tx, token_rx) = mpsc::sync_channel::<()>(in_flight_max);
    for _ in 0..in_flight_max {
        token_tx
            .send(())
            .expect("the channel has room for every token");
    }
    std::thread::scope(|scope| {
        for _ in 0..options.threads {
            let (work_rx, done_tx) = (&work_rx, done_tx.clone());
            scope.spawn(move || {
                loop {
                    let next = work_rx.lock().expect("a worker panicked").recv();
                    let Ok(chunk) = next else { break };
                    if done_tx.send(process_chunk(engine, options, chunk)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let reader = scope.spawn(move || -> io::Result<()> {
            let (mut seq, mut next_line) = (0u64, 1u64);
            // A token is free for each chunk; none when the writer has stopped.
            while token_rx.recv().is_ok() {
                let Some(chunk) = read_chunk(input, seq, next_line, options.max_line_bytes)? else {
                    break;
                };
                next_line += chunk.slots.len() as u64;
                seq += 1;
                if work_tx.send(chunk).is_err() {
                    break;
                }
            }
            Ok(())
        });
        // Chunks come back in any order; write them in sequence. The channel closes once
        // the reader is done and every worker has sent its last chunk.
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut written = 0u64;
        let wrote = (|| -> io::Result<()> {
            for done in done_rx.iter() {
                pending.insert(done.seq, done);
                while let Some(done) = pending.remove(&written) {
                    output.write_all(&done.out)?;
                    output.flush()?;
                    summary.add(&done);
                    written += 1;
                    let _ = token_tx.send(());
                }
                progress(summary);
            }
            Ok(())
        })();
        // On a write error, stop the reader (no more tokens) and the workers (no receiver).
        drop(token_tx);
        drop(done_rx);
        let read = reader.join().expect("the reader does not panic");
        wrote.and(read)
    })
}
