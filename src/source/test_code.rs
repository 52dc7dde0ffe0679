//! Which paths hold test, example and benchmark code rather than the production app. Findings
//! there are not what a team scaling out needs to fix, so such files are not analysed unless
//! `--include-tests` asks for them.

use super::FileKind;
use std::path::{Component, Path};

/// Whether `rel` (relative to the scanned root) is test, example or benchmark code: a directory
/// of tests of any language's row (a test tree holds fixtures of every format), or a file named
/// as its own language's rows name test files. `kind` is the file's, as the walk classified it.
pub fn is_test_path(rel: &Path, kind: FileKind) -> bool {
    let mut components = rel.components().peekable();
    while let Some(component) = components.next() {
        let Component::Normal(name) = component else {
            continue;
        };
        let name = name.to_string_lossy();
        let lower = name.to_ascii_lowercase();
        if components.peek().is_some() {
            if crate::lang::is_test_dir(&name, &lower) {
                return true;
            }
        } else {
            return crate::lang::is_test_file(kind, &name, &lower);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_test_path;
    use crate::source::FileKind;

    /// Whether a path of a kind scalelint reads is test code (false for other paths).
    fn test_path(path: &str) -> bool {
        let path = Path::new(path);
        FileKind::from_path(path).is_some_and(|kind| is_test_path(path, kind))
    }
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
            "test/app.test.yaml",
            "deploy/app.test.yaml",
            "src/test/java/shop/CartControllerTest.java",
            "shop/src/main/java/shop/CartControllerTest.java",
            "shop/src/main/java/shop/CartControllerTests.java",
            "shop/src/main/java/shop/CheckoutIT.java",
            "app/src/main/kotlin/RoutesTest.kt",
            "Shop.Tests/CartControllerTests.cs",
            "src/Shop.UnitTests/Cart.cs",
            "Shop/CartTests.cs",
            "spec/models/cart_spec.rb",
            "app/models/cart_spec.rb",
            "app/models/cart_test.rb",
            "app/Http/CartTest.php",
            "tests/Feature/CartTest.php",
            "internal/cart/cart_test.go",
            "internal/cart/testdata/cart.go",
        ] {
            assert!(test_path(path), "{path}");
        }
        for path in [
            "src/server.js",
            "src/testing-utils/index.js",
            "src/contest.rs",
            "deploy/nginx.conf",
            "latest/app.js",
            "shop/settings/testing_utils.py",
            "shop/contest.py",
            "src/main/java/shop/Contest.java",
            "src/main/java/shop/AUDIT.java",
            "src/main/java/shop/Latest.java",
            "Shop/Controllers/CartController.cs",
            "Shop.Web/Program.cs",
            "app/models/inspect.rb",
            "app/Http/Controllers/CartController.php",
            "internal/cart/cart.go",
            "internal/cart/contest.go",
            // Another language's convention: a PHP class named like a JUnit test is not one.
            "app/CartTest.rb",
        ] {
            assert!(!test_path(path), "{path}");
        }
    }
}
