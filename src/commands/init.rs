//! `flaskgen init [PATH]`: the built-in init template (`templates/init`)
//! through the same pipeline as `flaskgen new`. Inspect the project →
//! each fact found becomes a value given with its origin (`FILE:LINE`),
//! beside flags, the environment and the config file (`crate::inputs`) →
//! resolved, asked and checked by `crate::resolve` → rendered by
//! `crate::render` (with `.flaskgen.toml`, so `flaskgen update` can carry
//! later versions of the init template into the project) → written by
//! `crate::write` beside the code, never over a file without --force.

use std::path::Path;

use anyhow::{bail, Result};
use serde_json::json;

use crate::cli::InitArgs;
use crate::error::input_error;
use crate::files::{Contents, Kind};
use crate::inputs::{self, config, Given, TEMPLATE};
use crate::inspect::{self, deps::Manager, Detection, Found};
use crate::interrupt;
use crate::present::{self, escape, plan::FileState, Printer};
use crate::prompt::{self, Prompter};
use crate::render;
use crate::resolve::Resolver;
use crate::template::Template;
use crate::values::{builtins, Source, Value, Values};
use crate::write;

/// Said after "FILE:LINE imports pkg_resources" on stderr (the Dockerfile
/// says it too, with the pinned version).
const SETUPTOOLS_WHY: &str = "which setuptools provides (below 82; its warning advises < 81), and setuptools is not among the project's dependencies";

fn safe_path(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('/')
        && !s.split('/').any(|c| c == "..")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
}

/// The rule an entry point obeys, for `--entry` and the prompt alike (the
/// init template's `entry` variable holds it as a pattern).
const ENTRY_RULE: &str = "MODULE:APP or MODULE:FACTORY() (dotted module, Python names)";
/// The rule a health route obeys, for `--health` and the prompt alike (the
/// init template's `health` variable holds it as a pattern).
const HEALTH_RULE: &str = "a path that starts with `/`, of letters, digits and `/._-`";

/// Whether `raw` obeys the rule of the init template's variable `var`.
fn obeys(var: &str, raw: &str) -> bool {
    static MANIFEST: std::sync::OnceLock<crate::template::manifest::Manifest> =
        std::sync::OnceLock::new();
    MANIFEST
        .get_or_init(|| {
            Template::builtin_init()
                .expect("the init template is built in")
                .manifest
        })
        .variable(var)
        .is_some_and(|v| v.kind.check(raw).is_ok())
}

fn is_entry(s: &str) -> bool {
    obeys("entry", s)
}

fn is_health(s: &str) -> bool {
    obeys("health", s)
}

/// Where a finding came from, for a prompt: `found at FILE:LINE`, or that
/// nothing was found and what stands in.
fn origin<T>(f: &Found<T>, none: &str) -> String {
    if f.file.is_empty() {
        none.to_string()
    } else {
        format!("found at {}", f.at())
    }
}

fn is_env_name(s: &str) -> bool {
    crate::values::is_identifier(s)
}

/// A Docker-friendly name from the folder: lowercase, `[a-z0-9._-]`.
fn name_of(root: &Path) -> String {
    let abs = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let raw = abs
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    if cleaned.is_empty() {
        "flask-app".into()
    } else {
        cleaned
    }
}

fn pick_entry(
    args: &InitArgs,
    det: &Detection,
    prompter: Option<&Prompter>,
    printer: Printer,
) -> Result<Found<String>> {
    if let Some(e) = &args.entry {
        if !is_entry(e) {
            return Err(input_error(format!(
                "invalid --entry {}: {ENTRY_RULE}; for example --entry app:app or --entry shop:create_app()",
                present::quote(e)
            )));
        }
        return Ok(Found::new(e.clone(), "--entry", 0));
    }
    if let Some(e) = &det.entry {
        if !is_entry(&e.value) {
            return Err(input_error(format!(
                "the entry point found at {} ({}) is not a MODULE:APP gunicorn can load; give one with --entry, for example --entry app:app",
                escape(&e.at()),
                present::quote(&e.value)
            )));
        }
        return Ok(e.clone());
    }
    let candidates: Vec<_> = det
        .candidates
        .iter()
        .filter(|c| is_entry(&c.entry))
        .collect();
    if candidates.is_empty() {
        bail!(
            "no Flask app found in {}: searched {}; name it with --entry MODULE:APP",
            escape(&det.root.display().to_string()),
            inspect::SEARCHED
        );
    }
    if let Some(p) = prompter {
        let items: Vec<String> = candidates
            .iter()
            .map(|c| format!("{}  ({}:{})", c.entry, c.file, c.line))
            .collect();
        let i = p.select("Which Flask app does gunicorn serve?", &items, 0)?;
        let c = candidates[i];
        printer.detail(&format!("entry {} chosen at the prompt", c.entry));
        return Ok(Found::new(c.entry.clone(), &c.file, c.line));
    }
    let list: Vec<String> = candidates
        .iter()
        .map(|c| format!("{} ({}:{})", c.entry, escape(&c.file), c.line))
        .collect();
    Err(input_error(format!(
        "{} Flask apps found: {}; pick one with --entry, for example --entry {}",
        candidates.len(),
        list.join(", "),
        candidates[0].entry
    )))
}

/// Offers `found` for correction at a text prompt that says where it came
/// from; an answer that breaks `rule` is asked again. A changed answer
/// comes from the prompt.
fn correct(
    p: &Prompter,
    question: &str,
    found: Found<String>,
    none: &str,
    ok: fn(&str) -> bool,
    rule: &str,
) -> Result<Found<String>> {
    let v = p.line(
        &format!("{question} ({})", origin(&found, none)),
        Some(&found.value),
        |s| if ok(s) { Ok(()) } else { Err(rule.to_string()) },
    )?;
    Ok(if v == found.value {
        found
    } else {
        Found::new(v, "prompt", 0)
    })
}

/// The source of a value init settled through its own question (entry,
/// health route): a flag, the prompt, or where it was found.
fn source_of(f: &Found<String>, flag: &str) -> Source {
    match f.file.as_str() {
        "" => Source::TemplateDefault,
        "prompt" if f.line == 0 => Source::Prompt,
        x if x == flag && f.line == 0 => Source::CommandLine,
        _ => Source::Detected(f.at()),
    }
}

/// Where a value came from, as the summary and DOCKER.md show it: `FILE:LINE`,
/// the flag, `prompt`, the environment variable, `config file`, or `none`
/// when the template's default stands.
fn shown_origin(values: &Values, var: &str, flag: &str, none: &str) -> String {
    match values.source(var) {
        Some(Source::CommandLine) | Some(Source::Define) => flag.into(),
        Some(Source::Prompt) => "prompt".into(),
        Some(Source::Env(v)) => v.clone(),
        Some(Source::Config(_)) => "config file".into(),
        Some(Source::Detected(at)) => at.clone(),
        Some(Source::Answers(_)) => "answers file".into(),
        Some(Source::Derived(how)) => how.clone(),
        Some(Source::TemplateDefault) | None => none.into(),
    }
}

/// What the prompt for a built-in says about the value it offers.
fn whence(given: &[Given], var: &str, none: &str) -> String {
    match inputs::pick(given, var).map(|g| &g.source) {
        Some(Source::Detected(at)) if var == "base_image" => format!("Python {at}"),
        Some(Source::Detected(at)) => format!("found at {at}"),
        Some(s @ Source::Config(_)) => format!("from {s}"),
        _ => none.into(),
    }
}

/// Flags first, then the environment, what was detected, the config file
/// and the template's defaults (the inputs layer's order), offered for
/// correction at a prompt on a terminal (a value given by a flag or the
/// environment is not asked).
fn settle(
    args: &InitArgs,
    det: &Detection,
    template: &mut Template,
    config: &config::Config,
    prompter: Option<&Prompter>,
    not_asking: Option<&'static str>,
    printer: Printer,
) -> Result<Values> {
    // Every flag is checked before the first question.
    let flag = |name: &str, raw: &str| -> Result<()> {
        let var = builtins::builtin(name).expect("built in").variable();
        var.parse(raw, "")?;
        Ok(())
    };
    let mut given: Vec<Given> = Vec::new();
    if let Some(p) = &args.port {
        flag("port", p)?;
        given.push(Given::new("port", p.clone(), Source::CommandLine));
    }
    match (&args.base_image, &args.python) {
        (Some(b), _) => {
            flag("base_image", b)?;
            given.push(Given::new("base_image", b.clone(), Source::CommandLine));
        }
        (None, Some(py)) => {
            let minor = crate::values::python_minor(py).map_err(|rule| {
                input_error(format!(
                    "invalid --python {}: {rule}; for example --python 3.12",
                    present::quote(py)
                ))
            })?;
            given.push(Given::new(
                "base_image",
                format!("python:3.{minor}-slim"),
                Source::CommandLine,
            ));
        }
        (None, None) => {}
    }
    if let Some(h) = &args.health {
        if !is_health(h) {
            return Err(input_error(format!(
                "invalid --health {}: {HEALTH_RULE}; for example --health /healthz",
                present::quote(h)
            )));
        }
    }
    if let Some(i) = &args.image {
        flag("image", i)?;
        given.push(Given::new("image", i.clone(), Source::CommandLine));
    }
    given.extend(
        inputs::from_env(inputs::process_env)
            .into_iter()
            .filter(|g| g.var != TEMPLATE),
    );
    // What the project's files say, each with its file and line.
    if !det.port.file.is_empty() {
        given.push(Given::new(
            "port",
            det.port.value.to_string(),
            Source::Detected(det.port.at()),
        ));
    }
    if let Some(py) = &det.python {
        given.push(Given::new(
            "base_image",
            inspect::base_image_for(Some(py))?,
            Source::Detected(format!("{} at {}", py.value, py.at())),
        ));
    }
    given.extend(config.given()?);
    given.push(Given::new(
        "name",
        name_of(&det.root),
        Source::Derived("the folder's name".into()),
    ));

    if prompter.is_some() {
        printer.info(&format!(
            "Each question offers what was found in {}, and says where; Enter keeps it.",
            escape(&det.root.display().to_string())
        ));
    }

    if let Some(p) = det.python2.first() {
        bail!(
            "{}: Python 2 code ({}); flaskgen init writes images for Python 3 only: port the code to Python 3 first",
            escape(&p.at()),
            escape(&p.value)
        );
    }
    let mut entry = pick_entry(args, det, prompter, printer)?;
    if let Some(c) = det.candidates.iter().find(|c| c.entry == entry.value) {
        if !c.required_args.is_empty() && args.entry.is_none() {
            bail!(
                "{} at {}:{} needs arguments ({}): gunicorn would call it with none and the app would not boot; give them with --entry, for example --entry '{}(...)'",
                escape(&entry.value),
                escape(&c.file),
                c.line,
                escape(&c.required_args.join(", ")),
                escape(entry.value.trim_end_matches("()"))
            );
        }
    }
    if let (Some(o), None) = (&det.own_server, &args.entry) {
        bail!(
            "{} registers no route when gunicorn imports it: its routes ({}) are registered inside {}(), which also starts the app's own server ({}); under gunicorn every request would be a 404. {}",
            escape(&entry.value),
            escape(&o.routes_at),
            escape(&o.function),
            escape(&o.run_at),
            own_start(&o.command, "registers the routes")
        );
    }
    if let (Some(s), None) = (&det.main_state, &args.entry) {
        bail!(
            "{}: the app's state `{}` is only set in {} at {}, which gunicorn never runs: {} reads it at {}, so {} would fail. {}",
            escape(&entry.value),
            escape(&s.name),
            escape(&s.set_in),
            escape(&s.set_at),
            escape(&s.read_in),
            escape(&s.read_at),
            if s.every_request { "every request" } else { "the requests it serves" },
            own_start(&s.command, "sets it up")
        );
    }
    if let (Some(p), None) = (prompter, &args.entry) {
        let manifest_prompt = template
            .manifest
            .variable("entry")
            .map_or(String::new(), |v| v.prompt.clone());
        entry = correct(
            p,
            &manifest_prompt,
            entry,
            "not found",
            is_entry,
            ENTRY_RULE,
        )?;
    }
    given.push(Given::new(
        "entry",
        entry.value.clone(),
        source_of(&entry, "--entry"),
    ));

    // The questions for port and base image say where their offer came from.
    let notes = [
        ("port", whence(&given, "port", "none found: the default")),
        (
            "base_image",
            whence(
                &given,
                "base_image",
                "no Python constraint found: the default",
            ),
        ),
    ];
    for (var, note) in notes {
        if let Some(v) = template
            .manifest
            .variables
            .iter_mut()
            .find(|v| v.name == var)
        {
            v.prompt = format!("{} ({note})", v.prompt);
        }
    }
    // What the port and base image questions offer, and where it came from:
    // an offer kept at the prompt keeps its origin.
    let offers: Vec<(&str, String, Source)> = ["port", "base_image"]
        .into_iter()
        .filter_map(|var| match inputs::pick(&given, var) {
            Some(g) => Some((var, g.raw.clone(), g.source.clone())),
            None => template
                .manifest
                .variable(var)
                .and_then(|v| v.default.as_ref())
                .map(|d| (var, d.to_string(), Source::TemplateDefault)),
        })
        .collect();
    let mut values = Resolver {
        manifest: &template.manifest,
        config,
        given,
        prompter,
        not_asking,
        printer,
    }
    .resolve()?;
    for (var, raw, source) in offers {
        let kept = values.source(var) == Some(&Source::Prompt)
            && values.get(var).is_some_and(|v| v.to_string() == raw);
        if let (true, Some(v)) = (kept, values.get(var).cloned()) {
            values.set(var, v, source);
        }
    }

    // A detected route outside the rule is not offered: `/` stands in.
    let found_health = if is_health(&det.health.value) {
        det.health.clone()
    } else {
        Found::default_value("/".to_string())
    };
    let health = match (&args.health, prompter) {
        (Some(h), _) => Found::new(h.clone(), "--health", 0),
        (None, Some(p)) => correct(
            p,
            "Health route the HEALTHCHECK probes",
            found_health,
            "no health route found: the default",
            is_health,
            HEALTH_RULE,
        )?,
        (None, None) => found_health,
    };
    values.set(
        "health",
        Value::Str(health.value.clone()),
        source_of(&health, "--health"),
    );

    let migrate = match (&det.migrations, prompter) {
        (Some(_), _) if args.no_migrate => Some(Source::CommandLine).map(|s| (false, s)),
        (Some(m), Some(p)) => Some((
            p.yes_no(
                &format!(
                    "Run `flask db upgrade` before gunicorn starts? ({}/ found at {})",
                    m.value,
                    m.at()
                ),
                true,
            )?,
            Source::Prompt,
        )),
        (Some(m), None) => Some((true, Source::Detected(m.at()))),
        (None, _) => None,
    };
    if let Some((m, source)) = migrate {
        values.set("migrate", Value::Bool(m), source);
    }
    Ok(values)
}

/// What init offers when gunicorn cannot serve the app as it is: the
/// project's own start command, or an `--entry` that `does` what is missing.
fn own_start(command: &Option<String>, does: &str) -> String {
    match command {
        Some(c) => format!(
            "The project starts itself with `{}`; give an entry that {does} with --entry, or run it that way.",
            escape(c)
        ),
        None => format!("Give an entry that {does} with --entry."),
    }
}

/// Everything else the template needs from the inspection, as the JSON
/// document of its `facts` variable; and warnings about values found in the
/// project that are left out because they cannot be written safely there.
fn facts(
    det: &Detection,
    values: &Values,
    args: &InitArgs,
) -> Result<(serde_json::Value, Vec<String>)> {
    let mut warnings = Vec::new();
    let d = &det.deps;
    for f in &d.files {
        if !safe_path(f) {
            bail!(
                "dependency file {}: a path flaskgen will not write into a Dockerfile",
                escape(f)
            );
        }
    }
    let copies: Vec<serde_json::Value> = d
        .files
        .iter()
        .map(|f| {
            let dir = match f.rsplit_once('/') {
                Some((dir, _)) => format!("./{dir}/"),
                None => "./".into(),
            };
            json!({"file": f, "dir": dir})
        })
        .collect();
    let locked = match d.manager {
        Manager::Poetry => d.files.iter().any(|f| f == "poetry.lock"),
        Manager::Pipenv => d.files.iter().any(|f| f == "Pipfile.lock"),
        _ => true,
    };
    for e in det.env.iter().chain(&det.env_optional) {
        if !is_env_name(&e.value) {
            warnings.push(format!(
                "environment variable {} (read at {}) is left out of compose.yaml and .env.example: a name there is [A-Za-z_][A-Za-z0-9_]*",
                present::quote(&e.value),
                escape(&e.at())
            ));
        }
    }
    let env: Vec<&Found<String>> = det.env.iter().filter(|e| is_env_name(&e.value)).collect();
    let env_optional: Vec<&Found<String>> = det
        .env_optional
        .iter()
        .filter(|e| is_env_name(&e.value))
        .collect();
    for w in det.writable.iter().filter(|w| !safe_path(&w.value)) {
        warnings.push(format!(
            "writable folder {} (found at {}) is left out of the Dockerfile and compose.yaml: a folder there is a relative path of letters, digits and ._-/",
            present::quote(&w.value),
            escape(&w.at())
        ));
    }
    let writable: Vec<&str> = det
        .writable
        .iter()
        .map(|w| w.value.as_str())
        .filter(|w| safe_path(w))
        .collect();
    let venvs: Vec<String> = std::fs::read_dir(&det.root)
        .map(|rd| {
            let mut v: Vec<String> = rd
                .flatten()
                .filter(|e| e.path().join("pyvenv.cfg").is_file())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| safe_path(n))
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    // One-time commands: a whole, whitelisted command line goes into DOCKER.md;
    // anything else only by file:line (and only a plain path).
    let run_once: Vec<serde_json::Value> = det
        .init_commands
        .iter()
        .filter_map(|i| {
            let run = i.run.as_ref()?;
            let placeholders = i
                .command
                .split_whitespace()
                .skip(1)
                .any(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
            Some(json!({"run": run, "command": i.command, "at": i.at(), "placeholders": placeholders}))
        })
        .collect();
    let mentioned: Vec<String> = det
        .init_commands
        .iter()
        .filter(|i| i.run.is_none())
        .map(|i| i.at())
        .collect();
    let flask_commands = det
        .init_commands
        .iter()
        .any(|i| i.run.as_deref().is_some_and(|r| r.starts_with("flask ")));
    let found = |f: &&Found<String>| json!({"value": f.value, "file": f.file, "line": f.line});
    let entry_at = shown_origin(values, "entry", "--entry", "default");
    let base_flag = if args.base_image.is_some() {
        "--base-image"
    } else {
        "--python"
    };
    let doc = json!({
        "manager": d.manager.name(),
        "dependencies": d.source.clone().unwrap_or_else(|| "none found".into()),
        "copies": copies,
        "requirements": d.source.clone().unwrap_or_else(|| "requirements.txt".into()),
        "left_out": d.left_out,
        "locked": locked,
        "specs": d.specs,
        "package": d.package,
        "gunicorn_added": !d.has("gunicorn"),
        "native": crate::inspect::native::system_packages(&d.names),
        "setuptools_for": det.pkg_resources.as_ref().filter(|_| !d.has("setuptools")).map(|p| p.at()),
        "pythonpath": det.pythonpath,
        "gunicorn_options": det.gunicorn_options,
        "migrations": det.migrations.as_ref().map(|m| m.value.as_str()),
        "flask_commands": flask_commands,
        "writable": writable,
        "home": det.home.as_ref().map(|h| format!("{} at {}", h.value, h.at())),
        "env": env.iter().map(found).collect::<Vec<_>>(),
        "env_optional": env_optional.iter().map(found).collect::<Vec<_>>(),
        "venvs": venvs,
        "run_once": run_once,
        "mentioned": mentioned,
        "at": {
            "entry": entry_at,
            "port": shown_origin(values, "port", "-p", "default"),
            "base_image": shown_origin(values, "base_image", base_flag, "no constraint"),
            "health": shown_origin(values, "health", "--health", "default"),
            "migrations": det.migrations.as_ref().map(|m| m.at()),
        },
    });
    Ok((doc, warnings))
}

/// The most work (lines of both files × lines that differ after the common
/// start and end) a diff may cost before the changed middle is shown as
/// one hunk that replaces it whole.
const DIFF_BUDGET: usize = 20_000_000;

/// A unified diff as git prints it (diffy, the crate `update` uses too).
/// Myers' algorithm costs (lines of both files) × (lines that differ), which is
/// quadratic for a long file init replaces whole: past [`DIFF_BUDGET`] the
/// part between the common first and last lines becomes one hunk, found in
/// linear time.
fn diff(old: &str, new: &str, path: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let differ = (a.len() - head - tail) + (b.len() - head - tail);
    if (a.len() + b.len()).saturating_mul(differ) > DIFF_BUDGET {
        return one_hunk(&a, &b, head, tail, path);
    }
    let mut opts = diffy::DiffOptions::new();
    opts.set_original_filename(format!("a/{path}"))
        .set_modified_filename(format!("b/{path}"));
    let format = diffy::PatchFormatter::new().suppress_blank_empty(false);
    let patch = opts.create_patch(old, new);
    let text = format.fmt_patch(&patch).to_string();
    text
}

/// A unified diff of one hunk: `a`'s lines between the first `head` and the
/// last `tail` (which both files share) replaced by `b`'s, with up to three
/// shared lines of context each side.
fn one_hunk(a: &[&str], b: &[&str], head: usize, tail: usize, path: &str) -> String {
    const CONTEXT: usize = 3;
    let before = head.min(CONTEXT);
    let after = tail.min(CONTEXT);
    let start = head - before;
    let range = |lines: &[&str]| {
        let len = lines.len() - start - (tail - after);
        // An empty range is numbered by the line before it, as diff does.
        let first = if len == 0 { start } else { start + 1 };
        (first, len)
    };
    let ((a1, al), (b1, bl)) = (range(a), range(b));
    let mut out = format!("--- a/{path}\n+++ b/{path}\n@@ -{a1},{al} +{b1},{bl} @@\n");
    let mut line = |sign: char, l: &str| {
        out.push(sign);
        out.push_str(l);
        if !l.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    };
    for l in &a[start..head] {
        line(' ', l);
    }
    for l in &a[head..a.len() - tail] {
        line('-', l);
    }
    for l in &b[head..b.len() - tail] {
        line('+', l);
    }
    for l in &a[a.len() - tail..a.len() - tail + after] {
        line(' ', l);
    }
    out
}

fn detection_summary(det: &Detection, values: &Values, facts: &serde_json::Value) -> String {
    let mut s = String::from("Found:\n");
    let mut row = |what: &str, value: &str, at: &str| {
        s.push_str(&format!(
            "  {what:<14} {:<32} {}\n",
            escape(value),
            escape(at)
        ));
    };
    let at = |k: &str| facts["at"][k].as_str().unwrap_or_default().to_string();
    row("entry point", values.str("entry"), &at("entry"));
    row(
        "dependencies",
        det.deps.manager.name(),
        det.deps.source.as_deref().unwrap_or("none found"),
    );
    row("Python", values.str("base_image"), &at("base_image"));
    row("port", &values.port().to_string(), &at("port"));
    row("health route", values.str("health"), &at("health"));
    if let Some(m) = &det.migrations {
        row("migrations", &m.value, &m.at());
    }
    for w in &det.writable {
        row("writable", &w.value, &w.at());
    }
    for e in &det.env {
        row("env (required)", &e.value, &e.at());
    }
    for e in &det.env_optional {
        row("env (optional)", &e.value, &e.at());
    }
    if let Some(h) = &det.home {
        row("home dir", &h.value, &h.at());
    }
    for i in &det.init_commands {
        let what = if i.run.is_some() {
            "run once"
        } else {
            "run once (?)"
        };
        row(what, &i.command, &i.at());
    }
    s
}

pub fn run(args: InitArgs, printer: Printer) -> Result<()> {
    interrupt::install();
    // An update or --force write that a kill interrupted is finished first.
    super::recover(&args.path, printer)?;
    if args.verify {
        crate::verify::engine_ready()?;
    }
    let config = config::load(args.config.no_config)?;
    if let Some(p) = &config.path {
        printer.detail(&format!("config file {}", p.display()));
    }
    let project = crate::files::Project::new(&args.path);
    let det = inspect::detect_in(&project)?;
    for w in det.warnings.iter().chain(&det.notes) {
        printer.warn(w);
    }
    let not_asking = prompt::why_not_interactive(args.yes);
    let prompter = match not_asking {
        Some(why) => {
            printer.detail(&format!(
                "not asking: the detected values are taken ({why})"
            ));
            None
        }
        None => Some(Prompter::new(printer.color)),
    };
    let mut template = Template::builtin_init()?;
    let mut values = settle(
        &args,
        &det,
        &mut template,
        &config,
        prompter.as_ref(),
        not_asking,
        printer,
    )?;
    let (facts, left_out) = facts(&det, &values, &args)?;
    let env_file = !facts["env"].as_array().is_none_or(Vec::is_empty)
        || !facts["env_optional"].as_array().is_none_or(Vec::is_empty);
    values.set(
        "env_file",
        Value::Bool(env_file),
        Source::Derived("the environment variables init found".into()),
    );
    values.set(
        "facts",
        Value::Str(facts.to_string()),
        Source::Derived("what init found in the project".into()),
    );
    // `facts` is what the "Found" table shows.
    crate::resolve::show(&values, &printer, &["facts"]);
    let plan = render::render(&template, &values)?;
    for w in &left_out {
        printer.warn(w);
    }
    let root = &args.path;
    // Existing files of the project are never replaced without --force.
    let old_text = |path: &str| project.read(path, Kind::of(path));
    let pre = match write::preflight(&plan, root, true) {
        Ok(pre) => pre,
        // A dry run still shows what it can: a file the write would refuse
        // (a symlink, say) is listed as one --force would replace.
        Err(_) if args.dry_run => write::Preflight {
            merge: true,
            overwrites: plan
                .files
                .iter()
                .filter(|f| std::fs::symlink_metadata(root.join(&f.path)).is_ok())
                .filter(|f| !matches!(old_text(&f.path), Contents::Text(t) if t.as_bytes() == &*f.contents))
                .map(|f| f.path.clone())
                .collect(),
            unchanged: plan
                .files
                .iter()
                .filter(|f| matches!(old_text(&f.path), Contents::Text(t) if t.as_bytes() == &*f.contents))
                .map(|f| f.path.clone())
                .collect(),
            missing_dirs: vec![],
        },
        Err(e) => return Err(e),
    };

    let gunicorn_added = facts["gunicorn_added"] == true;
    let setuptools_for = facts["setuptools_for"].as_str();
    if !args.json {
        printer.info(&detection_summary(&det, &values, &facts));
        if gunicorn_added {
            printer.info("gunicorn is not among the project's dependencies: the Dockerfile installs it pinned (the dependency files are not edited).");
        }
        if let Some(at) = setuptools_for {
            printer.info(&format!(
                "{} imports pkg_resources, {SETUPTOOLS_WHY}: the Dockerfile installs it pinned.",
                escape(at)
            ));
        }
    }
    let files_json = |pre: &write::Preflight, written: bool| -> Vec<serde_json::Value> {
        plan.files
            .iter()
            .map(|f| {
                let state = FileState::of(&f.path, pre);
                json!({"path": f.path, "bytes": f.contents.len(), "state": state.word(), "written": written && state != FileState::Unchanged})
            })
            .collect()
    };
    let result = |pre: &write::Preflight, dry: bool, written: bool| {
        let doc = json!({
            "path": std::path::absolute(root).unwrap_or(root.clone()),
            "dry_run": dry,
            "detection": det,
            "chosen": {
                "entry": values.str("entry"), "port": values.port(), "base_image": values.str("base_image"), "health": values.str("health"),
                "image": values.str("image"), "migrate": values.get("migrate") == Some(&Value::Bool(true)), "gunicorn_added": gunicorn_added, "setuptools_added": setuptools_for.is_some(),
            },
            "template": {"name": template.manifest.meta.name, "version": template.manifest.meta.version},
            "files": files_json(pre, written),
        });
        crate::present::json::document(&doc)
    };

    if args.dry_run {
        if args.json {
            present::stdout(&result(&pre, true, false));
            return Ok(());
        }
        let mut out = String::new();
        for f in &plan.files {
            let new = String::from_utf8_lossy(&f.contents);
            match FileState::of(&f.path, &pre) {
                FileState::Replaced => match old_text(&f.path) {
                    Contents::Text(old) => {
                        out.push_str(&escape_keep_lines(&diff(&old, &new, &f.path)))
                    }
                    Contents::Skipped(why) => out.push_str(&format!(
                        "=== {} (exists, but is {}: not shown; --force replaces it whole)\n",
                        f.path,
                        why.reason()
                    )),
                    Contents::Missing => {
                        out.push_str(&format!("=== {} (removed while init ran)\n", f.path))
                    }
                },
                FileState::Unchanged => out.push_str(&format!("=== {} (unchanged)\n", f.path)),
                FileState::New => {
                    out.push_str(&format!(
                        "=== {} (new, {} bytes)\n",
                        f.path,
                        f.contents.len()
                    ));
                    out.push_str(&escape_keep_lines(&new));
                }
            }
        }
        present::stdout(&out);
        printer.info(&format!(
            "dry run: {} files; nothing was written",
            plan.files.len()
        ));
        return Ok(());
    }
    if !pre.overwrites.is_empty() && !args.force {
        if args.verify {
            // The project already has its container files: prove those.
            printer.info(&format!(
                "{} already in {}: verifying them as they are (--force would replace them)",
                pre.overwrites.join(", "),
                escape(&root.display().to_string())
            ));
            return prove(root, &args, printer);
        }
        bail!(
            "{} already {} in {} with other contents; flaskgen init never changes a project's files: --dry-run shows the differences, --force replaces them",
            pre.overwrites.join(", "),
            if pre.overwrites.len() == 1 { "exists" } else { "exist" },
            escape(&root.display().to_string())
        );
    }
    if let Some(p) = &prompter {
        let ok = p.confirm(&format!(
            "Write {} files into {} (and {}, which `flaskgen update` reads)?",
            plan.files.len() - 1,
            root.display(),
            crate::inputs::answers::ANSWERS_FILE
        ))?;
        if !ok {
            bail!("cancelled; nothing was written");
        }
    }
    let outcome = write::write(&plan, root, true)?;
    present::plan::each_file_written(&outcome, root, printer);
    if args.json {
        let pre = write::Preflight {
            overwrites: outcome.overwritten.clone(),
            unchanged: outcome.unchanged.clone(),
            ..pre
        };
        present::stdout(&result(&pre, false, true));
    }
    printer.info(&format!(
        "\nNext: docker image build -t {0} {1} && docker container run --rm -p {2}:{2} {0}",
        values.str("image"),
        present::shell_quote(&root.display().to_string()),
        values.port()
    ));
    if args.verify {
        return prove(root, &args, printer);
    }
    Ok(())
}

/// `--verify`: the proof on the local engine, a status line per step; exit 1
/// unless every step passed.
fn prove(root: &std::path::Path, args: &InitArgs, printer: Printer) -> Result<()> {
    let opts = crate::verify::Options {
        env_file: args.env_file.as_deref(),
        keep_image: args.keep_image,
    };
    printer.status(
        "Verifying",
        &format!(
            "{} on the local Docker engine: build, import, serve, stop",
            root.display()
        ),
    );
    let report = crate::verify::verify(root, &opts, &|step| {
        if step.passed {
            printer.status("Passed", &format!("{}: {}", step.name, step.evidence));
            return;
        }
        printer.warn(&format!("{} failed: {}", step.name, step.evidence));
        if let Some(fix) = &step.fix {
            printer.info(&format!("  fix: {}", escape(fix)));
        }
        for line in &step.log_tail {
            printer.info(&format!("  | {line}"));
        }
    })?;
    if !report.placeholders.is_empty() {
        printer.warn(&format!(
            "no value given for {}: placeholders were used (give --env-file FILE for real ones)",
            report.placeholders.join(", ")
        ));
    }
    if report.passed() {
        if args.keep_image {
            printer.status("Kept", &format!("image {}", report.image));
        }
        return Ok(());
    }
    let failed = report.steps.iter().filter(|s| !s.passed).count();
    bail!(
        "--verify: {} did not pass; nothing is left running",
        present::count(failed, "step")
    )
}

/// Escapes each line of file text, keeping the line breaks.
fn escape_keep_lines(s: &str) -> String {
    s.split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(body) => format!("{}\n", escape(body)),
            None => escape(l),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        assert!(is_entry("app:app"));
        assert!(is_entry("pkg.web:create_app()"));
        assert!(!is_entry("app"));
        assert!(!is_entry("a-b:app"));
        assert!(is_entry("app:create_app('x')"));
        assert!(!is_entry("app:create_app(\"x\")"));
        assert!(!is_entry("app:create_app("));
    }

    /// Applies a unified diff with diffy's own parser: the one-hunk form is
    /// a patch that gives the new text.
    fn applies(old: &str, new: &str) {
        let text = diff(old, new, "f");
        let patch = diffy::Patch::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(diffy::apply(old, &patch).unwrap(), new, "{text}");
    }

    #[test]
    fn long_diffs_are_one_linear_hunk_that_applies() {
        let long: String = (0..30_000).map(|i| format!("old {i}\n")).collect();
        let shared_head = "a\nb\nc\nd\n";
        let shared_tail = "y\nz\n";
        let old = format!("{shared_head}{long}{shared_tail}");
        let new = format!("{shared_head}new\n{shared_tail}");
        let text = diff(&old, &new, "f");
        assert!(text.contains("@@ -2,30005 +2,6 @@"), "{}", &text[..200]);
        applies(&old, &new);
        applies(&long, "short\n");
        applies(&long, "");
        applies("", &long);
        applies(&format!("{long}no newline"), "x\n");
        // Small inputs keep diffy's minimal hunks.
        applies("a\nb\nc\n", "a\nB\nc\n");
    }

    #[test]
    fn markdown_escapes() {
        use crate::render::filters::{md_code, md_text};
        assert_eq!(md_text("a|b*c_[d](e)<f>"), "a\\|b\\*c\\_\\[d\\](e)\\<f\\>");
        assert_eq!(md_text("two\nlines"), "two\\\\nlines");
        assert_eq!(md_text("# x.py:1"), "\\# x.py:1");
        assert_eq!(md_text("- x"), "\\- x");
        assert_eq!(md_text("12. x"), "12\\. x");
        assert_eq!(md_text("app.py:2"), "app.py:2");
        assert_eq!(md_code("app:app"), "`app:app`");
        assert_eq!(md_code("a`b|c"), "``a`b\\|c``");
        assert_eq!(md_code("`x"), "`` `x ``");
    }

    #[test]
    fn health_routes() {
        for ok in ["/", "/healthz", "/api/v1/health-check", "/status.json"] {
            assert!(is_health(ok), "{ok}");
        }
        for bad in ["", "healthz", "/a b", "/x'y", "/q?x=1", "/\u{1b}[2J"] {
            assert!(!is_health(bad), "{bad}");
        }
    }
}
