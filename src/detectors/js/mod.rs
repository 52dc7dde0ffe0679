//! JavaScript and TypeScript frameworks.

pub mod env;
pub mod module_scope;
pub mod options;
pub mod sessions;
pub mod uploads;
