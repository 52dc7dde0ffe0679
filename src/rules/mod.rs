//! The rule catalog: stable, user-facing concepts. Detectors (framework knowledge) emit them.

use crate::diagnostic::Severity;
use serde::Serialize;

/// What kind of instance-local state a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Session data held by one instance.
    Session,
    /// User uploads written to one instance's disk.
    Upload,
    /// Caches that live in one process.
    Cache,
    /// Load balancer configuration that pins users to one instance.
    Sticky,
    /// Other instance-local state (schedulers, pub/sub, rate limiters, SQLite, local volumes).
    State,
}

impl Category {
    /// Every category, in catalog order.
    pub const ALL: [Category; 5] = [
        Category::Session,
        Category::Upload,
        Category::Cache,
        Category::Sticky,
        Category::State,
    ];

    /// The lowercase name used in selectors, JSON and SARIF tags.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Session => "session",
            Category::Upload => "upload",
            Category::Cache => "cache",
            Category::Sticky => "sticky",
            Category::State => "state",
        }
    }
}

/// One rule of the catalog.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable ID, e.g. `SL101`.
    pub id: &'static str,
    /// Stable kebab-case name, e.g. `memory-session-store`.
    pub name: &'static str,
    /// The category the rule belongs to.
    pub category: Category,
    /// Severity unless the configuration overrides it.
    pub default_severity: Severity,
    /// One sentence: what the rule flags.
    pub summary: &'static str,
    /// A paragraph: what it flags and why that breaks scaling (at most 1,024 characters).
    pub description: &'static str,
    /// The full Markdown doc from `rules/`.
    pub doc: &'static str,
}

macro_rules! doc {
    ($file:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $file))
    };
}

/// `SL101` memory-session-store.
pub static SL101: Rule = Rule {
    id: "SL101",
    name: "memory-session-store",
    category: Category::Session,
    default_severity: Severity::Warning,
    summary: "Session data is kept in the memory of one process",
    description: "Flags session middleware whose store is the process's own memory, either \
        explicitly (MemoryStore, memorystore) or by default (express-session without a `store`). \
        Another instance behind the load balancer does not have the session, so users are logged \
        out or lose their session state whenever a request lands elsewhere, and every restart or \
        deploy wipes all sessions.",
    doc: doc!("SL101-memory-session-store.md"),
};

/// `SL102` local-file-session-store.
pub static SL102: Rule = Rule {
    id: "SL102",
    name: "local-file-session-store",
    category: Category::Session,
    default_severity: Severity::Warning,
    summary: "Session data is kept in files on the local disk of one instance",
    description: "Flags session backends that write session data to the instance's own \
        filesystem (Django file sessions, Flask-Session `filesystem`, PHP `files`, \
        session-file-store). Other instances cannot read those files, so a user whose request \
        lands on another instance has no session.",
    doc: doc!("SL102-local-file-session-store.md"),
};

/// `SL201` local-upload-storage.
pub static SL201: Rule = Rule {
    id: "SL201",
    name: "local-upload-storage",
    category: Category::Upload,
    default_severity: Severity::Warning,
    summary: "Uploaded files are written to the local filesystem of one instance",
    description: "Flags request handlers and upload middleware that save user uploads to the \
        disk of the instance that received the request. The file is missing on every other \
        instance (broken links, 404s) and lost when the instance is replaced.",
    doc: doc!("SL201-local-upload-storage.md"),
};

/// `SL202` local-storage-backend.
pub static SL202: Rule = Rule {
    id: "SL202",
    name: "local-storage-backend",
    category: Category::Upload,
    default_severity: Severity::Warning,
    summary: "The framework's file storage is configured to, or defaults to, local disk",
    description: "Flags framework storage layers (Django STORAGES/FileSystemStorage, Rails \
        ActiveStorage Disk, Laravel local disk) that put user files on the instance's own disk. \
        Files stored through them exist on one instance only.",
    doc: doc!("SL202-local-storage-backend.md"),
};

/// `SL301` process-local-cache.
pub static SL301: Rule = Rule {
    id: "SL301",
    name: "process-local-cache",
    category: Category::Cache,
    default_severity: Severity::Note,
    summary: "A cache lives in the memory of one process",
    description: "Flags caches held in process memory (LocMemCache, SimpleCache, \
        :memory_store, IMemoryCache, node-cache, moka). Each instance has its own copy: entries \
        diverge between instances, invalidation reaches only one of them, and every new instance \
        starts cold.",
    doc: doc!("SL301-process-local-cache.md"),
};

/// `SL302` orm-local-second-level-cache.
pub static SL302: Rule = Rule {
    id: "SL302",
    name: "orm-local-second-level-cache",
    category: Category::Cache,
    default_severity: Severity::Note,
    summary: "An ORM second-level or query cache is held per process",
    description: "Flags ORM second-level and query caches backed by process memory \
        (NHibernate SysCache/CoreMemoryCache, Hibernate heap caches, Doctrine array caches). \
        A write through one instance leaves stale entities cached in every other instance.",
    doc: doc!("SL302-orm-local-second-level-cache.md"),
};

/// `SL401` cookie-sticky-sessions.
pub static SL401: Rule = Rule {
    id: "SL401",
    name: "cookie-sticky-sessions",
    category: Category::Sticky,
    default_severity: Severity::Warning,
    summary: "The load balancer pins each user to one instance by a cookie or session key",
    description: "Flags load balancer and proxy configuration that routes a user to the same \
        instance by a cookie or session identifier (nginx `sticky`, `hash $cookie_…`, HAProxy \
        `cookie … insert`, Traefik sticky cookies). Stickiness hides instance-local state until \
        that instance dies or a deploy rolls, then the pinned users lose it; it also skews load.",
    doc: doc!("SL401-cookie-sticky-sessions.md"),
};

/// `SL402` client-ip-affinity.
pub static SL402: Rule = Rule {
    id: "SL402",
    name: "client-ip-affinity",
    category: Category::Sticky,
    default_severity: Severity::Warning,
    summary: "The load balancer pins each client to one instance by its IP address",
    description: "Flags load balancer configuration that routes by client IP (nginx `ip_hash`, \
        `hash $remote_addr`, HAProxy `balance source`, Kubernetes `sessionAffinity: ClientIP`). \
        It hides instance-local state until an instance goes away, concentrates users behind one \
        NAT on one instance, and breaks when a client's address changes.",
    doc: doc!("SL402-client-ip-affinity.md"),
};

/// `SL501` in-process-scheduler.
pub static SL501: Rule = Rule {
    id: "SL501",
    name: "in-process-scheduler",
    category: Category::State,
    default_severity: Severity::Warning,
    summary: "A periodic job is scheduled inside the web process",
    description: "Flags schedulers and interval loops started by the web application itself         (APScheduler, schedule, node-cron, setInterval jobs, tokio-cron-scheduler, tokio::spawn         interval loops). Every instance runs its own copy: with N instances each job runs N         times (duplicate e-mails, double charges, lock contention), and no instance owns it.",
    doc: doc!("SL501-in-process-scheduler.md"),
};

/// `SL502` local-pubsub.
pub static SL502: Rule = Rule {
    id: "SL502",
    name: "local-pubsub",
    category: Category::State,
    default_severity: Severity::Warning,
    summary: "Real-time messages are fanned out only to clients connected to this instance",
    description: "Flags in-memory publish/subscribe used to push messages to connected clients         (socket.io without a shared adapter, ws broadcasts, tokio broadcast channels feeding         websockets, Django Channels InMemoryChannelLayer). A message published on one instance         never reaches the clients connected to the others.",
    doc: doc!("SL502-local-pubsub.md"),
};

/// `SL503` local-rate-limit.
pub static SL503: Rule = Rule {
    id: "SL503",
    name: "local-rate-limit",
    category: Category::State,
    default_severity: Severity::Warning,
    summary: "Rate-limit counters are kept in the memory of one process",
    description: "Flags rate limiters whose counters live in process memory (express-rate-limit \
        and rate-limiter-flexible memory stores, Flask-Limiter and slowapi `memory://`, governor,         tower_governor). Each instance counts separately, so N instances allow N times the limit         and a restart resets every counter.",
    doc: doc!("SL503-local-rate-limit.md"),
};

/// `SL504` local-database.
pub static SL504: Rule = Rule {
    id: "SL504",
    name: "local-database",
    category: Category::State,
    default_severity: Severity::Warning,
    summary: "The application's database is a SQLite file on the local disk",
    description: "Flags SQLite used as the application's database (Django DATABASES, SQLAlchemy         and sqlx/diesel/rusqlite URLs, TypeORM/Sequelize/Prisma sqlite). Every instance writes         to its own file: users, orders and sessions created on one instance do not exist on the         others, and the data is lost with the instance.",
    doc: doc!("SL504-local-database.md"),
};

/// `SL505` ephemeral-secret-key.
pub static SL505: Rule = Rule {
    id: "SL505",
    name: "ephemeral-secret-key",
    category: Category::State,
    default_severity: Severity::Error,
    summary: "A signing or encryption key is generated at start instead of loaded from config",
    description: "Flags session, cookie and token secrets generated when the process starts         (os.urandom, secrets.token_*, get_random_secret_key(), crypto.randomBytes,         Key::generate()). Each instance signs with a different key, so a cookie or token issued         by one instance is rejected by the others, and every restart logs everybody out.",
    doc: doc!("SL505-ephemeral-secret-key.md"),
};

/// `SL506` replicated-local-volume.
pub static SL506: Rule = Rule {
    id: "SL506",
    name: "replicated-local-volume",
    category: Category::State,
    default_severity: Severity::Warning,
    summary: "A replicated workload keeps user data on node-local storage",
    description: "Flags Deployments, ReplicaSets and compose services with more than one replica         (or an autoscaler) that mount hostPath, emptyDir or a ReadWriteOnce claim where the app         writes uploads or sessions. Each replica sees its own directory: a file written through         one replica is missing on the others and lost when the pod moves.",
    doc: doc!("SL506-replicated-local-volume.md"),
};

/// Every rule, sorted by ID.
pub static RULES: &[&Rule] = &[
    &SL101, &SL102, &SL201, &SL202, &SL301, &SL302, &SL401, &SL402, &SL501, &SL502, &SL503, &SL504,
    &SL505, &SL506,
];

/// Looks a rule up by its ID (`SL101`) or name (`memory-session-store`), case-insensitively.
pub fn find(key: &str) -> Option<&'static Rule> {
    let key = key.trim();
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

/// Resolves a selector (a rule ID, a rule name, or a category) to the rules it names.
pub fn select(selector: &str) -> Option<Vec<&'static Rule>> {
    if let Some(rule) = find(selector) {
        return Some(vec![rule]);
    }
    let category = Category::ALL
        .into_iter()
        .find(|c| c.as_str().eq_ignore_ascii_case(selector.trim()))?;
    Some(
        RULES
            .iter()
            .copied()
            .filter(|r| r.category == category)
            .collect(),
    )
}

/// The index of a rule in [`RULES`] (its SARIF `ruleIndex`).
pub fn index_of(rule: &Rule) -> usize {
    RULES
        .iter()
        .position(|r| r.id == rule.id)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique_sorted_and_well_formed() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].id < pair[1].id,
                "{} before {}",
                pair[0].id,
                pair[1].id
            );
        }
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "duplicate rule name");
        for rule in RULES {
            assert!(
                rule.id.starts_with("SL") && rule.id.len() == 5,
                "{}",
                rule.id
            );
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                rule.name
            );
            assert!(!rule.name.starts_with("no-") && !rule.name.starts_with("avoid-"));
            assert!(
                rule.description.len() <= 1024,
                "{} description too long",
                rule.id
            );
            assert!(
                !rule.summary.ends_with('.'),
                "{} summary ends with a period",
                rule.id
            );
        }
    }

    #[test]
    fn every_rule_has_a_doc_with_the_required_sections() {
        for rule in RULES {
            let title = format!("# {} {}\n", rule.id, rule.name);
            assert!(
                rule.doc.starts_with(&title),
                "{} doc must start with {title:?}",
                rule.id
            );
            let meta = format!(
                "**Category:** {} · **Default severity:** {}",
                rule.category.as_str(),
                rule.default_severity.as_str()
            );
            assert!(
                rule.doc.contains(&meta),
                "{} doc must state {meta:?}",
                rule.id
            );
            for heading in [
                "## What it finds",
                "## Why it breaks horizontal scaling",
                "## How to fix",
                "## Examples",
                "## Suppressing",
            ] {
                assert!(
                    rule.doc.contains(heading),
                    "{} doc lacks {heading}",
                    rule.id
                );
            }
            assert!(
                rule.doc.contains(" bad file="),
                "{} doc has no bad example",
                rule.id
            );
            assert!(
                rule.doc.contains(" good file="),
                "{} doc has no good example",
                rule.id
            );
        }
    }

    #[test]
    fn every_doc_file_belongs_to_a_rule() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("rules/ exists")
            .map(|e| {
                e.expect("dir entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        let expected: Vec<String> = RULES
            .iter()
            .map(|r| format!("{}-{}.md", r.id, r.name))
            .collect();
        assert_eq!(files, expected);
    }

    #[test]
    fn selectors_resolve_ids_names_and_categories() {
        assert_eq!(
            select("sl101").map(|v| v[0].name),
            Some("memory-session-store")
        );
        assert_eq!(select("client-ip-affinity").map(|v| v[0].id), Some("SL402"));
        let sticky: Vec<_> = select("sticky")
            .unwrap_or_default()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(sticky, ["SL401", "SL402"]);
        assert!(select("SL999").is_none());
    }
}
