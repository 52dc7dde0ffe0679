//! Code that only runs outside production: a branch on `NODE_ENV` (or an `isDev`-style flag) that
//! selects a development store is not what production runs.

#[cfg(test)]
use crate::parse::js::preorder;
use crate::parse::js::text;
use std::ops::Range;
use tree_sitter::Node;

/// Variables whose value is the deployment's name (`process.env.NODE_ENV === 'production'`); any
/// other word of a condition counts when it names a deployment (`isDev`, `IS_PROD`, `DEBUG`).
const ENV_VARIABLES: &[&str] = &["NODE_ENV", "APP_ENV"];

/// The parts of a file that run in one environment only: each branch of an `if`, `?:`, `&&` or
/// `||` whose condition tests the environment (the condition itself excluded). Either branch
/// counts: one of them is not production, and the other is judged where it is.
///
/// Gathered node by node in the file's one walk: climbing from a node to the root instead would
/// cost a descent from the root per step (tree-sitter nodes have no parent pointers).
#[derive(Debug, Default)]
pub struct EnvBranches {
    ranges: Vec<Range<usize>>,
}

impl EnvBranches {
    /// The environment branches of the file whose tree is `root`, in a walk of its own.
    #[cfg(test)]
    pub fn new(root: Node<'_>, src: &str) -> Self {
        let mut env = EnvBranches::default();
        preorder(root, |n| {
            env.visit(n, n.kind(), src);
            true
        });
        env
    }

    /// Takes in one node of the file's walk (`kind` is its kind).
    pub fn visit(&mut self, n: Node<'_>, kind: &str, src: &str) {
        let condition = match kind {
            "if_statement" | "ternary_expression" => n.child_by_field_name("condition"),
            "binary_expression" => n.child_by_field_name("left"),
            _ => None,
        };
        if let Some(c) = condition
            && is_env_test(c, src)
        {
            self.ranges.push(n.start_byte()..c.start_byte());
            self.ranges.push(c.end_byte()..n.end_byte());
        }
    }

    /// Whether `node` sits inside an environment branch.
    pub fn contains(&self, node: Node<'_>) -> bool {
        let r = node.byte_range();
        self.ranges
            .iter()
            .any(|b| b.start <= r.start && r.end <= b.end)
    }
}

fn is_env_test(condition: Node<'_>, src: &str) -> bool {
    let t = text(condition, src);
    if t.len() > 200 {
        return false;
    }
    ENV_VARIABLES.iter().any(|v| t.contains(v)) || crate::role::names_any(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::js;
    use crate::source::FileKind;

    fn marked(src: &str) -> bool {
        let tree = js::parse(FileKind::JavaScript, src).expect("parses");
        let env = EnvBranches::new(tree.root_node(), src);
        let mut found = false;
        preorder(tree.root_node(), |n| {
            if n.kind() == "identifier" && text(n, src) == "HERE" {
                found = env.contains(n);
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
        // Inside the condition is not inside a branch.
        assert!(!marked("if (HERE === process.env.NODE_ENV) { use(x) }"));
    }
}
