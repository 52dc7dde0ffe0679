//! The cheap test before any parse: one Aho-Corasick automaton, built once from every enabled
//! detector's trigger literals, tells which detectors can fire on a file. A file with no trigger
//! is never parsed.

use crate::detectors::Detector;
use crate::source::FileKind;
use crate::suppress::MARKER;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;

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

/// One file kind's automaton and, per pattern, the detectors it triggers.
struct KindAutomaton {
    automaton: AhoCorasick,
    triggers: Vec<DetectorSet>,
    /// Every detector that reads the kind: once all have been seen, scanning can stop.
    candidates: DetectorSet,
}

/// One automaton per file kind, each over the literals of the detectors that read that kind (and
/// the suppression marker): a JavaScript file is not searched for Terraform's words, and small
/// pattern sets keep the fast packed (SIMD) searchers in play.
pub struct Prefilter {
    kinds: HashMap<FileKind, KindAutomaton>,
}

impl Prefilter {
    /// Builds the automata from the detectors' triggers (deduplicated) plus the suppression marker.
    pub fn new(detectors: &[&dyn Detector]) -> Prefilter {
        assert!(
            detectors.len() <= DetectorSet::CAPACITY,
            "too many detectors"
        );
        let mut candidates: HashMap<FileKind, DetectorSet> = HashMap::new();
        for (i, d) in detectors.iter().enumerate() {
            for kind in d.kinds() {
                candidates.entry(*kind).or_default().insert(i);
                // A file of an ambiguous kind is settled by content only after the prefilter.
                for maybe in kind.settled_from() {
                    candidates.entry(*maybe).or_default().insert(i);
                }
            }
        }
        let kinds = candidates
            .into_iter()
            .map(|(kind, set)| (kind, KindAutomaton::new(detectors, set)))
            .collect();
        Prefilter { kinds }
    }

    /// Scans a file of `kind` for its detectors' triggers; stops as soon as every detector of
    /// the kind and the marker have been seen.
    pub fn scan(&self, haystack: &[u8], kind: FileKind) -> Hits {
        let mut hits = Hits::default();
        let Some(k) = self.kinds.get(&kind) else {
            return hits;
        };
        for m in k.automaton.find_overlapping_iter(haystack) {
            let pattern = m.pattern().as_usize();
            if pattern == 0 {
                hits.directives = true;
            } else {
                hits.detectors.union(&k.triggers[pattern]);
            }
            if hits.directives && hits.detectors == k.candidates {
                break;
            }
        }
        hits
    }
}

impl KindAutomaton {
    fn new(detectors: &[&dyn Detector], candidates: DetectorSet) -> KindAutomaton {
        let mut patterns: Vec<&str> = vec![MARKER];
        let mut triggers: Vec<DetectorSet> = vec![DetectorSet::default()];
        for (i, d) in detectors.iter().enumerate() {
            if !candidates.contains(i) {
                continue;
            }
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
        KindAutomaton {
            automaton,
            triggers,
            candidates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::DETECTORS;

    #[test]
    fn finds_the_detectors_whose_literals_occur() {
        let prefilter = Prefilter::new(DETECTORS);
        let index = |id: &str| {
            DETECTORS
                .iter()
                .position(|d| d.id() == id)
                .expect("registered detector")
        };
        let (sessions, nginx) = (index("js/sessions"), index("nginx/upstream-affinity"));
        let js = b"const s = require('express-session')";
        let hits = prefilter.scan(js, FileKind::JavaScript);
        assert!(hits.detectors.contains(sessions));
        assert!(!hits.directives);
        let conf = b"upstream a { ip_hash; } # scalelint: ignore";
        let hits = prefilter.scan(conf, FileKind::Nginx);
        assert!(hits.detectors.contains(nginx) && !hits.detectors.contains(sessions));
        assert!(hits.directives);
        assert!(
            prefilter
                .scan(b"nothing here", FileKind::JavaScript)
                .detectors
                .is_empty()
        );
        // A kind's automaton knows only its own detectors' words.
        let upload = b"const upload = multer({ dest: 'uploads/' })";
        assert!(
            prefilter
                .scan(upload, FileKind::JavaScript)
                .detectors
                .contains(index("js/uploads"))
        );
        assert!(prefilter.scan(upload, FileKind::Rust).detectors.is_empty());
        assert!(prefilter.scan(conf, FileKind::JavaScript).directives);
        // An ambiguous `*.conf` is scanned for every detector it may turn out to be read by.
        assert!(
            prefilter
                .scan(conf, FileKind::MaybeNginx)
                .detectors
                .contains(nginx)
        );
    }
}
