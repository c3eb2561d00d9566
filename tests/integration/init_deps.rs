//! `flaskgen init` on dependency and Python-version shapes met in public
//! apps: constraints written with spaces, a requirements.txt that installs
//! the project itself, a Poetry package without a lock, and migrations that
//! Alembic's own configuration names.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::*;

/// Writes `files` (path, text) under `dir`, folders and all.
fn write_all(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

/// `init --yes --dry-run --json` in `dir`, which must succeed.
fn dry_run(dir: &Path) -> Value {
    let out = flaskgen(dir)
        .args(["init", "--yes", "--dry-run", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `init --yes` in `dir`, which must succeed: its stderr and the Dockerfile.
fn written(dir: &Path) -> (String, String) {
    let out = flaskgen(dir).args(["init", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (stderr(&out), read(dir.join("Dockerfile")))
}

const APP: &str = "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route(\"/\")\ndef index():\n    return \"ok\"\n";

#[test]
fn python_constraints_with_spaces_read_as_without() {
    // `>= 3.8` was read as `>=` (ignored) and `3.8` (exactly 3.8): python:3.8;
    // `>= 3.6` and `> 3.6` as exactly 3.6, met by no image (exit 2).
    for (constraint, image) in [
        (">= 3.8", "python:3.14-slim"),
        (">= 3.6", "python:3.14-slim"),
        ("> 3.6", "python:3.14-slim"),
        (">= 3.6, <4", "python:3.14-slim"),
        (">= 3.8, < 3.12", "python:3.11-slim"),
        ("~= 3.9", "python:3.14-slim"),
        (">= 3.8, != 3.14.*", "python:3.15-slim"),
        (">= 3.15", "python:3.15-slim"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let setup = format!(
            "from setuptools import setup\nsetup(name='x', install_requires=['flask'], python_requires=\"{constraint}\")\n"
        );
        write_all(tmp.path(), &[("app.py", APP), ("setup.py", &setup)]);
        let j = dry_run(tmp.path());
        assert_eq!(j["chosen"]["base_image"], image, "{constraint}");
        assert_eq!(j["detection"]["python"]["value"], constraint);
    }
}

#[test]
fn a_requirements_line_that_installs_the_project_installs_it_after_the_code() {
    let tmp = tempfile::tempdir().unwrap();
    let setup = "from setuptools import setup\nsetup(\n    name='shop',\n    install_requires=['flask>=3'],\n    extras_require={'server': ['gunicorn==23.0.0'], 'dev': ['pytest']},\n)\n";
    write_all(
        tmp.path(),
        &[
            ("app.py", APP),
            ("setup.py", setup),
            (
                "requirements.txt",
                "# pins\n-i https://index.example.invalid/simple\nrequests==2.32.0\n-e .[server]\n",
            ),
        ],
    );
    let (said, dockerfile) = written(tmp.path());
    // Before: `pip install -r requirements.txt` before `COPY . .`, which pip
    // refuses ("Directory '.' is not installable").
    let early = dockerfile.find("-r requirements.txt.build").unwrap();
    let copy = dockerfile.find("\nCOPY . .\n").unwrap();
    assert!(early < copy, "{dockerfile}");
    assert!(
        dockerfile.contains(
            "RUN sed -e '2d' -e '4d' requirements.txt > requirements.txt.build \\\n    && pip install --no-cache-dir -r requirements.txt.build \\\n    && rm requirements.txt.build\n"
        ),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("# requirements.txt:4 is left out here: it installs the project itself, after the code.")
            && dockerfile.contains("# requirements.txt:2 is left out here: an index option"),
        "{dockerfile}"
    );
    // The package's literal requirements with the extra the line asks for,
    // before the code; the project itself after it, without them.
    assert!(
        dockerfile.contains(
            "RUN [\"pip\",\"install\",\"--no-cache-dir\",\"flask>=3\",\"gunicorn==23.0.0\"]"
        ),
        "{dockerfile}"
    );
    assert!(
        dockerfile[copy..].contains("RUN pip install --no-cache-dir --no-deps \".[server]\"\n"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("pytest"), "{dockerfile}");
    // gunicorn comes from the extra: not added.
    assert!(!dockerfile.contains("gunicorn==27"), "{dockerfile}");
    assert!(
        said.contains("requirements.txt:2: \"-i https://index.example.invalid/simple\" is left out of the image's install"),
        "{said}"
    );
    // The sed is right about which lines it drops.
    let kept = std::process::Command::new("sed")
        .args(["-e", "2d", "-e", "4d", "requirements.txt"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&kept.stdout),
        "# pins\nrequests==2.32.0\n"
    );

    // A requirements.txt that only installs the project (and names an
    // index): the package's own path, nothing of requirements.txt before the code.
    for own in [".", "./", "-e .", "-e file:.", "--editable=."] {
        let tmp = tempfile::tempdir().unwrap();
        write_all(
            tmp.path(),
            &[
                ("app.py", APP),
                ("setup.py", "from setuptools import setup\nsetup(name='shop', install_requires=open('r.txt').read().split())\n"),
                ("requirements.txt", &format!("-i https://index.example.invalid/simple\n{own}\n")),
            ],
        );
        let j = dry_run(tmp.path());
        assert_eq!(j["detection"]["deps"]["manager"], "package", "{own}");
        let (_, dockerfile) = written(tmp.path());
        assert!(
            !dockerfile.contains("requirements.txt"),
            "{own}: {dockerfile}"
        );
        assert!(
            dockerfile.contains("COPY . .\n\n# The project is an installable package: it installs itself.\nRUN pip install --no-cache-dir \".\"\n"),
            "{own}: {dockerfile}"
        );
    }
}

/// A Poetry project: `[tool.poetry]`, with `extra` appended to pyproject.toml.
fn poetry_project(dir: &Path, extra: &str) {
    let pyproject = format!(
        "[tool.poetry]\nname = \"shop\"\nversion = \"1.0\"\ndescription = \"\"\nauthors = []\n\n[tool.poetry.dependencies]\npython = \">=3.10,<3.14\"\nflask = \"^3.0\"\ngunicorn = {{ version = \"^23\", optional = true }}\n\n[tool.poetry.extras]\ndeploy = [\"gunicorn\"]\n{extra}"
    );
    write_all(
        dir,
        &[("shop/__init__.py", APP), ("pyproject.toml", &pyproject)],
    );
}

#[test]
fn a_poetry_package_without_a_lock_installs_with_pip_not_poetry_lock() {
    let build = "\n[build-system]\nrequires = [\"poetry-core>=1.0.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n";
    let tmp = tempfile::tempdir().unwrap();
    poetry_project(tmp.path(), build);
    let j = dry_run(tmp.path());
    assert_eq!(j["detection"]["deps"]["manager"], "package");
    assert_eq!(j["chosen"]["base_image"], "python:3.13-slim");
    assert_eq!(j["chosen"]["gunicorn_added"], false);
    let (_, dockerfile) = written(tmp.path());
    // Before: `poetry lock` in the build, which reads no pip configuration.
    assert!(!dockerfile.contains("poetry lock"), "{dockerfile}");
    assert!(
        dockerfile.contains("# pyproject.toml is a Poetry package with no poetry.lock: pip builds it with its backend (poetry-core)")
            && dockerfile.contains("(commit a poetry.lock for repeatable images)"),
        "{dockerfile}"
    );
    let copy = dockerfile.find("\nCOPY . .\n").unwrap();
    assert!(
        dockerfile[copy..].contains("RUN pip install --no-cache-dir \".[deploy]\"\n"),
        "{dockerfile}"
    );

    // Not a package: no build backend, or `package-mode = false`: Poetry's path stays.
    for package_mode in [None, Some(build)] {
        let tmp = tempfile::tempdir().unwrap();
        poetry_project(tmp.path(), package_mode.unwrap_or(""));
        if package_mode.is_some() {
            let p = tmp.path().join("pyproject.toml");
            let text = read(&p).replace("authors = []\n", "authors = []\npackage-mode = false\n");
            fs::write(&p, text).unwrap();
        }
        let j = dry_run(tmp.path());
        assert_eq!(
            j["detection"]["deps"]["manager"], "poetry",
            "{package_mode:?}"
        );
    }
}

#[test]
fn migrations_alembic_names_and_a_package_ships_are_found() {
    // Plain Alembic: alembic.ini at the root names the folder; its env.py
    // does not read the Flask app. Listed as a command, not run on start.
    let tmp = tempfile::tempdir().unwrap();
    write_all(
        tmp.path(),
        &[
            ("shop/__init__.py", APP),
            ("shop/db/__init__.py", ""),
            ("shop/db/migrations/env.py", "from alembic import context\n"),
            ("shop/db/migrations/versions/.keep", ""),
            ("requirements.txt", "flask\nalembic\ngunicorn\n"),
            (
                "alembic.ini",
                "# A generic configuration\n[alembic]\nscript_location = %(here)s/shop/db/migrations\nsqlalchemy.url = sqlite://\n",
            ),
        ],
    );
    let j = dry_run(tmp.path());
    assert_eq!(j["detection"]["migrations"], Value::Null);
    assert_eq!(j["chosen"]["migrate"], false);
    let cmds = j["detection"]["init_commands"].as_array().unwrap();
    let alembic = cmds
        .iter()
        .find(|c| c["command"] == "alembic upgrade head")
        .unwrap_or_else(|| panic!("{cmds:?}"));
    assert_eq!(
        (alembic["file"].as_str(), alembic["line"].as_u64()),
        (Some("alembic.ini"), Some(3))
    );
    flaskgen(tmp.path())
        .args(["init", "--yes"])
        .assert()
        .success();
    assert!(!tmp.path().join("docker-entrypoint.sh").exists());
    let doc = read(tmp.path().join("DOCKER.md"));
    assert!(doc.contains("alembic upgrade head"), "{doc}");

    // The same folder whose env.py reads the Flask app is Flask-Migrate's,
    // named by script_location.
    fs::write(
        tmp.path().join("shop/db/migrations/env.py"),
        "from flask import current_app\n",
    )
    .unwrap();
    let j = dry_run(tmp.path());
    assert_eq!(j["detection"]["migrations"]["value"], "shop/db/migrations");
    assert_eq!(j["detection"]["migrations"]["file"], "alembic.ini");

    // Flask-Migrate's folder inside a package, shipped without alembic.ini:
    // found, wired, and the missing file said.
    let tmp = tempfile::tempdir().unwrap();
    write_all(
        tmp.path(),
        &[
            ("shop/__init__.py", APP),
            (
                "shop/migrations/env.py",
                "from alembic import context\nfrom flask import current_app\n",
            ),
            ("shop/migrations/versions/1_init.py", "revision = '1'\n"),
            ("requirements.txt", "flask\nflask-migrate\ngunicorn\n"),
        ],
    );
    let j = dry_run(tmp.path());
    assert_eq!(j["detection"]["migrations"]["value"], "shop/migrations");
    let (said, _) = written(tmp.path());
    assert!(
        said.contains("shop/migrations/ has no alembic.ini, which `flask db upgrade` reads"),
        "{said}"
    );
    let entry = read(tmp.path().join("docker-entrypoint.sh"));
    assert!(
        entry.contains("flask db upgrade --directory shop/migrations\n"),
        "{entry}"
    );
    // Without versions/ and the Flask app, an env.py alone is nothing.
    let tmp = tempfile::tempdir().unwrap();
    write_all(
        tmp.path(),
        &[
            ("shop/__init__.py", APP),
            ("shop/migrations/env.py", "from alembic import context\n"),
            ("requirements.txt", "flask\ngunicorn\n"),
        ],
    );
    assert_eq!(dry_run(tmp.path())["detection"]["migrations"], Value::Null);
}

/// A dependency with no Linux wheel (psycopg2, mysqlclient, uWSGI, …) gets a
/// C compiler and its headers before the install, from the base image's own
/// package manager; a wheel-only project gets none.
#[test]
fn dependencies_built_from_source_or_needing_a_program_get_system_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write_all(
        d,
        &[
            ("app.py", APP),
            (
                "requirements.txt",
                "flask==3.1.3\npsycopg2==2.9.10\nuWSGI==2.0.28\n",
            ),
        ],
    );
    let (_, dockerfile) = written(d);
    let apt = dockerfile
        .find("apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev \\\n")
        .expect(&dockerfile);
    assert!(
        apt < dockerfile
            .find("pip install --no-cache-dir -r requirements.txt")
            .unwrap(),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("# psycopg2, uwsgi build from source"),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("rm -rf /var/lib/apt/lists/*"),
        "{dockerfile}"
    );

    // init again with `flags` after the project's requirements become
    // `requirements`: the Dockerfile it writes.
    let again = |requirements: Option<&str>, flags: &[&str]| {
        if let Some(r) = requirements {
            fs::write(d.join("requirements.txt"), r).unwrap();
        }
        let out = flaskgen(d)
            .args(["init", "--yes", "--force"])
            .args(flags)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        read(d.join("Dockerfile"))
    };

    // On Alpine, apk.
    let dockerfile = again(None, &["-b", "python:3.13-alpine"]);
    assert!(
        dockerfile.contains("RUN apk add --no-cache gcc musl-dev postgresql-dev linux-headers\n"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("apt-get"), "{dockerfile}");

    // A program the app runs (GitPython runs git): the package, no compiler.
    let dockerfile = again(Some("flask==3.1.3\nGitPython==3.1.45\n"), &[]);
    assert!(
        dockerfile.contains("apt-get install -y --no-install-recommends git \\\n"),
        "{dockerfile}"
    );
    assert!(!dockerfile.contains("gcc"), "{dockerfile}");

    // Wheels only: nothing added.
    let dockerfile = again(Some("flask==3.1.3\npsycopg2-binary==2.9.10\n"), &[]);
    assert!(
        !dockerfile.contains("apt-get") && !dockerfile.contains("gcc"),
        "{dockerfile}"
    );
}
