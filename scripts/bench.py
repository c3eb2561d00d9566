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
    subprocess.run([BIN, "new", "floor-src", "--yes", "-q"], cwd=work, env=env, check=True)
    cmds = {
        "flaskgen": [str(BIN), "new", "hello-flask", "--yes", "-q"],
        "cp -r": [shutil.which("cp"), "-r", str(work / "floor-src"), "hello-flask"],
    }
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
            t = run(cmds[name], cwd, env)
            if i >= 2:  # two warm-up rounds
                times[name].append(t)
    for name in cmds:
        for _ in range(5):
            cwd = work / "out"
            shutil.rmtree(cwd, ignore_errors=True)
            cwd.mkdir()
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
    size = BIN.stat().st_size
    print(f"release binary: {size / 1048576:.2f} MiB ({size} bytes)")
    print("targets: flaskgen <= 2x cp -r; >= 60x faster than cookiecutter; >= 10x faster than cargo-generate; "
          "peak RSS <= 8 MiB; binary <= 5 MiB")


if __name__ == "__main__":
    main()
