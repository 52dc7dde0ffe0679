//! The tree ARM templates and Bicep files share: ARM JSON (parsed once into the shared data tree,
//! [`super::data`]) is viewed as [`Node`]s, which Bicep's parser produces too, so one detector
//! reads both.

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

impl Node {
    /// The ARM/Bicep view of a JSON document that was parsed once into the shared data tree
    /// ([`super::data::parse_json`]): JSON scalars arrive as text, so `true` and `"true"` are
    /// both strings here, which is how ARM itself compares them.
    pub fn from_data(node: &super::yaml::Node) -> Node {
        use super::yaml::Value as D;
        let value = match &node.value {
            D::Null => Value::Null,
            D::Scalar(s) => Value::String(s.clone()),
            D::Seq(items) => Value::Array(items.iter().map(Node::from_data).collect()),
            D::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| Member {
                        key: k.str().unwrap_or_default().to_owned(),
                        key_span: k.span.clone(),
                        value: Node::from_data(v),
                    })
                    .collect(),
            ),
        };
        Node {
            value,
            span: node.span.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_byte_spans_with_comments_and_unicode() {
        let text = "{\n  // é comment\n  \"name\": \"café\",\n  \"on\": true,\n}";
        let docs = super::super::data::parse_json(text);
        let node = Node::from_data(docs.docs.first().expect("one document"));
        let on = &node.get("ON").expect("member").value;
        assert_eq!(on.value, Value::String("true".into()));
        assert_eq!(&text[on.span.clone()], "true");
        assert_eq!(
            node.get("name").and_then(|m| m.value.as_str()),
            Some("café")
        );
        assert_eq!(node.walk().len(), 3);
    }
}
