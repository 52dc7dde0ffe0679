//! Load balancer, proxy and orchestrator configuration.

pub mod helm;
pub mod nginx_upstream;
