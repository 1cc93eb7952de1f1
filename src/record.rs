//! The result of a normalization, and its JSON record.
//!
//! [`Normalized`] is language-free data borrowed from the engine; [`Normalized::record`]
//! chooses the texts for a language when the record is written.

use std::fmt;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::catalog::{self, CatalogEntry, Category, Lang};
use crate::decision::{Action, DeclineType};

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
    /// Hard or soft; `None` for approvals.
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
    pub context_adjustment: Option<&'static str>,
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
        }
    }
}

impl Serialize for DecisionSource<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'a> Normalized<'a> {
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

    /// The JSON record, with texts in `lang`.
    pub fn record(&self, lang: Lang) -> Record<'_, 'a> {
        Record {
            code: self.code,
            category: self.category,
            message: self.message(lang),
            customer_message: self.customer_message(lang),
            decline_type: self.decline_type,
            action: self.action,
            retry_after_seconds: self.retry_after_seconds,
            provider: self.provider,
            rule: self.rule,
            via: self.via,
            raw: &self.raw,
        }
    }
}

/// The output record of one normalized response (see README, *Output record*).
#[derive(Debug, Clone, Serialize)]
pub struct Record<'a, 'e> {
    pub code: u32,
    pub category: Category,
    pub message: &'a str,
    pub customer_message: &'a str,
    pub decline_type: Option<DeclineType>,
    pub action: Action,
    pub retry_after_seconds: Option<u64>,
    pub provider: &'a str,
    pub rule: Option<&'a str>,
    pub via: Option<&'a str>,
    pub raw: &'a RawFields<'e>,
}

/// Field name → text read, in field order; serializes as a JSON object. The texts share one
/// buffer, so a result costs one allocation for all of them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawFields<'a> {
    text: String,
    fields: Vec<(&'a str, std::ops::Range<usize>)>,
}

impl<'a> RawFields<'a> {
    pub(crate) fn with_capacity(fields: usize, bytes: usize) -> Self {
        RawFields {
            text: String::with_capacity(bytes),
            fields: Vec::with_capacity(fields),
        }
    }

    pub(crate) fn push(&mut self, field: &'a str, value: &str) {
        let start = self.text.len();
        self.text.push_str(value);
        self.fields.push((field, start..self.text.len()));
    }

    /// The text read for `field`, if it was present.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == field).map(|(_, v)| v)
    }

    /// (field, text) pairs in field order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &str)> + '_ {
        self.fields.iter().map(|(k, r)| (*k, &self.text[r.clone()]))
    }

    /// Number of fields present.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when no field was present.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

impl Serialize for RawFields<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Writes the record of `outcome` as one JSON object, byte for byte what serializing
/// [`Normalized::record`] (with `id` first when given) produces, without building it: the
/// constant parts come pre-serialized from the catalog and the compiled mappings.
pub(crate) fn write_record(
    outcome: &crate::engine::Outcome<'_, '_>,
    id: Option<&serde_json::Value>,
    lang: Lang,
    out: &mut Vec<u8>,
) {
    out.push(b'{');
    if let Some(id) = id {
        out.extend_from_slice(b"\"id\":");
        serde_json::to_writer(&mut *out, id).expect("writing to a Vec cannot fail");
        out.push(b',');
    }
    out.extend_from_slice(catalog::record_head(outcome.entry.code, lang).as_bytes());
    let d = &outcome.decision;
    out.extend_from_slice(match d.decline_type {
        None => b"\"decline_type\":null,\"action\":\"".as_slice(),
        Some(DeclineType::Hard) => b"\"decline_type\":\"hard\",\"action\":\"",
        Some(DeclineType::Soft) => b"\"decline_type\":\"soft\",\"action\":\"",
    });
    out.extend_from_slice(d.action.as_str().as_bytes());
    out.extend_from_slice(b"\",\"retry_after_seconds\":");
    match d.retry_after_seconds {
        Some(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"provider\":");
    out.extend_from_slice(outcome.provider.id_json.as_bytes());
    out.extend_from_slice(b",\"rule\":");
    match outcome.hit {
        Some(h) => out.extend_from_slice(h.entry.id_json.as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"via\":");
    match outcome.hit.and_then(|h| h.via) {
        Some(f) => out.extend_from_slice(f.qualified_json.as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"raw\":{");
    let mut first = true;
    for (field, text) in outcome.provider.fields.iter().zip(&outcome.raw) {
        let Some(text) = text else { continue };
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(field.name_json.as_bytes());
        out.push(b':');
        serde_json::to_writer(&mut *out, text.as_ref()).expect("writing to a Vec cannot fail");
    }
    out.extend_from_slice(b"}}");
}
