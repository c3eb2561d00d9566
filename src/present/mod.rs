//! Output: status and progress to stderr (silenced by --quiet), requested
//! output to stdout, colour only where allowed, and anything that came from
//! a kit, a file or a user shown with its control characters escaped.

pub mod plan;

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
                escape_lines(msg)
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
            self.line(&self.paint(DIM, &escape_lines(msg)));
        }
    }

    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            self.line(&format!(
                "{} {}",
                self.paint(YELLOW, "warning:"),
                escape_lines(msg)
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
            escape_lines(&msg)
        ));
        if self.verbose {
            for cause in err.chain().skip(1) {
                self.line(&format!(
                    "  {} {}",
                    self.paint(DIM, "caused by:"),
                    escape_lines(&cause.to_string())
                ));
            }
        }
    }
}

/// Requested output (JSON, completions, man page): stdout, never silenced.
pub fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// `1 file`, `13 files`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

pub fn human_bytes(n: usize) -> String {
    if n < 1024 {
        format!("{n} B")
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}

/// Values longer than this are shortened in messages.
const SHOWN_CHARS: usize = 60;

/// Whether a character must not reach a terminal as it is: C0 and C1
/// controls, DEL, and the Unicode line/paragraph separators and bidi
/// controls that can forge lines or reorder what is shown.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `s` with every unsafe character escaped (`\x1b`, `\n`, `\u{2028}`):
/// for anything from a kit, a file or a user on its way to a terminal.
pub fn escape(s: &str) -> String {
    if !s.chars().any(is_unsafe) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && is_unsafe(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A whole message: each line escaped, the line breaks kept (flaskgen's own).
fn escape_lines(msg: &str) -> String {
    if !msg.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return msg.to_string();
    }
    msg.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

/// A long value cut to its start, saying how long it was.
pub fn shorten(s: &str) -> String {
    match s.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &s[..cut], s.len()),
        None => s.to_string(),
    }
}

/// A value as error messages show it: quoted, escaped and shortened.
pub fn quote(s: &str) -> String {
    let short = shorten(s);
    let mut out = String::from("\"");
    for c in escape(&short).chars() {
        if c == '"' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A path for a shell: as it is when it needs no quoting, else in single quotes.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", escape(s).replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("plain-name"), "plain-name");
        assert_eq!(escape("a\x1b]0;pwned\x07b"), "a\\x1b]0;pwned\\x07b");
        assert_eq!(escape("two\nlines"), "two\\nlines");
        assert_eq!(escape("x\u{2028}y\u{202e}z"), "x\\u{2028}y\\u{202e}z");
        assert_eq!(escape("\u{9b}31m"), "\\x9b31m");
        assert_eq!(escape_lines("ours\nyours\x1b[2J"), "ours\nyours\\x1b[2J");
    }

    #[test]
    fn long_values_are_shortened_with_their_length() {
        let long = "a".repeat(10_000_000);
        let q = quote(&long);
        assert!(q.len() < 120, "{}", q.len());
        assert!(q.contains("10000000 bytes"), "{q}");
        assert_eq!(quote("say \"hi\""), "\"say \\\"hi\\\"\"");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(shell_quote("svc"), "svc");
        assert_eq!(shell_quote("out/svc"), "out/svc");
        assert_eq!(shell_quote("with space/dir"), "'with space/dir'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$(rm)"), "'$(rm)'");
    }
}
