//! Java `.properties` files (Spring Boot `application.properties`, Hibernate, Tomcat) read into the
//! [`super::tree`] data tree as `java.util.Properties.load` reads them: `key=value`,
//! `key: value` and `key value`; `#` and `!` comment lines; a line ending in an odd number of
//! backslashes continues on the next, whose leading whitespace is dropped; `\t`, `\n`, `\r`,
//! `\f` and `\uXXXX` escapes, and any other escaped character standing for itself.
//!
//! The document is one flat mapping (`spring.session.store-type` is one key, as Spring reads it);
//! a repeated key keeps its first place and its last value, as `Properties` does. Each key spans
//! its raw text, each value the raw text of its value, continuation lines included. A malformed
//! `\u` escape is an error at its offset; the rest of the file is still read.

use super::tree::{Documents, LastWins, Node, Value};
use std::ops::Range;

/// Parses `.properties` text into one document.
pub fn parse(text: &str) -> Documents {
    let mut map = LastWins::default();
    let mut errors = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let line = logical_line(text, at);
        at = line.next;
        let raw = &text[line.range.clone()];
        let body = raw.trim_start_matches([' ', '\t', '\x0c']);
        if body.is_empty() || body.starts_with(['#', '!']) {
            continue;
        }
        let start = line.range.start + (raw.len() - body.len());
        let (key_span, value_start) = split_key(text, start, line.range.end);
        let key = unescape(text, key_span.clone(), &mut errors);
        let value_span = value_start..line.range.end;
        let value = unescape(text, value_span.clone(), &mut errors);
        map.insert(key, key_span, Node::new(value_span, Value::Scalar(value)));
    }
    Documents {
        docs: vec![map.into_node(0..text.len())],
        errors,
        ..Documents::default()
    }
}

/// One logical line: its bytes (continuations included, the final line break excluded) and
/// where the next starts.
struct Line {
    range: Range<usize>,
    next: usize,
}

fn logical_line(text: &str, start: usize) -> Line {
    let b = text.as_bytes();
    // A comment line never continues (`Properties` reads it as a whole line).
    let comment = b[start..]
        .iter()
        .find(|c| !matches!(c, b' ' | b'\t' | b'\x0c'))
        .is_some_and(|c| matches!(c, b'#' | b'!'));
    let mut i = start;
    loop {
        let end = line_end(b, i);
        let next = line_after(b, end);
        let backslashes = b[i..end].iter().rev().take_while(|&&c| c == b'\\').count();
        if comment || backslashes % 2 == 0 || next >= b.len() {
            return Line {
                range: start..end,
                next,
            };
        }
        i = next;
    }
}

/// The end of the physical line starting at `i` (before its `\n`, `\r` or `\r\n`).
fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n' || c == b'\r')
        .map_or(b.len(), |p| i + p)
}

/// Where the line after a line break at `end` starts.
fn line_after(b: &[u8], end: usize) -> usize {
    match b.get(end) {
        Some(b'\r') if b.get(end + 1) == Some(&b'\n') => end + 2,
        Some(_) => end + 1,
        None => end,
    }
}

/// The key's span from `start` (up to an unescaped `=`, `:` or whitespace) and where the value
/// starts (after whitespace, one `=` or `:`, and whitespace).
fn split_key(text: &str, start: usize, end: usize) -> (Range<usize>, usize) {
    let b = text.as_bytes();
    let mut i = start;
    while i < end {
        match b[i] {
            b'\\' => i += 2,
            b'=' | b':' | b' ' | b'\t' | b'\x0c' => break,
            _ => i += 1,
        }
    }
    let key_end = i.min(end);
    let mut v = key_end;
    let skip_ws = |v: &mut usize| {
        while *v < end && matches!(b[*v], b' ' | b'\t' | b'\x0c') {
            *v += 1;
        }
    };
    skip_ws(&mut v);
    if v < end && matches!(b[v], b'=' | b':') {
        v += 1;
        skip_ws(&mut v);
    }
    (start..key_end, v)
}

/// The text of `span` with escapes resolved and line continuations (backslash, line break,
/// leading whitespace) removed.
fn unescape(text: &str, span: Range<usize>, errors: &mut Vec<(usize, String)>) -> String {
    let s = &text[span.clone()];
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        match e {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'f' => out.push('\x0c'),
            'u' => {
                let hex = s
                    .get(i + 2..i + 6)
                    .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()));
                match hex.and_then(|h| u32::from_str_radix(h, 16).ok()) {
                    Some(code) => {
                        // A surrogate half cannot stand alone in a Rust string.
                        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    None => {
                        errors.push((span.start + i, "malformed \\uxxxx escape".to_owned()));
                        out.push('u');
                    }
                }
            }
            '\r' | '\n' => {
                // A continuation: the line break and the next line's leading whitespace go.
                if e == '\r' && chars.peek().is_some_and(|&(_, c)| c == '\n') {
                    chars.next();
                }
                while chars
                    .peek()
                    .is_some_and(|&(_, c)| matches!(c, ' ' | '\t' | '\x0c'))
                {
                    chars.next();
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_comments_and_spans() {
        let text = "# comment = no\n! also a comment\nspring.session.store-type=redis\nserver.port: 8080\nname  Hello World \n  indented = yes\nempty=\nkey\\ with\\=equals = v\n";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let doc = &docs.docs[0];
        let keys: Vec<&str> = doc.entries().iter().filter_map(|(k, _)| k.str()).collect();
        assert_eq!(
            keys,
            [
                "spring.session.store-type",
                "server.port",
                "name",
                "indented",
                "empty",
                "key with=equals"
            ]
        );
        let (key, store) = doc.entry("spring.session.store-type").expect("store");
        assert_eq!(&text[key.span.clone()], "spring.session.store-type");
        assert_eq!(store.str(), Some("redis"));
        assert_eq!(&text[store.span.clone()], "redis");
        assert_eq!(doc.get("server.port").and_then(Node::str), Some("8080"));
        // Trailing whitespace belongs to the value, as in Java.
        assert_eq!(doc.get("name").and_then(Node::str), Some("Hello World "));
        assert_eq!(doc.get("empty").and_then(Node::str), Some(""));
        assert_eq!(doc.get("key with=equals").and_then(Node::str), Some("v"));
    }

    #[test]
    fn continuations_escapes_and_repeats() {
        let text = "fruits = apple, \\\r\n    banana, \\\n\tpear\nodd = a\\\\\nnext = \\u00e9t\\u00E9 \\t!\nnext = last\ncomment = \\\n# not a comment\n";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let doc = &docs.docs[0];
        let fruits = doc.get("fruits").expect("fruits");
        assert_eq!(fruits.str(), Some("apple, banana, pear"));
        assert_eq!(
            &text[fruits.span.clone()],
            "apple, \\\r\n    banana, \\\n\tpear"
        );
        // An even number of backslashes does not continue.
        assert_eq!(doc.get("odd").and_then(Node::str), Some("a\\"));
        // Last value, first place.
        let keys: Vec<&str> = doc.entries().iter().filter_map(|(k, _)| k.str()).collect();
        assert_eq!(keys, ["fruits", "odd", "next", "comment"]);
        assert_eq!(doc.get("next").and_then(Node::str), Some("last"));
        assert_eq!(
            doc.get("comment").and_then(Node::str),
            Some("# not a comment")
        );
        let docs = parse("a = \\u00e9t\\u00E9\\t!");
        assert_eq!(docs.docs[0].get("a").and_then(Node::str), Some("été\t!"));
    }

    #[test]
    fn malformed_escapes_are_errors_not_panics() {
        let text = "a = \\u12\nb = ok\nc = \\uZZZZé\n";
        let docs = parse(text);
        assert_eq!(docs.errors.len(), 2, "{:?}", docs.errors);
        assert_eq!(&text[docs.errors[0].0..docs.errors[0].0 + 2], "\\u");
        assert_eq!(&text[docs.errors[1].0..docs.errors[1].0 + 6], "\\uZZZZ");
        assert_eq!(docs.docs[0].get("b").and_then(Node::str), Some("ok"));
        for bad in ["\\", "a\\", "=\\\n", "\\u", "é\\\r", ":", "\r\r\n\\\\\\"] {
            let docs = parse(bad);
            assert_eq!(docs.docs.len(), 1, "{bad:?}");
        }
    }
}
