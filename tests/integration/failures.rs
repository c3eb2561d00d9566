//! Failures the disk causes, for real: a full disk, a read-only file system,
//! a file that cannot be replaced. Each runs in a small tmpfs mounted in a
//! private mount namespace (root only), gone when the test's shell ends.

use std::process::Command as StdCommand;

/// Runs `script` (sh) inside a fresh tmpfs of `size`, with `$FLASKGEN` set;
/// returns its stdout. `None` when this machine cannot mount one (not root,
/// no `unshare`): the caller's check did not run, which is said loudly, and
/// is a failure under CI, which runs as root.
fn in_scratch_fs(size: &str, script: &str) -> Option<String> {
    let mount_point = tempfile::tempdir().unwrap();
    let out = StdCommand::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(format!(
            "mount -t tmpfs -o size={size} flaskgen-test \"$0\" || exit 99\ncd \"$0\"\n{script}"
        ))
        .arg(mount_point.path())
        .env("FLASKGEN", env!("CARGO_BIN_EXE_flaskgen"))
        .env("HOME", mount_point.path())
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .output();
    match out {
        Ok(out) if out.status.code() != Some(99) && out.status.success() => {
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Ok(out) if out.status.code() != Some(99) => panic!(
            "scratch script failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        other => {
            eprintln!("NOT RUN: cannot mount a scratch tmpfs here ({other:?}); the disk-failure checks did not run");
            assert!(
                std::env::var("CI").is_err(),
                "CI must run the disk-failure checks"
            );
            None
        }
    }
}

/// The text after the `--name--` marker, up to the next marker.
fn section<'a>(out: &'a str, name: &str) -> &'a str {
    let start = format!("--{name}--\n");
    let rest = &out[out.find(&start).unwrap_or_else(|| panic!("{name}: {out}")) + start.len()..];
    let end = if rest.starts_with("--") {
        0
    } else {
        rest.find("\n--").map_or(rest.len(), |i| i + 1)
    };
    &rest[..end]
}

/// Lists every path and every file's bytes, so before and after can be compared.
const SNAPSHOT: &str = "find . -mindepth 1 | sort; find . -type f | sort | xargs -r md5sum";

/// What one failing run did: the tmpfs before and after, its one error line, its exit code.
struct Run {
    before: String,
    error: String,
    code: String,
    after: String,
}

/// In a fresh tmpfs of `size`: runs `setup` (sh), then `flaskgen ARGS`.
fn scenario(size: &str, setup: &str, args: &str) -> Option<Run> {
    let out = in_scratch_fs(
        size,
        &format!(
            "{setup}\necho --before--; {SNAPSHOT}\n\
             echo --out--; \"$FLASKGEN\" {args} 2>&1; echo \"--rc--\n$?\"\n\
             echo --after--; {SNAPSHOT}\necho --end--"
        ),
    )?;
    Some(Run {
        before: section(&out, "before").to_string(),
        error: section(&out, "out").trim_end().to_string(),
        code: section(&out, "rc").trim().to_string(),
        after: section(&out, "after").to_string(),
    })
}

impl Run {
    /// Exit 1 and one error line holding each of `parts`, ending with `outcome`.
    fn failed_with(&self, parts: &[&str], outcome: &str) {
        assert_eq!(self.code, "1", "{}", self.error);
        assert_eq!(self.error.lines().count(), 1, "{}", self.error);
        for part in parts {
            assert!(self.error.contains(part), "{part}: {}", self.error);
        }
        assert!(self.error.ends_with(outcome), "{}", self.error);
    }
}

#[test]
fn a_full_disk_leaves_nothing_behind() {
    let Some(run) = scenario("24k", "", "new svc --yes") else {
        return;
    };
    run.failed_with(
        &["error: cannot write svc/", "No space left on device"],
        "; nothing was written",
    );
    assert_eq!(run.after, "");
}

#[test]
fn a_full_disk_with_force_changes_no_file() {
    let setup = "mkdir svc && echo mine > svc/Dockerfile && echo notes > svc/notes.txt";
    let Some(run) = scenario("24k", setup, "new svc --yes --force") else {
        return;
    };
    run.failed_with(&["No space left on device"], "; no file was changed");
    assert_eq!(run.before, run.after);
    assert!(run.before.contains("./svc/notes.txt"));
}

#[test]
fn a_read_only_file_system_is_reported_and_untouched() {
    let setup = "mount -o remount,ro \"$PWD\"";
    let Some(run) = scenario("1m", setup, "new svc --yes -o deeper/still") else {
        return;
    };
    run.failed_with(&["Read-only file system"], "; nothing was written");
    assert_eq!(run.after, "");
}

/// With `--force`, files are replaced one by one after staging; when one
/// cannot be (an immutable file), every earlier replacement is undone, new
/// files and directories go, and the scratch directories are removed.
#[test]
fn a_replacement_that_fails_puts_every_file_back() {
    let setup = "mkdir -p svc/app && echo mine > svc/Dockerfile && echo mine > svc/app/app.py\n\
                 echo mine > svc/requirements.txt && echo notes > svc/notes.txt\n\
                 chattr +i svc/requirements.txt";
    let Some(run) = scenario("1m", setup, "new svc --yes --force") else {
        return;
    };
    run.failed_with(
        &["error: cannot replace svc/requirements.txt: Operation not permitted"],
        "; no file was changed",
    );
    // Dockerfile and app/app.py come before it, so they were replaced, then put back.
    assert_eq!(run.before, run.after);
    assert!(run.before.contains("./svc/app/app.py"));
}

/// `update` writes all or nothing too: when one file cannot be replaced (an
/// immutable one, after others were), every file is as it was.
#[test]
fn an_update_that_fails_midway_changes_no_file() {
    let setup = "\"$FLASKGEN\" new svc --yes --vcs none -q\n\
                 echo '# mine' >> svc/Dockerfile\n\
                 chattr +i svc/gunicorn.conf.py";
    let Some(run) = scenario("1m", setup, "update svc -p 8080") else {
        return;
    };
    run.failed_with(
        &["cannot replace svc/gunicorn.conf.py: Operation not permitted"],
        "; no file was changed",
    );
    // Dockerfile, README.md, app/app.py and compose.yaml come before it, so were replaced, then put back.
    assert_eq!(run.before, run.after);
    assert!(run.before.contains("./svc/compose.yaml"));
}
