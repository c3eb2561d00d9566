"""Real third-party validators on every variant of the generated project:
ruff (a strict rule set), ruff format, mypy --strict, checkov, yamllint and
Debian's docker-compose. Each has a case showing it can fail."""

import json
import os
import shutil
import subprocess
import tomllib

import pytest
import yaml

from conftest import ROOT, generate, not_run, pip_install, which

VARIANTS = {
    "default": ("hello-flask", []),
    "custom": ("orders-api", ["-p", "8123", "-b", "python:3.13-alpine", "--image",
                              "registry.example.com/shop/orders-api:1.0"]),
    "minimal": ("tiny", ["--minimal"]),
}
# What the generated pyproject.toml must select on top of ruff's defaults, at least.
REQUIRED_RULES = {"ANN", "B", "UP", "S"}
# The tutorial this project replaces (kept for the serving benchmark): the validators must flag it.
TUTORIAL = ROOT / "benches" / "serve" / "tutorial"
TUTORIAL_APP = (TUTORIAL / "app" / "app.py").read_text()
TUTORIAL_DOCKERFILE = (TUTORIAL / "Dockerfile").read_text().replace("FROM ${BASE}", "FROM python:alpine")


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quality")
    return {v: generate(tmp, name, *args) for v, (name, args) in VARIANTS.items()}


@pytest.fixture(scope="module")
def ruff_config(projects):
    """The documented rule set: the full template's pyproject.toml (the minimal variant has none)."""
    config = projects["default"] / "pyproject.toml"
    rules = tomllib.loads(config.read_text())["tool"]["ruff"]["lint"]["extend-select"]
    assert REQUIRED_RULES <= set(rules), rules
    assert "select" not in tomllib.loads(config.read_text())["tool"]["ruff"]["lint"], "keep ruff's defaults"
    return config


def ruff(*args, cwd):
    return subprocess.run([which("ruff"), *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_ruff_check_and_format(projects, ruff_config, variant):
    project = projects[variant]
    out = ruff("check", "--no-cache", "--config", str(ruff_config), ".", cwd=project)
    assert out.returncode == 0, out.stdout + out.stderr
    out = ruff("format", "--no-cache", "--check", "--config", str(ruff_config), ".", cwd=project)
    assert out.returncode == 0, out.stdout + out.stderr
    if (project / "pyproject.toml").exists():  # and as a user runs it, with the project's own config
        out = ruff("check", "--no-cache", ".", cwd=project)
        assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_rules_flag_the_tutorials_app(tmp_path, ruff_config):
    (tmp_path / "app.py").write_text(TUTORIAL_APP)
    out = ruff("check", "--no-cache", "--config", str(ruff_config), "--output-format", "json", ".", cwd=tmp_path)
    codes = {d["code"] for d in json.loads(out.stdout)}
    assert out.returncode != 0
    assert {"S201", "S104", "ANN201"} <= codes, codes  # debug=True, 0.0.0.0, no return annotation


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_mypy_strict(projects, app_venv, variant):
    project = projects[variant]
    reqs = project / ("requirements-dev.txt" if variant != "minimal" else "requirements.txt")
    pip_install(app_venv, reqs)
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*.py"))
    assert "app/app.py" in files
    if variant != "minimal":
        assert {"gunicorn.conf.py", "tests/test_app.py"} <= set(files)
    out = subprocess.run([which("mypy"), "--strict", "--no-incremental", "--cache-dir", os.devnull,
                          "--python-executable", str(app_venv / "bin" / "python"), *files],
                         cwd=project, capture_output=True, text=True)
    assert out.returncode == 0 and f"no issues found in {len(files)} source files" in out.stdout, \
        out.stdout + out.stderr


def test_mypy_strict_can_fail(tmp_path, app_venv):
    (tmp_path / "app.py").write_text(TUTORIAL_APP)
    out = subprocess.run([which("mypy"), "--strict", "--no-incremental", "--cache-dir", os.devnull,
                          "--python-executable", str(app_venv / "bin" / "python"), "app.py"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode != 0 and "no-untyped-def" in out.stdout, out.stdout


def checkov_bin():
    found = os.environ.get("CHECKOV") or shutil.which("checkov")
    local = ROOT / ".venv-checkov" / "bin" / "checkov"
    return found or (str(local) if local.exists() else None)


def test_checkov_passes_every_variant_and_fails_the_tutorial(projects, tmp_path):
    checkov = checkov_bin()
    if not checkov:
        not_run("checkov", "not installed (scripts/test puts it in .venv-checkov)")
    tutorial = tmp_path / "tutorial" / "Dockerfile"
    tutorial.parent.mkdir()
    tutorial.write_text(TUTORIAL_DOCKERFILE)
    files = [projects[v] / "Dockerfile" for v in VARIANTS] + [tutorial]
    # --skip-download: never ask the vendor's service for anything (no network here but registries).
    out = subprocess.run([checkov, "--framework", "dockerfile", "--skip-download", "--output", "json",
                          *(a for f in files for a in ("-f", str(f)))],
                         capture_output=True, text=True, env={**os.environ, "BC_SKIP_MAPPING": "TRUE"}, timeout=600)
    report = json.loads(out.stdout)
    results = report["results"]
    assert report["summary"]["parsing_errors"] == 0, report["summary"]
    failed = {}
    for check in results["failed_checks"]:
        failed.setdefault(check["file_abs_path"], []).append(check["check_id"])
    passed = {c["file_abs_path"] for c in results["passed_checks"]}
    for v in VARIANTS:
        path = str(projects[v] / "Dockerfile")
        assert path in passed, f"checkov did not check the {v} Dockerfile"
        assert path not in failed, f"{v}: {failed.get(path)}"
    bad = failed.get(str(tutorial), [])
    assert {"CKV_DOCKER_2", "CKV_DOCKER_3"} <= set(bad), bad  # no HEALTHCHECK, no USER


def yamllint(path):
    return subprocess.run([which("yamllint"), "--strict", "-f", "parsable", str(path)], capture_output=True, text=True)


@pytest.mark.parametrize("variant", ["default", "custom"])
def test_compose_file_passes_yamllint_and_docker_compose(projects, variant, tmp_path):
    compose = projects[variant] / "compose.yaml"
    out = yamllint(compose)
    assert out.returncode == 0 and out.stdout == "", out.stdout + out.stderr
    bad = tmp_path / "compose.yaml"
    bad.write_text("services:\n  web:\n    image: x\n    image: y\n")
    assert yamllint(bad).returncode != 0, "yamllint flags a duplicated key"

    dc = shutil.which("docker-compose")
    if not dc:
        not_run("docker-compose config", "Debian's docker-compose is not installed (scripts/test installs it as root)")
    out = subprocess.run([dc, "--file", str(compose), "config"], capture_output=True, text=True,
                         cwd=projects[variant], timeout=120)
    assert out.returncode == 0 and "WARN" not in out.stderr.upper(), out.stdout + out.stderr
    (service,) = yaml.safe_load(out.stdout)["services"].values()
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert service["security_opt"] == ["no-new-privileges:true"]
    assert service["tmpfs"] == ["/tmp"]
    assert service["restart"] == "unless-stopped"
    bad.write_text("services:\n  web:\n    image: x\n    read_only: maybe\n")
    assert subprocess.run([dc, "--file", str(bad), "config"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120).returncode != 0, "docker-compose validates"
