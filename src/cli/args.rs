//! The command line's arguments (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Normalize payment providers' failure answers to one canonical code.
#[derive(Parser)]
#[command(name = "paynorm", version, about, long_about = None)]
pub struct Cli {
    /// Load every *.toml in DIR on top of the built-in mappings (a file with a built-in
    /// provider id replaces it; other ids add providers).
    #[arg(long, global = true, value_name = "DIR")]
    pub mappings: Option<PathBuf>,

    /// Language of `message` and `customer_message`, a BCP-47 tag: zh, zh-CN, zh-Hans →
    /// Chinese; anything else → English.
    #[arg(long, global = true, default_value = "en", value_name = "TAG")]
    pub lang: String,

    /// More logging on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
        #[arg(long, default_value_t = paynorm::batch::DEFAULT_MAX_LINE_BYTES)]
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
    /// Serve the engine over HTTP/JSON (see README, *Service*). Reloads the mappings on
    /// SIGHUP; stops on SIGTERM/SIGINT after in-flight requests finish.
    Serve(ServeArgs),
    /// Health check for containers: GET URL, exit 0 on a 2xx answer, 1 otherwise with the
    /// reason on stderr. Plain HTTP/1.1 only (https is not supported).
    Health {
        /// What to ask.
        #[arg(long, default_value = "http://127.0.0.1:8080/health/ready")]
        url: String,
        /// Seconds the whole check may take (connect, send, answer).
        #[arg(long, default_value_t = 2.0)]
        timeout: f64,
    },
}

/// The options of `serve`; each also from its environment variable.
#[derive(clap::Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, env = "PAYNORM_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Largest request body, in bytes (413 beyond).
    #[arg(long, env = "PAYNORM_MAX_BODY_BYTES", default_value_t = 4 << 20)]
    pub max_body_bytes: usize,
    /// Most items of one /v1/normalize/batch request (413 beyond).
    #[arg(long, env = "PAYNORM_MAX_BATCH_ITEMS", default_value_t = 10_000)]
    pub max_batch_items: usize,
    /// Time a request may take, body included, in seconds (408 beyond).
    #[arg(long, env = "PAYNORM_REQUEST_TIMEOUT", default_value_t = 10)]
    pub request_timeout: u64,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    #[arg(long, env = "PAYNORM_SHUTDOWN_GRACE_PERIOD", default_value_t = 10)]
    pub shutdown_grace_period: u64,
    /// File holding a bearer token every /v1 and /metrics request must send
    /// (`Authorization: Bearer ...`; 401 otherwise).
    #[arg(long, env = "PAYNORM_AUTH_TOKEN_FILE", value_name = "FILE")]
    pub auth_token_file: Option<PathBuf>,
    /// One JSON line per normalization (decision id, time, revision, provider, rule, via,
    /// code, outcome) to `stdout`, to FILE (appended; reopened on SIGHUP), or `off`. Written
    /// off the request path: when the writer falls behind, lines are dropped and counted in
    /// `paynorm_decision_log_dropped_total`.
    #[arg(
        long,
        env = "PAYNORM_DECISION_LOG",
        default_value = "off",
        value_name = "stdout|FILE|off"
    )]
    pub decision_log: String,
    /// Also log each decision's `raw` fields (what the provider sent: may be personal data).
    #[arg(long, env = "PAYNORM_DECISION_LOG_RAW")]
    pub decision_log_raw: bool,
    /// Requests whose decisions may wait for the decision log writer; beyond, they are
    /// dropped from the log (not waited for) and counted.
    #[arg(
        long,
        env = "PAYNORM_DECISION_LOG_QUEUE",
        default_value_t = 4096,
        value_name = "N"
    )]
    pub decision_log_queue: usize,
    /// Watch the --mappings directory and reload on changes (debounced; ConfigMap symlink
    /// swaps included), as SIGHUP does.
    #[arg(long, env = "PAYNORM_WATCH")]
    pub watch: bool,
    /// Serve /metrics and /health/* on this address too, and /metrics only there.
    #[arg(long, env = "PAYNORM_DIAGNOSTIC_ADDR", value_name = "ADDR")]
    pub diagnostic_addr: Option<std::net::SocketAddr>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TableFormat {
    Table,
    Json,
}
