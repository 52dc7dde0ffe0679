//! The rows: every language and config format scalelint reads. Rows whose path rules claim
//! generic names come after those with specific ones (Apache and HAProxy before nginx).

use super::NamePattern::{CamelSuffix, Mark, Stem, StemPrefix, StemSuffix};
use super::{Grammar, KindRow, Language, NamePattern, ParserKind, TestCode};
use crate::source::FileKind;
use crate::source::comments;
use crate::source::kind::paths;

/// The name conventions of JS (`app.test.ts`), pytest (`test_x.py`, `x_test.py`, `conftest.py`),
/// Rust and Django (`tests.rs`, `tests.py`). They have always marked every kind read before the
/// JVM, .NET, Ruby, PHP and Go rows came (a config named `app.test.yaml` is a test's), and still
/// do for those kinds.
const SHARED_NAMES: &[NamePattern] = &[
    Mark("test"),
    Mark("spec"),
    Mark("stories"),
    Mark("e2e-spec"),
    Mark("cy"),
    Stem("tests"),
    Stem("conftest"),
    StemSuffix("_test"),
    StemPrefix("test_"),
];

/// Config formats: no test directories of their own, the shared name conventions.
const CONFIG_TEST_CODE: TestCode = TestCode {
    dirs: &[],
    dir_suffixes: &[],
    names: SHARED_NAMES,
};

const JS_TEST_CODE: TestCode = TestCode {
    dirs: &[
        "test",
        "tests",
        "__tests__",
        "__mocks__",
        "spec",
        "specs",
        "e2e",
        "cypress",
        "playwright",
        "examples",
        "test-fixtures",
    ],
    dir_suffixes: &[],
    names: SHARED_NAMES,
};

/// Java and Kotlin: Maven and Gradle's `src/test/`, Surefire's `*Test` / `*Tests` and Failsafe's
/// `*IT` classes.
const JVM_TEST_CODE: TestCode = TestCode {
    dirs: &["test"],
    dir_suffixes: &[],
    names: &[CamelSuffix("Test"), CamelSuffix("Tests"), CamelSuffix("IT")],
};

const fn tree_sitter(grammar: &'static Grammar) -> ParserKind {
    ParserKind::TreeSitter(grammar)
}

const fn kind(kind: FileKind, name: &'static str, parser: ParserKind) -> KindRow {
    KindRow {
        kind,
        name,
        extensions: &[],
        file_names: &[],
        parser,
        refine_path: None,
    }
}

const fn with_extensions(row: KindRow, extensions: &'static [&'static str]) -> KindRow {
    KindRow { extensions, ..row }
}

const JAVASCRIPT: Grammar = Grammar {
    name: "javascript",
    family: "JavaScript",
    language: tree_sitter_javascript::LANGUAGE,
    comment_nodes: &["comment", "html_comment"],
};

const TYPESCRIPT: Grammar = Grammar {
    name: "typescript",
    family: "JavaScript",
    language: tree_sitter_typescript::LANGUAGE_TYPESCRIPT,
    comment_nodes: &["comment", "html_comment"],
};

const TSX: Grammar = Grammar {
    name: "tsx",
    family: "JavaScript",
    language: tree_sitter_typescript::LANGUAGE_TSX,
    comment_nodes: &["comment", "html_comment"],
};

const PYTHON: Grammar = Grammar {
    name: "python",
    family: "Python",
    language: tree_sitter_python::LANGUAGE,
    comment_nodes: &["comment"],
};

const JAVA: Grammar = Grammar {
    name: "java",
    family: "Java",
    language: tree_sitter_java::LANGUAGE,
    comment_nodes: &["line_comment", "block_comment"],
};

const KOTLIN: Grammar = Grammar {
    name: "kotlin",
    family: "Kotlin",
    language: tree_sitter_kotlin_ng::LANGUAGE,
    comment_nodes: &["line_comment", "block_comment"],
};

const CSHARP: Grammar = Grammar {
    name: "csharp",
    family: "C#",
    language: tree_sitter_c_sharp::LANGUAGE,
    comment_nodes: &["comment"],
};

const RUBY: Grammar = Grammar {
    name: "ruby",
    family: "Ruby",
    language: tree_sitter_ruby::LANGUAGE,
    comment_nodes: &["comment"],
};

/// PHP with its inline HTML (`LANGUAGE_PHP`; `LANGUAGE_PHP_ONLY` would refuse templates).
const PHP: Grammar = Grammar {
    name: "php",
    family: "PHP",
    language: tree_sitter_php::LANGUAGE_PHP,
    comment_nodes: &["comment"],
};

const GO: Grammar = Grammar {
    name: "go",
    family: "Go",
    language: tree_sitter_go::LANGUAGE,
    comment_nodes: &["comment"],
};

/// Every language and format, in the order of [`FileKind::ALL`].
pub const LANGUAGES: &[Language] = &[
    Language {
        name: "javascript",
        kinds: &[KindRow {
            refine_path: Some(paths::javascript),
            ..with_extensions(
                kind(FileKind::JavaScript, "javascript", tree_sitter(&JAVASCRIPT)),
                &["js", "mjs", "cjs", "jsx"],
            )
        }],
        comments: &comments::JAVASCRIPT,
        test_code: JS_TEST_CODE,
        fence: "js",
        by_path: None,
    },
    Language {
        name: "typescript",
        kinds: &[
            KindRow {
                refine_path: Some(paths::typescript),
                ..with_extensions(
                    kind(FileKind::TypeScript, "typescript", tree_sitter(&TYPESCRIPT)),
                    &["ts", "mts", "cts"],
                )
            },
            KindRow {
                refine_path: Some(paths::tsx),
                ..with_extensions(kind(FileKind::Tsx, "tsx", tree_sitter(&TSX)), &["tsx"])
            },
        ],
        comments: &comments::JAVASCRIPT,
        test_code: JS_TEST_CODE,
        fence: "ts",
        by_path: None,
    },
    Language {
        name: "rust",
        kinds: &[with_extensions(
            kind(FileKind::Rust, "rust", ParserKind::Rust),
            &["rs"],
        )],
        comments: &comments::RUST,
        test_code: TestCode {
            // Cargo's integration tests, benches and examples; test-support modules
            // (`src/testing/`, `test_utils/`), compiled for tests only.
            dirs: &[
                "tests",
                "benches",
                "examples",
                "testing",
                "test_utils",
                "test-utils",
            ],
            dir_suffixes: &[],
            names: SHARED_NAMES,
        },
        fence: "rust",
        by_path: None,
    },
    Language {
        name: "apache",
        kinds: &[kind(FileKind::Apache, "apache", ParserKind::Apache)],
        comments: &comments::APACHE,
        test_code: CONFIG_TEST_CODE,
        fence: "apache",
        by_path: Some(paths::apache),
    },
    Language {
        name: "haproxy",
        kinds: &[
            kind(FileKind::Haproxy, "haproxy", ParserKind::Haproxy),
            kind(FileKind::MaybeHaproxy, "haproxy", ParserKind::Haproxy),
        ],
        comments: &comments::HAPROXY,
        test_code: CONFIG_TEST_CODE,
        fence: "haproxy",
        by_path: Some(paths::haproxy),
    },
    Language {
        name: "nginx",
        kinds: &[
            with_extensions(
                kind(FileKind::Nginx, "nginx", ParserKind::Nginx),
                &["nginx"],
            ),
            kind(FileKind::MaybeNginx, "nginx", ParserKind::Nginx),
        ],
        comments: &comments::NGINX,
        test_code: CONFIG_TEST_CODE,
        fence: "nginx",
        by_path: Some(paths::nginx),
    },
    Language {
        name: "hcl",
        kinds: &[with_extensions(
            kind(FileKind::Hcl, "hcl", ParserKind::Hcl),
            &["tf", "tofu", "tfvars"],
        )],
        comments: &comments::HCL,
        test_code: CONFIG_TEST_CODE,
        fence: "hcl",
        by_path: None,
    },
    Language {
        name: "bicep",
        kinds: &[with_extensions(
            kind(FileKind::Bicep, "bicep", ParserKind::Bicep),
            &["bicep"],
        )],
        comments: &comments::BICEP,
        test_code: CONFIG_TEST_CODE,
        fence: "bicep",
        by_path: None,
    },
    Language {
        name: "yaml",
        kinds: &[
            KindRow {
                refine_path: Some(paths::yaml),
                ..with_extensions(
                    kind(FileKind::Yaml, "yaml", ParserKind::Yaml),
                    &["yaml", "yml"],
                )
            },
            kind(FileKind::Compose, "compose", ParserKind::Yaml),
        ],
        comments: &comments::YAML,
        test_code: CONFIG_TEST_CODE,
        fence: "yaml",
        // Template suffixes of every format: YAML's templates are the most common ones.
        by_path: Some(paths::template),
    },
    Language {
        name: "json",
        kinds: &[
            KindRow {
                refine_path: Some(paths::json),
                ..with_extensions(kind(FileKind::Json, "json", ParserKind::Json), &["json"])
            },
            KindRow {
                file_names: &["package.json"],
                ..kind(FileKind::PackageJson, "package.json", ParserKind::Json)
            },
        ],
        // JSON has no comments, but files read as JSONC (tsconfig-like, ARM templates) may.
        comments: &comments::JSONC,
        test_code: CONFIG_TEST_CODE,
        fence: "json",
        by_path: None,
    },
    Language {
        name: "toml",
        kinds: &[
            KindRow {
                refine_path: Some(paths::toml),
                ..with_extensions(
                    kind(FileKind::MaybeTraefikToml, "toml", ParserKind::Toml),
                    &["toml"],
                )
            },
            kind(FileKind::TraefikToml, "toml", ParserKind::Toml),
            KindRow {
                file_names: &["Cargo.toml"],
                ..kind(FileKind::CargoManifest, "cargo-manifest", ParserKind::Toml)
            },
            KindRow {
                file_names: &["pyproject.toml"],
                ..kind(FileKind::PyProject, "pyproject", ParserKind::Toml)
            },
            KindRow {
                file_names: &["Pipfile"],
                ..kind(FileKind::Pipfile, "pipfile", ParserKind::Toml)
            },
        ],
        comments: &comments::TOML,
        test_code: CONFIG_TEST_CODE,
        fence: "toml",
        by_path: None,
    },
    Language {
        name: "python",
        kinds: &[with_extensions(
            kind(FileKind::Python, "python", tree_sitter(&PYTHON)),
            &["py", "pyw"],
        )],
        comments: &comments::PYTHON,
        test_code: TestCode {
            // FastAPI's documentation examples (`docs_src/`) beside the usual test trees.
            dirs: &["test", "tests", "examples", "docs_src"],
            dir_suffixes: &[],
            names: SHARED_NAMES,
        },
        fence: "python",
        by_path: None,
    },
    Language {
        name: "java",
        kinds: &[with_extensions(
            kind(FileKind::Java, "java", tree_sitter(&JAVA)),
            &["java"],
        )],
        comments: &comments::JAVA,
        test_code: JVM_TEST_CODE,
        fence: "java",
        by_path: None,
    },
    Language {
        name: "kotlin",
        kinds: &[with_extensions(
            kind(FileKind::Kotlin, "kotlin", tree_sitter(&KOTLIN)),
            &["kt", "kts"],
        )],
        comments: &comments::KOTLIN,
        test_code: JVM_TEST_CODE,
        fence: "kotlin",
        by_path: None,
    },
    Language {
        name: "csharp",
        kinds: &[with_extensions(
            kind(FileKind::CSharp, "csharp", tree_sitter(&CSHARP)),
            &["cs"],
        )],
        comments: &comments::CSHARP,
        test_code: TestCode {
            dirs: &["test", "tests"],
            // Test projects: `Shop.Tests/`, `Shop.UnitTests/`.
            dir_suffixes: &[".Tests", ".Test", ".UnitTests", ".IntegrationTests"],
            names: &[CamelSuffix("Tests"), CamelSuffix("Test")],
        },
        fence: "csharp",
        by_path: None,
    },
    Language {
        name: "ruby",
        kinds: &[KindRow {
            file_names: &["Gemfile", "Rakefile"],
            ..with_extensions(
                kind(FileKind::Ruby, "ruby", tree_sitter(&RUBY)),
                &["rb", "ru", "rake"],
            )
        }],
        comments: &comments::RUBY,
        test_code: TestCode {
            // RSpec's `spec/` and Minitest's `test/`.
            dirs: &["spec", "test"],
            dir_suffixes: &[],
            names: &[StemSuffix("_spec"), StemSuffix("_test")],
        },
        fence: "ruby",
        by_path: None,
    },
    Language {
        name: "php",
        kinds: &[with_extensions(
            kind(FileKind::Php, "php", tree_sitter(&PHP)),
            &["php", "phtml"],
        )],
        comments: &comments::PHP,
        test_code: TestCode {
            // PHPUnit's `tests/` and `*Test.php`.
            dirs: &["tests"],
            dir_suffixes: &[],
            names: &[CamelSuffix("Test")],
        },
        fence: "php",
        by_path: None,
    },
    Language {
        name: "go",
        kinds: &[with_extensions(
            kind(FileKind::Go, "go", tree_sitter(&GO)),
            &["go"],
        )],
        comments: &comments::GO,
        test_code: TestCode {
            // `go test` files and the `testdata/` the go tool ignores.
            dirs: &["testdata"],
            dir_suffixes: &[],
            names: &[StemSuffix("_test")],
        },
        fence: "go",
        by_path: None,
    },
    Language {
        name: "xml",
        kinds: &[KindRow {
            file_names: &["web.config", "app.config"],
            ..with_extensions(
                kind(FileKind::Xml, "xml", ParserKind::Xml),
                &["xml", "csproj", "fsproj", "vbproj", "props", "targets"],
            )
        }],
        comments: &comments::XML,
        test_code: CONFIG_TEST_CODE,
        fence: "xml",
        by_path: None,
    },
    Language {
        name: "properties",
        kinds: &[with_extensions(
            kind(FileKind::Properties, "properties", ParserKind::Properties),
            &["properties"],
        )],
        comments: &comments::PROPERTIES,
        test_code: CONFIG_TEST_CODE,
        fence: "properties",
        by_path: None,
    },
    Language {
        name: "ini",
        kinds: &[
            with_extensions(kind(FileKind::Ini, "ini", ParserKind::Ini), &["ini"]),
            KindRow {
                file_names: &["setup.cfg"],
                ..kind(FileKind::SetupCfg, "setup-cfg", ParserKind::Ini)
            },
        ],
        comments: &comments::INI,
        test_code: CONFIG_TEST_CODE,
        fence: "ini",
        by_path: None,
    },
    Language {
        name: "dotenv",
        kinds: &[KindRow {
            file_names: &[".env"],
            ..kind(FileKind::DotEnv, "dotenv", ParserKind::DotEnv)
        }],
        comments: &comments::DOTENV,
        test_code: CONFIG_TEST_CODE,
        fence: "dotenv",
        by_path: Some(paths::dotenv),
    },
    Language {
        name: "requirements",
        kinds: &[kind(
            FileKind::Requirements,
            "requirements",
            ParserKind::Requirements,
        )],
        comments: &comments::REQUIREMENTS,
        test_code: CONFIG_TEST_CODE,
        fence: "requirements",
        by_path: Some(paths::requirements),
    },
];
