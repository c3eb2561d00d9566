//! Suppression, applied after the audit over its list of findings: nothing
//! is dropped, each finding is either active or suppressed with the reason.
//!
//! - In the Dockerfile, `# flaskgen: ignore=FG011,FG004` on the comment lines
//!   directly above an instruction suppresses those rules' findings on that
//!   instruction (a finding's line is the instruction's first line);
//!   `# flaskgen: ignore-file=FG015` anywhere suppresses them for every finding
//!   in the Dockerfile. Text after the IDs is kept as the justification.
//!   SARIF kind `inSource`.
//! - `--ignore`/`--select` and `[tool.flaskgen.check]`'s `ignore`, `select`
//!   and `per-file-ignores` ([`super::config`]): SARIF kind `external`.
//!
//! Only active findings count toward `--fail-on`.

use serde::Serialize;

use super::config::{rule_id, Config};
use super::dockerfile;
use super::Finding;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// A comment in the audited file.
    #[serde(rename = "inSource")]
    InSource,
    /// A flag or the project's configuration.
    #[serde(rename = "external")]
    External,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub kind: Kind,
    /// What suppressed it: the comment (file:line and its text after the IDs)
    /// or the setting.
    pub justification: String,
}

/// A finding and, when suppressed, why.
#[derive(Debug, Clone, Serialize)]
pub struct Reviewed {
    #[serde(flatten)]
    pub finding: Finding,
    pub suppressed: Option<Suppression>,
}

impl Reviewed {
    pub fn active(&self) -> bool {
        self.suppressed.is_none()
    }
}

/// The rules in effect: the config's, with the flags replacing its `ignore`
/// and `select` when given.
#[derive(Debug, Default)]
pub struct Filter {
    pub ignore: Vec<&'static str>,
    /// The setting that gave `ignore`, for the justification.
    pub ignore_from: &'static str,
    pub select: Option<Vec<&'static str>>,
    pub select_from: &'static str,
    pub per_file_ignores: Vec<(String, Vec<&'static str>)>,
}

impl Filter {
    pub fn new(cfg: Config, ignore: Vec<&'static str>, select: Vec<&'static str>) -> Filter {
        let (ignore, ignore_from) = if ignore.is_empty() {
            (cfg.ignore, "pyproject.toml [tool.flaskgen.check] ignore")
        } else {
            (ignore, "--ignore")
        };
        let (select, select_from) = if select.is_empty() {
            (cfg.select, "pyproject.toml [tool.flaskgen.check] select")
        } else {
            (Some(select), "--select")
        };
        Filter {
            ignore,
            ignore_from,
            select,
            select_from,
            per_file_ignores: cfg.per_file_ignores,
        }
    }
}

/// Inline directives of a Dockerfile's text.
#[derive(Debug, Default)]
pub struct Inline {
    /// (instruction's first line, rule ID, justification).
    lines: Vec<(usize, &'static str, String)>,
    /// (rule ID, justification) for the whole file.
    file: Vec<(&'static str, String)>,
    /// Directives naming an unknown rule: `Dockerfile:3: ...`, for warnings.
    pub unknown: Vec<String>,
}

/// The IDs and the rest of the text of `ignore=FG011,FG004 reason`.
fn directive(body: &str) -> (Vec<&str>, String) {
    let mut ids = Vec::new();
    let mut rest = body;
    loop {
        let t = rest.trim_start_matches([',', ' ', '\t']);
        let end = t.find([',', ' ', '\t']).unwrap_or(t.len());
        let word = &t[..end];
        let looks_like_id = word.len() >= 3
            && word[..2].eq_ignore_ascii_case("fg")
            && word[2..].bytes().all(|b| b.is_ascii_digit());
        if !looks_like_id {
            return (ids, t.trim().to_string());
        }
        ids.push(word);
        rest = &t[end..];
    }
}

impl Inline {
    /// Reads `# flaskgen: ignore=` and `# flaskgen: ignore-file=` comments of
    /// the Dockerfile `file` (its name, for justifications).
    pub fn parse(text: &str, file: &str) -> Inline {
        let lines: Vec<&str> = text.lines().collect();
        let mut out = Inline::default();
        let record = |n: usize, ids: Vec<&str>, why: String, whole: bool, out: &mut Inline| {
            let source = if why.is_empty() {
                format!("comment at {file}:{n}")
            } else {
                format!("comment at {file}:{n}: {why}")
            };
            for raw in ids {
                match rule_id(raw) {
                    Some(id) if whole => out.file.push((id, source.clone())),
                    Some(id) => out.lines.push((n, id, source.clone())),
                    None => out.unknown.push(format!(
                        "{file}:{n}: `# flaskgen:` names {raw:?}, which is not a rule ID; ignored"
                    )),
                }
            }
        };
        for (i, l) in lines.iter().enumerate() {
            if let Some(body) = flaskgen_comment(l).and_then(|b| b.strip_prefix("ignore-file=")) {
                let (ids, why) = directive(body);
                record(i + 1, ids, why, true, &mut out);
            }
        }
        for ins in dockerfile::parse(text) {
            // The run of comment lines directly above the instruction.
            let mut j = ins.line - 1;
            while j > 0 {
                if !lines[j - 1].trim_start().starts_with('#') {
                    break;
                }
                if let Some(body) =
                    flaskgen_comment(lines[j - 1]).and_then(|b| b.strip_prefix("ignore="))
                {
                    let (ids, why) = directive(body);
                    let mut found = Inline::default();
                    record(j, ids, why, false, &mut found);
                    out.unknown.extend(found.unknown);
                    out.lines.extend(
                        found
                            .lines
                            .into_iter()
                            .map(|(_, id, why)| (ins.line, id, why)),
                    );
                }
                j -= 1;
            }
        }
        out
    }
}

/// The text after `# flaskgen:` (spaces around the colon optional).
fn flaskgen_comment(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("flaskgen")?.trim_start();
    Some(rest.strip_prefix(':')?.trim_start())
}

/// A gitignore-style `pattern` matches the root-relative `file`.
fn matches(pattern: &str, file: &str) -> bool {
    let mut b = ignore::gitignore::GitignoreBuilder::new("/");
    if b.add_line(None, pattern).is_err() {
        return false;
    }
    b.build().is_ok_and(|g| {
        g.matched_path_or_any_parents(std::path::Path::new("/").join(file), false)
            .is_ignore()
    })
}

/// Marks each finding active or suppressed: first the inline comments of
/// `dockerfile` (the audited Dockerfile's name), then `filter`.
pub fn apply(
    findings: Vec<Finding>,
    dockerfile: &str,
    inline: &Inline,
    filter: &Filter,
) -> Vec<Reviewed> {
    let external = |why: String| {
        Some(Suppression {
            kind: Kind::External,
            justification: why,
        })
    };
    findings
        .into_iter()
        .map(|f| {
            let in_source = (f.file == dockerfile)
                .then(|| {
                    inline
                        .lines
                        .iter()
                        .find(|(l, id, _)| *l == f.line && *id == f.id)
                        .map(|(_, _, why)| why)
                        .or_else(|| {
                            inline
                                .file
                                .iter()
                                .find(|(id, _)| *id == f.id)
                                .map(|(_, w)| w)
                        })
                })
                .flatten();
            let suppressed = if let Some(why) = in_source {
                Some(Suppression {
                    kind: Kind::InSource,
                    justification: why.clone(),
                })
            } else if filter.select.as_ref().is_some_and(|s| !s.contains(&f.id)) {
                external(format!("not selected ({})", filter.select_from))
            } else if filter.ignore.contains(&f.id) {
                external(filter.ignore_from.to_string())
            } else if let Some((p, _)) = filter
                .per_file_ignores
                .iter()
                .find(|(p, ids)| ids.contains(&f.id) && matches(p, &f.file))
            {
                external(format!(
                    "pyproject.toml [tool.flaskgen.check] per-file-ignores {p:?}"
                ))
            } else {
                None
            };
            Reviewed {
                finding: f,
                suppressed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::rules::{self, Rule};

    fn finding(rule: &'static Rule, file: &str, line: usize) -> Finding {
        Finding {
            id: rule.id,
            name: rule.name,
            severity: rule.severity,
            file: file.into(),
            line,
            message: String::new(),
            why: rule.why,
            fix: rule.fix,
        }
    }

    fn kinds(r: &[Reviewed]) -> Vec<Option<Kind>> {
        r.iter()
            .map(|r| r.suppressed.as_ref().map(|s| s.kind))
            .collect()
    }

    #[test]
    fn comment_above_an_instruction_suppresses_its_findings_only() {
        let text = "FROM python:3\n# install\n# flaskgen: ignore=FG011,fg010 builder only\nRUN pip install \\\n    flask\nRUN pip install x\n";
        let inline = Inline::parse(text, "Dockerfile");
        assert!(inline.unknown.is_empty());
        let out = apply(
            vec![
                finding(&rules::PIP_CACHE, "Dockerfile", 4),
                finding(&rules::PACKAGE_FLAGS, "Dockerfile", 4),
                finding(&rules::PIP_CACHE, "Dockerfile", 6),
                finding(&rules::BASE_TAG, "Dockerfile", 1),
                finding(&rules::PIP_CACHE, "other.Dockerfile", 4),
            ],
            "Dockerfile",
            &inline,
            &Filter::default(),
        );
        assert_eq!(
            kinds(&out),
            vec![Some(Kind::InSource), Some(Kind::InSource), None, None, None]
        );
        assert_eq!(
            out[0].suppressed.as_ref().unwrap().justification,
            "comment at Dockerfile:3: builder only"
        );
    }

    #[test]
    fn a_blank_line_or_an_instruction_between_breaks_the_link() {
        let text = "# flaskgen: ignore=FG004\n\nFROM python:3\n# flaskgen: ignore=FG011\nUSER app\nRUN pip install x\n";
        let inline = Inline::parse(text, "Dockerfile");
        let out = apply(
            vec![
                finding(&rules::BASE_TAG, "Dockerfile", 3),
                finding(&rules::PIP_CACHE, "Dockerfile", 6),
            ],
            "Dockerfile",
            &inline,
            &Filter::default(),
        );
        assert_eq!(kinds(&out), vec![None, None]);
    }

    #[test]
    fn file_level_comment_and_unknown_ids() {
        let text =
            "# flaskgen: ignore-file=FG015\nFROM python:3.13\n#flaskgen:ignore=FG099\nCMD x\n";
        let inline = Inline::parse(text, "Dockerfile");
        assert_eq!(inline.unknown.len(), 1, "{:?}", inline.unknown);
        assert!(inline.unknown[0].starts_with("Dockerfile:3:"));
        let out = apply(
            vec![finding(&rules::NO_HEALTHCHECK, "Dockerfile", 2)],
            "Dockerfile",
            &inline,
            &Filter::default(),
        );
        assert_eq!(kinds(&out), vec![Some(Kind::InSource)]);
    }

    #[test]
    fn flags_replace_config_and_per_file_patterns_match() {
        let cfg = Config {
            ignore: vec!["FG015"],
            select: None,
            fail_on: None,
            per_file_ignores: vec![("docker/*.Dockerfile".into(), vec!["FG001"])],
        };
        let f = Filter::new(cfg.clone(), vec!["FG011"], vec![]);
        let out = apply(
            vec![
                finding(&rules::NO_HEALTHCHECK, "Dockerfile", 1),
                finding(&rules::PIP_CACHE, "Dockerfile", 2),
                finding(&rules::DEV_SERVER, "docker/dev.Dockerfile", 3),
                finding(&rules::DEV_SERVER, "Dockerfile", 3),
            ],
            "Dockerfile",
            &Inline::default(),
            &f,
        );
        assert_eq!(
            kinds(&out),
            vec![None, Some(Kind::External), Some(Kind::External), None]
        );
        let f = Filter::new(cfg, vec![], vec!["FG001"]);
        let out = apply(
            vec![
                finding(&rules::NO_HEALTHCHECK, "Dockerfile", 1),
                finding(&rules::DEV_SERVER, "Dockerfile", 3),
            ],
            "Dockerfile",
            &Inline::default(),
            &f,
        );
        assert_eq!(kinds(&out), vec![Some(Kind::External), None]);
        assert_eq!(
            out[0].suppressed.as_ref().unwrap().justification,
            "not selected (--select)"
        );
    }
}
