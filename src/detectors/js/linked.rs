//! Values that cross modules of the project: what a module exports (CommonJS `module.exports` /
//! `exports.x`, ES `export`), and which file and export an imported name stands for (a relative
//! specifier, resolved like Node and bundlers do: the path itself, an extension, an `index` file).
//! A detector records both sides as facts while it reads each file, and joins them after the walk.

use super::module_scope::{ModuleScope, unparenthesize};
use crate::parse::js::{key_name, text};
use crate::project::symbol::Symbol;
use tree_sitter::Node;

/// The export name of `module.exports = …` / `export default …`.
pub const DEFAULT: &str = "default";

/// Extensions a relative specifier may omit, in the order resolvers try them.
const EXTENSIONS: &[&str] = &["js", "ts", "tsx", "mjs", "cjs", "jsx", "mts", "cts"];

/// Every top-level export of a module as (export name, value), the value followed through the
/// module's `const`s. `module.exports = { a, b: c }` also exports `a` and `b` (what
/// `const { a } = require(…)` takes).
pub fn exports<'t>(root: Node<'t>, src: &str, scope: &ModuleScope<'t>) -> Vec<(String, Node<'t>)> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        match stmt.kind() {
            "expression_statement" => {
                if let Some(assign) = stmt.named_child(0)
                    && assign.kind() == "assignment_expression"
                {
                    commonjs(assign, src, scope, &mut out);
                }
            }
            "export_statement" => es_export(stmt, src, scope, &mut out),
            _ => {}
        }
    }
    out
}

fn commonjs<'t>(
    assign: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    out: &mut Vec<(String, Node<'t>)>,
) {
    let (Some(left), Some(right)) = (
        assign.child_by_field_name("left"),
        assign.child_by_field_name("right"),
    ) else {
        return;
    };
    let value = scope.resolve(right, src);
    match text(left, src) {
        "module.exports" | "exports" => {
            out.push((DEFAULT.to_owned(), value));
            if value.kind() == "object" {
                let mut cursor = value.walk();
                for prop in value.named_children(&mut cursor) {
                    match prop.kind() {
                        "pair" => {
                            if let (Some(k), Some(v)) = (
                                prop.child_by_field_name("key"),
                                prop.child_by_field_name("value"),
                            ) {
                                out.push((key_name(k, src).to_owned(), scope.resolve(v, src)));
                            }
                        }
                        "shorthand_property_identifier" => {
                            out.push((text(prop, src).to_owned(), scope.resolve(prop, src)));
                        }
                        _ => {}
                    }
                }
            }
        }
        left_text => {
            let name = left_text
                .strip_prefix("module.exports.")
                .or_else(|| left_text.strip_prefix("exports."));
            if let Some(name) = name.filter(|n| !n.contains('.')) {
                out.push((name.to_owned(), value));
            }
        }
    }
}

fn es_export<'t>(
    stmt: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    out: &mut Vec<(String, Node<'t>)>,
) {
    if let Some(value) = stmt.child_by_field_name("value") {
        out.push((DEFAULT.to_owned(), scope.resolve(value, src)));
        return;
    }
    if let Some(decl) = stmt.child_by_field_name("declaration") {
        if decl.kind() == "class_declaration"
            && let Some(name) = decl.child_by_field_name("name")
        {
            out.push((text(name, src).to_owned(), decl));
        }
        if matches!(decl.kind(), "lexical_declaration" | "variable_declaration") {
            let mut cursor = decl.walk();
            for d in decl.named_children(&mut cursor) {
                if d.kind() == "variable_declarator"
                    && let (Some(name), Some(value)) = (
                        d.child_by_field_name("name"),
                        d.child_by_field_name("value"),
                    )
                    && name.kind() == "identifier"
                {
                    out.push((text(name, src).to_owned(), unparenthesize(value)));
                }
            }
        }
        return;
    }
    // `export { a, b as c }` of local names (a re-export `from` another module is left alone).
    if stmt.child_by_field_name("source").is_some() {
        return;
    }
    let mut cursor = stmt.walk();
    for clause in stmt.named_children(&mut cursor) {
        if clause.kind() != "export_clause" {
            continue;
        }
        let mut inner = clause.walk();
        for spec in clause.named_children(&mut inner) {
            let Some(name) = spec.child_by_field_name("name") else {
                continue;
            };
            let exported = spec.child_by_field_name("alias").unwrap_or(name);
            out.push((text(exported, src).to_owned(), scope.resolve(name, src)));
        }
    }
}

/// A value imported from another file of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRef {
    /// Displayed paths the specifier may name, most likely first.
    pub candidates: Vec<String>,
    /// The export taken from it ([`DEFAULT`] for the module itself).
    pub name: String,
}

impl ImportRef {
    /// Whether this import names `export` of the file displayed as `path`.
    pub fn names(&self, path: &str, export: &str) -> bool {
        self.name == export
            && self
                .candidates
                .iter()
                .any(|c| c == normalized(path).as_str())
    }
}

/// The project file and export an origin stands for, when its module is a relative specifier
/// and at most one member is taken from it (`require('./x')`, `import { a } from '../x'`).
pub fn import_ref(importer: &str, origin: &Symbol) -> Option<ImportRef> {
    let spec = origin.package.as_str();
    if !(spec.starts_with("./") || spec.starts_with("../")) {
        return None;
    }
    let name = match origin.path().as_slice() {
        [] => DEFAULT.to_owned(),
        [one] if *one != "()" => (*one).to_owned(),
        _ => return None,
    };
    let importer = normalized(importer);
    let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
    let joined = join(dir, spec)?;
    let mut candidates = vec![joined.clone()];
    let stem = EXTENSIONS
        .iter()
        .find_map(|e| joined.strip_suffix(&format!(".{e}")))
        .map(str::to_owned);
    // TypeScript ESM imports name the compiled `.js` file of a `.ts` source.
    if let Some(stem) = &stem {
        candidates.extend(EXTENSIONS.iter().map(|e| format!("{stem}.{e}")));
    }
    candidates.extend(EXTENSIONS.iter().map(|e| format!("{joined}.{e}")));
    candidates.extend(EXTENSIONS.iter().map(|e| format!("{joined}/index.{e}")));
    candidates.dedup();
    Some(ImportRef { candidates, name })
}

/// A displayed path in the form candidates use: forward slashes, no leading `./`.
fn normalized(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut rest = path.as_str();
    while let Some(r) = rest.strip_prefix("./") {
        rest = r;
    }
    rest.to_owned()
}

/// `dir` joined with a relative specifier, `.` and `..` folded; `None` above the project root.
fn join(dir: &str, spec: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in spec.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(module: &str, path: &[&str]) -> Symbol {
        Symbol::new(module, path.iter().map(|p| (*p).to_owned()).collect())
    }

    #[test]
    fn relative_specifiers_resolve_to_project_files() {
        let r = import_ref(
            "src/controllers/user.js",
            &origin("../middleware/multer", &[]),
        )
        .expect("relative");
        assert!(r.names("src/middleware/multer.js", DEFAULT));
        assert!(r.names("./src/middleware/multer/index.ts", DEFAULT));
        assert!(!r.names("src/middleware/multer.js", "storage"));
        let named =
            import_ref("app.ts", &origin("./config/upload.js", &["storage"])).expect("named");
        assert!(named.names("config/upload.ts", "storage"));
        assert!(import_ref("app.ts", &origin("multer", &[])).is_none());
        assert!(import_ref("app.ts", &origin("../../outside", &[])).is_none());
    }

    #[test]
    fn exports_of_both_module_systems() {
        let src = "const a = 1;\nmodule.exports = { a, b: 2 };\nexports.c = 3;\nexport const d = 4;\nexport default 5;\nexport { a as e };\n";
        let tree =
            crate::parse::js::parse(crate::source::FileKind::TypeScript, src).expect("parses");
        let root = tree.root_node();
        let scope = ModuleScope::new(root, src);
        let names: Vec<(String, &str)> = exports(root, src, &scope)
            .into_iter()
            .map(|(n, v)| (n, text(v, src)))
            .collect();
        let want = [
            ("default", "{ a, b: 2 }"),
            ("a", "1"),
            ("b", "2"),
            ("c", "3"),
            ("d", "4"),
            ("default", "5"),
            ("e", "1"),
        ];
        assert_eq!(
            names,
            want.iter()
                .map(|(n, v)| ((*n).to_owned(), *v))
                .collect::<Vec<_>>()
        );
    }
}
