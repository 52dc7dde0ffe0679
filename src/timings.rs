//! Where a run's time went, for `--timings`. Per-file phases are thread time summed over the
//! walker's threads (so with N threads they add up to about N × wall); the phases before and after
//! the walk are wall time. Measuring costs a few clock reads per file, so it is always on.

use std::collections::BTreeMap;
use std::time::Duration;

/// Time and volume of one phase.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Phase {
    /// Time spent.
    pub time: Duration,
    /// Files that went through the phase.
    pub files: usize,
    /// Bytes those files hold.
    pub bytes: u64,
}

impl Phase {
    /// Adds one file's share.
    pub fn add(&mut self, time: Duration, bytes: u64) {
        self.time += time;
        self.files += 1;
        self.bytes += bytes;
    }

    fn merge(&mut self, other: Phase) {
        self.time += other.time;
        self.files += other.files;
        self.bytes += other.bytes;
    }
}

/// The phases of a run, in pipeline order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Timings {
    /// Worker threads the walk used.
    pub threads: usize,
    /// Config, rule selection and the prefilter automaton (wall).
    pub setup: Duration,
    /// Directory traversal, classification and waiting for work (thread time outside files).
    pub walk: Duration,
    /// Reading files.
    pub read: Phase,
    /// The Aho-Corasick prefilter over every file read.
    pub prefilter: Phase,
    /// UTF-8 check, content classification and line index, for files that passed the prefilter.
    pub decode: Phase,
    /// Parsing, by file kind name.
    pub parse: BTreeMap<&'static str, Phase>,
    /// Detectors, by detector id (a file counts once per detector that ran on it).
    pub detectors: BTreeMap<&'static str, Phase>,
    /// Suppression directives and turning diagnostics into findings.
    pub suppress: Duration,
    /// Resolving project facts across files (wall).
    pub resolve: Duration,
    /// Sorting, de-duplicating and fingerprinting findings (wall).
    pub finish: Duration,
    /// The whole check, setup to finish (wall).
    pub wall: Duration,
}

impl Timings {
    /// Adds another worker's per-file phases.
    pub fn merge(&mut self, other: Timings) {
        self.walk += other.walk;
        self.read.merge(other.read);
        self.prefilter.merge(other.prefilter);
        self.decode.merge(other.decode);
        for (k, v) in other.parse {
            self.parse.entry(k).or_default().merge(v);
        }
        for (k, v) in other.detectors {
            self.detectors.entry(k).or_default().merge(v);
        }
        self.suppress += other.suppress;
    }
}
