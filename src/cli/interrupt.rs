//! `batch` under SIGTERM, SIGINT or SIGHUP: the output ends on a line boundary and stderr
//! says how far it got.
//!
//! Every write of the batch output goes through [`LineBoundary`], which writes and flushes
//! whole records while holding [`WRITTEN`]. A watcher thread waits for the signal, takes that
//! lock (so no write is half done), reports the lines written and exits with `128 + signal`.
//! The line being normalized when the signal came is dropped, never cut.

use std::io::{self, Write};
use std::sync::Mutex;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Output lines written so far; held while a write is in progress.
static WRITTEN: Mutex<u64> = Mutex::new(0);

/// The batch output: whole records, flushed under [`WRITTEN`].
pub struct LineBoundary<W: Write>(pub W);

impl<W: Write> Write for LineBoundary<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    /// `batch::run` calls this with whole records only.
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut written = WRITTEN.lock().unwrap_or_else(|e| e.into_inner());
        self.0.write_all(buf)?;
        self.0.flush()?;
        *written += memchr::memchr_iter(b'\n', buf).count() as u64;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _written = WRITTEN.lock().unwrap_or_else(|e| e.into_inner());
        self.0.flush()
    }
}

/// Starts the watcher. Without signal support (an error registering), the default
/// behaviour stays: the process dies where it is.
pub fn watch() {
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            // Held until exit: no write starts or is half done after this point.
            let written = WRITTEN.lock().unwrap_or_else(|e| e.into_inner());
            let name = match signal {
                SIGTERM => "SIGTERM",
                SIGINT => "SIGINT",
                _ => "SIGHUP",
            };
            super::say(&format!(
                "interrupted by {name} after {} output lines (one per input line, in order); \
                 the output ends on a line boundary\n",
                *written
            ));
            std::process::exit(128 + signal);
        }
    });
}
