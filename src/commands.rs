//! The subcommands, each a straight pipeline over the library's stages.

pub mod update;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{ArgMatches, CommandFactory};
use serde_json::json;

use crate::answers;
use crate::cli::{source_of, Cli, Command, NewArgs, TemplateCommand};
use crate::config::{self, Config};
use crate::error::input_error;
use crate::interrupt;
use crate::manifest::{Manifest, ManifestError};
use crate::prompt::Prompter;
use crate::render::{self, Plan, PlannedFile};
use crate::report::{self, human_bytes, Printer, BOLD, CYAN};
use crate::resolve::{defines, Given, Resolver};
use crate::template::Template;
use crate::values::{Source, Value, Values, SUGGESTED_BASE_IMAGES};
use crate::write;

pub fn run(cli: Cli, matches: &ArgMatches, printer: Printer) -> Result<()> {
    match cli.command {
        Command::New(args) => {
            let sub = matches
                .subcommand_matches("new")
                .expect("the new subcommand matched");
            new(args, sub, printer)
        }
        Command::Update(args) => update::run(args, printer),
        Command::List { json, config } => list(json, &config::load(config.no_config)?),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "flaskgen", &mut out);
            report::stdout(&String::from_utf8_lossy(&out));
            Ok(())
        }
        Command::Man { command, dir } => man(&command, dir.as_deref(), printer),
        Command::Template(TemplateCommand::Init { dir }) => template_init(&dir, printer),
        Command::Template(TemplateCommand::Check { source, git_ref }) => {
            template_check(&source, git_ref.as_deref(), printer)
        }
    }
}

/// One man page on stdout (the main one, or a subcommand's), or all of them
/// into a directory: the main page refers to `flaskgen-new(1)` and the rest.
fn man(path: &[String], dir: Option<&Path>, printer: Printer) -> Result<()> {
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        clap_mangen::generate_to(Cli::command(), dir)
            .with_context(|| format!("cannot write man pages into {}", dir.display()))?;
        printer.status("Wrote", &format!("the man pages into {}", dir.display()));
        printer.info(
            "Make sure `man` looks there (it does for ~/.local/share/man/man1), then: man flaskgen",
        );
        return Ok(());
    }
    // Built, so subcommands carry their page names (flaskgen-new); without
    // `help`, which has no page of its own.
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut page = &cmd;
    for name in path {
        page = page.find_subcommand(name).ok_or_else(|| {
            let known: Vec<&str> = page.get_subcommands().map(|c| c.get_name()).collect();
            input_error(format!(
                "no man page for `{}`: the subcommands here are {}; for example `flaskgen man new`",
                path.join(" "),
                known.join(", ")
            ))
        })?;
    }
    let mut out = Vec::new();
    clap_mangen::Man::new(page.clone()).render(&mut out)?;
    report::stdout(&String::from_utf8_lossy(&out));
    Ok(())
}

fn load_template(
    source: Option<&str>,
    git_ref: Option<&str>,
    printer: Printer,
) -> Result<Template> {
    let template = match source {
        Some(s) => Template::load(s, git_ref)?,
        None if git_ref.is_some() => {
            return Err(input_error("--ref needs --template SOURCE (a git URL)"))
        }
        None => Template::builtin()?,
    };
    printer.detail(&format!(
        "template {} {} ({})",
        template.manifest.meta.name,
        template.manifest.meta.version,
        template.origin.describe()
    ));
    Ok(template)
}

fn new(args: NewArgs, m: &ArgMatches, printer: Printer) -> Result<()> {
    interrupt::install();
    let config = config::load(args.config.no_config)?;
    if let Some(p) = &config.path {
        printer.detail(&format!("config file {}", p.display()));
    }
    // A bad NAME fails before any template is fetched.
    if let Some(name) = &args.name {
        crate::manifest::builtin("name").parse(name, "")?;
    }
    let answers = args.answers.as_deref().map(answers::read).transpose()?;
    // The template: --template, else the answers file's, else the config's, else built-in.
    let (template_source, git_ref) = match (&args.template, &answers) {
        (Some(t), _) => (Some(t.clone()), args.git_ref.clone()),
        (None, Some(a)) => (
            a.source.clone(),
            args.git_ref.clone().or_else(|| a.git_ref.clone()),
        ),
        (None, None) => (config.defaults.template.clone(), args.git_ref.clone()),
    };
    let template = load_template(template_source.as_deref(), git_ref.as_deref(), printer)?;
    let manifest = &template.manifest;

    let given = given_values(&args, m, manifest, answers.as_ref(), printer)?;

    let interactive =
        !args.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    printer.detail(if interactive {
        "asking for values not given (stdin is a terminal)"
    } else {
        "not asking: defaults for values not given"
    });
    let prompter = interactive.then(|| {
        let p = Prompter::new(printer.color);
        if args.force {
            p
        } else {
            p.refuse_occupied_names_in(args.output_dir.clone())
        }
    });
    let values = Resolver {
        manifest,
        config: &config,
        given,
        prompter: prompter.as_ref(),
        printer,
    }
    .resolve()?;

    let plan = render::render(&template, &values)?;
    // Shown to the user as typed: `svc`, not `./svc`.
    let target = if args.output_dir == Path::new(".") {
        PathBuf::from(values.str("name"))
    } else {
        args.output_dir.join(values.str("name"))
    };
    let pre = write::preflight(&plan, &target, args.force)?;

    if args.dry_run {
        dry_run(&plan, &target, &template, &values, &pre, args.json, printer);
        return Ok(());
    }

    if let Some(p) = &prompter {
        printer.info(&summary(&plan, &target, &pre.overwrites, printer));
        if !p.confirm("Write these files?")? {
            bail!("cancelled; nothing was written");
        }
    }

    let explicit_git = args.vcs == Some(crate::vcs::Vcs::Git);
    if explicit_git && !crate::vcs::git_installed() {
        return Err(input_error(
            "--vcs git: git is not installed; install it, or pass --vcs none",
        ));
    }
    let outcome = write::write(&plan, &target, args.force)?;
    printer.status(
        "Created",
        &format!(
            "{} ({} files, {}) from template {}",
            target.display(),
            outcome.files.len(),
            human_bytes(plan.total_bytes()),
            manifest.meta.name
        ),
    );
    for path in &outcome.overwritten {
        printer.status("Overwrote", &target.join(path).display().to_string());
    }
    if args.vcs != Some(crate::vcs::Vcs::None) && !args.force {
        vcs_step(&target, explicit_git, printer);
    }
    if args.json {
        report::stdout(&json_result(
            &target,
            &template,
            &values,
            &outcome.files,
            &outcome.overwritten,
            false,
        ));
    }
    next_steps(&target, &values, printer);
    Ok(())
}

/// Every value given for this run, with where it came from: flags and their
/// environment variables, `-d`, and the answers file. Precedence is the
/// resolver's job.
fn given_values(
    args: &NewArgs,
    m: &ArgMatches,
    manifest: &Manifest,
    answers: Option<&answers::Answers>,
    printer: Printer,
) -> Result<Vec<Given>> {
    let mut given = Vec::new();
    let mut give = |var: &str, raw: &Option<String>, source: Source| {
        if let Some(raw) = raw {
            given.push(Given {
                var: var.into(),
                raw: raw.clone(),
                source,
            });
        }
    };
    give("name", &args.name, Source::CommandLine);
    give("port", &args.port, source_of(m, "port", "FLASKGEN_PORT"));
    give(
        "base_image",
        &args.base_image,
        source_of(m, "base_image", "FLASKGEN_BASE_IMAGE"),
    );
    give("image", &args.image, Source::CommandLine);
    if args.minimal {
        if manifest.variable("minimal").is_none() {
            return Err(input_error(format!(
                "--minimal: the template {} has no `minimal` variable",
                manifest.meta.name
            )));
        }
        give("minimal", &Some("true".into()), Source::CommandLine);
    }
    given.extend(defines(manifest, &args.define)?);
    if let Some(a) = answers {
        for (var, raw) in &a.values {
            if manifest.variable(var).is_none() {
                printer.warn(&format!(
                    "answers file {}: `{var}` is not a variable of template {}; ignored",
                    a.path.display(),
                    manifest.meta.name
                ));
                continue;
            }
            given.push(Given {
                var: var.clone(),
                raw: raw.clone(),
                source: Source::Answers(a.path.clone()),
            });
        }
    }
    Ok(given)
}

/// `--dry-run`: the files and sizes that would be written, as JSON or a list.
fn dry_run(
    plan: &Plan,
    target: &Path,
    template: &Template,
    values: &Values,
    pre: &write::Preflight,
    json: bool,
    printer: Printer,
) {
    if json {
        let files: Vec<_> = plan
            .files
            .iter()
            .map(|f| (f.path.clone(), f.contents.len()))
            .collect();
        report::stdout(&json_result(
            target,
            template,
            values,
            &files,
            &pre.overwrites,
            true,
        ));
    } else {
        print_plan(plan, target, &pre.overwrites);
        printer.info(&format!(
            "dry run: {} files, {} would be written to {}; nothing was written",
            plan.files.len(),
            human_bytes(plan.total_bytes()),
            target.display()
        ));
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn json_result(
    target: &Path,
    template: &Template,
    values: &Values,
    files: &[(String, usize)],
    overwritten: &[String],
    dry_run: bool,
) -> String {
    let mut vals = serde_json::Map::new();
    for (name, value, _) in values.iter() {
        vals.insert(name.into(), serde_json::to_value(value).unwrap_or_default());
    }
    let doc = json!({
        "path": absolute(target),
        "dry_run": dry_run,
        "template": {
            "name": template.manifest.meta.name,
            "version": template.manifest.meta.version,
            "source": template.origin.describe(),
        },
        "values": vals,
        "files": files.iter().map(|(p, n)| json!({"path": p, "bytes": n})).collect::<Vec<_>>(),
        "overwritten": overwritten,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}

fn print_plan(plan: &Plan, target: &Path, overwrites: &[String]) {
    let width =
        plan.files.iter().map(|f| f.path.len()).max().unwrap_or(0) + target.as_os_str().len() + 1;
    let mut out = String::new();
    for PlannedFile { path, contents, .. } in &plan.files {
        let full = target.join(path).display().to_string();
        let note = if overwrites.contains(path) {
            "  (overwrite)"
        } else {
            ""
        };
        out.push_str(&format!(
            "{full:<width$}  {:>6} bytes{note}\n",
            contents.len()
        ));
    }
    report::stdout(&out);
}

fn summary(plan: &Plan, target: &Path, overwrites: &[String], printer: Printer) -> String {
    let mut s = format!(
        "\n{} {}\n",
        printer.paint(BOLD, "Will write to"),
        target.display()
    );
    for f in &plan.files {
        let note = if overwrites.contains(&f.path) {
            " (overwrite)"
        } else {
            ""
        };
        s.push_str(&format!(
            "  {:<28} {:>9}{note}\n",
            f.path,
            human_bytes(f.contents.len())
        ));
    }
    s
}

/// The git step of `new`: a repository with a first commit. The project is
/// written by now, so a failure here is a warning, not a lost project.
fn vcs_step(target: &Path, explicit: bool, printer: Printer) {
    use crate::vcs::{self, Outcome};
    match vcs::init(target, explicit) {
        Ok(Outcome::Committed { fallback_identity }) => {
            printer.status(
                "Committed",
                "the files as the first commit of a new git repository",
            );
            if fallback_identity {
                printer.info(&format!(
                    "  (as {} <{}>: no git identity is configured; set user.name and user.email, then `git commit --amend --reset-author` if you like)",
                    vcs::FALLBACK_NAME,
                    vcs::FALLBACK_EMAIL
                ));
            }
        }
        Ok(Outcome::InsideWorkTree) => {
            printer.detail("no git repository made: the project is inside a work tree already")
        }
        Ok(Outcome::NoGit) => printer.detail("no git repository made: git is not installed"),
        Err(e) => printer.warn(&format!(
            "the project was written, but no git repository was made: {e}"
        )),
    }
}

fn next_steps(dir: &Path, values: &Values, printer: Printer) {
    let port = values.port();
    let image = values.str("image");
    let cmd = |c: String| format!("  {}", printer.paint(CYAN, &c));
    printer.info(&format!(
        "\nNext steps:\n{}\n{}\n{}\n  then open http://localhost:{port}",
        cmd(format!("cd {}", dir.display())),
        cmd(format!("docker image build -t {image} .")),
        cmd(format!(
            "docker container run --rm -p {port}:{port} {image}"
        )),
    ));
}

fn list(as_json: bool, config: &Config) -> Result<()> {
    let builtin = Template::builtin()?;
    let meta = &builtin.manifest.meta;
    let configured = config.defaults.template.clone();
    if as_json {
        let mut templates = vec![json!({
            "name": meta.name, "version": meta.version, "description": meta.description,
            "source": "builtin", "default": configured.is_none(),
        })];
        if let Some(src) = &configured {
            templates.push(json!({"source": src, "default": true, "config": config.path}));
        }
        let images: Vec<_> = SUGGESTED_BASE_IMAGES
            .iter()
            .enumerate()
            .map(|(i, (img, why))| json!({"image": img, "default": i == 0, "when": why}))
            .collect();
        report::stdout(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({"templates": templates, "base_images": images}))?
        ));
        return Ok(());
    }
    let mut out = String::from("Templates:\n");
    let mark = |d: bool| if d { " (default)" } else { "" };
    out.push_str(&format!(
        "  {} {}  built-in{}\n      {}\n",
        meta.name,
        meta.version,
        mark(configured.is_none()),
        meta.description
    ));
    if let Some(src) = &configured {
        let from = config
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        out.push_str(&format!("  {src}  (default, from {from})\n"));
    }
    out.push_str("\nBase images (--base-image):\n");
    for (i, (img, why)) in SUGGESTED_BASE_IMAGES.iter().enumerate() {
        let line = format!("  {img:<20}{}", mark(i == 0));
        out.push_str(&format!("{}\n      {why}\n", line.trim_end()));
    }
    out.push_str("  Any other reference with an explicit tag or digest works too, e.g. registry.example.com/python:3.14-slim\n");
    report::stdout(&out);
    Ok(())
}

fn template_init(dir: &Path, printer: Printer) -> Result<()> {
    interrupt::install();
    let plan = Plan {
        files: Template::builtin_source_files()
            .into_iter()
            .map(|f| PlannedFile {
                path: f.path,
                contents: f.contents,
                executable: f.executable,
            })
            .collect(),
    };
    if write::occupied(dir) {
        bail!(
            "{} exists and is not empty; `template init` writes only into a new or empty directory, e.g. `flaskgen template init my-kit`",
            dir.display()
        );
    }
    let outcome = write::write(&plan, dir, false)?;
    printer.status(
        "Exported",
        &format!(
            "the built-in template to {} ({} files)",
            dir.display(),
            outcome.files.len()
        ),
    );
    printer.info(&format!(
        "Edit flaskgen.toml and the files, check the kit with `flaskgen template check {0}`,\nthen use it with `flaskgen new NAME --template {0}`.",
        dir.display()
    ));
    Ok(())
}

/// Values for a check render: each variable's default, else a valid example.
fn example_values(template: &Template) -> Values {
    let mut values = Values::default();
    for var in &template.manifest.variables {
        let v = match (&var.default, var.name.as_str()) {
            (Some(d), _) => d.clone(),
            (None, "name") => Value::Str("example-app".into()),
            (None, "image") => Value::Str(values.str("name").to_string()),
            (None, _) => var
                .kind
                .check(&var.kind.example())
                .unwrap_or(Value::Str(var.kind.example())),
        };
        values.set(&var.name, v, Source::TemplateDefault);
    }
    values
}

fn template_check(source: &str, git_ref: Option<&str>, printer: Printer) -> Result<()> {
    let template = match load_template(Some(source), git_ref, printer) {
        Ok(t) => t,
        Err(e) => {
            // A manifest with problems: list every one, not just the first.
            let Some(m) = e.chain().find_map(|c| c.downcast_ref::<ManifestError>()) else {
                return Err(e);
            };
            for p in &m.problems {
                printer.error(&anyhow::anyhow!(p.clone()));
            }
            bail!(
                "{} problem(s) in the manifest of template {source}; its files were not checked",
                m.problems.len()
            );
        }
    };
    let values = example_values(&template);
    let problems = render::problems(&template, &values);
    if problems.is_empty() {
        let rendered = template
            .files
            .iter()
            .filter(|f| f.path.ends_with(crate::template::RENDER_SUFFIX))
            .count();
        printer.status(
            "Checked",
            &format!(
                "{} {}: sound ({} variables, {} files, {rendered} rendered)",
                template.manifest.meta.name,
                template.manifest.meta.version,
                template.manifest.variables.len(),
                template.files.len()
            ),
        );
        return Ok(());
    }
    for p in &problems {
        printer.error(&anyhow::anyhow!(p.clone()));
    }
    bail!(
        "{} problem(s) in template {}",
        problems.len(),
        template.origin.describe()
    )
}
