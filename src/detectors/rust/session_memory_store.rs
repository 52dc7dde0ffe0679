//! In-memory session stores of the Rust web ecosystem: tower-sessions `MemoryStore` and
//! `MokaStore` (axum and any tower stack), async-session / axum-sessions `MemoryStore`, poem
//! `MemoryStorage`. A type of the same name that is not imported from those crates is not a
//! session store, and a `MokaStore` that is the cache in front of a shared store
//! (`CachingSessionStore::new(moka, postgres)`) is not the session store either.

use super::use_paths::{UsePaths, is_test_only};
use crate::detectors::Detector;
use crate::diagnostic::Diagnostic;
use crate::parse::Tree;
use crate::parse::rust::span_range;
use crate::project::Sink;
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
        ],
        what: "async-session `MemoryStore`",
        help: "use a shared store: `RedisSessionStore` from async-redis-session, \
            `PostgresSessionStore` from async-sqlx-session, or async-session's `CookieStore` to \
            keep sessions in signed cookies",
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
        &["MemoryStor", "MokaStore"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL101"]
    }

    fn check(&self, file: &SourceFile, tree: &Tree, out: &mut Sink) {
        let Tree::Rust(tree) = tree else { return };
        let mut slots = CacheSlots::default();
        slots.visit_file(&tree.file);
        let mut visitor = Visitor {
            uses: UsePaths::new(&tree.file),
            file,
            out,
            cache_names: slots.names,
            in_cache_slot: 0,
        };
        visitor.visit_file(&tree.file);
    }
}

struct Visitor<'a> {
    uses: UsePaths,
    file: &'a SourceFile,
    out: &'a mut Sink,
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

/// The variable a pattern binds (`x`, `x: T`, `mut x`).
fn bound_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(p) => Some(p.ident.to_string()),
        syn::Pat::Type(t) => bound_name(&t.pat),
        _ => None,
    }
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
    /// The known store a path names (a type path, or a path to one of its associated functions).
    fn known(&self, path: &syn::Path) -> Option<&'static KnownStore> {
        self.uses.resolve(path).into_iter().find_map(|full| {
            KNOWN.iter().find(|k| {
                k.paths.iter().any(|known| {
                    full.len() >= known.len() && full.iter().zip(*known).all(|(a, b)| a == b)
                })
            })
        })
    }

    fn report(&mut self, known: &KnownStore, span: proc_macro2::Span) {
        if known.cache_front && self.in_cache_slot > 0 {
            return;
        }
        let span = span_range(span, &self.file.lines, &self.file.text);
        self.out.push(Diagnostic::new(
            &rules::SL101,
            span,
            format!(
                "sessions are stored in {}, which lives in this process's memory",
                known.what
            ),
            known.help,
        ));
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_only(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_test_only(&f.attrs) {
            visit::visit_item_fn(self, f);
        }
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
        if let Some(known) = self.known(&e.path) {
            self.report(known, e.path.span());
        }
        visit::visit_expr_path(self, e);
    }

    fn visit_expr_struct(&mut self, e: &'ast syn::ExprStruct) {
        if let Some(known) = self.known(&e.path) {
            self.report(known, e.path.span());
        }
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
        let before = self.out.len();
        let cache = bound_name(&local.pat).is_some_and(|n| self.cache_names.contains(&n));
        self.in_cache_slot += usize::from(cache);
        if let Some(init) = &local.init {
            self.visit_local_init(init);
        }
        if self.out.len() == before
            && local.init.is_some()
            && let syn::Pat::Type(typed) = &local.pat
            && let syn::Type::Path(ty) = &*typed.ty
            && let Some(known) = self.known(&ty.path)
        {
            self.report(known, ty.path.span());
        }
        self.in_cache_slot -= usize::from(cache);
        for attr in &local.attrs {
            self.visit_attribute(attr);
        }
        self.visit_pat(&local.pat);
    }
}
