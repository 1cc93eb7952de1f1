//! Runs one batch loop over a JSONL file in memory, output into memory, one thread:
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
    let mut out = Vec::with_capacity(input.len() * 3);
    let lines = match which.as_str() {
        "baseline" => {
            let map = paynorm_workload::baseline_table();
            paynorm_workload::parse_only_loop(&input, &mut out, &map)
        }
        "paynorm" => {
            let engine = Engine::builtin().expect("built-in mappings are valid");
            let options = BatchOptions {
                threads: 1,
                ..BatchOptions::default()
            };
            batch::run(&engine, &input[..], &mut out, &options)
                .expect("writing to a Vec")
                .lines
        }
        other => {
            eprintln!("unknown loop {other:?}: baseline or paynorm");
            std::process::exit(2);
        }
    };
    eprintln!("{lines} lines, {} bytes out", out.len());
}
