//! What one Python file says about the app, read from its syntax tree
//! (rustpython-parser), never with regular expressions: Flask instances and
//! factories at module level (and functions returning another function's
//! call), `app.run(...)` calls, routes (with what they hang on, whether they
//! are registered at import, and the blueprints and prefixes), `--port`
//! options, ports and folders in config values (paths resolved from
//! `__file__` and `os.path.join`), imports, environment variables (required,
//! or optional when guarded by the environment, none on another platform), a
//! per-process secret key, Flask-WTF, Python 2 markers, imported health
//! blueprints, string enum members that name routes, and module state that
//! only a script's start sets while request handlers read it.

use rustpython_ast::Visitor;
use rustpython_parser::ast::{self, Constant, Expr, Ranged, Stmt};
use rustpython_parser::Parse;
use serde::Serialize;

/// Byte offsets to 1-based line numbers.
pub struct Lines(Vec<usize>);

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }
    pub fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AppKind {
    /// `app = Flask(__name__)` at module level.
    Instance,
    /// A top-level function that builds a Flask app and returns it.
    Factory,
    /// `app = create_app()` (or any call) at module level of a `wsgi.py`.
    Wsgi,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppDef {
    pub name: String,
    pub kind: AppKind,
    pub line: usize,
    /// A factory's arguments that have no default.
    pub required_args: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunCall {
    pub line: usize,
    pub port: Option<u16>,
    pub debug: bool,
    /// Inside `if __name__ == "__main__":`.
    pub in_main_block: bool,
    /// The top-level function it runs in (`main`), if any.
    pub in_function: Option<String>,
    /// A port that is no literal: the key it is read from (`PORT` of
    /// `config["PORT"]`, `port` of `args.port`), resolved by the caller.
    pub port_key: Option<String>,
}

/// A route registration: `@X.route("/p")`, `X.get("/p")`, `X.add_url_rule("/p", ...)`.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub path: String,
    pub line: usize,
    /// What it hangs on, dotted (`app`, `bp`, `api.bp`).
    pub on: String,
    /// Registered when the module is imported: not inside a function, nor
    /// in a `__main__` block (gunicorn runs neither).
    pub import_time: bool,
    /// The top-level function (or class) it is registered in.
    pub in_function: Option<String>,
    /// It answers GET (`route` without `methods`, or with GET; `get`).
    pub get: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PyFacts {
    pub apps: Vec<AppDef>,
    pub runs: Vec<RunCall>,
    /// Routes, with what they hang on.
    pub routes: Vec<Route>,
    /// `X = Blueprint(..., url_prefix="/p")`: (X, prefix, line).
    pub blueprints: Vec<(String, Option<String>, usize)>,
    /// `register_blueprint(X, url_prefix="/p")`: (X dotted, prefix, at import).
    pub registered: Vec<(String, Option<String>, bool)>,
    /// Members of a class whose members are their strings (`class
    /// Endpoint(str, Enum)`, or one whose `__str__` returns `self.value`):
    /// (Class.member, its string), for the routes of f-strings.
    pub str_members: Vec<(String, String)>,
    /// The health route of an imported health blueprint registered here
    /// (`register_blueprint(flask_healthz.healthz, url_prefix="/healthz")`
    /// → `/healthz/live`): (path, line).
    pub health_blueprints: Vec<(String, usize)>,
    /// The default of a `--port` option (click, argparse, optparse).
    pub port_options: Vec<(u16, usize)>,
    /// A literal port under a name or key holding `PORT` (`PORT = 8080`,
    /// `config["PORT"] = 8080`, `{"PORT": 8080}`): (KEY, port, line).
    pub config_ports: Vec<(String, u16, usize)>,
    /// Project folders named by upper-case config values (`*_FOLDER`,
    /// `*_DIR`, `*_ROOT`) or created with `os.makedirs`/`mkdir`, relative to
    /// the project (`os.path.join(os.path.dirname(__file__), "static")` →
    /// `pkg/static`): (folder, line).
    pub folders: Vec<(String, usize)>,
    /// Imports: (level of a relative import, module, names imported from it).
    pub imports: Vec<(u32, String, Vec<String>)>,
    /// A secret key made per process at start-up (`os.urandom`, `secrets.*`,
    /// `uuid4` at import, in a factory or in a function called at import).
    /// With the variable that overrides it, when the key is read from the
    /// environment first (`os.getenv("APP_SECRET_KEY") or os.urandom(24)`).
    pub random_secret: Option<(usize, Option<String>)>,
    /// Flask-WTF's CSRF protection imported (`flask_wtf`, `CSRFProtect`).
    pub csrf: Option<usize>,
    /// What only Python 2 has (`import urllib2`, the `.iteritems()` method,
    /// not a function of that name): (what, line).
    pub python2: Option<(String, usize)>,
    /// Top-level functions that return another function's call, not a Flask
    /// app of their own: (name, line, required args, the callee's name).
    pub returns_call: Vec<(String, usize, Vec<String>, String)>,
    /// Names of functions called in the `__main__` block.
    pub main_calls: Vec<String>,
    /// Names of functions (and classes) called at import time, at module level.
    pub import_calls: Vec<String>,
    /// Environment variables the app fails without: `os.environ["X"]` (a
    /// KeyError), `config.from_envvar("X")`, a default that a test rejects
    /// with a `raise` at start-up.
    pub required_env: Vec<(String, usize)>,
    /// Read with `os.getenv("X")`/`os.environ.get("X")` and no default (None
    /// when unset), or read only when the environment holds something.
    pub optional_env: Vec<(String, usize)>,
    /// `app.config.from_prefixed_env()` calls.
    pub prefixed_env: Vec<usize>,
    /// `sqlite:///...` strings.
    pub sqlite: Vec<(String, usize)>,
    /// `instance_relative_config=True` or an `instance_path`.
    pub instance: Option<usize>,
    /// `bind = ...` at module level (for gunicorn.conf.py): its string parts
    /// and the default of any `os.environ.get("PORT", ...)` in it.
    pub bind: Option<Bind>,
    /// Click commands: `@app.cli.command(...)`, `@group.command(...)`, `@click.command(...)`.
    pub commands: Vec<CliCommand>,
    /// A call that resolves the user's home directory (`appdirs.user_data_dir`,
    /// `platformdirs.user_cache_dir`, `os.path.expanduser("~...")`, `Path.home()`).
    pub home: Option<(String, usize)>,
    /// An `import pkg_resources` / `from pkg_resources import ...` outside a
    /// `__main__` block: setuptools provides it (82 removed it), and
    /// python:3.12+ images have no setuptools.
    pub pkg_resources: Option<usize>,
    /// Module state only a script's start sets while request code reads it.
    pub main_state: Vec<MainOnlyState>,
}

/// A command-line command the project defines with Click (Flask's CLI is Click).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CliCommand {
    /// The name it is typed as: the decorator's name, else the function's
    /// name lowercased with `_` → `-` (Click's rule).
    pub name: String,
    /// What the decorator hangs on, dotted: `app.cli`, `bp.cli`, `cli`, `click`.
    pub group: String,
    pub line: usize,
    /// Its `@click.argument("name")`s, in order.
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bind {
    pub line: usize,
    pub literal_port: Option<u16>,
    /// The bind reads `PORT` from the environment, with this default.
    pub env_port_default: Option<Option<u16>>,
}

/// Parses `source`; `None` when it is not valid Python.
pub fn facts(source: &str, path: &str) -> Option<PyFacts> {
    let suite = ast::Suite::parse(source, path).ok()?;
    let lines = Lines::new(source);
    let mut f = Collector {
        lines: &lines,
        facts: PyFacts::default(),
        in_main: false,
        in_function: None,
        optional_import: false,
        version_guarded: false,
        os_names: vec![],
        table_routes: vec![],
        in_class: None,
        slash_strings: vec![],
        env_guarded: false,
        off_platform: false,
        env_defaults: vec![],
        py2_methods: vec![],
        defined: vec![],
        secrets: vec![],
        rejected: vec![],
        file: path.to_string(),
        paths: vec![],
    };
    if source.contains("global ") || source.contains("__main__") {
        f.facts.main_state = main_only_state(&suite, &lines);
    }
    let is_wsgi = path.ends_with("wsgi.py");
    for stmt in &suite {
        f.top_level(stmt, is_wsgi);
    }
    for stmt in suite {
        f.visit_stmt(stmt);
    }
    f.finish();
    for (on, import_time, in_function) in std::mem::take(&mut f.table_routes) {
        for (path, line) in &f.slash_strings {
            f.facts.routes.push(Route {
                path: path.clone(),
                line: *line,
                on: on.clone(),
                import_time,
                in_function: in_function.clone(),
                get: true,
            });
        }
    }
    Some(f.facts)
}

/// Every string literal of `source` with its line; `None` when it is not valid Python.
pub fn strings(source: &str, path: &str) -> Option<Vec<(String, usize)>> {
    let suite = ast::Suite::parse(source, path).ok()?;
    let lines = Lines::new(source);
    struct Walk<'a>(&'a Lines, Vec<(String, usize)>);
    impl Visitor for Walk<'_> {
        fn visit_expr(&mut self, node: Expr) {
            if let Some(s) = str_const(&node) {
                self.1.push((s.to_string(), line_of(self.0, &node)));
            }
            self.generic_visit_expr(node);
        }
        fn visit_keyword(&mut self, node: ast::Keyword) {
            self.visit_expr(node.value);
        }
    }
    let mut w = Walk(&lines, vec![]);
    for s in suite {
        w.visit_stmt(s);
    }
    Some(w.1)
}

struct Collector<'a> {
    lines: &'a Lines,
    facts: PyFacts,
    in_main: bool,
    /// The top-level function being visited.
    in_function: Option<String>,
    /// Inside a `try:` whose handler catches a failed import (`except
    /// ImportError`, `ModuleNotFoundError`, `Exception` or bare): imports there are optional.
    optional_import: bool,
    /// Inside a branch on the Python version (`if sys.version_info[0] == 2:`,
    /// `if PY2:`, `six.PY2`): its Python 2 code is compatibility code.
    version_guarded: bool,
    /// `from os import environ, getenv [as x]`, `env = os.environ`: (os's name, local name).
    os_names: Vec<(String, String)>,
    /// `X.add_url_rule(rule, ...)` with a rule that is no literal: (X, at
    /// import, the function it is in).
    table_routes: Vec<(String, bool, Option<String>)>,
    /// The top-level class being visited: its methods' routes are its.
    in_class: Option<String>,
    /// `/...` strings inside tuples and lists: a table of routes' rules.
    slash_strings: Vec<(String, usize)>,
    /// Inside a branch that runs only when the environment holds something
    /// (`if "X" in os.environ:`, `if os.getenv("X"):`) or a `try:` that
    /// catches a KeyError (or the RuntimeError of `from_envvar`): what it
    /// reads with `os.environ["X"]` is optional.
    env_guarded: bool,
    /// Inside a branch that never runs on Linux (`if sys.platform == "win32":`).
    off_platform: bool,
    /// `NAME = os.getenv("X", default)`: (NAME, X, the default, line).
    env_defaults: Vec<(String, String, Option<Expr>, usize)>,
    /// `.iteritems()`-like method calls, kept unless the file defines the method.
    py2_methods: Vec<(String, usize)>,
    /// Names of the functions and methods this file defines.
    defined: Vec<String>,
    /// A per-process secret key: (line, overriding variable, the function it is made in).
    secrets: Vec<(usize, Option<String>, Option<String>)>,
    /// The file's path, relative to the project.
    file: String,
    /// Names and config keys given a folder of the project (`BASE_DIR =
    /// os.path.dirname(__file__)`, `config["STATIC"] = "static"`): (key, folder).
    paths: Vec<(String, String)>,
    /// Variables whose default a test rejects with a `raise`: (X, line, the
    /// function it is in).
    rejected: Vec<(String, usize, Option<String>)>,
}

/// The key a port is read from when it is no literal: `config["PORT"]` →
/// `PORT`, `args.port` → `port`, `settings.get("PORT")` → `PORT`.
fn port_key(e: &Expr) -> Option<String> {
    match e {
        Expr::Subscript(s) => str_const(&s.slice).map(str::to_string),
        Expr::Attribute(a) => Some(a.attr.to_string()),
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Call(c) => match dotted(&c.func).unwrap_or_default().as_str() {
            "int" | "str" => c.args.first().and_then(port_key),
            f if f.ends_with(".get") => c.args.first().and_then(str_const).map(str::to_string),
            _ => None,
        },
        _ => None,
    }
}

/// A folder relative to the working directory, as written (`uploads`,
/// `./data/files` → `data/files`); `None` for an absolute path, a `..`, a
/// URL, a template or anything that is no plain path.
fn relative_folder(s: &str) -> Option<String> {
    let s = s.trim().trim_start_matches("./").trim_end_matches('/');
    let plain = !s.is_empty()
        && !s.starts_with('/')
        && !s.starts_with('~')
        && s.split('/').all(|c| !c.is_empty() && c != ".." && c != ".")
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
    // Values of a sort or text direction are no folders.
    let direction = ["asc", "desc", "ascending", "descending", "ltr", "rtl"]
        .iter()
        .any(|d| s.eq_ignore_ascii_case(d));
    (plain && !direction).then(|| s.to_string())
}

/// A config name that holds a folder the app writes: `*_FOLDER`, `*_DIR`,
/// `*_ROOT`, `FS_ROOT`; not one of the code's own (static files,
/// templates, migrations, translations, the project's base).
fn folder_key(k: &str) -> bool {
    let k = k.to_ascii_uppercase();
    ["_FOLDER", "_DIR", "_ROOT", "_PATH_DIR"]
        .iter()
        .any(|s| k.ends_with(s))
        && ![
            "BASE",
            "PROJECT",
            "STATIC",
            "TEMPLATE",
            "MIGRATION",
            "LOCALE",
            "TRANSLATION",
            "ASSET",
            "SRC",
            "SOURCE",
            "APP_ROOT",
            "APPLICATION_ROOT",
            "MODULE",
            "PLUGIN",
            // A direction, not a directory: `sort_dir`, `ORDER_DIR`.
            "SORT",
            "ORDER",
        ]
        .iter()
        .any(|w| k.contains(w))
}

/// Whether an expression makes a new random value each process:
/// `os.urandom(...)`, `secrets.token_*()`, `uuid.uuid4()`, anywhere inside it.
fn per_process_random(e: &Expr) -> bool {
    struct Find(bool);
    impl Visitor for Find {
        fn visit_expr(&mut self, node: Expr) {
            if let Expr::Call(c) = &node {
                let f = dotted(&c.func).unwrap_or_default();
                if matches!(
                    f.as_str(),
                    "os.urandom"
                        | "urandom"
                        | "uuid.uuid4"
                        | "uuid4"
                        | "secrets.token_hex"
                        | "secrets.token_bytes"
                        | "secrets.token_urlsafe"
                        | "token_hex"
                        | "token_bytes"
                        | "token_urlsafe"
                ) {
                    self.0 = true;
                }
            }
            self.generic_visit_expr(node);
        }
        fn visit_keyword(&mut self, node: ast::Keyword) {
            self.visit_expr(node.value);
        }
    }
    let mut f = Find(false);
    f.visit_expr(e.clone());
    f.0
}

fn line_of(lines: &Lines, node: &impl Ranged) -> usize {
    lines.line(node.range().start().to_usize())
}

fn dotted(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted(&a.value)?, a.attr.as_str())),
        _ => None,
    }
}

/// `Flask(...)`, `flask.Flask(...)`, or a Flask subclass: one named `*Flask`
/// (APIFlask, a project's own `MyFlask`) or Flask-API's `FlaskAPI`.
fn is_flask_call(e: &Expr) -> bool {
    match e {
        Expr::Call(c) => dotted(&c.func).is_some_and(|f| {
            let last = f.rsplit('.').next().unwrap_or(&f);
            last.ends_with("Flask") || last == "FlaskAPI"
        }),
        _ => false,
    }
}

pub(crate) fn str_const(e: &Expr) -> Option<&str> {
    match e {
        Expr::Constant(ast::ExprConstant {
            value: Constant::Str(s),
            ..
        }) => Some(s),
        _ => None,
    }
}

fn port_const(e: &Expr) -> Option<u16> {
    match e {
        Expr::Constant(ast::ExprConstant {
            value: Constant::Int(i),
            ..
        }) => i.to_string().parse().ok(),
        _ => str_const(e).and_then(|s| s.parse().ok()),
    }
}

fn is_true(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Constant(ast::ExprConstant {
            value: Constant::Bool(true),
            ..
        })
    )
}

/// `if __name__ == "__main__":`
fn is_main_test(e: &Expr) -> bool {
    match e {
        Expr::Compare(c) => {
            let mut sides = std::iter::once(&*c.left).chain(c.comparators.iter());
            let name = sides
                .clone()
                .any(|s| dotted(s).as_deref() == Some("__name__"));
            name && sides.any(|s| str_const(s) == Some("__main__"))
        }
        _ => false,
    }
}

/// A test on the Python version: it reads `sys.version_info` /
/// `sys.version`, or a flag like `PY2`, `PY3`, `six.PY2`, `IS_PY3K`.
fn is_version_test(e: &Expr) -> bool {
    struct Find(bool);
    impl Visitor for Find {
        fn visit_expr(&mut self, node: Expr) {
            if let Some(d) = dotted(&node) {
                let last = d.rsplit('.').next().unwrap_or(&d).to_ascii_uppercase();
                let flag = ["PY2", "PY3", "PY3K", "PYTHON2", "PYTHON3"]
                    .iter()
                    .any(|f| last == *f || last.ends_with(&format!("_{f}")));
                if flag || d.ends_with("sys.version_info") || d.ends_with("sys.version") {
                    self.0 = true;
                    return;
                }
            }
            self.generic_visit_expr(node);
        }
    }
    let mut f = Find(false);
    f.visit_expr(e.clone());
    f.0
}

/// `Blueprint(...)`, `flask.Blueprint(...)`, or a subclass named `*Blueprint`.
fn is_blueprint_call(e: &Expr) -> bool {
    match e {
        Expr::Call(c) => dotted(&c.func).is_some_and(|f| f.ends_with("Blueprint")),
        _ => false,
    }
}

/// Any Flask(...) call anywhere in these statements (a factory's body).
fn calls_flask(body: &[Stmt]) -> bool {
    struct Find(bool);
    impl Visitor for Find {
        fn visit_expr(&mut self, node: Expr) {
            if is_flask_call(&node) {
                self.0 = true;
            }
            self.generic_visit_expr(node);
        }
    }
    let mut f = Find(false);
    for s in body {
        f.visit_stmt(s.clone());
    }
    f.0
}

/// A function's arguments that have no default.
fn required_args(args: &ast::Arguments) -> Vec<String> {
    args.posonlyargs
        .iter()
        .chain(&args.args)
        .chain(&args.kwonlyargs)
        .filter(|a| a.default.is_none())
        .map(|a| a.def.arg.to_string())
        .collect()
}

/// The last name of the function a body returns the call of (`return
/// build_app(cfg)` → `build_app`; `app = make(); return app` → `make`).
fn returned_call(body: &[Stmt]) -> Option<String> {
    let callee = |e: &Expr| match e {
        Expr::Call(c) => dotted(&c.func).map(|d| d.rsplit('.').next().unwrap_or("").to_string()),
        _ => None,
    };
    let mut assigned: Vec<(String, String)> = Vec::new();
    for s in body {
        match s {
            Stmt::Assign(a) => {
                if let (Some(Expr::Name(n)), Some(c)) = (a.targets.first(), callee(&a.value)) {
                    assigned.push((n.id.to_string(), c));
                }
            }
            Stmt::Return(r) => {
                let v = r.value.as_deref()?;
                if let Some(c) = callee(v) {
                    return Some(c);
                }
                if let Expr::Name(n) = v {
                    return assigned
                        .iter()
                        .rev()
                        .find(|(k, _)| k == n.id.as_str())
                        .map(|(_, c)| c.clone());
                }
                return None;
            }
            _ => {}
        }
    }
    None
}

fn returns_something(body: &[Stmt]) -> bool {
    struct Find(bool);
    impl Visitor for Find {
        fn visit_stmt_return(&mut self, node: ast::StmtReturn) {
            self.0 |= node.value.is_some();
        }
        // Nested functions' returns are theirs.
        fn visit_stmt_function_def(&mut self, _: ast::StmtFunctionDef) {}
    }
    let mut f = Find(false);
    for s in body {
        f.visit_stmt(s.clone());
    }
    f.0
}

/// `self.port` / `cls.port`: an attribute of an object the code defines.
fn own_port(a: &ast::ExprAttribute) -> bool {
    matches!(dotted(&a.value).as_deref(), Some("self" | "cls"))
        && a.attr.as_str().to_ascii_uppercase().contains("PORT")
}

/// Whether an `except` clause among `handlers` catches one of `names` (a
/// bare `except:` catches everything).
fn catches(handlers: &[ast::ExceptHandler], names: &[&str]) -> bool {
    handlers.iter().any(|h| {
        let ast::ExceptHandler::ExceptHandler(h) = h;
        let caught: Vec<String> = match h.type_.as_deref() {
            None => return true,
            Some(Expr::Tuple(t)) => t.elts.iter().filter_map(dotted).collect(),
            Some(e) => dotted(e).into_iter().collect(),
        };
        caught
            .iter()
            .any(|n| names.contains(&n.rsplit('.').next().unwrap_or(n)))
    })
}

/// Whether a test holds on Linux, the images' system, when it is a test on
/// the platform: `sys.platform == "win32"`, `os.name == "nt"`,
/// `platform.system() == "Darwin"`, `sys.platform.startswith("linux")`,
/// `IS_WINDOWS`; `None` for any other test.
fn on_linux(e: &Expr) -> Option<bool> {
    // What a platform value is on Linux, by what it is read from.
    let value = |e: &Expr| -> Option<fn(&str) -> bool> {
        let f = match e {
            Expr::Call(c) => dotted(&c.func)? + "()",
            e => dotted(e)?,
        };
        match f.as_str() {
            "sys.platform" | "platform" => Some(|s| s.starts_with("linux")),
            "os.name" => Some(|s| s == "posix"),
            "platform.system()" | "system()" => Some(|s| s.eq_ignore_ascii_case("linux")),
            _ => None,
        }
    };
    match e {
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => on_linux(&u.operand).map(|b| !b),
        Expr::BoolOp(b) => {
            let all: Vec<Option<bool>> = b.values.iter().map(on_linux).collect();
            let decisive = b.op == ast::BoolOp::Or;
            if all.contains(&Some(decisive)) {
                Some(decisive)
            } else if all.iter().all(|v| *v == Some(!decisive)) {
                Some(!decisive)
            } else {
                None
            }
        }
        Expr::Compare(c) if c.ops.len() == 1 => {
            let is = value(&c.left)?;
            let right = &c.comparators[0];
            let strings: Vec<&str> = match right {
                Expr::Tuple(ast::ExprTuple { elts, .. })
                | Expr::List(ast::ExprList { elts, .. }) => {
                    elts.iter().filter_map(str_const).collect()
                }
                e => vec![str_const(e)?],
            };
            let any = strings.iter().any(|s| is(s));
            match c.ops[0] {
                ast::CmpOp::Eq | ast::CmpOp::In | ast::CmpOp::Is => Some(any),
                ast::CmpOp::NotEq | ast::CmpOp::NotIn | ast::CmpOp::IsNot => Some(!any),
                _ => None,
            }
        }
        Expr::Call(c) => match &*c.func {
            Expr::Attribute(a) if a.attr.as_str() == "startswith" => {
                let is = value(&a.value)?;
                let prefix = c.args.first().and_then(str_const)?;
                // `sys.platform.startswith("win")`: true on Linux only for a prefix of "linux".
                Some(is("linux") && "linux".starts_with(prefix) || is(prefix))
            }
            _ => None,
        },
        e => {
            let d = dotted(e)?;
            let last = d.rsplit('.').next().unwrap_or(&d).to_ascii_uppercase();
            let other = ["WINDOWS", "WIN32", "MACOS", "DARWIN", "OSX"]
                .iter()
                .any(|o| last == *o || last == format!("IS_{o}") || last == format!("ON_{o}"));
            other.then_some(false)
        }
    }
}

/// `"~/..."`, or a call (`os.path.join("~", ...)`) whose first argument is.
fn home_relative(e: &Expr) -> bool {
    match e {
        Expr::Call(c) => c.args.first().is_some_and(home_relative),
        e => str_const(e).is_some_and(|a| a.starts_with('~')),
    }
}

/// A route's rule: a string, or an f-string of strings and class members
/// (`f'/{Endpoint.healthz}'` → `/{Endpoint.healthz}`, resolved later from
/// `str_members`).
fn route_path(e: &Expr) -> Option<String> {
    let Expr::JoinedStr(j) = e else {
        return str_const(e).map(str::to_string);
    };
    let mut out = String::new();
    for v in &j.values {
        match v {
            Expr::FormattedValue(f) if f.format_spec.is_none() => {
                let member = dotted(&f.value).filter(|d| d.contains('.'))?;
                out.push_str(&format!("{{{member}}}"));
            }
            v => out.push_str(str_const(v)?),
        }
    }
    Some(out)
}

/// Whether statements stop the app: a `raise`, `sys.exit(...)`, `exit(...)`.
fn stops(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::Raise(_) => true,
        Stmt::Expr(e) => matches!(&*e.value, Expr::Call(c)
            if matches!(dotted(&c.func).as_deref(), Some("sys.exit" | "exit" | "quit"))),
        _ => false,
    })
}

impl Collector<'_> {
    /// Whether the local `name` is os's `what` (imported with `from os import`).
    fn is_os(&self, name: &str, what: &str) -> bool {
        self.os_names.iter().any(|(o, l)| o == what && l == name)
    }

    /// A value given under a name or key (`K = v`, `x["K"] = v`, `{"K": v}`,
    /// `f(K=v)`): a port, a folder, a per-process secret.
    fn keyed_value(&mut self, key: &str, value: &Expr, line: usize) {
        let upper = key.to_ascii_uppercase();
        if upper.contains("PORT") {
            if let Some(p) = self.port_value(value) {
                self.facts.config_ports.push((key.to_string(), p, line));
            }
        }
        // Flask's config takes upper-case names only: `css_dir` is a local variable.
        let config_name = !key.chars().any(|c| c.is_ascii_lowercase());
        if config_name && (folder_key(&upper) || upper == "FS_ROOT") {
            // `"uploads"`, `os.environ.get("UPLOAD_FOLDER", "uploads")`,
            // `os.path.join(BASE_DIR, "uploads")`.
            // The folder of the code itself (`os.path.dirname(__file__)`) is no data folder.
            let code = |d: &String| d.is_empty() || self.file.starts_with(&format!("{d}/"));
            if let Some(d) = self.path_of(value).filter(|d| !code(d)) {
                if !self.in_main {
                    self.facts.folders.push((d, line));
                }
            }
        }
        if upper == "SECRET_KEY" && !self.in_main && per_process_random(value) {
            let var = self.env_var_read(value);
            self.secrets.push((line, var, self.in_function.clone()));
        }
    }

    /// A function definition: its decorators (`@app.route`) run where it is
    /// defined, its body only when it is called (inside the top-level `name`).
    fn function(
        &mut self,
        decorators: Vec<Expr>,
        args: ast::Arguments,
        name: &str,
        body: Vec<Stmt>,
    ) {
        for d in decorators {
            self.visit_expr(d);
        }
        self.visit_arguments(args);
        let outer = self.in_function.clone();
        let top = outer.clone().or_else(|| self.in_class.clone());
        self.in_function = Some(top.unwrap_or_else(|| name.to_string()));
        for s in body {
            self.visit_stmt(s);
        }
        self.in_function = outer;
    }

    /// A blueprint imported from a library (not one this file makes) whose
    /// name or prefix says health (`health`, `healthz`, `ping`): its route
    /// is the prefix, and flask_healthz's liveness probe is `<prefix>/live`.
    fn health_blueprint(&mut self, bp: &str, prefix: Option<&str>, line: usize) {
        let base = bp.split('.').next().unwrap_or(bp);
        let origin = self
            .facts
            .imports
            .iter()
            .find_map(|(level, module, names)| {
                let imported = names.iter().any(|n| n == base) || module == base;
                (*level == 0 && imported).then_some(module.as_str())
            });
        let Some(origin) = origin else { return };
        if self.facts.blueprints.iter().any(|(v, _, _)| v == base) {
            return;
        }
        let healthy = |s: &str| {
            let s = s.to_ascii_lowercase();
            s.contains("health") || s.contains("ping")
        };
        let prefix = prefix.unwrap_or("").trim_end_matches('/');
        let path = if origin.split('.').next() == Some("flask_healthz") {
            format!("{prefix}/live")
        } else if healthy(bp) || healthy(prefix) {
            if prefix.is_empty() {
                return;
            }
            prefix.to_string()
        } else {
            return;
        };
        self.facts.health_blueprints.push((path, line));
    }

    /// The project folder an expression names, relative to the project
    /// (`""` for the project itself):
    /// a relative string, `__file__`'s folder (`os.path.dirname(__file__)`,
    /// `Path(__file__).parent`), `os.path.join` and `/` of those, a name or
    /// config key given one, or the default of an environment read.
    fn path_of(&self, e: &Expr) -> Option<String> {
        let parts: Vec<String> = match e {
            Expr::Name(n) if n.id.as_str() == "__file__" => vec![self.file.clone()],
            Expr::Name(n) => return self.known_path(n.id.as_str()),
            Expr::Subscript(s) => return self.known_path(str_const(&s.slice)?),
            Expr::Attribute(a) if a.attr.as_str() == "parent" => {
                vec![self.path_of(&a.value)?, "..".into()]
            }
            Expr::BinOp(b) if b.op == ast::Operator::Div => {
                vec![self.path_of(&b.left)?, str_const(&b.right)?.to_string()]
            }
            Expr::Call(c) => {
                let f = dotted(&c.func).unwrap_or_default();
                let arg = |i: usize| c.args.get(i);
                let last = match &*c.func {
                    // `Path(__file__).resolve()`: a method of something that is no name.
                    Expr::Attribute(a) => a.attr.as_str(),
                    _ => f.as_str(),
                };
                match last {
                    _ if self.env_get(&f) => return self.path_of(arg(1)?),
                    "join" => {
                        let mut parts = vec![self.path_of(arg(0)?)?];
                        for a in &c.args[1..] {
                            parts.push(str_const(a)?.to_string());
                        }
                        parts
                    }
                    "dirname" => vec![self.path_of(arg(0)?)?, "..".into()],
                    "abspath" | "realpath" | "Path" | "resolve" | "absolute" => {
                        let inner = arg(0).or(match &*c.func {
                            Expr::Attribute(a) if f != "Path" && !f.ends_with(".Path") => {
                                Some(&*a.value)
                            }
                            _ => None,
                        })?;
                        vec![self.path_of(inner)?]
                    }
                    _ => return None,
                }
            }
            e => {
                let s = str_const(e)?;
                if s.contains("://") {
                    return None;
                }
                return relative_folder(s);
            }
        };
        // `..` goes up one folder; above the project is none of its folders.
        let mut out: Vec<&str> = Vec::new();
        for seg in parts.iter().flat_map(|p| p.split('/')) {
            match seg {
                "" | "." => {}
                ".." => {
                    out.pop()?;
                }
                s => out.push(s),
            }
        }
        match out.join("/") {
            root if root.is_empty() => Some(root),
            folder => relative_folder(&folder),
        }
    }

    /// The folder last given to a name or config key.
    fn known_path(&self, key: &str) -> Option<String> {
        self.paths
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, p)| p.clone())
    }

    /// A class whose members are their strings: `class E(str, Enum)`,
    /// `StrEnum`, or a `__str__` that returns `self.value`.
    fn str_members(&mut self, node: &ast::StmtClassDef) {
        let str_base = node.bases.iter().any(|b| {
            matches!(
                dotted(b).as_deref(),
                Some("str" | "StrEnum" | "enum.StrEnum")
            )
        });
        let str_of_value = node.body.iter().any(|s| match s {
            Stmt::FunctionDef(f) if f.name.as_str() == "__str__" => f.body.iter().any(|s| {
                matches!(s, Stmt::Return(r) if r.value.as_deref().and_then(dotted).as_deref() == Some("self.value"))
            }),
            _ => false,
        });
        if !(str_base || str_of_value) {
            return;
        }
        for s in &node.body {
            if let Stmt::Assign(a) = s {
                if let (Some(Expr::Name(n)), Some(v)) = (a.targets.first(), str_const(&a.value)) {
                    self.facts
                        .str_members
                        .push((format!("{}.{}", node.name, n.id), v.to_string()));
                }
            }
        }
    }

    /// A config key the app cannot start without, read from the environment
    /// with no default (`SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")`:
    /// Flask-SQLAlchemy raises when it is unset): that variable is required.
    fn indispensable_env(&mut self, key: &str, value: &Expr, line: usize) {
        if key != "SQLALCHEMY_DATABASE_URI" {
            return;
        }
        let Expr::Call(c) = value else { return };
        let reads_env = dotted(&c.func).is_some_and(|f| self.env_get(&f));
        let no_default = c.args.len() == 1
            && !c
                .keywords
                .iter()
                .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"));
        if let (true, true, Some(name)) =
            (reads_env, no_default, c.args.first().and_then(str_const))
        {
            self.env_read(name, line, true);
        }
    }

    /// An environment variable read: `required` when the app fails without
    /// it (`os.environ["X"]`, `from_envvar("X")`), unless the read only runs
    /// when the environment holds something; none on another platform.
    fn env_read(&mut self, name: &str, line: usize, required: bool) {
        if self.off_platform {
            return;
        }
        if required && !self.env_guarded {
            self.facts.required_env.push((name.to_string(), line));
        } else {
            self.facts.optional_env.push((name.to_string(), line));
        }
    }

    /// Whether an expression reads the environment: `"X" in os.environ`,
    /// `os.getenv("X")`, `os.environ["X"]`, inside a test.
    fn env_test(&self, e: &Expr) -> bool {
        let environ = |e: &Expr| match dotted(e).as_deref() {
            Some("os.environ") => true,
            Some(n) => self.is_os(n, "environ"),
            None => false,
        };
        match e {
            Expr::BoolOp(b) => b.values.iter().any(|v| self.env_test(v)),
            Expr::UnaryOp(u) => self.env_test(&u.operand),
            Expr::Compare(c) => {
                self.env_test(&c.left)
                    || c.comparators.iter().any(|v| environ(v) || self.env_test(v))
            }
            Expr::Call(c) => {
                self.env_get(&dotted(&c.func).unwrap_or_default())
                    || c.args.iter().any(|a| self.env_test(a))
            }
            Expr::Subscript(s) => environ(&s.value),
            _ => false,
        }
    }

    /// An `if` on anything but `__main__` or the Python version: a branch
    /// on the environment makes its reads optional, a branch on another
    /// platform is not the app's; a test that rejects an environment
    /// value's default (`if SECRET == "insecure": raise`) requires the variable.
    fn conditional(&mut self, node: ast::StmtIf) {
        let env = self.env_test(&node.test);
        let linux = on_linux(&node.test);
        if stops(&node.body) && !self.in_main && !self.off_platform {
            self.rejected_defaults(&node.test);
        }
        self.visit_expr(*node.test);
        let (guarded, off) = (self.env_guarded, self.off_platform);
        self.env_guarded = guarded || env;
        self.off_platform = off || linux == Some(false);
        for s in node.body {
            self.visit_stmt(s);
        }
        self.off_platform = off || linux == Some(true);
        for s in node.orelse {
            self.visit_stmt(s);
        }
        (self.env_guarded, self.off_platform) = (guarded, off);
    }

    /// `a if "X" in os.environ else b` and `"X" in os.environ and b`: what
    /// `a` and `b` read is optional. Gives the node back when it is neither.
    fn conditional_expr(&mut self, node: Expr) -> Option<Expr> {
        let guarded = self.env_guarded;
        match node {
            Expr::IfExp(x) if self.env_test(&x.test) => {
                self.visit_expr(*x.test);
                self.env_guarded = true;
                self.visit_expr(*x.body);
                self.visit_expr(*x.orelse);
            }
            Expr::BoolOp(b) if b.values.first().is_some_and(|v| self.env_test(v)) => {
                let mut values = b.values.into_iter();
                self.visit_expr(values.next()?);
                self.env_guarded = true;
                for v in values {
                    self.visit_expr(v);
                }
            }
            other => return Some(other),
        }
        self.env_guarded = guarded;
        None
    }

    /// `NAME = os.getenv("X", default)` (or `os.environ.get`, with `or`):
    /// remembered, for a later test that rejects the default.
    fn env_default(&mut self, name: &str, value: &Expr, line: usize) {
        let read = match value {
            Expr::Call(c) if self.env_get(&dotted(&c.func).unwrap_or_default()) => c
                .args
                .first()
                .and_then(str_const)
                .map(|v| (v.to_string(), c.args.get(1).cloned())),
            Expr::BoolOp(b) if b.op == ast::BoolOp::Or => self
                .env_var_read(value)
                .map(|v| (v, b.values.last().cloned())),
            _ => None,
        };
        if let Some((var, default)) = read {
            self.env_defaults
                .push((name.to_string(), var, default, line));
        }
    }

    /// The environment values a test rejects before a `raise`: `not NAME`,
    /// `NAME is None`, `NAME == <its default>` (also as one condition of an
    /// `and`), `not os.getenv("X")`.
    fn rejected_defaults(&mut self, test: &Expr) {
        let mut rejected: Vec<(String, usize)> = Vec::new();
        let by_name = |n: &Expr| {
            let n = dotted(n)?;
            self.env_defaults.iter().rev().find(|d| d.0 == n)
        };
        // (part of the test, whether it is one condition among others that
        // must hold too: `not DEBUG` in `... and not DEBUG` rejects nothing).
        let mut parts = vec![(test, false)];
        while let Some((e, among)) = parts.pop() {
            match e {
                Expr::BoolOp(b) => {
                    let and = among || b.op == ast::BoolOp::And;
                    parts.extend(b.values.iter().map(|v| (v, and)));
                }
                Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not && !among => {
                    if let Some(d) = by_name(&u.operand) {
                        rejected.push((d.1.clone(), d.3));
                    } else if let Some(v) = self.env_var_read(&u.operand) {
                        rejected.push((v, line_of(self.lines, &*u.operand)));
                    }
                }
                Expr::Compare(c) if c.ops.len() == 1 => {
                    let Some(d) = by_name(&c.left) else { continue };
                    let right = &c.comparators[0];
                    let none = matches!(right, Expr::Constant(k) if k.value == Constant::None);
                    let default = match (&d.2, right) {
                        (Some(Expr::Constant(a)), Expr::Constant(b)) => a.value == b.value,
                        _ => false,
                    };
                    let equal = matches!(c.ops[0], ast::CmpOp::Eq | ast::CmpOp::Is);
                    if equal && (none || default) {
                        rejected.push((d.1.clone(), d.3));
                    }
                }
                _ => {}
            }
        }
        let f = self.in_function.clone();
        self.rejected
            .extend(rejected.into_iter().map(|(v, l)| (v, l, f.clone())));
    }

    /// `.iteritems()`, `.itervalues()`, `.iterkeys()`, `.has_key()` (on a
    /// name or a dict) called as a method, outside a branch on the Python
    /// version: a function named so (`iteritems(d)`, a compatibility shim)
    /// is Python 3 code.
    fn python2_method(&mut self, c: &ast::ExprCall, line: usize) {
        if let Expr::Attribute(a) = &*c.func {
            let m = a.attr.as_str();
            // `has_key` is other libraries' too (SQLAlchemy's JSONB
            // `Model.data.has_key(k)`): only on a plain name or a dict.
            let dict_like = matches!(&*a.value, Expr::Name(_) | Expr::Dict(_));
            let py2 =
                matches!(m, "iteritems" | "itervalues" | "iterkeys") || m == "has_key" && dict_like;
            if py2 && !self.version_guarded {
                self.py2_methods.push((m.to_string(), line));
            }
        }
    }

    /// What needs the whole file seen: Python 2 methods the file does not
    /// define itself; a per-process secret, and a variable whose default a
    /// test rejects, at start-up (at import, in a factory or in a function
    /// called at import), not in a function run on demand.
    fn finish(&mut self) {
        if self.facts.python2.is_none() {
            let defined = &self.defined;
            self.facts.python2 = self
                .py2_methods
                .iter()
                .find(|(m, _)| !defined.contains(m))
                .map(|(m, l)| (format!(".{m}()"), *l));
        }
        let at_start = |f: &Option<String>| match f {
            None => true,
            Some(f) => {
                self.facts.import_calls.contains(f)
                    || self
                        .facts
                        .apps
                        .iter()
                        .any(|a| a.kind == AppKind::Factory && &a.name == f)
                    || self.facts.returns_call.iter().any(|r| &r.0 == f)
            }
        };
        self.facts.random_secret = self
            .secrets
            .iter()
            .find(|(_, _, f)| at_start(f))
            .map(|(l, v, _)| (*l, v.clone()));
        let required: Vec<(String, usize)> = self
            .rejected
            .iter()
            .filter(|(_, _, f)| at_start(f))
            .map(|(v, l, _)| (v.clone(), *l))
            .collect();
        self.facts.required_env.extend(required);
    }

    /// An environment variable read: `HOME` means the app uses a home directory.
    fn read_env(&mut self, name: &str, line: usize) {
        if name == "HOME" && self.facts.home.is_none() && !self.in_main && !self.off_platform {
            self.facts.home = Some(("os.environ[\"HOME\"]".into(), line));
        }
    }

    /// Module-level definitions: instances, factories, a wsgi module's app.
    fn top_level(&mut self, stmt: &Stmt, is_wsgi: bool) {
        match stmt {
            Stmt::Assign(a) => {
                let flask = is_flask_call(&a.value);
                let wsgi_call = is_wsgi && matches!(&*a.value, Expr::Call(_));
                // `flaskbb = create_app(...)`: a factory's result under the
                // project's own name.
                let factory_call = match &*a.value {
                    Expr::Call(c) => dotted(&c.func).is_some_and(|f| {
                        let last = f.rsplit('.').next().unwrap_or("");
                        last.contains("app") || last.contains("factory")
                    }),
                    _ => false,
                };
                // `application = app = Flask(...)` is one app: one name for
                // it, `app` or `application` where it has one.
                let mut targets: Vec<&Expr> = a.targets.iter().collect();
                targets.sort_by_key(|t| {
                    !matches!(t, Expr::Name(n) if matches!(n.id.as_str(), "app" | "application"))
                });
                let mut named = false;
                for t in targets {
                    if named {
                        break;
                    }
                    if let Expr::Name(n) = t {
                        let name = n.id.to_string();
                        let kind = if flask {
                            AppKind::Instance
                        } else if wsgi_call
                            && (name == "app" || name == "application" || factory_call)
                        {
                            AppKind::Wsgi
                        } else {
                            continue;
                        };
                        self.facts.apps.push(AppDef {
                            name,
                            kind,
                            line: line_of(self.lines, a),
                            required_args: vec![],
                        });
                        named = true;
                    }
                }
            }
            Stmt::AnnAssign(a) => {
                if let (Expr::Name(n), Some(v)) = (&*a.target, &a.value) {
                    if is_flask_call(v) {
                        self.facts.apps.push(AppDef {
                            name: n.id.to_string(),
                            kind: AppKind::Instance,
                            line: line_of(self.lines, a),
                            required_args: vec![],
                        });
                    }
                }
            }
            Stmt::FunctionDef(f) if calls_flask(&f.body) && returns_something(&f.body) => {
                self.facts.apps.push(AppDef {
                    name: f.name.to_string(),
                    kind: AppKind::Factory,
                    line: line_of(self.lines, f),
                    required_args: required_args(&f.args),
                });
            }
            // `class App: def __new__(cls, core): app = Flask(...); return app`:
            // calling the class builds the app, a factory of its own.
            Stmt::ClassDef(c) => {
                for s in &c.body {
                    if let Stmt::FunctionDef(f) = s {
                        if f.name.as_str() == "__new__"
                            && calls_flask(&f.body)
                            && returns_something(&f.body)
                        {
                            self.facts.apps.push(AppDef {
                                name: c.name.to_string(),
                                kind: AppKind::Factory,
                                line: line_of(self.lines, f),
                                // Without `cls`.
                                required_args: required_args(&f.args).into_iter().skip(1).collect(),
                            });
                        }
                    }
                }
            }
            Stmt::FunctionDef(f) => {
                if let Some(callee) = returned_call(&f.body) {
                    self.facts.returns_call.push((
                        f.name.to_string(),
                        line_of(self.lines, f),
                        required_args(&f.args),
                        callee,
                    ));
                }
            }
            Stmt::ImportFrom(i) if i.module.as_ref().is_some_and(|m| m.as_str() == "os") => {
                for a in &i.names {
                    let local = a.asname.as_ref().unwrap_or(&a.name).to_string();
                    if a.name.as_str() == "environ" || a.name.as_str() == "getenv" {
                        self.os_names.push((a.name.to_string(), local));
                    }
                }
            }
            // `try: app = Flask(...)` and similar stay out: too clever by half.
            _ => {}
        }
    }

    /// An absolute import of `module` the app cannot start without.
    fn imported(&mut self, module: &str, line: usize) {
        let top = module.split('.').next().unwrap_or("");
        if matches!(
            top,
            "urllib2"
                | "ConfigParser"
                | "StringIO"
                | "cPickle"
                | "urlparse"
                | "HTMLParser"
                | "cookielib"
                | "Queue"
        ) && !self.optional_import
            && !self.version_guarded
            && self.facts.python2.is_none()
        {
            self.facts.python2 = Some((format!("import {top}"), line));
        }
        if top == "flask_wtf" {
            self.facts.csrf.get_or_insert(line);
        }
        let required = !self.in_main && !self.optional_import;
        if required && module.split('.').next() == Some("pkg_resources") {
            self.facts.pkg_resources.get_or_insert(line);
        }
    }

    /// Whether `func` (dotted) reads the process environment with a default
    /// possible: `os.getenv`, `os.environ.get`, or an alias of either.
    fn env_get(&self, func: &str) -> bool {
        match func {
            "os.getenv" | "os.environ.get" => true,
            f => match f.strip_suffix(".get") {
                Some(obj) => self.is_os(obj, "environ"),
                None => self.is_os(f, "getenv"),
            },
        }
    }

    /// The variable an expression reads from the environment first:
    /// `os.getenv("X")`, `os.environ.get("X", d)`, `os.getenv("X") or d`.
    fn env_var_read(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::Call(c) if self.env_get(&dotted(&c.func).unwrap_or_default()) => {
                c.args.first().and_then(str_const).map(str::to_string)
            }
            Expr::BoolOp(b) => b.values.first().and_then(|v| self.env_var_read(v)),
            _ => None,
        }
    }

    /// A port an expression gives: a literal, `int(...)` of one, or the
    /// default of an environment read (`int(os.environ.get("PORT", 8080))`,
    /// `os.getenv("PORT") or 8080`).
    fn port_value(&self, e: &Expr) -> Option<u16> {
        if let Some(p) = port_const(e) {
            return Some(p);
        }
        match e {
            Expr::Call(c) => {
                let f = dotted(&c.func).unwrap_or_default();
                if f == "int" || f == "str" {
                    return c.args.first().and_then(|a| self.port_value(a));
                }
                if self.env_get(&f) || f.ends_with(".get") {
                    let default = c.args.get(1).or_else(|| {
                        c.keywords
                            .iter()
                            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"))
                            .map(|k| &k.value)
                    });
                    return default.and_then(|d| self.port_value(d));
                }
                None
            }
            Expr::BoolOp(b) => b.values.iter().rev().find_map(|v| self.port_value(v)),
            _ => None,
        }
    }

    fn call(&mut self, c: &ast::ExprCall) {
        let line = line_of(self.lines, c);
        let func = dotted(&c.func).unwrap_or_default();
        let kw = |name: &str| {
            c.keywords
                .iter()
                .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
                .map(|k| &k.value)
        };
        let last = match &*c.func {
            // `{}.iteritems()`: a method of something that is no name.
            Expr::Attribute(a) => a.attr.as_str(),
            _ => func.rsplit('.').next().unwrap_or(""),
        };
        if last == "run" && func.contains('.') && !func.starts_with("subprocess") {
            // app.run(host, port)
            let given = kw("port").or_else(|| c.args.get(1));
            let port = given.and_then(|e| self.port_value(e));
            let port_key = given.filter(|_| port.is_none()).and_then(port_key);
            self.facts.runs.push(RunCall {
                line,
                port,
                debug: kw("debug").is_some_and(is_true),
                in_main_block: self.in_main,
                in_function: self.in_function.clone(),
                port_key,
            });
        }
        let method_route = matches!(
            last,
            "route" | "get" | "post" | "put" | "delete" | "patch" | "add_url_rule"
        );
        let on = func.rsplit_once('.').map_or("", |x| x.0).to_string();
        // `@octoprint.plugin.BlueprintPlugin.route("/")` on a method: a
        // class's own registration (a plugin's), made when something
        // instantiates it, not a route of the app or of a blueprint.
        let class_route = self.in_class.is_some()
            && on
                .rsplit('.')
                .next()
                .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_uppercase()));
        let not_http = on.is_empty()
            || class_route
            || func.starts_with("os.")
            || self.env_get(&func)
            || on.ends_with("config")
            || on == "request.args"
            || on == "request.form";
        if method_route && !not_http {
            let import_time = self.in_function.is_none() && !self.in_main;
            let get = match last {
                "get" => true,
                "route" | "add_url_rule" => match kw("methods") {
                    Some(Expr::List(ast::ExprList { elts, .. }))
                    | Some(Expr::Tuple(ast::ExprTuple { elts, .. })) => elts
                        .iter()
                        .any(|m| str_const(m).is_some_and(|m| m.eq_ignore_ascii_case("GET"))),
                    Some(_) => true,
                    None => true,
                },
                _ => false,
            };
            if let Some(first) = c.args.first() {
                if let Some(p) = route_path(first).filter(|p| p.starts_with('/')) {
                    self.facts.routes.push(Route {
                        path: p,
                        line,
                        on,
                        import_time,
                        in_function: self.in_function.clone(),
                        get,
                    });
                } else if last == "add_url_rule" && str_const(first).is_none() {
                    // A table of routes: the rules are this file's
                    // `/...` strings inside tuples and lists.
                    self.table_routes
                        .push((on, import_time, self.in_function.clone()));
                }
            }
        }
        if self.in_function.is_none() && !self.in_main {
            if let Some(f) = dotted(&c.func) {
                self.facts
                    .import_calls
                    .push(f.rsplit('.').next().unwrap_or("").to_string());
            }
        }
        if last == "register_blueprint" {
            if let Some(bp) = c.args.first().and_then(dotted) {
                let prefix = kw("url_prefix").and_then(str_const).map(str::to_string);
                let import_time = self.in_function.is_none() && !self.in_main;
                self.health_blueprint(&bp, prefix.as_deref(), line);
                self.facts.registered.push((bp, prefix, import_time));
            }
        }
        if last == "from_object" {
            // `app.config.from_object("pkg.config.Config")` imports pkg.config.
            if let Some(target) = c.args.first().and_then(str_const) {
                let module = target.rsplit_once('.').map_or(target, |x| x.0);
                self.facts.imports.push((0, module.to_string(), vec![]));
            }
        }
        let port_flag = c.args.iter().filter_map(str_const).any(|a| a == "--port");
        if port_flag && matches!(last, "option" | "add_argument" | "add_option") {
            if let Some(p) = kw("default").and_then(|d| self.port_value(d)) {
                self.facts.port_options.push((p, line));
            }
        }
        let makes_dir = matches!(func.as_str(), "os.makedirs" | "os.mkdir" | "makedirs")
            || (last == "mkdir"
                && matches!(&*c.func, Expr::Attribute(a) if matches!(&*a.value, Expr::Call(p) if dotted(&p.func).is_some_and(|f| f == "Path" || f == "pathlib.Path"))));
        if makes_dir && !self.in_main {
            let target = match &*c.func {
                // `Path(...).mkdir()`
                Expr::Attribute(a) if last == "mkdir" && func != "os.mkdir" => {
                    self.path_of(&a.value)
                }
                _ => c.args.first().and_then(|a| self.path_of(a)),
            };
            if let Some(dir) = target.filter(|d| !d.is_empty()) {
                self.facts.folders.push((dir, line));
            }
        }
        let reads_env = self.env_get(&func);
        if reads_env {
            if let Some(name) = c.args.first().and_then(str_const) {
                self.read_env(name, line);
            }
        }
        if reads_env && c.args.len() == 1 && kw("default").is_none() {
            if let Some(name) = c.args.first().and_then(str_const) {
                self.env_read(name, line, false);
            }
        }
        if last == "from_envvar" {
            // Flask raises when the variable is unset, unless `silent=True`.
            if let Some(name) = c.args.first().and_then(str_const) {
                self.env_read(name, line, !kw("silent").is_some_and(is_true));
            }
        }
        self.python2_method(c, line);
        let home = matches!(
            last,
            "user_data_dir"
                | "user_config_dir"
                | "user_cache_dir"
                | "user_state_dir"
                | "user_log_dir"
                | "user_documents_dir"
                | "user_data_path"
                | "user_config_path"
                | "user_cache_path"
        ) || (last == "expanduser" && c.args.first().is_some_and(home_relative))
            || func == "Path.home"
            || func == "pathlib.Path.home";
        if home && self.facts.home.is_none() && !self.in_main && !self.off_platform {
            self.facts.home = Some((func.clone(), line));
        }
        if last == "from_prefixed_env" {
            self.facts.prefixed_env.push(line);
        }
        if is_flask_call(&Expr::Call(c.clone()))
            && (kw("instance_relative_config").is_some_and(is_true)
                || kw("instance_path").is_some())
        {
            self.facts.instance.get_or_insert(line);
        }
    }
}

impl Visitor for Collector<'_> {
    // The generated visitor stops at keyword arguments: `f(x=os.environ["X"])`.
    fn visit_keyword(&mut self, node: ast::Keyword) {
        self.visit_expr(node.value);
    }

    fn visit_stmt_if(&mut self, node: ast::StmtIf) {
        if is_main_test(&node.test) {
            let was = std::mem::replace(&mut self.in_main, true);
            for s in node.body {
                self.visit_stmt(s);
            }
            self.in_main = was;
            for s in node.orelse {
                self.visit_stmt(s);
            }
        } else if is_version_test(&node.test) {
            let was = std::mem::replace(&mut self.version_guarded, true);
            self.generic_visit_stmt_if(node);
            self.version_guarded = was;
        } else {
            self.conditional(node);
        }
    }

    fn visit_stmt_class_def(&mut self, node: ast::StmtClassDef) {
        self.str_members(&node);
        let outer = self.in_class.clone();
        if self.in_function.is_none() && outer.is_none() {
            self.in_class = Some(node.name.to_string());
        }
        self.generic_visit_stmt_class_def(node);
        self.in_class = outer;
    }

    fn visit_stmt_async_function_def(&mut self, node: ast::StmtAsyncFunctionDef) {
        self.function(
            node.decorator_list,
            *node.args,
            node.name.as_str(),
            node.body,
        );
    }

    fn visit_stmt_function_def(&mut self, node: ast::StmtFunctionDef) {
        self.defined.push(node.name.to_string());
        let args: Vec<String> = node
            .decorator_list
            .iter()
            .filter_map(|d| match d {
                Expr::Call(c) if dotted(&c.func).is_some_and(|f| f.ends_with("argument")) => {
                    c.args.first().and_then(str_const).map(String::from)
                }
                _ => None,
            })
            .collect();
        for d in &node.decorator_list {
            let (func, call) = match d {
                Expr::Call(c) => (&*c.func, Some(c)),
                other => (other, None),
            };
            let Some(dotted) = dotted(func) else { continue };
            let group = match dotted.rsplit_once('.') {
                Some((g, "command")) => g.to_string(),
                _ => continue,
            };
            let named = call.and_then(|c| {
                c.args.first().and_then(str_const).or_else(|| {
                    c.keywords
                        .iter()
                        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "name"))
                        .and_then(|k| str_const(&k.value))
                })
            });
            let name = match named {
                Some(n) => n.to_string(),
                None => node.name.as_str().to_ascii_lowercase().replace('_', "-"),
            };
            self.facts.commands.push(CliCommand {
                name,
                group,
                line: line_of(self.lines, d),
                args: args.clone(),
            });
        }
        self.function(
            node.decorator_list,
            *node.args,
            node.name.as_str(),
            node.body,
        );
    }

    fn visit_stmt_try(&mut self, node: ast::StmtTry) {
        let catches_import = catches(
            &node.handlers,
            &[
                "ImportError",
                "ModuleNotFoundError",
                "Exception",
                "BaseException",
            ],
        );
        let catches_key = catches(
            &node.handlers,
            &[
                "KeyError",
                "LookupError",
                "RuntimeError",
                "Exception",
                "BaseException",
            ],
        );
        let was = self.optional_import;
        self.optional_import = was || catches_import;
        let guarded = self.env_guarded;
        self.env_guarded = guarded || catches_key;
        for s in node.body {
            self.visit_stmt(s);
        }
        self.env_guarded = guarded;
        // What the handler of a caught ImportError imports is the fallback
        // (`except ImportError: import Queue as queue`): optional too.
        for h in node.handlers {
            self.visit_excepthandler(h);
        }
        self.optional_import = was;
        for s in node.orelse.into_iter().chain(node.finalbody) {
            self.visit_stmt(s);
        }
    }

    fn visit_stmt_import(&mut self, node: ast::StmtImport) {
        for a in &node.names {
            let line = line_of(self.lines, &node);
            self.imported(a.name.as_str(), line);
            self.facts.imports.push((0, a.name.to_string(), vec![]));
        }
    }

    fn visit_stmt_import_from(&mut self, node: ast::StmtImportFrom) {
        let level = node.level.map_or(0, |l| l.to_u32());
        let line = line_of(self.lines, &node);
        // A relative import (`from .pkg_resources import x`) is the project's own module.
        if let (0, Some(m)) = (level, &node.module) {
            self.imported(m.as_str(), line);
        }
        let module = node
            .module
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_default();
        let names: Vec<String> = node.names.iter().map(|a| a.name.to_string()).collect();
        if level == 0 && (module == "flask_wtf" || module.starts_with("flask_wtf."))
            || names.iter().any(|n| n == "CSRFProtect")
        {
            self.facts.csrf.get_or_insert(line);
        }
        self.facts.imports.push((level, module, names));
    }

    fn visit_stmt_assign(&mut self, node: ast::StmtAssign) {
        let is_bind = node
            .targets
            .iter()
            .any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == "bind"));
        if is_bind && self.facts.bind.is_none() {
            self.facts.bind = Some(bind_of(&node.value, line_of(self.lines, &node)));
        }
        let line = line_of(self.lines, &node);
        for t in &node.targets {
            let key = match t {
                Expr::Name(n) => Some(n.id.to_string()),
                // `self.port = 25` is an object's own (a mail client's), not a config value.
                Expr::Attribute(a) if !own_port(a) => Some(a.attr.to_string()),
                Expr::Subscript(s) => str_const(&s.slice).map(str::to_string),
                _ => None,
            };
            if let Some(k) = key {
                if let Some(p) = self.path_of(&node.value) {
                    self.paths.push((k.clone(), p));
                }
                self.keyed_value(&k, &node.value, line);
                self.indispensable_env(&k, &node.value, line);
            }
            if let Expr::Name(n) = t {
                self.env_default(n.id.as_str(), &node.value, line);
                if dotted(&node.value).as_deref() == Some("os.environ") {
                    self.os_names.push(("environ".into(), n.id.to_string()));
                }
                if is_blueprint_call(&node.value) {
                    let prefix = match &*node.value {
                        Expr::Call(c) => c
                            .keywords
                            .iter()
                            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "url_prefix"))
                            .and_then(|k| str_const(&k.value))
                            .map(str::to_string),
                        _ => None,
                    };
                    self.facts.blueprints.push((n.id.to_string(), prefix, line));
                }
            }
        }
        self.generic_visit_stmt_assign(node);
    }

    fn visit_expr(&mut self, node: Expr) {
        let Some(node) = self.conditional_expr(node) else {
            return;
        };
        match &node {
            Expr::Call(c) => {
                if self.in_main {
                    if let Some(f) = dotted(&c.func) {
                        self.facts
                            .main_calls
                            .push(f.rsplit('.').next().unwrap_or("").to_string());
                    }
                }
                // `app.config.update(SECRET_KEY=..., UPLOAD_FOLDER=...)`, `dict(...)`.
                for k in &c.keywords {
                    if let Some(a) = &k.arg {
                        self.keyed_value(a.as_str(), &k.value, line_of(self.lines, c));
                    }
                }
                self.call(c)
            }
            Expr::Dict(d) => {
                for (k, v) in d.keys.iter().zip(&d.values) {
                    if let Some(k) = k.as_ref().and_then(str_const) {
                        self.keyed_value(k, v, line_of(self.lines, v));
                    }
                }
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for e in elts {
                    if let Some(p) = str_const(e).filter(|p| p.starts_with('/') && !p.contains(' '))
                    {
                        self.slash_strings
                            .push((p.to_string(), line_of(self.lines, e)));
                    }
                }
            }
            Expr::Subscript(s) if matches!(s.ctx, ast::ExprContext::Load) => {
                let environ = match dotted(&s.value).as_deref() {
                    Some("os.environ") => true,
                    Some(n) => self.is_os(n, "environ"),
                    None => false,
                };
                if environ {
                    if let Some(name) = str_const(&s.slice) {
                        let line = line_of(self.lines, s);
                        self.read_env(name, line);
                        self.env_read(name, line, true);
                    }
                }
            }
            Expr::Constant(_) => {
                if let Some(s) = str_const(&node) {
                    // `"sqlite:///" + os.path.join(tmp, "x.db")`: a computed
                    // path, not the instance folder.
                    if let Some(path) = s.strip_prefix("sqlite:///").filter(|p| !p.is_empty()) {
                        let line = line_of(self.lines, &node);
                        self.facts.sqlite.push((path.to_string(), line));
                    }
                }
            }
            _ => {}
        }
        self.generic_visit_expr(node);
    }
}

/// Module state that only running the module as a script sets, read by code
/// that runs on every request or on a route: `dataset = None` at module
/// level, `def main(): global dataset; dataset = DataSet(...)`, and
/// `@app.before_request def f(): dataset.connect()`. Under gunicorn the
/// `__main__` block never runs, so the handler meets `None` (or a missing
/// config key) and the request fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MainOnlyState {
    /// The module-level name (`dataset`) or the config key read
    /// (`app.config['DATABASE']`).
    pub name: String,
    pub set_line: usize,
    /// The top-level function that sets it; `None` for the `__main__` block itself.
    pub set_in: Option<String>,
    /// Top-level functions whose call sets it (`set_in` and those that call
    /// it, in this module): the caller decides which of them only a script runs.
    pub set_by: Vec<String>,
    pub read_line: usize,
    /// What reads it: the request handler (`index()`), or the function it
    /// calls (`load() from index()`).
    pub read_in: String,
    /// The reader runs before every request (`before_request`), not only on its route.
    pub every_request: bool,
}

/// Decorators that make a function run per request: routes and request hooks.
const REQUEST_DECORATORS: &[&str] = &[
    "route",
    "get",
    "post",
    "put",
    "delete",
    "patch",
    "before_request",
    "before_app_request",
    "after_request",
    "after_app_request",
];

/// Hooks among them that run on every request.
const EVERY_REQUEST: &[&str] = &[
    "before_request",
    "before_app_request",
    "after_request",
    "after_app_request",
];

/// Keys Flask's own default config has: reading them never fails.
const FLASK_CONFIG_DEFAULTS: &[&str] = &[
    "DEBUG",
    "TESTING",
    "PROPAGATE_EXCEPTIONS",
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "PERMANENT_SESSION_LIFETIME",
    "USE_X_SENDFILE",
    "TRUSTED_HOSTS",
    "SERVER_NAME",
    "APPLICATION_ROOT",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_PARTITIONED",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_REFRESH_EACH_REQUEST",
    "MAX_CONTENT_LENGTH",
    "MAX_FORM_MEMORY_SIZE",
    "MAX_FORM_PARTS",
    "SEND_FILE_MAX_AGE_DEFAULT",
    "TRAP_BAD_REQUEST_ERRORS",
    "TRAP_HTTP_EXCEPTIONS",
    "EXPLAIN_TEMPLATE_LOADING",
    "PREFERRED_URL_SCHEME",
    "TEMPLATES_AUTO_RELOAD",
    "MAX_COOKIE_SIZE",
    "PROVIDE_AUTOMATIC_OPTIONS",
    "ENV",
    "JSON_AS_ASCII",
    "JSON_SORT_KEYS",
    "JSONIFY_PRETTYPRINT_REGULAR",
    "JSONIFY_MIMETYPE",
];

/// `X.config['KEY']` (`app.config`, `current_app.config`): KEY.
fn config_key(s: &ast::ExprSubscript) -> Option<String> {
    let on = dotted(&s.value)?;
    (on == "config" || on.ends_with(".config"))
        .then(|| str_const(&s.slice).map(str::to_string))
        .flatten()
}

/// What one body (a function's, or the `__main__` block's) does with module state.
#[derive(Default)]
struct Body {
    /// Names declared `global`.
    globals: Vec<String>,
    /// Names bound: (name, line); a function's parameters with line 0.
    stores: Vec<(String, usize)>,
    /// Names read: (name, line).
    loads: Vec<(String, usize)>,
    /// Functions called by bare name.
    calls: Vec<String>,
    /// Config keys set (`app.config['K'] = v`, `app.config.update(K=v)`): (key, line).
    config_sets: Vec<(String, usize)>,
    /// Config keys read as `app.config['K']` (a KeyError when unset): (key, line).
    config_reads: Vec<(String, usize)>,
    /// The config is filled from something this module does not show
    /// (`from_pyfile`, `from_envvar`, `from_object("pkg.Config")`, `update(d)`).
    config_unknown: bool,
    /// `app.config.from_object(__name__)`: the module's upper-case names are config.
    config_from_module: bool,
}

struct BodyWalk<'a> {
    lines: &'a Lines,
    body: Body,
}

impl Visitor for BodyWalk<'_> {
    fn visit_keyword(&mut self, node: ast::Keyword) {
        self.visit_expr(node.value);
    }
    fn visit_stmt_global(&mut self, node: ast::StmtGlobal) {
        self.body
            .globals
            .extend(node.names.iter().map(|n| n.to_string()));
    }
    fn visit_expr_name(&mut self, node: ast::ExprName) {
        let at = (node.id.to_string(), line_of(self.lines, &node));
        match node.ctx {
            ast::ExprContext::Load => self.body.loads.push(at),
            _ => self.body.stores.push(at),
        }
    }
    fn visit_expr_subscript(&mut self, node: ast::ExprSubscript) {
        if let Some(k) = config_key(&node) {
            let at = (k, line_of(self.lines, &node));
            match node.ctx {
                ast::ExprContext::Load => self.body.config_reads.push(at),
                _ => self.body.config_sets.push(at),
            }
        }
        self.generic_visit_expr_subscript(node);
    }
    fn visit_expr_call(&mut self, node: ast::ExprCall) {
        let func = dotted(&node.func).unwrap_or_default();
        if let Expr::Name(n) = &*node.func {
            self.body.calls.push(n.id.to_string());
        }
        if let Some((on, method)) = func.rsplit_once('.') {
            if on == "config" || on.ends_with(".config") {
                let line = line_of(self.lines, &node);
                match method {
                    "update" | "setdefault" | "from_mapping" => {
                        let keys = node.keywords.iter().filter_map(|k| k.arg.as_ref());
                        self.body
                            .config_sets
                            .extend(keys.map(|k| (k.to_string(), line)));
                        if method == "setdefault" {
                            if let Some(k) = node.args.first().and_then(str_const) {
                                self.body.config_sets.push((k.to_string(), line));
                            }
                        } else if !node.args.is_empty()
                            || node.keywords.iter().any(|k| k.arg.is_none())
                        {
                            self.body.config_unknown = true;
                        }
                    }
                    "from_object"
                        if node.args.first().and_then(dotted).as_deref() == Some("__name__") =>
                    {
                        self.body.config_from_module = true;
                    }
                    m if m.starts_with("from_") => self.body.config_unknown = true,
                    _ => {}
                }
            }
        }
        self.generic_visit_expr_call(node);
    }
    // A nested function's parameters are its own locals, like any other binding.
    fn visit_arguments(&mut self, node: ast::Arguments) {
        for a in node
            .posonlyargs
            .iter()
            .chain(&node.args)
            .chain(&node.kwonlyargs)
        {
            self.body.stores.push((a.def.arg.to_string(), 0));
        }
        for a in node.vararg.iter().chain(&node.kwarg) {
            self.body.stores.push((a.arg.to_string(), 0));
        }
        self.generic_visit_arguments(node);
    }
}

fn walk_body(lines: &Lines, stmts: &[Stmt]) -> Body {
    let mut w = BodyWalk {
        lines,
        body: Body::default(),
    };
    for s in stmts {
        w.visit_stmt(s.clone());
    }
    w.body
}

/// A top-level function: its name, what its body does, and the request
/// decorator it carries (`before_request`, `route`), if any.
struct Func {
    name: String,
    body: Body,
    request: Option<String>,
}

/// The last part of a decorator that makes a function a request handler
/// (`@app.route(...)` → `route`, `@app.before_request` → `before_request`).
fn request_decorator(d: &Expr) -> Option<String> {
    let func = match d {
        Expr::Call(c) => &*c.func,
        other => other,
    };
    let d = dotted(func)?;
    let (on, last) = d.rsplit_once('.')?;
    let http = !on.is_empty() && !on.ends_with("config") && !on.starts_with("os");
    (http && REQUEST_DECORATORS.contains(&last)).then(|| last.to_string())
}

/// The functions `roots` call, transitively, among `funcs` (with the roots).
fn reach<'f>(funcs: &'f [Func], roots: &[String]) -> Vec<&'f str> {
    let mut out: Vec<&str> = Vec::new();
    let mut todo: Vec<&str> = roots.iter().map(String::as_str).collect();
    while let Some(n) = todo.pop() {
        let Some(f) = funcs.iter().find(|f| f.name == n) else {
            continue;
        };
        if out.contains(&f.name.as_str()) {
            continue;
        }
        out.push(&f.name);
        todo.extend(f.body.calls.iter().map(String::as_str));
    }
    out
}

/// State of this module that only a script's start sets and request code
/// reads (see [`MainOnlyState`]). Only a module-level value of `None`, or
/// none at all, counts: a default that `main()` overrides is served.
fn main_only_state(suite: &[Stmt], lines: &Lines) -> Vec<MainOnlyState> {
    let mut funcs: Vec<Func> = Vec::new();
    // Module level outside functions, classes and the `__main__` block.
    let mut module: Vec<Stmt> = Vec::new();
    let mut main_block: Vec<Stmt> = Vec::new();
    // Names bound at module level: (name, bound to None).
    let mut bound: Vec<(String, bool)> = Vec::new();
    fn module_level(
        stmts: &[Stmt],
        funcs: &mut Vec<Func>,
        module: &mut Vec<Stmt>,
        main_block: &mut Vec<Stmt>,
        bound: &mut Vec<(String, bool)>,
        lines: &Lines,
    ) {
        for s in stmts {
            match s {
                Stmt::FunctionDef(ast::StmtFunctionDef {
                    name,
                    decorator_list,
                    body,
                    args,
                    ..
                })
                | Stmt::AsyncFunctionDef(ast::StmtAsyncFunctionDef {
                    name,
                    decorator_list,
                    body,
                    args,
                    ..
                }) => {
                    let mut walked = walk_body(lines, body);
                    for a in args
                        .posonlyargs
                        .iter()
                        .chain(&args.args)
                        .chain(&args.kwonlyargs)
                    {
                        walked.stores.push((a.def.arg.to_string(), 0));
                    }
                    // `*args`, `**kwargs`: the function's own too.
                    for a in args.vararg.iter().chain(&args.kwarg) {
                        walked.stores.push((a.arg.to_string(), 0));
                    }
                    funcs.push(Func {
                        name: name.to_string(),
                        body: walked,
                        request: decorator_list.iter().find_map(request_decorator),
                    });
                    bound.push((name.to_string(), false));
                }
                Stmt::ClassDef(c) => bound.push((c.name.to_string(), false)),
                Stmt::If(i) if is_main_test(&i.test) => {
                    main_block.extend(i.body.iter().cloned());
                    module_level(&i.orelse, funcs, module, main_block, bound, lines);
                }
                Stmt::If(i) => {
                    module.push(Stmt::Expr(ast::StmtExpr {
                        range: i.range,
                        value: i.test.clone(),
                    }));
                    module_level(&i.body, funcs, module, main_block, bound, lines);
                    module_level(&i.orelse, funcs, module, main_block, bound, lines);
                }
                Stmt::Try(t) => {
                    module_level(&t.body, funcs, module, main_block, bound, lines);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        module_level(&h.body, funcs, module, main_block, bound, lines);
                    }
                    module_level(&t.orelse, funcs, module, main_block, bound, lines);
                    module_level(&t.finalbody, funcs, module, main_block, bound, lines);
                }
                Stmt::Assign(a) => {
                    let none = matches!(
                        &*a.value,
                        Expr::Constant(ast::ExprConstant {
                            value: Constant::None,
                            ..
                        })
                    );
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            bound.push((n.id.to_string(), none));
                        }
                    }
                    // Names are bound above; other targets (`app.config[K]`,
                    // `a, b`) are walked with the value.
                    if a.targets.iter().all(|t| matches!(t, Expr::Name(_))) {
                        module.push(Stmt::Expr(ast::StmtExpr {
                            range: a.range,
                            value: a.value.clone(),
                        }));
                    } else {
                        module.push(s.clone());
                    }
                }
                Stmt::Import(i) => bound.extend(i.names.iter().map(|a| {
                    let local = a.asname.as_ref().unwrap_or(&a.name).to_string();
                    (local.split('.').next().unwrap_or("").to_string(), false)
                })),
                Stmt::ImportFrom(i) => bound.extend(
                    i.names
                        .iter()
                        .map(|a| (a.asname.as_ref().unwrap_or(&a.name).to_string(), false)),
                ),
                other => module.push(other.clone()),
            }
        }
    }
    module_level(
        suite,
        &mut funcs,
        &mut module,
        &mut main_block,
        &mut bound,
        lines,
    );
    let module = walk_body(lines, &module);
    // Any other binding at module level (`for x in`, `with ... as x`, `x += 1`).
    bound.extend(module.stores.iter().map(|(n, _)| (n.clone(), false)));
    let main = walk_body(lines, &main_block);

    // What runs without the script: module-level calls and request handlers, and what they call.
    let handlers: Vec<String> = funcs
        .iter()
        .filter(|f| f.request.is_some())
        .map(|f| f.name.clone())
        .collect();
    let mut runtime_roots = module.calls.clone();
    runtime_roots.extend(handlers.iter().cloned());
    let runtime = reach(&funcs, &runtime_roots);
    let unset = |name: &str| {
        let mut b = bound.iter().filter(|(n, _)| n == name).peekable();
        b.peek().is_none() || b.all(|(_, none)| *none)
    };
    let config_known = !module.config_unknown
        && !funcs
            .iter()
            .any(|f| runtime.contains(&f.name.as_str()) && f.body.config_unknown);
    let config_at_import = |key: &str| {
        module.config_sets.iter().any(|(k, _)| k == key)
            || funcs.iter().any(|f| {
                runtime.contains(&f.name.as_str())
                    && f.body.config_sets.iter().any(|(k, _)| k == key)
            })
            || module.config_from_module && bound.iter().any(|(n, none)| n == key && !none)
            || FLASK_CONFIG_DEFAULTS.contains(&key)
    };
    // Readers: handlers first (those that run on every request before
    // route handlers), then the functions they call.
    let mut readers: Vec<(&Func, &str, bool)> = Vec::new();
    let mut ordered: Vec<&Func> = funcs.iter().filter(|f| f.request.is_some()).collect();
    ordered.sort_by_key(|f| !EVERY_REQUEST.contains(&f.request.as_deref().unwrap_or("")));
    for h in &ordered {
        let every = EVERY_REQUEST.contains(&h.request.as_deref().unwrap_or(""));
        readers.push((h, &h.name, every));
    }
    for h in &ordered {
        let every = EVERY_REQUEST.contains(&h.request.as_deref().unwrap_or(""));
        for c in &h.body.calls {
            if let Some(f) = funcs.iter().find(|f| &f.name == c && f.request.is_none()) {
                readers.push((f, &h.name, every));
            }
        }
    }
    let read = |name: &str, config: bool| -> Option<(usize, String, bool)> {
        readers.iter().find_map(|(f, handler, every)| {
            let b = &f.body;
            let line = if config {
                b.config_reads.iter().find(|(k, _)| k == name)?.1
            } else {
                let local =
                    !b.globals.iter().any(|g| g == name) && b.stores.iter().any(|(n, _)| n == name);
                if local {
                    return None;
                }
                b.loads.iter().find(|(n, _)| n == name)?.1
            };
            let read_in = if f.name == **handler {
                format!("{}()", f.name)
            } else {
                format!("{}() from {}()", f.name, handler)
            };
            Some((line, read_in, *every))
        })
    };
    // Where each name (or config key) is set: (name, line, the function
    // or None for the `__main__` block, a config key).
    let mut sets: Vec<(String, usize, Option<String>, bool)> = Vec::new();
    for f in &funcs {
        for g in &f.body.globals {
            if let Some((_, l)) = f.body.stores.iter().find(|(n, l)| n == g && *l > 0) {
                sets.push((g.clone(), *l, Some(f.name.clone()), false));
            }
        }
        for (k, l) in &f.body.config_sets {
            sets.push((k.clone(), *l, Some(f.name.clone()), true));
        }
    }
    for (n, l) in main.stores.iter().filter(|(_, l)| *l > 0) {
        sets.push((n.clone(), *l, None, false));
    }
    for (k, l) in &main.config_sets {
        sets.push((k.clone(), *l, None, true));
    }
    let at_runtime = |name: &str, config: bool| {
        sets.iter().any(|(n, _, f, c)| {
            n == name && *c == config && f.as_ref().is_some_and(|f| runtime.contains(&f.as_str()))
        })
    };
    let mut out: Vec<MainOnlyState> = Vec::new();
    let mut seen: Vec<(&str, bool)> = Vec::new();
    for (name, set_line, set_in, config) in &sets {
        if seen.contains(&(name.as_str(), *config)) {
            continue;
        }
        seen.push((name, *config));
        let before = if *config {
            config_known && !config_at_import(name)
        } else {
            unset(name)
        };
        if !before || at_runtime(name, *config) {
            continue;
        }
        let Some((read_line, read_in, every_request)) = read(name, *config) else {
            continue;
        };
        let set_by: Vec<String> = match set_in {
            None => vec![],
            Some(s) => funcs
                .iter()
                .filter(|f| reach(&funcs, std::slice::from_ref(&f.name)).contains(&s.as_str()))
                .map(|f| f.name.clone())
                .collect(),
        };
        out.push(MainOnlyState {
            name: if *config {
                format!("app.config['{name}']")
            } else {
                name.clone()
            },
            set_line: *set_line,
            set_in: set_in.clone(),
            set_by,
            read_line,
            read_in,
            every_request,
        });
    }
    out.sort_by_key(|s| !s.every_request);
    out
}

/// What a gunicorn `bind = ...` says about the port.
fn bind_of(e: &Expr, line: usize) -> Bind {
    let mut b = Bind {
        line,
        literal_port: None,
        env_port_default: None,
    };
    struct Walk<'b>(&'b mut Bind);
    impl Visitor for Walk<'_> {
        fn visit_expr(&mut self, node: Expr) {
            if let Expr::Call(c) = &node {
                let f = dotted(&c.func).unwrap_or_default();
                let reads_port = matches!(
                    f.as_str(),
                    "os.environ.get" | "os.getenv" | "environ.get" | "getenv"
                ) && c.args.first().and_then(str_const) == Some("PORT");
                if reads_port {
                    self.0.env_port_default = Some(c.args.get(1).and_then(port_const));
                    return;
                }
            }
            if let Some(s) = str_const(&node) {
                if let Some((_, p)) = s.rsplit_once(':') {
                    if let Ok(p) = p.parse() {
                        self.0.literal_port = Some(p);
                    }
                }
            }
            self.generic_visit_expr(node);
        }
    }
    Walk(&mut b).visit_expr(e.clone());
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(f: &PyFacts) -> (Vec<&str>, Vec<&str>) {
        (
            f.required_env.iter().map(|(n, _)| n.as_str()).collect(),
            f.optional_env.iter().map(|(n, _)| n.as_str()).collect(),
        )
    }

    #[test]
    fn reads_that_only_run_when_the_environment_holds_them_are_optional() {
        let src = r#"import os, sys
from os import environ
if "SETTINGS_PATH" in os.environ:
    app.config.from_pyfile(os.environ["SETTINGS_PATH"])
if os.environ.get("B"):
    b = os.environ["B"]
if "C" in environ and "D" in environ:
    c = [environ["C"], environ["D"]]
try:
    e = os.environ["E"]
except KeyError:
    e = None
f = os.environ["F"] if "F" in os.environ else None
g = "G" in os.environ and os.environ["G"]
h = os.environ["H"]
"#;
        let f = facts(src, "config.py").unwrap();
        let (required, optional) = env(&f);
        assert_eq!(required, vec!["H"]);
        for v in ["SETTINGS_PATH", "B", "C", "D", "E", "F", "G"] {
            assert!(optional.contains(&v), "{v}: {optional:?}");
        }
    }

    #[test]
    fn reads_on_another_platform_are_not_the_apps() {
        let src = r#"import os, sys
def basedir(name):
    if sys.platform == "darwin":
        import appdirs
        return appdirs.user_data_dir(name, "")
    elif sys.platform == "win32":
        return os.path.join(os.environ["APPDATA"], name)
    else:
        return os.path.expanduser(os.path.join("~", "." + name))
if os.name == "nt":
    x = os.environ["USERPROFILE"]
if not sys.platform.startswith("win"):
    y = os.environ["ON_LINUX"]
"#;
        let f = facts(src, "settings.py").unwrap();
        assert_eq!(env(&f), (vec!["ON_LINUX"], vec![]));
        // The home directory the Linux branch uses, with its line.
        assert_eq!(f.home, Some(("os.path.expanduser".to_string(), 9)));
    }

    #[test]
    fn from_envvar_and_a_rejected_default_are_required() {
        let src = r#"import os
SECRET = os.getenv("SECRET_KEY", "insecure")
if SECRET == "insecure" and not DEBUG:
    raise RuntimeError("set SECRET_KEY")
TOKEN = os.environ.get("TOKEN")
if not TOKEN:
    raise RuntimeError("set TOKEN")
LEVEL = os.getenv("LEVEL", "info")
if LEVEL == "debug":
    raise RuntimeError("no")
app.config.from_envvar("APP_CONFIG")
app.config.from_envvar("QUIET_CONFIG", silent=True)
if "GUARDED_CONFIG" in os.environ:
    app.config.from_envvar("GUARDED_CONFIG")
try:
    app.config.from_envvar("TRIED_CONFIG")
except RuntimeError:
    pass
class Plugin:
    def check(self):
        path = os.getenv("CREDENTIALS")
        if path is None:
            raise ValueError("on demand only")
"#;
        let f = facts(src, "config.py").unwrap();
        let (mut required, optional) = env(&f);
        required.sort();
        assert_eq!(required, vec!["APP_CONFIG", "SECRET_KEY", "TOKEN"]);
        for v in [
            "QUIET_CONFIG",
            "GUARDED_CONFIG",
            "TRIED_CONFIG",
            "CREDENTIALS",
        ] {
            assert!(optional.contains(&v), "{v}: {optional:?}");
        }
        // The line is the read's.
        assert!(f.required_env.contains(&("SECRET_KEY".to_string(), 2)));
    }

    #[test]
    fn a_compatibility_function_named_iteritems_is_python_3() {
        let src = "from ._compat import iteritems
for k, v in iteritems(settings):
    pass
";
        assert_eq!(facts(src, "app.py").unwrap().python2, None);
        // A method the file defines itself is its own.
        let src = "class Bag:
    def iteritems(self):
        return iter(self.d.items())
for k in Bag().iteritems():
    pass
";
        assert_eq!(facts(src, "bag.py").unwrap().python2, None);
        // SQLAlchemy's JSONB comparator is no dict.
        let src = "q = Entity.query.filter(Entity.data.has_key('x'))\n";
        assert_eq!(facts(src, "s.py").unwrap().python2, None);
        // The dict methods are Python 2.
        for m in ["iteritems", "itervalues", "iterkeys", "has_key"] {
            let src = format!(
                "d = {{}}
for x in d.{m}():
    pass
"
            );
            assert_eq!(
                facts(&src, "m.py").unwrap().python2,
                Some((format!(".{m}()"), 2))
            );
        }
    }

    #[test]
    fn a_secret_made_in_a_function_run_on_demand_is_not_per_process() {
        let src = "import os
def makeconfig():
    return {'secret_key': os.urandom(24)}
";
        assert_eq!(facts(src, "cli.py").unwrap().random_secret, None);
        let src = "import os
from flask import Flask
def create_app():
    app = Flask(__name__)
    app.config['SECRET_KEY'] = os.urandom(24)
    return app
";
        assert_eq!(facts(src, "app.py").unwrap().random_secret, Some((5, None)));
        let src = "import os
SECRET_KEY = os.urandom(24)
";
        assert_eq!(facts(src, "c.py").unwrap().random_secret, Some((2, None)));
    }

    #[test]
    fn a_database_uri_read_without_a_default_is_required() {
        let src = "import os\nclass Config:\n    SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL')\n    MAIL = os.getenv('MAIL_SERVER')\nclass Dev(Config):\n    SQLALCHEMY_DATABASE_URI = os.environ.get('DEV_DB', 'sqlite:///dev.db')\n";
        let f = facts(src, "config.py").unwrap();
        assert_eq!(f.required_env, [("DATABASE_URL".to_string(), 3)]);
        let optional: Vec<&str> = f.optional_env.iter().map(|(n, _)| n.as_str()).collect();
        assert!(optional.contains(&"MAIL_SERVER"), "{optional:?}");
    }

    #[test]
    fn a_sqlite_url_with_a_computed_path_names_no_folder() {
        let src = "import os, tempfile\nDB = 'sqlite:///' + os.path.join(tempfile.gettempdir(), 'x.db')\nREL = 'sqlite:///app.db'\n";
        let f = facts(src, "config.py").unwrap();
        assert_eq!(f.sqlite, [("app.db".to_string(), 3)]);
    }

    #[test]
    fn a_class_whose_new_builds_the_app_is_a_factory() {
        let src = "import flask\n\nclass App:\n    def __new__(cls, core, develop=False):\n        app = flask.Flask(__name__)\n        return app\n";
        let f = facts(src, "webui/app.py").unwrap();
        assert_eq!(f.apps.len(), 1);
        let a = &f.apps[0];
        assert_eq!(
            (a.name.as_str(), &a.kind, a.line),
            ("App", &AppKind::Factory, 4)
        );
        assert_eq!(a.required_args, ["core"]);
    }

    #[test]
    fn a_star_parameter_named_like_main_state_is_the_functions_own() {
        let src = "import argparse\nfrom flask import Flask, jsonify as fj\napp = Flask(__name__)\n\ndef jsonify(*args, **kwargs):\n    return fj(*args, **kwargs)\n\n@app.route('/ip')\ndef ip():\n    return jsonify(origin='x')\n\nif __name__ == '__main__':\n    args = argparse.ArgumentParser().parse_args()\n    kwargs = {}\n    app.run()\n";
        let f = facts(src, "core.py").unwrap();
        assert!(f.main_state.is_empty(), "{:?}", f.main_state);
    }

    #[test]
    fn a_chained_assignment_is_one_app() {
        let f = facts(
            "from flask import Flask\napplication = app = Flask(__name__)\n",
            "web.py",
        )
        .unwrap();
        let names: Vec<&str> = f.apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["application"]);
        let f = facts(
            "from pkg import create_app\nweb = application = create_app()\n",
            "wsgi.py",
        )
        .unwrap();
        let names: Vec<&str> = f.apps.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["application"]);
    }

    #[test]
    fn a_plugin_class_registration_on_a_method_is_no_route() {
        let src = "import octoprint.plugin\nfrom flask import Blueprint\nbp = Blueprint('b', __name__)\n\nclass P(octoprint.plugin.BlueprintPlugin):\n    @octoprint.plugin.BlueprintPlugin.route('/', methods=['GET'])\n    def data(self):\n        return ''\n\n    @bp.route('/mine')\n    def mine(self):\n        return ''\n";
        let f = facts(src, "plugin.py").unwrap();
        let routes: Vec<(&str, &str)> = f
            .routes
            .iter()
            .map(|r| (r.path.as_str(), r.on.as_str()))
            .collect();
        assert_eq!(routes, [("/mine", "bp")]);
    }

    #[test]
    fn an_objects_own_port_is_no_config_port() {
        let src = "class EmailService:
    def __init__(self):
        self.port = 25
class Config:
    PORT = 8080
";
        let f = facts(src, "emails.py").unwrap();
        let ports: Vec<_> = f
            .config_ports
            .iter()
            .map(|(k, p, _)| (k.as_str(), *p))
            .collect();
        assert_eq!(ports, vec![("PORT", 8080)]);
    }

    #[test]
    fn folders_are_folder_keys_values_and_made_folders_resolved_from_the_file() {
        let src = r#"import os
from pathlib import Path
from flask import Flask
BASE_DIR = os.path.dirname(os.path.abspath(__file__))
app = Flask(__name__)
args = {"page": 1, "sort_by": "id", "sort_dir": "desc"}
SORT_DIR = "asc"
css_dir = os.path.join(BASE_DIR, "css")
ENGINE_DIR = os.path.dirname(os.path.realpath(__file__))
app.config["UPLOAD_FOLDER"] = os.path.join(BASE_DIR, "uploads")
app.config["STATIC_FOLDER"] = os.getenv("STATIC_FOLDER", os.path.join(BASE_DIR, "static"))
app.config["CONFIG_PATH"] = os.getenv("CONFIG_VOLUME", os.path.join(app.config["STATIC_FOLDER"], "config"))
os.makedirs(app.config["CONFIG_PATH"], exist_ok=True)
os.makedirs(os.path.join(os.path.dirname(__file__), "..", "var", "cache"), exist_ok=True)
Path(Path(__file__).resolve().parent / "logs").mkdir(exist_ok=True)
os.makedirs(os.path.join(os.path.dirname(__file__), "..", "..", "outside"), exist_ok=True)
"#;
        let f = facts(src, "app/__init__.py").unwrap();
        let folders: Vec<_> = f.folders.iter().map(|(d, l)| (d.as_str(), *l)).collect();
        assert_eq!(
            folders,
            vec![
                ("app/uploads", 10),
                ("app/static/config", 13),
                ("var/cache", 14),
                ("app/logs", 15),
            ]
        );
    }

    #[test]
    fn python_2_code_in_a_branch_on_the_python_version_is_compatibility_code() {
        for test in [
            "sys.version_info[0] == 2",
            "sys.version_info < (3,)",
            "PY2",
            "six.PY2",
            "not IS_PY3",
        ] {
            let src = format!("import sys\nif {test}:\n    from StringIO import StringIO\n    d.iteritems()\nelse:\n    from io import StringIO\n");
            assert_eq!(facts(&src, "w.py").unwrap().python2, None, "{test}");
        }
        // A test on something else does not hide it.
        let src = "if DEBUG:\n    import urllib2\n";
        assert_eq!(
            facts(src, "w.py").unwrap().python2,
            Some(("import urllib2".to_string(), 2))
        );
    }

    #[test]
    fn a_python_2_module_only_as_a_fallback_is_python_3_code() {
        let fallback = "try:\n    import queue\nexcept ImportError:\n    import Queue as queue\n";
        assert_eq!(facts(fallback, "w.py").unwrap().python2, None);
        let only = "import Queue\n";
        assert_eq!(
            facts(only, "w.py").unwrap().python2,
            Some(("import Queue".into(), 1))
        );
    }

    #[test]
    fn module_app_and_main_block() {
        let src = "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/healthz')\ndef h():\n    return 'ok'\n\nif __name__ == '__main__':\n    app.run(debug=True, port=8080)\n";
        let f = facts(src, "app.py").unwrap();
        assert_eq!(f.apps.len(), 1);
        assert_eq!(f.apps[0].name, "app");
        assert_eq!(f.apps[0].line, 3);
        let routes: Vec<_> = f
            .routes
            .iter()
            .map(|r| (r.path.as_str(), r.line, r.on.as_str(), r.import_time))
            .collect();
        assert_eq!(routes, vec![("/healthz", 5, "app", true)]);
        assert_eq!(f.runs.len(), 1);
        assert!(f.runs[0].in_main_block && f.runs[0].debug);
        assert_eq!(f.runs[0].port, Some(8080));
    }

    #[test]
    fn factory_with_required_args_and_env() {
        let src = "import os\nfrom flask import Flask\n\ndef create_app(config, debug=False):\n    app = Flask(__name__)\n    app.config['X'] = os.environ['SECRET_KEY']\n    os.environ['SET'] = '1'\n    db = os.getenv('DB_URL')\n    opt = os.getenv('OPT', 'x')\n    return app\n\ndef helper():\n    return 1\n";
        let f = facts(src, "pkg/__init__.py").unwrap();
        assert_eq!(f.apps.len(), 1);
        assert_eq!(f.apps[0].kind, AppKind::Factory);
        assert_eq!(f.apps[0].required_args, vec!["config"]);
        let names: Vec<_> = f
            .required_env
            .iter()
            .map(|(n, l)| (n.as_str(), *l))
            .collect();
        assert_eq!(names, vec![("SECRET_KEY", 6)]);
        let names: Vec<_> = f
            .optional_env
            .iter()
            .map(|(n, l)| (n.as_str(), *l))
            .collect();
        assert_eq!(names, vec![("DB_URL", 8)]);
        // A WSGI environ dict is not the process environment.
        let src = "def app(environ, start):\n    x = environ['PATH_INFO']\n    y = environ.get('REMOTE_ADDR')\n";
        let f = facts(src, "w.py").unwrap();
        assert!(f.required_env.is_empty() && f.optional_env.is_empty());
        let src = "from os import environ as E, getenv\nx = E['A']\ny = getenv('B')\n";
        let f = facts(src, "w.py").unwrap();
        assert_eq!(f.required_env, vec![("A".to_string(), 2)]);
        assert_eq!(f.optional_env, vec![("B".to_string(), 3)]);
    }

    #[test]
    fn flask_subclasses_make_apps_and_factories() {
        // Flask-API's FlaskAPI, APIFlask, a project's own subclass; not a FlaskForm.
        let src = "from flask_api import FlaskAPI\nfrom flask_wtf import FlaskForm\n\ndef create_app(db_file=None):\n    app = FlaskAPI(__name__)\n    return app\n\napi = apiflask.APIFlask(__name__)\nweb = MyFlask(__name__)\nform = FlaskForm()\n";
        let apps = facts(src, "server.py").unwrap().apps;
        let got: Vec<(&str, AppKind)> = apps
            .iter()
            .map(|a| (a.name.as_str(), a.kind.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("create_app", AppKind::Factory),
                ("api", AppKind::Instance),
                ("web", AppKind::Instance)
            ]
        );
    }

    #[test]
    fn flask_inside_main_block_is_not_an_app() {
        let src =
            "if __name__ == '__main__':\n    from flask import Flask\n    app = Flask(__name__)\n";
        assert!(facts(src, "x.py").unwrap().apps.is_empty());
    }

    #[test]
    fn gunicorn_bind() {
        let src = "import os\nbind = '0.0.0.0:' + os.environ.get('PORT', '8000')\n";
        let b = facts(src, "gunicorn.conf.py").unwrap().bind.unwrap();
        assert_eq!(b.env_port_default, Some(Some(8000)));
        let b = facts("bind = '0.0.0.0:9000'\n", "g.py")
            .unwrap()
            .bind
            .unwrap();
        assert_eq!(b.literal_port, Some(9000));
    }

    /// The shape of sqlite-web: module state set to None, set only in a
    /// function main() calls, read by a before_request hook and a route.
    const SCRIPT_STATE: &str = "from flask import Flask\napp = Flask(__name__)\ndataset = None\n\n@app.before_request\ndef connect():\n    dataset.connect()\n\n@app.route('/')\ndef index():\n    return str(dataset.tables)\n\ndef initialize_app(filename):\n    global dataset\n    dataset = open(filename)\n\ndef main():\n    initialize_app('x.db')\n    app.run()\n\nif __name__ == '__main__':\n    main()\n";

    #[test]
    fn state_only_main_sets_and_a_before_request_hook_reads_is_found() {
        let f = facts(SCRIPT_STATE, "app.py").unwrap();
        assert_eq!(
            f.main_state,
            vec![MainOnlyState {
                name: "dataset".into(),
                set_line: 15,
                set_in: Some("initialize_app".into()),
                set_by: vec!["initialize_app".into(), "main".into()],
                read_line: 7,
                read_in: "connect()".into(),
                every_request: true,
            }]
        );
    }

    #[test]
    fn state_read_by_a_route_or_a_function_it_calls_and_config_keys_count() {
        let src = "from flask import Flask\napp = Flask(__name__)\n\ndef load():\n    return db.query()\n\n@app.route('/')\ndef index():\n    return load() + app.config['DATABASE']\n\nif __name__ == '__main__':\n    db = connect()\n    app.config['DATABASE'] = 'x'\n    app.run()\n";
        let got: Vec<(String, usize, Option<String>, usize, String, bool)> = facts(src, "app.py")
            .unwrap()
            .main_state
            .into_iter()
            .map(|s| {
                (
                    s.name,
                    s.set_line,
                    s.set_in,
                    s.read_line,
                    s.read_in,
                    s.every_request,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "db".into(),
                    12,
                    None,
                    5,
                    "load() from index()".into(),
                    false
                ),
                (
                    "app.config['DATABASE']".into(),
                    13,
                    None,
                    9,
                    "index()".into(),
                    false
                ),
            ]
        );
    }

    #[test]
    fn defaults_main_overrides_state_only_main_uses_and_factories_are_served() {
        let cases = [
            // A module-level default that main() overrides.
            "from flask import Flask\napp = Flask(__name__)\nDATABASE = 'app.db'\n\n@app.route('/')\ndef index():\n    return DATABASE\n\ndef main():\n    global DATABASE\n    DATABASE = 'other.db'\n    app.run()\n\nif __name__ == '__main__':\n    main()\n",
            // A config default at import that main() overrides.
            "from flask import Flask\napp = Flask(__name__)\napp.config['DATABASE'] = 'app.db'\n\n@app.route('/')\ndef index():\n    return app.config['DATABASE']\n\nif __name__ == '__main__':\n    app.config['DATABASE'] = 'x'\n    app.run()\n",
            // State main() sets and only main() uses.
            "from flask import Flask\napp = Flask(__name__)\nargs = None\n\n@app.route('/')\ndef index():\n    return 'ok'\n\ndef main():\n    global args\n    args = parse()\n    app.run(port=args.port)\n\nif __name__ == '__main__':\n    main()\n",
            // Set at import too (a module-level call runs the setter).
            "from flask import Flask\napp = Flask(__name__)\ndb = None\n\n@app.route('/')\ndef index():\n    return db.q()\n\ndef setup():\n    global db\n    db = connect()\n\nsetup()\n\nif __name__ == '__main__':\n    setup()\n    app.run()\n",
            // A local of the handler's own is not the module's state.
            "from flask import Flask\napp = Flask(__name__)\ndb = None\n\n@app.route('/')\ndef index():\n    db = connect()\n    return db.q()\n\nif __name__ == '__main__':\n    db = connect()\n    app.run()\n",
            // A factory: its routes are nested, its state its own.
            "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    @app.route('/')\n    def index():\n        return db.q()\n    return app\n\ndef main():\n    global db\n    db = connect()\n    create_app().run()\n\nif __name__ == '__main__':\n    main()\n",
            // Config filled from a file this module does not show.
            "from flask import Flask\napp = Flask(__name__)\napp.config.from_pyfile('settings.cfg')\n\n@app.route('/')\ndef index():\n    return app.config['DATABASE']\n\nif __name__ == '__main__':\n    app.config['DATABASE'] = 'x'\n    app.run()\n",
        ];
        for src in cases {
            assert_eq!(facts(src, "app.py").unwrap().main_state, vec![], "{src}");
        }
    }

    #[test]
    fn invalid_python_is_none() {
        assert!(facts("def (:\n", "x.py").is_none());
    }
}
