//! An installable package's metadata: setup.py (literal arguments of
//! `setup(...)`), setup.cfg's `[options]`, or pyproject.toml's `[project]`
//! with a `[build-system]`, or a Poetry package (`[tool.poetry]` built by
//! poetry-core): what it requires, its extras, its Python.
//! Only literal values count: a `setup.py` that computes its requirements
//! (reads a file, calls a function) gives none, and the image lets pip
//! resolve the package instead.

use std::collections::BTreeMap;

use rustpython_parser::ast::{self, Expr, Stmt};
use rustpython_parser::Parse;

use super::python::{str_const, Lines};
use super::requirement::{requirement, PEP508};
use super::Found;
use crate::files::{Kind, Project};
use crate::text::quote;

/// What an installable package's metadata says.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Package {
    /// The files that describe it (`setup.py`, `setup.cfg`, `pyproject.toml`).
    pub files: Vec<String>,
    /// Its requirements as written (PEP 508), when they are literal.
    pub requires: Vec<String>,
    /// Its extras: name → requirements.
    pub extras: BTreeMap<String, Vec<String>>,
    /// `python_requires` / `requires-python`.
    pub python: Option<Found<String>>,
    /// Whether the requirements were read (literal); `false` when a file
    /// computes them.
    pub literal: bool,
    /// Described by Poetry's own table ([`poetry_package`]).
    pub poetry: bool,
}

/// The package the project is, if it is one: setup.py, setup.cfg with
/// `[metadata]` or `[options]`, or pyproject.toml with `[build-system]` and
/// `[project]`, or a Poetry package ([`poetry_package`]), whose requirements
/// pip resolves (never literal).
pub fn read(project: &Project) -> Option<Package> {
    let mut p = Package::default();
    let mut literal = true;
    if let Some(text) = project.text("pyproject.toml", Kind::Toml) {
        if let Ok(t) = text.parse::<toml::Table>() {
            let project_table = t.get("project").and_then(|p| p.as_table());
            if let (Some(_), Some(pt)) = (t.get("build-system"), project_table) {
                p.files.push("pyproject.toml".into());
                let dynamic = |k: &str| {
                    pt.get("dynamic")
                        .and_then(|d| d.as_array())
                        .is_some_and(|d| d.iter().any(|v| v.as_str() == Some(k)))
                };
                let strings = |v: Option<&toml::Value>| -> Vec<String> {
                    v.and_then(|v| v.as_array())
                        .into_iter()
                        .flatten()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                };
                p.requires = strings(pt.get("dependencies"));
                if let Some(o) = pt.get("optional-dependencies").and_then(|o| o.as_table()) {
                    for (k, v) in o {
                        p.extras.insert(k.clone(), strings(Some(v)));
                    }
                }
                if let Some(r) = pt.get("requires-python").and_then(|v| v.as_str()) {
                    p.python = Some(Found::new(
                        r.to_string(),
                        "pyproject.toml",
                        super::requirement::line_of(&text, "requires-python"),
                    ));
                }
                if dynamic("dependencies") {
                    literal = false;
                }
            } else if let Some(poetry) = poetry_package(&t) {
                // Poetry's own table: names, not PEP 508 requirements, so pip
                // resolves them through the build backend, after the code.
                p.files.push("pyproject.toml".into());
                // An optional dependency counts only through the extra that names it.
                let optional =
                    |v: &toml::Value| v.get("optional").and_then(|o| o.as_bool()) == Some(true);
                p.requires = poetry
                    .iter()
                    .filter(|(k, v)| *k != "python" && !optional(v))
                    .map(|(k, _)| k.clone())
                    .collect();
                if let Some(x) = t
                    .get("tool")
                    .and_then(|t| t.get("poetry"))
                    .and_then(|p| p.get("extras"))
                    .and_then(|x| x.as_table())
                {
                    for (k, v) in x {
                        let names = v.as_array().into_iter().flatten();
                        p.extras.insert(
                            k.clone(),
                            names
                                .filter_map(|n| n.as_str().map(str::to_string))
                                .collect(),
                        );
                    }
                }
                if let Some(r) = poetry.get("python").and_then(|v| v.as_str()) {
                    p.python = Some(Found::new(
                        r.to_string(),
                        "pyproject.toml",
                        super::requirement::poetry_python_line(&text),
                    ));
                }
                literal = false;
                p.poetry = true;
            }
        }
    }
    if let Some(text) = project.text("setup.cfg", Kind::Config) {
        let sections = ini(&text);
        if sections.contains_key("metadata") || sections.contains_key("options") {
            p.files.push("setup.cfg".into());
            if let Some(o) = sections.get("options") {
                if let Some((v, _)) = o.get("install_requires") {
                    p.requires.extend(list(v));
                }
                if let Some((v, l)) = o.get("python_requires") {
                    p.python
                        .get_or_insert_with(|| Found::new(v.trim().to_string(), "setup.cfg", *l));
                }
            }
            if let Some(x) = sections.get("options.extras_require") {
                for (k, (v, _)) in x {
                    p.extras.entry(k.clone()).or_default().extend(list(v));
                }
            }
        }
    }
    if let Some(text) = project.text("setup.py", Kind::Python) {
        p.files.push("setup.py".into());
        match setup_py(&text) {
            Some(s) => {
                p.requires.extend(s.requires.unwrap_or_else(|| {
                    literal = false;
                    vec![]
                }));
                for (k, v) in s.extras {
                    p.extras.entry(k).or_default().extend(v);
                }
                if let Some((v, l)) = s.python {
                    p.python.get_or_insert_with(|| Found::new(v, "setup.py", l));
                }
            }
            None => literal = false,
        }
    }
    if p.files.is_empty() {
        return None;
    }
    // Only PEP 508 requirements reach pip: anything else is left out, and said so.
    let file = p.files.join(", ");
    let keep = |spec: &String| match requirement(spec) {
        Ok(_) => true,
        Err(why) => {
            project.warn(format!(
                "{file}: dependency {} left out: {why}; a dependency is {PEP508}",
                quote(spec)
            ));
            false
        }
    };
    p.requires.retain(keep);
    for v in p.extras.values_mut() {
        v.retain(keep);
    }
    p.extras.retain(|k, _| super::requirement::is_name(k));
    p.literal = literal;
    Some(p)
}

/// `[tool.poetry.dependencies]` of a pyproject.toml that is an installable
/// Poetry package: a `[build-system]` whose backend is Poetry's
/// (`poetry.core.masonry.api`, or `poetry-core` among its requirements), a
/// `[tool.poetry]` table, and no `package-mode = false`. pip builds such a
/// project through the backend, which reads these dependencies.
pub fn poetry_package(t: &toml::Table) -> Option<toml::Table> {
    let build = t.get("build-system")?;
    let backend = build
        .get("build-backend")
        .and_then(|b| b.as_str())
        .is_some_and(|b| b.starts_with("poetry"));
    let requires = build
        .get("requires")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str())
        .any(|r| {
            let name = r.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            matches!(
                name.into_iter().next(),
                Some("poetry-core" | "poetry_core" | "poetry")
            )
        });
    let poetry = t.get("tool")?.get("poetry")?.as_table()?;
    if !(backend || requires) || poetry.get("package-mode").and_then(|m| m.as_bool()) == Some(false)
    {
        return None;
    }
    Some(
        poetry
            .get("dependencies")
            .and_then(|d| d.as_table())
            .cloned()
            .unwrap_or_default(),
    )
}

/// Lines of an INI value as a list: one item per line (or `;`-free comma list).
fn list(v: &str) -> Vec<String> {
    v.lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

type Section = BTreeMap<String, (String, usize)>;

/// setup.cfg's sections: key → (value with continuation lines, line).
fn ini(text: &str) -> BTreeMap<String, Section> {
    let mut out: BTreeMap<String, Section> = BTreeMap::new();
    let mut section = String::new();
    let mut key: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            section = name.trim().to_string();
            key = None;
            continue;
        }
        if line.starts_with([' ', '\t']) && !t.is_empty() {
            if let Some(k) = &key {
                if let Some((v, _)) = out.entry(section.clone()).or_default().get_mut(k) {
                    v.push('\n');
                    v.push_str(t);
                }
            }
            continue;
        }
        if let Some((k, v)) = t.split_once('=').or_else(|| t.split_once(':')) {
            let k = k.trim().to_string();
            out.entry(section.clone())
                .or_default()
                .insert(k.clone(), (v.trim().to_string(), i + 1));
            key = Some(k);
        }
    }
    out
}

struct SetupPy {
    /// `None` when `install_requires` is not a literal list.
    requires: Option<Vec<String>>,
    extras: BTreeMap<String, Vec<String>>,
    python: Option<(String, usize)>,
}

/// The literal arguments of setup.py's `setup(...)` call (a name bound at
/// module level to a literal counts too).
fn setup_py(text: &str) -> Option<SetupPy> {
    let suite = ast::Suite::parse(text, "setup.py").ok()?;
    let lines = Lines::new(text);
    let mut names: BTreeMap<String, Expr> = BTreeMap::new();
    let mut call = None;
    fn find_setup(e: &Expr) -> Option<&ast::ExprCall> {
        match e {
            Expr::Call(c) => {
                let f = match &*c.func {
                    Expr::Name(n) => n.id.to_string(),
                    Expr::Attribute(a) => a.attr.to_string(),
                    _ => String::new(),
                };
                (f == "setup").then_some(c)
            }
            _ => None,
        }
    }
    let mut stack: Vec<&Stmt> = suite.iter().collect();
    stack.reverse();
    while let Some(s) = stack.pop() {
        match s {
            Stmt::Assign(a) => {
                if let Some(Expr::Name(n)) = a.targets.first() {
                    names.insert(n.id.to_string(), (*a.value).clone());
                }
            }
            Stmt::Expr(e) => {
                if let Some(c) = find_setup(&e.value) {
                    call = Some(c.clone());
                }
            }
            Stmt::If(i) => {
                for b in i.body.iter().chain(&i.orelse).rev() {
                    stack.push(b);
                }
            }
            _ => {}
        }
    }
    let call = call?;
    let resolve = |e: &Expr| -> Expr {
        match e {
            Expr::Name(n) => names
                .get(n.id.as_str())
                .cloned()
                .unwrap_or_else(|| e.clone()),
            _ => e.clone(),
        }
    };
    let strs = |e: &Expr| -> Option<Vec<String>> {
        let elts = match resolve(e) {
            Expr::List(l) => l.elts,
            Expr::Tuple(t) => t.elts,
            _ => return None,
        };
        elts.iter()
            .map(|x| str_const(x).map(str::to_string))
            .collect()
    };
    let kw = |name: &str| {
        call.keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
            .map(|k| &k.value)
    };
    let requires = match kw("install_requires") {
        Some(e) => strs(e),
        None => Some(vec![]),
    };
    let mut extras = BTreeMap::new();
    if let Some(Expr::Dict(d)) = kw("extras_require").map(&resolve) {
        for (k, v) in d.keys.iter().zip(&d.values) {
            if let (Some(k), Some(v)) = (k.as_ref().and_then(str_const), strs(v)) {
                extras.insert(k.to_string(), v);
            }
        }
    }
    let python = kw("python_requires").and_then(|e| {
        let r = resolve(e);
        let line = lines.line(rustpython_parser::ast::Ranged::range(e).start().to_usize());
        str_const(&r).map(|s| (s.to_string(), line))
    });
    Some(SetupPy {
        requires,
        extras,
        python,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_py_literals() {
        let src = "from setuptools import setup\nREQS = ['flask>=2', 'click']\nsetup(\n    name='x',\n    install_requires=REQS,\n    extras_require={'server': ['gunicorn']},\n    python_requires='>=3.8',\n)\n";
        let s = setup_py(src).unwrap();
        assert_eq!(s.requires.unwrap(), vec!["flask>=2", "click"]);
        assert_eq!(s.extras["server"], vec!["gunicorn"]);
        assert_eq!(s.python, Some((">=3.8".into(), 7)));
        let computed =
            "from setuptools import setup\nsetup(install_requires=open('r.txt').read().split())\n";
        assert!(setup_py(computed).unwrap().requires.is_none());
    }

    #[test]
    fn setup_cfg_sections() {
        let s = ini("[metadata]\nname = x\n[options]\ninstall_requires =\n    flask\n    gunicorn==23.0.0 # pinned\npython_requires = >=3.9\n[options.extras_require]\nserver =\n    waitress\n");
        assert_eq!(
            list(&s["options"]["install_requires"].0),
            vec!["flask", "gunicorn==23.0.0"]
        );
        assert_eq!(s["options"]["python_requires"], (">=3.9".to_string(), 7));
        assert_eq!(
            list(&s["options.extras_require"]["server"].0),
            vec!["waitress"]
        );
    }
}
