//! FG002 debug-mode: Flask's debugger reaches the image: `app.run(debug=True)`
//! in what starts, `FLASK_DEBUG`/`FLASK_ENV=development` in the shipping
//! stage's ENV (inherited ones too), `flask run --debug`.

use crate::audit::context::Context;
use crate::audit::rules::DEBUG_MODE;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(st) = ctx.shipping() else {
        return vec![];
    };
    let (df, s) = (&ctx.df, &ctx.start);
    let mut out = Vec::new();
    if let (Some(script), Some((file, run))) = (&s.script, &s.dev_run) {
        if run.debug {
            out.push(Finding::new(
                &DEBUG_MODE,
                file,
                run.line,
                format!(
                    "app.run(debug=True) is what the image starts ({df}:{} runs {script})",
                    s.line
                ),
            ));
        }
    }
    for key in ["FLASK_DEBUG", "FLASK_ENV"] {
        if let Some(v) = st.env(key) {
            let on = matches!(
                v.value.to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on" | "development"
            );
            if on {
                out.push(Finding::new(
                    &DEBUG_MODE,
                    df,
                    v.line,
                    format!(
                        "ENV {key}={} turns on Flask's debug mode{}",
                        v.value,
                        ctx.stage_note(st)
                    ),
                ));
            }
        }
    }
    if s.flask_run && s.words.iter().any(|w| w == "--debug") {
        out.push(Finding::new(
            &DEBUG_MODE,
            df,
            s.line,
            "`flask run --debug` turns on the debugger".into(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not, findings};

    #[test]
    fn caught() {
        catches(check, "FROM python:3.12-slim\nENV FLASK_DEBUG=1\n");
        catches(
            check,
            "FROM python:3.12-slim\nCMD [\"flask\", \"run\", \"--debug\"]\n",
        );
        // Inherited from the parent stage.
        let f = catches(check, "FROM python:3.12-slim AS base\nENV FLASK_ENV=development\nFROM base AS dev\nUSER 1000\n");
        assert_eq!(f[0].line, 2);
        let f = findings(
            check,
            &[
                (
                    "Dockerfile",
                    "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
                ),
                (
                    "app.py",
                    "from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n",
                ),
            ],
        );
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].file.as_str(), f[0].line), ("app.py", 3));
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nENV FLASK_DEBUG=0\n");
        // A builder stage's ENV does not reach the image.
        catches_not(check, "FROM python:3.12-slim AS build\nENV FLASK_DEBUG=1\nFROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n");
    }
}
