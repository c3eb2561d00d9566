"""The kit authors' filters, checked with the real parser of each context:
a kit renders hostile values (given with -d, plus line breaks and control
characters the template adds) into YAML, TOML, JSON, a shell script and a
Dockerfile, and each parser must read back exactly the value."""

import json
import os
import shutil
import subprocess
import tomllib
import uuid

import pytest
import yaml

from conftest import flaskgen, not_run
from test_docker import cleanup, engine, sh  # noqa: F401  (fixtures)

# Values a user may give with -d (a string variable refuses control characters).
VALUES = [
    "plain",
    "it's \"quoted\"",
    "back\\slash\\\\ and \\n and \\u0041 and \\",
    "$HOME ${X} ${X:-d} $(touch pwned) `touch pwned2` $1 \\$",
    "# not a comment",
    "key: value",
    "- item",
    "{a: [b]}, &anchor *alias !tag",
    "line\u2028sep\u2029para",
    "  leading and trailing  ",
    "caf\u00e9 \U0001F600",
    "'''\"\"\"",
    "true",
    "~",
    "null",
    "-n",
    "*",
    "a=b c=d",
]
# What the template appends (a tera literal): every kind of line break and control.
TAIL = "\n\r\t\x1b\x7f\x85\x9b\u2028\u2029\ufeff"
# For a Dockerfile, which cannot hold a line break at all.
DOCKER_TAIL = "\t\x1b\x7f\x85\x9b\u2028\u2029\ufeff"

N = len(VALUES)


def write_kit(root):
    """A kit with one string variable per hostile value and a file per context."""
    kit = root / "kit"
    kit.mkdir()
    manifest = '[template]\nname = "filters"\n'
    for i in range(N):
        manifest += f'\n[variables.v{i}]\ntype = "string"\nask = false\ndefault = "x"\n'
    (kit / "flaskgen.toml").write_text(manifest)

    sets = "".join(
        f'{{% set m{i} = v{i} ~ `{TAIL}` ~ v{i} %}}{{% set d{i} = v{i} ~ `{DOCKER_TAIL}` ~ v{i} %}}'
        for i in range(N)
    )
    (kit / "out.yaml.tera").write_text(sets + "".join(
        f"v{i}: {{{{ v{i} | yaml_string }}}}\nm{i}: {{{{ m{i} | yaml_string }}}}\n" for i in range(N)))
    (kit / "out.toml.tera").write_text(sets + "".join(
        f"v{i} = {{{{ v{i} | toml_string }}}}\nm{i} = {{{{ m{i} | toml_string }}}}\n" for i in range(N)))
    (kit / "out.json.tera").write_text(sets + "{" + ", ".join(
        f'"v{i}": {{{{ v{i} | json_encode() }}}}, "m{i}": {{{{ m{i} | json_encode() }}}}' for i in range(N)) + "}\n")
    (kit / "out.sh.tera").write_text(sets + "".join(
        f"printf '%s\\0' {{{{ v{i} | shell_quote }}}} {{{{ m{i} | shell_quote }}}}\n" for i in range(N)))
    # One LABEL and one ENV, continued over lines: each instruction is a build step.
    (kit / "Dockerfile.tera").write_text(sets + "FROM scratch\nLABEL" + "".join(
        f" \\\n    v{i}={{{{ v{i} | dockerfile_string }}}} d{i}={{{{ d{i} | dockerfile_string }}}}"
        for i in range(N)) + "\nENV" + "".join(
        f" \\\n    V{i}={{{{ v{i} | dockerfile_string }}}}" for i in range(N)) + "\n")
    return kit


def expected(tail):
    out = {}
    for i, v in enumerate(VALUES):
        out[f"v{i}"] = v
        out[f"m{i}"] = v + tail + v
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("filters")
    kit = write_kit(root)
    args = ["new", "svc", "--yes", "--template", str(kit)]
    for i, v in enumerate(VALUES):
        args += ["-d", f"v{i}={v}"]
    out = flaskgen(*args, cwd=root)
    assert out.returncode == 0, out.stderr
    return root / "svc"


def test_template_check_knows_the_filters(tmp_path):
    kit = write_kit(tmp_path)
    out = flaskgen("template", "check", str(kit), cwd=tmp_path)
    assert out.returncode == 0, out.stderr


def test_yaml_string_with_pyyaml(project):
    assert yaml.safe_load((project / "out.yaml").read_bytes().decode("utf-8")) == expected(TAIL)


def test_toml_string_with_tomllib(project):
    assert tomllib.loads((project / "out.toml").read_bytes().decode("utf-8")) == expected(TAIL)


def test_json_encode_with_json(project):
    assert json.loads((project / "out.json").read_bytes().decode("utf-8")) == expected(TAIL)


@pytest.mark.parametrize("shell", ["sh", "bash", "dash", "zsh"])
def test_shell_quote_with_real_shells(project, shell, tmp_path):
    path = shutil.which(shell)
    if not path:
        if shell in ("sh", "bash"):
            pytest.fail(f"{shell} is missing")
        not_run(f"shell_quote under {shell}", f"{shell} is not installed")
    script = (project / "out.sh").read_bytes().decode("utf-8")
    out = subprocess.run([path, "-c", script], cwd=tmp_path, capture_output=True, check=True)
    words = out.stdout.decode("utf-8").split("\0")[:-1]
    assert words == [w for i, v in enumerate(VALUES) for w in (v, v + TAIL + v)]
    assert list(tmp_path.iterdir()) == [], "a quoted value ran a command"


def test_dockerfile_string_keeps_one_instruction_per_line(project):
    """BuildKit's parser (which keeps words as written, quotes and escapes
    included) sees every key of the LABEL and the ENV: no value broke a line."""
    import dockerfile

    cmds = dockerfile.parse_file(str(project / "Dockerfile"))
    assert [c.cmd.upper() for c in cmds] == ["FROM", "LABEL", "ENV"]
    assert cmds[1].value[0::2] == tuple(k for i in range(N) for k in (f"v{i}", f"d{i}"))
    assert cmds[2].value[0::2] == tuple(f"V{i}" for i in range(N))


@pytest.mark.docker
def test_dockerfile_string_in_a_real_build(project, engine, cleanup):  # noqa: F811
    """A real build expands and unescapes LABEL and ENV: the image holds the values exactly."""
    tag = f"flaskgen-test-filters-{uuid.uuid4().hex[:12]}"
    cleanup["images"].append(tag)
    sh("docker", "build", "-q", "-t", tag, ".", cwd=project, env={**os.environ, "DOCKER_BUILDKIT": "0"})
    config = json.loads(sh("docker", "image", "inspect", "-f", "{{json .Config}}", tag).stdout)
    want = {}
    for i, v in enumerate(VALUES):
        want[f"v{i}"] = v
        want[f"d{i}"] = v + DOCKER_TAIL + v
    assert config["Labels"] == want
    env = dict(e.split("=", 1) for e in config["Env"])
    for i, v in enumerate(VALUES):
        assert env[f"V{i}"] == v


def test_dockerfile_string_refuses_a_line_break(tmp_path):
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "flaskgen.toml").write_text('[template]\nname = "k"\n')
    (kit / "Dockerfile.tera").write_text('FROM scratch\nLABEL a={{ "x\ny" | dockerfile_string }}\n')
    out = flaskgen("new", "svc", "--yes", "--template", str(kit), cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "dockerfile_string" in out.stderr and "line break" in out.stderr, out.stderr
    assert not (tmp_path / "svc").exists()
