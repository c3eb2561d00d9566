//! The two templates of an update: the one the project was made from (the
//! base) and the one to update to (the target).
//!
//! - built-in (`flaskgen new`'s or `flaskgen init`'s, by the name the
//!   answers file records): the base is the release the answers file names
//!   (`releases`), the target the template in this binary;
//! - git kit: one clone with its tags (through [`crate::git`]: stall limit,
//!   killed on a signal, the temporary clone removed once the files are
//!   read); the base is the recorded commit, the target `--to REF`, else the
//!   newest tag by semantic-version order (`v1.2.0` or `1.2.0`), else the
//!   default branch. The recorded URL has no credentials: git's credential
//!   helpers supply them, or `--template-url` / `FLASKGEN_TEMPLATE_URL`
//!   gives the URL again with them;
//! - directory kit: the target is the directory as it is now; it is also the
//!   base while its manifest version is the recorded one, and there is no
//!   base once it has changed version (every file the project changed is
//!   then a conflict).

use anyhow::{Context, Result};

use crate::error::input_error;
use crate::git::{self, is_git_url, Git};
use crate::inputs::answers::Answers;
use crate::interrupt;
use crate::template::{self, Origin, Template};
use crate::text::{escape, quote};
use crate::update::releases;

pub struct Sources {
    pub base: Option<Template>,
    pub target: Template,
    /// Why there is no base, when there is none.
    pub no_base: Option<String>,
}

/// The environment variable that gives a git kit's URL again, credentials
/// and all (as `--template-url` does).
pub const URL_VAR: &str = "FLASKGEN_TEMPLATE_URL";

/// The two templates for the project `answers` describes. `url`
/// (`--template-url`, [`URL_VAR`]) gives a git kit's URL again, with the
/// credentials that were not recorded; it must name the recorded repository.
pub fn load(answers: &Answers, to: Option<&str>, url: Option<&str>) -> Result<Sources> {
    let url = url.filter(|u| !u.is_empty());
    if let Some(given) = url {
        let recorded = answers.source.as_deref().unwrap_or(Origin::BUILTIN);
        let shown_given = quote(&git::strip_userinfo(given));
        if !is_git_url(recorded) {
            return Err(input_error(format!(
                "--template-url (or {URL_VAR}) {shown_given}: the project's template is {}, not a git kit; --template-url gives a git kit's URL again with its credentials, for example `--template-url https://user:TOKEN@git.example.com/acme/kit.git`",
                quote(recorded)
            )));
        }
        if !git::same_repository(given, recorded) {
            return Err(input_error(format!(
                "--template-url (or {URL_VAR}) {shown_given} is not the project's template {}: it must name the same repository (credentials aside), for example `--template-url {}`",
                quote(&git::strip_userinfo(recorded)),
                escape(&git::strip_userinfo(recorded)),
            )));
        }
    }
    match answers.source.as_deref() {
        None => {
            if let Some(r) = to {
                return Err(input_error(format!(
                    "--to {r:?}: the project uses the built-in template, which updates to the one in this flaskgen; --to is for git kits"
                )));
            }
            let kit = releases::builtin_named(answers.name.as_deref());
            let target = kit.current()?;
            let (base, no_base) = match answers.version.as_deref() {
                Some(v) => (Some(kit.at(v)?), None),
                None => (
                    None,
                    Some("the answers file records no template version".to_string()),
                ),
            };
            Ok(Sources {
                base,
                target,
                no_base,
            })
        }
        Some(recorded) if is_git_url(recorded) => load_git(recorded, url, answers, to),
        Some(dir) => {
            if let Some(r) = to {
                return Err(input_error(format!(
                    "--to {r:?}: the project's template is the directory {}, which has no versions to choose from; --to is for git kits",
                    escape(dir)
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
                        "the kit directory {} is at version {} now and its version {} is gone",
                        escape(dir),
                        escape(&target.manifest.meta.version),
                        escape(answers.version.as_deref().unwrap_or("(unrecorded)"))
                    )),
                )
            };
            Ok(Sources {
                base,
                target,
                no_base,
            })
        }
    }
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

fn load_git(
    recorded: &str,
    given: Option<&str>,
    answers: &Answers,
    to: Option<&str>,
) -> Result<Sources> {
    // The URL git gets: the one given again (credentials and all), else the
    // recorded one (with the credentials an older answers file kept).
    // Messages and the answers file get it without credentials.
    let url = given
        .or(answers.source_with_credentials.as_deref())
        .unwrap_or(recorded);
    let shown = escape(&git::strip_userinfo(recorded));
    let fetch = Git::new().remote(url)?;
    // First the guard, then the directory: the directory is dropped (removed)
    // before a signal may end the process again.
    let _deferred = interrupt::defer();
    let scratch = tempfile::Builder::new()
        .prefix("flaskgen-update-")
        .tempdir()?;
    let repo = scratch.path().join("repo");
    fetch
        .args(["clone", "--progress", "--no-checkout", "--"])
        .arg(url)
        .arg(&repo)
        .output(&format!("clone template {shown}"))?;

    let target_ref = match to {
        Some(r) => r.to_string(),
        None => newest_version_tag(
            &Git::in_dir(&repo)
                .args(["tag", "--list"])
                .output("list the kit's tags")?,
        )
        .unwrap_or_else(|| "HEAD".into()),
    };
    let checkout = |rev: &str, name: &str| -> Result<(Template, String)> {
        let commit = Git::in_dir(&repo)
            .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
            .arg(format!("{rev}^{{commit}}"))
            .output(&format!("find {rev} in template {shown}"))
            .map_err(|e| {
                if e.is::<interrupt::Interrupted>() {
                    return e;
                }
                input_error(format!(
                    "{} is not a branch, tag or commit of template {shown}; for example `--to v1.2.0`",
                    quote(rev)
                ))
            })?;
        let dir = scratch.path().join(name);
        Git::in_dir(&repo)
            .args(["worktree", "add", "--quiet", "--detach"])
            .arg(&dir)
            .arg(&commit)
            .output(&format!("check out {} of template {shown}", escape(rev)))?;
        let (manifest, files) = template::load_dir(&dir)
            .with_context(|| format!("in template {shown} at {}", escape(rev)))?;
        Ok((
            Template {
                manifest,
                files,
                origin: Origin::Git {
                    url: git::strip_userinfo(recorded).into_owned(),
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
    let recorded_rev = answers.commit.as_deref().or(answers.git_ref.as_deref());
    let (base, no_base) = match recorded_rev {
        Some(rev) => (Some(checkout(rev, "base")?.0), None),
        None => (
            None,
            Some("the answers file records no commit of the kit".to_string()),
        ),
    };
    // Every file is in memory now: the clone goes (and a signal that came
    // meanwhile ends the run here).
    drop(scratch);
    interrupt::check()?;
    Ok(Sources {
        base,
        target,
        no_base,
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
