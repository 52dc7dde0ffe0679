//! End-to-end: languages that have a registry row and a parser but no detector yet (Java, Kotlin,
//! C#, Ruby, PHP, Go) are walked and classified, count as scanned (or as test code), and change
//! nothing else: no parse, no findings, no directive notes.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn write(dir: &Path, rel: &str, content: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

/// One production file per new language, each with a directive no finding uses.
const SOURCES: &[(&str, &str)] = &[
    (
        "shop-api/src/main/java/shop/CartController.java",
        "@RestController\nclass CartController {\n  // scalelint: ignore[SL301]\n  Map<String, Cart> carts = new HashMap<>();\n}\n",
    ),
    (
        "shop-api/src/main/kotlin/shop/Routes.kt",
        "fun Application.routes() {\n  routing { get(\"/\") { call.respondText(\"hi\") } } // scalelint: ignore\n}\n",
    ),
    (
        "Shop/Controllers/CartController.cs",
        "public class CartController : ControllerBase {\n  // scalelint: ignore[SL301]\n  private static readonly Dictionary<string, int> Carts = new();\n}\n",
    ),
    (
        "web/app/controllers/carts_controller.rb",
        "class CartsController < ApplicationController\n  # scalelint: ignore[SL101]\n  def show; end\nend\n",
    ),
    (
        "web/Gemfile",
        "source \"https://rubygems.org\"\ngem \"rails\"\n",
    ),
    (
        "php/app/Http/Controllers/CartController.php",
        "<?php\nclass CartController extends Controller {\n  // scalelint: ignore[SL301]\n  public function show() {}\n}\n",
    ),
    (
        "go/cmd/shop/main.go",
        "package main\n\n// scalelint: ignore[SL101]\nvar carts = map[string]int{}\n\nfunc main() {}\n",
    ),
];

/// Test code by each language's own conventions.
const TESTS: &[(&str, &str)] = &[
    (
        "shop-api/src/main/java/shop/CartControllerIT.java",
        "class CartControllerIT {}\n",
    ),
    (
        "Shop.Tests/CartControllerTests.cs",
        "class CartControllerTests {}\n",
    ),
    ("web/app/models/cart_spec.rb", "describe Cart do\nend\n"),
    ("php/app/CartTest.php", "<?php class CartTest {}\n"),
    ("go/cmd/shop/main_test.go", "package main\n"),
];

#[test]
fn rows_without_detectors_are_scanned_and_change_nothing_else() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, text) in SOURCES.iter().chain(TESTS) {
        write(dir.path(), rel, text);
    }
    let out = Command::cargo_bin("scalelint")
        .expect("binary builds")
        .args(["check", "--format", "json", "--timings"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let summary = &report["summary"];
    assert_eq!(summary["files_scanned"], SOURCES.len(), "{report}");
    assert_eq!(summary["test_files_not_analysed"], TESTS.len(), "{report}");
    assert_eq!(summary["findings"], 0, "{report}");
    for key in ["skipped", "partially_parsed", "directives"] {
        assert_eq!(report[key], Value::Array(Vec::new()), "{key}: {report}");
    }
    // Read and prefiltered, never parsed: no detector asks for these kinds.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.lines().any(|l| l.trim_start().starts_with("parse")),
        "{stderr}"
    );
}
