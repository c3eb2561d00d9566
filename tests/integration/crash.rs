//! `update` killed with SIGKILL at every step of its write, then run again:
//! no user edit is lost, every template change lands, no staging is left.
//! Debug builds kill themselves at the Nth pause point when
//! `FLASKGEN_TEST_KILL_AT=N` (see `write::pause_for_tests`); one case is
//! killed from outside. A kit that turns a file into a folder, and a folder
//! into a file, updates.

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use super::{files, flaskgen, read, stderr};

/// Files in the kit, each edited by the user.
const FILES: usize = 40;

fn git(dir: &Path, args: &[&str]) {
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

fn put(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn name(i: usize) -> String {
    if i.is_multiple_of(2) {
        format!("f{i:02}.txt")
    } else {
        format!("pkg/f{i:02}.txt")
    }
}

const MANIFEST: &str = "[template]\nname = \"many\"\ndescription = \"d\"\nversion = \"VERSION\"\n";

/// A git kit, tags v1.0.0 and v1.1.0. The new version changes line 5 of every
/// file, removes `gone.txt`, adds `added.txt` and `pkg/new/added.txt`, turns
/// the file `conf` into a folder and the folder `docs` into a file.
fn kit(root: &Path) -> String {
    let work = root.join("kit-work");
    put(
        &work,
        "flaskgen.toml",
        &MANIFEST.replace("VERSION", "1.0.0"),
    );
    for i in 0..FILES {
        put(
            &work,
            &name(i),
            &format!("line 1 of {i}\n2\n3\n4\nline 5\n6\n"),
        );
    }
    put(&work, "gone.txt", "going\n");
    put(&work, "conf", "a file\n");
    put(&work, "docs/a.md", "a\n");
    put(&work, "docs/b.md", "b\n");
    git(&work, &["init", "-q"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "v1"]);
    git(&work, &["tag", "v1.0.0"]);
    put(
        &work,
        "flaskgen.toml",
        &MANIFEST.replace("VERSION", "1.1.0"),
    );
    for i in 0..FILES {
        put(
            &work,
            &name(i),
            &format!("line 1 of {i}\n2\n3\n4\nline 5 from the template\n6\n"),
        );
    }
    fs::remove_file(work.join("gone.txt")).unwrap();
    put(&work, "added.txt", "added\n");
    put(&work, "pkg/new/added.txt", "added too\n");
    fs::remove_file(work.join("conf")).unwrap();
    put(&work, "conf/app.toml", "now a folder\n");
    fs::remove_dir_all(work.join("docs")).unwrap();
    put(&work, "docs", "now a file\n");
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "v1.1"]);
    git(&work, &["tag", "v1.1.0"]);
    git(root, &["clone", "-q", "--bare", "kit-work", "kit.git"]);
    fs::remove_dir_all(&work).unwrap();
    format!("file://{}", root.join("kit.git").display())
}

/// The project made from v1.0.0, line 1 of every kit file edited.
fn project(root: &Path, url: &str) -> PathBuf {
    flaskgen(root)
        .args(["new", "svc", "--yes", "--template", url, "--ref", "v1.0.0"])
        .assert()
        .success();
    let p = root.join("svc");
    for i in 0..FILES {
        let text = read(p.join(name(i))).replace("line 1 of", "my edit of line 1 of");
        fs::write(p.join(name(i)), text).unwrap();
    }
    p
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Scratch space on a tmpfs when there is one: fast syncs.
fn scratch() -> tempfile::TempDir {
    match tempfile::tempdir_in("/dev/shm") {
        Ok(t) => t,
        Err(_) => tempfile::tempdir().unwrap(),
    }
}

/// Runs `update` on `dir`, killed at its `kill`th pause point; whether it was.
fn update_killed_at(dir: &Path, kill: usize) -> bool {
    let out = flaskgen(dir.parent().unwrap())
        .args(["update", "-q"])
        .arg(dir)
        .env("FLASKGEN_TEST_KILL_AT", kill.to_string())
        .output()
        .unwrap();
    match out.status.signal() {
        Some(9) => true,
        other => {
            assert!(
                out.status.success() || other.is_none(),
                "{out:?} at kill point {kill}"
            );
            false
        }
    }
}

/// Left-over journal, staging or aside folders in `dir`.
fn scratch_left(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(".flaskgen-journal")
                || n.starts_with(".staging.flaskgen-")
                || n.starts_with(".aside.flaskgen-")
        })
        .collect()
}

/// User edits missing from `dir` (0 is the only passing count).
fn lost_edits(dir: &Path) -> usize {
    (0..FILES)
        .filter(|i| {
            !fs::read_to_string(dir.join(name(*i)))
                .is_ok_and(|t| t.starts_with(&format!("my edit of line 1 of {i}\n")))
        })
        .count()
}

/// The update is whole in `dir`: every edit, every template change, no scratch.
fn assert_updated(dir: &Path, reference: &Path, what: &str) {
    assert_eq!(lost_edits(dir), 0, "{what}: lost edits");
    for i in 0..FILES {
        assert!(
            read(dir.join(name(i))).contains("\nline 5 from the template\n"),
            "{what}: {}",
            name(i)
        );
    }
    assert!(!dir.join("gone.txt").exists(), "{what}");
    assert_eq!(read(dir.join("added.txt")), "added\n", "{what}");
    assert_eq!(read(dir.join("conf/app.toml")), "now a folder\n", "{what}");
    assert_eq!(read(dir.join("docs")), "now a file\n", "{what}");
    assert!(
        read(dir.join(".flaskgen.toml")).contains("version = \"1.1.0\""),
        "{what}"
    );
    assert_eq!(scratch_left(dir), Vec::<String>::new(), "{what}");
    super::assert_same_tree(reference, dir);
}

/// The project, the kit, and the project updated without a kill.
fn setup(tmp: &Path) -> (PathBuf, PathBuf) {
    let url = kit(tmp);
    let project = project(tmp, &url);
    let reference = tmp.join("reference");
    copy(&project, &reference);
    flaskgen(tmp)
        .args(["update", "reference"])
        .assert()
        .success();
    assert_updated(&reference, &reference, "uninterrupted");
    (project, reference)
}

/// Kill points tried in each recovery, sparser further in.
const RECOVERY_KILLS: &[usize] = &[1, 2, 3, 5, 8, 12, 17, 23, 30, 38, 47, 57];

#[test]
fn killed_at_every_step_an_update_is_finished_by_the_next_run() {
    let tmp = scratch();
    let (project, reference) = setup(tmp.path());
    let kit = tmp.path().join("kit.git");
    let started = std::time::Instant::now();
    // Phase 1: the update killed at each point k in turn, until it finishes.
    // A kill before the journal is on disk changed no file: the next run
    // only removes the staging, and a full update is still to do.
    let mut states = Vec::new();
    let mut kills = 0;
    for k in 1.. {
        let dir = tmp.path().join(format!("k{k}"));
        copy(&project, &dir);
        if !update_killed_at(&dir, k) {
            fs::remove_dir_all(&dir).unwrap();
            break;
        }
        kills += 1;
        // Committed: the journal is on disk, or its work is done.
        let committed = dir.join(".flaskgen-journal").exists()
            || read(dir.join(".flaskgen.toml")).contains("version = \"1.1.0\"");
        states.push((dir, committed));
    }
    assert!(states.iter().any(|(_, c)| !c) && states.iter().any(|(_, c)| *c));
    eprintln!("phase 1: {} kills in {:?}", kills, started.elapsed());
    assert!(
        states.len() > 2 * FILES,
        "only {} kill points",
        states.len()
    );
    // Phase 2: each killed state is recovered by `update`, itself killed
    // again and again at later and later points of the recovery (each rerun
    // replays the journal from the top), then once to the end. With the kit
    // out of reach the run stops after recovering: no clone per kill.
    fs::rename(&kit, tmp.path().join("kit-away")).unwrap();
    let mut lost = 0;
    for (n, (state, committed)) in states.iter().enumerate() {
        let dir = tmp.path().join("recovering");
        copy(state, &dir);
        for &j in RECOVERY_KILLS {
            if !update_killed_at(&dir, j) {
                break;
            }
            kills += 1;
        }
        let out = flaskgen(tmp.path())
            .args(["update", "recovering"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        lost += lost_edits(&dir);
        let what = format!("kill {} then recovery kills", n + 1);
        if *committed {
            assert_updated(&dir, &reference, &what);
        } else {
            assert_eq!(scratch_left(&dir), Vec::<String>::new(), "{what}");
            super::assert_same_tree(&project, &dir);
        }
        fs::remove_dir_all(&dir).unwrap();
    }
    eprintln!("phase 2: {} kills in {:?}", kills, started.elapsed());
    // And with the kit back, a plain rerun on every tenth state finishes it
    // and has nothing left to do.
    fs::rename(tmp.path().join("kit-away"), &kit).unwrap();
    let reruns = states
        .iter()
        .enumerate()
        .filter(|(i, (_, c))| i % 10 == 0 || !c);
    for (_, (state, _)) in reruns {
        let out = flaskgen(tmp.path())
            .arg("update")
            .arg(state)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        lost += lost_edits(state);
        assert_updated(state, &reference, &state.display().to_string());
        let again = flaskgen(tmp.path())
            .arg("update")
            .arg(state)
            .output()
            .unwrap();
        assert!(stderr(&again).contains("Unchanged"), "{again:?}");
    }
    eprintln!("kill loop: {kills} kills, {lost} lost edits");
    assert_eq!(lost, 0);
    assert!(kills >= 1000, "only {kills} kills");
}

#[test]
fn after_a_kill_the_rerun_says_it_recovered() {
    let tmp = scratch();
    let (project, reference) = setup(tmp.path());
    // Killed in the middle of moving the files in.
    assert!(update_killed_at(&project, 3 + FILES));
    assert!(project.join(".flaskgen-journal").exists());
    let out = flaskgen(tmp.path())
        .args(["update", "svc"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.contains("Recovered"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("an interrupted update of svc: rolled forward") && line.ends_with("file(s)"),
        "{line}"
    );
    assert_updated(&project, &reference, "rerun");
}

/// A real SIGKILL from outside, once the journal is on disk.
#[test]
fn an_update_killed_from_outside_is_finished_by_the_next_run() {
    let tmp = scratch();
    let (project, reference) = setup(tmp.path());
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_flaskgen"))
        .current_dir(tmp.path())
        .env("HOME", tmp.path())
        .env("XDG_CONFIG_HOME", tmp.path().join(".no-config"))
        .env("FLASKGEN_TEST_PAUSE", "journal-written:20000")
        .args(["update", "-q", "svc"])
        .spawn()
        .unwrap();
    let journal = project.join(".flaskgen-journal");
    let start = std::time::Instant::now();
    while !journal.exists() {
        assert!(start.elapsed().as_secs() < 20, "no journal appeared");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(9));
    // Nothing moved yet, but the journal is durable: the update is finished.
    assert_eq!(lost_edits(&project), 0);
    let out = flaskgen(tmp.path())
        .args(["update", "svc"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(stderr(&out).contains("Recovered an interrupted update of svc: rolled forward"));
    assert_updated(&project, &reference, "killed from outside");
}

/// A directory kit whose new version turns the file `conf` into a folder and
/// the folder `docs` into a file.
#[test]
fn a_kit_can_turn_a_file_into_a_folder_and_a_folder_into_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    put(&kit, "flaskgen.toml", &MANIFEST.replace("VERSION", "1.0.0"));
    put(&kit, "conf", "a file\n");
    put(&kit, "docs/a.md", "a\n");
    put(&kit, "docs/deeper/b.md", "b\n");
    put(&kit, "keep.txt", "kept\n");
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-t"])
        .arg(&kit)
        .assert()
        .success();
    put(&kit, "flaskgen.toml", &MANIFEST.replace("VERSION", "2.0.0"));
    fs::remove_file(kit.join("conf")).unwrap();
    put(&kit, "conf/app.toml", "now a folder\n");
    fs::remove_dir_all(kit.join("docs")).unwrap();
    put(&kit, "docs", "now a file\n");
    let out = flaskgen(tmp.path())
        .args(["update", "svc"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let p = tmp.path().join("svc");
    assert_eq!(
        files(&p),
        [".flaskgen.toml", "conf/app.toml", "docs", "keep.txt"]
    );
    assert_eq!(read(p.join("conf/app.toml")), "now a folder\n");
    assert_eq!(read(p.join("docs")), "now a file\n");
    assert!(read(p.join(".flaskgen.toml")).contains("version = \"2.0.0\""));
    // And back again.
    put(&kit, "flaskgen.toml", &MANIFEST.replace("VERSION", "3.0.0"));
    fs::remove_dir_all(kit.join("conf")).unwrap();
    put(&kit, "conf", "a file again\n");
    fs::remove_file(kit.join("docs")).unwrap();
    put(&kit, "docs/a.md", "a again\n");
    flaskgen(tmp.path())
        .args(["update", "svc"])
        .assert()
        .success();
    assert_eq!(
        files(&p),
        [".flaskgen.toml", "conf", "docs/a.md", "keep.txt"]
    );
    assert_eq!(scratch_left(&p), Vec::<String>::new());
}
