//! FG016 no-dockerfile: there is no Dockerfile at the path audited.

use crate::audit::context::{Context, Source};
use crate::audit::rules::NO_DOCKERFILE;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    match ctx.source {
        Source::Missing => vec![Finding::new(
            &NO_DOCKERFILE,
            &ctx.df,
            0,
            format!("no {} in {}", ctx.df, ctx.project.root().display()),
        )],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches_not, findings};

    #[test]
    fn caught_and_not() {
        assert_eq!(findings(check, &[("app.py", "")]).len(), 1);
        catches_not(check, "FROM python:3.12-slim\n");
    }
}
