//! One file's text, its line index and what kind of file it is.

pub mod comments;
mod decode;
pub(crate) mod kind;
mod line_index;
mod test_code;

pub use comments::comment_ranges;
pub use decode::{Decoded, decode, has_utf16_bom, xml_declared_encoding};
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
    /// The text, without a leading byte-order mark and without lone `\r`: each was turned into
    /// `\n` (same length, so offsets are the file's), which every parser reads as a line end.
    pub text: String,
    /// Line starts of `text`.
    pub lines: LineIndex,
}

impl SourceFile {
    /// Wraps already decoded text; a leading byte-order mark is dropped so offsets match parsers,
    /// and lone `\r` line ends become `\n` (a no-op on text from [`decode`]).
    pub fn new(rel_path: String, kind: FileKind, mut text: String) -> Self {
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let text = decode::lone_cr_to_lf_text(text);
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

/// What a file that is not a regular file is ("FIFO", "character device"), for skip notes.
pub fn special_file_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "FIFO";
        }
        if file_type.is_char_device() {
            return "character device";
        }
        if file_type.is_block_device() {
            return "block device";
        }
        if file_type.is_socket() {
            return "socket";
        }
    }
    if file_type.is_dir() {
        "directory"
    } else if file_type.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

/// Reads a regular file, at most `limit + 1` bytes (so a file that grows, or a device swapped in
/// since the walk, cannot exhaust memory); also returns the size its metadata gives.
pub fn read_regular(path: &std::path::Path, limit: u64) -> Result<(Vec<u8>, u64), String> {
    use std::io::Read as _;
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        let kind = special_file_kind(&meta.file_type());
        return Err(format!("not a regular file ({kind})"));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0) + 1);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok((bytes, meta.len()))
}
