"""`flaskgen init` and `flaskgen check` on projects that already exist: SARIF
read by sarif-tools, real Flask applications from PyPI (downloaded at test
time, never copied into the repository), and init's output built and run in
Docker."""

import csv
import json
import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, flaskgen, free_port, http_get, measured, not_run, wait_for

FIXTURES = ROOT / "tests" / "fixtures" / "projects"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "flaskgen-tests" / "sdists"
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv-e2e")) / "bin"

# Real Flask applications that publish source distributions, pinned, with
# what init must detect in each (judged by hand from the app's code): entry,
# dependency manager, Python constraint, port, health route, migrations, and
# whether the image must add setuptools (pkg_resources imported, not depended on).
REAL_APPS = {
    # A package with a wsgi module inside it; Alembic migrations in the package.
    "ihatemoney==7.2.1": ("ihatemoney.wsgi:application", "package", ">=3.11", 5000, "/healthcheck",
                          "ihatemoney/migrations", False),
    # A module-level app in the package's __init__; requirements.txt plus setup.py's python_requires.
    "archivy==1.7.7": ("archivy:app", "pip", ">=3.6", 5000, "/", None, True),
    # A top-level wsgi.py calling the package's factory; dependencies only in setup.py; the
    # health route lives under /management; no Alembic (its own SQL schema).
    "alerta-server==9.0.4": ("wsgi:app", "package", ">=3.9", 5000, "/management/healthcheck", None, True),
    # A factory with an optional argument building a Flask subclass (Flask-API's FlaskAPI);
    # requirements.txt lists the CLI's dependencies, the web ones are setup.py's `server`
    # extra; routes by add_url_rule; no health route, so the first plain GET API route.
    "buku==4.9": ("bukuserver.server:create_app()", "pip", ">=3.8", 5000, "/api/tags", None, False),
    # A package `app/` whose health route is an f-string of a string enum member, and folders
    # made next to the package at import (app/static/config ...).
    "whoogle-search==1.2.4": ("app:app", "pip", None, 5000, "/healthz", None, False),
    # A factory in a package with setup.cfg; py2-looking migration scripts the app never imports.
    "supysonic==0.7.9": ("supysonic.web:create_application()", "package", ">=3.7", 5722, "/", None, True),
    # A wsgi.py keeping the factory's result as `flaskbb`; a CLI `make_app(script_info)` wrapper;
    # a compat `iteritems()` function (Python 3 code).
    "flaskbb==2.0.2": ("wsgi:flaskbb", "pip", ">=2.7,!=3.0.*,!=3.1.*,!=3.2.*,!=3.3.*", 5000, "/", None, True),
    # A src layout, a pyproject package, `application = create_app()` in a wsgi module.
    "bepasty==1.2.2": ("bepasty.wsgi:application", "package", ">=3.8", 5000, "/", None, False),
    # A second, bare `app = Flask(__name__)` in a helper module; `jsonify(*args)` beside an
    # `args` only the `__main__` block sets (not main-only state: the parameter is its own).
    "httpbin==0.10.4": ("httpbin.core:app", "package", ">=3.8", 5000, "/ip", None, False),
}

# Real apps that gunicorn cannot serve as they are, with the reason init gives.
REFUSED_APPS = {
    # Registers its blueprints inside a function that also starts its own server.
    "calibreweb==0.6.27": "registers no route when gunicorn imports it",
    # Its only app is built by make_flask_app(config, username, password, url_prefix), run by its CLI.
    "rq-dashboard==0.8.2.2": "make_flask_app() at rq_dashboard/cli.py:35 needs arguments (config, username, "
                             "password, url_prefix)",
    # Its views and before_request hook read `dataset`, None at module level and set only
    # by initialize_app(), which only main() (its console script) runs.
    "sqlite-web==0.6.4": "the app's state `dataset` is only set in initialize_app() (run by main()) at "
                         "sqlite_web/sqlite_web.py:1348, which gunicorn never runs",
}


def sarif_tool():
    exe = shutil.which("sarif") or str(VENV_BIN / "sarif")
    if not Path(exe).exists():
        not_run("SARIF validation", "sarif-tools is not installed (scripts/test installs it from tests/e2e/requirements.txt)")
    return exe


def test_sarif_output_is_read_by_sarif_tools(tmp_path):
    out = flaskgen("check", str(FIXTURES / "seed-tutorial"), "--format", "sarif", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    report = tmp_path / "seed.sarif"
    report.write_text(out.stdout)
    exe = sarif_tool()
    summary = subprocess.run([exe, "summary", str(report)], capture_output=True, text=True)
    assert summary.returncode == 0, summary.stderr
    assert "error: 4" in summary.stdout and "warning: 5" in summary.stdout, summary.stdout
    gate = subprocess.run([exe, "--check", "warning", "summary", str(report)], capture_output=True, text=True)
    assert gate.returncode != 0, "sarif-tools sees findings at or above warning"
    subprocess.run([exe, "csv", "-o", str(tmp_path / "seed.csv"), str(report)], check=True, capture_output=True)
    rows = list(csv.DictReader((tmp_path / "seed.csv").open()))
    found = {(r["Code"], r["Location"], r["Line"]) for r in rows}
    assert ("FG001", "Dockerfile", "10") in found, found
    assert ("FG002", "app/app.py", "12") in found, found
    assert ("FG009", "Dockerfile", "4") in found, found
    assert len(rows) == 9

    # A clean project: valid SARIF with no results.
    out = flaskgen("new", "clean", "--yes", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    out = flaskgen("check", "clean", "--format", "sarif", cwd=tmp_path)
    assert out.returncode == 0, out.stdout
    (tmp_path / "clean.sarif").write_text(out.stdout)
    gate = subprocess.run([exe, "--check", "note", "summary", str(tmp_path / "clean.sarif")], capture_output=True, text=True)
    assert gate.returncode == 0, gate.stdout + gate.stderr


def fetch_sdist(spec, dest):
    """`pip download --no-binary :all: --no-deps SPEC`, cached; unpacked into dest."""
    name, version = spec.split("==")
    CACHE.mkdir(parents=True, exist_ok=True)
    found = [p for p in CACHE.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(f"{name}-{version}")]
    if not found:
        pip = [str(VENV_BIN / "python"), "-m", "pip"] if (VENV_BIN / "python").exists() else ["python3", "-m", "pip"]
        out = subprocess.run([*pip, "download", "--no-binary", ":all:", "--no-deps", "--disable-pip-version-check",
                              "-d", str(CACHE), spec], capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            not_run(f"real app {spec}", f"pip download failed: {out.stderr[-500:]}")
        found = [p for p in CACHE.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(f"{name}-{version}")]
    assert found, f"{spec}: no sdist in {CACHE}"
    with tarfile.open(found[0]) as t:
        t.extractall(dest, filter="data")
    (top,) = [p for p in Path(dest).iterdir() if p.is_dir()]
    return top


@pytest.mark.parametrize("spec", sorted(REAL_APPS))
def test_real_app_detection_init_and_check(spec, tmp_path):
    entry, manager, python, port, health, migrations, setuptools = REAL_APPS[spec]
    app = fetch_sdist(spec, tmp_path / "src")
    start = time.monotonic()
    out = flaskgen("init", str(app), "--yes", "--dry-run", "--json", cwd=tmp_path)
    measured(f"init --dry-run on {spec}: {time.monotonic() - start:.2f}s")
    assert out.returncode == 0, out.stderr
    j = json.loads(out.stdout)
    d = j["detection"]
    assert (j["chosen"]["entry"], d["deps"]["manager"], (d["python"] or {}).get("value"), j["chosen"]["port"],
            d["health"]["value"], (d["migrations"] or {}).get("value")) == (entry, manager, python, port, health,
                                                                            migrations)
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    out = flaskgen("init", str(app), "--yes", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for p, data in before.items():
        assert p.read_bytes() == data, f"init changed {p}"
    out = flaskgen("check", str(app), cwd=tmp_path)
    assert out.returncode == 0, out.stdout
    assert j["chosen"]["setuptools_added"] == setuptools, d["pkg_resources"]


@pytest.mark.parametrize("spec", sorted(REFUSED_APPS))
def test_real_app_without_a_servable_entry_is_refused_with_the_reason(spec, tmp_path):
    """Calibre-Web registers its blueprints inside a function that also starts
    its own server (under gunicorn every request would be a 404); rq-dashboard's
    only app comes from a factory that needs four arguments; sqlite-web's
    requests read state only its main() sets (under gunicorn every request
    would fail). init refuses
    (exit 1), says why, points at --entry, and writes nothing."""
    app = fetch_sdist(spec, tmp_path / "src")
    before = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    start = time.monotonic()
    out = flaskgen("init", str(app), "--yes", "--dry-run", cwd=tmp_path)
    measured(f"init --dry-run on {spec}: {time.monotonic() - start:.2f}s")
    assert out.returncode == 1, out.stderr
    assert REFUSED_APPS[spec] in out.stderr, out.stderr
    assert "--entry" in out.stderr
    out = flaskgen("init", str(app), "--yes", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    after = {p: p.read_bytes() for p in app.rglob("*") if p.is_file()}
    assert after == before, "init wrote or changed files although it refused"


# ---- in Docker: init's output built on the stand-in base, run, probed, stopped.

from test_docker import base_image, cleanup, engine, sh  # noqa: E402,F401  (fixtures shared with test_docker)


def build_and_serve(project, tag, base, cleanup, page, env=(), init_args=()):
    out = flaskgen("init", str(project), "--yes", "--force", "-b", base, "--image", tag, *init_args, cwd=project.parent)
    assert out.returncode == 0, out.stderr
    check = flaskgen("check", str(project), cwd=project.parent)
    assert check.returncode == 0, check.stdout
    j = json.loads(flaskgen("init", str(project), "--yes", "--dry-run", "--json", "-b", base, *init_args,
                            cwd=project.parent).stdout)
    port, health = j["chosen"]["port"], j["detection"]["health"]["value"]
    cleanup["images"].append(tag)
    start = time.monotonic()
    sh("docker", "build", "-t", tag, ".", cwd=project, env={**os.environ, "DOCKER_BUILDKIT": "0"}, timeout=1800)
    measured(f"docker build of init's output for {project.name}: {time.monotonic() - start:.1f}s")
    host = free_port()
    name = f"fg-init-{project.name}-{os.getpid()}"
    sh("docker", "rm", "-f", name, check=False)
    envs = [a for k, v in env for a in ("-e", f"{k}={v}")]
    cid = sh("docker", "run", "-d", "--name", name, "-p", f"127.0.0.1:{host}:{port}", *envs, tag).stdout.strip()
    cleanup["containers"].append(cid)
    try:
        status, _ = wait_for(f"http://127.0.0.1:{host}{health}", 60)
        assert status == 200, f"health {health}: {status}"
        # A real page's first render compiles templates: more time than a probe.
        assert http_get(f"http://127.0.0.1:{host}{page}", timeout=30)[0] == 200, page
    except AssertionError:
        print(sh("docker", "logs", cid, check=False).stdout, sh("docker", "logs", cid, check=False).stderr)
        raise
    assert sh("docker", "exec", cid, "id", "-u").stdout.strip() == "10001"
    # gunicorn is PID 1 (the entrypoint, where there is one, exec'd it), so SIGTERM reaches it.
    pid1 = sh("docker", "exec", cid, "cat", "/proc/1/cmdline").stdout.replace("\0", " ")
    assert "gunicorn" in pid1 and not pid1.startswith("sh "), pid1
    logs = sh("docker", "logs", cid)
    start = time.monotonic()
    sh("docker", "stop", "-t", "30", cid)
    took = time.monotonic() - start
    measured(f"docker stop of {project.name}: {took:.2f}s")
    # SIGTERM ended it: gunicorn's graceful exit (0), not the SIGKILL (137) docker sends
    # after its timeout; the time is reported, and only bounded by gunicorn's own
    # graceful timeout (10 s), since a loaded machine slows the workers' shutdown.
    code = sh("docker", "inspect", "--format", "{{.State.ExitCode}}", cid).stdout.strip()
    assert code == "0", f"exit code {code} after docker stop ({took:.1f}s)"
    assert took < 10, f"docker stop took {took:.1f}s"
    return logs.stdout + logs.stderr


@pytest.mark.docker
@pytest.mark.parametrize("fixture,page,env,args", [
    ("module-app", "/", [("SECRET_KEY", "e2e")], []),
    ("req-includes", "/", [], []),
    ("factory", "/", [], ["--no-migrate"]),
    ("src-layout", "/", [], []),
    ("seed-tutorial", "/", [], []),
])
def test_init_output_builds_and_serves(fixture, page, env, args, tmp_path, base_image, cleanup):
    project = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, project)
    original = (project / "Dockerfile").read_text() if (project / "Dockerfile").exists() else None
    if original is not None:
        # The project's own Dockerfile: check reports its problems, init refuses
        # to replace it without --force (build_and_serve passes --force).
        assert flaskgen("check", str(project), cwd=tmp_path).returncode == 1
        refused = flaskgen("init", str(project), "--yes", cwd=tmp_path)
        assert refused.returncode == 1 and (project / "Dockerfile").read_text() == original, refused.stderr
    build_and_serve(project, f"fg-init-{fixture}:e2e", base_image, cleanup, page, env, args)
    if original is not None:
        assert (project / "Dockerfile").read_text() != original


@pytest.mark.docker
def test_real_app_ihatemoney_builds_and_serves(tmp_path, base_image, cleanup):
    """ihatemoney keeps Alembic in its package and also upgrades in create_app:
    the entrypoint migrates once before gunicorn starts, so its workers find
    the schema current instead of racing to create it."""
    project = fetch_sdist("ihatemoney==7.2.1", tmp_path / "src")
    logs = build_and_serve(project, "fg-init-ihatemoney:e2e", base_image, cleanup, "/")
    assert "flask db upgrade --directory ihatemoney/migrations" in (project / "docker-entrypoint.sh").read_text()
    assert "Worker failed to boot" not in logs and "already exists" not in logs, logs


@pytest.mark.docker
def test_real_app_archivy_builds_and_serves(tmp_path, base_image, cleanup):
    """archivy imports pkg_resources without depending on setuptools, and keeps
    its data under appdirs' user data dir: the image adds setuptools 80.10.2 and
    gives the numeric user a home; `/` redirects to the login page, which renders."""
    project = fetch_sdist("archivy==1.7.7", tmp_path / "src")
    build_and_serve(project, "fg-init-archivy:e2e", base_image, cleanup, "/login")
    dockerfile = (project / "Dockerfile").read_text()
    assert "setuptools==80.10.2" in dockerfile and "ENV HOME=/home/app" in dockerfile, dockerfile
    assert "archivy init" in (project / "DOCKER.md").read_text()


def test_uv_lock_names_are_what_uv_export_installs(tmp_path):
    """What init counts as installed from a uv.lock (so whether it must add
    gunicorn) is what `uv export --no-dev --no-emit-project` emits: dev groups
    and the project's extras out, a dependency's requested extras in."""
    uv = shutil.which("uv") or str(VENV_BIN / "uv")
    if not Path(uv).exists():
        not_run("uv lock names", "uv is not installed (scripts/test installs it from tests/e2e/requirements.txt)")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["flask>=3.1", "requests[socks]"]\n'
        '[project.optional-dependencies]\npostgres = ["psycopg"]\n'
        '[dependency-groups]\ndev = ["gunicorn", "pytest"]\n')
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    subprocess.run([uv, "lock", "-q"], cwd=tmp_path, check=True, capture_output=True, timeout=300)
    export = subprocess.run([uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "-q"],
                            cwd=tmp_path, check=True, capture_output=True, text=True).stdout
    exported = {norm(line.split("==")[0]) for line in export.splitlines() if line and line[0] not in "# "}
    out = flaskgen("init", str(tmp_path), "--yes", "--dry-run", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    j = json.loads(out.stdout)
    assert {norm(n) for n in j["detection"]["deps"]["names"]} == exported
    assert "pysocks" in exported and "pytest" not in exported and "psycopg" not in exported
    # gunicorn is only a dev dependency: the image gets the pinned one.
    assert j["chosen"]["gunicorn_added"] is True


@pytest.mark.docker
def test_uv_locked_project_builds_from_its_lock(tmp_path, base_image, cleanup):
    """A real uv.lock (made here by uv, pinned in requirements.txt): the image
    installs exactly what it says, through `uv export --frozen`."""
    uv = shutil.which("uv") or str(VENV_BIN / "uv")
    if not Path(uv).exists():
        not_run("uv-locked project in Docker", "uv is not installed (scripts/test installs it from tests/e2e/requirements.txt)")
    project = tmp_path / "uvapp"
    shutil.copytree(FIXTURES / "uv", project)
    (project / ".python-version").unlink()
    (project / "uv.lock").unlink()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('">=3.12"', '">=3.11"'))
    subprocess.run([uv, "lock", "-q"], cwd=project, check=True, capture_output=True, timeout=300)
    build_and_serve(project, "fg-init-uvapp:e2e", base_image, cleanup, "/")
    assert "uv export --frozen" in (project / "Dockerfile").read_text()


@pytest.mark.docker
@pytest.mark.parametrize("fixture,tool,check", [
    ("poetry", "poetry==2.5.1", "poetry check --lock"),
    ("pdm", "pdm==2.29.4", "pdm lock --check"),
    ("pipfile", "pipenv==2026.10.3", "pipenv verify"),
])
def test_locked_project_installs_exactly_its_lock_with_its_own_tool(fixture, tool, check, tmp_path, base_image,
                                                                     cleanup):
    """The fixtures' locks were written by the real tools; the image installs
    what they say (every pinned version, hash-checked), with the tool at its
    pinned version in a throwaway virtualenv that leaves no trace in the image."""
    project = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, project)
    tag = f"fg-init-{fixture}:e2e"
    build_and_serve(project, tag, base_image, cleanup, "/")
    dockerfile = (project / "Dockerfile").read_text()
    assert tool in dockerfile and check in dockerfile, dockerfile
    # What the lock pins is what the image has.
    lock = (project / {"poetry": "poetry.lock", "pdm": "pdm.lock", "pipfile": "Pipfile.lock"}[fixture]).read_text()
    # Packages whose environment marker is false inside the image (colorama on
    # Windows, backports on old Pythons) are rightly not installed.
    from packaging.markers import Marker
    python = sh("docker", "run", "--rm", "--entrypoint", "python", tag, "-c",
                "import platform; print(platform.python_version())").stdout.strip()
    image_env = {"python_version": ".".join(python.split(".")[:2]), "python_full_version": python,
                 "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}

    def applies(marker):
        if isinstance(marker, dict):  # Poetry: markers per group
            marker = marker.get("main")
        return not marker or Marker(marker).evaluate(image_env)

    if fixture == "pipfile":
        locked = [(k, v["version"].lstrip("="), v.get("markers")) for k, v in json.loads(lock)["default"].items()]
    else:
        import tomllib
        locked = [(p["name"], p["version"], p.get("markers", p.get("marker")))
                  for p in tomllib.loads(lock)["package"] if set(p.get("groups", ["main"])) & {"main", "default"}]
    pinned = {norm(name): version for name, version, marker in locked if applies(marker)}
    skipped = {norm(name) for name, _, marker in locked if not applies(marker)}
    freeze = sh("docker", "run", "--rm", "--entrypoint", "pip", tag, "list", "--format", "json").stdout
    have = {norm(p["name"]): p["version"] for p in json.loads(freeze)}
    assert pinned, lock
    for name, version in pinned.items():
        assert have.get(name) == version, (name, version, have.get(name))
    # Nothing beyond the lock (and gunicorn, pinned, where the project lacks it), and
    # nothing the lock leaves out on Linux.
    added = set()
    if "gunicorn is not among the project's dependencies" in dockerfile:
        (pin,) = [w for w in dockerfile.split() if w.startswith("gunicorn==")]
        assert "gunicorn" not in pinned and have.get("gunicorn") == pin.split("==")[1], (pin, have.get("gunicorn"))
        added.add("gunicorn")
    extra = set(have) - set(pinned) - added - {"pip", "setuptools", "wheel"}
    assert not extra, extra
    assert not skipped & set(have), skipped & set(have)
    # The tool, its virtualenv and the export are gone from the image.
    leftovers = sh("docker", "run", "--rm", "--entrypoint", "sh", tag, "-c",
                   "ls -A /tmp; ls /root/.cache 2>/dev/null; pip show poetry pdm pipenv 2>/dev/null | head -1").stdout
    assert leftovers.strip() == "", leftovers


def norm(name):
    return name.lower().replace("_", "-").replace(".", "-")


@pytest.mark.docker
def test_locked_project_with_a_stale_lock_fails_the_build(tmp_path, base_image, engine):
    """A lock that no longer matches pyproject.toml stops the build with the tool's own message."""
    project = tmp_path / "stale"
    shutil.copytree(FIXTURES / "poetry", project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('flask = "3.1.3"', 'flask = "3.1.2"'))
    out = flaskgen("init", str(project), "--yes", "-b", base_image, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    build = sh("docker", "build", "-t", "fg-init-stale:e2e", ".", cwd=project, check=False,
               env={**os.environ, "DOCKER_BUILDKIT": "0"}, timeout=1800)
    sh("docker", "image", "rm", "-f", "fg-init-stale:e2e", check=False)
    assert build.returncode != 0, "a stale poetry.lock must fail the build"
    assert "poetry lock" in build.stdout + build.stderr, build.stdout[-2000:]


@pytest.mark.docker
def test_migrations_run_before_gunicorn_which_stays_pid_1(tmp_path, base_image, cleanup):
    """Flask-Migrate's `flask db upgrade` runs from the entrypoint: the table the
    page reads exists only because it ran; gunicorn is PID 1; RUN_MIGRATIONS=0 skips it."""
    project = tmp_path / "migrate"
    shutil.copytree(FIXTURES / "migrate", project)
    tag = "fg-init-migrate:e2e"
    build_and_serve(project, tag, base_image, cleanup, "/notes")
    assert "instance:/srv/app/instance" in (project / "compose.yaml").read_text()

    def run(*env):
        host = free_port()
        envs = [a for e in env for a in ("-e", e)]
        cid = sh("docker", "run", "-d", "-p", f"127.0.0.1:{host}:5000", *envs, tag).stdout.strip()
        cleanup["containers"].append(cid)
        assert wait_for(f"http://127.0.0.1:{host}/healthz", 60)[0] == 200, sh("docker", "logs", cid).stderr
        return cid, host

    cid, host = run()
    logs = sh("docker", "logs", cid)
    assert "Running upgrade  -> " in logs.stdout + logs.stderr, logs.stderr
    assert http_get(f"http://127.0.0.1:{host}/notes", timeout=30)[0] == 200
    pid1 = sh("docker", "exec", cid, "cat", "/proc/1/cmdline").stdout.replace("\0", " ")
    assert "gunicorn" in pid1 and "sh " not in pid1, pid1
    # The SQLite file was written by the app's user into the one writable folder.
    owner = sh("docker", "exec", cid, "stat", "-c", "%u %a", "/srv/app/instance", "/srv/app/instance/notes.db").stdout
    assert owner.split() == ["10001", "700", "10001", "644"], owner
    sh("docker", "stop", cid)

    cid, host = run("RUN_MIGRATIONS=0")
    logs = sh("docker", "logs", cid)
    assert "Running upgrade" not in logs.stdout + logs.stderr
    assert http_get(f"http://127.0.0.1:{host}/notes", timeout=30)[0] == 500, "no migration, no table"
    sh("docker", "stop", cid)
