//! How a Rust file names things: `use` declarations (with renames, groups and globs) resolved so
//! that `Store::default()` after `use tower_sessions::MemoryStore as Store` reads as
//! `tower_sessions::MemoryStore::default`. Scope is the file: good enough to tell an imported type
//! from one of the crate's own.

use crate::project::symbol::Symbol;
use std::collections::HashMap;
use syn::{Attribute, UseTree};

/// A symbol from the segments of a Rust path (`tower_sessions::MemoryStore` → package
/// `tower_sessions`, path `[MemoryStore]`); no segments give the empty symbol.
pub fn symbol(segments: impl IntoIterator<Item = String>) -> Symbol {
    let mut segments = segments.into_iter();
    let package = segments.next().unwrap_or_default();
    Symbol::new(package, segments.collect())
}

/// The `use` declarations of a file.
#[derive(Debug, Default)]
pub struct UsePaths {
    /// Local name → full path.
    names: HashMap<String, Vec<String>>,
    /// Prefixes imported with `*`.
    globs: Vec<Vec<String>>,
    /// Type aliases (`type X = a::B<…>`), applied once every `use` is known.
    aliases: Vec<(String, Vec<String>)>,
}

impl UsePaths {
    /// Collects every `use` in the file, at any depth.
    pub fn new(file: &syn::File) -> Self {
        let mut paths = UsePaths::default();
        let mut stack: Vec<&syn::Item> = file.items.iter().collect();
        while let Some(item) = stack.pop() {
            match item {
                syn::Item::Use(u) => paths.add(&u.tree, &mut Vec::new()),
                // `type Session<'a> = rocket_session::Session<'a, Data>;` names the same type.
                syn::Item::Type(t) => {
                    if let syn::Type::Path(p) = &*t.ty
                        && p.qself.is_none()
                    {
                        let full: Vec<String> = p
                            .path
                            .segments
                            .iter()
                            .map(|s| s.ident.to_string())
                            .collect();
                        // `type Store = Store<…>` would resolve to itself.
                        if full != [t.ident.to_string()] {
                            paths.aliases.push((t.ident.to_string(), full));
                        }
                    }
                }
                // A test module's imports must not rename things for production code.
                syn::Item::Mod(m) if !is_test_only(&m.attrs) => {
                    if let Some((_, items)) = &m.content {
                        stack.extend(items);
                    }
                }
                syn::Item::Fn(f) => stack.extend(f.block.stmts.iter().filter_map(|s| match s {
                    syn::Stmt::Item(i) => Some(i),
                    _ => None,
                })),
                _ => {}
            }
        }
        for (alias, mut target) in std::mem::take(&mut paths.aliases) {
            if let Some(imported) = target.first().and_then(|f| paths.names.get(f)).cloned() {
                target.splice(0..1, imported);
            }
            paths.names.entry(alias).or_insert(target);
        }
        paths
    }

    /// Every imported name with the symbol it stands for.
    pub fn names(&self) -> impl Iterator<Item = (&String, Symbol)> {
        self.names
            .iter()
            .map(|(name, full)| (name, symbol(full.iter().cloned())))
    }

    fn add(&mut self, tree: &UseTree, prefix: &mut Vec<String>) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.add(&p.tree, prefix);
                prefix.pop();
            }
            UseTree::Name(n) => {
                let name = n.ident.to_string();
                let mut full = prefix.clone();
                if name != "self" {
                    full.push(name.clone());
                }
                let local = if name == "self" {
                    prefix.last().cloned().unwrap_or_default()
                } else {
                    name
                };
                self.names.insert(local, full);
            }
            UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.names.insert(r.rename.to_string(), full);
            }
            UseTree::Glob(_) => self.globs.push(prefix.clone()),
            UseTree::Group(g) => {
                for tree in &g.items {
                    self.add(tree, prefix);
                }
            }
        }
    }

    /// The symbols a written path may stand for: through a `use` of its first segment, else
    /// through each glob import, else as written.
    pub fn resolve(&self, path: &syn::Path) -> Vec<Symbol> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let Some(first) = segments.first() else {
            return Vec::new();
        };
        let joined = |prefix: &[String]| symbol(prefix.iter().chain(&segments[..]).cloned());
        if path.leading_colon.is_none()
            && let Some(full) = self.names.get(first)
        {
            return vec![symbol(full.iter().chain(&segments[1..]).cloned())];
        }
        let mut out = vec![joined(&[])];
        if path.leading_colon.is_none() {
            out.extend(self.globs.iter().map(|g| joined(g)));
        }
        out
    }
}

/// The `syn::visit::Visit` methods that keep a visitor out of test-only modules, functions and
/// methods; expand inside an `impl Visit for …` block.
macro_rules! skip_rust_test_code {
    () => {
        fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
            if !$crate::detectors::rust::use_paths::is_test_only(&m.attrs) {
                syn::visit::visit_item_mod(self, m);
            }
        }
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            if !$crate::detectors::rust::use_paths::is_test_only(&f.attrs) {
                syn::visit::visit_item_fn(self, f);
            }
        }
        fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
            if !$crate::detectors::rust::use_paths::is_test_only(&f.attrs) {
                syn::visit::visit_impl_item_fn(self, f);
            }
        }
    };
}
pub(crate) use skip_rust_test_code;

/// The variable a pattern binds (`x`, `x: T`, `mut x`).
pub fn binding(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(p) => Some(p.ident.to_string()),
        syn::Pat::Type(t) => binding(&t.pat),
        _ => None,
    }
}

/// Whether attributes mark test-only code: `#[test]`, `#[tokio::test]`, `#[cfg(test)]`, and
/// `#[cfg(all(test, …))]`.
pub fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        if path.segments.last().is_some_and(|s| s.ident == "test") {
            return true;
        }
        path.is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| requires_test(&meta))
    })
}

/// Whether a `cfg` predicate can only hold in a test build.
fn requires_test(meta: &syn::Meta) -> bool {
    match meta {
        syn::Meta::Path(path) => path.is_ident("test"),
        syn::Meta::List(list) if list.path.is_ident("all") => list
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|items| items.iter().any(requires_test)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_renames_groups_and_globs() {
        let file: syn::File = syn::parse_str(
            "use tower_sessions::{MemoryStore as Store, SessionManagerLayer, self};\nuse async_session::*;\nmod inner { use a::b::C; }",
        )
        .expect("parses");
        let uses = UsePaths::new(&file);
        let resolve = |p: &str| -> Vec<String> {
            let path: syn::Path = syn::parse_str(p).expect("path");
            uses.resolve(&path).iter().map(|s| s.joined("::")).collect()
        };
        assert_eq!(
            resolve("Store::default"),
            ["tower_sessions::MemoryStore::default"]
        );
        assert!(resolve("MemoryStore::new").contains(&"async_session::MemoryStore::new".into()));
        assert_eq!(
            resolve("tower_sessions::MemoryStore")[0],
            "tower_sessions::MemoryStore"
        );
        assert_eq!(resolve("C")[0], "a::b::C");
        let path: syn::Path = syn::parse_str("Store").expect("path");
        assert!(uses.resolve(&path)[0].is("tower_sessions", &["MemoryStore"]));
    }

    #[test]
    fn type_aliases_resolve_through_imports() {
        let file: syn::File = syn::parse_str(
            "use rocket_session::Session as S;\ntype Session<'a> = S<'a, u32>;\ntype Own = Own;",
        )
        .expect("parses");
        let uses = UsePaths::new(&file);
        let path: syn::Path = syn::parse_str("Session::fairing").expect("path");
        let resolved = uses.resolve(&path);
        assert_eq!(resolved.len(), 1);
        assert!(resolved[0].is("rocket_session", &["Session", "fairing"]));
        let path: syn::Path = syn::parse_str("Own::new").expect("path");
        assert!(uses.resolve(&path)[0].is("Own", &["new"]));
    }

    #[test]
    fn recognises_test_attributes() {
        let f: syn::ItemFn = syn::parse_str("#[tokio::test] async fn t() {}").expect("fn");
        assert!(is_test_only(&f.attrs));
        let m: syn::ItemMod = syn::parse_str("#[cfg(test)] mod tests {}").expect("mod");
        assert!(is_test_only(&m.attrs));
        let m: syn::ItemMod = syn::parse_str("#[cfg(feature = \"x\")] mod m {}").expect("mod");
        assert!(!is_test_only(&m.attrs));
        let m: syn::ItemMod =
            syn::parse_str("#[cfg(all(test, feature = \"x\"))] mod m {}").expect("mod");
        assert!(is_test_only(&m.attrs));
        for production in ["any(test, feature = \"x\")", "not(test)"] {
            let m: syn::ItemMod =
                syn::parse_str(&format!("#[cfg({production})] mod m {{}}")).expect("mod");
            assert!(!is_test_only(&m.attrs), "{production}");
        }
    }
}
