//! YAML documents as a small node tree with byte spans, read with `saphyr-parser`'s event API
//! (YAML 1.2, every event carries its span, custom tags such as CloudFormation's `!Ref` are kept,
//! several documents per file). Helm and other Go templates are read tolerantly: `{{ … }}` actions
//! are blanked before parsing with the byte offsets kept, so the rest of the file is still a tree,
//! and each action that stood for a value is remembered where it stood. A document the parser
//! cannot read ends at its error and parsing resumes at the next `---`.
//!
//! The documents are [`super::tree`] nodes, the tree every data format is read into.

use super::tree::{Action, Documents, Node, Value};
use saphyr_parser::{Event, Parser, ScanError, Span};
use std::ops::Range;

/// Replaces Go template actions with same-length text, so offsets stay those of the original:
/// a line holding only actions (control flow, `include`, `toYaml`) becomes blank, and an action
/// inside a line becomes a placeholder scalar of underscores, remembered as an [`Action`].
/// Returns `None` when the text has no action.
pub fn untemplate(text: &str) -> Option<(String, Vec<Action>)> {
    if !text.contains("{{") {
        return None;
    }
    let mut out = text.as_bytes().to_vec();
    let mut actions = Vec::new();
    // What `.` is inside each open block: `with .Values.x` makes it `.Values.x`; `range`,
    // `define` and `block` make it unknown; `if` leaves it alone (`None` frames).
    let mut dots: Vec<Option<Option<String>>> = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| from + i) {
        // An action left open runs to the end of the text (cutting two bytes off the end for a
        // `}}` that is not there could split a character).
        let (inner_end, close) = text[open + 2..]
            .find("}}")
            .map_or((text.len(), text.len()), |i| {
                (open + 2 + i, open + 2 + i + 2)
            });
        let line_start = text[..open].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[close..].find('\n').map_or(text.len(), |i| close + i);
        let inner = text[open + 2..inner_end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        let multiline = text[open..close].contains('\n');
        // A line that is only actions: control flow or a block spliced in by the template.
        let rest_of_line = strip_actions(&text[close..line_end]);
        let alone = text[line_start..open].trim().is_empty() && rest_of_line.trim().is_empty();
        let comment = inner.starts_with("/*");
        let first = inner.split_whitespace().next().unwrap_or_default();
        // A `define` or `block` never stands for a value, even with the template's text after it
        // on the same line (`{{- define "app.name" }}{{ .Chart.Name }}{{ end }}`).
        let opens_template = matches!(first, "define" | "block");
        let blank = alone || multiline || comment || opens_template;
        for b in &mut out[open..close] {
            if *b != b'\n' {
                *b = if blank { b' ' } else { b'_' };
            }
        }
        // Each named template of a Helm `_name.tpl` is its own manifest: a `define` at the start
        // of its line opens a document, as `---` would (the action is at least that long).
        if opens_template && !multiline && open == line_start {
            out[open..open + 3].copy_from_slice(b"---");
        }
        match first {
            "with" => {
                let arg = inner.split_whitespace().nth(1).unwrap_or_default();
                let values = arg.starts_with(".Values.") && inner.split_whitespace().count() == 2;
                dots.push(Some(values.then(|| arg.to_owned())));
            }
            "range" | "define" | "block" => dots.push(Some(None)),
            "if" => dots.push(None),
            "end" => {
                dots.pop();
            }
            _ => {}
        }
        if !blank {
            actions.push(Action {
                span: open..close,
                text: with_dot(inner, &dots),
            });
        }
        from = close;
    }
    // Only ASCII bytes of whole actions were replaced: still UTF-8.
    let text = String::from_utf8(out).ok()?;
    Some((text, actions))
}

/// An action's text with a leading `.` (or `.field`) spelled out when an enclosing
/// `with .Values.x` says what the dot is.
fn with_dot(inner: &str, dots: &[Option<Option<String>>]) -> String {
    let Some(rest) = inner.strip_prefix('.') else {
        return inner.to_owned();
    };
    let builtin = [
        "Values",
        "Release",
        "Chart",
        "Capabilities",
        "Template",
        "Files",
    ]
    .iter()
    .any(|b| rest.starts_with(b));
    let dot = dots.iter().rev().find_map(Option::as_ref);
    match dot {
        Some(Some(path)) if !builtin => {
            if rest.starts_with(|c: char| c.is_alphanumeric()) {
                format!("{path}.{rest}")
            } else {
                format!("{path}{rest}")
            }
        }
        _ => inner.to_owned(),
    }
}

/// The text with every complete `{{ … }}` removed (to see whether a line holds anything else).
fn strip_actions(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        match rest[open..].find("}}") {
            Some(c) => rest = &rest[open + c + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Parses YAML text (several documents, templates tolerated).
pub fn parse(text: &str) -> Documents {
    let (source, actions) = match untemplate(text) {
        Some((s, a)) => (std::borrow::Cow::Owned(s), a),
        None => (std::borrow::Cow::Borrowed(text), Vec::new()),
    };
    let mut result = Documents {
        actions,
        ..Documents::default()
    };
    let mut offset = 0;
    let mut budget = Budget::default();
    while offset < source.len() {
        let chunk = &source[offset..];
        match parse_stream(chunk, offset, &mut result.docs, &mut budget) {
            Ok(()) => break,
            Err(Stop::Refused(at, reason)) => {
                result.docs.clear();
                result.refused = Some((Some(at), reason));
                break;
            }
            Err(Stop::Error(at, msg)) => {
                result.errors.push((at, msg));
                // Resume at the next document marker after the error.
                let Some(next) = next_document_start(&source, at) else {
                    break;
                };
                offset = next;
            }
        }
    }
    result
}

/// The byte offset of the next line starting with `---` after `at`.
fn next_document_start(text: &str, at: usize) -> Option<usize> {
    let mut pos = text[at.min(text.len())..].find('\n')? + at + 1;
    loop {
        if text[pos..].starts_with("---") {
            return Some(pos);
        }
        pos += text[pos..].find('\n')? + 1;
    }
}

/// Maps the parser's character indices to byte offsets.
struct Offsets {
    /// Byte offset of each character, when the text is not ASCII.
    starts: Option<Vec<usize>>,
    base: usize,
    len: usize,
}

impl Offsets {
    fn new(text: &str, base: usize) -> Self {
        let starts = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        Offsets {
            starts,
            base,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let local = match &self.starts {
            Some(starts) => starts.get(char_index).copied().unwrap_or(self.len),
            None => char_index.min(self.len),
        };
        self.base + local
    }

    fn span(&self, span: Span) -> Range<usize> {
        self.byte(span.start.index())..self.byte(span.end.index())
    }
}

/// A collection being built.
enum Frame {
    Seq(usize, Option<String>, usize, Vec<Node>),
    Map(
        usize,
        Option<String>,
        usize,
        Vec<(Node, Node)>,
        Option<Node>,
    ),
}

/// Why a stream stopped early.
enum Stop {
    /// A syntax error: what was read is kept.
    Error(usize, String),
    /// A limit was passed: the file is not analysed.
    Refused(usize, String),
}

/// Fewest alias expansions always allowed, and how many per node read beyond that: a billion
/// laughs (aliases of aliases, or a chain of `<<` merges) grows the tree exponentially or
/// quadratically, while real files expand a few shared blocks a few times each.
const ALIAS_NODES_MIN: usize = 10_000;
const ALIAS_NODES_PER_NODE: usize = 10;
/// Most nodes aliases may add to one file, however large (the tree costs about 100 bytes a node).
const ALIAS_NODES_MAX: usize = 1_000_000;

/// Nodes read and nodes copied by aliases so far in a file.
#[derive(Default)]
struct Budget {
    parsed: usize,
    expanded: usize,
}

impl Budget {
    /// Counts an alias that copies `size` nodes; the limit when that is one too many.
    fn expand(&mut self, size: usize) -> Result<(), usize> {
        self.expanded = self.expanded.saturating_add(size);
        let limit = (self.parsed.saturating_mul(ALIAS_NODES_PER_NODE))
            .clamp(ALIAS_NODES_MIN, ALIAS_NODES_MAX);
        if self.expanded > limit {
            return Err(limit);
        }
        Ok(())
    }
}

/// Builds nodes from events; on an error, keeps what was read of the current document.
fn parse_stream(
    text: &str,
    base: usize,
    docs: &mut Vec<Node>,
    budget: &mut Budget,
) -> Result<(), Stop> {
    let offsets = Offsets::new(text, base);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    // Nodes in each open collection so far (the collection itself included), beside `stack`.
    let mut sizes: Vec<usize> = Vec::new();
    // Each anchored node, with its size in nodes.
    let mut anchors: std::collections::HashMap<usize, (Node, usize)> =
        std::collections::HashMap::new();
    let mut root: Option<Node> = None;
    loop {
        let (event, span) = match parser.next_event() {
            None => return Ok(()),
            Some(Ok(ev)) => ev,
            Some(Err(e)) => {
                close_all(&mut stack, &mut root);
                docs.extend(root.take());
                let (at, msg) = error_at(&e, &offsets);
                return Err(Stop::Error(at, msg));
            }
        };
        let mut size = 1;
        let node = match event {
            Event::StreamEnd => return Ok(()),
            Event::DocumentEnd => {
                docs.extend(root.take());
                anchors.clear();
                continue;
            }
            Event::Scalar(value, _, anchor, tag) => {
                let span = offsets.span(span);
                let value = if is_null(&value, tag.is_some()) {
                    Value::Null
                } else {
                    Value::Scalar(value.into_owned())
                };
                let node = Node {
                    span,
                    tag: tag.map(|t| t.to_string()),
                    value,
                };
                budget.parsed += 1;
                if anchor > 0 {
                    anchors.insert(anchor, (node.clone(), 1));
                }
                node
            }
            Event::Alias(id) => {
                let span = offsets.span(span);
                budget.parsed += 1;
                match anchors.get(&id) {
                    Some((n, n_size)) => {
                        if let Err(limit) = budget.expand(*n_size) {
                            let reason = format!("YAML aliases expand beyond {limit} nodes");
                            return Err(Stop::Refused(span.start, reason));
                        }
                        size = *n_size;
                        n.clone()
                    }
                    None => Node {
                        span,
                        tag: None,
                        value: Value::Null,
                    },
                }
            }
            Event::SequenceStart(..) | Event::MappingStart(..)
                if stack.len() >= super::bounds::DATA_MAX_DEPTH =>
            {
                let at = offsets.span(span).start;
                let reason = super::bounds::too_deep(super::bounds::DATA_MAX_DEPTH);
                return Err(Stop::Refused(at, reason));
            }
            Event::SequenceStart(anchor, tag) => {
                let start = offsets.span(span).start;
                budget.parsed += 1;
                sizes.push(1);
                stack.push(Frame::Seq(
                    start,
                    tag.map(|t| t.to_string()),
                    anchor,
                    Vec::new(),
                ));
                continue;
            }
            Event::MappingStart(anchor, tag) => {
                let start = offsets.span(span).start;
                budget.parsed += 1;
                sizes.push(1);
                stack.push(Frame::Map(
                    start,
                    tag.map(|t| t.to_string()),
                    anchor,
                    Vec::new(),
                    None,
                ));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else {
                    continue;
                };
                size = sizes.pop().unwrap_or(1);
                let (node, anchor) = finish(frame);
                if anchor > 0 {
                    // Keeping the anchor is a copy too: nested anchors must not double the tree
                    // unchecked.
                    if let Err(limit) = budget.expand(size) {
                        let reason = format!("YAML aliases expand beyond {limit} nodes");
                        return Err(Stop::Refused(offsets.span(span).start, reason));
                    }
                    anchors.insert(anchor, (node.clone(), size));
                }
                node
            }
            _ => continue,
        };
        if let Some(parent) = sizes.last_mut() {
            *parent = parent.saturating_add(size);
        }
        add(&mut stack, &mut root, node);
    }
}

fn error_at(e: &ScanError, offsets: &Offsets) -> (usize, String) {
    (offsets.byte(e.marker().index()), e.info().to_owned())
}

/// Plain `~`, `null` and empty scalars are null (YAML core schema).
fn is_null(value: &str, tagged: bool) -> bool {
    !tagged && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn finish(frame: Frame) -> (Node, usize) {
    match frame {
        Frame::Seq(start, tag, anchor, items) => {
            let end = items.last().map_or(start, |n| n.span.end);
            let node = Node {
                span: start..end.max(start),
                tag,
                value: Value::Seq(items),
            };
            (node, anchor)
        }
        Frame::Map(start, tag, anchor, mut entries, pending) => {
            if let Some(key) = pending {
                let at = key.span.end;
                entries.push((
                    key,
                    Node {
                        span: at..at,
                        tag: None,
                        value: Value::Null,
                    },
                ));
            }
            let end = entries.last().map_or(start, |(_, v)| v.span.end);
            let node = Node {
                span: start..end.max(start),
                tag,
                value: Value::Map(entries),
            };
            (node, anchor)
        }
    }
}

fn add(stack: &mut [Frame], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(Frame::Seq(_, _, _, items)) => items.push(node),
        Some(Frame::Map(_, _, _, entries, pending)) => match pending.take() {
            Some(key) => entries.push((key, node)),
            None => *pending = Some(node),
        },
        None => *root = Some(node),
    }
}

/// Closes every open collection (after an error), keeping what was read.
fn close_all(stack: &mut Vec<Frame>, root: &mut Option<Node>) {
    while let Some(frame) = stack.pop() {
        let (node, _) = finish(frame);
        add(stack, root, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_carry_byte_spans_across_documents() {
        let text = "# é comment\napiVersion: v1\nkind: Service\n---\nkind: Deployment\nspec:\n  replicas: 3\n";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        assert_eq!(docs.docs.len(), 2);
        let kind = docs.docs[0].get("kind").expect("kind");
        assert_eq!(&text[kind.span.clone()], "Service");
        let replicas = docs.docs[1].at(&["spec", "replicas"]).expect("replicas");
        assert_eq!(&text[replicas.span.clone()], "3");
    }

    #[test]
    fn custom_tags_are_kept() {
        let text = "Resources:\n  TG:\n    Properties:\n      VpcId: !Ref Vpc\n      Name: !Sub '${AWS::StackName}-tg'\n";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let vpc = docs.docs[0]
            .at(&["Resources", "TG", "Properties", "VpcId"])
            .expect("vpc");
        assert_eq!(vpc.tag.as_deref(), Some("!Ref"));
        assert_eq!(vpc.str(), Some("Vpc"));
    }

    #[test]
    fn helm_templates_parse_with_offsets_and_actions() {
        let text = "{{- if .Values.service.enabled }}\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n  labels:\n    {{- include \"app.labels\" . | nindent 4 }}\nspec:\n  sessionAffinity: {{ .Values.service.sessionAffinity }}\n{{- end }}\n";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let doc = &docs.docs[0];
        let affinity = doc.at(&["spec", "sessionAffinity"]).expect("affinity");
        assert_eq!(
            &text[affinity.span.clone()],
            "{{ .Values.service.sessionAffinity }}"
        );
        assert_eq!(
            docs.action_at(affinity).map(|a| a.text.as_str()),
            Some(".Values.service.sessionAffinity")
        );
    }

    #[test]
    fn each_named_template_is_its_own_document() {
        let text = "{{- define \"app.name\" }}{{ .Chart.Name }}{{ end }}\n{{- define \"app.fullname\" }}{{ .Release.Name }}-app{{ end }}\n{{- define \"app.service\" -}}\nkind: Service\nmetadata:\n  name: {{ .name }}\n{{- end }}\n{{- define \"app.volumes\" }}\n- name: certs\n  emptyDir: {}\n{{- end }}\n";
        let docs = parse(text);
        assert!(docs.errors.is_empty(), "{:?}", docs.errors);
        let service = docs
            .docs
            .iter()
            .find(|d| d.get("kind").and_then(Node::str) == Some("Service"))
            .expect("service");
        let kind = service.get("kind").expect("kind");
        assert_eq!(&text[kind.span.clone()], "Service");
        assert!(docs.docs.len() >= 3, "{:?}", docs.docs.len());
    }

    #[test]
    fn with_blocks_say_what_the_dot_is() {
        let text = "spec:\n  {{- with .Values.service.sessionAffinity }}\n  sessionAffinity: {{ . }}\n  {{- end }}\n  {{- with .Values.service }}\n  type: {{ .type | quote }}\n  {{- range .ports }}\n  port: {{ .port }}\n  {{- end }}\n  {{- end }}\n";
        let docs = parse(text);
        let texts: Vec<&str> = docs.actions.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                ".Values.service.sessionAffinity",
                ".Values.service.type | quote",
                ".port"
            ]
        );
    }

    #[test]
    fn a_broken_document_does_not_hide_the_next() {
        let text = "a: [1, 2\nb: {\n---\nkind: Service\n";
        let docs = parse(text);
        assert!(!docs.errors.is_empty());
        assert!(
            docs.docs
                .iter()
                .any(|d| d.get("kind").and_then(Node::str) == Some("Service"))
        );
    }

    #[test]
    fn merge_keys_and_aliases_are_followed() {
        let text = "x-app: &app\n  deploy:\n    replicas: 3\nservices:\n  web:\n    <<: *app\n    image: shop\n";
        let docs = parse(text);
        let web = docs.docs[0].at(&["services", "web"]).expect("web");
        assert_eq!(
            web.at(&["deploy", "replicas"]).and_then(Node::str),
            Some("3")
        );
    }
}
