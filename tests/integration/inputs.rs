//! The inputs layer seen from outside: bad input from every source exits 2
//! with one line naming the value, the rule and an example, and writes
//! nothing; precedence between sources is the one README states.

use std::fs;
use std::path::Path;

use rstest::rstest;

use crate::{flaskgen, read, stderr, stdout};

/// Where a bad value comes from in one case of the table.
enum From {
    Env(&'static str, &'static str),
    Config(&'static [u8]),
    ConfigSpecial(&'static str),
    Answers(&'static str),
    Args,
}

fn run_case(args: &[&str], from: From) -> (std::process::Output, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    let mut cmd = flaskgen(&work);
    cmd.args(args);
    match from {
        From::Env(k, v) => {
            cmd.env(k, v);
        }
        From::Config(text) => {
            fs::write(tmp.path().join("config.toml"), text).unwrap();
            cmd.env("FLASKGEN_CONFIG", tmp.path().join("config.toml"));
        }
        From::ConfigSpecial(kind) => {
            let p = tmp.path().join("config.toml");
            match kind {
                "fifo" => {
                    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
                    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
                }
                "dev-zero" => std::os::unix::fs::symlink("/dev/zero", &p).unwrap(),
                "huge" => fs::write(&p, format!("# {}\n", "x".repeat(2 << 20))).unwrap(),
                "directory" => fs::create_dir(&p).unwrap(),
                _ => unreachable!(),
            }
            cmd.env("FLASKGEN_CONFIG", &p);
        }
        From::Answers(text) => {
            fs::write(tmp.path().join("answers.toml"), text).unwrap();
            cmd.arg("--answers").arg(tmp.path().join("answers.toml"));
        }
        From::Args => {}
    }
    cmd.timeout(std::time::Duration::from_secs(20));
    (cmd.output().unwrap(), tmp)
}

const ANSWERS_OK: &str = "[template]\nsource = \"builtin\"\n[values]\nname = \"svc\"\n";

#[rstest]
#[case::env_port(From::Env("FLASKGEN_PORT", "abc"), "port", "FLASKGEN_PORT")]
#[case::env_base(
    From::Env("FLASKGEN_BASE_IMAGE", "python"),
    "base_image",
    "FLASKGEN_BASE_IMAGE"
)]
#[case::env_template_missing(
    From::Env("FLASKGEN_TEMPLATE", "./no-such-kit"),
    "template",
    "no-such-kit"
)]
#[case::config_port_text(From::Config(b"[defaults]\nport = \"abc\"\n"), "port", "config file")]
#[case::config_port_array(From::Config(b"[defaults]\nport = [1]\n"), "port", "array")]
#[case::config_port_variables(From::Config(b"[variables]\nport = 0\n"), "port", "config file")]
#[case::config_twice(
    From::Config(b"[defaults]\nport = 8080\n[variables]\nport = 9090\n"),
    "port",
    "twice"
)]
#[case::config_base_latest(
    From::Config(b"[defaults]\nbase_image = \"python:latest\"\n"),
    "base_image",
    "not `latest`"
)]
#[case::config_namespace(
    From::Config(b"[defaults]\nimage_namespace = \"Bad NS\"\n"),
    "image_namespace",
    "config file"
)]
#[case::config_unknown_key(From::Config(b"[defaults]\nprot = 1\n"), "prot", "config file")]
#[case::config_not_utf8(
    From::Config(b"[defaults]\nbase_image = \"\xff\"\n"),
    "config file",
    "UTF-8"
)]
#[case::config_missing_kit(
    From::Config(b"[defaults]\ntemplate = \"no-such-kit\"\n"),
    "config file",
    "no-such-kit"
)]
#[case::config_fifo(From::ConfigSpecial("fifo"), "config file", "not a regular file")]
#[case::config_dev_zero(From::ConfigSpecial("dev-zero"), "config file", "not a regular file")]
#[case::config_huge(From::ConfigSpecial("huge"), "config file", "bytes")]
#[case::config_directory(From::ConfigSpecial("directory"), "config file", "not a regular file")]
#[case::answers_port(
    From::Answers("[template]\nsource = \"builtin\"\n[values]\nname = \"svc\"\nport = \"x\"\n"),
    "port",
    "answers file"
)]
#[case::answers_no_template(
    From::Answers("[values]\nname = \"svc\"\n"),
    "answers file",
    "[template]"
)]
#[case::answers_array(
    From::Answers("[template]\nsource = \"builtin\"\n[values]\nname = [\"svc\"]\n"),
    "answers file",
    "array"
)]
#[case::answers_ref_local(
    From::Answers("[template]\nsource = \"/tmp\"\nref = \"v1\"\n[values]\nname = \"svc\"\n"),
    "--ref",
    "local directory"
)]
#[case::args_ref_alone(From::Args, "--ref", "--template")]
fn bad_input_from_every_source_exits_2(
    #[case] from: From,
    #[case] field: &str,
    #[case] hint: &str,
) {
    let mut args = vec!["new", "--yes"];
    match &from {
        From::Answers(_) => {}
        From::Args => args.extend(["svc", "--ref", "v1"]),
        _ => args.push("svc"),
    }
    let (out, tmp) = run_case(&args, from);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(field), "names {field}: {err}");
    assert!(err.contains(hint), "says {hint}: {err}");
    assert!(
        err.contains("for example")
            || err.contains("e.g.")
            || err.contains("such as")
            || err.contains("did you mean")
            || err.contains("save it as")
            || err.contains("should look like")
            || err.contains("expected"),
        "an example or a fix: {err}"
    );
    assert!(
        fs::read_dir(tmp.path().join("work"))
            .unwrap()
            .next()
            .is_none(),
        "nothing written"
    );
}

#[test]
fn answers_file_beats_the_environment_for_the_template_too() {
    let tmp = tempfile::tempdir().unwrap();
    // kitB would fail (it does not exist); the answers file names the built-in template.
    let answers = tmp.path().join("a.toml");
    fs::write(&answers, ANSWERS_OK).unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "--yes", "--answers"])
        .arg(&answers)
        .env("FLASKGEN_TEMPLATE", "./kitB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(read(tmp.path().join("svc/.flaskgen.toml")).contains("source = \"builtin\""));
}

#[test]
fn builtins_under_config_variables_are_applied() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("c.toml"),
        "[variables]\nport = 8123\nbase_image = \"python:3.13-slim\"\n",
    )
    .unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .env("FLASKGEN_CONFIG", tmp.path().join("c.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let docker = read(tmp.path().join("svc/Dockerfile"));
    assert!(
        docker.contains("FROM python:3.13-slim") && docker.contains("8123"),
        "{docker}"
    );
}

#[test]
fn long_values_are_shortened_in_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let huge = format!("[defaults]\nbase_image = \"{}\"\n", "a b".repeat(200_000));
    fs::write(tmp.path().join("c.toml"), huge).unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .env("FLASKGEN_CONFIG", tmp.path().join("c.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.len() < 600, "{} bytes: {}", err.len(), &err[..600]);
    assert!(err.contains("600000 bytes in all"), "{err}");
}

/// Every command that offers JSON answers an error in JSON too.
#[rstest::rstest]
#[case::init(&["init", "missing", "--json"])]
#[case::update(&["update", "missing", "--json"])]
#[case::check(&["check", "missing", "--json"])]
#[case::check_format(&["check", "missing", "--format", "json"])]
fn every_json_command_reports_errors_in_json(#[case] args: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path()).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}): {}", stdout(&out)));
    assert_eq!(doc["exit_code"], 2);
    assert_eq!(doc["error"]["kind"], "invalid_input");
    assert!(doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("missing"));
}

#[test]
fn json_errors_are_an_object_on_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--json", "-p", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["exit_code"], 2);
    assert_eq!(doc["error"]["kind"], "invalid_input");
    assert!(doc["error"]["message"].as_str().unwrap().contains("port"));
    // And the built-in template has one spelling in JSON and the answers file.
    let ok = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&ok)).unwrap();
    assert_eq!(doc["template"]["source"], "builtin");
    assert!(doc["template"]["ref"].is_null() && doc["template"]["commit"].is_null());
    assert!(read(tmp.path().join("svc/.flaskgen.toml")).contains("source = \"builtin\""));
}

#[test]
fn next_steps_quote_paths_for_the_shell() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "-o", "with space/dir"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cd 'with space/dir/svc'"),
        "{}",
        stderr(&out)
    );
    assert!(Path::new(&tmp.path().join("with space/dir/svc/Dockerfile")).exists());
}

/// A Flask app with no Dockerfile yet, in a fresh temp dir.
fn flask_app() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("app.py"),
        "from flask import Flask\napp = Flask(__name__)\n",
    )
    .unwrap();
    fs::write(tmp.path().join("requirements.txt"), "flask\ngunicorn\n").unwrap();
    tmp
}

/// Files `init` may have written into a `flask_app()`.
fn written_by_init(dir: &Path) -> Vec<String> {
    crate::files(dir)
        .into_iter()
        .filter(|f| !["app.py", "requirements.txt", ".python-version"].contains(&f.as_str()))
        .collect()
}

/// `init --yes` in a fresh `flask_app()`, the version given by `--python`
/// (`by_flag`) or by `.python-version`: the output and the project's dir.
fn init_with_python(version: &str, by_flag: bool) -> (std::process::Output, tempfile::TempDir) {
    let tmp = flask_app();
    let mut cmd = flaskgen(tmp.path());
    cmd.args(["init", "--yes"]);
    if by_flag {
        cmd.args(["--python", version]);
    } else {
        fs::write(tmp.path().join(".python-version"), format!("{version}\n")).unwrap();
    }
    (cmd.output().unwrap(), tmp)
}

/// `--python` and `.python-version` are held to one rule: CPython 3.N (N in
/// the supported range), written 3.N or 3.N.P. Anything else is refused with
/// exit 2 and one line naming the flag or the file, the rule and an example;
/// nothing is written. (`3.99`, `3.011` and `2.7` became FROM lines before;
/// `system`, `pypy3.10` and `3.11:latest` became python:3.15-slim.)
#[test]
fn unsupported_python_versions_are_refused_from_the_flag_and_the_file() {
    for bad in ["3.99", "3.011", "2.7", "system", "pypy3.10", "3.11:latest"] {
        for (by_flag, names) in [(true, "--python"), (false, ".python-version:1")] {
            let (out, tmp) = init_with_python(bad, by_flag);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{names} {bad}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
            for want in [names, "3.8 to 3.15", "for example --python 3.12"] {
                assert!(err.contains(want), "{names} {bad}: {want} in {err}");
            }
            assert_eq!(written_by_init(tmp.path()), Vec::<String>::new());
        }
    }
    // Supported versions, with or without a patch, pick that minor's slim image.
    for (given, from) in [
        ("3.12", "FROM python:3.12-slim"),
        ("3.11.4", "FROM python:3.11-slim"),
    ] {
        for by_flag in [true, false] {
            let (out, tmp) = init_with_python(given, by_flag);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let dockerfile = read(tmp.path().join("Dockerfile"));
            assert!(dockerfile.contains(from), "{given}: {dockerfile}");
        }
    }
}

/// `init --force` reports each file once: "Replaced" for a file it
/// replaced, "Wrote" for a new one (it printed both for a replaced file).
#[test]
fn init_force_prints_one_line_per_file() {
    let tmp = flask_app();
    fs::write(tmp.path().join("Dockerfile"), "FROM python:3.12-slim\n").unwrap();
    let out = flaskgen(tmp.path())
        .args(["init", "--yes", "--force"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let about = |file: &str| -> Vec<String> {
        err.lines()
            .filter(|l| l.trim_end().ends_with(&format!("/{file}")))
            .map(|l| l.trim().to_string())
            .collect()
    };
    let dockerfile = about("Dockerfile");
    assert_eq!(dockerfile.len(), 1, "{err}");
    assert!(dockerfile[0].starts_with("Replaced"), "{err}");
    let compose = about("compose.yaml");
    assert_eq!(compose.len(), 1, "{err}");
    assert!(compose[0].starts_with("Wrote"), "{err}");
}
