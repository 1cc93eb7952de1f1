//! Phase 2: raw files → a validated mapping set, or every problem found in it.
//!
//! [`mapping`] validates one mapping file into a [`ProviderSpec`]`<`[`Named`]`>` (its
//! delegations and table references still names), [`decision`] one decision table file, and
//! `set` what only a whole set can tell: duplicate ids within a layer, overlays replacing
//! base files, and the links (delegation targets, decision tables) resolved to indices, with
//! cycles refused. What comes out, a [`MappingSet`], holds parsed pointers, compiled matchers,
//! `&'static` catalog entries and resolved indices: the engine compiles it without checking
//! anything again.

mod common;
pub mod decision;
pub mod mapping;
mod set;

use std::fmt;
use std::ops::Range;

pub use common::REGEX_SET_BUDGET;
pub use decision::{AdjustSpec, RowSpec, TableSpec};
pub use mapping::validate_file;
pub use set::{Layer, MAX_SET_BYTES, load_set};

use crate::catalog::CatalogEntry;
use crate::json::Pointer;
use crate::text::{Matcher, Step, TextMatch};
use crate::vocab::{Action, DeclineType, Outcome};

/// How far a spec's links are resolved: [`Named`] as written in one file, [`Linked`] once the
/// whole set is known.
pub trait Stage {
    /// A field's delegation target.
    type Delegate: fmt::Debug + Clone;
    /// A field's decision table reference.
    type Table: fmt::Debug + Clone;
}

/// Links as written: names with the span to point at.
#[derive(Debug, Clone)]
pub enum Named {}

impl Stage for Named {
    type Delegate = DelegateName;
    type Table = TableName;
}

/// Links resolved against the whole set.
#[derive(Debug, Clone)]
pub enum Linked {}

impl Stage for Linked {
    type Delegate = FieldRef;
    type Table = usize;
}

/// `delegate = { provider, field }` as written.
#[derive(Debug, Clone)]
pub struct DelegateName {
    pub provider: String,
    pub field: String,
    pub(crate) span: Range<usize>,
}

/// `advice = "..."` or `network_rules = "..."` as written.
#[derive(Debug, Clone)]
pub struct TableName {
    pub id: String,
    pub(crate) span: Range<usize>,
}

/// A field of a provider of the set: (provider index, field index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldRef {
    pub provider: usize,
    pub field: usize,
}

/// A validated provider mapping.
#[derive(Debug, Clone)]
pub struct ProviderSpec<S: Stage = Linked> {
    /// The file it came from (name as in diagnostics).
    pub file: String,
    pub id: String,
    pub name: String,
    pub sources: Vec<String>,
    pub edition: String,
    /// Catalog entry used when nothing matches.
    pub fallback: &'static CatalogEntry,
    /// Fields in declaration (= precedence) order.
    pub fields: Vec<FieldSpec<S>>,
    /// Rules in file order.
    pub rules: Vec<RuleSpec>,
    /// `[[message]]` entries in file order: tried after every code-based candidate.
    pub messages: Vec<MessageSpec>,
    pub(crate) id_span: Range<usize>,
}

/// A validated `[[message]]` entry.
#[derive(Debug, Clone)]
pub struct MessageSpec {
    pub entry: EntrySpec,
    /// The text field it reads.
    pub field: usize,
    pub text: TextMatch,
    /// Further conditions on other fields (field index, matcher).
    pub conditions: Vec<(usize, Matcher)>,
}

/// A validated field.
#[derive(Debug, Clone)]
pub struct FieldSpec<S: Stage = Linked> {
    pub name: String,
    /// JSON pointers, tried in order.
    pub paths: Vec<Pointer>,
    pub steps: Vec<Step>,
    pub delegate: Option<S::Delegate>,
    /// Decision table this field's value is advice for (`advice = "..."`).
    pub advice: Option<S::Table>,
    /// Decision table of network rules keyed by this field's entries (`network_rules`).
    pub network_rules: Option<S::Table>,
    /// The `[values.<field>]` table, sorted by key.
    pub table: Vec<(String, EntrySpec)>,
}

impl<S: Stage> FieldSpec<S> {
    /// A list field: a path has a `*`, so the field can have several values.
    pub fn is_list(&self) -> bool {
        self.paths.iter().any(Pointer::is_wild)
    }
}

/// The decision an entry or rule makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySpec {
    /// Stable id: `provider/field/key` or `provider/rule/id`.
    pub id: String,
    pub catalog: &'static CatalogEntry,
    pub desc: String,
    pub generic: bool,
    pub note: Option<String>,
    /// Override of the catalog's default decline type (layer 3).
    pub decline_type: Option<DeclineType>,
    /// Override of the catalog's default action (layer 3).
    pub action: Option<Action>,
    /// Override of the catalog's default outcome.
    pub outcome: Option<Outcome>,
}

impl EntrySpec {
    /// The catalog code.
    pub fn code(&self) -> u32 {
        self.catalog.code
    }
}

/// A validated rule: all conditions must hold.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub entry: EntrySpec,
    /// (field index, matcher), sorted by field index.
    pub conditions: Vec<(usize, Matcher)>,
}

/// A validated mapping set: providers and the decision tables they use, links resolved.
#[derive(Debug, Clone)]
pub struct MappingSet {
    pub providers: Vec<ProviderSpec>,
    pub tables: Vec<TableSpec>,
}
