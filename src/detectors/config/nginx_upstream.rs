//! nginx `upstream` balancing that pins users to one server: `ip_hash`, `hash` on a client address
//! or on a cookie / session key, `sticky` (nginx Plus / 1.29.6+, Angie, nginx-sticky-module) and
//! Tengine's `session_sticky`.
//! `hash $request_uri` and friends spread by content for cache locality: not user pinning.

use super::affinity;
use crate::detectors::Parsed;
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::nginx;
use crate::parse::nginx::{Config, Directive};
use crate::project::Sink;
use crate::rules::{self, Rule};
use crate::source::FileKind;
use std::collections::HashMap;

/// Sticky balancing in nginx upstream blocks.
pub struct NginxUpstream;

/// Variables that identify the client machine.
const CLIENT_ADDRESS_VARS: &[&str] = &[
    "$remote_addr",
    "$binary_remote_addr",
    "$realip_remote_addr",
    "$proxy_add_x_forwarded_for",
    "$http_x_forwarded_for",
    "$http_x_real_ip",
    "$http_cf_connecting_ip",
    "$http_true_client_ip",
    "$proxy_protocol_addr",
];

const STICKY_CHANGE: &str = "delete the `sticky` / `hash` line and balance with the default \
    round robin or `least_conn`";
const IP_CHANGE: &str = "delete `ip_hash` / the `hash` on the client address and balance with the \
    default round robin or `least_conn`";

/// A finding for directive `d`: `what` it does, the rule's consequence and fix.
fn finding(rule: &'static Rule, d: &Directive, who: &str, what: &str) -> Diagnostic {
    let change = if rule.id == rules::SL402.id {
        IP_CHANGE
    } else {
        STICKY_CHANGE
    };
    Diagnostic::new(
        rule,
        d.span.clone(),
        format!("{who} {what}, which {}", affinity::pins(rule)),
        affinity::help(rule, change),
    )
}

/// Variables defined in the file by `map SOURCE $var { … }` or `set $var VALUE;`: what each one
/// is computed from, so that `hash $sticky_key` is judged by what `$sticky_key` holds.
type Definitions = HashMap<String, Vec<String>>;

fn definitions(config: &Config) -> Definitions {
    let mut defs: Definitions = HashMap::new();
    for d in config.walk() {
        match (d.name.value.as_str(), d.args.as_slice()) {
            ("map", [source, var, ..]) => {
                let entry = defs.entry(var.value.to_ascii_lowercase()).or_default();
                entry.push(source.value.clone());
                // The values a map yields can carry variables too (`default $cookie_sid;`).
                for item in d.block.iter().flatten() {
                    entry.extend(item.args.iter().map(|a| a.value.clone()));
                }
            }
            ("set", [var, value, ..]) => defs
                .entry(var.value.to_ascii_lowercase())
                .or_default()
                .push(value.value.clone()),
            _ => {}
        }
    }
    defs
}

/// The variables a value depends on, through `map`/`set` definitions (a few levels deep).
fn base_variables(value: &str, defs: &Definitions, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    for var in variables(value) {
        let lower = var.to_ascii_lowercase();
        match defs.get(&lower) {
            Some(sources) if depth < 4 => {
                for source in sources {
                    out.extend(base_variables(source, defs, depth + 1));
                }
            }
            _ => out.push(lower),
        }
    }
    out
}

/// Why a `hash` key pins users, if it does: the rule and the variable that identifies the user.
fn classify_hash_key(key: &str, defs: &Definitions) -> Option<(&'static Rule, String)> {
    let vars = base_variables(key, defs, 0);
    if let Some(var) = vars.iter().find(|lower| {
        let request_value = lower
            .strip_prefix("$arg_")
            .or_else(|| lower.strip_prefix("$http_"));
        lower.starts_with("$cookie_") || request_value.is_some_and(affinity::names_a_session)
    }) {
        return Some((&rules::SL401, var.clone()));
    }
    vars.into_iter()
        .find(|v| CLIENT_ADDRESS_VARS.contains(&v.as_str()))
        .map(|v| (&rules::SL402, v))
}

/// The `$variables` in a value (`${name}` written as `$name`).
fn variables(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let braced = bytes.get(i + 1) == Some(&b'{');
        let start = i + 1 + usize::from(braced);
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        if end > start {
            out.push(format!("${}", &value[start..end]));
        }
        i = end.max(i + 1);
    }
    out
}

impl Detector for NginxUpstream {
    fn id(&self) -> &'static str {
        "nginx/upstream-affinity"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Nginx, FileKind::MaybeNginx]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &["ip_hash", "sticky", "hash"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL401", "SL402"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Nginx(self)
    }
}

/// Judges one directive of an upstream block; `who` names the upstream in the message.
fn check_directive(d: &Directive, who: &str, defs: &Definitions) -> Option<Diagnostic> {
    match d.name.value.as_str() {
        "ip_hash" => Some(finding(&rules::SL402, d, who, "uses `ip_hash`")),
        "hash" => {
            let key = d.args.first()?;
            let (rule, var) = classify_hash_key(&key.value, defs)?;
            let source = if key.value.to_ascii_lowercase().contains(&var) {
                format!("`{var}`")
            } else {
                format!("`{}` (from `{var}`)", key.value)
            };
            Some(finding(rule, d, who, &format!("hashes on {source}")))
        }
        // Tengine's session_sticky module: a cookie, inserted or rewritten (default `route`).
        "session_sticky" => Some(finding(
            &rules::SL401,
            d,
            who,
            "routes by a `session_sticky` cookie",
        )),
        // `sticky_cookie_insert`: the form nginx Plus had before 1.5.7, still in old configs.
        "sticky" | "sticky_cookie_insert" => {
            let method = d.args.first().map(|a| a.value.as_str());
            let how = match (d.name.value.as_str(), method) {
                ("sticky_cookie_insert", _) => "`sticky_cookie_insert`",
                (_, Some("cookie")) => "a `sticky cookie`",
                (_, Some("route")) => "`sticky route`",
                (_, Some("learn")) => "`sticky learn`",
                _ => "a sticky cookie (`sticky`)",
            };
            Some(finding(&rules::SL401, d, who, &format!("routes by {how}")))
        }
        _ => None,
    }
}

impl Check<Parsed<'_, nginx::Config>> for NginxUpstream {
    fn check(&self, model: &Parsed<'_, nginx::Config>, out: &mut Sink) {
        let config = model.tree;
        let defs = definitions(config);
        for upstream in config.walk() {
            if upstream.name.value != "upstream" {
                continue;
            }
            let name = upstream.args.first().map_or("", |a| a.value.as_str());
            let who = format!("upstream `{name}`");
            for d in upstream.block.iter().flatten() {
                out.extend(check_directive(d, &who, &defs));
            }
        }
        // These directives exist only inside `upstream`: at the top of a file they come from a
        // snippet that an upstream block `include`s.
        for d in &config.directives {
            out.extend(check_directive(d, "this upstream snippet", &defs));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn keys_defined_by_map_and_set_are_followed() {
        let config = crate::parse::nginx::parse(
            "map $http_upgrade $sticky { default $cookie_sessionid; }\nserver { set $client \"$binary_remote_addr\"; set $page $request_uri; }",
        );
        let defs = definitions(&config);
        let rule_of = |key| classify_hash_key(key, &defs).map(|(r, v)| (r.id, v));
        assert_eq!(
            rule_of("$sticky"),
            Some(("SL401", "$cookie_sessionid".into()))
        );
        assert_eq!(
            rule_of("$client"),
            Some(("SL402", "$binary_remote_addr".into()))
        );
        assert_eq!(rule_of("$page"), None);
    }

    #[test]
    fn hash_keys() {
        let none = Definitions::new();
        assert_eq!(classify_hash_key("$request_uri", &none), None);
        assert_eq!(
            classify_hash_key("$remote_addr", &none).map(|x| x.0.id),
            Some("SL402")
        );
        assert_eq!(
            classify_hash_key("${cookie_jsessionid}", &none).map(|x| x.1),
            Some("$cookie_jsessionid".into())
        );
        assert_eq!(
            classify_hash_key("$http_x_session_id", &none).map(|x| x.0.id),
            Some("SL401")
        );
        assert_eq!(
            classify_hash_key("$http_user_agent$request_uri", &none),
            None
        );
        assert_eq!(classify_hash_key("$scheme$request_uri", &none), None);
    }

    #[test]
    fn stream_upstreams_and_legacy_sticky() {
        let text = "stream {\n  upstream db {\n    hash $remote_addr consistent;\n    server a:5432;\n  }\n}\nhttp {\n  upstream old {\n    sticky_cookie_insert srv_id expires=1h;\n  }\n  upstream pp {\n    hash $proxy_protocol_addr;\n  }\n}\n";
        let file = SourceFile::new("nginx.conf".into(), FileKind::Nginx, text.into());
        let mut sink = Sink::default();
        crate::detectors::check_into(&NginxUpstream, &file, &mut sink);
        let rules: Vec<_> = sink.diagnostics.iter().map(|d| d.rule.id).collect();
        assert_eq!(rules, ["SL402", "SL401", "SL402"]);
        assert!(
            sink.diagnostics[0]
                .message
                .contains("fails, restarts or is scaled in")
        );
    }
}
