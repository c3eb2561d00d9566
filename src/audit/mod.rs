//! `flaskgen check`: audits a Flask project's container setup (Dockerfile,
//! .dockerignore, compose file, gunicorn config) against the rules in
//! [`rules`], using what [`crate::inspect`] learns from the code.

pub mod config;
pub mod dockerfile;
pub mod ignore_file;
pub mod output;
pub mod rules;
pub mod suppress;

use std::fs;
use std::path::Path;

use serde::Serialize;

use crate::files::{Contents, Kind, Project};
use crate::inspect::{self, Detection};
use crate::values::Pin;
use dockerfile::Instruction;
use rules::{Rule, Severity};

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// Relative to the project root, `/`-separated.
    pub file: String,
    pub line: usize,
    pub message: String,
    pub why: &'static str,
    pub fix: &'static str,
}

impl Finding {
    fn new(rule: &'static Rule, file: &str, line: usize, message: String) -> Finding {
        Finding {
            id: rule.id,
            name: rule.name,
            severity: rule.severity,
            file: file.to_string(),
            line,
            message,
            why: rule.why,
            fix: rule.fix,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Alpine,
    Debian,
    Unknown,
}

fn family_of(image: &str) -> Family {
    let i = image.to_ascii_lowercase();
    if i.contains("alpine") {
        Family::Alpine
    } else if [
        "slim", "bookworm", "bullseye", "trixie", "buster", "debian", "ubuntu",
    ]
    .iter()
    .any(|d| i.contains(d))
        || i.starts_with("python:")
        || i.starts_with("docker.io/library/python:")
    {
        Family::Debian
    } else {
        Family::Unknown
    }
}

/// Programs that serve WSGI apps, with the distributions that install them.
const SERVERS: &[(&str, &[&str])] = &[
    ("gunicorn", &["gunicorn"]),
    ("uwsgi", &["uwsgi", "pyuwsgi"]),
    ("waitress-serve", &["waitress"]),
    ("hypercorn", &["hypercorn"]),
    ("uvicorn", &["uvicorn"]),
];

/// The port in a bind such as `0.0.0.0:8000`, `:8000`, `[::]:8000`.
fn bind_port(bind: &str) -> Option<u16> {
    bind.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
}

/// `ports:` entries of a compose file: (container port, line), of the
/// services that `build:` this project (all services when none does).
fn compose_ports(text: &str) -> Vec<(u16, usize)> {
    struct Service {
        builds: bool,
        ports: Vec<(u16, usize)>,
    }
    let mut services: Vec<Service> = Vec::new();
    let mut services_indent: Option<usize> = None;
    let mut service_indent: Option<usize> = None;
    let mut in_ports: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(ind) = in_ports {
            if indent > ind || (indent == ind && t.starts_with('-')) {
                let item = t.trim_start_matches('-').trim();
                let item = item.strip_prefix("target:").unwrap_or(item).trim();
                let item = item.trim_matches(['"', '\'']);
                let item = item.split('/').next().unwrap_or("");
                let container = item.rsplit(':').next().unwrap_or("");
                if let (Ok(p), Some(s)) = (container.trim().parse(), services.last_mut()) {
                    s.ports.push((p, i + 1));
                }
                continue;
            }
            in_ports = None;
        }
        match services_indent {
            None if t == "services:" => services_indent = Some(indent),
            Some(si) if indent <= si => services_indent = None,
            Some(si)
                if indent > si
                    && service_indent.is_none_or(|s| indent <= s)
                    && t.ends_with(':') =>
            {
                service_indent = Some(indent);
                services.push(Service {
                    builds: false,
                    ports: vec![],
                });
            }
            Some(_) => {
                if t == "ports:" {
                    in_ports = Some(indent);
                } else if t.starts_with("build:") {
                    if let Some(s) = services.last_mut() {
                        s.builds = true;
                    }
                }
            }
            None => {}
        }
    }
    let any_build = services.iter().any(|s| s.builds);
    services
        .into_iter()
        .filter(|s| s.builds || !any_build)
        .flat_map(|s| s.ports)
        .collect()
}

/// Env values an instruction sets: `ENV A=1 B=2` and the legacy `ENV A 1`.
fn env_pairs(ins: &Instruction) -> Vec<(String, String)> {
    let a = ins.args.trim();
    if !a.contains('=')
        || a.split_whitespace()
            .next()
            .is_some_and(|w| !w.contains('='))
    {
        return a
            .split_once(char::is_whitespace)
            .map(|(k, v)| vec![(k.to_string(), v.trim().to_string())])
            .unwrap_or_default();
    }
    a.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches(['"', '\'']).to_string()))
        .collect()
}

/// The dependency files a RUN installs from: a requirements file, a lock, the project itself.
fn installs_dependencies(run: &str) -> bool {
    let r = run.to_ascii_lowercase();
    (r.contains("pip install")
        && (r.contains(" -r") || r.contains("requirement") || r.contains(" .")))
        || r.contains("poetry install")
        || r.contains("pipenv install")
        || r.contains("uv sync")
        || r.contains("pdm install")
        || r.contains("pdm sync")
}

/// Audits the project at `root`. `dockerfile` is relative to it.
/// Every file is read through one [`Project`] reader; the detection's
/// `warnings` include what the audit itself skipped.
pub fn check(root: &Path, dockerfile_rel: &str) -> anyhow::Result<(Detection, Vec<Finding>)> {
    let project = Project::new(root);
    let mut det = inspect::detect_in(&project)?;
    let mut out = Vec::new();
    let text = match project.read(dockerfile_rel, Kind::Dockerfile) {
        Contents::Text(t) => Some(t),
        Contents::Missing => {
            out.push(Finding::new(
                &rules::NO_DOCKERFILE,
                dockerfile_rel,
                0,
                format!("no {dockerfile_rel} in {}", root.display()),
            ));
            None
        }
        Contents::Skipped(why) => {
            out.push(Finding::new(
                &rules::DOCKERFILE_UNREADABLE,
                dockerfile_rel,
                0,
                format!("{dockerfile_rel} is {}: not audited", why.reason()),
            ));
            None
        }
    };
    let Some(text) = text else {
        context_findings(&project, &mut out);
        det.warnings = project.warnings();
        return Ok((det, out));
    };
    let df = dockerfile_rel;
    let ins = dockerfile::parse(&text);

    // Stages: the final one is what runs.
    let mut stages: Vec<(String, Family)> = Vec::new();
    let mut final_start = 0;
    for (i, x) in ins.iter().enumerate() {
        if x.keyword != "FROM" {
            continue;
        }
        final_start = i;
        let words: Vec<&str> = x.args.split_whitespace().collect();
        let image = words.first().copied().unwrap_or("");
        let alias = match words.as_slice() {
            [_, a, name, ..] if a.eq_ignore_ascii_case("as") => name.to_ascii_lowercase(),
            _ => String::new(),
        };
        let family = match stages
            .iter()
            .find(|(n, _)| n == &image.to_ascii_lowercase())
        {
            Some((_, f)) => *f,
            None => {
                if image != "scratch" && !image.contains('$') {
                    // The rule `new` validates --base-image with.
                    match crate::values::tag_pin(image) {
                        Pin::Digest | Pin::Fixed => {}
                        Pin::NoTag => out.push(Finding::new(&rules::BASE_TAG, df, x.line, format!("FROM {image}: no tag, so `latest`: whatever is newest at build time"))),
                        Pin::Latest => out.push(Finding::new(&rules::BASE_TAG, df, x.line, format!("FROM {image}: `latest` changes under you"))),
                        Pin::Floating(t) => out.push(Finding::new(&rules::BASE_TAG, df, x.line, format!("FROM {image}: `{t}` floats to every new Python release"))),
                    }
                }
                family_of(image)
            }
        };
        stages.push((alias, family));
    }
    let last = &ins[final_start.min(ins.len())..];

    // Environment of the final stage (and earlier ones: ENV is inherited by FROM alias, approximately).
    let mut env: Vec<(String, String, usize)> = Vec::new();
    for x in last.iter().filter(|x| x.keyword == "ENV") {
        for (k, v) in env_pairs(x) {
            env.push((k, v, x.line));
        }
    }
    let env_get = |k: &str| {
        env.iter()
            .rev()
            .find(|(n, _, _)| n == k)
            .map(|(_, v, l)| (v.clone(), *l))
    };

    // Package managers and pip, in every stage.
    let pip_no_cache = env_get("PIP_NO_CACHE_DIR")
        .is_some_and(|(v, _)| !matches!(v.as_str(), "0" | "false" | "off"));
    let mut stage_family = Family::Unknown;
    let mut stage_i = 0;
    let mut first_copy_all: Option<usize> = None;
    for x in &ins {
        if x.keyword == "FROM" {
            stage_family = stages.get(stage_i).map(|s| s.1).unwrap_or(Family::Unknown);
            stage_i += 1;
            first_copy_all = None;
            continue;
        }
        if (x.keyword == "COPY" || x.keyword == "ADD")
            && !x.flags.iter().any(|f| f.starts_with("from="))
        {
            let words = x.words();
            let sources = &words[..words.len().saturating_sub(1)];
            if sources
                .iter()
                .any(|s| matches!(s.as_str(), "." | "./" | "*"))
            {
                first_copy_all.get_or_insert(x.line);
            }
        }
        if x.keyword != "RUN" {
            continue;
        }
        let cmd = format!("{} {}", x.args, x.heredoc);
        for part in cmd.split(['&', ';', '|', '\n']) {
            let words: Vec<&str> = part.split_whitespace().collect();
            let Some(pos) = words.iter().position(|w| {
                matches!(*w, "apk" | "apt-get" | "apt" | "pip" | "pip3")
                    || w.ends_with("/pip")
                    || *w == "python"
                    || *w == "python3"
            }) else {
                continue;
            };
            let prog = words[pos];
            let rest = &words[pos + 1..];
            let sub = rest
                .iter()
                .find(|w| !w.starts_with('-'))
                .copied()
                .unwrap_or("");
            match prog {
                "apk" => {
                    if stage_family == Family::Debian {
                        out.push(Finding::new(
                            &rules::WRONG_PACKAGE_MANAGER,
                            df,
                            x.line,
                            "`apk` on a Debian-based image: it does not exist there".into(),
                        ));
                    } else if sub == "add" && rest.iter().any(|w| *w == "-y" || *w == "--yes") {
                        out.push(Finding::new(
                            &rules::WRONG_PACKAGE_MANAGER,
                            df,
                            x.line,
                            "`apk add -y`: apk has no -y flag (it never asks), so the build fails"
                                .into(),
                        ));
                    } else if sub == "add" && !rest.contains(&"--no-cache") {
                        out.push(Finding::new(
                            &rules::PACKAGE_FLAGS,
                            df,
                            x.line,
                            "`apk add` without --no-cache keeps the package index in the layer"
                                .into(),
                        ));
                    } else if sub == "update" {
                        out.push(Finding::new(&rules::PACKAGE_FLAGS, df, x.line, "`apk update` stores the package index in its own layer; use `apk add --no-cache` instead".into()));
                    }
                }
                "apt-get" | "apt" => {
                    if stage_family == Family::Alpine {
                        out.push(Finding::new(&rules::WRONG_PACKAGE_MANAGER, df, x.line, format!("`{prog}` on an Alpine-based image: it does not exist there (use apk)")));
                    } else if sub == "install" && !rest.contains(&"--no-install-recommends") {
                        out.push(Finding::new(&rules::PACKAGE_FLAGS, df, x.line, format!("`{prog} install` without --no-install-recommends pulls in packages nobody asked for")));
                    }
                }
                _ => {
                    // pip, or python -m pip
                    let (is_pip, rest) = if prog.starts_with("python") {
                        (
                            rest.first() == Some(&"-m") && rest.get(1).is_some_and(|m| *m == "pip"),
                            rest.get(2..).unwrap_or(&[]),
                        )
                    } else {
                        (true, rest)
                    };
                    let sub = rest
                        .iter()
                        .find(|w| !w.starts_with('-'))
                        .copied()
                        .unwrap_or("");
                    let cache_mount = x.flags.iter().any(|f| f.contains("type=cache"));
                    if is_pip
                        && sub == "install"
                        && !rest.contains(&"--no-cache-dir")
                        && !pip_no_cache
                        && !cache_mount
                    {
                        out.push(Finding::new(
                            &rules::PIP_CACHE,
                            df,
                            x.line,
                            "`pip install` without --no-cache-dir keeps pip's cache in the layer"
                                .into(),
                        ));
                    }
                }
            }
        }
        if installs_dependencies(&cmd) {
            if let Some(copy_line) = first_copy_all {
                out.push(Finding::new(&rules::DEPS_AFTER_CODE, df, x.line, format!("dependencies installed here, after the whole project was copied at {df}:{copy_line}")));
                first_copy_all = None;
            }
        }
    }

    // USER in the final stage.
    match last.iter().rev().find(|x| x.keyword == "USER") {
        None => out.push(Finding::new(
            &rules::ROOT_USER,
            df,
            last.first().map_or(1, |x| x.line),
            "no USER in the final stage: the app runs as root".into(),
        )),
        Some(u) => {
            let who = u.args.split(':').next().unwrap_or("").trim();
            if who == "root" || who == "0" {
                out.push(Finding::new(
                    &rules::ROOT_USER,
                    df,
                    u.line,
                    format!("USER {}: the app runs as root", u.args),
                ));
            }
        }
    }

    // HEALTHCHECK in the final stage.
    match last.iter().rev().find(|x| x.keyword == "HEALTHCHECK") {
        None => out.push(Finding::new(
            &rules::NO_HEALTHCHECK,
            df,
            last.first().map_or(1, |x| x.line),
            "no HEALTHCHECK in the final stage".into(),
        )),
        Some(h) if h.args.trim().eq_ignore_ascii_case("none") => out.push(Finding::new(
            &rules::NO_HEALTHCHECK,
            df,
            h.line,
            "HEALTHCHECK NONE turns the check off".into(),
        )),
        _ => {}
    }

    // The start command: ENTRYPOINT + CMD of the final stage.
    let entrypoint = last.iter().rev().find(|x| x.keyword == "ENTRYPOINT");
    let cmd = last.iter().rev().find(|x| x.keyword == "CMD");
    for x in [entrypoint, cmd].into_iter().flatten() {
        if x.exec.is_none()
            && !x.args.trim_start().starts_with("exec ")
            && !x.args.trim().is_empty()
        {
            out.push(Finding::new(
                &rules::SHELL_FORM,
                df,
                x.line,
                format!(
                    "{} {}: shell form, so /bin/sh is PID 1 and SIGTERM does not reach the app",
                    x.keyword,
                    x.args.trim()
                ),
            ));
        }
    }
    let mut start: Vec<String> = Vec::new();
    let mut start_line = cmd.or(entrypoint).map_or(0, |x| x.line);
    if let Some(e) = entrypoint {
        start.extend(e.words());
        start_line = e.line;
    }
    if let Some(c) = cmd {
        if entrypoint.is_none_or(|e| e.exec.is_some()) {
            start.extend(c.words());
        }
    }
    // Drop a shell wrapper: sh -c "gunicorn ..." → its words.
    if start.len() >= 3
        && matches!(start[0].as_str(), "sh" | "/bin/sh" | "bash" | "/bin/bash")
        && start[1] == "-c"
    {
        start = start[2..]
            .join(" ")
            .split_whitespace()
            .map(String::from)
            .collect();
    }
    if let Some(last_line) = cmd.map(|c| c.line) {
        start_line = start_line.max(last_line);
    }
    let program = start
        .iter()
        .find(|w| !w.contains('=') && *w != "exec")
        .cloned()
        .unwrap_or_default();
    let program_base = program.rsplit('/').next().unwrap_or("").to_string();
    let mut serving_port: Option<(u16, String)> = None;

    // Dev server: `flask run`, or `python app.py` where the file calls app.run().
    let flask_run = start
        .windows(2)
        .any(|w| w[0].ends_with("flask") && w[1] == "run");
    let python_script = if program_base.starts_with("python") {
        start.iter().skip(1).find(|w| w.ends_with(".py")).cloned()
    } else {
        None
    };
    let script_runs: Vec<&(String, inspect::python::RunCall)> = match &python_script {
        Some(s) => {
            let base = s.rsplit('/').next().unwrap_or(s);
            let mut r: Vec<_> = det
                .runs
                .iter()
                .filter(|(f, _)| f == base || f.ends_with(&format!("/{base}")))
                .collect();
            // Prefer the file at the path as written.
            if let Some(exact) = r.iter().position(|(f, _)| f == s.trim_start_matches("./")) {
                r = vec![r[exact]];
            }
            r
        }
        None => vec![],
    };
    if flask_run {
        out.push(Finding::new(
            &rules::DEV_SERVER,
            df,
            start_line,
            "`flask run` starts Flask's development server".into(),
        ));
        let port = start
            .windows(2)
            .find(|w| w[0] == "--port" || w[0] == "-p")
            .and_then(|w| w[1].parse().ok());
        let port = port
            .or_else(|| env_get("FLASK_RUN_PORT").and_then(|(v, _)| v.parse().ok()))
            .unwrap_or(5000);
        serving_port = Some((port, format!("`flask run` at {df}:{start_line}")));
    } else if let Some(script) = &python_script {
        if let Some((file, run)) = script_runs.first() {
            out.push(Finding::new(&rules::DEV_SERVER, df, start_line, format!("`{}` runs {script}, which starts Flask's development server with app.run() at {file}:{}", start.join(" "), run.line)));
            if run.debug {
                out.push(Finding::new(&rules::DEBUG_MODE, file, run.line, format!("app.run(debug=True) is what the image starts ({df}:{start_line} runs {script})")));
            }
            serving_port = Some((
                run.port.unwrap_or(5000),
                format!("app.run() at {file}:{}", run.line),
            ));
        }
    }
    for key in ["FLASK_DEBUG", "FLASK_ENV"] {
        if let Some((v, l)) = env_get(key) {
            let on = matches!(
                v.to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on" | "development"
            );
            if on {
                out.push(Finding::new(
                    &rules::DEBUG_MODE,
                    df,
                    l,
                    format!("ENV {key}={v} turns on Flask's debug mode"),
                ));
            }
        }
    }
    if flask_run && start.iter().any(|w| w == "--debug") {
        out.push(Finding::new(
            &rules::DEBUG_MODE,
            df,
            start_line,
            "`flask run --debug` turns on the debugger".into(),
        ));
    }

    // The server program must be installed.
    if let Some((prog, dists)) = SERVERS.iter().find(|(p, _)| *p == program_base) {
        let in_deps = dists.iter().any(|d| det.deps.has(d));
        let in_dockerfile = ins.iter().filter(|x| x.keyword == "RUN").any(|x| {
            let all = format!("{} {}", x.args, x.heredoc).to_ascii_lowercase();
            all.contains("install") && dists.iter().any(|d| all.contains(d))
        });
        if !in_deps && !in_dockerfile {
            let where_ = det
                .deps
                .source
                .clone()
                .unwrap_or_else(|| "no dependency file".into());
            out.push(Finding::new(&rules::SERVER_NOT_INSTALLED, df, start_line, format!("the start command runs `{prog}`, which is neither in the dependencies ({where_}) nor installed by the Dockerfile")));
        }
        if *prog == "gunicorn" {
            let flag = start
                .windows(2)
                .find(|w| w[0] == "--bind" || w[0] == "-b")
                .map(|w| w[1].clone());
            let flag = flag.or_else(|| {
                start
                    .iter()
                    .find_map(|w| w.strip_prefix("--bind=").map(String::from))
            });
            if let Some(b) = flag {
                let p = if b.contains("$PORT") || b.contains("${PORT") {
                    env_get("PORT").and_then(|(v, _)| v.parse().ok())
                } else {
                    bind_port(&b)
                };
                if let Some(p) = p {
                    serving_port = Some((p, format!("gunicorn --bind {b} at {df}:{start_line}")));
                }
            } else {
                let conf = start
                    .windows(2)
                    .find(|w| w[0] == "--config" || w[0] == "-c")
                    .map(|w| w[1].trim_start_matches("python:").to_string());
                let conf = conf.unwrap_or_else(|| "gunicorn.conf.py".into());
                let conf_rel = conf.trim_start_matches("./").to_string();
                let bind = project
                    .text(&conf_rel, Kind::Python)
                    .and_then(|t| inspect::python::facts(&t, &conf_rel))
                    .and_then(|f| f.bind);
                let env_port = env_get("PORT").and_then(|(v, _)| v.parse::<u16>().ok());
                match bind {
                    Some(b) => {
                        let p = match b.env_port_default {
                            Some(default) => env_port.or(default),
                            None => b.literal_port,
                        };
                        if let Some(p) = p {
                            serving_port = Some((p, format!("bind in {conf_rel}:{}", b.line)));
                        }
                    }
                    None => {
                        serving_port = Some((
                            env_port.unwrap_or(8000),
                            "gunicorn's default bind (or $PORT)".into(),
                        ))
                    }
                }
            }
        }
    }

    // Ports that disagree.
    let expose: Vec<(u16, usize)> = last
        .iter()
        .filter(|x| x.keyword == "EXPOSE")
        .flat_map(|x| {
            x.args
                .split_whitespace()
                .filter_map(|p| p.split('/').next()?.parse().ok())
                .map(move |p| (p, x.line))
                .collect::<Vec<_>>()
        })
        .collect();
    if let Some((port, from)) = &serving_port {
        if expose.is_empty() {
            out.push(Finding::new(
                &rules::PORT_MISMATCH,
                df,
                start_line,
                format!(
                    "no EXPOSE: the app serves on {port} ({from}) but the image does not say so"
                ),
            ));
        }
        for (p, l) in &expose {
            if p != port && expose.len() == 1 {
                out.push(Finding::new(
                    &rules::PORT_MISMATCH,
                    df,
                    *l,
                    format!("EXPOSE {p}, but the app serves on {port} ({from})"),
                ));
            }
        }
        if let Some((v, l)) = env_get("PORT") {
            if v.parse::<u16>().is_ok_and(|p| p != *port) {
                out.push(Finding::new(
                    &rules::PORT_MISMATCH,
                    df,
                    l,
                    format!("ENV PORT={v}, but the app serves on {port} ({from})"),
                ));
            }
        }
        for name in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "docker-compose.yaml",
        ] {
            if let Some(t) = project.text(name, Kind::Config) {
                for (p, l) in compose_ports(&t) {
                    if p != *port {
                        out.push(Finding::new(&rules::PORT_MISMATCH, name, l, format!("publishes container port {p}, but the app serves on {port} ({from})")));
                    }
                }
                break;
            }
        }
    }

    context_findings(&project, &mut out);
    det.warnings = project.warnings();
    out.sort_by(|a, b| (a.file.as_str(), a.line, a.id).cmp(&(b.file.as_str(), b.line, b.id)));
    Ok((det, out))
}

/// Secrets and junk in the build context, and the .dockerignore that should keep them out.
fn context_findings(project: &Project, out: &mut Vec<Finding>) {
    let root = project.root();
    let ignore = project
        .text(".dockerignore", Kind::Config)
        .map(|t| ignore_file::Patterns::parse(&t));
    let mut present: Vec<(String, bool)> = Vec::new(); // (path, is_secret)
    if let Ok(entries) = fs::read_dir(root) {
        let mut names: Vec<(String, bool)> = entries
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().to_string(),
                    e.file_type().is_ok_and(|t| t.is_dir()),
                )
            })
            .collect();
        names.sort();
        for (name, is_dir) in names {
            let venv = is_dir && root.join(&name).join("pyvenv.cfg").is_file();
            if is_dir && (name == ".git" || venv) {
                present.push((name, false));
            } else if !is_dir && is_secret_file(&name) {
                present.push((name, true));
            }
        }
    }
    match &ignore {
        None => {
            let leaks: Vec<&str> = present.iter().map(|(p, _)| p.as_str()).collect();
            if !leaks.is_empty() {
                out.push(Finding::new(
                    &rules::NO_DOCKERIGNORE,
                    ".dockerignore",
                    0,
                    format!(
                        "no .dockerignore, so the build context takes {}",
                        leaks.join(", ")
                    ),
                ));
            }
        }
        Some(pats) => {
            for probe in [".env", ".git"] {
                if !pats.excludes(probe) {
                    let line = 0;
                    out.push(Finding::new(
                        &rules::DOCKERIGNORE_GAPS,
                        ".dockerignore",
                        line,
                        format!("`{probe}` is not excluded"),
                    ));
                }
            }
            for (p, secret) in &present {
                if !secret && p != ".git" && !pats.excludes(p) {
                    out.push(Finding::new(
                        &rules::DOCKERIGNORE_GAPS,
                        ".dockerignore",
                        0,
                        format!("the virtualenv `{p}/` is not excluded"),
                    ));
                }
            }
        }
    }
    for (p, secret) in &present {
        if *secret && !ignore.as_ref().is_some_and(|pats| pats.excludes(p)) {
            out.push(Finding::new(
                &rules::SECRETS_IN_CONTEXT,
                p,
                0,
                format!("`{p}` is in the build context"),
            ));
        }
    }
}

fn is_secret_file(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    (n == ".env"
        || (n.starts_with(".env.")
            && !n.ends_with("example")
            && !n.ends_with("sample")
            && !n.ends_with("template")))
        || [".pem", ".key", ".p12", ".pfx"]
            .iter()
            .any(|s| n.ends_with(s))
        || matches!(
            n.as_str(),
            "id_rsa"
                | "id_ed25519"
                | "id_ecdsa"
                | ".netrc"
                | ".pypirc"
                | "credentials.json"
                | "service-account.json"
        )
}

/// True when no finding is at or above `threshold`.
pub fn passes(findings: &[Finding], threshold: Option<Severity>) -> bool {
    match threshold {
        None => true,
        Some(t) => findings.iter().all(|f| f.severity < t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose() {
        let t = "services:\n  web:\n    ports:\n      - \"8080:5000\"\n      - 9000:9000/tcp\n    environment:\n      PORT: 1\n";
        assert_eq!(compose_ports(t), vec![(5000, 4), (9000, 5)]);
        // Only the service built from this project counts, not its database.
        let t = "version: '3'\nservices:\n  app:\n    build: .\n    ports:\n      - 5007:5000\n  db:\n    image: postgres:16.1\n    ports:\n     - 5010:5432\nvolumes:\n  data:\n";
        assert_eq!(compose_ports(t), vec![(5000, 6)]);
    }
}
