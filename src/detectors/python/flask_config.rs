//! Flask, Quart, FastAPI and Starlette configuration: the keys Flask extensions read
//! (Flask-Session `SESSION_TYPE`, Flask-Caching `CACHE_TYPE`, Flask-SQLAlchemy
//! `SQLALCHEMY_DATABASE_URI`, Flask-Limiter `RATELIMIT_STORAGE_URI`, `SECRET_KEY`) wherever a Flask
//! app sets them: `app.config[...] = …`, `app.config.update(…)` / `from_mapping(…)`, a config
//! module's constants, a config class's attributes (development and test classes excepted), an
//! extension's `config={…}`; and the signing keys of Flask (`app.secret_key`) and Starlette's
//! `SessionMiddleware(secret_key=…)`. Flask-Limiter and slowapi limiters without a storage URI use
//! memory unless some file of the project configures `RATELIMIT_STORAGE_URI`.
//!
//! Extension keys only matter where the extension runs: Flask-Session and Flask-Caching keys are
//! reported when some file of the same project constructs the extension (`Session(app)`,
//! `Cache()` then `init_app`), and a limiter when the app uses it (`app.state.limiter = …`, a
//! `@limiter.limit(…)` route, `init_app`, Flask-Limiter's `app=`): otherwise Flask keeps its
//! signed-cookie session and nothing caches or counts requests.

use super::evaluate;
use super::model::{Kind, PyModel, inside};
use super::module_scope::{
    ModuleScope, Statement, Value, dict_entries, keyword_arg, random_source,
};
use super::sqlite_urls::{DB_HELP, is_sqlite_file};
use crate::detectors::table::{Library, Opt, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::python::text;
use crate::project::symbol::Symbol;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::FileKind;
use std::ops::Range;
use std::sync::LazyLock;
use tree_sitter::Node;

/// Flask / FastAPI / Starlette configuration keys and signing keys.
pub struct FlaskConfig;

/// A limiter built without a storage URI (its default is memory).
struct DefaultLimiter {
    span: Range<usize>,
    what: &'static str,
    /// slowapi also reads `RATELIMIT_STORAGE_URL` from the environment and `.env`.
    from_env: bool,
}

/// Some file sets `RATELIMIT_STORAGE_URI` (or the older `RATELIMIT_STORAGE_URL`) to a shared store.
struct LimiterStorageConfigured;

/// Some file puts a limiter to work: attaches it to the app or limits a route with it.
struct LimiterUsed;

/// A Flask extension whose configuration keys do nothing until it is initialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extension {
    /// Flask-Session (`SESSION_TYPE`, `SESSION_CACHELIB`).
    Session,
    /// Flask-Caching, or the older Flask-Cache (`CACHE_TYPE`).
    Caching,
}

/// Some file constructs the extension (`Session(app)`, `Cache()`).
struct ExtensionInit(Extension);

/// A diagnostic about an extension's key, reported if the project initialises the extension.
struct ExtensionKey(Extension, Diagnostic);

const fn extension(
    package: &'static str,
    path: &'static [&'static str],
    name: &'static str,
) -> Library {
    // Constructing the extension reports nothing: it makes its configuration keys count.
    evaluate::library((package, path), Usage::Call, None, &[], "", name)
}

/// The extension classes whose construction puts their configuration keys to work.
const EXTENSION_CLASSES: &[Library] = &[
    extension("flask_session", &["Session"], "Flask-Session"),
    extension("flask_caching", &["Cache"], "Flask-Caching"),
    extension("flask_cache", &["Cache"], "Flask-Cache"),
];

/// Which extension a row of [`EXTENSION_CLASSES`] is.
fn extension_of(row: &Library) -> Extension {
    if row.symbol.package == "flask_session" {
        Extension::Session
    } else {
        Extension::Caching
    }
}

/// A limiter's `storage_uri`: memory is this process; absent, the default is memory too (judged
/// in `resolve`, where the project's `RATELIMIT_STORAGE_URI` is known).
const LIMITER_STORAGE: &[Verdict] = &[
    Verdict {
        when: When::Prefix(&["memory://"]),
        rule: &rules::SL503,
        message: "`storage_uri` is memory, so rate limits are counted in this process's memory",
    },
    Verdict {
        when: When::Absent,
        rule: &rules::SL503,
        message: "has no `storage_uri`, so it counts requests in this process's memory",
    },
];

const fn limiter(
    package: &'static str,
    path: &'static [&'static str],
    name: &'static str,
) -> Library {
    let storage_uri = Opt {
        key: "storage_uri",
        position: None,
    };
    let option = Some(storage_uri);
    evaluate::library(
        (package, path),
        Usage::Call,
        option,
        LIMITER_STORAGE,
        LIMIT_HELP,
        name,
    )
}

/// Flask-Limiter and slowapi limiters.
const LIMITERS: &[Library] = &[
    limiter("flask_limiter", &["Limiter"], "Flask-Limiter's `Limiter`"),
    limiter(
        "flask_limiter",
        &["extension", "Limiter"],
        "Flask-Limiter's `Limiter`",
    ),
    limiter("slowapi", &["Limiter"], "slowapi's `Limiter`"),
    limiter("slowapi", &["extension", "Limiter"], "slowapi's `Limiter`"),
];

/// Every row of the detector.
const ROWS: &[&[Library]] = &[EXTENSION_CLASSES, LIMITERS];

/// Triggers of the hand-written analysis: configuration keys, signing keys, where extensions are
/// initialised and limiters put to work.
const HAND_TRIGGERS: &[&str] = &[
    "SESSION_TYPE",
    "CACHE_TYPE",
    "SQLALCHEMY_DATABASE_URI",
    "RATELIMIT_STORAGE",
    "secret_key",
    "SECRET_KEY",
    "flask_session",
    "flask_caching",
    "flask_cache",
    "init_app",
    ".limit(",
    "shared_limit(",
    "state.limiter",
    "SlowAPIMiddleware",
];

static TRIGGERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| evaluate::with_rows(HAND_TRIGGERS, ROWS));

/// Django settings are judged with their inheritance by `python/django-settings`.
const DJANGO_MARKERS: &[&str] = &["INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE"];

impl Detector for FlaskConfig {
    fn id(&self) -> &'static str {
        "python/flask-config"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Python]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL101", "SL102", "SL301", "SL503", "SL504", "SL505"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Python(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let configured: Vec<&str> = facts
            .of::<LimiterStorageConfigured>()
            .map(|(p, _)| p)
            .collect();
        let inits: Vec<(&str, Extension)> =
            facts.of::<ExtensionInit>().map(|(p, e)| (p, e.0)).collect();
        for (path, ExtensionKey(ext, diagnostic)) in facts.of::<ExtensionKey>() {
            if inits.iter().any(|(p, e)| e == ext && same_project(p, path)) {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: diagnostic.clone(),
                });
            }
        }
        let used: Vec<&str> = facts.of::<LimiterUsed>().map(|(p, _)| p).collect();
        for (path, limiter) in facts.of::<DefaultLimiter>() {
            if configured.iter().any(|c| same_project(c, path))
                || !used.iter().any(|u| same_project(u, path))
            {
                continue;
            }
            out.push(Located {
                path: path.to_owned(),
                diagnostic: Diagnostic::new(
                    &rules::SL503,
                    limiter.span.clone(),
                    if limiter.from_env {
                        format!(
                            "{} has no `storage_uri`, so it counts requests in this process's memory (its default `memory://`) unless `RATELIMIT_STORAGE_URL` is set in the environment or `.env`",
                            limiter.what
                        )
                    } else {
                        format!(
                            "{} has no `storage_uri` and no `RATELIMIT_STORAGE_URI` is configured, so it counts requests in this process's memory (its default `memory://`)",
                            limiter.what
                        )
                    },
                    LIMIT_HELP,
                ),
            });
        }
    }
}

impl Check<PyModel<'_>> for FlaskConfig {
    fn check(&self, model: &PyModel<'_>, out: &mut Sink) {
        let file = model.file;
        let src = model.src;
        let scope = model.scope();
        // `from .base import *` / `from x.settings import *`: a Django settings chain.
        let star = scope.statements.iter().any(|s| {
            matches!(s, Statement::StarImport(m, _) if m.starts_with('.') || m.contains("settings"))
        });
        let django = DJANGO_MARKERS.iter().any(|m| scope.value_of(m).is_some())
            || scope.imports_from(&["django"])
            || star;
        let module_name = file.rel_path.rsplit('/').next().unwrap_or_default();
        let mut entries: Vec<(String, Node<'_>)> = Vec::new();
        if !django && !dev_name(module_name) {
            // Config module constants (`config.py`: `SESSION_TYPE = "filesystem"`).
            // A later `from local_config import *` may override any of them: only the constants
            // after the last star import are final.
            let last_star = scope
                .statements
                .iter()
                .rposition(|s| matches!(s, Statement::StarImport(..)));
            for stmt in scope.statements.iter().skip(last_star.map_or(0, |i| i + 1)) {
                if let Statement::Assign(name, a) = stmt
                    && !a.dev_only
                {
                    entries.push((name.clone(), a.value));
                }
            }
        }
        // The class whose body is left out (development and test configs, or any class of a
        // Django module): what lies inside it is skipped.
        let mut pruned: Option<Node<'_>> = None;
        let kinds = [Kind::ClassDefinition, Kind::Assignment, Kind::Call];
        for n in model.nodes(&kinds) {
            if pruned.is_some_and(|p| inside(n, p)) {
                continue;
            }
            match n.kind() {
                // `class ProductionConfig(Config): CACHE_TYPE = "SimpleCache"`.
                "class_definition" => {
                    let name = n
                        .child_by_field_name("name")
                        .map(|c| text(c, src))
                        .unwrap_or_default();
                    if dev_name(name) || django {
                        pruned = Some(n);
                        continue;
                    }
                    // pydantic-settings: a field's value is only the default of the environment
                    // variable of the same name (any case).
                    let pydantic = n
                        .child_by_field_name("superclasses")
                        .is_some_and(|s| text(s, src).contains("BaseSettings"));
                    if let Some(body) = n.child_by_field_name("body") {
                        let mut c = body.walk();
                        for stmt in body.named_children(&mut c) {
                            if let Some(a) =
                                stmt.named_child(0).filter(|a| a.kind() == "assignment")
                                && let (Some(l), Some(r)) = (
                                    a.child_by_field_name("left"),
                                    a.child_by_field_name("right"),
                                )
                                && l.kind() == "identifier"
                            {
                                let name = text(l, src);
                                if pydantic {
                                    entries.push((
                                        format!("{ENV_FIELD}{}", name.to_ascii_uppercase()),
                                        r,
                                    ));
                                } else {
                                    entries.push((name.to_owned(), r));
                                }
                            }
                        }
                    }
                }
                "assignment" => {
                    let (Some(l), Some(r)) = (
                        n.child_by_field_name("left"),
                        n.child_by_field_name("right"),
                    ) else {
                        continue;
                    };
                    // app.config["KEY"] = value
                    if l.kind() == "subscript"
                        && l.child_by_field_name("value").is_some_and(|o| {
                            text(o, src).ends_with(".config") || text(o, src) == "config"
                        })
                        && let Some(k) = l
                            .child_by_field_name("subscript")
                            .and_then(|k| crate::parse::python::string_value(k, src))
                    {
                        entries.push((k, r));
                    }
                    // FastAPI/Starlette: `app.state.limiter = limiter`.
                    if text(l, src).ends_with("state.limiter") {
                        out.fact(LimiterUsed);
                    }
                    // app.secret_key = value
                    if l.kind() == "attribute"
                        && l.child_by_field_name("attribute")
                            .is_some_and(|a| text(a, src) == "secret_key")
                    {
                        entries.push(("SECRET_KEY".to_owned(), r));
                    }
                }
                "call" => {
                    let callee = n
                        .child_by_field_name("function")
                        .map(|f| text(f, src))
                        .unwrap_or_default();
                    // app.config.update(KEY=…), from_mapping(KEY=…), update({"KEY": …})
                    if callee.ends_with("config.update") || callee.ends_with("config.from_mapping")
                    {
                        entries.extend(call_entries(n, src));
                    }
                    // Configuration read from the environment or a file scalelint does not read.
                    if [
                        "from_prefixed_env",
                        "from_envvar",
                        "from_pyfile",
                        "from_file",
                        "from_json",
                    ]
                    .iter()
                    .any(|m| callee.ends_with(&format!("config.{m}")))
                    {
                        out.fact(LimiterStorageConfigured);
                    }
                    // Cache(config={"CACHE_TYPE": …}), cache.init_app(app, config={…})
                    if let Some(config) = keyword_arg(n, "config", src)
                        && let Some(e) = dict_entries(scope.resolve(config, src), src)
                    {
                        entries.extend(e);
                    }
                    check_call(n, scope, src, out);
                    record_use(n, callee, scope, src, out);
                }
                _ => {}
            }
        }
        for (key, value) in entries {
            judge_key(&key, value, scope, src, django, out);
        }
    }
}

/// Records what puts extensions and limiters to work: the extension classes' constructors,
/// `limiter.init_app(app)`, `@limiter.limit(…)`, `add_middleware(SlowAPIMiddleware)`.
fn record_use<'t>(
    call: Node<'t>,
    callee: &str,
    scope: &ModuleScope<'t>,
    src: &str,
    out: &mut Sink,
) {
    if let Some(qualified) = scope.callee(call, src) {
        if let Some(row) = evaluate::row(EXTENSION_CLASSES, Usage::Call, &qualified) {
            out.fact(ExtensionInit(extension_of(row)));
        }
        if qualified.package == "flask_limiter"
            && qualified.path.last().is_some_and(|l| l == "Limiter")
            && (keyword_arg(call, "app", src).is_some()
                || super::module_scope::positional_arg(call, 0)
                    .is_some_and(|a| text(a, src) == "app"))
        {
            out.fact(LimiterUsed);
        }
    }
    let (receiver, method) = callee.rsplit_once('.').unwrap_or(("", callee));
    let limiter_receiver = receiver.to_ascii_lowercase().contains("limiter");
    let decorates = call.parent().is_some_and(|p| p.kind() == "decorator");
    if (limiter_receiver && method == "init_app")
        || (decorates && matches!(method, "limit" | "shared_limit"))
        || callee.ends_with("add_middleware")
            && super::module_scope::positional_arg(call, 0)
                .is_some_and(|m| text(m, src).ends_with("SlowAPIMiddleware"))
    {
        out.fact(LimiterUsed);
    }
}

const LIMIT_HELP: &str = "give the limiter a shared store: `storage_uri=\"redis://…\"` (or \
    `RATELIMIT_STORAGE_URI`), memcached:// or mongodb://, so every instance counts the same requests";

/// Whether two files belong to one app: one's directory contains the other's (`config.py` beside
/// the `app/` package). Sibling apps in one scan stay apart.
fn same_project(a: &str, b: &str) -> bool {
    let dir = |p: &str| p.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let (da, db) = (dir(a), dir(b));
    let within = |outer: &str, inner: &str| {
        outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}/"))
    };
    within(&da, &db) || within(&db, &da)
}

fn dev_name(name: &str) -> bool {
    crate::role::names_non_production(name)
}

/// Keyword arguments and dict arguments of `update(…)` / `from_mapping(…)`.
fn call_entries<'t>(call: Node<'t>, src: &str) -> Vec<(String, Node<'t>)> {
    let mut out = Vec::new();
    let Some(args) = call.child_by_field_name("arguments") else {
        return out;
    };
    let mut c = args.walk();
    for a in args.named_children(&mut c) {
        if a.kind() == "keyword_argument"
            && let (Some(k), Some(v)) = (
                a.child_by_field_name("name"),
                a.child_by_field_name("value"),
            )
        {
            out.push((text(k, src).to_owned(), v));
        } else if let Some(e) = dict_entries(a, src) {
            out.extend(e);
        }
    }
    out
}

fn push(
    out: &mut Sink,
    rule: &'static rules::Rule,
    span: Range<usize>,
    message: String,
    help: &str,
) {
    out.push(Diagnostic::new(rule, span, message, help));
}

/// Records a diagnostic about an extension's key, reported only where the extension runs.
fn defer(
    out: &mut Sink,
    ext: Extension,
    rule: &'static rules::Rule,
    span: Range<usize>,
    message: String,
    help: &str,
) {
    out.fact(ExtensionKey(
        ext,
        Diagnostic::new(rule, span, message, help),
    ));
}

/// Marks a pydantic-settings field: its value is the default of an environment variable.
const ENV_FIELD: &str = "env:";

fn judge_key<'t>(
    key: &str,
    value: Node<'t>,
    scope: &ModuleScope<'t>,
    src: &str,
    django: bool,
    out: &mut Sink,
) {
    let span = value.byte_range();
    let (key, env_field) = match key.strip_prefix(ENV_FIELD) {
        Some(k) => (k, true),
        None => (key, false),
    };
    match key {
        "SECRET_KEY" if !django => {
            if let Some(what) = random_source(scope, scope.resolve(value, src), src) {
                let how = match scope.eval(value, src) {
                    _ if env_field => format!(
                        "defaults to a key generated with `{what}` when the environment variable `{key}` is unset (a pydantic-settings field)"
                    ),
                    Value::Env { var, .. } => format!(
                        "defaults to a key generated with `{what}` when the environment variable `{var}` is unset"
                    ),
                    _ => format!("is generated with `{what}` when the app starts"),
                };
                push(
                    out,
                    &rules::SL505,
                    span,
                    format!(
                        "the secret key {how}, so each process signs session cookies and CSRF tokens with its own key and rejects the others'"
                    ),
                    SECRET_HELP,
                );
            }
        }
        "SESSION_TYPE" => {
            let v = scope.eval(value, src);
            if v.effective()
                .is_some_and(|t| t.eq_ignore_ascii_case("filesystem"))
            {
                defer(
                    out,
                    Extension::Session,
                    &rules::SL102,
                    span,
                    format!(
                        "Flask-Session `SESSION_TYPE` {}, so sessions are files on this instance's disk (`SESSION_FILE_DIR`)",
                        v.describe()
                    ),
                    SESSION_HELP,
                );
            }
        }
        "SESSION_CACHELIB" => {
            let node = scope.resolve(value, src);
            if let Some(callee) = scope.callee(node, src) {
                let class = callee.path.last().unwrap_or(&callee.package);
                match class.as_str() {
                    "SimpleCache" => defer(out, Extension::Session, &rules::SL101, span, "Flask-Session `SESSION_CACHELIB` is cachelib's SimpleCache, so sessions live in this process's memory".to_owned(), SESSION_HELP),
                    "FileSystemCache" => defer(out, Extension::Session, &rules::SL102, span, "Flask-Session `SESSION_CACHELIB` is cachelib's FileSystemCache, so sessions are files on this instance's disk".to_owned(), SESSION_HELP),
                    _ => {}
                }
            }
        }
        "CACHE_TYPE" => {
            let v = scope.eval(value, src);
            let Some(t) = v.effective() else { return };
            let class = t.rsplit('.').next().unwrap_or(t).to_ascii_lowercase();
            let place = match class.as_str() {
                "simplecache" | "simple" => "in this process's memory",
                "filesystemcache" | "filesystem" => "in files on this instance's disk",
                _ => return,
            };
            defer(
                out,
                Extension::Caching,
                &rules::SL301,
                span,
                format!(
                    "Flask-Caching `CACHE_TYPE` {}, which keeps cached entries {place}",
                    v.describe()
                ),
                "use `CACHE_TYPE = \"RedisCache\"` with `CACHE_REDIS_URL` (or `RedisSentinelCache`, `MemcachedCache`) so every instance shares one cache",
            );
        }
        "SQLALCHEMY_DATABASE_URI" => {
            let v = scope.eval(value, src);
            if v.effective().is_some_and(is_sqlite_file) {
                push(
                    out,
                    &rules::SL504,
                    span,
                    format!(
                        "`SQLALCHEMY_DATABASE_URI` {}, a SQLite file on this instance's disk that other instances cannot see",
                        v.describe()
                    ),
                    DB_HELP,
                );
            }
        }
        "RATELIMIT_STORAGE_URI" | "RATELIMIT_STORAGE_URL" => {
            let v = scope.eval(value, src);
            match v.effective() {
                Some(u) if u.starts_with("memory://") => push(
                    out,
                    &rules::SL503,
                    span,
                    format!(
                        "`{key}` {}, so rate limits are counted in this process's memory",
                        v.describe()
                    ),
                    LIMIT_HELP,
                ),
                _ => out.fact(LimiterStorageConfigured),
            }
        }
        _ => {}
    }
}

const SECRET_HELP: &str = "read one key shared by every instance from the environment or a secret \
    manager: `app.secret_key = os.environ[\"SECRET_KEY\"]` (Starlette: \
    `SessionMiddleware(secret_key=os.environ[\"SESSION_SECRET\"])`)";

const SESSION_HELP: &str = "store sessions where every instance reads them: `SESSION_TYPE = \"redis\"` \
    with `SESSION_REDIS = redis.from_url(os.environ[\"REDIS_URL\"])` (or memcached, sqlalchemy, \
    mongodb), or keep Flask's default signed-cookie session";

/// Limiters and Starlette's session middleware, judged at the call.
fn check_call<'t>(call: Node<'t>, scope: &ModuleScope<'t>, src: &str, out: &mut Sink) {
    let Some(callee) = scope.callee(call, src) else {
        return;
    };
    if let Some(row) = evaluate::row(LIMITERS, Usage::Call, &callee) {
        let what = row.name;
        let (verdict, evaluated) = evaluate::judge(row, call, scope, src);
        match (verdict, evaluated.node) {
            // slowapi reads its settings from a named config file.
            (Some(_), None) if keyword_arg(call, "config_filename", src).is_some() => {}
            (Some(_), None) => out.fact(DefaultLimiter {
                from_env: row.symbol.package == "slowapi",
                span: call
                    .child_by_field_name("function")
                    .map_or(call.byte_range(), |f| f.byte_range()),
                what,
            }),
            (Some(verdict), Some(uri)) => {
                let v = evaluated.value;
                {
                    push(
                        out,
                        verdict.rule,
                        uri.byte_range(),
                        format!(
                            "{what} `storage_uri` {}, so rate limits are counted in this process's memory",
                            v.describe()
                        ),
                        row.fix,
                    );
                }
            }
            _ => {}
        }
    }
    // SessionMiddleware(secret_key=…) directly or through app.add_middleware(SessionMiddleware, …).
    let is_session_mw = |name: &Symbol| {
        name.is(
            "starlette",
            &["middleware", "sessions", "SessionMiddleware"],
        ) || name.is("fastapi", &["middleware", "sessions", "SessionMiddleware"])
    };
    let session = is_session_mw(&callee)
        || (callee.path.last().is_some_and(|m| m == "add_middleware")
            && super::module_scope::positional_arg(call, 0)
                .and_then(|m| scope.qualified(m, src))
                .is_some_and(|m| is_session_mw(&m)));
    if session
        && let Some(key) = keyword_arg(call, "secret_key", src)
        && let Some(what) = random_source(scope, scope.resolve(key, src), src)
    {
        push(
            out,
            &rules::SL505,
            key.byte_range(),
            format!(
                "Starlette's `SessionMiddleware` signs cookies with a key generated with `{what}` when the app starts, so each process rejects the session cookies of the others"
            ),
            SECRET_HELP,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_reachable_by_triggers_and_report_declared_rules() {
        evaluate::assert_rows_covered(ROWS, FlaskConfig.triggers(), FlaskConfig.rules());
        // The random sources are reached through the secret-key triggers (the trigger check
        // does not apply); their rule must be one this detector declares.
        evaluate::assert_rows_covered(
            &[super::super::module_scope::RANDOM_SOURCES],
            &[""],
            FlaskConfig.rules(),
        );
    }
}
