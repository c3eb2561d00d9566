//! The two templates of an update: the one the project was made from (the
//! base) and the one to update to (the target).
//!
//! - built-in: the base is the release the answers file names
//!   (`releases`), the target the template in this binary;
//! - git kit: one clone with its tags; the base is the recorded commit, the
//!   target `--to REF`, else the newest tag by semantic-version order
//!   (`v1.2.0` or `1.2.0`), else the default branch;
//! - directory kit: the target is the directory as it is now; it is also the
//!   base while its manifest version is the recorded one, and there is no
//!   base once it has changed version (every file the project changed is
//!   then a conflict).

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};

use crate::error::input_error;
use crate::inputs::answers::Answers;
use crate::template::git::{is_git_url, is_ssh_url, user_chose_ssh_command};
use crate::template::{self, Origin, Template};
use crate::update::releases;

pub struct Sources {
    pub base: Option<Template>,
    pub target: Template,
    /// Why there is no base, when there is none.
    pub no_base: Option<String>,
    /// Kept alive while the templates are used (a git clone).
    _scratch: Option<tempfile::TempDir>,
}

pub fn load(answers: &Answers, to: Option<&str>) -> Result<Sources> {
    match answers.source.as_deref() {
        None => {
            if let Some(r) = to {
                return Err(input_error(format!(
                    "--to {r:?}: the project uses the built-in template, which updates to the one in this flaskgen; --to is for git kits"
                )));
            }
            let target = Template::builtin()?;
            let (base, no_base) = match answers.version.as_deref() {
                Some(v) => (Some(releases::builtin_at(v)?), None),
                None => (
                    None,
                    Some("the answers file records no template version".to_string()),
                ),
            };
            Ok(Sources {
                base,
                target,
                no_base,
                _scratch: None,
            })
        }
        Some(url) if is_git_url(url) => load_git(url, answers, to),
        Some(dir) => {
            if let Some(r) = to {
                return Err(input_error(format!(
                    "--to {r:?}: the project's template is the directory {dir}, which has no versions to choose from; --to is for git kits"
                )));
            }
            let target = Template::load(dir, None)?;
            let same = answers.version.as_deref() == Some(target.manifest.meta.version.as_str());
            let (base, no_base) = if same {
                (Some(target.clone()), None)
            } else {
                (
                    None,
                    Some(format!(
                        "the kit directory {dir} is at version {} now and its version {} is gone",
                        target.manifest.meta.version,
                        answers.version.as_deref().unwrap_or("(unrecorded)")
                    )),
                )
            };
            Ok(Sources {
                base,
                target,
                no_base,
                _scratch: None,
            })
        }
    }
}

fn git(dir: Option<&Path>, url: &str) -> Command {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.arg("-C").arg(d);
    }
    cmd.env("GIT_TERMINAL_PROMPT", "0").stdin(Stdio::null());
    if is_ssh_url(url) && !user_chose_ssh_command() {
        cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    cmd
}

fn run(mut cmd: Command, what: &str) -> Result<String> {
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow!("git is not installed, and {what} needs it")
        } else {
            anyhow!("could not run git for {what}: {e}")
        }
    })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim()
            .to_string();
        bail!("{what}: {why}");
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The newest release tag by semantic version (`v` prefix allowed;
/// pre-releases only with `--to`), if any.
pub fn newest_version_tag(tags: &str) -> Option<String> {
    tags.lines()
        .filter_map(|t| {
            let t = t.trim();
            let v: semver::Version = t.strip_prefix('v').unwrap_or(t).parse().ok()?;
            v.pre.is_empty().then(|| (v, t.to_string()))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, t)| t)
}

fn load_git(url: &str, answers: &Answers, to: Option<&str>) -> Result<Sources> {
    let scratch = tempfile::Builder::new()
        .prefix("flaskgen-update-")
        .tempdir()?;
    let repo = scratch.path().join("repo");
    let mut clone = git(None, url);
    clone
        .args(["clone", "--quiet", "--no-checkout", "--"])
        .arg(url)
        .arg(&repo);
    run(clone, &format!("cloning template {url}"))?;

    let target_ref = match to {
        Some(r) => r.to_string(),
        None => {
            let mut tags = git(Some(&repo), url);
            tags.args(["tag", "--list"]);
            newest_version_tag(&run(tags, "listing the kit's tags")?)
                .unwrap_or_else(|| "HEAD".into())
        }
    };
    let checkout = |rev: &str, name: &str| -> Result<(Template, String)> {
        let mut parse = git(Some(&repo), url);
        parse.args([
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ]);
        let commit = run(parse, &format!("finding {rev} in template {url}")).map_err(|_| {
            input_error(format!("{rev:?} is not a branch, tag or commit of template {url}; for example `--to v1.2.0`"))
        })?;
        let dir = scratch.path().join(name);
        let mut add = git(Some(&repo), url);
        add.args(["worktree", "add", "--quiet", "--detach"])
            .arg(&dir)
            .arg(&commit);
        run(add, &format!("checking out {rev} of template {url}"))?;
        let (manifest, files) =
            template::load_dir(&dir).with_context(|| format!("in template {url} at {rev}"))?;
        Ok((
            Template {
                manifest,
                files,
                origin: Origin::Git {
                    url: url.into(),
                    reference: None,
                    commit: commit.clone(),
                },
            },
            commit,
        ))
    };
    let (mut target, _) = checkout(&target_ref, "target")?;
    if let Origin::Git { reference, .. } = &mut target.origin {
        *reference = (target_ref != "HEAD").then(|| target_ref.clone());
    }
    let recorded = answers.commit.as_deref().or(answers.git_ref.as_deref());
    let (base, no_base) = match recorded {
        Some(rev) => (Some(checkout(rev, "base")?.0), None),
        None => (
            None,
            Some("the answers file records no commit of the kit".to_string()),
        ),
    };
    Ok(Sources {
        base,
        target,
        no_base,
        _scratch: Some(scratch),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_tag_by_semantic_version() {
        let tags = "v1.2.0\nv1.10.0\nv1.9.9\nnot-a-version\n2.0.0-rc.1\n";
        assert_eq!(newest_version_tag(tags).as_deref(), Some("v1.10.0"));
        assert_eq!(
            newest_version_tag("v1.2.0\nv1.10.0\n").as_deref(),
            Some("v1.10.0")
        );
        assert_eq!(newest_version_tag("main\n"), None);
    }
}
