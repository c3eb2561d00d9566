"""Deploy files and the CI workflow (`-d deploy=swarm,kubernetes -d ci=github`),
validated offline with the real tools: kubectl's kustomize, kubernetes-validate
(strict, against a current Kubernetes release's schemas shipped in the
package), checkov, Docker's own stack-file loader, actionlint and
check-jsonschema; then every `run:` step of the workflow executed in order."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from test_docker import base_image, cleanup, engine  # noqa: F401 (fixtures shared with the container tests)
from conftest import (BIN, ROOT, dockerfile_env, generate, instruction, lint_workflow, not_run,
                      parse_dockerfile, which)
from test_existing import sarif_tool
from yaml_types import problems as yaml_type_problems

ALL = ["--deploy", "swarm,kubernetes", "--ci", "github"]
# (name, port, base image, image, extra): every port/base-image kind the rules allow.
VARIANTS = {
    "default": ("hello-flask", "5000", "python:3.14-slim", None, []),
    "alpine": ("orders-api", "8080", "python:3.13-alpine", "registry.example.com:5000/shop/orders-api:1.0",
               ["-d", "replicas=3"]),
    "registry-base": ("7shop_orders.api", "65535", "registry.example.com:5000/base/python:3.12", "acme/shop",
                      ["-d", "graceful_timeout=30"]),
    "digest-low-port": ("tiny", "1", "python@sha256:" + "a" * 64, "ghcr.io/acme/tiny:2.0", ["-d", "replicas=1"]),
}
KUBERNETES_VERSION = "1.37.0"
# The port of the projects the CI-job and Swarm tests build: the same in both, so
# the second build reuses the first one's dependency layer (its ENV PORT matches).
# One per run: every pytest-xdist worker of the run derives the same one.
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID")
SHARED_PORT = 20000 + (int(_RUN, 16) if _RUN else os.getpid()) % 10000

# checkov findings accepted, with the reason. Anything else fails the test.
CHECKOV_ACCEPTED = {
    "CKV_K8S_43": "image by digest: the tag is set per environment by the overlay; the README says to pin a "
                  "digest in production (kustomize edit set image NAME@sha256:...)",
}
CHECKOV_ACCEPTED_BASE = {
    **CHECKOV_ACCEPTED,
    "CKV_K8S_21": "default namespace: the base is not applied as is; overlays set the namespace",
    "CKV_K8S_14": "image tag: an --image without a tag leaves it to the overlay's `images:`",
}


def run(*args, check=True, **kw):
    out = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **kw)
    if check and out.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out


@pytest.fixture(params=list(VARIANTS))
def variant(request, tmp_path):
    name, port, base, image, extra = VARIANTS[request.param]
    args = ["-p", port, "-b", base, *(["--image", image] if image else []), *ALL, *extra]
    return generate(tmp_path, name, *args)


def kubectl():
    k = which("kubectl")
    if not k:
        not_run("Kubernetes manifests", "kubectl is not installed (scripts/test installs it as root)")
    return k


def kustomize(project, which_one):
    return run(kubectl(), "kustomize", project / "deploy/kubernetes" / which_one).stdout


def objects(rendered):
    return {d["kind"]: d for d in yaml.safe_load_all(rendered) if d}


def offline(args):
    """The command without network access, where this machine allows it (root: a new network namespace)."""
    if os.geteuid() == 0 and shutil.which("unshare") and run("unshare", "-n", "true", check=False).returncode == 0:
        return ["unshare", "-n", *args], True
    return list(args), False


def values(project):
    import tomllib
    return tomllib.loads((project / ".flaskgen.toml").read_text())["values"]


def gunicorn_settings(project, env):
    """gunicorn.conf.py as gunicorn evaluates it, with the environment a deploy file gives it."""
    code = ("import json, runpy; ns = runpy.run_path('gunicorn.conf.py'); "
            "print(json.dumps({'bind': ns['bind'], 'graceful_timeout': ns['graceful_timeout']}))")
    out = run(sys.executable, "-c", code, cwd=project, env={"PATH": os.environ["PATH"], **env})
    return json.loads(out.stdout)


def seconds(duration):
    m = re.fullmatch(r"(\d+)s", str(duration))
    assert m, f"expected a duration in seconds, got {duration!r}"
    return int(m.group(1))


def test_kustomize_renders_and_every_object_validates_strictly_offline(variant, tmp_path):
    kv = which("kubernetes-validate")
    assert kv, "kubernetes-validate (PyPI) must be installed by scripts/test"
    for which_one in ("base", "overlays/example"):
        rendered = kustomize(variant, which_one)
        f = tmp_path / (which_one.replace("/", "-") + ".yaml")
        f.write_text(rendered)
        kinds = sorted(objects(rendered))
        want = ["Deployment", "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "Service"]
        assert kinds == sorted(want + (["Namespace"] if which_one != "base" else [])), kinds
        args, isolated = offline([kv, "--strict", "-k", KUBERNETES_VERSION, str(f)])
        out = run(*args, check=False)
        assert out.returncode == 0, out.stdout + out.stderr
        assert out.stdout.count("passed") == len(kinds), out.stdout
    print(f"kubernetes-validate --strict against {KUBERNETES_VERSION}: passed"
          + (" with no network (unshare -n)" if isolated else " (network not isolated: not root)"))


def test_kubernetes_validate_can_fail(tmp_path):
    """Strict mode really rejects an unknown field."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 2\n"
                   "  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
                   "    spec:\n      containers: [{name: c, image: i, bogus: 1}]\n")
    out = run(which("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, bad, check=False)
    assert out.returncode != 0 and "bogus" in out.stdout + out.stderr


def test_manifests_agree_with_the_dockerfile_and_gunicorn(variant):
    v = values(variant)
    cmds = parse_dockerfile(variant)
    port = int(dockerfile_env(cmds)["PORT"])
    assert instruction(cmds, "expose").value == (str(port),)
    uid, gid = (int(x) for x in instruction(cmds, "user").value[0].split(":"))
    healthcheck = " ".join(instruction(cmds, "healthcheck").value)
    assert "/healthz" in healthcheck

    for which_one in ("base", "overlays/example"):
        o = objects(kustomize(variant, which_one))
        dep = o["Deployment"]
        pod = dep["spec"]["template"]["spec"]
        (c,) = pod["containers"]
        ports = {p["name"]: p["containerPort"] for p in c["ports"]}
        assert ports == {"http": port}
        env = {e["name"]: e["value"] for e in c["env"]}
        assert env["PORT"] == str(port)
        g = gunicorn_settings(variant, env)
        assert g["bind"] == f"0.0.0.0:{port}"
        assert g["graceful_timeout"] == v["graceful_timeout"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert c[probe]["httpGet"] == {"path": "/healthz", "port": "http"}, probe
        pre_stop = c["lifecycle"]["preStop"]["sleep"]["seconds"]
        grace = pod["terminationGracePeriodSeconds"]
        assert grace > pre_stop + g["graceful_timeout"], (grace, pre_stop, g)
        sc, csc = pod["securityContext"], c["securityContext"]
        assert (sc["runAsUser"], sc["runAsGroup"], sc["runAsNonRoot"]) == (uid, gid, True)
        assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
        assert csc == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
                       "capabilities": {"drop": ["ALL"]}}
        assert {m["mountPath"] for m in c["volumeMounts"]} == {"/tmp"}
        assert "emptyDir" in pod["volumes"][0]
        assert c["resources"]["requests"] and c["resources"]["limits"]
        assert dep["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        selector = dep["spec"]["selector"]["matchLabels"]
        assert set(selector) == {"app.kubernetes.io/name", "app.kubernetes.io/instance"}
        for kind, obj in o.items():
            if kind != "Namespace":
                labels = obj["metadata"]["labels"]
                assert {"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
                        "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"} <= set(labels), kind
        assert o["Service"]["spec"]["selector"] == selector
        assert o["Service"]["spec"]["ports"][0]["targetPort"] == "http"
        assert o["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"] == selector
        assert o["NetworkPolicy"]["spec"]["ingress"][0]["ports"][0]["port"] == "http"
        hpa = o["HorizontalPodAutoscaler"]
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["name"] == dep["metadata"]["name"]
        if which_one == "base":
            assert dep["spec"]["replicas"] == v["replicas"] == hpa["spec"]["minReplicas"]
            assert c["image"] == v["image"]
        else:
            assert dep["spec"]["replicas"] == v["replicas"] + 1 == hpa["spec"]["minReplicas"]
            assert c["image"].endswith(":0.1.0")
            assert c["image"].rsplit(":", 1)[0] == re.sub(r":[^:/]+$", "", v["image"])
            assert dep["metadata"]["namespace"] == o["Namespace"]["metadata"]["name"]
            assert dep["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] == "0.1.0"

    stack = yaml.safe_load((variant / "deploy/stack.yaml").read_text())
    web = stack["services"]["web"]
    assert web["ports"][0]["target"] == port
    assert web["environment"]["PORT"] == str(port)
    g = gunicorn_settings(variant, web["environment"])
    assert g["bind"] == f"0.0.0.0:{port}"
    assert seconds(web["stop_grace_period"]) > g["graceful_timeout"]
    assert web["deploy"]["replicas"] == v["replicas"]
    assert web["image"] == v["image"]


def checkov_bin():
    found = os.environ.get("CHECKOV_BIN") or str(ROOT / ".venv-checkov/bin/checkov")
    if not Path(found).exists():
        not_run("checkov", f"{found} is missing (scripts/test installs checkov in .venv-checkov: its pins "
                           "conflict with pytest's)")
    return found


@pytest.mark.parametrize("name", ["default", "alpine"])
def test_checkov_finds_nothing_but_the_accepted(name, tmp_path):
    project = generate(tmp_path, *[VARIANTS[name][0], "-p", VARIANTS[name][1], "-b", VARIANTS[name][2],
                                   *(["--image", VARIANTS[name][3]] if VARIANTS[name][3] else []), *ALL])
    checkov = checkov_bin()
    for which_one, accepted in (("base", CHECKOV_ACCEPTED_BASE), ("overlays/example", CHECKOV_ACCEPTED)):
        f = tmp_path / (which_one.replace("/", "-") + ".yaml")
        f.write_text(kustomize(project, which_one))
        out = run(checkov, "--framework", "kubernetes", "-f", f, "--output", "json",
                  "--skip-download", check=False, env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
        report = json.loads(out.stdout)
        results = report["results"]
        failed = sorted({c["check_id"] for c in results.get("failed_checks", [])})
        passed = report["summary"]["passed"]
        unexpected = [c for c in failed if c not in accepted]
        assert not unexpected, f"{which_one}: checkov failed {unexpected}:\n" + "\n".join(
            f"{c['check_id']} {c['check_name']} ({c['resource']})" for c in results["failed_checks"]
            if c["check_id"] in unexpected)
        assert passed > 50, f"checkov ran only {passed} checks"
        print(f"checkov {which_one}: {passed} passed; accepted: " +
              "; ".join(f"{c}: {accepted[c]}" for c in failed))


def test_checkov_can_fail(tmp_path):
    bad = tmp_path / "pod.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: y}\n"
                   "spec:\n  containers: [{name: c, image: 'i:1', securityContext: {privileged: true}}]\n")
    out = run(checkov_bin(), "--framework", "kubernetes", "-f", bad, "--output", "json", "--quiet", "--skip-download",
              check=False)
    failed = {c["check_id"] for c in json.loads(out.stdout)["results"]["failed_checks"]}
    assert "CKV_K8S_16" in failed  # privileged container


def test_docker_loads_the_stack_file(variant):
    """Docker's own compose loader (client side, no engine needed) accepts deploy/stack.yaml."""
    if not which("docker"):
        not_run("stack file check", "the docker client is not installed")
    out = run("docker", "stack", "config", "-c", variant / "deploy/stack.yaml", check=False)
    assert out.returncode == 0, out.stderr
    loaded = yaml.safe_load(out.stdout)["services"]["web"]
    assert loaded["deploy"]["update_config"]["order"] == "start-first"
    assert loaded["deploy"]["update_config"]["failure_action"] == "rollback"
    assert loaded["read_only"] is True and loaded["cap_drop"] == ["ALL"]
    assert loaded["volumes"][0]["type"] == "tmpfs" and loaded["volumes"][0]["target"] == "/tmp"
    assert loaded["deploy"]["resources"]["limits"] and loaded["deploy"]["resources"]["reservations"]
    assert "Ignoring" not in out.stderr, out.stderr


# Names and images that YAML reads as something else when written bare: booleans,
# null, floats (1.10 is 1.1), hex, sexagesimal (1:2 is 62), octal, 1.2's exponent
# floats, 1.1's underscored ints and dates.
YAML_LOOKALIKES = [("on", "off"), ("yes", "null"), ("off", "1.10"), ("true", "0x1f"), ("1.10", "1:2"),
                   ("012", "012"), ("1e3", "1e3:1e3"), ("1_000", "1_0:1_0"), ("2001-12-14", "y")]


@pytest.fixture(scope="module")
def yaml_baseline(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("baseline"), "svc", "--image", "myrepo/svc:1", *ALL)


@pytest.mark.parametrize(("name", "image"), YAML_LOOKALIKES)
def test_yaml_lookalike_names_and_images_stay_strings(yaml_baseline, tmp_path, name, image):
    """PyYAML as YAML 1.1 and 1.2, kubectl's kustomize and docker-compose all read the
    service key `on` as "on" and the image `1.10` as "1.10"."""
    project = generate(tmp_path, name, "--image", image, *ALL)
    found = yaml_type_problems(project, yaml_baseline, name, image)
    assert not found, "\n".join(found)
    app = re.sub(r"[_.]", "-", name)
    app = f"app-{app}" if app[0].isdigit() else app
    missing = []
    if which("kubectl"):
        for which_one in ("base", "overlays/example"):
            for kind, obj in objects(kustomize(project, which_one)).items():
                assert obj["metadata"]["name"] == app, (kind, obj["metadata"])
                if kind == "Deployment":
                    assert obj["spec"]["template"]["spec"]["containers"][0]["image"].startswith(
                        image.rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image)
    else:
        missing.append("kubectl")
    if which("docker-compose"):
        out = run("docker-compose", "-p", "lookalike", "-f", project / "compose.yaml", "config", cwd=project)
        services = yaml.safe_load(out.stdout)["services"]
        assert list(services) == [name], services
        assert services[name]["image"] == image
    else:
        missing.append("docker-compose")
    if missing:
        not_run("YAML look-alikes through " + " and ".join(missing), "not installed (scripts/test installs them as root)")


def test_workflow_passes_actionlint_and_the_schema(variant):
    wf = variant / ".github/workflows/ci.yml"
    weekly = variant / ".github/workflows/flaskgen.yml"
    for f in (wf, weekly):
        lint_workflow(f)
    w = yaml.safe_load(wf.read_text())
    assert w["permissions"] == {"contents": "read"}
    assert w["jobs"]["image"]["permissions"] == {"contents": "read", "packages": "write"}
    assert w["jobs"]["audit"]["permissions"] == {"contents": "read", "security-events": "write"}
    assert [j for j, job in w["jobs"].items() if "security-events" in job.get("permissions", {})] == ["audit"]
    # PyYAML reads the bare key `on` as True.
    assert "schedule" not in w[True], "the scheduled check never re-runs the ci.yml jobs"
    ww = yaml.safe_load(weekly.read_text())
    assert ww["permissions"] == {"contents": "read"} and "permissions" not in ww["jobs"]["update-check"]
    assert set(ww[True]) == {"schedule", "workflow_dispatch"}
    assert re.fullmatch(r"\d+ \d+ \* \* \d", ww[True]["schedule"][0]["cron"]), "weekly"
    v = values(variant)
    repo = re.sub(r":[^:/]+$", "", v["image"])
    assert f"{w['env']['REGISTRY']}/{w['env']['IMAGE_NAME']}".endswith(repo.split("/", 1)[-1])
    setup = next(s for s in w["jobs"]["test"]["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"


def test_actionlint_can_fail(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
                   "      - run: echo ${{ github.nonexistent }}\n")
    out = run(which("actionlint"), "-no-color", bad, check=False)
    assert out.returncode != 0 and "nonexistent" in out.stdout


# --- the workflow's run: steps, executed here ----------------------------------------------------------

def evaluate_if(expr, ref, failed, workdir=None):
    """The few `if:` expressions the workflow uses; anything else fails the test (so it is looked at)."""
    expr = expr.strip()
    if expr == "always()":
        return True
    m = re.fullmatch(r"always\(\) && hashFiles\('([^']+)'\) != ''", expr)
    if m:
        return (workdir / m.group(1)).is_file()
    m = re.fullmatch(r"startsWith\(github\.ref, '([^']*)'\)", expr)
    if m:
        return ref.startswith(m.group(1))
    raise AssertionError(f"the test does not know how to evaluate `if: {expr}`")


# The step that installs flaskgen in the generated workflows, and the version it pins.
INSTALL_FLASKGEN = re.compile(r'pipx install "flaskgen==([^"]+)"')
NEWEST_FLASKGEN = "pipx run flaskgen "


def run_job(workflow, job_name, workdir, env, ref, log, flaskgen_bin=None):
    """Runs a job's steps in order as GitHub's runner would (bash -e, pipefail), standing in for actions.
    With flaskgen_bin, a directory holding `flaskgen`: it stands in for the wheel the install step pins."""
    job = workflow["jobs"][job_name]
    failed = False
    for step in job["steps"]:
        label = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
        if "if" in step and not evaluate_if(step["if"], ref, failed, workdir):
            log.append(f"{job_name}: skipped ({step['if']}): {label}")
            continue
        if failed and "if" not in step:
            continue
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout@"):
            log.append(f"{job_name}: stand-in for {uses}: the generated project is the work tree")
        elif uses.startswith("actions/setup-python@"):
            venv = workdir.parent / f"venv-{job_name}"
            run(sys.executable, "-m", "venv", venv)
            env["PATH"] = f"{venv}/bin:{env['PATH']}"
            log.append(f"{job_name}: stand-in for {uses}: a virtualenv (python {sys.version.split()[0]}, "
                       f"asked for {step['with']['python-version']}) on PATH")
        elif uses.startswith("hadolint/hadolint-action@"):
            out = run(which("hadolint"), "--no-color", workdir / step["with"]["dockerfile"], check=False)
            log.append(f"{job_name}: stand-in for {uses}: hadolint {step['with']['dockerfile']} -> {out.returncode}")
            assert out.returncode == 0, out.stdout
        elif uses.startswith("github/codeql-action/upload-sarif@"):
            report = workdir / step["with"]["sarif_file"]
            out = run(sarif_tool(), "--check", "note", "summary", report, check=False)
            log.append(f"{job_name}: stand-in for {uses}: sarif-tools reads {report.name} -> {out.returncode}")
            assert out.returncode == 0, out.stdout + out.stderr
        elif uses:
            raise AssertionError(f"no stand-in for action {uses} (step {label!r})")
        elif flaskgen_bin and INSTALL_FLASKGEN.fullmatch(step["run"].strip()):
            pinned = INSTALL_FLASKGEN.fullmatch(step["run"].strip()).group(1)
            recorded = tomllib.loads((workdir / ".flaskgen.toml").read_text())["template"]["flaskgen_version"]
            version = run(flaskgen_bin / "flaskgen", "--version").stdout.split()[-1]
            assert pinned == recorded == version, (pinned, recorded, version)
            env["PATH"] = f"{flaskgen_bin}:{env['PATH']}"
            log.append(f"{job_name}: stand-in for {step['run'].strip()!r}: the flaskgen under test on PATH")
        else:
            script = step["run"]
            if flaskgen_bin and script.startswith(NEWEST_FLASKGEN):
                # The newest flaskgen from PyPI: here, the one under test.
                script = f"{flaskgen_bin}/flaskgen {script[len(NEWEST_FLASKGEN):]}"
                log.append(f"{job_name}: stand-in for {NEWEST_FLASKGEN.strip()!r}: the flaskgen under test")
            step_env = {**env, **{k: str(v) for k, v in step.get("env", {}).items()}}
            out = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                 cwd=workdir, env=step_env, capture_output=True, text=True, timeout=900)
            log.append(f"{job_name}: run {label!r} -> {out.returncode}")
            if out.returncode != 0:
                failed = True
                log.append(out.stdout[-3000:] + out.stderr[-3000:])
    return not failed


def workflow_env(workflow, project, ref, extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASKGEN_", "VIRTUAL_ENV"))}
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if ".venv-e2e" not in p)
    env.update(GITHUB_REF=ref, GITHUB_REF_NAME=ref.rsplit("/", 1)[-1], GITHUB_WORKSPACE=str(project), CI="true")
    for k, v in workflow.get("env", {}).items():
        env[k] = str(v).replace("${{ github.repository_owner }}", "acme")
    env.update(extra or {})
    return env


def test_workflow_test_job_runs_here(tmp_path):
    project = generate(tmp_path, "ci-app", *ALL)
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    ref = "refs/heads/main"
    log = []
    ok = run_job(workflow, "test", project, workflow_env(workflow, project, ref), ref, log)
    print("\n".join(log))
    assert ok, "\n".join(log)
    assert any("run 'Run the tests' -> 0" in line for line in log)


def test_flaskgen_jobs_run_here(tmp_path):
    """The audit job (ci.yml) and the weekly update check (flaskgen.yml) on a fresh project, with the
    flaskgen under test standing in for the wheel their install step pins: the audit writes SARIF that
    sarif-tools reads, with no findings; the project is up to date with its template."""
    project = generate(tmp_path, "ci-app", *ALL)
    bindir = tmp_path / "installed"
    bindir.mkdir()
    (bindir / "flaskgen").symlink_to(BIN.resolve())
    ref = "refs/heads/main"
    log = []
    for file, job in [("ci.yml", "audit"), ("flaskgen.yml", "update-check")]:
        workflow = yaml.safe_load((project / ".github/workflows" / file).read_text())
        env = workflow_env(workflow, project, ref)
        ok = run_job(workflow, job, project, env, ref, log, flaskgen_bin=bindir)
        assert ok, "\n".join(log)
    print("\n".join(log))
    for done in ["audit: stand-in for 'pipx install", "audit: run 'Audit the container setup' -> 0",
                 "audit: stand-in for github/codeql-action/upload-sarif", "update-check: stand-in for 'pipx install",
                 "update-check: run 'Is the project behind its template?' -> 0",
                 "update-check: stand-in for 'pipx run flaskgen'",
                 "update-check: run 'Is it behind with the newest flaskgen?' -> 0"]:
        assert any(line.startswith(done) for line in log), (done, log)
    sarif = json.loads((project / "flaskgen.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
    assert sarif["runs"][0]["tool"]["driver"]["name"] == "flaskgen"


@pytest.mark.docker
def test_workflow_image_job_runs_here(tmp_path, base_image, cleanup):  # noqa: F811
    """The image job on a branch push: lint, build, run and probe /healthz; the tag-only push is skipped."""
    port = SHARED_PORT
    name = f"fgci{os.getpid()}"
    project = generate(tmp_path, name, "-p", str(port), "-b", base_image, *ALL)
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    ref = "refs/heads/main"
    # Stand-ins: this engine has no buildx (the classic builder builds the same Dockerfile).
    env = workflow_env(workflow, project, ref, {"DOCKER_BUILDKIT": "0"})
    cleanup["images"].append(env["LOCAL_IMAGE"])
    cleanup["containers"].append(f"{name}-ci")
    log = []
    ok = run_job(workflow, "image", project, env, ref, log)
    print("\n".join(log))
    assert ok, "\n".join(log)
    assert any("run 'Run it and probe /healthz' -> 0" in line for line in log)
    assert any(line.startswith("image: skipped") and "Push the image" in line for line in log)
    out = subprocess.run(["docker", "ps", "-aq", "--filter", f"name=^{name}-ci$"], capture_output=True, text=True)
    assert out.stdout.strip() == "", "the workflow's last step removes its container"
