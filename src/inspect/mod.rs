//! Reads an existing Flask project without changing it: its entry point,
//! dependencies (an installable package's own metadata too), Python version,
//! port, health route, migrations, writable folders and the environment the
//! entry point's code reads, each with the file and line it came from; and
//! what makes an image fail: an app that registers no route under gunicorn,
//! state its requests read that only a script's start sets, Python 2 code,
//! a per-process secret with CSRF forms, a stale lock. A Procfile's `web:`
//! command is the declared entry.
//! Every file is read through [`crate::files::Project`], the bounded reader;
//! what it skipped is in [`Detection::warnings`].
//! `init` writes container files from this; `check` audits against it.

pub mod deps;
pub mod graph;
pub mod locks;
pub mod native;
pub mod once;
pub mod package;
pub mod prefilter;
pub mod python;
pub mod requirement;
pub mod serve;
pub mod statements;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use crate::error::input_error;
use crate::files::{Kind, Project};
use crate::text::escape;
use deps::Deps;
use python::AppKind;
use serve::{
    factories_by_call, full_routes, health_of, main_state, own_server, port_of, procfile_entry,
    procfile_web, python2_shape, MainState,
};

/// A detected value and where it came from (`file` is relative to the root;
/// empty with line 0 for a default).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Found<T> {
    pub value: T,
    pub file: String,
    pub line: usize,
    /// For a Python version pin: the version as written (`3.11.4`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<String>,
}

impl<T> Found<T> {
    pub fn new(value: T, file: &str, line: usize) -> Self {
        Found {
            value,
            file: file.to_string(),
            line,
            exact: None,
        }
    }
    pub fn default_value(value: T) -> Self {
        Found::new(value, "", 0)
    }
    pub fn exact(mut self, v: &str) -> Self {
        self.exact = Some(v.to_string());
        self
    }
    /// `file:line`, or `default`.
    pub fn at(&self) -> String {
        if self.file.is_empty() {
            "default".into()
        } else {
            format!("{}:{}", self.file, self.line)
        }
    }
}

/// A place gunicorn can load the app from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Candidate {
    /// `module:app` or `module:create_app()`.
    pub entry: String,
    pub kind: AppKind,
    pub file: String,
    pub line: usize,
    pub required_args: Vec<String>,
    /// A factory that returns another factory's app: that factory's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wraps: Option<String>,
    /// An instance its own file hangs routes or blueprints on.
    #[serde(skip)]
    pub serves: bool,
}

/// An app that registers no route when gunicorn imports it: its routes are
/// registered inside a function (`main()`) that then starts its own server.
#[derive(Debug, Clone, Serialize)]
pub struct OwnServer {
    /// Where the routes are registered (the first of them).
    pub routes_at: String,
    /// Where the app starts its own server (`app.run`).
    pub run_at: String,
    /// The function both happen in.
    pub function: String,
    /// How the project starts itself (`python app.py`, `python -m pkg`, a console script).
    pub command: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Detection {
    pub root: PathBuf,
    /// The chosen entry point, when exactly one was found (or FLASK_APP named it).
    pub entry: Option<Found<String>>,
    pub candidates: Vec<Candidate>,
    /// `src` for a src/ layout: the directory gunicorn imports from.
    pub pythonpath: Option<String>,
    pub deps: Deps,
    pub python: Option<Found<String>>,
    pub port: Found<u16>,
    pub health: Found<String>,
    /// The migrations folder (Flask-Migrate/Alembic).
    pub migrations: Option<Found<String>>,
    /// Folders the app writes at run time, relative to the root.
    pub writable: Vec<Found<String>>,
    /// Environment variables read as `os.environ["X"]`: required.
    pub env: Vec<Found<String>>,
    /// Read with `os.getenv("X")` and no default: the app runs without them.
    pub env_optional: Vec<Found<String>>,
    /// The app resolves the user's home directory (appdirs, `expanduser("~")`,
    /// `Path.home()`): the numeric user needs a writable one.
    pub home: Option<Found<String>>,
    /// Where the app relies on `pkg_resources`, which setuptools provides (below 82).
    pub pkg_resources: Option<Found<String>>,
    /// One-time initialisation commands the project defines or documents:
    /// listed, never run on start.
    pub init_commands: Vec<once::InitCommand>,
    /// `app.run(debug=True)` outside a `__main__` block, or any `app.run`: for `check`.
    pub runs: Vec<(String, python::RunCall)>,
    /// An app that serves nothing under gunicorn (see [`OwnServer`]).
    pub own_server: Option<OwnServer>,
    /// State the app's requests read that only a script's start sets (see [`MainState`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_state: Option<MainState>,
    /// Code the app imports that runs only on Python 2: what, where.
    pub python2: Vec<Found<String>>,
    /// A secret key made per process (`os.urandom` at import) while Flask-WTF
    /// checks CSRF tokens: with more than one worker a form posted to another
    /// worker fails, so SECRET_KEY is required from the environment.
    pub secret_per_process: Option<Found<String>>,
    /// The Procfile's `web:` line: the project's declared production command.
    pub procfile: Option<Found<String>>,
    /// The gunicorn options of that command the image's CMD keeps.
    pub gunicorn_options: Vec<String>,
    /// A lock file older than what it locks (the build's check would fail).
    pub stale_lock: Option<requirement::StaleLock>,
    /// What init says about these findings before writing, one line each.
    pub notes: Vec<String>,
    /// Python files parsed, and those that did not parse.
    pub parsed: usize,
    pub unparsable: Vec<String>,
    /// Files skipped by the reader (and why) and dependencies left out, escaped.
    pub warnings: Vec<String>,
}

/// Folders never searched for app code.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "venv",
    ".venv",
    "env",
    ".env",
    "virtualenv",
    "site-packages",
    "__pycache__",
    "tests",
    "test",
    "testing",
    "migrations",
    "alembic",
    "vendor",
    "vendored",
    "third_party",
    "_vendor",
    "build",
    "dist",
    "docs",
    "doc",
    "examples",
    "static",
    "templates",
    ".tox",
    ".nox",
    ".git",
    ".hg",
    ".mypy_cache",
    ".pytest_cache",
    "htmlcov",
];

/// What `init` says it searched when no app is found.
pub const SEARCHED: &str = "*.py files (not in tests, virtualenvs, migrations, vendored or ignored folders), wsgi.py, FLASK_APP in .flaskenv/.env";

/// Python files to read, relative to the root, `/`-separated: hidden,
/// skipped and virtualenv folders never entered, and what each folder's
/// `.gitignore` and `.ignore`, and the root's `.git/info/exclude`, ignore
/// left out, and what `.dockerignore` keeps out of the image
/// ([`prefilter::BuildContext`]). Those are read through the bounded reader,
/// so a FIFO there is skipped, not waited on (the `ignore` crate's own walk
/// would open it).
pub fn python_files(project: &Project) -> Vec<String> {
    let mut out = Vec::new();
    let context = prefilter::BuildContext::read(project);
    walk(project, "", 1, &[], &context, &mut out);
    out.sort();
    out
}

/// Folders deeper than this are not searched.
const MAX_DEPTH: usize = 8;

/// Adds the Python files of folder `rel` (at `depth`) to `out`; `ignores`
/// are the ignore files' rules of the folders above, nearest last.
fn walk(
    project: &Project,
    rel: &str,
    depth: usize,
    ignores: &[ignore::gitignore::Gitignore],
    context: &prefilter::BuildContext,
    out: &mut Vec<String>,
) {
    let dir = project.root().join(rel);
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let mut builder = ignore::gitignore::GitignoreBuilder::new(&dir);
    let names: &[&str] = if rel.is_empty() {
        &[".git/info/exclude", ".gitignore", ".ignore"]
    } else {
        &[".gitignore", ".ignore"]
    };
    for name in names {
        let file = if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        };
        for line in project
            .text(&file, Kind::Config)
            .unwrap_or_default()
            .lines()
        {
            let _ = builder.add_line(None, line);
        }
    }
    let mut ignores = ignores.to_vec();
    if let Ok(g) = builder.build() {
        ignores.push(g);
    }
    let ignored = |path: &Path, is_dir: bool| {
        ignores
            .iter()
            .rev()
            .map(|g| g.matched(path, is_dir))
            .find(|m| !m.is_none())
            .is_some_and(|m| m.is_ignore())
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().to_string();
        let path = entry.path();
        if name.starts_with('.') || ignored(&path, kind.is_dir()) {
            continue;
        }
        let child = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if kind.is_dir() {
            let skip = SKIP_DIRS.contains(&name.as_str())
                || name.ends_with(".egg-info")
                || path.join("pyvenv.cfg").exists();
            if !skip && depth < MAX_DEPTH && !context.skips_dir(&child) {
                walk(project, &child, depth + 1, &ignores, context, out);
            }
            continue;
        }
        if !kind.is_file() || !name.ends_with(".py") || context.skips_file(&child) {
            continue;
        }
        if name.starts_with("test_")
            || name.ends_with("_test.py")
            || name == "conftest.py"
            || name == "setup.py"
            || name == "gunicorn.conf.py"
        {
            continue;
        }
        out.push(child);
    }
}

/// `pkg/app.py` → `pkg.app`; `pkg/__init__.py` → `pkg`; under `src/`, without it.
pub fn module_of(rel: &str) -> (String, bool) {
    let (rel, src) = match rel.strip_prefix("src/") {
        Some(r) => (r, true),
        None => (rel, false),
    };
    let m = rel.trim_end_matches(".py").replace('/', ".");
    let m = m.strip_suffix(".__init__").unwrap_or(&m).to_string();
    (m, src)
}

/// `KEY=VALUE` lines of a dotenv file, with their line numbers.
pub fn dotenv(project: &Project, name: &str) -> BTreeMap<String, (String, usize)> {
    let mut out = BTreeMap::new();
    let Some(text) = project.text(name, Kind::Config) else {
        return out;
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((k, v)) = line.split_once('=') {
            if !k.trim().starts_with('#') {
                let v = v.trim().trim_matches(['"', '\'']).to_string();
                out.insert(k.trim().to_string(), (v, i + 1));
            }
        }
    }
    out
}

/// Variables the platform or the container sets, never the operator's to supply.
const PROCESS_ENV: &[&str] = &[
    "PORT",
    "HOME",
    "PATH",
    "USER",
    "PWD",
    "SHELL",
    "TERM",
    "LANG",
    "TMPDIR",
    "HOSTNAME",
    "PYTHONPATH",
    "PYTHONIOENCODING",
    "LISTEN_FDS",
    "LISTEN_PID",
    "FLASK_APP",
    "FLASK_DEBUG",
    "FLASK_ENV",
    "FLASK_RUN_PORT",
    "SERVER_SOFTWARE",
    "WERKZEUG_RUN_MAIN",
    "VIRTUAL_ENV",
];

pub(crate) const HEALTH_PATHS: &[&str] = &[
    "/healthz",
    "/health",
    "/healthcheck",
    "/health-check",
    "/_health",
    "/ping",
    "/livez",
    "/readyz",
    "/ready",
    "/status",
    "/api/health",
    "/api/healthz",
    "/api/ping",
];

/// Turns FLASK_APP's forms (`app.py`, `pkg:create_app`, `pkg.mod:app`) into a gunicorn entry.
fn entry_from_flask_app(v: &str, candidates: &[Candidate]) -> String {
    let v = v.trim();
    let (module, attr) = match v.split_once(':') {
        Some((m, a)) => (m, Some(a)),
        None => (v, None),
    };
    let module = module.trim_end_matches(".py").replace('/', ".");
    let module = module.strip_prefix("src.").unwrap_or(&module).to_string();
    match attr {
        Some(a) if a.contains('(') => format!("{module}:{a}"),
        Some(a) => {
            let factory = candidates
                .iter()
                .any(|c| c.kind == AppKind::Factory && c.entry == format!("{module}:{a}()"));
            if factory {
                format!("{module}:{a}()")
            } else {
                format!("{module}:{a}")
            }
        }
        None => candidates
            .iter()
            .find(|c| c.entry.split(':').next() == Some(module.as_str()))
            .map(|c| c.entry.clone())
            .unwrap_or_else(|| format!("{module}:app")),
    }
}

/// Reads the project at `root`.
pub fn detect(root: &Path) -> Result<Detection> {
    detect_in(&Project::new(root))
}

/// Reads the project, every file through `project`'s bounded reader; its
/// warnings so far are the detection's.
pub fn detect_in(project: &Project) -> Result<Detection> {
    let root = project.root();
    if !root.is_dir() {
        return Err(input_error(format!(
            "PATH {}: not a directory; give the folder of a Flask project, for example `flaskgen init .`",
            root.display()
        )));
    }
    let mut candidates = Vec::new();
    let mut all = Vec::new();
    let mut unparsable = Vec::new();
    let files = python_files(project);
    let scripts = once::console_scripts(project);
    let mut init_commands = Vec::new();
    // Module → file, and each file's imports, for the import graph.
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    let mut imports: BTreeMap<String, Vec<graph::Import>> = BTreeMap::new();
    let mut python2: Vec<Found<String>> = Vec::new();
    let mut mains: Vec<(String, String)> = Vec::new();
    // Read every file; parse, on every core, those that can yield a finding.
    let mut read = Vec::new();
    for rel in &files {
        let Some(text) = project.text(rel, Kind::Python) else {
            continue;
        };
        let (module, _) = module_of(rel);
        modules.entry(module.clone()).or_insert_with(|| rel.clone());
        if let Some(pkg) = module.strip_suffix(".__main__") {
            mains.push((pkg.to_string(), text.clone()));
        }
        let parse = match Needles::of(&text, rel) {
            Needles::None => Parse::No,
            Needles::RoutesOnly => Parse::Routes,
            Needles::Any => Parse::Whole,
        };
        read.push((rel, module, text, parse));
    }
    let parsed = parse_all(&read);
    for ((rel, module, text, parse), facts) in read.into_iter().zip(parsed) {
        if parse == Parse::No {
            imports.insert(rel.clone(), graph::scan_imports(&text));
            continue;
        }
        let Some(mut facts) = facts else {
            imports.insert(rel.clone(), graph::scan_imports(&text));
            if let Some((what, line)) = python2_shape(&text) {
                python2.push(Found::new(what, rel, line));
            }
            unparsable.push(rel.clone());
            continue;
        };
        if parse == Parse::Routes {
            // Imports inside the statements left out still link the graph.
            facts.imports.extend(graph::scan_imports(&text));
        }
        imports.insert(rel.clone(), facts.imports.clone());
        if let Some((what, line)) = &facts.python2 {
            python2.push(Found::new(what.clone(), rel, *line));
        }
        for app in &facts.apps {
            let entry = match app.kind {
                AppKind::Factory => format!("{module}:{}()", app.name),
                _ => format!("{module}:{}", app.name),
            };
            candidates.push(Candidate {
                entry,
                kind: app.kind.clone(),
                file: rel.clone(),
                line: app.line,
                required_args: app.required_args.clone(),
                wraps: None,
                serves: facts.routes.iter().any(|r| r.on == app.name)
                    || !facts.registered.is_empty(),
            });
        }
        let instances: Vec<String> = facts
            .apps
            .iter()
            .filter(|a| a.kind == AppKind::Instance)
            .map(|a| a.name.clone())
            .collect();
        init_commands.extend(once::from_code(
            rel,
            &module,
            &facts.commands,
            &instances,
            &scripts,
        ));
        all.push((rel.clone(), facts));
    }
    factories_by_call(&all, &mut candidates);
    for c in once::from_docs(project, &scripts) {
        if !init_commands
            .iter()
            .any(|k| once::same(&k.command, &c.command))
        {
            init_commands.push(c);
        }
    }
    let home = all.iter().find_map(|(f, facts)| {
        facts
            .home
            .as_ref()
            .map(|(call, l)| Found::new(call.clone(), f, *l))
    });

    let pkg_resources = all.iter().find_map(|(f, facts)| {
        facts
            .pkg_resources
            .map(|l| Found::new("pkg_resources".to_string(), f, l))
    });

    let flaskenv = dotenv(project, ".flaskenv");
    let dotenv_file = dotenv(project, ".env");
    let from_env = |key: &str| {
        flaskenv
            .get(key)
            .map(|(v, l)| (v.clone(), ".flaskenv", *l))
            .or_else(|| dotenv_file.get(key).map(|(v, l)| (v.clone(), ".env", *l)))
    };

    let procfile = procfile_web(project);
    // The Procfile's `web:` gunicorn command is the declared production entry.
    let declared = procfile
        .as_ref()
        .and_then(|p| procfile_entry(p, &candidates));
    let entry = declared
        .clone()
        .or_else(|| choose_entry(&candidates, from_env("FLASK_APP")));
    let pythonpath = entry.as_ref().and_then(|e| {
        let module = e.value.split(':').next().unwrap_or("");
        let top = module.split('.').next().unwrap_or("");
        let in_root = root.join(top).is_dir() || root.join(format!("{top}.py")).is_file();
        (!in_root && root.join("src").join(top).exists()).then(|| "src".to_string())
    });
    // Files that only another program runs: what a console script, a
    // `__main__.py` or a file with a `__main__` block reaches through
    // imports, and the entry point's module does not. A file neither reaches
    // (loaded by path, say) still counts.
    let reached = entry.as_ref().and_then(|e| {
        graph::reachable(e.value.split(':').next().unwrap_or(""), &modules, &imports)
    });
    let mut others: Vec<String> = scripts
        .values()
        .filter_map(|t| t.split(':').next().map(str::to_string))
        .collect();
    others.extend(
        all.iter()
            .filter(|(_, facts)| !facts.main_calls.is_empty())
            .map(|(f, _)| module_of(f).0),
    );
    others.extend(mains.iter().map(|(pkg, _)| format!("{pkg}.__main__")));
    let excluded: std::collections::BTreeSet<String> = match &reached {
        Some(r) => graph::reachable_from(&others, &modules, &imports)
            .into_iter()
            .filter(|f| !r.contains(f))
            .collect(),
        None => Default::default(),
    };
    let reaches = |f: &str| !excluded.contains(f);
    // Python 2 code refuses the app only where the entry's imports reach it:
    // an old script or migration beside the app is never loaded.
    let python2: Vec<Found<String>> = python2
        .into_iter()
        .filter(|p| match &reached {
            Some(r) => r.contains(&p.file),
            None => reaches(&p.file),
        })
        .collect();

    let flask_run_port = from_env("FLASK_RUN_PORT")
        .and_then(|(v, f, l)| v.parse().ok().map(|p| Found::new(p, f, l)));
    let port = port_of(&all, &reaches, flask_run_port);
    let port = port.unwrap_or(Found::default_value(5000));

    let routes = full_routes(&all);
    let health = health_of(&routes);
    let own_server = own_server(&all, &entry, &candidates, &scripts, &mains, &reaches);
    let main_state = main_state(&all, &entry, &candidates, &scripts, &mains, &reaches);

    // Flask-Migrate's folder is upgraded on start (the entrypoint); plain
    // Alembic's is a command to run, listed with the one-time ones.
    let found = migrations_dir(root);
    if let Some(m) = found.as_ref().filter(|m| m.flask && !m.ini) {
        project.warn(format!(
            "{}/ has no alembic.ini, which `flask db upgrade` reads (its env.py configures logging from it): add the one `flask db init` writes, or start with RUN_MIGRATIONS=0",
            m.dir
        ));
    }
    let migrations = found
        .as_ref()
        .filter(|m| m.flask)
        .map(|m| Found::new(m.dir.clone(), &m.file, m.line));
    if let Some(m) = found.filter(|m| !m.flask) {
        init_commands.push(once::InitCommand {
            command: "alembic upgrade head".into(),
            file: m.file,
            line: m.line,
            source: "config",
            run: Some("alembic upgrade head".into()),
        });
    }

    let mut writable: Vec<Found<String>> = Vec::new();
    let mut add_writable = |w: Found<String>| {
        if !writable.iter().any(|x| x.value == w.value) {
            writable.push(w);
        }
    };
    for (f, facts) in &all {
        if let Some(l) = facts.instance {
            add_writable(Found::new("instance".into(), f, l));
        }
        for (path, l) in &facts.sqlite {
            // sqlite:///app.db is relative to the instance folder in Flask-SQLAlchemy 3.
            let dir = Path::new(path)
                .parent()
                .map(|p| p.to_string_lossy().to_string())
                .unwrap_or_default();
            let dir = if path.starts_with('/') || dir.contains("..") || dir.contains('{') {
                continue;
            } else if dir.is_empty() {
                "instance".to_string()
            } else {
                dir
            };
            add_writable(Found::new(dir, f, *l));
        }
        for (dir, l) in &facts.folders {
            add_writable(Found::new(dir.clone(), f, *l));
        }
    }
    for d in ["instance", "logs", "log", "uploads", "data"] {
        if root.join(d).is_dir() {
            add_writable(Found::new(d.to_string(), d, 0));
        }
    }

    let mut env: Vec<Found<String>> = Vec::new();
    let mut env_optional: Vec<Found<String>> = Vec::new();
    let reached_facts = || all.iter().filter(|(f, _)| reaches(f));
    for (f, facts) in reached_facts() {
        for (name, l) in &facts.required_env {
            if !env.iter().any(|e| &e.value == name) && !PROCESS_ENV.contains(&name.as_str()) {
                env.push(Found::new(name.clone(), f, *l));
            }
        }
    }
    for (f, facts) in reached_facts() {
        for (name, l) in &facts.optional_env {
            let known = env.iter().chain(&env_optional).any(|e| &e.value == name);
            if !known && !PROCESS_ENV.contains(&name.as_str()) {
                env_optional.push(Found::new(name.clone(), f, *l));
            }
        }
    }
    let mut notes = Vec::new();
    let secret = reached_facts().find_map(|(f, facts)| {
        facts
            .random_secret
            .as_ref()
            .map(|(l, var)| Found::new(var.as_deref().unwrap_or("SECRET_KEY").to_string(), f, *l))
    });
    let csrf = reached_facts().find_map(|(f, facts)| {
        facts
            .csrf
            .map(|l| Found::new("flask_wtf".to_string(), f, l))
    });
    let secret_per_process = match (secret, csrf) {
        (Some(s), Some(c)) => {
            notes.push(format!(
                "{}: the secret key is made per process (os.urandom/secrets at import) and {} checks CSRF tokens with it: with more than one gunicorn worker a form posted to another worker fails, so {} is required from the environment",
                escape(&s.at()),
                escape(&c.at()),
                escape(&s.value)
            ));
            env_optional.retain(|e| e.value != s.value);
            if !env.iter().any(|e| e.value == s.value) {
                env.push(s.clone());
            }
            Some(s)
        }
        _ => None,
    };
    for p in &python2 {
        notes.push(format!(
            "{}: Python 2 code ({}): it does not run on the Python 3 images flaskgen writes",
            escape(&p.at()),
            escape(&p.value)
        ));
    }

    let runs = all
        .iter()
        .flat_map(|(f, facts)| facts.runs.iter().map(move |r| (f.clone(), r.clone())))
        .collect();

    if let (Some(p), Some(e)) = (&procfile, &declared) {
        notes.push(format!(
            "{}: the Procfile declares the production command `{}`: its entry {} is used{}",
            p.at(),
            escape(&p.value),
            escape(&e.value),
            match serve::procfile_options(p) {
                o if o.is_empty() => String::new(),
                o => format!(", and its options {}", o.join(" ")),
            }
        ));
    }
    let mut deps = deps::detect(project);
    let python = deps::python_constraint(project);
    let stale_lock = deps::stale_lock(project, &deps);
    if let Some(s) = &stale_lock {
        let instead = deps::instead_of_stale(project, &mut deps);
        notes.push(format!(
            "{} is stale against {}: {}; {instead}",
            s.lock,
            s.locks,
            escape(&s.why)
        ));
    }
    Ok(Detection {
        root: root.to_path_buf(),
        entry,
        candidates,
        pythonpath,
        deps,
        python,
        port,
        health,
        migrations,
        writable,
        env,
        env_optional,
        home,
        pkg_resources,
        init_commands,
        runs,
        own_server,
        main_state,
        python2,
        secret_per_process,
        gunicorn_options: procfile
            .as_ref()
            .filter(|_| declared.is_some())
            .map(serve::procfile_options)
            .unwrap_or_default(),
        procfile,
        stale_lock,
        notes,
        parsed: all.len(),
        unparsable,
        warnings: project.warnings(),
    })
}

/// What a file mentions, from its text: what decides whether, and how
/// much of it, is parsed.
#[derive(Debug, PartialEq)]
enum Needles {
    /// Nothing that can yield a finding: only its imports are read.
    None,
    /// Routes and blueprints and nothing else: only the statements that
    /// mention them (and the imports) are parsed.
    RoutesOnly,
    /// Anything else: the whole file is parsed.
    Any,
}

impl Needles {
    /// Only a file that mentions one of these can yield a finding (an app,
    /// app.run, the environment, SQLite, a folder, a port option, a secret
    /// key, Python 2 code, a CLI command, a string enum of route names).
    const ANY: &[&str] = &[
        "Flask",
        ".run(",
        "environ",
        "getenv",
        "prefixed_env",
        "sqlite:",
        "command",
        "expanduser",
        "user_",
        ".home(",
        "pkg_resources",
        "add_url_rule",
        "--port",
        "PORT",
        "mkdir",
        "_FOLDER",
        "_DIR",
        "_ROOT",
        "SECRET_KEY",
        "secret_key",
        "flask_wtf",
        "urllib2",
        "iteritems",
        "itervalues",
        "iterkeys",
        "has_key",
        "from_envvar",
        "makedirs",
        // A string enum whose members name routes (`f'/{Endpoint.healthz}'`).
        "Enum)",
        "app(",
        "__main__",
        "global ",
    ];
    /// A route or a blueprint; a statement that mentions none of these
    /// cannot define one.
    const ROUTES: &[&str] = &[".route(", "Blueprint", "blueprint", "url_prefix"];

    fn of(text: &str, rel: &str) -> Needles {
        let any = Self::ANY
            .iter()
            .chain(HEALTH_PATHS)
            .any(|n| text.contains(n));
        if any || rel.ends_with("wsgi.py") {
            Needles::Any
        } else if Self::ROUTES.iter().any(|n| text.contains(n)) {
            Needles::RoutesOnly
        } else {
            Needles::None
        }
    }
}

/// How much of a file the parser reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Parse {
    No,
    Routes,
    Whole,
}

/// The facts of each file read, `None` for one not parsed or not valid
/// Python; the files are shared out over the machine's cores.
fn parse_all(read: &[(&String, String, String, Parse)]) -> Vec<Option<python::PyFacts>> {
    let one = |(rel, _, text, parse): &(&String, String, String, Parse)| match parse {
        Parse::No => None,
        Parse::Whole => python::facts(text, rel),
        Parse::Routes => {
            let routes = statements::keep_statements(text, |s| {
                Needles::ROUTES.iter().any(|n| s.contains(n))
            });
            // A cut that went wrong does not parse: then the whole file is.
            python::facts(&routes, rel).or_else(|| python::facts(text, rel))
        }
    };
    let to_parse = read.iter().filter(|r| r.3 != Parse::No).count();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads < 2 || to_parse < 16 {
        return read.iter().map(one).collect();
    }
    // Interleaved, so that each thread gets a share of every folder.
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    read.iter()
                        .enumerate()
                        .filter(|(i, _)| i % threads == t)
                        .map(|(i, r)| (i, one(r)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out: Vec<Option<python::PyFacts>> = (0..read.len()).map(|_| None).collect();
        for w in workers {
            for (i, facts) in w.join().expect("a parser thread panicked") {
                out[i] = facts;
            }
        }
        out
    })
}

/// FLASK_APP wins; then a wsgi.py; then a single instance, else a single factory.
fn choose_entry(
    candidates: &[Candidate],
    flask_app: Option<(String, &str, usize)>,
) -> Option<Found<String>> {
    if let Some((v, f, l)) = flask_app {
        return Some(Found::new(entry_from_flask_app(&v, candidates), f, l));
    }
    let pick = |kind: AppKind| -> Vec<&Candidate> {
        candidates.iter().filter(|c| c.kind == kind).collect()
    };
    let wsgi = pick(AppKind::Wsgi);
    let wsgi_top: Vec<_> = wsgi.iter().filter(|c| !c.file.contains('/')).collect();
    for group in [wsgi_top, wsgi.iter().collect::<Vec<_>>()] {
        if group.len() == 1 {
            let c = group[0];
            return Some(Found::new(c.entry.clone(), &c.file, c.line));
        }
    }
    for kind in [AppKind::Instance, AppKind::Factory] {
        let mut group = pick(kind.clone());
        // A factory another one wraps (`return build_app(cfg)`) is not the
        // entry; a wrapper may share the wrapped one's name
        // (`def create_app(): return factory.create_app(...)`).
        // A wrapper that needs arguments (a CLI's `make_app(script_info)`)
        // does not displace the factory it wraps.
        let wrappers: Vec<(&str, &str)> = group
            .iter()
            .filter(|c| c.required_args.is_empty())
            .filter_map(|c| Some((c.entry.as_str(), c.wraps.as_deref()?)))
            .collect();
        let outer: Vec<&Candidate> = group
            .iter()
            .copied()
            .filter(|c| {
                let name = c
                    .entry
                    .split(':')
                    .nth(1)
                    .unwrap_or("")
                    .trim_end_matches("()");
                !wrappers
                    .iter()
                    .any(|(wrapper, callee)| *callee == name && *wrapper != c.entry)
            })
            .collect();
        if !outer.is_empty() {
            group = outer;
        }
        // A factory gunicorn can call as it is beats one that needs arguments.
        if group.iter().any(|c| c.required_args.is_empty()) {
            group.retain(|c| c.required_args.is_empty());
        }
        // An instance with routes beats a bare one (a helper module's
        // `app = Flask(__name__)` for its decorators' sake).
        if kind == AppKind::Instance && group.iter().any(|c| c.serves) {
            group.retain(|c| c.serves);
        }
        if group.len() == 1 {
            return Some(Found::new(
                group[0].entry.clone(),
                &group[0].file,
                group[0].line,
            ));
        }
        if group.len() > 1 {
            return None;
        }
    }
    None
}

/// Python minor versions of the suggested slim images, newest first, then older official ones.
fn python_versions() -> Vec<(u32, u32)> {
    // `python:3.14-slim` → (3, 14).
    let slim = |img: &str| {
        let tag = img.strip_prefix("python:")?.strip_suffix("-slim")?;
        let (a, b) = tag.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let mut v: Vec<(u32, u32)> = crate::values::SUGGESTED_BASE_IMAGES
        .iter()
        .filter_map(|(img, _)| slim(img))
        .collect();
    v.sort();
    v.reverse();
    // `new`'s default first: the Python flaskgen calls the safe default,
    // whose wheels the dependencies most likely ship; a newer one only when
    // the constraint asks for it.
    if let Some(d) = slim(crate::values::DEFAULT_BASE_IMAGE) {
        v.retain(|x| *x != d);
        v.insert(0, d);
    }
    let oldest = v.iter().min().copied().unwrap_or((3, 13));
    for m in (8..oldest.1).rev() {
        v.push((3, m));
    }
    v
}

/// The base image for a Python constraint: `new`'s default when there is none,
/// else the newest suggested slim image inside it (older official slim images
/// when no suggested one fits); an error naming the file when nothing fits.
pub fn base_image_for(python: Option<&Found<String>>) -> Result<String> {
    let default = crate::values::SUGGESTED_BASE_IMAGES[0].0.to_string();
    let Some(c) = python else { return Ok(default) };
    if let Some(exact) = &c.exact {
        // An exact version (.python-version, runtime.txt, Pipfile): that minor's slim image, if flaskgen supports it.
        let minor = crate::values::python_minor(exact).map_err(|rule| {
            input_error(format!(
                "{}: Python {:?} is not supported: {rule}; fix it there or give --python, for example --python 3.12",
                c.at(),
                exact
            ))
        })?;
        return Ok(format!("python:3.{minor}-slim"));
    }
    python_versions()
        .into_iter()
        .find(|v| deps::satisfies(&c.value, *v))
        .map(|(a, b)| format!("python:{a}.{b}-slim"))
        .ok_or_else(|| {
            input_error(format!(
                "{}: Python constraint {:?} is met by no Python image from 3.8 to the newest; fix it there or give --python, for example --python 3.12",
                c.at(),
                c.value
            ))
        })
}

/// A migrations folder, and which tool upgrades the database from it.
#[derive(Debug, PartialEq, Eq)]
struct Migrations {
    /// The folder, relative to the root.
    dir: String,
    /// The file and line that name it: its `env.py`, or the root
    /// `alembic.ini`'s `script_location`.
    file: String,
    line: usize,
    /// Flask-Migrate's (`flask db upgrade --directory DIR`), else plain
    /// Alembic's (`alembic upgrade head`, from the root `alembic.ini`).
    flask: bool,
    /// Whether the folder holds its own `alembic.ini`, which Flask-Migrate
    /// reads (`env.py` configures logging from it).
    ini: bool,
}

/// The migrations folder, if the project has one. Flask-Migrate's: what
/// `flask db init` makes (`env.py` and `alembic.ini` side by side), or an
/// `env.py` and `versions/` whose `env.py` reads the Flask app
/// (`current_app`, `flask_migrate`; a distribution may leave the
/// `alembic.ini` out), at `migrations/` or `alembic/` at the root, else
/// inside a top-level package (`pkg/migrations`, `src/pkg/migrations`),
/// where apps that ship as distributions keep it. A root `alembic.ini`
/// naming `script_location` decides the folder: plain Alembic's when its
/// `env.py` does not read the Flask app. Only plain names, and no symbolic
/// links, are accepted, so the path is safe in the entrypoint script and is
/// in the image.
fn migrations_dir(root: &Path) -> Option<Migrations> {
    let real_dir = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    let real_file = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.is_file());
    let plain = |rel: &str| {
        !rel.is_empty()
            && rel.split('/').all(|p| {
                !p.is_empty()
                    && p != ".."
                    && p != "."
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
            })
    };
    let has_env = |rel: &str| {
        let mut parts = Path::new(rel)
            .ancestors()
            .filter(|a| !a.as_os_str().is_empty());
        plain(rel)
            && parts.all(|a| real_dir(&root.join(a)))
            && real_file(&root.join(rel).join("env.py"))
    };
    let reads_flask = |rel: &str| {
        fs::read_to_string(root.join(rel).join("env.py"))
            .is_ok_and(|t| t.contains("current_app") || t.contains("flask_migrate"))
    };
    let found = |dir: &str, file: String, line: usize, flask: bool| Migrations {
        dir: dir.to_string(),
        file,
        line,
        flask,
        ini: real_file(&root.join(dir).join("alembic.ini")),
    };
    let flask_migrate = |rel: &str| {
        has_env(rel)
            && (real_file(&root.join(rel).join("alembic.ini"))
                || (real_dir(&root.join(rel).join("versions")) && reads_flask(rel)))
    };
    if real_file(&root.join("alembic.ini")) {
        if let Some((dir, line)) = fs::read_to_string(root.join("alembic.ini"))
            .ok()
            .and_then(|t| script_location(&t))
        {
            // `pkg:folder` names a folder inside an importable package.
            let dir = match dir.split_once(':') {
                Some((pkg, sub)) => ["", "src/"]
                    .iter()
                    .map(|p| format!("{p}{}/{sub}", pkg.replace('.', "/")))
                    .find(|d| has_env(d))
                    .unwrap_or_default(),
                None => dir,
            };
            if has_env(&dir) {
                let flask = flask_migrate(&dir) || reads_flask(&dir);
                return Some(found(&dir, "alembic.ini".into(), line, flask));
            }
        }
    }
    let at_env = |d: &str| found(d, format!("{d}/env.py"), 1, true);
    if let Some(d) = ["migrations", "alembic"]
        .into_iter()
        .find(|d| flask_migrate(d))
    {
        return Some(at_env(d));
    }
    let packages = |parent: &str| -> Vec<String> {
        let Ok(entries) = fs::read_dir(root.join(parent)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().join("__init__.py").is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| {
                !n.is_empty()
                    && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !SKIP_DIRS.contains(&n.as_str())
            })
            .map(|n| {
                if parent.is_empty() {
                    n
                } else {
                    format!("{parent}/{n}")
                }
            })
            .collect();
        names.sort();
        names
    };
    packages("")
        .into_iter()
        .chain(packages("src"))
        .map(|p| format!("{p}/migrations"))
        .find(|d| flask_migrate(d))
        .map(|d| at_env(&d))
}

/// `script_location` of an alembic.ini's `[alembic]` section, and its line:
/// relative to the root (`%(here)s/` dropped).
fn script_location(ini: &str) -> Option<(String, usize)> {
    let mut section = "";
    for (i, line) in ini.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            section = name.trim();
            continue;
        }
        if section != "alembic" {
            continue;
        }
        if let Some((k, v)) = t.split_once('=').or_else(|| t.split_once(':')) {
            if k.trim() == "script_location" {
                let v = v.trim();
                let v = v.strip_prefix("%(here)s/").unwrap_or(v);
                let v = v.strip_prefix("./").unwrap_or(v).trim_end_matches('/');
                return Some((v.to_string(), i + 1));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules() {
        assert_eq!(module_of("app.py"), ("app".into(), false));
        assert_eq!(module_of("pkg/__init__.py"), ("pkg".into(), false));
        assert_eq!(module_of("src/pkg/web.py"), ("pkg.web".into(), true));
    }

    #[test]
    fn a_module_of_routes_alone_is_parsed_in_part_and_loses_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        fs::create_dir_all(r.join("app")).unwrap();
        fs::write(
            r.join("app/__init__.py"),
            "from flask import Flask\nfrom .views import bp\n\napp = Flask(__name__)\napp.register_blueprint(bp)\n",
        )
        .unwrap();
        // Helpers around the view: strings with brackets and quotes, a
        // decorated class, an import inside a function; none is a route.
        let views = r#"from flask import Blueprint

bp = Blueprint("ops", __name__, url_prefix="/ops")
TEXT = """(
def fake(): pass
"""


@dataclass
class Row:
    name: str = "[{'"


def helper():
    from . import models
    return models


@bp.route("/items")
def items():
    return helper() or "ok"
"#;
        fs::write(r.join("app/views.py"), views).unwrap();
        fs::write(r.join("app/models.py"), "X = 1\n").unwrap();
        assert_eq!(
            Needles::of(views, "app/views.py"),
            Needles::RoutesOnly,
            "the test needs a file of routes alone"
        );
        let d = detect(r).unwrap();
        assert_eq!(d.entry.unwrap().value, "app:app");
        assert_eq!(
            (
                d.health.value.as_str(),
                d.health.file.as_str(),
                d.health.line
            ),
            ("/ops/items", "app/views.py", 19)
        );
        assert!(d.unparsable.is_empty());
    }

    #[test]
    fn a_factory_wrapping_one_of_the_same_name_is_the_entry_and_one_needing_arguments_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        fs::create_dir_all(r.join("svc")).unwrap();
        fs::write(
            r.join("svc/factory.py"),
            "from flask import Flask\n\n\ndef create_app(app_name=None, config=None):\n    app = Flask(app_name)\n    return app\n",
        )
        .unwrap();
        fs::write(
            r.join("svc/__init__.py"),
            "from svc import factory\n\n\ndef create_app(config_path=None):\n    app = factory.create_app(app_name=__name__, config=config_path)\n    return app\n",
        )
        .unwrap();
        // A CLI's wrapper that needs arguments is no entry.
        fs::write(
            r.join("svc/cli.py"),
            "from svc import create_app\n\n\ndef make_app(script_info):\n    return create_app(script_info.config)\n",
        )
        .unwrap();
        let d = detect(r).unwrap();
        assert_eq!(
            d.candidates.len(),
            3,
            "every factory is found: {:?}",
            d.candidates
        );
        let entry = d.entry.expect("the wrapper is chosen, not an ambiguity");
        assert_eq!((entry.value.as_str(), entry.line), ("svc:create_app()", 4));
    }

    #[test]
    fn walk_skips_ignored_virtualenv_vendored_and_test_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        let write = |p: &str| {
            let p = r.join(p);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "x = 1\n").unwrap();
        };
        for p in [
            "app/__init__.py",
            "app/views.py",
            "src/pkg/web.py",
            "myenv/pyvenv.cfg",
            "myenv/lib/site.py",
            "node_modules/x/y.py",
            "tests/test_app.py",
            "app/tests/helpers.py",
            "migrations/env.py",
            "generated/out.py",
            "app/test_views.py",
            ".hidden/a.py",
        ] {
            write(p);
        }
        fs::write(r.join(".gitignore"), "generated/\n").unwrap();
        assert_eq!(
            python_files(&Project::new(r)),
            vec!["app/__init__.py", "app/views.py", "src/pkg/web.py"]
        );
        // Nested ignore files and the repository's own exclude list count too.
        fs::write(r.join("app/.gitignore"), "views.py\n").unwrap();
        fs::create_dir_all(r.join(".git/info")).unwrap();
        fs::write(r.join(".git/info/exclude"), "/src/\n").unwrap();
        assert_eq!(python_files(&Project::new(r)), vec!["app/__init__.py"]);
    }

    #[test]
    fn base_images() {
        assert_eq!(base_image_for(None).unwrap(), "python:3.14-slim");
        let c = Found::new(">=3.9,<3.12".to_string(), "pyproject.toml", 3);
        assert_eq!(base_image_for(Some(&c)).unwrap(), "python:3.11-slim");
        // `new`'s default inside the constraint, a newer one only when asked for.
        let c = Found::new(">=3.10".to_string(), "pyproject.toml", 3);
        assert_eq!(base_image_for(Some(&c)).unwrap(), "python:3.14-slim");
        let c = Found::new(">=3.15".to_string(), "pyproject.toml", 3);
        assert_eq!(base_image_for(Some(&c)).unwrap(), "python:3.15-slim");
        let c = Found::new(">=3.10,<3.15".to_string(), "pyproject.toml", 3);
        assert_eq!(base_image_for(Some(&c)).unwrap(), "python:3.14-slim");
        let c = Found::new("==3.11.4".to_string(), ".python-version", 1).exact("3.11.4");
        assert_eq!(base_image_for(Some(&c)).unwrap(), "python:3.11-slim");
        let c = Found::new("<3.0".to_string(), "pyproject.toml", 7);
        let e = base_image_for(Some(&c)).unwrap_err().to_string();
        assert!(e.contains("pyproject.toml:7"), "{e}");
    }
}
