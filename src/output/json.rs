//! The JSON format: the public contract documented in the README.

use crate::report::{FileNote, Report};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    findings: Vec<JsonFinding<'a>>,
    skipped: Vec<Note<'a>>,
    partially_parsed: Vec<Note<'a>>,
    directives: Vec<Note<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    category: &'static str,
    severity: &'static str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: &'a str,
    /// The directive that suppresses the finding on the line above; `null` when the file's
    /// format holds no comment.
    suppress: Option<String>,
    detector: &'static str,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct Note<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    reason: &'a str,
}

#[derive(Serialize)]
struct Summary {
    findings: usize,
    files_with_findings: usize,
    files_scanned: usize,
    files_skipped: usize,
    test_files_not_analysed: usize,
    by_severity: BTreeMap<&'static str, usize>,
    by_rule: BTreeMap<&'static str, usize>,
}

fn notes(list: &[FileNote]) -> Vec<Note<'_>> {
    list.iter()
        .map(|n| Note {
            path: &n.path,
            line: n.line,
            reason: &n.reason,
        })
        .collect()
}

/// Writes the report as one pretty-printed JSON object.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        version: super::VERSION,
        findings: report
            .findings
            .iter()
            .map(|f| JsonFinding {
                rule: f.rule.id,
                name: f.rule.name,
                category: f.rule.category.as_str(),
                severity: f.severity.as_str(),
                path: &f.path,
                line: f.start.line,
                column: f.start.column,
                end_line: f.end.line,
                end_column: f.end.column,
                message: &f.message,
                help: &f.help,
                suppress: f.suppress.directive(f.rule.id),
                detector: f.detector,
                fingerprint: &f.fingerprint,
            })
            .collect(),
        skipped: notes(&report.skipped),
        partially_parsed: notes(&report.partial),
        directives: notes(&report.directives),
        summary: Summary {
            findings: report.findings.len(),
            files_with_findings: report.files_with_findings(),
            files_scanned: report.files_scanned,
            files_skipped: report.skipped.len(),
            test_files_not_analysed: report.test_files,
            by_severity: report.by_severity(),
            by_rule: report.by_rule(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
