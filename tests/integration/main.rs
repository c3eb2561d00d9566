//! Integration tests: the real binary, real files, real exit codes.

mod checkcfg;
mod cli;
mod corpus;
mod crash;
mod credentials;
mod deploy;
mod detect;
mod existing;
mod facts;
mod failures;
mod git;
mod init_deps;
mod inputs;
mod kits;
mod new;
mod pty;
mod readme;
mod safety;
mod snapshots;
mod untrusted;
mod update;
mod vcs;
mod wrap;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The binary with a clean environment: no config file, no FLASKGEN_* variables, stdin not a terminal.
pub fn flaskgen(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("flaskgen").unwrap();
    cmd.current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", cwd)
        .env("XDG_CONFIG_HOME", cwd.join(".no-config"))
        // `new` makes no git repository unless a test asks (tests/integration/vcs.rs).
        .env("FLASKGEN_VCS", "none")
        .write_stdin("");
    cmd
}

/// Every file under `root`, relative and sorted.
pub fn files(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = vec![];
    if root.exists() {
        walk(root, root, &mut out);
    }
    out.sort();
    out
}

/// Both trees hold the same files with the same bytes.
pub fn assert_same_tree(a: &Path, b: &Path) {
    assert_eq!(files(a), files(b));
    for f in files(a) {
        assert_eq!(
            fs::read(a.join(&f)).unwrap(),
            fs::read(b.join(&f)).unwrap(),
            "{f}"
        );
    }
}

pub fn read(p: impl AsRef<Path>) -> String {
    fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub const DEFAULT_FILES: &[&str] = &[
    ".dockerignore",
    ".flaskgen.toml",
    ".gitignore",
    "Dockerfile",
    "README.md",
    "app/__init__.py",
    "app/app.py",
    "compose.yaml",
    "gunicorn.conf.py",
    "pyproject.toml",
    "requirements-dev.in",
    "requirements-dev.txt",
    "requirements.in",
    "requirements.txt",
    "tests/test_app.py",
];
