//! Expected-output tests for mapping authors outside this repository (`paynorm test`).
//!
//! Layout: `DIR/<provider>/<case>.json` holds one raw response of `<provider>`; beside it,
//! `DIR/<provider>/<case>.expected.json` holds the normalized record it must produce (pretty
//! JSON). A case whose output differs fails with a line diff; a case without an expectation
//! fails as `new`. With `update`, expectations are (re)written instead.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::engine::Engine;

const EXPECTED_SUFFIX: &str = ".expected.json";

/// How one case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseStatus {
    /// Output equals the expectation.
    Pass,
    /// Output differs; the unified diff, expected → actual.
    Mismatch(String),
    /// No expectation yet (and not updating).
    New,
    /// The expectation was written or rewritten (`update`).
    Updated,
    /// The case could not run: unreadable file, invalid JSON, unknown provider directory.
    Error(String),
}

/// One case and its outcome.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The raw-response file.
    pub path: PathBuf,
    pub status: CaseStatus,
}

impl CaseResult {
    /// True for the outcomes that make the run fail.
    pub fn failed(&self) -> bool {
        matches!(
            self.status,
            CaseStatus::Mismatch(_) | CaseStatus::New | CaseStatus::Error(_)
        )
    }
}

fn expected_path(case: &Path) -> PathBuf {
    let name = case
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    case.with_file_name(format!(
        "{}{EXPECTED_SUFFIX}",
        name.trim_end_matches(".json")
    ))
}

/// Every case file under `dir`, sorted: `<provider>/<case>.json`, expectations excluded.
fn cases(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for provider_dir in fs::read_dir(dir)? {
        let provider_dir = provider_dir?.path();
        if !provider_dir.is_dir() {
            continue;
        }
        let provider = provider_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        for file in fs::read_dir(&provider_dir)? {
            let path = file?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if name.ends_with(".json") && !name.ends_with(EXPECTED_SUFFIX) {
                out.push((provider.clone(), path));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Runs every case under `dir` (see the module docs).
pub fn run(engine: &Engine, dir: &Path, update: bool) -> io::Result<Vec<CaseResult>> {
    let mut results = Vec::new();
    for (provider, path) in cases(dir)? {
        let status = run_case(engine, &provider, &path, update)?;
        results.push(CaseResult { path, status });
    }
    Ok(results)
}

fn run_case(engine: &Engine, provider: &str, path: &Path, update: bool) -> io::Result<CaseStatus> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Ok(CaseStatus::Error(format!("cannot read: {e}"))),
    };
    let response: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return Ok(CaseStatus::Error(format!("invalid JSON: {e}"))),
    };
    let result = match engine.normalize(provider, &response) {
        Ok(r) => r,
        Err(e) => {
            return Ok(CaseStatus::Error(format!(
                "{e} (the directory name is the provider id)"
            )));
        }
    };
    let actual = serde_json::to_string_pretty(&result.record(crate::catalog::Lang::En))
        .expect("records serialize")
        + "\n";
    let expected_path = expected_path(path);
    let expected = fs::read_to_string(&expected_path).ok();
    if expected.as_deref() == Some(actual.as_str()) {
        return Ok(CaseStatus::Pass);
    }
    if update {
        fs::write(&expected_path, &actual)?;
        return Ok(CaseStatus::Updated);
    }
    Ok(match expected {
        None => CaseStatus::New,
        Some(expected) => CaseStatus::Mismatch(
            similar::TextDiff::from_lines(&expected, &actual)
                .unified_diff()
                .header("expected", "actual")
                .to_string(),
        ),
    })
}
