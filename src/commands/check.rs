//! `flaskgen check [PATH]`: audits a Flask project's container setup, then
//! marks findings suppressed by Dockerfile comments, pyproject.toml's
//! `[tool.flaskgen.check]` and `--ignore`/`--select` (see [`suppress`]).

use anyhow::Result;

use crate::audit::{self, config, output, rules::Severity, suppress};
use crate::cli::{CheckArgs, FailOn, Format};
use crate::error::input_error;
use crate::files::{Kind, Project};
use crate::present::{self, Printer};

/// Exit code 1 without an error message: the findings are the message.
#[derive(Debug)]
pub struct FindingsFailed(pub usize);

impl std::fmt::Display for FindingsFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} finding(s) at or above --fail-on", self.0)
    }
}

impl std::error::Error for FindingsFailed {}

pub fn run(args: CheckArgs, printer: Printer) -> Result<()> {
    if args.dockerfile.starts_with('/') || args.dockerfile.split('/').any(|c| c == "..") {
        return Err(input_error(format!(
            "--dockerfile {:?}: must be a path inside the project, for example --dockerfile docker/Dockerfile",
            args.dockerfile
        )));
    }
    let project = Project::new(&args.path);
    let cfg = config::load(&project)?;
    let fail_on = args.fail_on.or(cfg.fail_on).unwrap_or(FailOn::Warning);
    let filter = suppress::Filter::new(
        cfg,
        config::ids_from_flag("ignore", &args.ignore)?,
        config::ids_from_flag("select", &args.select)?,
    );
    let (det, findings) = audit::check(&args.path, &args.dockerfile)?;
    for w in &det.warnings {
        printer.warn(w);
    }
    // The Dockerfile again, through a bounded reader, for its comments.
    let text = project.text(&args.dockerfile, Kind::Dockerfile);
    let inline = suppress::Inline::parse(text.as_deref().unwrap_or(""), &args.dockerfile);
    for w in &inline.unknown {
        printer.warn(w);
    }
    let reviewed = suppress::apply(findings, &args.dockerfile, &inline, &filter);
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    let failing = reviewed
        .iter()
        .filter(|r| r.active() && threshold.is_some_and(|t| r.finding.severity >= t))
        .count();
    let passed = failing == 0;
    let root = crate::text::escape(&args.path.display().to_string());
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => present::stdout(&output::json(&reviewed, &root, passed)),
        Format::Sarif => {
            let abs = std::path::absolute(&args.path).unwrap_or(args.path.clone());
            present::stdout(&output::sarif(&reviewed, &abs))
        }
        Format::Human => {
            let color = printer.color && std::io::IsTerminal::is_terminal(&std::io::stdout());
            let p = Printer { color, ..printer };
            present::stdout(&output::human(&reviewed, &root, p, args.explain));
        }
    }
    if passed {
        Ok(())
    } else {
        Err(FindingsFailed(failing).into())
    }
}
