//! The language registry: one row per language or config format says which files are of its
//! kinds (extensions, exact names, path rules), which parser reads them, how their comments are
//! lexed, which paths hold its test code, which fence name its examples in `rules/*.md` carry, and
//! what each kind is called. Classification, parsing, comment lexing, test-code detection and the
//! docs harness read these rows, so adding a language is a `FileKind` variant, a row and its
//! parser; for a tree-sitter language the parser is only data (its [`Grammar`]).
//!
//! Lookups by kind are table reads: [`INDEX`] is built at compile time from the rows, and a kind
//! without a row, or with two, fails the build.

mod rows;

use crate::source::FileKind;
use crate::source::comments::CommentSyntax;
use std::path::Path;
use std::sync::OnceLock;

pub use rows::LANGUAGES;

/// One language or config format.
#[derive(Debug)]
pub struct Language {
    /// The row's name (`"typescript"` holds both TypeScript kinds).
    pub name: &'static str,
    /// Its file kinds, each with how its files are named and parsed.
    pub kinds: &'static [KindRow],
    /// How its comments and strings are lexed (for suppression directives).
    pub comments: &'static CommentSyntax,
    /// Where its test, example and benchmark code lives.
    pub test_code: TestCode,
    /// The fence name of its examples in the rule docs (```` ```ts bad file=… ````).
    pub fence: &'static str,
    /// Names no extension or exact name settles (`nginx.conf.j2`, `sites-enabled/shop`): tried in
    /// row order after every extension and name, so a row with specific names comes before one
    /// whose rule claims generic ones (Apache's `httpd.conf` before nginx's `*.conf`).
    pub by_path: Option<PathRule>,
}

/// A classification rule over a path and its lowercased file name.
pub type PathRule = fn(&Path, &str) -> Option<FileKind>;

/// One file kind of a language.
#[derive(Debug)]
pub struct KindRow {
    /// The kind.
    pub kind: FileKind,
    /// Its name in messages, statistics and `--timings`.
    pub name: &'static str,
    /// Extensions (lowercase, without the dot) that make a file of this kind.
    pub extensions: &'static [&'static str],
    /// Exact file names of this kind; a name spelled with capitals (`Cargo.toml`, `Gemfile`)
    /// matches only so spelled, a lowercase one in any case (`package.json`).
    pub file_names: &'static [&'static str],
    /// The parser that reads it.
    pub parser: ParserKind,
    /// Settles a path its extension claimed: another kind of the row (`compose.yaml`), or
    /// none (build output, declaration files, tool settings).
    pub refine_path: Option<PathRule>,
}

/// The parser family of a kind; `parse::parse` dispatches on it.
#[derive(Debug, Clone, Copy)]
pub enum ParserKind {
    /// A tree-sitter grammar (one runtime, one parser cache, one tree variant).
    TreeSitter(&'static Grammar),
    /// Rust through syn.
    Rust,
    /// nginx configuration (own tolerant parser).
    Nginx,
    /// HAProxy configuration (own tolerant parser).
    Haproxy,
    /// Apache httpd configuration (own tolerant parser).
    Apache,
    /// Terraform / OpenTofu HCL (hcl-edit).
    Hcl,
    /// Azure Bicep (own tolerant parser).
    Bicep,
    /// YAML into the data tree.
    Yaml,
    /// JSON (with comments) into the data tree.
    Json,
    /// TOML into the data tree.
    Toml,
    /// XML into the data tree (roxmltree).
    Xml,
    /// Java `.properties` into the data tree.
    Properties,
    /// INI into the data tree.
    Ini,
    /// `.env` files into the data tree.
    DotEnv,
    /// pip requirements files (own line reader).
    Requirements,
}

/// A tree-sitter grammar.
pub struct Grammar {
    /// Unique name; the thread's parser cache is keyed by it.
    pub name: &'static str,
    /// The parser family named in size-limit reasons (`JavaScript` for JS, TS and TSX alike).
    pub family: &'static str,
    /// The grammar itself.
    pub language: tree_sitter_language::LanguageFn,
    /// The node kinds that are comments.
    pub comment_nodes: &'static [&'static str],
}

impl std::fmt::Debug for Grammar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grammar").field("name", &self.name).finish()
    }
}

/// Where a language keeps test code. Directory names and suffixes count for every file (a test
/// tree holds fixtures of every format); file-name patterns count for the row's own files.
#[derive(Debug, Clone, Copy)]
pub struct TestCode {
    /// Directory names (lowercase) whose files are test code.
    pub dirs: &'static [&'static str],
    /// Directory name endings, case-sensitive (`.Tests`: a .NET test project).
    pub dir_suffixes: &'static [&'static str],
    /// File-name patterns.
    pub names: &'static [NamePattern],
}

/// A test file name. Lowercase patterns compare with the lowercased name; the stem is the name up
/// to its first dot.
#[derive(Debug, Clone, Copy)]
pub enum NamePattern {
    /// A dot-separated part after the stem: `test` marks `app.test.ts`.
    Mark(&'static str),
    /// The whole stem: `conftest`.
    Stem(&'static str),
    /// The stem's start: `test_` in `test_views.py`.
    StemPrefix(&'static str),
    /// The stem's end: `_spec` in `user_spec.rb`.
    StemSuffix(&'static str),
    /// The stem's end as spelled, after a lowercase letter or digit: `Test` in `UserTest.java`,
    /// `IT` in `OrderIT.java` (but not `AUDIT.java`, nor `Contest.java`).
    CamelSuffix(&'static str),
}

impl NamePattern {
    /// Whether a file name matches; `lower` is `name` lowercased.
    pub fn matches(&self, name: &str, lower: &str) -> bool {
        let lower_stem = lower.split('.').next().unwrap_or(lower);
        match *self {
            NamePattern::Mark(mark) => lower.split('.').skip(1).any(|p| p == mark),
            NamePattern::Stem(s) => lower_stem == s,
            NamePattern::StemPrefix(s) => lower_stem.starts_with(s),
            NamePattern::StemSuffix(s) => lower_stem.ends_with(s),
            NamePattern::CamelSuffix(s) => {
                let stem = name.split('.').next().unwrap_or(name);
                stem.strip_suffix(s)
                    .and_then(|head| head.chars().next_back())
                    .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            }
        }
    }
}

/// Where each kind's row is: `INDEX[kind as usize]` is (language, kind row).
pub const INDEX: [(usize, usize); KIND_COUNT] = index();

/// How many file kinds the rows hold (every [`FileKind`] once).
pub const KIND_COUNT: usize = count_kinds();

/// Every file kind, in row order.
pub const ALL_KINDS: [FileKind; KIND_COUNT] = all_kinds();

const fn count_kinds() -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < LANGUAGES.len() {
        n += LANGUAGES[i].kinds.len();
        i += 1;
    }
    n
}

const fn all_kinds() -> [FileKind; KIND_COUNT] {
    let mut out = [FileKind::JavaScript; KIND_COUNT];
    let mut n = 0;
    let mut i = 0;
    while i < LANGUAGES.len() {
        let mut j = 0;
        while j < LANGUAGES[i].kinds.len() {
            out[n] = LANGUAGES[i].kinds[j].kind;
            n += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

/// Builds [`INDEX`]; a kind in two rows, or a discriminant past the count (a kind in no row),
/// stops the build.
const fn index() -> [(usize, usize); KIND_COUNT] {
    let mut out = [(usize::MAX, usize::MAX); KIND_COUNT];
    let mut i = 0;
    while i < LANGUAGES.len() {
        let mut j = 0;
        while j < LANGUAGES[i].kinds.len() {
            let at = LANGUAGES[i].kinds[j].kind as usize;
            assert!(at < KIND_COUNT, "a file kind has no row in the registry");
            assert!(
                out[at].0 == usize::MAX,
                "a file kind has two rows in the registry"
            );
            out[at] = (i, j);
            j += 1;
        }
        i += 1;
    }
    out
}

/// The row of a kind's language.
pub fn language(kind: FileKind) -> &'static Language {
    &LANGUAGES[INDEX[kind as usize].0]
}

/// The row of a kind.
pub fn kind_row(kind: FileKind) -> &'static KindRow {
    let (l, k) = INDEX[kind as usize];
    &LANGUAGES[l].kinds[k]
}

/// The parser of a kind.
pub fn parser(kind: FileKind) -> ParserKind {
    kind_row(kind).parser
}

/// The tree-sitter grammar of a kind, if a tree-sitter grammar parses it.
pub fn grammar(kind: FileKind) -> Option<&'static Grammar> {
    match parser(kind) {
        ParserKind::TreeSitter(g) => Some(g),
        _ => None,
    }
}

/// The fence name of a kind's examples in the rule docs.
pub fn fence(kind: FileKind) -> &'static str {
    language(kind).fence
}

/// Classifies a path by the rows: exact names, then extensions (the kind's own path rule may
/// settle or refuse the file), then the rows' path rules in order.
pub fn classify(path: &Path) -> Option<FileKind> {
    // A name that is not UTF-8 is judged by its lossy form: the extension is what counts.
    let name = path.file_name()?.to_string_lossy();
    let lower = name.to_ascii_lowercase();
    let kinds = || LANGUAGES.iter().flat_map(|l| l.kinds);
    let named = kinds().find(|k| {
        k.file_names.iter().any(|n| {
            if n.bytes().any(|b| b.is_ascii_uppercase()) {
                *n == name
            } else {
                *n == lower
            }
        })
    });
    if let Some(k) = named {
        return Some(k.kind);
    }
    if let Some((_, ext)) = lower.rsplit_once('.')
        && let Some(k) = kinds().find(|k| k.extensions.contains(&ext))
    {
        return match k.refine_path {
            Some(rule) => rule(path, &lower),
            None => Some(k.kind),
        };
    }
    LANGUAGES
        .iter()
        .filter_map(|l| l.by_path)
        .find_map(|rule| rule(path, &lower))
}

/// Every row's test directory names, deduplicated (built once).
fn test_dirs() -> &'static [&'static str] {
    static DIRS: OnceLock<Vec<&'static str>> = OnceLock::new();
    DIRS.get_or_init(|| {
        let mut dirs: Vec<&'static str> = LANGUAGES
            .iter()
            .flat_map(|l| l.test_code.dirs.iter().copied())
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        dirs
    })
}

/// Whether a directory name marks test code (any row's directory names and suffixes).
pub fn is_test_dir(name: &str, lower: &str) -> bool {
    test_dirs().binary_search(&lower).is_ok()
        || LANGUAGES
            .iter()
            .flat_map(|l| l.test_code.dir_suffixes)
            .any(|s| name.ends_with(s))
}

/// Whether a file name is a test file of the language of `kind`.
pub fn is_test_file(kind: FileKind, name: &str, lower: &str) -> bool {
    language(kind)
        .test_code
        .names
        .iter()
        .any(|p| p.matches(name, lower))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_kind_has_exactly_one_row() {
        let mut seen = HashSet::new();
        for row in LANGUAGES {
            assert!(!row.kinds.is_empty(), "{} has no kind", row.name);
            for k in row.kinds {
                assert!(seen.insert(k.kind), "{:?} in two rows", k.kind);
                assert_eq!(kind_row(k.kind).kind, k.kind);
                assert_eq!(language(k.kind).name, row.name);
            }
        }
        assert_eq!(seen.len(), KIND_COUNT);
        assert_eq!(FileKind::ALL.len(), KIND_COUNT);
        for kind in FileKind::ALL {
            assert!(seen.contains(kind), "{kind:?} has no row");
        }
    }

    #[test]
    fn no_extension_or_name_is_claimed_twice() {
        let mut extensions = HashSet::new();
        let mut names = HashSet::new();
        for k in LANGUAGES.iter().flat_map(|l| l.kinds) {
            for ext in k.extensions {
                assert_eq!(*ext, ext.to_ascii_lowercase(), "{ext} is not lowercase");
                assert!(!ext.starts_with('.'), "{ext} has its dot");
                assert!(extensions.insert(*ext), ".{ext} claimed twice");
            }
            for name in k.file_names {
                assert!(
                    names.insert(name.to_ascii_lowercase()),
                    "{name} claimed twice"
                );
            }
        }
    }

    #[test]
    fn every_row_has_comments_a_parser_a_fence_and_names() {
        let mut fences = HashSet::new();
        let mut rows = HashSet::new();
        let mut grammars = HashSet::new();
        for row in LANGUAGES {
            assert!(rows.insert(row.name), "row {} twice", row.name);
            assert!(!row.fence.is_empty(), "{} has no fence name", row.name);
            assert!(fences.insert(row.fence), "fence {} twice", row.fence);
            let c = row.comments;
            assert!(
                !c.line.is_empty() || !c.block.is_empty(),
                "{} has no comment syntax",
                row.name
            );
            for k in row.kinds {
                assert!(!k.name.is_empty(), "{:?} has no name", k.kind);
                if let ParserKind::TreeSitter(g) = k.parser {
                    assert!(
                        !g.comment_nodes.is_empty(),
                        "{} has no comment node",
                        g.name
                    );
                    let language: tree_sitter::Language = g.language.into();
                    let mut parser = tree_sitter::Parser::new();
                    assert!(parser.set_language(&language).is_ok(), "{}", g.name);
                    for node in g.comment_nodes {
                        assert!(
                            language.id_for_node_kind(node, true) != 0,
                            "{} has no {node} node",
                            g.name
                        );
                    }
                    // The name keys the parser cache: two grammars sharing one would share a
                    // parser.
                    assert!(grammars.insert(g.name), "grammar name {} twice", g.name);
                }
            }
        }
    }

    #[test]
    fn all_kinds_follow_the_rows() {
        let flat: Vec<FileKind> = LANGUAGES
            .iter()
            .flat_map(|l| l.kinds.iter().map(|k| k.kind))
            .collect();
        assert_eq!(flat, ALL_KINDS);
    }

    #[test]
    fn name_patterns() {
        let m = |p: NamePattern, name: &str| p.matches(name, &name.to_ascii_lowercase());
        assert!(m(NamePattern::CamelSuffix("Test"), "UserTest.java"));
        assert!(m(NamePattern::CamelSuffix("IT"), "OrderIT.java"));
        assert!(m(NamePattern::CamelSuffix("IT"), "Order2IT.kt"));
        assert!(!m(NamePattern::CamelSuffix("IT"), "AUDIT.java"));
        assert!(!m(NamePattern::CamelSuffix("Test"), "Contest.java"));
        assert!(!m(NamePattern::CamelSuffix("Test"), "Test.java"));
        assert!(m(NamePattern::Mark("test"), "app.test.ts"));
        assert!(!m(NamePattern::Mark("test"), "test.ts"));
        assert!(m(NamePattern::StemSuffix("_spec"), "user_spec.rb"));
        assert!(m(NamePattern::StemPrefix("test_"), "test_views.py"));
        assert!(m(NamePattern::Stem("conftest"), "conftest.py"));
    }
}
