//! `flaskgen new` starts a git repository with a first commit (real git).

use std::process::Command as StdCommand;

use super::{files, flaskgen, stderr};

fn git_out(dir: &std::path::Path, args: &[&str]) -> String {
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args(args)
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn have_git() -> bool {
    let ok = StdCommand::new("git").arg("--version").output().is_ok();
    if !ok {
        eprintln!("NOT RUN: the --vcs git checks: git is not installed");
        assert!(std::env::var("CI").is_err(), "CI must have git");
    }
    ok
}

#[test]
fn new_commits_every_file_with_a_fallback_identity() {
    if !have_git() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .env("FLASKGEN_VCS", "git")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let p = tmp.path().join("svc");
    assert!(
        stderr(&out).contains("flaskgen <flaskgen@localhost>"),
        "{}",
        stderr(&out)
    );
    assert_eq!(git_out(&p, &["rev-list", "--count", "HEAD"]).trim(), "1");
    assert_eq!(
        git_out(&p, &["log", "-1", "--format=%an <%ae>"]).trim(),
        "flaskgen <flaskgen@localhost>"
    );
    let tracked: Vec<String> = git_out(&p, &["ls-files"])
        .lines()
        .map(String::from)
        .collect();
    let on_disk: Vec<String> = files(&p)
        .into_iter()
        .filter(|f| !f.starts_with(".git/"))
        .collect();
    assert_eq!(tracked, on_disk);
    assert_eq!(
        git_out(&p, &["status", "--porcelain"]),
        "",
        "the work tree is clean"
    );
}

#[test]
fn new_uses_the_users_identity_and_skips_inside_a_work_tree() {
    if !have_git() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--vcs", "git"])
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("flaskgen@localhost"),
        "{}",
        stderr(&out)
    );
    let p = tmp.path().join("svc");
    assert_eq!(git_out(&p, &["log", "-1", "--format=%an"]).trim(), "Ada");
    // A second project inside the first one's work tree gets no repository of its own.
    flaskgen(&p)
        .args(["new", "inner", "--yes", "--vcs", "git"])
        .assert()
        .success();
    assert!(p.join("inner/Dockerfile").exists());
    assert!(!p.join("inner/.git").exists());
    // --vcs none: no repository.
    flaskgen(tmp.path())
        .args(["new", "plain", "--yes", "--vcs", "none"])
        .assert()
        .success();
    assert!(!tmp.path().join("plain/.git").exists());
}
