//! Presenting a plan and its outcome: the listing (`--dry-run`, and the
//! summary before a prompt's confirmation), the JSON result, and the next
//! steps. One description of each file serves all of them.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{count, escape, human_bytes, shell_quote, Printer, BOLD, CYAN};
use crate::render::Plan;
use crate::template::Template;
use crate::values::Values;
use crate::write::Preflight;

/// What writing does to one file of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    New,
    /// Exists with other contents: replaced (`--force`).
    Replaced,
    /// Exists with exactly these contents: left alone.
    Unchanged,
}

impl FileState {
    pub fn of(path: &str, pre: &Preflight) -> FileState {
        if pre.overwrites.iter().any(|p| p == path) {
            FileState::Replaced
        } else if pre.unchanged.iter().any(|p| p == path) {
            FileState::Unchanged
        } else {
            FileState::New
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            FileState::New => "new",
            FileState::Replaced => "replaced",
            FileState::Unchanged => "unchanged",
        }
    }

    fn note(self) -> &'static str {
        match self {
            FileState::New => "",
            FileState::Replaced => " (replace)",
            FileState::Unchanged => " (unchanged)",
        }
    }
}

/// The dry run's listing on stdout: each file's full path and size.
pub fn listing(plan: &Plan, target: &Path, pre: &Preflight) -> String {
    let width =
        plan.files.iter().map(|f| f.path.len()).max().unwrap_or(0) + target.as_os_str().len() + 1;
    let mut out = String::new();
    for f in &plan.files {
        let full = escape(&target.join(&f.path).display().to_string());
        out.push_str(&format!(
            "{full:<width$}  {:>6} bytes{}\n",
            f.contents.len(),
            FileState::of(&f.path, pre).note()
        ));
    }
    out
}

/// The summary shown before the confirmation prompt.
pub fn summary(plan: &Plan, target: &Path, pre: &Preflight, printer: Printer) -> String {
    let mut s = format!(
        "\n{} {}\n",
        printer.paint(BOLD, "Will write to"),
        escape(&target.display().to_string())
    );
    for f in &plan.files {
        s.push_str(&format!(
            "  {:<28} {:>9}{}\n",
            escape(&f.path),
            human_bytes(f.contents.len()),
            FileState::of(&f.path, pre).note()
        ));
    }
    s
}

/// One status line per file written into an existing folder: `Wrote`, or
/// `Replaced` for a file that had other contents.
pub fn each_file_written(outcome: &crate::write::Outcome, root: &Path, printer: Printer) {
    for (p, _) in &outcome.files {
        let verb = if outcome.overwritten.contains(p) {
            "Replaced"
        } else {
            "Wrote"
        };
        printer.status(verb, &escape(&root.join(p).display().to_string()));
    }
}

/// The one-line account of a dry run.
pub fn dry_run_line(plan: &Plan, target: &Path) -> String {
    format!(
        "dry run: {}, {} would be written to {}; nothing was written",
        count(plan.files.len(), "file"),
        human_bytes(plan.total_bytes()),
        target.display()
    )
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// `--json`: the project, its template, every value and every file with
/// what writing did (or would do) to it.
pub fn json_result(
    target: &Path,
    template: &Template,
    values: &Values,
    plan: &Plan,
    pre: &Preflight,
    dry_run: bool,
) -> String {
    let mut vals = serde_json::Map::new();
    for (name, value, _) in values.iter() {
        vals.insert(name.into(), serde_json::to_value(value).unwrap_or_default());
    }
    let files: Vec<_> = plan
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path,
                "bytes": f.contents.len(),
                "state": FileState::of(&f.path, pre).word(),
            })
        })
        .collect();
    let of = |state: FileState| -> Vec<&str> {
        plan.files
            .iter()
            .filter(|f| FileState::of(&f.path, pre) == state)
            .map(|f| f.path.as_str())
            .collect()
    };
    let doc = json!({
        "path": absolute(target),
        "dry_run": dry_run,
        "template": {
            "name": template.manifest.meta.name,
            "version": template.manifest.meta.version,
            "source": template.origin.source(),
            "ref": template.origin.git_ref(),
            "commit": template.origin.commit(),
        },
        "values": vals,
        "files": files,
        "overwritten": of(FileState::Replaced),
        "unchanged": of(FileState::Unchanged),
    });
    super::json::document(&doc)
}

/// What to run next, with the path quoted for a shell.
pub fn next_steps(dir: &Path, values: &Values, printer: Printer) -> String {
    let port = values.port();
    let image = values.str("image");
    let cmd = |c: String| format!("  {}", printer.paint(CYAN, &c));
    format!(
        "\nNext steps:\n{}\n{}\n{}\n  then open http://localhost:{port}",
        cmd(format!("cd {}", shell_quote(&dir.display().to_string()))),
        cmd(format!("docker image build -t {image} .")),
        cmd(format!(
            "docker container run --rm -p {port}:{port} {image}"
        )),
    )
}
