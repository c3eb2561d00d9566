//! The one reader of a project's files for `init` and `check`: the project
//! is someone else's repository, so a file is read only when it is a regular
//! file inside the project, up to a size cap for its kind.
//!
//! - A FIFO, device or socket is never opened in a way that blocks: the type is
//!   checked before the open (`O_NONBLOCK | O_NOFOLLOW`) and again after it.
//! - A symbolic link is followed only when its target is inside the project.
//! - At most cap + 1 bytes are read, so `/dev/zero` or a 100 MB file costs no
//!   more memory than the cap.
//! - What is skipped, and why, is kept as a warning (file names escaped), once
//!   per file; the command prints the warnings.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::text::escape;

const MIB: u64 = 1 << 20;

/// What a file is, which decides its size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `Dockerfile`: 1 MiB.
    Dockerfile,
    /// `pyproject.toml`, `Pipfile`: 1 MiB.
    Toml,
    /// Lock files (`uv.lock`, `poetry.lock`, `pdm.lock`, `Pipfile.lock`): 16 MiB.
    Lock,
    /// Python source (`*.py`, `setup.py`, `gunicorn.conf.py`): 2 MiB.
    Python,
    /// Requirements, `setup.cfg`, `.env`, `.flaskenv`, `.python-version`,
    /// `runtime.txt`, compose files, `.dockerignore`, `.gitignore`, shell
    /// scripts: 1 MiB.
    Config,
    /// README/INSTALL and other Markdown or text documents: 1 MiB.
    Document,
}

impl Kind {
    /// The most bytes read of a file of this kind.
    pub fn cap(self) -> u64 {
        match self {
            Kind::Lock => 16 * MIB,
            Kind::Python => 2 * MIB,
            Kind::Dockerfile | Kind::Toml | Kind::Config | Kind::Document => MIB,
        }
    }

    /// The kind, in the plural, as warnings name it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Dockerfile => "Dockerfiles",
            Kind::Toml => "TOML files",
            Kind::Lock => "lock files",
            Kind::Python => "Python files",
            Kind::Config => "configuration files",
            Kind::Document => "documents",
        }
    }

    /// The kind of a file by its name (for files init would replace).
    pub fn of(rel: &str) -> Kind {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if name == "Dockerfile" || name.ends_with(".Dockerfile") || name.starts_with("Dockerfile.")
        {
            Kind::Dockerfile
        } else if name.ends_with(".py") {
            Kind::Python
        } else if name.ends_with(".lock") {
            Kind::Lock
        } else if name.ends_with(".toml") || name == "Pipfile" {
            Kind::Toml
        } else if name.ends_with(".md") || name.ends_with(".rst") {
            Kind::Document
        } else {
            Kind::Config
        }
    }

    /// `1 MiB limit for TOML files`.
    fn limit(self) -> String {
        format!("{} MiB limit for {}", self.cap() / MIB, self.name())
    }
}

/// Why a file that is there was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    Directory,
    /// A FIFO, device or socket: `what` says which.
    NotRegular(&'static str),
    /// A symbolic link whose target is outside the project (or missing).
    LinkOutside,
    TooLarge(Kind),
    NotUtf8,
    Io(String),
}

impl Skip {
    /// Why, in words: `larger than the 1 MiB limit for Dockerfiles`.
    pub fn reason(&self) -> String {
        match self {
            Skip::Directory => "a directory, not a file".into(),
            Skip::NotRegular(what) => format!("{what}, not a regular file"),
            Skip::LinkOutside => {
                "a symbolic link to outside the project (or to nothing), not followed".into()
            }
            Skip::TooLarge(kind) => format!("larger than the {}", kind.limit()),
            Skip::NotUtf8 => "not UTF-8 text".into(),
            Skip::Io(e) => format!("unreadable ({e})"),
        }
    }
}

/// What reading a file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    Text(String),
    Missing,
    Skipped(Skip),
}

/// A project's files, read through one bounded reader, with the warnings
/// about what was skipped.
pub struct Project {
    root: PathBuf,
    /// The root with every link resolved: targets must start with it.
    real_root: Option<PathBuf>,
    cache: RefCell<BTreeMap<String, Contents>>,
    /// Each folder's path with every link resolved, by its root-relative
    /// path (`` for the root), resolved once.
    folders: RefCell<BTreeMap<String, Option<PathBuf>>>,
    warned: RefCell<BTreeSet<String>>,
    warnings: RefCell<Vec<String>>,
}

impl Project {
    pub fn new(root: &Path) -> Project {
        Project {
            root: root.to_path_buf(),
            real_root: fs::canonicalize(root).ok(),
            cache: RefCell::new(BTreeMap::new()),
            folders: RefCell::new(BTreeMap::new()),
            warned: RefCell::new(BTreeSet::new()),
            warnings: RefCell::new(Vec::new()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Reads `rel` (relative to the root, `/`-separated) as a file of `kind`.
    /// Results other than Python sources are kept, so a file read twice is
    /// opened once.
    pub fn read(&self, rel: &str, kind: Kind) -> Contents {
        if let Some(r) = self.cache.borrow().get(rel) {
            return r.clone();
        }
        let r = self.read_uncached(rel, kind);
        if kind != Kind::Python {
            self.cache.borrow_mut().insert(rel.to_string(), r.clone());
        }
        r
    }

    /// The text of `rel`, or None; a file that is there but skipped (anything
    /// but a directory) gets a warning, once.
    pub fn text(&self, rel: &str, kind: Kind) -> Option<String> {
        match self.read(rel, kind) {
            Contents::Text(t) => Some(t),
            Contents::Missing | Contents::Skipped(Skip::Directory) => None,
            Contents::Skipped(why) => {
                self.skipped(rel, &why);
                None
            }
        }
    }

    /// Records the warning for a skipped file (once per file).
    pub fn skipped(&self, rel: &str, why: &Skip) {
        if self.warned.borrow_mut().insert(rel.to_string()) {
            self.warn(format!("skipped {}: {}", escape(rel), why.reason()));
        }
    }

    /// Adds a warning (already escaped by the caller).
    pub fn warn(&self, msg: String) {
        self.warnings.borrow_mut().push(msg);
    }

    /// The warnings so far, in the order they arose.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.borrow().clone()
    }

    /// Whether `rel` is a regular file inside the project (links followed
    /// inside only). Anything else that is there, but a directory, gets the
    /// warning [`Project::text`] gives.
    pub fn is_file(&self, rel: &str) -> bool {
        match self.locate(rel) {
            Ok(_) => true,
            Err(Contents::Skipped(why)) if why != Skip::Directory => {
                self.skipped(rel, &why);
                false
            }
            Err(_) => false,
        }
    }

    /// The resolved path and metadata of a regular file inside the project,
    /// or what it is instead.
    fn locate(&self, rel: &str) -> Result<(PathBuf, fs::Metadata), Contents> {
        let io = |e: std::io::Error| Contents::Skipped(Skip::Io(e.kind().to_string()));
        let path = self.root.join(rel);
        let lmeta = match fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Contents::Missing),
            Err(e) => return Err(io(e)),
        };
        // Every link on the way (the file's own, or a folder's) must stay inside.
        let outside = Contents::Skipped(Skip::LinkOutside);
        let resolved = if lmeta.file_type().is_symlink() {
            fs::canonicalize(&path)
        } else {
            self.resolve_in_folder(rel)
                .unwrap_or_else(|| fs::canonicalize(&path))
        };
        let real = match (resolved, &self.real_root) {
            (Ok(real), Some(root)) if real.starts_with(root) => real,
            _ if lmeta.file_type().is_symlink() => return Err(outside),
            (Ok(_), Some(_)) => return Err(outside),
            (Err(e), _) => return Err(io(e)),
            (Ok(real), None) => real,
        };
        let meta = if lmeta.file_type().is_symlink() {
            fs::metadata(&real).map_err(io)?
        } else {
            lmeta
        };
        match not_regular(&meta) {
            Some(why) => Err(Contents::Skipped(why)),
            None => Ok((real, meta)),
        }
    }

    /// The resolved path of `rel`, a name that is not a link itself, as its
    /// folder's resolved path (resolved once per folder) joined with the
    /// name; None when `rel` is not plain `a/b/name` (no `.`, `..`, empty or
    /// absolute parts), for the caller to resolve the whole path.
    fn resolve_in_folder(&self, rel: &str) -> Option<std::io::Result<PathBuf>> {
        let plain = !rel.is_empty()
            && rel
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..");
        if !plain {
            return None;
        }
        let (folder, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let mut folders = self.folders.borrow_mut();
        let real = folders
            .entry(folder.to_string())
            .or_insert_with(|| fs::canonicalize(self.root.join(folder)).ok());
        Some(match real {
            Some(r) => Ok(r.join(name)),
            None => fs::canonicalize(self.root.join(rel)),
        })
    }

    fn read_uncached(&self, rel: &str, kind: Kind) -> Contents {
        let (real, meta) = match self.locate(rel) {
            Ok(found) => found,
            Err(c) => return c,
        };
        if meta.len() > kind.cap() {
            return Contents::Skipped(Skip::TooLarge(kind));
        }
        let file = match open_no_block(&real) {
            Ok(f) => f,
            Err(e) => return Contents::Skipped(Skip::Io(e.kind().to_string())),
        };
        // The file could have been swapped between the check and the open.
        match file.metadata() {
            Ok(m) => {
                if let Some(why) = not_regular(&m) {
                    return Contents::Skipped(why);
                }
            }
            Err(e) => return Contents::Skipped(Skip::Io(e.kind().to_string())),
        }
        // Room for the whole file and the end-of-file read: two reads, not a growing buffer.
        let mut bytes = Vec::with_capacity(meta.len().min(kind.cap()) as usize + 1);
        if let Err(e) = file.take(kind.cap() + 1).read_to_end(&mut bytes) {
            return Contents::Skipped(Skip::Io(e.kind().to_string()));
        }
        if bytes.len() as u64 > kind.cap() {
            return Contents::Skipped(Skip::TooLarge(kind));
        }
        match String::from_utf8(bytes) {
            Ok(t) => Contents::Text(t),
            Err(_) => Contents::Skipped(Skip::NotUtf8),
        }
    }
}

/// Why a file of this type is not read: None for a regular file.
fn not_regular(meta: &fs::Metadata) -> Option<Skip> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some(Skip::Directory);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some(Skip::NotRegular("a FIFO"));
        }
        if t.is_socket() {
            return Some(Skip::NotRegular("a socket"));
        }
        if t.is_char_device() || t.is_block_device() {
            return Some(Skip::NotRegular("a device"));
        }
    }
    Some(Skip::NotRegular("a special file"))
}

/// Opens for reading without blocking on a FIFO and without following a
/// final symbolic link (the path given is already resolved).
fn open_no_block(path: &Path) -> std::io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    opts.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_caps() {
        assert_eq!(Kind::of("Dockerfile"), Kind::Dockerfile);
        assert_eq!(Kind::of("gunicorn.conf.py"), Kind::Python);
        assert_eq!(Kind::of("uv.lock"), Kind::Lock);
        assert_eq!(Kind::of("DOCKER.md"), Kind::Document);
        assert_eq!(Kind::of("compose.yaml"), Kind::Config);
        assert_eq!(
            Skip::TooLarge(Kind::Toml).reason(),
            "larger than the 1 MiB limit for TOML files"
        );
    }

    #[test]
    fn reads_regular_files_inside_only() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let r = tmp.path();
        fs::write(r.join("a.txt"), "hi").unwrap();
        fs::write(outside.path().join("secret"), "s").unwrap();
        fs::create_dir(r.join("dir")).unwrap();
        fs::write(r.join("big.toml"), vec![b'a'; (MIB + 1) as usize]).unwrap();
        fs::write(r.join("bad.txt"), [0xff, 0xfe]).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("a.txt", r.join("inside")).unwrap();
            std::os::unix::fs::symlink(outside.path().join("secret"), r.join("out")).unwrap();
            std::os::unix::fs::symlink("/dev/zero", r.join("zero")).unwrap();
        }
        let p = Project::new(r);
        assert_eq!(p.read("a.txt", Kind::Config), Contents::Text("hi".into()));
        assert_eq!(p.read("nope", Kind::Config), Contents::Missing);
        assert_eq!(
            p.read("dir", Kind::Config),
            Contents::Skipped(Skip::Directory)
        );
        assert_eq!(
            p.read("big.toml", Kind::Toml),
            Contents::Skipped(Skip::TooLarge(Kind::Toml))
        );
        assert_eq!(
            p.read("bad.txt", Kind::Config),
            Contents::Skipped(Skip::NotUtf8)
        );
        #[cfg(unix)]
        {
            assert_eq!(p.read("inside", Kind::Config), Contents::Text("hi".into()));
            assert_eq!(
                p.read("out", Kind::Config),
                Contents::Skipped(Skip::LinkOutside)
            );
            assert_eq!(
                p.read("zero", Kind::Config),
                Contents::Skipped(Skip::LinkOutside)
            );
        }
        // Warnings: once per file, none for a directory or a missing file.
        for _ in 0..2 {
            p.text("big.toml", Kind::Toml);
            p.text("dir", Kind::Config);
            p.text("nope", Kind::Config);
        }
        assert_eq!(
            p.warnings(),
            vec!["skipped big.toml: larger than the 1 MiB limit for TOML files"]
        );
    }

    /// Files are resolved through their folder's path (resolved once): a
    /// folder that links outside still keeps its files out, one that links
    /// inside lets them in, and `..` never climbs out.
    #[cfg(unix)]
    #[test]
    fn files_in_linked_folders_are_read_only_inside() {
        let base = tempfile::tempdir().unwrap();
        let r = &base.path().join("proj");
        let outside = &base.path().join("out");
        fs::create_dir_all(r.join("real")).unwrap();
        fs::create_dir(outside).unwrap();
        fs::write(r.join("real/app.py"), "inside").unwrap();
        fs::write(outside.join("app.py"), "outside").unwrap();
        std::os::unix::fs::symlink(outside, r.join("away")).unwrap();
        std::os::unix::fs::symlink("real", r.join("alias")).unwrap();
        let p = Project::new(r);
        for _ in 0..2 {
            assert_eq!(
                p.read("away/app.py", Kind::Python),
                Contents::Skipped(Skip::LinkOutside)
            );
            assert_eq!(
                p.read("alias/app.py", Kind::Python),
                Contents::Text("inside".into())
            );
            assert_eq!(
                p.read("real/app.py", Kind::Python),
                Contents::Text("inside".into())
            );
            assert_eq!(
                p.read("real/../../out/app.py", Kind::Python),
                Contents::Skipped(Skip::LinkOutside)
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_skipped_without_blocking() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join(".env");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let p = Project::new(tmp.path());
        assert_eq!(
            p.read(".env", Kind::Config),
            Contents::Skipped(Skip::NotRegular("a FIFO"))
        );
    }
}
