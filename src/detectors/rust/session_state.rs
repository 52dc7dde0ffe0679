//! Sessions a Rust web service keeps in its own memory without a session crate's memory store:
//! a custom session store (`impl SessionStore for X` of actix-session, tower-sessions or
//! async-session) over a `HashMap`/`DashMap`/moka map, and a hand-rolled session map in shared
//! app state or a `static` (`Mutex<HashMap<SessionId, User>>`, `DashMap<String, Session>` under
//! a `sessions`/`tokens` name). Cookie-only sessions (actix-session `CookieSessionStore`, signed
//! and private cookie jars) hold nothing on the server and are not reported.

use super::cargo_manifest::{self, Crates, Hit, MANIFEST_TRIGGERS};
use super::use_paths::UsePaths;
use crate::detectors::Detector;
use crate::diagnostic::Diagnostic;
use crate::parse::Tree;
use crate::parse::rust::span_range;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::{FileKind, SourceFile};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Session data held in process memory by the app's own code.
pub struct SessionState;

/// Session store traits: implementing one over a process-local map makes a memory store.
const STORE_TRAITS: &[&[&str]] = &[
    &["actix_session", "storage", "SessionStore"],
    &["tower_sessions", "SessionStore"],
    &["tower_sessions", "session_store", "SessionStore"],
    &["tower_sessions_core", "SessionStore"],
    &["tower_sessions_core", "session_store", "SessionStore"],
    &["async_session", "SessionStore"],
    &["tide", "sessions", "SessionStore"],
];

/// Map types that live in process memory.
const MAPS: &[&str] = &[
    "HashMap",
    "BTreeMap",
    "DashMap",
    "Cache",
    "LruCache",
    "IndexMap",
    "FxHashMap",
    "AHashMap",
];

const HELP: &str = "keep sessions where every instance reads them: a Redis or database session \
    store (tower-sessions-redis-store `RedisStore`, tower-sessions-sqlx-store `PostgresStore`, \
    actix-session `RedisSessionStore`), or signed/private cookies (actix-session \
    `CookieSessionStore`, axum-extra `PrivateCookieJar`)";

/// A session map found in app state or a static (located, gated on the crate being a service).
#[derive(Debug, Clone)]
pub struct SessionMap(Diagnostic);

impl Detector for SessionState {
    fn id(&self) -> &'static str {
        "rust/session-state"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Rust, FileKind::CargoManifest]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "SessionStore",
            "session",
            "Session",
            "token",
            "Token",
            MANIFEST_TRIGGERS[0],
            MANIFEST_TRIGGERS[1],
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL101"]
    }

    fn check(&self, file: &SourceFile, tree: &Tree, out: &mut Sink) {
        let Some(tree) = cargo_manifest::record(file, tree, out) else {
            return;
        };
        let mut structs = Structs::default();
        structs.visit_file(&tree.file);
        let mut v = Visitor {
            uses: UsePaths::new(&tree.file),
            module: cargo_manifest::module_path(&file.rel_path),
            file,
            structs: structs.maps,
            stores: structs.stores,
            impls: Vec::new(),
            maps: Vec::new(),
        };
        v.visit_file(&tree.file);
        for hit in v.impls {
            out.fact(hit);
        }
        for map in v.maps {
            out.fact(map);
        }
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let crates = Crates::new(facts);
        crates.resolve::<String>(facts, out, |path, hit| {
            STORE_TRAITS.iter().any(|t| path == *t).then(|| {
                Diagnostic::new(
                    &rules::SL101,
                    hit.span.clone(),
                    format!(
                        "sessions are stored by a custom session store over {}, which lives \
                             in this process's memory",
                        hit.payload
                    ),
                    HELP,
                )
            })
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

/// The process-local map a type is, if any (`Arc<Mutex<HashMap<K, V>>>` → `HashMap`), with its
/// key and value types.
fn map_of(ty: &syn::Type) -> Option<(String, Option<&syn::Type>, Option<&syn::Type>)> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    let last = p.path.segments.last()?;
    let name = last.ident.to_string();
    let args: Vec<&syn::Type> = match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    if MAPS.contains(&name.as_str()) {
        return Some((name, args.first().copied(), args.get(1).copied()));
    }
    if matches!(
        name.as_str(),
        "Arc" | "Rc" | "Mutex" | "RwLock" | "Box" | "Lazy" | "LazyLock" | "OnceLock" | "OnceCell"
    ) {
        return map_of(args.first()?);
    }
    None
}

/// Whether a field or static named `name` of type `ty` is a session map (reported as SL101).
pub fn is_session_map(name: &str, ty: &syn::Type) -> bool {
    map_of(ty).is_some_and(|(_, k, v)| holds_sessions(name, k, v))
}

/// The last identifier of a type path (`crate::auth::SessionId` → `SessionId`).
fn type_name(ty: Option<&syn::Type>) -> String {
    match ty {
        Some(syn::Type::Path(p)) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        Some(syn::Type::Reference(r)) => type_name(Some(&r.elem)),
        _ => String::new(),
    }
}

/// Whether a map named `name` from `key` to `value` holds user sessions.
fn holds_sessions(name: &str, key: Option<&syn::Type>, value: Option<&syn::Type>) -> bool {
    let (key, value) = (type_name(key), type_name(value));
    let name = name.to_ascii_lowercase();
    // `SessionId`, `AuthToken`; not mio's `Token` or tokio-util's `CancellationToken`.
    let key_is_session = key.contains("Session")
        || key.ends_with("Token") && key != "Token" && key != "CancellationToken";
    let session_name = name.contains("session") || name.contains("token");
    let value_is_user = [
        "User",
        "Session",
        "Claims",
        "Account",
        "Identity",
        "Principal",
    ]
    .iter()
    .any(|w| value.contains(w));
    // Connection registries (`sessions: HashMap<usize, Recipient<Msg>>`) are not user sessions.
    let connection = [
        "Recipient",
        "Sender",
        "Addr",
        "WebSocket",
        "Socket",
        "Tx",
        "Channel",
    ]
    .iter()
    .any(|w| value.contains(w));
    !connection && (key_is_session && !key.is_empty() || session_name && value_is_user)
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
    uses: UsePaths,
    module: Vec<String>,
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
            && self.uses.resolve(&v.path).iter().any(|p| {
                p.first().is_some_and(|h| {
                    matches!(
                        h.as_str(),
                        "actix_ws" | "actix_web_actors" | "tokio_tungstenite"
                    )
                })
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
    crate::skip_rust_test_code!();

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
                paths: cargo_manifest::candidates(&self.uses, &self.module, trait_path),
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

    fn holds(name: &str, ty: &str) -> bool {
        let ty: syn::Type = syn::parse_str(ty).expect("type");
        let (_, k, v) = map_of(&ty).expect("a map");
        holds_sessions(name, k, v)
    }

    #[test]
    fn tells_session_maps_from_other_maps() {
        assert!(holds("store", "Arc<Mutex<HashMap<SessionId, User>>>"));
        assert!(holds("sessions", "DashMap<String, UserSession>"));
        assert!(holds("tokens", "RwLock<HashMap<String, Claims>>"));
        assert!(!holds("sessions", "HashMap<usize, Recipient<ChatMessage>>"));
        assert!(!holds("users", "DashMap<String, User>"));
        assert!(!holds("tokens", "HashMap<String, u32>"));
    }
}
