//! SARIF output reads into the typed SARIF 2.1.0 model of `serde-sarif` (generated from the
//! official schema; always on), validates against the official schema file and passes the checks
//! GitHub code scanning applies on upload (both from ../shared/: required under CI, skipped with a
//! note elsewhere).

// Skip notes and progress lines go to the test log, where `--nocapture` shows them.
#![allow(clippy::print_stderr)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// A file from `../shared/`, which only this project's own machines have beside the clone.
/// Under CI (`CI` set) it is required; elsewhere a test that needs it says why it is skipped.
fn shared_file(rel: &str, test: &str) -> Option<PathBuf> {
    let path = shared().join(rel);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI requires ../shared/ beside the clone",
        path.display()
    );
    eprintln!(
        "skipping {test}: {} not found (../shared/ is not beside this clone; set CI=1 to require it)",
        path.display()
    );
    None
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
    let Some(schema_path) = shared_file(
        "sarif-schema-2.1.0.json",
        "sarif_validates_against_the_official_schema",
    ) else {
        return;
    };
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
    // An explicit opt-out, even under CI: GitHub's runners have the schema but not this script.
    if std::env::var_os("SCALELINT_NO_GITHUB_CHECK").is_some() {
        eprintln!("skipping the GitHub upload checks: SCALELINT_NO_GITHUB_CHECK is set");
        return;
    }
    let Some(script) = shared_file(
        "tools/sarif-github-check.py",
        "sarif_passes_github_code_scanning_upload_checks",
    ) else {
        return;
    };
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

/// Reads a SARIF log into `serde-sarif`'s typed model (generated from the official 2.1.0
/// schema): every required property present, every property of its schema type.
fn typed(log: &str) -> Result<serde_sarif::sarif::Sarif, serde_json::Error> {
    serde_json::from_str(log)
}

#[test]
fn sarif_reads_into_the_typed_sarif_model() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(sarif_log(dir.path())).expect("read");
    let log = typed(&text).unwrap_or_else(|e| panic!("not a SARIF 2.1.0 log: {e}"));
    // The model keeps `version` as free JSON: its one allowed value is checked here.
    assert_eq!(log.version, "2.1.0");
    assert_eq!(log.runs.len(), 1);
    let run = &log.runs[0];
    assert_eq!(run.tool.driver.name, "scalelint");
    let rules = run.tool.driver.rules.as_deref().unwrap_or_default();
    assert!(!rules.is_empty(), "the driver lists its rules");
    let results = run.results.as_deref().unwrap_or_default();
    assert!(results.len() >= 10, "{} results", results.len());
    for result in results {
        assert!(result.level.is_some(), "every result states its level");
        assert!(
            result
                .message
                .text
                .as_deref()
                .is_some_and(|t| !t.is_empty())
        );
        let region = result
            .locations
            .as_deref()
            .and_then(|l| l.first())
            .and_then(|l| l.physical_location.as_ref())
            .and_then(|p| p.region.as_ref())
            .expect("a region");
        assert!(region.start_line.is_some_and(|l| l >= 1), "{region:?}");
    }
    let invocation = &run.invocations.as_deref().unwrap_or_default()[0];
    assert!(
        invocation
            .tool_execution_notifications
            .as_deref()
            .is_some_and(|n| !n.is_empty())
    );
}

#[test]
fn the_typed_sarif_model_rejects_broken_logs() {
    let valid = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"message": {"text": "m"},
        "locations": [{"physicalLocation": {"region": {"startLine": 1}}}]}]}]}"#;
    assert!(typed(valid).is_ok(), "{:?}", typed(valid).err());
    let broken = [
        ("no runs", valid.replace(r#""runs""#, r#""rnus""#)),
        ("no version", valid.replace(r#""version""#, r#""versoin""#)),
        (
            "a run without its tool",
            valid.replace(r#""tool""#, r#""tol""#),
        ),
        (
            "a tool without its driver",
            valid.replace(r#""driver""#, r#""drvier""#),
        ),
        (
            "a driver without its name",
            valid.replace(r#""name""#, r#""nmae""#),
        ),
        (
            "a result without its message",
            valid.replace(r#""message""#, r#""msg""#),
        ),
        (
            "a line number as text",
            valid.replace(r#""startLine": 1"#, r#""startLine": "1""#),
        ),
        (
            "results as a number",
            valid.replace(r#""results": ["#, r#""results": 7, "other": ["#),
        ),
    ];
    for (what, log) in broken {
        assert_ne!(log, valid, "{what}: the mutation applied");
        assert!(typed(&log).is_err(), "{what} was accepted: {log}");
    }
}
