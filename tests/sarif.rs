//! SARIF output validates against the official SARIF 2.1.0 schema (from ../shared/) and passes
//! the checks GitHub code scanning applies on upload.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// A SARIF log with findings, skipped files and a partial parse.
fn sarif_log(dir: &Path) -> PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    std::fs::write(dir.join("binary.js"), b"express-session\0\x01\x02").expect("write");
    std::fs::write(
        dir.join("broken.js"),
        "const session = require('express-session');\napp.use(session({ secret: 's' }));\nfunction (\n",
    )
    .expect("write");
    let out = dir.join("out.sarif");
    Command::cargo_bin("scalelint")
        .expect("binary")
        .arg("check")
        .arg(&fixtures)
        .arg(dir)
        .args(["--format", "sarif", "--output"])
        .arg(&out)
        .assert()
        .code(1);
    out
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema_path = shared().join("sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).unwrap_or_else(|e| {
            panic!("the SARIF schema must be at {}: {e}", schema_path.display())
        }))
        .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");

    let dir = tempfile::tempdir().expect("temp dir");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sarif_log(dir.path())).expect("read"))
            .expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");

    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().expect("results");
    assert!(results.len() >= 10, "{} results", results.len());
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert!(notifications.iter().any(|n| {
        n["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("binary.js") && t.contains("binary"))
    }));
    assert!(notifications.iter().any(|n| {
        n["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("broken.js") && t.contains("syntax"))
    }));
    for result in results {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(!uri.starts_with('/') && !uri.contains('\\'), "{uri}");
        let rule_index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            run["tool"]["driver"]["rules"][rule_index]["id"],
            result["ruleId"]
        );
    }
}

#[test]
fn sarif_passes_github_code_scanning_upload_checks() {
    // The check script lives in ../shared/, which only this project's own machines have.
    if std::env::var_os("SCALELINT_NO_GITHUB_CHECK").is_some() {
        return;
    }
    let script = shared().join("tools/sarif-github-check.py");
    assert!(script.is_file(), "{} is missing", script.display());
    let dir = tempfile::tempdir().expect("temp dir");
    let log = sarif_log(dir.path());
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(&log)
        .output()
        .expect("python3 runs the GitHub check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains(" 0 error(s)"), "{stdout}");
    // The only accepted warning: the line hash that upload-sarif computes itself.
    for line in stdout.lines().filter(|l| l.contains("warning:")) {
        assert!(line.contains("primaryLocationLineHash"), "{line}");
    }
}

#[test]
fn fingerprints_survive_unrelated_lines_moving() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = "const session = require('express-session');\napp.use(session({ secret: 's' }));\n";
    let fingerprint = |text: &str| {
        std::fs::write(dir.path().join("app.js"), text).expect("write");
        let out = Command::cargo_bin("scalelint")
            .expect("binary")
            .current_dir(dir.path())
            .args(["check", "--format", "sarif"])
            .output()
            .expect("runs");
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let result = &log["runs"][0]["results"][0];
        (
            result["partialFingerprints"]["scalelint/v1"]
                .as_str()
                .expect("fingerprint")
                .to_owned(),
            result["locations"][0]["physicalLocation"]["region"]["startLine"].clone(),
        )
    };
    let (before, line_before) = fingerprint(app);
    let (after, line_after) = fingerprint(&format!("// a new header\n\n{app}"));
    assert_ne!(line_before, line_after, "the finding moved");
    assert_eq!(before, after, "the fingerprint did not");
    let (renamed, _) = fingerprint(&app.replace("app.use(session(", "app.use(session.default("));
    assert_ne!(
        before, renamed,
        "a different construct has a different fingerprint"
    );
}
