//! FG008 deps-after-code: in a stage, a RUN installs the dependencies after
//! a COPY of the whole project.

use crate::audit::context::{run_text, Context};
use crate::audit::rules::DEPS_AFTER_CODE;
use crate::audit::Finding;

/// The dependency files a RUN installs from: a requirements file, a lock, the project itself.
fn installs_dependencies(run: &str) -> bool {
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
    (r.contains("pip install")
        && (r.contains(" -r") || r.contains("requirement") || r.contains(" .")))
        || r.contains("poetry install")
        || r.contains("pipenv install")
        || r.contains("uv sync")
        || r.contains("pdm install")
        || r.contains("pdm sync")
}

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for st in &ctx.stages {
        let mut copy_all: Option<usize> = None;
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
            if x.keyword == "RUN" && installs_dependencies(&run_text(x)) {
                if let Some(copy_line) = copy_all.take() {
                    out.push(Finding::new(&DEPS_AFTER_CODE, &ctx.df, x.line, format!("dependencies installed here, after the whole project was copied at {}:{copy_line}", ctx.df)));
                }
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
    fn not_caught() {
        catches_not(check, "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n");
        catches_not(check, "FROM python:3.12-slim AS a\nCOPY . .\nFROM python:3.12-slim\nRUN pip install -r requirements.txt\n");
    }
}
