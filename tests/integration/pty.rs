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
    assert!(read(root.join("compose.yaml")).contains("image: pty-app"));
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
