//! What each fuzz target does with one input. Shared, by `#[path]`, between the cargo-fuzz
//! binaries (`fuzz/fuzz_targets/*.rs`) and the stable harness that `cargo test` runs
//! (`tests/fuzz.rs`), so a crash that libFuzzer finds replays the same way under `cargo test`.
//!
//! Every target goes through the library's per-file path the way the engine does: decode, refine
//! the kind by content, lex comments, parse suppressions, parse once, run every detector of the
//! kind, and check that every finding points inside the file.

use scalelint::detectors::{DETECTORS, FileModel};
use scalelint::parse::{self, Parsed};
use scalelint::project::Sink;
use scalelint::rules::RULES;
use scalelint::source::{FileKind, SourceFile, comment_ranges};
use scalelint::suppress::Suppressions;

/// A fuzz target: its name (the cargo-fuzz binary and the regression directory) and its body.
pub struct Target {
    /// The cargo-fuzz target name.
    pub name: &'static str,
    /// The kind a fixture must have to seed this target (none: every fixture seeds it).
    pub seeds: &'static [FileKind],
    /// Runs one input; panics on a bug.
    pub run: fn(&[u8]),
}

/// Every kind the pipeline target can pick with its first byte.
pub const ALL_KINDS: &[FileKind] = FileKind::ALL;

/// The targets, one per parser family (the data-tree readers without a file kind called
/// directly), plus the whole per-file pipeline, the suppression parser and the config loader.
pub const TARGETS: &[Target] = &[
    Target {
        name: "js",
        seeds: &[FileKind::JavaScript],
        run: |d| file(FileKind::JavaScript, d),
    },
    Target {
        name: "ts",
        seeds: &[FileKind::TypeScript],
        run: |d| file(FileKind::TypeScript, d),
    },
    Target {
        name: "tsx",
        seeds: &[FileKind::Tsx, FileKind::TypeScript, FileKind::JavaScript],
        run: |d| file(FileKind::Tsx, d),
    },
    Target {
        name: "python",
        seeds: &[FileKind::Python],
        run: |d| file(FileKind::Python, d),
    },
    Target {
        name: "rust",
        seeds: &[FileKind::Rust],
        run: |d| file(FileKind::Rust, d),
    },
    Target {
        name: "yaml",
        seeds: &[FileKind::Yaml, FileKind::Compose],
        run: yaml,
    },
    Target {
        name: "json",
        seeds: &[FileKind::Json, FileKind::PackageJson],
        run: json,
    },
    Target {
        name: "toml",
        seeds: &[
            FileKind::MaybeTraefikToml,
            FileKind::TraefikToml,
            FileKind::CargoManifest,
        ],
        run: toml,
    },
    Target {
        name: "hcl",
        seeds: &[FileKind::Hcl],
        run: |d| file(FileKind::Hcl, d),
    },
    Target {
        name: "nginx",
        seeds: &[FileKind::Nginx, FileKind::MaybeNginx],
        run: |d| file(FileKind::Nginx, d),
    },
    Target {
        name: "haproxy",
        seeds: &[FileKind::Haproxy, FileKind::MaybeHaproxy],
        run: |d| file(FileKind::Haproxy, d),
    },
    Target {
        name: "apache",
        seeds: &[FileKind::Apache, FileKind::MaybeNginx],
        run: |d| file(FileKind::Apache, d),
    },
    Target {
        name: "bicep",
        seeds: &[FileKind::Bicep],
        run: |d| file(FileKind::Bicep, d),
    },
    Target {
        name: "xml",
        seeds: &[],
        run: |d| reader(scalelint::parse::xml::parse, d),
    },
    Target {
        name: "properties",
        seeds: &[],
        run: |d| reader(scalelint::parse::properties::parse, d),
    },
    Target {
        name: "ini",
        seeds: &[],
        run: |d| reader(scalelint::parse::ini::parse, d),
    },
    Target {
        name: "env",
        seeds: &[],
        run: |d| reader(scalelint::parse::env::parse, d),
    },
    Target {
        name: "pipeline",
        seeds: &[],
        run: pipeline,
    },
    Target {
        name: "suppress",
        seeds: &[],
        run: suppress,
    },
    Target {
        name: "config",
        seeds: &[FileKind::MaybeTraefikToml, FileKind::CargoManifest],
        run: config,
    },
];

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The text the engine would analyse: fuzz input is bytes, files are read as UTF-8.
fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// The first byte picks among `kinds`, the rest is the file.
fn pick(kinds: &[FileKind], data: &[u8]) -> (FileKind, String) {
    match data.split_first() {
        Some((first, rest)) => (kinds[usize::from(*first) % kinds.len()], text(rest)),
        None => (kinds[0], String::new()),
    }
}

/// Prefixes `text` with the selector byte that makes [`pick`] choose `kind` from `kinds`.
pub fn with_selector(kinds: &[FileKind], kind: FileKind, text: &[u8]) -> Vec<u8> {
    let at = kinds.iter().position(|k| *k == kind).unwrap_or(0);
    let mut out = Vec::with_capacity(text.len() + 1);
    out.push(u8::try_from(at).unwrap_or(0));
    out.extend_from_slice(text);
    out
}

/// YAML: plain YAML or a Compose file.
pub const YAML_KINDS: &[FileKind] = &[FileKind::Yaml, FileKind::Compose];
/// JSON: infrastructure JSON or an npm manifest.
pub const JSON_KINDS: &[FileKind] = &[FileKind::Json, FileKind::PackageJson];
/// TOML: Traefik (by content or known) or a Cargo manifest.
pub const TOML_KINDS: &[FileKind] = &[
    FileKind::TraefikToml,
    FileKind::MaybeTraefikToml,
    FileKind::CargoManifest,
];

fn yaml(data: &[u8]) {
    let (kind, text) = pick(YAML_KINDS, data);
    analyse(kind, text);
}

fn json(data: &[u8]) {
    let (kind, text) = pick(JSON_KINDS, data);
    analyse(kind, text);
}

fn toml(data: &[u8]) {
    let (kind, text) = pick(TOML_KINDS, data);
    analyse(kind, text);
}

fn file(kind: FileKind, data: &[u8]) {
    analyse(kind, text(data));
}

fn pipeline(data: &[u8]) {
    let (kind, text) = pick(ALL_KINDS, data);
    analyse(kind, text);
}

fn suppress(data: &[u8]) {
    let (kind, text) = pick(ALL_KINDS, data);
    let Some(kind) = kind.refine(&text) else {
        return;
    };
    let file = SourceFile::new("fuzz".into(), kind, text);
    let mut suppressions = Suppressions::parse(&file);
    let lines = file.lines.line_count();
    for (line, rule) in (0..lines).zip(RULES.iter().cycle()) {
        let _ = suppressions.suppresses(rule, line);
    }
    for note in suppressions.notes(RULES) {
        assert!(
            (1..=lines.max(1)).contains(&note.line),
            "directive note on line {} of a {lines}-line file",
            note.line
        );
        assert!(!note.message.is_empty(), "a directive note says something");
    }
}

fn config(data: &[u8]) {
    let text = text(data);
    let _ = scalelint::config::parse_size(&text);
    if let Ok(config) = scalelint::config::parse(&text)
        && let Some(size) = config.max_file_size
    {
        let _ = size.bytes();
    }
}

/// Examples in the formats of the data-tree readers that have no file kind yet (no fixture is
/// read as one), added to the fixtures that seed their targets.
pub fn examples(name: &str) -> &'static [&'static str] {
    match name {
        "xml" => &[
            "<?xml version=\"1.0\"?>\n<!DOCTYPE beans [<!ENTITY e \"x\">]>\n<project xmlns=\"urn:p\" a='1'>\n  <!-- c -->\n  <dependencies><dependency scope=\"test\">&e;<id>a</id></dependency><dependency/></dependencies>\n  <x:y xmlns:x=\"urn:x\"><![CDATA[raw <text>]]></x:y>\n</project>\n",
            "<configuration><system.web><sessionState mode=\"InProc\" timeout=\"20\" /></system.web></configuration>",
        ],
        "properties" => &[
            "# c\n! c\nspring.session.store-type=redis\nserver.port: 8080\nkey value \\\n   continued\nu=\\u00e9\\t\n",
        ],
        "ini" => &[
            "; c\n[metadata]\nname = shop\n[options]\ninstall_requires =\n    flask\n    redis ; why\n[Session]\nsession.save_handler = \"files\"\nbare\n",
        ],
        "env" => {
            &["# c\nSESSION_DRIVER=file\nexport A = b # c\nQ='x # y'\nD=\"l1\\nl2\n l3\"\nB=`t`\n"]
        }
        _ => &[],
    }
}

/// A data-tree reader on `data`: every span and error offset lies inside the text, on character
/// boundaries.
fn reader(parse: fn(&str) -> scalelint::parse::tree::Documents, data: &[u8]) {
    let text = text(data);
    let docs = parse(&text);
    let inside = |at: usize| at <= text.len() && text.is_char_boundary(at);
    for (at, msg) in &docs.errors {
        assert!(
            inside(*at),
            "error offset {at} ({msg}) outside {} bytes",
            text.len()
        );
    }
    if let Some((Some(at), _)) = &docs.refused {
        assert!(inside(*at), "refused at {at}");
    }
    for doc in &docs.docs {
        for node in doc.walk() {
            let span = &node.span;
            assert!(
                span.start <= span.end && inside(span.start) && inside(span.end),
                "node span {span:?} in a text of {} bytes",
                text.len()
            );
        }
    }
}

/// The engine's per-file path on `text` as a file of `kind`.
pub fn analyse(kind: FileKind, text: String) {
    let Some(kind) = kind.refine(&text) else {
        return;
    };
    let file = SourceFile::new("fuzz".into(), kind, text);
    for range in comment_ranges(&file.text, kind) {
        assert!(range.start <= range.end && range.end <= file.text.len());
    }
    let _ = Suppressions::parse(&file);
    let tree = match parse::parse(&file) {
        Parsed::Complete(tree) | Parsed::Partial(tree, ..) => tree,
        Parsed::Failed(at, _) => {
            if let Some(at) = at {
                let _ = file.lines.position(at, &file.text);
            }
            return;
        }
    };
    let mut out = Sink::default();
    let model = FileModel::new(&file, &tree, &mut out);
    for d in DETECTORS.iter().filter(|d| d.kinds().contains(&kind)) {
        model.check(*d, &mut out);
    }
    for diag in out.diagnostics {
        assert!(
            diag.span.start <= diag.span.end && diag.span.end <= file.text.len(),
            "finding span {:?} outside a file of {} bytes",
            diag.span,
            file.text.len()
        );
        let _ = file.lines.position(diag.span.end, &file.text);
    }
}
