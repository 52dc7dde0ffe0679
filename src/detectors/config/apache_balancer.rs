//! Apache httpd mod_proxy_balancer stickiness: `stickysession=` on `ProxySet` (inside
//! `<Proxy balancer://…>` or naming the balancer) or on `ProxyPass` / `ProxyPassMatch` to a
//! `balancer://` URL. A balancer whose members in the file carry no `route=` cannot match a
//! route, so its `stickysession` pins nobody and stays silent.

use super::affinity;
use crate::detectors::Parsed;
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::apache;
use crate::parse::directives::{Directive, Word};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use std::collections::HashMap;

/// Sticky sessions in mod_proxy_balancer.
pub struct ApacheBalancer;

/// What the file says about one balancer: its members and whether failover is off.
#[derive(Default)]
struct Members {
    count: usize,
    routes: usize,
    nofailover: bool,
}

impl Detector for ApacheBalancer {
    fn id(&self) -> &'static str {
        "apache/proxy-balancer"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Apache]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &["stickysession", "STICKYSESSION", "StickySession"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL401"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Apache(self)
    }
}

/// The balancer a `ProxySet` (naming it, or inside its `<Proxy>`) or a `ProxyPass` configures.
fn target_balancer(parents: &[&Directive], d: &Directive) -> Option<String> {
    match d.name.value.to_ascii_lowercase().as_str() {
        "proxyset" => d
            .args
            .first()
            .and_then(|a| balancer_name(&a.value))
            .or_else(|| enclosing_balancer(parents)),
        "proxypass" | "proxypassmatch" => d.args.iter().find_map(|a| balancer_name(&a.value)),
        _ => None,
    }
}

impl Check<Parsed<'_, apache::Config>> for ApacheBalancer {
    fn check(&self, model: &Parsed<'_, apache::Config>, out: &mut Sink) {
        let config = model.tree;
        let walked = config.walk_with_parents();
        let mut members: HashMap<String, Members> = HashMap::new();
        for (parents, d) in &walked {
            if d.name.value.eq_ignore_ascii_case("BalancerMember") {
                let name = enclosing_balancer(parents)
                    .or_else(|| d.args.first().and_then(|a| balancer_name(&a.value)));
                let entry = members.entry(name.unwrap_or_default()).or_default();
                entry.count += 1;
                entry.routes += usize::from(param(&d.args, "route").is_some());
            } else if let Some(balancer) = target_balancer(parents, d)
                && param(&d.args, "nofailover")
                    .is_some_and(|w| w.value.eq_ignore_ascii_case("nofailover=on"))
            {
                members.entry(balancer).or_default().nofailover = true;
            }
        }
        for (parents, d) in &walked {
            let Some(balancer) = target_balancer(parents, d) else {
                continue;
            };
            let Some(sticky) = param(&d.args, "stickysession") else {
                continue;
            };
            if members
                .get(&balancer)
                .is_some_and(|m| m.count > 0 && m.routes == 0)
            {
                continue;
            }
            let nofailover = members.get(&balancer).is_some_and(|m| m.nofailover);
            let cookie = sticky.value.split_once('=').map_or("", |(_, v)| v);
            let mut message = format!(
                "balancer `{balancer}` routes each request by the `{cookie}` cookie \
                 (`stickysession`) to the member whose `route` it names, which {}",
                affinity::PINS_USERS
            );
            if nofailover {
                message.push_str("; with `nofailover=On` they get errors instead");
            }
            out.push(Diagnostic::new(
                &rules::SL401,
                d.span.clone(),
                message,
                affinity::help(
                    &rules::SL401,
                    "remove `stickysession=` (and any `Header add Set-Cookie \"ROUTEID=…\"` \
                     line) and let `lbmethod=byrequests` or `bybusyness` spread the requests",
                ),
            ));
        }
    }
}

/// `balancer://name/path` → `name`.
fn balancer_name(url: &str) -> Option<String> {
    let rest = url
        .get(..11)?
        .eq_ignore_ascii_case("balancer://")
        .then(|| &url[11..])?;
    Some(rest.split('/').next().unwrap_or_default().to_owned())
}

/// The balancer of the innermost `<Proxy balancer://…>` section.
fn enclosing_balancer(parents: &[&Directive]) -> Option<String> {
    parents.iter().rev().find_map(|p| {
        (p.name.value.eq_ignore_ascii_case("Proxy"))
            .then(|| p.args.first().and_then(|a| balancer_name(&a.value)))
            .flatten()
    })
}

/// The `key=value` argument named `key` (case-insensitive).
fn param<'a>(args: &'a [Word], key: &str) -> Option<&'a Word> {
    args.iter().find(|a| {
        a.value
            .split_once('=')
            .is_some_and(|(k, _)| k.eq_ignore_ascii_case(key))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn findings(text: &str) -> Vec<String> {
        let file = SourceFile::new("httpd.conf".into(), FileKind::Apache, text.into());
        let mut sink = Sink::default();
        crate::detectors::check_into(&ApacheBalancer, &file, &mut sink);
        sink.diagnostics
            .iter()
            .map(|d| text[d.span.clone()].to_owned())
            .collect()
    }

    #[test]
    fn stickysession_on_proxyset_and_proxypass() {
        let text = "<Proxy \"balancer://app\">\n  BalancerMember http://a:8080 route=a\n  ProxySet stickysession=ROUTEID\n</Proxy>\nProxyPass /x balancer://legacy/ stickysession=JSESSIONID|jsessionid nofailover=On\n# ProxyPass /y balancer://app/ stickysession=X\n";
        assert_eq!(
            findings(text),
            [
                "ProxySet stickysession=ROUTEID",
                "ProxyPass /x balancer://legacy/ stickysession=JSESSIONID|jsessionid nofailover=On"
            ]
        );
    }

    #[test]
    fn members_without_routes_cannot_stick() {
        let text = "<Proxy balancer://app>\n  BalancerMember http://a:8080\n  ProxySet lbmethod=byrequests stickysession=ROUTEID\n</Proxy>\nProxyPass / http://single/ stickysession=X\n";
        assert!(findings(text).is_empty());
    }
}
