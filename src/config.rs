//! The user's or team's config file: defaults for flags and variables.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use serde::Deserialize;
use toml::map::Map;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub defaults: Defaults,
    /// Defaults for template variables by name (any template that has them).
    #[serde(default)]
    pub variables: Map<String, toml::Value>,
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub port: Option<toml::Value>,
    pub base_image: Option<String>,
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
            if !path.exists() {
                if required {
                    // FLASKGEN_CONFIG names a file that is not there: a bad value, like a bad flag.
                    return Err(crate::error::input_error(format!(
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

pub fn read(path: &Path) -> Result<Config> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    let mut config: Config = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start].matches('\n').count() + 1)
            .unwrap_or(1);
        crate::error::input_error(format!(
            "config file {}:{line}: {}",
            path.display(),
            e.message()
        ))
    })?;
    // A local template path in a config file is relative to that file, so a
    // team can ship the config beside its kit.
    if let (Some(t), Some(dir)) = (&config.defaults.template, path.parent()) {
        if !crate::template::is_git_url(t) && Path::new(t).is_relative() {
            config.defaults.template = Some(dir.join(t).to_string_lossy().into_owned());
        }
    }
    config.path = Some(path.to_path_buf());
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

    /// The config's default for a variable, as raw text to validate.
    pub fn default_for(&self, var: &str) -> Result<Option<String>> {
        let value = match var {
            "port" => self.defaults.port.clone(),
            "base_image" => self.defaults.base_image.clone().map(toml::Value::String),
            _ => self.variables.get(var).cloned(),
        };
        value
            .map(|v| match v {
                toml::Value::String(s) => Ok(s),
                toml::Value::Integer(i) => Ok(i.to_string()),
                toml::Value::Boolean(b) => Ok(b.to_string()),
                other => Err(anyhow!(
                    "{var}{}: must be a string, integer or boolean, not {}",
                    self.origin(),
                    other.type_str()
                )),
            })
            .transpose()
    }
}
