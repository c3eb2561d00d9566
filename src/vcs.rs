//! `flaskgen new --vcs git`: a new project starts as a git repository with a
//! first commit of the generated files, like `cargo new`, so that the first
//! `flaskgen update` has a history to show its diff against.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Result};
use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Vcs {
    Git,
    None,
}

/// The identity of the first commit when the user has none configured.
pub const FALLBACK_NAME: &str = "flaskgen";
pub const FALLBACK_EMAIL: &str = "flaskgen@localhost";

/// What [`init`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A repository with a first commit; `true` when the fallback identity was used.
    Committed { fallback_identity: bool },
    /// The project is inside an existing work tree: left to it.
    InsideWorkTree,
    /// `--vcs` not given and git is not installed.
    NoGit,
}

fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .stdin(Stdio::null())
        .env("GIT_TERMINAL_PROMPT", "0");
    c
}

pub fn git_installed() -> bool {
    Command::new("git")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `dir` is inside a git work tree; `None` when git cannot be run.
fn inside_work_tree(dir: &Path) -> Option<bool> {
    let out = git(dir)
        .args(["rev-parse", "--is-inside-work-tree"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    Some(out.status.success() && out.stdout.trim_ascii() == b"true")
}

fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd.output()?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let why = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        bail!("{what}: {}", why.trim());
    }
    Ok(())
}

/// Makes `dir` (the new project) a git repository with one commit of every
/// file in it, unless it is already inside a work tree. `explicit`: the user
/// asked for git, so its absence is an error rather than a quiet skip.
pub fn init(dir: &Path, explicit: bool) -> Result<Outcome> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // One git process answers both questions: is git there, is this a work tree.
    match inside_work_tree(parent) {
        None if explicit => {
            bail!("--vcs git: git is not installed; install it, or pass --vcs none")
        }
        None => return Ok(Outcome::NoGit),
        Some(true) => return Ok(Outcome::InsideWorkTree),
        Some(false) => {}
    }
    run(
        git(dir).args(["init", "--quiet"]),
        "git init of the new project failed",
    )?;
    // An identity from config or the environment, else the fallback.
    let has_identity = git(dir)
        .args(["var", "GIT_COMMITTER_IDENT"])
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
        && git(dir)
            .args(["var", "GIT_AUTHOR_IDENT"])
            .stderr(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success());
    let mut commit = git(dir);
    if !has_identity {
        commit
            .env("GIT_AUTHOR_NAME", FALLBACK_NAME)
            .env("GIT_AUTHOR_EMAIL", FALLBACK_EMAIL)
            .env("GIT_COMMITTER_NAME", FALLBACK_NAME)
            .env("GIT_COMMITTER_EMAIL", FALLBACK_EMAIL);
    }
    run(
        git(dir).args(["add", "--all"]),
        "git add in the new project failed",
    )?;
    run(
        commit.args([
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "Initial commit from flaskgen",
        ]),
        "the first commit of the new project failed",
    )?;
    Ok(Outcome::Committed {
        fallback_identity: !has_identity,
    })
}
