//! `flaskgen.toml`, the manifest at a template's root: its identity, typed
//! variables and conditional files. The built-in template uses it too.

use anyhow::{anyhow, bail, Result};
use regex::Regex;
use serde::Deserialize;
use toml::map::Map;

use crate::values::{builtins, is_identifier, scalar_text, Kind, Value, Variable};

pub const MANIFEST_FILE: &str = "flaskgen.toml";

/// The template's identity, as recorded in the answers file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_version")]
    pub version: String,
}

fn default_version() -> String {
    "0.0.0".into()
}

#[derive(Debug, Clone)]
pub struct Manifest {
    pub meta: Meta,
    /// The built-ins first, then the kit's own, in manifest order.
    pub variables: Vec<Variable>,
    /// Template-side path (without `.tera`) → tera expression.
    pub conditions: Vec<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    template: Meta,
    #[serde(default)]
    variables: Map<String, toml::Value>,
    #[serde(default)]
    conditions: Map<String, toml::Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawVariable {
    #[serde(rename = "type")]
    kind: Option<String>,
    prompt: Option<String>,
    default: Option<toml::Value>,
    regex: Option<String>,
    min: Option<i64>,
    max: Option<i64>,
    choices: Option<Vec<String>>,
    ask: Option<bool>,
}

/// Everything wrong with a manifest, each problem with its file and line.
/// Shown as the first problem (and a count of the others) where one line is
/// wanted; `flaskgen template check` lists them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub problems: Vec<String>,
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            self.problems
                .first()
                .map_or("invalid manifest", String::as_str),
        )?;
        match self.problems.len() {
            0 | 1 => Ok(()),
            n => write!(
                f,
                " (and {} more; `flaskgen template check` lists them all)",
                n - 1
            ),
        }
    }
}

impl std::error::Error for ManifestError {}

impl Manifest {
    /// Parses and checks a manifest; each problem names the file and line,
    /// and every problem is found, not just the first.
    pub fn parse(text: &str, file: &str) -> Result<Manifest> {
        let raw: RawManifest = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            ManifestError {
                problems: vec![format!("{file}:{line}: {}", e.message())],
            }
        })?;
        let at = |needle: &str| format!("{file}:{}", find_line(text, needle));
        let mut problems = Vec::new();
        if raw.template.name.trim().is_empty() {
            problems.push(format!(
                "{}: [template] name must not be empty",
                at("[template]")
            ));
        }

        let mut variables: Vec<Variable> =
            builtins::BUILTINS.iter().map(|b| b.variable()).collect();
        for (name, value) in &raw.variables {
            let loc = at(&format!("[variables.{name}]"));
            let var = value
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| anyhow!("{}", e.message()))
                .and_then(|rv: RawVariable| compile_variable(name, rv));
            match var {
                Ok(var) => match variables.iter_mut().find(|v| v.name == *name) {
                    Some(slot) => *slot = var,
                    None => variables.push(var),
                },
                Err(e) => problems.push(format!("{loc}: variable `{name}`: {e}")),
            }
        }

        let mut conditions = Vec::new();
        for (path, expr) in raw.conditions {
            match expr.as_str() {
                Some(expr) => {
                    for name in expression_names(expr) {
                        if !variables.iter().any(|v| v.name == name) && name != "flaskgen" {
                            problems.push(format!(
                                "{}: condition for `{path}` names `{name}`, which is not a variable of this template, so the file would never be written; declare [variables.{name}] or fix the name",
                                at(&path)
                            ));
                        }
                    }
                    conditions.push((path.trim_matches('/').to_string(), expr.to_string()))
                }
                None => problems.push(format!(
                    "{}: condition for `{path}` must be a string holding a tera expression",
                    at(&path)
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ManifestError { problems }.into());
        }
        Ok(Manifest {
            meta: raw.template,
            variables,
            conditions,
        })
    }

    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }
}

fn compile_variable(name: &str, rv: RawVariable) -> Result<Variable> {
    if !is_identifier(name) || name == "flaskgen" || name == builtins::TEMPLATE {
        bail!("the name must be an identifier (letters, digits, _) other than `flaskgen` and `template`");
    }
    let kind = match Kind::builtin(name) {
        Some(kind) => {
            if rv.kind.is_some()
                || rv.regex.is_some()
                || rv.min.is_some()
                || rv.max.is_some()
                || rv.choices.is_some()
            {
                bail!("a built-in variable: a template may set only its `prompt`, `default` and `ask`");
            }
            kind
        }
        None => kit_kind(&rv)?,
    };
    let default = rv
        .default
        .as_ref()
        .map(|d| typed_default(&kind, d))
        .transpose()?;
    let fallback = builtins::builtin(name).map(builtins::Builtin::variable);
    let prompt = rv
        .prompt
        .or_else(|| fallback.as_ref().map(|b| b.prompt.clone()))
        .unwrap_or_else(|| name.replace('_', " "));
    let default = default.or_else(|| fallback.and_then(|b| b.default));
    Ok(Variable {
        name: name.into(),
        kind,
        prompt,
        default,
        ask: rv.ask.unwrap_or(true),
    })
}

/// The kind of a kit's own variable: its `type` (or the one its default or
/// choices imply), with only the fields that type takes.
fn kit_kind(rv: &RawVariable) -> Result<Kind> {
    let type_name = match (&rv.kind, &rv.default, &rv.choices) {
        (Some(t), ..) => t.as_str(),
        (None, _, Some(_)) => "choice",
        (None, Some(toml::Value::Integer(_)), _) => "int",
        (None, Some(toml::Value::Boolean(_)), _) => "bool",
        _ => "string",
    };
    let only = |ok: bool, field: &str| {
        if ok {
            Ok(())
        } else {
            Err(anyhow!("`{field}` does not apply to type `{type_name}`"))
        }
    };
    only(rv.regex.is_none() || type_name == "string", "regex")?;
    only(
        (rv.min.is_none() && rv.max.is_none()) || type_name == "int",
        "min/max",
    )?;
    only(rv.choices.is_none() || type_name == "choice", "choices")?;
    Ok(match type_name {
        "string" => Kind::Str {
            regex: rv
                .regex
                .as_deref()
                .map(|r| {
                    Regex::new(r).map_err(|e| {
                        anyhow!(
                            "invalid regex {}: {}",
                            crate::text::quote(r),
                            last_line(&e.to_string())
                        )
                    })
                })
                .transpose()?,
        },
        "int" => {
            if let (Some(a), Some(b)) = (rv.min, rv.max) {
                if a > b {
                    bail!("min {a} is greater than max {b}");
                }
            }
            Kind::Int {
                min: rv.min,
                max: rv.max,
            }
        }
        "bool" => Kind::Bool,
        "choice" => {
            let choices = rv.choices.clone().unwrap_or_default();
            if choices.is_empty() {
                bail!("type `choice` needs a non-empty `choices` list");
            }
            Kind::Choice(choices)
        }
        other => bail!("unknown type `{other}`: use string, int, bool or choice"),
    })
}

/// A default from the manifest: a scalar of the variable's type that obeys its rule.
fn typed_default(kind: &Kind, d: &toml::Value) -> Result<Value> {
    let raw = scalar_text(d).map_err(|type_name| {
        anyhow!("default must be a string, integer or boolean, not {type_name}")
    })?;
    let typed_ok = matches!(
        (kind, d),
        (Kind::Int { .. } | Kind::Port, toml::Value::Integer(_))
            | (Kind::Bool, toml::Value::Boolean(_))
            | (
                Kind::Name | Kind::BaseImage | Kind::Image | Kind::Str { .. } | Kind::Choice(_),
                toml::Value::String(_)
            )
    );
    if !typed_ok {
        bail!("default {d} is not of type `{}`", kind.type_name());
    }
    kind.check(&raw)
        .map_err(|rule| anyhow!("default {} {rule}", crate::text::quote(&raw)))
}

/// The last non-empty line of a multi-line error (the regex crate puts the
/// reason there, under a picture of the pattern).
fn last_line(s: &str) -> &str {
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
}

/// The variables a tera expression reads: its identifiers, less keywords,
/// string literals, attributes (`a.b` reads `a`), filters (`| f`), tests
/// (`is defined`) and functions (`f(...)`).
fn expression_names(expr: &str) -> Vec<String> {
    const KEYWORDS: &[&str] = &[
        "and", "or", "not", "in", "is", "true", "false", "True", "False",
    ];
    let b = expr.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    let mut prev = ' ';
    let mut prev_word = String::new();
    while i < b.len() {
        let c = b[i] as char;
        if c == '"' || c == '\'' || c == '`' {
            let end = expr[i + 1..].find(c).map_or(b.len(), |e| i + 1 + e + 1);
            i = end;
            prev = 'x';
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &expr[start..i];
            let called = expr[i..].trim_start().starts_with('(');
            let tested = prev_word == "is" || (prev_word == "not" && names_before_is(expr, start));
            if prev != '.' && prev != '|' && !called && !tested && !KEYWORDS.contains(&word) {
                names.push(word.to_string());
            }
            prev_word = word.to_string();
            prev = 'x';
            continue;
        }
        if !c.is_whitespace() {
            prev = c;
            prev_word.clear();
        }
        i += 1;
    }
    names.dedup();
    names
}

/// Whether the `not` before `at` belongs to `is not` (a test follows it).
fn names_before_is(expr: &str, at: usize) -> bool {
    expr[..at]
        .trim_end()
        .trim_end_matches("not")
        .trim_end()
        .ends_with(" is")
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line where `needle` first appears, for errors found after parsing.
fn find_line(text: &str, needle: &str) -> usize {
    text.find(needle).map(|o| line_of(text, o)).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kit_variables_in_order() {
        let m = Manifest::parse(
            r#"
[template]
name = "acme"
[variables.team]
default = "platform"
regex = "^[a-z]+$"
[variables.replicas]
type = "int"
min = 1
max = 10
default = 2
[variables.port]
default = 8080
[variables.with_redis]
default = false
[conditions]
"ops/redis.conf" = "with_redis"
"#,
            "flaskgen.toml",
        )
        .unwrap();
        let names: Vec<_> = m.variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "name",
                "port",
                "base_image",
                "image",
                "team",
                "replicas",
                "with_redis"
            ]
        );
        assert_eq!(m.variable("port").unwrap().default, Some(Value::Int(8080)));
        assert_eq!(
            m.conditions,
            [("ops/redis.conf".to_string(), "with_redis".to_string())]
        );
    }

    #[test]
    fn expression_names_are_the_variables_read() {
        let cases: &[(&str, &[&str])] = &[
            ("with_redis", &["with_redis"]),
            ("not minimal", &["minimal"]),
            ("tier == \"large\" and replicas > 2", &["tier", "replicas"]),
            ("team is defined", &["team"]),
            ("team is not defined", &["team"]),
            ("name | lower == 'x'", &["name"]),
            ("flaskgen.version != '1'", &["flaskgen"]),
            ("\"redis\" in deploy", &["deploy"]),
        ];
        for (expr, want) in cases {
            assert_eq!(expression_names(expr), *want, "{expr}");
        }
    }

    #[test]
    fn a_condition_on_an_undefined_variable_is_a_problem() {
        let err = Manifest::parse(
            "[template]\nname = \"x\"\n[conditions]\n\"ops/redis.conf\" = \"with_reddis\"\n",
            "flaskgen.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("flaskgen.toml:4:") && err.contains("`with_reddis`"),
            "{err}"
        );
    }

    #[test]
    fn rejects_bad_manifests_with_a_line() {
        let cases = [
            (
                "[template]\nname = \"x\"\n[variables.port]\nmin = 1\n",
                ":3: variable `port`",
            ),
            (
                "[template]\nname = \"x\"\n[variables.r]\ntype = \"int\"\ndefault = 99\nmax = 10\n",
                ":3: variable `r`: default",
            ),
            (
                "[template]\nname = \"x\"\n[variables.t]\ntype = \"choice\"\nchoices = []\n",
                ":3:",
            ),
            (
                "[template]\nname = \"x\"\n[variables.t]\ntype = \"float\"\n",
                "unknown type",
            ),
            (
                "[template]\nname = \"x\"\n[variables.t]\nregex = \"(\"\n",
                "invalid regex",
            ),
            (
                "[template]\nname = \"x\"\n[variables.\"a-b\"]\n",
                "identifier",
            ),
            ("[template]\nname = 1\n", "flaskgen.toml:2:"),
            ("[template]\nname = \"x\"\nbogus = 1\n", "flaskgen.toml:3:"),
            (
                "[template]\nname = \"x\"\n[variables.port]\ndefault = 0\n",
                "from 1 to 65535",
            ),
        ];
        for (text, want) in cases {
            let err = Manifest::parse(text, "flaskgen.toml")
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }
}
