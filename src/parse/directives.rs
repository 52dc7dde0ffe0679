//! The tree that directive-based config formats share: nginx (`name args… ;` / `{ block }`) and
//! Apache httpd (`Name args` / `<Section>` … `</Section>`) parse into the same directives, words
//! and spans, so the detectors of both read one shape.

use std::ops::Range;

/// A word of a directive: its value (quotes removed) and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The value, with quotes and escapes resolved.
    pub value: String,
    /// Byte span in the file, quotes included.
    pub span: Range<usize>,
}

/// One directive (`ip_hash;`, `ProxySet stickysession=ROUTEID`) or a block or section with the
/// directives inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The directive's name.
    pub name: Word,
    /// Its arguments.
    pub args: Vec<Word>,
    /// The directives inside its block, if it has one.
    pub block: Option<Vec<Directive>>,
    /// nginx: from the name to the `;` or the closing `}`; Apache: the directive's line(s), or
    /// a section's opening tag.
    pub span: Range<usize>,
}

/// A parsed file.
#[derive(Debug, Default)]
pub struct Config {
    /// Top-level directives.
    pub directives: Vec<Directive>,
    /// Syntax problems: the offset and what was wrong. The parse went on past each.
    pub errors: Vec<(usize, String)>,
}

impl Config {
    /// Every directive at any depth, parents before children (iterative, in file order).
    pub fn walk(&self) -> Vec<&Directive> {
        let mut out = Vec::new();
        let mut stack: Vec<&Directive> = self.directives.iter().rev().collect();
        while let Some(d) = stack.pop() {
            out.push(d);
            if let Some(block) = &d.block {
                stack.extend(block.iter().rev());
            }
        }
        out
    }

    /// Every directive at any depth with its enclosing sections (outermost first), in file order.
    pub fn walk_with_parents(&self) -> Vec<(Vec<&Directive>, &Directive)> {
        let mut out = Vec::new();
        let mut stack: Vec<(Vec<&Directive>, &Directive)> = self
            .directives
            .iter()
            .rev()
            .map(|d| (Vec::new(), d))
            .collect();
        while let Some((parents, d)) = stack.pop() {
            if let Some(block) = &d.block {
                let mut inner = parents.clone();
                inner.push(d);
                stack.extend(block.iter().rev().map(|c| (inner.clone(), c)));
            }
            out.push((parents, d));
        }
        out
    }
}
