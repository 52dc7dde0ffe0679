//! The human format: codespan-reporting snippets, then a summary and notes about skipped files.

use crate::diagnostic::Severity;
use crate::engine::{FileNote, Report};
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::{Ansi, NoColor, WriteColor};
use codespan_reporting::term::{self, Config};
use std::collections::HashMap;
use std::io::{self, Write};

fn to_io(e: codespan_reporting::files::Error) -> io::Error {
    match e {
        codespan_reporting::files::Error::Io(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Writes findings as annotated snippets; `color` emits ANSI colours.
pub fn write(report: &Report, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let mut files = SimpleFiles::new();
    let mut ids = HashMap::new();
    for (path, text) in &report.sources {
        ids.insert(path.as_str(), files.add(path.as_str(), text.as_str()));
    }
    let config = Config::default();
    let mut writer: Box<dyn WriteColor + '_> = if color {
        Box::new(Ansi::new(&mut *out))
    } else {
        Box::new(NoColor::new(&mut *out))
    };
    for f in &report.findings {
        let severity = match f.severity {
            Severity::Error => CsSeverity::Error,
            Severity::Warning => CsSeverity::Warning,
            Severity::Note => CsSeverity::Note,
        };
        let mut diagnostic = Diagnostic::new(severity)
            .with_code(f.rule.id)
            .with_message(&f.message)
            .with_notes(vec![
                format!("help: {}", f.help),
                format!(
                    "rule: {} {} ({}); see `scalelint explain {}`",
                    f.rule.id,
                    f.rule.name,
                    f.rule.category.as_str(),
                    f.rule.id
                ),
            ]);
        if let Some(&id) = ids.get(f.path.as_str()) {
            diagnostic = diagnostic.with_labels(vec![
                Label::primary(id, f.span.clone()).with_message(f.rule.name),
            ]);
        }
        term::emit_to_write_style(&mut *writer, &config, &files, &diagnostic).map_err(to_io)?;
    }
    drop(writer);

    let mut by_severity: Vec<String> = Vec::new();
    for (severity, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Note, "note"),
    ] {
        let n = report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .count();
        if n > 0 {
            by_severity.push(plural(n, word));
        }
    }
    let tests = match report.test_files {
        0 => String::new(),
        n => format!(
            ", {} not analysed (--include-tests)",
            plural(n, "test file")
        ),
    };
    let scanned = format!(
        "{} scanned, {} skipped{tests}",
        plural(report.files_scanned, "file"),
        report.skipped.len()
    );
    if report.findings.is_empty() {
        writeln!(out, "No findings ({scanned}).")?;
    } else {
        writeln!(
            out,
            "Found {} ({}) in {} ({scanned}).",
            plural(report.findings.len(), "finding"),
            by_severity.join(", "),
            plural(report.files_with_findings(), "file"),
        )?;
    }
    list(out, "skipped files", &report.skipped)?;
    list(
        out,
        "files with syntax errors, analysed as far as parsed",
        &report.partial,
    )?;
    list(out, "suppression directives", &report.directives)
}

fn list(out: &mut dyn Write, title: &str, notes: &[FileNote]) -> io::Result<()> {
    if notes.is_empty() {
        return Ok(());
    }
    writeln!(out, "note: {} {title}:", notes.len())?;
    for n in notes {
        match n.line {
            Some(line) => writeln!(out, "  {}:{line}: {}", n.path, n.reason)?,
            None => writeln!(out, "  {}: {}", n.path, n.reason)?,
        }
    }
    Ok(())
}
