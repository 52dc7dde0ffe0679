//! SARIF 2.1.0, shaped for GitHub code scanning: every catalog rule in `tool.driver.rules` (so
//! `ruleIndex` is the catalog index), relative percent-encoded URIs under `%SRCROOT%`, full
//! regions, and line-independent `partialFingerprints`.

use crate::diagnostic::Severity;
use crate::report::{FileNote, Report};
use crate::rules::{self, RULES};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};
use std::io::{self, Write};

/// Characters escaped in a URI path segment (RFC 3986 leaves unreserved ones and `/` alone).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The relative, percent-encoded URI of a displayed path.
fn uri(path: &str) -> String {
    path.split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn level(severity: Severity) -> &'static str {
    severity.as_str()
}

fn artifact(path: &str) -> Value {
    json!({ "uri": uri(path), "uriBaseId": "%SRCROOT%" })
}

fn notification(note: &FileNote, level: &str) -> Value {
    let mut location = json!({ "artifactLocation": artifact(&note.path) });
    if let Some(line) = note.line {
        location["region"] = json!({ "startLine": line });
    }
    json!({
        "level": level,
        "message": { "text": format!("{}: {}", note.path, note.reason) },
        "locations": [{ "physicalLocation": location }],
    })
}

/// Writes the report as one SARIF log with one run.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let driver_rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": rule.description },
                "help": { "text": rule.doc, "markdown": rule.doc },
                "helpUri": super::rule_url(rule),
                "defaultConfiguration": { "level": level(rule.default_severity) },
                "properties": {
                    "tags": ["scalability", rule.category.as_str()],
                    "precision": "high",
                },
            })
        })
        .collect();

    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule.id,
                "ruleIndex": rules::index_of(f.rule),
                "level": level(f.severity),
                "message": { "text": format!("{}. Fix: {}.", capitalise(&f.message), f.help) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&f.path),
                        "region": {
                            "startLine": f.start.line,
                            "startColumn": f.start.column,
                            "endLine": f.end.line,
                            "endColumn": f.end.column,
                        },
                    },
                }],
                "partialFingerprints": { "scalelint/v1": f.fingerprint },
                "properties": { "detector": f.detector },
            })
        })
        .collect();

    let mut notifications: Vec<Value> = report
        .skipped
        .iter()
        .map(|n| notification(n, "warning"))
        .collect();
    notifications.extend(report.partial.iter().map(|n| notification(n, "note")));

    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "scalelint",
                    "semanticVersion": super::VERSION,
                    "version": super::VERSION,
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": driver_rules,
                },
            },
            "automationDetails": { "id": "scalelint/" },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_are_percent_encoded_per_segment() {
        assert_eq!(uri("src/my app/[id].js"), "src/my%20app/%5Bid%5D.js");
        assert_eq!(uri("conf.d/ünï.conf"), "conf.d/%C3%BCn%C3%AF.conf");
    }
}
