//! Package manifests: what each package of the project depends on, so a detector can tell a
//! library's `MemoryStore` from the project's own, and a web service from a CLI. The engine reads
//! every manifest it walks (whatever the prefilter says) and records it as a shared fact, which
//! every detector's `resolve` sees; a monorepo's packages each keep their own dependencies, and a
//! file belongs to the nearest manifest of its ecosystem above it ([`Manifests::of`]).

use crate::parse::Tree;
use crate::parse::tree::Node;
use crate::project::{Facts, Sink};
use crate::source::{FileKind, SourceFile};

/// The package ecosystem a manifest belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Cargo (`Cargo.toml`).
    Cargo,
    /// npm and its kin (`package.json`).
    Npm,
}

/// One declared dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The name code uses for it (a Cargo dependency's key as an identifier, `tower_sessions`).
    pub name: String,
    /// The package it really is, when renamed (`store = { package = "tower-sessions" }`).
    pub package: Option<String>,
    /// Inherited from the workspace (`{ workspace = true }`): the workspace decides the package.
    pub inherited: bool,
    /// Only for development, tests or builds: production code cannot name it.
    pub dev: bool,
}

/// One manifest, as a fact.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Directory of the manifest (`/`-separated, relative to the scan root, "" at the root).
    pub dir: String,
    /// Whether it declares a package (a virtual workspace manifest does not).
    pub package: bool,
    /// Declared dependencies, production and development.
    pub deps: Vec<Dependency>,
    /// Dependencies declared for the members of a workspace: (name, package).
    pub workspace_deps: Vec<(String, String)>,
}

impl Manifest {
    /// The production dependencies.
    pub fn production(&self) -> impl Iterator<Item = &Dependency> {
        self.deps.iter().filter(|d| !d.dev)
    }

    /// Whether production code may use package `name` (declared, not only for development).
    pub fn depends_on(&self, name: &str) -> bool {
        self.production()
            .any(|d| d.package.as_deref().unwrap_or(&d.name) == name)
    }
}

/// Whether files of `kind` are manifests (read whatever the prefilter says).
pub fn is_manifest(kind: FileKind) -> bool {
    matches!(kind, FileKind::CargoManifest | FileKind::PackageJson)
}

/// Records the manifest a parsed file holds, if it is one.
pub fn record(file: &SourceFile, tree: &Tree, out: &mut Sink) {
    let Tree::Data(docs) = tree else { return };
    let Some(root) = docs.docs.first() else {
        return;
    };
    let dir = file
        .rel_path
        .rsplit_once('/')
        .map_or(String::new(), |(d, _)| d.to_owned());
    let manifest = match file.kind {
        FileKind::CargoManifest => cargo(dir, root),
        FileKind::PackageJson => npm(dir, root),
        _ => return,
    };
    out.shared_fact("project/manifest", || Some(manifest));
}

/// A Cargo dependency key as code writes it.
fn ident(name: &str) -> String {
    name.replace('-', "_")
}

/// Reads the dependency tables of a `Cargo.toml`.
pub fn cargo(dir: String, root: &Node) -> Manifest {
    let mut m = Manifest {
        ecosystem: Ecosystem::Cargo,
        dir,
        package: root.get("package").is_some(),
        deps: Vec::new(),
        workspace_deps: Vec::new(),
    };
    let add = |deps: Option<&Node>, dev: bool, m: &mut Manifest| {
        for (name, spec) in deps.map(Node::entries).unwrap_or_default() {
            let Some(name) = name.str() else { continue };
            m.deps.push(Dependency {
                name: ident(name),
                package: spec.get("package").and_then(Node::str).map(ident),
                inherited: spec.get("workspace").is_some_and(Node::is_true),
                dev,
            });
        }
    };
    let tables = [
        ("dependencies", false),
        ("dev-dependencies", true),
        ("build-dependencies", true),
    ];
    for (table, dev) in tables {
        add(root.get(table), dev, &mut m);
        for (_, target) in root.get("target").map(Node::entries).unwrap_or_default() {
            add(target.get(table), dev, &mut m);
        }
    }
    let workspace = root.get("workspace").and_then(|w| w.get("dependencies"));
    for (name, spec) in workspace.map(Node::entries).unwrap_or_default() {
        let Some(name) = name.str() else { continue };
        let package = spec.get("package").and_then(Node::str);
        m.workspace_deps
            .push((ident(name), ident(package.unwrap_or(name))));
    }
    m
}

/// Reads the dependency maps of a `package.json`.
pub fn npm(dir: String, root: &Node) -> Manifest {
    let mut m = Manifest {
        ecosystem: Ecosystem::Npm,
        dir,
        package: root.get("name").is_some() || root.get("dependencies").is_some(),
        deps: Vec::new(),
        workspace_deps: Vec::new(),
    };
    let tables = [
        ("dependencies", false),
        ("optionalDependencies", false),
        ("peerDependencies", false),
        ("devDependencies", true),
    ];
    for (table, dev) in tables {
        for (name, spec) in root.get(table).map(Node::entries).unwrap_or_default() {
            let Some(name) = name.str() else { continue };
            // `"store": "npm:connect-redis@7"` installs another package under this name.
            let package =
                spec.str()
                    .and_then(|s| s.strip_prefix("npm:"))
                    .map(|s| match s.rfind('@') {
                        Some(at) if at > 0 => s[..at].to_owned(),
                        _ => s.to_owned(),
                    });
            m.deps.push(Dependency {
                name: name.to_owned(),
                package,
                inherited: false,
                dev,
            });
        }
    }
    m
}

/// Every manifest of the project.
pub struct Manifests<'a>(Vec<&'a Manifest>);

impl<'a> Manifests<'a> {
    /// The manifests among the project's facts.
    pub fn new(facts: &Facts<'a>) -> Self {
        Manifests(facts.of::<Manifest>().map(|(_, m)| m).collect())
    }

    /// From a list (tests, and callers that filtered already).
    pub fn from_list(list: Vec<&'a Manifest>) -> Self {
        Manifests(list)
    }

    /// Every manifest of an ecosystem.
    pub fn all(&self, ecosystem: Ecosystem) -> impl Iterator<Item = &'a Manifest> + '_ {
        self.0
            .iter()
            .copied()
            .filter(move |m| m.ecosystem == ecosystem)
    }

    /// The package a file belongs to: the nearest package manifest of the ecosystem above it.
    pub fn of(&self, ecosystem: Ecosystem, path: &str) -> Option<&'a Manifest> {
        self.all(ecosystem)
            .filter(|m| m.package && is_under(path, &m.dir))
            .max_by_key(|m| m.dir.len())
    }
}

/// Whether `path` lies below directory `dir` ("" is the scan root).
pub fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_renamed_inherited_target_and_dev_dependencies() {
        let docs = crate::parse::toml::parse(
            r#"
            [package]
            name = "web"
            [dependencies]
            store = { package = "tower-sessions", version = "0.14" }
            moka = { workspace = true }
            [target.'cfg(unix)'.dependencies]
            rusqlite = "0.32"
            [dev-dependencies]
            tempfile = "3"
        "#,
        );
        let m = cargo("web".into(), &docs.docs[0]);
        let mut names: Vec<_> = m.production().map(|d| d.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["moka", "rusqlite", "store"]);
        let dep = |n: &str| m.deps.iter().find(|d| d.name == n).expect("dep");
        assert_eq!(dep("store").package.as_deref(), Some("tower_sessions"));
        assert!(dep("moka").inherited);
        assert!(dep("tempfile").dev);
        assert!(m.depends_on("tower_sessions") && !m.depends_on("tempfile"));
    }

    #[test]
    fn reads_npm_dependencies_with_aliases_and_dev_ones() {
        let docs = crate::parse::json::parse(
            r#"{"name":"shop","dependencies":{"express":"^4","store":"npm:connect-redis@7",
                "@scope/x":"1"},"devDependencies":{"jest":"29"}}"#,
        );
        let m = npm("web".into(), &docs.docs[0]);
        assert!(m.depends_on("express") && m.depends_on("connect-redis"));
        assert!(m.depends_on("@scope/x"));
        assert!(
            !m.depends_on("jest"),
            "a dev dependency is not production's"
        );
    }

    #[test]
    fn a_file_belongs_to_the_nearest_package_of_its_ecosystem() {
        let m = |eco, dir: &str| Manifest {
            ecosystem: eco,
            dir: dir.to_owned(),
            package: true,
            deps: Vec::new(),
            workspace_deps: Vec::new(),
        };
        let list = [
            m(Ecosystem::Npm, ""),
            m(Ecosystem::Npm, "apps/web"),
            m(Ecosystem::Cargo, "apps/web/native"),
        ];
        let all = Manifests::from_list(list.iter().collect());
        let of = |e, p| all.of(e, p).map(|m| m.dir.as_str());
        assert_eq!(of(Ecosystem::Npm, "apps/web/src/a.js"), Some("apps/web"));
        assert_eq!(of(Ecosystem::Npm, "apps/webby/a.js"), Some(""));
        assert_eq!(
            of(Ecosystem::Npm, "apps/web/native/src/x.js"),
            Some("apps/web")
        );
        assert_eq!(of(Ecosystem::Cargo, "src/main.rs"), None);
    }
}
