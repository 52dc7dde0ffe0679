//! SQLite as a Python app's database: which SQLAlchemy / Django URLs name a SQLite file, and the
//! fix every detector that reports one gives.

/// The fix for a SQLite database that only this instance can read.
pub const DB_HELP: &str = "use a database server every instance shares: read a PostgreSQL or \
    MySQL URL from the environment (`os.environ[\"DATABASE_URL\"]`); keep SQLite for tests and \
    local development";

/// A SQLite URL that names a file (in-memory databases are per-process by intent: tests).
pub fn is_sqlite_file(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("sqlite")
        && !lower.contains(":memory:")
        && !matches!(
            lower.trim_end_matches('/'),
            "sqlite:" | "sqlite+aiosqlite:" | "sqlite+pysqlite:"
        )
}
