//! Upload handling that writes the user's file to this instance's disk: multer `dest` or
//! `diskStorage` (also through NestJS `MulterModule` / `FileInterceptor`), formidable `uploadDir`,
//! express-fileupload's `file.mv(path)`, and `fs` writes of request file data (busboy/multiparty
//! `file` streams, `req.file.buffer`, a web `File`'s `arrayBuffer()`). `memoryStorage()`,
//! multer-s3 and other storage engines keep the file off the local disk and are not reported.

use super::module_scope::ModuleScope;
use super::options::{Prop, arg, head, is_nullish, option};
use crate::detectors::Detector;
use crate::diagnostic::Diagnostic;
use crate::parse::Tree;
use crate::parse::js::{preorder, string_value, text};
use crate::project::Sink;
use crate::rules;
use crate::source::{FileKind, SourceFile};
use tree_sitter::Node;

/// Uploaded files persisted on the local filesystem.
pub struct Uploads;

const MULTER: &[&str] = &["multer"];
const NEST_MULTER: &[&str] = &["@nestjs/platform-express"];
const FORMIDABLE: &[&str] = &["formidable"];
const FS: &[&str] = &[
    "fs",
    "node:fs",
    "fs/promises",
    "node:fs/promises",
    "fs-extra",
];

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
        &[FileKind::JavaScript, FileKind::TypeScript, FileKind::Tsx]
    }
    fn triggers(&self) -> &'static [&'static str] {
        &[
            "multer",
            "Multer",
            "formidable",
            ".mv(",
            "createWriteStream",
            "writeFile",
            "uploadDir",
        ]
    }
    fn rules(&self) -> &'static [&'static str] {
        &["SL201"]
    }

    fn check(&self, file: &SourceFile, tree: &Tree, out: &mut Sink) {
        let Tree::Js(tree) = tree else { return };
        let src = file.text.as_str();
        let root = tree.root_node();
        let scope = ModuleScope::new(root, src);
        preorder(root, |node| {
            if node.kind() == "call_expression" {
                check_call(node, src, &scope, out);
            }
            if node.kind() == "new_expression" {
                check_formidable(node, src, &scope, out);
            }
            true
        });
    }
}

fn callee_name<'s>(callee: Node<'_>, src: &'s str) -> Option<&'s str> {
    match callee.kind() {
        "member_expression" => callee.child_by_field_name("property").map(|p| text(p, src)),
        "identifier" => Some(text(callee, src)),
        _ => None,
    }
}

fn check_call<'t>(call: Node<'t>, src: &str, scope: &ModuleScope<'t>, out: &mut Sink) {
    let Some(callee) = call.child_by_field_name("function") else {
        return;
    };
    // multer(options), and NestJS's multer options: MulterModule.register(options),
    // FileInterceptor('f', options), FilesInterceptor('f', n, options), FileFieldsInterceptor([...], options).
    let options = if scope.is(callee, src, MULTER, &[])
        || scope.is(callee, src, NEST_MULTER, &["MulterModule", "register"])
    {
        Some(arg(call, 0))
    } else if let Some(origin) = scope.origin(callee, src)
        && NEST_MULTER.contains(&origin.module.as_str())
    {
        match origin.path().as_slice() {
            ["FileInterceptor" | "AnyFilesInterceptor" | "FileFieldsInterceptor"] => {
                let n = usize::from(text(callee, src) != "AnyFilesInterceptor");
                Some(arg(call, n))
            }
            ["FilesInterceptor"] => Some(arg(call, 2)),
            _ => None,
        }
    } else {
        None
    };
    if let Some(options) = options {
        check_multer_options(options, src, scope, out);
        return;
    }
    if scope.is(callee, src, FORMIDABLE, &[]) || scope.is(callee, src, FORMIDABLE, &["formidable"])
    {
        check_upload_dir(arg(call, 0), src, scope, out);
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
    out: &mut Sink,
) {
    if let Prop::Value(dest) = option(options, "dest", scope, src) {
        let dest = scope.resolve(dest, src);
        if !is_nullish(dest, src) {
            out.push(Diagnostic::new(
                &rules::SL201,
                dest.byte_range(),
                format!(
                    "multer `dest` {}saves every uploaded file on this instance's disk",
                    shown(dest, src)
                ),
                MULTER_HELP,
            ));
            return;
        }
    }
    if let Prop::Value(storage) = option(options, "storage", scope, src) {
        let storage = scope.resolve(storage, src);
        if storage.kind() == "call_expression"
            && let Some(f) = storage.child_by_field_name("function")
            && (scope.is(f, src, MULTER, &["diskStorage"]) || text(f, src).ends_with("diskStorage"))
        {
            out.push(Diagnostic::new(
                &rules::SL201,
                head(storage),
                "multer `diskStorage` saves every uploaded file on this instance's disk",
                MULTER_HELP,
            ));
        }
    }
}

/// `'uploads/'` for a literal path, empty otherwise.
fn shown(node: Node<'_>, src: &str) -> String {
    string_value(node, src).map_or_else(String::new, |s| format!("`{s}` "))
}

fn check_formidable<'t>(new: Node<'t>, src: &str, scope: &ModuleScope<'t>, out: &mut Sink) {
    let Some(class) = new.child_by_field_name("constructor") else {
        return;
    };
    if scope.is(class, src, FORMIDABLE, &["IncomingForm"])
        || scope.is(class, src, FORMIDABLE, &["Formidable"])
        || scope.is(class, src, FORMIDABLE, &[])
    {
        check_upload_dir(arg(new, 0), src, scope, out);
    }
}

fn check_upload_dir<'t>(
    options: Option<Node<'t>>,
    src: &str,
    scope: &ModuleScope<'t>,
    out: &mut Sink,
) {
    if let Prop::Value(dir) = option(options, "uploadDir", scope, src) {
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
                "formidable `uploadDir` {}keeps uploaded files on this instance's disk",
                shown(dir, src)
            ),
            FS_HELP,
        ));
    }
}

/// Whether the callee is a function of `fs` / `fs/promises` / fs-extra, imported or required.
fn is_fs<'t>(callee: Node<'t>, src: &str, scope: &ModuleScope<'t>) -> bool {
    scope
        .origin(callee, src)
        .is_some_and(|o| FS.contains(&o.module.as_str()))
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
            "call_expression"
                if n.child_by_field_name("function")
                    .and_then(|f| f.child_by_field_name("property"))
                    .is_some_and(|p| text(p, src) == "arrayBuffer") =>
            {
                found = true;
            }
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
