//! The human format: codespan-reporting snippets, then a summary and notes about skipped files.
//!
//! A long line (minified code) is shown as a window around the span, with `…` where it is cut,
//! as rustc and ruff do; when many findings sit on one long line, the first few are shown and
//! the rest counted in one note. Ordinary lines are shown whole.

use crate::diagnostic::{Finding, Severity};
use crate::report::{FileNote, Report};
use crate::source::LineIndex;
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{Error as FilesError, Files, SimpleFiles};
use codespan_reporting::term::termcolor::{Ansi, NoColor, WriteColor};
use codespan_reporting::term::{self, Config};
use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Range;

/// Lines longer than this (bytes) are shown as a window around the span, not whole.
const LONG_LINE: usize = 200;
/// Characters of context shown on each side of a span on a long line.
const CONTEXT: usize = 60;
/// Characters of a span shown on a long line; the rest is elided.
const SPAN_SHOWN: usize = 80;
/// Findings on one long line shown with a snippet; the others are counted in one note.
const SNIPPETS_PER_LONG_LINE: usize = 3;

/// One windowed line of a file, presented to codespan as a file of one line that reports the
/// real line number and columns.
struct Excerpt<'a> {
    name: std::borrow::Cow<'a, str>,
    text: String,
    line: usize,
    /// The real 1-based column of the first character after the leading `…` (or of the line).
    first_column: usize,
    /// Bytes of the leading `…` mark (0 when the window starts the line).
    prefix: usize,
}

impl<'a> Files<'a> for Excerpt<'_> {
    // Any id names the one line: a `usize` like SimpleFiles', so one diagnostic type serves both.
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, _: usize) -> Result<&'a str, FilesError> {
        Ok(&self.name)
    }

    fn source(&'a self, _: usize) -> Result<&'a str, FilesError> {
        Ok(&self.text)
    }

    fn line_index(&'a self, _: usize, _: usize) -> Result<usize, FilesError> {
        Ok(0)
    }

    fn line_number(&'a self, _: usize, _: usize) -> Result<usize, FilesError> {
        Ok(self.line)
    }

    fn column_number(&'a self, _: usize, _: usize, byte: usize) -> Result<usize, FilesError> {
        let end = byte.clamp(self.prefix, self.text.len());
        let before = self
            .text
            .get(self.prefix..end)
            .map_or(0, |s| s.chars().count());
        Ok(self.first_column + before)
    }

    fn line_range(&'a self, _: usize, line: usize) -> Result<Range<usize>, FilesError> {
        if line == 0 {
            Ok(0..self.text.len())
        } else {
            Err(FilesError::LineTooLarge {
                given: line,
                max: 0,
            })
        }
    }
}

/// The byte offset `n` characters after `from` in `text`, at most `limit`.
fn chars_after(text: &str, from: usize, n: usize, limit: usize) -> usize {
    text.get(from..limit)
        .and_then(|s| s.char_indices().nth(n))
        .map_or(limit, |(i, _)| from + i)
}

/// The byte offset `n` characters before `to` in `text`, at least `limit`.
fn chars_before(text: &str, to: usize, n: usize, limit: usize) -> usize {
    match n.checked_sub(1) {
        None => to,
        Some(k) => text
            .get(limit..to)
            .and_then(|s| s.char_indices().rev().nth(k))
            .map_or(limit, |(i, _)| limit + i),
    }
}

/// Whether a finding's span touches a line too long to show whole.
fn on_long_line(f: &Finding, text: &str, lines: &LineIndex) -> bool {
    (f.start.line..=f.end.line).any(|line| lines.line_range(line - 1, text).len() > LONG_LINE)
}

/// The window of the finding's first line around its span, and the span within the window.
fn excerpt<'a>(f: &'a Finding, text: &str, lines: &LineIndex) -> (Excerpt<'a>, Range<usize>) {
    let line = lines.line_range(f.start.line - 1, text);
    let start = f.span.start.clamp(line.start, line.end);
    let end = f.span.end.clamp(start, line.end);
    let shown_end = chars_after(text, start, SPAN_SHOWN, end);
    let from = chars_before(text, start, CONTEXT, line.start);
    let to = chars_after(text, shown_end, CONTEXT, line.end);
    let slice = |r: Range<usize>| text.get(r).unwrap_or_default();
    let mark = |cut: bool| if cut { "…" } else { "" };
    let head = mark(from > line.start);
    let mut window = String::with_capacity(to - from + 9);
    window.push_str(head);
    window.push_str(slice(from..start));
    let label_start = window.len();
    window.push_str(slice(start..shown_end));
    window.push_str(mark(shown_end < end));
    let label_end = window.len();
    window.push_str(slice(shown_end..to));
    window.push_str(mark(to < line.end));
    let before = slice(from..start).chars().count();
    let excerpt = Excerpt {
        name: shown(&f.path),
        text: window,
        line: f.start.line,
        first_column: f.start.column.saturating_sub(before).max(1),
        prefix: head.len(),
    };
    (excerpt, label_start..label_end)
}

fn to_io(e: codespan_reporting::files::Error) -> io::Error {
    match e {
        codespan_reporting::files::Error::Io(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

/// A path as one line of the terminal: control characters (a newline in a file name) escaped.
fn shown(path: &str) -> std::borrow::Cow<'_, str> {
    if path.chars().any(char::is_control) {
        path.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        path.into()
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
        ids.insert(path.as_str(), files.add(shown(path), text.as_str()));
    }
    let config = Config::default();
    let mut writer: Box<dyn WriteColor + '_> = if color {
        Box::new(Ansi::new(&mut *out))
    } else {
        Box::new(NoColor::new(&mut *out))
    };
    let mut indexes: HashMap<&str, LineIndex> = HashMap::new();
    // The long line the last findings were on, how many of them were shown and how many not.
    let mut long: Option<(&str, usize)> = None;
    let (mut shown, mut hidden) = (0usize, 0usize);
    for f in &report.findings {
        let text = report.sources.get(&f.path);
        let is_long = text.is_some_and(|text| {
            let lines = indexes
                .entry(f.path.as_str())
                .or_insert_with(|| LineIndex::new(text));
            on_long_line(f, text, lines)
        });
        let here = is_long.then_some((f.path.as_str(), f.start.line));
        if here.is_some() && here == long {
            if shown >= SNIPPETS_PER_LONG_LINE {
                hidden += 1;
                continue;
            }
        } else {
            more_note(&mut *writer, long, hidden)?;
            (long, shown, hidden) = (here, 0, 0);
        }
        shown += 1;
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
                format!("suppress: {}", super::suppress_hint(f)),
                format!(
                    "rule: {} {} ({}); see `scalelint explain {}`",
                    f.rule.id,
                    f.rule.name,
                    f.rule.category.as_str(),
                    f.rule.id
                ),
            ]);
        if let (true, Some(text), Some(lines)) = (is_long, text, indexes.get(f.path.as_str())) {
            let (excerpt, span) = excerpt(f, text, lines);
            let diagnostic =
                diagnostic.with_labels(vec![Label::primary(0, span).with_message(f.rule.name)]);
            term::emit_to_write_style(&mut *writer, &config, &excerpt, &diagnostic)
                .map_err(to_io)?;
            continue;
        }
        if let Some(&id) = ids.get(f.path.as_str()) {
            diagnostic = diagnostic.with_labels(vec![
                Label::primary(id, f.span.clone()).with_message(f.rule.name),
            ]);
        }
        term::emit_to_write_style(&mut *writer, &config, &files, &diagnostic).map_err(to_io)?;
    }
    more_note(&mut *writer, long, hidden)?;
    drop(writer);

    let mut by_severity: Vec<String> = Vec::new();
    for (severity, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Note, "note"),
    ] {
        let n = report.count(severity);
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
    list(out, ("skipped file", "skipped files"), &report.skipped)?;
    list(
        out,
        (
            "file parsed in part or decoded from another encoding",
            "files parsed in part or decoded from another encoding",
        ),
        &report.partial,
    )?;
    list(
        out,
        ("suppression directive", "suppression directives"),
        &report.directives,
    )
}

/// Counts the findings of a long line that were not shown.
fn more_note(out: &mut dyn Write, line: Option<(&str, usize)>, hidden: usize) -> io::Result<()> {
    match line {
        Some((path, line)) if hidden > 0 => writeln!(
            out,
            "note: {} on {}:{line} not shown (`--format json` lists every finding)\n",
            plural(hidden, "more finding"),
            shown(path)
        ),
        _ => Ok(()),
    }
}

/// A titled list of notes; `title` is the singular and plural form.
fn list(out: &mut dyn Write, title: (&str, &str), notes: &[FileNote]) -> io::Result<()> {
    let title = match notes.len() {
        0 => return Ok(()),
        1 => title.0,
        _ => title.1,
    };
    writeln!(out, "note: {} {title}:", notes.len())?;
    for n in notes {
        match n.line {
            Some(line) => writeln!(out, "  {}:{line}: {}", shown(&n.path), n.reason)?,
            None => writeln!(out, "  {}: {}", shown(&n.path), n.reason)?,
        }
    }
    Ok(())
}
