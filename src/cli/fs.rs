//! The command line's file-system access: mapping directories into source layers, fixture
//! directories into responses, expectation cases. The library reads no file; this module is
//! where paynorm touches the disk.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use paynorm::diagnostic::{Diagnostic, Diagnostics, MAX_FILE_BYTES, SourceFile};
use paynorm::{Engine, Layer, builtin};

/// The built-in set with `dir` layered over it (or the built-in set alone).
pub fn load_engine(dir: Option<&Path>) -> Result<Engine, Diagnostics> {
    match dir {
        None => Engine::builtin(),
        Some(dir) => Engine::from_layers(vec![builtin::layer(), read_layer(dir)?]),
    }
}

/// A mapping directory as a layer: every `*.toml` of `dir` is a mapping file, every
/// `*.toml` of `dir/decisions/` a decision table file, each sorted by name.
pub fn read_layer(dir: &Path) -> Result<Layer, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mappings = read_toml_files(dir, true, &mut diags);
    let decisions_dir = dir.join("decisions");
    let decisions = if decisions_dir.is_dir() {
        read_toml_files(&decisions_dir, false, &mut diags)
    } else {
        Vec::new()
    };
    if diags.is_empty() {
        Ok(Layer {
            mappings,
            decisions,
        })
    } else {
        diags.sources = mappings.into_iter().chain(decisions).collect();
        Err(diags)
    }
}

fn read_toml_files(dir: &Path, required: bool, diags: &mut Diagnostics) -> Vec<SourceFile> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(err) => {
            if required {
                diags.items.push(Diagnostic::io(
                    &dir.display().to_string(),
                    format!("cannot read mapping directory: {err}"),
                ));
            }
            return Vec::new();
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    let mut sources = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        if let Ok(m) = fs::metadata(&path)
            && m.len() > MAX_FILE_BYTES as u64
        {
            diags
                .items
                .push(Diagnostic::too_large(&name, m.len() as usize));
            continue;
        }
        let read = read_bounded(&path)
            .map_err(|err| Diagnostic::io(&name, format!("cannot read mapping file: {err}")));
        match read.and_then(|bytes| SourceFile::from_bytes(&name, bytes)) {
            Ok(source) => sources.push(source),
            Err(d) => diags.items.push(d),
        }
    }
    sources
}

/// At most `MAX_FILE_BYTES + 1` bytes of a file: enough to tell it is too large.
pub fn read_bounded(path: &Path) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The raw-response files of `dir/<provider>/` (expectation files excluded), sorted.
pub fn fixture_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_case_file(p))
        .collect();
    paths.sort();
    Ok(paths)
}

/// A `*.json` file that is not an expectation.
pub fn is_case_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.ends_with(".json") && !name.ends_with(paynorm::authoring::expect::EXPECTED_SUFFIX)
}

/// `<case>.expected.json` beside `<case>.json`.
pub fn expected_path(case: &Path) -> PathBuf {
    let name = case
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    case.with_file_name(format!(
        "{}{}",
        name.trim_end_matches(".json"),
        paynorm::authoring::expect::EXPECTED_SUFFIX
    ))
}

/// Every case of an expectation-test directory: `(provider, DIR/<provider>/<case>.json)`,
/// sorted by path.
pub fn expectation_cases(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
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
            if is_case_file(&path) {
                out.push((provider.clone(), path));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
