//! Azure ARM templates (JSON) and Bicep: App Service ARR affinity (`clientAffinityEnabled:
//! true` on `Microsoft.Web/sites` and its slots), Application Gateway cookie affinity
//! (`cookieBasedAffinity: 'Enabled'`), Container Apps ingress `stickySessions: { affinity:
//! 'sticky' }` and Front Door origin groups' `sessionAffinityState: 'Enabled'`. Values may come
//! from a template parameter's `defaultValue` or variable (`[parameters('x')]`, Bicep
//! `param x bool = true`).

use super::affinity;
use super::model::AzureTemplate;
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::tree::{Node, Value};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use std::ops::Range;

/// Affinity in ARM templates and Bicep files.
pub struct AzureTemplateAffinity;

impl Detector for AzureTemplateAffinity {
    fn id(&self) -> &'static str {
        "azure/template-affinity"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Json, FileKind::Bicep]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "clientAffinityEnabled",
            "cookieBasedAffinity",
            "stickySessions",
            "sessionAffinityState",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL401"]
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

/// Reports the affinity members of one object of a resource of `resource_type` (nothing for a
/// value that is not an object).
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
    let web_site = resource_type
        .to_ascii_lowercase()
        .starts_with("microsoft.web/sites");
    // ARM compares `true` and `"true"` alike; Bicep literals arrive as the same scalars.
    let is = |node: Option<&Node>, wanted: &str| {
        node.and_then(Node::str)
            .is_some_and(|s| s.eq_ignore_ascii_case(wanted))
    };
    for (key, value) in members {
        let Some(name) = key.str() else { continue };
        let name = name.to_ascii_lowercase();
        // (where: the member that pins, what it does, the fix)
        let here = key.span.start..value.span.end;
        let found: Option<(Range<usize>, String, &str)> = match name.as_str() {
            "clientaffinityenabled" if web_site && is(lookup(value), "true") => Some((
                here,
                format!(
                    "this App Service (`{resource_type}`) turns on ARR affinity \
                     (`clientAffinityEnabled: true`, the `ARRAffinity` cookie)"
                ),
                "set `clientAffinityEnabled: false` (when omitted, App Service turns affinity on)",
            )),
            "stickysessions" => lookup(value)
                .and_then(|n| n.entry_ci("affinity"))
                .filter(|(_, a)| is(lookup(a), "sticky"))
                .map(|(k, a)| {
                    (
                        k.span.start..a.span.end,
                        "this container app's ingress sets `stickySessions.affinity: sticky`"
                            .to_owned(),
                        "set `stickySessions.affinity` to `none`",
                    )
                }),
            "sessionaffinitystate" if is(lookup(value), "Enabled") => Some((
                here,
                "this Front Door origin group sets `sessionAffinityState: Enabled`".to_owned(),
                "set `sessionAffinityState` to `Disabled`",
            )),
            "cookiebasedaffinity" if is(lookup(value), "Enabled") => Some((
                here,
                "the application gateway's backend HTTP settings set \
                 `cookieBasedAffinity: Enabled`"
                    .to_owned(),
                "set `cookieBasedAffinity` to `Disabled`",
            )),
            _ => None,
        };
        if let Some((span, what, change)) = found {
            out.push(Diagnostic::new(
                &rules::SL401,
                span,
                format!("{what}, which {}", affinity::PINS_USERS),
                affinity::help(&rules::SL401, change),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

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
}
