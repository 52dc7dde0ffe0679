//! scalelint finds every place a web application keeps user state on one instance: sessions in
//! process memory or on local disk, uploads on the local filesystem, process-local caches, and load
//! balancer configuration that pins users to one instance.
//!
//! The pipeline flows one way: [`walk`] → [`source`] (classify, by the rows of [`lang`]) →
//! [`prefilter`] → [`parse`] (once per file) → [`detectors`] (one model per file; facts resolved
//! across files by [`project`]) → [`suppress`] → sort → [`output`]. [`engine::check`] runs it and
//! builds a [`report::Report`], which outputs read.

pub mod cli;
pub mod config;
pub mod detectors;
pub mod diagnostic;
pub mod engine;
pub mod error;
pub mod fingerprint;
pub mod lang;
pub mod output;
pub mod parse;
pub mod prefilter;
pub mod project;
pub mod report;
pub mod role;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod timings;
pub mod walk;

pub use diagnostic::{Finding, Severity};
pub use engine::{CheckOptions, check};
pub use error::Error;
pub use report::Report;
