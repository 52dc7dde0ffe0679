//! JSON read with `jsonc-parser` (byte ranges on every value; comments and trailing commas
//! tolerated, as VS Code settings, ARM templates and `tsconfig.json` carry them) into the
//! [`super::tree`] data tree. ARM templates are JSON documents of this tree too.

use super::tree::{Documents, Node, Value};
use jsonc_parser::ast;
use jsonc_parser::common::Ranged;

/// Parses JSON into one document; a syntax error leaves no document.
pub fn parse(text: &str) -> Documents {
    let result = jsonc_parser::parse_to_ast(
        text,
        &jsonc_parser::CollectOptions::default(),
        &jsonc_parser::ParseOptions::default(),
    );
    match result {
        Ok(parsed) => Documents {
            docs: parsed.value.as_ref().map(node).into_iter().collect(),
            ..Documents::default()
        },
        Err(e) => Documents {
            errors: vec![(e.range().start, e.kind().to_string())],
            ..Documents::default()
        },
    }
}

fn node(value: &ast::Value<'_>) -> Node {
    let r = value.range();
    let value = match value {
        ast::Value::StringLit(s) => Value::Scalar(s.value.to_string()),
        ast::Value::NumberLit(n) => Value::Scalar(n.value.to_owned()),
        ast::Value::BooleanLit(b) => Value::Scalar(b.value.to_string()),
        ast::Value::NullKeyword(_) => Value::Null,
        ast::Value::Array(a) => Value::Seq(a.elements.iter().map(node).collect()),
        ast::Value::Object(o) => Value::Map(
            o.properties
                .iter()
                .map(|p| {
                    let (name, nr) = match &p.name {
                        ast::ObjectPropName::String(s) => (s.value.to_string(), s.range),
                        ast::ObjectPropName::Word(w) => (w.value.to_owned(), w.range),
                    };
                    (
                        Node::new(nr.start..nr.end, Value::Scalar(name)),
                        node(&p.value),
                    )
                })
                .collect(),
        ),
    };
    Node::new(r.start..r.end, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_have_byte_spans() {
        let text =
            "{\n  \"Resources\": {\"TG\": {\"Properties\": {\"Port\": 80, \"On\": true}}}\n}";
        let docs = parse(text);
        let port = docs.docs[0]
            .at(&["Resources", "TG", "Properties", "Port"])
            .expect("port");
        assert_eq!(&text[port.span.clone()], "80");
        assert!(
            docs.docs[0]
                .at(&["Resources", "TG", "Properties", "On"])
                .is_some_and(Node::is_true)
        );
    }

    #[test]
    fn comments_unicode_and_case_insensitive_keys() {
        let text = "{\n  // é comment\n  \"name\": \"café\",\n  \"on\": true,\n}";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let root = docs.docs.first().expect("one document");
        let (key, on) = root.entry_ci("ON").expect("member");
        assert_eq!(on.str(), Some("true"));
        assert_eq!(&text[key.span.clone()], "\"on\"");
        assert_eq!(&text[on.span.clone()], "true");
        assert_eq!(root.get("name").and_then(Node::str), Some("café"));
        // The object, two keys and two values.
        assert_eq!(root.walk().len(), 5);
    }

    #[test]
    fn a_syntax_error_has_its_offset() {
        let docs = parse("{\"a\": [1, 2}");
        assert!(docs.docs.is_empty());
        assert_eq!(docs.errors.len(), 1);
        assert!(docs.errors[0].0 <= 12, "{:?}", docs.errors);
    }
}
