//! Public Flask projects' Dockerfiles (tests/fixtures/dockerfiles/<project>/,
//! each with its NOTICE and the files `check` reads), judged by hand in
//! `expected.toml`: `check --json` must report each true finding exactly as
//! often as listed and no finding of an `absent` rule.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::{fixture, flaskgen, stderr};

struct Judged {
    name: String,
    dockerfile: String,
    /// "ID@file:line" → how often it is rightly reported.
    truth: BTreeMap<String, usize>,
    /// "ID@file:line" → how often the code of the time reported it wrongly.
    false_today: BTreeMap<String, usize>,
    absent: Vec<String>,
    /// What `check` reports now, active findings only.
    actual: BTreeMap<String, usize>,
}

fn count(v: &toml::Value) -> usize {
    v.get("count")
        .and_then(|c| c.as_integer())
        .map_or(1, |c| c as usize)
}

/// Copies the fixture (with a `.git/` folder when it is a repository root, as
/// a checkout has) and runs `check` on it.
fn judge(dir: &Path, tmp: &Path) -> Judged {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let text = fs::read_to_string(dir.join("expected.toml"))
        .unwrap_or_else(|e| panic!("{name}/expected.toml: {e}"));
    let doc: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let notice = fs::read_to_string(dir.join("NOTICE")).unwrap();
    assert!(
        notice.contains("https://github.com/")
            && notice.contains(" at commit ")
            && ["MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0"]
                .iter()
                .any(|l| notice.contains(&format!("licence {l}"))),
        "{name}/NOTICE must name the repository, the commit and a permissive licence"
    );
    assert!(dir.join("LICENSE.vendored").is_file(), "{name}");
    let dockerfile = doc["dockerfile"].as_str().unwrap().to_string();
    let table = |key: &str| -> BTreeMap<String, usize> {
        doc.get(key)
            .and_then(|t| t.as_table())
            .map(|t| t.iter().map(|(k, v)| (k.clone(), count(v))).collect())
            .unwrap_or_default()
    };
    let truth = table("true");
    let false_today = table("false");
    let absent: Vec<String> = table("absent").into_keys().collect();

    let root = tmp.join(&name);
    copy_tree(dir, &root);
    if doc["repo_root"].as_bool().unwrap() {
        fs::create_dir_all(root.join(".git")).unwrap();
    }
    let out = flaskgen(&root)
        .args(["check", "--json", "--fail-on", "never", "-f", &dockerfile])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut actual = BTreeMap::new();
    for f in json["findings"].as_array().unwrap() {
        if f["suppressed"].is_null() {
            let key = format!(
                "{}@{}:{}",
                f["id"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"]
            );
            *actual.entry(key).or_insert(0) += 1;
        }
    }
    Judged {
        name,
        dockerfile,
        truth,
        false_today,
        absent,
        actual,
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn corpus() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixture("dockerfiles"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Differences from the judged list, one line each.
fn problems(j: &Judged) -> Vec<String> {
    let mut out = Vec::new();
    for (key, want) in &j.truth {
        let got = j.actual.get(key).copied().unwrap_or(0);
        if got != *want {
            out.push(format!(
                "{}: {key} reported {got}x, judged true {want}x",
                j.name
            ));
        }
    }
    for (key, got) in &j.actual {
        if !j.truth.contains_key(key) {
            out.push(format!("{}: {key} reported {got}x, judged false", j.name));
        }
        let id = key.split('@').next().unwrap();
        if j.absent.iter().any(|a| a == id) {
            out.push(format!("{}: {key}: {id} is judged absent", j.name));
        }
    }
    out
}

/// Every project has its NOTICE, licence, Dockerfile and a well-formed
/// expected.toml; prints the false-finding rate and the misses of the code
/// under test against the judged lists.
#[test]
fn corpus_is_judged_and_the_false_finding_rate_is_measured() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = corpus();
    assert!(dirs.len() >= 10, "{dirs:?}");
    let (mut reported, mut false_found, mut missed) = (0, 0, 0);
    for dir in &dirs {
        let j = judge(dir, tmp.path());
        assert!(dir.join(&j.dockerfile).is_file(), "{}", j.name);
        for key in j.truth.keys().chain(j.false_today.keys()) {
            let id = key.split('@').next().unwrap();
            assert!(
                key.contains('@') && key.contains(':') && id.starts_with("FG"),
                "{}: {key}",
                j.name
            );
        }
        reported += j.actual.values().sum::<usize>();
        for (key, got) in &j.actual {
            let right = j.truth.get(key).copied().unwrap_or(0);
            false_found += got.saturating_sub(right);
        }
        for (key, want) in &j.truth {
            missed += want.saturating_sub(j.actual.get(key).copied().unwrap_or(0));
        }
    }
    eprintln!(
        "corpus of {}: {reported} findings, {false_found} false ({:.1}%), {missed} true findings missed",
        dirs.len(),
        100.0 * false_found as f64 / reported.max(1) as f64
    );
    assert!(reported > 0);
}

/// Every judged expectation holds: each true finding reported exactly as
/// often as judged, no other finding, no finding of an `absent` rule.
#[test]
fn real_dockerfiles_report_exactly_their_judged_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let all: Vec<String> = corpus()
        .iter()
        .flat_map(|d| problems(&judge(d, tmp.path())))
        .collect();
    assert!(all.is_empty(), "{}", all.join("\n"));
}
