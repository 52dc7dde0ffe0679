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

use super::crates::{Crates, Hit};
use super::durations::{file_consts, is_short_duration};
use super::evaluate::{self, CONSTRUCTOR, row};
use super::model::RustModel;
use super::use_paths::binding;
use crate::detectors::table::{self, Library, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::rust::span_range;
use crate::project::symbol::Symbol;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::{FileKind, SourceFile};
use std::sync::LazyLock;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Values of instance-local state built from well-known crates.
pub struct CrateState;

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

/// A constructed cache: any associated function builds it.
const CACHE: Library = Library {
    symbol: Pattern {
        package: "moka",
        path: &["Cache"],
    },
    usage: Usage::Construct,
    option: None,
    verdicts: &[Verdict {
        when: When::Used,
        rule: &rules::SL301,
        message: "{name}{binding} holds cached data in this process's memory: each instance \
            fills, expires and invalidates its own copy",
    }],
    fix: CACHE_HELP,
    name: "a moka cache",
};

/// A state type that only some of its associated functions build (`Connection::open`, not
/// `Connection::open_in_memory`): its verdicts say which, on the [`CONSTRUCTOR`] option.
const fn built_by(verdicts: &'static [Verdict], fix: &'static str, name: &'static str) -> Library {
    Library {
        option: Some(CONSTRUCTOR),
        verdicts,
        fix,
        name,
        ..CACHE
    }
}

const SCHEDULES: Verdict = Verdict {
    when: When::Used,
    rule: &rules::SL501,
    message: "{name}{binding} runs scheduled jobs inside the web process, so every instance \
        runs each job",
};
const LIMITS: Verdict = Verdict {
    when: When::Used,
    rule: &rules::SL503,
    message: "{name}{binding} keeps rate-limit counters in this process's memory, so each \
        instance allows the full rate and N instances allow N times the limit",
};
const SQLITE_FILE: Verdict = Verdict {
    when: When::Used,
    rule: &rules::SL504,
    message: "{name}{binding} makes a SQLite file on this instance's disk the app's database; \
        other instances neither see nor share it",
};
const GENERATED_KEY: Verdict = Verdict {
    when: When::OneOf(&["generate", "try_generate"]),
    rule: &rules::SL505,
    message: "the cookie signing key{binding} is generated at start ({name}), so each instance \
        and each restart signs with a different key and rejects the others' cookies",
};
/// `Key::from(&random_bytes)`: reported only when the detector sees the bytes are random.
const KEY_FROM: &[&str] = &["from", "derive_from", "try_from"];
const DERIVED_KEY: Verdict = Verdict {
    when: When::OneOf(KEY_FROM),
    message: "the cookie signing key{binding} is generated at start (from random bytes), so \
        each instance and each restart signs with a different key and rejects the others' \
        cookies",
    ..GENERATED_KEY
};

/// `v`, applying when the constructor is one of `when`.
const fn with(when: &'static [&'static str], v: Verdict) -> Verdict {
    Verdict {
        when: When::OneOf(when),
        ..v
    }
}

const JOB_SCHEDULER: Library = built_by(
    &[with(
        &["new", "new_with_storage_and_code", "new_with_channel_size"],
        SCHEDULES,
    )],
    SCHEDULER_HELP,
    "tokio-cron-scheduler `JobScheduler`",
);
const CLOKWERK: &[Verdict] = &[with(&["new", "with_tz"], SCHEDULES)];
const GOVERNOR_CONFIG: Library = Library {
    verdicts: &[LIMITS],
    fix: LIMIT_HELP,
    name: "an in-memory governor rate limiter",
    ..CACHE
};
const RATE_LIMITER: Library = built_by(
    &[with(
        &[
            "direct",
            "keyed",
            "hashmap",
            "dashmap",
            "direct_with_clock",
            "hashmap_with_clock",
            "dashmap_with_clock",
            "new",
        ],
        LIMITS,
    )],
    LIMIT_HELP,
    "an in-memory governor rate limiter",
);
const RUSQLITE: Library = built_by(
    &[with(&["open", "open_with_flags"], SQLITE_FILE)],
    SQLITE_HELP,
    "rusqlite `Connection::open`",
);
const R2D2_SQLITE: Library = built_by(
    &[with(&["file"], SQLITE_FILE)],
    SQLITE_HELP,
    "r2d2_sqlite `SqliteConnectionManager::file`",
);
const COOKIE_KEY: Library = built_by(
    &[GENERATED_KEY, DERIVED_KEY],
    KEY_HELP,
    "cookie `Key::generate()`",
);

/// Constructors of instance-local state, in the order they are tried.
const STATE: &[Library] = &[
    CACHE,
    row("moka", &["SegmentedCache"], CACHE),
    row("moka", &["CacheBuilder"], CACHE),
    Library {
        name: "a mini-moka cache",
        ..row("mini_moka", &["Cache"], CACHE)
    },
    Library {
        name: "a quick_cache cache",
        ..row("quick_cache", &["Cache"], CACHE)
    },
    Library {
        name: "an lru `LruCache`",
        ..row("lru", &["LruCache"], CACHE)
    },
    Library {
        name: "a cached `TimedCache`",
        ..row("cached", &["TimedCache"], CACHE)
    },
    Library {
        name: "a cached `SizedCache`",
        ..row("cached", &["SizedCache"], CACHE)
    },
    Library {
        name: "a cached `TimedSizedCache`",
        ..row("cached", &["TimedSizedCache"], CACHE)
    },
    Library {
        name: "a cached `UnboundCache`",
        ..row("cached", &["UnboundCache"], CACHE)
    },
    row("tokio_cron_scheduler", &["JobScheduler"], JOB_SCHEDULER),
    Library {
        verdicts: CLOKWERK,
        name: "clokwerk `Scheduler`",
        ..row("clokwerk", &["Scheduler"], JOB_SCHEDULER)
    },
    Library {
        verdicts: CLOKWERK,
        name: "clokwerk `AsyncScheduler`",
        ..row("clokwerk", &["AsyncScheduler"], JOB_SCHEDULER)
    },
    row(
        "tower_governor",
        &["GovernorConfigBuilder"],
        GOVERNOR_CONFIG,
    ),
    row(
        "actix_governor",
        &["GovernorConfigBuilder"],
        GOVERNOR_CONFIG,
    ),
    row("poem_governor", &["GovernorConfigBuilder"], GOVERNOR_CONFIG),
    row("governor", &["RateLimiter"], RATE_LIMITER),
    Library {
        verdicts: &[with(
            &[
                "connect",
                "connect_lazy",
                "connect_with",
                "connect_lazy_with",
            ],
            SQLITE_FILE,
        )],
        name: "sqlx `SqlitePool`",
        ..row("sqlx", &["SqlitePool"], RUSQLITE)
    },
    Library {
        verdicts: &[with(&["connect", "connect_with"], SQLITE_FILE)],
        name: "sqlx `SqliteConnection`",
        ..row("sqlx", &["SqliteConnection"], RUSQLITE)
    },
    Library {
        verdicts: &[with(&["new"], SQLITE_FILE)],
        name: "sqlx `SqlitePoolOptions`",
        ..row("sqlx", &["SqlitePoolOptions"], RUSQLITE)
    },
    Library {
        verdicts: &[with(&["establish"], SQLITE_FILE)],
        name: "diesel `SqliteConnection`",
        ..row("diesel", &["SqliteConnection"], RUSQLITE)
    },
    row("rusqlite", &["Connection"], RUSQLITE),
    row("tokio_rusqlite", &["Connection"], RUSQLITE),
    row("async_sqlite", &["Connection"], RUSQLITE),
    row("r2d2_sqlite", &["SqliteConnectionManager"], R2D2_SQLITE),
    row("bb8_sqlite", &["SqliteConnectionManager"], R2D2_SQLITE),
    row("cookie", &["Key"], COOKIE_KEY),
    row("actix_web", &["Key"], COOKIE_KEY),
    row("axum_extra", &["Key"], COOKIE_KEY),
    row("tower_cookies", &["Key"], COOKIE_KEY),
    row("tower_sessions", &["Key"], COOKIE_KEY),
    row("actix_session", &["Key"], COOKIE_KEY),
    Library {
        verdicts: &[with(&["generate"], GENERATED_KEY)],
        name: "poem `CookieKey::generate()`",
        ..row("poem", &["CookieKey"], COOKIE_KEY)
    },
    // Kept only where the crate serves websocket/SSE clients (decided in `resolve`).
    Library {
        symbol: Pattern {
            package: "tokio",
            path: &["broadcast", "channel"],
        },
        usage: Usage::Call,
        option: None,
        verdicts: &[Verdict {
            when: When::Used,
            rule: &rules::SL502,
            message: "a tokio `broadcast` channel fans messages out to the websocket/SSE \
                clients connected to this instance only; clients on other instances never \
                receive them",
        }],
        fix: "publish through a broker every instance subscribes to (Redis pub/sub with \
            `redis`/`fred`, NATS with `async-nats`, Postgres `LISTEN/NOTIFY`) and forward to \
            the local channel from that subscription",
        name: "tokio `broadcast`",
    },
];

/// Prefilter triggers: the rows', then what the hand-written analysis reads in files without a
/// row (the facts that gate the rows: streams, server databases, brokers, `sqlite:` URLs and
/// `Duration` constants of other files).
static TRIGGERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut t = evaluate::triggers(&[STATE]);
    t.extend([
        "sqlite",
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
    ]);
    t
});

static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[STATE]));

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
fn connects_to_server_db(symbol: &Symbol) -> bool {
    SERVER_DBS.iter().any(|(krate, types)| {
        symbol.package == *krate
            && !symbol.path.is_empty()
            && (types.is_empty() || symbol.path.iter().any(|m| types.contains(&m.as_str())))
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
        &TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
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
            model,
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

/// The diagnostic for a call whose canonical function path is `symbol`.
fn diagnose(symbol: &Symbol, hit: &Hit<Site>) -> Option<Diagnostic> {
    let site = &hit.payload;
    let (row, verdict) = evaluate::verdict(STATE, symbol, |_| OptionValue::Unknown)?;
    let silent = match verdict.rule.id {
        // Shutdown and reload signals fan out inside the process, not to clients.
        "SL502" => site.unit || site.name.as_deref().is_some_and(is_signal),
        "SL301" => site.short_ttl,
        "SL504" => site.in_memory,
        "SL505" => verdict.when == When::OneOf(KEY_FROM) && !site.random,
        _ => false,
    };
    if silent {
        return None;
    }
    let binding = evaluate::binding(site.name.as_deref());
    Some(evaluate::diagnostic(
        row,
        verdict,
        hit.span.clone(),
        &[("binding", &binding)],
    ))
}

/// Whether a channel's name says it carries a process signal (shutdown, reload).
fn is_signal(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
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
    .any(|w| name.contains(w))
}

struct Visitor<'a> {
    model: &'a RustModel<'a>,
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
            let paths = self.model.symbols(&func.path);
            if paths.iter().any(connects_to_server_db) {
                self.server_db = true;
            }
            if paths.iter().any(|p| {
                p.package == "async_nats"
                    || p.path
                        .iter()
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
            if paths.iter().any(|p| evaluate::may_name(&[STATE], p)) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_covered_by_triggers_and_rules() {
        let d = CrateState;
        evaluate::check_rows(&[STATE], d.triggers(), d.rules()).expect("rows covered");
    }
}
