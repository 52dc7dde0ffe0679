//! Real-time fan-out that only reaches this instance's clients: a Socket.IO server (or a NestJS
//! gateway) with the default in-memory adapter, and `ws` servers broadcasting over their own
//! `clients` set. Socket.IO adapters are often wired in another file (`io.adapter(...)`, a NestJS
//! `RedisIoAdapter`), so servers are resolved across the project: an adapter call anywhere, or an
//! adapter package in a package.json, keeps them silent.

use super::evaluate;
use super::model::{JsModel, Kind};
use super::module_scope::{ModuleScope, unparenthesize};
use super::options::{Prop, arg, head, option};
use crate::detectors::table::{self, Library, Opt, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::text;
use crate::project::manifests::{Ecosystem, Manifests};
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::FileKind;
use std::ops::Range;
use std::sync::LazyLock;
use tree_sitter::Node;

/// Local-only WebSocket fan-out.
pub struct Realtime;

/// Packages that give Socket.IO a shared adapter.
const ADAPTER_PACKAGES: &[Pattern] = &[
    package("@socket.io/redis-adapter"),
    package("@socket.io/redis-streams-adapter"),
    package("@socket.io/postgres-adapter"),
    package("@socket.io/mongo-adapter"),
    package("@socket.io/gcp-pubsub-adapter"),
    package("@socket.io/aws-sqs-adapter"),
    package("@socket.io/azure-service-bus-adapter"),
    package("socket.io-redis"),
    package("socket.io-adapter-mongo"),
    package("@nestjs/microservices"),
];

/// Modules whose clients carry messages between instances; a `ws` broadcast in a file that
/// uses one is the last hop of a shared fan-out.
const PUBSUB_MODULES: &[Pattern] = &[
    package("redis"),
    package("ioredis"),
    package("@redis/client"),
    package("nats"),
    package("amqplib"),
    package("kafkajs"),
    package("mqtt"),
    package("pg"),
    package("@google-cloud/pubsub"),
    package("@aws-sdk/client-sns"),
    package("@aws-sdk/client-sqs"),
];

/// `ws` server classes, whose `clients` are this instance's sockets.
const WS_SERVERS: &[Pattern] = &[
    Pattern {
        package: "ws",
        path: &["WebSocketServer"],
    },
    Pattern {
        package: "ws",
        path: &["Server"],
    },
    Pattern {
        package: "ws",
        path: &["WebSocket", "Server"],
    },
];

const fn package(package: &'static str) -> Pattern {
    Pattern { package, path: &[] }
}

const SOCKET_IO_DEFAULT: &str = "this Socket.IO server uses the default in-memory adapter, so emits and rooms only reach clients connected to this instance";

/// A Socket.IO server, `new Server(http, { adapter })` or `require('socket.io')(http)`: without
/// an `adapter` (in the options, argument 1 or a lone options argument 0) it keeps rooms here.
macro_rules! socket_io {
    ($path:expr, $usage:expr) => {
        Library {
            symbol: Pattern {
                package: "socket.io",
                path: $path,
            },
            usage: $usage,
            option: Some(Opt {
                key: "adapter",
                position: Some(1),
            }),
            verdicts: &[Verdict {
                when: When::Absent,
                rule: &rules::SL502,
                message: SOCKET_IO_DEFAULT,
            }],
            fix: SOCKET_IO_HELP,
            name: "Socket.IO",
        }
    };
}

/// Servers whose fan-out stays on this instance unless an adapter is configured somewhere.
const SERVERS: &[Library] = &[
    socket_io!(&[], Usage::Construct),
    socket_io!(&[], Usage::Call),
    socket_io!(&["Server"], Usage::Construct),
    socket_io!(&["Server"], Usage::Call),
    Library {
        symbol: Pattern {
            package: "@nestjs/websockets",
            path: &["WebSocketGateway"],
        },
        usage: Usage::Decorate,
        option: None,
        verdicts: &[Verdict {
            when: When::Used,
            rule: &rules::SL502,
            message: "this NestJS gateway runs on the default IoAdapter (in-memory), so emits and rooms only reach clients connected to this instance",
        }],
        fix: NEST_HELP,
        name: "NestJS WebSocketGateway",
    },
];

static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[SERVERS]));

const SOCKET_IO_HELP: &str = "give Socket.IO a shared adapter so emits reach clients on every instance: \
    `io.adapter(createAdapter(pubClient, subClient))` from @socket.io/redis-adapter (or \
    @socket.io/redis-streams-adapter, @socket.io/postgres-adapter); with HTTP long-polling the \
    balancer also needs sticky sessions, or use `transports: ['websocket']`";
const NEST_HELP: &str = "register a Redis-backed adapter: `class RedisIoAdapter extends IoAdapter` calling \
    `server.adapter(createAdapter(pub, sub))` from @socket.io/redis-adapter, then \
    `app.useWebSocketAdapter(redisIoAdapter)` in main.ts";
const WS_HELP: &str = "publish each message to Redis pub/sub (or NATS, Postgres LISTEN/NOTIFY) and let \
    every instance forward it to its own `clients`, or move to Socket.IO with a shared adapter";

/// What a file says about Socket.IO, recorded for the project-wide decision.
enum Fact {
    /// A server with the default adapter, unless an adapter is configured somewhere.
    Server(Range<usize>, &'static str, &'static str),
    /// A shared adapter is configured or available.
    Adapter,
}

impl Detector for Realtime {
    fn id(&self) -> &'static str {
        "js/realtime"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::JavaScript, FileKind::TypeScript, FileKind::Tsx]
    }
    fn triggers(&self) -> &'static [&'static str] {
        // By hand: the rows' `Server` is in far more files than Socket.IO is (a test checks
        // these cover SERVERS); the adapter and `ws` forms are hand-written analysis.
        &[
            "socket.io",
            "WebSocketGateway",
            "useWebSocketAdapter",
            ".adapter(",
            ".clients",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Js(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        if facts.of::<Fact>().any(|(_, f)| matches!(f, Fact::Adapter)) {
            return;
        }
        let manifests = Manifests::new(facts);
        // An adapter declared in the server's own package counts; a neighbour's does not.
        let declared = |path: &str| {
            manifests.of(Ecosystem::Npm, path).is_some_and(|m| {
                m.deps.iter().any(|d| {
                    let name = d.package.as_deref().unwrap_or(&d.name);
                    ADAPTER_PACKAGES.iter().any(|p| p.package == name)
                })
            })
        };
        for (path, fact) in facts.of::<Fact>() {
            if declared(path) {
                continue;
            }
            if let Fact::Server(span, message, help) = fact {
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: Diagnostic::new(&rules::SL502, span.clone(), *message, *help),
                });
            }
        }
    }
}

impl Check<JsModel<'_>> for Realtime {
    fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
        check_js(model, out);
    }
}

fn check_js(model: &JsModel<'_>, out: &mut Sink) {
    let src = model.src;
    let scope = model.scope();
    let relays = scope
        .bindings
        .iter()
        .any(|b| PUBSUB_MODULES.iter().any(|p| p.package == b.module));
    let kinds: &[Kind] = if relays {
        &[Kind::New, Kind::Call]
    } else {
        &[Kind::New, Kind::Call, Kind::Member]
    };
    for node in model.nodes(kinds) {
        if node.kind() == "member_expression" {
            ws_broadcast(node, src, scope, out);
        } else {
            socket_io_server(node, src, scope, out);
        }
    }
}

fn socket_io_server<'t>(node: Node<'t>, src: &str, scope: &ModuleScope<'t>, out: &mut Sink) {
    let is_new = node.kind() == "new_expression";
    let Some(target) = node.child_by_field_name(if is_new { "constructor" } else { "function" })
    else {
        return;
    };
    // `io.adapter(createAdapter(…))`, `server.adapter(this.adapterConstructor)`,
    // `app.useWebSocketAdapter(new RedisIoAdapter(app))`.
    if !is_new
        && let Some(property) = target.child_by_field_name("property")
        && matches!(text(property, src), "adapter" | "useWebSocketAdapter")
        && arg(node, 0).is_some()
    {
        out.fact(Fact::Adapter);
        return;
    }
    let Some(used) = evaluate::find(SERVERS, node, scope, src) else {
        return;
    };
    let value = if used.row.option.is_some() {
        // `new Server(http, { adapter: createAdapter(…) })`, `new Server({ adapter })`.
        let options = used.arg(1).or_else(|| {
            used.arg(0)
                .filter(|a| scope.resolve(*a, src).kind() == "object")
        });
        match option(options, "adapter", scope, src) {
            Prop::Absent => OptionValue::Absent,
            _ => OptionValue::Unknown,
        }
    } else {
        OptionValue::Absent
    };
    match used.row.verdict(value) {
        Some(verdict) => out.fact(Fact::Server(head(node), verdict.message, used.row.fix)),
        None => out.fact(Fact::Adapter),
    }
}

/// `wss.clients.forEach(…)` / `for (const c of wss.clients)` on a `ws` server.
fn ws_broadcast<'t>(member: Node<'t>, src: &str, scope: &ModuleScope<'t>, out: &mut Sink) {
    if member.child_by_field_name("property").map(|p| text(p, src)) != Some("clients") {
        return;
    }
    let Some(object) = member.child_by_field_name("object") else {
        return;
    };
    let server = scope.resolve(object, src);
    let is_ws_server = server.kind() == "new_expression"
        && server
            .child_by_field_name("constructor")
            .and_then(|c| scope.origin(c, src))
            .is_some_and(|s| evaluate::any(WS_SERVERS, &s));
    if !is_ws_server {
        return;
    }
    let parent = member.parent().map(unparenthesize);
    let iterated = parent.is_some_and(|p| {
        (p.kind() == "member_expression"
            && p.child_by_field_name("property")
                .is_some_and(|q| text(q, src) == "forEach"))
            || p.kind() == "for_in_statement"
    });
    if iterated {
        out.push(Diagnostic::new(
            &rules::SL502,
            member.byte_range(),
            "this broadcast iterates the `ws` server's own `clients`, so it only reaches sockets connected to this instance",
            WS_HELP,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::{Realtime, SERVERS};
    use crate::detectors::js::evaluate;

    #[test]
    fn servers_are_covered_by_triggers_and_rules() {
        evaluate::assert_covered(&Realtime, &[SERVERS]);
    }
}
