//! A decision table file as serde reads it (`decisions/*.toml`; format in
//! `docs/decisions.md`): a head, optional row classes, rows keyed by raw value, and optional
//! context adjustments.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::mapping::RawStep;
use crate::vocab::{Action, DeclineType, Initiator};

/// A whole decision table file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTableFile {
    pub table: RawTableHead,
    #[serde(default)]
    pub classes: BTreeMap<String, RawRow>,
    #[serde(default)]
    pub values: BTreeMap<Spanned<String>, Spanned<RawRow>>,
    /// `[[adjust]]`: context adjustments, in file order.
    #[serde(default)]
    pub adjust: Vec<Spanned<RawAdjust>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTableHead {
    pub id: Spanned<String>,
    pub name: String,
    pub sources: Vec<String>,
    pub edition: String,
    pub network: Option<String>,
    #[serde(default)]
    pub normalize: Vec<Spanned<RawStep>>,
}

/// A row, or a class rows can name.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawRow {
    pub class: Option<Spanned<String>>,
    pub decline_type: Option<DeclineType>,
    pub action: Option<Action>,
    pub retry_after_seconds: Option<u64>,
    #[serde(default)]
    pub by_response_code: BTreeMap<String, Action>,
    pub desc: Option<String>,
    /// Documentation for people reading the file.
    pub note: Option<String>,
}

/// A context adjustment: when the call's context matches and the decided action is
/// `action`, it `becomes` another, and the record says `why`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAdjust {
    pub id: Spanned<String>,
    pub when: RawContextMatch,
    pub action: Action,
    pub becomes: Action,
    pub why: String,
}

/// Conditions on the call's context; every one given must hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContextMatch {
    pub initiator: Option<Initiator>,
    pub network: Option<String>,
}
