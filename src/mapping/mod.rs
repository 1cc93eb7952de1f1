//! Mapping files: reading, validating and checking a whole set of them.
//!
//! Three phases, three types: [`raw`] is what serde reads (with spans); [`validate`] turns one
//! raw file into a [`ProviderSpec`] or diagnostics; [`load_set`] checks what only a whole set
//! can tell (duplicate provider ids, delegation targets and cycles). The engine compiles a
//! validated set into its matching index (`crate::engine`).

pub mod raw;
pub mod validate;

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use crate::decision::{self, Action, DecisionTable, DeclineType};
use crate::diagnostic::{DiagCode, Diagnostic, Diagnostics, SourceFile};
use crate::steps::{Matcher, Step};

/// Mapping files larger than this are rejected (`file-too-large`) before parsing.
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// The built-in mapping files (`mappings/*.toml`), embedded by `build.rs`.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_mappings.rs"));

/// A validated provider mapping.
#[derive(Debug, Clone)]
pub struct ProviderSpec {
    /// The file it came from (name as in diagnostics).
    pub file: String,
    pub id: String,
    pub name: String,
    pub sources: Vec<String>,
    pub edition: String,
    /// Catalog code used when nothing matches.
    pub fallback: u32,
    /// Fields in declaration (= precedence) order.
    pub fields: Vec<FieldSpec>,
    /// Rules in file order.
    pub rules: Vec<RuleSpec>,
    pub(crate) id_span: Range<usize>,
}

/// A validated field.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub name: String,
    /// JSON pointers, tried in order.
    pub paths: Vec<String>,
    pub steps: Vec<Step>,
    pub delegate: Option<DelegateSpec>,
    /// Decision table this field's value is advice for (`advice = "..."`).
    pub advice: Option<TableRef>,
    /// Decision table of network rules keyed by this field's entries (`network_rules`).
    pub network_rules: Option<TableRef>,
    /// The `[values.<field>]` table, sorted by key.
    pub table: Vec<(String, EntrySpec)>,
}

/// Where a field hands its value on to.
#[derive(Debug, Clone)]
pub struct DelegateSpec {
    pub provider: String,
    pub field: String,
    pub(crate) span: Range<usize>,
}

/// A mapping field's reference to a decision table.
#[derive(Debug, Clone)]
pub struct TableRef {
    pub id: String,
    pub(crate) span: Range<usize>,
}

/// The decision an entry or rule makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySpec {
    /// Stable id: `provider/field/key` or `provider/rule/id`.
    pub id: String,
    pub code: u32,
    pub desc: String,
    pub generic: bool,
    pub note: Option<String>,
    /// Override of the catalog's default decline type (layer 3).
    pub decline_type: Option<DeclineType>,
    /// Override of the catalog's default action (layer 3).
    pub action: Option<Action>,
}

/// A validated rule: all conditions must hold.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub entry: EntrySpec,
    /// (field index, matcher), sorted by field index.
    pub conditions: Vec<(usize, Matcher)>,
}

/// Reads every `*.toml` in `dir` (sorted by name) as sources.
pub fn read_dir(dir: &Path) -> Result<Vec<SourceFile>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(err) => {
            diags.items.push(Diagnostic::new(
                DiagCode::IoError,
                &dir.display().to_string(),
                None,
                format!("cannot read mapping directory: {err}"),
            ));
            return Err(diags);
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    let mut sources = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        match std::fs::metadata(&path) {
            Ok(m) if m.len() > MAX_FILE_BYTES as u64 => {
                diags.items.push(
                    Diagnostic::new(
                        DiagCode::FileTooLarge,
                        &name,
                        None,
                        format!(
                            "mapping file is {} bytes, more than the limit of {MAX_FILE_BYTES}",
                            m.len()
                        ),
                    )
                    .with_help("a mapping file is a few hundred lines; is this the right file?"),
                );
                continue;
            }
            _ => {}
        }
        match std::fs::read(&path).map(String::from_utf8) {
            Ok(Ok(text)) => sources.push(SourceFile { name, text }),
            Ok(Err(_)) => diags.items.push(Diagnostic::new(
                DiagCode::IoError,
                &name,
                None,
                "mapping file is not valid UTF-8",
            )),
            Err(err) => diags.items.push(Diagnostic::new(
                DiagCode::IoError,
                &name,
                None,
                format!("cannot read mapping file: {err}"),
            )),
        }
    }
    if diags.is_empty() {
        Ok(sources)
    } else {
        diags.sources = sources;
        Err(diags)
    }
}

/// The built-in files as sources, named `mappings/<file>`.
pub fn builtin_sources() -> Vec<SourceFile> {
    SourceFile::embedded("mappings", BUILTIN)
}

/// A validated mapping set: providers and the decision tables they use.
#[derive(Debug, Clone)]
pub struct MappingSet {
    pub providers: Vec<ProviderSpec>,
    pub decisions: Vec<DecisionTable>,
}

/// Validates `base` and `overlay` as one set, with the built-in decision tables: an overlay
/// file whose provider id is in `base` replaces it; two files of one layer with one id are an
/// error. All problems of all files are returned together; the set is only returned when
/// there are none.
pub fn load_set(
    base: Vec<SourceFile>,
    overlay: Vec<SourceFile>,
) -> Result<MappingSet, Diagnostics> {
    let decision_sources = decision::builtin_sources();
    let mut diags = Vec::new();
    let mut decisions = Vec::new();
    for file in &decision_sources {
        match decision::validate_table(file) {
            Ok(t) => decisions.push(t),
            Err(mut d) => diags.append(&mut d),
        }
    }
    let mut layers: [Vec<ProviderSpec>; 2] = [Vec::new(), Vec::new()];
    for (layer, files) in [&base, &overlay].into_iter().enumerate() {
        for file in files {
            match validate::validate_file(&file.name, &file.text) {
                Ok(spec) => layers[layer].push(spec),
                Err(mut d) => diags.append(&mut d),
            }
        }
        // Two files in one layer with one provider id.
        let mut seen: HashMap<&str, &ProviderSpec> = HashMap::new();
        for spec in &layers[layer] {
            if let Some(first) = seen.insert(&spec.id, spec) {
                diags.push(
                    Diagnostic::new(
                        DiagCode::DuplicateProvider,
                        &spec.file,
                        Some(spec.id_span.clone()),
                        format!(
                            "provider id `{}` is already declared by {}",
                            spec.id, first.file
                        ),
                    )
                    .with_help("each provider has exactly one mapping file; rename or remove one"),
                );
            }
        }
    }
    let [base_specs, overlay_specs] = layers;
    let mut set: Vec<ProviderSpec> = base_specs
        .into_iter()
        .filter(|b| !overlay_specs.iter().any(|o| o.id == b.id))
        .collect();
    set.extend(overlay_specs);
    // Whole-set checks only make sense when every file validated on its own; a provider that
    // failed would otherwise show up as an unknown delegation target.
    if diags.is_empty() {
        check_delegations(&set, &mut diags);
        check_table_refs(&set, &decisions, &mut diags);
    }
    if diags.is_empty() {
        Ok(MappingSet {
            providers: set,
            decisions,
        })
    } else {
        Err(Diagnostics {
            items: diags,
            sources: base
                .into_iter()
                .chain(overlay)
                .chain(decision_sources)
                .collect(),
        })
    }
}

/// Every `advice` and `network_rules` names a loaded decision table.
fn check_table_refs(set: &[ProviderSpec], tables: &[DecisionTable], diags: &mut Vec<Diagnostic>) {
    for spec in set {
        for field in &spec.fields {
            for (key, r) in [
                ("advice", &field.advice),
                ("network_rules", &field.network_rules),
            ] {
                let Some(r) = r else { continue };
                if !tables.iter().any(|t| t.id == r.id) {
                    let known: Vec<&str> = tables.iter().map(|t| t.id.as_str()).collect();
                    diags.push(
                        Diagnostic::new(
                            DiagCode::UnknownDecisionTable,
                            &spec.file,
                            Some(r.span.clone()),
                            format!(
                                "field `{}` has {key} = `{}`, but no decision table has that id",
                                field.name, r.id
                            ),
                        )
                        .with_help(format!("decision tables: {}", known.join(", "))),
                    );
                }
            }
        }
    }
}

/// Every delegation names a loaded provider and field, and no chain loops.
fn check_delegations(set: &[ProviderSpec], diags: &mut Vec<Diagnostic>) {
    let find = |provider: &str, field: &str| -> Option<(usize, usize)> {
        let p = set.iter().position(|s| s.id == provider)?;
        let f = set[p].fields.iter().position(|f| f.name == field)?;
        Some((p, f))
    };
    for spec in set {
        for (fi, field) in spec.fields.iter().enumerate() {
            let Some(d) = &field.delegate else { continue };
            if find(&d.provider, &d.field).is_none() {
                let why = if set.iter().any(|s| s.id == d.provider) {
                    format!("provider `{}` has no field `{}`", d.provider, d.field)
                } else {
                    format!("no provider `{}` is loaded", d.provider)
                };
                diags.push(
                    Diagnostic::new(
                        DiagCode::UnknownDelegate,
                        &spec.file,
                        Some(d.span.clone()),
                        format!(
                            "field `{}` delegates to `{}/{}`, but {why}",
                            field.name, d.provider, d.field
                        ),
                    )
                    .with_help("`paynorm providers` lists the loaded providers"),
                );
                continue;
            }
            // Follow the chain from this field; a loop comes back to a visited field.
            let start = (set.iter().position(|s| s.id == spec.id).unwrap_or(0), fi);
            let mut path = vec![start];
            let mut at = start;
            while let Some(next) = set[at.0].fields[at.1]
                .delegate
                .as_ref()
                .and_then(|d| find(&d.provider, &d.field))
            {
                if next == start {
                    let chain: Vec<String> = path
                        .iter()
                        .chain(std::iter::once(&next))
                        .map(|(p, f)| format!("{}/{}", set[*p].id, set[*p].fields[*f].name))
                        .collect();
                    diags.push(
                        Diagnostic::new(
                            DiagCode::DelegationCycle,
                            &spec.file,
                            Some(d.span.clone()),
                            format!("delegation loops: {}", chain.join(" -> ")),
                        )
                        .with_help("a delegation chain must end in a field that does not delegate"),
                    );
                    break;
                }
                if path.contains(&next) {
                    break; // a loop that does not pass through `start`; reported from its own fields
                }
                path.push(next);
                at = next;
            }
        }
    }
}
