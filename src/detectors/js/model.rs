//! The model of one JavaScript / TypeScript file, built once and read by every JS detector: the
//! tree, its module scope (imports, module-level values) and its environment branches. Each part
//! is computed on the first question, so a file only one detector looks at pays for what it asks.

use super::env::EnvBranches;
use super::module_scope::ModuleScope;
use crate::source::SourceFile;
use std::cell::OnceCell;
use tree_sitter::Node;

/// One JS/TS file's model.
pub struct JsModel<'m> {
    /// The file.
    pub file: &'m SourceFile,
    /// Its text.
    pub src: &'m str,
    /// The root of its syntax tree.
    pub root: Node<'m>,
    /// The branches that only run outside production.
    pub env: EnvBranches<'m, 'm>,
    scope: OnceCell<ModuleScope<'m>>,
}

impl<'m> JsModel<'m> {
    /// The model of a parsed file.
    pub fn new(file: &'m SourceFile, tree: &'m tree_sitter::Tree) -> Self {
        let root = tree.root_node();
        JsModel {
            file,
            src: &file.text,
            root,
            env: EnvBranches::new(root, &file.text),
            scope: OnceCell::new(),
        }
    }

    /// The module scope: imports resolved and module-level bindings (one walk, on first use).
    pub fn scope(&self) -> &ModuleScope<'m> {
        self.scope
            .get_or_init(|| ModuleScope::new(self.root, self.src))
    }
}
