"""Build and run a generated project in a real Docker engine, then push it
to a local registry and pull it back, as the tutorial's workflow does."""

import os
import shutil
import subprocess
import time

import pytest
import yaml

import docker_engine
from conftest import free_port, generate, http_get, measured, not_run, wait_for
from docker_engine import apt_install, apt_mirror, can_apt, sh

# One xdist worker runs all of this module (conftest.ONE_WORKER).
pytestmark = pytest.mark.docker


@pytest.fixture(scope="session")
def engine():
    """The storage driver of the Docker engine `docker info` reaches, or of one started here
    (overlay2, else vfs; see docker_engine.py). Every xdist worker shares the one engine."""
    try:
        driver = docker_engine.ensure_engine()
    except docker_engine.NotAvailable as e:
        not_run("container tests", str(e))
    measured(f"docker engine: storage driver {driver}")
    return driver


def test_apt_mirror_is_read_from_the_machines_sources(tmp_path):
    d = tmp_path / "sources.list.d"
    d.mkdir()
    (d / "debian.sources").write_text(
        "Types: deb\n# a comment\nURIs: http://mirror.invalid/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main\n\nTypes: deb\nURIs: http://mirror.invalid/debian-security\nSuites: bookworm-security\n")
    assert apt_mirror(d, tmp_path / "none.list") == "http://mirror.invalid/debian"
    legacy = tmp_path / "sources.list"
    legacy.write_text("# old style\ndeb [arch=amd64] http://other.invalid/debian bookworm main\n")
    assert apt_mirror(tmp_path / "missing.d", legacy) == "http://other.invalid/debian"


def fake_engine_start(monkeypatch, tmp_path, works):
    """ensure_engine with no engine answering and dockerd starting only on the drivers in `works`."""
    tried = []

    def start(driver):
        tried.append(driver)
        return (True, "") if driver in works else (False, f"{driver} failed")
    monkeypatch.setattr(docker_engine, "CACHE", tmp_path)
    monkeypatch.setattr(docker_engine, "docker_ok", lambda: False)
    monkeypatch.setattr(docker_engine.shutil, "which", lambda tool: f"/usr/sbin/{tool}")
    monkeypatch.setattr(docker_engine, "_start", start)
    monkeypatch.delenv("FLASKGEN_DOCKER_DRIVER", raising=False)
    return tried


def test_engine_starts_on_overlay2_and_falls_back_to_vfs(monkeypatch, tmp_path):
    tried = fake_engine_start(monkeypatch, tmp_path, {"overlay2", "vfs"})
    assert docker_engine.ensure_engine() == "overlay2" and tried == ["overlay2"]
    tried = fake_engine_start(monkeypatch, tmp_path, {"vfs"})
    assert docker_engine.ensure_engine() == "vfs" and tried == ["overlay2", "vfs"]
    tried = fake_engine_start(monkeypatch, tmp_path, set())
    with pytest.raises(docker_engine.NotAvailable, match="overlay2 failed; vfs failed"):
        docker_engine.ensure_engine()


@pytest.fixture(scope="session")
def base_image(engine):
    """python:3.13-slim if a registry answers, else the debootstrap stand-in (made once, cached as a tarball)."""
    try:
        image, how = docker_engine.ensure_base_image()
    except docker_engine.NotAvailable as e:
        not_run("container tests", str(e))
    if image == docker_engine.OFFICIAL:
        measured(f"base image: {image}, {how}")
    else:
        measured(f"base image: no registry reachable, so the debootstrap stand-in {image} ({how})")
    return image


@pytest.fixture(scope="session")
def cleanup(engine):
    """Containers and images the tests make; removed at the end, pass or fail."""
    made = {"containers": [], "images": []}
    yield made
    for c in made["containers"]:
        sh("docker", "rm", "-f", c, check=False)
    for i in made["images"]:
        sh("docker", "image", "rm", "-f", i, check=False)


@pytest.fixture(scope="session")
def built(tmp_path_factory, base_image, cleanup):
    """One project, non-default name, port and image name, built once."""
    tmp = tmp_path_factory.mktemp("docker")
    port = free_port()
    image = "shop/orders-api:e2e"
    project = generate(tmp, "orders-api", "-p", str(port), "-b", base_image, "--image", image)
    # Things the .dockerignore must keep out of the image.
    (project / ".env").write_text("SECRET=hunter2\n")
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "python").write_text("not a python\n")
    (project / "app" / ".env").write_text("SECRET=nested\n")
    (project / "app" / "__pycache__").mkdir()
    (project / "app" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"junk")
    cleanup["images"].append(image)
    start = time.monotonic()
    out = sh("docker", "build", "-t", image, ".", cwd=project, env={**os.environ, "DOCKER_BUILDKIT": "0"})
    took = time.monotonic() - start
    size = int(sh("docker", "image", "inspect", "-f", "{{.Size}}", image).stdout)
    base = int(sh("docker", "image", "inspect", "-f", "{{.Size}}", base_image).stdout)
    measured(f"docker build: {took:.1f}s from {base_image}; the project's layers add {(size - base) / 1e6:.1f} MB "
             f"to the base's {base / 1e6:.1f} MB")
    return {"project": project, "image": image, "port": port, "build_log": out.stdout}


def compose_hardening(project):
    """`docker run` flags for exactly the hardening the generated compose.yaml asks for."""
    (service,) = yaml.safe_load((project / "compose.yaml").read_text())["services"].values()
    flags = []
    if service.pop("read_only", False):
        flags.append("--read-only")
    flags += [a for t in service.pop("tmpfs", []) for a in ("--tmpfs", t)]
    flags += [a for c in service.pop("cap_drop", []) for a in ("--cap-drop", c)]
    flags += [a for o in service.pop("security_opt", []) for a in ("--security-opt", o)]
    grace = service.pop("stop_grace_period")
    assert grace.endswith("s") and grace[:-1].isdigit(), grace
    flags += ["--stop-timeout", grace[:-1]]
    # Everything else in the service is what any run gives (build, image, ports, environment, restart).
    assert set(service) <= {"build", "image", "ports", "environment", "restart"}, set(service)
    return flags


def run_detached(built, cleanup, image=None, name="orders-api-e2e", hardened=True):
    sh("docker", "rm", "-f", name, check=False)
    port = built["port"]
    flags = compose_hardening(built["project"]) if hardened else []
    cid = sh("docker", "run", "-d", "--name", name, "-p", f"{port}:{port}", *flags,
             image or built["image"]).stdout.strip()
    cleanup["containers"].append(cid)
    return cid


def test_hardened_container_serves_runs_as_non_root_turns_healthy_and_stops_fast(built, cleanup):
    """Run with compose.yaml's hardening: read-only, no capabilities, no new privileges."""
    cid = run_detached(built, cleanup)
    config = sh("docker", "inspect", "-f", "{{json .HostConfig}}", cid).stdout
    for want in ('"ReadonlyRootfs":true', '"CapDrop":["ALL"]', '"no-new-privileges:true"', '"/tmp":'):
        assert want in config, f"{want} not in {config}"
    port = built["port"]
    try:
        assert wait_for(f"http://127.0.0.1:{port}/", 20) == (200, "hello flask")
    except AssertionError:
        print(sh("docker", "logs", cid, check=False).stdout)
        raise
    assert http_get(f"http://127.0.0.1:{port}/healthz")[0] == 200

    assert sh("docker", "exec", cid, "id", "-u").stdout.strip() != "0"
    status = sh("docker", "exec", cid, "cat", "/proc/1/status").stdout
    uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
    assert uid_line.split()[1] == "10001", f"PID 1 runs as {uid_line}"
    fields = dict(line.split(":", 1) for line in status.splitlines())
    assert fields["CapEff"].strip() == "0" * 16 and fields["CapBnd"].strip() == "0" * 16, status
    assert fields["NoNewPrivs"].strip() == "1", status

    deadline = time.monotonic() + 60
    health = ""
    while time.monotonic() < deadline:
        health = sh("docker", "inspect", "-f", "{{.State.Health.Status}}", cid).stdout.strip()
        if health == "healthy":
            break
        assert health in ("starting", ""), f"health: {health}"
        time.sleep(1)
    assert health == "healthy"
    logs = sh("docker", "logs", cid).stdout + sh("docker", "logs", cid).stderr
    assert "Read-only file system" not in logs and "Traceback" not in logs, logs

    start = time.monotonic()
    sh("docker", "stop", cid)
    took = time.monotonic() - start
    measured(f"docker stop: {took:.2f}s")
    assert took < 3, f"docker stop took {took:.1f}s: PID 1 ignored SIGTERM"


def test_nothing_writes_outside_tmp(built, cleanup):
    """Without the read-only root, the file system changes a served, health-checked container makes are only in /tmp."""
    cid = run_detached(built, cleanup, name="orders-api-writes", hardened=False)
    port = built["port"]
    assert wait_for(f"http://127.0.0.1:{port}/", 20) == (200, "hello flask")
    for _ in range(20):
        http_get(f"http://127.0.0.1:{port}/healthz")
    sh("docker", "exec", cid, "python", "-c", "import os, urllib.request; urllib.request.urlopen("
       "'http://127.0.0.1:' + os.environ['PORT'] + '/healthz', timeout=2)")  # what HEALTHCHECK runs
    sh("docker", "exec", cid, "touch", "/tmp/probe")  # the check can see a write
    changes = sh("docker", "diff", cid).stdout.split("\n")
    changed = [line.split(" ", 1)[1] for line in changes if line.strip()]
    assert "/tmp/probe" in changed, changes
    outside = [p for p in changed if p != "/tmp" and not p.startswith("/tmp/")]
    assert outside == [], f"written outside /tmp: {outside}"
    sh("docker", "rm", "-f", cid)


def test_image_holds_no_ignored_files_and_no_pip_cache(built):
    script = (
        "import os\n"
        "found = []\n"
        "for root, dirs, files in os.walk('/srv/app'):\n"
        "    found += [os.path.join(root, n) for n in dirs + files]\n"
        "print('\\n'.join(sorted(found)))\n"
        # pip ran as root during the build, so its cache would be under /root,
        # which only root can look into: this check runs as root.
        "assert os.getuid() == 0 and os.access('/root', os.R_OK | os.X_OK)\n"
        "for p in ('/root/.cache/pip', '/srv/app/.cache/pip'):\n"
        "    print('PIPCACHE' if os.path.exists(p) else '', p)\n"
    )
    out = sh("docker", "run", "--rm", "--user", "0", built["image"], "python", "-c", script).stdout
    assert "/srv/app/app/app.py" in out and "/srv/app/gunicorn.conf.py" in out
    for bad in (".env", ".venv", "__pycache__", ".pyc", "tests", "compose.yaml", "README.md"):
        assert bad not in out, f"{bad} is in the image:\n{out}"
    assert "PIPCACHE" not in out


def test_editing_app_code_reuses_the_dependency_layer(built, cleanup):
    project = built["project"]
    app = project / "app" / "app.py"
    app.write_text(app.read_text() + "\n# an edit\n")
    tag = "shop/orders-api:e2e-edit"
    cleanup["images"].append(tag)
    start = time.monotonic()
    out = sh("docker", "build", "-t", tag, ".", cwd=project, env={**os.environ, "DOCKER_BUILDKIT": "0"}).stdout
    measured(f"docker build after editing app/app.py: {time.monotonic() - start:.1f}s")
    lines = out.splitlines()
    i = next(n for n, line in enumerate(lines) if "RUN pip install" in line)
    assert "Using cache" in lines[i + 1], "\n".join(lines[i:i + 5])
    j = next(n for n, line in enumerate(lines) if "COPY app/" in line)
    assert "Using cache" not in lines[j + 1], "the edited code is copied again"


def test_push_to_a_local_registry_and_pull_back(built, cleanup, tmp_path):
    if not shutil.which("docker-registry"):
        if not can_apt():
            not_run("push test", "docker-registry is not installed and cannot be")
        apt_install("docker-registry")
    reg_port = free_port()
    config = tmp_path / "registry.yml"
    config.write_text(
        "version: 0.1\n"
        f"storage:\n  filesystem:\n    rootdirectory: {tmp_path / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{reg_port}\n"
    )
    registry = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{reg_port}/v2/", 20)
        remote = f"127.0.0.1:{reg_port}/shop/orders-api:e2e"
        cleanup["images"].append(remote)
        sh("docker", "image", "tag", built["image"], remote)
        sh("docker", "image", "push", remote)
        sh("docker", "image", "rm", remote)
        assert sh("docker", "image", "inspect", remote, check=False).returncode != 0
        sh("docker", "image", "pull", remote)
        cid = run_detached(built, cleanup, image=remote, name="orders-api-pulled")
        try:
            assert wait_for(f"http://127.0.0.1:{built['port']}/", 60) == (200, "hello flask")
        except AssertionError:
            logs = sh("docker", "logs", cid, check=False)
            state = sh("docker", "inspect", "-f", "{{json .State}}", cid, check=False).stdout
            raise AssertionError(f"the pulled image did not serve; state {state}\n{logs.stdout}{logs.stderr}")
        sh("docker", "rm", "-f", cid)
    finally:
        registry.terminate()
        registry.wait(timeout=10)
