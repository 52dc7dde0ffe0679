//! What a Rust project's crates can name: each crate's `Cargo.toml` dependencies (renamed with
//! `package = "…"`, inherited from `[workspace.dependencies]`, target-specific) and the
//! `pub use` re-exports of its modules. Rust detectors record a [`Hit`] for each path that may
//! name a known crate's item; after the walk [`Crates::canonical`] rewrites the path to the
//! package that really provides it (through re-exports and renames), or drops it when the file's
//! crate does not depend on that package (a crate's own `MemoryStore` is not tower-sessions').
//! Without a manifest in the scan (a lone file, a subdirectory), paths are taken as written.

use super::model::{absolute, module_of};
use super::use_paths::{UsePaths, is_test_only};
use crate::diagnostic::Diagnostic;
use crate::project::manifests::{Ecosystem, Manifest, Manifests, is_under};
use crate::project::symbol::Symbol;
use crate::project::{Facts, Located, Sink};
use crate::source::SourceFile;
use std::collections::HashMap;
use std::ops::Range;

/// Packages that make a crate a web service.
pub const WEB_FRAMEWORKS: &[&str] = &[
    "axum",
    "actix_web",
    "rocket",
    "poem",
    "warp",
    "salvo",
    "tide",
    "loco_rs",
    "shuttle_runtime",
];

/// The `pub use` re-exports of one Rust file: (module, exported name, target).
#[derive(Debug, Clone, Default)]
pub struct ReExports(pub Vec<(Symbol, String, Symbol)>);

/// A path in a Rust file that may name another crate's item, with what the detector wants to
/// remember about the place. `paths` are the symbols the written one may stand for.
#[derive(Debug, Clone)]
pub struct Hit<P> {
    /// Where the path is written.
    pub span: Range<usize>,
    /// The candidate symbols (`crate::`, `self::` and `super::` made absolute).
    pub paths: Vec<Symbol>,
    /// The detector's own data.
    pub payload: P,
}

/// The key of the re-export facts every Rust detector shares.
const SHARED_KEY: &str = "rust/reexports";

/// Records the re-exports of a Rust file (once per file, shared by every crate-aware detector).
pub fn record(file: &SourceFile, syntax: &syn::File, out: &mut Sink) {
    out.shared_fact(SHARED_KEY, || {
        let exports = reexports(&file.rel_path, syntax);
        (!exports.0.is_empty()).then_some(exports)
    });
}

/// The `pub use` (and `pub(crate) use`) items of a file, inline modules included.
fn reexports(rel_path: &str, file: &syn::File) -> ReExports {
    let mut out = ReExports::default();
    let root = module_of(rel_path);
    let mut stack: Vec<(Symbol, &[syn::Item])> = vec![(root, &file.items)];
    while let Some((module, items)) = stack.pop() {
        for item in items {
            match item {
                syn::Item::Use(u) if !matches!(u.vis, syn::Visibility::Inherited) => {
                    let single = syn::File {
                        shebang: None,
                        attrs: Vec::new(),
                        items: vec![item.clone()],
                    };
                    let uses = UsePaths::new(&single);
                    for (name, target) in uses.names() {
                        let target = absolute(&module, target);
                        out.0.push((module.clone(), name.clone(), target));
                    }
                }
                // `pub type Store = tower_sessions::MemoryStore;` exports the type too.
                syn::Item::Type(t) if !matches!(t.vis, syn::Visibility::Inherited) => {
                    if let syn::Type::Path(p) = &*t.ty
                        && p.qself.is_none()
                    {
                        let target = p.path.segments.iter().map(|s| s.ident.to_string());
                        let target = absolute(&module, super::use_paths::symbol(target));
                        out.0.push((module.clone(), t.ident.to_string(), target));
                    }
                }
                syn::Item::Mod(m) if !is_test_only(&m.attrs) => {
                    if let Some((_, items)) = &m.content {
                        let mut inner = module.clone();
                        inner.path.push(m.ident.to_string());
                        stack.push((inner, items));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The project's manifests and re-exports, as one detector recorded them.
pub struct Crates<'a> {
    manifests: Manifests<'a>,
    /// Re-exports by the directory of the crate whose file declares them (`None`: no manifest
    /// above the file), so a hit looks only at its own crate's.
    reexports: HashMap<Option<&'a str>, Vec<&'a ReExports>>,
}

impl<'a> Crates<'a> {
    /// Gathers the manifest and re-export facts.
    pub fn new(facts: &Facts<'a>) -> Self {
        let manifests = Manifests::new(facts);
        let mut reexports: HashMap<Option<&'a str>, Vec<&'a ReExports>> = HashMap::new();
        for (path, r) in facts.of::<ReExports>() {
            let dir = manifests.of(Ecosystem::Cargo, path).map(|m| m.dir.as_str());
            reexports.entry(dir).or_default().push(r);
        }
        Crates {
            manifests,
            reexports,
        }
    }

    /// The manifest of the crate a file belongs to: the nearest package manifest above it.
    fn manifest_of(&self, path: &str) -> Option<&'a Manifest> {
        self.manifests.of(Ecosystem::Cargo, path)
    }

    /// The directory of the crate a file belongs to (`None` without a manifest).
    pub fn crate_dir(&self, path: &str) -> Option<&'a str> {
        self.manifest_of(path).map(|m| m.dir.as_str())
    }

    /// Whether the crate of a file depends on one of `packages` (true when no manifest says).
    pub fn depends_on_any(&self, file: &str, packages: &[&str]) -> bool {
        let Some(m) = self.manifest_of(file) else {
            return true;
        };
        m.production().any(|d| {
            self.package(m, &d.name)
                .is_some_and(|p| packages.contains(&p.as_str()))
        })
    }

    /// Whether the crate of a file is a web service (depends on a web framework; true when no
    /// manifest says).
    pub fn is_web_service(&self, file: &str) -> bool {
        self.depends_on_any(file, WEB_FRAMEWORKS)
    }

    /// The package a crate's dependency name stands for.
    fn package(&self, manifest: &Manifest, name: &str) -> Option<String> {
        let dep = manifest.production().find(|d| d.name == name)?;
        if let Some(p) = &dep.package {
            return Some(p.clone());
        }
        if dep.inherited {
            // The nearest workspace above that declares it decides the package.
            let from_ws = self
                .manifests
                .all(Ecosystem::Cargo)
                .filter(|w| is_under(&format!("{}/x", manifest.dir), &w.dir))
                .filter_map(|w| w.workspace_deps.iter().find(|(n, _)| n == name))
                .map(|(_, p)| p.clone())
                .next();
            return Some(from_ws.unwrap_or_else(|| name.to_owned()));
        }
        Some(name.to_owned())
    }

    /// The symbol a file's written path really names, its package the providing package's name;
    /// `None` when it is the crate's own item or a crate the file's crate does not depend on.
    pub fn canonical(&self, file: &str, symbol: &Symbol) -> Option<Symbol> {
        let manifest = self.manifest_of(file);
        let mut symbol = symbol.clone();
        // Re-export chains are short; the bound stops cycles.
        for _ in 0..6 {
            if symbol.package != "crate" {
                break;
            }
            symbol = self.through_reexport(manifest, &symbol)?;
        }
        if matches!(symbol.package.as_str(), "std" | "core" | "alloc" | "crate") {
            return (symbol.package != "crate").then_some(symbol);
        }
        let Some(manifest) = manifest else {
            return Some(symbol);
        };
        symbol.package = self.package(manifest, &symbol.package)?;
        Some(symbol)
    }

    /// Replaces a `crate::…` prefix exported by a `pub use` of the same crate.
    fn through_reexport(&self, manifest: Option<&Manifest>, symbol: &Symbol) -> Option<Symbol> {
        self.reexports
            .get(&manifest.map(|m| m.dir.as_str()))
            .into_iter()
            .flatten()
            .flat_map(|r| r.0.iter())
            .find_map(|(module, name, target)| {
                let n = module.path.len();
                let matches = symbol.package == module.package
                    && symbol.path.len() > n
                    && symbol.path[..n] == module.path[..]
                    && symbol.path[n] == *name;
                matches.then(|| {
                    let mut out = target.clone();
                    out.path.extend(symbol.path[n + 1..].iter().cloned());
                    out
                })
            })
    }

    /// Turns each hit of type `P` into a diagnostic when one of its canonical paths matches.
    pub fn resolve<P: 'static>(
        &self,
        facts: &Facts<'a>,
        out: &mut Vec<Located>,
        mut matcher: impl FnMut(&Symbol, &Hit<P>) -> Option<Diagnostic>,
    ) {
        for (path, hit) in facts.of::<Hit<P>>() {
            let found = hit
                .paths
                .iter()
                .filter_map(|p| self.canonical(path, p))
                .find_map(|p| matcher(&p, hit));
            if let Some(diagnostic) = found {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sym(p: &str) -> Symbol {
        Symbol::split(p, "::")
    }

    #[test]
    fn canonical_paths_follow_manifests_renames_and_reexports() {
        let toml = crate::parse::toml::parse;
        let root = toml(
            "[workspace]\nmembers=[\"web\"]\n[workspace.dependencies]\nsess = { package = \"tower-sessions\" }\n",
        );
        let web = toml(
            "[package]\nname=\"web\"\n[dependencies]\nsess = { workspace = true }\naxum = \"0.8\"\n",
        );
        let manifests = [
            crate::project::manifests::cargo(String::new(), &root.docs[0]),
            crate::project::manifests::cargo("web".into(), &web.docs[0]),
        ];
        let exports = ReExports(vec![(
            sym("crate::state"),
            "Store".into(),
            sym("sess::MemoryStore"),
        )]);
        let crates = Crates {
            manifests: Manifests::from_list(manifests.iter().collect()),
            // Declared in web/src/state.rs: the crate at web/.
            reexports: HashMap::from([(Some("web"), vec![&exports])]),
        };
        let file = "web/src/main.rs";
        assert_eq!(
            crates.canonical(file, &sym("crate::state::Store::new")),
            Some(sym("tower_sessions::MemoryStore::new"))
        );
        assert_eq!(
            crates.canonical(file, &sym("tower_sessions::MemoryStore")),
            None,
            "not a dependency under that name"
        );
        assert_eq!(
            crates.canonical(file, &sym("crate::store::MemoryStore")),
            None,
            "the crate's own type"
        );
        assert_eq!(
            crates.canonical("other/src/main.rs", &sym("tower_sessions::X")),
            Some(sym("tower_sessions::X")),
            "no manifest: as written"
        );
    }
}
