//! Command-line interface (clap derive).

use crate::output::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Finds every place a web app keeps user state on one instance: sessions in memory or on local
/// disk, uploads on the local filesystem, process-local caches, and sticky load balancing.
#[derive(Debug, Parser)]
#[command(name = "scalelint", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories and report findings.
    Check(CheckArgs),
    /// List the rule catalog.
    Rules(RulesArgs),
    /// List the detectors: the file kinds each reads, its prefilter literals and its rules.
    Detectors(RulesArgs),
    /// Print the documentation of a rule (by ID or name).
    Explain {
        /// A rule ID (SL101) or name (memory-session-store).
        rule: String,
    },
}

/// When to colour the text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Output format of `scalelint rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// A JSON array.
    Json,
}

/// Arguments of `scalelint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only these rules (IDs, names or categories; comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Not these rules (IDs, names or categories; comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Use this config file instead of discovering scalelint.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not honour .gitignore and .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (loops are detected and reported as skipped).
    #[arg(long, short = 'L')]
    pub follow: bool,
    /// Also analyse test, example and benchmark code (tests/, *.test.*, examples/, benches/…).
    #[arg(long)]
    pub include_tests: bool,
    /// Report suppression directives that give no reason (they still suppress).
    #[arg(long)]
    pub require_reason: bool,
    /// Exit with 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// When to use colours in the text format (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Worker threads, 1 to 512 (default: one per core).
    #[arg(long, short, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Skip files larger than this (bytes, or with K/M/G; default 1M).
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<String>,
    /// Print where the time went (walk, read, prefilter, parse per language, each detector,
    /// output) to standard error.
    #[arg(long)]
    pub timings: bool,
}

/// Arguments of `scalelint rules` and `scalelint detectors`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// `--jobs`: a thread count within 1..=[`MAX_JOBS`](crate::walk::MAX_JOBS), refused otherwise
/// (a huge count would spend minutes creating threads, or abort on the allocation).
fn parse_jobs(text: &str) -> Result<usize, String> {
    let max = crate::walk::MAX_JOBS;
    match text.trim().parse::<u64>() {
        Ok(n) if (1..=max as u64).contains(&n) => usize::try_from(n).map_err(|e| e.to_string()),
        Ok(_) => Err(format!("must be between 1 and {max}")),
        Err(_) => Err(format!("not a number between 1 and {max}")),
    }
}
