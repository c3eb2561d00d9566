//! flaskgen: scaffolds containerized Flask web apps, and adopts, audits and
//! updates them.
//!
//! Four commands share one set of layers, a module (or folder) each:
//!
//! - `cli`: the command line; `inputs`: every given value (flags, `-d`,
//!   answers file, environment, config) as a `Given` with its source, and the
//!   one precedence function; `values`: each value's kind and its one rule
//!   (the pinned-tag rule and the supported Pythons among them);
//!   `resolve` + `prompt`: values settled, asked for when allowed;
//! - `template`: the sources (built-in, directory, git) and their manifest;
//!   `render`: a plan of files in memory, paths confined to the project;
//! - `write`: puts a plan on disk, a new project atomically, an existing one
//!   through a journal that a kill cannot break (`write::recover` finishes it);
//! - `present` + `text`: status on stderr, requested output (listings, JSON,
//!   patches) on stdout, everything untrusted escaped; `error` turns an
//!   error's kind into the exit code; `interrupt` handles signals;
//! - `git`: the one runner of every git process (no prompts, a stall limit,
//!   credentials never shown); `vcs`: a new project's first commit;
//! - `files`: the one bounded reader of someone else's project (regular files
//!   inside it, a size cap per kind); `inspect`: what that project's code and
//!   files say (entry point, dependencies, port, …), with file and line;
//!   `verify`: `init --verify`, the container files proven on the local
//!   Docker engine (build, import, serve hardened, stop).
//!
//! The commands, a file each in `commands`: `new` (inputs → template →
//! resolve → render → write → present), `update` (the same render, twice: the
//! base and the target, merged three ways in `update` against the disk, then
//! written by the same writer), `init` (`files` → `inspect`, then render and
//! write as `new` does) and `check` (`files` → `inspect` → the rules of
//! `audit` → present).

pub mod audit;
pub mod cli;
pub mod commands;
pub mod dockerignore;
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
pub mod verify;
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
                present::stdout(&present::json::error(&e, code));
            }
            code
        }
    }
}
