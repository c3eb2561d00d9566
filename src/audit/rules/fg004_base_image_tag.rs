//! FG004 base-image-tag: a shipping stage's base image has no fixed version:
//! no tag or `latest` (any image), or a tag without `major.minor` on a Python
//! image ([`crate::values::tag_pin`] is the one rule for a pinned tag).
//! Tool and builder stages that do not ship are left alone.

use crate::audit::context::Context;
use crate::audit::rules::BASE_TAG;
use crate::audit::Finding;
use crate::values::Pin;

/// `python`, `library/python`, `docker.io/library/python`, with any tag.
fn is_python(image: &str) -> bool {
    let repo = image.split(['@']).next().unwrap_or(image);
    let last = repo.rsplit('/').next().unwrap_or(repo);
    last.split(':').next() == Some("python")
}

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for st in ctx.stages.iter().filter(|s| s.ships && s.parent.is_none()) {
        let image = st.image.as_str();
        if image == "scratch" || image.contains('$') {
            continue;
        }
        let msg = match crate::values::tag_pin(image) {
            Pin::Digest | Pin::Fixed => continue,
            Pin::NoTag => {
                format!("FROM {image}: no tag, so `latest`: whatever is newest at build time")
            }
            Pin::Latest => format!("FROM {image}: `latest` changes under you"),
            Pin::Floating(t) if is_python(image) => {
                format!("FROM {image}: `{t}` floats to every new Python release")
            }
            Pin::Floating(_) => continue,
        };
        out.push(Finding::new(&BASE_TAG, &ctx.df, st.line, msg));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not};

    #[test]
    fn caught() {
        let f = catches(check, "FROM python:alpine\n");
        assert!(f[0].message.starts_with("FROM python:alpine:"));
        catches(check, "FROM python\n");
        catches(check, "FROM docker.io/library/python:3-slim\n");
        catches(check, "FROM ubuntu:latest\n");
        // The parent of the shipping stage ships too.
        catches(check, "FROM python:3 AS base\nFROM base\n");
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\n");
        catches_not(check, "FROM python:3@sha256:abc\n");
        // Tool stages whose layers never ship, and non-Python images.
        catches_not(check, "FROM postgres:13-alpine AS db\nFROM node:24-bookworm AS assets\nFROM python:3.12-slim\n");
        catches_not(check, "FROM node:24-bookworm\n");
        catches_not(check, "ARG BASE=python:3.12\nFROM ${BASE}-slim\n");
    }
}
