"""The template's dependency lock: every package pinned with hashes that belong
to its pinned version, installable from wheels alone on every base image
`flaskgen list` suggests (and on the container tests' stand-in), and
pyproject.toml's requires-python is what the pins really need."""

import json
import re
import subprocess
import sys
import tomllib
import urllib.request
import zipfile
from functools import cache
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from conftest import ROOT, flaskgen, generate

TEMPLATE = ROOT / "templates" / "default"
LOCKS = ["requirements.txt", "requirements-dev.txt"]
# The container tests' stand-in base: Debian bookworm's Python (see docker_engine.py).
STANDIN_PYTHON = "3.11"
PLATFORMS = {
    ("glibc", "x86_64"): ["manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_28_x86_64"],
    ("glibc", "aarch64"): ["manylinux_2_17_aarch64", "manylinux2014_aarch64", "manylinux_2_28_aarch64"],
    ("musl", "x86_64"): ["musllinux_1_1_x86_64", "musllinux_1_2_x86_64"],
    ("musl", "aarch64"): ["musllinux_1_1_aarch64", "musllinux_1_2_aarch64"],
}


def parse_lock(text):
    """{name: (version, marker or None, [sha256 hashes])} of a pip-compile/uv lock file."""
    joined = re.sub(r"\\\n", " ", text)
    pins = {}
    for line in joined.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        assert not line.startswith("-"), f"options are not allowed in a lock: {line}"
        parts = line.split()
        hashes = [p.removeprefix("--hash=sha256:") for p in parts if p.startswith("--hash=")]
        assert all(p.startswith("--hash=sha256:") for p in parts if p.startswith("--hash=")), line
        req = Requirement(" ".join(p for p in parts if not p.startswith("--hash=")))
        (spec,) = req.specifier
        assert spec.operator == "==", f"{req.name} is not pinned with ==: {line}"
        name = canonicalize_name(req.name)
        assert name not in pins, f"{name} is pinned twice"
        pins[name] = (spec.version, str(req.marker) if req.marker else None, hashes)
    return pins


def index_url():
    """The index pip is configured to use (never a host name written here)."""
    out = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.index-url"],
                         capture_output=True, text=True)
    if out.returncode == 0 and out.stdout.strip():
        return out.stdout.strip().rstrip("/")
    from pip._internal.models.index import PyPI
    return PyPI.simple_url.rstrip("/")


@cache
def published_hashes(name, version):
    """sha256 of every file the index publishes for name==version (PEP 691 JSON simple API)."""
    req = urllib.request.Request(f"{index_url()}/{name}/",
                                 headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        files = json.load(r)["files"]
    found = set()
    for f in files:
        fn = f["filename"]
        try:
            v = parse_wheel_filename(fn)[1] if fn.endswith(".whl") else parse_sdist_filename(fn)[1]
        except Exception:
            continue
        if v == Version(version) and "sha256" in f.get("hashes", {}):
            found.add(f["hashes"]["sha256"])
    return found


def lock_problems(pins):
    """What is wrong between pins and hashes: [] when every hash set belongs to its pinned version."""
    problems = []
    for name, (version, _, hashes) in sorted(pins.items()):
        if not hashes:
            problems.append(f"{name}=={version} has no hashes")
            continue
        published = published_hashes(name, version)
        foreign = set(hashes) - published
        if foreign:
            problems.append(f"{name}=={version}: {len(foreign)} hash(es) of no file of that version")
    return problems


def test_every_pin_has_hashes_of_its_own_version():
    for lock in LOCKS:
        pins = parse_lock((TEMPLATE / lock).read_text())
        assert {"flask", "gunicorn", "werkzeug", "jinja2", "markupsafe"} <= set(pins), lock
        assert lock_problems(pins) == [], lock


def test_a_hash_from_another_version_is_caught():
    pins = parse_lock((TEMPLATE / "requirements.txt").read_text())
    version, marker, hashes = pins["flask"]
    other = parse_lock((TEMPLATE / "requirements.txt").read_text())["werkzeug"][2]
    pins["flask"] = (version, marker, [*hashes[:1], other[0]])
    assert lock_problems(pins) == [f"flask=={version}: 1 hash(es) of no file of that version"]
    pins["flask"] = (version, marker, [])
    assert any("no hashes" in p for p in lock_problems(pins))


def test_dev_lock_pins_the_apps_packages_as_the_app_lock_does():
    app = parse_lock((TEMPLATE / "requirements.txt").read_text())
    dev = parse_lock((TEMPLATE / "requirements-dev.txt").read_text())
    for name, (version, _, hashes) in app.items():
        assert dev[name][0] == version, name
        assert set(dev[name][2]) == set(hashes), name
    assert "pytest" in dev


def test_locks_satisfy_their_in_files():
    for lock, wishes in [("requirements.txt", "requirements.in"), ("requirements-dev.txt", "requirements-dev.in")]:
        pins = parse_lock((TEMPLATE / lock).read_text())
        for line in (TEMPLATE / wishes).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or line.startswith("-"):
                continue
            req = Requirement(line)
            name = canonicalize_name(req.name)
            assert name in pins, f"{name} from {wishes} is not in {lock}"
            assert req.specifier.contains(pins[name][0]), f"{name}=={pins[name][0]} breaks {req} ({wishes})"


def suggested_pythons():
    """(python version, libc) of every base image `flaskgen list` suggests, plus the stand-in's."""
    out = flaskgen("list", "--json", cwd=ROOT)
    assert out.returncode == 0, out.stderr
    found = set()
    for entry in json.loads(out.stdout)["base_images"]:
        m = re.fullmatch(r"python:(3\.\d+)-(slim|alpine)", entry["image"])
        assert m, f"cannot tell the Python and libc of {entry['image']}"
        found.add((m[1], "musl" if m[2] == "alpine" else "glibc"))
    found.add((STANDIN_PYTHON, "glibc"))
    return sorted(found)


def download(lock, python, libc, arch, dest):
    plat_args = [a for p in PLATFORMS[(libc, arch)] for a in ("--platform", p)]
    return subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
         "--only-binary=:all:", "--require-hashes", "--implementation", "cp", "--python-version", python,
         *plat_args, "-d", str(dest), "-r", str(lock)],
        capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_lock_installs_from_wheels_on_every_suggested_base(tmp_path, arch):
    """pip resolves the whole lock, hash-checked, from wheels alone, for each Python and libc."""
    targets = suggested_pythons()
    assert {v for v, _ in targets} >= {"3.13", "3.14", "3.15", STANDIN_PYTHON}
    assert {libc for _, libc in targets} == {"glibc", "musl"}
    for python, libc in targets:
        # The image installs requirements.txt; the dev lock (the same pins plus pytest's) is for
        # development machines and CI, so it is checked on the stand-in's Python.
        for lock in LOCKS if python == STANDIN_PYTHON else LOCKS[:1]:
            dest = tmp_path / f"{python}-{libc}-{lock}"
            out = download(TEMPLATE / lock, python, libc, arch, dest)
            assert out.returncode == 0, f"{lock} on Python {python}, {libc}, {arch}:\n{out.stderr[-3000:]}"
            wheels = sorted(p.name for p in dest.iterdir())
            assert all(w.endswith(".whl") for w in wheels), wheels
            assert any(w.startswith("markupsafe-") and f"cp{python.replace('.', '')}" in w for w in wheels), wheels


def test_download_check_fails_on_a_wrong_hash(tmp_path):
    """The download check really verifies hashes: a lock with a foreign hash is refused."""
    text = (TEMPLATE / "requirements.txt").read_text()
    pins = parse_lock(text)
    bad = text
    for h in pins["flask"][2]:
        bad = bad.replace(h, pins["werkzeug"][2][0])
    lock = tmp_path / "requirements.txt"
    lock.write_text(bad)
    out = download(lock, "3.14", "glibc", "x86_64", tmp_path / "d")
    assert out.returncode != 0 and "HASH" in out.stderr.upper(), out.stderr[-2000:]


def test_requires_python_is_what_the_pins_need(tmp_path):
    """The lowest Python every pinned package supports, from the wheels' own metadata."""
    dest = tmp_path / "wheels"
    out = download(TEMPLATE / "requirements-dev.txt", "3.14", "glibc", "x86_64", dest)
    assert out.returncode == 0, out.stderr
    floors = {}
    for wheel in dest.glob("*.whl"):
        with zipfile.ZipFile(wheel) as z:
            meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
            text = z.read(meta).decode()
        m = re.search(r"^Requires-Python: (.+)$", text, re.M)
        floor = Version("3.0")
        if m:
            for s in SpecifierSet(m[1]):
                if s.operator in (">=", "~=", "=="):
                    floor = max(floor, Version(s.version))
                elif s.operator == ">":
                    floor = max(floor, Version(s.version))  # '> 3.9' in practice means 3.10
        floors[wheel.name] = floor
    need = max(floors.values())
    need = Version(f"{need.major}.{need.minor}")
    project = generate(tmp_path, "pyver")
    declared = tomllib.loads((project / "pyproject.toml").read_text())["project"]["requires-python"]
    assert declared == f">={need}", f"pins need {need} ({max(floors, key=floors.get)}); pyproject says {declared}"
    # Both locks install on that oldest Python (the dev lock's markers add packages there),
    # and not on the one just below.
    for lock in LOCKS:
        out = download(TEMPLATE / lock, str(need), "glibc", "x86_64", tmp_path / f"floor-{lock}")
        assert out.returncode == 0, f"{lock} on Python {need}:\n{out.stderr[-2000:]}"
    older = f"{need.major}.{need.minor - 1}"
    assert download(TEMPLATE / "requirements-dev.txt", older, "glibc", "x86_64", tmp_path / "old").returncode != 0


def test_generated_projects_carry_the_templates_lock(tmp_path):
    full = generate(tmp_path, "full")
    minimal = generate(tmp_path, "mini", "--minimal")
    for lock in LOCKS:
        assert (full / lock).read_text() == (TEMPLATE / lock).read_text()
    assert (minimal / "requirements.txt").read_text() == (TEMPLATE / "requirements.txt").read_text()
    for project in (full, minimal):
        text = (project / "Dockerfile").read_text()
        assert re.search(r"pip install [^\n]*--require-hashes[^\n]*--only-binary=:all:[^\n]*-r requirements.txt",
                         text), text
