//! One row per infrastructure setting that pins users to an instance, spelled in every format
//! that can set it: Terraform / OpenTofu resources, CloudFormation templates and ARM / Bicep
//! templates. A [`Setting`] gives, per format, the resource types, the path to the deciding
//! attribute, the provider's default when it is absent, the wording of the finding and the fix;
//! its verdicts say which values pin users and under which rule. Each format's detector keeps its
//! own real analysis (Terraform's variables, locals and module inputs; CloudFormation's `!Ref` to
//! a parameter's `Default`; ARM `[parameters('x')]` and Bicep `param`s) and hands the resolved
//! value to [`Setting::judge`]. The detectors' prefilter triggers and rule lists are derived
//! from these rows ([`triggers`], [`rules`]).

use crate::rules::{self, Rule};

/// The formats a row can spell a setting in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Terraform / OpenTofu HCL.
    Terraform,
    /// AWS CloudFormation (YAML or JSON).
    CloudFormation,
    /// Azure Resource Manager JSON and Bicep.
    Arm,
}

/// One step of an attribute path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A nested block, object member or property of that name.
    Key(&'static str),
    /// The `Value` of the entry whose `Key` is this name, in a list of `{Key, Value}` objects
    /// (CloudFormation's `TargetGroupAttributes`).
    Entry(&'static str),
}

impl Step {
    /// The name the step matches.
    pub fn name(self) -> &'static str {
        match self {
            Step::Key(n) | Step::Entry(n) => n,
        }
    }
}

/// What the provider assumes when the deciding attribute is absent from its (present) parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    /// The attribute is required (or has no documented default): nothing to judge.
    Required,
    /// The provider's default, judged like a written value.
    Default(&'static str),
    /// The provider's default pins users, but an omitted attribute is not reported: nearly
    /// every template leaves it out, so the finding goes to the explicit setting and the fix
    /// text tells about the default.
    Unreported(&'static str),
}

/// How one format spells a setting.
#[derive(Debug, Clone, Copy)]
pub struct Spelling {
    /// Resource types: Terraform resource types, CloudFormation `Type`s, ARM / Bicep types
    /// without API version (child types such as `…/sites/slots` match their parent's row).
    pub resources: &'static [&'static str],
    /// The path from the resource to the deciding attribute. Terraform: blocks (plain or
    /// `dynamic`), then the attribute; `[]` when the resource itself pins users. CloudFormation:
    /// from `Properties`. ARM / Bicep: from any object of the resource (properties nest at
    /// varying depths: `properties.backendHttpSettingsCollection[].properties`).
    pub path: &'static [Step],
    /// The provider's behaviour when the attribute is absent.
    pub absent: Absent,
    /// The sibling of the deciding attribute that names the kind of affinity, if the row has
    /// [`Kind`]s (a target group's `type`).
    pub kind: Option<Step>,
    /// The resource attribute naming the protocol, which decides the kind when none is given.
    pub protocol: Option<&'static str>,
    /// What the finding says the setting does. `{resource}` is the resource (its address or
    /// logical name, or its type for ARM), `{value}` the value found, `{kind}` the kind (or the
    /// first block of the path), `{sets}` how the value was set (CloudFormation: literally or
    /// through a parameter's default).
    pub message: &'static str,
    /// The fix, in this format's words.
    pub fix: &'static str,
    /// The fix when the kind makes it client-address affinity, if it differs.
    pub address_fix: Option<&'static str>,
}

/// Which values of the deciding attribute a verdict applies to (compared ignoring ASCII case,
/// as the providers do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// The attribute or block is there, whatever its value.
    Present,
    /// A switch is on: `true` or `Enabled`.
    On,
    /// One of these values.
    OneOf(&'static [&'static str]),
    /// A value starting with one of these.
    Prefix(&'static [&'static str]),
}

impl When {
    fn matches(self, value: Value<'_>) -> bool {
        let known = match value {
            Value::Present => return self == When::Present,
            Value::Known(s) => s,
            Value::Absent | Value::Unknown => return false,
        };
        match self {
            When::Present => true,
            When::On => known.eq_ignore_ascii_case("true") || known.eq_ignore_ascii_case("enabled"),
            When::OneOf(values) => values.iter().any(|v| v.eq_ignore_ascii_case(known)),
            When::Prefix(prefixes) => prefixes.iter().any(|p| {
                known
                    .get(..p.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(p))
            }),
        }
    }
}

/// One verdict of a row: the values that pin users and the rule they break.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    /// Which values.
    pub when: When,
    /// The rule reported.
    pub rule: &'static Rule,
}

/// How the kind of a setting picks cookie or client-address affinity (AWS target groups:
/// `lb_cookie` / `app_cookie` or `source_ip`, by protocol when no type is given).
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// Kind values (prefixes) that mean client-address affinity.
    pub address: &'static [&'static str],
    /// Protocols whose default kind is client-address affinity.
    pub address_protocols: &'static [&'static str],
}

/// One infrastructure setting that pins users, in every format that spells it.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// What the setting is, for tests and docs.
    pub name: &'static str,
    /// Verdicts in order; the first that applies is reported.
    pub verdicts: &'static [Verdict],
    /// How the kind refines the rule, if it does.
    pub kind: Option<Kind>,
    /// Terraform spellings.
    pub terraform: &'static [Spelling],
    /// CloudFormation spellings.
    pub cloudformation: &'static [Spelling],
    /// ARM / Bicep spellings.
    pub arm: &'static [Spelling],
}

/// What a format's analysis found for a deciding attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// Not written.
    Absent,
    /// Written (or resolved through variables and parameters) to this scalar.
    Known(&'a str),
    /// Written, but not known statically.
    Unknown,
    /// The path names a block or list that is there (or is empty: the resource itself).
    Present,
}

impl Setting {
    /// The spellings of `format`.
    pub fn spellings(&self, format: Format) -> &'static [Spelling] {
        match format {
            Format::Terraform => self.terraform,
            Format::CloudFormation => self.cloudformation,
            Format::Arm => self.arm,
        }
    }

    /// The rule `value` breaks under `spelling` (the provider's default standing in for an
    /// absent value), refined by the kind and protocol when the row has kinds; `None` when the
    /// setting does not pin users (or cannot be told).
    pub fn judge(
        &self,
        spelling: &Spelling,
        value: Value<'_>,
        kind: Option<&str>,
        protocol: Option<&str>,
    ) -> Option<&'static Rule> {
        let value = match (value, spelling.absent) {
            (Value::Absent, Absent::Default(d)) => Value::Known(d),
            (v, _) => v,
        };
        let verdict = self.verdicts.iter().find(|v| v.when.matches(value))?;
        let Some(k) = self.kind else {
            return Some(verdict.rule);
        };
        let by_address = match kind {
            Some(kind) => When::Prefix(k.address).matches(Value::Known(kind)),
            None => {
                protocol.is_some_and(|p| When::OneOf(k.address_protocols).matches(Value::Known(p)))
            }
        };
        Some(if by_address {
            &rules::SL402
        } else {
            verdict.rule
        })
    }

    /// Whether the provider's default for an absent value could pin users: absent attributes
    /// are worth recording only then.
    pub fn absent_can_pin(&self, spelling: &Spelling) -> bool {
        self.judge(spelling, Value::Absent, None, None).is_some() || self.kind.is_some()
    }
}

/// Whether `actual` (an ARM / Bicep type, with or without `@version`) is one of `spelling`'s
/// resource types or a child of one. A Bicep resource nested in its parent has a relative type
/// (`'slots'`), which matches a row type ending in that segment.
pub fn arm_type_matches(spelling: &Spelling, actual: &str) -> bool {
    let actual = actual.split('@').next().unwrap_or_default();
    spelling.resources.iter().any(|t| {
        let is_child = actual
            .get(..t.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(t))
            && actual.as_bytes().get(t.len()).is_none_or(|b| *b == b'/');
        let relative = !actual.is_empty()
            && !actual.contains('/')
            && t.rsplit('/')
                .next()
                .is_some_and(|last| last.eq_ignore_ascii_case(actual));
        is_child || relative
    })
}

/// Renders a spelling's message template.
pub fn message(spelling: &Spelling, resource: &str, value: &str, kind: &str, sets: &str) -> String {
    spelling
        .message
        .replace("{resource}", resource)
        .replace("{value}", value)
        .replace("{kind}", kind)
        .replace("{sets}", sets)
}

/// The fix of `spelling` for `rule`.
pub fn fix(spelling: &Spelling, rule: &Rule) -> &'static str {
    match spelling.address_fix {
        Some(f) if rule.id == rules::SL402.id => f,
        _ => spelling.fix,
    }
}

/// The literals every file a spelling fires on contains: its path's names, or its resource
/// types when the resource itself pins users.
fn literals(spelling: &Spelling) -> Vec<&'static str> {
    if spelling.path.is_empty() {
        spelling.resources.to_vec()
    } else {
        spelling.path.iter().map(|s| s.name()).collect()
    }
}

/// The prefilter triggers of `format`'s rows: `extra` (what the format's own analysis needs,
/// such as the files that define variables), then for each spelling not yet covered by a
/// trigger its longest literal, in a stable order.
pub fn triggers(rows: &[Setting], format: Format, extra: &[&'static str]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = extra.to_vec();
    for spelling in rows.iter().flat_map(|r| r.spellings(format)) {
        let literals = literals(spelling);
        let covered = literals.iter().any(|l| out.iter().any(|t| l.contains(t)));
        if !covered && let Some(longest) = literals.iter().max_by_key(|l| l.len()) {
            out.push(longest);
        }
    }
    out
}

/// The rule IDs `format`'s rows can report, in a stable order.
pub fn rules(rows: &[Setting], format: Format) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for row in rows.iter().filter(|r| !r.spellings(format).is_empty()) {
        let kind_rule = row.kind.map(|_| &rules::SL402);
        for rule in row.verdicts.iter().map(|v| v.rule).chain(kind_rule) {
            if !out.contains(&rule.id) {
                out.push(rule.id);
            }
        }
    }
    out
}

/// Asserts that a detector's `triggers` cover every `format` spelling of the rows (so the
/// prefilter never hides a file a row would fire on) and that its `rules` list every rule
/// those rows can report.
#[cfg(test)]
pub(crate) fn assert_detector_covers(format: Format, triggers: &[&str], declared: &[&str]) {
    assert_covered(format, triggers);
    for rule in rules(SETTINGS, format) {
        assert!(
            declared.contains(&rule),
            "{format:?}: {rule} is not declared"
        );
    }
}

/// Asserts that `triggers` cover every `format` spelling of the rows.
#[cfg(test)]
fn assert_covered(format: Format, triggers: &[&str]) {
    for s in SETTINGS.iter().flat_map(|r| r.spellings(format)) {
        assert!(
            literals(s)
                .iter()
                .any(|l| triggers.iter().any(|t| l.contains(t))),
            "{format:?}: {:?} {:?} is not covered by the triggers {triggers:?}",
            s.resources,
            s.path
        );
    }
}

use Step::{Entry, Key};

const SWITCH_ON: &[Verdict] = &[Verdict {
    when: When::On,
    rule: &rules::SL401,
}];

const PRESENT: &[Verdict] = &[Verdict {
    when: When::Present,
    rule: &rules::SL401,
}];

/// A spelling with no kind, protocol or separate address fix.
const fn spelling(
    resources: &'static [&'static str],
    path: &'static [Step],
    absent: Absent,
    message: &'static str,
    fix: &'static str,
) -> Spelling {
    Spelling {
        resources,
        path,
        absent,
        kind: None,
        protocol: None,
        message,
        fix,
        address_fix: None,
    }
}

const TARGET_GROUPS_TF: &[&str] = &["aws_lb_target_group", "aws_alb_target_group"];
const LISTENERS_TF: &[&str] = &[
    "aws_lb_listener",
    "aws_alb_listener",
    "aws_lb_listener_rule",
    "aws_alb_listener_rule",
];
const LISTENER_FIX: &str = "set `enabled = false` in the `forward` block's `stickiness`";
const LISTENER_SAYS: &str =
    "turns on target-group stickiness in its `forward` action (the `AWSALBTG` cookie)";

/// AWS target-group stickiness: the row the terraform-aws-modules/alb reading also judges by.
pub const TARGET_GROUP: Setting = Setting {
    name: "AWS target-group stickiness",
    verdicts: SWITCH_ON,
    kind: Some(Kind {
        address: &["source_ip"],
        address_protocols: &["TCP", "UDP", "TCP_UDP", "TLS", "GENEVE"],
    }),
    terraform: &[Spelling {
        resources: TARGET_GROUPS_TF,
        path: &[Key("stickiness"), Key("enabled")],
        // `enabled` defaults to true once the block is there.
        absent: Absent::Default("true"),
        kind: Some(Key("type")),
        protocol: Some("protocol"),
        message: "turns on target-group stickiness (`{kind}`)",
        fix: "remove the `stickiness` block or set `enabled = false`",
        address_fix: None,
    }],
    cloudformation: &[Spelling {
        resources: &["AWS::ElasticLoadBalancingV2::TargetGroup"],
        path: &[Key("TargetGroupAttributes"), Entry("stickiness.enabled")],
        absent: Absent::Default("false"),
        kind: Some(Entry("stickiness.type")),
        protocol: Some("Protocol"),
        message: "target group `{resource}` {sets}",
        fix: "turn the stickiness off",
        address_fix: Some(
            "balance without client-address affinity (round robin or least requests)",
        ),
    }],
    arm: &[],
};

/// Every infrastructure setting that pins users.
pub const SETTINGS: &[Setting] = &[
    TARGET_GROUP,
    Setting {
        name: "AWS listener forward-action stickiness",
        verdicts: SWITCH_ON,
        kind: None,
        terraform: &[
            spelling(
                LISTENERS_TF,
                &[
                    Key("default_action"),
                    Key("forward"),
                    Key("stickiness"),
                    Key("enabled"),
                ],
                Absent::Default("false"),
                LISTENER_SAYS,
                LISTENER_FIX,
            ),
            spelling(
                LISTENERS_TF,
                &[
                    Key("action"),
                    Key("forward"),
                    Key("stickiness"),
                    Key("enabled"),
                ],
                Absent::Default("false"),
                LISTENER_SAYS,
                LISTENER_FIX,
            ),
        ],
        cloudformation: &[],
        arm: &[],
    },
    Setting {
        name: "AWS classic ELB load-balancer cookie policy",
        verdicts: PRESENT,
        kind: None,
        terraform: &[spelling(
            &["aws_lb_cookie_stickiness_policy"],
            &[],
            Absent::Required,
            "makes the classic ELB insert a stickiness cookie",
            "delete the stickiness policy resource and its `policy_names` on the listener",
        )],
        cloudformation: &[spelling(
            &["AWS::ElasticLoadBalancing::LoadBalancer"],
            &[Key("LBCookieStickinessPolicy")],
            Absent::Required,
            "classic load balancer `{resource}` defines a `LBCookieStickinessPolicy`, which pins \
             each user to one instance",
            "turn the stickiness off",
        )],
        arm: &[],
    },
    Setting {
        name: "AWS classic ELB application cookie policy",
        verdicts: PRESENT,
        kind: None,
        terraform: &[spelling(
            &["aws_app_cookie_stickiness_policy"],
            &[],
            Absent::Required,
            "makes the classic ELB follow the application's session cookie",
            "delete the stickiness policy resource and its `policy_names` on the listener",
        )],
        cloudformation: &[spelling(
            &["AWS::ElasticLoadBalancing::LoadBalancer"],
            &[Key("AppCookieStickinessPolicy")],
            Absent::Required,
            "classic load balancer `{resource}` defines a `AppCookieStickinessPolicy`, which \
             pins each user to one instance",
            "turn the stickiness off",
        )],
        arm: &[],
    },
    Setting {
        name: "GCP backend service / target pool session affinity",
        verdicts: &[
            Verdict {
                when: When::Prefix(&["CLIENT_IP"]),
                rule: &rules::SL402,
            },
            Verdict {
                when: When::OneOf(&[
                    "GENERATED_COOKIE",
                    "HTTP_COOKIE",
                    "HEADER_FIELD",
                    "STRONG_COOKIE_AFFINITY",
                ]),
                rule: &rules::SL401,
            },
        ],
        kind: None,
        terraform: &[spelling(
            &[
                "google_compute_backend_service",
                "google_compute_region_backend_service",
                "google_compute_target_pool",
            ],
            &[Key("session_affinity")],
            Absent::Default("NONE"),
            "sets `session_affinity = \"{value}\"`",
            "set `session_affinity = \"NONE\"` (the default)",
        )],
        cloudformation: &[],
        arm: &[],
    },
    Setting {
        name: "Kubernetes Service session affinity",
        verdicts: &[Verdict {
            when: When::OneOf(&["ClientIP"]),
            rule: &rules::SL402,
        }],
        kind: None,
        terraform: &[spelling(
            &["kubernetes_service", "kubernetes_service_v1"],
            &[Key("spec"), Key("session_affinity")],
            Absent::Default("None"),
            "sets `session_affinity = \"{value}\"` on its `spec`",
            "remove `session_affinity` or set it to `\"None\"` (the default)",
        )],
        cloudformation: &[],
        arm: &[],
    },
    Setting {
        name: "Cloudflare load balancer session affinity",
        verdicts: &[Verdict {
            when: When::OneOf(&["cookie", "ip_cookie", "header"]),
            rule: &rules::SL401,
        }],
        kind: None,
        terraform: &[spelling(
            &["cloudflare_load_balancer"],
            &[Key("session_affinity")],
            Absent::Default("none"),
            "sets `session_affinity = \"{value}\"` (the `__cflb` cookie)",
            "set `session_affinity = \"none\"`",
        )],
        cloudformation: &[],
        arm: &[],
    },
    Setting {
        name: "Azure App Service ARR affinity",
        verdicts: SWITCH_ON,
        kind: None,
        terraform: &[spelling(
            &[
                "azurerm_linux_web_app",
                "azurerm_windows_web_app",
                "azurerm_app_service",
                "azurerm_linux_web_app_slot",
                "azurerm_windows_web_app_slot",
                "azurerm_app_service_slot",
            ],
            &[Key("client_affinity_enabled")],
            Absent::Default("false"),
            "turns on ARR affinity (`client_affinity_enabled = true`, the `ARRAffinity` cookie)",
            "set `client_affinity_enabled = false`",
        )],
        cloudformation: &[],
        arm: &[spelling(
            &["Microsoft.Web/sites", "Microsoft.Web/sites/slots"],
            &[Key("clientAffinityEnabled")],
            Absent::Unreported("true"),
            "this App Service (`{resource}`) turns on ARR affinity (`clientAffinityEnabled: \
             true`, the `ARRAffinity` cookie)",
            "set `clientAffinityEnabled: false` (when omitted, App Service turns affinity on)",
        )],
    },
    Setting {
        name: "Azure Application Gateway cookie-based affinity",
        verdicts: SWITCH_ON,
        kind: None,
        terraform: &[spelling(
            &["azurerm_application_gateway"],
            &[Key("backend_http_settings"), Key("cookie_based_affinity")],
            Absent::Required,
            "sets `cookie_based_affinity = \"Enabled\"` on its backend HTTP settings",
            "set `cookie_based_affinity = \"Disabled\"`",
        )],
        cloudformation: &[],
        arm: &[spelling(
            &["Microsoft.Network/applicationGateways"],
            &[Key("cookieBasedAffinity")],
            Absent::Default("Disabled"),
            "the application gateway's backend HTTP settings set `cookieBasedAffinity: Enabled`",
            "set `cookieBasedAffinity` to `Disabled`",
        )],
    },
    Setting {
        name: "Azure Front Door (Standard/Premium) origin-group session affinity",
        verdicts: SWITCH_ON,
        kind: None,
        terraform: &[spelling(
            &["azurerm_cdn_frontdoor_origin_group"],
            &[Key("session_affinity_enabled")],
            Absent::Default("false"),
            "turns on Front Door session affinity (`session_affinity_enabled = true`)",
            "set `session_affinity_enabled = false`",
        )],
        cloudformation: &[],
        arm: &[spelling(
            &["Microsoft.Cdn/profiles/originGroups"],
            &[Key("sessionAffinityState")],
            Absent::Default("Disabled"),
            "this Front Door origin group sets `sessionAffinityState: Enabled`",
            "set `sessionAffinityState` to `Disabled`",
        )],
    },
    Setting {
        name: "Azure Front Door (classic) frontend endpoint session affinity",
        verdicts: SWITCH_ON,
        kind: None,
        terraform: &[spelling(
            &["azurerm_frontdoor"],
            &[Key("frontend_endpoint"), Key("session_affinity_enabled")],
            Absent::Default("false"),
            "turns on Front Door session affinity on a frontend endpoint \
             (`session_affinity_enabled = true`)",
            "set `session_affinity_enabled = false` on the `frontend_endpoint`",
        )],
        cloudformation: &[],
        arm: &[spelling(
            &["Microsoft.Network/frontDoors"],
            &[Key("sessionAffinityEnabledState")],
            Absent::Default("Disabled"),
            "this Front Door (classic) frontend endpoint sets `sessionAffinityEnabledState: \
             Enabled`",
            "set `sessionAffinityEnabledState` to `Disabled`",
        )],
    },
    Setting {
        name: "Azure Container Apps ingress sticky sessions",
        verdicts: &[Verdict {
            when: When::OneOf(&["sticky"]),
            rule: &rules::SL401,
        }],
        kind: None,
        terraform: &[],
        cloudformation: &[],
        arm: &[spelling(
            &["Microsoft.App/containerApps"],
            &[Key("stickySessions"), Key("affinity")],
            Absent::Default("none"),
            "this container app's ingress sets `stickySessions.affinity: sticky`",
            "set `stickySessions.affinity` to `none`",
        )],
    },
    Setting {
        name: "DigitalOcean load balancer sticky sessions",
        verdicts: &[Verdict {
            when: When::OneOf(&["cookies"]),
            rule: &rules::SL401,
        }],
        kind: None,
        terraform: &[spelling(
            &["digitalocean_loadbalancer"],
            &[Key("sticky_sessions"), Key("type")],
            Absent::Default("none"),
            "turns on `sticky_sessions` of type `cookies`",
            "remove `sticky_sessions` or set `type = \"none\"`",
        )],
        cloudformation: &[],
        arm: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    const FORMATS: [Format; 3] = [Format::Terraform, Format::CloudFormation, Format::Arm];

    #[test]
    fn every_row_is_spelled_completely() {
        for row in SETTINGS {
            assert!(
                FORMATS.iter().any(|f| !row.spellings(*f).is_empty()),
                "{} is spelled in no format",
                row.name
            );
            assert!(!row.verdicts.is_empty(), "{} has no verdict", row.name);
            for format in FORMATS {
                for s in row.spellings(format) {
                    assert!(
                        !s.resources.is_empty(),
                        "{} ({format:?}): no resource type",
                        row.name
                    );
                    assert!(
                        s.resources.iter().all(|r| !r.trim().is_empty()),
                        "{} ({format:?}): an empty resource type",
                        row.name
                    );
                    // Only Terraform names a resource that pins by itself being there.
                    assert!(
                        !s.path.is_empty() || format == Format::Terraform,
                        "{} ({format:?}): no attribute path",
                        row.name
                    );
                    assert!(
                        s.path.iter().all(|p| !p.name().is_empty()),
                        "{} ({format:?}): an empty path step",
                        row.name
                    );
                    assert!(!s.message.is_empty() && !s.fix.is_empty(), "{}", row.name);
                    assert_eq!(
                        row.kind.is_some(),
                        s.kind.is_some(),
                        "{} ({format:?}): kinds need the attribute naming them",
                        row.name
                    );
                    // The default must not pin users by itself unless the path's parent is a
                    // block whose presence turns the setting on.
                    if s.path.len() < 2 {
                        assert!(
                            row.judge(s, Value::Absent, None, None).is_none(),
                            "{} ({format:?}): an absent attribute would always be reported",
                            row.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn verdicts_follow_values_and_kinds() {
        let tg = &TARGET_GROUP;
        let tf = &tg.terraform[0];
        let cfn = &tg.cloudformation[0];
        assert_eq!(
            tg.judge(tf, Value::Absent, None, None).map(|r| r.id),
            Some("SL401")
        );
        assert_eq!(tg.judge(cfn, Value::Absent, None, None), None);
        assert_eq!(tg.judge(tf, Value::Known("false"), None, None), None);
        assert_eq!(tg.judge(tf, Value::Unknown, None, None), None);
        assert_eq!(
            tg.judge(tf, Value::Known("true"), Some("source_ip"), None)
                .map(|r| r.id),
            Some("SL402")
        );
        assert_eq!(
            tg.judge(tf, Value::Known("true"), None, Some("tcp"))
                .map(|r| r.id),
            Some("SL402")
        );
        assert_eq!(
            tg.judge(tf, Value::Known("True"), Some("lb_cookie"), Some("TCP"))
                .map(|r| r.id),
            Some("SL401")
        );
        let gcp = SETTINGS
            .iter()
            .find(|r| r.name.starts_with("GCP"))
            .expect("gcp row");
        let s = &gcp.terraform[0];
        assert_eq!(
            gcp.judge(s, Value::Known("CLIENT_IP_PORT_PROTO"), None, None)
                .map(|r| r.id),
            Some("SL402")
        );
        assert_eq!(
            gcp.judge(s, Value::Known("generated_cookie"), None, None)
                .map(|r| r.id),
            Some("SL401")
        );
        assert_eq!(gcp.judge(s, Value::Known("NONE"), None, None), None);
    }

    #[test]
    fn arm_types_match_children_and_relative_nested_types() {
        let site = &SETTINGS
            .iter()
            .find(|r| r.name.contains("App Service"))
            .expect("app service row")
            .arm[0];
        assert!(arm_type_matches(site, "Microsoft.Web/sites@2023-01-01"));
        assert!(arm_type_matches(site, "microsoft.web/sites/slots"));
        assert!(arm_type_matches(site, "sites"));
        assert!(arm_type_matches(site, "slots"));
        assert!(!arm_type_matches(site, "config"));
        assert!(!arm_type_matches(site, "Microsoft.Web/sitesX"));
        assert!(!arm_type_matches(site, "Microsoft.Web/serverfarms"));
        assert!(!arm_type_matches(site, ""));
    }

    #[test]
    #[should_panic(expected = "not covered")]
    fn uncovered_spellings_are_caught() {
        assert_covered(Format::Arm, &["stickySessions"]);
    }

    #[test]
    fn triggers_cover_every_spelling() {
        for format in FORMATS {
            let triggers = triggers(SETTINGS, format, &[]);
            for s in SETTINGS.iter().flat_map(|r| r.spellings(format)) {
                assert!(
                    literals(s)
                        .iter()
                        .any(|l| triggers.iter().any(|t| l.contains(t))),
                    "{format:?}: {:?} is not covered by {triggers:?}",
                    s.resources
                );
            }
        }
        assert_eq!(
            triggers(SETTINGS, Format::Terraform, &["stick", "affinity"]),
            ["stick", "affinity"]
        );
        assert_eq!(rules(SETTINGS, Format::Arm), ["SL401"]);
        assert_eq!(rules(SETTINGS, Format::CloudFormation), ["SL401", "SL402"]);
    }
}
