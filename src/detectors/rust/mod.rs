//! Rust web frameworks and crates.

pub mod cargo_manifest;
pub mod crate_state;
pub mod multipart_upload;
pub mod session_memory_store;
pub mod session_state;
pub mod use_paths;
