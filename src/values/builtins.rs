//! The four built-in variables every template has, described once: their
//! kind (and so their rule), prompt, default, flag, environment variable,
//! config key and example. Manifests, the config file, prompts, the
//! inputs layer and `--help` all read this table.

use super::{Kind, Value, Variable};

/// A built-in's default, as constant data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// No default: asked, or required (NAME).
    None,
    /// Derived from other values while resolving (the image from the name).
    Derived,
    Int(i64),
    Str(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    kind: fn() -> Kind,
    pub prompt: &'static str,
    pub default: Default,
    /// The command-line flag of `new` (`None`: the positional NAME).
    pub flag: Option<&'static str>,
    /// The environment variable that sets it, below the answers file.
    pub env: Option<&'static str>,
    /// The key under the config file's `[defaults]`.
    pub config_key: Option<&'static str>,
    /// A valid value, for error messages and `template check`.
    pub example: &'static str,
    /// One line for `--help`, without default or environment variable.
    pub help: &'static str,
}

/// The pseudo-variable under which template sources are given to the
/// inputs layer; no template variable may take its name.
pub const TEMPLATE: &str = "template";

/// The project name also names example projects throughout flaskgen.
pub const EXAMPLE_NAME: &str = "hello-flask";
pub const DEFAULT_PORT: i64 = 5000;
pub const DEFAULT_BASE_IMAGE: &str = "python:3.14-slim";

/// Base images offered at the prompt and by `flaskgen list`, the default first.
pub const SUGGESTED_BASE_IMAGES: &[(&str, &str)] = &[
    (DEFAULT_BASE_IMAGE, "Debian slim, current Python: the safe default; glibc, so binary wheels just install"),
    ("python:3.14-alpine", "Alpine, current Python: the smallest image; musl, so packages without musllinux wheels compile"),
    ("python:3.15-slim", "Debian slim, newest Python: when you want 3.15 features and your dependencies support it"),
    ("python:3.15-alpine", "Alpine, newest Python: smallest with 3.15; check your wheels first"),
    ("python:3.13-slim", "Debian slim, previous Python: when a dependency has not caught up with 3.14"),
    ("python:3.13-alpine", "Alpine, previous Python: small, for dependencies that lag behind"),
];

pub static BUILTINS: [Builtin; 4] = [
    Builtin {
        name: "name",
        kind: || Kind::Name,
        prompt: "Project name",
        default: Default::None,
        flag: None,
        env: None,
        config_key: None,
        example: EXAMPLE_NAME,
        help: "Project name: directory and default image name",
    },
    Builtin {
        name: "port",
        kind: || Kind::Port,
        prompt: "Port the app listens on",
        default: Default::Int(DEFAULT_PORT),
        flag: Some("port"),
        env: Some("FLASKGEN_PORT"),
        config_key: Some("port"),
        example: "8080",
        help: "Port the app listens on",
    },
    Builtin {
        name: "base_image",
        kind: || Kind::BaseImage,
        prompt: "Base image",
        default: Default::Str(DEFAULT_BASE_IMAGE),
        flag: Some("base-image"),
        env: Some("FLASKGEN_BASE_IMAGE"),
        config_key: Some("base_image"),
        example: DEFAULT_BASE_IMAGE,
        help: "Base image, pinned: a tag with at least major.minor, or a digest",
    },
    Builtin {
        name: "image",
        kind: || Kind::Image,
        prompt: "Image name (used in docs and compose.yaml)",
        default: Default::Derived,
        flag: Some("image"),
        env: None,
        config_key: None,
        example: "myrepo/hello-flask",
        help: "Image name used in the docs and compose.yaml",
    },
];

/// The built-in called `name`, if it is one.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

impl Builtin {
    pub fn kind(&self) -> Kind {
        (self.kind)()
    }

    pub fn default_value(&self) -> Option<Value> {
        match self.default {
            Default::Int(i) => Some(Value::Int(i)),
            Default::Str(s) => Some(Value::Str(s.into())),
            Default::None | Default::Derived => None,
        }
    }

    /// The default as `--help` shows it.
    pub fn default_text(&self) -> String {
        match self.default {
            Default::Int(i) => i.to_string(),
            Default::Str(s) => s.to_string(),
            Default::Derived => "NAME".into(),
            Default::None => String::new(),
        }
    }

    /// The variable before a kit changes its default, prompt or `ask`.
    pub fn variable(&self) -> Variable {
        Variable {
            name: self.name.into(),
            kind: self.kind(),
            prompt: self.prompt.into(),
            default: self.default_value(),
            ask: true,
        }
    }

    /// The line `--help` shows for its flag: the help, default and variable.
    pub fn help_line(&self) -> String {
        let mut s = format!("{} (e.g. {})", self.help, self.example);
        let d = self.default_text();
        if !d.is_empty() {
            s.push_str(&format!(" [default: {d}]"));
        }
        if let Some(env) = self.env {
            s.push_str(&format!(" [env: {env}]"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_and_default_obeys_its_own_rule() {
        for b in &BUILTINS {
            assert!(b.kind().check(b.example).is_ok(), "{}", b.name);
            if let Some(d) = b.default_value() {
                assert!(b.kind().check(&d.to_string()).is_ok(), "{}", b.name);
            }
        }
        for (img, _) in SUGGESTED_BASE_IMAGES {
            assert!(Kind::BaseImage.check(img).is_ok(), "{img}");
        }
    }
}
