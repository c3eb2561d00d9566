//! FG012 no-dockerignore: no .dockerignore while the context holds `.git`,
//! a virtualenv or a secrets file.

use crate::audit::context::Context;
use crate::audit::rules::NO_DOCKERIGNORE;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    if ctx.dockerignore.is_some() || ctx.present.is_empty() {
        return vec![];
    }
    let leaks: Vec<&str> = ctx.present.iter().map(|(p, _)| p.as_str()).collect();
    vec![Finding::new(
        &NO_DOCKERIGNORE,
        ".dockerignore",
        0,
        format!(
            "no .dockerignore, so the build context takes {}",
            leaks.join(", ")
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::findings;

    #[test]
    fn caught_and_not() {
        let f = findings(
            check,
            &[("Dockerfile", "FROM python:3.12-slim\n"), (".env", "A=1\n")],
        );
        assert_eq!(f.len(), 1);
        assert!(findings(check, &[("Dockerfile", "FROM python:3.12-slim\n")]).is_empty());
        assert!(findings(check, &[(".env", "A=1\n"), (".dockerignore", ".env\n")]).is_empty());
    }
}
