//! Options objects as a reader follows them: `f({ key })`, `f(opts)` with `const opts = {…}`,
//! spreads of other `const` objects, later `opts.key = …` / `Object.assign(opts, { key })`.
//! Later properties override earlier ones, as in the language.

use super::module_scope::{ModuleScope, unparenthesize};
use crate::parse::js::{key_name, text};
use tree_sitter::Node;

/// What an options object says about one key.
#[derive(Debug, Clone, Copy)]
pub enum Prop<'t> {
    /// The key is not set (the library's default applies).
    Absent,
    /// It may be set, but by something not visible here (a spread of a call, a computed key,
    /// options built in another module, an assignment after the literal).
    Unknown,
    /// The key's value (a shorthand `{ key }` yields the identifier).
    Value(Node<'t>),
}

/// The value of `key` in the options argument `arg` (`None`: no argument, so `Absent`).
pub fn option<'t>(
    arg: Option<Node<'t>>,
    key: &str,
    scope: &ModuleScope<'t>,
    src: &str,
) -> Prop<'t> {
    let Some(arg) = arg else {
        return Prop::Absent;
    };
    let object = scope.resolve(arg, src);
    if matches!(object.kind(), "undefined" | "null") {
        return Prop::Absent;
    }
    if object.kind() != "object" {
        return Prop::Unknown;
    }
    let arg = unparenthesize(arg);
    if arg.kind() == "identifier" && scope.assigns(text(arg, src), key) {
        return Prop::Unknown;
    }
    find(object, key, scope, src, 0)
}

fn find<'t>(
    object: Node<'t>,
    key: &str,
    scope: &ModuleScope<'t>,
    src: &str,
    depth: usize,
) -> Prop<'t> {
    let mut result = Prop::Absent;
    let mut cursor = object.walk();
    for prop in object.named_children(&mut cursor) {
        match prop.kind() {
            "pair" => {
                let Some(k) = prop.child_by_field_name("key") else {
                    continue;
                };
                if k.kind() == "computed_property_name" {
                    result = Prop::Unknown;
                } else if key_name(k, src) == key
                    && let Some(value) = prop.child_by_field_name("value")
                {
                    result = Prop::Value(value);
                }
            }
            "shorthand_property_identifier" if text(prop, src) == key => {
                result = Prop::Value(prop);
            }
            "method_definition"
                if prop
                    .child_by_field_name("name")
                    .is_some_and(|n| key_name(n, src) == key) =>
            {
                result = Prop::Unknown;
            }
            "spread_element" => {
                let inner = prop.named_child(0).map(|n| scope.resolve(n, src));
                match inner {
                    Some(obj) if obj.kind() == "object" && depth < 4 => {
                        match find(obj, key, scope, src, depth + 1) {
                            Prop::Absent => {}
                            other => result = other,
                        }
                    }
                    _ => result = Prop::Unknown,
                }
            }
            _ => {}
        }
    }
    result
}

/// Whether `value` is `undefined` / `null`, which libraries treat as an absent option.
pub fn is_nullish(value: Node<'_>, src: &str) -> bool {
    matches!(value.kind(), "undefined" | "null")
        || (value.kind() == "identifier" && text(value, src) == "undefined")
}

/// What a factory function returns when it says so plainly: the body of `() => ({…})` or the
/// value of its last `return` statement (parentheses and `as` stripped).
pub fn returned_value(function: Node<'_>) -> Option<Node<'_>> {
    if !matches!(
        function.kind(),
        "arrow_function" | "function_expression" | "function"
    ) {
        return None;
    }
    let body = unparenthesize(function.child_by_field_name("body")?);
    if body.kind() != "statement_block" {
        return Some(body);
    }
    let last = body.named_child(body.named_child_count().checked_sub(1)?)?;
    if last.kind() != "return_statement" {
        return None;
    }
    Some(unparenthesize(last.named_child(0)?))
}

/// What a call or `new` invokes: the callee or the constructor.
pub fn invoked(node: Node<'_>) -> Option<Node<'_>> {
    match node.kind() {
        "new_expression" => node.child_by_field_name("constructor"),
        "call_expression" => node.child_by_field_name("function"),
        _ => None,
    }
}

/// The part of a call or `new` worth underlining: `new LRUCache`, `cron.schedule`, `diskStorage`
/// (a multi-line argument list would drown the snippet). Other nodes: their whole span.
pub fn head(node: Node<'_>) -> std::ops::Range<usize> {
    match invoked(node) {
        Some(t) => node.start_byte()..t.end_byte(),
        None => node.byte_range(),
    }
}

/// The `n`th argument of a call.
pub fn arg(call: Node<'_>, n: usize) -> Option<Node<'_>> {
    let args = call.child_by_field_name("arguments")?;
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|a| a.kind() != "comment")
        .nth(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::js;
    use crate::source::FileKind;

    fn lookup(src: &str, key: &str) -> &'static str {
        let tree = js::parse(FileKind::JavaScript, src).expect("parses");
        let scope = ModuleScope::new(tree.root_node(), src);
        let mut call = None;
        js::preorder(tree.root_node(), |n| {
            if n.kind() == "call_expression" && text(n, src).starts_with("f(") {
                call = Some(n);
            }
            true
        });
        let call = call.expect("a call of f");
        match option(arg(call, 0), key, &scope, src) {
            Prop::Absent => "absent",
            Prop::Unknown => "unknown",
            Prop::Value(_) => "value",
        }
    }

    #[test]
    fn follows_consts_spreads_and_assignments() {
        assert_eq!(lookup("f({ a: 1 })", "store"), "absent");
        assert_eq!(lookup("f()", "store"), "absent");
        assert_eq!(lookup("const o = { store }; f(o)", "store"), "value");
        assert_eq!(
            lookup("const b = { store: 1 }; f({ ...b, a })", "store"),
            "value"
        );
        assert_eq!(lookup("f({ ...make(), a })", "store"), "unknown");
        assert_eq!(
            lookup("const o = {}; o.store = s; f(o)", "store"),
            "unknown"
        );
        assert_eq!(lookup("f(build())", "store"), "unknown");
        assert_eq!(lookup("f({ store: s, ...{ a: 1 } })", "store"), "value");
    }
}
