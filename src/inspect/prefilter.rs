//! What the search for app code may leave out because it cannot reach the
//! image: what the project root's `.dockerignore` excludes from the build
//! context. A folder is not entered at all when it is excluded and no `!`
//! pattern could bring back anything under it; a file is skipped when it is
//! excluded. With no `.dockerignore`, or one of more than 200 patterns (too
//! costly to match against every path), nothing is left out.

use crate::dockerignore::Patterns;
use crate::files::{Kind, Project};

/// More `.dockerignore` patterns than this and the walk leaves nothing out.
const MAX_PATTERNS: usize = 200;

pub struct BuildContext {
    patterns: Option<Patterns>,
    /// Each `!` pattern's leading folders before its first wildcard
    /// (`!data/keep/*.py` → `data/keep`; `!**/x` → ``).
    reincluded: Vec<String>,
}

impl BuildContext {
    /// The project root's `.dockerignore`, read through the bounded reader.
    pub fn read(project: &Project) -> BuildContext {
        let everything = BuildContext {
            patterns: None,
            reincluded: Vec::new(),
        };
        let Some(text) = project.text(".dockerignore", Kind::Config) else {
            return everything;
        };
        // Each pattern is a regex tested against every path: past this many,
        // leaving nothing out is cheaper than matching.
        let patterns = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
            .count();
        if patterns > MAX_PATTERNS {
            return everything;
        }
        let reincluded = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix('!'))
            .map(|p| {
                let p = p.trim().trim_start_matches("./").trim_start_matches('/');
                let literal = p.split(['*', '?', '[']).next().unwrap_or("");
                // Only whole folder names are certain.
                match literal.rfind('/') {
                    Some(i) if literal.len() < p.len() => literal[..i].to_string(),
                    _ if literal.len() < p.len() => String::new(),
                    _ => literal.trim_end_matches('/').to_string(),
                }
            })
            .collect();
        BuildContext {
            patterns: Some(Patterns::parse(&text)),
            reincluded,
        }
    }

    /// The file `rel` (root-relative, `/`-separated) is outside the context.
    /// Under a folder a `!` pattern names, a file is kept: Docker re-includes
    /// the folder's contents too.
    pub fn skips_file(&self, rel: &str) -> bool {
        self.excluded(rel)
            && !self
                .reincluded
                .iter()
                .any(|r| r.is_empty() || rel.starts_with(&format!("{r}/")))
    }

    /// Nothing under the folder `rel` is in the context.
    pub fn skips_dir(&self, rel: &str) -> bool {
        self.excluded(rel)
            && !self.reincluded.iter().any(|r| {
                r.is_empty()
                    || r == rel
                    || r.starts_with(&format!("{rel}/"))
                    || rel.starts_with(&format!("{r}/"))
            })
    }

    fn excluded(&self, rel: &str) -> bool {
        self.patterns.as_ref().is_some_and(|p| p.excludes(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(text: &str) -> BuildContext {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".dockerignore"), text).unwrap();
        BuildContext::read(&Project::new(dir.path()))
    }

    #[test]
    fn excluded_folders_are_not_entered_unless_a_pattern_brings_something_back() {
        let c = context("data/\nnotebooks\n*.csv\n");
        assert!(c.skips_dir("data") && c.skips_dir("notebooks"));
        assert!(!c.skips_dir("app"));
        // Docker anchors patterns at the root: `*.csv` is not `**/*.csv`.
        assert!(c.skips_file("x.csv") && !c.skips_file("app/x.csv"));

        // An allow-list: everything out, app/ back in.
        let c = context("*\n!app/\n!requirements.txt\n");
        assert!(c.skips_dir("data"));
        assert!(!c.skips_dir("app") && !c.skips_file("app/main.py"));

        // `!data/keep/*.py` may bring files back from data/keep: enter it.
        let c = context("data\n!data/keep/*.py\n");
        assert!(!c.skips_dir("data") && !c.skips_dir("data/keep"));
        assert!(c.skips_file("data/x.py") && !c.skips_file("data/keep/x.py"));
        let c = context("*\n!src\n");
        assert!(!c.skips_file("src/pkg/app.py") && c.skips_dir("docs"));

        // A `!` pattern that starts with a wildcard may match anywhere.
        let c = context("data\n!**/wsgi.py\n");
        assert!(!c.skips_dir("data"));
    }

    #[test]
    fn the_walk_for_app_code_skips_what_dockerignore_excludes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "app/main.py",
            "notebooks/a/run.py",
            "data/keep/wsgi.py",
            "data/x.py",
        ] {
            std::fs::create_dir_all(d.join(f).parent().unwrap()).unwrap();
            std::fs::write(
                d.join(f),
                "from flask import Flask\napp = Flask(__name__)\n",
            )
            .unwrap();
        }
        std::fs::write(
            d.join(".dockerignore"),
            "notebooks/\ndata\n!data/keep/*.py\n",
        )
        .unwrap();
        assert_eq!(
            crate::inspect::python_files(&Project::new(d)),
            ["app/main.py", "data/keep/wsgi.py"]
        );
    }

    #[test]
    fn no_dockerignore_or_a_huge_one_leaves_nothing_out() {
        let dir = tempfile::tempdir().unwrap();
        let c = BuildContext::read(&Project::new(dir.path()));
        assert!(!c.skips_dir("data") && !c.skips_file("x.py"));
        let huge: String = (0..=MAX_PATTERNS).map(|i| format!("data{i}\n")).collect();
        let c = context(&format!("data\n{huge}"));
        assert!(!c.skips_dir("data"));
    }
}
