//! The user's or team's config file: defaults for flags and variables,
//! given to the inputs layer below the environment.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;
use toml::map::Map;

use super::{read_input_file, Given, TEMPLATE};
use crate::error::input_error;
use crate::text::quote;
use crate::values::{builtins::BUILTINS, scalar_text, Source};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub defaults: Defaults,
    /// Defaults for template variables by name (any template that has them,
    /// built-ins included: `port` here is the same as under `[defaults]`).
    #[serde(default)]
    pub variables: Map<String, toml::Value>,
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub port: Option<toml::Value>,
    pub base_image: Option<toml::Value>,
    pub image_namespace: Option<String>,
    pub template: Option<String>,
}

/// The config file in force: FLASKGEN_CONFIG, else $XDG_CONFIG_HOME/flaskgen/config.toml,
/// else ~/.config/flaskgen/config.toml. Only an explicitly named file must exist.
pub fn locate() -> (Option<PathBuf>, bool) {
    if let Some(p) = std::env::var_os("FLASKGEN_CONFIG").filter(|p| !p.is_empty()) {
        return (Some(PathBuf::from(p)), true);
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")));
    (base.map(|b| b.join("flaskgen").join("config.toml")), false)
}

pub fn load(no_config: bool) -> Result<Config> {
    if no_config {
        return Ok(Config::default());
    }
    match locate() {
        (Some(path), required) => {
            if std::fs::symlink_metadata(&path).is_err() {
                if required {
                    // FLASKGEN_CONFIG names a file that is not there: a bad value, like a bad flag.
                    return Err(input_error(format!(
                        "FLASKGEN_CONFIG names {}, which does not exist; unset it or point it at a file such as ~/.config/flaskgen/config.toml",
                        path.display()
                    )));
                }
                return Ok(Config::default());
            }
            read(&path)
        }
        (None, _) => Ok(Config::default()),
    }
}

/// Reads and checks a config file; every problem with it is invalid input.
pub fn read(path: &Path) -> Result<Config> {
    let text = read_input_file(path, "config file")?;
    let mut config: Config = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start].matches('\n').count() + 1)
            .unwrap_or(1);
        input_error(format!(
            "config file {}:{line}: {}",
            path.display(),
            e.message()
        ))
    })?;
    // A local template path in a config file is relative to that file, so a
    // team can ship the config beside its kit.
    if let (Some(t), Some(dir)) = (&config.defaults.template, path.parent()) {
        if !crate::template::git::is_git_url(t) && Path::new(t).is_relative() {
            config.defaults.template = Some(dir.join(t).to_string_lossy().into_owned());
        }
    }
    config.path = Some(path.to_path_buf());
    config.given()?; // every value is a scalar, and no built-in is set twice
    Ok(config)
}

impl Config {
    /// " in config file PATH", for error messages about its values.
    pub fn origin(&self) -> String {
        self.path
            .as_ref()
            .map(|p| format!(" in config file {}", p.display()))
            .unwrap_or_default()
    }

    fn source(&self) -> Source {
        Source::Config(self.path.clone().unwrap_or_default())
    }

    /// Everything this config gives, for the inputs layer: `[defaults]`
    /// (port, base_image, template) and every `[variables]` entry.
    pub fn given(&self) -> Result<Vec<Given>> {
        let mut given = Vec::new();
        let scalar = |key: &str, v: &toml::Value| {
            scalar_text(v).map_err(|type_name| {
                input_error(format!(
                    "invalid {key}{}: must be a string, integer or boolean, not {type_name}; for example `{key} = {}`",
                    self.origin(),
                    example_for(key)
                ))
            })
        };
        for b in &BUILTINS {
            let Some(key) = b.config_key else { continue };
            let v = match key {
                "port" => self.defaults.port.as_ref(),
                "base_image" => self.defaults.base_image.as_ref(),
                _ => None,
            };
            if let Some(v) = v {
                given.push(Given::new(b.name, scalar(key, v)?, self.source()));
            }
        }
        for (key, v) in &self.variables {
            let raw = scalar(key, v)?;
            if let Some(earlier) = given.iter().find(|g| g.var == *key) {
                if earlier.raw != raw {
                    return Err(input_error(format!(
                        "{key} is set twice{} with different values ({} under [defaults], {} under [variables]); keep one, for example `[defaults] {key} = {}`",
                        self.origin(),
                        quote(&earlier.raw),
                        quote(&raw),
                        example_for(key)
                    )));
                }
                continue;
            }
            given.push(Given::new(key, raw, self.source()));
        }
        if let Some(t) = &self.defaults.template {
            given.push(Given::new(TEMPLATE, t.clone(), self.source()));
        }
        Ok(given)
    }
}

fn example_for(key: &str) -> String {
    match crate::values::builtins::builtin(key) {
        Some(b) if b.kind().type_name() == "int" => b.example.to_string(),
        Some(b) => format!("\"{}\"", b.example),
        None => "\"some-text\"".into(),
    }
}
