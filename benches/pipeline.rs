//! Micro-benchmarks of the hot path: the prefilter over text with and without triggers, each
//! parser family on the largest fixture of its kind, and a whole check of the fixtures tree.
//! Run with `cargo bench`; figures are for comparison between commits, not assertions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scalelint::detectors::DETECTORS;
use scalelint::parse;
use scalelint::prefilter::Prefilter;
use scalelint::source::{FileKind, SourceFile};
use std::hint::black_box;
use std::path::Path;

/// Ordinary code with no trigger: what most files of a real repository look like.
fn clean_text(bytes: usize) -> String {
    let line = "export function total(items) { return items.reduce((a, b) => a + b.price, 0); }\n";
    line.repeat(bytes / line.len() + 1)
}

fn prefilter(c: &mut Criterion) {
    let prefilter = Prefilter::new(DETECTORS);
    let clean = clean_text(1 << 20);
    let mut group = c.benchmark_group("prefilter");
    group.throughput(Throughput::Bytes(clean.len() as u64));
    for kind in [
        FileKind::JavaScript,
        FileKind::Python,
        FileKind::Rust,
        FileKind::Yaml,
    ] {
        group.bench_function(format!("1MiB without triggers as {}", kind.name()), |b| {
            b.iter(|| prefilter.scan(black_box(clean.as_bytes()), kind))
        });
    }
    group.finish();
    c.bench_function("prefilter/build automata", |b| {
        b.iter(|| Prefilter::new(DETECTORS))
    });
}

/// The largest fixture file of each parser family (by kind name), so that every parser a
/// fixture exercises is measured, on the most realistic input the repository has.
fn largest_fixture_per_kind() -> Vec<(&'static str, SourceFile)> {
    let mut best: std::collections::BTreeMap<&'static str, SourceFile> = Default::default();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures are readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let (Some(kind), Ok(text)) =
                (FileKind::from_path(&path), std::fs::read_to_string(&path))
            else {
                continue;
            };
            let Some(kind) = kind.refine(&text) else {
                continue;
            };
            if best
                .get(kind.name())
                .is_none_or(|f| f.text.len() < text.len())
            {
                let file = SourceFile::new(path.display().to_string(), kind, text);
                best.insert(kind.name(), file);
            }
        }
    }
    best.into_iter().collect()
}

fn parsers(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, file) in largest_fixture_per_kind() {
        group.throughput(Throughput::Bytes(file.text.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(parse::parse(&file)).is_complete())
        });
    }
    group.finish();
}

fn check(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let options = scalelint::CheckOptions {
        paths: vec![dir.clone()],
        base: Some(dir),
        jobs: 1,
        ..Default::default()
    };
    c.bench_function("check fixtures/ (1 thread)", |b| {
        b.iter(|| scalelint::check(&options).map(|r| r.findings.len()))
    });
}

criterion_group!(benches, prefilter, parsers, check);
criterion_main!(benches);
