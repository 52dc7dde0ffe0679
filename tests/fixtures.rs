//! Every fixture app is checked two ways: the findings must be exactly the ones its
//! `expect: SLxxx` comments announce (the comment sits on the line above the finding), and the
//! text report is pinned by an insta snapshot of what users see. Fixtures are found on disk:
//! `fixtures/sample-app` and every `fixtures/<family>/<app>/`; one with an `expect:` comment is
//! positive, one without is negative. Each detector needs a positive fixture it fires in and a
//! negative one it reads and stays silent on.

use scalelint::detectors::{DETECTORS, Detector};
use scalelint::source::{FileKind, is_test_path};
use scalelint::{CheckOptions, Report, output};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every fixture app, by name (`sample-app`, `js/nest-shop`), sorted.
fn fixtures() -> Vec<String> {
    let root = fixtures_root();
    let mut names = vec!["sample-app".to_owned()];
    for family in std::fs::read_dir(&root).expect("fixtures/") {
        let family = family.expect("entry").path();
        let Some(family_name) = family.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !family.is_dir() || family_name == "sample-app" {
            continue;
        }
        for app in std::fs::read_dir(&family).expect("fixture family") {
            let app = app.expect("entry").path();
            if let (true, Some(app_name)) = (app.is_dir(), app.file_name().and_then(|n| n.to_str()))
            {
                names.push(format!("{family_name}/{app_name}"));
            }
        }
    }
    names.sort();
    assert!(names.len() > 50, "only {} fixtures found", names.len());
    names
}

fn fixture_dir(name: &str) -> PathBuf {
    fixtures_root().join(name)
}

/// The snapshot of a fixture's text report (names must not change: snapshots would be orphaned).
fn snapshot_name(name: &str) -> String {
    format!("text__{}", name.replace('/', "__"))
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
    for name in fixtures() {
        let dir = fixture_dir(&name);
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

/// Whether `detector` reads a file of the fixture: one of its kinds (as the walk classifies it,
/// test code left out) whose text holds one of its triggers. Silence then means the detector
/// judged the code scale-ready, not that the prefilter never let it look.
fn exercises(detector: &dyn Detector, files: &[(String, String)]) -> bool {
    files.iter().any(|(rel, text)| {
        let path = Path::new(rel);
        let walked = FileKind::from_path(path);
        let kind = walked.and_then(|kind| kind.refine(text));
        kind.is_some_and(|kind| detector.kinds().contains(&kind))
            && !walked.is_some_and(|kind| is_test_path(path, kind))
            && detector.triggers().iter().any(|lit| text.contains(lit))
    })
}

#[test]
fn every_detector_has_a_positive_and_a_negative_fixture() {
    // (detector, rule) pairs fired in positive fixtures; detectors exercised by negative ones.
    let mut fired: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut negatives: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for name in fixtures() {
        let dir = fixture_dir(&name);
        if expectations(&dir).is_empty() {
            let files = files(&dir);
            for detector in DETECTORS {
                if exercises(*detector, &files) {
                    negatives
                        .entry(detector.id())
                        .or_default()
                        .push(name.clone());
                }
            }
        } else {
            for f in check(&dir).findings {
                fired.entry(f.detector).or_default().insert(f.rule.id);
            }
        }
    }
    let mut missing = Vec::new();
    for detector in DETECTORS {
        let id = detector.id();
        let rules = fired.get(id);
        if rules.is_none() {
            missing.push(format!("{id}: no positive fixture has a finding from it"));
        }
        for rule in detector.rules() {
            if rules.is_some_and(|r| !r.contains(rule)) {
                missing.push(format!("{id}: no positive fixture has its {rule}"));
            }
        }
        if !negatives.contains_key(id) {
            missing.push(format!(
                "{id}: no negative fixture (no expect: comment) has a file of its kinds \
                 {:?} with one of its triggers {:?}",
                detector.kinds(),
                detector.triggers()
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "write the missing fixtures under fixtures/<family>/<app>/:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_text_snapshot_belongs_to_a_fixture() {
    let names: BTreeSet<String> = fixtures().iter().map(|n| snapshot_name(n)).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut pinned = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/snapshots") {
        let file = entry.expect("entry").file_name();
        let file = file.to_string_lossy();
        let Some(snapshot) = file
            .strip_prefix("fixtures__")
            .and_then(|f| f.strip_suffix(".snap"))
        else {
            continue;
        };
        if snapshot.starts_with("text__") {
            pinned += 1;
            assert!(
                names.contains(snapshot),
                "{file} pins no fixture app any more (renamed or removed?)"
            );
        }
    }
    assert_eq!(pinned, names.len(), "every fixture has its text snapshot");
}

fn render(report: &Report, format: output::Format) -> String {
    let mut out = Vec::new();
    output::write(report, format, false, &mut out).expect("renders");
    String::from_utf8(out).expect("utf-8 output")
}

#[test]
fn text_reports_are_pinned() {
    for name in fixtures() {
        let report = check(&fixture_dir(&name));
        insta::assert_snapshot!(snapshot_name(&name), render(&report, output::Format::Text));
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

const SESSION_APP: &str = "const session = require('express-session');\n\
                           app.use(session({ secret: process.env.SECRET }));\n";

#[test]
fn one_detector_runs_through_the_real_engine_on_in_memory_files() {
    use scalelint::diagnostic::Suppression;
    use scalelint::engine::{check_files, check_source};

    let found = check_source("src/app.js", SESSION_APP, "js/sessions");
    let found: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f.rule.id,
                f.start.line,
                f.detector,
                f.suppress,
                f.fingerprint.len(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("SL101", 2, "js/sessions", Suppression::Line("//"), 32)]
    );
    // Suppressed, test code, a file of no kind scalelint reads: nothing, as in a real run.
    let suppressed = SESSION_APP.replacen('\n', "\n// scalelint: ignore[SL101] admin tool\n", 1);
    assert!(check_source("src/app.js", &suppressed, "js/sessions").is_empty());
    assert!(check_source("test/app.test.js", SESSION_APP, "js/sessions").is_empty());
    assert!(check_source("src/app.txt", SESSION_APP, "js/sessions").is_empty());

    // Project resolution sees every file: the adapter package in package.json silences the
    // server, and without it the resolved finding lands in server.js, read again from memory.
    let server = "const { Server } = require('socket.io');\nconst io = new Server(httpServer);\n";
    let manifest = r#"{ "dependencies": { "socket.io": "^4", "@socket.io/redis-adapter": "^8" } }"#;
    let alone = check_files(&[("src/server.js", server)], "js/realtime");
    let lines: Vec<_> = alone
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.start.line))
        .collect();
    assert_eq!(lines, [("src/server.js", 2)], "{:?}", alone.skipped);
    assert_eq!(alone.findings[0].detector, "js/realtime");
    assert_eq!(alone.files_scanned, 1);
    let shared = check_files(
        &[("src/server.js", server), ("package.json", manifest)],
        "js/realtime",
    );
    assert!(shared.findings.is_empty(), "{:?}", shared.findings);
    assert_eq!(shared.files_scanned, 2);
}

/// A CloudFormation template with cookie stickiness on, in JSON.
const STICKY_JSON_TEMPLATE: &str = r#"{
  "Resources": {
    "WebTargetGroup": {
      "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
      "Properties": {
        "TargetGroupAttributes": [{ "Key": "stickiness.enabled", "Value": "true" }]
      }
    }
  }
}
"#;

#[test]
fn a_json_template_is_never_told_to_add_a_comment() {
    let found = scalelint::engine::check_source(
        "stack.json",
        STICKY_JSON_TEMPLATE,
        "cloudformation/lb-stickiness",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].suppress,
        scalelint::diagnostic::Suppression::Config
    );
    let report = Report {
        sources: [("stack.json".to_owned(), STICKY_JSON_TEMPLATE.to_owned())].into(),
        findings: found,
        ..Report::default()
    };
    for format in [
        output::Format::Text,
        output::Format::Json,
        output::Format::Github,
    ] {
        let rendered = render(&report, format);
        assert!(!rendered.contains("# scalelint"), "{format:?}: {rendered}");
        assert!(!rendered.contains("// scalelint"), "{format:?}: {rendered}");
    }
    assert!(render(&report, output::Format::Text).contains("`exclude = [\"stack.json\"]`"));
}
