//! The engine's result: the catalog code, the entry that decided, the raw texts read, the
//! decision and where each part of it came from. Language-free; `crate::record` turns it into
//! the output record.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::ser::SerializeMap;
use smallvec::SmallVec;

use super::compiled::{Entry, Field, Provider};
use crate::catalog::{self, CatalogEntry, Category, Lang};
use crate::vocab::{Action, DeclineType, Outcome};

/// The result of normalizing one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized<'a> {
    /// The catalog code.
    pub code: u32,
    /// Its category.
    pub category: Category,
    /// The provider id the response was read as.
    pub provider: &'a str,
    /// Stable id of the entry that decided; `None` when the fallback decided.
    pub rule: Option<&'a str>,
    /// `provider/field` that delegated to the deciding entry, if a delegation decided.
    pub via: Option<&'a str>,
    /// Every field the mapping read that was present, as text (before normalization), in
    /// field order.
    pub raw: RawFields<'a>,
    /// What happened: approved, declined, error, pending or unknown.
    pub outcome: Outcome,
    /// Hard or soft; `None` unless the outcome is `declined` or `error`.
    pub decline_type: Option<DeclineType>,
    /// What to do next.
    pub action: Action,
    /// The delay the response's own advice asks for, when it gives one.
    pub retry_after_seconds: Option<u64>,
    /// Where `decline_type` came from.
    pub decline_type_source: DecisionSource<'a>,
    /// Where `action` came from.
    pub action_source: DecisionSource<'a>,
    /// Set when the call's context changed the action (`initiator = merchant`).
    pub context_adjustment: Option<&'a str>,
}

/// Which layer of `docs/decisions.md` decided a part of the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionSource<'a> {
    /// `100000`: approvals need no decision.
    Approval,
    /// Layer 1: the response's own advice.
    Advice {
        table: &'a str,
        field: &'a str,
        key: &'a str,
    },
    /// Layer 2: the network's rule for the response code.
    Network { table: &'a str, key: &'a str },
    /// Layer 3: the deciding entry's override.
    Entry(&'a str),
    /// Layer 4: the catalog code's default.
    Catalog(u32),
    /// No decline type: the outcome is not a refusal (pending, unknown).
    Outcome(Outcome),
}

impl fmt::Display for DecisionSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecisionSource::Approval => write!(f, "approval"),
            DecisionSource::Advice { table, field, key } => {
                write!(f, "advice {table}/{key} (read from {field})")
            }
            DecisionSource::Network { table, key } => write!(f, "network rule {table}/{key}"),
            DecisionSource::Entry(id) => write!(f, "entry override {id}"),
            DecisionSource::Catalog(code) => write!(f, "catalog default of {code}"),
            DecisionSource::Outcome(o) => write!(f, "outcome {}", o.as_str()),
        }
    }
}

impl Serialize for DecisionSource<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Normalized<'_> {
    /// The catalog entry of [`Normalized::code`].
    pub fn entry(&self) -> &'static CatalogEntry {
        catalog::lookup(self.code).expect("codes come from the catalog")
    }

    /// The catalog text of the code in `lang`.
    pub fn message(&self, lang: Lang) -> &'static str {
        self.entry().text(lang)
    }

    /// Text safe to show the shopper, in `lang`.
    pub fn customer_message(&self, lang: Lang) -> &'static str {
        self.entry().customer_text(lang)
    }
}

/// Field name → text read, in field order; serializes as a JSON object, a list field's
/// texts as an array. The texts share one buffer, so a result costs one allocation for all
/// of them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawFields<'a> {
    text: String,
    /// (field, range of its text, whether the field is a list field); a list field's values
    /// are consecutive.
    fields: Vec<(&'a str, std::ops::Range<usize>, bool)>,
}

impl<'a> RawFields<'a> {
    pub(crate) fn with_capacity(fields: usize, bytes: usize) -> Self {
        RawFields {
            text: String::with_capacity(bytes),
            fields: Vec::with_capacity(fields),
        }
    }

    pub(crate) fn push(&mut self, field: &'a str, value: &str, list: bool) {
        let start = self.text.len();
        self.text.push_str(value);
        self.fields.push((field, start..self.text.len(), list));
    }

    /// The (first) text read for `field`, if it was present.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == field).map(|(_, v)| v)
    }

    /// Every text read for `field`: one, or a list field's several, in document order.
    pub fn get_all<'s>(&'s self, field: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.iter()
            .filter(move |(k, _)| *k == field)
            .map(|(_, v)| v)
    }

    /// Whether `field` is a list field (its raw value serializes as an array).
    pub fn is_list(&self, field: &str) -> bool {
        self.fields.iter().any(|(k, _, list)| *k == field && *list)
    }

    /// (field, text) pairs in field order; a list field once per value.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &str)> + '_ {
        self.fields
            .iter()
            .map(|(k, r, _)| (*k, &self.text[r.clone()]))
    }

    /// Number of fields present.
    pub fn len(&self) -> usize {
        self.groups().count()
    }

    /// True when no field was present.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// (field, list?, its entries), one per field.
    fn groups(&self) -> impl Iterator<Item = &[(&'a str, std::ops::Range<usize>, bool)]> {
        self.fields.chunk_by(|a, b| a.0 == b.0)
    }
}

impl Serialize for RawFields<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for group in self.groups() {
            let (name, _, list) = &group[0];
            if *list {
                let texts: Vec<&str> = group
                    .iter()
                    .map(|(_, r, _)| &self.text[r.clone()])
                    .collect();
                map.serialize_entry(name, &texts)?;
            } else {
                map.serialize_entry(name, &self.text[group[0].1.clone()])?;
            }
        }
        map.end()
    }
}

/// A candidate that matched: the entry and, for delegation, the delegating field.
#[derive(Clone, Copy)]
pub(crate) struct Hit<'e> {
    pub(crate) entry: &'e Entry,
    /// The delegating field, when a delegation decided.
    pub(crate) via: Option<&'e Field>,
}

/// Per-field texts, in field order (a field without a value is `None`).
pub(crate) type FieldTexts<'v> = SmallVec<[Option<Cow<'v, str>>; 8]>;

/// The texts of every field: the first per field, and the further values of list fields
/// (`*` paths) as (field index, text) in document order.
#[derive(Default)]
pub(crate) struct Texts<'v> {
    pub(crate) first: FieldTexts<'v>,
    pub(crate) more: Vec<(usize, Cow<'v, str>)>,
}

impl<'v> Texts<'v> {
    /// Every value of field `fi`, in document order.
    #[inline]
    pub(crate) fn of(&self, fi: usize) -> impl Iterator<Item = &str> + Clone {
        // Only list fields have further values; the common case skips the scan.
        let more: &[(usize, Cow<'v, str>)] = if self.more.is_empty() {
            &[]
        } else {
            &self.more
        };
        self.first[fi].as_deref().into_iter().chain(
            more.iter()
                .filter(move |(f, _)| *f == fi)
                .map(|(_, t)| t.as_ref()),
        )
    }
}

/// The decision part of a result (docs/decisions.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision<'e> {
    pub(crate) outcome: Outcome,
    pub(crate) decline_type: Option<DeclineType>,
    pub(crate) action: Action,
    pub(crate) retry_after_seconds: Option<u64>,
    pub(crate) decline_type_source: DecisionSource<'e>,
    pub(crate) action_source: DecisionSource<'e>,
    pub(crate) context_adjustment: Option<&'e str>,
}

/// A result whose raw texts are still borrowed from the response: what the batch writer
/// serializes directly, and what [`Normalized`] is made from.
pub(crate) struct Resolved<'e, 'v> {
    pub(crate) provider: &'e Provider,
    pub(crate) entry: &'static CatalogEntry,
    pub(crate) hit: Option<Hit<'e>>,
    pub(crate) raw: Texts<'v>,
    pub(crate) decision: Decision<'e>,
}

impl<'e> Resolved<'e, '_> {
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
                let present = self
                    .raw
                    .first
                    .iter()
                    .flatten()
                    .chain(self.raw.more.iter().map(|m| &m.1));
                let (count, bytes) = present.fold((0, 0), |(n, b), r| (n + 1, b + r.len()));
                let mut raw = RawFields::with_capacity(count, bytes);
                for (fi, f) in self.provider.fields.iter().enumerate() {
                    for r in self.raw.of(fi) {
                        raw.push(&f.name, r, f.list);
                    }
                }
                raw
            },
            outcome: d.outcome,
            decline_type: d.decline_type,
            action: d.action,
            retry_after_seconds: d.retry_after_seconds,
            decline_type_source: d.decline_type_source,
            action_source: d.action_source,
            context_adjustment: d.context_adjustment,
        }
    }
}
