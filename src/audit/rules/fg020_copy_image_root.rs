//! FG020 copy-image-root: `COPY --from=<image> / ...` copies another
//! image's whole filesystem over this one. `--from` a stage of this
//! Dockerfile (by name or index) is left alone.

use crate::audit::context::Context;
use crate::audit::rules::COPY_IMAGE_ROOT;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    ctx.all()
        .filter(|(_, x)| x.keyword == "COPY")
        .filter_map(|(st, x)| {
            let from = x.flags.iter().find_map(|f| f.strip_prefix("from="))?;
            let from = st.subst(from);
            let is_stage = from.parse::<usize>().is_ok()
                || ctx
                    .stages
                    .iter()
                    .any(|s| !s.name.is_empty() && s.name == from.to_ascii_lowercase());
            let words = x.words();
            let srcs = &words[..words.len().saturating_sub(1)];
            if is_stage || !srcs.iter().any(|s| matches!(s.as_str(), "/" | "/." | "/*")) {
                return None;
            }
            Some(Finding::new(
                &COPY_IMAGE_ROOT,
                &ctx.df,
                x.line,
                format!("COPY --from={from} /: the whole filesystem of `{from}` is copied"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not};

    #[test]
    fn caught() {
        catches(
            check,
            "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.5 / /\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(
            check,
            "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.5 /uv /uvx /bin/\n",
        );
        // Everything from a stage of this Dockerfile is a different matter.
        catches_not(
            check,
            "FROM python:3.12-slim AS build\nFROM scratch\nCOPY --from=build / /\n",
        );
        catches_not(
            check,
            "FROM python:3.12-slim\nFROM scratch\nCOPY --from=0 / /\n",
        );
    }
}
