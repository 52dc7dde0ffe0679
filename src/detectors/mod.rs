//! Detectors: framework knowledge. Each knows one framework or config format, declares the literals
//! without which it cannot fire (the prefilter's input) and the rules it emits, and reports
//! [`Diagnostic`]s for a parsed file. Detectors never print and never decide severity.

pub mod config;
pub mod js;
pub mod model;
pub mod python;
pub mod rust;
pub mod table;

use crate::project::{Facts, Located, Sink};
use crate::source::FileKind;
pub use model::{FileModel, Parsed};

/// Framework knowledge that turns a parsed file into diagnostics.
pub trait Detector: Sync {
    /// A stable identifier, `<ecosystem>/<what it knows>`.
    fn id(&self) -> &'static str;
    /// The file kinds it reads.
    fn kinds(&self) -> &'static [FileKind];
    /// Literals of which at least one occurs in every file it can fire on.
    fn triggers(&self) -> &'static [&'static str];
    /// The IDs of the rules it may emit.
    fn rules(&self) -> &'static [&'static str];
    /// The per-file model it reads, with the check that reads it.
    fn reads(&self) -> Reads<'_>;
    /// After the walk: turns the facts recorded by `check` across the project into diagnostics.
    /// A resolved diagnostic may only point into a file that recorded a fact.
    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let _ = (facts, out);
    }
}

/// Reports what a detector finds in one file's model `M`, and records the facts it needs from
/// other files.
pub trait Check<M> {
    /// Checks one file.
    fn check(&self, model: &M, out: &mut Sink);
}

/// The model a detector reads, typed: the engine builds each file's model once
/// ([`FileModel::new`]) and hands it to every detector of that family.
pub enum Reads<'d> {
    /// JavaScript / TypeScript.
    Js(&'d dyn for<'m> Check<js::model::JsModel<'m>>),
    /// Python.
    Python(&'d dyn for<'m> Check<python::model::PyModel<'m>>),
    /// Rust.
    Rust(&'d dyn for<'m> Check<rust::model::RustModel<'m>>),
    /// nginx configuration.
    Nginx(&'d dyn for<'m> Check<Parsed<'m, crate::parse::nginx::Config>>),
    /// HAProxy configuration.
    Haproxy(&'d dyn for<'m> Check<Parsed<'m, crate::parse::haproxy::Config>>),
    /// Apache httpd configuration.
    Apache(&'d dyn for<'m> Check<Parsed<'m, crate::parse::apache::Config>>),
    /// Terraform / OpenTofu HCL.
    Hcl(&'d dyn for<'m> Check<Parsed<'m, hcl_edit::structure::Body>>),
    /// Data documents (YAML, JSON, TOML).
    Data(&'d dyn for<'m> Check<Parsed<'m, crate::parse::tree::Documents>>),
    /// Azure templates: ARM JSON and Bicep.
    Azure(&'d dyn for<'m> Check<config::model::AzureTemplate<'m>>),
}

/// Every detector, in a fixed order.
pub static DETECTORS: &[&dyn Detector] = &[
    &js::sessions::Sessions,
    &js::uploads::Uploads,
    &js::caches::Caches,
    &js::rate_limit::RateLimit,
    &js::schedulers::Schedulers,
    &js::realtime::Realtime,
    &js::secrets::EphemeralSecrets,
    &js::sqlite_database::SqliteDatabase,
    &rust::session_memory_store::SessionMemoryStore,
    &config::nginx_upstream::NginxUpstream,
    &config::haproxy::HaproxyPersistence,
    &config::apache_balancer::ApacheBalancer,
    &config::terraform::TerraformAffinity,
    &config::azure_templates::AzureTemplateAffinity,
    &config::kubernetes_affinity::KubernetesAffinity,
    &config::mesh_affinity::MeshAffinity,
    &config::traefik_sticky::TraefikSticky,
    &config::cloudformation_stickiness::CloudFormationStickiness,
    &config::replicated_volume::ReplicatedVolume,
    &rust::crate_state::CrateState,
    &rust::session_state::SessionState,
    &rust::multipart_upload::MultipartUpload,
    &rust::local_cache::LocalCache,
    &rust::background_jobs::BackgroundJobs,
    &python::django_settings::DjangoSettings,
    &python::flask_config::FlaskConfig,
    &python::app_code::AppCode,
];

/// Runs one detector over one file as the engine does (the file's own parser, its family's
/// model), into `out`: for unit tests of a detector's knowledge.
#[cfg(test)]
pub(crate) fn check_into(
    detector: &dyn Detector,
    file: &crate::source::SourceFile,
    out: &mut Sink,
) {
    let tree = match crate::parse::parse(file) {
        crate::parse::Parsed::Complete(t) | crate::parse::Parsed::Partial(t, ..) => t,
        crate::parse::Parsed::Failed(_, reason) => panic!("{}: {reason}", file.rel_path),
    };
    let model = FileModel::new(file, &tree, out);
    model.check(detector, out);
}

/// The detectors that can emit `rule_id`.
pub fn for_rule(rule_id: &str) -> impl Iterator<Item = &'static dyn Detector> + '_ {
    DETECTORS
        .iter()
        .copied()
        .filter(move |d| d.rules().contains(&rule_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every detector source file as (family, module, text).
    fn sources() -> Vec<(String, String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/detectors");
        let mut out = Vec::new();
        for family in std::fs::read_dir(&root).expect("src/detectors") {
            let family = family.expect("entry").path();
            if !family.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&family).expect("family dir") {
                let file = file.expect("entry").path();
                let (Some(fam), Some(module)) = (
                    family.file_name().and_then(|n| n.to_str()),
                    file.file_stem().and_then(|n| n.to_str()),
                ) else {
                    continue;
                };
                let text = std::fs::read_to_string(&file).expect("readable");
                out.push((fam.to_owned(), module.to_owned(), text));
            }
        }
        out
    }

    #[test]
    fn detectors_never_import_other_detectors() {
        let files = sources();
        let detectors: Vec<(&str, &str)> = files
            .iter()
            .filter(|(_, _, text)| text.contains("impl Detector for"))
            .map(|(f, m, _)| (f.as_str(), m.as_str()))
            .collect();
        assert!(detectors.len() >= 20, "{} detector files", detectors.len());
        for (family, module, text) in &files {
            for &(other_family, other) in &detectors {
                if (other_family, other) == (family.as_str(), module.as_str()) {
                    continue;
                }
                let mut uses = vec![format!("detectors::{other_family}::{other}")];
                if other_family == family {
                    uses.push(format!("super::{other}::"));
                    uses.push(format!("super::{other};"));
                }
                for path in &uses {
                    assert!(
                        !text.contains(path.as_str()),
                        "{family}/{module}.rs uses the detector {other_family}/{other} ({path}): \
                         move the shared knowledge into the family's model or tables"
                    );
                }
            }
            if text.contains("impl Detector for") {
                assert!(
                    !text.contains("parse::Tree") && !text.contains("SourceFile, tree: &Tree"),
                    "{family}/{module}.rs reads the runtime tree: it reads its family's model"
                );
            }
            assert!(
                !text.contains("crate::skip_rust_test_code"),
                "{family}/{module}.rs takes a macro from the crate root"
            );
        }
    }

    #[test]
    fn detector_facts_are_consistent() {
        let mut ids: Vec<_> = DETECTORS.iter().map(|d| d.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), DETECTORS.len(), "duplicate detector id");
        for d in DETECTORS {
            assert!(!d.triggers().is_empty(), "{} has no trigger", d.id());
            assert!(!d.kinds().is_empty(), "{} reads no file kind", d.id());
            for rule in d.rules() {
                assert!(
                    crate::rules::find(rule).is_some(),
                    "{} emits unknown {rule}",
                    d.id()
                );
            }
        }
    }
}
