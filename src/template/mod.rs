//! Template sources: the built-in template embedded in the binary, a local
//! directory, or a git repository fetched with the system's git; and the
//! manifest that describes each.

pub mod git;
pub mod manifest;

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use include_dir::{include_dir, Dir, DirEntry};

use manifest::{Manifest, MANIFEST_FILE};

use crate::values::{builtins, Source, Value, Values};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/default");
static BUILTIN_INIT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/init");

/// `.git`, `.hg` or `.svn` in any case: a path through one could plant a hook
/// that the next commit runs.
pub fn is_vcs_dir(name: &str) -> bool {
    [".git", ".hg", ".svn"]
        .iter()
        .any(|v| name.eq_ignore_ascii_case(v))
}

/// Suffix marking a file to render; every other file is copied byte for byte.
pub const RENDER_SUFFIX: &str = ".tera";

/// A file of a template (its path inside the kit, `.tera` suffix and all)
/// or of a rendered plan (its path inside the project).
#[derive(Debug, Clone)]
pub struct File {
    /// `/`-separated, relative.
    pub path: String,
    pub contents: Cow<'static, [u8]>,
    pub executable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    Dir(PathBuf),
    Git {
        url: String,
        reference: Option<String>,
        commit: String,
    },
}

impl Origin {
    /// How the built-in template is named wherever a source is recorded
    /// (answers file, JSON): one spelling.
    pub const BUILTIN: &'static str = "builtin";

    /// The source as recorded: `builtin`, a directory or a git URL (the ref
    /// and commit are recorded apart).
    pub fn source(&self) -> String {
        match self {
            Origin::Builtin => Origin::BUILTIN.into(),
            Origin::Dir(p) => p.display().to_string(),
            Origin::Git { url, .. } => url.clone(),
        }
    }

    pub fn git_ref(&self) -> Option<&str> {
        match self {
            Origin::Git { reference, .. } => reference.as_deref(),
            _ => None,
        }
    }

    pub fn commit(&self) -> Option<&str> {
        match self {
            Origin::Git { commit, .. } if !commit.is_empty() => Some(commit),
            _ => None,
        }
    }

    /// For people: `built-in`, a path, or `URL (ref)`.
    pub fn describe(&self) -> String {
        match self {
            Origin::Builtin => "built-in".into(),
            Origin::Dir(p) => p.display().to_string(),
            Origin::Git {
                url,
                reference: Some(r),
                ..
            } => format!("{url} ({r})"),
            Origin::Git { url, .. } => url.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Template {
    pub manifest: Manifest,
    pub files: Vec<File>,
    pub origin: Origin,
}

impl Template {
    /// Values for a render without inputs (`template check`, tests): each
    /// variable's default, else a valid example.
    pub fn example_values(&self) -> Values {
        let mut values = Values::default();
        for var in &self.manifest.variables {
            let v = match (&var.default, var.name.as_str()) {
                (Some(d), _) => d.clone(),
                (None, "image") => Value::Str(values.str("name").to_string()),
                (None, name) => {
                    let example = builtins::builtin(name)
                        .map(|b| b.example.to_string())
                        .unwrap_or_else(|| var.kind.example());
                    var.kind
                        .check(&example)
                        .unwrap_or(Value::Str(example.clone()))
                }
            };
            values.set(&var.name, v, Source::TemplateDefault);
        }
        values
    }

    /// The template compiled into the binary from `templates/default`.
    pub fn builtin() -> Result<Template> {
        Template::embedded(&BUILTIN)
    }

    /// The template of `flaskgen init`, compiled in from `templates/init`.
    pub fn builtin_init() -> Result<Template> {
        Template::embedded(&BUILTIN_INIT)
    }

    /// A built-in template embedded in the binary: the current one, or a
    /// released version kept to render the base of `flaskgen update`.
    pub fn embedded(dir: &'static Dir<'static>) -> Result<Template> {
        let manifest_text = dir
            .get_file(dir.path().join(MANIFEST_FILE))
            .and_then(|f| f.contents_utf8())
            .ok_or_else(|| anyhow!("the built-in template has no {MANIFEST_FILE}"))?;
        let manifest = Manifest::parse(manifest_text, MANIFEST_FILE)?;
        let mut files = Vec::new();
        collect_builtin(dir, &mut files);
        // A nested embedded directory names its files from the embedding root.
        let prefix = format!("{}/", dir.path().to_string_lossy().replace('\\', "/"));
        if prefix != "/" {
            for f in &mut files {
                if let Some(rest) = f.path.strip_prefix(&prefix) {
                    f.path = rest.to_string();
                }
            }
        }
        files.retain(|f| f.path != MANIFEST_FILE);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Template {
            manifest,
            files,
            origin: Origin::Builtin,
        })
    }

    /// The files of the built-in template as they sit in `templates/default`,
    /// manifest included: what `template init` exports.
    pub fn builtin_source_files() -> Vec<File> {
        let mut files = Vec::new();
        collect_builtin(&BUILTIN, &mut files);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// Loads a template from a local directory or a git URL; `builtin` (as
    /// answers files record it) is the built-in template.
    pub fn load(source: &str, git_ref: Option<&str>) -> Result<Template> {
        if source == Origin::BUILTIN && git_ref.is_none() {
            return Template::builtin();
        }
        if source.trim().is_empty() {
            return Err(crate::error::input_error(
                "invalid template \"\": give a kit directory or a git URL; for example `--template ./acme-kit`",
            ));
        }
        if git::is_git_url(source) {
            return git::load(source, git_ref);
        }
        if let Some(r) = git_ref {
            return Err(crate::error::input_error(format!(
                "--ref {} applies only to a git template, and {} is a local directory; drop --ref, or give a git URL such as `file:///srv/kits/acme.git`",
                crate::text::quote(r),
                crate::text::quote(source)
            )));
        }
        let path = Path::new(source);
        let (manifest, files) = load_dir(path)?;
        let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        Ok(Template {
            manifest,
            files,
            origin: Origin::Dir(abs),
        })
    }
}

fn collect_builtin(dir: &'static Dir<'static>, out: &mut Vec<File>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(d) => collect_builtin(d, out),
            DirEntry::File(f) => out.push(File {
                path: f.path().to_string_lossy().replace('\\', "/"),
                contents: Cow::Borrowed(f.contents()),
                executable: false,
            }),
        }
    }
}

/// Reads a kit directory: its manifest and every file but `.git`. A symlink
/// is followed when it points inside the kit and not into `.git`, `.hg` or
/// `.svn`; any other is refused.
pub fn load_dir(root: &Path) -> Result<(Manifest, Vec<File>)> {
    let meta = fs::metadata(root).map_err(|e| {
        crate::error::input_error(format!(
            "template directory {} cannot be read ({}); give a kit directory holding {MANIFEST_FILE} or a git URL, for example `--template ./acme-kit`",
            crate::text::escape(&root.display().to_string()),
            e.kind()
        ))
    })?;
    if !meta.is_dir() {
        return Err(crate::error::input_error(format!(
            "template {} is not a directory; give a kit directory holding {MANIFEST_FILE} or a git URL, for example `--template ./acme-kit`",
            crate::text::escape(&root.display().to_string())
        )));
    }
    let canonical = root.canonicalize()?;
    let manifest_path = root.join(MANIFEST_FILE);
    let text = fs::read_to_string(&manifest_path).with_context(|| {
        format!(
            "template {} has no readable {MANIFEST_FILE}",
            root.display()
        )
    })?;
    let manifest = Manifest::parse(&text, &manifest_path.display().to_string())?;
    let mut files = Vec::new();
    walk(&canonical, &canonical, "", &mut files, 0)?;
    files.retain(|f| f.path != MANIFEST_FILE);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((manifest, files))
}

fn walk(root: &Path, dir: &Path, prefix: &str, out: &mut Vec<File>, depth: usize) -> Result<()> {
    if depth > 32 {
        bail!(
            "template directory {} nests too deeply (a symlink loop?)",
            dir.display()
        );
    }
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name
            .to_str()
            .ok_or_else(|| anyhow!("template file name {:?} is not UTF-8", entry.path()))?;
        if name == ".git" {
            continue;
        }
        let rel = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        };
        let mut path = entry.path();
        if entry.file_type()?.is_symlink() {
            let target = path
                .canonicalize()
                .map_err(|_| anyhow!("template file {rel} is a broken symlink"))?;
            let Ok(inside) = target.strip_prefix(root) else {
                bail!(
                    "template file {} is a symlink pointing outside the template ({})",
                    crate::text::escape(&rel),
                    crate::text::escape(&target.display().to_string())
                );
            };
            // The kit's own `.git` holds its remote URL (credentials and
            // all, for a clone) and hooks: never part of a project.
            let vcs = inside
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .find(|c| is_vcs_dir(c));
            if let Some(vcs) = vcs {
                bail!(
                    "template file {} is a symlink into the kit's {} directory, which is never copied into a project; replace the link with a regular file",
                    crate::text::escape(&rel),
                    crate::text::escape(&vcs)
                );
            }
            path = target;
        }
        let meta = fs::metadata(&path)?;
        if meta.is_dir() {
            walk(root, &path, &rel, out, depth + 1)?;
        } else if meta.is_file() {
            let contents =
                fs::read(&path).with_context(|| format!("reading template file {rel}"))?;
            out.push(File {
                path: rel,
                contents: Cow::Owned(contents),
                executable: is_executable(&meta),
            });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &fs::Metadata) -> bool {
    false
}
