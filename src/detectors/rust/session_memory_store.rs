//! In-memory session stores of the Rust web ecosystem: tower-sessions `MemoryStore` and
//! `MokaStore` (axum and any tower stack), async-session / axum-sessions `MemoryStore`, poem
//! `MemoryStorage`, rocket_session's `Session::fairing()`, rocket-session-store `MemoryStore` and
//! rocket_flex_session's memory storage (its `RocketFlexSession::default()`). A type of the same name that is not imported from those crates is not a
//! session store, and a `MokaStore` that is the cache in front of a shared store
//! (`CachingSessionStore::new(moka, postgres)`) is not the session store either.

use super::crates::{self, Crates, Hit};
use super::model::RustModel;
use super::use_paths::{UsePaths, binding};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::rust::span_range;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::{FileKind, SourceFile};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Session layers built on a store that lives in process memory.
pub struct SessionMemoryStore;

struct KnownStore {
    /// The paths the type is reachable by (crate re-exports and the crate that defines it).
    paths: &'static [&'static [&'static str]],
    what: &'static str,
    help: &'static str,
    /// Fine as the cache of a `CachingSessionStore` whose backing store is shared.
    cache_front: bool,
}

const KNOWN: &[KnownStore] = &[
    KnownStore {
        paths: &[
            &["tower_sessions", "MemoryStore"],
            &["tower_sessions", "memory_store", "MemoryStore"],
            &["tower_sessions_memory_store", "MemoryStore"],
        ],
        what: "tower-sessions `MemoryStore`",
        help: "use a shared store: `RedisStore` from tower-sessions-redis-store, or \
            `PostgresStore`/`MySqlStore` from tower-sessions-sqlx-store",
        cache_front: false,
    },
    KnownStore {
        paths: &[
            &["tower_sessions", "MokaStore"],
            &["tower_sessions_moka_store", "MokaStore"],
        ],
        what: "tower-sessions `MokaStore`",
        help: "use a shared store (`RedisStore` from tower-sessions-redis-store, `PostgresStore` \
            from tower-sessions-sqlx-store); keep `MokaStore` only as the cache in front of one: \
            `CachingSessionStore::new(moka_store, shared_store)`",
        cache_front: true,
    },
    KnownStore {
        paths: &[
            &["async_session", "MemoryStore"],
            &["axum_sessions", "async_session", "MemoryStore"],
            &["tide", "sessions", "MemoryStore"],
        ],
        what: "async-session `MemoryStore`",
        help: "use a shared store: `RedisSessionStore` from async-redis-session, \
            `PostgresSessionStore` from async-sqlx-session, or async-session's `CookieStore` to \
            keep sessions in signed cookies",
        cache_front: false,
    },
    KnownStore {
        paths: &[&["rocket_session", "Session", "fairing"]],
        what: "rocket_session's store (`Session::fairing()`)",
        help: "use `rocket_flex_session` with a Redis or Postgres storage, or rocket's private \
            cookies (`CookieJar::add_private`) for small session data",
        cache_front: false,
    },
    KnownStore {
        paths: &[
            &["rocket_session_store", "memory", "MemoryStore"],
            &["rocket_flex_session", "storage", "memory", "MemoryStorage"],
            &["rocket_flex_session", "RocketFlexSession", "default"],
        ],
        what: "a rocket in-memory session storage",
        help: "give the session fairing a shared storage: rocket_flex_session's Redis \
            (`RedisFredStorage`) or sqlx Postgres storage, rocket-session-store's `RedisStore`, or \
            `CookieStorage` to keep sessions in encrypted cookies",
        cache_front: false,
    },
    KnownStore {
        paths: &[&["poem", "session", "MemoryStorage"]],
        what: "poem `MemoryStorage`",
        help: "use `RedisStorage` (poem's `redis-session` feature) with `ServerSession`, or \
            `CookieSession` to keep sessions in signed cookies",
        cache_front: false,
    },
];

impl Detector for SessionMemoryStore {
    fn id(&self) -> &'static str {
        "rust/session-memory-store"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Rust]
    }
    fn triggers(&self) -> &'static [&'static str] {
        // The layer names catch files that use a store re-exported under another name.
        &[
            "MemoryStor",
            "MokaStore",
            "SessionManagerLayer",
            "SessionLayer",
            "ServerSession",
            "rocket_session",
            "RocketFlexSession",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL101"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Rust(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        Crates::new(facts).resolve::<bool>(facts, out, |path, hit| {
            let known = known(path)?;
            if known.cache_front && hit.payload {
                return None;
            }
            Some(Diagnostic::new(
                &rules::SL101,
                hit.span.clone(),
                format!(
                    "sessions are stored in {}, which lives in this process's memory",
                    known.what
                ),
                known.help,
            ))
        });
    }
}

impl Check<RustModel<'_>> for SessionMemoryStore {
    fn check(&self, model: &RustModel<'_>, out: &mut Sink) {
        let file = model.file;
        let mut slots = CacheSlots::default();
        slots.visit_file(model.syntax);
        let mut visitor = Visitor {
            uses: &model.uses,
            module: &model.module,
            file,
            hits: Vec::new(),
            cache_names: slots.names,
            in_cache_slot: 0,
        };
        visitor.visit_file(model.syntax);
        for hit in visitor.hits {
            out.fact(hit);
        }
    }
}

/// The known store a canonical path names (a type path, or a path to one of its functions).
fn known(full: &[String]) -> Option<&'static KnownStore> {
    KNOWN
        .iter()
        .find(|k| k.paths.iter().any(|known| crates::starts_with(full, known)))
}

/// Type names of the known stores: a written path must contain one, or be a `crate::` path that
/// a re-export may turn into one.
fn may_name_store(path: &[String]) -> bool {
    path.first().is_some_and(|h| h == "crate")
        || path.iter().any(|s| {
            matches!(
                s.as_str(),
                "MemoryStore" | "MokaStore" | "MemoryStorage" | "RocketFlexSession"
            )
        })
        || path.len() >= 3 && path[path.len() - 2] == "Session" && path[path.len() - 1] == "fairing"
}

struct Visitor<'a> {
    uses: &'a UsePaths,
    /// The module the file is (`crate::web::auth`).
    module: &'a [String],
    file: &'a SourceFile,
    /// Paths that may name a store; the payload says whether it is a session cache's slot.
    hits: Vec<Hit<bool>>,
    /// Variables passed as the cache of a `CachingSessionStore`.
    cache_names: Vec<String>,
    /// Depth of expressions that build such a cache.
    in_cache_slot: usize,
}

/// Whether a call is `CachingSessionStore::new(cache, store)` (from tower-sessions or a fork).
fn is_caching_store_new(func: &syn::Expr) -> bool {
    let syn::Expr::Path(p) = func else {
        return false;
    };
    let mut last = p.path.segments.iter().rev().map(|s| &s.ident);
    last.next().is_some_and(|i| i == "new")
        && last.next().is_some_and(|i| i == "CachingSessionStore")
}

/// Collects the variables used as the cache argument of `CachingSessionStore::new`.
#[derive(Default)]
struct CacheSlots {
    names: Vec<String>,
}

impl<'ast> Visit<'ast> for CacheSlots {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if is_caching_store_new(&call.func)
            && let Some(syn::Expr::Path(arg)) = call.args.first()
            && let Some(ident) = arg.path.get_ident()
        {
            self.names.push(ident.to_string());
        }
        visit::visit_expr_call(self, call);
    }
}

impl Visitor<'_> {
    /// Records a path that may name a store; says whether it did.
    fn note(&mut self, path: &syn::Path) -> bool {
        let paths = crates::candidates(self.uses, self.module, path);
        if !paths.iter().any(|p| may_name_store(p)) {
            return false;
        }
        self.hits.push(Hit {
            span: span_range(path.span(), &self.file.lines, &self.file.text),
            paths,
            payload: self.in_cache_slot > 0,
        });
        true
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    super::use_paths::skip_rust_test_code!();

    fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
        self.note(&e.path);
        visit::visit_expr_path(self, e);
    }

    fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
        self.note(&e.path);
        visit::visit_expr_struct(self, e);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if !is_caching_store_new(&call.func) {
            return visit::visit_expr_call(self, call);
        }
        self.visit_expr(&call.func);
        for (i, arg) in call.args.iter().enumerate() {
            let cache = i == 0;
            self.in_cache_slot += usize::from(cache);
            self.visit_expr(arg);
            self.in_cache_slot -= usize::from(cache);
        }
    }

    // `let store: MemoryStore = Default::default();` names the store only in the type.
    fn visit_local(&mut self, local: &'ast syn::Local) {
        let before = self.hits.len();
        let cache = binding(&local.pat).is_some_and(|n| self.cache_names.contains(&n));
        self.in_cache_slot += usize::from(cache);
        if let Some(init) = &local.init {
            self.visit_local_init(init);
        }
        if self.hits.len() == before
            && local.init.is_some()
            && let syn::Pat::Type(typed) = &local.pat
            && let syn::Type::Path(ty) = &*typed.ty
        {
            self.note(&ty.path);
        }
        self.in_cache_slot -= usize::from(cache);
        for attr in &local.attrs {
            self.visit_attribute(attr);
        }
        self.visit_pat(&local.pat);
    }
}
