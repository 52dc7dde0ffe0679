//! Rust web frameworks and crates.

pub mod session_memory_store;
pub mod use_paths;
