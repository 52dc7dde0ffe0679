//! Uploaded files written to the local disk by a Rust handler: a function that receives multipart
//! data (axum / axum-extra `Multipart`, actix-multipart `Multipart` and `MultipartForm`, warp
//! `FormData`, poem `Multipart`, rocket `TempFile`) and writes it with `std::fs` / `tokio::fs`
//! (`write`, `File::create`, `copy`, `rename`) or persists the temp file
//! (`persist`, `persist_to`, `copy_to`, `move_copy_to`). A handler that hands the bytes to object
//! storage (aws-sdk-s3, object_store, opendal, rusoto, google-cloud-storage, azure_storage_blobs)
//! is not reported, even when it stages them in a temp file first.

use super::crates::{Crates, Hit};
use super::evaluate::{self, row};
use super::model::RustModel;
use super::use_paths::UsePaths;
use crate::detectors::table::{self, Library, OptionValue, Pattern, Usage, Verdict, When};
use crate::detectors::{Check, Detector, Reads};
use crate::parse::rust::span_range;
use crate::project::{Facts, Located, Sink};
use crate::rules;
use crate::source::FileKind;
use std::sync::LazyLock;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Handlers that write multipart uploads to the local filesystem.
pub struct MultipartUpload;

/// A handler parameter of a multipart type, in a handler that writes to the local disk (the
/// detector's own analysis of the body).
const AXUM: Library = Library {
    symbol: Pattern {
        package: "axum",
        path: &["Multipart"],
    },
    usage: Usage::Name,
    option: None,
    verdicts: &[Verdict {
        when: When::Used,
        rule: &rules::SL201,
        message: "uploaded files from `{type}` are written to this instance's local disk with \
            {how}; other instances cannot serve them and a redeploy loses them",
    }],
    fix: HELP,
    name: "axum `Multipart`",
};

/// Multipart types a handler receives, by crate.
const MULTIPART: &[Library] = &[
    AXUM,
    row("axum", &["multipart", "Field"], AXUM),
    row("axum_extra", &["Multipart"], AXUM),
    row("axum_extra", &["multipart", "Field"], AXUM),
    row("axum_typed_multipart", &["TypedMultipart"], AXUM),
    row("actix_multipart", &["Multipart"], AXUM),
    row("actix_multipart", &["MultipartForm"], AXUM),
    row("actix_multipart", &["Field"], AXUM),
    row("actix_multipart", &["TempFile"], AXUM),
    row("warp", &["FormData"], AXUM),
    row("poem", &["Multipart"], AXUM),
    row("rocket", &["TempFile"], AXUM),
    row("multer", &["Multipart"], AXUM),
];

/// Multipart type names (the last segment of the parameter's type path), from the rows.
static MULTIPART_TYPES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut names: Vec<&'static str> = MULTIPART
        .iter()
        .filter_map(|r| r.symbol.path.last().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
});

/// Words of the rows' types and crates, one of which a file that names a row spells (the
/// rows' `Field`, a common word, is spelled with its crate or `multipart` module).
const TRIGGERS: &[&str] = &["Multipart", "multipart", "FormData", "TempFile"];

static RULES: LazyLock<Vec<&'static str>> = LazyLock::new(|| table::rules(&[MULTIPART]));

/// Object storage crates: a handler that talks to one stores uploads off the instance.
const OBJECT_STORES: &[&str] = &[
    "aws_sdk_s3",
    "object_store",
    "opendal",
    "rusoto_s3",
    "google_cloud_storage",
    "cloud_storage",
    "azure_storage_blobs",
    "s3",
    "rust_s3",
    "minio",
];

/// Methods of object storage clients.
const OBJECT_STORE_METHODS: &[&str] = &[
    "put_object",
    "upload_object",
    "put_multipart",
    "put_block_blob",
    "insert_object",
    "put_object_stream",
];

/// Filesystem functions under `std::fs` / `tokio::fs` / `async_std::fs` that write a file.
const FS_WRITES: &[&str] = &["write", "copy", "rename", "create", "open", "create_new"];

/// Methods that persist an upload's temp file at a path.
const PERSIST_METHODS: &[&str] = &["persist", "persist_to", "copy_to", "move_copy_to"];

const HELP: &str = "store uploads in object storage every instance reads: aws-sdk-s3 \
    `client.put_object().bucket(b).key(k).body(ByteStream::from(bytes))`, object_store \
    `store.put(&path, bytes.into())` or opendal `op.write(path, bytes)` (S3, GCS, Azure Blob), \
    and serve them from there (or from a CDN) instead of the local directory";

impl Detector for MultipartUpload {
    fn id(&self) -> &'static str {
        "rust/multipart-upload"
    }
    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Rust]
    }
    fn triggers(&self) -> &'static [&'static str] {
        TRIGGERS
    }
    fn rules(&self) -> &'static [&'static str] {
        &RULES
    }

    fn reads(&self) -> Reads<'_> {
        Reads::Rust(self)
    }

    fn resolve(&self, facts: &Facts<'_>, out: &mut Vec<Located>) {
        Crates::new(facts).resolve::<Upload>(facts, out, |symbol, hit| {
            let (row, verdict) = evaluate::verdict(MULTIPART, symbol, |_| OptionValue::Absent)?;
            let upload = &hit.payload;
            let values = [("type", upload.what.as_str()), ("how", &upload.how)];
            Some(evaluate::diagnostic(
                row,
                verdict,
                upload.write.clone(),
                &values,
            ))
        });
    }
}

impl Check<RustModel<'_>> for MultipartUpload {
    fn check(&self, model: &RustModel<'_>, out: &mut Sink) {
        let mut v = Handlers {
            model,
            hits: Vec::new(),
        };
        v.visit_file(model.syntax);
        for hit in v.hits {
            out.fact(hit);
        }
    }
}

struct Handlers<'a> {
    model: &'a RustModel<'a>,
    /// Per handler: the multipart type's path, carrying where and how it writes.
    hits: Vec<Hit<Upload>>,
}

/// A handler that writes a multipart upload to disk.
#[derive(Debug, Clone)]
struct Upload {
    /// The multipart type as written (`Multipart`).
    what: String,
    /// How it writes (`` `tokio::fs::write` ``).
    how: String,
    /// Where it writes (the finding's span).
    write: std::ops::Range<usize>,
}

/// What a function body does with files.
#[derive(Default)]
struct Body {
    /// The first local write: its span and how it is written.
    write: Option<(proc_macro2::Span, String)>,
    /// It talks to object storage.
    object_store: bool,
    /// It calls rocket's `TempFile` persistence (`persist_to`, `move_copy_to`).
    rocket_persist: bool,
}

struct BodyVisitor<'u> {
    uses: &'u UsePaths,
    body: Body,
}

impl<'ast> Visit<'ast> for BodyVisitor<'_> {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*call.func {
            for full in self.uses.resolve(&p.path) {
                let head = full.package.as_str();
                if OBJECT_STORES.contains(&head) {
                    self.body.object_store = true;
                }
                let members = full.path();
                let fs = members.len() >= 2
                    && matches!(head, "std" | "tokio" | "async_std")
                    && members[0] == "fs";
                let last = members.last().copied().unwrap_or(head);
                // `File::open` opens for reading; only `OpenOptions::open` may write.
                let reads =
                    last == "open" && members.len() >= 2 && members[members.len() - 2] == "File";
                if fs && FS_WRITES.contains(&last) && !reads && self.body.write.is_none() {
                    self.body.write = Some((p.path.span(), full.joined("::")));
                }
            }
        }
        visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        if OBJECT_STORE_METHODS.contains(&method.as_str()) {
            self.body.object_store = true;
        }
        if matches!(method.as_str(), "persist_to" | "move_copy_to") {
            self.body.rocket_persist = true;
        }
        if PERSIST_METHODS.contains(&method.as_str()) && self.body.write.is_none() {
            self.body.write = Some((call.method.span(), format!("`.{method}()`")));
        }
        visit::visit_expr_method_call(self, call);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if self
            .uses
            .resolve(p)
            .iter()
            .any(|full| OBJECT_STORES.contains(&full.package.as_str()))
        {
            self.body.object_store = true;
        }
        visit::visit_path(self, p);
    }
}

/// The multipart type a parameter is declared with (`mut multipart: Multipart`,
/// `MultipartForm(form): MultipartForm<Upload>`, `file: TempFile<'_>`, `Form<Upload<'_>>`).
fn multipart_param(sig: &syn::Signature) -> Option<&syn::Path> {
    sig.inputs.iter().find_map(|arg| {
        let syn::FnArg::Typed(t) = arg else {
            return None;
        };
        let syn::Type::Path(ty) = &*t.ty else {
            return None;
        };
        let last = ty.path.segments.last()?;
        MULTIPART_TYPES
            .contains(&last.ident.to_string().as_str())
            .then_some(&ty.path)
    })
}

impl Handlers<'_> {
    fn handler(&mut self, sig: &syn::Signature, block: &syn::Block) {
        let mut body = BodyVisitor {
            uses: &self.model.uses,
            body: Body::default(),
        };
        body.visit_block(block);
        let Body {
            write: Some((span, how)),
            object_store: false,
            rocket_persist,
        } = body.body
        else {
            return;
        };
        let rocket = syn::parse_str::<syn::Path>("rocket::fs::TempFile").ok();
        let (paths, what) = match multipart_param(sig) {
            Some(p) => (
                self.model.symbols(p),
                p.segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default(),
            ),
            // A rocket form struct's `TempFile` field, persisted in the handler.
            None if rocket_persist => match &rocket {
                Some(p) => (self.model.symbols(p), "TempFile".to_owned()),
                None => return,
            },
            None => return,
        };
        let how = if how.starts_with('`') {
            how
        } else {
            format!("`{how}`")
        };
        let file = self.model.file;
        self.hits.push(Hit {
            span: span_range(sig.ident.span(), &file.lines, &file.text),
            paths,
            payload: Upload {
                what,
                how,
                write: span_range(span, &file.lines, &file.text),
            },
        });
    }
}

impl<'ast> Visit<'ast> for Handlers<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !super::use_paths::is_test_only(&m.attrs) {
            visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if super::use_paths::is_test_only(&f.attrs) {
            return;
        }
        self.handler(&f.sig, &f.block);
        visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if super::use_paths::is_test_only(&f.attrs) {
            return;
        }
        self.handler(&f.sig, &f.block);
        visit::visit_impl_item_fn(self, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_covered_by_triggers_and_rules() {
        let d = MultipartUpload;
        evaluate::check_rows(&[MULTIPART], d.triggers(), d.rules()).expect("rows covered");
        assert!(MULTIPART_TYPES.contains(&"MultipartForm"));
    }
}
