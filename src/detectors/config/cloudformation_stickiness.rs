//! CloudFormation load balancer stickiness, in YAML (with `!Ref`-style tags) and JSON templates:
//! an `AWS::ElasticLoadBalancingV2::TargetGroup` whose `TargetGroupAttributes` enable
//! `stickiness.enabled` (`lb_cookie` / `app_cookie` on an ALB, `source_ip` on an NLB), and a
//! classic `AWS::ElasticLoadBalancing::LoadBalancer` with a cookie stickiness policy. A value
//! given as `!Ref Param` / `{"Ref": "Param"}` takes the parameter's `Default`.

use super::lb_words::{self, target_group};
use crate::detectors::Parsed;
use crate::detectors::{Check, Detector, Reads};
use crate::parse::tree::Documents;
use crate::parse::tree::Node;
use crate::project::Sink;
use crate::source::FileKind;

/// Sticky target groups and classic ELB cookie policies in CloudFormation.
pub struct CloudFormationStickiness;

impl Detector for CloudFormationStickiness {
    fn id(&self) -> &'static str {
        "cloudformation/lb-stickiness"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Yaml, FileKind::Json]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &["AWS::ElasticLoadBalancing"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL401", "SL402"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Data(self)
    }
}

/// A scalar, or the `Default` of the parameter a `!Ref` / `{"Ref": …}` names.
fn value<'a>(node: &'a Node, params: Option<&'a Node>) -> Option<&'a str> {
    let param = match (node.tag.as_deref(), node.get("Ref")) {
        (Some("!Ref"), _) => node.str(),
        (_, Some(r)) => r.str(),
        _ => return node.str(),
    }?;
    params?.at(&[param, "Default"])?.str()
}

impl Check<Parsed<'_, Documents>> for CloudFormationStickiness {
    fn check(&self, model: &Parsed<'_, Documents>, out: &mut Sink) {
        let docs = model.tree;
        for doc in &docs.docs {
            let Some(resources) = doc.get("Resources") else {
                continue;
            };
            let params = doc.get("Parameters");
            for (name, resource) in resources.entries() {
                let name = name.str().unwrap_or_default();
                let props = resource.get("Properties");
                match resource.get("Type").and_then(Node::str) {
                    Some("AWS::ElasticLoadBalancingV2::TargetGroup") => {
                        target_group_attributes(name, props, params, out);
                    }
                    Some("AWS::ElasticLoadBalancing::LoadBalancer") => {
                        classic_policies(name, props, out);
                    }
                    _ => {}
                }
            }
        }
    }
}

fn target_group_attributes(
    name: &str,
    props: Option<&Node>,
    params: Option<&Node>,
    out: &mut Sink,
) {
    let Some(attrs) = props.and_then(|p| p.get("TargetGroupAttributes")) else {
        return;
    };
    let attr = |key: &str| {
        attrs.items().iter().find_map(|a| {
            (a.get("Key").and_then(Node::str) == Some(key))
                .then(|| a.get("Value"))
                .flatten()
        })
    };
    let Some(enabled) = attr("stickiness.enabled") else {
        return;
    };
    if !value(enabled, params).is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return;
    }
    let kind = attr("stickiness.type").and_then(|t| value(t, params));
    let param = enabled
        .get("Ref")
        .or(enabled
            .tag
            .as_deref()
            .filter(|t| *t == "!Ref")
            .map(|_| enabled))
        .and_then(Node::str);
    let what = match param {
        Some(p) => format!(
            "target group `{name}` takes `stickiness.enabled` from parameter `{p}`, which defaults to `true`"
        ),
        None => format!("target group `{name}` sets `stickiness.enabled: true`"),
    };
    out.push(target_group(enabled.span.clone(), kind, &what));
}

fn classic_policies(name: &str, props: Option<&Node>, out: &mut Sink) {
    let Some(props) = props else { return };
    for policy in ["LBCookieStickinessPolicy", "AppCookieStickinessPolicy"] {
        if let Some((key, list)) = props.entry(policy)
            && !list.items().is_empty()
        {
            out.push(lb_words::cookie(
                key.span.clone(),
                &format!(
                    "classic load balancer `{name}` defines a `{policy}`, which pins each user \
                     to one instance"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn run(json: bool, text: &str) -> Vec<String> {
        let kind = if json { FileKind::Json } else { FileKind::Yaml };
        let file = SourceFile::new("t".into(), kind, text.into());
        let mut sink = Sink::default();
        crate::detectors::check_into(&CloudFormationStickiness, &file, &mut sink);
        sink.diagnostics
            .iter()
            .map(|d| d.rule.id.to_owned())
            .collect()
    }

    #[test]
    fn yaml_target_group_with_ref_default() {
        let text = "Parameters:\n  Sticky:\n    Type: String\n    Default: 'true'\nResources:\n  TG:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      VpcId: !Ref Vpc\n      TargetGroupAttributes:\n        - Key: stickiness.enabled\n          Value: !Ref Sticky\n        - Key: stickiness.type\n          Value: source_ip\n";
        assert_eq!(run(false, text), ["SL402"]);
        assert!(run(false, &text.replace("'true'", "'false'")).is_empty());
    }

    #[test]
    fn json_target_group_and_classic_policy() {
        let text = r#"{"Resources": {
  "TG": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
    "TargetGroupAttributes": [{"Key": "stickiness.enabled", "Value": "true"}]}},
  "ELB": {"Type": "AWS::ElasticLoadBalancing::LoadBalancer", "Properties": {
    "LBCookieStickinessPolicy": [{"PolicyName": "p", "CookieExpirationPeriod": "60"}]}}
}}"#;
        assert_eq!(run(true, text), ["SL401", "SL401"]);
    }
}
