//! Code that only runs outside production: a branch on `NODE_ENV` (or an `isDev`-style flag) that
//! selects a development store is not what production runs.

use crate::parse::js::text;
use tree_sitter::Node;

/// Words in a condition that make it an environment switch.
const ENV_WORDS: &[&str] = &[
    "NODE_ENV",
    "APP_ENV",
    "production",
    "development",
    "isDev",
    "isProd",
    "isTest",
    "IS_DEV",
    "IS_PROD",
    "isProduction",
    "isDevelopment",
    "dev",
    "DEBUG",
];

/// Whether `node` sits in a branch (`if`, `?:`, `&&`, `||`) whose condition tests the environment.
/// Either branch counts: one of them is not production, and the other is judged where it is.
pub fn in_env_branch(node: Node<'_>, src: &str) -> bool {
    let mut child = node;
    while let Some(parent) = child.parent() {
        let condition = match parent.kind() {
            "if_statement" | "ternary_expression" => parent.child_by_field_name("condition"),
            "binary_expression" => parent.child_by_field_name("left"),
            _ => None,
        };
        if let Some(condition) = condition
            && condition.id() != child.id()
            && is_env_test(condition, src)
        {
            return true;
        }
        child = parent;
    }
    false
}

fn is_env_test(condition: Node<'_>, src: &str) -> bool {
    let t = text(condition, src);
    if t.len() > 200 {
        return false;
    }
    ENV_WORDS.iter().any(|w| {
        t.match_indices(w).any(|(i, _)| {
            let before = t[..i].chars().next_back();
            let after = t[i + w.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !word(before) && !word(after)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::js::{self, preorder};
    use crate::source::FileKind;

    fn marked(src: &str) -> bool {
        let tree = js::parse(FileKind::JavaScript, src).expect("parses");
        let mut found = false;
        preorder(tree.root_node(), |n| {
            if n.kind() == "identifier" && text(n, src) == "HERE" {
                found = in_env_branch(n, src);
            }
            true
        });
        found
    }

    #[test]
    fn environment_branches() {
        assert!(marked(
            "if (process.env.NODE_ENV !== 'production') { use(HERE) }"
        ));
        assert!(marked("const s = isProd ? redis : HERE;"));
        assert!(marked("const s = isDev && HERE;"));
        assert!(!marked("if (user) { use(HERE) }"));
        assert!(!marked("const s = devices ? a : HERE;"));
    }
}
