//! End-to-end: the binary's exit codes, formats, options, config errors and bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn scalelint() -> Command {
    let mut cmd = Command::cargo_bin("scalelint").expect("binary builds");
    cmd.env_remove("NO_COLOR");
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// One field of every finding of a JSON report.
fn field_of(report: &Value, key: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f[key].as_str().expect("string field").to_owned())
        .collect()
}

fn rules_of(report: &Value) -> Vec<String> {
    field_of(report, "rule")
}

fn paths_of(report: &Value) -> Vec<String> {
    field_of(report, "path")
}

const SESSION_APP: &str = "const session = require('express-session');\nconst app = require('express')();\napp.use(session({ secret: process.env.S }));\n";

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

#[test]
fn exit_codes_follow_findings() {
    scalelint()
        .args(["check", "fixtures/sample-app"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("warning[SL101]"))
        .stdout(predicate::str::contains(
            "Found 3 findings (3 warnings) in 3 files (5 files scanned, 0 skipped).",
        ));
    scalelint()
        .args(["check", "fixtures/js/express-redis-session"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No findings"));
    scalelint()
        .args(["check", "fixtures/sample-app", "--exit-zero"])
        .assert()
        .code(0);
    scalelint()
        .args(["check", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("path does not exist"));
    scalelint().args(["check", "--bogus"]).assert().code(2);
    scalelint().assert().code(2);
}

#[test]
fn json_output_is_the_documented_contract() {
    let report = json(scalelint().args(["check", "fixtures/sample-app", "--format", "json"]));
    let keys = [
        "rule",
        "name",
        "category",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "help",
        "suppress",
        "detector",
        "fingerprint",
    ];
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 3);
    for f in findings {
        let mut got: Vec<&str> = f
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        got.sort_unstable();
        let mut want = keys.to_vec();
        want.sort_unstable();
        assert_eq!(got, want);
    }
    assert_eq!(findings[0]["path"], "fixtures/sample-app/api/src/app.js");
    assert_eq!(findings[0]["line"], 9);
    assert_eq!(findings[0]["column"], 3);
    assert_eq!(findings[0]["end_column"], 10);
    assert_eq!(findings[0]["category"], "session");
    assert_eq!(findings[0]["detector"], "js/sessions");
    assert_eq!(
        findings[0]["suppress"],
        "// scalelint: ignore[SL101] <reason>"
    );
    assert_eq!(report["summary"]["findings"], 3);
    assert_eq!(report["summary"]["files_scanned"], 5);
    assert_eq!(report["skipped"], Value::Array(vec![]));
    assert_eq!(report["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn output_file_selection_and_github_format() {
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("report.json");
    scalelint()
        .args([
            "check",
            "fixtures/sample-app",
            "--format",
            "json",
            "--output",
        ])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    assert_eq!(rules_of(&report), ["SL101", "SL101", "SL402"]);

    let rules_with = |extra: &[&str]| {
        rules_of(&json(
            scalelint()
                .args(["check", "fixtures/sample-app", "--format", "json"])
                .args(extra),
        ))
    };
    assert_eq!(rules_with(&["--select", "sticky"]), ["SL402"]);
    assert_eq!(rules_with(&["--ignore", "memory-session-store"]), ["SL402"]);
    assert_eq!(
        rules_with(&["--select", "SL101,SL402", "--ignore", "SL402"]),
        ["SL101", "SL101"]
    );
    assert_eq!(
        rules_with(&["--select", "SL101", "--select", "client-ip-affinity"]),
        ["SL101", "SL101", "SL402"]
    );
    scalelint()
        .args(["check", "fixtures/sample-app", "--select", "SL999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule selector `SL999`"));

    scalelint()
        .args(["check", "fixtures/sample-app/deploy", "--format", "github"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "::warning file=fixtures/sample-app/deploy/nginx.conf,line=6,col=9,endLine=6,endColumn=17,title=SL402 client-ip-affinity::upstream `api` uses `ip_hash`",
        ));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let has_ansi = |cmd: &mut Command| {
        let out = cmd.output().expect("runs");
        String::from_utf8_lossy(&out.stdout).contains("\u{1b}[")
    };
    // Not a terminal: no colour by default.
    assert!(!has_ansi(
        scalelint().args(["check", "fixtures/sample-app"])
    ));
    assert!(has_ansi(scalelint().args([
        "check",
        "fixtures/sample-app",
        "--color",
        "always"
    ])));
    assert!(!has_ansi(scalelint().args([
        "check",
        "fixtures/sample-app",
        "--color",
        "never"
    ])));
    assert!(!has_ansi(scalelint().env("NO_COLOR", "1").args([
        "check",
        "fixtures/sample-app",
        "--color",
        "auto"
    ])));
}

#[test]
fn rules_and_explain() {
    scalelint()
        .arg("rules")
        .assert()
        .success()
        .stdout(predicate::str::contains("SL101  memory-session-store"))
        .stdout(predicate::str::contains("js/sessions"))
        .stdout(predicate::str::contains(
            "SL302  orm-local-second-level-cache",
        ));
    let list = json(scalelint().args(["rules", "--format", "json"]));
    assert_eq!(
        list.as_array().expect("array").len(),
        scalelint::rules::RULES.len()
    );
    assert_eq!(list[0]["id"], "SL101");
    scalelint()
        .args(["explain", "client-ip-affinity"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("# SL402 client-ip-affinity"));
    scalelint()
        .args(["explain", "SL000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `SL000`"));
}

#[test]
fn config_file_selects_excludes_and_sets_severity() {
    let dir = tempfile::tempdir().expect("temp");
    write(dir.path(), "app.js", SESSION_APP);
    write(dir.path(), "legacy/old.js", SESSION_APP);
    write(
        dir.path(),
        "nginx.conf",
        "upstream a { ip_hash; server x:1; }\n",
    );
    write(
        dir.path(),
        "scalelint.toml",
        "ignore = [\"SL402\"]\nexclude = [\"legacy/**\"]\n[severity]\nmemory-session-store = \"error\"\n",
    );
    let report = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json"]),
    );
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["path"], "app.js");
    assert_eq!(findings[0]["severity"], "error");

    // The CLI's --select replaces the config's selection; its --ignore adds to it.
    let report = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json", "--select", "SL402"]),
    );
    assert_eq!(rules_of(&report), Vec::<String>::new());
}

#[test]
fn config_errors_exit_2_and_say_what_and_where() {
    let dir = tempfile::tempdir().expect("temp");
    write(dir.path(), "app.js", SESSION_APP);
    for (content, needle) in [
        ("selct = [\"SL101\"]\n", "unknown field `selct`"),
        ("select = [\"SL101\"\n", "invalid config file"),
        ("select = [\"not-a-rule\"]\n", "not-a-rule"),
        ("[severity]\nSL101 = \"fatal\"\n", "fatal"),
        ("max-file-size = \"huge\"\n", "huge"),
        ("exclude = [\"a/[\"]\n", "invalid exclude glob"),
    ] {
        write(dir.path(), "scalelint.toml", content);
        scalelint()
            .current_dir(dir.path())
            .arg("check")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle))
            .stderr(
                predicate::str::contains("scalelint.toml").or(predicate::str::contains("glob")),
            );
    }
    scalelint()
        .args([
            "check",
            "fixtures/sample-app",
            "--config",
            "no/such/scalelint.toml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read config file"));
    scalelint()
        .args(["check", "fixtures/sample-app", "--max-file-size", "lots"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid size `lots`"));
}

#[test]
fn bad_input_is_skipped_and_reported_never_fatal() {
    let dir = tempfile::tempdir().expect("temp");
    let d = dir.path();
    write(d, "app.js", SESSION_APP);
    write(d, "binary.js", b"express-session\0\x00\x01garbage");
    let mut invalid = b"const session = require('express-session');\n// caf".to_vec();
    invalid.extend([0xe9, 0xff, b'\n']);
    write(d, "latin1.js", invalid);
    write(
        d,
        "big.js",
        format!("{SESSION_APP}{}", "// padding\n".repeat(200)),
    );
    write(
        d,
        "broken.rs",
        "use tower_sessions::MemoryStore;\nfn main( {\n",
    );
    write(d, "partial.js", format!("{SESSION_APP}function (\n"));
    write(d, "empty.js", "");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d, d.join("loop")).expect("symlink");
        std::os::unix::fs::symlink(d.join("gone.js"), d.join("dangling.js")).expect("symlink");
    }
    let report = json(scalelint().current_dir(d).args([
        "check",
        "--format",
        "json",
        "--max-file-size",
        "1K",
        "--follow",
    ]));
    let skipped: Vec<(String, String)> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().expect("path").to_owned(),
                s["reason"].as_str().expect("reason").to_owned(),
            )
        })
        .collect();
    let reason = |path: &str| {
        skipped
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("{path} not skipped: {skipped:?}"))
    };
    assert_eq!(reason("binary.js"), "binary file");
    // Not UTF-8 is no reason to skip: the file is decoded as windows-1252 (below).
    assert!(skipped.iter().all(|(p, _)| p != "latin1.js"), "{skipped:?}");
    assert!(reason("big.js").starts_with("larger than max-file-size"));
    assert!(reason("broken.rs").starts_with("syntax error"));
    #[cfg(unix)]
    {
        assert!(reason("loop").contains("loop"), "{skipped:?}");
        assert!(
            skipped.iter().any(|(p, _)| p.contains("dangling.js")),
            "{skipped:?}"
        );
    }
    // The app and the partially parsed file are still analysed.
    assert_eq!(paths_of(&report), ["app.js", "partial.js"]);
    let partial = report["partially_parsed"].as_array().expect("partial");
    assert_eq!(partial.len(), 2);
    assert_eq!(partial[0]["path"], "latin1.js");
    assert_eq!(
        partial[0]["reason"],
        "not valid UTF-8 at byte 50: decoded as windows-1252"
    );
    assert_eq!(partial[1]["path"], "partial.js");
    assert_eq!(report["summary"]["files_skipped"], skipped.len());

    // The text format says so too.
    scalelint()
        .current_dir(d)
        .args(["check", "--max-file-size", "1K"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("skipped files:"))
        .stdout(predicate::str::contains("binary.js: binary file"));
}

#[test]
fn gitignore_is_honoured_unless_no_ignore() {
    let dir = tempfile::tempdir().expect("temp");
    write(dir.path(), ".gitignore", "generated/\n");
    write(dir.path(), "generated/app.js", SESSION_APP);
    write(dir.path(), "node_modules/pkg/index.js", SESSION_APP);
    scalelint()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(0);
    let report = json(scalelint().current_dir(dir.path()).args([
        "check",
        "--no-ignore",
        "--format",
        "json",
    ]));
    assert_eq!(
        paths_of(&report),
        ["generated/app.js"],
        "node_modules stays excluded"
    );
}

#[test]
fn inline_suppressions_in_each_comment_syntax() {
    let dir = tempfile::tempdir().expect("temp");
    write(
        dir.path(),
        "app.js",
        "const session = require('express-session');\n// scalelint: ignore[SL101] admin tool, one instance by design\napp.use(session({ secret: 's' }));\napp.use(session({ secret: 't' })); // scalelint: ignore[memory-session-store]\napp.use(session({ secret: 'u' }));\n",
    );
    write(
        dir.path(),
        "nginx.conf",
        "upstream a {\n  # scalelint: ignore[SL402] warm per-user cache\n  ip_hash;\n}\nupstream b {\n  ip_hash; # scalelint: ignore[SL401]\n}\n",
    );
    write(
        dir.path(),
        "main.rs",
        "// scalelint: ignore-file[SL101]\nuse tower_sessions::MemoryStore;\nfn main() { let _s = MemoryStore::default(); }\n",
    );
    let report = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json"]),
    );
    let found: Vec<(String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("p").to_owned(),
                f["line"].as_u64().expect("l"),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("app.js".to_owned(), 5), ("nginx.conf".to_owned(), 6)]
    );
    let directives = report["directives"].as_array().expect("directives");
    assert_eq!(directives.len(), 1, "{directives:?}");
    assert_eq!(directives[0]["path"], "nginx.conf");
    assert_eq!(directives[0]["line"], 6);
    assert!(
        directives[0]["reason"]
            .as_str()
            .expect("reason")
            .contains("unused suppression")
    );
}

#[test]
fn test_code_is_left_out_unless_asked_for() {
    let dir = tempfile::tempdir().expect("temp");
    write(dir.path(), "src/app.js", SESSION_APP);
    write(dir.path(), "tests/app.test.js", SESSION_APP);
    write(dir.path(), "src/session.spec.ts", SESSION_APP);
    write(dir.path(), "examples/demo.js", SESSION_APP);
    let report = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json"]),
    );
    assert_eq!(paths_of(&report), ["src/app.js"]);
    assert_eq!(report["summary"]["test_files_not_analysed"], 3);
    let report = json(scalelint().current_dir(dir.path()).args([
        "check",
        "--format",
        "json",
        "--include-tests",
    ]));
    assert_eq!(
        paths_of(&report),
        [
            "examples/demo.js",
            "src/app.js",
            "src/session.spec.ts",
            "tests/app.test.js"
        ]
    );
    // The directory that is scanned does not count: only paths below it.
    let report = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json", "tests"]),
    );
    assert_eq!(
        paths_of(&report),
        Vec::<String>::new(),
        "tests/app.test.js is a test by name"
    );
    write(dir.path(), "tests/server.js", SESSION_APP);
    let report = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json", "tests"]),
    );
    assert_eq!(paths_of(&report), ["tests/server.js"]);
    scalelint()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "4 test files not analysed (--include-tests)",
        ));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = tempfile::tempdir().expect("temp");
    // Enough findings to overflow any pipe buffer.
    let mut app = String::from("const session = require('express-session');\n");
    for i in 0..3000 {
        app.push_str(&format!("app.use(session({{ secret: 's{i}' }}));\n"));
    }
    write(dir.path(), "app.js", app);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("scalelint"))
        .current_dir(dir.path())
        .args(["check", "--max-file-size", "10M"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut first = [0u8; 16];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("reads the start of the report");
    // The reading end is closed here, mid-report.
    let output = child.wait_with_output().expect("exits");
    assert_eq!(&first[..8], b"warning[");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn timings_go_to_stderr_and_leave_the_report_intact() {
    let out = scalelint()
        .args([
            "check",
            "fixtures/sample-app",
            "--format",
            "json",
            "--timings",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is still JSON");
    assert_eq!(rules_of(&report).len(), 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("timings: "), "{stderr}");
    // Every file scanned was read and prefiltered; at least the three with findings were parsed.
    let files = |phase: &str| -> Vec<usize> {
        stderr
            .lines()
            .filter(|l| l.trim_start().starts_with(phase))
            .map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                cols[cols.len() - 2].parse().expect("a file count")
            })
            .collect()
    };
    let scanned = report["summary"]["files_scanned"].as_u64().expect("count") as usize;
    assert_eq!(files("read"), [scanned]);
    assert_eq!(files("prefilter"), [scanned]);
    let parsed: usize = files("parse ").iter().sum();
    assert!((3..=scanned).contains(&parsed), "{stderr}");
    assert!(
        stderr.contains("detector nginx/upstream-affinity"),
        "{stderr}"
    );
    // Without the flag, nothing on stderr.
    scalelint()
        .args(["check", "fixtures/sample-app"])
        .assert()
        .stderr(predicate::str::is_empty());
}

#[test]
fn detectors_lists_every_detector_with_its_triggers() {
    let list = json(scalelint().args(["detectors", "--format", "json"]));
    let list = list.as_array().expect("an array");
    let rules = json(scalelint().args(["rules", "--format", "json"]));
    // Every detector named by the rules list is described, with literals and known rules.
    for rule in rules.as_array().expect("an array") {
        for id in rule["detectors"].as_array().expect("detectors") {
            let d = list
                .iter()
                .find(|d| d["id"] == *id)
                .unwrap_or_else(|| panic!("{id} not listed"));
            assert!(!d["triggers"].as_array().expect("triggers").is_empty());
            assert!(d["rules"].as_array().expect("rules").contains(&rule["id"]));
        }
    }
    scalelint()
        .arg("detectors")
        .assert()
        .success()
        .stdout(predicate::str::contains("nginx/upstream-affinity"));
}

/// Manifests are read whatever the prefilter says, per package: a Socket.IO adapter declared in
/// one package's `package.json` keeps that package's server quiet, not its neighbour's.
#[test]
fn manifests_are_read_per_package() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = "const { Server } = require('socket.io');\nconst io = new Server(3000);\nio.on('connection', (s) => s.emit('hi'));\n";
    write(dir.path(), "chat/server.js", server);
    write(
        dir.path(),
        "chat/package.json",
        r#"{"name":"chat","dependencies":{"socket.io":"4"}}"#,
    );
    // A neighbour package's adapter does not carry the chat server's messages.
    write(
        dir.path(),
        "api/package.json",
        r#"{"name":"api","dependencies":{"@socket.io/redis-adapter":"8"}}"#,
    );
    let mut cmd = scalelint();
    cmd.args(["check", "--format", "json"]).arg(dir.path());
    assert_eq!(rules_of(&json(&mut cmd)), ["SL502"], "no adapter declared");

    write(
        dir.path(),
        "chat/package.json",
        r#"{"name":"chat","dependencies":{"socket.io":"4","@socket.io/redis-adapter":"8"}}"#,
    );
    let mut cmd = scalelint();
    cmd.args(["check", "--format", "json"]).arg(dir.path());
    assert!(
        rules_of(&json(&mut cmd)).is_empty(),
        "the adapter in the manifest"
    );
}

/// A CloudFormation template with cookie stickiness on, in JSON (`json`) or YAML.
fn sticky_template(json: bool) -> String {
    if json {
        r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "WebTargetGroup": {
      "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
      "Properties": {
        "Port": 8080,
        "TargetGroupAttributes": [
          { "Key": "stickiness.enabled", "Value": "true" }
        ]
      }
    }
  }
}
"#
        .to_owned()
    } else {
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  WebTargetGroup:\n    \
         Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      Port: 8080\n      \
         TargetGroupAttributes:\n        - Key: stickiness.enabled\n          Value: \"true\"\n"
            .to_owned()
    }
}

#[test]
fn suppression_hints_use_a_comment_the_file_can_hold() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir_all(dir.path().join("cfn")).expect("mkdir");
    std::fs::write(dir.path().join("cfn/web.json"), sticky_template(true)).expect("write");
    std::fs::write(dir.path().join("cfn/web.yaml"), sticky_template(false)).expect("write");
    std::fs::write(
        dir.path().join("app.js"),
        "const session = require('express-session');\napp.use(session({ secret: 's' }));\n",
    )
    .expect("write");
    let run = |format: &str| {
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", format])
            .output()
            .expect("runs")
    };
    let report = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json"]),
    );
    let hint = |path: &str| {
        let found: Vec<&Value> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["path"] == path)
            .collect();
        assert_eq!(found.len(), 1, "{path}: {report}");
        assert!(
            !found[0]["help"]
                .as_str()
                .expect("help")
                .contains("scalelint:"),
            "{path}: the help gives no comment syntax: {}",
            found[0]["help"]
        );
        found[0]["suppress"].clone()
    };
    assert_eq!(hint("cfn/web.json"), Value::Null, "JSON holds no comment");
    assert_eq!(hint("cfn/web.yaml"), "# scalelint: ignore[SL401] <reason>");
    assert_eq!(hint("app.js"), "// scalelint: ignore[SL101] <reason>");

    let text = String::from_utf8(run("text").stdout).expect("utf-8");
    let suppress_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("= suppress:"))
        .collect();
    assert_eq!(suppress_lines.len(), 3, "{text}");
    let json_block = text
        .split("\n\n")
        .find(|block| block.contains("cfn/web.json"))
        .expect("the JSON template's finding");
    assert!(!json_block.contains('#'), "{json_block}");
    assert!(!json_block.contains("//"), "{json_block}");
    assert!(
        json_block.contains(r#"`exclude = ["cfn/web.json"]` in scalelint.toml"#),
        "{json_block}"
    );
    assert!(
        text.contains("= suppress: add `# scalelint: ignore[SL401] <reason>` on the line above"),
        "{text}"
    );
    assert!(
        text.contains("= suppress: add `// scalelint: ignore[SL101] <reason>` on the line above"),
        "{text}"
    );

    // The hints work as given: the comment above the YAML finding and the exclude of the JSON
    // template leave only the JS finding.
    let yaml = sticky_template(false).replace(
        "          Value: \"true\"",
        "          # scalelint: ignore[SL401] <reason>\n          Value: \"true\"",
    );
    std::fs::write(dir.path().join("cfn/web.yaml"), yaml).expect("write");
    std::fs::write(
        dir.path().join("scalelint.toml"),
        "exclude = [\"cfn/web.json\"]\n",
    )
    .expect("write");
    let report = json(
        scalelint()
            .current_dir(dir.path())
            .args(["check", "--format", "json"]),
    );
    assert_eq!(field_of(&report, "path"), ["app.js"], "{report}");
    assert_eq!(report["directives"], serde_json::json!([]), "{report}");
}

/// Python manifests decide whether a server entry module is a web app: `wsgi.py` that gets its
/// app from a factory elsewhere and starts a scheduler runs it in every web instance when its
/// package depends on Flask (in `requirements.txt`, `pyproject.toml` or a `Pipfile`), and not
/// when Flask is only a dev dependency or not declared.
#[test]
fn python_manifests_make_an_entry_module_a_web_app() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wsgi = "from apscheduler.schedulers.background import BackgroundScheduler\nfrom shop.factory import make\n\napplication = make()\nscheduler = BackgroundScheduler()\nscheduler.start()\n";
    write(dir.path(), "shop/wsgi.py", wsgi);
    let run = |dir: &Path| {
        let mut cmd = scalelint();
        cmd.args(["check", "--format", "json"]).arg(dir);
        rules_of(&json(&mut cmd))
    };
    assert!(
        run(dir.path()).is_empty(),
        "no manifest: not known as a web app"
    );

    write(dir.path(), "shop/requirements-dev.txt", "Flask==3.0\n");
    assert!(run(dir.path()).is_empty(), "Flask only for development");

    write(
        dir.path(),
        "shop/requirements/base.txt",
        "# web\nFlask[async]>=3 ; python_version >= '3.9'\n",
    );
    assert_eq!(run(dir.path()), ["SL501"], "requirements/base.txt");

    std::fs::remove_dir_all(dir.path().join("shop/requirements")).expect("remove");
    write(
        dir.path(),
        "shop/pyproject.toml",
        "[project]\nname = \"shop\"\ndependencies = [\"fastapi>=0.110\"]\n",
    );
    assert_eq!(run(dir.path()), ["SL501"], "PEP 621 dependencies");

    std::fs::remove_file(dir.path().join("shop/pyproject.toml")).expect("remove");
    write(
        dir.path(),
        "shop/Pipfile",
        "[packages]\nDjango = \"*\"\n[dev-packages]\npytest = \"*\"\n",
    );
    assert_eq!(run(dir.path()), ["SL501"], "Pipfile packages");
}
