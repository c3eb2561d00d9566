//! What every rule looks at, computed once per `check`: the Dockerfile's
//! stages with inheritance resolved (`FROM base AS dev` keeps base's ENV,
//! ARG, USER, WORKDIR, EXPOSE, HEALTHCHECK, ENTRYPOINT and CMD), `$VAR`
//! substitution from ENV/ARG, which stages ship (the final one, or compose's
//! `build.target`, and the stages it is built FROM), the command that really
//! starts (console scripts of the project included), the port it serves on, the compose service, the build context's
//! root entries, and what [`crate::inspect`] knows of the app.

use std::fs;

use super::compose::{self, Compose, Service};
use super::dockerfile::{self, Instruction};
use crate::dockerignore::Patterns;
use crate::files::{Contents, Kind, Project};
use crate::inspect::{python, Detection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Alpine,
    Debian,
    Unknown,
}

pub fn family_of(image: &str) -> Family {
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

/// A variable set by ENV or ARG, after substitution.
#[derive(Debug, Clone, PartialEq)]
pub struct Var {
    pub name: String,
    pub value: String,
    pub line: usize,
    /// `ENV` or `ARG`.
    pub keyword: &'static str,
}

#[derive(Debug, Clone)]
pub struct Stage {
    /// `AS` name, lower-case; empty when unnamed.
    pub name: String,
    /// The FROM image as written, with ARGs substituted (a stage name for an inheriting stage).
    pub image: String,
    /// The outside image at the root of the FROM chain: what the stage is made of.
    pub base: String,
    pub line: usize,
    /// The earlier stage this one is built FROM.
    pub parent: Option<usize>,
    pub family: Family,
    /// Indices into [`Context::ins`] of this stage's own instructions (FROM excluded).
    pub own: std::ops::Range<usize>,
    /// Its layers end up in the image that runs: the shipping stage and its parents.
    pub ships: bool,
    /// ENV then ARG values in effect at the end of the stage, inherited ones first.
    pub vars: Vec<Var>,
    pub user: Option<Instruction>,
    pub workdir: Option<Instruction>,
    pub healthcheck: Option<Instruction>,
    pub entrypoint: Option<Instruction>,
    pub cmd: Option<Instruction>,
    /// EXPOSE ports with their lines.
    pub expose: Vec<(u16, usize)>,
}

impl Stage {
    /// The ENV value of `name` (ARG values are not in the running container).
    pub fn env(&self, name: &str) -> Option<&Var> {
        self.vars
            .iter()
            .rev()
            .find(|v| v.keyword == "ENV" && v.name == name)
    }

    /// `$NAME`, `${NAME}`, `${NAME:-default}` replaced by ENV/ARG values.
    pub fn subst(&self, s: &str) -> String {
        subst(s, &self.vars)
    }
}

/// The command the container starts with.
#[derive(Debug, Clone, Default)]
pub struct Start {
    /// ENTRYPOINT + CMD words, wrappers (`sh -c`, `exec`, an entrypoint script
    /// that ends in `exec "$@"`, `gosu user`, `tini --`) taken off.
    pub words: Vec<String>,
    /// The line of the CMD or ENTRYPOINT that says it.
    pub line: usize,
    /// The program's file name: `gunicorn`, `python3`, `flask`.
    pub program: String,
    /// `flask run`, also as `python -m flask run`, or `SCRIPT run` where
    /// SCRIPT is a console script of the project whose function is a FlaskGroup.
    pub flask_run: bool,
    /// Where that FlaskGroup is defined (`file:line`), when the start is a console script.
    pub flask_group: Option<String>,
    /// The Python file `python X.py` or `python -m pkg` runs, or the module
    /// of a console script of the project.
    pub script: Option<String>,
    /// The app.run()-like call the start command reaches: in the script, in
    /// `pkg/__main__.py`, or in a project module the script imports.
    pub dev_run: Option<(String, python::RunCall)>,
    /// The non-root user an entrypoint script or wrapper drops to, or the
    /// uid a uWSGI server runs its workers as (`--uid`, its ini file's `uid`).
    pub drops_to: Option<String>,
}

/// What the Dockerfile read gave.
#[derive(Debug, Clone)]
pub enum Source {
    Text,
    Missing,
    /// Not audited, with the reason.
    Skipped(String),
}

pub struct Context<'a> {
    pub project: &'a Project,
    pub det: &'a Detection,
    /// The Dockerfile, relative to the project root.
    pub df: String,
    pub source: Source,
    pub ins: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// The stage that runs: compose's `build.target`, else the last.
    pub target: Option<usize>,
    pub compose: Option<Compose>,
    /// The compose service built from this project (the one with the target,
    /// else the first that builds, else the first).
    pub service: Option<Service>,
    pub start: Start,
    /// The port the app serves on, and what says so.
    pub serving: Option<(u16, String)>,
    pub dockerignore: Option<Patterns>,
    /// Root entries of the build context that matter: `.git`, virtualenvs
    /// (`false`), secrets files (`true`).
    pub present: Vec<(String, bool)>,
}

/// A RUN's shell text: its arguments and heredoc bodies.
pub fn run_text(x: &Instruction) -> String {
    format!("{} {}", x.args, x.heredoc)
}

/// The simple commands of a RUN's text (split at `&&`, `;`, `|`, newlines),
/// each as words, leading `VAR=value` assignments kept.
pub fn commands(run: &str) -> Vec<Vec<&str>> {
    run.split(['&', ';', '|', '\n'])
        .map(|p| p.split_whitespace().collect::<Vec<_>>())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A package-manager call in a RUN's text: `apk`, `apt-get` or `apt`, its
/// subcommand (`add`, `install`, `update`) and the words after the program.
pub struct PackageCall<'t> {
    pub prog: &'t str,
    pub sub: &'t str,
    pub rest: Vec<&'t str>,
}

pub fn package_calls(run: &str) -> Vec<PackageCall<'_>> {
    commands(run)
        .into_iter()
        .filter_map(|words| {
            // The command word: after `VAR=value`, `sudo`, `then`... only.
            let pos = words.iter().position(|w| {
                !w.contains('=')
                    && !matches!(
                        *w,
                        "sudo" | "env" | "exec" | "then" | "do" | "else" | "(" | "{"
                    )
            })?;
            if !matches!(words[pos], "apk" | "apt-get" | "apt") {
                return None;
            }
            let rest = words[pos + 1..].to_vec();
            let sub = rest
                .iter()
                .find(|w| !w.starts_with('-'))
                .copied()
                .unwrap_or("");
            Some(PackageCall {
                prog: words[pos],
                sub,
                rest,
            })
        })
        .collect()
}

/// Env values an instruction sets: `ENV A=1 B=2` and the legacy `ENV A 1`;
/// `ARG A` (no default) gives an empty value.
pub fn pairs(ins: &Instruction) -> Vec<(String, String)> {
    let a = ins.args.trim();
    if ins.keyword == "ENV"
        && a.split_whitespace()
            .next()
            .is_some_and(|w| !w.contains('='))
    {
        return a
            .split_once(char::is_whitespace)
            .map(|(k, v)| vec![(k.to_string(), unquote(v.trim()).to_string())])
            .unwrap_or_default();
    }
    shell_words(a)
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (w, String::new()),
        })
        .collect()
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Words split on whitespace outside quotes, quotes removed.
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                any = true;
            }
            None if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            None => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push(cur);
    }
    out
}

/// `$NAME`, `${NAME}`, `${NAME:-default}` replaced from `vars` (the last
/// setting wins); unknown names are left as written.
pub fn subst(s: &str, vars: &[Var]) -> String {
    let get = |n: &str| vars.iter().rev().find(|v| v.name == n).map(|v| &v.value);
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(body) = after.strip_prefix('{') {
            if let Some(end) = body.find('}') {
                let inner = &body[..end];
                let (name, default) = match inner.split_once(":-") {
                    Some((n, d)) => (n, Some(d)),
                    None => (inner, None),
                };
                match (get(name).filter(|v| !v.is_empty()), default) {
                    (Some(v), _) => out.push_str(v),
                    (None, Some(d)) => out.push_str(d),
                    (None, None) => out.push_str(&rest[i..i + 2 + end + 1]),
                }
                rest = &body[end + 1..];
                continue;
            }
        }
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        match get(&after[..len]) {
            Some(v) if len > 0 => out.push_str(v),
            _ => out.push_str(&rest[i..i + 1 + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// The stages of parsed instructions, inheritance resolved; `target` names
/// the stage that runs (else the last).
pub fn stages(ins: &[Instruction], target: Option<&str>) -> (Vec<Stage>, Option<usize>) {
    let mut global: Vec<Var> = Vec::new();
    let mut stages: Vec<Stage> = Vec::new();
    let mut i = 0;
    while i < ins.len() && ins[i].keyword != "FROM" {
        if ins[i].keyword == "ARG" {
            for (k, v) in pairs(&ins[i]) {
                let value = subst(&v, &global);
                global.push(Var {
                    name: k,
                    value,
                    line: ins[i].line,
                    keyword: "ARG",
                });
            }
        }
        i += 1;
    }
    while i < ins.len() {
        let from = &ins[i];
        let words = shell_words(&from.args);
        let image = subst(words.first().map_or("", |s| s.as_str()), &global);
        let name = match words.as_slice() {
            [_, a, n, ..] if a.eq_ignore_ascii_case("as") => n.to_ascii_lowercase(),
            _ => String::new(),
        };
        let end = ins[i + 1..]
            .iter()
            .position(|x| x.keyword == "FROM")
            .map_or(ins.len(), |p| i + 1 + p);
        let parent = stages
            .iter()
            .rposition(|s| !s.name.is_empty() && s.name == image.to_ascii_lowercase());
        let mut st = match parent {
            Some(p) => Stage {
                name,
                image: image.clone(),
                line: from.line,
                parent,
                own: i + 1..end,
                ships: false,
                ..stages[p].clone()
            },
            None => Stage {
                name,
                family: family_of(&image),
                base: image.clone(),
                image,
                line: from.line,
                parent: None,
                own: i + 1..end,
                ships: false,
                vars: vec![],
                user: None,
                workdir: None,
                healthcheck: None,
                entrypoint: None,
                cmd: None,
                expose: vec![],
            },
        };
        for x in &ins[i + 1..end] {
            match x.keyword.as_str() {
                "ENV" | "ARG" => {
                    for (k, v) in pairs(x) {
                        // An ARG without a value takes the global one (declared before FROM).
                        let value = if x.keyword == "ARG" && v.is_empty() {
                            global
                                .iter()
                                .rev()
                                .find(|g| g.name == k)
                                .map(|g| g.value.clone())
                                .unwrap_or_default()
                        } else {
                            subst(&v, &st.vars)
                        };
                        st.vars.push(Var {
                            name: k,
                            value,
                            line: x.line,
                            keyword: if x.keyword == "ENV" { "ENV" } else { "ARG" },
                        });
                    }
                }
                "USER" => st.user = Some(x.clone()),
                "WORKDIR" => st.workdir = Some(x.clone()),
                "HEALTHCHECK" => st.healthcheck = Some(x.clone()),
                "ENTRYPOINT" => {
                    // A new ENTRYPOINT resets the CMD it inherited.
                    st.entrypoint = Some(x.clone());
                    if st.cmd.as_ref().is_some_and(|c| c.line < from.line) {
                        st.cmd = None;
                    }
                }
                "CMD" => st.cmd = Some(x.clone()),
                "EXPOSE" => {
                    let args = st.subst(&x.args);
                    st.expose.extend(
                        args.split_whitespace()
                            .filter_map(|p| p.split('/').next()?.parse().ok())
                            .map(|p| (p, x.line)),
                    );
                }
                _ => {}
            }
        }
        stages.push(st);
        i = end;
    }
    let target = target
        .and_then(|t| {
            let t = t.to_ascii_lowercase();
            stages.iter().position(|s| s.name == t)
        })
        .or_else(|| stages.len().checked_sub(1));
    let mut at = target;
    while let Some(s) = at {
        stages[s].ships = true;
        at = stages[s].parent;
    }
    (stages, target)
}

/// The words of the command a shell line ends with, the one that keeps
/// running: `flask db upgrade && exec gunicorn app:app` → `exec gunicorn app:app`.
fn last_command(line: &str) -> Vec<String> {
    line.split("&&")
        .flat_map(|p| p.split(';'))
        .map(shell_words)
        .filter(|w| !w.is_empty())
        .last()
        .unwrap_or_default()
}

/// Programs that hand over to the next words: `exec X`, `gosu user X`,
/// `tini -- X`. Returns the words left and the user dropped to, if any.
fn strip_wrappers(mut w: Vec<String>) -> (Vec<String>, Option<String>) {
    let mut user = None;
    loop {
        let base = w
            .first()
            .map(|p| p.rsplit('/').next().unwrap_or("").to_string())
            .unwrap_or_default();
        match base.as_str() {
            "exec" | "dumb-init" => {
                w.remove(0);
            }
            "tini" | "tini-static" => {
                let skip = w.iter().position(|x| x == "--").map_or(1, |p| p + 1);
                w.drain(..skip);
            }
            "gosu" | "su-exec" if w.len() >= 3 => {
                user = Some(w[1].clone());
                w.drain(..2);
            }
            "setpriv" => {
                user = w
                    .iter()
                    .find_map(|x| x.strip_prefix("--reuid=").map(String::from))
                    .or(user);
                let skip = w
                    .iter()
                    .skip(1)
                    .position(|x| !x.starts_with('-'))
                    .map_or(w.len(), |p| p + 1);
                w.drain(..skip);
            }
            "sh" | "bash" if w.get(1).is_some_and(|f| f == "-c") && w.len() >= 3 => {
                w = last_command(&w[2..].join(" "));
            }
            _ => return (w, user),
        }
    }
}

fn is_root(user: &str) -> bool {
    let who = user.split(':').next().unwrap_or("").trim();
    who == "root" || who == "0"
}

/// The user an entrypoint script drops privileges to (`exec gosu app "$@"`,
/// `su-exec`, `setpriv --reuid=`, `su -c ... user`, `runuser -u`), if any.
pub fn script_drops_to(script: &str) -> Option<String> {
    for line in script.lines() {
        let words = shell_words(line.trim());
        for (i, w) in words.iter().enumerate() {
            let base = w.rsplit('/').next().unwrap_or("");
            let user = match base {
                "gosu" | "su-exec" => words.get(i + 1).cloned(),
                "setpriv" => words[i..]
                    .iter()
                    .find_map(|x| x.strip_prefix("--reuid=").map(String::from)),
                "runuser" => words[i..]
                    .windows(2)
                    .find(|p| p[0] == "-u")
                    .map(|p| p[1].clone()),
                "su" => match (words.get(i + 1), words[i..].iter().position(|x| x == "-c")) {
                    (_, None) => None,
                    // su USER -c CMD
                    (Some(u), Some(_)) if !u.starts_with('-') => Some(u.clone()),
                    // su -c CMD USER
                    (_, Some(c)) => words.get(i + c + 2).cloned(),
                },
                _ => None,
            };
            if let Some(u) = user.filter(|u| !u.starts_with('-') && !is_root(u)) {
                return Some(u);
            }
        }
    }
    None
}

/// The project modules a Python file in folder `dir` may import, as paths
/// without `.py`: `from a.b import c` and `import a` give `a/b` and `a` (and
/// the same under `dir`, where the script's own folder is on sys.path);
/// `from .cli import main` gives `dir/cli`, `from . import web` gives `dir`
/// and `dir/web`, `from ..x import y` looks one folder up.
fn imports(text: &str, dir: &str) -> Vec<String> {
    let join = |a: &str, b: &str| match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    };
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(r) = t.strip_prefix("from ") {
            let mut w = r.split_whitespace();
            let Some(m) = w.next() else { continue };
            let rest = m.trim_start_matches('.');
            let dots = m.len() - rest.len();
            let path = rest.replace('.', "/");
            if dots == 0 {
                out.push(path.clone());
                out.push(join(dir, &path));
                continue;
            }
            let mut base = dir.to_string();
            for _ in 1..dots {
                base = base.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            }
            out.push(join(&base, &path));
            if rest.is_empty() && w.next() == Some("import") {
                // `from . import a, b`: the names may be modules.
                let names = w.collect::<Vec<_>>().join(" ");
                out.extend(
                    names
                        .split(',')
                        .filter_map(|n| n.split_whitespace().next())
                        .map(|n| join(&base, n.trim_matches(['(', ')']))),
                );
            }
        } else if let Some(r) = t.strip_prefix("import ") {
            for m in r.split(',').filter_map(|m| m.split_whitespace().next()) {
                let path = m.replace('.', "/");
                out.push(join(dir, &path));
                out.push(path);
            }
        }
    }
    out.retain(|m| !m.is_empty() || dir.is_empty());
    out.dedup();
    out
}

/// Whether `func` in a module's text is a Click group of class FlaskGroup
/// (`@click.group(cls=FlaskGroup)` over `def func`, or `func = FlaskGroup(...)`):
/// the line saying so.
fn flask_group_line(text: &str, func: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if t.starts_with(&format!("{func} = FlaskGroup("))
            || t.starts_with(&format!("{func}=FlaskGroup("))
        {
            return Some(i + 1);
        }
        if t.starts_with(&format!("def {func}(")) {
            let decorated = lines[..i]
                .iter()
                .rev()
                // Its decorators: `@...` lines and the indented or `)` lines
                // continuing them.
                .take_while(|d| {
                    d.starts_with('@') || (d.starts_with([' ', '\t', ')']) && !d.trim().is_empty())
                })
                .any(|d| d.contains("FlaskGroup"));
            if decorated {
                return Some(i + 1);
            }
        }
    }
    None
}

/// The uid a uWSGI ini file's `[uwsgi]` section runs the workers as.
pub fn uwsgi_uid(ini: &str) -> Option<String> {
    let mut in_uwsgi = false;
    for line in ini.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_uwsgi = t == "[uwsgi]";
        } else if let Some((k, v)) = t.split_once('=').filter(|_| in_uwsgi) {
            if k.trim() == "uid" {
                return Some(v.trim().to_string());
            }
        }
    }
    None
}

/// Calls to a server's `run()` in `file` (a project path, or a base name matched anywhere).
fn runs_in<'d>(det: &'d Detection, file: &str) -> Vec<&'d (String, python::RunCall)> {
    let file = file.trim_start_matches("./").trim_start_matches('/');
    let exact: Vec<_> = det.runs.iter().filter(|(f, _)| f == file).collect();
    if !exact.is_empty() {
        return exact;
    }
    let base = file.rsplit('/').next().unwrap_or(file);
    det.runs
        .iter()
        .filter(|(f, _)| f == base || f.ends_with(&format!("/{base}")))
        .collect()
}

impl<'a> Context<'a> {
    /// Reads the Dockerfile, compose file and .dockerignore of `project`.
    pub fn new(project: &'a Project, det: &'a Detection, df: &str) -> Context<'a> {
        let (source, ins) = match project.read(df, Kind::Dockerfile) {
            Contents::Text(t) => (Source::Text, dockerfile::parse(&t)),
            Contents::Missing => (Source::Missing, vec![]),
            Contents::Skipped(why) => (Source::Skipped(why.reason()), vec![]),
        };
        let compose = compose::read(project);
        let service = compose.as_ref().and_then(|c| {
            c.services
                .iter()
                .find(|s| s.target.is_some())
                .or(c.services.iter().find(|s| s.builds))
                .or(c.services.first())
                .cloned()
        });
        let (stages, target) = stages(&ins, service.as_ref().and_then(|s| s.target.as_deref()));
        let mut ctx = Context {
            project,
            det,
            df: df.to_string(),
            source,
            ins,
            stages,
            target,
            compose,
            service,
            start: Start::default(),
            serving: None,
            dockerignore: project
                .text(".dockerignore", Kind::Config)
                .map(|t| Patterns::parse(&t)),
            present: present(project),
        };
        ctx.start = ctx.start_command();
        ctx.serving = ctx.serving_port();
        ctx
    }

    /// The stage that runs.
    pub fn shipping(&self) -> Option<&Stage> {
        self.target.map(|t| &self.stages[t])
    }

    /// How messages name a stage: "the final stage" or "stage `dev`".
    pub fn stage_label(&self, s: &Stage) -> String {
        if self.stages.last().is_some_and(|l| l.line == s.line) {
            "the final stage".into()
        } else if s.name.is_empty() {
            format!("the stage at line {}", s.line)
        } else {
            format!("stage `{}`", s.name)
        }
    }

    /// What messages add about a shipping stage that is not the last one
    /// (chosen by compose's `build.target`): ` (stage `dev`)`; nothing for the last.
    pub fn stage_note(&self, s: &Stage) -> String {
        if self.stages.last().is_some_and(|l| l.line == s.line) {
            String::new()
        } else {
            format!(" ({})", self.stage_label(s))
        }
    }

    /// Own instructions of every stage whose layers ship, with their stage.
    pub fn shipped(&self) -> impl Iterator<Item = (&Stage, &Instruction)> {
        self.stages
            .iter()
            .filter(|s| s.ships)
            .flat_map(move |s| self.ins[s.own.clone()].iter().map(move |x| (s, x)))
    }

    /// Own instructions of every stage, with their stage.
    pub fn all(&self) -> impl Iterator<Item = (&Stage, &Instruction)> {
        self.stages
            .iter()
            .flat_map(move |s| self.ins[s.own.clone()].iter().map(move |x| (s, x)))
    }

    /// The project file a path in the image most likely comes from: the
    /// path itself, a COPY source whose destination is it, or its base name.
    fn project_file(&self, in_image: &str) -> Option<String> {
        let rel = in_image.trim_start_matches("./").trim_start_matches('/');
        let base = in_image.rsplit('/').next().unwrap_or(in_image);
        let mut candidates = vec![rel.to_string(), base.to_string()];
        for x in &self.ins {
            if x.keyword == "COPY" && !x.flags.iter().any(|f| f.starts_with("from=")) {
                let w = x.words();
                if let [srcs @ .., dest] = w.as_slice() {
                    let srcs = srcs.iter().map(|s| s.trim_start_matches("./"));
                    if dest.ends_with(&format!("/{base}")) || dest == in_image {
                        candidates.extend(srcs.map(String::from));
                    } else if dest.ends_with('/') || dest == "." {
                        // Into a folder: the source keeps its name.
                        candidates.extend(
                            srcs.filter(|s| s.rsplit('/').next() == Some(base))
                                .map(String::from),
                        );
                    }
                }
            }
        }
        candidates.into_iter().find(|c| self.project.is_file(c))
    }

    fn start_command(&self) -> Start {
        let Some(st) = self.shipping() else {
            return Start::default();
        };
        let (ep, cmd) = (st.entrypoint.as_ref(), st.cmd.as_ref());
        let mut words: Vec<String> = Vec::new();
        let mut line = cmd.or(ep).map_or(0, |x| x.line);
        let mut drops_to = None;
        if let Some(e) = ep {
            words.extend(e.words());
            line = e.line;
            // An entrypoint script: look inside for a privilege drop; its
            // `exec "$@"` hands over to CMD.
            if let Some(first) = words
                .first()
                .filter(|w| w.ends_with(".sh") || (w.contains('/') && !w.starts_with("/usr/")))
            {
                if let Some(f) = self.project_file(first) {
                    if let Some(text) = self.project.text(&f, Kind::Config) {
                        drops_to = script_drops_to(&text);
                        words.remove(0);
                    }
                }
            }
        }
        if let Some(c) = cmd {
            if ep.is_none_or(|e| e.exec.is_some()) {
                words.extend(c.words());
            }
            line = line.max(c.line);
        }
        // Shell form runs under `sh -c`: the last command is the one that stays.
        if [ep, cmd].into_iter().flatten().any(|x| x.exec.is_none()) {
            words = last_command(&words.join(" "));
        }
        let words: Vec<String> = words.iter().map(|w| st.subst(w)).collect();
        let (words, wrapped_user) = strip_wrappers(words);
        let drops_to = drops_to.or(wrapped_user.filter(|u| !is_root(u)));
        let words: Vec<String> = words.into_iter().skip_while(|w| w.contains('=')).collect();
        let mut program = words
            .first()
            .map(|p| p.rsplit('/').next().unwrap_or("").to_string())
            .unwrap_or_default();
        let mut flask_run = words
            .windows(2)
            .any(|w| w[0].ends_with("flask") && w[1] == "run");
        let mut flask_group = None;
        let mut script = None;
        let mut as_main = true;
        if program.starts_with("python") {
            let m = words
                .windows(2)
                .find(|w| w[0] == "-m")
                .map(|w| w[1].clone());
            match m {
                Some(m) if super::SERVERS.iter().any(|(p, _)| *p == m) => program = m,
                Some(m) if m != "flask" => {
                    let path = m.replace('.', "/");
                    let main = format!("{path}/__main__.py");
                    script = Some(if self.project.is_file(&main) {
                        main
                    } else {
                        format!("{path}.py")
                    });
                }
                Some(_) => {}
                None => script = words.iter().skip(1).find(|w| w.ends_with(".py")).cloned(),
            }
        } else if let Some((file, func)) = Some(&program)
            .filter(|p| !p.is_empty() && !super::SERVERS.iter().any(|(s, _)| s == *p))
            .and_then(|p| self.console_script(p))
        {
            // A FlaskGroup's `run` is `flask run`; another script's function
            // may reach a run() call.
            let group = self
                .project
                .text(&file, Kind::Python)
                .and_then(|t| flask_group_line(&t, &func));
            match group {
                Some(l) => {
                    flask_run |= words.get(1).is_some_and(|w| w == "run");
                    flask_group = Some(format!("{file}:{l}"));
                }
                None => {
                    script = Some(file);
                    as_main = false;
                }
            }
        }
        let dev_run = script.as_ref().and_then(|s| self.run_reached(s, as_main));
        let drops_to = drops_to.or_else(|| self.uwsgi_drops_to(st, &program, &words));
        Start {
            words,
            line,
            program,
            flask_run,
            flask_group,
            script,
            dev_run,
            drops_to,
        }
    }

    /// The run() call starting `script` reaches: its own (outside its
    /// `if __name__ == "__main__":` block when `as_main` is false: a console
    /// script imports the module), else one at module level or in a
    /// function of a project module it imports.
    fn run_reached(&self, script: &str, as_main: bool) -> Option<(String, python::RunCall)> {
        if let Some(r) = runs_in(self.det, script)
            .into_iter()
            .find(|(_, r)| as_main || !r.in_main_block)
        {
            return Some(r.clone());
        }
        let rel = script.trim_start_matches("./").trim_start_matches('/');
        let text = self.project.text(rel, Kind::Python)?;
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        for m in imports(&text, dir) {
            for file in [format!("{m}.py"), format!("{m}/__init__.py")] {
                let file = file.trim_start_matches('/');
                if file == rel {
                    continue;
                }
                if let Some((f, r)) = self
                    .det
                    .runs
                    .iter()
                    .find(|(f, r)| f == file && !r.in_main_block)
                {
                    return Some((f.clone(), r.clone()));
                }
            }
        }
        None
    }

    /// A console script of the project (setup.py, setup.cfg, pyproject.toml)
    /// named `program`: the module file and function it runs.
    fn console_script(&self, program: &str) -> Option<(String, String)> {
        let target = crate::inspect::once::console_scripts(self.project).remove(program)?;
        let (module, func) = target.split_once(':')?;
        let path = module.replace('.', "/");
        let file = [format!("{path}.py"), format!("{path}/__init__.py")]
            .into_iter()
            .flat_map(|f| [f.clone(), format!("src/{f}")])
            .find(|f| self.project.is_file(f))?;
        Some((file, func.trim().to_string()))
    }

    /// The user a uWSGI server started here drops its workers to: `--uid`,
    /// or `uid` in its ini file (`--ini F`, `F.ini`; for the base image's own
    /// start, $UWSGI_INI or uwsgi.ini, as uwsgi-nginx images read it).
    fn uwsgi_drops_to(&self, st: &Stage, program: &str, words: &[String]) -> Option<String> {
        let ini = if program == "uwsgi" {
            if let Some(u) = words
                .windows(2)
                .find(|w| w[0] == "--uid")
                .map(|w| w[1].clone())
                .or_else(|| {
                    words
                        .iter()
                        .find_map(|w| w.strip_prefix("--uid=").map(String::from))
                })
            {
                return Some(u).filter(|u| !is_root(u));
            }
            words
                .windows(2)
                .find(|w| w[0] == "--ini")
                .map(|w| w[1].clone())
                .or_else(|| words.iter().find(|w| w.ends_with(".ini")).cloned())?
        } else if words.is_empty() && (st.env("UWSGI_INI").is_some() || st.base.contains("uwsgi")) {
            st.env("UWSGI_INI")
                .map_or("uwsgi.ini".to_string(), |v| v.value.clone())
        } else {
            return None;
        };
        let file = self.project_file(&ini)?;
        let uid = uwsgi_uid(&self.project.text(&file, Kind::Config)?)?;
        Some(uid).filter(|u| !is_root(u))
    }

    /// Whether the run() call at `file:line` passes a port (a keyword, or a
    /// second positional argument), read from its source line.
    fn run_names_a_port(&self, file: &str, line: usize) -> bool {
        self.project
            .text(file, Kind::Python)
            .and_then(|t| {
                let l = t.lines().nth(line.checked_sub(1)?)?;
                let args = &l[l.find(".run(")? + 5..];
                Some(
                    args.contains("port")
                        || args.split(',').nth(1).is_some_and(|a| !a.contains('=')),
                )
            })
            .unwrap_or(false)
    }

    fn serving_port(&self) -> Option<(u16, String)> {
        let st = self.shipping()?;
        let (df, s) = (&self.df, &self.start);
        let env_port = || st.env("PORT").and_then(|v| v.value.parse::<u16>().ok());
        if s.flask_run {
            let port = s
                .words
                .windows(2)
                .find(|w| w[0] == "--port" || w[0] == "-p")
                .and_then(|w| w[1].parse().ok())
                .or_else(|| {
                    s.words
                        .iter()
                        .find_map(|w| w.strip_prefix("--port=")?.parse().ok())
                })
                .or_else(|| st.env("FLASK_RUN_PORT").and_then(|v| v.value.parse().ok()))
                .unwrap_or(5000);
            return Some((port, format!("`flask run` at {df}:{}", s.line)));
        }
        if let Some((file, run)) = &s.dev_run {
            // `port=port` (a variable) is not known here; no port at all is 5000.
            let port = match run.port {
                Some(p) => p,
                None if self.run_names_a_port(file, run.line) => return None,
                None => 5000,
            };
            return Some((port, format!("app.run() at {file}:{}", run.line)));
        }
        if s.program != "gunicorn" {
            return None;
        }
        let flag = s
            .words
            .windows(2)
            .find(|w| w[0] == "--bind" || w[0] == "-b")
            .map(|w| w[1].clone())
            .or_else(|| {
                s.words
                    .iter()
                    .find_map(|w| w.strip_prefix("--bind=").map(String::from))
            });
        if let Some(b) = flag {
            let p = if b.contains('$') {
                env_port()
            } else {
                b.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
            };
            return p.map(|p| (p, format!("gunicorn --bind {b} at {df}:{}", s.line)));
        }
        let conf = s
            .words
            .windows(2)
            .find(|w| w[0] == "--config" || w[0] == "-c")
            .map(|w| w[1].trim_start_matches("python:").to_string())
            .unwrap_or_else(|| "gunicorn.conf.py".into());
        let conf_rel = conf.trim_start_matches("./").to_string();
        let bind = self
            .project
            .text(&conf_rel, Kind::Python)
            .and_then(|t| python::facts(&t, &conf_rel))
            .and_then(|f| f.bind);
        match bind {
            Some(b) => {
                let p = match b.env_port_default {
                    Some(default) => env_port().or(default),
                    None => b.literal_port,
                };
                p.map(|p| (p, format!("bind in {conf_rel}:{}", b.line)))
            }
            None => Some((
                env_port().unwrap_or(8000),
                "gunicorn's default bind (or $PORT)".into(),
            )),
        }
    }
}

/// Root entries of the build context that must stay out: `.git` and
/// virtualenvs (`false`), secrets files (`true`).
fn present(project: &Project) -> Vec<(String, bool)> {
    let root = project.root();
    let mut present = Vec::new();
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
    present
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inheritance_substitution_and_target() {
        let ins = dockerfile::parse("ARG PY=3.12\nFROM python:${PY}-slim AS base\nENV PORT=8000\nEXPOSE ${PORT}\nCMD [\"flask\", \"run\"]\nFROM base AS dev\nUSER 1000\nFROM base AS prod\nENTRYPOINT [\"x\"]\n");
        let (st, target) = stages(&ins, None);
        assert_eq!(st[0].image, "python:3.12-slim");
        assert_eq!(st[0].expose, vec![(8000, 4)]);
        assert_eq!(st[1].parent, Some(0));
        assert_eq!(st[1].expose, vec![(8000, 4)]);
        assert!(st[1].cmd.is_some());
        // A new ENTRYPOINT drops the inherited CMD.
        assert!(st[2].cmd.is_none());
        assert_eq!(target, Some(2));
        assert!(st[0].ships && !st[1].ships && st[2].ships);
        let (st, target) = stages(&ins, Some("dev"));
        assert_eq!(target, Some(1));
        assert!(st[1].ships && !st[2].ships);
    }

    #[test]
    fn substitution_forms() {
        let v = |n: &str, val: &str| Var {
            name: n.into(),
            value: val.into(),
            line: 1,
            keyword: "ENV",
        };
        let vars = [v("A", "1"), v("B", "")];
        assert_eq!(subst("$A ${A} ${B:-2} ${C:-3} $C", &vars), "1 1 2 3 $C");
    }

    #[test]
    fn the_command_a_shell_line_ends_with() {
        assert_eq!(
            strip_wrappers(vec![
                "/bin/sh".into(),
                "-c".into(),
                "flask db upgrade && exec gunicorn -b :8000 app:app".into()
            ])
            .0,
            ["gunicorn", "-b", ":8000", "app:app"]
        );
        assert_eq!(last_command("cd /app; python app.py"), ["python", "app.py"]);
    }

    #[test]
    fn privilege_drops_in_scripts() {
        for (script, user) in [
            ("#!/bin/sh\nexec su-exec app \"$@\"\n", Some("app")),
            ("exec gosu 10001:10001 \"$@\"\n", Some("10001:10001")),
            (
                "exec setpriv --reuid=1000 --regid=1000 --init-groups \"$@\"\n",
                Some("1000"),
            ),
            ("su -c \"gunicorn app:app\" appuser\n", Some("appuser")),
            ("su appuser -c 'gunicorn app:app'\n", Some("appuser")),
            ("exec gosu root \"$@\"\n", None),
            ("exec \"$@\"\n", None),
        ] {
            assert_eq!(script_drops_to(script).as_deref(), user, "{script}");
        }
    }
}
