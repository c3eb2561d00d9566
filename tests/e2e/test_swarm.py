"""The generated deploy/stack.yaml, live on Docker Swarm on this machine's
engine: every replica healthy and serving, a rolling update under load with no
failed request, a broken update rolled back on its own, scaling out and in.

This kernel has no IPVS, so Swarm's routing mesh and virtual-IP endpoints do
not work here (a published port times out). The test therefore deploys the
stack file without its published port and with an override file that sets
`endpoint_mode: dnsrr` (DNS round robin over the overlay network), and a
client container on the stack's network talks to the service by name."""

import json
import os
import re
import time

import pytest
import yaml

from conftest import generate, measured, not_run
from test_deploy import SHARED_PORT
from test_docker import base_image, cleanup, engine, sh  # noqa: F401 (fixtures shared with the container tests)

# One xdist worker runs all of this module (conftest.ONE_WORKER).
pytestmark = pytest.mark.docker

PREFIX = f"fgswarm{os.getpid()}"  # stack, images and containers on the shared engine carry this
STACK = PREFIX
SERVICE = f"{STACK}_web"
REPLICAS = 2

OVERRIDE = """\
# Test-only: this kernel has no IPVS, so no routing mesh or VIP; DNS round robin instead.
version: "3.9"
services:
  web:
    deploy:
      endpoint_mode: dnsrr
networks:
  web:
    attachable: true        # so the test's client container can join it
"""

# A client loop for inside a container on the stack's network: one request per
# connection, resolving the service name each time, until SIGTERM; then counts.
CLIENT = r"""
import json, signal, sys, time, urllib.request
url, stop = sys.argv[1], []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
ok = failed = n = 0
bodies, errors = {}, []
while not stop:
    n += 1
    try:
        with urllib.request.urlopen(f"{url}?req={n}", timeout=5) as r:
            body = r.read().decode()
        ok += 1
        bodies[body] = bodies.get(body, 0) + 1
    except Exception as e:
        failed += 1
        errors.append(f"{time.strftime('%H:%M:%S')} {e!r}"[:200])
    time.sleep(0.01)
print(json.dumps({"ok": ok, "failed": failed, "bodies": bodies, "errors": errors[:10]}), flush=True)
"""


def swarm_state():
    out = sh("docker", "info", "--format", "{{json .Swarm}}").stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def swarm(engine):  # noqa: F811
    state = swarm_state()
    created = False
    if state["LocalNodeState"] == "inactive":
        out = sh("docker", "swarm", "init", "--advertise-addr", "127.0.0.1", check=False)
        if out.returncode != 0:
            not_run("Swarm tests", f"docker swarm init failed: {out.stderr.strip()}")
        created = True
        print("swarm: initialised here (docker swarm init --advertise-addr 127.0.0.1); left again at the end")
    elif state["LocalNodeState"] != "active" or not state.get("ControlAvailable"):
        not_run("Swarm tests", f"this engine is in a swarm but not as a manager: {state['LocalNodeState']}")
    else:
        print("swarm: the engine was already a manager of a swarm; it stays in it")
    yield
    # Task containers outlive `docker stack rm` for a moment; they are this test's to remove.
    for c in sh("docker", "ps", "-aq", "--filter", f"label=com.docker.stack.namespace={STACK}").stdout.split():
        sh("docker", "rm", "-f", c, check=False)
    if created:
        sh("docker", "swarm", "leave", "--force", check=False)


def wait(what, check, seconds, interval=1.0):
    deadline = time.monotonic() + seconds
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds}s\n{diagnose()}")
        time.sleep(interval)


def diagnose():
    ps = sh("docker", "service", "ps", "--no-trunc", SERVICE, check=False)
    logs = sh("docker", "service", "logs", "--tail", "30", SERVICE, check=False, timeout=60)
    return f"{ps.stdout}{ps.stderr}\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}"


def healthy(n, image):
    """n running containers of the service, all healthy, all from `image`, and no others."""
    def check():
        out = sh("docker", "ps", "--filter", f"label=com.docker.swarm.service.name={SERVICE}",
                 "--format", "{{.Image}}\t{{.Status}}").stdout.split("\n")
        rows = [r.split("\t") for r in out if r]
        return len(rows) == n and all(img == image and "(healthy)" in st for img, st in rows)
    return check


def update_state():
    out = sh("docker", "service", "inspect", "-f", "{{json .UpdateStatus}}", SERVICE).stdout.strip()
    return (json.loads(out) or {}).get("State") if out not in ("", "null") else None


class Client:
    """The client loop in a container on the stack's network."""

    def __init__(self, image, cleanup, tag, port):
        self.name = f"{PREFIX}-client-{tag}"
        sh("docker", "rm", "-f", self.name, check=False)
        sh("docker", "run", "-d", "--name", self.name, "--network", f"{STACK}_web", image,
           "python3", "-c", CLIENT, f"http://web:{port}/")
        cleanup["containers"].append(self.name)
        self.started = time.monotonic()

    def stop(self):
        sh("docker", "stop", "-t", "30", self.name)
        logs = sh("docker", "logs", self.name)
        result = json.loads(logs.stdout.strip().splitlines()[-1])
        result["seconds"] = time.monotonic() - self.started
        return result


def replicas_that_served(since):
    """Distinct tasks (replica slot.task id) whose access log shows a request of the client since `since`."""
    logs = sh("docker", "service", "logs", "--no-trunc", "--since", since, SERVICE, timeout=120)
    tasks = set()
    for line in (logs.stdout + logs.stderr).splitlines():
        m = re.match(rf"{re.escape(SERVICE)}\.(\d+)\.(\w+)@\S+\s*\|.*\"GET /\?req=\d+ HTTP", line)
        if m:
            tasks.add(f"{m.group(1)}.{m.group(2)[:12]}")
    return tasks


def docker_build(context, tag, cleanup, dockerfile=None):
    cleanup["images"].append(tag)
    args = ["docker", "build", "-t", tag, *(["-f", dockerfile] if dockerfile else []), "."]
    start = time.monotonic()
    sh(*args, cwd=context, env={**os.environ, "DOCKER_BUILDKIT": "0"}, timeout=1200)
    return time.monotonic() - start


def test_stack_deploys_serves_from_every_replica_updates_rolls_back_and_scales(
        swarm, base_image, cleanup, tmp_path):  # noqa: F811
    port = SHARED_PORT  # no port is published; the same as test_deploy's build, to reuse its layers
    image1, image2, bad = f"{PREFIX}/app:1", f"{PREFIX}/app:2", f"{PREFIX}/app:broken"
    project = generate(tmp_path, "swarm-app", "-p", str(port), "-b", base_image, "--image", image1,
                       "--deploy", "swarm", "-d", f"replicas={REPLICAS}")
    stack = yaml.safe_load((project / "deploy/stack.yaml").read_text())
    web = stack["services"]["web"]
    assert web["deploy"]["replicas"] == REPLICAS and web["image"] == image1

    took_build = docker_build(project, image1, cleanup)

    # The stack file as generated, less its published port; the override adds dnsrr.
    del web["ports"]
    live = tmp_path / "stack-no-published-port.yaml"
    live.write_text(yaml.safe_dump(stack, sort_keys=False))
    override = tmp_path / "override.yaml"
    override.write_text(OVERRIDE)
    print("NOTE: no IPVS in this kernel: deploying deploy/stack.yaml without its published port, "
          f"with an override setting endpoint_mode: dnsrr:\n{OVERRIDE}")
    try:
        start = time.monotonic()
        sh("docker", "stack", "deploy", "--resolve-image", "never", "-c", live, "-c", override, STACK)
        wait("all replicas healthy", healthy(REPLICAS, image1), 240)
        took_deploy = time.monotonic() - start

        spec = json.loads(sh("docker", "service", "inspect", SERVICE).stdout)[0]["Spec"]
        cs = spec["TaskTemplate"]["ContainerSpec"]
        assert cs["ReadOnly"] is True and cs["CapabilityDrop"] == ["ALL"], cs
        assert any(m["Type"] == "tmpfs" and m["Target"] == "/tmp" for m in cs["Mounts"]), cs["Mounts"]
        assert spec["UpdateConfig"]["Order"] == "start-first"
        assert spec["UpdateConfig"]["FailureAction"] == "rollback"
        assert spec["TaskTemplate"]["Resources"]["Limits"]["MemoryBytes"] > 0
        assert cs["StopGracePeriod"] > 10 ** 9 * 10  # over gunicorn's graceful_timeout
        assert spec["EndpointSpec"]["Mode"] == "dnsrr"

        # Every replica serves.
        since = sh("date", "-u", "+%Y-%m-%dT%H:%M:%SZ").stdout.strip()
        time.sleep(1)
        client = Client(base_image, cleanup, "spread", port)
        time.sleep(6)
        spread = client.stop()
        assert spread["failed"] == 0 and spread["ok"] > 20, spread
        served = wait("access logs of every replica", lambda: (
            s if len(s := replicas_that_served(since)) >= REPLICAS else None), 30)
        print(f"{spread['ok']} requests from a client container, served by {len(served)} replicas: {sorted(served)}")
        assert len(served) == REPLICAS

        # A rolling update to an edited app, under load.
        app = project / "app/app.py"
        app.write_text(app.read_text().replace('return "hello flask"', 'return "hello flask v2"'))
        docker_build(project, image2, cleanup)
        client = Client(base_image, cleanup, "update", port)
        time.sleep(2)
        start = time.monotonic()
        sh("docker", "service", "update", "--detach", "--no-resolve-image", "--image", image2, SERVICE)
        wait("rolling update completed", lambda: update_state() == "completed", 300)
        wait("new replicas healthy", healthy(REPLICAS, image2), 120)
        took_update = time.monotonic() - start
        time.sleep(2)
        update = client.stop()
        print(f"rolling update under load: {update['ok']} requests, {update['failed']} failed, "
              f"responses {update['bodies']}, in {took_update:.1f}s")
        assert update["failed"] == 0, update
        assert set(update["bodies"]) == {"hello flask", "hello flask v2"}, update

        # An update whose health check fails is rolled back, and the service answers throughout.
        (project / "Dockerfile.broken").write_text(
            f"FROM {image2}\n"
            "HEALTHCHECK --interval=2s --timeout=2s --start-period=1s --retries=2 "
            "CMD [\"python\", \"-c\", \"raise SystemExit(1)\"]\n")
        docker_build(project, bad, cleanup, dockerfile="Dockerfile.broken")
        client = Client(base_image, cleanup, "rollback", port)
        time.sleep(2)
        start = time.monotonic()
        sh("docker", "service", "update", "--detach", "--no-resolve-image", "--image", bad, SERVICE)
        seen = set()

        def rolled_back():
            seen.add(update_state())
            return update_state() == "rollback_completed"
        wait("automatic rollback", rolled_back, 300)
        took_rollback = time.monotonic() - start
        wait("previous replicas healthy", healthy(REPLICAS, image2), 120)
        rollback = client.stop()
        image_now = json.loads(sh("docker", "service", "inspect", SERVICE).stdout)[0]["Spec"]["TaskTemplate"][
            "ContainerSpec"]["Image"]
        print(f"broken update: states {sorted(s for s in seen if s)}; rolled back to {image_now} in "
              f"{took_rollback:.1f}s; {rollback['ok']} requests, {rollback['failed']} failed")
        assert image_now == image2
        assert rollback["failed"] == 0 and rollback["ok"] > 20, rollback
        assert set(rollback["bodies"]) == {"hello flask v2"}, rollback

        # Scale out and back in.
        start = time.monotonic()
        sh("docker", "service", "scale", "--detach", f"{SERVICE}=4")
        wait("4 replicas healthy", healthy(4, image2), 180)
        took_scale = time.monotonic() - start
        since = sh("date", "-u", "+%Y-%m-%dT%H:%M:%SZ").stdout.strip()
        time.sleep(1)
        client = Client(base_image, cleanup, "scaled", port)
        time.sleep(6)
        scaled = client.stop()
        assert scaled["failed"] == 0, scaled
        served4 = wait("access logs of 4 replicas", lambda: (
            s if len(s := replicas_that_served(since)) >= 4 else None), 30)
        sh("docker", "service", "scale", "--detach", f"{SERVICE}={REPLICAS}")
        wait(f"back to {REPLICAS} replicas", healthy(REPLICAS, image2), 120)
        print(f"scaled to 4 (all serving: {len(served4)}) in {took_scale:.1f}s, and back to {REPLICAS}")

        measured(f"swarm: build {took_build:.1f}s, deploy to {REPLICAS} healthy replicas {took_deploy:.1f}s, "
                 f"rolling update {took_update:.1f}s ({update['ok']} requests, {update['failed']} failed), "
                 f"automatic rollback {took_rollback:.1f}s ({rollback['ok']} requests, {rollback['failed']} failed), "
                 f"scale 2->4 {took_scale:.1f}s (dnsrr endpoints: no IPVS here)")
    finally:
        for c in [c for c in cleanup["containers"] if c.startswith(f"{PREFIX}-client-")]:
            sh("docker", "rm", "-f", c, check=False)
        sh("docker", "stack", "rm", STACK, check=False)
        # The stack's network goes once its tasks have; wait so a swarm leave or the next run is clean.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sh(
                "docker", "network", "ls", "-q", "--filter", f"name={STACK}_web").stdout.strip():
            time.sleep(1)
