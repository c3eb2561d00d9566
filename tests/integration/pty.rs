//! The real prompts, driven through a pseudo-terminal.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rexpect::process::WaitStatus;
use rexpect::session::{spawn_command, PtySession};

use crate::*;

/// flaskgen on a pseudo-terminal of a real size (the list widget pages by it).
fn spawn(home: &Path, args: &[&str]) -> PtySession {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("stty cols 200 rows 50 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_flaskgen"))
        .args(args)
        .env_clear()
        .env("TERM", "xterm")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("none"))
        .env("FLASKGEN_VCS", "none");
    spawn_command(cmd, Some(20_000)).unwrap()
}

/// The exit code of a finished session.
fn exit_code(p: &PtySession) -> i32 {
    match p.process.wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not a normal exit: {other:?}"),
    }
}

/// Sends keys once the widget has switched the terminal to raw mode.
fn keys(p: &mut PtySession, keys: &str) {
    std::thread::sleep(Duration::from_millis(300));
    p.send(keys).unwrap();
    p.flush().unwrap();
}

const DOWN: &str = "\x1b[B";

/// Every value but the name, so only the name prompt (and the summary) is asked.
const ALL_BUT_NAME: [&str; 6] = ["-p", "5000", "-b", "python:3.14-slim", "--image", "x"];

/// At `prompt`, types `bad`, expects `complaint`, then types `good`.
fn rejected_then_answered(
    p: &mut PtySession,
    prompt: &str,
    bad: &str,
    complaint: &str,
    good: &str,
) {
    p.exp_string(prompt).unwrap();
    p.send_line(bad).unwrap();
    p.exp_string(complaint).unwrap();
    p.send_line(good).unwrap();
}

#[test]
fn prompts_validate_as_typed_and_write_the_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let mut p = spawn(tmp.path(), &["new", "--color", "never", "-o", out]);

    rejected_then_answered(&mut p, "Project name", "Bad Name", "`bad-name`?", "pty-app");

    rejected_then_answered(
        &mut p,
        "Port the app listens on",
        "70000",
        "from 1 to 65535",
        "8080",
    );

    p.exp_string("Base image").unwrap();
    p.exp_string("other").unwrap();
    // The list starts with the default (3.14-slim); one down is 3.14-alpine.
    keys(&mut p, DOWN);
    keys(&mut p, "\r");

    // The answer is echoed as the image alone, without the list's hint.
    let echoed = p.exp_string("Image name").unwrap();
    assert!(
        echoed.contains("Base image: python:3.14-alpine\r\n"),
        "{echoed:?}"
    );
    p.send_line("").unwrap();

    p.exp_string("Will write to").unwrap();
    p.exp_string("Write these files?").unwrap();
    keys(&mut p, "y");
    p.exp_string("Created").unwrap();
    p.exp_eof().unwrap();

    let root = tmp.path().join("pty-app");
    assert_eq!(files(&root), DEFAULT_FILES);
    let dockerfile = read(root.join("Dockerfile"));
    assert!(
        dockerfile.contains("FROM python:3.14-alpine\n"),
        "{dockerfile}"
    );
    assert!(dockerfile.contains("EXPOSE 8080\n"));
    assert!(read(root.join("compose.yaml")).contains("image: \"pty-app\""));
}

#[test]
fn kit_variables_get_widgets_of_their_type() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = fixture("acme-kit");
    let (out, kit) = (tmp.path().to_str().unwrap(), kit.to_str().unwrap());
    let mut p = spawn(
        tmp.path(),
        &["new", "kit-app", "--color", "never", "-o", out, "-t", kit],
    );
    p.exp_string("Port the app listens on").unwrap();
    p.send_line("").unwrap();
    p.exp_string("ACME base image").unwrap();
    p.exp_string("other").unwrap();
    keys(&mut p, "\r");
    rejected_then_answered(&mut p, "Image name", "", "Owning team", "Team1");
    rejected_then_answered(&mut p, "^[a-z]+$", "data", "Replicas", "11");
    p.exp_string("from 1 to 10").unwrap();
    p.send_line("3").unwrap();
    p.exp_string("large").unwrap();
    keys(&mut p, DOWN);
    keys(&mut p, "\r");
    p.exp_string("Add a Redis config").unwrap();
    keys(&mut p, "y");
    p.exp_string("Write these files?").unwrap();
    keys(&mut p, "y");
    p.exp_string("Created").unwrap();
    p.exp_eof().unwrap();
    let answers = read(tmp.path().join("kit-app/.flaskgen.toml"));
    for want in [
        "port = 8080",
        "base_image = \"python:3.13-slim\"",
        "team = \"data\"",
        "replicas = 3",
        "tier = \"large\"",
        "with_redis = true",
    ] {
        assert!(answers.contains(want), "{want}: {answers}");
    }
    assert!(tmp.path().join("kit-app/ops/redis.conf").exists());
}

/// Ctrl-C at each kind of widget (text input, list, yes/no) ends the run the
/// same way: one message, exit 130, nothing on disk.
#[rstest::rstest]
#[case::text_input(&["new"], Some("halfway"), "Port the app listens on")]
#[case::list(&["new", "svc", "-p", "5000"], None, "Base image")]
#[case::confirm(
    &["new", "svc", "-p", "5000", "-b", "python:3.14-slim", "--image", "x"],
    None,
    "Write these files?"
)]
fn ctrl_c_at_a_prompt_writes_nothing(
    #[case] args: &[&str],
    #[case] name: Option<&str>,
    #[case] prompt: &str,
) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut all = vec!["--color", "never", "-o", out.to_str().unwrap()];
    all.splice(0..0, args.iter().copied());
    let mut p = spawn(tmp.path(), &all);
    if let Some(name) = name {
        p.exp_string("Project name").unwrap();
        p.send_line(name).unwrap();
    }
    p.exp_string(prompt).unwrap();
    keys(&mut p, "\x03");
    // One message and exit 130, whether the signal or the prompt saw it first.
    let before = p.exp_string("interrupted; nothing was written").unwrap();
    let after = p.exp_eof().unwrap();
    assert!(!before.contains("cancelled"), "{before}");
    assert!(!after.contains("interrupted"), "{after}");
    assert_eq!(exit_code(&p), 130);
    assert!(!out.exists());
}

#[test]
fn declining_the_summary_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut args = vec![
        "new",
        "nope",
        "--color",
        "never",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(ALL_BUT_NAME);
    let mut p = spawn(tmp.path(), &args);
    p.exp_string("Write these files?").unwrap();
    keys(&mut p, "n");
    p.exp_string("cancelled; nothing was written").unwrap();
    p.exp_eof().unwrap();
    assert!(!out.exists());
}

#[test]
fn the_name_prompt_refuses_an_occupied_directory() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("taken")).unwrap();
    std::fs::write(tmp.path().join("taken/keep.txt"), "mine").unwrap();
    let out = tmp.path().to_str().unwrap();
    let mut args = vec!["new", "--color", "never", "-o", out];
    args.extend(ALL_BUT_NAME);
    let mut p = spawn(tmp.path(), &args);
    rejected_then_answered(
        &mut p,
        "Project name",
        "taken",
        "already exists and is not empty",
        "fresh",
    );
    p.exp_string("Write these files?").unwrap();
    keys(&mut p, "y");
    p.exp_string("Created").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(files(&tmp.path().join("taken")), ["keep.txt"]);
    assert_eq!(files(&tmp.path().join("fresh")), DEFAULT_FILES);
}

#[test]
fn yes_never_prompts_even_on_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = spawn(
        tmp.path(),
        &[
            "new",
            "quiet-app",
            "--yes",
            "-o",
            tmp.path().to_str().unwrap(),
        ],
    );
    p.exp_string("Created").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(files(&tmp.path().join("quiet-app")), DEFAULT_FILES);
}

/// `update` on a terminal asks only for a variable the new template adds;
/// everything the project has a value for is taken from its answers file.
#[test]
fn update_asks_only_for_a_new_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    std::fs::create_dir_all(&kit).unwrap();
    let manifest = "[template]\nname = \"k\"\ndescription = \"d\"\nversion = \"1.0.0\"\n";
    std::fs::write(kit.join("flaskgen.toml"), manifest).unwrap();
    std::fs::write(kit.join("a.txt.tera"), "{{ name }}\n").unwrap();
    let kit_s = kit.to_str().unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--template", kit_s])
        .assert()
        .success();
    let v2 = manifest.replace("1.0.0", "1.1.0")
        + "[variables.team]\nprompt = \"Owning team\"\ndefault = \"platform\"\n";
    std::fs::write(kit.join("flaskgen.toml"), v2).unwrap();
    std::fs::write(kit.join("a.txt.tera"), "{{ name }} of {{ team }}\n").unwrap();
    let project = tmp.path().join("svc");
    let mut p = spawn(
        tmp.path(),
        &["update", "--color", "never", project.to_str().unwrap()],
    );
    p.exp_string("Owning team").unwrap();
    p.send_line("payments").unwrap();
    p.exp_string("Updated").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(read(tmp.path().join("svc/a.txt")), "svc of payments\n");
    assert!(read(tmp.path().join("svc/.flaskgen.toml")).contains("team = \"payments\""));
}

/// flaskgen on a pseudo-terminal with extra environment, its stderr
/// optionally sent to a file; the shell around it prints the terminal's
/// settings before (`BEFORE=`) and after (`AFTER=`) and its exit code.
fn spawn_in_shell(
    home: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    stderr_to: Option<&Path>,
) -> PtySession {
    let redirect = stderr_to
        .map(|p| format!(" 2>'{}'", p.display()))
        .unwrap_or_default();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "stty cols 200 rows 50; echo \"BEFORE=$(stty -g)\"; \"$0\" \"$@\"{redirect}; echo \"EXIT=$?\"; echo \"AFTER=$(stty -g)\""
        ))
        .arg(env!("CARGO_BIN_EXE_flaskgen"))
        .args(args)
        .env_clear()
        .env("TERM", "xterm")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("none"))
        .env("FLASKGEN_VCS", "none");
    for (k, v) in env {
        cmd.env(k, v);
    }
    spawn_command(cmd, Some(20_000)).unwrap()
}

#[test]
fn ci_set_means_never_prompt_even_on_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let mut p = spawn_in_shell(tmp.path(), &["new", "-o", out], &[("CI", "true")], None);
    p.exp_string("missing NAME").unwrap();
    let before = p.exp_string("EXIT=").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.starts_with('2'), "{before}{rest}");
    let mut p = spawn_in_shell(
        tmp.path(),
        &["new", "ci-app", "-o", out],
        &[("CI", "1")],
        None,
    );
    p.exp_string("Created").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(files(&tmp.path().join("ci-app")), DEFAULT_FILES);
}

#[test]
fn the_error_names_the_stream_that_is_not_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("stderr.txt");
    let out = tmp.path().to_str().unwrap();
    let mut p = spawn_in_shell(tmp.path(), &["new", "-o", out], &[], Some(&log));
    p.exp_string("EXIT=2").unwrap();
    p.exp_eof().unwrap();
    let err = read(&log);
    assert!(err.contains("stderr is not a terminal"), "{err}");
    assert!(!err.contains("stdin"), "{err}");
}

#[rstest::rstest]
#[case::sigterm("TERM", 143)]
#[case::sighup("HUP", 129)]
fn a_signal_at_a_prompt_restores_the_terminal(#[case] signal: &str, #[case] code: i32) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join(format!("signal-{signal}"));
    let out_s = out.to_str().unwrap();
    let mut p = spawn_in_shell(
        tmp.path(),
        &[
            "new", "sig-app", "--color", "never", "-p", "5000", "-o", out_s,
        ],
        &[],
        None,
    );
    // The base-image list: raw mode, echo off, cursor hidden.
    let head = p.exp_string("Base image").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("pkill")
        // Only flaskgen, not the shell around it, whose command line has the path too.
        .args([
            &format!("-{signal}"),
            "-f",
            &format!("^[^ ]*flaskgen new .*{out_s}"),
        ])
        .status()
        .unwrap();
    assert!(killed.success());
    let screen = p.exp_string(&format!("EXIT={code}")).unwrap();
    assert!(
        screen.contains("\x1b[?25h"),
        "cursor shown again: {screen:?}"
    );
    assert!(screen.contains("nothing was written"), "{screen:?}");
    let settings = p.exp_eof().unwrap();
    let before = head
        .split("BEFORE=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap();
    let after = settings
        .split("AFTER=")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap();
    assert_eq!(before, after, "the terminal's settings are as they were");
    assert!(!out.exists());
}

/// `flaskgen init` on a terminal: two apps are a choice, the entry point can
/// be corrected, and nothing is written before the confirmation.
#[test]
fn init_asks_which_app_then_confirms() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("two");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("web.py"),
        "from flask import Flask\n\napp = Flask(__name__)\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("admin.py"),
        "from flask import Flask\n\nadmin = Flask(__name__)\n",
    )
    .unwrap();
    let mut p = spawn(
        tmp.path(),
        &["init", "--color", "never", dir.to_str().unwrap()],
    );
    p.exp_string("Which Flask app does gunicorn serve?")
        .unwrap();
    keys(&mut p, DOWN);
    keys(&mut p, "\r");
    p.exp_string("gunicorn entry, MODULE:APP (found at web.py:3)")
        .unwrap();
    p.send_line("").unwrap();
    p.exp_string("Port the app listens on").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Base image").unwrap();
    keys(&mut p, "\r");
    p.exp_string("Health route").unwrap();
    p.send_line("").unwrap();
    p.exp_string("web:app").unwrap();
    p.exp_string("Write 5 files into").unwrap();
    assert!(
        !dir.join("Dockerfile").exists(),
        "nothing written before the answer"
    );
    keys(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert!(read(dir.join("Dockerfile")).contains("\"web:app\"]"));
}

/// The factory fixture's questions in order, each naming where its value was
/// found (the fixture has no port and no Python constraint: the defaults).
const ENTRY_Q: &str = "gunicorn entry, MODULE:APP (found at shop/__init__.py:4)";
const PORT_Q: &str = "Port the app listens on (none found: the default)";
const BASE_Q: &str = "Base image (no Python constraint found: the default)";
const HEALTH_Q: &str = "Health route the HEALTHCHECK probes (found at shop/__init__.py:12)";
const MIGRATE_Q: &str =
    "Run `flask db upgrade` before gunicorn starts? (migrations/ found at migrations/env.py:1)";
const WRITE_Q: &str = "Write 6 files into";
/// The start of each of init's questions but the last.
const ASKED: [&str; 5] = [
    "gunicorn entry",
    "Port the",
    "Base image",
    "Health route",
    "flask db upgrade",
];

/// `flaskgen init` on the factory fixture's copy `dir`, on a terminal.
fn init_on_terminal(dir: &Path, flags: &[&str]) -> PtySession {
    let mut args = vec!["init", "--color", "never", dir.to_str().unwrap()];
    args.extend(flags);
    spawn(dir.parent().unwrap(), &args)
}

/// Enter at every question writes what `init --yes` writes, byte for byte.
#[test]
fn init_accepting_every_default_writes_what_yes_writes() {
    let (_a, quiet) = crate::existing::project("factory");
    flaskgen(&quiet).args(["init", "--yes"]).assert().success();
    let (_b, dir) = crate::existing::project("factory");
    let mut p = init_on_terminal(&dir, &[]);
    for q in [ENTRY_Q, PORT_Q] {
        p.exp_string(q).unwrap();
        p.send_line("").unwrap();
    }
    p.exp_string(BASE_Q).unwrap();
    p.exp_string("other").unwrap();
    keys(&mut p, "\r");
    p.exp_string(HEALTH_Q).unwrap();
    p.send_line("").unwrap();
    p.exp_string(MIGRATE_Q).unwrap();
    keys(&mut p, "\r");
    p.exp_string(WRITE_Q).unwrap();
    keys(&mut p, "\r");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert_same_tree(&quiet, &dir);
}

/// A corrected port and health route reach every file that names them; a
/// bad answer is asked again under the flag's rule.
#[test]
fn init_corrections_at_the_prompts_reach_the_files() {
    let (_t, dir) = crate::existing::project("factory");
    let mut p = init_on_terminal(&dir, &[]);
    p.exp_string(ENTRY_Q).unwrap();
    p.send_line("").unwrap();
    rejected_then_answered(&mut p, PORT_Q, "70000", "from 1 to 65535", "8080");
    p.exp_string(BASE_Q).unwrap();
    keys(&mut p, "\r");
    rejected_then_answered(
        &mut p,
        HEALTH_Q,
        "ping",
        "a path that starts with `/`, of letters, digits and `/._-`",
        "/ping",
    );
    p.exp_string(MIGRATE_Q).unwrap();
    keys(&mut p, "n");
    // The summary names the answers as coming from the prompt; migrations
    // declined, so no entrypoint: five files.
    let summary = p.exp_string("Write 5 files into").unwrap();
    for row in ["port           8080", "health route   /ping"] {
        assert!(summary.contains(row), "{row}: {summary}");
    }
    keys(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);

    let dockerfile = read(dir.join("Dockerfile"));
    assert!(dockerfile.contains("EXPOSE 8080\n"), "{dockerfile}");
    assert!(dockerfile.contains("PORT=8080"), "{dockerfile}");
    assert!(dockerfile.contains("'/ping'"), "{dockerfile}");
    assert!(!dockerfile.contains("healthz"), "{dockerfile}");
    assert!(!dockerfile.contains("5000"), "{dockerfile}");
    let compose = read(dir.join("compose.yaml"));
    assert!(compose.contains("\"8080:8080\""), "{compose}");
    assert!(!compose.contains("5000"), "{compose}");
    let conf = read(dir.join("gunicorn.conf.py"));
    assert!(
        conf.contains("os.environ.get(\"PORT\", \"8080\")"),
        "{conf}"
    );
    // Migrations declined: no entrypoint.
    assert!(!dir.join("docker-entrypoint.sh").exists());
    let docs = read(dir.join("DOCKER.md"));
    assert!(docs.contains("http://localhost:8080/ping"), "{docs}");
}

/// A value given by a flag is not asked; the others still are.
#[test]
fn init_does_not_ask_for_a_value_a_flag_gave() {
    let (_t, dir) = crate::existing::project("factory");
    let mut p = init_on_terminal(&dir, &["-p", "9000", "--health", "/ping"]);
    p.exp_string(ENTRY_Q).unwrap();
    p.send_line("").unwrap();
    let between = p.exp_string(BASE_Q).unwrap();
    assert!(!between.contains("Port the app"), "{between}");
    keys(&mut p, "\r");
    let between = p.exp_string(MIGRATE_Q).unwrap();
    assert!(!between.contains("Health route"), "{between}");
    keys(&mut p, "\r");
    p.exp_string(WRITE_Q).unwrap();
    keys(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    let dockerfile = read(dir.join("Dockerfile"));
    assert!(dockerfile.contains("EXPOSE 9000\n") && dockerfile.contains("'/ping'"));

    // Every value flagged: the confirmation is the only question.
    let (_t, dir) = crate::existing::project("factory");
    let mut p = init_on_terminal(
        &dir,
        &[
            "--entry",
            "shop:create_app()",
            "-p",
            "9000",
            "--python",
            "3.12",
            "--health",
            "/ping",
            "--no-migrate",
        ],
    );
    let before = p.exp_string("Write 5 files into").unwrap();
    for q in ASKED {
        assert!(!before.contains(q), "{q} asked: {before}");
    }
    keys(&mut p, "y");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert!(read(dir.join("Dockerfile")).contains("FROM python:3.12-slim"));
}

/// Ctrl-C at each of init's questions: exit 130, the project untouched.
#[rstest::rstest]
#[case::entry(&[], ENTRY_Q)]
#[case::base_image(&["--entry", "shop:create_app()", "-p", "5000"], BASE_Q)]
#[case::migrations(&["--entry", "shop:create_app()", "-p", "5000", "--python", "3.12", "--health", "/"], MIGRATE_Q)]
#[case::write(&["--entry", "shop:create_app()", "-p", "5000", "--python", "3.12", "--health", "/", "--no-migrate"], "Write 5 files into")]
fn init_ctrl_c_at_a_prompt_writes_nothing(#[case] flags: &[&str], #[case] prompt: &str) {
    let (_t, dir) = crate::existing::project("factory");
    let before = files(&dir);
    let mut p = init_on_terminal(&dir, flags);
    p.exp_string(prompt).unwrap();
    keys(&mut p, "\x03");
    p.exp_string("interrupted; nothing was written").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 130);
    assert_eq!(files(&dir), before);
}

/// Piped stdin with a terminal on stderr: nothing is asked, the detected
/// values are written.
#[test]
fn init_with_piped_stdin_never_asks() {
    let (_t, dir) = crate::existing::project("factory");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("stty cols 200 rows 50; echo | \"$0\" \"$@\"; echo \"EXIT=$?\"")
        .arg(env!("CARGO_BIN_EXE_flaskgen"))
        .args(["init", "--color", "never", "-v", dir.to_str().unwrap()])
        .env_clear()
        .env("TERM", "xterm")
        .env("HOME", dir.parent().unwrap());
    let mut p = spawn_command(cmd, Some(20_000)).unwrap();
    let screen = p.exp_string("EXIT=0").unwrap();
    p.exp_eof().unwrap();
    assert!(screen.contains("stdin is not a terminal"), "{screen}");
    for q in ASKED.iter().chain(&["Write 6"]) {
        assert!(!screen.contains(q), "{q} asked: {screen}");
    }
    assert!(read(dir.join("Dockerfile")).contains("'/healthz'"));
    assert!(dir.join("docker-entrypoint.sh").exists());
}
