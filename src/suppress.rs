//! Inline suppressions, written in each language's own comment syntax:
//! `scalelint: ignore[SL101, cookie-sticky-sessions] reason` on the flagged line or alone on the
//! line above; `scalelint: ignore` for every rule; `scalelint: ignore-file[…]` for the whole file.

use crate::rules::{self, Rule};
use crate::source::{SourceFile, comment_ranges};

/// The marker every directive starts with (also a prefilter literal).
pub const MARKER: &str = "scalelint:";

/// One directive found in a comment.
#[derive(Debug)]
struct Directive {
    /// 0-based line of the comment.
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

impl Suppressions {
    /// Collects the directives of a file. Only markers inside a comment count.
    pub fn parse(file: &SourceFile) -> Suppressions {
        let mut out = Suppressions::default();
        for comment in comment_ranges(&file.text, file.kind) {
            let body = &file.text[comment.clone()];
            let Some(offset) = body.find(MARKER) else {
                continue;
            };
            let at = comment.start + offset;
            let line = file.lines.line_of(at);
            let line_start = file.lines.line_range(line, &file.text).start;
            let own_line = file.text[line_start..comment.start].trim().is_empty();
            // The directive runs to the end of its line or of its block comment.
            let rest = body[offset + MARKER.len()..]
                .lines()
                .next()
                .unwrap_or_default();
            let rest = rest.split("*/").next().unwrap_or_default().trim_start();
            let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
                (true, r)
            } else if let Some(r) = rest.strip_prefix("ignore") {
                (false, r)
            } else {
                out.notes.push(DirectiveNote {
                    line: line + 1,
                    message: "unknown scalelint directive (expected `ignore[…]` or `ignore-file`)"
                        .to_owned(),
                });
                continue;
            };
            let mut named = Vec::new();
            if let Some(list) = rest.strip_prefix('[') {
                let Some((inside, _)) = list.split_once(']') else {
                    out.notes.push(DirectiveNote {
                        line: line + 1,
                        message: "unclosed `[` in scalelint directive".to_owned(),
                    });
                    continue;
                };
                for key in inside.split(',').map(str::trim).filter(|k| !k.is_empty()) {
                    match rules::find(key) {
                        Some(rule) => named.push(rule),
                        None => out.notes.push(DirectiveNote {
                            line: line + 1,
                            message: format!("unknown rule `{key}` in scalelint directive"),
                        }),
                    }
                }
                if named.is_empty() {
                    continue;
                }
            }
            let target = match (file_wide, own_line) {
                (true, _) => None,
                (false, true) => Some(line + 1),
                (false, false) => Some(line),
            };
            out.directives.push(Directive {
                line,
                target,
                rules: named,
                used: false,
            });
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileKind;

    fn rule(id: &str) -> &'static Rule {
        rules::find(id).expect("rule exists")
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
}
