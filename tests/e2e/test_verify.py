"""`flaskgen init --verify` on the local Docker engine: it builds the image,
imports the app as gunicorn does, serves it hardened and probes its health
route, stops it, and leaves nothing behind; a wrong entry fails at the import
step with the fix named."""

import shutil
from pathlib import Path

import pytest

from conftest import flaskgen, measured
from test_docker import base_image, cleanup, engine, sh  # noqa: F401  (fixtures shared with test_docker)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"


def copy_fixture(name, tmp_path):
    project = tmp_path / name
    shutil.copytree(FIXTURES / name, project)
    return project


def leftovers():
    images = sh("docker", "images", "--format", "{{.Repository}}").stdout.split()
    containers = sh("docker", "ps", "-a", "--format", "{{.Image}}").stdout.split()
    return [x for x in images + containers if x.startswith("flaskgen-verify-")]


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
    out = flaskgen("init", str(project), "--yes", "--verify", "-b", base_image, *args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for step in ("build", "import", "serve", "stop"):
        assert f"Passed {step}:" in out.stderr, out.stderr
    assert "route(s); the health route" in out.stderr
    measured(f"init --verify on {fixture}: " + out.stderr.split("Passed stop: ")[-1].splitlines()[0])
    assert leftovers() == [], leftovers()
    # On the files now there, --verify proves them again without writing.
    before = (project / "Dockerfile").read_bytes()
    again = flaskgen("init", str(project), "--yes", "--verify", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (project / "Dockerfile").read_bytes() == before


@pytest.mark.docker
def test_verify_fails_a_wrong_entry_at_import_and_names_the_fix(tmp_path, base_image):
    project = copy_fixture("factory", tmp_path)
    out = flaskgen("init", str(project), "--yes", "--verify", "-b", base_image, "--no-migrate",
                   "--entry", "shop:not_there", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "Passed build:" in out.stderr
    assert "import failed: shop:not_there does not load" in out.stderr, out.stderr
    assert "--entry MODULE:APP" in out.stderr
    assert "serve failed" in out.stderr
    assert leftovers() == [], leftovers()

