//! The model of one Python file, built once and read by every Python detector: the tree and its
//! module scope (imports resolved to dotted paths, module-level statements and assignments).

use super::module_scope::ModuleScope;
use crate::source::SourceFile;
use std::cell::OnceCell;
use tree_sitter::Node;

/// One Python file's model.
pub struct PyModel<'m> {
    /// The file.
    pub file: &'m SourceFile,
    /// Its text.
    pub src: &'m str,
    /// The root of its syntax tree.
    pub root: Node<'m>,
    scope: OnceCell<ModuleScope<'m>>,
}

impl<'m> PyModel<'m> {
    /// The model of a parsed file.
    pub fn new(file: &'m SourceFile, tree: &'m tree_sitter::Tree) -> Self {
        PyModel {
            file,
            src: &file.text,
            root: tree.root_node(),
            scope: OnceCell::new(),
        }
    }

    /// The module scope (one pass over the top-level statements, on first use).
    pub fn scope(&self) -> &ModuleScope<'m> {
        self.scope
            .get_or_init(|| ModuleScope::new(self.root, self.src))
    }
}
