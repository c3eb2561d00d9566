//! Interactive questions (dialoguer), each validated as typed by the same
//! rule the flags use. Only asked when stdin and stderr are terminals, no
//! `--yes` was given and no CI variable is set. A kit's prompts and choices
//! are shown with their control characters escaped.

mod line;

use std::path::PathBuf;

use anyhow::{anyhow, Result};
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Select};

use crate::interrupt;
use crate::text::escape;
use crate::values::{Kind, Value, Variable, SUGGESTED_BASE_IMAGES};

/// Why flaskgen may not ask, or `None` when it may: `--yes`, a CI variable
/// (set to anything but empty, `0` or `false`), or a stream that is not a
/// terminal, named.
pub fn why_not_interactive(yes: bool) -> Option<&'static str> {
    use std::io::IsTerminal;
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    if yes {
        Some("--yes was given")
    } else if ci {
        Some("the CI environment variable is set")
    } else if !std::io::stdin().is_terminal() {
        Some("stdin is not a terminal")
    } else if !std::io::stderr().is_terminal() {
        Some("stderr is not a terminal")
    } else {
        None
    }
}

pub struct Prompter {
    theme: Box<dyn Theme>,
    /// Where projects go, when an occupied target should be caught at the name prompt.
    output_dir: Option<PathBuf>,
    /// The terminal's width in columns: messages and list entries are fitted to it.
    width: usize,
}

/// A prompt that failed. A Ctrl-C reported as an interrupted read (should the
/// signal not have ended the run already) ends it the same way.
fn cancelled(e: dialoguer::Error) -> anyhow::Error {
    let dialoguer::Error::IO(io) = &e;
    if io.kind() == std::io::ErrorKind::Interrupted {
        interrupt::exit_now();
    }
    anyhow!("prompt cancelled ({e}); nothing was written")
}

impl Prompter {
    pub fn new(color: bool) -> Prompter {
        let theme: Box<dyn Theme> = if color {
            Box::new(ColorfulTheme::default())
        } else {
            Box::new(SimpleTheme)
        };
        Prompter {
            theme,
            output_dir: None,
            width: usize::from(dialoguer::console::Term::stderr().size().1),
        }
    }

    /// Makes the name prompt refuse names whose directory under `dir` is occupied,
    /// instead of failing after every other question.
    pub fn refuse_occupied_names_in(mut self, dir: PathBuf) -> Prompter {
        self.output_dir = Some(dir);
        self
    }

    /// Asks for one variable, offering `default`; returns a valid value.
    pub fn ask(&self, var: &Variable, default: Option<&Value>) -> Result<Value> {
        let theme = self.theme.as_ref();
        match &var.kind {
            Kind::Bool => {
                let d = matches!(default, Some(Value::Bool(true)));
                Ok(Value::Bool(self.yes_no(&var.prompt, d)?))
            }
            Kind::Choice(choices) => {
                let current = default.map(|d| d.to_string());
                let idx = choices
                    .iter()
                    .position(|c| Some(c) == current.as_ref())
                    .unwrap_or(0);
                let pick = self.select(&var.prompt, choices, idx)?;
                Ok(Value::Str(choices[pick].clone()))
            }
            Kind::BaseImage => {
                let default = default
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| SUGGESTED_BASE_IMAGES[0].0.into());
                let mut items: Vec<String> = vec![default.clone()];
                items.extend(
                    SUGGESTED_BASE_IMAGES
                        .iter()
                        .map(|(i, _)| i.to_string())
                        .filter(|i| *i != default),
                );
                let other = "other… (type any image reference)".to_string();
                // One terminal line per entry: a hint that would wrap is cut short.
                let labels: Vec<String> = items
                    .iter()
                    .map(
                        |i| match SUGGESTED_BASE_IMAGES.iter().find(|(s, _)| s == i) {
                            Some((_, why)) => fit(&format!("{i:<20} {why}"), self.width),
                            None => i.clone(),
                        },
                    )
                    .chain(std::iter::once(other))
                    .collect();
                // The widget would echo the whole label, hint included; the
                // answer line shows just the image, as the other prompts do.
                let pick = Select::with_theme(theme)
                    .with_prompt(escape(&var.prompt))
                    .items(&labels)
                    .default(0)
                    .report(false)
                    .interact()
                    .map_err(cancelled)?;
                if pick < items.len() {
                    let mut line = String::new();
                    theme.format_select_prompt_selection(
                        &mut line,
                        &escape(&var.prompt),
                        &items[pick],
                    )?;
                    dialoguer::console::Term::stderr().write_line(&line)?;
                    return Ok(Value::Str(items[pick].clone()));
                }
                self.text(var, Some(&Value::Str(default)))
            }
            _ => self.text(var, default),
        }
    }

    fn text(&self, var: &Variable, default: Option<&Value>) -> Result<Value> {
        let occupied_in = self.output_dir.clone().filter(|_| var.name == "name");
        let default = default.map(|d| d.to_string());
        let raw = self.line(&var.prompt, default.as_deref(), |s| {
            var.kind.check(s)?;
            match &occupied_in {
                Some(dir) if crate::write::occupied(&dir.join(s)) => Err(format!(
                    "{} already exists and is not empty; choose another name (or --force)",
                    dir.join(s).display()
                )),
                _ => Ok(()),
            }
        })?;
        Ok(var.parse(&raw, " (prompt)")?)
    }

    /// Asks for one line of text (the prompt shown escaped), offering
    /// `default`; an answer `check` refuses is asked again under the rule it
    /// returns.
    pub fn line<T>(
        &self,
        prompt: &str,
        default: Option<&str>,
        check: impl Fn(&str) -> Result<T, String>,
    ) -> Result<String> {
        // Rejection messages are broken into lines that fit the terminal.
        let width = self.width;
        line::ask(self.theme.as_ref(), &escape(prompt), default, |s| {
            check(s).map(|_| ()).map_err(|e| wrap(&e, width))
        })
        .map_err(cancelled)
    }

    /// One of `items` (shown escaped), `default` highlighted; its index.
    pub fn select(&self, prompt: &str, items: &[String], default: usize) -> Result<usize> {
        let shown: Vec<String> = items.iter().map(|c| escape(c)).collect();
        Select::with_theme(self.theme.as_ref())
            .with_prompt(escape(prompt))
            .items(&shown)
            .default(default)
            .interact()
            .map_err(cancelled)
    }

    /// A yes/no question (shown escaped), Enter taking `default`.
    pub fn yes_no(&self, question: &str, default: bool) -> Result<bool> {
        Confirm::with_theme(self.theme.as_ref())
            .with_prompt(escape(question))
            .default(default)
            .interact()
            .map_err(cancelled)
    }

    pub fn confirm(&self, question: &str) -> Result<bool> {
        self.yes_no(question, true)
    }
}

/// Breaks `text` into lines that fit a terminal `width` columns wide, leaving
/// room for the theme's prefix (`error: ` or `✘ `). Words are never split.
fn wrap(text: &str, width: usize) -> String {
    const PREFIX: usize = 8;
    let room = width.saturating_sub(PREFIX).max(20);
    let mut out = String::with_capacity(text.len() + 8);
    let mut line = 0;
    for word in text.split(' ') {
        let len = word.chars().count();
        if line > 0 && line + 1 + len > room {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
    }
    out
}

/// `text` cut to fit one line of a `width`-column terminal after the
/// widget's marker, ending in `…` when it was cut.
fn fit(text: &str, width: usize) -> String {
    const MARKER: usize = 4;
    let room = width.saturating_sub(MARKER).max(24);
    if text.chars().count() <= room {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(room - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::{fit, wrap};

    #[test]
    fn list_entries_fit_one_line() {
        let label = "python:3.14-slim     Debian slim, current Python: the safe default";
        assert_eq!(fit(label, 200), label);
        let cut = fit(label, 40);
        assert_eq!(cut.chars().count(), 36);
        assert!(
            cut.starts_with("python:3.14-slim") && cut.ends_with('…'),
            "{cut}"
        );
        assert!(fit(label, 0).chars().count() <= 24);
    }

    #[test]
    fn wrapped_messages_fit_and_keep_every_word() {
        let text = "use 1-63 lowercase letters, digits, separated by `.`, `_`, `__` or dashes, starting and ending with a letter or digit, so it works as a directory and an image name (did you mean `hello-world`?)";
        for width in [40, 80, 120, 300] {
            let wrapped = wrap(text, width);
            assert!(
                wrapped.lines().all(|l| l.chars().count() <= width - 8),
                "{width}: {wrapped}"
            );
            assert_eq!(wrapped.replace('\n', " "), text);
        }
        assert_eq!(wrap(text, 300), text, "one line when it fits");
        assert_eq!(wrap("short", 0), "short");
    }
}
