//! Puts a plan on disk safely: a new project appears whole or not at all
//! (staged beside the target, then renamed into place), and `--force` only
//! ever replaces files the template renders. Writing into an existing
//! project (`--force`, `update`) goes through a journal (see [`journal`]):
//! a failure undoes every step, and a kill is finished by [`recover`] on
//! the next run.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{bail, Context, Result};

use crate::interrupt::{self, Interrupted};
use crate::render::Plan;

pub mod journal;
use journal::{Journal, Step};

#[derive(Debug, Clone)]
pub struct Outcome {
    pub root: PathBuf,
    /// Files written: path relative to the root, bytes.
    pub files: Vec<(String, usize)>,
    /// Files that existed with other contents and were replaced (`--force` only).
    pub overwritten: Vec<String>,
    /// Files that existed with the very contents planned, left untouched.
    pub unchanged: Vec<String>,
}

/// What writing would do, worked out before anything is touched.
#[derive(Debug, Clone)]
pub struct Preflight {
    /// The target is an existing directory: files are moved into it one by one
    /// (with undo) instead of the whole tree being renamed over it, which
    /// would replace the directory itself: its owner and mode, a mount point,
    /// or the shell's current directory (`template init .`).
    pub merge: bool,
    /// Existing files whose contents differ from the plan's: replaced (their
    /// mode kept), and named, since their local contents go.
    pub overwrites: Vec<String>,
    /// Existing files already holding the planned contents: not touched.
    pub unchanged: Vec<String>,
    /// Directories the merge must create, parents first.
    pub missing_dirs: Vec<PathBuf>,
}

/// True when `target` exists and is not an empty directory: `new` would refuse it without `--force`.
pub fn occupied(target: &Path) -> bool {
    match fs::read_dir(target) {
        Ok(mut entries) => entries.next().is_some(),
        Err(_) => target.exists(),
    }
}

/// Checks the target: refuses a non-empty directory without `force`, and any
/// clash between a file and a directory even with it.
pub fn preflight(plan: &Plan, target: &Path, force: bool) -> Result<Preflight> {
    preflight_deleting(plan, target, force, &[])
}

/// [`preflight`] for a write that first deletes `deletes` (paths relative to
/// `target`): a file deleted where the plan needs a folder, or a folder
/// the deletions empty where the plan writes a file, is no clash.
fn preflight_deleting(
    plan: &Plan,
    target: &Path,
    force: bool,
    deletes: &[String],
) -> Result<Preflight> {
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Preflight {
                merge: false,
                overwrites: vec![],
                unchanged: vec![],
                missing_dirs: vec![],
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            // Some parent is a file: name it, rather than the path under it.
            let file = target
                .ancestors()
                .skip(1)
                .find(|a| a.is_file())
                .unwrap_or(target);
            bail!(
                "{} is a file, so {} cannot be created; choose another --output-dir",
                file.display(),
                target.display()
            );
        }
        Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", target.display())),
    };
    if meta.file_type().is_symlink() {
        let real = fs::canonicalize(target)
            .map(|p| format!("; give its real path, e.g. {}", p.display()))
            .unwrap_or_default();
        bail!(
            "{} is a symlink; flaskgen does not write through symlinks{real}",
            target.display()
        );
    }
    if !meta.is_dir() {
        let what = if meta.is_file() && meta.len() == 0 {
            "an empty file"
        } else if meta.is_file() {
            "a file"
        } else {
            "not a directory"
        };
        bail!(
            "{} already exists and is {what}; choose another name or --output-dir",
            target.display()
        );
    }
    let mut existing = Vec::new();
    let mut unchanged = Vec::new();
    for f in &plan.files {
        let dest = target.join(&f.path);
        let Ok(m) = fs::symlink_metadata(&dest) else {
            continue;
        };
        if m.is_dir() && vacated(target, &f.path, deletes).is_some() {
            continue;
        }
        if m.is_file() && same_contents(&dest, &m, f) {
            unchanged.push(f.path.clone());
        } else {
            existing.push(f.path.clone());
        }
    }
    let empty = fs::read_dir(target)?.next().is_none();
    if !force && !empty {
        let clashing: Vec<String> = existing.iter().chain(&unchanged).cloned().collect();
        let shown = if clashing.is_empty() {
            let mut names: Vec<String> = fs::read_dir(target)?
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect();
            names.sort();
            format!("it already holds {}", list(&names))
        } else {
            format!("these files would be overwritten: {}", list(&clashing))
        };
        bail!(
            "{} exists and is not empty ({shown}); choose another name or --output-dir, or pass --force to overwrite only the files the template writes",
            target.display()
        );
    }
    let mut missing_dirs: Vec<PathBuf> = Vec::new();
    for f in &plan.files {
        let mut at = target.to_path_buf();
        let parts: Vec<&str> = f.path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let last = i + 1 == parts.len();
            let deleted = !last && deletes.iter().any(|d| target.join(d) == at);
            let found = fs::symlink_metadata(&at).ok().filter(|_| !deleted);
            let Some(m) = found else {
                if !last && !missing_dirs.contains(&at) {
                    missing_dirs.push(at.clone());
                }
                continue;
            };
            if !last && crate::template::is_vcs_dir(part) {
                bail!(
                    "{} is a version-control directory; refusing to write into it",
                    at.display()
                );
            }
            if m.file_type().is_symlink() {
                bail!(
                    "{} is a symlink; refusing to write through it",
                    at.display()
                );
            }
            if last && m.is_dir() && vacated(target, &f.path, deletes).is_none() {
                bail!(
                    "{} is a directory, but the template writes a file there",
                    at.display()
                );
            }
            if !last && !m.is_dir() {
                bail!(
                    "{} is a file, but the template needs a directory there",
                    at.display()
                );
            }
        }
    }
    Ok(Preflight {
        merge: true,
        overwrites: existing,
        unchanged,
        missing_dirs,
    })
}

/// Debug builds only: sleeps at `point` when `FLASKGEN_TEST_PAUSE` is
/// `point:milliseconds`, so tests can act in a window that is otherwise
/// too short to hit (a signal after writing, a race for the target). Each
/// call also counts one point: when `FLASKGEN_TEST_KILL_AT` is `N`, the
/// process sends itself SIGKILL at the Nth, so tests can kill it between
/// any two steps of a write.
pub fn pause_for_tests(point: &str) {
    #[cfg(debug_assertions)]
    {
        use std::sync::atomic::AtomicUsize;
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::SeqCst) + 1;
        if std::env::var("FLASKGEN_TEST_KILL_AT").is_ok_and(|k| k.parse() == Ok(n)) {
            // SAFETY: kill(2) on this very process.
            unsafe {
                libc::kill(libc::getpid(), libc::SIGKILL);
            }
        }
        if let Ok(spec) = std::env::var("FLASKGEN_TEST_PAUSE") {
            if let Some(ms) = spec
                .strip_prefix(point)
                .and_then(|r| r.strip_prefix(':'))
                .and_then(|ms| ms.parse().ok())
            {
                std::thread::sleep(std::time::Duration::from_millis(ms));
            }
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = point;
}

/// Finishes a write to the existing project `root` that a kill interrupted
/// (see [`journal`]), before a command reads it; `on_wait` is called when
/// another flaskgen holds the project. Every command that replaces files in
/// a project calls it first; from then on this process holds the project's
/// lock. What was done is for the caller to say (`present::recovered`).
pub fn recover(root: &Path, on_wait: &dyn Fn()) -> Result<journal::Recovered> {
    journal::recover(root, on_wait)
}

/// Whether the file at `path` already holds exactly what `f` would write
/// (its contents, and its run bit where the plan sets one).
fn same_contents(path: &Path, meta: &fs::Metadata, f: &crate::template::File) -> bool {
    if meta.len() != f.contents.len() as u64 {
        return false;
    }
    #[cfg(unix)]
    if f.executable {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 == 0 {
            return false;
        }
    }
    fs::read(path).is_ok_and(|old| old == *f.contents)
}

fn list(items: &[String]) -> String {
    const MAX: usize = 8;
    let mut s = items
        .iter()
        .take(MAX)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > MAX {
        s.push_str(&format!(" and {} more", items.len() - MAX));
    }
    s
}

/// Removes what it holds on drop, unless disarmed: the cleanup on every error path.
struct Cleanup {
    dirs: Vec<PathBuf>,
    armed: bool,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.armed {
            for d in self.dirs.iter().rev() {
                let _ = fs::remove_dir_all(d);
            }
        }
    }
}

fn check_interrupt(stop: &AtomicBool) -> Result<()> {
    if stop.load(Ordering::SeqCst) {
        return Err(Interrupted.into());
    }
    Ok(())
}

/// Writes `plan` into `target` (see module docs). `force` allows an existing, non-empty target.
pub fn write(plan: &Plan, target: &Path, force: bool) -> Result<Outcome> {
    write_until(plan, target, force, &interrupt::STOP)
}

/// [`write`], stopping cleanly (nothing left behind) once `stop` is set.
pub fn write_until(plan: &Plan, target: &Path, force: bool, stop: &AtomicBool) -> Result<Outcome> {
    // Checked again even when the caller already did: the disk may have
    // changed while the user read the summary.
    let pre = preflight(plan, target, force)?;
    let deferred = interrupt::defer();
    let result = if pre.merge {
        merge(plan, target, &pre, stop, &[], "--force write")
    } else {
        create(plan, target, stop)
    };
    if result.is_ok() {
        deferred.written();
    } else {
        drop(deferred);
    }
    result.map_err(|e| {
        if e.is::<Interrupted>() {
            return e;
        }
        // Say what the failure left: nothing, since every path cleans up.
        let outcome = if !pre.overwrites.is_empty() {
            "no file was changed"
        } else {
            "nothing was written"
        };
        let (top, root) = (e.to_string(), e.root_cause().to_string());
        let msg = if top == root {
            format!("{top}; {outcome}")
        } else {
            format!("{top}: {root}; {outcome}")
        };
        e.context(msg)
    })
}

fn staging_name(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(".{label}.flaskgen-{}-{nanos:x}", std::process::id())
}

fn create(plan: &Plan, target: &Path, stop: &AtomicBool) -> Result<Outcome> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut cleanup = Cleanup {
        dirs: vec![],
        armed: true,
    };
    // Missing parents (from --output-dir) are created, and removed again on failure.
    let mut missing = vec![];
    let mut p = parent.as_path();
    while fs::symlink_metadata(p).is_err() {
        missing.push(p.to_path_buf());
        match p.parent() {
            Some(q) if !q.as_os_str().is_empty() => p = q,
            _ => break,
        }
    }
    for d in missing.iter().rev() {
        fs::create_dir(d).with_context(|| format!("cannot create {}", d.display()))?;
        cleanup.dirs.push(d.clone());
    }
    let label = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = parent.join(staging_name(&label));
    fs::create_dir(&staging).with_context(|| format!("cannot write in {}", parent.display()))?;
    cleanup.dirs.push(staging.clone());
    let files = write_files(plan, &staging, target, stop)?;
    check_interrupt(stop)?;
    // The target did not exist at preflight; if something has appeared there
    // since, rename(2) fails rather than replace it (unless it is an empty directory).
    pause_for_tests("before-rename");
    if let Err(e) = fs::rename(&staging, target) {
        if matches!(e.raw_os_error(), Some(libc::ENOTEMPTY) | Some(libc::EEXIST)) {
            bail!(
                "another process created {} while flaskgen was writing it; choose another name, or run again to see what is there",
                target.display()
            );
        }
        return Err(e)
            .with_context(|| format!("cannot move the project into {}", target.display()));
    }
    cleanup.armed = false;
    Ok(Outcome {
        root: target.to_path_buf(),
        files,
        overwritten: vec![],
        unchanged: vec![],
    })
}

/// Where a planned file lands on a folder that the deletions empty (a kit
/// that turns a folder into a file): that folder's subfolders, deepest first,
/// then itself; `None` when something in it stays.
pub fn vacated(target: &Path, path: &str, deletes: &[String]) -> Option<Vec<String>> {
    fn walk(target: &Path, rel: &str, deletes: &[String], out: &mut Vec<String>) -> bool {
        let Ok(entries) = fs::read_dir(target.join(rel)) else {
            return false;
        };
        for e in entries {
            let Ok(e) = e else { return false };
            let Ok(name) = e.file_name().into_string() else {
                return false;
            };
            let child = format!("{rel}/{name}");
            let is_dir = fs::symlink_metadata(e.path()).is_ok_and(|m| m.is_dir());
            let gone = if is_dir {
                walk(target, &child, deletes, out)
            } else {
                deletes.contains(&child)
            };
            if !gone {
                return false;
            }
        }
        out.push(rel.to_string());
        true
    }
    let mut out = Vec::new();
    walk(target, path, deletes, &mut out).then_some(out)
}

fn merge(
    plan: &Plan,
    target: &Path,
    pre: &Preflight,
    stop: &AtomicBool,
    deletes: &[String],
    command: &str,
) -> Result<Outcome> {
    journal::lock(target, &|| {})?;
    let staging_dir = staging_name("staging");
    let aside_dir = staging_name("aside");
    let staging = target.join(&staging_dir);
    fs::create_dir(&staging).with_context(|| format!("cannot write in {}", target.display()))?;
    let saved = target.join(&aside_dir);
    // Both are scratch, removed on every error before the journal is
    // written; after it, `Journal::finish` removes them.
    let mut cleanup = Cleanup {
        dirs: vec![staging.clone(), saved.clone()],
        armed: true,
    };
    // Files already as planned are left alone: not rewritten, not reported as replaced.
    let changing = Plan {
        files: plan
            .files
            .iter()
            .filter(|f| !pre.unchanged.contains(&f.path))
            .cloned()
            .collect(),
    };
    let plan = &changing;
    let files = write_files(plan, &staging, target, stop)?;
    // The journal's steps: deletions, folders that become files, new
    // folders, then files, the answers file last.
    let mut steps: Vec<Step> = deletes
        .iter()
        .enumerate()
        .map(|(i, p)| Step::Delete {
            path: p.clone(),
            aside: format!("deleted-{i}"),
        })
        .collect();
    for f in &plan.files {
        if fs::symlink_metadata(target.join(&f.path)).is_ok_and(|m| m.is_dir()) {
            let dirs = vacated(target, &f.path, deletes).with_context(|| {
                format!(
                    "{} is a directory, but the template writes a file there",
                    target.join(&f.path).display()
                )
            })?;
            steps.extend(dirs.into_iter().map(|path| Step::Rmdir { path }));
        }
    }
    for dir in &pre.missing_dirs {
        if let Ok(rel) = dir.strip_prefix(target) {
            steps.push(Step::Mkdir {
                path: rel.to_string_lossy().into_owned(),
            });
        }
    }
    let (answers, others): (Vec<_>, Vec<_>) = plan
        .files
        .iter()
        .enumerate()
        .partition(|(_, f)| f.path == crate::inputs::answers::ANSWERS_FILE);
    for (i, f) in others.into_iter().chain(answers) {
        let dest = target.join(&f.path);
        match fs::symlink_metadata(&dest) {
            Ok(meta) if meta.is_file() => {
                // The replacement keeps the mode of the file it replaces (a 0700
                // Dockerfile stays 0700), plus the run bit the plan asks for.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mut mode = meta.permissions().mode() & 0o7777;
                    if f.executable {
                        mode |= 0o111 & (mode >> 2 | 0o100);
                    }
                    fs::set_permissions(staging.join(&f.path), fs::Permissions::from_mode(mode))
                        .with_context(|| format!("cannot set the mode of {}", dest.display()))?;
                }
                steps.push(Step::Replace {
                    path: f.path.clone(),
                    aside: i.to_string(),
                });
            }
            _ => steps.push(Step::Create {
                path: f.path.clone(),
            }),
        }
    }
    fs::create_dir(&saved).with_context(|| format!("cannot write in {}", target.display()))?;
    check_interrupt(stop)?;
    pause_for_tests("journal-staged");
    let j = Journal {
        command: command.to_string(),
        staging: staging_dir,
        aside: aside_dir,
        steps,
    };
    j.commit(target)?;
    cleanup.armed = false;
    pause_for_tests("journal-written");
    // Every step is done, or (a failure, or a signal) every step done is
    // undone, last first; a kill leaves the journal to the next run.
    let mut done = 0;
    let result = (|| {
        for step in &j.steps {
            check_interrupt(stop)?;
            j.forward(target, step)?;
            done += 1;
            pause_for_tests("journal-step");
        }
        check_interrupt(stop)
    })();
    if let Err(e) = result {
        if let Err(undo) = j.roll_back(target, (done + 1).min(j.steps.len())) {
            return Err(e.context(format!(
                "and cannot undo it ({undo:#}); the next flaskgen run on {} finishes it",
                target.display()
            )));
        }
        j.finish(target)?;
        return Err(e);
    }
    // Renames durable before the journal goes.
    let mut dirs: Vec<PathBuf> = j
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Replace { path, .. } | Step::Create { path } | Step::Delete { path, .. } => {
                target.join(path).parent().map(Path::to_path_buf)
            }
            _ => None,
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    // (A folder the update removed is gone: its parent is synced as well.)
    for d in dirs.iter().filter(|d| d.is_dir()) {
        journal::sync_dir(d)?;
    }
    j.finish(target)?;
    Ok(Outcome {
        root: target.to_path_buf(),
        files,
        overwritten: pre.overwrites.clone(),
        unchanged: pre.unchanged.clone(),
    })
}

/// Writes `plan` into the existing project `target` and deletes `deletes`
/// (paths relative to it), all or nothing, as `--force` does, through the
/// journal (see [`journal`]): every new file is staged first; then the
/// steps run; if any fails, every step done is undone; if the process is
/// killed, the next run finishes them. Used by `flaskgen update`.
pub fn apply(plan: &Plan, deletes: &[String], target: &Path) -> Result<()> {
    apply_until(plan, deletes, target, &interrupt::STOP)
}

/// [`apply`], stopping cleanly (nothing changed) once `stop` is set.
pub fn apply_until(
    plan: &Plan,
    deletes: &[String],
    target: &Path,
    stop: &AtomicBool,
) -> Result<()> {
    // A file to delete must be a file of the project, reached through no symlink.
    for path in deletes {
        if !crate::render::is_confined(path) {
            bail!("refusing to delete {path:?}: not a path inside the project");
        }
        let mut at = target.to_path_buf();
        for part in path.split('/') {
            at.push(part);
            let m = fs::symlink_metadata(&at)
                .with_context(|| format!("cannot delete {}", at.display()))?;
            if m.file_type().is_symlink() || (at != target.join(path) && !m.is_dir()) {
                bail!(
                    "{} is a symlink or not a directory; refusing to delete through it",
                    at.display()
                );
            }
        }
    }
    let pre = preflight_deleting(plan, target, true, deletes)?;
    let deferred = interrupt::defer();
    let result = merge(plan, target, &pre, stop, deletes, "update");
    if result.is_ok() {
        deferred.written();
    } else {
        drop(deferred);
    }
    result.map(|_| ()).map_err(|e: anyhow::Error| {
        if e.is::<Interrupted>() {
            return e;
        }
        let (top, root) = (e.to_string(), e.root_cause().to_string());
        let msg = if top == root {
            format!("{top}; no file was changed")
        } else {
            format!("{top}: {root}; no file was changed")
        };
        e.context(msg)
    })
}

/// Writes every file of `plan` under `root`, a new empty directory; errors
/// name the file as it will be under `shown`, not the staging directory.
fn write_files(
    plan: &Plan,
    root: &Path,
    shown: &Path,
    stop: &AtomicBool,
) -> Result<Vec<(String, usize)>> {
    let mut written = Vec::with_capacity(plan.files.len());
    // `root` is new and empty: each directory is created once, by name,
    // rather than probed again for every file beneath it.
    let mut made = std::collections::HashSet::new();
    for f in &plan.files {
        check_interrupt(stop)?;
        let dest = root.join(&f.path);
        for (i, _) in f.path.match_indices('/') {
            if made.insert(&f.path[..i]) {
                fs::create_dir(root.join(&f.path[..i])).with_context(|| {
                    format!("cannot create {}", shown.join(&f.path[..i]).display())
                })?;
            }
        }
        fs::write(&dest, &f.contents)
            .with_context(|| format!("cannot write {}", shown.join(&f.path).display()))?;
        #[cfg(unix)]
        if f.executable {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&dest, fs::Permissions::from_mode(0o755))?;
        }
        written.push((f.path.clone(), f.contents.len()));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::File as PlannedFile;
    use std::borrow::Cow;

    fn plan(paths: &[&str]) -> Plan {
        Plan {
            files: paths
                .iter()
                .map(|p| PlannedFile {
                    path: p.to_string(),
                    contents: Cow::Owned(p.as_bytes().to_vec()),
                    executable: false,
                })
                .collect(),
        }
    }

    #[test]
    fn creates_whole_project_and_leaves_no_staging() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("deep/er/proj");
        let out = write(&plan(&["a.txt", "d/b.txt"]), &target, false).unwrap();
        assert_eq!(out.files.len(), 2);
        assert_eq!(
            fs::read_to_string(target.join("d/b.txt")).unwrap(),
            "d/b.txt"
        );
        let names: Vec<_> = fs::read_dir(tmp.path().join("deep/er"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["proj"]);
    }

    #[test]
    fn refuses_non_empty_and_merges_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("a.txt"), "mine").unwrap();
        fs::write(tmp.path().join("keep.txt"), "keep").unwrap();
        let err = write(&plan(&["a.txt", "b.txt"]), tmp.path(), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a.txt") && err.contains("--force"), "{err}");
        assert_eq!(
            fs::read_to_string(tmp.path().join("a.txt")).unwrap(),
            "mine"
        );
        let out = write(&plan(&["a.txt", "b.txt"]), tmp.path(), true).unwrap();
        assert_eq!(out.overwritten, ["a.txt"]);
        assert_eq!(
            fs::read_to_string(tmp.path().join("keep.txt")).unwrap(),
            "keep"
        );
        let mut names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["a.txt", "b.txt", "keep.txt"]);
    }

    #[test]
    fn file_directory_clash_is_refused_even_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("d"), "a file").unwrap();
        assert!(write(&plan(&["d/b.txt"]), tmp.path(), true).is_err());
        assert_eq!(fs::read_to_string(tmp.path().join("d")).unwrap(), "a file");
    }

    #[test]
    fn interruption_leaves_nothing_new_or_merged() {
        let tmp = tempfile::tempdir().unwrap();
        let stop = AtomicBool::new(true);
        let err = write_until(
            &plan(&["a.txt", "d/b.txt"]),
            &tmp.path().join("p"),
            false,
            &stop,
        )
        .unwrap_err();
        assert!(err.to_string().contains("interrupted"));
        assert_eq!(crate::error::exit_code(&err), 130);
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
        fs::write(tmp.path().join("a.txt"), "mine").unwrap();
        assert!(write_until(&plan(&["a.txt", "b.txt"]), tmp.path(), true, &stop).is_err());
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.txt"]);
        assert_eq!(
            fs::read_to_string(tmp.path().join("a.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn failure_midway_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        // A path whose parent must be both a file and a directory fails while staging.
        let bad = plan(&["x", "x/y"]);
        assert!(write(&bad, &tmp.path().join("p"), false).is_err());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
