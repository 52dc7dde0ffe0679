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
use crate::parse::tree::{Node, Value};
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
        .get_ci("$schema")
        .and_then(Node::str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("deploymenttemplate"));
    if !is_template {
        return;
    }
    let lookup = |value| arm_lookup(root, value);
    // Depth first, each node with the type of the nearest enclosing resource (an object with
    // `type` and `apiVersion`), so nothing is walked twice.
    let mut stack: Vec<(&Node, &str)> = vec![(root, "")];
    while let Some((node, outer)) = stack.pop() {
        let resource_type = match &node.value {
            Value::Map(_) if node.get_ci("apiVersion").is_some() => {
                node.get_ci("type").and_then(Node::str).unwrap_or(outer)
            }
            _ => outer,
        };
        judge(node, resource_type, &lookup, out);
        match &node.value {
            Value::Map(entries) => {
                stack.extend(entries.iter().rev().map(|(_, v)| (v, resource_type)))
            }
            Value::Seq(items) => stack.extend(items.iter().rev().map(|v| (v, resource_type))),
            _ => {}
        }
    }
}

/// A bare identifier → the `var`'s value or the `param`'s default it names.
fn bicep_lookup<'a>(file: &'a crate::parse::bicep::File, value: &'a Node) -> Option<&'a Node> {
    match value.expr() {
        Some(name) => file.lookup(name),
        None => Some(value),
    }
}

impl Check<AzureTemplate<'_>> for AzureTemplateAffinity {
    fn check(&self, model: &AzureTemplate<'_>, out: &mut Sink) {
        match *model {
            AzureTemplate::Arm(_, docs) => {
                for doc in &docs.docs {
                    arm_template(doc, out);
                }
            }
            AzureTemplate::Bicep(_, file) => {
                for resource in &file.resources {
                    for node in resource.body.walk() {
                        let lookup = |value| bicep_lookup(file, value);
                        judge(node, &resource.type_, &lookup, out);
                    }
                }
            }
        }
    }
}

/// `[parameters('x')]` → the parameter's `defaultValue`; `[variables('x')]` → the variable.
fn arm_lookup<'a>(root: &'a Node, value: &'a Node) -> Option<&'a Node> {
    let Some(s) = value.str() else {
        return Some(value);
    };
    let expr = s.trim();
    let Some(inner) = expr.strip_prefix('[').and_then(|e| e.strip_suffix(']')) else {
        return Some(value);
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
    let entry = root.get_ci(section)?.get_ci(name)?;
    if section == "parameters" {
        entry.get_ci("defaultValue")
    } else {
        Some(entry)
    }
}

/// Reports the affinity members of one object of a resource of `resource_type`: each member
/// that starts the ARM spelling of a setting row for that type, followed along the row's path
/// (nothing for a value that is not an object).
fn judge<'a>(
    object: &'a Node,
    resource_type: &str,
    lookup: &dyn Fn(&'a Node) -> Option<&'a Node>,
    out: &mut Sink,
) {
    let Value::Map(members) = &object.value else {
        return;
    };
    let resource_type = resource_type.split('@').next().unwrap_or_default();
    for (key, value) in members {
        let Some(name) = key.str() else { continue };
        for setting in settings::SETTINGS {
            for spelling in setting.arm {
                let Some((first, rest)) = spelling.path.split_first() else {
                    continue;
                };
                if !name.eq_ignore_ascii_case(first.name())
                    || !settings::arm_type_matches(spelling, resource_type)
                {
                    continue;
                }
                // (where: the member that pins, its value as far as it is known)
                let mut here = (key.span.start..value.span.end, lookup(value));
                for step in rest {
                    let Some((k, v)) = here.1.and_then(|n| n.entry_ci(step.name())) else {
                        here.1 = None;
                        break;
                    };
                    here = (k.span.start..v.span.end, lookup(v));
                }
                let (span, node) = here;
                // ARM compares `true` and `"true"` alike; Bicep literals arrive as the same scalars.
                let text = node.and_then(Node::str);
                let value = text.map_or(settings::Value::Unknown, settings::Value::Known);
                let Some(rule) = setting.judge(spelling, value, None, None) else {
                    continue;
                };
                let what =
                    settings::message(spelling, resource_type, text.unwrap_or_default(), "", "");
                out.push(Diagnostic::new(
                    rule,
                    span,
                    format!("{what}, which {}", affinity::pins(rule)),
                    affinity::help(rule, settings::fix(spelling, rule)),
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
