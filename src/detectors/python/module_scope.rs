//! What a reader of one Python module follows: which local names are bound to which imported
//! module or attribute (`import a.b as c`, `from x import y as z`), what a module-level name
//! holds (last assignment wins, as at import time), and what a configuration value evaluates to
//! when it is read from the environment with a default (`os.environ.get("X", "d")`,
//! `os.getenv`, django-environ `env("X", default=…)`, python-decouple `config("X", default=…)`).
//! Module level includes `if`/`try`/`with` blocks at the top, not function or class bodies.

use crate::detectors::table::{Library, Usage, Verdict, When};
use crate::parse::python::{preorder, string_value, text};
use crate::project::symbol::Symbol;
use crate::rules;
use std::collections::HashMap;
use tree_sitter::Node;

/// A module-level `NAME = value` (or `NAME: T = value`).
#[derive(Debug, Clone, Copy)]
pub struct Assignment<'t> {
    /// The whole assignment (its span is what a finding points at).
    pub node: Node<'t>,
    /// The assigned value.
    pub value: Node<'t>,
    /// Inside an `if DEBUG:` / `if "test" in sys.argv:` block: development only.
    pub dev_only: bool,
}

/// A statement at module level, in source order.
#[derive(Debug, Clone)]
pub enum Statement<'t> {
    /// `from m import *` (module as written, relative dots kept).
    StarImport(String, Node<'t>),
    /// `NAME = value`.
    Assign(String, Assignment<'t>),
    /// `NAME["key"] = value`.
    AssignItem(String, String, Assignment<'t>),
}

#[cfg(test)]
thread_local! {
    /// Module scopes built on this thread (the model builds one per file, whatever reads it).
    pub(crate) static BUILT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Facts about one module, gathered in one pass over its top-level statements.
#[derive(Debug, Default)]
pub struct ModuleScope<'t> {
    /// Local name → the symbol it stands for (`cache` → `django` / `core.cache.cache`).
    imports: HashMap<String, Symbol>,
    /// Module-level statements that matter for configuration, in source order.
    pub statements: Vec<Statement<'t>>,
    /// Last module-level assignment of each name.
    values: HashMap<String, Assignment<'t>>,
    /// Names holding a django-environ / environs `Env()` object.
    env_objects: Vec<String>,
}

/// A configuration value as the program computes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string known statically.
    Str(String),
    /// Read from an environment variable; `default` is what it is without one.
    Env {
        /// The variable.
        var: String,
        /// The default, when it is a known string.
        default: Option<String>,
    },
    /// Anything else.
    Unknown,
}

impl Value {
    /// The effective string: the literal, or the default of an environment read.
    pub fn effective(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Env { default, .. } => default.as_deref(),
            Value::Unknown => None,
        }
    }

    /// Words for a message: "is `x`" or "defaults to `x` when `VAR` is unset".
    pub fn describe(&self) -> String {
        match self {
            Value::Str(s) => format!("is `{s}`"),
            Value::Env {
                var,
                default: Some(d),
            } => format!("defaults to `{d}` when the environment variable `{var}` is unset"),
            _ => "is not known".to_owned(),
        }
    }

    /// A clause to append when the value comes from an environment default, else "".
    pub fn env_note(&self) -> String {
        match self {
            Value::Env {
                var,
                default: Some(_),
            } => format!(" (the default used when the environment variable `{var}` is unset)"),
            _ => String::new(),
        }
    }
}

/// Whether an `if` condition selects development or test runs (`DEBUG`, `TESTING`, `"test" in
/// sys.argv`, `ENV == "dev"`), not production.
fn dev_condition(condition: &str) -> bool {
    let c = condition.trim();
    if c.starts_with("not ") || c.contains("!=") {
        return false;
    }
    crate::role::names_non_production(c)
}

/// Builds a [`ModuleScope`] from the nodes of the model's one walk, in document order: each
/// node comes with whether its parent is a module-level block (and of a development branch).
pub struct ScopeBuilder<'t> {
    scope: ModuleScope<'t>,
    /// Bodies of module-level `if` / `try` / `with` statements not visited yet, the next one to
    /// be met on top (bodies are met in document order, nested ones before later siblings).
    pending: Vec<(usize, bool)>,
}

impl<'t> Default for ScopeBuilder<'t> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'t> ScopeBuilder<'t> {
    /// An empty builder.
    pub fn new() -> Self {
        #[cfg(test)]
        BUILT.with(|n| n.set(n.get() + 1));
        ScopeBuilder {
            scope: ModuleScope::default(),
            pending: Vec::new(),
        }
    }

    /// Takes the next node of the walk; `parent` is `Some(dev_only)` when the node's parent is a
    /// module-level block. Returns the same for the node itself, for its children.
    pub fn visit(&mut self, node: Node<'t>, parent: Option<bool>, source: &str) -> Option<bool> {
        if let Some(dev_only) = parent
            && node.is_named()
        {
            self.statement(node, source, dev_only);
        }
        match self.pending.last() {
            Some(&(id, dev_only)) if id == node.id() => {
                self.pending.pop();
                Some(dev_only)
            }
            _ => None,
        }
    }

    /// The scope of the module walked.
    pub fn finish(self) -> ModuleScope<'t> {
        self.scope
    }

    /// A statement of a module-level block: compound statements leave their bodies pending,
    /// to be read as the walk reaches them.
    fn statement(&mut self, stmt: Node<'t>, source: &str, dev_only: bool) {
        let mut bodies: Vec<(Node<'t>, bool)> = Vec::new();
        match stmt.kind() {
            "import_statement" => self.scope.import(stmt, source),
            "import_from_statement" => self.scope.import_from(stmt, source),
            "expression_statement" => {
                if let Some(a) = stmt.named_child(0).filter(|a| a.kind() == "assignment") {
                    self.scope.assignment(stmt, a, source, dev_only);
                }
            }
            "if_statement" => {
                let condition = stmt
                    .child_by_field_name("condition")
                    .map(|c| text(c, source).trim())
                    .unwrap_or_default();
                let dev = dev_condition(condition);
                // `if not DEBUG: … else: …`: the else branch is the development one.
                let negated_dev = condition.strip_prefix("not ").is_some_and(dev_condition);
                if let Some(body) = stmt.child_by_field_name("consequence") {
                    bodies.push((body, dev_only || dev));
                }
                let mut c = stmt.walk();
                for alt in stmt.children_by_field_name("alternative", &mut c) {
                    // `else:` of a development condition is the production branch.
                    let dev_alt = match alt.kind() {
                        "elif_clause" => alt
                            .child_by_field_name("condition")
                            .is_some_and(|c| dev_condition(text(c, source))),
                        _ => negated_dev,
                    };
                    if let Some(body) = alt.child_by_field_name("consequence").or_else(|| {
                        alt.child_by_field_name("body")
                            .or_else(|| alt.named_child(alt.named_child_count().saturating_sub(1)))
                    }) {
                        bodies.push((body, dev_only || dev_alt));
                    }
                }
            }
            "try_statement" | "with_statement" => {
                if let Some(body) = stmt.child_by_field_name("body") {
                    bodies.push((body, dev_only));
                }
                let mut c = stmt.walk();
                for clause in stmt
                    .named_children(&mut c)
                    .filter(|n| n.kind() == "else_clause")
                {
                    if let Some(body) = clause.child_by_field_name("body") {
                        bodies.push((body, dev_only));
                    }
                }
            }
            // A bare block is met right after: it is its own body.
            "block" => bodies.push((stmt, dev_only)),
            _ => {}
        }
        self.pending
            .extend(bodies.into_iter().rev().map(|(n, dev)| (n.id(), dev)));
    }
}

impl<'t> ModuleScope<'t> {
    /// Gathers the scope facts of a module (in the model's one walk; for code holding only a tree).
    pub fn new(root: Node<'t>, source: &str) -> Self {
        super::model::walk(root, source).0
    }

    fn import(&mut self, stmt: Node<'t>, source: &str) {
        let mut cursor = stmt.walk();
        for name in stmt.children_by_field_name("name", &mut cursor) {
            match name.kind() {
                "dotted_name" => {
                    // `import a.b` binds `a`, which is the module `a`.
                    let full = text(name, source);
                    let first = full.split('.').next().unwrap_or(full);
                    self.imports
                        .insert(first.to_owned(), Symbol::new(first, Vec::new()));
                }
                "aliased_import" => {
                    if let (Some(n), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) {
                        self.imports.insert(
                            text(alias, source).to_owned(),
                            Symbol::split(text(n, source), "."),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn import_from(&mut self, stmt: Node<'t>, source: &str) {
        let Some(module) = stmt.child_by_field_name("module_name") else {
            return;
        };
        let module = text(module, source);
        let mut cursor = stmt.walk();
        if stmt
            .named_children(&mut cursor)
            .any(|c| c.kind() == "wildcard_import")
        {
            self.statements
                .push(Statement::StarImport(module.to_owned(), stmt));
            return;
        }
        let mut cursor = stmt.walk();
        for name in stmt.children_by_field_name("name", &mut cursor) {
            let (n, local) = match name.kind() {
                "dotted_name" => (name, name),
                "aliased_import" => match (
                    name.child_by_field_name("name"),
                    name.child_by_field_name("alias"),
                ) {
                    (Some(n), Some(a)) => (n, a),
                    _ => continue,
                },
                _ => continue,
            };
            // Relative modules keep their dots in the package (`.extensions`): the detector
            // that links modules resolves them against the importing file.
            let mut full = Symbol::split(module, ".");
            if module.starts_with('.') {
                let dots = module.len() - module.trim_start_matches('.').len();
                full = Symbol::split(&module[dots..], ".");
                full.package.insert_str(0, &module[..dots]);
            }
            let name = Symbol::split(text(n, source), ".");
            full.path.push(name.package);
            full.path.extend(name.path);
            self.imports.insert(text(local, source).to_owned(), full);
        }
    }

    fn assignment(&mut self, stmt: Node<'t>, a: Node<'t>, source: &str, dev_only: bool) {
        let (Some(left), Some(value)) = (
            a.child_by_field_name("left"),
            a.child_by_field_name("right"),
        ) else {
            return;
        };
        let assignment = Assignment {
            node: stmt,
            value,
            dev_only,
        };
        match left.kind() {
            "identifier" => {
                let name = text(left, source).to_owned();
                self.imports.remove(&name);
                if self.callee(value, source).is_some_and(|c| {
                    c.is("environ", &["Env"])
                        || c.is("environs", &["Env"])
                        || c.is("environ", &["FileAwareEnv"])
                }) {
                    self.env_objects.push(name.clone());
                }
                if !dev_only {
                    self.values.insert(name.clone(), assignment);
                }
                self.statements.push(Statement::Assign(name, assignment));
            }
            "subscript" => {
                let (Some(object), Some(key)) = (
                    left.child_by_field_name("value"),
                    left.child_by_field_name("subscript"),
                ) else {
                    return;
                };
                if object.kind() == "identifier"
                    && let Some(key) = string_value(key, source)
                {
                    self.statements.push(Statement::AssignItem(
                        text(object, source).to_owned(),
                        key,
                        assignment,
                    ));
                }
            }
            _ => {}
        }
    }

    /// The value a module-level name holds (its last production assignment).
    pub fn value_of(&self, name: &str) -> Option<Node<'t>> {
        self.values.get(name).map(|a| a.value)
    }

    /// Follows module-level names to the expression they hold (a few hops at most).
    pub fn resolve(&self, mut node: Node<'t>, source: &str) -> Node<'t> {
        for _ in 0..4 {
            match node.kind() {
                "identifier" => match self.value_of(text(node, source)) {
                    Some(v) if v != node => node = v,
                    _ => return node,
                },
                "parenthesized_expression" => match node.named_child(0) {
                    Some(inner) => node = inner,
                    None => return node,
                },
                _ => return node,
            }
        }
        node
    }

    /// The symbol an expression names, with imported names expanded:
    /// `cache.get` → `django` / `core.cache.cache.get` after `from django.core.cache import
    /// cache`. Names that are not imported stay as written (a local `app` is package `app`).
    pub fn qualified(&self, node: Node<'_>, source: &str) -> Option<Symbol> {
        match node.kind() {
            "identifier" => {
                let name = text(node, source);
                Some(
                    self.imports
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| Symbol::new(name, Vec::new())),
                )
            }
            "attribute" => {
                let object = node.child_by_field_name("object")?;
                let attr = node.child_by_field_name("attribute")?;
                let mut symbol = self.qualified(object, source)?;
                symbol.path.push(text(attr, source).to_owned());
                Some(symbol)
            }
            "parenthesized_expression" => self.qualified(node.named_child(0)?, source),
            _ => None,
        }
    }

    /// The symbol of what a call calls.
    pub fn callee(&self, call: Node<'_>, source: &str) -> Option<Symbol> {
        if call.kind() != "call" {
            return None;
        }
        self.qualified(call.child_by_field_name("function")?, source)
    }

    /// Whether `local` is bound to the module `module` (`import schedule`, `import schedule as s`).
    pub fn imports_module(&self, local: &str, module: &str) -> bool {
        self.imports.get(local).is_some_and(|m| m.is(module, &[]))
    }

    /// Whether a local name is bound to an import of one of `prefixes` (dotted, e.g.
    /// `django.core.cache`) or something inside it.
    pub fn imports_from(&self, prefixes: &[&str]) -> bool {
        let prefixes: Vec<Symbol> = prefixes.iter().map(|p| Symbol::split(p, ".")).collect();
        self.imports.values().any(|full| {
            prefixes
                .iter()
                .any(|p| full.starts_with(&p.package, &p.path()))
        })
    }

    /// Evaluates a configuration value: a string, a name holding one, or an environment read with
    /// a default.
    pub fn eval(&self, node: Node<'t>, source: &str) -> Value {
        let node = self.resolve(node, source);
        if let Some(s) = string_value(node, source) {
            return Value::Str(s);
        }
        match node.kind() {
            // "sqlite:///" + path, f"sqlite:///{path}": the known parts, unknown ones as "…"
            // (enough to judge a scheme or a prefix).
            "binary_operator"
                if node
                    .child_by_field_name("operator")
                    .is_some_and(|o| text(o, source) == "+") =>
            {
                let left = node.child_by_field_name("left");
                match left.map(|l| self.eval(l, source)) {
                    Some(Value::Str(prefix)) if prefix.ends_with('…') => Value::Str(prefix),
                    Some(Value::Str(prefix)) => Value::Str(format!("{prefix}…")),
                    _ => Value::Unknown,
                }
            }
            "string" => {
                let raw = text(node, source);
                let body = raw.trim_start_matches(|c: char| c.is_ascii_alphabetic());
                let body = body.trim_matches(|c| c == '"' || c == '\'');
                let mut out = String::new();
                let mut depth = 0usize;
                for c in body.chars() {
                    match c {
                        '{' => {
                            if depth == 0 && !out.ends_with('…') {
                                out.push('…');
                            }
                            depth += 1;
                        }
                        '}' => depth = depth.saturating_sub(1),
                        c if depth == 0 => out.push(c),
                        _ => {}
                    }
                }
                Value::Str(out)
            }
            "call" => match self.string_method_of_env(node, source) {
                Some(value) => value,
                None => self.eval_env_call(node, source),
            },
            "subscript" => {
                // os.environ["X"]: required, no default.
                let object = node.child_by_field_name("value");
                let key = node.child_by_field_name("subscript");
                match (object, key) {
                    (Some(o), Some(k))
                        if self
                            .qualified(o, source)
                            .is_some_and(|q| q.is("os", &["environ"])) =>
                    {
                        match string_value(k, source) {
                            Some(var) => Value::Env { var, default: None },
                            None => Value::Unknown,
                        }
                    }
                    _ => Value::Unknown,
                }
            }
            // `os.environ.get("X") or "default"`.
            "boolean_operator" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| text(o, source));
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return Value::Unknown;
                };
                // An empty default is falsy too: `os.environ.get("X", "") or "default"`.
                match (op, self.eval(left, source), self.eval(right, source)) {
                    (Some("or"), Value::Env { var, default }, Value::Str(d))
                        if default.as_deref().is_none_or(str::is_empty) =>
                    {
                        Value::Env {
                            var,
                            default: Some(d),
                        }
                    }
                    _ => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }
    }

    /// `os.environ.get("X", "").replace("postgres://", "postgresql://")`: a string method on an
    /// environment read is still that read, as long as its default is missing or empty (the
    /// method leaves an empty string empty).
    fn string_method_of_env(&self, call: Node<'t>, source: &str) -> Option<Value> {
        let function = call.child_by_field_name("function")?;
        if function.kind() != "attribute" {
            return None;
        }
        let method = text(function.child_by_field_name("attribute")?, source);
        if !matches!(
            method,
            "replace"
                | "strip"
                | "lstrip"
                | "rstrip"
                | "lower"
                | "upper"
                | "removeprefix"
                | "removesuffix"
        ) {
            return None;
        }
        match self.eval(function.child_by_field_name("object")?, source) {
            Value::Env { var, default } if default.as_deref().is_none_or(str::is_empty) => {
                Some(Value::Env { var, default })
            }
            _ => None,
        }
    }

    fn eval_env_call(&self, call: Node<'t>, source: &str) -> Value {
        let Some(callee) = self.callee(call, source) else {
            return Value::Unknown;
        };
        let Some(args) = call.child_by_field_name("arguments") else {
            return Value::Unknown;
        };
        let mut cursor = args.walk();
        let all: Vec<Node<'t>> = args.named_children(&mut cursor).collect();
        let positional: Vec<Node<'t>> = all
            .iter()
            .copied()
            .filter(|a| a.kind() != "keyword_argument")
            .collect();
        let keyword = |name: &str| {
            all.iter().copied().find_map(|a| {
                (a.kind() == "keyword_argument"
                    && a.child_by_field_name("name")
                        .is_some_and(|n| text(n, source) == name))
                .then(|| a.child_by_field_name("value"))
                .flatten()
            })
        };
        let os_reader = callee.is("os", &["environ", "get"])
            || callee.is("os", &["getenv"])
            || callee.is("os", &["environ", "setdefault"])
            || callee.is("decouple", &["config"]);
        let positional_default = match os_reader {
            true => true,
            // An `Env()` object is a local name: matched as written.
            false => match self.environ_reader(&callee.joined(".")) {
                Some(p) => p,
                None => return Value::Unknown,
            },
        };
        let Some(var) = positional.first().and_then(|v| string_value(*v, source)) else {
            return Value::Unknown;
        };
        let default_node = keyword("default").or_else(|| {
            positional_default
                .then(|| positional.get(1).copied())
                .flatten()
        });
        let default = match default_node.map(|d| self.eval(d, source)) {
            Some(Value::Str(d)) => Some(d),
            _ => None,
        };
        Value::Env { var, default }
    }

    /// django-environ / environs: `env = environ.Env(…)`, then `env("X", default=…)` or a typed
    /// reader `env.str("X", "d")`, `env.db(…)`, `env.cache(…)`. Returns whether a second
    /// positional argument is the default (it is the cast for `env(…)` itself).
    fn environ_reader(&self, callee: &str) -> Option<bool> {
        if self.env_objects.iter().any(|e| e == callee) {
            return Some(false);
        }
        let (object, method) = callee.rsplit_once('.')?;
        let readers = [
            "str",
            "db",
            "db_url",
            "cache",
            "cache_url",
            "url",
            "bool",
            "int",
            "email_url",
        ];
        (readers.contains(&method) && self.env_objects.iter().any(|e| e == object)).then_some(true)
    }
}

/// The keyword argument `name` of a call.
pub fn keyword_arg<'t>(call: Node<'t>, name: &str, source: &str) -> Option<Node<'t>> {
    let args = call.child_by_field_name("arguments")?;
    let mut cursor = args.walk();
    args.named_children(&mut cursor).find_map(|a| {
        (a.kind() == "keyword_argument"
            && a.child_by_field_name("name")
                .is_some_and(|n| text(n, source) == name))
        .then(|| a.child_by_field_name("value"))
        .flatten()
    })
}

/// The `i`th positional argument of a call.
pub fn positional_arg(call: Node<'_>, i: usize) -> Option<Node<'_>> {
    let args = call.child_by_field_name("arguments")?;
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|a| {
            !matches!(
                a.kind(),
                "keyword_argument" | "list_splat" | "dictionary_splat"
            )
        })
        .nth(i)
}

/// The entries of a dict literal `{"k": v}` or `dict(k=v)` whose keys are known strings.
pub fn dict_entries<'t>(node: Node<'t>, source: &str) -> Option<Vec<(String, Node<'t>)>> {
    let mut out = Vec::new();
    match node.kind() {
        "dictionary" => {
            let mut cursor = node.walk();
            for pair in node.named_children(&mut cursor) {
                if pair.kind() != "pair" {
                    continue;
                }
                if let (Some(k), Some(v)) = (
                    pair.child_by_field_name("key"),
                    pair.child_by_field_name("value"),
                ) && let Some(k) = string_value(k, source)
                {
                    out.push((k, v));
                }
            }
        }
        "call"
            if node
                .child_by_field_name("function")
                .is_some_and(|f| text(f, source) == "dict") =>
        {
            let args = node.child_by_field_name("arguments")?;
            let mut cursor = args.walk();
            for a in args.named_children(&mut cursor) {
                if a.kind() == "keyword_argument"
                    && let (Some(k), Some(v)) = (
                        a.child_by_field_name("name"),
                        a.child_by_field_name("value"),
                    )
                {
                    out.push((text(k, source).to_owned(), v));
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

/// A key made with a random source differs in every process (the detectors that judge a secret
/// key write the message; the row's name is what they call the source).
const RANDOM_KEY: &[Verdict] = &[Verdict {
    when: When::Used,
    rule: &rules::SL505,
    message: "returns a fresh random value in every process",
}];

const fn random(
    package: &'static str,
    path: &'static [&'static str],
    name: &'static str,
) -> Library {
    super::evaluate::library(
        (package, path),
        Usage::Call,
        None,
        RANDOM_KEY,
        "read one key shared by every instance from the environment or a secret manager",
        name,
    )
}

/// Functions that return a fresh random value on every call: a key made with one differs in
/// every process.
pub const RANDOM_SOURCES: &[Library] = &[
    random("os", &["urandom"], "os.urandom"),
    random("secrets", &["token_hex"], "secrets.token_hex"),
    random("secrets", &["token_urlsafe"], "secrets.token_urlsafe"),
    random("secrets", &["token_bytes"], "secrets.token_bytes"),
    random("secrets", &["randbits"], "secrets.randbits"),
    random("uuid", &["uuid4"], "uuid.uuid4"),
    random("uuid", &["uuid1"], "uuid.uuid1"),
    // Django's helpers are known by their own names.
    random(
        "django",
        &["core", "management", "utils", "get_random_secret_key"],
        "get_random_secret_key",
    ),
    random(
        "django",
        &["utils", "crypto", "get_random_string"],
        "get_random_string",
    ),
    random(
        "Crypto",
        &["Random", "get_random_bytes"],
        "Crypto.Random.get_random_bytes",
    ),
    random("nacl", &["utils", "random"], "nacl.utils.random"),
    random(
        "cryptography",
        &["fernet", "Fernet", "generate_key"],
        "cryptography.fernet.Fernet.generate_key",
    ),
    // `"".join(random.choice(chars) for _ in range(50))`: random per process all the same.
    random("random", &["choice"], "random.choice"),
    random("random", &["choices"], "random.choices"),
    random("random", &["sample"], "random.sample"),
    random("random", &["randbytes"], "random.randbytes"),
    random("random", &["getrandbits"], "random.getrandbits"),
    random("secrets", &["choice"], "secrets.choice"),
];

/// Methods of a `random.SystemRandom()` / `random.Random()` instance that draw a key.
const RANDOM_METHODS: &[&str] = &["choice", "choices", "sample", "randbytes", "getrandbits"];

/// The random source a value is computed from (`os.urandom(24)`, `secrets.token_hex(32)`,
/// `str(uuid.uuid4())`, `get_random_secret_key()`), searched through wrapping calls.
pub fn random_source(scope: &ModuleScope<'_>, value: Node<'_>, source: &str) -> Option<String> {
    let mut found = None;
    preorder(value, |n| {
        if found.is_some() {
            return false;
        }
        // A lambda or function is not called here.
        if matches!(n.kind(), "lambda" | "function_definition") {
            return false;
        }
        // `random.SystemRandom().choice(chars)`: a method of a generator made on the spot.
        if let Some(function) = n
            .child_by_field_name("function")
            .filter(|f| n.kind() == "call" && f.kind() == "attribute")
            && let (Some(object), Some(method)) = (
                function.child_by_field_name("object"),
                function.child_by_field_name("attribute"),
            )
            && RANDOM_METHODS.contains(&text(method, source))
            && let Some(class) = scope.callee(object, source)
            && (class.is("random", &["SystemRandom"]) || class.is("random", &["Random"]))
        {
            found = Some(format!("{class}().{}", text(method, source)));
            return false;
        }
        if let Some(callee) = scope.callee(n, source)
            && let Some(row) = super::evaluate::row(RANDOM_SOURCES, Usage::Call, &callee)
        {
            found = Some(row.name.to_owned());
            return false;
        }
        true
    });
    found
}

/// The dotted module of a file path: `shop/settings/prod.py` → `shop.settings.prod`,
/// `shop/settings/__init__.py` → `shop.settings`.
pub fn module_path(rel_path: &str) -> String {
    let stem = rel_path
        .strip_suffix(".py")
        .or_else(|| rel_path.strip_suffix(".pyw"))
        .unwrap_or(rel_path);
    let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
    stem.replace('/', ".")
}

/// The absolute module a `from m import …` in `module` names (relative dots resolved against the
/// importing module's package; `is_package` for an `__init__.py`).
pub fn absolute_module(module: &str, is_package: bool, target: &str) -> String {
    let dots = target.chars().take_while(|c| *c == '.').count();
    if dots == 0 {
        return target.to_owned();
    }
    let mut parts: Vec<&str> = module.split('.').collect();
    // One dot is the current package: the module's parent (or the package itself).
    let up = if is_package { dots - 1 } else { dots };
    for _ in 0..up {
        parts.pop();
    }
    let rest = &target[dots..];
    if rest.is_empty() {
        parts.join(".")
    } else if parts.is_empty() {
        rest.to_owned()
    } else {
        format!("{}.{rest}", parts.join("."))
    }
}

/// Whether a dotted module found on disk is the one a dotted name refers to (the scan root may
/// sit above or below the import root, so one must end with the other on a dot boundary).
pub fn same_module(on_disk: &str, named: &str) -> bool {
    let ends = |long: &str, short: &str| long == short || long.ends_with(&format!(".{short}"));
    !on_disk.is_empty() && !named.is_empty() && (ends(on_disk, named) || ends(named, on_disk))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::python::parse;

    fn with_scope(src: &str, check: impl FnOnce(&ModuleScope<'_>, Node<'_>)) {
        let tree = parse(src).expect("parses");
        let root = tree.root_node();
        let scope = ModuleScope::new(root, src);
        check(&scope, root);
    }

    #[test]
    fn imports_and_aliases_qualify_names() {
        let src = "import os\nimport django.core.cache as dc\nfrom django.core.cache import cache as c\nfrom functools import lru_cache\n";
        with_scope(src, |scope, _| {
            assert!(scope.imports_from(&["django.core.cache"]));
            assert_eq!(
                scope.imports.get("c").map(|s| s.joined(".")).as_deref(),
                Some("django.core.cache.cache")
            );
            assert_eq!(
                scope.imports.get("dc").map(|s| s.joined(".")).as_deref(),
                Some("django.core.cache")
            );
            assert_eq!(
                scope.imports.get("os").map(|s| s.joined(".")).as_deref(),
                Some("os")
            );
            assert_eq!(
                scope
                    .imports
                    .get("lru_cache")
                    .map(|s| s.joined("."))
                    .as_deref(),
                Some("functools.lru_cache")
            );
        });
    }

    fn eval_of(src: &str, name: &str) -> Value {
        let tree = parse(src).expect("parses");
        let scope = ModuleScope::new(tree.root_node(), src);
        let value = scope.value_of(name).expect("assigned");
        scope.eval(value, src)
    }

    #[test]
    fn environment_reads_keep_their_default() {
        let env = |var: &str, d: Option<&str>| Value::Env {
            var: var.to_owned(),
            default: d.map(str::to_owned),
        };
        let src = "import os\nfrom os import environ, getenv\nfrom decouple import config\nimport environ as e\nenv = e.Env()\nB = 'locmem'\nA = os.environ.get('X', B)\nC = getenv('Y')\nD = environ['Z']\nE = config('W', default='file')\nF = env('V', default='x')\nG = env('V', str)\nH = env.str('U', 'u')\nI = os.getenv('T') or 't'\nJ = f'{B}'\nK = 'a' 'b'\n";
        assert_eq!(eval_of(src, "A"), env("X", Some("locmem")));
        assert_eq!(eval_of(src, "C"), env("Y", None));
        assert_eq!(eval_of(src, "D"), env("Z", None));
        assert_eq!(eval_of(src, "E"), env("W", Some("file")));
        assert_eq!(eval_of(src, "F"), env("V", Some("x")));
        assert_eq!(eval_of(src, "G"), env("V", None));
        assert_eq!(eval_of(src, "H"), env("U", Some("u")));
        assert_eq!(eval_of(src, "I"), env("T", Some("t")));
        assert_eq!(eval_of(src, "J"), Value::Str("…".into()));
        assert_eq!(
            eval_of("P = 'sqlite:///' + path\nQ = f'sqlite:///{d}/x.db'\n", "P"),
            Value::Str("sqlite:///…".into())
        );
        assert_eq!(
            eval_of("Q = f'sqlite:///{d}/x.db'\n", "Q"),
            Value::Str("sqlite:///…/x.db".into())
        );
        assert_eq!(eval_of(src, "K"), Value::Str("ab".into()));
    }

    #[test]
    fn development_branches_are_not_production_values() {
        let src = "import sys\nX = 'prod'\nif DEBUG:\n    X = 'dev'\nY = 'a'\nif not DEBUG:\n    Y = 'b'\nelse:\n    Y = 'c'\nZ = 1\nif 'test' in sys.argv:\n    Z = 2\n";
        assert_eq!(eval_of(src, "X"), Value::Str("prod".into()));
        assert_eq!(eval_of(src, "Y"), Value::Str("b".into()));
        let tree = parse(src).expect("parses");
        let scope = ModuleScope::new(tree.root_node(), src);
        let dev: Vec<_> = scope
            .statements
            .iter()
            .filter_map(|s| match s {
                Statement::Assign(n, a) if a.dev_only => Some(n.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(dev, ["X", "Y", "Z"]);
    }

    #[test]
    fn a_feature_flag_named_like_a_test_word_is_production() {
        // "latest" contains "test", "devices" contains "dev": neither is a development switch.
        let src = "SESSION_ENGINE = 'db'\nif LATEST_FEATURES:\n    SESSION_ENGINE = 'file'\nif devices:\n    CACHE = 'x'\n";
        let tree = parse(src).expect("parses");
        let scope = ModuleScope::new(tree.root_node(), src);
        assert!(scope.statements.iter().all(|s| match s {
            Statement::Assign(_, a) => !a.dev_only,
            _ => true,
        }));
        assert_eq!(eval_of(src, "SESSION_ENGINE"), Value::Str("file".into()));
    }

    #[test]
    fn random_sources_are_found_through_wrappers() {
        let src = "import os, secrets, uuid\nfrom django.core.management.utils import get_random_secret_key as g\nA = os.urandom(24).hex()\nB = str(uuid.uuid4())\nC = g()\nD = os.environ['K']\nE = lambda: secrets.token_hex()\n";
        let tree = parse(src).expect("parses");
        let scope = ModuleScope::new(tree.root_node(), src);
        let r = |n: &str| random_source(&scope, scope.value_of(n).expect("set"), src);
        assert_eq!(r("A").as_deref(), Some("os.urandom"));
        assert_eq!(r("B").as_deref(), Some("uuid.uuid4"));
        assert_eq!(r("C").as_deref(), Some("get_random_secret_key"));
        assert_eq!(r("D"), None);
        assert_eq!(r("E"), None);
    }

    #[test]
    fn module_paths_resolve_relative_imports() {
        assert_eq!(module_path("shop/settings/prod.py"), "shop.settings.prod");
        assert_eq!(module_path("shop/settings/__init__.py"), "shop.settings");
        assert_eq!(
            absolute_module("shop.settings.prod", false, ".base"),
            "shop.settings.base"
        );
        assert_eq!(
            absolute_module("shop.settings", true, ".base"),
            "shop.settings.base"
        );
        assert_eq!(
            absolute_module("shop.settings.prod", false, "..common"),
            "shop.common"
        );
        assert_eq!(absolute_module("a", false, "x.y"), "x.y");
        assert!(same_module("src.shop.settings.prod", "shop.settings.prod"));
        assert!(!same_module("shop.settings.prod", "settings.production"));
    }
}
