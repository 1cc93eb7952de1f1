//! A whole set: layers of mapping and decision files, validated together, links resolved.
//!
//! Each layer's files are validated on their own; two files of one layer with one id are an
//! error; a file of a later layer replaces the earlier layer's file with its id. Only when
//! every file is valid on its own are the links checked (an invalid provider would otherwise
//! show up as an unknown delegation target): delegation targets and decision table ids are
//! resolved to indices, and delegation loops refused. All problems of all files are returned
//! together; the set is only returned when there are none.

use std::collections::HashMap;

use super::common::{REGEX_SET_BUDGET, RegexBudget};
use super::decision::{TableSpec, validate_table_in};
use super::mapping::validate_file_in;
use super::{
    DelegateName, FieldRef, FieldSpec, Linked, MappingSet, Named, ProviderSpec, TableName,
};
use crate::diagnostic::{DiagCode, Diagnostic, Diagnostics, SourceFile};

/// One layer of sources: mapping files and decision table files.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    pub mappings: Vec<SourceFile>,
    pub decisions: Vec<SourceFile>,
}

impl Layer {
    /// A layer of mapping files only.
    pub fn mappings(mappings: Vec<SourceFile>) -> Self {
        Layer {
            mappings,
            decisions: Vec::new(),
        }
    }
}

/// Something a layer declares under an id.
trait Declared {
    fn id(&self) -> &str;
    fn file(&self) -> &str;
    fn id_span(&self) -> std::ops::Range<usize>;
}

impl Declared for ProviderSpec<Named> {
    fn id(&self) -> &str {
        &self.id
    }
    fn file(&self) -> &str {
        &self.file
    }
    fn id_span(&self) -> std::ops::Range<usize> {
        self.id_span.clone()
    }
}

impl Declared for TableSpec {
    fn id(&self) -> &str {
        &self.id
    }
    fn file(&self) -> &str {
        &self.file
    }
    fn id_span(&self) -> std::ops::Range<usize> {
        self.id_span.clone()
    }
}

/// The most bytes the files of one set may hold together (each file is also held to
/// [`crate::diagnostic::MAX_FILE_BYTES`]): with [`REGEX_SET_BUDGET`], what bounds the time and
/// memory of a load.
pub const MAX_SET_BYTES: usize = 64 << 20;

/// Validates the layers, in order, as one set (see the module docs).
pub fn load_set(layers: Vec<Layer>) -> Result<MappingSet, Diagnostics> {
    let mut diags = Vec::new();
    let bytes: usize = layers
        .iter()
        .flat_map(|l| l.mappings.iter().chain(&l.decisions))
        .map(|f| f.text.len())
        .sum();
    if bytes > MAX_SET_BYTES {
        diags.push(
            Diagnostic::new(
                DiagCode::SetTooLarge,
                "(mapping set)",
                None,
                format!(
                    "the mapping set's files take {bytes} bytes, more than the limit of \
                     {MAX_SET_BYTES}; nothing was validated"
                ),
            )
            .with_help("the built-in set is under 1 MiB; is `--mappings` the right directory?"),
        );
        return Err(Diagnostics {
            items: diags,
            sources: Vec::new(),
        });
    }
    let budget = RegexBudget::new(REGEX_SET_BUDGET);
    let mut providers: Vec<ProviderSpec<Named>> = Vec::new();
    let mut tables: Vec<TableSpec> = Vec::new();
    for layer in &layers {
        let specs = validate_each(&layer.mappings, &mut diags, |f| {
            validate_file_in(&f.name, &f.text, &budget)
        });
        check_unique(&specs, DiagCode::DuplicateProvider, "provider", &mut diags);
        overlay(&mut providers, specs);
        let specs = validate_each(&layer.decisions, &mut diags, |f| {
            validate_table_in(f, &budget)
        });
        check_unique(
            &specs,
            DiagCode::DuplicateTable,
            "decision table",
            &mut diags,
        );
        overlay(&mut tables, specs);
    }
    let set = if diags.is_empty() {
        link(providers, &tables, &mut diags).map(|providers| MappingSet { providers, tables })
    } else {
        None
    };
    tracing::debug!(
        regex_bytes = budget.used(),
        source_bytes = bytes,
        "mapping set validated"
    );
    match set {
        Some(set) if diags.is_empty() => Ok(set),
        _ => Err(Diagnostics {
            items: diags,
            sources: layers
                .into_iter()
                .flat_map(|l| l.mappings.into_iter().chain(l.decisions))
                .collect(),
        }),
    }
}

fn validate_each<T>(
    files: &[SourceFile],
    diags: &mut Vec<Diagnostic>,
    validate: impl Fn(&SourceFile) -> Result<T, Vec<Diagnostic>>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        match validate(file) {
            Ok(spec) => out.push(spec),
            Err(mut d) => diags.append(&mut d),
        }
    }
    out
}

/// Two files in one layer with one id.
fn check_unique<T: Declared>(specs: &[T], code: DiagCode, what: &str, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, &T> = HashMap::new();
    for spec in specs {
        if let Some(first) = seen.insert(spec.id(), spec) {
            let help = match code {
                DiagCode::DuplicateProvider => {
                    "each provider has exactly one mapping file; rename or remove one"
                }
                _ => "each decision table has exactly one file; rename or remove one",
            };
            diags.push(
                Diagnostic::new(
                    code,
                    spec.file(),
                    Some(spec.id_span()),
                    format!(
                        "{what} id `{}` is already declared by {}",
                        spec.id(),
                        first.file()
                    ),
                )
                .with_help(help),
            );
        }
    }
}

/// `upper` replaces the specs of `set` with its ids and adds the others, in order.
fn overlay<T: Declared>(set: &mut Vec<T>, upper: Vec<T>) {
    set.retain(|b| !upper.iter().any(|o| o.id() == b.id()));
    set.extend(upper);
}

/// Resolves every link of the set; `None` when any is broken (the problems are in `diags`).
fn link(
    set: Vec<ProviderSpec<Named>>,
    tables: &[TableSpec],
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<ProviderSpec>> {
    let providers: HashMap<&str, usize> = set
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let table_ids: HashMap<&str, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let find = |d: &DelegateName| -> Option<FieldRef> {
        let p = *providers.get(d.provider.as_str())?;
        let f = set[p].fields.iter().position(|f| f.name == d.field)?;
        Some(FieldRef {
            provider: p,
            field: f,
        })
    };
    let mut linked: Vec<ProviderSpec> = Vec::with_capacity(set.len());
    for spec in &set {
        let fields = spec
            .fields
            .iter()
            .map(|f| {
                let delegate = f.delegate.as_ref().and_then(|d| {
                    let target = find(d);
                    if target.is_none() {
                        diags.push(unknown_delegate(
                            spec,
                            f,
                            d,
                            providers.contains_key(d.provider.as_str()),
                        ));
                    }
                    target
                });
                let mut table = |key: &str, r: &Option<TableName>| {
                    let r = r.as_ref()?;
                    let index = table_ids.get(r.id.as_str()).copied();
                    if index.is_none() {
                        diags.push(unknown_table(spec, f, key, r, tables));
                    }
                    index
                };
                FieldSpec::<Linked> {
                    name: f.name.clone(),
                    paths: f.paths.clone(),
                    steps: f.steps.clone(),
                    delegate,
                    advice: table("advice", &f.advice),
                    network_rules: table("network_rules", &f.network_rules),
                    table: f.table.clone(),
                }
            })
            .collect();
        linked.push(ProviderSpec {
            file: spec.file.clone(),
            id: spec.id.clone(),
            name: spec.name.clone(),
            sources: spec.sources.clone(),
            edition: spec.edition.clone(),
            fallback: spec.fallback,
            fields,
            rules: spec.rules.clone(),
            messages: spec.messages.clone(),
            id_span: spec.id_span.clone(),
        });
    }
    if !diags.is_empty() {
        return None;
    }
    check_cycles(&set, &linked, diags);
    diags.is_empty().then_some(linked)
}

fn unknown_delegate(
    spec: &ProviderSpec<Named>,
    field: &FieldSpec<Named>,
    d: &DelegateName,
    provider_known: bool,
) -> Diagnostic {
    let why = if provider_known {
        format!("provider `{}` has no field `{}`", d.provider, d.field)
    } else {
        format!("no provider `{}` is loaded", d.provider)
    };
    Diagnostic::new(
        DiagCode::UnknownDelegate,
        &spec.file,
        Some(d.span.clone()),
        format!(
            "field `{}` delegates to `{}/{}`, but {why}",
            field.name, d.provider, d.field
        ),
    )
    .with_help("`paynorm providers` lists the loaded providers")
}

fn unknown_table(
    spec: &ProviderSpec<Named>,
    field: &FieldSpec<Named>,
    key: &str,
    r: &TableName,
    tables: &[TableSpec],
) -> Diagnostic {
    // Tables with rows: the ones a field can take advice or network rules from.
    let known: Vec<&str> = tables
        .iter()
        .filter(|t| !t.rows.is_empty())
        .map(|t| t.id.as_str())
        .collect();
    Diagnostic::new(
        DiagCode::UnknownDecisionTable,
        &spec.file,
        Some(r.span.clone()),
        format!(
            "field `{}` has {key} = `{}`, but no decision table has that id",
            field.name, r.id
        ),
    )
    .with_help(format!("decision tables: {}", known.join(", ")))
}

/// Refuses delegation loops: every field on a loop gets a diagnostic naming the loop from
/// itself. Each field delegates at most once, so the fields form a functional graph and one
/// pass with colours finds every loop in linear time.
fn check_cycles(named: &[ProviderSpec<Named>], set: &[ProviderSpec], diags: &mut Vec<Diagnostic>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let next = |r: FieldRef| set[r.provider].fields[r.field].delegate;
    let mut marks: HashMap<FieldRef, Mark> = HashMap::new();
    let mut on_cycle: HashMap<FieldRef, bool> = HashMap::new();
    for (pi, spec) in set.iter().enumerate() {
        for fi in 0..spec.fields.len() {
            let mut path = Vec::new();
            let mut at = Some(FieldRef {
                provider: pi,
                field: fi,
            });
            while let Some(r) = at {
                match marks.get(&r).copied().unwrap_or(Mark::New) {
                    Mark::Done => break,
                    Mark::OnPath => {
                        let start = path.iter().position(|p| *p == r).expect("on the path");
                        for p in &path[start..] {
                            on_cycle.insert(*p, true);
                        }
                        break;
                    }
                    Mark::New => {
                        marks.insert(r, Mark::OnPath);
                        path.push(r);
                        at = next(r);
                    }
                }
            }
            for p in path {
                marks.insert(p, Mark::Done);
            }
        }
    }
    for (pi, spec) in set.iter().enumerate() {
        for fi in 0..spec.fields.len() {
            let start = FieldRef {
                provider: pi,
                field: fi,
            };
            if !on_cycle.contains_key(&start) {
                continue;
            }
            let name = |r: FieldRef| {
                format!(
                    "{}/{}",
                    set[r.provider].id, set[r.provider].fields[r.field].name
                )
            };
            let mut chain = vec![name(start)];
            let mut at = next(start).expect("a field on a loop delegates");
            while at != start {
                chain.push(name(at));
                at = next(at).expect("a field on a loop delegates");
            }
            chain.push(name(start));
            let span = named[pi].fields[fi]
                .delegate
                .as_ref()
                .map(|d| d.span.clone())
                .expect("a field on a loop delegates");
            diags.push(
                Diagnostic::new(
                    DiagCode::DelegationCycle,
                    &spec.file,
                    Some(span),
                    format!("delegation loops: {}", chain.join(" -> ")),
                )
                .with_help("a delegation chain must end in a field that does not delegate"),
            );
        }
    }
}
