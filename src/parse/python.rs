//! Python through tree-sitter-python (see [`super::treesitter`]): the literal helpers of its
//! grammar.

use crate::source::FileKind;
use tree_sitter::{Node, Tree};

pub use super::treesitter::{first_error, preorder, text};

/// Parses Python text. `None` only if the grammar cannot be loaded or the parse is over budget.
pub fn parse(text: &str) -> Option<Tree> {
    super::treesitter::parse_kind(FileKind::Python, text).map(|t| t.tree)
}

/// The value of a string literal (`'x'`, `"x"`, `r"x"`, `"""x"""`, an f-string without
/// placeholders, or adjacent literals `"a" "b"`); `None` for anything else. Escapes are kept as
/// written: the values scalelint compares (module paths, URLs, backend names) have none.
pub fn string_value(node: Node<'_>, source: &str) -> Option<String> {
    match node.kind() {
        "string" => {
            let mut cursor = node.walk();
            let mut start = None;
            let mut end = None;
            for child in node.children(&mut cursor) {
                match child.kind() {
                    "string_start" => start = Some(child.end_byte()),
                    "string_end" => end = Some(child.start_byte()),
                    "interpolation" => return None,
                    _ => {}
                }
            }
            source.get(start?..end?).map(str::to_owned)
        }
        "concatenated_string" => {
            let mut cursor = node.walk();
            let parts: Option<Vec<String>> = node
                .named_children(&mut cursor)
                .map(|part| string_value(part, source))
                .collect();
            parts.map(|p| p.concat())
        }
        "parenthesized_expression" => string_value(node.named_child(0)?, source),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_reports_errors() {
        let ok = parse("import os\nX = os.environ.get('X', 'a')\n").expect("parses");
        assert!(first_error(&ok).is_none());
        let bad = parse("def f(:\n    pass\nY = 1\n").expect("parses");
        assert!(first_error(&bad).is_some());
    }

    #[test]
    fn string_values() {
        let src = "f('a', r\"b\", '''c''', f'{d}', f'e', 'g' \"h\", 1)";
        let tree = parse(src).expect("parses");
        let mut values = Vec::new();
        preorder(tree.root_node(), |n| {
            if n.kind() == "argument_list" {
                let mut c = n.walk();
                values = n
                    .named_children(&mut c)
                    .map(|a| string_value(a, src))
                    .collect();
                return false;
            }
            true
        });
        let expected = [
            Some("a"),
            Some("b"),
            Some("c"),
            None,
            Some("e"),
            Some("gh"),
            None,
        ];
        assert_eq!(values, expected.map(|v| v.map(str::to_owned)));
    }
}
