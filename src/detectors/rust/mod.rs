//! Rust web frameworks and crates.

pub mod background_jobs;
pub mod cargo_manifest;
pub mod crate_state;
pub mod local_cache;
pub mod multipart_upload;
pub mod session_memory_store;
pub mod session_state;
pub mod use_paths;
