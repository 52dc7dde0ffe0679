//! Words shared by the load-balancer detectors: what a pinned user loses on failover and the
//! fix, so every format tells the same story. How to suppress a finding is not theirs to say:
//! the output renders it in the comment syntax of the finding's file.

use crate::rules::{self, Rule};

/// What cookie or session-key stickiness does to users, for the end of a message.
pub const PINS_USERS: &str = "pins each user to the instance that first served them: when it \
    fails, restarts or is scaled in, its users land on another instance without the sessions, \
    uploads and caches it held";

/// What client-address affinity does to users, for the end of a message.
pub const PINS_ADDRESSES: &str = "pins each client address (and everyone behind the same NAT or \
    proxy) to one instance: when it fails, restarts or is scaled in, those users land on \
    another instance without the sessions, uploads and caches it held";

/// The consequence clause for `rule`.
pub fn pins(rule: &Rule) -> &'static str {
    if rule.id == rules::SL402.id {
        PINS_ADDRESSES
    } else {
        PINS_USERS
    }
}

/// The help line: `change` (what to edit in this format), then where the state goes, then that
/// deliberate stickiness is kept with a suppression (whose syntax the output gives).
pub fn help(rule: &Rule, change: &str) -> String {
    format!(
        "{change}; keep sessions in a shared store (Redis, a database) or signed cookies and \
         uploads in object storage (S3, GCS, Azure Blob), so any instance can answer. If the \
         affinity is deliberate (a hot per-user cache), keep it and suppress {} with a reason",
        rule.id
    )
}

/// Whether a header, cookie or query parameter name carries a session or user identity.
pub fn names_a_session(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("session")
        || name.split(['_', '-', '.']).any(|word| {
            matches!(
                word,
                "sess"
                    | "sid"
                    | "sessid"
                    | "phpsessid"
                    | "jsessionid"
                    | "token"
                    | "authorization"
                    | "userid"
                    | "uid"
                    | "routeid"
                    | "serverid"
            )
        })
}

/// Whether a header carries the client's address (set by a proxy in front).
pub fn names_a_client_address(header: &str) -> bool {
    matches!(
        header.to_ascii_lowercase().as_str(),
        "x-forwarded-for"
            | "x-real-ip"
            | "true-client-ip"
            | "cf-connecting-ip"
            | "forwarded"
            | "x-client-ip"
            | "fastly-client-ip"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_and_address_names() {
        assert!(names_a_session("X-Session-Id"));
        assert!(names_a_session("JSESSIONID"));
        assert!(names_a_session("sid"));
        assert!(!names_a_session("host"));
        assert!(!names_a_session("x-request-id"));
        assert!(names_a_client_address("X-Forwarded-For"));
        assert!(!names_a_client_address("host"));
        let help = help(&rules::SL401, "remove it");
        assert!(help.starts_with("remove it; "), "{help}");
        assert!(help.contains("suppress SL401 with a reason"), "{help}");
        assert!(
            !help.contains("scalelint: ignore"),
            "the output gives the syntax: {help}"
        );
    }
}
