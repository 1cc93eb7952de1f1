//! Decisions: what the caller should do next (decline type, action, retry delay).
//!
//! Decision tables (`decisions/*.toml`, embedded) hold network rules and provider advice as
//! data: Visa decline categories, Mastercard merchant advice codes, Stripe advice codes. This
//! module reads and validates them; the engine links them to mapping fields (`advice`,
//! `network_rules`) and resolves a decision in the order documented in `docs/decisions.md`:
//! response advice, network rule, entry override, catalog default.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostic::{DiagCode, Diagnostic, SourceFile};
use crate::mapping::raw::RawStep;
use crate::steps::{self, Step};

/// The decision tables shipped with paynorm (`decisions/*.toml`, embedded by `build.rs`).
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_decisions.rs"));

/// Hard: will not succeed as it is. Soft: may succeed later or once fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineType {
    Hard,
    Soft,
}

impl DeclineType {
    /// The lowercase word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            DeclineType::Hard => "hard",
            DeclineType::Soft => "soft",
        }
    }
}

/// What the caller should do next. See `docs/decisions.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Approved: nothing to do.
    None,
    /// Retry later with the same credentials.
    RetryLater,
    /// Never retry with the same credentials.
    DoNotRetry,
    /// Retry only once the payment data changed.
    UpdatePaymentData,
    /// Retry with cardholder authentication.
    Authenticate,
    /// Ask the customer for another method.
    UseAnotherMethod,
    /// The request itself is wrong: fix it first.
    FixRequest,
}

impl Action {
    /// The snake_case word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::None => "none",
            Action::RetryLater => "retry_later",
            Action::DoNotRetry => "do_not_retry",
            Action::UpdatePaymentData => "update_payment_data",
            Action::Authenticate => "authenticate",
            Action::UseAnotherMethod => "use_another_method",
            Action::FixRequest => "fix_request",
        }
    }
}

/// Who started the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Initiator {
    /// The cardholder is present (checkout).
    Customer,
    /// The merchant charges a stored credential (recurring, unscheduled).
    Merchant,
}

/// Optional per-call facts that change the action, never the code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// Who started the payment.
    pub initiator: Option<Initiator>,
    /// The card network, lowercase (`visa`, `mastercard`, ...).
    pub network: Option<String>,
}

/// One row of a decision table, classes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub key: String,
    pub decline_type: Option<DeclineType>,
    pub action: Option<Action>,
    pub retry_after_seconds: Option<u64>,
    /// Response code → action, for the payment's network response code.
    pub by_response_code: HashMap<String, Action>,
    pub desc: String,
}

/// A validated decision table.
#[derive(Debug, Clone)]
pub struct DecisionTable {
    pub id: String,
    pub name: String,
    pub sources: Vec<String>,
    pub edition: String,
    /// Applies only to this network (when the context names one).
    pub network: Option<String>,
    pub file: String,
    pub(crate) steps: Vec<Step>,
    pub(crate) rows: HashMap<String, DecisionRow>,
}

impl DecisionTable {
    /// The row for a raw value, after the table's normalization.
    pub fn lookup(&self, value: &str) -> Option<&DecisionRow> {
        let key = steps::apply(&self.steps, value)?;
        self.rows.get(key.as_ref())
    }

    /// Whether the table applies to a payment on `network` (`None`: unknown network).
    pub fn applies_to(&self, network: Option<&str>) -> bool {
        match (&self.network, network) {
            (Some(own), Some(n)) => own.eq_ignore_ascii_case(n),
            _ => true,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTableFile {
    table: RawTableHead,
    #[serde(default)]
    classes: BTreeMap<String, RawRow>,
    #[serde(default)]
    values: BTreeMap<Spanned<String>, Spanned<RawRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTableHead {
    id: Spanned<String>,
    name: String,
    sources: Vec<String>,
    edition: String,
    network: Option<String>,
    #[serde(default)]
    normalize: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawRow {
    class: Option<Spanned<String>>,
    decline_type: Option<DeclineType>,
    action: Option<Action>,
    retry_after_seconds: Option<u64>,
    #[serde(default)]
    by_response_code: BTreeMap<String, Action>,
    desc: Option<String>,
    #[allow(dead_code)] // documentation for people reading the file
    note: Option<String>,
}

/// Validates one decision table file.
pub fn validate_table(file: &SourceFile) -> Result<DecisionTable, Vec<Diagnostic>> {
    let name = file.name.as_str();
    let raw: RawTableFile = toml::from_str(&file.text)
        .map_err(|e| vec![crate::mapping::validate::toml_error(name, &e)])?;
    let mut diags = Vec::new();
    let steps: Vec<Step> = raw
        .table
        .normalize
        .iter()
        .filter_map(|s| crate::mapping::validate::step(name, s, &mut diags))
        .collect();
    let mut rows = HashMap::new();
    for (key, row) in raw.values {
        let span = row.span();
        let mut row = row.into_inner();
        if let Some(class) = row.class.take() {
            match raw.classes.get(class.get_ref()) {
                Some(c) => {
                    row.decline_type = row.decline_type.or(c.decline_type);
                    row.action = row.action.or(c.action);
                    row.retry_after_seconds = row.retry_after_seconds.or(c.retry_after_seconds);
                    row.desc = row.desc.or_else(|| c.desc.clone());
                }
                None => diags.push(
                    Diagnostic::new(
                        DiagCode::UndeclaredField,
                        name,
                        Some(class.span()),
                        format!(
                            "row names class `{}`, which no `[classes.*]` declares",
                            class.get_ref()
                        ),
                    )
                    .with_help(format!(
                        "declared classes: {}",
                        raw.classes.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                ),
            }
        }
        let Some(desc) = row.desc else {
            diags.push(Diagnostic::new(
                DiagCode::InvalidValue,
                name,
                Some(span),
                format!(
                    "row {:?} has no `desc` (neither its own nor its class's)",
                    key.get_ref()
                ),
            ));
            continue;
        };
        let normalized = steps::apply(&steps, key.get_ref());
        if !steps.iter().any(|s| matches!(s, Step::Capture(_)))
            && normalized.as_deref() != Some(key.get_ref().as_str())
        {
            diags.push(Diagnostic::new(
                DiagCode::KeyNotNormalized,
                name,
                Some(key.span()),
                format!(
                    "row key {:?} is not in normalized form and can never match",
                    key.get_ref()
                ),
            ));
            continue;
        }
        let key = key.into_inner();
        rows.insert(
            key.clone(),
            DecisionRow {
                key,
                decline_type: row.decline_type,
                action: row.action,
                retry_after_seconds: row.retry_after_seconds,
                by_response_code: row.by_response_code.into_iter().collect(),
                desc,
            },
        );
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(DecisionTable {
        id: raw.table.id.into_inner(),
        name: raw.table.name,
        sources: raw.table.sources,
        edition: raw.table.edition,
        network: raw.table.network.map(|n| n.to_lowercase()),
        file: file.name.clone(),
        steps,
        rows,
    })
}

/// The built-in decision tables as sources, named `decisions/<file>`.
pub fn builtin_sources() -> Vec<SourceFile> {
    SourceFile::embedded("decisions", BUILTIN)
}
