//! JSON (and JSONC: comments, trailing commas) through `jsonc-parser`, kept as an owned tree with
//! byte spans so that detectors can point at a key or a value.

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
use std::ops::Range;

/// A JSON value with the byte span it covers.
#[derive(Debug, Clone)]
pub struct Json {
    /// Byte range of the value in the file.
    pub span: Range<usize>,
    /// The value.
    pub value: JsonValue,
}

/// The shapes a JSON value takes (numbers, booleans and null are not told apart: no detector
/// needs them yet).
#[derive(Debug, Clone)]
pub enum JsonValue {
    /// An object's members in source order: key, the key's span, value.
    Object(Vec<(String, Range<usize>, Json)>),
    /// An array.
    Array(Vec<Json>),
    /// A string.
    String(String),
    /// A number, boolean or null.
    Scalar,
}

impl Json {
    /// The member `key` of an object (the last one, as JSON readers do).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match &self.value {
            JsonValue::Object(members) => members
                .iter()
                .rev()
                .find(|(k, _, _)| k == key)
                .map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// The members of an object (empty for other values).
    pub fn members(&self) -> &[(String, Range<usize>, Json)] {
        match &self.value {
            JsonValue::Object(members) => members,
            _ => &[],
        }
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JsonValue::String(s) => Some(s),
            _ => None,
        }
    }
}

fn span(range: jsonc_parser::common::Range) -> Range<usize> {
    range.start..range.end
}

fn convert(value: Value<'_>) -> Json {
    let span = span(value.range());
    let value = match value {
        Value::Object(object) => JsonValue::Object(
            object
                .properties
                .into_iter()
                .map(|p| {
                    let key_span = match &p.name {
                        ObjectPropName::String(s) => s.range,
                        ObjectPropName::Word(w) => w.range,
                    };
                    (p.name.into_string(), self::span(key_span), convert(p.value))
                })
                .collect(),
        ),
        Value::Array(array) => JsonValue::Array(array.elements.into_iter().map(convert).collect()),
        Value::StringLit(s) => JsonValue::String(s.value.into_owned()),
        _ => JsonValue::Scalar,
    };
    Json { span, value }
}

/// Parses JSON or JSONC. An empty document is an empty object; a syntax error is its byte
/// offset and message (the crate does not recover, so there is no partial tree).
pub fn parse(text: &str) -> Result<Json, (usize, String)> {
    let parsed = parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default())
        .map_err(|e| (e.range().start, e.kind().to_string()))?;
    Ok(parsed.value.map(convert).unwrap_or(Json {
        span: 0..0,
        value: JsonValue::Object(Vec::new()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_and_tolerates_jsonc() {
        let text = "{\n  // deps\n  \"dependencies\": { \"express\": \"^4\", },\n}";
        let json = parse(text).expect("parses");
        let deps = json.get("dependencies").expect("deps");
        let (key, key_span, value) = &deps.members()[0];
        assert_eq!(key, "express");
        assert_eq!(&text[key_span.clone()], "\"express\"");
        assert_eq!(value.as_str(), Some("^4"));
        assert!(parse("{ \"a\": }").is_err());
    }
}
