//! Server-side session middleware of Express, Koa and Fastify: without a `store` option
//! express-session, koa-generic-session and @fastify/session keep every session in a
//! `MemoryStore` inside the Node process; `memorystore`, a `Map` and the libraries' own
//! `MemoryStore` do the same on purpose, and file or SQLite stores keep them on this host's disk.
//! Cookie sessions (cookie-session, koa-session's default, @fastify/secure-session, iron-session)
//! carry the data in the cookie and are not session middleware with a store here.

use super::env::EnvBranches;
use super::evaluate;
use super::linked::{ImportRef, exports, import_ref};
use super::model::{JsModel, Kind};
use super::module_scope::ModuleScope;
use super::options::{Prop, is_nullish};
use crate::detectors::table::{self, Library, Opt, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{preorder, text};
use crate::project::{Facts, Located, Sink};
use crate::rules::{self, Rule};
use crate::source::FileKind;
use std::sync::LazyLock;
use tree_sitter::Node;

/// Session middleware with its default or an explicit instance-local store.
pub struct Sessions;

const EXPRESS_HELP: &str = "give express-session a shared store, e.g. `store: new RedisStore({ client })` \
    from connect-redis (or connect-pg-simple, connect-mongo), or keep small sessions in signed \
    cookies with cookie-session";
const KOA_HELP: &str = "give koa-generic-session a shared store, e.g. `store: redisStore({ url: process.env.REDIS_URL })` \
    from koa-redis, or use koa-session's default cookie sessions";
const FASTIFY_HELP: &str = "give @fastify/session a shared store, e.g. `store: new RedisStore({ client })` \
    from connect-redis, or keep the session in an encrypted cookie with @fastify/secure-session";

/// A session middleware row: its package, the name users know it by, the finding without a
/// `store`, and the fix.
macro_rules! middleware {
    ($package:literal, $name:literal, $absent:expr, $fix:expr $(,)?) => {
        Library {
            symbol: Pattern {
                package: $package,
                path: &[],
            },
            usage: Usage::Call,
            option: Some(Opt {
                key: "store",
                position: None,
            }),
            verdicts: &[Verdict {
                when: When::Absent,
                rule: &rules::SL101,
                message: $absent,
            }],
            fix: $fix,
            name: $name,
        }
    };
}

/// A store row: constructing it keeps sessions on this instance, as its message says.
macro_rules! store {
    ($package:literal, $path:expr, $rule:expr, $what:literal $(,)?) => {
        Library {
            symbol: Pattern {
                package: $package,
                path: $path,
            },
            usage: Usage::Construct,
            option: None,
            verdicts: &[Verdict {
                when: When::Used,
                rule: $rule,
                message: $what,
            }],
            fix: "give the session middleware a shared store (Redis, a database server)",
            name: $package,
        }
    };
}

/// Session middleware whose default store is its in-process `MemoryStore`, configured by a
/// call (`session(options)`) or a Fastify registration (`fastify.register(plugin, options)`).
const MIDDLEWARE: &[Library] = &[
    middleware!(
        "express-session",
        "express-session",
        "express-session has no `store`, so sessions live in this process's memory (its default MemoryStore)",
        EXPRESS_HELP,
    ),
    middleware!(
        "koa-generic-session",
        "koa-generic-session",
        "koa-generic-session has no `store`, so sessions live in this process's memory (its default MemoryStore)",
        KOA_HELP,
    ),
    middleware!(
        "@fastify/session",
        "@fastify/session",
        FASTIFY_ABSENT,
        FASTIFY_HELP,
    ),
    middleware!(
        "fastify-session",
        "@fastify/session",
        FASTIFY_ABSENT,
        FASTIFY_HELP
    ),
];

const FASTIFY_ABSENT: &str = "@fastify/session has no `store`, so sessions live in this process's memory (its default MemoryStore)";

/// Store classes that keep sessions on this instance, constructed with `new`. A verdict's
/// message names the store; the middleware it is given to completes the sentence.
const LOCAL_STORES: &[Library] = &[
    store!(
        "express-session",
        &["MemoryStore"],
        &rules::SL101,
        "`MemoryStore`"
    ),
    store!(
        "koa-generic-session",
        &["MemoryStore"],
        &rules::SL101,
        "`MemoryStore`"
    ),
    store!(
        "@fastify/session",
        &["MemoryStore"],
        &rules::SL101,
        "`MemoryStore`"
    ),
    store!(
        "fastify-session",
        &["MemoryStore"],
        &rules::SL101,
        "`MemoryStore`"
    ),
    store!("memorystore", &["()"], &rules::SL101, "`memorystore`"),
    store!(
        "session-memory-store",
        &["()"],
        &rules::SL101,
        "session-memory-store"
    ),
    store!(
        "session-file-store",
        &["()"],
        &rules::SL102,
        "session-file-store, which writes session files on this host's disk",
    ),
    store!(
        "connect-sqlite3",
        &["()"],
        &rules::SL102,
        "connect-sqlite3, which keeps sessions in a SQLite file on this host's disk",
    ),
    store!(
        "better-sqlite3-session-store",
        &["()"],
        &rules::SL102,
        "better-sqlite3-session-store, which keeps sessions in a SQLite file on this host's disk",
    ),
    store!(
        "nedb-session-store",
        &["()"],
        &rules::SL102,
        "nedb-session-store, which keeps sessions in a file on this host's disk",
    ),
    store!(
        "level-session-store",
        &["()"],
        &rules::SL102,
        "level-session-store, which keeps sessions in a LevelDB directory on this host's disk",
    ),
];

static TRIGGERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut t = table::triggers(&[MIDDLEWARE, LOCAL_STORES]);
    // A project's own store object or class (every store implements `destroy`).
    t.push("destroy");
    t
});
static RULES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| table::rules(&[MIDDLEWARE, LOCAL_STORES]));

impl Detector for Sessions {
    fn id(&self) -> &'static str {
        "js/sessions"
    }
    fn kinds(&self) -> &'static [FileKind] {
        super::JS_KINDS
    }
    fn triggers(&self) -> &'static [&'static str] {
        &TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Js(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let uses: Vec<&StoreUse> = facts.of::<StoreUse>().map(|(_, u)| u).collect();
        let mut reported: Vec<(&str, usize)> = Vec::new();
        for (path, export) in facts.of::<StoreExport>() {
            let Some(usage) = uses.iter().find(|u| u.import.names(path, &export.name)) else {
                continue;
            };
            let key = (path, export.span.start);
            if reported.contains(&key) {
                continue;
            }
            reported.push(key);
            out.push(Located {
                path: path.to_owned(),
                diagnostic: store_diagnostic(
                    usage.middleware,
                    export.rule,
                    export.what,
                    export.span.clone(),
                ),
            });
        }
    }
}

impl Check<JsModel<'_>> for Sessions {
    fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
        let file = model.file;
        let src = model.src;
        let root = model.root;
        let scope = model.scope();
        let env = model.env();
        for node in model.nodes(&[Kind::Call]) {
            if let Some(used) = evaluate::find(MIDDLEWARE, node, scope, src)
                && !env.contains(node)
            {
                check_options(&used, src, scope, env, &file.rel_path, out);
            }
        }
        for (name, value) in exports(root, src, scope) {
            let value = match value.kind() {
                // `module.exports = { MyStore }` of `class MyStore {…}` declared above.
                "identifier" | "shorthand_property_identifier" => {
                    class_named(root, text(value, src), src).unwrap_or(value)
                }
                _ => value,
            };
            if let Some((rule, what)) =
                local_store(value, src, scope).or_else(|| own_memory_store(value, src))
            {
                out.fact(StoreExport {
                    name,
                    rule,
                    what,
                    // A class is shown by its head (`class MyStore`), not its whole body.
                    span: value.start_byte()
                        ..value
                            .child_by_field_name("name")
                            .filter(|_| value.kind() == "class_declaration")
                            .map_or(value.end_byte(), |n| n.end_byte()),
                });
            }
        }
    }
}

/// Fact: session middleware takes its `store` from another project file.
struct StoreUse {
    middleware: &'static Library,
    import: ImportRef,
}

/// Fact: an exported instance-local session store.
struct StoreExport {
    name: String,
    rule: &'static Rule,
    what: &'static str,
    span: std::ops::Range<usize>,
}

/// Judges the `store` of a middleware use: its row's verdict when there is none, the store's
/// own row when it constructs one, a fact when it comes from another project file.
fn check_options<'t>(
    used: &evaluate::Use<'static, 't>,
    src: &'t str,
    scope: &ModuleScope<'t>,
    env: &EnvBranches,
    here: &str,
    out: &mut Sink,
) {
    let mw = used.row;
    let (value, prop) = used.option(scope, src);
    let value = match prop {
        Prop::Unknown => return,
        Prop::Absent => {
            if let Some(verdict) = mw.verdict(value) {
                out.push(Diagnostic::new(
                    verdict.rule,
                    used.named.byte_range(),
                    verdict.message,
                    mw.fix,
                ));
            }
            return;
        }
        Prop::Value(value) => value,
    };
    let value = scope.resolve(value, src);
    if env.contains(value) {
        return;
    }
    if is_nullish(value, src) {
        out.push(Diagnostic::new(
            &rules::SL101,
            value.byte_range(),
            format!(
                "{} `store` is `{}`, so sessions live in this process's memory (its default MemoryStore)",
                mw.name,
                text(value, src)
            ),
            mw.fix,
        ));
        return;
    }
    if let Some((rule, what)) = local_store(value, src, scope) {
        out.push(store_diagnostic(mw, rule, what, value.byte_range()));
    } else if let Some(import) = scope
        .origin(value, src)
        .or_else(|| {
            // `store: new MyStore()` of a class imported from the project.
            value
                .child_by_field_name("constructor")
                .filter(|_| value.kind() == "new_expression")
                .and_then(|c| scope.origin(c, src))
        })
        .and_then(|o| import_ref(here, &o))
    {
        out.fact(StoreUse {
            middleware: mw,
            import,
        });
    }
}

fn store_diagnostic(
    mw: &Library,
    rule: &'static Rule,
    what: &str,
    span: std::ops::Range<usize>,
) -> Diagnostic {
    let message = if rule.id == "SL101" {
        format!(
            "{} store is {what}, which keeps sessions in this process's memory",
            mw.name
        )
    } else {
        format!("{} store is {what}", mw.name)
    };
    Diagnostic::new(rule, span, message, mw.fix)
}

/// The instance-local store `value` constructs, if it does: `new MemoryStore()`,
/// `new session.MemoryStore()`, `new (require('memorystore')(session))()`, `new Map()`, or a
/// store class held in a `const`.
fn local_store<'t>(
    value: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
) -> Option<(&'static Rule, &'static str)> {
    let class = match value.kind() {
        "new_expression" => value.child_by_field_name("constructor")?,
        _ => return None,
    };
    let resolved = scope.resolve(class, src);
    if resolved.kind() == "identifier"
        && text(resolved, src) == "Map"
        && scope.origin(resolved, src).is_none()
    {
        return Some((&rules::SL101, "a `Map`"));
    }
    let symbol = scope.origin(class, src)?;
    let verdict =
        evaluate::row_of(LOCAL_STORES, &symbol, Usage::Construct)?.verdict(OptionValue::Absent)?;
    Some((verdict.rule, verdict.message))
}

/// The top-level `class NAME` of the module.
fn class_named<'t>(root: Node<'t>, name: &str, src: &str) -> Option<Node<'t>> {
    let mut cursor = root.walk();
    root.named_children(&mut cursor).find(|c| {
        c.kind() == "class_declaration"
            && c.child_by_field_name("name")
                .is_some_and(|n| text(n, src) == name)
    })
}

/// A store the project writes itself: an object or class with `get`, `set` and `destroy` whose
/// `get` reads a property initialised to a `Map` or `{}` (`this.sessions.get(id)`,
/// `this.storage[key]`). One that talks to a client (Redis, a database) reads no such property.
fn own_memory_store(value: Node<'_>, src: &str) -> Option<(&'static Rule, &'static str)> {
    let body = match value.kind() {
        "object" => value,
        "class_declaration" | "class" => value.child_by_field_name("body")?,
        _ => return None,
    };
    let is_container = |v: Node<'_>| match v.kind() {
        "object" => v.named_child_count() == 0,
        "new_expression" => v
            .child_by_field_name("constructor")
            .is_some_and(|c| text(c, src) == "Map"),
        _ => false,
    };
    let mut methods: Vec<(&str, Node<'_>)> = Vec::new();
    let mut containers: Vec<&str> = Vec::new();
    let mut cursor = body.walk();
    for member in body.named_children(&mut cursor) {
        match member.kind() {
            "method_definition" => {
                if let Some(name) = member.child_by_field_name("name") {
                    methods.push((text(name, src), member));
                }
            }
            "pair" | "field_definition" | "public_field_definition" => {
                let key = member
                    .child_by_field_name("key")
                    .or_else(|| member.child_by_field_name("property"))
                    .or_else(|| member.child_by_field_name("name"));
                if let (Some(k), Some(v)) = (key, member.child_by_field_name("value"))
                    && is_container(v)
                {
                    containers.push(text(k, src));
                }
            }
            _ => {}
        }
    }
    // `this.sessions = new Map()` in the constructor.
    if let Some((_, ctor)) = methods.iter().find(|(n, _)| *n == "constructor") {
        preorder(*ctor, |n| {
            if n.kind() == "assignment_expression"
                && let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                )
                && is_container(r)
                && let Some(prop) = text(l, src).strip_prefix("this.")
            {
                containers.push(prop);
            }
            true
        });
    }
    let has = |name: &str| methods.iter().any(|(n, _)| *n == name);
    if !(has("get") && has("set") && has("destroy")) {
        return None;
    }
    let (_, get) = methods.iter().find(|(n, _)| *n == "get")?;
    let get = text(*get, src);
    containers
        .iter()
        .any(|c| get.contains(&format!("this.{c}")))
        .then_some((
            &rules::SL101,
            "the project's own store over a `Map` or plain object",
        ))
}

#[cfg(test)]
mod tests {
    use super::{LOCAL_STORES, MIDDLEWARE, Sessions};
    use crate::detectors::js::{evaluate, run};

    #[test]
    fn rows_are_covered_by_triggers_and_rules() {
        evaluate::assert_covered(&Sessions, &[MIDDLEWARE, LOCAL_STORES]);
    }

    #[test]
    fn koa_fastify_and_map_stores() {
        let koa = "const session = require('koa-generic-session');\napp.use(session());\n";
        assert_eq!(run(&Sessions, "app.js", koa), [("SL101", 2)]);
        let koa_redis = "import session from 'koa-generic-session';\nimport redisStore from 'koa-redis';\napp.use(session({ store: redisStore() }));\n";
        assert!(run(&Sessions, "app.ts", koa_redis).is_empty());
        // koa-session keeps the session in the cookie by default: not session middleware with a store.
        let cookie = "import session from 'koa-session';\napp.use(session(app));\n";
        assert!(run(&Sessions, "app.ts", cookie).is_empty());
        let map = "import session from 'express-session';\napp.use(session({ secret, store: new Map() }));\n";
        assert_eq!(run(&Sessions, "app.ts", map), [("SL101", 2)]);
        let fastify = "const fastifySession = require('@fastify/session');\nfastify.register(fastifySession, { secret, store: new fastifySession.MemoryStore() });\n";
        assert_eq!(run(&Sessions, "app.js", fastify), [("SL101", 2)]);
        let dev_only = "import session from 'express-session';\nif (process.env.NODE_ENV !== 'production') {\n  app.use(session({ secret: 'dev' }));\n}\n";
        assert!(run(&Sessions, "app.ts", dev_only).is_empty());
    }
}
