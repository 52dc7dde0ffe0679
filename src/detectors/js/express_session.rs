//! express-session: without a `store` option it keeps every session in a `MemoryStore` inside the
//! Node process; `memorystore` and an explicit `MemoryStore` do the same on purpose.

use super::module_scope::{Imported, ModuleScope, required_module, unparenthesize};
use crate::detectors::Detector;
use crate::diagnostic::Diagnostic;
use crate::parse::Tree;
use crate::parse::js::{key_name, preorder, text};
use crate::project::Sink;
use crate::rules;
use crate::source::{FileKind, SourceFile};
use tree_sitter::Node;

/// express-session used with its default or an explicit in-memory store.
pub struct ExpressSession;

const MODULES: &[&str] = &["express-session"];
const MEMORYSTORE: &[&str] = &["memorystore"];

const HELP: &str = "give express-session a shared store, e.g. `store: new RedisStore({ client })` \
    from connect-redis (or connect-pg-simple, connect-mongo), or keep small sessions in signed \
    cookies with cookie-session";

/// The names that mean what the session module exports, in this file.
struct Names<'a> {
    /// Locals holding the module (`session(...)`, `session.MemoryStore`).
    module: Vec<&'a str>,
    /// Locals holding the `MemoryStore` class.
    memory_store: Vec<&'a str>,
    /// Locals holding a memorystore factory (`require('memorystore')`).
    memorystore_factory: Vec<&'a str>,
}

impl Detector for ExpressSession {
    fn id(&self) -> &'static str {
        "js/express-session"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::JavaScript, FileKind::TypeScript, FileKind::Tsx]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &["express-session"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL101"]
    }

    fn check(&self, file: &SourceFile, tree: &Tree, out: &mut Sink) {
        let Tree::Js(tree) = tree else { return };
        let src = file.text.as_str();
        let root = tree.root_node();
        let scope = ModuleScope::new(root, src);
        let names = Names {
            module: scope.locals(MODULES, &Imported::Module),
            memory_store: scope.locals(MODULES, &Imported::Named("MemoryStore".into())),
            memorystore_factory: scope.locals(MEMORYSTORE, &Imported::Module),
        };
        preorder(root, |node| {
            if node.kind() == "call_expression"
                && let Some(callee) = node.child_by_field_name("function")
                && is_session_factory(callee, src, &names)
            {
                check_call(node, callee, src, &scope, &names, out);
            }
            true
        });
    }
}

/// `session`, `session.default`, or `require('express-session')` itself.
fn is_session_factory(callee: Node<'_>, src: &str, names: &Names<'_>) -> bool {
    let callee = unparenthesize(callee);
    match callee.kind() {
        "identifier" => names.module.contains(&text(callee, src)),
        "member_expression" => {
            let object = callee.child_by_field_name("object");
            let property = callee.child_by_field_name("property");
            property.is_some_and(|p| text(p, src) == "default")
                && object.is_some_and(|o| is_session_factory(o, src, names))
        }
        "call_expression" => required_module(callee, src).is_some_and(|m| MODULES.contains(&m)),
        _ => false,
    }
}

fn check_call<'t>(
    call: Node<'t>,
    callee: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    names: &Names<'_>,
    out: &mut Sink,
) {
    let first_arg = call
        .child_by_field_name("arguments")
        .and_then(|a| a.named_child(0));
    let Some(arg) = first_arg else {
        out.push(missing_store(callee));
        return;
    };
    let options = scope.resolve(arg, src);
    if options.kind() != "object" {
        // Options built elsewhere (another module, a function): not knowable here.
        return;
    }
    // `const opts = {…}; opts.store = new RedisStore()` sets the store after the literal.
    if unparenthesize(arg).kind() == "identifier" && scope.assigns(text(arg, src), "store") {
        return;
    }
    match find_store(options, src, scope, 0) {
        StoreOption::Absent => out.push(missing_store(callee)),
        StoreOption::Unknown => {}
        StoreOption::Value(value) => {
            let value = scope.resolve(value, src);
            // `store: undefined` / `store: null` is the same as no store at all.
            if matches!(value.kind(), "undefined" | "null")
                || (value.kind() == "identifier" && text(value, src) == "undefined")
            {
                out.push(Diagnostic::new(
                    &rules::SL101,
                    value.byte_range(),
                    format!(
                        "express-session `store` is `{}`, so sessions live in this process's memory (its default MemoryStore)",
                        text(value, src)
                    ),
                    HELP,
                ));
                return;
            }
            if let Some(what) = in_memory_store(value, src, scope, names) {
                out.push(Diagnostic::new(
                    &rules::SL101,
                    value.byte_range(),
                    format!("express-session store is {what}, which keeps sessions in this process's memory"),
                    HELP,
                ));
            }
        }
    }
}

fn missing_store(callee: Node<'_>) -> Diagnostic {
    Diagnostic::new(
        &rules::SL101,
        callee.byte_range(),
        "express-session has no `store`, so sessions live in this process's memory (its default MemoryStore)",
        HELP,
    )
}

enum StoreOption<'t> {
    Absent,
    /// A spread or computed key we cannot see through.
    Unknown,
    Value(Node<'t>),
}

fn find_store<'t>(
    object: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    depth: usize,
) -> StoreOption<'t> {
    let mut result = StoreOption::Absent;
    let mut cursor = object.walk();
    // Later properties override earlier ones, as in the language.
    for prop in object.named_children(&mut cursor) {
        match prop.kind() {
            "pair" => {
                let Some(key) = prop.child_by_field_name("key") else {
                    continue;
                };
                match key.kind() {
                    "computed_property_name" => result = StoreOption::Unknown,
                    _ if key_name(key, src) == "store" => {
                        if let Some(value) = prop.child_by_field_name("value") {
                            result = StoreOption::Value(value);
                        }
                    }
                    _ => {}
                }
            }
            "shorthand_property_identifier" if text(prop, src) == "store" => {
                result = StoreOption::Value(prop);
            }
            "method_definition"
                if prop
                    .child_by_field_name("name")
                    .is_some_and(|n| text(n, src) == "store") =>
            {
                result = StoreOption::Unknown;
            }
            "spread_element" => {
                let inner = prop.named_child(0).map(|n| scope.resolve(n, src));
                match inner {
                    Some(obj) if obj.kind() == "object" && depth < 4 => {
                        match find_store(obj, src, scope, depth + 1) {
                            StoreOption::Absent => {}
                            other => result = other,
                        }
                    }
                    _ => result = StoreOption::Unknown,
                }
            }
            _ => {}
        }
    }
    result
}

/// Names the in-memory store `value` constructs, if it does. The class may be named directly
/// (`new MemoryStore()`, `new session.MemoryStore()`) or through a `const` that holds it
/// (`const MemoryStore = session.MemoryStore`, `const MemoryStore = require('memorystore')(session)`).
fn in_memory_store<'t>(
    value: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    names: &Names<'_>,
) -> Option<&'static str> {
    if value.kind() != "new_expression" {
        return None;
    }
    let class = scope.resolve(value.child_by_field_name("constructor")?, src);
    match class.kind() {
        "identifier" => names
            .memory_store
            .contains(&text(class, src))
            .then_some("`MemoryStore`"),
        "member_expression" => {
            let object = class.child_by_field_name("object")?;
            let property = text(class.child_by_field_name("property")?, src);
            (property == "MemoryStore" && is_session_factory(object, src, names))
                .then_some("`MemoryStore`")
        }
        // The memorystore package is a factory: `require('memorystore')(session)`.
        "call_expression" => {
            let factory = unparenthesize(class.child_by_field_name("function")?);
            let from_memorystore = required_module(factory, src)
                .is_some_and(|m| MEMORYSTORE.contains(&m))
                || (factory.kind() == "identifier"
                    && names.memorystore_factory.contains(&text(factory, src)));
            from_memorystore.then_some("`memorystore`")
        }
        _ => None,
    }
}
