//! Terraform / OpenTofu load-balancer affinity, read with hcl-edit: AWS target-group
//! `stickiness` (on when the block is present: `enabled` defaults to true), listener `forward`
//! stickiness, classic ELB cookie stickiness policies, GCP backend-service and target-pool
//! `session_affinity`, Azure App Service `client_affinity_enabled`, Application Gateway
//! `cookie_based_affinity`, Front Door origin group `session_affinity_enabled`, DigitalOcean
//! `sticky_sessions`, Cloudflare load balancer `session_affinity`, and the target groups'
//! `stickiness` passed to terraform-aws-modules/alb.
//!
//! Values may come from `var.*` (a `variable`'s `default`, overridden by `terraform.tfvars` /
//! `*.auto.tfvars` or by the literal inputs of a `module` block that calls the module by a
//! local path) or `local.*` of the same module (directory): each file records what it defines
//! and what it would report as facts, resolved after the walk. A `dynamic "stickiness"` block
//! counts when its `for_each` condition resolves. A value that stays unknown (a module input
//! without default, a conditional) is not reported.

use super::affinity;
use super::settings::{self, Format, Setting, Spelling, Step, Value};
use crate::detectors::Parsed;
use crate::detectors::{Check as CheckFile, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::project::{Facts, Located, Sink};
use crate::source::FileKind;
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

/// Load-balancer affinity in Terraform resources.
pub struct TerraformAffinity;

/// A value as far as it is known without running Terraform.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Bool(bool),
    Str(String),
    Obj(Vec<(String, Val)>),
    Unknown,
    /// A block (or the resource itself) that is there, for settings decided by presence.
    Present,
}

/// An attribute's value: a literal, a reference to resolve, or absent.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Lit(Val),
    /// `var.NAME.path…` (`var` true) or `local.NAME.path…`.
    Ref {
        var: bool,
        name: String,
        path: Vec<String>,
    },
    Absent,
}

/// The inputs a `module` block with a local `source` passes to the module in `dir`.
#[derive(Debug)]
struct ModuleCall {
    /// The called module's directory (the caller's directory joined with `source`).
    dir: String,
    /// `module.NAME`, for messages.
    caller: String,
    /// The literal inputs (a reference to the caller's own values is `Unknown`).
    args: Vec<(String, Val)>,
}

/// What a module file defines: a variable default, a tfvars value or a local.
#[derive(Debug)]
struct Binding {
    dir: String,
    kind: BindingKind,
    name: String,
    value: Val,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BindingKind {
    Default,
    TfVars,
    Local,
}

/// Whether a block exists: always for a plain block; for a `dynamic` block, when its
/// `for_each` is `cond ? [..] : []` (or a literal list), by the condition and which side is
/// non-empty. `cond` is `Absent` when the block is always there.
#[derive(Debug, Clone)]
struct Presence {
    cond: Term,
    if_true: bool,
    if_false: bool,
}

impl Presence {
    const ALWAYS: Presence = Presence {
        cond: Term::Absent,
        if_true: true,
        if_false: true,
    };

    /// The presence of `dynamic "…" { for_each = … }`, or `None` when it cannot be told.
    fn of_for_each(expr: &Expression) -> Option<Presence> {
        let non_empty = |e: &Expression| match e {
            Expression::Array(a) => Some(!a.is_empty()),
            Expression::Object(o) => Some(!o.is_empty()),
            _ => None,
        };
        match expr {
            Expression::Conditional(c) => Some(Presence {
                cond: term(&c.cond_expr),
                if_true: non_empty(&c.true_expr)?,
                if_false: non_empty(&c.false_expr)?,
            }),
            e => non_empty(e)?.then_some(Presence::ALWAYS),
        }
    }
}

/// A possible finding, recorded as a fact of its file: a spelling of a setting row found in a
/// resource, with the terms its verdict depends on.
#[derive(Debug)]
struct Candidate {
    dir: String,
    span: Range<usize>,
    resource: String,
    setting: &'static Setting,
    spelling: &'static Spelling,
    /// Whether the block holding the deciding attribute is there.
    present: Presence,
    /// The deciding attribute (`Absent` when not written; the row's default stands in).
    value: Term,
    /// The attribute naming the kind of affinity, if the row has kinds.
    kind: Term,
    /// The resource's protocol, which decides the kind when none is given.
    protocol: Term,
}

/// The rows' triggers after what the evaluation needs: `stick` and `affinity` are also in the
/// usual names of the variables behind the settings (so in tfvars), and `variable` / `locals`
/// blocks hold module values.
static TRIGGERS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    settings::triggers(
        settings::SETTINGS,
        Format::Terraform,
        &["stick", "affinity", "variable", "locals"],
    )
});

static RULES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| settings::rules(settings::SETTINGS, Format::Terraform));

impl Detector for TerraformAffinity {
    fn id(&self) -> &'static str {
        "terraform/lb-affinity"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Hcl]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Hcl(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let mut bindings: HashMap<(&str, bool, &str), (BindingKind, &Val)> = HashMap::new();
        for (_, b) in facts.of::<Binding>() {
            let key = (
                b.dir.as_str(),
                b.kind == BindingKind::Local,
                b.name.as_str(),
            );
            // tfvars win over a variable's default.
            let keep = bindings
                .get(&key)
                .is_none_or(|(k, _)| *k != BindingKind::TfVars);
            if keep {
                bindings.insert(key, (b.kind, &b.value));
            }
        }
        let mut callers: HashMap<&str, Vec<(&str, &ModuleCall)>> = HashMap::new();
        for (path, call) in facts.of::<ModuleCall>() {
            callers
                .entry(call.dir.as_str())
                .or_default()
                .push((path, call));
        }
        let eval = |dir: &str, call: Option<&ModuleCall>, term: &Term| -> Option<Val> {
            match term {
                Term::Absent => None,
                Term::Lit(v) => Some(v.clone()),
                Term::Ref { var, name, path } => {
                    // An input the caller passes wins over the variable's default.
                    let passed = call
                        .filter(|_| *var)
                        .and_then(|c| c.args.iter().find(|(n, _)| n == name))
                        .map(|(_, v)| v);
                    let mut v = match passed {
                        Some(v) => v,
                        None => bindings.get(&(dir, !*var, name.as_str()))?.1,
                    };
                    for p in path {
                        let Val::Obj(members) = v else {
                            return Some(Val::Unknown);
                        };
                        v = &members.iter().find(|(k, _)| k == p)?.1;
                    }
                    Some(v.clone())
                }
            }
        };
        for (path, c) in facts.of::<Candidate>() {
            // A called module is judged with each caller's inputs; a root module on its own.
            let calls: Vec<Option<(&str, &ModuleCall)>> = match callers.get(c.dir.as_str()) {
                Some(list) => list.iter().map(|c| Some(*c)).collect(),
                None => vec![None],
            };
            let found = calls.into_iter().find_map(|call| {
                let mut d = decide(c, |t| eval(&c.dir, call.map(|(_, m)| m), t))?;
                if let Some((at, call)) = call {
                    let name = format!("`{}`", c.resource);
                    let called = format!("{name} (as `{}` in {at} calls it)", call.caller);
                    d.message = d.message.replacen(&name, &called, 1);
                }
                Some(d)
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

impl CheckFile<Parsed<'_, hcl_edit::structure::Body>> for TerraformAffinity {
    fn check(&self, model: &Parsed<'_, hcl_edit::structure::Body>, out: &mut Sink) {
        let (file, body) = (model.file, model.tree);
        let (dir, name) = match file.rel_path.rsplit_once('/') {
            Some((d, n)) => (d.to_owned(), n.to_ascii_lowercase()),
            None => (String::new(), file.rel_path.to_ascii_lowercase()),
        };
        if name.ends_with(".tfvars") {
            // Only the files Terraform loads by itself override defaults.
            if name == "terraform.tfvars" || name.ends_with(".auto.tfvars") {
                for attr in body.attributes() {
                    out.fact(Binding {
                        dir: dir.clone(),
                        kind: BindingKind::TfVars,
                        name: attr.key.as_str().to_owned(),
                        value: val(&attr.value),
                    });
                }
            }
            return;
        }
        for block in body.blocks() {
            match block.ident.as_str() {
                "variable" => {
                    if let (Some(label), Some(default)) =
                        (block.labels.first(), block.body.get_attribute("default"))
                    {
                        out.fact(Binding {
                            dir: dir.clone(),
                            kind: BindingKind::Default,
                            name: label.as_str().to_owned(),
                            value: val(&default.value),
                        });
                    }
                }
                "locals" => {
                    for attr in block.body.attributes() {
                        out.fact(Binding {
                            dir: dir.clone(),
                            kind: BindingKind::Local,
                            name: attr.key.as_str().to_owned(),
                            value: val(&attr.value),
                        });
                    }
                }
                "module" if is_aws_alb_module(block) => {
                    // terraform-aws-modules/alb passes each target group's `stickiness`
                    // object to `aws_lb_target_group`, with the provider's defaults.
                    let name = block.labels.first().map_or("", |l| l.as_str());
                    for (group, candidate) in alb_module_checks(block) {
                        out.fact(Candidate {
                            dir: dir.clone(),
                            resource: format!("module.{name}` target group `{group}"),
                            ..candidate
                        });
                    }
                }
                "module" => {
                    let source = block.body.get_attribute("source");
                    let Some(source) = source.and_then(|a| a.value.as_str()) else {
                        continue;
                    };
                    let Some(child) = local_module_dir(&dir, source) else {
                        continue;
                    };
                    let args = block
                        .body
                        .attributes()
                        .filter(|a| a.key.as_str() != "source")
                        .map(|a| (a.key.as_str().to_owned(), val(&a.value)))
                        .collect();
                    let name = block.labels.first().map_or("", |l| l.as_str());
                    out.fact(ModuleCall {
                        dir: child,
                        caller: format!("module.{name}"),
                        args,
                    });
                }
                "resource" => {
                    let resource = block
                        .labels
                        .iter()
                        .map(|l| l.as_str())
                        .collect::<Vec<_>>()
                        .join(".");
                    for candidate in resource_checks(block) {
                        out.fact(Candidate {
                            dir: dir.clone(),
                            resource: resource.clone(),
                            ..candidate
                        });
                    }
                }
                _ => {}
            }
        }
    }
}

/// The directory of a module called with a local `source` (`./modules/lb`, `../lb`), relative
/// to the scan root like `dir`; `None` for registry, git or other remote sources.
fn local_module_dir(dir: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Whether a `module` block calls terraform-aws-modules' ALB/NLB module.
fn is_aws_alb_module(block: &Block) -> bool {
    block
        .body
        .get_attribute("source")
        .and_then(|a| a.value.as_str())
        .is_some_and(|s| {
            s.contains("terraform-aws-modules/alb/aws") || s.contains("terraform-aws-alb")
        })
}

/// The `stickiness` objects of the target groups (a map or a list of objects) passed to
/// terraform-aws-modules/alb, judged by the target-group row: (group key or index, candidate
/// without directory and resource name).
fn alb_module_checks(block: &Block) -> Vec<(String, Candidate)> {
    let Some(groups) = block.body.get_attribute("target_groups") else {
        return Vec::new();
    };
    let groups: Vec<(String, &Expression)> = match &groups.value {
        Expression::Object(o) => o
            .iter()
            .map(|(k, v)| (object_key(k).unwrap_or_default(), v.expr()))
            .collect(),
        Expression::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, e)| (i.to_string(), e))
            .collect(),
        _ => return Vec::new(),
    };
    let member = |expr: &Expression, key: &str| -> Option<(Range<usize>, Expression)> {
        let Expression::Object(o) = expr else {
            return None;
        };
        o.iter().find_map(|(k, v)| {
            (object_key(k).as_deref() == Some(key)).then(|| {
                let start = k.span().map_or(0, |s| s.start);
                let end = v.expr().span().map_or(start, |s| s.end);
                (start..end, v.expr().clone())
            })
        })
    };
    let setting: &'static Setting = &settings::TARGET_GROUP;
    let Some(spelling) = setting.terraform.first() else {
        return Vec::new();
    };
    let (Some(block_name), Some(value_key)) = (spelling.path.first(), spelling.path.last()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, group) in groups {
        let Some((span, object)) = member(group, block_name.name()) else {
            continue;
        };
        let field = |step: Option<Step>| {
            step.and_then(|s| member(&object, s.name()))
                .map_or(Term::Absent, |(_, e)| term(&e))
        };
        let protocol = spelling
            .protocol
            .and_then(|p| member(group, p))
            .map_or(Term::Absent, |(_, e)| term(&e));
        let span = member(&object, value_key.name()).map_or(span, |(s, _)| s);
        out.push((
            name,
            Candidate {
                dir: String::new(),
                span,
                resource: String::new(),
                setting,
                spelling,
                present: Presence::ALWAYS,
                value: field(Some(*value_key)),
                kind: field(spelling.kind),
                protocol,
            },
        ));
    }
    out
}

/// An object key as text: an identifier or a string literal.
fn object_key(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(id) => Some(id.as_str().to_owned()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.value().clone()),
        ObjectKey::Expression(_) => None,
    }
}

/// The blocks named `name` in `body`: plain ones (present with their parent) and the
/// `content` of `dynamic "name"` blocks whose `for_each` tells when they exist.
fn blocks<'b>(body: &'b Body, name: &'b str, parent: &Presence) -> Vec<(&'b Block, Presence)> {
    let plain = body.get_blocks(name).map(|b| (b, parent.clone()));
    let dynamic = body.get_blocks("dynamic").filter_map(|d| {
        if d.labels.first().map(|l| l.as_str()) != Some(name) {
            return None;
        }
        let for_each = d.body.get_attribute("for_each")?;
        let content = d.body.get_blocks("content").next()?;
        Some((content, Presence::of_for_each(&for_each.value)?))
    });
    plain.chain(dynamic).collect()
}

/// The settings of one `resource` block that may pin users, as candidates without directory
/// and resource name: every Terraform spelling of a row naming this resource type, followed
/// along its block path.
fn resource_checks(block: &Block) -> Vec<Candidate> {
    let kind = block.labels.first().map_or("", |l| l.as_str());
    let attr = |body: &Body, key: Option<Step>| -> (Term, Option<Range<usize>>) {
        key.and_then(|k| body.get_attribute(k.name()))
            .map_or((Term::Absent, None), |a| (term(&a.value), a.span()))
    };
    let mut out = Vec::new();
    for setting in settings::SETTINGS {
        for spelling in setting.terraform {
            if !spelling.resources.contains(&kind) {
                continue;
            }
            let protocol = spelling
                .protocol
                .and_then(|p| block.body.get_attribute(p))
                .map_or(Term::Absent, |a| term(&a.value));
            let Some((last, parents)) = spelling.path.split_last() else {
                // The resource itself pins users: point at its head.
                let head = block.ident.span().unwrap_or_default().start
                    ..block
                        .labels
                        .last()
                        .and_then(|l| l.span())
                        .map_or(0, |s| s.end);
                out.push(Candidate {
                    dir: String::new(),
                    span: head,
                    resource: String::new(),
                    setting,
                    spelling,
                    present: Presence::ALWAYS,
                    value: Term::Lit(Val::Present),
                    kind: Term::Absent,
                    protocol,
                });
                continue;
            };
            // (body, presence, the innermost block's span) along the path.
            let mut level: Vec<(&Body, Presence, Option<Range<usize>>)> =
                vec![(&block.body, Presence::ALWAYS, None)];
            for step in parents {
                level = level
                    .iter()
                    .flat_map(|(body, present, _)| blocks(body, step.name(), present))
                    .map(|(b, p)| (&b.body, p, b.span()))
                    .collect();
            }
            for (body, present, block_span) in level {
                let (value, at) = attr(body, Some(*last));
                if value == Term::Absent && !setting.absent_can_pin(spelling) {
                    continue;
                }
                let (kind, kind_at) = attr(body, spelling.kind);
                // Without the attribute the block itself decides: point at its kind, or at it.
                let Some(span) = at.or(kind_at).or(block_span) else {
                    continue;
                };
                out.push(Candidate {
                    dir: String::new(),
                    span,
                    resource: String::new(),
                    setting,
                    spelling,
                    present,
                    value,
                    kind,
                    protocol: protocol.clone(),
                });
            }
        }
    }
    out
}

/// Judges a candidate with `eval` resolving its references (`None`: not resolvable).
fn decide(c: &Candidate, eval: impl Fn(&Term) -> Option<Val>) -> Option<Diagnostic> {
    let present = &c.present;
    if present.cond != Term::Absent {
        let Some(Val::Bool(cond)) = eval(&present.cond) else {
            return None;
        };
        if !(if cond {
            present.if_true
        } else {
            present.if_false
        }) {
            return None;
        }
    }
    let resolved = |t: &Term| match t {
        Term::Absent => None,
        t => Some(eval(t).unwrap_or(Val::Unknown)),
    };
    let string = |t: &Term| match resolved(t) {
        Some(Val::Str(s)) => Some(s),
        _ => None,
    };
    let value = resolved(&c.value);
    let text = match &value {
        Some(Val::Bool(b)) => Some(b.to_string()),
        Some(Val::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let found = match (&value, &text) {
        (None, _) => Value::Absent,
        (_, Some(s)) => Value::Known(s),
        (Some(Val::Present), _) => Value::Present,
        _ => Value::Unknown,
    };
    let kind = string(&c.kind);
    let protocol = string(&c.protocol);
    let rule = c
        .setting
        .judge(c.spelling, found, kind.as_deref(), protocol.as_deref())?;
    let shown_kind = kind
        .as_deref()
        .or(c.spelling.path.first().map(|s| s.name()))
        .unwrap_or_default();
    let what = settings::message(
        c.spelling,
        &c.resource,
        text.as_deref().unwrap_or_default(),
        shown_kind,
        "",
    );
    Some(Diagnostic::new(
        rule,
        c.span.clone(),
        format!("`{}` {what}, which {}", c.resource, affinity::pins(rule)),
        affinity::help(rule, settings::fix(c.spelling, rule)),
    ))
}
/// An attribute's expression as a term.
fn term(expr: &Expression) -> Term {
    // Terraform 0.11 wrote references as `"${var.x}"`: a template of one interpolation.
    if let Expression::StringTemplate(t) = expr {
        let mut elements = t.iter();
        if let (Some(hcl_edit::template::Element::Interpolation(i)), None) =
            (elements.next(), elements.next())
        {
            return term(&i.expr);
        }
    }
    if let Expression::Parenthesis(p) = expr {
        return term(p.inner());
    }
    if let Expression::Traversal(t) = expr
        && let Expression::Variable(root) = &t.expr
        && matches!(root.as_str(), "var" | "local")
    {
        let mut names = t.operators.iter().map(|op| match op.value() {
            TraversalOperator::GetAttr(id) => Some(id.as_str().to_owned()),
            TraversalOperator::Index(Expression::String(s)) => Some(s.value().clone()),
            _ => None,
        });
        let Some(Some(name)) = names.next() else {
            return Term::Lit(Val::Unknown);
        };
        let path: Option<Vec<String>> = names.collect();
        return match path {
            Some(path) => Term::Ref {
                var: root.as_str() == "var",
                name,
                path,
            },
            None => Term::Lit(Val::Unknown),
        };
    }
    Term::Lit(val(expr))
}

/// A literal's value (objects member by member), or `Unknown`.
fn val(expr: &Expression) -> Val {
    match expr {
        Expression::Bool(b) => Val::Bool(*b.value()),
        Expression::String(s) => Val::Str(s.value().clone()),
        Expression::Parenthesis(p) => val(p.inner()),
        Expression::Object(o) => Val::Obj(
            o.iter()
                .filter_map(|(k, v)| Some((object_key(k)?, val(v.expr()))))
                .collect(),
        ),
        _ => Val::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn triggers_and_rules_cover_the_rows() {
        let d = TerraformAffinity;
        settings::assert_detector_covers(Format::Terraform, d.triggers(), d.rules());
    }

    /// Findings of one module given as (file name, text) pairs: (rule, flagged text).
    fn findings(files: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        use crate::project::FileFact;
        let mut entries: Vec<(usize, FileFact)> = Vec::new();
        let mut texts = HashMap::new();
        for (name, text) in files {
            let file = SourceFile::new(format!("mod/{name}"), FileKind::Hcl, (*text).into());
            let mut sink = Sink::default();
            crate::detectors::check_into(&TerraformAffinity, &file, &mut sink);
            for fact in sink.take_facts() {
                entries.push((
                    0,
                    FileFact {
                        path: file.rel_path.clone(),
                        location: file.rel_path.clone().into(),
                        kind: FileKind::Hcl,
                        fact,
                    },
                ));
            }
            texts.insert(file.rel_path.clone(), (*text).to_owned());
        }
        entries.sort_by(|a, b| a.1.path.cmp(&b.1.path));
        let mut out = Vec::new();
        TerraformAffinity.resolve(&Facts::new(&entries, &[]), &mut out);
        out.into_iter()
            .map(|l| {
                let text = &texts[&l.path];
                (
                    l.diagnostic.rule.id,
                    text[l.diagnostic.span.clone()].to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn target_group_stickiness_is_on_when_the_block_is_there() {
        let tf = r#"
resource "aws_lb_target_group" "web" {
  protocol = "HTTP"
  stickiness {
    type = "lb_cookie"
  }
}
resource "aws_lb_target_group" "off" {
  stickiness {
    type    = "lb_cookie"
    enabled = false
  }
}
resource "aws_lb_target_group" "nlb" {
  protocol = "TCP"
  stickiness {
    type    = "source_ip"
    enabled = true
  }
}
"#;
        let f = findings(&[("main.tf", tf)]);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].0, "SL401");
        assert_eq!(f[0].1, "type = \"lb_cookie\"");
        assert_eq!(f[1], ("SL402", "enabled = true".to_owned()));
    }

    #[test]
    fn variables_locals_and_tfvars_resolve() {
        let main = r#"
resource "aws_lb_target_group" "web" {
  stickiness {
    type    = local.sticky_type
    enabled = var.sticky
  }
}
resource "aws_alb_target_group" "legacy" {
  stickiness {
    type    = "lb_cookie"
    enabled = "${var.sticky}"
  }
}
resource "google_compute_backend_service" "api" {
  session_affinity = var.affinity.mode
}
resource "azurerm_linux_web_app" "app" {
  client_affinity_enabled = var.unknown
}
"#;
        let vars = r#"
variable "sticky" {
  default = false
}
variable "affinity" {
  default = { mode = "CLIENT_IP" }
}
variable "unknown" {}
locals {
  sticky_type = "app_cookie"
}
"#;
        let f = findings(&[("main.tf", main), ("variables.tf", vars)]);
        assert_eq!(
            f,
            [("SL402", "session_affinity = var.affinity.mode".to_owned())]
        );
        let f = findings(&[
            ("main.tf", main),
            ("variables.tf", vars),
            ("terraform.tfvars", "sticky = true\n"),
        ]);
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(f[1], ("SL401", "enabled = \"${var.sticky}\"".to_owned()));
    }

    #[test]
    fn local_module_inputs_override_defaults() {
        let child = r#"
variable "sticky" {
  default = false
}
resource "aws_lb_target_group" "web" {
  stickiness {
    type    = "lb_cookie"
    enabled = var.sticky
  }
}
"#;
        let prod = "module \"web\" {\n  source = \"../../modules/web\"\n  sticky = true\n}\n";
        let dev = "module \"web\" {\n  source = \"../../modules/web\"\n}\n";
        let registry =
            "module \"web\" {\n  source = \"terraform-aws-modules/alb/aws\"\n  sticky = true\n}\n";
        let f = findings(&[
            ("modules/web/main.tf", child),
            ("envs/dev/main.tf", dev),
            ("envs/registry/main.tf", registry),
        ]);
        assert!(f.is_empty(), "{f:?}");
        let f = findings(&[("modules/web/main.tf", child), ("envs/prod/main.tf", prod)]);
        assert_eq!(f, [("SL401", "enabled = var.sticky".to_owned())]);
        assert_eq!(
            local_module_dir("envs/prod", "../../modules/web").as_deref(),
            Some("modules/web")
        );
        assert_eq!(local_module_dir("", "../x"), None);
    }

    #[test]
    fn dynamic_stickiness_follows_its_for_each() {
        let tf = r#"
variable "sticky" {
  default = true
}
variable "off" {
  default = false
}
resource "aws_lb_target_group" "on" {
  dynamic "stickiness" {
    for_each = var.sticky ? [1] : []
    content {
      type = "lb_cookie"
    }
  }
}
resource "aws_lb_target_group" "off" {
  dynamic "stickiness" {
    for_each = var.off ? [1] : []
    content {
      type = "lb_cookie"
    }
  }
}
resource "aws_lb_target_group" "generic" {
  dynamic "stickiness" {
    for_each = var.stickiness == null ? [] : [var.stickiness]
    content {
      type    = stickiness.value.type
      enabled = stickiness.value.enabled
    }
  }
}
"#;
        let f = findings(&[("main.tf", tf)]);
        assert_eq!(f, [("SL401", "type = \"lb_cookie\"".to_owned())]);
    }

    #[test]
    fn terraform_aws_modules_alb_target_groups() {
        let tf = r#"
module "alb" {
  source  = "terraform-aws-modules/alb/aws"
  version = "~> 9.0"
  target_groups = {
    web = {
      protocol = "HTTP"
      stickiness = {
        type = "lb_cookie"
      }
    }
    api = {
      protocol   = "HTTP"
      stickiness = { enabled = false, type = "lb_cookie" }
    }
    tcp = {
      protocol   = "TCP"
      stickiness = { enabled = var.nlb_sticky, type = "source_ip" }
    }
  }
}
variable "nlb_sticky" {
  default = true
}
"#;
        let f = findings(&[("main.tf", tf)]);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].0, "SL401");
        assert!(f[0].1.starts_with("stickiness = {"), "{f:?}");
        assert_eq!(f[1], ("SL402", "enabled = var.nlb_sticky".to_owned()));
    }

    #[test]
    fn other_clouds() {
        let tf = r#"
resource "digitalocean_loadbalancer" "lb" {
  sticky_sessions {
    type = "cookies"
  }
}
resource "digitalocean_loadbalancer" "rr" {
  sticky_sessions {
    type = "none"
  }
}
resource "azurerm_application_gateway" "gw" {
  backend_http_settings {
    cookie_based_affinity = "Enabled"
  }
  backend_http_settings {
    cookie_based_affinity = "Disabled"
  }
}
resource "google_compute_region_backend_service" "none" {
  session_affinity = "NONE"
}
resource "aws_app_cookie_stickiness_policy" "legacy" {
  cookie_name = "SESSIONID"
}
resource "cloudflare_load_balancer" "www" {
  session_affinity = "ip_cookie"
}
resource "azurerm_cdn_frontdoor_origin_group" "web" {
  session_affinity_enabled = true
}
resource "azurerm_cdn_frontdoor_origin_group" "api" {
  session_affinity_enabled = false
}
resource "cloudflare_load_balancer" "api" {
  session_affinity = "none"
}
"#;
        let rules: Vec<_> = findings(&[("main.tf", tf)])
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(rules, ["SL401", "SL401", "SL401", "SL401", "SL401"]);
    }

    #[test]
    fn kubernetes_service_client_ip_affinity() {
        let tf = r#"
resource "kubernetes_service" "web" {
  metadata {
    name = "web"
  }
  spec {
    session_affinity = "ClientIP"
  }
}
resource "kubernetes_service_v1" "api" {
  spec {
    session_affinity = "None"
  }
}
resource "kubernetes_service_v1" "plain" {
  spec {
    type = "LoadBalancer"
  }
}
"#;
        let f = findings(&[("main.tf", tf)]);
        assert_eq!(f, [("SL402", "session_affinity = \"ClientIP\"".to_owned())]);
    }

    #[test]
    fn unresolved_references_are_not_reported() {
        let tf = r#"
variable "sticky" {}
resource "aws_lb_target_group" "web" {
  stickiness {
    type    = "lb_cookie"
    enabled = var.sticky
  }
}
"#;
        assert!(findings(&[("main.tf", tf)]).is_empty());
        let tfvars = ("terraform.tfvars", "sticky = true\n");
        assert_eq!(findings(&[("main.tf", tf), tfvars]).len(), 1);
    }

    #[test]
    fn classic_front_door_frontend_endpoints() {
        let tf = r#"
resource "azurerm_frontdoor" "web" {
  frontend_endpoint {
    name                     = "sticky"
    session_affinity_enabled = true
  }
  frontend_endpoint {
    name                     = "plain"
    session_affinity_enabled = false
  }
  frontend_endpoint {
    name = "default"
  }
}
"#;
        let f = findings(&[("main.tf", tf)]);
        assert_eq!(f, [("SL401", "session_affinity_enabled = true".to_owned())]);
    }
}
