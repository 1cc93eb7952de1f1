//! Writes the benchmark workload: `cargo run --release --example workload -- [LINES] [SEED]
//! > workload.jsonl`. Defaults: 1,000,000 lines, seed 42. See `crates/workload`.

use std::io::{self, BufWriter, Write};

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let lines: u64 = args
        .next()
        .map_or(1_000_000, |a| a.parse().expect("LINES is a number"));
    let seed: u64 = args
        .next()
        .map_or(42, |a| a.parse().expect("SEED is a number"));
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    paynorm_workload::write(&mut out, lines, seed)?;
    out.flush()
}
