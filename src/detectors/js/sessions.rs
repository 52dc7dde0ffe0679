//! Server-side session middleware of Express, Koa and Fastify: without a `store` option
//! express-session, koa-generic-session and @fastify/session keep every session in a
//! `MemoryStore` inside the Node process; `memorystore`, a `Map` and the libraries' own
//! `MemoryStore` do the same on purpose, and file or SQLite stores keep them on this host's disk.
//! Cookie sessions (cookie-session, koa-session's default, @fastify/secure-session, iron-session)
//! carry the data in the cookie and are not session middleware with a store here.

use super::env::EnvBranches;
use super::linked::{ImportRef, exports, import_ref};
use super::module_scope::ModuleScope;
use super::options::{Prop, arg, is_nullish, option};
use crate::detectors::Detector;
use crate::diagnostic::Diagnostic;
use crate::parse::Tree;
use crate::parse::js::{preorder, text};
use crate::project::{Facts, Located, Sink};
use crate::rules::{self, Rule};
use crate::source::{FileKind, SourceFile};
use tree_sitter::Node;

/// Session middleware with its default or an explicit instance-local store.
pub struct Sessions;

/// How the middleware receives its options.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wiring {
    /// `session(options)`.
    Call,
    /// `fastify.register(plugin, options)`.
    Register,
}

/// A session middleware whose default store is its in-process `MemoryStore`.
struct Middleware {
    modules: &'static [&'static str],
    name: &'static str,
    wiring: Wiring,
    help: &'static str,
}

const EXPRESS_HELP: &str = "give express-session a shared store, e.g. `store: new RedisStore({ client })` \
    from connect-redis (or connect-pg-simple, connect-mongo), or keep small sessions in signed \
    cookies with cookie-session";
const KOA_HELP: &str = "give koa-generic-session a shared store, e.g. `store: redisStore({ url: process.env.REDIS_URL })` \
    from koa-redis, or use koa-session's default cookie sessions";
const FASTIFY_HELP: &str = "give @fastify/session a shared store, e.g. `store: new RedisStore({ client })` \
    from connect-redis, or keep the session in an encrypted cookie with @fastify/secure-session";

const MIDDLEWARE: &[Middleware] = &[
    Middleware {
        modules: &["express-session"],
        name: "express-session",
        wiring: Wiring::Call,
        help: EXPRESS_HELP,
    },
    Middleware {
        modules: &["koa-generic-session"],
        name: "koa-generic-session",
        wiring: Wiring::Call,
        help: KOA_HELP,
    },
    Middleware {
        modules: &["@fastify/session", "fastify-session"],
        name: "@fastify/session",
        wiring: Wiring::Register,
        help: FASTIFY_HELP,
    },
];

/// Store classes that keep sessions on this instance: (module, member path, rule, what).
const LOCAL_STORES: &[(&str, &[&str], &Rule, &str)] = &[
    (
        "express-session",
        &["MemoryStore"],
        &rules::SL101,
        "`MemoryStore`",
    ),
    (
        "koa-generic-session",
        &["MemoryStore"],
        &rules::SL101,
        "`MemoryStore`",
    ),
    (
        "@fastify/session",
        &["MemoryStore"],
        &rules::SL101,
        "`MemoryStore`",
    ),
    (
        "fastify-session",
        &["MemoryStore"],
        &rules::SL101,
        "`MemoryStore`",
    ),
    ("memorystore", &["()"], &rules::SL101, "`memorystore`"),
    (
        "session-memory-store",
        &["()"],
        &rules::SL101,
        "session-memory-store",
    ),
    (
        "session-file-store",
        &["()"],
        &rules::SL102,
        "session-file-store, which writes session files on this host's disk",
    ),
    (
        "connect-sqlite3",
        &["()"],
        &rules::SL102,
        "connect-sqlite3, which keeps sessions in a SQLite file on this host's disk",
    ),
    (
        "better-sqlite3-session-store",
        &["()"],
        &rules::SL102,
        "better-sqlite3-session-store, which keeps sessions in a SQLite file on this host's disk",
    ),
    (
        "nedb-session-store",
        &["()"],
        &rules::SL102,
        "nedb-session-store, which keeps sessions in a file on this host's disk",
    ),
    (
        "level-session-store",
        &["()"],
        &rules::SL102,
        "level-session-store, which keeps sessions in a LevelDB directory on this host's disk",
    ),
];

impl Detector for Sessions {
    fn id(&self) -> &'static str {
        "js/sessions"
    }
    fn kinds(&self) -> &'static [FileKind] {
        super::JS_KINDS
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "express-session",
            "koa-generic-session",
            "fastify/session",
            "fastify-session",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL101", "SL102"]
    }

    fn check(&self, file: &SourceFile, tree: &Tree, out: &mut Sink) {
        let Tree::Js(tree) = tree else { return };
        let src = file.text.as_str();
        let root = tree.root_node();
        let scope = ModuleScope::new(root, src);
        let env = EnvBranches::new(root, src);
        preorder(root, |node| {
            if node.kind() == "call_expression"
                && let Some((mw, at, options)) = middleware_call(node, src, &scope)
                && !env.contains(node)
            {
                check_options(mw, at, options, src, &scope, &env, &file.rel_path, out);
            }
            true
        });
        for (name, value) in exports(root, src, &scope) {
            if let Some((rule, what)) = local_store(value, src, &scope) {
                out.fact(StoreExport {
                    name,
                    rule,
                    what,
                    span: value.byte_range(),
                });
            }
        }
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

/// Fact: session middleware takes its `store` from another project file.
struct StoreUse {
    middleware: &'static Middleware,
    import: ImportRef,
}

/// Fact: an exported instance-local session store.
struct StoreExport {
    name: String,
    rule: &'static Rule,
    what: &'static str,
    span: std::ops::Range<usize>,
}

/// The middleware a call configures, the node to point at, and its options argument.
fn middleware_call<'t>(
    call: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
) -> Option<(&'static Middleware, Node<'t>, Option<Node<'t>>)> {
    let callee = call.child_by_field_name("function")?;
    for mw in MIDDLEWARE {
        match mw.wiring {
            Wiring::Call if scope.is(callee, src, mw.modules, &[]) => {
                return Some((mw, callee, arg(call, 0)));
            }
            Wiring::Register => {
                let is_register = callee.kind() == "member_expression"
                    && callee
                        .child_by_field_name("property")
                        .is_some_and(|p| text(p, src) == "register");
                let plugin = arg(call, 0)?;
                if is_register && scope.is(plugin, src, mw.modules, &[]) {
                    return Some((mw, plugin, arg(call, 1)));
                }
            }
            Wiring::Call => {}
        }
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn check_options<'t>(
    mw: &'static Middleware,
    at: Node<'t>,
    options: Option<Node<'t>>,
    src: &str,
    scope: &ModuleScope<'t>,
    env: &EnvBranches<'t, '_>,
    here: &str,
    out: &mut Sink,
) {
    let value = match option(options, "store", scope, src) {
        Prop::Unknown => return,
        Prop::Absent => {
            out.push(Diagnostic::new(
                &rules::SL101,
                at.byte_range(),
                format!(
                    "{} has no `store`, so sessions live in this process's memory (its default MemoryStore)",
                    mw.name
                ),
                mw.help,
            ));
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
            mw.help,
        ));
        return;
    }
    if let Some((rule, what)) = local_store(value, src, scope) {
        out.push(store_diagnostic(mw, rule, what, value.byte_range()));
    } else if let Some(import) = scope.origin(value, src).and_then(|o| import_ref(here, &o)) {
        out.fact(StoreUse {
            middleware: mw,
            import,
        });
    }
}

fn store_diagnostic(
    mw: &Middleware,
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
    Diagnostic::new(rule, span, message, mw.help)
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
    let origin = scope.origin(class, src)?;
    let path = origin.path();
    LOCAL_STORES
        .iter()
        .find(|(m, p, _, _)| *m == origin.module && *p == path.as_slice())
        .map(|(_, _, rule, what)| (*rule, *what))
}

#[cfg(test)]
mod tests {
    use super::Sessions;
    use crate::detectors::js::run;

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
