//! flaskgen: scaffolds containerized Flask web apps.
//!
//! One pipeline, a module (or folder) per stage:
//! `cli` (the command line) → `inputs` (every given value from flags,
//! answers file, environment and config, and the one precedence function)
//! → `template` (sources and their manifest) → `resolve` (values settled,
//! with `prompt` when allowed; each checked by its rule in `values`) →
//! `render` (a plan in memory) → `write` (atomically) → `present` (status,
//! listings, JSON). `commands` holds a file per subcommand; `error` is the
//! one place an error becomes an exit code; `interrupt` handles signals;
//! `git` runs every git process (clones, update's checkouts, commits).

pub mod audit;
pub mod cli;
pub mod commands;
pub mod error;
pub mod files;
pub mod git;
pub mod inputs;
pub mod inspect;
pub mod interrupt;
pub mod present;
pub mod prompt;
pub mod render;
pub mod resolve;
pub mod template;
pub mod text;
pub mod update;
pub mod values;
pub mod vcs;
pub mod write;

use std::ffi::OsString;

use clap::FromArgMatches;

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
    let command = cli::command().color(color_from_args(&args));
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
    let printer = present::Printer::new(parsed.color, parsed.quiet, parsed.verbose);
    let json = parsed.wants_json();
    match commands::run(parsed, printer) {
        Ok(()) => 0,
        Err(e) => {
            let code = error::exit_code(&e);
            printer.error(&e);
            if json && !present::answered() {
                present::stdout(&present::plan::json_error(&e, code));
            }
            code
        }
    }
}
