//! A one-line text prompt that stays tidy when the answer wraps.
//!
//! dialoguer 0.12's `Input` clears only the terminal row its cursor is on
//! when an answer is accepted or rejected (upstream issue
//! console-rs/dialoguer#295): an answer that wraps past the terminal's
//! width leaves its first rows on screen. This prompt draws the whole
//! block (a rejected answer's message, the prompt, the answer) itself and
//! knows how many rows it occupies: every redraw goes back to the block's
//! first row and clears each of its rows. Keys as in dialoguer:
//! text, Backspace, Delete, arrows, Home/End (Ctrl-A/Ctrl-E), Enter; Ctrl-C
//! raises SIGINT (the terminal library does that).

use dialoguer::console::{measure_text_width, strip_ansi_codes, Key, Term};
use dialoguer::theme::Theme;

/// Turns the terminal's own echo and line editing off for the life of a
/// prompt, and puts the settings back when dropped (the signal handler puts
/// back the ones flaskgen started with).
struct NoEcho {
    saved: Option<libc::termios>,
}

impl NoEcho {
    fn start() -> NoEcho {
        // SAFETY: tcgetattr/tcsetattr on stdin, which is a terminal here.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::isatty(0) != 1 || libc::tcgetattr(0, &mut t) != 0 {
                return NoEcho { saved: None };
            }
            let saved = t;
            t.c_lflag &= !(libc::ECHO | libc::ICANON);
            libc::tcsetattr(0, libc::TCSANOW, &t);
            NoEcho { saved: Some(saved) }
        }
    }
}

impl Drop for NoEcho {
    fn drop(&mut self) {
        if let Some(t) = &self.saved {
            // SAFETY: as above; restores what start() read.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, t);
            }
        }
    }
}

/// Asks for one line of text on stderr. An empty answer takes `default`
/// (shown in the prompt); `validate` returns the message for an answer it
/// refuses, which is then cleared and asked again.
pub fn ask(
    theme: &dyn Theme,
    prompt: &str,
    default: Option<&str>,
    mut validate: impl FnMut(&str) -> Result<(), String>,
) -> dialoguer::Result<String> {
    let term = Term::stderr();
    if !term.is_term() {
        return Err(std::io::Error::new(std::io::ErrorKind::NotConnected, "not a terminal").into());
    }
    // Keys that arrive between two reads (a paste, fast typing) must not be
    // echoed by the terminal itself: the block could not clear them.
    let _no_echo = NoEcho::start();
    let mut block = Block {
        term: &term,
        theme,
        prompt,
        default,
        cursor_row: 0,
        rows: 1,
    };
    let mut text: Vec<char> = Vec::new();
    let mut at = 0;
    let mut error: Option<String> = None;
    block.draw(error.as_deref(), &text, at)?;
    loop {
        match term.read_key()? {
            Key::Char(c) if !c.is_control() => {
                text.insert(at, c);
                at += 1;
            }
            Key::Backspace if at > 0 => {
                at -= 1;
                text.remove(at);
            }
            Key::Del if at < text.len() => {
                text.remove(at);
            }
            Key::ArrowLeft if at > 0 => at -= 1,
            Key::ArrowRight if at < text.len() => at += 1,
            Key::Home => at = 0,
            Key::End => at = text.len(),
            Key::Enter => {
                let typed: String = text.iter().collect();
                let answer = match (typed.is_empty(), default) {
                    (true, Some(d)) => d.to_string(),
                    (true, None) => {
                        block.draw(error.as_deref(), &text, at)?;
                        continue;
                    }
                    (false, _) => typed,
                };
                match validate(&answer) {
                    Ok(()) => {
                        block.report(&answer)?;
                        return Ok(answer);
                    }
                    Err(e) => {
                        error = Some(e);
                        text.clear();
                        at = 0;
                    }
                }
            }
            _ => continue,
        }
        block.draw(error.as_deref(), &text, at)?;
    }
}

/// What the prompt has on screen: `rows` rows, the first `cursor_row` rows
/// above the cursor.
struct Block<'a> {
    term: &'a Term,
    theme: &'a dyn Theme,
    prompt: &'a str,
    default: Option<&'a str>,
    cursor_row: usize,
    rows: usize,
}

impl Block<'_> {
    fn width(&self) -> usize {
        usize::from(self.term.size().1).max(1)
    }

    /// Back to the block's first row, with each of its rows cleared (row by
    /// row: clearing to the end of the screen from its top-left corner
    /// would make tmux push the screen into its history).
    fn home(&self, out: &mut String) {
        if self.cursor_row > 0 {
            out.push_str(&format!("\x1b[{}A", self.cursor_row));
        }
        out.push_str("\r\x1b[2K");
        for _ in 1..self.rows {
            out.push_str("\x1b[B\x1b[2K");
        }
        if self.rows > 1 {
            out.push_str(&format!("\x1b[{}A", self.rows - 1));
        }
    }

    /// Redraws the block: the message of a refused answer, then the prompt
    /// and the text typed so far, with the cursor at `at`.
    fn draw(&mut self, error: Option<&str>, text: &[char], at: usize) -> std::io::Result<()> {
        let width = self.width();
        let mut out = String::new();
        self.home(&mut out);
        let mut pos = Pos::default();
        if let Some(e) = error {
            let mut line = String::new();
            let _ = self.theme.format_error(&mut line, e);
            pos = pos.after(&strip_ansi_codes(&line), width).next_row();
            out.push_str(&line.replace('\n', "\r\n"));
            out.push_str("\r\n");
        }
        let mut prompt = String::new();
        let _ = self
            .theme
            .format_input_prompt(&mut prompt, self.prompt, self.default);
        pos = pos.after(&strip_ansi_codes(&prompt), width);
        out.push_str(&prompt);
        let start = pos;
        let typed: String = text.iter().collect();
        out.push_str(&typed);
        let mut end = start.after(&typed, width);
        // At the right margin the terminal waits to wrap; wrap now, so the
        // cursor's row is known.
        if end.col >= width {
            out.push_str("\r\n");
            end = end.next_row();
        }
        let before: String = text[..at].iter().collect();
        let mut cursor = start.after(&before, width);
        let next = text.get(at).map_or(0, |c| char_width(*c));
        if cursor.col >= width || cursor.col + next > width {
            cursor = cursor.next_row();
        }
        if end.row > cursor.row {
            out.push_str(&format!("\x1b[{}A", end.row - cursor.row));
        }
        out.push('\r');
        if cursor.col > 0 {
            out.push_str(&format!("\x1b[{}C", cursor.col));
        }
        self.cursor_row = cursor.row;
        self.rows = end.row + 1;
        self.term.write_str(&out)?;
        self.term.flush()
    }

    /// Replaces the block with the one line that reports the answer.
    fn report(&mut self, answer: &str) -> std::io::Result<()> {
        let mut out = String::new();
        self.home(&mut out);
        let _ = self.theme.format_input_prompt_selection(
            &mut out,
            self.prompt,
            &crate::text::escape(answer),
        );
        out.push_str("\r\n");
        self.cursor_row = 0;
        self.rows = 1;
        self.term.write_str(&out)?;
        self.term.flush()
    }
}

/// A place on screen relative to the block's first row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Pos {
    row: usize,
    col: usize,
}

impl Pos {
    fn next_row(self) -> Pos {
        Pos {
            row: self.row + 1,
            col: 0,
        }
    }

    /// Where the terminal's cursor is after `text` (without escape codes) is
    /// written from here: a character that does not fit goes to the next
    /// row; `col == width` means the row is full and the wrap pending.
    fn after(mut self, text: &str, width: usize) -> Pos {
        for c in text.chars() {
            if c == '\n' {
                self = self.next_row();
                continue;
            }
            let w = char_width(c);
            if self.col + w > width {
                self = self.next_row();
            }
            self.col += w;
        }
        self
    }
}

fn char_width(c: char) -> usize {
    measure_text_width(c.encode_utf8(&mut [0; 4]))
}

#[cfg(test)]
mod tests {
    use super::Pos;

    fn at(row: usize, col: usize) -> Pos {
        Pos { row, col }
    }

    #[test]
    fn the_cursor_follows_the_terminals_wrapping() {
        let start = Pos::default();
        assert_eq!(start.after("abc", 10), at(0, 3));
        assert_eq!(
            start.after("0123456789", 10),
            at(0, 10),
            "full row: wrap pending"
        );
        assert_eq!(start.after("0123456789a", 10), at(1, 1));
        assert_eq!(start.after(&"x".repeat(25), 10), at(2, 5));
        assert_eq!(start.after("ab\ncd", 10), at(1, 2));
        // A double-width character that does not fit goes whole to the next row.
        assert_eq!(start.after("012345678\u{4e2d}", 10), at(1, 2));
        assert_eq!(at(0, 7).after("", 10), at(0, 7));
    }
}
