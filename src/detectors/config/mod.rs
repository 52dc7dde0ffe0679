//! Load balancer, proxy and orchestrator configuration.

pub mod nginx_upstream;
