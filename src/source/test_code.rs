//! Which paths hold test, example and benchmark code rather than the production app. Findings
//! there are not what a team scaling out needs to fix, so such files are not analysed unless
//! `--include-tests` asks for them.

use std::path::{Component, Path};

/// Directory names of test, example and benchmark code across ecosystems.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "__mocks__",
    "spec",
    "specs",
    "e2e",
    "cypress",
    "playwright",
    "benches",
    "examples",
    "testdata",
    "test-fixtures",
    // Rust test-support modules (`src/testing/`, `test_utils/`), compiled for tests only.
    "testing",
    "test_utils",
    "test-utils",
    // Python: documentation examples (FastAPI's layout).
    "docs_src",
];

/// Whether `rel` (relative to the scanned root) is test, example or benchmark code.
pub fn is_test_path(rel: &Path) -> bool {
    let mut components = rel.components().peekable();
    while let Some(component) = components.next() {
        let Component::Normal(name) = component else {
            continue;
        };
        let lower = name.to_string_lossy().to_ascii_lowercase();
        if components.peek().is_some() {
            if TEST_DIRS.contains(&lower.as_str()) {
                return true;
            }
        } else {
            return is_test_file_name(&lower);
        }
    }
    false
}

fn is_test_file_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    // `app.test.ts`, `app.spec.js`, `Button.stories.tsx`, `app.e2e-spec.ts`.
    let mut parts = name.split('.').skip(1);
    let marked = parts.any(|p| matches!(p, "test" | "spec" | "stories" | "e2e-spec" | "cy"));
    // pytest: `test_x.py`, `x_test.py`, `conftest.py`; Django apps: `tests.py`.
    marked
        || stem == "tests"
        || stem == "conftest"
        || stem.ends_with("_test")
        || stem.starts_with("test_")
}

#[cfg(test)]
mod tests {
    use super::is_test_path;
    use std::path::Path;

    #[test]
    fn recognises_test_code_by_directory_and_name() {
        for path in [
            "tests/api.rs",
            "src/__tests__/session.js",
            "src/session.test.ts",
            "app/user.spec.js",
            "src/Button.stories.tsx",
            "crates/web/src/tests.rs",
            "src/store_test.rs",
            "examples/demo/main.rs",
            "benches/pipeline.rs",
            "test/nginx.conf",
            "shop/tests.py",
            "shop/tests/test_views.py",
            "shop/test_models.py",
            "shop/models_test.py",
            "conftest.py",
            "src/testing/db.rs",
        ] {
            assert!(is_test_path(Path::new(path)), "{path}");
        }
        for path in [
            "src/server.js",
            "src/testing-utils/index.js",
            "src/contest.rs",
            "deploy/nginx.conf",
            "latest/app.js",
            "shop/settings/testing_utils.py",
            "shop/contest.py",
        ] {
            assert!(!is_test_path(Path::new(path)), "{path}");
        }
    }
}
