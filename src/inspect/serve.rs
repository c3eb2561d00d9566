//! How the app is served, from every file's facts together: factories that
//! return another factory's app, the port (`app.run`, a config value, a
//! `--port` option's default, a `PORT` environment default), the routes with
//! their blueprint prefixes and the health route among them, an app whose
//! routes gunicorn never registers, state the app's requests read that only
//! a script's start sets, Python 2 code, and the Procfile's `web:` command.

use std::collections::BTreeMap;

use serde::Serialize;

use super::python::{AppKind, PyFacts};
use super::{Candidate, Found, OwnServer, HEALTH_PATHS};
use crate::files::{Kind, Project};

/// Adds, as factories, top-level functions that return a factory's call
/// (`def create_app(): return build_app(cfg)`), until none is left.
pub fn factories_by_call(all: &[(String, PyFacts)], candidates: &mut Vec<Candidate>) {
    loop {
        let factories: Vec<String> = candidates
            .iter()
            .filter(|c| c.kind == AppKind::Factory)
            .filter_map(|c| c.entry.split(':').nth(1))
            .map(|a| a.trim_end_matches("()").to_string())
            .collect();
        let mut added = false;
        for (f, facts) in all {
            let (module, _) = super::module_of(f);
            for (name, line, required, callee) in &facts.returns_call {
                let entry = format!("{module}:{name}()");
                if factories.contains(callee) && !candidates.iter().any(|c| c.entry == entry) {
                    candidates.push(Candidate {
                        entry,
                        kind: AppKind::Factory,
                        file: f.clone(),
                        line: *line,
                        required_args: required.clone(),
                        wraps: Some(callee.clone()),
                        serves: false,
                    });
                    added = true;
                }
            }
        }
        if !added {
            return;
        }
    }
}

/// The port the app serves on, first found of: an `app.run` port (a
/// literal, or an environment read's default); an `app.run` port read from
/// a config value or a `--port` option, resolved; `flask_run_port`
/// (FLASK_RUN_PORT of .flaskenv/.env); a `--port` option's default; a
/// `PORT` config value (upper case, as Flask's config names are).
pub fn port_of(
    all: &[(String, PyFacts)],
    reaches: &dyn Fn(&str) -> bool,
    flask_run_port: Option<Found<u16>>,
) -> Option<Found<u16>> {
    let runs = || {
        all.iter()
            .flat_map(|(f, facts)| facts.runs.iter().map(move |r| (f, r)))
    };
    if let Some(p) = runs().find_map(|(f, r)| r.port.map(|p| Found::new(p, f, r.line))) {
        return Some(p);
    }
    let config = |key: &dyn Fn(&str) -> bool| {
        all.iter()
            .filter(|(f, _)| reaches(f))
            .flat_map(|(f, facts)| facts.config_ports.iter().map(move |c| (f, c)))
            .find(|(_, (k, _, _))| key(k))
            .map(|(f, (_, p, l))| Found::new(*p, f, *l))
    };
    let option = || {
        all.iter()
            .flat_map(|(f, facts)| facts.port_options.iter().map(move |o| (f, o)))
            .map(|(f, (p, l))| Found::new(*p, f, *l))
            .next()
    };
    for (_, r) in runs() {
        if let Some(key) = &r.port_key {
            if let Some(p) = config(&|k| k.eq_ignore_ascii_case(key)) {
                return Some(p);
            }
            if key.eq_ignore_ascii_case("port") {
                if let Some(p) = option() {
                    return Some(p);
                }
            }
        }
    }
    // Alone, only a config value counts (Flask's config names are upper
    // case): a `port` of a mail or database client's settings is not the app's.
    flask_run_port
        .or_else(option)
        .or_else(|| config(&|k| k == "PORT"))
}

/// A route with its blueprint prefix applied: (path, file, line, answers GET).
pub type FullRoute = (String, String, usize, bool);

/// Every route, with the prefix of its blueprint: the `url_prefix` given at
/// `register_blueprint`, else the one on the `Blueprint(...)`; and the
/// routes of imported health blueprints.
pub fn full_routes(all: &[(String, PyFacts)]) -> Vec<FullRoute> {
    let registered: Vec<&(String, Option<String>, bool)> =
        all.iter().flat_map(|(_, f)| &f.registered).collect();
    let members: Vec<&(String, String)> = all.iter().flat_map(|(_, f)| &f.str_members).collect();
    let mut out = Vec::new();
    for (file, facts) in all {
        let stem = file
            .trim_end_matches(".py")
            .trim_end_matches("/__init__")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        for r in &facts.routes {
            let own = facts.blueprints.iter().find(|(v, _, _)| *v == r.on);
            let prefix = own.and_then(|(var, own_prefix, _)| {
                // `register_blueprint(views.bp)` names the module; `bp` alone any.
                let regs: Vec<&&(String, Option<String>, bool)> = registered
                    .iter()
                    .filter(|(d, _, _)| {
                        d == var || d.ends_with(&format!(".{var}")) && d.contains(&stem)
                    })
                    .collect();
                let reg = regs
                    .iter()
                    .find(|(d, _, _)| d.contains('.'))
                    .or(regs.first());
                match reg {
                    Some((_, Some(p), _)) => Some(p.clone()),
                    _ => own_prefix.clone(),
                }
            });
            let Some(rule) = member_rule(&r.path, &members) else {
                continue;
            };
            let path = match prefix {
                Some(p) if !p.is_empty() => format!("{}{}", p.trim_end_matches('/'), rule),
                _ => rule,
            };
            out.push((path, file.clone(), r.line, r.get));
        }
        for (path, line) in &facts.health_blueprints {
            out.push((path.clone(), file.clone(), *line, true));
        }
    }
    out
}

/// A rule with its `{Class.member}` parts (from an f-string) replaced by
/// the members' strings; `None` when one is not known.
fn member_rule(rule: &str, members: &[&(String, String)]) -> Option<String> {
    let mut out = String::new();
    let mut rest = rule;
    while let Some((before, after)) = rest.split_once('{') {
        let (member, tail) = after.split_once('}')?;
        let value = members.iter().find(|(m, _)| m == member)?;
        out.push_str(before);
        out.push_str(&value.1);
        rest = tail;
    }
    out.push_str(rest);
    Some(out)
}

/// The route the HEALTHCHECK probes: a health-like route (at the root
/// first, then under a prefix, then under a health prefix); else `/` when it
/// is a route; else the shortest route without variables; `/` by default
/// when no route is known.
pub fn health_of(routes: &[FullRoute]) -> Found<String> {
    let found = |r: &FullRoute| Found::new(r.0.clone(), &r.1, r.2);
    // The HEALTHCHECK sends GET.
    let routes: Vec<&FullRoute> = routes.iter().filter(|r| r.3).collect();
    let routes = routes.as_slice();
    if let Some(r) = HEALTH_PATHS
        .iter()
        .find_map(|h| routes.iter().find(|r| r.0 == *h))
    {
        return found(r);
    }
    // A health route under a prefix (`/management/healthcheck`): its last segment.
    if let Some(r) = HEALTH_PATHS.iter().find_map(|h| {
        routes
            .iter()
            .find(|r| !r.0.contains('<') && r.0.rsplit('/').next() == h.rsplit('/').next())
    }) {
        return found(r);
    }
    // A route under a health prefix (flask_healthz's `/healthz/live`).
    if let Some(r) = HEALTH_PATHS.iter().find_map(|h| {
        let h = h.trim_start_matches('/');
        routes
            .iter()
            .find(|r| !r.0.contains('<') && r.0.split('/').any(|s| s == h))
    }) {
        return found(r);
    }
    if let Some(r) = routes.iter().find(|r| r.0 == "/") {
        return found(r);
    }
    routes
        .iter()
        .filter(|r| !r.0.contains('<'))
        .min_by_key(|r| r.0.len())
        .map(|r| found(r))
        .unwrap_or(Found::default_value("/".to_string()))
}

/// Whether the chosen entry is a module-level app instance (not a factory's app).
fn instance_entry(entry: &Option<Found<String>>, candidates: &[Candidate]) -> bool {
    entry.as_ref().is_some_and(|e| {
        candidates
            .iter()
            .any(|c| c.entry == e.value && c.kind == AppKind::Instance)
    })
}

/// The package whose `__main__.py` (what `python -m pkg` runs) calls
/// `function` of `module` (a module of that package).
fn main_py_calls<'m>(
    mains: &'m [(String, String)],
    module: &str,
    function: &str,
) -> Option<&'m str> {
    let call = format!("{function}(");
    mains
        .iter()
        .find(|(pkg, text)| {
            (module == pkg || module.starts_with(&format!("{pkg}."))) && text.contains(&call)
        })
        .map(|(pkg, _)| pkg.as_str())
}

/// An app whose every route is registered inside a function that also
/// starts the app's own server (`def main(): @app.route(...) ...;
/// app.run()`), or on blueprints only such a function registers: under
/// gunicorn it answers 404 everywhere. `mains` are the packages'
/// `__main__.py` texts (package, text): how `python -m pkg` starts it.
pub fn own_server(
    all: &[(String, PyFacts)],
    entry: &Option<Found<String>>,
    candidates: &[Candidate],
    scripts: &BTreeMap<String, String>,
    mains: &[(String, String)],
    reaches: &dyn Fn(&str) -> bool,
) -> Option<OwnServer> {
    if !instance_entry(entry, candidates) {
        return None;
    }
    let reached: Vec<&(String, PyFacts)> = all.iter().filter(|(f, _)| reaches(f)).collect();
    let registered: Vec<&(String, Option<String>, bool)> =
        reached.iter().flat_map(|(_, f)| &f.registered).collect();
    let served_at_import = |on: &str, facts: &PyFacts| {
        let is_bp = facts.blueprints.iter().any(|(v, _, _)| v == on);
        if !is_bp {
            return true;
        }
        let regs: Vec<_> = registered
            .iter()
            .filter(|(d, _, _)| d == on || d.ends_with(&format!(".{on}")))
            .collect();
        regs.is_empty() || regs.iter().any(|(_, _, at_import)| *at_import)
    };
    // Functions (and classes) module-level code calls: what they register
    // is registered at import (`register_routes(app)`).
    let called: Vec<&String> = reached.iter().flat_map(|(_, f)| &f.import_calls).collect();
    let at_import = |r: &super::python::Route| {
        r.import_time || r.in_function.as_ref().is_some_and(|f| called.contains(&f))
    };
    let mut first_route = None;
    for (f, facts) in &reached {
        for r in &facts.routes {
            if at_import(r) && served_at_import(&r.on, facts) {
                return None;
            }
            first_route.get_or_insert((f.clone(), r.line));
        }
    }
    let (rf, rl) = first_route?;
    // The run call that starts the server, in a function.
    let (file, run, function) = reached.iter().find_map(|(f, facts)| {
        facts.runs.iter().find_map(|r| {
            r.in_function
                .clone()
                .filter(|func| !called.contains(&func))
                .map(|func| (f.clone(), r.clone(), func))
        })
    })?;
    let facts = &all.iter().find(|(f, _)| *f == file)?.1;
    let command = start_command(&file, facts, Some(&function), scripts, mains);
    Some(OwnServer {
        routes_at: format!("{rf}:{rl}"),
        run_at: format!("{file}:{}", run.line),
        function,
        command,
    })
}

/// Module state the entry's requests read that only starting the project
/// as a script sets (see [`super::python::MainOnlyState`]): under gunicorn
/// it stays `None` (or the config key missing) and those requests fail.
#[derive(Debug, Clone, Serialize)]
pub struct MainState {
    /// `dataset`, or `app.config['DATABASE']`.
    pub name: String,
    /// Where it is set: `file:line`.
    pub set_at: String,
    /// What sets it: `main()`, `initialize_app() (run by main())`, or the `__main__` block.
    pub set_in: String,
    /// Where it is read: `file:line`, and by what (`index()`, `load() from index()`).
    pub read_at: String,
    pub read_in: String,
    /// It is read before every request, not only on one route.
    pub every_request: bool,
    /// How the project starts itself (`python app.py`, `python -m pkg`, a console script).
    pub command: Option<String>,
}

/// The first [`MainState`] of the files the entry (an app instance) reaches:
/// state set in the `__main__` block, or in a function that only a script
/// start runs: one the `__main__` block, a console script or the package's
/// `__main__.py` calls.
pub fn main_state(
    all: &[(String, PyFacts)],
    entry: &Option<Found<String>>,
    candidates: &[Candidate],
    scripts: &BTreeMap<String, String>,
    mains: &[(String, String)],
    reaches: &dyn Fn(&str) -> bool,
) -> Option<MainState> {
    if !instance_entry(entry, candidates) {
        return None;
    }
    all.iter()
        .filter(|(f, _)| reaches(f))
        .find_map(|(file, facts)| {
            let (module, _) = super::module_of(file);
            facts.main_state.iter().find_map(|s| {
                let root = match &s.set_in {
                    None => None,
                    Some(_) => Some(s.set_by.iter().find(|r| {
                        facts.main_calls.contains(r)
                            || scripts.values().any(|t| *t == format!("{module}:{r}"))
                            || main_py_calls(mains, &module, r).is_some()
                    })?),
                };
                let set_in = match (&s.set_in, root) {
                    (Some(f), Some(r)) if f == r => format!("{f}()"),
                    (Some(f), Some(r)) => format!("{f}() (run by {r}())"),
                    _ => "the `__main__` block".to_string(),
                };
                Some(MainState {
                    name: s.name.clone(),
                    set_at: format!("{file}:{}", s.set_line),
                    set_in,
                    read_at: format!("{file}:{}", s.read_line),
                    read_in: s.read_in.clone(),
                    every_request: s.every_request,
                    command: start_command(file, facts, root.map(String::as_str), scripts, mains),
                })
            })
        })
}

/// How the project starts the script `file` whose `function` (`main`)
/// runs the app, or its `__main__` block when `function` is `None`: a
/// console script naming it, `python -m pkg` when the package's
/// `__main__.py` calls it, else the module run as a script.
fn start_command(
    file: &str,
    facts: &PyFacts,
    function: Option<&str>,
    scripts: &BTreeMap<String, String>,
    mains: &[(String, String)],
) -> Option<String> {
    let (module, _) = super::module_of(file);
    let as_script = || match module.strip_suffix(".__main__") {
        Some(pkg) => format!("python -m {pkg}"),
        None if file.contains('/') => format!("python -m {module}"),
        None => format!("python {file}"),
    };
    let Some(function) = function else {
        return Some(as_script());
    };
    scripts
        .iter()
        .find(|(_, t)| **t == format!("{module}:{function}"))
        .map(|(name, _)| name.clone())
        // `python -m pkg` runs pkg/__main__.py.
        .or_else(|| main_py_calls(mains, &module, function).map(|pkg| format!("python -m {pkg}")))
        .or_else(|| {
            facts
                .main_calls
                .iter()
                .any(|c| c == function)
                .then(as_script)
        })
}

/// What marks a file that does not parse as Python 2: a `print` statement,
/// `except X, e:`, a backquoted repr, `<>`, or an `exec` statement.
pub fn python2_shape(text: &str) -> Option<(String, usize)> {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let print = t
            .strip_prefix("print ")
            .is_some_and(|rest| !rest.trim_start().starts_with(['(', '=', '.']))
            || t.starts_with("print\"")
            || t.starts_with("print'");
        if print {
            return Some(("print statement".into(), i + 1));
        }
        let except_comma = t.starts_with("except ")
            && t.trim_end().ends_with(':')
            && t.contains(',')
            && !t.contains('(')
            && !t.contains(" as ");
        if except_comma {
            return Some(("`except X, e:`".into(), i + 1));
        }
    }
    None
}

/// The Procfile's `web:` command, with its line.
pub fn procfile_web(project: &Project) -> Option<Found<String>> {
    let text = project.text("Procfile", Kind::Config)?;
    text.lines().enumerate().find_map(|(i, l)| {
        let cmd = l.trim().strip_prefix("web:")?.trim();
        (!cmd.is_empty()).then(|| Found::new(cmd.to_string(), "Procfile", i + 1))
    })
}

/// gunicorn options of a Procfile's `web:` command that the image keeps, in
/// `--name=value` form: workers, threads, worker class, timeouts, request
/// limits, `--preload`. The bind, config and logging options are the
/// generated gunicorn.conf.py's; anything else, or a value that is not a
/// plain number or name (`$WEB_CONCURRENCY`), is left to it too.
pub fn procfile_options(p: &Found<String>) -> Vec<String> {
    const VALUED: &[(&str, &str)] = &[
        ("-w", "--workers"),
        ("--workers", "--workers"),
        ("--threads", "--threads"),
        ("-t", "--timeout"),
        ("--timeout", "--timeout"),
        ("--graceful-timeout", "--graceful-timeout"),
        ("--keep-alive", "--keep-alive"),
        ("-k", "--worker-class"),
        ("--worker-class", "--worker-class"),
        ("--max-requests", "--max-requests"),
        ("--max-requests-jitter", "--max-requests-jitter"),
    ];
    let plain = |v: &str| {
        !v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._".contains(c))
    };
    let words: Vec<&str> = p.value.split_whitespace().collect();
    let Some(g) = words.iter().position(|w| w.ends_with("gunicorn")) else {
        return vec![];
    };
    let mut out = Vec::new();
    let mut i = g + 1;
    while let Some(w) = words.get(i) {
        if !w.starts_with('-') {
            i += 1;
            continue;
        }
        if *w == "--preload" {
            out.push(w.to_string());
            i += 1;
            continue;
        }
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) => (f, Some(v)),
            None => (*w, None),
        };
        let value = inline.or_else(|| words.get(i + 1).copied());
        i += if inline.is_some() { 1 } else { 2 };
        if let (Some((_, long)), Some(v)) = (VALUED.iter().find(|(f, _)| *f == flag), value) {
            if plain(v) {
                out.push(format!("{long}={v}"));
            }
        }
    }
    out
}

/// The gunicorn entry a Procfile's `web:` command names
/// (`gunicorn [options] module:app`), matched to a candidate when it names a
/// factory without its call.
pub fn procfile_entry(p: &Found<String>, candidates: &[Candidate]) -> Option<Found<String>> {
    let words: Vec<&str> = p.value.split_whitespace().collect();
    let g = words.iter().position(|w| w.ends_with("gunicorn"))?;
    let mut i = g + 1;
    let mut target = None;
    while let Some(w) = words.get(i) {
        if w.starts_with('-') {
            // Options that take a separate value.
            let takes = [
                "-b",
                "-w",
                "-k",
                "-c",
                "-t",
                "--bind",
                "--workers",
                "--worker-class",
                "--config",
                "--timeout",
                "--threads",
                "--chdir",
                "--log-level",
            ]
            .contains(w);
            i += if takes { 2 } else { 1 };
            continue;
        }
        target = Some(*w);
        break;
    }
    let target = target?.trim_matches(['"', '\'']);
    let (module, attr) = target.split_once(':').unwrap_or((target, "app"));
    let entry = if attr.contains('(') {
        format!("{module}:{attr}")
    } else if candidates
        .iter()
        .any(|c| c.kind == AppKind::Factory && c.entry == format!("{module}:{attr}()"))
    {
        format!("{module}:{attr}()")
    } else {
        format!("{module}:{attr}")
    };
    Some(Found::new(entry, &p.file, p.line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procfile_keeps_plain_worker_options() {
        let p = Found::new(
            "gunicorn -w 3 --bind 0.0.0.0:$PORT --timeout=120 -k gevent --threads $T --preload app:app".to_string(),
            "Procfile",
            1,
        );
        assert_eq!(
            procfile_options(&p),
            vec![
                "--workers=3",
                "--timeout=120",
                "--worker-class=gevent",
                "--preload"
            ]
        );
        assert_eq!(procfile_entry(&p, &[]).unwrap().value, "app:app");
    }

    #[test]
    fn a_health_route_under_a_prefix_beats_the_index() {
        let r = |p: &str, line, get| (p.to_string(), "views.py".to_string(), line, get);
        let routes = vec![
            r("/", 3, true),
            r("/management/<name>/healthcheck", 5, true),
            r("/management/healthcheck", 9, true),
            r("/api/status", 12, false),
        ];
        let h = health_of(&routes);
        assert_eq!((h.value.as_str(), h.line), ("/management/healthcheck", 9));
        // At the root it still comes first.
        let mut with_root = routes.clone();
        with_root.push(r("/ping", 20, true));
        assert_eq!(health_of(&with_root).value, "/ping");
    }

    #[test]
    fn state_counts_when_a_script_start_sets_it_and_the_entry_is_an_instance() {
        let app = |setter_caller: &str| {
            format!("from flask import Flask\napp = Flask(__name__)\ndb = None\n\n@app.route('/')\ndef index():\n    return db.q()\n\ndef setup():\n    global db\n    db = connect()\n\n{setter_caller}\n")
        };
        let run = |src: &str, kind: AppKind, scripts: &[(&str, &str)]| {
            let all = vec![(
                "web.py".to_string(),
                super::super::python::facts(src, "web.py").unwrap(),
            )];
            let entry = Some(Found::new("web:app".to_string(), "web.py", 2));
            let candidates = vec![Candidate {
                entry: "web:app".into(),
                kind,
                file: "web.py".into(),
                line: 2,
                required_args: vec![],
                wraps: None,
                serves: false,
            }];
            let scripts: BTreeMap<String, String> = scripts
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            main_state(&all, &entry, &candidates, &scripts, &[], &|_| true)
                .map(|s| (s.name, s.set_in, s.set_at, s.read_at, s.command))
        };
        let main = app(
            "def main():\n    setup()\n    app.run()\n\nif __name__ == '__main__':\n    main()",
        );
        let found = |command: &str| {
            Some((
                "db".to_string(),
                "setup() (run by main())".to_string(),
                "web.py:11".to_string(),
                "web.py:7".to_string(),
                Some(command.to_string()),
            ))
        };
        assert_eq!(run(&main, AppKind::Instance, &[]), found("python web.py"));
        // A console script that runs main() is the project's own start command.
        assert_eq!(
            run(&main, AppKind::Instance, &[("webtool", "web:main")]),
            found("webtool")
        );
        // No script start runs the setter (a function nothing here calls): not claimed.
        let uncalled = app("def main():\n    app.run()\n\nif __name__ == '__main__':\n    main()");
        assert_eq!(run(&uncalled, AppKind::Instance, &[]), None);
        // The entry is not the module's app instance (a wsgi module's app).
        assert_eq!(run(&main, AppKind::Wsgi, &[]), None);
    }

    #[test]
    fn an_imported_health_blueprint_gives_the_health_route() {
        let src = "from flask import Flask\nfrom flask_healthz import healthz\nimport probes\napp = Flask(__name__)\n@app.route('/')\ndef index():\n    return 'x'\napp.register_blueprint(healthz, url_prefix='/healthz')\napp.register_blueprint(probes.ping_bp, url_prefix='/ping/')\n";
        let facts = super::super::python::facts(src, "app.py").unwrap();
        assert_eq!(
            facts.health_blueprints,
            vec![("/healthz/live".to_string(), 8), ("/ping".to_string(), 9)]
        );
        let routes = full_routes(&[("app.py".to_string(), facts)]);
        let h = health_of(&routes);
        assert_eq!((h.value.as_str(), h.line), ("/ping", 9));
        let only_healthz: Vec<FullRoute> = routes.into_iter().filter(|r| r.2 != 9).collect();
        assert_eq!(health_of(&only_healthz).value, "/healthz/live");
        // A blueprint the project makes, or one with no health name, is no health route.
        let src = "from flask import Blueprint\nfrom views import admin\nbp = Blueprint('health', __name__)\napp.register_blueprint(bp, url_prefix='/health')\napp.register_blueprint(admin, url_prefix='/admin')\n";
        assert!(super::super::python::facts(src, "app.py")
            .unwrap()
            .health_blueprints
            .is_empty());
    }

    #[test]
    fn an_f_string_rule_of_a_string_enum_member_is_its_string() {
        let models = "from enum import Enum\nclass Endpoint(Enum):\n    home = 'home'\n    healthz = 'healthz'\n    def __str__(self):\n        return self.value\nclass Plain(Enum):\n    status = 'status'\n";
        let routes = "from app.models import Endpoint, Plain\n@app.route(f'/{Endpoint.healthz}', methods=['GET'])\ndef healthz():\n    return ''\n@app.route(f'/{Plain.status}')\ndef status():\n    return ''\n@app.route('/')\ndef index():\n    return ''\n";
        let all: Vec<(String, PyFacts)> = [("app/models.py", models), ("app/routes.py", routes)]
            .iter()
            .map(|(f, t)| (f.to_string(), super::super::python::facts(t, f).unwrap()))
            .collect();
        let full = full_routes(&all);
        let paths: Vec<&str> = full.iter().map(|r| r.0.as_str()).collect();
        // A plain Enum's str() is `Plain.status`: that route is not known.
        assert_eq!(paths, vec!["/healthz", "/"]);
        let h = health_of(&full);
        assert_eq!((h.value.as_str(), h.line), ("/healthz", 2));
    }

    #[test]
    fn alone_only_an_upper_case_port_config_value_is_the_apps_port() {
        let mail = "SMTP = {'host': 'localhost', 'port': 25}\nport = 587\n";
        let config = "PORT = 8080\n";
        let facts = |t: &str, f: &str| (f.to_string(), super::super::python::facts(t, f).unwrap());
        let yes = |_: &str| true;
        let all = vec![facts(mail, "mail.py")];
        assert_eq!(port_of(&all, &yes, None), None);
        let all = vec![facts(mail, "mail.py"), facts(config, "config.py")];
        let p = port_of(&all, &yes, None).unwrap();
        assert_eq!((p.value, p.file.as_str(), p.line), (8080, "config.py", 1));
    }

    #[test]
    fn python2_shapes() {
        assert_eq!(
            python2_shape("import os\nprint 'hi'\n"),
            Some(("print statement".into(), 2))
        );
        assert_eq!(
            python2_shape("try:\n    x()\nexcept ValueError, e:\n    pass\n").map(|x| x.1),
            Some(3)
        );
        assert_eq!(python2_shape("print('hi')\nprint (x)\n"), None);
    }
}
