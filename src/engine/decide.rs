//! The decision of a result (`docs/decisions.md`): decline type and action, each from the
//! strongest layer that gives it (the response's advice, the network's rule for the response
//! code, the deciding entry's override, the catalog default), then the context adjustments of
//! the decision tables.

use std::borrow::Cow;

use super::Engine;
use super::compiled::{DecisionTable, Field, Provider};
use super::result::{Decision, DecisionSource, Hit};
use crate::catalog::{CatalogEntry, Category};
use crate::text;
use crate::vocab::{Action, Context, DeclineType, Outcome};

/// What layers 1–4 decided, each part with its source.
struct Layered<'e> {
    decline_type: (DeclineType, DecisionSource<'e>),
    action: (Action, DecisionSource<'e>),
    retry_after_seconds: Option<u64>,
}

/// A decision part and the layer it came from; the first layer to fill it wins.
type Slot<'e, T> = Option<(T, DecisionSource<'e>)>;

fn fill<'e, T>(slot: &mut Slot<'e, T>, value: Option<T>, source: DecisionSource<'e>) {
    if slot.is_none() {
        *slot = value.map(|v| (v, source));
    }
}

impl Engine {
    pub(crate) fn decide<'e>(
        &'e self,
        p: &'e Provider,
        values: &[Option<Cow<'_, str>>],
        hit: Option<Hit<'e>>,
        entry: &'static CatalogEntry,
        context: &Context,
    ) -> Decision<'e> {
        // What happened: the entry's own outcome, else the code's; nothing matched: unknown.
        let outcome = match hit {
            None => Outcome::Unknown,
            Some(h) => h.entry.outcome.unwrap_or_else(|| entry.outcome()),
        };
        if entry.category == Category::Success {
            return Decision {
                outcome,
                decline_type: None,
                action: Action::None,
                retry_after_seconds: None,
                decline_type_source: DecisionSource::Approval,
                action_source: DecisionSource::Approval,
                context_adjustment: None,
            };
        }
        let layered = self.layers(p, values, hit, entry, context.network.as_deref());
        let (decline_type, decline_type_source) = layered.decline_type;
        let (mut action, action_source) = layered.action;
        let retry_after_seconds = layered.retry_after_seconds;

        let mut context_adjustment = None;
        if let Some(adjust) = self
            .inner
            .adjustments
            .iter()
            .find(|a| a.applies(context, action))
        {
            action = adjust.becomes;
            context_adjustment = Some(adjust.why.as_str());
        }
        let (decline_type, decline_type_source) = if outcome.has_decline_type() {
            (Some(decline_type), decline_type_source)
        } else {
            (None, DecisionSource::Outcome(outcome))
        };
        Decision {
            outcome,
            decline_type,
            action,
            retry_after_seconds: retry_after_seconds.filter(|_| action == Action::RetryLater),
            decline_type_source,
            action_source,
            context_adjustment,
        }
    }

    /// Layers 1–4 of docs/decisions.md for a non-approval: each part from the strongest
    /// layer that gives it.
    fn layers<'e>(
        &'e self,
        p: &'e Provider,
        values: &[Option<Cow<'_, str>>],
        hit: Option<Hit<'e>>,
        entry: &'static CatalogEntry,
        network: Option<&str>,
    ) -> Layered<'e> {
        // The response code, whichever network's rules table it is keyed in: the advice of
        // any network reads it (Mastercard's 83 + MAC 01), the rules only on their network.
        let network_key = self.network_key(p, values, hit);
        let mut decline_type: Slot<'e, DeclineType> = None;
        let mut action: Slot<'e, Action> = None;

        // Layer 1: the response's own advice.
        let retry_after_seconds = self.advice(
            p,
            values,
            network,
            network_key.as_ref().map(|(_, key)| key.as_ref()),
            &mut decline_type,
            &mut action,
        );
        // Layer 2: the network's rule for the response code.
        if let Some((table, key)) = network_key.filter(|(t, _)| t.applies_to(network))
            && let Some(row) = table.rows.get(key.as_ref())
        {
            let source = DecisionSource::Network {
                table: &table.id,
                key: &row.key,
            };
            fill(&mut decline_type, row.decline_type, source);
            fill(&mut action, row.action, source);
        }
        // Layer 3: the deciding entry's override.
        if let Some(h) = hit {
            let source = DecisionSource::Entry(&h.entry.id);
            fill(&mut decline_type, h.entry.decline_type, source);
            fill(&mut action, h.entry.action, source);
        }
        // Layer 4: the catalog default (every non-approval code has both).
        let source = DecisionSource::Catalog(entry.code);
        let decline_type =
            decline_type.unwrap_or((entry.decline_type.unwrap_or(DeclineType::Soft), source));
        let action = action.unwrap_or((entry.action, source));

        Layered {
            decline_type,
            action,
            retry_after_seconds,
        }
    }

    /// The payment's network response code: the deciding entry's key when it sits in a field
    /// with network rules, else the first field (in order) that carries one, itself or
    /// through its delegation (Stripe's network_decline_code → iso8583/response_code).
    fn network_key<'e, 'v>(
        &'e self,
        p: &'e Provider,
        values: &'v [Option<Cow<'_, str>>],
        hit: Option<Hit<'e>>,
    ) -> Option<(&'e DecisionTable, Cow<'v, str>)>
    where
        'e: 'v,
    {
        let tables = &self.inner.tables;
        hit.and_then(|h| h.entry.network.as_ref())
            .map(|(t, key)| (&tables[*t], Cow::Borrowed(key.as_str())))
            .or_else(|| {
                p.fields
                    .iter()
                    .zip(values)
                    .find_map(|(f, v)| self.network_code(f, v.as_deref()?))
            })
    }

    /// Layer 1: the first advice field (in field order) whose table says something. Returns
    /// the advice's retry delay.
    fn advice<'e>(
        &'e self,
        p: &'e Provider,
        values: &[Option<Cow<'_, str>>],
        network: Option<&str>,
        response_code: Option<&str>,
        decline_type: &mut Slot<'e, DeclineType>,
        action: &mut Slot<'e, Action>,
    ) -> Option<u64> {
        for (field, value) in p.fields.iter().zip(values) {
            let (Some(ti), Some(value)) = (field.advice, value.as_deref()) else {
                continue;
            };
            let table = &self.inner.tables[ti];
            if !table.applies_to(network) {
                continue;
            }
            let Some(row) = table.lookup(value) else {
                continue;
            };
            if row.decline_type.is_none() && row.action.is_none() {
                continue; // informational
            }
            let source = DecisionSource::Advice {
                table: &table.id,
                field: &field.qualified,
                key: &row.key,
            };
            // A response-code-specific action of the advice (Mastercard 83 + MAC 01).
            let specific = response_code.and_then(|key| row.by_response_code.get(key).copied());
            fill(action, specific.or(row.action), source);
            fill(decline_type, row.decline_type, source);
            return row.retry_after_seconds;
        }
        None
    }

    /// The network response code a field carries: its own normalized value when it has
    /// network rules, else its value normalized along its delegation chain to a field that has.
    fn network_code<'v>(
        &self,
        field: &Field,
        value: &'v str,
    ) -> Option<(&DecisionTable, Cow<'v, str>)> {
        if let Some(t) = field.network_rules {
            return Some((&self.inner.tables[t], Cow::Borrowed(value)));
        }
        let mut at = field.delegate?;
        let mut value = Cow::Borrowed(value);
        loop {
            let target = &self.inner.providers[at.provider].fields[at.field];
            value = Cow::Owned(text::apply(&target.steps, &value)?.into_owned());
            if let Some(t) = target.network_rules {
                return Some((&self.inner.tables[t], value));
            }
            at = target.delegate?;
        }
    }
}
