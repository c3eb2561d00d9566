//! FG011 pip-cache: a `pip install` in a stage that ships keeps pip's cache
//! in the layer. Once per RUN; not with `--no-cache-dir` (or its
//! abbreviation `--no-cache`), `PIP_NO_CACHE_DIR` set, a cache mount, or
//! the same RUN ending with `pip cache purge` / `rm -rf /root/.cache`.

use crate::audit::context::{commands, run_text, Context};
use crate::audit::rules::PIP_CACHE;
use crate::audit::Finding;

fn no_cache_value(v: &str) -> bool {
    !matches!(
        v.to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "off" | "no"
    )
}

/// A `pip install` that keeps the cache, in one simple command's words.
fn caching_install(words: &[&str]) -> bool {
    let Some(pos) = words.iter().position(|w| {
        matches!(*w, "pip" | "pip3")
            || w.ends_with("/pip")
            || w.ends_with("/pip3")
            || w.starts_with("python")
    }) else {
        return false;
    };
    let rest = &words[pos + 1..];
    let rest = if words[pos].starts_with("python") {
        match rest {
            ["-m", "pip", r @ ..] => r,
            _ => return false,
        }
    } else {
        rest
    };
    let inline_env = words[..pos].iter().any(|w| {
        w.strip_prefix("PIP_NO_CACHE_DIR=")
            .is_some_and(no_cache_value)
    });
    rest.iter().find(|w| !w.starts_with('-')) == Some(&"install")
        && !rest.iter().any(|w| w.starts_with("--no-cache"))
        && !inline_env
}

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (st, x) in ctx.shipped().filter(|(_, x)| x.keyword == "RUN") {
        let env_off = st
            .vars
            .iter()
            .rev()
            .find(|v| v.name == "PIP_NO_CACHE_DIR" && v.line < x.line)
            .is_some_and(|v| no_cache_value(&v.value));
        let text = run_text(x);
        let cleaned = text.contains("pip cache purge")
            || text.contains("/root/.cache")
            || text.contains("~/.cache")
            || text.contains("$HOME/.cache");
        if env_off || cleaned || x.flags.iter().any(|f| f.contains("type=cache")) {
            continue;
        }
        if commands(&text).iter().any(|w| caching_install(w)) {
            out.push(Finding::new(
                &PIP_CACHE,
                &ctx.df,
                x.line,
                "`pip install` without --no-cache-dir keeps pip's cache in the layer".into(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not};

    #[test]
    fn caught() {
        catches(
            check,
            "FROM python:3.12-slim\nRUN pip install -r requirements.txt\n",
        );
        catches(
            check,
            "FROM python:3.12-slim\nRUN python -m pip install flask\n",
        );
        // Once per RUN, however many installs it has.
        let f = catches(check, "FROM python:3.12-slim\nRUN pip install -U pip && pip install a && pip install b && pip3 install c\n");
        assert_eq!(f.len(), 1);
        // The parent of the shipping stage ships.
        catches(
            check,
            "FROM python:3.12-slim AS base\nRUN pip install flask\nFROM base\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(
            check,
            "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n",
        );
        catches_not(
            check,
            "FROM python:3.12-slim\nRUN pip install --no-cache flask\n",
        );
        catches_not(
            check,
            "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
        );
        catches_not(check, "FROM python:3.12-slim AS base\nENV PIP_NO_CACHE_DIR=on\nFROM base\nRUN pip install flask\n");
        catches_not(
            check,
            "FROM python:3.12-slim\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n",
        );
        catches_not(
            check,
            "FROM python:3.12-slim\nRUN pip install flask && pip cache purge\n",
        );
        catches_not(
            check,
            "FROM python:3.12-slim\nRUN pip install flask && rm -rf /root/.cache\n",
        );
        catches_not(check, "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n");
        // A builder stage whose layers never ship.
        catches_not(check, "FROM python:3.12-slim AS build\nRUN pip wheel -w /w flask && pip install flask\nFROM python:3.12-slim\nCOPY --from=build /w /w\n");
    }
}
