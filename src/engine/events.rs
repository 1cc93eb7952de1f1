//! What the engine reports while it works: how each field was read, each step of the walk
//! with its status, which step decided. The hot path passes `()`, which records nothing and
//! costs nothing; [`Trace`] records everything, and `crate::explain` renders it.

use serde::Serialize;

use super::compiled::Entry;

/// How one field was read.
#[derive(Debug, Clone, Serialize)]
pub struct FieldRead {
    pub field: String,
    /// The pointer that gave the value (`None`: no path gave a scalar).
    pub pointer: Option<String>,
    /// Text read, before normalization.
    pub raw: Option<String>,
    /// After normalization.
    pub value: Option<String>,
    /// Why there is no value, when a path held something that is not a usable scalar.
    pub note: Option<String>,
}

/// Where a step looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A `[[rule]]` of the provider.
    Rule,
    /// A field's `[values.*]` table.
    Table,
    /// A field's value looked up in the field it delegates to.
    Delegation,
    /// A `[[message]]` entry on a free text, tried after every code.
    Message,
}

impl StepKind {
    /// `rule`, `table`, `delegation` or `message`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Rule => "rule",
            StepKind::Table => "table",
            StepKind::Delegation => "delegation",
            StepKind::Message => "message",
        }
    }
}

/// What happened at one step of the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// This step's entry decided.
    Decided,
    /// A generic entry matched but another entry decided.
    PassedOver,
    /// Matched (only while the walk is still going).
    Matched,
    /// Nothing matched here.
    NoMatch,
    /// The field had no value.
    NoValue,
}

/// One step the engine tried, in order.
#[derive(Debug, Clone, Serialize)]
pub struct TraceStep {
    pub kind: StepKind,
    /// The rule id, or the `provider/field` looked in.
    pub target: String,
    /// The (normalized) value looked up.
    pub value: Option<String>,
    #[serde(rename = "outcome")]
    pub status: StepStatus,
    /// The entry that matched.
    pub entry: Option<String>,
    /// Whether that entry is generic.
    pub generic: bool,
    /// The entry's code.
    pub code: Option<u32>,
    /// The provider's description of the matched entry, or why nothing matched.
    pub why: String,
}

impl TraceStep {
    pub(crate) fn matched(
        kind: StepKind,
        target: &str,
        value: Option<&str>,
        entry: &Entry,
        why: &str,
    ) -> Self {
        TraceStep {
            kind,
            target: target.to_string(),
            value: value.map(str::to_string),
            status: StepStatus::Matched,
            entry: Some(entry.id.clone()),
            generic: entry.generic,
            code: Some(entry.catalog.code),
            why: format!("{why}: {:?}", entry.desc),
        }
    }

    pub(crate) fn no_match(kind: StepKind, target: &str, value: Option<&str>, why: String) -> Self {
        TraceStep {
            kind,
            target: target.to_string(),
            value: value.map(str::to_string),
            status: StepStatus::NoMatch,
            entry: None,
            generic: false,
            code: None,
            why,
        }
    }

    pub(crate) fn no_value(target: &str) -> Self {
        TraceStep {
            kind: StepKind::Table,
            target: target.to_string(),
            value: None,
            status: StepStatus::NoValue,
            entry: None,
            generic: false,
            code: None,
            why: "the field has no value".into(),
        }
    }
}

/// Receives what the engine reports. Every method takes a closure, so an observer that
/// records nothing builds nothing.
pub(crate) trait Observer {
    /// Whether anything is recorded: the hot path skips the bookkeeping a trace needs.
    const RECORDS: bool;
    /// A field was read.
    fn field(&mut self, make: impl FnOnce() -> FieldRead);
    /// A step was tried; returns its position, which [`Observer::decided`] refers to.
    fn step(&mut self, make: impl FnOnce() -> TraceStep) -> usize;
    /// The walk is over: the step at `position` decided (`None`: the fallback).
    fn decided(&mut self, position: Option<usize>);
}

impl Observer for () {
    const RECORDS: bool = false;
    #[inline(always)]
    fn field(&mut self, _: impl FnOnce() -> FieldRead) {}
    #[inline(always)]
    fn step(&mut self, _: impl FnOnce() -> TraceStep) -> usize {
        0
    }
    #[inline(always)]
    fn decided(&mut self, _: Option<usize>) {}
}

/// Everything the engine reported about one normalization.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub fields: Vec<FieldRead>,
    pub steps: Vec<TraceStep>,
}

impl Observer for Trace {
    const RECORDS: bool = true;
    fn field(&mut self, make: impl FnOnce() -> FieldRead) {
        self.fields.push(make());
    }

    fn step(&mut self, make: impl FnOnce() -> TraceStep) -> usize {
        self.steps.push(make());
        self.steps.len() - 1
    }

    fn decided(&mut self, position: Option<usize>) {
        for (i, s) in self.steps.iter_mut().enumerate() {
            if s.status == StepStatus::Matched {
                s.status = if Some(i) == position {
                    StepStatus::Decided
                } else {
                    StepStatus::PassedOver
                };
            }
        }
    }
}
