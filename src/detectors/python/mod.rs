//! Python web frameworks and packages: Django, Flask, FastAPI / Starlette and their extensions.

pub mod app_code;
pub mod django_settings;
pub mod flask_config;
pub mod module_scope;
