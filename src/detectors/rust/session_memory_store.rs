//! In-memory session stores of the Rust web ecosystem: tower-sessions `MemoryStore` and
//! `MokaStore` (axum and any tower stack), async-session / axum-sessions `MemoryStore`, poem
//! `MemoryStorage`, rocket_session's `Session::fairing()`, rocket-session-store `MemoryStore` and
//! rocket_flex_session's memory storage (its `RocketFlexSession::default()`), as [`STORES`] rows.
//! A type of the same name that is not imported from those crates is not a
//! session store, and a `MokaStore` that is the cache in front of a shared store
//! (`CachingSessionStore::new(moka, postgres)`) is not the session store either.

use super::crates::{Crates, Hit};
use super::evaluate::{self, CONSTRUCTOR, row};
use super::model::RustModel;
use super::use_paths::binding;
use crate::detectors::table::{self, Library, Opt, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::parse::rust::span_range;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::FileKind;
use std::sync::LazyLock;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Session layers built on a store that lives in process memory.
pub struct SessionMemoryStore;

/// Verdict of every store row: the store lives in this process.
const IN_MEMORY: &[Verdict] = &[Verdict {
    when: When::Used,
    rule: &rules::SL101,
    message: "sessions are stored in {name}, which lives in this process's memory",
}];

/// A `MokaStore` reported unless it is the cache of a `CachingSessionStore` whose backing store
/// is shared: the [`CACHE_SLOT`] option.
const OUTSIDE_CACHE_SLOT: &[Verdict] = &[Verdict {
    when: When::Absent,
    ..IN_MEMORY[0]
}];

/// Whether the store is the first (cache) argument of `CachingSessionStore::new`, found by the
/// visitor's own analysis.
const CACHE_SLOT: Opt = Opt {
    key: "CachingSessionStore::new cache",
    position: Some(0),
};

const TOWER: Library = Library {
    symbol: Pattern {
        package: "tower_sessions",
        path: &["MemoryStore"],
    },
    usage: Usage::Construct,
    option: None,
    verdicts: IN_MEMORY,
    fix: "use a shared store: `RedisStore` from tower-sessions-redis-store, or \
        `PostgresStore`/`MySqlStore` from tower-sessions-sqlx-store",
    name: "tower-sessions `MemoryStore`",
};
const MOKA: Library = Library {
    symbol: Pattern {
        package: "tower_sessions",
        path: &["MokaStore"],
    },
    option: Some(CACHE_SLOT),
    verdicts: OUTSIDE_CACHE_SLOT,
    fix: "use a shared store (`RedisStore` from tower-sessions-redis-store, `PostgresStore` \
        from tower-sessions-sqlx-store); keep `MokaStore` only as the cache in front of one: \
        `CachingSessionStore::new(moka_store, shared_store)`",
    name: "tower-sessions `MokaStore`",
    ..TOWER
};
const ASYNC_SESSION: Library = Library {
    fix: "use a shared store: `RedisSessionStore` from async-redis-session, \
        `PostgresSessionStore` from async-sqlx-session, or async-session's `CookieStore` to \
        keep sessions in signed cookies",
    name: "async-session `MemoryStore`",
    ..TOWER
};
const ROCKET_SESSION: Library = Library {
    option: Some(CONSTRUCTOR),
    verdicts: &[Verdict {
        when: When::OneOf(&["fairing"]),
        ..IN_MEMORY[0]
    }],
    fix: "use `rocket_flex_session` with a Redis or Postgres storage, or rocket's private \
        cookies (`CookieJar::add_private`) for small session data",
    name: "rocket_session's store (`Session::fairing()`)",
    ..TOWER
};
const ROCKET_MEMORY: Library = Library {
    fix: "give the session fairing a shared storage: rocket_flex_session's Redis \
        (`RedisFredStorage`) or sqlx Postgres storage, rocket-session-store's `RedisStore`, or \
        `CookieStorage` to keep sessions in encrypted cookies",
    name: "a rocket in-memory session storage",
    ..TOWER
};
const POEM: Library = Library {
    fix: "use `RedisStorage` (poem's `redis-session` feature) with `ServerSession`, or \
        `CookieSession` to keep sessions in signed cookies",
    name: "poem `MemoryStorage`",
    ..TOWER
};

/// The in-memory stores, by the paths their crates (and the crates that re-export them) give.
const STORES: &[Library] = &[
    TOWER,
    row("tower_sessions_memory_store", &["MemoryStore"], TOWER),
    MOKA,
    row("tower_sessions_moka_store", &["MokaStore"], MOKA),
    row("async_session", &["MemoryStore"], ASYNC_SESSION),
    row(
        "axum_sessions",
        &["async_session", "MemoryStore"],
        ASYNC_SESSION,
    ),
    row("tide", &["sessions", "MemoryStore"], ASYNC_SESSION),
    row("rocket_session", &["Session"], ROCKET_SESSION),
    row(
        "rocket_session_store",
        &["memory", "MemoryStore"],
        ROCKET_MEMORY,
    ),
    row(
        "rocket_flex_session",
        &["storage", "memory", "MemoryStorage"],
        ROCKET_MEMORY,
    ),
    Library {
        option: Some(CONSTRUCTOR),
        verdicts: &[Verdict {
            when: When::OneOf(&["default"]),
            ..IN_MEMORY[0]
        }],
        ..row("rocket_flex_session", &["RocketFlexSession"], ROCKET_MEMORY)
    },
    row("poem", &["session", "MemoryStorage"], POEM),
];

/// Prefilter triggers: the rows' items, and the layer names that catch files using a store
/// re-exported under another name.
static TRIGGERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut t = evaluate::triggers(&[STORES]);
    t.extend([
        "SessionManagerLayer",
        "SessionLayer",
        "ServerSession",
        "rocket_session",
    ]);
    t
});

static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[STORES]));

impl Detector for SessionMemoryStore {
    fn id(&self) -> &'static str {
        "rust/session-memory-store"
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
        Crates::new(facts).resolve::<bool>(facts, out, |symbol, hit| {
            let in_slot = |_: &Opt| match hit.payload {
                true => OptionValue::Unknown,
                false => OptionValue::Absent,
            };
            let (row, verdict) = evaluate::verdict(STORES, symbol, in_slot)?;
            Some(evaluate::diagnostic(row, verdict, hit.span.clone(), &[]))
        });
    }
}

impl Check<RustModel<'_>> for SessionMemoryStore {
    fn check(&self, model: &RustModel<'_>, out: &mut Sink) {
        let mut slots = CacheSlots::default();
        slots.visit_file(model.syntax);
        let mut visitor = Visitor {
            model,
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

struct Visitor<'a> {
    model: &'a RustModel<'a>,
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
        let paths = self.model.symbols(path);
        if !paths.iter().any(|p| evaluate::may_name(&[STORES], p)) {
            return false;
        }
        let file = self.model.file;
        self.hits.push(Hit {
            span: span_range(path.span(), &file.lines, &file.text),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_covered_by_triggers_and_rules() {
        let d = SessionMemoryStore;
        evaluate::check_rows(&[STORES], d.triggers(), d.rules()).expect("rows covered");
    }
}
