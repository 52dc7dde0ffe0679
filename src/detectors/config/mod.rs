//! Load balancer, proxy and orchestrator configuration.

pub mod affinity;
pub mod apache_balancer;
pub mod azure_templates;
pub mod haproxy;
pub mod nginx_upstream;
pub mod terraform;
