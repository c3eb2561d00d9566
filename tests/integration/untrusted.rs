//! `init` and `check` on hostile projects: files that are FIFOs, links to
//! devices or out of the project, huge or not UTF-8; file names that carry
//! line breaks; dependency strings that are pip options; environment names
//! no env file can hold. Every run has a time limit, so a hang fails.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::*;

const LIMIT: Duration = Duration::from_secs(20);

/// A project with one Flask app in `app.py`.
fn app() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("app.py"),
        "from flask import Flask\napp = Flask(__name__)\n",
    )
    .unwrap();
    tmp
}

/// Runs flaskgen in `dir` with `args`, failing the test past `LIMIT`
/// (assert_cmd kills it then: no exit code).
fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = flaskgen(dir)
        .args(args)
        .timeout(LIMIT)
        .output()
        .unwrap_or_else(|e| panic!("flaskgen {args:?}: {e}"));
    assert!(
        out.status.code().is_some(),
        "flaskgen {args:?} did not finish within {LIMIT:?}"
    );
    out
}

/// `init --yes --dry-run --json`, which must succeed: its document and stderr.
fn dry_run_json(dir: &Path) -> (Value, String) {
    let out = run(dir, &["init", "--yes", "--dry-run", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (serde_json::from_slice(&out.stdout).unwrap(), stderr(&out))
}

/// `check --json` finding IDs as `ID@file:line`, and stderr.
fn check_ids(dir: &Path) -> (Vec<String>, String) {
    let out = run(dir, &["check", "--json"]);
    (crate::existing::ids(&out), stderr(&out))
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {p:?}"
    );
}

#[cfg(unix)]
#[test]
fn links_to_dev_zero_are_skipped_with_a_warning() {
    let tmp = app();
    let d = tmp.path();
    std::os::unix::fs::symlink("/dev/zero", d.join("pyproject.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("Dockerfile")).unwrap();
    let out = run(d, &["init", "--yes", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: skipped pyproject.toml: a symbolic link to outside the project"),
        "{err}"
    );
    assert!(
        stdout(&out).contains("=== Dockerfile (exists, but is a symbolic link to outside"),
        "{}",
        stdout(&out)
    );
    let (ids, err) = check_ids(d);
    assert!(ids.contains(&"FG017@Dockerfile:0".to_string()), "{ids:?}");
    assert!(!ids.iter().any(|i| i.starts_with("FG016")), "{ids:?}");
    assert_eq!(err.matches("skipped pyproject.toml").count(), 1, "{err}");
}

#[cfg(unix)]
#[test]
fn fifos_are_skipped_without_blocking() {
    for name in [
        ".flaskenv",
        ".env",
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "Dockerfile",
        ".gitignore",
        "pkg/.gitignore",
        "requirements.txt",
        "uv.lock",
        ".python-version",
        "README.md",
        "compose.yaml",
    ] {
        let tmp = app();
        let d = tmp.path();
        fs::create_dir(d.join("pkg")).unwrap();
        if name == "compose.yaml" {
            // check reads a compose file only beside a Dockerfile.
            fs::write(
                d.join("Dockerfile"),
                "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
            )
            .unwrap();
        }
        mkfifo(&d.join(name));
        let out = run(d, &["init", "--yes", "--dry-run"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let (ids, check_err) = check_ids(d);
        let warning = format!("warning: skipped {name}: a FIFO, not a regular file");
        if ["Dockerfile", "compose.yaml"].contains(&name) {
            // Files init would replace: the dry run says what is there.
            let shown = format!("=== {name} (exists, but is a FIFO, not a regular file");
            assert!(stdout(&out).contains(&shown), "{}", stdout(&out));
        } else {
            assert_eq!(
                stderr(&out).matches(&warning).count(),
                1,
                "{name}: {}",
                stderr(&out)
            );
        }
        if name == "Dockerfile" {
            assert!(ids.contains(&"FG017@Dockerfile:0".to_string()), "{ids:?}");
        } else {
            assert_eq!(
                check_err.matches(&warning).count(),
                1,
                "{name}: {check_err}"
            );
        }
    }
}

/// Peak resident memory of the children this test process waited for, in KiB.
#[cfg(target_os = "linux")]
fn children_max_rss_kib() -> i64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) }, 0);
    u.ru_maxrss
}

#[test]
fn a_sparse_100_mb_pyproject_is_skipped_by_its_cap() {
    let tmp = app();
    let d = tmp.path();
    let f = fs::File::create(d.join("pyproject.toml")).unwrap();
    f.set_len(100 << 20).unwrap();
    for args in [&["init", "--yes", "--dry-run"][..], &["check"][..]] {
        let out = run(d, args);
        assert!(
            stderr(&out).contains(
                "warning: skipped pyproject.toml: larger than the 1 MiB limit for TOML files"
            ),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // Reading the file would take at least its 100 MiB.
    #[cfg(target_os = "linux")]
    {
        let kib = children_max_rss_kib();
        assert!(kib < 80 * 1024, "peak RSS {kib} KiB");
    }
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_project_is_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\nrequires-python = \">=3.10,<3.11\"\ndependencies = [\"flask\"]\n",
    )
    .unwrap();
    let tmp = app();
    let d = tmp.path();
    std::os::unix::fs::symlink(
        outside.path().join("pyproject.toml"),
        d.join("pyproject.toml"),
    )
    .unwrap();
    // A link that stays inside is followed.
    fs::write(d.join("real-version"), "3.11\n").unwrap();
    std::os::unix::fs::symlink("real-version", d.join(".python-version")).unwrap();
    let (doc, err) = dry_run_json(d);
    assert_eq!(doc["detection"]["python"]["exact"], "3.11", "{doc:#}");
    assert_eq!(doc["detection"]["deps"]["manager"], "none", "{doc:#}");
    assert!(
        err.contains("skipped pyproject.toml: a symbolic link to outside the project"),
        "{}",
        err
    );
}

#[test]
fn a_dockerfile_that_cannot_be_read_gets_a_finding_that_says_so() {
    type Make = fn(&Path);
    let cases: [(&str, Make); 3] = [
        ("a directory", |d| {
            fs::create_dir(d.join("Dockerfile")).unwrap()
        }),
        ("not UTF-8 text", |d| {
            fs::write(d.join("Dockerfile"), b"FROM python:3.12-slim\n# \xff\xfe\n").unwrap()
        }),
        ("larger than the 1 MiB limit for Dockerfiles", |d| {
            let mut text = String::from("FROM python:3.12-slim\n");
            text.push_str(&"# padding\n".repeat(120_000));
            fs::write(d.join("Dockerfile"), text).unwrap()
        }),
    ];
    for (what, make) in cases {
        let tmp = app();
        make(tmp.path());
        let out = run(tmp.path(), &["check", "--json"]);
        assert_eq!(out.status.code(), Some(1), "{what}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"] == "Dockerfile")
            .unwrap_or_else(|| panic!("{what}: {doc:#}"));
        assert_eq!(f["id"], "FG017", "{what}: {f:#}");
        assert!(f["message"].as_str().unwrap().contains(what), "{f:#}");
    }
}

#[test]
fn dry_run_diff_of_a_long_file_is_linear() {
    let tmp = app();
    let d = tmp.path();
    let long: String = (1..=80_000).map(|i| format!("line {i}\n")).collect();
    fs::write(d.join(".dockerignore"), &long).unwrap();
    let started = Instant::now();
    let out = flaskgen(d)
        .args(["init", "--yes", "--force", "--dry-run"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some(),
        "init --dry-run on an 80,000-line file did not finish within 30 s"
    );
    eprintln!(
        "init --force --dry-run, 80,000-line .dockerignore: {:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("--- a/.dockerignore\n+++ b/.dockerignore\n@@ -1,80000 +1,"),
        "{}",
        &text[..text.len().min(2000)]
    );
    assert_eq!(text.matches("\n-line ").count(), 80_000);
    assert_eq!(fs::read_to_string(d.join(".dockerignore")).unwrap(), long);
}

#[cfg(unix)]
#[test]
fn a_file_name_with_line_breaks_injects_no_lines() {
    let tmp = app();
    let d = tmp.path();
    fs::write(
        d.join("cfg\nADMIN_PASSWORD=hunter2\n#.py"),
        "import os\nfrom pathlib import Path\nimport pkg_resources\nfrom flask import Blueprint\nbp = Blueprint('x', __name__)\nSECRET = os.environ[\"SECRET_KEY\"]\nDATA = Path.home()\n\n@bp.route(\"/healthz\")\ndef h():\n    return 'ok'\n",
    )
    .unwrap();
    let out = run(d, &["init", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |f: &str| fs::read_to_string(d.join(f)).unwrap();
    let (env, md, dockerfile) = (read(".env.example"), read("DOCKER.md"), read("Dockerfile"));
    for (file, text) in [
        (".env.example", &env),
        ("DOCKER.md", &md),
        ("Dockerfile", &dockerfile),
        ("compose.yaml", &read("compose.yaml")),
    ] {
        assert!(
            !text
                .lines()
                .any(|l| l.starts_with("ADMIN_PASSWORD") || l.starts_with("#.py")),
            "{file}:\n{text}"
        );
    }
    // The file is still named, escaped to one line, for each syntax.
    assert!(
        env.contains("\n# cfg\\nADMIN_PASSWORD=hunter2\\n#.py:6\nSECRET_KEY=\n"),
        "{env}"
    );
    assert!(
        md.contains("| health route | `/healthz` | cfg\\\\nADMIN\\_PASSWORD=hunter2\\\\n#.py:9 |"),
        "{md}"
    );
    assert!(
        dockerfile.contains("\n# cfg\\nADMIN_PASSWORD=hunter2\\n#.py:3 imports pkg_resources,"),
        "{dockerfile}"
    );
    // What the app needs is kept, whatever its file is called.
    assert!(
        dockerfile.contains("#   Path.home at cfg\\nADMIN_PASSWORD=hunter2\\n#.py:7\n"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("\nENV HOME=/home/app\n"),
        "{dockerfile}"
    );
}

#[test]
fn dependencies_that_are_not_pep508_are_left_out_and_said() {
    let tmp = app();
    let d = tmp.path();
    fs::write(
        d.join("pyproject.toml"),
        "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\n  \"flask>=3\",\n  \"--extra-index-url=https://evil.example/simple\",\n  \"-e git+https://evil.example/y.git#egg=y\",\n  'gunicorn\"]',\n]\n",
    )
    .unwrap();
    let (doc, err) = dry_run_json(d);
    assert_eq!(
        doc["detection"]["deps"]["specs"],
        serde_json::json!(["flask>=3"])
    );
    assert_eq!(
        doc["chosen"]["gunicorn_added"], true,
        "gunicorn\"] is not gunicorn"
    );
    for (line, spec) in [
        (6, "\"--extra-index-url=https://evil.example/simple\""),
        (7, "\"-e git+https://evil.example/y.git#egg=y\""),
        (8, "\"gunicorn\\\"]\""),
    ] {
        assert!(
            err.contains(&format!(
                "warning: pyproject.toml:{line}: dependency {spec} left out: "
            )),
            "{spec}: {err}"
        );
    }
    let out = run(d, &["init", "--yes", "--dry-run"]);
    let text = stdout(&out);
    let run_line = text
        .lines()
        .find(|l| l.starts_with("RUN [\"pip\""))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        run_line,
        r#"RUN ["pip","install","--no-cache-dir","flask>=3"]"#
    );
    assert!(!text.contains("evil.example"), "{text}");
}

#[test]
fn environment_names_left_out_of_generated_files_are_said() {
    let tmp = app();
    let d = tmp.path();
    fs::write(
        d.join("settings.py"),
        "import os\nA = os.environ[\"GOOD_NAME\"]\nB = os.environ[\"MY-VAR\"]\nC = os.environ[\"BAD\\x1b[31mNAME\"]\n",
    )
    .unwrap();
    let (doc, err) = dry_run_json(d);
    let env: Vec<&str> = doc["detection"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(env, ["GOOD_NAME", "MY-VAR", "BAD\u{1b}[31mNAME"]);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(
        err.contains("warning: environment variable \"MY-VAR\" (read at settings.py:3) is left out of compose.yaml and .env.example"),
        "{err}"
    );
    assert!(
        err.contains("warning: environment variable \"BAD\\x1b[31mNAME\" (read at settings.py:4) is left out"),
        "{err}"
    );
    assert_eq!(
        err.matches("is left out of compose.yaml").count(),
        2,
        "{err}"
    );
}
