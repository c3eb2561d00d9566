"""Every YAML file of generated projects, read as YAML 1.1 (PyYAML) and as
YAML 1.2 (PyYAML with the 1.2 core schema's resolvers): each value has the
type it has in a project with an ordinary name and image, and the templated
strings are the name, image and names derived from them.
Run as a script (tests/integration/deploy.rs does): argv is BASELINE, then
DIR NAME IMAGE for each project; test_deploy.py imports `problems`."""
import re
import sys
from pathlib import Path

import yaml


class Core12(yaml.SafeLoader):
    """YAML 1.2's core schema: 1e3 is a float, on/yes/off/no and 2001-12-14 are strings."""


Core12.yaml_implicit_resolvers = {}
for tag, pattern, first in [
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("null", r"~|null|Null|NULL|", "~nN"),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    ("float", r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
     "-+0123456789."),
]:
    Core12.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", re.compile(f"^(?:{pattern})$"), list(first) + [None])


def shape(node):
    """The document with every scalar replaced by its type: what YAML made of each value."""
    if isinstance(node, dict):
        return [(type(k).__name__, shape(v)) for k, v in node.items()]
    if isinstance(node, list):
        return [shape(v) for v in node]
    return type(node).__name__


def check(root, baseline, name, image, loader):
    problems = []
    app = name.replace("_", "-").replace(".", "-")
    if app[0].isdigit():
        app = "app-" + app
    last = image.split("/")[-1]
    repo = image[: -len(last.split(":")[-1]) - 1] if ":" in last else image

    def expect(got, want, where):
        if got != want or type(got) is not str:
            problems.append(f"{where}: {got!r}, not the string {want!r}")

    docs = {}
    for p in sorted(baseline.rglob("*.y*ml")):
        rel = str(p.relative_to(baseline))
        docs[rel] = list(yaml.load_all((root / rel).read_text(), Loader=loader))
        want = shape(list(yaml.load_all(p.read_text(), Loader=loader)))
        if shape(docs[rel]) != want:
            problems.append(f"{rel}: some value has another type than in {baseline / rel}")
    if len(docs) != 12:
        return problems + [f"{len(docs)} YAML files: {sorted(docs)}"]
    compose = docs["compose.yaml"][0]["services"]
    expect(list(compose)[0], name, "compose.yaml service key")
    expect(list(compose.values())[0]["image"], image, "compose.yaml image")
    expect(docs["deploy/stack.yaml"][0]["services"]["web"]["image"], image, "stack.yaml image")
    k8s = "deploy/kubernetes/"
    for f in ["deployment", "service", "hpa", "pdb", "networkpolicy"]:
        meta = docs[f"{k8s}base/{f}.yaml"][0]["metadata"]
        expect(meta["name"], app, f"{f}.yaml name")
        expect(meta["labels"]["app.kubernetes.io/name"], app, f"{f}.yaml name label")
        expect(meta["labels"]["app.kubernetes.io/instance"], app, f"{f}.yaml instance label")
    dep = docs[k8s + "base/deployment.yaml"][0]["spec"]
    expect(dep["template"]["spec"]["containers"][0]["image"], image, "deployment.yaml image")
    expect(docs[k8s + "base/hpa.yaml"][0]["spec"]["scaleTargetRef"]["name"], app, "hpa.yaml target")
    expect(docs[k8s + "base/kustomization.yaml"][0]["labels"][0]["pairs"]["app.kubernetes.io/part-of"],
           app, "kustomization.yaml part-of")
    overlay = docs[k8s + "overlays/example/kustomization.yaml"][0]
    expect(overlay["namespace"], app, "overlay namespace")
    expect(overlay["images"][0]["name"], repo, "overlay image name")
    expect(overlay["replicas"][0]["name"], app, "overlay replicas name")
    expect(docs[k8s + "overlays/example/namespace.yaml"][0]["metadata"]["name"], app, "namespace.yaml name")
    env = docs[".github/workflows/ci.yml"][0]["env"]
    expect(env["LOCAL_IMAGE"], name + ":ci", "ci.yml LOCAL_IMAGE")
    if not (isinstance(env["IMAGE_NAME"], str) and env["IMAGE_NAME"].split("}/")[-1] == repo):
        problems.append(f"ci.yml IMAGE_NAME: {env['IMAGE_NAME']!r}")
    return problems


def problems(root, baseline, name, image):
    """What YAML 1.1 and YAML 1.2 readers get wrong in the project at `root`."""
    return [f"{name} / {image} as {label}: {p}"
            for label, loader in [("YAML 1.1", yaml.SafeLoader), ("YAML 1.2", Core12)]
            for p in check(Path(root), Path(baseline), name, image, loader)]


if __name__ == "__main__":
    baseline, rest = sys.argv[1], sys.argv[2:]
    found = [p for i in range(0, len(rest), 3) for p in problems(rest[i], baseline, rest[i + 1], rest[i + 2])]
    print("\n".join(found))
    sys.exit(1 if found else 0)
