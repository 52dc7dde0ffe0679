//! Output is byte-for-byte the same whatever the thread count, from run to run, and wherever the
//! scanned tree sits on disk: every format, on every fixture app at once.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const FORMATS: &[&str] = &["text", "json", "sarif", "github"];

/// The bytes scalelint writes for `fixtures` (relative to `cwd`) in `format` with `jobs` threads.
fn run(cwd: &Path, format: &str, jobs: &str) -> Vec<u8> {
    let out = Command::cargo_bin("scalelint")
        .expect("binary builds")
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .args(["check", "fixtures", "--color", "never", "--exit-zero"])
        .args(["--format", format, "--jobs", jobs])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{format} -j{jobs}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.is_empty(), "{format} -j{jobs} wrote nothing");
    out.stdout
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let around = |s: &[u8]| {
        String::from_utf8_lossy(&s[at.saturating_sub(80)..(at + 80).min(s.len())]).into_owned()
    };
    format!(
        "first difference at byte {at}:\n{}\n---\n{}",
        around(a),
        around(b)
    )
}

#[test]
fn every_format_is_byte_identical_across_jobs_runs_and_locations() {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let moved = elsewhere.path().join("deeper").join("checkout");
    copy_tree(&here.join("fixtures"), &moved.join("fixtures"));

    for format in FORMATS {
        let reference = run(&here, format, "1");
        let findings = String::from_utf8_lossy(&reference).matches("SL").count();
        assert!(findings >= 20, "{format}: only {findings} rule mentions");
        for (cwd, jobs) in [
            (&here, "2"),
            (&here, "8"),
            (&here, "8"),
            (&moved, "1"),
            (&moved, "8"),
        ] {
            let again = run(cwd, format, jobs);
            assert!(
                again == reference,
                "{format} -j{jobs} in {}: {}",
                cwd.display(),
                first_difference(&reference, &again)
            );
        }
    }
}
