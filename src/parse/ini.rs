//! INI files (`setup.cfg`, `tox.ini`, `php.ini`, `my.cnf`) read into the [`super::tree`] data
//! tree the way Python's `configparser` and PHP read them:
//!
//! - `[section]` headers make nested mappings: the document maps each section's name to its
//!   entries (the key spans the name in the header, the mapping the section from its header to
//!   its last entry); a section named twice is one section. Entries before the first header sit
//!   at the top level.
//! - `key = value` and `key: value` (the first `=` or `:` separates); a line with no separator is
//!   a key with a null value (`my.cnf`'s `skip-external-locking`).
//! - `;` and `#` start a comment line, and, after whitespace, a comment at the end of a value
//!   (`session.save_handler = files ; default`); a value wholly in matching quotes loses them.
//! - Indented lines after an entry continue its value (`install_requires =` followed by one
//!   requirement a line), joined with line breaks; a blank line ends it.
//!
//! A repeated key keeps its first place and its last value. A header left unclosed, or a line
//! with a separator and no key, is an error at its offset; the rest of the file is still read.

use super::tree::{Documents, LastWins, Node, Value};
use std::collections::HashMap;
use std::ops::Range;

/// A section being read.
struct Section {
    name: String,
    name_span: Range<usize>,
    span: Range<usize>,
    entries: LastWins,
}

/// An entry whose value may still go on.
struct Open {
    key: String,
    key_span: Range<usize>,
    value: Option<(String, Range<usize>)>,
}

/// Parses INI text into one document.
pub fn parse(text: &str) -> Documents {
    let mut top = LastWins::default();
    let mut sections: Vec<Section> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut current: Option<usize> = None;
    let mut open: Option<Open> = None;
    let mut errors = Vec::new();
    let mut close =
        |open: &mut Option<Open>, current: Option<usize>, sections: &mut Vec<Section>| {
            let Some(entry) = open.take() else { return };
            let value = match entry.value {
                Some((v, span)) => Node::new(span, Value::Scalar(unquote(&v).to_owned())),
                None => {
                    let at = entry.key_span.end;
                    Node::new(at..at, Value::Null)
                }
            };
            let end = value.span.end.max(entry.key_span.end);
            match current.and_then(|i| sections.get_mut(i)) {
                Some(section) => {
                    section.span.end = section.span.end.max(end);
                    section.entries.insert(entry.key, entry.key_span, value);
                }
                None => top.insert(entry.key, entry.key_span, value),
            }
        };
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let line_start = start;
        start += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = line.trim_start();
        let at = line_start + (line.len() - body.len());
        let body = body.trim_end();
        if body.is_empty() {
            close(&mut open, current, &mut sections);
            continue;
        }
        if body.starts_with([';', '#']) {
            continue;
        }
        let indented = at > line_start;
        if indented && let Some(entry) = open.as_mut() {
            let (value, span) = strip_comment(body, at);
            match &mut entry.value {
                // `key =` with the value on the lines below.
                Some((v, _)) if v.is_empty() => entry.value = Some((value.to_owned(), span)),
                Some((v, s)) => {
                    v.push('\n');
                    v.push_str(value);
                    s.end = span.end;
                }
                None => entry.value = Some((value.to_owned(), span)),
            }
            continue;
        }
        close(&mut open, current, &mut sections);
        if let Some(header) = body.strip_prefix('[') {
            let (inner, closed) = match header.find(']') {
                Some(i) => (&header[..i], true),
                None => (header, false),
            };
            if !closed {
                errors.push((at, "section header without `]`".to_owned()));
            }
            let name = inner.trim();
            let name_start = at + 1 + (inner.len() - inner.trim_start().len());
            let name_span = name_start..name_start + name.len();
            let header_end = at + body.len();
            let i = *by_name.entry(name.to_owned()).or_insert_with(|| {
                sections.push(Section {
                    name: name.to_owned(),
                    name_span: name_span.clone(),
                    span: at..header_end,
                    entries: LastWins::default(),
                });
                sections.len() - 1
            });
            current = Some(i);
            continue;
        }
        let (key, value) = match body.find(['=', ':']) {
            Some(i) => (&body[..i], Some((&body[i + 1..], at + i + 1))),
            None => (body, None),
        };
        let key = key.trim_end();
        if key.is_empty() {
            errors.push((at, "expected a key before the separator".to_owned()));
            continue;
        }
        let value = value.map(|(v, from)| {
            let trimmed = v.trim_start();
            let (v, span) = strip_comment(trimmed, from + (v.len() - trimmed.len()));
            (v.to_owned(), span)
        });
        open = Some(Open {
            key: key.to_owned(),
            key_span: at..at + key.len(),
            value,
        });
    }
    close(&mut open, current, &mut sections);
    for section in sections {
        let node = section.entries.into_node(section.span);
        top.insert(section.name, section.name_span, node);
    }
    Documents {
        docs: vec![top.into_node(0..text.len())],
        errors,
        ..Documents::default()
    }
}

/// A value without a trailing comment (`;` or `#` after whitespace), trimmed, with its span.
fn strip_comment(value: &str, from: usize) -> (&str, Range<usize>) {
    let b = value.as_bytes();
    let cut = (1..b.len())
        .find(|&i| matches!(b[i], b';' | b'#') && b[i - 1].is_ascii_whitespace())
        .unwrap_or(b.len());
    let v = value[..cut].trim_end();
    (v, from..from + v.len())
}

/// A value wholly in matching quotes, without them.
fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if value.len() >= 2
            && let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q))
        {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETUP_CFG: &str = "; top comment\nroot = yes\n[metadata]\nname = shop\n# comment\n[options]\ninstall_requires =\n    flask>=2\n    # a comment inside\n    redis ; why\nzip_safe: False\n\n[metadata]\nversion = \"1.0\"\nname = shop2\n";

    #[test]
    fn sections_nest_and_values_have_spans() {
        let docs = parse(SETUP_CFG);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let doc = &docs.docs[0];
        let keys: Vec<&str> = doc.entries().iter().filter_map(|(k, _)| k.str()).collect();
        assert_eq!(keys, ["root", "metadata", "options"]);
        let (key, metadata) = doc.entry("metadata").expect("metadata");
        assert_eq!(&SETUP_CFG[key.span.clone()], "metadata");
        // A section named twice is one; the last `name` wins.
        assert_eq!(metadata.get("name").and_then(Node::str), Some("shop2"));
        let version = metadata.get("version").expect("version");
        assert_eq!(version.str(), Some("1.0"));
        assert_eq!(&SETUP_CFG[version.span.clone()], "\"1.0\"");
        let requires = doc
            .at(&["options", "install_requires"])
            .expect("install_requires");
        assert_eq!(requires.str(), Some("flask>=2\nredis"));
        assert!(SETUP_CFG[requires.span.clone()].starts_with("flask>=2"));
        assert!(SETUP_CFG[requires.span.clone()].ends_with("redis"));
        let zip = doc.at(&["options", "zip_safe"]).expect("zip_safe");
        assert_eq!(&SETUP_CFG[zip.span.clone()], "False");
        assert_eq!(doc.get("root").and_then(Node::str), Some("yes"));
    }

    #[test]
    fn inline_comments_bare_keys_and_php_ini() {
        let text = "[Session]\nsession.save_handler = files ; default\nsession.save_path = \"/tmp\"\ncolor = #fff\nurl = http://x/#a\n[mysqld]\nskip-external-locking\n";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let doc = &docs.docs[0];
        let handler = doc
            .at(&["Session", "session.save_handler"])
            .expect("handler");
        assert_eq!(handler.str(), Some("files"));
        assert_eq!(&text[handler.span.clone()], "files");
        assert_eq!(
            doc.at(&["Session", "session.save_path"])
                .and_then(Node::str),
            Some("/tmp")
        );
        assert_eq!(
            doc.at(&["Session", "color"]).and_then(Node::str),
            Some("#fff")
        );
        assert_eq!(
            doc.at(&["Session", "url"]).and_then(Node::str),
            Some("http://x/#a")
        );
        let bare = doc.at(&["mysqld", "skip-external-locking"]).expect("bare");
        assert_eq!(bare.value, Value::Null);
    }

    #[test]
    fn malformed_lines_are_errors_not_panics() {
        let text = "[open\nk = v\n= nokey\n[ok]\nx = 1\n";
        let docs = parse(text);
        assert_eq!(docs.errors.len(), 2, "{:?}", docs.errors);
        assert_eq!(docs.errors[0].0, 0);
        assert_eq!(&text[docs.errors[1].0..docs.errors[1].0 + 1], "=");
        assert_eq!(
            docs.docs[0].at(&["open", "k"]).and_then(Node::str),
            Some("v")
        );
        assert_eq!(docs.docs[0].at(&["ok", "x"]).and_then(Node::str), Some("1"));
        for bad in [
            "[",
            "]",
            "=",
            "\"",
            "a=\"",
            "  x",
            "[é",
            "k=é ;",
            "\r\n\r\n  ; x\n  y",
        ] {
            let docs = parse(bad);
            assert_eq!(docs.docs.len(), 1, "{bad:?}");
        }
    }
}
