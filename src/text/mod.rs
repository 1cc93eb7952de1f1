//! Text logic a mapping file can ask for: value normalization steps (`normalize = [...]` on
//! a field and a decision table) and condition matchers (`when = {...}` in a rule).
//!
//! Both are built by the validator (regexes are compiled there, with size limits) and used
//! unchanged on the hot path.

use std::borrow::Cow;

use regex::{Regex, RegexBuilder};

/// Compiled-regex size limit for patterns from mapping files (bytes of compiled program).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a mapping-file regex with the project's size limits.
pub fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// One normalization step.
#[derive(Debug, Clone)]
pub enum Step {
    /// Removes leading and trailing white space.
    Trim,
    /// Unicode lowercase.
    Lowercase,
    /// Unicode uppercase.
    Uppercase,
    /// Left-pads to `width` characters with `fill`.
    PadLeft { width: usize, fill: char },
    /// Keeps capture group 1 of the first match; no match means no value.
    Capture(Regex),
}

/// Applies `steps` in order. `None` when a capture did not match or the result is empty.
pub fn apply<'a>(steps: &[Step], text: &'a str) -> Option<Cow<'a, str>> {
    let mut value = Cow::Borrowed(text);
    for step in steps {
        value = match step {
            Step::Trim => match value {
                Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
                Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
            },
            Step::Lowercase => {
                let change = if value.is_ascii() {
                    value.bytes().any(|b| b.is_ascii_uppercase())
                } else {
                    value.chars().any(|c| c.is_uppercase())
                };
                if change {
                    Cow::Owned(value.to_lowercase())
                } else {
                    value
                }
            }
            Step::Uppercase => {
                let change = if value.is_ascii() {
                    value.bytes().any(|b| b.is_ascii_lowercase())
                } else {
                    value.chars().any(|c| c.is_lowercase())
                };
                if change {
                    Cow::Owned(value.to_uppercase())
                } else {
                    value
                }
            }
            Step::PadLeft { width, fill } => {
                let len = value.chars().count();
                if len >= *width {
                    value
                } else {
                    let mut s = String::with_capacity(*width + value.len());
                    s.extend(std::iter::repeat_n(*fill, width - len));
                    s.push_str(&value);
                    Cow::Owned(s)
                }
            }
            Step::Capture(re) => {
                let group = re.captures(&value)?.get(1)?;
                match value {
                    Cow::Borrowed(s) => Cow::Borrowed(&s[group.range()]),
                    Cow::Owned(ref s) => Cow::Owned(s[group.range()].to_string()),
                }
            }
        };
        // Empty after any step is no value: a blank code must not be padded into "00".
        if value.is_empty() {
            return None;
        }
    }
    if value.is_empty() { None } else { Some(value) }
}

/// A condition on one field's (normalized) value.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Equal to the text.
    Exact(String),
    /// Equal to one of the texts.
    OneOf(Vec<String>),
    /// Starts with the text.
    Prefix(String),
    /// Matches the regex.
    Regex(Regex),
    /// A whole number within the bounds, inclusive.
    Range(i64, i64),
}

impl Matcher {
    /// Whether `value` satisfies the condition.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::Exact(s) => value == s,
            Matcher::OneOf(list) => list.iter().any(|s| s == value),
            Matcher::Prefix(p) => value.starts_with(p.as_str()),
            Matcher::Regex(re) => re.is_match(value),
            Matcher::Range(lo, hi) => {
                parse_whole_number(value).is_some_and(|n| *lo <= n && n <= *hi)
            }
        }
    }

    /// A short description for traces: `= "x"`, `one of [...]`, `prefix "x"`, ...
    pub fn describe(&self) -> String {
        match self {
            Matcher::Exact(s) => format!("= {s:?}"),
            Matcher::OneOf(list) => format!("one of {list:?}"),
            Matcher::Prefix(p) => format!("starts with {p:?}"),
            Matcher::Regex(re) => format!("matches /{}/", re.as_str()),
            Matcher::Range(lo, hi) => format!("in {lo}..={hi}"),
        }
    }
}

/// An optional sign followed by ASCII digits only (no spaces, no decimals).
fn parse_whole_number(value: &str) -> Option<i64> {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pad2() -> Step {
        Step::PadLeft {
            width: 2,
            fill: '0',
        }
    }

    #[test]
    fn steps_apply_in_order() {
        let steps = [Step::Trim, Step::Uppercase, pad2()];
        assert_eq!(apply(&steps, " 5 ").as_deref(), Some("05"));
        assert_eq!(apply(&steps, "n7").as_deref(), Some("N7"));
        assert_eq!(apply(&steps, "123").as_deref(), Some("123"));
        assert_eq!(apply(&steps, "   "), None, "blank is no value, not \"00\"");
        assert_eq!(apply(&steps, ""), None);
        assert_eq!(
            apply(&[Step::Lowercase], "Card_Declined").as_deref(),
            Some("card_declined")
        );
    }

    #[test]
    fn capture_keeps_group_one_or_gives_no_value() {
        let steps = [
            Step::Trim,
            Step::Capture(build_regex(r"^([0-9A-Za-z]{1,2})\s*:").unwrap()),
        ];
        assert_eq!(
            apply(&steps, " 51 : Insufficient funds").as_deref(),
            Some("51")
        );
        assert_eq!(apply(&steps, "Refused"), None);
    }

    #[test]
    fn oversized_regexes_are_refused() {
        let err = build_regex(r"(\w{100}){100}").unwrap_err();
        assert!(err.to_string().contains("exceeds size limit"), "{err}");
        assert!(build_regex(r"^2[0-9]{3}$").is_ok());
    }

    #[test]
    fn matchers() {
        assert!(Matcher::Range(2109, 2999).matches("2500"));
        assert!(Matcher::Range(2109, 2999).matches("2109"));
        assert!(!Matcher::Range(2109, 2999).matches("2108"));
        assert!(!Matcher::Range(2109, 2999).matches("25OO"));
        assert!(!Matcher::Range(2109, 2999).matches(" 2500"));
        assert!(!Matcher::Range(0, 10).matches("99999999999999999999999"));
        assert!(Matcher::Prefix("20".into()).matches("20051"));
        assert!(!Matcher::Prefix("20".into()).matches("30051"));
        assert!(Matcher::OneOf(vec!["a".into(), "b".into()]).matches("b"));
        assert!(!Matcher::Exact("a".into()).matches("A"));
        assert!(Matcher::Regex(build_regex("^2[0-9]{3}$").unwrap()).matches("2001"));
    }
}
