//! One raw decision table file → a [`TableSpec`], or every problem found in it.

use std::collections::HashMap;

use super::common::{Problems, REGEX_SET_BUDGET, RegexBudget};
use crate::diagnostic::{DiagCode, Diagnostic, SourceFile};
use crate::format::decision::{RawAdjust, RawRow, RawTableFile};
use crate::format::{self};
use crate::text::Step;
use crate::vocab::{Action, DeclineType, Initiator};

/// One row of a decision table, its class resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowSpec {
    pub key: String,
    pub decline_type: Option<DeclineType>,
    pub action: Option<Action>,
    pub retry_after_seconds: Option<u64>,
    /// Response code → action, for the payment's network response code.
    pub by_response_code: HashMap<String, Action>,
    pub desc: String,
}

/// A context adjustment (`[[adjust]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustSpec {
    /// `<table id>/<adjust id>`.
    pub id: String,
    /// Applies only to payments started by this initiator (any, when `None`).
    pub initiator: Option<Initiator>,
    /// Applies only to payments on this network, lowercase (any, when `None`).
    pub network: Option<String>,
    pub action: Action,
    pub becomes: Action,
    pub why: String,
}

/// A validated decision table.
#[derive(Debug, Clone)]
pub struct TableSpec {
    pub id: String,
    pub name: String,
    pub sources: Vec<String>,
    pub edition: String,
    /// Applies only to this network, lowercase (when the context names one).
    pub network: Option<String>,
    pub file: String,
    pub steps: Vec<Step>,
    pub rows: Vec<RowSpec>,
    pub adjustments: Vec<AdjustSpec>,
    pub(crate) id_span: std::ops::Range<usize>,
}

/// Validates one decision table file (with a regex budget of its own).
pub fn validate_table(file: &SourceFile) -> Result<TableSpec, Vec<Diagnostic>> {
    validate_table_in(file, &RegexBudget::new(REGEX_SET_BUDGET))
}

/// Validates one decision table file of a set, its regexes charged to the set's `budget`.
pub(crate) fn validate_table_in(
    file: &SourceFile,
    budget: &RegexBudget,
) -> Result<TableSpec, Vec<Diagnostic>> {
    let raw: RawTableFile = format::parse(file).map_err(|d| vec![d])?;
    let mut v = Problems::new(&file.name, budget);
    let head = raw.table;
    let id = head.id.get_ref().clone();
    let steps = v.steps(&head.normalize);
    let mut rows = Vec::with_capacity(raw.values.len());
    for (key, row) in raw.values {
        let span = row.span();
        let Some(row) = resolve_class(&mut v, row.into_inner(), &raw.classes) else {
            continue;
        };
        let Some(desc) = row.desc else {
            v.at(
                DiagCode::InvalidValue,
                span,
                format!(
                    "row {:?} has no `desc` (neither its own nor its class's)",
                    key.get_ref()
                ),
            );
            continue;
        };
        let owner = format!("table `{id}`");
        if !v.check_normalized(&steps, &owner, key.get_ref(), key.span(), "row key") {
            continue;
        }
        rows.push(RowSpec {
            key: key.into_inner(),
            decline_type: row.decline_type,
            action: row.action,
            retry_after_seconds: row.retry_after_seconds,
            by_response_code: row.by_response_code.into_iter().collect(),
            desc,
        });
    }
    let adjustments = raw
        .adjust
        .into_iter()
        .map(|a| adjustment(&id, a.into_inner()))
        .collect();
    v.finish(|| TableSpec {
        id,
        name: head.name,
        sources: head.sources,
        edition: head.edition,
        network: head.network.map(|n| n.to_lowercase()),
        file: file.name.clone(),
        steps,
        rows,
        adjustments,
        id_span: head.id.span(),
    })
}

/// A row with its class's settings filled in; `None` (and a problem) for an unknown class.
fn resolve_class(
    v: &mut Problems,
    mut row: RawRow,
    classes: &std::collections::BTreeMap<String, RawRow>,
) -> Option<RawRow> {
    let Some(class) = row.class.take() else {
        return Some(row);
    };
    match classes.get(class.get_ref()) {
        Some(c) => {
            row.decline_type = row.decline_type.or(c.decline_type);
            row.action = row.action.or(c.action);
            row.retry_after_seconds = row.retry_after_seconds.or(c.retry_after_seconds);
            row.desc = row.desc.or_else(|| c.desc.clone());
            Some(row)
        }
        None => {
            v.at(
                DiagCode::UndeclaredField,
                class.span(),
                format!(
                    "row names class `{}`, which no `[classes.*]` declares",
                    class.get_ref()
                ),
            )
            .help = Some(format!(
                "declared classes: {}",
                classes.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
            None
        }
    }
}

fn adjustment(table: &str, a: RawAdjust) -> AdjustSpec {
    AdjustSpec {
        id: format!("{table}/{}", a.id.get_ref()),
        initiator: a.when.initiator,
        network: a.when.network.map(|n| n.to_lowercase()),
        action: a.action,
        becomes: a.becomes,
        why: a.why,
    }
}
