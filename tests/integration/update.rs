//! `flaskgen update`: one scenario per rule of the merge table, for a git kit
//! across two tags and for the built-in template across its releases; the
//! merge checked against `git merge-file --diff3` as an oracle.

use std::fs;
use std::path::Path;
use std::process::Command as StdCommand;

use flaskgen::update::merge::{self, Merged};

use super::{files, flaskgen, read, stderr, stdout};

/// git, when this machine has it; `None` (said loudly, and a failure under CI) when not.
fn have_git(what: &str) -> bool {
    let ok = StdCommand::new("git").arg("--version").output().is_ok();
    if !ok {
        eprintln!("NOT RUN: {what}: git is not installed");
        assert!(std::env::var("CI").is_err(), "CI must have git for {what}");
    }
    ok
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(root: &Path, path: &str, text: &[u8]) {
    let p = root.join(path);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

const MANIFEST: &str = r#"
[template]
name = "team-kit"
description = "a kit for the update tests"
version = "VERSION"

[variables.module]
default = "service"
"#;

/// A kit in a bare repository with tags v1.0.0 and v1.1.0 (and v1.1.0-rc.1,
/// which is not chosen): every rule of the merge table has a file.
fn two_tag_kit(root: &Path) -> String {
    let work = root.join("kit-work");
    let v1: &[(&str, &[u8])] = &[
        ("same.txt", b"same\n"),
        ("replaced.txt", b"old\n"),
        ("kept.txt", b"template\n"),
        ("merged.txt", b"a\nb\nc\nd\ne\nf\n"),
        ("conflict.txt", b"x\ny\nz\n"),
        ("removed.txt", b"going\n"),
        ("removed-edited.txt", b"going\n"),
        ("deleted.txt", b"one\n"),
        ("{{ module }}.py", b"# module\nv = 1\n"),
        ("logo.bin", b"\x00\x01old"),
        ("icon.bin", b"\x00\x01old"),
    ];
    fs::create_dir_all(&work).unwrap();
    write(
        &work,
        "flaskgen.toml",
        MANIFEST.replace("VERSION", "1.0.0").as_bytes(),
    );
    for (p, c) in v1 {
        write(&work, p, c);
    }
    git(&work, &["init", "-q"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "v1"]);
    git(&work, &["tag", "v1.0.0"]);
    write(
        &work,
        "flaskgen.toml",
        MANIFEST.replace("VERSION", "1.1.0").as_bytes(),
    );
    write(&work, "replaced.txt", b"new\n");
    write(&work, "merged.txt", b"a\nb\nc\nd\ne\nF from the template\n");
    write(&work, "conflict.txt", b"x\ny from the template\nz\n");
    write(&work, "deleted.txt", b"two\n");
    write(&work, "{{ module }}.py", b"# module\nv = 1\nw = 2\n");
    write(&work, "logo.bin", b"\x00\x01new");
    write(&work, "icon.bin", b"\x00\x01new");
    write(&work, "added.txt", b"added\n");
    write(&work, "clash.txt", b"from the template\n");
    fs::remove_file(work.join("removed.txt")).unwrap();
    fs::remove_file(work.join("removed-edited.txt")).unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "v1.1"]);
    git(&work, &["tag", "v1.1.0"]);
    write(&work, "same.txt", b"pre-release\n");
    git(&work, &["commit", "-qam", "rc"]);
    git(&work, &["tag", "v1.1.0-rc.9"]);
    git(root, &["clone", "-q", "--bare", "kit-work", "kit.git"]);
    format!("file://{}", root.join("kit.git").display())
}

/// The project made from v1.0.0, then the user's edits: one per rule.
fn project_with_edits(root: &Path, url: &str) -> std::path::PathBuf {
    flaskgen(root)
        .args([
            "new",
            "svc",
            "--yes",
            "--vcs",
            "none",
            "--template",
            url,
            "--ref",
            "v1.0.0",
        ])
        .assert()
        .success();
    let p = root.join("svc");
    write(&p, "kept.txt", b"mine\n");
    write(&p, "merged.txt", b"A from me\nb\nc\nd\ne\nf\n");
    write(&p, "conflict.txt", b"x\ny from me\nz\n");
    write(&p, "removed-edited.txt", b"going, but mine\n");
    fs::remove_file(p.join("deleted.txt")).unwrap();
    write(&p, "clash.txt", b"my own clash\n");
    write(&p, "service.py", b"# my line\n# module\nv = 1\n");
    write(&p, "logo.bin", b"\x00\x01mine");
    p
}

#[test]
fn every_rule_of_the_merge_table_on_a_git_kit() {
    if !have_git("the git-kit update scenario") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let url = two_tag_kit(tmp.path());
    let p = project_with_edits(tmp.path(), &url);
    let before: Vec<(String, Vec<u8>)> = files(&p)
        .into_iter()
        .map(|f| (f.clone(), fs::read(p.join(&f)).unwrap()))
        .collect();

    // --dry-run: the diff on stdout, nothing written, exit 1 (conflicts).
    let dry = flaskgen(tmp.path())
        .args(["update", "svc", "--dry-run", "-d", "module=worker"])
        .output()
        .unwrap();
    assert_eq!(dry.status.code(), Some(1), "{}", stderr(&dry));
    let diff = stdout(&dry);
    assert!(
        diff.contains("--- a/replaced.txt\n+++ b/replaced.txt\n"),
        "{diff}"
    );
    assert!(diff.contains("-old\n+new\n"), "{diff}");
    assert!(diff.contains("+<<<<<<< ours\n"), "{diff}");
    let now: Vec<(String, Vec<u8>)> = files(&p)
        .into_iter()
        .map(|f| (f.clone(), fs::read(p.join(&f)).unwrap()))
        .collect();
    assert_eq!(before, now, "--dry-run wrote nothing");

    // --check: behind, exit 1, nothing written.
    flaskgen(tmp.path())
        .args(["update", "svc", "--check"])
        .assert()
        .code(1);

    let out = flaskgen(tmp.path())
        .args(["update", "svc", "--json", "-d", "module=worker"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "conflicts exit 1: {}",
        stderr(&out)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kind = |path: &str| {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .unwrap_or_else(|| "none".into())
    };
    let cases = [
        ("same.txt", "none"),
        ("replaced.txt", "updated"),
        ("kept.txt", "kept"),
        ("merged.txt", "merged"),
        ("conflict.txt", "conflict"),
        ("added.txt", "added"),
        ("clash.txt", "conflict"),
        ("removed.txt", "removed"),
        ("removed-edited.txt", "kept"),
        ("deleted.txt", "kept"),
        ("worker.py", "moved"),
        ("logo.bin", "conflict"),
        ("icon.bin", "updated"),
    ];
    for (path, want) in cases {
        assert_eq!(kind(path), want, "{path}: {doc:#}");
    }
    assert_eq!(
        doc["template"]["to"], "1.1.0",
        "newest release tag, not the rc"
    );
    assert_eq!(doc["conflicts"], 3);

    // The disk matches the report.
    assert_eq!(read(p.join("same.txt")), "same\n");
    assert_eq!(read(p.join("replaced.txt")), "new\n");
    assert_eq!(read(p.join("kept.txt")), "mine\n");
    assert_eq!(
        read(p.join("merged.txt")),
        "A from me\nb\nc\nd\ne\nF from the template\n"
    );
    assert_eq!(
        read(p.join("conflict.txt")),
        "x\n<<<<<<< ours\ny from me\n||||||| base\ny\n=======\ny from the template\n>>>>>>> theirs\nz\n"
    );
    assert_eq!(read(p.join("added.txt")), "added\n");
    assert!(read(p.join("clash.txt")).contains("<<<<<<< ours\nmy own clash\n"));
    assert!(!p.join("removed.txt").exists());
    assert_eq!(read(p.join("removed-edited.txt")), "going, but mine\n");
    assert!(
        !p.join("deleted.txt").exists(),
        "deleted by the user: stays deleted"
    );
    assert!(!p.join("service.py").exists());
    assert_eq!(
        read(p.join("worker.py")),
        "# my line\n# module\nv = 1\nw = 2\n"
    );
    assert_eq!(fs::read(p.join("logo.bin")).unwrap(), b"\x00\x01mine");
    assert_eq!(
        fs::read(p.join("logo.bin.flaskgen-new")).unwrap(),
        b"\x00\x01new"
    );
    assert_eq!(fs::read(p.join("icon.bin")).unwrap(), b"\x00\x01new");

    // The answers file names the new tag's commit and the new value.
    let answers = read(p.join(".flaskgen.toml"));
    let commit = git(
        &tmp.path().join("kit.git"),
        &["rev-parse", "v1.1.0^{commit}"],
    );
    assert!(
        answers.contains(&format!("commit = \"{}\"", commit.trim())),
        "{answers}"
    );
    assert!(answers.contains("module = \"worker\""), "{answers}");
    assert!(answers.contains("version = \"1.1.0\""), "{answers}");

    // Once resolved, a second update has nothing to do.
    write(&p, "conflict.txt", b"x\ny from both\nz\n");
    write(&p, "clash.txt", b"resolved\n");
    fs::remove_file(p.join("logo.bin.flaskgen-new")).unwrap();
    let again = flaskgen(tmp.path())
        .args(["update", "svc"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stderr(&again).contains("up to date"), "{}", stderr(&again));
    flaskgen(tmp.path())
        .args(["update", "svc", "--check"])
        .assert()
        .success();
}

#[test]
fn to_ref_picks_the_version_and_bad_refs_are_input_errors() {
    if !have_git("update --to") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let url = two_tag_kit(tmp.path());
    flaskgen(tmp.path())
        .args([
            "new",
            "svc",
            "--yes",
            "--vcs",
            "none",
            "--template",
            &url,
            "--ref",
            "v1.0.0",
        ])
        .assert()
        .success();
    flaskgen(tmp.path())
        .args(["update", "svc", "--to", "v1.1.0-rc.9"])
        .assert()
        .success();
    assert_eq!(read(tmp.path().join("svc/same.txt")), "pre-release\n");
    let bad = flaskgen(tmp.path())
        .args(["update", "svc", "--to", "nope"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("\"nope\""), "{}", stderr(&bad));
}

/// With uncommitted changes to files it would touch, update refuses (exit 1)
/// unless --allow-dirty, so `git diff` afterwards is exactly the update.
#[test]
fn a_dirty_work_tree_is_refused_unless_allowed() {
    if !have_git("update in a dirty work tree") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--vcs", "none"])
        .assert()
        .success();
    let p = tmp.path().join("svc");
    git(&p, &["init", "-q"]);
    git(&p, &["add", "-A"]);
    git(&p, &["commit", "-qm", "new"]);
    // An edit to a file the update does not touch is no reason to refuse;
    // one to a file it touches is.
    write(&p, "requirements.txt", b"flask\n");
    write(
        &p,
        "Dockerfile",
        &[read(p.join("Dockerfile")).as_bytes(), b"# mine\n"].concat(),
    );
    let out = flaskgen(tmp.path())
        .args(["update", "svc", "-p", "8080"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("(Dockerfile)"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--allow-dirty"), "{}", stderr(&out));
    assert!(
        !read(p.join("Dockerfile")).contains("8080"),
        "nothing written"
    );
    flaskgen(tmp.path())
        .args(["update", "svc", "-p", "8080", "--allow-dirty"])
        .assert()
        .success();
    let dockerfile = read(p.join("Dockerfile"));
    assert!(dockerfile.contains("EXPOSE 8080") && dockerfile.ends_with("# mine\n"));
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let none = flaskgen(tmp.path())
        .args(["update", "nowhere"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr(&none).contains(".flaskgen.toml"),
        "{}",
        stderr(&none)
    );
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--vcs", "none"])
        .assert()
        .success();
    let before = read(tmp.path().join("svc/Dockerfile"));
    for args in [&["-p", "0"][..], &["-d", "nope=1"], &["--to", "v2"]] {
        let out = flaskgen(tmp.path())
            .args(["update", "svc"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    }
    assert_eq!(read(tmp.path().join("svc/Dockerfile")), before);
}

/// Writes a project as the built-in template at `version` makes it.
fn project_from_release(dir: &Path, version: &str) {
    use flaskgen::values::{Source, Value, Values};
    let template = flaskgen::update::releases::builtin_at(version).unwrap();
    let mut v = Values::default();
    v.set("name", Value::Str("svc".into()), Source::CommandLine);
    v.set("port", Value::Int(5000), Source::TemplateDefault);
    v.set(
        "base_image",
        Value::Str("python:3.14-slim".into()),
        Source::TemplateDefault,
    );
    v.set(
        "image",
        Value::Str("svc".into()),
        Source::Derived("name".into()),
    );
    v.set("minimal", Value::Bool(false), Source::TemplateDefault);
    // Variables a release added (deploy, ci, ...) take that release's defaults.
    for var in &template.manifest.variables {
        if let (None, Some(d)) = (v.get(&var.name), &var.default) {
            v.set(&var.name, d.clone(), Source::TemplateDefault);
        }
    }
    let plan = flaskgen::render::render(&template, &v).unwrap();
    flaskgen::write::write(&plan, dir, false).unwrap();
}

/// A project made by every released built-in template updates to the
/// current one: untouched, it becomes exactly what `new` makes today; with
/// edits to three files, the edits stay and everything else is today's.
#[test]
fn projects_from_every_release_update_to_the_current_template() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--vcs", "none", "-o", "fresh"])
        .assert()
        .success();
    let fresh = tmp.path().join("fresh/svc");
    for version in flaskgen::update::releases::versions() {
        let v = version.to_string();
        let clean = tmp.path().join(format!("clean-{v}"));
        project_from_release(&clean, &v);
        let out = flaskgen(tmp.path())
            .arg("update")
            .arg(&clean)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{v}: {}", stderr(&out));
        super::assert_same_tree(&clean, &fresh);

        let edited = tmp.path().join(format!("edited-{v}"));
        project_from_release(&edited, &v);
        let mine = [
            ("Dockerfile", "# ops: mine\n"),
            ("app/app.py", "# mine too\n"),
            ("README.md", "More notes.\n"),
        ];
        for (f, line) in mine {
            let text = read(edited.join(f));
            fs::write(edited.join(f), format!("{text}{line}")).unwrap();
        }
        let out = flaskgen(tmp.path())
            .arg("update")
            .arg(&edited)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{v}: {}", stderr(&out));
        for f in files(&fresh) {
            let want = read(fresh.join(&f));
            let got = read(edited.join(&f));
            match mine.iter().find(|(p, _)| *p == f) {
                Some((_, line)) => assert_eq!(got, format!("{want}{line}"), "{v} {f}"),
                None => assert_eq!(got, want, "{v} {f}"),
            }
        }
    }
}

/// Tiny deterministic generator for the oracle's random edits.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One to three random line edits (insert, delete, replace). Only lines
/// unique in the file are deleted or replaced: which of two equal blank
/// lines a diff calls changed is a free choice, and diff implementations
/// (git's xdiff slides such changes, diffy's Myers does not) choose
/// differently, so the conflict hunks could differ there without either
/// being wrong. Insertions go anywhere.
fn edit(r: &mut Rng, base: &[String], side: &str) -> Vec<String> {
    let mut v = base.to_vec();
    for k in 0..1 + r.below(3) {
        let i = if v.is_empty() { 0 } else { r.below(v.len()) };
        let op = r.below(3);
        if op != 0 && !v.is_empty() && v.iter().filter(|l| **l == v[i]).count() > 1 {
            continue;
        }
        match op {
            0 => v.insert(i, format!("{side} added {k} {}", r.next() % 1000)),
            1 if !v.is_empty() => {
                v.remove(i);
            }
            _ if !v.is_empty() => v[i] = format!("{side} changed {k} {}", r.next() % 1000),
            _ => {}
        }
    }
    v
}

/// The merge agrees with `git merge-file -p --diff3` on random edits of both
/// sides of the real template files: the same text, conflicts in the same places.
#[test]
fn merge_matches_git_merge_file() {
    if !have_git("the merge oracle (git merge-file)") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/default");
    let sources: Vec<String> = files(&root)
        .into_iter()
        .filter(|f| f != "flaskgen.toml")
        .map(|f| read(root.join(f)))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut conflicts, mut clean) = (0, 0);
    for case in 0..1200 {
        let text = &sources[case % sources.len()];
        let base: Vec<String> = text.lines().map(String::from).collect();
        let join = |v: &[String]| v.iter().map(|l| format!("{l}\n")).collect::<String>();
        let (b, o, t) = (
            join(&base),
            join(&edit(&mut rng, &base, "ours")),
            join(&edit(&mut rng, &base, "theirs")),
        );
        let (by_git, git_conflicts) = git_merge_file(tmp.path(), &b, &o, &t);
        let (ours, n) = match merge::merge(&b, &o, &t) {
            Merged::Clean(m) => (m, 0),
            Merged::Conflict(m, n) => (m, n),
        };
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            by_git,
            "case {case}:\nbase:\n{b}\nours:\n{o}\ntheirs:\n{t}"
        );
        assert_eq!(n as i32, git_conflicts, "case {case}: conflict count");
        if n > 0 {
            conflicts += 1
        } else {
            clean += 1
        }
    }
    assert!(
        conflicts > 100 && clean > 100,
        "both kinds were tested: {conflicts} conflicting, {clean} clean"
    );
}

/// `--dry-run`'s diff is a real patch: `git apply` of it makes exactly the
/// files the update writes (all but the answers file, which it rewrites).
#[test]
fn the_dry_run_diff_is_what_the_update_writes() {
    if !have_git("git apply of the dry-run diff") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["a", "b"] {
        flaskgen(tmp.path())
            .args(["new", "svc", "--yes", "-o", dir])
            .assert()
            .success();
        let readme = tmp.path().join(dir).join("svc/README.md");
        fs::write(&readme, format!("{}\nOur notes.\n", read(&readme))).unwrap();
    }
    let a = tmp.path().join("a/svc");
    let dry = flaskgen(tmp.path())
        .args(["update", "a/svc", "-p", "8080", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    let patch = tmp.path().join("update.patch");
    fs::write(&patch, &dry.stdout).unwrap();
    assert!(stdout(&dry).contains("+EXPOSE 8080\n"), "{}", stdout(&dry));
    git(&a, &["apply", patch.to_str().unwrap()]);
    flaskgen(tmp.path())
        .args(["update", "b/svc", "-p", "8080"])
        .assert()
        .success();
    let b = tmp.path().join("b/svc");
    let listed = |root: &Path| -> Vec<(String, Vec<u8>)> {
        files(root)
            .into_iter()
            .filter(|f| f != ".flaskgen.toml")
            .map(|f| (f.clone(), fs::read(root.join(&f)).unwrap()))
            .collect()
    };
    assert_eq!(listed(&a), listed(&b));
    assert!(read(b.join("README.md")).ends_with("Our notes.\n"));
}

/// An answers file from before file hashes were recorded still updates:
/// "unchanged" is then "equal to the base render".
#[test]
fn an_answers_file_without_hashes_still_updates() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .assert()
        .success();
    let p = tmp.path().join("svc");
    let answers = read(p.join(".flaskgen.toml"));
    let old = &answers[..answers.find("\n[files]").unwrap() + 1];
    fs::write(p.join(".flaskgen.toml"), old).unwrap();
    fs::write(
        p.join("README.md"),
        format!("{}More.\n", read(p.join("README.md"))),
    )
    .unwrap();
    let out = flaskgen(tmp.path())
        .args(["update", "svc", "-p", "8080", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<(String, String)> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["kind"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("README.md".into(), "merged".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("Dockerfile".into(), "updated".into())),
        "{kinds:?}"
    );
    assert!(read(p.join("README.md")).ends_with("More.\n"));
    assert!(
        read(p.join(".flaskgen.toml")).contains("\n[files]\n"),
        "hashes recorded again"
    );
}

/// Paths in an answers file are untrusted: with no base to render (a kit
/// directory that changed version), a `[files]` entry outside the project
/// is never looked at, let alone deleted, even with a matching hash.
#[test]
fn answers_file_paths_cannot_reach_outside_the_project() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    fs::create_dir_all(&kit).unwrap();
    let manifest = "[template]\nname = \"k\"\ndescription = \"d\"\nversion = \"1.0.0\"\n";
    fs::write(kit.join("flaskgen.toml"), manifest).unwrap();
    fs::write(kit.join("a.txt"), "a\n").unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--template", kit.to_str().unwrap()])
        .assert()
        .success();
    fs::write(tmp.path().join("victim.txt"), "precious\n").unwrap();
    let hash = flaskgen::inputs::answers::content_hash(b"precious\n");
    let answers = tmp.path().join("svc/.flaskgen.toml");
    fs::write(
        &answers,
        format!("{}\"../victim.txt\" = \"{hash}\"\n", read(&answers)),
    )
    .unwrap();
    fs::write(
        kit.join("flaskgen.toml"),
        manifest.replace("1.0.0", "2.0.0"),
    )
    .unwrap();
    let out = flaskgen(tmp.path())
        .args(["update", "svc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no base to merge against"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(tmp.path().join("victim.txt")), "precious\n");
}

fn kinds(out: &std::process::Output) -> std::collections::BTreeMap<String, String> {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)));
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The merge table on the built-in template, driven by value changes:
/// a new port (updated, merged, conflict, kept, deleted stays deleted), then
/// `minimal` on (removed, or kept when edited) and off again (added, or a
/// conflict where the project has its own file).
#[test]
fn every_rule_of_the_merge_table_on_the_builtin_template() {
    let tmp = tempfile::tempdir().unwrap();
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes"])
        .assert()
        .success();
    let p = tmp.path().join("svc");
    let edit = |f: &str, from: &str, to: &str| {
        let text = read(p.join(f));
        assert!(text.contains(from), "{f}: {from}");
        fs::write(p.join(f), text.replacen(from, to, 1)).unwrap();
    };
    edit("Dockerfile", "EXPOSE 5000", "EXPOSE 5000 9090");
    fs::write(
        p.join("README.md"),
        format!("{}Our notes.\n", read(p.join("README.md"))),
    )
    .unwrap();
    fs::write(
        p.join("requirements-dev.txt"),
        format!("{}ruff\n", read(p.join("requirements-dev.txt"))),
    )
    .unwrap();
    fs::remove_file(p.join("compose.yaml")).unwrap();

    let run = |args: &[&str]| {
        flaskgen(tmp.path())
            .args(["update", "svc", "--json"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["-p", "8080"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let k = kinds(&out);
    assert_eq!(k["Dockerfile"], "conflict");
    assert_eq!(k["README.md"], "merged");
    assert_eq!(k["gunicorn.conf.py"], "updated");
    assert_eq!(k["compose.yaml"], "kept", "deleted: stays deleted");
    assert_eq!(k["requirements-dev.txt"], "kept");
    assert!(!p.join("compose.yaml").exists());
    assert!(read(p.join("gunicorn.conf.py")).contains("\"8080\""));
    assert!(read(p.join("README.md")).ends_with("Our notes.\n"));
    assert!(read(p.join("README.md")).contains("8080:8080"));
    assert!(read(p.join("Dockerfile")).contains(
        "<<<<<<< ours\nEXPOSE 5000 9090\n||||||| base\nEXPOSE 5000\n=======\nEXPOSE 8080\n>>>>>>> theirs\n"
    ));
    edit(
        "Dockerfile",
        "<<<<<<< ours\nEXPOSE 5000 9090\n||||||| base\nEXPOSE 5000\n=======\nEXPOSE 8080\n>>>>>>> theirs\n",
        "EXPOSE 8080 9090\n",
    );

    let out = run(&["-d", "minimal=true"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let k = kinds(&out);
    for gone in ["gunicorn.conf.py", "pyproject.toml", "tests/test_app.py"] {
        assert_eq!(k[gone], "removed", "{gone}");
        assert!(!p.join(gone).exists(), "{gone}");
    }
    assert_eq!(
        k["README.md"], "kept",
        "edited: kept though the template dropped it"
    );
    assert_eq!(k["requirements-dev.txt"], "kept");
    assert!(p.join("README.md").exists());
    assert!(p.join(".dockerignore").exists(), "--minimal keeps it too");
    assert_eq!(
        read(p.join("Dockerfile"))
            .matches("EXPOSE 8080 9090")
            .count(),
        1
    );

    let out = run(&["-d", "minimal=false"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let k = kinds(&out);
    for back in ["gunicorn.conf.py", "compose.yaml", "tests/test_app.py"] {
        assert_eq!(k[back], "added", "{back}");
        assert!(p.join(back).exists(), "{back}");
    }
    assert_eq!(
        k["README.md"], "conflict",
        "new in the template, and the project has its own"
    );
    assert!(read(p.join("README.md")).contains("<<<<<<< ours\n"));
}

/// Every file of a project, but the answers file, with its contents and
/// whether it may be run.
fn tree(root: &Path) -> Vec<(String, Vec<u8>, bool)> {
    use std::os::unix::fs::PermissionsExt;
    files(root)
        .into_iter()
        .filter(|f| f != ".flaskgen.toml")
        .map(|f| {
            let path = root.join(&f);
            let run = fs::metadata(&path).unwrap().permissions().mode() & 0o111 != 0;
            (f.clone(), fs::read(path).unwrap(), run)
        })
        .collect()
}

/// The `--dry-run` patch of a git kit's update, with an edit, a merge, a
/// conflict, a rename, a removal, an addition and binary changes (one
/// replaced, one written beside), applied by `git apply`, makes byte for
/// byte what the update itself writes.
#[test]
fn git_apply_of_the_dry_run_patch_is_the_update() {
    if !have_git("git apply of the dry-run patch") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let url = two_tag_kit(tmp.path());
    let p = project_with_edits(tmp.path(), &url);
    let copy = tmp.path().join("copy");
    fs::create_dir(&copy).unwrap();
    for (f, bytes, _) in tree(&p) {
        write(&copy, &f, &bytes);
    }
    let dry = flaskgen(tmp.path())
        .args(["update", "svc", "--dry-run", "-d", "module=worker"])
        .output()
        .unwrap();
    assert_eq!(dry.status.code(), Some(1), "{}", stderr(&dry));
    let diff = stdout(&dry);
    assert!(diff.contains("deleted file mode 100644\n"), "{diff}");
    assert!(diff.contains("--- a/service.py\n+++ /dev/null\n"), "{diff}");
    assert!(diff.contains("+++ b/worker.py\n"), "{diff}");
    assert!(diff.contains("GIT binary patch\nliteral "), "{diff}");
    let patch = tmp.path().join("update.patch");
    fs::write(&patch, &dry.stdout).unwrap();
    git(&copy, &["apply", patch.to_str().unwrap()]);
    flaskgen(tmp.path())
        .args(["update", "svc", "-d", "module=worker"])
        .assert()
        .code(1);
    let (applied, updated) = (tree(&copy), tree(&p));
    let names =
        |t: &[(String, Vec<u8>, bool)]| t.iter().map(|(f, ..)| f.clone()).collect::<Vec<_>>();
    assert_eq!(names(&applied), names(&updated));
    assert_eq!(applied, updated);
    for (gone, there) in [("service.py", "worker.py"), ("removed.txt", "added.txt")] {
        assert!(!p.join(gone).exists() && p.join(there).exists());
    }
    assert_eq!(fs::read(p.join("icon.bin")).unwrap(), b"\x00\x01new");
    assert_eq!(
        fs::read(p.join("logo.bin.flaskgen-new")).unwrap(),
        b"\x00\x01new"
    );
}

/// A `FILE.flaskgen-new` already in the project is never overwritten: the
/// new version goes to the first free `FILE.flaskgen-new.N`, and the status
/// line says so.
#[test]
fn an_existing_flaskgen_new_file_is_left_alone() {
    if !have_git("the git-kit update scenario") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let url = two_tag_kit(tmp.path());
    let p = project_with_edits(tmp.path(), &url);
    write(&p, "logo.bin.flaskgen-new", b"my own notes\n");
    let out = flaskgen(tmp.path())
        .args(["update", "svc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(read(p.join("logo.bin.flaskgen-new")), "my own notes\n");
    assert_eq!(
        fs::read(p.join("logo.bin.flaskgen-new.1")).unwrap(),
        b"\x00\x01new"
    );
    let err = stderr(&out);
    assert!(
        err.contains("logo.bin.flaskgen-new was already there")
            && err.contains("new version in logo.bin.flaskgen-new.1"),
        "{err}"
    );
}

/// Going to an older template version than the project's is refused (exit
/// 2, both versions named, nothing written) unless --allow-downgrade.
#[test]
fn a_downgrade_needs_allow_downgrade() {
    if !have_git("the git-kit update scenario") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let url = two_tag_kit(tmp.path());
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--vcs", "none", "--template", &url])
        .args(["--ref", "v1.1.0"])
        .assert()
        .success();
    let p = tmp.path().join("svc");
    let before = tree(&p);
    let answers = read(p.join(".flaskgen.toml"));
    let out = flaskgen(tmp.path())
        .args(["update", "svc", "--to", "v1.0.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("1.1.0") && err.contains("1.0.0") && err.contains("--allow-downgrade"),
        "{err}"
    );
    assert_eq!(tree(&p), before);
    assert_eq!(read(p.join(".flaskgen.toml")), answers);
    flaskgen(tmp.path())
        .args(["update", "svc", "--to", "v1.0.0", "--allow-downgrade"])
        .assert()
        .success();
    assert!(read(p.join(".flaskgen.toml")).contains("version = \"1.0.0\""));
    assert!(p.join("removed.txt").exists() && !p.join("added.txt").exists());
}

/// A rerun while the conflict markers of the last update are still in a
/// file warns, names the file and exits 1; once resolved, it is up to date.
#[test]
fn a_rerun_with_conflict_markers_left_exits_1() {
    if !have_git("the git-kit update scenario") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let url = two_tag_kit(tmp.path());
    let p = project_with_edits(tmp.path(), &url);
    flaskgen(tmp.path())
        .args(["update", "svc"])
        .assert()
        .code(1);
    assert!(read(p.join("conflict.txt")).contains("<<<<<<< ours\n"));
    for extra in [&[][..], &["--check"][..], &["--dry-run"][..]] {
        let out = flaskgen(tmp.path())
            .args(["update", "svc"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("warning: conflict: conflict.txt (still holds the conflict markers"),
            "{extra:?}: {err}"
        );
        assert!(!err.contains("Kept conflict.txt"), "{err}");
    }
    write(&p, "conflict.txt", b"x\ny from us both\nz\n");
    write(&p, "clash.txt", b"my own clash, resolved\n");
    flaskgen(tmp.path())
        .args(["update", "svc"])
        .assert()
        .success();
}

/// A kit's manifest name and description and its file names, holding an
/// OSC title sequence, a BEL and a newline that starts a forged `error:`
/// line, reach the terminal escaped from `template check`, `update
/// --dry-run` (its patch quotes paths as git does) and `update`.
#[test]
fn kit_names_and_file_names_are_escaped_in_update_and_template_check() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    let hostile = "\x1b]0;evil\x07\nerror: forged";
    let manifest = |version: &str| {
        format!(
            "[template]\nname = {0:?}\ndescription = {0:?}\nversion = \"{version}\"\n",
            format!("kit{hostile}")
        )
        .replace("\\u{1b}", "\\u001b")
        .replace("\\u{7}", "\\u0007")
    };
    let file = format!("f{hostile}.txt");
    write(&kit, "flaskgen.toml", manifest("1.0.0").as_bytes());
    write(&kit, &file, b"hi\n");
    let clean = |what: &str, text: &str| {
        assert!(
            !text.contains('\x1b') && !text.contains('\x07'),
            "{what}: raw control characters: {text:?}"
        );
        assert!(
            !text.lines().any(|l| l.starts_with("error: forged")),
            "{what}: a forged line: {text}"
        );
    };
    let out = flaskgen(tmp.path())
        .args(["template", "check", "kit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    clean("template check", &stderr(&out));
    assert!(stderr(&out).contains("kit\\x1b]0;evil\\x07\\nerror: forged 1.0.0"));

    let kit_path = kit.to_str().unwrap();
    flaskgen(tmp.path())
        .args([
            "new",
            "svc",
            "--yes",
            "--vcs",
            "none",
            "--template",
            kit_path,
        ])
        .assert()
        .success();
    let p = tmp.path().join("svc");
    write(&kit, "flaskgen.toml", manifest("1.1.0").as_bytes());
    write(&kit, &file, b"hi there\n");
    write(&kit, &format!("g{hostile}.txt"), b"new\n");
    write(&p, &file, b"mine\n");

    let dry = flaskgen(tmp.path())
        .args(["update", "svc", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(dry.status.code(), Some(1), "{}", stderr(&dry));
    clean("update --dry-run (stderr)", &stderr(&dry));
    clean("update --dry-run (patch)", &stdout(&dry));
    assert!(
        stdout(&dry).contains("+++ \"b/g\\033]0;evil\\a\\nerror: forged.txt\"\n"),
        "{}",
        stdout(&dry)
    );
    let out = flaskgen(tmp.path())
        .args(["update", "svc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    clean("update", &stderr(&out));
    assert!(p.join(format!("g{hostile}.txt")).is_file());

    // The answers file's version and a value's name, tampered with.
    let answers = read(p.join(".flaskgen.toml"));
    let toml_hostile = "\\u001b]0;evil\\u0007\\nerror: forged";
    let tampered = answers
        .replace(
            "version = \"1.1.0\"",
            &format!("version = \"1.1.0{toml_hostile}\""),
        )
        .replace(
            "[values]\n",
            &format!("[values]\n\"v{toml_hostile}\" = \"1\"\n"),
        );
    assert_ne!(tampered, answers);
    fs::write(p.join(".flaskgen.toml"), tampered).unwrap();
    let out = flaskgen(tmp.path())
        .args(["update", "svc", "--dry-run"])
        .output()
        .unwrap();
    let err = stderr(&out);
    clean("update with a tampered answers file", &err);
    assert!(
        err.contains("1.1.0\\x1b]0;evil\\x07\\nerror: forged"),
        "{err}"
    );
}

/// A kit of 13,000 files makes an answers file over 1 MiB: the project can
/// still be updated.
#[test]
fn a_kit_of_13000_files_can_be_updated() {
    let tmp = tempfile::tempdir().unwrap();
    let kit = tmp.path().join("kit");
    let manifest =
        "[template]\nname = \"big-kit\"\ndescription = \"many files\"\nversion = \"V\"\n";
    write(
        &kit,
        "flaskgen.toml",
        manifest.replace('V', "1.0.0").as_bytes(),
    );
    for i in 0..13_000 {
        write(
            &kit,
            &format!("pkg/module_{i:05}.py"),
            format!("n = {i}\n").as_bytes(),
        );
    }
    flaskgen(tmp.path())
        .args(["new", "svc", "--yes", "--vcs", "none", "--template"])
        .arg(&kit)
        .assert()
        .success();
    let p = tmp.path().join("svc");
    let size = fs::metadata(p.join(".flaskgen.toml")).unwrap().len();
    assert!(size > 1024 * 1024, "the answers file is {size} bytes");
    write(
        &kit,
        "flaskgen.toml",
        manifest.replace('V', "1.1.0").as_bytes(),
    );
    write(&kit, "pkg/module_00007.py", b"n = 'seven'\n");
    let out = flaskgen(tmp.path())
        .args(["update", "svc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(read(p.join("pkg/module_00007.py")), "n = 'seven'\n");
    assert!(read(p.join(".flaskgen.toml")).contains("version = \"1.1.0\""));
}

/// `git merge-file -p --diff3` of three texts: its output and exit code
/// (the number of conflicts).
fn git_merge_file(dir: &Path, base: &str, ours: &str, theirs: &str) -> (String, i32) {
    for (name, text) in [("ours", ours), ("base", base), ("theirs", theirs)] {
        fs::write(dir.join(name), text).unwrap();
    }
    let out = StdCommand::new("git")
        .current_dir(dir)
        .args(["merge-file", "-p", "--diff3", "-L", "ours", "-L", "base"])
        .args(["-L", "theirs", "ours", "base", "theirs"])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

/// Random edits over a small alphabet, where a line repeats and a diff has
/// many equally short choices: wherever `git merge-file` reports a
/// conflict, so does flaskgen, with the same text. Lines end in LF or CRLF,
/// and the last one sometimes has no ending.
#[test]
fn merge_matches_git_merge_file_on_small_alphabets() {
    if !have_git("the merge oracle (git merge-file)") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let alphabet = ["a", "b", "c", "g", "F", ""];
    let mut cases: Vec<(String, String, String)> =
        vec![("c\ng\nc\n".into(), "c\n".into(), "F\nc\n".into())];
    for _ in 0..1500 {
        let pick = |n: usize, rng: &mut Rng| -> Vec<String> {
            (0..n).map(|_| alphabet[rng.below(4)].to_string()).collect()
        };
        let n = rng.below(8);
        let base = pick(n, &mut rng);
        let side = |rng: &mut Rng| {
            let mut v = base.clone();
            for _ in 0..1 + rng.below(3) {
                let i = if v.is_empty() { 0 } else { rng.below(v.len()) };
                match rng.below(3) {
                    0 => v.insert(i, alphabet[rng.below(alphabet.len())].to_string()),
                    1 if !v.is_empty() => {
                        v.remove(i);
                    }
                    _ if !v.is_empty() => v[i] = alphabet[rng.below(alphabet.len())].into(),
                    _ => {}
                }
            }
            v
        };
        let (o, t) = (side(&mut rng), side(&mut rng));
        let eol = if rng.below(3) == 0 { "\r\n" } else { "\n" };
        let join = |v: &[String], rng: &mut Rng| {
            let mut s: String = v.iter().map(|l| format!("{l}{eol}")).collect();
            if rng.below(6) == 0 {
                s.truncate(s.len() - eol.len().min(s.len()));
            }
            s
        };
        cases.push((
            join(&base, &mut rng),
            join(&o, &mut rng),
            join(&t, &mut rng),
        ));
    }
    let (mut conflicts, mut crlf_conflicts, mut mismatches) = (0, 0, Vec::new());
    for (case, (b, o, t)) in cases.iter().enumerate() {
        let (by_git, git_conflicts) = git_merge_file(tmp.path(), b, o, t);
        let (ours, n) = match merge::merge(b, o, t) {
            Merged::Clean(m) => (m, 0),
            Merged::Conflict(m, n) => (m, n),
        };
        let ours = String::from_utf8(ours).unwrap();
        if git_conflicts > 0 {
            conflicts += 1;
            crlf_conflicts += usize::from(by_git.contains("=======\r\n"));
        }
        if ours != by_git || n as i32 != git_conflicts {
            mismatches.push(format!(
                "case {case}: base {b:?} ours {o:?} theirs {t:?}\n git ({git_conflicts}): {by_git:?}\n ours ({n}): {ours:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
    assert!(
        conflicts > 200 && crlf_conflicts > 30,
        "{conflicts} conflicts, {crlf_conflicts} with CRLF markers"
    );
}
