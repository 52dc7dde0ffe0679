//! Hostile input, end to end: the binary runs on files generated in a temporary directory (random
//! bytes under every recognised name, broken and foreign encodings, odd line endings, empty,
//! huge and deeply nested files, YAML alias bombs, a minified line with thousands of findings,
//! symlink loops, unreadable files, FIFOs, odd file names). Each file is analysed or listed in
//! `skipped` / `partially_parsed` with a reason; the exit code follows the documented rules
//! (0 no findings, 1 findings, 2 usage); each run stays under [`WALL`] and [`RSS`].
//!
//! One test per case, so a failing case is visible by name. Each prints a row
//! `hostile | case | outcome | wall | peak RSS` (see them with `cargo test --test hostile --
//! --nocapture`). Peak RSS is the child's, measured by GNU time (`/usr/bin/time`, which `.ci/run`
//! installs; without it, and outside CI, RSS is not measured).

// The table rows go to the test log, where `--nocapture` shows them.
#![allow(clippy::print_stderr)]

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Generous wall-time bound of one run (debug binary, two shared cores).
const WALL: Duration = Duration::from_secs(30);
/// Generous bound of one run's peak resident memory, in KiB.
const RSS: u64 = 1 << 20;
const GNU_TIME: &str = "/usr/bin/time";

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    wall: Duration,
    rss_kib: Option<u64>,
    /// Why the run was stopped, when it was.
    killed: Option<String>,
}

impl Run {
    /// The JSON report (the run was asked for `--format json`).
    fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "not a JSON report ({e}), exit {:?}, stderr:\n{}",
                self.code, self.stderr
            )
        })
    }
}

/// Runs `scalelint ARGS` in `dir`, measuring wall time and, through GNU time, peak RSS; a run
/// past [`WALL`] or twice [`RSS`] is killed (and fails its case).
fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_as(dir, args, &[])
}

/// [`run_in`], with `prefix` (e.g. `setpriv …`) in front of the binary.
fn run_as(dir: &Path, args: &[&str], prefix: &[&str]) -> Run {
    let rss_file = tempfile::NamedTempFile::new().expect("temp file");
    let has_time = Path::new(GNU_TIME).is_file();
    assert!(
        has_time || std::env::var_os("CI").is_none(),
        "{GNU_TIME} (GNU time) is missing: CI measures peak RSS with it (.ci/run installs it)"
    );
    let mut cmd = if has_time {
        let mut c = Command::new(GNU_TIME);
        c.args(["-f", "%M", "-o"]).arg(rss_file.path());
        c.args(prefix);
        c
    } else if let Some((first, rest)) = prefix.split_first() {
        let mut c = Command::new(first);
        c.args(rest);
        c
    } else {
        Command::new(cargo_bin("scalelint"))
    };
    if has_time || !prefix.is_empty() {
        cmd.arg(cargo_bin("scalelint"));
    }
    let out_file = tempfile::tempfile().expect("temp file");
    let err_file = tempfile::tempfile().expect("temp file");
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let start = Instant::now();
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(out_file.try_clone().expect("dup"))
        .stderr(err_file.try_clone().expect("dup"))
        .spawn()
        .expect("the binary starts");
    let mut killed = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        // Past the bounds the case has failed: stop it before it takes the machine down.
        let rss_now = group_rss_kib(child.id());
        if start.elapsed() > WALL || rss_now > 2 * RSS {
            kill_group(&mut child);
            killed = Some(format!(
                "killed after {:.1?} at {} MiB RSS",
                start.elapsed(),
                rss_now >> 10
            ));
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let wall = start.elapsed();
    let read = |mut f: std::fs::File| {
        use std::io::{Read, Seek};
        let mut buf = Vec::new();
        f.rewind().expect("rewind");
        f.read_to_end(&mut buf).expect("read");
        buf
    };
    let stdout = read(out_file);
    let stderr = String::from_utf8_lossy(&read(err_file)).into_owned();
    // GNU time writes "Command terminated by signal N" before the number when the child died.
    let rss_kib = std::fs::read_to_string(rss_file.path())
        .ok()
        .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()));
    Run {
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        wall,
        rss_kib,
        killed,
    }
}

/// Resident memory of `pid` and its children (GNU time runs the binary as its child), in KiB;
/// 0 where /proc does not tell.
fn group_rss_kib(pid: u32) -> u64 {
    let rss = |pid: &str| {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| {
                let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_owned();
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            })
            .unwrap_or(0)
    };
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    rss(&pid.to_string()) + children.split_whitespace().map(rss).sum::<u64>()
}

/// Kills the child's whole process group (GNU time and the binary under it).
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Prints the case's table row and checks the bounds every case shares: it ended on its own,
/// with a documented exit code, in time and within memory.
fn bounded(case: &str, run: &Run, outcome: &str) {
    let rss = run.rss_kib.map_or("n/a".to_owned(), |k| {
        format!("{:.1} MiB", k as f64 / 1024.0)
    });
    let outcome = run.killed.as_deref().unwrap_or(outcome);
    eprintln!(
        "hostile | {case:<36} | exit {:<4} | {outcome:<44} | {:>8.2?} | {rss:>10}",
        run.code.map_or("kill".to_owned(), |c| c.to_string()),
        run.wall
    );
    let tail: String = run.stderr.chars().take(2000).collect();
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{case}: exit {:?} (0 or 1 expected), stderr:\n{tail}",
        run.code
    );
    assert!(run.wall < WALL, "{case}: took {:?}", run.wall);
    if let Some(k) = run.rss_kib {
        assert!(k < RSS, "{case}: peak RSS {k} KiB");
    }
}

/// The exit code the findings call for.
fn expected_code(report: &Value) -> i32 {
    let findings = report["findings"].as_array().map_or(0, Vec::len);
    i32::from(findings > 0)
}

/// Paths of a report section (`findings`, `skipped`, `partially_parsed`).
fn paths(report: &Value, section: &str) -> Vec<String> {
    report[section]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n["path"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every note has a non-empty reason.
fn reasons_given(report: &Value) {
    for section in ["skipped", "partially_parsed"] {
        for note in report[section].as_array().into_iter().flatten() {
            assert!(
                note["reason"].as_str().is_some_and(|r| !r.is_empty()),
                "{section} note without a reason: {note}"
            );
        }
    }
}

/// Runs a JSON check of `dir` and applies the shared checks; returns the report.
fn check_json(case: &str, dir: &Path, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["check", "--format", "json", "--include-tests"];
    args.extend_from_slice(extra);
    args.push(".");
    let run = run_in(dir, &args);
    let report = if matches!(run.code, Some(0 | 1)) {
        run.json()
    } else {
        Value::Null
    };
    let outcome = format!(
        "{} findings, {} skipped, {} partial",
        report["findings"].as_array().map_or(0, Vec::len),
        report["skipped"].as_array().map_or(0, Vec::len),
        report["partially_parsed"].as_array().map_or(0, Vec::len),
    );
    bounded(case, &run, &outcome);
    assert_eq!(run.code, Some(expected_code(&report)), "{case}: exit code");
    reasons_given(&report);
    (run, report)
}

/// Every name scalelint recognises, one per file kind and extension (see src/source/kind.rs).
const NAMES: &[&str] = &[
    "a.js",
    "a.mjs",
    "a.cjs",
    "a.jsx",
    "a.ts",
    "a.mts",
    "a.cts",
    "a.tsx",
    "a.rs",
    "a.nginx",
    "nginx.conf",
    "site.conf",
    "haproxy.cfg",
    "lb.cfg",
    "httpd.conf",
    "a.tf",
    "a.tofu",
    "a.tfvars",
    "a.bicep",
    "a.yaml",
    "a.yml",
    "docker-compose.yml",
    "a.json",
    "package.json",
    "a.toml",
    "Cargo.toml",
    "a.py",
    "a.pyw",
];

/// Literals that get files past the prefilter into parsers and detectors.
const TRIGGERS: &[&str] = &[
    "express-session",
    "ip_hash;",
    "MemoryStore",
    "sticky",
    "session",
    "multer",
    "lru-cache",
    "tower_sessions",
    "SESSION_ENGINE",
    "affinity",
    "cookie",
    "scalelint: ignore",
    "stickiness",
    "balance source",
];

/// A deterministic byte stream (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every file of `names` must be in a section of `report`, or be among the files scanned.
fn all_accounted(case: &str, report: &Value, names: &[&str]) {
    let listed: Vec<String> = ["findings", "skipped", "partially_parsed"]
        .iter()
        .flat_map(|s| paths(report, s))
        .collect();
    let scanned = report["summary"]["files_scanned"].as_u64().unwrap_or(0) as usize;
    let skipped = paths(report, "skipped").len();
    let silent: Vec<&&str> = names
        .iter()
        .filter(|n| !listed.iter().any(|p| p.ends_with(*n)))
        .collect();
    // A file neither listed nor counted as scanned was lost.
    assert!(
        scanned + skipped >= names.len(),
        "{case}: {} files, {scanned} scanned, {skipped} skipped; unlisted: {silent:?}",
        names.len()
    );
}

#[test]
fn random_bytes_under_every_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for name in NAMES {
        let len = 1 + rng.below(16 << 10);
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        std::fs::write(dir.path().join(name), data).expect("write");
    }
    let (_, report) = check_json("random bytes, every name", dir.path(), &[]);
    all_accounted("random bytes", &report, NAMES);
}

#[test]
fn random_text_with_trigger_words_under_every_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let alphabet = b"{}()[]<>;:,.\"'`#/*$\\\n\r\t =-|&!?@%abcxyz019_\n\n    ";
    for name in NAMES {
        let mut text = Vec::new();
        while text.len() < 8 << 10 {
            if rng.below(20) == 0 {
                text.extend_from_slice(TRIGGERS[rng.below(TRIGGERS.len())].as_bytes());
            } else {
                text.push(alphabet[rng.below(alphabet.len())]);
            }
        }
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let (_, report) = check_json("random text with triggers", dir.path(), &[]);
    all_accounted("random text", &report, NAMES);
}

#[test]
fn empty_files_under_every_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in NAMES {
        std::fs::write(dir.path().join(name), b"").expect("write");
    }
    let (_, report) = check_json("0-byte files", dir.path(), &[]);
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0));
    all_accounted("empty files", &report, NAMES);
}

/// An express-session app with its finding (SL101) on line 2.
const EXPRESS: &str =
    "const session = require('express-session');\napp.use(session({ secret: 's' }));\n";
/// An nginx upstream with its finding (SL402) on line 3.
const NGINX: &str = "upstream shop {\n    server a:80;\n    ip_hash;\n}\n";

/// The line of the first finding of `rule` in `file`.
fn finding_line(report: &Value, file: &str, rule: &str) -> Option<u64> {
    report["findings"]
        .as_array()?
        .iter()
        .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(file)) && f["rule"] == rule)
        .and_then(|f| f["line"].as_u64())
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xfe, 0xff]
    } else {
        vec![0xff, 0xfe]
    };
    for unit in text.encode_utf16() {
        let bytes = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend_from_slice(&bytes);
    }
    out
}

/// A file in a foreign encoding or with odd line ends still reports its finding on its line.
fn encoded(case: &str, files: &[(&str, Vec<u8>, &str, u64)]) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes, _, _) in files {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    let (_, report) = check_json(case, dir.path(), &[]);
    for (name, _, rule, line) in files {
        assert_eq!(
            finding_line(&report, name, rule),
            Some(*line),
            "{case}: {name} reports {rule} on line {line}: {report:#}"
        );
    }
}

#[test]
fn utf16_le_with_bom() {
    encoded(
        "UTF-16 LE with BOM",
        &[
            ("nginx.conf", utf16(NGINX, false), "SL402", 3),
            ("app.js", utf16(EXPRESS, false), "SL101", 2),
        ],
    );
}

#[test]
fn utf16_be_with_bom() {
    encoded(
        "UTF-16 BE with BOM",
        &[
            ("nginx.conf", utf16(NGINX, true), "SL402", 3),
            ("app.js", utf16(EXPRESS, true), "SL101", 2),
        ],
    );
}

#[test]
fn utf8_with_bom() {
    let bom = |t: &str| [b"\xef\xbb\xbf".as_slice(), t.as_bytes()].concat();
    encoded(
        "UTF-8 with BOM",
        &[
            ("nginx.conf", bom(NGINX), "SL402", 3),
            ("app.js", bom(EXPRESS), "SL101", 2),
        ],
    );
}

#[test]
fn crlf_line_ends() {
    let crlf = |t: &str| t.replace('\n', "\r\n").into_bytes();
    encoded(
        "CRLF line ends",
        &[
            ("nginx.conf", crlf(NGINX), "SL402", 3),
            ("app.js", crlf(EXPRESS), "SL101", 2),
        ],
    );
}

#[test]
fn lone_cr_line_ends() {
    let cr = |t: &str| t.replace('\n', "\r").into_bytes();
    encoded(
        "lone-CR line ends",
        &[
            ("nginx.conf", cr(NGINX), "SL402", 3),
            ("app.js", cr(EXPRESS), "SL101", 2),
        ],
    );
}

#[test]
fn invalid_utf8() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = EXPRESS.as_bytes().to_vec();
    bytes.extend_from_slice(b"// caf\xe9 \xff\xfe\xc3\n");
    std::fs::write(dir.path().join("app.js"), &bytes).expect("write");
    let (_, report) = check_json("invalid UTF-8", dir.path(), &[]);
    let analysed = finding_line(&report, "app.js", "SL101").is_some();
    let skipped = paths(&report, "skipped").iter().any(|p| p == "app.js");
    assert!(analysed || skipped, "app.js neither analysed nor skipped");
}

#[test]
fn fifty_megabyte_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::with_capacity(51 << 20);
    text.push_str(EXPRESS);
    let line = "function f(a, b) { return a + b * 2 - g(a, [1, 2, 3], { k: 'v' }); }\n";
    while text.len() < 50 << 20 {
        text.push_str(line);
    }
    std::fs::write(dir.path().join("app.js"), text).expect("write");
    let (_, report) = check_json(
        "50 MB JS file, --max-file-size 100M",
        dir.path(),
        &["--max-file-size", "100M"],
    );
    let analysed = finding_line(&report, "app.js", "SL101") == Some(2);
    let skipped = paths(&report, "skipped").iter().any(|p| p == "app.js");
    assert!(analysed || skipped, "app.js neither analysed nor skipped");
}

/// Nesting [`DEPTH`] levels deep, around a real finding of the family.
const DEPTH: usize = 10_000;

fn deeply_nested(case: &str, name: &str, text: String) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(name), text).expect("write");
    // A normal file beside it still reports its finding.
    std::fs::write(dir.path().join("nginx.conf"), NGINX).expect("write");
    let (_, report) = check_json(case, dir.path(), &[]);
    assert_eq!(finding_line(&report, "nginx.conf", "SL402"), Some(3));
    let listed = ["findings", "skipped", "partially_parsed"]
        .iter()
        .any(|s| paths(&report, s).iter().any(|p| p == name));
    let scanned = report["summary"]["files_scanned"].as_u64();
    assert!(listed || scanned == Some(2), "{name} was lost: {report:#}");
}

#[test]
fn deep_nesting_json() {
    let text = format!(
        "{{\"a\": {}1{}, \"properties\": {{\"clientAffinityEnabled\": true}}}}",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    );
    deeply_nested("10k-deep JSON", "azuredeploy.json", text);
}

#[test]
fn deep_nesting_yaml() {
    let mut text = String::from("kind: Service\nspec:\n  sessionAffinity: ClientIP\n  x: ");
    text.push_str(&"[".repeat(DEPTH));
    text.push_str(&"]".repeat(DEPTH));
    text.push('\n');
    for level in 0..DEPTH {
        text.push_str(&" ".repeat(level.min(2000)));
        text.push_str("- \n");
    }
    deeply_nested("10k-deep YAML", "svc.yaml", text);
}

#[test]
fn deep_nesting_js() {
    let text = format!(
        "{EXPRESS}const x = {}1{};\n",
        "(".repeat(DEPTH),
        ")".repeat(DEPTH)
    );
    deeply_nested("10k-deep JS", "app.js", text);
}

#[test]
fn deep_nesting_python() {
    let text = format!(
        "SESSION_ENGINE = 'django.contrib.sessions.backends.file'\nx = {}1{}\n",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    );
    deeply_nested("10k-deep Python", "settings.py", text);
}

#[test]
fn deep_nesting_rust() {
    let text = format!(
        "use tower_sessions::MemoryStore;\nfn main() {{ let x = {}1{}; }}\n",
        "(".repeat(DEPTH),
        ")".repeat(DEPTH)
    );
    deeply_nested("10k-deep Rust", "main.rs", text);
}

#[test]
fn deep_nesting_hcl() {
    let text = format!(
        "resource \"aws_lb_target_group\" \"t\" {{\n  stickiness {{\n    enabled = true\n    type = \"lb_cookie\"\n  }}\n  x = {}1{}\n}}\n",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    );
    deeply_nested("10k-deep HCL", "main.tf", text);
}

#[test]
fn yaml_billion_laughs() {
    let mut text = String::from(
        "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let refs = [prev.as_str(); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    text.push_str("spec:\n  sessionAffinity: ClientIP\n  bomb: *a9\n");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bomb.yaml"), text).expect("write");
    let (_, report) = check_json("YAML billion laughs", dir.path(), &[]);
    all_accounted("billion laughs", &report, &["bomb.yaml"]);
}

#[test]
fn compose_merge_key_chain() {
    let mut text = String::from(
        "x-base0: &b0\n  labels:\n    - \"traefik.http.services.web.loadbalancer.sticky.cookie=true\"\n",
    );
    for i in 1..2000usize {
        text.push_str(&format!(
            "x-base{i}: &b{i}\n  <<: [*b{}, *b{}]\n  k{i}: v\n",
            i - 1,
            i.saturating_sub(2)
        ));
    }
    text.push_str("services:\n  web:\n    <<: *b1999\n    image: shop\n");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("docker-compose.yml"), text).expect("write");
    let (_, report) = check_json("compose << merge-key chain", dir.path(), &[]);
    all_accounted("merge chain", &report, &["docker-compose.yml"]);
}

#[test]
fn minified_line_with_thousands_of_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("const s=require('express-session');");
    let mut n = 0;
    // Just under the default --max-file-size (1M).
    while text.len() < 1_000_000 {
        text.push_str(&format!("app.use(s({{secret:'k{n}'}}));"));
        n += 1;
    }
    std::fs::write(dir.path().join("app.js"), &text).expect("write");
    let (_, report) = check_json("1 MB minified line (JSON)", dir.path(), &[]);
    let findings = report["findings"].as_array().map_or(0, Vec::len);
    assert!(findings >= 1000, "{findings} findings of {n} constructs");
    let run = run_in(dir.path(), &["check", "--color", "never", "."]);
    bounded(
        "1 MB minified line (text)",
        &run,
        &format!("{} KiB of text", run.stdout.len() >> 10),
    );
    assert_eq!(run.code, Some(1));
    // Each finding may show a window of its line, not the whole megabyte line each time.
    let bound = findings * 2048 + (1 << 20);
    assert!(
        run.stdout.len() < bound,
        "text output of {} bytes for {findings} findings (bound {bound})",
        run.stdout.len()
    );
    let longest = run.stdout.split(|b| *b == b'\n').map(<[u8]>::len).max();
    assert!(
        longest.unwrap_or(0) < 4096,
        "a text line of {longest:?} bytes"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_with_follow() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::os::unix::fs::symlink("..", dir.path().join("sub/loop")).expect("symlink");
    std::os::unix::fs::symlink("self", dir.path().join("self")).expect("symlink");
    std::fs::write(dir.path().join("sub/app.js"), EXPRESS).expect("write");
    let (_, report) = check_json("symlink loops, -L", dir.path(), &["-L"]);
    assert!(finding_line(&report, "app.js", "SL101").is_some());
    let skipped = paths(&report, "skipped");
    assert!(
        skipped.iter().any(|p| p.contains("loop")),
        "the loop is reported as skipped: {skipped:?}"
    );
}

#[cfg(unix)]
#[test]
fn dangling_symlink_with_follow() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink("missing.js", dir.path().join("dangling.js")).expect("symlink");
    std::fs::write(dir.path().join("app.js"), EXPRESS).expect("write");
    let (_, report) = check_json("dangling symlink, -L", dir.path(), &["-L"]);
    assert!(finding_line(&report, "app.js", "SL101").is_some());
    let skipped = paths(&report, "skipped");
    assert!(
        skipped.iter().any(|p| p.contains("dangling.js")),
        "the dangling link is reported as skipped: {skipped:?}"
    );
}

/// How to run the binary as an unprivileged user, when this runs as root (file permissions do
/// not stop root); `None` when no such way works here.
#[cfg(unix)]
fn unprivileged() -> Option<Vec<&'static str>> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some(Vec::new());
    }
    let setpriv = vec![
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    let works = Command::new(setpriv[0])
        .args(&setpriv[1..])
        .arg("true")
        .status()
        .is_ok_and(|s| s.success());
    works.then_some(setpriv)
}

/// A temporary directory the unprivileged user can enter, with an express app in it.
#[cfg(unix)]
fn shared_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::write(dir.path().join("app.js"), EXPRESS).expect("write");
    dir
}

#[cfg(unix)]
fn unreadable(case: &str, make: fn(&Path) -> &'static str) {
    let Some(prefix) = unprivileged() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{case}: no way to drop root privileges (setpriv)"
        );
        eprintln!("skipping {case}: running as root and setpriv cannot drop privileges");
        return;
    };
    let dir = shared_dir();
    let name = make(dir.path());
    let run = run_as(dir.path(), &["check", "--format", "json", "."], &prefix);
    let report = if matches!(run.code, Some(0 | 1)) {
        run.json()
    } else {
        Value::Null
    };
    bounded(
        case,
        &run,
        &format!("{} skipped", paths(&report, "skipped").len()),
    );
    assert_eq!(finding_line(&report, "app.js", "SL101"), Some(2));
    let skipped = paths(&report, "skipped");
    assert!(
        skipped.iter().any(|p| p.contains(name)),
        "{name} is reported as skipped: {report:#}"
    );
    reasons_given(&report);
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    unreadable("unreadable file (as nobody)", |dir| {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("secret.js");
        std::fs::write(&path, EXPRESS).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        "secret.js"
    });
}

#[cfg(unix)]
#[test]
fn unreadable_directory() {
    unreadable("unreadable directory (as nobody)", |dir| {
        use std::os::unix::fs::PermissionsExt;
        let sub = dir.join("locked");
        std::fs::create_dir(&sub).expect("mkdir");
        std::fs::write(sub.join("app.js"), EXPRESS).expect("write");
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o000)).expect("chmod");
        "locked"
    });
}

#[cfg(unix)]
#[test]
fn fifo_named_like_source() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("pipe.js");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo");
    std::fs::write(dir.path().join("app.js"), EXPRESS).expect("write");
    let (_, report) = check_json("FIFO named pipe.js", dir.path(), &[]);
    assert!(finding_line(&report, "app.js", "SL101").is_some());
    let skipped = paths(&report, "skipped");
    assert!(
        skipped.iter().any(|p| p.contains("pipe.js")),
        "the FIFO is reported as skipped: {skipped:?}"
    );
}

/// Files with odd names, each an express app: each is reported (findings under a shown name).
fn odd_names(case: &str, names: &[PathBuf]) {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in names {
        std::fs::write(dir.path().join(name), EXPRESS).expect("write");
    }
    let (_, report) = check_json(case, dir.path(), &[]);
    // Each file has one finding: it is reported, or skipped with its reason.
    let reported = paths(&report, "findings").len() + paths(&report, "skipped").len();
    assert!(
        reported >= names.len(),
        "{case}: {} files, report: {report:#}",
        names.len()
    );
    // JSON carries the real name (escaped by JSON itself); the text format must not let a newline
    // in a name split a location line in two.
    let run = run_in(dir.path(), &["check", "--color", "never", "."]);
    assert_eq!(run.code, Some(expected_code(&report)), "{case}: text run");
    let text = String::from_utf8_lossy(&run.stdout);
    for name in names {
        let name = name.to_string_lossy();
        if let Some((_, tail)) = name.rsplit_once('\n') {
            assert!(
                !text.lines().any(|l| l.starts_with(tail)),
                "{case}: a raw newline in the location of {name:?}:\n{text}"
            );
        }
    }
}

#[test]
fn names_with_spaces_and_unicode() {
    odd_names(
        "names with spaces, unicode",
        &[
            PathBuf::from("my app.js"),
            PathBuf::from("приложение.js"),
            PathBuf::from("日本語 サーバ.js"),
            PathBuf::from("emoji-🚀.js"),
        ],
    );
}

#[cfg(unix)]
#[test]
fn name_with_a_newline() {
    odd_names("name with a newline", &[PathBuf::from("two\nlines.js")]);
}

#[cfg(unix)]
#[test]
fn name_with_non_utf8_bytes() {
    use std::os::unix::ffi::OsStrExt;
    odd_names(
        "name with non-UTF-8 bytes",
        &[PathBuf::from(std::ffi::OsStr::from_bytes(b"caf\xe9.js"))],
    );
}
