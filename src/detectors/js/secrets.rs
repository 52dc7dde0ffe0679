//! Signing secrets generated when the process starts: a session, cookie or JWT secret from
//! `crypto.randomBytes` / `randomUUID` / uuid / nanoid. Each instance then signs with its own key,
//! so a cookie or token issued by one is rejected by the others (and by itself after a restart).

use super::evaluate;
use super::model::{JsModel, Kind};
use super::module_scope::{ModuleScope, enclosing_function};
use crate::detectors::table::{self, Library, Opt, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{key_name, preorder, text};
use crate::project::Sink;
use crate::rules;
use crate::source::FileKind;
use std::sync::LazyLock;
use tree_sitter::Node;

/// Secrets that differ per process.
pub struct EphemeralSecrets;

/// Option keys that hold a signing or encryption secret.
const SECRET_KEYS: &[&str] = &[
    "secret",
    "secrets",
    "secretOrKey",
    "secretOrPrivateKey",
    "jwtSecret",
    "sessionSecret",
    "cookieSecret",
    "keys",
];

/// Callee names (last segment) that take signing options: session and cookie middleware, JWT
/// modules and strategies, auth libraries.
const CONSUMERS: &[&str] = &[
    "session",
    "Session",
    "cookieSession",
    "register",
    "registerAsync",
    "forRoot",
    "Strategy",
    "JwtStrategy",
    "expressjwt",
    "expressJwt",
    "jwt",
    "koaJwt",
    "NextAuth",
    "Auth",
    "getIronSession",
    "ironSession",
    "withIronSessionApiRoute",
    "sealData",
    "createApp",
];

/// Calls that produce random values.
const RANDOM: &[Pattern] = &[
    random("crypto", &["randomBytes"]),
    random("crypto", &["randomUUID"]),
    random("node:crypto", &["randomBytes"]),
    random("node:crypto", &["randomUUID"]),
    random("uuid", &["v4"]),
    random("uuid", &["v1"]),
    random("nanoid", &["nanoid"]),
];

const fn random(package: &'static str, path: &'static [&'static str]) -> Pattern {
    Pattern { package, path }
}

/// A call that takes a signing key at argument `$position`; it is reported when that key is
/// random (judged by hand: [`is_random`]).
macro_rules! signer {
    ($package:literal, $path:expr, $position:literal) => {
        Library {
            symbol: Pattern {
                package: $package,
                path: $path,
            },
            usage: Usage::Call,
            option: Some(Opt {
                key: "secret",
                position: Some($position),
            }),
            verdicts: &[Verdict {
                when: When::Present,
                rule: &rules::SL505,
                message: "signing key",
            }],
            fix: HELP,
            name: $package,
        }
    };
}

/// `jwt.sign(payload, secret)`, `jwt.verify(token, secret)`, `cookieParser(secret)`.
const SIGNERS: &[Library] = &[
    signer!("jsonwebtoken", &["sign"], 1),
    signer!("jsonwebtoken", &["verify"], 1),
    signer!("cookie-parser", &[], 0),
];

static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[SIGNERS]));

const HELP: &str = "read the secret from the environment or a secret manager (e.g. \
    `secret: process.env.SESSION_SECRET`), the same value on every instance, and fail at start \
    when it is missing";

impl Detector for EphemeralSecrets {
    fn id(&self) -> &'static str {
        "js/ephemeral-secrets"
    }
    fn kinds(&self) -> &'static [FileKind] {
        super::JS_KINDS
    }
    fn triggers(&self) -> &'static [&'static str] {
        // Every finding names a signing option or a signing library; the random sources
        // (`randomBytes`, `uuid`, `nanoid`) and the signers' members (`sign`, `verify`) are in
        // far more files, so these are written by hand (a test checks they cover SIGNERS).
        &[
            "secret",
            "Secret",
            "jsonwebtoken",
            "cookie-parser",
            ".keys =",
            ".keys=",
            "keys:",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Js(self)
    }
}

fn finding(at: Node<'_>, what: &str) -> Diagnostic {
    Diagnostic::new(
        &rules::SL505,
        at.byte_range(),
        format!(
            "`{what}` is generated at startup, so every instance (and every restart) signs with a different key"
        ),
        HELP,
    )
}

impl Check<JsModel<'_>> for EphemeralSecrets {
    fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
        let _file = model.file;
        let src = model.src;
        let scope = model.scope();
        let kinds = [Kind::Pair, Kind::Shorthand, Kind::Call, Kind::Assignment];
        for node in model.nodes(&kinds) {
            match node.kind() {
                // `{ secret: crypto.randomBytes(32).toString('hex') }`
                "pair" => {
                    if let (Some(key), Some(value)) = (
                        node.child_by_field_name("key"),
                        node.child_by_field_name("value"),
                    ) && SECRET_KEYS.contains(&key_name(key, src))
                        && configures_signing(node, src)
                        && is_random(value, src, scope)
                    {
                        out.push(finding(value, key_name(key, src)));
                    }
                }
                "shorthand_property_identifier" => {
                    let name = text(node, src);
                    if SECRET_KEYS.contains(&name)
                        && configures_signing(node, src)
                        && is_random(node, src, scope)
                    {
                        out.push(finding(node, name));
                    }
                }
                // `jwt.sign(payload, secret)`, `cookieParser(secret)`, koa `app.keys = […]`.
                "call_expression" => {
                    if let Some(used) = evaluate::find(SIGNERS, node, scope, src)
                        && let Some(position) = used.row.option.and_then(|o| o.position)
                        && let Some(key) = used.arg(position)
                        && is_random(key, src, scope)
                        && let Some(verdict) = used.row.verdict(OptionValue::Unknown)
                    {
                        out.push(finding(key, verdict.message));
                    }
                }
                "assignment_expression" => {
                    if let (Some(left), Some(right)) = (
                        node.child_by_field_name("left"),
                        node.child_by_field_name("right"),
                    ) && left.kind() == "member_expression"
                        && left.child_by_field_name("property").is_some_and(|p| {
                            // koa's `app.keys`, or module-level `config.secret = …` (inside a
                            // function it is usually a lazily generated fallback).
                            text(p, src) == "keys"
                                || (matches!(text(p, src), "secret" | "secretKey")
                                    && enclosing_function(node).is_none())
                        })
                        && is_random(right, src, scope)
                    {
                        out.push(finding(right, text(left, src)));
                    }
                }
                _ => {}
            }
        }
    }
}

/// Whether the object holding `prop` configures a library (it is an argument of a known consumer)
/// or is module-level configuration. A `{ secret: randomBytes() }` built inside a handler is a
/// per-user secret being created, not the app's signing key.
fn configures_signing(prop: Node<'_>, src: &str) -> bool {
    let Some(object) = prop.parent() else {
        return false;
    };
    let mut holder = object.parent();
    // Nested options: `{ session: { secret } }`.
    while let Some(h) =
        holder.filter(|h| matches!(h.kind(), "pair" | "object" | "parenthesized_expression"))
    {
        holder = h.parent();
    }
    match holder.map(|h| (h.kind(), h)) {
        Some(("arguments", args)) => args.parent().is_some_and(|call| {
            let callee = call
                .child_by_field_name("function")
                .or_else(|| call.child_by_field_name("constructor"));
            callee.is_some_and(|c| {
                let t = text(c, src);
                let last = t.rsplit('.').next().unwrap_or(t);
                CONSUMERS.contains(&last)
            })
        }),
        Some(("variable_declarator", decl)) => decl
            .parent()
            .and_then(|d| d.parent())
            .is_some_and(|p| matches!(p.kind(), "program" | "export_statement")),
        Some(("export_statement" | "assignment_expression", _)) => true,
        _ => false,
    }
}

/// Whether the value is a random generator's output, directly or through a `const`. A value
/// that only falls back to one (`process.env.X || randomBytes()`) is configured in production and
/// is left alone.
fn is_random<'t>(value: Node<'t>, src: &str, scope: &ModuleScope<'t>) -> bool {
    let value = scope.resolve(value, src);
    let mut random = false;
    let mut conditional = false;
    preorder(value, |n| {
        match n.kind() {
            "ternary_expression" => conditional = true,
            "binary_expression"
                if n.child_by_field_name("operator")
                    .is_some_and(|o| matches!(text(o, src), "||" | "??")) =>
            {
                conditional = true;
            }
            "arrow_function" | "function_expression" | "function" => return false,
            "call_expression" => {
                if let Some(callee) = n.child_by_field_name("function") {
                    let global_crypto = matches!(
                        text(callee, src),
                        "crypto.randomUUID" | "globalThis.crypto.randomUUID"
                    ) && scope.origin(callee, src).is_none();
                    random |= global_crypto
                        || scope
                            .origin(callee, src)
                            .is_some_and(|s| evaluate::any(RANDOM, &s));
                }
            }
            _ => {}
        }
        true
    });
    random && !conditional
}

#[cfg(test)]
mod tests {
    use super::{EphemeralSecrets, SIGNERS};
    use crate::detectors::js::{evaluate, run};

    #[test]
    fn signers_are_covered_by_triggers_and_rules() {
        evaluate::assert_covered(&EphemeralSecrets, &[SIGNERS]);
        let cookie = "const cookieParser = require('cookie-parser');\nconst { v4 } = require('uuid');\napp.use(cookieParser(v4()));\n";
        assert_eq!(run(&EphemeralSecrets, "app.js", cookie), [("SL505", 3)]);
    }

    #[test]
    fn startup_secrets_not_per_user_ones_or_fallbacks() {
        let jwt = "const jwt = require('jsonwebtoken');\nconst { randomUUID } = require('crypto');\nconst KEY = randomUUID();\nfunction issue(u) { return jwt.sign({ sub: u }, KEY); }\n";
        assert_eq!(run(&EphemeralSecrets, "auth.js", jwt), [("SL505", 4)]);
        let koa = "import crypto from 'node:crypto';\napp.keys = [crypto.randomBytes(16).toString('hex')];\n";
        assert_eq!(run(&EphemeralSecrets, "app.ts", koa), [("SL505", 2)]);
        let fallback = "import crypto from 'node:crypto';\napp.use(session({ secret: process.env.SECRET || crypto.randomBytes(16).toString('hex') }));\n";
        assert!(run(&EphemeralSecrets, "app.ts", fallback).is_empty());
        let per_user = "import { randomBytes } from 'node:crypto';\nasync function create(db) { await db.insert({ secret: randomBytes(32).toString('hex') }); }\n";
        assert!(run(&EphemeralSecrets, "keys.ts", per_user).is_empty());
    }
}
