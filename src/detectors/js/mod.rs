//! JavaScript and TypeScript frameworks.

pub mod caches;
pub mod env;
pub mod module_scope;
pub mod options;
pub mod rate_limit;
pub mod realtime;
pub mod schedulers;
pub mod secrets;
pub mod sessions;
pub mod uploads;
