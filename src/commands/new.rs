//! `flaskgen new`: inputs → template → resolve (prompts) → render → write → present.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::cli::NewArgs;
use crate::error::input_error;
use crate::inputs::{self, answers, config, Given, TEMPLATE};
use crate::interrupt;
use crate::present::{self, count, human_bytes, plan as show, Printer};
use crate::prompt::{self, Prompter};
use crate::render::{self, Plan};
use crate::resolve::Resolver;
use crate::template::manifest::Manifest;
use crate::template::Template;
use crate::values::{builtins, Source};
use crate::write::{self, Preflight};

pub fn run(args: NewArgs, printer: Printer) -> Result<()> {
    interrupt::install();
    let config = config::load(args.config.no_config)?;
    if let Some(p) = &config.path {
        printer.detail(&format!("config file {}", p.display()));
    }
    // A bad NAME fails before any template is fetched.
    if let Some(name) = &args.name {
        builtins::BUILTINS[0].variable().parse(name, "")?;
    }
    let answers = args.answers.as_deref().map(answers::read).transpose()?;
    let env = inputs::from_env(inputs::process_env);

    // Everything given, strongest source first; the template is picked from it too.
    let mut given: Vec<Given> = Vec::new();
    if let Some(t) = &args.template {
        given.push(Given::new(TEMPLATE, t.clone(), Source::CommandLine));
    }
    given.extend(answers.as_ref().map(answers::Answers::template));
    given.extend(env.iter().cloned());
    given.extend(config.given()?);
    let template = match inputs::template_source(&given, args.git_ref.as_deref())? {
        Some((source, git_ref, from)) => {
            let loaded = load_template(Some(&source), git_ref.as_deref(), printer);
            match from {
                Source::Config(p) => loaded.with_context(|| {
                    format!("the template named in config file {}", p.display())
                })?,
                _ => loaded?,
            }
        }
        None => load_template(None, None, printer)?,
    };
    let manifest = &template.manifest;
    given.splice(0..0, command_line(&args, manifest)?);
    if let Some(a) = &answers {
        given.extend(a.given(manifest, |w| printer.warn(w)));
    }

    let not_asking = prompt::why_not_interactive(args.yes);
    if let Some(why) = not_asking {
        printer.detail(&format!(
            "not asking: defaults for values not given ({why})"
        ));
    }
    let interactive = not_asking.is_none();
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
        not_asking,
        printer,
    }
    .resolve()?;
    crate::resolve::show(&values, &printer, &[]);

    let plan = render::render(&template, &values)?;
    // Shown to the user as typed: `svc`, not `./svc`.
    let target = if args.output_dir == Path::new(".") {
        PathBuf::from(values.str("name"))
    } else {
        args.output_dir.join(values.str("name"))
    };
    if args.force {
        // A --force write or update that a kill interrupted is finished first.
        super::recover(&target, printer)?;
    }
    let pre = write::preflight(&plan, &target, args.force)?;

    if args.dry_run {
        if args.json {
            present::stdout(&show::json_result(
                &target, &template, &values, &plan, &pre, true,
            ));
        } else {
            present::stdout(&show::listing(&plan, &target, &pre));
            printer.info(&show::dry_run_line(&plan, &target));
        }
        return Ok(());
    }

    if let Some(p) = &prompter {
        printer.info(&show::summary(&plan, &target, &pre, printer));
        if !p.confirm("Write these files?")? {
            bail!("cancelled; nothing was written");
        }
    }

    // From here the disk holds the project: a signal no longer says "nothing was written".
    let explicit_git = args.vcs == Some(crate::vcs::Vcs::Git);
    if explicit_git && !crate::vcs::git_installed() {
        return Err(input_error(
            "--vcs git: git is not installed; install it, or pass --vcs none",
        ));
    }
    let outcome = write::write(&plan, &target, args.force)?;
    write::pause_for_tests("after-write");
    report_written(&plan, &target, &template, &outcome, printer);
    if args.vcs != Some(crate::vcs::Vcs::None) && !args.force {
        vcs_step(&target, explicit_git, printer);
    }
    if args.json {
        let pre = Preflight {
            overwrites: outcome.overwritten.clone(),
            unchanged: outcome.unchanged.clone(),
            ..pre
        };
        present::stdout(&show::json_result(
            &target, &template, &values, &plan, &pre, false,
        ));
    }
    printer.info(&show::next_steps(&target, &values, printer));
    Ok(())
}

fn report_written(
    plan: &Plan,
    target: &Path,
    template: &Template,
    outcome: &write::Outcome,
    printer: Printer,
) {
    let name = &template.manifest.meta.name;
    if outcome.overwritten.is_empty() && outcome.unchanged.is_empty() {
        printer.status(
            "Created",
            &format!(
                "{} ({}, {}) from template {name}",
                target.display(),
                count(plan.files.len(), "file"),
                human_bytes(plan.total_bytes()),
            ),
        );
        return;
    }
    let new = plan.files.len() - outcome.overwritten.len() - outcome.unchanged.len();
    printer.status(
        "Updated",
        &format!(
            "{} from template {name}: {} new, {} replaced, {} unchanged",
            target.display(),
            new,
            outcome.overwritten.len(),
            outcome.unchanged.len()
        ),
    );
    for path in &outcome.overwritten {
        printer.status(
            "Replaced",
            &format!(
                "{} (it had other contents: local edits are overwritten)",
                target.join(path).display()
            ),
        );
    }
    for path in &outcome.unchanged {
        printer.detail(&format!(
            "unchanged: {} (already as the template writes it)",
            target.join(path).display()
        ));
    }
}

/// Loads the template named by `source`, or the built-in one.
pub fn load_template(
    source: Option<&str>,
    git_ref: Option<&str>,
    printer: Printer,
) -> Result<Template> {
    let template = match source {
        Some(s) => Template::load(s, git_ref)?,
        None if git_ref.is_some() => {
            return Err(input_error(
                "--ref needs a git template: pass --template SOURCE too, for example `--template https://git.example.com/acme/kit.git --ref v1.2.0`",
            ))
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

/// The values given on the command line: flags (named by the built-ins
/// table), `--minimal` and `-d`.
fn command_line(args: &NewArgs, manifest: &Manifest) -> Result<Vec<Given>> {
    let mut given = Vec::new();
    for (var, raw) in [
        ("name", &args.name),
        ("port", &args.port),
        ("base_image", &args.base_image),
        ("image", &args.image),
    ] {
        if let Some(raw) = raw {
            given.push(Given::new(var, raw.clone(), Source::CommandLine));
        }
    }
    if args.minimal {
        if manifest.variable("minimal").is_none() {
            return Err(input_error(format!(
                "--minimal: the template {} has no `minimal` variable; drop --minimal, or use the built-in template",
                present::quote(&manifest.meta.name)
            )));
        }
        given.push(Given::new("minimal", "true", Source::CommandLine));
    }
    for (flag, var, raw) in [
        ("--deploy", "deploy", &args.deploy),
        ("--ci", "ci", &args.ci),
    ] {
        if let Some(raw) = raw {
            if manifest.variable(var).is_none() {
                return Err(input_error(format!(
                    "{flag}: the template {} has no `{var}` variable; drop {flag}, or use the built-in template",
                    present::quote(&manifest.meta.name)
                )));
            }
            given.push(Given::new(var, raw.clone(), Source::CommandLine));
        }
    }
    given.extend(inputs::defines(manifest, &args.define)?);
    if args.minimal {
        refuse_deploy_with_minimal(&given)?;
    }
    Ok(given)
}

/// `--minimal` writes only the essential files, so a deploy target or CI
/// pipeline asked for on the same command line is a contradiction, not a
/// choice to drop silently. (From a config file or kit default they are left
/// out: the template's conditions need `not minimal`.)
fn refuse_deploy_with_minimal(given: &[Given]) -> Result<()> {
    for g in given {
        if matches!(g.var.as_str(), "deploy" | "ci") && g.raw != "none" {
            return Err(input_error(format!(
                "{}={}: --minimal writes only the essential files, without deploy or CI files; drop --minimal, or give {}=none",
                g.var,
                present::quote(&g.raw),
                g.var
            )));
        }
    }
    Ok(())
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
