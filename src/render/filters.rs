//! Filters for kit authors: a value kept intact where tera has no escaping
//! of its own. Each returns the whole quoted literal, quotes included:
//!
//! | context                          | filter              |
//! |----------------------------------|---------------------|
//! | shell (`sh`, bash, a `RUN` line) | `shell_quote`       |
//! | Dockerfile `LABEL`, `ENV`, `ARG` | `dockerfile_string` |
//! | YAML                             | `yaml_string`       |
//! | TOML                             | `toml_string`       |
//! | JSON                             | tera's `json_encode`|
//!
//! And for text that is shown, not run (file names found in a project):
//!
//! | context                                  | filter     |
//! |------------------------------------------|------------|
//! | a comment line (env file, Dockerfile)    | `one_line` |
//! | Markdown text (a table cell, a list)     | `md_text`  |
//! | Markdown inline code, in a table or not  | `md_code`  |
//!
//! `from_json` reads a string variable that holds a JSON document (a kit's
//! structured value: variables are strings, numbers or booleans) as that
//! document, for `{% set facts = facts | from_json %}`.
//!
//! Strings, numbers and booleans are taken as their text; anything else is
//! an error, and so is a value a context cannot hold (a NUL for a shell, a
//! line break for a Dockerfile).

use std::collections::HashMap;
use std::fmt::Write as _;

use tera::{Tera, Value};

type Args = HashMap<String, Value>;

/// Registers every filter of this module.
pub fn register(tera: &mut Tera) {
    tera.register_filter("shell_quote", |v: &Value, _: &Args| {
        text("shell_quote", v)
            .and_then(|s| shell_quote(&s))
            .map(Value::String)
    });
    tera.register_filter("dockerfile_string", |v: &Value, _: &Args| {
        text("dockerfile_string", v)
            .and_then(|s| dockerfile_string(&s))
            .map(Value::String)
    });
    tera.register_filter("yaml_string", |v: &Value, _: &Args| {
        text("yaml_string", v).map(|s| Value::String(yaml_string(&s)))
    });
    tera.register_filter("toml_string", |v: &Value, _: &Args| {
        text("toml_string", v).map(|s| Value::String(toml_string(&s)))
    });
    tera.register_filter("one_line", |v: &Value, _: &Args| {
        text("one_line", v).map(|s| Value::String(crate::text::escape(&s)))
    });
    tera.register_filter("md_text", |v: &Value, _: &Args| {
        text("md_text", v).map(|s| Value::String(md_text(&s)))
    });
    tera.register_filter("md_code", |v: &Value, _: &Args| {
        text("md_code", v).map(|s| Value::String(md_code(&s)))
    });
    tera.register_filter("from_json", |v: &Value, _: &Args| {
        let s = text("from_json", v)?;
        serde_json::from_str(&s)
            .map_err(|e| tera::Error::msg(format!("from_json: not a JSON document: {e}")))
    });
}

/// Markdown text at the start of a table cell or list item that shows `s`
/// as it is: control characters escaped (one line); each character that
/// could start code, emphasis, a link, HTML, an entity, strikethrough or a
/// cell boundary backslash-escaped; and so is a first character that could
/// start a heading, a list or a quote (`#`, `-`, `+`, `>`…), or the `.`/`)`
/// after leading digits (`1. `).
pub fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in crate::text::escape(s).chars().enumerate() {
        let special = "\\`*_[]<>|&~".contains(c)
            || (i == 0 && c.is_ascii_punctuation())
            || (i == digits && i > 0 && ".)".contains(c));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Markdown code span holding `s`: fenced with more backticks than any run
/// inside, padded when `s` starts or ends with one, control characters
/// escaped, and `|` written `\|` (a GitHub table cell ends at a bare `|`,
/// even inside code, and shows `\|` as `|`).
pub fn md_code(s: &str) -> String {
    let s = crate::text::escape(s).replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// The text of a string, number or boolean.
fn text(filter: &str, v: &Value) -> tera::Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(_) | Value::Bool(_) => Ok(v.to_string()),
        _ => Err(tera::Error::msg(format!(
            "the {filter} filter takes a string, a number or a boolean, not {v}"
        ))),
    }
}

/// POSIX single quotes: nothing inside is special but `'` itself, which is
/// closed, escaped and reopened (`'it'\''s'`). A word for sh, bash, zsh.
pub fn shell_quote(s: &str) -> tera::Result<String> {
    if s.contains('\0') {
        return Err(tera::Error::msg(
            "shell_quote: a shell word cannot hold a NUL character",
        ));
    }
    Ok(format!("'{}'", s.replace('\'', r"'\''")))
}

/// A double-quoted Dockerfile word for `LABEL`, `ENV` or `ARG` with the
/// default escape character `\`: `\`, `"` and `$` escaped, so no variable is
/// expanded. A Dockerfile instruction cannot hold a line break, so a value
/// with one is refused.
pub fn dockerfile_string(s: &str) -> tera::Result<String> {
    if s.contains(['\n', '\r', '\0']) {
        return Err(tera::Error::msg(
            "dockerfile_string: a Dockerfile value cannot hold a line break or NUL",
        ));
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// A YAML double-quoted scalar: `\` and `"` escaped, and every character a
/// YAML parser could take for a line break or refuse (controls, DEL, C1,
/// U+2028/U+2029, the byte-order mark, non-characters) written as an escape.
pub fn yaml_string(s: &str) -> String {
    double_quoted(s, |c| match c {
        '\0' => Some(r"\0"),
        '\u{1b}' => Some(r"\e"),
        '\u{85}' => Some(r"\N"),
        '\u{2028}' => Some(r"\L"),
        '\u{2029}' => Some(r"\P"),
        _ => None,
    })
}

/// A TOML basic string: `\` and `"` escaped, controls, DEL, C1,
/// U+2028/U+2029, the byte-order mark and non-characters as `\uXXXX`.
pub fn toml_string(s: &str) -> String {
    double_quoted(s, |_| None)
}

/// `s` in double quotes with the escapes YAML and TOML share, `special`'s
/// first, and `\uXXXX` for whatever else [`needs_escape`] names.
fn double_quoted(s: &str, special: fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match (special(c), c) {
            (Some(e), _) => out.push_str(e),
            (None, '\\') => out.push_str(r"\\"),
            (None, '"') => out.push_str(r#"\""#),
            (None, '\t') => out.push_str(r"\t"),
            (None, '\n') => out.push_str(r"\n"),
            (None, '\r') => out.push_str(r"\r"),
            (None, c) if needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            (None, c) => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters written as escapes in YAML and TOML strings: C0 and C1
/// controls, DEL, line and paragraph separators, the byte-order mark and
/// the non-characters U+FFFE/U+FFFF.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values that break a naive template: quotes of both kinds, backslashes,
    /// variables, comment and mapping markers, line breaks of every kind.
    pub const HOSTILE: &[&str] = &[
        "",
        "plain",
        "it's \"quoted\"",
        r"back\slash\\ and \n and \u0041 and \",
        "$HOME ${X} ${X:-d} $(touch pwned) `id` $1 \\$",
        "# not a comment",
        "key: value",
        "- item",
        "{a: [b]}",
        "a\nb\r\nc\td",
        "line\u{2028}sep\u{2029}para\u{85}nel",
        "\u{1b}]0;title\u{7}\u{7f}\u{9b}",
        "\u{feff}bom \u{fffe} \u{ffff}",
        "  leading and trailing  ",
        "caf\u{e9} \u{1F600} \u{10FFFF}",
        "'''\"\"\"",
        "true",
        "0x10",
        "~",
        "null",
    ];

    /// Every scalar value, in chunks: nothing is lost in TOML.
    fn every_char() -> Vec<String> {
        let all: Vec<char> = (0..=0x10FFFFu32).filter_map(char::from_u32).collect();
        all.chunks(4096).map(|c| c.iter().collect()).collect()
    }

    #[test]
    fn toml_string_survives_the_toml_parser() {
        #[derive(serde::Deserialize)]
        struct Doc {
            v: String,
        }
        let chunks = every_char();
        for value in HOSTILE
            .iter()
            .map(|s| s.to_string())
            .chain(chunks.iter().cloned())
        {
            let doc = format!("v = {}\n", toml_string(&value));
            let parsed: Doc = toml::from_str(&doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
            assert_eq!(parsed.v, value);
        }
    }

    /// What the filters produce is one line of visible text (nothing a
    /// terminal or a line-based tool could trip on).
    #[test]
    fn yaml_and_toml_strings_are_one_visible_line() {
        for value in every_char()
            .iter()
            .map(String::as_str)
            .chain(HOSTILE.iter().copied())
        {
            for out in [yaml_string(value), toml_string(value)] {
                assert!(!out.chars().any(needs_escape), "{out:?}");
            }
        }
        assert_eq!(yaml_string("a\u{2028}\"\\"), r#""a\L\"\\""#);
        assert_eq!(toml_string("a\u{2028}\"\\\u{1b}"), r#""a\u2028\"\\\u001b""#);
    }

    /// tera's json_encode, which the README recommends for JSON, keeps every
    /// value intact for serde_json.
    #[test]
    fn json_encode_survives_the_json_parser() {
        let mut tera = Tera::default();
        tera.add_raw_template("t", "{{ v | json_encode() }}")
            .unwrap();
        for value in HOSTILE {
            let mut ctx = tera::Context::new();
            ctx.insert("v", value);
            let out = tera.render("t", &ctx).unwrap();
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(&back, value);
        }
    }

    #[test]
    fn shell_quote_is_single_quotes() {
        assert_eq!(shell_quote("").unwrap(), "''");
        assert_eq!(shell_quote("it's $X").unwrap(), r"'it'\''s $X'");
        assert!(shell_quote("a\0b").is_err());
    }

    #[test]
    fn dockerfile_string_escapes_what_expands() {
        assert_eq!(
            dockerfile_string(r#"a"b\c$HOME${X}"#).unwrap(),
            r#""a\"b\\c\$HOME\${X}""#
        );
        for broken in ["a\nb", "a\rb", "a\0b"] {
            let e = dockerfile_string(broken).unwrap_err();
            assert!(e.to_string().contains("line break"), "{e}");
        }
    }

    /// The filters work in a kit: registered, taking numbers and booleans,
    /// refusing lists with a message naming the filter.
    #[test]
    fn filters_are_registered_and_check_their_input() {
        let mut tera = Tera::default();
        register(&mut tera);
        let mut ctx = tera::Context::new();
        ctx.insert("port", &8080);
        ctx.insert("on", &true);
        ctx.insert("list", &["a"]);
        let render = |t: &str| {
            let mut tera = tera.clone();
            tera.add_raw_template("t", t).unwrap();
            tera.render("t", &ctx)
        };
        assert_eq!(
            render("{{ port | shell_quote }} {{ on | yaml_string }} {{ port | toml_string }} {{ port | dockerfile_string }}")
                .unwrap(),
            r#"'8080' "true" "8080" "8080""#
        );
        let e = render("{{ list | toml_string }}").unwrap_err();
        let chain = format!("{e} {:?}", std::error::Error::source(&e));
        assert!(chain.contains("toml_string"), "{chain}");
    }
}
