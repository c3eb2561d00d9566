//! Answers that wrap past the terminal's width, on a real terminal emulator
//! (tmux): what is left on screen after each answer is one report line,
//! never a stale half of the answer. Without tmux this says loudly that it
//! did NOT RUN (and fails under CI, where scripts/test installs tmux).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rstest::rstest;

/// A tmux server of the test's own (its socket in a scratch directory),
/// killed when dropped.
pub(crate) struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Starts `args` of flaskgen in a detached `width`×40 window, or `None`
    /// when tmux is not installed.
    pub(crate) fn start(dir: &Path, width: u16, args: &[&str]) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            let why = "NOT RUN: the wrapped-answer tests need tmux (a real terminal emulator), which is not installed";
            let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
            assert!(!ci, "{why}; under CI it must run");
            eprintln!("{why}");
            return None;
        }
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
        };
        let mut line = format!(
            "env -i PATH=\"$PATH\" TERM=screen HOME={home} XDG_CONFIG_HOME={home}/none FLASKGEN_VCS=none {bin}",
            home = dir.display(),
            bin = env!("CARGO_BIN_EXE_flaskgen")
        );
        for a in args {
            line.push_str(&format!(" '{a}'"));
        }
        line.push_str("; echo EXITED $?; sleep 60");
        tmux.run(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            "40",
            "-c",
            &dir.display().to_string(),
            &line,
        ]);
        Some(tmux)
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-f")
            .arg("/dev/null")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `text` literally, then Enter.
    pub(crate) fn answer(&self, text: &str) {
        self.run(&["send-keys", "-l", text]);
        self.run(&["send-keys", "Enter"]);
    }

    pub(crate) fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// The screen's rows, trailing blanks trimmed.
    pub(crate) fn screen(&self) -> Vec<String> {
        self.run(&["capture-pane", "-p"])
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect()
    }

    /// The screen once `text` shows on it (fails after 10 s).
    pub(crate) fn wait_for(&self, text: &str) -> Vec<String> {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.join("\n").contains(text) {
                // Let the widget finish its redraw.
                std::thread::sleep(Duration::from_millis(200));
                return self.screen();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{text:?} never showed; the screen:\n{}",
                screen.join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

/// The rows that mention `prompt`: exactly one, where the answer is reported
/// (it may wrap onto the rows below, which must hold the rest of it).
fn assert_reported_once(screen: &[String], prompt: &str, answer: &str) {
    let rows: Vec<usize> = (0..screen.len())
        .filter(|&i| screen[i].contains(prompt))
        .collect();
    assert_eq!(
        rows.len(),
        1,
        "{prompt:?} is on {} rows; the screen:\n{}",
        rows.len(),
        screen.join("\n")
    );
    let from_there: String = screen[rows[0]..].concat();
    assert!(
        from_there.contains(answer),
        "the answer {answer:?} is not reported after {prompt:?}; the screen:\n{}",
        screen.join("\n")
    );
}

/// Issue 10, defect 10: a wrapped answer (a long name and any image at 40
/// columns, a long image reference at 80) is cleared whole when accepted,
/// and a refused one leaves only its message and a fresh prompt.
#[rstest]
#[case::forty_columns(40)]
#[case::eighty_columns(80)]
fn wrapped_answers_leave_no_stale_rows(#[case] width: u16) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().display().to_string();
    let Some(tmux) = Tmux::start(
        tmp.path(),
        width,
        &["new", "--color", "never", "-o", &out, "-p", "5000"],
    ) else {
        return;
    };
    let long = "a-rather-long-service-name-that-wraps-at-forty-columns-0123456";
    tmux.wait_for("Project name");
    // Refused (capitals), wrapped: only the message and the prompt remain.
    tmux.answer(&long.to_uppercase());
    let screen = tmux.wait_for("lowercase");
    let prompts = screen.iter().filter(|r| r.contains("Project name")).count();
    assert_eq!(prompts, 1, "the screen:\n{}", screen.join("\n"));
    assert!(
        !screen.iter().any(|r| r.contains("A-RATHER")),
        "the refused answer is still on screen:\n{}",
        screen.join("\n")
    );
    let typed_prompt = screen
        .iter()
        .rev()
        .find(|r| r.contains("Project name"))
        .unwrap();
    assert!(typed_prompt.trim_end().ends_with(':'), "{typed_prompt:?}");

    tmux.answer(long);
    let screen = tmux.wait_for("Base image");
    assert_reported_once(&screen, "Project name", long);
    // The base image list: the last entry is "other…", where any reference is typed.
    tmux.keys(&["Up", "Enter"]);
    tmux.wait_for("Base image [python:3.14-slim]");

    let reference =
        "registry.internal.example.com:5000/platform/base-images/python-hardened:3.14-slim";
    tmux.answer(reference);
    let screen = tmux.wait_for("Image name");
    assert_reported_once(&screen, "Base image", reference);

    tmux.answer("acme/svc");
    let screen = tmux.wait_for("Will write to");
    assert_reported_once(&screen, "Project name", long);
    assert_reported_once(&screen, "Base image", reference);
    assert_reported_once(&screen, "Image name", "acme/svc");
}
