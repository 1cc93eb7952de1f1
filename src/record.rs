//! The output record: the one owner of its keys and their order.
//!
//! [`Record`] is the record as a serde struct (the library, `normalize`, `paynorm test`);
//! `write_record` writes the same bytes for the batch path without building it, from parts
//! serialized once (the catalog texts per code and language, the compiled mappings' ids).
//! `tests/batch.rs` checks the two agree byte for byte.

use std::sync::LazyLock;

use serde::Serialize;

use crate::catalog::{self, Category, Lang};
use crate::engine::{Normalized, RawFields, Resolved};
use crate::vocab::{Action, DeclineType, Outcome};

impl<'a> Normalized<'a> {
    /// The JSON record, with texts in `lang`.
    pub fn record(&self, lang: Lang) -> Record<'_, 'a> {
        Record {
            code: self.code,
            category: self.category,
            message: self.message(lang),
            customer_message: self.customer_message(lang),
            outcome: self.outcome,
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
    pub outcome: Outcome,
    pub decline_type: Option<DeclineType>,
    pub action: Action,
    pub retry_after_seconds: Option<u64>,
    pub provider: &'a str,
    pub rule: Option<&'a str>,
    pub via: Option<&'a str>,
    pub raw: &'a RawFields<'e>,
}

/// `"code":N,"category":"..","message":"..","customer_message":"..",` of every catalog entry,
/// in English and Chinese: the start of a record, serialized once for the batch writer.
static RECORD_HEADS: LazyLock<Vec<[String; 2]>> = LazyLock::new(|| {
    catalog::entries()
        .iter()
        .map(|e| {
            [Lang::En, Lang::Zh].map(|lang| {
                let json = |text: &str| serde_json::to_string(text).expect("strings serialize");
                format!(
                    "\"code\":{},\"category\":{},\"message\":{},\"customer_message\":{},",
                    e.code,
                    json(e.category.as_str()),
                    json(e.text(lang)),
                    json(e.customer_text(lang)),
                )
            })
        })
        .collect()
});

/// The serialized start of a record for `code` in `lang` (see `RECORD_HEADS`).
fn record_head(code: u32, lang: Lang) -> &'static str {
    let i = catalog::index_of(code).expect("codes come from the catalog");
    &RECORD_HEADS[i][lang as usize]
}

/// Writes the record of `outcome` as one JSON object, byte for byte what serializing
/// [`Normalized::record`] (with `id` first when given) produces, without building it: the
/// constant parts come pre-serialized from the catalog and the compiled mappings.
pub(crate) fn write_record(
    outcome: &Resolved<'_, '_>,
    id: Option<&crate::json::Json<'_>>,
    lang: Lang,
    out: &mut Vec<u8>,
) {
    out.push(b'{');
    if let Some(id) = id {
        out.extend_from_slice(b"\"id\":");
        id.write_to(out);
        out.push(b',');
    }
    out.extend_from_slice(record_head(outcome.entry.code, lang).as_bytes());
    let d = &outcome.decision;
    out.extend_from_slice(b"\"outcome\":\"");
    out.extend_from_slice(d.outcome.as_str().as_bytes());
    out.extend_from_slice(b"\",");
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
    for (fi, field) in outcome.provider.fields.iter().enumerate() {
        if field.list {
            let mut texts = outcome.raw.of(fi).peekable();
            if texts.peek().is_none() {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(field.name_json.as_bytes());
            out.extend_from_slice(b":[");
            for (i, text) in texts.enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                crate::json::write_str(out, text);
            }
            out.push(b']');
            continue;
        }
        let Some(text) = &outcome.raw.first[fi] else {
            continue;
        };
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(field.name_json.as_bytes());
        out.push(b':');
        crate::json::write_str(out, text);
    }
    out.extend_from_slice(b"}}");
}
