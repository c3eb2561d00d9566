//! Git kits that fail: a server that never answers (the stall limit), a
//! signal during the clone (no temporary directory left), for `new` and for
//! `update` alike, and git's own error lines, escaped and bounded.

use std::fs;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rstest::rstest;

use crate::*;

/// A git server on 127.0.0.1 that accepts connections and never answers.
/// Each accepted connection is handed to the test.
fn silent_server() -> (String, mpsc::Receiver<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/acme/kit.git", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            if tx.send(conn).is_err() {
                break;
            }
        }
    });
    (url, rx)
}

/// flaskgen, started (not waited for), with a clean environment and its
/// temporary directories in `tmpdir`.
fn start(cwd: &Path, tmpdir: &Path, env: &[(&str, &str)], args: &[&str]) -> Child {
    fs::create_dir_all(tmpdir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_flaskgen"));
    cmd.current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", cwd)
        .env("XDG_CONFIG_HOME", cwd.join(".no-config"))
        .env("TMPDIR", tmpdir)
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

/// Waits for `child` at most `limit`; a run still going then is killed and fails the test.
fn finish(mut child: Child, limit: Duration) -> Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "flaskgen still running after {limit:?}; stderr: {}",
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The temporary directories flaskgen left in `tmpdir`.
fn leftovers(tmpdir: &Path) -> Vec<PathBuf> {
    fs::read_dir(tmpdir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("flaskgen-"))
        })
        .collect()
}

/// The connection git opened is closed: git and its remote helper are gone,
/// not sitting on the silent server.
fn assert_closed(mut conn: TcpStream) {
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => continue, // the request git sent
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return,
            Err(e) => panic!("the clone's connection is still open: {e}"),
        }
    }
}

/// A project made from a git kit at `url`, as its answers file records it.
fn project_from(dir: &Path, url: &str) {
    let project = dir.join("proj");
    fs::create_dir_all(&project).unwrap();
    fs::write(
        project.join(".flaskgen.toml"),
        format!(
            "[template]\nname = \"k\"\nversion = \"1.0.0\"\nsource = \"{url}\"\n\
             commit = \"{}\"\n\n[values]\n\n[files]\n",
            "0".repeat(40)
        ),
    )
    .unwrap();
}

/// The command that clones from the silent server: `new` clones the kit,
/// `update` clones it for the project's base and target.
#[derive(Clone, Copy, Debug)]
enum Cloning {
    New,
    Update,
}

/// `flaskgen new svc` or `flaskgen update proj` from the silent server,
/// started: the scratch directory, the TMPDIR inside it, the URL, the
/// connections, the process.
fn from_silent_server(
    command: Cloning,
    env: &[(&str, &str)],
) -> (
    tempfile::TempDir,
    PathBuf,
    String,
    mpsc::Receiver<TcpStream>,
    Child,
) {
    let tmp = tempfile::tempdir().unwrap();
    let tmpdir = tmp.path().join("tmp");
    let (url, conns) = silent_server();
    let args: &[&str] = match command {
        Cloning::New => &["new", "svc", "--yes", "-t", &url],
        Cloning::Update => {
            project_from(tmp.path(), &url);
            &["update", "proj", "--yes"]
        }
    };
    let child = start(tmp.path(), &tmpdir, env, args);
    (tmp, tmpdir, url, conns, child)
}

/// Nothing but the scratch TMPDIR and the answers file of `update`'s project.
fn assert_nothing_written(dir: &Path) {
    assert!(!dir.join("svc").exists());
    let project = files(&dir.join("proj"));
    assert!(
        project.is_empty() || project == [".flaskgen.toml"],
        "{project:?}"
    );
}

#[rstest]
fn a_server_that_never_answers_is_given_up_after_the_stall_limit(
    #[values(Cloning::New, Cloning::Update)] command: Cloning,
) {
    let (tmp, tmpdir, url, conns, child) =
        from_silent_server(command, &[("FLASKGEN_GIT_TIMEOUT", "2")]);
    let started = Instant::now();
    let out = finish(child, Duration::from_secs(30));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "gave up before the limit"
    );
    assert!(
        err.contains("could not clone template")
            && err.contains("stalled")
            && err.contains("FLASKGEN_GIT_TIMEOUT")
            && err.contains(&url),
        "{err}"
    );
    assert_eq!(leftovers(&tmpdir), Vec::<PathBuf>::new());
    assert_nothing_written(tmp.path());
    assert_closed(conns.recv_timeout(Duration::from_secs(5)).unwrap());
}

#[test]
fn a_bad_stall_limit_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .env("FLASKGEN_GIT_TIMEOUT", "soon")
        .args(["new", "svc", "--yes", "-t", "file:///nowhere/kit.git"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid FLASKGEN_GIT_TIMEOUT \"soon\""),
        "{}",
        stderr(&out)
    );
}

/// Ctrl-C or SIGTERM while git waits on the server: git is stopped, the
/// temporary directory removed, one line, exit 128 + the signal.
#[rstest]
#[case::ctrl_c(libc::SIGINT, 130)]
#[case::sigterm(libc::SIGTERM, 143)]
fn a_signal_during_the_clone_leaves_no_temporary_directory(
    #[case] signal: libc::c_int,
    #[case] code: i32,
    #[values(Cloning::New, Cloning::Update)] command: Cloning,
) {
    let (tmp, tmpdir, _, conns, child) = from_silent_server(command, &[]);
    // git is connected, so the clone is under way (the temporary directory exists).
    let conn = conns.recv_timeout(Duration::from_secs(20)).unwrap();
    assert_eq!(leftovers(&tmpdir).len(), 1);
    // SAFETY: a signal to the process this test started.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
    let out = finish(child, Duration::from_secs(20));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("interrupted; nothing was written"),
        "{err}"
    );
    assert_eq!(leftovers(&tmpdir), Vec::<PathBuf>::new());
    assert_nothing_written(tmp.path());
    assert_closed(conn);
}

/// Runs git in `dir` with a test identity; its stdout.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
    stdout(&out)
}

/// A stand-in `git` in `dir/bin` running the shell `script`; the PATH that
/// finds it first.
pub(crate) fn fake_git(dir: &Path, script: &str) -> String {
    let bin = dir.join("bin");
    fs::create_dir(&bin).unwrap();
    let fake = bin.join("git");
    fs::write(&fake, format!("#!/bin/sh\n{script}")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:/usr/bin:/bin", bin.display())
}

/// A failed clone shows what git said, every line of it, not only the last.
#[test]
fn clone_errors_show_gits_own_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let tmpdir = tmp.path().join("tmp");

    let missing = format!("file://{}", tmp.path().join("nope.git").display());
    let out = finish(
        start(
            tmp.path(),
            &tmpdir,
            &[],
            &["new", "x", "--yes", "-t", &missing],
        ),
        Duration::from_secs(30),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("could not clone template {missing}")),
        "{err}"
    );
    assert!(
        err.contains("does not appear to be a git repository")
            && err.contains("fatal: Could not read from remote repository."),
        "{err}"
    );
    assert!(!err.contains("Cloning into"), "{err}");

    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    fs::write(work.join("flaskgen.toml"), "[template]\nname = \"k\"\n").unwrap();
    git(&work, &["init", "-q"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "v1"]);
    let url = format!("file://{}", work.display());
    let out = finish(
        start(
            tmp.path(),
            &tmpdir,
            &[],
            &["new", "x", "--yes", "-t", &url, "--ref", "no-such-ref"],
        ),
        Duration::from_secs(30),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Could not find remote branch no-such-ref to clone")
            && err.contains("Remote branch no-such-ref not found"),
        "{err}"
    );
    assert_eq!(leftovers(&tmpdir), Vec::<PathBuf>::new());
    assert!(!tmp.path().join("x").exists());
}

/// What a server (or a stand-in git) prints reaches the terminal escaped,
/// and a flood of lines is cut short.
#[test]
fn gits_lines_are_escaped_and_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    let path = fake_git(
        tmp.path(),
        "printf 'remote: \\033]0;owned\\007 \\342\\200\\250forged\\n' >&2\n\
         i=0; while [ $i -lt 100 ]; do echo \"error: line $i\" >&2; i=$((i+1)); done\nexit 128\n",
    );
    let out = flaskgen(tmp.path())
        .env("PATH", path)
        .args([
            "new",
            "x",
            "--yes",
            "-t",
            "https://git.example.invalid/kit.git",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        !err.contains('\x1b') && !err.contains('\x07') && !err.contains('\u{2028}'),
        "{err:?}"
    );
    assert!(
        err.contains("remote: \\x1b]0;owned\\x07 \\u{2028}forged"),
        "{err}"
    );
    assert!(err.contains("error: line 0") && !err.contains("error: line 99"));
    assert!(err.lines().count() < 20, "{err}");
}
