//! Safe reloading for long-running processes: a [`SharedEngine`] holds the current
//! [`Engine`] and swaps in a new one atomically.
//!
//! Readers take a snapshot ([`SharedEngine::current`]) and normalize with it; a reload
//! validates and compiles the new mapping set completely *before* the swap, so a reader sees
//! the old set or the new one, never a mix, and a reload that fails validation leaves the old
//! set in place and returns its diagnostics.

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::diagnostic::Diagnostics;
use crate::engine::Engine;
use crate::validate::Layer;

/// An engine that can be replaced while other threads use it.
pub struct SharedEngine {
    current: ArcSwap<Engine>,
}

impl SharedEngine {
    /// Starts with `engine`.
    pub fn new(engine: Engine) -> Self {
        SharedEngine {
            current: ArcSwap::from_pointee(engine),
        }
    }

    /// The engine in use now. Keep the snapshot for one unit of work (a response, a batch
    /// chunk) so that unit sees one mapping set.
    pub fn current(&self) -> Arc<Engine> {
        self.current.load_full()
    }

    /// Replaces the engine; readers holding the old snapshot finish with it.
    pub fn replace(&self, engine: Engine) {
        self.current.store(Arc::new(engine));
    }

    /// Builds an engine from `layers` ([`Engine::from_layers`]) and swaps it in. On any
    /// validation problem the current engine stays and the diagnostics are returned.
    pub fn reload(&self, layers: Vec<Layer>) -> Result<(), Diagnostics> {
        let engine = Engine::from_layers(layers)?;
        self.replace(engine);
        tracing::info!("mapping set reloaded");
        Ok(())
    }
}
