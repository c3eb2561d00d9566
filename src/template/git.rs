//! Git kits: a shallow clone with the system's git, never prompting, giving
//! up after a bounded stall, and never leaving its temporary directory
//! behind (Ctrl-C and SIGTERM included).
//!
//! git runs with `--progress`, and its stderr is read as it comes: while a
//! transfer moves, git reports at least once a second. When nothing at all
//! has come for [`TIMEOUT_VAR`] seconds (default [`DEFAULT_TIMEOUT`]) the
//! clone is stalled: git and its helpers (the remote helper, ssh) are killed
//! and the error says so. A signal raises [`interrupt::STOP`] while the clone
//! runs (see [`interrupt::defer`]); the wait loop then kills git and returns
//! [`interrupt::Interrupted`], which drops the temporary directory.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

use super::{load_dir, Origin, Template};
use crate::interrupt;
use crate::text::{escape, quote};

/// The environment variable that sets the stall limit, in whole seconds.
pub const TIMEOUT_VAR: &str = "FLASKGEN_GIT_TIMEOUT";
/// Seconds without any word from git before a clone is given up.
pub const DEFAULT_TIMEOUT: u64 = 60;
/// How many of git's lines an error shows at most.
const MAX_GIT_LINES: usize = 12;
/// Longer lines of git's are cut to this many characters.
const MAX_LINE_CHARS: usize = 300;
/// How often the wait loop looks at the clock and at [`interrupt::STOP`].
const TICK: Duration = Duration::from_millis(50);

/// A source is a git repository when it looks like a URL git understands.
pub fn is_git_url(source: &str) -> bool {
    ["https://", "http://", "ssh://", "git://", "file://"]
        .iter()
        .any(|p| source.starts_with(p))
        || (source.starts_with("git@") && source.contains(':'))
}

pub(crate) fn is_ssh_url(url: &str) -> bool {
    url.starts_with("ssh://") || url.starts_with("git@")
}

/// True when `GIT_SSH_COMMAND`, `GIT_SSH` or git's `core.sshCommand` is set.
pub(crate) fn user_chose_ssh_command() -> bool {
    ["GIT_SSH_COMMAND", "GIT_SSH"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
        || Command::new("git")
            .args(["config", "--get", "core.sshCommand"])
            .stdin(Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
}

/// The stall limit from [`TIMEOUT_VAR`]: `None` for `0` (wait forever).
fn stall_limit(value: Option<&str>) -> Result<Option<Duration>> {
    let secs = match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => DEFAULT_TIMEOUT,
        Some(v) => v.parse::<u32>().map(u64::from).map_err(|_| {
            crate::error::input_error(format!(
                "invalid {TIMEOUT_VAR} {}: use whole seconds without progress before a git clone is given up (0 waits forever); for example {TIMEOUT_VAR}=120",
                quote(v)
            ))
        })?,
    };
    Ok((secs > 0).then(|| Duration::from_secs(secs)))
}

pub fn load(url: &str, git_ref: Option<&str>) -> Result<Template> {
    let limit = stall_limit(std::env::var(TIMEOUT_VAR).ok().as_deref())?;
    // First the guard, then the directory: the directory is dropped (removed)
    // before a signal may end the process again.
    let _deferred = interrupt::defer();
    let tmp = tempfile::Builder::new()
        .prefix("flaskgen-template-")
        .tempdir()?;
    let dest = tmp.path().join("kit");
    let mut cmd = Command::new("git");
    cmd.args(["clone", "--progress", "--depth", "1", "--no-tags"]);
    if let Some(r) = git_ref {
        cmd.args(["--branch", r]);
    }
    cmd.arg("--").arg(url).arg(&dest);
    // Never let git ask for credentials: scripts must not hang. ssh asks on
    // the terminal itself, so it gets BatchMode, unless the user chose an ssh
    // command of their own (a key for the team's git host, say).
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    if is_ssh_url(url) && !user_chose_ssh_command() {
        cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let at = git_ref
        .map(|r| format!(" at {}", escape(r)))
        .unwrap_or_default();
    let shown_url = escape(url);
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow!("git is not installed, and the template {shown_url} is a git repository; install git or pass a local directory")
            } else {
                anyhow!("could not run git to fetch {shown_url}: {e}")
            }
        })?;
    match watch(child, limit)? {
        Ending::Finished(stderr) => {
            if !stderr.success {
                bail!(
                    "could not clone template {shown_url}{at}; git said:\n{}",
                    git_said(&stderr.text)
                );
            }
        }
        Ending::Stalled(secs) => bail!(
            "could not clone template {shown_url}{at}: the clone stalled, git reported no progress for {secs} s, so it was stopped; check that the server answers, or set {TIMEOUT_VAR} to the seconds to wait (now {secs}; 0 waits forever)"
        ),
    }
    let commit = Command::new("git")
        .arg("-C")
        .arg(&dest)
        .args(["rev-parse", "HEAD"])
        .stdin(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let (manifest, files) = load_dir(&dest).with_context(|| format!("in template {shown_url}"))?;
    interrupt::check()?;
    Ok(Template {
        manifest,
        files,
        origin: Origin::Git {
            url: url.into(),
            reference: git_ref.map(Into::into),
            commit,
        },
    })
}

/// What git left on stderr, and whether it succeeded.
struct Said {
    success: bool,
    text: String,
}

enum Ending {
    Finished(Said),
    /// No word from git for this many seconds; git was killed.
    Stalled(u64),
}

/// Waits for git, reading its stderr as it comes. Kills git (and whatever it
/// started) on a stall, or when a signal raised [`interrupt::STOP`]; the
/// latter returns [`interrupt::Interrupted`].
fn watch(mut child: Child, limit: Option<Duration>) -> Result<Ending> {
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut said = Vec::new();
    let mut last_word = Instant::now();
    let mut open = true;
    loop {
        if interrupt::check().is_err() {
            kill_tree(&mut child);
            return Err(interrupt::Interrupted.into());
        }
        if open {
            match rx.recv_timeout(TICK) {
                Ok(chunk) => {
                    said.extend_from_slice(&chunk);
                    last_word = Instant::now();
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => open = false,
            }
        } else {
            std::thread::sleep(TICK);
        }
        if let Some(status) = child.try_wait()? {
            // Whatever is still in the pipe: git has exited, so its end is
            // closed unless a helper it left behind holds it; wait briefly.
            while let Ok(chunk) = rx.recv_timeout(TICK) {
                said.extend_from_slice(&chunk);
            }
            // A Ctrl-C at the terminal reaches git too: report the signal,
            // not git's death by it.
            interrupt::check()?;
            return Ok(Ending::Finished(Said {
                success: status.success(),
                text: String::from_utf8_lossy(&said).into_owned(),
            }));
        }
        if let Some(limit) = limit {
            if last_word.elapsed() >= limit {
                kill_tree(&mut child);
                return Ok(Ending::Stalled(limit.as_secs()));
            }
        }
    }
}

/// Kills git and every process below it (remote helper, ssh, upload-pack),
/// which would otherwise sit on a dead connection after git is gone.
fn kill_tree(child: &mut Child) {
    for pid in descendants(child.id()) {
        // SAFETY: kill(2) with a pid read from /proc just now.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Every live descendant of `root`, from /proc (empty where there is none).
fn descendants(root: u32) -> Vec<u32> {
    let mut parent_of = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            // Fields after the command name, which is in parentheses and may hold anything.
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parent_of.push((pid, ppid));
            }
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parent_of
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// git's own lines from its stderr, for an error message: progress and the
/// `Cloning into` line left out, each escaped and indented, at most
/// [`MAX_GIT_LINES`] of them.
fn git_said(stderr: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in stderr.split('\n') {
        // Progress redraws its line with `\r`; only the last state counts,
        // and a finished counter is progress too.
        let line = line.rsplit('\r').next().unwrap_or_default().trim_end();
        if line.is_empty() || is_progress(line) || lines.contains(&line) {
            continue;
        }
        lines.push(line);
    }
    if lines.is_empty() {
        return "  (nothing; it exited with an error)".into();
    }
    let more = lines.len().saturating_sub(MAX_GIT_LINES);
    let mut out: Vec<String> = lines
        .iter()
        .take(MAX_GIT_LINES)
        .map(|l| match l.char_indices().nth(MAX_LINE_CHARS) {
            Some((cut, _)) => format!("  {}…", escape(&l[..cut])),
            None => format!("  {}", escape(l)),
        })
        .collect();
    if more > 0 {
        out.push(format!("  … and {}", crate::text::count(more, "more line")));
    }
    out.join("\n")
}

/// A line of git's progress report, or of the server's (`remote: Counting
/// objects: …`), or the line naming the directory it clones into.
fn is_progress(line: &str) -> bool {
    let text = line.strip_prefix("remote:").unwrap_or(line).trim_start();
    text.starts_with("Cloning into ")
        || [
            "Enumerating objects:",
            "Counting objects:",
            "Compressing objects:",
            "Receiving objects:",
            "Resolving deltas:",
            "Total ",
        ]
        .iter()
        .any(|p| text.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stall_limit_is_whole_seconds_and_zero_waits_forever() {
        assert_eq!(
            stall_limit(None).unwrap(),
            Some(Duration::from_secs(DEFAULT_TIMEOUT))
        );
        assert_eq!(
            stall_limit(Some("")).unwrap(),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            stall_limit(Some(" 5 ")).unwrap(),
            Some(Duration::from_secs(5))
        );
        assert_eq!(stall_limit(Some("0")).unwrap(), None);
        for bad in ["-1", "1.5", "abc", "99999999999"] {
            let e = stall_limit(Some(bad)).unwrap_err();
            assert_eq!(crate::error::exit_code(&e), 2, "{bad}");
            assert!(e.to_string().contains(TIMEOUT_VAR), "{e}");
        }
    }

    #[test]
    fn git_said_keeps_every_message_and_drops_progress() {
        let stderr = "Cloning into '/tmp/x/kit'...\n\
            remote: Enumerating objects: 5, done.        \n\
            remote: Counting objects:  50% (1/2)        \rremote: Counting objects: 100% (2/2), done.        \n\
            Receiving objects:  50% (1/2)\rReceiving objects: 100% (2/2), done.\n\
            remote: Repository disabled by its owner\n\
            fatal: Could not read from remote repository.\n\
            \n\
            Please make sure you have the correct access rights\n\
            and the repository exists.\n";
        assert_eq!(
            git_said(stderr),
            "  remote: Repository disabled by its owner\n  \
             fatal: Could not read from remote repository.\n  \
             Please make sure you have the correct access rights\n  \
             and the repository exists."
        );
        assert_eq!(
            git_said("Cloning into 'x'...\n"),
            "  (nothing; it exited with an error)"
        );
    }

    #[test]
    fn git_said_escapes_and_bounds_what_a_server_sends() {
        let mut stderr = String::from("remote: \x1b]0;owned\x07 \u{2028}forged\n");
        for i in 0..40 {
            stderr.push_str(&format!("error: line {i}\n"));
        }
        let said = git_said(&stderr);
        assert!(!said.contains('\x1b') && !said.contains('\x07') && !said.contains('\u{2028}'));
        assert!(
            said.starts_with("  remote: \\x1b]0;owned\\x07 \\u{2028}forged\n"),
            "{said}"
        );
        assert_eq!(said.lines().count(), MAX_GIT_LINES + 1);
        assert!(said.ends_with("… and 29 more lines"), "{said}");
        let long = format!("fatal: {}\n", "x".repeat(5000));
        assert_eq!(git_said(&long).chars().count(), 2 + MAX_LINE_CHARS + 1);
    }
}
