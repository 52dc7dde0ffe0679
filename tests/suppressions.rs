//! End-to-end: suppression directives, run through the binary. A directive is read only from a
//! real comment, parses exactly or is reported, and never hides more than it names.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const SESSION: &str =
    "const session = require('express-session');\nconst app = require('express')();\n";
const USE: &str = "app.use(session({ secret: process.env.S }));\n";

const INGRESS: &str =
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n";
const AFFINITY: &str = "    nginx.ingress.kubernetes.io/affinity: cookie\n";

fn write(dir: &Path, rel: &str, content: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

/// Runs `check --format json` (plus `extra`) in `dir`: the exit code and the report.
fn check(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let out = Command::cargo_bin("scalelint")
        .expect("binary builds")
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().expect("exit code"), report)
}

/// (path, line, rule) of every finding.
fn findings(report: &Value) -> Vec<(String, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_owned(),
                f["line"].as_u64().expect("line"),
                f["rule"].as_str().expect("rule").to_owned(),
            )
        })
        .collect()
}

/// (path, line, reason) of every directive note.
fn directives(report: &Value) -> Vec<(String, u64, String)> {
    report["directives"]
        .as_array()
        .expect("directives")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().expect("path").to_owned(),
                d["line"].as_u64().expect("line"),
                d["reason"].as_str().expect("reason").to_owned(),
            )
        })
        .collect()
}

fn one_file(rel: &str, content: &str, extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().expect("temp");
    write(dir.path(), rel, content);
    check(dir.path(), extra)
}

#[test]
fn the_word_scalelint_inside_a_jsdoc_block_keeps_the_findings() {
    let text = format!("/**\n * Sessions.\n * see scalelint: docs\n */\n{SESSION}{USE}");
    let (code, report) = one_file("app.js", &text, &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        [("app.js".to_owned(), 7, "SL101".to_owned())]
    );
    assert!(
        report["skipped"].as_array().expect("skipped").is_empty(),
        "{report}"
    );
    let notes = directives(&report);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].1, 3, "the marker's line");
    assert!(
        notes[0].2.contains("unknown scalelint directive"),
        "{notes:?}"
    );
}

#[test]
fn a_directive_on_a_continuation_line_of_a_block_comment_covers_the_code_below_the_comment() {
    let text = format!(
        "{SESSION}/**\n * Admin tool.\n * scalelint: ignore[SL101] one instance by design\n */\n{USE}{USE}"
    );
    let (code, report) = one_file("app.ts", &text, &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        findings(&report),
        [("app.ts".to_owned(), 8, "SL101".to_owned())]
    );
    assert!(directives(&report).is_empty(), "{report}");
}

#[test]
fn jsx_text_is_not_a_comment() {
    for name in ["app.jsx", "app.js", "app.tsx"] {
        let text = format!("{SESSION}const X = () => <div>// scalelint: ignore-file</div>;\n{USE}");
        let (code, report) = one_file(name, &text, &[]);
        assert_eq!(code, 1, "{name}: {report}");
        assert_eq!(
            findings(&report),
            [(name.to_owned(), 4, "SL101".to_owned())],
            "{name}"
        );
    }
    // A real comment inside JSX still counts.
    let text =
        format!("{SESSION}const X = () => <div>{{/* scalelint: ignore-file */}}</div>;\n{USE}");
    let (code, report) = one_file("app.jsx", &text, &[]);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn a_yaml_block_scalar_line_is_not_a_comment() {
    for header in ["note: |", "note: >-", "note: |2+", "note: !!str >"] {
        let text = format!("{INGRESS}    {header}\n      # scalelint: ignore[SL401]\n{AFFINITY}");
        let (code, report) = one_file("ingress.yaml", &text, &[]);
        assert_eq!(code, 1, "{header}: {report}");
        assert_eq!(
            findings(&report),
            [("ingress.yaml".to_owned(), 8, "SL401".to_owned())],
            "{header}"
        );
    }
    // Nor is a line of a multi-line quoted scalar.
    let text = format!(
        "{INGRESS}    note: \"first\n      # scalelint: ignore[SL401]\n      end\"\n{AFFINITY}"
    );
    let (_, report) = one_file("ingress.yaml", &text, &[]);
    assert_eq!(findings(&report).len(), 1, "{report}");
    // The comment after the block scalar, at the key's indentation, is one again.
    let text = format!(
        "{INGRESS}    note: |\n      text\n    # scalelint: ignore[SL401] one replica\n{AFFINITY}"
    );
    let (code, report) = one_file("ingress.yaml", &text, &[]);
    assert_eq!(code, 0, "{report}");
    assert!(directives(&report).is_empty(), "{report}");
}

#[test]
fn a_directive_that_does_not_parse_exactly_suppresses_nothing_and_says_so() {
    for directive in [
        "ignore SL101",
        "ignore [SL101]",
        "ignore(SL101)",
        "ignore (SL101)",
        "ignore: SL101",
        "ignore -- memory-session-store",
        "ignore[SL101",
        "ignore[]",
        "ignore[SL101]because",
        "ignores[SL101]",
    ] {
        let text = format!("{SESSION}// scalelint: {directive}\n{USE}");
        let (code, report) = one_file("app.js", &text, &[]);
        assert_eq!(code, 1, "`{directive}`: {report}");
        assert_eq!(
            findings(&report),
            [("app.js".to_owned(), 4, "SL101".to_owned())],
            "`{directive}`"
        );
        let notes = directives(&report);
        assert_eq!(notes.len(), 1, "`{directive}`: {notes:?}");
        assert_eq!(notes[0].1, 3, "`{directive}`");
    }
}

#[test]
fn exact_directives_suppress_what_they_name() {
    for directive in [
        "ignore[SL101]",
        "ignore[SL101] the reason",
        "ignore[SL101, SL401] -- the reason",
        "ignore[memory-session-store]",
        "ignore",
        "ignore -- one instance by design",
        "ignore: one instance by design",
        "ignore - one instance by design",
    ] {
        let text = format!("{SESSION}// scalelint: {directive}\n{USE}");
        let (code, report) = one_file("app.js", &text, &[]);
        assert_eq!(code, 0, "`{directive}`: {report}");
        assert!(directives(&report).is_empty(), "`{directive}`: {report}");
    }
    // A rule list names only its rules.
    let text = format!("{SESSION}// scalelint: ignore[SL401]\n{USE}");
    let (code, report) = one_file("app.js", &text, &[]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report).len(), 1);
}

#[test]
fn require_reason_reports_directives_without_one_and_they_still_suppress() {
    let used = USE.trim_end();
    let text = format!(
        "{SESSION}// scalelint: ignore[SL101]\n{USE}{used} // scalelint: ignore[SL101] -- admin tool\n// scalelint: ignore\n{USE}"
    );
    let (code, report) = one_file("app.js", &text, &["--require-reason"]);
    assert_eq!(code, 0, "{report}");
    let notes = directives(&report);
    let lines: Vec<u64> = notes.iter().map(|n| n.1).collect();
    assert_eq!(lines, [3, 6], "{notes:?}");
    assert!(
        notes.iter().all(|n| n.2.contains("without a reason")),
        "{notes:?}"
    );
    let (code, report) = one_file("app.js", &text, &[]);
    assert_eq!(code, 0, "{report}");
    assert!(directives(&report).is_empty(), "{report}");
}

#[test]
fn strings_of_config_languages_are_not_comments() {
    // TOML multi-line strings, HCL heredocs and Bicep multi-line strings hold text, not comments.
    let cases = [
        (
            "main.tf",
            "resource \"aws_lb_target_group\" \"a\" {\n  description = <<-EOT\n    # scalelint: ignore-file\n  EOT\n  stickiness {\n    enabled = true\n    type    = \"lb_cookie\"\n  }\n}\n",
        ),
        (
            "main.bicep",
            "var note = '''\n// scalelint: ignore-file\n'''\nresource site 'Microsoft.Web/sites@2022-03-01' = {\n  name: 'app'\n  location: 'westeurope'\n  properties: {\n    clientAffinityEnabled: true\n  }\n}\n",
        ),
    ];
    for (name, text) in cases {
        let (code, report) = one_file(name, text, &[]);
        assert_eq!(code, 1, "{name}: {report}");
        assert!(!findings(&report).is_empty(), "{name}: {report}");
    }
}
