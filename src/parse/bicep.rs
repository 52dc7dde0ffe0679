//! A tolerant parser for the parts of Azure Bicep that configure resources: `param` defaults,
//! `var` values and `resource` declarations, whose bodies become [`super::tree`] nodes, the tree
//! ARM JSON is read into too. Literals are scalars as ARM compares them (`true`, `80`, a string
//! unquoted); expressions that are not literals are kept as text ([`Value::Expr`]). Unknown
//! statements are skipped to the end of their line.

use super::tree::{Node, Value};
use std::ops::Range;

/// How deep objects and arrays may nest before the rest is kept as an expression.
const MAX_DEPTH: usize = 64;

/// A `resource` declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The symbolic name.
    pub name: String,
    /// The type string, `Microsoft.Web/sites@2023-01-01` (a nested resource's is relative).
    pub type_: String,
    /// The body (`{ … }`; inside `if (…)` or `[for …: …]`).
    pub body: Node,
}

/// A parsed Bicep file.
#[derive(Debug, Default)]
pub struct File {
    /// `param NAME TYPE = default`: names and default values.
    pub params: Vec<(String, Node)>,
    /// `var NAME = value`.
    pub vars: Vec<(String, Node)>,
    /// Every `resource`, nested ones included, in file order.
    pub resources: Vec<Resource>,
    /// Problems: offset and message.
    pub errors: Vec<(usize, String)>,
}

impl File {
    /// The value a bare identifier stands for: a `var`'s value or a `param`'s default.
    pub fn lookup(&self, name: &str) -> Option<&Node> {
        self.vars
            .iter()
            .chain(&self.params)
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    /// A string with `${…}` holes: an expression, not a literal.
    Template,
    Word(String),
    Punct(u8),
    Newline,
}

fn tokenize(text: &str) -> Vec<(Tok, Range<usize>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        match b[i] {
            b'\n' => {
                out.push((Tok::Newline, i..i + 1));
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
            }
            b'\'' if b[i..].starts_with(b"'''") => {
                let end = text[i + 3..].find("'''").map_or(b.len(), |p| i + 3 + p);
                out.push((
                    Tok::Str(text[i + 3..end].to_owned()),
                    start..(end + 3).min(b.len()),
                ));
                i = (end + 3).min(b.len());
            }
            b'\'' => {
                let mut v = Vec::new();
                let mut holes = false;
                i += 1;
                while i < b.len() && b[i] != b'\'' && b[i] != b'\n' {
                    if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] != b'\n' {
                        v.push(b[i + 1]);
                        i += 2;
                    } else if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
                        // A hole may hold strings of its own (`'${toLower('A')}-app'`).
                        holes = true;
                        i = hole_end(b, i + 2);
                    } else {
                        v.push(b[i]);
                        i += 1;
                    }
                }
                // The closing quote; a string left open ends at its line, and the newline
                // still ends the statement.
                if b.get(i) == Some(&b'\'') {
                    i += 1;
                }
                let tok = if holes {
                    Tok::Template
                } else {
                    Tok::Str(String::from_utf8_lossy(&v).into_owned())
                };
                out.push((tok, start..i));
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'@' => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.' | b'@'))
                {
                    i += 1;
                }
                out.push((Tok::Word(text[start..i].to_owned()), start..i));
            }
            c => {
                out.push((Tok::Punct(c), i..i + 1));
                i += 1;
                while i < b.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
    }
    out
}

/// Where the `${…}` hole whose body starts at `i` ends (after its `}`), over nested braces and
/// strings; a hole left open ends at the end of its line.
fn hole_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 1usize;
    while i < b.len() && b[i] != b'\n' {
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' && b[i] != b'\n' {
                    i += if b[i] == b'\\' && b.get(i + 1) != Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                }
                if b.get(i) != Some(&b'\'') {
                    return i.min(b.len());
                }
            }
            _ => {}
        }
        i += 1;
    }
    i.min(b.len())
}

struct Parser<'a> {
    text: &'a str,
    toks: Vec<(Tok, Range<usize>)>,
    at: usize,
    file: File,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }
    fn span(&self) -> Range<usize> {
        self.toks
            .get(self.at)
            .map_or(self.text.len()..self.text.len(), |(_, s)| s.clone())
    }
    fn word(&self) -> Option<&str> {
        match self.peek() {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }
    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Some(Tok::Newline | Tok::Punct(b','))) {
            self.at += 1;
        }
    }

    /// Skips to the end of the line, over balanced brackets.
    fn skip_statement(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            match t {
                Tok::Punct(b'{' | b'[' | b'(') => depth += 1,
                Tok::Punct(b'}' | b']' | b')') if depth == 0 => return,
                Tok::Punct(b'}' | b']' | b')') => depth -= 1,
                Tok::Newline if depth == 0 => return,
                _ => {}
            }
            self.at += 1;
        }
    }

    fn statement(&mut self) {
        match self.word() {
            Some("param") => {
                self.at += 1;
                let name = self.word().unwrap_or_default().to_owned();
                self.at += 1;
                // The type, possibly decorated or a union: up to `=` on the same line.
                while !matches!(self.peek(), None | Some(Tok::Newline | Tok::Punct(b'='))) {
                    self.at += 1;
                }
                if self.peek() == Some(&Tok::Punct(b'=')) {
                    self.at += 1;
                    let value = self.value(0);
                    self.file.params.push((name, value));
                }
            }
            Some("var") => {
                self.at += 1;
                let name = self.word().unwrap_or_default().to_owned();
                self.at += 1;
                if self.peek() == Some(&Tok::Punct(b'=')) {
                    self.at += 1;
                    let value = self.value(0);
                    self.file.vars.push((name, value));
                }
            }
            Some("resource") => self.resource(0),
            _ => {}
        }
        self.skip_statement();
    }

    /// `resource NAME 'type' [existing] = value`, the keyword under the cursor.
    fn resource(&mut self, depth: usize) {
        self.at += 1;
        let name = self.word().unwrap_or_default().to_owned();
        self.at += 1;
        let type_ = match self.peek() {
            Some(Tok::Str(s)) => s.clone(),
            _ => return,
        };
        while !matches!(self.peek(), None | Some(Tok::Newline | Tok::Punct(b'='))) {
            self.at += 1;
        }
        if self.peek() != Some(&Tok::Punct(b'=')) {
            return;
        }
        self.at += 1;
        let body = self.value(depth + 1);
        self.file.resources.push(Resource { name, type_, body });
    }

    fn value(&mut self, depth: usize) -> Node {
        let start = self.span();
        if depth > MAX_DEPTH {
            return self.expression(start.start);
        }
        match self.peek().cloned() {
            Some(Tok::Punct(b'{')) => {
                self.at += 1;
                let mut members = Vec::new();
                loop {
                    self.skip_newlines();
                    match self.peek().cloned() {
                        None => break,
                        Some(Tok::Punct(b'}')) => {
                            self.at += 1;
                            break;
                        }
                        Some(Tok::Word(w))
                            if w == "resource"
                                && self
                                    .toks
                                    .get(self.at + 1)
                                    .is_some_and(|(t, _)| matches!(t, Tok::Word(_))) =>
                        {
                            self.resource(depth);
                        }
                        Some(Tok::Word(key) | Tok::Str(key)) => {
                            let key_span = self.span();
                            self.at += 1;
                            if self.peek() != Some(&Tok::Punct(b':')) {
                                self.file
                                    .errors
                                    .push((key_span.start, "expected `:`".into()));
                                self.skip_statement();
                                continue;
                            }
                            self.at += 1;
                            let value = self.value(depth + 1);
                            members.push((Node::new(key_span, Value::Scalar(key)), value));
                        }
                        Some(_) => {
                            self.file
                                .errors
                                .push((self.span().start, "unexpected token in object".into()));
                            let before = self.at;
                            self.skip_statement();
                            if self.at == before {
                                self.at += 1;
                            }
                        }
                    }
                }
                self.finish(Value::Map(members), start.start)
            }
            Some(Tok::Punct(b'[')) => {
                self.at += 1;
                let mut items = Vec::new();
                if self.word() == Some("for") {
                    // `[for x in xs: body]`: the body stands for every element.
                    let mut depth_p = 0usize;
                    while let Some(t) = self.peek() {
                        match t {
                            Tok::Punct(b'(' | b'[' | b'{') => depth_p += 1,
                            Tok::Punct(b')' | b']' | b'}') => depth_p = depth_p.saturating_sub(1),
                            Tok::Punct(b':') if depth_p == 0 => break,
                            _ => {}
                        }
                        self.at += 1;
                    }
                    self.at += 1;
                }
                loop {
                    self.skip_newlines();
                    match self.peek() {
                        None => break,
                        Some(Tok::Punct(b']')) => {
                            self.at += 1;
                            break;
                        }
                        _ => {
                            let before = self.at;
                            items.push(self.value(depth + 1));
                            if self.at == before {
                                self.at += 1;
                            }
                        }
                    }
                }
                self.finish(Value::Seq(items), start.start)
            }
            Some(Tok::Word(w)) if w == "if" => {
                // `if (cond) { … }`: the condition is skipped, the body is the value.
                self.at += 1;
                if self.peek() == Some(&Tok::Punct(b'(')) {
                    let mut d = 0usize;
                    while let Some(t) = self.peek() {
                        match t {
                            Tok::Punct(b'(') => d += 1,
                            Tok::Punct(b')') => {
                                d -= 1;
                                if d == 0 {
                                    self.at += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        self.at += 1;
                    }
                }
                self.value(depth + 1)
            }
            Some(Tok::Str(s)) => {
                self.at += 1;
                self.finish(Value::Scalar(s), start.start)
            }
            Some(Tok::Template) => {
                self.at += 1;
                let text = self.text.get(start.clone()).unwrap_or_default().to_owned();
                self.finish(Value::Expr(text), start.start)
            }
            Some(Tok::Word(w)) => {
                self.at += 1;
                let literal =
                    matches!(w.as_str(), "true" | "false") || w.bytes().all(|c| c.is_ascii_digit());
                let v = if w == "null" {
                    Value::Null
                } else if literal {
                    Value::Scalar(w)
                } else {
                    Value::Expr(w)
                };
                self.finish(v, start.start)
            }
            _ => self.expression(start.start),
        }
    }

    /// A literal just read: itself, or, when more follows on the line (`a ? b : c`, `x.y`),
    /// an expression covering the whole.
    fn finish(&mut self, value: Value, start: usize) -> Node {
        let end = self
            .toks
            .get(self.at.wrapping_sub(1))
            .map_or(start, |(_, s)| s.end);
        if matches!(
            self.peek(),
            None | Some(Tok::Newline | Tok::Punct(b',' | b'}' | b']' | b')'))
        ) {
            return Node::new(start..end, value);
        }
        self.expression(start)
    }

    /// Reads tokens to the end of the expression (a newline, `,` or closing bracket at depth 0).
    fn expression(&mut self, start: usize) -> Node {
        let mut depth = 0usize;
        let mut end = start;
        while let Some(t) = self.peek() {
            match t {
                Tok::Punct(b'(' | b'[' | b'{') => depth += 1,
                Tok::Punct(b')' | b']' | b'}') if depth == 0 => break,
                Tok::Punct(b')' | b']' | b'}') => depth -= 1,
                Tok::Newline | Tok::Punct(b',') if depth == 0 => break,
                _ => {}
            }
            end = self.toks[self.at].1.end;
            self.at += 1;
        }
        let text = self
            .text
            .get(start..end)
            .unwrap_or_default()
            .trim()
            .to_owned();
        Node::new(start..end.max(start), Value::Expr(text))
    }
}

/// Parses Bicep text. Never fails: problems land in [`File::errors`].
pub fn parse(text: &str) -> File {
    let mut p = Parser {
        text,
        toks: tokenize(text),
        at: 0,
        file: File::default(),
    };
    while p.at < p.toks.len() {
        let before = p.at;
        p.statement();
        if p.at == before {
            p.at += 1;
        }
        while p.peek() == Some(&Tok::Newline) {
            p.at += 1;
        }
    }
    p.file
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_vars_and_resources() {
        let text = "@description('x')\nparam affinity bool = true\nvar name = '${prefix}-web' // c\nresource web 'Microsoft.Web/sites@2023-01-01' = if (deploy) {\n  name: name\n  location: resourceGroup().location\n  properties: {\n    clientAffinityEnabled: affinity\n    httpsOnly: true\n    tags: [for t in tags: {\n      k: t\n    }]\n  }\n  resource cfg 'config' = {\n    name: 'web'\n  }\n}\n";
        let file = parse(text);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        assert_eq!(file.lookup("affinity").and_then(Node::str), Some("true"));
        assert_eq!(file.resources.len(), 2);
        let web = &file.resources[1];
        assert_eq!(web.type_, "Microsoft.Web/sites@2023-01-01");
        let props = web.body.get("properties").expect("properties");
        let (key, affinity) = props.entry("clientAffinityEnabled").expect("member");
        assert_eq!(&text[key.span.clone()], "clientAffinityEnabled");
        assert_eq!(affinity.expr(), Some("affinity"));
        assert_eq!(&text[affinity.span.clone()], "affinity");
        let location = web.body.get("location").expect("location");
        assert_eq!(location.expr(), Some("resourceGroup().location"));
        let https = props.get("httpsOnly").expect("httpsOnly");
        assert!(https.is_true());
        assert_eq!(&text[https.span.clone()], "true");
    }

    #[test]
    fn interpolated_strings_are_expressions() {
        let text =
            "var a = '${toLower('A')}-app'\nvar b = 'it\\'s ${x}'\nvar c = '${'\nvar d = 'plain'\n";
        let file = parse(text);
        let a = file.lookup("a").expect("a");
        assert_eq!(a.expr(), Some("'${toLower('A')}-app'"));
        assert_eq!(&text[a.span.clone()], "'${toLower('A')}-app'");
        assert_eq!(file.lookup("b").and_then(Node::expr), Some("'it\\'s ${x}'"));
        // A hole left open ends at its line; the next statement still reads.
        assert!(file.lookup("c").is_some_and(|c| c.expr().is_some()));
        assert_eq!(file.lookup("d").and_then(Node::str), Some("plain"));
    }

    #[test]
    fn broken_input_does_not_stop_the_parse() {
        let file = parse("resource a 'T@1' = {\n  x: [\n  y 1\n}\nparam p string = 'v'\n");
        assert!(file.resources.len() <= 1);
        let _ = parse("{{{{[[[(((");
    }
}
