//! The real prompts, driven through a pseudo-terminal.

use std::process::Command;

use rexpect::session::spawn_command;

use crate::*;

#[test]
fn prompts_validate_as_typed_and_write_the_answers() {
    let tmp = tempfile::tempdir().unwrap();
    // A real terminal has a size; the list widget pages by it.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("stty cols 200 rows 50 && exec \"$0\" new --color never -o \"$1\"")
        .arg(env!("CARGO_BIN_EXE_flaskgen"))
        .arg(tmp.path())
        .env_clear()
        .env("TERM", "xterm")
        .env("HOME", tmp.path())
        .env("XDG_CONFIG_HOME", tmp.path().join("none"));
    let mut p = spawn_command(cmd, Some(20_000)).unwrap();

    p.exp_string("Project name").unwrap();
    p.send_line("Bad Name").unwrap();
    p.exp_string("did you mean `bad-name`").unwrap();
    p.send_line("pty-app").unwrap();

    p.exp_string("Port the app listens on").unwrap();
    p.send_line("70000").unwrap();
    p.exp_string("from 1 to 65535").unwrap();
    p.send_line("8080").unwrap();

    p.exp_string("Base image").unwrap();
    p.exp_string("other").unwrap();
    // The list starts with the default (3.14-slim); one down is 3.14-alpine.
    // Keys go one at a time, after the widget has switched the terminal to raw mode.
    let pause = || std::thread::sleep(std::time::Duration::from_millis(300));
    pause();
    p.send("\x1b[B").unwrap();
    p.flush().unwrap();
    pause();
    p.send("\r").unwrap();
    p.flush().unwrap();

    p.exp_string("Image name").unwrap();
    p.send_line("").unwrap();

    p.exp_string("Will write to").unwrap();
    p.exp_string("Write these files?").unwrap();
    pause();
    p.send("y").unwrap();
    p.flush().unwrap();
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
fn yes_never_prompts_even_on_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flaskgen"));
    cmd.args(["new", "quiet-app", "--yes", "-o"])
        .arg(tmp.path())
        .env_clear()
        .env("TERM", "xterm")
        .env("HOME", tmp.path())
        .env("XDG_CONFIG_HOME", tmp.path().join("none"));
    let mut p = spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("Created").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(files(&tmp.path().join("quiet-app")), DEFAULT_FILES);
}
