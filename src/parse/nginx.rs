//! A tolerant parser for nginx's directive syntax that keeps byte spans.
//!
//! nginx config is a list of directives: words ended by `;`, or words followed by a `{ … }` block.
//! Words may be quoted (`"…"`, `'…'`) with backslash escapes, `#` starts a comment at the start of
//! a word, and `${var}` keeps its braces inside a word. Templates (`{{ … }}`) and truncated files
//! do not stop the parse: problems are recorded and the rest is still read. ERB tags (`<% … %>`)
//! are template tags too.

pub use super::directives::{Config, Directive, Word};

/// How deep blocks may nest before the parser flattens them.
const MAX_DEPTH: usize = 64;

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(Word),
    /// A template tag (`{{ … }}`, `{% … %}`, `{# … #}`) of Helm, Jinja or Go templates.
    Template(Word),
    Semicolon(usize),
    Open(usize),
    Close(usize),
}

fn tokenize(text: &str, errors: &mut Vec<(usize, String)>) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b';' => {
                tokens.push(Token::Semicolon(i));
                i += 1;
            }
            b'{' if matches!(bytes.get(i + 1), Some(b'{' | b'%' | b'#')) => {
                let close: &[u8] = match bytes[i + 1] {
                    b'{' => b"}}",
                    b'%' => b"%}",
                    _ => b"#}",
                };
                let start = i;
                let end = bytes[i + 2..]
                    .windows(2)
                    .position(|w| w == close)
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                tokens.push(Token::Template(Word {
                    value: text[start..end].to_owned(),
                    span: start..end,
                }));
                i = end;
            }
            // ERB (Chef, Puppet): `<% … %>` control flow, `<%= … %>` values.
            b'<' if bytes.get(i + 1) == Some(&b'%') => {
                let start = i;
                let end = bytes[i + 2..]
                    .windows(2)
                    .position(|w| w == b"%>")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                tokens.push(Token::Template(Word {
                    value: text[start..end].to_owned(),
                    span: start..end,
                }));
                i = end;
            }
            b'{' => {
                tokens.push(Token::Open(i));
                i += 1;
            }
            b'}' => {
                tokens.push(Token::Close(i));
                i += 1;
            }
            quote @ (b'"' | b'\'') => {
                let start = i;
                i += 1;
                let mut value = Vec::new();
                let mut closed = false;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if i + 1 < bytes.len() => {
                            value.push(bytes[i + 1]);
                            i += 2;
                        }
                        b if b == quote => {
                            i += 1;
                            closed = true;
                            break;
                        }
                        b => {
                            value.push(b);
                            i += 1;
                        }
                    }
                }
                if !closed {
                    errors.push((start, "unterminated quoted string".to_owned()));
                }
                tokens.push(Token::Word(Word {
                    value: String::from_utf8_lossy(&value).into_owned(),
                    span: start..i,
                }));
            }
            _ => {
                let start = i;
                while i < bytes.len() {
                    match bytes[i] {
                        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'}' => break,
                        b'$' if bytes.get(i + 1) == Some(&b'{') => {
                            while i < bytes.len() && bytes[i] != b'}' {
                                i += 1;
                            }
                            i = (i + 1).min(bytes.len());
                        }
                        _ => i += 1,
                    }
                }
                tokens.push(Token::Word(Word {
                    value: text[start..i].to_owned(),
                    span: start..i,
                }));
            }
        }
    }
    tokens
}

/// A block being read: its directive and the children seen so far.
struct Open {
    name: Word,
    args: Vec<Word>,
    children: Vec<Directive>,
}

/// The tree under construction. An explicit stack instead of recursion: deeply nested input
/// cannot overflow the stack.
#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    top: Vec<Directive>,
}

impl Builder {
    fn push(&mut self, d: Directive) {
        match self.stack.last_mut() {
            Some(open) => open.children.push(d),
            None => self.top.push(d),
        }
    }

    /// Adds `words` as a block-less directive ending at `end` (a stray `;` has no words).
    fn push_simple(&mut self, words: Vec<Word>, end: usize) {
        let mut it = words.into_iter();
        if let Some(name) = it.next() {
            let span = name.span.start..end;
            self.push(Directive {
                name,
                args: it.collect(),
                block: None,
                span,
            });
        }
    }

    /// Closes the innermost block at `end`; false when no block is open.
    fn close(&mut self, end: usize) -> bool {
        let Some(open) = self.stack.pop() else {
            return false;
        };
        let span = open.name.span.start..end;
        self.push(Directive {
            name: open.name,
            args: open.args,
            block: Some(open.children),
            span,
        });
        true
    }
}

/// Parses nginx configuration text. Never fails: problems land in [`Config::errors`].
pub fn parse(text: &str) -> Config {
    let mut errors = Vec::new();
    let tokens = tokenize(text, &mut errors);
    let mut tree = Builder::default();
    let mut words: Vec<Word> = Vec::new();
    let mut ignored_opens = 0usize;

    for token in tokens {
        match token {
            Token::Word(w) => words.push(w),
            // A tag that starts a statement is template control flow (`{% if %}`, `{{- end }}`):
            // it is not part of the directive that follows. Inside a directive it is a value.
            Token::Template(w) => {
                if !words.is_empty() {
                    words.push(w);
                }
            }
            Token::Semicolon(at) => tree.push_simple(std::mem::take(&mut words), at + 1),
            Token::Open(at) if tree.stack.len() >= MAX_DEPTH => {
                // Real configs nest a handful of levels; past the cap, blocks are flattened so
                // that neither the parse nor the drop of the tree recurses without bound.
                if ignored_opens == 0 {
                    errors.push((at, format!("blocks nested deeper than {MAX_DEPTH}")));
                }
                ignored_opens += 1;
                words.clear();
            }
            Token::Close(_) if ignored_opens > 0 => {
                ignored_opens -= 1;
                words.clear();
            }
            Token::Open(at) => {
                let mut it = std::mem::take(&mut words).into_iter();
                let name = it.next().unwrap_or_else(|| {
                    errors.push((at, "block without a directive name".to_owned()));
                    Word {
                        value: String::new(),
                        span: at..at,
                    }
                });
                tree.stack.push(Open {
                    name,
                    args: it.collect(),
                    children: Vec::new(),
                });
            }
            Token::Close(at) => {
                if let Some(first) = words.first() {
                    errors.push((
                        first.span.start,
                        "directive is not terminated by `;`".to_owned(),
                    ));
                    tree.push_simple(std::mem::take(&mut words), at);
                }
                if !tree.close(at + 1) {
                    errors.push((at, "unexpected `}`".to_owned()));
                }
            }
        }
    }
    if let Some(w) = words.first() {
        errors.push((
            w.span.start,
            "directive is not terminated by `;`".to_owned(),
        ));
        tree.push_simple(std::mem::take(&mut words), text.len());
    }
    while let Some(open) = tree.stack.last() {
        errors.push((open.name.span.start, "unclosed block".to_owned()));
        tree.close(text.len());
    }
    Config {
        directives: tree.top,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_blocks_quotes_comments_and_variables() {
        let text = "http {\n  # ip_hash;\n  upstream app { hash \"$cookie_sid\" consistent; server a:1; }\n  map ${host} $x { default 1; }\n}\n";
        let config = parse(text);
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        let names: Vec<_> = config
            .walk()
            .iter()
            .map(|d| d.name.value.as_str())
            .collect();
        assert_eq!(
            names,
            ["http", "upstream", "hash", "server", "map", "default"]
        );
        let hash = config.walk()[2];
        assert_eq!(hash.args[0].value, "$cookie_sid");
        assert_eq!(&text[hash.args[0].span.clone()], "\"$cookie_sid\"");
        assert_eq!(config.walk()[4].args[0].value, "${host}");
    }

    #[test]
    fn broken_input_is_parsed_as_far_as_possible() {
        let config = parse("upstream a {\n ip_hash;\n server x\n}\n}\nupstream b { ip_hash;");
        let names: Vec<_> = config
            .walk()
            .iter()
            .map(|d| d.name.value.as_str())
            .collect();
        assert_eq!(
            names,
            ["upstream", "ip_hash", "server", "upstream", "ip_hash"]
        );
        assert_eq!(config.errors.len(), 3, "{:?}", config.errors);
    }

    #[test]
    fn template_tags_are_values_or_control_flow() {
        let text = "upstream app {\n{% for h in hosts %}\n  server {{ h }}:8080;\n{% endfor %}\n{{- if .Values.sticky }}\n  ip_hash;\n{{- end }}\n}\n";
        let config = parse(text);
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        let upstream = &config.directives[0];
        let names: Vec<_> = upstream
            .block
            .iter()
            .flatten()
            .map(|d| d.name.value.as_str())
            .collect();
        assert_eq!(names, ["server", "ip_hash"]);
        assert_eq!(
            upstream.block.as_ref().map(|b| b[0].args[0].value.as_str()),
            Some("{{ h }}")
        );
    }

    #[test]
    fn erb_tags_are_values_or_control_flow() {
        let text = "upstream <%= @name %> {\n<% if @sticky -%>\n  ip_hash;\n<% end -%>\n<% @hosts.each do |h| %>\n  server <%= h %>:80;\n<% end %>\n}\n";
        let config = parse(text);
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        let names: Vec<_> = config
            .walk()
            .iter()
            .map(|d| d.name.value.as_str())
            .collect();
        assert_eq!(names, ["upstream", "ip_hash", "server"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = "a {".repeat(100_000);
        let config = parse(&text);
        assert_eq!(config.directives.len(), 1);
    }
}
