//! The words every sticky-balancing finding in orchestrator and cloud config shares: who gets
//! pinned, what breaks on failover, and the fix.

use crate::diagnostic::Diagnostic;
use crate::rules;
use std::ops::Range;

/// What a cookie or session-key affinity costs, appended to each SL401 message.
pub const COOKIE_PINNED: &str = "each user's session stays on one instance, and when that \
    instance restarts, scales in or fails over, those users lose whatever it kept";

/// What a client-address affinity costs, appended to each SL402 message.
pub const IP_PINNED: &str = "every client address (a whole office or mobile carrier behind one \
    NAT) stays on one instance, and when it restarts, scales in or fails over those users lose \
    whatever it kept";

/// The fix for cookie affinity.
pub const COOKIE_HELP: &str = "turn the stickiness off and keep session state in a shared store \
    (Redis, Memcached, a database) or in signed cookies, and user files in object storage (S3, \
    GCS, Azure Blob), so any instance can answer; if stickiness is deliberate (a per-user warm \
    cache), record why with `# scalelint: ignore[SL401] <reason>` above the line";

/// The fix for client-address affinity.
pub const IP_HELP: &str = "balance without affinity (round robin or least requests) and keep \
    session state in a shared store (Redis, Memcached, a database) or in signed cookies, so any \
    instance can answer; if the affinity is deliberate (a per-client warm cache), record why \
    with `# scalelint: ignore[SL402] <reason>` above the line";

/// A cookie-affinity finding: `what` says which setting pins users.
pub fn cookie(span: Range<usize>, what: &str) -> Diagnostic {
    Diagnostic::new(
        &rules::SL401,
        span,
        format!("{what}: {COOKIE_PINNED}"),
        COOKIE_HELP,
    )
}

/// A client-address affinity finding: `what` says which setting pins users.
pub fn client_ip(span: Range<usize>, what: &str) -> Diagnostic {
    Diagnostic::new(&rules::SL402, span, format!("{what}: {IP_PINNED}"), IP_HELP)
}
