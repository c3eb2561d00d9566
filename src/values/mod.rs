//! The values a project is made from: their kinds, the one rule for each
//! kind (used by flags, environment, config, answers, prompts and
//! `--define` alike), and where each resolved value came from.

pub mod builtins;
pub mod python;
pub mod reference;

use std::fmt;
use std::path::PathBuf;

use regex::Regex;
use serde::Serialize;

use crate::error::InputError;
pub use builtins::{BUILTINS, DEFAULT_BASE_IMAGE, SUGGESTED_BASE_IMAGES};
pub use python::{python_minor, tag_pin, Pin};
use reference::{is_path_component, parse_reference};

/// A variable name: a tera identifier (letters, digits, `_`, not starting with a digit).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The text of a TOML scalar (string, integer, boolean), to be checked like
/// any other raw input; anything else gives its TOML type name back.
pub fn scalar_text(v: &toml::Value) -> Result<String, &'static str> {
    match v {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        other => Err(other.type_str()),
    }
}

/// A resolved value, as templates and the answers file see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn to_toml(&self) -> toml::Value {
        match self {
            Value::Str(s) => toml::Value::String(s.clone()),
            Value::Int(i) => toml::Value::Integer(*i),
            Value::Bool(b) => toml::Value::Boolean(*b),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// What a variable may hold. Each kind has exactly one rule: [`Kind::check`].
#[derive(Debug, Clone)]
pub enum Kind {
    Name,
    Port,
    BaseImage,
    Image,
    Str { regex: Option<Regex> },
    Int { min: Option<i64>, max: Option<i64> },
    Bool,
    Choice(Vec<String>),
}

impl Kind {
    /// The kind of a built-in variable, or `None` for any other name.
    pub fn builtin(name: &str) -> Option<Kind> {
        builtins::builtin(name).map(builtins::Builtin::kind)
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Int { .. } | Kind::Port => "int",
            Kind::Bool => "bool",
            Kind::Choice(_) => "choice",
            _ => "string",
        }
    }

    /// A valid value of this kind, for error messages.
    pub fn example(&self) -> String {
        match self {
            Kind::Name => BUILTINS[0].example.into(),
            Kind::Port => BUILTINS[1].example.into(),
            Kind::BaseImage => BUILTINS[2].example.into(),
            Kind::Image => BUILTINS[3].example.into(),
            Kind::Str { .. } => "some-text".into(),
            Kind::Int { min, max } => min.or(*max).unwrap_or(1).to_string(),
            Kind::Bool => "true".into(),
            Kind::Choice(c) => c.first().cloned().unwrap_or_default(),
        }
    }

    /// Checks `raw` against this kind's rule. On failure, returns the rule
    /// (and a suggestion where one can be made), not yet naming the field.
    pub fn check(&self, raw: &str) -> Result<Value, String> {
        match self {
            Kind::Name => check_name(raw).map(Value::Str),
            Kind::Port => check_port(raw).map(|p| Value::Int(p.into())),
            Kind::BaseImage => check_base_image(raw).map(Value::Str),
            Kind::Image => check_image(raw).map(Value::Str),
            Kind::Str { regex } => {
                if raw.chars().any(char::is_control) {
                    return Err("must not contain control characters".into());
                }
                match regex {
                    Some(re) if !re.is_match(raw) => {
                        Err(format!("must match the pattern {}", re.as_str()))
                    }
                    _ => Ok(Value::Str(raw.to_string())),
                }
            }
            Kind::Int { min, max } => {
                let range = match (min, max) {
                    (Some(a), Some(b)) => format!("a whole number from {a} to {b}"),
                    (Some(a), None) => format!("a whole number of at least {a}"),
                    (None, Some(b)) => format!("a whole number of at most {b}"),
                    (None, None) => "a whole number".to_string(),
                };
                let n: i64 = raw.trim().parse().map_err(|_| format!("must be {range}"))?;
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    return Err(format!("must be {range}"));
                }
                Ok(Value::Int(n))
            }
            Kind::Bool => match raw.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" | "on" => Ok(Value::Bool(true)),
                "false" | "no" | "n" | "0" | "off" => Ok(Value::Bool(false)),
                _ => Err("must be true or false".into()),
            },
            Kind::Choice(choices) => {
                if choices.iter().any(|c| c == raw) {
                    Ok(Value::Str(raw.to_string()))
                } else {
                    Err(format!("must be one of: {}", choices.join(", ")))
                }
            }
        }
    }
}

/// A variable of a template: the built-ins and a kit's own.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub kind: Kind,
    pub prompt: String,
    pub default: Option<Value>,
    /// False for variables that are only set from the command line.
    pub ask: bool,
}

impl Variable {
    /// Validates a raw value for this variable; `origin` says where it came
    /// from ("" for the command line) so the message points at the source.
    pub fn parse(&self, raw: &str, origin: &str) -> Result<Value, InputError> {
        self.kind.check(raw).map_err(|rule| {
            let example = match &self.default {
                Some(d) if self.kind.check(&d.to_string()).is_ok() => d.to_string(),
                _ => self.kind.example(),
            };
            // A rule that already suggests this very value needs no second example.
            let example = if rule.contains(&format!("`{example}`")) {
                String::new()
            } else {
                format!("; for example `{example}`")
            };
            InputError(format!(
                "invalid {} {}{}: {}{}",
                self.name,
                crate::text::quote(raw),
                origin,
                rule,
                example
            ))
        })
    }
}

/// Where a resolved value came from; `-v` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    CommandLine,
    Env(String),
    Define,
    Answers(PathBuf),
    Config(PathBuf),
    Prompt,
    TemplateDefault,
    Derived(String),
    /// Found in the project's own files by `flaskgen init`: where (`FILE:LINE`).
    Detected(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::CommandLine => f.write_str("command line"),
            Source::Env(var) => write!(f, "environment variable {var}"),
            Source::Define => f.write_str("--define"),
            Source::Answers(p) => write!(f, "answers file {}", p.display()),
            Source::Config(p) => write!(f, "config file {}", p.display()),
            Source::Prompt => f.write_str("prompt"),
            Source::TemplateDefault => f.write_str("template default"),
            Source::Derived(how) => f.write_str(how),
            Source::Detected(at) => write!(f, "found at {at}"),
        }
    }
}

/// The resolved values of one project, in the template's variable order.
#[derive(Debug, Clone, Default)]
pub struct Values {
    entries: Vec<(String, Value, Source)>,
}

impl Values {
    pub fn set(&mut self, name: &str, value: Value, source: Source) {
        match self.entries.iter_mut().find(|(n, ..)| n == name) {
            Some(entry) => *entry = (name.to_string(), value, source),
            None => self.entries.push((name.to_string(), value, source)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, v, _)| v)
    }

    /// A built-in string value (name, base_image, image); always present once resolved.
    pub fn str(&self, name: &str) -> &str {
        self.get(name).and_then(Value::as_str).unwrap_or_default()
    }

    pub fn port(&self) -> i64 {
        match self.get("port") {
            Some(Value::Int(p)) => *p,
            _ => 0,
        }
    }

    /// Where the value of `name` came from.
    pub fn source(&self, name: &str) -> Option<&Source> {
        self.entries
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, _, s)| s)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value, &Source)> {
        self.entries.iter().map(|(n, v, s)| (n.as_str(), v, s))
    }
}

/// Turns any text into a valid project name, e.g. `Hello World` → `hello-world`.
pub fn suggest_name(raw: &str) -> Option<String> {
    let mut out = String::new();
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if let Some(ascii) = fold_latin(c) {
            out.push_str(ascii);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.truncate(63);
    let out = out.trim_end_matches('-').to_string();
    is_path_component(&out).then_some(out)
}

/// The ASCII letters a lowercase Latin letter with a diacritic stands for
/// (`é` → `e`, `ß` → `ss`), so `café` suggests `cafe`, not `caf`.
fn fold_latin(c: char) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("àáâãäåāăą", "a"),
        ("æ", "ae"),
        ("çćĉċč", "c"),
        ("ďđð", "d"),
        ("èéêëēĕėęě", "e"),
        ("ĝğġģ", "g"),
        ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"),
        ("ĵ", "j"),
        ("ķ", "k"),
        ("ĺļľŀł", "l"),
        ("ñńņňŉ", "n"),
        ("òóôõöøōŏő", "o"),
        ("œ", "oe"),
        ("ŕŗř", "r"),
        ("śŝşš", "s"),
        ("ß", "ss"),
        ("ţťŧ", "t"),
        ("þ", "th"),
        ("ùúûüũūŭůűų", "u"),
        ("ŵ", "w"),
        ("ýÿŷ", "y"),
        ("źżž", "z"),
    ];
    TABLE
        .iter()
        .find(|(from, _)| from.contains(c))
        .map(|(_, to)| *to)
}

fn check_name(raw: &str) -> Result<String, String> {
    if (1..=63).contains(&raw.len()) && is_path_component(raw) {
        return Ok(raw.to_string());
    }
    let mut rule = "use 1-63 lowercase letters and digits, separated by `.`, `_`, `__` or dashes, starting and ending with a letter or digit, so it works as a directory and an image name".to_string();
    if let Some(s) = suggest_name(raw).filter(|s| s != raw) {
        rule.push_str(&format!(" (did you mean `{s}`?)"));
    }
    Err(rule)
}

fn check_port(raw: &str) -> Result<u16, String> {
    match raw.trim().parse::<u32>() {
        Ok(p @ 1..=65535) => Ok(p as u16),
        _ => Err("must be a whole number from 1 to 65535".into()),
    }
}

fn check_plain(raw: &str) -> Result<(), String> {
    if raw.is_empty() {
        return Err("must not be empty".into());
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(())
}

fn check_base_image(raw: &str) -> Result<String, String> {
    check_plain(raw)?;
    let (name, _, _) = parse_reference(raw).ok_or(
        "must be an image reference [registry[:port]/]path[:tag][@digest], lowercase path",
    )?;
    // The rule `flaskgen check` applies (FG004), so a project `new` writes passes it.
    // For another image, Variable::parse adds the default as the example.
    let example = match name.rsplit('/').next() {
        Some("python") => format!(" (e.g. `{name}:3.14-slim`)"),
        _ => String::new(),
    };
    let why = "so builds are reproducible";
    match tag_pin(raw) {
        Pin::Digest | Pin::Fixed => Ok(raw.to_string()),
        Pin::Latest => Err(format!(
            "must pin a version, not `latest`, {why}: a tag with at least major.minor, or a digest{example}"
        )),
        Pin::Floating(tag) => Err(format!(
            "the tag `{tag}` floats to every new release; pin at least major.minor, or a digest, {why}{example}"
        )),
        Pin::NoTag => Err(format!(
            "must carry an explicit tag with at least major.minor, or a digest, {why}{example}"
        )),
    }
}

fn check_image(raw: &str) -> Result<String, String> {
    check_plain(raw)?;
    match parse_reference(raw) {
        Some((_, _, None)) => Ok(raw.to_string()),
        Some((_, _, Some(_))) => {
            Err("must not carry a digest: it names the image you build".into())
        }
        None => Err(
            "must be a repository reference [registry[:port]/]path[:tag], lowercase path".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "hello-flask",
            "a",
            "a.b",
            "a_b",
            "a__b",
            "a--b",
            "x1",
            &"a".repeat(63),
        ] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Hello",
            "-a",
            "a-",
            "a..b",
            "a_.b",
            "a b",
            "a/b",
            ".",
            "..",
            &"a".repeat(64),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(suggest_name("Hello World").as_deref(), Some("hello-world"));
        assert_eq!(suggest_name("  My  App!! ").as_deref(), Some("my-app"));
        assert_eq!(suggest_name("!!!"), None);
        assert_eq!(suggest_name("Café Straße").as_deref(), Some("cafe-strasse"));
        assert!(check_name("Hello World")
            .unwrap_err()
            .contains("`hello-world`"));
    }

    #[test]
    fn ports() {
        assert_eq!(check_port("5000"), Ok(5000));
        assert_eq!(check_port("1"), Ok(1));
        assert_eq!(check_port("65535"), Ok(65535));
        for bad in ["0", "65536", "-1", "http", "", "5000.0", "99999999999"] {
            assert!(check_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_images() {
        for ok in [
            "python:3.14-slim",
            "docker.io/library/python:3.12-alpine",
            "localhost:5000/team/python:3.12",
            "registry.example.com:443/a/b/c:1.2",
            "python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "python:3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "python:3.12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "[::1]:5000/python:3.12",
            "foo_bar.com/python:3.12",
            "a.b-c.io:5000/x/y__z/w--v:1.0-a_b.c",
        ] {
            assert!(check_base_image(ok).is_ok(), "{ok}");
        }
        for bad in [
            "python",
            "python:latest",
            "python:3-slim",
            "python:slim",
            "python:3",
            "registry.example.com:443/a/b/c:v1",
            "Python:3.12",
            "python:3.12 slim",
            "python:3.12\n",
            "python:",
            ":3.12",
            "python@sha256:abc",
            "a//b:1",
            "Python/x:1",
            "reg.io:/x:1",
            "[zz]:5000/x:1",
            "-reg.io/x:1",
            "x/:1",
            "x@sha256",
            "python:-x",
            &format!("python:{}", "a".repeat(129)),
            "",
        ] {
            assert!(check_base_image(bad).is_err(), "{bad:?}");
        }
        // One rule with `flaskgen check` (FG004): every valid reference is
        // accepted exactly when its tag is pinned.
        for tag in [
            "3.14-slim",
            "3-slim",
            "slim",
            "latest",
            "3",
            "3.12.4-alpine3.20",
            "v1",
        ] {
            let image = format!("python:{tag}");
            assert_eq!(
                check_base_image(&image).is_ok(),
                tag_pin(&image).is_pinned(),
                "{image}"
            );
        }
        let e = check_base_image("python:3-slim").unwrap_err();
        assert!(
            e.contains("`3-slim` floats") && e.contains("`python:3.14-slim`"),
            "{e}"
        );
    }

    #[test]
    fn images() {
        for ok in [
            "hello",
            "myrepo/hello-flask",
            "myrepo/hello-flask:1.0",
            "localhost:5055/a/b",
        ] {
            assert!(check_image(ok).is_ok(), "{ok}");
        }
        for bad in [
            "My/Repo",
            "a b",
            "",
            "a/",
            "a@sha256:0123456789abcdef0123456789abcdef",
        ] {
            assert!(check_image(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kit_kinds() {
        let re = Kind::Str {
            regex: Some(Regex::new("^[a-z]+$").unwrap()),
        };
        assert_eq!(re.check("abc"), Ok(Value::Str("abc".into())));
        assert!(re.check("ab1").is_err());
        let int = Kind::Int {
            min: Some(1),
            max: Some(10),
        };
        assert_eq!(int.check("10"), Ok(Value::Int(10)));
        assert!(int.check("11").is_err() && int.check("0").is_err() && int.check("x").is_err());
        assert_eq!(Kind::Bool.check("yes"), Ok(Value::Bool(true)));
        assert!(Kind::Bool.check("maybe").is_err());
        let choice = Kind::Choice(vec!["small".into(), "large".into()]);
        assert!(choice.check("large").is_ok() && choice.check("huge").is_err());
    }
}
