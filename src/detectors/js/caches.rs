//! Caches that live in the Node process: node-cache, lru-cache, memory-cache, cache-manager's
//! memory store, NestJS `CacheModule` without a store, apicache without Redis, and a module-level
//! `Map` that an async function fills with fetched data. Each instance then holds its own copy,
//! starts cold, and misses invalidations made on the others.

use super::evaluate;
use super::model::{JsModel, Kind};
use super::module_scope::{ModuleScope, enclosing_function, unparenthesize};
use super::options::head;
use crate::detectors::table::{self, Library, Opt, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{preorder, text};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use std::collections::HashSet;
use std::sync::LazyLock;
use tree_sitter::Node;

/// In-process caches of application data.
pub struct Caches;

const HELP: &str = "cache shared data in Redis or Memcached (ioredis/redis, keyv with @keyv/redis, \
    cache-manager with a Redis store), or keep the local cache only for immutable data and \
    accept that each instance warms it separately";
const NEST_HELP: &str = "give CacheModule a shared store, e.g. `CacheModule.registerAsync({ useFactory: \
    () => ({ stores: [new KeyvRedis(process.env.REDIS_URL)] }) })` with @keyv/redis (or \
    `store: redisStore` from cache-manager-redis-yet on older versions)";

/// A cache row: using it keeps cached data in this process, unless `$opt` decides otherwise.
macro_rules! cache {
    ($package:literal, $path:expr, $usage:expr, $message:expr, $fix:expr $(,)?) => {
        cache!($package, $path, $usage, None, When::Used, $message, $fix)
    };
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
                rule: &rules::SL301,
                message: $message,
            }],
            fix: $fix,
            name: $package,
        }
    };
}

/// A class constructed with `new` that keeps its entries in this process.
macro_rules! class {
    ($package:literal, $path:expr, $name:literal) => {
        cache!(
            $package,
            $path,
            Usage::Construct,
            concat!($name, " keeps cached data in this process's memory"),
            HELP,
        )
    };
}

/// `stores` (cache-manager ≥6, NestJS ≥10) or `store` (older versions).
const STORES: Option<Opt> = Some(Opt {
    key: "stores|store",
    position: None,
});
const NEST_ABSENT: &str = "NestJS CacheModule has no store, so cached data lives in this process's memory (its default in-memory store)";

/// Caches in the process, and the calls that make one.
const CACHES: &[Library] = &[
    class!("node-cache", &[], "node-cache"),
    class!("lru-cache", &["LRUCache"], "lru-cache"),
    class!("lru-cache", &[], "lru-cache"),
    class!("memory-cache", &["Cache"], "memory-cache"),
    class!("quick-lru", &[], "quick-lru"),
    class!("mnemonist/lru-cache", &[], "mnemonist's LRUCache"),
    class!("@isaacs/ttlcache", &[], "@isaacs/ttlcache"),
    class!("ttl-cache", &[], "ttl-cache"),
    // keyv keeps data in a Map only when no store or URI is given.
    cache!(
        "keyv",
        &[],
        Usage::Construct,
        Some(Opt {
            key: "store|uri",
            position: Some(0),
        }),
        When::Absent,
        "keyv without a store keeps cached data in this process's memory",
        HELP,
    ),
    // Reported once per file: every `put` fills the same module-level cache.
    cache!(
        "memory-cache",
        &["put"],
        Usage::Call,
        "memory-cache keeps cached data in this process's memory",
        HELP,
    ),
    // cache-manager ≤5: caching('memory', …); ≥6: createCache({ stores }) defaults to memory.
    cache!(
        "cache-manager",
        &["caching"],
        Usage::Call,
        Some(Opt {
            key: "store",
            position: Some(0),
        }),
        When::OneOf(&["memory"]),
        "cache-manager's memory store keeps cached data in this process's memory",
        HELP,
    ),
    cache!(
        "cache-manager",
        &["createCache"],
        Usage::Call,
        STORES,
        When::Absent,
        "cache-manager `createCache()` without `stores` keeps cached data in this process's memory",
        HELP,
    ),
    cache!(
        "@nestjs/cache-manager",
        &["CacheModule", "register"],
        Usage::Call,
        STORES,
        When::Absent,
        NEST_ABSENT,
        NEST_HELP
    ),
    cache!(
        "@nestjs/common",
        &["CacheModule", "register"],
        Usage::Call,
        STORES,
        When::Absent,
        NEST_ABSENT,
        NEST_HELP
    ),
    cache!(
        "@nestjs/cache-manager",
        &["CacheModule", "registerAsync"],
        Usage::Call,
        STORES,
        When::Absent,
        NEST_ABSENT,
        NEST_HELP
    ),
    cache!(
        "@nestjs/common",
        &["CacheModule", "registerAsync"],
        Usage::Call,
        STORES,
        When::Absent,
        NEST_ABSENT,
        NEST_HELP
    ),
    // Without `redisClient` anywhere in the file (`apicache.options({ redisClient })`).
    cache!(
        "apicache",
        &["middleware"],
        Usage::Call,
        "apicache without `redisClient` keeps cached responses in this process's memory",
        "give apicache a shared Redis: `apicache.options({ redisClient: redis.createClient({ url: process.env.REDIS_URL }) })`",
    ),
];

/// By hand, checked against the rows by a test: the rows' members (`Cache`, `middleware`,
/// `register`) are in far more files than these packages are. `new Map`: a module-level `Map`
/// filled with fetched data.
const TRIGGERS: &[&str] = &[
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
];
static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[CACHES]));

impl Detector for Caches {
    fn id(&self) -> &'static str {
        "js/caches"
    }
    fn kinds(&self) -> &'static [FileKind] {
        super::JS_KINDS
    }
    fn triggers(&self) -> &'static [&'static str] {
        TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Js(self)
    }
}

/// Reports a row's verdict on a call or `new` (the once-per-file `memory-cache.put` and
/// apicache's file-wide `redisClient` are judged here).
fn check_use<'t>(
    used: &evaluate::Use<'static, 't>,
    src: &'t str,
    scope: &ModuleScope<'t>,
    memory_cache_reported: &mut bool,
    out: &mut Sink,
) {
    let symbol = &used.row.symbol;
    if symbol.package == "memory-cache" && used.row.usage == Usage::Call {
        if *memory_cache_reported {
            return;
        }
        *memory_cache_reported = true;
    }
    if symbol.package == "apicache" && src.contains("redisClient") {
        return;
    }
    if let Some((verdict, _)) = used.verdict(scope, src) {
        out.push(Diagnostic::new(
            verdict.rule,
            head(used.node),
            verdict.message,
            used.row.fix,
        ));
    }
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
        let env = model.env();
        model.visit(&[Kind::New, Kind::Call], |node| {
            if env.contains(node) {
                return false;
            }
            if let Some(used) = evaluate::find(CACHES, node, scope, src) {
                check_use(&used, src, scope, &mut memory_cache_reported, out);
            }
            if let Some(callee) = node.child_by_field_name("function") {
                filled.extend(map_set_after_await(node, callee, src, &map_caches));
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

#[cfg(test)]
mod tests {
    use super::{CACHES, Caches};
    use crate::detectors::js::{evaluate, run};

    #[test]
    fn rows_are_covered_and_options_decide() {
        evaluate::assert_covered(&Caches, &[CACHES]);
        let keyv = "import Keyv from 'keyv';\nconst a = new Keyv();\nconst b = new Keyv('redis://cache:6379');\nconst c = new Keyv({ uri: process.env.REDIS_URL });\n";
        assert_eq!(run(&Caches, "cache.ts", keyv), [("SL301", 2)]);
        let nest = "import { CacheModule } from '@nestjs/cache-manager';\nCacheModule.register();\nCacheModule.register({ stores: [redis] });\nCacheModule.registerAsync({ useFactory: () => ({ ttl: 5 }) });\nCacheModule.registerAsync({ useFactory: make });\n";
        assert_eq!(
            run(&Caches, "app.module.ts", nest),
            [("SL301", 2), ("SL301", 4)]
        );
        let put =
            "const cache = require('memory-cache');\ncache.put('a', 1);\ncache.put('b', 2);\n";
        assert_eq!(run(&Caches, "app.js", put), [("SL301", 2)]);
    }
}
