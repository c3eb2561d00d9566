//! One-time initialisation commands a project defines or documents
//! (`flask init-db`, `archivy init`, `flask create-admin`): `init` lists them
//! as a "run once" step and never runs them on start.
//!
//! Sources: Click commands in the code whose name says initialisation
//! (`@app.cli.command("init-db")`, `@cli.command("init")` of a console
//! script's group, `@click.command()`), and command lines shown in code
//! blocks or inline code of the README/INSTALL file.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Serialize;

use super::python::{self, CliCommand};
use crate::files::{Kind, Project};

/// A one-time initialisation command, with the file and line it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitCommand {
    /// The command as typed inside the container (`flask init-db`), or, when
    /// how to start it is unknown, the command's name alone.
    pub command: String,
    pub file: String,
    pub line: usize,
    /// `code` (a Click command defined in the project), `docs` (the README
    /// shows it) or `config` (a root alembic.ini: `alembic upgrade head`).
    pub source: &'static str,
    /// The line that runs it in the image, when `command` is a whole command
    /// line passing [`safe_command`]: a console script (not installed in the
    /// image, which holds the dependencies, not the project) becomes
    /// `python -c 'from MODULE import FUNCTION; FUNCTION()' ARGS`. `None`:
    /// mentioned by file:line only.
    pub run: Option<String>,
}

impl InitCommand {
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// Whether a command's name says it initialises something once: `init`,
/// `init-db`, `initdb`, `initialize`, `bootstrap`, `seed`, `seed-db`, `setup`,
/// `setup-db`, `create-db`, `createdb`, `create-admin`, `create-superuser`,
/// `create-user`, `create-tables`, `create-all`. Not `db init` (Flask-Migrate's
/// one-off authoring step) nor `db upgrade` (migrations, handled apart).
pub fn is_init_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('_', "-");
    let words: Vec<&str> = n.split('-').filter(|w| !w.is_empty()).collect();
    const FIRST: &[&str] = &[
        "init",
        "initdb",
        "initialize",
        "initialise",
        "bootstrap",
        "seed",
        "seeddb",
        "createdb",
        "createsuperuser",
        "createadmin",
        "setupdb",
    ];
    const OBJECTS: &[&str] = &[
        "db",
        "database",
        "tables",
        "table",
        "schema",
        "all",
        "admin",
        "superuser",
        "user",
    ];
    match words.as_slice() {
        [first, ..] if FIRST.contains(first) => true,
        ["setup"] => true,
        ["create" | "make" | "setup", object, ..] => OBJECTS.contains(object),
        _ => false,
    }
}

/// Characters a command may have to be written into DOCKER.md as a line to
/// run: letters, digits, space and `_ . : / = , @ + -`; no quotes, `$`,
/// `<>`, `;`, `&`, `|`, backquotes or control characters; at most 160 bytes.
pub fn safe_command(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 160
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _.:/=,@+-".contains(c))
}

/// The project's console scripts: name → `module:function`, from
/// `[project.scripts]`, `[tool.poetry.scripts]`, setup.cfg's
/// `console_scripts` and setup.py's `entry_points`.
pub fn console_scripts(project: &Project) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut add = |spec: &str| {
        if let Some((name, target)) = spec.split_once('=') {
            let (name, target) = (name.trim(), target.trim());
            let target = target.split_whitespace().next().unwrap_or("");
            if !name.is_empty() && target.contains(':') {
                out.entry(name.to_string())
                    .or_insert_with(|| target.to_string());
            }
        }
    };
    if let Some(t) = project
        .text("pyproject.toml", Kind::Toml)
        .and_then(|t| t.parse::<toml::Table>().ok())
    {
        let tables = [
            t.get("project").and_then(|p| p.get("scripts")),
            t.get("tool")
                .and_then(|p| p.get("poetry"))
                .and_then(|p| p.get("scripts")),
        ];
        for table in tables.into_iter().flatten().filter_map(|s| s.as_table()) {
            for (k, v) in table {
                if let Some(v) = v.as_str() {
                    add(&format!("{k} = {v}"));
                }
            }
        }
    }
    if let Some(text) = project.text("setup.cfg", Kind::Config) {
        let mut in_scripts = false;
        for line in text.lines() {
            let indented = line.starts_with([' ', '\t']);
            let t = line.trim();
            if t.starts_with("console_scripts") && t.contains('=') {
                in_scripts = true;
                add(t.split_once('=').map_or("", |x| x.1));
            } else if in_scripts && indented && !t.is_empty() {
                add(t);
            } else if !t.is_empty() {
                in_scripts = false;
            }
        }
    }
    if let Some(text) = project.text("setup.py", Kind::Python) {
        for (s, _) in python::strings(&text, "setup.py").unwrap_or_default() {
            let looks = s.split_once('=').is_some_and(|(n, t)| {
                let (n, t) = (n.trim(), t.trim());
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                    && t.split_once(':').is_some_and(|(m, f)| {
                        !m.is_empty()
                            && !f.is_empty()
                            && m.chars()
                                .chain(f.chars())
                                .all(|c| c.is_ascii_alphanumeric() || "_.".contains(c))
                    })
            });
            if looks {
                add(&s);
            }
        }
    }
    out
}

/// Commands in code: a Click command with an initialisation name. How it is
/// started: `flask NAME` on `app.cli` (or the `.cli` of a Flask instance of
/// the file, `apps`); `SCRIPT NAME` when its group is the
/// function a console script runs; otherwise unknown (mentioned only).
pub fn from_code(
    file: &str,
    module: &str,
    commands: &[CliCommand],
    apps: &[String],
    scripts: &BTreeMap<String, String>,
) -> Vec<InitCommand> {
    let mut out = Vec::new();
    for c in commands.iter().filter(|c| is_init_name(&c.name)) {
        let script = scripts
            .iter()
            .find(|(_, target)| target.as_str() == format!("{module}:{}", c.group))
            .map(|(name, _)| name.clone());
        let on_app = c.group.strip_suffix(".cli").is_some_and(|base| {
            base == "app" || base == "application" || apps.iter().any(|a| a == base)
        });
        let placeholders: Vec<String> = c
            .args
            .iter()
            .map(|a| a.to_ascii_uppercase().replace('-', "_"))
            .collect();
        let with_args = |base: String| {
            std::iter::once(base)
                .chain(placeholders.iter().cloned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (command, known) = if on_app {
            (with_args(format!("flask {}", c.name)), true)
        } else if let Some(s) = script {
            (with_args(format!("{s} {}", c.name)), true)
        } else {
            (c.name.clone(), false)
        };
        let run = if known {
            run_line(&command, scripts)
        } else {
            None
        };
        out.push(InitCommand {
            command,
            file: file.to_string(),
            line: c.line,
            source: "code",
            run,
        });
    }
    out
}

/// How a whole command line runs in the image (see [`InitCommand::run`]).
pub fn run_line(command: &str, scripts: &BTreeMap<String, String>) -> Option<String> {
    if !safe_command(command) {
        return None;
    }
    let (program, rest) = command.split_once(' ').unwrap_or((command, ""));
    let Some(target) = scripts.get(program) else {
        return Some(command.to_string());
    };
    let (module, function) = target.split_once(':')?;
    let ident = |x: &str| crate::values::is_identifier(x);
    if !(module.split('.').all(ident) && ident(function)) {
        return None;
    }
    Some(
        format!("python -c 'from {module} import {function}; {function}()' {rest}")
            .trim_end()
            .to_string(),
    )
}

/// Files at the root that document how to set the project up.
fn doc_files(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(root)
        .map(|rd| {
            rd.flatten()
                // Not a folder: the reader skips (and says so) what is no regular file.
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| {
                    let l = n.to_ascii_lowercase();
                    let stem = l.split('.').next().unwrap_or("");
                    let ext = l.rsplit_once('.').map_or("", |x| x.1);
                    (stem == "readme" || stem == "install")
                        && (!l.contains('.') || ["md", "rst", "txt", "markdown"].contains(&ext))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Lines of a README that show code: inside fenced blocks (```` ``` ````,
/// `~~~`), reStructuredText literal blocks (after `::`), and inline code
/// spans (`` `...` ``, ``` ``...`` ```), each with its line number.
pub fn code_lines(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    let mut rst_block = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            } else {
                out.push((t.to_string(), n));
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            continue;
        }
        if rst_block {
            if t.is_empty() {
                continue;
            }
            if line.starts_with([' ', '\t']) {
                out.push((t.to_string(), n));
                continue;
            }
            rst_block = false;
        }
        if t.ends_with("::") && !t.starts_with("..")
            || t.starts_with(".. code")
            || t.starts_with(".. sourcecode")
        {
            rst_block = true;
        }
        // Inline spans: the text between pairs of backquotes.
        let parts: Vec<&str> = t.split('`').collect();
        for (k, p) in parts.iter().enumerate() {
            if k % 2 == 1 && !p.trim().is_empty() && k + 1 < parts.len() {
                out.push((p.trim().to_string(), n));
            }
        }
    }
    out
}

/// A documented command line, when it starts a project command with an
/// initialisation name: `flask [--app X] init-db`, `SCRIPT init`,
/// `python -m pkg init`, `python manage.py createsuperuser`, also behind
/// `poetry run`/`uv run`/`pipenv run`/`pdm run` and a `$ ` prompt.
pub fn documented(line: &str, scripts: &BTreeMap<String, String>) -> Option<String> {
    let line = line.trim();
    let line = line
        .strip_prefix("$ ")
        .or_else(|| line.strip_prefix("> "))
        .or_else(|| line.strip_prefix("% "))
        .unwrap_or(line)
        .trim();
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut i = 0;
    if words.len() > 1 && ["poetry", "uv", "pipenv", "pdm"].contains(&words[0]) && words[1] == "run"
    {
        i = 2;
    }
    let program = *words.get(i)?;
    let mut rest = i + 1;
    let known = match program {
        "flask" => true,
        "python" | "python3" => match words.get(rest) {
            Some(&"-m") => {
                rest += 2;
                true
            }
            Some(w) if w.ends_with(".py") => {
                rest += 1;
                true
            }
            _ => false,
        },
        p => scripts.contains_key(p),
    };
    if !known {
        return None;
    }
    // Options before the subcommand; these take a value.
    while let Some(w) = words.get(rest) {
        if !w.starts_with('-') {
            break;
        }
        let takes_value = ["--app", "-A", "--env-file", "-e", "--config", "-c"].contains(w);
        rest += if takes_value { 2 } else { 1 };
    }
    let sub = words.get(rest)?;
    is_init_name(sub).then(|| words[i..].join(" "))
}

/// The same command by program and subcommand (`archivy create-admin`).
pub fn same(a: &str, b: &str) -> bool {
    a.split_whitespace()
        .take(2)
        .eq(b.split_whitespace().take(2))
}

/// Commands the README/INSTALL files show.
pub fn from_docs(project: &Project, scripts: &BTreeMap<String, String>) -> Vec<InitCommand> {
    let mut out: Vec<InitCommand> = Vec::new();
    for f in doc_files(project.root()) {
        let Some(text) = project.text(&f, Kind::Document) else {
            continue;
        };
        for (l, n) in code_lines(&text) {
            if let Some(command) = documented(&l, scripts) {
                if out.iter().any(|c| c.command == command) {
                    continue;
                }
                out.push(InitCommand {
                    run: run_line(&command, scripts),
                    command,
                    file: f.clone(),
                    line: n,
                    source: "docs",
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_names() {
        for n in [
            "init",
            "init-db",
            "init_db",
            "initdb",
            "initialize",
            "seed",
            "seed-db",
            "create-db",
            "createdb",
            "create-admin",
            "create_superuser",
            "create-all",
            "setup",
            "setup-db",
            "bootstrap",
        ] {
            assert!(is_init_name(n), "{n}");
        }
        for n in [
            "run",
            "db",
            "upgrade",
            "create-note",
            "setup-logging",
            "format",
            "config",
            "initial",
            "hooks",
        ] {
            assert!(!is_init_name(n), "{n}");
        }
    }

    #[test]
    fn whitelist() {
        assert!(safe_command("flask init-db"));
        assert!(safe_command("archivy init"));
        assert!(safe_command("flask --app shop:app seed --count=10"));
        for bad in [
            "archivy create-admin <username>",
            "flask init-db; rm -rf /",
            "flask init-db && x",
            "flask $(id)",
            "flask `id`",
            "flask 'init'",
            "flask init\u{1b}[2J",
            "-rf",
            "",
        ] {
            assert!(!safe_command(bad), "{bad:?}");
        }
    }

    #[test]
    fn readme_code_and_documented_commands() {
        let text = "# App\n\nRun the `archivy init` command.\n\n```bash\n$ archivy create-admin <username>\nflask --app shop init-db\nflask db init\nflask db upgrade\npip install x\n```\n\nThen::\n\n    python manage.py createsuperuser\n\nDone.\n";
        let lines = code_lines(text);
        assert!(
            lines.contains(&("archivy init".to_string(), 3)),
            "{lines:?}"
        );
        assert!(
            lines.contains(&("flask db init".to_string(), 8)),
            "{lines:?}"
        );
        assert!(lines.contains(&("python manage.py createsuperuser".to_string(), 15)));
        let scripts = BTreeMap::from([("archivy".to_string(), "archivy.cli:cli".to_string())]);
        let found: Vec<_> = lines
            .iter()
            .filter_map(|(l, n)| documented(l, &scripts).map(|c| (c, *n)))
            .collect();
        assert_eq!(
            found,
            vec![
                ("archivy init".to_string(), 3),
                ("archivy create-admin <username>".to_string(), 6),
                ("flask --app shop init-db".to_string(), 7),
                ("python manage.py createsuperuser".to_string(), 15),
            ]
        );
        // A program that is not the project's is not its command.
        assert_eq!(documented("django-admin init", &scripts), None);
        assert_eq!(
            documented("poetry run flask seed", &scripts).as_deref(),
            Some("flask seed")
        );
    }

    #[test]
    fn commands_in_code() {
        let src = "import click\nfrom flask import Flask\napp = Flask(__name__)\n\n@app.cli.command('init-db')\ndef init_db():\n    pass\n\n@app.cli.command()\n@click.argument('user-name')\ndef create_admin(user_name):\n    pass\n\n@click.group()\ndef cli():\n    pass\n\n@cli.command('init')\ndef init():\n    pass\n\n@cli.command()\ndef run():\n    pass\n\n@bp.cli.command('seed')\ndef seed():\n    pass\n";
        let facts = python::facts(src, "shop/cli.py").unwrap();
        let scripts = BTreeMap::from([("shop".to_string(), "shop.cli:cli".to_string())]);
        let found = from_code("shop/cli.py", "shop.cli", &facts.commands, &[], &scripts);
        let got: Vec<_> = found
            .iter()
            .map(|c| (c.command.as_str(), c.line, c.run.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("flask init-db", 5, Some("flask init-db")),
                (
                    "flask create-admin USER_NAME",
                    9,
                    Some("flask create-admin USER_NAME")
                ),
                (
                    "shop init",
                    18,
                    Some("python -c 'from shop.cli import cli; cli()' init")
                ),
                ("seed", 26, None),
            ]
        );
    }

    #[test]
    fn scripts_from_setup_files() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        fs::write(
            r.join("setup.py"),
            "from setuptools import setup\nsetup(name='a', entry_points={'console_scripts': ['archivy = archivy.cli:cli']})\n",
        )
        .unwrap();
        fs::write(
            r.join("setup.cfg"),
            "[options.entry_points]\nconsole_scripts =\n    other = pkg.main:run\n[metadata]\nname = x\n",
        )
        .unwrap();
        fs::write(
            r.join("pyproject.toml"),
            "[project.scripts]\nshop = \"shop.cli:cli\"\n",
        )
        .unwrap();
        let s = console_scripts(&Project::new(r));
        assert_eq!(
            s.get("archivy").map(String::as_str),
            Some("archivy.cli:cli")
        );
        assert_eq!(s.get("other").map(String::as_str), Some("pkg.main:run"));
        assert_eq!(s.get("shop").map(String::as_str), Some("shop.cli:cli"));
        assert_eq!(s.len(), 3);
    }
}
