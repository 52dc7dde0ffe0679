//! Errors that stop a run (exit code 2). Per-file problems are never errors: they become skips.

use std::path::PathBuf;

/// A failure that makes the whole run unusable: bad configuration, bad arguments, output I/O.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration file could not be read. The I/O error is part of the message, not a
    /// `source`: a chain printer would repeat it.
    #[error("cannot read config file {path}: {error}")]
    ConfigRead {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The configuration path names a directory, FIFO or device rather than a file.
    #[error("cannot read config file {path}: not a regular file ({kind})")]
    ConfigNotFile { path: PathBuf, kind: &'static str },
    /// The configuration file is larger than any real configuration.
    #[error("cannot read config file {path}: larger than {limit} bytes")]
    ConfigTooLarge { path: PathBuf, limit: u64 },
    /// The configuration file is not valid TOML or has unknown keys / bad values.
    #[error("invalid config file {path}: {message}")]
    ConfigInvalid { path: PathBuf, message: String },
    /// A rule selector (ID, name or category) that matches nothing.
    #[error(
        "unknown rule selector `{0}` (expected a rule ID like SL101, a rule name like memory-session-store, or a category: session, upload, cache, sticky, state)"
    )]
    UnknownSelector(String),
    /// A glob in `exclude` that does not compile.
    #[error("invalid exclude glob `{glob}`: {message}")]
    BadGlob { glob: String, message: String },
    /// A path given on the command line does not exist.
    #[error("path does not exist: {0}")]
    MissingPath(PathBuf),
    /// A size like `1M` that does not parse.
    #[error("invalid size `{0}` (expected bytes, or a number with K, M or G)")]
    BadSize(String),
    /// The current directory is unusable (deleted, unreadable).
    #[error("cannot use the current directory: {0}")]
    CurrentDir(std::io::Error),
}
