"""The Docker engine and the base image the container tests run on, shared by
every pytest-xdist worker (under a file lock) and by scripts/test, which
prepares them in the background while the Rust tests run:

    python3 tests/e2e/docker_engine.py prepare   # engine up, base image loaded; prints the driver
    python3 tests/e2e/docker_engine.py stop      # stops a dockerd this file started for OWNER

The engine is the one `docker info` reaches, or a dockerd started here on
overlay2, falling back to vfs when overlay2 fails at start or at a first
one-file build (a kernel or file system without overlayfs). The base image is
python:3.13-slim when a registry answers, else a Debian bookworm Python made
with debootstrap, cached as a tarball under ~/.cache/flaskgen-tests.

Whoever starts a dockerd records it with an owner (FLASKGEN_ENGINE_OWNER) in
the cache's dockerd.pid; only that owner stops it."""

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

# Like python:* images it has Python's headers (python3-dev), so pip can build
# a dependency from source once the Dockerfile installs a compiler; the tag
# names that, so an engine holding an older stand-in makes the new one.
STANDIN = "localhost/flaskgen-standin-python:3.11-bookworm-dev"
OFFICIAL = "python:3.13-slim"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "flaskgen-tests"
PIDFILE = CACHE / "dockerd.pid"  # "<pid> <owner> <driver>" of a dockerd started here
DRIVERS = ("overlay2", "vfs")


class NotAvailable(Exception):
    """The engine or base image cannot be had here; the message says why."""


def sh(*args, check=True, timeout=600, **kw):
    out = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out


def log(line):
    print(f"docker engine: {line}", file=sys.stderr, flush=True)


@contextmanager
def locked(name):
    """One holder at a time across processes (xdist workers, scripts/test's preparation)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def docker_ok():
    try:
        return sh("docker", "info", check=False, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def running_driver():
    return sh("docker", "info", "--format", "{{.Driver}}").stdout.strip()


def can_apt():
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(*pkgs):
    with locked("apt"):
        sh("apt-get", "update", "-qq", timeout=600)
        sh("apt-get", "install", "-y", "-qq", "--no-install-recommends", *pkgs, timeout=1200,
           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def owner():
    return os.environ.get("FLASKGEN_ENGINE_OWNER", f"pid-{os.getpid()}")


def _started():
    """(pid, owner, driver) of the live dockerd this file started, or None."""
    try:
        pid, who, driver = PIDFILE.read_text().split()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return (int(pid), who, driver) if b"dockerd" in cmdline else None


def _alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _terminate(pid):
    """SIGTERM, then SIGKILL after 30 s (dockerd stops its containers first)."""
    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _probe_build():
    """A one-file classic build: mounts a container root file system with the driver."""
    with tempfile.TemporaryDirectory() as ctx:
        Path(ctx, "probe").write_text("probe\n")
        Path(ctx, "Dockerfile").write_text("FROM scratch\nCOPY probe /probe\n")
        out = sh("docker", "build", "-q", "-t", "flaskgen-probe:driver", ctx, check=False, timeout=120,
                 env={**os.environ, "DOCKER_BUILDKIT": "0"})
    sh("docker", "image", "rm", "-f", "flaskgen-probe:driver", check=False)
    return out.returncode == 0, out.stderr.strip()


def _start(driver):
    """Starts dockerd on `driver`; (True, '') once it builds, else (False, why) with it stopped again."""
    logfile = CACHE / f"dockerd-{driver}.log"
    proc = subprocess.Popen(["dockerd", f"--storage-driver={driver}"], stdout=open(logfile, "w"),
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    PIDFILE.write_text(f"{proc.pid} {owner()} {driver}\n")
    deadline = time.monotonic() + 60
    while not docker_ok():
        if proc.poll() is not None or time.monotonic() > deadline:
            _terminate(proc.pid)
            proc.wait()
            PIDFILE.unlink(missing_ok=True)
            return False, f"dockerd --storage-driver={driver} did not start: {logfile.read_text()[-1500:]}"
        time.sleep(0.5)
    ok, why = _probe_build()
    if not ok:
        _terminate(proc.pid)
        proc.wait()
        PIDFILE.unlink(missing_ok=True)
        return False, f"a first build on {driver} failed: {why[-1500:]}"
    return True, ""


def ensure_engine():
    """The storage driver of the engine in use, starting one if none answers (raises NotAvailable)."""
    with locked("engine"):
        if docker_ok():
            driver = running_driver()
            mine = _started()
            log(f"storage driver {driver} ({'started here' if mine else 'already running'})")
            return driver
        if not can_apt() and not shutil.which("dockerd"):
            raise NotAvailable("no Docker engine answers `docker info`, and installing one needs root and apt")
        if not shutil.which("dockerd"):
            apt_install("docker.io", "containerd", "runc", "iptables")
        wanted = os.environ.get("FLASKGEN_DOCKER_DRIVER")  # to force one, e.g. vfs
        failures = []
        for driver in ([wanted] if wanted else DRIVERS):
            ok, why = _start(driver)
            if ok:
                if failures:
                    log(f"overlay2 does not work here, so vfs (slower: every layer is a full copy): {failures[0]}")
                log(f"storage driver {driver} (dockerd started here)")
                return driver
            failures.append(why)
        raise NotAvailable("; ".join(failures))


def stop_engine(who=None):
    """Stops the dockerd this file started for `who` (default: this process's owner); True if it did."""
    started = _started()
    if not started or started[1] != (who or owner()):
        return False
    _terminate(started[0])
    PIDFILE.unlink(missing_ok=True)
    return True


def apt_mirror(sources_dir=Path("/etc/apt/sources.list.d"), sources_list=Path("/etc/apt/sources.list")):
    """The Debian mirror this machine's apt uses (deb822 .sources files first,
    then sources.list), so debootstrap follows the machine's configuration."""
    for f in sorted(sources_dir.glob("*.sources")) if sources_dir.is_dir() else []:
        for stanza in f.read_text().split("\n\n"):
            fields = {}
            for line in stanza.splitlines():
                if ":" in line and not line.lstrip().startswith("#"):
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.strip()
            suites = fields.get("suites", "").split()
            if "deb" in fields.get("types", "").split() and any(s in ("bookworm", "stable") for s in suites):
                uris = fields.get("uris", "").split()
                if uris:
                    return uris[0]
    lists = [sources_list] + (sorted(sources_list.parent.glob("sources.list.d/*.list")) if sources_list.parent.is_dir() else [])
    for f in lists:
        if not f.is_file():
            continue
        for line in f.read_text().splitlines():
            words = line.split("#", 1)[0].split()
            # deb [options] URI suite components...
            words = [w for w in words if not (w.startswith("[") or w.endswith("]"))]
            if len(words) >= 3 and words[0] == "deb" and words[2] in ("bookworm", "stable"):
                return words[1]
    raise NotAvailable("no Debian bookworm mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list")


def build_standin():
    """A Debian Python image made with debootstrap (no registry can be reached), cached as a tarball."""
    tarball = CACHE / "standin-python-3.11-bookworm-dev.tar"
    if tarball.exists():
        sh("docker", "load", "-i", str(tarball))
        return "loaded from the cached tarball"
    if not shutil.which("debootstrap"):
        if not can_apt():
            raise NotAvailable("no base image can be pulled and debootstrap is missing")
        apt_install("debootstrap")
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        rootfs = Path(tmp) / "rootfs"
        sh("debootstrap", "--variant=minbase", "--include=python3,python3-dev,python3-pip,python3-venv,ca-certificates",
           "bookworm", str(rootfs), apt_mirror(), timeout=1200)
        for f in rootfs.glob("usr/lib/python3.*/EXTERNALLY-MANAGED"):
            f.unlink()  # pip installs system-wide, as in python:* images
        (rootfs / "usr/local/bin/python").symlink_to("/usr/bin/python3")
        (rootfs / "usr/local/bin/pip").symlink_to("/usr/bin/pip3")
        # This network's TLS chain, so pip inside builds can reach PyPI.
        shutil.copy("/etc/ssl/certs/ca-certificates.crt", rootfs / "etc/ssl/certs/ca-certificates.crt")
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        sh("docker", "import", "--change", "ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
           "-", STANDIN, stdin=tar.stdout)
        tar.wait()
        partial = tarball.with_suffix(".partial")
        sh("docker", "save", "-o", str(partial), STANDIN)
        partial.rename(tarball)  # a run cut short leaves no half tarball to load next time
    return "made with debootstrap (and cached)"


def ensure_base_image():
    """(image, how): the official Python image if it can be pulled, else the stand-in."""
    with locked("base-image"):
        engine_pid = Path("/var/run/docker.pid").read_text().strip() if Path("/var/run/docker.pid").exists() else "?"
        no_pull = CACHE / "pull-failed"  # this engine (by pid) could not pull: not asked again
        if sh("docker", "image", "inspect", OFFICIAL, check=False).returncode == 0:
            return OFFICIAL, "already here"
        tried = no_pull.exists() and no_pull.read_text() == engine_pid
        if not tried:
            if sh("docker", "pull", OFFICIAL, check=False, timeout=300).returncode == 0:
                return OFFICIAL, "pulled"
            no_pull.write_text(engine_pid)
        if sh("docker", "image", "inspect", STANDIN, check=False).returncode == 0:
            return STANDIN, "already in the engine"
        return STANDIN, build_standin()


def main(argv):
    what = argv[1] if len(argv) > 1 else ""
    if what == "prepare":
        start = time.monotonic()
        try:
            driver = ensure_engine()
            image, how = ensure_base_image()
        except (NotAvailable, AssertionError, OSError, subprocess.TimeoutExpired) as e:
            log(f"not prepared (the container tests will say why): {e}")
            return 1
        log(f"ready in {time.monotonic() - start:.0f}s: driver {driver}, base image {image} ({how})")
        return 0
    if what == "stop":
        if stop_engine():
            log("the dockerd started for this run is stopped")
        return 0
    print("usage: docker_engine.py prepare|stop", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
