//! FG008 deps-after-code: in a stage, a RUN installs the dependencies after
//! a COPY (or ADD) of the whole project; `pip install .` after the copy is
//! left alone when the dependencies were installed from their files before it.

use crate::audit::context::{run_text, Context};
use crate::audit::rules::DEPS_AFTER_CODE;
use crate::audit::Finding;

/// What a RUN installs: `Some(true)` from dependency files (a requirements
/// file, a lock), `Some(false)` only the project itself (`pip install .`),
/// which needs its code.
fn installs(run: &str) -> Option<bool> {
    // `pip3`, `pip3.12`, `/usr/bin/pip3` and `python -m pip` are pip.
    let r = run
        .to_ascii_lowercase()
        .split(' ')
        .map(|w| {
            let base = w.rsplit('/').next().unwrap_or(w);
            match base.strip_prefix("pip") {
                Some(v) if v.chars().all(|c| c.is_ascii_digit() || c == '.') => "pip",
                _ => w,
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
        .replace("-m pip ", " pip ");
    let pip = r.contains("pip install");
    if (pip && (r.contains(" -r") || r.contains("requirement")))
        || r.contains("poetry install")
        || r.contains("pipenv install")
        || r.contains("uv sync")
        || r.contains("pdm install")
        || r.contains("pdm sync")
    {
        Some(true)
    } else if pip && r.contains(" .") {
        Some(false)
    } else {
        None
    }
}

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for st in &ctx.stages {
        let mut copy_all: Option<usize> = None;
        // Dependencies installed from their files before the code came in:
        // a later `pip install .` only adds the project.
        let mut deps_first = false;
        for x in &ctx.ins[st.own.clone()] {
            if (x.keyword == "COPY" || x.keyword == "ADD")
                && !x.flags.iter().any(|f| f.starts_with("from="))
            {
                let words = x.words();
                let sources = &words[..words.len().saturating_sub(1)];
                if sources
                    .iter()
                    .any(|s| matches!(s.as_str(), "." | "./" | "*"))
                {
                    copy_all.get_or_insert(x.line);
                }
            }
            if x.keyword != "RUN" {
                continue;
            }
            match (installs(&run_text(x)), copy_all) {
                (Some(true), None) => deps_first = true,
                (Some(from_files), Some(copy_line)) if from_files || !deps_first => {
                    copy_all = None;
                    out.push(Finding::new(&DEPS_AFTER_CODE, &ctx.df, x.line, format!("dependencies installed here, after the whole project was copied at {}:{copy_line}", ctx.df)));
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::audit::testing::{catches, catches_not};

    #[test]
    fn caught() {
        let f = catches(
            check,
            "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\n",
        );
        assert_eq!(f[0].line, 3);
        catches(
            check,
            "FROM python:3.12-slim\nCOPY . /app\nRUN poetry install\n",
        );
    }

    #[test]
    fn add_of_the_context_then_pip3_or_python_m_pip() {
        // ADD copies the build context as COPY does; pip3, pip3.12 and
        // `python -m pip` are pip.
        for run in [
            "pip3 install -r requirements.txt",
            "pip3.12 install -r requirements.txt",
            "/usr/local/bin/pip3 install .",
            "python3 -m pip install -r requirements.txt",
        ] {
            let f = catches(
                check,
                &format!("FROM python:3.12-slim\nADD . /\nRUN {run}\n"),
            );
            assert_eq!(f[0].line, 3, "{run}");
        }
    }

    #[test]
    fn the_project_itself_after_its_dependencies() {
        // Requirements first, then the code, then `pip install .`: only the project is installed late.
        catches_not(check, "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip3 install -r requirements.txt\nCOPY . /src\nRUN pip3 install .\"[extra]\"\n");
        // With no dependencies installed first, `pip install .` brings them all after the code.
        catches(
            check,
            "FROM python:3.12-slim\nCOPY . /src\nRUN pip install /src .\n",
        );
    }

    #[test]
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n");
        catches_not(check, "FROM python:3.12-slim AS a\nCOPY . .\nFROM python:3.12-slim\nRUN pip install -r requirements.txt\n");
    }
}
