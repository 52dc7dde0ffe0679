//! What a name in code stands for, in every language: the package that provides it and the path
//! below it. JS `require('multer')` → (`multer`, []); Python `django.core.cache.cache` →
//! (`django`, [`core`, `cache`, `cache`]); Rust `tower_sessions::MemoryStore` →
//! (`tower_sessions`, [`MemoryStore`]). Family resolvers produce it; tables match it.

use std::fmt;

/// A resolved name: package, and the members below it (`"()"` for a call where it matters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol {
    /// The package (npm specifier, top-level Python module, Rust crate, Java package …).
    pub package: String,
    /// Members below the package.
    pub path: Vec<String>,
}

impl Symbol {
    /// A symbol from its parts.
    pub fn new(package: impl Into<String>, path: Vec<String>) -> Self {
        Symbol {
            package: package.into(),
            path,
        }
    }

    /// A symbol from a separated name (`django.core.cache` with `.`, `a::b` with `::`).
    pub fn split(name: &str, separator: &str) -> Self {
        let mut parts = name.split(separator).map(str::to_owned);
        let package = parts.next().unwrap_or_default();
        Symbol {
            package,
            path: parts.collect(),
        }
    }

    /// The path as `&str`s, for matching against tables.
    pub fn path(&self) -> Vec<&str> {
        self.path.iter().map(String::as_str).collect()
    }

    /// Whether it is exactly `package` then `path`.
    pub fn is(&self, package: &str, path: &[&str]) -> bool {
        self.package == package && self.path.len() == path.len() && self.starts_with(package, path)
    }

    /// Whether it is `package` then `path`, or a member below that.
    pub fn starts_with(&self, package: &str, path: &[&str]) -> bool {
        self.package == package
            && self.path.len() >= path.len()
            && self.path.iter().zip(path).all(|(a, b)| a == b)
    }

    /// The name joined with `separator` (`django.core.cache`).
    pub fn joined(&self, separator: &str) -> String {
        let mut out = self.package.clone();
        for p in &self.path {
            out.push_str(separator);
            out.push_str(p);
        }
        out
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.package)?;
        for p in &self.path {
            write!(f, ".{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_by_package_and_path() {
        let s = Symbol::split("django.core.cache.backends.locmem", ".");
        assert_eq!(s.package, "django");
        assert!(s.starts_with("django", &["core", "cache"]));
        assert!(!s.is("django", &["core", "cache"]));
        assert!(s.is("django", &["core", "cache", "backends", "locmem"]));
        assert!(!s.starts_with("djangox", &[]));
        assert_eq!(s.joined("."), "django.core.cache.backends.locmem");
        let r = Symbol::split("tower_sessions::MemoryStore", "::");
        assert!(r.is("tower_sessions", &["MemoryStore"]));
        assert_eq!(Symbol::new("multer", vec![]).to_string(), "multer");
    }
}
