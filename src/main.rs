//! The `paynorm` command line: parses the arguments and hands them to `cli`, which renders
//! what the library computes.
//!
//! Exit statuses (also in README.md): 0 success; 1 some input could not be normalized;
//! 2 usage error; 3 the mapping set is invalid; 4 I/O error.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::args::Cli::parse();
    cli::init_logging(args.verbose);
    cli::exit(cli::run(args))
}
