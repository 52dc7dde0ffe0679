//! The cheap test before any parse: one Aho-Corasick automaton, built once from every enabled
//! detector's trigger literals, tells which detectors can fire on a file. A file with no trigger
//! is never parsed.

use crate::detectors::Detector;
use crate::suppress::MARKER;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// A set of detectors, by index into the detector list the prefilter was built from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetectorSet([u64; 4]);

impl DetectorSet {
    /// The most detectors a set can hold.
    pub const CAPACITY: usize = 256;

    /// Adds detector `i`.
    pub fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    /// Whether detector `i` is in the set.
    pub fn contains(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    /// Adds every member of `other`.
    pub fn union(&mut self, other: &DetectorSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }
    /// Keeps only members of `other`.
    pub fn intersect(&self, other: &DetectorSet) -> DetectorSet {
        let mut out = *self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a &= b;
        }
        out
    }
    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }
}

/// What the prefilter found in a file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hits {
    /// Detectors whose triggers occur.
    pub detectors: DetectorSet,
    /// Whether the file contains a suppression marker.
    pub directives: bool,
}

/// The automaton and, per pattern, the detectors it triggers.
pub struct Prefilter {
    automaton: AhoCorasick,
    triggers: Vec<DetectorSet>,
}

impl Prefilter {
    /// Builds the automaton from the detectors' triggers (deduplicated) plus the suppression marker.
    pub fn new(detectors: &[&dyn Detector]) -> Prefilter {
        assert!(
            detectors.len() <= DetectorSet::CAPACITY,
            "too many detectors"
        );
        let mut patterns: Vec<&str> = vec![MARKER];
        let mut triggers: Vec<DetectorSet> = vec![DetectorSet::default()];
        for (i, d) in detectors.iter().enumerate() {
            for &literal in d.triggers() {
                let slot = match patterns.iter().position(|p| *p == literal) {
                    Some(slot) => slot,
                    None => {
                        patterns.push(literal);
                        triggers.push(DetectorSet::default());
                        patterns.len() - 1
                    }
                };
                triggers[slot].insert(i);
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("trigger literals always build an automaton");
        Prefilter {
            automaton,
            triggers,
        }
    }

    /// Scans `haystack` for triggers of the `candidates` (the detectors for the file's kind);
    /// stops as soon as every candidate and the marker have been seen.
    pub fn scan(&self, haystack: &[u8], candidates: &DetectorSet) -> Hits {
        let mut hits = Hits::default();
        for m in self.automaton.find_overlapping_iter(haystack) {
            let pattern = m.pattern().as_usize();
            if pattern == 0 {
                hits.directives = true;
            } else {
                hits.detectors
                    .union(&self.triggers[pattern].intersect(candidates));
            }
            if hits.directives && hits.detectors == *candidates {
                break;
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::DETECTORS;

    #[test]
    fn finds_the_detectors_whose_literals_occur() {
        let prefilter = Prefilter::new(DETECTORS);
        let mut all = DetectorSet::default();
        (0..DETECTORS.len()).for_each(|i| all.insert(i));
        let index = |id: &str| {
            DETECTORS
                .iter()
                .position(|d| d.id() == id)
                .expect("registered detector")
        };
        let (sessions, nginx, rust) = (
            index("js/sessions"),
            index("nginx/upstream-affinity"),
            index("rust/session-memory-store"),
        );
        let hits = prefilter.scan(b"const s = require('express-session')", &all);
        assert!(hits.detectors.contains(sessions));
        assert!(!hits.directives);
        let hits = prefilter.scan(b"upstream a { ip_hash; } # scalelint: ignore", &all);
        assert!(hits.detectors.contains(nginx) && !hits.detectors.contains(sessions));
        assert!(hits.directives);
        assert!(prefilter.scan(b"nothing here", &all).detectors.is_empty());
        let only_rust = {
            let mut s = DetectorSet::default();
            s.insert(rust);
            s
        };
        assert!(
            prefilter
                .scan(b"express-session", &only_rust)
                .detectors
                .is_empty()
        );
    }
}
