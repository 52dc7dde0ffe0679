//! `scalelint.toml`: rule selection, severities, excludes, limits. Unknown keys are errors.

use crate::diagnostic::Severity;
use crate::error::Error;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The name of the config file looked up at the scan root and its ancestors.
pub const FILE_NAME: &str = "scalelint.toml";

/// Default `max-file-size`: larger files are generated or vendored, not application code.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// A size in bytes, written as a number or as `"512K"`, `"2M"`, `"1G"`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Size {
    /// Bytes.
    Bytes(u64),
    /// A number with an optional K/M/G suffix.
    Text(String),
}

impl Size {
    /// The size in bytes.
    pub fn bytes(&self) -> Result<u64, Error> {
        match self {
            Size::Bytes(n) => Ok(*n),
            Size::Text(s) => parse_size(s),
        }
    }
}

/// Parses `1048576`, `512K`, `2M`, `1G` (binary multiples; a trailing `B`/`iB` is accepted).
pub fn parse_size(text: &str) -> Result<u64, Error> {
    let t = text.trim().to_ascii_uppercase();
    let t = t
        .strip_suffix("IB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(&t);
    let (digits, factor) = match t.chars().last() {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .ok_or_else(|| Error::BadSize(text.to_owned()))
}

/// The contents of `scalelint.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Rules to enable (IDs, names or categories); all when absent.
    pub select: Option<Vec<String>>,
    /// Rules to disable (IDs, names or categories).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Globs of paths to skip, relative to the config file's directory.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Per-rule severity, keyed by ID or name.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Files larger than this are skipped.
    pub max_file_size: Option<Size>,
    /// Also analyse test, example and benchmark code.
    #[serde(default)]
    pub include_tests: bool,
}

/// A loaded config and where it came from.
#[derive(Debug, Default, Clone)]
pub struct Loaded {
    /// The settings.
    pub config: Config,
    /// The file, when one was found.
    pub path: Option<PathBuf>,
}

impl Loaded {
    /// Reads and validates an explicit config file.
    pub fn from_file(path: &Path) -> Result<Loaded, Error> {
        let text = read_capped(path)?;
        let config = parse(&text).map_err(|message| Error::ConfigInvalid {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(Loaded {
            config,
            path: Some(path.to_path_buf()),
        })
    }

    /// Finds `scalelint.toml` in `start` (a directory) or its ancestors; defaults when none.
    pub fn discover(start: &Path) -> Result<Loaded, Error> {
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Loaded::from_file(&candidate);
            }
        }
        Ok(Loaded::default())
    }
}

/// The largest config file read (a real one is a few hundred bytes; `/dev/zero` is endless).
pub const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// Reads a config file: a regular file (a FIFO would block, a device never ends) of at most
/// [`MAX_CONFIG_SIZE`] bytes, as UTF-8.
fn read_capped(path: &Path) -> Result<String, Error> {
    use std::io::Read as _;
    let read_error = |error| Error::ConfigRead {
        path: path.to_path_buf(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if !meta.is_file() {
        return Err(Error::ConfigNotFile {
            path: path.to_path_buf(),
            kind: crate::source::special_file_kind(&meta.file_type()),
        });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_CONFIG_SIZE + 1).read_to_end(&mut bytes))
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_CONFIG_SIZE {
        return Err(Error::ConfigTooLarge {
            path: path.to_path_buf(),
            limit: MAX_CONFIG_SIZE,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not valid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        ))
    })
}

/// Parses and validates config text; the error says what and where.
pub fn parse(text: &str) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
    for selector in config.select.iter().flatten().chain(&config.ignore) {
        if crate::rules::select(selector).is_none() {
            return Err(format!(
                "unknown rule selector `{selector}` in select/ignore (expected a rule ID, a rule name or a category)"
            ));
        }
    }
    if let Some(key) = config
        .severity
        .keys()
        .find(|k| crate::rules::find(k).is_none())
    {
        return Err(format!("unknown rule `{key}` in [severity]"));
    }
    if let Some(size) = &config.max_file_size {
        size.bytes().map_err(|e| e.to_string())?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_config() {
        let config = parse(
            "select = [\"session\", \"SL401\"]\nignore = [\"memory-session-store\"]\nexclude = [\"legacy/**\"]\nmax-file-size = \"2M\"\n[severity]\nSL401 = \"error\"\n",
        )
        .expect("valid");
        assert_eq!(config.ignore, ["memory-session-store"]);
        assert_eq!(config.severity.get("SL401"), Some(&Severity::Error));
        assert_eq!(
            config.max_file_size.map(|s| s.bytes().ok()),
            Some(Some(2 << 20))
        );
    }

    #[test]
    fn rejects_unknown_keys_and_values() {
        assert!(
            parse("selekt = []")
                .expect_err("invalid")
                .contains("selekt")
        );
        assert!(
            parse("select = [\"SL999\"]")
                .expect_err("invalid")
                .contains("SL999")
        );
        assert!(parse("[severity]\nSL101 = \"fatal\"").is_err());
        assert!(
            parse("max-file-size = \"lots\"")
                .expect_err("invalid")
                .contains("lots")
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576").ok(), Some(1 << 20));
        assert_eq!(parse_size("512k").ok(), Some(512 << 10));
        assert_eq!(parse_size("1MiB").ok(), Some(1 << 20));
        assert!(parse_size("-1").is_err());
    }
}
