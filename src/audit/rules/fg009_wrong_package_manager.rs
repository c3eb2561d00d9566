//! FG009 wrong-package-manager: `apk` on a Debian base, `apt-get`/`apt` on
//! Alpine, `apk add -y`: lines that fail the build, in any stage.

use crate::audit::context::{package_calls, run_text, Context, Family};
use crate::audit::rules::WRONG_PACKAGE_MANAGER;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (st, x) in ctx.all().filter(|(_, x)| x.keyword == "RUN") {
        let text = run_text(x);
        for call in package_calls(&text) {
            let (prog, sub, rest) = (call.prog, call.sub, &call.rest);
            let msg = match (prog, st.family) {
                ("apk", Family::Debian) => {
                    format!(
                        "`apk` on a Debian-based image ({}): it does not exist there",
                        st.base
                    )
                }
                ("apk", _) if sub == "add" && rest.iter().any(|w| *w == "-y" || *w == "--yes") => {
                    "`apk add -y`: apk has no -y flag (it never asks), so the build fails".into()
                }
                ("apt-get" | "apt", Family::Alpine) => format!(
                    "`{prog}` on an Alpine-based image ({}): it does not exist there (use apk)",
                    st.base
                ),
                _ => continue,
            };
            out.push(Finding::new(&WRONG_PACKAGE_MANAGER, &ctx.df, x.line, msg));
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
            "FROM python:3.12-alpine\nRUN apt-get install -y curl\n",
        );
        catches(
            check,
            "FROM python:3.12-slim\nRUN apk add --no-cache curl\n",
        );
        catches(check, "FROM python:alpine\nRUN apk add -y python-pip\n");
        // The stage inherits its parent's family.
        catches(
            check,
            "FROM python:3.12-alpine AS base\nFROM base\nRUN apt-get update\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(
            check,
            "FROM python:3.12-alpine\nRUN apk add --no-cache curl\n",
        );
        catches_not(
            check,
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\n",
        );
    }
}
