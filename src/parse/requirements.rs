//! pip requirements files (`requirements.txt`, `requirements/dev.txt`): one PEP 508 requirement
//! per logical line. What the manifest needs is the name of each requirement (with its span) and
//! the files it includes; editable installs, URLs, local paths and options are skipped, as is any
//! line this reader does not understand (a requirements file never fails to parse).

use std::ops::Range;

/// A requirements file, as far as its dependencies go.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct File {
    /// The requirements, in order.
    pub requirements: Vec<Requirement>,
    /// Files named by `-r` / `--requirement` / `-c` / `--constraint`, as written (not resolved).
    pub includes: Vec<Include>,
}

/// One requirement line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The distribution name as written (`Flask-Session`), without extras or version.
    pub name: String,
    /// Where the name is.
    pub span: Range<usize>,
}

/// An included file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The path as written.
    pub path: String,
    /// A constraints file (`-c`): it pins versions, it adds no dependency.
    pub constraint: bool,
    /// Where the path is.
    pub span: Range<usize>,
}

/// Reads a requirements file.
pub fn parse(text: &str) -> File {
    let mut file = File::default();
    for (start, line) in logical_lines(text) {
        let code = strip_comment(&line);
        let trimmed = code.trim_start();
        let offset = start + (code.len() - trimmed.len());
        let trimmed = trimmed.trim_end();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(include) = include(trimmed, offset) {
            file.includes.push(include);
        } else if !trimmed.starts_with('-')
            && let Some(len) = requirement_name(trimmed)
        {
            file.requirements.push(Requirement {
                name: trimmed[..len].to_owned(),
                span: offset..offset + len,
            });
        }
    }
    file
}

/// The length of the distribution name a PEP 508 requirement opens with (`name[extras] >= 1`,
/// `name @ url`, `name; marker`); `None` for URLs, paths and archives.
pub fn requirement_name(spec: &str) -> Option<usize> {
    let len = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = &spec[..len];
    let rest = spec[len..].trim_start();
    let starts_well = name.starts_with(|c: char| c.is_ascii_alphanumeric());
    // `./pkg`, `pkg.tar.gz`, `https://…`, `git+https://…` are not names.
    let not_a_name = rest.starts_with(':')
        || rest.starts_with('+')
        || rest.starts_with('/')
        || [".whl", ".zip", ".tar.gz", ".tgz"]
            .iter()
            .any(|s| name.ends_with(s));
    (starts_well && !not_a_name).then_some(len)
}

/// `-r other.txt`, `--requirement=other.txt`, `-c constraints.txt`.
fn include(line: &str, offset: usize) -> Option<Include> {
    let forms = [
        ("--requirement", false),
        ("--constraint", true),
        ("-r", false),
        ("-c", true),
    ];
    forms.iter().find_map(|&(flag, constraint)| {
        let rest = line.strip_prefix(flag)?;
        if !(rest.starts_with([' ', '\t', '=']) || (flag.len() == 2 && !rest.is_empty())) {
            return None;
        }
        let path = rest.trim_start_matches([' ', '\t', '=']);
        let at = offset + (line.len() - path.len());
        (!path.is_empty()).then(|| Include {
            path: path.to_owned(),
            constraint,
            span: at..at + path.len(),
        })
    })
}

/// A line without its comment: `#` at the start or after a blank (pip's rule; `url#egg=x` keeps
/// its fragment).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let at = (0..bytes.len())
        .find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()));
    at.map_or(line, |i| &line[..i])
}

/// Physical lines joined where one ends in `\`, each with the offset of its first byte. A joined
/// line keeps the offsets of its first physical line, where the name is.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let (body, continued) = match line.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (line, false),
        };
        let (at, mut joined) = pending.take().unwrap_or((start, String::new()));
        joined.push_str(body);
        if continued {
            pending = Some((at, joined));
        } else {
            out.push((at, joined));
        }
    }
    out.extend(pending);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_includes_and_skips_the_rest() {
        let text = "# pinned\nFlask-Session[redis]>=0.8 # sessions\nDjango==5.0 ; python_version>'3'\n\
            -r base.txt\n--requirement=extra.txt\n-c constraints.txt\n-e git+https://x/y.git#egg=z\n\
            --index-url https://pypi.org/simple\nhttps://x/pkg-1.0.tar.gz\n./local/pkg\n\
            pkg @ https://x/pkg.whl\nrequests \\\n  >=2\n  \n";
        let f = parse(text);
        let names: Vec<_> = f.requirements.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Flask-Session", "Django", "pkg", "requests"]);
        let first = &f.requirements[0];
        assert_eq!(&text[first.span.clone()], "Flask-Session");
        let includes: Vec<_> = f
            .includes
            .iter()
            .map(|i| (i.path.as_str(), i.constraint))
            .collect();
        assert_eq!(
            includes,
            [
                ("base.txt", false),
                ("extra.txt", false),
                ("constraints.txt", true)
            ]
        );
        assert_eq!(&text[f.includes[0].span.clone()], "base.txt");
    }

    #[test]
    fn garbage_is_skipped_not_fatal() {
        let f = parse("\u{feff}???\n\\\n[x]\n=1\n-r\n");
        assert!(f.requirements.is_empty() && f.includes.is_empty());
    }
}
