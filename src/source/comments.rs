//! Where a file's comments are, found by a small lexer per comment syntax that knows the
//! language's string literals, so that `"// scalelint: ignore"` inside a string is not a comment.
//! Used for suppression directives only: detectors read the parse trees.

use super::FileKind;
use std::ops::Range;

/// The byte ranges of every comment in `text` (markers included), in order.
pub fn comment_ranges(text: &str, kind: FileKind) -> Vec<Range<usize>> {
    match kind {
        FileKind::JavaScript | FileKind::TypeScript | FileKind::Tsx => c_like(text, false),
        FileKind::Rust => c_like(text, true),
        FileKind::Nginx | FileKind::MaybeNginx => hash(text),
        FileKind::Python => python(text),
    }
}

/// Python `#` comments, skipping `'…'`, `"…"` and triple-quoted strings (with any prefix:
/// `r''`, `b""`, `f'''…'''`); a raw string still cannot end in an escaped quote.
fn python(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                let end = memchr_newline(b, i);
                out.push(i..end);
                i = end;
            }
            q @ (b'"' | b'\'') => {
                if b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) {
                    i = skip_triple(b, i + 3, q);
                } else {
                    i = skip_line_string(b, i, q);
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Skips a single-line Python string; an unterminated one ends at the line.
fn skip_line_string(b: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Skips to just after the closing triple quote of a string whose body starts at `from`.
fn skip_triple(b: &[u8], from: usize, quote: u8) -> usize {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote && b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote) => {
                return i + 3;
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// `//` and `/* */` comments, skipping `'…'`, `"…"` and `` `…` `` strings (JS), or Rust's
/// strings, raw strings (`r#"…"#`), char literals and lifetimes, and nested block comments.
fn c_like(text: &str, rust: bool) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = memchr_newline(b, i);
                out.push(i..end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = i;
                let mut depth = 1;
                i += 2;
                while i < b.len() && depth > 0 {
                    if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                    } else if rust && b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                out.push(start..i.min(b.len()));
            }
            b'r' if rust && is_raw_string_start(b, i) => i = skip_raw_string(b, i),
            b'"' => i = skip_quoted(b, i, b'"'),
            b'`' if !rust => i = skip_quoted(b, i, b'`'),
            b'\'' if !rust => i = skip_quoted(b, i, b'\''),
            // Rust: a char literal ('a', '\n', '\u{1F600}') or a lifetime ('a): only a literal
            // closes with a quote within a few characters.
            b'\'' => {
                let close = (i + 2..(i + 12).min(b.len())).find(|&j| b[j] == b'\'');
                i = match close {
                    Some(j) if b[i + 1] == b'\\' || j == i + 2 || !text.is_char_boundary(j) => {
                        j + 1
                    }
                    Some(j) if text[i + 1..j].chars().count() == 1 => j + 1,
                    _ => i + 1,
                };
            }
            _ => i += 1,
        }
    }
    out
}

/// `#` comments of nginx-style config, skipping quoted strings; `#` only starts a comment at the
/// start of a word.
fn hash(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut word_start = true;
    while i < b.len() {
        match b[i] {
            b'#' if word_start => {
                let end = memchr_newline(b, i);
                out.push(i..end);
                i = end;
            }
            q @ (b'"' | b'\'') if word_start => {
                i = skip_quoted(b, i, q);
                word_start = false;
            }
            c => {
                word_start = matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'}');
                i += 1;
            }
        }
    }
    out
}

fn memchr_newline(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p)
}

/// Skips a quoted literal starting at `start`, honouring backslash escapes.
fn skip_quoted(b: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            // Unterminated single-line strings end at the line (JS '…' and "…").
            b'\n' if quote != b'`' && quote != b'"' => return i,
            _ => i += 1,
        }
    }
    b.len()
}

fn is_raw_string_start(b: &[u8], i: usize) -> bool {
    // Not the tail of an identifier (`bar#`), then `r"` or `r#…"`.
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
        return false;
    }
    let mut j = i + 1;
    while b.get(j) == Some(&b'#') {
        j += 1;
    }
    b.get(j) == Some(&b'"')
}

fn skip_raw_string(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    let mut hashes = 0;
    while b.get(j) == Some(&b'#') {
        hashes += 1;
        j += 1;
    }
    j += 1; // the opening quote
    while j < b.len() {
        if b[j] == b'"'
            && b[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return j + 1 + hashes;
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(text: &str, kind: FileKind) -> Vec<&str> {
        comment_ranges(text, kind)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn javascript_strings_are_not_comments() {
        let text =
            "const a = \"// no\"; // yes\nconst b = `/* no ${x} */`; /* yes */ const c = '#//';\n";
        assert_eq!(
            comments(text, FileKind::JavaScript),
            ["// yes", "/* yes */"]
        );
    }

    #[test]
    fn rust_lexing_knows_raw_strings_chars_and_lifetimes() {
        let text = "fn f<'a>(x: &'a str) -> char { let s = r#\"// no \"quoted\" \"#; '/' } // yes\n/* outer /* inner */ still */ let c = '\\'';";
        assert_eq!(
            comments(text, FileKind::Rust),
            ["// yes", "/* outer /* inner */ still */"]
        );
    }

    #[test]
    fn python_strings_are_not_comments() {
        let text = "a = '# no'  # yes\nb = \"\"\"\n# no\n\"\"\"\nc = r'\\d' # yes too\nd = f\"{x}#\" \n# last";
        assert_eq!(
            comments(text, FileKind::Python),
            ["# yes", "# yes too", "# last"]
        );
    }

    #[test]
    fn hash_comments_start_words_only() {
        let text = "set $a \"#no\"; # yes\nlocation /a#b { } #also\n";
        assert_eq!(comments(text, FileKind::Nginx), ["# yes", "#also"]);
    }
}
