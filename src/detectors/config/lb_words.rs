//! How the Kubernetes, mesh, Traefik and CloudFormation detectors word a sticky-balancing
//! finding: their own description of the setting, then the consequence and the help that every
//! load-balancer detector shares ([`super::affinity`]).

use super::affinity;
use crate::diagnostic::Diagnostic;
use crate::rules::{self, Rule};
use std::ops::Range;

/// The consequence after "pins …": `when it fails, restarts or is scaled in, …`.
fn consequence(rule: &Rule) -> &'static str {
    let pins = affinity::pins(rule);
    pins.split_once(": ").map_or(pins, |(_, rest)| rest)
}

/// A finding of `rule`: `what` says which setting pins users and how, `change` what to edit.
pub fn finding(rule: &'static Rule, span: Range<usize>, what: &str, change: &str) -> Diagnostic {
    Diagnostic::new(
        rule,
        span,
        format!("{what}: {}", consequence(rule)),
        affinity::help(rule, change),
    )
}

/// A cookie or session-key affinity finding; `what` says which setting pins users and how.
pub fn cookie(span: Range<usize>, what: &str) -> Diagnostic {
    finding(&rules::SL401, span, what, "turn the stickiness off")
}

/// A client-address affinity finding; `what` says which setting pins users and how.
pub fn client_ip(span: Range<usize>, what: &str) -> Diagnostic {
    finding(
        &rules::SL402,
        span,
        what,
        "balance without client-address affinity (round robin or least requests)",
    )
}

/// An AWS target group's stickiness by type: `source_ip` (NLB) is client-address affinity,
/// `lb_cookie` / `app_cookie` (ALB, the default `lb_cookie`) are cookies.
pub fn target_group(span: Range<usize>, kind: Option<&str>, what: &str) -> Diagnostic {
    match kind {
        Some(k) if k.eq_ignore_ascii_case("source_ip") => client_ip(
            span,
            &format!("{what}{}", target_group_clause(&rules::SL402, kind)),
        ),
        _ => cookie(
            span,
            &format!("{what}{}", target_group_clause(&rules::SL401, kind)),
        ),
    }
}

/// What a sticky target group does, after the setting that turns it on: by client address
/// (`rule` SL402) or with a cookie of `kind`.
pub fn target_group_clause(rule: &Rule, kind: Option<&str>) -> String {
    match kind {
        _ if rule.id == rules::SL402.id => {
            ", so the target group pins each client address to one target".to_owned()
        }
        Some(k) => {
            format!(", so the target group pins each user to one target with a cookie (`{k}`)")
        }
        None => ", so the target group pins each user to one target with a cookie".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_end_with_the_shared_consequence_and_help() {
        let d = cookie(0..1, "x pins each user to one pod");
        assert!(
            d.message
                .starts_with("x pins each user to one pod: when it fails")
        );
        assert!(d.help.contains("suppress SL401"), "{}", d.help);
        assert!(
            !d.help.contains('#'),
            "no comment syntax in a help: {}",
            d.help
        );
        let d = client_ip(0..1, "y");
        assert!(d.message.contains("without the sessions"));
        assert!(
            d.help
                .starts_with("balance without client-address affinity")
        );
    }
}
