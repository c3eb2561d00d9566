//! `flaskgen init --verify`: proves a project's container files on the
//! local Docker engine, from what is on disk (the files init wrote, or ones
//! that were already there):
//!
//! 1. **build** the image;
//! 2. **import** the app inside it the way gunicorn does (`import_app` on the
//!    image's own CMD), and read the real `app.url_map`: how many routes,
//!    whether the health route answers GET, a factory's argument errors;
//! 3. **serve**: run it with compose's hardening (read-only root, tmpfs
//!    `/tmp`, every capability dropped, no-new-privileges; the writable
//!    folders compose keeps in volumes get volumes) and probe the health
//!    route until it answers 200;
//! 4. **stop** it, timed.
//!
//! The facts come from the built image (CMD, EXPOSE, HEALTHCHECK) and from
//! compose.yaml (required variables, volumes), so what is proven is what
//! runs. Required variables come from `--env-file`, else from placeholders
//! the report names. The container and (unless `--keep-image`) the image
//! are removed, whatever happens, a signal included.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::error::input_error;
use crate::interrupt::{self, Interrupted};
use crate::text::escape;

/// How long the container has to answer its health route.
const HEALTHY_WITHIN: Duration = Duration::from_secs(90);

/// One step of the proof and what was seen.
#[derive(Debug, Serialize)]
pub struct Step {
    pub name: &'static str,
    pub passed: bool,
    /// What was seen: the evidence, or why it failed.
    pub evidence: String,
    /// On failure: the likely fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// On failure: the last lines the build or the container printed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub log_tail: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub image: String,
    pub steps: Vec<Step>,
    /// Variables given placeholder values (no `--env-file` named them).
    pub placeholders: Vec<String>,
}

impl Report {
    pub fn passed(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|s| s.passed)
    }
}

pub struct Options<'a> {
    pub env_file: Option<&'a Path>,
    pub keep_image: bool,
}

/// Containers and images this run made, removed when dropped.
struct Made {
    image: Option<String>,
    container: Option<String>,
}

impl Drop for Made {
    fn drop(&mut self) {
        if let Some(c) = self.container.take() {
            let _ = quiet(&["rm", "-f", "-v", &c]);
        }
        if let Some(i) = self.image.take() {
            let _ = quiet(&["image", "rm", "-f", &i]);
        }
    }
}

fn quiet(args: &[&str]) -> std::io::Result<std::process::ExitStatus> {
    Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
}

struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// `docker ARGS`, stopped (and [`Interrupted`] returned) when a signal
/// arrives, or given up after `limit`.
fn docker(args: &[&str], limit: Duration) -> Result<Ran> {
    let mut child = Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run docker")?;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break Some(st);
        }
        if interrupt::STOP.load(Ordering::SeqCst) || start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    interrupt::check()?;
    match status {
        Some(st) => Ok(Ran {
            ok: st.success(),
            stdout,
            stderr,
        }),
        None => bail!(
            "docker {} gave no answer within {} s",
            args.first().unwrap_or(&""),
            limit.as_secs()
        ),
    }
}

/// The last `n` lines of `text`, escaped.
fn tail(text: &str, n: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| escape(l))
        .collect()
}

/// The variables compose.yaml requires (`${VAR:?…}` in a service's
/// environment) and the folders it keeps in volumes (`name:/srv/app/dir`),
/// read with the YAML parser `check` uses.
fn compose_facts(root: &Path) -> (Vec<String>, Vec<String>) {
    let project = crate::files::Project::new(root);
    let Some(doc) = project
        .text("compose.yaml", crate::files::Kind::Config)
        .and_then(|text| crate::audit::yaml::parse(&text))
    else {
        return (Vec::new(), Vec::new());
    };
    let required = regex::Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?").unwrap();
    let (mut env, mut mounts) = (Vec::new(), Vec::new());
    let services = doc.get("services").map(|s| s.entries()).unwrap_or_default();
    for (_, service) in services {
        let environment = service.get("environment");
        let values = environment
            .into_iter()
            .flat_map(|e| e.entries().iter().map(|(_, v)| v).chain(e.items()));
        for v in values.filter_map(|v| v.as_str()) {
            env.extend(required.captures_iter(v).map(|c| c[1].to_string()));
        }
        let volumes = service
            .get("volumes")
            .map(|v| v.items())
            .unwrap_or_default();
        for v in volumes.iter().filter_map(|v| v.as_str()) {
            if let Some((_, path)) = v.split_once(':') {
                let path = path.split(':').next().unwrap_or(path);
                if path.starts_with('/') {
                    mounts.push(path.to_string());
                }
            }
        }
    }
    env.sort();
    env.dedup();
    (env, mounts)
}

/// `KEY=VALUE` lines of an env file (comments, blanks and `export ` allowed).
fn read_env_file(path: &Path) -> Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        input_error(format!(
            "--env-file {}: {e}; give a file of KEY=VALUE lines, for example --env-file .env",
            escape(&path.display().to_string())
        ))
    })?;
    let mut vars = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            return Err(input_error(format!(
                "--env-file {}:{}: not a KEY=VALUE line; for example SECRET_KEY=change-me",
                escape(&path.display().to_string()),
                i + 1
            )));
        };
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v);
        vars.insert(k.trim().to_string(), v.to_string());
    }
    Ok(vars)
}

/// A value for a variable no file gave: random where it looks secret.
fn placeholder(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    if ["SECRET", "KEY", "TOKEN", "PASSWORD", "SALT"]
        .iter()
        .any(|w| upper.contains(w))
    {
        let mut bytes = [0u8; 16];
        if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
            let _ = f.read_exact(&mut bytes);
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    } else {
        "flaskgen-verify-placeholder".to_string()
    }
}

/// What the built image says it runs: its CMD, first exposed port, and the
/// path its HEALTHCHECK probes.
struct ImageFacts {
    cmd: Vec<String>,
    port: Option<u16>,
    health: Option<String>,
}

fn image_facts(image: &str) -> Result<ImageFacts> {
    let ran = docker(
        &["image", "inspect", "--format", "{{json .Config}}", image],
        Duration::from_secs(60),
    )?;
    if !ran.ok {
        bail!("docker image inspect: {}", ran.stderr.trim());
    }
    let config: serde_json::Value = serde_json::from_str(ran.stdout.trim()).unwrap_or_default();
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let cmd = strings(&config["Cmd"]);
    let port = config["ExposedPorts"].as_object().and_then(|m| {
        m.keys()
            .filter_map(|k| k.split('/').next()?.parse().ok())
            .min()
    });
    let probe = strings(&config["Healthcheck"]["Test"]).join(" ");
    let health = regex::Regex::new(r"'(/[^'\s]*)'")
        .unwrap()
        .captures_iter(&probe)
        .last()
        .map(|c| c[1].to_string());
    Ok(ImageFacts { cmd, port, health })
}

/// The app gunicorn is told to load: the CMD's last argument that is not an
/// option, when the CMD runs gunicorn.
fn gunicorn_app(cmd: &[String]) -> Option<String> {
    let runs_gunicorn = cmd
        .first()
        .is_some_and(|c| c == "gunicorn" || c.ends_with("/gunicorn"));
    if !runs_gunicorn {
        return None;
    }
    let mut app = None;
    let mut skip = false;
    for a in &cmd[1..] {
        if skip {
            skip = false;
            continue;
        }
        if a.starts_with('-') {
            skip = !a.contains('=')
                && matches!(
                    a.as_str(),
                    "-c" | "--config"
                        | "-b"
                        | "--bind"
                        | "-w"
                        | "--workers"
                        | "-k"
                        | "--worker-class"
                        | "--chdir"
                        | "--pythonpath"
                        | "-t"
                        | "--timeout"
                        | "--threads"
                        | "--log-level"
                        | "--access-logfile"
                        | "--error-logfile"
                );
            continue;
        }
        app = Some(a.clone());
    }
    app
}

/// Python run inside the image: loads the app exactly as gunicorn does and
/// prints its routes as JSON, or the error.
const IMPORT_SCRIPT: &str = r#"
import json, os, sys, traceback
sys.path.insert(0, os.getcwd())
try:
    from gunicorn.util import import_app
    app = import_app(sys.argv[1])
    rules = [{"rule": r.rule, "methods": sorted(r.methods or [])} for r in app.url_map.iter_rules()]
    print(json.dumps({"ok": True, "rules": rules}))
except BaseException as e:
    traceback.print_exc()
    print(json.dumps({"ok": False, "error": "".join(traceback.format_exception_only(type(e), e)).strip()}))
"#;

/// A GET of `path` on 127.0.0.1:`port`, following redirects on the same
/// server as the image's HEALTHCHECK (urllib) does: the final status code,
/// if any answer came.
fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut path = path.to_string();
    for _ in 0..5 {
        let (status, location) = http_get_head(port, &path)?;
        match location {
            Some(next) if (300..400).contains(&status) => path = next,
            _ => return Some(status),
        }
    }
    None
}

/// One GET: the status and, for a redirect on this server, the path it names.
fn http_get_head(port: u16, path: &str) -> Option<(u16, Option<String>)> {
    let mut s = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(2),
    )
    .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: flaskgen-verify\r\n\r\n"
    )
    .ok()?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while head.len() < 16 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let location = lines
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("location")
                .then(|| v.trim().to_string())
        })
        .and_then(|l| same_server_path(&l));
    Some((status, location))
}

/// A redirect's target as a path on the probed server: `/login`, or
/// `http://127.0.0.1:PORT/login` / `http://localhost/login`; `None` for
/// another host.
fn same_server_path(location: &str) -> Option<String> {
    if location.starts_with('/') && !location.starts_with("//") {
        return Some(location.to_string());
    }
    let rest = location
        .strip_prefix("http://")
        .or_else(|| location.strip_prefix("https://"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    ["127.0.0.1", "localhost"]
        .contains(&host)
        .then(|| format!("/{path}"))
}

/// The layers a legacy `docker build` made: the `---> ID` of each step
/// after `FROM` that did not come from its cache.
fn layers_made(output: &str) -> Vec<String> {
    let mut made = Vec::new();
    let mut ran = false;
    for line in output.lines() {
        let line = line.trim();
        if line.starts_with("Step ") {
            ran = !line.contains(" : FROM ");
        } else if line == "---> Using cache" {
            ran = false;
        } else if let Some(id) = line.strip_prefix("---> ") {
            let hex = id.len() >= 12 && id.chars().all(|c| c.is_ascii_hexdigit());
            if ran && hex {
                made.push(id.to_string());
            }
        }
    }
    made
}

/// The likely fix for an entry that does not load, from the error's kind
/// (`ModuleNotFoundError: No module named 'x'` and the like).
fn import_fix(error: &str, app: &str) -> String {
    let named = |prefix: &str| {
        error
            .split_once(prefix)
            .and_then(|(_, rest)| rest.split(['\'', '"']).nth(1))
            .map(str::to_string)
    };
    let top = app.split([':', '.']).next().unwrap_or("");
    if let Some(module) = named("No module named ") {
        let first = module.split('.').next().unwrap_or("");
        if first == top {
            return "gunicorn imports from /srv/app: give the entry as the module path from the project's root, --entry MODULE:APP".into();
        }
        return format!(
            "the code imports {} but no dependency installs it: add the distribution that provides it to the project's dependencies (the image installs only what they list)",
            escape(first)
        );
    }
    let api = [
        "ImportError: cannot import name",
        "unexpected keyword argument",
        "has no attribute",
        "takes no arguments",
        "positional argument",
    ];
    if api.iter().any(|a| error.contains(a)) {
        return "a library's release installed today may not fit this code (where the project does not pin a dependency, the newest release is installed): pin the library named in the lines below to the version the app was written for, in its dependency file".into();
    }
    if ["KeyError", "environment variable", "not set", "must be set"]
        .iter()
        .any(|k| error.contains(k))
    {
        return "set the variable it needs in --env-file FILE".into();
    }
    "give the app gunicorn should load: --entry MODULE:APP (a factory with arguments: --entry 'pkg:create_app(\"prod\")'), or set the variable it needs in --env-file".into()
}

fn failed(name: &'static str, evidence: String, fix: &str, log: &str) -> Step {
    Step {
        name,
        passed: false,
        evidence,
        fix: Some(fix.to_string()),
        log_tail: tail(log, 20),
    }
}

fn passed(name: &'static str, evidence: String) -> Step {
    Step {
        name,
        passed: true,
        evidence,
        fix: None,
        log_tail: Vec::new(),
    }
}

/// Whether a Docker engine answers; the reason when it does not.
fn engine() -> Result<(), String> {
    match docker(
        &["info", "--format", "{{.ServerVersion}}"],
        Duration::from_secs(20),
    ) {
        Ok(r) if r.ok => Ok(()),
        Ok(r) => Err(r.stderr.lines().last().unwrap_or("").trim().to_string()),
        Err(e) if e.is::<Interrupted>() => Err("interrupted".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Records a step, and tells `progress` of it as it ends.
fn add(report: &mut Report, progress: &dyn Fn(&Step), step: Step) {
    progress(&step);
    report.steps.push(step);
}

/// Bad input (exit 2) unless a Docker engine answers: `--verify` asks for
/// one, so init checks before it writes anything.
pub fn engine_ready() -> Result<()> {
    engine().map_err(|why| {
        input_error(format!(
            "--verify needs a reachable Docker engine, and `docker info` failed: {}; start one (dockerd, Docker Desktop) or set DOCKER_HOST, for example DOCKER_HOST=unix:///var/run/docker.sock",
            escape(&why)
        ))
    })
}

/// Builds, imports, serves and stops the project at `root`; `progress` is
/// told of each step as it ends.
pub fn verify(root: &Path, opts: &Options, progress: &dyn Fn(&Step)) -> Result<Report> {
    engine_ready()?;
    let given = match opts.env_file {
        Some(p) => read_env_file(p)?,
        None => BTreeMap::new(),
    };
    let (required, mounts) = compose_facts(root);
    let mut env: Vec<(String, String)> = given.clone().into_iter().collect();
    let mut placeholders = Vec::new();
    for name in &required {
        if !given.contains_key(name) {
            env.push((name.clone(), placeholder(name)));
            placeholders.push(name.clone());
        }
    }
    let env_args: Vec<String> = env
        .iter()
        .flat_map(|(k, v)| ["-e".to_string(), format!("{k}={v}")])
        .collect();
    let env_args: Vec<&str> = env_args.iter().map(String::as_str).collect();

    let _deferred = interrupt::defer();
    let image = format!(
        "flaskgen-verify-{}:{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    );
    let mut made = Made {
        image: Some(image.clone()),
        container: None,
    };
    let mut report = Report {
        image: image.clone(),
        steps: Vec::new(),
        placeholders,
    };
    let dir = root.display().to_string();

    // 1. Build.
    let start = Instant::now();
    // --force-rm: the legacy builder keeps a failed step's container (and
    // its layers) without it; BuildKit ignores it.
    let built = docker(
        &["build", "--force-rm", "-t", &image, &dir],
        Duration::from_secs(3600),
    )?;
    if !built.ok {
        add(&mut report, progress, failed(
            "build",
            "docker build failed".into(),
            "read the build's last lines: a missing system package, a dependency that does not install on this base (--base-image), or a stale lock",
            &format!("{}{}", built.stdout, built.stderr),
        ));
        // The legacy builder keeps the layers of the steps that passed,
        // untagged: the ones this build made go too.
        for layer in layers_made(&built.stdout).iter().rev() {
            let tags = docker(
                &["image", "inspect", "--format", "{{len .RepoTags}}", layer],
                Duration::from_secs(30),
            )?;
            if tags.ok && tags.stdout.trim() == "0" {
                docker(&["image", "rm", layer], Duration::from_secs(60))?;
            }
        }
        return Ok(report);
    }
    add(
        &mut report,
        progress,
        passed(
            "build",
            format!("built in {:.1} s", start.elapsed().as_secs_f64()),
        ),
    );
    let facts = image_facts(&image)?;

    // 2. Import the app as gunicorn does, and read its routes.
    let mut import_failed = false;
    let health = facts.health.clone().unwrap_or_else(|| "/".to_string());
    match gunicorn_app(&facts.cmd) {
        None => add(&mut report, progress, failed(
            "import",
            format!(
                "the image's CMD does not run gunicorn: {}",
                escape(&facts.cmd.join(" "))
            ),
            "serve the app with gunicorn (flaskgen init writes such a CMD), or give --entry MODULE:APP",
            "",
        )),
        Some(app) => {
            let mut args = vec!["run", "--rm", "--entrypoint", "python"];
            args.extend(env_args.iter());
            args.extend([image.as_str(), "-c", IMPORT_SCRIPT, app.as_str()]);
            let ran = docker(&args, Duration::from_secs(300))?;
            let doc: serde_json::Value = ran
                .stdout
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str(l).ok())
                .unwrap_or_default();
            if doc["ok"] == true {
                let rules = doc["rules"].as_array().cloned().unwrap_or_default();
                let health_get = rules.iter().any(|r| {
                    r["rule"] == health.as_str()
                        && r["methods"]
                            .as_array()
                            .is_some_and(|m| m.iter().any(|m| m == "GET"))
                });
                let evidence = format!(
                    "{} loads: {} route(s); the health route {} {}",
                    escape(&app),
                    rules.len(),
                    escape(&health),
                    if health_get { "answers GET" } else { "is not a GET route" }
                );
                if health_get {
                    add(&mut report, progress, passed("import", evidence));
                } else {
                    add(&mut report, progress, failed(
                        "import",
                        evidence,
                        "give init a route that exists: --health /PATH",
                        "",
                    ));
                }
            } else {
                let error = doc["error"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| ran.stderr.trim().to_string());
                let fix = import_fix(&error, &app);
                add(&mut report, progress, failed(
                    "import",
                    format!("{} does not load: {}", escape(&app), escape(&error)),
                    &fix,
                    &format!("{}{}", ran.stdout, ran.stderr),
                ));
                import_failed = true;
            }
        }
    }

    // 3. Serve, hardened as compose.yaml runs it.
    let Some(port) = facts.port else {
        add(
            &mut report,
            progress,
            failed(
                "serve",
                "the image has no EXPOSE, so the port to probe is unknown".into(),
                "give init the port the app listens on: -p PORT",
                "",
            ),
        );
        return Ok(report);
    };
    let publish = format!("127.0.0.1::{port}");
    let mut args = vec![
        "run",
        "-d",
        "--read-only",
        "--tmpfs",
        "/tmp",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "-p",
        &publish,
    ];
    let volumes: Vec<String> = mounts
        .iter()
        .map(|m| format!("type=volume,dst={m}"))
        .collect();
    for v in &volumes {
        args.extend(["--mount", v.as_str()]);
    }
    args.extend(env_args.iter());
    args.push(&image);
    let ran = docker(&args, Duration::from_secs(120))?;
    if !ran.ok {
        add(
            &mut report,
            progress,
            failed(
                "serve",
                "the container did not start".into(),
                "read docker's message below",
                &ran.stderr,
            ),
        );
        return Ok(report);
    }
    let container = ran.stdout.trim().to_string();
    made.container = Some(container.clone());
    let host_port = docker(
        &["port", &container, &port.to_string()],
        Duration::from_secs(30),
    )?
    .stdout
    .lines()
    .find_map(|l| l.rsplit(':').next()?.trim().parse::<u16>().ok());
    let start = Instant::now();
    let mut last = None;
    let mut running = true;
    // When the app answers, but not 200, it has a few seconds to come right.
    let mut answered_at = None;
    while start.elapsed() < HEALTHY_WITHIN {
        interrupt::check()?;
        last = host_port.and_then(|p| http_status(p, &health));
        if last == Some(200) {
            break;
        }
        if last.is_some() {
            let since = *answered_at.get_or_insert_with(Instant::now);
            if since.elapsed() > Duration::from_secs(10) {
                break;
            }
        }
        let state = docker(
            &["inspect", "--format", "{{.State.Running}}", &container],
            Duration::from_secs(30),
        )?;
        if state.stdout.trim() != "true" {
            running = false;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let logs = docker(
        &["logs", "--tail", "40", &container],
        Duration::from_secs(30),
    )?;
    // The probe's own requests in the access log say nothing new.
    let log: String = format!("{}{}", logs.stdout, logs.stderr)
        .lines()
        .filter(|l| !l.contains("flaskgen-verify"))
        .map(|l| format!("{l}\n"))
        .collect();
    if last == Some(200) {
        add(&mut report, progress, passed(
            "serve",
            format!(
                "GET {} answered 200 after {:.1} s (read-only root, tmpfs /tmp, no capabilities, no-new-privileges)",
                escape(&health),
                start.elapsed().as_secs_f64()
            ),
        ));
    } else {
        let evidence = match (running, last) {
            (false, _) => "the container exited before it was healthy".to_string(),
            (true, Some(code)) => format!("GET {} answered {code}, not 200", escape(&health)),
            (true, None) => format!(
                "nothing answered on port {port} within {} s",
                HEALTHY_WITHIN.as_secs()
            ),
        };
        let fix = if import_failed {
            "the app does not load (the import step above): fix that first"
        } else if log.contains("Read-only file system") {
            "the app writes outside /tmp and its volumes: point it at /tmp, or add the folder to compose.yaml's volumes"
        } else if log.contains("KeyError") || log.contains("environment variable") {
            "set the variables the app needs: --env-file FILE"
        } else if !running {
            "read the container's last lines below: --entry, -p, or a variable to set"
        } else {
            "give init the port the app listens on (-p PORT) and a route that answers 200 (--health /PATH)"
        };
        add(&mut report, progress, failed("serve", evidence, fix, &log));
        return Ok(report);
    }

    // 4. Stop, timed.
    let start = Instant::now();
    let stopped = docker(&["stop", "-t", "30", &container], Duration::from_secs(60))?;
    let took = start.elapsed().as_secs_f64();
    if stopped.ok && took < 10.0 {
        add(
            &mut report,
            progress,
            passed("stop", format!("stopped in {took:.2} s")),
        );
    } else {
        add(
            &mut report,
            progress,
            failed(
                "stop",
                format!("docker stop took {took:.1} s: SIGTERM did not end the app"),
                "make gunicorn PID 1 (exec it from the entrypoint) so SIGTERM reaches it",
                &log,
            ),
        );
    }
    if opts.keep_image {
        made.image = None;
    }
    drop(made);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_is_gunicorns_last_plain_argument() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            gunicorn_app(&v(&[
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "shop:create_app()"
            ])),
            Some("shop:create_app()".into())
        );
        assert_eq!(
            gunicorn_app(&v(&[
                "gunicorn",
                "-b",
                "0.0.0.0:80",
                "--workers=2",
                "app:app"
            ])),
            Some("app:app".into())
        );
        assert_eq!(gunicorn_app(&v(&["python", "app.py"])), None);
    }

    #[test]
    fn compose_facts_are_the_required_variables_and_volumes() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("compose.yaml"),
            "services:\n  \"x\":\n    environment:\n      \"SECRET_KEY\": \"${SECRET_KEY:?set it}\"\n      PORT: \"5000\"\n    volumes:\n      - \"instance:/srv/app/instance\"\n",
        )
        .unwrap();
        let (env, mounts) = compose_facts(tmp.path());
        assert_eq!(env, ["SECRET_KEY"]);
        assert_eq!(mounts, ["/srv/app/instance"]);
    }

    #[test]
    fn secrets_get_random_placeholders() {
        let a = placeholder("SECRET_KEY");
        assert_eq!(a.len(), 32);
        assert_ne!(a, placeholder("SECRET_KEY"));
        assert_eq!(placeholder("REDIS_URL"), "flaskgen-verify-placeholder");
    }

    #[test]
    fn an_import_error_names_its_likely_fix() {
        let fix = |e: &str| import_fix(e, "bukuserver.server:create_app()");
        assert!(fix("ModuleNotFoundError: No module named 'strenum'")
            .contains("imports strenum but no dependency installs it"));
        assert!(fix("ModuleNotFoundError: No module named 'bukuserver.x'").contains("--entry"));
        assert!(fix(
            "TypeError: Admin.__init__() got an unexpected keyword argument 'template_mode'"
        )
        .contains("pin the library"));
        assert!(
            fix("ImportError: cannot import name 'url_quote' from 'werkzeug.urls'")
                .contains("pin the library")
        );
        assert!(fix("KeyError: 'DATABASE_URL'").contains("--env-file"));
        assert!(fix("SyntaxError: invalid syntax").contains("--entry MODULE:APP"));
    }

    #[test]
    fn the_probe_follows_a_redirect_on_the_same_server_as_the_healthcheck_does() {
        use std::io::BufRead;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let mut asked = Vec::new();
            for (status, location) in [
                ("302 FOUND", Some("/login?next=%2F")),
                (
                    "301 MOVED",
                    Some(&*format!("http://127.0.0.1:{port}/login/")),
                ),
                ("200 OK", None),
            ] {
                let (mut c, _) = listener.accept().unwrap();
                let mut line = String::new();
                std::io::BufReader::new(&c).read_line(&mut line).unwrap();
                asked.push(line.split_whitespace().nth(1).unwrap().to_string());
                let location = location
                    .map(|l| format!("Location: {l}\r\n"))
                    .unwrap_or_default();
                write!(
                    c,
                    "HTTP/1.0 {status}\r\nContent-Length: 0\r\n{location}\r\n"
                )
                .unwrap();
            }
            asked
        });
        assert_eq!(http_status(port, "/"), Some(200));
        assert_eq!(server.join().unwrap(), ["/", "/login?next=%2F", "/login/"]);
        assert_eq!(same_server_path("https://example.com/x"), None);
        assert_eq!(same_server_path("//example.com/x"), None);
    }

    #[test]
    fn the_layers_a_build_made_are_those_of_steps_that_ran() {
        let out = "Step 1/4 : FROM base\n ---> 914ad3c91b8e\nStep 2/4 : WORKDIR /srv/app\n ---> Using cache\n ---> 1111aaaa2222\nStep 3/4 : COPY . .\n ---> 3333bbbb4444\nStep 4/4 : RUN pip install x\n ---> Running in 5555cccc6666\n ---> 7777dddd8888\nStep 5/5 : RUN false\n ---> Running in 9999eeee0000\n";
        // FROM's image and the cached WORKDIR layer are not this build's.
        assert_eq!(layers_made(out), ["3333bbbb4444", "7777dddd8888"]);
    }
}
