//! The one way flaskgen runs git: kit clones (`new`, `template check`),
//! `update`'s clone, tag listing and checkouts, the first commit of a new
//! project, and `update`'s check for uncommitted changes.
//!
//! Every git process gets the same environment: it never prompts
//! (`GIT_TERMINAL_PROMPT=0`, `GCM_INTERACTIVE=never`, stdin from /dev/null,
//! ssh in BatchMode unless the user chose an ssh command), and its stdout
//! and stderr are read as they come. A command that talks to a server
//! ([`Git::remote`]) has a stall limit: when nothing at all has come from
//! git for [`TIMEOUT_VAR`] seconds (default [`DEFAULT_TIMEOUT`]; clones and
//! fetches run with `--progress`, which reports at least once a second while
//! a transfer moves) git and its helpers (remote helper, ssh) are killed and
//! the error says so. A signal that raised [`interrupt::STOP`] (see
//! [`interrupt::defer`]) kills them too, and the run returns
//! [`interrupt::Interrupted`].
//!
//! Credentials: the `user:password@` part of a URL is passed to git and to
//! nothing else. [`strip_userinfo`] gives the URL to record and show, and
//! everything git prints is [`redact`]ed before it is shown.

use std::borrow::Cow;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};

use crate::interrupt;
use crate::text::{escape, quote};

/// The environment variable that sets the stall limit, in whole seconds.
pub const TIMEOUT_VAR: &str = "FLASKGEN_GIT_TIMEOUT";
/// Seconds without any word from git before a remote command is given up.
pub const DEFAULT_TIMEOUT: u64 = 60;
/// How many of git's lines an error shows at most.
const MAX_GIT_LINES: usize = 12;
/// Longer lines of git's are cut to this many characters.
const MAX_LINE_CHARS: usize = 300;
/// How often the wait loop looks at the clock and at [`interrupt::STOP`].
const TICK: Duration = Duration::from_millis(50);
/// What stands for removed credentials in a message.
const REDACTED: &str = "***";

/// A source is a git repository when it looks like a URL git understands.
pub fn is_git_url(source: &str) -> bool {
    ["https://", "http://", "ssh://", "git://", "file://"]
        .iter()
        .any(|p| source.starts_with(p))
        || (source.starts_with("git@") && source.contains(':'))
}

fn is_ssh_url(url: &str) -> bool {
    url.starts_with("ssh://") || url.starts_with("git@")
}

/// The URL without the credentials in it: for `http(s)://`, `git://` and
/// `ftp(s)://` the whole `user[:password]@` (a token is often the user
/// name); for others (`ssh://user@host`) only the `:password`, since the
/// user names the account. `git@host:path` has no password and stays.
pub fn strip_userinfo(url: &str) -> Cow<'_, str> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Cow::Borrowed(url);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return Cow::Borrowed(url);
    };
    let userinfo = &rest[..at];
    let host_and_path = &rest[at + 1..];
    let whole = ["http", "https", "git", "ftp", "ftps"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    match userinfo.split_once(':') {
        _ if whole => Cow::Owned(format!("{scheme}://{host_and_path}")),
        Some((user, _)) => Cow::Owned(format!("{scheme}://{user}@{host_and_path}")),
        None => Cow::Borrowed(url),
    }
}

/// Whether two URLs name the same repository once credentials are left out
/// (a trailing `/` aside).
pub fn same_repository(a: &str, b: &str) -> bool {
    strip_userinfo(a).trim_end_matches('/') == strip_userinfo(b).trim_end_matches('/')
}

/// `text` (git's output, say) with the credentials of every URL in it
/// replaced by `***`, and each of `secrets` (userinfo given to git) too.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        out.push_str(&rest[..i + 3]);
        rest = &rest[i + 3..];
        let end = rest
            .find(|c: char| c.is_whitespace() || "/?#'\"<>`".contains(c))
            .unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            out.push_str(REDACTED);
            rest = &rest[at..];
        }
    }
    out.push_str(rest);
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), REDACTED);
    }
    out
}

/// The `user[:password]` of a URL, when it has one: what [`redact`] must
/// also find outside the URL.
fn userinfo(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = rest[..end].rfind('@')?;
    let info = &rest[..at];
    // A bare user name of ssh is not secret, and replacing it everywhere
    // would garble git's lines.
    (info.contains(':') || !is_ssh_url(url)).then(|| info.to_string())
}

/// True when `GIT_SSH_COMMAND`, `GIT_SSH` or git's `core.sshCommand` is set.
fn user_chose_ssh_command() -> bool {
    ["GIT_SSH_COMMAND", "GIT_SSH"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
        || Git::new()
            .args(["config", "--get", "core.sshCommand"])
            .run("read git's core.sshCommand")
            .is_ok_and(|r| r.success && !r.stdout.trim().is_empty())
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

/// git could not be started because it is not installed.
#[derive(Debug)]
pub struct NotInstalled {
    /// What needed git, e.g. `template https://git.example.com/kit.git`.
    pub what: String,
}

impl fmt::Display for NotInstalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "git is not installed, and {} needs it; install git",
            self.what
        )
    }
}

impl std::error::Error for NotInstalled {}

/// A git command to run.
pub struct Git {
    cmd: Command,
    limit: Option<Duration>,
    secrets: Vec<String>,
}

/// How a git command ended (it was neither stalled nor interrupted).
#[derive(Debug)]
pub struct Run {
    pub success: bool,
    pub stdout: String,
    /// Redacted; still raw otherwise (see [`Run::said`]).
    pub stderr: String,
}

impl Run {
    /// git's own lines, for an error message: progress left out, escaped,
    /// indented and bounded.
    pub fn said(&self) -> String {
        git_said(&self.stderr)
    }
}

impl Default for Git {
    fn default() -> Git {
        Git::new()
    }
}

impl Git {
    /// git, with flaskgen's environment, for a local command.
    pub fn new() -> Git {
        let mut cmd = Command::new("git");
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env("GCM_INTERACTIVE", "never")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        Git {
            cmd,
            limit: None,
            secrets: Vec::new(),
        }
    }

    /// git run in `dir` (`git -C dir`).
    pub fn in_dir(dir: &Path) -> Git {
        let mut git = Git::new();
        git.cmd.arg("-C").arg(dir);
        git
    }

    /// A command that talks to `url`: the stall limit of [`TIMEOUT_VAR`]
    /// applies (a bad value is bad input), ssh never asks, and the URL's
    /// credentials are redacted from what git prints.
    pub fn remote(mut self, url: &str) -> Result<Git> {
        self.limit = stall_limit(std::env::var(TIMEOUT_VAR).ok().as_deref())?;
        // ssh asks on the terminal itself, so it gets BatchMode, unless the
        // user chose an ssh command of their own (a key for the team's git
        // host, say).
        if is_ssh_url(url) && !user_chose_ssh_command() {
            self.cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
        }
        self.secrets.extend(userinfo(url));
        Ok(self)
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Git {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Git
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Git {
        self.cmd.env(key, value);
        self
    }

    /// Runs git to the end. `what` names the work for messages (`clone
    /// template URL`, shown escaped): a stall is an error ("could not
    /// {what}: … stalled …"), a signal [`interrupt::Interrupted`], git
    /// missing [`NotInstalled`]; git's own failure is for the caller to judge.
    pub fn run(mut self, what: &str) -> Result<Run> {
        let child = self.cmd.spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow::Error::new(NotInstalled { what: escape(what) })
            } else {
                anyhow!("could not run git to {}: {e}", escape(what))
            }
        })?;
        match watch(child, self.limit)? {
            Ending::Finished(mut run) => {
                run.stderr = redact(&run.stderr, &self.secrets);
                Ok(run)
            }
            Ending::Stalled(secs) => bail!(
                "could not {}: git stalled, it reported no progress for {secs} s, so it was stopped; check that the server answers, or set {TIMEOUT_VAR} to the seconds to wait (now {secs}; 0 waits forever)",
                escape(what)
            ),
        }
    }

    /// Runs git and gives its stdout, trimmed; git's failure is an error
    /// "could not {what}; git said: …".
    pub fn output(self, what: &str) -> Result<String> {
        let run = self.run(what)?;
        if !run.success {
            bail!("could not {}; git said:\n{}", escape(what), run.said());
        }
        Ok(run.stdout.trim().to_string())
    }
}

enum Ending {
    Finished(Run),
    /// No word from git for this many seconds; git was killed.
    Stalled(u64),
}

/// Waits for git, reading its stdout and stderr as they come. Kills git
/// (and whatever it started) on a stall, or when a signal raised
/// [`interrupt::STOP`]; the latter returns [`interrupt::Interrupted`].
fn watch(mut child: Child, limit: Option<Duration>) -> Result<Ending> {
    let (tx, rx) = mpsc::channel::<(bool, Vec<u8>)>();
    let pipes: [(bool, Option<Box<dyn Read + Send>>); 2] = [
        (true, child.stdout.take().map(|p| Box::new(p) as _)),
        (false, child.stderr.take().map(|p| Box::new(p) as _)),
    ];
    for (is_out, pipe) in pipes {
        let Some(mut pipe) = pipe else { continue };
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 || tx.send((is_out, buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut keep = |(is_out, chunk): (bool, Vec<u8>)| {
        if is_out { &mut out } else { &mut err }.extend_from_slice(&chunk)
    };
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
                    keep(chunk);
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
            // Whatever is still in the pipes: git has exited, so their ends
            // are closed unless a helper it left behind holds them; wait briefly.
            while let Ok(chunk) = rx.recv_timeout(TICK) {
                keep(chunk);
            }
            // A Ctrl-C at the terminal reaches git too: report the signal,
            // not git's death by it.
            interrupt::check()?;
            return Ok(Ending::Finished(Run {
                success: status.success(),
                stdout: String::from_utf8_lossy(&out).into_owned(),
                stderr: String::from_utf8_lossy(&err).into_owned(),
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
    fn credentials_are_stripped_from_the_url_to_record() {
        for (given, recorded) in [
            (
                "https://user:TOKEN@git.example.com/acme/kit.git",
                "https://git.example.com/acme/kit.git",
            ),
            (
                "http://TOKEN@127.0.0.1:8080/kit.git",
                "http://127.0.0.1:8080/kit.git",
            ),
            ("https://a:b@c@host/kit.git", "https://host/kit.git"),
            (
                "ssh://git:hunter2@host/acme/kit.git",
                "ssh://git@host/acme/kit.git",
            ),
            ("ssh://git@host/acme/kit.git", "ssh://git@host/acme/kit.git"),
            ("git@host:acme/kit.git", "git@host:acme/kit.git"),
            ("file:///srv/kits/a@b.git", "file:///srv/kits/a@b.git"),
            ("https://host/kit.git?x=a@b", "https://host/kit.git?x=a@b"),
        ] {
            assert_eq!(strip_userinfo(given), recorded, "{given}");
        }
        assert!(same_repository(
            "https://u:p@host/kit.git/",
            "https://host/kit.git"
        ));
        assert!(!same_repository(
            "https://u:p@host/other.git",
            "https://host/kit.git"
        ));
    }

    #[test]
    fn redact_hides_credentials_in_what_git_says() {
        let secrets = vec![userinfo("http://user:SECRET@h/kit.git").unwrap()];
        let said = "fatal: unable to access 'http://user:SECRET@127.0.0.1:9/kit.git/': refused\n\
            Cloning into '/tmp/x'... see https://TOKEN@host/a and ssh://git@host/b; user:SECRET";
        let out = redact(said, &secrets);
        assert!(!out.contains("SECRET") && !out.contains("TOKEN"), "{out}");
        assert!(
            out.contains("'http://***@127.0.0.1:9/kit.git/'") && out.contains("https://***@host/a"),
            "{out}"
        );
        assert_eq!(redact("no urls: a@b", &[]), "no urls: a@b");
        assert_eq!(userinfo("ssh://git@host/x"), None);
        assert_eq!(userinfo("https://host/x"), None);
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
