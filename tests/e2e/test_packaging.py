"""How flaskgen reaches its users, tested here rather than by hand: the wheel
(maturin, `bin` bindings; pyproject.toml) built as release.yml builds it,
installed with `uv tool install`, pipx and pip into fresh environments and run with
no Rust toolchain on PATH; the sdist and the crate (`cargo package`, `cargo
publish --dry-run`, which builds the packaged crate); the pre-commit hooks
(.pre-commit-hooks.yaml) installed by the real pre-commit from the sdist; the
release workflow, linted; and build.rs, which refuses Windows in a sentence."""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import BIN, ROOT, lint_workflow, measured, not_run

VENV_BIN = Path(sys.executable).parent  # the suite's virtualenv: maturin, ziglang, uv, pre-commit
VERSION = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]["version"]
MACHINE = platform.machine()
SEED = ROOT / "tests/fixtures/projects/seed-tutorial"
MAX_WHEEL = 4 * 1024 * 1024
# Where the debug builds of the packaged crate and of the pre-commit hooks go: a target directory of
# their own (kept between runs, so only flaskgen itself recompiles), because both would otherwise put
# their flaskgen into target/debug, over the binary the rest of the suite runs.
PACKAGING_TARGET = ROOT / "target/packaging"


def run(*args, check=True, **kw):
    out = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=1800, **kw)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out


def build_env(**extra):
    """The environment for maturin: the suite's virtualenv first, so that `--zig` finds ziglang."""
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", **extra}


def without_rust(*first):
    """An environment whose PATH has `first` and the system directories, and no cargo, rustc or rustup."""
    rusty = ("cargo", "rustup", str(ROOT / "target"))
    dirs = [str(d) for d in first] + [d for d in os.environ["PATH"].split(os.pathsep)
                                      if d and not any(r in d for r in rusty) and Path(d) != VENV_BIN]
    path = os.pathsep.join(dirs)
    for tool in ("cargo", "rustc", "rustup", "maturin"):
        assert shutil.which(tool, path=path) is None, f"{tool} is still on the stripped PATH {path}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FLASKGEN_", "CARGO", "RUSTUP")) and k != "VIRTUAL_ENV"}
    return {**env, "PATH": path}


def new_and_check(flaskgen, env, where):
    """`flaskgen new hello-flask --yes`, then `flaskgen check hello-flask`, with the installed binary."""
    env = {**env, "XDG_CONFIG_HOME": str(where / ".no-config")}
    out = run(flaskgen, "--version", env=env, cwd=where)
    assert out.stdout.split() == ["flaskgen", VERSION], out.stdout
    run("flaskgen", "new", "hello-flask", "--yes", env=env, cwd=where)
    assert (where / "hello-flask/Dockerfile").is_file() and (where / "hello-flask/.flaskgen.toml").is_file()
    out = run("flaskgen", "check", "hello-flask", env=env, cwd=where)
    assert out.stdout == "hello-flask: no problems found\n", out.stdout + out.stderr


def build_wheel(out, *args):
    start = time.monotonic()
    run(VENV_BIN / "maturin", "build", "--release", "--zig", *args, "--out", out, cwd=ROOT, env=build_env())
    wheels = list(Path(out).glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0], time.monotonic() - start


def wheel_tags(wheel):
    with zipfile.ZipFile(wheel) as z:
        text = z.read(f"flaskgen-{VERSION}.dist-info/WHEEL").decode()
    return [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Tag: ")]


def wheel_binary(wheel):
    with zipfile.ZipFile(wheel) as z:
        return z.read(f"flaskgen-{VERSION}.data/scripts/flaskgen")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The glibc wheel, built as release.yml builds it (the release profile; target/ is reused)."""
    wheel, seconds = build_wheel(tmp_path_factory.mktemp("wheel"), "--compatibility", "manylinux2014")
    measured(f"wheel build (maturin --release --zig --compatibility manylinux2014): {seconds:.0f} s")
    measured(f"wheel {wheel.name}: {wheel.stat().st_size / 1024 / 1024:.2f} MiB")
    return wheel


def test_wheel_is_manylinux2014_and_small(wheel):
    assert wheel.name.startswith(f"flaskgen-{VERSION}-")
    assert wheel_tags(wheel) == [f"py3-none-manylinux2014_{MACHINE}", f"py3-none-manylinux_2_17_{MACHINE}"]
    # What the tag promises: no glibc symbol newer than 2.17 is needed.
    needed = {tuple(map(int, v.split(b"."))) for v in re.findall(rb"GLIBC_(\d+\.\d+(?:\.\d+)?)\x00",
                                                                  wheel_binary(wheel))}
    assert needed and max(needed) <= (2, 17), sorted(needed)
    assert wheel.stat().st_size <= MAX_WHEEL, f"{wheel.stat().st_size} bytes"


def test_uv_tool_install_puts_flaskgen_on_path(wheel, tmp_path):
    tool_bin = tmp_path / "bin"
    env = {**without_rust(), "UV_TOOL_DIR": str(tmp_path / "tools"), "UV_TOOL_BIN_DIR": str(tool_bin),
           "UV_CACHE_DIR": str(tmp_path / "uv-cache")}
    run(VENV_BIN / "uv", "tool", "install", "--offline", wheel, env=env)
    assert (tool_bin / "flaskgen").is_file()
    work = tmp_path / "work"
    work.mkdir()
    new_and_check(tool_bin / "flaskgen", without_rust(tool_bin), work)


def test_pipx_install_puts_flaskgen_on_path(wheel, tmp_path):
    tool_bin = tmp_path / "bin"
    env = {**without_rust(), "PIPX_HOME": str(tmp_path / "pipx"),
           "PIPX_BIN_DIR": str(tool_bin), "PIPX_MAN_DIR": str(tmp_path / "man")}
    run(VENV_BIN / "pipx", "install", wheel, env=env)
    work = tmp_path / "work"
    work.mkdir()
    new_and_check(tool_bin / "flaskgen", without_rust(tool_bin), work)


def test_pip_install_puts_flaskgen_on_path(wheel, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin/python", "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-index", wheel)
    work = tmp_path / "work"
    work.mkdir()
    new_and_check(venv / "bin/flaskgen", without_rust(venv / "bin"), work)


def test_musllinux_wheel_runs_here(tmp_path):
    """The musl wheel of this machine's architecture: tagged musllinux_1_2, static, and it runs here."""
    target = f"{MACHINE}-unknown-linux-musl"
    installed = run("rustup", "target", "list", "--installed", check=False).stdout.split()
    if target not in installed:
        not_run("musllinux wheel", f"the Rust target {target} is not installed (rustup target add {target})")
    wheel, seconds = build_wheel(tmp_path, "--target", target, "--compatibility", "musllinux_1_2")
    measured(f"musllinux wheel build: {seconds:.0f} s, {wheel.stat().st_size / 1024 / 1024:.2f} MiB")
    assert wheel_tags(wheel) == [f"py3-none-musllinux_1_2_{MACHINE}"]
    assert wheel.stat().st_size <= MAX_WHEEL
    binary = wheel_binary(wheel)
    assert b"GLIBC_" not in binary
    exe = tmp_path / "flaskgen"
    exe.write_bytes(binary)
    exe.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    new_and_check(exe, without_rust(tmp_path), work)


# --- the sdist and the crate ------------------------------------------------------------------------

def embedded_templates():
    """Every file under templates/ (what include_dir! embeds), relative to the root."""
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def sdist(tmp_path_factory):
    out = tmp_path_factory.mktemp("sdist")
    run(VENV_BIN / "maturin", "sdist", "--out", out, cwd=ROOT, env=build_env())
    found = list(out.glob("*.tar.gz"))
    assert [f.name for f in found] == [f"flaskgen-{VERSION}.tar.gz"]
    return found[0]


def test_sdist_ships_the_templates_and_the_hooks(sdist):
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
        pkg_info = t.extractfile(f"flaskgen-{VERSION}/PKG-INFO").read().decode()
    missing = embedded_templates() - names
    assert not missing, sorted(missing)
    assert any(n.startswith("templates/releases/1.0.0/") for n in names)
    for f in ("pyproject.toml", "Cargo.toml", "Cargo.lock", "build.rs", "LICENSE", ".pre-commit-hooks.yaml"):
        assert f in names, f
    assert not any(n.startswith(("tests/", "benches/")) for n in names)
    assert f"\nVersion: {VERSION}\n" in pkg_info


def test_cargo_package_ships_every_embedded_template():
    listed = set(run("cargo", "package", "--list", "--allow-dirty", cwd=ROOT).stdout.split())
    missing = embedded_templates() - listed
    assert not missing, sorted(missing)
    assert any(n.startswith("templates/releases/1.1.0/") for n in listed)
    assert {"build.rs", "LICENSE", "README.md", "Cargo.lock"} <= listed
    assert not any(n.startswith(("tests/", "benches/", ".github/")) for n in listed), sorted(listed)


def test_cargo_publish_dry_run_builds_the_packaged_crate():
    """`cargo publish --dry-run` packages the crate, then builds it from the .crate alone (its verify
    step), so the crate compiles with nothing but what it ships, as `cargo install flaskgen` will."""
    start = time.monotonic()
    out = run("cargo", "publish", "--dry-run", "--allow-dirty", cwd=ROOT, check=False,
              env={**os.environ, "CARGO_TARGET_DIR": str(PACKAGING_TARGET)})
    measured(f"cargo publish --dry-run (builds the packaged crate): {time.monotonic() - start:.0f} s")
    assert out.returncode == 0, out.stderr
    assert f"Verifying flaskgen v{VERSION}" in out.stderr and "Compiling flaskgen" in out.stderr, out.stderr
    meta = json.loads(run("cargo", "metadata", "--no-deps", "--format-version", "1", cwd=ROOT).stdout)
    pkg = meta["packages"][0]
    assert pkg["description"] and pkg["license"] == "MIT" and pkg["repository"].startswith("https://")
    assert pkg["readme"] == "README.md" and pkg["rust_version"]
    assert 1 <= len(pkg["keywords"]) <= 5
    assert set(pkg["categories"]) <= {"command-line-utilities", "development-tools", "template-engine",
                                      "web-programming"}


# --- pre-commit -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hook_repo(sdist, tmp_path_factory):
    """The sdist as a git repository: pre-commit installs its hooks from it as from this repository
    (pip install of the package, which maturin builds with cargo)."""
    where = tmp_path_factory.mktemp("hook-repo")
    with tarfile.open(sdist) as t:
        t.extractall(where, filter="data")
    repo = where / f"flaskgen-{VERSION}"
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "sdist")
    return repo, git(repo, "rev-parse", "HEAD").stdout.strip()


def git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return run("git", *args, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(project, hook_repo, home, hooks):
    """`pre-commit run --all-files` in a git repository of `project` whose config uses `hooks`."""
    repo, rev = hook_repo
    config = {"repos": [{"repo": str(repo), "rev": rev, "hooks": hooks}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    if not (project / ".git").exists():
        git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "--allow-empty", "-m", "state")
    # The hooks' install builds flaskgen with cargo in the debug profile (the release profile's fat LTO
    # takes minutes; the wheel tests cover it).
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "MATURIN_PEP517_ARGS": "--profile dev",
           "CARGO_TARGET_DIR": str(PACKAGING_TARGET), "XDG_CONFIG_HOME": str(project / ".no-config")}
    start = time.monotonic()
    out = run(VENV_BIN / "pre-commit", "run", "--all-files", "--color", "never", cwd=project, env=env, check=False)
    if not (home / ".measured").exists():
        (home / ".measured").touch()
        measured(f"pre-commit: install of the hooks (pip + maturin + cargo, dev profile) and first run: "
                 f"{time.monotonic() - start:.0f} s")
    return out


def new_project(tmp_path):
    out = run(BIN, "new", "hello-flask", "--yes", "-q", cwd=tmp_path,
              env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / ".no-config")})
    assert out.returncode == 0
    return tmp_path / "hello-flask"


def test_pre_commit_hooks_pass_on_a_new_project(hook_repo, pre_commit_home, tmp_path):
    project = new_project(tmp_path)
    out = pre_commit(project, hook_repo, pre_commit_home, [{"id": "flaskgen-check"}, {"id": "flaskgen-update-check"}])
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"flaskgen check\.+Passed", out.stdout), out.stdout
    assert re.search(r"flaskgen update --check\.+Passed", out.stdout), out.stdout


def test_pre_commit_check_fails_on_the_tutorial_unless_fail_on_allows(hook_repo, pre_commit_home, tmp_path):
    project = tmp_path / "tutorial"
    shutil.copytree(SEED, project)
    out = pre_commit(project, hook_repo, pre_commit_home, [{"id": "flaskgen-check"}])
    assert out.returncode == 1, out.stdout + out.stderr
    assert re.search(r"flaskgen check\.+Failed", out.stdout) and "FG002" in out.stdout, out.stdout
    # --fail-on through args: with `never` the hook passes (its findings shown with pre-commit's verbose).
    hook = {"id": "flaskgen-check", "args": ["--fail-on", "never"], "verbose": True}
    out = pre_commit(project, hook_repo, pre_commit_home, [hook])
    assert out.returncode == 0 and "FG002" in out.stdout, out.stdout + out.stderr
    # update --check fails too: the tutorial was not made by flaskgen (no .flaskgen.toml).
    out = pre_commit(project, hook_repo, pre_commit_home, [{"id": "flaskgen-update-check"}])
    assert out.returncode == 1 and ".flaskgen.toml" in out.stdout, out.stdout + out.stderr


def test_pre_commit_update_check_fails_behind_the_template(hook_repo, pre_commit_home, tmp_path):
    """A project made from the built-in template's first release (1.0.0, as its answers file says)."""
    current = tomllib.loads((ROOT / "templates/default/flaskgen.toml").read_text())["template"]["version"]
    assert current != "1.0.0"
    project = new_project(tmp_path)
    answers = project / ".flaskgen.toml"
    text = answers.read_text()
    assert f'\nversion = "{current}"\n' in text
    answers.write_text(text.replace(f'\nversion = "{current}"\n', '\nversion = "1.0.0"\n'))
    out = pre_commit(project, hook_repo, pre_commit_home, [{"id": "flaskgen-update-check"}])
    assert out.returncode == 1, out.stdout + out.stderr
    assert re.search(r"flaskgen update --check\.+Failed", out.stdout) and f"1.0.0 → {current}" in out.stdout, out.stdout


def test_hook_definitions():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["flaskgen-check"]["entry"] == "flaskgen check"
    assert hooks["flaskgen-update-check"]["entry"] == "flaskgen update --check"
    for h in hooks.values():
        assert h["language"] == "python" and h["pass_filenames"] is False and h["always_run"] is True


# --- the release workflow and the Windows guard -------------------------------------------------------

RELEASE = ROOT / ".github/workflows/release.yml"


def test_release_workflow_passes_actionlint_and_the_schema():
    lint_workflow(RELEASE)


def test_release_workflow_builds_every_platform_with_least_privilege():
    w = yaml.safe_load(RELEASE.read_text())
    assert w[True]["push"]["tags"] == ["v*"]  # PyYAML reads the key `on` as True
    assert w["permissions"] == {}
    jobs = w["jobs"]
    linux = {(m["target"], m["compatibility"]) for m in jobs["linux"]["strategy"]["matrix"]["include"]}
    assert linux == {(f"{arch}-unknown-linux-{libc}", compat) for arch in ("x86_64", "aarch64")
                     for libc, compat in (("gnu", "manylinux2014"), ("musl", "musllinux_1_2"))}
    build = next(s for s in jobs["linux"]["steps"] if s.get("uses", "").startswith("PyO3/maturin-action"))
    # The same command as the wheel fixture above.
    assert build["with"]["args"].split()[:4] == ["--release", "--zig", "--compatibility", "${{"]
    assert set(jobs["macos"]["strategy"]["matrix"]["target"]) == {"x86_64-apple-darwin", "aarch64-apple-darwin"}
    assert jobs["sdist"]["steps"][-2]["with"]["command"] == "sdist"
    privileges = {name: job["permissions"] for name, job in jobs.items()}
    assert privileges == {"version": {"contents": "read"}, "linux": {"contents": "read"},
                          "macos": {"contents": "read"}, "sdist": {"contents": "read"},
                          "github-release": {"contents": "write"}, "pypi": {"id-token": "write"},
                          "crates-io": {"contents": "read"}}
    crates = jobs["crates-io"]["steps"][-1]
    assert crates["run"] == "cargo publish --locked"
    assert crates["env"]["CARGO_REGISTRY_TOKEN"] == "${{ secrets.CARGO_REGISTRY_TOKEN }}"
    for name in ("github-release", "pypi", "crates-io"):
        assert jobs[name]["if"] == "startsWith(github.ref, 'refs/tags/v')"
        assert set(jobs[name]["needs"]) == {"version", "linux", "macos", "sdist"}


def test_build_script_refuses_windows_in_a_sentence(tmp_path):
    """build.rs, compiled for this machine and run as cargo runs it for each target family."""
    exe = tmp_path / "build-script"
    run("rustc", "--edition", "2021", "-o", exe, ROOT / "build.rs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARGO_CFG_")}
    out = run(exe, env={**env, "CARGO_CFG_TARGET_FAMILY": "windows", "CARGO_CFG_TARGET_OS": "windows"},
              check=False)
    assert out.returncode == 1
    assert out.stderr.strip() == ("error: flaskgen supports Linux and macOS; windows is not supported "
                                  "(on Windows, install it inside WSL)")
    for os_name in ("linux", "macos"):
        out = run(exe, env={**env, "CARGO_CFG_TARGET_FAMILY": "unix", "CARGO_CFG_TARGET_OS": os_name})
        assert out.returncode == 0 and out.stderr == ""
