//! JavaScript and TypeScript frameworks.

pub mod express_session;
pub mod module_scope;
