//! What a run hands to the outputs: the findings, the notes about files, and the counts every
//! format shows. The engine builds a [`Report`]; outputs only read it.

use crate::diagnostic::{Finding, Severity};
use crate::timings::Timings;
use std::collections::BTreeMap;

/// A note about one file: why it was skipped, parsed partially, or what is wrong with a directive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileNote {
    /// Displayed path.
    pub path: String,
    /// 1-based line, when the note is about a place in the file.
    pub line: Option<usize>,
    /// What happened.
    pub reason: String,
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings, sorted by path, position and rule.
    pub findings: Vec<Finding>,
    /// Files that could not be analysed, and why.
    pub skipped: Vec<FileNote>,
    /// Files analysed only up to their syntax errors.
    pub partial: Vec<FileNote>,
    /// Malformed or unused suppression directives.
    pub directives: Vec<FileNote>,
    /// Files read (of a kind scalelint understands).
    pub files_scanned: usize,
    /// Test, example and benchmark files left out (see `--include-tests`).
    pub test_files: usize,
    /// The text of each file with findings, by displayed path (for rendering snippets).
    pub sources: BTreeMap<String, String>,
    /// Where the time went (`--timings`).
    pub timings: Timings,
}

impl Report {
    /// Number of distinct files with findings.
    pub fn files_with_findings(&self) -> usize {
        // Findings are sorted by path, so one file's findings are adjacent.
        let mut paths: Vec<&str> = self.findings.iter().map(|f| f.path.as_str()).collect();
        paths.dedup();
        paths.len()
    }

    /// Number of findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Number of findings per severity name, for severities that have any.
    pub fn by_severity(&self) -> BTreeMap<&'static str, usize> {
        let mut out = BTreeMap::new();
        for f in &self.findings {
            *out.entry(f.severity.as_str()).or_insert(0) += 1;
        }
        out
    }

    /// Number of findings per rule ID, for rules that have any.
    pub fn by_rule(&self) -> BTreeMap<&'static str, usize> {
        let mut out = BTreeMap::new();
        for f in &self.findings {
            *out.entry(f.rule.id).or_insert(0) += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Outputs render a report; what the engine does to build one is none of their business.
    #[test]
    fn outputs_never_use_the_engine() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/output");
        let mut read = 0;
        for entry in std::fs::read_dir(&dir).expect("src/output") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            read += 1;
            for needle in ["crate::engine", "super::engine", "scalelint::engine"] {
                assert!(
                    !text.contains(needle),
                    "{} uses {needle}: outputs read crate::report, which the engine builds",
                    path.display()
                );
            }
        }
        assert!(
            read >= 5,
            "only {read} output modules found in {}",
            dir.display()
        );
    }
}
