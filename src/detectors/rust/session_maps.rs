//! What a process-local session map looks like in Rust types: a map (through `Arc`, `Mutex`,
//! `LazyLock` … wrappers) keyed by a session id or token, or named for sessions and holding users.
//! Shared by the detectors that report session maps (SL101) and those that must not report the
//! same map as a cache.

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

/// The process-local map a type is, if any (`Arc<Mutex<HashMap<K, V>>>` → `HashMap`), with its
/// key and value types.
pub fn map_of(ty: &syn::Type) -> Option<(String, Option<&syn::Type>, Option<&syn::Type>)> {
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
pub fn holds_sessions(name: &str, key: Option<&syn::Type>, value: Option<&syn::Type>) -> bool {
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
