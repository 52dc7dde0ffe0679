//! Service-mesh and proxy hashing that pins users to one endpoint: Istio DestinationRule
//! `consistentHash` (`httpCookie`, `useSourceIp`, a session or user header) and Envoy route
//! `hash_policy` (cookie, source IP, session header) for a `RING_HASH` / `MAGLEV` cluster. An
//! Envoy hash policy does nothing without a hashing cluster, which may sit in another file: the
//! policies and the clusters are recorded and judged together after the walk.

use super::{affinity, lb_words};
use crate::detectors::Parsed;
use crate::detectors::{Check, Detector, Reads};
use crate::parse::tree::Documents;
use crate::parse::tree::Node;
use crate::project::{Facts, Located, Sink};
use crate::source::FileKind;
use std::ops::Range;

/// Consistent-hash balancing on a user or client key in Istio and Envoy.
pub struct MeshAffinity;

/// Header-name words that carry a user's identity, beyond the shared session vocabulary.
const USER_WORDS: &[&str] = &["user", "auth", "cookie", "account"];

/// An Envoy route hash policy on a user key (span, what it hashes, whether it is a cookie or
/// session key, the route's cluster when it names one), judged once clusters are known.
struct EnvoyHashPolicy(Range<usize>, String, bool, Option<String>);

/// An Envoy cluster that hashes (`RING_HASH`, `MAGLEV`), by name.
struct EnvoyHashCluster(String);

impl Detector for MeshAffinity {
    fn id(&self) -> &'static str {
        "mesh/consistent-hash"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Yaml, FileKind::Json]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "consistentHash",
            "hash_policy",
            "RING_HASH",
            "MAGLEV",
            "stateful_session",
            "hashPolicies",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL401", "SL402"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Data(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let clusters: Vec<&str> = facts
            .of::<EnvoyHashCluster>()
            .map(|(_, c)| c.0.as_str())
            .collect();
        for (path, EnvoyHashPolicy(span, what, cookie, cluster)) in facts.of::<EnvoyHashPolicy>() {
            let hashed = match cluster {
                Some(c) => clusters.contains(&c.as_str()),
                None => !clusters.is_empty(),
            };
            if !hashed {
                continue;
            }
            let whom = if *cookie {
                "each user"
            } else {
                "each client address"
            };
            let what = format!(
                "Envoy route hashes on {what} for a ring-hash/Maglev cluster, which pins {whom} \
                 to one endpoint"
            );
            let diagnostic = if *cookie {
                lb_words::cookie(span.clone(), &what)
            } else {
                lb_words::client_ip(span.clone(), &what)
            };
            out.push(Located {
                path: path.to_owned(),
                diagnostic,
            });
        }
    }
}

impl Check<Parsed<'_, Documents>> for MeshAffinity {
    fn check(&self, model: &Parsed<'_, Documents>, out: &mut Sink) {
        let docs = model.tree;
        for doc in &docs.docs {
            let kind = doc.get("kind").and_then(Node::str);
            if kind == Some("DestinationRule") {
                destination_rule(doc, out);
                continue;
            }
            if kind == Some("ServiceResolver") {
                consul_resolver(doc, out);
                continue;
            }
            for node in doc.walk() {
                if let Some(policy) = node.get("lb_policy").and_then(Node::str)
                    && matches!(policy, "RING_HASH" | "MAGLEV")
                {
                    let name = node.get("name").and_then(Node::str).unwrap_or_default();
                    out.fact(EnvoyHashCluster(name.to_owned()));
                }
                // Envoy's stateful session filter pins by cookie whatever the cluster's policy.
                if let Some(name) = node.get("name")
                    && name.str() == Some("envoy.filters.http.stateful_session")
                    && node.walk().iter().any(|n| {
                        n.str()
                            .is_some_and(|s| s.ends_with("CookieBasedSessionState"))
                    })
                {
                    out.push(lb_words::cookie(
                        name.span.clone(),
                        "Envoy's stateful session filter routes each user back to the upstream \
                         host named in a cookie",
                    ));
                }
                // `hash_policy` sits beside the route's `cluster` (absent for weighted clusters).
                let cluster = node.get("cluster").and_then(Node::str);
                for item in node.get("hash_policy").map(Node::items).unwrap_or_default() {
                    if let Some(mut fact) = envoy_policy(item) {
                        fact.3 = cluster.map(str::to_owned);
                        out.fact(fact);
                    }
                }
            }
        }
    }
}

fn session_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    affinity::names_a_session(name)
        || lower
            .split(['-', '_', '.'])
            .any(|w| USER_WORDS.iter().any(|u| w.starts_with(u)))
}

/// Where a multi-line entry starts: its first key (one line to underline).
fn head(item: &Node) -> Range<usize> {
    item.entries()
        .first()
        .map_or(item.span.clone(), |(k, _)| k.span.clone())
}

/// One `hash_policy` entry: a cookie, the source IP, or a session header.
fn envoy_policy(item: &Node) -> Option<EnvoyHashPolicy> {
    if let Some(cookie) = item.get("cookie") {
        let name = cookie.get("name").and_then(Node::str).unwrap_or("a cookie");
        return Some(EnvoyHashPolicy(
            head(item),
            format!("cookie `{name}`"),
            true,
            None,
        ));
    }
    if item
        .at(&["connection_properties", "source_ip"])
        .is_some_and(Node::is_true)
    {
        return Some(EnvoyHashPolicy(
            head(item),
            "the source IP".into(),
            false,
            None,
        ));
    }
    let header = item.at(&["header", "header_name"]).and_then(Node::str)?;
    session_header(header)
        .then(|| EnvoyHashPolicy(head(item), format!("header `{header}`"), true, None))
}

/// Consul's `ServiceResolver` CRD: `loadBalancer.policy: ring_hash | maglev` with hash policies
/// on a cookie, the source IP or a session header.
fn consul_resolver(doc: &Node, out: &mut Sink) {
    let Some(lb) = doc.at(&["spec", "loadBalancer"]) else {
        return;
    };
    let policy = lb.get("policy").and_then(Node::str).unwrap_or_default();
    if !matches!(policy, "ring_hash" | "maglev") {
        return;
    }
    let name = doc
        .at(&["metadata", "name"])
        .and_then(Node::str)
        .unwrap_or("this service");
    for hp in lb.get("hashPolicies").map(Node::items).unwrap_or_default() {
        let field = hp.get("field").and_then(Node::str).unwrap_or_default();
        let value = hp.get("fieldValue").and_then(Node::str).unwrap_or_default();
        let who = format!("Consul ServiceResolver `{name}` hashes ({policy})");
        if field == "cookie" || (field == "header" && session_header(value)) {
            out.push(lb_words::cookie(
                head(hp),
                &format!("{who} on {field} `{value}`, so each user is pinned to one instance"),
            ));
        } else if hp.get("sourceIP").is_some_and(Node::is_true) {
            out.push(lb_words::client_ip(
                head(hp),
                &format!("{who} on the source IP, which pins each client address to one instance"),
            ));
        }
    }
}

/// Every `consistentHash` of a DestinationRule (top level, per subset, per port).
fn destination_rule(doc: &Node, out: &mut Sink) {
    let host = doc
        .at(&["spec", "host"])
        .and_then(Node::str)
        .unwrap_or("its host");
    for node in doc.walk() {
        let Some(hash) = node.get("consistentHash") else {
            continue;
        };
        let who = format!("DestinationRule for `{host}` hashes");
        if let Some((key, cookie)) = hash.entry("httpCookie") {
            let name = cookie.get("name").and_then(Node::str).unwrap_or("a cookie");
            out.push(lb_words::cookie(
                key.span.clone(),
                &format!("{who} on cookie `{name}`, so Envoy pins each user to one pod"),
            ));
        } else if let Some((key, v)) = hash.entry("useSourceIp").filter(|(_, v)| v.is_true()) {
            out.push(lb_words::client_ip(
                key.span.start..v.span.end,
                &format!(
                    "{who} on the source IP (`useSourceIp: true`), so Envoy pins each client \
                     address to one pod"
                ),
            ));
        } else if let Some((key, v)) = hash
            .entry("httpHeaderName")
            .or_else(|| hash.entry("httpQueryParameterName"))
            .filter(|(_, v)| v.str().is_some_and(session_header))
        {
            let name = v.str().unwrap_or_default();
            out.push(lb_words::cookie(
                key.span.start..v.span.end,
                &format!("{who} on `{name}`, so Envoy pins each user's session to one pod"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn run(text: &str) -> Vec<String> {
        let file = SourceFile::new("mesh.yaml".into(), FileKind::Yaml, text.into());
        let mut sink = Sink::default();
        crate::detectors::check_into(&MeshAffinity, &file, &mut sink);
        sink.diagnostics
            .iter()
            .map(|d| d.rule.id.to_owned())
            .collect()
    }

    #[test]
    fn istio_hash_keys() {
        let dr = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nspec:\n  host: web\n  trafficPolicy:\n    loadBalancer:\n      consistentHash:\n        KEY\n";
        let cookie = dr.replace("KEY", "httpCookie:\n          name: sid\n          ttl: 0s");
        assert_eq!(run(&cookie), ["SL401"]);
        assert_eq!(run(&dr.replace("KEY", "useSourceIp: true")), ["SL402"]);
        assert_eq!(
            run(&dr.replace("KEY", "httpHeaderName: x-session-id")),
            ["SL401"]
        );
        assert!(run(&dr.replace("KEY", "httpHeaderName: x-tenant-shard")).is_empty());
        let consul = "apiVersion: consul.hashicorp.com/v1alpha1\nkind: ServiceResolver\nmetadata:\n  name: web\nspec:\n  loadBalancer:\n    policy: maglev\n    hashPolicies:\n      - field: cookie\n        fieldValue: sess\n      - sourceIP: true\n";
        assert_eq!(run(consul), ["SL401", "SL402"]);
        assert!(run(&consul.replace("maglev", "least_request")).is_empty());
        let envoy = "http_filters:\n  - name: envoy.filters.http.stateful_session\n    typed_config:\n      \"@type\": type.googleapis.com/envoy.extensions.filters.http.stateful_session.v3.StatefulSession\n      session_state:\n        name: envoy.http.stateful_session.cookie\n        typed_config:\n          \"@type\": type.googleapis.com/envoy.extensions.http.stateful_session.cookie.v3.CookieBasedSessionState\n          cookie:\n            name: global-session-cookie\n";
        assert_eq!(run(envoy), ["SL401"]);
        let simple = dr.replace("consistentHash:\n        KEY", "simple: ROUND_ROBIN");
        assert!(run(&simple).is_empty());
    }
}
