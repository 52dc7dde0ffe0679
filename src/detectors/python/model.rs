//! The model of one Python file, built once and read by every Python detector: the tree, its
//! module scope (imports resolved to dotted paths, module-level statements and assignments) and
//! an index of the nodes detectors start from, all gathered in one walk of the tree.

use super::module_scope::{ModuleScope, ScopeBuilder};
use crate::source::SourceFile;
use std::cell::OnceCell;
use tree_sitter::Node;

#[cfg(test)]
thread_local! {
    /// Whole-tree walks of Python files on this thread (the model does one per file).
    pub(crate) static WALKS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The kinds of node detectors start from (their top-level dispatch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `call`.
    Call,
    /// `assignment`.
    Assignment,
    /// `function_definition`.
    FunctionDefinition,
    /// `decorated_definition`.
    DecoratedDefinition,
    /// `class_definition`.
    ClassDefinition,
    /// `decorator`.
    Decorator,
}

impl Kind {
    fn of(kind: &str) -> Option<Kind> {
        Some(match kind {
            "call" => Kind::Call,
            "assignment" => Kind::Assignment,
            "function_definition" => Kind::FunctionDefinition,
            "decorated_definition" => Kind::DecoratedDefinition,
            "class_definition" => Kind::ClassDefinition,
            "decorator" => Kind::Decorator,
            _ => return None,
        })
    }
}

/// What the one walk gathers.
struct Walked<'m> {
    scope: ModuleScope<'m>,
    index: Vec<(Kind, Node<'m>)>,
}

/// One Python file's model.
pub struct PyModel<'m> {
    /// The file.
    pub file: &'m SourceFile,
    /// Its text.
    pub src: &'m str,
    /// The root of its syntax tree.
    pub root: Node<'m>,
    walked: OnceCell<Walked<'m>>,
}

impl<'m> PyModel<'m> {
    /// The model of a parsed file.
    pub fn new(file: &'m SourceFile, tree: &'m tree_sitter::Tree) -> Self {
        PyModel {
            file,
            src: &file.text,
            root: tree.root_node(),
            walked: OnceCell::new(),
        }
    }

    /// The walk's results, walking on first use: the first detector that reads the model pays
    /// for it (and the timings say so), a file no detector reads is never walked.
    fn walked(&self) -> &Walked<'m> {
        self.walked.get_or_init(|| {
            let (scope, index) = walk(self.root, self.src);
            Walked { scope, index }
        })
    }

    /// The module scope.
    pub fn scope(&self) -> &ModuleScope<'m> {
        &self.walked().scope
    }

    /// The nodes of `kinds`, in document order (the order a preorder walk meets them).
    pub fn nodes<'a>(&'a self, kinds: &'a [Kind]) -> impl Iterator<Item = Node<'m>> + 'a {
        self.walked()
            .index
            .iter()
            .filter(move |(k, _)| kinds.contains(k))
            .map(|(_, n)| *n)
    }
}

/// The one whole-tree walk of a Python file: every node goes to the scope builder (with whether
/// its parent is a module-level block, and of which branch) and the nodes detectors start from
/// go to the index.
pub fn walk<'t>(root: Node<'t>, src: &str) -> (ModuleScope<'t>, Vec<(Kind, Node<'t>)>) {
    #[cfg(test)]
    WALKS.with(|n| n.set(n.get() + 1));
    let mut scope = ScopeBuilder::new();
    let mut index = Vec::new();
    let mut cursor = root.walk();
    // Per ancestor of the current node: `Some(dev_only)` if it is a module-level block. The root
    // is one, of the production branch.
    let mut blocks: Vec<Option<bool>> = vec![Some(false)];
    if cursor.goto_first_child() {
        loop {
            let node = cursor.node();
            let parent = blocks.last().copied().flatten();
            let own = scope.visit(node, parent, src);
            if let Some(kind) = Kind::of(node.kind()) {
                index.push((kind, node));
            }
            if cursor.goto_first_child() {
                blocks.push(own);
                continue;
            }
            let more = loop {
                if cursor.goto_next_sibling() {
                    break true;
                }
                if !cursor.goto_parent() {
                    break false;
                }
                blocks.pop();
            };
            if !more {
                break;
            }
        }
    }
    (scope.finish(), index)
}

/// The family's entry point for walks of a subtree (a function body, a value); counts walks
/// from a module root in tests, which the model alone should do.
pub fn preorder<'t>(root: Node<'t>, visit: impl FnMut(Node<'t>) -> bool) {
    #[cfg(test)]
    if root.kind() == "module" {
        WALKS.with(|n| n.set(n.get() + 1));
    }
    crate::parse::python::preorder(root, visit)
}

/// Whether `node`, met after `ancestor` in document order, lies in `ancestor`'s subtree (what a
/// walk that does not descend into `ancestor` would skip).
pub fn inside(node: Node<'_>, ancestor: Node<'_>) -> bool {
    let (start, end) = (node.start_byte(), ancestor.end_byte());
    // A later node outside the subtree starts at or after its end; only an empty node right at
    // the end needs its ancestors asked.
    if start != end || node.end_byte() != start {
        return start < end;
    }
    let mut up = node.parent();
    while let Some(p) = up {
        if p == ancestor {
            return true;
        }
        up = p.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::python::parse;

    #[test]
    fn the_index_holds_every_node_a_preorder_walk_meets_in_its_order() {
        let src = "import os\n@d(x())\ndef f(a):\n    b = g(a)\n    class C:\n        y = h()\nz = [k() for k in m()]\n";
        let tree = parse(src).expect("parses");
        let (_, index) = walk(tree.root_node(), src);
        let mut expected = Vec::new();
        crate::parse::python::preorder(tree.root_node(), |n| {
            if let Some(k) = Kind::of(n.kind()) {
                expected.push((k, n));
            }
            true
        });
        assert_eq!(index, expected);
        assert!(index.len() >= 9, "{index:?}");
    }

    #[test]
    fn inside_tells_a_subtree_from_what_follows_it() {
        let src = "class A:\n    x = f()\ny = g()\n";
        let tree = parse(src).expect("parses");
        let (_, index) = walk(tree.root_node(), src);
        let class = index[0].1;
        let calls: Vec<bool> = index
            .iter()
            .filter(|(k, _)| *k == Kind::Call)
            .map(|(_, n)| inside(*n, class))
            .collect();
        assert_eq!(calls, [true, false]);
    }
}
