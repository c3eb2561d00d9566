"""Shared helpers for the end-to-end tests: the flaskgen binary, generated
projects, a virtualenv for them, and running servers."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import dockerfile
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("FLASKGEN_BIN", ROOT / "target" / "debug" / "flaskgen"))

NOT_RUN = []  # (check, reason): printed loudly at the end of the session
MEASURED = []  # figures worth seeing in every run's log, printed at the end


def measured(line):
    """Records a figure (a time, a size) for the end-of-session summary."""
    MEASURED.append(line)


def not_run(check, reason):
    """A check that could not run here: loud, and a failure under CI."""
    NOT_RUN.append((check, reason))
    if os.environ.get("CI") == "true":
        pytest.fail(f"{check} did not run under CI: {reason}")
    pytest.skip(f"NOT RUN: {check}: {reason}")


def pytest_configure(config):
    # The controller (or the only process) owns a dockerd a worker starts, unless scripts/test
    # set an owner: workers inherit this, and the controller stops that dockerd at the end.
    if not hasattr(config, "workerinput"):
        os.environ.setdefault("FLASKGEN_ENGINE_OWNER", f"pytest-{os.getpid()}")


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and os.environ["FLASKGEN_ENGINE_OWNER"].startswith("pytest-"):
        import docker_engine

        docker_engine.stop_engine()


def pytest_terminal_summary(terminalreporter):
    if MEASURED:
        terminalreporter.write_sep("-", "measured")
        for line in MEASURED:
            terminalreporter.write_line(line)
    if NOT_RUN:
        tr = terminalreporter
        tr.write_sep("!", "CHECKS THAT DID NOT RUN", red=True, bold=True)
        for check, reason in NOT_RUN:
            tr.write_line(f"NOT RUN: {check}: {reason}", red=True, bold=True)


def flaskgen(*args, cwd):
    """Runs flaskgen non-interactively; returns the completed process."""
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: build it first (cargo build)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASKGEN_")}
    env["XDG_CONFIG_HOME"] = str(Path(cwd) / ".no-config")
    return subprocess.run([str(BIN), *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, check=False)


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
