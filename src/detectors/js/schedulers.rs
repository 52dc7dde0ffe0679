//! Recurring jobs scheduled inside the app process: node-cron, cron's `CronJob`, node-schedule,
//! NestJS `@Cron` / `@Interval`. Every instance runs every job.

use super::model::JsModel;
use super::options::{head, invoked};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{preorder, text};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use tree_sitter::Node;

/// In-process cron and interval schedulers.
pub struct Schedulers;

const HELP: &str = "run recurring jobs once for the whole deployment: BullMQ job schedulers / repeatable \
    jobs (deduplicated in Redis), Agenda (locked in MongoDB), a Kubernetes CronJob or the platform's \
    cron, or a single dedicated worker process; or guard the job with a distributed lock";

/// Scheduling calls (`new` or plain): (module, member path, what).
const SCHEDULERS: &[(&str, &[&str], &str)] = &[
    ("node-cron", &["schedule"], "node-cron"),
    ("cron", &["CronJob"], "cron's `CronJob`"),
    ("cron", &["CronJob", "from"], "cron's `CronJob`"),
    ("cron", &["job"], "cron's `CronJob`"),
    ("node-schedule", &["scheduleJob"], "node-schedule"),
    ("@nestjs/schedule", &["Cron"], "NestJS `@Cron`"),
    ("@nestjs/schedule", &["Interval"], "NestJS `@Interval`"),
    ("toad-scheduler", &["SimpleIntervalJob"], "toad-scheduler"),
    ("toad-scheduler", &["CronJob"], "toad-scheduler"),
];

impl Detector for Schedulers {
    fn id(&self) -> &'static str {
        "js/schedulers"
    }
    fn kinds(&self) -> &'static [FileKind] {
        super::JS_KINDS
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "cron",
            "Cron",
            "@nestjs/schedule",
            "node-schedule",
            "toad-scheduler",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL501"]
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Js(self)
    }
}

/// Names in a job's callback that mean it takes a distributed lock or checks leadership first
/// (`redlock.using`, `acquireLock`, a synchronized `clock.set`, `isLeader`), so only one
/// instance does the work.
fn is_lock_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.contains("lock") && !lower.contains("block"))
        || lower.contains("leader")
        || lower.contains("mutex")
        || lower.starts_with("acquire")
}

impl Check<JsModel<'_>> for Schedulers {
    fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
        let file = model.file;
        // A dedicated worker entry point runs once, apart from the web instances.
        if file
            .rel_path
            .split('/')
            .any(|c| c.contains("worker") || c.starts_with("scheduler"))
        {
            return;
        }
        let src = model.src;
        let root = model.root;
        let scope = model.scope();
        preorder(root, |node| {
            let target = invoked(node);
            let Some(target) = target else { return true };
            let Some(origin) = scope.origin(target, src) else {
                return true;
            };
            let path = origin.path();
            if let Some((_, _, what)) = SCHEDULERS
                .iter()
                .find(|(m, p, _)| *m == origin.package && *p == path.as_slice())
            {
                if guarded_by_lock(node, src) {
                    return false;
                }
                out.push(Diagnostic::new(
                    &rules::SL501,
                    head(node),
                    format!(
                        "{what} runs this job inside the app process, so every instance runs it"
                    ),
                    HELP,
                ));
                return false;
            }
            true
        });
    }
}

fn guarded_by_lock(call: Node<'_>, src: &str) -> bool {
    let Some(args) = call.child_by_field_name("arguments") else {
        return false;
    };
    let mut found = false;
    preorder(args, |n| {
        if matches!(n.kind(), "identifier" | "property_identifier") && is_lock_name(text(n, src)) {
            found = true;
        }
        !found
    });
    found
}
