//! The model of one Rust file, built once and read by every Rust detector: the syntax tree, what
//! its `use` declarations name, and the module it sits at. Rust's own rules for naming live here:
//! a file's module from its place below `src/`, and `self::`/`super::` made absolute.

use super::crates;
use super::use_paths::UsePaths;
use crate::parse::rust::RustTree;
use crate::project::Sink;
use crate::project::symbol::Symbol;
use crate::source::SourceFile;

/// One Rust file's model.
pub struct RustModel<'m> {
    /// The file.
    pub file: &'m SourceFile,
    /// Its syntax tree.
    pub syntax: &'m syn::File,
    /// What its `use` declarations name.
    pub uses: UsePaths,
    /// Its module from its place below `src/` (package `crate`, path `[web, auth]`).
    pub module: Symbol,
}

impl<'m> RustModel<'m> {
    /// Builds the model, and records the file's re-exports for the crate-aware detectors.
    pub fn new(file: &'m SourceFile, tree: &'m RustTree, out: &mut Sink) -> Self {
        crates::record(file, &tree.file, out);
        RustModel {
            file,
            syntax: &tree.file,
            uses: UsePaths::new(&tree.file),
            module: module_of(&file.rel_path),
        }
    }

    /// The symbols a path written in this file may stand for, `self::`/`super::` made absolute
    /// (before [`crates::Crates::canonical`] says which package provides them).
    pub fn symbols(&self, path: &syn::Path) -> Vec<Symbol> {
        self.uses
            .resolve(path)
            .into_iter()
            .map(|s| absolute(&self.module, s))
            .collect()
    }
}

/// The module of a file from its place below `src/` (`src/web/mod.rs` → `crate::web`). Crate
/// roots (`lib.rs`, `main.rs`, `src/bin/*`) are `crate`.
pub fn module_of(rel_path: &str) -> Symbol {
    let parts: Vec<&str> = rel_path.split('/').collect();
    let mut out = Symbol::new("crate", Vec::new());
    let Some(src) = parts.iter().rposition(|p| *p == "src") else {
        return out;
    };
    let below = &parts[src + 1..];
    if below.first() == Some(&"bin") {
        return out;
    }
    for (i, part) in below.iter().enumerate() {
        let last = i + 1 == below.len();
        let name = if last {
            part.strip_suffix(".rs").unwrap_or(part)
        } else {
            part
        };
        if last && matches!(name, "mod" | "lib" | "main") {
            break;
        }
        out.path.push(name.to_owned());
    }
    out
}

/// Makes a symbol that starts with `self` or `super` absolute from the module it is written in.
pub fn absolute(module: &Symbol, symbol: Symbol) -> Symbol {
    let mut rest = symbol.path.as_slice();
    let mut base = module.clone();
    match symbol.package.as_str() {
        "self" => {}
        "super" => {
            base.path.pop();
            while rest.first().is_some_and(|s| s == "super") {
                base.path.pop();
                rest = &rest[1..];
            }
        }
        _ => return symbol,
    }
    base.path.extend(rest.iter().cloned());
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_follow_the_file_layout() {
        let joined = |p: &str| module_of(p).joined("::");
        assert_eq!(joined("src/main.rs"), "crate");
        assert_eq!(joined("crates/web/src/state.rs"), "crate::state");
        assert_eq!(joined("src/web/mod.rs"), "crate::web");
        assert_eq!(joined("src/web/auth.rs"), "crate::web::auth");
        assert_eq!(joined("src/bin/worker.rs"), "crate");
        let m = Symbol::split("crate::web::auth", "::");
        let abs = |p: &str| absolute(&m, Symbol::split(p, "::")).joined("::");
        assert_eq!(abs("super::state::Store"), "crate::web::state::Store");
        assert_eq!(abs("super::super::super::x"), "crate::x");
        assert_eq!(abs("self::Store"), "crate::web::auth::Store");
        assert_eq!(abs("tower_sessions::Store"), "tower_sessions::Store");
    }
}
