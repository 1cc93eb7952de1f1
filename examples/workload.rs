//! Writes the benchmark workload: `cargo run --release --example workload -- [LINES] [SEED]
//! [real]> workload.jsonl`. Defaults: 1,000,000 lines, seed 42; `real` mixes whole corpus
//! bodies into one line in five. See `crates/workload`.

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
    match args.next().as_deref() {
        None => paynorm_workload::write(&mut out, lines, seed)?,
        Some("real") => out.write_all(&paynorm_workload::generate_real(lines, seed))?,
        Some(other) => panic!("unknown mix {other:?}: leave it out, or `real`"),
    }
    out.flush()
}
