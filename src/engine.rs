//! Phase 3: the compiled mapping set and the hot path.
//!
//! [`Engine`] compiles a validated [`MappingSet`] into per-field hash maps (exact values),
//! rule lists, resolved delegation links and linked decision tables, then answers
//! [`Engine::normalize`]. It is immutable, `Send + Sync`, and cloning it clones an `Arc`.
//!
//! The walk follows `docs/mapping-format.md`, *Precedence*: rules in file order, then for each
//! field in declaration order its values table and its delegation; the first non-generic
//! match decides, else the first generic match, else the provider's fallback. The decision
//! (decline type, action) follows `docs/decisions.md`.

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::Value;
use smallvec::SmallVec;

use crate::catalog::{self, CatalogEntry, Category};
use crate::decision::{Action, Context, DecisionTable, DeclineType, Initiator};
use crate::diagnostic::{Diagnostics, SourceFile};
use crate::doc::Document;
use crate::explain::TraceStep;
use crate::mapping::{self, EntrySpec, MappingSet};
use crate::record::{DecisionSource, Normalized, RawFields};
use crate::steps::{self, Matcher, Pointer, Step};

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
    pub(crate) by_id: FxHashMap<String, usize>,
    pub(crate) tables: Vec<DecisionTable>,
}

pub(crate) struct Provider {
    pub(crate) id: String,
    /// `id` as a JSON string, for the record writer.
    pub(crate) id_json: String,
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
    /// `qualified` and `name` as JSON strings, for the record writer.
    pub(crate) qualified_json: String,
    pub(crate) name_json: String,
    pub(crate) paths: Vec<Pointer>,
    pub(crate) steps: Vec<Step>,
    pub(crate) table: FxHashMap<String, Entry>,
    /// (provider index, field index) this field hands its value to.
    pub(crate) delegate: Option<(usize, usize)>,
    /// Rules whose every condition is on this field: what a delegation into it searches.
    pub(crate) single_field_rules: Vec<usize>,
    /// Decision table this field's value is advice for.
    pub(crate) advice: Option<usize>,
    /// Decision table of network rules keyed by this field's values.
    pub(crate) network_rules: Option<usize>,
}

pub(crate) struct Entry {
    pub(crate) id: String,
    /// `id` as a JSON string, for the record writer.
    pub(crate) id_json: String,
    pub(crate) catalog: &'static CatalogEntry,
    pub(crate) generic: bool,
    /// The provider's own description of the raw code.
    pub(crate) desc: String,
    pub(crate) decline_type: Option<DeclineType>,
    pub(crate) action: Option<Action>,
    /// For table entries of a field with `network_rules`: (table index, the entry's key).
    pub(crate) network: Option<(usize, String)>,
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

/// A candidate that matched: the entry and, for delegation, the delegating field.
#[derive(Clone, Copy)]
pub(crate) struct Hit<'e> {
    pub(crate) entry: &'e Entry,
    /// The delegating field, when a delegation decided.
    pub(crate) via: Option<&'e Field>,
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

/// Receives the steps of a walk; the hot path uses `()`, which records nothing.
pub(crate) trait Observer {
    fn step(&mut self, make: impl FnOnce() -> TraceStep);
}

impl Observer for () {
    #[inline(always)]
    fn step(&mut self, _: impl FnOnce() -> TraceStep) {}
}

impl Observer for Vec<TraceStep> {
    fn step(&mut self, make: impl FnOnce() -> TraceStep) {
        self.push(make());
    }
}

/// Per-field texts, in field order (a field without a value is `None`).
pub(crate) type FieldTexts<'v> = SmallVec<[Option<Cow<'v, str>>; 8]>;

/// The decision part of a result (docs/decisions.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision<'e> {
    pub(crate) decline_type: Option<DeclineType>,
    pub(crate) action: Action,
    pub(crate) retry_after_seconds: Option<u64>,
    pub(crate) decline_type_source: DecisionSource<'e>,
    pub(crate) action_source: DecisionSource<'e>,
    pub(crate) context_adjustment: Option<&'static str>,
}

/// A result whose raw texts are still borrowed from the response: what the batch writer
/// serializes directly, and what [`Normalized`] is made from.
pub(crate) struct Outcome<'e, 'v> {
    pub(crate) provider: &'e Provider,
    pub(crate) entry: &'static CatalogEntry,
    pub(crate) hit: Option<Hit<'e>>,
    pub(crate) raw: FieldTexts<'v>,
    pub(crate) decision: Decision<'e>,
}

impl<'e> Outcome<'e, '_> {
    /// The owned, public form.
    pub(crate) fn into_normalized(self) -> Normalized<'e> {
        let d = self.decision;
        Normalized {
            code: self.entry.code,
            category: self.entry.category,
            provider: &self.provider.id,
            rule: self.hit.map(|h| h.entry.id.as_str()),
            via: self.hit.and_then(|h| h.via).map(|f| f.qualified.as_str()),
            raw: {
                let present = self.raw.iter().flatten();
                let (count, bytes) = present.fold((0, 0), |(n, b), r| (n + 1, b + r.len()));
                let mut raw = RawFields::with_capacity(count, bytes);
                for (f, r) in self.provider.fields.iter().zip(&self.raw) {
                    if let Some(r) = r {
                        raw.push(&f.name, r);
                    }
                }
                raw
            },
            decline_type: d.decline_type,
            action: d.action,
            retry_after_seconds: d.retry_after_seconds,
            decline_type_source: d.decline_type_source,
            action_source: d.action_source,
            context_adjustment: d.context_adjustment,
        }
    }
}

/// `text` as a JSON string literal, quotes included.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

static BUILTIN: LazyLock<Result<Engine, Diagnostics>> =
    LazyLock::new(|| Engine::from_sources(mapping::builtin_sources(), Vec::new()));

static NO_CONTEXT: Context = Context {
    initiator: None,
    network: None,
};

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
        let set = mapping::load_set(base, overlay)?;
        Ok(Engine::compile(set))
    }

    fn compile(set: MappingSet) -> Engine {
        let MappingSet {
            providers: specs,
            decisions: tables,
        } = set;
        let by_id: FxHashMap<String, usize> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let table_index = |id: &str| tables.iter().position(|t| t.id == id);
        let field_index = |provider: &str, field: &str| -> Option<(usize, usize)> {
            let p = *by_id.get(provider)?;
            let f = specs[p].fields.iter().position(|x| x.name == field)?;
            Some((p, f))
        };
        let entry = |e: &EntrySpec, network: Option<(usize, String)>| Entry {
            id: e.id.clone(),
            id_json: json_string(&e.id),
            catalog: catalog::lookup(e.code).expect("validated catalog code"),
            generic: e.generic,
            desc: e.desc.clone(),
            decline_type: e.decline_type,
            action: e.action,
            network,
        };
        let providers = specs
            .iter()
            .map(|spec| {
                let rules: Vec<Rule> = spec
                    .rules
                    .iter()
                    .map(|r| Rule {
                        entry: entry(&r.entry, None),
                        conditions: r.conditions.clone(),
                    })
                    .collect();
                let fields = spec
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(fi, f)| {
                        let network = f
                            .network_rules
                            .as_ref()
                            .map(|t| table_index(&t.id).expect("validated decision table"));
                        let qualified = format!("{}/{}", spec.id, f.name);
                        Field {
                            name: f.name.clone(),
                            name_json: json_string(&f.name),
                            qualified_json: json_string(&qualified),
                            qualified,
                            paths: f
                                .paths
                                .iter()
                                .map(|p| Pointer::parse(p).expect("validated pointer"))
                                .collect(),
                            steps: f.steps.clone(),
                            table: f
                                .table
                                .iter()
                                .map(|(k, e)| {
                                    (k.clone(), entry(e, network.map(|t| (t, k.clone()))))
                                })
                                .collect(),
                            delegate: f.delegate.as_ref().map(|d| {
                                field_index(&d.provider, &d.field).expect("validated delegate")
                            }),
                            single_field_rules: rules
                                .iter()
                                .enumerate()
                                .filter(|(_, r)| r.conditions.iter().all(|(c, _)| *c == fi))
                                .map(|(ri, _)| ri)
                                .collect(),
                            advice: f
                                .advice
                                .as_ref()
                                .map(|t| table_index(&t.id).expect("validated decision table")),
                            network_rules: network,
                        }
                    })
                    .collect();
                let provider = Provider {
                    id: spec.id.clone(),
                    id_json: json_string(&spec.id),
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
        for t in &tables {
            tracing::debug!(table = %t.id, file = %t.file, rows = t.len(), "loaded decision table");
        }
        Engine {
            inner: Arc::new(Inner {
                providers,
                by_id,
                tables,
            }),
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

    /// The loaded decision tables.
    pub fn decision_tables(&self) -> &[DecisionTable] {
        &self.inner.tables
    }

    /// True when `provider` is loaded.
    pub fn has_provider(&self, provider: &str) -> bool {
        self.inner.by_id.contains_key(provider)
    }

    /// Normalizes one raw provider response to a catalog code and a decision.
    ///
    /// Any JSON value is accepted: fields that are missing, `null`, arrays or objects have no
    /// value and match nothing, so odd input ends at the provider's fallback, never in an
    /// error. The only error is an unknown provider.
    pub fn normalize<'a>(
        &'a self,
        provider: &str,
        response: &Value,
    ) -> Result<Normalized<'a>, Error> {
        self.normalize_with(provider, response, &NO_CONTEXT)
    }

    /// [`Engine::normalize`] with a per-call context (who initiated the payment, the card
    /// network), which changes the action, never the code. See `docs/decisions.md`.
    pub fn normalize_with<'a>(
        &'a self,
        provider: &str,
        response: &Value,
        context: &Context,
    ) -> Result<Normalized<'a>, Error> {
        Ok(self
            .run(provider, response, context, &mut ())?
            .into_normalized())
    }

    pub(crate) fn provider(&self, provider: &str) -> Result<&Provider, Error> {
        self.inner
            .by_id
            .get(provider)
            .map(|&i| &self.inner.providers[i])
            .ok_or_else(|| Error::UnknownProvider(provider.to_string()))
    }

    /// The whole normalization, with an observer of the walk's steps. Raw texts stay
    /// borrowed from `response`; [`Normalized`] owns them.
    pub(crate) fn run<'e, 'v, D: Document + ?Sized>(
        &'e self,
        provider: &str,
        response: &'v D,
        context: &Context,
        observer: &mut impl Observer,
    ) -> Result<Outcome<'e, 'v>, Error> {
        let p = self.provider(provider)?;

        // 1. Read every field: raw text, then its normalized form.
        let mut raw: FieldTexts<'v> = SmallVec::with_capacity(p.fields.len());
        for f in &p.fields {
            raw.push(f.paths.iter().find_map(|path| response.scalar(path)));
        }
        let mut values: FieldTexts<'_> = SmallVec::with_capacity(p.fields.len());
        for (r, f) in raw.iter().zip(&p.fields) {
            values.push(r.as_deref().and_then(|r| steps::apply(&f.steps, r)));
        }

        // 2 and 3. Walk the candidates in precedence order.
        let mut decider = Decider::default();
        self.walk(p, &values, &mut decider, observer);
        let hit = decider.result();
        let entry = hit.map_or(p.fallback, |h| h.entry.catalog);
        let decision = self.decide(p, &values, hit, entry, context);
        drop(values); // borrows `raw`, which moves into the outcome
        tracing::trace!(provider = %p.id, code = entry.code, rule = ?hit.map(|h| &h.entry.id), action = ?decision.action, "decided");
        Ok(Outcome {
            provider: p,
            entry,
            hit,
            raw,
            decision,
        })
    }

    fn walk<'e>(
        &'e self,
        p: &'e Provider,
        values: &[Option<Cow<'_, str>>],
        decider: &mut Decider<'e>,
        observer: &mut impl Observer,
    ) {
        for rule in &p.rules {
            let failed = rule
                .conditions
                .iter()
                .find(|(fi, m)| !values[*fi].as_deref().is_some_and(|v| m.matches(v)));
            match failed {
                None => {
                    observer.step(|| {
                        TraceStep::matched(
                            "rule",
                            &rule.entry.id,
                            None,
                            &rule.entry,
                            "every condition holds",
                        )
                    });
                    if decider.offer(Hit {
                        entry: &rule.entry,
                        via: None,
                    }) {
                        return;
                    }
                }
                Some((fi, m)) => observer.step(|| {
                    let field = &p.fields[*fi].name;
                    let why = match values[*fi].as_deref() {
                        None => format!("field `{field}` has no value"),
                        Some(v) => format!("`{field}` = {v:?} does not satisfy: {}", m.describe()),
                    };
                    TraceStep::no_match("rule", &rule.entry.id, None, why)
                }),
            }
        }
        for (field, value) in p.fields.iter().zip(values) {
            let Some(value) = value.as_deref() else {
                if !field.table.is_empty() || field.delegate.is_some() {
                    observer.step(|| TraceStep::no_value(&field.qualified));
                }
                continue;
            };
            if !field.table.is_empty() {
                match field.table.get(value) {
                    Some(entry) => {
                        observer.step(|| {
                            TraceStep::matched(
                                "table",
                                &field.qualified,
                                Some(value),
                                entry,
                                "exact entry",
                            )
                        });
                        if decider.offer(Hit { entry, via: None }) {
                            return;
                        }
                    }
                    None => observer.step(|| {
                        TraceStep::no_match(
                            "table",
                            &field.qualified,
                            Some(value),
                            format!("no entry for {value:?}"),
                        )
                    }),
                }
            }
            if let Some(target) = field.delegate
                && self.delegate(target, value, field, decider, observer)
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
        via: &'e Field,
        decider: &mut Decider<'e>,
        observer: &mut impl Observer,
    ) -> bool {
        let p = &self.inner.providers[pi];
        let field = &p.fields[fi];
        let target = || format!("{} (via {})", field.qualified, via.qualified);
        let Some(value) = steps::apply(&field.steps, value) else {
            observer.step(|| {
                TraceStep::no_match(
                    "delegation",
                    &target(),
                    Some(value),
                    "no value after the target field's normalization".into(),
                )
            });
            return false;
        };
        for &ri in &field.single_field_rules {
            let rule = &p.rules[ri];
            if rule.conditions.iter().all(|(_, m)| m.matches(&value)) {
                observer.step(|| {
                    TraceStep::matched(
                        "delegation",
                        &target(),
                        Some(&value),
                        &rule.entry,
                        "rule on the target field holds",
                    )
                });
                if decider.offer(Hit {
                    entry: &rule.entry,
                    via: Some(via),
                }) {
                    return true;
                }
            }
        }
        match field.table.get(value.as_ref()) {
            Some(entry) => {
                observer.step(|| {
                    TraceStep::matched(
                        "delegation",
                        &target(),
                        Some(&value),
                        entry,
                        "exact entry of the target field",
                    )
                });
                if decider.offer(Hit {
                    entry,
                    via: Some(via),
                }) {
                    return true;
                }
            }
            None => observer.step(|| {
                TraceStep::no_match(
                    "delegation",
                    &target(),
                    Some(&value),
                    format!("no entry for {value:?}"),
                )
            }),
        }
        // Chains are checked for cycles at load, so this recursion ends.
        match field.delegate {
            Some(next) => self.delegate(next, &value, via, decider, observer),
            None => false,
        }
    }

    /// Fills the decision of `result` (docs/decisions.md): advice, network rule, entry
    /// override, catalog default; then the context's adjustment.
    fn decide<'e>(
        &'e self,
        p: &'e Provider,
        values: &[Option<Cow<'_, str>>],
        hit: Option<Hit<'e>>,
        entry: &'static CatalogEntry,
        context: &Context,
    ) -> Decision<'e> {
        let mut result = Decision {
            decline_type: None,
            action: Action::None,
            retry_after_seconds: None,
            decline_type_source: DecisionSource::Approval,
            action_source: DecisionSource::Approval,
            context_adjustment: None,
        };
        if entry.category == Category::Success {
            return result; // an approval: nothing to decide
        }
        let network = context.network.as_deref();
        let tables = &self.inner.tables;
        // The payment's network response code: the deciding entry's key when it sits in a
        // field with network rules, else the first field (in order) that carries one, itself
        // or through its delegation (Stripe's network_decline_code → iso8583/response_code).
        let network_key: Option<(&'e DecisionTable, Cow<'_, str>)> = hit
            .and_then(|h| h.entry.network.as_ref())
            .map(|(t, key)| (&tables[*t], Cow::Borrowed(key.as_str())))
            .or_else(|| {
                p.fields
                    .iter()
                    .zip(values)
                    .find_map(|(f, v)| self.network_code(f, v.as_deref()?))
            })
            .filter(|(t, _)| t.applies_to(network));

        // Each part comes from the strongest layer that gives it.
        let mut decline_type: Option<(DeclineType, DecisionSource<'e>)> = None;
        let mut action: Option<(Action, DecisionSource<'e>)> = None;
        fn fill<T, S>(slot: &mut Option<(T, S)>, value: Option<T>, source: S) {
            if slot.is_none() {
                *slot = value.map(|v| (v, source));
            }
        }

        // Layer 1: the response's own advice, first advice field (in field order) that says
        // something.
        for (field, value) in p.fields.iter().zip(values) {
            let (Some(ti), Some(value)) = (field.advice, value.as_deref()) else {
                continue;
            };
            let table = &tables[ti];
            if !table.applies_to(network) {
                continue;
            }
            let Some(row) = table.lookup(value) else {
                continue;
            };
            if row.decline_type.is_none() && row.action.is_none() {
                continue; // informational
            }
            let source = DecisionSource::Advice {
                table: &table.id,
                field: &field.qualified,
                key: &row.key,
            };
            // A response-code-specific action of the advice (Mastercard 83 + MAC 01).
            let specific = network_key
                .as_ref()
                .and_then(|(_, key)| row.by_response_code.get(key.as_ref()).copied());
            fill(&mut action, specific.or(row.action), source);
            fill(&mut decline_type, row.decline_type, source);
            result.retry_after_seconds = row.retry_after_seconds;
            break;
        }
        // Layer 2: the network's rule for the response code.
        if let Some((table, key)) = &network_key
            && let Some(row) = table.rows.get(key.as_ref())
        {
            let source = DecisionSource::Network {
                table: &table.id,
                key: &row.key,
            };
            fill(&mut decline_type, row.decline_type, source);
            fill(&mut action, row.action, source);
        }
        // Layer 3: the deciding entry's override.
        if let Some(h) = hit {
            let source = DecisionSource::Entry(&h.entry.id);
            fill(&mut decline_type, h.entry.decline_type, source);
            fill(&mut action, h.entry.action, source);
        }
        // Layer 4: the catalog default (every non-approval code has both).
        let source = DecisionSource::Catalog(entry.code);
        let (decline_type, dt_source) =
            decline_type.unwrap_or((entry.decline_type.unwrap_or(DeclineType::Soft), source));
        let (mut action, action_source) = action.unwrap_or((entry.action, source));

        if context.initiator == Some(Initiator::Merchant) && action == Action::Authenticate {
            action = Action::UseAnotherMethod;
            result.context_adjustment = Some(
                "initiator = merchant: no cardholder is present to authenticate, so authenticate became use_another_method",
            );
        }
        if action != Action::RetryLater {
            result.retry_after_seconds = None;
        }
        result.decline_type = Some(decline_type);
        result.decline_type_source = dt_source;
        result.action = action;
        result.action_source = action_source;
        result
    }
}

impl Engine {
    /// The network response code a field carries: its own normalized value when it has
    /// network rules, else its value normalized along its delegation chain to a field that has.
    fn network_code<'v>(
        &self,
        field: &Field,
        value: &'v str,
    ) -> Option<(&DecisionTable, Cow<'v, str>)> {
        if let Some(t) = field.network_rules {
            return Some((&self.inner.tables[t], Cow::Borrowed(value)));
        }
        let (mut pi, mut fi) = field.delegate?;
        let mut value = Cow::Borrowed(value);
        loop {
            let target = &self.inner.providers[pi].fields[fi];
            value = Cow::Owned(steps::apply(&target.steps, &value)?.into_owned());
            if let Some(t) = target.network_rules {
                return Some((&self.inner.tables[t], value));
            }
            (pi, fi) = target.delegate?;
        }
    }
}

impl Provider {
    pub(crate) fn entry_count(&self) -> usize {
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
