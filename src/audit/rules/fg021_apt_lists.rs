//! FG021 apt-lists-left: in a stage that ships, a RUN installs with
//! apt-get/apt and does not remove /var/lib/apt/lists.

use crate::audit::context::{package_calls, run_text, Context, Family};
use crate::audit::rules::APT_LISTS;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    ctx.shipped()
        .filter(|(st, x)| x.keyword == "RUN" && st.family != Family::Alpine)
        .filter_map(|(_, x)| {
            let text = run_text(x);
            let installs = package_calls(&text)
                .iter()
                .any(|c| c.prog != "apk" && c.sub == "install");
            let cleaned = text.contains("/var/lib/apt/lists")
                || x.flags
                    .iter()
                    .any(|f| f.contains("type=cache") && f.contains("/var/lib/apt"));
            (installs && !cleaned).then(|| {
                Finding::new(
                    &APT_LISTS,
                    &ctx.df,
                    x.line,
                    "apt installs here but the RUN does not remove /var/lib/apt/lists/*".into(),
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
    }
}
