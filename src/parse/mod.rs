//! Parser families. Each file is parsed once; the tree is shared by every detector of its kind.

pub mod apache;
pub mod bicep;
pub mod bounds;
pub mod directives;
pub mod env;
pub mod haproxy;
pub mod ini;
pub mod js;
pub mod json;
pub mod nginx;
pub mod properties;
pub mod python;
pub mod requirements;
pub mod rust;
pub mod toml;
pub mod tree;
pub mod treesitter;
pub mod xml;
pub mod yaml;

use crate::lang::{self, Grammar, ParserKind};
use crate::source::SourceFile;
pub use treesitter::SyntaxTree;

/// A parsed file, by parser family.
pub enum Tree {
    /// Every tree-sitter language (JS/TS, Python, Java, Kotlin, C#, Ruby, PHP, Go): the tree
    /// and the grammar that built it.
    Syntax(SyntaxTree),
    /// Rust (syn).
    Rust(rust::RustTree),
    /// nginx configuration.
    Nginx(nginx::Config),
    /// HAProxy configuration.
    Haproxy(haproxy::Config),
    /// Apache httpd configuration.
    Apache(apache::Config),
    /// Terraform / OpenTofu HCL (hcl-edit).
    Hcl(Box<hcl_edit::structure::Body>),
    /// Azure Bicep.
    Bicep(bicep::File),
    /// Data documents: YAML, and JSON / TOML read into the same node tree.
    Data(tree::Documents),
    /// A pip requirements file.
    Requirements(requirements::File),
}

/// The outcome of parsing one file.
pub enum Parsed {
    /// Parsed cleanly.
    Complete(Tree),
    /// Parsed with syntax errors: the tree covers what could be read. Carries the first error.
    Partial(Tree, usize, String),
    /// Not analysed: a syntax error the parser cannot recover from (with its offset), or a limit of
    /// [`bounds`] (with the offset where the file passed it, when there is one). The reason is
    /// complete (`syntax error: …`, `nested deeper than 2000 levels`).
    Failed(Option<usize>, String),
}

impl Parsed {
    /// Whether the file parsed without syntax errors.
    pub fn is_complete(&self) -> bool {
        matches!(self, Parsed::Complete(_))
    }
}

/// Parses a file with the parser its kind's row names.
pub fn parse(file: &SourceFile) -> Parsed {
    if let Some(reason) = bounds::too_large(file.kind, file.text.len()) {
        return Parsed::Failed(None, reason);
    }
    match lang::parser(file.kind) {
        ParserKind::TreeSitter(grammar) => tree_sitter(grammar, &file.text),
        ParserKind::Rust => {
            // syn recurses once per level while parsing, visiting and dropping: a file too deep
            // for the analysis thread's stack is refused before syn sees it.
            let depth = bounds::rust_depth(&file.text, bounds::RUST_MAX_DEPTH);
            if depth > bounds::RUST_MAX_DEPTH {
                return Parsed::Failed(None, bounds::too_deep(bounds::RUST_MAX_DEPTH));
            }
            match rust::parse(&file.text, &file.lines) {
                Ok(tree) => Parsed::Complete(Tree::Rust(tree)),
                Err((at, msg)) => Parsed::Failed(Some(at), format!("syntax error: {msg}")),
            }
        }
        ParserKind::Nginx => {
            let mut config = nginx::parse(&file.text);
            let first = config.errors.drain(..).next();
            tolerant(Tree::Nginx(config), first)
        }
        ParserKind::Haproxy => {
            let mut config = haproxy::parse(&file.text);
            let first = config.errors.drain(..).next();
            tolerant(Tree::Haproxy(config), first)
        }
        ParserKind::Apache => {
            let mut config = apache::parse(&file.text);
            let first = config.errors.drain(..).next();
            tolerant(Tree::Apache(config), first)
        }
        ParserKind::Bicep => {
            let mut parsed = bicep::parse(&file.text);
            let first = parsed.errors.drain(..).next();
            tolerant(Tree::Bicep(parsed), first)
        }
        ParserKind::Hcl => match hcl_edit::parser::parse_body(&file.text) {
            Ok(body) => Parsed::Complete(Tree::Hcl(Box::new(body))),
            Err(e) => Parsed::Failed(
                Some(e.location().offset()),
                format!("syntax error: {}", e.message()),
            ),
        },
        ParserKind::Yaml => documents(yaml::parse(&file.text)),
        ParserKind::Json => documents(json::parse(&file.text)),
        ParserKind::Toml => documents(toml::parse(&file.text)),
        ParserKind::Xml => documents(xml::parse(&file.text)),
        ParserKind::Properties => documents(properties::parse(&file.text)),
        ParserKind::Ini => documents(ini::parse(&file.text)),
        ParserKind::DotEnv => documents(env::parse(&file.text)),
        ParserKind::Requirements => {
            Parsed::Complete(Tree::Requirements(requirements::parse(&file.text)))
        }
    }
}

/// A tree-sitter parse: partial at its first error or missing node; failed when the parser gave
/// up (over its time budget, or no language) or the tree nests deeper than the walks over it may.
fn tree_sitter(grammar: &'static Grammar, text: &str) -> Parsed {
    let tree = match treesitter::parse_bounded(grammar, text) {
        Ok(tree) => tree,
        Err(reason) => return Parsed::Failed(None, reason),
    };
    if let Some(at) = treesitter::deeper_than(&tree, bounds::TREE_SITTER_MAX_DEPTH) {
        return Parsed::Failed(Some(at), bounds::too_deep(bounds::TREE_SITTER_MAX_DEPTH));
    }
    let first = treesitter::first_error(&tree);
    tolerant(Tree::Syntax(SyntaxTree { grammar, tree }), first)
}

/// The outcome of a parser that recovers: complete, or partial with its first problem.
fn tolerant(tree: Tree, first_error: Option<(usize, String)>) -> Parsed {
    match first_error {
        Some((at, msg)) => Parsed::Partial(tree, at, msg),
        None => Parsed::Complete(tree),
    }
}

/// YAML-family documents: partial when the parser stopped somewhere, failed when nothing was read.
fn documents(mut docs: tree::Documents) -> Parsed {
    if let Some((at, reason)) = docs.refused.take() {
        return Parsed::Failed(at, reason);
    }
    match docs.errors.first().cloned() {
        None => Parsed::Complete(Tree::Data(docs)),
        Some((at, msg)) if docs.docs.is_empty() => {
            Parsed::Failed(Some(at), format!("syntax error: {msg}"))
        }
        Some((at, msg)) => {
            docs.errors.clear();
            Parsed::Partial(Tree::Data(docs), at, msg)
        }
    }
}
