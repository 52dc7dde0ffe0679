//! Parser families. Each file is parsed once; the tree is shared by every detector of its kind.

pub mod apache;
pub mod bicep;
pub mod data;
pub mod directives;
pub mod haproxy;
pub mod js;
pub mod json;
pub mod nginx;
pub mod python;
pub mod rust;
pub mod yaml;

use crate::source::{FileKind, SourceFile};

/// A parsed file, by parser family.
pub enum Tree {
    /// JavaScript / TypeScript (tree-sitter).
    Js(tree_sitter::Tree),
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
    Data(yaml::Documents),
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
            tree_sitter(js::parse(file.kind, &file.text), Tree::Js)
        }
        FileKind::Rust => match rust::parse(&file.text, &file.lines) {
            Ok(tree) => Parsed::Complete(Tree::Rust(tree)),
            Err((at, msg)) => Parsed::Failed(at, msg),
        },
        FileKind::Python => tree_sitter(python::parse(&file.text), Tree::Python),
        FileKind::Nginx | FileKind::MaybeNginx => {
            let mut config = nginx::parse(&file.text);
            let first = config.errors.drain(..).next();
            tolerant(Tree::Nginx(config), first)
        }
        FileKind::Haproxy | FileKind::MaybeHaproxy => {
            let mut config = haproxy::parse(&file.text);
            let first = config.errors.drain(..).next();
            tolerant(Tree::Haproxy(config), first)
        }
        FileKind::Apache => {
            let mut config = apache::parse(&file.text);
            let first = config.errors.drain(..).next();
            tolerant(Tree::Apache(config), first)
        }
        FileKind::Bicep => {
            let mut parsed = bicep::parse(&file.text);
            let first = parsed.errors.drain(..).next();
            tolerant(Tree::Bicep(parsed), first)
        }
        FileKind::Hcl => match hcl_edit::parser::parse_body(&file.text) {
            Ok(body) => Parsed::Complete(Tree::Hcl(Box::new(body))),
            Err(e) => Parsed::Failed(e.location().offset(), e.message().to_owned()),
        },
        FileKind::Yaml | FileKind::Compose => documents(yaml::parse(&file.text)),
        FileKind::Json | FileKind::PackageJson => documents(data::parse_json(&file.text)),
        FileKind::MaybeTraefikToml | FileKind::TraefikToml | FileKind::CargoManifest => {
            documents(data::parse_toml(&file.text))
        }
    }
}

/// A tree-sitter parse: partial at its first error or missing node; failed only when the parser
/// gave up (it was cancelled or had no language).
fn tree_sitter(tree: Option<tree_sitter::Tree>, wrap: fn(tree_sitter::Tree) -> Tree) -> Parsed {
    let Some(tree) = tree else {
        return Parsed::Failed(0, "the parser gave up".to_owned());
    };
    let first = js::first_error(&tree);
    tolerant(wrap(tree), first)
}

/// The outcome of a parser that recovers: complete, or partial with its first problem.
fn tolerant(tree: Tree, first_error: Option<(usize, String)>) -> Parsed {
    match first_error {
        Some((at, msg)) => Parsed::Partial(tree, at, msg),
        None => Parsed::Complete(tree),
    }
}

/// YAML-family documents: partial when the parser stopped somewhere, failed when nothing was read.
fn documents(mut docs: yaml::Documents) -> Parsed {
    match docs.errors.first().cloned() {
        None => Parsed::Complete(Tree::Data(docs)),
        Some((at, msg)) if docs.docs.is_empty() => Parsed::Failed(at, msg),
        Some((at, msg)) => {
            docs.errors.clear();
            Parsed::Partial(Tree::Data(docs), at, msg)
        }
    }
}
