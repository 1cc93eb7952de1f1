//! Embeds every `mappings/*.toml` (the built-in mapping set) and `decisions/*.toml` (the
//! decision tables), so that adding a provider or a table is adding a file: `src/` lists none.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    embed("mappings", "builtin_mappings.rs");
    embed("decisions", "builtin_decisions.rs");
}

/// Writes `OUT_DIR/<out>`: a `&[(file name, include_str!(path))]` of every `<dir>/*.toml`.
fn embed(dir: &str, out_name: &str) {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join(dir);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("the embedded directory exists")
        .map(|e| e.expect("readable mappings/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    out.push_str("]\n");
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join(out_name);
    fs::write(dest, out).expect("write the embedded file list");
}
