//! Caches that live in the Node process: node-cache, lru-cache, memory-cache, cache-manager's
//! memory store, NestJS `CacheModule` without a store, apicache without Redis, and a module-level
//! `Map` that an async function fills with fetched data. Each instance then holds its own copy,
//! starts cold, and misses invalidations made on the others.

use super::model::JsModel;
use super::module_scope::{ModuleScope, enclosing_function, unparenthesize};
use super::options::{Prop, any_option, arg, head, option, returned_value};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{preorder, string_value, text};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use std::collections::HashSet;
use tree_sitter::Node;

/// In-process caches of application data.
pub struct Caches;

const HELP: &str = "cache shared data in Redis or Memcached (ioredis/redis, keyv with @keyv/redis, \
    cache-manager with a Redis store), or keep the local cache only for immutable data and \
    accept that each instance warms it separately";
const NEST_HELP: &str = "give CacheModule a shared store, e.g. `CacheModule.registerAsync({ useFactory: \
    () => ({ stores: [new KeyvRedis(process.env.REDIS_URL)] }) })` with @keyv/redis (or \
    `store: redisStore` from cache-manager-redis-yet on older versions)";

/// Cache classes constructed with `new`: (module, member path, name shown).
const CLASSES: &[(&str, &[&str], &str)] = &[
    ("node-cache", &[], "node-cache"),
    ("lru-cache", &["LRUCache"], "lru-cache"),
    ("lru-cache", &[], "lru-cache"),
    ("memory-cache", &["Cache"], "memory-cache"),
    ("quick-lru", &[], "quick-lru"),
    ("mnemonist/lru-cache", &[], "mnemonist's LRUCache"),
    ("@isaacs/ttlcache", &[], "@isaacs/ttlcache"),
    ("ttl-cache", &[], "ttl-cache"),
    ("keyv", &[], "keyv without a store"),
];

const NEST_CACHE: &[&str] = &["@nestjs/cache-manager", "@nestjs/common"];

impl Detector for Caches {
    fn id(&self) -> &'static str {
        "js/caches"
    }
    fn kinds(&self) -> &'static [FileKind] {
        super::JS_KINDS
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "node-cache",
            "lru-cache",
            "memory-cache",
            "quick-lru",
            "ttlcache",
            "ttl-cache",
            "keyv",
            "cache-manager",
            "CacheModule",
            "apicache",
            "new Map",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL301"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Js(self)
    }
}

fn check_new<'t>(new: Node<'t>, src: &str, scope: &ModuleScope<'t>, out: &mut Sink) {
    let Some(class) = new.child_by_field_name("constructor") else {
        return;
    };
    let Some(origin) = scope.origin(class, src) else {
        return;
    };
    let path = origin.path();
    let Some((_, _, name)) = CLASSES
        .iter()
        .find(|(m, p, _)| *m == origin.package && *p == path.as_slice())
    else {
        return;
    };
    // keyv keeps data in a Map only when no store or URI is given.
    if origin.package == "keyv" {
        let first = arg(new, 0);
        let shared = first.is_some_and(|a| string_value(scope.resolve(a, src), src).is_some())
            || !matches!(
                any_option(first, &["store", "uri"], scope, src),
                Prop::Absent
            );
        if shared {
            return;
        }
    }
    out.push(Diagnostic::new(
        &rules::SL301,
        head(new),
        format!("{name} keeps cached data in this process's memory"),
        HELP,
    ));
}

impl Check<JsModel<'_>> for Caches {
    fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
        let file = model.file;
        let src = model.src;
        let root = model.root;
        let scope = model.scope();
        let mut memory_cache_reported = false;
        // Migrations and one-off scripts run once; a memo there is not state the web tier serves.
        let one_off = file.rel_path.split('/').any(|c| {
            matches!(
                c,
                "migrations" | "migration" | "seeds" | "seeders" | "scripts" | "bin"
            )
        });
        let map_caches = if one_off {
            Vec::new()
        } else {
            module_map_caches(root, src)
        };
        let mut filled: HashSet<&str> = HashSet::new();
        let env = &model.env;
        preorder(root, |node| {
            match node.kind() {
                "new_expression" | "call_expression" if env.contains(node) => return false,
                "new_expression" => check_new(node, src, scope, out),
                "call_expression" => {
                    let Some(callee) = node.child_by_field_name("function") else {
                        return true;
                    };
                    if !memory_cache_reported && scope.is(callee, src, &["memory-cache"], &["put"])
                    {
                        memory_cache_reported = true;
                        out.push(Diagnostic::new(
                            &rules::SL301,
                            callee.byte_range(),
                            "memory-cache keeps cached data in this process's memory",
                            HELP,
                        ));
                    }
                    check_call(node, callee, src, scope, out);
                    filled.extend(map_set_after_await(node, callee, src, &map_caches));
                }
                _ => {}
            }
            true
        });
        for (name, decl) in map_caches {
            if filled.contains(name) {
                out.push(Diagnostic::new(
                    &rules::SL301,
                    decl.byte_range(),
                    format!(
                        "module-level `Map` `{name}` caches fetched data in this process's memory"
                    ),
                    HELP,
                ));
            }
        }
    }
}

fn check_call<'t>(
    call: Node<'t>,
    callee: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    out: &mut Sink,
) {
    let Some(origin) = scope.origin(callee, src) else {
        return;
    };
    let module = origin.package.as_str();
    let path = origin.path();
    match (module, path.as_slice()) {
        // cache-manager ≤5: caching('memory', …); ≥6: createCache({ stores }) defaults to memory.
        ("cache-manager", ["caching"]) => {
            let first = arg(call, 0).map(|a| scope.resolve(a, src));
            if first.and_then(|a| string_value(a, src)) == Some("memory") {
                out.push(Diagnostic::new(
                    &rules::SL301,
                    head(call),
                    "cache-manager's memory store keeps cached data in this process's memory",
                    HELP,
                ));
            }
        }
        ("cache-manager", ["createCache"]) => {
            if matches!(
                any_option(arg(call, 0), &["stores", "store"], scope, src),
                Prop::Absent
            ) {
                out.push(Diagnostic::new(
                    &rules::SL301,
                    head(call),
                    "cache-manager `createCache()` without `stores` keeps cached data in this process's memory",
                    HELP,
                ));
            }
        }
        (m, ["CacheModule", "register"]) if NEST_CACHE.contains(&m) => {
            if matches!(
                any_option(arg(call, 0), &["stores", "store"], scope, src),
                Prop::Absent
            ) {
                nest_finding(callee, out);
            }
        }
        (m, ["CacheModule", "registerAsync"]) if NEST_CACHE.contains(&m) => {
            // The factory's returned object, when it is written inline.
            if let Prop::Value(factory) = option(arg(call, 0), "useFactory", scope, src)
                && let Some(returned) =
                    returned_value(scope.resolve(factory, src)).filter(|r| r.kind() == "object")
                && matches!(
                    any_option(Some(returned), &["stores", "store"], scope, src),
                    Prop::Absent
                )
            {
                nest_finding(callee, out);
            }
        }
        ("apicache", ["middleware"]) => {
            let text_all = src;
            if !text_all.contains("redisClient") {
                out.push(Diagnostic::new(
                    &rules::SL301,
                    callee.byte_range(),
                    "apicache without `redisClient` keeps cached responses in this process's memory",
                    "give apicache a shared Redis: `apicache.options({ redisClient: redis.createClient({ url: process.env.REDIS_URL }) })`",
                ));
            }
        }
        _ => {}
    }
}

fn nest_finding(callee: Node<'_>, out: &mut Sink) {
    out.push(Diagnostic::new(
        &rules::SL301,
        callee.byte_range(),
        "NestJS CacheModule has no store, so cached data lives in this process's memory (its default in-memory store)",
        NEST_HELP,
    ));
}

/// Top-level `const cache = new Map()` whose name says it caches: (name, declarator).
fn module_map_caches<'t, 's>(root: Node<'t>, src: &'s str) -> Vec<(&'s str, Node<'t>)> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        let decl_stmt = if stmt.kind() == "export_statement" {
            stmt.child_by_field_name("declaration")
        } else {
            Some(stmt)
        };
        let Some(decl_stmt) = decl_stmt
            .filter(|d| matches!(d.kind(), "lexical_declaration" | "variable_declaration"))
        else {
            continue;
        };
        let mut c = decl_stmt.walk();
        for decl in decl_stmt.named_children(&mut c) {
            let (Some(name), Some(value)) = (
                decl.child_by_field_name("name"),
                decl.child_by_field_name("value"),
            ) else {
                continue;
            };
            let value = unparenthesize(value);
            let is_map = value.kind() == "new_expression"
                && value
                    .child_by_field_name("constructor")
                    .is_some_and(|c| text(c, src) == "Map");
            let n = text(name, src);
            let lower = n.to_ascii_lowercase();
            if is_map
                && name.kind() == "identifier"
                && (lower.contains("cache") || lower.contains("memo"))
            {
                out.push((n, decl));
            }
        }
    }
    out
}

/// `cache.set(k, v)` inside an async function that awaits something: the name of the map.
fn map_set_after_await<'s>(
    call: Node<'_>,
    callee: Node<'_>,
    src: &'s str,
    maps: &[(&'s str, Node<'_>)],
) -> Option<&'s str> {
    if callee.kind() != "member_expression"
        || callee.child_by_field_name("property").map(|p| text(p, src)) != Some("set")
    {
        return None;
    }
    let object = text(callee.child_by_field_name("object")?, src);
    let (name, _) = maps.iter().find(|(n, _)| *n == object)?;
    let body = enclosing_function(call)?.child_by_field_name("body")?;
    let mut awaits = false;
    preorder(body, |n| {
        awaits |= n.kind() == "await_expression";
        !awaits
    });
    awaits.then_some(*name)
}
