//! `flaskgen completions SHELL`: a completion script on stdout.

use anyhow::Result;
use clap_complete::Shell;

use crate::present;

pub fn run(shell: Shell) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut crate::cli::command(), "flaskgen", &mut out);
    present::stdout(&String::from_utf8_lossy(&out));
    Ok(())
}
