//! Rendering a [`Report`]: one module per format behind one `match`. Outputs never analyse.

mod github;
mod json;
mod sarif;
mod text;
pub mod timings;

use crate::diagnostic::{Finding, Suppression};
use crate::report::Report;
use std::io::{self, Write};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Annotated source snippets for people.
    Text,
    /// One JSON object (the documented public contract).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// Writes `report` in `format`; `color` only affects the text format.
pub fn write(report: &Report, format: Format, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::write(report, color, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
    }
}

/// The tool's version, as every format reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where each rule's documentation is published.
pub fn rule_url(rule: &crate::rules::Rule) -> String {
    format!(
        "{}/blob/main/rules/{}-{}.md",
        env!("CARGO_PKG_REPOSITORY"),
        rule.id,
        rule.name
    )
}

/// How to suppress a finding, as a sentence: the directive in its file's comment syntax, or, for
/// a format that holds no comment, the config's `exclude`.
pub fn suppress_hint(f: &Finding) -> String {
    match f.suppress.directive(f.rule.id) {
        Some(directive) => format!("add `{directive}` on the line above"),
        None => {
            debug_assert_eq!(f.suppress, Suppression::Config);
            // A glob that matches this path only, written as a TOML string.
            let glob = toml::Value::String(globset::escape(&f.path)).to_string();
            format!(
                "this format holds no comments: to accept the finding, leave the file out with \
                 `exclude = [{glob}]` in scalelint.toml (globs are relative to that file)"
            )
        }
    }
}
