//! Phase 2: one raw mapping file → a [`ProviderSpec`], or every problem found in it.
//!
//! Parsing stops at the first TOML syntax or shape error (that is serde's contract); all
//! other checks run to the end and collect every problem, each with a span.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use toml::Spanned;

use super::raw::{RawEntry, RawFile, RawMatcher, RawStep};
use super::{DelegateSpec, EntrySpec, FieldSpec, ProviderSpec, RuleSpec, TableRef};
use crate::catalog;
use crate::diagnostic::{DiagCode, Diagnostic};
use crate::steps::{self, Matcher, Step};

const STEP_HELP: &str = r#"a step is "trim", "lowercase", "uppercase", { pad_left = N, fill = "C" } or { capture = "REGEX" }"#;
const MATCHER_HELP: &str = r#"a matcher is "text", { one_of = [...] }, { prefix = "..." }, { regex = "..." } or { range = [lo, hi] }"#;

/// Validates one mapping file.
pub fn validate_file(file: &str, text: &str) -> Result<ProviderSpec, Vec<Diagnostic>> {
    if text.len() > super::MAX_FILE_BYTES {
        return Err(vec![Diagnostic::new(
            DiagCode::FileTooLarge,
            file,
            None,
            format!(
                "mapping file is {} bytes, more than the limit of {}",
                text.len(),
                super::MAX_FILE_BYTES
            ),
        )]);
    }
    let raw: RawFile = toml::from_str(text).map_err(|e| vec![toml_error(file, &e)])?;
    Validator {
        file,
        diags: Vec::new(),
    }
    .run(raw)
}

/// Turns a toml/serde error into a diagnostic with a stable code and a readable message.
pub(crate) fn toml_error(file: &str, e: &toml::de::Error) -> Diagnostic {
    let msg = e.message().trim().to_string();
    let (code, message, help) = if msg.contains("unknown field") {
        (
            DiagCode::UnknownKey,
            msg,
            Some("see docs/mapping-format.md for the keys of each table"),
        )
    } else if msg.contains("duplicate key") {
        (
            DiagCode::DuplicateEntry,
            msg,
            Some("each raw value has one entry; remove or merge the other"),
        )
    } else if msg.contains("untagged enum RawStep") {
        (
            DiagCode::InvalidValue,
            "invalid normalization step".to_string(),
            Some(STEP_HELP),
        )
    } else if msg.contains("untagged enum RawMatcher") {
        (
            DiagCode::InvalidValue,
            "invalid matcher".to_string(),
            Some(MATCHER_HELP),
        )
    } else if [
        "missing field",
        "invalid type",
        "invalid value",
        "invalid length",
    ]
    .iter()
    .any(|p| msg.contains(p))
    {
        (
            DiagCode::InvalidValue,
            msg,
            Some("see docs/mapping-format.md for the keys of each table"),
        )
    } else {
        (DiagCode::TomlSyntax, msg, None)
    };
    let d = Diagnostic::new(code, file, e.span(), message);
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

struct Validator<'a> {
    file: &'a str,
    diags: Vec<Diagnostic>,
}

fn is_id(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
}

impl Validator<'_> {
    fn err(
        &mut self,
        code: DiagCode,
        span: Range<usize>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::new(code, self.file, Some(span), msg));
        self.diags.last_mut().expect("just pushed")
    }

    fn run(mut self, raw: RawFile) -> Result<ProviderSpec, Vec<Diagnostic>> {
        let p = raw.provider;
        let id = p.id.get_ref().clone();
        if !is_id(&id, &['_', '-']) {
            self.err(
                DiagCode::InvalidId,
                p.id.span(),
                format!("invalid provider id `{id}`"),
            )
            .help = Some("use lowercase letters, digits, `_` and `-`".into());
        }
        if p.sources.get_ref().is_empty() {
            self.err(
                DiagCode::InvalidValue,
                p.sources.span(),
                "`sources` is empty",
            )
            .help = Some("name the published code list this file follows".into());
        }
        let fallback = match &p.fallback {
            Some(f) => self.catalog_code(f).unwrap_or(catalog::DEFAULT_FALLBACK),
            None => catalog::DEFAULT_FALLBACK,
        };

        // Fields.
        let mut fields: Vec<FieldSpec> = Vec::new();
        let mut names = HashSet::new();
        if raw.field.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    DiagCode::InvalidValue,
                    self.file,
                    Some(p.id.span()),
                    "the file declares no `[[field]]`",
                )
                .with_help("declare at least one field to read from the response"),
            );
        }
        for f in raw.field {
            let name = f.name.get_ref().clone();
            let valid_name =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid_name {
                self.err(
                    DiagCode::InvalidId,
                    f.name.span(),
                    format!("invalid field name `{name}`"),
                )
                .help = Some("use ASCII letters, digits and `_`".into());
            }
            if !names.insert(name.clone()) {
                self.err(
                    DiagCode::DuplicateEntry,
                    f.name.span(),
                    format!("field `{name}` is declared twice"),
                );
            }
            if f.paths.get_ref().is_empty() {
                self.err(
                    DiagCode::InvalidValue,
                    f.paths.span(),
                    format!("field `{name}` has no `paths`"),
                );
            }
            for path in f.paths.get_ref() {
                let s = path.get_ref();
                if !(s.is_empty() || s.starts_with('/')) {
                    self.err(
                        DiagCode::InvalidPointer,
                        path.span(),
                        format!("`{s}` is not a JSON pointer"),
                    )
                    .help = Some(format!(
                        "JSON pointers start with `/`: \"/{}\"",
                        s.trim_start_matches(['.', '$'])
                    ));
                }
            }
            let steps = f.normalize.iter().filter_map(|s| self.step(s)).collect();
            let delegate = f.delegate.map(|d| {
                let span = d.span();
                let d = d.into_inner();
                DelegateSpec {
                    provider: d.provider,
                    field: d.field,
                    span,
                }
            });
            fields.push(FieldSpec {
                name,
                paths: f
                    .paths
                    .into_inner()
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect(),
                steps,
                delegate,
                advice: f.advice.map(|a| TableRef {
                    span: a.span(),
                    id: a.into_inner(),
                }),
                network_rules: f.network_rules.map(|a| TableRef {
                    span: a.span(),
                    id: a.into_inner(),
                }),
                table: Vec::new(),
            });
        }

        // Rules.
        let mut rules = Vec::new();
        let mut rule_ids = HashSet::new();
        for r in raw.rule {
            let rid = r.id.get_ref().clone();
            if !is_id(&rid, &['_', '-', '.']) {
                self.err(
                    DiagCode::InvalidId,
                    r.id.span(),
                    format!("invalid rule id `{rid}`"),
                )
                .help = Some("use lowercase letters, digits, `_`, `-` and `.`".into());
            }
            if !rule_ids.insert(rid.clone()) {
                self.err(
                    DiagCode::DuplicateEntry,
                    r.id.span(),
                    format!("rule id `{rid}` is used twice"),
                );
            }
            if r.when.get_ref().is_empty() {
                self.err(
                    DiagCode::InvalidValue,
                    r.when.span(),
                    format!("rule `{rid}` has no conditions"),
                );
            }
            let mut conditions = Vec::new();
            for (fname, m) in r.when.get_ref() {
                let Some(fi) = self.field_index(&fields, fname, "rule condition") else {
                    continue;
                };
                if let Some(matcher) = self.matcher(&fields[fi], m) {
                    conditions.push((fi, matcher));
                }
            }
            conditions.sort_by_key(|(fi, _)| *fi);
            let code = self.catalog_code(&r.code);
            if let Some(code) = code {
                rules.push(RuleSpec {
                    entry: EntrySpec {
                        id: format!("{id}/rule/{rid}"),
                        code,
                        desc: r.desc,
                        generic: r.generic,
                        note: r.note,
                        decline_type: r.decline_type,
                        action: r.action,
                    },
                    conditions,
                });
            }
        }

        // Values tables.
        for (fname, table) in raw.values {
            let Some(fi) = self.field_index(&fields, &fname, "values table") else {
                continue;
            };
            let entries = self.table(&id, &fields[fi], table);
            fields[fi].table = entries;
        }

        if self.diags.is_empty() {
            Ok(ProviderSpec {
                file: self.file.to_string(),
                id,
                name: p.name,
                sources: p.sources.into_inner(),
                edition: p.edition,
                fallback,
                fields,
                rules,
                id_span: p.id.span(),
            })
        } else {
            Err(self.diags)
        }
    }

    fn catalog_code(&mut self, code: &Spanned<i64>) -> Option<u32> {
        let c = *code.get_ref();
        match u32::try_from(c)
            .ok()
            .filter(|c| catalog::lookup(*c).is_some())
        {
            Some(c) => Some(c),
            None => {
                self.err(
                    DiagCode::UnknownCatalogCode,
                    code.span(),
                    format!("{c} is not a catalog code"),
                )
                .help = Some("`paynorm catalog` lists the codes; 100999 is \"Other error\"".into());
                None
            }
        }
    }

    fn field_index(
        &mut self,
        fields: &[FieldSpec],
        name: &Spanned<String>,
        what: &str,
    ) -> Option<usize> {
        let found = fields.iter().position(|f| &f.name == name.get_ref());
        if found.is_none() {
            let declared: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
            self.err(
                DiagCode::UndeclaredField,
                name.span(),
                format!(
                    "{what} names field `{}`, which no `[[field]]` declares",
                    name.get_ref()
                ),
            )
            .help = Some(format!("declared fields: {}", declared.join(", ")));
        }
        found
    }

    fn step(&mut self, s: &Spanned<RawStep>) -> Option<Step> {
        step(self.file, s, &mut self.diags)
    }

    /// Reports `text` if the field's normalization would change it (it could never match).
    fn check_normalized(
        &mut self,
        field: &FieldSpec,
        text: &str,
        span: Range<usize>,
        what: &str,
    ) -> bool {
        // Capture steps make the form depend on the whole raw text: skip the check there.
        if field.steps.iter().any(|s| matches!(s, Step::Capture(_))) {
            return true;
        }
        let normalized = steps::apply(&field.steps, text);
        if normalized.as_deref() == Some(text) {
            return true;
        }
        let help = match normalized {
            Some(n) => format!("field `{}` normalizes values, so write {n:?}", field.name),
            None => format!("field `{}` never produces an empty value", field.name),
        };
        self.err(
            DiagCode::KeyNotNormalized,
            span,
            format!("{what} {text:?} is not in normalized form and can never match"),
        )
        .help = Some(help);
        false
    }

    fn matcher(&mut self, field: &FieldSpec, m: &Spanned<RawMatcher>) -> Option<Matcher> {
        let span = m.span();
        match m.get_ref() {
            RawMatcher::Exact(s) => self
                .check_normalized(field, s, span, "matcher text")
                .then(|| Matcher::Exact(s.clone())),
            RawMatcher::OneOf(o) => {
                let mut ok = !o.one_of.is_empty();
                if !ok {
                    self.err(DiagCode::InvalidValue, span.clone(), "`one_of` is empty");
                }
                let mut seen = HashSet::new();
                for s in &o.one_of {
                    ok &= self.check_normalized(field, s, span.clone(), "one_of value");
                    if !seen.insert(s) {
                        self.err(
                            DiagCode::DuplicateEntry,
                            span.clone(),
                            format!("`one_of` lists {s:?} twice"),
                        );
                        ok = false;
                    }
                }
                ok.then(|| Matcher::OneOf(o.one_of.clone()))
            }
            RawMatcher::Prefix(p) => Some(Matcher::Prefix(p.prefix.clone())),
            RawMatcher::Regex(r) => match steps::build_regex(&r.regex) {
                Ok(re) => Some(Matcher::Regex(re)),
                Err(e) => {
                    self.err(
                        DiagCode::InvalidRegex,
                        span,
                        format!("invalid regex: {}", first_line(&e.to_string())),
                    );
                    None
                }
            },
            RawMatcher::Range(r) => {
                let [lo, hi] = r.range;
                if lo > hi {
                    self.err(
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

    fn table(
        &mut self,
        provider: &str,
        field: &FieldSpec,
        table: BTreeMap<Spanned<String>, Spanned<RawEntry>>,
    ) -> Vec<(String, EntrySpec)> {
        let mut out = Vec::with_capacity(table.len());
        for (key, entry) in table {
            let normalized = self.check_normalized(field, key.get_ref(), key.span(), "table key");
            let e = entry.into_inner();
            let code = self.catalog_code(&e.code);
            if let (true, Some(code)) = (normalized, code) {
                let key = key.into_inner();
                out.push((
                    key.clone(),
                    EntrySpec {
                        id: format!("{provider}/{}/{key}", field.name),
                        code,
                        desc: e.desc,
                        generic: e.generic,
                        note: e.note,
                        decline_type: e.decline_type,
                        action: e.action,
                    },
                ));
            }
        }
        out
    }
}

/// The regex crate's message is several lines with a pointer; keep its last line, the reason.
fn first_line(s: &str) -> String {
    let last = s
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

/// Validates one normalization step (shared with decision tables).
pub(crate) fn step(file: &str, s: &Spanned<RawStep>, diags: &mut Vec<Diagnostic>) -> Option<Step> {
    let span = s.span();
    let problem =
        |code: DiagCode, msg: String| Diagnostic::new(code, file, Some(span.clone()), msg);
    let result = match s.get_ref() {
        RawStep::Named(n) => match n.as_str() {
            "trim" => Ok(Step::Trim),
            "lowercase" => Ok(Step::Lowercase),
            "uppercase" => Ok(Step::Uppercase),
            other => Err(problem(
                DiagCode::InvalidValue,
                format!("unknown normalization step `{other}`"),
            )
            .with_help(STEP_HELP)),
        },
        RawStep::PadLeft(p) => {
            let mut chars = p.fill.chars();
            match (chars.next(), chars.next()) {
                (Some(fill), None) if p.pad_left <= 64 => Ok(Step::PadLeft {
                    width: p.pad_left,
                    fill,
                }),
                (Some(_), None) => Err(problem(
                    DiagCode::InvalidValue,
                    format!("pad_left = {} is too wide (at most 64)", p.pad_left),
                )),
                _ => Err(problem(
                    DiagCode::InvalidValue,
                    format!("fill must be exactly one character, not {:?}", p.fill),
                )),
            }
        }
        RawStep::Capture(c) => match steps::build_regex(&c.capture) {
            Ok(re) if re.captures_len() > 1 => Ok(Step::Capture(re)),
            Ok(_) => Err(problem(
                DiagCode::CaptureWithoutGroup,
                format!("capture regex `{}` has no capture group", c.capture),
            )
            .with_help("wrap the part to keep in parentheses: `^(\\w{2}) :`")),
            Err(e) => Err(problem(
                DiagCode::InvalidRegex,
                format!("invalid capture regex: {}", first_line(&e.to_string())),
            )),
        },
    };
    result.map_err(|d| diags.push(d)).ok()
}
