//! Sessions a Rust web service keeps in its own memory without a session crate's memory store:
//! a custom session store (`impl SessionStore for X` of actix-session, tower-sessions or
//! async-session) over a `HashMap`/`DashMap`/moka map, and a hand-rolled session map in shared
//! app state or a `static` (`Mutex<HashMap<SessionId, User>>`, `DashMap<String, Session>` under
//! a `sessions`/`tokens` name). Cookie-only sessions (actix-session `CookieSessionStore`, signed
//! and private cookie jars) hold nothing on the server and are not reported.

use super::crates::{Crates, Hit};
use super::evaluate::{self, row};
use super::model::RustModel;
use super::session_maps::{holds_sessions, map_of};
use crate::detectors::table::{self, Library, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::rust::span_range;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::{FileKind, SourceFile};
use std::collections::HashMap;
use std::sync::LazyLock;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Session data held in process memory by the app's own code.
pub struct SessionState;

const HELP: &str = "keep sessions where every instance reads them: a Redis or database session \
    store (tower-sessions-redis-store `RedisStore`, tower-sessions-sqlx-store `PostgresStore`, \
    actix-session `RedisSessionStore`), or signed/private cookies (actix-session \
    `CookieSessionStore`, axum-extra `PrivateCookieJar`)";

const ACTIX_STORE: Library = Library {
    symbol: Pattern {
        package: "actix_session",
        path: &["storage", "SessionStore"],
    },
    usage: Usage::Extend,
    option: None,
    verdicts: &[Verdict {
        when: When::Used,
        rule: &rules::SL101,
        message: "sessions are stored by a custom session store over {map}, which lives in this \
            process's memory",
    }],
    fix: HELP,
    name: "actix-session `SessionStore`",
};

/// Session store traits: implementing one over a process-local map makes a memory store.
const STORE_TRAITS: &[Library] = &[
    ACTIX_STORE,
    Library {
        name: "tower-sessions `SessionStore`",
        ..row("tower_sessions", &["SessionStore"], ACTIX_STORE)
    },
    Library {
        name: "tower-sessions `SessionStore`",
        ..row("tower_sessions_core", &["SessionStore"], ACTIX_STORE)
    },
    Library {
        name: "async-session `SessionStore`",
        ..row("async_session", &["SessionStore"], ACTIX_STORE)
    },
    Library {
        name: "async-session `SessionStore`",
        ..row("tide", &["sessions", "SessionStore"], ACTIX_STORE)
    },
];

/// The store traits' rows, and the names a hand-rolled session map goes by.
static TRIGGERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut t = evaluate::triggers(&[STORE_TRAITS]);
    t.extend(["session", "Session", "token", "Token"]);
    t
});

static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[STORE_TRAITS]));

/// A session map found in app state or a static (located, gated on the crate being a service).
#[derive(Debug, Clone)]
pub struct SessionMap(Diagnostic);

impl Detector for SessionState {
    fn id(&self) -> &'static str {
        "rust/session-state"
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
        crates.resolve::<String>(facts, out, |symbol, hit| {
            let (row, verdict) = evaluate::verdict(STORE_TRAITS, symbol, |_| OptionValue::Absent)?;
            Some(evaluate::diagnostic(
                row,
                verdict,
                hit.span.clone(),
                &[("map", &hit.payload)],
            ))
        });
        for (path, map) in facts.of::<SessionMap>() {
            if crates.is_web_service(path) {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: map.0.clone(),
                });
            }
        }
    }
}

impl Check<RustModel<'_>> for SessionState {
    fn check(&self, model: &RustModel<'_>, out: &mut Sink) {
        let file = model.file;
        let mut structs = Structs::default();
        structs.visit_file(model.syntax);
        let mut v = Visitor {
            model,
            file,
            structs: structs.maps,
            stores: structs.stores,
            impls: Vec::new(),
            maps: Vec::new(),
        };
        v.visit_file(model.syntax);
        for hit in v.impls {
            out.fact(hit);
        }
        for map in v.maps {
            out.fact(map);
        }
    }
}

/// Structs of the file whose fields include a process-local map: struct name → map kind.
/// Also the types that implement a `SessionStore` trait (reported at the impl, not per field).
#[derive(Default)]
struct Structs {
    maps: HashMap<String, String>,
    stores: Vec<String>,
}

impl<'ast> Visit<'ast> for Structs {
    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        if let Some((map, _, _)) = s.fields.iter().find_map(|f| map_of(&f.ty)) {
            self.maps.insert(s.ident.to_string(), map);
        }
    }
    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if let (Some((_, t, _)), syn::Type::Path(ty)) = (&i.trait_, &*i.self_ty)
            && t.segments.last().is_some_and(|s| s.ident == "SessionStore")
            && let Some(name) = ty.path.segments.last()
        {
            self.stores.push(name.ident.to_string());
        }
    }
}

struct Visitor<'a> {
    model: &'a RustModel<'a>,
    file: &'a SourceFile,
    structs: HashMap<String, String>,
    stores: Vec<String>,
    /// `impl SessionStore for X` over a map; the payload names the map.
    impls: Vec<Hit<String>>,
    maps: Vec<SessionMap>,
}

impl Visitor<'_> {
    fn map(&mut self, name: &str, ty: &syn::Type, owner: &str) {
        let Some((map, key, value)) = map_of(ty) else {
            return;
        };
        if !holds_sessions(name, key, value) {
            return;
        }
        // A websocket crate's `Session` is a connection handle, not a user session.
        if let Some(syn::Type::Path(v)) = value
            && self.model.uses.resolve(&v.path).iter().any(|p| {
                matches!(
                    p.package.as_str(),
                    "actix_ws" | "actix_web_actors" | "tokio_tungstenite"
                )
            })
        {
            return;
        }
        let span = span_range(ty.span(), &self.file.lines, &self.file.text);
        self.maps.push(SessionMap(Diagnostic::new(
            &rules::SL101,
            span,
            format!(
                "sessions are kept in `{name}`, a `{map}` in {owner} that lives in this \
                 process's memory"
            ),
            HELP,
        )));
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    super::use_paths::skip_rust_test_code!();

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if let (Some((_, trait_path, _)), syn::Type::Path(self_ty)) = (&i.trait_, &*i.self_ty)
            && trait_path
                .segments
                .last()
                .is_some_and(|s| s.ident == "SessionStore")
            && let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string())
            && let Some(map) = self.structs.get(&name)
        {
            self.impls.push(Hit {
                span: span_range(i.self_ty.span(), &self.file.lines, &self.file.text),
                paths: self.model.symbols(trait_path),
                payload: format!("a `{map}` (`{name}`)"),
            });
        }
        visit::visit_item_impl(self, i);
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        if self.stores.contains(&s.ident.to_string()) {
            return;
        }
        let owner = format!("`{}`", s.ident);
        for field in &s.fields {
            if let Some(name) = &field.ident {
                self.map(&name.to_string(), &field.ty, &owner);
            }
        }
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.map(&s.ident.to_string(), &s.ty, "a `static`");
        visit::visit_item_static(self, s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_covered_by_triggers_and_rules() {
        let d = SessionState;
        evaluate::check_rows(&[STORE_TRAITS], d.triggers(), d.rules()).expect("rows covered");
    }
}
