//! The subcommands, a file each; each reads as its pipeline over the
//! library's shared layers (see the crate's documentation):
//!
//! - `new`: inputs → template → resolve → render → write → present;
//! - `update`: recover → the answers file (inputs) → the base and target
//!   templates (`update::source`, through `git`) → resolve → render both →
//!   `update::plan` merges against the disk → write (journal) → present;
//! - `init`: recover → `files` + `inspect` (the project, read as untrusted)
//!   → resolve → render (`templates/init`) → write → present;
//! - `check`: `files` + `inspect` → `audit`'s rules → present (human, JSON,
//!   SARIF).
//!
//! `list`, `template`, `completions` and `man` are small and read the same
//! tables.

pub mod check;
mod completions;
pub mod init;
mod list;
mod man;
mod new;
mod template;
pub mod update;

use anyhow::Result;

use crate::cli::{Cli, Command, TemplateCommand};
use crate::present::Printer;

/// Finishes a write into `root` that a kill interrupted, and says so: the
/// first step of every command that replaces files in a project.
fn recover(root: &std::path::Path, printer: Printer) -> Result<()> {
    let shown = root.display().to_string();
    let r = crate::write::recover(root, &|| {
        printer.status(
            "Waiting",
            &format!("for another flaskgen to finish writing {shown}"),
        )
    })?;
    crate::present::recovered(&r, root, printer);
    Ok(())
}

pub fn run(cli: Cli, printer: Printer) -> Result<()> {
    match cli.command {
        Command::New(args) => new::run(args, printer),
        Command::Check(args) => check::run(args, printer),
        Command::Init(args) => init::run(args, printer),
        Command::Update(args) => update::run(args, printer),
        Command::List { json, config } => list::run(json, config.no_config),
        Command::Completions { shell } => completions::run(shell),
        Command::Man { command, dir } => man::run(&command, dir.as_deref(), printer),
        Command::Template(TemplateCommand::Init { dir }) => template::init(&dir, printer),
        Command::Template(TemplateCommand::Check { source, git_ref }) => {
            template::check(&source, git_ref.as_deref(), printer)
        }
    }
}
