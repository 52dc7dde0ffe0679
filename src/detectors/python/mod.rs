//! Python web frameworks and packages: Django, Flask, FastAPI / Starlette and their extensions.
//! Detectors share the family's knowledge through `model` (each file's tree and scope, built once), `module_scope` (imports, bindings, values,
//! development branches) and `sqlite_urls`; they never import each other.

pub mod app_code;
pub mod django_settings;
pub mod evaluate;
pub mod flask_config;
pub mod model;
pub mod module_scope;
pub mod sqlite_urls;
