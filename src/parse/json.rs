//! JSON with positions (comments and trailing commas allowed, as in ARM templates), read with
//! `jsonc-parser` and turned into an owned tree of [`Node`]s that Bicep's parser produces too, so
//! one detector reads both.

use std::ops::Range;

/// A value and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Byte span in the file.
    pub span: Range<usize>,
}

/// A member of an object: its key and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unquoted.
    pub key: String,
    /// Byte span of the key.
    pub key_span: Range<usize>,
    /// The value.
    pub value: Node,
}

/// A JSON value, or a Bicep expression kept as text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `{ … }`.
    Object(Vec<Member>),
    /// `[ … ]`.
    Array(Vec<Node>),
    /// A string, unquoted.
    String(String),
    /// A number, as written.
    Number(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An expression that is not a literal (Bicep: `appName`, `cond ? a : b`), as written.
    Expr(String),
}

impl Node {
    /// The member `key` of an object (case-insensitive, as ARM property names are).
    pub fn get(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Value::Object(members) => members.iter().find(|m| m.key.eq_ignore_ascii_case(key)),
            _ => None,
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Every node at any depth with the nodes above it (outermost first), parents first.
    pub fn walk(&self) -> Vec<(Vec<&Node>, &Node)> {
        let mut out = Vec::new();
        let mut stack: Vec<(Vec<&Node>, &Node)> = vec![(Vec::new(), self)];
        while let Some((parents, node)) = stack.pop() {
            let children: Vec<&Node> = match &node.value {
                Value::Object(members) => members.iter().map(|m| &m.value).collect(),
                Value::Array(items) => items.iter().collect(),
                _ => Vec::new(),
            };
            if !children.is_empty() {
                let mut inner = parents.clone();
                inner.push(node);
                stack.extend(children.into_iter().rev().map(|c| (inner.clone(), c)));
            }
            out.push((parents, node));
        }
        out
    }
}

/// Parses JSON text: the tree, or the offset and message of the syntax error.
pub fn parse(text: &str) -> Result<Node, (usize, String)> {
    use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
    let result = parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default())
        .map_err(|e| (e.range().start, e.kind().to_string()))?;
    Ok(result.value.as_ref().map_or(
        Node {
            value: Value::Null,
            span: 0..0,
        },
        |v| convert(v, 0),
    ))
}

/// How deep the owned tree goes; deeper values become `null` (no real template nests this far).
const MAX_DEPTH: usize = 128;

fn convert(value: &jsonc_parser::ast::Value<'_>, depth: usize) -> Node {
    use jsonc_parser::ast::{ObjectPropName, Value as J};
    let range = |r: &jsonc_parser::common::Range| r.start..r.end;
    let (value, span) = match value {
        _ if depth > MAX_DEPTH => (Value::Null, 0..0),
        J::StringLit(s) => (Value::String(s.value.to_string()), range(&s.range)),
        J::NumberLit(n) => (Value::Number(n.value.to_owned()), range(&n.range)),
        J::BooleanLit(b) => (Value::Bool(b.value), range(&b.range)),
        J::NullKeyword(n) => (Value::Null, range(&n.range)),
        J::Array(a) => (
            Value::Array(a.elements.iter().map(|e| convert(e, depth + 1)).collect()),
            range(&a.range),
        ),
        J::Object(o) => (
            Value::Object(
                o.properties
                    .iter()
                    .map(|p| {
                        let (key, key_span) = match &p.name {
                            ObjectPropName::String(s) => (s.value.to_string(), range(&s.range)),
                            ObjectPropName::Word(w) => (w.value.to_owned(), range(&w.range)),
                        };
                        Member {
                            key,
                            key_span,
                            value: convert(&p.value, depth + 1),
                        }
                    })
                    .collect(),
            ),
            range(&o.range),
        ),
    };
    Node { value, span }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_byte_spans_with_comments_and_unicode() {
        let text = "{\n  // é comment\n  \"name\": \"café\",\n  \"on\": true,\n}";
        let node = parse(text).expect("parses");
        let on = &node.get("ON").expect("member").value;
        assert_eq!(on.value, Value::Bool(true));
        assert_eq!(&text[on.span.clone()], "true");
        assert_eq!(
            node.get("name").and_then(|m| m.value.as_str()),
            Some("café")
        );
        assert_eq!(node.walk().len(), 3);
        assert!(parse("{\"a\": }").is_err());
    }
}
