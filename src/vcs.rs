//! `flaskgen new --vcs git`: a new project starts as a git repository with a
//! first commit of the generated files, like `cargo new`, so that the first
//! `flaskgen update` has a history to show its diff against.

use std::path::Path;

use anyhow::{bail, Result};
use clap::ValueEnum;

use crate::git::Git;

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

pub fn git_installed() -> bool {
    Git::new()
        .arg("--version")
        .run("print its version")
        .is_ok_and(|r| r.success)
}

/// Whether `dir` is inside a git work tree; `None` when git cannot be run.
fn inside_work_tree(dir: &Path) -> Option<bool> {
    let out = Git::in_dir(dir)
        .args(["rev-parse", "--is-inside-work-tree"])
        .run("ask git whether the project is in a work tree")
        .ok()?;
    Some(out.success && out.stdout.trim() == "true")
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
    Git::in_dir(dir)
        .args(["init", "--quiet"])
        .output("git init the new project")?;
    // An identity from config or the environment, else the fallback.
    let has_identity = ["GIT_COMMITTER_IDENT", "GIT_AUTHOR_IDENT"].iter().all(|v| {
        Git::in_dir(dir)
            .args(["var", v])
            .run("read the git identity")
            .is_ok_and(|r| r.success)
    });
    let mut commit = Git::in_dir(dir);
    if !has_identity {
        commit = commit
            .env("GIT_AUTHOR_NAME", FALLBACK_NAME)
            .env("GIT_AUTHOR_EMAIL", FALLBACK_EMAIL)
            .env("GIT_COMMITTER_NAME", FALLBACK_NAME)
            .env("GIT_COMMITTER_EMAIL", FALLBACK_EMAIL);
    }
    Git::in_dir(dir)
        .args(["add", "--all"])
        .output("git add the new project's files")?;
    commit
        .args([
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "Initial commit from flaskgen",
        ])
        .output("make the first commit of the new project")?;
    Ok(Outcome::Committed {
        fallback_identity: !has_identity,
    })
}
