//! An installable package's metadata: setup.py (literal arguments of
//! `setup(...)`), setup.cfg's `[options]`, or pyproject.toml's `[project]`
//! with a `[build-system]`: what it requires, its extras, its Python.
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
}

/// The package the project is, if it is one: setup.py, setup.cfg with
/// `[metadata]` or `[options]`, or pyproject.toml with `[build-system]` and
/// `[project]`. Poetry's own table is Poetry's, not read here.
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
