//! A small Dockerfile reader: instructions with their line numbers, line
//! continuations (with the `# escape=` directive), comments inside
//! continuations, exec (JSON) and shell forms, flags, and heredoc bodies
//! skipped. Enough to audit, not to build.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-case keyword: `FROM`, `RUN`, ...
    pub keyword: String,
    /// 1-based line where the instruction starts.
    pub line: usize,
    /// `--flag=value` options before the arguments (`--from=build`, `--chown=...`).
    pub flags: Vec<String>,
    /// The arguments after the flags, continuations joined with a space.
    pub args: String,
    /// The JSON array form, when the arguments are one.
    pub exec: Option<Vec<String>>,
    /// Heredoc bodies (`RUN <<EOF`), joined.
    pub heredoc: String,
}

impl Instruction {
    /// The words of the arguments: the exec form's items, else split on whitespace.
    pub fn words(&self) -> Vec<String> {
        match &self.exec {
            Some(v) => v.clone(),
            None => self.args.split_whitespace().map(String::from).collect(),
        }
    }
}

/// Parses a Dockerfile's text.
pub fn parse(text: &str) -> Vec<Instruction> {
    let mut escape = '\\';
    let lines: Vec<&str> = text.lines().collect();
    // Parser directives: `# key=value` lines at the very top.
    for l in &lines {
        let t = l.trim();
        let Some(d) = t.strip_prefix('#') else { break };
        let Some((k, v)) = d.split_once('=') else {
            break;
        };
        if k.trim().eq_ignore_ascii_case("escape") && v.trim() == "`" {
            escape = '`';
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let first = lines[i].trim_start();
        i += 1;
        if first.is_empty() || first.starts_with('#') {
            continue;
        }
        let mut joined = String::new();
        let mut cur = first.to_string();
        loop {
            let t = cur.trim_end();
            if let Some(rest) = t.strip_suffix(escape) {
                joined.push_str(rest);
                joined.push(' ');
                // The next non-comment line continues this one.
                while i < lines.len() && {
                    let n = lines[i].trim_start();
                    n.starts_with('#') || n.is_empty()
                } {
                    i += 1;
                }
                if i >= lines.len() {
                    break;
                }
                cur = lines[i].trim_start().to_string();
                i += 1;
            } else {
                joined.push_str(t);
                break;
            }
        }
        let (keyword, rest) = match joined.split_once(char::is_whitespace) {
            Some((k, r)) => (k.to_ascii_uppercase(), r.trim().to_string()),
            None => (joined.trim().to_ascii_uppercase(), String::new()),
        };
        let mut flags = Vec::new();
        let mut args = rest.as_str();
        while let Some(r) = args.strip_prefix("--") {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            flags.push(r[..end].to_string());
            args = r[end..].trim_start();
        }
        let args = args.to_string();
        // Heredocs: `<<EOF`, `<<-EOF`, `<<"EOF"`: skip each body to its delimiter.
        let mut heredoc = String::new();
        for word in args.split_whitespace() {
            if let Some(d) = word.strip_prefix("<<") {
                let d = d.trim_start_matches('-').trim_matches(['"', '\'']);
                if d.is_empty() || !d.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    continue;
                }
                while i < lines.len() && lines[i].trim() != d {
                    heredoc.push_str(lines[i]);
                    heredoc.push('\n');
                    i += 1;
                }
                i += 1;
            }
        }
        let exec = if args.starts_with('[') {
            serde_json::from_str::<Vec<String>>(&args).ok()
        } else {
            None
        };
        out.push(Instruction {
            keyword,
            line: start + 1,
            flags,
            args,
            exec,
            heredoc,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_exec_and_heredocs() {
        let text = "# syntax=docker/dockerfile:1\nFROM python:3.12-slim AS base\nRUN apt-get update \\\n    # a comment\n    && apt-get install -y curl\nCOPY --chown=10001:10001 . .\nRUN <<EOF\necho hi\nEOF\nCMD [\"gunicorn\", \"app:app\"]\n";
        let ins = parse(text);
        let kw: Vec<_> = ins.iter().map(|i| (i.keyword.as_str(), i.line)).collect();
        assert_eq!(
            kw,
            vec![
                ("FROM", 2),
                ("RUN", 3),
                ("COPY", 6),
                ("RUN", 7),
                ("CMD", 10)
            ]
        );
        assert_eq!(ins[1].args, "apt-get update  && apt-get install -y curl");
        assert_eq!(ins[2].flags, vec!["chown=10001:10001"]);
        assert_eq!(ins[3].heredoc, "echo hi\n");
        assert_eq!(
            ins[4].exec.as_deref(),
            Some(&["gunicorn".to_string(), "app:app".to_string()][..])
        );
    }

    #[test]
    fn escape_directive() {
        let ins = parse("# escape=`\nFROM windows`\n  :tag\n");
        assert_eq!(ins.len(), 1);
        assert_eq!(ins[0].args, "windows :tag");
    }
}
