//! SQLite as the app's own database through the Node ORMs and query builders: TypeORM
//! (`new DataSource({ type: 'sqlite' })`, NestJS `TypeOrmModule.forRoot`), Sequelize
//! (`dialect: 'sqlite'`, `sqlite:` URLs), Knex (`client: 'sqlite3'` / `better-sqlite3`).
//! In-memory databases (`:memory:`) and configs chosen by an environment branch stay silent.

use super::env::EnvBranches;
use super::model::JsModel;
use super::module_scope::ModuleScope;
use super::options::{Prop, arg, head, invoked, option};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{preorder, string_value, text};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use tree_sitter::Node;

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

/// Constructors and factories that take a connection config: (module, member path, option key,
/// index of the options argument).
const FACTORIES: &[(&str, &[&str], &str, usize)] = &[
    ("typeorm", &["DataSource"], "type", 0),
    ("typeorm", &["createConnection"], "type", 0),
    ("@nestjs/typeorm", &["TypeOrmModule", "forRoot"], "type", 0),
    ("sequelize", &["Sequelize"], "dialect", 0),
    ("sequelize", &[], "dialect", 0),
    ("sequelize-typescript", &["Sequelize"], "dialect", 0),
    (
        "@nestjs/sequelize",
        &["SequelizeModule", "forRoot"],
        "dialect",
        0,
    ),
    ("knex", &[], "client", 0),
    ("knex", &["knex"], "client", 0),
];

impl Detector for SqliteDatabase {
    fn id(&self) -> &'static str {
        "js/sqlite-database"
    }
    fn kinds(&self) -> &'static [FileKind] {
        super::JS_KINDS
    }
    fn triggers(&self) -> &'static [&'static str] {
        &["sqlite", "sqljs"]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL504"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Js(self)
    }
}

fn check_config<'t>(
    call: Node<'t>,
    options: Option<Node<'t>>,
    (module, key): (&str, &str),
    src: &str,
    scope: &ModuleScope<'t>,
    env: &EnvBranches<'t, '_>,
    out: &mut Sink,
) {
    // Sequelize also takes a URL: `new Sequelize('sqlite:./db.sqlite')`.
    if let Some(first) = options.map(|o| scope.resolve(o, src))
        && let Some(url) = string_value(first, src)
    {
        if url.starts_with("sqlite:") && !url.contains(":memory:") {
            out.push(finding(head(call), module));
        }
        return;
    }
    let Prop::Value(driver) = option(options, key, scope, src) else {
        return;
    };
    let driver = scope.resolve(driver, src);
    let Some(name) = string_value(driver, src) else {
        return;
    };
    if !SQLITE_DRIVERS.contains(&name) || env.contains(driver) {
        return;
    }
    let in_memory = ["database", "storage", "filename", "connection"]
        .iter()
        .any(|k| matches!(option(options, k, scope, src), Prop::Value(v) if text(v, src).contains(":memory:")));
    if !in_memory {
        out.push(finding(driver.byte_range(), module));
    }
}

impl Check<JsModel<'_>> for SqliteDatabase {
    fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
        let _file = model.file;
        let src = model.src;
        let root = model.root;
        let scope = model.scope();
        let env = &model.env;
        preorder(root, |node| {
            let target = invoked(node);
            if let Some(target) = target
                && let Some(origin) = scope.origin(target, src)
            {
                let path = origin.path();
                if let Some((module, _, key, n)) = FACTORIES
                    .iter()
                    .find(|(m, p, _, _)| *m == origin.package && *p == path.as_slice())
                    && !env.contains(node)
                {
                    check_config(node, arg(node, *n), (module, key), src, scope, env, out);
                }
            }
            true
        });
    }
}

fn finding(span: std::ops::Range<usize>, module: &str) -> Diagnostic {
    Diagnostic::new(
        &rules::SL504,
        span,
        format!(
            "{module} opens a SQLite database, a file on this instance's disk that other instances cannot see"
        ),
        HELP,
    )
}
