//! FG018 secret-in-env: an ENV or ARG of a shipping stage gives a secret
//! (`SECRET_KEY`, `…PASSWORD`, `…TOKEN`, `…API_KEY`...) a literal value that
//! is not empty, not a `$VAR` and not a placeholder. The value is never printed.

use crate::audit::context::{pairs, Context};
use crate::audit::rules::SECRET_IN_ENV;
use crate::audit::Finding;

const SECRET_ENDINGS: &[&str] = &[
    "SECRET_KEY",
    "_SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "SECRET",
];

pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    SECRET_ENDINGS.iter().any(|e| n.ends_with(e))
}

/// A value that stands for "fill this in", not a secret.
fn is_placeholder(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    l.is_empty()
        || v.contains('$')
        || v.starts_with('<')
        || [
            "change",
            "placeholder",
            "example",
            "dummy",
            "your",
            "xxx",
            "replace",
            "todo",
            "none",
            "null",
            "secret_here",
            "fixme",
        ]
        .iter()
        .any(|p| l.contains(p))
}

pub fn check(ctx: &Context) -> Vec<Finding> {
    ctx.shipped()
        .filter(|(_, x)| x.keyword == "ENV" || x.keyword == "ARG")
        .flat_map(|(_, x)| {
            pairs(x)
                .into_iter()
                .filter(|(k, v)| is_secret_name(k) && !is_placeholder(v))
                .map(move |(k, _)| {
                    Finding::new(&SECRET_IN_ENV, &ctx.df, x.line, format!("{} {k} has a literal value: it is stored in the image for anyone who pulls it", x.keyword))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not};

    #[test]
    fn caught() {
        let f = catches(
            check,
            "FROM python:3.12-slim\nENV SECRET_KEY=\"s3cr3t-8f2a\"\n",
        );
        assert!(
            !f[0].message.contains("s3cr3t"),
            "the value is never printed"
        );
        assert_eq!(f[0].severity, crate::audit::rules::Severity::Error);
        catches(check, "FROM python:3.12-slim\nENV DB_PASSWORD hunter2\n");
        catches(
            check,
            "FROM python:3.12-slim\nARG GITHUB_TOKEN=ghp_abc123\n",
        );
        catches(
            check,
            "FROM python:3.12-slim\nENV A=1 STRIPE_API_KEY=sk_live_42\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nARG GITHUB_TOKEN\n");
        catches_not(check, "FROM python:3.12-slim\nENV SECRET_KEY=\"\"\n");
        catches_not(
            check,
            "FROM python:3.12-slim\nARG SECRET_KEY\nENV SECRET_KEY=${SECRET_KEY}\n",
        );
        catches_not(check, "FROM python:3.12-slim\nENV SECRET_KEY=change-me\n");
        catches_not(
            check,
            "FROM python:3.12-slim\nENV SECRET_KEY_FILE=/run/secrets/key TOKEN_TTL=3600\n",
        );
        // A builder stage's ENV does not reach the image.
        catches_not(
            check,
            "FROM python:3.12-slim AS build\nENV NPM_TOKEN=abc123\nFROM python:3.12-slim\n",
        );
    }
}
