//! The pipeline: walk → classify → prefilter → parse once → detectors → suppress → sort.

use crate::config::{self, Loaded};
use crate::detectors::{self, Detector, FileModel};
use crate::diagnostic::{Diagnostic, Finding, Severity, Suppression};
use crate::error::Error;
use crate::fingerprint;
use crate::parse::{self, Parsed};
use crate::prefilter::Prefilter;
use crate::project::manifests;
use crate::project::{Facts, FileFact, Located, SHARED, Sink};
use crate::report::{FileNote, Report};
use crate::rules::{self, RULES, Rule};
use crate::source::{self, Decoded, FileKind, SourceFile};
use crate::suppress::Suppressions;
use crate::timings::Timings;
use crate::walk::{self, Entry, WalkOptions};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What to check and how (the CLI's `check` arguments, minus presentation).
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files and directories to scan; the current directory when empty.
    pub paths: Vec<PathBuf>,
    /// Base of the displayed paths; the current directory when `None`.
    pub base: Option<PathBuf>,
    /// An explicit config file (otherwise `scalelint.toml` is discovered).
    pub config: Option<PathBuf>,
    /// Rule selectors that replace the config's `select`.
    pub select: Vec<String>,
    /// Rule selectors added to the config's `ignore`.
    pub ignore: Vec<String>,
    /// Do not honour .gitignore / .ignore.
    pub no_ignore: bool,
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Worker threads (0: one per core).
    pub jobs: usize,
    /// Overrides the config's `max-file-size`.
    pub max_file_size: Option<u64>,
    /// Also analyse test, example and benchmark code (or when the config says so).
    pub include_tests: bool,
    /// Report suppression directives that give no reason (they still suppress).
    pub require_reason: bool,
}

/// Everything a worker needs, shared read-only.
struct Context {
    detectors: Vec<&'static dyn Detector>,
    prefilter: Prefilter,
    enabled: Vec<&'static Rule>,
    severity: HashMap<&'static str, Severity>,
    max_file_size: u64,
    include_tests: bool,
    /// `--require-reason`: directives without a reason get a note.
    require_reason: bool,
    /// The files of an in-memory run ([`check_files`]) by displayed path, read again from here
    /// instead of the disk; empty in a real run.
    memory: HashMap<String, String>,
}

impl Context {
    /// Keeps the detectors (of `all`) that can emit an enabled rule and builds their prefilter once.
    fn new(
        all: &[&'static dyn Detector],
        enabled: Vec<&'static Rule>,
        severity: HashMap<&'static str, Severity>,
        max_file_size: u64,
        include_tests: bool,
    ) -> Context {
        let detectors: Vec<&'static dyn Detector> = all
            .iter()
            .copied()
            .filter(|d| {
                d.rules()
                    .iter()
                    .any(|id| enabled.iter().any(|r| r.id == *id))
            })
            .collect();
        Context {
            prefilter: Prefilter::new(&detectors),
            detectors,
            enabled,
            severity,
            max_file_size,
            include_tests,
            require_reason: false,
            memory: HashMap::new(),
        }
    }

    fn enabled(&self, rule: &'static Rule) -> bool {
        self.enabled.iter().any(|r| r.id == rule.id)
    }
}

#[derive(Default)]
struct Collected {
    findings: Vec<Finding>,
    skipped: Vec<FileNote>,
    partial: Vec<FileNote>,
    directives: Vec<FileNote>,
    sources: Vec<(String, String)>,
    /// Facts for project-level resolution, by detector index.
    facts: Vec<(usize, FileFact)>,
    /// Files with suppression directives, held until resolved diagnostics have been matched
    /// against them (only then is a directive known to be unused).
    held: Vec<(SourceFile, Suppressions)>,
    timings: Timings,
    scanned: usize,
    tests: usize,
}

impl Collected {
    fn merge(&mut self, other: Collected) {
        self.findings.extend(other.findings);
        self.skipped.extend(other.skipped);
        self.partial.extend(other.partial);
        self.directives.extend(other.directives);
        self.sources.extend(other.sources);
        self.facts.extend(other.facts);
        self.held.extend(other.held);
        self.timings.merge(other.timings);
        self.scanned += other.scanned;
        self.tests += other.tests;
    }
}

/// An analysis thread's buffer; handed over once, when the thread runs out of entries.
struct Worker<'a> {
    ctx: &'a Context,
    shared: &'a Mutex<Collected>,
    local: Collected,
    /// When the thread started, and how long it spent on files: the rest is waiting for the walk.
    born: Instant,
    busy: Duration,
}

impl<'a> Worker<'a> {
    fn new(ctx: &'a Context, shared: &'a Mutex<Collected>) -> Self {
        Worker {
            ctx,
            shared,
            local: Collected::default(),
            born: Instant::now(),
            busy: Duration::ZERO,
        }
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        self.local.timings.walk += self.born.elapsed().saturating_sub(self.busy);
        let local = std::mem::take(&mut self.local);
        match self.shared.lock() {
            Ok(mut shared) => shared.merge(local),
            Err(poisoned) => poisoned.into_inner().merge(local),
        }
    }
}

fn resolve_selectors(selectors: &[String]) -> Result<Vec<&'static Rule>, Error> {
    let mut out = Vec::new();
    for s in selectors {
        out.extend(rules::select(s).ok_or_else(|| Error::UnknownSelector(s.clone()))?);
    }
    Ok(out)
}

/// The enabled rules (the CLI's `--select` replaces the config's, `--ignore` adds to it) and the
/// configured severities.
fn select_rules(
    cfg: &config::Config,
    opts: &CheckOptions,
) -> Result<(Vec<&'static Rule>, HashMap<&'static str, Severity>), Error> {
    let selected = if !opts.select.is_empty() {
        resolve_selectors(&opts.select)?
    } else if let Some(select) = &cfg.select {
        resolve_selectors(select)?
    } else {
        RULES.to_vec()
    };
    let mut ignored = resolve_selectors(&cfg.ignore)?;
    ignored.extend(resolve_selectors(&opts.ignore)?);
    let enabled = RULES
        .iter()
        .copied()
        .filter(|r| selected.iter().any(|s| s.id == r.id))
        .filter(|r| !ignored.iter().any(|s| s.id == r.id))
        .collect();
    let severity = cfg
        .severity
        .iter()
        .filter_map(|(k, v)| rules::find(k).map(|r| (r.id, *v)))
        .collect();
    Ok((enabled, severity))
}

fn exclude_set(patterns: &[String]) -> Result<GlobSet, Error> {
    let mut globs = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| Error::BadGlob {
            glob: pattern.clone(),
            message: e.kind().to_string(),
        })?;
        globs.add(glob);
    }
    globs.build().map_err(|e| Error::BadGlob {
        glob: patterns.join(", "),
        message: e.to_string(),
    })
}

/// Runs a check and returns the report. Only configuration and argument problems are errors.
pub fn check(opts: &CheckOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let cwd = std::env::current_dir().map_err(Error::CurrentDir)?;
    let base = walk::absolute(opts.base.as_deref().unwrap_or(&cwd), &cwd);
    let paths: Vec<PathBuf> = if opts.paths.is_empty() {
        vec![cwd.clone()]
    } else {
        opts.paths.iter().map(|p| walk::absolute(p, &cwd)).collect()
    };
    for p in &paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(Error::MissingPath(p.clone()));
        }
    }

    let loaded = match &opts.config {
        Some(path) => Loaded::from_file(&walk::absolute(path, &cwd))?,
        None => {
            let first = &paths[0];
            let start = if first.is_dir() {
                first.as_path()
            } else {
                first.parent().unwrap_or(first)
            };
            Loaded::discover(start)?
        }
    };
    let cfg = &loaded.config;

    let (enabled, severity) = select_rules(cfg, opts)?;
    let max_file_size = match (opts.max_file_size, &cfg.max_file_size) {
        (Some(n), _) => n,
        (None, Some(size)) => size.bytes()?,
        (None, None) => config::DEFAULT_MAX_FILE_SIZE,
    };
    let ctx = Context {
        require_reason: opts.require_reason,
        ..Context::new(
            detectors::DETECTORS,
            enabled,
            severity,
            max_file_size,
            opts.include_tests || cfg.include_tests,
        )
    };

    let exclude_base = loaded
        .path
        .as_deref()
        .and_then(Path::parent)
        .map_or_else(|| base.clone(), Path::to_path_buf);
    let exclude = exclude_set(&cfg.exclude)?;
    let walk_opts = WalkOptions {
        paths,
        base,
        exclude_base,
        exclude,
        no_ignore: opts.no_ignore,
        follow_links: opts.follow_links,
        threads: opts.jobs,
    };

    let threads = walk_opts.thread_count();
    let setup = started.elapsed();
    let shared = Mutex::new(Collected::default());
    analyse_walk(&ctx, &shared, &walk_opts, threads);
    let collected = shared
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut report = finish(&ctx, collected);
    report.timings.threads = threads;
    report.timings.setup = setup;
    report.timings.wall = started.elapsed();
    Ok(report)
}

/// After the walk: project resolution, directive notes, order, deduplication and fingerprints.
fn finish(ctx: &Context, mut collected: Collected) -> Report {
    let resolving = Instant::now();
    resolve_project(ctx, &mut collected);
    collected.timings.resolve = resolving.elapsed();
    let finishing = Instant::now();
    let with_findings: std::collections::HashSet<String> =
        collected.findings.iter().map(|f| f.path.clone()).collect();
    for (file, suppressions) in std::mem::take(&mut collected.held) {
        let found = with_findings.contains(&file.rel_path);
        directive_notes(ctx, file, suppressions, found, &mut collected);
    }

    // The detector breaks ties, so that which of two detectors reporting the same finding is
    // kept does not depend on the order threads delivered them.
    collected.findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.detector.cmp(b.detector))
    });
    collected
        .findings
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    fingerprint::assign(&mut collected.findings);
    collected.skipped.sort();
    collected.partial.sort();
    collected.directives.sort();
    let mut timings = collected.timings;
    timings.finish = finishing.elapsed();
    Report {
        findings: collected.findings,
        skipped: collected.skipped,
        partial: collected.partial,
        directives: collected.directives,
        files_scanned: collected.scanned,
        test_files: collected.tests,
        sources: collected.sources.into_iter().collect(),
        timings,
    }
}

/// Runs the detector `detector_id` over in-memory files, `(path, text)`, through the pipeline
/// of a real run: classification by path (test code left out), prefilter, one parse, the
/// detector, project resolution, suppressions, order and fingerprints. For tests.
///
/// # Panics
///
/// When no detector has the id `detector_id` (a test's mistake).
#[doc(hidden)]
pub fn check_files(files: &[(&str, &str)], detector_id: &str) -> Report {
    let detector = detectors::DETECTORS
        .iter()
        .copied()
        .find(|d| d.id() == detector_id)
        .unwrap_or_else(|| panic!("no detector has the id {detector_id}"));
    check_files_with(&[detector], files)
}

/// The findings of the detector `detector_id` in one in-memory file (see [`check_files`]).
#[doc(hidden)]
pub fn check_source(path: &str, text: &str, detector_id: &str) -> Vec<Finding> {
    check_files(&[(path, text)], detector_id).findings
}

/// [`check_files`] with any detectors (a test's own among them), every rule enabled at its
/// default severity.
#[doc(hidden)]
pub fn check_files_with(detectors: &[&'static dyn Detector], files: &[(&str, &str)]) -> Report {
    let mut ctx = Context::new(
        detectors,
        RULES.to_vec(),
        HashMap::new(),
        config::DEFAULT_MAX_FILE_SIZE,
        false,
    );
    ctx.memory = files
        .iter()
        .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
        .collect();
    let mut collected = Collected::default();
    for &(path, text) in files {
        let location = Path::new(path);
        let Some(kind) = FileKind::from_path(location) else {
            continue;
        };
        if source::is_test_path(location, kind) && !ctx.include_tests {
            collected.tests += 1;
            continue;
        }
        if let Some(reason) = too_large(&ctx, text.len() as u64) {
            skip(&mut collected, path, None, reason);
            continue;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let bytes = text.as_bytes().to_vec();
            analyse(&ctx, location, path.to_owned(), kind, bytes, &mut collected);
        }));
        if let Err(panic) = outcome {
            collected.skipped.push(panic_note(path.to_owned(), &*panic));
        }
    }
    finish(&ctx, collected)
}

/// Stack reserved for each analysis thread. syn's parser, `syn::visit` and the drop of a syn tree
/// recurse once per nesting level, and the walker threads of `ignore` have the 2 MiB default. Only
/// the touched pages cost memory, so the reservation is generous: the depth limits of
/// [`parse::bounds`] keep the deepest accepted file (the worst construct: nested generic types,
/// about 8 KiB per level in a release build and 14 KiB in a debug build) under a quarter of it.
pub const ANALYSIS_STACK: usize = 256 << 20;

/// Walks on the walker's threads and analyses on `threads` threads of our own, each with
/// [`ANALYSIS_STACK`] reserved; entries go from one to the other through a bounded channel.
fn analyse_walk(ctx: &Context, shared: &Mutex<Collected>, opts: &WalkOptions, threads: usize) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Entry>(threads.max(1) * 64);
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| {
        let mut spawned = 0;
        for _ in 0..threads.max(1) {
            let rx = &rx;
            let worker = std::thread::Builder::new()
                .name("scalelint-analyse".to_owned())
                .stack_size(ANALYSIS_STACK)
                .spawn_scoped(scope, move || {
                    let mut worker = Worker::new(ctx, shared);
                    loop {
                        // The lock is held only while waiting for the next entry.
                        let next = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(poisoned) => poisoned.into_inner().recv(),
                        };
                        let Ok(entry) = next else { break };
                        worker.visit(entry);
                    }
                });
            spawned += usize::from(worker.is_ok());
        }
        if spawned == 0 {
            // No thread could reserve its stack (a tight address-space limit): analyse on the
            // walker's threads, as well as their stacks allow.
            drop(tx);
            walk::walk(opts, || {
                let mut worker = Worker::new(ctx, shared);
                move |entry| worker.visit(entry)
            });
            return;
        }
        walk::walk(opts, || {
            let tx = tx.clone();
            move |entry| {
                // Fails only when every analysis thread is gone, which only a bug can cause.
                let _ = tx.send(entry);
            }
        });
        drop(tx);
    });
}

impl Worker<'_> {
    fn visit(&mut self, entry: Entry) {
        match entry {
            Entry::Error { rel, reason } => self.local.skipped.push(FileNote {
                path: rel,
                line: None,
                reason,
            }),
            Entry::File {
                path,
                rel,
                kind,
                size,
                test_code,
            } => {
                if test_code && !self.ctx.include_tests {
                    self.local.tests += 1;
                    return;
                }
                let ctx = self.ctx;
                let local = &mut self.local;
                let start = Instant::now();
                let outcome = catch_unwind(AssertUnwindSafe(|| {
                    read_and_analyse(ctx, &path, rel.clone(), kind, size, local);
                }));
                self.busy += start.elapsed();
                if let Err(panic) = outcome {
                    self.local.skipped.push(panic_note(rel, &*panic));
                }
            }
        }
    }
}

/// The note for a file whose analysis panicked (a bug: the run goes on without the file).
fn panic_note(path: String, panic: &(dyn std::any::Any + Send)) -> FileNote {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    FileNote {
        path,
        line: None,
        reason: format!("internal error while analysing (please report): {what}"),
    }
}

fn skip(out: &mut Collected, path: &str, line: Option<usize>, reason: String) {
    out.skipped.push(FileNote {
        path: path.to_owned(),
        line,
        reason,
    });
}

/// Why a file of `size` bytes is not analysed, if it is too large.
fn too_large(ctx: &Context, size: u64) -> Option<String> {
    (size > ctx.max_file_size).then(|| {
        format!(
            "larger than max-file-size ({size} bytes > {} bytes)",
            ctx.max_file_size
        )
    })
}

/// Reads one file and analyses it into `out`. Per-file problems become notes, never errors.
fn read_and_analyse(
    ctx: &Context,
    path: &Path,
    rel: String,
    kind: FileKind,
    size: Option<u64>,
    out: &mut Collected,
) {
    // The directory entry's size spares reading a huge file; the read length catches a file
    // that grew since, or whose size the walk did not know.
    if let Some(reason) = size.and_then(|size| too_large(ctx, size)) {
        return skip(out, &rel, None, reason);
    }
    let clock = Instant::now();
    let (bytes, listed) = match source::read_regular(path, ctx.max_file_size) {
        Ok(read) => read,
        Err(reason) => return skip(out, &rel, None, reason),
    };
    let size = bytes.len() as u64;
    out.timings.read.add(clock.elapsed(), size);
    if let Some(reason) = too_large(ctx, size.max(listed)) {
        return skip(out, &rel, None, reason);
    }
    analyse(ctx, path, rel, kind, bytes, out);
}

/// Analyses the bytes of one file (read from `path`) into `out`. Per-file problems become notes,
/// never errors.
fn analyse(
    ctx: &Context,
    path: &Path,
    rel: String,
    kind: FileKind,
    bytes: Vec<u8>,
    out: &mut Collected,
) {
    let size = bytes.len() as u64;
    let wide = source::has_utf16_bom(&bytes);
    if !wide && bytes[..bytes.len().min(8192)].contains(&0) {
        return skip(out, &rel, None, "binary file".to_owned());
    }
    out.scanned += 1;
    // UTF-16 is decoded before the prefilter: its trigger words are not ASCII bytes. Every other
    // encoding read is ASCII-compatible, so the prefilter can judge the raw bytes.
    let (bytes, early) = if wide {
        (Vec::new(), Some(source::decode(bytes)))
    } else {
        (bytes, None)
    };
    let clock = Instant::now();
    let scanned = early.as_ref().map_or(&bytes[..], |d| d.text.as_bytes());
    let hits = ctx.prefilter.scan(scanned, kind);
    out.timings.prefilter.add(clock.elapsed(), size);
    // Manifests are read whatever the prefilter says: every detector's resolve may need them.
    let manifest = manifests::is_manifest(kind);
    if hits.detectors.is_empty() && !hits.directives && !manifest {
        return;
    }
    let clock = Instant::now();
    let Decoded { text, note } = early.unwrap_or_else(|| source::decode(bytes));
    let Some(kind) = kind.refine(&text) else {
        return;
    };
    let file = SourceFile::new(rel, kind, text);
    out.timings.decode.add(clock.elapsed(), size);
    if let Some(reason) = note {
        out.partial.push(FileNote {
            path: file.rel_path.clone(),
            line: None,
            reason,
        });
    }

    let mut sink = Sink::default();
    // Kept for the suppressions: tree-sitter languages read their comments from the tree.
    let mut parsed_tree = None;
    if !hits.detectors.is_empty() || manifest {
        let clock = Instant::now();
        let parsed = parse::parse(&file);
        let phase = out.timings.parse.entry(file.kind.name()).or_default();
        phase.add(clock.elapsed(), size);
        let tree = &*parsed_tree.insert(match parsed {
            Parsed::Complete(tree) => tree,
            Parsed::Partial(tree, at, message) => {
                let line = file.lines.position(at, &file.text).line;
                out.partial.push(FileNote {
                    path: file.rel_path.clone(),
                    line: Some(line),
                    reason: format!("syntax error, analysed as far as parsed: {message}"),
                });
                tree
            }
            Parsed::Failed(at, reason) => {
                let line = at.map(|at| file.lines.position(at, &file.text).line);
                return skip(out, &file.rel_path, line, reason);
            }
        });
        if manifest {
            manifests::record(&file, tree, &mut sink);
        }
        // One model per file, built before the first detector and read by all of them.
        let model = FileModel::new(&file, tree, &mut sink);
        for (i, detector) in ctx.detectors.iter().enumerate() {
            if hits.detectors.contains(i) {
                let clock = Instant::now();
                let before = sink.diagnostics.len();
                model.check(*detector, &mut sink);
                let rule_of = |d: &Diagnostic| d.rule.id;
                declared_only(
                    *detector,
                    &mut sink.diagnostics,
                    before,
                    rule_of,
                    &file.rel_path,
                    out,
                );
                attribute(&mut sink.diagnostics[before..], detector.id());
                let phase = out.timings.detectors.entry(detector.id()).or_default();
                phase.add(clock.elapsed(), size);
                file_facts(&file, path, i, sink.take_facts(), out);
            }
        }
        file_facts(&file, path, SHARED, sink.take_shared(), out);
    }

    let clock = Instant::now();
    let mut suppressions = hits
        .directives
        .then(|| Suppressions::parse_with(&file, parsed_tree.as_ref(), ctx.require_reason));
    let found = record(ctx, &file, sink.diagnostics, suppressions.as_mut(), out);
    out.timings.suppress += clock.elapsed();
    match suppressions {
        Some(s) => out.held.push((file, s)),
        // Only files with findings keep their text, for the snippets of the text format.
        None if found => out.sources.push((file.rel_path, file.text)),
        None => {}
    }
}

/// Keeps the diagnostics whose rule the detector declares, and notes the others once: the rule
/// list decides which detectors run for `--select`, so an undeclared rule is a bug.
fn declared_only<T>(
    detector: &dyn Detector,
    items: &mut Vec<T>,
    from: usize,
    rule_of: impl Fn(&T) -> &'static str,
    path: &str,
    out: &mut Collected,
) {
    // `min`: a detector holds the whole list and could have shortened it.
    let mut added = items.split_off(from.min(items.len()));
    added.retain(|item| {
        let rule = rule_of(item);
        if detector.rules().contains(&rule) {
            return true;
        }
        let reason = format!(
            "internal error: {} reported {rule}, which it does not declare (please report)",
            detector.id()
        );
        if !out
            .skipped
            .iter()
            .any(|n| n.path == path && n.reason == reason)
        {
            skip(out, path, None, reason);
        }
        false
    });
    items.extend(added);
}

/// Files a file's facts under the detector that recorded them (or [`SHARED`]).
fn file_facts(
    file: &SourceFile,
    location: &Path,
    detector: usize,
    facts: Vec<Box<dyn std::any::Any + Send>>,
    out: &mut Collected,
) {
    for fact in facts {
        let fact = FileFact {
            path: file.rel_path.clone(),
            location: location.to_path_buf(),
            kind: file.kind,
            fact,
        };
        out.facts.push((detector, fact));
    }
}

/// Marks diagnostics as reported by the detector `id` (detectors never name themselves).
fn attribute(diagnostics: &mut [Diagnostic], id: &'static str) {
    for d in diagnostics {
        d.detector = id;
    }
}

/// Turns a file's diagnostics into findings, minus the suppressed ones; says whether any was kept.
fn record(
    ctx: &Context,
    file: &SourceFile,
    diagnostics: Vec<Diagnostic>,
    mut suppressions: Option<&mut Suppressions>,
    out: &mut Collected,
) -> bool {
    let before = out.findings.len();
    for d in diagnostics {
        if !ctx.enabled(d.rule) {
            continue;
        }
        let start = file.lines.position(d.span.start, &file.text);
        if let Some(s) = suppressions.as_deref_mut()
            && s.suppresses(d.rule, start.line - 1)
        {
            continue;
        }
        let end = file.lines.position(d.span.end, &file.text);
        out.findings.push(Finding {
            rule: d.rule,
            severity: ctx
                .severity
                .get(d.rule.id)
                .copied()
                .unwrap_or(d.rule.default_severity),
            path: file.rel_path.clone(),
            snippet: fingerprint::normalise(file.slice(&d.span)),
            span: d.span,
            start,
            end,
            message: d.message,
            help: d.help,
            detector: d.detector,
            suppress: Suppression::for_kind(file.kind),
            fingerprint: String::new(),
        });
    }
    out.findings.len() > before
}

/// Reports a held file's malformed and unused directives, and keeps its text if it has findings.
fn directive_notes(
    ctx: &Context,
    file: SourceFile,
    suppressions: Suppressions,
    found: bool,
    out: &mut Collected,
) {
    out.directives.extend(
        suppressions
            .notes(&ctx.enabled)
            .into_iter()
            .map(|n| FileNote {
                path: file.rel_path.clone(),
                line: Some(n.line),
                reason: n.message,
            }),
    );
    if found {
        out.sources.push((file.rel_path, file.text));
    }
}

/// After the walk: every detector resolves the facts it recorded, and the diagnostics it resolves
/// become findings like any other (suppressions included).
fn resolve_project(ctx: &Context, out: &mut Collected) {
    let mut facts = std::mem::take(&mut out.facts);
    // Sorted by (detector, path): facts arrive in walk order, which threads make arbitrary.
    facts.sort_by(|(a, fa), (b, fb)| (a, &fa.path).cmp(&(b, &fb.path)));
    let mut located: Vec<Located> = Vec::new();
    // SHARED sorts last: the detectors' own facts, then the facts all of them see.
    let split = facts.partition_point(|(d, _)| *d != SHARED);
    let (own, shared) = facts.split_at(split);
    for group in own.chunk_by(|(a, _), (b, _)| a == b) {
        let detector = ctx.detectors[group[0].0];
        let before = located.len();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            detector.resolve(&Facts::new(group, shared), &mut located);
        }));
        let rule_of = |l: &Located| l.diagnostic.rule.id;
        declared_only(detector, &mut located, before, rule_of, "", out);
        let from = before.min(located.len());
        for l in &mut located[from..] {
            l.diagnostic.detector = detector.id();
        }
        if outcome.is_err() {
            let reason = format!(
                "internal error while resolving {} (please report)",
                detector.id()
            );
            skip(out, "", None, reason);
        }
    }
    if located.is_empty() {
        return;
    }
    let files: HashMap<&str, &FileFact> = facts.iter().map(|(_, f)| (f.path.as_str(), f)).collect();
    located.sort_by(|a, b| a.path.cmp(&b.path));
    for group in located.chunk_by(|a, b| a.path == b.path) {
        let path = group[0].path.as_str();
        let diagnostics = group.iter().map(|l| l.diagnostic.clone()).collect();
        if let Some(pos) = out.held.iter().position(|(f, _)| f.rel_path == path) {
            let (file, mut suppressions) = out.held.swap_remove(pos);
            record(ctx, &file, diagnostics, Some(&mut suppressions), out);
            out.held.push((file, suppressions));
            continue;
        }
        let Some(fact) = files.get(path) else {
            continue;
        };
        let read = match ctx.memory.get(path) {
            Some(text) => Ok(text.clone()),
            None => std::fs::read(&fact.location).map(|bytes| source::decode(bytes).text),
        };
        let text = match read {
            Ok(text) => text,
            Err(e) => {
                skip(out, path, None, format!("cannot read again: {e}"));
                continue;
            }
        };
        let file = SourceFile::new(path.to_owned(), fact.kind, text);
        if record(ctx, &file, diagnostics, None, out) {
            out.sources.push((file.rel_path, file.text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::js::model::JsModel;
    use crate::detectors::{Check, Reads};
    use crate::project::{Facts, Located, Sink};

    /// A detector with a bug: it panics on every file it sees.
    struct Panicky;

    impl Detector for Panicky {
        fn id(&self) -> &'static str {
            "test/panicky"
        }
        fn kinds(&self) -> &'static [FileKind] {
            &[FileKind::JavaScript]
        }
        fn triggers(&self) -> &'static [&'static str] {
            &["boom"]
        }
        fn rules(&self) -> &'static [&'static str] {
            &["SL101"]
        }
        fn reads(&self) -> Reads<'_> {
            Reads::Js(self)
        }
    }

    /// Records every file that names "x"; resolves one diagnostic into the first file (by path)
    /// per file recorded, so the finding depends on files seen after it.
    struct Counting;

    impl Detector for Counting {
        fn id(&self) -> &'static str {
            "test/counting"
        }
        fn kinds(&self) -> &'static [FileKind] {
            &[FileKind::JavaScript]
        }
        fn triggers(&self) -> &'static [&'static str] {
            &["x"]
        }
        fn rules(&self) -> &'static [&'static str] {
            &["SL101", "SL301"]
        }
        fn reads(&self) -> Reads<'_> {
            Reads::Js(self)
        }
        fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
            let all: Vec<(&str, &usize)> = facts.of::<usize>().collect();
            let Some(&(path, &at)) = all.first() else {
                return;
            };
            for rule in [&rules::SL101, &rules::SL301] {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: Diagnostic::new(rule, at..at + 1, format!("{}", all.len()), ""),
                });
            }
        }
    }

    impl Check<JsModel<'_>> for Counting {
        fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
            out.fact(model.file.text.find('x').unwrap_or_default());
        }
    }

    impl Check<JsModel<'_>> for Panicky {
        fn check(&self, _: &JsModel<'_>, _: &mut Sink) {
            panic!("detector bug");
        }
    }

    fn run_collect(ctx: &Context, dir: &Path, names: &[&str]) -> Collected {
        let shared = Mutex::new(Collected::default());
        {
            let mut worker = Worker::new(ctx, &shared);
            for name in names {
                worker.visit(Entry::File {
                    path: dir.join(name),
                    rel: (*name).to_owned(),
                    kind: FileKind::JavaScript,
                    size: None,
                    test_code: false,
                });
            }
        }
        shared.into_inner().expect("not poisoned")
    }

    #[test]
    fn facts_from_every_file_resolve_into_findings_after_the_walk() {
        let dir = tempfile::tempdir().expect("temp");
        // The directive in a.js silences SL301 only: it must count as used once resolved.
        std::fs::write(
            dir.path().join("a.js"),
            "let x; // scalelint: ignore[SL301]\n",
        )
        .expect("write");
        std::fs::write(dir.path().join("b.js"), "x()").expect("write");
        std::fs::write(dir.path().join("c.js"), "y()").expect("write");
        let ctx = Context::new(
            &[&Counting],
            vec![&rules::SL101, &rules::SL301],
            HashMap::new(),
            1 << 20,
            false,
        );
        // Walk order must not matter.
        let mut collected = run_collect(&ctx, dir.path(), &["c.js", "b.js", "a.js"]);
        assert!(collected.findings.is_empty(), "nothing before resolution");
        resolve_project(&ctx, &mut collected);
        let found: Vec<_> = collected
            .findings
            .iter()
            .map(|f| {
                (
                    f.path.as_str(),
                    f.rule.id,
                    f.message.as_str(),
                    f.start.column,
                )
            })
            .collect();
        assert_eq!(found, [("a.js", "SL101", "2", 5)]);
        let (file, suppressions) = collected.held.pop().expect("a.js is held");
        let notes = suppressions.notes(&ctx.enabled);
        assert!(notes.is_empty(), "{}: {notes:?}", file.rel_path);
    }

    #[test]
    fn a_resolved_finding_reads_its_file_again() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("b.js"), "  x()").expect("write");
        let ctx = Context::new(
            &[&Counting],
            vec![&rules::SL101],
            HashMap::new(),
            1 << 20,
            false,
        );
        let mut collected = run_collect(&ctx, dir.path(), &["b.js"]);
        resolve_project(&ctx, &mut collected);
        assert_eq!(collected.findings.len(), 1, "SL301 is not enabled");
        assert_eq!(collected.findings[0].snippet, "x");
        assert_eq!(collected.sources.len(), 1);
    }

    static SHARED_MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// Asks for a shared fact (the file's length) and records one of its own; resolves a
    /// finding whose message is the sum of the shared facts it sees.
    struct Sharing(&'static str, &'static Rule);

    impl Detector for Sharing {
        fn id(&self) -> &'static str {
            self.0
        }
        fn kinds(&self) -> &'static [FileKind] {
            &[FileKind::JavaScript]
        }
        fn triggers(&self) -> &'static [&'static str] {
            &["x"]
        }
        fn rules(&self) -> &'static [&'static str] {
            &["SL101", "SL301"]
        }
        fn reads(&self) -> Reads<'_> {
            Reads::Js(self)
        }
        fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
            let total: usize = facts.of::<usize>().map(|(_, n)| n).sum();
            if let Some((path, ())) = facts.of::<()>().next() {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: Diagnostic::new(self.1, 0..1, total.to_string(), ""),
                });
            }
        }
    }

    impl Check<JsModel<'_>> for Sharing {
        fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
            out.shared_fact("test/len", || {
                SHARED_MADE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Some(model.file.text.len())
            });
            out.fact(());
        }
    }

    static ONE: Sharing = Sharing("test/one", &rules::SL101);
    static TWO: Sharing = Sharing("test/two", &rules::SL301);

    #[test]
    fn a_shared_fact_is_made_once_per_file_and_seen_by_every_detector() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("a.js"), "x()").expect("write");
        std::fs::write(dir.path().join("b.js"), "let x = 1").expect("write");
        let ctx = Context::new(
            &[&ONE, &TWO],
            vec![&rules::SL101, &rules::SL301],
            HashMap::new(),
            1 << 20,
            false,
        );
        let mut collected = run_collect(&ctx, dir.path(), &["a.js", "b.js"]);
        assert_eq!(
            SHARED_MADE.load(std::sync::atomic::Ordering::SeqCst),
            2,
            "once per file"
        );
        resolve_project(&ctx, &mut collected);
        let found: Vec<_> = collected
            .findings
            .iter()
            .map(|f| (f.rule.id, f.message.as_str()))
            .collect();
        assert_eq!(found, [("SL101", "12"), ("SL301", "12")]);
    }

    /// Reports SL301 on every file it sees, in `check`.
    struct Flagging;

    impl Detector for Flagging {
        fn id(&self) -> &'static str {
            "test/flagging"
        }
        fn kinds(&self) -> &'static [FileKind] {
            &[FileKind::JavaScript]
        }
        fn triggers(&self) -> &'static [&'static str] {
            &["x"]
        }
        fn rules(&self) -> &'static [&'static str] {
            &["SL301"]
        }
        fn reads(&self) -> Reads<'_> {
            Reads::Js(self)
        }
    }

    impl Check<JsModel<'_>> for Flagging {
        fn check(&self, _: &JsModel<'_>, out: &mut Sink) {
            out.push(Diagnostic::new(&rules::SL301, 0..1, "flagged", ""));
        }
    }

    #[test]
    fn findings_name_the_detector_that_reported_them() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("a.js"), "x()").expect("write");
        // Counting resolves SL101 and SL301 after the walk; Flagging reports
        // SL301 while the file is read.
        let ctx = Context::new(
            &[&Counting, &Flagging],
            vec![&rules::SL101, &rules::SL301],
            HashMap::new(),
            1 << 20,
            false,
        );
        let mut collected = run_collect(&ctx, dir.path(), &["a.js"]);
        resolve_project(&ctx, &mut collected);
        let mut found: Vec<_> = collected
            .findings
            .iter()
            .map(|f| (f.rule.id, f.message.as_str(), f.detector))
            .collect();
        found.sort_unstable();
        assert_eq!(
            found,
            [
                ("SL101", "1", "test/counting"),
                ("SL301", "1", "test/counting"),
                ("SL301", "flagged", "test/flagging"),
            ]
        );
    }

    #[test]
    fn a_panicking_detector_skips_the_file_and_the_run_goes_on() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("a.js"), "boom()").expect("write");
        std::fs::write(dir.path().join("b.js"), "fine()").expect("write");
        let ctx = Context::new(
            &[&Panicky],
            vec![&rules::SL101],
            HashMap::new(),
            1 << 20,
            false,
        );
        let shared = Mutex::new(Collected::default());
        {
            let mut worker = Worker::new(&ctx, &shared);
            for name in ["a.js", "b.js"] {
                worker.visit(Entry::File {
                    path: dir.path().join(name),
                    rel: name.to_owned(),
                    kind: FileKind::JavaScript,
                    size: None,
                    test_code: false,
                });
            }
        }
        let collected = shared.into_inner().expect("not poisoned");
        assert_eq!(collected.scanned, 2);
        assert_eq!(collected.skipped.len(), 1);
        assert_eq!(collected.skipped[0].path, "a.js");
        assert!(collected.skipped[0].reason.contains("detector bug"));
    }

    /// Declares SL101 but reports SL301 too, in the file and after the walk.
    struct Overreaching;

    impl Detector for Overreaching {
        fn id(&self) -> &'static str {
            "test/overreaching"
        }
        fn kinds(&self) -> &'static [FileKind] {
            &[FileKind::JavaScript]
        }
        fn triggers(&self) -> &'static [&'static str] {
            &["x"]
        }
        fn rules(&self) -> &'static [&'static str] {
            &["SL101"]
        }
        fn reads(&self) -> Reads<'_> {
            Reads::Js(self)
        }
        fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
            for (path, ()) in facts.of::<()>() {
                for rule in [&rules::SL101, &rules::SL301] {
                    out.push(Located {
                        path: path.to_owned(),
                        diagnostic: Diagnostic::new(rule, 0..1, "resolved", ""),
                    });
                }
            }
        }
    }

    impl Check<JsModel<'_>> for Overreaching {
        fn check(&self, _: &JsModel<'_>, out: &mut Sink) {
            out.push(Diagnostic::new(&rules::SL301, 0..1, "undeclared", ""));
            out.push(Diagnostic::new(&rules::SL101, 0..1, "declared", ""));
            out.fact(());
        }
    }

    #[test]
    fn a_detector_reports_only_the_rules_it_declares() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::write(dir.path().join("a.js"), "x()").expect("write");
        let ctx = Context::new(
            &[&Overreaching],
            vec![&rules::SL101, &rules::SL301],
            HashMap::new(),
            1 << 20,
            false,
        );
        let mut collected = run_collect(&ctx, dir.path(), &["a.js"]);
        resolve_project(&ctx, &mut collected);
        let found: Vec<_> = collected
            .findings
            .iter()
            .map(|f| (f.rule.id, f.message.as_str()))
            .collect();
        assert_eq!(found, [("SL101", "declared"), ("SL101", "resolved")]);
        let notes: Vec<_> = collected
            .skipped
            .iter()
            .map(|n| n.reason.as_str())
            .collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes
                .iter()
                .all(|n| n.contains("test/overreaching reported SL301"))
        );
    }
}
