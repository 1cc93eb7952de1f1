//! Text logic a mapping file can ask for: value normalization steps (`normalize = [...]` on
//! a field and a decision table) and condition matchers (`when = {...}` in a rule).
//!
//! Both are built by the validator (regexes are compiled there, with size limits) and used
//! unchanged on the hot path.

use std::borrow::Cow;

use regex_automata::meta;

/// Compiled-regex size limit for patterns from mapping files (bytes of compiled program).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A mapping file's regex: the compiled matcher (regex-automata's meta engine, the one under
/// the `regex` crate, used directly because it reports its memory) and its pattern.
#[derive(Debug, Clone)]
pub struct Regex {
    meta: meta::Regex,
    pattern: String,
}

impl Regex {
    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// True when the regex matches somewhere in `text`.
    #[inline]
    pub fn is_match(&self, text: &str) -> bool {
        self.meta.is_match(text)
    }

    /// The number of groups, the whole match included.
    pub fn captures_len(&self) -> usize {
        self.meta.captures_len()
    }

    /// Where capture group 1 of the first match is.
    pub fn group1(&self, text: &str) -> Option<std::ops::Range<usize>> {
        let mut slots = [None; 4];
        self.meta
            .search_slots(&regex_automata::Input::new(text), &mut slots)?;
        Some(slots[2]?.get()..slots[3]?.get())
    }

    /// Heap bytes the compiled regex holds (for the mapping set's budget).
    pub fn memory_usage(&self) -> usize {
        self.meta.memory_usage()
    }
}

/// Compiles a mapping-file regex with the project's size limits (the settings the `regex`
/// crate's builder gives with `size_limit` and `dfa_size_limit`), with its error messages.
pub fn build_regex(pattern: &str) -> Result<Regex, String> {
    let config = meta::Config::new()
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .onepass_size_limit(Some(REGEX_SIZE_LIMIT))
        .dfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .hybrid_cache_capacity(REGEX_SIZE_LIMIT);
    match meta::Builder::new().configure(config).build(pattern) {
        Ok(meta) => Ok(Regex {
            meta,
            pattern: pattern.to_string(),
        }),
        Err(e) => Err(match (e.size_limit(), e.syntax_error()) {
            (Some(limit), _) => format!("Compiled regex exceeds size limit of {limit} bytes."),
            (None, Some(syntax)) => syntax.to_string(),
            (None, None) => e.to_string(),
        }),
    }
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
                let group = re.group1(&value)?;
                match value {
                    Cow::Borrowed(s) => Cow::Borrowed(&s[group]),
                    Cow::Owned(ref s) => Cow::Owned(s[group].to_string()),
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
    /// `{ present = true }`: the field has a value; `false`: it has none.
    Present(bool),
    /// `{ not = M }`: no value of the field satisfies `M` (so also when it has none).
    Not(Box<Matcher>),
}

impl Matcher {
    /// Whether a field with these `values` (none, one, or a list field's several) satisfies
    /// the condition: a value condition holds when any value satisfies it; `present` looks at
    /// whether there is a value; `not` holds when its condition does not.
    pub fn holds<'a>(&self, mut values: impl Iterator<Item = &'a str>) -> bool {
        match self {
            Matcher::Present(present) => values.next().is_some() == *present,
            Matcher::Not(inner) => !inner.holds(values),
            _ => values.any(|v| self.matches(v)),
        }
    }

    /// True when the condition can hold for a field without a value (`present = false`,
    /// `not ...`): such a condition cannot be a rule's only kind of condition.
    pub fn holds_without_value(&self) -> bool {
        self.holds(std::iter::empty())
    }

    /// Whether one value satisfies the condition.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Matcher::Present(present) => *present,
            Matcher::Not(inner) => !inner.matches(value),
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
            Matcher::Present(true) => "has a value".into(),
            Matcher::Present(false) => "has no value".into(),
            Matcher::Not(inner) => format!("not ({})", inner.describe()),
        }
    }
}

/// How a `[[message]]` entry reads a free text, always on its folded form ([`fold`]).
#[derive(Debug, Clone)]
pub enum TextMatch {
    /// The folded text contains this folded text.
    Contains(String),
    /// Every one of these folded words is a word of the text (any order).
    Words(Vec<String>),
    /// The folded text matches the regex.
    Regex(Regex),
}

impl TextMatch {
    /// Whether the folded `text` matches.
    pub fn matches(&self, folded: &str) -> bool {
        match self {
            TextMatch::Contains(needle) => folded.contains(needle.as_str()),
            TextMatch::Words(words) => {
                let have = || folded.split(|c: char| !c.is_alphanumeric() && c != '_');
                words.iter().all(|w| have().any(|h| h == w))
            }
            TextMatch::Regex(re) => re.is_match(folded),
        }
    }

    /// A short description for traces.
    pub fn describe(&self) -> String {
        match self {
            TextMatch::Contains(n) => format!("contains {n:?}"),
            TextMatch::Words(w) => format!("has the words {w:?}"),
            TextMatch::Regex(re) => format!("matches /{}/", re.as_str()),
        }
    }
}

/// A free text as message entries read it: lowercase, every run of white space one space,
/// no white space at either end (`"No  such\ncharge "` → `"no such charge"`).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
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
        assert_eq!(
            err,
            format!("Compiled regex exceeds size limit of {REGEX_SIZE_LIMIT} bytes.")
        );
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
