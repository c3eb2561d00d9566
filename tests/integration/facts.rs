//! `flaskgen init` detection on the failure classes found on public apps:
//! environment reads that only run when the environment holds them or on
//! another platform, variables the app refuses to start without, Python 3
//! code that looks like Python 2, secrets made on demand, folders made next
//! to the package, an object's own port, an imported health blueprint and a
//! route named by a string enum.

use std::fs;

use serde_json::Value;

use crate::existing::init_json;

/// A project of these files in a temp dir.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (p, text) in files {
        let p = tmp.path().join(p);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    tmp
}

fn values(v: &Value) -> Vec<&str> {
    let mut out: Vec<&str> = v
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    out.sort();
    out
}

const APP: &str = "from flask import Flask\nfrom myapp import config\n\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 'ok'\n";

#[test]
fn environment_reads_guarded_by_the_environment_or_another_platform_are_not_required() {
    let config = r#"import os, sys
app = None
if "SETTINGS_PATH" in os.environ:
    app.config.from_pyfile(os.environ["SETTINGS_PATH"])
if os.environ.get("BUILD_REF"):
    ref = os.environ["BUILD_REF"]
try:
    token = os.environ["TOKEN"]
except KeyError:
    token = None
if sys.platform == "win32":
    base = os.environ["APPDATA"]
DATABASE_URL = os.environ["DATABASE_URL"]
"#;
    let tmp = project(&[
        ("requirements.txt", "flask\n"),
        ("myapp/__init__.py", APP),
        ("myapp/config.py", config),
    ]);
    let j = init_json(tmp.path());
    let d = &j["detection"];
    assert_eq!(values(&d["env"]), vec!["DATABASE_URL"], "{}", d["env"]);
    assert_eq!(
        values(&d["env_optional"]),
        vec!["BUILD_REF", "SETTINGS_PATH", "TOKEN"],
        "{}",
        d["env_optional"]
    );
}

#[test]
fn from_envvar_and_a_default_the_app_refuses_are_required() {
    let config = r#"import os
SECRET_KEY = os.getenv("SECRET_KEY", "mysecretkey")
if SECRET_KEY == "mysecretkey" and not os.getenv("DEBUG"):
    raise RuntimeError("set SECRET_KEY")
LEVEL = os.getenv("LEVEL", "info")
"#;
    let app = "import os\nfrom flask import Flask\nfrom myapp import config\n\napp = Flask(__name__)\napp.config.from_envvar(\"MYAPP_CONFIG\")\napp.config.from_envvar(\"EXTRA_CONFIG\", silent=True)\n\n@app.route('/')\ndef index():\n    return 'ok'\n";
    let tmp = project(&[
        ("requirements.txt", "flask\n"),
        ("myapp/__init__.py", app),
        ("myapp/config.py", config),
    ]);
    let j = init_json(tmp.path());
    let d = &j["detection"];
    assert_eq!(
        values(&d["env"]),
        vec!["MYAPP_CONFIG", "SECRET_KEY"],
        "{}",
        d["env"]
    );
    assert!(
        values(&d["env_optional"]).contains(&"EXTRA_CONFIG"),
        "{}",
        d["env_optional"]
    );
}

#[test]
fn a_compat_iteritems_and_a_secret_made_on_demand_are_python_3_and_no_hazard() {
    let compat = "import sys\nPY2 = sys.version_info[0] == 2\nif not PY2:\n    iteritems = lambda d: iter(d.items())\nelse:\n    iteritems = lambda d: d.iteritems()\n";
    let app = "import os\nfrom flask import Flask\nfrom flask_wtf import CSRFProtect\nfrom myapp._compat import iteritems\nfrom myapp import cli\n\napp = Flask(__name__)\napp.config['SECRET_KEY'] = os.environ.get('SECRET_KEY', 'dev')\nCSRFProtect(app)\nfor k, v in iteritems({'A': 1}):\n    app.config[k] = v\n\n@app.route('/')\ndef index():\n    return 'ok'\n";
    let cli = "import os\n\ndef makeconfig():\n    return {'secret_key': os.urandom(24).hex(), 'SECRET_KEY': os.urandom(24)}\n";
    let tmp = project(&[
        ("requirements.txt", "flask\nflask-wtf\n"),
        ("myapp/__init__.py", app),
        ("myapp/_compat.py", compat),
        ("myapp/cli.py", cli),
    ]);
    let j = init_json(tmp.path());
    let d = &j["detection"];
    assert_eq!(d["python2"], serde_json::json!([]), "{}", d["python2"]);
    let notes = d["notes"].to_string();
    assert!(!notes.contains("per process"), "{notes}");
    assert!(!notes.contains("Python 2"), "{notes}");
}

#[test]
fn folders_made_next_to_the_package_are_writable_and_a_sort_direction_is_not() {
    let app = r#"import os
from flask import Flask

app = Flask(__name__)
app.config["STATIC_FOLDER"] = os.getenv("STATIC_FOLDER", os.path.join(os.path.dirname(os.path.abspath(__file__)), "static"))
os.makedirs(os.path.join(os.path.dirname(__file__), "static", "config"), exist_ok=True)
app.config["CACHE_DIR"] = os.path.join(app.config["STATIC_FOLDER"], "cache")
ARGS = {"page": 1, "sort_by": "id", "sort_dir": "desc"}
SORT_DIR = "asc"

@app.route('/')
def index():
    return 'ok'
"#;
    let tmp = project(&[("requirements.txt", "flask\n"), ("myapp/__init__.py", app)]);
    let j = init_json(tmp.path());
    let d = &j["detection"];
    assert_eq!(
        values(&d["writable"]),
        vec!["myapp/static/cache", "myapp/static/config"],
        "{}",
        d["writable"]
    );
}

#[test]
fn an_objects_own_port_is_not_the_apps_and_a_health_blueprint_is_the_health_route() {
    let app = "from flask import Flask\nfrom flask_healthz import healthz\nfrom myapp.emails import EmailService\n\napp = Flask(__name__)\napp.register_blueprint(healthz, url_prefix='/healthz')\nmail = EmailService()\n\n@app.route('/')\ndef index():\n    return 'ok'\n";
    let emails = "from flask import Flask\n\nclass EmailService:\n    def __init__(self, app: Flask = None):\n        self.host = 'localhost'\n        self.port = 25\n";
    let tmp = project(&[
        ("requirements.txt", "flask\nflask-healthz\n"),
        ("myapp/__init__.py", app),
        ("myapp/emails.py", emails),
    ]);
    let j = init_json(tmp.path());
    assert_eq!(j["chosen"]["port"], 5000, "{}", j["detection"]["port"]);
    assert_eq!(j["chosen"]["health"], "/healthz/live");
    assert_eq!(j["detection"]["health"]["line"], 6);
}

#[test]
fn a_route_named_by_a_string_enum_of_another_module_is_its_string() {
    let endpoint = "from enum import Enum\n\n\nclass Endpoint(Enum):\n    home = 'home'\n    healthz = 'healthz'\n\n    def __str__(self):\n        return self.value\n";
    let app = "from flask import Flask\nfrom myapp.endpoint import Endpoint\n\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 'ok'\n\n@app.route(f'/{Endpoint.healthz}', methods=['GET'])\ndef healthz():\n    return ''\n";
    let tmp = project(&[
        ("requirements.txt", "flask\n"),
        ("myapp/__init__.py", app),
        ("myapp/endpoint.py", endpoint),
    ]);
    let j = init_json(tmp.path());
    assert_eq!(j["chosen"]["health"], "/healthz");
    assert_eq!(j["detection"]["health"]["line"], 10);
}
