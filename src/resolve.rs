//! Resolves every variable of a template to a valid value. Precedence:
//! command line (flags, --define), then an answers file (--answers), then
//! environment, then the config file, then the template's default; a prompt,
//! when allowed, offers that default.

use anyhow::Result;

use crate::config::Config;
use crate::error::{input_error, InputError};
use crate::manifest::Manifest;
use crate::prompt::Prompter;
use crate::report::Printer;
use crate::values::{Source, Value, Values};

/// A raw value given explicitly (flag, its environment variable, or --define).
#[derive(Debug, Clone)]
pub struct Given {
    pub var: String,
    pub raw: String,
    pub source: Source,
}

/// Parses `--define KEY=VALUE` entries and checks them against the template's variables.
pub fn defines(manifest: &Manifest, defines: &[String]) -> Result<Vec<Given>> {
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
            let bad = || {
                input_error(format!(
                    "invalid --define {d:?}: use KEY=VALUE; for example `-d port=8080`"
                ))
            };
            let (k, v) = d.split_once('=').ok_or_else(bad)?;
            let k = k.trim();
            if k.is_empty() {
                return Err(bad());
            }
            if manifest.variable(k).is_none() {
                return Err(input_error(format!(
                    "unknown variable `{k}` in --define {d:?}; this template's variables are: {}",
                    known()
                )));
            }
            Ok(Given {
                var: k.to_string(),
                raw: v.to_string(),
                source: Source::Define,
            })
        })
        .collect()
}

pub struct Resolver<'a> {
    pub manifest: &'a Manifest,
    pub config: &'a Config,
    pub given: Vec<Given>,
    pub prompter: Option<&'a Prompter>,
    pub printer: Printer,
}

impl Resolver<'_> {
    pub fn resolve(&self) -> Result<Values> {
        // The same variable twice with different values is a mistake, not a precedence question.
        let explicit: Vec<&Given> = self.given.iter().filter(|g| g.source.rank() == 0).collect();
        for (i, a) in explicit.iter().enumerate() {
            if let Some(b) = explicit[i + 1..]
                .iter()
                .find(|b| b.var == a.var && b.raw != a.raw)
            {
                return Err(input_error(format!(
                    "{} is given twice with different values ({:?} from {}, {:?} from {}); give it once, for example only `-d {}={}`",
                    a.var, a.raw, a.source, b.raw, b.source, a.var, b.raw
                )));
            }
        }
        let mut values = Values::default();
        for var in &self.manifest.variables {
            let given = self
                .given
                .iter()
                .filter(|g| g.var == var.name)
                .min_by_key(|g| g.source.rank());
            if let Some(g) = given {
                let origin = match &g.source {
                    Source::Env(e) => format!(" (from {e})"),
                    Source::Answers(p) => format!(" in answers file {}", p.display()),
                    _ => String::new(),
                };
                let v = var.parse(&g.raw, &origin)?;
                self.settle(&mut values, &var.name, v, g.source.clone());
                continue;
            }
            let (default, source) = self.default_for(var, &values)?;
            let (value, source) = match (self.prompter, var.ask) {
                (Some(p), true) => (p.ask(var, default.as_ref())?, Source::Prompt),
                _ => match default {
                    Some(d) => (d, source),
                    None if var.name == "name" => {
                        return Err(input_error(
                            "missing NAME: flaskgen cannot ask (stdin is not a terminal, or --yes was given); pass it, e.g. `flaskgen new hello-flask --yes`",
                        ))
                    }
                    None => {
                        return Err(input_error(format!(
                            "missing value for `{0}`: the template gives no default; pass -d {0}=VALUE",
                            var.name
                        )))
                    }
                },
            };
            self.settle(&mut values, &var.name, value, source);
        }
        Ok(values)
    }

    /// Records a value; a privileged port is warned about at once, so at a
    /// prompt the warning comes right after the answer.
    fn settle(&self, values: &mut Values, name: &str, value: Value, source: Source) {
        self.printer
            .detail(&format!("{name} = {value} (from {source})"));
        if name == "port" && matches!(value, Value::Int(p) if p < 1024) {
            self.printer.warn(&format!(
                "port {value} is below 1024: fine in the container, but running it outside one (python -m app.app, gunicorn) needs root"
            ));
        }
        values.set(name, value, source);
    }

    /// The config's default, else a derived one (image from name), else the template's.
    fn default_for(
        &self,
        var: &crate::values::Variable,
        so_far: &Values,
    ) -> Result<(Option<Value>, Source)> {
        if let Some(raw) = self.config.default_for(&var.name)? {
            let v = var.parse(&raw, &self.config.origin())?;
            let path = self.config.path.clone().unwrap_or_default();
            return Ok((Some(v), Source::Config(path)));
        }
        if var.name == "image" && var.default.is_none() {
            let name = so_far.str("name");
            return Ok(match &self.config.defaults.image_namespace {
                Some(ns) => {
                    let raw = format!("{}/{name}", ns.trim_end_matches('/'));
                    let v = var.kind.check(&raw).map_err(|rule| {
                        InputError(format!(
                            "invalid image_namespace {ns:?}{}: {name} under it gives {raw:?}, which {rule}; for example `acme`",
                            self.config.origin()
                        ))
                    })?;
                    (
                        Some(v),
                        Source::Derived("config image_namespace + name".into()),
                    )
                }
                None => (
                    Some(Value::Str(name.to_string())),
                    Source::Derived("the project name".into()),
                ),
            });
        }
        Ok((var.default.clone(), Source::TemplateDefault))
    }
}
