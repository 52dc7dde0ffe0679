//! TOML read with `toml`'s spanned document tree (recovering past errors) into the
//! [`super::tree`] data tree.

use super::tree::{Documents, Node, Value};
use ::toml::de::{DeTable, DeValue};
use std::ops::Range;

/// Parses TOML into one document, recovering past errors.
pub fn parse(text: &str) -> Documents {
    let (table, errors) = DeTable::parse_recoverable(text);
    let span = table.span();
    let root = table_node(table.get_ref(), span, text);
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

fn table_node(table: &DeTable<'_>, span: Range<usize>, text: &str) -> Node {
    let entries = table
        .iter()
        .map(|(k, v)| {
            let key = Node::new(k.span(), Value::Scalar(k.get_ref().to_string()));
            (key, value_node(v.get_ref(), v.span(), text))
        })
        .collect();
    Node::new(span, Value::Map(entries))
}

fn value_node(value: &DeValue<'_>, span: Range<usize>, text: &str) -> Node {
    let value = match value {
        DeValue::String(s) => Value::Scalar(s.to_string()),
        DeValue::Boolean(b) => Value::Scalar(b.to_string()),
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Datetime(_) => {
            Value::Scalar(text.get(span.clone()).unwrap_or_default().to_owned())
        }
        DeValue::Array(items) => Value::Seq(
            items
                .iter()
                .map(|i| value_node(i.get_ref(), i.span(), text))
                .collect(),
        ),
        DeValue::Table(t) => return table_node(t, span, text),
    };
    Node::new(span, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_tables_nest() {
        let text = "[http.services.app.loadBalancer.sticky.cookie]\n  name = \"lb\"\n";
        let docs = parse(text);
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
