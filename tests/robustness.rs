//! Bad input never panics: every fixture file, cut at many points and with bytes flipped, goes
//! through every parser, every detector, the comment lexer and the suppression parser.

use scalelint::detectors::{DETECTORS, FileModel};
use scalelint::parse::{self, Parsed};
use scalelint::project::Sink;
use scalelint::source::{FileKind, SourceFile, comment_ranges};
use scalelint::suppress::Suppressions;
use std::path::{Path, PathBuf};

fn fixture_files() -> Vec<(PathBuf, FileKind, String)> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let (Some(kind), Ok(text)) =
                (FileKind::from_path(&path), std::fs::read_to_string(&path))
            {
                out.push((path, kind, text));
            }
        }
    }
    out
}

/// Runs the whole per-file analysis on `text` as a file of `kind`.
fn analyse(kind: FileKind, text: &str) {
    let Some(kind) = kind.refine(text) else {
        return;
    };
    let file = SourceFile::new("mutant".into(), kind, text.to_owned());
    let _ = comment_ranges(&file.text, kind);
    let _ = Suppressions::parse(&file);
    let tree = match parse::parse(&file) {
        Parsed::Complete(tree) | Parsed::Partial(tree, ..) => tree,
        Parsed::Failed(..) => return,
    };
    let mut out = Sink::default();
    let model = FileModel::new(&file, &tree, &mut out);
    for d in DETECTORS.iter().filter(|d| d.kinds().contains(&kind)) {
        model.check(*d, &mut out);
    }
    for diag in out.diagnostics {
        assert!(diag.span.start <= diag.span.end && diag.span.end <= file.text.len());
        let _ = file.lines.position(diag.span.end, &file.text);
    }
}

#[test]
fn truncated_and_mutated_fixtures_never_panic() {
    let files = fixture_files();
    assert!(files.len() >= 20, "only {} fixture files", files.len());
    let mut runs = 0;
    for (path, kind, text) in &files {
        let name = path.display();
        // Every prefix cut at a character boundary, in steps.
        for cut in (0..text.len())
            .step_by(11)
            .filter(|&i| text.is_char_boundary(i))
        {
            let result = std::panic::catch_unwind(|| analyse(*kind, &text[..cut]));
            assert!(result.is_ok(), "{name} cut at byte {cut} panicked");
            runs += 1;
        }
        // Structural characters swapped in, one position at a time.
        let bytes = text.as_bytes();
        for (i, replacement) in (0..bytes.len())
            .step_by(17)
            .zip(b"{}();\"'`#/*$[".iter().cycle())
        {
            let mut mutant = bytes.to_vec();
            mutant[i] = *replacement;
            let Ok(mutant) = String::from_utf8(mutant) else {
                continue;
            };
            let result = std::panic::catch_unwind(|| analyse(*kind, &mutant));
            assert!(
                result.is_ok(),
                "{name} with byte {i} set to {:?} panicked",
                *replacement as char
            );
            runs += 1;
        }
    }
    assert!(runs > 1000, "only {runs} runs");
}

/// The whole pipeline, project resolution included, over mutants written to disk side by side:
/// a detector panic would surface as an "internal error" note, not as a test panic.
#[test]
fn mutated_projects_resolve_without_internal_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for (n, (path, _, text)) in fixture_files().iter().enumerate() {
        let rel = path.strip_prefix(&fixtures).expect("under fixtures");
        for (cut, step) in [
            (text.len() / 3, 'a'),
            (text.len() / 2, 'b'),
            (text.len(), 'c'),
        ] {
            let Some(prefix) = text.get(..cut) else {
                continue;
            };
            let target = dir.path().join(format!("{n}{step}")).join(rel);
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::write(&target, prefix).expect("write");
        }
    }
    let report = scalelint::check(&scalelint::CheckOptions {
        paths: vec![dir.path().to_path_buf()],
        base: Some(dir.path().to_path_buf()),
        ..Default::default()
    })
    .expect("check runs");
    let internal: Vec<_> = report
        .skipped
        .iter()
        .filter(|n| n.reason.contains("internal error"))
        .collect();
    assert!(internal.is_empty(), "{internal:?}");
    assert!(report.files_scanned > 60, "{}", report.files_scanned);
}
