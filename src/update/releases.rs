//! Every released version of the built-in templates, kept so that a project
//! made by any flaskgen can be updated: the base of its update is the
//! template it was made from. `templates/releases/VERSION/` is a frozen copy
//! of `templates/default` as released, `templates/init-releases/VERSION/` of
//! `templates/init` (the template of `flaskgen init`); a new release adds its
//! directory and never changes an old one.

use anyhow::{anyhow, Result};
use include_dir::{include_dir, Dir};

use crate::template::Template;

static RELEASES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/releases");
static INIT_RELEASES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/init-releases");

/// A template built into the binary: the current version and every release.
pub struct Builtin {
    /// The manifest name an answers file records.
    pub name: &'static str,
    current: fn() -> Result<Template>,
    releases: &'static Dir<'static>,
    /// Where its sources live, for the message that asks for a new version.
    pub source_dir: &'static str,
}

/// The template of `flaskgen new` (`templates/default`, `templates/releases`).
pub static DEFAULT: Builtin = Builtin {
    name: "flaskgen-default",
    current: Template::builtin,
    releases: &RELEASES,
    source_dir: "templates/default",
};

/// The template of `flaskgen init` (`templates/init`, `templates/init-releases`).
pub static INIT: Builtin = Builtin {
    name: "flaskgen-init",
    current: Template::builtin_init,
    releases: &INIT_RELEASES,
    source_dir: "templates/init",
};

/// The built-in template an answers file names: `flaskgen-init`, else the
/// default one (an answers file from before names were recorded, too).
pub fn builtin_named(name: Option<&str>) -> &'static Builtin {
    match name {
        Some(n) if n == INIT.name => &INIT,
        _ => &DEFAULT,
    }
}

/// The released versions of the default template, oldest first.
pub fn versions() -> Vec<semver::Version> {
    DEFAULT.versions()
}

/// The default template at `version` (see [`Builtin::at`]).
pub fn builtin_at(version: &str) -> Result<Template> {
    DEFAULT.at(version)
}

impl Builtin {
    /// The template as this binary has it now.
    pub fn current(&self) -> Result<Template> {
        (self.current)()
    }

    /// The released versions, oldest first.
    pub fn versions(&self) -> Vec<semver::Version> {
        let mut v: Vec<semver::Version> = self
            .releases
            .dirs()
            .filter_map(|d| d.path().file_name()?.to_str()?.parse().ok())
            .collect();
        v.sort();
        v
    }

    /// The template at `version`: a frozen release, or the current one when
    /// it has that version and was not frozen yet.
    pub fn at(&self, version: &str) -> Result<Template> {
        if let Some(dir) = self.releases.get_dir(version) {
            return Template::embedded(dir);
        }
        let current = self.current()?;
        if current.manifest.meta.version == version {
            return Ok(current);
        }
        let mut known: Vec<String> = self.versions().iter().map(|v| v.to_string()).collect();
        if !known.contains(&current.manifest.meta.version) {
            known.push(current.manifest.meta.version.clone());
        }
        Err(anyhow!(
            "the project was made from built-in template {} version {}, which this flaskgen does not have (it has {}); use the flaskgen that made it, or a newer one",
            self.name,
            crate::text::escape(version),
            and_list(&known)
        ))
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render;

    /// Every release of each built-in template renders, and is the version
    /// (and template) its directory says.
    #[test]
    fn every_release_renders() {
        for kit in [&DEFAULT, &INIT] {
            let versions = kit.versions();
            assert!(versions.iter().any(|v| v.to_string() == "1.0.0"));
            for v in versions {
                let t = kit.at(&v.to_string()).unwrap();
                assert_eq!(t.manifest.meta.version, v.to_string());
                assert_eq!(t.manifest.meta.name, kit.name);
                let plan = render::render(&t, &t.example_values()).unwrap();
                assert!(plan.files.iter().any(|f| f.path == "Dockerfile"), "{v}");
            }
            assert_eq!(kit.current().unwrap().manifest.meta.name, kit.name);
        }
    }

    /// A released version is never changed: when the current template has
    /// the version of a release, it is byte for byte that release. (Change
    /// templates/default, raise its version.)
    #[test]
    fn the_current_template_is_a_new_version_or_the_release_itself() {
        for kit in [&DEFAULT, &INIT] {
            the_current_is_new_or_released(kit);
        }
    }

    fn the_current_is_new_or_released(kit: &Builtin) {
        let current = kit.current().unwrap();
        let newest = kit.versions().pop().unwrap();
        let version: semver::Version = current.manifest.meta.version.parse().unwrap();
        assert!(
            version >= newest,
            "the current template is older than a release"
        );
        if let Some(dir) = kit.releases.get_dir(current.manifest.meta.version.as_str()) {
            let frozen = Template::embedded(dir).unwrap();
            let files = |t: &Template| {
                t.files
                    .iter()
                    .map(|f| (f.path.clone(), f.contents.to_vec()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                files(&frozen),
                files(&current),
                "{} changed but kept the version of a release; raise its version in flaskgen.toml",
                kit.source_dir
            );
        }
    }

    #[test]
    fn an_unknown_version_is_named() {
        let err = builtin_at("0.0.1").unwrap_err().to_string();
        assert!(err.contains("0.0.1") && err.contains("1.0.0"), "{err}");
        // Each version once, even when the current template is a release.
        let listed = err.split("it has ").nth(1).unwrap();
        let listed = listed.split(')').next().unwrap();
        let names: Vec<&str> = listed
            .split([',', ' '])
            .filter(|w| !w.is_empty() && *w != "and")
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "{err}");
    }
}
