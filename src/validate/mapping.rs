//! One raw mapping file → a [`ProviderSpec`]`<Named>`, or every problem found in it.
//!
//! Parsing stops at the first TOML syntax or shape error (that is serde's contract); all
//! other checks run to the end and collect every problem, each with a span.

use std::collections::{BTreeMap, HashSet};

use toml::Spanned;

use super::common::{Problems, REGEX_SET_BUDGET, RegexBudget};
use super::{DelegateName, EntrySpec, FieldSpec, Named, ProviderSpec, RuleSpec, TableName};
use crate::catalog::{self, CatalogEntry};
use crate::diagnostic::{DiagCode, Diagnostic, SourceFile};
use crate::format::mapping::{RawEntry, RawField, RawFile, RawProvider, RawRule};
use crate::format::{self};
use crate::json::{Pointer, PointerError};
use crate::vocab::Outcome;

/// Validates one mapping file (with a regex budget of its own).
pub fn validate_file(file: &str, text: &str) -> Result<ProviderSpec<Named>, Vec<Diagnostic>> {
    validate_file_in(file, text, &RegexBudget::new(REGEX_SET_BUDGET))
}

/// Validates one mapping file of a set, its regexes charged to the set's `budget`.
pub(crate) fn validate_file_in(
    file: &str,
    text: &str,
    budget: &RegexBudget,
) -> Result<ProviderSpec<Named>, Vec<Diagnostic>> {
    let source = SourceFile::new(file, text);
    let raw: RawFile = format::parse(&source).map_err(|d| vec![d])?;
    let mut v = Problems::new(file, budget);
    let head = provider_head(&mut v, &raw.provider);
    let mut fields = fields(&mut v, raw.field, &raw.provider);
    let rules = rules(&mut v, &head.id, &fields, raw.rule);
    for (fname, table) in raw.values {
        let Some(fi) = field_index(&mut v, &fields, &fname, "values table") else {
            continue;
        };
        fields[fi].table = values_table(&mut v, &head.id, &fields[fi], table);
    }
    let p = raw.provider;
    v.finish(|| ProviderSpec {
        file: file.to_string(),
        id: head.id,
        name: p.name,
        sources: p.sources.into_inner(),
        edition: p.edition,
        fallback: head.fallback,
        fields,
        rules,
        id_span: p.id.span(),
    })
}

fn is_id(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
}

struct Head {
    id: String,
    fallback: &'static CatalogEntry,
}

fn provider_head(v: &mut Problems, p: &RawProvider) -> Head {
    let id = p.id.get_ref().clone();
    if !is_id(&id, &['_', '-']) {
        v.at(
            DiagCode::InvalidId,
            p.id.span(),
            format!("invalid provider id `{id}`"),
        )
        .help = Some("use lowercase letters, digits, `_` and `-`".into());
    }
    if p.sources.get_ref().is_empty() {
        v.at(
            DiagCode::InvalidValue,
            p.sources.span(),
            "`sources` is empty",
        )
        .help = Some("name the published code list this file follows".into());
    }
    let default =
        catalog::lookup(catalog::DEFAULT_FALLBACK).expect("the default is a catalog code");
    let fallback = match &p.fallback {
        Some(f) => match catalog_code(v, f) {
            Some(e) if e.category == crate::catalog::Category::Success => {
                v.at(
                    DiagCode::InvalidValue,
                    f.span(),
                    "the fallback cannot be 100000: an approval comes from an explicit success \
                     signal, never from a response nothing matched",
                );
                default
            }
            found => found.unwrap_or(default),
        },
        None => default,
    };
    Head { id, fallback }
}

fn fields(v: &mut Problems, raw: Vec<RawField>, p: &RawProvider) -> Vec<FieldSpec<Named>> {
    if raw.is_empty() {
        v.items.push(
            Diagnostic::new(
                DiagCode::InvalidValue,
                v.file,
                Some(p.id.span()),
                "the file declares no `[[field]]`",
            )
            .with_help("declare at least one field to read from the response"),
        );
    }
    let mut names = HashSet::new();
    raw.into_iter()
        .map(|f| {
            let name = f.name.get_ref().clone();
            let valid_name =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid_name {
                v.at(
                    DiagCode::InvalidId,
                    f.name.span(),
                    format!("invalid field name `{name}`"),
                )
                .help = Some("use ASCII letters, digits and `_`".into());
            }
            if !names.insert(name.clone()) {
                v.at(
                    DiagCode::DuplicateEntry,
                    f.name.span(),
                    format!("field `{name}` is declared twice"),
                );
            }
            field(v, name, f)
        })
        .collect()
}

fn field(v: &mut Problems, name: String, f: RawField) -> FieldSpec<Named> {
    if f.paths.get_ref().is_empty() {
        v.at(
            DiagCode::InvalidValue,
            f.paths.span(),
            format!("field `{name}` has no `paths`"),
        );
    }
    let paths = f
        .paths
        .get_ref()
        .iter()
        .filter_map(|path| pointer(v, path))
        .collect();
    let table_name = |t: Spanned<String>| TableName {
        span: t.span(),
        id: t.into_inner(),
    };
    FieldSpec {
        name,
        paths,
        steps: v.steps(&f.normalize),
        delegate: f.delegate.map(|d| {
            let span = d.span();
            let d = d.into_inner();
            DelegateName {
                provider: d.provider,
                field: d.field,
                span,
            }
        }),
        advice: f.advice.map(table_name),
        network_rules: f.network_rules.map(table_name),
        table: Vec::new(),
    }
}

fn pointer(v: &mut Problems, path: &Spanned<String>) -> Option<Pointer> {
    let s = path.get_ref();
    match Pointer::parse(s) {
        Ok(p) => Some(p),
        Err(e) => {
            let help = match e {
                PointerError::NoLeadingSlash => format!(
                    "JSON pointers start with `/`: \"/{}\"",
                    s.trim_start_matches(['.', '$'])
                ),
                PointerError::BadEscape(_) => {
                    "in a pointer, `~` is written `~0` and a `/` inside a key `~1`".to_string()
                }
            };
            v.at(
                DiagCode::InvalidPointer,
                path.span(),
                format!("`{s}` is not a JSON pointer: {e}"),
            )
            .help = Some(help);
            None
        }
    }
}

fn rules(
    v: &mut Problems,
    provider: &str,
    fields: &[FieldSpec<Named>],
    raw: Vec<RawRule>,
) -> Vec<RuleSpec> {
    let mut ids = HashSet::new();
    let mut rules = Vec::new();
    for r in raw {
        let rid = r.id.get_ref().clone();
        if !is_id(&rid, &['_', '-', '.']) {
            v.at(
                DiagCode::InvalidId,
                r.id.span(),
                format!("invalid rule id `{rid}`"),
            )
            .help = Some("use lowercase letters, digits, `_`, `-` and `.`".into());
        }
        if !ids.insert(rid.clone()) {
            v.at(
                DiagCode::DuplicateEntry,
                r.id.span(),
                format!("rule id `{rid}` is used twice"),
            );
        }
        if r.when.get_ref().is_empty() {
            v.at(
                DiagCode::InvalidValue,
                r.when.span(),
                format!("rule `{rid}` has no conditions"),
            );
        }
        let mut conditions = Vec::new();
        for (fname, m) in r.when.get_ref() {
            let Some(fi) = field_index(v, fields, fname, "rule condition") else {
                continue;
            };
            let owner = format!("field `{}`", fields[fi].name);
            if let Some(matcher) = v.matcher(&fields[fi].steps, &owner, m) {
                conditions.push((fi, matcher));
            }
        }
        conditions.sort_by_key(|(fi, _)| *fi);
        if let Some(catalog) = catalog_code(v, &r.code) {
            rules.push(RuleSpec {
                entry: EntrySpec {
                    id: format!("{provider}/rule/{rid}"),
                    catalog,
                    desc: r.desc,
                    generic: r.generic,
                    note: r.note,
                    decline_type: r.decline_type,
                    action: r.action,
                    outcome: outcome(v, catalog, r.outcome),
                },
                conditions,
            });
        }
    }
    rules
}

/// An entry's `outcome`, checked against its code: `approved` only with `100000` (an explicit
/// success), and `100000` only `approved` or `pending` (an operation accepted, its result to
/// come).
fn outcome(
    v: &mut Problems,
    catalog: &CatalogEntry,
    outcome: Option<Spanned<Outcome>>,
) -> Option<Outcome> {
    let o = outcome?;
    let value = *o.get_ref();
    let success = catalog.category == crate::catalog::Category::Success;
    let fits = match value {
        Outcome::Approved => success,
        Outcome::Pending => true,
        Outcome::Declined | Outcome::Error | Outcome::Unknown => !success,
    };
    if !fits {
        v.at(
            DiagCode::InvalidValue,
            o.span(),
            format!(
                "outcome `{}` does not fit code {}",
                value.as_str(),
                catalog.code
            ),
        )
        .help =
            Some("`approved` goes with 100000 only, and 100000 is `approved` or `pending`".into());
    }
    Some(value)
}

fn catalog_code(v: &mut Problems, code: &Spanned<i64>) -> Option<&'static CatalogEntry> {
    let c = *code.get_ref();
    let entry = u32::try_from(c).ok().and_then(catalog::lookup);
    if entry.is_none() {
        v.at(
            DiagCode::UnknownCatalogCode,
            code.span(),
            format!("{c} is not a catalog code"),
        )
        .help = Some("`paynorm catalog` lists the codes; 100999 is \"Other error\"".into());
    }
    entry
}

fn field_index(
    v: &mut Problems,
    fields: &[FieldSpec<Named>],
    name: &Spanned<String>,
    what: &str,
) -> Option<usize> {
    let found = fields.iter().position(|f| &f.name == name.get_ref());
    if found.is_none() {
        let declared: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        v.at(
            DiagCode::UndeclaredField,
            name.span(),
            format!(
                "{what} names field `{}`, which no `[[field]]` declares",
                name.get_ref()
            ),
        )
        .help = Some(format!("declared fields: {}", declared.join(", ")));
    }
    found
}

fn values_table(
    v: &mut Problems,
    provider: &str,
    field: &FieldSpec<Named>,
    table: BTreeMap<Spanned<String>, Spanned<RawEntry>>,
) -> Vec<(String, EntrySpec)> {
    let owner = format!("field `{}`", field.name);
    let mut out = Vec::with_capacity(table.len());
    for (key, entry) in table {
        let normalized =
            v.check_normalized(&field.steps, &owner, key.get_ref(), key.span(), "table key");
        let e = entry.into_inner();
        let catalog = catalog_code(v, &e.code);
        if let (true, Some(catalog)) = (normalized, catalog) {
            let outcome = outcome(v, catalog, e.outcome);
            let key = key.into_inner();
            out.push((
                key.clone(),
                EntrySpec {
                    id: format!("{provider}/{}/{key}", field.name),
                    catalog,
                    desc: e.desc,
                    generic: e.generic,
                    note: e.note,
                    decline_type: e.decline_type,
                    action: e.action,
                    outcome,
                },
            ));
        }
    }
    out
}
