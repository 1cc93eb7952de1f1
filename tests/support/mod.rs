//! What several test files share. The mapping-directory reader is the command line's own
//! (`src/cli/fs.rs`, compiled in here unchanged), so tests load directories exactly as
//! `paynorm --mappings DIR` does.

#![allow(dead_code)]

#[path = "../../src/cli/fs.rs"]
pub mod fs;

/// The built-in set with `dir` layered over it, as `--mappings DIR` loads it.
pub fn load_dir(dir: &std::path::Path) -> Result<paynorm::Engine, paynorm::Diagnostics> {
    fs::load_engine(Some(dir))
}
