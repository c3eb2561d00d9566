//! FG023 relative-copy-no-workdir: a COPY/ADD to a relative destination in
//! a stage with no WORKDIR before it (its own, or one inherited from a
//! parent stage). A stage FROM an outside image may get a WORKDIR from it:
//! that is not known here, so it counts as none (as hadolint's DL3045 does).

use crate::audit::context::Context;
use crate::audit::rules::RELATIVE_COPY_NO_WORKDIR;
use crate::audit::Finding;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for st in &ctx.stages {
        let mut workdir = st.parent.is_some_and(|p| ctx.stages[p].workdir.is_some());
        for x in &ctx.ins[st.own.clone()] {
            match x.keyword.as_str() {
                "WORKDIR" => workdir = true,
                "COPY" | "ADD" if !workdir => {
                    let words = x.words();
                    let Some(dest) = words.last().filter(|_| words.len() >= 2) else {
                        continue;
                    };
                    if !dest.starts_with('/') && !dest.starts_with('$') && !dest.starts_with("c:") {
                        out.push(Finding::new(
                            &RELATIVE_COPY_NO_WORKDIR,
                            &ctx.df,
                            x.line,
                            format!(
                                "{} to `{dest}` with no WORKDIR: the files land relative to /",
                                x.keyword
                            ),
                        ));
                    }
                }
                _ => {}
            }
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
        catches(check, "FROM python:3.12-slim\nCOPY . .\n");
        catches(
            check,
            "FROM python:3.12-slim\nCOPY requirements.txt app/\nWORKDIR /app\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n");
        catches_not(check, "FROM python:3.12-slim\nCOPY . /app\n");
        // WORKDIR inherited from the parent stage.
        catches_not(
            check,
            "FROM python:3.12-slim AS base\nWORKDIR /app\nFROM base\nCOPY . .\n",
        );
    }
}
