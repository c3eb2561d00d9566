//! README's examples are what flaskgen prints today: every block marked
//! `<!-- example -->` is run, command by command, in a scratch directory,
//! and its output must match the block; a block marked
//! `<!-- example: terminal -->` is a prompt session, answered on a real
//! terminal emulator (tmux), whose final screen must match the block.
//!
//! In a block, `$ CMD` is a command (a trailing `  # comment` is not run) and
//! the lines after it are its output, stdout and stderr as a terminal shows
//! them; a line `...` stands for any number of lines. A block marked
//! `<!-- example: with DIR as NAME -->` starts from a copy of the
//! repository's DIR named NAME in the scratch directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::wrap::Tmux;

#[derive(Debug)]
struct Example {
    /// The README line of the block's first line, for messages.
    line: usize,
    terminal: bool,
    /// A folder of this repository copied in first, and the name it gets.
    with: Option<(String, String)>,
    lines: Vec<String>,
}

fn examples() -> Vec<Example> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let lines: Vec<&str> = readme.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let marker = lines[i].trim();
        let (terminal, with) = match marker {
            "<!-- example -->" => (false, None),
            "<!-- example: terminal -->" => (true, None),
            _ => match marker
                .strip_prefix("<!-- example: with ")
                .and_then(|r| r.strip_suffix(" -->"))
                .and_then(|r| r.split_once(" as "))
            {
                Some((from, name)) => (false, Some((from.to_string(), name.to_string()))),
                None => {
                    i += 1;
                    continue;
                }
            },
        };
        assert!(
            lines.get(i + 1).is_some_and(|l| l.starts_with("```")),
            "README.md:{}: an example marker must be followed by a fenced block",
            i + 1
        );
        let start = i + 2;
        let end = (start..lines.len())
            .find(|&j| lines[j].starts_with("```"))
            .expect("an unclosed example block");
        out.push(Example {
            line: start + 1,
            terminal,
            with,
            lines: lines[start..end].iter().map(|l| l.to_string()).collect(),
        });
        i = end + 1;
    }
    out
}

/// A command line without its trailing comment (two spaces, then `#`).
fn command_of(line: &str) -> Option<String> {
    let cmd = line.strip_prefix("$ ")?;
    let cmd = match cmd.find("  #") {
        Some(at) => &cmd[..at],
        None => cmd,
    };
    Some(cmd.trim().to_string())
}

/// Whether `actual` is `expected`, where an expected `...` line stands for
/// any number of actual lines; trailing blanks are not compared.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| a.trim_end() == e.trim_end() && matches(rest, more)),
    }
}

/// Lines with surrounding blank lines removed.
fn trimmed(lines: &[String]) -> Vec<String> {
    let mut v: Vec<String> = lines.iter().map(|l| l.trim_end().to_string()).collect();
    while v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    let first = v.iter().position(|l| !l.is_empty()).unwrap_or(v.len());
    v.split_off(first)
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_flaskgen"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs a shell example's commands in one shell, in `dir`; returns each
/// command's output lines.
fn run_shell(dir: &Path, commands: &[String]) -> Vec<Vec<String>> {
    let mut script = String::from("exec 2>&1\n");
    for (i, c) in commands.iter().enumerate() {
        script.push_str(&format!("echo '@@@ {i}'\n{c}\n"));
    }
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("none"))
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut outputs: Vec<Vec<String>> = Vec::new();
    for line in text.lines() {
        if line.starts_with("@@@ ") {
            outputs.push(Vec::new());
        } else if let Some(last) = outputs.last_mut() {
            last.push(line.to_string());
        }
    }
    assert_eq!(
        outputs.len(),
        commands.len(),
        "the script stopped early:\n{text}"
    );
    outputs
}

/// Copies the folder `from` into `to`, files and folders only.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

fn check_shell(ex: &Example) {
    let dir = tempfile::tempdir().unwrap();
    if let Some((from, name)) = &ex.with {
        copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(from),
            &dir.path().join(name),
        );
    }
    let mut commands = Vec::new();
    let mut expected: Vec<Vec<String>> = Vec::new();
    for l in &ex.lines {
        match command_of(l) {
            Some(c) => {
                commands.push(c);
                expected.push(Vec::new());
            }
            None => expected
                .last_mut()
                .unwrap_or_else(|| panic!("README.md:{}: output before any command", ex.line))
                .push(l.clone()),
        }
    }
    let actual = run_shell(dir.path(), &commands);
    for ((cmd, want), got) in commands.iter().zip(&expected).zip(&actual) {
        let (want, got) = (trimmed(want), trimmed(got));
        assert!(
            matches(&want, &got),
            "README.md:{}: `{cmd}` prints what README does not say.\nREADME:\n{}\nprinted:\n{}",
            ex.line,
            want.join("\n"),
            got.join("\n")
        );
    }
}

fn check_terminal(ex: &Example) {
    let dir = tempfile::tempdir().unwrap();
    let cmd = command_of(&ex.lines[0]).expect("a terminal example starts with `$ flaskgen ...`");
    let args: Vec<&str> = cmd
        .strip_prefix("flaskgen")
        .expect("a terminal example runs flaskgen")
        .split_whitespace()
        .collect();
    let Some(tmux) = Tmux::start(dir.path(), 120, &args) else {
        return;
    };
    for l in &ex.lines[1..] {
        let Some((prompt, answer)) = l.strip_prefix("✔ ").and_then(|r| r.split_once(" · "))
        else {
            continue;
        };
        let screen = tmux.wait_for(&format!("? {prompt}"));
        // The default (shown in the prompt, or selected in a list) is taken with Enter.
        let at = screen
            .iter()
            .rposition(|r| r.contains(&format!("? {prompt}")))
            .unwrap();
        let is_default = screen[at..]
            .iter()
            .any(|r| (r.starts_with("? ") || r.starts_with("❯ ")) && r.contains(answer));
        if is_default {
            tmux.keys(&["Enter"]);
        } else {
            tmux.answer(answer);
        }
    }
    let screen = tmux.wait_for("EXITED");
    let shown: Vec<String> = screen
        .into_iter()
        .take_while(|r| !r.starts_with("EXITED"))
        .collect();
    let (want, got) = (trimmed(&ex.lines[1..]), trimmed(&shown));
    assert!(
        matches(&want, &got),
        "README.md:{}: the session on a terminal is not what README shows.\nREADME:\n{}\nscreen:\n{}",
        ex.line,
        want.join("\n"),
        got.join("\n")
    );
}

#[test]
fn readme_examples_print_what_flaskgen_prints() {
    let all = examples();
    assert!(
        all.iter().filter(|e| !e.terminal).count() >= 3 && all.iter().any(|e| e.terminal),
        "README.md lost its example markers: {all:?}"
    );
    for ex in &all {
        if ex.terminal {
            check_terminal(ex);
        } else {
            check_shell(ex);
        }
    }
}

#[test]
fn the_wildcard_matches_any_lines_and_nothing_else() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(matches(&s(&["a", "...", "d"]), &s(&["a", "b", "c", "d"])));
    assert!(matches(&s(&["a", "...", "d"]), &s(&["a", "d"])));
    assert!(!matches(&s(&["a", "...", "d"]), &s(&["a", "b"])));
    assert!(!matches(&s(&["a", "b"]), &s(&["a", "c"])));
    assert!(!matches(&s(&["a"]), &s(&["a", "b"])));
}
