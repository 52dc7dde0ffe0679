//! Where a file's comments are, so that `"// scalelint: ignore"` inside a string (or JSX text, or a
//! YAML block scalar) is not a comment. Used for suppression directives only: detectors read the
//! parse trees.
//!
//! Kinds that a tree-sitter grammar parses (JS/TS, Python, Java, Kotlin, C#, Ruby, PHP, Go) take
//! their comments from the parse tree, which says exactly which ranges are comments (JSX text and
//! template literals are not). Every other syntax, and those when the tree is not to be had, goes
//! through one lexer driven by a [`CommentSyntax`] row (its line and block comments, string forms
//! with their escape rules, and the few special forms: raw strings, heredocs, YAML block
//! scalars); the language registry (`crate::lang`) names each kind's row, so a new language is
//! one row. The lexer is one linear pass that allocates only for the ranges it returns.

use super::FileKind;
use crate::parse::SyntaxTree;
use std::ops::Range;

/// Where a line comment or a string may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Anywhere outside other tokens.
    Anywhere,
    /// At the start of a line or after a blank (YAML's `#`).
    AfterBlank,
    /// At the start of a word: after a blank or `;`, `{`, `}` (nginx).
    WordStart,
    /// Only as the first non-blank of a line, a line continued with `\` not counting (Apache).
    LineStart,
    /// Where a YAML node may start: a line's start, after `: `, `- `, `? `, `[`, `{`, `,`, or after
    /// a tag or anchor there.
    YamlNode,
}

/// A comment that runs to the end of the line.
#[derive(Debug, Clone, Copy)]
pub struct LineComment {
    /// What opens it.
    pub open: &'static str,
    /// Where it may start.
    pub at: Start,
    /// A byte that, right after `open`, makes it something else (PHP's `#[` attribute).
    pub not_before: Option<u8>,
}

/// A delimited comment.
#[derive(Debug, Clone, Copy)]
pub struct BlockComment {
    /// What opens it.
    pub open: &'static str,
    /// What closes it.
    pub close: &'static str,
    /// Whether an inner `open` needs its own `close` (Rust).
    pub nests: bool,
    /// Whether `open` and `close` count only at the start of a line, the comment then running to
    /// the end of the closing line (Ruby's `=begin` / `=end`).
    pub at_line_start: bool,
}

/// How a string escapes its closing delimiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// A backslash escapes the next byte.
    Backslash,
    /// The closing delimiter written twice is a literal one (`''` in YAML, `""` in C#'s `@"…"`).
    Doubled,
    /// Nothing is escaped.
    Never,
}

/// A string literal form.
#[derive(Debug, Clone, Copy)]
pub struct StringForm {
    /// What opens it.
    pub open: &'static str,
    /// What closes it.
    pub close: &'static str,
    /// How the close is escaped.
    pub escape: Escape,
    /// Whether it may span lines (an unterminated single-line string ends at its line).
    pub multiline: bool,
    /// Where it may start.
    pub at: Start,
    /// What opens an interpolated expression (closed by the matching `}`), in which code, strings
    /// and comments are lexed again (`${` in JS templates, HCL and Bicep; `#{` in Ruby).
    pub interpolation: &'static [&'static str],
    /// Sequences inside the string that are literal text (HCL's `$${`, C#'s `{{`).
    pub literal: &'static [&'static str],
}

/// A heredoc: `open`, an optional flag, an optionally quoted tag, the body lines, and a line that
/// starts with the tag (after blanks).
#[derive(Debug, Clone, Copy)]
pub struct Heredoc {
    /// What opens it (`<<`, PHP's `<<<`).
    pub open: &'static str,
    /// Flags allowed right after `open` (`-` and `~` for indented heredocs).
    pub flags: &'static [u8],
}

/// The comment syntax of one language: one row drives the lexer.
#[derive(Debug, Clone, Copy)]
pub struct CommentSyntax {
    /// Line comments.
    pub line: &'static [LineComment],
    /// Block comments.
    pub block: &'static [BlockComment],
    /// String forms, tried in order (longer opens first).
    pub strings: &'static [StringForm],
    /// Heredocs, if the language has them.
    pub heredoc: Option<Heredoc>,
    /// Rust raw strings (`r"…"`, `br#"…"#`) and char literals beside lifetimes (`'a'`, `'a`).
    pub rust_literals: bool,
    /// YAML block scalars (`key: |`, `- >-`): their indented lines are text.
    pub yaml_block_scalars: bool,
    /// A backslash outside strings escapes the next byte (HAProxy's `\#`).
    pub escape_outside: bool,
}

const fn line(open: &'static str, at: Start) -> LineComment {
    LineComment {
        open,
        at,
        not_before: None,
    }
}

const fn block(open: &'static str, close: &'static str, nests: bool) -> BlockComment {
    BlockComment {
        open,
        close,
        nests,
        at_line_start: false,
    }
}

const fn string(open: &'static str, escape: Escape, multiline: bool) -> StringForm {
    StringForm {
        open,
        close: open,
        escape,
        multiline,
        at: Start::Anywhere,
        interpolation: &[],
        literal: &[],
    }
}

const fn interpolated(
    open: &'static str,
    escape: Escape,
    multiline: bool,
    interpolation: &'static [&'static str],
) -> StringForm {
    StringForm {
        interpolation,
        ..string(open, escape, multiline)
    }
}

const fn at(form: StringForm, at: Start) -> StringForm {
    StringForm { at, ..form }
}

const NONE: CommentSyntax = CommentSyntax {
    line: &[],
    block: &[],
    strings: &[],
    heredoc: None,
    rust_literals: false,
    yaml_block_scalars: false,
    escape_outside: false,
};

const SLASHES: &[LineComment] = &[line("//", Start::Anywhere)];
const C_BLOCK: &[BlockComment] = &[block("/*", "*/", false)];
const HASH: &[LineComment] = &[line("#", Start::Anywhere)];

/// JavaScript / TypeScript, when tree-sitter cannot parse: `//`, `/* */`, quotes and template
/// literals with `${…}`.
pub const JAVASCRIPT: CommentSyntax = CommentSyntax {
    line: SLASHES,
    block: C_BLOCK,
    strings: &[
        string("\"", Escape::Backslash, false),
        string("'", Escape::Backslash, false),
        interpolated("`", Escape::Backslash, true, &["${"]),
    ],
    ..NONE
};

/// Python, when tree-sitter cannot parse: `#`, and single or triple quotes (any prefix).
pub const PYTHON: CommentSyntax = CommentSyntax {
    line: HASH,
    strings: &[
        string("\"\"\"", Escape::Backslash, true),
        string("'''", Escape::Backslash, true),
        string("\"", Escape::Backslash, false),
        string("'", Escape::Backslash, false),
    ],
    ..NONE
};

/// Rust: `//`, nested `/* */`, strings, raw strings, chars beside lifetimes.
pub const RUST: CommentSyntax = CommentSyntax {
    line: SLASHES,
    block: &[block("/*", "*/", true)],
    strings: &[string("\"", Escape::Backslash, true)],
    rust_literals: true,
    ..NONE
};

/// JSON with comments: `//`, `/* */`, double quotes.
pub const JSONC: CommentSyntax = CommentSyntax {
    line: SLASHES,
    block: C_BLOCK,
    strings: &[string("\"", Escape::Backslash, false)],
    ..NONE
};

/// nginx: `#` at the start of a word; quotes open at the start of a word and may span lines.
pub const NGINX: CommentSyntax = CommentSyntax {
    line: &[line("#", Start::WordStart)],
    strings: &[
        at(string("\"", Escape::Backslash, true), Start::WordStart),
        at(string("'", Escape::Backslash, true), Start::WordStart),
    ],
    ..NONE
};

/// HAProxy: `#` anywhere outside quotes unless escaped (`\#`); `"…"` with escapes, `'…'` without.
pub const HAPROXY: CommentSyntax = CommentSyntax {
    line: HASH,
    strings: &[
        string("\"", Escape::Backslash, false),
        string("'", Escape::Never, false),
    ],
    escape_outside: true,
    ..NONE
};

/// Apache httpd: `#` only as the first non-blank of a line (a `#` after a directive is one of its
/// arguments, and a line continued with `\` is not a line start).
pub const APACHE: CommentSyntax = CommentSyntax {
    line: &[line("#", Start::LineStart)],
    ..NONE
};

/// HCL: `#`, `//`, `/* */`, `"…"` with `${…}` / `%{…}` (and `$${` literal), heredocs.
pub const HCL: CommentSyntax = CommentSyntax {
    line: &[line("#", Start::Anywhere), line("//", Start::Anywhere)],
    block: C_BLOCK,
    strings: &[StringForm {
        literal: &["$${", "%%{"],
        ..interpolated("\"", Escape::Backslash, false, &["${", "%{"])
    }],
    heredoc: Some(Heredoc {
        open: "<<",
        flags: b"-",
    }),
    ..NONE
};

/// Bicep: `//`, `/* */`, `'…'` with `${…}`, `'''…'''` verbatim multi-line strings.
pub const BICEP: CommentSyntax = CommentSyntax {
    line: SLASHES,
    block: C_BLOCK,
    strings: &[
        string("'''", Escape::Never, true),
        interpolated("'", Escape::Backslash, false, &["${"]),
    ],
    ..NONE
};

/// YAML: `#` after a blank; quoted scalars where a node starts (`'…'` with `''`, `"…"` with
/// backslashes, both multi-line); block scalars.
pub const YAML: CommentSyntax = CommentSyntax {
    line: &[line("#", Start::AfterBlank)],
    strings: &[
        at(string("\"", Escape::Backslash, true), Start::YamlNode),
        at(string("'", Escape::Doubled, true), Start::YamlNode),
    ],
    yaml_block_scalars: true,
    ..NONE
};

/// TOML: `#` anywhere outside strings; basic and literal strings, single- and multi-line.
pub const TOML: CommentSyntax = CommentSyntax {
    line: HASH,
    strings: &[
        string("\"\"\"", Escape::Backslash, true),
        string("'''", Escape::Never, true),
        string("\"", Escape::Backslash, false),
        string("'", Escape::Never, false),
    ],
    ..NONE
};

/// Java (and Kotlin-like C syntax): `//`, `/* */`, text blocks `"""…"""`, strings, chars.
pub const JAVA: CommentSyntax = CommentSyntax {
    line: SLASHES,
    block: C_BLOCK,
    strings: &[
        string("\"\"\"", Escape::Backslash, true),
        string("\"", Escape::Backslash, false),
        string("'", Escape::Backslash, false),
    ],
    ..NONE
};

/// Kotlin: Java's syntax, but block comments nest and `"…"` / `"""…"""` interpolate `${…}`
/// (raw strings escape nothing).
pub const KOTLIN: CommentSyntax = CommentSyntax {
    line: SLASHES,
    block: &[block("/*", "*/", true)],
    strings: &[
        interpolated("\"\"\"", Escape::Never, true, &["${"]),
        interpolated("\"", Escape::Backslash, false, &["${"]),
        string("'", Escape::Backslash, false),
    ],
    ..NONE
};

/// C#: `//`, `/* */`, raw `"""…"""`, verbatim `@"…"` (`""` escapes), interpolated `$"…{x}…"`.
pub const CSHARP: CommentSyntax = CommentSyntax {
    line: SLASHES,
    block: C_BLOCK,
    strings: &[
        StringForm {
            close: "\"",
            literal: &["{{", "}}"],
            ..interpolated("$@\"", Escape::Doubled, true, &["{"])
        },
        StringForm {
            close: "\"",
            literal: &["{{", "}}"],
            ..interpolated("@$\"", Escape::Doubled, true, &["{"])
        },
        StringForm {
            close: "\"",
            literal: &["{{", "}}"],
            ..interpolated("$\"", Escape::Backslash, false, &["{"])
        },
        StringForm {
            close: "\"",
            ..string("@\"", Escape::Doubled, true)
        },
        string("\"\"\"", Escape::Never, true),
        string("\"", Escape::Backslash, false),
        string("'", Escape::Backslash, false),
    ],
    ..NONE
};

/// Go: `//`, `/* */`, interpreted strings, runes, raw `` `…` `` strings.
pub const GO: CommentSyntax = CommentSyntax {
    line: SLASHES,
    block: C_BLOCK,
    strings: &[
        string("`", Escape::Never, true),
        string("\"", Escape::Backslash, false),
        string("'", Escape::Backslash, false),
    ],
    ..NONE
};

/// Ruby: `#`, `=begin` / `=end` at line starts, strings with `#{…}`, heredocs (`<<~EOS`).
pub const RUBY: CommentSyntax = CommentSyntax {
    line: HASH,
    block: &[BlockComment {
        open: "=begin",
        close: "=end",
        nests: false,
        at_line_start: true,
    }],
    strings: &[
        interpolated("\"", Escape::Backslash, true, &["#{"]),
        interpolated("`", Escape::Backslash, true, &["#{"]),
        string("'", Escape::Backslash, true),
    ],
    heredoc: Some(Heredoc {
        open: "<<",
        flags: b"-~",
    }),
    ..NONE
};

/// PHP: `//`, `#` (not `#[`, an attribute), `/* */`, quotes, heredocs and nowdocs (`<<<EOT`).
pub const PHP: CommentSyntax = CommentSyntax {
    line: &[
        line("//", Start::Anywhere),
        LineComment {
            open: "#",
            at: Start::Anywhere,
            not_before: Some(b'['),
        },
    ],
    block: C_BLOCK,
    strings: &[
        string("\"", Escape::Backslash, true),
        string("'", Escape::Backslash, true),
    ],
    heredoc: Some(Heredoc {
        open: "<<<",
        flags: b"",
    }),
    ..NONE
};

/// XML (and HTML): `<!-- -->`; CDATA sections are text.
pub const XML: CommentSyntax = CommentSyntax {
    block: &[block("<!--", "-->", false)],
    strings: &[StringForm {
        close: "]]>",
        ..string("<![CDATA[", Escape::Never, true)
    }],
    ..NONE
};

/// Java `.properties`: `#` or `!` as a line's first non-blank; no strings.
pub const PROPERTIES: CommentSyntax = CommentSyntax {
    line: &[line("#", Start::LineStart), line("!", Start::LineStart)],
    ..NONE
};

/// INI: `;` or `#` as a line's first non-blank, or after a blank (inline comments).
pub const INI: CommentSyntax = CommentSyntax {
    line: &[line(";", Start::AfterBlank), line("#", Start::AfterBlank)],
    strings: &[string("\"", Escape::Backslash, false)],
    ..NONE
};

/// `.env`: `#` at a line's start or after a blank; quoted values may hold `#`.
pub const DOTENV: CommentSyntax = CommentSyntax {
    line: &[line("#", Start::AfterBlank)],
    strings: &[
        string("\"", Escape::Backslash, true),
        string("'", Escape::Never, true),
    ],
    ..NONE
};

/// pip requirements: `#` at the start of a line or after a blank (`url#egg=x` is no comment).
pub const REQUIREMENTS: CommentSyntax = CommentSyntax {
    line: &[line("#", Start::AfterBlank)],
    ..NONE
};

/// The lexer row of a file kind, from its language's row (kinds with a tree-sitter grammar use
/// it only when the tree cannot be had).
pub fn syntax(kind: FileKind) -> &'static CommentSyntax {
    crate::lang::language(kind).comments
}

/// Whether the kind's comments come from its tree-sitter parse tree.
pub fn has_tree(kind: FileKind) -> bool {
    crate::lang::grammar(kind).is_some()
}

/// The byte ranges of every comment in `text` (delimiters included), in order. Kinds with a
/// tree-sitter grammar are parsed for this; callers holding the tree use [`tree_comment_ranges`].
pub fn comment_ranges(text: &str, kind: FileKind) -> Vec<Range<usize>> {
    match crate::parse::treesitter::parse_kind(kind, text) {
        Some(tree) => tree_comment_ranges(&tree),
        None => lex(text, syntax(kind)),
    }
}

/// Every comment node of a tree-sitter tree, in order.
pub fn tree_comment_ranges(tree: &SyntaxTree) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut cursor = tree.tree.walk();
    'walk: loop {
        let node = cursor.node();
        if tree.is_comment(node) {
            out.push(node.byte_range());
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    out
}

/// The comment of a tree-sitter tree that contains `span`, if `span` is inside one.
pub fn tree_comment_at(tree: &SyntaxTree, span: Range<usize>) -> Option<Range<usize>> {
    let node = tree
        .root_node()
        .descendant_for_byte_range(span.start, span.end)?;
    (tree.is_comment(node) && node.start_byte() <= span.start && span.end <= node.end_byte())
        .then(|| node.byte_range())
}

/// The comments of `text` by the lexer row `syntax`: one pass, in order.
pub fn lex(text: &str, syntax: &CommentSyntax) -> Vec<Range<usize>> {
    Lexer::new(text.as_bytes(), syntax).run()
}

/// How a string scan ended.
enum StringEnd {
    /// Just after the close (or where an unterminated string stops).
    Closed(usize),
    /// Just after an interpolation's open: code follows until the matching `}`.
    Interpolation(usize),
}

struct Lexer<'a> {
    b: &'a [u8],
    syntax: &'a CommentSyntax,
    /// The bytes at which some token of the row may start.
    interesting: [bool; 256],
    /// Per string form (by index in the row), the bytes its scan must stop at.
    stops: Vec<[bool; 256]>,
    out: Vec<Range<usize>>,
    /// Open interpolations: the string to resume (by index) and the brace depth inside.
    stack: Vec<(usize, u32)>,
}

fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r')
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'a> Lexer<'a> {
    fn new(b: &'a [u8], syntax: &'a CommentSyntax) -> Self {
        let mut interesting = [false; 256];
        let mut mark = |s: &str| {
            if let Some(&c) = s.as_bytes().first() {
                interesting[usize::from(c)] = true;
            }
        };
        syntax.line.iter().for_each(|l| mark(l.open));
        syntax.block.iter().for_each(|k| mark(k.open));
        syntax.strings.iter().for_each(|s| mark(s.open));
        if let Some(h) = &syntax.heredoc {
            mark(h.open);
        }
        if syntax.rust_literals {
            mark("r");
            mark("'");
        }
        if syntax.yaml_block_scalars {
            mark("|");
            mark(">");
        }
        if syntax.escape_outside {
            mark("\\");
        }
        if syntax.strings.iter().any(|s| !s.interpolation.is_empty()) {
            mark("{");
            mark("}");
        }
        let stops = syntax
            .strings
            .iter()
            .map(|s| {
                let mut stop = [false; 256];
                let firsts = [s.close, "\\", "\n"]
                    .into_iter()
                    .chain(s.literal.iter().copied())
                    .chain(s.interpolation.iter().copied());
                for first in firsts.filter_map(|t| t.as_bytes().first()) {
                    stop[usize::from(*first)] = true;
                }
                stop
            })
            .collect();
        Lexer {
            b,
            syntax,
            interesting,
            stops,
            out: Vec::new(),
            stack: Vec::new(),
        }
    }

    fn at(&self, i: usize, s: &str) -> bool {
        self.b[i..].starts_with(s.as_bytes())
    }

    fn line_end(&self, from: usize) -> usize {
        self.b[from..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |p| from + p)
    }

    fn run(mut self) -> Vec<Range<usize>> {
        let b = self.b;
        let mut i = 0;
        while i < b.len() {
            if !self.interesting[usize::from(b[i])] {
                i += 1;
                continue;
            }
            i = self.token(i);
        }
        self.out
    }

    /// Lexes the token that may start at `i` (an interesting byte); returns where to go on.
    fn token(&mut self, i: usize) -> usize {
        let b = self.b;
        let syntax = self.syntax;
        let c = b[i];
        if let Some((_, depth)) = self.stack.last_mut() {
            if c == b'{' {
                *depth += 1;
                return i + 1;
            }
            if c == b'}' {
                *depth -= 1;
                if *depth == 0
                    && let Some((form, _)) = self.stack.pop()
                {
                    return self.string_body(form, i + 1);
                }
                return i + 1;
            }
        }
        if syntax.escape_outside && c == b'\\' {
            return (i + 2).min(b.len());
        }
        for k in syntax.block {
            if self.at(i, k.open) && (!k.at_line_start || i == 0 || b[i - 1] == b'\n') {
                let end = self.block_end(k, i);
                self.out.push(i..end);
                return end;
            }
        }
        for l in syntax.line {
            if self.at(i, l.open)
                && self.may_start(l.at, i)
                && l.not_before
                    .is_none_or(|nb| b.get(i + l.open.len()) != Some(&nb))
            {
                let end = self.line_end(i);
                self.out.push(i..end);
                return end;
            }
        }
        if let Some(h) = &syntax.heredoc
            && self.at(i, h.open)
            && let Some(end) = self.heredoc_end(h, i)
        {
            return end;
        }
        if syntax.rust_literals && c == b'r' && raw_string_start(b, i) {
            return skip_raw_string(b, i);
        }
        for (k, s) in syntax.strings.iter().enumerate() {
            if self.at(i, s.open) && self.may_start(s.at, i) {
                return self.string_body(k, i + s.open.len());
            }
        }
        if syntax.rust_literals && c == b'\'' {
            return skip_rust_char(b, i);
        }
        if syntax.yaml_block_scalars
            && matches!(c, b'|' | b'>')
            && let Some(end) = self.block_scalar(i)
        {
            return end;
        }
        i + 1
    }

    /// Whether a token may start at `i` under the rule `at`.
    fn may_start(&self, at: Start, i: usize) -> bool {
        let b = self.b;
        let prev = if i == 0 { b'\n' } else { b[i - 1] };
        match at {
            Start::Anywhere => true,
            Start::AfterBlank => prev == b'\n' || is_blank(prev),
            Start::WordStart => {
                prev == b'\n' || is_blank(prev) || matches!(prev, b';' | b'{' | b'}')
            }
            Start::LineStart => {
                let mut j = i;
                while j > 0 && is_blank(b[j - 1]) {
                    j -= 1;
                }
                if j == 0 {
                    return true;
                }
                if b[j - 1] != b'\n' {
                    return false;
                }
                // A line ending in a backslash continues onto this one.
                let mut k = j - 1;
                while k > 0 && b[k - 1] == b'\r' {
                    k -= 1;
                }
                k == 0 || b[k - 1] != b'\\'
            }
            Start::YamlNode => yaml_node_start(b, i),
        }
    }

    /// The end of a block comment opened at `i` (the end of the text if it is unterminated).
    fn block_end(&self, k: &BlockComment, i: usize) -> usize {
        let b = self.b;
        let mut j = i + k.open.len();
        let mut depth = 1u32;
        while j < b.len() {
            let line_ok = !k.at_line_start || b[j - 1] == b'\n';
            if line_ok && self.at(j, k.close) {
                depth -= 1;
                j += k.close.len();
                if depth == 0 {
                    return if k.at_line_start { self.line_end(j) } else { j };
                }
            } else if k.nests && self.at(j, k.open) {
                depth += 1;
                j += k.open.len();
            } else {
                j += 1;
            }
        }
        b.len()
    }

    /// Scans a string body from `from`; an interpolation suspends it until its `}`.
    fn string_body(&mut self, form: usize, from: usize) -> usize {
        let (Some(s), Some(stops)) = (self.syntax.strings.get(form), self.stops.get(form)) else {
            return from;
        };
        match scan_string(self.b, from, s, stops) {
            StringEnd::Closed(end) => end,
            StringEnd::Interpolation(end) => {
                self.stack.push((form, 1));
                end
            }
        }
    }

    /// The end of a heredoc opened at `i` (just after its closing tag), or `None` if `i` does not
    /// open one (no tag right after the open and flag).
    fn heredoc_end(&self, h: &Heredoc, i: usize) -> Option<usize> {
        let b = self.b;
        let mut j = i + h.open.len();
        if b.get(j).is_some_and(|c| h.flags.contains(c)) {
            j += 1;
        }
        let quote = b.get(j).copied().filter(|&c| c == b'"' || c == b'\'');
        if quote.is_some() {
            j += 1;
        }
        let tag_start = j;
        while j < b.len() && is_ident(b[j]) {
            j += 1;
        }
        let tag = &b[tag_start..j];
        if tag.is_empty() || tag[0].is_ascii_digit() {
            return None;
        }
        let mut at = self.line_end(j);
        while at < b.len() {
            let start = at + 1;
            let mut k = start;
            while k < b.len() && is_blank(b[k]) {
                k += 1;
            }
            if b[k..].starts_with(tag) && b.get(k + tag.len()).is_none_or(|&c| !is_ident(c)) {
                return Some(k + tag.len());
            }
            at = self.line_end(start);
        }
        Some(b.len())
    }

    /// The end of a YAML block scalar whose indicator is at `i` (the start of the first line
    /// that is not part of it), after recording a comment on its header line; `None` if `i` is
    /// not a block scalar indicator.
    fn block_scalar(&mut self, i: usize) -> Option<usize> {
        let b = self.b;
        if !yaml_node_start(b, i) {
            return None;
        }
        let mut j = i + 1;
        while j < b.len() && matches!(b[j], b'-' | b'+' | b'0'..=b'9') {
            j += 1;
        }
        while j < b.len() && is_blank(b[j]) {
            j += 1;
        }
        let header_end = self.line_end(j);
        if j < header_end {
            // Only a comment may follow the indicators, after a blank.
            if b[j] != b'#' || !is_blank(b[j - 1]) {
                return None;
            }
            self.out.push(j..header_end);
        }
        let line_start = b[..i]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let parent = yaml_parent_indent(b, line_start, i);
        // Content: blank lines and lines indented more than the parent node.
        let mut at = header_end;
        while at < b.len() {
            let start = at + 1;
            let mut k = start;
            while k < b.len() && b[k] == b' ' {
                k += 1;
            }
            let blank = k >= b.len() || matches!(b[k], b'\n' | b'\r' | b'\t');
            if !blank && k - start <= parent {
                return Some(start);
            }
            at = self.line_end(start);
        }
        Some(b.len())
    }
}

/// Scans the body of string `s` from `from` to just after its close or up to an interpolation;
/// `stops` holds the first bytes of everything that can end or escape it.
fn scan_string(b: &[u8], from: usize, s: &StringForm, stops: &[bool; 256]) -> StringEnd {
    let close = s.close.as_bytes();
    let mut i = from;
    'scan: while i < b.len() {
        let c = b[i];
        if !stops[usize::from(c)] {
            i += 1;
            continue;
        }
        if s.escape == Escape::Backslash && c == b'\\' {
            i += 2;
            continue;
        }
        for lit in s.literal {
            if b[i..].starts_with(lit.as_bytes()) {
                i += lit.len();
                continue 'scan;
            }
        }
        if c == close[0] && b[i..].starts_with(close) {
            if s.escape == Escape::Doubled && b[i + close.len()..].starts_with(close) {
                i += 2 * close.len();
                continue;
            }
            return StringEnd::Closed(i + close.len());
        }
        for open in s.interpolation {
            if b[i..].starts_with(open.as_bytes()) {
                return StringEnd::Interpolation(i + open.len());
            }
        }
        if c == b'\n' && !s.multiline {
            return StringEnd::Closed(i);
        }
        i += 1;
    }
    StringEnd::Closed(b.len())
}

/// Whether a YAML node may start at `i`: only blanks before it on its line, or blanks after `:`,
/// `-`, `?` (themselves at a node start), or `[`, `{`, `,`, or a tag or anchor at a node start.
fn yaml_node_start(b: &[u8], i: usize) -> bool {
    let mut j = i;
    // A few hops (`- - ? !tag &anchor`) at most; more is not YAML anyone writes.
    for _ in 0..8 {
        let mut k = j;
        while k > 0 && is_blank(b[k - 1]) {
            k -= 1;
        }
        if k == 0 || b[k - 1] == b'\n' {
            return true;
        }
        let blank = k < j;
        match b[k - 1] {
            b'[' | b'{' | b',' => return true,
            b':' => return blank,
            b'-' | b'?' if blank => {
                let before = if k >= 2 { b[k - 2] } else { b'\n' };
                if before != b'\n' && !is_blank(before) {
                    return false;
                }
                j = k - 1;
            }
            _ if blank => {
                let mut t = k;
                while t > 0 && !b[t - 1].is_ascii_whitespace() {
                    t -= 1;
                }
                if !matches!(b[t], b'!' | b'&') {
                    return false;
                }
                j = t;
            }
            _ => return false,
        }
    }
    false
}

/// The indentation of the node a block scalar at `indicator` belongs to: the column of its key,
/// or of the `-` of the sequence entry it is.
fn yaml_parent_indent(b: &[u8], line_start: usize, indicator: usize) -> usize {
    let mut c = line_start;
    while c < indicator && b[c] == b' ' {
        c += 1;
    }
    while c < indicator && matches!(b[c], b'-' | b'?') && b.get(c + 1).is_some_and(|&n| is_blank(n))
    {
        let dash = c;
        c += 1;
        while c < indicator && is_blank(b[c]) {
            c += 1;
        }
        if c == indicator {
            return dash - line_start;
        }
    }
    c - line_start
}

/// Whether `r` at `i` opens a Rust raw string: not the tail of an identifier (`bar#`, but `br`
/// and `cr` prefixes are fine), then `r"` or `r#…"`.
fn raw_string_start(b: &[u8], i: usize) -> bool {
    let ident_before = |at: usize| at > 0 && is_ident(b[at - 1]);
    let prefixed = |at: usize| matches!(b[at - 1], b'b' | b'c') && !ident_before(at - 1);
    if ident_before(i) && !prefixed(i) {
        return false;
    }
    let mut j = i + 1;
    while b.get(j) == Some(&b'#') {
        j += 1;
    }
    b.get(j) == Some(&b'"')
}

fn skip_raw_string(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    let mut hashes = 0;
    while b.get(j) == Some(&b'#') {
        hashes += 1;
        j += 1;
    }
    j += 1;
    while j < b.len() {
        if b[j] == b'"'
            && b[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return j + 1 + hashes;
        }
        j += 1;
    }
    b.len()
}

/// Skips a Rust char literal (`'a'`, `'\n'`, `'\u{1F600}'`) at `i`, or just the quote of a
/// lifetime (`'a`): only a literal closes with a quote within a few characters.
fn skip_rust_char(b: &[u8], i: usize) -> usize {
    // After a backslash the next byte is escaped, even a quote (`'\''`).
    let from = if b.get(i + 1) == Some(&b'\\') {
        i + 3
    } else {
        i + 2
    };
    let close = (from..(i + 12).min(b.len())).find(|&j| b[j] == b'\'');
    match close {
        Some(j) if b[i + 1] == b'\\' || j == i + 2 => j + 1,
        // One multi-byte character: its continuation bytes fill the gap.
        Some(j) if b[i + 1] >= 0xC0 && b[i + 2..j].iter().all(|&c| (0x80..0xC0).contains(&c)) => {
            j + 1
        }
        _ => i + 1,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn comments(text: &str, kind: FileKind) -> Vec<&str> {
        comment_ranges(text, kind)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    fn lexed<'t>(text: &'t str, syntax: &CommentSyntax) -> Vec<&'t str> {
        lex(text, syntax).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn javascript_strings_are_not_comments() {
        let text =
            "const a = \"// no\"; // yes\nconst b = `/* no ${x} */`; /* yes */ const c = '#//';\n";
        assert_eq!(
            comments(text, FileKind::JavaScript),
            ["// yes", "/* yes */"]
        );
        assert_eq!(lexed(text, &JAVASCRIPT), ["// yes", "/* yes */"]);
    }

    #[test]
    fn jsx_text_is_not_a_comment_but_a_comment_in_jsx_is() {
        let text = "const X = () => <div>// no {/* yes */}</div>;\n// also\n";
        for kind in [FileKind::JavaScript, FileKind::Tsx] {
            assert_eq!(comments(text, kind), ["/* yes */", "// also"], "{kind:?}");
        }
    }

    #[test]
    fn template_interpolations_are_code_again() {
        let text = "const a = `x ${ f(\"`\") /* yes */ } // no`; // yes\n";
        assert_eq!(lexed(text, &JAVASCRIPT), ["/* yes */", "// yes"]);
    }

    #[test]
    fn rust_lexing_knows_raw_strings_chars_and_lifetimes() {
        let text = "fn f<'a>(x: &'a str) -> char { let s = r#\"// no \"quoted\" \"#; '/' } // yes\n/* outer /* inner */ still */ let c = '\\'';";
        assert_eq!(
            comments(text, FileKind::Rust),
            ["// yes", "/* outer /* inner */ still */"]
        );
        let text = "let a = br\"\\\"; // yes\nlet b = 'é'; // yes too\nlet c = cr#\"// no\"#;";
        assert_eq!(comments(text, FileKind::Rust), ["// yes", "// yes too"]);
    }

    #[test]
    fn yaml_comments_follow_whitespace_outside_quotes() {
        let text = "# top\nurl: http://a/#frag # real\nq: 'it''s # not'\nr: \"# no\" #yes\n";
        assert_eq!(comments(text, FileKind::Yaml), ["# top", "# real", "#yes"]);
        // An apostrophe inside a plain scalar opens nothing.
        let text = "a: don't 'x # yes\nb: 1 # yes too\n";
        assert_eq!(comments(text, FileKind::Yaml), ["# yes", "# yes too"]);
    }

    #[test]
    fn yaml_block_scalars_and_multi_line_quotes_are_text() {
        let text = "a: |\n  # no\n\n  # no\nb: >- # yes\n  # no\n# yes too\nc:\n  - |2\n    # no\n  - x # three\nd: \"one\n  # no\n  two\" # four\n";
        assert_eq!(
            comments(text, FileKind::Yaml),
            ["# yes", "# yes too", "# three", "# four"]
        );
        // A sequence entry's key: the scalar ends at the next key of the same entry.
        let text = "- run: |\n    # no\n  name: x # yes\n";
        assert_eq!(comments(text, FileKind::Yaml), ["# yes"]);
        // `|` inside a plain scalar is no indicator.
        let text = "a: x |\n# yes\nb: !!str |\n  # no\n";
        assert_eq!(comments(text, FileKind::Yaml), ["# yes"]);
    }

    #[test]
    fn python_strings_are_not_comments() {
        let text = "a = '# no'  # yes\nb = \"\"\"\n# no\n\"\"\"\nc = r'\\d' # yes too\nd = f\"{x}#\" \n# last";
        let expected = ["# yes", "# yes too", "# last"];
        assert_eq!(comments(text, FileKind::Python), expected);
        assert_eq!(lexed(text, &PYTHON), expected);
        // Nested quotes of the same kind inside an f-string (Python 3.12).
        let text = "x = f\"{d[\"k\"]} # no\"  # yes\n";
        assert_eq!(comments(text, FileKind::Python), ["# yes"]);
    }

    #[test]
    fn hash_comments_start_words_only() {
        let text = "set $a \"#no\"; # yes\nlocation /a#b { } #also\nset $b 'x\n# no\n'; # three\n";
        assert_eq!(
            comments(text, FileKind::Nginx),
            ["# yes", "#also", "# three"]
        );
    }

    #[test]
    fn haproxy_hashes_are_comments_unless_quoted_or_escaped() {
        let text = "backend a\n  balance source # yes\n  http-request set-header X \"#no\" 'a#\\'#yes too\n  acl p path_beg /a\\#b #three\n";
        assert_eq!(
            comments(text, FileKind::Haproxy),
            ["# yes", "#yes too", "#three"]
        );
    }

    #[test]
    fn infra_comment_syntaxes() {
        let apache = "# yes\nProxyPass / balancer://a/ # not a comment\n  # also\nHeader set X \\\n  # continued, not a comment\n";
        assert_eq!(comments(apache, FileKind::Apache), ["# yes", "# also"]);
        let hcl = "a = \"#no // no\" # yes\nb = <<EOF\n// no\nEOF\n// yes\n/* yes */\n";
        assert_eq!(
            comments(hcl, FileKind::Hcl),
            ["# yes", "// yes", "/* yes */"]
        );
        let bicep = "var a = '// no'\nvar b = '''\n// no\n''' // yes\n";
        assert_eq!(comments(bicep, FileKind::Bicep), ["// yes"]);
        let haproxy = "backend a\n  balance source # yes\n";
        assert_eq!(comments(haproxy, FileKind::Haproxy), ["# yes"]);
    }

    #[test]
    fn hcl_interpolations_and_indented_heredocs() {
        let hcl = "a = \"${f(\"#\")} # no\" # yes\nb = \"$${literal} # no\" // yes too\nc = <<-EOT\n  # no\n  EOT\n# three\n";
        assert_eq!(
            comments(hcl, FileKind::Hcl),
            ["# yes", "// yes too", "# three"]
        );
    }

    #[test]
    fn bicep_interpolations_hold_strings() {
        let bicep = "var a = '${f('//')} // no' // yes\n";
        assert_eq!(comments(bicep, FileKind::Bicep), ["// yes"]);
    }

    #[test]
    fn toml_multi_line_strings_are_text() {
        let toml = "a = \"\"\"\n# no \"quoted\"\n\"\"\" # yes\nb = '''\n# no\n'''\nc = 'C:\\' # yes too\nd=1#three\n";
        assert_eq!(
            comments(toml, FileKind::TraefikToml),
            ["# yes", "# yes too", "#three"]
        );
    }

    #[test]
    fn upcoming_syntaxes() {
        let java = "String s = \"\"\"\n// no\n\"\"\"; char c = '\"'; // yes\n/* yes too */";
        assert_eq!(lexed(java, &JAVA), ["// yes", "/* yes too */"]);
        let kotlin = "/* a /* nested */ b */ val s = \"${f(\"//\")} // no\" // yes\nval r = \"\"\"\n// no \\\"\"\"\n";
        assert_eq!(lexed(kotlin, &KOTLIN), ["/* a /* nested */ b */", "// yes"]);
        let cs = "var a = @\"C:\\\"; // yes\nvar b = $\"{x} // no {{ }}\"; /* two */\nvar c = \"\"\"\n// no\n\"\"\";";
        assert_eq!(lexed(cs, &CSHARP), ["// yes", "/* two */"]);
        let go = "s := `// no\n` // yes\nr := '\"' /* two */";
        assert_eq!(lexed(go, &GO), ["// yes", "/* two */"]);
        let ruby = "a = \"#{x} # no\" # yes\n=begin\nscalelint\n=end\nb = <<~EOS\n  # no\n  EOS\nc = 1 << 2 # three\n";
        assert_eq!(
            lexed(ruby, &RUBY),
            ["# yes", "=begin\nscalelint\n=end", "# three"]
        );
        let php = "#[Attr]\n$a = '# no'; # yes\n$b = <<<EOT\n// no\nEOT; // two\n/* three */";
        assert_eq!(lexed(php, &PHP), ["# yes", "// two", "/* three */"]);
        let xml = "<a b=\"x\"><![CDATA[<!-- no -->]]><!-- yes --></a>";
        assert_eq!(lexed(xml, &XML), ["<!-- yes -->"]);
    }

    #[test]
    fn unterminated_tokens_end_at_the_text_end() {
        for (text, syntax) in [
            ("/* open", &JAVASCRIPT),
            ("a = \"${ open", &HCL),
            ("r##\"open", &RUST),
            ("a: |\n  b", &YAML),
            ("x = <<EOF\nno end", &HCL),
            ("=begin\nno end", &RUBY),
        ] {
            for r in lex(text, syntax) {
                assert!(r.start <= r.end && r.end <= text.len(), "{text:?}");
            }
        }
        assert_eq!(lexed("/* open", &JAVASCRIPT), ["/* open"]);
    }

    /// Tokens that open, close or escape something in some row, and the marker.
    pub(crate) const FUZZ_TOKENS: &[&str] = &[
        "scalelint:",
        " ignore",
        "ignore-file",
        "[",
        "]",
        "SL101",
        ",",
        "/*",
        "*/",
        "\n",
        " * ",
        "//",
        "#",
        "'",
        "\"",
        "`",
        "|",
        ">-",
        "- ",
        ": ",
        "--",
        "${",
        "{",
        "}",
        "<<EOF",
        "<<-X",
        "<<<T",
        "EOF",
        "X",
        "T;",
        "'''",
        "\"\"\"",
        "r#\"",
        "\"#",
        "br\"",
        "<!--",
        "-->",
        "=begin",
        "=end",
        "\\",
        "é",
        " ",
        "  ",
        "\r\n",
        "<div>",
        "</div>",
        "@\"",
        "$\"",
        "{{",
        "!!str ",
    ];

    /// A deterministic pseudo-random text of `n` tokens (xorshift, so failures reproduce).
    pub(crate) fn fuzz_text(seed: &mut u64, n: usize) -> String {
        let mut out = String::new();
        for _ in 0..n {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            let pick = usize::try_from(*seed % FUZZ_TOKENS.len() as u64).unwrap_or_default();
            out.push_str(FUZZ_TOKENS[pick]);
        }
        out
    }

    /// Every file kind.
    pub(crate) const KINDS: &[FileKind] = FileKind::ALL;

    /// Ranges in order, not overlapping, inside the text and on character boundaries.
    fn assert_well_formed(text: &str, ranges: &[Range<usize>], what: &str) {
        let mut last = 0;
        for r in ranges {
            assert!(
                last <= r.start && r.start <= r.end && text.get(r.clone()).is_some(),
                "{what}: {r:?} after {last} in {text:?}"
            );
            last = r.end;
        }
    }

    #[test]
    fn random_token_soup_never_panics_and_stays_in_bounds() {
        let rows: &[(&str, &CommentSyntax)] = &[
            ("js", &JAVASCRIPT),
            ("python", &PYTHON),
            ("rust", &RUST),
            ("jsonc", &JSONC),
            ("nginx", &NGINX),
            ("haproxy", &HAPROXY),
            ("apache", &APACHE),
            ("hcl", &HCL),
            ("bicep", &BICEP),
            ("yaml", &YAML),
            ("toml", &TOML),
            ("java", &JAVA),
            ("kotlin", &KOTLIN),
            ("csharp", &CSHARP),
            ("go", &GO),
            ("ruby", &RUBY),
            ("php", &PHP),
            ("xml", &XML),
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        for round in 0..300 {
            let text = fuzz_text(&mut seed, 1 + round % 40);
            for (name, row) in rows {
                assert_well_formed(&text, &lex(&text, row), name);
            }
            if round % 10 == 0 {
                for &kind in KINDS {
                    assert_well_formed(&text, &comment_ranges(&text, kind), kind.name());
                }
            }
        }
    }
}
