//! The rules `flaskgen check` applies, each with a stable ID: this table
//! (ID, name, severity, why, fix) is the one source for `--explain`, the
//! README and SARIF. Each rule's check is in its own file under `rules/`.
//! IDs are never reused or renumbered: tools (and people) filter findings by them.

use serde::Serialize;

use super::context::Context;
use super::Finding;

pub mod fg001_dev_server;
pub mod fg002_debug_mode;
pub mod fg003_root_user;
pub mod fg004_base_image_tag;
pub mod fg005_port_mismatch;
pub mod fg006_server_not_installed;
pub mod fg007_shell_form;
pub mod fg008_deps_after_code;
pub mod fg009_wrong_package_manager;
pub mod fg010_package_manager_flags;
pub mod fg011_pip_cache;
pub mod fg012_no_dockerignore;
pub mod fg013_dockerignore_gaps;
pub mod fg014_secrets_in_context;
pub mod fg015_no_healthcheck;
pub mod fg016_no_dockerfile;
pub mod fg017_dockerfile_unreadable;
pub mod fg018_secret_in_env;
pub mod fg019_add_local;
pub mod fg020_copy_image_root;
pub mod fg021_apt_lists;
pub mod fg022_apt_not_apt_get;
pub mod fg023_relative_copy_no_workdir;

/// Every rule's check, in ID order.
const CHECKS: &[fn(&Context) -> Vec<Finding>] = &[
    fg001_dev_server::check,
    fg002_debug_mode::check,
    fg003_root_user::check,
    fg004_base_image_tag::check,
    fg005_port_mismatch::check,
    fg006_server_not_installed::check,
    fg007_shell_form::check,
    fg008_deps_after_code::check,
    fg009_wrong_package_manager::check,
    fg010_package_manager_flags::check,
    fg011_pip_cache::check,
    fg012_no_dockerignore::check,
    fg013_dockerignore_gaps::check,
    fg014_secrets_in_context::check,
    fg015_no_healthcheck::check,
    fg016_no_dockerfile::check,
    fg017_dockerfile_unreadable::check,
    fg018_secret_in_env::check,
    fg019_add_local::check,
    fg020_copy_image_root::check,
    fg021_apt_lists::check,
    fg022_apt_not_apt_get::check,
    fg023_relative_copy_no_workdir::check,
];

/// The findings of every rule on one context.
pub fn run(ctx: &Context) -> Vec<Finding> {
    CHECKS.iter().flat_map(|check| check(ctx)).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub why: &'static str,
    pub fix: &'static str,
}

macro_rules! rule {
    ($c:ident, $id:literal, $name:literal, $sev:ident, $summary:literal, $why:literal, $fix:literal) => {
        pub const $c: Rule = Rule {
            id: $id,
            name: $name,
            severity: Severity::$sev,
            summary: $summary,
            why: $why,
            fix: $fix,
        };
    };
}

rule!(DEV_SERVER, "FG001", "dev-server", Error,
    "Flask's development server is the start command",
    "The development server is single-process, unhardened and slow; Flask's docs say never to use it in production.",
    "Start gunicorn instead: CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:5000\", \"module:app\"] (gunicorn in the dependencies).");
rule!(
    DEBUG_MODE,
    "FG002",
    "debug-mode",
    Error,
    "Flask debug mode reaches the image",
    "The debugger lets anyone who can reach the port run code in the container.",
    "Remove debug=True / FLASK_DEBUG=1 from what the image runs; enable it only locally."
);
rule!(ROOT_USER, "FG003", "root-user", Error,
    "The container runs as root",
    "A process running as root turns any code-execution bug into root in the container, and on the host's mounted files.",
    "Add `USER 10001:10001` after the install steps (numeric, so it works on Debian and Alpine bases).");
rule!(BASE_TAG, "FG004", "base-image-tag", Warning,
    "The base image has no fixed version",
    "Without a tag, `latest` or a major-only tag (python:3, python:alpine) the image changes under you: builds stop being reproducible and Python upgrades arrive unannounced.",
    "Use a tag with a minor version, e.g. `FROM python:3.14-slim`, or a digest.");
rule!(PORT_MISMATCH, "FG005", "port-mismatch", Warning,
    "Ports disagree (EXPOSE, the server's bind, compose.yaml, PORT)",
    "When the server listens on one port and EXPOSE, compose or PORT name another, the app is unreachable or health checks fail.",
    "Use one port everywhere: ENV PORT, EXPOSE, the gunicorn bind and the compose mapping's container side.");
rule!(SERVER_NOT_INSTALLED, "FG006", "server-not-installed", Error,
    "The start command's program is not installed",
    "The container exits at once with `executable file not found`.",
    "Add the server (e.g. gunicorn) to the project's dependencies, or install it pinned in the Dockerfile.");
rule!(SHELL_FORM, "FG007", "shell-form", Warning,
    "CMD/ENTRYPOINT in shell form",
    "Shell form runs under /bin/sh -c: the shell is PID 1, SIGTERM never reaches the server, and `docker stop` waits 10 s before killing it.",
    "Use the exec (JSON) form: CMD [\"gunicorn\", \"module:app\"].");
rule!(DEPS_AFTER_CODE, "FG008", "deps-after-code", Warning,
    "Dependencies are installed after the code is copied",
    "Every edit to the code invalidates the install layer, so each build re-downloads every dependency.",
    "Copy only the dependency files (requirements.txt, pyproject.toml and the lock) and install them, then copy the code.");
rule!(WRONG_PACKAGE_MANAGER, "FG009", "wrong-package-manager", Error,
    "A package-manager line that cannot work on this base",
    "apt-get does not exist on Alpine and apk not on Debian; an unknown flag such as `apk add -y` fails the build.",
    "Use the base's own package manager with its own flags: `apk add --no-cache PKG` on Alpine, `apt-get install -y --no-install-recommends PKG` on Debian.");
rule!(PACKAGE_FLAGS, "FG010", "package-manager-flags", Warning,
    "A package-manager line keeps caches or installs extras",
    "Package indexes and recommended packages stay in the layer and make the image larger for nothing.",
    "Alpine: `apk add --no-cache PKG` (no separate `apk update`). Debian: `apt-get update && apt-get install -y --no-install-recommends PKG && rm -rf /var/lib/apt/lists/*`.");
rule!(
    PIP_CACHE,
    "FG011",
    "pip-cache",
    Warning,
    "pip keeps its download cache in the image",
    "The wheel cache is dead weight in the layer (often tens of MB).",
    "Add `--no-cache-dir` to pip install, or set `ENV PIP_NO_CACHE_DIR=1`."
);
rule!(NO_DOCKERIGNORE, "FG012", "no-dockerignore", Warning,
    "No .dockerignore, and the context holds things that must stay out",
    "Everything in the folder is sent to the build and copied by `COPY . .`: .git, .env, virtualenvs, caches.",
    "Add a .dockerignore listing .git, .env, virtualenvs (.venv, venv), __pycache__ and tests.");
rule!(DOCKERIGNORE_GAPS, "FG013", "dockerignore-gaps", Warning,
    ".dockerignore lets .env, .git or a virtualenv into the context",
    "Secrets and the repository history end up in image layers; a host virtualenv breaks the image's own.",
    "Add the named path to .dockerignore, e.g. `**/.env`, `.git`, `**/.venv`.");
rule!(SECRETS_IN_CONTEXT, "FG014", "secrets-in-context", Error,
    "A secrets file is in the build context",
    "Anything in the context can be copied into a layer, and layers are readable by whoever pulls the image.",
    "Exclude it in .dockerignore and pass secrets at run time (environment, secrets mounts).");
rule!(NO_HEALTHCHECK, "FG015", "no-healthcheck", Warning,
    "No HEALTHCHECK",
    "Without one, Docker, compose and Swarm cannot tell a hung app from a healthy one.",
    "Add e.g. HEALTHCHECK CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=2)\"].");
rule!(
    NO_DOCKERFILE,
    "FG016",
    "no-dockerfile",
    Error,
    "No Dockerfile",
    "There is no container setup to audit.",
    "Run `flaskgen init` to write one for this project."
);
rule!(
    DOCKERFILE_UNREADABLE,
    "FG017",
    "dockerfile-unreadable",
    Error,
    "The Dockerfile cannot be read",
    "It is a directory, not a regular file, a link out of the project, over the size limit (1 MiB) or not UTF-8 text: neither flaskgen nor, usually, docker can build from it.",
    "Make the Dockerfile a regular UTF-8 text file inside the project, under 1 MiB, or point --dockerfile at one."
);

rule!(SECRET_IN_ENV, "FG018", "secret-in-env", Error,
    "A secret is baked into the image by ENV or ARG",
    "ENV values are stored in the image config and ARG values in its history: anyone who pulls the image reads them with `docker inspect` or `docker history`.",
    "Remove the value from the Dockerfile and pass it at run time (`docker run -e`, compose `environment:`/`env_file:`, or a secrets mount).");
rule!(ADD_LOCAL, "FG019", "add-local-files", Warning,
    "ADD copies local files",
    "ADD also unpacks archives and fetches URLs, so a plain copy with ADD can do more than it says; COPY does only what it says.",
    "Use COPY for local files and folders; keep ADD for a URL or a local tar archive to unpack.");
rule!(COPY_IMAGE_ROOT, "FG020", "copy-image-root", Warning,
    "COPY --from an external image copies its whole filesystem",
    "`COPY --from=image / /` overwrites the base's own files (libc, Python, package database) with another image's, which breaks in ways no build step shows.",
    "Copy only the paths you need: `COPY --from=image /usr/local/bin/tool /usr/local/bin/`.");
rule!(APT_LISTS, "FG021", "apt-lists-left", Warning,
    "apt's package lists stay in the layer",
    "`apt-get update` downloads package lists (tens of MB) that stay in the layer unless the same RUN removes them.",
    "End the RUN that installs with `&& rm -rf /var/lib/apt/lists/*`.");
rule!(APT_NOT_APT_GET, "FG022", "apt-not-apt-get", Warning,
    "`apt` instead of `apt-get` in RUN",
    "apt's command line is for people: it warns that its interface is not stable for scripts, and its output and prompts can change between releases.",
    "Use `apt-get` (and `apt-cache`) in Dockerfiles.");
rule!(RELATIVE_COPY_NO_WORKDIR, "FG023", "relative-copy-no-workdir", Warning,
    "COPY to a relative path with no WORKDIR",
    "With no WORKDIR the destination is relative to `/`, so the files land in the image's root next to /etc and /usr, wherever the base image happens to start.",
    "Set `WORKDIR /srv/app` (or another absolute folder) before the COPY, or give COPY an absolute destination.");

/// Every rule, in ID order.
pub const ALL: &[&Rule] = &[
    &DEV_SERVER,
    &DEBUG_MODE,
    &ROOT_USER,
    &BASE_TAG,
    &PORT_MISMATCH,
    &SERVER_NOT_INSTALLED,
    &SHELL_FORM,
    &DEPS_AFTER_CODE,
    &WRONG_PACKAGE_MANAGER,
    &PACKAGE_FLAGS,
    &PIP_CACHE,
    &NO_DOCKERIGNORE,
    &DOCKERIGNORE_GAPS,
    &SECRETS_IN_CONTEXT,
    &NO_HEALTHCHECK,
    &NO_DOCKERFILE,
    &DOCKERFILE_UNREADABLE,
    &SECRET_IN_ENV,
    &ADD_LOCAL,
    &COPY_IMAGE_ROOT,
    &APT_LISTS,
    &APT_NOT_APT_GET,
    &RELATIVE_COPY_NO_WORKDIR,
];

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_and_ordered() {
        let ids: Vec<_> = super::ALL.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert_eq!(super::ALL.len(), super::CHECKS.len());
    }
}
