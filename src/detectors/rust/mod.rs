//! Rust web frameworks and crates. The detectors share the family's knowledge through
//! `model` (the file's tree, `use` paths and module, built once), `use_paths` (what a path
//! names, as a [`Symbol`](crate::project::symbol::Symbol)), `crates` (what it names across the
//! crate's manifest and re-exports), `evaluate` (how a symbol meets a library table row),
//! `session_maps` and `durations`; they never import each other.

pub mod background_jobs;
pub mod crate_state;
pub mod crates;
pub mod durations;
pub mod evaluate;
pub mod local_cache;
pub mod model;
pub mod multipart_upload;
pub mod session_maps;
pub mod session_memory_store;
pub mod session_state;
pub mod use_paths;
