//! The answers file, `.flaskgen.toml`: the template and every value a
//! project was made from, written with the project and read back by
//! `flaskgen new --answers FILE` to make it again, and by `flaskgen update`
//! to render the template the project was made from (`[template]`: name,
//! version, source, ref, commit; and `flaskgen_version`, the flaskgen that
//! wrote the file, which the generated CI installs) and to tell which files the user has changed
//! since (`[files]`: a content hash of every file written).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{read_input_file_within, Given, TEMPLATE};
use crate::error::input_error;
use crate::template::manifest::Manifest;
use crate::template::File;
use crate::template::{Origin, Template};
use crate::text::quote;
use crate::values::{scalar_text, Source, Values};

pub const ANSWERS_FILE: &str = ".flaskgen.toml";

/// The largest answers file read: 16 MiB. Its `[files]` table has a line
/// of about 100 bytes per file, so this holds a project of over 150,000
/// files (a 1 MiB cap stopped near 10,000), while a tampered file still
/// cannot make flaskgen read without end.
pub const MAX_ANSWERS_FILE: u64 = 16 * 1024 * 1024;

/// What an answers file says.
#[derive(Debug, Clone)]
pub struct Answers {
    pub path: PathBuf,
    /// The template source, a git URL without credentials; `None` for the
    /// built-in template.
    pub source: Option<String>,
    /// The source as an answers file from before credentials were left out
    /// records it, `user:password@` and all: for git alone, never shown.
    pub source_with_credentials: Option<String>,
    pub git_ref: Option<String>,
    /// The template's name and manifest version, when recorded.
    pub name: Option<String>,
    pub version: Option<String>,
    /// The commit a git kit was at.
    pub commit: Option<String>,
    /// Variable name and value, as text to validate like any other input.
    pub values: Vec<(String, String)>,
    /// Path → content hash of each file written (`None`: an answers file
    /// from before hashes were recorded).
    pub files: Option<BTreeMap<String, String>>,
}

/// The content hash recorded for a file: `sha256:` and 64 hex digits.
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Reads an answers file; any problem with it is invalid input.
pub fn read(path: &Path) -> Result<Answers> {
    let text = read_input_file_within(path, "answers file", MAX_ANSWERS_FILE)?;
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        input_error(format!("answers file {}: {}", path.display(), e.message()))
    })?;
    let bad = |what: &str| {
        input_error(format!(
            "answers file {}: {what}; it should look like the .flaskgen.toml flaskgen writes",
            path.display()
        ))
    };
    let template = doc
        .get("template")
        .and_then(|t| t.as_table())
        .ok_or_else(|| bad("no [template] table"))?;
    let recorded = match template.get("source").and_then(|s| s.as_str()) {
        Some(Origin::BUILTIN) => None,
        Some(s) => Some(s),
        None => return Err(bad("no template source")),
    };
    let source = recorded.map(|s| crate::git::strip_userinfo(s).into_owned());
    let source_with_credentials = recorded
        .filter(|r| Some(*r) != source.as_deref())
        .map(str::to_string);
    let text_of = |key: &str| {
        template
            .get(key)
            .and_then(|r| r.as_str())
            .map(str::to_string)
    };
    let git_ref = text_of("ref");
    let table = doc
        .get("values")
        .and_then(|v| v.as_table())
        .ok_or_else(|| bad("no [values] table"))?;
    let mut values = Vec::new();
    for (k, v) in table {
        let raw = scalar_text(v).map_err(|type_name| {
            bad(&format!(
                "value `{k}` is a {type_name}, not a string, integer or boolean"
            ))
        })?;
        values.push((k.clone(), raw));
    }
    let files = match doc.get("files") {
        None => None,
        Some(toml::Value::Table(t)) => Some(
            t.iter()
                .map(|(k, v)| match v.as_str() {
                    Some(h) => Ok((k.clone(), h.to_string())),
                    None => Err(bad(&format!("[files] entry `{k}` is not a string"))),
                })
                .collect::<Result<_>>()?,
        ),
        Some(_) => return Err(bad("[files] is not a table")),
    };
    Ok(Answers {
        path: path.to_path_buf(),
        source,
        source_with_credentials,
        git_ref,
        name: text_of("name"),
        version: text_of("version"),
        commit: text_of("commit"),
        values,
        files,
    })
}

impl Answers {
    /// What the file gives the inputs layer: its template source (with its
    /// ref) and every value the template knows; others are warned about.
    pub fn given(&self, manifest: &Manifest, warn: impl Fn(&str)) -> Vec<Given> {
        let source = Source::Answers(self.path.clone());
        let mut given = Vec::new();
        for (var, raw) in &self.values {
            if manifest.variable(var).is_none() {
                warn(&format!(
                    "answers file {}: {} is not a variable of template {}; ignored",
                    self.path.display(),
                    quote(var),
                    quote(&manifest.meta.name)
                ));
                continue;
            }
            given.push(Given::new(var, raw.clone(), source.clone()));
        }
        given
    }

    /// The template source this file names (`builtin` for the built-in
    /// one), for the inputs layer.
    pub fn template(&self) -> Given {
        let source = self
            .source
            .clone()
            .unwrap_or_else(|| crate::template::Origin::BUILTIN.into());
        let mut g = Given::new(TEMPLATE, source, Source::Answers(self.path.clone()));
        g.git_ref = self.git_ref.clone();
        g
    }
}

/// The answers file's text: template identity, every value used, and the
/// content hash of each of `files` (the project's other files).
pub fn render(template: &Template, values: &Values, files: &[File]) -> String {
    let mut t = toml::map::Map::new();
    t.insert("name".into(), template.manifest.meta.name.clone().into());
    t.insert(
        "version".into(),
        template.manifest.meta.version.clone().into(),
    );
    match &template.origin {
        Origin::Builtin => {
            t.insert("source".into(), Origin::BUILTIN.into());
        }
        Origin::Dir(p) => {
            t.insert("source".into(), p.display().to_string().into());
        }
        Origin::Git {
            url,
            reference,
            commit,
        } => {
            // Never the credentials a URL was given with.
            t.insert(
                "source".into(),
                crate::git::strip_userinfo(url).into_owned().into(),
            );
            if let Some(r) = reference {
                t.insert("ref".into(), r.clone().into());
            }
            if !commit.is_empty() {
                t.insert("commit".into(), commit.clone().into());
            }
        }
    }
    t.insert("flaskgen_version".into(), env!("CARGO_PKG_VERSION").into());
    let mut v = toml::map::Map::new();
    for (name, value, _) in values.iter() {
        v.insert(name.into(), value.to_toml());
    }
    let sorted: BTreeMap<&str, String> = files
        .iter()
        .filter(|f| f.path != ANSWERS_FILE)
        .map(|f| (f.path.as_str(), content_hash(&f.contents)))
        .collect();
    let mut hashes = toml::map::Map::new();
    for (path, hash) in sorted {
        hashes.insert(path.into(), hash.into());
    }
    let mut root = toml::map::Map::new();
    root.insert("template".into(), toml::Value::Table(t));
    root.insert("values".into(), toml::Value::Table(v));
    root.insert("files".into(), toml::Value::Table(hashes));
    format!(
        "# The template and the values this project was made from.\n{}",
        toml::to_string(&toml::Value::Table(root)).unwrap_or_default()
    )
}
