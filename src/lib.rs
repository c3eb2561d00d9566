//! flaskgen: scaffolds containerized Flask web apps.
//!
//! One pipeline: `cli` → `resolve` (values, config, prompts) → `template`
//! → `render` (a plan in memory) → `write` (atomically) → `report`.

pub mod answers;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod interrupt;
pub mod manifest;
pub mod prompt;
pub mod render;
pub mod report;
pub mod resolve;
pub mod template;
pub mod update;
pub mod values;
pub mod vcs;
pub mod write;

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches};

/// `--color` as written on the command line, so clap's own errors and help obey it.
fn color_from_args(args: &[OsString]) -> clap::ColorChoice {
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        let v = match a.strip_prefix("--color=") {
            Some(v) => v.to_string(),
            None if a == "--color" => it.next().map(|v| v.to_string()).unwrap_or_default(),
            None => continue,
        };
        match v.as_str() {
            "always" => return clap::ColorChoice::Always,
            "never" => return clap::ColorChoice::Never,
            _ => {}
        }
    }
    clap::ColorChoice::Auto
}

/// Runs flaskgen with these arguments; returns the process exit code.
pub fn main_with(args: Vec<OsString>) -> i32 {
    let command = cli::Cli::command().color(color_from_args(&args));
    let matches = match command.try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let parsed = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let printer = report::Printer::new(parsed.color, parsed.quiet, parsed.verbose);
    match commands::run(parsed, &matches, printer) {
        Ok(()) => 0,
        Err(e) => {
            printer.error(&e);
            error::exit_code(&e)
        }
    }
}
