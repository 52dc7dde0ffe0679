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
    /// A `*.conf` file, or a file in an nginx-looking directory: nginx if its content says so.
    MaybeNginx,
    /// Python (`*.py`, `*.pyw`).
    Python,
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

impl FileKind {
    /// Classifies a path; `None` means scalelint has nothing to say about the file.
    pub fn from_path(path: &Path) -> Option<FileKind> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e);
        // Declaration files describe types only: no runtime behaviour to judge.
        if [".d.ts", ".d.mts", ".d.cts"]
            .iter()
            .any(|s| lower.ends_with(s))
        {
            return None;
        }
        match ext {
            Some("js" | "mjs" | "cjs" | "jsx") => return Some(FileKind::JavaScript),
            Some("ts" | "mts" | "cts") => return Some(FileKind::TypeScript),
            Some("tsx") => return Some(FileKind::Tsx),
            Some("rs") => return Some(FileKind::Rust),
            Some("nginx") => return Some(FileKind::Nginx),
            Some("py" | "pyw") => return Some(FileKind::Python),
            _ => {}
        }
        if lower == "nginx.conf" || lower.starts_with("nginx.conf.") || lower.starts_with("nginx.")
        {
            return Some(FileKind::Nginx);
        }
        // The nearest few directories: `nginx/templates/x.conf.template`, `nginx/conf.d/x.conf`.
        let in_nginx_dir = path
            .ancestors()
            .skip(1)
            .take(3)
            .filter_map(|d| d.file_name()?.to_str())
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
        if conf_like || (in_nginx_dir && (ext.is_none() || lower.ends_with(".template"))) {
            return Some(FileKind::MaybeNginx);
        }
        None
    }

    /// Settles [`FileKind::MaybeNginx`] by content: nginx when a line is an nginx directive, a
    /// name from nginx's vocabulary that ends in `;` or opens a `{` block (INI, Apache and
    /// systemd files have neither shape).
    pub fn refine(self, text: &str) -> Option<FileKind> {
        if self != FileKind::MaybeNginx {
            return Some(self);
        }
        let looks_like_nginx = text.lines().any(|line| {
            let line = line.split('#').next().unwrap_or_default().trim();
            let name = line
                .split(|c: char| c.is_whitespace() || c == ';' || c == '{')
                .next()
                .unwrap_or_default();
            NGINX_VOCABULARY.contains(&name) && (line.ends_with(';') || line.ends_with('{'))
        });
        looks_like_nginx.then_some(FileKind::Nginx)
    }

    /// A short name for messages and statistics.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::JavaScript => "javascript",
            FileKind::TypeScript => "typescript",
            FileKind::Tsx => "tsx",
            FileKind::Rust => "rust",
            FileKind::Nginx | FileKind::MaybeNginx => "nginx",
            FileKind::Python => "python",
        }
    }
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
        assert_eq!(kind("shop/settings/base.py"), Some(FileKind::Python));
        assert_eq!(kind("tools/gui.pyw"), Some(FileKind::Python));
        assert_eq!(kind("shop/app.pyc"), None);
        assert_eq!(kind("dist/index.d.ts"), None);
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
        assert_eq!(kind("sites-enabled/README.md"), None);
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
        assert_eq!(FileKind::MaybeNginx.refine(apache), None);
        let ini = "server = db.internal\nhash = sha256\n";
        assert_eq!(FileKind::MaybeNginx.refine(ini), None);
    }
}
