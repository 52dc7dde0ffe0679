//! Every fixture app is checked two ways: the findings must be exactly the ones its
//! `expect: SLxxx` comments announce (the comment sits on the line above the finding), and the
//! text report is pinned by an insta snapshot of what users see.

use scalelint::{CheckOptions, Report, output};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Fixture apps: (directory under fixtures/, whether it must produce findings).
const FIXTURES: &[(&str, bool)] = &[
    ("sample-app", true),
    ("js/express-memory-session", true),
    ("js/express-redis-session", false),
    ("js/express-cjs-shop", true),
    ("js/express-cjs-shop-scaled", false),
    ("js/fastify-ts-api", true),
    ("js/fastify-ts-api-scaled", false),
    ("js/nest-shop", true),
    ("js/nest-shop-scaled", false),
    ("js/express-split-modules", true),
    ("js/express-split-modules-scaled", false),
    ("js/next-hand-rolled-limits", true),
    ("js/next-hand-rolled-limits-scaled", false),
    ("rust/axum-memory-store", true),
    ("rust/axum-redis-store", false),
    ("rust/poem-memory-storage", true),
    ("rust/poem-redis-storage", false),
    ("rust/rocket-memory-session", true),
    ("rust/rocket-cookie-session", false),
    ("rust/axum-reexported-store", true),
    ("rust/axum-own-store-type", false),
    ("rust/axum-instance-state", true),
    ("rust/axum-shared-state", false),
    ("rust/actix-custom-session-store", true),
    ("rust/actix-cookie-session", false),
    ("rust/axum-local-uploads", true),
    ("rust/axum-s3-uploads", false),
    ("rust/axum-local-memo", true),
    ("rust/axum-pure-memo", false),
    ("nginx/sticky-upstreams", true),
    ("nginx/round-robin", false),
    ("haproxy/sticky-backends", true),
    ("haproxy/round-robin", false),
    ("apache/sticky-balancer", true),
    ("apache/round-robin", false),
    ("terraform/sticky-modules", true),
    ("terraform/round-robin", false),
    ("azure/arr-affinity", true),
    ("azure/no-affinity", false),
    ("k8s/helm-sticky-shop", true),
    ("k8s/helm-scale-ready", false),
    ("mesh/istio-envoy-sticky", true),
    ("mesh/istio-envoy-round-robin", false),
    ("traefik/compose-sticky", true),
    ("traefik/compose-round-robin", false),
    ("cloudformation/sticky-target-groups", true),
    ("cloudformation/round-robin", false),
    ("python/django-split-settings", true),
    ("python/django-scale-ready", false),
    ("python/django-single-settings", true),
    ("python/django-single-settings-scaled", false),
    ("python/flask-local-state", true),
    ("python/flask-shared-state", false),
    ("python/fastapi-local-state", true),
    ("python/fastapi-shared-state", false),
    ("python/flask-extensions-elsewhere", true),
    ("python/flask-extensions-unused", false),
    ("python/django-generated-key", true),
    ("python/django-generated-key-scaled", false),
];

fn fixture_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn check(dir: &Path) -> Report {
    scalelint::check(&CheckOptions {
        paths: vec![dir.to_path_buf()],
        base: Some(dir.to_path_buf()),
        ..CheckOptions::default()
    })
    .expect("fixture check runs")
}

/// Every text file below `dir`: (path relative to `dir`, `/`-separated; content).
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable fixture dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let rel = path.strip_prefix(dir).expect("under fixture");
                let rel: Vec<_> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect();
                out.push((rel.join("/"), text));
            }
        }
    }
    out
}

/// (path, line, rule) announced by `expect: SL…` comments: the finding is on the next line.
fn expectations(dir: &Path) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    for (rel, text) in files(dir) {
        for (i, line) in text.lines().enumerate() {
            if let Some((_, rest)) = line.split_once("expect: ") {
                for id in rest.split([',', ' ']).filter(|s| s.starts_with("SL")) {
                    out.insert((rel.clone(), i + 2, id.to_owned()));
                }
            }
        }
    }
    out
}

#[test]
fn findings_match_the_expect_comments() {
    for (name, positive) in FIXTURES {
        let dir = fixture_dir(name);
        let report = check(&dir);
        let found: BTreeSet<_> = report
            .findings
            .iter()
            .map(|f| (f.path.clone(), f.start.line, f.rule.id.to_owned()))
            .collect();
        let expected = expectations(&dir);
        assert_eq!(
            found, expected,
            "fixture {name}: findings differ from expect: comments"
        );
        assert_eq!(!found.is_empty(), *positive, "fixture {name}");
        assert!(
            report.skipped.is_empty(),
            "fixture {name}: {:?}",
            report.skipped
        );
        assert!(
            report.partial.is_empty(),
            "fixture {name}: {:?}",
            report.partial
        );
        assert!(
            report.directives.is_empty(),
            "fixture {name}: {:?}",
            report.directives
        );
    }
}

#[test]
fn every_detector_has_a_positive_and_a_negative_fixture() {
    let mut fired = BTreeSet::new();
    for (name, _) in FIXTURES.iter().filter(|(_, positive)| *positive) {
        for f in check(&fixture_dir(name)).findings {
            fired.insert(f.rule.id);
        }
    }
    for detector in scalelint::detectors::DETECTORS {
        for rule in detector.rules() {
            assert!(
                fired.contains(rule),
                "{}: no positive fixture fires {rule}",
                detector.id()
            );
        }
    }
    // A negative fixture must contain the detector's triggers, so that silence means the detector
    // judged the code scale-ready, not that the prefilter never let it look.
    for detector in scalelint::detectors::DETECTORS {
        let negative_with_trigger = FIXTURES.iter().filter(|(_, p)| !*p).any(|(name, _)| {
            expectations(&fixture_dir(name)).is_empty()
                && files(&fixture_dir(name))
                    .iter()
                    .any(|(_, t)| detector.triggers().iter().any(|lit| t.contains(lit)))
        });
        assert!(
            negative_with_trigger,
            "{} has no negative fixture",
            detector.id()
        );
    }
}

fn render(report: &Report, format: output::Format) -> String {
    let mut out = Vec::new();
    output::write(report, format, false, &mut out).expect("renders");
    String::from_utf8(out).expect("utf-8 output")
}

#[test]
fn text_reports_are_pinned() {
    for (name, _) in FIXTURES {
        let report = check(&fixture_dir(name));
        let snapshot = format!("text__{}", name.replace('/', "__"));
        insta::assert_snapshot!(snapshot, render(&report, output::Format::Text));
    }
}

#[test]
fn json_sarif_and_github_reports_are_pinned() {
    let report = check(&fixture_dir("sample-app"));
    insta::assert_snapshot!("json__sample-app", render(&report, output::Format::Json));
    insta::assert_snapshot!(
        "github__sample-app",
        render(&report, output::Format::Github)
    );
    let report = check(&fixture_dir("nginx/sticky-upstreams"));
    insta::assert_snapshot!(
        "sarif__nginx__sticky-upstreams",
        render(&report, output::Format::Sarif)
    );
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let run = |jobs| {
        let report = scalelint::check(&CheckOptions {
            paths: vec![dir.clone()],
            base: Some(dir.clone()),
            jobs,
            ..CheckOptions::default()
        })
        .expect("runs");
        render(&report, output::Format::Sarif)
    };
    let one = run(1);
    assert!(
        one.contains("\"ruleId\""),
        "the whole fixtures tree has findings"
    );
    for jobs in [2, 4, 8] {
        assert_eq!(run(jobs), one, "jobs={jobs}");
    }
}
