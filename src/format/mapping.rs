//! A provider mapping file as serde reads it (`mappings/*.toml`; format in
//! `docs/mapping-format.md`).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::vocab::{Action, DeclineType, Outcome};

/// A whole mapping file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub provider: RawProvider,
    #[serde(default)]
    pub field: Vec<RawField>,
    #[serde(default)]
    pub rule: Vec<RawRule>,
    /// `[[message]]`: entries on free text, tried after every code-based entry.
    #[serde(default)]
    pub message: Vec<RawMessage>,
    /// `[values.<field>]`: field name → raw value → entry.
    #[serde(default)]
    pub values: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<RawEntry>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvider {
    pub id: Spanned<String>,
    pub name: String,
    pub sources: Spanned<Vec<String>>,
    pub edition: String,
    pub fallback: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub name: Spanned<String>,
    pub paths: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub normalize: Vec<Spanned<RawStep>>,
    pub delegate: Option<Spanned<RawDelegate>>,
    /// A decision table this field's value is advice for (layer 1).
    pub advice: Option<Spanned<String>>,
    /// A decision table of network rules keyed by this field's entries (layer 2).
    pub network_rules: Option<Spanned<String>>,
}

/// One normalization step: a bare name or a one-key table.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawStep {
    Named(String),
    PadLeft(RawPadLeft),
    Capture(RawCapture),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPadLeft {
    pub pad_left: usize,
    pub fill: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapture {
    pub capture: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDelegate {
    pub provider: String,
    pub field: String,
}

/// The decision part shared by table entries and rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    pub code: Spanned<i64>,
    pub desc: String,
    #[serde(default)]
    pub generic: bool,
    pub note: Option<String>,
    pub decline_type: Option<DeclineType>,
    pub action: Option<Action>,
    pub outcome: Option<Spanned<Outcome>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: Spanned<String>,
    pub when: Spanned<BTreeMap<Spanned<String>, Spanned<RawMatcher>>>,
    pub code: Spanned<i64>,
    pub desc: String,
    #[serde(default)]
    pub generic: bool,
    pub note: Option<String>,
    pub decline_type: Option<DeclineType>,
    pub action: Option<Action>,
    pub outcome: Option<Spanned<Outcome>>,
}

/// An entry on a free-text field (an error message), for answers that carry no code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMessage {
    pub id: Spanned<String>,
    /// The text field searched.
    pub field: Spanned<String>,
    /// The text contains this (case and white space ignored).
    pub contains: Option<Spanned<String>>,
    /// The text has every one of these words (case ignored, any order).
    pub words: Option<Spanned<Vec<String>>>,
    /// The text, lowercased with white space collapsed, matches this regex.
    pub regex: Option<Spanned<String>>,
    /// Further conditions on other fields, as in a rule.
    pub when: Option<Spanned<BTreeMap<Spanned<String>, Spanned<RawMatcher>>>>,
    pub code: Spanned<i64>,
    /// The provider's text this entry was written from (the evidence).
    pub desc: String,
    pub note: Option<String>,
    pub decline_type: Option<DeclineType>,
    pub action: Option<Action>,
    pub outcome: Option<Spanned<Outcome>>,
}

/// A condition on one field's value.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawMatcher {
    Exact(String),
    OneOf(RawOneOf),
    Prefix(RawPrefix),
    Regex(RawRegex),
    Range(RawRange),
    Present(RawPresent),
    Not(RawNot),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPresent {
    pub present: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNot {
    pub not: Box<RawMatcher>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOneOf {
    pub one_of: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrefix {
    pub prefix: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegex {
    pub regex: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    pub range: [i64; 2],
}
