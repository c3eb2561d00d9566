"""Serving benchmark (`scripts/bench serve`): the tutorial's app against the
generated default project, in one run, in the local Docker engine.

Both images are built from the stand-in Python base the container tests use.
Each app runs in its own container (the generated one with compose.yaml's
hardening) on a Docker network this benchmark makes, and is loaded with wrk at
the container's address on it (no docker-proxy in the path), 64 connections
for 10 s, alternating the apps every round. Then a stop under load: `docker
stop` while wrk runs, with every response checked. Traffic goes only to those
containers.

    scripts/bench serve [ROUNDS]           (default 3 rounds)
    BENCH_CONFIGS="sync:2:1 gthread:2:8"   also load the generated image with
                                           other gunicorn settings (class:workers:threads)
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "target/release/flaskgen"
HERE = ROOT / "benches/serve"
STANDIN = "localhost/flaskgen-standin-python:3.11-bookworm-dev"
STANDIN_TAR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "flaskgen-tests" / \
    "standin-python-3.11-bookworm-dev.tar"
PREFIX = f"flaskgen-bench-{os.getpid()}"
CONNECTIONS, DURATION = 64, 10


def sh(*args, check=True, **kw):
    out = subprocess.run(args, capture_output=True, text=True, **kw)
    if check and out.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{out.stdout}\n{out.stderr}")
    return out


def ok(url):
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def seconds(text):
    """wrk's '1.23ms' / '456.00us' / '1.02s' as seconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m[1]) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[m[2]]


def wrk(url, duration=DURATION, script=None):
    args = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{duration}s", "--latency", "--timeout", "5s"]
    if script:
        args += ["-s", str(script)]
    out = sh(*args, url).stdout
    res = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
           "p50": seconds(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1]),
           "p99": seconds(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1]),
           "requests": int(re.search(r"(\d+) requests in", out)[1]),
           "socket_errors": 0, "non2xx": 0, "raw": out}
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        res["socket_errors"] = sum(int(x) for x in m.groups())
        res["connect_errors"] = int(m[1])
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        res["non2xx"] = int(m[1])
    m = re.search(r"CHECKED good=(\d+) bad=(\d+)", out)
    if m:
        res["good"], res["bad"] = int(m[1]), int(m[2])
    return res


class Run:
    """One container: started, timed to first answer and to healthy, removed at the end."""

    def __init__(self, label, image, network, flags=(), env=(), port=5000):
        self.label, self.image, self.port = label, image, port
        self.name = f"{PREFIX}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}"
        args = ["docker", "run", "-d", "--name", self.name, "--network", network,
                *flags, *(a for e in env for a in ("-e", e)), image]
        start = time.monotonic()
        sh(*args)
        self.started = start
        self.host = sh("docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                       self.name).stdout.strip()
        self.url = url = f"http://{self.host}:{port}/"
        while not ok(url):
            if time.monotonic() - start > 60:
                raise SystemExit(f"{label} did not answer: {sh('docker', 'logs', self.name, check=False).stderr}")
            time.sleep(0.05)
        self.to_answer = time.monotonic() - start
        self.to_healthy = None

    def wait_healthy(self):
        if not sh("docker", "inspect", "-f", "{{if .State.Health}}yes{{end}}", self.name).stdout.strip():
            return None
        while True:
            status = sh("docker", "inspect", "-f", "{{.State.Health.Status}}", self.name).stdout.strip()
            if status == "healthy":
                self.to_healthy = time.monotonic() - self.started
                return self.to_healthy
            if time.monotonic() - self.started > 120:
                raise SystemExit(f"{self.label}: health {status}")
            time.sleep(0.1)

    def remove(self):
        sh("docker", "rm", "-f", self.name, check=False)


def build(label, context, tag, build_args=()):
    start = time.monotonic()
    sh("docker", "build", "--no-cache", "-t", tag, *(a for b in build_args for a in ("--build-arg", b)), ".",
       cwd=context, env={**os.environ, "DOCKER_BUILDKIT": "0"})
    took = time.monotonic() - start
    size = int(sh("docker", "image", "inspect", "-f", "{{.Size}}", tag).stdout)
    print(f"built {label}: {took:.1f}s, {size / 1e6:.0f} MB", file=sys.stderr)
    return took, size


def hardening_flags(project):
    """compose.yaml's hardening as `docker run` flags (the same as the container tests use)."""
    text = (project / "compose.yaml").read_text()
    grace = re.search(r"stop_grace_period: (\d+)s", text)[1]
    assert "read_only: true" in text and "- ALL" in text and "no-new-privileges:true" in text
    return ["--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true",
            "--stop-timeout", grace], int(grace)


def stop_under_load(run, grace):
    """docker stop 3 s into a wrk run that checks every response; wrk is stopped (SIGINT, it then
    reports) the moment the container has exited. How long the stop took, and what came back."""
    result = {}
    wrk_proc = subprocess.Popen(["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{grace + 30}s", "--timeout", "5s",
                                 "-s", str(HERE / "check.lua"), run.url],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(3)
    start = time.monotonic()
    sh("docker", "stop", "-t", str(grace), run.name)
    result["stop_s"] = time.monotonic() - start
    wrk_proc.send_signal(signal.SIGINT)
    out = wrk_proc.communicate(timeout=60)[0]
    result["exit_code"] = int(sh("docker", "inspect", "-f", "{{.State.ExitCode}}", run.name).stdout)
    m = re.search(r"CHECKED good=(\d+) bad=(\d+)", out)
    result["good"], result["bad"] = (int(m[1]), int(m[2])) if m else (None, None)
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()))) if m else {}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non2xx"] = int(m[1]) if m else 0
    return result


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    if sh("docker", "info", check=False).returncode != 0:
        raise SystemExit("no Docker engine answers `docker info`")
    if sh("docker", "image", "inspect", STANDIN, check=False).returncode != 0:
        if not STANDIN_TAR.exists():
            raise SystemExit(f"the stand-in base {STANDIN} is missing: `scripts/test docker` builds it once")
        sh("docker", "load", "-i", str(STANDIN_TAR))
    work = Path(tempfile.mkdtemp(prefix="flaskgen-bench-serve-"))
    images, runs = [], []
    network = f"{PREFIX}-net"
    sh("docker", "network", "create", network)
    try:
        sh(str(BIN), "new", "hello-flask", "--yes", "-q", "-b", STANDIN, "-p", "5000", "--image",
           f"{PREFIX}-generated", cwd=work, env={**os.environ, "XDG_CONFIG_HOME": str(work / "cfg")})
        project = work / "hello-flask"
        tut_tag, gen_tag = f"{PREFIX}-tutorial", f"{PREFIX}-generated"
        images += [tut_tag, gen_tag]
        facts = {}
        facts["tutorial"] = build("tutorial", HERE / "tutorial", tut_tag, [f"BASE={STANDIN}"])
        facts["generated"] = build("generated", project, gen_tag)
        flags, grace = hardening_flags(project)

        configs = {"tutorial": (tut_tag, [], []), "generated": (gen_tag, flags, [])}
        for spec in os.environ.get("BENCH_CONFIGS", "").split():
            cls, workers, threads = spec.split(":")
            configs[f"generated {cls} {workers}x{threads}"] = (
                gen_tag, flags, [f"GUNICORN_WORKER_CLASS={cls}", f"WEB_CONCURRENCY={workers}",
                                 f"GUNICORN_THREADS={threads}"])
        live = {}
        for label, (image, fl, env) in configs.items():
            live[label] = Run(label, image, network, fl, env)
            runs.append(live[label])
        for run in live.values():
            run.wait_healthy()
        # Warm up each, then alternate the order every round.
        for run in live.values():
            wrk(run.url, duration=2)
        results = {label: [] for label in live}
        labels = list(live)
        for i in range(rounds):
            for label in (labels if i % 2 == 0 else labels[::-1]):
                r = wrk(live[label].url)
                results[label].append(r)
                print(f"round {i + 1} {label}: {r['rps']:.0f} req/s, p50 {r['p50'] * 1e3:.1f} ms, "
                      f"p99 {r['p99'] * 1e3:.1f} ms, errors {r['socket_errors']}, non-2xx {r['non2xx']}",
                      file=sys.stderr)

        stops = {"tutorial": stop_under_load(live["tutorial"], 10), "generated": stop_under_load(live["generated"], grace)}

        print()
        print(f"wrk -t2 -c{CONNECTIONS} -d{DURATION}s, {rounds} rounds alternated; medians of the rounds; "
              f"{os.cpu_count()} CPUs shared with everything else on this machine")
        print()
        print("| app | req/s | p50 | p99 | socket errors | non-2xx | image | build | run → first 200 | run → healthy |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        med = {}
        for label, rs in results.items():
            med[label] = {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50", "p99")}
            errs = sum(r["socket_errors"] for r in rs)
            non2xx = sum(r["non2xx"] for r in rs)
            base = "tutorial" if label == "tutorial" else "generated"
            took, size = facts[base]
            run = live[label]
            healthy = f"{run.to_healthy:.1f} s" if run.to_healthy else "no HEALTHCHECK"
            print(f"| {label} | {med[label]['rps']:.0f} | {med[label]['p50'] * 1e3:.1f} ms | "
                  f"{med[label]['p99'] * 1e3:.1f} ms | {errs} | {non2xx} | {size / 1e6:.0f} MB | {took:.1f} s | "
                  f"{run.to_answer:.2f} s | {healthy} |")
        t, g = med["tutorial"], med["generated"]
        print()
        print(f"generated vs tutorial: {g['rps'] / t['rps']:.2f}x the requests/s (goal >= 1.5x), "
              f"{g['p99'] / t['p99']:.2f}x the p99 (goal <= 0.5x)")
        print()
        print("stop under load (docker stop 3 s into a wrk run that checks every response, until the container exits):")
        for label, s in stops.items():
            limit = grace if label == "generated" else 10
            print(f"  {label}: stopped in {s['stop_s']:.2f} s (grace {limit} s), exit code {s['exit_code']}; "
                  f"responses 200 'hello flask': {s['good']}, other: {s['bad']}, non-2xx: {s['non2xx']}; "
                  f"socket errors {s['errors']} (connections the stopping server closed or refused)")
        gs = stops["generated"]
        verdict = gs["bad"] == 0 and gs["non2xx"] == 0 and gs["stop_s"] < grace and gs["exit_code"] == 0
        print(f"  generated: {'every response a 200, exited within its grace period' if verdict else 'FAILED'}")
        for label, rs in results.items():
            if any(r["socket_errors"] or r["non2xx"] for r in rs):
                print(f"NOTE: {label} had errors under load")
    finally:
        for run in runs:
            run.remove()
        for image in images:
            sh("docker", "image", "rm", "-f", image, check=False)
        sh("docker", "network", "rm", network, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
