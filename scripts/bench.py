"""Alternating whole-process benchmark; see scripts/bench."""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
BIN = ROOT / "target/release/flaskgen"
PEERS = ROOT / "benches/peers"
# `flaskgen new` may take at most this many times `cp -r` of the finished tree
# (FLASKGEN_BENCH_FLOOR_LIMIT overrides it, e.g. to see the REGRESSION line).
FLOOR_LIMIT = float(os.environ.get("FLASKGEN_BENCH_FLOOR_LIMIT", "2"))


def peak_rss_kib(argv, cwd, env):
    """Peak RSS of one process, as GNU time reports it. (wait4 from this
    Python would count the forked interpreter's pages before exec.)"""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1])


def run(argv, cwd, env):
    """Wall time of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False)
    proc.wait()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed with {proc.returncode}")
    return elapsed


def main():
    work = Path(tempfile.mkdtemp(prefix="flaskgen-bench-"))
    env = {"PATH": os.environ["PATH"], "HOME": str(work), "USER": "bench", "XDG_CONFIG_HOME": str(work / "cfg"), "LANG": "C.UTF-8"}
    # The floor: a finished default project, copied.
    subprocess.run([BIN, "new", "floor-src", "--yes", "-q", "--vcs", "none"], cwd=work, env=env, check=True)
    cmds = {
        # Like cargo-generate's --vcs none below; the git step is measured apart.
        "flaskgen": [str(BIN), "new", "hello-flask", "--yes", "-q", "--vcs", "none"],
        "cp -r": [shutil.which("cp"), "-r", str(work / "floor-src"), "hello-flask"],
        "new + git": [str(BIN), "new", "hello-flask", "--yes", "-q"],
    }
    # `update`: a default project made by built-in template 1.0.0 (rendered
    # from its frozen release, then marked built-in as such a project is),
    # with edits to 3 files, updated to the current template; and the same
    # project updated with a new port, which rewrites five files.
    old = work / "old-src"
    old.mkdir()
    subprocess.run([BIN, "new", "svc", "--yes", "-q", "--vcs", "none", "--template",
                    str(ROOT / "templates/releases/1.0.0")], cwd=old, env=env, check=True)
    answers = old / "svc/.flaskgen.toml"
    text = answers.read_text().splitlines(keepends=True)
    answers.write_text("".join('source = "builtin"\n' if l.startswith("source = ") else l for l in text))
    # (Not app/app.py: its first lines changed since 1.0.0 and its last names the
    # port, so an edit at either end is a conflict, and `update` exits 1.)
    for f, line, at_end in [("Dockerfile", "# ops: mine\n", True), (".dockerignore", "# mine too\n", False),
                            ("README.md", "More notes.\n", True)]:
        path = old / "svc" / f
        path.write_text(path.read_text() + line if at_end else line + path.read_text())
    prepare = {
        "update": lambda cwd: shutil.copytree(old / "svc", cwd / "svc"),
        "update -p 8080": lambda cwd: shutil.copytree(old / "svc", cwd / "svc"),
    }
    cmds["update"] = [str(BIN), "update", "svc", "-q"]
    cmds["update -p 8080"] = [str(BIN), "update", "svc", "-q", "-p", "8080"]
    cc = ROOT / ".venv-bench/bin/cookiecutter"
    if cc.exists():
        cmds["cookiecutter"] = [str(cc), "--no-input", "-f", str(PEERS / "cookiecutter")]
    cg = ROOT / ".cache/cargo-generate/bin/cargo-generate"
    if cg.exists():
        cmds["cargo-generate"] = [str(cg), "generate", "--path", str(PEERS / "cargo-generate"), "--name",
                                  "hello-flask", "--silent", "--vcs", "none"]
    else:
        print("NOTE: cargo-generate is not installed; it is left out", file=sys.stderr)
    times = {k: [] for k in cmds}
    rss = {k: [] for k in cmds}
    for i in range(ROUNDS + 2):
        order = list(cmds) if i % 2 == 0 else list(reversed(cmds))
        for name in order:
            cwd = work / "out"
            shutil.rmtree(cwd, ignore_errors=True)
            cwd.mkdir()
            if name in prepare:
                prepare[name](cwd)
            t = run(cmds[name], cwd, env)
            if i >= 2:  # two warm-up rounds
                times[name].append(t)
    for name in cmds:
        for _ in range(5):
            cwd = work / "out"
            shutil.rmtree(cwd, ignore_errors=True)
            cwd.mkdir()
            if name in prepare:
                prepare[name](cwd)
            rss[name].append(peak_rss_kib(cmds[name], cwd, env))
    shutil.rmtree(work, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in times.items()}
    floor = med["cp -r"]
    fg = med["flaskgen"]
    print(f"{ROUNDS} alternating rounds on {os.cpu_count()} cores; median wall time, peak RSS")
    print(f"{'command':<16}{'median':>10}{'vs cp -r':>10}{'vs flaskgen':>13}{'peak RSS':>11}")
    for k in cmds:
        print(f"{k:<16}{med[k] * 1000:>8.2f}ms{med[k] / floor:>9.2f}x{med[k] / fg:>12.1f}x"
              f"{max(rss[k]) / 1024:>8.1f}MiB")
    print(f"the default git step of `new` (init, add, first commit) costs {(med['new + git'] - fg) * 1000:.2f} ms"
          f" ({med['new + git'] / fg:.1f}x `new --vcs none`)")
    size = BIN.stat().st_size
    print(f"release binary: {size / 1048576:.2f} MiB ({size} bytes)")
    print("targets: flaskgen <= 2x cp -r; >= 60x faster than cookiecutter; >= 10x faster than cargo-generate; "
          "peak RSS <= 8 MiB; binary <= 7 MiB (5 MiB before init/check brought a Python parser); update <= 20 ms and <= 8 MiB")
    ratio = fg / floor
    if ratio > FLOOR_LIMIT:
        print(f"REGRESSION: `flaskgen new` takes {ratio:.2f}x the `cp -r` floor ({fg * 1000:.2f} ms vs "
              f"{floor * 1000:.2f} ms, median of {ROUNDS} rounds); the limit is {FLOOR_LIMIT:g}x")
        return 1
    print(f"ok: `flaskgen new` takes {ratio:.2f}x the `cp -r` floor (limit {FLOOR_LIMIT:g}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
