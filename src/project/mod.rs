//! Project-level knowledge. Some state is only visible across files: a manifest's dependencies
//! decide what an import means, a settings module overrides another, a Deployment's replica count
//! and its volume sit in different documents. Detectors record such facts while the walk reads
//! each file once ([`Sink::fact`]); after the walk each detector resolves its facts
//! ([`crate::detectors::Detector::resolve`]) into diagnostics located in any file.

pub mod manifests;
pub mod symbol;

use crate::diagnostic::Diagnostic;
use crate::source::FileKind;
use std::any::Any;
use std::path::PathBuf;

/// What a detector emits for one file: diagnostics now, facts for later.
#[derive(Default)]
pub struct Sink {
    /// Diagnostics located in the file being checked.
    pub diagnostics: Vec<Diagnostic>,
    facts: Vec<Box<dyn Any + Send>>,
    shared: Vec<Box<dyn Any + Send>>,
    /// The shared facts asked for in this file so far (each is computed once).
    shared_keys: Vec<&'static str>,
}

impl Sink {
    /// Reports a diagnostic in the file being checked.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Number of diagnostics reported so far.
    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// Records a fact about the file being checked, for [`crate::detectors::Detector::resolve`].
    /// Keep facts small: they live until the walk ends.
    pub fn fact<T: Any + Send>(&mut self, fact: T) {
        self.facts.push(Box::new(fact));
    }

    /// Records a fact that every detector's `resolve` sees, such as a crate's manifest that
    /// several detectors need. `make` runs once per file and `key`, however many detectors ask.
    pub fn shared_fact<T: Any + Send>(
        &mut self,
        key: &'static str,
        make: impl FnOnce() -> Option<T>,
    ) {
        if self.shared_keys.contains(&key) {
            return;
        }
        self.shared_keys.push(key);
        if let Some(fact) = make() {
            self.shared.push(Box::new(fact));
        }
    }

    /// Takes the recorded facts (the engine files them under the detector and the path).
    pub(crate) fn take_facts(&mut self) -> Vec<Box<dyn Any + Send>> {
        std::mem::take(&mut self.facts)
    }

    /// Takes the shared facts recorded for the file.
    pub(crate) fn take_shared(&mut self) -> Vec<Box<dyn Any + Send>> {
        std::mem::take(&mut self.shared)
    }
}

impl Extend<Diagnostic> for Sink {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.diagnostics.extend(iter);
    }
}

/// One recorded fact, with the file it came from.
pub struct FileFact {
    /// Displayed path of the file.
    pub path: String,
    /// Where the file is on disk (to read it again when a resolved diagnostic points into it).
    pub(crate) location: PathBuf,
    /// The file's kind (for its comment syntax when it is read again).
    pub(crate) kind: FileKind,
    /// The fact, as the detector recorded it.
    pub fact: Box<dyn Any + Send>,
}

/// The engine's detector index for shared facts ([`Sink::shared_fact`]).
pub(crate) const SHARED: usize = usize::MAX;

/// The facts one detector recorded across the project, then the shared ones, each sorted by path
/// (a deterministic order).
pub struct Facts<'a> {
    /// Facts with the index of the detector that recorded them (the same for all).
    entries: &'a [(usize, FileFact)],
    /// Facts recorded for every detector.
    shared: &'a [(usize, FileFact)],
}

impl<'a> Facts<'a> {
    /// Wraps one detector's facts and the shared facts, each sorted by path.
    pub(crate) fn new(entries: &'a [(usize, FileFact)], shared: &'a [(usize, FileFact)]) -> Self {
        Facts { entries, shared }
    }

    /// Every fact of type `T`, with the displayed path of its file.
    pub fn of<T: Any>(&self) -> impl Iterator<Item = (&'a str, &'a T)> + 'a {
        self.entries
            .iter()
            .chain(self.shared)
            .filter_map(|(_, e)| e.fact.downcast_ref::<T>().map(|f| (e.path.as_str(), f)))
    }
}

/// A diagnostic resolved after the walk, located in the file at `path` (a displayed path that
/// recorded a fact).
#[derive(Debug, Clone)]
pub struct Located {
    /// Displayed path of the file the diagnostic points into.
    pub path: String,
    /// The diagnostic; its span is a byte range of that file's text.
    pub diagnostic: Diagnostic,
}
