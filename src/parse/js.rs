//! JavaScript and TypeScript through tree-sitter (see [`super::treesitter`]): the literal helpers
//! of their grammars.

use crate::source::FileKind;
use tree_sitter::{Node, Tree};

pub use super::treesitter::{deeper_than, first_error, text};

#[cfg(test)]
thread_local! {
    /// Walks of a whole JS/TS tree on this thread: the file's model walks it once for every
    /// detector, which then read its index instead of walking again.
    pub(crate) static WHOLE_TREE_WALKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Visits `root` and its descendants in source order without recursion; `visit` returns whether
/// to descend into the node's children (see [`super::treesitter::preorder`]).
pub fn preorder<'t>(root: Node<'t>, visit: impl FnMut(Node<'t>) -> bool) {
    #[cfg(test)]
    if root.parent().is_none() {
        WHOLE_TREE_WALKS.with(|n| n.set(n.get() + 1));
    }
    super::treesitter::preorder(root, visit);
}

/// Parses JS/TS text with the grammar of `kind`. `None` only if the grammar cannot be loaded or
/// the parse is over budget.
pub fn parse(kind: FileKind, text: &str) -> Option<Tree> {
    super::treesitter::parse_kind(kind, text).map(|t| t.tree)
}

/// The value of a string literal node (`'x'`, `"x"`, or a template without substitutions).
pub fn string_value<'s>(node: Node<'_>, source: &'s str) -> Option<&'s str> {
    match node.kind() {
        "string" | "template_string" => {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|c| c.kind() == "template_substitution")
            {
                return None;
            }
            let raw = text(node, source);
            raw.get(1..raw.len().saturating_sub(1))
        }
        _ => None,
    }
}

/// The name a property key or import specifier spells: `store`, `'store'` and `"store"` alike.
pub fn key_name<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    string_value(node, source).unwrap_or_else(|| text(node, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_errors() {
        let ok = parse(FileKind::JavaScript, "const a = require('x');").expect("parses");
        assert!(first_error(&ok).is_none());
        let bad = parse(FileKind::TypeScript, "const a: = ;\nlet b = 1;").expect("parses");
        assert!(first_error(&bad).is_some());
    }

    #[test]
    fn string_values() {
        let src = "f('a', `b`, `c${d}`)";
        let tree = parse(FileKind::JavaScript, src).expect("parses");
        let mut values = Vec::new();
        preorder(tree.root_node(), |n| {
            if matches!(n.kind(), "string" | "template_string") {
                values.push(string_value(n, src));
                return false;
            }
            true
        });
        assert_eq!(values, [Some("a"), Some("b"), None]);
    }
}
