//! The inputs layer: every value given for a run, from every source, as the
//! same kind of [`Given`] value, and the one precedence function that picks
//! among them. Sources, strongest first: the command line (flags and
//! `--define`), an answers file (`--answers`), the environment, what
//! `flaskgen init` found in the project's own files, the config file, then
//! the template's defaults. A fact found in the project (its port, its
//! Python) outranks the config file: the config holds one user's defaults
//! for every new project, the fact is what this project does. The template source itself
//! (`--template`, the answers file's, `FLASKGEN_TEMPLATE`, the config's) is
//! picked by the same function.

pub mod answers;
pub mod config;

use crate::error::input_error;
use crate::template::manifest::Manifest;
use crate::values::{builtins, Source};

pub use crate::values::builtins::TEMPLATE;

/// A raw value given for a variable (or for [`TEMPLATE`]), with where it came
/// from. It is checked against the variable's rule only once it wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub var: String,
    pub raw: String,
    pub source: Source,
    /// For a template source: the git ref given with it.
    pub git_ref: Option<String>,
}

impl Given {
    pub fn new(var: &str, raw: impl Into<String>, source: Source) -> Given {
        Given {
            var: var.into(),
            raw: raw.into(),
            source,
            git_ref: None,
        }
    }
}

/// The largest config file flaskgen reads: a few lines. (An answers file
/// lists every file of its project: see `answers::MAX_ANSWERS_FILE`.)
pub const MAX_INPUT_FILE: u64 = 1024 * 1024;

/// Reads a config or answers file as text. Anything but a regular UTF-8
/// file of at most [`MAX_INPUT_FILE`] bytes is invalid input: a FIFO would
/// hang and `/dev/zero` would never end.
pub fn read_input_file(path: &std::path::Path, what: &str) -> anyhow::Result<String> {
    read_input_file_within(path, what, MAX_INPUT_FILE)
}

/// [`read_input_file`] with another cap: at most `max` bytes.
pub fn read_input_file_within(
    path: &std::path::Path,
    what: &str,
    max: u64,
) -> anyhow::Result<String> {
    use std::io::Read;
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| input_error(format!("cannot read {what} {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(input_error(format!(
            "{what} {shown} is not a regular file; point at a TOML file such as `{}`",
            if what == "config file" {
                "~/.config/flaskgen/config.toml"
            } else {
                "svc/.flaskgen.toml"
            }
        )));
    }
    if meta.len() > max {
        return Err(input_error(format!(
            "{what} {shown} is {} bytes, more than the {max} a {what} may have; it holds settings such as `port = 8080`",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| input_error(format!("cannot read {what} {shown}: {e}")))?;
    if bytes.len() as u64 > max {
        return Err(input_error(format!(
            "{what} {shown} is larger than the {max} bytes a {what} may have"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        input_error(format!(
            "{what} {shown} is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Precedence of a source: lower wins. The one place that orders them.
pub fn rank(source: &Source) -> u8 {
    match source {
        Source::CommandLine | Source::Define | Source::Prompt => 0,
        Source::Answers(_) => 1,
        Source::Env(_) => 2,
        Source::Detected(_) => 3,
        Source::Config(_) => 4,
        Source::Derived(_) => 5,
        Source::TemplateDefault => 6,
    }
}

/// Values from these sources are explicit: they are used without asking.
/// Weaker ones (detected, config, derived, template defaults) are offered at a prompt.
pub fn is_explicit(source: &Source) -> bool {
    rank(source) <= rank(&Source::Env(String::new()))
}

/// The value that wins for `var`: the strongest source; among equals, the first given.
pub fn pick<'a>(given: &'a [Given], var: &str) -> Option<&'a Given> {
    given
        .iter()
        .filter(|g| g.var == var)
        .min_by_key(|g| rank(&g.source))
}

/// Values given for built-ins through their environment variables (the
/// built-ins table names them), and `FLASKGEN_TEMPLATE`.
pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Vec<Given> {
    let mut given: Vec<Given> = builtins::BUILTINS
        .iter()
        .filter_map(|b| {
            let env = b.env?;
            let raw = lookup(env)?;
            Some(Given::new(b.name, raw, Source::Env(env.into())))
        })
        .collect();
    if let Some(t) = lookup("FLASKGEN_TEMPLATE").filter(|t| !t.is_empty()) {
        given.push(Given::new(
            TEMPLATE,
            t,
            Source::Env("FLASKGEN_TEMPLATE".into()),
        ));
    }
    given
}

/// The process environment, as [`from_env`] reads it (unset and non-UTF-8
/// variables are not given; an empty one is given, and checked, as empty).
pub fn process_env(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(v) => Some(v),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => Some(String::from("\u{FFFD}")),
    }
}

/// Parses `--define KEY=VALUE` entries and checks them against the template's variables.
pub fn defines(manifest: &Manifest, defines: &[String]) -> anyhow::Result<Vec<Given>> {
    let known = || {
        manifest
            .variables
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    defines
        .iter()
        .map(|d| {
            let shown = crate::text::quote(d);
            let bad = || {
                input_error(format!(
                    "invalid --define {shown}: use KEY=VALUE; for example `-d port=8080`"
                ))
            };
            let (k, v) = d.split_once('=').ok_or_else(bad)?;
            let k = k.trim();
            if k.is_empty() {
                return Err(bad());
            }
            if manifest.variable(k).is_none() {
                return Err(input_error(format!(
                    "unknown variable {} in --define {shown}; this template's variables are: {}; for example `-d port=8080`",
                    crate::text::quote(k),
                    known()
                )));
            }
            Ok(Given::new(k, v, Source::Define))
        })
        .collect()
}

/// The template to use, by precedence: `--template`, the answers file's,
/// `FLASKGEN_TEMPLATE`, the config's; `None` for the built-in. A
/// command-line `--ref` applies to whichever wins; otherwise the ref given
/// with the winning source does.
pub fn template_source(
    given: &[Given],
    cli_ref: Option<&str>,
) -> anyhow::Result<Option<(String, Option<String>, Source)>> {
    let Some(g) = pick(given, TEMPLATE) else {
        if cli_ref.is_some() {
            return Err(input_error(
                "--ref needs a git template: pass --template SOURCE too, for example `--template https://git.example.com/acme/kit.git --ref v1.2.0`",
            ));
        }
        return Ok(None);
    };
    let git_ref = cli_ref.map(str::to_string).or_else(|| g.git_ref.clone());
    Ok(Some((g.raw.clone(), git_ref, g.source.clone())))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn g(var: &str, raw: &str, source: Source) -> Given {
        Given::new(var, raw, source)
    }

    /// The precedence table, as README states it.
    #[test]
    fn precedence_table() {
        let cli = Source::CommandLine;
        let def = Source::Define;
        let ans = Source::Answers(PathBuf::from("a.toml"));
        let env = Source::Env("FLASKGEN_PORT".into());
        let cfg = Source::Config(PathBuf::from("c.toml"));
        let tpl = Source::TemplateDefault;
        // (sources given, in this order) → the winner's raw value
        let cases: &[(&[(&str, &Source)], &str)] = &[
            (
                &[
                    ("1", &cli),
                    ("2", &ans),
                    ("3", &env),
                    ("4", &cfg),
                    ("5", &tpl),
                ],
                "1",
            ),
            (
                &[
                    ("5", &tpl),
                    ("4", &cfg),
                    ("3", &env),
                    ("2", &ans),
                    ("1", &cli),
                ],
                "1",
            ),
            (&[("2", &ans), ("3", &env), ("4", &cfg)], "2"),
            (&[("3", &env), ("2", &ans)], "2"),
            (&[("4", &cfg), ("3", &env)], "3"),
            (&[("5", &tpl), ("4", &cfg)], "4"),
            (&[("5", &tpl)], "5"),
            (&[("6", &def), ("2", &ans)], "6"),
            (&[("1", &cli), ("6", &def)], "1"),
        ];
        for (sources, want) in cases {
            let given: Vec<Given> = sources
                .iter()
                .map(|(raw, s)| g("port", raw, (*s).clone()))
                .collect();
            assert_eq!(pick(&given, "port").unwrap().raw, *want, "{sources:?}");
        }
        assert!(pick(&[g("port", "1", cli.clone())], "name").is_none());
        // What init found in the project beats the config, not the environment.
        let found = Source::Detected("app.py:3".into());
        let given = vec![g("port", "4", cfg.clone()), g("port", "7", found.clone())];
        assert_eq!(pick(&given, "port").unwrap().raw, "7");
        let given = vec![g("port", "7", found.clone()), g("port", "3", env.clone())];
        assert_eq!(pick(&given, "port").unwrap().raw, "3");
        assert!(!is_explicit(&found));
        assert!(is_explicit(&env) && is_explicit(&ans) && !is_explicit(&cfg));
    }

    /// The template source goes by the same table: the answers file beats
    /// `FLASKGEN_TEMPLATE`, which beats the config.
    #[test]
    fn template_source_follows_the_table() {
        let env = g(TEMPLATE, "./kitB", Source::Env("FLASKGEN_TEMPLATE".into()));
        let mut ans = g(
            TEMPLATE,
            "https://example.com/kit.git",
            Source::Answers(PathBuf::from("a.toml")),
        );
        ans.git_ref = Some("v1".into());
        let cfg = g(TEMPLATE, "./kitC", Source::Config(PathBuf::from("c.toml")));
        let given = vec![cfg.clone(), env.clone(), ans];
        let (src, r, _) = template_source(&given, None).unwrap().unwrap();
        assert_eq!(
            (src.as_str(), r.as_deref()),
            ("https://example.com/kit.git", Some("v1"))
        );
        let (src, r, _) = template_source(&given, Some("v2")).unwrap().unwrap();
        assert_eq!(
            (src.as_str(), r.as_deref()),
            ("https://example.com/kit.git", Some("v2"))
        );
        let (src, ..) = template_source(&[cfg, env], None).unwrap().unwrap();
        assert_eq!(src, "./kitB");
        assert_eq!(template_source(&[], None).unwrap(), None);
        let err = template_source(&[], Some("v1")).unwrap_err();
        assert_eq!(crate::error::exit_code(&err), 2);
    }

    #[test]
    fn environment_gives_builtins_and_template() {
        let env = |k: &str| match k {
            "FLASKGEN_PORT" => Some("8080".to_string()),
            "FLASKGEN_TEMPLATE" => Some("./kit".to_string()),
            _ => None,
        };
        let given = from_env(env);
        assert_eq!(
            given,
            vec![
                g("port", "8080", Source::Env("FLASKGEN_PORT".into())),
                g(TEMPLATE, "./kit", Source::Env("FLASKGEN_TEMPLATE".into())),
            ]
        );
    }
}
