//! Which deployment a name speaks of: production, development or test. Module and file names
//! (`settings/prod.py`, `config_test`), configuration classes (`DevelopmentConfig`) and the
//! identifiers and strings of a condition (`if DEBUG:`, `NODE_ENV !== 'production'`) are split
//! into words first, so `LATEST_FEATURES` is not a test switch and `devices` is not `dev`.

/// The deployment a name or condition belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Production (or a production-like stage: staging, live).
    Production,
    /// Local development, debugging, examples and demos.
    Development,
    /// Test and CI runs.
    Test,
}

impl Role {
    /// Whether production never runs what this role selects.
    pub fn is_non_production(self) -> bool {
        self != Role::Production
    }
}

const PRODUCTION: &[&str] = &[
    "prod",
    "production",
    "live",
    "staging",
    "stage",
    "deploy",
    "deployment",
    "heroku",
];

const DEVELOPMENT: &[&str] = &[
    "dev",
    "devel",
    "develop",
    "development",
    "local",
    "debug",
    "example",
    "examples",
    "sample",
    "demo",
    "sandbox",
];

const TEST: &[&str] = &["test", "tests", "testing", "ci", "spec", "e2e", "pytest"];

/// The role of one lowercase word: a vocabulary word, or a compound that opens with `test`
/// (`testserver`, `testsettings`) or closes with `tests` (`runtests`).
pub fn of_word(word: &str) -> Option<Role> {
    if TEST.contains(&word) || word.starts_with("test") || word.ends_with("tests") {
        Some(Role::Test)
    } else if DEVELOPMENT.contains(&word) {
        Some(Role::Development)
    } else if PRODUCTION.contains(&word) {
        Some(Role::Production)
    } else {
        None
    }
}

/// The lowercase words of an identifier, path or expression: split at every character that is
/// not a letter or digit, at lower-to-upper case changes (`isDev`, `DevelopmentConfig`) and
/// before the last capital of a capital run (`HTTPServer` → `http`, `server`).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .flat_map(camel_words)
}

fn camel_words(part: &str) -> Vec<String> {
    let chars: Vec<char> = part.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let (prev, here) = (chars[i - 1], chars[i]);
        let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
        if (prev.is_lowercase() || prev.is_ascii_digit()) && here.is_uppercase()
            || prev.is_uppercase() && here.is_uppercase() && next_lower
        {
            out.push(chars[start..i].iter().collect::<String>().to_lowercase());
            start = i;
        }
    }
    out.push(chars[start..].iter().collect::<String>().to_lowercase());
    out
}

/// The role a name speaks of: the first of its words that has one, with development and test
/// winning over production (`prod_test_settings` is a test module).
pub fn of_name(name: &str) -> Option<Role> {
    let mut found = None;
    for word in words(name) {
        match of_word(&word) {
            Some(role @ (Role::Development | Role::Test)) => return Some(role),
            Some(Role::Production) => found = Some(Role::Production),
            None => {}
        }
    }
    found
}

/// Whether any word of `text` names development or test.
pub fn names_non_production(text: &str) -> bool {
    words(text).any(|w| of_word(&w).is_some_and(Role::is_non_production))
}

/// Whether any word of `text` names a deployment at all (either way).
pub fn names_any(text: &str) -> bool {
    words(text).any(|w| of_word(&w).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_case_and_separators() {
        let w = |s| words(s).collect::<Vec<_>>();
        assert_eq!(w("LATEST_FEATURES"), ["latest", "features"]);
        assert_eq!(w("isDev"), ["is", "dev"]);
        assert_eq!(w("DevelopmentConfig"), ["development", "config"]);
        assert_eq!(w("HTTPServer"), ["http", "server"]);
        assert_eq!(w("settings/prod.py"), ["settings", "prod", "py"]);
        assert_eq!(
            w("process.env.NODE_ENV !== 'production'"),
            ["process", "env", "node", "env", "production"]
        );
    }

    #[test]
    fn roles_come_from_whole_words() {
        assert_eq!(of_name("LATEST_FEATURES"), None);
        assert_eq!(of_name("devices"), None);
        assert_eq!(of_name("contest"), None);
        assert_eq!(of_name("isDev"), Some(Role::Development));
        assert_eq!(of_name("TESTING"), Some(Role::Test));
        assert_eq!(of_name("testserver"), Some(Role::Test));
        assert_eq!(of_name("runtests"), Some(Role::Test));
        assert_eq!(of_name("ProductionConfig"), Some(Role::Production));
        assert_eq!(of_name("prod_test_settings"), Some(Role::Test));
        assert!(names_non_production("if DEBUG:"));
        assert!(!names_non_production("if LATEST_FEATURES:"));
        assert!(names_any("isProd"));
    }
}
