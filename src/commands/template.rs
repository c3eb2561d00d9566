//! `flaskgen template init` (export the built-in kit) and `flaskgen
//! template check` (validate a kit).

use std::path::Path;

use anyhow::{bail, Result};

use crate::commands::new::load_template;
use crate::interrupt;
use crate::present::{escape, Printer};
use crate::render::{self, Plan};
use crate::template::manifest::ManifestError;
use crate::template::{Template, RENDER_SUFFIX};
use crate::write;

pub fn init(dir: &Path, printer: Printer) -> Result<()> {
    interrupt::install();
    let plan = Plan {
        files: Template::builtin_source_files(),
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
            "the built-in template to {} ({})",
            dir.display(),
            crate::text::count(outcome.files.len(), "file")
        ),
    );
    printer.info(&format!(
        "Edit flaskgen.toml and the files, check the kit with `flaskgen template check {0}`,\nthen use it with `flaskgen new NAME --template {0}`.",
        crate::text::shell_quote(&dir.display().to_string())
    ));
    Ok(())
}

pub fn check(source: &str, git_ref: Option<&str>, printer: Printer) -> Result<()> {
    interrupt::install();
    let template = match load_template(Some(source), git_ref, printer) {
        Ok(t) => t,
        Err(e) => {
            // A manifest with problems: list every one, not just the first.
            let Some(m) = e.chain().find_map(|c| c.downcast_ref::<ManifestError>()) else {
                return Err(e);
            };
            for p in &m.problems {
                printer.error(&anyhow::anyhow!(escape(p)));
            }
            bail!(
                "{} in the manifest of template {}; its files were not checked",
                crate::text::count(m.problems.len(), "problem"),
                escape(source)
            );
        }
    };
    let values = template.example_values();
    let problems = render::problems(&template, &values);
    if problems.is_empty() {
        let rendered = template
            .files
            .iter()
            .filter(|f| f.path.ends_with(RENDER_SUFFIX))
            .count();
        printer.status(
            "Checked",
            &format!(
                "{} {}: sound ({}, {}, {rendered} rendered)",
                escape(&template.manifest.meta.name),
                escape(&template.manifest.meta.version),
                crate::text::count(template.manifest.variables.len(), "variable"),
                crate::text::count(template.files.len(), "file"),
            ),
        );
        return Ok(());
    }
    for p in &problems {
        printer.error(&anyhow::anyhow!(escape(p)));
    }
    bail!(
        "{} in template {}",
        crate::text::count(problems.len(), "problem"),
        escape(&template.origin.describe())
    )
}
