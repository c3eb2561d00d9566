//! `flaskgen init` detection on project shapes its first tests did not
//! have: installable packages, factories that wrap factories or need
//! arguments, apps that register their routes only when they start their own
//! server, ports from options and config, blueprint prefixes, route tables,
//! folders from config, environment reachable from the entry point, a
//! per-process secret with CSRF, Python 2 code, Procfiles and stale locks.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::existing::project;
use crate::*;

/// `init --yes --dry-run --json` in `dir`: exit code, JSON (if any), stderr.
fn dry_json(dir: &Path) -> (Option<i32>, Value, String) {
    let out = flaskgen(dir)
        .args(["init", "--yes", "--dry-run", "--json"])
        .output()
        .unwrap();
    let j = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), j, stderr(&out))
}

/// `init --yes --dry-run` in `dir`: the files shown, and stderr; must succeed.
fn dry_text(dir: &Path) -> (String, String) {
    let out = flaskgen(dir)
        .args(["init", "--yes", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (stdout(&out), stderr(&out))
}

fn names(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap_or_else(|| e.as_str().unwrap()))
        .collect()
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (p, text) in files {
        let p = root.join(p);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

#[test]
fn a_setup_py_package_whose_requirements_txt_is_the_clis_installs_itself_with_its_server_extra() {
    let dir = fixture("projects/pkg-setuppy");
    let (code, j, err) = dry_json(&dir);
    assert_eq!(code, Some(0), "{err}");
    let d = &j["detection"];
    // A factory that returns another factory's app is the entry, not the
    // wrapped one that needs a config argument.
    assert_eq!(j["chosen"]["entry"], "notes:create_app()");
    // Flask and gunicorn come from the package's `server` extra.
    let deps: Vec<&str> = d["deps"]["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        deps.contains(&"flask") && deps.contains(&"gunicorn"),
        "{deps:?}"
    );
    assert_eq!(j["chosen"]["gunicorn_added"], false);
    assert_eq!(
        d["deps"]["package"]["extras"],
        serde_json::json!(["server"])
    );
    assert_eq!(d["python"]["value"], ">=3.10");
    assert_eq!(d["python"]["file"], "setup.py");
    assert_eq!(d["python"]["line"], 14);
    // The click option's default, with its file:line.
    assert_eq!(j["chosen"]["port"], 8080);
    assert_eq!(d["port"]["file"], "notes/cli.py");
    assert_eq!(d["port"]["line"], 8);
    // The blueprint's prefix, given at register_blueprint, is part of the path.
    assert_eq!(j["chosen"]["health"], "/api/ping");
    assert_eq!(names(&d["writable"]), vec!["var/uploads"]);
    // The CLI reads EDITOR and BROWSER, but the web app never imports it.
    assert!(names(&d["env"]).is_empty(), "{}", d["env"]);
    assert!(
        names(&d["env_optional"]).is_empty(),
        "{}",
        d["env_optional"]
    );

    let (files, _) = dry_text(&dir);
    let deps_layer = files.find("\"flask>=3.0\",\"gunicorn>=22\"").expect(&files);
    let copy = files.find("COPY . .").unwrap();
    let itself = files
        .find("RUN pip install --no-cache-dir --no-deps \".[server]\"")
        .expect(&files);
    assert!(deps_layer < copy && copy < itself, "{files}");
}

#[test]
fn a_setup_cfg_package_with_a_route_table_a_csrf_form_and_a_secret_made_per_process() {
    let dir = fixture("projects/pkg-setupcfg");
    let (code, j, err) = dry_json(&dir);
    assert_eq!(code, Some(0), "{err}");
    let d = &j["detection"];
    assert_eq!(d["deps"]["manager"], "package");
    // gunicorn pinned in setup.cfg is a dependency.
    assert_eq!(j["chosen"]["gunicorn_added"], false);
    assert_eq!(d["python"]["value"], ">=3.9");
    assert_eq!(d["python"]["file"], "setup.cfg");
    // int(os.environ.get("PORT", 8081)) in app.run.
    assert_eq!(j["chosen"]["port"], 8081);
    // Routes from a table passed to add_url_rule.
    assert_eq!(j["chosen"]["health"], "/healthz");
    assert_eq!(names(&d["writable"]), vec!["media", "cache/thumbs"]);
    // HOME read through an alias of os.environ.
    assert_eq!(d["home"]["line"], 14, "{}", d["home"]);
    // os.urandom at import with Flask-WTF's CSRF: SECRET_KEY is required, and why.
    assert_eq!(names(&d["env"]), vec!["SECRET_KEY"]);
    assert_eq!(d["env"][0]["line"], 9);
    assert!(
        err.contains("made per process") && err.contains("CSRF"),
        "{err}"
    );

    let (files, _) = dry_text(&dir);
    assert!(files.contains("${SECRET_KEY:?"), "{files}");
    assert!(
        files.contains("\"flask>=3.0\",\"flask-wtf>=1.2\",\"gunicorn==23.0.0\""),
        "{files}"
    );
    assert!(
        files.contains("RUN pip install --no-cache-dir --no-deps \".\""),
        "{files}"
    );
}

#[test]
fn an_app_whose_routes_are_registered_only_in_main_is_refused_with_its_own_start_command() {
    let (_tmp, dir) = project("own-server");
    let before = files(&dir);
    let out = flaskgen(&dir).args(["init", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("registers no route when gunicorn imports it")
            && err.contains("main()")
            && err.contains("srv/__init__.py:15")
            && err.contains("`python -m srv`")
            && err.contains("--entry"),
        "{err}"
    );
    assert_eq!(files(&dir), before, "nothing is written");

    // The same app with one route at import time is served.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[(
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/health')\ndef h():\n    return 'ok'\n\ndef main():\n    @app.route('/x')\n    def x():\n        return 'x'\n    app.run()\n\nif __name__ == '__main__':\n    main()\n",
        )],
    );
    let (code, j, err) = dry_json(tmp.path());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(j["chosen"]["entry"], "app:app");
}

#[test]
fn an_app_whose_requests_read_state_only_its_main_sets_is_refused_with_its_own_start_command() {
    // sqlite-web's shape: `dataset = None` at module level, set only in a
    // function main() calls (main() is a console script), read by a
    // before_request hook and a route.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("proj");
    fs::create_dir(&dir).unwrap();
    let app = "from flask import Flask\napp = Flask(__name__)\ndataset = None\n\n@app.before_request\ndef connect():\n    dataset.connect()\n\n@app.route('/')\ndef index():\n    return str(dataset.tables)\n\ndef initialize_app(filename):\n    global dataset\n    dataset = open(filename)\n\ndef main():\n    initialize_app('x.db')\n    app.run()\n\nif __name__ == '__main__':\n    main()\n";
    write(
        &dir,
        &[
            ("sqlweb/__init__.py", ""),
            ("sqlweb/web.py", app),
            (
                "pyproject.toml",
                "[project]\nname = \"sqlweb\"\nversion = \"1.0\"\ndependencies = [\"flask\"]\n\n[project.scripts]\nsqlweb = \"sqlweb.web:main\"\n",
            ),
        ],
    );
    let before = files(&dir);
    let out = flaskgen(tmp.path())
        .args(["init", "proj", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the app's state `dataset` is only set in initialize_app() (run by main()) at sqlweb/web.py:15, which gunicorn never runs")
            && err.contains("connect() reads it at sqlweb/web.py:7, so every request would fail")
            && err.contains("`sqlweb`")
            && err.contains("--entry"),
        "{err}"
    );
    assert_eq!(files(&dir), before, "nothing is written");

    // State set only in the `__main__` block itself and read by a route.
    let block = tempfile::tempdir().unwrap();
    write(
        block.path(),
        &[(
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return app.config['DATABASE']\n\nif __name__ == '__main__':\n    app.config['DATABASE'] = 'x.db'\n    app.run()\n",
        )],
    );
    let (code, _, err) = dry_json(block.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("`app.config['DATABASE']` is only set in the `__main__` block at app.py:9")
            && err.contains("index() reads it at app.py:6")
            && err.contains("`python app.py`"),
        "{err}"
    );

    // A default at module level that main() overrides is served.
    let served = tempfile::tempdir().unwrap();
    write(
        served.path(),
        &[(
            "app.py",
            &app.replace("dataset = None\n", "dataset = open('default.db')\n"),
        )],
    );
    let (code, j, err) = dry_json(served.path());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(j["chosen"]["entry"], "app:app");
}

#[test]
fn a_factory_that_needs_arguments_is_refused_unless_entry_gives_them() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[(
            "shop.py",
            "from flask import Flask\n\ndef create_app(config, db_url, *, debug):\n    app = Flask(__name__)\n    return app\n",
        )],
    );
    let out = flaskgen(tmp.path())
        .args(["init", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("shop:create_app()")
            && err.contains("shop.py:3")
            && err.contains("config, db_url, debug")
            && err.contains("--entry"),
        "{err}"
    );
    assert_eq!(files(tmp.path()), vec!["shop.py"]);
    let out = flaskgen(tmp.path())
        .args([
            "init",
            "--yes",
            "--dry-run",
            "--entry",
            "shop:create_app(1, 2, debug=False)",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Python 2 code refuses the app only in a file the entry's imports reach:
/// an old script or migration beside the app is never loaded.
#[test]
fn python_2_code_the_app_never_imports_does_not_refuse_it() {
    let app = "from flask import Flask\nfrom legacy import helper\napp = Flask(__name__)\n\n@app.get('/')\ndef i():\n    return 'x'\n";
    let old = "def helper():\n    pass\n";
    let script = "import urllib2\nprint 'migrating'\n";
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            ("app.py", app),
            ("legacy.py", old),
            ("schema/migration/old.py", script),
            ("tools/older.py", "for k, v in {}.iteritems():\n    pass\n"),
        ],
    );
    let out = flaskgen(tmp.path())
        .args(["init", "--yes", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The same code in a module the app imports refuses it.
    write(
        tmp.path(),
        &[("legacy.py", "import urllib2\ndef helper():\n    pass\n")],
    );
    let out = flaskgen(tmp.path())
        .args(["init", "--yes", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("legacy.py:1: Python 2 code (import urllib2)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn python_2_code_is_reported_as_such() {
    for (file, text, what) in [
        (
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/')\ndef i():\n    print 'hit'\n    return 'x'\n",
            "app.py:6: Python 2 code (print statement)",
        ),
        (
            "app.py",
            "import urllib2\nfrom flask import Flask\napp = Flask(__name__)\n",
            "app.py:1: Python 2 code (import urllib2)",
        ),
        (
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\nfor k, v in {}.iteritems():\n    pass\n",
            "app.py:3: Python 2 code (.iteritems())",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), &[(file, text)]);
        let out = flaskgen(tmp.path())
            .args(["init", "--yes"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains(what), "{what}: {}", stderr(&out));
        assert_eq!(files(tmp.path()), vec![file]);
    }
}

#[test]
fn health_is_never_a_root_that_is_not_a_route() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[(
            "app.py",
            "from flask import Flask, Blueprint\napp = Flask(__name__)\nbp = Blueprint('v1', __name__, url_prefix='/v1')\n\n@bp.route('/items/<int:i>')\ndef item(i):\n    return 'x'\n\n@bp.route('/items')\ndef items():\n    return 'x'\n\napp.register_blueprint(bp)\n",
        )],
    );
    let (code, j, err) = dry_json(tmp.path());
    assert_eq!(code, Some(0), "{err}");
    // The Blueprint's own url_prefix is part of the path.
    assert_eq!(j["chosen"]["health"], "/v1/items");
    assert_eq!(j["detection"]["health"]["line"], 9);
}

#[test]
fn a_port_behind_a_config_value_counts() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            (
                "settings.py",
                "import os\nPORT = int(os.environ.get('APP_PORT', 9090))\n",
            ),
            (
                "app.py",
                "from flask import Flask\nimport settings\napp = Flask(__name__)\napp.config.from_object(settings)\n\n@app.route('/')\ndef i():\n    return 'x'\n\nif __name__ == '__main__':\n    app.run(port=app.config['PORT'])\n",
            ),
        ],
    );
    let (code, j, err) = dry_json(tmp.path());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(j["chosen"]["port"], 9090);
    assert_eq!(j["detection"]["port"]["file"], "settings.py");
    assert_eq!(j["detection"]["port"]["line"], 2);
}

#[test]
fn the_procfile_web_command_names_the_entry() {
    let (_tmp, dir) = project("two-apps");
    fs::write(
        dir.join("Procfile"),
        "release: flask db upgrade\nweb: gunicorn --workers 3 -b 0.0.0.0:$PORT web:app\n",
    )
    .unwrap();
    let (code, j, err) = dry_json(&dir);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(j["chosen"]["entry"], "web:app");
    assert_eq!(j["detection"]["entry"]["file"], "Procfile");
    assert_eq!(j["detection"]["entry"]["line"], 2);
    assert!(
        err.contains("Procfile:2: the Procfile declares the production command")
            && err.contains("its options --workers=3"),
        "{err}"
    );
    // Its worker options reach the CMD; its bind stays gunicorn.conf.py's.
    let (files, _) = dry_text(&dir);
    assert!(
        files.contains(
            r#"CMD ["gunicorn", "--config", "gunicorn.conf.py", "--workers=3", "web:app"]"#
        ),
        "{files}"
    );
}

#[test]
fn a_stale_pipfile_lock_is_said_before_writing_and_the_build_does_not_verify_it() {
    // The fixture's lock matches its Pipfile: no word, and the build verifies it.
    let (files, err) = dry_text(&fixture("projects/pipfile"));
    assert!(!err.contains("stale"), "{err}");
    assert!(files.contains("pipenv verify"), "{files}");

    let (_tmp, dir) = project("pipfile");
    let pipfile = fs::read_to_string(dir.join("Pipfile")).unwrap();
    fs::write(
        dir.join("Pipfile"),
        pipfile.replace("[packages]\n", "[packages]\nrequests = \"*\"\n"),
    )
    .unwrap();
    let (files, err) = dry_text(&dir);
    assert!(
        err.contains("Pipfile.lock is stale against Pipfile") && err.contains("pipenv lock"),
        "{err}"
    );
    assert!(!files.contains("pipenv verify"), "{files}");
    assert!(files.contains("pipenv lock"), "{files}");

    // With a requirements.txt, that is what the image installs instead.
    fs::write(dir.join("requirements.txt"), "flask==3.1.3\nrequests\n").unwrap();
    let (files, err) = dry_text(&dir);
    assert!(
        err.contains("installs the project's requirements.txt instead"),
        "{err}"
    );
    assert!(
        files.contains("RUN pip install --no-cache-dir -r requirements.txt"),
        "{files}"
    );
}

#[test]
fn a_stale_poetry_lock_is_said_and_resolved_at_build_time() {
    let (files, err) = dry_text(&fixture("projects/poetry"));
    assert!(!err.contains("stale"), "{err}");
    assert!(files.contains("poetry check --lock"), "{files}");
    let (_tmp, dir) = project("poetry");
    let py = fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    fs::write(
        dir.join("pyproject.toml"),
        format!("{py}requests = \"*\"\n"),
    )
    .unwrap();
    let (files, err) = dry_text(&dir);
    assert!(
        err.contains("poetry.lock is stale against pyproject.toml") && err.contains("content-hash"),
        "{err}"
    );
    assert!(!files.contains("poetry check --lock"), "{files}");
    assert!(files.contains("poetry lock"), "{files}");
}

#[test]
fn a_uv_lock_behind_pyproject_is_said() {
    let (_files, err) = dry_text(&fixture("projects/uv"));
    assert!(!err.contains("stale"), "{err}");
    let tmp = tempfile::tempdir().unwrap();
    let lock = "version = 1\nrequires-python = \">=3.12\"\n\n[[package]]\nname = \"shop\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\ndependencies = [{ name = \"flask\" }]\n\n[package.metadata]\nrequires-dist = [{ name = \"flask\", specifier = \">=3.1\" }, { name = \"pytest\", marker = \"extra == 'test'\" }]\n\n[[package]]\nname = \"flask\"\nversion = \"3.1.3\"\n";
    let pyproject = |deps: &str| {
        format!("[project]\nname = \"shop\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\ndependencies = [{deps}]\n[project.optional-dependencies]\ntest = [\"pytest\"]\n")
    };
    write(
        tmp.path(),
        &[
            ("uv.lock", lock),
            ("pyproject.toml", &pyproject("\"flask>=3.1\"")),
            (
                "main.py",
                "from flask import Flask\napp = Flask(__name__)\n",
            ),
        ],
    );
    let (_files, err) = dry_text(tmp.path());
    assert!(!err.contains("stale"), "{err}");
    write(
        tmp.path(),
        &[("pyproject.toml", &pyproject("\"flask>=3.1\", \"requests\""))],
    );
    let (_files, err) = dry_text(tmp.path());
    assert!(
        err.contains("uv.lock is stale against pyproject.toml")
            && err.contains("requests that uv.lock does not record"),
        "{err}"
    );
}

#[test]
fn routes_registered_by_a_function_called_at_import_are_served_and_health_answers_get() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            (
                "routes.py",
                "def register_routes(app):\n    @app.route('/login', methods=['POST'])\n    def login():\n        return 'x'\n\n    @app.route('/about', methods=('GET', 'HEAD'))\n    def about():\n        return 'x'\n",
            ),
            (
                "app.py",
                "from flask import Flask\nfrom routes import register_routes\n\napp = Flask(__name__)\napp.config['STATIC_FOLDER'] = 'static'\napp.config['EXPORT_DIR'] = 'exports'\nregister_routes(app)\n\ndef main():\n    app.run()\n\nif __name__ == '__main__':\n    main()\n",
            ),
        ],
    );
    let (code, j, err) = dry_json(tmp.path());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(j["chosen"]["entry"], "app:app");
    // `/login` answers POST only; the HEALTHCHECK sends GET.
    assert_eq!(j["chosen"]["health"], "/about");
    // The code's own static folder is not made writable; an export folder is.
    assert_eq!(names(&j["detection"]["writable"]), vec!["exports"]);
}

#[test]
fn a_flask_subclass_factory_with_an_overridable_random_secret_and_a_prefixed_health_route() {
    let tmp = assert_fs::TempDir::new().unwrap();
    let dir = tmp.path();
    write(
        dir,
        &[
            ("requirements.txt", "flask-api==3.1\nflask-wtf==1.2.2\n"),
            (
                "bookmarks/server.py",
                "import os\nfrom flask import Blueprint\nfrom flask_api import FlaskAPI\nfrom flask_wtf import FlaskForm\n\nmgmt = Blueprint('mgmt', __name__)\n\n\n@mgmt.route('/management/healthcheck')\ndef health():\n    return 'OK'\n\n\ndef create_app(db_file=None):\n    app = FlaskAPI(__name__)\n    app.config['SECRET_KEY'] = os.getenv('BOOKMARKS_SECRET_KEY') or os.urandom(24)\n    app.register_blueprint(mgmt)\n\n    @app.route('/')\n    def index():\n        return 'home'\n    return app\n",
            ),
        ],
    );
    let (code, j, err) = dry_json(dir);
    assert_eq!(code, Some(0), "{err}");
    let d = &j["detection"];
    // FlaskAPI is a Flask subclass: the factory is the entry.
    assert_eq!(j["chosen"]["entry"], "bookmarks.server:create_app()");
    // The health route under its path prefix, not the index.
    assert_eq!(j["chosen"]["health"], "/management/healthcheck");
    // The key is random per process unless BOOKMARKS_SECRET_KEY is set: that
    // variable is the one required, not a SECRET_KEY the app never reads.
    assert_eq!(names(&d["env"]), vec!["BOOKMARKS_SECRET_KEY"]);
    assert!(err.contains("so BOOKMARKS_SECRET_KEY is required"), "{err}");
    let (files, _) = dry_text(dir);
    assert!(files.contains("${BOOKMARKS_SECRET_KEY:?"), "{files}");
    assert!(!files.contains("\"SECRET_KEY\""), "{files}");
}

/// A wsgi.py that keeps the factory's result under the project's own name
/// (`flaskbb = create_app(...)`) names the entry.
#[test]
fn a_wsgi_module_naming_the_factorys_result_its_own_way_is_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            (
                "forum/__init__.py",
                "from flask import Flask\n\n\ndef create_app(config=None):\n    app = Flask(__name__)\n    return app\n",
            ),
            (
                "forum/cli.py",
                "from forum import create_app\n\n\ndef make_app(script_info):\n    return create_app(script_info.config)\n",
            ),
            ("wsgi.py", "from forum import create_app\n\nforum = create_app(config='forum.cfg')\nhelper = dict(a=1)\n"),
        ],
    );
    let out = flaskgen(tmp.path())
        .args(["init", "--yes", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("entry point    wsgi:forum "), "{err}");
}

/// A class whose `__new__` builds the app from arguments (a core object its
/// own start makes) is refused with them named, not "no Flask app found".
#[test]
fn a_class_that_builds_the_app_from_arguments_is_refused_with_them_named() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[(
            "webui/app.py",
            "import flask\n\n\nclass App:\n    def __new__(cls, pycore, develop=False):\n        app = flask.Flask(__name__)\n        app.config['CORE'] = pycore\n        return app\n",
        )],
    );
    let out = flaskgen(tmp.path())
        .args(["init", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("webui.app:App() at webui/app.py:5 needs arguments (pycore)"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("Dockerfile").exists());
}

/// Of two module-level apps, the one with routes is the entry: a helper
/// module's bare `app = Flask(__name__)` (kept for its decorators) is not.
#[test]
fn of_two_app_instances_the_one_with_routes_is_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        &[
            ("svc/__init__.py", "from .core import *\n"),
            (
                "svc/filters.py",
                "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef gzip(f):\n    return f\n",
            ),
            (
                "svc/core.py",
                "from flask import Flask\nfrom .filters import gzip\n\napp = Flask(__name__)\n\n\n@app.route('/ip')\n@gzip\ndef ip():\n    return 'x'\n",
            ),
        ],
    );
    let out = flaskgen(tmp.path())
        .args(["init", "--yes", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("entry point    svc.core:app "),
        "{}",
        stderr(&out)
    );
}
