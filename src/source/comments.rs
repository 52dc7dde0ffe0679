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
        FileKind::Nginx | FileKind::MaybeNginx | FileKind::Haproxy | FileKind::MaybeHaproxy => {
            hash(text)
        }
        FileKind::Apache => whole_line_hash(text),
        FileKind::Hcl => hcl(text),
        FileKind::Bicep => bicep(text),
        FileKind::Yaml
        | FileKind::Compose
        | FileKind::MaybeTraefikToml
        | FileKind::TraefikToml
        | FileKind::CargoManifest => yaml_hash(text),
        // JSON has no comments; JSONC's are C-like.
        FileKind::Json => c_like(text, false),
        // JSON has no comments, but manifests read as JSONC may carry `//` ones.
        FileKind::PackageJson => c_like(text, false),
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

/// Apache httpd: `#` starts a comment only as the first character of a line (after blanks);
/// a `#` after a directive is part of its arguments.
fn whole_line_hash(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            let from = start + (line.len() - trimmed.len());
            out.push(from..start + line.trim_end_matches(['\n', '\r']).len());
        }
        start += line.len();
    }
    out
}

/// HCL: `#`, `//` and `/* */` comments, skipping `"…"` strings (with `${…}` interpolation) and
/// heredocs (`<<EOF` … `EOF`).
fn hcl(text: &str) -> Vec<Range<usize>> {
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
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let end = memchr_newline(b, i);
                out.push(i..end);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
                out.push(i..end);
                i = end;
            }
            b'"' => i = skip_quoted(b, i, b'"'),
            b'<' if b.get(i + 1) == Some(&b'<') => i = skip_heredoc(text, i),
            _ => i += 1,
        }
    }
    out
}

/// Skips a heredoc starting at `start` (`<<EOF` or `<<-EOF`) to the end of its closing line.
fn skip_heredoc(text: &str, start: usize) -> usize {
    let rest = &text[start + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let tag_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let tag = &rest[..tag_len];
    let body = text[start..].find('\n');
    let (false, Some(body)) = (tag.is_empty(), body) else {
        return start + 2;
    };
    let mut at = start + body + 1;
    for line in text[at..].split_inclusive('\n') {
        at += line.len();
        if line.trim() == tag {
            return at;
        }
    }
    text.len()
}

/// Bicep: `//` and `/* */` comments, skipping `'…'` strings and `'''…'''` multi-line strings.
fn bicep(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"'''") {
            i = text[i + 3..].find("'''").map_or(b.len(), |p| i + 3 + p + 3);
        } else if b[i] == b'\'' {
            i = skip_quoted(b, i, b'\'');
        } else if b[i..].starts_with(b"//") {
            let end = memchr_newline(b, i);
            out.push(i..end);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
            out.push(i..end);
            i = end;
        } else {
            i += 1;
        }
    }
    out
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

/// `#` comments of YAML and TOML: a `#` at the start of a line or after whitespace, outside
/// quoted scalars (`'…'` with `''` escapes, `"…"` with backslash escapes).
fn yaml_hash(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut after_space = true;
    while i < b.len() {
        match b[i] {
            b'#' if after_space => {
                let end = memchr_newline(b, i);
                out.push(i..end);
                i = end;
            }
            // A quote opens a scalar only where a value starts (`key: 'a'`, `- "b"`, `[ 'c' ]`).
            q @ (b'"' | b'\'') if after_space || matches!(b[i - 1], b'[' | b'{' | b',') => {
                i = if q == b'\'' {
                    skip_single_quoted(b, i)
                } else {
                    skip_quoted(b, i, q)
                };
                after_space = false;
            }
            c => {
                after_space = matches!(c, b' ' | b'\t' | b'\r' | b'\n');
                i += 1;
            }
        }
    }
    out
}

/// Skips a YAML single-quoted scalar, where `''` is an escaped quote.
fn skip_single_quoted(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
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
    fn yaml_comments_follow_whitespace_outside_quotes() {
        let text = "# top\nurl: http://a/#frag # real\nq: 'it''s # not'\nr: \"# no\" #yes\n";
        assert_eq!(comments(text, FileKind::Yaml), ["# top", "# real", "#yes"]);
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

    #[test]
    fn infra_comment_syntaxes() {
        let apache = "# yes\nProxyPass / balancer://a/ # not a comment\n  # also\n";
        assert_eq!(comments(apache, FileKind::Apache), ["# yes", "# also"]);
        let hcl = "a = \"#no // no\" # yes\nb = <<EOF\n// no\nEOF\n// yes\n/* yes */\n";
        assert_eq!(
            comments(hcl, FileKind::Hcl),
            ["# yes", "// yes", "/* yes */"]
        );
        let bicep = "var a = '// no'\nvar b = '''\n// no\n''' // yes\n";
        assert_eq!(comments(bicep, FileKind::Bicep), ["// yes"]);
        let haproxy = "backend a\n  balance source # yes\n";
        assert_eq!(comments(haproxy, FileKind::Haproxy), ["# yes"]);
    }
}
