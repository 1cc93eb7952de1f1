//! One raw mapping file → a [`ProviderSpec`]`<Named>`, or every problem found in it.
//!
//! Parsing stops at the first TOML syntax or shape error (that is serde's contract); all
//! other checks run to the end and collect every problem, each with a span.

use std::collections::{BTreeMap, HashSet};

use toml::Spanned;

use super::common::{Problems, REGEX_SET_BUDGET, RegexBudget};
use super::{
    DelegateName, EntrySpec, FieldSpec, MessageSpec, Named, ProviderSpec, RuleSpec, TableName,
};
use crate::catalog::{self, CatalogEntry};
use crate::diagnostic::{DiagCode, Diagnostic, SourceFile};
use crate::format::mapping::{
    RawEntry, RawField, RawFile, RawMatcher, RawMessage, RawProvider, RawRule,
};
use crate::format::{self};
use crate::json::{Pointer, PointerError};
use crate::text::{self, TextMatch};
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
    // The fields [[message]] entries read are free text: they decide only there, after
    // every code-based candidate, so no rule, table or link may use them.
    let text_fields: HashSet<String> = raw
        .message
        .iter()
        .map(|m| m.field.get_ref().clone())
        .collect();
    for f in &fields {
        if text_fields.contains(&f.name) {
            let links = [
                f.delegate.as_ref().map(|d| d.span.clone()),
                f.advice.as_ref().map(|t| t.span.clone()),
                f.network_rules.as_ref().map(|t| t.span.clone()),
            ];
            for span in links.into_iter().flatten() {
                text_field_used(&mut v, &f.name, span, "a delegation or decision table");
            }
        }
    }
    let rules = rules(&mut v, &head.id, &fields, raw.rule, &text_fields);
    for (fname, table) in raw.values {
        let Some(fi) = field_index(&mut v, &fields, &fname, "values table") else {
            continue;
        };
        if text_fields.contains(fname.get_ref()) {
            text_field_used(&mut v, fname.get_ref(), fname.span(), "a values table");
        }
        fields[fi].table = values_table(&mut v, &head.id, &fields[fi], table);
    }
    let messages = messages(&mut v, &head.id, &fields, raw.message);
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
        messages,
        id_span: p.id.span(),
    })
}

/// The lint that keeps free text below every code: a field read by `[[message]]` entries
/// used as a code.
fn text_field_used(v: &mut Problems, field: &str, span: std::ops::Range<usize>, what: &str) {
    v.at(
        DiagCode::MessageField,
        span,
        format!("field `{field}` is read by [[message]] entries, so it cannot key {what}"),
    )
    .help = Some(
        "a free text decides only through [[message]] entries, after every code-based \
         entry; read the code from another field"
            .into(),
    );
}

/// Validates the `[[message]]` entries.
fn messages(
    v: &mut Problems,
    provider: &str,
    fields: &[FieldSpec<Named>],
    raw: Vec<RawMessage>,
) -> Vec<MessageSpec> {
    let mut ids = HashSet::new();
    let mut out = Vec::new();
    for m in raw {
        let mid = m.id.get_ref().clone();
        check_entry_id(v, &m.id, "message", &mut ids);
        let field = field_index(v, fields, &m.field, "message entry");
        let text = message_text(v, &m);
        let mut conditions = Vec::new();
        if let Some(when) = &m.when {
            for (fname, matcher) in when.get_ref() {
                let Some(fi) = field_index(v, fields, fname, "message condition") else {
                    continue;
                };
                let owner = format!("field `{}`", fields[fi].name);
                if let Some(matcher) = v.matcher(&fields[fi].steps, &owner, matcher) {
                    conditions.push((fi, matcher));
                }
            }
        }
        let Some(catalog) = catalog_code(v, &m.code) else {
            continue;
        };
        let outcome = outcome(v, catalog, m.outcome);
        if let (Some(field), Some(text)) = (field, text) {
            out.push(MessageSpec {
                entry: EntrySpec {
                    id: format!("{provider}/message/{mid}"),
                    catalog,
                    desc: m.desc,
                    generic: false,
                    note: m.note,
                    decline_type: m.decline_type,
                    action: m.action,
                    outcome,
                },
                field,
                text,
                conditions,
            });
        }
    }
    out
}

/// Exactly one of `contains`, `words` and `regex`, not empty.
fn message_text(v: &mut Problems, m: &RawMessage) -> Option<TextMatch> {
    let given = [m.contains.is_some(), m.words.is_some(), m.regex.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        v.at(
            DiagCode::InvalidValue,
            m.id.span(),
            format!(
                "message `{}` needs exactly one of `contains`, `words` and `regex`",
                m.id.get_ref()
            ),
        );
        return None;
    }
    if let Some(c) = &m.contains {
        let folded = text::fold(c.get_ref());
        if folded.is_empty() {
            v.at(DiagCode::InvalidValue, c.span(), "`contains` is empty");
            return None;
        }
        return Some(TextMatch::Contains(folded));
    }
    if let Some(w) = &m.words {
        let words: Vec<String> = w.get_ref().iter().map(|w| text::fold(w)).collect();
        if words.is_empty() || words.iter().any(|w| w.is_empty() || w.contains(' ')) {
            v.at(
                DiagCode::InvalidValue,
                w.span(),
                "`words` lists single, non-empty words",
            );
            return None;
        }
        return Some(TextMatch::Words(words));
    }
    let r = m.regex.as_ref()?;
    v.regex_matcher(r.get_ref(), r.span()).map(TextMatch::Regex)
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

/// A rule or message id: allowed characters, unique in the file.
fn check_entry_id(v: &mut Problems, id: &Spanned<String>, what: &str, ids: &mut HashSet<String>) {
    let rid = id.get_ref();
    if !is_id(rid, &['_', '-', '.']) {
        v.at(
            DiagCode::InvalidId,
            id.span(),
            format!("invalid {what} id `{rid}`"),
        )
        .help = Some("use lowercase letters, digits, `_`, `-` and `.`".into());
    }
    if !ids.insert(rid.clone()) {
        v.at(
            DiagCode::DuplicateEntry,
            id.span(),
            format!("{what} id `{rid}` is used twice"),
        );
    }
}

fn rules(
    v: &mut Problems,
    provider: &str,
    fields: &[FieldSpec<Named>],
    raw: Vec<RawRule>,
    text_fields: &HashSet<String>,
) -> Vec<RuleSpec> {
    let mut ids = HashSet::new();
    let mut rules = Vec::new();
    for r in raw {
        let rid = r.id.get_ref().clone();
        check_entry_id(v, &r.id, "rule", &mut ids);
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
            // Whether a text is there says nothing about what it says: `present` is allowed.
            let presence = matches!(m.get_ref(), RawMatcher::Present(_));
            if text_fields.contains(fname.get_ref()) && !presence {
                text_field_used(v, fname.get_ref(), fname.span(), "a rule condition");
            }
            let owner = format!("field `{}`", fields[fi].name);
            if let Some(matcher) = v.matcher(&fields[fi].steps, &owner, m) {
                conditions.push((fi, matcher));
            }
        }
        if !conditions.is_empty() && conditions.iter().all(|(_, m)| m.holds_without_value()) {
            v.at(
                DiagCode::InvalidValue,
                r.when.span(),
                format!("rule `{rid}` holds for a response that has none of its fields"),
            )
            .help = Some(
                "add a condition on a value that is there (`present = false` and `not` only \
                 narrow a rule)"
                    .into(),
            );
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
