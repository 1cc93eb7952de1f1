//! Checks shared by mapping files and decision files: normalization steps, matchers, and
//! "can this text ever match" (`key-not-normalized`).

use std::collections::HashSet;
use std::ops::Range;

use toml::Spanned;

use crate::diagnostic::{DiagCode, Diagnostic};
use crate::format::STEP_HELP;
use crate::format::mapping::{RawMatcher, RawStep};
use crate::text::{self, Matcher, Step};

/// Collects the diagnostics of one file.
pub(crate) struct Problems<'a> {
    pub(crate) file: &'a str,
    pub(crate) items: Vec<Diagnostic>,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(file: &'a str) -> Self {
        Problems {
            file,
            items: Vec::new(),
        }
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
            RawStep::Capture(c) => match text::build_regex(&c.capture) {
                Ok(re) if re.captures_len() > 1 => Ok(Step::Capture(re)),
                Ok(_) => Err((
                    DiagCode::CaptureWithoutGroup,
                    format!("capture regex `{}` has no capture group", c.capture),
                    Some("wrap the part to keep in parentheses: `^(\\w{2}) :`"),
                )),
                Err(e) => Err((
                    DiagCode::InvalidRegex,
                    format!("invalid capture regex: {}", reason_line(&e.to_string())),
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

    /// Validates a rule condition on a field normalized by `steps`.
    pub(crate) fn matcher(
        &mut self,
        steps: &[Step],
        owner: &str,
        m: &Spanned<RawMatcher>,
    ) -> Option<Matcher> {
        let span = m.span();
        match m.get_ref() {
            RawMatcher::Exact(s) => self
                .check_normalized(steps, owner, s, span, "matcher text")
                .then(|| Matcher::Exact(s.clone())),
            RawMatcher::OneOf(o) => self.one_of(steps, owner, &o.one_of, span),
            RawMatcher::Prefix(p) => Some(Matcher::Prefix(p.prefix.clone())),
            RawMatcher::Regex(r) => match text::build_regex(&r.regex) {
                Ok(re) => Some(Matcher::Regex(re)),
                Err(e) => {
                    self.at(
                        DiagCode::InvalidRegex,
                        span,
                        format!("invalid regex: {}", reason_line(&e.to_string())),
                    );
                    None
                }
            },
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
