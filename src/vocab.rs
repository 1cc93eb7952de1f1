//! The words every layer shares: what a decline is ([`DeclineType`]), what to do next
//! ([`Action`]), and the per-call facts that may change it ([`Context`]).
//!
//! This module is the bottom of the crate: it imports nothing of paynorm, and the catalog,
//! the file formats, the validator, the engine and the record all speak its types.

use serde::{Deserialize, Serialize};

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

impl Initiator {
    /// The lowercase word used in context objects and decision files.
    pub fn as_str(self) -> &'static str {
        match self {
            Initiator::Customer => "customer",
            Initiator::Merchant => "merchant",
        }
    }
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
