//! Expectation tests for mapping authors (`paynorm test`): one raw response against the
//! record it must produce. The caller finds the cases and reads and writes the files; this
//! module decides how a case went.
//!
//! Layout the CLI uses: `DIR/<provider>/<case>.json` holds one raw response of `<provider>`;
//! beside it, `DIR/<provider>/<case>.expected.json` holds the record it must produce (pretty
//! JSON, as [`expected_text`] writes it). An expectation with CRLF line ends or a UTF-8 BOM
//! compares as the same text without them.

use crate::catalog::Lang;
use crate::engine::Engine;
use crate::json::Json;

/// The suffix of expectation files.
pub const EXPECTED_SUFFIX: &str = ".expected.json";

/// How one case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseStatus {
    /// Output equals the expectation.
    Pass,
    /// Output differs; the unified diff, expected → actual.
    Mismatch(String),
    /// No expectation yet.
    New,
    /// The case could not run: invalid JSON, unknown provider directory.
    Error(String),
}

impl CaseStatus {
    /// True for the outcomes that make a run fail.
    pub fn failed(&self) -> bool {
        !matches!(self, CaseStatus::Pass)
    }
}

/// What running one case gave: its status and, when it ran, the text the expectation file
/// should hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRun {
    pub status: CaseStatus,
    pub actual: Option<String>,
}

/// The expectation text of a record: pretty JSON and a final line end.
pub fn expected_text(record: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(record).expect("records serialize") + "\n"
}

/// Runs one case: `response` (the raw response file's text) of `provider` against
/// `expected` (the expectation file's text, if there is one).
pub fn run_case(
    engine: &Engine,
    provider: &str,
    response: &str,
    expected: Option<&str>,
) -> CaseRun {
    let error = |msg: String| CaseRun {
        status: CaseStatus::Error(msg),
        actual: None,
    };
    let response = match Json::parse(response.as_bytes()) {
        Ok(v) => v,
        Err(e) => return error(format!("invalid JSON: {e}")),
    };
    let result = match engine.normalize(provider, &response) {
        Ok(r) => r,
        Err(e) => return error(format!("{e} (the directory name is the provider id)")),
    };
    let actual = expected_text(&result.record(Lang::En));
    // An expectation checked out with Windows line ends (or saved with a BOM) says the same.
    let expected = expected.map(|e| e.trim_start_matches('\u{feff}').replace("\r\n", "\n"));
    let status = match expected.as_deref() {
        Some(e) if e == actual => CaseStatus::Pass,
        None => CaseStatus::New,
        Some(e) => CaseStatus::Mismatch(
            similar::TextDiff::from_lines(e, &actual)
                .unified_diff()
                .header("expected", "actual")
                .to_string(),
        ),
    };
    CaseRun {
        status,
        actual: Some(actual),
    }
}
