//! Byte offsets to 1-based line/column, computed once per file.

use crate::diagnostic::Position;

/// The byte offset where each line starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text` (one pass over its bytes). `\n`, `\r\n` and a lone `\r` each end a line.
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        let bytes = text.as_bytes();
        starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// Number of lines (a trailing newline opens an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The 0-based line that contains `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset.min(self.len)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte range of a 0-based line, without its line terminator.
    pub fn line_range(&self, line: usize, text: &str) -> std::ops::Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(self.len);
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        start..end
    }

    /// 1-based line and column (in code points) of a byte offset.
    pub fn position(&self, offset: usize, text: &str) -> Position {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Position {
            line: line + 1,
            column: column + 1,
        }
    }

    /// The byte offset of a 1-based line and 0-based code-point column (how proc-macro2 counts).
    pub fn offset(&self, line: usize, column: usize, text: &str) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.len;
        };
        let rest = text.get(start..).unwrap_or_default();
        rest.char_indices()
            .nth(column)
            .map_or(self.len, |(i, _)| start + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_code_points_and_lines_from_one() {
        let text = "ab\nçé x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.position(0, text), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap_or_default();
        assert_eq!(index.position(x, text), Position { line: 2, column: 4 });
        assert_eq!(index.offset(2, 3, text), x);
        assert_eq!(index.line_range(1, text), 3..text.len() - 1);
    }

    #[test]
    fn lone_cr_and_crlf_end_lines_once_each() {
        let text = "a\rb\r\nc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let d = text.find('d').unwrap_or_default();
        assert_eq!(index.position(d, text), Position { line: 4, column: 1 });
        assert_eq!(index.line_range(1, text), 2..3);
    }
}
