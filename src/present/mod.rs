//! Output: status and progress to stderr (silenced by --quiet), requested
//! output to stdout, colour only where allowed, and anything that came from
//! a kit, a file or a user shown with its control characters escaped.

pub mod json;
pub mod plan;

pub use crate::text::{count, escape, quote, shell_quote, shorten};

use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};

use crate::cli::ColorChoice;

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub quiet: bool,
    pub verbose: bool,
    pub color: bool,
}

pub const GREEN: Style = AnsiColor::Green.on_default().bold();
pub const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
pub const RED: Style = AnsiColor::Red.on_default().bold();
pub const CYAN: Style = AnsiColor::Cyan.on_default();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();

/// Whether colour is allowed on stderr: `always`/`never` win; `auto` needs a
/// terminal, no NO_COLOR (any non-empty value) and a TERM other than dumb.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
                && std::io::stderr().is_terminal()
        }
    }
}

impl Printer {
    pub fn new(choice: ColorChoice, quiet: bool, verbose: bool) -> Printer {
        Printer {
            quiet,
            verbose,
            color: use_color(choice),
        }
    }

    pub fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn line(&self, text: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    /// A status line, cargo-style: a right-aligned verb, then the message.
    pub fn status(&self, verb: &str, msg: &str) {
        if !self.quiet {
            self.line(&format!(
                "{} {}",
                self.paint(GREEN, &format!("{verb:>12}")),
                escape(msg)
            ));
        }
    }

    /// Plain informational text on stderr.
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            self.line(msg);
        }
    }

    /// Only with --verbose.
    pub fn detail(&self, msg: &str) {
        if self.verbose {
            self.line(&self.paint(DIM, &escape(msg)));
        }
    }

    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            self.line(&format!(
                "{} {}",
                self.paint(YELLOW, "warning:"),
                escape(msg)
            ));
        }
    }

    /// One line: what went wrong, with its root cause; --verbose adds the chain.
    pub fn error(&self, err: &anyhow::Error) {
        let top = err.to_string();
        let root = err.root_cause().to_string();
        let mut msg = top.clone();
        if !self.verbose && root != top && !top.contains(&root) {
            msg = format!("{top}: {root}");
        }
        self.line(&format!(
            "{} {}",
            self.paint(RED, "error:"),
            continued(&msg)
        ));
        if self.verbose {
            for cause in err.chain().skip(1) {
                self.line(&format!(
                    "  {} {}",
                    self.paint(DIM, "caused by:"),
                    continued(&cause.to_string())
                ));
            }
        }
    }
}

/// Says what [`crate::write::recover`] did to `root`, in one line (and a
/// warning for each aside folder an older flaskgen left).
pub fn recovered(r: &crate::write::journal::Recovered, root: &std::path::Path, printer: Printer) {
    let shown = root.display().to_string();
    if let Some(command) = &r.command {
        let how = if r.rolled_back {
            "could not finish it, so undid it"
        } else {
            "rolled forward"
        };
        printer.status(
            "Recovered",
            &format!(
                "an interrupted {command} of {shown}: {how} {} file(s)",
                r.files
            ),
        );
    } else if r.swept > 0 {
        printer.status(
            "Recovered",
            &format!(
                "{shown}: removed {} staging folder(s) an interrupted write left",
                r.swept
            ),
        );
    }
    for name in &r.kept {
        printer.warn(&format!(
            "{} holds files an interrupted older flaskgen moved aside (perhaps your edits); look inside, then remove it",
            root.join(name).display()
        ));
    }
}

/// A message of several lines (git's own, quoted in an error): each line
/// escaped, and every line after the first indented, so no line of it can
/// pass for a line of flaskgen's own (`error:`, a status verb).
fn continued(msg: &str) -> String {
    msg.split('\n')
        .map(escape)
        .collect::<Vec<_>>()
        .join("\n    ")
}

/// Whether the requested output has been written: a command that fails
/// after it (check's findings, update's conflicts) has given its answer,
/// so its error is not written to stdout a second time.
static ANSWERED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn answered() -> bool {
    ANSWERED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Requested output (JSON, completions, man page): stdout, never silenced.
pub fn stdout(text: &str) {
    ANSWERED.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

pub fn human_bytes(n: usize) -> String {
    if n < 1024 {
        format!("{n} B")
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}
