//! Azure ARM templates (JSON) and Bicep: App Service ARR affinity (`clientAffinityEnabled:
//! true` on `Microsoft.Web/sites` and its slots), Application Gateway cookie affinity
//! (`cookieBasedAffinity: 'Enabled'`), Container Apps ingress `stickySessions: { affinity:
//! 'sticky' }` and Front Door origin groups' `sessionAffinityState: 'Enabled'`. Values may come
//! from a template parameter's `defaultValue` or variable (`[parameters('x')]`, Bicep
//! `param x bool = true`).

use super::affinity;
use crate::detectors::Detector;
use crate::diagnostic::Diagnostic;
use crate::parse::Tree;
use crate::parse::json::{Member, Node, Value};
use crate::project::Sink;
use crate::rules;
use crate::source::{FileKind, SourceFile};
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

    fn check(&self, file: &SourceFile, tree: &Tree, out: &mut Sink) {
        match tree {
            Tree::Data(docs) if file.kind == FileKind::Json => {
                for doc in &docs.docs {
                    arm_template(&Node::from_data(doc), out);
                }
            }
            Tree::Bicep(file) => {
                let lookup = |value: &Node| match &value.value {
                    Value::Expr(name) => file.lookup(name).cloned(),
                    _ => Some(value.clone()),
                };
                for resource in &file.resources {
                    for (_, node) in resource.body.walk() {
                        if let Value::Object(members) = &node.value {
                            judge(members, &resource.type_, &lookup, out);
                        }
                    }
                }
            }
            _ => {}
        }
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
        judge(members, &resource_type, &lookup, out);
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

/// Reports the affinity members of one object of a resource of `resource_type`.
fn judge(
    members: &[Member],
    resource_type: &str,
    lookup: &dyn Fn(&Node) -> Option<Node>,
    out: &mut Sink,
) {
    let resource_type = resource_type.split('@').next().unwrap_or_default();
    let web_site = resource_type
        .to_ascii_lowercase()
        .starts_with("microsoft.web/sites");
    let is = |node: Option<Node>, wanted: &str| {
        node.is_some_and(|n| match n.value {
            Value::Bool(b) => b.to_string() == wanted,
            Value::String(s) => s.eq_ignore_ascii_case(wanted),
            _ => false,
        })
    };
    for m in members {
        let key = m.key.to_ascii_lowercase();
        // (where: the member that pins, what it does, the fix)
        let here = m.key_span.start..m.value.span.end;
        let found: Option<(Range<usize>, String, &str)> = match key.as_str() {
            "clientaffinityenabled" if web_site && is(lookup(&m.value), "true") => Some((
                here,
                format!(
                    "this App Service (`{resource_type}`) turns on ARR affinity \
                     (`clientAffinityEnabled: true`, the `ARRAffinity` cookie)"
                ),
                "set `clientAffinityEnabled: false` (when omitted, App Service turns affinity on)",
            )),
            "stickysessions" => lookup(&m.value)
                .and_then(|n| n.get("affinity").cloned())
                .filter(|a| is(lookup(&a.value), "sticky"))
                .map(|a| {
                    (
                        a.key_span.start..a.value.span.end,
                        "this container app's ingress sets `stickySessions.affinity: sticky`"
                            .to_owned(),
                        "set `stickySessions.affinity` to `none`",
                    )
                }),
            "sessionaffinitystate" if is(lookup(&m.value), "Enabled") => Some((
                here,
                "this Front Door origin group sets `sessionAffinityState: Enabled`".to_owned(),
                "set `sessionAffinityState` to `Disabled`",
            )),
            "cookiebasedaffinity" if is(lookup(&m.value), "Enabled") => Some((
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

    fn findings(name: &str, kind: FileKind, text: &str) -> Vec<String> {
        let file = SourceFile::new(name.into(), kind, text.into());
        let tree = match crate::parse::parse(&file) {
            crate::parse::Parsed::Complete(t) | crate::parse::Parsed::Partial(t, ..) => t,
            crate::parse::Parsed::Failed(..) => panic!("parse failed"),
        };
        let mut sink = Sink::default();
        AzureTemplateAffinity.check(&file, &tree, &mut sink);
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
