//! FG010 package-manager-flags: in stages that ship, `apk add` without
//! `--no-cache` and `apk update` (unless the same RUN removes
//! /var/cache/apk), `apt-get install` without `--no-install-recommends`.

use crate::audit::context::{package_calls, run_text, Context, Family};
use crate::audit::rules::PACKAGE_FLAGS;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for (st, x) in ctx.shipped().filter(|(_, x)| x.keyword == "RUN") {
        let text = run_text(x);
        let apk_cache_removed = text.contains("/var/cache/apk");
        let mut msgs: Vec<String> = Vec::new();
        for call in package_calls(&text) {
            let (prog, sub, rest) = (call.prog, call.sub, &call.rest);
            let msg = match prog {
                "apk" if st.family == Family::Debian || apk_cache_removed => continue,
                "apk" if sub == "add" && rest.iter().any(|w| *w == "-y" || *w == "--yes") => continue,
                "apk" if sub == "add" && !rest.contains(&"--no-cache") => {
                    "`apk add` without --no-cache keeps the package index in the layer".to_string()
                }
                "apk" if sub == "update" => "`apk update` stores the package index in its own layer; use `apk add --no-cache` instead".into(),
                "apt-get" | "apt"
                    if st.family != Family::Alpine
                        && sub == "install"
                        && !rest.contains(&"--no-install-recommends") =>
                {
                    format!("`{prog} install` without --no-install-recommends pulls in packages nobody asked for")
                }
                _ => continue,
            };
            if !msgs.contains(&msg) {
                msgs.push(msg);
            }
        }
        out.extend(
            msgs.into_iter()
                .map(|m| Finding::new(&PACKAGE_FLAGS, &ctx.df, x.line, m)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not};

    #[test]
    fn caught() {
        catches(check, "FROM python:alpine\nRUN apk update\n");
        catches(check, "FROM python:3.12-alpine\nRUN apk add curl\n");
        catches(
            check,
            "FROM python:3.12-slim\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y gcc\n",
        );
        catches(
            check,
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\n",
        );
    }

    #[test]
    fn not_caught() {
        // The same RUN removes apk's cache at its end.
        catches_not(
            check,
            "FROM python:3.12-alpine\nRUN apk update && apk add curl && rm -rf /var/cache/apk/*\n",
        );
        catches_not(
            check,
            "FROM python:3.12-alpine\nRUN apk add --no-cache curl\n",
        );
        catches_not(
            check,
            "FROM python:3.12-slim\nRUN apt-get install -y --no-install-recommends gcc\n",
        );
        // A builder stage's layers do not ship.
        catches_not(
            check,
            "FROM python:3.12-slim AS build\nRUN apt-get install -y gcc\nFROM python:3.12-slim\n",
        );
    }
}
