//! PEP 508 requirements and names, shared by the readers of dependency
//! files (`deps`), lock files (`locks`) and package metadata (`package`):
//! a leaf, so those three never import each other to share it.

use serde::Serialize;

/// A lock file that no longer matches the file it locks.
#[derive(Debug, Clone, Serialize)]
pub struct StaleLock {
    pub lock: String,
    pub locks: String,
    /// Why it is stale, in words.
    pub why: String,
}

pub fn normalise(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The distribution name at the start of a requirements-file line:
/// `Flask[async]>=3` → `flask`. The name must obey PEP 508's rule and be
/// followed by nothing, a space, extras, a version, a marker or a URL, so
/// `gunicorn"]` names nothing.
pub fn req_name(spec: &str) -> Option<String> {
    let s = spec.trim();
    let (name, rest) = split_name(s);
    let next_ok = rest
        .chars()
        .next()
        .is_none_or(|c| c.is_whitespace() || "[(<>=!~;@".contains(c));
    (is_name(name) && next_ok).then(|| normalise(name))
}

/// `name` and what follows it.
fn split_name(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(s.len());
    s.split_at(end)
}

/// PEP 508's name rule: `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, any case.
pub fn is_name(s: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    edge(s.chars().next())
        && edge(s.chars().last())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// What a PEP 508 requirement looks like, for messages.
pub const PEP508: &str =
    "NAME[EXTRAS] [VERSIONS | @ URL] [; MARKER], for example \"flask[async]>=3.0\"";

/// The normalised name of a PEP 508 requirement (`name[extras] versions ;
/// marker` or `name[extras] @ url ; marker`), or what is wrong with it.
pub fn requirement(spec: &str) -> Result<String, &'static str> {
    if spec.chars().any(char::is_control) {
        return Err("it holds a control character");
    }
    let s = spec.trim();
    let (name, rest) = split_name(s);
    if !is_name(name) {
        return Err(if s.starts_with('-') {
            "it is a pip option, not a requirement"
        } else {
            "it does not start with a distribution name"
        });
    }
    let mut rest = rest.trim_start();
    if let Some(r) = rest.strip_prefix('[') {
        let (extras, after) = r.split_once(']').ok_or("its extras have no closing ]")?;
        let listed: Vec<&str> = extras.split(',').map(str::trim).collect();
        if !(extras.trim().is_empty() || listed.iter().all(|e| is_name(e))) {
            return Err("an extra is not a name");
        }
        rest = after.trim_start();
    }
    let marker = if let Some(url) = rest.strip_prefix('@') {
        let url = url.trim_start();
        let end = url.find(char::is_whitespace).unwrap_or(url.len());
        let (url, after) = url.split_at(end);
        if !(url.contains("://") || url.starts_with("file:")) {
            return Err("what follows @ is not a URL");
        }
        let after = after.trim_start();
        match after.strip_prefix(';') {
            Some(m) => Some(m),
            None if after.is_empty() => None,
            None => return Err("text follows its URL"),
        }
    } else {
        let (versions, marker) = match rest.split_once(';') {
            Some((v, m)) => (v, Some(m)),
            None => (rest, None),
        };
        let v = versions.trim();
        let v = match v.strip_prefix('(') {
            Some(inner) => inner.strip_suffix(')').ok_or("its ( has no closing )")?,
            None => v,
        };
        if !v.trim().is_empty() && !v.split(',').all(|c| version_clause(c.trim())) {
            return Err("its version specifier is not OP VERSION[, OP VERSION]");
        }
        marker
    };
    if let Some(m) = marker {
        let ok = !m.trim().is_empty()
            && m.chars()
                .all(|c| c.is_ascii_alphanumeric() || " \t._-<>=!~\"'()".contains(c));
        if !ok {
            return Err("its environment marker is not one");
        }
    }
    Ok(normalise(name))
}

/// `>=3.0`, `==1.*`, `~=2.1`, `===foo`.
fn version_clause(c: &str) -> bool {
    if let Some(v) = c.strip_prefix("===") {
        let v = v.trim();
        return !v.is_empty() && !v.chars().any(|c| c.is_whitespace() || c == ',');
    }
    let Some(v) = ["~=", "==", "!=", "<=", ">=", "<", ">"]
        .iter()
        .find_map(|op| c.strip_prefix(op))
    else {
        return false;
    };
    let v = v.trim();
    !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._*+!-".contains(c))
}

/// The line (1-based) of the first line containing `needle`, for file:line.
pub fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

/// The line of Poetry's `python = "..."` dependency in a pyproject.toml (1 if none).
pub fn poetry_python_line(text: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with("python ") || l.starts_with("python=")
        })
        .map_or(1, |i| i + 1)
}
