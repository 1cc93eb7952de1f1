//! paynorm turns the failure answers of payment providers into one code of a canonical
//! catalog.
//!
//! Each provider is described by a TOML mapping file (`mappings/*.toml`, embedded as the
//! built-in set; format in `docs/mapping-format.md`). The [`Engine`] validates and compiles a
//! mapping set once, then normalizes raw responses:
//!
//! ```
//! use paynorm::decision::{Action, DeclineType};
//! use paynorm::{Context, Engine, Lang};
//! use serde_json::json;
//!
//! let engine = Engine::builtin().expect("built-in mappings are valid");
//! let response = json!({"error": {"code": "card_declined", "decline_code": "insufficient_funds"}});
//! let result = engine.normalize("stripe", &response).unwrap();
//! assert_eq!(result.code, 100100);
//! assert_eq!(result.message(Lang::En), "Insufficient balance");
//! assert_eq!(result.message(Lang::from_tag("zh-CN")), "余额不足");
//! assert_eq!(result.rule, Some("stripe/decline_code/insufficient_funds"));
//! assert_eq!(result.decline_type, Some(DeclineType::Soft));
//! assert_eq!(result.action, Action::RetryLater);
//!
//! // The same answer, explained step by step, for a merchant-initiated payment.
//! let context = Context { initiator: Some(paynorm::decision::Initiator::Merchant), network: None };
//! let explanation = engine.explain("stripe", &response, &context).unwrap();
//! assert!(explanation.render().contains("DECIDED"));
//! ```
//!
//! Where things live: [`catalog`] (the canonical codes, languages), [`mapping`] (reading and
//! validating mapping files), [`steps`] (normalization steps and matchers), [`engine`]
//! (compiled index and the decision walk), [`decision`] (decision tables, actions, context),
//! [`record`] (the result and its JSON record), [`explain`] (traces), [`diagnostic`]
//! (problems in mapping files, and their rendering), [`batch`] (JSONL in, JSONL out),
//! [`coverage`] and [`snapshot`] (tools for mapping authors).

pub mod batch;
pub mod catalog;
pub mod coverage;
pub mod decision;
pub mod diagnostic;
mod doc;
pub mod engine;
pub mod explain;
pub mod mapping;
pub mod record;
pub mod shared;
pub mod snapshot;
pub mod steps;
pub mod workload;

pub use catalog::Lang;
pub use decision::Context;
pub use diagnostic::{Diagnostic, Diagnostics};
pub use engine::{Engine, Error};
pub use record::Normalized;
pub use shared::SharedEngine;

impl std::error::Error for Diagnostics {}
