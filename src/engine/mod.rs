//! The engine: a validated mapping set, compiled, and the hot path that uses it.
//!
//! [`Engine`] is immutable, `Send + Sync`, and cloning it clones an `Arc`. Its parts, in
//! pipeline order: `compiled` (phase 3: the index the walk reads), `walk` (fields read,
//! candidates tried in precedence order), `decide` (decline type and action by layer),
//! `result` (what a normalization produced), [`events`] (what the engine reports while it
//! works, for `explain`).

mod compiled;
mod decide;
pub mod events;
mod result;
mod walk;

use std::sync::{Arc, LazyLock};

use crate::json::Node;
use serde::Serialize;

pub(crate) use compiled::{Entry, Inner, Provider};
pub use events::Trace;
pub(crate) use result::Resolved;
pub use result::{DecisionSource, Normalized, RawFields};

use crate::builtin;
use crate::diagnostic::{Diagnostics, SourceFile};
use crate::validate::{self, Layer};
use crate::vocab::Context;

/// Errors of [`Engine::normalize`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No loaded mapping has this provider id.
    #[error("unknown provider `{0}`")]
    UnknownProvider(String),
}

/// The normalization engine: a validated, compiled mapping set.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

/// What a caller can know about a loaded provider.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// Table entries plus rules.
    pub entries: usize,
    pub sources: &'a [String],
    pub edition: &'a str,
    /// The mapping file it was loaded from.
    pub file: &'a str,
}

static BUILTIN: LazyLock<Result<Engine, Diagnostics>> =
    LazyLock::new(|| Engine::from_layers(vec![builtin::layer()]));

static NO_CONTEXT: Context = Context {
    initiator: None,
    network: None,
};

impl Engine {
    /// The engine over the built-in mappings and decision tables (embedded at build time).
    /// Compiled once per process; later calls clone an `Arc`.
    pub fn builtin() -> Result<Engine, Diagnostics> {
        BUILTIN.clone()
    }

    /// The built-in set with `overlay`'s mapping files layered over it: a file with a
    /// built-in provider id replaces that provider, other files add providers.
    pub fn with_overlay(overlay: Vec<SourceFile>) -> Result<Engine, Diagnostics> {
        Engine::from_layers(vec![builtin::layer(), Layer::mappings(overlay)])
    }

    /// Mapping files `overlay` layered over `base`, with the built-in decision tables.
    pub fn from_sources(
        base: Vec<SourceFile>,
        overlay: Vec<SourceFile>,
    ) -> Result<Engine, Diagnostics> {
        let decisions = Layer {
            mappings: Vec::new(),
            decisions: builtin::decision_sources(),
        };
        Engine::from_layers(vec![
            decisions,
            Layer::mappings(base),
            Layer::mappings(overlay),
        ])
    }

    /// Validates and compiles `layers` in order: a later layer's file replaces the earlier
    /// file with its id (provider or decision table), other files add to the set. See
    /// [`validate::load_set`].
    pub fn from_layers(layers: Vec<Layer>) -> Result<Engine, Diagnostics> {
        let set = validate::load_set(layers)?;
        Ok(Engine {
            inner: Arc::new(Inner::compile(set)),
        })
    }

    /// The loaded providers, sorted by id.
    pub fn providers(&self) -> Vec<ProviderInfo<'_>> {
        let mut list: Vec<ProviderInfo> = self
            .inner
            .providers
            .iter()
            .map(|p| ProviderInfo {
                id: &p.id,
                name: &p.name,
                entries: p.entry_count(),
                sources: &p.sources,
                edition: &p.edition,
                file: &p.file,
            })
            .collect();
        list.sort_by_key(|p| p.id);
        list
    }

    /// True when `provider` is loaded.
    pub fn has_provider(&self, provider: &str) -> bool {
        self.inner.by_id.contains_key(provider)
    }

    /// Normalizes one raw provider response to a catalog code and a decision.
    ///
    /// Any JSON value is accepted: fields that are missing, `null`, arrays or objects have no
    /// value and match nothing, so odd input ends at the provider's fallback, never in an
    /// error. The only error is an unknown provider.
    pub fn normalize<'a, N: Node + ?Sized>(
        &'a self,
        provider: &str,
        response: &N,
    ) -> Result<Normalized<'a>, Error> {
        self.normalize_with(provider, response, &NO_CONTEXT)
    }

    /// [`Engine::normalize`] with a per-call context (who initiated the payment, the card
    /// network), which changes the action, never the code. See `docs/decisions.md`.
    pub fn normalize_with<'a, N: Node + ?Sized>(
        &'a self,
        provider: &str,
        response: &N,
        context: &Context,
    ) -> Result<Normalized<'a>, Error> {
        Ok(self
            .run(provider, response, context, &mut ())?
            .into_normalized())
    }

    /// [`Engine::normalize_with`], with everything the engine reported on the way: each
    /// field read, each step tried, the step that decided.
    pub fn trace<'a, N: Node + ?Sized>(
        &'a self,
        provider: &str,
        response: &N,
        context: &Context,
    ) -> Result<(Normalized<'a>, Trace), Error> {
        let mut trace = Trace::default();
        let result = self.run(provider, response, context, &mut trace)?;
        Ok((result.into_normalized(), trace))
    }

    pub(crate) fn provider(&self, provider: &str) -> Result<&Provider, Error> {
        self.inner
            .by_id
            .get(provider)
            .map(|&i| &self.inner.providers[i])
            .ok_or_else(|| Error::UnknownProvider(provider.to_string()))
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("providers", &self.inner.by_id.keys().collect::<Vec<_>>())
            .finish()
    }
}
