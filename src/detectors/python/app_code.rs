//! State that Python web app code keeps on the instance: uploads written to local disk (Flask
//! `request.files[…].save(…)`, FastAPI / Starlette `UploadFile` copied into `open(…, "wb")`,
//! `shutil.copyfileobj`, `aiofiles`), in-process caches around database or HTTP reads
//! (`functools.lru_cache` / `cache`, cachetools, async-lru) and aiocache / fastapi-cache memory
//! backends, schedulers started inside the web process (APScheduler, Flask-APScheduler,
//! `schedule`), and SQLAlchemy engines on a SQLite file.

use super::evaluate;
use super::model::{Kind, PyModel, preorder};
use super::module_scope::{
    ModuleScope, absolute_module, keyword_arg, module_path, positional_arg, same_module,
};
use super::sqlite_urls::{DB_HELP, is_sqlite_file};
use crate::detectors::table::{Library, Opt, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::python::{string_value, text};
use crate::project::manifests::{Ecosystem, Manifests};
use crate::project::symbol::Symbol;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::FileKind;
use std::sync::LazyLock;
use tree_sitter::Node;

/// Uploads, caches, schedulers and SQLite engines in Python app code.
pub struct AppCode;

/// Packages whose import makes a module part of a web app (a scheduler started there runs in
/// every web instance).
const WEB_FRAMEWORKS: &[&str] = &[
    "flask",
    "fastapi",
    "starlette",
    "django",
    "quart",
    "sanic",
    "litestar",
    "aiohttp.web",
];

/// What a memoizing decorator keeps (the message is written at the decorated function).
const MEMO: &[Verdict] = &[Verdict {
    when: When::Used,
    rule: &rules::SL301,
    message: "keeps results in this process's memory",
}];

/// aiocache's `@cached` is shared unless its `cache` is the memory one (its default).
const AIOCACHE_MEMO: &[Verdict] = &[
    Verdict {
        when: When::Absent,
        rule: &rules::SL301,
        message: "keeps results in this process's memory",
    },
    Verdict {
        when: When::OneOf(&["MEMORY", "SimpleMemoryCache"]),
        rule: &rules::SL301,
        message: "keeps results in this process's memory",
    },
];

const MEMO_FIX: &str = "cache the result in a shared cache (Django's or Flask-Caching's Redis backend, aiocache `Cache.REDIS`), or keep the local cache only for data that never changes while the app runs";

const fn memo(package: &'static str, path: &'static [&'static str]) -> Library {
    evaluate::library(
        (package, path),
        Usage::Decorate,
        None,
        MEMO,
        MEMO_FIX,
        "memoizing decorator",
    )
}

const fn aiocache_memo(path: &'static [&'static str]) -> Library {
    Library {
        symbol: Pattern {
            package: "aiocache",
            path,
        },
        usage: Usage::Decorate,
        option: Some(Opt {
            key: "cache",
            position: None,
        }),
        verdicts: AIOCACHE_MEMO,
        fix: MEMO_FIX,
        name: "aiocache's `@cached`",
    }
}

/// Memoizing decorators that keep results in this process.
const MEMO_DECORATORS: &[Library] = &[
    memo("functools", &["lru_cache"]),
    memo("functools", &["cache"]),
    memo("cachetools", &["cached"]),
    memo("cachetools", &["func", "ttl_cache"]),
    memo("cachetools", &["func", "lru_cache"]),
    memo("cachetools", &["func", "lfu_cache"]),
    memo("cachetools", &["func", "fifo_cache"]),
    memo("async_lru", &["alru_cache"]),
    memo("asyncache", &["cached"]),
    aiocache_memo(&["cached"]),
    aiocache_memo(&["decorators", "cached"]),
];

const MEMORY_CACHE_FIX: &str = "cache in Redis: aiocache `Cache(Cache.REDIS, endpoint=…)` / `RedisCache`, fastapi-cache `RedisBackend(redis)`";

const fn memory_cache(
    package: &'static str,
    path: &'static [&'static str],
    verdicts: &'static [Verdict],
    name: &'static str,
) -> Library {
    evaluate::library(
        (package, path),
        Usage::Call,
        None,
        verdicts,
        MEMORY_CACHE_FIX,
        name,
    )
}

const SIMPLE_MEMORY_CACHE: &[Verdict] = &[Verdict {
    when: When::Used,
    rule: &rules::SL301,
    message: "aiocache's SimpleMemoryCache keeps cached entries in this process's memory",
}];

const AIOCACHE_CACHE: &[Verdict] = &[
    Verdict {
        when: When::Absent,
        rule: &rules::SL301,
        message: "aiocache's `Cache()`, which defaults to memory, keeps cached entries in this process's memory",
    },
    Verdict {
        when: When::OneOf(&["MEMORY", "SimpleMemoryCache"]),
        rule: &rules::SL301,
        message: "aiocache's memory cache keeps cached entries in this process's memory",
    },
];

const IN_MEMORY_BACKEND: &[Verdict] = &[Verdict {
    when: When::Used,
    rule: &rules::SL301,
    message: "fastapi-cache's InMemoryBackend keeps cached entries in this process's memory",
}];

/// aiocache / fastapi-cache memory backends.
const MEMORY_CACHES: &[Library] = &[
    memory_cache(
        "aiocache",
        &["SimpleMemoryCache"],
        SIMPLE_MEMORY_CACHE,
        "aiocache",
    ),
    memory_cache(
        "aiocache",
        &["backends", "memory", "SimpleMemoryCache"],
        SIMPLE_MEMORY_CACHE,
        "aiocache",
    ),
    Library {
        option: Some(Opt {
            key: "cache_class",
            position: Some(0),
        }),
        ..memory_cache("aiocache", &["Cache"], AIOCACHE_CACHE, "aiocache")
    },
    memory_cache(
        "fastapi_cache",
        &["backends", "inmemory", "InMemoryBackend"],
        IN_MEMORY_BACKEND,
        "fastapi-cache",
    ),
];

/// A scheduler started in the web app: its name says what it is in a message.
const SCHEDULER_STARTED: &[Verdict] = &[Verdict {
    when: When::Used,
    rule: &rules::SL501,
    message: "is started inside the web app, so every instance runs each job",
}];

const fn scheduler(
    package: &'static str,
    path: &'static [&'static str],
    name: &'static str,
) -> Library {
    evaluate::library(
        (package, path),
        Usage::Call,
        None,
        SCHEDULER_STARTED,
        SCHEDULER_HELP,
        name,
    )
}

/// Schedulers that run jobs on a thread or loop of the process that starts them (APScheduler's
/// `BlockingScheduler` takes the process over: it is a worker's, not the web app's).
const SCHEDULERS: &[Library] = &[
    scheduler(
        "apscheduler",
        &["schedulers", "background", "BackgroundScheduler"],
        "an APScheduler scheduler",
    ),
    scheduler(
        "apscheduler",
        &["schedulers", "asyncio", "AsyncIOScheduler"],
        "an APScheduler scheduler",
    ),
    scheduler(
        "apscheduler",
        &["schedulers", "gevent", "GeventScheduler"],
        "an APScheduler scheduler",
    ),
    scheduler(
        "apscheduler",
        &["schedulers", "tornado", "TornadoScheduler"],
        "an APScheduler scheduler",
    ),
    scheduler(
        "apscheduler",
        &["schedulers", "twisted", "TwistedScheduler"],
        "an APScheduler scheduler",
    ),
    scheduler(
        "apscheduler",
        &["schedulers", "qt", "QtScheduler"],
        "an APScheduler scheduler",
    ),
    scheduler("flask_apscheduler", &["APScheduler"], "Flask-APScheduler"),
];

/// Every row of the detector.
const ROWS: &[&[Library]] = &[MEMO_DECORATORS, MEMORY_CACHES, SCHEDULERS];

/// Triggers of the hand-written analysis (uploads, `schedule`, SQLite engines, imported
/// schedulers), and the forms of rows whose last name is too common to trigger on.
const HAND_TRIGGERS: &[&str] = &[
    "request.files",
    "request.FILES",
    "UploadFile",
    "lru_cache",
    // `functools.cache`, however it is imported; the bare module name is in too many
    // files that only use `wraps` or `partial`.
    "functools.cache",
    "functools import cache",
    "functools import (",
    "cachetools",
    "asyncache",
    "alru_cache",
    "aiocache",
    "InMemoryBackend",
    "apscheduler",
    "APScheduler",
    // The `schedule` package, imported (`import schedule`, `from schedule import …`):
    // the bare word is in far too many files.
    "import schedule",
    "from schedule",
    // A scheduler made in an extensions module and started in `create_app`.
    "cheduler.start(",
    "sched.start(",
    "create_engine",
];

static TRIGGERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| evaluate::with_rows(HAND_TRIGGERS, ROWS));

/// Calls that write an upload to durable shared storage: a function doing one of these may
/// stage the file locally first.
const OBJECT_STORE_CALLS: &[&str] = &[
    "upload_fileobj",
    "upload_file",
    "put_object",
    "upload_from_file",
    "upload_from_filename",
    "upload_from_string",
    "upload_blob",
    "create_blob_from_stream",
    "fput_object",
];

impl Detector for AppCode {
    fn id(&self) -> &'static str {
        "python/app-code"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Python]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL201", "SL301", "SL501", "SL504"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Python(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let manifests = Manifests::new(facts);
        for (path, EntryStart(diagnostic)) in facts.of::<EntryStart>() {
            if WEB_DISTRIBUTIONS
                .iter()
                .any(|d| manifests.depends_on(Ecosystem::Python, path, d))
            {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: diagnostic.clone(),
                });
            }
        }
        let starts: Vec<&SchedulerStart> = facts.of::<SchedulerStart>().map(|(_, s)| s).collect();
        for (path, made) in facts.of::<SchedulerMade>() {
            if starts
                .iter()
                .any(|s| s.name == made.name && same_module(&made.module, &s.module))
            {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: Diagnostic::new(
                        &rules::SL501,
                        made.span.clone(),
                        format!(
                            "{} made here is started inside the web app, so every instance runs each job",
                            made.what
                        ),
                        SCHEDULER_HELP,
                    ),
                });
            }
        }
    }
}

impl Check<PyModel<'_>> for AppCode {
    fn check(&self, model: &PyModel<'_>, out: &mut Sink) {
        let file = model.file;
        let src = model.src;
        let root = model.root;
        let scope = model.scope();
        let web_import = scope.imports_from(WEB_FRAMEWORKS);
        // A server entry module (`wsgi.py`, `app.py`) may get its app from a factory elsewhere:
        // it is a web app if its package depends on a web framework (decided in `resolve`).
        let name = file.rel_path.rsplit('/').next().unwrap_or(&file.rel_path);
        let entry = ENTRY_MODULES.contains(&name);
        let web_app = web_import || entry;
        let mut starts = Vec::new();
        let mut schedulers: Vec<(String, Node<'_>, &'static str)> = Vec::new();
        let kinds = [
            Kind::FunctionDefinition,
            Kind::DecoratedDefinition,
            Kind::Assignment,
            Kind::Call,
        ];
        for n in model.nodes(&kinds) {
            match n.kind() {
                "function_definition" => uploads(n, scope, src, out),
                "decorated_definition" => memoized(n, scope, src, out),
                "assignment" => {
                    // scheduler = BackgroundScheduler(…)
                    if let (Some(l), Some(r)) = (
                        n.child_by_field_name("left"),
                        n.child_by_field_name("right"),
                    ) && let Some(what) = scheduler_class(scope, r, src)
                    {
                        schedulers.push((text(l, src).to_owned(), r, what));
                    }
                }
                "call" => {
                    calls(n, scope, src, web_app, &schedulers, &mut starts, out);
                    if web_import && let Some(start) = imported_start(n, scope, src, &file.rel_path)
                    {
                        out.fact(start);
                    }
                }
                _ => {}
            }
        }
        for start in starts {
            if web_import {
                out.push(start);
            } else {
                out.fact(EntryStart(start));
            }
        }
        // Module-level schedulers another module of the app may start.
        let module = module_path(&file.rel_path);
        let mut cursor = root.walk();
        for stmt in root.named_children(&mut cursor) {
            if let Some(a) = stmt.named_child(0).filter(|a| a.kind() == "assignment")
                && let (Some(l), Some(r)) = (
                    a.child_by_field_name("left"),
                    a.child_by_field_name("right"),
                )
                && l.kind() == "identifier"
                && let Some(what) = scheduler_class(scope, r, src)
            {
                out.fact(SchedulerMade {
                    module: module.clone(),
                    name: text(l, src).to_owned(),
                    span: r.byte_range(),
                    what,
                });
            }
        }
    }
}

/// Modules a WSGI/ASGI server or `python -m` runs as the web app's entry point.
const ENTRY_MODULES: &[&str] = &["app.py", "wsgi.py", "asgi.py", "main.py", "server.py"];

/// Distributions that make a package a web app when its manifest depends on them (PEP 503 names).
const WEB_DISTRIBUTIONS: &[&str] = &[
    "django",
    "flask",
    "fastapi",
    "starlette",
    "quart",
    "sanic",
    "aiohttp",
    "litestar",
];

/// Fact: a scheduler started in an entry module that imports no web framework itself; reported
/// if the module's package depends on one.
struct EntryStart(Diagnostic);

/// Fact: a module-level scheduler (its dotted module, name, constructor span, kind).
struct SchedulerMade {
    module: String,
    name: String,
    span: std::ops::Range<usize>,
    what: &'static str,
}

/// Fact: a web app module starts a scheduler it imports (`from app.extensions import scheduler`).
struct SchedulerStart {
    module: String,
    name: String,
}

/// `scheduler.start()` where `scheduler` is imported from another module of the project.
fn imported_start(
    call: Node<'_>,
    scope: &ModuleScope<'_>,
    src: &str,
    rel_path: &str,
) -> Option<SchedulerStart> {
    let function = call.child_by_field_name("function")?;
    let object = function.child_by_field_name("object")?;
    if function.kind() != "attribute"
        || object.kind() != "identifier"
        || function
            .child_by_field_name("attribute")
            .map(|a| text(a, src))
            != Some("start")
    {
        return None;
    }
    let qualified = scope.qualified(object, src)?;
    if qualified.path.is_empty() && qualified.package == text(object, src) {
        return None;
    }
    let here = module_path(rel_path);
    let absolute = absolute_module(
        &here,
        rel_path.ends_with("__init__.py"),
        &qualified.joined("."),
    );
    let (module, name) = absolute.rsplit_once('.')?;
    Some(SchedulerStart {
        module: module.to_owned(),
        name: name.to_owned(),
    })
}

fn scheduler_class(scope: &ModuleScope<'_>, value: Node<'_>, src: &str) -> Option<&'static str> {
    let callee = scope.callee(value, src)?;
    evaluate::row(SCHEDULERS, Usage::Call, &callee).map(|r| r.name)
}

fn calls<'t>(
    call: Node<'t>,
    scope: &ModuleScope<'t>,
    src: &str,
    web_app: bool,
    schedulers: &[(String, Node<'t>, &'static str)],
    starts: &mut Vec<Diagnostic>,
    out: &mut Sink,
) {
    let Some(callee) = scope.callee(call, src) else {
        return;
    };
    // SQLAlchemy / SQLModel engines on a SQLite file.
    let engine = callee
        .path
        .last()
        .is_some_and(|m| m == "create_engine" || m == "create_async_engine");
    if engine
        && (callee.package.starts_with("sqlalchemy") || callee.package.starts_with("sqlmodel"))
        && let Some(url) = positional_arg(call, 0).or_else(|| keyword_arg(call, "url", src))
    {
        let v = scope.eval(url, src);
        if v.effective().is_some_and(is_sqlite_file) {
            out.push(Diagnostic::new(
                &rules::SL504,
                url.byte_range(),
                format!("the SQLAlchemy engine's URL {}, a SQLite file on this instance's disk that other instances cannot see", v.describe()),
                DB_HELP,
            ));
        }
    }
    // scheduler.start() on a scheduler made in this module of a web app.
    let object = match callee.path.split_last() {
        Some((last, parent)) if last == "start" => {
            Some(Symbol::new(callee.package.clone(), parent.to_vec()).joined("."))
        }
        _ => None,
    };
    if web_app
        && let Some(object) = object
        && let Some((_, _, what)) = schedulers.iter().rev().find(|(name, _, _)| *name == object)
    {
        starts.push(Diagnostic::new(
            &rules::SL501,
            call.byte_range(),
            format!("{what} is started inside the web app, so every instance runs each job"),
            SCHEDULER_HELP,
        ));
    }
    // schedule.every(…).minutes.do(job) in a web app (the chain goes through a call, so it is
    // read from the text, with `schedule` imported as the module).
    let raw = call
        .child_by_field_name("function")
        .map(|f| text(f, src))
        .unwrap_or_default();
    if web_app
        && raw.ends_with(".do")
        && raw.split_once('.').is_some_and(|(m, rest)| {
            rest.starts_with("every") && scope.imports_module(m, "schedule")
        })
    {
        starts.push(Diagnostic::new(
            &rules::SL501,
            call.byte_range(),
            "a `schedule` job is registered inside the web app, so every instance runs it"
                .to_owned(),
            SCHEDULER_HELP,
        ));
    }
    // aiocache / fastapi-cache memory backends.
    if let Some(row) = evaluate::row(MEMORY_CACHES, Usage::Call, &callee)
        && let (Some(verdict), _) = evaluate::judge(row, call, scope, src)
    {
        out.push(Diagnostic::new(
            verdict.rule,
            call.byte_range(),
            verdict.message.to_owned(),
            row.fix,
        ));
    }
}

const SCHEDULER_HELP: &str = "run periodic jobs once per deployment: a Kubernetes CronJob or \
    platform scheduler, Celery beat as its own single process, or the scheduler in a separate \
    one-replica process; or take a distributed lock (Redis, Postgres advisory lock) per run";

/// `@lru_cache` / `@cached(…)` on a function that reads the database or calls a service.
fn memoized(def: Node<'_>, scope: &ModuleScope<'_>, src: &str, out: &mut Sink) {
    let Some(function) = def
        .child_by_field_name("definition")
        .filter(|d| d.kind() == "function_definition")
    else {
        return;
    };
    let mut cursor = def.walk();
    for decorator in def
        .named_children(&mut cursor)
        .filter(|d| d.kind() == "decorator")
    {
        let Some(expr) = decorator.named_child(0) else {
            continue;
        };
        let target = if expr.kind() == "call" {
            expr.child_by_field_name("function").unwrap_or(expr)
        } else {
            expr
        };
        let Some(name) = scope.qualified(target, src) else {
            continue;
        };
        let Some(row) = evaluate::row(MEMO_DECORATORS, Usage::Decorate, &name) else {
            continue;
        };
        let Some(verdict) = evaluate::judge(row, expr, scope, src).0 else {
            continue;
        };
        let Some(io) = function
            .child_by_field_name("body")
            .and_then(|b| io_in(b, scope, src))
        else {
            continue;
        };
        let fname = function
            .child_by_field_name("name")
            .map(|n| text(n, src))
            .unwrap_or("function");
        let short = name.path.last().unwrap_or(&name.package);
        out.push(Diagnostic::new(
            verdict.rule,
            decorator.byte_range(),
            format!("`@{short}` keeps what `{fname}` reads from {io} in this process's memory, so instances serve different, stale copies"),
            row.fix,
        ));
        return;
    }
}

/// What external source a function body reads: "the database" or "another service".
fn io_in(body: Node<'_>, scope: &ModuleScope<'_>, src: &str) -> Option<&'static str> {
    let mut found = None;
    preorder(body, |n| {
        if found.is_some() || matches!(n.kind(), "function_definition" | "lambda") {
            return false;
        }
        if n.kind() == "call"
            && let Some(f) = n.child_by_field_name("function")
        {
            let raw = text(f, src);
            let callee = scope.qualified(f, src);
            // ContentType rows are fixed for the life of the process (Django caches them too).
            if (raw.contains(".objects.") && !raw.starts_with("ContentType."))
                || raw.contains("session.query")
                || raw.contains("session.execute")
                || raw.contains("session.scalars")
                || raw.ends_with("cursor.execute")
            {
                found = Some("the database");
            } else if callee.is_some_and(|c| {
                c.path.len() > usize::from(c.package == "urllib")
                    && (["requests", "httpx", "aiohttp", "boto3"].contains(&c.package.as_str())
                        || c.starts_with("urllib", &["request"]))
            }) {
                found = Some("another service");
            }
        }
        true
    });
    found
}

/// In a view that receives an upload, writing it to a local path.
fn uploads(function: Node<'_>, scope: &ModuleScope<'_>, src: &str, out: &mut Sink) {
    let Some(body) = function.child_by_field_name("body") else {
        return;
    };
    let body_text = text(body, src);
    // FastAPI / Starlette: parameters annotated UploadFile.
    let mut upload_params: Vec<&str> = Vec::new();
    if let Some(params) = function.child_by_field_name("parameters") {
        let mut c = params.walk();
        for p in params.named_children(&mut c) {
            if matches!(p.kind(), "typed_parameter" | "typed_default_parameter")
                && p.child_by_field_name("type")
                    .is_some_and(|t| text(t, src).contains("UploadFile"))
            {
                let name = p.child_by_field_name("name").or_else(|| p.named_child(0));
                if let Some(name) = name {
                    upload_params.push(text(name, src));
                }
            }
        }
    }
    let reads_request_files =
        body_text.contains("request.files") || body_text.contains("request.FILES");
    if upload_params.is_empty() && !reads_request_files {
        return;
    }
    // Staged locally and then sent to object storage: fine.
    if OBJECT_STORE_CALLS
        .iter()
        .any(|c| body_text.contains(&format!(".{c}(")))
    {
        return;
    }
    // Django `fs = FileSystemStorage(location=…)` in the view, then `fs.save(name, file)`: the
    // storage is this disk whatever the project's STORAGES say (a temp location is scratch).
    let mut local_storages: Vec<&str> = Vec::new();
    preorder(body, |n| {
        if matches!(
            n.kind(),
            "function_definition" | "lambda" | "class_definition"
        ) {
            return false;
        }
        if n.kind() == "assignment"
            && let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            )
            && l.kind() == "identifier"
            && is_local_file_storage(r, scope, src)
        {
            local_storages.push(text(l, src));
        }
        true
    });
    let mut reported = false;
    preorder(body, |n| {
        // Nested functions are judged on their own.
        if reported
            || matches!(
                n.kind(),
                "function_definition" | "lambda" | "class_definition"
            )
        {
            return false;
        }
        if n.kind() != "call" {
            return true;
        }
        let Some(f) = n.child_by_field_name("function") else {
            return true;
        };
        let Some(callee) = scope.qualified(f, src) else {
            return true;
        };
        let raw = text(f, src);
        let storage_save = raw.ends_with(".save")
            && f.child_by_field_name("object").is_some_and(|o| {
                local_storages.contains(&text(o, src)) || is_local_file_storage(o, scope, src)
            });
        let what = if storage_save {
            Some("the uploaded file is saved through a `FileSystemStorage`")
        } else if raw.ends_with(".save") && reads_request_files && saves_upload(n, f, src) {
            Some("the uploaded file is saved")
        } else if (callee.is("open", &[]) || callee.is("aiofiles", &["open"]))
            && writes(n, src)
            && !body_text.contains("tempfile.")
            && !in_temp(n, scope, src)
        {
            Some("the upload is written")
        } else if callee.is("shutil", &["copyfileobj"]) {
            Some("the upload is copied")
        } else {
            None
        };
        if let Some(what) = what {
            reported = true;
            out.push(Diagnostic::new(
                &rules::SL201,
                n.byte_range(),
                format!("{what} to this instance's local disk, so other instances cannot serve it and it is lost when the instance is replaced"),
                "stream the upload to object storage (`boto3` `upload_fileobj(file, bucket, key)`, google-cloud-storage `blob.upload_from_file`, Azure `upload_blob`) and keep only its key",
            ));
            return false;
        }
        true
    });
}

/// `FileSystemStorage(…)` of Django outside the temp directory.
fn is_local_file_storage(value: Node<'_>, scope: &ModuleScope<'_>, src: &str) -> bool {
    scope.callee(value, src).is_some_and(|c| {
        c.is("django", &["core", "files", "storage", "FileSystemStorage"])
            || c.is(
                "django",
                &[
                    "core",
                    "files",
                    "storage",
                    "filesystem",
                    "FileSystemStorage",
                ],
            )
    }) && {
        let t = text(value, src);
        !(t.contains("tempfile") || t.contains("/tmp") || t.contains("gettempdir"))
    }
}

/// `f.save(path)` where `f` is a `FileStorage` from `request.files` (not a model or form save).
fn saves_upload(call: Node<'_>, callee: Node<'_>, src: &str) -> bool {
    let object = callee
        .child_by_field_name("object")
        .map(|o| text(o, src))
        .unwrap_or_default();
    if object.contains("request.files") {
        return true;
    }
    // A path argument: `save(os.path.join(…))`, `save(path)`, `save(f"…")`, `save(dst=…)`.
    let has_path = positional_arg(call, 0).is_some();
    let lower = object.to_ascii_lowercase();
    let named_like_upload = ["file", "upload", "image", "photo", "avatar", "attachment"]
        .iter()
        .any(|w| lower.contains(w))
        || ["f", "img", "doc", "pic"].contains(&lower.as_str());
    has_path && named_like_upload
}

/// `open(path, "wb")`, `open(path, mode="ab")`.
fn writes(call: Node<'_>, src: &str) -> bool {
    let mode = positional_arg(call, 1).or_else(|| keyword_arg(call, "mode", src));
    mode.and_then(|m| string_value(m, src))
        .is_some_and(|m| m.contains('w') || m.contains('a') || m.contains('x'))
}

/// A path under the temp directory: scratch space for processing, not storage.
fn in_temp(call: Node<'_>, scope: &ModuleScope<'_>, src: &str) -> bool {
    let Some(path) = positional_arg(call, 0) else {
        return false;
    };
    let path = scope.resolve(path, src);
    let t = text(path, src);
    t.contains("tempfile")
        || t.contains("/tmp")
        || t.contains("gettempdir")
        || t.contains("tmp_path")
        || t.contains("temp_dir")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_reachable_by_triggers_and_report_declared_rules() {
        evaluate::assert_rows_covered(ROWS, AppCode.triggers(), AppCode.rules());
    }

    #[test]
    fn rows_decide_memory_caches_and_memo_decorators() {
        let diags = |src: &str| {
            let file =
                crate::source::SourceFile::new("app/views.py".into(), FileKind::Python, src.into());
            let mut sink = Sink::default();
            crate::detectors::check_into(&AppCode, &file, &mut sink);
            sink.diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        };
        let cache = diags(
            "from aiocache import Cache\na = Cache()\nb = Cache(Cache.MEMORY)\nc = Cache(Cache.REDIS)\nd = Cache(cache_class=Cache.MEMORY)\n",
        );
        assert_eq!(cache.len(), 3, "{cache:?}");
        assert!(cache[0].contains("defaults to memory"));
        let memo = diags(
            "from aiocache import cached, Cache\nimport requests\n@cached(cache=Cache.REDIS)\ndef a():\n    return requests.get('x')\n@cached()\ndef b():\n    return requests.get('x')\n",
        );
        assert_eq!(memo.len(), 1, "{memo:?}");
        assert!(memo[0].contains("`b`"));
    }
}
