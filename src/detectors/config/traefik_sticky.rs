//! Traefik sticky sessions: `sticky.cookie` on a service's `loadBalancer` (or a weighted
//! service) in the file provider's YAML or TOML, in Kubernetes IngressRoute / TraefikService
//! CRDs, in Docker / Compose labels (`traefik.http.services.<name>.loadbalancer.sticky.cookie`)
//! and in the Kubernetes Ingress provider's Service annotation.

use super::lb_words;
use crate::detectors::Parsed;
use crate::detectors::{Check, Detector, Reads};
use crate::parse::tree::Documents;
use crate::parse::tree::{Node, Value};
use crate::project::Sink;
use crate::source::FileKind;

/// Sticky cookies in Traefik configuration, labels and CRDs.
pub struct TraefikSticky;

impl Detector for TraefikSticky {
    fn id(&self) -> &'static str {
        "traefik/sticky-cookie"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[
            FileKind::Yaml,
            FileKind::Compose,
            FileKind::MaybeTraefikToml,
            FileKind::TraefikToml,
        ]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &["sticky", "traefik.ingress.kubernetes.io/affinity"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL401"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Data(self)
    }
}

/// A `sticky: { cookie: … }` block inside `holder` (a load balancer, weighted service or CRD
/// service entry).
fn sticky_cookie(holder: Option<&Node>, who: &str, out: &mut Sink) {
    let Some((key, sticky)) = holder.and_then(|h| {
        h.entries()
            .into_iter()
            .find(|(k, _)| k.str().is_some_and(|s| s.eq_ignore_ascii_case("sticky")))
    }) else {
        return;
    };
    let Some(cookie) = sticky.get_ci("cookie") else {
        return;
    };
    let what = match cookie.get_ci("name").and_then(Node::str) {
        Some(n) => format!("Traefik sticky cookie `{n}` on {who} pins each user to one server"),
        None => format!("Traefik sticky cookie on {who} pins each user to one server"),
    };
    out.push(lb_words::cookie(key.span.clone(), &what));
}

impl Check<Parsed<'_, Documents>> for TraefikSticky {
    fn check(&self, model: &Parsed<'_, Documents>, out: &mut Sink) {
        let docs = model.tree;
        for doc in &docs.docs {
            let crd = doc
                .get("apiVersion")
                .and_then(Node::str)
                .is_some_and(|v| v.starts_with("traefik."));
            // The file provider's dynamic configuration: `http:` / `tcp:` routers and services.
            let dynamic = doc
                .get_ci("http")
                .is_some_and(|h| h.get_ci("services").is_some());
            if dynamic {
                for proto in ["http", "tcp"] {
                    let services = doc.get_ci(proto).and_then(|p| p.get_ci("services"));
                    for (name, svc) in services.map(Node::entries).unwrap_or_default() {
                        let who = format!("service `{}`", name.str().unwrap_or_default());
                        for holder in [svc.get_ci("loadBalancer"), svc.get_ci("weighted")] {
                            sticky_cookie(holder, &who, out);
                        }
                    }
                }
            }
            let resource = doc.at(&["metadata", "name"]).and_then(Node::str);
            for node in doc.walk() {
                match &node.value {
                    Value::Map(entries) => {
                        if crd {
                            // An IngressRoute's service entry has a `name`; a TraefikService's
                            // `weighted` block is the resource itself.
                            let who = match node.get("name").and_then(Node::str).or(resource) {
                                Some(n) => format!("service `{n}`"),
                                None => "this service".to_owned(),
                            };
                            sticky_cookie(Some(node), &who, out);
                        }
                        labels(entries.iter().map(|(k, v)| (k, Some(v))), out);
                    }
                    Value::Seq(items) => labels(items.iter().map(|i| (i, None)), out),
                    Value::Null | Value::Scalar(_) | Value::Expr(_) => {}
                }
            }
        }
    }
}

/// The service a sticky label configures (empty when the label names none): v2+
/// `traefik.http.services.<name>.loadbalancer.sticky…`, v1 `traefik[.<name>].backend.loadbalancer.
/// sticky…` / `…stickiness…`, and the Kubernetes Ingress provider's
/// `traefik.ingress.kubernetes.io/service.sticky.cookie…` annotation.
fn sticky_label_service(lower: &str) -> Option<String> {
    if let Some(rest) = lower.strip_prefix("traefik.http.services.") {
        let (svc, _) = rest.split_once(".loadbalancer.sticky")?;
        return Some(svc.to_owned());
    }
    // v2 `service.sticky.cookie…`, v1 `affinity` (+ `session-cookie-name`).
    if lower.starts_with("traefik.ingress.kubernetes.io/service.sticky")
        || lower == "traefik.ingress.kubernetes.io/affinity"
    {
        return Some(String::new());
    }
    let rest = lower.strip_prefix("traefik.")?;
    let (svc, _) = rest.split_once("backend.loadbalancer.stick")?;
    Some(svc.trim_end_matches('.').to_owned())
}

/// Labels and annotations: `key: value` entries, or `key=value` strings in a label list. One
/// finding per service (its first sticky label).
fn labels<'a>(entries: impl Iterator<Item = (&'a Node, Option<&'a Node>)>, out: &mut Sink) {
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in entries {
        let Some(text) = key.str() else { continue };
        let (label, val) = match value {
            Some(v) => (text, v.str().unwrap_or_default()),
            None => text.split_once('=').unwrap_or((text, "")),
        };
        let lower = label.trim().to_ascii_lowercase();
        let Some(service) = sticky_label_service(&lower) else {
            continue;
        };
        // `…sticky.cookie=false` (v2+) or `…stickiness=false` (v1) turns it off; any other
        // cookie option turns it on.
        let switch = [".sticky", ".sticky.cookie", ".stickiness", "/affinity"]
            .iter()
            .any(|s| lower.ends_with(s));
        if switch && val.trim().eq_ignore_ascii_case("false") {
            continue;
        }
        if seen.contains(&service) {
            continue;
        }
        let what = if service.is_empty() {
            "Traefik sticky cookie annotation on this Service pins each user to one pod".to_owned()
        } else {
            format!(
                "Traefik label enables a sticky cookie on service `{service}`, which pins each \
                 user to one container"
            )
        };
        seen.push(service);
        let end = value.map_or(key.span.end, |v| v.span.end.max(key.span.end));
        out.push(lb_words::cookie(key.span.start..end, &what));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn run(kind: FileKind, text: &str) -> Vec<String> {
        let file = SourceFile::new("x".into(), kind, text.into());
        let mut sink = Sink::default();
        crate::detectors::check_into(&TraefikSticky, &file, &mut sink);
        sink.diagnostics
            .iter()
            .map(|d| text[d.span.clone()].to_owned())
            .collect()
    }

    #[test]
    fn compose_labels_list_and_map() {
        let list = "services:\n  web:\n    labels:\n      - traefik.http.services.web.loadbalancer.sticky.cookie=true\n      - traefik.http.services.web.loadbalancer.sticky.cookie.name=sid\n";
        assert_eq!(run(FileKind::Compose, list).len(), 1);
        let v1 = "services:\n  web:\n    labels:\n      - traefik.backend.loadbalancer.stickiness=true\n      - traefik.http.services.api.loadbalancer.sticky=true\n";
        assert_eq!(run(FileKind::Compose, v1).len(), 2);
        let off = "services:\n  web:\n    labels:\n      traefik.http.services.web.loadbalancer.sticky.cookie: \"false\"\n";
        assert!(run(FileKind::Compose, off).is_empty());
    }

    #[test]
    fn dynamic_toml_and_crds() {
        let toml = "[http.services.app.loadBalancer]\n  [http.services.app.loadBalancer.sticky.cookie]\n    name = \"lb\"\n";
        assert_eq!(run(FileKind::TraefikToml, toml).len(), 1);
        let crd = "apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nspec:\n  routes:\n    - match: Host(`a`)\n      services:\n        - name: web\n          port: 80\n          sticky:\n            cookie:\n              name: sid\n";
        assert_eq!(run(FileKind::Yaml, crd).len(), 1);
        let plain = "apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nspec:\n  routes:\n    - services:\n        - name: web\n";
        assert!(run(FileKind::Yaml, plain).is_empty());
    }
}
