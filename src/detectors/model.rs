//! The per-file model: what every detector of a family reads, built once per file from its tree
//! (the tree, imports resolved, module-level bindings, environment branches), like ruff's one
//! semantic model per file shared by all of its rules.

use super::config::model::AzureTemplate;
use super::js::model::JsModel;
use super::python::model::PyModel;
use super::rust::model::RustModel;
use super::{Detector, Reads};
use crate::parse::Tree;
use crate::project::Sink;
use crate::source::{FileKind, SourceFile};

/// A parsed file of a format whose tree is the whole model (config formats).
pub struct Parsed<'m, T> {
    /// The file.
    pub file: &'m SourceFile,
    /// Its tree.
    pub tree: &'m T,
}

/// One file's model, of its family.
pub enum FileModel<'m> {
    /// JavaScript / TypeScript.
    Js(JsModel<'m>),
    /// Python.
    Python(PyModel<'m>),
    /// Rust.
    Rust(RustModel<'m>),
    /// A config format or data document: the tree is the model.
    Config(&'m SourceFile, &'m Tree),
}

impl<'m> FileModel<'m> {
    /// Builds the model of a parsed file (once; every detector of the family reads it). Facts
    /// that belong to the file rather than to a detector (a Rust file's re-exports) go to `out`.
    pub fn new(file: &'m SourceFile, tree: &'m Tree, out: &mut Sink) -> Self {
        match tree {
            Tree::Syntax(syntax) => match file.kind {
                FileKind::JavaScript | FileKind::TypeScript | FileKind::Tsx => {
                    FileModel::Js(JsModel::new(file, &syntax.tree))
                }
                FileKind::Python => FileModel::Python(PyModel::new(file, &syntax.tree)),
                // A language with no detectors yet: its tree is all there is.
                _ => FileModel::Config(file, tree),
            },
            Tree::Rust(tree) => FileModel::Rust(RustModel::new(file, tree, out)),
            _ => FileModel::Config(file, tree),
        }
    }

    /// Runs one detector over the model, if it reads this kind of model.
    pub fn check(&self, detector: &dyn Detector, out: &mut Sink) {
        match (detector.reads(), self) {
            (Reads::Js(d), FileModel::Js(m)) => d.check(m, out),
            (Reads::Python(d), FileModel::Python(m)) => d.check(m, out),
            (Reads::Rust(d), FileModel::Rust(m)) => d.check(m, out),
            (Reads::Nginx(d), &FileModel::Config(file, Tree::Nginx(tree))) => {
                d.check(&Parsed { file, tree }, out)
            }
            (Reads::Haproxy(d), &FileModel::Config(file, Tree::Haproxy(tree))) => {
                d.check(&Parsed { file, tree }, out)
            }
            (Reads::Apache(d), &FileModel::Config(file, Tree::Apache(tree))) => {
                d.check(&Parsed { file, tree }, out)
            }
            (Reads::Hcl(d), &FileModel::Config(file, Tree::Hcl(tree))) => {
                d.check(&Parsed { file, tree }, out)
            }
            (Reads::Data(d), &FileModel::Config(file, Tree::Data(tree))) => {
                d.check(&Parsed { file, tree }, out)
            }
            (Reads::Azure(d), &FileModel::Config(file, Tree::Data(docs)))
                if file.kind == FileKind::Json =>
            {
                d.check(&AzureTemplate::Arm(file, docs), out)
            }
            (Reads::Azure(d), &FileModel::Config(file, Tree::Bicep(bicep))) => {
                d.check(&AzureTemplate::Bicep(file, bicep), out)
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::DETECTORS;
    use crate::source::FileKind;

    /// Runs every detector of the file's kind over one model; returns the rules found and how
    /// many module scopes were built on the way.
    fn run_all(
        path: &str,
        text: &str,
        built: &'static std::thread::LocalKey<std::cell::Cell<usize>>,
    ) -> (Vec<&'static str>, usize, usize) {
        let kind = FileKind::from_path(std::path::Path::new(path)).expect("kind");
        let file = SourceFile::new(path.into(), kind, text.into());
        let tree = match crate::parse::parse(&file) {
            crate::parse::Parsed::Complete(t) => t,
            _ => panic!("parses"),
        };
        let before = built.with(|n| n.get());
        let mut sink = Sink::default();
        let model = FileModel::new(&file, &tree, &mut sink);
        let readers = DETECTORS.iter().filter(|d| d.kinds().contains(&kind));
        let mut ran = 0;
        for d in readers {
            model.check(*d, &mut sink);
            ran += 1;
        }
        let mut rules: Vec<&'static str> = sink.diagnostics.iter().map(|d| d.rule.id).collect();
        // Settings are judged after the walk: their facts stand for what they will report.
        rules.extend(sink.take_facts().iter().map(|_| "fact"));
        (rules, ran, built.with(|n| n.get()) - before)
    }

    #[test]
    fn every_js_detector_reads_one_module_scope_per_file() {
        let text = "const session = require('express-session');\nconst multer = require('multer');\nconst NodeCache = require('node-cache');\napp.use(session({ secret: 's' }));\nconst upload = multer({ dest: 'uploads/' });\nconst cache = new NodeCache();\n";
        let (rules, ran, built) =
            run_all("app.js", text, &crate::detectors::js::module_scope::BUILT);
        assert!(ran >= 8, "{ran} JS detectors ran");
        for rule in ["SL101", "SL201", "SL301"] {
            assert!(rules.contains(&rule), "{rule} in {rules:?}");
        }
        assert_eq!(built, 1, "one module scope for {ran} detectors");
    }

    #[test]
    fn every_js_detector_reads_one_whole_tree_walk_per_file() {
        // One use each detector reports, so none of them returns before its work.
        let text = "const session = require('express-session');\nconst multer = require('multer');\nconst NodeCache = require('node-cache');\nconst rateLimit = require('express-rate-limit');\nconst { Server } = require('socket.io');\nconst cron = require('node-cron');\nconst jwt = require('jsonwebtoken');\nconst { randomUUID } = require('crypto');\nconst { Sequelize } = require('sequelize');\napp.use(session({ secret: 's' }));\nconst upload = multer({ dest: 'uploads/' });\nconst cache = new NodeCache();\napp.use(rateLimit({ windowMs: 1000 }));\nconst io = new Server(http);\ncron.schedule('* * * * *', tick);\nconst KEY = randomUUID();\nfunction issue(u) { return jwt.sign({ sub: u }, KEY); }\nconst db = new Sequelize('sqlite:./db.sqlite');\nif (process.env.NODE_ENV !== 'production') { app.use(session({ secret: 'dev' })); }\n";
        let (rules, ran, walks) = run_all("app.js", text, &crate::parse::js::WHOLE_TREE_WALKS);
        assert!(ran >= 8, "{ran} JS detectors ran");
        for rule in [
            "SL101", "SL201", "SL301", "SL501", "SL503", "SL504", "SL505", "fact",
        ] {
            assert!(rules.contains(&rule), "{rule} in {rules:?}");
        }
        assert_eq!(walks, 1, "whole-tree walks for {ran} detectors");
    }

    #[test]
    fn every_python_detector_reads_one_module_scope_per_file() {
        let text = "from django.core.files.storage import FileSystemStorage\nSESSION_ENGINE = 'django.contrib.sessions.backends.file'\nCACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}\n";
        let (rules, ran, built) = run_all(
            "settings.py",
            text,
            &crate::detectors::python::module_scope::BUILT,
        );
        assert!(ran >= 3, "{ran} Python detectors ran");
        assert!(rules.contains(&"fact"), "{rules:?}");
        assert_eq!(built, 1, "one module scope for {ran} detectors");
    }

    #[test]
    fn every_python_detector_reads_one_whole_tree_walk_per_file() {
        // Each detector's top-level walk has something to find: an upload view and a memoized
        // read (app code), a config class and `app.config[…]` (Flask), a settings pointer and a
        // cache call (Django).
        let text = "import os\nfrom functools import lru_cache\nfrom flask import Flask, request\nfrom django.core.cache import cache\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\napp = Flask(__name__)\napp.config['SESSION_TYPE'] = 'filesystem'\nclass ProductionConfig:\n    CACHE_TYPE = 'SimpleCache'\n@lru_cache\ndef rows():\n    return Row.objects.all()\ndef upload():\n    f = request.files['f']\n    f.save(os.path.join('/srv', f.filename))\ncache.set('k', 1)\n";
        let (rules, ran, walks) = run_all("app.py", text, &crate::detectors::python::model::WALKS);
        assert!(ran >= 3, "{ran} Python detectors ran");
        for rule in ["SL201", "SL301"] {
            assert!(rules.contains(&rule), "{rule} in {rules:?}");
        }
        assert!(rules.contains(&"fact"), "{rules:?}");
        assert_eq!(walks, 1, "one whole-tree walk for {ran} detectors");
    }
}
