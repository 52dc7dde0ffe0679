//! Rate limiters that count in the Node process: express-rate-limit and express-slow-down without
//! a `store` (their default memory store), rate-limiter-flexible's `RateLimiterMemory`, NestJS
//! `ThrottlerModule` without `storage`, @fastify/rate-limit without `redis`, koa-ratelimit's
//! memory driver. With N instances a client gets N times the limit.

use super::env::in_env_branch;
use super::module_scope::ModuleScope;
use super::options::{Prop, any_option, arg, head, option};
use crate::detectors::Detector;
use crate::diagnostic::Diagnostic;
use crate::parse::Tree;
use crate::parse::js::{key_name, preorder, string_value, text};
use crate::project::Sink;
use crate::rules;
use crate::source::{FileKind, SourceFile};
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

impl Detector for RateLimit {
    fn id(&self) -> &'static str {
        "js/rate-limit"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::JavaScript, FileKind::TypeScript, FileKind::Tsx]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "express-rate-limit",
            "express-slow-down",
            "RateLimiterMemory",
            "ThrottlerModule",
            "fastify/rate-limit",
            "fastify-rate-limit",
            "koa-ratelimit",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL503"]
    }

    fn check(&self, file: &SourceFile, tree: &Tree, out: &mut Sink) {
        let Tree::Js(tree) = tree else { return };
        let src = file.text.as_str();
        let root = tree.root_node();
        let scope = ModuleScope::new(root, src);
        preorder(root, |node| {
            match node.kind() {
                "call_expression" if !in_env_branch(node, src) => {
                    check_call(node, src, &scope, out)
                }
                "new_expression" if !in_env_branch(node, src) => check_new(node, src, &scope, out),
                _ => {}
            }
            true
        });
    }
}

fn check_call<'t>(call: Node<'t>, src: &str, scope: &ModuleScope<'t>, out: &mut Sink) {
    let Some(callee) = call.child_by_field_name("function") else {
        return;
    };
    // fastify.register(rateLimit, { redis })
    if callee
        .child_by_field_name("property")
        .is_some_and(|p| text(p, src) == "register")
        && let Some(plugin) = arg(call, 0)
        && scope.is(
            plugin,
            src,
            &["@fastify/rate-limit", "fastify-rate-limit"],
            &[],
        )
    {
        if matches!(
            any_option(arg(call, 1), &["redis", "store"], scope, src),
            Prop::Absent
        ) {
            out.push(Diagnostic::new(
                &rules::SL503,
                plugin.byte_range(),
                "@fastify/rate-limit has no `redis` store, so request counts live in this process's memory",
                FASTIFY_HELP,
            ));
        }
        return;
    }
    let Some(origin) = scope.origin(callee, src) else {
        return;
    };
    let path = origin.path();
    match (origin.module.as_str(), path.as_slice()) {
        ("express-rate-limit", [] | ["rateLimit"]) | ("express-slow-down", [] | ["slowDown"]) => {
            let name = origin.module.as_str();
            match option(arg(call, 0), "store", scope, src) {
                Prop::Absent => out.push(Diagnostic::new(
                    &rules::SL503,
                    callee.byte_range(),
                    format!("{name} has no `store`, so request counts live in this process's memory (its default MemoryStore)"),
                    EXPRESS_HELP,
                )),
                Prop::Value(store) => {
                    let store = scope.resolve(store, src);
                    let local = store.kind() == "new_expression"
                        && store.child_by_field_name("constructor").is_some_and(|c| {
                            scope.is(c, src, &["express-rate-limit"], &["MemoryStore"])
                                || scope.is(c, src, &["@express-rate-limit/cluster-memory-store"], &["ClusterMemoryStoreWorker"])
                                || scope.is(c, src, &["precise-memory-rate-limit"], &[])
                        });
                    if local {
                        out.push(Diagnostic::new(
                            &rules::SL503,
                            head(store),
                            format!("{name} store keeps request counts in this process's (or this host's) memory"),
                            EXPRESS_HELP,
                        ));
                    }
                }
                Prop::Unknown => {}
            }
        }
        ("@nestjs/throttler", ["ThrottlerModule", "forRoot"]) => {
            let first = arg(call, 0).map(|a| scope.resolve(a, src));
            let no_storage = match first {
                None => true,
                Some(a) if a.kind() == "array" => true,
                Some(_) => matches!(option(arg(call, 0), "storage", scope, src), Prop::Absent),
            };
            if no_storage {
                out.push(Diagnostic::new(
                    &rules::SL503,
                    callee.byte_range(),
                    "NestJS ThrottlerModule has no `storage`, so request counts live in this process's memory",
                    NEST_HELP,
                ));
            }
        }
        ("koa-ratelimit", []) => {
            if let Prop::Value(driver) = option(arg(call, 0), "driver", scope, src)
                && string_value(scope.resolve(driver, src), src) == Some("memory")
            {
                out.push(Diagnostic::new(
                    &rules::SL503,
                    driver.byte_range(),
                    "koa-ratelimit's memory driver keeps request counts in this process's memory",
                    KOA_HELP,
                ));
            }
        }
        _ => {}
    }
}

fn check_new<'t>(new: Node<'t>, src: &str, scope: &ModuleScope<'t>, out: &mut Sink) {
    let Some(class) = new.child_by_field_name("constructor") else {
        return;
    };
    if !scope.is(
        class,
        src,
        &["rate-limiter-flexible"],
        &["RateLimiterMemory"],
    ) {
        return;
    }
    // `insuranceLimiter: new RateLimiterMemory()` is the fallback of a shared limiter.
    let insurance = new.parent().is_some_and(|p| {
        p.kind() == "pair"
            && p.child_by_field_name("key")
                .is_some_and(|k| key_name(k, src) == "insuranceLimiter")
    });
    if !insurance {
        out.push(Diagnostic::new(
            &rules::SL503,
            head(new),
            "`RateLimiterMemory` keeps request counts in this process's memory",
            FLEXIBLE_HELP,
        ));
    }
}
