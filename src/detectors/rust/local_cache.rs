//! Caches a Rust web service keeps in process memory without a cache crate's constructor:
//! `#[cached]` / `#[once]` (the `cached` crate) on functions that do I/O (a database or HTTP call,
//! an `.await`), and `static` maps (`Lazy` / `LazyLock` / `OnceLock` / `OnceCell` /
//! `lazy_static!` around `Mutex`/`RwLock<HashMap>` or a `DashMap`) that the code fills at runtime.
//! A memo of a pure computation, a micro-cache (`#[cached(time = N)]` with N ≤ 60 seconds), and a
//! static map only filled by its initializer, are silent.

use super::crates::{Crates, Hit};
use super::durations::SHORT_TTL_SECS;
use super::evaluate::{self, row};
use super::model::RustModel;
use super::session_maps::is_session_map;
use super::use_paths::UsePaths;
use crate::detectors::table::{self, Library, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::rust::span_range;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::{FileKind, SourceFile};
use std::sync::LazyLock;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Process-local caches built from attributes and statics.
pub struct LocalCache;

/// Crates whose calls are I/O (database, HTTP, files).
const IO_CRATES: &[&str] = &[
    "sqlx",
    "diesel",
    "diesel_async",
    "sea_orm",
    "tokio_postgres",
    "postgres",
    "mysql",
    "mysql_async",
    "mongodb",
    "redis",
    "reqwest",
    "hyper",
    "surf",
    "ureq",
    "isahc",
    "aws_sdk_s3",
    "aws_sdk_dynamodb",
];

/// Methods of database and HTTP clients.
const IO_METHODS: &[&str] = &[
    "fetch_one",
    "fetch_all",
    "fetch_optional",
    "get_result",
    "get_results",
    "load",
    "execute",
    "query_one",
    "query_opt",
    "send",
];

/// Methods that add entries to a map.
const FILLS: &[&str] = &[
    "insert",
    "entry",
    "extend",
    "get_or_insert_with",
    "try_insert",
];

const HELP: &str = "cache in Redis so every instance shares entries and invalidations (`redis`, \
    `fred`, `deadpool-redis`, or the cached crate's `#[io_cached(redis = true, …)]`), or keep the \
    local cache only for data that may be stale per instance, with a TTL, and say so in a comment";

/// The `cached` crate's memo attributes on a function that does I/O (the detector's own analysis
/// says so, and drops micro-caches with `time` ≤ a minute).
const CACHED: Library = Library {
    symbol: Pattern {
        package: "cached",
        path: &["cached"],
    },
    usage: Usage::Decorate,
    option: None,
    verdicts: &[Verdict {
        when: When::Used,
        rule: &rules::SL301,
        message: "`#[{attr}]` keeps the results of `{function}` (`{returns}`, read from a \
            database or service) in this process's memory: each instance caches and expires \
            its own copy",
    }],
    fix: HELP,
    name: "cached `#[cached]`",
};

const MEMOS: &[Library] = &[
    CACHED,
    Library {
        name: "cached `#[once]`",
        ..row("cached", &["once"], CACHED)
    },
];

/// The memo rows' triggers (`#[once` rather than `once`, a common word), then the words of a
/// static map: a `DashMap` or a map behind a `Mutex`/`RwLock` (`is_runtime_map`), in far fewer
/// files than `static`.
const TRIGGERS: &[&str] = &[
    "cached",
    "#[once",
    "DashMap",
    "Mutex<",
    "RwLock<",
    "lazy_static",
];

static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[MEMOS]));

impl Detector for LocalCache {
    fn id(&self) -> &'static str {
        "rust/local-cache"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Rust]
    }
    fn triggers(&self) -> &'static [&'static str] {
        TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Rust(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let crates = Crates::new(facts);
        crates.resolve::<Memo>(facts, out, |symbol, hit| {
            let (row, verdict) = evaluate::verdict(MEMOS, symbol, |_| OptionValue::Absent)?;
            let memo = &hit.payload;
            let values = [
                ("attr", memo.attr.as_str()),
                ("function", &memo.function),
                ("returns", &memo.returns),
            ];
            Some(evaluate::diagnostic(
                row,
                verdict,
                hit.span.clone(),
                &values,
            ))
        });
        for (path, map) in facts.of::<StaticMap>() {
            if crates.is_web_service(path) {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: map.0.clone(),
                });
            }
        }
    }
}

impl Check<RustModel<'_>> for LocalCache {
    fn check(&self, model: &RustModel<'_>, out: &mut Sink) {
        let file = model.file;
        let mut statics = Statics {
            file,
            maps: Vec::new(),
        };
        statics.visit_file(model.syntax);
        let mut fills = Fills {
            names: statics
                .maps
                .iter()
                .map(|m| (m.name.clone(), m.name.clone()))
                .collect(),
            filled: Vec::new(),
        };
        fills.visit_file(model.syntax);
        for map in statics.maps {
            if fills.filled.contains(&map.name) {
                let span = span_range(map.span, &file.lines, &file.text);
                out.fact(StaticMap(Diagnostic::new(
                    &rules::SL301,
                    span,
                    format!(
                        "static `{}` (`{}`) is a map filled at runtime in this process's \
                         memory: each instance holds and invalidates its own entries",
                        map.name, map.ty
                    ),
                    HELP,
                )));
            }
        }
        let mut v = Memos {
            model,
            hits: Vec::new(),
        };
        v.visit_file(model.syntax);
        for hit in v.hits {
            out.fact(hit);
        }
    }
}

/// A static map filled at runtime (reported only in web services).
#[derive(Debug, Clone)]
pub struct StaticMap(Diagnostic);

struct StaticDecl {
    name: String,
    ty: String,
    span: proc_macro2::Span,
}

/// Whether a type (its source text) is a map behind a lock, or a concurrent map.
fn is_runtime_map(ty: &str) -> bool {
    let text = ty.replace(char::is_whitespace, "");
    let map = [
        "HashMap<",
        "BTreeMap<",
        "IndexMap<",
        "LruCache<",
        "FxHashMap<",
    ]
    .iter()
    .any(|m| text.contains(m));
    let locked = text.contains("Mutex<") || text.contains("RwLock<");
    text.contains("DashMap<") || map && locked
}

/// `static` items and `lazy_static!` entries holding runtime maps.
struct Statics<'a> {
    file: &'a SourceFile,
    maps: Vec<StaticDecl>,
}

impl Statics<'_> {
    fn add(&mut self, name: String, ty: &syn::Type, span: proc_macro2::Span) {
        let range = span_range(ty.span(), &self.file.lines, &self.file.text);
        let text = self.file.slice(&range);
        // A session map is `rust/session-state`'s finding (SL101), not a cache.
        if is_runtime_map(text) && !is_session_map(&name, ty) {
            let ty = text.split_whitespace().collect::<Vec<_>>().join(" ");
            self.maps.push(StaticDecl { name, ty, span });
        }
    }
}

impl<'ast> Visit<'ast> for Statics<'_> {
    super::use_paths::skip_rust_test_code!();

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.add(s.ident.to_string(), &s.ty, s.ident.span());
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if m.path
            .segments
            .last()
            .is_none_or(|s| s.ident != "lazy_static")
        {
            return;
        }
        // `static ref NAME: TYPE = EXPR;` entries.
        let tokens: Vec<proc_macro2::TokenTree> = m.tokens.clone().into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            if let proc_macro2::TokenTree::Ident(id) = &tokens[i]
                && id == "ref"
                && let Some(proc_macro2::TokenTree::Ident(name)) = tokens.get(i + 1)
            {
                let ty: proc_macro2::TokenStream = tokens[i + 2..]
                    .iter()
                    .skip(1)
                    .take_while(
                        |t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == '='),
                    )
                    .cloned()
                    .collect();
                if let Ok(ty) = syn::parse2::<syn::Type>(ty) {
                    self.add(name.to_string(), &ty, name.span());
                }
                i += 2;
            } else {
                i += 1;
            }
        }
    }
}

/// Which of the named statics the code fills (`NAME.lock().unwrap().insert(…)`,
/// `NAME.insert(…)`, `NAME.write().await.entry(…)`), outside test code.
struct Fills {
    /// (name in code, the static it stands for): the statics and lock guards taken from them.
    names: Vec<(String, String)>,
    filled: Vec<String>,
}

impl Fills {
    fn static_of(&self, name: &str) -> Option<String> {
        self.names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
    }
}

/// The identifier a method-call chain starts from.
fn root(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        syn::Expr::MethodCall(m) => root(&m.receiver),
        syn::Expr::Try(t) => root(&t.expr),
        syn::Expr::Await(a) => root(&a.base),
        syn::Expr::Field(f) => root(&f.base),
        syn::Expr::Paren(p) => root(&p.expr),
        syn::Expr::Reference(r) => root(&r.expr),
        syn::Expr::Unary(u) => root(&u.expr),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Fills {
    super::use_paths::skip_rust_test_code!();

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if FILLS.contains(&m.method.to_string().as_str())
            && let Some(name) = root(&m.receiver)
            && let Some(target) = self.static_of(&name)
            && !self.filled.contains(&target)
        {
            self.filled.push(target);
        }
        visit::visit_expr_method_call(self, m);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        // `let mut map = NAME.lock().unwrap(); map.insert(…)`: the guard fills the static.
        if let Some(init) = &l.init
            && let Some(name) = root(&init.expr)
            && let Some(target) = self.static_of(&name)
            && let Some(guard) = super::use_paths::binding(&l.pat)
        {
            self.names.push((guard, target));
        }
        visit::visit_local(self, l);
    }
}

/// Functions under `#[cached]` / `#[once]` whose bodies do I/O.
struct Memos<'a> {
    model: &'a RustModel<'a>,
    hits: Vec<Hit<Memo>>,
}

/// A memo attribute on a function that does I/O: what its message names.
#[derive(Debug, Clone)]
struct Memo {
    attr: String,
    function: String,
    returns: String,
}

/// Whether a function body does I/O: an `.await`, a call into a database or HTTP crate, or a
/// client method such as `fetch_one`.
struct Io<'u> {
    uses: &'u UsePaths,
    found: bool,
}

impl<'ast> Visit<'ast> for Io<'_> {
    fn visit_expr_await(&mut self, _: &'ast syn::ExprAwait) {
        self.found = true;
    }
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if IO_METHODS.contains(&m.method.to_string().as_str()) {
            self.found = true;
        }
        visit::visit_expr_method_call(self, m);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        if self.uses.resolve(p).iter().any(|full| {
            IO_CRATES.contains(&full.package.as_str())
                || full.path.first().is_some_and(|m| m == "fs")
                    && (full.package == "std" || full.package == "tokio")
        }) {
            self.found = true;
        }
        visit::visit_path(self, p);
    }
}

/// Whether a `#[cached(time = N)]` / `#[once(time = N)]` attribute expires entries within
/// [`SHORT_TTL_SECS`].
fn short_memo(attr: &syn::Attribute) -> bool {
    let mut secs = None;
    let parsed = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("time") {
            let n: syn::LitInt = meta.value()?.parse()?;
            secs = n.base10_parse::<u64>().ok();
        } else if meta.input.peek(syn::Token![=]) {
            meta.value()?.parse::<syn::Expr>()?;
        }
        Ok(())
    });
    parsed.is_ok() && secs.is_some_and(|s| s <= SHORT_TTL_SECS)
}

impl Memos<'_> {
    fn memo(&mut self, attrs: &[syn::Attribute], sig: &syn::Signature, block: &syn::Block) {
        let Some(attr) = attrs.iter().find(|a| {
            a.path()
                .segments
                .last()
                .is_some_and(|s| s.ident == "cached" || s.ident == "once")
        }) else {
            return;
        };
        if short_memo(attr) {
            return;
        }
        let file = self.model.file;
        let mut io = Io {
            uses: &self.model.uses,
            found: false,
        };
        io.visit_block(block);
        if !io.found {
            return;
        }
        let returns = match &sig.output {
            syn::ReturnType::Type(_, ty) => {
                let range = span_range(ty.span(), &file.lines, &file.text);
                file.slice(&range)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            syn::ReturnType::Default => "()".to_owned(),
        };
        let name = attr
            .path()
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        self.hits.push(Hit {
            span: span_range(attr.span(), &file.lines, &file.text),
            paths: self
                .model
                .symbols(attr.path())
                .into_iter()
                .map(|p| {
                    // `#[cached]` written without a `use` of the macro names the crate itself.
                    if p.path.is_empty() {
                        crate::project::symbol::Symbol::new("cached", vec![p.package])
                    } else {
                        p
                    }
                })
                .collect(),
            payload: Memo {
                attr: name,
                function: sig.ident.to_string(),
                returns,
            },
        });
    }
}

impl<'ast> Visit<'ast> for Memos<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !super::use_paths::is_test_only(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !super::use_paths::is_test_only(&f.attrs) {
            self.memo(&f.attrs, &f.sig, &f.block);
            visit::visit_item_fn(self, f);
        }
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !super::use_paths::is_test_only(&f.attrs) {
            self.memo(&f.attrs, &f.sig, &f.block);
            visit::visit_impl_item_fn(self, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_is_short_only_with_a_short_time() {
        let attr = |src: &str| -> syn::Attribute {
            let f: syn::ItemFn = syn::parse_str(&format!("{src} fn f() {{}}")).expect("fn");
            f.attrs[0].clone()
        };
        assert!(short_memo(&attr(
            "#[cached(size = 10, time = 30, result = true)]"
        )));
        assert!(!short_memo(&attr("#[cached(time = 600)]")));
        assert!(!short_memo(&attr("#[cached]")));
        assert!(short_memo(&attr(
            "#[cached(time = 5, key = \"String\", convert = r#\"{ k.clone() }\"#)]"
        )));
    }
}

#[cfg(test)]
mod row_tests {
    use super::*;

    #[test]
    fn rows_are_covered_by_triggers_and_rules() {
        let d = LocalCache;
        evaluate::check_rows(&[MEMOS], d.triggers(), d.rules()).expect("rows covered");
    }
}
