//! Upload handling that writes the user's file to this instance's disk: multer `dest` or
//! `diskStorage` (also through NestJS `MulterModule` / `FileInterceptor`), formidable `uploadDir`,
//! express-fileupload's `file.mv(path)`, and `fs` writes of request file data (busboy/multiparty
//! `file` streams, `req.file.buffer`, a web `File`'s `arrayBuffer()`). `memoryStorage()`,
//! multer-s3 and other storage engines keep the file off the local disk and are not reported.

use super::evaluate;
use super::linked::{ImportRef, exports, import_ref};
use super::model::{JsModel, Kind};
use super::module_scope::ModuleScope;
use super::options::{Prop, arg, head, is_nullish, option};
use crate::detectors::table::{self, Library, Opt, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::diagnostic::Diagnostic;
use crate::parse::js::{preorder, string_value, text};
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::FileKind;
use std::sync::LazyLock;
use tree_sitter::Node;

/// Uploaded files persisted on the local filesystem.
pub struct Uploads;

/// A call or `new` that takes multer or formidable options at argument `$position`, whose
/// `$key` (`dest`, `uploadDir`; multer's `storage` is judged with it by hand) puts uploads on
/// this disk unless it is a temp dir.
macro_rules! takes {
    ($package:literal, $path:expr, $usage:expr, $key:literal, $position:expr, $message:literal, $fix:expr $(,)?) => {
        Library {
            symbol: Pattern {
                package: $package,
                path: $path,
            },
            usage: $usage,
            option: Some(Opt {
                key: $key,
                position: $position,
            }),
            verdicts: &[Verdict {
                when: When::Present,
                rule: &rules::SL201,
                message: $message,
            }],
            fix: $fix,
            name: $package,
        }
    };
}

/// multer options: `multer(options)` and NestJS's `MulterModule.register(options)`,
/// `FileInterceptor('f', options)`, `FilesInterceptor('f', n, options)`,
/// `FileFieldsInterceptor([...], options)`, `AnyFilesInterceptor(options)`, and what an inline
/// `MulterModule.registerAsync` factory returns.
macro_rules! multer {
    ($package:literal, $path:expr, $position:expr) => {
        takes!(
            $package,
            $path,
            Usage::Call,
            "dest",
            $position,
            "saves every uploaded file on this instance's disk",
            MULTER_HELP,
        )
    };
}

const MULTER: &[Library] = &[
    multer!("multer", &[], None),
    multer!(
        "@nestjs/platform-express",
        &["MulterModule", "register"],
        None
    ),
    multer!(
        "@nestjs/platform-express",
        &["MulterModule", "registerAsync"],
        None
    ),
    multer!("@nestjs/platform-express", &["FileInterceptor"], Some(1)),
    multer!(
        "@nestjs/platform-express",
        &["FileFieldsInterceptor"],
        Some(1)
    ),
    multer!("@nestjs/platform-express", &["AnyFilesInterceptor"], None),
    multer!("@nestjs/platform-express", &["FilesInterceptor"], Some(2)),
];

/// formidable's `uploadDir`, as `formidable(options)` or `new IncomingForm(options)`.
macro_rules! formidable {
    ($path:expr, $usage:expr) => {
        takes!(
            "formidable",
            $path,
            $usage,
            "uploadDir",
            None,
            "keeps uploaded files on this instance's disk",
            FS_HELP,
        )
    };
}

const FORMIDABLE: &[Library] = &[
    formidable!(&[], Usage::Call),
    formidable!(&["formidable"], Usage::Call),
    formidable!(&[], Usage::Construct),
    formidable!(&["IncomingForm"], Usage::Construct),
    formidable!(&["Formidable"], Usage::Construct),
];

/// multer's storage engine that writes to this disk.
const DISK_STORAGE: Pattern = Pattern {
    package: "multer",
    path: &["diskStorage"],
};

/// Node's file system modules and fs-extra.
const FS: &[Pattern] = &[
    module("fs"),
    module("node:fs"),
    module("fs/promises"),
    module("node:fs/promises"),
    module("fs-extra"),
];

const fn module(package: &'static str) -> Pattern {
    Pattern { package, path: &[] }
}

/// By hand, checked against the rows by a test (the rows' `register` is in far more files):
/// the packages, NestJS's platform package (its interceptors need not say "multer"),
/// express-fileupload's `mv` and fs writes of request files.
const TRIGGERS: &[&str] = &[
    "multer",
    "Multer",
    "platform-express",
    "formidable",
    ".mv(",
    "createWriteStream",
    "writeFile",
    "uploadDir",
];
static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[MULTER, FORMIDABLE]));

const MULTER_HELP: &str = "store uploads in object storage every instance can reach: \
    `storage: multerS3({ s3, bucket })` from multer-s3, or `multer.memoryStorage()` followed by an \
    upload with the S3/GCS/Azure SDK (or hand out presigned upload URLs)";
const FS_HELP: &str = "write the upload to object storage (S3 `PutObjectCommand` / `Upload` from \
    @aws-sdk/lib-storage, GCS `bucket.file().save()`, Azure `uploadData`, Vercel Blob `put()`) \
    instead of the local disk, or hand out presigned upload URLs";

impl Detector for Uploads {
    fn id(&self) -> &'static str {
        "js/uploads"
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

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        let uses: Vec<&MulterUse> = facts.of::<MulterUse>().map(|(_, u)| u).collect();
        let mut reported: Vec<(&str, usize)> = Vec::new();
        for (path, export) in facts.of::<MulterExport>() {
            let used = uses
                .iter()
                .any(|u| u.role == export.role && u.import.names(path, &export.name));
            let key = (path, export.diagnostic.span.start);
            if used && !reported.contains(&key) {
                reported.push(key);
                out.push(Located {
                    path: path.to_owned(),
                    diagnostic: export.diagnostic.clone(),
                });
            }
        }
    }
}

impl Check<JsModel<'_>> for Uploads {
    fn check(&self, model: &JsModel<'_>, out: &mut Sink) {
        let file = model.file;
        let src = model.src;
        let root = model.root;
        let scope = model.scope();
        let here = file.rel_path.as_str();
        for node in model.nodes(&[Kind::Call, Kind::New]) {
            if node.kind() == "call_expression" {
                check_call(node, src, scope, here, out);
            } else {
                check_formidable(node, src, scope, out);
            }
        }
        record_exports(root, src, scope, out);
    }
}

/// What an exported value is to multer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A storage engine (`storage: x`).
    Storage,
    /// An options object (`multer(x)`, `MulterModule.register(x)`).
    Options,
}

/// Fact: multer takes a storage engine or options object from another project file.
struct MulterUse {
    import: ImportRef,
    role: Role,
}

/// Fact: an exported storage engine or options object that puts uploads on this disk, with the
/// diagnostic it earns where some module hands it to multer.
struct MulterExport {
    name: String,
    role: Role,
    diagnostic: Diagnostic,
}

/// Records the exports that would store uploads on this disk if multer received them (those
/// this module already hands to multer itself were reported where they stand).
fn record_exports<'t>(root: Node<'t>, src: &str, scope: &ModuleScope<'t>, out: &mut Sink) {
    for (name, value) in exports(root, src, scope) {
        let found = if value.kind() == "object" {
            options_diagnostic(Some(value), src, scope).map(|d| (Role::Options, d))
        } else {
            disk_storage(value, src, scope).map(|d| (Role::Storage, d))
        };
        let Some((role, diagnostic)) = found else {
            continue;
        };
        if out.diagnostics.iter().any(|d| d.span == diagnostic.span) {
            continue;
        }
        out.fact(MulterExport {
            name,
            role,
            diagnostic,
        });
    }
}

/// The project import a value stands for, if it is one (`require('./storage')`, `import x from`).
fn imported<'t>(
    value: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    here: &str,
) -> Option<ImportRef> {
    let origin = scope.origin(value, src)?;
    import_ref(here, &origin)
}

fn callee_name<'s>(callee: Node<'_>, src: &'s str) -> Option<&'s str> {
    match callee.kind() {
        "member_expression" => callee.child_by_field_name("property").map(|p| text(p, src)),
        "identifier" => Some(text(callee, src)),
        _ => None,
    }
}

fn check_call<'t>(call: Node<'t>, src: &str, scope: &ModuleScope<'t>, here: &str, out: &mut Sink) {
    let Some(callee) = call.child_by_field_name("function") else {
        return;
    };
    if let Some(used) = evaluate::find(MULTER, call, scope, src) {
        if let Ok(options) = used.options(scope, src) {
            check_multer_options(options, src, scope, here, out);
        }
        return;
    }
    if let Some(used) = evaluate::find(FORMIDABLE, call, scope, src) {
        check_upload_dir(&used, src, scope, out);
        return;
    }
    match callee_name(callee, src) {
        Some("mv") => check_mv(call, callee, src, scope, out),
        Some(
            "writeFile" | "writeFileSync" | "createWriteStream" | "copyFile" | "copyFileSync"
            | "outputFile" | "outputFileSync",
        ) if is_fs(callee, src, scope) => check_fs_write(call, callee, src, scope, out),
        _ => {}
    }
}

fn check_multer_options<'t>(
    options: Option<Node<'t>>,
    src: &str,
    scope: &ModuleScope<'t>,
    here: &str,
    out: &mut Sink,
) {
    if let Some(import) = options.and_then(|o| imported(o, src, scope, here)) {
        out.fact(MulterUse {
            import,
            role: Role::Options,
        });
        return;
    }
    if let Some(diagnostic) = options_diagnostic(options, src, scope) {
        out.push(diagnostic);
    } else if let Prop::Value(storage) = option(options, "storage", scope, src)
        && let Some(import) = imported(storage, src, scope, here)
    {
        out.fact(MulterUse {
            import,
            role: Role::Storage,
        });
    }
}

/// What multer options that keep uploads on this disk earn: a `dest` that is not a temp dir, or a
/// `diskStorage` storage engine.
fn options_diagnostic<'t>(
    options: Option<Node<'t>>,
    src: &str,
    scope: &ModuleScope<'t>,
) -> Option<Diagnostic> {
    if let Prop::Value(dest) = option(options, "dest", scope, src) {
        let dest = scope.resolve(dest, src);
        if !is_nullish(dest, src) && !is_temp_dir(dest, src) {
            let row = &MULTER[0];
            let verdict = row.verdict(OptionValue::Unknown)?;
            return Some(Diagnostic::new(
                verdict.rule,
                dest.byte_range(),
                format!(
                    "{} `dest` {}{}",
                    row.name,
                    shown(dest, src),
                    verdict.message
                ),
                row.fix,
            ));
        }
    }
    match option(options, "storage", scope, src) {
        Prop::Value(storage) => disk_storage(scope.resolve(storage, src), src, scope),
        _ => None,
    }
}

/// A `diskStorage({ destination })` storage engine whose destination is not a temp dir.
fn disk_storage<'t>(storage: Node<'t>, src: &str, scope: &ModuleScope<'t>) -> Option<Diagnostic> {
    let f = storage
        .child_by_field_name("function")
        .filter(|_| storage.kind() == "call_expression")?;
    let is_disk = scope
        .origin(f, src)
        .is_some_and(|s| evaluate::is(&DISK_STORAGE, &s))
        || text(f, src).ends_with("diskStorage");
    let temp = matches!(option(arg(storage, 0), "destination", scope, src),
        Prop::Value(d) if is_temp_dir(scope.resolve(d, src), src));
    (is_disk && !temp).then(|| {
        Diagnostic::new(
            &rules::SL201,
            head(storage),
            "multer `diskStorage` saves every uploaded file on this instance's disk",
            MULTER_HELP,
        )
    })
}

/// `'uploads/'` for a literal path, empty otherwise.
fn shown(node: Node<'_>, src: &str) -> String {
    string_value(node, src).map_or_else(String::new, |s| format!("`{s}` "))
}

fn check_formidable<'t>(new: Node<'t>, src: &'t str, scope: &ModuleScope<'t>, out: &mut Sink) {
    if let Some(used) = evaluate::find(FORMIDABLE, new, scope, src) {
        check_upload_dir(&used, src, scope, out);
    }
}

fn check_upload_dir<'t>(
    used: &evaluate::Use<'static, 't>,
    src: &'t str,
    scope: &ModuleScope<'t>,
    out: &mut Sink,
) {
    if let (Some((verdict, Prop::Value(dir))), Some(opt)) =
        (used.verdict(scope, src), used.row.option)
    {
        let dir = scope.resolve(dir, src);
        // formidable parses into uploadDir, then the handler moves the file; a temp dir there is
        // a staging area, not the final place.
        if text(dir, src).contains("tmpdir")
            || string_value(dir, src).is_some_and(|s| s.starts_with("/tmp"))
        {
            return;
        }
        out.push(Diagnostic::new(
            &rules::SL201,
            dir.byte_range(),
            format!(
                "{} `{}` {}{}",
                used.row.name,
                opt.key,
                shown(dir, src),
                verdict.message
            ),
            used.row.fix,
        ));
    }
}

/// A temporary directory (`os.tmpdir()`, `/tmp/…`) is where parsers stage a file before the
/// handler moves it to its final place (often object storage): not the upload's home.
fn is_temp_dir(dir: Node<'_>, src: &str) -> bool {
    let t = text(dir, src);
    t.contains("tmpdir")
        || t.contains("TMPDIR")
        || string_value(dir, src).is_some_and(|s| s.starts_with("/tmp"))
}

/// Whether the callee is a function of `fs` / `fs/promises` / fs-extra, imported or required.
fn is_fs<'t>(callee: Node<'t>, src: &str, scope: &ModuleScope<'t>) -> bool {
    scope
        .origin(callee, src)
        .is_some_and(|o| FS.iter().any(|m| m.package == o.package))
}

/// express-fileupload: `req.files.avatar.mv('./uploads/' + name)`.
fn check_mv<'t>(
    call: Node<'t>,
    callee: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    out: &mut Sink,
) {
    let Some(object) = callee.child_by_field_name("object") else {
        return;
    };
    let object = scope.resolve(object, src);
    if !is_request_file(object, src, scope) {
        return;
    }
    let at = arg(call, 0).unwrap_or(callee);
    out.push(Diagnostic::new(
        &rules::SL201,
        at.byte_range(),
        "express-fileupload `mv()` moves the uploaded file onto this instance's disk",
        FS_HELP,
    ));
}

/// `fs.writeFile(path, data)` / `createWriteStream(path)` where the data is a request's file.
fn check_fs_write<'t>(
    call: Node<'t>,
    callee: Node<'t>,
    src: &str,
    scope: &ModuleScope<'t>,
    out: &mut Sink,
) {
    let name = callee_name(callee, src).unwrap_or_default();
    let from_upload = if name.starts_with("createWriteStream") {
        // `file.pipe(fs.createWriteStream(p))` inside a busboy/multiparty `on('file', …)` handler.
        in_file_event_handler(call, src) || piped_from_upload(call, src, scope)
    } else {
        arg(call, if name.starts_with("copyFile") { 0 } else { 1 })
            .is_some_and(|data| is_request_file(scope.resolve(data, src), src, scope))
    };
    if from_upload {
        let at = arg(call, if name.starts_with("copyFile") { 1 } else { 0 }).unwrap_or(callee);
        out.push(Diagnostic::new(
            &rules::SL201,
            at.byte_range(),
            format!("`{name}` writes the uploaded file onto this instance's disk"),
            FS_HELP,
        ));
    }
}

/// Whether an expression holds an uploaded file or its bytes: `req.files.x`, `req.file.buffer`,
/// `file.path` of a multer file, `Buffer.from(await file.arrayBuffer())` of a web `File`.
fn is_request_file<'t>(node: Node<'t>, src: &str, scope: &ModuleScope<'t>) -> bool {
    request_file_at(node, src, scope, 0)
}

fn request_file_at<'t>(node: Node<'t>, src: &str, scope: &ModuleScope<'t>, depth: usize) -> bool {
    let mut found = false;
    preorder(node, |n| {
        if found {
            return false;
        }
        match n.kind() {
            "member_expression" => {
                let t = text(n, src);
                let object = n.child_by_field_name("object").map(|o| text(o, src));
                if matches!(object, Some("req" | "request" | "ctx.request"))
                    && (t.ends_with(".files") || t.ends_with(".file"))
                {
                    found = true;
                }
            }
            "call_expression" if is_upload_bytes(n, src, scope) => found = true,
            "identifier" => {
                let resolved = scope.resolve(n, src);
                if depth < 4 && resolved.id() != n.id() && resolved.kind() != "identifier" {
                    found = request_file_at(resolved, src, scope, depth + 1);
                }
            }
            _ => {}
        }
        !found
    });
    found
}

/// `pipeline(upload.file, createWriteStream(p))` / `upload.file.pipe(createWriteStream(p))`, where
/// the source is a request's file stream (@fastify/multipart's `await request.file()`).
fn piped_from_upload<'t>(stream: Node<'t>, src: &str, scope: &ModuleScope<'t>) -> bool {
    let Some(call) = stream
        .parent()
        .filter(|a| a.kind() == "arguments")
        .and_then(|a| a.parent())
    else {
        return false;
    };
    let Some(callee) = call.child_by_field_name("function") else {
        return false;
    };
    let source = match callee_name(callee, src) {
        Some("pipeline") => arg(call, 0),
        Some("pipe") => callee.child_by_field_name("object"),
        _ => None,
    };
    source.is_some_and(|s| {
        let s = scope.resolve(s, src);
        text(s, src).ends_with(".file") && is_request_file(s, src, scope)
            || is_request_file(s, src, scope)
    })
}

/// `file.arrayBuffer()` / `.bytes()` / `.stream()` of a web `File` from a form
/// (`(await req.formData()).get('file')`), not of a fetch `Response`.
fn is_upload_bytes<'t>(call: Node<'t>, src: &str, scope: &ModuleScope<'t>) -> bool {
    let Some(callee) = call.child_by_field_name("function") else {
        return false;
    };
    let is_bytes = callee
        .child_by_field_name("property")
        .is_some_and(|p| matches!(text(p, src), "arrayBuffer" | "bytes" | "stream"));
    let Some(receiver) = callee.child_by_field_name("object").filter(|_| is_bytes) else {
        return false;
    };
    let resolved = scope.resolve(receiver, src);
    let name = text(receiver, src).to_ascii_lowercase();
    text(resolved, src).contains("formData")
        || [
            "file",
            "upload",
            "image",
            "avatar",
            "attachment",
            "photo",
            "document",
        ]
        .iter()
        .any(|w| name.contains(w))
}

/// Whether `node` is inside the callback of `x.on('file', …)` (busboy, multiparty).
fn in_file_event_handler(node: Node<'_>, src: &str) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind() == "call_expression"
            && let Some(callee) = parent.child_by_field_name("function")
            && callee
                .child_by_field_name("property")
                .is_some_and(|p| matches!(text(p, src), "on" | "once"))
            && arg(parent, 0).and_then(|a| string_value(a, src)) == Some("file")
        {
            return true;
        }
        current = parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{FORMIDABLE, MULTER, Uploads};
    use crate::detectors::js::{evaluate, run};

    #[test]
    fn rows_are_covered_by_triggers_and_rules() {
        evaluate::assert_covered(&Uploads, &[MULTER, FORMIDABLE]);
        // An interceptor in a file that never says "multer" still runs the detector.
        assert!(super::TRIGGERS.contains(&"platform-express"));
    }

    #[test]
    fn next_route_handlers_and_busboy() {
        let next = "import { writeFile } from 'node:fs/promises';\nexport async function POST(req: Request) {\n  const form = await req.formData();\n  const file = form.get('file') as File;\n  const bytes = Buffer.from(await file.arrayBuffer());\n  await writeFile(`public/uploads/${file.name}`, bytes);\n}\n";
        assert_eq!(
            run(&Uploads, "app/api/upload/route.ts", next),
            [("SL201", 6)]
        );
        let download = "import { writeFile } from 'node:fs/promises';\nexport async function cache(url: string) {\n  const res = await fetch(url);\n  await writeFile('/var/cache/x', Buffer.from(await res.arrayBuffer()));\n}\n";
        assert!(run(&Uploads, "lib/cache.ts", download).is_empty());
        let busboy = "const fs = require('fs');\nbb.on('file', (name, file, info) => {\n  file.pipe(fs.createWriteStream(`uploads/${info.filename}`));\n});\n";
        assert_eq!(run(&Uploads, "upload.js", busboy), [("SL201", 3)]);
        let nest = "import { MulterModule, FilesInterceptor as FI } from '@nestjs/platform-express';\nMulterModule.registerAsync({ useFactory: () => ({ dest: './upload' }) });\nFI('photos', 10, { dest: 'x' });\n";
        assert_eq!(
            run(&Uploads, "files.module.ts", nest),
            [("SL201", 2), ("SL201", 3)]
        );
        let formidable = "import formidable from 'formidable';\nconst form = formidable({ uploadDir: './uploads', keepExtensions: true });\nconst tmp = formidable({ uploadDir: os.tmpdir() });\n";
        assert_eq!(run(&Uploads, "upload.ts", formidable), [("SL201", 2)]);
    }
}
