//! Recurring jobs scheduled inside the app process: node-cron, cron's `CronJob`, node-schedule,
//! NestJS `@Cron` / `@Interval`. Every instance runs every job.

use super::evaluate;
use super::model::{JsModel, Kind};
use super::options::head;
use crate::detectors::table::{self, Library, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{preorder, text};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use std::sync::LazyLock;
use tree_sitter::Node;

/// In-process cron and interval schedulers.
pub struct Schedulers;

const HELP: &str = "run recurring jobs once for the whole deployment: BullMQ job schedulers / repeatable \
    jobs (deduplicated in Redis), Agenda (locked in MongoDB), a Kubernetes CronJob or the platform's \
    cron, or a single dedicated worker process; or guard the job with a distributed lock";

/// A scheduler row: using it runs the job in this process.
macro_rules! scheduler {
    ($package:literal, $path:expr, $usage:expr, $what:literal $(,)?) => {
        Library {
            symbol: Pattern {
                package: $package,
                path: $path,
            },
            usage: $usage,
            option: None,
            verdicts: &[Verdict {
                when: When::Used,
                rule: &rules::SL501,
                message: concat!(
                    $what,
                    " runs this job inside the app process, so every instance runs it"
                ),
            }],
            fix: HELP,
            name: $what,
        }
    };
}

/// Scheduling calls, constructors and decorators.
const SCHEDULERS: &[Library] = &[
    scheduler!("node-cron", &["schedule"], Usage::Call, "node-cron"),
    scheduler!("cron", &["CronJob"], Usage::Construct, "cron's `CronJob`"),
    scheduler!(
        "cron",
        &["CronJob", "from"],
        Usage::Call,
        "cron's `CronJob`"
    ),
    scheduler!("cron", &["job"], Usage::Call, "cron's `CronJob`"),
    scheduler!(
        "node-schedule",
        &["scheduleJob"],
        Usage::Call,
        "node-schedule"
    ),
    scheduler!(
        "@nestjs/schedule",
        &["Cron"],
        Usage::Decorate,
        "NestJS `@Cron`"
    ),
    scheduler!(
        "@nestjs/schedule",
        &["Interval"],
        Usage::Decorate,
        "NestJS `@Interval`"
    ),
    scheduler!(
        "toad-scheduler",
        &["SimpleIntervalJob"],
        Usage::Construct,
        "toad-scheduler"
    ),
    scheduler!(
        "toad-scheduler",
        &["CronJob"],
        Usage::Construct,
        "toad-scheduler"
    ),
];

/// By hand, checked against the rows by a test: the rows' members (`schedule`, `Interval`) are
/// in far more files (every `setInterval`) than the scheduler packages are.
const TRIGGERS: &[&str] = &[
    "cron",
    "Cron",
    "@nestjs/schedule",
    "node-schedule",
    "toad-scheduler",
];
static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[SCHEDULERS]));

impl Detector for Schedulers {
    fn id(&self) -> &'static str {
        "js/schedulers"
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
        let scope = model.scope();
        // A scheduler's arguments are its job: a scheduling call inside them is the same job.
        model.visit(&[Kind::Call, Kind::New], |node| {
            let Some(used) = evaluate::find(SCHEDULERS, node, scope, src) else {
                return true;
            };
            if guarded_by_lock(node, src) {
                return false;
            }
            if let Some(verdict) = used.row.verdict(OptionValue::Absent) {
                out.push(Diagnostic::new(
                    verdict.rule,
                    head(node),
                    verdict.message,
                    used.row.fix,
                ));
            }
            false
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

#[cfg(test)]
mod tests {
    use super::{SCHEDULERS, Schedulers};
    use crate::detectors::js::{evaluate, run};

    #[test]
    fn rows_are_covered_and_usage_decides() {
        evaluate::assert_covered(&Schedulers, &[SCHEDULERS]);
        let nest = "import { Cron } from '@nestjs/schedule';\nclass Jobs {\n  @Cron('0 * * * *')\n  run() {}\n}\n";
        assert_eq!(run(&Schedulers, "jobs.ts", nest), [("SL501", 3)]);
        let cron = "const { CronJob } = require('cron');\nnew CronJob('* * * * *', tick);\nCronJob.from({ cronTime: '* * * * *', onTick });\n";
        assert_eq!(
            run(&Schedulers, "app.js", cron),
            [("SL501", 2), ("SL501", 3)]
        );
    }
}
