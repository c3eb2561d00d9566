"""`flaskgen init --verify` on the local Docker engine: it builds the image,
imports the app as gunicorn does, serves it hardened and probes its health
route, stops it, and leaves nothing behind; a wrong entry fails at the import
step with the fix named. Public apps the other tests do not shape init
around are proved the same way, and public apps that cannot serve as
published fail at the step that shows why, with the fix named."""

import shutil
import subprocess
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import BIN, flaskgen, flaskgen_env, measured
from test_existing import fetch_sdist
from test_docker import base_image, cleanup, engine, sh  # noqa: F401  (fixtures shared with test_docker)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"


def copy_fixture(name, tmp_path):
    project = tmp_path / name
    shutil.copytree(FIXTURES / name, project)
    return project


def verify(*args, cwd):
    """`flaskgen init ARGS --verify`, as conftest's flaskgen() runs it; the
    result carries the process id, which names the images it makes."""
    p = subprocess.Popen([str(BIN), "init", *args, "--verify"], cwd=cwd, env=flaskgen_env(cwd),
                         stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = p.communicate(timeout=3600)
    return SimpleNamespace(returncode=p.returncode, stdout=stdout, stderr=stderr, pid=p.pid)


def leftovers(run):
    """Images and containers the verify `run` made that are still there (other
    workers' verify runs, in progress, are not this one's)."""
    mine = f"flaskgen-verify-{run.pid}"
    images = sh("docker", "images", "--format", "{{.Repository}}").stdout.split()
    containers = sh("docker", "ps", "-a", "--format", "{{.Image}}").stdout.split()
    return [x for x in images + containers if x == mine or x.startswith(mine + ":")]


@pytest.mark.docker
@pytest.mark.parametrize("fixture,args", [
    ("module-app", []),
    ("req-includes", []),
    ("factory", ["--no-migrate"]),
    ("src-layout", []),
    ("seed-tutorial", ["--force"]),
])
def test_verify_proves_init_output(fixture, args, tmp_path, base_image):
    project = copy_fixture(fixture, tmp_path)
    out = verify(str(project), "--yes", "-b", base_image, *args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for step in ("build", "import", "serve", "stop"):
        assert f"Passed {step}:" in out.stderr, out.stderr
    assert "route(s); the health route" in out.stderr
    measured(f"init --verify on {fixture}: " + out.stderr.split("Passed stop: ")[-1].splitlines()[0])
    assert leftovers(out) == [], leftovers(out)
    # On the files now there, --verify proves them again without writing.
    before = (project / "Dockerfile").read_bytes()
    again = verify(str(project), "--yes", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (project / "Dockerfile").read_bytes() == before


@pytest.mark.docker
def test_verify_fails_a_wrong_entry_at_import_and_names_the_fix(tmp_path, base_image):
    project = copy_fixture("factory", tmp_path)
    out = verify(str(project), "--yes", "-b", base_image, "--no-migrate",
                   "--entry", "shop:not_there", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "Passed build:" in out.stderr
    assert "import failed: shop:not_there does not load" in out.stderr, out.stderr
    assert "--entry MODULE:APP" in out.stderr
    assert "serve failed" in out.stderr
    assert leftovers(out) == [], leftovers(out)



@pytest.mark.docker
@pytest.mark.parametrize("spec,health", [
    # A package with a wsgi module, Alembic migrations run before gunicorn.
    ("ihatemoney==7.2.1", "/healthcheck"),
    # `/` redirects to the login page: the probe follows it, as the HEALTHCHECK does.
    ("archivy==1.7.7", "/"),
    # A src layout, a pyproject package, `application = create_app()` in a wsgi module,
    # routes by add_url_rule on a blueprint.
    ("bepasty==1.2.2", None),
])
def test_verify_proves_init_output_on_public_apps(spec, health, tmp_path, base_image):
    project = fetch_sdist(spec, tmp_path / "src")
    out = verify(str(project), "--yes", "-b", base_image, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for step in ("build", "import", "serve", "stop"):
        assert f"Passed {step}:" in out.stderr, out.stderr
    if health:
        assert f"GET {health} answered 200" in out.stderr, out.stderr
    measured(f"init --verify on {spec}: " + out.stderr.split("Passed stop: ")[-1].splitlines()[0])
    assert leftovers(out) == [], leftovers(out)


@pytest.mark.docker
@pytest.mark.parametrize("spec,error,fix", [
    # Its published metadata leaves out StrEnum, which its models import.
    ("alerta-server==9.0.4", "No module named 'strenum'", "imports strenum but no dependency installs it"),
    # Unbounded flask-admin: today's 2.x no longer takes the template_mode its code passes.
    ("buku==4.9", "unexpected keyword argument 'template_mode'", "pin the library"),
])
def test_verify_fails_a_public_app_that_cannot_serve_as_published_and_names_why(spec, error, fix, tmp_path,
                                                                                 base_image):
    project = fetch_sdist(spec, tmp_path / "src")
    out = verify(str(project), "--yes", "-b", base_image, cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "Passed build:" in out.stderr, out.stderr
    assert "import failed:" in out.stderr and error in out.stderr, out.stderr
    assert fix in out.stderr, out.stderr
    # The serve step points back at the import, not at a guess.
    assert "the app does not load (the import step above)" in out.stderr, out.stderr
    assert leftovers(out) == [], leftovers(out)


@pytest.mark.docker
def test_verify_leaves_no_container_of_a_failed_build_step(tmp_path, base_image):
    """The legacy builder keeps a failed RUN step's container unless told not
    to; the step is marked with a name no other build uses."""
    marker = f"flaskgen-no-such-dist-{uuid.uuid4().hex[:12]}"
    project = tmp_path / "broken"
    project.mkdir()
    (project / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n\n\n@app.get('/')\n"
                                    "def index():\n    return 'ok'\n")
    (project / "pyproject.toml").write_text(f'[project]\nname = "broken"\nversion = "1"\n'
                                            f'dependencies = ["flask", "{marker}"]\n')
    # A port no other build uses, so the steps before the failing one make
    # new layers (ENV PORT=...) instead of taking them from the cache.
    port = str(20000 + uuid.uuid4().int % 30000)
    out = verify(str(project), "--yes", "-b", base_image, "-p", port, cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "build failed" in out.stderr and marker in (project / "Dockerfile").read_text(), out.stderr
    left = sh("docker", "ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}").stdout
    assert marker not in left, left
    # Nor the layers of the steps that passed (untagged, dangling).
    dangling = sh("docker", "images", "-q", "--filter", "dangling=true").stdout.split()
    envs = [sh("docker", "image", "inspect", "--format", "{{.Config.Env}}", i, check=False).stdout for i in dangling]
    assert not [e for e in envs if f"PORT={port}" in e], envs
    assert leftovers(out) == [], leftovers(out)


@pytest.mark.docker
def test_verify_proves_a_dependency_built_from_source(tmp_path, base_image):
    """psycopg2 publishes no Linux wheel: the image gets a compiler and libpq's
    headers from the base's package manager, pip builds it, and the app that
    imports it serves."""
    project = tmp_path / "pgapp"
    project.mkdir()
    (project / "app.py").write_text("import psycopg2\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
                                    "@app.get('/healthz')\ndef health():\n    return psycopg2.__version__\n")
    (project / "requirements.txt").write_text("flask==3.1.3\npsycopg2==2.9.10\n")
    out = verify(str(project), "--yes", "-b", base_image, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "libpq-dev" in (project / "Dockerfile").read_text()
    for step in ("build", "import", "serve", "stop"):
        assert f"Passed {step}:" in out.stderr, out.stderr
    assert leftovers(out) == [], leftovers(out)
