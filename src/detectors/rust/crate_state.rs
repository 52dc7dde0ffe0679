//! Crates whose values hold state in one process of a Rust web service, found where the value is
//! built: in-memory caches (moka, mini-moka, quick_cache, lru, cached's stores), in-process
//! schedulers (tokio-cron-scheduler, clokwerk), tokio `broadcast` channels feeding websockets,
//! in-memory rate limiters (governor, tower_governor, actix-governor), SQLite as the database
//! (sqlx, diesel, rusqlite, r2d2_sqlite, tokio-rusqlite) and cookie keys generated at start.
//! Paths are resolved through `use`, renames, re-exports and the crate's `Cargo.toml`; only crates
//! that depend on a web framework are judged (a CLI's cache is not a service's state). Silent:
//! micro-caches (a time-to-live of a minute or less, also through a `Duration` const), SQLite in a
//! crate that also connects to Postgres/MySQL (one backend among several), and broadcast channels
//! in a crate that subscribes to a broker (Redis pub/sub, Postgres `LISTEN`, NATS).

use super::crates::{self, Crates, Hit};
use super::durations::{file_consts, is_short_duration};
use super::model::RustModel;
use super::use_paths::{UsePaths, binding};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::rust::span_range;
use crate::project::{Facts, Located, Sink};
use crate::rules::{self, Rule};
use crate::source::{FileKind, SourceFile};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Values of instance-local state built from well-known crates.
pub struct CrateState;

/// A constructor of instance-local state: `<crate>::…::<ty>::<function>`.
struct Known {
    crates: &'static [&'static str],
    ty: &'static str,
    /// Constructor names; empty means any associated function.
    fns: &'static [&'static str],
    rule: &'static Rule,
    what: &'static str,
    help: &'static str,
}

const CACHE_HELP: &str = "share the cache: Redis (`redis`, `fred` or `deadpool-redis`), or keep \
    it local only for data every instance may hold a stale copy of, with a short TTL (and say \
    so in a comment)";
const SCHEDULER_HELP: &str = "run periodic jobs once for the whole deployment: a separate \
    worker process or a Kubernetes CronJob, or guard each run with a lock every instance sees \
    (a Postgres advisory lock, a Redis `SET NX PX` lease)";
const LIMIT_HELP: &str = "count requests where every instance sees the counts: a Redis-backed \
    limiter (e.g. a `redis` `INCR`/`EXPIRE` window or GCRA script), or rate-limit at the load \
    balancer / API gateway";
const SQLITE_HELP: &str = "use a database server every instance reaches (sqlx `PgPool` / \
    `MySqlPool`, diesel `PgConnection`), configured from `DATABASE_URL`";
const KEY_HELP: &str = "load the key from configuration shared by every instance, e.g. \
    `Key::from(&hex::decode(std::env::var(\"SESSION_KEY\")?)?)` (64 bytes)";

const KNOWN: &[Known] = &[
    Known {
        crates: &["moka"],
        ty: "Cache",
        fns: &[],
        rule: &rules::SL301,
        what: "a moka cache",
        help: CACHE_HELP,
    },
    Known {
        crates: &["moka"],
        ty: "SegmentedCache",
        fns: &[],
        rule: &rules::SL301,
        what: "a moka cache",
        help: CACHE_HELP,
    },
    Known {
        crates: &["moka"],
        ty: "CacheBuilder",
        fns: &[],
        rule: &rules::SL301,
        what: "a moka cache",
        help: CACHE_HELP,
    },
    Known {
        crates: &["mini_moka"],
        ty: "Cache",
        fns: &[],
        rule: &rules::SL301,
        what: "a mini-moka cache",
        help: CACHE_HELP,
    },
    Known {
        crates: &["quick_cache"],
        ty: "Cache",
        fns: &[],
        rule: &rules::SL301,
        what: "a quick_cache cache",
        help: CACHE_HELP,
    },
    Known {
        crates: &["lru"],
        ty: "LruCache",
        fns: &[],
        rule: &rules::SL301,
        what: "an lru `LruCache`",
        help: CACHE_HELP,
    },
    Known {
        crates: &["cached"],
        ty: "TimedCache",
        fns: &[],
        rule: &rules::SL301,
        what: "a cached `TimedCache`",
        help: CACHE_HELP,
    },
    Known {
        crates: &["cached"],
        ty: "SizedCache",
        fns: &[],
        rule: &rules::SL301,
        what: "a cached `SizedCache`",
        help: CACHE_HELP,
    },
    Known {
        crates: &["cached"],
        ty: "TimedSizedCache",
        fns: &[],
        rule: &rules::SL301,
        what: "a cached `TimedSizedCache`",
        help: CACHE_HELP,
    },
    Known {
        crates: &["cached"],
        ty: "UnboundCache",
        fns: &[],
        rule: &rules::SL301,
        what: "a cached `UnboundCache`",
        help: CACHE_HELP,
    },
    Known {
        crates: &["tokio_cron_scheduler"],
        ty: "JobScheduler",
        fns: &["new", "new_with_storage_and_code", "new_with_channel_size"],
        rule: &rules::SL501,
        what: "tokio-cron-scheduler `JobScheduler`",
        help: SCHEDULER_HELP,
    },
    Known {
        crates: &["clokwerk"],
        ty: "Scheduler",
        fns: &["new", "with_tz"],
        rule: &rules::SL501,
        what: "clokwerk `Scheduler`",
        help: SCHEDULER_HELP,
    },
    Known {
        crates: &["clokwerk"],
        ty: "AsyncScheduler",
        fns: &["new", "with_tz"],
        rule: &rules::SL501,
        what: "clokwerk `AsyncScheduler`",
        help: SCHEDULER_HELP,
    },
    Known {
        crates: &["tower_governor", "actix_governor", "poem_governor"],
        ty: "GovernorConfigBuilder",
        fns: &[],
        rule: &rules::SL503,
        what: "an in-memory governor rate limiter",
        help: LIMIT_HELP,
    },
    Known {
        crates: &["governor"],
        ty: "RateLimiter",
        fns: &[
            "direct",
            "keyed",
            "hashmap",
            "dashmap",
            "direct_with_clock",
            "hashmap_with_clock",
            "dashmap_with_clock",
            "new",
        ],
        rule: &rules::SL503,
        what: "an in-memory governor rate limiter",
        help: LIMIT_HELP,
    },
    Known {
        crates: &["sqlx"],
        ty: "SqlitePool",
        fns: &[
            "connect",
            "connect_lazy",
            "connect_with",
            "connect_lazy_with",
        ],
        rule: &rules::SL504,
        what: "sqlx `SqlitePool`",
        help: SQLITE_HELP,
    },
    Known {
        crates: &["sqlx"],
        ty: "SqliteConnection",
        fns: &["connect", "connect_with"],
        rule: &rules::SL504,
        what: "sqlx `SqliteConnection`",
        help: SQLITE_HELP,
    },
    Known {
        crates: &["sqlx"],
        ty: "SqlitePoolOptions",
        fns: &["new"],
        rule: &rules::SL504,
        what: "sqlx `SqlitePoolOptions`",
        help: SQLITE_HELP,
    },
    Known {
        crates: &["diesel"],
        ty: "SqliteConnection",
        fns: &["establish"],
        rule: &rules::SL504,
        what: "diesel `SqliteConnection`",
        help: SQLITE_HELP,
    },
    Known {
        crates: &["rusqlite", "tokio_rusqlite", "async_sqlite"],
        ty: "Connection",
        fns: &["open", "open_with_flags"],
        rule: &rules::SL504,
        what: "rusqlite `Connection::open`",
        help: SQLITE_HELP,
    },
    Known {
        crates: &["r2d2_sqlite", "bb8_sqlite"],
        ty: "SqliteConnectionManager",
        fns: &["file"],
        rule: &rules::SL504,
        what: "r2d2_sqlite `SqliteConnectionManager::file`",
        help: SQLITE_HELP,
    },
    Known {
        crates: &[
            "cookie",
            "actix_web",
            "axum_extra",
            "tower_cookies",
            "tower_sessions",
            "actix_session",
        ],
        ty: "Key",
        fns: &["generate", "try_generate"],
        rule: &rules::SL505,
        what: "cookie `Key::generate()`",
        help: KEY_HELP,
    },
    Known {
        crates: &["poem"],
        ty: "CookieKey",
        fns: &["generate"],
        rule: &rules::SL505,
        what: "poem `CookieKey::generate()`",
        help: KEY_HELP,
    },
];

/// What the detector remembers about a call.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// The variable, field or static the value is stored in.
    name: Option<String>,
    /// A string argument names an in-memory SQLite database.
    in_memory: bool,
    /// An argument is built from `rand` (a key derived from random bytes).
    random: bool,
    /// Written with a unit turbofish (`broadcast::channel::<()>`): a signal, not messages.
    unit: bool,
    /// A builder chain around the call sets a short time-to-live (a micro-cache).
    short_ttl: bool,
    /// The time-to-live is a constant of another file or crate (`lemmy_utils::CACHE_TTL`).
    ttl_const: Option<String>,
}

/// A `const` of type `Duration` and whether it is short (a micro-cache's time-to-live).
#[derive(Debug, Clone)]
pub struct DurationConst {
    name: String,
    short: bool,
}

/// The file connects to a database server (Postgres, MySQL): a crate that does so and also opens
/// SQLite offers SQLite as one backend among several, chosen by its configuration.
#[derive(Debug, Clone, Copy)]
pub struct ServerDb;

/// Crates and types (empty: any path in the crate) that connect to a database server.
const SERVER_DBS: &[(&str, &[&str])] = &[
    (
        "sqlx",
        &[
            "PgPool",
            "PgPoolOptions",
            "PgConnection",
            "PgConnectOptions",
            "MySqlPool",
            "MySqlPoolOptions",
            "MySqlConnection",
            "MySqlConnectOptions",
        ],
    ),
    ("diesel", &["PgConnection", "MysqlConnection"]),
    ("tokio_postgres", &[]),
    ("deadpool_postgres", &[]),
    ("bb8_postgres", &[]),
    ("r2d2_postgres", &[]),
    ("postgres", &[]),
    ("mysql_async", &[]),
    ("mysql", &[]),
];

/// Whether a resolved call path connects to a database server.
fn connects_to_server_db(path: &[String]) -> bool {
    let Some(head) = path.first() else {
        return false;
    };
    SERVER_DBS.iter().any(|(krate, types)| {
        head == krate
            && path.len() >= 2
            && (types.is_empty() || path.iter().any(|seg| types.contains(&seg.as_str())))
    })
}

/// The file subscribes to a message broker (Redis pub/sub, Postgres `LISTEN`, NATS): a crate
/// that does so spreads events across instances, and its local channels relay them.
#[derive(Debug, Clone, Copy)]
pub struct Broker;

/// Methods that open or read a broker subscription.
const BROKER_METHODS: &[&str] = &[
    "get_async_pubsub",
    "into_pubsub",
    "as_pubsub",
    "psubscribe",
    "into_on_message",
    "on_message",
];

/// The file talks to websocket or server-sent-event clients.
#[derive(Debug, Clone, Copy)]
pub struct Streams;

impl Detector for CrateState {
    fn id(&self) -> &'static str {
        "rust/crate-state"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Rust]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "moka",
            "quick_cache",
            "Cache",
            "Scheduler",
            "broadcast",
            "Governor",
            "RateLimiter",
            "Sqlite",
            "sqlite",
            // rusqlite `Connection::open` and cookie `Key::generate()` / `Key::from(…)`: the
            // bare type names are in far more files than these calls.
            "Connection::open",
            "rusqlite",
            "Key::",
            "WebSocket",
            "Sse",
            "PgPool",
            "MySqlPool",
            "postgres",
            "Duration::from_",
            "pubsub",
            "PgListener",
            "async_nats",
            "on_message",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL301", "SL501", "SL502", "SL503", "SL504", "SL505"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Rust(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let crates = Crates::new(facts);
        let web = |path: &str| crates.is_web_service(path);
        // Crates (by manifest directory) that serve websocket or SSE clients.
        let streaming: Vec<Option<&str>> = facts
            .of::<Streams>()
            .map(|(path, _)| crates.crate_dir(path))
            .collect();
        // Crates that also connect to a database server: SQLite is an alternative backend there.
        let server_db: Vec<Option<&str>> = facts
            .of::<ServerDb>()
            .map(|(path, _)| crates.crate_dir(path))
            .collect();
        let sqlite_only = |path: &str| !server_db.contains(&crates.crate_dir(path));
        let brokered: Vec<Option<&str>> = facts
            .of::<Broker>()
            .map(|(path, _)| crates.crate_dir(path))
            .collect();
        // A constant is short when every definition of it is (`#[cfg]` variants).
        let mut consts: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
        for (_, c) in facts.of::<DurationConst>() {
            *consts.entry(c.name.as_str()).or_insert(true) &= c.short;
        }
        let short_const = |name: &str| consts.get(name).copied().unwrap_or(false);
        let mut found = Vec::new();
        crates.resolve::<Site>(facts, &mut found, |path, hit| {
            let micro = hit.payload.ttl_const.as_deref().is_some_and(short_const);
            diagnose(path, hit).filter(|d| !(micro && d.rule.id == "SL301"))
        });
        out.extend(found.into_iter().filter(|l| {
            let streams = streaming.contains(&crates.crate_dir(&l.path))
                && !brokered.contains(&crates.crate_dir(&l.path));
            web(&l.path)
                && (streams || l.diagnostic.rule.id != "SL502")
                && (sqlite_only(&l.path) || l.diagnostic.rule.id != "SL504")
        }));
        for (path, lit) in facts.of::<SqliteUrl>() {
            if web(path) && sqlite_only(path) {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: Diagnostic::new(
                        &rules::SL504,
                        lit.0.clone(),
                        "the app's database is a SQLite file on this instance's disk, which \
                         other instances neither see nor share",
                        SQLITE_HELP,
                    ),
                });
            }
        }
    }
}

impl Check<RustModel<'_>> for CrateState {
    fn check(&self, model: &RustModel<'_>, out: &mut Sink) {
        let file = model.file;
        let text = &file.text;
        if ["WebSocket", "websocket", "Websocket", "Sse", "sse::"]
            .iter()
            .any(|w| text.contains(w))
        {
            out.fact(Streams);
        }
        let mut v = Visitor {
            uses: &model.uses,
            module: &model.module,
            file,
            name: None,
            random_vars: Vec::new(),
            hits: Vec::new(),
            literals: Vec::new(),
            server_db: false,
            broker: false,
            short_ttl: false,
            ttl_const: None,
            consts: file_consts(model.syntax),
        };
        v.visit_file(model.syntax);
        if v.server_db {
            out.fact(ServerDb);
        }
        if v.broker {
            out.fact(Broker);
        }
        for (name, expr) in &v.consts {
            if let syn::Expr::Call(c) = expr
                && let syn::Expr::Path(f) = &*c.func
                && f.path.segments.iter().any(|s| s.ident == "Duration")
            {
                out.fact(DurationConst {
                    name: name.clone(),
                    short: is_short_duration(expr, &v.consts),
                });
            }
        }
        for hit in v.hits {
            out.fact(hit);
        }
        for lit in v.literals {
            out.fact(lit);
        }
    }
}

/// A `sqlite:` URL literal passed to a call (the span of the literal).
#[derive(Debug, Clone)]
pub struct SqliteUrl(std::ops::Range<usize>);

/// The diagnostic for a call whose canonical function path is `path`.
fn diagnose(path: &[String], hit: &Hit<Site>) -> Option<Diagnostic> {
    let site = &hit.payload;
    let n = path.len();
    // A type and a function at least: `lru::LruCache::new`.
    if n < 3 {
        return None;
    }
    let (ty, func) = (&path[n - 2], &path[n - 1]);
    let head = &path[0];
    if head == "tokio" && ty == "broadcast" && func == "channel" {
        // Shutdown and reload signals fan out inside the process, not to clients.
        let signal = site.name.as_ref().is_some_and(|n| {
            let n = n.to_ascii_lowercase();
            [
                "shutdown",
                "stop",
                "cancel",
                "quit",
                "exit",
                "terminate",
                "kill",
                "reload",
                "signal",
            ]
            .iter()
            .any(|w| n.contains(w))
        });
        if signal || site.unit {
            return None;
        }
        // Kept only where the crate serves websocket/SSE clients (decided in `resolve`).
        return Some(Diagnostic::new(
            &rules::SL502,
            hit.span.clone(),
            "a tokio `broadcast` channel fans messages out to the websocket/SSE clients \
                 connected to this instance only; clients on other instances never receive them",
            "publish through a broker every instance subscribes to (Redis pub/sub with \
                 `redis`/`fred`, NATS with `async-nats`, Postgres `LISTEN/NOTIFY`) and forward \
                 to the local channel from that subscription",
        ));
    }
    let known = KNOWN.iter().find(|k| {
        k.crates.contains(&head.as_str())
            && ty == k.ty
            && (k.fns.is_empty() || k.fns.contains(&func.as_str()))
    });
    let known = match known {
        Some(k) => k,
        None if ty == "Key" && matches!(func.as_str(), "from" | "derive_from" | "try_from") => {
            if !site.random {
                return None;
            }
            KNOWN.iter().find(|k| k.ty == "Key")?
        }
        None => return None,
    };
    let named = site
        .name
        .as_ref()
        .map(|n| format!(" (`{n}`)"))
        .unwrap_or_default();
    let message = match known.rule.id {
        "SL301" if site.short_ttl => return None,
        "SL301" => format!(
            "{}{named} holds cached data in this process's memory: each instance fills, \
             expires and invalidates its own copy",
            known.what
        ),
        "SL501" => format!(
            "{}{named} runs scheduled jobs inside the web process, so every instance runs \
             each job",
            known.what
        ),
        "SL503" => format!(
            "{}{named} keeps rate-limit counters in this process's memory, so each instance \
             allows the full rate and N instances allow N times the limit",
            known.what
        ),
        "SL504" => {
            if site.in_memory {
                return None;
            }
            format!(
                "{}{named} makes a SQLite file on this instance's disk the app's database; \
                 other instances neither see nor share it",
                known.what
            )
        }
        "SL505" => format!(
            "the cookie signing key{named} is generated at start ({}), so each instance and \
             each restart signs with a different key and rejects the others' cookies",
            if site.random {
                "from random bytes"
            } else {
                known.what
            }
        ),
        _ => return None,
    };
    Some(Diagnostic::new(
        known.rule,
        hit.span.clone(),
        message,
        known.help,
    ))
}

struct Visitor<'a> {
    uses: &'a UsePaths,
    module: &'a [String],
    file: &'a SourceFile,
    /// The binding the value being built goes to.
    name: Option<String>,
    /// Variables initialised from random bytes.
    random_vars: Vec<String>,
    hits: Vec<Hit<Site>>,
    literals: Vec<SqliteUrl>,
    /// A call connects to a database server.
    server_db: bool,
    /// A call subscribes to a message broker.
    broker: bool,
    /// Inside a builder chain that sets a short time-to-live.
    short_ttl: bool,
    /// Inside a builder chain whose time-to-live is a constant defined elsewhere.
    ttl_const: Option<String>,
    /// The file's `const` items, for durations written as constants.
    consts: std::collections::HashMap<String, &'a syn::Expr>,
}

/// Whether a string names an in-memory SQLite database.
fn is_memory_db(s: &str) -> bool {
    s.contains(":memory:") || s.contains("mode=memory")
}

/// Whether an expression mentions the `rand` crate, a random generator, or a variable that
/// holds random bytes (`random_vars`).
fn mentions_rand(e: &syn::Expr, random_vars: &[String]) -> bool {
    struct Finder<'v>(bool, &'v [String]);
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_path(&mut self, p: &'ast syn::Path) {
            if p.segments.iter().any(|s| {
                matches!(
                    s.ident.to_string().as_str(),
                    "rand" | "thread_rng" | "OsRng" | "rng" | "random" | "getrandom"
                )
            }) || p
                .get_ident()
                .is_some_and(|i| self.1.contains(&i.to_string()))
            {
                self.0 = true;
            }
            visit::visit_path(self, p);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if matches!(
                m.method.to_string().as_str(),
                "fill_bytes" | "random" | "gen"
            ) {
                self.0 = true;
            }
            visit::visit_expr_method_call(self, m);
        }
    }
    let mut f = Finder(false, random_vars);
    f.visit_expr(e);
    f.0
}

impl Visitor<'_> {
    fn string_args<'e>(
        &self,
        args: impl Iterator<Item = &'e syn::Expr>,
    ) -> Vec<(String, proc_macro2::Span)> {
        args.filter_map(|a| match a {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some((s.value(), s.span())),
            _ => None,
        })
        .collect()
    }

    fn sqlite_literals(&mut self, strings: &[(String, proc_macro2::Span)]) {
        for (value, span) in strings {
            if value.starts_with("sqlite:") && !is_memory_db(value) {
                let span = span_range(*span, &self.file.lines, &self.file.text);
                self.literals.push(SqliteUrl(span));
            }
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    super::use_paths::skip_rust_test_code!();

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let saved = self.name.take();
        self.name = match &local.pat {
            // `let (tx, rx) = broadcast::channel(…)`: the sender names the channel.
            syn::Pat::Tuple(t) => t.elems.first().and_then(binding),
            pat => binding(pat),
        };
        // `let secret: [u8; 64] = rand::random();` then `Key::from(&secret)`.
        if let (Some(name), Some(init)) = (&self.name, &local.init)
            && mentions_rand(&init.expr, &self.random_vars)
        {
            self.random_vars.push(name.clone());
        }
        visit::visit_local(self, local);
        self.name = saved;
    }

    fn visit_field_value(&mut self, f: &'ast syn::FieldValue) {
        let saved = self.name.take();
        if let syn::Member::Named(id) = &f.member {
            self.name = Some(id.to_string());
        }
        visit::visit_field_value(self, f);
        self.name = saved;
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        let saved = self.name.replace(s.ident.to_string());
        visit::visit_item_static(self, s);
        self.name = saved;
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        let strings = self.string_args(call.args.iter());
        if let syn::Expr::Path(func) = &*call.func {
            let paths = crates::candidates(self.uses, self.module, &func.path);
            if paths.iter().any(|p| connects_to_server_db(p)) {
                self.server_db = true;
            }
            if paths.iter().any(|p| {
                p.first().is_some_and(|h| h == "async_nats")
                    || p.iter()
                        .any(|s| s == "PgListener" || s == "SubscriberClient")
            }) {
                self.broker = true;
            }
            let sqlite_typed = func
                .path
                .segments
                .iter()
                .any(|s| s.ident.to_string().starts_with("Sqlite"));
            if !sqlite_typed {
                self.sqlite_literals(&strings);
            }
            if paths.iter().any(|p| may_name_state(p)) {
                self.hits.push(Hit {
                    span: span_range(func.path.span(), &self.file.lines, &self.file.text),
                    paths,
                    payload: Site {
                        name: self.name.clone(),
                        in_memory: strings.iter().any(|(s, _)| is_memory_db(s)),
                        random: call
                            .args
                            .iter()
                            .any(|a| mentions_rand(a, &self.random_vars)),
                        short_ttl: self.short_ttl,
                        ttl_const: self.ttl_const.clone(),
                        unit: func.path.segments.iter().any(|seg| {
                            matches!(&seg.arguments, syn::PathArguments::AngleBracketed(a)
                                if a.args.iter().any(|g| matches!(g,
                                    syn::GenericArgument::Type(syn::Type::Tuple(t)) if t.elems.is_empty())))
                        }),
                    },
                });
            }
        } else {
            self.sqlite_literals(&strings);
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // Bodies of `async_stream::stream! { … }` and the like are not parsed as expressions.
        if !self.broker && mentions_broker(m.tokens.clone()) {
            self.broker = true;
        }
        visit::visit_macro(self, m);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `url.starts_with("sqlite:")` inspects a URL; it does not open one.
        let inspects = matches!(
            call.method.to_string().as_str(),
            "starts_with"
                | "ends_with"
                | "contains"
                | "strip_prefix"
                | "strip_suffix"
                | "eq"
                | "ne"
                | "find"
                | "split"
                | "split_once"
                | "replace"
                | "matches"
                | "trim_start_matches"
        );
        if !inspects {
            let strings = self.string_args(call.args.iter());
            self.sqlite_literals(&strings);
        }
        // `Cache::builder().time_to_live(Duration::from_secs(1))`: the builder call is in the
        // receiver, visited below.
        if BROKER_METHODS.contains(&call.method.to_string().as_str()) {
            self.broker = true;
        }
        let ttl_arg = matches!(
            call.method.to_string().as_str(),
            "time_to_live" | "time_to_idle"
        )
        .then(|| call.args.first())
        .flatten();
        let saved = (self.short_ttl, self.ttl_const.clone());
        if let Some(arg) = ttl_arg {
            self.short_ttl |= is_short_duration(arg, &self.consts);
            // A constant this file does not define: judged in `resolve` against its definition.
            if let syn::Expr::Path(p) = arg
                && let Some(last) = p.path.segments.last()
                && !self.consts.contains_key(&last.ident.to_string())
            {
                self.ttl_const = Some(last.ident.to_string());
            }
        }
        visit::visit_expr_method_call(self, call);
        (self.short_ttl, self.ttl_const) = saved;
    }
}

/// Whether macro tokens call a broker subscription method.
fn mentions_broker(tokens: proc_macro2::TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => BROKER_METHODS.iter().any(|m| i == m),
        proc_macro2::TokenTree::Group(g) => mentions_broker(g.stream()),
        _ => false,
    })
}

/// Whether a written call path may name a known constructor (by its type segment), or be a
/// `crate::` path that a re-export may turn into one.
fn may_name_state(path: &[String]) -> bool {
    let n = path.len();
    if n < 2 {
        return false;
    }
    let ty = path[n - 2].as_str();
    (path[0] == "crate" && n >= 3)
        || ty == "broadcast"
        || KNOWN.iter().any(|k| k.ty == ty)
        || (ty == "Key" && n >= 2)
}
