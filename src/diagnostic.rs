//! What detectors emit ([`Diagnostic`]) and what the engine reports ([`Finding`]).

use crate::rules::Rule;
use crate::source::{FileKind, comments};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How serious a finding is; the names are SARIF's levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Breaks users outright on a second instance.
    Error,
    /// Breaks or diverges on a second instance.
    Warning,
    /// Worth knowing: costs performance or consistency, rarely correctness.
    Note,
}

impl Severity {
    /// The lowercase name used in config, JSON and SARIF.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A finding as a detector reports it: a rule, a byte span in the file, and the words.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The rule this finding belongs to.
    pub rule: &'static Rule,
    /// Byte range of the flagged construct in the file's text.
    pub span: Range<usize>,
    /// What state is kept where (lowercase, no trailing period).
    pub message: String,
    /// The concrete fix (without how to suppress the finding: the output says that, in the
    /// comment syntax of the file's kind).
    pub help: String,
    /// The id of the detector that produced it. Set by the engine, never by detectors: empty
    /// until the engine has seen which detector reported it.
    pub detector: &'static str,
}

impl Diagnostic {
    /// A diagnostic for `rule` at `span`.
    pub fn new(
        rule: &'static Rule,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            span,
            message: message.into(),
            help: help.into(),
            detector: "",
        }
    }
}

/// How a finding can be suppressed in its file: the comment the file's format holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    /// A comment to the end of the line, opened by this (`//`, `#`).
    Line(&'static str),
    /// A delimited comment (`/*`, `*/`), for a format with no line comment.
    Block(&'static str, &'static str),
    /// The format holds no comment (plain JSON): only `scalelint.toml` can leave the file out.
    Config,
}

impl Suppression {
    /// The suppression comment of a file kind.
    pub fn for_kind(kind: FileKind) -> Suppression {
        // The suppression lexer reads `//` in any `*.json` (ARM templates and tsconfig-like files
        // accept it), but a hint must hold in every JSON file: CloudFormation and package.json
        // reject comments.
        if matches!(kind, FileKind::Json | FileKind::PackageJson) {
            return Suppression::Config;
        }
        let syntax = comments::syntax(kind);
        match (syntax.line.first(), syntax.block.first()) {
            (Some(line), _) => Suppression::Line(line.open),
            (None, Some(block)) => Suppression::Block(block.open, block.close),
            (None, None) => Suppression::Config,
        }
    }

    /// The directive that suppresses `rule_id` when written alone on the line above the
    /// finding, with a `<reason>` placeholder; `None` when the format holds no comment.
    pub fn directive(self, rule_id: &str) -> Option<String> {
        match self {
            Suppression::Line(open) => {
                Some(format!("{open} scalelint: ignore[{rule_id}] <reason>"))
            }
            Suppression::Block(open, close) => Some(format!(
                "{open} scalelint: ignore[{rule_id}] <reason> {close}"
            )),
            Suppression::Config => None,
        }
    }
}

/// A 1-based line and column (column in Unicode code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in Unicode code points.
    pub column: usize,
}

/// A reported finding: a diagnostic placed in a file, with its effective severity.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule.
    pub rule: &'static Rule,
    /// Effective severity after configuration.
    pub severity: Severity,
    /// Path relative to the scan root, `/`-separated.
    pub path: String,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// Start of the span.
    pub start: Position,
    /// End of the span (exclusive column).
    pub end: Position,
    /// What state is kept where.
    pub message: String,
    /// The concrete fix.
    pub help: String,
    /// The id of the detector that reported it (`js/sessions`).
    pub detector: &'static str,
    /// How to suppress it in its file (from the file's kind).
    pub suppress: Suppression,
    /// The flagged source text, whitespace-normalised (the fingerprint's input).
    pub snippet: String,
    /// Stable fingerprint: rule, path and flagged text; not the line number.
    pub fingerprint: String,
}

impl Finding {
    /// The order of the report: path, position, rule.
    pub fn sort_key(&self) -> (&str, Position, &str, &str) {
        (&self.path, self.start, self.rule.id, &self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_told_a_comment_it_can_hold() {
        let hint = |kind| Suppression::for_kind(kind).directive("SL401");
        assert_eq!(hint(FileKind::Json), None, "plain JSON holds no comment");
        assert_eq!(hint(FileKind::PackageJson), None);
        assert_eq!(
            hint(FileKind::Yaml).as_deref(),
            Some("# scalelint: ignore[SL401] <reason>")
        );
        assert_eq!(
            hint(FileKind::JavaScript).as_deref(),
            Some("// scalelint: ignore[SL401] <reason>")
        );
        assert_eq!(
            Suppression::Block("<!--", "-->")
                .directive("SL101")
                .as_deref(),
            Some("<!-- scalelint: ignore[SL101] <reason> -->")
        );
        // Every hint is a comment of its kind: written on a line of its own, the lexer that
        // reads suppressions sees it whole.
        for &kind in FileKind::ALL {
            let Some(directive) = hint(kind) else {
                continue;
            };
            // PHP's comments are PHP's only inside `<?php`; findings are in code.
            let open = if kind == FileKind::Php { "<?php\n" } else { "" };
            let text = format!("{open}{directive}\nvalue\n");
            let ranges = comments::comment_ranges(&text, kind);
            assert_eq!(
                ranges.first(),
                Some(&(open.len()..open.len() + directive.len())),
                "{kind:?}: `{directive}` is not a comment"
            );
        }
    }
}
