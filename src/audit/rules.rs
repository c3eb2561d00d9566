//! The rules `flaskgen check` applies, each with a stable ID. IDs are never
//! reused or renumbered: tools (and people) filter findings by them.

use serde::Serialize;

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
    }
}
