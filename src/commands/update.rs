//! `flaskgen update [PATH]`: carry the template's changes into a project,
//! keeping the project's own edits (see `crate::update`).

use std::path::Path;

use anyhow::{bail, Result};
use serde_json::json;

use crate::cli::UpdateArgs;
use crate::error::input_error;
use crate::git::Git;
use crate::inputs::answers::{self, Answers, ANSWERS_FILE};
use crate::inputs::config::{self, Config};
use crate::inputs::{self, defines, Given};
use crate::interrupt;
use crate::present::{self as report, escape, Printer};
use crate::prompt::{self, Prompter};
use crate::render;
use crate::resolve::Resolver;
use crate::template::{File as PlannedFile, Template};
use crate::update::plan::{self, Kind, Rendered, UpdatePlan};
use crate::update::{patch, source};
use crate::values::{Source, Values};
use crate::write;

/// Values given (the command line, the answers file, environment, config),
/// resolved against `template` without asking.
fn resolve(
    template: &Template,
    given: Vec<Given>,
    config: &Config,
    prompter: Option<&Prompter>,
    printer: Printer,
) -> Result<Values> {
    let values = Resolver {
        manifest: &template.manifest,
        config,
        given,
        prompter,
        not_asking: prompter
            .is_none()
            .then_some("flaskgen update asks only on a terminal"),
        printer,
    }
    .resolve()?;
    crate::resolve::show(&values, &printer, &[]);
    Ok(values)
}

fn command_line(args: &UpdateArgs, template: &Template) -> Result<Vec<Given>> {
    let mut given = Vec::new();
    for (var, raw) in [
        ("port", &args.port),
        ("base_image", &args.base_image),
        ("image", &args.image),
    ] {
        if let Some(raw) = raw {
            given.push(Given::new(var, raw.clone(), Source::CommandLine));
        }
    }
    given.extend(defines(&template.manifest, &args.define)?);
    Ok(given)
}

pub fn run(args: UpdateArgs, printer: Printer) -> Result<()> {
    interrupt::install();
    let root = args.path.clone();
    // A write that a kill interrupted is finished before the project is read.
    super::recover(&root, printer)?;
    let answers_path = root.join(ANSWERS_FILE);
    if !answers_path.is_file() {
        return Err(input_error(format!(
            "{} has no {ANSWERS_FILE}: `flaskgen update` needs the answers file a project was made with (a --minimal project has none); for example `flaskgen update hello-flask`",
            root.display()
        )));
    }
    let answers = answers::read(&answers_path)?;
    let config = config::load(args.config.no_config)?;
    let sources = source::load(&answers, args.to.as_deref(), args.template_url.as_deref())?;
    let target_t = &sources.target;
    let quiet = Printer {
        quiet: true,
        ..printer
    };
    let mut given = command_line(&args, target_t)?;
    given.extend(answers.given(&target_t.manifest, |_| {}));
    given.extend(inputs::from_env(inputs::process_env));
    given.extend(config.given()?);
    // Only variables the project has no value for are asked (on a terminal).
    let prompter = prompt::why_not_interactive(args.yes)
        .is_none()
        .then(|| Prompter::new(printer.color));
    let new_values = resolve(target_t, given, &config, prompter.as_ref(), printer)?;
    for (var, _) in &answers.values {
        if target_t.manifest.variable(var).is_none() {
            printer.warn(&format!(
                "`{}` is no longer a variable of template {}; its value is dropped",
                escape(var),
                escape(&target_t.manifest.meta.name)
            ));
        }
    }
    let (target_plan, target_sources) = render::render_traced(target_t, &new_values)?;
    let base = match &sources.base {
        Some(t) => {
            let v = resolve(
                t,
                answers.given(&t.manifest, |_| {}),
                &Config::default(),
                None,
                quiet,
            )?;
            let (p, s) = render::render_traced(t, &v)?;
            Some(Rendered::new(p, s))
        }
        None => {
            if let Some(why) = &sources.no_base {
                printer.warn(&format!(
                    "no base to merge against ({}): every file the project changed is a conflict",
                    escape(why)
                ));
            }
            None
        }
    };
    let target = Rendered::new(target_plan, target_sources);
    let plan = plan::plan(&root, base.as_ref(), &target, answers.files.as_ref());

    let from = answers
        .version
        .clone()
        .unwrap_or_else(|| "(unrecorded)".into());
    let to = target_t.manifest.meta.version.clone();
    // As shown on the terminal: the project's path, the template's name and versions.
    let (shown_root, name, shown_from, shown_to) = (
        escape(&root.display().to_string()),
        escape(&target_t.manifest.meta.name),
        escape(&from),
        escape(&to),
    );
    let (newer, older) = match (
        from.parse::<semver::Version>(),
        to.parse::<semver::Version>(),
    ) {
        (Ok(a), Ok(b)) => (b > a, b < a),
        _ => (from != to, false),
    };
    if older && !args.allow_downgrade {
        return Err(input_error(format!(
            "{} is at {} {}, newer than the {} it would update to; pass --allow-downgrade to go back to the older version, or --to a newer ref, e.g. `flaskgen update --to v{}`",
            shown_root,
            name,
            shown_from,
            shown_to,
            shown_from
        )));
    }
    let touches = plan.changes.iter().any(|c| c.touches());

    if args.json {
        report::stdout(&json_report(
            &root,
            &answers,
            target_t,
            &from,
            &to,
            &plan,
            args.dry_run || args.check,
        ));
    }
    if args.check {
        if !args.json {
            report_lines(&plan, printer);
        }
        markers_left_exit(&plan)?;
        if newer || touches {
            bail!(
                "{} is behind its template: {} {shown_from} → {shown_to}, {} file(s) would change; run `flaskgen update {}`",
                shown_root,
                name,
                plan.changes.iter().filter(|c| c.touches()).count(),
                shown_root
            );
        }
        printer.status(
            "Checked",
            &format!("{} is up to date with {} {shown_to}", shown_root, name),
        );
        return Ok(());
    }
    if args.dry_run {
        if !args.json {
            // Raw when piped (a patch for `git apply`); on a terminal, a kit's
            // control characters are shown escaped, never obeyed.
            let text = patch::patch(&plan, &root);
            if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                report::stdout(&crate::text::escape_lines(&text));
            } else {
                report::stdout(&text);
            }
        }
        report_lines(&plan, printer);
        printer.info(&format!(
            "dry run: {} {shown_from} → {shown_to}; nothing was written",
            name
        ));
        return conflicts_exit(&plan, &root, true);
    }

    if !plan.markers_left().is_empty() {
        report_lines(&plan, printer);
        return markers_left_exit(&plan);
    }

    // The new answers file: the target's identity, values and what it wrote.
    let target_files: Vec<PlannedFile> = target
        .files
        .iter()
        .map(|(p, (c, x))| PlannedFile {
            path: p.clone(),
            contents: c.clone(),
            executable: *x,
        })
        .collect();
    let new_answers = answers::render(target_t, &new_values, &target_files);
    let (mut writes, deletes) = plan.writes_and_deletes();
    let old_answers = std::fs::read(&answers_path).unwrap_or_default();
    if old_answers != new_answers.as_bytes() {
        writes.files.push(PlannedFile {
            path: ANSWERS_FILE.into(),
            contents: new_answers.into_bytes().into(),
            executable: false,
        });
    }
    if writes.files.is_empty() && deletes.is_empty() {
        report_lines(&plan, printer);
        printer.status(
            "Unchanged",
            &format!("{} is up to date with {} {shown_to}", shown_root, name),
        );
        return Ok(());
    }
    if !args.allow_dirty {
        let mut touched: Vec<&str> = writes.files.iter().map(|f| f.path.as_str()).collect();
        touched.extend(deletes.iter().map(String::as_str));
        refuse_dirty(&root, &touched)?;
    }
    write::apply(&writes, &deletes, &root)?;
    report_lines(&plan, printer);
    printer.status(
        "Updated",
        &format!("{} from {} {shown_from} to {shown_to}", shown_root, name),
    );
    conflicts_exit(&plan, &root, false)
}

/// Refuses (exit 1) while conflict markers of an earlier update are still in files.
fn markers_left_exit(plan: &UpdatePlan) -> Result<()> {
    let left = plan.markers_left();
    if left.is_empty() {
        return Ok(());
    }
    bail!(
        "the conflict markers of an earlier update are still in {}: {}; resolve them (look for <<<<<<< lines), then run `flaskgen update` again; nothing was written",
        crate::text::count(left.len(), "file"),
        left.iter()
            .map(|p| escape(p))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn conflicts_exit(plan: &UpdatePlan, root: &Path, dry_run: bool) -> Result<()> {
    let n = plan.conflicts();
    if n == 0 {
        return Ok(());
    }
    let names: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.kind == Kind::Conflict)
        .map(|c| escape(&c.path))
        .collect();
    if dry_run {
        bail!("{n} file(s) would have conflicts: {}", names.join(", "));
    }
    bail!(
        "{n} file(s) in {} have conflicts to resolve: {} (look for <<<<<<< markers, or the {} file beside a binary one)",
        escape(&root.display().to_string()),
        names.join(", "),
        plan::BESIDE_SUFFIX
    )
}

/// Refuses when `root` is in a git work tree with uncommitted changes to any of `paths`.
fn refuse_dirty(root: &Path, paths: &[&str]) -> Result<()> {
    // No `.git` in the project or above it (and no GIT_DIR): not a work
    // tree, and no git process to start.
    let abs = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    if std::env::var_os("GIT_DIR").is_none() && !abs.ancestors().any(|a| a.join(".git").exists()) {
        return Ok(());
    }
    let inside = Git::in_dir(root)
        .args(["rev-parse", "--is-inside-work-tree"])
        .run("ask git whether the project is in a work tree");
    let Ok(out) = inside else { return Ok(()) };
    if !out.success || out.stdout.trim() != "true" {
        return Ok(());
    }
    let status = Git::in_dir(root)
        .args(["status", "--porcelain", "--untracked-files=all", "--"])
        .args(paths.iter().map(|p| format!(":(literal){p}")))
        .run("list the project's uncommitted changes")?;
    let text = &status.stdout;
    let dirty: Vec<String> = text
        .lines()
        .map(|l| l.get(3..).unwrap_or(l).to_string())
        .collect();
    if !dirty.is_empty() {
        bail!(
            "{} has uncommitted changes to files the update would touch ({}); commit or stash them first, so `git diff` shows exactly what the update did, or pass --allow-dirty",
            root.display(),
            dirty.join(", ")
        );
    }
    Ok(())
}

fn report_lines(plan: &UpdatePlan, printer: Printer) {
    for c in &plan.changes {
        let verb = match c.kind {
            Kind::Updated => "Updated",
            Kind::Merged => "Merged",
            Kind::Conflict => "Conflict",
            Kind::Added => "Added",
            Kind::Removed => "Removed",
            Kind::Kept => "Kept",
            Kind::Moved => "Moved",
        };
        let mut line = format!("{} ({})", escape(&c.path), escape(&c.note));
        if c.conflicts > 0 {
            line.push_str(&format!(", {} conflict(s)", c.conflicts));
        }
        if let Some(b) = &c.beside {
            line.push_str(&format!(", new version in {}", escape(b)));
        }
        if c.kind == Kind::Conflict {
            printer.warn(&format!("conflict: {line}"));
        } else {
            printer.status(verb, &line);
        }
    }
}

fn json_report(
    root: &Path,
    answers: &Answers,
    target: &Template,
    from: &str,
    to: &str,
    plan: &UpdatePlan,
    dry_run: bool,
) -> String {
    let doc = json!({
        "path": std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()),
        "dry_run": dry_run,
        "template": {
            "name": target.manifest.meta.name,
            "source": answers.source.clone().unwrap_or_else(|| "builtin".into()),
            "from": from,
            "to": to,
        },
        "conflicts": plan.conflicts(),
        "files": plan.changes.iter().map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            v["diff"] = patch::change(c, root).into();
            v
        }).collect::<Vec<_>>(),
    });
    crate::present::json::document(&doc)
}
