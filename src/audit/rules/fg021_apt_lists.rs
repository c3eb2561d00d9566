//! FG021 apt-lists-left: in a stage that ships, a RUN runs `apt-get update`
//! (or `apt update`) and does not remove /var/lib/apt/lists.

use crate::audit::context::{package_calls, run_text, Context, Family};
use crate::audit::rules::APT_LISTS;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    ctx.shipped()
        .filter(|(st, x)| x.keyword == "RUN" && st.family != Family::Alpine)
        .filter_map(|(_, x)| {
            let text = run_text(x);
            // The lists come from `update`; a RUN that only installs from
            // lists an earlier layer holds adds none.
            let update = package_calls(&text)
                .into_iter()
                .find(|c| c.prog != "apk" && c.sub == "update")?;
            let cleaned = text.contains("/var/lib/apt/lists")
                || x.flags
                    .iter()
                    .any(|f| f.contains("type=cache") && f.contains("/var/lib/apt"));
            (!cleaned).then(|| {
                Finding::new(
                    &APT_LISTS,
                    &ctx.df,
                    x.line,
                    format!("`{} update` here downloads package lists and the RUN does not remove /var/lib/apt/lists/*", update.prog),
                )
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
        catches(check, "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\n");
        catches(check, "FROM python:3.12-slim\nRUN apt update\n");
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n");
        // A builder stage that does not ship.
        catches_not(check, "FROM python:3.12-slim AS build\nRUN apt-get update && apt-get install -y gcc\nFROM python:3.12-slim\n");
        catches_not(
            check,
            "FROM python:3.12-alpine\nRUN apk add --no-cache gcc\n",
        );
        // Installs from the lists an earlier RUN left: this RUN adds none
        // (the earlier one is reported).
        let f = crate::audit::testing::catches(check, "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y gcc\nRUN apt-get install --no-install-recommends -y wget && apt-get clean -y\n");
        assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), [2]);
    }
}
