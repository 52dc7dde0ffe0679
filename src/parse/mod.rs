//! Parser families. Each file is parsed once; the tree is shared by every detector of its kind.

pub mod js;
pub mod nginx;
pub mod python;
pub mod rust;

use crate::source::{FileKind, SourceFile};

/// A parsed file, by parser family.
pub enum Tree {
    /// JavaScript / TypeScript (tree-sitter).
    Js(tree_sitter::Tree),
    /// Rust (syn).
    Rust(rust::RustTree),
    /// nginx configuration.
    Nginx(nginx::Config),
    /// Python (tree-sitter).
    Python(tree_sitter::Tree),
}

/// The outcome of parsing one file.
pub enum Parsed {
    /// Parsed cleanly.
    Complete(Tree),
    /// Parsed with syntax errors: the tree covers what could be read. Carries the first error.
    Partial(Tree, usize, String),
    /// Could not be parsed at all: the first error.
    Failed(usize, String),
}

impl Parsed {
    /// Whether the file parsed without syntax errors.
    pub fn is_complete(&self) -> bool {
        matches!(self, Parsed::Complete(_))
    }
}

/// Parses a file with the parser of its kind.
pub fn parse(file: &SourceFile) -> Parsed {
    match file.kind {
        FileKind::JavaScript | FileKind::TypeScript | FileKind::Tsx => {
            match js::parse(file.kind, &file.text) {
                Some(tree) => match js::first_error(&tree) {
                    Some((at, msg)) => Parsed::Partial(Tree::Js(tree), at, msg),
                    None => Parsed::Complete(Tree::Js(tree)),
                },
                None => Parsed::Failed(0, "the parser gave up".to_owned()),
            }
        }
        FileKind::Rust => match rust::parse(&file.text, &file.lines) {
            Ok(tree) => Parsed::Complete(Tree::Rust(tree)),
            Err((at, msg)) => Parsed::Failed(at, msg),
        },
        FileKind::Python => match python::parse(&file.text) {
            Some(tree) => match python::first_error(&tree) {
                Some((at, msg)) => Parsed::Partial(Tree::Python(tree), at, msg),
                None => Parsed::Complete(Tree::Python(tree)),
            },
            None => Parsed::Failed(0, "the parser gave up".to_owned()),
        },
        FileKind::Nginx | FileKind::MaybeNginx => {
            let mut config = nginx::parse(&file.text);
            match config.errors.first().cloned() {
                Some((at, msg)) => {
                    config.errors.clear();
                    Parsed::Partial(Tree::Nginx(config), at, msg)
                }
                None => Parsed::Complete(Tree::Nginx(config)),
            }
        }
    }
}
