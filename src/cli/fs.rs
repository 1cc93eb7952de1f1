//! The command line's file-system access: mapping directories into source layers, fixture
//! directories into responses, expectation cases. The library reads no file; this module is
//! where paynorm touches the disk.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use paynorm::diagnostic::{Diagnostic, Diagnostics, MAX_FILE_BYTES, SourceFile};
use paynorm::{Engine, Layer, builtin};

/// The built-in set with `dir` layered over it (or the built-in set alone).
///
/// A file of `dir` that cannot be read (a dangling or looping symlink, not UTF-8, too large)
/// is a diagnostic, and the readable files are still validated, so one bad file hides no
/// other file's problems; the set loads only when there is none.
pub fn load_engine(dir: Option<&Path>) -> Result<Engine, Diagnostics> {
    load_engine_seen(dir, |_| {})
}

/// [`load_engine`], showing `seen` the layer read from `dir` (when there is one) before it
/// is compiled: what the engine is built from, read once (the service's revision digest).
pub fn load_engine_seen(
    dir: Option<&Path>,
    seen: impl FnOnce(&Layer),
) -> Result<Engine, Diagnostics> {
    let Some(dir) = dir else {
        return Engine::builtin();
    };
    let (layer, unreadable) = read_layer_parts(dir);
    seen(&layer);
    let sources: Vec<SourceFile> = layer
        .mappings
        .iter()
        .chain(&layer.decisions)
        .cloned()
        .collect();
    match Engine::from_layers(vec![builtin::layer(), layer]) {
        Ok(engine) if unreadable.is_empty() => Ok(engine),
        Ok(_) => Err(Diagnostics {
            items: unreadable,
            sources,
        }),
        Err(mut diags) => {
            diags.items.splice(0..0, unreadable);
            Err(diags)
        }
    }
}

/// A mapping directory as a layer: every `*.toml` of `dir` is a mapping file, every
/// `*.toml` of `dir/decisions/` a decision table file, each sorted by name. Any file that
/// cannot be read makes it an error. (The reload tests' reader; the service will reload with
/// it.)
#[allow(dead_code)]
pub fn read_layer(dir: &Path) -> Result<Layer, Diagnostics> {
    let (layer, unreadable) = read_layer_parts(dir);
    if unreadable.is_empty() {
        Ok(layer)
    } else {
        Err(Diagnostics {
            items: unreadable,
            sources: layer.mappings.into_iter().chain(layer.decisions).collect(),
        })
    }
}

/// The files of `dir` that could be read, and a diagnostic for each one that could not.
fn read_layer_parts(dir: &Path) -> (Layer, Vec<Diagnostic>) {
    let mut unreadable = Vec::new();
    let mappings = read_toml_files(dir, &mut unreadable);
    let decisions_dir = dir.join("decisions");
    // `decisions` is optional, but when it is there (even as a broken symlink) it is read.
    let decisions = if fs::symlink_metadata(&decisions_dir).is_ok() {
        read_toml_files(&decisions_dir, &mut unreadable)
    } else {
        Vec::new()
    };
    (
        Layer {
            mappings,
            decisions,
        },
        unreadable,
    )
}

/// Every `*.toml` entry of `dir`, followed through symlinks: a file it names that cannot be
/// read is a diagnostic, never skipped.
fn read_toml_files(dir: &Path, unreadable: &mut Vec<Diagnostic>) -> Vec<SourceFile> {
    let shown = dir.display().to_string();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(err) => {
            unreadable.push(Diagnostic::io(
                &shown,
                format!("cannot read mapping directory: {err}"),
            ));
            return Vec::new();
        }
    };
    let mut paths = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) if e.path().extension().is_some_and(|x| x == "toml") => paths.push(e.path()),
            Ok(_) => {}
            Err(err) => unreadable.push(Diagnostic::io(
                &shown,
                format!("cannot list mapping directory: {err}"),
            )),
        }
    }
    paths.sort();
    let mut sources = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let read = match fs::metadata(&path) {
            Err(err) => Err(Diagnostic::io(
                &name,
                format!("cannot read mapping file: {err}"),
            )),
            Ok(m) if !m.is_file() => Err(Diagnostic::io(
                &name,
                "cannot read mapping file: not a regular file",
            )),
            Ok(m) if m.len() > MAX_FILE_BYTES as u64 => {
                Err(Diagnostic::too_large(&name, m.len() as usize))
            }
            Ok(_) => read_bounded(&path)
                .map_err(|err| Diagnostic::io(&name, format!("cannot read mapping file: {err}"))),
        };
        match read.and_then(|bytes| SourceFile::from_bytes(&name, bytes)) {
            Ok(source) => sources.push(source),
            Err(d) => unreadable.push(d),
        }
    }
    sources
}

/// The text of a file of at most `limit` bytes (a fixture, an expectation, a reference
/// list): a larger file, or one that is not UTF-8, is an `InvalidData` error, and no more
/// than `limit + 1` bytes are ever read (a symlink to `/dev/zero` costs nothing).
pub fn read_text(path: &Path, limit: usize) -> io::Result<String> {
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 (bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
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
