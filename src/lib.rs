//! paynorm turns the failure answers of payment providers into one code of a canonical
//! catalog.
//!
//! Each provider is described by a TOML mapping file (`mappings/*.toml`, embedded as the
//! built-in set; format in `docs/mapping-format.md`). The [`Engine`] validates and compiles a
//! mapping set once, then normalizes raw responses:
//!
//! ```
//! use paynorm::{Action, Context, DeclineType, Engine, Initiator, Lang};
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
//! let context = Context { initiator: Some(Initiator::Merchant), network: None };
//! let explanation = engine.explain("stripe", &response, &context).unwrap();
//! assert!(explanation.render().contains("DECIDED"));
//! ```
//!
//! The modules, in pipeline order (`docs/architecture.md` says what each may import):
//! [`vocab`] (the shared words: actions, decline types, context), [`catalog`] (the canonical
//! codes, languages), [`diagnostic`] (problems in data files, as data), [`json`] (documents
//! and pointers), [`text`] (normalization steps, matchers), [`format`](mod@format) (phase 1: data files as
//! serde reads them), [`validate`] (phase 2: a validated set), [`builtin`] (the embedded
//! data), [`engine`] (phase 3: the compiled set, the walk, the decision), [`record`] (the
//! output record), [`explain`] (traces rendered), [`reload`] (atomic swaps), [`batch`] (JSONL
//! in, JSONL out), [`authoring`] (coverage and expectation tests for mapping authors). The
//! library does no I/O of its own: it takes sources (name + text), readers and writers, and
//! callbacks.

pub mod authoring;
pub mod batch;
pub mod builtin;
pub mod catalog;
pub mod diagnostic;
pub mod engine;
pub mod explain;
pub mod format;
pub mod json;
pub mod record;
pub mod reload;
pub mod text;
pub mod validate;
pub mod vocab;

pub use catalog::Lang;
pub use diagnostic::{Diagnostic, Diagnostics, SourceFile};
pub use engine::{Engine, Error, Normalized};
pub use reload::SharedEngine;
pub use validate::Layer;
pub use vocab::{Action, Context, DeclineType, Initiator};

impl std::error::Error for Diagnostics {}
