//! What an update does to each file, worked out in memory from three
//! versions: the **base** (the template the project was made from, rendered
//! with the recorded values), the **target** (the new template with the new
//! values) and what is on disk now. Nothing here writes.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use serde::Serialize;

use crate::inputs::answers::{content_hash, ANSWERS_FILE};
use crate::render::Plan;
use crate::update::merge::{self, Merged};

/// Suffix of the new version written beside a binary file both sides changed.
pub const BESIDE_SUFFIX: &str = ".flaskgen-new";

/// Where the template's new version of `path` is written beside it:
/// `PATH.flaskgen-new`, or when something else is already there (an earlier
/// update's, or the user's), the first free `PATH.flaskgen-new.N`. A file
/// already holding exactly `contents` is reused. Never overwrites anything
/// else; the note names what was already there.
fn write_beside(c: &mut Change, root: &Path, contents: &[u8]) {
    let first = format!("{}{BESIDE_SUFFIX}", c.path);
    let mut name = first.clone();
    for n in 1.. {
        match on_disk(root, &name) {
            OnDisk::Missing => break,
            OnDisk::File(d) if d == contents => break,
            _ => name = format!("{first}.{n}"),
        }
    }
    if name != first {
        c.note = format!("{}; {first} was already there and is left alone", c.note);
    }
    c.beside = Some(name);
    c.new = Some(contents.to_vec());
}

/// A rendered project: contents by path, and each path's template file.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub files: BTreeMap<String, (Cow<'static, [u8]>, bool)>,
    pub sources: BTreeMap<String, String>,
}

impl Rendered {
    pub fn new(plan: Plan, sources: BTreeMap<String, String>) -> Rendered {
        Rendered {
            files: plan
                .files
                .into_iter()
                .filter(|f| f.path != ANSWERS_FILE)
                .map(|f| (f.path, (f.contents, f.executable)))
                .collect(),
            sources,
        }
    }

    fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|(c, _)| c.as_ref())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Unchanged in the project: replaced by the template's new version.
    Updated,
    /// Changed on both sides, combined without overlap.
    Merged,
    /// Changed on both sides where they overlap: markers written, or (binary)
    /// the new version written beside.
    Conflict,
    /// New in the template.
    Added,
    /// Gone from the template and unchanged in the project: deleted.
    Removed,
    /// Left as it is: the project's own change (edited, deleted), or a file
    /// the template dropped but the project edited.
    Kept,
    /// Its name changed with a value: moved, with the project's edits.
    Moved,
}

/// One file's part in the update.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub path: String,
    pub kind: Kind,
    /// Where a moved file was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// What a moved file held where it was (the move deletes it there).
    #[serde(skip)]
    pub from_old: Option<Vec<u8>>,
    pub note: String,
    /// Conflicts marked in the file (0 for a binary conflict: see `beside`).
    pub conflicts: usize,
    /// The conflict markers of an earlier update are still in the file: it
    /// is left alone, and the update refused until they are resolved.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub markers_left: bool,
    /// Where the new version of a binary conflict is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beside: Option<String>,
    /// Contents before and after (None: absent), for diffs.
    #[serde(skip)]
    pub old: Option<Vec<u8>>,
    #[serde(skip)]
    pub new: Option<Vec<u8>>,
    #[serde(skip)]
    pub executable: bool,
}

impl Change {
    fn new(path: &str, kind: Kind, note: &str) -> Change {
        Change {
            path: path.to_string(),
            kind,
            from: None,
            from_old: None,
            note: note.to_string(),
            conflicts: 0,
            markers_left: false,
            beside: None,
            old: None,
            new: None,
            executable: false,
        }
    }

    /// Whether this change writes or deletes anything.
    pub fn touches(&self) -> bool {
        self.old != self.new || self.beside.is_some() || self.from.is_some()
    }
}

/// The whole update: every change, in path order.
#[derive(Debug, Clone, Default)]
pub struct UpdatePlan {
    pub changes: Vec<Change>,
}

impl UpdatePlan {
    /// Files that still hold the conflict markers of an earlier update.
    pub fn markers_left(&self) -> Vec<&str> {
        self.changes
            .iter()
            .filter(|c| c.markers_left)
            .map(|c| c.path.as_str())
            .collect()
    }

    pub fn conflicts(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.kind == Kind::Conflict)
            .count()
    }

    /// The writes as a plan for `write::apply`, and the paths to delete.
    pub fn writes_and_deletes(&self) -> (Plan, Vec<String>) {
        let mut plan = Plan::default();
        let mut deletes = Vec::new();
        for c in &self.changes {
            if let (Some(beside), Some(new)) = (&c.beside, &c.new) {
                plan.files.push(crate::template::File {
                    path: beside.clone(),
                    contents: Cow::Owned(new.clone()),
                    executable: c.executable,
                });
                continue;
            }
            if let Some(from) = &c.from {
                deletes.push(from.clone());
            }
            match &c.new {
                Some(new) if c.old.as_ref() != Some(new) || c.from.is_some() => {
                    plan.files.push(crate::template::File {
                        path: c.path.clone(),
                        contents: Cow::Owned(new.clone()),
                        executable: c.executable,
                    })
                }
                None if c.old.is_some() && c.from.is_none() => deletes.push(c.path.clone()),
                _ => {}
            }
        }
        plan.files.sort_by(|a, b| a.path.cmp(&b.path));
        (plan, deletes)
    }
}

/// What is at a path in the project.
enum OnDisk {
    Missing,
    File(Vec<u8>),
    /// A directory, symlink or unreadable file: never written through.
    Other,
}

fn on_disk(root: &Path, path: &str) -> OnDisk {
    let full = root.join(path);
    match fs::symlink_metadata(&full) {
        Err(_) => OnDisk::Missing,
        Ok(m) if m.is_file() => fs::read(&full).map_or(OnDisk::Other, OnDisk::File),
        Ok(_) => OnDisk::Other,
    }
}

/// Works out the update of the project at `root`. `hashes` are the answers
/// file's record of what was written (older answers files have none: then
/// "unchanged" means equal to the base render). Without a base (a directory
/// kit that has changed since), every file the project changed is a conflict.
pub fn plan(
    root: &Path,
    base: Option<&Rendered>,
    target: &Rendered,
    hashes: Option<&BTreeMap<String, String>>,
) -> UpdatePlan {
    let empty = Rendered::default();
    let base_r = base.unwrap_or(&empty);
    let unchanged = |path: &str, disk: &[u8]| match hashes.and_then(|h| h.get(path)) {
        Some(h) => content_hash(disk) == *h,
        None => base_r.get(path) == Some(disk),
    };

    // Moves: the same template file renders to another path now.
    let mut moved_from: BTreeMap<&str, &str> = BTreeMap::new();
    for (t_path, src) in &target.sources {
        if base_r.files.contains_key(t_path) {
            continue;
        }
        if let Some((b_path, _)) = base_r
            .sources
            .iter()
            .find(|(b, s)| *s == src && !target.files.contains_key(*b))
        {
            moved_from.insert(t_path.as_str(), b_path.as_str());
        }
    }
    let moved_away: BTreeSet<&str> = moved_from.values().copied().collect();

    let mut paths: BTreeSet<&str> = target.files.keys().map(String::as_str).collect();
    paths.extend(base_r.files.keys().map(String::as_str));
    if base.is_none() {
        // Paths from the answers file are untrusted: only ones a template
        // could have written (relative, no `..`, outside .git) are looked at.
        paths.extend(
            hashes
                .into_iter()
                .flat_map(|h| h.keys().map(String::as_str))
                .filter(|p| crate::render::is_confined(p)),
        );
    }
    paths.remove(ANSWERS_FILE);

    let mut changes = Vec::new();
    for path in paths {
        if moved_away.contains(path) {
            continue;
        }
        let here = moved_from.get(path).copied().unwrap_or(path);
        if let OnDisk::File(d) = on_disk(root, here) {
            let left = merge::unresolved(&d);
            if left > 0 && target.get(path).is_none_or(|t| merge::unresolved(t) == 0) {
                let mut c = Change::new(
                    here,
                    Kind::Conflict,
                    "still holds the conflict markers of an earlier update",
                );
                c.conflicts = left;
                c.markers_left = true;
                changes.push(c);
                continue;
            }
        }
        let change = match (target.files.get(path), moved_from.get(path)) {
            (Some((t, x)), Some(from)) => {
                moved(root, path, from, base_r.get(from), t, *x, &unchanged)
            }
            (Some((t, x)), None) => both_or_added(root, path, base_r.get(path), t, *x, &unchanged),
            (None, _) => removed(root, path, &unchanged),
        };
        changes.extend(change);
    }
    // A folder the template turns into a file: when the update removes every
    // file in it, the folder goes and the file is added in its place.
    let removed: Vec<String> = changes
        .iter()
        .filter(|c| c.kind == Kind::Removed)
        .map(|c| c.path.clone())
        .collect();
    for c in &mut changes {
        let is_dir = fs::symlink_metadata(root.join(&c.path)).is_ok_and(|m| m.is_dir());
        if c.beside.is_some() && c.old.is_none() && is_dir {
            if let (Some(_), Some((t, x))) = (
                crate::write::vacated(root, &c.path, &removed),
                target.files.get(&c.path),
            ) {
                *c = Change::new(
                    &c.path,
                    Kind::Added,
                    "new in the template, in place of a folder the update empties",
                );
                c.new = Some(t.to_vec());
                c.executable = *x;
            }
        }
    }
    UpdatePlan { changes }
}

/// Three-way merge of one file's contents; `None` when any side is binary.
fn merge3(base: Option<&[u8]>, ours: &[u8], theirs: &[u8]) -> Option<Merged> {
    let base = base.unwrap_or(b"");
    if [base, ours, theirs].iter().any(|b| merge::is_binary(b)) {
        return None;
    }
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Some(merge::merge(&text(base), &text(ours), &text(theirs)))
}

/// A file both the project and the template changed: merged, conflict
/// markers, or (binary) the new version beside it.
fn combine(
    root: &Path,
    path: &str,
    base: Option<&[u8]>,
    disk: Vec<u8>,
    t: &[u8],
    x: bool,
    note: &str,
) -> Change {
    let mut c = Change::new(path, Kind::Merged, note);
    c.executable = x;
    match merge3(base, &disk, t) {
        Some(Merged::Clean(m)) => c.new = Some(m),
        Some(Merged::Conflict(m, n)) => {
            c.kind = Kind::Conflict;
            c.conflicts = n;
            c.new = Some(m);
        }
        None => {
            c.kind = Kind::Conflict;
            c.note =
                "binary: yours is kept, the template's new version is written beside it".into();
            write_beside(&mut c, root, t);
            c.old = Some(disk);
            return c;
        }
    }
    c.old = Some(disk);
    c
}

fn both_or_added(
    root: &Path,
    path: &str,
    base: Option<&[u8]>,
    t: &[u8],
    x: bool,
    unchanged: &dyn Fn(&str, &[u8]) -> bool,
) -> Option<Change> {
    let in_base = base.is_some();
    let disk = match on_disk(root, path) {
        OnDisk::Other => {
            let mut c = Change::new(path, Kind::Conflict, "not a regular file in the project; left alone, the template's version is written beside it");
            write_beside(&mut c, root, t);
            return Some(c);
        }
        OnDisk::Missing if in_base && base == Some(t) => {
            return Some(Change::new(
                path,
                Kind::Kept,
                "deleted in the project: stays deleted",
            ))
        }
        OnDisk::Missing if in_base => {
            return Some(Change::new(
                path,
                Kind::Kept,
                "deleted in the project: stays deleted (the template changed it)",
            ))
        }
        OnDisk::Missing => {
            let mut c = Change::new(path, Kind::Added, "new in the template");
            c.new = Some(t.to_vec());
            c.executable = x;
            return Some(c);
        }
        OnDisk::File(d) => d,
    };
    if disk == t {
        return None;
    }
    if unchanged(path, &disk) {
        let mut c = Change::new(path, Kind::Updated, "unchanged in the project: replaced");
        c.old = Some(disk);
        c.new = Some(t.to_vec());
        c.executable = x;
        return Some(c);
    }
    if base == Some(t) {
        let mut c = Change::new(
            path,
            Kind::Kept,
            "your changes; the template did not change it",
        );
        c.new = Some(disk.clone());
        c.old = Some(disk);
        return Some(c);
    }
    let note = if in_base {
        "changed in the project and in the template"
    } else {
        "new in the template, and the project already has a file here"
    };
    Some(combine(root, path, base, disk, t, x, note))
}

fn removed(root: &Path, path: &str, unchanged: &dyn Fn(&str, &[u8]) -> bool) -> Option<Change> {
    match on_disk(root, path) {
        OnDisk::Missing => None,
        OnDisk::File(d) if unchanged(path, &d) => {
            let mut c = Change::new(
                path,
                Kind::Removed,
                "gone from the template, unchanged in the project: deleted",
            );
            c.old = Some(d);
            Some(c)
        }
        _ => Some(Change::new(
            path,
            Kind::Kept,
            "gone from the template, but changed in the project: kept",
        )),
    }
}

fn moved(
    root: &Path,
    path: &str,
    from: &str,
    base: Option<&[u8]>,
    t: &[u8],
    x: bool,
    unchanged: &dyn Fn(&str, &[u8]) -> bool,
) -> Option<Change> {
    let disk = match on_disk(root, from) {
        OnDisk::Missing => {
            return Some(Change::new(
                path,
                Kind::Kept,
                &format!("{from} was deleted in the project: stays deleted"),
            ))
        }
        OnDisk::Other => return both_or_added(root, path, base, t, x, unchanged),
        OnDisk::File(d) => d,
    };
    if !matches!(on_disk(root, path), OnDisk::Missing) {
        // Something is already where it moves to: treat it as new there, keep the old.
        return both_or_added(root, path, None, t, x, unchanged);
    }
    let note = format!("renamed from {from}");
    let mut c = if unchanged(from, &disk) || disk == t {
        let mut c = Change::new(path, Kind::Moved, &note);
        c.new = Some(t.to_vec());
        c.executable = x;
        c
    } else {
        let mut c = combine(root, path, base, disk.clone(), t, x, &note);
        c.old = None;
        if c.kind == Kind::Merged {
            c.kind = Kind::Moved;
            c.note = format!("renamed from {from}, with your changes");
        }
        c
    };
    if c.beside.is_none() {
        c.from = Some(from.to_string());
        c.from_old = Some(disk);
    }
    Some(c)
}
