//! FG001 dev-server: Flask's development server is what the image starts:
//! `flask run`, or `python app.py` / `python -m pkg` reaching an `app.run()`
//! (also `socketio.run(...)`), through stage inheritance and imports.

use crate::audit::context::Context;
use crate::audit::rules::DEV_SERVER;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let s = &ctx.start;
    let Some(st) = ctx.shipping() else {
        return vec![];
    };
    let note = ctx.stage_note(st);
    let msg = if s.flask_run {
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
