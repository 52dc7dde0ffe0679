//! Each rule doc's examples are executed: with a detector for the example's language, every
//! `bad` example must fire the rule and every `good` example must stay silent.

use scalelint::CheckOptions;
use scalelint::rules::RULES;

struct Example {
    lang: String,
    bad: bool,
    file: String,
    code: String,
}

fn examples(doc: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let words: Vec<&str> = info.split_whitespace().collect();
        let file = words.iter().find_map(|w| w.strip_prefix("file="));
        let bad = words.contains(&"bad");
        let good = words.contains(&"good");
        let mut code = String::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            code.push_str(l);
            code.push('\n');
        }
        if let (Some(file), true) = (file, bad || good) {
            out.push(Example {
                lang: words.first().copied().unwrap_or_default().to_owned(),
                bad,
                file: file.to_owned(),
                code,
            });
        }
    }
    out
}

/// The languages each rule's detectors read, as fence languages (the registry's fence names).
fn covered_languages(rule_id: &str) -> Vec<&'static str> {
    let mut langs = Vec::new();
    for d in scalelint::detectors::for_rule(rule_id) {
        for kind in d.kinds() {
            let lang = scalelint::lang::fence(*kind);
            if !langs.contains(&lang) {
                langs.push(lang);
            }
        }
    }
    langs
}

#[test]
fn doc_examples_fire_and_stay_silent_as_labelled() {
    let mut executed = 0;
    for rule in RULES {
        let langs = covered_languages(rule.id);
        for example in examples(rule.doc) {
            if !langs.contains(&example.lang.as_str()) {
                continue;
            }
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join(&example.file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &example.code).expect("write example");
            let report = scalelint::check(&CheckOptions {
                paths: vec![dir.path().to_path_buf()],
                base: Some(dir.path().to_path_buf()),
                ..CheckOptions::default()
            })
            .expect("check runs");
            let fired = report.findings.iter().any(|f| f.rule.id == rule.id);
            let label = if example.bad { "bad" } else { "good" };
            assert_eq!(
                fired,
                example.bad,
                "{} {label} example {} ({}): findings {:?}",
                rule.id,
                example.file,
                example.lang,
                report
                    .findings
                    .iter()
                    .map(|f| (f.rule.id, f.start.line))
                    .collect::<Vec<_>>()
            );
            executed += 1;
        }
    }
    assert!(
        executed >= 6,
        "only {executed} doc examples were executable"
    );
}

#[test]
fn every_rule_with_a_detector_has_an_executable_bad_and_good_example() {
    for rule in RULES {
        let langs = covered_languages(rule.id);
        if langs.is_empty() {
            continue;
        }
        let runnable: Vec<_> = examples(rule.doc)
            .into_iter()
            .filter(|e| langs.contains(&e.lang.as_str()))
            .collect();
        assert!(
            runnable.iter().any(|e| e.bad),
            "{} has no executable bad example",
            rule.id
        );
        assert!(
            runnable.iter().any(|e| !e.bad),
            "{} has no executable good example",
            rule.id
        );
    }
}

/// The "What it finds" section of a rule doc, minus its "Not reported" and "Planned" parts: the
/// forms the doc claims scalelint reports today.
fn claimed_forms(doc: &str) -> String {
    let section = doc
        .split("## What it finds")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or_default();
    let claimed = section
        .split("Planned (not yet detected)")
        .next()
        .unwrap_or_default();
    claimed
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim_start().starts_with("Not reported"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Ecosystem names that may appear among a rule's reported forms only when a detector reads
/// that ecosystem's files.
const ECOSYSTEMS: &[(&str, &str)] = &[
    ("ASP.NET", "csharp"),
    ("NHibernate", "csharp"),
    ("IMemoryCache", "csharp"),
    ("Rails", "ruby"),
    ("Active Storage", "ruby"),
    ("PHP", "php"),
    ("Laravel", "php"),
    ("Symfony", "php"),
    ("Doctrine", "php"),
    ("Spring", "java"),
    ("Hibernate", "java"),
    ("gorilla", "go"),
];

#[test]
fn rule_docs_claim_only_forms_a_detector_reports() {
    let kinds: Vec<&str> = scalelint::detectors::DETECTORS
        .iter()
        .flat_map(|d| d.kinds().iter().map(|k| k.name()))
        .collect();
    for rule in RULES {
        let claimed = claimed_forms(rule.doc);
        assert!(
            !claimed.trim().is_empty(),
            "{} has no \"What it finds\" section",
            rule.id
        );
        if scalelint::detectors::for_rule(rule.id).next().is_none() {
            assert!(
                claimed.contains("No detector reports this rule yet"),
                "{} has no detector: its doc must say so",
                rule.id
            );
            continue;
        }
        for (name, kind) in ECOSYSTEMS {
            assert!(
                !claimed.contains(name) || kinds.contains(kind),
                "{} claims to report {name} forms, but no detector reads {kind} files; \
                 list them under \"Planned (not yet detected)\"",
                rule.id
            );
        }
    }
}
