//! GitHub Actions workflow commands: one annotation per finding.

use crate::diagnostic::Severity;
use crate::report::Report;
use std::io::{self, Write};

/// Escapes a command's message (`%`, CR, LF), per the workflow-command rules.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (also `:` and `,`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Writes `::warning file=…,line=…::message` lines, then skipped files as `::notice`.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&f.path),
            f.start.line,
            f.start.column,
            f.end.line,
            f.end.column,
            escape_property(&format!("{} {}", f.rule.id, f.rule.name)),
            escape_data(&format!(
                "{}\nhelp: {}\nsuppress: {}",
                f.message,
                f.help,
                super::suppress_hint(f)
            )),
        )?;
    }
    for note in &report.skipped {
        writeln!(
            out,
            "::notice file={},title=scalelint skipped a file::{}",
            escape_property(&note.path),
            escape_data(&note.reason)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
