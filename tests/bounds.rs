//! End-to-end: no input aborts or exhausts a run. Each hostile file is scanned by the binary (a
//! stack overflow or an out-of-memory kill ends only that subprocess, and fails the test) next to
//! a file with a known finding, which must still be reported.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// A Rust file with one finding (SL101), scanned beside every hostile file.
const GOOD_RS: &str =
    "use tower_sessions::MemoryStore;\nfn main() { let s = MemoryStore::default(); }\n";
const RUST_HEAD: &str = "use tower_sessions::MemoryStore;\n";
const JS_HEAD: &str =
    "const session = require('express-session');\napp.use(session({ secret: 'x' }));\n";
const PY_HEAD: &str = "from functools import lru_cache\nimport cachetools\n";
const YAML_HEAD: &str = "apiVersion: v1\nkind: Service\nspec:\n  sessionAffinity: ClientIP\n";

const DEEP: usize = 10_000;

/// How a hostile file came out of a run.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Skipped, with this reason.
    Skipped(String),
    /// Analysed (completely or partially).
    Analysed,
}

/// Scans `name` (holding `content`) beside a good file; checks the run ended normally and still
/// reported the good file's finding; says what became of the hostile file.
fn scan(name: &str, content: impl AsRef<[u8]>, args: &[&str]) -> Outcome {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), name, content);
    write(dir.path(), "good.rs", GOOD_RS);
    let out = Command::cargo_bin("scalelint")
        .expect("binary builds")
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--max-file-size", "100M"])
        .args(args)
        .arg(".")
        .timeout(Duration::from_secs(120))
        .output()
        .expect("runs");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{name}: the run ended with {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let findings = report["findings"].as_array().expect("findings");
    assert!(
        findings.iter().any(|f| f["path"] == "good.rs"),
        "{name}: the other file's finding is gone: {report}"
    );
    let skipped = report["skipped"].as_array().expect("skipped");
    match skipped.iter().find(|s| s["path"] == name) {
        Some(s) => Outcome::Skipped(s["reason"].as_str().expect("reason").to_owned()),
        None => Outcome::Analysed,
    }
}

fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

/// Asserts a hostile file was skipped for a reason that mentions `why`.
fn skipped_for(name: &str, content: impl AsRef<[u8]>, why: &str) {
    match scan(name, content, &[]) {
        Outcome::Skipped(reason) => assert!(reason.contains(why), "{name}: {reason}"),
        Outcome::Analysed => panic!("{name}: analysed, expected skipped for {why}"),
    }
}

/// Asserts only that the run survived the file (skipped for depth, or analysed).
fn survives(name: &str, content: impl AsRef<[u8]>) {
    if let Outcome::Skipped(reason) = scan(name, content, &[]) {
        assert!(
            reason.contains("nested deeper than") || reason.contains("syntax error"),
            "{name}: {reason}"
        );
    }
}

fn nest(head: &str, before: &str, open: &str, inner: &str, close: &str, after: &str) -> String {
    format!(
        "{head}{before}{}{inner}{}{after}",
        open.repeat(DEEP),
        close.repeat(DEEP)
    )
}

#[test]
fn deep_rust_is_skipped_and_the_run_goes_on() {
    let cases = [
        (
            "parens.rs",
            nest(RUST_HEAD, "fn f() { let x = ", "(", "1", ")", "; }"),
        ),
        ("blocks.rs", nest(RUST_HEAD, "fn f() ", "{", "", "}", "")),
        (
            "binop.rs",
            nest(RUST_HEAD, "fn f() { let x = ", "a+", "a", "", "; }"),
        ),
        (
            "fields.rs",
            nest(RUST_HEAD, "fn f() { let x = a", ".b", "", "", "; }"),
        ),
        (
            "methods.rs",
            nest(RUST_HEAD, "fn f() { let x = a", ".b()", "", "", "; }"),
        ),
        (
            "index.rs",
            nest(RUST_HEAD, "fn f() { let x = a", "[0]", "", "", "; }"),
        ),
        (
            "closures.rs",
            nest(RUST_HEAD, "fn f() { let x = ", "|| ", "1", "", "; }"),
        ),
        ("macro.rs", nest(RUST_HEAD, "m!{", "(", "", ")", "}")),
        (
            "generics.rs",
            nest(RUST_HEAD, "type T = ", "Vec<", "u8", ">", ";"),
        ),
        ("modules.rs", nest(RUST_HEAD, "", "mod a {", "", "}", "")),
        (
            "patterns.rs",
            nest(RUST_HEAD, "fn f() { let ", "(", "a", ")", " = 1; }"),
        ),
        (
            "else_if.rs",
            nest(RUST_HEAD, "fn f() { ", "if a {} else ", "{}", "", " }"),
        ),
    ];
    for (name, text) in cases {
        skipped_for(name, text, "nested deeper than 2000 levels");
    }
}

#[test]
fn moderately_nested_rust_is_still_analysed() {
    let text = format!(
        "{RUST_HEAD}fn f() {{ let s = MemoryStore::default(); let x = {}1{}; }}\n",
        "(".repeat(300),
        ")".repeat(300)
    );
    assert_eq!(scan("ok.rs", text, &[]), Outcome::Analysed);
}

#[test]
fn deep_js_ts_and_python_do_not_abort() {
    let cases = [
        ("parens.js", nest(JS_HEAD, "x = ", "(", "1", ")", ";")),
        ("chain.js", nest(JS_HEAD, "x = a", ".b()", "", "", ";")),
        ("binop.ts", nest(JS_HEAD, "x = ", "a+", "a", "", ";")),
        ("objects.ts", nest(JS_HEAD, "x = ", "{a:", "1", "}", ";")),
        ("arrows.tsx", nest(JS_HEAD, "x = ", "()=>", "1", "", ";")),
        ("jsx.tsx", nest(JS_HEAD, "x = ", "<a>", "", "</a>", ";")),
        ("parens.py", nest(PY_HEAD, "x = ", "(", "1", ")", "\n")),
        ("lists.py", nest(PY_HEAD, "x = ", "[", "", "]", "\n")),
        ("calls.py", nest(PY_HEAD, "x = a", ".b()", "", "", "\n")),
    ];
    for (name, text) in cases {
        survives(name, text);
    }
    // Indentation costs n²/2 bytes: 1,900 levels stay under the Python parser's size ceiling.
    let n = 1_900;
    let indented: String = (0..n)
        .map(|i| format!("{}if x:\n", " ".repeat(i)))
        .collect();
    survives(
        "indent.py",
        format!("{PY_HEAD}{indented}{}pass\n", " ".repeat(n)),
    );
}

#[test]
fn a_hundred_thousand_levels_of_js_and_json_do_not_abort() {
    let n = 100_000;
    let js = format!("{JS_HEAD}x = {}1{};\n", "[".repeat(n), "]".repeat(n));
    survives("deep.js", js);
    let json = format!(
        "{{\"spec\": {{\"sessionAffinity\": \"ClientIP\"}}, \"x\": {}{}}}",
        "[".repeat(n),
        "]".repeat(n)
    );
    survives("deep.json", json);
}

#[test]
fn deep_yaml_is_skipped_and_the_run_goes_on() {
    // Indentation costs n²/2 bytes: 3,000 levels stay under the YAML parser's size ceiling.
    let n = 3_000;
    let block: String = (0..n).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
    skipped_for(
        "block.yaml",
        format!("{YAML_HEAD}{block}{}b: 1\n", " ".repeat(n)),
        "nested deeper than 1000 levels",
    );
    skipped_for(
        "seq.yaml",
        format!("{YAML_HEAD}x:\n{}1\n", "- ".repeat(DEEP)),
        "nested deeper than 1000 levels",
    );
    survives("flow.yaml", nest(YAML_HEAD, "x: ", "[", "", "]", "\n"));
    survives(
        "flowmap.yml",
        nest(YAML_HEAD, "x: ", "{a: ", "1", "}", "\n"),
    );
}

#[test]
fn deep_config_files_of_every_family_do_not_abort() {
    let cases = [
        (
            "objects.json",
            nest(
                "{\"sessionAffinity\": 1, \"x\": ",
                "",
                "{\"a\":",
                "1",
                "}",
                "}",
            ),
        ),
        (
            "traefik.toml",
            nest(
                "[http.services.a.loadBalancer.sticky.cookie]\n",
                "x = ",
                "[",
                "",
                "]",
                "\n",
            ),
        ),
        (
            "main.tf",
            nest("locals {\n  stick = 1\n", "  a = ", "(", "1", ")", "\n}\n"),
        ),
        (
            "blocks.tf",
            nest(
                "variable \"stick\" {}\n",
                "locals ",
                "{\n a ",
                "",
                "}\n",
                "",
            ),
        ),
        (
            "nginx.conf",
            nest("upstream x { ip_hash; }\n", "", "a {\n", "", "}\n", ""),
        ),
        (
            "haproxy.cfg",
            nest("backend b\n  balance source\n", "", "a {\n", "", "}\n", ""),
        ),
        (
            "httpd.conf",
            nest(
                "<Proxy \"balancer://x\">\n  ProxySet stickysession=J\n</Proxy>\n",
                "",
                "<If x>\n",
                "",
                "</If>\n",
                "",
            ),
        ),
        (
            "main.bicep",
            nest(
                "param clientAffinityEnabled bool = true\n",
                "var x = ",
                "[",
                "",
                "]",
                "\n",
            ),
        ),
        (
            "objects.bicep",
            nest(
                "param clientAffinityEnabled bool = true\n",
                "var y = ",
                "{\n a: ",
                "1\n",
                "}\n",
                "",
            ),
        ),
    ];
    for (name, text) in cases {
        survives(name, text);
    }
}

#[test]
fn a_tsx_parse_that_does_not_end_is_cut_off() {
    // tree-sitter's error recovery on these bytes ran for minutes (the same bytes as `.ts`: 0.1 s).
    let hostile = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile/error-recovery-hang.tsx"),
    )
    .expect("fixture");
    let start = Instant::now();
    skipped_for("x.tsx", &hostile, "parser budget exceeded after");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_yaml_alias_bomb_is_skipped() {
    // Seven levels of ten aliases: ten million nodes once expanded.
    let mut bomb =
        String::from("sessionAffinity: ClientIP\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..=7 {
        let prev = level - 1;
        let items = vec![format!("*a{prev}"); 10].join(", ");
        bomb.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    skipped_for("bomb.yaml", &bomb, "YAML aliases expand beyond");
    let compose = bomb.replace(
        "sessionAffinity: ClientIP\n",
        "services:\n  web:\n    image: x\n    deploy: {replicas: 3}\n",
    );
    skipped_for("docker-compose.yml", compose, "YAML aliases expand beyond");
}

#[test]
fn a_chain_of_merge_keys_is_skipped() {
    let mut compose = String::from(
        "services:\n  web:\n    image: x\n    deploy: {replicas: 3}\nx-0: &x0 {a0: 1}\n",
    );
    for i in 1..3000 {
        compose.push_str(&format!("x-{i}: &x{i}\n  <<: *x{}\n  a{i}: 1\n", i - 1));
    }
    skipped_for("docker-compose.yml", compose, "YAML aliases expand beyond");
}

#[test]
fn shared_anchors_of_a_real_compose_file_are_read() {
    let mut compose =
        String::from("x-common: &common\n  restart: always\n  environment: {A: 1}\nservices:\n");
    for i in 0..50 {
        compose.push_str(&format!(
            "  s{i}:\n    <<: *common\n    image: x\n    deploy: {{replicas: 2}}\n"
        ));
    }
    assert_eq!(scan("docker-compose.yml", compose, &[]), Outcome::Analysed);
}

#[test]
fn a_file_over_its_parser_family_ceiling_is_skipped() {
    let mut text = String::from(RUST_HEAD);
    let line = "const A: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];\n";
    while text.len() <= 3 << 20 {
        text.push_str(line);
    }
    skipped_for(
        "large.rs",
        text,
        "larger than the Rust parser's limit of 1.5 MB",
    );
}
