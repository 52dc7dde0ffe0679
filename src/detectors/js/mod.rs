//! JavaScript and TypeScript frameworks.

use crate::source::FileKind;

/// The file kinds every JS/TS detector reads.
pub const JS_KINDS: &[FileKind] = &[FileKind::JavaScript, FileKind::TypeScript, FileKind::Tsx];

pub mod caches;
pub mod env;
pub mod evaluate;
pub mod linked;
pub mod model;
pub mod module_scope;
pub mod options;
pub mod rate_limit;
pub mod realtime;
pub mod schedulers;
pub mod secrets;
pub mod sessions;
pub mod sqlite_database;
pub mod uploads;

/// Runs one detector over a snippet: (rule, 1-based line) of each diagnostic, for unit tests.
#[cfg(test)]
pub(crate) fn run(
    detector: &dyn super::Detector,
    path: &str,
    src: &str,
) -> Vec<(&'static str, usize)> {
    use crate::source::{FileKind, SourceFile};
    let kind = FileKind::from_path(std::path::Path::new(path)).unwrap_or(FileKind::TypeScript);
    let file = SourceFile::new(path.to_owned(), kind, src.to_owned());
    let mut sink = crate::project::Sink::default();
    crate::detectors::check_into(detector, &file, &mut sink);
    sink.diagnostics
        .iter()
        .map(|d| {
            (
                d.rule.id,
                file.lines.position(d.span.start, &file.text).line,
            )
        })
        .collect()
}
