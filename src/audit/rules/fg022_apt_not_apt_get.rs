//! FG022 apt-not-apt-get: `apt` (the interactive front end) in a RUN, on a
//! base where apt exists.

use crate::audit::context::{package_calls, run_text, Context, Family};
use crate::audit::rules::APT_NOT_APT_GET;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    ctx.all()
        .filter(|(st, x)| x.keyword == "RUN" && st.family != Family::Alpine)
        .filter(|(_, x)| package_calls(&run_text(x)).iter().any(|c| c.prog == "apt"))
        .map(|(_, x)| {
            Finding::new(
                &APT_NOT_APT_GET,
                &ctx.df,
                x.line,
                "`apt` in a RUN: use `apt-get`".into(),
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
        catches(
            check,
            "FROM python:3.12-slim\nRUN apt update && apt install -y curl\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(
            check,
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl\n",
        );
        // `apt` as a word that is not the command.
        catches_not(
            check,
            "FROM python:3.12-slim\nRUN apt-get install -y apt-utils && echo apt\n",
        );
        catches_not(
            check,
            "FROM python:3.12-alpine\nRUN apk add --no-cache curl\n",
        );
    }
}
