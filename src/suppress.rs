//! Inline suppressions, written in each language's own comment syntax and read only from real
//! comments (see [`crate::source::comment_ranges`]).
//!
//! A directive is `scalelint:` followed, on the same line of the same comment, by:
//!
//! ```text
//! directive = ( "ignore" | "ignore-file" ) body
//! body      = "[" rule { "," rule } "]" [ blank reason ]    the rules named, and only those
//!           | [ blanks ]                                    every rule, no reason
//!           | [ blanks ] ( "--" | ":" ) reason              every rule, with a reason
//!           | blanks "-" blank reason                       every rule, with a reason
//! rule      = blanks* ( ID | name ) blanks*                 SL101, memory-session-store
//! reason    = free text to the end of the line or comment; it may start with `--`, `:` or `-`
//! ```
//!
//! The reason of an every-rule form must not start with `[`, `(` or a rule: `ignore SL101`,
//! `ignore [SL101]`, `ignore(SL101)` or `ignore: SL101` would read as "every rule" while naming
//! one, so they are malformed. A malformed directive suppresses nothing and is reported, as is
//! any other text after `scalelint:` (prose such as "see scalelint: docs").
//!
//! `ignore` covers the line it is on when code comes before its comment, otherwise the first
//! line after its comment (a directive on a continuation line of a block comment, ` * scalelint:
//! ignore[SL101]`, is on its own line). `ignore-file` covers the whole file. Each line of a
//! comment holds at most one directive: the first marker on it.

use crate::parse::Tree;
use crate::rules::{self, Rule};
use crate::source::{SourceFile, comments};
use std::ops::Range;

/// The marker every directive starts with (also a prefilter literal).
pub const MARKER: &str = "scalelint:";

/// One directive found in a comment.
#[derive(Debug)]
struct Directive {
    /// 0-based line of its marker.
    line: usize,
    /// 0-based line it covers; `None` for the whole file.
    target: Option<usize>,
    /// Rules it names; empty means every rule.
    rules: Vec<&'static Rule>,
    used: bool,
}

/// A problem with a directive, reported after the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveNote {
    /// 1-based line of the directive.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// The directives of one file.
#[derive(Debug, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
    notes: Vec<DirectiveNote>,
}

/// What a directive's text parses to.
#[derive(Debug, PartialEq, Eq)]
struct Spec<'t> {
    file_wide: bool,
    /// The rule keys as written; empty for every rule.
    keys: Vec<&'t str>,
    has_reason: bool,
}

/// How to explain what a directive should look like.
const FORM: &str = "write `ignore[SL101]` or `ignore[SL101, memory-session-store] reason` \
                    (no blank before `[`); a bare `ignore` suppresses every rule, with its reason \
                    after `--`, `:` or ` - `";

/// Parses the text after the marker (up to the end of its line or comment).
fn parse_spec(text: &str) -> Result<Spec<'_>, String> {
    let text = text.trim_start();
    let (file_wide, rest) = if let Some(r) = text.strip_prefix("ignore-file") {
        (true, r)
    } else if let Some(r) = text.strip_prefix("ignore") {
        (false, r)
    } else {
        return Err(
            "unknown scalelint directive (expected `ignore[…]`, `ignore-file[…]` or a bare \
             `ignore`)"
                .to_owned(),
        );
    };
    if let Some(list) = rest.strip_prefix('[') {
        let Some((inside, after)) = list.split_once(']') else {
            return Err(format!("unclosed `[` in scalelint directive: {FORM}"));
        };
        let mut keys = Vec::new();
        for key in inside.split(',').map(str::trim) {
            if !is_rule_like(key) {
                return Err(format!(
                    "malformed rule list `[{inside}]` in scalelint directive: {FORM}"
                ));
            }
            keys.push(key);
        }
        if !after.is_empty() && !after.starts_with(char::is_whitespace) {
            return Err(format!(
                "text right after `]` in scalelint directive: put a blank before the reason; {FORM}"
            ));
        }
        return Ok(Spec {
            file_wide,
            keys,
            has_reason: has_reason(after),
        });
    }
    let trimmed = rest.trim_start();
    let blank_before = trimmed.len() < rest.len();
    let reason = if trimmed.is_empty() {
        Some("")
    } else if let Some(r) = trimmed
        .strip_prefix("--")
        .or_else(|| trimmed.strip_prefix(':'))
    {
        Some(r)
    } else if blank_before {
        trimmed
            .strip_prefix('-')
            .filter(|r| r.is_empty() || r.starts_with(char::is_whitespace))
    } else {
        None
    };
    match reason {
        Some(reason) if !names_rules(reason) => Ok(Spec {
            file_wide,
            keys: Vec::new(),
            has_reason: has_reason(reason),
        }),
        _ => Err(format!("malformed scalelint directive: {FORM}")),
    }
}

/// Whether `key` can be a rule ID or name: letters, digits and `-`.
fn is_rule_like(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

/// Whether the reason of an every-rule form starts like a rule list (`[…]`, `(…)`, `SL101`).
fn names_rules(reason: &str) -> bool {
    let reason = reason.trim_start();
    if reason.starts_with(['[', '(']) {
        return true;
    }
    let first = reason
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or_default();
    let is_id = first.len() > 2
        && first[..2].eq_ignore_ascii_case("SL")
        && first[2..].bytes().all(|c| c.is_ascii_digit());
    is_id || rules::find(first).is_some()
}

/// Whether a reason says something beyond its separator.
fn has_reason(text: &str) -> bool {
    !text.trim().trim_start_matches(['-', ':']).trim().is_empty()
}

impl Suppressions {
    /// Collects the directives of a file. Only markers inside a comment count.
    pub fn parse(file: &SourceFile) -> Suppressions {
        Suppressions::parse_with(file, None, false)
    }

    /// Collects the directives of a file, reading comments from `tree` when it is the file's
    /// tree-sitter tree (otherwise JS/TS/Python are parsed here); with `require_reason`, a
    /// directive without a reason is reported (it still suppresses).
    pub fn parse_with(
        file: &SourceFile,
        tree: Option<&Tree>,
        require_reason: bool,
    ) -> Suppressions {
        let mut out = Suppressions::default();
        for comment in marked_comments(file, tree) {
            out.read_comment(file, comment, require_reason);
        }
        out
    }

    /// Reads the directives of one comment: the first marker of each of its lines.
    fn read_comment(&mut self, file: &SourceFile, comment: Range<usize>, require_reason: bool) {
        let text = &file.text;
        let Some(body) = text.get(comment.clone()) else {
            return;
        };
        let first_line = file.lines.line_of(comment.start);
        let last_line = file
            .lines
            .line_of(comment.end.saturating_sub(1).max(comment.start));
        let code_before = text
            .get(file.lines.line_range(first_line, text).start..comment.start)
            .is_some_and(|before| !before.trim().is_empty());
        let mut at = 0;
        while let Some(found) = body[at..].find(MARKER) {
            let marker = at + found;
            let after = marker + MARKER.len();
            let line_end = body[after..].find('\n').map_or(body.len(), |p| after + p);
            at = line_end;
            let mut directive = body[after..line_end].trim_end();
            if line_end == body.len() {
                for close in ["*/", "-->"] {
                    directive = directive.strip_suffix(close).unwrap_or(directive);
                }
            }
            let line = file.lines.line_of(comment.start + marker);
            let note = |message: String| DirectiveNote {
                line: line + 1,
                message,
            };
            let spec = match parse_spec(directive) {
                Ok(spec) => spec,
                Err(message) => {
                    self.notes.push(note(message));
                    continue;
                }
            };
            let mut named = Vec::new();
            for key in &spec.keys {
                match rules::find(key) {
                    Some(rule) => named.push(rule),
                    None => self
                        .notes
                        .push(note(format!("unknown rule `{key}` in scalelint directive"))),
                }
            }
            if !spec.keys.is_empty() && named.is_empty() {
                continue;
            }
            if require_reason && !spec.has_reason {
                self.notes.push(note(
                    "suppression without a reason (--require-reason): say why after the \
                     directive, e.g. `ignore[SL101] -- runs as one instance by design`"
                        .to_owned(),
                ));
            }
            let trailing = line == first_line && code_before;
            let target = match (spec.file_wide, trailing) {
                (true, _) => None,
                (false, true) => Some(line),
                (false, false) => Some(last_line + 1),
            };
            self.directives.push(Directive {
                line,
                target,
                rules: named,
                used: false,
            });
        }
    }

    /// Whether a finding of `rule` starting on 0-based `line` is suppressed (and marks the
    /// directives that suppress it as used).
    pub fn suppresses(&mut self, rule: &'static Rule, line: usize) -> bool {
        let mut hit = false;
        for d in &mut self.directives {
            let covers_line = d.target.is_none_or(|t| t == line);
            let covers_rule = d.rules.is_empty() || d.rules.iter().any(|r| r.id == rule.id);
            if covers_line && covers_rule {
                d.used = true;
                hit = true;
            }
        }
        hit
    }

    /// Malformed directives, and directives that suppressed nothing although a rule they name is
    /// enabled (a directive for a rule switched off in the config is not "unused").
    pub fn notes(self, enabled: &[&'static Rule]) -> Vec<DirectiveNote> {
        let mut notes = self.notes;
        let is_enabled = |r: &&'static Rule| enabled.iter().any(|e| e.id == r.id);
        let unused = self
            .directives
            .into_iter()
            .filter(|d| !d.used && (d.rules.is_empty() || d.rules.iter().any(is_enabled)));
        notes.extend(unused.map(|d| {
            let what = if d.rules.is_empty() {
                "any rule".to_owned()
            } else {
                d.rules.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
            };
            DirectiveNote {
                line: d.line + 1,
                message: format!("unused suppression: no {what} finding here"),
            }
        }));
        notes.sort_by_key(|n| n.line);
        notes
    }
}

/// The comments of a file that contain the marker, in order.
fn marked_comments(file: &SourceFile, tree: Option<&Tree>) -> Vec<Range<usize>> {
    let text = &file.text;
    if !text.contains(MARKER) {
        return Vec::new();
    }
    if comments::has_tree(file.kind) {
        let given = match tree {
            Some(Tree::Syntax(t)) => Some(t),
            _ => None,
        };
        let parsed;
        let tree = match given {
            Some(t) => Some(t),
            None => {
                parsed = crate::parse::treesitter::parse_kind(file.kind, text);
                parsed.as_ref()
            }
        };
        if let Some(tree) = tree {
            let mut out: Vec<Range<usize>> = Vec::new();
            for (at, _) in text.match_indices(MARKER) {
                if let Some(c) = comments::tree_comment_at(tree, at..at + MARKER.len())
                    && out.last() != Some(&c)
                {
                    out.push(c);
                }
            }
            return out;
        }
    }
    comments::lex(text, comments::syntax(file.kind))
        .into_iter()
        .filter(|c| text.get(c.clone()).is_some_and(|t| t.contains(MARKER)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn rule(id: &str) -> &'static Rule {
        rules::find(id).expect("rule exists")
    }

    fn js(text: &str) -> SourceFile {
        SourceFile::new("a.js".into(), FileKind::JavaScript, text.into())
    }

    #[test]
    fn own_line_trailing_and_file_wide_directives() {
        let text = "// scalelint: ignore[SL101] single admin instance\nA\nB // scalelint: ignore[memory-session-store, SL401]\nC\nconst s = \"scalelint: ignore\";\n";
        let file = SourceFile::new("a.js".into(), FileKind::JavaScript, text.into());
        let mut s = Suppressions::parse(&file);
        assert!(s.suppresses(rule("SL101"), 1));
        assert!(s.suppresses(rule("SL101"), 2));
        assert!(!s.suppresses(rule("SL101"), 4), "a string is not a comment");
        assert!(!s.suppresses(rule("SL402"), 2));
        let notes = s.notes(rules::RULES);
        assert_eq!(notes.len(), 0, "{notes:?}");

        let file = SourceFile::new(
            "n.conf".into(),
            FileKind::Nginx,
            "# scalelint: ignore-file[SL402]\nip_hash;\n# scalelint: ignore[SL999]\n".into(),
        );
        let mut s = Suppressions::parse(&file);
        assert!(s.suppresses(rule("SL402"), 1));
        assert!(!s.suppresses(rule("SL401"), 1));
        let notes = s.notes(rules::RULES);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].message.contains("SL999"));
    }

    #[test]
    fn markers_in_strings_are_not_directives_and_block_comments_are() {
        let text =
            "const s = \"// scalelint: ignore[SL101]\"; x\n/* scalelint: ignore[SL101] */\ny\n";
        let file = SourceFile::new("a.ts".into(), FileKind::TypeScript, text.into());
        let mut s = Suppressions::parse(&file);
        assert!(!s.suppresses(rule("SL101"), 0), "inside a string");
        assert!(
            s.suppresses(rule("SL101"), 2),
            "a block comment on its own line"
        );
        assert!(s.notes(rules::RULES).is_empty());
    }

    #[test]
    fn unused_directives_are_reported() {
        let file = SourceFile::new(
            "a.rs".into(),
            FileKind::Rust,
            "// scalelint: ignore[SL101]\nfn main() {}\n".into(),
        );
        let notes = Suppressions::parse(&file).notes(&[rule("SL101")]);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].line, 1);
        assert!(notes[0].message.starts_with("unused suppression"));
    }

    #[test]
    fn markers_on_later_lines_of_a_block_comment() {
        // Used to panic slicing from the marker's line start back to the comment's start.
        let file = js(
            "/**\n * Sessions.\n * see scalelint: docs\n * scalelint: ignore[SL101] ok\n */\nx\n",
        );
        let mut s = Suppressions::parse(&file);
        assert!(
            !s.suppresses(rule("SL101"), 3),
            "not the comment's own lines"
        );
        assert!(s.suppresses(rule("SL101"), 5), "the line after the comment");
        let notes = s.notes(rules::RULES);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].line, 3);
        assert!(notes[0].message.starts_with("unknown scalelint directive"));
        // Trailing: code before the comment on the marker's line.
        let file = js("x; /* scalelint: ignore[SL101]\n more */\ny\n");
        let mut s = Suppressions::parse(&file);
        assert!(s.suppresses(rule("SL101"), 0));
        assert!(!s.suppresses(rule("SL101"), 2));
    }

    #[test]
    fn the_directive_grammar() {
        let all = |reason| {
            Ok(Spec {
                file_wide: false,
                keys: Vec::new(),
                has_reason: reason,
            })
        };
        assert_eq!(parse_spec(" ignore"), all(false));
        assert_eq!(parse_spec(" ignore -- because"), all(true));
        assert_eq!(parse_spec(" ignore: because"), all(true));
        assert_eq!(parse_spec(" ignore - because"), all(true));
        assert_eq!(parse_spec(" ignore --"), all(false));
        assert_eq!(
            parse_spec("ignore-file[SL101, cookie-sticky-sessions] -- why"),
            Ok(Spec {
                file_wide: true,
                keys: vec!["SL101", "cookie-sticky-sessions"],
                has_reason: true,
            })
        );
        assert_eq!(
            parse_spec("ignore[SL101]").map(|s| (s.keys, s.has_reason)),
            Ok((vec!["SL101"], false))
        );
        for bad in [
            "ignore SL401",
            "ignore [SL401]",
            "ignore(SL401)",
            "ignore (SL401)",
            "ignore: SL401",
            "ignore -- cookie-sticky-sessions and more",
            "ignore because",
            "ignore-because",
            "ignore[SL401",
            "ignore[]",
            "ignore[SL401,]",
            "ignore[SL 401]",
            "ignore[SL401]:why",
            "ignored",
            "docs",
            "",
        ] {
            assert!(parse_spec(bad).is_err(), "`{bad}` parsed");
        }
    }

    #[test]
    fn a_malformed_directive_suppresses_nothing() {
        let file = js("// scalelint: ignore SL401\nx\n// scalelint: ignore(SL401)\ny\n");
        let mut s = Suppressions::parse(&file);
        assert!(!s.suppresses(rule("SL101"), 1));
        assert!(!s.suppresses(rule("SL401"), 1));
        assert!(!s.suppresses(rule("SL401"), 3));
        let notes = s.notes(rules::RULES);
        let lines: Vec<usize> = notes.iter().map(|n| n.line).collect();
        assert_eq!(lines, [1, 3], "{notes:?}");
        assert!(notes.iter().all(|n| n.message.starts_with("malformed")));
    }

    #[test]
    fn require_reason_notes_but_still_suppresses() {
        let text = "// scalelint: ignore[SL101]\nx\n// scalelint: ignore[SL101] -- why\ny\n// scalelint: ignore\nz\n";
        let mut s = Suppressions::parse_with(&js(text), None, true);
        assert!(s.suppresses(rule("SL101"), 1));
        assert!(s.suppresses(rule("SL101"), 3));
        assert!(s.suppresses(rule("SL101"), 5));
        let notes = s.notes(rules::RULES);
        let lines: Vec<usize> = notes.iter().map(|n| n.line).collect();
        assert_eq!(lines, [1, 5], "{notes:?}");
        assert!(notes.iter().all(|n| n.message.contains("without a reason")));
        let mut s = Suppressions::parse_with(&js(text), None, false);
        for line in [1, 3, 5] {
            assert!(s.suppresses(rule("SL101"), line));
        }
        let notes = s.notes(rules::RULES);
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn the_engines_tree_is_used_when_given() {
        let text =
            "const X = <p>// scalelint: ignore-file</p>;\n/* scalelint: ignore[SL101] */\nx\n";
        let file = SourceFile::new("a.jsx".into(), FileKind::JavaScript, text.into());
        let tree =
            crate::parse::treesitter::parse_kind(FileKind::JavaScript, text).expect("parses");
        let mut s = Suppressions::parse_with(&file, Some(&Tree::Syntax(tree)), false);
        assert!(!s.suppresses(rule("SL401"), 2), "JSX text is no directive");
        assert!(s.suppresses(rule("SL101"), 2));
    }

    #[test]
    fn python_strings_hold_no_directives() {
        let text = "\"\"\"\nscalelint: ignore-file\n\"\"\"\nx = f\"{d[\"k\"]} # scalelint: ignore\"\ny = 1  # scalelint: ignore[SL301] -- read-only\n";
        let file = SourceFile::new("a.py".into(), FileKind::Python, text.into());
        let mut s = Suppressions::parse(&file);
        assert!(!s.suppresses(rule("SL101"), 3), "docstring and f-string");
        assert!(s.suppresses(rule("SL301"), 4));
        assert!(s.notes(rules::RULES).is_empty());
    }

    #[test]
    fn yaml_block_scalars_hold_no_directives() {
        let file = SourceFile::new(
            "a.yaml".into(),
            FileKind::Yaml,
            "a: |\n  # scalelint: ignore[SL401]\nb: x\n".into(),
        );
        let mut s = Suppressions::parse(&file);
        assert!(!s.suppresses(rule("SL401"), 2));
        assert!(s.notes(rules::RULES).is_empty());
    }

    #[test]
    fn random_directive_soup_never_panics() {
        use crate::source::comments::tests::{KINDS, fuzz_text};
        let mut seed = 0x2545_F491_4F6C_DD1D;
        for round in 0..200 {
            let text = fuzz_text(&mut seed, 1 + round % 50);
            for &kind in KINDS {
                if round % 4 != 0 && crate::source::comments::has_tree(kind) {
                    continue;
                }
                let file = SourceFile::new("fuzz".into(), kind, text.clone());
                let lines = file.lines.line_of(file.text.len()) + 2;
                let mut s = Suppressions::parse_with(&file, None, round % 2 == 0);
                for line in 0..lines {
                    s.suppresses(rule("SL101"), line);
                }
                for note in s.notes(rules::RULES) {
                    assert!(note.line >= 1 && note.line <= lines, "{note:?} in {text:?}");
                }
            }
        }
    }
}
