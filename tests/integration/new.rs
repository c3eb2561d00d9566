//! `flaskgen new`: flags, validation, safe writing.

use std::fs;

use rstest::rstest;

use crate::*;

#[test]
fn default_project_has_every_file_and_next_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "hello-flask", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "status must not go to stdout");
    assert_eq!(files(&tmp.path().join("hello-flask")), DEFAULT_FILES);
    let err = stderr(&out);
    for want in [
        "cd hello-flask",
        "docker image build -t hello-flask .",
        "docker container run --rm -p 5000:5000 hello-flask",
        "http://localhost:5000",
    ] {
        assert!(err.contains(want), "missing {want:?} in {err}");
    }
    let app = read(tmp.path().join("hello-flask/app/app.py"));
    assert!(app.contains("return \"hello flask\""));
    assert!(!app.contains("debug=True"));
    let reqs = read(tmp.path().join("hello-flask/requirements.txt"));
    let pins: Vec<&str> = reqs
        .lines()
        .filter(|l| !l.trim_start().starts_with(['#', '-']))
        .collect();
    assert!(pins.iter().all(|l| l.contains("==")), "{reqs}");
    assert!(reqs.contains("flask==") && reqs.contains("gunicorn=="));
    assert!(
        reqs.contains("--hash=sha256:"),
        "a lock with hashes: {reqs}"
    );
}

#[test]
fn flags_reach_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args([
            "new",
            "svc",
            "--port",
            "8080",
            "--base-image",
            "python:3.12-alpine",
            "--image",
            "myrepo/svc",
        ])
        .assert()
        .success();
    let root = tmp.path().join("svc");
    let dockerfile = read(root.join("Dockerfile"));
    assert!(dockerfile.contains("FROM python:3.12-alpine\n"));
    assert!(dockerfile.contains("EXPOSE 8080\n"));
    assert!(dockerfile.contains("PORT=8080"));
    assert!(dockerfile.contains("USER 10001:10001"));
    assert!(!dockerfile.contains("apk") && !dockerfile.contains("apt-get"));
    assert!(read(root.join("compose.yaml")).contains("\"8080:8080\""));
    assert!(read(root.join("compose.yaml")).contains("image: \"myrepo/svc\""));
    let readme = read(root.join("README.md"));
    assert!(readme.contains("docker image build -t myrepo/svc ."));
    assert!(readme.contains("docker container run --rm -p 8080:8080 myrepo/svc"));
    assert!(read(root.join("gunicorn.conf.py")).contains("os.environ.get(\"PORT\", \"8080\")"));
    let answers = read(root.join(".flaskgen.toml"));
    for want in [
        "name = \"svc\"",
        "port = 8080",
        "base_image = \"python:3.12-alpine\"",
        "image = \"myrepo/svc\"",
        "name = \"flaskgen-default\"",
        "version = \"1.2.0\"",
    ] {
        assert!(answers.contains(want), "{want} in {answers}");
    }
}

#[test]
fn output_dir_is_created_when_missing() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "app1", "--yes", "-o", "a/b"])
        .assert()
        .success();
    assert_eq!(files(&tmp.path().join("a/b/app1")), DEFAULT_FILES);
}

#[test]
fn minimal_writes_the_tutorials_four_files_and_a_dockerignore() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "tiny", "--yes", "--minimal", "-p", "5050"])
        .assert()
        .success();
    let root = tmp.path().join("tiny");
    assert_eq!(
        files(&root),
        [
            ".dockerignore",
            "Dockerfile",
            "app/__init__.py",
            "app/app.py",
            "requirements.txt"
        ]
    );
    let dockerfile = read(root.join("Dockerfile"));
    assert!(!dockerfile.contains("gunicorn.conf.py"), "{dockerfile}");
    // gunicorn binds 0.0.0.0:$PORT when no --bind is given; PORT comes from ENV.
    let cmd = dockerfile.lines().find(|l| l.starts_with("CMD ")).unwrap();
    assert!(!cmd.contains("--bind"), "{cmd}");
    assert!(dockerfile.contains("PORT=5050"), "{dockerfile}");
}

#[rstest]
#[case::name_spaces(&["new", "Hello World", "--yes"], "name", "hello-world")]
#[case::name_upper(&["new", "Hello", "--yes"], "name", "hello")]
#[case::name_leading_dash(&["new", "--yes", "--", "-app"], "name", "for example")]
#[case::name_trailing_dot(&["new", "app.", "--yes"], "name", "for example")]
#[case::name_slash(&["new", "a/b", "--yes"], "name", "a-b")]
#[case::name_too_long(&["new", &"a".repeat(64), "--yes"], "name", "1-63")]
#[case::name_dotdot(&["new", "..", "--yes"], "name", "for example")]
#[case::port_zero(&["new", "x", "--yes", "-p", "0"], "port", "1 to 65535")]
#[case::port_big(&["new", "x", "--yes", "-p", "65536"], "port", "1 to 65535")]
#[case::port_text(&["new", "x", "--yes", "-p", "http"], "port", "for example `5000`")]
#[case::port_negative(&["new", "x", "--yes", "--port=-80"], "port", "1 to 65535")]
#[case::base_untagged(&["new", "x", "--yes", "-b", "python"], "base_image", "explicit tag")]
#[case::base_latest(&["new", "x", "--yes", "-b", "python:latest"], "base_image", "not `latest`")]
#[case::base_space(&["new", "x", "--yes", "-b", "python:3.12 slim"], "base_image", "spaces")]
#[case::base_upper(&["new", "x", "--yes", "-b", "Python:3.12"], "base_image", "image reference")]
#[case::base_newline(&["new", "x", "--yes", "-b", "python:3.12\nRUN evil"], "base_image", "control")]
#[case::base_bad_digest(&["new", "x", "--yes", "-b", "python@sha256:abc"], "base_image", "image reference")]
#[case::image_upper(&["new", "x", "--yes", "--image", "MyRepo/x"], "image", "repository reference")]
#[case::image_space(&["new", "x", "--yes", "--image", "my repo"], "image", "spaces")]
#[case::image_trailing_slash(&["new", "x", "--yes", "--image", "myrepo/"], "image", "repository reference")]
#[case::define_unknown(&["new", "x", "--yes", "-d", "nope=1"], "nope", "name, port, base_image, image")]
#[case::define_no_equals(&["new", "x", "--yes", "-d", "port"], "--define", "KEY=VALUE")]
#[case::define_no_key(&["new", "x", "--yes", "-d", "=8080"], "--define", "KEY=VALUE")]
#[case::template_empty(&["new", "x", "--yes", "-t", ""], "template", "kit directory or a git URL")]
#[case::define_bad_value(&["new", "x", "--yes", "-d", "port=99999"], "port", "1 to 65535")]
#[case::define_conflict(&["new", "x", "--yes", "-d", "port=1234", "-p", "4321"], "port", "twice")]
fn invalid_input_exits_2_with_one_line_and_writes_nothing(
    #[case] args: &[&str],
    #[case] field: &str,
    #[case] hint: &str,
) {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path()).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(field), "names {field}: {err}");
    assert!(err.contains(hint), "says {hint}: {err}");
    assert!(
        err.contains("for example")
            || err.contains("e.g.")
            || err.contains("did you mean")
            || err.contains("variables are"),
        "{err}"
    );
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "nothing written: {left:?}");
}

#[test]
fn missing_name_without_terminal_names_name_and_yes() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [&["new"][..], &["new", "--yes"][..]] {
        let out = flaskgen(tmp.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains("NAME") && err.contains("--yes"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1);
    }
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn existing_project_is_refused_and_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("svc");
    fs::create_dir_all(root.join("app")).unwrap();
    fs::write(root.join("Dockerfile"), "FROM mine:1\n").unwrap();
    fs::write(root.join("app/app.py"), "# mine\n").unwrap();
    fs::write(root.join("notes.txt"), "keep\n").unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("Dockerfile") && err.contains("app/app.py") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(files(&root), ["Dockerfile", "app/app.py", "notes.txt"]);
    assert_eq!(read(root.join("Dockerfile")), "FROM mine:1\n");
}

#[test]
fn non_empty_directory_without_clashes_is_refused_too() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("svc")).unwrap();
    fs::write(tmp.path().join("svc/other.txt"), "x").unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("other.txt"));
    assert_eq!(files(&tmp.path().join("svc")), ["other.txt"]);
}

/// An empty directory is filled in place, not replaced: it keeps its identity
/// and mode (it may be a mount point, or someone's current directory).
#[test]
fn empty_existing_directory_is_filled_in_place() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let tmp = tempfile::tempdir().unwrap();
    let svc = tmp.path().join("svc");
    fs::create_dir(&svc).unwrap();
    fs::set_permissions(&svc, fs::Permissions::from_mode(0o750)).unwrap();
    let before = fs::metadata(&svc).unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .assert()
        .success();
    assert_eq!(files(&svc), DEFAULT_FILES);
    let after = fs::metadata(&svc).unwrap();
    assert_eq!(after.ino(), before.ino());
    assert_eq!(after.mode() & 0o7777, 0o750);
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "no staging left"
    );

    // The current directory itself, which cannot be renamed over.
    let kit = tmp.path().join("kit");
    fs::create_dir(&kit).unwrap();
    flaskgen(&kit)
        .args(["template", "init", "."])
        .assert()
        .success();
    assert!(kit.join("flaskgen.toml").exists());
    // Once it holds something, template init refuses it (it has no --force).
    let again = flaskgen(&kit)
        .args(["template", "init", "."])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("writes only into a new or empty directory"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn force_overwrites_only_rendered_files_and_lists_them() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("svc");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("Dockerfile"), "FROM mine:1\n").unwrap();
    fs::write(root.join("notes.txt"), "keep\n").unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("Replaced svc/Dockerfile") && err.contains("14 new, 1 replaced, 0 unchanged"),
        "{err}"
    );
    assert_eq!(err.matches("Replaced").count(), 1);
    assert_eq!(read(root.join("notes.txt")), "keep\n");
    assert!(read(root.join("Dockerfile")).contains("USER 10001"));
    let mut want: Vec<String> = DEFAULT_FILES.iter().map(|s| s.to_string()).collect();
    want.push("notes.txt".into());
    want.sort();
    assert_eq!(files(&root), want);
}

#[test]
fn force_refuses_a_file_where_a_directory_goes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("svc");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("app"), "a file named app").unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(files(&root), ["app"]);
}

#[test]
fn dry_run_lists_paths_and_sizes_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let listing = stdout(&out);
    assert_eq!(listing.lines().count(), DEFAULT_FILES.len(), "{listing}");
    for f in DEFAULT_FILES {
        let line = listing
            .lines()
            .find(|l| l.starts_with(&format!("svc/{f} ")))
            .unwrap_or_else(|| panic!("{f} in {listing}"));
        assert!(line.trim_end().ends_with("bytes"));
    }
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    // The sizes are the real ones.
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .assert()
        .success();
    let size = fs::metadata(tmp.path().join("svc/Dockerfile"))
        .unwrap()
        .len();
    let line = listing
        .lines()
        .find(|l| l.starts_with("svc/Dockerfile "))
        .unwrap();
    assert!(line.contains(&format!(" {size} bytes")), "{line} vs {size}");
}

#[test]
fn failure_during_render_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    fs::create_dir_all(&kit).unwrap();
    fs::write(kit.join("flaskgen.toml"), "[template]\nname = \"broken\"\n").unwrap();
    fs::write(kit.join("a.txt"), "fine").unwrap();
    fs::write(kit.join("b.txt.tera"), "{{ no_such_variable }}").unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-t", "kit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("b.txt.tera"), "{}", stderr(&out));
    assert_eq!(
        files(tmp.path()),
        ["kit/a.txt", "kit/b.txt.tera", "kit/flaskgen.toml"]
    );
}

#[test]
fn failure_while_writing_leaves_no_partial_project_or_temp_dir() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where --output-dir needs a directory: caught before anything is made.
    fs::write(tmp.path().join("out"), "").unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-o", "out/deeper"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("out is a file, so out/deeper/svc cannot be created"),
        "{}",
        stderr(&out)
    );
    assert_eq!(files(tmp.path()), ["out"]);
}

#[test]
fn environment_supplies_flags_and_the_command_line_wins() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .env("FLASKGEN_PORT", "7000")
        .env("FLASKGEN_BASE_IMAGE", "python:3.13-slim")
        .args(["new", "a", "--yes"])
        .assert()
        .success();
    let d = read(tmp.path().join("a/Dockerfile"));
    assert!(d.contains("EXPOSE 7000") && d.contains("FROM python:3.13-slim"));
    flaskgen(tmp.path())
        .env("FLASKGEN_PORT", "7000")
        .args(["new", "b", "--yes", "-p", "7001"])
        .assert()
        .success();
    assert!(read(tmp.path().join("b/Dockerfile")).contains("EXPOSE 7001"));
    let out = flaskgen(tmp.path())
        .env("FLASKGEN_PORT", "nope")
        .args(["new", "c", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("FLASKGEN_PORT"), "{}", stderr(&out));
}

#[test]
fn privileged_port_is_allowed_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "low", "--yes", "-p", "80"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("warning: port 80 is below 1024"),
        "{}",
        stderr(&out)
    );
    assert!(read(tmp.path().join("low/Dockerfile")).contains("EXPOSE 80\n"));
}

#[test]
fn verbose_says_where_each_value_came_from() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .env("FLASKGEN_BASE_IMAGE", "python:3.13-slim")
        .args(["new", "v", "--yes", "-v", "-p", "8000"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains("port = 8000 (from command line)"), "{err}");
    assert!(
        err.contains(
            "base_image = python:3.13-slim (from environment variable FLASKGEN_BASE_IMAGE)"
        ),
        "{err}"
    );
    assert!(err.contains("image = v (from the project name)"), "{err}");
    assert!(
        err.contains("minimal = false (from template default)"),
        "{err}"
    );
}

/// Every kind of project `new` writes, in a git repository as `new` makes it
/// by default, passes `flaskgen check` with nothing to report: the minimal
/// one too (its .dockerignore keeps .git out of the build context, FG012).
#[test]
fn check_passes_every_project_new_writes_in_a_git_repository() {
    let git = std::process::Command::new("git").arg("--version").output();
    if git.is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must have git");
        eprintln!("NOT RUN: check on projects in a git repository: git is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for (name, extra) in [
        ("full", &[][..]),
        ("tiny", &["--minimal"][..]),
        (
            "everything",
            &["--deploy", "swarm,kubernetes", "--ci", "github"][..],
        ),
        ("alpine", &["-b", "python:3.13-alpine", "-p", "8080"][..]),
    ] {
        let out = flaskgen(tmp.path())
            .args(["new", name, "--yes", "--vcs", "git"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert!(tmp.path().join(name).join(".git").is_dir(), "{name}");
        let out = flaskgen(tmp.path())
            .args(["check", name, "--fail-on", "note"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stdout(&out));
        assert!(
            stdout(&out).contains("no problems found"),
            "{}",
            stdout(&out)
        );
    }
}

/// A base image whose tag floats is refused by `new`, by the rule `check`'s
/// FG004 applies: nothing is written that `check` would then fail.
#[test]
fn floating_base_image_tags_are_refused_by_checks_own_rule() {
    let tmp = tempfile::tempdir().unwrap();
    for image in ["python:3-slim", "python:slim", "python:3", "python:alpine"] {
        let out = flaskgen(tmp.path())
            .args(["new", "svc", "--yes", "-b", image])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{image}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.contains("base_image") && err.contains("floats") && err.contains("major.minor"),
            "{err}"
        );
        assert!(err.contains("e.g. `python:3.14-slim`"), "{err}");
        assert!(!tmp.path().join("svc").exists(), "{image}: nothing written");
    }
    // What `new` accepts, `check` accepts.
    for image in ["python:3.13-slim", "python:3.12.4-alpine3.20"] {
        flaskgen(tmp.path())
            .args(["new", "ok", "--yes", "-b", image])
            .assert()
            .success();
        let out = flaskgen(tmp.path())
            .args(["check", "ok", "--fail-on", "note"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{image}: {}", stdout(&out));
        fs::remove_dir_all(tmp.path().join("ok")).unwrap();
    }
}

/// `check --format sarif` on a project whose path holds a space, `#`, `%`
/// and a non-ASCII letter: `%SRCROOT%` and each result's `uri` are RFC 3986
/// references (percent-encoded), and the root still names the directory.
#[test]
fn check_sarif_uris_are_percent_encoded() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-o", "my app #1 100% café"])
        .assert()
        .success();
    let root = tmp.path().join("my app #1 100% café/svc");
    let dockerfile =
        read(root.join("Dockerfile")).replace("FROM python:3.14-slim", "FROM python:3-slim");
    fs::write(root.join("Dockerfile"), dockerfile).unwrap();
    let out = flaskgen(tmp.path())
        .args(["check", "--format", "sarif"])
        .arg(&root)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &doc["runs"][0];
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///")
            && base.ends_with("/my%20app%20%231%20100%25%20caf%C3%A9/svc/"),
        "{base}"
    );
    let uri_char = |c: char| c.is_ascii_alphanumeric() || "-._~/:%".contains(c);
    assert!(base.chars().all(uri_char), "{base}");
    let results = run["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["ruleId"] == "FG004"),
        "{results:?}"
    );
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.chars().all(uri_char) && !uri.starts_with('/'), "{uri}");
    }
}
