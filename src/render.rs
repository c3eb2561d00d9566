//! Turns a template and resolved values into a plan: every file of the
//! project, rendered in memory. Nothing here touches the disk.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use anyhow::{anyhow, bail, Result};
use serde::Serialize;
use tera::{Context, Tera};

use crate::template::{Origin, Template, RENDER_SUFFIX};
use crate::values::Values;

/// The answers file: the template and every value used, for regenerating later.
pub const ANSWERS_FILE: &str = ".flaskgen.toml";

#[derive(Debug, Clone, Serialize)]
pub struct PlannedFile {
    pub path: String,
    #[serde(skip)]
    pub contents: Cow<'static, [u8]>,
    #[serde(skip)]
    pub executable: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

impl Plan {
    pub fn total_bytes(&self) -> usize {
        self.files.iter().map(|f| f.contents.len()).sum()
    }
}

const COND_PREFIX: &str = "__condition__/";
const PATH_PREFIX: &str = "__path__/";

/// A compiled template: every `.tera` file, templated name and condition parsed once.
struct Engine<'t> {
    tera: Tera,
    template: &'t Template,
}

fn is_templated(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

/// The template-side path a condition key refers to: `.tera` removed.
fn logical_path(path: &str) -> &str {
    path.strip_suffix(RENDER_SUFFIX).unwrap_or(path)
}

impl<'t> Engine<'t> {
    /// Parses everything; on failure returns every problem found, each naming its file.
    fn compile(template: &'t Template) -> std::result::Result<Engine<'t>, Vec<String>> {
        let mut problems = Vec::new();
        let mut sources: Vec<(String, String)> = Vec::new();
        for f in &template.files {
            if f.path.ends_with(RENDER_SUFFIX) {
                match std::str::from_utf8(&f.contents) {
                    Ok(text) => sources.push((f.path.clone(), text.to_string())),
                    Err(_) => problems.push(format!("{}: a .tera file must be UTF-8 text", f.path)),
                }
            }
            if is_templated(&f.path) {
                sources.push((format!("{PATH_PREFIX}{}", f.path), f.path.clone()));
            }
        }
        for (key, expr) in &template.manifest.conditions {
            sources.push((
                format!("{COND_PREFIX}{key}"),
                format!("{{% if {expr} %}}true{{% endif %}}"),
            ));
        }
        // Parse one by one first so every broken file is reported, not just the first.
        for (name, text) in &sources {
            let mut probe = Tera::default();
            if let Err(e) = probe.add_raw_template(name, text) {
                problems.push(describe(name, &e));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![]);
        // Templates are data: they may not read the user's environment.
        tera.register_function("get_env", |_: &HashMap<String, tera::Value>| {
            Err(tera::Error::msg(
                "get_env is not available in flaskgen templates",
            ))
        });
        tera.add_raw_templates(sources)
            .map_err(|e| vec![describe("template", &e)])?;
        Ok(Engine { tera, template })
    }

    fn render_str(&self, name: &str, ctx: &Context) -> Result<String> {
        self.tera
            .render(name, ctx)
            .map_err(|e| anyhow!(describe(name, &e)))
    }

    fn included(&self, path: &str, ctx: &Context) -> Result<bool> {
        let logical = logical_path(path);
        for (key, _) in &self.template.manifest.conditions {
            if logical == key || logical.starts_with(&format!("{key}/")) {
                let out = self.render_str(&format!("{COND_PREFIX}{key}"), ctx)?;
                if out != "true" {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn plan(&self, values: &Values) -> Result<Plan> {
        let ctx = context(self.template, values);
        let answers = answers_file(self.template, values);
        let mut files = Vec::new();
        let mut seen = BTreeSet::new();
        let pseudo = [(ANSWERS_FILE.to_string(), answers)];
        for (path, text) in &pseudo {
            if self.included(path, &ctx)? {
                seen.insert(path.clone());
                files.push(PlannedFile {
                    path: path.clone(),
                    contents: Cow::Owned(text.clone().into_bytes()),
                    executable: false,
                });
            }
        }
        for f in &self.template.files {
            if !self.included(&f.path, &ctx)? {
                continue;
            }
            let rendered_path = if is_templated(&f.path) {
                self.render_str(&format!("{PATH_PREFIX}{}", f.path), &ctx)?
            } else {
                f.path.clone()
            };
            let out_path = confine(&f.path, logical_path(&rendered_path))?;
            if !seen.insert(out_path.clone()) {
                bail!("template file {} renders to {out_path}, which another template file also writes", f.path);
            }
            let contents = if f.path.ends_with(RENDER_SUFFIX) {
                Cow::Owned(self.render_str(&f.path, &ctx)?.into_bytes())
            } else {
                f.contents.clone()
            };
            files.push(PlannedFile {
                path: out_path,
                contents,
                executable: f.executable,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Plan { files })
    }
}

/// Renders the whole project in memory.
pub fn render(template: &Template, values: &Values) -> Result<Plan> {
    let engine = Engine::compile(template).map_err(|p| anyhow!(p.join("\n")))?;
    engine.plan(values)
}

/// Every problem that stops the template from rendering with `values`, for `template check`.
pub fn problems(template: &Template, values: &Values) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, _) in &template.manifest.conditions {
        let known = key == ANSWERS_FILE
            || template.files.iter().any(|f| {
                let l = logical_path(&f.path);
                l == key || l.starts_with(&format!("{key}/"))
            });
        if !known {
            problems.push(format!(
                "flaskgen.toml: condition for {key:?} names no file of the template"
            ));
        }
    }
    match Engine::compile(template) {
        Err(mut p) => problems.append(&mut p),
        Ok(engine) => {
            if let Err(e) = engine.plan(values) {
                problems.push(e.to_string());
            }
        }
    }
    problems
}

/// Values exposed to templates: each variable by name, plus `flaskgen`.
pub fn context(template: &Template, values: &Values) -> Context {
    let mut ctx = Context::new();
    for (name, value, _) in values.iter() {
        ctx.insert(name, value);
    }
    ctx.insert(
        "flaskgen",
        &serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "template": template.manifest.meta.name,
            "template_version": template.manifest.meta.version,
        }),
    );
    ctx
}

/// Checks a rendered path stays inside the project: relative, no `..`, no empty parts.
fn confine(template_path: &str, rendered: &str) -> Result<String> {
    let bad = rendered.is_empty()
        || rendered.starts_with('/')
        || rendered.contains('\\')
        || rendered.contains('\0')
        || rendered
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == ".." || c.trim().is_empty());
    if bad {
        bail!(
            "template file {template_path} renders to the unsafe path {rendered:?}: absolute paths, `..`, `.` and empty components are refused"
        );
    }
    Ok(rendered.to_string())
}

/// One line for a tera error: file, line and column where tera gives them.
fn describe(name: &str, err: &tera::Error) -> String {
    use std::error::Error as _;
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    let text = parts.join("\n");
    let file = name
        .strip_prefix(PATH_PREFIX)
        .map(|p| format!("{p} (file name)"))
        .unwrap_or_else(|| {
            name.strip_prefix(COND_PREFIX)
                .map(|c| format!("flaskgen.toml (condition for {c:?})"))
                .unwrap_or_else(|| name.to_string())
        });
    let location = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .map(|lc| format!(":{}", lc.trim()))
        .unwrap_or_default();
    let detail: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("-->")
                && !l.starts_with('|')
                && !l.starts_with("Failed to parse")
        })
        .filter(|l| !l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|l| l.trim_start_matches("= "))
        .collect();
    format!("{file}{location}: {}", detail.join(": "))
}

/// The answers file's text: template identity and every value used.
pub fn answers_file(template: &Template, values: &Values) -> String {
    let mut t = toml::map::Map::new();
    t.insert("name".into(), template.manifest.meta.name.clone().into());
    t.insert(
        "version".into(),
        template.manifest.meta.version.clone().into(),
    );
    match &template.origin {
        Origin::Builtin => {
            t.insert("source".into(), "builtin".into());
        }
        Origin::Dir(p) => {
            t.insert("source".into(), p.display().to_string().into());
        }
        Origin::Git {
            url,
            reference,
            commit,
        } => {
            t.insert("source".into(), url.clone().into());
            if let Some(r) = reference {
                t.insert("ref".into(), r.clone().into());
            }
            if !commit.is_empty() {
                t.insert("commit".into(), commit.clone().into());
            }
        }
    }
    let mut v = toml::map::Map::new();
    for (name, value, _) in values.iter() {
        v.insert(name.into(), value.to_toml());
    }
    let mut root = toml::map::Map::new();
    root.insert("template".into(), toml::Value::Table(t));
    root.insert("values".into(), toml::Value::Table(v));
    format!(
        "# Written by flaskgen {}: the template and the values this project was made from.\n{}",
        env!("CARGO_PKG_VERSION"),
        toml::to_string(&toml::Value::Table(root)).unwrap_or_default()
    )
}
