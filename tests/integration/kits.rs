//! Team kits: manifests, typed variables, conditions, verbatim files, git
//! sources, config defaults, path safety, `template init` and `template check`.

use std::fs;
use std::path::Path;
use std::process::Command as StdCommand;

use rstest::rstest;

use crate::*;

fn kit() -> String {
    fixture("acme-kit").to_string_lossy().into_owned()
}

#[test]
fn kit_defaults_conditions_verbatim_files_and_templated_names() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-t", &kit()])
        .assert()
        .success();
    let root = tmp.path().join("svc");
    assert_eq!(
        files(&root),
        [
            ".flaskgen.toml",
            ".github/workflows/ci.yml",
            "Dockerfile",
            "app/__init__.py",
            "app/app.py",
            "app/templates/index.html",
            "docs/small/README.md",
            "ops/replicas.txt",
            "requirements.txt",
            "static/logo.png",
            "svc.env.example",
        ]
    );
    // Not rendered: byte for byte, `{{ }}` and all.
    for f in [
        "app/templates/index.html",
        ".github/workflows/ci.yml",
        "static/logo.png",
    ] {
        assert_eq!(
            fs::read(root.join(f)).unwrap(),
            fs::read(fixture("acme-kit").join(f)).unwrap(),
            "{f}"
        );
    }
    let dockerfile = read(root.join("Dockerfile"));
    assert!(
        dockerfile.contains("FROM python:3.13-slim")
            && dockerfile.contains("EXPOSE 8080")
            && dockerfile.contains("team=\"platform\"")
    );
    assert_eq!(
        read(root.join("ops/replicas.txt")),
        "svc runs 2 replicas on the small tier, owned by platform.\n"
    );
    let answers = read(root.join(".flaskgen.toml"));
    for want in [
        "name = \"acme-flask\"",
        "version = \"1.2.0\"",
        "team = \"platform\"",
        "replicas = 2",
        "tier = \"small\"",
        "with_redis = false",
    ] {
        assert!(answers.contains(want), "{want}: {answers}");
    }
}

#[test]
fn defines_set_kit_variables_and_switch_conditions() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args([
            "new",
            "svc",
            "--yes",
            "-t",
            &kit(),
            "-d",
            "team=payments",
            "-d",
            "replicas=5",
            "-d",
            "tier=large",
            "-d",
            "with_redis=true",
        ])
        .assert()
        .success();
    let root = tmp.path().join("svc");
    assert_eq!(
        read(root.join("ops/redis.conf")),
        "# redis for svc (payments)\nmaxmemory 1gb\n"
    );
    assert!(root.join("ops/large-only.txt").exists());
    assert!(root.join("docs/large/README.md").exists());
    assert!(read(root.join("app/app.py")).contains("team=\"payments\", replicas=5"));
}

#[rstest]
#[case("team=Payments", "team", "^[a-z]+$")]
#[case("team=", "team", "^[a-z]+$")]
#[case("replicas=11", "replicas", "from 1 to 10")]
#[case("replicas=0", "replicas", "from 1 to 10")]
#[case("replicas=two", "replicas", "from 1 to 10")]
#[case("tier=huge", "tier", "small, large")]
#[case("with_redis=maybe", "with_redis", "true or false")]
#[case("port=0", "port", "1 to 65535")]
#[case("base_image=python", "base_image", "explicit tag")]
#[case("colour=red", "colour", "team, replicas, tier, with_redis")]
fn kit_variables_are_validated(#[case] define: &str, #[case] field: &str, #[case] rule: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-t", &kit(), "-d", define])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(field) && err.contains(rule), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1);
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// `flaskgen new svc --yes -t kit` in `dir`, plus `extra` arguments.
fn new_from_kit(dir: &Path, extra: &[&str]) -> std::process::Output {
    flaskgen(dir)
        .args(["new", "svc", "--yes", "-t", "kit"])
        .args(extra)
        .output()
        .unwrap()
}

/// A throwaway kit: a manifest and files.
fn make_kit(dir: &Path, manifest_extra: &str, files: &[(&str, &str)]) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("flaskgen.toml"),
        format!("[template]\nname = \"t\"\n{manifest_extra}"),
    )
    .unwrap();
    for (p, c) in files {
        let path = dir.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, c).unwrap();
    }
}

#[rstest]
#[case("../../escape")]
#[case("..")]
#[case("/etc")]
#[case("a//b")]
#[case("")]
#[case("ok/../../up")]
fn templated_names_cannot_leave_the_project(#[case] evil: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    make_kit(
        &kit,
        "[variables.where]\ntype = \"string\"\ndefault = \"fine\"\n",
        &[("{{ where }}/x.txt", "x")],
    );
    let out = flaskgen(tmp.path())
        .args([
            "new",
            "svc",
            "--yes",
            "-t",
            "kit",
            "-d",
            &format!("where={evil}"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("{{ where }}/x.txt") && err.contains("unsafe path"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{:?}", format!("{evil}/x.txt"))),
        "names the value: {err}"
    );
    assert_eq!(
        files(tmp.path()),
        ["kit/flaskgen.toml", "kit/{{ where }}/x.txt"]
    );
}

#[test]
fn a_symlink_pointing_out_of_the_kit_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    make_kit(&kit, "", &[("a.txt", "a")]);
    fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), kit.join("leak.txt")).unwrap();
    let out = new_from_kit(tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("leak.txt") && stderr(&out).contains("outside the template"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("svc").exists());
    // A symlink that stays inside is followed.
    fs::remove_file(kit.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink("a.txt", kit.join("b.txt")).unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-t", "kit"])
        .assert()
        .success();
    assert_eq!(read(tmp.path().join("svc/b.txt")), "a");
}

/// A kit file that links into the kit's own `.git` (its config holds the
/// clone's URL; its hooks run code) is refused, for a git kit and a directory.
#[test]
fn a_symlink_into_the_kits_git_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    make_kit(&work, "", &[("a.txt", "a")]);
    git(&work, &["init", "-q"]);
    std::os::unix::fs::symlink(".git/config", work.join("leaked-config")).unwrap();
    std::os::unix::fs::symlink(".git", work.join("hooks-dir")).unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "v1"]);
    git(tmp.path(), &["clone", "-q", "--bare", "work", "kit.git"]);
    let url = format!("file://{}", tmp.path().join("kit.git").display());
    let out_dir = tmp.path().join("out");
    fs::create_dir(&out_dir).unwrap();
    for source in [url.as_str(), work.to_str().unwrap()] {
        let out = flaskgen(&out_dir)
            .args(["new", "svc", "--yes", "-t", source])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("template file hooks-dir is a symlink into the kit's .git directory"),
            "{err}"
        );
        assert_eq!(fs::read_dir(&out_dir).unwrap().count(), 0, "{err}");
    }
    fs::remove_file(work.join("hooks-dir")).unwrap();
    let out = flaskgen(&out_dir)
        .args(["new", "svc", "--yes", "-t", work.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("template file leaked-config is a symlink into the kit's .git directory"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_dir(&out_dir).unwrap().count(), 0);
}

#[test]
fn templates_cannot_read_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    make_kit(
        &tmp.path().join("kit"),
        "",
        &[("x.txt.tera", "{{ get_env(name=\"HOME\") }}")],
    );
    let out = new_from_kit(tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("get_env"), "{}", stderr(&out));
    assert!(!tmp.path().join("svc").exists());
}

#[test]
fn a_kit_variable_without_default_must_be_given() {
    let tmp = tempfile::tempdir().unwrap();
    make_kit(
        &tmp.path().join("kit"),
        "[variables.owner]\ntype = \"string\"\n",
        &[("x.txt.tera", "{{ owner }}")],
    );
    let out = new_from_kit(tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("-d owner=VALUE"), "{}", stderr(&out));
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-t", "kit", "-d", "owner=me"])
        .assert()
        .success();
    assert_eq!(read(tmp.path().join("svc/x.txt")), "me");
}

fn git(dir: &Path, args: &[&str]) {
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn git_kit_over_file_url_with_ref() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    copy_dir(&fixture("acme-kit"), &work);
    git(&work, &["init", "-q"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "v1"]);
    git(&work, &["tag", "v1"]);
    fs::write(work.join("ops/replicas.txt.tera"), "v2 {{ replicas }}\n").unwrap();
    git(&work, &["commit", "-qam", "v2"]);
    git(tmp.path(), &["clone", "-q", "--bare", "work", "kit.git"]);
    let url = format!("file://{}", tmp.path().join("kit.git").display());

    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    flaskgen(&out)
        .args(["new", "head", "--yes", "-t", &url])
        .assert()
        .success();
    assert_eq!(read(out.join("head/ops/replicas.txt")), "v2 2\n");
    let answers = read(out.join("head/.flaskgen.toml"));
    assert!(
        answers.contains(&format!("source = \"{url}\"")) && answers.contains("commit = \""),
        "{answers}"
    );

    flaskgen(&out)
        .args(["new", "old", "--yes", "-t", &url, "--ref", "v1"])
        .assert()
        .success();
    assert!(read(out.join("old/ops/replicas.txt")).starts_with("old runs 2 replicas"));
    assert!(read(out.join("old/.flaskgen.toml")).contains("ref = \"v1\""));

    let bad = flaskgen(&out)
        .args(["new", "x", "--yes", "-t", &url, "--ref", "no-such-tag"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("could not clone") && stderr(&bad).contains("no-such-tag"),
        "{}",
        stderr(&bad)
    );
    let missing = format!("file://{}", tmp.path().join("nope.git").display());
    let bad = flaskgen(&out)
        .args(["new", "x", "--yes", "-t", &missing])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("could not clone"));
    // No git on PATH: a clear error, not a crash.
    let bad = flaskgen(&out)
        .env("PATH", tmp.path().join("empty"))
        .args(["new", "x", "--yes", "-t", &url])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("git is not installed"),
        "{}",
        stderr(&bad)
    );
    assert_eq!(
        files(&out).iter().filter(|f| f.starts_with("x/")).count(),
        0
    );
}

/// An ssh kit never hangs on a password prompt (ssh gets BatchMode), yet a
/// user's own ssh command (a team key, say) is used as they set it.
#[test]
fn ssh_kits_never_prompt_and_keep_the_users_ssh_command() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    // Stand-ins for ssh: each records how it was called, then fails like an unreachable host.
    for name in ["ssh", "team-ssh"] {
        let script = bin.join(name);
        fs::write(
            &script,
            "#!/bin/sh\necho \"$@\" > \"$0.called\"\necho 'ssh: connect: unreachable' >&2\nexit 255\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let url = "ssh://git@git.example.invalid/acme/flask-kit.git";
    let run = |extra: &[(&str, String)]| {
        let mut cmd = flaskgen(tmp.path());
        cmd.env("PATH", &path);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd
            .args(["new", "svc", "--yes", "-t", url])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("could not clone"), "{}", stderr(&out));
        assert!(!tmp.path().join("svc").exists());
    };
    run(&[]);
    assert!(read(bin.join("ssh.called")).contains("BatchMode=yes"));
    fs::remove_file(bin.join("ssh.called")).unwrap();
    run(&[(
        "GIT_SSH_COMMAND",
        bin.join("team-ssh").display().to_string(),
    )]);
    assert!(!read(bin.join("team-ssh.called")).contains("BatchMode"));
    assert!(!bin.join("ssh.called").exists());
    // The same choice made in git's own config.
    fs::remove_file(bin.join("team-ssh.called")).unwrap();
    let gitconfig = tmp.path().join("gitconfig");
    fs::write(
        &gitconfig,
        format!(
            "[core]\n\tsshCommand = {}\n",
            bin.join("team-ssh").display()
        ),
    )
    .unwrap();
    run(&[("GIT_CONFIG_GLOBAL", gitconfig.display().to_string())]);
    assert!(bin.join("team-ssh.called").exists());
    assert!(!bin.join("ssh.called").exists());
}

fn with_config(tmp: &Path, text: &str) -> std::path::PathBuf {
    let p = tmp.join("config.toml");
    fs::write(&p, text).unwrap();
    p
}

#[test]
fn config_precedence_flag_then_env_then_config_then_template() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = with_config(tmp.path(), "[defaults]\nport = 8081\nbase_image = \"python:3.13-alpine\"\nimage_namespace = \"acme\"\n");
    let run = |name: &str, env_port: Option<&str>, args: &[&str]| {
        let mut c = flaskgen(tmp.path());
        c.env("FLASKGEN_CONFIG", &cfg);
        if let Some(p) = env_port {
            c.env("FLASKGEN_PORT", p);
        }
        c.args(["new", name, "--yes"]).args(args).assert().success();
        read(tmp.path().join(name).join(".flaskgen.toml"))
    };
    let a = run("a", None, &[]);
    assert!(
        a.contains("port = 8081")
            && a.contains("python:3.13-alpine")
            && a.contains("image = \"acme/a\""),
        "{a}"
    );
    assert!(run("b", Some("7000"), &[]).contains("port = 7000"));
    assert!(run("c", Some("7000"), &["-p", "7001"]).contains("port = 7001"));
    assert!(run("d", None, &["--no-config"]).contains("port = 5000"));
    // XDG_CONFIG_HOME is found without FLASKGEN_CONFIG.
    fs::create_dir_all(tmp.path().join("xdg/flaskgen")).unwrap();
    fs::copy(&cfg, tmp.path().join("xdg/flaskgen/config.toml")).unwrap();
    flaskgen(tmp.path())
        .env("XDG_CONFIG_HOME", tmp.path().join("xdg"))
        .args(["new", "e", "--yes"])
        .assert()
        .success();
    assert!(read(tmp.path().join("e/.flaskgen.toml")).contains("port = 8081"));
}

#[test]
fn config_values_are_validated_and_errors_name_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    for (text, want) in [
        ("[defaults]\nport = 70000\n", "port"),
        ("[defaults]\nbase_image = \"python:latest\"\n", "base_image"),
        (
            "[defaults]\nimage_namespace = \"Bad NS\"\n",
            "image_namespace",
        ),
        ("[defaults]\nprot = 1\n", "prot"),
        ("[defaults\n", "config.toml:1"),
    ] {
        let cfg = with_config(tmp.path(), text);
        let out = flaskgen(tmp.path())
            .env("FLASKGEN_CONFIG", &cfg)
            .args(["new", "x", "--yes"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(want) && err.contains(&cfg.display().to_string()),
            "{text}: {err}"
        );
        assert!(!tmp.path().join("x").exists());
    }
    // FLASKGEN_CONFIG naming a missing file is a bad value, not a silent default.
    let out = flaskgen(tmp.path())
        .env("FLASKGEN_CONFIG", tmp.path().join("missing.toml"))
        .args(["new", "x", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("FLASKGEN_CONFIG names"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn config_can_choose_the_template_and_kit_variable_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = with_config(
        tmp.path(),
        &format!(
            "[defaults]\ntemplate = {:?}\n\n[variables]\nteam = \"data\"\n",
            kit()
        ),
    );
    flaskgen(tmp.path())
        .env("FLASKGEN_CONFIG", &cfg)
        .args(["new", "x", "--yes"])
        .assert()
        .success();
    let answers = read(tmp.path().join("x/.flaskgen.toml"));
    assert!(
        answers.contains("acme-flask") && answers.contains("team = \"data\""),
        "{answers}"
    );
    let listing = stdout(
        &flaskgen(tmp.path())
            .env("FLASKGEN_CONFIG", &cfg)
            .arg("list")
            .output()
            .unwrap(),
    );
    assert!(listing.contains(&kit()), "{listing}");
}

#[test]
fn template_init_round_trips_to_the_builtin_output() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["template", "init", "mykit"])
        .assert()
        .success();
    let exported = files(&tmp.path().join("mykit"));
    let source = files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/default"));
    assert_eq!(exported, source);
    flaskgen(tmp.path())
        .args(["template", "check", "mykit"])
        .assert()
        .success();
    fs::create_dir_all(tmp.path().join("a")).unwrap();
    fs::create_dir_all(tmp.path().join("b")).unwrap();
    flaskgen(&tmp.path().join("a"))
        .args(["new", "svc", "--yes", "-p", "8000"])
        .assert()
        .success();
    flaskgen(&tmp.path().join("b"))
        .args(["new", "svc", "--yes", "-p", "8000", "-t", "../mykit"])
        .assert()
        .success();
    let (a, b) = (tmp.path().join("a/svc"), tmp.path().join("b/svc"));
    assert_eq!(files(&a), files(&b));
    for f in files(&a) {
        let (x, y) = (read(a.join(&f)), read(b.join(&f)));
        if f == ".flaskgen.toml" {
            let strip = |s: &str| {
                s.lines()
                    .filter(|l| !l.starts_with("source = "))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(strip(&x), strip(&y));
            assert_ne!(
                x, y,
                "the answers file records where the template came from"
            );
        } else {
            assert_eq!(x, y, "{f}");
        }
    }
    // Exporting over a non-empty directory is refused.
    assert_eq!(
        flaskgen(tmp.path())
            .args(["template", "init", "mykit"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn template_check_passes_a_sound_kit_and_reports_every_problem_with_a_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["template", "check", &kit()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("sound"));

    make_kit(
        &tmp.path().join("broken"),
        "[conditions]\n\"nothing/here\" = \"true\"\n",
        &[
            ("a.txt.tera", "line one\n{{ oops\n"),
            ("b/c.txt.tera", "ok\nok\n{% if %}\n"),
            ("fine.txt.tera", "{{ name }}"),
        ],
    );
    let out = flaskgen(tmp.path())
        .args(["template", "check", "broken"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("a.txt.tera:3:1:"), "{err}");
    assert!(err.contains("b/c.txt.tera:3:"), "{err}");
    assert!(err.contains("nothing/here"), "{err}");
    assert!(err.contains("3 problems"), "{err}");

    // Every manifest problem is listed, each with its line; `new` shows the first and a count.
    make_kit(
        &tmp.path().join("badmanifest"),
        "[variables.replicas]\ntype = \"int\"\nmax = 3\ndefault = 9\n\
         [variables.tier]\ntype = \"choice\"\nchoices = []\n\
         [variables.port]\ntype = \"string\"\n\
         [conditions]\n\"x.txt\" = 3\n",
        &[],
    );
    let out = flaskgen(tmp.path())
        .args(["template", "check", "badmanifest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for want in [
        "flaskgen.toml:3: variable `replicas`: default \"9\"",
        "flaskgen.toml:7: variable `tier`: type `choice` needs",
        "flaskgen.toml:10: variable `port`: a built-in variable",
        "flaskgen.toml:13: condition for `x.txt`",
        "4 problems in the manifest",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-t", "badmanifest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("(and 3 more; `flaskgen template check` lists them all)"),
        "{err}"
    );
    assert!(!tmp.path().join("svc").exists());
}

/// `flaskgen new svc --yes -t FIXTURE-KIT` in `dir`, plus `extra`; must succeed.
fn new_from_fixture_kit(dir: &Path, extra: &[&str]) {
    flaskgen(dir)
        .args(["new", "svc", "--yes", "-t", &kit()])
        .args(extra)
        .assert()
        .success();
}

/// The answers file holds everything needed: feeding its values back as
/// `-d` regenerates the same project, byte for byte.
#[test]
fn the_answers_file_regenerates_the_project() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("a")).unwrap();
    fs::create_dir_all(tmp.path().join("b")).unwrap();
    new_from_fixture_kit(
        &tmp.path().join("a"),
        &[
            "-p",
            "9000",
            "-d",
            "tier=large",
            "-d",
            "replicas=7",
            "-d",
            "with_redis=true",
            "--image",
            "acme/svc:2",
        ],
    );
    let answers: toml::Table = read(tmp.path().join("a/svc/.flaskgen.toml"))
        .parse()
        .unwrap();
    let source = answers["template"]["source"].as_str().unwrap().to_string();
    let mut args = vec![
        "new".to_string(),
        "svc".into(),
        "--yes".into(),
        "-t".into(),
        source,
    ];
    for (k, v) in answers["values"].as_table().unwrap() {
        let v = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string());
        args.extend(["-d".into(), format!("{k}={v}")]);
    }
    flaskgen(&tmp.path().join("b"))
        .args(&args)
        .assert()
        .success();
    assert_same_tree(&tmp.path().join("a/svc"), &tmp.path().join("b/svc"));
}

#[test]
fn answers_option_makes_the_project_again_under_command_line_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    for d in ["a", "b", "c", "d"] {
        fs::create_dir_all(tmp.path().join(d)).unwrap();
    }
    new_from_fixture_kit(
        &tmp.path().join("a"),
        &["-p", "9000", "-d", "tier=large", "-d", "with_redis=true"],
    );
    let answers = tmp.path().join("a/svc/.flaskgen.toml");
    let answers = answers.to_str().unwrap();

    // No NAME, no template: both come from the answers file.
    flaskgen(&tmp.path().join("b"))
        .args(["new", "--yes", "--answers", answers])
        .assert()
        .success();
    assert_same_tree(&tmp.path().join("a/svc"), &tmp.path().join("b/svc"));

    // The command line wins over the answers file, which wins over the environment.
    flaskgen(&tmp.path().join("c"))
        .env("FLASKGEN_PORT", "7000")
        .args([
            "new",
            "other",
            "--yes",
            "--answers",
            answers,
            "-d",
            "tier=small",
        ])
        .assert()
        .success();
    let again = read(tmp.path().join("c/other/.flaskgen.toml"));
    for want in [
        "name = \"other\"",
        "port = 9000",
        "tier = \"small\"",
        "with_redis = true",
        "name = \"acme-flask\"",
    ] {
        assert!(again.contains(want), "{want}: {again}");
    }

    // Built-in projects too; and a bad value in the file is invalid input that names it.
    flaskgen(&tmp.path().join("d"))
        .args(["new", "plain", "--yes", "-p", "8111"])
        .assert()
        .success();
    let plain = tmp.path().join("d/plain/.flaskgen.toml");
    fs::write(&plain, read(&plain).replace("port = 8111", "port = 0")).unwrap();
    let out = flaskgen(&tmp.path().join("d"))
        .args([
            "new",
            "plain2",
            "--yes",
            "--answers",
            plain.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("port") && err.contains("answers file") && err.contains("1 to 65535"),
        "{err}"
    );
    assert!(!tmp.path().join("d/plain2").exists());
    let out = flaskgen(tmp.path())
        .args(["new", "x", "--yes", "--answers", "nope.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read answers file nope.toml"));
}

/// A `.tera` file is parsed when it is rendered: one whose condition is
/// false costs nothing at `new` (and is still checked by `template check`);
/// files that include each other are parsed together.
#[test]
fn only_written_files_are_parsed_but_check_parses_all() {
    let tmp = tempfile::tempdir().unwrap();
    make_kit(
        &tmp.path().join("lazy"),
        "[variables.extra]\ndefault = false\n[conditions]\n\"extra.txt\" = \"extra\"\n",
        &[
            ("extra.txt.tera", "{% if x %}unclosed\n"),
            ("main.txt.tera", "{% if true %}{{ name }}{% endif %}\n"),
        ],
    );
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-t", "lazy"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(tmp.path().join("svc/main.txt")), "svc\n");
    assert!(!tmp.path().join("svc/extra.txt").exists());
    let out = flaskgen(tmp.path())
        .args(["template", "check", "lazy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("extra.txt.tera"), "{}", stderr(&out));

    make_kit(
        &tmp.path().join("incl"),
        "",
        &[
            ("page.txt.tera", "{% include \"part.txt.tera\" %}!\n"),
            ("part.txt.tera", "{% if true %}{{ name }}{% endif %}"),
        ],
    );
    let out = flaskgen(tmp.path())
        .args(["new", "inc", "--yes", "-t", "incl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(read(tmp.path().join("inc/page.txt")), "inc!\n");
}

/// A kit's name, version and description reach the terminal escaped: no
/// control sequence, and no line of theirs can pass for flaskgen's own.
#[test]
fn a_kits_manifest_cannot_forge_terminal_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    fs::create_dir_all(&kit).unwrap();
    fs::write(
        kit.join("flaskgen.toml"),
        "[template]\nname = \"t\\nerror: forged\\u001b]0;evil\\u0007\"\n\
         description = \"d\\n     Created forged\"\nversion = \"1.0.0\"\n",
    )
    .unwrap();
    fs::write(kit.join("app.py"), "x = 1\n").unwrap();
    for args in [&["--dry-run"][..], &[], &["--force"]] {
        let out = new_from_kit(tmp.path(), args);
        let err = stderr(&out);
        assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
        for line in err.lines() {
            assert!(
                !line.starts_with("error: forged")
                    && !line.trim_start().starts_with("Created forged"),
                "a forged line: {err}"
            );
        }
    }
}
