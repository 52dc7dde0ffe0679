//! Real-time fan-out that only reaches this instance's clients: a Socket.IO server (or a NestJS
//! gateway) with the default in-memory adapter, and `ws` servers broadcasting over their own
//! `clients` set. Socket.IO adapters are often wired in another file (`io.adapter(...)`, a NestJS
//! `RedisIoAdapter`), so servers are resolved across the project: an adapter call anywhere, or an
//! adapter package in a package.json, keeps them silent.

use super::model::JsModel;
use super::module_scope::{ModuleScope, unparenthesize};
use super::options::{Prop, arg, head, option};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{preorder, text};
use crate::project::manifests::{Ecosystem, Manifests};
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::FileKind;
use std::ops::Range;
use tree_sitter::Node;

/// Local-only WebSocket fan-out.
pub struct Realtime;

/// Packages that give Socket.IO a shared adapter.
const ADAPTER_PACKAGES: &[&str] = &[
    "@socket.io/redis-adapter",
    "@socket.io/redis-streams-adapter",
    "@socket.io/postgres-adapter",
    "@socket.io/mongo-adapter",
    "@socket.io/gcp-pubsub-adapter",
    "@socket.io/aws-sqs-adapter",
    "@socket.io/azure-service-bus-adapter",
    "socket.io-redis",
    "socket.io-adapter-mongo",
    "@nestjs/microservices",
];

/// Modules whose clients carry messages between instances; a `ws` broadcast in a file that
/// uses one is the last hop of a shared fan-out.
const PUBSUB_MODULES: &[&str] = &[
    "redis",
    "ioredis",
    "@redis/client",
    "nats",
    "amqplib",
    "kafkajs",
    "mqtt",
    "pg",
    "@google-cloud/pubsub",
    "@aws-sdk/client-sns",
    "@aws-sdk/client-sqs",
];

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
        &[
            "socket.io",
            "WebSocketGateway",
            "useWebSocketAdapter",
            ".adapter(",
            ".clients",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL502"]
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
                m.deps
                    .iter()
                    .any(|d| ADAPTER_PACKAGES.contains(&d.package.as_deref().unwrap_or(&d.name)))
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
    let (src, root) = (model.src, model.root);
    let scope = model.scope();
    let relays = scope.imports_any(PUBSUB_MODULES);
    preorder(root, |node| {
        match node.kind() {
            "new_expression" | "call_expression" => {
                socket_io_server(node, src, scope, out);
            }
            "member_expression" if !relays => ws_broadcast(node, src, scope, out),
            _ => {}
        }
        true
    });
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
    let Some(origin) = scope.origin(target, src) else {
        return;
    };
    let path = origin.path();
    match (origin.package.as_str(), path.as_slice()) {
        ("socket.io", [] | ["Server"]) => {
            // `new Server(http, { adapter: createAdapter(…) })`.
            let options = arg(node, 1).or_else(|| arg(node, 0).filter(|a| scope.resolve(*a, src).kind() == "object"));
            if matches!(option(options, "adapter", scope, src), Prop::Value(_)) {
                out.fact(Fact::Adapter);
                return;
            }
            out.fact(Fact::Server(
                head(node),
                "this Socket.IO server uses the default in-memory adapter, so emits and rooms only reach clients connected to this instance",
                SOCKET_IO_HELP,
            ));
        }
        ("@nestjs/websockets", ["WebSocketGateway"]) => out.fact(Fact::Server(
            head(node),
            "this NestJS gateway runs on the default IoAdapter (in-memory), so emits and rooms only reach clients connected to this instance",
            NEST_HELP,
        )),
        _ => {}
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
        && server.child_by_field_name("constructor").is_some_and(|c| {
            scope.is(c, src, &["ws"], &["WebSocketServer"])
                || scope.is(c, src, &["ws"], &["Server"])
                || scope.is(c, src, &["ws"], &["WebSocket", "Server"])
        });
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
