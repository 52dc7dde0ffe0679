//! A tolerant parser for HAProxy configuration that keeps byte spans.
//!
//! HAProxy config is line based: a line whose first word is a section keyword (`global`,
//! `defaults`, `frontend`, `backend`, `listen`, `peers`, …) opens a section, and every other line
//! belongs to the last section opened. Words are separated by blanks, may be quoted (`"…"` with
//! backslash escapes, `'…'` literal) or escaped (`\ `), and `#` at the start of a word starts a
//! comment. Template tags (`{{ … }}`, `{% … %}`) stay one word; a line that starts with `{%` is
//! template control flow and is skipped.

use super::nginx::Word;
use crate::source::HAPROXY_SECTIONS;
use std::ops::Range;

/// One configuration line: its words and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The words, quotes removed.
    pub words: Vec<Word>,
    /// From the first word to the end of the last.
    pub span: Range<usize>,
}

impl Line {
    /// The first word (the keyword), lowercased by the caller when needed.
    pub fn keyword(&self) -> &str {
        self.words.first().map_or("", |w| w.value.as_str())
    }

    /// The value of word `i`, or "".
    pub fn arg(&self, i: usize) -> &str {
        self.words.get(i).map_or("", |w| w.value.as_str())
    }
}

/// A section: its header line (`backend app`) and the lines under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The header line; its first word is the section keyword.
    pub header: Line,
    /// The lines of the section, in order.
    pub lines: Vec<Line>,
}

impl Section {
    /// The section keyword (`backend`, `defaults`, …).
    pub fn kind(&self) -> &str {
        self.header.keyword()
    }

    /// The section's name (`backend app` → `app`), or "" for an unnamed `defaults`.
    pub fn name(&self) -> &str {
        self.header.arg(1)
    }
}

/// A parsed file.
#[derive(Debug, Default)]
pub struct Config {
    /// Lines before the first section (a snippet included into a section).
    pub top: Vec<Line>,
    /// The sections, in file order.
    pub sections: Vec<Section>,
    /// Problems: the offset and what was wrong. Parsing went on past each.
    pub errors: Vec<(usize, String)>,
}

/// Parses HAProxy configuration text. Never fails: problems land in [`Config::errors`].
pub fn parse(text: &str) -> Config {
    let mut config = Config::default();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let words = words(raw, start, &mut config.errors);
        let Some(first) = words.first() else { continue };
        if first.value.starts_with("{%") {
            continue;
        }
        let span = first.span.start..words.last().map_or(first.span.end, |w| w.span.end);
        let line = Line { words, span };
        if HAPROXY_SECTIONS.contains(&line.keyword()) {
            config.sections.push(Section {
                header: line,
                lines: Vec::new(),
            });
        } else {
            match config.sections.last_mut() {
                Some(section) => section.lines.push(line),
                None => config.top.push(line),
            }
        }
    }
    config
}

/// Splits one line (starting at byte `base` of the file) into words.
fn words(line: &str, base: usize, errors: &mut Vec<(usize, String)>) -> Vec<Word> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b[i] == b'#' {
            break;
        }
        let start = i;
        let mut value = Vec::new();
        while i < b.len() && !b[i].is_ascii_whitespace() {
            match b[i] {
                b'\\' if i + 1 < b.len() => {
                    value.push(b[i + 1]);
                    i += 2;
                }
                q @ (b'"' | b'\'') => {
                    let open = i;
                    i += 1;
                    loop {
                        match b.get(i) {
                            None | Some(b'\n') => {
                                errors.push((base + open, "unterminated quoted string".into()));
                                break;
                            }
                            Some(&c) if c == q => {
                                i += 1;
                                break;
                            }
                            Some(b'\\') if q == b'"' && i + 1 < b.len() => {
                                value.push(b[i + 1]);
                                i += 2;
                            }
                            Some(&c) => {
                                value.push(c);
                                i += 1;
                            }
                        }
                    }
                }
                b'{' if matches!(b.get(i + 1), Some(b'{' | b'%')) => {
                    let close: &[u8] = if b[i + 1] == b'{' { b"}}" } else { b"%}" };
                    let end = b[i + 2..]
                        .windows(2)
                        .position(|w| w == close)
                        .map_or(b.len(), |p| i + 2 + p + 2);
                    value.extend_from_slice(&b[i..end]);
                    i = end;
                }
                c => {
                    value.push(c);
                    i += 1;
                }
            }
        }
        out.push(Word {
            value: String::from_utf8_lossy(&value).into_owned(),
            span: base + start..base + i,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_lines_quotes_and_comments() {
        let text = "# top\nglobal\n  maxconn 100\n\ndefaults\n  mode http # inline\nbackend app\n  balance   source\n  server s1 \"10.0.0.1:80\" cookie s1\n  http-request set-header X-A \"a b\"\n";
        let config = parse(text);
        assert!(config.errors.is_empty());
        let kinds: Vec<_> = config.sections.iter().map(Section::kind).collect();
        assert_eq!(kinds, ["global", "defaults", "backend"]);
        let app = &config.sections[2];
        assert_eq!(app.name(), "app");
        assert_eq!(app.lines[0].arg(1), "source");
        assert_eq!(&text[app.lines[0].span.clone()], "balance   source");
        assert_eq!(app.lines[1].arg(2), "10.0.0.1:80");
        assert_eq!(app.lines[2].arg(3), "a b");
        assert_eq!(config.sections[1].lines[0].words.len(), 2);
    }

    #[test]
    fn templates_and_broken_input() {
        let text =
            "backend {{ name }}\n{% if sticky %}\n  balance source\n{% endif %}\n  server a \"x\n";
        let config = parse(text);
        assert_eq!(config.sections[0].name(), "{{ name }}");
        assert_eq!(config.sections[0].lines.len(), 2);
        assert_eq!(config.errors.len(), 1);
    }
}
