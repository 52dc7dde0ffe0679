//! Django settings as Django computes them. Settings modules are found by what they assign
//! (INSTALLED_APPS, MIDDLEWARE, DATABASES, CACHES …); `from .base import *` chains are followed
//! with later assignments overriding earlier ones; the module that production runs is the one
//! wsgi.py / asgi.py names in `DJANGO_SETTINGS_MODULE`, or one named like production
//! (`prod.py`, `production.py`), or else a settings module nothing else extends. Development and
//! test modules (`dev.py`, `local.py`, `test.py`) are never judged on their own.
//!
//! A setting the production chain leaves out takes Django's default, and two defaults keep state
//! on the instance: `CACHES` (LocMemCache) and the default file storage (FileSystemStorage under
//! MEDIA_ROOT). They are reported only where the app relies on them: at the cache calls and at the
//! `FileField` / `ImageField` declarations.

use super::model::{Kind, PyModel, preorder};
use super::module_scope::{
    ModuleScope, Statement, Value, absolute_module, dict_entries, keyword_arg, module_path,
    positional_arg, random_source, same_module,
};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::python::string_value;
use crate::project::symbol::Symbol;
use crate::project::{Facts, Located, Sink};
use crate::rules::{self, Rule};
use crate::source::FileKind;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use tree_sitter::Node;

/// Django settings modules, resolved across files, and the app code that relies on them.
pub struct DjangoSettings;

/// Settings only Django reads: a module assigning one is a settings module.
const MARKERS: &[&str] = &[
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "MIDDLEWARE_CLASSES",
    "ROOT_URLCONF",
    "DATABASES",
    "CACHES",
    "SESSION_ENGINE",
    "STORAGES",
    "DEFAULT_FILE_STORAGE",
    "CHANNEL_LAYERS",
    "WSGI_APPLICATION",
    "ASGI_APPLICATION",
    "AUTH_PASSWORD_VALIDATORS",
];

/// The settings judged here (others are not recorded).
const JUDGED: &[&str] = &[
    "CACHES",
    "RATELIMIT_USE_CACHE",
    "SESSION_ENGINE",
    "SESSION_CACHE_ALIAS",
    "STORAGES",
    "DEFAULT_FILE_STORAGE",
    "CHANNEL_LAYERS",
    "DATABASES",
    "SECRET_KEY",
];

/// A configured value: what it evaluates to, and where it is written.
#[derive(Debug, Clone)]
struct Written {
    value: Value,
    span: Range<usize>,
}

/// What one setting's assignment says, reduced to what the judgement needs.
#[derive(Debug, Clone)]
enum Setting {
    /// A string setting (`SESSION_ENGINE`, `DEFAULT_FILE_STORAGE`, `SESSION_CACHE_ALIAS`).
    Str(Written),
    /// An alias table (`CACHES`, `STORAGES`, `CHANNEL_LAYERS`, `DATABASES`): alias → backend.
    Aliases(BTreeMap<String, Option<Written>>),
    /// `SECRET_KEY` computed from a random source (the source, the span, and the environment
    /// variable whose default it is, if it is one).
    Random(String, Range<usize>, Option<String>),
    /// Set to something not knowable here: unknown, so silent.
    Opaque,
}

#[derive(Debug, Clone)]
enum Item {
    /// `from m import *`, the absolute module.
    Star(String),
    /// A whole setting.
    Set(String, Setting),
    /// `CACHES["alias"] = {…}`.
    SetAlias(String, String, Option<Written>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Production,
    Development,
    Neutral,
}

/// A Python module's settings, as recorded for resolution.
#[derive(Debug)]
struct SettingsModule {
    module: String,
    role: Role,
    marker: bool,
    items: Vec<Item>,
}

/// `DJANGO_SETTINGS_MODULE` set in manage.py / wsgi.py / asgi.py.
#[derive(Debug)]
struct Pointer {
    module: String,
    /// From a server entry point (wsgi/asgi), not manage.py.
    production: bool,
}

/// App code relying on a Django default.
#[derive(Debug)]
enum Reliance {
    /// Uses the Django cache (`what` names the use).
    Cache(String, Range<usize>),
    /// Declares a file field on the default storage.
    Upload(String, Range<usize>),
    /// django-ratelimit's `@ratelimit`, which counts in the Django cache.
    RateLimit(Range<usize>),
}

impl Detector for DjangoSettings {
    fn id(&self) -> &'static str {
        "python/django-settings"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Python]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "INSTALLED_APPS",
            "MIDDLEWARE",
            "DATABASES",
            "CACHES",
            "SESSION_ENGINE",
            "STORAGES",
            "DEFAULT_FILE_STORAGE",
            "CHANNEL_LAYERS",
            "SECRET_KEY",
            "import *",
            "DJANGO_SETTINGS_MODULE",
            // Code that relies on the default cache, storage or rate-limit cache: its imports
            // name these (`django.core.cache`, `django.views.decorators.cache`), far fewer files
            // than every file that mentions Django.
            "django.core.cache",
            "decorators.cache",
            "FileField",
            "ImageField",
            "default_storage",
            "ratelimit",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &[
            "SL101", "SL102", "SL202", "SL301", "SL502", "SL503", "SL504", "SL505",
        ]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Python(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let modules: Vec<(&str, &SettingsModule)> = facts.of::<SettingsModule>().collect();
        if modules.is_empty() {
            return;
        }
        let is_settings: Vec<bool> = modules
            .iter()
            .map(|(_, m)| reaches_marker(m, &modules, 0))
            .collect();
        let settings: Vec<(&str, &SettingsModule)> = modules
            .iter()
            .zip(&is_settings)
            .filter(|(_, s)| **s)
            .map(|(m, _)| *m)
            .collect();
        if settings.is_empty() {
            return;
        }
        let pointers: Vec<(&str, &Pointer)> = facts.of::<Pointer>().collect();
        let targets = production_modules(&settings, &pointers);
        let reliances: Vec<(&str, &Reliance)> = facts.of::<Reliance>().collect();
        let mut seen = HashSet::new();
        for target in &targets {
            let mut effective = Effective::default();
            fold(*target, &settings, &mut effective, &mut Vec::new());
            // Code belongs to the project whose settings sit nearest to it (a monorepo may hold
            // several Django projects).
            let root = project_root(target.0);
            let own: Vec<(&str, &Reliance)> = reliances
                .iter()
                .filter(|(path, _)| {
                    let best = targets.iter().map(|t| shared_dirs(path, t.0)).max();
                    best == Some(shared_dirs(path, target.0))
                        && (root.is_empty() || path.starts_with(&format!("{root}/")))
                })
                .copied()
                .collect();
            judge(&effective, &own, out, &mut seen);
        }
    }
}

impl Check<PyModel<'_>> for DjangoSettings {
    fn check(&self, model: &PyModel<'_>, out: &mut Sink) {
        let file = model.file;
        let src = model.src;
        let scope = model.scope();
        let module = module_path(&file.rel_path);
        let is_package = file.rel_path.ends_with("__init__.py");
        let mut items = Vec::new();
        let mut markers: Vec<&str> = Vec::new();
        for stmt in &scope.statements {
            match stmt {
                Statement::StarImport(m, _) => {
                    items.push(Item::Star(absolute_module(&module, is_package, m)));
                }
                Statement::Assign(name, a) if !a.dev_only => {
                    if MARKERS.contains(&name.as_str()) && !markers.contains(&name.as_str()) {
                        markers.push(name);
                    }
                    if JUDGED.contains(&name.as_str()) {
                        let setting = read_setting(name, a.value, scope, src);
                        items.push(Item::Set(name.clone(), setting));
                    }
                    if name == "MIDDLEWARE" || name == "MIDDLEWARE_CLASSES" {
                        cache_middleware(a.value, src, out);
                    }
                }
                Statement::AssignItem(name, alias, a) if !a.dev_only => {
                    if matches!(
                        name.as_str(),
                        "CACHES" | "STORAGES" | "CHANNEL_LAYERS" | "DATABASES"
                    ) {
                        let backend = backend_of(name, a.value, scope, src);
                        items.push(Item::SetAlias(name.clone(), alias.clone(), backend));
                    }
                }
                _ => {}
            }
        }
        // One marker alone is a constant for others to import (`oscar.INSTALLED_APPS`).
        let settings_named = module
            .rsplit('.')
            .next()
            .is_some_and(|m| m.contains("settings"))
            || module.contains(".settings.");
        let marker = markers.len() >= 2 || (settings_named && !markers.is_empty());
        if marker || items.iter().any(|i| matches!(i, Item::Star(_))) {
            let role = role_of(&module, &file.rel_path);
            out.fact(SettingsModule {
                module,
                role,
                marker,
                items,
            });
        }
        pointers(model, out);
        // Migrations replay model history; the models themselves are judged.
        if !file.rel_path.split('/').any(|d| d == "migrations") {
            reliances(model, out);
        }
    }
}

/// Directories whose settings configure documentation builds, demos and templates for other
/// projects, never a deployed app.
const NON_PRODUCTION_DIRS: &[&str] = &[
    "docs",
    "doc",
    "example",
    "examples",
    "sandbox",
    "demo",
    "test_utils",
    "testproject",
    "test_project",
    "project_template",
    "app_template",
];

fn role_of(module: &str, rel_path: &str) -> Role {
    // Django's own defaults module is not a project's settings.
    if module.ends_with("django.conf.global_settings")
        || rel_path.split('/').rev().skip(1).any(|d| {
            // `.github/upgrade-test/…`: CI scaffolding.
            d.starts_with('.') && d.len() > 1
                || NON_PRODUCTION_DIRS.contains(&d.to_ascii_lowercase().as_str())
        })
    {
        return Role::Development;
    }
    let last = module.rsplit('.').next().unwrap_or(module);
    match crate::role::of_name(last) {
        Some(role) if role.is_non_production() => Role::Development,
        Some(_) => Role::Production,
        None => Role::Neutral,
    }
}

/// `STORAGES`/`CACHES`/… tables and string settings, evaluated.
fn read_setting<'t>(name: &str, value: Node<'t>, scope: &ModuleScope<'t>, src: &str) -> Setting {
    let node = scope.resolve(value, src);
    match name {
        "CACHES" | "STORAGES" | "CHANNEL_LAYERS" | "DATABASES" => {
            let Some(entries) = dict_entries(node, src) else {
                return Setting::Opaque;
            };
            let aliases = entries
                .into_iter()
                .map(|(alias, v)| (alias, backend_of(name, v, scope, src)))
                .collect();
            Setting::Aliases(aliases)
        }
        "SECRET_KEY" => match random_source(scope, node, src) {
            Some(what) => {
                let var = match scope.eval(node, src) {
                    Value::Env { var, .. } => Some(var),
                    _ => None,
                };
                Setting::Random(what, value.byte_range(), var)
            }
            None => Setting::Opaque,
        },
        _ => match scope.eval(node, src) {
            Value::Unknown => Setting::Opaque,
            v => Setting::Str(Written {
                value: v,
                span: value.byte_range(),
            }),
        },
    }
}

/// The backend of one alias: its `BACKEND` (`ENGINE` for databases), or a URL read by
/// dj-database-url / django-environ / django-cache-url.
fn backend_of<'t>(
    setting: &str,
    alias: Node<'t>,
    scope: &ModuleScope<'t>,
    src: &str,
) -> Option<Written> {
    let alias = scope.resolve(alias, src);
    let key = if setting == "DATABASES" {
        "ENGINE"
    } else {
        "BACKEND"
    };
    if let Some(entries) = dict_entries(alias, src) {
        let (_, v) = entries.into_iter().rev().find(|(k, _)| k == key)?;
        return Some(Written {
            value: scope.eval(v, src),
            span: v.byte_range(),
        });
    }
    if alias.kind() != "call" {
        return None;
    }
    let callee = scope.callee(alias, src)?;
    let url_reader = callee.package == "dj_database_url" || callee.package == "django_cache_url";
    let method = callee.path().join(".");
    let value = match method.as_str() {
        // dj_database_url.config(default=…, env="DATABASE_URL"); django_cache_url.config(…).
        "config" | "config_from_env" if url_reader => {
            let var = keyword_arg(alias, "env", src)
                .and_then(|e| string_value(e, src))
                .unwrap_or_else(|| {
                    if callee.package == "django_cache_url" {
                        "CACHE_URL"
                    } else {
                        "DATABASE_URL"
                    }
                    .to_owned()
                });
            let default = keyword_arg(alias, "default", src)
                .and_then(|d| scope.eval(d, src).effective().map(str::to_owned));
            Value::Env { var, default }
        }
        "parse" if url_reader => scope.eval(positional_arg(alias, 0)?, src),
        _ => scope.eval(alias, src),
    };
    if value == Value::Unknown {
        return None;
    }
    Some(Written {
        value,
        span: alias.byte_range(),
    })
}

/// `django.middleware.cache.UpdateCacheMiddleware` / `FetchFromCacheMiddleware` cache whole pages.
fn cache_middleware(value: Node<'_>, src: &str, out: &mut Sink) {
    preorder(value, |n| {
        if let Some(s) = string_value(n, src) {
            if s == "django.middleware.cache.UpdateCacheMiddleware"
                || s == "django.middleware.cache.FetchFromCacheMiddleware"
                || s == "django.middleware.cache.CacheMiddleware"
            {
                out.fact(Reliance::Cache(
                    "the per-site cache middleware".to_owned(),
                    n.byte_range(),
                ));
            }
            return false;
        }
        true
    });
}

/// `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings.production")` and
/// `os.environ["DJANGO_SETTINGS_MODULE"] = "…"`.
fn pointers(model: &PyModel<'_>, out: &mut Sink) {
    let (file, src) = (model.file, model.src);
    if !src.contains("DJANGO_SETTINGS_MODULE") {
        return;
    }
    let name = file.rel_path.rsplit('/').next().unwrap_or(&file.rel_path);
    let production = matches!(name, "wsgi.py" | "asgi.py");
    let scope = model.scope();
    for n in model.nodes(&[Kind::Call, Kind::Assignment]) {
        let module = match n.kind() {
            "call"
                if scope
                    .callee(n, src)
                    .is_some_and(|c| c.is("os", &["environ", "setdefault"])) =>
            {
                let key = positional_arg(n, 0).and_then(|k| string_value(k, src));
                (key.as_deref() == Some("DJANGO_SETTINGS_MODULE"))
                    .then(|| positional_arg(n, 1).and_then(|v| string_value(v, src)))
                    .flatten()
            }
            "assignment" => {
                let left = n.child_by_field_name("left");
                let is_env = left.is_some_and(|l| {
                    l.kind() == "subscript"
                        && l.child_by_field_name("value")
                            .and_then(|o| scope.qualified(o, src))
                            .is_some_and(|q| q.is("os", &["environ"]))
                        && l.child_by_field_name("subscript")
                            .and_then(|k| string_value(k, src))
                            .as_deref()
                            == Some("DJANGO_SETTINGS_MODULE")
                });
                is_env
                    .then(|| {
                        n.child_by_field_name("right")
                            .and_then(|v| string_value(v, src))
                    })
                    .flatten()
            }
            _ => None,
        };
        if let Some(module) = module {
            out.fact(Pointer { module, production });
        }
    }
}

/// Code that relies on the default cache or file storage.
fn reliances(model: &PyModel<'_>, out: &mut Sink) {
    let (scope, src) = (model.scope(), model.src);
    if !scope.imports_from(&["django", "django_ratelimit", "ratelimit"]) {
        return;
    }
    let mut cache_seen = false;
    for n in model.nodes(&[Kind::Call, Kind::Decorator]) {
        match n.kind() {
            "call" => {
                let Some(callee) = scope.callee(n, src) else {
                    continue;
                };
                if !cache_seen && let Some(what) = cache_use(&callee) {
                    cache_seen = true;
                    out.fact(Reliance::Cache(what, n.byte_range()));
                }
                if callee.is(
                    "django",
                    &["core", "files", "storage", "default_storage", "save"],
                ) {
                    out.fact(Reliance::Upload(
                        "`default_storage.save`".to_owned(),
                        n.byte_range(),
                    ));
                }
                if (callee.is("django", &["db", "models", "FileField"])
                    || callee.is("django", &["db", "models", "ImageField"]))
                    && keyword_arg(n, "storage", src).is_none()
                {
                    let field = callee.path.last().map_or("FileField", String::as_str);
                    out.fact(Reliance::Upload(format!("`{field}`"), n.byte_range()));
                }
            }
            "decorator" => {
                let inner = n.named_child(0);
                let target = inner.map(|i| {
                    if i.kind() == "call" {
                        i.child_by_field_name("function").unwrap_or(i)
                    } else {
                        i
                    }
                });
                let name = target.and_then(|t| scope.qualified(t, src));
                if name.as_ref().is_some_and(|n| {
                    n.is("django_ratelimit", &["decorators", "ratelimit"])
                        || n.is("ratelimit", &["decorators", "ratelimit"])
                }) {
                    out.fact(Reliance::RateLimit(n.byte_range()));
                }
                if !cache_seen && let Some(what) = name.as_ref().and_then(cache_use) {
                    cache_seen = true;
                    out.fact(Reliance::Cache(what, n.byte_range()));
                }
            }
            _ => {}
        }
    }
}

/// What a call or decorator of the Django cache API is, if it is one.
fn cache_use(symbol: &Symbol) -> Option<String> {
    let name = symbol.joined(".");
    let name = name.as_str();
    let short = |s: &str| format!("`{s}`");
    if name == "django.views.decorators.cache.cache_page" {
        return Some(short("cache_page"));
    }
    if name == "django.utils.decorators.method_decorator" {
        return None;
    }
    for object in ["django.core.cache.cache", "django.core.cache.caches"] {
        if let Some(method) = name.strip_prefix(object).and_then(|m| m.strip_prefix('.'))
            && [
                "get",
                "set",
                "add",
                "get_or_set",
                "get_many",
                "set_many",
                "incr",
                "decr",
                "delete",
                "touch",
            ]
            .contains(&method)
        {
            let object = object.rsplit('.').next().unwrap_or(object);
            return Some(short(&format!("{object}.{method}")));
        }
    }
    None
}

/// Whether a module is a settings module: it assigns a Django-only setting, or star-imports one.
fn reaches_marker(m: &SettingsModule, all: &[(&str, &SettingsModule)], depth: usize) -> bool {
    if m.marker {
        return true;
    }
    if depth > 8 {
        return false;
    }
    m.items.iter().any(|i| match i {
        Item::Star(name) => all
            .iter()
            .filter(|(_, o)| same_module(&o.module, name) && !std::ptr::eq(*o, m))
            .any(|(_, o)| reaches_marker(o, all, depth + 1)),
        _ => false,
    })
}

/// The directory a settings module's project lives in: the parent of the package that holds the
/// settings (`mysite/settings.py` and `mysite/settings/prod.py` → the directory holding
/// `mysite`). App code outside it belongs to something else (a library beside its example project).
fn project_root(settings_path: &str) -> String {
    let mut dirs: Vec<&str> = settings_path.split('/').collect();
    dirs.pop();
    if dirs.last() == Some(&"settings") {
        dirs.pop();
    }
    dirs.pop();
    dirs.join("/")
}

/// How many leading directories two `/`-separated paths share.
fn shared_dirs(a: &str, b: &str) -> usize {
    a.split('/')
        .zip(b.split('/'))
        .take_while(|(x, y)| x == y)
        .count()
}

/// The settings module a dotted name refers to, seen from the file at `from`: of the modules
/// whose path ends with the name, the one nearest to `from`.
fn nearest<'a>(
    from: &str,
    name: &str,
    all: &[(&'a str, &'a SettingsModule)],
) -> Option<(&'a str, &'a SettingsModule)> {
    all.iter()
        .filter(|(_, m)| same_module(&m.module, name))
        .max_by_key(|(path, _)| (shared_dirs(from, path), std::cmp::Reverse(*path)))
        .copied()
}

/// The settings modules production runs.
fn production_modules<'a>(
    settings: &[(&'a str, &'a SettingsModule)],
    pointers: &[(&str, &Pointer)],
) -> Vec<(&'a str, &'a SettingsModule)> {
    let mut targets: Vec<(&'a str, &'a SettingsModule)> = pointers
        .iter()
        .filter(|(_, p)| p.production)
        .filter_map(|(from, p)| nearest(from, &p.module, settings))
        .filter(|(_, m)| m.role != Role::Development)
        .collect();
    targets.extend(
        settings
            .iter()
            .filter(|(_, m)| m.role == Role::Production)
            .copied(),
    );
    if targets.is_empty() {
        // Neutral modules that no other settings module extends: a single `settings.py`.
        let extended = |m: &SettingsModule| {
            settings.iter().any(|(_, o)| {
                o.items
                    .iter()
                    .any(|i| matches!(i, Item::Star(s) if same_module(&m.module, s)))
            })
        };
        targets = settings
            .iter()
            .filter(|(_, m)| m.role == Role::Neutral && !extended(m))
            .copied()
            .collect();
    }
    if targets.is_empty() {
        targets = settings
            .iter()
            .filter(|(_, m)| m.role == Role::Neutral)
            .copied()
            .collect();
    }
    targets.sort_by(|a, b| a.0.cmp(b.0));
    targets.dedup_by(|a, b| a.0 == b.0);
    targets
}

/// The settings in effect after a module and the modules it star-imports ran, each with the file
/// that set it last.
#[derive(Default)]
struct Effective<'a> {
    settings: BTreeMap<String, (&'a str, Setting)>,
}

fn fold<'a>(
    (path, m): (&'a str, &'a SettingsModule),
    all: &[(&'a str, &'a SettingsModule)],
    effective: &mut Effective<'a>,
    stack: &mut Vec<&'a str>,
) {
    if stack.contains(&path) || stack.len() > 8 {
        return;
    }
    stack.push(path);
    for item in &m.items {
        match item {
            Item::Star(name) => {
                // `try: from .local import *` at the end of production settings is a developer's
                // override, absent where production runs.
                if let Some(base) = nearest(path, name, all)
                    && base.1.role != Role::Development
                {
                    fold(base, all, effective, stack);
                }
            }
            Item::Set(name, setting) => {
                effective
                    .settings
                    .insert(name.clone(), (path, setting.clone()));
            }
            Item::SetAlias(name, alias, backend) => {
                let entry = effective
                    .settings
                    .entry(name.clone())
                    .or_insert_with(|| (path, Setting::Aliases(BTreeMap::new())));
                if let Setting::Aliases(table) = &mut entry.1 {
                    table.insert(alias.clone(), backend.clone());
                    entry.0 = path;
                }
            }
        }
    }
    stack.pop();
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CacheKind {
    LocMem,
    File,
    Dummy,
    Shared,
}

fn cache_kind(backend: &str) -> CacheKind {
    let b = backend.to_ascii_lowercase();
    if b.contains("locmem") {
        CacheKind::LocMem
    } else if b.contains("filebased") || b.starts_with("filecache:") {
        CacheKind::File
    } else if b.contains("dummy") {
        CacheKind::Dummy
    } else {
        CacheKind::Shared
    }
}

const CACHE_HELP: &str = "set `CACHES[\"default\"]` in the production settings to a shared cache: \
    `\"BACKEND\": \"django.core.cache.backends.redis.RedisCache\"` (Django 4.0+) or \
    `django_redis.cache.RedisCache` with `\"LOCATION\": os.environ[\"REDIS_URL\"]`, or \
    `django.core.cache.backends.memcached.PyMemcacheCache`";

const STORAGE_HELP: &str = "store uploads in object storage with django-storages: \
    `STORAGES = {\"default\": {\"BACKEND\": \"storages.backends.s3.S3Storage\"}, …}` (Django 4.2+; \
    `DEFAULT_FILE_STORAGE = \"storages.backends.s3boto3.S3Boto3Storage\"` before), or \
    `storages.backends.gcloud.GoogleCloudStorage` / `storages.backends.azure_storage.AzureStorage`";

fn emit(
    out: &mut Vec<Located>,
    seen: &mut HashSet<(String, usize, &'static str)>,
    path: &str,
    rule: &'static Rule,
    span: Range<usize>,
    message: String,
    help: &str,
) {
    if seen.insert((path.to_owned(), span.start, rule.id)) {
        out.push(Located {
            path: path.to_owned(),
            diagnostic: Diagnostic::new(rule, span, message, help),
        });
    }
}

fn alias_backend<'s>(
    effective: &'s Effective<'_>,
    setting: &str,
    alias: &str,
) -> Option<(&'s str, Option<&'s Written>)> {
    let (path, s) = effective.settings.get(setting)?;
    match s {
        Setting::Aliases(table) => Some((path, table.get(alias).and_then(Option::as_ref))),
        _ => None,
    }
}

fn judge<'a>(
    effective: &Effective<'a>,
    reliances: &[(&'a str, &'a Reliance)],
    out: &mut Vec<Located>,
    seen: &mut HashSet<(String, usize, &'static str)>,
) {
    let caches_set = effective.settings.contains_key("CACHES");
    let cache_used = reliances
        .iter()
        .any(|(_, r)| matches!(r, Reliance::Cache(..)));
    // Explicit caches.
    if let Some((path, Setting::Aliases(table))) = effective.settings.get("CACHES") {
        for (alias, backend) in table {
            let Some(w) = backend else { continue };
            let Some(b) = w.value.effective() else {
                continue;
            };
            let (what, why) = match cache_kind(b) {
                CacheKind::LocMem => ("LocMemCache", "in this process's memory"),
                CacheKind::File => ("FileBasedCache", "in files on this instance's disk"),
                CacheKind::Dummy if cache_used && alias == "default" => (
                    "DummyCache",
                    "nowhere: it is a placeholder, and the cache this app uses needs a shared backend before it can cache across instances",
                ),
                _ => continue,
            };
            emit(
                out,
                seen,
                path,
                &rules::SL301,
                w.span.clone(),
                format!(
                    "Django cache `{alias}` is {what}{}, which keeps entries {why}",
                    w.value.env_note()
                ),
                CACHE_HELP,
            );
        }
    }
    if !caches_set {
        for (path, r) in reliances {
            if let Reliance::Cache(what, span) = r {
                emit(
                    out,
                    seen,
                    path,
                    &rules::SL301,
                    span.clone(),
                    format!(
                        "{what} uses Django's default cache, a LocMemCache in this process's memory, because the production settings do not set `CACHES`"
                    ),
                    CACHE_HELP,
                );
            }
        }
    }
    // django-ratelimit counts in `RATELIMIT_USE_CACHE` (default "default").
    let limit_alias = match effective.settings.get("RATELIMIT_USE_CACHE") {
        Some((_, Setting::Str(w))) => w.value.effective().map(str::to_owned),
        Some(_) => None,
        None => Some("default".to_owned()),
    };
    let limit_cache =
        limit_alias.and_then(|alias| match alias_backend(effective, "CACHES", &alias) {
            None => Some(
                "Django's default LocMemCache (the production settings do not set `CACHES`)"
                    .to_owned(),
            ),
            Some((_, Some(w))) => w.value.effective().and_then(|b| {
                matches!(cache_kind(b), CacheKind::LocMem | CacheKind::File)
                    .then(|| format!("cache `{alias}`, which is local to this instance"))
            }),
            Some((_, None)) => None,
        });
    if let Some(cache) = limit_cache {
        for (path, r) in reliances {
            if let Reliance::RateLimit(span) = r {
                emit(
                    out,
                    seen,
                    path,
                    &rules::SL503,
                    span.clone(),
                    format!(
                        "django-ratelimit counts requests in {cache}, so each instance enforces its own limit"
                    ),
                    "point `RATELIMIT_USE_CACHE` at a shared cache (a Redis or Memcached entry of `CACHES`)",
                );
            }
        }
    }
    // Sessions.
    if let Some((path, Setting::Str(engine))) = effective.settings.get("SESSION_ENGINE")
        && let Some(e) = engine.value.effective()
    {
        let note = engine.value.env_note();
        let short = e.rsplit('.').next().unwrap_or(e);
        let help = "keep sessions in the database (`django.contrib.sessions.backends.db`, the default, on a shared database), in `cached_db` or `cache` over a shared Redis/Memcached `CACHES` entry, or in `signed_cookies`";
        match short {
            "file" => emit(
                out,
                seen,
                path,
                &rules::SL102,
                engine.span.clone(),
                format!(
                    "`SESSION_ENGINE` is the file backend{note}, so sessions are files on this instance's disk (`SESSION_FILE_PATH`, the temp directory by default)"
                ),
                help,
            ),
            "cache" | "cached_db" => {
                let alias = match effective.settings.get("SESSION_CACHE_ALIAS") {
                    Some((_, Setting::Str(w))) => {
                        w.value.effective().unwrap_or("default").to_owned()
                    }
                    _ => "default".to_owned(),
                };
                let cache = match alias_backend(effective, "CACHES", &alias) {
                    None => Some((CacheKind::LocMem, "the cache, and the production settings do not set `CACHES`, so that is Django's default LocMemCache".to_owned())),
                    Some((_, Some(w))) => w.value.effective().map(|b| {
                        let kind = cache_kind(b);
                        let name = match kind {
                            CacheKind::LocMem => "a LocMemCache",
                            CacheKind::File => "a FileBasedCache",
                            CacheKind::Dummy => "a DummyCache",
                            CacheKind::Shared => "",
                        };
                        (kind, format!("cache `{alias}`, {name}{}", w.value.env_note()))
                    }),
                    Some((_, None)) => None,
                };
                let stale = if short == "cached_db" {
                    "; the database copy is shared, but each instance serves its own cached copy, stale after a logout or change elsewhere"
                } else {
                    ""
                };
                let local = match &cache {
                    Some((CacheKind::LocMem, c)) => {
                        Some((&rules::SL101, c, "in this process's memory"))
                    }
                    Some((CacheKind::Dummy, c)) => Some((&rules::SL101, c, "that stores nothing")),
                    Some((CacheKind::File, c)) => {
                        Some((&rules::SL102, c, "on this instance's disk"))
                    }
                    _ => None,
                };
                if let Some((rule, cache, place)) = local {
                    emit(
                        out,
                        seen,
                        path,
                        rule,
                        engine.span.clone(),
                        format!(
                            "`SESSION_ENGINE` `{short}`{note} keeps sessions in {cache} {place}{stale}"
                        ),
                        help,
                    );
                }
            }
            _ => {}
        }
    }
    judge_rest(effective, reliances, out, seen);
}

fn judge_rest<'a>(
    effective: &Effective<'a>,
    reliances: &[(&'a str, &'a Reliance)],
    out: &mut Vec<Located>,
    seen: &mut HashSet<(String, usize, &'static str)>,
) {
    // File storage.
    let storage = match (
        effective.settings.get("STORAGES"),
        effective.settings.get("DEFAULT_FILE_STORAGE"),
    ) {
        (Some((path, Setting::Aliases(t))), _) => match t.get("default") {
            Some(Some(w)) => Some(Some((path, w))),
            Some(None) => None,
            // `STORAGES` without "default" is FileSystemStorage.
            None => Some(None),
        },
        (Some((_, Setting::Opaque)), _) => None,
        (_, Some((path, Setting::Str(w)))) => Some(Some((path, w))),
        (_, Some(_)) => None,
        (None, None) => Some(None),
        _ => None,
    };
    match storage {
        Some(Some((path, w)))
            if w.value
                .effective()
                .is_some_and(|b| b.ends_with("FileSystemStorage")) =>
        {
            emit(
                out,
                seen,
                path,
                &rules::SL202,
                w.span.clone(),
                format!(
                    "the default file storage is FileSystemStorage{}, so uploaded files are written under `MEDIA_ROOT` on this instance's disk",
                    w.value.env_note()
                ),
                STORAGE_HELP,
            );
        }
        Some(Some(_)) => {}
        Some(None) => {
            for (path, r) in reliances {
                if let Reliance::Upload(what, span) = r {
                    emit(
                        out,
                        seen,
                        path,
                        &rules::SL202,
                        span.clone(),
                        format!(
                            "{what} stores uploads with Django's default FileSystemStorage, under `MEDIA_ROOT` on this instance's disk, because the production settings set no default storage (`STORAGES[\"default\"]` / `DEFAULT_FILE_STORAGE`)"
                        ),
                        STORAGE_HELP,
                    );
                }
            }
        }
        None => {}
    }
    // Channels.
    if let Some((path, Some(w))) = alias_backend(effective, "CHANNEL_LAYERS", "default")
        && w.value
            .effective()
            .is_some_and(|b| b.ends_with("InMemoryChannelLayer"))
    {
        emit(
            out,
            seen,
            path,
            &rules::SL502,
            w.span.clone(),
            format!(
                "Channels uses InMemoryChannelLayer{}, so group messages only reach consumers connected to this process",
                w.value.env_note()
            ),
            "use `\"BACKEND\": \"channels_redis.core.RedisChannelLayer\"` (or `channels_redis.pubsub.RedisPubSubChannelLayer`) with `\"CONFIG\": {\"hosts\": [os.environ[\"REDIS_URL\"]]}`",
        );
    }
    // Databases.
    if let Some((path, Setting::Aliases(table))) = effective.settings.get("DATABASES") {
        for (alias, backend) in table {
            let Some(w) = backend else { continue };
            if w.value.effective().is_some_and(|b| b.contains("sqlite")) {
                emit(
                    out,
                    seen,
                    path,
                    &rules::SL504,
                    w.span.clone(),
                    format!(
                        "database `{alias}` is SQLite{}, a file on this instance's disk that other instances cannot see",
                        w.value.env_note()
                    ),
                    "point production `DATABASES` at a server every instance shares: `dj_database_url.config(env=\"DATABASE_URL\")` with a PostgreSQL or MySQL URL, or `\"ENGINE\": \"django.db.backends.postgresql\"`",
                );
            }
        }
    }
    // Secret key.
    if let Some((path, Setting::Random(what, span, var))) = effective.settings.get("SECRET_KEY") {
        let how = match var {
            Some(var) => format!(
                "defaults to a key generated with `{what}` when the environment variable `{var}` is unset"
            ),
            None => format!("is generated with `{what}` when the settings load"),
        };
        emit(
            out,
            seen,
            path,
            &rules::SL505,
            span.clone(),
            format!(
                "`SECRET_KEY` {how}, so every process signs sessions, CSRF tokens and password-reset links with a different key"
            ),
            "read one key shared by every instance: `SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]` (from a secret manager); rotate with `SECRET_KEY_FALLBACKS`",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_source_rows_report_a_declared_rule() {
        // Reached through the `SECRET_KEY` trigger, not their own names.
        super::super::evaluate::assert_rows_covered(
            &[super::super::module_scope::RANDOM_SOURCES],
            &[""],
            DjangoSettings.rules(),
        );
    }

    #[test]
    fn roles_come_from_module_names_and_directories() {
        let role = |p: &str| role_of(&module_path(p), p);
        assert_eq!(role("shop/settings/production.py"), Role::Production);
        assert_eq!(role("shop/settings/prod.py"), Role::Production);
        assert_eq!(role("shop/settings/dev.py"), Role::Development);
        assert_eq!(role("shop/settings/local.py"), Role::Development);
        assert_eq!(role("shop/settings/test.py"), Role::Development);
        assert_eq!(role("testserver.py"), Role::Development);
        assert_eq!(role("docs/django_settings.py"), Role::Development);
        assert_eq!(role(".github/ci/project/settings.py"), Role::Development);
        assert_eq!(
            role("pkg/project_template/name/settings/base.py"),
            Role::Development
        );
        assert_eq!(role("django/conf/global_settings.py"), Role::Development);
        assert_eq!(role("shop/settings/base.py"), Role::Neutral);
        assert_eq!(role("shop/settings.py"), Role::Neutral);
        assert_eq!(role("contest/settings.py"), Role::Neutral);
    }

    #[test]
    fn project_roots_hold_the_settings_package() {
        assert_eq!(project_root("mysite/settings.py"), "");
        assert_eq!(project_root("src/mysite/settings/prod.py"), "src");
        assert_eq!(project_root("a/b/mysite/settings.py"), "a/b");
    }

    #[test]
    fn cache_backends_and_uses_are_classified() {
        assert_eq!(
            cache_kind("django.core.cache.backends.locmem.LocMemCache"),
            CacheKind::LocMem
        );
        assert_eq!(cache_kind("filecache:///var/tmp"), CacheKind::File);
        assert_eq!(
            cache_kind("django_redis.cache.RedisCache"),
            CacheKind::Shared
        );
        assert_eq!(
            cache_use(&Symbol::split("django.core.cache.cache.get", ".")).as_deref(),
            Some("`cache.get`")
        );
        assert_eq!(
            cache_use(&Symbol::split("django.core.cache.cache.close", ".")),
            None
        );
        assert_eq!(cache_use(&Symbol::split("myapp.cache.get", ".")), None);
    }
}
