//! Template sources: the built-in template embedded in the binary, a local
//! directory, or a git repository fetched with the system's git.

use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};
use include_dir::{include_dir, Dir, DirEntry};

use crate::manifest::{Manifest, MANIFEST_FILE};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/default");

/// Suffix marking a file to render; every other file is copied byte for byte.
pub const RENDER_SUFFIX: &str = ".tera";

#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Path inside the template, `/`-separated, including any `.tera` suffix.
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
    pub files: Vec<TemplateFile>,
    pub origin: Origin,
}

impl Template {
    /// The template compiled into the binary from `templates/default`.
    pub fn builtin() -> Result<Template> {
        Template::embedded(&BUILTIN)
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
        let prefix = dir.path().to_string_lossy().replace('\\', "/");
        if !prefix.is_empty() {
            for f in &mut files {
                if let Some(rest) = f.path.strip_prefix(&format!("{prefix}/")) {
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
    pub fn builtin_source_files() -> Vec<TemplateFile> {
        let mut files = Vec::new();
        collect_builtin(&BUILTIN, &mut files);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// Loads a template from a local directory or a git URL.
    pub fn load(source: &str, git_ref: Option<&str>) -> Result<Template> {
        if source.trim().is_empty() {
            return Err(crate::error::input_error(
                "invalid template \"\": give a kit directory or a git URL; for example `--template ./acme-kit`",
            ));
        }
        if is_git_url(source) {
            return load_git(source, git_ref);
        }
        if git_ref.is_some() {
            bail!("--ref applies only to a git template, and {source:?} is a local path");
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

fn collect_builtin(dir: &'static Dir<'static>, out: &mut Vec<TemplateFile>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(d) => collect_builtin(d, out),
            DirEntry::File(f) => out.push(TemplateFile {
                path: f.path().to_string_lossy().replace('\\', "/"),
                contents: Cow::Borrowed(f.contents()),
                executable: false,
            }),
        }
    }
}

/// A source is a git repository when it looks like a URL git understands.
pub fn is_git_url(source: &str) -> bool {
    ["https://", "http://", "ssh://", "git://", "file://"]
        .iter()
        .any(|p| source.starts_with(p))
        || (source.starts_with("git@") && source.contains(':'))
}

pub(crate) fn is_ssh_url(url: &str) -> bool {
    url.starts_with("ssh://") || url.starts_with("git@")
}

/// True when `GIT_SSH_COMMAND`, `GIT_SSH` or git's `core.sshCommand` is set.
pub(crate) fn user_chose_ssh_command() -> bool {
    ["GIT_SSH_COMMAND", "GIT_SSH"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
        || Command::new("git")
            .args(["config", "--get", "core.sshCommand"])
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
}

fn load_git(url: &str, git_ref: Option<&str>) -> Result<Template> {
    let tmp = tempfile::Builder::new()
        .prefix("flaskgen-template-")
        .tempdir()?;
    let dest = tmp.path().join("kit");
    let mut cmd = Command::new("git");
    cmd.args(["clone", "--quiet", "--depth", "1", "--no-tags"]);
    if let Some(r) = git_ref {
        cmd.args(["--branch", r]);
    }
    cmd.arg("--").arg(url).arg(&dest);
    // Never let git ask for credentials: scripts must not hang. ssh asks on
    // the terminal itself, so it gets BatchMode, unless the user chose an ssh
    // command of their own (a key for the team's git host, say).
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    if is_ssh_url(url) && !user_chose_ssh_command() {
        cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow!("git is not installed, and the template {url} is a git repository; install git or pass a local directory")
        } else {
            anyhow!("could not run git to fetch {url}: {e}")
        }
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim();
        bail!(
            "could not clone template {url}{}: {why}",
            git_ref.map(|r| format!(" at {r}")).unwrap_or_default()
        );
    }
    let commit = Command::new("git")
        .arg("-C")
        .arg(&dest)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let (manifest, files) = load_dir(&dest).with_context(|| format!("in template {url}"))?;
    Ok(Template {
        manifest,
        files,
        origin: Origin::Git {
            url: url.into(),
            reference: git_ref.map(Into::into),
            commit,
        },
    })
}

/// Reads a kit directory: its manifest and every file but `.git`.
pub fn load_dir(root: &Path) -> Result<(Manifest, Vec<TemplateFile>)> {
    let meta = fs::metadata(root)
        .with_context(|| format!("template directory {} not found", root.display()))?;
    if !meta.is_dir() {
        bail!("template {} is not a directory", root.display());
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

fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    out: &mut Vec<TemplateFile>,
    depth: usize,
) -> Result<()> {
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
            if !target.starts_with(root) {
                bail!(
                    "template file {rel} is a symlink pointing outside the template ({})",
                    target.display()
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
            out.push(TemplateFile {
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
