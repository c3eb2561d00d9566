//! FG001 dev-server: Flask's development server is what the image starts:
//! `flask run` (also as `SCRIPT run` where SCRIPT is a console script of the
//! project whose function is a FlaskGroup), or `python app.py` / `python -m
//! pkg` / another console script reaching an `app.run()` (also
//! `socketio.run(...)`), through stage inheritance and imports.

use crate::audit::context::Context;
use crate::audit::rules::DEV_SERVER;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let s = &ctx.start;
    let Some(st) = ctx.shipping() else {
        return vec![];
    };
    let note = ctx.stage_note(st);
    let msg = if let (true, Some(group)) = (s.flask_run, &s.flask_group) {
        format!(
            "`{} run` is `flask run` ({} is a FlaskGroup, {group}): Flask's development server{note}",
            s.program, s.program
        )
    } else if s.flask_run {
        format!("`flask run` starts Flask's development server{note}")
    } else if let (Some(script), Some((file, run))) = (&s.script, &s.dev_run) {
        format!(
            "`{}` runs {script}, which starts Flask's development server with {}() at {file}:{}{note}",
            s.words.join(" "),
            run_name(ctx, file, run.line),
            run.line
        )
    } else {
        return vec![];
    };
    vec![Finding::new(&DEV_SERVER, &ctx.df, s.line, msg)]
}

/// `app.run` or `socketio.run`, as the source line says.
fn run_name(ctx: &Context, file: &str, line: usize) -> String {
    ctx.project
        .text(file, crate::files::Kind::Python)
        .and_then(|t| {
            let l = t.lines().nth(line.checked_sub(1)?)?;
            let end = l.find(".run(")?;
            let start = l[..end]
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .map_or(0, |i| i + 1);
            Some(format!("{}.run", &l[start..end]))
        })
        .unwrap_or_else(|| "app.run".into())
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not, findings, APP};

    const RUNS: &str = "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(host='0.0.0.0')\n";

    #[test]
    fn flask_run_and_python_app_py() {
        catches(
            check,
            "FROM python:3.12-slim\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\n",
        );
        catches(check, "FROM python:3.12-slim\nCMD python -m flask run\n");
        let f = findings(
            check,
            &[
                (
                    "Dockerfile",
                    "FROM python:3.12-slim\nCMD [\"python3\", \"app.py\"]\n",
                ),
                ("app.py", RUNS),
            ],
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("app.run() at app.py:4"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn inherited_from_the_parent_stage() {
        // `FROM base AS dev` keeps base's CMD: the dev server still starts.
        let df = "FROM python:3.12-slim AS base\nCMD [\"python3\", \"app.py\"]\nFROM base AS dev\nRUN true\n";
        let f = findings(check, &[("Dockerfile", df), ("app.py", RUNS)]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].line, 2);
        catches(
            check,
            "FROM python:3.12-slim AS base\nCMD flask run\nFROM base AS dev\nUSER 1000\n",
        );
    }

    #[test]
    fn python_m_pkg_follows_to_main() {
        let df = "FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"shop\"]\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", df),
                ("shop/__init__.py", APP),
                (
                    "shop/__main__.py",
                    "from shop import app\napp.run(port=8000)\n",
                ),
            ],
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("shop/__main__.py:2"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn socketio_run_reached_through_an_import() {
        let df = "FROM python:3.12-slim\nCMD [\"python\", \"run.py\"]\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", df),
                ("run.py", "from chat import main\nmain()\n"),
                ("chat.py", "from flask import Flask\nfrom flask_socketio import SocketIO\napp = Flask(__name__)\nsocketio = SocketIO(app)\ndef main():\n    socketio.run(app, allow_unsafe_werkzeug=True)\n"),
            ],
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("socketio.run() at chat.py:6"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn python_m_pkg_main_calls_a_function_that_runs_the_app() {
        // __main__.py imports main relatively; main() calls run(), which
        // calls app.run(): the shape of rq-dashboard.
        let df = "FROM python:3.12-slim\nENTRYPOINT [\"python3\", \"-m\", \"dash\"]\n";
        let cli = "from flask import Flask\n\ndef run(port):\n    app = Flask(__name__)\n    app.run(host='0.0.0.0', port=port)\n\ndef main():\n    run(9181)\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", df),
                ("dash/__init__.py", ""),
                (
                    "dash/__main__.py",
                    "from .cli import main\n\nif __name__ == '__main__':\n    main()\n",
                ),
                ("dash/cli.py", cli),
            ],
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("app.run() at dash/cli.py:5"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn socketio_run_in_a_package_the_script_imports() {
        // `import pkg` then `pkg.main()`: the shape of changedetection.io.
        let df = "FROM python:3.12-slim\nCMD [\"python\", \"./watch.py\", \"-d\", \"/data\"]\n";
        let pkg = "from flask import Flask\nfrom flask_socketio import SocketIO\n\ndef main():\n    app = Flask(__name__)\n    socketio = SocketIO(app)\n    socketio.run(app, host='0.0.0.0', port=5000, allow_unsafe_werkzeug=True)\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", df),
                (
                    "watch.py",
                    "import watcher\n\nif __name__ == '__main__':\n    watcher.main()\n",
                ),
                ("watcher/__init__.py", pkg),
            ],
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message
                .contains("socketio.run() at watcher/__init__.py:7"),
            "{}",
            f[0].message
        );
    }

    const GROUP: &str = "import click\nfrom flask.cli import FlaskGroup\n\ndef create_app():\n    from flask import Flask\n    return Flask(__name__)\n\n@click.group(cls=FlaskGroup, create_app=create_app)\n@click.pass_context\ndef cli(ctx):\n    pass\n";

    #[test]
    fn console_script_of_a_flask_group_run() {
        // `alertad run` where setup.py installs alertad = app.commands:cli,
        // a FlaskGroup: `flask run` under another name.
        let df = "FROM python:3.12-slim\nCMD [\"alertad\", \"run\", \"--host\", \"0.0.0.0\", \"--port\", \"8080\"]\n";
        for (file, text) in [
            ("setup.py", "from setuptools import setup\nsetup(name='a', entry_points={'console_scripts': ['alertad = app.commands:cli']})\n"),
            ("setup.cfg", "[options.entry_points]\nconsole_scripts =\n    alertad = app.commands:cli\n"),
            ("pyproject.toml", "[project]\nname = 'a'\n[project.scripts]\nalertad = 'app.commands:cli'\n"),
        ] {
            let f = findings(
                check,
                &[
                    ("Dockerfile", df),
                    (file, text),
                    ("app/__init__.py", ""),
                    ("app/commands.py", GROUP),
                ],
            );
            assert_eq!(f.len(), 1, "{file}: {f:?}");
            assert!(
                f[0].message.contains("`alertad run` is `flask run`")
                    && f[0].message.contains("app/commands.py:10"),
                "{}",
                f[0].message
            );
        }
    }

    #[test]
    fn console_script_whose_function_runs_the_app() {
        let df = "FROM python:3.12-slim\nCMD [\"dash\"]\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", df),
                ("pyproject.toml", "[project]\nname = 'd'\n[project.scripts]\ndash = 'dash.cli:main'\n"),
                ("dash/__init__.py", ""),
                ("dash/cli.py", "from flask import Flask\napp = Flask(__name__)\n\ndef main():\n    app.run(host='0.0.0.0')\n"),
            ],
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("app.run() at dash/cli.py:5"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn console_scripts_that_are_not_the_dev_server() {
        let pyproject = "[project]\nname = 'a'\n[project.scripts]\nalertad = 'app.commands:cli'\n";
        // Another command of the FlaskGroup.
        let f = findings(
            check,
            &[
                (
                    "Dockerfile",
                    "FROM python:3.12-slim\nCMD [\"alertad\", \"key\"]\n",
                ),
                ("pyproject.toml", pyproject),
                ("app/commands.py", GROUP),
            ],
        );
        assert!(f.is_empty(), "{f:?}");
        // A FlaskGroup elsewhere in the module is not the script's group.
        let other = format!("{GROUP}\n\nother = FlaskGroup()\n\ndef main():\n    pass\n");
        let f = findings(
            check,
            &[
                (
                    "Dockerfile",
                    "FROM python:3.12-slim\nCMD [\"tool\", \"run\"]\n",
                ),
                (
                    "pyproject.toml",
                    "[project]\nname = 'a'\n[project.scripts]\ntool = 'app.commands:main'\n",
                ),
                ("app/commands.py", &other),
            ],
        );
        assert!(f.is_empty(), "{f:?}");
        // A plain click group's `run` is the project's own command.
        let plain = GROUP
            .replace("cls=FlaskGroup, ", "")
            .replace("from flask.cli import FlaskGroup\n", "");
        let f = findings(
            check,
            &[
                (
                    "Dockerfile",
                    "FROM python:3.12-slim\nCMD [\"alertad\", \"run\"]\n",
                ),
                ("pyproject.toml", pyproject),
                ("app/commands.py", &plain),
            ],
        );
        assert!(f.is_empty(), "{f:?}");
        // A module's app.run() under `if __name__ == "__main__":` does not
        // run when a console script imports the module.
        let f = findings(
            check,
            &[
                ("Dockerfile", "FROM python:3.12-slim\nCMD [\"dash\"]\n"),
                ("pyproject.toml", "[project]\nname = 'd'\n[project.scripts]\ndash = 'dash:main'\n"),
                ("dash.py", "from flask import Flask\napp = Flask(__name__)\n\ndef main():\n    print('hi')\n\nif __name__ == '__main__':\n    app.run()\n"),
            ],
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn compose_target_selects_the_stage() {
        let df = "FROM python:3.12-slim AS dev\nCMD flask run\nFROM python:3.12-slim AS prod\nCMD [\"gunicorn\", \"app:app\"]\n";
        let compose = "services:\n  web:\n    build:\n      context: .\n      target: dev\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", df),
                ("app.py", APP),
                ("compose.yaml", compose),
            ],
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("stage `dev`"), "{}", f[0].message);
    }

    #[test]
    fn not_caught() {
        catches_not(
            check,
            "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
        );
        // The dev server of a stage that does not ship.
        catches_not(check, "FROM python:3.12-slim AS dev\nCMD flask run\nFROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n");
        // python app.py where app.py never calls run().
        catches_not(
            check,
            "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
        );
    }
}
