"""What the generated files tell a user to run is valid: every `docker …`
command in README.md and the Dockerfile names images by Docker's reference
grammar for every accepted --image; both Dockerfile variants make gunicorn
honour PORT with the same settings; and the container's stop grace period
outlasts gunicorn's graceful timeout."""

import os
import re
import runpy
import shlex
import subprocess

import pytest
import yaml

from conftest import generate, instruction, parse_dockerfile, pip_install

# Docker's reference grammar (distribution/reference), as regular expressions.
ALNUM = r"[a-z0-9]+"
SEPARATOR = r"(?:[._]|__|[-]+)"
PATH_COMPONENT = rf"{ALNUM}(?:{SEPARATOR}{ALNUM})*"
DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
DOMAIN = rf"(?:{DOMAIN_COMPONENT}(?:\.{DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
NAME = rf"(?:{DOMAIN}/)?{PATH_COMPONENT}(?:/{PATH_COMPONENT})*"
TAG = r"[\w][\w.-]{0,127}"
DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}"
REFERENCE = re.compile(rf"(?P<name>{NAME})(?::(?P<tag>{TAG}))?(?:@(?P<digest>{DIGEST}))?")
CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")


def is_reference(ref):
    m = REFERENCE.fullmatch(ref)
    return bool(m) and len(m["name"]) <= 255


# Each command the README may print: flags taking a value, flags without one,
# and what each positional argument is ("ref", "context", "container", or "cmd" for the rest).
COMMANDS = {
    ("image", "build"): ({"-t": "ref", "--tag": "ref", "-f": "path"}, set(), ["context"]),
    ("container", "run"): ({"-p": "port", "--name": "container", "--tmpfs": "path", "--cap-drop": "cap",
                            "--security-opt": "secopt", "--stop-timeout": "seconds", "--restart": "restart",
                            "-e": "env"}, {"--rm", "-d", "--detach", "--read-only"}, ["ref", "cmd"]),
    ("image", "tag"): ({}, set(), ["ref", "ref"]),
    ("image", "push"): ({}, set(), ["ref"]),
    ("image", "pull"): ({}, set(), ["ref"]),
    ("image", "ls"): ({}, set(), []),
    ("image", "prune"): ({}, {"-a", "-f"}, []),
    ("container", "ls"): ({}, {"-a"}, []),
    ("container", "stop"): ({"-t": "seconds"}, set(), ["container"]),
    ("container", "rm"): ({}, set(), ["container"]),
    ("compose", "up"): ({}, {"--build", "-d"}, []),
    ("compose", "down"): ({}, set(), []),
}
CHECK = {
    "ref": is_reference,
    "container": lambda v: bool(CONTAINER_NAME.fullmatch(v)),
    "port": lambda v: bool(re.fullmatch(r"\d{1,5}:\d{1,5}", v)),
    "seconds": lambda v: v.isdigit(),
    "restart": lambda v: v in ("no", "always", "unless-stopped", "on-failure"),
    "cap": lambda v: v == "ALL",
    "secopt": lambda v: v in ("no-new-privileges", "no-new-privileges:true"),
    "path": lambda v: v.startswith("/") or v in (".", "Dockerfile"),
    "context": lambda v: v == ".",
    "env": lambda v: "=" in v,
    "cmd": lambda v: True,
}


def docker_lines(project):
    """Every `docker …` command README.md shows in a code block, and those in the Dockerfile's comments."""
    lines, in_code = [], False
    for line in (project / "README.md").read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif in_code and line.lstrip().startswith("docker "):
            lines.append(line.strip())
    for line in (project / "Dockerfile").read_text().splitlines():
        m = re.match(r"#\s+(docker .*)", line)
        if m:
            lines.append(m[1])
    return lines


def parse_docker(line):
    """{kind: [values]} of one docker command line; raises AssertionError on anything not understood."""
    words = shlex.split(line, comments=True)
    assert words[0] == "docker", line
    key = tuple(words[1:3])
    assert key in COMMANDS, f"unknown command in {line!r}"
    valued, flags, positional = COMMANDS[key]
    found, rest, i = {}, [], 3
    while i < len(words):
        w = words[i]
        if rest or not w.startswith("-"):
            rest.append(w)
        elif w in valued:
            assert i + 1 < len(words), f"{w} needs a value: {line!r}"
            found.setdefault(valued[w], []).append(words[i + 1])
            i += 1
        else:
            assert w in flags, f"unknown flag {w} in {line!r}"
        i += 1
    kinds = list(positional)
    if kinds and kinds[-1] == "cmd":
        kinds = kinds[:-1]
        assert len(rest) >= len(kinds), f"missing arguments in {line!r}"
        rest = rest[:len(kinds)]
    assert len(rest) == len(kinds), f"expected {kinds}, got {rest} in {line!r}"
    for kind, value in zip(kinds, rest):
        found.setdefault(kind, []).append(value)
    for kind, values in found.items():
        for v in values:
            assert CHECK[kind](v), f"{v!r} is not a valid {kind} in {line!r}"
    return found


IMAGES = ["hello-flask", "myrepo/svc", "myrepo/svc:1.0", "localhost:5000/team/app:v1",
          "registry.example.com/shop/orders-api", "x2:2.0", "a.b/c__d/e-f:1_0.x"]


@pytest.mark.parametrize("image", IMAGES)
def test_every_docker_command_is_valid_for_the_image(tmp_path, image):
    name = "svc"
    project = generate(tmp_path, name, "--image", image)
    lines = docker_lines(project)
    parsed = [parse_docker(line) for line in lines]
    refs = [r for p in parsed for r in p.get("ref", [])]
    assert image in refs, "the image itself is built and run"
    built = {r for p, line in zip(parsed, lines) if line.startswith("docker image build") for r in p["ref"]}
    assert built == {image}
    # Pushing: to a registry and namespace; never to Docker Hub's library/ namespace.
    pushed = [r for p, line in zip(parsed, lines) if line.startswith("docker image push") for r in p["ref"]]
    assert pushed
    for r in pushed:
        assert "/" in REFERENCE.fullmatch(r)["name"], f"push of {r} would go to Docker Hub's library/"
    # Every pushed reference was built or tagged before.
    made = set(built)
    for p, line in zip(parsed, lines):
        if line.startswith("docker image tag"):
            src, dst = p["ref"]
            assert src in made, line
            made.add(dst)
        if line.startswith("docker image push"):
            assert p["ref"][0] in made, f"{line}: nothing was tagged so"
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    assert compose["services"][name]["image"] == image


@pytest.mark.parametrize("line", [
    "docker image tag myrepo/svc:1.0 myrepo/svc:1.0:0.1.0",  # the old README's tag step
    "docker image push myrepo/Svc",
    "docker container run --rm -p 5000:5000 --bogus x",
    "docker image tag a",
])
def test_the_reference_check_can_fail(line):
    with pytest.raises(AssertionError):
        parse_docker(line)


def print_config(argv, cwd, env):
    """gunicorn's own view of its settings for a CMD (`--print-config`)."""
    out = subprocess.run([argv[0], "--print-config", *argv[1:]], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    settings = {}
    for line in out.stdout.splitlines():
        m = re.match(r"(\w+)\s+= (.*)", line)
        if m:
            settings[m[1]] = m[2]
    return settings


SAME = ["bind", "workers", "threads", "worker_class", "timeout", "graceful_timeout", "keepalive",
        "worker_tmp_dir", "accesslog", "control_socket_disable"]


def test_full_and_minimal_cmds_run_gunicorn_alike_and_honour_port(tmp_path, app_venv):
    full = generate(tmp_path, "full", "-p", "5000")
    minimal = generate(tmp_path, "mini", "-p", "5000", "--minimal")
    pip_install(app_venv, full / "requirements.txt")
    env = {k: v for k, v in os.environ.items()
           if k not in ("WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "FORWARDED_ALLOW_IPS")}
    env["PATH"] = f"{app_venv / 'bin'}:{env['PATH']}"
    seen = {}
    for project in (full, minimal):
        argv = list(instruction(parse_dockerfile(project), "cmd").value)
        assert not any(a.startswith(("--bind", "-b")) for a in argv[1:] if a != "--config") or project == full
        seen[project.name] = {port: print_config(argv, project, {**env, "PORT": port}) for port in ("5000", "6001")}
    for port in ("5000", "6001"):
        full_cfg, mini_cfg = seen["full"][port], seen["mini"][port]
        assert full_cfg["bind"] == f"['0.0.0.0:{port}']", full_cfg["bind"]
        for key in SAME:
            assert full_cfg[key] == mini_cfg[key], f"{key}: full {full_cfg[key]}, minimal {mini_cfg[key]}"


def test_stop_grace_period_outlasts_gunicorns_graceful_timeout(tmp_path):
    project = generate(tmp_path, "grace")
    env_before = os.environ.pop("GRACEFUL_TIMEOUT", None)
    try:
        graceful = runpy.run_path(str(project / "gunicorn.conf.py"))["graceful_timeout"]
    finally:
        if env_before is not None:
            os.environ["GRACEFUL_TIMEOUT"] = env_before
    (service,) = yaml.safe_load((project / "compose.yaml").read_text())["services"].values()
    grace = service["stop_grace_period"]
    m = re.fullmatch(r"(\d+)s", grace)
    assert m and int(m[1]) > graceful, f"stop_grace_period {grace} vs graceful_timeout {graceful}"
    parsed = [(line, parse_docker(line)) for line in docker_lines(project)]
    stops = [p for line, p in parsed if line.startswith(("docker container stop", "docker container run -d"))]
    timeouts = [int(s) for p in stops for s in p.get("seconds", [])]
    assert timeouts and all(t > graceful for t in timeouts), timeouts
    assert len(timeouts) == len(stops), "every stop and detached run gives a timeout"
