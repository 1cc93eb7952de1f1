//! Checks shared by mapping files and decision files: normalization steps, matchers, and
//! "can this text ever match" (`key-not-normalized`).

use std::cell::Cell;
use std::collections::HashSet;
use std::ops::Range;

use toml::Spanned;

use crate::diagnostic::{DiagCode, Diagnostic};
use crate::format::STEP_HELP;
use crate::format::mapping::{RawMatcher, RawStep};
use crate::text::{self, Matcher, Regex, Step};

/// The compiled-regex memory one mapping set may take, all files and layers together. Each
/// regex is also held to [`text::REGEX_SIZE_LIMIT`]; this bounds their sum, so a set of many
/// regexes each under the limit cannot cost gigabytes and seconds to load. The built-in set
/// takes about 30 KiB.
pub const REGEX_SET_BUDGET: usize = 32 << 20;

/// The compiled-regex memory spent so far while loading one set.
pub(crate) struct RegexBudget {
    used: Cell<usize>,
    limit: usize,
}

impl RegexBudget {
    pub(crate) fn new(limit: usize) -> Self {
        RegexBudget {
            used: Cell::new(0),
            limit,
        }
    }

    /// Bytes spent so far.
    pub(crate) fn used(&self) -> usize {
        self.used.get()
    }

    fn exhausted(&self) -> bool {
        self.used.get() > self.limit
    }
}

/// Collects the diagnostics of one file.
pub(crate) struct Problems<'a> {
    pub(crate) file: &'a str,
    pub(crate) items: Vec<Diagnostic>,
    budget: &'a RegexBudget,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(file: &'a str, budget: &'a RegexBudget) -> Self {
        Problems {
            file,
            items: Vec::new(),
            budget,
        }
    }

    /// Compiles a regex of this file within the set's budget. Once the budget is spent, no
    /// further regex is compiled (that is what bounds the cost); the one that crossed it is
    /// the diagnostic.
    fn regex(&mut self, pattern: &str, span: Range<usize>) -> Result<Option<Regex>, String> {
        if self.budget.exhausted() {
            return Ok(None);
        }
        let re = text::build_regex(pattern)?;
        let used = self.budget.used.get() + re.memory_usage();
        self.budget.used.set(used);
        if used <= self.budget.limit {
            return Ok(Some(re));
        }
        self.at(
            DiagCode::RegexBudget,
            span,
            format!(
                "the mapping set's regexes take more than {} MiB compiled (this one {} KiB); \
                 later regexes were not compiled",
                self.budget.limit >> 20,
                re.memory_usage() >> 10
            ),
        )
        .help = Some(
            "match exact values, `one_of` or `prefix` where they do; `\\w`, `\\d` and `.` \
             are Unicode classes, and a repeat `{n}` copies its class n times: write \
             `[0-9A-Za-z_]` or `(?-u:\\w)` for ASCII"
                .into(),
        );
        Ok(None)
    }

    /// Records a problem at `span`; the returned diagnostic can take a help line.
    pub(crate) fn at(
        &mut self,
        code: DiagCode,
        span: Range<usize>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.items
            .push(Diagnostic::new(code, self.file, Some(span), msg));
        self.items.last_mut().expect("just pushed")
    }

    /// `Ok(value)` when nothing was recorded, else every problem.
    pub(crate) fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<Diagnostic>> {
        if self.items.is_empty() {
            Ok(value())
        } else {
            Err(self.items)
        }
    }

    /// Validates normalization steps, keeping the valid ones.
    pub(crate) fn steps(&mut self, raw: &[Spanned<RawStep>]) -> Vec<Step> {
        raw.iter().filter_map(|s| self.step(s)).collect()
    }

    fn step(&mut self, s: &Spanned<RawStep>) -> Option<Step> {
        let span = s.span();
        let result = match s.get_ref() {
            RawStep::Named(n) => match n.as_str() {
                "trim" => Ok(Step::Trim),
                "lowercase" => Ok(Step::Lowercase),
                "uppercase" => Ok(Step::Uppercase),
                other => Err((
                    DiagCode::InvalidValue,
                    format!("unknown normalization step `{other}`"),
                    Some(STEP_HELP),
                )),
            },
            RawStep::PadLeft(p) => {
                let mut chars = p.fill.chars();
                match (chars.next(), chars.next()) {
                    (Some(fill), None) if p.pad_left <= 64 => Ok(Step::PadLeft {
                        width: p.pad_left,
                        fill,
                    }),
                    (Some(_), None) => Err((
                        DiagCode::InvalidValue,
                        format!("pad_left = {} is too wide (at most 64)", p.pad_left),
                        None,
                    )),
                    _ => Err((
                        DiagCode::InvalidValue,
                        format!("fill must be exactly one character, not {:?}", p.fill),
                        None,
                    )),
                }
            }
            RawStep::Capture(c) => match self.regex(&c.capture, span.clone()) {
                Ok(None) => return None,
                Ok(Some(re)) if re.captures_len() > 1 => Ok(Step::Capture(re)),
                Ok(Some(_)) => Err((
                    DiagCode::CaptureWithoutGroup,
                    format!("capture regex `{}` has no capture group", c.capture),
                    Some("wrap the part to keep in parentheses: `^(\\w{2}) :`"),
                )),
                Err(e) => Err((
                    DiagCode::InvalidRegex,
                    format!("invalid capture regex: {}", reason_line(&e)),
                    None,
                )),
            },
        };
        match result {
            Ok(step) => Some(step),
            Err((code, msg, help)) => {
                let d = self.at(code, span, msg);
                d.help = help.map(str::to_string);
                None
            }
        }
    }

    /// Reports `text` if normalizing with `steps` would change it (it could never match).
    /// `owner` names what normalizes, for the help line: "field `code`".
    pub(crate) fn check_normalized(
        &mut self,
        steps: &[Step],
        owner: &str,
        text: &str,
        span: Range<usize>,
        what: &str,
    ) -> bool {
        // Capture steps make the form depend on the whole raw text: skip the check there.
        if steps.iter().any(|s| matches!(s, Step::Capture(_))) {
            return true;
        }
        let normalized = text::apply(steps, text);
        if normalized.as_deref() == Some(text) {
            return true;
        }
        let help = match normalized {
            Some(n) => format!("{owner} normalizes values, so write {n:?}"),
            None => format!("{owner} never produces an empty value"),
        };
        self.at(
            DiagCode::KeyNotNormalized,
            span,
            format!("{what} {text:?} is not in normalized form and can never match"),
        )
        .help = Some(help);
        false
    }

    /// Reports a `prefix` that no normalized value can start with: one in another case than
    /// the field's `lowercase`/`uppercase`, or with leading white space on a trimmed field
    /// (trailing white space can still match the middle of a value), or an empty one.
    fn check_prefix_normalized(
        &mut self,
        steps: &[Step],
        owner: &str,
        prefix: &str,
        span: Range<usize>,
    ) -> bool {
        if prefix.is_empty() {
            self.at(
                DiagCode::InvalidValue,
                span,
                "an empty `prefix` matches every value",
            );
            return false;
        }
        if steps.iter().any(|s| matches!(s, Step::Capture(_))) {
            return true;
        }
        let mut form = prefix.to_string();
        for step in steps {
            form = match step {
                Step::Trim => form.trim_start().to_string(),
                Step::Lowercase => form.to_lowercase(),
                Step::Uppercase => form.to_uppercase(),
                Step::PadLeft { .. } | Step::Capture(_) => form,
            };
        }
        if form == prefix {
            return true;
        }
        self.at(
            DiagCode::KeyNotNormalized,
            span,
            format!("prefix {prefix:?} is not in normalized form and can never match"),
        )
        .help = Some(format!("{owner} normalizes values, so write {form:?}"));
        false
    }

    /// A `regex` matcher's regex, or a diagnostic at `span`.
    pub(crate) fn regex_matcher(&mut self, pattern: &str, span: Range<usize>) -> Option<Regex> {
        match self.regex(pattern, span.clone()) {
            Ok(re) => re,
            Err(e) => {
                self.at(
                    DiagCode::InvalidRegex,
                    span,
                    format!("invalid regex: {}", reason_line(&e)),
                );
                None
            }
        }
    }

    /// Validates a rule condition on a field normalized by `steps`.
    pub(crate) fn matcher(
        &mut self,
        steps: &[Step],
        owner: &str,
        m: &Spanned<RawMatcher>,
    ) -> Option<Matcher> {
        self.matcher_at(steps, owner, m.get_ref(), m.span())
    }

    /// [`Problems::matcher`] on a matcher without a span of its own (inside `not`): its
    /// problems point at `span`.
    fn matcher_at(
        &mut self,
        steps: &[Step],
        owner: &str,
        m: &RawMatcher,
        span: Range<usize>,
    ) -> Option<Matcher> {
        match m {
            RawMatcher::Exact(s) => self
                .check_normalized(steps, owner, s, span, "matcher text")
                .then(|| Matcher::Exact(s.clone())),
            RawMatcher::OneOf(o) => self.one_of(steps, owner, &o.one_of, span),
            RawMatcher::Prefix(p) => self
                .check_prefix_normalized(steps, owner, &p.prefix, span)
                .then(|| Matcher::Prefix(p.prefix.clone())),
            RawMatcher::Regex(r) => self.regex_matcher(&r.regex, span).map(Matcher::Regex),
            RawMatcher::Range(r) => {
                let [lo, hi] = r.range;
                if lo > hi {
                    self.at(
                        DiagCode::InvalidRange,
                        span,
                        format!("range [{lo}, {hi}] is empty: the lower bound is above the upper"),
                    );
                    None
                } else {
                    Some(Matcher::Range(lo, hi))
                }
            }
            RawMatcher::Present(p) => Some(Matcher::Present(p.present)),
            RawMatcher::Not(n) => self
                .matcher_at(steps, owner, &n.not, span)
                .map(|m| Matcher::Not(Box::new(m))),
        }
    }

    fn one_of(
        &mut self,
        steps: &[Step],
        owner: &str,
        list: &[String],
        span: Range<usize>,
    ) -> Option<Matcher> {
        let mut ok = !list.is_empty();
        if !ok {
            self.at(DiagCode::InvalidValue, span.clone(), "`one_of` is empty");
        }
        let mut seen = HashSet::new();
        for s in list {
            ok &= self.check_normalized(steps, owner, s, span.clone(), "one_of value");
            if !seen.insert(s) {
                self.at(
                    DiagCode::DuplicateEntry,
                    span.clone(),
                    format!("`one_of` lists {s:?} twice"),
                );
                ok = false;
            }
        }
        ok.then(|| Matcher::OneOf(list.to_vec()))
    }
}

/// The regex crate's message is several lines with a pointer; its last line is the reason.
fn reason_line(s: &str) -> String {
    let last = s
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}
