//! Rust web frameworks and crates. The detectors share the family's knowledge through
//! `cargo_manifest` (dependencies), `use_paths` (what a path names), `session_maps` and
//! `durations`; they never import each other.

pub mod background_jobs;
pub mod cargo_manifest;
pub mod crate_state;
pub mod durations;
pub mod local_cache;
pub mod multipart_upload;
pub mod session_maps;
pub mod session_memory_store;
pub mod session_state;
pub mod use_paths;
