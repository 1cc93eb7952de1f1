//! paynorm turns the failure answers of payment providers into one code of a canonical
//! catalog.
//!
//! Each provider is described by a TOML mapping file (`mappings/*.toml`, embedded as the
//! built-in set; format in `docs/mapping-format.md`). The [`Engine`] validates and compiles a
//! mapping set once, then normalizes raw responses:
//!
//! ```
//! use paynorm::Engine;
//! use serde_json::json;
//!
//! let engine = Engine::builtin().expect("built-in mappings are valid");
//! let response = json!({"error": {"code": "card_declined", "decline_code": "insufficient_funds"}});
//! let result = engine.normalize("stripe", &response).unwrap();
//! assert_eq!(result.code, 100100);
//! assert_eq!(result.message, "Insufficient balance");
//! assert_eq!(result.rule, Some("stripe/decline_code/insufficient_funds"));
//! assert_eq!(paynorm::catalog::lookup(100100).unwrap().zh, "余额不足");
//! ```
//!
//! Where things live: [`catalog`] (the canonical codes), [`mapping`] (reading and validating
//! mapping files), [`steps`] (normalization steps and matchers), [`engine`] (compiled index
//! and decision walk), [`diagnostic`] (problems in mapping files, and their rendering),
//! [`batch`] (JSONL in, JSONL out).

pub mod batch;
pub mod catalog;
pub mod coverage;
pub mod diagnostic;
pub mod engine;
pub mod mapping;
pub mod snapshot;
pub mod steps;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use engine::{Engine, Error, Normalized};

impl std::error::Error for Diagnostics {}
