//! XML (Maven `pom.xml`, JPA `persistence.xml`, `web.config`, `*.csproj`, Tomcat
//! `context.xml` / `server.xml`, Spring XML) read with `roxmltree` into the [`super::tree`] data
//! tree, every node with its byte span. The mapping:
//!
//! - The document is a mapping with one entry: the root element's name and the root element.
//! - An element is an entry of its parent: the key is the element's local name (namespace
//!   prefixes vary by author; the value's [`Node::tag`] holds the namespace URI), spanning the
//!   name in the start tag.
//! - An element with attributes or child elements is a mapping spanning the whole element:
//!   first `@name` entries for its attributes (the key spans the attribute's name, the value the
//!   text between the quotes), then its child elements by name, in the order each name first
//!   appears; a name that repeats is a sequence of those elements (so `<dependency>` is a
//!   mapping when there is one and a sequence when there are several: [`Node::one_or_many`]
//!   reads both); then a `#text` entry for text mixed in among them.
//! - An element with only text is a scalar of the text (entities decoded, trimmed), spanning the
//!   trimmed text; an empty element is a null spanning the element.
//!
//! Comments, processing instructions and the DTD are not part of the tree. A file that is not
//! well-formed XML has no document, only the error with its offset (as JSON); elements nested
//! deeper than [`super::bounds::DATA_MAX_DEPTH`] refuse the file.

use super::bounds;
use super::tree::{Documents, Node, Value};
use std::collections::HashMap;
use std::ops::Range;

/// Parses XML into one document (or an error).
pub fn parse(text: &str) -> Documents {
    let options = roxmltree::ParsingOptions {
        // Old Spring and Tomcat files carry a DOCTYPE; roxmltree bounds entity expansion
        // (billion laughs) itself, and external entities are never fetched.
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(e) => {
            return Documents {
                errors: vec![(offset(text, e.pos()), e.to_string())],
                ..Documents::default()
            };
        }
    };
    if let Some(at) = deeper_than(&doc, bounds::DATA_MAX_DEPTH) {
        return Documents {
            refused: Some((Some(at), bounds::too_deep(bounds::DATA_MAX_DEPTH))),
            ..Documents::default()
        };
    }
    let root = doc.root_element();
    let entry = (name_node(root, text), element(root, text));
    Documents {
        docs: vec![Node::new(0..text.len(), Value::Map(vec![entry]))],
        ..Documents::default()
    }
}

/// Where the first element nested deeper than `limit` starts, found without recursion: the
/// elements in document order, with the ends of the open ones on a stack.
fn deeper_than(doc: &roxmltree::Document<'_>, limit: usize) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    for el in doc.descendants().filter(roxmltree::Node::is_element) {
        let range = el.range();
        while open.last().is_some_and(|&end| end <= range.start) {
            open.pop();
        }
        open.push(range.end);
        if open.len() > limit {
            return Some(range.start);
        }
    }
    None
}

/// The key of an element: its local name, spanning the name as written in the start tag.
fn name_node(el: roxmltree::Node<'_, '_>, text: &str) -> Node {
    let start = el.range().start + 1;
    let len = text
        .get(start..)
        .unwrap_or_default()
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(0);
    Node::new(
        start..start + len,
        Value::Scalar(el.tag_name().name().to_owned()),
    )
}

/// An element being read: its attributes and the child elements read so far, by name.
struct Open<'a, 'input> {
    el: roxmltree::Node<'a, 'input>,
    children: roxmltree::Children<'a, 'input>,
    attributes: Vec<(Node, Node)>,
    groups: Vec<(Node, Vec<Node>)>,
    by_name: HashMap<&'a str, usize>,
}

impl<'a, 'input> Open<'a, 'input> {
    fn new(el: roxmltree::Node<'a, 'input>) -> Self {
        let attributes = el
            .attributes()
            .map(|attr| {
                let key = Node::new(
                    attr.range_qname(),
                    Value::Scalar(format!("@{}", attr.name())),
                );
                let value = Node::new(attr.range_value(), Value::Scalar(attr.value().to_owned()));
                (key, value)
            })
            .collect();
        Open {
            el,
            children: el.children(),
            attributes,
            groups: Vec::new(),
            by_name: HashMap::new(),
        }
    }

    /// Adds a child element's value under its name.
    fn add(&mut self, child: roxmltree::Node<'a, 'input>, value: Node, text: &str) {
        let name = child.tag_name().name();
        match self.by_name.get(name) {
            Some(&i) => self.groups[i].1.push(value),
            None => {
                self.by_name.insert(name, self.groups.len());
                self.groups.push((name_node(child, text), vec![value]));
            }
        }
    }

    /// The element's mapping.
    fn finish(self, text: &str) -> Node {
        let mut entries = self.attributes;
        for (key, mut values) in self.groups {
            let value = if values.len() == 1 {
                values
                    .pop()
                    .unwrap_or_else(|| Node::new(key.span.clone(), Value::Null))
            } else {
                let start = values.first().map_or(0, |v| v.span.start);
                let end = values.last().map_or(start, |v| v.span.end);
                Node::new(start..end, Value::Seq(values))
            };
            entries.push((key, value));
        }
        if let (Some(s), Some(span)) = text_of(self.el, text) {
            entries.push((
                Node::new(span.clone(), Value::Scalar("#text".to_owned())),
                Node::new(span, Value::Scalar(s)),
            ));
        }
        Node {
            span: self.el.range(),
            tag: namespace(self.el),
            value: Value::Map(entries),
        }
    }
}

fn namespace(el: roxmltree::Node<'_, '_>) -> Option<String> {
    el.tag_name().namespace().map(str::to_owned)
}

/// An element with neither attributes nor child elements: its text, or null.
fn leaf(el: roxmltree::Node<'_, '_>, text: &str) -> Option<Node> {
    if el.attributes().len() > 0 || el.children().any(|c| c.is_element()) {
        return None;
    }
    let node = match text_of(el, text) {
        (Some(s), Some(span)) => Node::new(span, Value::Scalar(s)),
        _ => Node::new(el.range(), Value::Null),
    };
    Some(Node {
        tag: namespace(el),
        ..node
    })
}

/// An element's value (see the module documentation), built without recursion: the tree is as
/// deep as the document, and the analysis threads' stacks are not the only ones that read it.
fn element(root: roxmltree::Node<'_, '_>, text: &str) -> Node {
    if let Some(node) = leaf(root, text) {
        return node;
    }
    let mut stack = vec![Open::new(root)];
    loop {
        let Some(top) = stack.last_mut() else {
            return Node::new(root.range(), Value::Null);
        };
        match top.children.find(roxmltree::Node::is_element) {
            Some(child) => match leaf(child, text) {
                Some(value) => top.add(child, value, text),
                None => stack.push(Open::new(child)),
            },
            None => {
                let Some(done) = stack.pop() else { continue };
                let el = done.el;
                let node = done.finish(text);
                match stack.last_mut() {
                    Some(parent) => parent.add(el, node, text),
                    None => return node,
                }
            }
        }
    }
}

/// An element's own text (entities decoded, CDATA included, trimmed) and the span of its raw
/// text, trimmed; nothing when it is only whitespace.
fn text_of(el: roxmltree::Node<'_, '_>, text: &str) -> (Option<String>, Option<Range<usize>>) {
    let mut value = String::new();
    let mut span: Option<Range<usize>> = None;
    for t in el.children().filter(|c| c.is_text()) {
        let Some(s) = t.text() else { continue };
        value.push_str(s);
        let r = t.range();
        let raw = text.get(r.clone()).unwrap_or_default();
        if raw.trim().is_empty() {
            continue;
        }
        let start = r.start + (raw.len() - raw.trim_start().len());
        let end = r.start + raw.trim_end().len();
        span = Some(span.map_or(start..end, |s| s.start..end));
    }
    let value = value.trim();
    if value.is_empty() || span.is_none() {
        return (None, None);
    }
    (Some(value.to_owned()), span)
}

/// The byte offset of a row and column (in characters, from 1) that roxmltree reports.
fn offset(text: &str, pos: roxmltree::TextPos) -> usize {
    let row = usize::try_from(pos.row).unwrap_or(usize::MAX).max(1);
    let col = usize::try_from(pos.col).unwrap_or(usize::MAX).max(1);
    let line_start = if row == 1 {
        Some(0)
    } else {
        text.match_indices('\n').nth(row - 2).map(|(i, _)| i + 1)
    };
    let Some(line_start) = line_start else {
        return text.len();
    };
    text[line_start..]
        .char_indices()
        .nth(col - 1)
        .map_or(text.len(), |(i, _)| line_start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment <dependency> -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <dependencies>
    <dependency>
      <groupId>org.springframework.session</groupId>
      <artifactId>spring-session-jdbc</artifactId>
    </dependency>
    <dependency scope="test"><artifactId>junit &amp; more</artifactId></dependency>
  </dependencies>
  <packaging/>
</project>
"#;

    #[test]
    fn elements_attributes_and_repeated_tags() {
        let docs = parse(POM);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let doc = &docs.docs[0];
        let project = doc.get("project").expect("project");
        assert_eq!(
            project.tag.as_deref(),
            Some("http://maven.apache.org/POM/4.0.0")
        );
        let deps = project
            .at(&["dependencies", "dependency"])
            .expect("dependency");
        assert_eq!(deps.items().len(), 2);
        let first = &deps.items()[0];
        let artifact = first.get("artifactId").expect("artifactId");
        assert_eq!(artifact.str(), Some("spring-session-jdbc"));
        assert_eq!(&POM[artifact.span.clone()], "spring-session-jdbc");
        assert!(POM[first.span.clone()].starts_with("<dependency>"));
        assert!(POM[first.span.clone()].ends_with("</dependency>"));
        let second = &deps.items()[1];
        let (key, scope) = second.entry("@scope").expect("scope");
        assert_eq!(&POM[key.span.clone()], "scope");
        assert_eq!(&POM[scope.span.clone()], "test");
        let junit = second.get("artifactId").expect("artifactId");
        assert_eq!(junit.str(), Some("junit & more"));
        assert_eq!(&POM[junit.span.clone()], "junit &amp; more");
        let (key, packaging) = project.entry("packaging").expect("packaging");
        assert_eq!(&POM[key.span.clone()], "packaging");
        assert_eq!(packaging.value, Value::Null);
        assert_eq!(&POM[packaging.span.clone()], "<packaging/>");
        // A single element is a mapping; one_or_many reads both shapes.
        assert_eq!(
            project.get("modelVersion").map(|m| m.one_or_many().len()),
            Some(1)
        );
    }

    #[test]
    fn prefixed_names_text_among_children_and_doctype() {
        let text = "<!DOCTYPE beans PUBLIC \"-//SPRING//DTD BEAN//EN\" \"http://www.springframework.org/dtd/spring-beans.dtd\">\n<beans:beans xmlns:beans=\"urn:b\"><beans:bean id=\"s\">hello<x/> world</beans:bean></beans:beans>";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let (key, bean) = docs.docs[0]
            .get("beans")
            .and_then(|b| b.entry("bean"))
            .expect("bean");
        assert_eq!(&text[key.span.clone()], "beans:bean");
        assert_eq!(bean.get("@id").and_then(Node::str), Some("s"));
        let body = bean.get("#text").expect("text");
        assert_eq!(body.str(), Some("hello world"));
        assert_eq!(&text[body.span.clone()], "hello<x/> world");
    }

    #[test]
    fn malformed_xml_is_an_error_with_its_offset() {
        let text = "<a>\n  <b></c>\n</a>";
        let docs = parse(text);
        assert!(docs.docs.is_empty());
        let (at, msg) = &docs.errors[0];
        assert_eq!(&text[*at..*at + 2], "</", "{msg}");
        for bad in [
            "",
            "<",
            "<a",
            "<a b=>",
            "<a>&bogus;</a>",
            "\u{feff}<é attr='ü",
            "<a></a><b/>",
        ] {
            let docs = parse(bad);
            assert!(docs.docs.is_empty() && !docs.errors.is_empty(), "{bad:?}");
            assert!(docs.errors[0].0 <= bad.len());
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        let docs = parse(&deep(bounds::DATA_MAX_DEPTH));
        assert!(docs.refused.is_none());
        assert_eq!(docs.docs.len(), 1);
        let docs = parse(&deep(bounds::DATA_MAX_DEPTH + 1));
        assert!(docs.docs.is_empty());
        let (at, reason) = docs.refused.expect("refused");
        assert_eq!(at, Some(3 * bounds::DATA_MAX_DEPTH));
        assert!(reason.contains("1000"), "{reason}");
    }

    #[test]
    fn entity_expansion_is_bounded() {
        let text = "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\"><!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]><x>&i;</x>";
        let docs = parse(text);
        assert!(docs.docs.is_empty());
        assert!(!docs.errors.is_empty());
    }
}
