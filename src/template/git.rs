//! Git kits: a shallow clone with the system's git, never prompting, giving
//! up after a bounded stall, and never leaving its temporary directory
//! behind (Ctrl-C and SIGTERM included).

use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};

use super::{load_dir, Origin, Template};

/// A source is a git repository when it looks like a URL git understands.
pub fn is_git_url(source: &str) -> bool {
    ["https://", "http://", "ssh://", "git://", "file://"]
        .iter()
        .any(|p| source.starts_with(p))
        || (source.starts_with("git@") && source.contains(':'))
}

fn is_ssh_url(url: &str) -> bool {
    url.starts_with("ssh://") || url.starts_with("git@")
}

/// True when `GIT_SSH_COMMAND`, `GIT_SSH` or git's `core.sshCommand` is set.
fn user_chose_ssh_command() -> bool {
    ["GIT_SSH_COMMAND", "GIT_SSH"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
        || Command::new("git")
            .args(["config", "--get", "core.sshCommand"])
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
}

pub fn load(url: &str, git_ref: Option<&str>) -> Result<Template> {
    let tmp = tempfile::Builder::new()
        .prefix("flaskgen-template-")
        .tempdir()?;
    let dest = tmp.path().join("kit");
    let mut cmd = Command::new("git");
    cmd.args(["clone", "--quiet", "--depth", "1", "--no-tags"]);
    if let Some(r) = git_ref {
        cmd.args(["--branch", r]);
    }
    cmd.arg("--").arg(url).arg(&dest);
    // Never let git ask for credentials: scripts must not hang. ssh asks on
    // the terminal itself, so it gets BatchMode, unless the user chose an ssh
    // command of their own (a key for the team's git host, say).
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    if is_ssh_url(url) && !user_chose_ssh_command() {
        cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow!("git is not installed, and the template {url} is a git repository; install git or pass a local directory")
        } else {
            anyhow!("could not run git to fetch {url}: {e}")
        }
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim();
        bail!(
            "could not clone template {url}{}: {why}",
            git_ref.map(|r| format!(" at {r}")).unwrap_or_default()
        );
    }
    let commit = Command::new("git")
        .arg("-C")
        .arg(&dest)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let (manifest, files) = load_dir(&dest).with_context(|| format!("in template {url}"))?;
    Ok(Template {
        manifest,
        files,
        origin: Origin::Git {
            url: url.into(),
            reference: git_ref.map(Into::into),
            commit,
        },
    })
}
