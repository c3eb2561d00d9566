//! `flaskgen init` and `flaskgen check` on existing projects: detection per
//! project shape, the files init writes, and the audit's findings.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::*;

/// A fresh copy of a fixture project in a temp dir (init writes into it).
pub fn project(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path().join(name);
    copy_dir(&fixture("projects").join(name), &dst);
    (tmp, dst)
}

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

/// What `init --yes --dry-run --json` reports for a project.
pub fn init_json(dir: &Path) -> Value {
    json_of(
        &flaskgen(dir)
            .args(["init", "--yes", "--dry-run", "--json"])
            .output()
            .unwrap(),
    )
}

/// `init --yes` in a project, which must succeed; its stderr.
fn init_writes(dir: &Path) -> String {
    let out = flaskgen(dir).args(["init", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stderr(&out)
}

/// (fixture, entry, manager, Python constraint, base image, port, health)
type Shape = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    u64,
    &'static str,
);
const SHAPES: &[Shape] = &[
    (
        "pkg-setuppy",
        "notes:create_app()",
        "pip",
        Some(">=3.10"),
        "python:3.14-slim",
        8080,
        "/api/ping",
    ),
    (
        "pkg-setupcfg",
        "board.app:app",
        "package",
        Some(">=3.9"),
        "python:3.14-slim",
        8081,
        "/healthz",
    ),
    // The Flask tutorial (pallets/flask examples/tutorial, BSD-3-Clause):
    // a flit package with a factory, prefixed and unprefixed blueprints.
    (
        "flaskr-package",
        "flaskr:create_app()",
        "package",
        None,
        "python:3.14-slim",
        5000,
        "/",
    ),
    (
        "module-app",
        "app:app",
        "pip",
        None,
        "python:3.14-slim",
        8000,
        "/health",
    ),
    (
        "factory",
        "shop:create_app()",
        "pip",
        None,
        "python:3.14-slim",
        5000,
        "/healthz",
    ),
    (
        "src-layout",
        "blog:app",
        "pyproject",
        Some(">=3.10,<3.13"),
        "python:3.12-slim",
        5000,
        "/ping",
    ),
    (
        "poetry",
        "api:create_app()",
        "poetry",
        Some("^3.11"),
        "python:3.14-slim",
        5000,
        "/",
    ),
    (
        "uv",
        "main:app",
        "uv",
        Some("==3.12"),
        "python:3.12-slim",
        5000,
        "/",
    ),
    (
        "pdm",
        "server:application",
        "pdm",
        Some(">=3.9"),
        "python:3.14-slim",
        5000,
        "/",
    ),
    (
        "pipfile",
        "hello:app",
        "pipenv",
        Some("==3.11"),
        "python:3.11-slim",
        7000,
        "/",
    ),
    (
        "req-includes",
        "wsgi:app",
        "pip",
        None,
        "python:3.14-slim",
        5000,
        "/status",
    ),
    (
        "seed-tutorial",
        "app.app:app",
        "pip",
        None,
        "python:3.14-slim",
        5000,
        "/",
    ),
];

#[test]
fn detection_per_project_shape() {
    for (name, entry, manager, python, base, port, health) in SHAPES {
        let dir = fixture("projects").join(name);
        let out = flaskgen(&dir)
            .args(["init", ".", "--yes", "--dry-run", "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let j = json_of(&out);
        let d = &j["detection"];
        assert_eq!(j["chosen"]["entry"], *entry, "{name} entry");
        assert_eq!(d["deps"]["manager"], *manager, "{name} manager");
        assert_eq!(d["python"]["value"].as_str(), *python, "{name} python");
        assert_eq!(j["chosen"]["base_image"], *base, "{name} base image");
        assert_eq!(j["chosen"]["port"], *port, "{name} port");
        assert_eq!(d["health"]["value"], *health, "{name} health");
        // Every finding says where it came from.
        if let Some(e) = d["entry"].as_object() {
            assert!(e["line"].as_u64().unwrap() >= 1, "{name}: {e:?}");
        }
    }
}

#[test]
fn detection_details_with_file_and_line() {
    let dir = fixture("projects/module-app");
    let j = init_json(&dir);
    let d = &j["detection"];
    assert_eq!(d["entry"]["file"], "app.py");
    assert_eq!(d["entry"]["line"], 5);
    assert_eq!(d["port"]["file"], "app.py");
    assert_eq!(d["port"]["line"], 20);
    assert_eq!(d["env"][0]["value"], "SECRET_KEY");
    assert_eq!(d["env"][0]["line"], 6);

    let j = init_json(&fixture("projects/req-includes"));
    let names: Vec<&str> = j["detection"]["deps"]["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["flask", "gunicorn"],
        "names from requirements.txt and its -r include"
    );
    assert_eq!(
        j["detection"]["deps"]["files"],
        serde_json::json!(["requirements.txt", "requirements/base.txt"])
    );
    // tests/ holds a Flask app too, but tests are not searched.
    assert_eq!(
        j["detection"]["candidates"].as_array().unwrap().len(),
        2,
        "{}",
        j["detection"]["candidates"]
    );

    let j = init_json(&fixture("projects/factory"));
    assert_eq!(j["detection"]["migrations"]["value"], "migrations");
    assert_eq!(j["detection"]["writable"][0]["value"], "instance");
    assert_eq!(j["chosen"]["gunicorn_added"], true);
    assert_eq!(j["chosen"]["migrate"], true);
}

#[test]
fn init_writes_files_that_check_finds_clean_for_every_shape() {
    for (name, ..) in SHAPES {
        let (_tmp, dir) = project(name);
        let before = files(&dir);
        let out = flaskgen(&dir)
            .args(["init", "--yes", "--force"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let after = files(&dir);
        for f in &before {
            assert!(after.contains(f), "{name}: {f} gone");
            if f != "Dockerfile" {
                assert_eq!(
                    fs::read(dir.join(f)).unwrap(),
                    fs::read(fixture("projects").join(name).join(f)).unwrap(),
                    "{name}: init changed the project's own {f}"
                );
            }
        }
        for f in [
            "Dockerfile",
            ".dockerignore",
            "gunicorn.conf.py",
            "compose.yaml",
            "DOCKER.md",
        ] {
            assert!(dir.join(f).is_file(), "{name}: {f}");
        }
        let df = read(dir.join("Dockerfile"));
        assert!(df.contains("USER 10001:10001"), "{name}");
        assert!(df.contains("HEALTHCHECK"), "{name}");
        assert!(df.contains("CMD [\"gunicorn\""), "{name}");
        let check = flaskgen(&dir).args(["check", "."]).output().unwrap();
        assert_eq!(
            check.status.code(),
            Some(0),
            "{name}: check on init's output:\n{}",
            stdout(&check)
        );
    }
}

#[test]
fn init_never_replaces_a_file_without_force() {
    let (_tmp, dir) = project("seed-tutorial");
    let original = read(dir.join("Dockerfile"));
    let out = flaskgen(&dir).args(["init", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Dockerfile already exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(dir.join("Dockerfile")), original);
    assert!(
        !dir.join("compose.yaml").exists(),
        "nothing written when refused"
    );

    // --dry-run: a unified diff against the existing Dockerfile, nothing written.
    let out = flaskgen(&dir)
        .args(["init", "--yes", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("--- a/Dockerfile\n+++ b/Dockerfile\n"),
        "{text}"
    );
    assert!(text.contains("-FROM python:alpine\n"), "{text}");
    assert!(text.contains("=== compose.yaml (new,"), "{text}");
    assert_eq!(read(dir.join("Dockerfile")), original);
    assert!(!dir.join("compose.yaml").exists());

    let out = flaskgen(&dir)
        .args(["init", "--yes", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(read(dir.join("Dockerfile")).contains("app.app:app"));
    // Run again: identical files are left alone, no --force needed.
    let out = flaskgen(&dir).args(["init", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn init_ambiguity_and_missing_app() {
    let dir = fixture("projects/two-apps");
    let out = flaskgen(&dir).args(["init", "--dry-run"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("admin:admin (admin.py:3)")
            && err.contains("web:app (web.py:3)")
            && err.contains("--entry"),
        "{err}"
    );
    let out = flaskgen(&dir)
        .args(["init", "--dry-run", "--json", "--entry", "web:app"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json_of(&out)["chosen"]["entry"], "web:app");

    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("util.py"), "def f():\n    return 1\n").unwrap();
    let out = flaskgen(tmp.path())
        .args(["init", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no Flask app found"),
        "{}",
        stderr(&out)
    );
    assert_eq!(files(tmp.path()), vec!["util.py"]);

    for bad in [
        &["--entry", "not an entry"][..],
        &["-p", "70000"],
        &["--python", "three"],
        &["-b", "python"],
        &["--health", "ping"],
        &["--health", "/a b"],
    ] {
        let out = flaskgen(&dir)
            .args(["init", "--yes", "--dry-run"])
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", stderr(&out));
    }
}

#[test]
fn init_health_flag_is_checked_and_used() {
    let (_t, dir) = project("factory");
    let out = flaskgen(&dir)
        .args(["init", "--yes", "--health", "/x'y"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(
        err.trim_end(),
        "error: invalid --health \"/x'y\": a path that starts with `/`, of letters, digits and `/._-`; for example --health /healthz",
    );
    assert_eq!(files(&dir), files(&fixture("projects/factory")));
    let out = flaskgen(&dir)
        .args([
            "init",
            "--yes",
            "--dry-run",
            "--json",
            "--health",
            "/status/live",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let j = json_of(&out);
    assert_eq!(j["chosen"]["health"], "/status/live");
}

#[test]
fn init_flags_override_detection() {
    let dir = fixture("projects/uv");
    let out = flaskgen(&dir)
        .args([
            "init",
            "--yes",
            "--dry-run",
            "--json",
            "-p",
            "9000",
            "--python",
            "3.13",
            "--image",
            "acme/uv",
        ])
        .output()
        .unwrap();
    let j = json_of(&out);
    assert_eq!(j["chosen"]["port"], 9000);
    assert_eq!(j["chosen"]["base_image"], "python:3.13-slim");
    assert_eq!(j["chosen"]["image"], "acme/uv");
}

#[test]
fn python_constraint_nothing_satisfies_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("app.py"),
        "from flask import Flask\napp = Flask(__name__)\n",
    )
    .unwrap();
    fs::write(tmp.path().join("pyproject.toml"), "[project]\nname = \"x\"\nversion = \"1\"\nrequires-python = \"<3.0\"\ndependencies = [\"flask\"]\n").unwrap();
    let out = flaskgen(tmp.path())
        .args(["init", "--yes", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pyproject.toml:4"),
        "{}",
        stderr(&out)
    );
}

pub fn ids(out: &std::process::Output) -> Vec<String> {
    let j = json_of(out);
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}@{}:{}",
                f["id"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

#[test]
fn check_finds_the_seed_tutorials_known_problems() {
    let dir = fixture("projects/seed-tutorial");
    let out = flaskgen(&dir).args(["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let found = ids(&out);
    for want in [
        "FG001@Dockerfile:10", // python app.py: the development server
        "FG002@app/app.py:12", // app.run(debug=True) is what runs
        "FG003@Dockerfile:1",  // no USER: root
        "FG004@Dockerfile:1",  // python:alpine floats
        "FG005@Dockerfile:10", // no EXPOSE
        "FG009@Dockerfile:4",  // apk add -y
        "FG010@Dockerfile:3",  // apk update
        "FG011@Dockerfile:7",  // pip cache
        "FG015@Dockerfile:1",  // no HEALTHCHECK
    ] {
        assert!(found.iter().any(|f| f == want), "{want} not in {found:?}");
    }
    assert_eq!(found.len(), 9, "{found:?}");
    // --fail-on error still fails (errors present); never passes.
    let out = flaskgen(&dir)
        .args(["check", "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let human = stdout(&out);
    assert!(
        human.contains("Dockerfile\n")
            && human.contains("FG009")
            && human.contains("4 error(s), 5 warning(s)"),
        "{human}"
    );
}

#[test]
fn check_is_clean_on_every_project_new_writes() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, extra) in [
        ("d", &[][..]),
        ("m", &["--minimal"][..]),
        ("a", &["-p", "8080", "-b", "python:3.14-alpine"][..]),
        ("s", &["-p", "80", "-b", "python:3.13-slim"][..]),
    ] {
        let out = flaskgen(tmp.path())
            .args(["new", name, "--yes"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let out = flaskgen(tmp.path())
            .args(["check", name, "--fail-on", "note"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stdout(&out));
        assert!(stdout(&out).contains("no problems found"));
    }
}

#[test]
fn check_rules_on_small_dockerfiles() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("FROM python:3.12-slim\nUSER 10001\nHEALTHCHECK CMD true\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nEXPOSE 5000\nCMD gunicorn -b 0.0.0.0:5000 app:app\n", "flask\ngunicorn\n", &["FG007", "FG008", "FG023"]),
        ("FROM python:3.12-alpine\nRUN apt-get install -y curl\nUSER root\nHEALTHCHECK CMD true\nEXPOSE 8000\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:5000\", \"app:app\"]\n", "flask\n", &["FG003", "FG005", "FG006", "FG009"]),
        ("FROM python\nUSER 1000\nENV FLASK_DEBUG=1\nRUN apt-get update && apt-get install -y gcc\nHEALTHCHECK NONE\nEXPOSE 5000\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\n", "flask\n", &["FG001", "FG002", "FG004", "FG010", "FG015", "FG021"]),
        ("FROM python:3.12-slim@sha256:abc\nUSER 10001\nHEALTHCHECK CMD true\nENV PORT=5000\nEXPOSE 5000\nCMD [\"gunicorn\", \"--bind\", \"0.0.0.0:5000\", \"app:app\"]\n", "flask\ngunicorn\n", &[]),
    ];
    for (dockerfile, reqs, want) in cases {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("Dockerfile"), dockerfile).unwrap();
        fs::write(tmp.path().join("requirements.txt"), reqs).unwrap();
        fs::write(
            tmp.path().join("app.py"),
            "from flask import Flask\napp = Flask(__name__)\n",
        )
        .unwrap();
        let out = flaskgen(tmp.path())
            .args(["check", "--json"])
            .output()
            .unwrap();
        let mut got: Vec<String> = json_of(&out)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        got.sort();
        got.dedup();
        assert_eq!(&got, want, "{dockerfile}");
        assert_eq!(out.status.code(), Some(if want.is_empty() { 0 } else { 1 }));
    }
}

#[test]
fn check_context_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::write(d.join("Dockerfile"), "FROM python:3.12-slim\nUSER 10001\nHEALTHCHECK CMD true\nCMD [\"python\", \"-c\", \"1\"]\n").unwrap();
    fs::write(d.join(".env"), "SECRET=1\n").unwrap();
    fs::create_dir(d.join(".git")).unwrap();
    let out = flaskgen(d).args(["check", "--json"]).output().unwrap();
    let found = ids(&out);
    assert!(
        found.contains(&"FG012@.dockerignore:0".to_string()),
        "{found:?}"
    );
    assert!(found.contains(&"FG014@.env:0".to_string()), "{found:?}");
    fs::write(d.join(".dockerignore"), "*.pyc\n").unwrap();
    let found = ids(&flaskgen(d).args(["check", "--json"]).output().unwrap());
    assert_eq!(
        found.iter().filter(|f| f.starts_with("FG013")).count(),
        2,
        "{found:?}"
    );
    fs::write(d.join(".dockerignore"), ".git\n**/.env\n").unwrap();
    let out = flaskgen(d).args(["check", "--json"]).output().unwrap();
    assert_eq!(ids(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));

    // No Dockerfile at all; bad input exits 2.
    let empty = tempfile::tempdir().unwrap();
    let out = flaskgen(empty.path())
        .args(["check", "--json"])
        .output()
        .unwrap();
    assert_eq!(ids(&out), vec!["FG016@Dockerfile:0"]);
    let out = flaskgen(empty.path())
        .args(["check", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = flaskgen(empty.path())
        .args(["check", "--dockerfile", "../x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_sarif_has_every_rule_and_located_results() {
    let dir = fixture("projects/seed-tutorial");
    let out = flaskgen(&dir)
        .args(["check", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = json_of(&out);
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 23);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 9);
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
    }
}

/// The migrations folder `init --dry-run --json` finds in a project.
fn migrations_found(dir: &Path) -> Value {
    init_json(dir)["detection"]["migrations"].clone()
}

/// What `flask db init` makes: env.py and alembic.ini side by side.
fn flask_migrate_folder(dir: &Path) {
    fs::create_dir_all(dir.join("versions")).unwrap();
    fs::write(dir.join("env.py"), "# alembic env\n").unwrap();
    fs::write(dir.join("alembic.ini"), "[alembic]\n").unwrap();
}

#[test]
fn migrations_inside_a_package_run_from_their_folder_before_gunicorn() {
    // Apps shipped as distributions keep Flask-Migrate's folder inside the
    // package (ihatemoney: ihatemoney/migrations); `flask db upgrade` is told where.
    let tmp = tempfile::tempdir().unwrap();
    let pkg = tmp.path().join("shop");
    fs::create_dir_all(&pkg).unwrap();
    fs::write(
        pkg.join("__init__.py"),
        "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n",
    )
    .unwrap();
    fs::write(
        tmp.path().join("requirements.txt"),
        "flask\nflask-migrate\n",
    )
    .unwrap();
    // A plain Alembic setup (alembic.ini at the root, not Flask-Migrate's) is left alone.
    fs::create_dir_all(tmp.path().join("alembic")).unwrap();
    fs::write(tmp.path().join("alembic/env.py"), "").unwrap();
    fs::write(tmp.path().join("alembic.ini"), "[alembic]\n").unwrap();
    assert_eq!(migrations_found(tmp.path()), Value::Null);
    // A folder that is not a package (sorted first) is not looked into.
    flask_migrate_folder(&tmp.path().join("notes/migrations"));
    assert_eq!(migrations_found(tmp.path()), Value::Null);
    flask_migrate_folder(&pkg.join("migrations"));
    let m = migrations_found(tmp.path());
    assert_eq!(m["value"], "shop/migrations");
    assert_eq!(m["file"], "shop/migrations/env.py");

    init_writes(tmp.path());
    let entry = fs::read_to_string(tmp.path().join("docker-entrypoint.sh")).unwrap();
    assert!(
        entry.contains("flask db upgrade --directory shop/migrations\n"),
        "{entry}"
    );
    let sh = std::process::Command::new("sh")
        .args(["-n", "docker-entrypoint.sh"])
        .current_dir(tmp.path())
        .status()
        .unwrap();
    assert!(sh.success());
}

#[test]
fn migrations_in_a_src_layout_package_and_never_through_a_link() {
    let (_tmp, dir) = project("src-layout");
    flask_migrate_folder(&dir.join("src/blog/migrations"));
    init_writes(&dir);
    let entry = fs::read_to_string(dir.join("docker-entrypoint.sh")).unwrap();
    // Relative to WORKDIR /srv/app, where the entrypoint runs.
    assert!(
        entry.contains("flask db upgrade --directory src/blog/migrations\n"),
        "{entry}"
    );

    // A package that is a symbolic link to elsewhere would reach the image as a
    // dangling link: its migrations are not taken.
    let (_tmp, dir) = project("module-app");
    let outside = tempfile::tempdir().unwrap();
    let linked = outside.path().join("shop");
    fs::create_dir_all(&linked).unwrap();
    fs::write(linked.join("__init__.py"), "").unwrap();
    flask_migrate_folder(&linked.join("migrations"));
    std::os::unix::fs::symlink(&linked, dir.join("shop")).unwrap();
    assert_eq!(migrations_found(&dir), Value::Null);
}

/// `init --yes --dry-run --json` on a directory, after writing `app.py` and
/// `requirements.txt` into it.
fn dry_run_json(dir: &Path, app: &str, requirements: &str) -> Value {
    fs::write(dir.join("app.py"), app).unwrap();
    fs::write(dir.join("requirements.txt"), requirements).unwrap();
    init_json(dir)
}

#[test]
fn pkg_resources_gets_a_setuptools_that_still_has_it() {
    // archivy imports pkg_resources without depending on setuptools: python:3.12+
    // images have none, and setuptools 82 removed pkg_resources.
    let tmp = tempfile::tempdir().unwrap();
    let app = "from flask import Flask\nfrom pkg_resources import require\napp = Flask(__name__)\n";
    let j = dry_run_json(tmp.path(), app, "flask\ngunicorn\n");
    assert_eq!(j["detection"]["pkg_resources"]["line"], 2);
    assert_eq!(j["chosen"]["setuptools_added"], true);
    let said = init_writes(tmp.path());
    assert!(said.contains("app.py:2 imports pkg_resources"), "{said}");
    let dockerfile = fs::read_to_string(tmp.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("RUN pip install --no-cache-dir setuptools==80.10.2\n"),
        "{dockerfile}"
    );

    // A project that depends on setuptools owns its version; `import
    // pkg_resources.extern` counts too, a relative `from .pkg_resources` does not.
    let j = dry_run_json(tmp.path(), app, "flask\ngunicorn\nsetuptools<81\n");
    assert_eq!(j["chosen"]["setuptools_added"], false);
    let relative = "from flask import Flask\nfrom .pkg_resources import x\napp = Flask(__name__)\n";
    let j = dry_run_json(tmp.path(), relative, "flask\ngunicorn\n");
    assert_eq!(j["detection"]["pkg_resources"], Value::Null);
    let dotted =
        "import os\nfrom flask import Flask\nimport pkg_resources.extern\napp = Flask(__name__)\n";
    let j = dry_run_json(tmp.path(), dotted, "flask\ngunicorn\n");
    assert_eq!(j["detection"]["pkg_resources"]["line"], 3);

    // Without gunicorn either: one pinned install for both, each with its reason.
    let fresh = tempfile::tempdir().unwrap();
    dry_run_json(fresh.path(), app, "flask\n");
    init_writes(fresh.path());
    let dockerfile = fs::read_to_string(fresh.path().join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains("# app.py:2 imports pkg_resources")
            && dockerfile.contains("# gunicorn is not among the project's dependencies")
            && dockerfile.contains(
                "\nRUN pip install --no-cache-dir gunicorn==27.0.1 setuptools==80.10.2\n"
            ),
        "{dockerfile}"
    );
    // Only under `if __name__ == "__main__":` it never runs under gunicorn.
    let main_only = "from flask import Flask\napp = Flask(__name__)\nif __name__ == \"__main__\":\n    import pkg_resources\n";
    let j = dry_run_json(fresh.path(), main_only, "flask\n");
    assert_eq!(j["detection"]["pkg_resources"], Value::Null);
    // A fallback import the app survives without (Calibre-Web's dep_check.py)
    // needs nothing; one whose failure is not caught does.
    let fallback = "from flask import Flask\napp = Flask(__name__)\ntry:\n    import importlib.metadata\nexcept ImportError:\n    try:\n        import pkg_resources\n    except (ValueError, ModuleNotFoundError):\n        pass\n";
    let j = dry_run_json(fresh.path(), fallback, "flask\n");
    assert_eq!(j["detection"]["pkg_resources"], Value::Null);
    let uncaught = "from flask import Flask\napp = Flask(__name__)\ntry:\n    import pkg_resources\nexcept ValueError:\n    pass\n";
    let j = dry_run_json(fresh.path(), uncaught, "flask\n");
    assert_eq!(j["detection"]["pkg_resources"]["line"], 4);
}

/// A project folder named like a YAML 1.1 boolean keeps a string key in
/// init's compose.yaml, as do its volume names and mounts.
#[test]
fn init_compose_keys_stay_strings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("on");
    copy_dir(&fixture("projects").join("migrate"), &dir);
    init_writes(&dir);
    let compose = read(dir.join("compose.yaml"));
    for line in [
        "  \"on\":",
        "      - \"instance:/srv/app/instance\"",
        "  \"instance\":",
    ] {
        assert!(
            compose.lines().any(|l| l == line),
            "{line:?} not in compose.yaml:\n{compose}"
        );
    }
}

/// `-r ../common.txt` inside `requirements/prod.txt` is an ordinary nested
/// include: the Dockerfile copies each file to its place, so pip finds it.
#[test]
fn a_nested_include_that_climbs_a_folder_is_ordinary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nest");
    fs::create_dir_all(dir.join("requirements")).unwrap();
    fs::create_dir_all(dir.join("app")).unwrap();
    fs::write(dir.join("common.txt"), "flask\n").unwrap();
    fs::write(
        dir.join("requirements/prod.txt"),
        "-r ../common.txt\ngunicorn\n",
    )
    .unwrap();
    fs::write(dir.join("requirements.txt"), "-r requirements/prod.txt\n").unwrap();
    fs::write(
        dir.join("app/__init__.py"),
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route(\"/\")\ndef index():\n    return \"x\"\n",
    )
    .unwrap();
    init_writes(&dir);
    let dockerfile = read(dir.join("Dockerfile"));
    for line in [
        "COPY requirements.txt ./",
        "COPY requirements/prod.txt ./requirements/",
        "COPY common.txt ./",
    ] {
        assert!(
            dockerfile.lines().any(|l| l == line),
            "{line:?} not in the Dockerfile:\n{dockerfile}"
        );
    }
}

/// `init --verify` with no Docker engine to reach is bad input, said before
/// anything is written.
#[test]
fn verify_without_an_engine_is_exit_2_and_writes_nothing() {
    let (_tmp, dir) = project("factory");
    let before = files(&dir);
    let out = flaskgen(&dir)
        .args(["init", "--yes", "--verify"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--verify needs a reachable Docker engine"),
        "{}",
        stderr(&out)
    );
    assert_eq!(files(&dir), before);
}

/// `check --json` on a project of `files` (path, text): the findings as
/// `ID@file:line`, and the output.
fn check_project(files: &[(&str, &str)]) -> (Vec<String>, std::process::Output) {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = tmp.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    let out = flaskgen(tmp.path())
        .args(["check", "--json"])
        .output()
        .unwrap();
    (ids(&out), out)
}

#[test]
fn check_is_quiet_on_real_world_shapes_it_used_to_flag() {
    // Every false-positive class from the judged run on real Dockerfiles:
    // tool stages (FG004), a builder's pip cache reported per install (FG011),
    // `--no-cache` (FG011), `rm -rf /var/cache/apk/*` (FG010), `EXPOSE ${PORT}`
    // (FG005), a privilege-dropping entrypoint (FG003), compose's healthcheck
    // (FG015), and `build.target` choosing the stage that runs.
    let dockerfile = "\
FROM node:24-bookworm AS assets
RUN npm ci
FROM postgres:13-alpine AS pgtools
FROM python:3.12-slim AS builder
RUN pip install -r requirements.txt && pip install a && pip install b && pip install c
FROM python:3.12-alpine AS base
ENV PORT=8000
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache -r requirements.txt
RUN apk add build-base && rm -rf /var/cache/apk/*
COPY . .
EXPOSE ${PORT}
COPY docker/entrypoint.sh /entrypoint.sh
ENTRYPOINT [\"/entrypoint.sh\"]
CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]
FROM base AS prod
RUN true
FROM base AS debug
ENV FLASK_DEBUG=1
";
    let compose = "services:\n  web:\n    build:\n      context: .\n      target: prod\n    ports:\n      - \"80:8000\"\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n  db:\n    image: postgres:16.1\n";
    let (found, out) = check_project(&[
        ("Dockerfile", dockerfile),
        ("compose.yaml", compose),
        ("requirements.txt", "flask\ngunicorn\n"),
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        (
            "docker/entrypoint.sh",
            "#!/bin/sh\nset -e\nchown -R app /app/data\nexec su-exec app \"$@\"\n",
        ),
    ]);
    assert_eq!(found, Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn check_follows_stage_inheritance_and_python_m() {
    // `FROM base AS dev` inherits CMD and ENV; `python -m shop` runs
    // shop/__main__.py, whose app.run(debug=True) is the development server.
    let dockerfile = "\
FROM python:3.12-slim AS base
WORKDIR /app
ENV FLASK_ENV=development
COPY . .
CMD [\"python\", \"-m\", \"shop\"]
FROM base AS dev
USER 1000
HEALTHCHECK CMD true
EXPOSE 5000
";
    let (found, out) = check_project(&[
        ("Dockerfile", dockerfile),
        (
            "shop/__init__.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
        (
            "shop/__main__.py",
            "from shop import app\n\napp.run(host='0.0.0.0', debug=True)\n",
        ),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        found,
        vec![
            "FG002@Dockerfile:3",
            "FG001@Dockerfile:5",
            "FG002@shop/__main__.py:3"
        ]
    );
}

#[test]
fn check_new_rules_on_one_dockerfile() {
    let dockerfile = "\
FROM python:3.12-slim
ENV SECRET_KEY=\"d41d8cd98f00b204\"
ARG PIP_INDEX_TOKEN
COPY --from=busybox:1.36 / /
ADD requirements.txt /tmp/
RUN apt update && apt install -y --no-install-recommends curl
COPY app.py app/
WORKDIR /srv
USER 10001
HEALTHCHECK CMD true
CMD [\"python\", \"-c\", \"1\"]
";
    let (found, out) = check_project(&[("Dockerfile", dockerfile), ("app.py", "x = 1\n")]);
    assert_eq!(
        found,
        vec![
            "FG018@Dockerfile:2",
            "FG020@Dockerfile:4",
            "FG019@Dockerfile:5",
            "FG021@Dockerfile:6",
            "FG022@Dockerfile:6",
            "FG023@Dockerfile:7"
        ]
    );
    // The secret's value never reaches the output.
    assert!(!stdout(&out).contains("d41d8cd98f00b204"));
    assert_eq!(out.status.code(), Some(1));
}

/// Writes `dir` as `flaskgen init` with the init template at `version`
/// would: the values are those today's init records (same detection), the
/// files that release's rendering of them, its answers file included.
fn init_from_release(dir: &Path, version: &str) {
    use flaskgen::values::{Source, Values};
    flaskgen(dir.parent().unwrap())
        .args(["init", "--yes"])
        .arg(dir)
        .assert()
        .success();
    let answers = flaskgen::inputs::answers::read(&dir.join(".flaskgen.toml")).unwrap();
    let template = flaskgen::update::releases::INIT.at(version).unwrap();
    let mut values = Values::default();
    for (var, raw) in &answers.values {
        let v = template
            .manifest
            .variable(var)
            .unwrap()
            .parse(raw, "")
            .unwrap();
        values.set(var, v, Source::Answers(answers.path.clone()));
    }
    for f in files(dir) {
        if !files(&fixture("projects/factory")).contains(&f) {
            fs::remove_file(dir.join(f)).unwrap();
        }
    }
    let plan = flaskgen::render::render(&template, &values).unwrap();
    for f in &plan.files {
        fs::write(dir.join(&f.path), &f.contents).unwrap();
    }
    assert!(read(dir.join(".flaskgen.toml")).contains(&format!("version = \"{version}\"")));
}

/// A project adopted with `init` can be updated: made by the frozen init
/// template 1.0.0 and edited, `flaskgen update` brings the current init
/// template's changes (a `.dockerignore` line, a DOCKER.md section) and
/// keeps the edit.
#[test]
fn init_answers_let_update_carry_a_later_init_template_and_keep_edits() {
    let (_t, dir) = project("factory");
    init_from_release(&dir, "1.0.0");
    // The facts as init wrote them with 1.0.0, before the later fields
    // (Procfile options, an installable package) existed.
    let answers = read(dir.join(".flaskgen.toml"));
    let older = answers
        .replace("\"gunicorn_options\":[],", "")
        .replace("\"package\":null,", "");
    assert_ne!(answers, older);
    fs::write(dir.join(".flaskgen.toml"), older).unwrap();
    assert!(!read(dir.join(".dockerignore")).contains(".flaskgen.toml"));
    assert!(!read(dir.join("DOCKER.md")).contains("## Update"));
    let conf = read(dir.join("gunicorn.conf.py"));
    let edited = conf.replace("\"WEB_CONCURRENCY\", \"2\"", "\"WEB_CONCURRENCY\", \"4\"");
    assert_ne!(conf, edited);
    fs::write(dir.join("gunicorn.conf.py"), &edited).unwrap();

    let out = flaskgen(dir.parent().unwrap())
        .arg("update")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let current = flaskgen::update::releases::INIT
        .versions()
        .last()
        .unwrap()
        .to_string();
    assert!(
        stderr(&out).contains(&format!("flaskgen-init 1.0.0 to {current}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        read(dir.join("gunicorn.conf.py")),
        edited,
        "the edit is kept"
    );
    assert!(read(dir.join(".dockerignore")).contains("\n.flaskgen.toml\n"));
    assert!(read(dir.join("DOCKER.md")).contains("## Update"));
    assert!(read(dir.join(".flaskgen.toml")).contains(&format!("version = \"{current}\"")));
    // Every other file is what init writes today.
    let (_f, fresh) = project("factory");
    flaskgen(fresh.parent().unwrap())
        .args(["init", "--yes"])
        .arg(&fresh)
        .assert()
        .success();
    for f in ["Dockerfile", "compose.yaml", "DOCKER.md", ".dockerignore"] {
        assert_eq!(read(dir.join(f)), read(fresh.join(f)), "{f}");
    }
    // Up to date now.
    flaskgen(dir.parent().unwrap())
        .args(["update", "--check"])
        .arg(&dir)
        .assert()
        .success();
}

/// init reads FLASKGEN_PORT, FLASKGEN_BASE_IMAGE and the config file as
/// `new` does. What the project's own files say outranks the config (one
/// user's defaults for every project), not the environment or a flag.
#[test]
fn init_honours_environment_and_config_below_flags() {
    let chosen =
        |fixture_name: &str, env: &[(&str, &str)], config: Option<&str>, flags: &[&str]| {
            let dir = fixture(&format!("projects/{fixture_name}"));
            let tmp = tempfile::tempdir().unwrap();
            let mut cmd = flaskgen(tmp.path());
            cmd.args(["init", "--yes", "--dry-run", "--json"])
                .arg(&dir)
                .args(flags);
            for (k, v) in env {
                cmd.env(k, v);
            }
            if let Some(c) = config {
                let path = tmp.path().join("config.toml");
                fs::write(&path, c).unwrap();
                cmd.env("FLASKGEN_CONFIG", &path);
            }
            let out = cmd.output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let j = json_of(&out);
            (
                j["chosen"]["port"].clone(),
                j["chosen"]["base_image"].clone(),
            )
        };
    // factory: no port and no Python constraint found.
    let env = [
        ("FLASKGEN_PORT", "8080"),
        ("FLASKGEN_BASE_IMAGE", "python:3.13-alpine"),
    ];
    assert_eq!(
        chosen("factory", &env, None, &[]),
        (8080.into(), "python:3.13-alpine".into())
    );
    let config = "[defaults]\nport = 7001\nbase_image = \"python:3.13-slim\"\n";
    assert_eq!(
        chosen("factory", &[], Some(config), &[]),
        (7001.into(), "python:3.13-slim".into())
    );
    // pipfile: port 7000 at .flaskenv:2, Python ==3.11 at Pipfile:10.
    assert_eq!(
        chosen("pipfile", &[], Some(config), &[]),
        (7000.into(), "python:3.11-slim".into())
    );
    assert_eq!(
        chosen("pipfile", &env, Some(config), &[]),
        (8080.into(), "python:3.13-alpine".into())
    );
    assert_eq!(
        chosen(
            "pipfile",
            &env,
            Some(config),
            &["-p", "9000", "--base-image", "python:3.12-slim"]
        ),
        (9000.into(), "python:3.12-slim".into())
    );
    // --no-config leaves the config file out.
    assert_eq!(
        chosen("factory", &[], Some(config), &["--no-config"]),
        (5000.into(), "python:3.14-slim".into())
    );
    // A bad value from the environment is bad input, named: exit 2.
    let dir = fixture("projects/factory");
    let out = flaskgen(&dir)
        .args(["init", "--yes", "--dry-run"])
        .env("FLASKGEN_PORT", "70000")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("FLASKGEN_PORT"), "{}", stderr(&out));
}

/// `-v` shows each value once, as init writes it: the health route and the
/// migration found in the project, not the template's defaults they replace.
#[test]
fn verbose_values_are_the_ones_init_writes() {
    let (_t, dir) = project("factory");
    let out = flaskgen(dir.parent().unwrap())
        .args(["init", "--yes", "--dry-run", "-v"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("health = /healthz (from found at shop/__init__.py:12)"),
        "{err}"
    );
    assert!(err.contains("migrate = true (from found at"), "{err}");
    for stale in ["health = / (from", "migrate = false", "facts = "] {
        assert!(!err.contains(stale), "{stale} in {err}");
    }
    assert_eq!(err.matches("\nhealth = ").count(), 1, "{err}");
}
