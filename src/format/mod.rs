//! Phase 1: what serde reads from the data files, with a span on every value a diagnostic may
//! need to point at. Nothing here is checked beyond TOML types and known keys; the rules are
//! in `crate::validate`.
//!
//! [`mapping`] is a provider mapping file (`mappings/*.toml`), [`decision`] a decision table
//! file (`decisions/*.toml`). [`parse`] is the one entry point: size limit, TOML, and serde's
//! errors turned into diagnostics with stable codes.

pub mod decision;
pub mod mapping;

use serde::de::DeserializeOwned;

use crate::diagnostic::{DiagCode, Diagnostic, MAX_FILE_BYTES, SourceFile};

pub(crate) const STEP_HELP: &str = r#"a step is "trim", "lowercase", "uppercase", { pad_left = N, fill = "C" } or { capture = "REGEX" }"#;
pub(crate) const MATCHER_HELP: &str = r#"a matcher is "text", { one_of = [...] }, { prefix = "..." }, { regex = "..." }, { range = [lo, hi] }, { present = true|false } or { not = <matcher> }"#;

/// Reads one data file into its raw form `T`: `file-too-large` before parsing, then TOML
/// syntax and shape errors (serde stops at the first).
pub fn parse<T: DeserializeOwned>(file: &SourceFile) -> Result<T, Diagnostic> {
    if file.text.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::too_large(&file.name, file.text.len()));
    }
    toml::from_str(&file.text).map_err(|e| toml_error(&file.name, &e))
}

/// Turns a toml/serde error into a diagnostic with a stable code and a readable message.
fn toml_error(file: &str, e: &toml::de::Error) -> Diagnostic {
    let msg = e.message().trim().to_string();
    let (code, message, help) = if msg.contains("unknown field") {
        (
            DiagCode::UnknownKey,
            msg,
            Some("see docs/mapping-format.md for the keys of each table"),
        )
    } else if msg.contains("duplicate key") {
        (
            DiagCode::DuplicateEntry,
            msg,
            Some("each raw value has one entry; remove or merge the other"),
        )
    } else if msg.contains("untagged enum RawStep") {
        (
            DiagCode::InvalidValue,
            "invalid normalization step".to_string(),
            Some(STEP_HELP),
        )
    } else if msg.contains("untagged enum RawMatcher") {
        (
            DiagCode::InvalidValue,
            "invalid matcher".to_string(),
            Some(MATCHER_HELP),
        )
    } else if [
        "missing field",
        "invalid type",
        "invalid value",
        "invalid length",
        "unknown variant",
    ]
    .iter()
    .any(|p| msg.contains(p))
    {
        (
            DiagCode::InvalidValue,
            msg,
            Some("see docs/mapping-format.md for the keys of each table"),
        )
    } else {
        (DiagCode::TomlSyntax, msg, None)
    };
    let d = Diagnostic::new(code, file, e.span(), message);
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}
