//! The walk: read every field, then try the candidates in precedence order
//! (`docs/mapping-format.md`, *Precedence*): rules in file order, then for each field in
//! declaration order its values table and its delegation. The first non-generic match
//! decides, else the first generic match, else the provider's fallback.

use std::borrow::Cow;

use smallvec::SmallVec;

use super::compiled::{Field, Message, Provider};
use super::events::{FieldRead, Observer, StepKind, TraceStep};
use super::result::{Hit, Resolved, Texts};
use super::{Engine, Error};
use crate::json::{Kind, Node, Scalar};
use crate::text::{self, Matcher, Step};
use crate::validate::FieldRef;
use crate::vocab::Context;

/// "First non-generic match, else first generic match", with the position of the step that
/// offered each, so the trace names the deciding step exactly.
#[derive(Default)]
pub(crate) struct Decider<'e> {
    first_generic: Option<(Hit<'e>, usize)>,
    decided: Option<(Hit<'e>, usize)>,
}

impl<'e> Decider<'e> {
    /// Offers a match found at step `position`; true once a non-generic match has decided
    /// (stop walking).
    fn offer(&mut self, hit: Hit<'e>, position: usize) -> bool {
        if hit.entry.generic {
            self.first_generic.get_or_insert((hit, position));
            false
        } else {
            self.decided = Some((hit, position));
            true
        }
    }

    /// True while nothing has matched, not even a generic entry.
    fn is_empty(&self) -> bool {
        self.decided.is_none() && self.first_generic.is_none()
    }

    fn result(self) -> Option<(Hit<'e>, usize)> {
        self.decided.or(self.first_generic)
    }
}

/// What reading one field found: the text, the path that gave it, and the first path that
/// held something unusable (for the trace).
struct Reading<'v> {
    text: Option<Cow<'v, str>>,
    path: Option<usize>,
    not_scalar: Option<(usize, Kind)>,
}

/// Reads one field for a trace: the text, and the path and any non-scalar it reports. The
/// hot path (an observer that records nothing) reads with [`Node::text_at`] instead.
fn read_field<'v, D: Node + ?Sized>(doc: &'v D, field: &Field) -> Reading<'v> {
    let mut not_scalar = None;
    for (i, path) in field.paths.iter().enumerate() {
        let Some(node) = path.resolve(doc) else {
            continue;
        };
        match node.scalar() {
            Scalar::Text(t) => {
                return Reading {
                    text: Some(t),
                    path: Some(i),
                    not_scalar,
                };
            }
            Scalar::NotScalar(kind) => {
                not_scalar.get_or_insert((i, kind));
            }
        }
    }
    Reading {
        text: None,
        path: None,
        not_scalar,
    }
}

/// The trace event of one field reading.
fn field_event(field: &Field, r: &Reading<'_>) -> FieldRead {
    let mut note = r.not_scalar.map(|(i, kind)| {
        format!(
            "{} holds {}, not a scalar",
            field.paths[i].as_str(),
            kind.describe()
        )
    });
    let value = r
        .text
        .as_deref()
        .and_then(|t| text::apply(&field.steps, t))
        .map(Cow::into_owned);
    if r.text.is_some() && value.is_none() {
        note = Some(
            if field.steps.iter().any(|s| matches!(s, Step::Capture(_))) {
                "blank, or the capture pattern did not match".into()
            } else {
                "blank after normalization".into()
            },
        );
    }
    FieldRead {
        field: field.name.clone(),
        pointer: r.path.map(|i| field.paths[i].as_str().to_string()),
        raw: r.text.as_deref().map(str::to_string),
        value,
        note,
    }
}

impl Engine {
    /// The whole normalization, reporting to `observer`. Raw texts stay borrowed from
    /// `response`; [`super::Normalized`] owns them.
    pub(crate) fn run<'e, 'v, D: Node + ?Sized, O: Observer>(
        &'e self,
        provider: &str,
        response: &'v D,
        context: &Context,
        observer: &mut O,
    ) -> Result<Resolved<'e, 'v>, Error> {
        let p = self.provider(provider)?;

        // 1. Read every field: raw text, then its normalized form.
        let mut raw = Texts {
            first: SmallVec::with_capacity(p.fields.len()),
            more: Vec::new(),
        };
        // Which first tokens the response has (all of them for anything but an object, and
        // when the provider has too many to track): paths under any other cannot resolve.
        let mut present = 0u64;
        if p.firsts.is_empty()
            || !response.each_key(&mut |k| {
                if let Some(&bit) = p.firsts.get(k) {
                    present |= 1 << bit;
                }
            })
        {
            present = u64::MAX;
        }
        for (fi, f) in p.fields.iter().enumerate() {
            let text = if f.any_bits & present == 0 && !O::RECORDS {
                None
            } else if f.list {
                let (found, path) = read_list(response, f, present);
                if O::RECORDS {
                    let all: Vec<&str> = found.iter().map(|t| t.as_ref()).collect();
                    observer.field(|| list_event(f, path, &all));
                }
                let mut found = found.into_iter();
                let first = found.next();
                raw.more.extend(found.map(|t| (fi, t)));
                first
            } else if O::RECORDS {
                let reading = read_field(response, f);
                observer.field(|| field_event(f, &reading));
                reading.text
            } else {
                // The hot path: the first path that holds a scalar, nothing else noted.
                f.paths
                    .iter()
                    .zip(&f.path_bits)
                    .filter(|(_, bits)| *bits & present != 0)
                    .find_map(|(path, _)| response.text_at(path))
            };
            raw.first.push(text);
        }
        let mut values = Texts {
            first: SmallVec::with_capacity(p.fields.len()),
            more: Vec::new(),
        };
        for (r, f) in raw.first.iter().zip(&p.fields) {
            values
                .first
                .push(r.as_deref().and_then(|r| text::apply(&f.steps, r)));
        }
        for (fi, r) in &raw.more {
            if let Some(v) = text::apply(&p.fields[*fi].steps, r) {
                values.more.push((*fi, v));
            }
        }

        // 2. Walk the candidates in precedence order; free-text messages last.
        let mut decider = Decider::default();
        self.walk(p, &values, &mut decider, observer);
        if decider.is_empty() && !p.messages.is_empty() {
            messages(p, &values, &mut decider, observer);
        }
        let (hit, position) = decider.result().unzip();
        observer.decided(position);
        let entry = hit.map_or(p.fallback, |h| h.entry.catalog);

        // 3. The decision.
        let decision = self.decide(p, &values.first, hit, entry, context);
        drop(values); // borrows `raw`, which moves into the result
        tracing::trace!(provider = %p.id, code = entry.code, rule = ?hit.map(|h| &h.entry.id), action = ?decision.action, "decided");
        Ok(Resolved {
            provider: p,
            entry,
            hit,
            raw,
            decision,
        })
    }

    fn walk<'e>(
        &'e self,
        p: &'e Provider,
        values: &Texts<'_>,
        decider: &mut Decider<'e>,
        observer: &mut impl Observer,
    ) {
        if self.rules(p, values, decider, observer) {
            return;
        }
        for (fi, field) in p.fields.iter().enumerate() {
            if field.table.is_empty() && field.delegate.is_none() {
                continue;
            }
            if !field.list {
                match values.first[fi].as_deref() {
                    Some(value) => {
                        if self.field_value(field, value, decider, observer) {
                            return;
                        }
                    }
                    None => {
                        observer.step(|| TraceStep::no_value(&field.qualified));
                    }
                }
                continue;
            }
            let mut any = false;
            // A list field's values are tried in document order, each with its table entry,
            // then its delegation.
            for value in values.of(fi) {
                any = true;
                if self.field_value(field, value, decider, observer) {
                    return;
                }
            }
            if !any {
                observer.step(|| TraceStep::no_value(&field.qualified));
            }
        }
    }

    /// One value of a field: its table entry, then its delegation; true once decided.
    fn field_value<'e>(
        &'e self,
        field: &'e Field,
        value: &str,
        decider: &mut Decider<'e>,
        observer: &mut impl Observer,
    ) -> bool {
        {
            if !field.table.is_empty() {
                match field.table.get(value) {
                    Some(entry) => {
                        let at = observer.step(|| {
                            TraceStep::matched(
                                StepKind::Table,
                                &field.qualified,
                                Some(value),
                                entry,
                                "exact entry",
                            )
                        });
                        if decider.offer(Hit { entry, via: None }, at) {
                            return true;
                        }
                    }
                    None => {
                        observer.step(|| {
                            TraceStep::no_match(
                                StepKind::Table,
                                &field.qualified,
                                Some(value),
                                format!("no entry for {value:?}"),
                            )
                        });
                    }
                }
            }
            if let Some(target) = field.delegate
                && self.delegate(target, value, field, decider, observer)
            {
                return true;
            }
        }
        false
    }

    /// The provider's rules in file order; true once decided.
    #[inline]
    fn rules<'e>(
        &'e self,
        p: &'e Provider,
        values: &Texts<'_>,
        decider: &mut Decider<'e>,
        observer: &mut impl Observer,
    ) -> bool {
        for rule in &p.rules {
            let failed = rule.conditions.iter().find(|(fi, m)| {
                if p.fields[*fi].list {
                    !m.holds(values.of(*fi))
                } else {
                    !m.holds(values.first[*fi].as_deref().into_iter())
                }
            });
            match failed {
                None => {
                    let at = observer.step(|| {
                        TraceStep::matched(
                            StepKind::Rule,
                            &rule.entry.id,
                            None,
                            &rule.entry,
                            "every condition holds",
                        )
                    });
                    let hit = Hit {
                        entry: &rule.entry,
                        via: None,
                    };
                    if decider.offer(hit, at) {
                        return true;
                    }
                }
                Some((fi, m)) => {
                    observer.step(|| {
                        let why = condition_failed(p, values, *fi, m);
                        TraceStep::no_match(StepKind::Rule, &rule.entry.id, None, why)
                    });
                }
            }
        }
        false
    }

    /// Searches the target field for `value` as the main walk would; true once decided.
    fn delegate<'e>(
        &'e self,
        target: FieldRef,
        value: &str,
        via: &'e Field,
        decider: &mut Decider<'e>,
        observer: &mut impl Observer,
    ) -> bool {
        let p = &self.inner.providers[target.provider];
        let field = &p.fields[target.field];
        let name = || format!("{} (via {})", field.qualified, via.qualified);
        let kind = StepKind::Delegation;
        let Some(value) = text::apply(&field.steps, value) else {
            observer.step(|| {
                let why = "no value after the target field's normalization".into();
                TraceStep::no_match(kind, &name(), Some(value), why)
            });
            return false;
        };
        for &ri in &field.single_field_rules {
            let rule = &p.rules[ri];
            if rule.conditions.iter().all(|(_, m)| m.matches(&value)) {
                let at = observer.step(|| {
                    let why = "rule on the target field holds";
                    TraceStep::matched(kind, &name(), Some(&value), &rule.entry, why)
                });
                let hit = Hit {
                    entry: &rule.entry,
                    via: Some(via),
                };
                if decider.offer(hit, at) {
                    return true;
                }
            }
        }
        match field.table.get(value.as_ref()) {
            Some(entry) => {
                let at = observer.step(|| {
                    let why = "exact entry of the target field";
                    TraceStep::matched(kind, &name(), Some(&value), entry, why)
                });
                if decider.offer(
                    Hit {
                        entry,
                        via: Some(via),
                    },
                    at,
                ) {
                    return true;
                }
            }
            None => {
                observer.step(|| {
                    let why = format!("no entry for {value:?}");
                    TraceStep::no_match(kind, &name(), Some(&value), why)
                });
            }
        }
        // Chains are checked for cycles at load, so this recursion ends.
        match field.delegate {
            Some(next) => self.delegate(next, &value, via, decider, observer),
            None => false,
        }
    }
}

/// Why a condition on field `fi` does not hold, for traces.
fn condition_failed(p: &Provider, values: &Texts<'_>, fi: usize, m: &Matcher) -> String {
    let field = &p.fields[fi].name;
    let found: Vec<&str> = values.of(fi).collect();
    match found.as_slice() {
        [] if !m.holds_without_value() => format!("field `{field}` has no value"),
        [] => format!(
            "field `{field}` has no value, which does not satisfy: {}",
            m.describe()
        ),
        [v] => format!("`{field}` = {v:?} does not satisfy: {}", m.describe()),
        all => format!("`{field}` = {all:?} does not satisfy: {}", m.describe()),
    }
}

/// The scalar texts of a list field: every scalar a path finds (a `*` path, every element),
/// from the first path that finds any.
fn read_list<'v, D: Node + ?Sized>(
    doc: &'v D,
    field: &Field,
    present: u64,
) -> (Vec<Cow<'v, str>>, Option<usize>) {
    for (i, path) in field.paths.iter().enumerate() {
        if field.path_bits[i] & present == 0 {
            continue;
        }
        let mut found = Vec::new();
        path.resolve_each(doc, &mut |node| {
            if let Scalar::Text(t) = node.scalar() {
                found.push(t);
            }
        });
        if !found.is_empty() {
            return (found, Some(i));
        }
    }
    (Vec::new(), None)
}

/// The trace event of a list field: the path that found the values, the first value, and
/// every value in the note.
fn list_event(field: &Field, path: Option<usize>, all: &[&str]) -> FieldRead {
    FieldRead {
        field: field.name.clone(),
        pointer: path.map(|i| field.paths[i].as_str().to_string()),
        raw: all.first().map(|t| (*t).to_string()),
        value: all
            .first()
            .and_then(|t| text::apply(&field.steps, t))
            .map(Cow::into_owned),
        note: (!all.is_empty()).then(|| format!("list field, {} values read: {all:?}", all.len())),
    }
}

/// The `[[message]]` entries in file order, once no code-based candidate matched: the first
/// whose conditions hold and whose text field (folded) matches decides.
fn messages<'e>(
    p: &'e Provider,
    values: &Texts<'_>,
    decider: &mut Decider<'e>,
    observer: &mut impl Observer,
) {
    for message in &p.messages {
        let name = &message.entry.id;
        if let Some((fi, m)) = message
            .conditions
            .iter()
            .find(|(fi, m)| !m.holds(values.of(*fi)))
        {
            observer.step(|| {
                let why = condition_failed(p, values, *fi, m);
                TraceStep::no_match(StepKind::Message, name, None, why)
            });
            continue;
        }
        let found = values
            .of(message.field)
            .find(|v| message.text.matches(&text::fold(v)));
        match found {
            Some(v) => {
                let at = observer.step(|| {
                    let why = format!("the text {}", message.text.describe());
                    TraceStep::matched(StepKind::Message, name, Some(v), &message.entry, &why)
                });
                if decider.offer(hit_of(message), at) {
                    return;
                }
            }
            None => {
                observer.step(|| {
                    let field = &p.fields[message.field].name;
                    let why = match values.of(message.field).next() {
                        None => format!("field `{field}` has no value"),
                        Some(v) => format!("{v:?} does not: {}", message.text.describe()),
                    };
                    TraceStep::no_match(StepKind::Message, name, None, why)
                });
            }
        }
    }
}

fn hit_of(message: &Message) -> Hit<'_> {
    Hit {
        entry: &message.entry,
        via: None,
    }
}
