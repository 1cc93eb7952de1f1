//! The command line behind `main.rs`: [`args`] (what clap parses), [`fs`] (the only module
//! that touches the disk), [`commands`] (one function per subcommand), [`render`] (tables
//! and lists for people).

pub mod args;
mod commands;
mod decision_log;
mod fs;
mod health;
mod interrupt;
mod render;
mod serve;
mod watch;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use paynorm::Diagnostics;

use args::{Cli, Command, Format};

const EXIT_INPUT: u8 = 1;
const EXIT_MAPPINGS: u8 = 3;
const EXIT_IO: u8 = 4;

/// Why a command did not succeed.
pub enum Failure {
    /// The mapping set is invalid: its diagnostics, in the requested format.
    Mappings(Diagnostics, Format),
    Io(io::Error),
    /// Some input could not be used (exit 1).
    Input(String),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure::Io(io::Error::from(e))
    }
}

/// What a command returns: its exit status, or why it failed.
pub type Outcome = Result<ExitCode, Failure>;

pub fn init_logging(verbose: u8) {
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

/// Runs the parsed command.
pub fn run(cli: Cli) -> Outcome {
    let mappings = cli.mappings.as_deref();
    let lang = paynorm::Lang::from_tag(&cli.lang);
    match cli.command {
        Command::Normalize {
            provider,
            json,
            context,
        } => commands::normalize(mappings, lang, &provider, json, context),
        Command::Explain {
            provider,
            json,
            context,
            format,
        } => commands::explain(mappings, lang, &provider, json, context, format),
        Command::Batch {
            file,
            max_line_bytes,
            threads,
        } => commands::batch(mappings, lang, file.as_deref(), max_line_bytes, threads),
        Command::Check { format } => commands::check(mappings, format),
        Command::Catalog { format } => render::catalog(format),
        Command::Providers { format } => {
            let engine = commands::load(mappings, Format::Text)?;
            render::providers(&engine, format)
        }
        Command::Coverage {
            provider,
            reference,
            field,
            fixtures,
            require_complete,
            format,
        } => commands::coverage(
            mappings,
            commands::CoverageArgs {
                provider,
                reference,
                field,
                fixtures,
                require_complete,
                format,
            },
        ),
        Command::Test { dir, update } => commands::expectation_tests(mappings, &dir, update),
        Command::Serve(args) => serve::serve(mappings, args),
        Command::Health { url, timeout } => health::check(&url, timeout),
    }
}

/// The exit status of an outcome, with its failure rendered on stderr (or stdout, for
/// diagnostics as JSON).
///
/// Writing here never panics: a closed or full stderr loses the message, not the status. A
/// closed stdout (`| head`) ends a command quietly with the status it had; any other failure
/// to write stdout (a full disk, `>/dev/full`) is an I/O error, exit 4.
pub fn exit(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(code) => match io::stdout().lock().flush() {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                say(&format!("error: cannot write stdout: {e}\n"));
                ExitCode::from(EXIT_IO)
            }
            _ => code,
        },
        Err(Failure::Mappings(diags, format)) => {
            match format {
                Format::Text => say(&diags.render()),
                Format::Json => {
                    let mut out = io::stdout().lock();
                    let written = writeln!(out, "{}", diags.to_json()).and_then(|()| out.flush());
                    if let Err(e) = written
                        && e.kind() != io::ErrorKind::BrokenPipe
                    {
                        say(&format!("error: cannot write the diagnostics: {e}\n"));
                    }
                }
            }
            ExitCode::from(EXIT_MAPPINGS)
        }
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            say(&format!("error: {e}\n"));
            ExitCode::from(EXIT_IO)
        }
        Err(Failure::Input(msg)) => {
            say(&format!("error: {msg}\n"));
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// Writes `text` to stderr, ignoring a stderr that cannot be written (full or closed): the
/// exit status still says what happened.
pub fn say(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Exit status 1: some input failed.
pub fn input_failed() -> ExitCode {
    ExitCode::from(EXIT_INPUT)
}
