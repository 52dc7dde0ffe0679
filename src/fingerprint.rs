//! Stable fingerprints: a finding keeps its fingerprint when unrelated lines move.

use crate::diagnostic::Finding;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Collapses runs of whitespace so that re-indenting a construct keeps its fingerprint.
pub fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Fills in `fingerprint` for findings sorted in report order. The input is the rule, the path and
/// the normalised flagged text, plus the occurrence index among identical triples so that two equal
/// constructs in one file stay distinct.
pub fn assign(findings: &mut [Finding]) {
    let mut seen: HashMap<(String, &'static str, String), usize> = HashMap::new();
    for finding in findings.iter_mut() {
        let key = (
            finding.path.clone(),
            finding.rule.id,
            finding.snippet.clone(),
        );
        let occurrence = seen.entry(key).or_insert(0);
        let mut hasher = Sha256::new();
        for part in [
            finding.rule.id,
            finding.path.as_str(),
            finding.snippet.as_str(),
            &occurrence.to_string(),
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        *occurrence += 1;
        let digest = hasher.finalize();
        finding.fingerprint = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn normalise_collapses_whitespace() {
        assert_eq!(
            normalise("  session({\n    secret })"),
            "session({ secret })"
        );
    }
}
