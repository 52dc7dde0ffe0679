//! Detectors: framework knowledge. Each knows one framework or config format, declares the literals
//! without which it cannot fire (the prefilter's input) and the rules it emits, and reports
//! [`Diagnostic`]s for a parsed file. Detectors never print and never decide severity.

pub mod config;
pub mod js;
pub mod python;
pub mod rust;

use crate::parse::Tree;
use crate::project::{Facts, Located, Sink};
use crate::source::{FileKind, SourceFile};

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
    /// Reports what it finds in one parsed file, and records the facts it needs from other files.
    fn check(&self, file: &SourceFile, tree: &Tree, out: &mut Sink);
    /// After the walk: turns the facts recorded by `check` across the project into diagnostics.
    /// A resolved diagnostic may only point into a file that recorded a fact.
    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let _ = (facts, out);
    }
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
