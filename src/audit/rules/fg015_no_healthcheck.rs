//! FG015 no-healthcheck: the shipping stage has no HEALTHCHECK (inherited
//! ones count) or turns it off, and the compose service has no `healthcheck:`.

use crate::audit::context::Context;
use crate::audit::rules::NO_HEALTHCHECK;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(st) = ctx.shipping() else {
        return vec![];
    };
    if ctx
        .service
        .as_ref()
        .and_then(|s| s.healthcheck)
        .is_some_and(|(_, off)| !off)
    {
        return vec![];
    }
    let (line, msg) = match &st.healthcheck {
        None => (
            st.line,
            format!("no HEALTHCHECK in {}", ctx.stage_label(st)),
        ),
        Some(h) if h.args.trim().eq_ignore_ascii_case("none") => {
            (h.line, "HEALTHCHECK NONE turns the check off".to_string())
        }
        Some(_) => return vec![],
    };
    vec![Finding::new(&NO_HEALTHCHECK, &ctx.df, line, msg)]
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not, findings, APP};

    #[test]
    fn caught() {
        catches(check, "FROM python:3.12-slim\n");
        catches(check, "FROM python:3.12-slim\nHEALTHCHECK NONE\n");
        let compose = "services:\n  web:\n    build: .\n    healthcheck:\n      disable: true\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", "FROM python:3.12-slim\n"),
                ("app.py", APP),
                ("compose.yaml", compose),
            ],
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nHEALTHCHECK CMD true\n");
        catches_not(
            check,
            "FROM python:3.12-slim AS base\nHEALTHCHECK CMD true\nFROM base\n",
        );
        // The compose service's healthcheck counts.
        let compose = "services:\n  web:\n    build: .\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:5000/\"]\n";
        let f = findings(
            check,
            &[
                ("Dockerfile", "FROM python:3.12-slim\n"),
                ("app.py", APP),
                ("docker-compose.yml", compose),
            ],
        );
        assert!(f.is_empty(), "{f:?}");
    }
}
