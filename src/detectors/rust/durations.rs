//! Time-to-live values in Rust code: `Duration` constructors written as literals, directly or
//! through a `const` of the same file. A cache whose entries expire within a minute is a
//! micro-cache, which every instance may hold on its own.

/// The longest time-to-live (seconds) of a micro-cache: every instance may serve its own copy
/// that stale, as the single instance it replaces already did.
pub const SHORT_TTL_SECS: u64 = 60;

/// The file's own `const` items by name (`const TTL: Duration = Duration::from_secs(60);`).
pub fn file_consts(file: &syn::File) -> std::collections::HashMap<String, &syn::Expr> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Const(c) => Some((c.ident.to_string(), &*c.expr)),
            _ => None,
        })
        .collect()
}

/// An expression, or the value of the file's `const` it names.
fn through_const<'e>(
    e: &'e syn::Expr,
    consts: &std::collections::HashMap<String, &'e syn::Expr>,
) -> &'e syn::Expr {
    match e {
        syn::Expr::Path(p) => p
            .path
            .get_ident()
            .and_then(|i| consts.get(&i.to_string()).copied())
            .unwrap_or(e),
        _ => e,
    }
}

/// Whether an expression is a `Duration` no longer than [`SHORT_TTL_SECS`] written as a literal
/// (`Duration::from_secs(1)`, `Duration::from_millis(500)`), directly or through a `const` of
/// the file.
pub fn is_short_duration<'e>(
    e: &'e syn::Expr,
    consts: &std::collections::HashMap<String, &'e syn::Expr>,
) -> bool {
    let syn::Expr::Call(call) = through_const(e, consts) else {
        return false;
    };
    let syn::Expr::Path(func) = &*call.func else {
        return false;
    };
    let (
        Some(unit),
        Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(n),
            ..
        })),
    ) = (
        func.path.segments.last(),
        call.args.first().map(|a| through_const(a, consts)),
    )
    else {
        return false;
    };
    let Ok(n) = n.base10_parse::<u64>() else {
        return false;
    };
    let per_sec = match unit.ident.to_string().as_str() {
        "from_secs" => 1,
        "from_millis" => 1_000,
        "from_micros" => 1_000_000,
        "from_nanos" => 1_000_000_000,
        _ => return false,
    };
    n <= SHORT_TTL_SECS * per_sec
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(src: &str) -> bool {
        let file: syn::File = syn::parse_str(
            "const TTL: Duration = Duration::from_secs(30); const SECS: u64 = 3600;",
        )
        .expect("file");
        is_short_duration(&syn::parse_str(src).expect("expr"), &file_consts(&file))
    }

    #[test]
    fn a_short_duration_is_a_literal_of_at_most_a_minute() {
        assert!(short("Duration::from_secs(60)"));
        assert!(short("std::time::Duration::from_millis(500)"));
        assert!(!short("Duration::from_secs(61)"));
        assert!(!short("Duration::from_millis(60_001)"));
        assert!(short("TTL"));
        assert!(!short("Duration::from_secs(SECS)"));
        assert!(!short("Duration::from_secs(UNKNOWN)"));
        assert!(!short("Duration::from_mins(1)"));
    }
}
