//! The data tree every configuration format is read into: YAML ([`super::yaml`]), JSON
//! ([`super::json`]), TOML ([`super::toml`]), Bicep ([`super::bicep`]), XML ([`super::xml`]),
//! Java `.properties` ([`super::properties`]), `.ini` / `setup.cfg` ([`super::ini`]) and `.env`
//! ([`super::env`]). One tree, so a detector for a tool that accepts several formats (Traefik,
//! CloudFormation, ARM and Bicep) reads them all the same way, and nothing is copied into a
//! second tree.
//!
//! Scalars are kept as text, as written (strings unquoted, numbers and booleans spelled as in the
//! file): the formats disagree on typing (YAML's schemas, ARM comparing `true` and `"true"`
//! alike, `.properties` having no types at all), and detectors compare text. What is not a
//! literal (a Bicep reference, function call or operator) is an [`Value::Expr`].

use std::ops::Range;

/// One value with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Byte range of the value in the file's text.
    pub span: Range<usize>,
    /// A YAML local tag such as `!Ref` or `!Sub`, or an XML element's namespace URI, when the
    /// value has one.
    pub tag: Option<String>,
    /// The value.
    pub value: Value,
}

/// The shapes a value takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing (`~`, `null`, an empty value, or an alias that could not be followed).
    Null,
    /// A scalar, as written (without quotes).
    Scalar(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order (duplicates kept, as templated files produce them).
    Map(Vec<(Node, Node)>),
    /// An expression that is not a literal (Bicep: `appName`, `resourceGroup().location`,
    /// `cond ? a : b`), as written.
    Expr(String),
}

/// A template action (`{{ … }}`) that stood for a value, and what it said.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Byte range of the whole action.
    pub span: Range<usize>,
    /// The action's text between the braces, trimmed (`.Values.service.type | quote`).
    pub text: String,
}

/// Every document of a file, with what went wrong reading it.
#[derive(Debug, Default)]
pub struct Documents {
    /// The documents, in order.
    pub docs: Vec<Node>,
    /// Template actions that stood for values, in order.
    pub actions: Vec<Action>,
    /// Syntax errors: byte offset and message.
    pub errors: Vec<(usize, String)>,
    /// Why the file is not analysed at all, when it passed a limit of [`super::bounds`] (nesting,
    /// alias expansion): where, when known, and the reason.
    pub refused: Option<(Option<usize>, String)>,
}

impl Documents {
    /// The template action whose placeholder a scalar is (it starts where the action started).
    pub fn action_at(&self, node: &Node) -> Option<&Action> {
        let i = self
            .actions
            .binary_search_by_key(&node.span.start, |a| a.span.start)
            .ok()?;
        self.actions.get(i)
    }

    /// Whether the file had template actions.
    pub fn is_templated(&self) -> bool {
        !self.actions.is_empty()
    }
}

impl Node {
    /// An untagged node.
    pub fn new(span: Range<usize>, value: Value) -> Node {
        Node {
            span,
            tag: None,
            value,
        }
    }

    /// A scalar's text.
    pub fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// A mapping's entries with scalar keys, following `<<` merge keys after the own entries.
    pub fn entries(&self) -> Vec<(&Node, &Node)> {
        let mut out = Vec::new();
        self.collect_entries(&mut out, 0);
        out
    }

    fn collect_entries<'a>(&'a self, out: &mut Vec<(&'a Node, &'a Node)>, depth: usize) {
        let Value::Map(entries) = &self.value else {
            return;
        };
        let mut merges = Vec::new();
        for (k, v) in entries {
            if k.str() == Some("<<") {
                merges.push(v);
            } else {
                out.push((k, v));
            }
        }
        if depth < 8 {
            for merged in merges {
                match &merged.value {
                    Value::Seq(items) => {
                        items.iter().for_each(|m| m.collect_entries(out, depth + 1))
                    }
                    _ => merged.collect_entries(out, depth + 1),
                }
            }
        }
    }

    /// The key and value of a mapping entry.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries()
            .into_iter()
            .find(|(k, _)| k.str() == Some(key))
    }

    /// A mapping entry's value.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// A mapping entry's value, the key compared without regard to ASCII case (TOML and
    /// Traefik labels accept `loadBalancer` and `loadbalancer`).
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        self.entry_ci(key).map(|(_, v)| v)
    }

    /// A mapping entry, the key compared without regard to ASCII case (ARM property names).
    pub fn entry_ci(&self, key: &str) -> Option<(&Node, &Node)> {
        self.entries()
            .into_iter()
            .find(|(k, _)| k.str().is_some_and(|s| s.eq_ignore_ascii_case(key)))
    }

    /// The value at a path of mapping keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// A sequence's items (nothing for other values).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// A sequence's items, or the value itself when it is not a sequence: an XML element that
    /// may repeat is a sequence only when it does.
    pub fn one_or_many(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => std::slice::from_ref(self),
        }
    }

    /// An expression's text (Bicep), when the value is one.
    pub fn expr(&self) -> Option<&str> {
        match &self.value {
            Value::Expr(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the value is a YAML/JSON/TOML true (`true`, `"true"`, `True`).
    pub fn is_true(&self) -> bool {
        self.str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
    }

    /// Every node of the tree, depth first (the node itself first).
    pub fn walk(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            out.push(n);
            match &n.value {
                Value::Seq(items) => stack.extend(items.iter().rev()),
                Value::Map(entries) => {
                    for (k, v) in entries.iter().rev() {
                        stack.push(v);
                        stack.push(k);
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// A mapping being read from a format where a repeated key replaces the earlier one (`.properties`,
/// `.ini`, `.env`): the entry stays where the key first appeared and takes the last value, so
/// [`Node::get`] reads what the program would.
#[derive(Debug, Default)]
pub struct LastWins {
    entries: Vec<(Node, Node)>,
    index: std::collections::HashMap<String, usize>,
}

impl LastWins {
    /// Sets `key` (with its span) to `value`.
    pub fn insert(&mut self, key: String, key_span: Range<usize>, value: Node) {
        match self.index.get(&key) {
            Some(&i) => self.entries[i] = (Node::new(key_span, Value::Scalar(key)), value),
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries
                    .push((Node::new(key_span, Value::Scalar(key)), value));
            }
        }
    }

    /// The value of `key` so far, to add to (an `.ini` section read in two parts).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        let i = *self.index.get(key)?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// The mapping node, spanning `span`.
    pub fn into_node(self, span: Range<usize>) -> Node {
        Node::new(span, Value::Map(self.entries))
    }
}
