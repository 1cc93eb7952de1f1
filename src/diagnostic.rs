//! Diagnostics: problems found in mapping files, as data.
//!
//! The loader and validator return a list of [`Diagnostic`]s; nothing here prints. A
//! [`Diagnostics`] value owns the source texts the spans point into, so it can render itself
//! for people ([`Diagnostics::render`], with a snippet and a caret) or for tools
//! ([`Diagnostics::to_json`]). The codes are stable and documented in `docs/mapping-format.md`.

use std::fmt;
use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

/// Declares [`DiagCode`] with its stable names and its registry in one list, so a new code
/// cannot be missing from [`DiagCode::ALL`] or lack a name.
macro_rules! diag_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// The stable kind of a diagnostic. Its kebab-case name is part of the public interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum DiagCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl DiagCode {
            /// Every code, in declaration order, for registry-wide tests and docs.
            pub const ALL: &'static [DiagCode] = &[$(DiagCode::$variant,)*];

            /// The stable kebab-case name, e.g. `unknown-catalog-code`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(DiagCode::$variant => $name,)*
                }
            }
        }
    };
}

diag_codes! {
    /// The file is not valid TOML.
    TomlSyntax => "toml-syntax",
    /// A key the format does not have.
    UnknownKey => "unknown-key",
    /// A key has a value of the wrong type or shape.
    InvalidValue => "invalid-value",
    /// `code` or `fallback` is not in the catalog.
    UnknownCatalogCode => "unknown-catalog-code",
    /// A `regex` or `capture` pattern does not compile.
    InvalidRegex => "invalid-regex",
    /// A `capture` pattern without a capture group.
    CaptureWithoutGroup => "capture-without-group",
    /// Two fields with one name, two rules with one id, a value listed twice.
    DuplicateEntry => "duplicate-entry",
    /// A table or condition names a field that is not declared.
    UndeclaredField => "undeclared-field",
    /// A key or matcher text that normalization would never produce.
    KeyNotNormalized => "key-not-normalized",
    /// A path that is not a JSON pointer.
    InvalidPointer => "invalid-pointer",
    /// A `range` whose bounds are reversed.
    InvalidRange => "invalid-range",
    /// An id or name with characters outside its allowed set.
    InvalidId => "invalid-id",
    /// Delegation to a provider or field that is not loaded.
    UnknownDelegate => "unknown-delegate",
    /// Delegations that form a loop.
    DelegationCycle => "delegation-cycle",
    /// Two files declare one provider id.
    DuplicateProvider => "duplicate-provider",
    /// A file could not be read.
    IoError => "io-error",
    /// A file is larger than the loader accepts.
    FileTooLarge => "file-too-large",
    /// The files of a mapping set together are larger than the loader accepts.
    SetTooLarge => "set-too-large",
    /// The set's compiled regexes together take more memory than the load budget.
    RegexBudget => "regex-budget",
    /// A field read by `[[message]]` entries (free text) used as a code: in a rule, a
    /// values table, a delegation or a decision table.
    MessageField => "message-field",
    /// `advice` or `network_rules` names no decision table.
    UnknownDecisionTable => "unknown-decision-table",
    /// Two decision files of one layer declare one table id.
    DuplicateTable => "duplicate-table",
}

impl fmt::Display for DiagCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DiagCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One problem in one mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What kind of problem.
    pub code: DiagCode,
    /// The file's name as the user gave it (`mappings/stripe.toml`, `builtin:stripe.toml`).
    pub file: String,
    /// Byte range in the file, when the problem has a place.
    pub span: Option<Range<usize>>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(
        code: DiagCode,
        file: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            file: file.to_string(),
            span,
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file-too-large`: the one wording of the size limit, for whoever measured the size.
    pub fn too_large(file: &str, bytes: usize) -> Self {
        Diagnostic::new(
            DiagCode::FileTooLarge,
            file,
            None,
            format!("mapping file is {bytes} bytes, more than the limit of {MAX_FILE_BYTES}"),
        )
        .with_help("a mapping file is a few hundred lines; is this the right file?")
    }

    /// A problem without a place, e.g. a file that cannot be read (for the CLI's loader).
    pub fn io(file: &str, message: impl Into<String>) -> Self {
        Diagnostic::new(DiagCode::IoError, file, None, message)
    }
}

/// A mapping file's name and text, kept so diagnostics can show where they point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name shown in diagnostics.
    pub name: String,
    /// The whole text.
    pub text: String,
}

/// Source files larger than this are rejected (`file-too-large`) before parsing.
pub const MAX_FILE_BYTES: usize = 4 << 20;

impl SourceFile {
    /// A source from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// A source from bytes as a file holds them: rejected when larger than
    /// [`MAX_FILE_BYTES`] (`file-too-large`) or not UTF-8 (`io-error`). Callers that read
    /// files read at most `MAX_FILE_BYTES + 1` bytes, so an endless file costs nothing.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<SourceFile, Diagnostic> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(Diagnostic::too_large(name, bytes.len()));
        }
        match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(name, text)),
            Err(_) => Err(Diagnostic::new(
                DiagCode::IoError,
                name,
                None,
                "mapping file is not valid UTF-8",
            )),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Every diagnostic of one load, with the sources they point into.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    /// The problems, grouped by file in load order, in the order found within a file.
    pub items: Vec<Diagnostic>,
    /// The texts of the files read.
    pub sources: Vec<SourceFile>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: DiagCode,
    severity: &'static str,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    help: Option<&'a str>,
}

impl Diagnostics {
    /// True when there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn source(&self, name: &str) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.text.as_str())
    }

    /// `file:line:column` of a diagnostic (just `file` when it has no place).
    pub fn location(&self, d: &Diagnostic) -> String {
        match (&d.span, self.source(&d.file)) {
            (Some(span), Some(text)) => {
                let (line, col) = line_col(text, span.start);
                format!("{}:{line}:{col}", d.file)
            }
            _ => d.file.clone(),
        }
    }

    /// Renders every diagnostic for people: a title with the code, the `file:line:column`,
    /// a snippet with a caret under the span, and the help line. Plain text (no colours).
    pub fn render(&self) -> String {
        let renderer = Renderer::plain();
        let mut out = String::new();
        for d in &self.items {
            let title = format!("{} [{}]", d.message, d.code);
            let mut group = Group::with_title(Level::ERROR.primary_title(title));
            match (&d.span, self.source(&d.file)) {
                (Some(span), Some(text)) => {
                    let start = floor_char_boundary(text, span.start.min(text.len()));
                    let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
                    group = group.element(
                        Snippet::source(text)
                            .path(d.file.as_str())
                            .annotation(AnnotationKind::Primary.span(start..end)),
                    );
                }
                _ => {
                    group = group.element(Level::NOTE.message(format!("in {}", d.file)));
                }
            }
            if let Some(help) = &d.help {
                group = group.element(Level::HELP.message(help.as_str()));
            }
            out.push_str(&renderer.render(&[group]));
            out.push_str("\n\n");
        }
        let files = {
            let mut f: Vec<&str> = self.items.iter().map(|d| d.file.as_str()).collect();
            f.sort_unstable();
            f.dedup();
            f.len()
        };
        out.push_str(&format!(
            "error: {} problem{} in {} file{}; the mapping set was not loaded\n",
            self.items.len(),
            if self.items.len() == 1 { "" } else { "s" },
            files,
            if files == 1 { "" } else { "s" },
        ));
        out
    }

    /// Every diagnostic as a JSON array, for tools.
    pub fn to_json(&self) -> serde_json::Value {
        let items: Vec<JsonDiagnostic> = self
            .items
            .iter()
            .map(|d| {
                let (line, column) = match (&d.span, self.source(&d.file)) {
                    (Some(span), Some(text)) => {
                        let (l, c) = line_col(text, span.start);
                        (Some(l), Some(c))
                    }
                    _ => (None, None),
                };
                JsonDiagnostic {
                    code: d.code,
                    severity: "error",
                    file: &d.file,
                    line,
                    column,
                    message: &d.message,
                    help: d.help.as_deref(),
                }
            })
            .collect();
        serde_json::to_value(items).expect("diagnostics serialize")
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        // 'é' is two bytes: the '=' after "bé " is the 4th character of line 2.
        assert_eq!(line_col(text, 10), (2, 4));
    }

    #[test]
    fn every_code_has_a_distinct_name() {
        let mut names: Vec<&str> = DiagCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DiagCode::ALL.len());
    }
}
