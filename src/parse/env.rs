//! `.env` files (dotenv, Docker Compose `env_file`, Laravel, Rails) read into the
//! [`super::tree`] data tree as the dotenv libraries read them: `KEY=value` and
//! `export KEY=value`; `#` comment lines, and `#` after whitespace ending an unquoted value;
//! single-quoted and backquoted values taken literally, double-quoted ones with `\n`, `\r`, `\t`,
//! `\"` and `\\` escapes; quoted values may run over several lines. `${VAR}` references are kept
//! as written.
//!
//! The document is one flat mapping; a repeated key keeps its first place and its last value.
//! Each key spans its name, each value its text (quotes included). A line without `=` or with an
//! empty name, and a quote left open, are errors at their offsets (the open quote's value runs to
//! the end of its line); the rest of the file is still read.

use super::tree::{Documents, LastWins, Node, Value};

/// Parses `.env` text into one document.
pub fn parse(text: &str) -> Documents {
    let b = text.as_bytes();
    let mut map = LastWins::default();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let end = line_end(b, i);
        let line = &text[i..end];
        let body = line.trim_start();
        let at = i + (line.len() - body.len());
        if body.trim_end().is_empty() || body.starts_with('#') {
            i = end + 1;
            continue;
        }
        let decl = body
            .strip_prefix("export")
            .filter(|r| r.starts_with([' ', '\t']))
            .map_or(body, str::trim_start);
        let decl_at = at + (body.len() - decl.len());
        let Some(eq) = decl.find('=') else {
            errors.push((at, "expected `KEY=value`".to_owned()));
            i = end + 1;
            continue;
        };
        let key = decl[..eq].trim_end();
        if key.is_empty() {
            errors.push((at, "expected a name before `=`".to_owned()));
            i = end + 1;
            continue;
        }
        let key_span = decl_at..decl_at + key.len();
        let after = &decl[eq + 1..];
        let v = after.trim_start_matches([' ', '\t']);
        let v_at = decl_at + eq + 1 + (after.len() - v.len());
        let (value, span, next) = match v.as_bytes().first() {
            Some(&q @ (b'\'' | b'"' | b'`')) => match closing(b, v_at + 1, q) {
                Some(close) => {
                    let raw = &text[v_at + 1..close];
                    let value = if q == b'"' {
                        unescape(raw)
                    } else {
                        raw.to_owned()
                    };
                    (value, v_at..close + 1, line_end(b, close + 1) + 1)
                }
                None => {
                    errors.push((v_at, "quote left open".to_owned()));
                    (text[v_at + 1..end].to_owned(), v_at..end, end + 1)
                }
            },
            _ => {
                let cut = v
                    .char_indices()
                    .find(|&(j, c)| c == '#' && v[..j].ends_with([' ', '\t']))
                    .map_or(v.len(), |(j, _)| j);
                let value = v[..cut].trim_end();
                (value.to_owned(), v_at..v_at + value.len(), end + 1)
            }
        };
        map.insert(
            key.to_owned(),
            key_span,
            Node::new(span, Value::Scalar(value)),
        );
        i = next;
    }
    Documents {
        docs: vec![map.into_node(0..text.len())],
        errors,
        ..Documents::default()
    }
}

/// The end of the line starting at `i` (before its `\n`; a `\r` before it stays in the line and
/// is trimmed with the other whitespace).
fn line_end(b: &[u8], i: usize) -> usize {
    b.get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
        .map_or(b.len(), |p| i + p)
}

/// The offset of the quote `q` closing a value whose text starts at `from` (a backslash escapes
/// the next byte in double quotes).
fn closing(b: &[u8], from: usize, q: u8) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' if q == b'"' => i += 2,
            c if c == q => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// A double-quoted value's escapes resolved.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(e @ ('"' | '\\')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_values_quotes_and_comments() {
        let text = "# comment\nSESSION_DRIVER=file\nexport REDIS_URL = redis://cache:6379/0 # the cache\nAPP_NAME='My ${APP} # not a comment'\nGREETING=\"line1\\nsay \\\"hi\\\"\"   # trailing\nHASH=abc#def\nEMPTY=\nTICK=`raw\\n`\r\n";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let doc = &docs.docs[0];
        let (key, driver) = doc.entry("SESSION_DRIVER").expect("driver");
        assert_eq!(&text[key.span.clone()], "SESSION_DRIVER");
        assert_eq!(driver.str(), Some("file"));
        assert_eq!(&text[driver.span.clone()], "file");
        let (key, redis) = doc.entry("REDIS_URL").expect("redis");
        assert_eq!(&text[key.span.clone()], "REDIS_URL");
        assert_eq!(redis.str(), Some("redis://cache:6379/0"));
        assert_eq!(&text[redis.span.clone()], "redis://cache:6379/0");
        let name = doc.get("APP_NAME").expect("name");
        assert_eq!(name.str(), Some("My ${APP} # not a comment"));
        assert_eq!(&text[name.span.clone()], "'My ${APP} # not a comment'");
        assert_eq!(
            doc.get("GREETING").and_then(Node::str),
            Some("line1\nsay \"hi\"")
        );
        assert_eq!(doc.get("HASH").and_then(Node::str), Some("abc#def"));
        assert_eq!(doc.get("EMPTY").and_then(Node::str), Some(""));
        assert_eq!(doc.get("TICK").and_then(Node::str), Some("raw\\n"));
    }

    #[test]
    fn multi_line_values_and_repeats() {
        let text = "KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT=1\nNEXT=2\n";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let doc = &docs.docs[0];
        let key = doc.get("KEY").expect("key");
        assert_eq!(key.str(), Some("-----BEGIN-----\nabc\n-----END-----"));
        assert!(text[key.span.clone()].ends_with("END-----\""));
        let keys: Vec<&str> = doc.entries().iter().filter_map(|(k, _)| k.str()).collect();
        assert_eq!(keys, ["KEY", "NEXT"]);
        assert_eq!(doc.get("NEXT").and_then(Node::str), Some("2"));
    }

    #[test]
    fn malformed_lines_are_errors_not_panics() {
        let text = "JUST_A_WORD\n=nokey\nOPEN='never closed\nAFTER=ok\n";
        let docs = parse(text);
        assert_eq!(docs.errors.len(), 3, "{:?}", docs.errors);
        assert_eq!(docs.errors[0].0, 0);
        assert_eq!(&text[docs.errors[1].0..docs.errors[1].0 + 1], "=");
        assert_eq!(&text[docs.errors[2].0..docs.errors[2].0 + 1], "'");
        let doc = &docs.docs[0];
        assert_eq!(doc.get("OPEN").and_then(Node::str), Some("never closed"));
        assert_eq!(doc.get("AFTER").and_then(Node::str), Some("ok"));
        for bad in [
            "=", "\"", "A=\"\\", "A=\"é\\", "export", "export =", "A='", "\r", "A=é #",
        ] {
            let docs = parse(bad);
            assert_eq!(docs.docs.len(), 1, "{bad:?}");
        }
    }
}
