//! Azure ARM templates (JSON) and Bicep, judged by the ARM spellings of the setting rows
//! ([`super::settings`]): App Service ARR affinity (`clientAffinityEnabled: true` on
//! `Microsoft.Web/sites` and its slots), Application Gateway cookie affinity
//! (`cookieBasedAffinity: 'Enabled'`), Container Apps ingress `stickySessions: { affinity:
//! 'sticky' }` and Front Door origin groups' `sessionAffinityState: 'Enabled'`. Values may come
//! from a template parameter's `defaultValue` or variable (`[parameters('x')]`, Bicep
//! `param x bool = true`).

use super::affinity;
use super::model::AzureTemplate;
use super::settings::{self, Format};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::json::{Member, Node, Value};
use crate::project::Sink;
use crate::source::FileKind;
use std::sync::LazyLock;

/// Affinity in ARM templates and Bicep files.
pub struct AzureTemplateAffinity;

static TRIGGERS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| settings::triggers(settings::SETTINGS, Format::Arm, &[]));

static RULES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| settings::rules(settings::SETTINGS, Format::Arm));

impl Detector for AzureTemplateAffinity {
    fn id(&self) -> &'static str {
        "azure/template-affinity"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Json, FileKind::Bicep]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Azure(self)
    }
}

/// An ARM template: a JSON document whose `$schema` is a deployment template.
fn arm_template(root: &Node, out: &mut Sink) {
    let is_template = root
        .get("$schema")
        .and_then(|m| m.value.as_str())
        .is_some_and(|s| s.to_ascii_lowercase().contains("deploymenttemplate"));
    if !is_template {
        return;
    }
    let lookup = |value: &Node| arm_lookup(root, value);
    for (parents, node) in root.walk() {
        let Value::Object(members) = &node.value else {
            continue;
        };
        // The nearest enclosing resource: an object with `type` and `apiVersion`.
        let resource_type = std::iter::once(&node)
            .chain(parents.iter().rev())
            .filter(|p| p.get("apiVersion").is_some())
            .find_map(|p| p.get("type").and_then(|m| m.value.as_str()))
            .unwrap_or_default()
            .to_owned();
        judge(members, &resource_type, &lookup, "//", out);
    }
}

impl Check<AzureTemplate<'_>> for AzureTemplateAffinity {
    fn check(&self, model: &AzureTemplate<'_>, out: &mut Sink) {
        match *model {
            AzureTemplate::Arm(_, docs) => {
                for doc in &docs.docs {
                    arm_template(&Node::from_data(doc), out);
                }
            }
            AzureTemplate::Bicep(_, file) => {
                let lookup = |value: &Node| match &value.value {
                    Value::Expr(name) => file.lookup(name).cloned(),
                    _ => Some(value.clone()),
                };
                for resource in &file.resources {
                    for (_, node) in resource.body.walk() {
                        if let Value::Object(members) = &node.value {
                            judge(members, &resource.type_, &lookup, "//", out);
                        }
                    }
                }
            }
        }
    }
}

/// `[parameters('x')]` → the parameter's `defaultValue`; `[variables('x')]` → the variable.
fn arm_lookup(root: &Node, value: &Node) -> Option<Node> {
    let Some(s) = value.as_str() else {
        return Some(value.clone());
    };
    let expr = s.trim();
    let Some(inner) = expr.strip_prefix('[').and_then(|e| e.strip_suffix(']')) else {
        return Some(value.clone());
    };
    let inner = inner.trim();
    let (section, rest) = if let Some(r) = inner.strip_prefix("parameters(") {
        ("parameters", r)
    } else if let Some(r) = inner.strip_prefix("variables(") {
        ("variables", r)
    } else {
        return None;
    };
    let name = rest.strip_suffix(')')?.trim().trim_matches('\'');
    let entry = &root.get(section)?.value.get(name)?.value;
    if section == "parameters" {
        entry.get("defaultValue").map(|m| m.value.clone())
    } else {
        Some(entry.clone())
    }
}

/// Reports the affinity members of one object of a resource of `resource_type`: each member
/// that starts the ARM spelling of a setting row for that type, followed along the row's path.
fn judge(
    members: &[Member],
    resource_type: &str,
    lookup: &dyn Fn(&Node) -> Option<Node>,
    comment: &str,
    out: &mut Sink,
) {
    let resource_type = resource_type.split('@').next().unwrap_or_default();
    for m in members {
        for setting in settings::SETTINGS {
            for spelling in setting.arm {
                let Some((first, rest)) = spelling.path.split_first() else {
                    continue;
                };
                if !m.key.eq_ignore_ascii_case(first.name())
                    || !settings::arm_type_matches(spelling, resource_type)
                {
                    continue;
                }
                // (where: the member that pins, its value as far as it is known)
                let mut here = (m.key_span.start..m.value.span.end, lookup(&m.value));
                for step in rest {
                    let member = match here.1.as_ref().map(|n| &n.value) {
                        Some(Value::Object(inner)) => inner
                            .iter()
                            .find(|i| i.key.eq_ignore_ascii_case(step.name())),
                        _ => None,
                    };
                    let Some(member) = member else {
                        here.1 = None;
                        break;
                    };
                    here = (
                        member.key_span.start..member.value.span.end,
                        lookup(&member.value),
                    );
                }
                let (span, node) = here;
                let text = match node.map(|n| n.value) {
                    Some(Value::Bool(b)) => Some(b.to_string()),
                    Some(Value::String(s)) => Some(s),
                    _ => None,
                };
                let value = text
                    .as_deref()
                    .map_or(settings::Value::Unknown, settings::Value::Known);
                let Some(rule) = setting.judge(spelling, value, None, None) else {
                    continue;
                };
                let what = settings::message(
                    spelling,
                    resource_type,
                    text.as_deref().unwrap_or_default(),
                    "",
                    "",
                );
                out.push(Diagnostic::new(
                    rule,
                    span,
                    format!("{what}, which {}", affinity::pins(rule)),
                    affinity::help(rule, settings::fix(spelling, rule), comment),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn triggers_and_rules_cover_the_rows() {
        let d = AzureTemplateAffinity;
        settings::assert_detector_covers(Format::Arm, d.triggers(), d.rules());
    }

    fn findings(name: &str, kind: FileKind, text: &str) -> Vec<String> {
        let file = SourceFile::new(name.into(), kind, text.into());
        let mut sink = Sink::default();
        crate::detectors::check_into(&AzureTemplateAffinity, &file, &mut sink);
        sink.diagnostics
            .iter()
            .map(|d| text[d.span.clone()].to_owned())
            .collect()
    }

    #[test]
    fn arm_templates_with_parameters() {
        let arm = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": { "affinity": { "type": "bool", "defaultValue": true } },
  "resources": [
    { "type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "properties": { "clientAffinityEnabled": "[parameters('affinity')]" } },
    { "type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "properties": { "clientAffinityEnabled": false } },
    { "type": "Microsoft.Network/applicationGateways", "apiVersion": "2023-04-01", "properties": { "backendHttpSettingsCollection": [
      { "name": "a", "properties": { "cookieBasedAffinity": "Enabled" } },
      { "name": "b", "properties": { "cookieBasedAffinity": "Disabled" } } ] } }
  ]
}"#;
        let f = findings("azuredeploy.json", FileKind::Json, arm);
        assert_eq!(
            f,
            [
                "\"clientAffinityEnabled\": \"[parameters('affinity')]\"",
                "\"cookieBasedAffinity\": \"Enabled\""
            ]
        );
        let not_a_template = r#"{ "clientAffinityEnabled": true }"#;
        assert!(findings("x.json", FileKind::Json, not_a_template).is_empty());
    }

    #[test]
    fn bicep_with_params() {
        let bicep = "param sticky bool = true\nresource web 'Microsoft.Web/sites@2023-01-01' = {\n  name: 'x'\n  properties: {\n    clientAffinityEnabled: sticky\n  }\n}\nresource off 'Microsoft.Web/sites@2023-01-01' = {\n  properties: {\n    clientAffinityEnabled: false\n  }\n}\n";
        assert_eq!(
            findings("main.bicep", FileKind::Bicep, bicep),
            ["clientAffinityEnabled: sticky"]
        );
        let app = "resource app 'Microsoft.App/containerApps@2024-03-01' = {\n  properties: {\n    configuration: {\n      ingress: {\n        external: true\n        stickySessions: {\n          affinity: 'sticky'\n        }\n      }\n    }\n  }\n}\n";
        assert_eq!(
            findings("app.bicep", FileKind::Bicep, app),
            ["affinity: 'sticky'"]
        );
        let afd = "resource og 'Microsoft.Cdn/profiles/originGroups@2024-02-01' = {\n  properties: {\n    sessionAffinityState: 'Enabled'\n  }\n}\n";
        assert_eq!(
            findings("afd.bicep", FileKind::Bicep, afd),
            ["sessionAffinityState: 'Enabled'"]
        );
        let off = app.replace("'sticky'", "'none'");
        assert!(findings("app.bicep", FileKind::Bicep, &off).is_empty());
    }

    #[test]
    fn nested_bicep_slots_and_resource_types() {
        let bicep = "resource site 'Microsoft.Web/sites@2023-01-01' = {\n  properties: {\n    clientAffinityEnabled: false\n  }\n  resource staging 'slots' = {\n    properties: {\n      clientAffinityEnabled: true\n    }\n  }\n}\nresource plan 'Microsoft.Web/serverfarms@2023-01-01' = {\n  properties: {\n    clientAffinityEnabled: true\n  }\n}\n";
        // The slot's, not the server farm's (not an App Service).
        let text = findings("main.bicep", FileKind::Bicep, bicep);
        assert_eq!(text, ["clientAffinityEnabled: true"]);
        let at = bicep
            .find("clientAffinityEnabled: true")
            .unwrap_or_default();
        let file = SourceFile::new("main.bicep".into(), FileKind::Bicep, bicep.into());
        let mut sink = Sink::default();
        crate::detectors::check_into(&AzureTemplateAffinity, &file, &mut sink);
        assert_eq!(sink.diagnostics[0].span.start, at);
    }

    #[test]
    fn classic_front_door_in_arm() {
        let arm = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [
    { "type": "Microsoft.Network/frontDoors", "apiVersion": "2021-06-01", "properties": { "frontendEndpoints": [
      { "name": "a", "properties": { "sessionAffinityEnabledState": "Enabled" } },
      { "name": "b", "properties": { "sessionAffinityEnabledState": "Disabled" } } ] } },
    { "type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "properties": { "sessionAffinityEnabledState": "Enabled" } }
  ]
}"#;
        assert_eq!(
            findings("azuredeploy.json", FileKind::Json, arm),
            ["\"sessionAffinityEnabledState\": \"Enabled\""]
        );
    }
}
