//! Limits that keep one hostile file from aborting or exhausting a run: how deep a syntax tree may
//! nest (syn's parser, `syn::visit`, the drop of a tree and our own walks recurse once per level),
//! how large a file each parser family reads, and how long a tree-sitter parse may take.
//!
//! A file over a limit is skipped with the limit in the reason; the run goes on.

use crate::lang::ParserKind;
use crate::source::FileKind;
use std::time::Duration;

/// Deepest Rust nesting accepted, as [`rust_depth`] counts it. Measured stack per level (the worst
/// construct, nested generic types `Vec<Vec<…>>`): 7.7 KiB in a release build, 8.9 KiB in a debug
/// build (parens 3.1 / 3.9 KiB, blocks 5.5 / 6.4 KiB, closures 4.2 / 4.8 KiB, binary operator
/// chains 0.1 / 0.5 KiB). 2,000 levels of the worst kind take 18 MiB, a fourteenth of
/// [`crate::engine::ANALYSIS_STACK`]. Real code stays far below: over the 5,472 files of a
/// cargo registry the median is 12, the 99th percentile 63, the deepest 164. The scan runs at
/// about 300 MB/s, against syn's 6 MB/s.
pub const RUST_MAX_DEPTH: usize = 2_000;

/// Deepest tree-sitter tree accepted (in nodes, several per syntactic level): the parse itself is
/// iterative, the detectors' walks over the tree are not all.
pub const TREE_SITTER_MAX_DEPTH: usize = 4_000;

/// Deepest YAML / JSON / TOML document accepted by the data tree builder (the tree's drop and the
/// detectors' walks over it recurse).
pub const DATA_MAX_DEPTH: usize = 1_000;

/// The time a tree-sitter parse may take at least; longer files get [`PARSE_BUDGET_PER_MB`] more.
/// The slowest legitimate parse measured (a 1 MB TypeScript file) takes 60 ms in a debug build.
pub const PARSE_BUDGET: Duration = Duration::from_secs(2);

/// The time a tree-sitter parse may take per MB of source, on top of [`PARSE_BUDGET`].
pub const PARSE_BUDGET_PER_MB: Duration = Duration::from_secs(1);

/// The time budget of one tree-sitter parse of `len` bytes.
pub fn parse_budget(len: usize) -> Duration {
    PARSE_BUDGET + PARSE_BUDGET_PER_MB.mul_f64(len as f64 / (1 << 20) as f64)
}

/// The largest file (in bytes) a parser family reads, and the family's name. Peak memory per
/// source byte, measured on 4 MB of the densest input (one-character tokens, `[1,1,1,…]`, a
/// release build): syn 313 (230 on ordinary code), tree-sitter 208 (JS/TS and Python alike; the
/// grammars added since were not measured and share that ceiling),
/// Bicep 107, nginx 99, hcl-edit 79, TOML 79, JSON 75, YAML 59, HAProxy 57. Each ceiling keeps
/// one file's parse under about 500 MB; the default `max-file-size` (1 MB) is below them all.
pub fn max_size(kind: FileKind) -> (usize, &'static str) {
    const MB: usize = 1 << 20;
    match crate::lang::parser(kind) {
        ParserKind::Rust => (3 * MB / 2, "Rust"),
        ParserKind::TreeSitter(grammar) => (2 * MB, grammar.family),
        ParserKind::Hcl => (6 * MB, "HCL"),
        ParserKind::Yaml => (8 * MB, "YAML"),
        ParserKind::Json => (6 * MB, "JSON"),
        ParserKind::Toml => (6 * MB, "TOML"),
        ParserKind::Xml => (8 * MB, "XML"),
        ParserKind::Properties | ParserKind::Ini | ParserKind::DotEnv => (4 * MB, "key-value"),
        ParserKind::Requirements => (8 * MB, "requirements"),
        ParserKind::Bicep => (4 * MB, "Bicep"),
        ParserKind::Nginx => (5 * MB, "nginx"),
        ParserKind::Apache => (5 * MB, "Apache"),
        ParserKind::Haproxy => (8 * MB, "HAProxy"),
    }
}

/// Why a file is not parsed, when it is over its family's size ceiling.
pub fn too_large(kind: FileKind, len: usize) -> Option<String> {
    let (max, family) = max_size(kind);
    let mb = max as f64 / (1 << 20) as f64;
    (len > max).then(|| format!("larger than the {family} parser's limit of {mb} MB"))
}

/// The reason given for a file nested deeper than `limit`.
pub fn too_deep(limit: usize) -> String {
    format!("nested deeper than {limit} levels")
}

/// An open bracket in [`rust_depth`]'s scan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    /// `(`, `[` or `{`.
    Bracket,
    /// `<`: a generic argument list or a comparison; closed by `>` or by whatever ends the
    /// bracket it is in.
    Angle,
}

/// An upper estimate of how deep syn's tree of `text` nests, in one pass over the bytes: every
/// open bracket (generics included) is a level, and so is every operator, `.`, `?`, `as` and
/// `else` since the last `,` `;` `=>` or item boundary at the same bracket level (an operator or
/// method chain makes a left-deep tree as deep as it is long). Comments, strings and character
/// literals are skipped. Stops counting once `limit` is passed.
pub fn rust_depth(text: &str, limit: usize) -> usize {
    let b = text.as_bytes();
    // Per open bracket: its kind and the operators seen at its level since the last reset.
    let mut stack: Vec<(Open, usize)> = vec![(Open::Bracket, 0)];
    let mut total = 1usize;
    let mut max = 1usize;
    // A `}` just closed: an identifier next starts a new item or statement, not a chain link.
    let mut after_brace = false;
    // The last token ended an operand: a `(` or `[` next is a call or an index, a chain link.
    let mut operand = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let brace = std::mem::take(&mut after_brace);
        let follows_operand = std::mem::take(&mut operand);
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                after_brace = brace;
                operand = follows_operand;
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p);
                after_brace = brace;
                operand = follows_operand;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(b, i);
                after_brace = brace;
                operand = follows_operand;
            }
            b'"' => {
                i = skip_string(b, i + 1);
                operand = true;
            }
            b'\'' => {
                i = skip_quote(b, i);
                operand = true;
            }
            b'(' | b'[' | b'{' => {
                if follows_operand && c != b'{' {
                    operator(&mut stack, &mut total);
                }
                if c == b'{' {
                    // `if a < b {`: a `<` still open before a block was a comparison.
                    while stack.len() > 1 && stack.last().is_some_and(|s| s.0 == Open::Angle) {
                        pop(&mut stack, &mut total);
                    }
                }
                stack.push((Open::Bracket, 0));
                total += 1;
                i += 1;
            }
            b')' | b']' | b'}' => {
                while stack.len() > 1 && stack.last().is_some_and(|s| s.0 == Open::Angle) {
                    pop(&mut stack, &mut total);
                }
                if stack.len() > 1 {
                    pop(&mut stack, &mut total);
                }
                after_brace = c == b'}';
                operand = true;
                i += 1;
            }
            b';' => {
                while stack.len() > 1 && stack.last().is_some_and(|s| s.0 == Open::Angle) {
                    pop(&mut stack, &mut total);
                }
                reset(&mut stack, &mut total);
                i += 1;
            }
            b',' => {
                reset(&mut stack, &mut total);
                i += 1;
            }
            b'=' if b.get(i + 1) == Some(&b'>') => {
                while stack.len() > 1 && stack.last().is_some_and(|s| s.0 == Open::Angle) {
                    pop(&mut stack, &mut total);
                }
                reset(&mut stack, &mut total);
                i += 2;
            }
            b'-' if b.get(i + 1) == Some(&b'>') => i += 2,
            b'<' if b.get(i + 1) != Some(&b'=') => {
                stack.push((Open::Angle, 0));
                total += 1;
                i += 1;
            }
            b'>' if stack.last().is_some_and(|s| s.0 == Open::Angle) => {
                pop(&mut stack, &mut total);
                i += 1;
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'!' | b'&' | b'|' | b'=' | b'<' | b'>'
            | b'.' | b'?' | b'@' | b'~' => {
                operator(&mut stack, &mut total);
                i += 1;
            }
            c if c == b'_' || c.is_ascii_alphanumeric() || c >= 0x80 => {
                let start = i;
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric() || b[i] >= 0x80)
                {
                    i += 1;
                }
                let word = &b[start..i];
                operand = true;
                if let Some(end) = raw_or_prefixed_string(b, start, i) {
                    i = end;
                } else if word == b"as" || word == b"else" {
                    operand = false;
                    operator(&mut stack, &mut total);
                } else if brace && !word[0].is_ascii_digit() {
                    reset(&mut stack, &mut total);
                }
            }
            _ => {
                after_brace = brace && c == b'#';
                if after_brace {
                    reset(&mut stack, &mut total);
                }
                i += 1;
            }
        }
        max = max.max(total);
        if max > limit {
            return max;
        }
    }
    max
}

fn pop(stack: &mut Vec<(Open, usize)>, total: &mut usize) {
    if let Some((_, ops)) = stack.pop() {
        *total = total.saturating_sub(ops + 1);
    }
}

fn reset(stack: &mut [(Open, usize)], total: &mut usize) {
    if let Some(top) = stack.last_mut() {
        *total = total.saturating_sub(top.1);
        top.1 = 0;
    }
}

fn operator(stack: &mut [(Open, usize)], total: &mut usize) {
    if let Some(top) = stack.last_mut() {
        top.1 += 1;
        *total += 1;
    }
}

/// The end of a (nested) block comment starting at `i`.
fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// The end of a string whose body starts at `i` (after the opening quote).
fn skip_string(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Past a character literal (`'a'`, `'\n'`, `'é'`) or a lifetime's quote (`'a`) at `i`.
fn skip_quote(b: &[u8], i: usize) -> usize {
    match b.get(i + 1) {
        Some(b'\\') => {
            // An escape: the literal ends at the next quote (`'\u{1F600}'` is the longest).
            let end = (i + 2..b.len().min(i + 14)).find(|&j| b[j] == b'\'');
            end.map_or(i + 1, |j| j + 1)
        }
        Some(&c) => {
            let len = match c {
                0xF0.. => 4,
                0xE0.. => 3,
                0xC0.. => 2,
                _ => 1,
            };
            if b.get(i + 1 + len) == Some(&b'\'') {
                i + 2 + len
            } else {
                i + 1
            }
        }
        None => i + 1,
    }
}

/// When the word `b[start..end]` is a string prefix (`r`, `br`, `b`, `c`, `cr`) followed by a
/// string, the end of that string.
fn raw_or_prefixed_string(b: &[u8], start: usize, end: usize) -> Option<usize> {
    let word = &b[start..end];
    let raw = matches!(word, b"r" | b"br" | b"cr");
    if raw {
        let hashes = b[end..].iter().take_while(|&&x| x == b'#').count();
        if b.get(end + hashes) != Some(&b'"') {
            return None;
        }
        let body = end + hashes + 1;
        let mut j = body;
        while j < b.len() {
            if b[j] == b'"'
                && b[j + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&x| x == b'#')
                    .count()
                    == hashes
            {
                return Some(j + 1 + hashes);
            }
            j += 1;
        }
        return Some(b.len());
    }
    if matches!(word, b"b" | b"c") && b.get(end) == Some(&b'"') {
        return Some(skip_string(b, end + 1));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_and_chains_count_as_depth() {
        let deep = |open: &str, close: &str, n: usize| {
            format!("fn f() {{ x = {}1{}; }}", open.repeat(n), close.repeat(n))
        };
        assert!(rust_depth(&deep("(", ")", 3000), usize::MAX) > 3000);
        assert!(rust_depth(&deep("Vec<", ">", 3000), usize::MAX) > 3000);
        assert!(rust_depth(&deep("a+", "", 3000), usize::MAX) > 3000);
        assert!(rust_depth(&deep("a.b()", "", 3000), usize::MAX) > 3000);
        assert!(rust_depth(&deep("|| ", "", 3000), usize::MAX) > 3000);
        assert!(rust_depth(&deep("A<{", "}>", 3000), usize::MAX) > 3000);
        assert!(rust_depth(&deep("if a {} else ", "{}", 3000), usize::MAX) > 3000);
        assert!(rust_depth(&deep("a", "[0]", 3000), usize::MAX) > 3000);
        assert!(rust_depth(&deep("f", "()", 3000), usize::MAX) > 3000);
    }

    #[test]
    fn flat_code_stays_shallow() {
        let mut text = String::from("impl X {\n");
        for i in 0..5000 {
            text.push_str(&format!(
                "    fn f{i}(&self, a: Vec<u8>) -> &'static str {{ if a.len() < 3 {{ \"(((\" }} else {{ '(' ; \"x\" }} }}\n"
            ));
        }
        text.push_str("}\n/* ((( /* nested */ ((( */ // (((\nconst S: &str = r#\"(((\"#;\n");
        let lines: String = (0..5000)
            .map(|i| format!("    v.push({i} + 1);\n"))
            .collect();
        text.push_str(&format!("fn g() {{\n{lines}}}\n"));
        let depth = rust_depth(&text, usize::MAX);
        assert!(depth < 20, "{depth}");
    }

    #[test]
    fn counting_stops_past_the_limit() {
        let text = "(".repeat(100_000);
        assert_eq!(rust_depth(&text, 10), 11);
    }
}
