//! SQLite as the app's own database through the Node ORMs and query builders: TypeORM
//! (`new DataSource({ type: 'sqlite' })`, NestJS `TypeOrmModule.forRoot`), Sequelize
//! (`dialect: 'sqlite'`, `sqlite:` URLs), Knex (`client: 'sqlite3'` / `better-sqlite3`).
//! In-memory databases (`:memory:`) and configs chosen by an environment branch stay silent.

use super::env::EnvBranches;
use super::evaluate;
use super::model::{JsModel, Kind};
use super::module_scope::ModuleScope;
use super::options::{Prop, head, option};
use crate::detectors::table::{self, Library, Opt, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{string_value, text};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use std::sync::LazyLock;

/// SQLite databases opened by the app's ORM.
pub struct SqliteDatabase;

const SQLITE_DRIVERS: &[&str] = &[
    "sqlite",
    "sqlite3",
    "better-sqlite3",
    "sqljs",
    "capacitor",
    "expo",
    "libsql-file",
];

const HELP: &str = "point the ORM at a database server every instance reaches (PostgreSQL, MySQL, a \
    managed service) through `DATABASE_URL`, and keep SQLite for tests and local development";

/// An ORM entry point whose connection config names its driver in `$key` (or, at the same
/// argument, as a `sqlite:` URL).
macro_rules! factory {
    ($package:literal, $path:expr, $usage:expr, $key:literal $(,)?) => {
        Library {
            symbol: Pattern {
                package: $package,
                path: $path,
            },
            usage: $usage,
            option: Some(Opt {
                key: $key,
                position: Some(0),
            }),
            verdicts: &[
                Verdict {
                    when: When::OneOf(SQLITE_DRIVERS),
                    rule: &rules::SL504,
                    message: MESSAGE,
                },
                Verdict {
                    when: When::Prefix(&["sqlite:"]),
                    rule: &rules::SL504,
                    message: MESSAGE,
                },
            ],
            fix: HELP,
            name: $package,
        }
    };
}

/// What every verdict says, after the package's name.
const MESSAGE: &str =
    "opens a SQLite database, a file on this instance's disk that other instances cannot see";

/// Constructors and factories that take a connection config.
const FACTORIES: &[Library] = &[
    factory!("typeorm", &["DataSource"], Usage::Construct, "type"),
    factory!("typeorm", &["createConnection"], Usage::Call, "type"),
    factory!(
        "@nestjs/typeorm",
        &["TypeOrmModule", "forRoot"],
        Usage::Call,
        "type"
    ),
    factory!("sequelize", &["Sequelize"], Usage::Construct, "dialect"),
    factory!("sequelize", &[], Usage::Construct, "dialect"),
    factory!(
        "sequelize-typescript",
        &["Sequelize"],
        Usage::Construct,
        "dialect"
    ),
    factory!(
        "@nestjs/sequelize",
        &["SequelizeModule", "forRoot"],
        Usage::Call,
        "dialect"
    ),
    factory!("knex", &[], Usage::Call, "client"),
    factory!("knex", &["knex"], Usage::Call, "client"),
];

/// A finding needs a SQLite driver or URL written in the file; the ORMs the rows name are in far
/// more files than SQLite is, so the triggers are the verdicts' words, not the rows' symbols.
const TRIGGERS: &[&str] = &["sqlite", "sqljs"];
static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[FACTORIES]));

impl Detector for SqliteDatabase {
    fn id(&self) -> &'static str {
        "js/sqlite-database"
    }
    fn kinds(&self) -> &'static [FileKind] {
        super::JS_KINDS
    }
    fn triggers(&self) -> &'static [&'static str] {
        TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Js(self)
    }
}

fn check_config<'t>(
    used: &evaluate::Use<'static, 't>,
    src: &'t str,
    scope: &ModuleScope<'t>,
    env: &EnvBranches,
    out: &mut Sink,
) {
    let (value, prop) = used.option(scope, src);
    let (Some(verdict), Prop::Value(driver)) = (used.row.verdict(value), prop) else {
        return;
    };
    let driver = scope.resolve(driver, src);
    // Sequelize also takes a URL: `new Sequelize('sqlite:./db.sqlite')`; a string there is
    // nothing but a URL.
    if used
        .arg(0)
        .is_some_and(|a| string_value(scope.resolve(a, src), src).is_some())
    {
        if matches!(verdict.when, When::Prefix(_)) && !text(driver, src).contains(":memory:") {
            out.push(finding(head(used.node), used.row, verdict));
        }
        return;
    }
    if env.contains(driver) {
        return;
    }
    let options = used.arg(0);
    let in_memory = ["database", "storage", "filename", "connection"]
        .iter()
        .any(|k| matches!(option(options, k, scope, src), Prop::Value(v) if text(v, src).contains(":memory:")));
    if !in_memory {
        out.push(finding(driver.byte_range(), used.row, verdict));
    }
}

impl Check<JsModel<'_>> for SqliteDatabase {
    fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
        let src = model.src;
        let scope = model.scope();
        let env = model.env();
        for node in model.nodes(&[Kind::Call, Kind::New]) {
            if let Some(used) = evaluate::find(FACTORIES, node, scope, src)
                && !env.contains(node)
            {
                check_config(&used, src, scope, env, out);
            }
        }
    }
}

fn finding(span: std::ops::Range<usize>, row: &Library, verdict: &Verdict) -> Diagnostic {
    Diagnostic::new(
        verdict.rule,
        span,
        format!("{} {}", row.name, verdict.message),
        row.fix,
    )
}

#[cfg(test)]
mod tests {
    use super::{FACTORIES, SqliteDatabase};
    use crate::detectors::js::{evaluate, run};

    #[test]
    fn rows_declare_their_rules_and_urls_and_drivers_decide() {
        evaluate::assert_rules_covered(&SqliteDatabase, &[FACTORIES]);
        let url = "const { Sequelize } = require('sequelize');\nconst a = new Sequelize('sqlite:./db.sqlite');\nconst b = new Sequelize('sqlite::memory:');\nconst c = new Sequelize({ dialect: 'sqlite', storage: './x.db' });\n";
        assert_eq!(
            run(&SqliteDatabase, "db.js", url),
            [("SL504", 2), ("SL504", 4)]
        );
    }
}
