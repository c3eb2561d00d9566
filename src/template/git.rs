//! Git kits: a shallow clone through the shared git runner ([`crate::git`]:
//! never prompting, a bounded stall, git killed on a signal), into a
//! temporary directory that is never left behind (Ctrl-C and SIGTERM
//! included), then loaded as a directory kit.
//!
//! The URL is recorded and shown without its credentials
//! ([`git::strip_userinfo`]); git alone sees them.

use anyhow::{Context, Result};

use super::{load_dir, Origin, Template};
use crate::git::{self, Git};
use crate::interrupt;
use crate::text::escape;

pub use crate::git::is_git_url;

pub fn load(url: &str, git_ref: Option<&str>) -> Result<Template> {
    let recorded = git::strip_userinfo(url).into_owned();
    let shown = escape(&recorded);
    let at = git_ref
        .map(|r| format!(" at {}", escape(r)))
        .unwrap_or_default();
    let clone = Git::new().remote(url)?;
    // First the guard, then the directory: the directory is dropped (removed)
    // before a signal may end the process again.
    let _deferred = interrupt::defer();
    let tmp = tempfile::Builder::new()
        .prefix("flaskgen-template-")
        .tempdir()?;
    let dest = tmp.path().join("kit");
    let mut clone = clone.args(["clone", "--progress", "--depth", "1", "--no-tags"]);
    if let Some(r) = git_ref {
        clone = clone.args(["--branch", r]);
    }
    let what = format!("clone template {recorded}{at}");
    clone
        .arg("--")
        .arg(url)
        .arg(&dest)
        .output(&what)
        .map_err(|e| match e.downcast::<git::NotInstalled>() {
            Ok(_) => anyhow::anyhow!(
                "git is not installed, and the template {shown} is a git repository; install git or pass a local directory"
            ),
            Err(e) => e,
        })?;
    let commit = Git::in_dir(&dest)
        .args(["rev-parse", "HEAD"])
        .output("read the commit of the clone")
        .unwrap_or_default();
    let (manifest, files) = load_dir(&dest).with_context(|| format!("in template {shown}"))?;
    interrupt::check()?;
    Ok(Template {
        manifest,
        files,
        origin: Origin::Git {
            url: recorded,
            reference: git_ref.map(Into::into),
            commit,
        },
    })
}
