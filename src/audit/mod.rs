//! `flaskgen check`: audits a Flask project's container setup (Dockerfile,
//! .dockerignore, compose file, gunicorn config). [`context`] reads the
//! project once; each rule in [`rules`] (one file per rule) looks at that
//! [`context::Context`] and returns its findings; [`suppress`] then marks
//! the findings that comments, `[tool.flaskgen.check]` ([`config`]) or
//! `--ignore`/`--select` silence (kept, never dropped).

pub mod compose;
pub mod config;
pub mod context;
pub mod dockerfile;
pub mod output;
pub mod rules;
pub mod suppress;
pub mod yaml;

use std::path::Path;

use serde::Serialize;

use crate::files::Project;
use crate::inspect::{self, Detection};
use rules::{Rule, Severity};
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Relative to the project root, `/`-separated.
    pub file: String,
    pub line: usize,
    pub message: String,
    pub why: &'static str,
    pub fix: &'static str,
}

impl Finding {
    fn new(rule: &'static Rule, file: &str, line: usize, message: String) -> Finding {
        Finding {
            id: rule.id,
            name: rule.name,
            severity: rule.severity,
            file: file.to_string(),
            line,
            message,
            why: rule.why,
            fix: rule.fix,
        }
    }
}

/// Programs that serve WSGI apps, with the distributions that install them.
pub const SERVERS: &[(&str, &[&str])] = &[
    ("gunicorn", &["gunicorn"]),
    ("uwsgi", &["uwsgi", "pyuwsgi"]),
    ("waitress-serve", &["waitress"]),
    ("hypercorn", &["hypercorn"]),
    ("uvicorn", &["uvicorn"]),
];

/// Audits the project at `root`. `dockerfile` is relative to it.
/// Every file is read through one [`Project`] reader; the detection's
/// `warnings` include what the audit itself skipped.
pub fn check(root: &Path, dockerfile_rel: &str) -> anyhow::Result<(Detection, Vec<Finding>)> {
    let project = Project::new(root);
    let mut det = inspect::detect_in(&project)?;
    let mut out = {
        let ctx = context::Context::new(&project, &det, dockerfile_rel);
        rules::run(&ctx)
    };
    det.warnings = project.warnings();
    out.sort_by(|a, b| (a.file.as_str(), a.line, a.id).cmp(&(b.file.as_str(), b.line, b.id)));
    Ok((det, out))
}

/// True when no finding is at or above `threshold`.
pub fn passes(findings: &[Finding], threshold: Option<Severity>) -> bool {
    match threshold {
        None => true,
        Some(t) => findings.iter().all(|f| f.severity < t),
    }
}

/// Test support for the rule files: a project made of `files`, its context,
/// and what one rule finds there.
#[cfg(test)]
pub(crate) mod testing {
    use super::context::Context;
    use super::Finding;
    use crate::files::Project;

    pub type Check = fn(&Context) -> Vec<Finding>;

    /// What `rule` finds in a project of `files` (path, text); `Dockerfile` is the one audited.
    pub fn findings(rule: Check, files: &[(&str, &str)]) -> Vec<Finding> {
        let tmp = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = tmp.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let project = Project::new(tmp.path());
        let det = crate::inspect::detect_in(&project).unwrap();
        let ctx = Context::new(&project, &det, "Dockerfile");
        rule(&ctx)
    }

    /// The rule finds something in a project with this Dockerfile (and a Flask app.py).
    pub fn catches(rule: Check, dockerfile: &str) -> Vec<Finding> {
        let f = findings(rule, &[("Dockerfile", dockerfile), ("app.py", APP)]);
        assert!(!f.is_empty(), "nothing found in:\n{dockerfile}");
        f
    }

    /// The rule finds nothing in a project with this Dockerfile (and a Flask app.py).
    pub fn catches_not(rule: Check, dockerfile: &str) {
        let f = findings(rule, &[("Dockerfile", dockerfile), ("app.py", APP)]);
        assert!(f.is_empty(), "{f:#?} in:\n{dockerfile}");
    }

    pub const APP: &str = "from flask import Flask\napp = Flask(__name__)\n";
}
