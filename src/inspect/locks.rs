//! Stale lock files, found before anything is written: a Pipfile.lock whose
//! recorded hash is not the Pipfile's hash as Pipenv computes it (so
//! `pipenv verify` in the build would fail), a poetry.lock whose
//! `content-hash` is not pyproject.toml's as Poetry computes it (`poetry
//! check --lock` would fail), and a uv.lock whose recorded requirements of
//! the project are not pyproject.toml's dependencies.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use super::requirement::{normalise, requirement, StaleLock};
use crate::files::{Kind, Project};

/// The Pipfile's hash as Pipenv computes it: SHA-256 of the JSON (keys
/// sorted, no spaces, non-ASCII escaped, as Python's `json.dumps`) of
/// `{"_meta": {"sources", "requires"}, "default", "develop"}` and any other
/// package category. `None` when the Pipfile holds what that JSON cannot be
/// reproduced for here (a float or a date).
pub fn pipfile_hash(text: &str) -> Option<String> {
    let t: toml::Table = text.parse().ok()?;
    let default_source: toml::Value =
        "[[source]]\nname = \"pypi\"\nurl = \"https://pypi.org/simple\"\nverify_ssl = true\n"
            .parse::<toml::Table>()
            .ok()?
            .remove("source")?;
    let empty = || toml::Value::Table(toml::Table::new());
    let mut meta = toml::Table::new();
    meta.insert(
        "sources".into(),
        t.get("source").cloned().unwrap_or(default_source),
    );
    meta.insert(
        "requires".into(),
        t.get("requires").cloned().unwrap_or_else(empty),
    );
    let mut data = toml::Table::new();
    data.insert("_meta".into(), toml::Value::Table(meta));
    data.insert(
        "default".into(),
        t.get("packages").cloned().unwrap_or_else(empty),
    );
    data.insert(
        "develop".into(),
        t.get("dev-packages").cloned().unwrap_or_else(empty),
    );
    for (k, v) in &t {
        let known = [
            "source",
            "packages",
            "dev-packages",
            "requires",
            "scripts",
            "pipenv",
            "pipfile",
            "default",
            "develop",
        ];
        if !known.contains(&k.as_str()) && v.is_table() {
            data.insert(k.clone(), v.clone());
        }
    }
    json_sha256(&toml::Value::Table(data), false)
}

/// Python's `json.dumps(v, sort_keys=True)` (`spaced`: its default
/// separators `", "` and `": "`; else `","` and `":"`), non-ASCII escaped.
/// `None` for a float or a date, whose Python form is not reproduced here.
fn python_json(v: &serde_json::Value, spaced: bool, out: &mut String) -> Option<()> {
    use serde_json::Value as J;
    let (comma, colon) = if spaced { (", ", ": ") } else { (",", ":") };
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) if n.is_i64() || n.is_u64() => out.push_str(&n.to_string()),
        J::Number(_) => return None,
        J::String(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                        let mut buf = [0u16; 2];
                        for u in c.encode_utf16(&mut buf) {
                            out.push_str(&format!("\\u{u:04x}"));
                        }
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        J::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                python_json(x, spaced, out)?;
            }
            out.push(']');
        }
        J::Object(t) => {
            let mut keys: Vec<&String> = t.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                // How the toml crate writes a date.
                if k.starts_with("$__toml_private") {
                    return None;
                }
                if i > 0 {
                    out.push_str(comma);
                }
                python_json(&J::String(k.clone()), spaced, out)?;
                out.push_str(colon);
                python_json(&t[k], spaced, out)?;
            }
            out.push('}');
        }
    }
    Some(())
}

/// SHA-256, hex, of [`python_json`].
fn json_sha256(v: &toml::Value, spaced: bool) -> Option<String> {
    let v = serde_json::to_value(v).ok()?;
    let mut json = String::new();
    python_json(&v, spaced, &mut json)?;
    Some(format!("{:x}", Sha256::digest(json.as_bytes())))
}

/// poetry.lock's `content-hash` as Poetry computes it: SHA-256 of the JSON
/// (`json.dumps(..., sort_keys=True)`) of `[project]`'s `requires-python`,
/// `dependencies` and `optional-dependencies` with `[tool.poetry]`'s
/// dependency keys and `[dependency-groups]`; with no such `[project]` keys,
/// of the `[tool.poetry]` keys alone, the legacy ones always present (null).
pub fn poetry_hash(pyproject: &str) -> Option<String> {
    let t: toml::Table = pyproject.parse().ok()?;
    let table = |v: Option<&toml::Value>| v.and_then(|v| v.as_table()).cloned();
    let project = table(t.get("project")).unwrap_or_default();
    let poetry = table(t.get("tool").and_then(|x| x.get("poetry"))).unwrap_or_default();
    let mut relevant_project = toml::Table::new();
    for k in ["requires-python", "dependencies", "optional-dependencies"] {
        if let Some(v) = project.get(k) {
            relevant_project.insert(k.into(), v.clone());
        }
    }
    const LEGACY: [&str; 4] = ["dependencies", "source", "extras", "dev-dependencies"];
    // serde_json's null stands for Python's None; toml has none, so build JSON.
    let mut relevant_poetry = serde_json::Map::new();
    for k in LEGACY.iter().chain(&["group"]) {
        match poetry.get(*k) {
            Some(v) => {
                relevant_poetry.insert(k.to_string(), serde_json::to_value(v).ok()?);
            }
            None if LEGACY.contains(k) && relevant_project.is_empty() => {
                relevant_poetry.insert(k.to_string(), serde_json::Value::Null);
            }
            None => {}
        }
    }
    let content = if relevant_project.is_empty() {
        serde_json::Value::Object(relevant_poetry)
    } else {
        let mut c = serde_json::Map::new();
        c.insert(
            "project".into(),
            serde_json::to_value(&relevant_project).ok()?,
        );
        c.insert(
            "tool".into(),
            serde_json::json!({ "poetry": serde_json::Value::Object(relevant_poetry) }),
        );
        if let Some(g) = t.get("dependency-groups") {
            c.insert("dependency-groups".into(), serde_json::to_value(g).ok()?);
        }
        serde_json::Value::Object(c)
    };
    let mut json = String::new();
    python_json(&content, true, &mut json)?;
    Some(format!("{:x}", Sha256::digest(json.as_bytes())))
}

/// poetry.lock against pyproject.toml.
pub fn poetry(project: &Project) -> Option<StaleLock> {
    let pyproject = project.text("pyproject.toml", Kind::Toml)?;
    let lock: toml::Table = project.text("poetry.lock", Kind::Lock)?.parse().ok()?;
    let recorded = lock
        .get("metadata")?
        .get("content-hash")?
        .as_str()?
        .to_string();
    let now = poetry_hash(&pyproject)?;
    (recorded != now).then(|| StaleLock {
        lock: "poetry.lock".into(),
        locks: "pyproject.toml".into(),
        why: format!(
            "its content-hash ({}…) is not pyproject.toml's ({}…): pyproject.toml changed after the lock, and `poetry check --lock` fails",
            recorded.chars().take(12).collect::<String>(),
            &now[..12]
        ),
    })
}

/// Pipfile.lock against the Pipfile.
pub fn pipfile(project: &Project) -> Option<StaleLock> {
    let pipfile = project.text("Pipfile", Kind::Toml)?;
    let lock = project.text("Pipfile.lock", Kind::Lock)?;
    let recorded = serde_json::from_str::<serde_json::Value>(&lock)
        .ok()?
        .pointer("/_meta/hash/sha256")?
        .as_str()?
        .to_string();
    let now = pipfile_hash(&pipfile)?;
    (recorded != now).then(|| StaleLock {
        lock: "Pipfile.lock".into(),
        locks: "Pipfile".into(),
        why: format!(
            "its hash of the Pipfile ({}…) is not the Pipfile's ({}…): the Pipfile changed after the lock, and `pipenv verify` fails",
            &recorded.chars().take(12).collect::<String>(),
            &now[..12]
        ),
    })
}

/// uv.lock's recorded requirements of the project against `[project.dependencies]`.
pub fn uv(project: &Project) -> Option<StaleLock> {
    let py: toml::Table = project.text("pyproject.toml", Kind::Toml)?.parse().ok()?;
    let lock: toml::Table = project.text("uv.lock", Kind::Lock)?.parse().ok()?;
    let wanted: BTreeSet<String> = py
        .get("project")?
        .get("dependencies")?
        .as_array()?
        .iter()
        .filter_map(|d| requirement(d.as_str()?).ok())
        .collect();
    let root = lock.get("package")?.as_array()?.iter().find(|p| {
        p.get("source")
            .and_then(|s| s.as_table())
            .is_some_and(|s| s.values().any(|v| v.as_str() == Some(".")))
    })?;
    let recorded: BTreeSet<String> = root
        .get("metadata")?
        .get("requires-dist")?
        .as_array()?
        .iter()
        .filter(|r| {
            !r.get("marker")
                .and_then(|m| m.as_str())
                .is_some_and(|m| m.contains("extra =="))
        })
        .filter_map(|r| r.get("name")?.as_str().map(normalise))
        .collect();
    if wanted == recorded {
        return None;
    }
    let missing: Vec<&String> = wanted.difference(&recorded).collect();
    let gone: Vec<&String> = recorded.difference(&wanted).collect();
    let mut why = Vec::new();
    if !missing.is_empty() {
        why.push(format!(
            "pyproject.toml depends on {} that uv.lock does not record",
            join(&missing)
        ));
    }
    if !gone.is_empty() {
        why.push(format!(
            "uv.lock records {} that pyproject.toml no longer lists",
            join(&gone)
        ));
    }
    Some(StaleLock {
        lock: "uv.lock".into(),
        locks: "pyproject.toml".into(),
        why: why.join("; "),
    })
}

fn join(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipfile_hash_is_pipenvs() {
        // The fixture's lock was written by Pipenv for this Pipfile.
        let pipfile = "[[source]]\nurl = \"https://pypi.org/simple\"\nverify_ssl = true\nname = \"pypi\"\n\n[packages]\nflask = \"==3.1.3\"\n\n[requires]\npython_version = \"3.11\"\n";
        assert_eq!(
            pipfile_hash(pipfile).unwrap(),
            "82ac1611e6e672e023da37aa4aed841e1dedf2a0eb5541431f5ddc32aa3aa059"
        );
        // Without [[source]], Pipenv hashes its default source: the same hash.
        let no_source =
            "[packages]\nflask = \"==3.1.3\"\n\n[requires]\npython_version = \"3.11\"\n";
        assert_eq!(pipfile_hash(no_source), pipfile_hash(pipfile));
        let mut s = String::new();
        python_json(
            &serde_json::json!({"b": [1, null], "a": "é\"\u{1F600}"}),
            true,
            &mut s,
        )
        .unwrap();
        assert_eq!(
            s,
            "{\"a\": \"\\u00e9\\\"\\ud83d\\ude00\", \"b\": [1, null]}"
        );
    }

    #[test]
    fn poetry_hash_is_poetrys() {
        // The fixture's lock was written by Poetry for this pyproject.toml.
        let py = "[tool.poetry]\nname = \"api\"\nversion = \"0.1.0\"\ndescription = \"\"\nauthors = [\"A <a@example.com>\"]\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nflask = \"3.1.3\"\ngunicorn = \"27.0.1\"\n";
        assert_eq!(
            poetry_hash(py).unwrap(),
            "0644909f260ae390c8aff0a5cc6c2f9983b0f4cee2be12a6ae9d51a51f2dbd52"
        );
    }
}
