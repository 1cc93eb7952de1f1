//! `explain`: a readable trace of one normalization, as data.
//!
//! The engine's walk reports each step it tries to an observer (`crate::engine::Observer`);
//! the hot path passes one that records nothing. [`Engine::explain`] records them, adds how
//! each field was read and where the decision came from, and renders it for people.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::catalog::Lang;
use crate::decision::Context;
use crate::doc::scalar_text;
use crate::engine::{Engine, Entry, Error};
use crate::record::Normalized;
use crate::steps;

/// What happened at one step of the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// This step's entry decided.
    Decided,
    /// A generic entry matched but a later specific one decided.
    PassedOver,
    /// Matched (a generic entry, before the walk ended).
    Matched,
    /// Nothing matched here.
    NoMatch,
    /// The field had no value.
    NoValue,
}

/// One step the engine tried, in order.
#[derive(Debug, Clone, Serialize)]
pub struct TraceStep {
    /// `rule`, `table` or `delegation`.
    pub kind: &'static str,
    /// The rule id, or the `provider/field` looked in.
    pub target: String,
    /// The (normalized) value looked up.
    pub value: Option<String>,
    pub outcome: Outcome,
    /// The entry that matched.
    pub entry: Option<String>,
    /// Whether that entry is generic.
    pub generic: bool,
    /// The entry's code.
    pub code: Option<u32>,
    /// The provider's description of the matched entry, or why nothing matched.
    pub why: String,
}

impl TraceStep {
    pub(crate) fn matched(
        kind: &'static str,
        target: &str,
        value: Option<&str>,
        entry: &Entry,
        why: &str,
    ) -> Self {
        TraceStep {
            kind,
            target: target.to_string(),
            value: value.map(str::to_string),
            outcome: Outcome::Matched,
            entry: Some(entry.id.clone()),
            generic: entry.generic,
            code: Some(entry.catalog.code),
            why: format!("{why}: {:?}", entry.desc),
        }
    }

    pub(crate) fn no_match(
        kind: &'static str,
        target: &str,
        value: Option<&str>,
        why: String,
    ) -> Self {
        TraceStep {
            kind,
            target: target.to_string(),
            value: value.map(str::to_string),
            outcome: Outcome::NoMatch,
            entry: None,
            generic: false,
            code: None,
            why,
        }
    }

    pub(crate) fn no_value(target: &str) -> Self {
        TraceStep {
            kind: "table",
            target: target.to_string(),
            value: None,
            outcome: Outcome::NoValue,
            entry: None,
            generic: false,
            code: None,
            why: "the field has no value".into(),
        }
    }
}

/// How one field was read.
#[derive(Debug, Clone, Serialize)]
pub struct FieldRead {
    pub field: String,
    /// The pointer that gave the value (`None`: no path gave a scalar).
    pub pointer: Option<String>,
    /// Text read, before normalization.
    pub raw: Option<String>,
    /// After normalization.
    pub value: Option<String>,
    /// Why there is no value, when a path held something that is not a usable scalar.
    pub note: Option<String>,
}

/// Where the decision came from.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionTrace {
    pub decline_type: Option<String>,
    pub decline_type_source: String,
    pub action: String,
    pub action_source: String,
    pub retry_after_seconds: Option<u64>,
    pub context_adjustment: Option<&'static str>,
}

/// The whole trace of one normalization.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation<'a> {
    pub provider: &'a str,
    pub fields: Vec<FieldRead>,
    pub steps: Vec<TraceStep>,
    /// The decision, in words.
    pub conclusion: String,
    pub decision: DecisionTrace,
    #[serde(skip)]
    pub result: Normalized<'a>,
}

impl Engine {
    /// Normalizes `response` and returns the full trace: fields read, steps tried, decision.
    pub fn explain<'a>(
        &'a self,
        provider: &str,
        response: &Value,
        context: &Context,
    ) -> Result<Explanation<'a>, Error> {
        let mut steps = Vec::new();
        let result = self
            .run(provider, response, context, &mut steps)?
            .into_normalized();
        let p = self.provider(provider)?;
        // The deciding step is the first match of the deciding entry reached the same way
        // (directly or by delegation); every other match was a generic one passed over.
        let decided = steps.iter().position(|s| {
            s.outcome == Outcome::Matched
                && s.entry.as_deref() == result.rule
                && (s.kind == "delegation") == result.via.is_some()
        });
        for (i, s) in steps.iter_mut().enumerate() {
            if s.outcome == Outcome::Matched {
                s.outcome = if Some(i) == decided {
                    Outcome::Decided
                } else {
                    Outcome::PassedOver
                };
            }
        }
        let fields = p
            .fields
            .iter()
            .map(|f| {
                let mut note = None;
                let mut found = None;
                for path in &f.paths {
                    match path.resolve(response) {
                        None => {}
                        Some(v) => match scalar_text(v) {
                            Some(t) => {
                                found = Some((path.as_str().to_string(), t.into_owned()));
                                break;
                            }
                            None => {
                                note.get_or_insert(format!(
                                    "{} holds {}, not a scalar",
                                    path.as_str(),
                                    kind_of(v)
                                ));
                            }
                        },
                    }
                }
                let (pointer, raw) = found.map_or((None, None), |(p, r)| (Some(p), Some(r)));
                let value = raw
                    .as_deref()
                    .and_then(|r| steps::apply(&f.steps, r))
                    .map(|v| v.into_owned());
                if raw.is_some() && value.is_none() {
                    note = Some(
                        if f.steps.iter().any(|s| matches!(s, steps::Step::Capture(_))) {
                            "blank, or the capture pattern did not match".into()
                        } else {
                            "blank after normalization".into()
                        },
                    );
                }
                FieldRead {
                    field: f.name.clone(),
                    pointer,
                    raw,
                    value,
                    note,
                }
            })
            .collect();
        let conclusion = conclusion(&result, Lang::En);
        let decision = DecisionTrace {
            decline_type: result.decline_type.map(|d| d.as_str().to_string()),
            decline_type_source: result.decline_type_source.to_string(),
            action: result.action.as_str().to_string(),
            action_source: result.action_source.to_string(),
            retry_after_seconds: result.retry_after_seconds,
            context_adjustment: result.context_adjustment,
        };
        Ok(Explanation {
            provider: &p.id,
            fields,
            steps,
            conclusion,
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

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
        _ => "a scalar",
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
            let outcome = match st.outcome {
                Outcome::Decided => "DECIDED",
                Outcome::PassedOver => "passed over (generic)",
                Outcome::Matched => "matched",
                Outcome::NoMatch => "no match",
                Outcome::NoValue => "no value",
            };
            let _ = write!(s, "  {:>2}. {:<10} {}", i + 1, st.kind, st.target);
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
