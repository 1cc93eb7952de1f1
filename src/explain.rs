//! `explain`: the engine's report of one normalization ([`crate::engine::Trace`]: fields read,
//! steps tried, the deciding step), with where the decision came from, as data and rendered
//! for people. This module reads nothing itself: it renders what the engine reported.

use std::fmt::Write as _;

use crate::json::Node;
use serde::Serialize;

use crate::catalog::Lang;
use crate::engine::events::{FieldRead, StepStatus, TraceStep};
use crate::engine::{Engine, Error, Normalized};
use crate::vocab::Context;

/// Where the decision came from.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionTrace<'a> {
    pub outcome: &'static str,
    pub decline_type: Option<String>,
    pub decline_type_source: String,
    pub action: String,
    pub action_source: String,
    pub retry_after_seconds: Option<u64>,
    pub context_adjustment: Option<&'a str>,
}

/// The whole trace of one normalization.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation<'a> {
    pub provider: &'a str,
    pub fields: Vec<FieldRead>,
    pub steps: Vec<TraceStep>,
    /// The decision, in words.
    pub conclusion: String,
    pub decision: DecisionTrace<'a>,
    #[serde(skip)]
    pub result: Normalized<'a>,
}

impl Engine {
    /// Normalizes `response` and returns the full trace: fields read, steps tried, decision.
    pub fn explain<'a, N: Node + ?Sized>(
        &'a self,
        provider: &str,
        response: &N,
        context: &Context,
    ) -> Result<Explanation<'a>, Error> {
        let (result, trace) = self.trace(provider, response, context)?;
        let decision = DecisionTrace {
            outcome: result.outcome.as_str(),
            decline_type: result.decline_type.map(|d| d.as_str().to_string()),
            decline_type_source: result.decline_type_source.to_string(),
            action: result.action.as_str().to_string(),
            action_source: result.action_source.to_string(),
            retry_after_seconds: result.retry_after_seconds,
            context_adjustment: result.context_adjustment,
        };
        Ok(Explanation {
            provider: result.provider,
            fields: trace.fields,
            steps: trace.steps,
            conclusion: conclusion(&result, Lang::En),
            decision,
            result,
        })
    }
}

/// The decision in words, with the catalog text in `lang`.
fn conclusion(result: &Normalized<'_>, lang: Lang) -> String {
    match result.rule {
        Some(rule) => format!(
            "{} {} ({}) decided by {rule}{}",
            result.code,
            result.message(lang),
            result.category,
            result
                .via
                .map(|v| format!(", delegated from {v}"))
                .unwrap_or_default()
        ),
        None => format!(
            "nothing matched: the provider's fallback {} {} decided",
            result.code,
            result.message(lang)
        ),
    }
}

/// The record and its trace, as `paynorm explain --format json` and the service's
/// `/v1/explain` write them. A struct, not `json!`: keys keep the record's own order.
#[derive(Debug, Serialize)]
pub struct Explained<'a> {
    pub record: crate::record::Record<'a, 'a>,
    pub trace: &'a Explanation<'a>,
}

impl<'a> Explanation<'a> {
    /// The record (texts in `lang`) with this trace.
    pub fn with_record(&'a self, lang: Lang) -> Explained<'a> {
        Explained {
            record: self.result.record(lang),
            trace: self,
        }
    }
}

impl Explanation<'_> {
    /// The trace for people, in English.
    pub fn render(&self) -> String {
        self.render_in(Lang::En)
    }

    /// The trace for people, with the catalog texts in `lang`.
    pub fn render_in(&self, lang: Lang) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "provider: {}", self.provider);
        let _ = writeln!(s, "\nfields read:");
        for f in &self.fields {
            match (&f.pointer, &f.raw) {
                (Some(p), Some(raw)) => {
                    let _ = write!(s, "  {:<22} {p} -> {raw:?}", f.field);
                    match &f.value {
                        Some(v) if v != raw => {
                            let _ = write!(s, " (normalized {v:?})");
                        }
                        None => {
                            let _ = write!(s, " (no value: {})", f.note.as_deref().unwrap_or(""));
                        }
                        _ => {}
                    }
                    if let (Some(_), Some(note)) = (&f.value, &f.note) {
                        let _ = write!(s, " ({note})");
                    }
                    s.push('\n');
                }
                _ => {
                    let _ = writeln!(
                        s,
                        "  {:<22} absent{}",
                        f.field,
                        f.note
                            .as_ref()
                            .map(|n| format!(" ({n})"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        let _ = writeln!(s, "\nsteps, in precedence order:");
        if self.steps.is_empty() {
            let _ = writeln!(s, "  (none)");
        }
        for (i, st) in self.steps.iter().enumerate() {
            let outcome = match st.status {
                StepStatus::Decided => "DECIDED",
                StepStatus::PassedOver => "passed over (generic)",
                StepStatus::Matched => "matched",
                StepStatus::NoMatch => "no match",
                StepStatus::NoValue => "no value",
            };
            let _ = write!(s, "  {:>2}. {:<10} {}", i + 1, st.kind.as_str(), st.target);
            if let Some(v) = &st.value {
                let _ = write!(s, " [{v:?}]");
            }
            let _ = writeln!(s, ": {outcome}");
            if let Some(e) = &st.entry {
                let _ = writeln!(
                    s,
                    "      entry {e} -> {}{}",
                    st.code.unwrap_or_default(),
                    if st.generic { " (generic)" } else { "" }
                );
            }
            let _ = writeln!(s, "      {}", st.why);
        }
        let _ = writeln!(s, "\nresult: {}", conclusion(&self.result, lang));
        let d = &self.decision;
        let _ = writeln!(s, "outcome: {}", d.outcome);
        let _ = writeln!(
            s,
            "decline type: {} (from {})",
            d.decline_type.as_deref().unwrap_or("none"),
            d.decline_type_source
        );
        let _ = writeln!(s, "action: {} (from {})", d.action, d.action_source);
        if let Some(secs) = d.retry_after_seconds {
            let _ = writeln!(s, "retry after: {secs} s");
        }
        if let Some(adj) = d.context_adjustment {
            let _ = writeln!(s, "context: {adj}");
        }
        s
    }
}
