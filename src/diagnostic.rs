//! What detectors emit ([`Diagnostic`]) and what the engine reports ([`Finding`]).

use crate::rules::Rule;
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
    /// The concrete fix.
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
