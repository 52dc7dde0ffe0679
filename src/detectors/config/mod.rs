//! Load balancer, proxy and orchestrator configuration.

pub mod affinity;
pub mod apache_balancer;
pub mod azure_templates;
pub mod cloudformation_stickiness;
pub mod haproxy;
pub mod helm;
pub mod kubernetes_affinity;
pub mod lb_words;
pub mod mesh_affinity;
pub mod model;
pub mod nginx_upstream;
pub mod replicated_volume;
pub mod settings;
pub mod terraform;
pub mod traefik_sticky;
