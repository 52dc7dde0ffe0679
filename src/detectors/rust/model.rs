//! The model of one Rust file, built once and read by every Rust detector: the syntax tree, what
//! its `use` declarations name, and the module path it sits at.

use super::crates;
use super::use_paths::UsePaths;
use crate::parse::rust::RustTree;
use crate::project::Sink;
use crate::source::SourceFile;

/// One Rust file's model.
pub struct RustModel<'m> {
    /// The file.
    pub file: &'m SourceFile,
    /// Its syntax tree.
    pub syntax: &'m syn::File,
    /// What its `use` declarations name.
    pub uses: UsePaths,
    /// Its module path from its place below `src/` (`crate::web::auth`).
    pub module: Vec<String>,
}

impl<'m> RustModel<'m> {
    /// Builds the model, and records the file's re-exports for the crate-aware detectors.
    pub fn new(file: &'m SourceFile, tree: &'m RustTree, out: &mut Sink) -> Self {
        crates::record(file, &tree.file, out);
        RustModel {
            file,
            syntax: &tree.file,
            uses: UsePaths::new(&tree.file),
            module: crates::module_path(&file.rel_path),
        }
    }
}
