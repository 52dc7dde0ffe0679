//! Replicated workloads writing user data to node-local storage: a Deployment / ReplicaSet with
//! more than one replica (its `replicas`, the chart's values, or a HorizontalPodAutoscaler in any
//! file) mounting a `hostPath`, an `emptyDir` or a ReadWriteOnce claim (the claim's access modes
//! come from its PersistentVolumeClaim, in any file) at a path that holds uploads, sessions or
//! other user data; and a Compose service with `deploy.replicas` / `scale` above one mounting a
//! bind mount or a local named volume there. Scratch paths (`/tmp`, caches, logs) stay silent.

use super::helm::{self, ChartValues};
use crate::detectors::Parsed;
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::tree::{Documents, Node, Value};
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::{FileKind, SourceFile};
use std::ops::Range;

/// Node-local volumes under replicated workloads.
pub struct ReplicatedVolume;

/// Path segments that name user data.
const USER_DATA: &[&str] = &[
    "uploads",
    "upload",
    "media",
    "sessions",
    "session",
    "storage",
    "attachments",
    "files",
    "userdata",
    "user-data",
    "user_data",
    "data",
    "avatars",
    "documents",
    "userfiles",
];

/// Path segments of per-instance scratch space.
const SCRATCH: &[&str] = &[
    "tmp", "temp", "cache", "caches", ".cache", "run", "log", "logs",
];

const HELP: &str = "keep user files in object storage (S3, GCS, Azure Blob) or on a \
    ReadWriteMany volume (EFS, Filestore, Azure Files, NFS) and sessions in a shared store \
    (Redis, a database), so every replica sees the same data; if the volume only holds \
    per-instance scratch data, mount it under /tmp or suppress SL506 with a reason";

/// How many replicas a workload runs.
enum Replicas {
    Known(u64),
    /// From the chart's values.yaml (chart dir, dotted path, template default).
    Values(String, String, Option<String>),
    /// Not set (Kubernetes' default is one; an autoscaler may raise it).
    Default,
    /// A Swarm service in global mode: one task per node.
    Global,
}

/// What backs a mount.
enum Backing {
    HostPath,
    EmptyDir,
    Claim(String),
    /// A Compose bind mount or local named volume.
    ComposeLocal(String),
}

struct Mount {
    span: Range<usize>,
    volume: String,
    path: String,
    backing: Backing,
}

/// A workload with mounts at user-data paths.
struct Workload {
    kind: String,
    name: String,
    replicas: Replicas,
    mounts: Vec<Mount>,
}

/// An autoscaler that can run more than one replica of its target.
struct Autoscaler {
    kind: String,
    name: String,
    max: Replicas,
    /// A chart template's `{{ if .Values.autoscaling.enabled }}` around the file: the chart
    /// and the value that must be true for the autoscaler to exist.
    guard: Option<(String, String)>,
}

/// A kustomization's `replicas:` override for a workload, by name.
struct ReplicaOverride {
    name: String,
    count: u64,
}

/// A PersistentVolumeClaim's name and whether every access mode is single-node.
struct Claim {
    name: String,
    /// Each access mode as written, or the chart value it comes from.
    modes: Vec<AccessMode>,
}

/// One access mode of a claim.
enum AccessMode {
    Known(String),
    /// From the chart's values (chart dir, dotted path, template default).
    Values(String, String, Option<String>),
}

impl Claim {
    /// Whether every access mode is single-node (`ReadWriteOnce`, `ReadWriteOncePod`); a
    /// chart value counts with what `values.yaml` (else the template's default) sets.
    fn single_node(&self, values: &[&ChartValues]) -> bool {
        let single = |m: &str| matches!(m, "ReadWriteOnce" | "ReadWriteOncePod");
        !self.modes.is_empty()
            && self.modes.iter().all(|m| match m {
                AccessMode::Known(m) => single(m),
                AccessMode::Values(chart, path, default) => helm::lookup(values, chart, path)
                    .first()
                    .map(|(v, _)| v.clone())
                    .or_else(|| default.clone())
                    .is_some_and(|v| single(&v)),
            })
    }
}

impl Detector for ReplicatedVolume {
    fn id(&self) -> &'static str {
        "k8s/replicated-local-volume"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Yaml, FileKind::Compose]
    }
    fn triggers(&self) -> &'static [&'static str] {
        // `replica` also makes a chart's values.yaml (`replicaCount`) readable for its templates.
        &[
            "volumeMounts",
            "HorizontalPodAutoscaler",
            "PersistentVolumeClaim",
            "replica",
            "scale",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL506"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Data(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let values: Vec<&ChartValues> = facts.of::<ChartValues>().map(|(_, v)| v).collect();
        let autoscalers: Vec<&Autoscaler> = facts.of::<Autoscaler>().map(|(_, a)| a).collect();
        let claims: Vec<&Claim> = facts.of::<Claim>().map(|(_, c)| c).collect();
        let overrides: Vec<&ReplicaOverride> =
            facts.of::<ReplicaOverride>().map(|(_, o)| o).collect();
        for (path, w) in facts.of::<Workload>() {
            let Some(replicas) = replicas(w, &values, &autoscalers, &overrides) else {
                continue;
            };
            for m in &w.mounts {
                let (volume, consequence) = match &m.backing {
                    Backing::HostPath => (
                        format!("hostPath volume `{}`", m.volume),
                        "each replica writes to the disk of whichever node it runs on, so what \
                         one stored is missing on the others and stranded when it moves",
                    ),
                    Backing::EmptyDir => (
                        format!("emptyDir volume `{}`", m.volume),
                        "each pod gets its own empty directory, deleted with the pod, so what \
                         one replica stored is missing on the others and lost on every rollout",
                    ),
                    Backing::Claim(claim) => {
                        if !claims
                            .iter()
                            .any(|c| c.name == *claim && c.single_node(&values))
                        {
                            continue;
                        }
                        (
                            format!("ReadWriteOnce claim `{claim}` (volume `{}`)", m.volume),
                            "the volume attaches to one node at a time, so replicas scheduled \
                             on other nodes cannot start and the data never leaves that node",
                        )
                    }
                    Backing::ComposeLocal(what) => (
                        what.clone(),
                        "the data lives on one host's disk: replicas on other hosts (Swarm, \
                         or a second VM) each see their own copy",
                    ),
                };
                let message = format!(
                    "{} `{}` runs {replicas} and mounts {volume} at `{}` for user data: \
                     {consequence}",
                    w.kind, w.name, m.path
                );
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: Diagnostic::new(&rules::SL506, m.span.clone(), message, HELP),
                });
            }
        }
    }
}

impl Check<Parsed<'_, Documents>> for ReplicatedVolume {
    fn check(&self, model: &Parsed<'_, Documents>, out: &mut Sink) {
        let (file, docs) = (model.file, model.tree);
        if file.kind == FileKind::Compose {
            compose(docs, out);
            return;
        }
        helm::record_values(file, docs, out);
        let kustomization = ["kustomization.yaml", "kustomization.yml"]
            .iter()
            .any(|n| file.rel_path.ends_with(n));
        for doc in &docs.docs {
            if kustomization || doc.get("kind").and_then(Node::str) == Some("Kustomization") {
                for r in doc.get("replicas").map(Node::items).unwrap_or_default() {
                    let name = r.get("name").and_then(Node::str);
                    let count = r
                        .get("count")
                        .and_then(Node::str)
                        .and_then(|c| c.parse().ok());
                    if let (Some(name), Some(count)) = (name, count) {
                        out.fact(ReplicaOverride {
                            name: name.to_owned(),
                            count,
                        });
                    }
                }
                continue;
            }
            if doc.get("apiVersion").is_none() {
                continue;
            }
            let name = doc
                .at(&["metadata", "name"])
                .and_then(Node::str)
                .unwrap_or_default()
                .to_owned();
            match doc.get("kind").and_then(Node::str) {
                // Argo Rollouts and OpenShift DeploymentConfigs have the same replicas + pod
                // template shape.
                Some(
                    kind @ ("Deployment"
                    | "ReplicaSet"
                    | "ReplicationController"
                    | "Rollout"
                    | "DeploymentConfig"),
                ) => {
                    workload(file, docs, doc, kind, name, out);
                }
                Some("HorizontalPodAutoscaler") => {
                    let target = doc.at(&["spec", "scaleTargetRef"]);
                    let max = replica_count(file, docs, doc.at(&["spec", "maxReplicas"]));
                    if let Some(target) = target {
                        out.fact(Autoscaler {
                            kind: target
                                .get("kind")
                                .and_then(Node::str)
                                .unwrap_or_default()
                                .into(),
                            name: target
                                .get("name")
                                .map(|n| shown(file, docs, n))
                                .unwrap_or_default(),
                            max,
                            guard: file_guard(file),
                        });
                    }
                }
                Some("PersistentVolumeClaim") => {
                    let modes = doc
                        .at(&["spec", "accessModes"])
                        .map(Node::items)
                        .unwrap_or_default();
                    let chart = helm::chart_dir(&file.rel_path);
                    let modes = modes
                        .iter()
                        .map(|m| match (helm::values_ref(docs, m), &chart) {
                            (Some((path, default)), Some(chart)) => {
                                AccessMode::Values(chart.clone(), path, default)
                            }
                            _ => AccessMode::Known(m.str().unwrap_or_default().to_owned()),
                        })
                        .collect();
                    // A templated name is compared as written, like the claim that uses it.
                    let name = doc
                        .at(&["metadata", "name"])
                        .map_or(name, |n| shown(file, docs, n));
                    out.fact(Claim { name, modes });
                }
                _ => {}
            }
        }
    }
}

/// A name as written: a templated one (`{{ include "shop.fullname" . }}`) as its source text,
/// so that a template's workload and autoscaler still match.
fn shown(file: &SourceFile, docs: &Documents, node: &Node) -> String {
    if docs.action_at(node).is_some() {
        file.slice(&node.span).to_owned()
    } else {
        node.str().unwrap_or_default().to_owned()
    }
}

/// The `.Values` condition of an `{{ if .Values.x }}` that opens a chart template.
fn file_guard(file: &SourceFile) -> Option<(String, String)> {
    let chart = helm::chart_dir(&file.rel_path)?;
    let first = file.text.lines().find(|l| !l.trim().is_empty())?.trim();
    let inner = first
        .strip_prefix("{{")?
        .strip_suffix("}}")?
        .trim_matches(|c: char| c == '-' || c.is_whitespace());
    let path = inner.strip_prefix("if ")?.trim().strip_prefix(".Values.")?;
    (!path.contains(char::is_whitespace)).then(|| (chart, path.to_owned()))
}

/// A replica count as written: a number, or a chart value.
fn replica_count(file: &SourceFile, docs: &Documents, node: Option<&Node>) -> Replicas {
    let Some(node) = node else {
        return Replicas::Default;
    };
    match (
        helm::values_ref(docs, node),
        helm::chart_dir(&file.rel_path),
    ) {
        (Some((path, default)), Some(chart)) => Replicas::Values(chart, path, default),
        _ => node
            .str()
            .and_then(|s| s.parse().ok())
            .map_or(Replicas::Default, Replicas::Known),
    }
}

/// The number a replica count stands for, once the chart's values are known.
fn count(r: &Replicas, values: &[&ChartValues]) -> Option<u64> {
    match r {
        Replicas::Known(n) => Some(*n),
        // The largest count any values file (values.yaml or an override) gives.
        Replicas::Values(chart, path, default) => helm::lookup(values, chart, path)
            .iter()
            .filter_map(|(v, _)| v.parse().ok())
            .max()
            .or_else(|| default.as_ref().and_then(|d| d.parse().ok())),
        Replicas::Default | Replicas::Global => None,
    }
}

/// The replica count as words, when it is more than one.
fn replicas(
    w: &Workload,
    values: &[&ChartValues],
    hpas: &[&Autoscaler],
    overrides: &[&ReplicaOverride],
) -> Option<String> {
    let hpa_max = hpas
        .iter()
        .filter(|a| a.name == w.name && a.kind == w.kind)
        .filter(|a| {
            a.guard.as_ref().is_none_or(|(chart, path)| {
                helm::lookup(values, chart, path)
                    .iter()
                    .any(|(v, _)| v.eq_ignore_ascii_case("true"))
            })
        })
        .filter_map(|a| count(&a.max, values))
        .find(|max| *max > 1);
    if let Some(max) = hpa_max {
        return Some(format!("up to {max} replicas (HorizontalPodAutoscaler)"));
    }
    if let Some(o) = overrides
        .iter()
        .filter(|o| o.name == w.name && o.count > 1)
        .max_by_key(|o| o.count)
    {
        return Some(format!("{} replicas (kustomization `replicas`)", o.count));
    }
    if matches!(w.replicas, Replicas::Global) {
        return Some("one replica on every node (`deploy.mode: global`)".to_owned());
    }
    count(&w.replicas, values)
        .filter(|n| *n > 1)
        .map(|n| format!("{n} replicas"))
}

/// Whether a mount path holds user data rather than scratch space.
fn user_data_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
    !segments.iter().any(|s| SCRATCH.contains(s)) && segments.iter().any(|s| USER_DATA.contains(s))
}

fn workload(
    file: &SourceFile,
    docs: &Documents,
    doc: &Node,
    kind: &str,
    name: String,
    out: &mut Sink,
) {
    let name = doc
        .at(&["metadata", "name"])
        .map_or(name, |n| shown(file, docs, n));
    let replicas = replica_count(file, docs, doc.at(&["spec", "replicas"]));
    let Some(pod) = doc.at(&["spec", "template", "spec"]) else {
        return;
    };
    let volumes = pod.get("volumes").map(Node::items).unwrap_or_default();
    let mut mounts = Vec::new();
    let containers = ["containers", "initContainers"]
        .iter()
        .flat_map(|k| pod.get(k).map(Node::items).unwrap_or_default());
    for container in containers {
        for mount in container
            .get("volumeMounts")
            .map(Node::items)
            .unwrap_or_default()
        {
            let (Some(vol), Some(path_node)) = (
                mount.get("name").and_then(Node::str),
                mount.get("mountPath"),
            ) else {
                continue;
            };
            let path = path_node.str().unwrap_or_default();
            if mount.get("readOnly").is_some_and(Node::is_true) || !user_data_path(path) {
                continue;
            }
            let Some(volume) = volumes
                .iter()
                .find(|v| v.get("name").and_then(Node::str) == Some(vol))
            else {
                continue;
            };
            // A templated volume may list alternatives (`{{ if .Values.persistence.enabled }}`
            // a claim `{{ else }}` an emptyDir): which one renders is unknown, so say nothing.
            let sources: Vec<&str> = ["hostPath", "emptyDir", "persistentVolumeClaim"]
                .into_iter()
                .filter(|k| volume.get(k).is_some())
                .collect();
            let backing = match sources.as_slice() {
                ["hostPath"] => Backing::HostPath,
                ["emptyDir"] => Backing::EmptyDir,
                ["persistentVolumeClaim"] => {
                    let Some(claim) = volume
                        .at(&["persistentVolumeClaim", "claimName"])
                        .map(|n| shown(file, docs, n))
                    else {
                        continue;
                    };
                    Backing::Claim(claim)
                }
                _ => continue,
            };
            mounts.push(Mount {
                span: path_node.span.clone(),
                volume: vol.to_owned(),
                path: path.to_owned(),
                backing,
            });
        }
    }
    if !mounts.is_empty() {
        out.fact(Workload {
            kind: kind.to_owned(),
            name,
            replicas,
            mounts,
        });
    }
}

/// Compose services with more than one replica and a local mount at a user-data path.
fn compose(docs: &Documents, out: &mut Sink) {
    for doc in &docs.docs {
        let Some(services) = doc.get("services") else {
            continue;
        };
        let named = doc.get("volumes");
        for (name, service) in services.entries() {
            let count = service
                .at(&["deploy", "replicas"])
                .or_else(|| service.get("scale"))
                .and_then(Node::str)
                .and_then(|s| s.parse::<u64>().ok());
            let global = service.at(&["deploy", "mode"]).and_then(Node::str) == Some("global");
            let replicas = match count {
                Some(n) if n > 1 => Replicas::Known(n),
                _ if global => Replicas::Global,
                _ => continue,
            };
            let mut mounts = Vec::new();
            for v in service.get("volumes").map(Node::items).unwrap_or_default() {
                if let Some(m) = compose_mount(v, named) {
                    mounts.push(m);
                }
            }
            if !mounts.is_empty() {
                out.fact(Workload {
                    kind: "Compose service".to_owned(),
                    name: name.str().unwrap_or_default().to_owned(),
                    replicas,
                    mounts,
                });
            }
        }
    }
}

/// A Compose volume entry (short `src:dst[:ro]` or long syntax) backed by the host's disk.
fn compose_mount(v: &Node, named: Option<&Node>) -> Option<Mount> {
    let (source, target, read_only, span) = match &v.value {
        Value::Scalar(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            let (src, dst) = match parts.as_slice() {
                [src, dst, ..] => (*src, *dst),
                _ => return None,
            };
            let ro = parts
                .get(2)
                .is_some_and(|o| o.split(',').any(|o| o == "ro"));
            (src.to_owned(), dst.to_owned(), ro, v.span.clone())
        }
        Value::Map(_) => {
            let target = v.get("target")?;
            (
                v.get("source")
                    .and_then(Node::str)
                    .unwrap_or_default()
                    .to_owned(),
                target.str()?.to_owned(),
                v.get("read_only").is_some_and(Node::is_true),
                target.span.clone(),
            )
        }
        _ => return None,
    };
    if read_only || !user_data_path(&target) || source.is_empty() {
        return None;
    }
    let bind = source.starts_with(['.', '/', '~', '$']);
    let backing = if bind {
        Backing::ComposeLocal(format!("bind mount `{source}`"))
    } else {
        // A named volume is local unless its driver (or driver_opts type) says otherwise.
        let decl = named.and_then(|n| n.get(&source));
        let driver = decl.and_then(|d| d.get("driver")).and_then(Node::str);
        let remote_opts = decl
            .and_then(|d| d.at(&["driver_opts", "type"]))
            .and_then(Node::str)
            .is_some_and(|t| matches!(t, "nfs" | "nfs4" | "cifs" | "smb"));
        if driver.is_some_and(|d| d != "local") || remote_opts {
            return None;
        }
        Backing::ComposeLocal(format!("local volume `{source}`"))
    };
    Some(Mount {
        span,
        volume: source,
        path: target,
        backing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templated_alternative_volumes_are_not_judged() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: wp\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: wp\n          volumeMounts:\n            - name: data\n              mountPath: /var/www/uploads\n      volumes:\n        - name: data\n          {{- if .Values.persistence.enabled }}\n          persistentVolumeClaim:\n            claimName: wp\n          {{- else }}\n          emptyDir: {}\n          {{- end }}\n";
        let file = SourceFile::new("t/deploy.yaml".into(), FileKind::Yaml, text.into());
        let mut sink = Sink::default();
        crate::detectors::check_into(&ReplicatedVolume, &file, &mut sink);
        let facts = sink.take_facts();
        assert!(facts.is_empty(), "no workload fact for an ambiguous volume");
        let plain = text.replace("          {{- if .Values.persistence.enabled }}\n          persistentVolumeClaim:\n            claimName: wp\n          {{- else }}\n", "").replace("          {{- end }}\n", "");
        let file = SourceFile::new("t/deploy.yaml".into(), FileKind::Yaml, plain.clone());
        let mut sink = Sink::default();
        crate::detectors::check_into(&ReplicatedVolume, &file, &mut sink);
        assert_eq!(sink.take_facts().len(), 1);
    }

    #[test]
    fn user_data_paths_and_scratch() {
        assert!(user_data_path("/var/www/html/uploads"));
        assert!(user_data_path("/app/storage"));
        assert!(user_data_path("/data"));
        assert!(!user_data_path("/tmp/uploads"));
        assert!(!user_data_path("/app/cache"));
        assert!(!user_data_path("/etc/nginx/conf.d"));
    }
}
