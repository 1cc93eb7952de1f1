//! The built-in data: every `mappings/*.toml` and `decisions/*.toml`, embedded by `build.rs`,
//! so that adding a provider or a table is adding a file.

use crate::diagnostic::SourceFile;
use crate::validate::Layer;

/// The built-in mapping files (`mappings/*.toml`): (file name, text).
pub const MAPPINGS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_mappings.rs"));

/// The built-in decision tables (`decisions/*.toml`): (file name, text).
pub const DECISIONS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_decisions.rs"));

fn embedded(dir: &str, files: &[(&str, &str)]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|(name, text)| SourceFile::new(format!("{dir}/{name}"), *text))
        .collect()
}

/// The built-in mapping files as sources, named `mappings/<file>`.
pub fn mapping_sources() -> Vec<SourceFile> {
    embedded("mappings", MAPPINGS)
}

/// The built-in decision tables as sources, named `decisions/<file>`.
pub fn decision_sources() -> Vec<SourceFile> {
    embedded("decisions", DECISIONS)
}

/// The whole built-in set as one layer.
pub fn layer() -> Layer {
    Layer {
        mappings: mapping_sources(),
        decisions: decision_sources(),
    }
}
