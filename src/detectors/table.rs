//! One shape for library knowledge, in every language: a [`Library`] row says which symbol a
//! program uses, how it reaches it, which option decides, and the verdicts (rule, message, fix).
//! Each family evaluates rows against its own model (a JS call's options object, a Python call's
//! keyword arguments, a Rust constructor's builder chain); the prefilter's triggers and the
//! rules a detector may emit are derived from its rows, never copied by hand.

use crate::rules::Rule;

/// A symbol as a table names it: a package and the members below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// The package (npm specifier, top-level Python module, Rust crate …).
    pub package: &'static str,
    /// Members below the package (`[]` for the package itself, e.g. `require('multer')`).
    pub path: &'static [&'static str],
}

impl Pattern {
    /// Whether `symbol` is exactly this pattern.
    pub fn matches(&self, symbol: &crate::project::symbol::Symbol) -> bool {
        symbol.is(self.package, self.path)
    }

    /// The dotted name (`functools.lru_cache`), for messages and trigger checks.
    pub fn dotted(&self) -> String {
        let mut out = self.package.to_owned();
        for p in self.path {
            out.push('.');
            out.push_str(p);
        }
        out
    }
}

/// How a program reaches a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// Called: `session(opts)`, `Limiter(app)`, `lru::LruCache::new(n)`.
    Call,
    /// Constructed with `new`: `new NodeCache()`.
    Construct,
    /// Applied as a decorator or attribute: `@lru_cache`, `#[cached]`.
    Decorate,
    /// Subclassed or implemented: `class Store extends MemoryStore`.
    Extend,
    /// Named as a value, e.g. a setting string (`"django.core.cache.backends.locmem.LocMemCache"`).
    Name,
}

/// The option whose value decides a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    /// Its key (`store`, `dest`, `storage_uri`).
    pub key: &'static str,
    /// Its position when passed positionally (0-based), if the API allows that.
    pub position: Option<usize>,
}

/// When a verdict applies, judged on the decisive option (or on the use itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Whenever the symbol is used (the option is not consulted).
    Used,
    /// The option is absent: the library's default applies.
    Absent,
    /// The option is present with any value.
    Present,
    /// The option's value (resolved statically) is one of these.
    OneOf(&'static [&'static str]),
    /// The option's value starts with one of these (a URL scheme, a path prefix).
    Prefix(&'static [&'static str]),
}

/// One verdict of a row.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    /// When it applies.
    pub when: When,
    /// The rule it reports.
    pub rule: &'static Rule,
    /// The message, saying what keeps state on the instance.
    pub message: &'static str,
}

/// One piece of library knowledge.
#[derive(Debug, Clone, Copy)]
pub struct Library {
    /// What the program uses.
    pub symbol: Pattern,
    /// How it reaches it.
    pub usage: Usage,
    /// The option that decides, if one does.
    pub option: Option<Opt>,
    /// Verdicts in order; the first that applies is reported.
    pub verdicts: &'static [Verdict],
    /// How to fix it with this library.
    pub fix: &'static str,
    /// What a user calls it in a message (`express-session`, `Flask-Limiter's Limiter`).
    pub name: &'static str,
}

impl Library {
    /// The first verdict that applies, given what the option is.
    pub fn verdict(&self, option: OptionValue<'_>) -> Option<&'static Verdict> {
        self.verdicts.iter().find(|v| match (v.when, option) {
            (When::Used, _) => true,
            (When::Absent, OptionValue::Absent) => true,
            (When::Present, OptionValue::Known(_) | OptionValue::Unknown) => true,
            (When::OneOf(values), OptionValue::Known(s)) => values.contains(&s),
            (When::Prefix(prefixes), OptionValue::Known(s)) => {
                prefixes.iter().any(|p| s.starts_with(p))
            }
            _ => false,
        })
    }
}

/// What a family's evaluator found for a row's option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionValue<'a> {
    /// Not given.
    Absent,
    /// Given, with a value known statically.
    Known(&'a str),
    /// Given, with a value the analysis cannot know (a variable from elsewhere, a call).
    Unknown,
}

/// The prefilter triggers of a set of rows: each row's package and its last path member (one of
/// which every file using the row contains), deduplicated, in a stable order. A call marker
/// (`"()"`) or a member shorter than [`MIN_MEMBER`] (`job`, `put`, `from`) is in nearly every
/// file, so such a row triggers on its package instead.
pub fn triggers(rows: &[&[Library]]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for row in rows.iter().flat_map(|r| r.iter()) {
        let word = row
            .symbol
            .path
            .iter()
            .rev()
            .find(|m| **m != "()")
            .copied()
            .filter(|m| m.len() >= MIN_MEMBER)
            .unwrap_or(row.symbol.package);
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// The shortest member name specific enough to be a trigger.
pub const MIN_MEMBER: usize = 5;

/// The rule IDs a set of rows can report, deduplicated, in a stable order.
pub fn rules(rows: &[&[Library]]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for v in rows.iter().flat_map(|r| r.iter()).flat_map(|r| r.verdicts) {
        if !out.contains(&v.rule.id) {
            out.push(v.rule.id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

    const ROWS: &[Library] = &[
        Library {
            symbol: Pattern {
                package: "express-session",
                path: &[],
            },
            usage: Usage::Call,
            option: Some(Opt {
                key: "store",
                position: None,
            }),
            verdicts: &[Verdict {
                when: When::Absent,
                rule: &rules::SL101,
                message: "express-session keeps sessions in its default MemoryStore",
            }],
            fix: "give it a shared store",
            name: "express-session",
        },
        Library {
            symbol: Pattern {
                package: "node-cache",
                path: &[],
            },
            usage: Usage::Construct,
            option: None,
            verdicts: &[Verdict {
                when: When::Used,
                rule: &rules::SL301,
                message: "node-cache keeps entries in this process",
            }],
            fix: "share the cache",
            name: "node-cache",
        },
    ];

    #[test]
    fn verdicts_follow_the_option() {
        let session = &ROWS[0];
        assert!(session.verdict(OptionValue::Absent).is_some());
        assert!(session.verdict(OptionValue::Known("x")).is_none());
        assert!(session.verdict(OptionValue::Unknown).is_none());
        assert!(ROWS[1].verdict(OptionValue::Unknown).is_some());
    }

    #[test]
    fn triggers_and_rules_come_from_the_rows() {
        assert_eq!(triggers(&[ROWS]), ["express-session", "node-cache"]);
        assert_eq!(rules(&[ROWS]), ["SL101", "SL301"]);
    }

    #[test]
    fn calls_and_short_members_trigger_on_the_package() {
        let row = |package, path| Library {
            symbol: Pattern { package, path },
            ..ROWS[1]
        };
        let rows = [
            row("memorystore", &["()"]),
            row("cron", &["CronJob", "from"]),
            row("cron", &["CronJob"]),
            row("lru-cache", &["LRUCache", "()"]),
        ];
        assert_eq!(
            triggers(&[&rows]),
            ["memorystore", "cron", "CronJob", "LRUCache"]
        );
    }
}
