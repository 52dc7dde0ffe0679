//! Periodic jobs a Rust web service runs in its own process with plain tokio: a task spawned
//! with `tokio::spawn` (or actix's `rt::spawn`) that loops on `tokio::time::interval` ticks or on
//! `sleep`. Every instance runs the loop, so the job runs once per instance. Only crates that
//! depend on a web framework are judged; cron schedulers are `rust/crate-state`'s. A loop that
//! only flushes a buffer (`counter.flush()`) keeps this instance's own state and is silent.

use super::crates::{Crates, Hit};
use super::evaluate::{self, row};
use super::model::RustModel;
use crate::detectors::table::{self, Library, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::parse::rust::span_range;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::FileKind;
use std::sync::LazyLock;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// `tokio::spawn` + interval loops in a web service.
pub struct BackgroundJobs;

const TOKIO_SPAWN: Library = Library {
    symbol: Pattern {
        package: "tokio",
        path: &["spawn"],
    },
    usage: Usage::Call,
    option: None,
    verdicts: &[Verdict {
        when: When::Used,
        rule: &rules::SL501,
        message: "a task spawned in the web process loops on {how}, so every instance runs this \
            periodic job",
    }],
    fix: "run the job once per deployment: a separate binary started by a Kubernetes CronJob \
        or a single worker, or take a lock every instance sees for each run (sqlx `SELECT \
        pg_try_advisory_lock(…)`, a Redis `SET NX PX` lease); keep it in-process only if it \
        touches this instance's own state",
    name: "tokio::spawn",
};

/// Spawn functions (`tokio::spawn` also stands for `tokio::task::spawn`, which it re-exports).
const SPAWNS: &[Library] = &[
    TOKIO_SPAWN,
    row("actix_rt", &["spawn"], TOKIO_SPAWN),
    row("actix_web", &["rt", "spawn"], TOKIO_SPAWN),
    row("rocket", &["tokio", "spawn"], TOKIO_SPAWN),
];

/// The rows are necessary, not sufficient: a spawned loop must tick an `interval` or `sleep`,
/// and those words are in far fewer files than `spawn`, so they are the triggers.
const TRIGGERS: &[&str] = &["interval", "sleep"];

static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[SPAWNS]));

impl Detector for BackgroundJobs {
    fn id(&self) -> &'static str {
        "rust/background-jobs"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Rust]
    }
    fn triggers(&self) -> &'static [&'static str] {
        TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Rust(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let crates = Crates::new(facts);
        let mut found = Vec::new();
        crates.resolve::<String>(facts, &mut found, |symbol, hit| {
            let (row, verdict) = evaluate::verdict(SPAWNS, symbol, |_| OptionValue::Absent)?;
            Some(evaluate::diagnostic(
                row,
                verdict,
                hit.span.clone(),
                &[("how", &hit.payload)],
            ))
        });
        out.extend(found.into_iter().filter(|l| crates.is_web_service(&l.path)));
    }
}

impl Check<RustModel<'_>> for BackgroundJobs {
    fn check(&self, model: &RustModel<'_>, out: &mut Sink) {
        let mut v = Spawns {
            in_entry: false,
            in_connection: false,
            model,
            hits: Vec::new(),
        };
        v.visit_file(model.syntax);
        for hit in v.hits {
            out.fact(hit);
        }
    }
}

struct Spawns<'a> {
    /// Inside the server's entry point (`main`, `#[tokio::main]`, `#[actix_web::main]`,
    /// `#[launch]`): where a sleeping loop is a periodic job rather than a poller or a retry.
    in_entry: bool,
    /// Inside a function that serves one connection (`handle_socket`, `ws_handler`): its loops
    /// live as long as the connection.
    in_connection: bool,
    model: &'a RustModel<'a>,
    hits: Vec<Hit<String>>,
}

/// How a spawned future repeats: interval ticks, or a `loop` that sleeps.
#[derive(Default)]
struct Repeats {
    /// `.tick()` in a loop.
    tick: bool,
    /// `sleep(…)` in a bare `loop` (a `while let` over a channel is event handling).
    sleep_in_loop: bool,
    loop_depth: usize,
    bare_loop_depth: usize,
    /// It pings a peer: a connection's heartbeat, not a job.
    ping: bool,
    /// Its loop flushes a buffer (`counter.flush()`), which each instance holds for itself.
    flush: bool,
    /// Its loop calls something other than the tick, a flush and value plumbing.
    other_work: bool,
}

/// Methods that move values around rather than do a job's work.
const PLUMBING: &[&str] = &[
    "tick", "clone", "lock", "read", "write", "unwrap", "expect", "map_err", "ok", "err", "is_ok",
    "is_err", "as_ref", "as_deref",
];

impl Repeats {
    /// The loop only flushes what this instance buffered: every instance must run it.
    fn flushes_own_buffer(&self) -> bool {
        self.flush && !self.other_work
    }
}

impl<'ast> Visit<'ast> for Repeats {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.segments.iter().any(|s| s.ident == "Ping") {
            self.ping = true;
        }
        visit::visit_path(self, p);
    }
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func
            && let Some(last) = p.path.segments.last()
        {
            let name = last.ident.to_string();
            if (name == "sleep" || name == "sleep_until") && self.bare_loop_depth > 0 {
                self.sleep_in_loop = true;
            } else if self.loop_depth > 0 && !p.path.segments.iter().any(|s| s.ident == "Duration")
            {
                self.other_work = true;
            }
        }
        visit::visit_expr_call(self, c);
    }
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if m.method == "tick" && m.args.is_empty() && self.loop_depth > 0 {
            self.tick = true;
        }
        if m.method == "ping" {
            self.ping = true;
        }
        let name = m.method.to_string();
        if self.loop_depth > 0 {
            if name == "flush" || name.starts_with("flush_") {
                self.flush = true;
            } else if !PLUMBING.contains(&name.as_str()) {
                self.other_work = true;
            }
        }
        visit::visit_expr_method_call(self, m);
    }
    fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
        self.loop_depth += 1;
        self.bare_loop_depth += 1;
        visit::visit_expr_loop(self, l);
        self.loop_depth -= 1;
        self.bare_loop_depth -= 1;
    }
    fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
        self.loop_depth += 1;
        visit::visit_expr_while(self, w);
        self.loop_depth -= 1;
    }
}

impl<'ast> Visit<'ast> for Spawns<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !super::use_paths::is_test_only(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !super::use_paths::is_test_only(&f.attrs) {
            visit::visit_impl_item_fn(self, f);
        }
    }
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if super::use_paths::is_test_only(&f.attrs) {
            return;
        }
        let entry = f.sig.ident == "main"
            || f.attrs.iter().any(|a| {
                a.path()
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "main" || s.ident == "launch")
            });
        let name = f.sig.ident.to_string().to_ascii_lowercase();
        let connection = ["socket", "ws", "conn", "client", "peer", "stream"]
            .iter()
            .any(|w| name.contains(w));
        let saved = (self.in_entry, self.in_connection);
        self.in_entry |= entry;
        self.in_connection |= connection;
        visit::visit_item_fn(self, f);
        (self.in_entry, self.in_connection) = saved;
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func
            && p.path.segments.last().is_some_and(|s| s.ident == "spawn")
            && let Some(arg) = c.args.first()
        {
            let mut r = Repeats::default();
            r.visit_expr(arg);
            let how = if r.ping || self.in_connection || r.flushes_own_buffer() {
                None
            } else if r.tick {
                Some("`interval` ticks")
            } else if r.sleep_in_loop && self.in_entry {
                Some("`sleep`")
            } else {
                None
            };
            if let Some(how) = how {
                let file = self.model.file;
                self.hits.push(Hit {
                    span: span_range(p.path.span(), &file.lines, &file.text),
                    paths: self.model.symbols(&p.path),
                    payload: how.to_owned(),
                });
            }
        }
        visit::visit_expr_call(self, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_report_declared_rules_and_need_a_loop_trigger() {
        let d = BackgroundJobs;
        // Every row is reported only with the loop analysis, which the triggers stand for.
        evaluate::check_rows(&[SPAWNS], &["spawn"], d.rules()).expect("rules declared");
        assert_eq!(d.triggers(), TRIGGERS);
    }
}
