//! Phase 3: the compiled mapping set and the hot path.
//!
//! [`Engine`] compiles validated [`ProviderSpec`]s into per-field hash maps (exact values),
//! rule lists and resolved delegation links, then answers [`Engine::normalize`]. It is
//! immutable, `Send + Sync`, and cloning it clones an `Arc`.
//!
//! The walk follows `docs/mapping-format.md`, *Precedence*: rules in file order, then for each
//! field in declaration order its values table and its delegation; the first non-generic
//! match decides, else the first generic match, else the provider's fallback.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value;

use crate::catalog::{self, CatalogEntry, Category};
use crate::diagnostic::{Diagnostics, SourceFile};
use crate::mapping::{self, EntrySpec, ProviderSpec};
use crate::steps::{self, Matcher, Step};

/// Errors of [`Engine::normalize`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No loaded mapping has this provider id.
    #[error("unknown provider `{0}`")]
    UnknownProvider(String),
}

/// The normalization engine: a validated, compiled mapping set.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) providers: Vec<Provider>,
    pub(crate) by_id: HashMap<String, usize>,
}

pub(crate) struct Provider {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) sources: Vec<String>,
    pub(crate) edition: String,
    pub(crate) file: String,
    pub(crate) fallback: &'static CatalogEntry,
    pub(crate) fields: Vec<Field>,
    pub(crate) rules: Vec<Rule>,
}

pub(crate) struct Field {
    pub(crate) name: String,
    /// `provider/field`, reported as `via` when this field delegates.
    pub(crate) qualified: String,
    pub(crate) paths: Vec<String>,
    pub(crate) steps: Vec<Step>,
    pub(crate) table: HashMap<String, Entry>,
    /// (provider index, field index) this field hands its value to.
    pub(crate) delegate: Option<(usize, usize)>,
    /// Rules whose every condition is on this field: what a delegation into it searches.
    pub(crate) single_field_rules: Vec<usize>,
}

pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) catalog: &'static CatalogEntry,
    pub(crate) generic: bool,
    /// The provider's own description of the raw code.
    pub(crate) desc: String,
}

pub(crate) struct Rule {
    pub(crate) entry: Entry,
    pub(crate) conditions: Vec<(usize, Matcher)>,
}

/// What a caller can know about a loaded provider.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// Table entries plus rules.
    pub entries: usize,
    pub sources: &'a [String],
    pub edition: &'a str,
    /// The mapping file it was loaded from.
    pub file: &'a str,
}

/// The result of normalizing one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Normalized<'a> {
    /// The catalog code.
    pub code: u32,
    /// Its category.
    pub category: Category,
    /// Its English text.
    pub message: &'a str,
    /// The provider id the response was read as.
    pub provider: &'a str,
    /// Stable id of the entry that decided; `None` when the fallback decided.
    pub rule: Option<&'a str>,
    /// `provider/field` that delegated to the deciding entry, if a delegation decided.
    pub via: Option<&'a str>,
    /// Every field the mapping read that was present, as text (before normalization), in
    /// field order.
    pub raw: RawFields<'a>,
}

impl Normalized<'_> {
    /// The catalog entry of [`Normalized::code`].
    pub fn entry(&self) -> &'static CatalogEntry {
        catalog::lookup(self.code).expect("codes come from the catalog")
    }
}

/// Field name → text read, in field order; serializes as a JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawFields<'a>(pub Vec<(&'a str, String)>);

impl RawFields<'_> {
    /// The text read for `field`, if it was present.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.as_ref())
    }
}

impl Serialize for RawFields<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A candidate that matched: the entry and, for delegation, the delegating field.
#[derive(Clone, Copy)]
struct Hit<'e> {
    entry: &'e Entry,
    via: Option<&'e str>,
}

/// "First non-generic match, else first generic match."
#[derive(Default)]
struct Decider<'e> {
    first_generic: Option<Hit<'e>>,
    decided: Option<Hit<'e>>,
}

impl<'e> Decider<'e> {
    /// Offers a match; true once a non-generic match has decided (stop walking).
    fn offer(&mut self, hit: Hit<'e>) -> bool {
        if hit.entry.generic {
            self.first_generic.get_or_insert(hit);
            false
        } else {
            self.decided = Some(hit);
            true
        }
    }

    fn result(self) -> Option<Hit<'e>> {
        self.decided.or(self.first_generic)
    }
}

/// A scalar as text: strings as they are, numbers as their JSON text, booleans as words.
fn scalar_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

static BUILTIN: LazyLock<Result<Engine, Diagnostics>> =
    LazyLock::new(|| Engine::from_sources(mapping::builtin_sources(), Vec::new()));

impl Engine {
    /// The engine over the built-in mappings (`mappings/*.toml`, embedded at build time).
    /// Compiled once per process; later calls clone an `Arc`.
    pub fn builtin() -> Result<Engine, Diagnostics> {
        BUILTIN.clone()
    }

    /// The built-in mappings with every `*.toml` of `dir` layered over them: a file with a
    /// built-in provider id replaces that provider, other files add providers.
    pub fn with_mappings_dir(dir: &Path) -> Result<Engine, Diagnostics> {
        let overlay = mapping::read_dir(dir)?;
        Engine::from_sources(mapping::builtin_sources(), overlay)
    }

    /// Validates and compiles `overlay` layered over `base` (see [`mapping::load_set`]).
    pub fn from_sources(
        base: Vec<SourceFile>,
        overlay: Vec<SourceFile>,
    ) -> Result<Engine, Diagnostics> {
        let specs = mapping::load_set(base, overlay)?;
        Ok(Engine::compile(specs))
    }

    fn compile(specs: Vec<ProviderSpec>) -> Engine {
        let by_id: HashMap<String, usize> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let field_index = |provider: &str, field: &str| -> Option<(usize, usize)> {
            let p = *by_id.get(provider)?;
            let f = specs[p].fields.iter().position(|x| x.name == field)?;
            Some((p, f))
        };
        let entry = |e: &EntrySpec| Entry {
            id: e.id.clone(),
            catalog: catalog::lookup(e.code).expect("validated catalog code"),
            generic: e.generic,
            desc: e.desc.clone(),
        };
        let providers = specs
            .iter()
            .map(|spec| {
                let rules: Vec<Rule> = spec
                    .rules
                    .iter()
                    .map(|r| Rule {
                        entry: entry(&r.entry),
                        conditions: r.conditions.clone(),
                    })
                    .collect();
                let fields = spec
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(fi, f)| Field {
                        name: f.name.clone(),
                        qualified: format!("{}/{}", spec.id, f.name),
                        paths: f.paths.clone(),
                        steps: f.steps.clone(),
                        table: f.table.iter().map(|(k, e)| (k.clone(), entry(e))).collect(),
                        delegate: f.delegate.as_ref().map(|d| {
                            field_index(&d.provider, &d.field).expect("validated delegate")
                        }),
                        single_field_rules: rules
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| r.conditions.iter().all(|(c, _)| *c == fi))
                            .map(|(ri, _)| ri)
                            .collect(),
                    })
                    .collect();
                let provider = Provider {
                    id: spec.id.clone(),
                    name: spec.name.clone(),
                    sources: spec.sources.clone(),
                    edition: spec.edition.clone(),
                    file: spec.file.clone(),
                    fallback: catalog::lookup(spec.fallback).expect("validated fallback"),
                    fields,
                    rules,
                };
                tracing::debug!(
                    provider = %provider.id,
                    file = %provider.file,
                    entries = provider.entry_count(),
                    "compiled mapping"
                );
                provider
            })
            .collect();
        Engine {
            inner: Arc::new(Inner { providers, by_id }),
        }
    }

    /// The loaded providers, sorted by id.
    pub fn providers(&self) -> Vec<ProviderInfo<'_>> {
        let mut list: Vec<ProviderInfo> = self
            .inner
            .providers
            .iter()
            .map(|p| ProviderInfo {
                id: &p.id,
                name: &p.name,
                entries: p.entry_count(),
                sources: &p.sources,
                edition: &p.edition,
                file: &p.file,
            })
            .collect();
        list.sort_by_key(|p| p.id);
        list
    }

    /// True when `provider` is loaded.
    pub fn has_provider(&self, provider: &str) -> bool {
        self.inner.by_id.contains_key(provider)
    }

    /// Normalizes one raw provider response to a catalog code.
    ///
    /// Any JSON value is accepted: fields that are missing, `null`, arrays or objects have no
    /// value and match nothing, so odd input ends at the provider's fallback, never in an
    /// error. The only error is an unknown provider.
    pub fn normalize<'a>(
        &'a self,
        provider: &str,
        response: &Value,
    ) -> Result<Normalized<'a>, Error> {
        let &pi = self
            .inner
            .by_id
            .get(provider)
            .ok_or_else(|| Error::UnknownProvider(provider.to_string()))?;
        let p = &self.inner.providers[pi];

        // 1. Read every field: raw text, then its normalized form.
        let raw: Vec<Option<Cow<'_, str>>> = p
            .fields
            .iter()
            .map(|f| {
                f.paths
                    .iter()
                    .find_map(|path| response.pointer(path).and_then(scalar_text))
            })
            .collect();
        let values: Vec<Option<Cow<'_, str>>> = raw
            .iter()
            .zip(&p.fields)
            .map(|(r, f)| r.as_deref().and_then(|r| steps::apply(&f.steps, r)))
            .collect();

        // 2 and 3. Walk the candidates in precedence order.
        let mut decider = Decider::default();
        self.walk(p, &values, &mut decider);
        let hit = decider.result();

        let entry = hit.map_or(p.fallback, |h| h.entry.catalog);
        let result = Normalized {
            code: entry.code,
            category: entry.category,
            message: &entry.en,
            provider: &p.id,
            rule: hit.map(|h| h.entry.id.as_str()),
            via: hit.and_then(|h| h.via),
            raw: RawFields(
                p.fields
                    .iter()
                    .zip(raw)
                    .filter_map(|(f, r)| r.map(|r| (f.name.as_str(), r.into_owned())))
                    .collect(),
            ),
        };
        tracing::trace!(provider = %p.id, code = result.code, rule = ?result.rule, "decided");
        Ok(result)
    }

    fn walk<'e>(
        &'e self,
        p: &'e Provider,
        values: &[Option<Cow<'_, str>>],
        decider: &mut Decider<'e>,
    ) {
        for rule in &p.rules {
            let holds = rule
                .conditions
                .iter()
                .all(|(fi, m)| values[*fi].as_deref().is_some_and(|v| m.matches(v)));
            if holds
                && decider.offer(Hit {
                    entry: &rule.entry,
                    via: None,
                })
            {
                return;
            }
        }
        for (field, value) in p.fields.iter().zip(values) {
            let Some(value) = value.as_deref() else {
                continue;
            };
            if let Some(entry) = field.table.get(value)
                && decider.offer(Hit { entry, via: None })
            {
                return;
            }
            if let Some(target) = field.delegate
                && self.delegate(target, value, &field.qualified, decider)
            {
                return;
            }
        }
    }

    /// Searches the target field for `value` as the main walk would; true once decided.
    fn delegate<'e>(
        &'e self,
        (pi, fi): (usize, usize),
        value: &str,
        via: &'e str,
        decider: &mut Decider<'e>,
    ) -> bool {
        let p = &self.inner.providers[pi];
        let field = &p.fields[fi];
        let Some(value) = steps::apply(&field.steps, value) else {
            return false;
        };
        for &ri in &field.single_field_rules {
            let rule = &p.rules[ri];
            if rule.conditions.iter().all(|(_, m)| m.matches(&value))
                && decider.offer(Hit {
                    entry: &rule.entry,
                    via: Some(via),
                })
            {
                return true;
            }
        }
        if let Some(entry) = field.table.get(value.as_ref())
            && decider.offer(Hit {
                entry,
                via: Some(via),
            })
        {
            return true;
        }
        // Chains are checked for cycles at load, so this recursion ends.
        match field.delegate {
            Some(next) => self.delegate(next, &value, via, decider),
            None => false,
        }
    }
}

impl Provider {
    fn entry_count(&self) -> usize {
        self.rules.len() + self.fields.iter().map(|f| f.table.len()).sum::<usize>()
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("providers", &self.inner.by_id.keys().collect::<Vec<_>>())
            .finish()
    }
}
