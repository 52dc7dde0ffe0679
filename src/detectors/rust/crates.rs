//! What a Rust project's crates can name: each crate's `Cargo.toml` dependencies (renamed with
//! `package = "…"`, inherited from `[workspace.dependencies]`, target-specific) and the
//! `pub use` re-exports of its modules. Rust detectors record a [`Hit`] for each path that may
//! name a known crate's item; after the walk [`Crates::canonical`] rewrites the path to the
//! package that really provides it (through re-exports and renames), or drops it when the file's
//! crate does not depend on that package (a crate's own `MemoryStore` is not tower-sessions').
//! Without a manifest in the scan (a lone file, a subdirectory), paths are taken as written.

use super::use_paths::{UsePaths, is_test_only};
use crate::diagnostic::Diagnostic;
use crate::project::manifests::{Ecosystem, Manifest, Manifests, is_under};
use crate::project::{Facts, Located, Sink};
use crate::source::SourceFile;
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

/// The `pub use` re-exports of one Rust file: (module path, exported name, target path).
#[derive(Debug, Clone, Default)]
pub struct ReExports(pub Vec<(Vec<String>, String, Vec<String>)>);

/// A path in a Rust file that may name another crate's item, with what the detector wants to
/// remember about the place. `paths` are the full paths the written one may stand for.
#[derive(Debug, Clone)]
pub struct Hit<P> {
    /// Where the path is written.
    pub span: Range<usize>,
    /// The candidate full paths (`crate::`, `self::` and `super::` made absolute).
    pub paths: Vec<Vec<String>>,
    /// The detector's own data.
    pub payload: P,
}

/// The module path of a file from its place below `src/` (`src/web/mod.rs` → `crate::web`).
/// Crate roots (`lib.rs`, `main.rs`, `src/bin/*`) are `crate`.
pub fn module_path(rel_path: &str) -> Vec<String> {
    let parts: Vec<&str> = rel_path.split('/').collect();
    let mut out = vec!["crate".to_owned()];
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
        out.push(name.to_owned());
    }
    out
}

/// Makes a path that starts with `self` or `super` absolute from the module it is written in.
pub fn absolute(module: &[String], path: Vec<String>) -> Vec<String> {
    let mut base = module.to_vec();
    let mut rest = path.as_slice();
    match rest.first().map(String::as_str) {
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                if base.len() > 1 {
                    base.pop();
                }
                rest = &rest[1..];
            }
        }
        _ => return path,
    }
    base.extend(rest.iter().cloned());
    base
}

/// The candidate full paths of a written path, made absolute.
pub fn candidates(uses: &UsePaths, module: &[String], path: &syn::Path) -> Vec<Vec<String>> {
    uses.resolve(path)
        .into_iter()
        .map(|p| absolute(module, p))
        .collect()
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
    let root = module_path(rel_path);
    let mut stack: Vec<(Vec<String>, &[syn::Item])> = vec![(root, &file.items)];
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
                        let target = absolute(&module, target.clone());
                        out.0.push((module.clone(), name.clone(), target));
                    }
                }
                // `pub type Store = tower_sessions::MemoryStore;` exports the type too.
                syn::Item::Type(t) if !matches!(t.vis, syn::Visibility::Inherited) => {
                    if let syn::Type::Path(p) = &*t.ty
                        && p.qself.is_none()
                    {
                        let target = p.path.segments.iter().map(|s| s.ident.to_string());
                        let target = absolute(&module, target.collect());
                        out.0.push((module.clone(), t.ident.to_string(), target));
                    }
                }
                syn::Item::Mod(m) if !is_test_only(&m.attrs) => {
                    if let Some((_, items)) = &m.content {
                        let mut inner = module.clone();
                        inner.push(m.ident.to_string());
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
    reexports: Vec<(&'a str, &'a ReExports)>,
}

impl<'a> Crates<'a> {
    /// Gathers the manifest and re-export facts.
    pub fn new(facts: &Facts<'a>) -> Self {
        Crates {
            manifests: Manifests::new(facts),
            reexports: facts.of::<ReExports>().collect(),
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

    /// The path a file's written path really names, led by the providing package's name; `None`
    /// when it is the crate's own item or a crate the file's crate does not depend on.
    pub fn canonical(&self, file: &str, path: &[String]) -> Option<Vec<String>> {
        let manifest = self.manifest_of(file);
        let mut path = path.to_vec();
        // Re-export chains are short; the bound stops cycles.
        for _ in 0..6 {
            let head = path.first()?;
            if head != "crate" {
                break;
            }
            path = self.through_reexport(manifest, &path)?;
        }
        let head = path.first()?.clone();
        if matches!(head.as_str(), "std" | "core" | "alloc" | "crate") {
            return (head != "crate").then_some(path);
        }
        let Some(manifest) = manifest else {
            return Some(path);
        };
        let package = self.package(manifest, &head)?;
        path[0] = package;
        Some(path)
    }

    /// Replaces a `crate::…` prefix exported by a `pub use` of the same crate.
    fn through_reexport(
        &self,
        manifest: Option<&Manifest>,
        path: &[String],
    ) -> Option<Vec<String>> {
        let same_crate = |other: &str| match manifest {
            Some(m) => self.manifest_of(other).is_some_and(|o| o.dir == m.dir),
            None => self.manifest_of(other).is_none(),
        };
        self.reexports
            .iter()
            .filter(|(p, _)| same_crate(p))
            .flat_map(|(_, r)| r.0.iter())
            .find_map(|(module, name, target)| {
                let n = module.len();
                let matches = path.len() > n && path[..n] == module[..] && path[n] == *name;
                matches.then(|| {
                    let mut out = target.clone();
                    out.extend(path[n + 1..].iter().cloned());
                    out
                })
            })
    }

    /// Turns each hit of type `P` into a diagnostic when one of its canonical paths matches.
    pub fn resolve<P: 'static>(
        &self,
        facts: &Facts<'a>,
        out: &mut Vec<Located>,
        mut matcher: impl FnMut(&[String], &Hit<P>) -> Option<Diagnostic>,
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

/// Whether a canonical path starts with `prefix`.
pub fn starts_with(path: &[String], prefix: &[&str]) -> bool {
    path.len() >= prefix.len() && path.iter().zip(prefix).all(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn module_paths_follow_the_file_layout() {
        assert_eq!(module_path("src/main.rs"), ["crate"]);
        assert_eq!(module_path("crates/web/src/state.rs"), ["crate", "state"]);
        assert_eq!(module_path("src/web/mod.rs"), ["crate", "web"]);
        assert_eq!(module_path("src/web/auth.rs"), ["crate", "web", "auth"]);
        assert_eq!(module_path("src/bin/worker.rs"), ["crate"]);
        let m = strings(&["crate", "web", "auth"]);
        assert_eq!(
            absolute(&m, strings(&["super", "state", "Store"])),
            ["crate", "web", "state", "Store"]
        );
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
            strings(&["crate", "state"]),
            "Store".into(),
            strings(&["sess", "MemoryStore"]),
        )]);
        let crates = Crates {
            manifests: Manifests::from_list(manifests.iter().collect()),
            reexports: vec![("web/src/state.rs", &exports)],
        };
        let file = "web/src/main.rs";
        assert_eq!(
            crates.canonical(file, &strings(&["crate", "state", "Store", "new"])),
            Some(strings(&["tower_sessions", "MemoryStore", "new"]))
        );
        assert_eq!(
            crates.canonical(file, &strings(&["tower_sessions", "MemoryStore"])),
            None,
            "not a dependency under that name"
        );
        assert_eq!(
            crates.canonical(file, &strings(&["crate", "store", "MemoryStore"])),
            None,
            "the crate's own type"
        );
        assert_eq!(
            crates.canonical("other/src/main.rs", &strings(&["tower_sessions", "X"])),
            Some(strings(&["tower_sessions", "X"])),
            "no manifest: as written"
        );
    }
}
