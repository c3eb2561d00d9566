//! The deploy targets and CI pipeline (issue 14): which files each choice
//! writes, from -d, the config file and an exported kit, and what --minimal does.

use std::fs;
use std::path::Path;

use crate::*;

const SWARM: &[&str] = &["deploy/stack.yaml"];
const KUBERNETES: &[&str] = &[
    "deploy/kubernetes/base/deployment.yaml",
    "deploy/kubernetes/base/hpa.yaml",
    "deploy/kubernetes/base/kustomization.yaml",
    "deploy/kubernetes/base/networkpolicy.yaml",
    "deploy/kubernetes/base/pdb.yaml",
    "deploy/kubernetes/base/service.yaml",
    "deploy/kubernetes/overlays/example/kustomization.yaml",
    "deploy/kubernetes/overlays/example/namespace.yaml",
];
const CI: &[&str] = &[".github/workflows/ci.yml", ".github/workflows/flaskgen.yml"];

/// The deploy and CI files of a generated project.
fn extra_files(root: &Path) -> Vec<String> {
    files(root)
        .into_iter()
        .filter(|f| f.starts_with("deploy/") || f.starts_with(".github/"))
        .collect()
}

fn expect(parts: &[&[&str]]) -> Vec<String> {
    let mut v: Vec<String> = parts.concat().iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn each_choice_writes_its_files_and_none_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[&str], Vec<String>)] = &[
        ("plain", &[], vec![]),
        ("swarm", &["-d", "deploy=swarm"], expect(&[SWARM])),
        ("kube", &["-d", "deploy=kubernetes"], expect(&[KUBERNETES])),
        (
            "both",
            &["-d", "deploy=kubernetes,swarm"],
            expect(&[SWARM, KUBERNETES]),
        ),
        ("ci", &["-d", "ci=github"], expect(&[CI])),
        (
            "all",
            &["-d", "deploy=swarm,kubernetes", "-d", "ci=github"],
            expect(&[SWARM, KUBERNETES, CI]),
        ),
    ];
    for (name, args, want) in cases {
        flaskgen(tmp.path())
            .args(["new", name, "--yes"])
            .args(*args)
            .assert()
            .success();
        let root = tmp.path().join(name);
        assert_eq!(&extra_files(&root), want, "{name}");
        let readme = read(root.join("README.md"));
        assert_eq!(
            readme.contains("## Deploy and CI"),
            !want.is_empty(),
            "{name}"
        );
    }
}

#[test]
fn bad_choices_are_refused_with_the_rule_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    for (arg, var) in [
        ("deploy=nomad", "deploy"),
        ("deploy=swarm,swarm", "deploy"),
        ("deploy=", "deploy"),
        ("ci=gitlab", "ci"),
        ("replicas=0", "replicas"),
        ("graceful_timeout=x", "graceful_timeout"),
    ] {
        let out = flaskgen(tmp.path())
            .args(["new", "svc", "--yes", "-d", arg])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{arg}");
        let err = stderr(&out);
        assert!(err.contains(var), "{arg}: {err}");
        assert!(!tmp.path().join("svc").exists(), "{arg}");
    }
}

#[test]
fn replicas_and_grace_reach_every_deploy_file() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-d", "deploy=swarm,kubernetes"])
        .args(["-d", "replicas=5", "-d", "graceful_timeout=40"])
        .assert()
        .success();
    let root = tmp.path().join("svc");
    let stack = read(root.join("deploy/stack.yaml"));
    assert!(stack.contains("replicas: 5") && stack.contains("GRACEFUL_TIMEOUT: \"40\""));
    assert!(stack.contains("stop_grace_period: 45s"), "{stack}");
    let deployment = read(root.join("deploy/kubernetes/base/deployment.yaml"));
    assert!(
        deployment.contains("replicas: 5")
            && deployment.contains("terminationGracePeriodSeconds: 55")
    );
    let hpa = read(root.join("deploy/kubernetes/base/hpa.yaml"));
    assert!(
        hpa.contains("minReplicas: 5") && hpa.contains("maxReplicas: 20"),
        "{hpa}"
    );
}

#[test]
fn config_file_chooses_targets_and_the_command_line_wins() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("config.toml");
    fs::write(
        &cfg,
        "[variables]\ndeploy = \"kubernetes\"\nci = \"github\"\nreplicas = 3\n",
    )
    .unwrap();
    flaskgen(tmp.path())
        .env("FLASKGEN_CONFIG", &cfg)
        .args(["new", "a", "--yes"])
        .assert()
        .success();
    assert_eq!(
        extra_files(&tmp.path().join("a")),
        expect(&[KUBERNETES, CI])
    );
    assert!(
        read(tmp.path().join("a/deploy/kubernetes/base/deployment.yaml")).contains("replicas: 3")
    );
    flaskgen(tmp.path())
        .env("FLASKGEN_CONFIG", &cfg)
        .args(["new", "b", "--yes", "-d", "deploy=swarm", "-d", "ci=none"])
        .assert()
        .success();
    assert_eq!(extra_files(&tmp.path().join("b")), expect(&[SWARM]));
}

#[test]
fn an_exported_kit_keeps_the_options_and_renders_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["template", "init", "kit"])
        .assert()
        .success();
    let args = ["--yes", "-d", "deploy=swarm,kubernetes", "-d", "ci=github"];
    flaskgen(tmp.path())
        .args(["new", "svc", "-o", "builtin"])
        .args(args)
        .assert()
        .success();
    flaskgen(tmp.path())
        .args(["new", "svc", "-o", "fromkit", "--template", "kit"])
        .args(args)
        .assert()
        .success();
    let a = tmp.path().join("builtin/svc");
    let b = tmp.path().join("fromkit/svc");
    assert_eq!(extra_files(&a), expect(&[SWARM, KUBERNETES, CI]));
    for f in extra_files(&a) {
        assert_eq!(read(a.join(&f)), read(b.join(&f)), "{f}");
    }
}

/// --minimal writes only the essential files: a deploy target or CI asked
/// for on the same command line is refused (exit 2, nothing written); from the
/// config file they are left out (they need gunicorn.conf.py and the tests).
#[test]
fn minimal_refuses_deploy_and_ci_from_the_command_line_and_leaves_config_ones_out() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["--deploy", "swarm"][..],
        &["--ci", "github"][..],
        &["-d", "deploy=kubernetes"][..],
        &["-d", "ci=github", "--deploy", "none"][..],
    ] {
        let out = flaskgen(tmp.path())
            .args(["new", "svc", "--yes", "--minimal"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("--minimal") && err.lines().count() == 1,
            "{args:?}: {err}"
        );
        assert!(!tmp.path().join("svc").exists());
    }
    // none is no contradiction.
    flaskgen(tmp.path())
        .args([
            "new",
            "a",
            "--yes",
            "--minimal",
            "--deploy",
            "none",
            "--ci",
            "none",
        ])
        .assert()
        .success();
    let cfg = tmp.path().join("config.toml");
    fs::write(
        &cfg,
        "[variables]\ndeploy = \"swarm,kubernetes\"\nci = \"github\"\n",
    )
    .unwrap();
    flaskgen(tmp.path())
        .env("FLASKGEN_CONFIG", &cfg)
        .args(["new", "b", "--yes", "--minimal"])
        .assert()
        .success();
    for name in ["a", "b"] {
        assert_eq!(
            files(&tmp.path().join(name)),
            [
                ".dockerignore",
                "Dockerfile",
                "app/__init__.py",
                "app/app.py",
                "requirements.txt"
            ]
        );
    }
}

#[test]
fn deploy_and_ci_flags_are_the_variables() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args([
            "new",
            "svc",
            "--yes",
            "--deploy",
            "swarm,kubernetes",
            "--ci",
            "github",
        ])
        .assert()
        .success();
    let root = tmp.path().join("svc");
    assert_eq!(extra_files(&root), expect(&[SWARM, KUBERNETES, CI]));
    let answers = read(root.join(".flaskgen.toml"));
    assert!(
        answers.contains("deploy = \"swarm,kubernetes\"") && answers.contains("ci = \"github\"")
    );
    // Bad values are the variable's rule; a clash with -d is named.
    for (args, want) in [
        (&["--deploy", "nomad"][..], "deploy"),
        (&["--ci", "gitlab"][..], "ci"),
        (
            &["--deploy", "swarm", "-d", "deploy=kubernetes"][..],
            "given twice",
        ),
    ] {
        let out = flaskgen(tmp.path())
            .args(["new", "x", "--yes"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
    }
    // A kit without the variable says so.
    let out = flaskgen(tmp.path())
        .args(["new", "y", "--yes", "--deploy", "swarm", "--template"])
        .arg(fixture("acme-kit"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no `deploy` variable"),
        "{}",
        stderr(&out)
    );
}

/// The generated CI audits with `flaskgen check` (SARIF to code scanning, the
/// one job that may write security events) and checks weekly for template
/// updates in a workflow of its own; both install the flaskgen that wrote the
/// project, as `.flaskgen.toml` records it.
#[test]
fn generated_ci_runs_the_flaskgen_that_wrote_the_project() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--vcs", "none", "--ci", "github"])
        .assert()
        .success();
    let root = tmp.path().join("svc");
    let answers: toml::Table = read(root.join(".flaskgen.toml")).parse().unwrap();
    let recorded = answers["template"]["flaskgen_version"].as_str().unwrap();
    assert_eq!(recorded, env!("CARGO_PKG_VERSION"));
    let install = format!("run: pipx install \"flaskgen=={recorded}\"\n");

    let ci = read(root.join(".github/workflows/ci.yml"));
    let audit = &ci[ci.find("\n  audit:\n").expect("an audit job")..];
    let audit = &audit[..audit[1..]
        .find("\n  image:\n")
        .map_or(audit.len(), |i| i + 1)];
    assert!(audit.contains(&install), "{audit}");
    assert!(audit.contains("run: flaskgen check --format sarif > flaskgen.sarif\n"));
    assert!(audit.contains("uses: github/codeql-action/upload-sarif@"));
    assert!(audit.contains("sarif_file: flaskgen.sarif\n"));
    // security-events: write on the audit job only; the workflow stays read-only.
    assert_eq!(ci.matches("security-events: write").count(), 1, "{ci}");
    assert!(audit.contains("security-events: write"));
    let top = &ci[..ci.find("\njobs:\n").unwrap()];
    assert!(top.contains("permissions:\n  contents: read\n\n"), "{top}");
    assert!(
        !ci.contains("schedule"),
        "ci.yml does not run on a schedule"
    );

    let weekly = read(root.join(".github/workflows/flaskgen.yml"));
    assert!(weekly.contains("  schedule:\n    - cron: "), "{weekly}");
    assert!(weekly.contains("  workflow_dispatch:\n"));
    assert!(weekly.contains(&install), "{weekly}");
    assert!(weekly.contains("run: flaskgen update --check\n"));
    assert!(weekly.contains("run: pipx run flaskgen update --check\n"));
    assert!(!weekly.contains("write"), "the weekly check only reads");
    assert!(!weekly.contains("push:") && !weekly.contains("pull_request"));

    // What the weekly job runs passes on the fresh project.
    flaskgen(&root)
        .args(["update", "--check"])
        .assert()
        .success();
}

/// Names and images that YAML would read as something else when written bare:
/// booleans and null (YAML 1.1 and 1.2), octal, hexadecimal, sexagesimal
/// (`1:2` is 62), exponent floats (1.2 only), underscored ints and dates (1.1 only).
const YAML_LOOKALIKES: &[(&str, &str)] = &[
    ("on", "off"),
    ("yes", "null"),
    ("no", "y"),
    ("null", "n"),
    ("off", "1.10"),
    ("true", "0x1f"),
    ("1.10", "1:2"),
    ("012", "012"),
    ("1e3", "1e3:1e3"),
    ("0x1f", "on:off"),
    ("y", "yes/no:null"),
    ("1_000", "1_0:1_0"),
    ("2001-12-14", "2001-12-14"),
    ("n", "0o17:1e3"),
];

/// A Python with PyYAML: the e2e suite's virtualenv, else the system's. `None`
/// (the check is NOT RUN, and says so) only outside CI: under CI it must run.
fn python_with_pyyaml() -> Option<std::path::PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-e2e/bin/python");
    for python in [venv, "python3".into()] {
        let ok = std::process::Command::new(&python)
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(python);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have python3 with PyYAML (tests/e2e/requirements.txt)"
    );
    eprintln!("NOT RUN: no python3 with PyYAML, so the generated YAML's types were not checked");
    None
}

/// Every YAML file flaskgen writes (compose, stack, kustomize, workflow) keeps
/// each templated value a string for YAML 1.1 and 1.2 readers alike: a
/// service called `on` is not `True`, the image `1.10` not the float 1.1.
/// tests/e2e/yaml_types.py reads them with PyYAML both ways.
#[test]
fn templated_yaml_values_stay_strings_for_yaml_1_1_and_1_2() {
    let Some(python) = python_with_pyyaml() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let all = ["--deploy", "swarm,kubernetes", "--ci", "github"];
    flaskgen(tmp.path())
        .args([
            "new",
            "svc",
            "--yes",
            "--image",
            "myrepo/svc:1",
            "-o",
            "baseline",
        ])
        .args(all)
        .assert()
        .success();
    let mut args = vec![tmp.path().join("baseline/svc").into_os_string()];
    for (name, image) in YAML_LOOKALIKES {
        flaskgen(tmp.path())
            .args(["new", name, "--yes", "--image", image])
            .args(all)
            .assert()
            .success();
        args.extend([tmp.path().join(name).into(), name.into(), image.into()]);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/yaml_types.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}
