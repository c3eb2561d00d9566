//! FG006 server-not-installed: the start command runs a WSGI server that is
//! neither in the project's dependencies nor installed by any RUN.

use crate::audit::context::{run_text, Context};
use crate::audit::rules::SERVER_NOT_INSTALLED;
use crate::audit::{Finding, SERVERS};

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some((prog, dists)) = SERVERS.iter().find(|(p, _)| *p == ctx.start.program) else {
        return vec![];
    };
    let in_deps = dists.iter().any(|d| ctx.det.deps.has(d));
    let in_dockerfile = ctx.ins.iter().filter(|x| x.keyword == "RUN").any(|x| {
        let all = run_text(x).to_ascii_lowercase();
        all.contains("install") && dists.iter().any(|d| all.contains(d))
    });
    if in_deps || in_dockerfile {
        return vec![];
    }
    let where_ = ctx
        .det
        .deps
        .source
        .clone()
        .unwrap_or_else(|| "no dependency file".into());
    vec![Finding::new(&SERVER_NOT_INSTALLED, &ctx.df, ctx.start.line, format!("the start command runs `{prog}`, which is neither in the dependencies ({where_}) nor installed by the Dockerfile"))]
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not, findings, APP};

    #[test]
    fn caught() {
        catches(
            check,
            "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
        );
        catches(
            check,
            "FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"gunicorn\", \"app:app\"]\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nRUN pip install --no-cache-dir gunicorn==23.0.0\nCMD [\"gunicorn\", \"app:app\"]\n");
        let f = findings(
            check,
            &[
                (
                    "Dockerfile",
                    "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
                ),
                ("app.py", APP),
                ("requirements.txt", "flask\ngunicorn\n"),
            ],
        );
        assert!(f.is_empty(), "{f:?}");
    }
}
