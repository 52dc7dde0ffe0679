//! End-to-end: input that must neither abort nor exhaust a run, nor vanish without a word —
//! resource limits from flags and config, huge one-line files in the text output, files that are
//! not regular or not UTF-8 named, line-end styles and encodings, and honest counts.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn scalelint() -> Command {
    let mut cmd = Command::cargo_bin("scalelint").expect("binary builds");
    cmd.env_remove("NO_COLOR").timeout(Duration::from_secs(60));
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, content).expect("write");
}

const SESSION_APP: &str = "const session = require('express-session');\nconst app = require('express')();\napp.use(session({ secret: process.env.S }));\n";

/// (path, reason) of a JSON list of notes.
fn notes(report: &Value, key: &str) -> Vec<(String, String)> {
    report[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {report}"))
        .iter()
        .map(|n| {
            (
                n["path"].as_str().unwrap_or_default().to_owned(),
                n["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// (rule, path, line, column, end line, end column) of every finding.
fn locations(report: &Value) -> Vec<(String, String, u64, u64, u64, u64)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let n = |k: &str| f[k].as_u64().expect("number");
            (
                f["rule"].as_str().expect("rule").to_owned(),
                f["path"].as_str().expect("path").to_owned(),
                n("line"),
                n("column"),
                n("end_line"),
                n("end_column"),
            )
        })
        .collect()
}

// 1. Resource limits.

#[test]
fn out_of_range_jobs_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp");
    write(dir.path(), "app.js", SESSION_APP);
    for jobs in [
        "0",
        "513",
        "100000",
        "4294967295",
        "18446744073709551615",
        "x",
    ] {
        let started = Instant::now();
        let out = scalelint()
            .current_dir(dir.path())
            .args(["check", "-j", jobs])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "-j {jobs}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("1 and 512"), "-j {jobs}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(10), "-j {jobs}");
    }
    for jobs in ["1", "512"] {
        scalelint()
            .current_dir(dir.path())
            .args(["check", "-j", jobs])
            .assert()
            .code(1);
    }
}

#[cfg(unix)]
#[test]
fn a_config_that_is_not_a_small_regular_file_is_an_error() {
    let dir = tempfile::tempdir().expect("temp");
    write(dir.path(), "app.js", SESSION_APP);
    let mut big = String::from("exclude = [\n");
    while big.len() <= 1024 * 1024 {
        big.push_str("  \"legacy/**\",\n");
    }
    big.push_str("]\n");
    write(dir.path(), "big.toml", big);
    for (config, says) in [
        (".", "not a regular file (directory)"),
        ("/dev/zero", "not a regular file (character device)"),
        ("big.toml", "larger than 1048576 bytes"),
    ] {
        let started = Instant::now();
        let out = scalelint()
            .current_dir(dir.path())
            .args(["check", "--config", config])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "--config {config}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("config file {config}")) || stderr.contains(config),
            "{stderr}"
        );
        assert!(stderr.contains(says), "--config {config}: {stderr}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

// 2. The text output stays bounded on a huge one-line file.

#[test]
fn a_huge_minified_line_with_thousands_of_findings_prints_a_bounded_report() {
    let dir = tempfile::tempdir().expect("temp");
    let mut line = String::from("const session=require('express-session');");
    while line.len() < 1_000_000 {
        line.push_str("app.use(session({secret:'s'}));");
    }
    let triggers = line.matches("app.use(").count();
    write(dir.path(), "bundle.js", &line);

    const LIMIT: usize = 2 * 1024 * 1024;
    let started = Instant::now();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("scalelint"))
        .current_dir(dir.path())
        .args(["check", "--max-file-size", "2M", "bundle.js"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    // Read at most LIMIT + 1 bytes: the unbounded output would be gigabytes.
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .take(LIMIT as u64 + 1)
        .read_to_end(&mut out)
        .expect("read");
    let _ = child.kill();
    let status = child.wait().expect("waits");
    let elapsed = started.elapsed();
    assert!(out.len() <= LIMIT, "{} bytes of output", out.len());
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    assert_eq!(status.code(), Some(1));

    let text = String::from_utf8(out).expect("UTF-8");
    assert!(
        text.contains(&format!("Found {triggers} findings")),
        "{}",
        &text[text.len().saturating_sub(2000)..]
    );
    assert!(text.contains(&format!(
        "note: {} more findings on bundle.js:1 not shown",
        triggers - 3
    )));
    // The snippets that are shown are windows with correct columns in their headers.
    assert!(text.contains("┌─ bundle.js:1:50\n"), "{}", &text[..2000]);
    assert!(text.contains("┌─ bundle.js:1:81\n"));
    assert!(text.contains('…'));
    assert!(text.lines().all(|l| l.chars().count() < 400), "a long line");
}

#[test]
fn findings_on_ordinary_lines_of_a_file_with_a_long_line_are_shown_whole() {
    let dir = tempfile::tempdir().expect("temp");
    let long = format!(
        "const session = require('express-session'); /* {} */ app.use(session({{ secret: 's' }}));\napp.use(session({{ secret: 't' }}));\n",
        "x".repeat(500)
    );
    write(dir.path(), "app.js", &long);
    let out = scalelint()
        .current_dir(dir.path())
        .args(["check", "app.js"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    // Line 1: a window (the column counts the whole line); line 2: the whole line.
    assert!(text.contains("┌─ app.js:1:560\n"), "{text}");
    let window = format!(
        "1 │ …{} */ app.use(session({{ secret: 's' }}));\n",
        "x".repeat(48)
    );
    assert!(text.contains(&window), "{text}");
    assert!(
        text.contains("2 │ app.use(session({ secret: 't' }));\n"),
        "{text}"
    );
    assert!(!text.contains("more finding"), "{text}");
}

// 3. Files that are not regular, of no known kind, or not UTF-8 named are reported.

#[cfg(unix)]
#[test]
fn fifos_devices_and_unknown_kinds_named_explicitly_are_reported_not_opened() {
    let dir = tempfile::tempdir().expect("temp");
    let d = dir.path();
    write(d, "app.js", SESSION_APP);
    write(d, "notes.txt", "app.use(session())\n");
    let fifo = d.join("pipe.js");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());

    for (arg, path, reason) in [
        ("pipe.js", "pipe.js", "not a regular file (FIFO)"),
        ("/dev/zero", "zero", "not a regular file (character device)"),
        ("notes.txt", "notes.txt", "not a file kind scalelint reads"),
    ] {
        let report = json(
            scalelint()
                .current_dir(d)
                .args(["check", "--format", "json", arg, "app.js"]),
        );
        assert_eq!(
            notes(&report, "skipped"),
            [(path.to_owned(), reason.to_owned())],
            "{arg}"
        );
        assert_eq!(report["summary"]["files_skipped"], 1);
        assert_eq!(report["summary"]["files_scanned"], 1);
    }
    // Inside a directory, a FIFO named like a source file is reported too (and never opened:
    // opening it would block the run).
    let report = json(
        scalelint()
            .current_dir(d)
            .args(["check", "--format", "json"]),
    );
    assert_eq!(
        notes(&report, "skipped"),
        [("pipe.js".to_owned(), "not a regular file (FIFO)".to_owned())]
    );
}

#[cfg(unix)]
#[test]
fn a_file_whose_name_is_not_utf8_is_analysed_and_shown_lossily() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = tempfile::tempdir().expect("temp");
    let name = std::ffi::OsStr::from_bytes(b"caf\xE9.js");
    let path: PathBuf = dir.path().join(name);
    std::fs::write(&path, SESSION_APP).expect("write");
    let lossy = "caf\u{FFFD}.js";

    let walked = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json"]),
    );
    let explicit = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json"])
            .arg(name),
    );
    for report in [walked, explicit] {
        let found = locations(&report);
        assert_eq!(found.len(), 1, "{report}");
        assert_eq!(found[0].1, lossy);
        assert_eq!(report["summary"]["files_scanned"], 1);
    }
}

// 4. Lone CR (and CRLF) line ends: same findings at the same places as LF.

/// Copies `from` to `to`, rewriting the line ends of every file scalelint analyses.
fn copy_with_line_ends(from: &Path, to: &Path, line_end: &str) {
    for entry in std::fs::read_dir(from).expect("readable") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_with_line_ends(&path, &target, line_end);
        } else {
            let bytes = std::fs::read(&path).expect("read");
            // The config is TOML, whose grammar has no lone-CR line end: kept as it is.
            let keep = path.file_name().is_some_and(|n| n == "scalelint.toml");
            let text = String::from_utf8(bytes.clone()).ok().filter(|_| !keep);
            match text {
                Some(text) => std::fs::write(&target, text.replace('\n', line_end)),
                None => std::fs::write(&target, bytes),
            }
            .expect("write");
        }
    }
}

#[test]
fn lone_cr_and_crlf_line_ends_give_the_same_findings_as_lf() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let run = |line_end: &str| {
        let dir = tempfile::tempdir().expect("temp");
        copy_with_line_ends(&fixtures, dir.path(), line_end);
        let report = json(scalelint().current_dir(dir.path()).args([
            "check",
            "--format",
            "json",
            "--include-tests",
        ]));
        (
            locations(&report),
            notes(&report, "skipped"),
            notes(&report, "partially_parsed"),
        )
    };
    let lf = run("\n");
    // Every family the own line-based parsers and the tree parsers read has findings to compare.
    for suffix in [
        ".js",
        ".ts",
        ".py",
        ".rs",
        ".yaml",
        ".json",
        ".bicep",
        ".tf",
        "haproxy.cfg",
        ".conf",
    ] {
        assert!(
            lf.0.iter().any(|f| f.1.ends_with(suffix)),
            "no {suffix} finding in the fixtures"
        );
    }
    let cr = run("\r");
    assert_eq!(cr.0, lf.0, "lone CR");
    assert_eq!((&cr.1, &cr.2), (&lf.1, &lf.2), "lone CR notes");
    let crlf = run("\r\n");
    assert_eq!(crlf.0, lf.0, "CRLF");
    assert_eq!((&crlf.1, &crlf.2), (&lf.1, &lf.2), "CRLF notes");
}

// 5. Encodings.

#[test]
fn utf16_latin1_and_bom_files_are_analysed_at_the_right_places() {
    let dir = tempfile::tempdir().expect("temp");
    let d = dir.path();
    // A comment with an "é" before the finding, so columns after it count characters.
    let app = format!("// café\n{SESSION_APP}const x = 1; app.use(session({{ secret: 'é' }}));\n");
    write(d, "plain.js", &app);
    write(
        d,
        "bom8.js",
        [&b"\xEF\xBB\xBF"[..], app.as_bytes()].concat(),
    );
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(app.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(app.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    write(d, "le.js", le);
    write(d, "be.js", be);
    let latin1: Vec<u8> = app
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("Latin-1"))
        .collect();
    write(d, "latin1.js", latin1);

    let report = json(
        scalelint()
            .current_dir(d)
            .args(["check", "--format", "json"]),
    );
    let found = locations(&report);
    let at = |path: &str| -> Vec<(String, u64, u64, u64, u64)> {
        found
            .iter()
            .filter(|f| f.1 == path)
            .map(|f| (f.0.clone(), f.2, f.3, f.4, f.5))
            .collect()
    };
    let plain = at("plain.js");
    assert_eq!(plain.len(), 2, "{found:?}");
    assert_eq!((plain[1].1, plain[1].2), (5, 22));
    for path in ["bom8.js", "le.js", "be.js", "latin1.js"] {
        assert_eq!(at(path), plain, "{path}");
    }
    assert!(notes(&report, "skipped").is_empty(), "{report}");
    let partial = notes(&report, "partially_parsed");
    let expect = [
        ("be.js", "decoded as UTF-16BE".to_owned()),
        (
            "latin1.js",
            format!(
                "not valid UTF-8 at byte {}: decoded as windows-1252",
                "// caf".len()
            ),
        ),
        ("le.js", "decoded as UTF-16LE".to_owned()),
    ];
    let expect: Vec<(String, String)> =
        expect.into_iter().map(|(p, r)| (p.to_owned(), r)).collect();
    assert_eq!(partial, expect);
    assert_eq!(report["summary"]["files_scanned"], 5);
}

// 6. Honest counts and messages.

#[test]
fn a_file_reached_twice_is_scanned_and_counted_once() {
    let dir = tempfile::tempdir().expect("temp");
    write(dir.path(), "src/a.js", SESSION_APP);
    write(dir.path(), "src/b.js", SESSION_APP);
    for args in [
        &["src/a.js", "src/a.js"][..],
        &["src", "src/a.js"],
        &["src/a.js", "src", "./src"],
    ] {
        let report = json(
            scalelint()
                .current_dir(dir.path())
                .args(["check", "--format", "json"])
                .args(args),
        );
        let expect = if args.contains(&"src") { 2 } else { 1 };
        assert_eq!(report["summary"]["files_scanned"], expect, "{args:?}");
        assert_eq!(report["summary"]["findings"], expect, "{args:?}");
    }
}

#[test]
fn a_missing_config_says_its_os_error_once() {
    let out = scalelint()
        .args(["check", "--config", "/nope/scalelint.toml", "."])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nope/scalelint.toml"), "{stderr}");
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn notes_agree_in_number() {
    let dir = tempfile::tempdir().expect("temp");
    write(dir.path(), "binary.js", b"express-session\0\x01");
    write(
        dir.path(),
        "app.js",
        "const session = require('express-session');\n// scalelint: ignore[SL999]\napp.use(session({ secret: 's' }));\n",
    );
    let out = scalelint()
        .current_dir(dir.path())
        .args(["check"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("note: 1 skipped file:\n"), "{text}");
    assert!(text.contains("note: 1 suppression directive:\n"), "{text}");
    assert!(text.contains("(1 file scanned, 1 skipped)"), "{text}");
}
