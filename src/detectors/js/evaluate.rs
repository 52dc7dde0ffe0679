//! The one evaluator of [`Library`] rows for JavaScript / TypeScript: which row a call, `new` or
//! decorator uses (through the module scope's [`Symbol`]s), where its options are, and what the
//! deciding option holds, followed through `const`s, spreads and later assignments.
//!
//! How a JS API receives the deciding option, read from the row:
//! - `Opt::position` `None`: a key of the options object in the first argument.
//! - `Opt::position` `Some(n)`: argument `n` carries it, either as the value itself when a string
//!   is passed there (`new Sequelize('sqlite:db')`, `caching('memory')`, `new Keyv('redis://')`)
//!   or as a key of the options object there (`FileInterceptor('f', { dest })`).
//! - A key may name the spellings versions used, `stores|store`: the first one set decides.
//! - A Fastify plugin is called by the framework: `app.register(plugin, options)` is a call of
//!   the plugin with `options`.
//! - A NestJS dynamic module's `…Async` method takes its options from what the inline
//!   `useFactory` returns; a factory written elsewhere is unknown.

use super::module_scope::ModuleScope;
use super::options::{self, Prop, arg, returned_value};
use crate::detectors::table::{Library, OptionValue, Pattern, Usage, Verdict};
use crate::parse::js::{string_value, text};
use crate::project::symbol::Symbol;
use tree_sitter::Node;

/// Whether a resolved symbol is the one a table names.
pub fn is(pattern: &Pattern, symbol: &Symbol) -> bool {
    symbol.is(pattern.package, pattern.path)
}

/// Whether a resolved symbol is any of `patterns`.
pub fn any(patterns: &[Pattern], symbol: &Symbol) -> bool {
    patterns.iter().any(|p| is(p, symbol))
}

/// A use of a row's symbol in the tree.
#[derive(Clone, Copy)]
pub struct Use<'r, 't> {
    /// The row it uses.
    pub row: &'r Library,
    /// The call or `new` expression.
    pub node: Node<'t>,
    /// The expression that names the symbol: callee, constructor or registered plugin.
    pub named: Node<'t>,
    /// Arguments before the symbol's own (1 for `app.register(plugin, options)`).
    shift: usize,
}

/// The row of `rows` that `node` (a call, `new` or decorator call) uses, if any.
pub fn find<'r, 't>(
    rows: &'r [Library],
    node: Node<'t>,
    scope: &ModuleScope<'t>,
    src: &str,
) -> Option<Use<'r, 't>> {
    let (named, usage) = match node.kind() {
        "new_expression" => (node.child_by_field_name("constructor")?, Usage::Construct),
        "call_expression" => {
            let in_decorator = node.parent().is_some_and(|p| p.kind() == "decorator");
            let usage = if in_decorator {
                Usage::Decorate
            } else {
                Usage::Call
            };
            (node.child_by_field_name("function")?, usage)
        }
        _ => return None,
    };
    if let Some(symbol) = scope.origin(named, src)
        && let Some(row) = rows
            .iter()
            .find(|r| r.usage == usage && is(&r.symbol, &symbol))
    {
        return Some(Use {
            row,
            node,
            named,
            shift: 0,
        });
    }
    // `fastify.register(plugin, options)`.
    let registers = usage == Usage::Call
        && named
            .child_by_field_name("property")
            .is_some_and(|p| text(p, src) == "register");
    let plugin = arg(node, 0).filter(|_| registers)?;
    let symbol = scope.origin(plugin, src)?;
    let row = rows
        .iter()
        .find(|r| r.usage == Usage::Call && is(&r.symbol, &symbol))?;
    Some(Use {
        row,
        node,
        named: plugin,
        shift: 1,
    })
}

/// The rows of `rows` that name `symbol` with `usage`.
pub fn row_of<'r>(rows: &'r [Library], symbol: &Symbol, usage: Usage) -> Option<&'r Library> {
    rows.iter()
        .find(|r| r.usage == usage && is(&r.symbol, symbol))
}

impl<'t> Use<'_, 't> {
    /// The `n`th argument the symbol itself receives.
    pub fn arg(&self, n: usize) -> Option<Node<'t>> {
        arg(self.node, n + self.shift)
    }

    /// The argument that carries the row's option: `Err(())` when it cannot be known (a NestJS
    /// factory written elsewhere), `Ok(None)` when it is not given.
    #[allow(clippy::result_unit_err)]
    pub fn options(&self, scope: &ModuleScope<'t>, src: &str) -> Result<Option<Node<'t>>, ()> {
        let position = self.row.option.and_then(|o| o.position).unwrap_or(0);
        let given = self.arg(position);
        let is_async = self
            .row
            .symbol
            .path
            .last()
            .is_some_and(|m| m.ends_with("Async"));
        if !is_async {
            return Ok(given);
        }
        match options::option(given, "useFactory", scope, src) {
            Prop::Value(f) => returned_value(scope.resolve(f, src))
                .filter(|r| matches!(r.kind(), "object" | "array"))
                .map(Some)
                .ok_or(()),
            _ => Err(()),
        }
    }

    /// What the options say about `key` (spellings separated by `|`; the first set decides).
    pub fn prop(&self, key: &str, scope: &ModuleScope<'t>, src: &str) -> Prop<'t> {
        let Ok(options) = self.options(scope, src) else {
            return Prop::Unknown;
        };
        let positional = self.row.option.is_some_and(|o| o.position.is_some());
        if positional
            && let Some(given) = options
            && string_value(scope.resolve(given, src), src).is_some()
        {
            return Prop::Value(given);
        }
        key.split('|')
            .map(|k| options::option(options, k, scope, src))
            .find(|p| !matches!(p, Prop::Absent))
            .unwrap_or(Prop::Absent)
    }

    /// The row's deciding option: what it is, and the node that sets it.
    pub fn option(&self, scope: &ModuleScope<'t>, src: &'t str) -> (OptionValue<'t>, Prop<'t>) {
        let Some(opt) = self.row.option else {
            return (OptionValue::Absent, Prop::Absent);
        };
        let prop = self.prop(opt.key, scope, src);
        let value = match prop {
            Prop::Absent => OptionValue::Absent,
            Prop::Unknown => OptionValue::Unknown,
            Prop::Value(v) => string_value(scope.resolve(v, src), src)
                .map_or(OptionValue::Unknown, OptionValue::Known),
        };
        (value, prop)
    }

    /// The row's verdict on this use, with the node that sets the deciding option.
    pub fn verdict(
        &self,
        scope: &ModuleScope<'t>,
        src: &'t str,
    ) -> Option<(&'static Verdict, Prop<'t>)> {
        let (value, prop) = self.option(scope, src);
        self.row.verdict(value).map(|v| (v, prop))
    }
}

/// Checks that a detector's triggers and rules cover its rows (a trigger within the row's
/// package or one of its members, so it fires wherever the row is written; each verdict's rule
/// among the rules).
#[cfg(test)]
pub(crate) fn assert_covered(detector: &dyn crate::detectors::Detector, rows: &[&[Library]]) {
    let triggers = detector.triggers();
    for row in rows.iter().flat_map(|r| r.iter()) {
        let words: Vec<&str> = std::iter::once(row.symbol.package)
            .chain(row.symbol.path.iter().copied())
            .collect();
        assert!(
            words.iter().any(|w| triggers.iter().any(|t| w.contains(t))),
            "{}: no trigger for {:?}",
            detector.id(),
            row.symbol
        );
    }
    assert_rules_covered(detector, rows);
}

/// Checks that each verdict's rule of `rows` is among the detector's rules.
#[cfg(test)]
pub(crate) fn assert_rules_covered(detector: &dyn crate::detectors::Detector, rows: &[&[Library]]) {
    for v in rows.iter().flat_map(|r| r.iter()).flat_map(|r| r.verdicts) {
        assert!(
            detector.rules().contains(&v.rule.id),
            "{}: {} is not among its rules",
            detector.id(),
            v.rule.id
        );
    }
}
