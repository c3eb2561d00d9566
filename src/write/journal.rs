//! The journal that lets replacing files in an existing project survive a
//! kill (SIGKILL, power loss) at any point.
//!
//! The rule: every new file is staged (and synced) in a staging folder inside
//! the project first. Only then is the journal, `.flaskgen-journal`, written
//! to a temporary name, synced and renamed into place (and the folder
//! synced): the journal exists only once everything it needs is on disk, so
//! a journal found later is always **rolled forward**. Each step it records
//! tells from the disk alone whether it is done, so replaying the whole list
//! from the top finishes the work from any point. A kill before the journal
//! exists changed no project file: the next run only removes the staging.
//! When a step cannot be done (a full disk, a read-only or immutable file),
//! the steps are undone in reverse instead: a failure in this run, or in a
//! later recovery, rolls back.
//!
//! Steps run in this order: deletions, folders the template turns into files
//! (removed once empty), new folders, files replaced or created, and the
//! answers file last. The project's folder is locked (`flock`) by the
//! process that writes or recovers it, for the rest of that process, so two
//! runs never work on one project at once.

use std::fs;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::pause_for_tests;

/// The journal's name in the project's root.
pub const JOURNAL_FILE: &str = ".flaskgen-journal";
/// Where the journal is written before it is synced and renamed into place.
const JOURNAL_TMP: &str = ".flaskgen-journal.tmp";
/// Prefix of the folder new files are staged in.
pub const STAGING_PREFIX: &str = ".staging.flaskgen-";
/// Prefix of the folder replaced and deleted files are moved aside to.
pub const ASIDE_PREFIX: &str = ".aside.flaskgen-";
/// Prefix of the folder flaskgen 0.x moved files aside to, without a
/// journal: one a kill left may hold the only copy of an edit.
const OLD_ASIDE_PREFIX: &str = ".replaced.flaskgen-";
/// A journal larger than this is not one flaskgen wrote.
const MAX_JOURNAL: u64 = 256 << 20;

/// One planned change; paths are relative to the project's root (`aside`
/// to the aside folder, a staged file has its path in the staging folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Step {
    /// Moves `path` aside. Done when `aside` exists (or `path` never did).
    Delete { path: String, aside: String },
    /// Removes the folder `path`, empty by now, where a file will go. Done
    /// when `path` is no longer a folder.
    Rmdir { path: String },
    /// Creates the folder `path`. Done when it exists.
    Mkdir { path: String },
    /// Moves the old `path` aside, then the staged one in. Done when the
    /// staged file is gone.
    Replace { path: String, aside: String },
    /// Moves the staged `path` in. Done when the staged file is gone.
    Create { path: String },
}

impl Step {
    fn path(&self) -> &str {
        match self {
            Step::Delete { path, .. }
            | Step::Rmdir { path }
            | Step::Mkdir { path }
            | Step::Replace { path, .. }
            | Step::Create { path } => path,
        }
    }

    /// Whether this step changes a file (rather than a folder).
    fn is_file(&self) -> bool {
        matches!(
            self,
            Step::Delete { .. } | Step::Replace { .. } | Step::Create { .. }
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    /// What was interrupted, for the recovery line ("update").
    pub command: String,
    /// The staging folder's name in the root.
    pub staging: String,
    /// The aside folder's name in the root.
    pub aside: String,
    pub steps: Vec<Step>,
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

/// Renames `from` to `to`; an error says it cannot `what` the project's file `shown`.
fn rename(from: &Path, to: &Path, what: &str, shown: &Path) -> Result<()> {
    fs::rename(from, to).with_context(|| format!("cannot {what} {}", shown.display()))
}

/// Syncs a folder, so renames in it are on disk.
pub fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))
}

impl Journal {
    fn staged(&self, root: &Path, path: &str) -> PathBuf {
        root.join(&self.staging).join(path)
    }

    fn aside(&self, root: &Path, name: &str) -> PathBuf {
        root.join(&self.aside).join(name)
    }

    /// Does `step` unless it is done; true when it moved a file.
    pub fn forward(&self, root: &Path, step: &Step) -> Result<bool> {
        let dest = root.join(step.path());
        match step {
            Step::Delete { aside, .. } => {
                let aside = self.aside(root, aside);
                if exists(&aside) || !exists(&dest) {
                    return Ok(false);
                }
                fs::rename(&dest, &aside)
                    .with_context(|| format!("cannot delete {}", dest.display()))?;
                Ok(true)
            }
            Step::Rmdir { .. } => match fs::symlink_metadata(&dest) {
                Ok(m) if m.is_dir() => {
                    fs::remove_dir(&dest)
                        .with_context(|| format!("cannot remove {}", dest.display()))?;
                    Ok(false)
                }
                _ => Ok(false),
            },
            Step::Mkdir { .. } => match fs::create_dir(&dest) {
                Ok(()) => Ok(false),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(e).with_context(|| format!("cannot create {}", dest.display())),
            },
            Step::Replace { path, aside } => {
                let staged = self.staged(root, path);
                if !exists(&staged) {
                    return Ok(false);
                }
                let aside = self.aside(root, aside);
                if !exists(&aside) && exists(&dest) {
                    rename(&dest, &aside, "replace", &dest)?;
                    pause_for_tests("journal-aside");
                }
                rename(&staged, &dest, "write", &dest)?;
                Ok(true)
            }
            Step::Create { path } => {
                let staged = self.staged(root, path);
                if !exists(&staged) {
                    return Ok(false);
                }
                rename(&staged, &dest, "write", &dest)?;
                Ok(true)
            }
        }
    }

    /// Undoes `step` if it was done, wholly or in part.
    pub fn backward(&self, root: &Path, step: &Step) -> Result<()> {
        let dest = root.join(step.path());
        match step {
            Step::Delete { aside, .. } => {
                let aside = self.aside(root, aside);
                if exists(&aside) {
                    rename(&aside, &dest, "put back", &dest)?;
                }
            }
            Step::Rmdir { .. } => {
                if !exists(&dest) {
                    fs::create_dir(&dest)
                        .with_context(|| format!("cannot put back {}", dest.display()))?;
                }
            }
            Step::Mkdir { .. } => {
                // Only when empty: what someone else put there stays.
                let _ = fs::remove_dir(&dest);
            }
            Step::Replace { path, aside } => {
                let staged = self.staged(root, path);
                let aside = self.aside(root, aside);
                if !exists(&staged) && exists(&dest) {
                    rename(&dest, &staged, "take back", &dest)?;
                }
                if exists(&aside) {
                    rename(&aside, &dest, "put back", &dest)?;
                }
            }
            Step::Create { path } => {
                let staged = self.staged(root, path);
                if !exists(&staged) && exists(&dest) {
                    rename(&dest, &staged, "take back", &dest)?;
                }
            }
        }
        Ok(())
    }

    /// Undoes the first `done` steps, last first.
    pub fn roll_back(&self, root: &Path, done: usize) -> Result<()> {
        for step in self.steps[..done].iter().rev() {
            self.backward(root, step)?;
        }
        Ok(())
    }

    /// Writes the journal durably: to a temporary name, synced, renamed in,
    /// and the root synced. From then on the steps will be finished.
    pub fn commit(&self, root: &Path) -> Result<()> {
        let result = self.write_durably(root);
        if result.is_err() {
            let _ = fs::remove_file(root.join(JOURNAL_TMP));
            let _ = fs::remove_file(root.join(JOURNAL_FILE));
        }
        result
    }

    fn write_durably(&self, root: &Path) -> Result<()> {
        let tmp = root.join(JOURNAL_TMP);
        let text = serde_json::to_vec(self)?;
        let mut f =
            fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(&text)
            .and_then(|()| f.sync_all())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        drop(f);
        pause_for_tests("journal-synced");
        rename(&tmp, &root.join(JOURNAL_FILE), "write", &tmp)?;
        sync_dir(root)
    }

    /// Removes the journal (the work is over, and a replay could now undo
    /// it: a deletion's mark is its file in the aside folder), then the
    /// staging and aside folders, which the next run removes if a kill
    /// comes first.
    pub fn finish(&self, root: &Path) -> Result<()> {
        let j = root.join(JOURNAL_FILE);
        if exists(&j) {
            fs::remove_file(&j).with_context(|| format!("cannot remove {}", j.display()))?;
        }
        sync_dir(root)?;
        for dir in [&self.staging, &self.aside] {
            pause_for_tests("journal-cleanup");
            let d = root.join(dir);
            if exists(&d) {
                fs::remove_dir_all(&d).with_context(|| format!("cannot remove {}", d.display()))?;
            }
        }
        Ok(())
    }

    /// Reads and checks the journal in `root`: `None` when there is none.
    fn read(root: &Path) -> Result<Option<Journal>> {
        let path = root.join(JOURNAL_FILE);
        let f = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let mut text = Vec::new();
        f.take(MAX_JOURNAL)
            .read_to_end(&mut text)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let bad = || {
            format!(
                "{} is not a journal this flaskgen wrote; look at it, then move it out of the project",
                path.display()
            )
        };
        let j: Journal = serde_json::from_slice(&text).with_context(bad)?;
        let name_ok = |n: &str, prefix: &str| n.starts_with(prefix) && !n.contains(['/', '\\']);
        let confined = |p: &str| crate::render::is_confined(p) && !p.starts_with(".git/");
        let ok = name_ok(&j.staging, STAGING_PREFIX)
            && name_ok(&j.aside, ASIDE_PREFIX)
            && j.steps.iter().all(|s| {
                confined(s.path())
                    && match s {
                        Step::Delete { aside, .. } | Step::Replace { aside, .. } => {
                            !aside.is_empty() && !aside.contains(['/', '\\']) && aside != ".."
                        }
                        _ => true,
                    }
            });
        if !ok {
            bail!(bad());
        }
        Ok(Some(j))
    }
}

/// What [`recover`] found and did.
#[derive(Debug, Default)]
pub struct Recovered {
    /// What was interrupted ("update"); `None` when there was no journal.
    pub command: Option<String>,
    /// Files moved to finish (or undo) it.
    pub files: usize,
    /// The steps could not be finished and were undone instead.
    pub rolled_back: bool,
    /// Staging and aside folders without a journal, removed.
    pub swept: usize,
    /// Aside folders an older flaskgen left, holding files: left alone,
    /// since they may hold the only copy of an edit.
    pub kept: Vec<String>,
}

/// Finishes an interrupted write in `root` (see the module docs), and
/// removes staging that no journal needs. Locks `root` for this process.
pub fn recover(root: &Path, on_wait: &dyn Fn()) -> Result<Recovered> {
    let mut out = Recovered::default();
    if !fs::symlink_metadata(root).is_ok_and(|m| m.is_dir()) {
        return Ok(out);
    }
    lock(root, on_wait)?;
    if let Some(j) = Journal::read(root)? {
        out.command = Some(j.command.clone());
        let mut failed = None;
        for step in &j.steps {
            match j.forward(root, step) {
                Ok(moved) => out.files += usize::from(moved && step.is_file()),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
            pause_for_tests("journal-recover-step");
        }
        if let Some(e) = failed {
            j.roll_back(root, j.steps.len()).map_err(|undo| {
                e.context(format!(
                    "cannot finish nor undo the interrupted {} recorded in {}: {undo:#}",
                    j.command,
                    root.join(JOURNAL_FILE).display()
                ))
            })?;
            out.rolled_back = true;
        }
        j.finish(root)?;
        return Ok(out);
    }
    let tmp = root.join(JOURNAL_TMP);
    if exists(&tmp) {
        fs::remove_file(&tmp).with_context(|| format!("cannot remove {}", tmp.display()))?;
    }
    let mut names: Vec<String> = fs::read_dir(root)
        .with_context(|| format!("cannot read {}", root.display()))?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .collect();
    names.sort();
    for name in names {
        let d = root.join(&name);
        if !fs::symlink_metadata(&d).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        if name.starts_with(STAGING_PREFIX) || name.starts_with(ASIDE_PREFIX) {
            fs::remove_dir_all(&d).with_context(|| format!("cannot remove {}", d.display()))?;
            out.swept += 1;
        } else if name.starts_with(OLD_ASIDE_PREFIX) {
            if fs::remove_dir(&d).is_ok() {
                out.swept += 1;
            } else {
                out.kept.push(name);
            }
        }
    }
    Ok(out)
}

/// Directories this process has locked, by canonical path, with the open
/// handle that holds each lock.
static HELD: Mutex<Vec<(PathBuf, fs::File)>> = Mutex::new(Vec::new());

/// Locks the folder `root` for the rest of this process (`flock`, which the
/// kernel drops when the process ends, however it ends). Waits for another
/// process that holds it, calling `on_wait` first.
pub fn lock(root: &Path, on_wait: &dyn Fn()) -> Result<()> {
    let key = fs::canonicalize(root).with_context(|| format!("cannot open {}", root.display()))?;
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    if held.iter().any(|(p, _)| *p == key) {
        return Ok(());
    }
    let dir = fs::File::open(&key).with_context(|| format!("cannot open {}", root.display()))?;
    let fd = dir.as_raw_fd();
    // SAFETY: flock on a descriptor this function owns.
    if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
            return Err(err).with_context(|| format!("cannot lock {}", root.display()));
        }
        on_wait();
        // SAFETY: as above.
        if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error())
                .with_context(|| format!("cannot lock {}", root.display()));
        }
    }
    held.push((key, dir));
    Ok(())
}
