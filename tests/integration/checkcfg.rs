//! `check`'s suppression and configuration: Dockerfile comments,
//! pyproject.toml's `[tool.flaskgen.check]`, `--ignore`/`--select`; a
//! suppressed finding stays in JSON and SARIF and never fails the run.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::{flaskgen, stderr, stdout};

/// A project whose Dockerfile has two findings: FG011 (pip cache, line 5)
/// and FG015 (no HEALTHCHECK, line 1). `comment` goes on line 4.
fn project(comment: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::write(
        d.join("app.py"),
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get(\"/healthz\")\ndef health():\n    return \"ok\"\n",
    )
    .unwrap();
    fs::write(
        d.join("requirements.txt"),
        "flask==3.1.3\ngunicorn==23.0.0\n",
    )
    .unwrap();
    fs::write(d.join(".dockerignore"), ".git\n.env\n").unwrap();
    fs::write(
        d.join("Dockerfile"),
        format!("FROM python:3.13-slim\nWORKDIR /app\nCOPY requirements.txt .\n{comment}\nRUN pip install -r requirements.txt\nCOPY . .\nUSER 10001:10001\nEXPOSE 5000\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:5000\", \"app:app\"]\n"),
    )
    .unwrap();
    tmp
}

fn json(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = flaskgen(dir)
        .args(["check", "--json"])
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    (out.status.code(), doc)
}

/// `ID:kind` for each finding (`-` when active), in output order.
fn states(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let kind = f["suppressed"]["kind"].as_str().unwrap_or("-");
            format!("{}:{kind}", f["id"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn a_comment_above_the_instruction_suppresses_its_finding_and_keeps_it() {
    let tmp = project("# flaskgen: ignore=FG011,FG004 cache is small here");
    let (code, doc) = json(tmp.path(), &["--fail-on", "warning"]);
    assert_eq!(states(&doc), ["FG015:-", "FG011:inSource"]);
    assert_eq!(
        doc["findings"][1]["suppressed"]["justification"],
        "comment at Dockerfile:4: cache is small here"
    );
    assert_eq!(doc["summary"]["suppressed"], 1);
    assert_eq!(doc["summary"]["warning"], 1);
    assert_eq!(code, Some(1), "FG015 is still active");

    // Only the suppressed one left: the run passes.
    let (code, doc) = json(tmp.path(), &["--ignore", "FG015"]);
    assert_eq!(states(&doc), ["FG015:external", "FG011:inSource"]);
    assert_eq!(doc["passed"], true);
    assert_eq!(code, Some(0));

    let out = flaskgen(tmp.path())
        .args(["check", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results[0].get("suppressions").is_none());
    assert_eq!(results[1]["suppressions"][0]["kind"], "inSource");

    let out = flaskgen(tmp.path()).args(["check"]).output().unwrap();
    let human = stdout(&out);
    assert!(
        human.contains("0 error(s), 1 warning(s), 0 note(s), 1 suppressed"),
        "{human}"
    );
    assert!(!human.contains("FG011"), "{human}");
}

#[test]
fn a_comment_elsewhere_suppresses_nothing() {
    // The comment is separated from the RUN by a blank line.
    let tmp = project("# flaskgen: ignore=FG011\n");
    let (code, doc) = json(tmp.path(), &[]);
    assert_eq!(states(&doc), ["FG015:-", "FG011:-"]);
    assert_eq!(code, Some(1));
}

#[test]
fn pyproject_sets_ignore_fail_on_and_per_file_ignores_and_flags_override_it() {
    let tmp = project("");
    let d = tmp.path();
    fs::write(
        d.join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.flaskgen.check]\nignore = [\"FG015\"]\nfail-on = \"error\"\nper-file-ignores = { \"Dockerfile\" = [\"FG011\"] }\n",
    )
    .unwrap();
    let (code, doc) = json(d, &[]);
    assert_eq!(states(&doc), ["FG015:external", "FG011:external"]);
    assert_eq!(
        doc["findings"][1]["suppressed"]["justification"],
        "pyproject.toml [tool.flaskgen.check] per-file-ignores \"Dockerfile\""
    );
    assert_eq!(code, Some(0));

    // --ignore replaces the config's list; --fail-on replaces its fail-on.
    let (code, doc) = json(d, &["--ignore", "FG004"]);
    assert_eq!(states(&doc), ["FG015:-", "FG011:external"]);
    assert_eq!(code, Some(0), "fail-on = error from pyproject.toml");
    let (code, _) = json(d, &["--ignore", "FG004", "--fail-on", "warning"]);
    assert_eq!(code, Some(1));

    // --select: the other rules' findings are suppressed, not lost.
    let (code, doc) = json(d, &["--select", "fg011", "--fail-on", "warning"]);
    assert_eq!(states(&doc), ["FG015:external", "FG011:external"]);
    assert_eq!(code, Some(0));
}

#[test]
fn bad_ids_and_keys_are_exit_2_with_an_example_and_no_output() {
    let tmp = project("");
    let d = tmp.path();
    for (args, needle) in [
        (
            vec!["--ignore", "FG011,FG999"],
            "--ignore \"FG999\": not a rule ID",
        ),
        (
            vec!["--select", "DL3008"],
            "--select \"DL3008\": not a rule ID",
        ),
    ] {
        let out = flaskgen(d).arg("check").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(needle) && err.contains("for example"), "{err}");
        assert!(out.stdout.is_empty());
    }
    fs::write(
        d.join("pyproject.toml"),
        "[tool.flaskgen.check]\nignore = [\"FG015\"]\nfail_on = \"error\"\n",
    )
    .unwrap();
    let out = flaskgen(d).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unknown key \"fail_on\"") && err.contains("for example"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unknown_id_in_a_comment_is_a_warning() {
    let tmp = project("# flaskgen: ignore=FG999");
    let out = flaskgen(tmp.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("Dockerfile:4: `# flaskgen:` names \"FG999\""),
        "{err}"
    );
}
