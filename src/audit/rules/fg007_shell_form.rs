//! FG007 shell-form: the shipping stage's ENTRYPOINT or CMD (inherited ones
//! too) in shell form, unless it `exec`s.

use crate::audit::context::Context;
use crate::audit::rules::SHELL_FORM;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(st) = ctx.shipping() else {
        return vec![];
    };
    [&st.entrypoint, &st.cmd]
        .into_iter()
        .flatten()
        .filter(|x| {
            x.exec.is_none()
                && !x.args.trim_start().starts_with("exec ")
                && !x.args.trim().is_empty()
        })
        .map(|x| {
            Finding::new(
                &SHELL_FORM,
                &ctx.df,
                x.line,
                format!(
                    "{} {}: shell form, so /bin/sh is PID 1 and SIGTERM does not reach the app",
                    x.keyword,
                    x.args.trim()
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not};

    #[test]
    fn caught() {
        catches(check, "FROM python:3.12-slim\nCMD gunicorn app:app\n");
        catches(
            check,
            "FROM python:3.12-slim AS base\nENTRYPOINT gunicorn app:app\nFROM base\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(
            check,
            "FROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n",
        );
        catches_not(check, "FROM python:3.12-slim\nCMD exec gunicorn app:app\n");
        catches_not(check, "FROM python:3.12-slim AS build\nCMD gunicorn app:app\nFROM python:3.12-slim\nCMD [\"gunicorn\", \"app:app\"]\n");
    }
}
