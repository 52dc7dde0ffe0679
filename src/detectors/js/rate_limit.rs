//! Rate limiters that count in the Node process: express-rate-limit and express-slow-down without
//! a `store` (their default memory store), rate-limiter-flexible's `RateLimiterMemory`, NestJS
//! `ThrottlerModule` without `storage`, @fastify/rate-limit without `redis`, koa-ratelimit's
//! memory driver. With N instances a client gets N times the limit. Hand-rolled limiters count
//! the same way: a module-level `Map` keyed by the client's address (`req.ip`,
//! `x-forwarded-for`, `remoteAddress`) in a function that limits (answers 429, or is named for
//! limiting or throttling).

use super::evaluate;
use super::model::{JsModel, Kind};
use super::module_scope::{Imported, ModuleScope};
use super::options::{Prop, arg, head};
use crate::detectors::table::{self, Library, Opt, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{key_name, preorder, text};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use std::sync::LazyLock;
use tree_sitter::Node;

/// In-process rate limiter counters.
pub struct RateLimit;

const EXPRESS_HELP: &str = "give the limiter a shared store, e.g. `store: new RedisStore({ sendCommand: \
    (...args) => client.sendCommand(args) })` from rate-limit-redis (or rate-limit-memcached, \
    @acpr/rate-limit-postgresql)";
const FLEXIBLE_HELP: &str = "use `RateLimiterRedis` (or `RateLimiterPostgres`, `RateLimiterMongo`) with a \
    shared client; keep `RateLimiterMemory` only as its `insuranceLimiter`";
const NEST_HELP: &str = "give ThrottlerModule a shared `storage`, e.g. `new ThrottlerStorageRedisService(redis)` \
    from @nest-lab/throttler-storage-redis";
const FASTIFY_HELP: &str =
    "pass `redis: new Redis(process.env.REDIS_URL)` (ioredis) to @fastify/rate-limit";
const KOA_HELP: &str = "use koa-ratelimit's `driver: 'redis'` with a shared `db` client";

/// A limiter row whose verdict is `$when` on `$key`.
macro_rules! limiter {
    ($package:literal, $path:expr, $usage:expr, $opt:expr, $when:expr, $message:expr, $fix:expr $(,)?) => {
        Library {
            symbol: Pattern {
                package: $package,
                path: $path,
            },
            usage: $usage,
            option: $opt,
            verdicts: &[Verdict {
                when: $when,
                rule: &rules::SL503,
                message: $message,
            }],
            fix: $fix,
            name: $package,
        }
    };
}

/// express-rate-limit / express-slow-down: the `store` option, its MemoryStore by default.
macro_rules! express {
    ($package:literal, $path:expr) => {
        limiter!(
            $package,
            $path,
            Usage::Call,
            STORE,
            When::Absent,
            concat!(
                $package,
                " has no `store`, so request counts live in this process's memory (its default MemoryStore)"
            ),
            EXPRESS_HELP,
        )
    };
}

const STORE: Option<Opt> = Some(Opt {
    key: "store",
    position: None,
});

/// Limiter middleware and modules whose default or chosen store counts in this process.
const LIMITERS: &[Library] = &[
    express!("express-rate-limit", &[]),
    express!("express-rate-limit", &["rateLimit"]),
    express!("express-slow-down", &[]),
    express!("express-slow-down", &["slowDown"]),
    // `fastify.register(rateLimit, { redis })`.
    limiter!(
        "@fastify/rate-limit",
        &[],
        Usage::Call,
        FASTIFY_STORE,
        When::Absent,
        FASTIFY_ABSENT,
        FASTIFY_HELP,
    ),
    limiter!(
        "fastify-rate-limit",
        &[],
        Usage::Call,
        FASTIFY_STORE,
        When::Absent,
        FASTIFY_ABSENT,
        FASTIFY_HELP,
    ),
    limiter!(
        "@nestjs/throttler",
        &["ThrottlerModule", "forRoot"],
        Usage::Call,
        STORAGE,
        When::Absent,
        NEST_ABSENT,
        NEST_HELP,
    ),
    limiter!(
        "@nestjs/throttler",
        &["ThrottlerModule", "forRootAsync"],
        Usage::Call,
        STORAGE,
        When::Absent,
        NEST_ABSENT,
        NEST_HELP,
    ),
    limiter!(
        "koa-ratelimit",
        &[],
        Usage::Call,
        Some(Opt {
            key: "driver",
            position: None,
        }),
        When::OneOf(&["memory"]),
        "koa-ratelimit's memory driver keeps request counts in this process's memory",
        KOA_HELP,
    ),
    limiter!(
        "rate-limiter-flexible",
        &["RateLimiterMemory"],
        Usage::Construct,
        None,
        When::Used,
        "`RateLimiterMemory` keeps request counts in this process's memory",
        FLEXIBLE_HELP,
    ),
];

const FASTIFY_STORE: Option<Opt> = Some(Opt {
    key: "redis|store",
    position: None,
});
const FASTIFY_ABSENT: &str =
    "@fastify/rate-limit has no `redis` store, so request counts live in this process's memory";
const STORAGE: Option<Opt> = Some(Opt {
    key: "storage",
    position: None,
});
const NEST_ABSENT: &str =
    "NestJS ThrottlerModule has no `storage`, so request counts live in this process's memory";

/// Stores that count in this process (or on this host) when given to express-rate-limit.
const LOCAL_STORES: &[Pattern] = &[
    Pattern {
        package: "express-rate-limit",
        path: &["MemoryStore"],
    },
    Pattern {
        package: "@express-rate-limit/cluster-memory-store",
        path: &["ClusterMemoryStoreWorker"],
    },
    Pattern {
        package: "precise-memory-rate-limit",
        path: &[],
    },
];

static TRIGGERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut t = table::triggers(&[LIMITERS]);
    // Hand-rolled limiters over a module-level `Map`.
    t.push("new Map");
    t
});
static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[LIMITERS]));

impl Detector for RateLimit {
    fn id(&self) -> &'static str {
        "js/rate-limit"
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
}

/// Judges a limiter row's use: its verdict on the deciding option, and by hand a local store
/// given to express-rate-limit, ThrottlerModule's list form, and RateLimiterMemory's shared
/// alternatives.
fn check_use<'t>(
    used: &evaluate::Use<'static, 't>,
    src: &'t str,
    scope: &ModuleScope<'t>,
    out: &mut Sink,
) {
    let row = used.row;
    let (mut value, prop) = used.option(scope, src);
    // `ThrottlerModule.forRoot([{ ttl, limit }])`: the list form has no `storage`.
    if row.option == STORAGE
        && let Ok(Some(options)) = used.options(scope, src)
        && scope.resolve(options, src).kind() == "array"
    {
        value = OptionValue::Absent;
    }
    if row.usage == Usage::Construct && !memory_limiter_counts(used.node, src, scope) {
        return;
    }
    match (row.verdict(value), prop) {
        (Some(verdict), Prop::Value(at)) => out.push(Diagnostic::new(
            verdict.rule,
            at.byte_range(),
            verdict.message,
            row.fix,
        )),
        (Some(verdict), _) => {
            let at = if row.usage == Usage::Construct {
                head(used.node)
            } else {
                used.named.byte_range()
            };
            out.push(Diagnostic::new(verdict.rule, at, verdict.message, row.fix));
        }
        (None, Prop::Value(store)) if row.option == STORE => {
            let store = scope.resolve(store, src);
            let local = store.kind() == "new_expression"
                && store
                    .child_by_field_name("constructor")
                    .and_then(|c| scope.origin(c, src))
                    .is_some_and(|s| evaluate::any(LOCAL_STORES, &s));
            if local {
                out.push(Diagnostic::new(
                    &rules::SL503,
                    head(store),
                    format!(
                        "{} store keeps request counts in this process's (or this host's) memory",
                        row.name
                    ),
                    EXPRESS_HELP,
                ));
            }
        }
        _ => {}
    }
}

impl Check<JsModel<'_>> for RateLimit {
    fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
        let _file = model.file;
        let src = model.src;
        let scope = model.scope();
        let env = model.env();
        let mut counters: Vec<usize> = Vec::new();
        for node in model.nodes(&[Kind::Call, Kind::New]) {
            let mut found = Sink::default();
            if let Some(used) = evaluate::find(LIMITERS, node, scope, src) {
                check_use(&used, src, scope, &mut found);
            }
            check_ip_counter(node, src, scope, &mut counters, &mut found);
            if !found.is_empty() && !env.contains(node) {
                out.extend(found.diagnostics);
            }
        }
    }
}

const HAND_ROLLED_HELP: &str = "count requests where every instance sees them: Redis `INCR` + \
    `EXPIRE` on a per-client key (or @upstash/ratelimit, rate-limiter-flexible's \
    `RateLimiterRedis`), or limit at the load balancer / API gateway";

/// Words in a header or member name that carry the client's address.
const CLIENT_ADDRESS: &[&str] = &[
    "x-forwarded-for",
    "x-real-ip",
    "cf-connecting-ip",
    "true-client-ip",
    "remoteaddress",
    "clientip",
    "client_ip",
];

/// `counts.get(ip)` / `.set(ip, …)` / `.has(ip)` on a module-level `new Map()` in a function that
/// limits: a hand-rolled rate limiter whose counters are this process's.
fn check_ip_counter<'t>(
    call: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    reported: &mut Vec<usize>,
    out: &mut Sink,
) {
    let Some(callee) = call
        .child_by_field_name("function")
        .filter(|c| c.kind() == "member_expression")
    else {
        return;
    };
    let is_access = callee
        .child_by_field_name("property")
        .is_some_and(|p| matches!(text(p, src), "get" | "set" | "has"));
    let Some(object) = callee
        .child_by_field_name("object")
        .filter(|o| is_access && o.kind() == "identifier")
    else {
        return;
    };
    let map = scope.resolve(object, src);
    if reported.contains(&map.id()) || !is_module_level_map(map, src) {
        return;
    }
    let Some(key) = arg(call, 0) else { return };
    if !is_client_address(key, src, scope, 0) {
        return;
    }
    let name = text(object, src);
    let limiting = |n: &str| {
        let n = n.to_ascii_lowercase();
        ["limit", "throttl", "ratelimit", "attempt"]
            .iter()
            .any(|w| n.contains(w))
    };
    let function = super::module_scope::enclosing_function(call);
    let answers_429 = function.is_some_and(|f| {
        let mut found = false;
        preorder(f, |n| {
            found |= n.kind() == "number" && text(n, src) == "429";
            !found
        });
        found
    });
    let named = function
        .and_then(function_name)
        .is_some_and(|f| limiting(text(f, src)));
    if !(answers_429 || named || limiting(name)) {
        return;
    }
    reported.push(map.id());
    out.push(Diagnostic::new(
        &rules::SL503,
        head(map),
        format!(
            "hand-rolled rate limiter: `{name}` counts requests per client address in this process's memory, so each instance keeps its own counts"
        ),
        HAND_ROLLED_HELP,
    ));
}

/// `new Map()` declared at the top of the module (also `export const`).
fn is_module_level_map(node: Node<'_>, src: &str) -> bool {
    node.kind() == "new_expression"
        && node
            .child_by_field_name("constructor")
            .is_some_and(|c| text(c, src) == "Map")
        && node
            .parent()
            .filter(|d| d.kind() == "variable_declarator")
            .and_then(|d| d.parent())
            .and_then(|l| l.parent())
            .is_some_and(|top| {
                top.kind() == "program"
                    || top.kind() == "export_statement"
                        && top.parent().is_some_and(|p| p.kind() == "program")
            })
}

/// The name of a function: its declaration's, or the `const` / property it is assigned to.
fn function_name(function: Node<'_>) -> Option<Node<'_>> {
    if let Some(name) = function.child_by_field_name("name") {
        return Some(name);
    }
    let parent = function.parent()?;
    match parent.kind() {
        "variable_declarator" => parent.child_by_field_name("name"),
        "pair" => parent.child_by_field_name("key"),
        // `(req, p) => …` returned by `const limit = (handler) => …`.
        "return_statement" | "arrow_function" | "statement_block" => {
            super::module_scope::enclosing_function(function).and_then(function_name)
        }
        _ => None,
    }
}

/// Whether an expression is (or is built from) the client's address: `req.ip`, `request.ip`,
/// `ctx.ip`, an `x-forwarded-for` / `x-real-ip` header, `socket.remoteAddress`, following the
/// `const`s it names.
fn is_client_address<'t>(node: Node<'t>, src: &str, scope: &ModuleScope<'t>, depth: usize) -> bool {
    let lower = text(node, src).to_ascii_lowercase();
    if CLIENT_ADDRESS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    let mut found = false;
    preorder(node, |n| {
        if found {
            return false;
        }
        match n.kind() {
            "member_expression" => {
                let object = n.child_by_field_name("object").map(|o| text(o, src));
                let property = n.child_by_field_name("property").map(|p| text(p, src));
                if matches!(object, Some("req" | "request" | "ctx" | "ctx.request"))
                    && matches!(property, Some("ip" | "ips"))
                {
                    found = true;
                }
            }
            "identifier" if depth < 3 => {
                let resolved = scope.resolve(n, src);
                if resolved.id() != n.id() {
                    found = is_client_address(resolved, src, scope, depth + 1);
                }
            }
            _ => {}
        }
        !found
    });
    found
}

/// Whether a `new RateLimiterMemory()` is the limiter production counts with.
fn memory_limiter_counts<'t>(new: Node<'t>, src: &str, scope: &ModuleScope<'t>) -> bool {
    // A file that also builds a shared limiter picks the memory one by configuration
    // (`switch (env.RATE_LIMITER_STORE)`); production chooses the shared one.
    let shared_alternative = scope.bindings.iter().any(|b| {
        b.module == "rate-limiter-flexible"
            && matches!(&b.imported, Imported::Named(n) if n.starts_with("RateLimiter")
                && !matches!(n.as_str(), "RateLimiterMemory" | "RateLimiterRes" | "RateLimiterCluster" | "RateLimiterQueue" | "RateLimiterAbstract"))
    });
    // `insuranceLimiter: new RateLimiterMemory()` is the fallback of a shared limiter.
    let insurance = new.parent().is_some_and(|p| {
        p.kind() == "pair"
            && p.child_by_field_name("key")
                .is_some_and(|k| key_name(k, src) == "insuranceLimiter")
    });
    !shared_alternative && !insurance
}

#[cfg(test)]
mod tests {
    use super::{LIMITERS, RateLimit};
    use crate::detectors::js::{evaluate, run};

    #[test]
    fn rows_are_covered_and_stores_decide() {
        evaluate::assert_covered(&RateLimit, &[LIMITERS]);
        let express = "const rateLimit = require('express-rate-limit');\nconst { MemoryStore } = rateLimit;\napp.use(rateLimit({ windowMs: 1000 }));\napp.use(rateLimit({ store: new MemoryStore() }));\napp.use(rateLimit({ store: new RedisStore({ client }) }));\n";
        assert_eq!(
            run(&RateLimit, "app.js", express),
            [("SL503", 3), ("SL503", 4)]
        );
        let koa = "const ratelimit = require('koa-ratelimit');\napp.use(ratelimit({\n  driver: 'memory', db: new Map() }));\napp.use(ratelimit({ driver: 'redis', db: redis }));\n";
        assert_eq!(run(&RateLimit, "app.js", koa), [("SL503", 3)]);
        let fastify = "import rateLimit from '@fastify/rate-limit';\nawait fastify.register(rateLimit, { max: 100 });\nawait fastify.register(rateLimit, { redis });\n";
        assert_eq!(run(&RateLimit, "app.ts", fastify), [("SL503", 2)]);
    }

    #[test]
    fn hand_rolled_limiters_need_a_client_key_and_limiting() {
        let limiter = "const counts = new Map();\nfunction guard(req, res, next) {\n  const n = (counts.get(req.ip) || 0) + 1;\n  counts.set(req.ip, n);\n  if (n > 50) return res.sendStatus(429);\n  next();\n}\n";
        assert_eq!(run(&RateLimit, "mw.js", limiter), [("SL503", 1)]);
        // Keyed by the user, not the client address: some other per-user state.
        let by_user = limiter.replace("req.ip", "req.user.id");
        assert!(run(&RateLimit, "mw.js", &by_user).is_empty());
        // Keyed by address but nothing limits: not a rate limiter.
        let no_limit = limiter.replace("return res.sendStatus(429)", "req.seen = n");
        assert!(run(&RateLimit, "mw.js", &no_limit).is_empty());
        // A Map made per call holds nothing between requests.
        let local = limiter.replace(
            "const counts = new Map();\nfunction guard(req, res, next) {\n",
            "function guard(req, res, next) {\n  const counts = new Map();\n",
        );
        assert!(run(&RateLimit, "mw.js", &local).is_empty());
    }

    #[test]
    fn nest_throttler_sync_and_async() {
        let header = "import { ThrottlerModule } from '@nestjs/throttler';\n";
        let cases = [
            (
                "ThrottlerModule.forRoot([{ ttl: 60000, limit: 10 }]);\n",
                true,
            ),
            (
                "ThrottlerModule.forRoot({ throttlers: [], storage: new ThrottlerStorageRedisService(r) });\n",
                false,
            ),
            (
                "ThrottlerModule.forRootAsync({ useFactory: () => [{ ttl: 1, limit: 2 }] });\n",
                true,
            ),
            (
                "ThrottlerModule.forRootAsync({ useFactory: (c) => ({ throttlers: [], storage: new S(c) }) });\n",
                false,
            ),
            (
                "ThrottlerModule.forRootAsync({ useFactory: (c) => { const s = build(c); return s; } });\n",
                false,
            ),
            (
                "ThrottlerModule.forRootAsync({ useClass: ThrottlerConfig });\n",
                false,
            ),
        ];
        for (code, fires) in cases {
            let found = run(&RateLimit, "app.module.ts", &format!("{header}{code}"));
            assert_eq!(!found.is_empty(), fires, "{code}");
        }
    }
}
