//! FG014 secrets-in-context: a secrets file (`.env`, keys, `.netrc`...) at
//! the root that the .dockerignore does not exclude.

use crate::audit::context::Context;
use crate::audit::rules::SECRETS_IN_CONTEXT;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    ctx.present
        .iter()
        .filter(|(p, secret)| {
            *secret
                && !ctx
                    .dockerignore
                    .as_ref()
                    .is_some_and(|pats| pats.excludes(p))
        })
        .map(|(p, _)| {
            Finding::new(
                &SECRETS_IN_CONTEXT,
                p,
                0,
                format!("`{p}` is in the build context"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::findings;

    #[test]
    fn caught_and_not() {
        assert_eq!(
            findings(check, &[("id_rsa", "k"), (".env.example", "")]).len(),
            1
        );
        assert!(findings(check, &[("id_rsa", "k"), (".dockerignore", "id_rsa\n")]).is_empty());
    }
}
