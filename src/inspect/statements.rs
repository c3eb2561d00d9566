//! Python source cut at its top-level statements without parsing it, so that
//! only the statements that can carry a fact are given to the parser.
//!
//! A top-level statement starts on a line that begins in column 0 outside a
//! string, a bracket and a backslash continuation; it keeps its decorators
//! and its `else`/`elif`/`except`/`finally` clauses. The cut follows strings
//! (single, triple-quoted, any prefix) and comments, but not the nesting of
//! quotes inside a Python 3.12 f-string: a cut that goes wrong gives text
//! that does not parse, and the caller then parses the whole file.

/// `source` with every top-level statement that is neither an import nor
/// kept by `keep` (given the statement's text) replaced by as many empty
/// lines, so that line numbers stay those of `source`.
pub fn keep_statements(source: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(source.len());
    for chunk in statements(source) {
        let first = chunk.trim_start();
        let import = first.starts_with("import ") || first.starts_with("from ");
        if import || keep(chunk) {
            out.push_str(chunk);
        } else {
            out.extend(std::iter::repeat_n('\n', chunk.matches('\n').count()));
        }
    }
    out
}

/// The source split into top-level statements (what comes before the first
/// one is a chunk of its own); the chunks joined are `source`.
fn statements(source: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut scan = Scanner::default();
    let mut start = 0;
    // The current statement is decorators still waiting for their def/class.
    let mut decorating = false;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let begins = scan.at_statement_start() && line.starts_with(|c: char| !c.is_whitespace());
        if begins && !line.starts_with('#') {
            let clause = ["else", "elif", "except", "finally"].iter().any(|k| {
                line.strip_prefix(k).is_some_and(|rest| {
                    !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            });
            if !clause && !decorating && offset > start {
                chunks.push(&source[start..offset]);
                start = offset;
            }
            if !clause {
                decorating = line.starts_with('@');
            }
        }
        scan.line(line);
        offset += line.len();
    }
    if offset > start {
        chunks.push(&source[start..offset]);
    }
    chunks
}

/// Where the tokenizer is at the end of a line.
#[derive(Default)]
struct Scanner {
    /// Open brackets.
    depth: usize,
    /// Inside a string: its quote and whether it is triple-quoted.
    string: Option<(char, bool)>,
    /// The last line ended with a backslash outside a string.
    continued: bool,
}

impl Scanner {
    fn at_statement_start(&self) -> bool {
        self.depth == 0 && self.string.is_none() && !self.continued
    }

    fn line(&mut self, line: &str) {
        self.continued = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match self.string {
                Some((q, triple)) => match c {
                    '\\' => {
                        chars.next();
                    }
                    '\n' if !triple => self.string = None,
                    c if c == q => {
                        let closes = !triple
                            || (chars.next_if_eq(&q).is_some() && chars.next_if_eq(&q).is_some());
                        if closes {
                            self.string = None;
                        }
                    }
                    _ => {}
                },
                None => match c {
                    '#' => break,
                    '\'' | '"' => {
                        let triple = chars.next_if_eq(&c).is_some();
                        if triple && chars.next_if_eq(&c).is_none() {
                            // `''`: an empty string, closed already.
                            continue;
                        }
                        self.string = Some((c, triple));
                    }
                    '(' | '[' | '{' => self.depth += 1,
                    ')' | ']' | '}' => self.depth = self.depth.saturating_sub(1),
                    '\\' if chars.peek().is_none_or(|n| *n == '\n' || *n == '\r') => {
                        self.continued = true;
                    }
                    _ => {}
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"'''Module docstring
def not_a_statement():
'''
import os
from flask import (
    Blueprint,
)

bp = Blueprint("b", __name__, url_prefix="/b")


@bp.route("/x")
@login_required
def x():
    return helper()


def helper(s="""
def inside_a_string():
"""):
    return [
1, 2]


if os.name:
    X = 1
else:
    X = 2
try:
    import json
except ImportError:
    json = None
Y = 1 + \
2
Z = '#' # "
"#;

    #[test]
    fn statements_keep_decorators_clauses_strings_and_brackets_together() {
        let chunks = statements(SOURCE);
        assert_eq!(chunks.concat(), SOURCE);
        let firsts: Vec<&str> = chunks.iter().map(|c| c.lines().next().unwrap()).collect();
        assert_eq!(
            firsts,
            [
                "'''Module docstring",
                "import os",
                "from flask import (",
                "bp = Blueprint(\"b\", __name__, url_prefix=\"/b\")",
                "@bp.route(\"/x\")",
                "def helper(s=\"\"\"",
                "if os.name:",
                "try:",
                "Y = 1 + \\",
                "Z = '#' # \"",
            ]
        );
        assert!(chunks[4].contains("def x():") && chunks[4].contains("return helper()"));
        assert!(chunks[6].contains("else:") && chunks[7].contains("except ImportError:"));
    }

    #[test]
    fn statements_not_kept_become_empty_lines_and_the_rest_still_parses() {
        use rustpython_parser::{ast, Parse};
        let reduced = keep_statements(SOURCE, |s| s.contains(".route(") || s.contains("Blueprint"));
        assert_eq!(reduced.lines().count(), SOURCE.lines().count());
        assert!(!reduced.contains("def helper") && !reduced.contains("X = 2"));
        assert!(reduced.contains("import os") && reduced.contains("def x():"));
        // Line numbers are those of the source.
        let at = |text: &str, s: &str| text.lines().position(|l| l.contains(s));
        assert_eq!(at(&reduced, "def x():"), at(SOURCE, "def x():"));
        assert!(ast::Suite::parse(&reduced, "m.py").is_ok());
    }
}
