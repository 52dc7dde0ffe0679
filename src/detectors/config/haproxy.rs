//! HAProxy persistence: `balance source` (and hashing on a client address), `balance hdr(Cookie)`
//! / `url_param` / `hash` on a session key, `cookie NAME …` with per-server cookie values,
//! `stick on|match|store-*` on `src` or on a cookie, and `appsession`. Settings of a `defaults`
//! section apply to every later proxy that does not set its own (or that names it in `from`).

use super::affinity;
use crate::detectors::Parsed;
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::haproxy;
use crate::parse::haproxy::{Config, Line};
use crate::project::Sink;
use crate::rules::{self, Rule};
use crate::source::FileKind;
use std::collections::HashMap;

/// Persistence in HAProxy backends, listens and defaults.
pub struct HaproxyPersistence;

impl Detector for HaproxyPersistence {
    fn id(&self) -> &'static str {
        "haproxy/persistence"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Haproxy]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &["balance", "cookie", "stick", "appsession"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL401", "SL402"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Haproxy(self)
    }
}

/// The persistence settings one section sets itself (the last of each wins, as in HAProxy).
#[derive(Default, Clone, Copy)]
struct Settings<'a> {
    balance: Option<&'a Line>,
    cookie: Option<&'a Line>,
    hash_type: Option<&'a Line>,
}

impl Check<Parsed<'_, haproxy::Config>> for HaproxyPersistence {
    fn check(&self, model: &Parsed<'_, haproxy::Config>, out: &mut Sink) {
        let config = model.tree;
        check_config(config, out);
    }
}

impl<'a> Settings<'a> {
    fn of(lines: &'a [Line]) -> Self {
        let mut s = Settings::default();
        for line in lines {
            match line.keyword() {
                "balance" => s.balance = Some(line),
                "cookie" => s.cookie = Some(line),
                "hash-type" => s.hash_type = Some(line),
                _ => {}
            }
        }
        s
    }
}

/// A finding that a `defaults` section causes, collected over the proxies that inherit it.
struct Inherited<'a> {
    line: &'a Line,
    rule: &'static Rule,
    what: String,
    proxies: Vec<&'a str>,
}

fn check_config(config: &Config, out: &mut Sink) {
    let mut last_defaults: Option<usize> = None;
    let mut named: HashMap<&str, usize> = HashMap::new();
    let settings: Vec<Settings> = config
        .sections
        .iter()
        .map(|s| Settings::of(&s.lines))
        .collect();
    let mut inherited: Vec<Inherited> = Vec::new();
    // How many proxies of this file inherit each defaults section (by section index).
    let mut inheritors: HashMap<usize, usize> = HashMap::new();

    for (i, section) in config.sections.iter().enumerate() {
        match section.kind() {
            "defaults" => {
                last_defaults = Some(i);
                if !section.name().is_empty() && section.name() != "from" {
                    named.insert(section.name(), i);
                }
                continue;
            }
            "backend" | "listen" => {}
            _ => continue,
        }
        let from = section
            .header
            .words
            .iter()
            .position(|w| w.value == "from")
            .and_then(|p| section.header.words.get(p + 1))
            .and_then(|w| named.get(w.value.as_str()).copied());
        let defaults = from.or(last_defaults);
        if let Some(d) = defaults {
            *inheritors.entry(d).or_default() += 1;
        }
        let own = settings[i];
        let base = defaults.map(|d| settings[d]).unwrap_or_default();
        let who = format!("{} `{}`", section.kind(), section.name());
        let servers_have_cookies = section.lines.iter().any(|l| {
            matches!(l.keyword(), "server" | "default-server" | "server-template")
                && l.words.iter().skip(2).any(|w| w.value == "cookie")
        });

        // balance: own, else inherited.
        let hash_type = own.hash_type.or(base.hash_type);
        if let Some(line) = own.balance {
            if let Some((rule, what)) = classify_balance(line, hash_type) {
                out.push(finding(rule, line, &who, &what));
            }
        } else if let Some(line) = base.balance
            && let Some((rule, what)) = classify_balance(line, hash_type)
        {
            note_inherited(&mut inherited, line, rule, what, section.name());
        }

        // cookie persistence: own, else inherited; it needs server cookie values or `dynamic`.
        let (cookie, is_own) = match own.cookie {
            Some(line) => (Some(line), true),
            None => (base.cookie, false),
        };
        if let Some(line) = cookie
            && let Some(what) = classify_cookie(line, servers_have_cookies)
        {
            if is_own {
                out.push(finding(&rules::SL401, line, &who, &what));
            } else {
                note_inherited(&mut inherited, line, &rules::SL401, what, section.name());
            }
        }

        for line in &section.lines {
            if let Some((rule, what)) = classify_line(line) {
                out.push(finding(rule, line, &who, &what));
            }
        }
    }

    // Settings of a defaults section that no later proxy in this file inherits still reach the
    // proxies of other files loaded after it (`haproxy -f dir/`): report them for the defaults.
    for (i, section) in config.sections.iter().enumerate() {
        if section.kind() != "defaults" || inheritors.contains_key(&i) {
            continue;
        }
        let s = settings[i];
        if let Some(line) = s.balance
            && let Some((rule, what)) = classify_balance(line, s.hash_type)
        {
            note_inherited(&mut inherited, line, rule, what, "");
        }
        if let Some(line) = s.cookie
            && let Some(what) = classify_cookie(line, true)
        {
            note_inherited(&mut inherited, line, &rules::SL401, what, "");
        }
    }
    for item in inherited {
        let names: Vec<_> = item.proxies.iter().filter(|p| !p.is_empty()).collect();
        let who = if names.is_empty() {
            "`defaults` (every backend that does not override it)".to_owned()
        } else {
            let list: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
            let more = if names.len() > 3 { ", …" } else { "" };
            format!("`defaults` (inherited by {}{more})", list.join(", "))
        };
        out.push(finding(item.rule, item.line, &who, &item.what));
    }

    // A snippet without sections: its lines belong to a proxy of another file.
    for line in &config.top {
        let found = match line.keyword() {
            "balance" => classify_balance(line, None),
            "cookie" => classify_cookie(line, true).map(|w| (&rules::SL401, w)),
            _ => classify_line(line),
        };
        if let Some((rule, what)) = found {
            out.push(finding(rule, line, "this snippet", &what));
        }
    }
}

fn note_inherited<'a>(
    inherited: &mut Vec<Inherited<'a>>,
    line: &'a Line,
    rule: &'static Rule,
    what: String,
    proxy: &'a str,
) {
    match inherited
        .iter_mut()
        .find(|i| i.line.span == line.span && i.rule.id == rule.id)
    {
        Some(item) => item.proxies.push(proxy),
        None => inherited.push(Inherited {
            line,
            rule,
            what,
            proxies: vec![proxy],
        }),
    }
}

fn finding(rule: &'static Rule, line: &Line, who: &str, what: &str) -> Diagnostic {
    let change = if rule.id == rules::SL402.id {
        "balance with `balance roundrobin` or `balance leastconn` instead"
    } else {
        "remove the persistence (the backend's `cookie` line and each server's `cookie <value>`, \
         or the `stick` rules) and balance with `roundrobin` or `leastconn`"
    };
    Diagnostic::new(
        rule,
        line.span.clone(),
        format!("{who} {what}, which {}", affinity::pins(rule)),
        affinity::help(rule, change),
    )
}

/// `balance …`: the rule and a description, when the algorithm follows the client or a session.
fn classify_balance(line: &Line, hash_type: Option<&Line>) -> Option<(&'static Rule, String)> {
    let algo = line.arg(1).to_ascii_lowercase();
    let consistent = hash_type.is_some_and(|h| h.arg(1) == "consistent");
    let hashing = if consistent {
        " (consistent hashing)"
    } else {
        ""
    };
    if algo == "source" {
        return Some((
            &rules::SL402,
            format!("balances with `balance source`{hashing}"),
        ));
    }
    if let Some(header) = algo.strip_prefix("hdr(").and_then(|h| h.strip_suffix(')')) {
        let rule = if header == "cookie" || affinity::names_a_session(header) {
            &rules::SL401
        } else if affinity::names_a_client_address(header) {
            &rules::SL402
        } else {
            return None;
        };
        return Some((
            rule,
            format!("balances on the `{}` header{hashing}", line.arg(1)),
        ));
    }
    if algo == "url_param" && affinity::names_a_session(line.arg(2)) {
        return Some((
            &rules::SL401,
            format!("balances on the `{}` query parameter{hashing}", line.arg(2)),
        ));
    }
    if algo == "hash" {
        let (rule, what) = classify_sample(line.arg(2))?;
        return Some((rule, format!("balances with `balance hash` on {what}")));
    }
    None
}

/// `cookie NAME [rewrite|insert|prefix] …`: persistence when servers carry cookie values (or
/// the cookies are `dynamic`).
fn classify_cookie(line: &Line, servers_have_cookies: bool) -> Option<String> {
    let name = line.arg(1);
    if name.is_empty() {
        return None;
    }
    let dynamic = line.words.iter().any(|w| w.value == "dynamic");
    if !(servers_have_cookies || dynamic) {
        return None;
    }
    let mode = line
        .words
        .iter()
        .skip(2)
        .map(|w| w.value.as_str())
        .find(|w| matches!(*w, "insert" | "prefix" | "rewrite"))
        .map_or(String::new(), |m| format!(" {m}"));
    Some(format!(
        "routes by the `{name}` cookie (`cookie {name}{mode}`) to the server it names"
    ))
}

/// Other persistence lines: `stick on|match|store-request|store-response <sample>`, `appsession`.
fn classify_line(line: &Line) -> Option<(&'static Rule, String)> {
    match line.keyword() {
        "stick"
            if matches!(
                line.arg(1),
                "on" | "match" | "store-request" | "store-response"
            ) =>
        {
            let (rule, what) = classify_sample(line.arg(2))?;
            Some((
                rule,
                format!("keeps `stick {}` entries on {what}", line.arg(1)),
            ))
        }
        "appsession" => Some((
            &rules::SL401,
            format!(
                "routes by the `{}` session cookie (`appsession`)",
                line.arg(1)
            ),
        )),
        _ => None,
    }
}

/// A sample expression (`src`, `req.cook(SID)`, `hdr(x-forwarded-for)`, `src,ipmask(24)`): the
/// rule and a description, when it identifies a client or a session.
fn classify_sample(sample: &str) -> Option<(&'static Rule, String)> {
    let lower = sample.to_ascii_lowercase();
    let fetch = lower.split(',').next().unwrap_or_default();
    let (name, arg) = match fetch.split_once('(') {
        Some((n, rest)) => (n, rest.split([')', ',']).next().unwrap_or_default()),
        None => (fetch, ""),
    };
    let name = name
        .strip_prefix("req.")
        .or_else(|| name.strip_prefix("res."))
        .unwrap_or(name);
    let rule = match name {
        "src" | "so_src" => &rules::SL402,
        "cook" | "cookie" | "scook" | "set-cookie" | "rdp_cookie" => &rules::SL401,
        "hdr" | "fhdr" | "hdr_ip" | "shdr" if affinity::names_a_client_address(arg) => {
            &rules::SL402
        }
        "hdr" | "fhdr" | "shdr" if arg == "cookie" || affinity::names_a_session(arg) => {
            &rules::SL401
        }
        "url_param" | "urlp" if affinity::names_a_session(arg) => &rules::SL401,
        _ => return None,
    };
    Some((rule, format!("`{sample}`")))
}

/// A whole config's findings as (rule, flagged text).
#[cfg(test)]
fn findings(text: &str) -> Vec<(&'static str, String)> {
    let config = crate::parse::haproxy::parse(text);
    let mut sink = Sink::default();
    check_config(&config, &mut sink);
    sink.diagnostics
        .iter()
        .map(|d| (d.rule.id, text[d.span.clone()].to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_inherited_unless_overridden() {
        let text = "defaults\n  balance source\nbackend a\n  server s1 a:80\nbackend b\n  balance roundrobin\nbackend c\n";
        let f = findings(text);
        assert_eq!(f, [("SL402", "balance source".to_owned())]);
        let config = crate::parse::haproxy::parse(text);
        let mut sink = Sink::default();
        check_config(&config, &mut sink);
        assert!(
            sink.diagnostics[0].message.contains("`a`, `c`"),
            "{}",
            sink.diagnostics[0].message
        );
        let all_override = "defaults\n  balance source\nbackend a\n  balance leastconn\n";
        assert!(findings(all_override).is_empty());
        let trailing = "backend a\n  balance leastconn\ndefaults\n  balance source\n";
        assert_eq!(findings(trailing).len(), 1);
        let named = "defaults web\n  balance source\ndefaults other\n  balance roundrobin\nbackend a from web\n";
        assert_eq!(findings(named).len(), 1);
    }

    #[test]
    fn cookies_need_server_values_or_dynamic() {
        let with = "backend a\n  cookie SRV insert indirect nocache\n  server s1 a:80 cookie s1\n";
        assert_eq!(
            findings(with),
            [("SL401", "cookie SRV insert indirect nocache".to_owned())]
        );
        let without = "backend a\n  cookie SRV insert indirect nocache\n  server s1 a:80\n";
        assert!(findings(without).is_empty());
        let dynamic =
            "backend a\n  dynamic-cookie-key k\n  cookie SRV insert dynamic\n  server s1 a:80\n";
        assert_eq!(findings(dynamic).len(), 1);
    }

    #[test]
    fn stick_rules_and_balance_keys() {
        let text = "backend a\n  stick-table type ip size 1m expire 5m store http_req_rate(10s)\n  http-request track-sc0 src\n  stick on src\n  stick store-response res.cook(JSESSIONID)\n  stick on path\n  balance hdr(X-Forwarded-For)\n";
        let rules: Vec<_> = findings(text).into_iter().map(|(r, _)| r).collect();
        assert_eq!(rules, ["SL402", "SL402", "SL401"]);
        assert_eq!(
            findings("backend a\n  balance url_param sessionid\n").len(),
            1
        );
        assert!(findings("backend a\n  balance url_param page\n").is_empty());
        assert!(findings("backend a\n  balance uri\n  hash-type consistent\n").is_empty());
        assert_eq!(findings("backend a\n  balance hdr(Cookie)\n")[0].0, "SL401");
        assert!(findings("backend a\n  balance hdr(host)\n").is_empty());
    }
}
