//! What a kit, a user or a race could do to the disk or the terminal, and
//! what flaskgen says about it: version-control directories are out of
//! reach, control characters are escaped, `--force` keeps what it need not
//! touch, and what is printed matches the disk on every path.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use crate::*;

fn make_kit(dir: &std::path::Path, manifest: &str, files: &[(&str, &str)]) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join("flaskgen.toml"), manifest).unwrap();
    for (p, c) in files {
        let path = dir.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, c).unwrap();
    }
}

#[test]
fn a_kit_cannot_write_into_a_git_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    make_kit(
        &kit,
        "[template]\nname = \"hook\"\n[variables.dir]\ndefault = \"docs\"\n",
        &[("{{ dir }}/hooks/pre-commit", "#!/bin/sh\necho pwned\n")],
    );
    fs::set_permissions(
        kit.join("{{ dir }}/hooks/pre-commit"),
        fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    // A repository where the project goes.
    let repo = tmp.path().join("svc");
    fs::create_dir_all(repo.join(".git/hooks")).unwrap();
    for value in [".git", ".GIT", ".hg", ".svn"] {
        let out = flaskgen(tmp.path())
            .args(["new", "svc", "--yes", "--force", "-t", "kit", "-d"])
            .arg(format!("dir={value}"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{value}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("version-control directory"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    // template check reports it for a default value.
    fs::write(
        kit.join("flaskgen.toml"),
        "[template]\nname = \"hook\"\n[variables.dir]\ndefault = \".git\"\n",
    )
    .unwrap();
    let out = flaskgen(tmp.path())
        .args(["template", "check", "kit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("version-control directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn control_characters_from_a_kit_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    make_kit(
        &kit,
        "[template]\nname = \"evil\\u001b]0;pwned\\u0007\"\nversion = \"1\\u001b[2J\"\ndescription = \"line\\nforged: ok\"\n\
         [variables.team]\nprompt = \"Team\\u001b[31m\"\ndefault = \"a\"\n",
        &[("README.md.tera", "{{ team }}\n")],
    );
    for args in [
        vec!["new", "svc", "--yes", "-t", "kit", "-v"],
        vec!["template", "check", "kit"],
    ] {
        let out = flaskgen(tmp.path()).args(&args).output().unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "{err}");
        assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
        assert!(err.contains("evil\\x1b]0;pwned\\x07"), "{err}");
        fs::remove_dir_all(tmp.path().join("svc")).ok();
    }
    // A value with a control character never gets in.
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-t", "kit", "-d", "team=a\x1b[2Jb"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1).or(Some(2)).map(|_| out.status.code().unwrap())
    );
    assert!(!stderr(&out).contains('\x1b'), "{:?}", stderr(&out));
}

#[test]
fn force_reports_new_replaced_and_unchanged_and_keeps_modes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("svc");
    let first = flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .output()
        .unwrap();
    assert!(first.status.success());
    // One file edited and made private, one file removed, the rest as generated.
    fs::write(root.join("Dockerfile"), "FROM mine:1\n").unwrap();
    fs::set_permissions(root.join("Dockerfile"), fs::Permissions::from_mode(0o700)).unwrap();
    fs::remove_file(root.join("compose.yaml")).unwrap();
    let untouched = fs::metadata(root.join("app/app.py")).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--force", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("1 new, 1 replaced, 13 unchanged"), "{err}");
    assert!(err.contains("Replaced svc/Dockerfile"), "{err}");
    assert!(
        !err.contains("app.py"),
        "unchanged files are not listed: {err}"
    );
    let mode = fs::metadata(root.join("Dockerfile"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700, "the replaced file keeps its mode");
    assert!(read(root.join("Dockerfile")).contains("USER 10001"));
    let after = fs::metadata(root.join("app/app.py")).unwrap();
    assert_eq!(
        (untouched.modified().unwrap(), untouched.ino()),
        (after.modified().unwrap(), after.ino()),
        "an unchanged file is not rewritten"
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["overwritten"], serde_json::json!(["Dockerfile"]));
    assert_eq!(doc["unchanged"].as_array().unwrap().len(), 13);
    let states: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|s| **s == "new").count(), 1);
}

#[test]
fn a_signal_after_the_write_says_the_files_are_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let child = StdCommand::new(env!("CARGO_BIN_EXE_flaskgen"))
        .args(["new", "svc", "--yes"])
        .current_dir(tmp.path())
        .env("HOME", tmp.path())
        .env("XDG_CONFIG_HOME", tmp.path().join("none"))
        .env("FLASKGEN_TEST_PAUSE", "after-write:3000")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let dockerfile = tmp.path().join("svc/Dockerfile");
    for _ in 0..200 {
        if dockerfile.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(dockerfile.exists());
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let err = stderr(&out);
    assert!(!err.contains("nothing was written"), "{err}");
    assert!(err.contains("they are all on disk"), "{err}");
    assert_eq!(files(&tmp.path().join("svc")), DEFAULT_FILES);
}

#[test]
fn the_loser_of_a_race_for_the_target_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let child = StdCommand::new(env!("CARGO_BIN_EXE_flaskgen"))
        .args(["new", "same", "--yes"])
        .current_dir(tmp.path())
        .env("HOME", tmp.path())
        .env("XDG_CONFIG_HOME", tmp.path().join("none"))
        .env("FLASKGEN_TEST_PAUSE", "before-rename:1500")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    // Another run wins meanwhile.
    let other = flaskgen(tmp.path())
        .args(["new", "same", "--yes"])
        .output()
        .unwrap();
    assert!(other.status.success(), "{}", stderr(&other));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("another process created same"), "{err}");
    assert!(!err.contains("os error"), "{err}");
    // The winner's project is whole, and no staging directory is left.
    assert_eq!(files(&tmp.path().join("same")), DEFAULT_FILES);
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("flaskgen-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn small_wording() {
    let tmp = tempfile::tempdir().unwrap();
    // A symlink to a directory is a symlink, not "not a directory".
    fs::create_dir(tmp.path().join("real")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("real"), tmp.path().join("link")).unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "link", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is a symlink"), "{}", stderr(&out));
    // An empty file is an empty file, not "not empty".
    fs::write(tmp.path().join("empty"), "").unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "empty", "--yes"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("is an empty file"),
        "{}",
        stderr(&out)
    );
    // One file is "1 file".
    let kit = tmp.path().join("kit");
    make_kit(&kit, "[template]\nname = \"one\"\n", &[("only.txt", "x")]);
    let out = flaskgen(tmp.path())
        .args(["new", "solo", "--yes", "-t", "kit"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("(2 files,"), "{}", stderr(&out));
    let out = flaskgen(tmp.path())
        .args(["template", "init", "exported"])
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("1 files"));
    // The name rule's text says what Docker accepts: a--b is fine, café suggests cafe.
    let out = flaskgen(tmp.path())
        .args(["new", "a--b", "--yes", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = flaskgen(tmp.path())
        .args(["new", "café", "--yes"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("`cafe`"), "{}", stderr(&out));
    assert!(stderr(&out).contains("dashes"), "{}", stderr(&out));
}
