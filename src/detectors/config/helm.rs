//! Helm charts: a template's `{{ .Values.a.b }}` takes its value from the chart's values.yaml.
//! Detectors record the values file's scalars and each templated value they would judge as
//! facts, and judge the value once the walk has read both files.

use crate::parse::tree::{Documents, Node, Value};
use crate::project::Sink;
use crate::source::SourceFile;
use std::ops::Range;

/// The scalars of a chart's values file (`values.yaml`, or an override such as
/// `values-production.yaml` beside it), by dotted path (`service.sessionAffinity`).
pub struct ChartValues {
    /// The chart directory (`charts/shop/`), as displayed.
    pub chart: String,
    /// The values file's name.
    pub file: String,
    /// Dotted path and value of every scalar.
    pub leaves: Vec<(String, String)>,
}

/// A value in a template that comes from values.yaml, to be judged after the walk.
pub struct TemplatedValue<P> {
    /// The chart directory the template belongs to.
    pub chart: String,
    /// The dotted path under `.Values`.
    pub path: String,
    /// The template's own `default`, used when values.yaml has no such key.
    pub default: Option<String>,
    /// Where the action is in the template.
    pub span: Range<usize>,
    /// What the detector will judge the value as.
    pub probe: P,
}

/// The chart directory of a file: the part of the path before `templates/`, or a values file's
/// directory.
pub fn chart_dir(rel_path: &str) -> Option<String> {
    if let Some(i) = rel_path.rfind("templates/")
        && (i == 0 || rel_path[..i].ends_with('/'))
    {
        return Some(rel_path[..i].to_owned());
    }
    let (dir, name) = rel_path.rsplit_once('/').unwrap_or(("", rel_path));
    is_values_file(name).then(|| {
        if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        }
    })
}

/// `values.yaml` and its overrides (`values-prod.yaml`, `values.staging.yml`).
fn is_values_file(name: &str) -> bool {
    name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

/// Records a values file's scalars as a shared fact: flattened once per file, however many
/// detectors read charts; other files are left alone.
pub fn record_values(file: &SourceFile, docs: &Documents, out: &mut Sink) {
    let name = file.rel_path.rsplit('/').next().unwrap_or_default();
    if !is_values_file(name) || file.rel_path.contains("templates/") {
        return;
    }
    let Some(chart) = chart_dir(&file.rel_path) else {
        return;
    };
    out.shared_fact("config/helm-values", || {
        let mut leaves = Vec::new();
        for doc in &docs.docs {
            flatten(doc, &mut String::new(), &mut leaves, 0);
        }
        Some(ChartValues {
            chart,
            file: name.to_owned(),
            leaves,
        })
    });
}

fn flatten(node: &Node, prefix: &mut String, out: &mut Vec<(String, String)>, depth: usize) {
    match &node.value {
        Value::Scalar(s) => out.push((prefix.clone(), s.clone())),
        Value::Map(entries) if depth < 16 => {
            for (k, v) in entries {
                let Some(key) = k.str() else { continue };
                let len = prefix.len();
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(key);
                flatten(v, prefix, out, depth + 1);
                prefix.truncate(len);
            }
        }
        _ => {}
    }
}

/// If `node` is a template placeholder standing for `.Values.x.y`, the value reference: the
/// dotted path and the action's `default`.
pub fn values_ref(docs: &Documents, node: &Node) -> Option<(String, Option<String>)> {
    let action = docs.action_at(node)?;
    let mut path = None;
    let mut default = None;
    let words: Vec<&str> = action
        .text
        .split(|c: char| c.is_whitespace() || c == '|' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if let Some(p) = w.strip_prefix(".Values.") {
            path.get_or_insert_with(|| p.to_owned());
        }
        if *w == "default" {
            // `default "x" .Values.y` or `.Values.y | default "x"`: the literal after `default`.
            if let Some(lit) = words.get(i + 1).filter(|l| !l.starts_with('.')) {
                default = Some(lit.trim_matches('"').to_owned());
            }
        }
    }
    Some((path?, default))
}

/// Records a templated `{{ .Values.x }}` of a chart template for judgement after the walk;
/// false when `node` is not such a value (the caller judges it now).
pub fn defer<P: Send + 'static>(
    file: &SourceFile,
    docs: &Documents,
    node: &Node,
    probe: P,
    out: &mut Sink,
) -> bool {
    let (Some((path, default)), Some(chart)) = (values_ref(docs, node), chart_dir(&file.rel_path))
    else {
        return false;
    };
    out.fact(TemplatedValue {
        chart,
        path,
        default,
        span: node.span.clone(),
        probe,
    });
    true
}

/// The values a chart's values files give `path`: `values.yaml` first, then its overrides by
/// name, each with the file it comes from.
pub fn lookup(values: &[&ChartValues], chart: &str, path: &str) -> Vec<(String, String)> {
    let mut files: Vec<&&ChartValues> = values.iter().filter(|v| v.chart == chart).collect();
    files.sort_by_key(|v| (!v.file.starts_with("values.y"), v.file.clone()));
    files
        .iter()
        .filter_map(|v| {
            let (_, value) = v.leaves.iter().find(|(k, _)| k == path)?;
            Some((value.clone(), v.file.clone()))
        })
        .collect()
}

/// A templated value's file, the value itself, and what it may take: (value, where from).
pub type Candidates<'a, P> = (&'a str, &'a TemplatedValue<P>, Vec<(String, String)>);

/// Each recorded templated value with the values it may take: from each values file, else the
/// template's default. Values that nothing sets are left out.
pub fn resolved<'a, P: 'static>(facts: &crate::project::Facts<'a>) -> Vec<Candidates<'a, P>> {
    let values: Vec<&ChartValues> = facts.of::<ChartValues>().map(|(_, v)| v).collect();
    let mut out = Vec::new();
    for (path, t) in facts.of::<TemplatedValue<P>>() {
        let mut candidates = lookup(&values, &t.chart, &t.path);
        if candidates.is_empty()
            && let Some(d) = &t.default
        {
            candidates.push((d.clone(), "the template's default".to_owned()));
        }
        if !candidates.is_empty() {
            out.push((path, t, candidates));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    #[test]
    fn a_values_file_is_flattened_once_for_every_chart_reader() {
        let text = "service:\n  sessionAffinity: ClientIP\npersistence:\n  enabled: false\n";
        let file = SourceFile::new(
            "chart/values.yaml".into(),
            crate::source::FileKind::Yaml,
            text.into(),
        );
        let mut sink = Sink::default();
        let readers = crate::detectors::DETECTORS.iter().filter(|d| {
            matches!(
                d.id(),
                "k8s/session-affinity" | "k8s/replicated-local-volume"
            )
        });
        for detector in readers {
            crate::detectors::check_into(*detector, &file, &mut sink);
        }
        let shared = sink.take_shared();
        let values = shared
            .iter()
            .filter(|f| f.downcast_ref::<ChartValues>().is_some());
        assert_eq!(values.count(), 1);
    }

    #[test]
    fn chart_dirs_of_templates_and_values() {
        assert_eq!(
            chart_dir("charts/shop/templates/service.yaml").as_deref(),
            Some("charts/shop/")
        );
        assert_eq!(
            chart_dir("charts/shop/values.yaml").as_deref(),
            Some("charts/shop/")
        );
        assert_eq!(chart_dir("values.yaml").as_deref(), Some(""));
        assert_eq!(chart_dir("k8s/service.yaml"), None);
        assert_eq!(
            chart_dir("charts/shop/values-production.yaml").as_deref(),
            Some("charts/shop/")
        );
    }

    #[test]
    fn values_references_and_defaults() {
        let text = "a: {{ .Values.service.sessionAffinity | default \"None\" }}\nb: {{ default 3 .Values.replicaCount }}\n";
        let docs = yaml::parse(text);
        let a = docs.docs[0].get("a").expect("a");
        let b = docs.docs[0].get("b").expect("b");
        assert_eq!(
            values_ref(&docs, a),
            Some(("service.sessionAffinity".into(), Some("None".into())))
        );
        assert_eq!(
            values_ref(&docs, b),
            Some(("replicaCount".into(), Some("3".into())))
        );
    }
}
