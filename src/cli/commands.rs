//! One function per subcommand: load what it needs, call the library, render the answer.

use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use paynorm::authoring::expect::{self, CaseStatus};
use paynorm::batch::{self, BatchOptions, BatchSummary};
use paynorm::diagnostic::MAX_FILE_BYTES;
use paynorm::json::{Json, ParseError};
use paynorm::{Context, Engine, Lang};

use super::args::{Format, TableFormat};
use super::{Failure, Outcome, fs, input_failed, interrupt, render};

/// The engine for `--mappings` (or the built-in set); diagnostics rendered in `format`.
pub fn load(mappings: Option<&Path>, format: Format) -> Result<Engine, Failure> {
    let engine = fs::load_engine(mappings).map_err(|d| Failure::Mappings(d, format))?;
    tracing::info!(
        providers = engine.providers().len(),
        overlay = ?mappings,
        "mapping set loaded"
    );
    Ok(engine)
}

/// The largest response `normalize` and `explain` read (from the argument or stdin): the
/// batch line limit.
const MAX_RESPONSE_BYTES: usize = batch::DEFAULT_MAX_LINE_BYTES;

/// The text of the response: the argument, or at most [`MAX_RESPONSE_BYTES`] of stdin.
fn response_text(json: Option<String>) -> Result<Vec<u8>, Failure> {
    let bytes = match json {
        Some(j) => j.into_bytes(),
        None => {
            let mut bytes = Vec::new();
            io::stdin()
                .lock()
                .take(MAX_RESPONSE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)?;
            bytes
        }
    };
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(Failure::Input(format!(
            "the response is larger than {MAX_RESPONSE_BYTES} bytes"
        )));
    }
    Ok(bytes)
}

/// The response as a document: a JSON object or array, as `batch` requires of a line's
/// `response` (some answers are arrays: Checkout.com's actions of a payment).
fn parse_response(text: &[u8]) -> Result<Json<'_>, Failure> {
    if let Err(e) = std::str::from_utf8(text) {
        return Err(Failure::Input(format!(
            "the response is not UTF-8 (bad byte at offset {})",
            e.valid_up_to()
        )));
    }
    let doc = Json::parse(text).map_err(|e| match e {
        ParseError::TooDeep(n) => {
            Failure::Input(format!("the response nests deeper than {n} levels"))
        }
        ParseError::Syntax(e) => Failure::Input(format!("the response is not valid JSON: {e}")),
    })?;
    if !doc.is_container() {
        return Err(Failure::Input(
            "the response must be a JSON object or array".into(),
        ));
    }
    Ok(doc)
}

fn parse_context(context: Option<String>) -> Result<Context, Failure> {
    match context {
        Some(c) => {
            serde_json::from_str(&c).map_err(|e| Failure::Input(format!("invalid --context: {e}")))
        }
        None => Ok(Context::default()),
    }
}

fn unknown_provider(e: paynorm::Error) -> Failure {
    Failure::Input(format!("{e} (see `paynorm providers`)"))
}

pub fn normalize(
    mappings: Option<&Path>,
    lang: Lang,
    provider: &str,
    json: Option<String>,
    context: Option<String>,
) -> Outcome {
    let engine = load(mappings, Format::Text)?;
    let text = response_text(json)?;
    let (doc, context) = (parse_response(&text)?, parse_context(context)?);
    let result = engine
        .normalize_with(provider, &doc, &context)
        .map_err(unknown_provider)?;
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, &result.record(lang))?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn explain(
    mappings: Option<&Path>,
    lang: Lang,
    provider: &str,
    json: Option<String>,
    context: Option<String>,
    format: Format,
) -> Outcome {
    let engine = load(mappings, Format::Text)?;
    let text = response_text(json)?;
    let (doc, context) = (parse_response(&text)?, parse_context(context)?);
    let explanation = engine
        .explain(provider, &doc, &context)
        .map_err(unknown_provider)?;
    let mut out = io::stdout().lock();
    match format {
        Format::Text => write!(out, "{}", explanation.render_in(lang))?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &explanation.with_record(lang))?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn batch(
    mappings: Option<&Path>,
    lang: Lang,
    file: Option<&Path>,
    max_line_bytes: usize,
    threads: Option<u16>,
) -> Outcome {
    let engine = load(mappings, Format::Text)?;
    let input: Box<dyn BufRead + Send> = match file {
        Some(path) => {
            let cannot = |e: io::Error| {
                io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display()))
            };
            if path.is_dir() {
                return Err(cannot(io::Error::from(io::ErrorKind::IsADirectory)).into());
            }
            Box::new(BufReader::with_capacity(
                256 * 1024,
                std::fs::File::open(path).map_err(cannot)?,
            ))
        }
        None => Box::new(BufReader::with_capacity(256 * 1024, io::stdin())),
    };
    let options = BatchOptions {
        max_line_bytes,
        lang,
        threads: threads.map_or_else(batch::default_threads, usize::from),
    };
    let mut progress = Progress::new(io::stderr().is_terminal());
    interrupt::watch();
    let output = interrupt::LineBoundary(io::stdout().lock());
    let summary = batch::run_with_progress(&engine, input, output, &options, |s| progress.tick(s))?;
    progress.finish();
    super::say(&format!("{}\n", summary.describe()));
    Ok(if summary.failed_total() > 0 {
        input_failed()
    } else {
        ExitCode::SUCCESS
    })
}

/// Progress on stderr, at most twice a second, only on a terminal.
struct Progress {
    enabled: bool,
    start: Instant,
    last: Instant,
}

impl Progress {
    fn new(enabled: bool) -> Self {
        let now = Instant::now();
        Progress {
            enabled,
            start: now,
            last: now,
        }
    }

    fn tick(&mut self, summary: &BatchSummary) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(500) {
            return;
        }
        self.last = Instant::now();
        let secs = self.start.elapsed().as_secs_f64().max(1e-9);
        super::say(&format!(
            "\r{} lines, {:.0} lines/s, {} errors   ",
            summary.lines,
            summary.lines as f64 / secs,
            summary.failed_total()
        ));
    }

    fn finish(&self) {
        if self.enabled && self.last != self.start {
            super::say("\r\x1b[2K");
        }
    }
}

pub fn check(mappings: Option<&Path>, format: Format) -> Outcome {
    let engine = load(mappings, format)?;
    let providers = engine.providers();
    let entries: usize = providers.iter().map(|p| p.entries).sum();
    let mut out = io::stdout().lock();
    match format {
        Format::Text => writeln!(
            out,
            "ok: {} providers, {entries} entries, no problems",
            providers.len()
        )?,
        Format::Json => writeln!(out, "[]")?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The arguments of `coverage`.
pub struct CoverageArgs {
    pub provider: Option<String>,
    pub reference: Option<PathBuf>,
    pub field: Option<String>,
    pub fixtures: PathBuf,
    pub require_complete: bool,
    pub format: TableFormat,
}

/// The raw responses in `dir/<provider>/*.json` (expectation files excluded), sorted; none
/// when `dir` has no directory for the provider.
fn read_fixtures(dir: &Path, provider: &str) -> Result<Vec<serde_json::Value>, Failure> {
    let provider_dir = dir.join(provider);
    if !provider_dir.exists() {
        return Ok(Vec::new());
    }
    let paths = fs::fixture_files(&provider_dir).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot read {}: {e}", provider_dir.display()),
        )
    })?;
    paths
        .iter()
        .map(|p| {
            let text = fs::read_text(p, MAX_RESPONSE_BYTES)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
            serde_json::from_str(&text)
                .map_err(|e| Failure::Input(format!("{}: invalid JSON: {e}", p.display())))
        })
        .collect()
}

pub fn coverage(mappings: Option<&Path>, args: CoverageArgs) -> Outcome {
    let engine = load(mappings, Format::Text)?;
    if !args.fixtures.is_dir() {
        return Err(Failure::Io(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "the fixtures directory {} does not exist (see --fixtures)",
                args.fixtures.display()
            ),
        )));
    }
    let reference_rows = match &args.reference {
        Some(path) => {
            let text = fs::read_text(path, MAX_FILE_BYTES).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display()))
            })?;
            Some(
                paynorm::authoring::coverage::parse_reference(&text)
                    .map_err(|e| Failure::Input(format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let ids: Vec<String> = match args.provider {
        Some(p) => vec![p],
        None => engine
            .providers()
            .iter()
            .map(|p| p.id.to_string())
            .collect(),
    };
    let mut reports = Vec::new();
    for id in &ids {
        let responses = read_fixtures(&args.fixtures, id)?;
        let report = engine
            .coverage(
                id,
                &responses,
                reference_rows.as_deref(),
                args.field.as_deref(),
            )
            .map_err(|e| Failure::Input(e.to_string()))?;
        reports.push(report);
    }
    render::coverage(&reports, args.format)?;
    let incomplete = reports.iter().any(|r| {
        r.reference
            .as_ref()
            .is_some_and(|c| !c.missing.is_empty() || !c.description_differs.is_empty())
    });
    Ok(if args.require_complete && incomplete {
        input_failed()
    } else {
        ExitCode::SUCCESS
    })
}

pub fn expectation_tests(mappings: Option<&Path>, dir: &Path, update: bool) -> Outcome {
    let engine = load(mappings, Format::Text)?;
    let cases = fs::expectation_cases(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
    if cases.is_empty() {
        let hint = if fs::fixture_files(dir).is_ok_and(|f| !f.is_empty()) {
            format!(
                "; {} holds .json files itself: pass the directory above it",
                dir.display()
            )
        } else {
            String::new()
        };
        return Err(Failure::Input(format!(
            "no cases in {}: a case is DIR/<provider>/<case>.json{hint}",
            dir.display()
        )));
    }
    let mut out = io::stdout().lock();
    let (mut passed, mut failed, mut updated) = (0, 0, 0);
    for (provider, path) in &cases {
        let shown = path.display();
        let expected_path = fs::expected_path(path);
        let run = match fs::read_text(path, MAX_RESPONSE_BYTES) {
            Err(e) => expect::CaseRun {
                status: CaseStatus::Error(format!("cannot read: {e}")),
                actual: None,
            },
            Ok(text) => match fs::read_text(&expected_path, MAX_FILE_BYTES) {
                Ok(expected) => expect::run_case(&engine, provider, &text, Some(&expected)),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    expect::run_case(&engine, provider, &text, None)
                }
                Err(e) => expect::CaseRun {
                    status: CaseStatus::Error(format!(
                        "cannot read {}: {e}",
                        expected_path.display()
                    )),
                    actual: None,
                },
            },
        };
        match (&run.status, &run.actual) {
            (CaseStatus::Pass, _) => passed += 1,
            (CaseStatus::New | CaseStatus::Mismatch(_), Some(actual)) if update => {
                std::fs::write(&expected_path, actual)?;
                updated += 1;
                writeln!(out, "updated  {shown}")?;
            }
            (CaseStatus::New, _) => {
                failed += 1;
                writeln!(
                    out,
                    "new      {shown} (no expectation yet; run with --update)"
                )?;
            }
            (CaseStatus::Mismatch(diff), _) => {
                failed += 1;
                writeln!(out, "FAIL     {shown}\n{diff}")?;
            }
            (CaseStatus::Error(msg), _) => {
                failed += 1;
                writeln!(out, "ERROR    {shown}: {msg}")?;
            }
        }
    }
    writeln!(
        out,
        "{} cases: {passed} passed, {failed} failed, {updated} updated",
        cases.len()
    )?;
    Ok(if failed > 0 {
        input_failed()
    } else {
        ExitCode::SUCCESS
    })
}
