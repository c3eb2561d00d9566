//! `flaskgen man`: one man page on stdout (the main one, or a subcommand's),
//! or all of them into a directory: the main page refers to `flaskgen-new(1)`
//! and the rest.

use std::path::Path;

use anyhow::{Context, Result};

use crate::error::input_error;
use crate::present::{self, Printer};

pub fn run(path: &[String], dir: Option<&Path>, printer: Printer) -> Result<()> {
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        clap_mangen::generate_to(crate::cli::command(), dir)
            .with_context(|| format!("cannot write man pages into {}", dir.display()))?;
        printer.status("Wrote", &format!("the man pages into {}", dir.display()));
        printer.info(
            "Make sure `man` looks there (it does for ~/.local/share/man/man1), then: man flaskgen",
        );
        return Ok(());
    }
    // Built, so subcommands carry their page names (flaskgen-new); without
    // `help`, which has no page of its own.
    let mut cmd = crate::cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut page = &cmd;
    for name in path {
        page = page.find_subcommand(name).ok_or_else(|| {
            let known: Vec<&str> = page.get_subcommands().map(|c| c.get_name()).collect();
            input_error(format!(
                "no man page for {}: the subcommands here are {}; for example `flaskgen man new`",
                present::quote(&path.join(" ")),
                known.join(", ")
            ))
        })?;
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(page.clone()).render(&mut out)?;
    present::stdout(&String::from_utf8_lossy(&out));
    Ok(())
}
