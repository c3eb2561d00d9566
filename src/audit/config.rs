//! `check`'s settings from the project's `pyproject.toml`, table
//! `[tool.flaskgen.check]` (read through the bounded [`Project`] reader):
//!
//! ```toml
//! [tool.flaskgen.check]
//! ignore = ["FG015"]                 # rules never reported as active
//! select = ["FG001", "FG002"]        # only these rules are active
//! fail-on = "error"                  # error | warning | note | never
//! per-file-ignores = { "docker/dev.Dockerfile" = ["FG001"] }
//! ```
//!
//! `per-file-ignores` keys are gitignore-style patterns matched against the
//! finding's file, relative to the project root. An unknown key, a value of
//! the wrong type or an ID that is not in [`rules::ALL`] is bad input (exit 2).

use anyhow::Result;

use super::rules;
use crate::cli::FailOn;
use crate::error::input_error;
use crate::files::{Kind, Project};

const TABLE: &str = "pyproject.toml [tool.flaskgen.check]";
const KEYS: &str = "ignore, select, fail-on, per-file-ignores";

/// The settings; empty when there is no table.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Config {
    pub ignore: Vec<&'static str>,
    pub select: Option<Vec<&'static str>>,
    pub fail_on: Option<FailOn>,
    /// (gitignore-style pattern, rule IDs), in file order.
    pub per_file_ignores: Vec<(String, Vec<&'static str>)>,
}

/// The rule ID `s` names (case-insensitive), as the rule table spells it.
pub fn rule_id(s: &str) -> Option<&'static str> {
    rules::ALL
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(s.trim()))
        .map(|r| r.id)
}

/// `FG001 to FG017`: the range of rule IDs, for error messages.
pub fn id_range() -> String {
    let first = rules::ALL.first().map_or("", |r| r.id);
    let last = rules::ALL.last().map_or("", |r| r.id);
    format!("{first} to {last}")
}

/// Rule IDs from a flag's comma-separated values (`--ignore FG011,FG004`,
/// repeatable); an unknown ID is bad input naming `flag`.
pub fn ids_from_flag(flag: &str, values: &[String]) -> Result<Vec<&'static str>> {
    let mut out = Vec::new();
    for part in values.iter().flat_map(|v| v.split(',')) {
        if part.trim().is_empty() {
            continue;
        }
        match rule_id(part) {
            Some(id) => out.push(id),
            None => {
                return Err(input_error(format!(
                    "--{flag} {:?}: not a rule ID ({}; `flaskgen check --explain` describes them), for example --{flag} FG011,FG015",
                    part.trim(),
                    id_range()
                )))
            }
        }
    }
    Ok(out)
}

/// Reads `[tool.flaskgen.check]` from the project's pyproject.toml. No file,
/// or one that is unreadable or not TOML and never mentions
/// `tool.flaskgen`, gives the empty config (the audit reports the file).
pub fn load(project: &Project) -> Result<Config> {
    let Some(text) = project.text("pyproject.toml", Kind::Toml) else {
        return Ok(Config::default());
    };
    let doc: toml::Table = match toml::from_str(&text) {
        Ok(d) => d,
        Err(e) if text.contains("tool.flaskgen") => {
            let what = e.message().lines().next().unwrap_or("").to_string();
            return Err(input_error(format!(
                "pyproject.toml: not valid TOML ({what}), so {TABLE} cannot be read; for example [tool.flaskgen.check] followed by ignore = [\"FG015\"]"
            )));
        }
        Err(_) => return Ok(Config::default()),
    };
    let table = doc
        .get("tool")
        .and_then(|t| t.get("flaskgen"))
        .and_then(|t| t.get("check"));
    let Some(table) = table else {
        return Ok(Config::default());
    };
    let Some(table) = table.as_table() else {
        return Err(input_error(format!(
            "{TABLE}: must be a table, for example [tool.flaskgen.check] followed by ignore = [\"FG015\"]"
        )));
    };
    let mut cfg = Config::default();
    for (key, value) in table {
        match key.as_str() {
            "ignore" => cfg.ignore = id_list(key, value, "ignore = [\"FG015\"]")?,
            "select" => cfg.select = Some(id_list(key, value, "select = [\"FG001\", \"FG002\"]")?),
            "fail-on" => cfg.fail_on = Some(fail_on(value)?),
            "per-file-ignores" => {
                let example = "per-file-ignores = { \"docker/dev.Dockerfile\" = [\"FG001\"] }";
                let Some(t) = value.as_table() else {
                    return Err(input_error(format!(
                        "{TABLE} per-file-ignores: must be a table of path pattern = [rule IDs], for example {example}"
                    )));
                };
                for (pattern, ids) in t {
                    let key = format!("per-file-ignores.{pattern:?}");
                    cfg.per_file_ignores
                        .push((pattern.clone(), id_list(&key, ids, example)?));
                }
            }
            other => {
                return Err(input_error(format!(
                    "{TABLE}: unknown key {other:?}; the keys are {KEYS}, for example ignore = [\"FG015\"]"
                )))
            }
        }
    }
    Ok(cfg)
}

fn id_list(key: &str, value: &toml::Value, example: &str) -> Result<Vec<&'static str>> {
    let bad = |what: String| input_error(format!("{TABLE} {key}: {what}, for example {example}"));
    let Some(items) = value.as_array() else {
        return Err(bad("must be a list of rule IDs".into()));
    };
    items
        .iter()
        .map(|v| match v.as_str() {
            Some(s) => rule_id(s).ok_or_else(|| {
                bad(format!(
                    "{s:?} is not a rule ID ({}; `flaskgen check --explain` describes them)",
                    id_range()
                ))
            }),
            None => Err(bad(format!("{v} is not a string"))),
        })
        .collect()
}

fn fail_on(value: &toml::Value) -> Result<FailOn> {
    match value.as_str() {
        Some("error") => Ok(FailOn::Error),
        Some("warning") => Ok(FailOn::Warning),
        Some("note") => Ok(FailOn::Note),
        Some("never") => Ok(FailOn::Never),
        _ => Err(input_error(format!(
            "{TABLE} fail-on = {value}: must be \"error\", \"warning\", \"note\" or \"never\", for example fail-on = \"error\""
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit_code;

    fn load_text(text: &str) -> Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyproject.toml"), text).unwrap();
        load(&Project::new(dir.path()))
    }

    #[test]
    fn reads_every_key() {
        let cfg = load_text(
            "[project]\nname = \"x\"\n[tool.flaskgen.check]\nignore = [\"fg015\"]\nselect = [\"FG001\"]\nfail-on = \"error\"\nper-file-ignores = { \"docker/*.Dockerfile\" = [\"FG001\", \"FG002\"] }\n",
        )
        .unwrap();
        assert_eq!(cfg.ignore, vec!["FG015"]);
        assert_eq!(cfg.select, Some(vec!["FG001"]));
        assert_eq!(cfg.fail_on, Some(FailOn::Error));
        assert_eq!(
            cfg.per_file_ignores,
            vec![("docker/*.Dockerfile".to_string(), vec!["FG001", "FG002"])]
        );
    }

    #[test]
    fn no_table_is_empty() {
        assert_eq!(
            load_text("[project]\nname = \"x\"\n").unwrap(),
            Config::default()
        );
        assert_eq!(load_text("not = [toml").unwrap(), Config::default());
    }

    #[test]
    fn bad_input_is_exit_2_naming_the_key() {
        for (text, needle) in [
            (
                "[tool.flaskgen.check]\nignores = [\"FG015\"]\n",
                "unknown key \"ignores\"",
            ),
            (
                "[tool.flaskgen.check]\nignore = [\"FG999\"]\n",
                "\"FG999\" is not a rule ID",
            ),
            (
                "[tool.flaskgen.check]\nignore = \"FG015\"\n",
                "ignore: must be a list",
            ),
            (
                "[tool.flaskgen.check]\nfail-on = \"critical\"\n",
                "fail-on = \"critical\"",
            ),
            (
                "[tool.flaskgen.check]\nper-file-ignores = { \"a\" = [\"X1\"] }\n",
                "per-file-ignores.\"a\"",
            ),
            (
                "[tool.flaskgen.check\nignore = [\"FG015\"]\n",
                "not valid TOML",
            ),
        ] {
            let err = load_text(text).unwrap_err();
            assert_eq!(exit_code(&err), 2, "{text}");
            let msg = err.to_string();
            assert!(msg.contains(needle), "{msg}");
            assert!(msg.contains("for example"), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
        }
    }

    #[test]
    fn flags_split_on_commas_and_reject_unknown_ids() {
        let ids = ids_from_flag("ignore", &["FG011,fg004".into(), "FG015".into()]).unwrap();
        assert_eq!(ids, vec!["FG011", "FG004", "FG015"]);
        let err = ids_from_flag("select", &["FG011,FG1".into()]).unwrap_err();
        assert_eq!(exit_code(&err), 2);
        assert!(err.to_string().contains("--select \"FG1\""), "{err}");
    }
}
