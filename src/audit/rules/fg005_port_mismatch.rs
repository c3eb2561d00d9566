//! FG005 port-mismatch: the port the app serves on against the shipping
//! stage's EXPOSE (after `${VAR}` substitution, inherited too), its ENV PORT,
//! and the container ports of the compose services built from the project
//! (not those of images such as postgres). An app.run() whose port is a
//! variable serves on a port not known here: nothing is compared.

use crate::audit::context::Context;
use crate::audit::rules::PORT_MISMATCH;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let (Some(st), Some((port, from))) = (ctx.shipping(), &ctx.serving) else {
        return vec![];
    };
    let df = &ctx.df;
    let mut out = Vec::new();
    if st.expose.is_empty() {
        out.push(Finding::new(
            &PORT_MISMATCH,
            df,
            ctx.start.line,
            format!("no EXPOSE: the app serves on {port} ({from}) but the image does not say so"),
        ));
    }
    if let [(p, l)] = st.expose[..] {
        if p != *port {
            out.push(Finding::new(
                &PORT_MISMATCH,
                df,
                l,
                format!("EXPOSE {p}, but the app serves on {port} ({from})"),
            ));
        }
    }
    if let Some(v) = st.env("PORT") {
        if v.value.parse::<u16>().is_ok_and(|p| p != *port) {
            out.push(Finding::new(
                &PORT_MISMATCH,
                df,
                v.line,
                format!(
                    "ENV PORT={}, but the app serves on {port} ({from})",
                    v.value
                ),
            ));
        }
    }
    if let Some(c) = &ctx.compose {
        let target = ctx.service.as_ref().and_then(|s| s.target.as_ref());
        for s in c
            .services
            .iter()
            .filter(|s| s.builds && (s.target.as_ref() == target || s.target.is_none()))
        {
            for (p, l) in &s.ports {
                if p != port {
                    out.push(Finding::new(
                        &PORT_MISMATCH,
                        &c.file,
                        *l,
                        format!(
                            "publishes container port {p}, but the app serves on {port} ({from})"
                        ),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not, findings, APP};

    const GUNICORN: &str = "CMD [\"gunicorn\", \"-b\", \"0.0.0.0:5000\", \"app:app\"]\n";

    /// FG005's findings for gunicorn on 5000, EXPOSE 5000 and this compose file.
    fn with_compose(compose: &str) -> Vec<crate::audit::Finding> {
        let df = format!("FROM python:3.12-slim\nEXPOSE 5000\n{GUNICORN}");
        findings(
            check,
            &[
                ("Dockerfile", &df),
                ("app.py", APP),
                ("compose.yaml", compose),
            ],
        )
    }

    #[test]
    fn caught() {
        catches(
            check,
            &format!("FROM python:3.12-slim\nEXPOSE 8000\n{GUNICORN}"),
        );
        catches(check, &format!("FROM python:3.12-slim\n{GUNICORN}"));
        catches(
            check,
            &format!("FROM python:3.12-slim\nENV PORT=8000\nEXPOSE ${{PORT}}\n{GUNICORN}"),
        );
        let compose = "services:\n  web:\n    build: .\n    ports:\n      - \"80:8000\"\n";
        let f = with_compose(compose);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].file.as_str(), f[0].line), ("compose.yaml", 5));
    }

    #[test]
    fn not_caught() {
        catches_not(
            check,
            &format!("FROM python:3.12-slim\nEXPOSE 5000\n{GUNICORN}"),
        );
        // EXPOSE ${VAR} with the value from ENV or ARG.
        catches_not(
            check,
            &format!("FROM python:3.12-slim\nENV PORT=5000\nEXPOSE ${{PORT}}\n{GUNICORN}"),
        );
        catches_not(
            check,
            &format!("FROM python:3.12-slim\nARG APP_PORT=5000\nEXPOSE $APP_PORT/tcp\n{GUNICORN}"),
        );
        // EXPOSE and ENV inherited from the parent stage.
        catches_not(check, "FROM python:3.12-slim AS base\nENV PORT=5000\nEXPOSE ${PORT}\nFROM base\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:$PORT\", \"app:app\"]\n");
    }

    #[test]
    fn compose_services_of_other_images() {
        // The database service's port is not the app's.
        let compose = "services:\n  web:\n    build: .\n    ports:\n      - \"5000:5000\"\n  db:\n    image: postgres:16\n    ports:\n      - 5432\n";
        let f = with_compose(compose);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn app_run_with_a_variable_port() {
        // `app.run(port=port)`: the port comes from the command line, not known here.
        let df = "FROM python:3.12-slim\nEXPOSE 9181\nCMD [\"python\", \"serve.py\"]\n";
        for call in ["app.run(host=bind, port=port)", "app.run(bind, port)"] {
            let serve = format!("from flask import Flask\napp = Flask(__name__)\nport = int(input())\nbind = '0.0.0.0'\n{call}\n");
            let f = findings(check, &[("Dockerfile", df), ("serve.py", &serve)]);
            assert!(f.is_empty(), "{call}: {f:?}");
        }
        // No port at all is Flask's 5000.
        let serve = "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n";
        let f = findings(check, &[("Dockerfile", df), ("serve.py", serve)]);
        assert_eq!(f.len(), 1, "{f:?}");
    }
}
