//! The one evaluator of library rows for Python: finds the row a call, decorator or name stands
//! for (through the module scope's imports) and reads the row's deciding option from the call's
//! keyword or positional argument, through module-level names and environment defaults.

use super::module_scope::{ModuleScope, Value, keyword_arg, positional_arg};
use crate::detectors::table::{Library, Opt, OptionValue, Pattern, Usage, Verdict};
use crate::parse::python::text;
use crate::project::symbol::Symbol;
use tree_sitter::Node;

/// A row, in one call: the Python tables build theirs with small `const fn`s over this.
pub const fn library(
    (package, path): (&'static str, &'static [&'static str]),
    usage: Usage,
    option: Option<Opt>,
    verdicts: &'static [Verdict],
    fix: &'static str,
    name: &'static str,
) -> Library {
    Library {
        symbol: Pattern { package, path },
        usage,
        option,
        verdicts,
        fix,
        name,
    }
}

/// The row of `rows` used as `usage` that `symbol` names.
pub fn row<'r>(rows: &'r [Library], usage: Usage, symbol: &Symbol) -> Option<&'r Library> {
    rows.iter()
        .find(|r| r.usage == usage && r.symbol.matches(symbol))
}

/// What a row's option is at a call: the argument node and its value. A string (or environment
/// default) is known; a dotted name is known by its last member (`Cache.MEMORY` → `MEMORY`), the
/// form enum-like options take.
pub struct Evaluated<'t> {
    /// The argument, when given.
    pub node: Option<Node<'t>>,
    /// Its value as the analysis knows it.
    pub value: Value,
    known: Option<String>,
}

impl Evaluated<'_> {
    /// The option as the row's verdicts judge it.
    pub fn option(&self) -> OptionValue<'_> {
        match (&self.node, &self.known) {
            (None, _) => OptionValue::Absent,
            (Some(_), Some(k)) => OptionValue::Known(k),
            (Some(_), None) => OptionValue::Unknown,
        }
    }
}

/// Reads the option of `row` at `call` (absent when the row has none or the call is a bare
/// decorator).
pub fn option<'t>(
    row: &Library,
    call: Node<'t>,
    scope: &ModuleScope<'t>,
    src: &str,
) -> Evaluated<'t> {
    let node = row.option.filter(|_| call.kind() == "call").and_then(|o| {
        keyword_arg(call, o.key, src).or_else(|| o.position.and_then(|i| positional_arg(call, i)))
    });
    let value = node.map_or(Value::Unknown, |n| scope.eval(n, src));
    let known = match (&value, node) {
        (v, _) if v.effective().is_some() => v.effective().map(str::to_owned),
        (_, Some(n)) if matches!(n.kind(), "attribute" | "identifier") => {
            let t = text(n, src);
            Some(t.rsplit('.').next().unwrap_or(t).to_owned())
        }
        _ => None,
    };
    Evaluated { node, value, known }
}

/// The verdict of `row` at `call`, with what was read of its option.
pub fn judge<'t>(
    row: &Library,
    call: Node<'t>,
    scope: &ModuleScope<'t>,
    src: &str,
) -> (Option<&'static Verdict>, Evaluated<'t>) {
    let evaluated = option(row, call, scope, src);
    (row.verdict(evaluated.option()), evaluated)
}

/// Words too common to be prefilter triggers (`functools.cache`, `flask_caching.Cache`): rows
/// ending in one are covered by hand-written triggers of their detector.
const GENERIC: &[&str] = &["cache", "cached", "Cache", "Session", "random", "choice"];

/// The prefilter triggers derived from rows, without the generic words.
pub fn triggers(rows: &[&[Library]]) -> Vec<&'static str> {
    crate::detectors::table::triggers(rows)
        .into_iter()
        .filter(|t| !GENERIC.contains(t))
        .collect()
}

/// A detector's triggers: the hand-written ones, then those derived from its rows.
pub fn with_rows(hand: &[&'static str], rows: &[&[Library]]) -> Vec<&'static str> {
    let mut out = hand.to_vec();
    for t in triggers(rows) {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
/// Checks that every row is reachable through `triggers` (one of them is in the row's dotted
/// name or its `from … import …` form) and that every verdict's rule is among `rules`.
pub fn assert_rows_covered(rows: &[&[Library]], triggers: &[&str], rules: &[&str]) {
    for row in rows.iter().flat_map(|r| r.iter()) {
        let dotted = row.symbol.dotted();
        let from = match dotted.rsplit_once('.') {
            Some((module, name)) => format!("from {module} import {name}"),
            None => format!("import {dotted}"),
        };
        assert!(
            triggers
                .iter()
                .any(|t| dotted.contains(t) || from.contains(t)),
            "no trigger reaches {dotted}"
        );
        for v in row.verdicts {
            assert!(rules.contains(&v.rule.id), "{dotted} reports {}", v.rule.id);
        }
    }
}
