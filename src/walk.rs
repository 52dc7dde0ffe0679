//! Discovery: one parallel walk (the `ignore` crate, as ripgrep uses it) honouring .gitignore,
//! .ignore, the configured excludes and the default ones.

use crate::source::{FileKind, is_test_path};
use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// The most worker threads a run starts (`--jobs` above it is refused): more than any machine
/// scalelint runs on has cores, and few enough that thread stacks stay affordable.
pub const MAX_JOBS: usize = 512;

/// Directory names never worth scanning: VCS metadata, installed dependencies, caches.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
];

/// What to walk and how.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Absolute paths to walk.
    pub paths: Vec<PathBuf>,
    /// Base for displayed relative paths (absolute).
    pub base: PathBuf,
    /// Base for exclude globs (absolute): the config file's directory.
    pub exclude_base: PathBuf,
    /// Configured exclude globs.
    pub exclude: GlobSet,
    /// Do not honour .gitignore / .ignore files.
    pub no_ignore: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
    /// Worker threads; 0 picks from the machine.
    pub threads: usize,
}

impl WalkOptions {
    /// The number of walker threads a run uses (`ignore` caps its own choice at 12).
    pub fn thread_count(&self) -> usize {
        if self.threads > 0 {
            return self.threads.min(MAX_JOBS);
        }
        std::thread::available_parallelism().map_or(1, |n| n.get().min(12))
    }
}

/// One thing the walk found.
#[derive(Debug)]
pub enum Entry {
    /// A file of a kind scalelint reads.
    File {
        /// Path to open.
        path: PathBuf,
        /// Displayed path.
        rel: String,
        /// Kind from the path.
        kind: FileKind,
        /// Size from the directory entry's metadata, when known.
        size: Option<u64>,
        /// Test, example or benchmark code (judged relative to the scanned path).
        test_code: bool,
    },
    /// Something that could not be walked (permission, symlink loop, vanished file).
    Error {
        /// Displayed path ("" when unknown).
        rel: String,
        /// Why.
        reason: String,
    },
}

/// Lexically normalises `path` against `cwd` (no filesystem access, symlinks kept as given).
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The displayed form of `path`: relative to `base` when under it, `/`-separated.
pub fn display(path: &Path, base: &Path, scanned: &Path) -> String {
    let rel = path
        .strip_prefix(base)
        .or_else(|_| path.strip_prefix(scanned))
        .unwrap_or(path);
    let rel = if rel.as_os_str().is_empty() {
        path.file_name().map_or(rel, Path::new)
    } else {
        rel
    };
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

fn excluded(path: &Path, is_dir: bool, opts: &WalkOptions) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.to_string_lossy();
    if is_dir && DEFAULT_EXCLUDES.contains(&name.as_ref()) {
        return true;
    }
    if opts.exclude.is_empty() {
        return false;
    }
    let rel = path.strip_prefix(&opts.exclude_base).unwrap_or(path);
    opts.exclude.is_match(rel) || opts.exclude.is_match(name.as_ref())
}

/// Walks in parallel. `make_visitor` is called once per worker thread; each visitor sees the
/// entries of its thread and is dropped when the walk ends (where it hands over its results).
pub fn walk<V>(opts: &WalkOptions, make_visitor: impl Fn() -> V + Sync)
where
    V: FnMut(Entry) + Send,
{
    // A path given twice is walked once (a set: `xargs` may give thousands of paths).
    let mut unique: HashSet<&Path> = HashSet::with_capacity(opts.paths.len());
    let roots: Vec<&PathBuf> = opts
        .paths
        .iter()
        .filter(|p| unique.insert(p.as_path()))
        .collect();
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
    // A root inside another root (`dir` and `dir/a.js`) reaches its files twice: only then are
    // the files seen remembered, so that each is analysed and counted once.
    let nested = roots
        .iter()
        .any(|p| p.ancestors().skip(1).any(|a| unique.contains(a)));
    let seen: Option<Mutex<HashSet<PathBuf>>> = nested.then(Mutex::default);
    let mut builder = WalkBuilder::new(first);
    for path in rest {
        builder.add(path);
    }
    let filter_opts = opts.clone();
    builder
        .hidden(false)
        .parents(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .require_git(false)
        .follow_links(opts.follow_links)
        .threads(opts.threads.min(MAX_JOBS))
        .filter_entry(move |entry| {
            // Roots given on the command line are always scanned.
            entry.depth() == 0
                || !excluded(
                    entry.path(),
                    entry.file_type().is_some_and(|t| t.is_dir()),
                    &filter_opts,
                )
        });

    builder.build_parallel().run(|| {
        let mut visit = make_visitor();
        let seen = seen.as_ref();
        Box::new(move |result| {
            match result {
                Ok(entry) => {
                    let path = entry.path();
                    let explicit = entry.depth() == 0;
                    let file_type = entry.file_type();
                    let is_file = file_type.is_some_and(|t| t.is_file());
                    if !is_file {
                        // A FIFO, device or socket is never opened (a FIFO would block): said
                        // when named on the command line or named like a file scalelint reads.
                        if let Some(t) = file_type.filter(|t| !t.is_dir() && !t.is_symlink())
                            && (explicit || FileKind::from_path(path).is_some())
                        {
                            visit(Entry::Error {
                                rel: display(path, &opts.base, path.parent().unwrap_or(path)),
                                reason: format!(
                                    "not a regular file ({})",
                                    crate::source::special_file_kind(&t)
                                ),
                            });
                        }
                        return WalkState::Continue;
                    }
                    let Some(kind) = FileKind::from_path(path) else {
                        if explicit {
                            visit(Entry::Error {
                                rel: display(path, &opts.base, path.parent().unwrap_or(path)),
                                reason: "not a file kind scalelint reads".to_owned(),
                            });
                        }
                        return WalkState::Continue;
                    };
                    if let Some(seen) = seen {
                        let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
                        if !seen.insert(path.to_path_buf()) {
                            return WalkState::Continue;
                        }
                    }
                    // The scanned path this file came from; a file given directly is judged by
                    // its name alone.
                    let scanned = opts
                        .paths
                        .iter()
                        .find(|p| path.starts_with(p) && p.as_path() != path)
                        .map_or(path.parent().unwrap_or(path), PathBuf::as_path);
                    let size = entry.metadata().ok().map(|m| m.len());
                    let test_code = is_test_path(path.strip_prefix(scanned).unwrap_or(path), kind);
                    visit(Entry::File {
                        path: path.to_path_buf(),
                        rel: display(path, &opts.base, scanned),
                        kind,
                        size,
                        test_code,
                    });
                }
                Err(err) => visit(walk_error(&err, opts)),
            }
            WalkState::Continue
        })
    });
}

fn walk_error(err: &ignore::Error, opts: &WalkOptions) -> Entry {
    fn path_of(err: &ignore::Error) -> Option<&Path> {
        match err {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                path_of(err)
            }
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    fn is_loop(err: &ignore::Error) -> bool {
        match err {
            ignore::Error::Loop { .. } => true,
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
            _ => false,
        }
    }
    let rel = path_of(err)
        .map(|p| display(p, &opts.base, &opts.base))
        .unwrap_or_default();
    let reason = if is_loop(err) {
        "symbolic link loop".to_owned()
    } else {
        let mut text = err.to_string();
        // The path is reported separately; keep the reason short.
        if let Some((_, tail)) = text.split_once(": ")
            && !rel.is_empty()
        {
            text = tail.to_owned();
        }
        text
    };
    Entry::Error { rel, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_and_display_are_lexical() {
        let cwd = Path::new("/repo");
        let p = absolute(Path::new("./a/../b/c.js"), cwd);
        assert_eq!(p, Path::new("/repo/b/c.js"));
        assert_eq!(display(&p, cwd, cwd), "b/c.js");
        let outside = Path::new("/elsewhere/x/y.rs");
        assert_eq!(display(outside, cwd, Path::new("/elsewhere")), "x/y.rs");
    }
}
