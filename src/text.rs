//! Text on its way to a terminal: anything that came from a kit, a file or
//! a user is escaped (no control characters, no forged lines), long values
//! are shortened, paths are quoted for a shell. Depends on nothing else in
//! flaskgen, so every stage can use it.

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
pub fn escape_lines(msg: &str) -> String {
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

/// `1 file`, `13 files`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
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
