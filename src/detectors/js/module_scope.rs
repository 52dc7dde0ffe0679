//! What a reader of one JS/TS module follows: which local names are bound to which imported
//! module (`import`, `require`, TypeScript `import x = require()`), and what a `const` holds.
//! Scope is the module: a name declared twice is treated as unknown rather than guessed.

#[cfg(test)]
use crate::parse::js::preorder;
use crate::parse::js::{key_name, string_value, text};
use crate::project::symbol::Symbol;
use std::collections::HashMap;
use tree_sitter::Node;

/// What a local name is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// The module itself: `require('m')`, `import x from 'm'`, `import * as x from 'm'`.
    Module,
    /// One export of it: `import { a } from 'm'`, `const { a } = require('m')`, `require('m').a`.
    Named(String),
}

/// A local binding to an import of a module.
#[derive(Debug, Clone)]
pub struct Binding {
    /// The local name.
    pub local: String,
    /// The module specifier.
    pub module: String,
    /// What the name holds.
    pub imported: Imported,
}

#[cfg(test)]
thread_local! {
    /// Module scopes built on this thread (the model builds one per file, whatever reads it).
    pub(crate) static BUILT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Facts about one module, gathered node by node in one pass over its tree.
#[derive(Debug, Default)]
pub struct ModuleScope<'t> {
    /// Import bindings, in source order.
    pub bindings: Vec<Binding>,
    /// `const|let|var NAME = value` for names declared exactly once.
    pub values: HashMap<String, Node<'t>>,
    /// Names declared more than once (their values are unknown).
    ambiguous: Vec<String>,
    /// `NAME.prop = …` assignments: (object name, property name).
    pub assigned_props: Vec<(String, String)>,
    /// `const { a } = local` patterns, bound after the walk when `local` is an import.
    destructured: Vec<(Node<'t>, String)>,
}

/// The module a `require('m')` call loads, if `node` is one.
pub fn required_module<'s>(node: Node<'_>, source: &'s str) -> Option<&'s str> {
    if node.kind() != "call_expression" {
        return None;
    }
    let callee = node.child_by_field_name("function")?;
    if callee.kind() != "identifier" || text(callee, source) != "require" {
        return None;
    }
    let args = node.child_by_field_name("arguments")?;
    let first = args.named_child(0)?;
    string_value(first, source)
}

fn module_of_import<'s>(stmt: Node<'_>, source: &'s str) -> Option<&'s str> {
    string_value(stmt.child_by_field_name("source")?, source)
}

impl<'t> ModuleScope<'t> {
    /// Gathers the scope facts of a module in a walk of its own (the file's model gathers them
    /// in its one walk instead).
    #[cfg(test)]
    pub fn new(root: Node<'t>, source: &str) -> Self {
        let mut scope = ModuleScope::default();
        preorder(root, |node| {
            scope.visit(node, node.kind(), source);
            true
        });
        scope.finish(source);
        scope
    }

    /// Takes in one node of the module's walk (`kind` is its kind), in document order.
    pub fn visit(&mut self, node: Node<'t>, kind: &str, source: &str) {
        match kind {
            "import_statement" => self.import_statement(node, source),
            "variable_declarator" => self.declarator(node, source),
            "assignment_expression" => self.assignment(node, source),
            "call_expression" => self.object_assign(node, source),
            _ => {}
        }
    }

    /// Completes the scope after the walk: what needs every binding known.
    pub fn finish(&mut self, source: &str) {
        #[cfg(test)]
        BUILT.with(|n| n.set(n.get() + 1));
        for name in std::mem::take(&mut self.ambiguous) {
            self.values.remove(&name);
        }
        for (pattern, object) in std::mem::take(&mut self.destructured) {
            let module = self
                .bindings
                .iter()
                .find(|b| b.local == object && b.imported == Imported::Module)
                .map(|b| b.module.clone());
            if let Some(module) = module {
                self.bind_pattern(pattern, &module, source);
            }
        }
    }

    fn bind(&mut self, local: &str, module: &str, imported: Imported) {
        self.bindings.push(Binding {
            local: local.to_owned(),
            module: module.to_owned(),
            imported,
        });
    }

    fn import_statement(&mut self, stmt: Node<'t>, source: &str) {
        let mut cursor = stmt.walk();
        let children: Vec<Node<'t>> = stmt.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "import_clause" => {
                    let Some(module) = module_of_import(stmt, source) else {
                        return;
                    };
                    let mut c = child.walk();
                    for part in child.named_children(&mut c) {
                        match part.kind() {
                            "identifier" => self.bind(text(part, source), module, Imported::Module),
                            "namespace_import" => {
                                let mut n = part.walk();
                                if let Some(id) = part
                                    .named_children(&mut n)
                                    .find(|x| x.kind() == "identifier")
                                {
                                    self.bind(text(id, source), module, Imported::Module);
                                }
                            }
                            "named_imports" => {
                                let mut n = part.walk();
                                for spec in part
                                    .named_children(&mut n)
                                    .filter(|s| s.kind() == "import_specifier")
                                {
                                    let Some(name) = spec.child_by_field_name("name") else {
                                        continue;
                                    };
                                    let local = spec.child_by_field_name("alias").unwrap_or(name);
                                    let name = key_name(name, source);
                                    let imported = if name == "default" {
                                        Imported::Module
                                    } else {
                                        Imported::Named(name.to_owned())
                                    };
                                    self.bind(text(local, source), module, imported);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                // TypeScript: `import x = require('m')`.
                "import_require_clause" => {
                    let mut c = child.walk();
                    let parts: Vec<_> = child.named_children(&mut c).collect();
                    let id = parts.iter().find(|p| p.kind() == "identifier");
                    let module = parts.iter().find_map(|p| string_value(*p, source));
                    if let (Some(id), Some(module)) = (id, module) {
                        self.bind(text(*id, source), module, Imported::Module);
                    }
                }
                _ => {}
            }
        }
    }

    fn declarator(&mut self, decl: Node<'t>, source: &str) {
        let (Some(name), Some(value)) = (
            decl.child_by_field_name("name"),
            decl.child_by_field_name("value"),
        ) else {
            return;
        };
        let value = unparenthesize(value);
        // `require('m')`, `require('m').a`, `(await import('m')).default` is out of reach.
        let (module, member) = match value.kind() {
            "call_expression" => (required_module(value, source), None),
            "member_expression" => {
                let object = value.child_by_field_name("object");
                let property = value.child_by_field_name("property");
                match (object.and_then(|o| required_module(o, source)), property) {
                    (Some(m), Some(p)) => (Some(m), Some(text(p, source))),
                    _ => (None, None),
                }
            }
            _ => (None, None),
        };
        match (name.kind(), module) {
            ("identifier", Some(module)) => {
                let imported = match member {
                    Some("default") | None => Imported::Module,
                    Some(p) => Imported::Named(p.to_owned()),
                };
                self.bind(text(name, source), module, imported);
            }
            ("object_pattern", Some(module)) if member.is_none() => {
                let module = module.to_owned();
                self.bind_pattern(name, &module, source);
            }
            // `const { MemoryStore } = session`: resolved once every import is known.
            ("object_pattern", None) if value.kind() == "identifier" => {
                self.destructured
                    .push((name, text(value, source).to_owned()));
            }
            ("identifier", None) => {
                let name = text(name, source).to_owned();
                if self.values.insert(name.clone(), value).is_some() {
                    self.ambiguous.push(name);
                }
            }
            _ => {}
        }
    }

    /// Binds the names of `{ a, b: c }` to the exports of `module`.
    fn bind_pattern(&mut self, pattern: Node<'t>, module: &str, source: &str) {
        let mut c = pattern.walk();
        for prop in pattern.named_children(&mut c) {
            match prop.kind() {
                "shorthand_property_identifier_pattern" => {
                    let n = text(prop, source);
                    self.bind(n, module, Imported::Named(n.to_owned()));
                }
                "pair_pattern" => {
                    let (Some(k), Some(v)) = (
                        prop.child_by_field_name("key"),
                        prop.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    if v.kind() == "identifier" {
                        let key = key_name(k, source).to_owned();
                        self.bind(text(v, source), module, Imported::Named(key));
                    }
                }
                _ => {}
            }
        }
    }

    fn assignment(&mut self, node: Node<'t>, source: &str) {
        let Some(left) = node.child_by_field_name("left") else {
            return;
        };
        let (object, property) = match left.kind() {
            "member_expression" => (
                left.child_by_field_name("object"),
                left.child_by_field_name("property")
                    .map(|p| text(p, source)),
            ),
            "subscript_expression" => (
                left.child_by_field_name("object"),
                left.child_by_field_name("index")
                    .and_then(|i| string_value(i, source)),
            ),
            _ => (None, None),
        };
        if let (Some(object), Some(property)) = (object, property)
            && object.kind() == "identifier"
        {
            self.assigned_props
                .push((text(object, source).to_owned(), property.to_owned()));
        }
    }

    /// `Object.assign(target, { a, b: … }, …)` sets `a` and `b` on `target`.
    fn object_assign(&mut self, call: Node<'t>, source: &str) {
        let Some(callee) = call.child_by_field_name("function") else {
            return;
        };
        if text(callee, source) != "Object.assign" {
            return;
        }
        let Some(args) = call.child_by_field_name("arguments") else {
            return;
        };
        let mut cursor = args.walk();
        let mut args = args.named_children(&mut cursor);
        let Some(target) = args.next().filter(|t| t.kind() == "identifier") else {
            return;
        };
        let target = text(target, source).to_owned();
        for arg in args {
            let mut c = arg.walk();
            for prop in arg.named_children(&mut c) {
                let key = match prop.kind() {
                    "pair" => prop.child_by_field_name("key").map(|k| key_name(k, source)),
                    "shorthand_property_identifier" => Some(text(prop, source)),
                    _ => None,
                };
                if let Some(key) = key {
                    self.assigned_props.push((target.clone(), key.to_owned()));
                }
            }
        }
    }

    /// Local names bound to `module` (any of `modules`) as `imported`.
    pub fn locals(&self, modules: &[&str], imported: &Imported) -> Vec<&str> {
        self.bindings
            .iter()
            .filter(|b| modules.contains(&b.module.as_str()) && &b.imported == imported)
            .map(|b| b.local.as_str())
            .collect()
    }

    /// Whether some statement assigns `name.property = …`.
    pub fn assigns(&self, name: &str, property: &str) -> bool {
        self.assigned_props
            .iter()
            .any(|(o, p)| o == name && p == property)
    }

    /// Where an expression comes from, as a [`Symbol`]: the module specifier as its package and
    /// the member path below it
    /// (`session.MemoryStore` → `express-session` + `["MemoryStore"]`; a call of a module
    /// factory adds `"()"`: `require('memorystore')(session)` → `memorystore` + `["()"]`).
    /// `.default` is the module itself. Follows `const`s; `None` for anything else.
    pub fn origin(&self, node: Node<'t>, source: &str) -> Option<Symbol> {
        self.origin_at(node, source, 0)
    }

    fn origin_at(&self, node: Node<'t>, source: &str, depth: usize) -> Option<Symbol> {
        if depth > 8 {
            return None;
        }
        let node = self.resolve(node, source);
        match node.kind() {
            // `{ store }` names the local `store` as much as `{ store: store }` does.
            "identifier" | "shorthand_property_identifier" => {
                let name = text(node, source);
                let binding = self.bindings.iter().rev().find(|b| b.local == name)?;
                let path = match &binding.imported {
                    Imported::Module => Vec::new(),
                    Imported::Named(n) => vec![n.clone()],
                };
                Some(Symbol::new(binding.module.clone(), path))
            }
            "member_expression" => {
                let property = text(node.child_by_field_name("property")?, source);
                let mut origin =
                    self.origin_at(node.child_by_field_name("object")?, source, depth + 1)?;
                if !(property == "default" && origin.path.is_empty()) {
                    origin.path.push(property.to_owned());
                }
                Some(origin)
            }
            "call_expression" => {
                if let Some(module) = required_module(node, source) {
                    return Some(Symbol::new(module, Vec::new()));
                }
                let mut origin =
                    self.origin_at(node.child_by_field_name("function")?, source, depth + 1)?;
                origin.path.push("()".to_owned());
                Some(origin)
            }
            _ => None,
        }
    }

    /// Follows identifiers to the value of the `const` they name (a few hops at most).
    pub fn resolve(&self, mut node: Node<'t>, source: &str) -> Node<'t> {
        for _ in 0..4 {
            node = unparenthesize(node);
            if !matches!(node.kind(), "identifier" | "shorthand_property_identifier") {
                break;
            }
            match self.values.get(text(node, source)) {
                Some(value) => node = *value,
                None => break,
            }
        }
        unparenthesize(node)
    }
}

/// The innermost function (declaration, expression, arrow or method) that contains `node`.
pub fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if matches!(
            parent.kind(),
            "arrow_function"
                | "function_expression"
                | "function_declaration"
                | "generator_function_declaration"
                | "method_definition"
                | "function"
        ) {
            return Some(parent);
        }
        current = parent;
    }
    None
}

/// Strips parentheses and TypeScript `as` / `satisfies` / non-null wrappers.
pub fn unparenthesize(mut node: Node<'_>) -> Node<'_> {
    while matches!(
        node.kind(),
        "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
    ) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::js;
    use crate::source::FileKind;

    #[test]
    fn follows_imports_requires_and_consts() {
        let src = r#"
import session from 'express-session';
import * as ns from 'express-session';
import { MemoryStore as MS, default as s2 } from 'express-session';
const s3 = require('express-session');
const { MemoryStore } = require("express-session");
const Store = require('express-session').Store;
const { Cookie } = s3;
const opts = { secret: 'x' };
opts.store = null;
Object.assign(opts, { cookie: {} }, { resave: false });
let twice = 1; twice = 2; var twice = 3;
"#;
        let tree = js::parse(FileKind::TypeScript, src).expect("parses");
        let scope = ModuleScope::new(tree.root_node(), src);
        let modules = ["express-session"];
        let mut locals = scope.locals(&modules, &Imported::Module);
        locals.sort_unstable();
        assert_eq!(locals, ["ns", "s2", "s3", "session"]);
        let named = scope.locals(&modules, &Imported::Named("MemoryStore".into()));
        assert_eq!(named, ["MS", "MemoryStore"]);
        assert_eq!(
            scope
                .locals(&modules, &Imported::Named("Store".into()))
                .len(),
            1
        );
        assert!(scope.values.contains_key("opts"));
        assert!(!scope.values.contains_key("twice"));
        assert!(scope.assigns("opts", "store"));
        assert!(scope.assigns("opts", "cookie") && scope.assigns("opts", "resave"));
    }

    #[test]
    fn origins_follow_members_calls_and_consts() {
        let src = r#"
import multer, { diskStorage as ds } from 'multer';
const FileStore = require('session-file-store')(require('express-session'));
const storage = multer.default.diskStorage;
const x = ds;
"#;
        let tree = js::parse(FileKind::TypeScript, src).expect("parses");
        let scope = ModuleScope::new(tree.root_node(), src);
        let origin = |name: &str| {
            let node = *scope.values.get(name).expect("declared");
            scope
                .origin(node, src)
                .map(|o| (o.package.clone(), o.path.join(".")))
        };
        assert_eq!(
            origin("FileStore"),
            Some(("session-file-store".into(), "()".into()))
        );
        assert_eq!(
            origin("storage"),
            Some(("multer".into(), "diskStorage".into()))
        );
        assert_eq!(origin("x"), Some(("multer".into(), "diskStorage".into())));
    }
}
