//! Kubernetes settings that pin users to one pod: a Service's `sessionAffinity: ClientIP`,
//! ingress-nginx's cookie affinity and `upstream-hash-by`, GKE BackendConfig `sessionAffinity`,
//! and the AWS Load Balancer Controller's target-group stickiness annotations. Annotations are
//! found in any mapping (manifests, kustomize patches, Helm values that a template splices in);
//! a Helm template's `{{ .Values.x }}` is judged with the value the chart's values.yaml gives.

use super::helm;
use super::lb_words;
use crate::detectors::Parsed;
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::tree::{Documents, Node};
use crate::project::{Facts, Located, Sink};
use crate::source::{FileKind, SourceFile};
use std::ops::Range;

/// Session affinity in Kubernetes Services, Ingress annotations and cloud load-balancer CRDs.
pub struct KubernetesAffinity;

const NGINX_AFFINITY: &str = "nginx.ingress.kubernetes.io/affinity";
const NGINX_HASH_BY: &str = "nginx.ingress.kubernetes.io/upstream-hash-by";
const ALB_ATTRIBUTES: &str = "alb.ingress.kubernetes.io/target-group-attributes";
const NLB_ATTRIBUTES: &str = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";
const DO_STICKY: &str = "service.beta.kubernetes.io/do-loadbalancer-sticky-sessions-type";
const CLOUD_RUN_AFFINITY: &str = "run.googleapis.com/sessionAffinity";
const APPGW_COOKIE: &str = "appgw.ingress.kubernetes.io/cookie-based-affinity";

/// What a templated value is judged as once values.yaml is known.
#[derive(Clone, Copy, PartialEq)]
enum Probe {
    /// A Service's `spec.sessionAffinity`.
    ServiceAffinity,
    /// ingress-nginx's `affinity` annotation.
    NginxAffinity,
    /// ingress-nginx's `upstream-hash-by` annotation.
    NginxHashBy,
    /// An AWS target-group attributes annotation.
    TargetGroupAttributes,
    /// DigitalOcean's load balancer sticky sessions type.
    DoSticky,
    /// Cloud Run's (Knative service) session affinity annotation.
    CloudRunAffinity,
    /// The Azure Application Gateway ingress controller's cookie-based affinity annotation.
    AppGatewayCookie,
}

impl Detector for KubernetesAffinity {
    fn id(&self) -> &'static str {
        "k8s/session-affinity"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Yaml]
    }
    fn triggers(&self) -> &'static [&'static str] {
        // `ClientIP` and `cookie` also make a chart's values.yaml readable for its templates.
        &[
            "sessionAffinity",
            "ClientIP",
            "cookie",
            "upstream-hash-by",
            "stickiness",
            "do-loadbalancer-sticky",
            "stickySessions",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL401", "SL402"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Data(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        for (path, t, candidates) in helm::resolved::<Probe>(facts) {
            // The first values file (values.yaml, then its overrides) that pins users.
            let found = candidates.iter().find_map(|(value, source)| {
                let what = format!("`{}` is `{value}` in {source}", t.path);
                judge(t.probe, t.span.clone(), value, &what)
            });
            if let Some(diagnostic) = found {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic,
                });
            }
        }
    }
}

impl Check<Parsed<'_, Documents>> for KubernetesAffinity {
    fn check(&self, model: &Parsed<'_, Documents>, out: &mut Sink) {
        let (file, docs) = (model.file, model.tree);
        helm::record_values(file, docs, out);
        for doc in &docs.docs {
            let kind = doc.get("kind").and_then(Node::str);
            if doc.get("apiVersion").is_some() {
                match kind {
                    Some("Service") => service(file, docs, doc, out),
                    Some("BackendConfig") => backend_config(doc, out),
                    _ => {}
                }
            }
            annotations(file, docs, doc, out);
        }
    }
}

/// Judges a value as the setting it stands for; `what` opens the message.
fn judge(probe: Probe, span: Range<usize>, value: &str, what: &str) -> Option<Diagnostic> {
    match probe {
        Probe::ServiceAffinity => value.eq_ignore_ascii_case("ClientIP").then(|| {
            lb_words::client_ip(
                span,
                &format!("{what}, so kube-proxy pins each client address to one pod"),
            )
        }),
        Probe::NginxAffinity => value.eq_ignore_ascii_case("cookie").then(|| {
            lb_words::cookie(
                span,
                &format!("{what}, so ingress-nginx pins each user to one pod with a cookie"),
            )
        }),
        Probe::NginxHashBy => {
            let lower = value.to_ascii_lowercase();
            if lower.contains("$cookie_") || lower.contains("$http_x_session") {
                Some(lb_words::cookie(
                    span,
                    &format!("{what}, so ingress-nginx hashes each user's session key to one pod"),
                ))
            } else if [
                "$remote_addr",
                "$binary_remote_addr",
                "$http_x_forwarded_for",
            ]
            .iter()
            .any(|v| lower.contains(v))
            {
                Some(lb_words::client_ip(
                    span,
                    &format!("{what}, so ingress-nginx hashes each client address to one pod"),
                ))
            } else {
                None
            }
        }
        Probe::DoSticky => value.eq_ignore_ascii_case("cookies").then(|| {
            lb_words::cookie(
                span,
                &format!(
                    "{what}, so the DigitalOcean load balancer pins each user to one node with a \
                     cookie"
                ),
            )
        }),
        Probe::AppGatewayCookie => value.eq_ignore_ascii_case("true").then(|| {
            lb_words::cookie(
                span,
                &format!(
                    "{what}, so the Application Gateway pins each user to one pod with its \
                     `ApplicationGatewayAffinity` cookie"
                ),
            )
        }),
        Probe::CloudRunAffinity => value.eq_ignore_ascii_case("true").then(|| {
            lb_words::cookie(
                span,
                &format!("{what}, so Cloud Run routes each user to the same instance"),
            )
        }),
        Probe::TargetGroupAttributes => {
            let attrs = parse_attributes(value);
            let enabled = attrs
                .iter()
                .any(|(k, v)| *k == "stickiness.enabled" && v.eq_ignore_ascii_case("true"));
            if !enabled {
                return None;
            }
            let kind = attrs
                .iter()
                .find(|(k, _)| *k == "stickiness.type")
                .map(|(_, v)| *v);
            Some(lb_words::target_group(span, kind, what))
        }
    }
}

/// `stickiness.enabled=true,stickiness.type=lb_cookie` as key/value pairs.
fn parse_attributes(value: &str) -> Vec<(&str, &str)> {
    value
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

/// Judges a value now, or after the walk when a template takes it from values.yaml.
fn judge_node(
    file: &SourceFile,
    docs: &Documents,
    probe: Probe,
    node: &Node,
    what: &str,
    out: &mut Sink,
) {
    if helm::defer(file, docs, node, probe, out) {
        return;
    }
    if let Some(value) = node.str().filter(|_| docs.action_at(node).is_none()) {
        out.extend(judge(probe, node.span.clone(), value, what));
    }
}

fn service(file: &SourceFile, docs: &Documents, doc: &Node, out: &mut Sink) {
    let Some(affinity) = doc.at(&["spec", "sessionAffinity"]) else {
        return;
    };
    let name = doc
        .at(&["metadata", "name"])
        .and_then(Node::str)
        .filter(|_| {
            doc.at(&["metadata", "name"])
                .and_then(|n| docs.action_at(n))
                .is_none()
        });
    let what = match name {
        Some(n) => format!("Service `{n}` sets `sessionAffinity: ClientIP`"),
        None => "this Service sets `sessionAffinity: ClientIP`".to_owned(),
    };
    judge_node(file, docs, Probe::ServiceAffinity, affinity, &what, out);
}

/// GKE's BackendConfig: `spec.sessionAffinity.affinityType`.
fn backend_config(doc: &Node, out: &mut Sink) {
    let Some(kind) = doc.at(&["spec", "sessionAffinity", "affinityType"]) else {
        return;
    };
    let Some(value) = kind.str() else { return };
    let what = format!("BackendConfig sets `affinityType: {value}`");
    match value.to_ascii_uppercase().as_str() {
        "GENERATED_COOKIE" | "HTTP_COOKIE" => out.push(lb_words::cookie(
            kind.span.clone(),
            &format!("{what}, so the Google load balancer pins each user to one pod"),
        )),
        "CLIENT_IP" | "CLIENT_IP_PROTO" | "CLIENT_IP_PORT_PROTO" | "CLIENT_IP_NO_DESTINATION" => {
            out.push(lb_words::client_ip(
                kind.span.clone(),
                &format!("{what}, so the Google load balancer pins each client address to one pod"),
            ));
        }
        _ => {}
    }
}

/// Annotations anywhere in the document: on an Ingress or Service, or in Helm values.
fn annotations(file: &SourceFile, docs: &Documents, doc: &Node, out: &mut Sink) {
    for node in doc.walk() {
        let crate::parse::tree::Value::Map(entries) = &node.value else {
            continue;
        };
        for (key, value) in entries {
            let Some(k) = key.str() else { continue };
            let probe = match k {
                NGINX_AFFINITY => Probe::NginxAffinity,
                NGINX_HASH_BY => Probe::NginxHashBy,
                ALB_ATTRIBUTES | NLB_ATTRIBUTES => Probe::TargetGroupAttributes,
                DO_STICKY => Probe::DoSticky,
                CLOUD_RUN_AFFINITY => Probe::CloudRunAffinity,
                APPGW_COOKIE => Probe::AppGatewayCookie,
                // Azure Container Apps: `ingress.stickySessions.affinity: sticky`.
                "stickySessions" => {
                    if let Some(affinity) = value.get("affinity")
                        && affinity
                            .str()
                            .is_some_and(|a| a.eq_ignore_ascii_case("sticky"))
                    {
                        out.push(lb_words::cookie(
                            affinity.span.clone(),
                            "Azure Container Apps ingress sets `stickySessions.affinity: sticky`, \
                             so each user is pinned to one replica with a cookie",
                        ));
                    }
                    continue;
                }
                _ => continue,
            };
            let shown = value.str().unwrap_or_default();
            let mut what = format!("annotation `{k}: {shown}`");
            if probe == Probe::NginxAffinity
                && let Some(cookie) = node
                    .get("nginx.ingress.kubernetes.io/session-cookie-name")
                    .and_then(Node::str)
            {
                what.push_str(&format!(" (cookie `{cookie}`)"));
            }
            judge_node(file, docs, probe, value, &what, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(path: &str, text: &str) -> Vec<(String, String)> {
        let file = SourceFile::new(path.into(), FileKind::Yaml, text.into());
        let mut sink = Sink::default();
        crate::detectors::check_into(&KubernetesAffinity, &file, &mut sink);
        sink.diagnostics
            .iter()
            .map(|d| (d.rule.id.to_owned(), text[d.span.clone()].to_owned()))
            .collect()
    }

    #[test]
    fn application_gateway_cookie_affinity() {
        let on = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations:\n    kubernetes.io/ingress.class: azure/application-gateway\n    appgw.ingress.kubernetes.io/cookie-based-affinity: \"true\"\n";
        assert_eq!(
            run("k8s/ingress.yaml", on),
            [("SL401".to_owned(), "\"true\"".to_owned())]
        );
        let off = on.replace("\"true\"", "\"false\"");
        assert!(run("k8s/ingress.yaml", &off).is_empty());
    }

    #[test]
    fn client_ip_service_affinity_and_none() {
        let bad = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  sessionAffinity: ClientIP\n";
        assert_eq!(
            run("k8s/svc.yaml", bad),
            [("SL402".into(), "ClientIP".into())]
        );
        let good = bad.replace("ClientIP", "None");
        assert!(run("k8s/svc.yaml", &good).is_empty());
    }

    #[test]
    fn ingress_annotations_and_target_group_attributes() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  annotations:\n    nginx.ingress.kubernetes.io/affinity: cookie\n    nginx.ingress.kubernetes.io/upstream-hash-by: \"$request_uri\"\n    alb.ingress.kubernetes.io/target-group-attributes: stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=60\n---\napiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: stickiness.enabled=true,stickiness.type=source_ip\n    alb.ingress.kubernetes.io/target-group-attributes: stickiness.enabled=false\n";
        let found: Vec<_> = run("k8s/ing.yaml", text)
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(found, ["SL401", "SL401", "SL402"]);
    }

    #[test]
    fn other_clouds_affinity() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    service.beta.kubernetes.io/do-loadbalancer-sticky-sessions-type: cookies\n---\napiVersion: serving.knative.dev/v1\nkind: Service\nspec:\n  template:\n    metadata:\n      annotations:\n        run.googleapis.com/sessionAffinity: 'true'\n---\nproperties:\n  configuration:\n    ingress:\n      stickySessions:\n        affinity: sticky\n";
        assert_eq!(run("k8s/x.yaml", text).len(), 3);
        let off = text
            .replace("cookies", "none")
            .replace("'true'", "'false'")
            .replace("affinity: sticky", "affinity: none");
        assert!(run("k8s/x.yaml", &off).is_empty());
    }

    #[test]
    fn gke_backend_config() {
        let text = "apiVersion: cloud.google.com/v1\nkind: BackendConfig\nspec:\n  sessionAffinity:\n    affinityType: GENERATED_COOKIE\n";
        assert_eq!(
            run("k8s/bc.yaml", text),
            [("SL401".into(), "GENERATED_COOKIE".into())]
        );
        assert!(run("k8s/bc.yaml", &text.replace("GENERATED_COOKIE", "NONE")).is_empty());
    }
}
