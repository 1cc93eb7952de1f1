//! Runs one batch loop over a JSONL file in memory, one thread, the output counted and
//! dropped a chunk at a time (as a pipe would take it, so neither loop pays for holding its
//! whole output):
//! `cargo run --release --example loops -- baseline|paynorm FILE`. The same two loops as the
//! `batch` group of `benches/paynorm.rs`, as a program, so instruction counts (valgrind
//! `--tool=callgrind`, deterministic on a busy machine) compare them too: run each on N and
//! 2N lines and take the difference, which removes start-up and engine load.

use paynorm::Engine;
use paynorm::batch::{self, BatchOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(which), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: loops baseline|paynorm FILE");
        std::process::exit(2);
    };
    let input = std::fs::read(&file).expect("FILE is readable");
    let (lines, bytes) = match which.as_str() {
        "baseline" => {
            let map = paynorm_workload::baseline_table();
            let (mut lines, mut bytes) = (0, 0);
            let mut out = Vec::new();
            let mut rest = &input[..];
            while !rest.is_empty() {
                // Chunks of about 256 KiB, cut after a newline, like `paynorm batch`'s.
                let cut = rest.len().min(256 << 10);
                let end = rest[cut..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(rest.len(), |i| cut + i + 1);
                lines += paynorm_workload::parse_only_loop(&rest[..end], &mut out, &map);
                bytes += out.len();
                out.clear();
                rest = &rest[end..];
            }
            (lines, bytes)
        }
        "paynorm" => {
            let engine = Engine::builtin().expect("built-in mappings are valid");
            let options = BatchOptions {
                threads: 1,
                ..BatchOptions::default()
            };
            let mut out = Counted(0);
            let lines = batch::run(&engine, &input[..], &mut out, &options)
                .expect("the sink takes everything")
                .lines;
            (lines, out.0)
        }
        other => {
            eprintln!("unknown loop {other:?}: baseline or paynorm");
            std::process::exit(2);
        }
    };
    eprintln!("{lines} lines, {bytes} bytes out");
}

/// A writer that only counts.
struct Counted(usize);

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
