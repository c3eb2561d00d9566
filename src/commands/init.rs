//! `flaskgen init [PATH]`: inspect an existing Flask project → choose values
//! (flags over detection, prompts on a terminal) → render templates/init →
//! write beside the code (never over a file without --force) → present.

use std::borrow::Cow;
use std::fs;
use std::path::Path;

use anyhow::{anyhow, bail, Result};
use include_dir::{include_dir, Dir};
use serde_json::json;

use crate::cli::InitArgs;
use crate::error::input_error;
use crate::files::{Contents, Kind};
use crate::inspect::{self, deps::Manager, Detection, Found};
use crate::interrupt;
use crate::present::{self, escape, Printer};
use crate::prompt::{self, Prompter};
use crate::render::Plan;
use crate::template::File as PlannedFile;
use crate::values::{builtins, Value};
use crate::write;

static KIT: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/init");

/// Tool versions the generated Dockerfile pins.
const GUNICORN: &str = "gunicorn==27.0.1";
const FLASK: &str = "flask==3.1.3";
const UV: &str = "uv==0.13.9";
const POETRY: &str = "poetry==2.5.1";
const POETRY_EXPORT: &str = "poetry-plugin-export==1.10.1";
const PDM: &str = "pdm==2.29.4";
/// pdm 2.29.4 breaks with hishel 2 (`module 'hishel' has no attribute 'SyncSqliteStorage'`).
const PDM_HISHEL: &str = "hishel==1.4.0";
const PIPENV: &str = "pipenv==2026.10.3";
/// For apps that import `pkg_resources`: the newest setuptools below 81, as
/// pkg_resources' own deprecation warning advises (82 removed it).
const SETUPTOOLS: &str = "setuptools==80.10.2";
/// Why: said after "FILE:LINE imports pkg_resources", in the Dockerfile and on stderr.
const SETUPTOOLS_WHY: &str = "which setuptools provides (below 82; its warning advises < 81), and setuptools is not among the project's dependencies";

/// Everything the templates need, settled.
struct Choice {
    name: String,
    image: String,
    entry: String,
    port: u16,
    base_image: String,
    health: String,
    migrate: bool,
    gunicorn_added: bool,
    /// The app's `pkg_resources` import, when setuptools is not a dependency
    /// and the image adds it.
    setuptools_for: Option<Found<String>>,
    /// Where each value came from: `file:line`, a flag, `prompt` or `default`.
    at: Origins,
}

struct Origins {
    entry: String,
    port: String,
    base_image: String,
    health: String,
}

fn safe_path(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('/')
        && !s.split('/').any(|c| c == "..")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
}

fn is_entry(s: &str) -> bool {
    let Some((module, attr)) = s.split_once(':') else {
        return false;
    };
    let ident = |x: &str| crate::values::is_identifier(x);
    // `create_app` or `create_app(...)` with plain Python literals as arguments.
    let attr = match attr.split_once('(') {
        Some((name, rest)) => {
            let args_ok = rest.ends_with(')')
                && !rest
                    .chars()
                    .any(|c| c == '"' || c == '\\' || c.is_control());
            if !args_ok {
                return false;
            }
            name
        }
        None => attr,
    };
    !module.is_empty() && module.split('.').all(ident) && ident(attr)
}

/// The rule an entry point obeys, for `--entry` and the prompt alike.
const ENTRY_RULE: &str = "MODULE:APP or MODULE:FACTORY() (dotted module, Python names)";
/// The rule a health route obeys, for `--health` and the prompt alike.
const HEALTH_RULE: &str = "a path that starts with `/`, of letters, digits and `/._-`";

fn is_health(s: &str) -> bool {
    s.starts_with('/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
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

/// Lines that install what a lock file says with the project's own tool:
/// the tool (pinned) lives in a throwaway virtualenv under /tmp that the same
/// RUN removes, so neither it nor its caches reach the image; it exports the
/// lock as a requirements file with hashes, which pip installs (hash-checking
/// mode: every package pinned and verified). `command` starts with the tool's
/// name, run from the virtualenv.
fn lock_export(copy: &str, what: &str, tools: &[&str], command: &str) -> String {
    format!(
        "{copy}\n# {what} in a throwaway virtualenv (not in the image);\n# pip installs the export with its hashes.\nRUN python -m venv /tmp/lock-tool \\\n    && export XDG_CACHE_HOME=/tmp/lock-tool/cache WORKON_HOME=/tmp/lock-tool/envs \\\n    && /tmp/lock-tool/bin/pip install --no-cache-dir {} \\\n    && /tmp/lock-tool/bin/{command} \\\n    && pip install --no-cache-dir -r /tmp/requirements.txt \\\n    && rm -rf /tmp/lock-tool /tmp/requirements.txt",
        tools.join(" ")
    )
}

/// The Dockerfile lines that install the dependencies, before the code.
fn install_lines(det: &Detection, c: &Choice) -> Result<String> {
    let d = &det.deps;
    for f in &d.files {
        if !safe_path(f) {
            bail!(
                "dependency file {}: a path flaskgen will not write into a Dockerfile",
                escape(f)
            );
        }
    }
    let copy = |files: &[&str]| -> String {
        files
            .iter()
            .map(|f| match f.rsplit_once('/') {
                Some((dir, _)) => format!("COPY {f} ./{dir}/"),
                None => format!("COPY {f} ./"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let files: Vec<&str> = d.files.iter().map(String::as_str).collect();
    let locked = |lock: &str| files.contains(&lock);
    let mut s = match d.manager {
        Manager::Pip => format!(
            "{}\nRUN pip install --no-cache-dir -r {}",
            copy(&files),
            d.source.as_deref().unwrap_or("requirements.txt")
        ),
        Manager::Uv => lock_export(
            &copy(&files),
            "uv.lock, exported by uv",
            &[UV],
            "uv export --frozen --no-dev --no-emit-project -o /tmp/requirements.txt",
        ),
        Manager::Poetry if locked("poetry.lock") => lock_export(
            &copy(&files),
            "poetry.lock (checked against pyproject.toml), exported by Poetry",
            &[POETRY, POETRY_EXPORT],
            "poetry check --lock \\\n    && /tmp/lock-tool/bin/poetry export --only main -f requirements.txt -o /tmp/requirements.txt",
        ),
        Manager::Poetry => lock_export(
            &copy(&files),
            "no poetry.lock: Poetry resolves pyproject.toml at build time (commit a lock for repeatable images), then exports",
            &[POETRY, POETRY_EXPORT],
            "poetry lock \\\n    && /tmp/lock-tool/bin/poetry export --only main -f requirements.txt -o /tmp/requirements.txt",
        ),
        Manager::Pdm => lock_export(
            &copy(&files),
            "pdm.lock (checked against pyproject.toml), exported by PDM",
            &[PDM, PDM_HISHEL],
            "pdm lock --check \\\n    && /tmp/lock-tool/bin/pdm export --prod -o /tmp/requirements.txt",
        ),
        Manager::Pipenv if locked("Pipfile.lock") => lock_export(
            &copy(&files),
            "Pipfile.lock (checked against Pipfile), exported by Pipenv",
            &[PIPENV],
            "pipenv verify \\\n    && /tmp/lock-tool/bin/pipenv requirements --hash > /tmp/requirements.txt",
        ),
        Manager::Pipenv => lock_export(
            &copy(&files),
            "no Pipfile.lock: Pipenv resolves the Pipfile at build time (commit a lock for repeatable images), then exports",
            &[PIPENV],
            "pipenv lock \\\n    && /tmp/lock-tool/bin/pipenv requirements --hash > /tmp/requirements.txt",
        ),
        Manager::Pyproject => {
            let mut cmd = vec!["pip".to_string(), "install".into(), "--no-cache-dir".into()];
            cmd.extend(d.specs.iter().cloned());
            format!(
                "# [project.dependencies] of pyproject.toml (no lock file).\nRUN {}",
                serde_json::to_string(&cmd)?
            )
        }
        // The package's own requirements; the package itself is installed
        // after the code (`install_project`).
        Manager::Package => package_deps(d)?,
        Manager::None => format!(
            "# No dependency file was found: Flask alone, pinned.\nRUN pip install --no-cache-dir {FLASK}"
        ),
    };
    if d.manager == Manager::Pip && d.package.is_some() {
        s.push('\n');
        s.push_str(&package_deps(d)?);
    }
    let mut added = Vec::new();
    if c.gunicorn_added {
        s.push_str("\n# gunicorn is not among the project's dependencies: installed here, pinned.");
        added.push(GUNICORN);
    }
    if let Some(p) = &c.setuptools_for {
        // A comment line: the file name escaped to one line.
        let who = escape(&p.at());
        s.push_str(&format!(
            "\n# {who} imports pkg_resources, {SETUPTOOLS_WHY}: installed here, pinned."
        ));
        added.push(SETUPTOOLS);
    }
    if !added.is_empty() {
        s.push_str(&format!(
            "\nRUN pip install --no-cache-dir {}",
            added.join(" ")
        ));
    }
    Ok(s)
}

/// The dependency layer of a project that installs itself: its metadata's
/// literal requirements (with the extras that bring Flask), before the code.
fn package_deps(d: &inspect::deps::Deps) -> Result<String> {
    let Some(p) = &d.package else {
        return Ok(String::new());
    };
    let from = p.files.join(", ");
    if !p.literal || p.specs.is_empty() {
        return Ok(format!(
            "# {} computes its requirements: pip resolves them with the package, after the code.",
            escape(&from)
        ));
    }
    let mut cmd = vec!["pip".to_string(), "install".into(), "--no-cache-dir".into()];
    cmd.extend(p.specs.iter().cloned());
    Ok(format!(
        "# The package's requirements ({}{}), before the code.\nRUN {}",
        escape(&from),
        if p.extras.is_empty() {
            String::new()
        } else {
            format!(", with extra {}", escape(&p.extras.join(", ")))
        },
        serde_json::to_string(&cmd)?
    ))
}

/// The pip target that installs the project itself after the code: `.`,
/// or `.[server]` with the extras that bring Flask.
fn install_project(d: &inspect::deps::Deps) -> Option<String> {
    let p = d.package.as_ref()?;
    let target = if p.extras.is_empty() {
        ".".to_string()
    } else {
        format!(".[{}]", p.extras.join(","))
    };
    let no_deps = p.literal && !p.specs.is_empty();
    Some(if no_deps {
        format!("--no-deps \"{target}\"")
    } else {
        format!("\"{target}\"")
    })
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

/// A value given by a flag, checked by the built-in's own rule.
fn builtin_flag(name: &str, raw: &str) -> Result<Value> {
    let var = builtins::builtin(name).expect("built in").variable();
    Ok(var.parse(raw, "")?)
}

/// Asks for a built-in (port, base image) on the terminal, offering the
/// detected value: the same widget and rule as `flaskgen new`.
fn ask_builtin(p: &Prompter, name: &str, whence: &str, default: Value) -> Result<Value> {
    let mut var = builtins::builtin(name).expect("built in").variable();
    var.prompt = format!("{} ({whence})", var.prompt);
    p.ask(&var, Some(&default))
}

/// Flags first, then what was detected, offered for correction at a prompt
/// on a terminal (a value given by a flag is not asked).
fn settle(
    args: &InitArgs,
    det: &Detection,
    prompter: Option<&Prompter>,
    printer: Printer,
) -> Result<Choice> {
    // Every flag is checked before the first question.
    let port_flag = match &args.port {
        Some(p) => Some(builtin_flag("port", p)?),
        None => None,
    };
    let base_flag = match (&args.base_image, &args.python) {
        (Some(b), _) => Some((builtin_flag("base_image", b)?.to_string(), "--base-image")),
        (None, Some(py)) => {
            let minor = crate::values::python_minor(py).map_err(|rule| {
                input_error(format!(
                    "invalid --python {}: {rule}; for example --python 3.12",
                    present::quote(py)
                ))
            })?;
            Some((format!("python:3.{minor}-slim"), "--python"))
        }
        (None, None) => None,
    };
    if let Some(h) = &args.health {
        if !is_health(h) {
            return Err(input_error(format!(
                "invalid --health {}: {HEALTH_RULE}; for example --health /healthz",
                present::quote(h)
            )));
        }
    }
    let name = name_of(&det.root);
    let image = match &args.image {
        Some(i) => builtin_flag("image", i)?.to_string(),
        None => name.clone(),
    };
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
            match &o.command {
                Some(c) => format!("The project starts itself with `{}`; give an entry that registers the routes with --entry, or run it that way.", escape(c)),
                None => "Give an entry that registers the routes with --entry.".to_string(),
            }
        );
    }
    if let (Some(p), None) = (prompter, &args.entry) {
        entry = correct(
            p,
            "gunicorn entry, MODULE:APP",
            entry,
            "not found",
            is_entry,
            ENTRY_RULE,
        )?;
    }

    let port = match (port_flag, prompter) {
        (Some(v), _) => (v, "-p".to_string()),
        (None, Some(p)) => {
            let found = Value::Int(det.port.value.into());
            let v = ask_builtin(
                p,
                "port",
                &origin(&det.port, "none found: the default"),
                found.clone(),
            )?;
            let at = if v == found {
                det.port.at()
            } else {
                "prompt".into()
            };
            (v, at)
        }
        (None, None) => (Value::Int(det.port.value.into()), det.port.at()),
    };
    let port = (
        port.0.to_string().parse::<u16>().map_err(|_| {
            input_error(format!(
                "invalid port {}",
                present::quote(&port.0.to_string())
            ))
        })?,
        port.1,
    );

    let python_at = det.python.as_ref().map_or("no constraint".into(), |p| {
        format!("{} at {}", p.value, p.at())
    });
    let base_image = match base_flag {
        Some((b, flag)) => (b, flag.to_string()),
        None => {
            let derived = inspect::base_image_for(det.python.as_ref())?;
            match prompter {
                Some(p) => {
                    let whence = det
                        .python
                        .as_ref()
                        .map_or("no Python constraint found: the default".into(), |c| {
                            format!("Python {} found at {}", c.value, c.at())
                        });
                    let v = ask_builtin(p, "base_image", &whence, Value::Str(derived.clone()))?
                        .to_string();
                    let at = if v == derived {
                        python_at
                    } else {
                        "prompt".into()
                    };
                    (v, at)
                }
                None => (derived, python_at),
            }
        }
    };

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

    let migrate = match (&det.migrations, prompter) {
        (Some(_), _) if args.no_migrate => false,
        (Some(m), Some(p)) => p.yes_no(
            &format!(
                "Run `flask db upgrade` before gunicorn starts? ({}/ found at {})",
                m.value,
                m.at()
            ),
            true,
        )?,
        (Some(_), None) => true,
        (None, _) => false,
    };
    let gunicorn_added = !det.deps.has("gunicorn");
    let setuptools_for = det
        .pkg_resources
        .clone()
        .filter(|_| !det.deps.has("setuptools"));
    Ok(Choice {
        name,
        image,
        entry: entry.value.clone(),
        port: port.0,
        base_image: base_image.0,
        health: health.value.clone(),
        migrate,
        gunicorn_added,
        setuptools_for,
        at: Origins {
            entry: at(&entry),
            port: port.1,
            base_image: base_image.1,
            health: at(&health),
        },
    })
}

/// `file:line` for a finding, the flag's name for a flag, `prompt` for an answer.
fn at<T>(f: &Found<T>) -> String {
    if f.line == 0 && !f.file.is_empty() {
        f.file.clone()
    } else {
        f.at()
    }
}

/// Registers the filters init's own templates use for text found in the
/// project (file names above all), beside the kit filters of
/// [`crate::render::filters`]:
///
/// | context                                  | filter     |
/// |------------------------------------------|------------|
/// | a comment line (env file, Dockerfile)    | `one_line` |
/// | Markdown text (a table cell, a list)     | `md_text`  |
/// | Markdown inline code, in a table or not  | `md_code`  |
fn register_init_filters(tera: &mut tera::Tera) {
    fn text(v: &tera::Value) -> String {
        match v {
            tera::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
    type Args = std::collections::HashMap<String, tera::Value>;
    tera.register_filter("one_line", |v: &tera::Value, _: &Args| {
        Ok(tera::Value::String(escape(&text(v))))
    });
    tera.register_filter("md_text", |v: &tera::Value, _: &Args| {
        Ok(tera::Value::String(md_text(&text(v))))
    });
    tera.register_filter("md_code", |v: &tera::Value, _: &Args| {
        Ok(tera::Value::String(md_code(&text(v))))
    });
}

/// Markdown text at the start of a table cell or list item that shows `s`
/// as it is: control characters escaped (one line); each character that
/// could start code, emphasis, a link, HTML, an entity, strikethrough or a
/// cell boundary backslash-escaped; and so is a first character that could
/// start a heading, a list or a quote (`#`, `-`, `+`, `>`…), or the `.`/`)`
/// after leading digits (`1. `).
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    for (i, c) in escape(s).chars().enumerate() {
        let special = "\\`*_[]<>|&~".contains(c)
            || (i == 0 && c.is_ascii_punctuation())
            || (i == digits && i > 0 && ".)".contains(c));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Markdown code span holding `s`: fenced with more backticks than any run
/// inside, padded when `s` starts or ends with one, control characters
/// escaped, and `|` written `\|` (a GitHub table cell ends at a bare `|`,
/// even inside code, and shows `\|` as `|`).
fn md_code(s: &str) -> String {
    let s = escape(s).replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// The generated files, and warnings about values found in the project that
/// were left out of them because they cannot be written safely there.
fn render_kit(det: &Detection, c: &Choice) -> Result<(Plan, Vec<String>)> {
    let mut tera = tera::Tera::default();
    crate::render::filters::register(&mut tera);
    register_init_filters(&mut tera);
    let mut warnings = Vec::new();
    for f in KIT.files() {
        let path = f.path().to_string_lossy().to_string();
        let text = f
            .contents_utf8()
            .ok_or_else(|| anyhow!("{path} is not UTF-8"))?;
        tera.add_raw_template(&path, text)?;
    }
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
    let venvs: Vec<String> = fs::read_dir(&det.root)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.path().join("pyvenv.cfg").is_file())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| safe_path(n))
                .collect()
        })
        .unwrap_or_default();
    let health = c.health.clone();
    let mut findings = vec![
        ("entry point", c.entry.clone(), c.at.entry.clone()),
        (
            "dependencies",
            det.deps.manager.name().to_string(),
            det.deps
                .source
                .clone()
                .unwrap_or_else(|| "none found".into()),
        ),
        ("Python", c.base_image.clone(), c.at.base_image.clone()),
        ("port", c.port.to_string(), c.at.port.clone()),
        ("health route", health.clone(), c.at.health.clone()),
    ];
    if let Some(m) = &det.migrations {
        findings.push(("migrations", m.value.clone(), m.at()));
    }
    let findings: Vec<(String, String, String)> = findings
        .into_iter()
        .map(|(a, b, c)| (a.to_string(), b, c))
        .collect();
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
    // Written as a comment line, through `one_line`.
    let home = det
        .home
        .as_ref()
        .map(|h| format!("{} at {}", h.value, h.at()));
    let mut ctx = tera::Context::new();
    ctx.insert("run_once", &run_once);
    ctx.insert("mentioned", &mentioned);
    ctx.insert("flask_commands", &flask_commands);
    ctx.insert("home", &home);
    ctx.insert("name", &c.name);
    ctx.insert("service", &c.name.replace('.', "-"));
    ctx.insert("image", &c.image);
    ctx.insert("port", &c.port);
    ctx.insert("base_image", &c.base_image);
    ctx.insert("entry", &c.entry);
    ctx.insert("pythonpath", &det.pythonpath);
    ctx.insert("migrate", &c.migrate);
    ctx.insert(
        "migrations",
        &det.migrations.as_ref().map(|m| m.value.as_str()),
    );
    ctx.insert("flask_app", &c.entry);
    ctx.insert("install", &install_lines(det, c)?);
    ctx.insert("install_project", &install_project(&det.deps));
    ctx.insert("gunicorn_options", &det.gunicorn_options);
    ctx.insert("writable", &writable);
    ctx.insert(
        "env",
        &env.iter().map(|e| e.value.as_str()).collect::<Vec<_>>(),
    );
    ctx.insert("env_found", &env);
    ctx.insert("env_optional", &env_optional);
    ctx.insert("venvs", &venvs);
    ctx.insert("health", &health);
    ctx.insert("findings", &findings);

    let mut files = Vec::new();
    let mut add = |out: &str, tpl: &str| -> Result<()> {
        let text = tera.render(tpl, &ctx)?;
        let text = if text.ends_with('\n') {
            text
        } else {
            text + "\n"
        };
        files.push(PlannedFile {
            path: out.into(),
            contents: Cow::Owned(text.into_bytes()),
            executable: out.ends_with(".sh"),
        });
        Ok(())
    };
    add("Dockerfile", "Dockerfile.tera")?;
    add(".dockerignore", "dockerignore.tera")?;
    add("gunicorn.conf.py", "gunicorn.conf.py.tera")?;
    add("compose.yaml", "compose.yaml.tera")?;
    add("DOCKER.md", "DOCKER.md.tera")?;
    if !env.is_empty() || !env_optional.is_empty() {
        add(".env.example", "env.example.tera")?;
    }
    if c.migrate {
        add("docker-entrypoint.sh", "docker-entrypoint.sh.tera")?;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((Plan { files }, warnings))
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

fn detection_summary(det: &Detection, c: &Choice) -> String {
    let mut s = String::from("Found:\n");
    let mut row = |what: &str, value: &str, at: &str| {
        s.push_str(&format!(
            "  {what:<14} {:<32} {}\n",
            escape(value),
            escape(at)
        ));
    };
    row("entry point", &c.entry, &c.at.entry);
    row(
        "dependencies",
        det.deps.manager.name(),
        det.deps.source.as_deref().unwrap_or("none found"),
    );
    row("Python", &c.base_image, &c.at.base_image);
    row("port", &c.port.to_string(), &c.at.port);
    row("health route", &c.health, &c.at.health);
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
    write::recover(&args.path, printer)?;
    let project = crate::files::Project::new(&args.path);
    let det = inspect::detect_in(&project)?;
    for w in det.warnings.iter().chain(&det.notes) {
        printer.warn(w);
    }
    let prompter = match prompt::why_not_interactive(args.yes) {
        Some(why) => {
            printer.detail(&format!(
                "not asking: the detected values are taken ({why})"
            ));
            None
        }
        None => Some(Prompter::new(printer.color)),
    };
    let choice = settle(&args, &det, prompter.as_ref(), printer)?;
    let (plan, left_out) = render_kit(&det, &choice)?;
    for w in &left_out {
        printer.warn(w);
    }
    let root = &args.path;
    // Existing files of the project are never replaced without --force. They
    // are read through the same bounded reader: one that is not a regular
    // file, or is over its cap, differs from what init writes.
    let existing: Vec<&PlannedFile> = plan
        .files
        .iter()
        .filter(|f| root.join(&f.path).exists())
        .collect();
    let old_text = |f: &PlannedFile| project.read(&f.path, Kind::of(&f.path));
    let changed: Vec<String> = existing
        .iter()
        .filter(|f| match old_text(f) {
            Contents::Text(t) => t.as_bytes() != &*f.contents,
            _ => true,
        })
        .map(|f| f.path.clone())
        .collect();

    if !args.json {
        printer.info(&detection_summary(&det, &choice));
        if choice.gunicorn_added {
            printer.info("gunicorn is not among the project's dependencies: the Dockerfile installs it pinned (the dependency files are not edited).");
        }
        if let Some(p) = &choice.setuptools_for {
            printer.info(&format!(
                "{} imports pkg_resources, {SETUPTOOLS_WHY}: the Dockerfile installs {SETUPTOOLS}.",
                escape(&p.at())
            ));
        }
    }
    let files_json = |written: bool| -> Vec<serde_json::Value> {
        plan.files
            .iter()
            .map(|f| {
                let state = if changed.contains(&f.path) {
                    "replaced"
                } else if existing.iter().any(|e| e.path == f.path) {
                    "unchanged"
                } else {
                    "new"
                };
                json!({"path": f.path, "bytes": f.contents.len(), "state": state, "written": written && state != "unchanged"})
            })
            .collect()
    };
    let result = |dry: bool, written: bool| {
        let doc = json!({
            "path": std::path::absolute(root).unwrap_or(root.clone()),
            "dry_run": dry,
            "detection": det,
            "chosen": {
                "entry": choice.entry, "port": choice.port, "base_image": choice.base_image, "health": choice.health,
                "image": choice.image, "migrate": choice.migrate, "gunicorn_added": choice.gunicorn_added, "setuptools_added": choice.setuptools_for.is_some(),
            },
            "files": files_json(written),
        });
        format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        )
    };

    if args.dry_run {
        if args.json {
            present::stdout(&result(true, false));
            return Ok(());
        }
        let mut out = String::new();
        for f in &plan.files {
            let new = String::from_utf8_lossy(&f.contents);
            if changed.contains(&f.path) {
                match old_text(f) {
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
                }
            } else if existing.iter().any(|e| e.path == f.path) {
                out.push_str(&format!("=== {} (unchanged)\n", f.path));
            } else {
                out.push_str(&format!(
                    "=== {} (new, {} bytes)\n",
                    f.path,
                    f.contents.len()
                ));
                out.push_str(&escape_keep_lines(&new));
            }
        }
        present::stdout(&out);
        printer.info(&format!(
            "dry run: {} files; nothing was written",
            plan.files.len()
        ));
        return Ok(());
    }
    if !changed.is_empty() && !args.force {
        bail!(
            "{} already {} in {} with other contents; flaskgen init never changes a project's files: --dry-run shows the differences, --force replaces them",
            changed.join(", "),
            if changed.len() == 1 { "exists" } else { "exist" },
            escape(&root.display().to_string())
        );
    }
    if let Some(p) = &prompter {
        let ok = p.confirm(&format!(
            "Write {} files into {}?",
            plan.files.len(),
            root.display()
        ))?;
        if !ok {
            bail!("cancelled; nothing was written");
        }
    }
    let outcome = write::write(&plan, root, true)?;
    // One line per file: a replaced file is also among those written.
    for (p, _) in &outcome.files {
        let verb = if outcome.overwritten.contains(p) {
            "Replaced"
        } else {
            "Wrote"
        };
        printer.status(verb, &escape(&root.join(p).display().to_string()));
    }
    if args.json {
        present::stdout(&result(false, true));
    }
    printer.info(&format!(
        "\nNext: docker image build -t {0} {1} && docker container run --rm -p {2}:{2} {0}",
        choice.image,
        present::shell_quote(&root.display().to_string()),
        choice.port
    ));
    Ok(())
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
