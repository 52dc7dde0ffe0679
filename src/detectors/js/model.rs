//! The model of one JavaScript / TypeScript file, built once and read by every JS detector: the
//! tree, its module scope (imports, module-level values), its environment branches and an index
//! of the nodes detectors start from. All of them come from one walk of the whole tree, taken on
//! the first question, so a detector never walks the root itself.

use super::env::EnvBranches;
use super::module_scope::ModuleScope;
use crate::parse::js::preorder;
use crate::source::SourceFile;
use std::cell::OnceCell;
use std::ops::Range;
use tree_sitter::Node;

/// The node kinds the index holds: those detectors start their work from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `call_expression`.
    Call,
    /// `new_expression`.
    New,
    /// `member_expression`.
    Member,
    /// `pair` of an object literal.
    Pair,
    /// `shorthand_property_identifier` of an object literal.
    Shorthand,
    /// `assignment_expression`.
    Assignment,
}

impl Kind {
    fn of(kind: &str) -> Option<Kind> {
        Some(match kind {
            "call_expression" => Kind::Call,
            "new_expression" => Kind::New,
            "member_expression" => Kind::Member,
            "pair" => Kind::Pair,
            "shorthand_property_identifier" => Kind::Shorthand,
            "assignment_expression" => Kind::Assignment,
            _ => return None,
        })
    }
}

/// What the one walk gathers.
struct Index<'m> {
    scope: ModuleScope<'m>,
    env: EnvBranches,
    /// The indexed nodes, in document order.
    nodes: Vec<(Kind, Node<'m>)>,
}

/// One JS/TS file's model.
pub struct JsModel<'m> {
    /// The file.
    pub file: &'m SourceFile,
    /// Its text.
    pub src: &'m str,
    /// The root of its syntax tree.
    pub root: Node<'m>,
    index: OnceCell<Index<'m>>,
}

impl<'m> JsModel<'m> {
    /// The model of a parsed file.
    pub fn new(file: &'m SourceFile, tree: &'m tree_sitter::Tree) -> Self {
        JsModel {
            file,
            src: &file.text,
            root: tree.root_node(),
            index: OnceCell::new(),
        }
    }

    /// The module scope: imports resolved and module-level bindings.
    pub fn scope(&self) -> &ModuleScope<'m> {
        &self.index().scope
    }

    /// The branches that only run outside production.
    pub fn env(&self) -> &EnvBranches {
        &self.index().env
    }

    /// The nodes of `kinds` in the whole file, in document order.
    pub fn nodes<'a>(&'a self, kinds: &'a [Kind]) -> impl Iterator<Item = Node<'m>> + 'a {
        self.index()
            .nodes
            .iter()
            .filter(move |(k, _)| kinds.contains(k))
            .map(|&(_, n)| n)
    }

    /// Visits the nodes of `kinds` in document order, like a walk of the whole tree would:
    /// when `visit` returns false, the nodes inside that one are not visited.
    pub fn visit(&self, kinds: &[Kind], mut visit: impl FnMut(Node<'m>) -> bool) {
        let mut pruned: Option<Range<usize>> = None;
        for node in self.nodes(kinds) {
            // Document order: a pruned node's descendants follow it before anything else does.
            // A node starting where the pruned one ends is its next sibling, not its child.
            if let Some(p) = &pruned
                && node.start_byte() < p.end
                && node.end_byte() <= p.end
            {
                continue;
            }
            pruned = None;
            if !visit(node) {
                pruned = Some(node.byte_range());
            }
        }
    }

    fn index(&self) -> &Index<'m> {
        self.index.get_or_init(|| {
            let src = self.src;
            let mut scope = ModuleScope::default();
            let mut env = EnvBranches::default();
            let mut nodes = Vec::new();
            preorder(self.root, |node| {
                let kind = node.kind();
                scope.visit(node, kind, src);
                env.visit(node, kind, src);
                if let Some(k) = Kind::of(kind) {
                    nodes.push((k, node));
                }
                true
            });
            scope.finish(src);
            Index { scope, env, nodes }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::js::text;
    use crate::source::FileKind;

    #[test]
    fn the_index_is_in_document_order_and_visit_prunes() {
        let src = "f(g(1), new H(h()));\nk(m());\n";
        let file = SourceFile::new("a.js".into(), FileKind::JavaScript, src.into());
        let tree = crate::parse::js::parse(FileKind::JavaScript, src).expect("parses");
        let model = JsModel::new(&file, &tree);
        let head = |n: Node<'_>| {
            let callee = n
                .child_by_field_name("function")
                .or_else(|| n.child_by_field_name("constructor"));
            callee.map_or("", |c| text(c, src))
        };
        let all: Vec<&str> = model.nodes(&[Kind::Call, Kind::New]).map(head).collect();
        assert_eq!(all, ["f", "g", "H", "h", "k", "m"]);
        let calls: Vec<&str> = model.nodes(&[Kind::Call]).map(head).collect();
        assert_eq!(calls, ["f", "g", "h", "k", "m"]);
        let mut seen = Vec::new();
        model.visit(&[Kind::Call, Kind::New], |n| {
            seen.push(head(n));
            head(n) != "f"
        });
        assert_eq!(seen, ["f", "k", "m"]);
    }
}
