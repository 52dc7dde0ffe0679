//! Rust through syn, with proc-macro2 span locations turned into byte offsets.

use crate::source::LineIndex;
use proc_macro2::Span;
use std::ops::Range;

/// A parsed Rust file. Dropping it frees the thread's span table, which otherwise grows with every
/// file parsed on the thread.
pub struct RustTree {
    /// The syntax tree.
    pub file: syn::File,
}

impl Drop for RustTree {
    fn drop(&mut self) {
        proc_macro2::extra::invalidate_current_thread_spans();
    }
}

/// Parses Rust source; a syntax error is returned with its byte offset.
pub fn parse(text: &str, lines: &LineIndex) -> Result<RustTree, (usize, String)> {
    match syn::parse_file(text) {
        Ok(file) => Ok(RustTree { file }),
        Err(e) => {
            let offset = span_range(e.span(), lines, text).start;
            proc_macro2::extra::invalidate_current_thread_spans();
            Err((offset, e.to_string()))
        }
    }
}

/// The byte range of a span in the text it was parsed from.
pub fn span_range(span: Span, lines: &LineIndex, text: &str) -> Range<usize> {
    let (start, end) = (span.start(), span.end());
    let start = lines.offset(start.line, start.column, text);
    let end = lines.offset(end.line, end.column, text).max(start);
    start..end
}
