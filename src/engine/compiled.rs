//! Phase 3: a validated [`MappingSet`] compiled into what the hot path reads: per-field hash
//! maps of exact values, rule lists, delegation links as indices, decision tables as hash
//! maps, and the record's constant parts pre-serialized. Nothing is checked here: the
//! validated set already holds parsed pointers, catalog entries and resolved links.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use crate::catalog::CatalogEntry;
use crate::json::Pointer;
use crate::text::{self, Matcher, Step, TextMatch};
use crate::validate::{
    AdjustSpec, EntrySpec, FieldRef, MappingSet, ProviderSpec, RowSpec, TableSpec,
};
use crate::vocab::{Action, Context, DeclineType, Outcome};

pub(crate) struct Inner {
    pub(crate) providers: Vec<Provider>,
    pub(crate) by_id: FxHashMap<String, usize>,
    pub(crate) tables: Vec<DecisionTable>,
    /// Context adjustments of every table, in table order, then file order.
    pub(crate) adjustments: Vec<AdjustSpec>,
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
    /// `[[message]]` entries, tried when no code-based candidate matched.
    pub(crate) messages: Vec<Message>,
    /// The first tokens of the fields' paths, each with its bit: the walk notes which of
    /// them a response object has (one hash lookup per top-level member) and tries only the
    /// paths that can resolve. Empty when there are more than 64: every path is tried.
    pub(crate) firsts: FxHashMap<String, u8>,
}

/// A compiled `[[message]]` entry.
pub(crate) struct Message {
    pub(crate) entry: Entry,
    pub(crate) field: usize,
    pub(crate) text: TextMatch,
    pub(crate) conditions: Vec<(usize, Matcher)>,
}

pub(crate) struct Field {
    pub(crate) name: String,
    /// `provider/field`, reported as `via` when this field delegates.
    pub(crate) qualified: String,
    /// `qualified` and `name` as JSON strings, for the record writer.
    pub(crate) qualified_json: String,
    pub(crate) name_json: String,
    pub(crate) paths: Vec<Pointer>,
    /// For each path, the bit of its first token in [`Provider::firsts`] (every bit when
    /// the path has no first token to look for: empty, or `*` first).
    pub(crate) path_bits: Vec<u64>,
    /// The union of `path_bits`: a response with none of these top-level keys cannot hold
    /// this field, so its paths are not tried.
    pub(crate) any_bits: u64,
    /// A path has a `*`: every scalar element it finds is a value of the field.
    pub(crate) list: bool,
    pub(crate) steps: Vec<Step>,
    pub(crate) table: FxHashMap<String, Entry>,
    /// The field this field hands its value to.
    pub(crate) delegate: Option<FieldRef>,
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
    pub(crate) outcome: Option<Outcome>,
    /// For table entries of a field with `network_rules`: (table index, the entry's key).
    pub(crate) network: Option<(usize, String)>,
}

pub(crate) struct Rule {
    pub(crate) entry: Entry,
    pub(crate) conditions: Vec<(usize, Matcher)>,
}

/// A compiled decision table.
pub(crate) struct DecisionTable {
    pub(crate) id: String,
    /// Applies only to this network (when the context names one).
    pub(crate) network: Option<String>,
    pub(crate) file: String,
    pub(crate) steps: Vec<Step>,
    pub(crate) rows: HashMap<String, RowSpec>,
}

impl DecisionTable {
    fn compile(spec: TableSpec) -> Self {
        DecisionTable {
            id: spec.id,
            network: spec.network,
            file: spec.file,
            steps: spec.steps,
            rows: spec.rows.into_iter().map(|r| (r.key.clone(), r)).collect(),
        }
    }

    /// The row for a raw value, after the table's normalization.
    pub(crate) fn lookup(&self, value: &str) -> Option<&RowSpec> {
        let key = text::apply(&self.steps, value)?;
        self.rows.get(key.as_ref())
    }

    /// Whether the table applies to a payment on `network` (`None`: unknown network).
    pub(crate) fn applies_to(&self, network: Option<&str>) -> bool {
        match (&self.network, network) {
            (Some(own), Some(n)) => own.eq_ignore_ascii_case(n),
            _ => true,
        }
    }
}

impl AdjustSpec {
    /// Whether the adjustment holds for `context` and the decided `action`.
    pub(crate) fn applies(&self, context: &Context, action: Action) -> bool {
        self.action == action
            && self.initiator.is_none_or(|i| context.initiator == Some(i))
            && self.network.as_deref().is_none_or(|n| {
                context
                    .network
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(n))
            })
    }
}

/// `text` as a JSON string literal, quotes included.
pub(crate) fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

impl Inner {
    pub(crate) fn compile(set: MappingSet) -> Inner {
        let MappingSet { providers, tables } = set;
        let by_id = providers
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let providers = providers.into_iter().map(Provider::compile).collect();
        let adjustments = tables
            .iter()
            .flat_map(|t| t.adjustments.iter().cloned())
            .collect();
        let tables: Vec<DecisionTable> = tables.into_iter().map(DecisionTable::compile).collect();
        for t in &tables {
            tracing::debug!(table = %t.id, file = %t.file, rows = t.rows.len(), "loaded decision table");
        }
        Inner {
            providers,
            by_id,
            tables,
            adjustments,
        }
    }
}

impl Entry {
    fn compile(e: EntrySpec, network: Option<(usize, String)>) -> Self {
        Entry {
            id_json: json_string(&e.id),
            id: e.id,
            catalog: e.catalog,
            generic: e.generic,
            desc: e.desc,
            decline_type: e.decline_type,
            action: e.action,
            outcome: e.outcome,
            network,
        }
    }
}

impl Provider {
    fn compile(spec: ProviderSpec) -> Self {
        let rules: Vec<Rule> = spec
            .rules
            .into_iter()
            .map(|r| Rule {
                entry: Entry::compile(r.entry, None),
                conditions: r.conditions,
            })
            .collect();
        let mut firsts: FxHashMap<String, u8> = FxHashMap::default();
        for path in spec.fields.iter().flat_map(|f| &f.paths) {
            if let Some(key) = path.first_key() {
                let next = firsts.len();
                firsts.entry(key.to_string()).or_insert(next as u8);
            }
        }
        if firsts.len() > 64 {
            firsts.clear();
        }
        let bits_of = |path: &Pointer| -> u64 {
            match path.first_key().and_then(|key| firsts.get(key)) {
                Some(&bit) => 1 << bit,
                None => u64::MAX,
            }
        };
        let fields = spec
            .fields
            .into_iter()
            .enumerate()
            .map(|(fi, f)| {
                let qualified = format!("{}/{}", spec.id, f.name);
                let network = f.network_rules;
                Field {
                    list: f.is_list(),
                    name_json: json_string(&f.name),
                    qualified_json: json_string(&qualified),
                    qualified,
                    name: f.name,
                    path_bits: f.paths.iter().map(bits_of).collect(),
                    any_bits: f.paths.iter().map(bits_of).fold(0, |a, b| a | b),
                    paths: f.paths,
                    steps: f.steps,
                    table: f
                        .table
                        .into_iter()
                        .map(|(k, e)| {
                            let net = network.map(|t| (t, k.clone()));
                            (k, Entry::compile(e, net))
                        })
                        .collect(),
                    delegate: f.delegate,
                    single_field_rules: rules
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.conditions.iter().all(|(c, _)| *c == fi))
                        .map(|(ri, _)| ri)
                        .collect(),
                    advice: f.advice,
                    network_rules: network,
                }
            })
            .collect();
        let provider = Provider {
            id_json: json_string(&spec.id),
            id: spec.id,
            name: spec.name,
            sources: spec.sources,
            edition: spec.edition,
            file: spec.file,
            fallback: spec.fallback,
            fields,
            rules,
            messages: spec
                .messages
                .into_iter()
                .map(|m| Message {
                    entry: Entry::compile(m.entry, None),
                    field: m.field,
                    text: m.text,
                    conditions: m.conditions,
                })
                .collect(),
            firsts,
        };
        tracing::debug!(
            provider = %provider.id,
            file = %provider.file,
            entries = provider.entry_count(),
            "compiled mapping"
        );
        provider
    }

    pub(crate) fn entry_count(&self) -> usize {
        self.rules.len()
            + self.messages.len()
            + self.fields.iter().map(|f| f.table.len()).sum::<usize>()
    }
}
