//! The CLI's manners: help, completions, man page, JSON, quiet, colour, exit codes.

use std::process::Command as StdCommand;

use crate::*;

#[test]
fn help_documents_exit_codes_and_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "--help"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for want in [
        "Exit codes:",
        "2  usage error or invalid input",
        "130  interrupted with Ctrl-C",
        "[env: FLASKGEN_PORT]",
        "[env: FLASKGEN_BASE_IMAGE]",
        "[env: FLASKGEN_TEMPLATE]",
        "[default: 5000]",
        "[default: python:3.14-slim]",
        "--dry-run",
        "--force",
        "--minimal",
        "--json",
    ] {
        assert!(help.contains(want), "{want} in {help}");
    }
    let top = stdout(&flaskgen(tmp.path()).arg("--help").output().unwrap());
    for sub in ["new", "list", "completions", "man", "template"] {
        assert!(top.contains(sub), "{sub}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["bogus"][..],
        &["new", "x", "--no-such-flag"][..],
        &["completions", "tcsh"][..],
        &[][..],
    ] {
        let out = flaskgen(tmp.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    flaskgen(tmp.path())
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicates::str::contains("flaskgen 0.1.0"));
}

fn completion(shell: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty());
    stdout(&out)
}

fn has(cmd: &str) -> bool {
    StdCommand::new(cmd).arg("--version").output().is_ok()
}

/// Runs `exe args… script`; the shell must accept the script.
fn shell_accepts(shell: &str, exe: &str, args: &[&str], script: &str) -> String {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), script).unwrap();
    let out = StdCommand::new(exe)
        .args(args)
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{shell} rejects its completions: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

/// elvish compiles `edit:` only inside its interactive editor, so the script's
/// two editor hooks are swapped for plain stand-ins and the completer is then
/// called for real: the candidates it offers are checked.
fn elvish_candidates(script: &str) -> (String, String) {
    let hook = "set edit:completion:arg-completer[flaskgen] =";
    assert_eq!(script.matches(hook).count(), 1, "{script}");
    assert_eq!(script.matches("edit:complex-candidate").count(), 1);
    let mut program = String::from("fn complex-candidate {|text &display=''| put $text }\n");
    program.push_str(
        &script
            .replace(hook, "var completer =")
            .replace("edit:complex-candidate", "complex-candidate"),
    );
    program.push_str("\n$completer flaskgen '' | each {|c| echo $c }\necho ---\n");
    program.push_str("$completer flaskgen new '' | each {|c| echo $c }\n");
    let out = shell_accepts("elvish", "elvish", &["-norc"], &program);
    let (top, new) = out.split_once("---\n").unwrap();
    (top.to_string(), new.to_string())
}

/// Every shell's script is produced; those whose shell is installed are
/// parsed by it (and elvish's completer is run). Under CI every shell that
/// Debian packages must be there.
#[test]
fn completions_for_every_shell_parse() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = completion(shell);
        for word in ["flaskgen", "new", "base-image", "template"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
        let (exe, args): (&str, &[&str]) = match shell {
            "bash" => ("bash", &["-n"]),
            "zsh" => ("zsh", &["-n"]),
            "fish" => ("fish", &["--no-execute"]),
            "elvish" => ("elvish", &[]),
            _ => (
                "pwsh",
                &[
                    "-NoProfile",
                    "-Command",
                    "$null = [ScriptBlock]::Create((Get-Content -Raw $args[0]))",
                ],
            ),
        };
        if !has(exe) {
            eprintln!("NOT RUN: {shell} is not installed, so its completion script was not parsed (only generated)");
            assert!(
                std::env::var("CI").is_err() || shell == "powershell",
                "CI must parse {shell}"
            );
            continue;
        }
        if shell == "elvish" {
            let (top, new) = elvish_candidates(&script);
            let top: Vec<&str> = top.lines().collect();
            let new: Vec<&str> = new.lines().collect();
            for want in ["new", "list", "template", "completions", "man"] {
                assert!(top.contains(&want), "{want}: {top:?}");
            }
            for want in ["--port", "--base-image", "--image", "--template", "--yes"] {
                assert!(new.contains(&want), "{want}: {new:?}");
            }
            assert!(!top.contains(&"--port"), "{top:?}");
        } else {
            shell_accepts(shell, exe, args, &script);
        }
    }
}

#[test]
fn man_page_has_a_header_and_the_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path()).arg("man").output().unwrap();
    assert!(out.status.success());
    let man = stdout(&out);
    assert!(
        man.lines().any(|l| l.starts_with(".TH flaskgen 1 ")),
        "{}",
        &man[..200.min(man.len())]
    );
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS", ".SH VERSION"] {
        assert!(man.contains(section), "{section}");
    }
    for sub in [
        "flaskgen\\-new(1)",
        "flaskgen\\-list(1)",
        "flaskgen\\-template(1)",
    ] {
        assert!(man.contains(sub), "{sub}");
    }
    assert!(
        man.contains("usage error or invalid input"),
        "exit codes are in the man page"
    );
}

/// The pages the main page refers to exist: one per subcommand, printed
/// alone or written all at once.
#[test]
fn every_subcommand_has_a_man_page() {
    let tmp = tempfile::tempdir().unwrap();
    let new = stdout(&flaskgen(tmp.path()).args(["man", "new"]).output().unwrap());
    assert!(new.contains(".TH flaskgen-new 1 "), "{new}");
    for flag in ["\\-\\-base\\-image", "FLASKGEN_PORT", "\\-\\-dry\\-run"] {
        assert!(new.contains(flag), "{flag}");
    }
    let init = stdout(
        &flaskgen(tmp.path())
            .args(["man", "template", "init"])
            .output()
            .unwrap(),
    );
    assert!(init.contains(".TH flaskgen-template-init 1 "), "{init}");

    let bad = flaskgen(tmp.path()).args(["man", "nope"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("new, update, list, completions, man, template"));

    let out = flaskgen(tmp.path())
        .args(["man", "--dir", "pages"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let mut pages: Vec<String> = std::fs::read_dir(tmp.path().join("pages"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "flaskgen-completions.1",
            "flaskgen-list.1",
            "flaskgen-man.1",
            "flaskgen-new.1",
            "flaskgen-template-check.1",
            "flaskgen-template-init.1",
            "flaskgen-template.1",
            "flaskgen-update.1",
            "flaskgen.1",
        ]
    );
    for page in &pages {
        let text = read(tmp.path().join("pages").join(page));
        let title = format!(".TH {} 1 ", page.trim_end_matches(".1"));
        assert!(text.contains(&title), "{page}: {title}");
    }
}

#[test]
fn json_result_is_the_only_stdout_and_describes_the_project() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args([
            "new", "j", "--yes", "--json", "-p", "6000", "--image", "me/j",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(
        doc["path"],
        tmp.path()
            .canonicalize()
            .unwrap()
            .join("j")
            .to_str()
            .unwrap()
    );
    assert_eq!(doc["values"]["port"], 6000);
    assert_eq!(doc["values"]["image"], "me/j");
    assert_eq!(doc["template"]["name"], "flaskgen-default");
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), DEFAULT_FILES.len());
    for f in files {
        let p = tmp.path().join("j").join(f["path"].as_str().unwrap());
        assert_eq!(
            std::fs::metadata(&p).unwrap().len(),
            f["bytes"].as_u64().unwrap(),
            "{}",
            p.display()
        );
    }
}

#[test]
fn dry_run_json_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "j", "--yes", "--json", "--dry-run"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["files"].as_array().unwrap().len(), DEFAULT_FILES.len());
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn quiet_prints_nothing_on_success_but_still_reports_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "q", "--yes", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        stderr(&out)
    );
    let out = flaskgen(tmp.path())
        .args(["new", "q", "--yes", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error: "));
    // Even a warning is silenced.
    let out = flaskgen(tmp.path())
        .args(["new", "q2", "--yes", "-q", "-p", "80"])
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
}

#[test]
fn colour_only_where_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let esc = |o: &std::process::Output| o.stderr.contains(&0x1b);
    let ok = flaskgen(tmp.path())
        .args(["new", "c1", "--yes", "--color", "always"])
        .output()
        .unwrap();
    assert!(ok.status.success() && esc(&ok), "always colours success");
    let bad = flaskgen(tmp.path())
        .args(["new", "Bad Name", "--yes", "--color", "always"])
        .output()
        .unwrap();
    assert!(esc(&bad), "always colours errors");
    let ok = flaskgen(tmp.path())
        .args(["new", "c2", "--yes", "--color", "never"])
        .output()
        .unwrap();
    assert!(ok.status.success() && !esc(&ok));
    let bad = flaskgen(tmp.path())
        .args(["new", "Bad Name", "--yes", "--color", "never"])
        .output()
        .unwrap();
    assert!(!esc(&bad));
    // auto: not a terminal here, and NO_COLOR set: plain either way.
    let ok = flaskgen(tmp.path())
        .env("NO_COLOR", "1")
        .args(["new", "c3", "--yes"])
        .output()
        .unwrap();
    assert!(ok.status.success() && !esc(&ok));
    let bad = flaskgen(tmp.path())
        .env("NO_COLOR", "1")
        .args(["new", "Bad Name", "--yes"])
        .output()
        .unwrap();
    assert!(!esc(&bad));
}

#[test]
fn verbose_errors_show_the_cause_chain() {
    let tmp = tempfile::tempdir().unwrap();
    // A kit directory without a manifest: a failure with an I/O cause.
    fs::create_dir(tmp.path().join("does-not-exist")).unwrap();
    let out = flaskgen(tmp.path())
        .args(["new", "x", "--yes", "-t", "does-not-exist", "-v"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("caused by:"), "{err}");
    let out = flaskgen(tmp.path())
        .args(["new", "x", "--yes", "-t", "does-not-exist"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("does-not-exist") && err.contains("No such file"),
        "{err}"
    );
}

#[test]
fn list_shows_templates_and_base_images() {
    let tmp = tempfile::tempdir().unwrap();
    let out = flaskgen(tmp.path()).arg("list").output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("flaskgen-default")
            && text.contains("python:3.14-slim")
            && text.contains("python:3.14-alpine")
    );
    let out = flaskgen(tmp.path())
        .args(["list", "--json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["templates"][0]["name"], "flaskgen-default");
    let images = doc["base_images"].as_array().unwrap();
    assert!(images.len() >= 4);
    assert_eq!(images.iter().filter(|i| i["default"] == true).count(), 1);
    assert!(images
        .iter()
        .all(|i| !i["when"].as_str().unwrap().is_empty()));
}
