//! The command line: clap derive structs and help text. The built-ins'
//! flags take their help (default, environment variable) from the
//! built-ins table; their environment variables are read by the inputs
//! layer, not by clap, so precedence lives in one place.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::values::builtins::BUILTINS;

const AFTER_HELP: &str = "\
Exit codes:
    0  success
    1  failure (e.g. the target directory is not empty, a template cannot be fetched)
    2  usage error or invalid input (nothing is written)
  130  interrupted with Ctrl-C (143 for SIGTERM, 129 for SIGHUP; nothing is written)

Examples:
  flaskgen new hello-flask                 ask for anything not given (on a terminal)
  flaskgen new hello-flask --yes           never ask: defaults for the rest
  flaskgen new svc -p 8080 -b python:3.14-alpine --image myrepo/svc
  flaskgen list                            templates and suggested base images";

const UPDATE_AFTER_HELP: &str = "\
Each file is merged three ways: the template the project was made from, the
project as it is, the new template. Unchanged files are replaced, your edits
are kept, overlapping edits become conflicts marked / ======= / >>>>>>> theirs. Everything is written, or nothing.

Exit codes:
    0  updated (or already up to date), no conflicts
    1  updated with conflicts to resolve; --check: the project is behind; other failures
    2  usage error or invalid input (nothing is written)
  130  interrupted with Ctrl-C (nothing is written)

Examples:
  flaskgen update --dry-run               show the diff, write nothing
  flaskgen update hello-flask -p 8080     update, changing a value
  flaskgen update --check                 in CI: fail when the project is behind";

#[derive(Debug, Parser)]
#[command(
    name = "flaskgen",
    version,
    about = "Scaffold containerized Flask web apps that build and run the moment they are generated",
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Print nothing but errors
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,

    /// Say what was decided and why (where each value came from); show error causes
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub verbose: bool,

    /// When to use colour (NO_COLOR in the environment turns `auto` off)
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorChoice::Auto,
        value_name = "WHEN",
        help_heading = "Global options"
    )]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

// Parsed once per run: the size of the `new` variant costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new Flask project
    #[command(after_help = AFTER_HELP)]
    New(NewArgs),
    /// Containerize an existing Flask project: write Dockerfile, compose.yaml, ... beside its code
    Init(InitArgs),
    /// Audit a Flask project's container setup (Dockerfile, .dockerignore, compose)
    Check(CheckArgs),
    /// Carry template changes into an existing project, keeping its edits
    #[command(after_help = UPDATE_AFTER_HELP)]
    Update(UpdateArgs),
    /// List templates and suggested base images
    List {
        /// Print JSON to stdout, for scripts
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Print a shell completion script to stdout
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print a man page (roff) to stdout, or write them all with --dir
    Man {
        /// The subcommand whose page to print, e.g. `new` or `template init`
        /// [default: the main page]
        #[arg(value_name = "SUBCOMMAND")]
        command: Vec<String>,
        /// Write every page (flaskgen.1, flaskgen-new.1, …) into DIR instead
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        dir: Option<PathBuf>,
    },
    /// Work with template kits
    #[command(subcommand)]
    Template(TemplateCommand),
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Export the built-in template into DIR, as the start of a team kit
    Init {
        /// Directory to create (must not exist, or be empty)
        dir: PathBuf,
    },
    /// Validate a kit: its manifest, every template's syntax, a render with default values
    Check {
        /// The kit: a directory or a git URL
        source: String,
        /// Branch or tag, for a git kit
        #[arg(long = "ref", value_name = "REF")]
        git_ref: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Ignore the config file ($FLASKGEN_CONFIG, else $XDG_CONFIG_HOME/flaskgen/config.toml)
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// (help from the built-ins table)
    pub name: Option<String>,

    /// (help from the built-ins table)
    #[arg(short, long, value_name = "PORT")]
    pub port: Option<String>,

    /// (help from the built-ins table)
    #[arg(short, long, value_name = "IMAGE")]
    pub base_image: Option<String>,

    /// (help from the built-ins table)
    #[arg(long, value_name = "REPO")]
    pub image: Option<String>,

    /// Directory to create the project in
    #[arg(
        short,
        long,
        env = "FLASKGEN_OUTPUT_DIR",
        value_name = "DIR",
        default_value = "."
    )]
    pub output_dir: PathBuf,

    /// Template: a directory or a git URL (https://, ssh://, git@host:, file://) [default: built-in] [env: FLASKGEN_TEMPLATE]
    #[arg(short, long, value_name = "SOURCE")]
    pub template: Option<String>,

    /// Branch or tag of a git template
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,

    /// Make a project again from an answers file (a project's .flaskgen.toml):
    /// its template and values, under anything given on the command line
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,

    /// Set any template variable (repeatable), e.g. -d team=payments
    #[arg(short = 'd', long = "define", value_name = "KEY=VALUE")]
    pub define: Vec<String>,

    /// Never ask: take defaults for anything not given
    #[arg(short, long)]
    pub yes: bool,

    /// Write into an existing directory, overwriting only files the template renders
    #[arg(long)]
    pub force: bool,

    /// List the files that would be written, and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Only the essential files: Dockerfile, .dockerignore, app/__init__.py, app/app.py, requirements.txt
    #[arg(long)]
    pub minimal: bool,

    /// Deploy files: swarm (deploy/stack.yaml), kubernetes (deploy/kubernetes/), both as
    /// swarm,kubernetes, or none [default: none]; the same as -d deploy=TARGETS
    #[arg(long, value_name = "TARGETS")]
    pub deploy: Option<String>,

    /// CI pipeline: github (.github/workflows/ci.yml) or none [default: none]; the same as -d ci=CI
    #[arg(long, value_name = "CI")]
    pub ci: Option<String>,

    /// Print the result as JSON to stdout
    #[arg(long)]
    pub json: bool,

    /// Start a git repository with a first commit of the files [default: git when installed;
    /// nothing when the project is inside a work tree already]
    #[arg(long, value_enum, env = "FLASKGEN_VCS", value_name = "VCS")]
    pub vcs: Option<crate::vcs::Vcs>,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The project folder [default: .]
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// The Dockerfile, relative to PATH
    #[arg(short = 'f', long, value_name = "FILE", default_value = "Dockerfile")]
    pub dockerfile: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Same as --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Exit 1 when an active finding is at or above this severity
    /// [default: pyproject.toml's [tool.flaskgen.check] fail-on, else warning]
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Suppress these rules' findings, e.g. `--ignore FG011,FG015` (replaces
    /// pyproject.toml's `ignore`)
    #[arg(long, value_name = "ID[,ID]")]
    pub ignore: Vec<String>,

    /// Only these rules' findings are active, e.g. `--select FG001,FG002`
    /// (replaces pyproject.toml's `select`); the others are suppressed
    #[arg(long, value_name = "ID[,ID]")]
    pub select: Vec<String>,

    /// Print why each finding matters and how to fix it
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder [default: .]
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// The app for gunicorn, e.g. `app:app` or `shop:create_app()` [default: detected]
    #[arg(long, value_name = "MODULE:APP")]
    pub entry: Option<String>,

    /// Python version for the base image: CPython 3.8 to 3.15, e.g. 3.12 [default: from the project's constraint]
    #[arg(long, value_name = "X.Y", conflicts_with = "base_image")]
    pub python: Option<String>,

    /// Port the app listens on [default: detected, else 5000]
    #[arg(short, long, value_name = "PORT")]
    pub port: Option<String>,

    /// Base image, pinned: a tag with at least major.minor, or a digest [default: newest python:X.Y-slim the project allows]
    #[arg(short, long, value_name = "IMAGE")]
    pub base_image: Option<String>,

    /// Image name used in the docs and compose.yaml [default: the folder's name]
    #[arg(long, value_name = "REPO")]
    pub image: Option<String>,

    /// Route the HEALTHCHECK probes, e.g. /healthz [default: a detected health route, else /]
    #[arg(long, value_name = "PATH")]
    pub health: Option<String>,

    /// Do not run `flask db upgrade` before the server starts
    #[arg(long)]
    pub no_migrate: bool,

    /// Never ask: take what was detected
    #[arg(short, long)]
    pub yes: bool,

    /// Replace existing Dockerfile, .dockerignore, compose.yaml, ...
    #[arg(long)]
    pub force: bool,

    /// Print what would be written (a unified diff for files that exist), write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print the detection and the files as JSON to stdout
    #[arg(long)]
    pub json: bool,

    /// Prove the container files on the local Docker engine: build, import
    /// the app and read its routes, serve it hardened and probe its health
    /// route, stop it (on files already there, nothing is written)
    #[arg(long, conflicts_with_all = ["dry_run", "json"])]
    pub verify: bool,

    /// KEY=VALUE lines for the variables the app needs under --verify
    /// [default: placeholders, named in the report]
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub env_file: Option<PathBuf>,

    /// Keep the image --verify built (it is removed otherwise)
    #[arg(long, requires = "verify")]
    pub keep_image: bool,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The project to update (the directory holding its .flaskgen.toml)
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Change a value while updating (repeatable), e.g. -d port=8080
    #[arg(short = 'd', long = "define", value_name = "KEY=VALUE")]
    pub define: Vec<String>,

    /// Change the port while updating
    #[arg(short, long, value_name = "PORT")]
    pub port: Option<String>,

    /// Change the base image while updating
    #[arg(short, long, value_name = "IMAGE")]
    pub base_image: Option<String>,

    /// Change the image name while updating
    #[arg(long, value_name = "REPO")]
    pub image: Option<String>,

    /// For a git kit: the branch, tag or commit to update to [default: the newest version tag]
    #[arg(long, value_name = "REF")]
    pub to: Option<String>,

    /// For a git kit: its URL again, with the credentials the answers file does not keep (must name the recorded repository)
    #[arg(
        long,
        value_name = "URL",
        env = "FLASKGEN_TEMPLATE_URL",
        hide_env_values = true
    )]
    pub template_url: Option<String>,

    /// Print the unified diff of every change and the conflicts; write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print the result as JSON to stdout
    #[arg(long)]
    pub json: bool,

    /// Write nothing; exit 1 when the template is newer or an update would change files
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,

    /// Never ask: a variable the new template adds takes its default
    /// (without it, such variables are asked for on a terminal)
    #[arg(short, long)]
    pub yes: bool,

    /// Update even when files it touches have uncommitted changes in git
    #[arg(long)]
    pub allow_dirty: bool,

    /// Allow going to an older template version than the project's
    #[arg(long)]
    pub allow_downgrade: bool,

    #[command(flatten)]
    pub config: ConfigArgs,
}

/// The command line as clap sees it, with the built-ins' help from their table.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    let order: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    // `mut_subcommand` moves the one it changes to the end: every one is
    // passed through, in order, so the listing keeps its order.
    order.iter().fold(cmd, |cmd, name| {
        cmd.mut_subcommand(name, |sub| {
            if sub.get_name() != "new" {
                return sub;
            }
            BUILTINS.iter().fold(sub, |sub, b| {
                let id = b.flag.unwrap_or(b.name).replace('-', "_");
                sub.mut_arg(id, |arg| arg.help(b.help_line()))
            })
        })
    })
}

impl Cli {
    /// Whether the requested output is JSON, so errors go to stdout as JSON too.
    pub fn wants_json(&self) -> bool {
        match &self.command {
            Command::New(a) => a.json,
            Command::List { json, .. } => *json,
            Command::Init(a) => a.json,
            Command::Update(a) => a.json,
            Command::Check(a) => a.json || matches!(a.format, Format::Json),
            Command::Template(_) | Command::Completions { .. } | Command::Man { .. } => false,
        }
    }
}
