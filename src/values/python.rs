//! Two facts about Python images, each decided here once: whether an image
//! reference's tag is pinned (`new`'s `--base-image` and `check`'s FG004 both
//! ask [`tag_pin`]), and which Python versions flaskgen supports (`init`'s
//! `--python` and a project's `.python-version` both ask [`python_minor`]).

use super::SUGGESTED_BASE_IMAGES;

/// How an image reference fixes what it pulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin<'a> {
    /// `@sha256:…`: exactly one image, whatever the tag says.
    Digest,
    /// A tag starting with at least `major.minor` (`3.14-slim`, `3.12.4-alpine3.20`).
    Fixed,
    /// No tag, so `latest`.
    NoTag,
    /// The tag `latest`.
    Latest,
    /// Any other tag (`3-slim`, `slim`, `alpine`, `bookworm`): it moves to
    /// every new release.
    Floating(&'a str),
}

impl Pin<'_> {
    /// Whether builds from this reference are reproducible.
    pub fn is_pinned(self) -> bool {
        matches!(self, Pin::Digest | Pin::Fixed)
    }
}

/// The rule for a pinned image: a digest, or a tag that starts with at least
/// `major.minor` in digits. Works on any `FROM` word (a registry port is not
/// taken for a tag), valid reference or not.
pub fn tag_pin(image: &str) -> Pin<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, _)) => (r, true),
        None => (image, false),
    };
    if digest {
        return Pin::Digest;
    }
    let last = rest.rsplit('/').next().unwrap_or(rest);
    match last.split_once(':').map(|(_, t)| t) {
        None => Pin::NoTag,
        Some("latest") => Pin::Latest,
        Some(t) if starts_with_major_minor(t) => Pin::Fixed,
        Some(t) => Pin::Floating(t),
    }
}

fn starts_with_major_minor(tag: &str) -> bool {
    let first = tag.split('-').next().unwrap_or("");
    let mut parts = first.split('.');
    let number =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    number(parts.next()) && number(parts.next())
}

/// The oldest CPython minor version flaskgen writes a base image for (3.8:
/// the oldest with official `python:3.N-slim` images still published).
pub const OLDEST_PYTHON_MINOR: u32 = 8;

/// The newest CPython minor version flaskgen supports: the newest of the
/// suggested base images.
pub fn newest_python_minor() -> u32 {
    SUGGESTED_BASE_IMAGES
        .iter()
        .filter_map(|(img, _)| {
            let tag = img.strip_prefix("python:")?;
            let minor = tag.strip_prefix("3.")?.split(['-', '.']).next()?;
            minor.parse().ok()
        })
        .max()
        .unwrap_or(OLDEST_PYTHON_MINOR)
}

/// The supported versions, as messages state them: `3.8 to 3.15`.
pub fn supported_pythons() -> String {
    format!("3.{OLDEST_PYTHON_MINOR} to 3.{}", newest_python_minor())
}

/// The minor version of a supported CPython version written `3.N` or
/// `3.N.P` (digits, no leading zeros): what `--python` and `.python-version`
/// may say. Anything else (`2.7`, `3.99`, `3.011`, `system`, `pypy3.10`,
/// `3.11:latest`) gets the rule back.
pub fn python_minor(raw: &str) -> Result<u32, String> {
    let canonical = |p: &str| {
        !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) && (p == "0" || !p.starts_with('0'))
    };
    let parts: Vec<&str> = raw.split('.').collect();
    let minor = match parts.as_slice() {
        ["3", minor] | ["3", minor, _] if parts.iter().all(|p| canonical(p)) => minor.parse().ok(),
        _ => None,
    };
    match minor {
        Some(m) if (OLDEST_PYTHON_MINOR..=newest_python_minor()).contains(&m) => Ok(m),
        _ => Err(format!(
            "flaskgen supports CPython {}, written 3.N or 3.N.P",
            supported_pythons()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_tags() {
        for fixed in [
            "python:3.14-slim",
            "python:3.12.4-alpine3.20",
            "localhost:5000/python:3.11",
            "ubuntu:24.04",
        ] {
            assert_eq!(tag_pin(fixed), Pin::Fixed, "{fixed}");
        }
        assert_eq!(tag_pin("python:3-slim"), Pin::Floating("3-slim"));
        assert_eq!(tag_pin("python:slim"), Pin::Floating("slim"));
        assert_eq!(tag_pin("python:alpine"), Pin::Floating("alpine"));
        assert_eq!(tag_pin("python:3"), Pin::Floating("3"));
        assert_eq!(tag_pin("python:latest"), Pin::Latest);
        assert_eq!(tag_pin("python"), Pin::NoTag);
        assert_eq!(tag_pin("localhost:5000/python"), Pin::NoTag);
        assert_eq!(tag_pin("python:3@sha256:00"), Pin::Digest);
        assert!(Pin::Digest.is_pinned() && !Pin::Floating("x").is_pinned());
    }

    #[test]
    fn python_versions() {
        assert_eq!(newest_python_minor(), 15);
        assert_eq!(python_minor("3.12"), Ok(12));
        assert_eq!(python_minor("3.8"), Ok(8));
        assert_eq!(python_minor("3.15"), Ok(15));
        assert_eq!(python_minor("3.11.4"), Ok(11));
        for bad in [
            "3.99",
            "3.011",
            "2.7",
            "3.7",
            "3.16",
            "system",
            "pypy3.10",
            "3.11:latest",
            "3",
            "3.",
            ".12",
            "3.12.",
            "3.12.4.1",
            "3.12.04",
            " 3.12",
            "3.12-dev",
            "",
        ] {
            let e = python_minor(bad).unwrap_err();
            assert!(e.contains("3.8 to 3.15"), "{bad}: {e}");
        }
    }
}
