//! FG003 root-user: the shipping stage (with what it inherits) runs as root,
//! and no entrypoint script or wrapper drops privileges, nor does a uWSGI
//! server (`--uid`, or `uid` in its ini file) run its workers as another user.

use crate::audit::context::Context;
use crate::audit::rules::ROOT_USER;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(st) = ctx.shipping() else {
        return vec![];
    };
    if ctx.start.drops_to.is_some() {
        return vec![];
    }
    match &st.user {
        None => vec![Finding::new(
            &ROOT_USER,
            &ctx.df,
            st.line,
            format!("no USER in {}: the app runs as root", ctx.stage_label(st)),
        )],
        Some(u) => {
            let user = st.subst(u.args.trim());
            let who = user.split(':').next().unwrap_or("").trim();
            if who == "root" || who == "0" {
                vec![Finding::new(
                    &ROOT_USER,
                    &ctx.df,
                    u.line,
                    format!("USER {}: the app runs as root", u.args),
                )]
            } else {
                vec![]
            }
        }
    }
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
        catches(check, "FROM python:3.12-slim\nUSER root\n");
        catches(check, "FROM python:3.12-slim\nARG U=0\nUSER ${U}\n");
        // The builder's USER is not the final stage's.
        catches(check, "FROM python:3.12-slim AS build\nUSER 1000\nFROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n");
        // An entrypoint script that does not drop privileges.
        let df = "FROM python:3.12-slim\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT [\"/entrypoint.sh\"]\nCMD [\"gunicorn\", \"app:app\"]\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", df),
                ("app.py", APP),
                ("entrypoint.sh", "#!/bin/sh\nexec \"$@\"\n"),
            ],
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nUSER 10001:10001\n");
        // USER inherited from the parent stage.
        catches_not(check, "FROM python:3.12-slim AS base\nUSER app\nFROM base AS prod\nCMD [\"gunicorn\", \"app:app\"]\n");
        // Entrypoint scripts that drop privileges.
        for script in [
            "#!/bin/sh\nchown -R app /data\nexec su-exec app \"$@\"\n",
            "exec gosu app \"$@\"\n",
            "exec setpriv --reuid=1000 --regid=1000 --init-groups \"$@\"\n",
        ] {
            let df = "FROM python:3.12-slim\nCOPY docker/entrypoint.sh /usr/local/bin/\nENTRYPOINT [\"entrypoint.sh\"]\nCMD [\"gunicorn\", \"app:app\"]\n";
            let f = findings(
                check,
                &[
                    ("Dockerfile", df),
                    ("app.py", APP),
                    ("docker/entrypoint.sh", script),
                ],
            );
            assert!(f.is_empty(), "{script}: {f:?}");
        }
        catches_not(
            check,
            "FROM python:3.12-slim\nENTRYPOINT [\"gosu\", \"app\", \"gunicorn\", \"app:app\"]\n",
        );
    }

    const UWSGI_INI: &str =
        "[uwsgi]\nmodule = hello.webapp\ncallable = app\nuid = 1000\nmaster = true\n";

    #[test]
    fn uwsgi_drops_its_workers_to_a_uid() {
        // The base image's own start (uwsgi-nginx) reads $UWSGI_INI, whose uid is not root.
        let df = "FROM tiangolo/uwsgi-nginx:python3.12\nENV UWSGI_INI uwsgi.ini\nWORKDIR /app\nCOPY . /app\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", df),
                ("app.py", APP),
                ("uwsgi.ini", UWSGI_INI),
            ],
        );
        assert!(f.is_empty(), "{f:?}");
        // uwsgi started here with the ini file, or with --uid.
        let df =
            "FROM python:3.12-slim\nCOPY . /app\nCMD [\"uwsgi\", \"--ini\", \"/app/uwsgi.ini\"]\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", df),
                ("app.py", APP),
                ("uwsgi.ini", UWSGI_INI),
            ],
        );
        assert!(f.is_empty(), "{f:?}");
        catches_not(
            check,
            "FROM python:3.12-slim\nCMD [\"uwsgi\", \"--uid\", \"1000\", \"--http\", \":8000\"]\n",
        );
    }

    #[test]
    fn uwsgi_that_stays_root() {
        // No uid, a root uid, or a CMD of the Dockerfile's own that is not uwsgi.
        for (df, ini) in [
            ("FROM tiangolo/uwsgi-nginx:python3.12\nENV UWSGI_INI uwsgi.ini\nCOPY . /app\n", "[uwsgi]\nmodule = hello.webapp\n"),
            ("FROM tiangolo/uwsgi-nginx:python3.12\nCOPY . /app\n", "[uwsgi]\nuid = root\n"),
            ("FROM tiangolo/uwsgi-nginx:python3.12\nCOPY . /app\nCMD [\"gunicorn\", \"app:app\"]\n", UWSGI_INI),
            // The uid of another section is not uwsgi's.
            ("FROM python:3.12-slim\nCMD [\"uwsgi\", \"--ini\", \"uwsgi.ini\"]\n", "[other]\nuid = 1000\n[uwsgi]\nmodule = a\n"),
        ] {
            let f = findings(check, &[("Dockerfile", df), ("app.py", APP), ("uwsgi.ini", ini)]);
            assert_eq!(f.len(), 1, "{df}{ini}");
        }
    }
}
