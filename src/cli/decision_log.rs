//! `serve --decision-log`: one JSON line per normalization, written off the request path.
//!
//! A request hands its records (the bytes it answers with) to a bounded channel and goes on;
//! one writer thread shapes them into log lines and writes them. When the channel is full the
//! records are dropped, never waited for, and counted in `paynorm_decision_log_dropped_total`
//! (by decisions, so a dropped batch counts its items). A line holds what a decision was and
//! where it came from, not what the provider said: the `raw` fields only with
//! `--decision-log-raw`, since responses can carry personal data. A log file is opened for
//! appending and reopened on SIGHUP, for log rotation.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// Where the lines go.
#[derive(Clone, Debug)]
pub enum Target {
    Stdout,
    File(PathBuf),
}

impl Target {
    /// `stdout`, `off` (none) or a file path.
    pub fn parse(text: &str) -> Option<Target> {
        match text {
            "off" | "" => None,
            "stdout" | "-" => Some(Target::Stdout),
            path => Some(Target::File(PathBuf::from(path))),
        }
    }
}

/// What a request answered.
pub enum Records {
    /// One record (`/v1/normalize`).
    One(Vec<u8>),
    /// A JSON array of records and error objects (`/v1/normalize/batch`, JSON).
    Array(Vec<u8>),
    /// JSON lines, records and error objects (`/v1/normalize/batch`, NDJSON).
    Lines(Vec<u8>),
}

/// One request's decisions, as handed to the writer.
pub struct Entry {
    pub at: SystemTime,
    pub decision_id: String,
    pub revision: Arc<str>,
    pub route: &'static str,
    pub lang: &'static str,
    /// Decisions in `records` (for the drop count).
    pub decisions: u64,
    pub records: Records,
}

enum Message {
    Entry(Entry),
    Stop,
}

/// The sending side, shared by every request.
pub struct DecisionLog {
    tx: SyncSender<Message>,
    reopen: Arc<AtomicBool>,
    writer: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl DecisionLog {
    /// Opens the target and starts the writer thread, with room for `queue` requests' records
    /// between the requests and the writer.
    pub fn start(target: Target, raw: bool, queue: usize) -> io::Result<DecisionLog> {
        let out = open(&target)?;
        metrics::counter!("paynorm_decision_log_dropped_total").increment(0);
        let (tx, rx) = mpsc::sync_channel(queue.max(1));
        let reopen = Arc::new(AtomicBool::new(false));
        let flag = reopen.clone();
        let writer = std::thread::Builder::new()
            .name("decision-log".into())
            .spawn(move || write_loop(&rx, target, out, raw, &flag))?;
        Ok(DecisionLog {
            tx,
            reopen,
            writer: std::sync::Mutex::new(Some(writer)),
        })
    }

    /// Hands `entry` to the writer, or drops and counts it when the writer is behind.
    pub fn log(&self, entry: Entry) {
        let decisions = entry.decisions;
        match self.tx.try_send(Message::Entry(entry)) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                metrics::counter!("paynorm_decision_log_dropped_total").increment(decisions);
            }
        }
    }

    /// Asks the writer to reopen its file (SIGHUP, after rotation).
    pub fn reopen(&self) {
        self.reopen.store(true, Ordering::Relaxed);
    }

    /// Writes what is queued, then stops the writer; gives up after about two seconds (a
    /// writer stuck on a full pipe must not hold up the exit).
    pub fn close(&self) {
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut stop = Message::Stop;
        loop {
            match self.tx.try_send(stop) {
                Ok(()) | Err(TrySendError::Disconnected(_)) => break,
                Err(TrySendError::Full(m)) if Instant::now() < deadline => {
                    stop = m;
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(TrySendError::Full(_)) => break,
            }
        }
        let Some(w) = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return;
        };
        while !w.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        if w.is_finished() {
            let _ = w.join();
        } else {
            tracing::warn!("the decision log writer is stuck; its queued lines are lost");
        }
    }
}

fn open(target: &Target) -> io::Result<Box<dyn Write + Send>> {
    Ok(match target {
        Target::Stdout => Box::new(io::stdout()),
        Target::File(path) => {
            let file: File = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!("cannot open decision log {}: {e}", path.display()),
                    )
                })?;
            Box::new(file)
        }
    })
}

fn write_loop(
    rx: &Receiver<Message>,
    target: Target,
    out: Box<dyn Write + Send>,
    raw: bool,
    reopen: &AtomicBool,
) {
    let mut out = BufWriter::with_capacity(64 << 10, out);
    let mut line = Vec::with_capacity(1024);
    loop {
        let mut next = match rx.recv_timeout(Duration::from_millis(500)) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if reopen.swap(false, Ordering::Relaxed) {
            let _ = out.flush();
            match open(&target) {
                Ok(w) => out = BufWriter::with_capacity(64 << 10, w),
                Err(e) => tracing::warn!("{e}; writing on to the old file"),
            }
        }
        // Everything queued, then one flush: lines reach the file promptly when traffic is
        // light, in large writes when it is heavy.
        while let Some(message) = next {
            match message {
                Message::Entry(entry) => for_each_line(&entry, raw, &mut line, |l| {
                    let _ = out.write_all(l);
                }),
                Message::Stop => {
                    let _ = out.flush();
                    return;
                }
            }
            next = rx.try_recv().ok();
        }
        let _ = out.flush();
    }
    let _ = out.flush();
}

/// Calls `emit` with each log line of `entry` (newline included).
fn for_each_line(entry: &Entry, raw: bool, line: &mut Vec<u8>, mut emit: impl FnMut(&[u8])) {
    let mut one = |index: Option<usize>, record: Value| {
        let Value::Object(record) = record else {
            return;
        };
        if record.contains_key("error") || !record.contains_key("code") {
            return; // a refused item: no decision
        }
        line.clear();
        let shaped = shape(entry, index, record, raw);
        if serde_json::to_writer(&mut *line, &shaped).is_ok() {
            line.push(b'\n');
            emit(line);
        }
    };
    match &entry.records {
        Records::One(bytes) => {
            if let Ok(v) = serde_json::from_slice(bytes) {
                one(None, v);
            }
        }
        Records::Array(bytes) => {
            if let Ok(Value::Array(items)) = serde_json::from_slice(bytes) {
                for (i, v) in items.into_iter().enumerate() {
                    one(Some(i), v);
                }
            }
        }
        Records::Lines(bytes) => {
            for (i, l) in bytes.split(|b| *b == b'\n').enumerate() {
                if let Ok(v) = serde_json::from_slice(l) {
                    one(Some(i), v);
                }
            }
        }
    }
}

/// The log line of one record.
fn shape(entry: &Entry, index: Option<usize>, mut record: Map<String, Value>, raw: bool) -> Value {
    let mut line = Map::new();
    line.insert("decision_id".into(), entry.decision_id.clone().into());
    line.insert("time".into(), rfc3339(entry.at).into());
    line.insert("revision".into(), entry.revision.as_ref().into());
    line.insert("route".into(), entry.route.into());
    if let Some(i) = index {
        line.insert("index".into(), i.into());
    }
    for key in [
        "id", "provider", "rule", "via", "code", "category", "outcome",
    ] {
        if let Some(v) = record.remove(key) {
            line.insert(key.into(), v);
        }
    }
    line.insert("lang".into(), entry.lang.into());
    if raw && let Some(v) = record.remove("raw") {
        line.insert("raw".into(), v);
    }
    Value::Object(line)
}

/// `2026-12-02T14:05:09.123Z`: RFC 3339, UTC, milliseconds.
pub fn rfc3339(at: SystemTime) -> String {
    let d = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, day) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        let at = |s: u64, ms: u64| UNIX_EPOCH + Duration::from_millis(s * 1000 + ms);
        assert_eq!(rfc3339(at(0, 0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(at(951_782_400, 5)), "2000-02-29T00:00:00.005Z");
        assert_eq!(rfc3339(at(1_796_224_509, 123)), "2026-12-02T15:15:09.123Z");
    }
}
