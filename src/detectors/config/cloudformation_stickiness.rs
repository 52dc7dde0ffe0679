//! CloudFormation load balancer stickiness, in YAML (with `!Ref`-style tags) and JSON templates:
//! the CloudFormation spellings of the setting rows ([`super::settings`]), such as an
//! `AWS::ElasticLoadBalancingV2::TargetGroup` whose `TargetGroupAttributes` enable
//! `stickiness.enabled` (`lb_cookie` / `app_cookie` on an ALB, `source_ip` on an NLB), and a
//! classic `AWS::ElasticLoadBalancing::LoadBalancer` with a cookie stickiness policy. A value
//! given as `!Ref Param` / `{"Ref": "Param"}` takes the parameter's `Default`.

use super::lb_words;
use super::settings::{self, Format, Setting, Spelling, Step, Value};
use crate::detectors::Parsed;
use crate::detectors::{Check, Detector, Reads};
use crate::parse::tree::Documents;
use crate::parse::tree::Node;
use crate::project::Sink;
use crate::source::FileKind;
use std::sync::LazyLock;

/// Sticky target groups and classic ELB cookie policies in CloudFormation.
pub struct CloudFormationStickiness;

static TRIGGERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| settings::triggers(settings::SETTINGS, Format::CloudFormation, &[]));

static RULES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| settings::rules(settings::SETTINGS, Format::CloudFormation));

impl Detector for CloudFormationStickiness {
    fn id(&self) -> &'static str {
        "cloudformation/lb-stickiness"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Yaml, FileKind::Json]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Data(self)
    }
}

/// The parameter a `!Ref` / `{"Ref": …}` names.
fn referenced(node: &Node) -> Option<&str> {
    match (node.tag.as_deref(), node.get("Ref")) {
        (Some("!Ref"), _) => node.str(),
        (_, Some(r)) => r.str(),
        _ => None,
    }
}

/// A scalar, or the `Default` of the parameter a `!Ref` / `{"Ref": …}` names.
fn value<'a>(node: &'a Node, params: Option<&'a Node>) -> Option<&'a str> {
    let is_ref = node.tag.as_deref() == Some("!Ref") || node.get("Ref").is_some();
    if !is_ref {
        return node.str();
    }
    params?.at(&[referenced(node)?, "Default"])?.str()
}

/// One step down from `node`: a property, or the `Value` of a `{Key, Value}` list entry.
fn step(node: &Node, step: Step) -> Option<&Node> {
    match step {
        Step::Key(k) => node.get(k),
        Step::Entry(k) => node.items().iter().find_map(|a| {
            (a.get("Key").and_then(Node::str) == Some(k))
                .then(|| a.get("Value"))
                .flatten()
        }),
    }
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
                let (Some(kind), Some(props)) = (
                    resource.get("Type").and_then(Node::str),
                    resource.get("Properties"),
                ) else {
                    continue;
                };
                for setting in settings::SETTINGS {
                    for spelling in setting.cloudformation {
                        if spelling.resources.contains(&kind) {
                            judge(name, setting, spelling, props, params, out);
                        }
                    }
                }
            }
        }
    }
}

/// Reports one spelling of a row in the `Properties` of the resource `name`.
fn judge(
    name: &str,
    setting: &Setting,
    spelling: &Spelling,
    props: &Node,
    params: Option<&Node>,
    out: &mut Sink,
) {
    let Some((last, parents)) = spelling.path.split_last() else {
        return;
    };
    let Some(parent) = parents.iter().try_fold(props, |node, s| step(node, *s)) else {
        return;
    };
    let (found, span) = match last {
        // A property is reported at its key (a policy list), an entry at its value.
        Step::Key(k) => match parent.entry(k) {
            Some((key, node)) => (node, key.span.clone()),
            None => return,
        },
        Step::Entry(_) => match step(parent, *last) {
            Some(node) => (node, node.span.clone()),
            None => return,
        },
    };
    let text = value(found, params);
    let v = match text {
        Some(s) => Value::Known(s),
        None if !found.items().is_empty() => Value::Present,
        None if found.str().is_none() && referenced(found).is_none() => Value::Absent,
        None => Value::Unknown,
    };
    let kind = spelling
        .kind
        .and_then(|k| step(parent, k))
        .and_then(|k| value(k, params));
    let protocol = spelling
        .protocol
        .and_then(|p| props.get(p))
        .and_then(|p| value(p, params));
    let Some(rule) = setting.judge(spelling, v, kind, protocol) else {
        return;
    };
    let attribute = last.name();
    let shown = text.unwrap_or_default();
    let sets = match referenced(found) {
        Some(p) => format!("takes `{attribute}` from parameter `{p}`, which defaults to `{shown}`"),
        None => format!("sets `{attribute}: {shown}`"),
    };
    let mut what = settings::message(spelling, name, shown, kind.unwrap_or_default(), &sets);
    if setting.kind.is_some() {
        what.push_str(&lb_words::target_group_clause(rule, kind));
    }
    out.push(lb_words::finding(
        rule,
        span,
        &what,
        settings::fix(spelling, rule),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn triggers_and_rules_cover_the_rows() {
        let d = CloudFormationStickiness;
        settings::assert_detector_covers(Format::CloudFormation, d.triggers(), d.rules());
    }

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

    #[test]
    fn network_target_group_without_type_is_client_address_affinity() {
        let text = "Resources:\n  TG:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      Protocol: TCP\n      TargetGroupAttributes:\n        - Key: stickiness.enabled\n          Value: 'true'\n";
        assert_eq!(run(false, text), ["SL402"]);
        assert_eq!(run(false, &text.replace("TCP", "HTTP")), ["SL401"]);
        let empty = "Resources:\n  ELB:\n    Type: AWS::ElasticLoadBalancing::LoadBalancer\n    Properties:\n      AppCookieStickinessPolicy: []\n";
        assert!(run(false, empty).is_empty());
    }
}
