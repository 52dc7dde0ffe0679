//! The README is part of the product: its rule table, its options and its quick start must match
//! the binary.

use assert_cmd::Command;
use scalelint::rules::RULES;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

#[test]
fn rule_table_matches_the_catalog() {
    let text = readme();
    let start = text
        .find("<!-- rules:start -->")
        .expect("rules:start marker");
    let end = text.find("<!-- rules:end -->").expect("rules:end marker");
    let rows: Vec<String> = text[start..end]
        .lines()
        .filter(|l| l.starts_with("| SL"))
        .map(str::to_owned)
        .collect();
    let expected: Vec<String> = RULES
        .iter()
        .map(|r| {
            let detectors: Vec<_> = scalelint::detectors::for_rule(r.id)
                .map(|d| d.id())
                .collect();
            let detectors = if detectors.is_empty() {
                "—".to_owned()
            } else {
                detectors.join(", ")
            };
            format!(
                "| {} | {} | {} | {} | {} |",
                r.id,
                r.name,
                r.category.as_str(),
                r.default_severity.as_str(),
                detectors
            )
        })
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn every_option_the_readme_names_exists() {
    let text = readme();
    let help = |args: &[&str]| {
        let out = Command::cargo_bin("scalelint")
            .expect("binary")
            .args(args)
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let all_help = format!(
        "{}{}",
        help(&["check", "--help"]),
        help(&["rules", "--help"])
    );
    let mut checked = 0;
    // Options are written in code spans: `--flag …` or `-x, --flag …`.
    let starts = text
        .match_indices("`--")
        .map(|(i, _)| i + 1)
        .chain(text.match_indices(", --").map(|(i, _)| i + 2));
    for i in starts {
        let flag: String = text[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if flag.len() > 2 {
            assert!(
                all_help.contains(&flag),
                "README names {flag}, which the CLI lacks"
            );
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} options found in the README");
}

#[test]
fn quick_start_and_test_command_are_the_ones_ci_runs() {
    let text = readme();
    assert!(text.contains("cargo run --release -- check fixtures/sample-app\ncargo test\n"));
    let ci =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).expect(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test"),
        ".ci/run must run `cargo test`"
    );
    assert!(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sample-app")).is_dir()
    );
}
