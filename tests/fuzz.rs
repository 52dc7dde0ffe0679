//! The stable-toolchain fuzz pass that `cargo test` runs: deterministic pseudo-random mutants of
//! the fixtures (byte flips, structural characters, splices between fixture files, truncations,
//! repetitions) go through every fuzz target of `fuzz/targets.rs`, the same code the cargo-fuzz
//! targets run; deep-nesting mutants go through a whole `scalelint::check`; and every crash kept
//! under `tests/data/fuzz-regressions/<target>/` is replayed.
//!
//! Each test runs in its own child process (this test binary, re-run on that one test) with a
//! deadline: a stack overflow or an abort fails that test alone, and a hang fails it instead of
//! stalling CI. `SCALELINT_FUZZ_SEED_DIR=DIR cargo test --test fuzz seed_corpora` writes the
//! cargo-fuzz seed corpora (see CONTRIBUTING.md).

// Skip notes and progress lines go to the test log, where `--nocapture` shows them.
#![allow(clippy::print_stderr)]

#[path = "../fuzz/targets.rs"]
#[allow(dead_code)]
mod targets;

use scalelint::source::FileKind;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use targets::{TARGETS, Target};

/// Set in the child process that runs a test's body.
const CHILD: &str = "SCALELINT_FUZZ_CHILD";
/// How long one test may take in its child process (debug build, shared cores).
const DEADLINE: Duration = Duration::from_secs(60);
/// CPU time each target's mutation pass may spend: the pass stops early, at a deterministic
/// point in its sequence, only on a slow machine.
const BUDGET: Duration = Duration::from_millis(350);
/// Mutants per target at most.
const MUTANTS: usize = 600;
/// Mutants per target at least, whatever the clock says.
const MIN_MUTANTS: usize = 100;
/// The stack of the thread that runs one body: std's default for spawned threads, as the
/// engine's workers have unless they ask for more.
const STACK: usize = 8 << 20;

/// Runs `body` isolated: in the child, directly (on a thread with [`STACK`]); in the parent, by
/// re-running this binary on `test` alone and failing with the child's output when it fails,
/// dies on a signal or outlives [`DEADLINE`].
fn isolated(test: &str, body: fn()) {
    if std::env::var_os(CHILD).is_some() {
        let worker = std::thread::Builder::new()
            .stack_size(STACK)
            .spawn(body)
            .expect("spawn the worker");
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
        return;
    }
    let mut log = tempfile::tempfile().expect("temp file");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log.try_clone().expect("log"))
        .spawn()
        .expect("re-run the test binary");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut output = String::new();
    log.rewind().expect("rewind");
    log.read_to_string(&mut output).expect("read the log");
    // The child's last lines name the input it was on.
    let tail: Vec<&str> = output.lines().rev().take(25).collect();
    let tail: String = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    match status {
        Some(s) if s.success() => eprint!("{output}"),
        Some(s) => panic!("{test} failed in its child process ({s}):\n{tail}"),
        None => panic!("{test} still running after {DEADLINE:?} (a hang?):\n{tail}"),
    }
}

/// xorshift64*: a tiny deterministic generator, so every run tries the same mutants.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        // FNV-1a of the seed name: different targets walk different sequences.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every fixture file scalelint reads, with the kind of its path, in a stable order.
fn fixture_files() -> Vec<(PathBuf, FileKind, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(kind) = FileKind::from_path(&path) {
                out.push((path.clone(), kind, std::fs::read(&path).expect("read")));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The seed inputs of a target: its fixtures, in the byte layout the target reads (a kind
/// selector byte first where the target picks a kind).
fn seeds(target: &Target) -> Vec<(String, Vec<u8>)> {
    let root = fixtures_dir();
    let mut out = Vec::new();
    for (path, kind, bytes) in fixture_files() {
        if !target.seeds.is_empty() && !target.seeds.contains(&kind) {
            continue;
        }
        let name = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let input = match target.name {
            "yaml" => targets::with_selector(targets::YAML_KINDS, kind, &bytes),
            "json" => targets::with_selector(targets::JSON_KINDS, kind, &bytes),
            "toml" => targets::with_selector(targets::TOML_KINDS, kind, &bytes),
            "pipeline" | "suppress" => targets::with_selector(targets::ALL_KINDS, kind, &bytes),
            _ => bytes,
        };
        out.push((name, input));
    }
    for (i, text) in targets::examples(target.name).iter().enumerate() {
        out.push((
            format!("{} example {i}", target.name),
            text.as_bytes().to_vec(),
        ));
    }
    if target.name == "config" {
        // The config loader's own language: the examples of its documentation.
        for (i, text) in CONFIG_SEEDS.iter().enumerate() {
            out.push((format!("config example {i}"), text.as_bytes().to_vec()));
        }
    }
    out
}

/// `scalelint.toml` files in the shapes the README documents.
const CONFIG_SEEDS: &[&str] = &[
    "select = [\"session\", \"SL201\"]\nignore = [\"sticky\"]\nexclude = [\"vendor/**\"]\n",
    "max-file-size = \"2M\"\ninclude-tests = true\n[severity]\nSL101 = \"warning\"\n",
    "max-file-size = 1048576\n[severity]\nmemory-session-store = \"error\"\n",
];

/// Structural characters of the languages read: the likely places for a parser to go wrong.
const STRUCTURAL: &[u8] = b"{}()[]<>;:,\"'`#/*$\\\n\r\t =-|&!?@%";

/// One mutant of `inputs[i]`, and what was done.
fn mutate(rng: &mut Rng, inputs: &[(String, Vec<u8>)]) -> (String, Vec<u8>) {
    let (name, base) = &inputs[rng.below(inputs.len())];
    let mut data = base.clone();
    let len = data.len();
    let how = match rng.below(6) {
        0 => {
            let n = 1 + rng.below(8);
            for _ in 0..n {
                if len > 0 {
                    let at = rng.below(len);
                    data[at] ^= 1 << rng.below(8);
                }
            }
            format!("{n} bit flips")
        }
        1 => {
            let n = 1 + rng.below(8);
            for _ in 0..n {
                if len > 0 {
                    let at = rng.below(len);
                    data[at] = STRUCTURAL[rng.below(STRUCTURAL.len())];
                }
            }
            format!("{n} structural bytes")
        }
        2 => {
            let (other, with) = &inputs[rng.below(inputs.len())];
            let cut = rng.below(len + 1);
            let from = rng.below(with.len() + 1);
            data.truncate(cut);
            data.extend_from_slice(&with[from..]);
            format!("spliced at {cut} with {other} from {from}")
        }
        3 => {
            let cut = rng.below(len + 1);
            data.truncate(cut);
            format!("cut at {cut}")
        }
        4 => {
            let start = rng.below(len + 1);
            let end = (start + 1 + rng.below(64)).min(len);
            let times = 2 + rng.below(200);
            let piece = data[start..end].to_vec();
            let tail = data.split_off(end);
            for _ in 0..times {
                data.extend_from_slice(&piece);
            }
            data.extend_from_slice(&tail);
            format!("bytes {start}..{end} repeated {times} times")
        }
        _ => {
            let at = rng.below(len + 1);
            let byte = STRUCTURAL[rng.below(STRUCTURAL.len())];
            let n = 1 + rng.below(64);
            let tail = data.split_off(at);
            data.extend(std::iter::repeat_n(byte, n));
            data.extend_from_slice(&tail);
            format!("{n} x {:?} inserted at {at}", byte as char)
        }
    };
    (format!("{name}: {how}"), data)
}

/// The mutation pass of one target: the seeds themselves, then mutants.
fn mutation_pass(name: &str) {
    let target = targets::target(name).expect("a target of that name");
    let inputs = seeds(target);
    assert!(!inputs.is_empty(), "no seeds for {name}");
    let mut rng = Rng::new(name);
    let start = Instant::now();
    for (what, input) in &inputs {
        eprintln!("[{name}] seed {what}");
        (target.run)(input);
    }
    let seeded = start.elapsed();
    let mut runs = 0;
    while runs < MIN_MUTANTS || (runs < MUTANTS && start.elapsed() < seeded + BUDGET) {
        let (what, input) = mutate(&mut rng, &inputs);
        // Named before the run, so a crash or hang is traced to its input.
        eprintln!("[{name}] {what}");
        (target.run)(&input);
        runs += 1;
    }
    eprintln!(
        "[{name}] {} seeds in {seeded:.2?}, then {runs} mutants in {:.2?}: none failed",
        inputs.len(),
        start.elapsed() - seeded
    );
}

macro_rules! mutation_tests {
    ($($test:ident => $target:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                isolated(stringify!($test), || mutation_pass($target));
            }
        )*

        /// Every target of `fuzz/targets.rs` has its mutation test here.
        const MUTATION_TESTED: &[&str] = &[$($target),*];
    };
}

mutation_tests! {
    mutants_js => "js",
    mutants_ts => "ts",
    mutants_tsx => "tsx",
    mutants_python => "python",
    mutants_rust => "rust",
    mutants_yaml => "yaml",
    mutants_json => "json",
    mutants_toml => "toml",
    mutants_hcl => "hcl",
    mutants_nginx => "nginx",
    mutants_haproxy => "haproxy",
    mutants_apache => "apache",
    mutants_bicep => "bicep",
    mutants_xml => "xml",
    mutants_properties => "properties",
    mutants_ini => "ini",
    mutants_env => "env",
    mutants_pipeline => "pipeline",
    mutants_suppress => "suppress",
    mutants_config => "config",
}

#[test]
fn every_fuzz_target_has_a_mutation_test() {
    let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(names, MUTATION_TESTED);
}

/// How deep the nesting mutants go: far past any sensible parser recursion.
const DEPTH: usize = 10_000;

/// Deep-nesting mutants of one fixture, each under the fixture's own file name in a directory of
/// its own in one temporary project, checked by the library's whole run (where the engine bounds
/// nesting, on whatever threads it analyses files). Every mutant is analysed, skipped or
/// partially parsed (never an internal error), and the unmutated copy reports the findings it
/// reports alone.
fn deep_nesting(fixture: &str, nests: &[(&str, &str)]) {
    let source = fixtures_dir().join(fixture);
    let base = std::fs::read(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
    let name = source.file_name().expect("a file name");
    let dir = tempfile::tempdir().expect("temp dir");
    let check = |path: &Path| {
        scalelint::check(&scalelint::CheckOptions {
            paths: vec![path.to_path_buf()],
            base: Some(dir.path().to_path_buf()),
            max_file_size: Some(64 << 20),
            ..Default::default()
        })
        .expect("check runs")
    };
    let original = dir.path().join("original");
    std::fs::create_dir_all(&original).expect("mkdir");
    std::fs::write(original.join(name), &base).expect("write");
    let alone = check(&original).findings.len();
    assert!(alone > 0, "{fixture} alone has no findings: pick another");

    let lines: Vec<usize> = std::iter::once(0)
        .chain(
            base.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    let mut rng = Rng::new(fixture);
    let mut written = 0;
    for (n, (open, close)) in nests.iter().enumerate() {
        for closed in [true, false] {
            // Between lines, so the nesting lands in the middle of a real file.
            let at = lines[rng.below(lines.len())];
            let mut data = base[..at].to_vec();
            data.extend(open.repeat(DEPTH).bytes());
            if closed {
                data.extend(close.repeat(DEPTH).bytes());
            }
            data.push(b'\n');
            data.extend_from_slice(&base[at..]);
            let mutant = dir
                .path()
                .join(format!("deep{n}{}", if closed { "closed" } else { "open" }));
            eprintln!(
                "[deep] {}: {DEPTH} x {open:?}{} at byte {at} of {fixture}",
                mutant.display(),
                if closed { " closed" } else { " left open" }
            );
            std::fs::create_dir_all(&mutant).expect("mkdir");
            std::fs::write(mutant.join(name), data).expect("write");
            written += 1;
        }
    }
    let start = Instant::now();
    let report = check(dir.path());
    eprintln!(
        "[deep] {written} mutants of {fixture} checked in {:.2?}: {} skipped, {} partial",
        start.elapsed(),
        report.skipped.len(),
        report.partial.len()
    );
    let internal: Vec<_> = report
        .skipped
        .iter()
        .chain(&report.partial)
        .filter(|n| n.reason.contains("internal error"))
        .collect();
    assert!(internal.is_empty(), "{internal:?}");
    let kept = report
        .findings
        .iter()
        .filter(|f| f.path.starts_with("original/"))
        .count();
    assert_eq!(kept, alone, "the unmutated {fixture} beside its mutants");
}

macro_rules! nesting_tests {
    ($($test:ident => $fixture:literal, [$(($open:literal, $close:literal)),* $(,)?]);* $(;)?) => {
        $(
            #[test]
            fn $test() {
                isolated(stringify!($test), || deep_nesting($fixture, &[$(($open, $close)),*]));
            }
        )*
    };
}

nesting_tests! {
    deep_nesting_js => "js/express-cjs-shop/src/app.js",
        [("(", ")"), ("[", "]"), ("{", "}"), ("a.", "b"), ("x=>", "1"), ("a+", "a")];
    deep_nesting_ts => "js/express-memory-session/src/config/session.ts",
        [("(", ")"), ("Array<", ">"), ("{", "}"), ("a?.", "b")];
    deep_nesting_python => "python/django-single-settings/settings.py",
        [("(", ")"), ("[", "]"), ("{", "}"), ("a.", "b"), ("not ", "x")];
    deep_nesting_rust => "rust/axum-instance-state/src/state.rs",
        [("(", ")"), ("{", "}"), ("Vec<", ">"), ("a.", "b"), ("a+", "a"), ("[", "]")];
    deep_nesting_yaml => "cloudformation/sticky-target-groups/web-stack.yaml",
        [("[", "]"), ("{a: ", "}"), ("- ", "")];
    deep_nesting_json => "azure/arr-affinity/azuredeploy.json",
        [("[", "]"), ("{\"a\":", "}")];
    deep_nesting_toml => "traefik/compose-sticky/traefik/dynamic/services.toml",
        [("a=[", "]"), ("b={c=", "}")];
    deep_nesting_hcl => "terraform/sticky-modules/aws/alb.tf",
        [("(", ")"), ("[", "]"), ("{", "}")];
    deep_nesting_nginx => "nginx/sticky-upstreams/nginx.conf",
        [("location / {", "}"), ("{", "}")];
    deep_nesting_haproxy => "haproxy/sticky-backends/haproxy/haproxy.cfg",
        [("(", ")"), ("{", "}")];
    deep_nesting_apache => "apache/sticky-balancer/conf/httpd.conf",
        [("<Location />", "</Location>"), ("<If \"true\">", "</If>")];
    deep_nesting_bicep => "azure/arr-affinity/main.bicep",
        [("{", "}"), ("[", "]"), ("(", ")")];
}

/// Replays one kept crash through its target.
fn replay(target: &str, file: &str) {
    let path = regressions().join(target).join(file);
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let target = targets::target(target).expect("a target of that name");
    eprintln!("[replay] {}", path.display());
    (target.run)(&data);
}

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions")
}

macro_rules! replay_tests {
    ($($test:ident => $target:literal / $file:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                isolated(stringify!($test), || replay($target, $file));
            }
        )*

        /// Every kept crash, as `target/file`.
        const REPLAYED: &[&str] = &[$(concat!($target, "/", $file)),*];
    };
}

replay_tests! {
    // A Helm action `{{` left open before a multi-byte character: src/parse/yaml.rs `untemplate`
    // slices `close - 2` inside the character (Compose kind, `{{` + U+FFFD).
    replay_yaml_helm_action_cut_in_a_char => "yaml" / "helm-action-cut-in-a-char",
    // A block comment whose `scalelint:` marker sits on a later line than the comment's start:
    // src/suppress.rs slices `line_start..comment.start` with begin > end.
    replay_rust_marker_below_block_comment_start => "rust" / "marker-below-block-comment-start",
    // The same slice, reached through a JSON-with-comments `package.json` (`/*\nscalelint:`).
    replay_json_marker_below_block_comment_start => "json" / "marker-below-block-comment-start",
}

#[test]
fn every_kept_crash_has_a_replay_test() {
    let mut kept = Vec::new();
    if let Ok(targets) = std::fs::read_dir(regressions()) {
        for target in targets {
            let target = target.expect("entry").path();
            assert!(
                targets::target(&target.file_name().expect("name").to_string_lossy()).is_some(),
                "{} is not a fuzz target",
                target.display()
            );
            for file in std::fs::read_dir(&target).expect("readable") {
                let file = file.expect("entry").path();
                let rel = file.strip_prefix(regressions()).expect("under regressions");
                kept.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    kept.sort();
    let mut replayed: Vec<String> = REPLAYED.iter().map(|s| (*s).to_owned()).collect();
    replayed.sort();
    assert_eq!(kept, replayed, "each kept crash needs its own replay test");
}

/// Every target has seeds; with `SCALELINT_FUZZ_SEED_DIR` set, writes them there as
/// `<dir>/<target>/<n>` (what `fuzz/seed-corpora.sh` runs).
#[test]
fn seed_corpora() {
    let out = std::env::var_os("SCALELINT_FUZZ_SEED_DIR").map(PathBuf::from);
    for target in TARGETS {
        let seeds = seeds(target);
        assert!(!seeds.is_empty(), "no seeds for {}", target.name);
        if let Some(out) = &out {
            let dir = out.join(target.name);
            std::fs::create_dir_all(&dir).expect("mkdir");
            for (n, (_, data)) in seeds.iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{n:04}")), data).expect("write");
            }
            eprintln!(
                "{}: {} seeds in {}",
                target.name,
                seeds.len(),
                dir.display()
            );
        }
    }
}
