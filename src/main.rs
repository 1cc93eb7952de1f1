//! The `paynorm` command line: argument parsing and rendering only; the library does the work.
//!
//! Exit statuses (also in README.md): 0 success; 1 some input could not be normalized;
//! 2 usage error; 3 the mapping set is invalid; 4 I/O error.

use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use paynorm::batch::{self, BatchOptions};
use paynorm::{Diagnostics, Engine, catalog};

const EXIT_INPUT: u8 = 1;
const EXIT_MAPPINGS: u8 = 3;
const EXIT_IO: u8 = 4;

/// Normalize payment providers' failure answers to one canonical code.
#[derive(Parser)]
#[command(name = "paynorm", version, about, long_about = None)]
struct Cli {
    /// Load every *.toml in DIR on top of the built-in mappings (a file with a built-in
    /// provider id replaces it; other ids add providers).
    #[arg(long, global = true, value_name = "DIR")]
    mappings: Option<PathBuf>,

    /// More logging on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Normalize one raw response (JSON argument, or stdin) to one JSON record on stdout.
    Normalize {
        /// Provider id (see `paynorm providers`).
        provider: String,
        /// The raw response as JSON; read from stdin when absent.
        json: Option<String>,
    },
    /// Normalize JSONL: each line {"provider": ..., "response": {...}, "id": ...}; one output
    /// line per input line, in order. Exit 1 when any line failed.
    Batch {
        /// Input file; stdin when absent.
        file: Option<PathBuf>,
        /// Lines longer than this many bytes become `line-too-long` error records.
        #[arg(long, default_value_t = batch::DEFAULT_MAX_LINE_BYTES)]
        max_line_bytes: usize,
    },
    /// Validate the mappings (built-in, plus --mappings DIR) and report every problem.
    Check {
        /// Diagnostics as text for people, or JSON for tools.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the canonical catalog.
    Catalog {
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
    },
    /// List the loaded providers: id, name, entry count, source.
    Providers {
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum TableFormat {
    Table,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(Failure::Mappings(diags, format)) => {
            match format {
                Format::Text => eprint!("{}", diags.render()),
                Format::Json => println!("{}", diags.to_json()),
            }
            ExitCode::from(EXIT_MAPPINGS)
        }
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_IO)
        }
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(EXIT_INPUT)
        }
    }
}

enum Failure {
    Mappings(Diagnostics, Format),
    Io(io::Error),
    Input(String),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .without_time()
        .init();
}

fn load(mappings: Option<&Path>, format: Format) -> Result<Engine, Failure> {
    let engine = match mappings {
        Some(dir) => Engine::with_mappings_dir(dir),
        None => Engine::builtin(),
    }
    .map_err(|d| Failure::Mappings(d, format))?;
    tracing::info!(
        providers = engine.providers().len(),
        overlay = ?mappings,
        "mapping set loaded"
    );
    Ok(engine)
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let mappings = cli.mappings.as_deref();
    let stdout = io::stdout();
    match cli.command {
        Command::Normalize { provider, json } => {
            let engine = load(mappings, Format::Text)?;
            let text = match json {
                Some(j) => j,
                None => {
                    let mut s = String::new();
                    io::stdin().read_to_string(&mut s)?;
                    s
                }
            };
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Failure::Input(format!("the response is not valid JSON: {e}")))?;
            let result = engine
                .normalize(&provider, &value)
                .map_err(|e| Failure::Input(format!("{e} (see `paynorm providers`)")))?;
            let mut out = stdout.lock();
            serde_json::to_writer(&mut out, &result).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        Command::Batch {
            file,
            max_line_bytes,
        } => {
            let engine = load(mappings, Format::Text)?;
            let input: Box<dyn BufRead> = match &file {
                Some(path) => Box::new(BufReader::with_capacity(
                    256 * 1024,
                    std::fs::File::open(path).map_err(|e| {
                        io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display()))
                    })?,
                )),
                None => Box::new(io::stdin().lock()),
            };
            let summary = batch::run(
                &engine,
                input,
                stdout.lock(),
                &BatchOptions { max_line_bytes },
            )?;
            eprintln!("{}", summary.describe());
            if summary.failed_total() > 0 {
                return Ok(ExitCode::from(EXIT_INPUT));
            }
        }
        Command::Check { format } => {
            let engine = load(mappings, format)?;
            let providers = engine.providers();
            let entries: usize = providers.iter().map(|p| p.entries).sum();
            match format {
                Format::Text => println!(
                    "ok: {} providers, {entries} entries, no problems",
                    providers.len()
                ),
                Format::Json => println!("[]"),
            }
        }
        Command::Catalog { format } => {
            let mut out = stdout.lock();
            match format {
                TableFormat::Json => {
                    let list: Vec<serde_json::Value> = catalog::entries()
                        .iter()
                        .map(|e| {
                            serde_json::json!({
                                "code": e.code,
                                "category": e.category,
                                "messages": {"en": e.en, "zh": e.zh},
                            })
                        })
                        .collect();
                    serde_json::to_writer_pretty(&mut out, &list).map_err(io::Error::from)?;
                    writeln!(out)?;
                }
                TableFormat::Table => {
                    writeln!(out, "{:<7} {:<14} {:<55} zh", "code", "category", "en")?;
                    for e in catalog::entries() {
                        writeln!(
                            out,
                            "{:<7} {:<14} {:<55} {}",
                            e.code, e.category, e.en, e.zh
                        )?;
                    }
                }
            }
        }
        Command::Providers { format } => {
            let engine = load(mappings, Format::Text)?;
            let providers = engine.providers();
            let mut out = stdout.lock();
            match format {
                TableFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &providers).map_err(io::Error::from)?;
                    writeln!(out)?;
                }
                TableFormat::Table => {
                    writeln!(out, "{:<10} {:<34} {:>7}  source", "id", "name", "entries")?;
                    for p in &providers {
                        let source = p.sources.first().map(String::as_str).unwrap_or("");
                        writeln!(
                            out,
                            "{:<10} {:<34} {:>7}  {source}",
                            p.id, p.name, p.entries
                        )?;
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
