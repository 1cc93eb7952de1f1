//! The `paynorm` command line: argument parsing and rendering only; the library does the work.
//!
//! Exit statuses (also in README.md): 0 success; 1 some input could not be normalized;
//! 2 usage error; 3 the mapping set is invalid; 4 I/O error.

use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use paynorm::batch::{self, BatchOptions};
use paynorm::{Context, Diagnostics, Engine, Lang, catalog};

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

    /// Language of `message` and `customer_message`, a BCP-47 tag: zh, zh-CN, zh-Hans →
    /// Chinese; anything else → English.
    #[arg(long, global = true, default_value = "en", value_name = "TAG")]
    lang: String,

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
        /// Per-call context, e.g. '{"initiator":"merchant","network":"visa"}'.
        #[arg(long, value_name = "JSON")]
        context: Option<String>,
    },
    /// Show how one raw response is normalized: each field read, each step tried in order,
    /// the generic entries passed over, the decision and where it came from.
    Explain {
        /// Provider id (see `paynorm providers`).
        provider: String,
        /// The raw response as JSON; read from stdin when absent.
        json: Option<String>,
        /// Per-call context, e.g. '{"initiator":"merchant"}'.
        #[arg(long, value_name = "JSON")]
        context: Option<String>,
        /// Text for people, or JSON for tools.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Normalize JSONL: each line {"provider": ..., "response": {...}, "id": ...}; one output
    /// line per input line, in order. Exit 1 when any line failed.
    Batch {
        /// Input file; stdin when absent.
        file: Option<PathBuf>,
        /// Lines longer than this many bytes become `line-too-long` error records.
        #[arg(long, default_value_t = batch::DEFAULT_MAX_LINE_BYTES)]
        max_line_bytes: usize,
        /// Worker threads (default: the number of cores); output order is input order.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: Option<u16>,
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
    /// Per provider: entries, reachable catalog codes, entries no fixture exercises, and the
    /// codes of a published list (--reference) that have no entry of their own.
    Coverage {
        /// One provider; all loaded providers when absent.
        provider: Option<String>,
        /// A published code list (TSV: header row, then code<TAB>description).
        #[arg(long, value_name = "FILE.tsv", requires = "provider")]
        reference: Option<PathBuf>,
        /// Only this field's entries cover the list (for providers with one list per field).
        #[arg(long, requires = "reference")]
        field: Option<String>,
        /// Fixture directory: raw responses in DIR/<provider>/*.json.
        #[arg(long, value_name = "DIR", default_value = "fixtures")]
        fixtures: PathBuf,
        /// Exit 1 when a listed code has no entry, or its entry's desc differs from the list.
        #[arg(long, requires = "reference")]
        require_complete: bool,
        #[arg(long, value_enum, default_value_t = TableFormat::Table)]
        format: TableFormat,
    },
    /// Run expectation tests: DIR/<provider>/<case>.json against <case>.expected.json beside
    /// it. Prints a diff for each mismatch; exit 1 on any mismatch or missing expectation.
    Test {
        /// Directory of <provider>/ subdirectories.
        dir: PathBuf,
        /// Write the current output as the expectation of every case that differs or is new.
        #[arg(long)]
        update: bool,
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

/// The response (argument, or stdin) and the optional context of `normalize` and `explain`.
fn read_response(
    json: Option<String>,
    context: Option<String>,
) -> Result<(serde_json::Value, Context), Failure> {
    let text = match json {
        Some(j) => j,
        None => {
            let mut s = String::new();
            io::stdin().read_to_string(&mut s)?;
            s
        }
    };
    let value = serde_json::from_str(&text)
        .map_err(|e| Failure::Input(format!("the response is not valid JSON: {e}")))?;
    let context = match context {
        Some(c) => serde_json::from_str(&c)
            .map_err(|e| Failure::Input(format!("invalid --context: {e}")))?,
        None => Context::default(),
    };
    Ok((value, context))
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let mappings = cli.mappings.as_deref();
    let lang = Lang::from_tag(&cli.lang);
    let stdout = io::stdout();
    match cli.command {
        Command::Normalize {
            provider,
            json,
            context,
        } => {
            let engine = load(mappings, Format::Text)?;
            let (value, context) = read_response(json, context)?;
            let result = engine
                .normalize_with(&provider, &value, &context)
                .map_err(|e| Failure::Input(format!("{e} (see `paynorm providers`)")))?;
            let mut out = stdout.lock();
            serde_json::to_writer(&mut out, &result.record(lang)).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        Command::Explain {
            provider,
            json,
            context,
            format,
        } => {
            let engine = load(mappings, Format::Text)?;
            let (value, context) = read_response(json, context)?;
            let explanation = engine
                .explain(&provider, &value, &context)
                .map_err(|e| Failure::Input(format!("{e} (see `paynorm providers`)")))?;
            let mut out = stdout.lock();
            match format {
                Format::Text => write!(out, "{}", explanation.render_in(lang))?,
                Format::Json => {
                    // A struct, not `json!`: keys keep the record's own order.
                    #[derive(serde::Serialize)]
                    struct Explained<'a> {
                        record: paynorm::record::Record<'a, 'a>,
                        trace: &'a paynorm::explain::Explanation<'a>,
                    }
                    let json = Explained {
                        record: explanation.result.record(lang),
                        trace: &explanation,
                    };
                    serde_json::to_writer_pretty(&mut out, &json).map_err(io::Error::from)?;
                    writeln!(out)?;
                }
            }
        }
        Command::Batch {
            file,
            max_line_bytes,
            threads,
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
                &BatchOptions {
                    max_line_bytes,
                    lang,
                    threads: threads.map_or_else(batch::default_threads, usize::from),
                    progress: io::stderr().is_terminal(),
                },
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
                    writeln!(out, "{:<12} {:<34} {:>7}  source", "id", "name", "entries")?;
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
        Command::Coverage {
            provider,
            reference,
            field,
            fixtures,
            require_complete,
            format,
        } => {
            let engine = load(mappings, Format::Text)?;
            return coverage(
                &engine,
                provider,
                reference,
                field,
                &fixtures,
                require_complete,
                format,
            );
        }
        Command::Test { dir, update } => {
            let engine = load(mappings, Format::Text)?;
            return expectation_tests(&engine, &dir, update);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The raw responses in `dir/<provider>/*.json` (expectation files excluded), sorted.
fn read_fixtures(dir: &Path, provider: &str) -> Result<Vec<serde_json::Value>, Failure> {
    let dir = dir.join(provider);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".json") && !name.ends_with(".expected.json")
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)?;
            serde_json::from_str(&text)
                .map_err(|e| Failure::Input(format!("{}: invalid JSON: {e}", p.display())))
        })
        .collect()
}

fn coverage(
    engine: &Engine,
    provider: Option<String>,
    reference: Option<PathBuf>,
    field: Option<String>,
    fixtures: &Path,
    require_complete: bool,
    format: TableFormat,
) -> Result<ExitCode, Failure> {
    let reference_rows = match &reference {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display()))
            })?;
            Some(
                paynorm::coverage::parse_reference(&text)
                    .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let ids: Vec<String> = match provider {
        Some(p) => vec![p],
        None => engine
            .providers()
            .iter()
            .map(|p| p.id.to_string())
            .collect(),
    };
    let mut reports = Vec::new();
    for id in &ids {
        let responses = read_fixtures(fixtures, id)?;
        let report = engine
            .coverage(id, &responses, reference_rows.as_deref(), field.as_deref())
            .map_err(|e| Failure::Input(e.to_string()))?;
        reports.push(report);
    }
    let mut out = io::stdout().lock();
    match format {
        TableFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &reports).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        TableFormat::Table => {
            writeln!(
                out,
                "{:<12} {:>7} {:>9} {:>8} {:>11}  reference",
                "provider", "entries", "reachable", "fixtures", "unexercised"
            )?;
            for r in &reports {
                let reference = r.reference.as_ref().map_or("-".to_string(), |c| {
                    format!("{:.1}% ({}/{})", c.percent, c.covered, c.listed)
                });
                writeln!(
                    out,
                    "{:<12} {:>7} {:>9} {:>8} {:>11}  {reference}",
                    r.provider,
                    r.entries,
                    r.reachable_codes.len(),
                    r.fixtures,
                    r.unexercised.len()
                )?;
            }
            if let [r] = reports.as_slice() {
                if let Some(c) = &r.reference
                    && !c.missing.is_empty()
                {
                    writeln!(
                        out,
                        "\nlisted codes without an entry ({}):",
                        c.missing.len()
                    )?;
                    for code in &c.missing {
                        writeln!(out, "  {code}")?;
                    }
                }
                if !r.unexercised.is_empty() {
                    writeln!(
                        out,
                        "\nentries no fixture exercises ({}):",
                        r.unexercised.len()
                    )?;
                    for id in &r.unexercised {
                        writeln!(out, "  {id}")?;
                    }
                }
            }
        }
    }
    let incomplete = reports.iter().any(|r| {
        r.reference
            .as_ref()
            .is_some_and(|c| !c.missing.is_empty() || !c.description_differs.is_empty())
    });
    Ok(if require_complete && incomplete {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}

fn expectation_tests(engine: &Engine, dir: &Path, update: bool) -> Result<ExitCode, Failure> {
    use paynorm::snapshot::CaseStatus;
    let results = paynorm::snapshot::run(engine, dir, update)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    let mut out = io::stdout().lock();
    let (mut passed, mut failed, mut updated) = (0, 0, 0);
    for r in &results {
        let path = r.path.display();
        match &r.status {
            CaseStatus::Pass => passed += 1,
            CaseStatus::Updated => {
                updated += 1;
                writeln!(out, "updated  {path}")?;
            }
            CaseStatus::New => {
                failed += 1;
                writeln!(
                    out,
                    "new      {path} (no expectation yet; run with --update)"
                )?;
            }
            CaseStatus::Mismatch(diff) => {
                failed += 1;
                writeln!(out, "FAIL     {path}\n{diff}")?;
            }
            CaseStatus::Error(msg) => {
                failed += 1;
                writeln!(out, "ERROR    {path}: {msg}")?;
            }
        }
    }
    writeln!(
        out,
        "{} cases: {passed} passed, {failed} failed, {updated} updated",
        results.len()
    )?;
    Ok(if failed > 0 {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}
