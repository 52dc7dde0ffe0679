//! A tolerant parser for Apache httpd configuration that keeps byte spans.
//!
//! httpd config is line based: a directive is a name and arguments on one line (a `\` at the end
//! of a line continues it), and `<Name args>` … `</Name>` encloses a section. `#` starts a
//! comment only as the first character of a line. Arguments may be quoted (`"…"`, `'…'`).
//! Unbalanced sections are recorded as problems; the rest is still read.

pub use super::directives::{Config, Directive, Word};

/// How deep sections may nest before the parser flattens them.
const MAX_DEPTH: usize = 64;

/// Parses httpd configuration text. Never fails: problems land in [`Config::errors`].
pub fn parse(text: &str) -> Config {
    let mut errors = Vec::new();
    let mut stack: Vec<Directive> = Vec::new();
    let mut top: Vec<Directive> = Vec::new();
    let mut ignored = 0usize;
    let mut offset = 0;
    let mut pending: Vec<Word> = Vec::new();
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let content = raw.trim_end_matches(['\n', '\r']);
        if pending.is_empty() && content.trim_start().starts_with('#') {
            continue;
        }
        let continued = content.ends_with('\\');
        let content = content.strip_suffix('\\').unwrap_or(content);
        pending.extend(words(content, start, &mut errors));
        if continued {
            continue;
        }
        let line = std::mem::take(&mut pending);
        let Some(first) = line.first() else { continue };
        let span = first.span.start..line.last().map_or(first.span.end, |w| w.span.end);
        // A section tag starts with a letter: `<?php … ?>` of a templated config is not one.
        let tag = |rest: &str| rest.starts_with(|c: char| c.is_ascii_alphabetic());
        if let Some(closing) = first.value.strip_prefix("</").filter(|r| tag(r)) {
            let name = closing.trim_end_matches('>');
            if ignored > 0 {
                ignored -= 1;
                continue;
            }
            match stack.pop() {
                Some(open) => {
                    if !open.name.value.eq_ignore_ascii_case(name) {
                        errors.push((
                            first.span.start,
                            format!("`</{name}>` closes `<{}>`", open.name.value),
                        ));
                    }
                    push(&mut stack, &mut top, open);
                }
                None => errors.push((first.span.start, format!("unexpected `</{name}>`"))),
            }
            continue;
        }
        if let Some(opening) = first.value.strip_prefix('<').filter(|r| tag(r)) {
            if stack.len() >= MAX_DEPTH {
                if ignored == 0 {
                    errors.push((
                        first.span.start,
                        format!("sections nested deeper than {MAX_DEPTH}"),
                    ));
                }
                ignored += 1;
                continue;
            }
            let mut args: Vec<Word> = line[1..].to_vec();
            let name_end = first.span.start + 1 + opening.trim_end_matches('>').len();
            let name = Word {
                value: opening.trim_end_matches('>').to_owned(),
                span: first.span.start + 1..name_end,
            };
            if let Some(last) = args.last_mut() {
                if let Some(v) = last.value.strip_suffix('>') {
                    last.value = v.to_owned();
                    last.span.end -= 1;
                }
                if last.value.is_empty() {
                    args.pop();
                }
            }
            stack.push(Directive {
                name,
                args,
                block: Some(Vec::new()),
                span,
            });
            continue;
        }
        let mut it = line.into_iter();
        if let Some(name) = it.next() {
            push(
                &mut stack,
                &mut top,
                Directive {
                    name,
                    args: it.collect(),
                    block: None,
                    span,
                },
            );
        }
    }
    while let Some(open) = stack.pop() {
        errors.push((open.span.start, format!("unclosed `<{}>`", open.name.value)));
        push(&mut stack, &mut top, open);
    }
    Config {
        directives: top,
        errors,
    }
}

fn push(stack: &mut [Directive], top: &mut Vec<Directive>, d: Directive) {
    match stack.last_mut().and_then(|open| open.block.as_mut()) {
        Some(block) => block.push(d),
        None => top.push(d),
    }
}

/// Splits one physical line (starting at byte `base`) into words.
fn words(line: &str, base: usize, errors: &mut Vec<(usize, String)>) -> Vec<Word> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let value;
        if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            let mut v = Vec::new();
            i += 1;
            let mut closed = false;
            while i < b.len() {
                match b[i] {
                    b'\\' if i + 1 < b.len() => {
                        v.push(b[i + 1]);
                        i += 2;
                    }
                    c if c == q => {
                        i += 1;
                        closed = true;
                        break;
                    }
                    c => {
                        v.push(c);
                        i += 1;
                    }
                }
            }
            if !closed {
                errors.push((base + start, "unterminated quoted string".into()));
            }
            value = String::from_utf8_lossy(&v).into_owned();
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            value = line[start..i].to_owned();
        }
        out.push(Word {
            value,
            span: base + start..base + i,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_continuations_and_comments() {
        let text = "# ProxyPass / balancer://x/ stickysession=A\n<VirtualHost *:80>\n  <Proxy \"balancer://app\">\n    BalancerMember http://a:8080 \\\n        route=a\n    ProxySet stickysession=ROUTEID\n  </Proxy>\n  ProxyPass / balancer://app/ # not a comment\n</VirtualHost>\n";
        let config = parse(text);
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        let walked = config.walk_with_parents();
        let names: Vec<_> = walked.iter().map(|(_, d)| d.name.value.as_str()).collect();
        assert_eq!(
            names,
            [
                "VirtualHost",
                "Proxy",
                "BalancerMember",
                "ProxySet",
                "ProxyPass"
            ]
        );
        let (parents, member) = &walked[2];
        assert_eq!(parents[1].args[0].value, "balancer://app");
        assert_eq!(member.args[1].value, "route=a");
        // httpd has no trailing comments: `#` after a directive is an argument.
        assert_eq!(walked[4].1.args.len(), 6);
        assert_eq!(
            &text[walked[3].1.span.clone()],
            "ProxySet stickysession=ROUTEID"
        );
    }

    #[test]
    fn php_tags_are_not_sections() {
        let config =
            parse("<?php $a = 1; ?>\n<Proxy balancer://a>\n  ProxySet stickysession=x\n</Proxy>\n");
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        assert_eq!(config.walk_with_parents().len(), 3);
    }

    #[test]
    fn unbalanced_sections_are_problems() {
        let config = parse("</Proxy>\n<Proxy balancer://a>\nProxySet stickysession=x\n");
        assert_eq!(config.errors.len(), 2);
        assert_eq!(config.walk_with_parents().len(), 2);
    }
}
