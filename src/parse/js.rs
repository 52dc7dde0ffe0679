//! JavaScript and TypeScript through tree-sitter: error-tolerant, byte spans, one parser per thread.

use super::bounds;
use crate::source::FileKind;
use std::cell::RefCell;
use std::time::Instant;
use tree_sitter::{Language, Node, ParseOptions, ParseState, Parser, Point, Tree};

thread_local! {
    // Parsers are reusable and not Sync: one per worker thread and grammar, created on first use.
    static PARSERS: RefCell<[Option<Parser>; 3]> = const { RefCell::new([None, None, None]) };
}

fn grammar(kind: FileKind) -> (usize, Language) {
    match kind {
        FileKind::TypeScript => (1, tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()),
        FileKind::Tsx => (2, tree_sitter_typescript::LANGUAGE_TSX.into()),
        _ => (0, tree_sitter_javascript::LANGUAGE.into()),
    }
}

/// Parses JS/TS text. `None` only if the grammar cannot be loaded or the parse is over budget.
pub fn parse(kind: FileKind, text: &str) -> Option<Tree> {
    parse_bounded(kind, text).ok()
}

/// Parses JS/TS text within the time budget of [`bounds::parse_budget`]; the error says why not.
pub fn parse_bounded(kind: FileKind, text: &str) -> Result<Tree, String> {
    let (slot, language) = grammar(kind);
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let parser = match &mut parsers[slot] {
            Some(p) => p,
            empty => {
                let mut p = Parser::new();
                p.set_language(&language)
                    .map_err(|e| format!("cannot load the grammar: {e}"))?;
                empty.insert(p)
            }
        };
        budgeted(parser, text)
    })
}

/// One parse that gives up when it takes longer than the budget for its length: tree-sitter's
/// error recovery can run for minutes on some junk input (TSX above all), memory growing.
pub(super) fn budgeted(parser: &mut Parser, text: &str) -> Result<Tree, String> {
    let budget = bounds::parse_budget(text.len());
    let start = Instant::now();
    // Called every hundred or so parser operations: a clock read is cheap at that rate.
    let mut over = |_: &ParseState| start.elapsed() > budget;
    let options = ParseOptions::new().progress_callback(&mut over);
    let bytes = text.as_bytes();
    let mut read = |at: usize, _: Point| bytes.get(at..).unwrap_or_default();
    match parser.parse_with_options(&mut read, None, Some(options)) {
        Some(tree) => Ok(tree),
        None => {
            // A cancelled parser resumes where it stopped unless reset.
            parser.reset();
            Err(format!(
                "parser budget exceeded after {} ms",
                start.elapsed().as_millis()
            ))
        }
    }
}

/// The start byte of the first node nested deeper than `limit`, if any (one pass with a cursor).
pub fn deeper_than(tree: &Tree, limit: usize) -> Option<usize> {
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        if cursor.goto_first_child() {
            depth += 1;
            if depth > limit {
                return Some(cursor.node().start_byte());
            }
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
            depth -= 1;
        }
    }
}

/// The first syntax error of a tree, as a byte offset and a short description.
pub fn first_error(tree: &Tree) -> Option<(usize, String)> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut found = None;
    preorder(root, |node| {
        if found.is_some() {
            return false;
        }
        if node.is_missing() {
            found = Some((node.start_byte(), format!("missing `{}`", node.kind())));
            return false;
        }
        if node.is_error() {
            found = Some((node.start_byte(), "unexpected syntax".to_owned()));
            return false;
        }
        node.has_error()
    });
    found
}

/// Visits `root` and its descendants in source order without recursion; `visit` returns whether
/// to descend into the node's children.
pub fn preorder<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if visit(node) && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The source text of a node ("" if the span is not on character boundaries).
pub fn text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or_default()
}

/// The value of a string literal node (`'x'`, `"x"`, or a template without substitutions).
pub fn string_value<'s>(node: Node<'_>, source: &'s str) -> Option<&'s str> {
    match node.kind() {
        "string" | "template_string" => {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|c| c.kind() == "template_substitution")
            {
                return None;
            }
            let raw = text(node, source);
            raw.get(1..raw.len().saturating_sub(1))
        }
        _ => None,
    }
}

/// The name a property key or import specifier spells: `store`, `'store'` and `"store"` alike.
pub fn key_name<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    string_value(node, source).unwrap_or_else(|| text(node, source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_errors() {
        let ok = parse(FileKind::JavaScript, "const a = require('x');").expect("parses");
        assert!(first_error(&ok).is_none());
        let bad = parse(FileKind::TypeScript, "const a: = ;\nlet b = 1;").expect("parses");
        assert!(first_error(&bad).is_some());
    }

    #[test]
    fn string_values() {
        let src = "f('a', `b`, `c${d}`)";
        let tree = parse(FileKind::JavaScript, src).expect("parses");
        let mut values = Vec::new();
        preorder(tree.root_node(), |n| {
            if matches!(n.kind(), "string" | "template_string") {
                values.push(string_value(n, src));
                return false;
            }
            true
        });
        assert_eq!(values, [Some("a"), Some("b"), None]);
    }
}
