//! One file's text, its line index and what kind of file it is.

pub mod comments;
mod kind;
mod line_index;
mod test_code;

pub use comments::comment_ranges;
pub use kind::FileKind;
pub use kind::HAPROXY_SECTIONS;
pub use line_index::LineIndex;
pub use test_code::is_test_path;

/// A file read for analysis.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the scan root, `/`-separated (what every output shows).
    pub rel_path: String,
    /// The kind decided from the path (and, for ambiguous names, the content).
    pub kind: FileKind,
    /// The text, without a leading byte-order mark.
    pub text: String,
    /// Line starts of `text`.
    pub lines: LineIndex,
}

impl SourceFile {
    /// Wraps already decoded text; a leading byte-order mark is dropped so offsets match parsers.
    pub fn new(rel_path: String, kind: FileKind, mut text: String) -> Self {
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let lines = LineIndex::new(&text);
        SourceFile {
            rel_path,
            kind,
            text,
            lines,
        }
    }

    /// The text of a byte range, or "" when the range is not on character boundaries.
    pub fn slice(&self, span: &std::ops::Range<usize>) -> &str {
        self.text.get(span.clone()).unwrap_or_default()
    }
}
