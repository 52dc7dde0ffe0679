//! Deciding what a file is from its path, and for ambiguous names from its content.

use std::path::Path;

/// The languages and config formats scalelint understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// JavaScript, including JSX, CommonJS and ESM.
    JavaScript,
    /// TypeScript without JSX.
    TypeScript,
    /// TypeScript with JSX.
    Tsx,
    /// Rust.
    Rust,
    /// nginx configuration, known by its name (`nginx.conf`, `*.nginx`).
    Nginx,
    /// A `*.conf` file, or a file in an nginx-looking directory: nginx if its content says so
    /// (or Apache httpd, or HAProxy: `*.conf` is shared).
    MaybeNginx,
    /// HAProxy configuration (`haproxy.cfg`, `*.cfg` under a `haproxy/` directory).
    Haproxy,
    /// A `*.cfg` file elsewhere: HAProxy if its content says so.
    MaybeHaproxy,
    /// Apache httpd configuration (`httpd.conf`, `apache2.conf`, or a `*.conf` whose content is
    /// Apache's).
    Apache,
    /// Terraform / OpenTofu HCL (`*.tf`, `*.tofu`, `*.tfvars`).
    Hcl,
    /// Azure Bicep.
    Bicep,
    /// YAML (`*.yaml`, `*.yml`): Kubernetes manifests, Helm charts, CloudFormation, Traefik,
    /// Istio and Envoy configuration.
    Yaml,
    /// A Docker Compose file, known by its name (`compose.yaml`, `docker-compose.prod.yml`).
    Compose,
    /// JSON (`*.json`): CloudFormation templates among others.
    Json,
    /// A `*.toml` file: Traefik's static or dynamic configuration if its content says so.
    MaybeTraefikToml,
    /// Traefik configuration in TOML.
    TraefikToml,
    /// A Cargo manifest (`Cargo.toml`): a crate's dependencies.
    CargoManifest,
    /// An npm `package.json` manifest (its dependencies say what an import means).
    PackageJson,
    /// Python (`*.py`, `*.pyw`).
    Python,
    /// Java.
    Java,
    /// Kotlin, scripts (`*.kts`, Gradle's `build.gradle.kts`) included.
    Kotlin,
    /// C#.
    CSharp,
    /// Ruby (`*.rb`, Rack's `*.ru`, `*.rake`, `Gemfile`, `Rakefile`).
    Ruby,
    /// PHP, templates with inline HTML (`*.phtml`) included.
    Php,
    /// Go.
    Go,
    /// XML: Maven `pom.xml`, .NET `*.csproj` and `web.config`, Java EE descriptors, Spring XML.
    Xml,
    /// Java `.properties` (Spring `application.properties`).
    Properties,
    /// INI files (`*.ini`; PHP's `php.ini`).
    Ini,
    /// Environment files (`.env`, `.env.production`).
    DotEnv,
    /// A Python project's `pyproject.toml` (PEP 621, Poetry, PDM/uv dependency groups).
    PyProject,
    /// A Pipenv `Pipfile`.
    Pipfile,
    /// A pip requirements file (`requirements*.txt`, `requirements/*.txt`).
    Requirements,
    /// A setuptools `setup.cfg` (`[options] install_requires`, `[options.extras_require]`).
    SetupCfg,
}

/// Directives that mark a file as nginx configuration (the common ones of site and upstream
/// files, and of snippets included into them).
const NGINX_VOCABULARY: &[&str] = &[
    "upstream",
    "server",
    "location",
    "listen",
    "server_name",
    "proxy_pass",
    "proxy_set_header",
    "fastcgi_pass",
    "ip_hash",
    "hash",
    "least_conn",
    "sticky",
    "session_sticky",
    "keepalive",
];

impl FileKind {
    /// Every kind (for tests and fuzzing, which must cover them all), in registry order.
    pub const ALL: &'static [FileKind] = &crate::lang::ALL_KINDS;

    /// Classifies a path; `None` means scalelint has nothing to say about the file.
    pub fn from_path(path: &Path) -> Option<FileKind> {
        crate::lang::classify(path)
    }

    /// Settles [`FileKind::MaybeNginx`] by content: nginx when a line is an nginx directive, a
    /// name from nginx's vocabulary that ends in `;` or opens a `{` block (INI, Apache and
    /// systemd files have neither shape).
    pub fn refine(self, text: &str) -> Option<FileKind> {
        if self == FileKind::MaybeHaproxy {
            return looks_like_haproxy(text).then_some(FileKind::Haproxy);
        }
        if self == FileKind::MaybeTraefikToml {
            return is_traefik_toml(text).then_some(FileKind::TraefikToml);
        }
        if self != FileKind::MaybeNginx {
            return Some(self);
        }
        // Statements, not lines: generated configs put a whole file on one line
        // (`upstream a{    ip_hash;    server …;}server {…}`).
        let looks_like_nginx = text.lines().any(|line| {
            let line = line.split('#').next().unwrap_or_default();
            line.split_inclusive([';', '{', '}']).any(|statement| {
                let statement = statement.trim();
                let name = statement
                    .split(|c: char| c.is_whitespace() || c == ';' || c == '{')
                    .next()
                    .unwrap_or_default();
                // `server = x;` and `listen: 80;` are INI and YAML shapes, not directives.
                let rest = statement[name.len()..].trim_start();
                NGINX_VOCABULARY.contains(&name)
                    && (statement.ends_with(';') || statement.ends_with('{'))
                    && !rest.starts_with(['=', ':'])
            })
        });
        if looks_like_nginx {
            Some(FileKind::Nginx)
        } else if looks_like_apache(text) {
            Some(FileKind::Apache)
        } else {
            looks_like_haproxy(text).then_some(FileKind::Haproxy)
        }
    }

    /// The ambiguous kinds that [`FileKind::refine`] may settle into this one.
    pub fn settled_from(self) -> &'static [FileKind] {
        match self {
            FileKind::Nginx | FileKind::Apache => &[FileKind::MaybeNginx],
            FileKind::Haproxy => &[FileKind::MaybeNginx, FileKind::MaybeHaproxy],
            _ => &[],
        }
    }

    /// A short name for messages and statistics.
    pub fn name(self) -> &'static str {
        crate::lang::kind_row(self).name
    }
}

/// The path rules the language rows call: what a name and its directories say about a file
/// beyond its extension.
pub(crate) mod paths {
    use super::FileKind;
    use std::path::Path;

    /// JSON files of package managers and tool settings: never infrastructure config.
    const NOT_INFRA_JSON: &[&str] = &[
        "package.json",
        "package-lock.json",
        "composer.json",
        "composer.lock",
        "jsconfig.json",
        ".eslintrc.json",
    ];

    /// TOML files of language tooling: never Traefik configuration.
    const NOT_TRAEFIK_TOML: &[&str] = &[
        "cargo.toml",
        "pyproject.toml",
        "rustfmt.toml",
        ".rustfmt.toml",
        "clippy.toml",
        "rust-toolchain.toml",
        "deny.toml",
        "scalelint.toml",
    ];

    /// Directories whose extension-less files may be nginx configuration (content decides).
    const NGINX_DIRS: &[&str] = &[
        "nginx",
        "conf.d",
        "sites-available",
        "sites-enabled",
        "snippets",
        "http.d",
        "stream.d",
    ];

    /// Directories that hold JS build output (compilers, bundlers, framework builds, coverage).
    const JS_OUTPUT_DIRS: &[&str] = &[
        "dist",
        "build",
        "out",
        ".next",
        ".nuxt",
        ".output",
        ".svelte-kit",
        ".vercel",
        ".turbo",
        ".serverless",
        ".webpack",
        ".cache",
        "coverage",
        "storybook-static",
        "public",
        "static",
        "vendor",
    ];

    /// Minified or bundled JS, or a file inside a build-output directory.
    pub(super) fn is_generated_js(path: &Path, lower_name: &str) -> bool {
        let minified = [".min.", ".bundle.", ".chunk."]
            .iter()
            .any(|m| lower_name.contains(m));
        minified
            || path
                .ancestors()
                .skip(1)
                .filter_map(|d| Some(d.file_name()?.to_string_lossy()))
                .any(|d| JS_OUTPUT_DIRS.contains(&d.to_ascii_lowercase().as_str()))
    }

    /// HAProxy and Apache httpd files known by name or directory (`haproxy.cfg`,
    /// `haproxy/conf.d/app.cfg`, `httpd.conf`, `apache2.conf`, and their template variants); other
    /// `*.cfg` files are HAProxy only if their content says so.
    fn infra_kind_by_name(path: &Path, lower: &str) -> Option<FileKind> {
        let base = [".j2", ".tmpl", ".template", ".erb", ".tpl"]
            .iter()
            .find_map(|s| lower.strip_suffix(s))
            .unwrap_or(lower);
        if base == "httpd.conf" || base == "apache2.conf" {
            return Some(FileKind::Apache);
        }
        if !base.ends_with(".cfg") {
            return None;
        }
        let in_haproxy_dir = path
            .ancestors()
            .skip(1)
            .take(3)
            .filter_map(|d| Some(d.file_name()?.to_string_lossy()))
            .any(|d| d.to_ascii_lowercase().contains("haproxy"));
        if base.starts_with("haproxy") || in_haproxy_dir {
            Some(FileKind::Haproxy)
        } else {
            Some(FileKind::MaybeHaproxy)
        }
    }

    /// Suffixes of template engines (Helm and Go, Jinja, Terraform `templatefile`, envsubst):
    /// the name before one says what the rendered file is.
    const TEMPLATE_SUFFIXES: &[&str] = &[".tpl", ".tmpl", ".j2", ".jinja", ".jinja2", ".template"];

    /// Whether a kind can be read from its template: YAML is parsed with `{{ }}` actions
    /// blanked, and the web-server formats are read tolerantly line by line. Code and JSON
    /// templates are not (a Jinja `{% %}` in Python or JSON would only yield parse errors).
    fn readable_as_template(kind: FileKind) -> bool {
        matches!(
            kind,
            FileKind::Yaml
                | FileKind::Compose
                | FileKind::Nginx
                | FileKind::MaybeNginx
                | FileKind::Apache
                | FileKind::Haproxy
                | FileKind::MaybeHaproxy
        )
    }

    /// A Helm named-template file: `_name.tpl` inside a chart's `templates/` directory (Helm
    /// renders nothing from `_` files itself; their `define` blocks hold manifests others
    /// `include`).
    fn is_helm_named_template(path: &Path, lower: &str) -> bool {
        lower.starts_with('_')
            && lower.ends_with(".tpl")
            && path
                .ancestors()
                .skip(1)
                .take(3)
                .filter_map(Path::file_name)
                .any(|d| d.eq_ignore_ascii_case("templates"))
    }

    /// Template files: the name before the template suffix settles the kind (`ingress.yaml.tpl`
    /// is YAML, `haproxy.cfg.j2` HAProxy); a Helm chart's `_name.tpl` is YAML; another bare
    /// `*.tpl` or `*.tmpl` is left to its content, as a `*.conf` is.
    pub fn template(path: &Path, lower: &str) -> Option<FileKind> {
        let base = TEMPLATE_SUFFIXES
            .iter()
            .find_map(|s| lower.strip_suffix(s))?;
        if base.contains('.') {
            // ASCII lowering keeps byte lengths, so the original spelling of the base is a prefix.
            let name = path.file_name()?.to_string_lossy();
            let original = name.get(..base.len())?;
            return crate::lang::classify(&path.with_file_name(original))
                .filter(|k| readable_as_template(*k));
        }
        if is_helm_named_template(path, lower) {
            return Some(FileKind::Yaml);
        }
        (lower.ends_with(".tpl") || lower.ends_with(".tmpl")).then_some(FileKind::MaybeNginx)
    }

    /// Compose files by name: `compose.yaml`, `docker-compose.yml`, `docker-compose.prod.yml`.
    fn yaml_kind(lower: &str) -> FileKind {
        let stem = lower.split('.').next().unwrap_or_default();
        if matches!(stem, "compose" | "docker-compose") {
            FileKind::Compose
        } else {
            FileKind::Yaml
        }
    }

    /// JavaScript: bundler and compiler output repeats the sources (already judged) or vendors
    /// third-party code, so findings there would point at files nobody edits.
    pub fn javascript(path: &Path, lower: &str) -> Option<FileKind> {
        (!is_generated_js(path, lower)).then_some(FileKind::JavaScript)
    }

    /// TSX: build output as for [`javascript`].
    pub fn tsx(path: &Path, lower: &str) -> Option<FileKind> {
        (!is_generated_js(path, lower)).then_some(FileKind::Tsx)
    }

    /// TypeScript: declaration files describe types only (no runtime behaviour to judge), and
    /// build output as for [`javascript`].
    pub fn typescript(path: &Path, lower: &str) -> Option<FileKind> {
        if [".d.ts", ".d.mts", ".d.cts"]
            .iter()
            .any(|s| lower.ends_with(s))
        {
            return None;
        }
        (!is_generated_js(path, lower)).then_some(FileKind::TypeScript)
    }

    /// YAML, or a Compose file by its name.
    pub fn yaml(_: &Path, lower: &str) -> Option<FileKind> {
        Some(yaml_kind(lower))
    }

    /// JSON, unless a package manager's or a tool's settings.
    pub fn json(_: &Path, lower: &str) -> Option<FileKind> {
        (!NOT_INFRA_JSON.contains(&lower) && !lower.starts_with("tsconfig"))
            .then_some(FileKind::Json)
    }

    /// TOML that may be Traefik's, unless a language tool's.
    pub fn toml(_: &Path, lower: &str) -> Option<FileKind> {
        (!NOT_TRAEFIK_TOML.contains(&lower)).then_some(FileKind::MaybeTraefikToml)
    }

    /// pip requirements files: `requirements*.txt`, and any `*.txt` in a `requirements/` folder.
    pub fn requirements(path: &Path, lower: &str) -> Option<FileKind> {
        let in_requirements_dir = path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d.eq_ignore_ascii_case("requirements"));
        (lower.ends_with(".txt") && (lower.starts_with("requirements") || in_requirements_dir))
            .then_some(FileKind::Requirements)
    }

    /// Environment files by name: `.env.production`, `.env.local`; `.env` itself is a name row.
    pub fn dotenv(_: &Path, lower: &str) -> Option<FileKind> {
        lower
            .strip_prefix(".env.")
            .is_some_and(|rest| !rest.is_empty())
            .then_some(FileKind::DotEnv)
    }

    /// Apache httpd by name: `httpd.conf`, `apache2.conf` and their template variants.
    pub fn apache(path: &Path, lower: &str) -> Option<FileKind> {
        infra_kind_by_name(path, lower).filter(|k| *k == FileKind::Apache)
    }

    /// HAProxy by name or directory; other `*.cfg` files may be HAProxy's.
    pub fn haproxy(path: &Path, lower: &str) -> Option<FileKind> {
        infra_kind_by_name(path, lower).filter(|k| *k != FileKind::Apache)
    }

    /// nginx by name (`nginx.conf`, `nginx.conf.j2`), or a `*.conf` (or a file in an
    /// nginx-looking directory) that content will settle.
    pub fn nginx(path: &Path, lower: &str) -> Option<FileKind> {
        let ext = lower.rsplit_once('.').map(|(_, e)| e);
        if lower == "nginx.conf" || lower.starts_with("nginx.conf.") || lower.starts_with("nginx.")
        {
            return Some(FileKind::Nginx);
        }
        // The nearest few directories: `nginx/templates/x.conf.template`, `nginx/conf.d/x.conf`.
        let in_nginx_dir = path
            .ancestors()
            .skip(1)
            .take(3)
            .filter_map(|d| Some(d.file_name()?.to_string_lossy()))
            .any(|d| {
                let d = d.to_ascii_lowercase();
                NGINX_DIRS.contains(&d.as_str()) || d.starts_with("nginx")
            });
        // Template suffixes used by the official image and config management.
        let conf_like = [
            ".conf",
            ".conf.template",
            ".conf.j2",
            ".conf.tmpl",
            ".conf.erb",
        ]
        .iter()
        .any(|s| lower.ends_with(s));
        // `.conf` and `conf.d/` are shared with Apache, supervisord, systemd…: the content decides.
        (conf_like || (in_nginx_dir && (ext.is_none() || lower.ends_with(".template"))))
            .then_some(FileKind::MaybeNginx)
    }
}

/// HAProxy's section keywords: a line starting with one opens a section.
pub const HAPROXY_SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "peers",
    "resolvers",
    "userlist",
    "cache",
    "program",
    "http-errors",
    "ring",
    "mailers",
    "crt-store",
    "traces",
];

/// HAProxy content: a proxy section header (`backend app`, `listen stats`, `defaults`) and a
/// proxy keyword line (`balance`, `server`, `bind`, `mode`). INI files (`setup.cfg`) have
/// `[section]` headers and `key = value` lines instead.
fn looks_like_haproxy(text: &str) -> bool {
    let mut section = false;
    let mut keyword = false;
    for line in text.lines() {
        let code = line.split('#').next().unwrap_or_default();
        let mut words = code.split_whitespace();
        let Some(first) = words.next() else { continue };
        let second = words.next();
        if second.is_some_and(|w| w.starts_with('=') || w.starts_with(':')) {
            continue;
        }
        if matches!(
            first,
            "frontend" | "backend" | "listen" | "defaults" | "global"
        ) {
            section = true;
        } else if matches!(
            first,
            "balance" | "server" | "bind" | "mode" | "default_backend" | "use_backend" | "cookie"
        ) && second.is_some()
        {
            keyword = true;
        }
        if section && keyword {
            return true;
        }
    }
    false
}

/// Apache httpd content: a line that opens or closes one of httpd's sections (`<VirtualHost>`,
/// `<Proxy>`, `<IfModule>`, …) or is one of its proxy directives.
fn looks_like_apache(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        let word = line
            .trim_start_matches(['<', '/'])
            .split(|c: char| c.is_whitespace() || c == '>')
            .next()
            .unwrap_or_default();
        let section = line.starts_with('<')
            && matches!(
                word,
                "VirtualHost"
                    | "Proxy"
                    | "ProxyMatch"
                    | "IfModule"
                    | "Directory"
                    | "Location"
                    | "LocationMatch"
                    | "Files"
                    | "IfDefine"
            );
        section
            || matches!(
                word,
                "ProxyPass"
                    | "ProxyPassMatch"
                    | "ProxySet"
                    | "BalancerMember"
                    | "LoadModule"
                    | "ProxyPassReverse"
                    | "ServerName"
                    | "DocumentRoot"
            ) && line.len() > word.len()
    })
}

/// Traefik's TOML tables (static: entry points and providers; dynamic: routers and services).
fn is_traefik_toml(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        let Some(table) = line
            .strip_prefix("[[")
            .or_else(|| line.strip_prefix('['))
            .map(|t| t.trim_start_matches(['[', ' ']))
        else {
            return false;
        };
        [
            "http.",
            "tcp.",
            "udp.",
            "entryPoints",
            "providers",
            "certificatesResolvers",
        ]
        .iter()
        .any(|p| table.starts_with(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(p: &str) -> Option<FileKind> {
        FileKind::from_path(Path::new(p))
    }

    #[test]
    fn classifies_by_extension_name_and_directory() {
        assert_eq!(kind("src/app.mjs"), Some(FileKind::JavaScript));
        assert_eq!(kind("src/App.tsx"), Some(FileKind::Tsx));
        assert_eq!(kind("src/main.rs"), Some(FileKind::Rust));
        assert_eq!(kind("crates/web/Cargo.toml"), Some(FileKind::CargoManifest));
        assert_eq!(kind("pyproject.toml"), Some(FileKind::PyProject));
        assert_eq!(kind("Pipfile"), Some(FileKind::Pipfile));
        assert_eq!(kind("requirements-dev.txt"), Some(FileKind::Requirements));
        assert_eq!(kind("requirements/base.txt"), Some(FileKind::Requirements));
        assert_eq!(kind("notes.txt"), None);
        assert_eq!(kind("setup.cfg"), Some(FileKind::SetupCfg));
        assert_eq!(kind("shop/settings/base.py"), Some(FileKind::Python));
        assert_eq!(kind("tools/gui.pyw"), Some(FileKind::Python));
        assert_eq!(kind("shop/app.pyc"), None);
        assert_eq!(kind("dist/index.d.ts"), None);
        assert_eq!(kind("packages/api/dist/server.js"), None);
        assert_eq!(kind(".next/server/app/page.js"), None);
        assert_eq!(kind("public/js/jquery.min.js"), None);
        assert_eq!(kind("src/builder.js"), Some(FileKind::JavaScript));
        assert_eq!(kind("deploy/nginx.conf"), Some(FileKind::Nginx));
        assert_eq!(
            kind("etc/nginx/sites-enabled/shop"),
            Some(FileKind::MaybeNginx)
        );
        assert_eq!(
            kind("nginx/templates/default.conf.template"),
            Some(FileKind::MaybeNginx)
        );
        assert_eq!(kind("etc/nginx/mime.types"), None);
        assert_eq!(kind("deploy/app.conf"), Some(FileKind::MaybeNginx));
        assert_eq!(kind("README.md"), None);
        assert_eq!(kind("api/package.json"), Some(FileKind::PackageJson));
        assert_eq!(kind("api/package-lock.json"), None);
        assert_eq!(kind("sites-enabled/README.md"), None);
        assert_eq!(kind("etc/haproxy/haproxy.cfg"), Some(FileKind::Haproxy));
        assert_eq!(kind("haproxy/conf.d/10-app.cfg"), Some(FileKind::Haproxy));
        assert_eq!(kind("templates/haproxy.cfg.j2"), Some(FileKind::Haproxy));
        assert_eq!(
            kind("setup.cfg"),
            Some(FileKind::SetupCfg),
            "a Python manifest, never HAProxy"
        );
        assert_eq!(kind("conf/httpd.conf"), Some(FileKind::Apache));
        assert_eq!(
            kind("apache2/sites-enabled/app.conf"),
            Some(FileKind::MaybeNginx)
        );
        assert_eq!(kind("infra/main.tf"), Some(FileKind::Hcl));
        assert_eq!(kind("infra/prod.tfvars"), Some(FileKind::Hcl));
        assert_eq!(kind("azuredeploy.json"), Some(FileKind::Json));
        assert_eq!(kind("main.bicep"), Some(FileKind::Bicep));
        assert_eq!(kind("k8s/deployment.yml"), Some(FileKind::Yaml));
        assert_eq!(kind("docker-compose.prod.yml"), Some(FileKind::Compose));
        assert_eq!(kind("compose.yaml"), Some(FileKind::Compose));
        assert_eq!(kind("cfn/stack.json"), Some(FileKind::Json));
        assert_eq!(kind("traefik.toml"), Some(FileKind::MaybeTraefikToml));
        assert_eq!(kind("Cargo.toml"), Some(FileKind::CargoManifest));
        assert_eq!(kind("web/package.json"), Some(FileKind::PackageJson));
    }

    #[test]
    fn classifies_and_parses_the_xml_properties_ini_and_env_rows() {
        use crate::parse::{Parsed, Tree, parse};
        use crate::source::SourceFile;
        let cases = [
            (
                "pom.xml",
                FileKind::Xml,
                "<project><artifactId>shop</artifactId></project>",
                "project",
            ),
            (
                "Shop/Shop.csproj",
                FileKind::Xml,
                "<Project Sdk=\"Microsoft.NET.Sdk.Web\"/>",
                "Project",
            ),
            (
                "Web.config",
                FileKind::Xml,
                "<configuration><system.web/></configuration>",
                "configuration",
            ),
            (
                "src/main/resources/application.properties",
                FileKind::Properties,
                "spring.session.store-type=none\n",
                "spring.session.store-type",
            ),
            (
                "php.ini",
                FileKind::Ini,
                "[Session]\nsession.save_handler = files\n",
                "Session",
            ),
            (
                ".env",
                FileKind::DotEnv,
                "SESSION_DRIVER=file\n",
                "SESSION_DRIVER",
            ),
            (
                "deploy/.env.production",
                FileKind::DotEnv,
                "CACHE_STORE=array\n",
                "CACHE_STORE",
            ),
        ];
        for (path, expected, text, key) in cases {
            assert_eq!(kind(path), Some(expected), "{path}");
            let file = SourceFile::new(path.into(), expected, text.into());
            let Parsed::Complete(Tree::Data(docs)) = parse(&file) else {
                panic!("{path} parses into the data tree");
            };
            assert!(
                docs.docs[0].get(key).is_some(),
                "{path}: `{key}` in the tree"
            );
        }
        assert_eq!(kind(".envrc"), None);
        assert_eq!(
            kind("settings.cfg"),
            Some(FileKind::MaybeHaproxy),
            "`*.cfg` stays HAProxy's"
        );
    }

    #[test]
    fn classifies_the_jvm_dotnet_ruby_php_and_go_rows() {
        for (path, expected) in [
            ("src/main/java/shop/CartController.java", FileKind::Java),
            ("src/main/kotlin/shop/Routes.kt", FileKind::Kotlin),
            ("build.gradle.kts", FileKind::Kotlin),
            ("Shop/Controllers/CartController.cs", FileKind::CSharp),
            ("app/controllers/carts_controller.rb", FileKind::Ruby),
            ("config.ru", FileKind::Ruby),
            ("lib/tasks/cleanup.rake", FileKind::Ruby),
            ("Gemfile", FileKind::Ruby),
            ("Rakefile", FileKind::Ruby),
            ("app/Http/Controllers/CartController.php", FileKind::Php),
            ("resources/views/cart.phtml", FileKind::Php),
            ("cmd/shop/main.go", FileKind::Go),
            ("SRC/MAIN.GO", FileKind::Go),
        ] {
            assert_eq!(kind(path), Some(expected), "{path}");
        }
        // Exact names spelled with capitals match only so spelled; near misses are nothing.
        for path in [
            "gemfile",
            "Gemfile.lock",
            "Shop/Views/Cart.cshtml",
            "go.mod",
            "go.sum",
            "cargo.toml",
            "build.gradle",
        ] {
            assert_eq!(kind(path), None, "{path}");
        }
        assert_eq!(FileKind::Java.name(), "java");
        assert_eq!(FileKind::CSharp.name(), "csharp");
        assert_eq!(FileKind::Php.name(), "php");
    }

    #[test]
    fn ambiguous_conf_files_are_settled_by_content() {
        let nginx = "upstream app {\n  server a:80;\n}\n";
        assert_eq!(FileKind::MaybeNginx.refine(nginx), Some(FileKind::Nginx));
        assert_eq!(
            FileKind::MaybeNginx.refine("[program:web]\ncommand=x\n"),
            None
        );
        let snippet = "# shared by every upstream\nhash $remote_addr consistent;\n";
        assert_eq!(FileKind::MaybeNginx.refine(snippet), Some(FileKind::Nginx));
        let apache =
            "<VirtualHost *:80>\n  ServerName x\n  ProxyPass / balancer://app/\n</VirtualHost>\n";
        assert_eq!(FileKind::MaybeNginx.refine(apache), Some(FileKind::Apache));
        let haproxy = "defaults\n  mode http\nbackend app\n  balance source\n";
        assert_eq!(
            FileKind::MaybeNginx.refine(haproxy),
            Some(FileKind::Haproxy)
        );
        assert_eq!(
            FileKind::MaybeHaproxy.refine(haproxy),
            Some(FileKind::Haproxy)
        );
        let setup_cfg = "[metadata]\nname = x\n[options]\nmode = strict\nbackend = y\n";
        assert_eq!(FileKind::MaybeHaproxy.refine(setup_cfg), None);
        let traefik = "[http.services.app.loadBalancer]\n";
        assert_eq!(
            FileKind::MaybeTraefikToml.refine(traefik),
            Some(FileKind::TraefikToml)
        );
        assert_eq!(FileKind::MaybeTraefikToml.refine("[package]\n"), None);
        let ini = "server = db.internal\nhash = sha256\n";
        assert_eq!(FileKind::MaybeNginx.refine(ini), None);
    }

    #[test]
    fn one_line_generated_nginx_is_settled_by_its_statements() {
        let one_line = "upstream epm01{    ip_hash;    server 10.0.0.1:31002;}server {  \
                        listen 31002;  location / {  proxy_pass http://epm01/;  }}";
        assert_eq!(FileKind::MaybeNginx.refine(one_line), Some(FileKind::Nginx));
        // INI and YAML lines that merely start with a directive's name and hold a `;`.
        let ini = "server = db.internal; port = 5432\nlisten: 80; # not a directive\n";
        assert_eq!(FileKind::MaybeNginx.refine(ini), None);
        let systemd = "[Service]\nExecStart=/usr/bin/app --server x; echo done\n";
        assert_eq!(FileKind::MaybeNginx.refine(systemd), None);
    }

    #[test]
    fn template_suffixes_settle_the_kind_of_the_name_before_them() {
        assert_eq!(
            kind("yml/ingress/was-ingress-endpoints.yaml.tpl"),
            Some(FileKind::Yaml)
        );
        assert_eq!(kind("deploy/service.yml.j2"), Some(FileKind::Yaml));
        assert_eq!(kind("deploy/app.yaml.tmpl"), Some(FileKind::Yaml));
        assert_eq!(
            kind("deploy/docker-compose.yml.template"),
            Some(FileKind::Compose)
        );
        assert_eq!(kind("nginx.conf.tmpl"), Some(FileKind::Nginx));
        assert_eq!(kind("templates/site.conf.j2"), Some(FileKind::MaybeNginx));
        assert_eq!(kind("templates/haproxy.cfg.tpl"), Some(FileKind::Haproxy));
        // Code and JSON templates are not read: Jinja or Go actions make them unparseable.
        assert_eq!(kind("templates/settings.py.j2"), None);
        assert_eq!(kind("web/index.html.tmpl"), None);
        assert_eq!(kind("deploy/task.json.tpl"), None);
        assert_eq!(kind(".env.template"), Some(FileKind::DotEnv));
    }

    #[test]
    fn helm_named_templates_are_yaml_and_other_bare_templates_wait_for_content() {
        assert_eq!(
            kind("charts/pega/templates/_pega-service.tpl"),
            Some(FileKind::Yaml)
        );
        assert_eq!(
            kind("chart/templates/ingress/_ingress.tpl"),
            Some(FileKind::Yaml)
        );
        // Not a chart's `templates/`, or not a `_` partial: the content decides (nginx or none).
        assert_eq!(
            kind("src/main/resources/conf.tpl"),
            Some(FileKind::MaybeNginx)
        );
        assert_eq!(kind("views/_header.tpl"), Some(FileKind::MaybeNginx));
        assert_eq!(kind("templates/page.tmpl"), Some(FileKind::MaybeNginx));
        assert_eq!(kind("templates/_macros.j2"), None);
        let go_html = "{{ define \"header\" }}<html><head><title>{{ .Title }}</title>{{ end }}\n";
        assert_eq!(FileKind::MaybeNginx.refine(go_html), None);
    }
}
