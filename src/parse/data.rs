//! JSON (`jsonc-parser`, byte ranges on every value) and TOML (`toml`'s spanned document tree)
//! converted into the YAML node tree, so a detector for a tool that accepts all three formats
//! (Traefik, CloudFormation) reads them the same way.

use super::yaml::{Documents, Node, Value};
use jsonc_parser::ast;
use jsonc_parser::common::Ranged;
use toml::de::{DeTable, DeValue};

/// Parses JSON (comments and trailing commas tolerated) into one document.
pub fn parse_json(text: &str) -> Documents {
    let result = jsonc_parser::parse_to_ast(
        text,
        &jsonc_parser::CollectOptions::default(),
        &jsonc_parser::ParseOptions::default(),
    );
    match result {
        Ok(parsed) => Documents {
            docs: parsed.value.as_ref().map(json_node).into_iter().collect(),
            ..Documents::default()
        },
        Err(e) => Documents {
            errors: vec![(e.range().start, e.kind().to_string())],
            ..Documents::default()
        },
    }
}

fn json_node(value: &ast::Value<'_>) -> Node {
    let r = value.range();
    let value = match value {
        ast::Value::StringLit(s) => Value::Scalar(s.value.to_string()),
        ast::Value::NumberLit(n) => Value::Scalar(n.value.to_owned()),
        ast::Value::BooleanLit(b) => Value::Scalar(b.value.to_string()),
        ast::Value::NullKeyword(_) => Value::Null,
        ast::Value::Array(a) => Value::Seq(a.elements.iter().map(json_node).collect()),
        ast::Value::Object(o) => Value::Map(
            o.properties
                .iter()
                .map(|p| {
                    let (name, nr) = match &p.name {
                        ast::ObjectPropName::String(s) => (s.value.to_string(), s.range),
                        ast::ObjectPropName::Word(w) => (w.value.to_owned(), w.range),
                    };
                    let key = Node {
                        span: nr.start..nr.end,
                        tag: None,
                        value: Value::Scalar(name),
                    };
                    (key, json_node(&p.value))
                })
                .collect(),
        ),
    };
    Node {
        span: r.start..r.end,
        tag: None,
        value,
    }
}

/// Parses TOML into one document, recovering past errors.
pub fn parse_toml(text: &str) -> Documents {
    let (table, errors) = DeTable::parse_recoverable(text);
    let span = table.span();
    let root = toml_table(table.get_ref(), span, text);
    Documents {
        docs: vec![root],
        errors: errors
            .iter()
            .map(|e| {
                (
                    e.span().map_or(0, |s| s.start),
                    e.message().trim().to_owned(),
                )
            })
            .collect(),
        ..Documents::default()
    }
}

fn toml_table(table: &DeTable<'_>, span: std::ops::Range<usize>, text: &str) -> Node {
    let entries = table
        .iter()
        .map(|(k, v)| {
            let key = Node {
                span: k.span(),
                tag: None,
                value: Value::Scalar(k.get_ref().to_string()),
            };
            (key, toml_value(v.get_ref(), v.span(), text))
        })
        .collect();
    Node {
        span,
        tag: None,
        value: Value::Map(entries),
    }
}

fn toml_value(value: &DeValue<'_>, span: std::ops::Range<usize>, text: &str) -> Node {
    let value = match value {
        DeValue::String(s) => Value::Scalar(s.to_string()),
        DeValue::Boolean(b) => Value::Scalar(b.to_string()),
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Datetime(_) => {
            Value::Scalar(text.get(span.clone()).unwrap_or_default().to_owned())
        }
        DeValue::Array(items) => Value::Seq(
            items
                .iter()
                .map(|i| toml_value(i.get_ref(), i.span(), text))
                .collect(),
        ),
        DeValue::Table(t) => return toml_table(t, span, text),
    };
    Node {
        span,
        tag: None,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_have_byte_spans() {
        let text =
            "{\n  \"Resources\": {\"TG\": {\"Properties\": {\"Port\": 80, \"On\": true}}}\n}";
        let docs = parse_json(text);
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
    fn toml_dotted_tables_nest() {
        let text = "[http.services.app.loadBalancer.sticky.cookie]\n  name = \"lb\"\n";
        let docs = parse_toml(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let name = docs.docs[0]
            .at(&[
                "http",
                "services",
                "app",
                "loadBalancer",
                "sticky",
                "cookie",
                "name",
            ])
            .expect("name");
        assert_eq!(&text[name.span.clone()], "\"lb\"");
    }
}
