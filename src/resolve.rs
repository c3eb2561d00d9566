//! Settles every variable of a template on a valid value: the inputs
//! layer's winner when it is explicit (command line, answers file,
//! environment); otherwise a prompt, when allowed, offering the weaker
//! default (config, derived, template); otherwise that default.

use anyhow::Result;

use crate::error::{input_error, InputError};
use crate::inputs::{self, config::Config, Given};
use crate::present::Printer;
use crate::prompt::Prompter;
use crate::template::manifest::Manifest;
use crate::text::quote;
use crate::values::{Source, Value, Values, Variable};

pub struct Resolver<'a> {
    pub manifest: &'a Manifest,
    pub config: &'a Config,
    pub given: Vec<Given>,
    pub prompter: Option<&'a Prompter>,
    /// Why there is no prompter (`--yes`, CI, which stream is not a terminal).
    pub not_asking: Option<&'static str>,
    pub printer: Printer,
}

impl Resolver<'_> {
    pub fn resolve(&self) -> Result<Values> {
        self.refuse_contradictions()?;
        let mut values = Values::default();
        for var in &self.manifest.variables {
            let winner = inputs::pick(&self.given, &var.name);
            if let Some(g) = winner.filter(|g| inputs::is_explicit(&g.source)) {
                let v = var.parse(&g.raw, &origin(&g.source))?;
                self.settle(&mut values, &var.name, v, g.source.clone());
                continue;
            }
            let (default, source) = match winner {
                Some(g) => (
                    Some(var.parse(&g.raw, &origin(&g.source))?),
                    g.source.clone(),
                ),
                None => self.derived_or_template_default(var, &values)?,
            };
            let (value, source) = match (self.prompter, var.ask) {
                (Some(p), true) => (p.ask(var, default.as_ref())?, Source::Prompt),
                _ => match default {
                    Some(d) => (d, source),
                    None if var.name == "name" => {
                        return Err(input_error(format!(
                            "missing NAME: flaskgen cannot ask ({}); pass it, e.g. `flaskgen new hello-flask --yes`",
                            self.not_asking.unwrap_or("the template never asks for it")
                        )))
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

    /// The same variable twice on the command line with different values is
    /// a mistake, not a precedence question.
    fn refuse_contradictions(&self) -> Result<()> {
        let explicit: Vec<&Given> = self
            .given
            .iter()
            .filter(|g| inputs::rank(&g.source) == 0)
            .collect();
        for (i, a) in explicit.iter().enumerate() {
            if let Some(b) = explicit[i + 1..]
                .iter()
                .find(|b| b.var == a.var && b.raw != a.raw)
            {
                return Err(input_error(format!(
                    "{} is given twice with different values ({} from {}, {} from {}); give it once, for example only `-d {}={}`",
                    a.var,
                    quote(&a.raw),
                    a.source,
                    quote(&b.raw),
                    b.source,
                    a.var,
                    crate::text::shorten(&b.raw)
                )));
            }
        }
        Ok(())
    }

    /// Records a value; a privileged port is warned about at once, so at a
    /// prompt the warning comes right after the answer. The values are shown
    /// (with `-v`) by [`show`] once the command has settled them all.
    fn settle(&self, values: &mut Values, name: &str, value: Value, source: Source) {
        if name == "port" && matches!(value, Value::Int(p) if p < 1024) {
            self.printer.warn(&format!(
                "port {value} is below 1024: fine in the container, but running it outside one (python -m app.app, gunicorn) needs root"
            ));
        }
        values.set(name, value, source);
    }

    /// The image derived from the name (under the config's namespace), else
    /// the template's default.
    fn derived_or_template_default(
        &self,
        var: &Variable,
        so_far: &Values,
    ) -> Result<(Option<Value>, Source)> {
        if var.name == "image" && var.default.is_none() {
            let name = so_far.str("name");
            return Ok(match &self.config.defaults.image_namespace {
                Some(ns) => {
                    let raw = format!("{}/{name}", ns.trim_end_matches('/'));
                    let v = var.kind.check(&raw).map_err(|rule| {
                        InputError(format!(
                            "invalid image_namespace {}{}: {name} under it gives {}, which {rule}; for example `acme`",
                            quote(ns),
                            self.config.origin(),
                            quote(&raw)
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

/// Where a rejected value came from, for its error message.
fn origin(source: &Source) -> String {
    match source {
        Source::Env(e) => format!(" (from {e})"),
        Source::Answers(p) => format!(" in answers file {}", p.display()),
        Source::Config(p) => format!(" in config file {}", p.display()),
        _ => String::new(),
    }
}

/// With `-v`: each value as the command will use it and where it came from,
/// shown once every value is settled (init sets some after resolving), the
/// ones in `internal` left out.
pub fn show(values: &Values, printer: &Printer, internal: &[&str]) {
    for (name, value, source) in values.iter() {
        if !internal.contains(&name) {
            printer.detail(&format!("{name} = {value} (from {source})"));
        }
    }
}
