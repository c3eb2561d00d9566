//! FG013 dockerignore-gaps: the .dockerignore lets `.env`, `.git` or a
//! virtualenv at the root into the context.

use crate::audit::context::Context;
use crate::audit::rules::DOCKERIGNORE_GAPS;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(pats) = &ctx.dockerignore else {
        return vec![];
    };
    let gap = |msg: String| Finding::new(&DOCKERIGNORE_GAPS, ".dockerignore", 0, msg);
    let mut out: Vec<Finding> = [".env", ".git"]
        .into_iter()
        .filter(|p| !pats.excludes(p))
        .map(|p| gap(format!("`{p}` is not excluded")))
        .collect();
    for (p, secret) in &ctx.present {
        if !secret && p != ".git" && !pats.excludes(p) {
            out.push(gap(format!("the virtualenv `{p}/` is not excluded")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::findings;

    #[test]
    fn caught_and_not() {
        let f = findings(
            check,
            &[(".dockerignore", "*.pyc\n"), ("venv/pyvenv.cfg", "")],
        );
        assert_eq!(f.len(), 3, "{f:?}");
        let f = findings(
            check,
            &[
                (".dockerignore", ".git\n**/.env\nvenv\n"),
                ("venv/pyvenv.cfg", ""),
            ],
        );
        assert!(f.is_empty(), "{f:?}");
    }
}
