//! `flaskgen check [PATH]`: audits a Flask project's container setup.

use anyhow::Result;

use crate::audit::{self, output, rules::Severity};
use crate::cli::{CheckArgs, FailOn, Format};
use crate::error::input_error;
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
    let (det, findings) = audit::check(&args.path, &args.dockerfile)?;
    for w in &det.warnings {
        printer.warn(w);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    let passed = audit::passes(&findings, threshold);
    let root = crate::text::escape(&args.path.display().to_string());
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => present::stdout(&output::json(&findings, &root, passed)),
        Format::Sarif => {
            let abs = std::path::absolute(&args.path).unwrap_or(args.path.clone());
            present::stdout(&output::sarif(&findings, &abs))
        }
        Format::Human => {
            let color = printer.color && std::io::IsTerminal::is_terminal(&std::io::stdout());
            let p = Printer { color, ..printer };
            present::stdout(&output::human(&findings, &root, p, args.explain));
        }
    }
    if passed {
        Ok(())
    } else {
        let n = findings
            .iter()
            .filter(|f| threshold.is_some_and(|t| f.severity >= t))
            .count();
        Err(FindingsFailed(n).into())
    }
}
