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

/// What happened to the payment, separately from why (the code): the first thing a caller
/// branches on. See `docs/decisions.md`, *Outcome*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The payment (or the operation) went through: only from an explicit success signal.
    Approved,
    /// The issuer, the network, the provider or a risk engine refused it.
    Declined,
    /// The request failed: invalid, unauthenticated, misconfigured, or a technical failure on
    /// either side. Nothing was decided about the payment.
    Error,
    /// Not final yet: a 3-D Secure redirect, a review, an asynchronous answer to come.
    Pending,
    /// The result is not known (a timeout; query the order before retrying), or paynorm
    /// could not read the response (the provider's fallback decided).
    Unknown,
}

impl Outcome {
    /// The snake_case word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Declined => "declined",
            Outcome::Error => "error",
            Outcome::Pending => "pending",
            Outcome::Unknown => "unknown",
        }
    }

    /// Whether a result with this outcome carries a decline type: only a refusal or a failed
    /// request does; an approval, a pending or an unknown result has none.
    pub fn has_decline_type(self) -> bool {
        matches!(self, Outcome::Declined | Outcome::Error)
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
///
/// Read from a JSON object only, with known keys only: an array (which serde would otherwise
/// take as the fields in order) or an unknown key is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    /// Who started the payment.
    pub initiator: Option<Initiator>,
    /// The card network, lowercase (`visa`, `mastercard`, ...).
    pub network: Option<String>,
}

/// The fields of [`Context`] as serde derives them; [`Context`] itself accepts maps only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContextFields {
    initiator: Option<Initiator>,
    network: Option<String>,
}

impl<'de> Deserialize<'de> for Context {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapOnly;
        impl<'de> serde::de::Visitor<'de> for MapOnly {
            type Value = Context;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a context object such as {\"initiator\": \"merchant\"}")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Context, A::Error> {
                let fields =
                    ContextFields::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Context {
                    initiator: fields.initiator,
                    network: fields.network,
                })
            }
        }
        d.deserialize_map(MapOnly)
    }
}
