//! The project's dependencies and Python version: which tool manages them,
//! what they name, whether the project installs itself as a package, the
//! constraint on Python, each with file:line; and whether its lock is stale.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

pub use super::requirement::{
    is_name, line_of, normalise, req_name, requirement, StaleLock, PEP508,
};

use super::{package, Found};
use crate::files::{Kind, Project};
use crate::text::quote;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    Uv,
    Poetry,
    Pdm,
    Pipenv,
    /// `requirements.txt` (and its `-r` includes).
    Pip,
    /// `[project.dependencies]` in pyproject.toml, no lock file, no build backend.
    Pyproject,
    /// An installable package's own metadata (setup.py, setup.cfg, or
    /// pyproject.toml with a build backend, Poetry's with no poetry.lock
    /// included), no other dependency file, or a requirements.txt that
    /// installs only the project itself (`.`).
    Package,
    None,
}

impl Manager {
    pub fn name(self) -> &'static str {
        match self {
            Manager::Uv => "uv",
            Manager::Poetry => "poetry",
            Manager::Pdm => "pdm",
            Manager::Pipenv => "pipenv",
            Manager::Pip => "pip",
            Manager::Pyproject => "pyproject",
            Manager::Package => "package",
            Manager::None => "none",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Deps {
    pub manager: Manager,
    /// The file that decided the manager (the lock, or the requirements file).
    pub source: Option<String>,
    /// Files the dependency layer copies before the code.
    pub files: Vec<String>,
    /// Normalised distribution names (lowercase, `_` → `-`).
    pub names: BTreeSet<String>,
    /// `[project.dependencies]` as written, for a pyproject without a lock.
    pub specs: Vec<String>,
    /// The project installs itself (see [`SelfInstall`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<SelfInstall>,
    /// Lines of the requirements file (`source`) the install before the
    /// code leaves out, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
}

/// A line of requirements.txt the install before the code leaves out.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    pub line: usize,
    pub why: &'static str,
}

/// What the top requirements file says besides requirements.
#[derive(Debug, Default)]
struct Special {
    /// Lines that install the project itself (`.`, `-e .[server]`), with extras.
    own: Vec<(usize, Vec<String>)>,
    /// `-i URL` / `--index-url URL` lines.
    index: Vec<(usize, String)>,
    /// Whether any other line installs something (a requirement, an include, an option).
    rest: bool,
}

fn special_lines(text: &str) -> Special {
    let mut s = Special::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(extras) = own_line(line) {
            s.own.push((i + 1, extras));
        } else if line.starts_with("--index-url")
            || (line.starts_with("-i") && !line.starts_with("-i-"))
        {
            s.index.push((i + 1, line.to_string()));
        } else {
            s.rest = true;
        }
    }
    s
}

/// A requirements line that installs the project itself: `.`, `./`,
/// `-e .`, `--editable=.`, `file:.`, each possibly with extras
/// (`.[server]`); its extras.
fn own_line(line: &str) -> Option<Vec<String>> {
    let mut t = line;
    for p in ["--editable=", "--editable ", "-e "] {
        if let Some(r) = t.strip_prefix(p) {
            t = r.trim_start();
            break;
        }
    }
    let t = t.trim_matches(['"', '\'']);
    let t = t.strip_prefix("file:").unwrap_or(t);
    let rest = t.strip_prefix("./").or_else(|| t.strip_prefix('.'))?;
    if rest.is_empty() {
        return Some(vec![]);
    }
    let extras = rest.strip_prefix('[')?.strip_suffix(']')?;
    Some(
        extras
            .split(',')
            .map(str::trim)
            .filter(|e| is_name(e))
            .map(str::to_string)
            .collect(),
    )
}

/// How an installable project installs itself: its metadata's
/// dependencies (with `extras`) in a layer before the code, then the
/// project with `--no-deps`; when its requirements are not literal, pip
/// resolves the project, dependencies and all, after the code.
#[derive(Debug, Clone, Serialize)]
pub struct SelfInstall {
    /// The files that describe the package.
    pub files: Vec<String>,
    /// Its requirements and those of `extras`, as written.
    pub specs: Vec<String>,
    /// The extras that bring Flask or gunicorn when the base does not.
    pub extras: Vec<String>,
    /// Whether `specs` are all it requires (read from literals).
    pub literal: bool,
    /// A Poetry package without poetry.lock: pip resolves it through
    /// poetry-core, so versions are not repeatable until a lock is committed.
    pub poetry: bool,
}

impl Deps {
    pub fn has(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

/// `path`, relative to the project folder `dir`, as a plain relative path
/// with `.` and `..` resolved; `None` when it is absolute or leaves the project.
fn inside_project(dir: &Path, path: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in dir.join(path).components() {
        match c {
            std::path::Component::Normal(p) => parts.push(p.to_str()?.to_string()),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            _ => return None,
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Names in a requirements file and the files it includes with `-r`/`-c`.
fn requirements(
    project: &Project,
    rel: &str,
    names: &mut BTreeSet<String>,
    files: &mut Vec<String>,
) {
    if files.iter().any(|f| f == rel) || files.len() > 50 {
        return;
    }
    let Some(text) = project.text(rel, Kind::Config) else {
        return;
    };
    files.push(rel.to_string());
    let dir = Path::new(rel).parent().unwrap_or(Path::new(""));
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        let include = line
            .strip_prefix("-r ")
            .or_else(|| line.strip_prefix("--requirement "))
            .or_else(|| line.strip_prefix("-r"))
            .or_else(|| line.strip_prefix("-c "))
            .or_else(|| line.strip_prefix("--constraint "));
        if let Some(inc) = include {
            // `-r ../common.txt` in requirements/prod.txt is common.txt: an
            // ordinary include, as long as it stays inside the project.
            if let Some(inc) = inside_project(dir, inc.trim()) {
                let constraint = line.starts_with("-c") || line.starts_with("--constraint");
                if constraint {
                    let mut ignore = BTreeSet::new();
                    requirements(project, &inc, &mut ignore, files);
                } else {
                    requirements(project, &inc, names, files);
                }
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        if let Some(n) = req_name(line) {
            names.insert(n);
        }
    }
}

/// Names of packages pinned in a lock file with `[[package]] name = "..."`
/// (uv, poetry, pdm) that the image installs: where a package names its groups
/// (Poetry's `groups`/`category`, PDM's `groups`), only the main/default ones,
/// as the export does (`--only main`, `--prod`). uv's lock has no groups per
/// package: see [`uv_lock_names`].
fn lock_names(text: &str) -> BTreeSet<String> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return BTreeSet::new();
    };
    let installed = |p: &toml::Value| {
        let groups: Vec<&str> = match (p.get("groups"), p.get("category")) {
            (Some(toml::Value::Array(g)), _) => g.iter().filter_map(|g| g.as_str()).collect(),
            (_, Some(toml::Value::String(c))) => vec![c.as_str()],
            _ => return true,
        };
        groups.iter().any(|g| *g == "main" || *g == "default")
    };
    doc.get("package")
        .and_then(|p| p.as_array())
        .map(|pkgs| {
            pkgs.iter()
                .filter(|p| installed(p))
                .filter_map(|p| p.get("name")?.as_str().map(normalise))
                .collect()
        })
        .unwrap_or_default()
}

/// Detects the dependency manager and what it installs.
pub fn detect(project: &Project) -> Deps {
    let pyproject_text = project.text("pyproject.toml", Kind::Toml);
    let pyproject = pyproject_text
        .as_deref()
        .and_then(|t| t.parse::<toml::Table>().ok());
    let exists = |f: &str| project.is_file(f);
    let mut deps = Deps {
        manager: Manager::None,
        source: None,
        files: vec![],
        names: BTreeSet::new(),
        specs: vec![],
        package: None,
        left_out: vec![],
    };
    let locks = [
        ("uv.lock", Manager::Uv),
        ("poetry.lock", Manager::Poetry),
        ("pdm.lock", Manager::Pdm),
        ("Pipfile.lock", Manager::Pipenv),
    ];
    for (lock, manager) in locks {
        if exists(lock) {
            deps.manager = manager;
            deps.source = Some(lock.into());
            let text = project.text(lock, Kind::Lock).unwrap_or_default();
            deps.names = match manager {
                Manager::Pipenv => pipfile_lock_names(&text),
                Manager::Uv => uv_lock_names(&text),
                _ => lock_names(&text),
            };
            deps.files = if manager == Manager::Pipenv {
                vec!["Pipfile".into(), lock.into()]
            } else {
                vec!["pyproject.toml".into(), lock.into()]
            };
            return deps;
        }
    }
    if exists("Pipfile") {
        deps.manager = Manager::Pipenv;
        deps.source = Some("Pipfile".into());
        deps.files = vec!["Pipfile".into()];
        if let Some(t) = project
            .text("Pipfile", Kind::Toml)
            .and_then(|t| t.parse::<toml::Table>().ok())
        {
            if let Some(p) = t.get("packages").and_then(|p| p.as_table()) {
                deps.names = p
                    .keys()
                    .filter(|k| is_name(k))
                    .map(|k| normalise(k))
                    .collect();
            }
        }
        return deps;
    }
    for req in [
        "requirements.txt",
        "requirements/prod.txt",
        "requirements/production.txt",
        "requirements/base.txt",
        "requirements/common.txt",
        "requirements/main.txt",
    ] {
        if exists(req) {
            return from_requirements(project, req);
        }
    }
    let built = pyproject
        .as_ref()
        .is_some_and(|p| p.contains_key("build-system") && p.contains_key("project"));
    let poetry_only = pyproject.as_ref().is_some_and(|p| {
        !p.contains_key("project") && p.get("tool").and_then(|t| t.get("poetry")).is_some()
    });
    // A Poetry package with no poetry.lock installs with pip, through its
    // build backend: pip's own index configuration holds, where `poetry
    // lock` in the build would not read it.
    let poetry_package = pyproject
        .as_ref()
        .is_some_and(|p| package::poetry_package(p).is_some());
    if built || !poetry_only || poetry_package {
        if let Some(p) = package::read(project) {
            let install = self_install(&p, &[]);
            deps.manager = Manager::Package;
            deps.source = p.files.first().cloned();
            deps.files = p.files.clone();
            deps.names = spec_names(&install.specs);
            deps.specs = install.specs.clone();
            deps.package = Some(install);
            return deps;
        }
    }
    if let Some(py) = &pyproject {
        let poetry = py
            .get("tool")
            .and_then(|t| t.get("poetry"))
            .and_then(|p| p.get("dependencies"))
            .and_then(|d| d.as_table());
        let listed = py
            .get("project")
            .and_then(|p| p.get("dependencies"))
            .and_then(|d| d.as_array());
        let text = pyproject_text.as_deref().unwrap_or("");
        // A dependency that is not a PEP 508 requirement is left out (it
        // would reach pip as an option), and said so.
        let left_out = |spec: &str, why: &str| {
            let at = match text.lines().position(|l| l.contains(spec)) {
                Some(i) => format!("pyproject.toml:{}", i + 1),
                None => "pyproject.toml".into(),
            };
            project.warn(format!(
                "{at}: dependency {} left out: {why}; a dependency is {PEP508}",
                quote(spec)
            ));
        };
        if let Some(list) = listed {
            deps.manager = Manager::Pyproject;
            for v in list {
                let spec = match v {
                    toml::Value::String(s) => s.as_str(),
                    other => {
                        left_out(&other.to_string(), "it is not a string");
                        continue;
                    }
                };
                match requirement(spec) {
                    Ok(name) => {
                        deps.specs.push(spec.trim().to_string());
                        deps.names.insert(name);
                    }
                    Err(why) => left_out(spec, why),
                }
            }
        } else if let Some(t) = poetry {
            deps.manager = Manager::Poetry;
            // Poetry reads the table itself: a key that is no name counts for nothing here.
            deps.names = t
                .keys()
                .filter(|k| *k != "python" && is_name(k))
                .map(|k| normalise(k))
                .collect();
        }
        if deps.manager != Manager::None {
            deps.source = Some("pyproject.toml".into());
            deps.files = vec!["pyproject.toml".into()];
        }
    }
    deps
}

/// The dependencies a requirements file (`req`) installs: its names and
/// includes; with a line that installs the project itself (`.`), the
/// package after the code; with an index option, that line left out.
fn from_requirements(project: &Project, req: &str) -> Deps {
    let mut deps = Deps {
        manager: Manager::Pip,
        source: Some(req.into()),
        files: vec![],
        names: BTreeSet::new(),
        specs: vec![],
        package: None,
        left_out: vec![],
    };
    requirements(project, req, &mut deps.names, &mut deps.files);
    let special = special_lines(&project.text(req, Kind::Config).unwrap_or_default());
    // An index option would send the image's pip past the index
    // configured for the build: left out, and said so.
    for (line, option) in &special.index {
        project.warn(format!(
            "{req}:{line}: {} is left out of the image's install: pip there uses the index configured for the build (PIP_INDEX_URL); set that if the project needs this index",
            quote(option)
        ));
        deps.left_out.push(LeftOut {
            line: *line,
            why: "an index option; pip uses the index configured for the build",
        });
    }
    let own: Vec<String> = special.own.iter().flat_map(|(_, e)| e.clone()).collect();
    // requirements.txt may list a CLI's dependencies only, the web
    // ones living in the package metadata; or install the project
    // itself (`.`): then the package installs too, after the code.
    match package::read(project) {
        Some(p) => {
            let install = self_install(&p, &own);
            let names = spec_names(&install.specs);
            let adds = ["flask", "gunicorn"]
                .iter()
                .any(|n| names.contains(*n) && !deps.has(n));
            let itself = !special.own.is_empty();
            if itself || adds || (!deps.has("flask") && !install.literal) {
                deps.names.extend(names);
                deps.package = Some(install.clone());
            }
            for (line, _) in &special.own {
                deps.left_out.push(LeftOut {
                    line: *line,
                    why: "it installs the project itself, after the code",
                });
            }
            if itself && !special.rest {
                // Nothing else to install: the package's own path.
                deps.manager = Manager::Package;
                deps.source = p.files.first().cloned();
                deps.files = p.files.clone();
                deps.specs = install.specs;
                deps.left_out.clear();
            }
        }
        None => {
            for (line, _) in &special.own {
                project.warn(format!(
                    "{req}:{line} installs the project itself, but it has no setup.py, setup.cfg or pyproject.toml [build-system] to build it from"
                ));
            }
        }
    }
    deps.left_out.sort_by_key(|l| l.line);
    deps
}

/// How the package installs itself: with the extras `asked` (by a
/// requirements line `.[server]`) that it defines, and those that bring
/// Flask and gunicorn when its base requirements do not.
fn self_install(p: &package::Package, asked: &[String]) -> SelfInstall {
    let base = spec_names(&p.requires);
    let mut extras: Vec<String> = Vec::new();
    for e in asked {
        let defined = p.extras.keys().find(|k| normalise(k) == normalise(e));
        if let Some(k) = defined {
            if !extras.contains(k) {
                extras.push(k.clone());
            }
        }
    }
    for want in ["flask", "gunicorn"] {
        if base.contains(want) {
            continue;
        }
        let with = p
            .extras
            .iter()
            .find(|(_, specs)| spec_names(specs).contains(want));
        if let Some((name, _)) = with {
            if !extras.contains(name) {
                extras.push(name.clone());
            }
        }
    }
    let mut specs = p.requires.clone();
    for e in &extras {
        for s in &p.extras[e] {
            if !specs.contains(s) {
                specs.push(s.clone());
            }
        }
    }
    SelfInstall {
        files: p.files.clone(),
        specs,
        extras,
        literal: p.literal,
        poetry: p.poetry,
    }
}

fn spec_names(specs: &[String]) -> BTreeSet<String> {
    specs.iter().filter_map(|s| requirement(s).ok()).collect()
}

/// What `uv export --no-dev --no-emit-project` installs from a uv.lock: the
/// packages reachable from the project's own (`source = { virtual | editable =
/// "." }`) `dependencies`, following the extras a dependency asks for, but not
/// the project's dev groups or its own extras. Without such a root (an unusual
/// lock), every package counts.
fn uv_lock_names(text: &str) -> BTreeSet<String> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return BTreeSet::new();
    };
    let Some(pkgs) = doc.get("package").and_then(|p| p.as_array()) else {
        return BTreeSet::new();
    };
    let by_name: BTreeMap<String, &toml::Value> = pkgs
        .iter()
        .filter_map(|p| Some((normalise(p.get("name")?.as_str()?), p)))
        .collect();
    let is_root = |p: &toml::Value| {
        p.get("source").and_then(|s| s.as_table()).is_some_and(|s| {
            ["virtual", "editable"]
                .iter()
                .any(|k| s.get(*k).and_then(|v| v.as_str()) == Some("."))
        })
    };
    let Some(root) = pkgs.iter().find(|p| is_root(p)) else {
        return by_name.keys().cloned().collect();
    };
    // (name, extras asked for) edges of a list of `{ name, extra }` entries.
    let edges = |list: Option<&toml::Value>| -> Vec<(String, Vec<String>)> {
        list.and_then(|l| l.as_array())
            .into_iter()
            .flatten()
            .filter_map(|d| {
                let name = normalise(d.get("name")?.as_str()?);
                let extras = d
                    .get("extra")
                    .and_then(|e| e.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect();
                Some((name, extras))
            })
            .collect()
    };
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut todo = edges(root.get("dependencies"));
    while let Some((name, extras)) = todo.pop() {
        let Some(p) = by_name.get(&name) else {
            continue;
        };
        let first = names.insert(name.clone());
        if first {
            todo.extend(edges(p.get("dependencies")));
        }
        for extra in extras {
            if seen.insert((name.clone(), extra.clone())) {
                let optional = p.get("optional-dependencies").and_then(|o| o.get(&extra));
                todo.extend(edges(optional));
            }
        }
    }
    names
}

fn pipfile_lock_names(text: &str) -> BTreeSet<String> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("default")?.as_object().cloned())
        .map(|o| o.keys().map(|k| normalise(k)).collect())
        .unwrap_or_default()
}

/// The project's constraint on Python, from the first file that states one.
pub fn python_constraint(project: &Project) -> Option<Found<String>> {
    let read = |rel: &str, kind| project.text(rel, kind);
    if let Some(t) = read(".python-version", Kind::Config) {
        let v = t
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))?;
        let v = v
            .trim_start_matches("python-")
            .trim_start_matches("cpython-");
        return Some(Found::new(format!("=={v}"), ".python-version", 1).exact(v));
    }
    if let Some(text) = read("pyproject.toml", Kind::Toml) {
        if let Ok(py) = text.parse::<toml::Table>() {
            if let Some(r) = py
                .get("project")
                .and_then(|p| p.get("requires-python"))
                .and_then(|v| v.as_str())
            {
                return Some(Found::new(
                    r.to_string(),
                    "pyproject.toml",
                    line_of(&text, "requires-python"),
                ));
            }
            if let Some(r) = py
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.get("python"))
                .and_then(|v| v.as_str())
            {
                let line = super::requirement::poetry_python_line(&text);
                return Some(Found::new(r.to_string(), "pyproject.toml", line));
            }
        }
    }
    if let Some(p) = package::read(project).and_then(|p| p.python) {
        return Some(p);
    }
    if let Some(t) = read("runtime.txt", Kind::Config) {
        let v = t.trim().trim_start_matches("python-");
        if !v.is_empty() {
            return Some(Found::new(format!("=={v}"), "runtime.txt", 1).exact(v));
        }
    }
    if let Some(text) = read("Pipfile", Kind::Toml) {
        if let Ok(t) = text.parse::<toml::Table>() {
            if let Some(v) = t
                .get("requires")
                .and_then(|r| r.get("python_version"))
                .and_then(|v| v.as_str())
            {
                return Some(
                    Found::new(
                        format!("=={v}"),
                        "Pipfile",
                        line_of(&text, "python_version"),
                    )
                    .exact(v),
                );
            }
        }
    }
    None
}

/// A lock file that no longer matches what it locks, if the project has one:
/// Pipfile.lock's `_meta.hash` against the Pipfile's hash as Pipenv computes
/// it, poetry.lock's `content-hash` against pyproject.toml's, and uv.lock's
/// recorded requirements of the project against `[project.dependencies]`.
pub fn stale_lock(project: &Project, deps: &Deps) -> Option<StaleLock> {
    match deps.manager {
        Manager::Pipenv if deps.files.iter().any(|f| f == "Pipfile.lock") => {
            super::locks::pipfile(project)
        }
        Manager::Uv => super::locks::uv(project),
        Manager::Poetry if deps.files.iter().any(|f| f == "poetry.lock") => {
            super::locks::poetry(project)
        }
        _ => None,
    }
}

/// What the image installs instead of a stale lock, said in words: the
/// project's requirements.txt when it has one; else Pipenv or Poetry
/// resolves at build time; a uv.lock is still installed as it is (`uv export
/// --frozen` does not check it), which the words say.
pub fn instead_of_stale(project: &Project, deps: &mut Deps) -> String {
    if project.is_file("requirements.txt") {
        *deps = from_requirements(project, "requirements.txt");
        return "the Dockerfile installs the project's requirements.txt instead".into();
    }
    match deps.manager {
        Manager::Pipenv => {
            deps.files.retain(|f| f != "Pipfile.lock");
            deps.source = Some("Pipfile".into());
            "the Dockerfile resolves the Pipfile at build time instead (`pipenv lock`; versions are not repeatable): run `pipenv lock` and init again to install from the lock".into()
        }
        Manager::Poetry => {
            deps.files.retain(|f| f != "poetry.lock");
            deps.source = Some("pyproject.toml".into());
            "the Dockerfile resolves pyproject.toml at build time instead (`poetry lock`; versions are not repeatable): run `poetry lock` and init again to install from the lock".into()
        }
        _ => "the image installs what the lock records, not what pyproject.toml asks: run `uv lock` and init again".into(),
    }
}

/// `3.11.4` → (3, 11); anything unparsable → None.
fn minor(v: &str) -> Option<(u32, u32)> {
    let mut it = v.trim().split('.');
    let major = it.next()?.trim().parse().ok()?;
    let minor = it
        .next()
        .map(|m| m.trim().trim_end_matches('*'))
        .unwrap_or("0");
    let minor = if minor.is_empty() {
        0
    } else {
        minor.parse().ok()?
    };
    Some((major, minor))
}

/// Whether Python `major.minor` (any patch) satisfies one PEP 440 or Poetry
/// clause. Unknown clauses are taken as satisfied (None on parse failure).
fn clause_ok(clause: &str, v: (u32, u32)) -> Option<bool> {
    let c = clause.trim();
    if c.is_empty() || c == "*" {
        return Some(true);
    }
    for (op, len) in [
        ("===", 3),
        ("~=", 2),
        ("==", 2),
        ("!=", 2),
        (">=", 2),
        ("<=", 2),
        (">", 1),
        ("<", 1),
        ("^", 1),
        ("~", 1),
    ] {
        if let Some(rest) = c.strip_prefix(op) {
            let _ = len;
            let rest = rest.trim();
            let parts = rest.split('.').count();
            let wildcard = rest.ends_with('*');
            let target = minor(rest)?;
            let has_minor = parts >= 2 && rest.split('.').nth(1).is_none_or(|m| m.trim() != "*");
            return Some(match op {
                "==" | "===" if wildcard || parts <= 2 => {
                    if has_minor {
                        v == target
                    } else {
                        v.0 == target.0
                    }
                }
                // ==3.11.4: that minor version
                "==" | "===" => v == target,
                "!=" if wildcard || parts <= 2 => {
                    if has_minor {
                        v != target
                    } else {
                        v.0 != target.0
                    }
                }
                "!=" => true,
                ">=" => v >= target,
                // >3.9 excludes 3.9.0 only; >3.9.1 keeps 3.9 (3.9.2): treat as >= for minors
                ">" => {
                    if parts >= 3 {
                        v >= target
                    } else {
                        v > target
                    }
                }
                "<=" => v <= target,
                "<" => {
                    if parts >= 3 && rest.split('.').nth(2) != Some("0") {
                        v <= target
                    } else {
                        v < target
                    }
                }
                "~=" => {
                    if parts >= 3 {
                        v == target
                    } else {
                        v >= target && v.0 == target.0
                    }
                }
                "^" => v >= target && v.0 == target.0,
                "~" => {
                    if has_minor {
                        v == target
                    } else {
                        v.0 == target.0
                    }
                }
                _ => true,
            });
        }
    }
    // A bare version (Poetry) means ==.
    minor(c).map(|t| {
        if c.split('.').count() >= 2 {
            v == t
        } else {
            v.0 == t.0
        }
    })
}

/// The clauses of one alternative of a constraint: split at `,` (PEP 440)
/// and at spaces (Poetry's `>=3.8 <4`), where an operator standing alone
/// (`>= 3.8`, `~= 3.9`, `!= 3.9.*`) joins the version after it.
fn clauses(alt: &str) -> Vec<String> {
    let is_op = |w: &str| !w.is_empty() && w.chars().all(|c| "<>=!~^".contains(c));
    let mut out: Vec<String> = Vec::new();
    for part in alt.split(',') {
        let mut pending = String::new();
        for word in part.split_whitespace() {
            pending.push_str(word);
            if !is_op(word) {
                out.push(std::mem::take(&mut pending));
            }
        }
        if !pending.is_empty() {
            out.push(pending);
        }
    }
    out
}

/// Whether Python `major.minor` satisfies a whole constraint (`,` = and; Poetry `||` = or).
pub fn satisfies(constraint: &str, v: (u32, u32)) -> bool {
    constraint
        .split("||")
        .any(|alt| clauses(alt).iter().all(|c| clause_ok(c, v).unwrap_or(true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep508_requirements() {
        for ok in [
            "flask",
            "Flask[async]>=3.0",
            "gunicorn==23.0.0",
            "requests [security, socks] >= 2.8.1, == 2.8.*",
            "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
            "name @ file:///tmp/x.whl ; python_version < \"3.11\"",
            "tomli>=1.1; python_version < '3.11'",
            "zope.interface (>=5)",
            "A",
            "x===anything",
        ] {
            assert!(requirement(ok).is_ok(), "{ok}: {:?}", requirement(ok));
        }
        assert_eq!(requirement("Zope_Interface>=5").unwrap(), "zope-interface");
        for bad in [
            "--extra-index-url=https://evil.example/simple",
            "-e git+https://github.com/x/y.git#egg=y",
            "gunicorn\"]",
            "gunicorn\"",
            "'flask'",
            "-flask",
            "flask-",
            "flask >=",
            "flask ; ",
            "flask @ notaurl",
            "flask[",
            "flask[a b]",
            "flask\n--index-url=x",
            "",
        ] {
            assert!(requirement(bad).is_err(), "{bad}");
        }
        assert_eq!(req_name("gunicorn\"]"), None);
        assert_eq!(req_name("gunicorn==23 \\"), Some("gunicorn".into()));
        assert_eq!(req_name("gunicorn[gevent]"), Some("gunicorn".into()));
    }

    #[test]
    fn constraints() {
        assert!(satisfies(">=3.9", (3, 14)));
        assert!(!satisfies(">=3.9,<3.12", (3, 12)));
        assert!(satisfies(">=3.9,<3.12", (3, 11)));
        assert!(satisfies("^3.10", (3, 13)));
        assert!(!satisfies("^3.10", (3, 9)));
        assert!(satisfies("==3.11.4", (3, 11)));
        assert!(!satisfies("==3.11.4", (3, 12)));
        assert!(satisfies("==3.11.*", (3, 11)));
        assert!(satisfies("~=3.10", (3, 14)));
        assert!(!satisfies("~=3.10.2", (3, 11)));
        assert!(satisfies("<3.12.5", (3, 12)));
        assert!(!satisfies("<3", (3, 0)));
        assert!(satisfies(">=3.8,<4.0", (3, 14)));
        assert!(satisfies("3.11", (3, 11)));
        assert!(!satisfies("==2.7", (3, 11)));
        assert!(satisfies(">=3.8 <4", (3, 12)));
        assert!(!satisfies(">=3.8 <3.10", (3, 12)));
    }

    #[test]
    fn constraints_with_spaces_read_as_without() {
        // `>= 3.8` was once read as `>=` (ignored) and a bare `3.8` (== 3.8).
        for (spaced, tight) in [
            (">= 3.8", ">=3.8"),
            (">= 3.6", ">=3.6"),
            ("> 3.6", ">3.6"),
            (">= 3.6, <4", ">=3.6,<4"),
            (">= 3.8, < 4", ">=3.8,<4"),
            ("  >=  3.9 ,  <  3.12 ", ">=3.9,<3.12"),
            ("~= 3.9", "~=3.9"),
            ("!= 3.9.*", "!=3.9.*"),
            (">= 3.8, != 3.9.*", ">=3.8,!=3.9.*"),
            ("== 3.11.*", "==3.11.*"),
            ("^ 3.10", "^3.10"),
            (">= 3.8 || == 2.7", ">=3.8||==2.7"),
        ] {
            for minor in 0..=16 {
                assert_eq!(
                    satisfies(spaced, (3, minor)),
                    satisfies(tight, (3, minor)),
                    "{spaced:?} vs {tight:?} on 3.{minor}"
                );
            }
        }
        assert!(satisfies(">= 3.8", (3, 14)));
        assert!(satisfies(">= 3.6, <4", (3, 14)));
        assert!(satisfies("> 3.6", (3, 14)));
        assert!(!satisfies("!= 3.9.*", (3, 9)));
        assert!(!satisfies("~= 3.9", (3, 8)));
    }

    #[test]
    fn requirement_names() {
        assert_eq!(req_name("Flask[async]>=3.0").as_deref(), Some("flask"));
        assert_eq!(
            req_name("Flask_SQLAlchemy==3").as_deref(),
            Some("flask-sqlalchemy")
        );
        assert_eq!(
            req_name("  gunicorn ; python_version>'3'").as_deref(),
            Some("gunicorn")
        );
    }

    #[test]
    fn lock_names_are_what_the_export_installs() {
        // Poetry 2 (`groups`), Poetry 1 (`category`), PDM (`groups`): dev-only
        // packages are not installed by `--only main`/`--prod`.
        let lock = r#"
[[package]]
name = "Flask"
groups = ["main"]
[[package]]
name = "setuptools"
groups = ["dev"]
[[package]]
name = "gunicorn"
category = "main"
[[package]]
name = "pytest"
category = "dev"
[[package]]
name = "Click"
groups = ["default", "test"]
[[package]]
name = "werkzeug"
"#;
        let names = lock_names(lock);
        let want: BTreeSet<String> = ["flask", "gunicorn", "click", "werkzeug"]
            .map(String::from)
            .into();
        assert_eq!(names, want);
    }

    #[test]
    fn uv_lock_names_follow_the_project_not_its_dev_group() {
        let lock = r#"
version = 1
[[package]]
name = "shop"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "flask" }, { name = "requests", extra = ["socks"] }]
[package.dev-dependencies]
dev = [{ name = "gunicorn" }, { name = "pytest" }]
[package.optional-dependencies]
postgres = [{ name = "psycopg" }]

[[package]]
name = "Flask"
version = "3.1.3"
dependencies = [{ name = "werkzeug" }]
[[package]]
name = "werkzeug"
version = "3.1.3"
[[package]]
name = "requests"
version = "2.34.2"
dependencies = [{ name = "idna" }]
[package.optional-dependencies]
socks = [{ name = "pysocks" }]
security = [{ name = "pyopenssl" }]
[[package]]
name = "idna"
version = "3"
[[package]]
name = "PySocks"
version = "1"
[[package]]
name = "pyopenssl"
version = "1"
[[package]]
name = "gunicorn"
version = "27.0.1"
[[package]]
name = "pytest"
version = "9"
[[package]]
name = "psycopg"
version = "3"
"#;
        let want: BTreeSet<String> = ["flask", "werkzeug", "requests", "idna", "pysocks"]
            .map(String::from)
            .into();
        assert_eq!(uv_lock_names(lock), want);
        // A lock without the project's own entry: every package counts.
        let bare = "version = 1\n[[package]]\nname = \"flask\"\n[[package]]\nname = \"gunicorn\"\n";
        assert_eq!(uv_lock_names(bare).len(), 2);
    }
}
