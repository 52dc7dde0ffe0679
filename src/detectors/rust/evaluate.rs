//! The Rust family's evaluator of [`Library`] rows: how a resolved Rust symbol meets a row, and
//! which verdict applies. A row names an item by its crate and its last path members
//! (`moka` `[Cache]`, `tide` `[sessions, MemoryStore]`); the modules in between are free, since
//! crates re-export their items at several depths (`moka::sync::Cache`, `moka::future::Cache`).
//! - [`Usage::Call`], [`Usage::Decorate`], [`Usage::Extend`], [`Usage::Name`]: the symbol ends
//!   with the row's path (the function called, the attribute, the trait, the type named).
//! - [`Usage::Construct`]: the symbol is the type (a struct literal, a type annotation) or one of
//!   its associated functions (`Cache::builder`, `Connection::open`). Which function is called
//!   is the row's [`CONSTRUCTOR`] option: `Connection::open` keeps a database on disk,
//!   `Connection::open_in_memory` does not.
//!
//! Other options (a builder's time-to-live, a session cache's slot) are read by the detector's
//! own analysis and handed to [`verdict`].

use crate::detectors::table::{Library, Opt, OptionValue, Pattern, Usage, Verdict};
use crate::diagnostic::Diagnostic;
use crate::project::symbol::Symbol;
use std::sync::{LazyLock, Mutex};

/// The option of a [`Usage::Construct`] row that is the associated function called on the type
/// (absent when the type is only named or built with a struct literal).
pub const CONSTRUCTOR: Opt = Opt {
    key: "::",
    position: None,
};

/// A row for `package::…::path`, otherwise like `like` (its usage, option, verdicts, fix, name).
pub const fn row(package: &'static str, path: &'static [&'static str], like: Library) -> Library {
    Library {
        symbol: Pattern { package, path },
        ..like
    }
}

/// What follows a row's path in a symbol that it matches: nothing, or (for a constructed type)
/// the associated function. `None` when the row does not match.
fn follows<'s>(row: &Library, symbol: &'s Symbol) -> Option<Option<&'s str>> {
    if symbol.package != row.symbol.package {
        return None;
    }
    follows_path(row, &symbol.path)
}

/// [`follows`] on the members below the package only (the package may still be renamed).
fn follows_path<'s>(row: &Library, members: &'s [String]) -> Option<Option<&'s str>> {
    let path = row.symbol.path;
    let ends_with = |members: &[String]| {
        members.len() >= path.len() && members[members.len() - path.len()..] == *path
    };
    if ends_with(members) {
        return Some(None);
    }
    let (last, before) = members.split_last()?;
    (row.usage == Usage::Construct && ends_with(before)).then_some(Some(last.as_str()))
}

/// The first row that `symbol` matches and whose verdict applies, with that verdict. The
/// [`CONSTRUCTOR`] option is read from the symbol; `option` reads any other.
pub fn verdict<'r>(
    rows: &'r [Library],
    symbol: &Symbol,
    mut option: impl FnMut(&Opt) -> OptionValue<'static>,
) -> Option<(&'r Library, &'static Verdict)> {
    rows.iter().find_map(|row| {
        let function = follows(row, symbol)?;
        let value = match row.option {
            None => OptionValue::Absent,
            Some(CONSTRUCTOR) => function.map_or(OptionValue::Absent, OptionValue::Known),
            Some(opt) => option(&opt),
        };
        Some((row, row.verdict(value)?))
    })
}

/// Whether a symbol written in a file may name one of the rows' items once its crate is known
/// (the crate may be renamed in the manifest), or is a `crate::` path that a re-export may turn
/// into one: the cheap test before a path is recorded for [`super::crates::Crates::resolve`].
pub fn may_name(rows: &[&[Library]], symbol: &Symbol) -> bool {
    symbol.package == "crate"
        || rows
            .iter()
            .flat_map(|r| r.iter())
            .any(|row| follows_path(row, &symbol.path).is_some())
}

/// A verdict's message with its `{placeholders}` filled: `{name}` is the row's name, the others
/// come from the detector (`{binding}`, `{how}` …).
pub fn message(row: &Library, verdict: &Verdict, values: &[(&str, &str)]) -> String {
    let mut out = verdict.message.replace("{name}", row.name);
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

/// The diagnostic of a row's verdict at `span`, its message filled with `values` and its help the
/// row's fix.
pub fn diagnostic(
    row: &Library,
    verdict: &'static Verdict,
    span: std::ops::Range<usize>,
    values: &[(&str, &str)],
) -> Diagnostic {
    Diagnostic::new(verdict.rule, span, message(row, verdict, values), row.fix)
}

/// The `(`name`)` a message gives a value bound to a variable, field or static, or nothing.
pub fn binding(name: Option<&str>) -> String {
    name.map(|n| format!(" (`{n}`)")).unwrap_or_default()
}

/// The prefilter triggers of Rust rows ([`trigger`] of each), deduplicated, in row order.
pub fn triggers(rows: &[&[Library]]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for word in rows.iter().flat_map(|r| r.iter()).map(trigger) {
        if !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// The prefilter trigger of a Rust row: its longest path member. A Rust file spells every member
/// of a path it names (in the path or in its `use`), so any member will do, and the last one
/// (what [`table::triggers`] takes) is often a function name found in most files (`spawn`,
/// `channel`) where the member before it (`broadcast`) is rare. A type only some of whose
/// functions build the state is called as `Type::function`: `Key::` and `Connection::` are in
/// far fewer files than `Key` and `Connection`.
///
/// [`table::triggers`]: crate::detectors::table::triggers
pub fn trigger(row: &Library) -> &'static str {
    static CALLED: LazyLock<Mutex<Vec<&'static str>>> = LazyLock::new(Mutex::default);
    let word = row
        .symbol
        .path
        .iter()
        .copied()
        .max_by_key(|m| m.len())
        .unwrap_or(row.symbol.package);
    if row.option != Some(CONSTRUCTOR) {
        return word;
    }
    let called = format!("{word}::");
    // A handful of words, each leaked once for the process (triggers are `&'static`).
    let mut known = CALLED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&w) = known.iter().find(|w| **w == called) {
        return w;
    }
    let leaked: &'static str = Box::leak(called.into_boxed_str());
    known.push(leaked);
    leaked
}

/// Checks that a detector's rows are covered by its triggers (some trigger occurs in the crate
/// name or in a path member, so every file naming the item contains one) and that it declares
/// every rule its rows report; the message names what is missing.
#[cfg(test)]
pub fn check_rows(rows: &[&[Library]], triggers: &[&str], rules: &[&str]) -> Result<(), String> {
    for row in rows.iter().flat_map(|r| r.iter()) {
        let Pattern { package, path } = row.symbol;
        let covered = triggers.contains(&trigger(row))
            || triggers
                .iter()
                .any(|t| package.contains(t) || path.iter().any(|m| m.contains(t)));
        if !covered {
            return Err(format!("{package}::{} has no trigger", path.join("::")));
        }
        for v in row.verdicts {
            if !rules.contains(&v.rule.id) {
                return Err(format!("{} is not among the rules", v.rule.id));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::table::When;
    use crate::rules;

    const OPEN: Library = Library {
        symbol: Pattern {
            package: "rusqlite",
            path: &["Connection"],
        },
        usage: Usage::Construct,
        option: Some(CONSTRUCTOR),
        verdicts: &[Verdict {
            when: When::OneOf(&["open"]),
            rule: &rules::SL504,
            message: "{name}{binding} keeps the database on disk",
        }],
        fix: "use a server",
        name: "rusqlite `Connection::open`",
    };
    const SPAWN: Library = Library {
        symbol: Pattern {
            package: "tokio",
            path: &["spawn"],
        },
        usage: Usage::Call,
        option: None,
        verdicts: &[Verdict {
            when: When::Used,
            rule: &rules::SL501,
            message: "spawned",
        }],
        fix: "",
        name: "tokio::spawn",
    };

    fn sym(p: &str) -> Symbol {
        Symbol::split(p, "::")
    }

    #[test]
    fn rows_match_through_modules_and_constructors() {
        let rows = [OPEN, SPAWN];
        let found =
            |p: &str| verdict(&rows, &sym(p), |_| OptionValue::Unknown).map(|(r, _)| r.name);
        assert_eq!(found("rusqlite::Connection::open"), Some(OPEN.name));
        assert_eq!(found("rusqlite::x::Connection::open"), Some(OPEN.name));
        assert_eq!(found("rusqlite::Connection::open_in_memory"), None);
        assert_eq!(found("rusqlite::Connection"), None, "named, not opened");
        assert_eq!(found("other::Connection::open"), None);
        assert_eq!(found("tokio::task::spawn"), Some(SPAWN.name));
        assert_eq!(
            found("tokio::spawn::inner"),
            None,
            "a call row is the function"
        );
        assert!(may_name(&[&rows], &sym("sqlite::Connection::open")));
        assert!(may_name(&[&rows], &sym("crate::state::Db")));
        assert!(!may_name(&[&rows], &sym("std::fs::write")));
    }

    #[test]
    fn messages_fill_placeholders() {
        let v = &OPEN.verdicts[0];
        let text = message(&OPEN, v, &[("binding", &binding(Some("db")))]);
        assert_eq!(
            text,
            "rusqlite `Connection::open` (`db`) keeps the database on disk"
        );
        assert!(check_rows(&[&[OPEN]], &["Connection::"], &["SL504"]).is_ok());
        let call = Library {
            symbol: Pattern {
                package: "tokio",
                path: &["sync", "broadcast", "channel"],
            },
            ..SPAWN
        };
        assert_eq!(
            triggers(&[&[OPEN, call, OPEN]]),
            ["Connection::", "broadcast"]
        );
        assert!(check_rows(&[&[OPEN]], &["Pool"], &["SL504"]).is_err());
        assert!(check_rows(&[&[OPEN]], &["Connection"], &["SL101"]).is_err());
    }
}
