//! FG017 dockerfile-unreadable: the Dockerfile is there but cannot be read
//! (a directory, a link out of the project, too large, not UTF-8).

use crate::audit::context::{Context, Source};
use crate::audit::rules::DOCKERFILE_UNREADABLE;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    match &ctx.source {
        Source::Skipped(why) => vec![Finding::new(
            &DOCKERFILE_UNREADABLE,
            &ctx.df,
            0,
            format!("{} is {why}: not audited", ctx.df),
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
        assert_eq!(findings(check, &[("Dockerfile/x", "")]).len(), 1);
        catches_not(check, "FROM python:3.12-slim\n");
    }
}
