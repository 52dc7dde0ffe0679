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
    /// Python (`pyproject.toml`, `requirements*.txt`, `Pipfile`); names normalised per PEP 503.
    Python,
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
    /// Other manifests this one includes, as written (a requirements file's `-r base.txt`); not
    /// resolved: each included file is a manifest of its own.
    pub includes: Vec<String>,
}

impl Manifest {
    /// The production dependencies.
    pub fn production(&self) -> impl Iterator<Item = &Dependency> {
        self.deps.iter().filter(|d| !d.dev)
    }

    /// Whether production code may use package `name` (declared, not only for development).
    /// Python names are compared normalised (`Flask_Session` is `flask-session`).
    pub fn depends_on(&self, name: &str) -> bool {
        let normalised;
        let name = if self.ecosystem == Ecosystem::Python {
            normalised = pep503(name);
            &normalised
        } else {
            name
        };
        self.production()
            .any(|d| d.package.as_deref().unwrap_or(&d.name) == name)
    }
}

/// Whether files of `kind` are manifests (read whatever the prefilter says).
pub fn is_manifest(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::CargoManifest
            | FileKind::PackageJson
            | FileKind::PyProject
            | FileKind::Pipfile
            | FileKind::Requirements
            | FileKind::SetupCfg
    )
}

/// Records the manifest a parsed file holds, if it is one.
pub fn record(file: &SourceFile, tree: &Tree, out: &mut Sink) {
    if let Tree::Requirements(reqs) = tree {
        let manifest = requirements(&file.rel_path, reqs);
        out.shared_fact("project/manifest", || Some(manifest));
        return;
    }
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
        FileKind::PyProject => pyproject(dir, root),
        FileKind::Pipfile => pipfile(dir, root),
        FileKind::SetupCfg => setup_cfg(dir, root),
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
        includes: Vec::new(),
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
        includes: Vec::new(),
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

/// A Python distribution name normalised per PEP 503: lowercase, runs of `-`, `_`, `.` as one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Whether a dependency group or extra (`dev`, `test`, `lint`, `docs`, `typing`) is for
/// development rather than for the running app.
fn dev_group(name: &str) -> bool {
    crate::role::names_non_production(name)
        || crate::role::words(name)
            .any(|w| matches!(w.as_str(), "lint" | "linting" | "docs" | "doc" | "typing"))
}

/// A Python manifest with no dependencies yet.
fn python(dir: String, package: bool) -> Manifest {
    Manifest {
        ecosystem: Ecosystem::Python,
        dir,
        package,
        deps: Vec::new(),
        workspace_deps: Vec::new(),
        includes: Vec::new(),
    }
}

impl Manifest {
    /// Adds a Python dependency by its PEP 508 requirement string (`Flask-Session[redis]>=0.8`).
    fn add_requirement(&mut self, spec: &str, dev: bool) {
        let spec = spec.trim();
        if let Some(len) = crate::parse::requirements::requirement_name(spec) {
            self.add_python(&spec[..len], dev);
        }
    }

    fn add_python(&mut self, name: &str, dev: bool) {
        self.deps.push(Dependency {
            name: pep503(name),
            package: None,
            inherited: false,
            dev,
        });
    }
}

/// Reads a `pyproject.toml`: PEP 621 `[project]` dependencies and optional ones (dev-like extras
/// count as dev), Poetry's dependency tables and groups, and PEP 735 `[dependency-groups]`.
pub fn pyproject(dir: String, root: &Node) -> Manifest {
    let project = root.get("project");
    let poetry = root.get("tool").and_then(|t| t.get("poetry"));
    let groups = root.get("dependency-groups");
    let mut m = python(
        dir,
        project.is_some() || poetry.is_some() || groups.is_some(),
    );
    let specs = |list: Option<&Node>| -> Vec<String> {
        list.map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.str().map(str::to_owned))
            .collect()
    };
    if let Some(project) = project {
        for spec in specs(project.get("dependencies")) {
            m.add_requirement(&spec, false);
        }
        let optional = project.get("optional-dependencies");
        for (extra, list) in optional.map(Node::entries).unwrap_or_default() {
            let dev = extra.str().is_some_and(dev_group);
            for spec in specs(Some(list)) {
                m.add_requirement(&spec, dev);
            }
        }
    }
    if let Some(poetry) = poetry {
        let mut tables = vec![
            (poetry.get("dependencies"), false),
            (poetry.get("dev-dependencies"), true),
        ];
        for (group, body) in poetry.get("group").map(Node::entries).unwrap_or_default() {
            let dev = group.str().is_some_and(|g| g != "main" && dev_group(g));
            tables.push((body.get("dependencies"), dev));
        }
        for (table, dev) in tables {
            for (name, _) in table.map(Node::entries).unwrap_or_default() {
                // `python = "^3.11"` is the interpreter, not a package.
                match name.str() {
                    Some(n) if !n.eq_ignore_ascii_case("python") => m.add_python(n, dev),
                    _ => {}
                }
            }
        }
    }
    for (group, list) in groups.map(Node::entries).unwrap_or_default() {
        let dev = group.str().is_some_and(dev_group);
        // `{ include-group = "test" }` entries name other groups, not packages.
        for spec in specs(Some(list)) {
            m.add_requirement(&spec, dev);
        }
    }
    m
}

/// Reads a Pipenv `Pipfile`: `[packages]` and `[dev-packages]`.
pub fn pipfile(dir: String, root: &Node) -> Manifest {
    let mut m = python(dir, true);
    for (table, dev) in [("packages", false), ("dev-packages", true)] {
        for (name, _) in root.get(table).map(Node::entries).unwrap_or_default() {
            if let Some(name) = name.str() {
                m.add_python(name, dev);
            }
        }
    }
    m
}

/// Reads a setuptools `setup.cfg`: `[options] install_requires` (one requirement a line) and
/// `[options.extras_require]` (dev-like extras count as dev). Without `[options]` it is only tool
/// settings (flake8, pytest), not a package.
pub fn setup_cfg(dir: String, root: &Node) -> Manifest {
    let options = root.get("options");
    let mut m = python(dir, options.is_some());
    let lines = |value: &Node| -> Vec<String> {
        value
            .str()
            .unwrap_or_default()
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    };
    for spec in options
        .and_then(|o| o.get("install_requires"))
        .map(lines)
        .unwrap_or_default()
    {
        m.add_requirement(&spec, false);
    }
    let extras = root.get("options.extras_require");
    for (extra, value) in extras.map(Node::entries).unwrap_or_default() {
        let dev = extra.str().is_some_and(dev_group);
        for spec in lines(value) {
            m.add_requirement(&spec, dev);
        }
    }
    m
}

/// Reads a requirements file: a file named for development or tests (`requirements-dev.txt`,
/// `requirements/test.txt`) holds dev dependencies. One in a `requirements/` directory belongs
/// to the package above that directory.
pub fn requirements(rel_path: &str, file: &crate::parse::requirements::File) -> Manifest {
    let (dir, name) = rel_path.rsplit_once('/').unwrap_or(("", rel_path));
    let dir = match dir.rsplit_once('/') {
        Some((parent, last)) if last.eq_ignore_ascii_case("requirements") => parent,
        None if dir.eq_ignore_ascii_case("requirements") => "",
        _ => dir,
    };
    let dev = dev_group(name.strip_suffix(".txt").unwrap_or(name));
    let mut m = python(dir.to_owned(), true);
    for r in &file.requirements {
        m.add_python(&r.name, dev);
    }
    m.includes = file.includes.iter().map(|i| i.path.clone()).collect();
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

    /// Every manifest of the package a file belongs to (Python packages often have several:
    /// `pyproject.toml` beside `requirements*.txt`): those in the nearest package directory.
    pub fn nearest(&self, ecosystem: Ecosystem, path: &str) -> Vec<&'a Manifest> {
        let Some(dir) = self.of(ecosystem, path).map(|m| m.dir.as_str()) else {
            return Vec::new();
        };
        self.all(ecosystem)
            .filter(|m| m.package && m.dir == dir)
            .collect()
    }

    /// Whether the package of `path` declares `name` for production in any of its manifests.
    pub fn depends_on(&self, ecosystem: Ecosystem, path: &str, name: &str) -> bool {
        self.nearest(ecosystem, path)
            .iter()
            .any(|m| m.depends_on(name))
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
    fn reads_pyproject_pep621_poetry_and_dependency_groups() {
        let docs = crate::parse::toml::parse(
            r#"
            [project]
            name = "shop"
            dependencies = ["Flask_Session[redis]>=0.8", "django.Redis ; python_version>'3'"]
            [project.optional-dependencies]
            s3 = ["django-storages[s3]"]
            test = ["pytest"]
            lint = ["ruff"]
            [tool.poetry.dependencies]
            python = "^3.11"
            Flask = "^3"
            [tool.poetry.group.dev.dependencies]
            mypy = "*"
            [tool.poetry.group.server.dependencies]
            gunicorn = "*"
            [dependency-groups]
            typing = ["types-requests", { include-group = "test" }]
            latest = ["aiohttp"]
        "#,
        );
        let m = pyproject("svc".into(), &docs.docs[0]);
        assert_eq!(m.ecosystem, Ecosystem::Python);
        assert!(m.package);
        for prod in [
            "flask-session",
            "Flask-Session",
            "django-redis",
            "django-storages",
            "flask",
            "gunicorn",
            "aiohttp",
        ] {
            assert!(m.depends_on(prod), "{prod} is a production dependency");
        }
        for dev in ["pytest", "ruff", "mypy", "types-requests", "python"] {
            assert!(!m.depends_on(dev), "{dev} is not a production dependency");
        }
        assert!(m.deps.iter().any(|d| d.name == "pytest" && d.dev));
        let tool_only = crate::parse::toml::parse(
            "[tool.black]
line-length = 100
",
        );
        assert!(!pyproject(String::new(), &tool_only.docs[0]).package);
    }

    #[test]
    fn reads_requirements_files_and_pipfiles() {
        let reqs = crate::parse::requirements::parse(
            "Django>=5
-r base.txt
flask.caching
",
        );
        let m = requirements("shop/requirements.txt", &reqs);
        assert_eq!(m.dir, "shop");
        assert!(m.depends_on("django") && m.depends_on("Flask-Caching"));
        assert_eq!(m.includes, ["base.txt"]);
        let dev = requirements("shop/requirements/test.txt", &reqs);
        assert_eq!(
            dev.dir, "shop",
            "requirements/ belongs to the package above it"
        );
        assert!(!dev.depends_on("django"));
        assert!(!requirements("requirements-dev.txt", &reqs).depends_on("django"));
        let root = requirements("requirements/prod.txt", &reqs);
        assert!(root.dir.is_empty() && root.depends_on("django"));
        let latest = requirements("requirements-latest.txt", &reqs);
        assert!(latest.depends_on("django"), "`latest` is not a test word");
        let docs = crate::parse::toml::parse(
            "[packages]
flask-session = \"*\"
[dev-packages]
pytest = \"*\"
",
        );
        let p = pipfile(String::new(), &docs.docs[0]);
        assert!(p.depends_on("flask_session") && !p.depends_on("pytest"));
        assert_eq!(pep503("Foo__Bar.-baz"), "foo-bar-baz");
    }

    #[test]
    fn a_python_package_reads_every_manifest_of_its_directory() {
        let reqs = crate::parse::requirements::parse("flask\n");
        let docs = crate::parse::toml::parse("[project]\nname = \"x\"\n");
        let list = [
            pyproject("app".into(), &docs.docs[0]),
            requirements("app/requirements.txt", &reqs),
            requirements(
                "other/requirements.txt",
                &crate::parse::requirements::parse(""),
            ),
        ];
        let all = Manifests::from_list(list.iter().collect());
        assert_eq!(all.nearest(Ecosystem::Python, "app/web/views.py").len(), 2);
        assert!(all.depends_on(Ecosystem::Python, "app/web/views.py", "Flask"));
        assert!(!all.depends_on(Ecosystem::Python, "other/views.py", "flask"));
    }

    #[test]
    fn a_file_belongs_to_the_nearest_package_of_its_ecosystem() {
        let m = |eco, dir: &str| Manifest {
            ecosystem: eco,
            dir: dir.to_owned(),
            package: true,
            deps: Vec::new(),
            workspace_deps: Vec::new(),
            includes: Vec::new(),
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

    #[test]
    fn reads_setup_cfg_install_requires_and_extras() {
        let docs = crate::parse::ini::parse(
            "[metadata]\nname = shop\n\n[options]\ninstall_requires =\n    Flask>=3\n    Flask-Session[redis]  # sessions\n\n[options.extras_require]\ntest =\n    pytest\nredis = redis>=5\n\n[flake8]\nmax-line-length = 100\n",
        );
        let m = setup_cfg("shop".into(), &docs.docs[0]);
        assert!(m.package);
        assert!(m.depends_on("flask") && m.depends_on("flask-session"));
        assert!(m.depends_on("redis"), "a feature extra is production's");
        assert!(!m.depends_on("pytest"), "the test extra is dev");
        let tools = crate::parse::ini::parse("[flake8]\nmax-line-length = 100\n");
        assert!(!setup_cfg(String::new(), &tools.docs[0]).package);
    }
}
