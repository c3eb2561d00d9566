//! Findings as people read them (grouped by file; suppressed ones only
//! counted), as JSON (every finding, with `suppressed`), and as SARIF 2.1.0
//! for code-scanning tools (suppressed ones with `suppressions`).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::rules::{self, Severity};
use super::suppress::Reviewed;
use super::Finding;
use crate::present::{Printer, BOLD, CYAN, DIM, RED, YELLOW};

use crate::text::escape as clean;

fn location(f: &Finding) -> String {
    if f.line == 0 {
        f.file.clone()
    } else {
        format!("{}:{}", f.file, f.line)
    }
}

/// Active findings by severity, and how many were suppressed.
struct Counts {
    error: usize,
    warning: usize,
    note: usize,
    suppressed: usize,
}

fn counts(reviewed: &[Reviewed]) -> Counts {
    let active = |s: Severity| {
        reviewed
            .iter()
            .filter(|r| r.active() && r.finding.severity == s)
            .count()
    };
    Counts {
        error: active(Severity::Error),
        warning: active(Severity::Warning),
        note: active(Severity::Note),
        suppressed: reviewed.iter().filter(|r| !r.active()).count(),
    }
}

pub fn human(reviewed: &[Reviewed], root: &str, printer: Printer, explain: bool) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in reviewed.iter().filter(|r| r.active()).map(|r| &r.finding) {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    let mut out = String::new();
    for (file, list) in by_file {
        out.push_str(&format!("{}\n", printer.paint(BOLD, &clean(file))));
        for f in list {
            let sev = match f.severity {
                Severity::Error => printer.paint(RED, "error  "),
                Severity::Warning => printer.paint(YELLOW, "warning"),
                Severity::Note => printer.paint(CYAN, "note   "),
            };
            out.push_str(&format!(
                "  {} {sev} {} {}\n",
                printer.paint(DIM, &format!("{:<22}", clean(&location(f)))),
                printer.paint(BOLD, f.id),
                clean(&f.message)
            ));
            if explain {
                out.push_str(&format!(
                    "{:27}why: {}\n{:27}fix: {}\n",
                    "", f.why, "", f.fix
                ));
            }
        }
    }
    let c = counts(reviewed);
    let suppressed = match c.suppressed {
        0 => String::new(),
        n => format!(", {n} suppressed"),
    };
    if c.error + c.warning + c.note == 0 {
        out.push_str(&format!("{}: no problems found{suppressed}\n", clean(root)));
    } else {
        out.push_str(&format!(
            "{}: {} error(s), {} warning(s), {} note(s){suppressed}\n",
            clean(root),
            c.error,
            c.warning,
            c.note
        ));
    }
    out
}

/// Every finding, suppressed ones included (`"suppressed": {kind,
/// justification}`, else null); the summary counts active ones by severity.
pub fn json(reviewed: &[Reviewed], root: &str, passed: bool) -> String {
    let c = counts(reviewed);
    let doc = json!({
        "path": root,
        "passed": passed,
        "findings": reviewed,
        "summary": {
            "error": c.error,
            "warning": c.warning,
            "note": c.note,
            "suppressed": c.suppressed,
        },
    });
    crate::present::json::document(&doc)
}

/// `bytes` as an RFC 3986 path: `/` and the unreserved characters (letters,
/// digits, `-._~`) kept, every other byte percent-encoded (a space, `#`, `%`,
/// `?`, `:` and each byte of a non-ASCII character, whatever its encoding).
fn uri_path(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `file:` URI of the directory `root` (absolute), ending in `/`.
fn root_uri(root: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let path = uri_path(root.as_os_str().as_bytes());
    format!("file://{}/", path.trim_end_matches('/'))
}

/// SARIF 2.1.0: one run, every rule described, results located by file:line
/// relative to the project root (`%SRCROOT%`, the `file:` URI of `root`, an
/// absolute path). Every URI is an RFC 3986 reference, percent-encoded.
/// A suppressed finding carries `suppressions` (`inSource` for a comment,
/// `external` for a flag or pyproject.toml), as SARIF 2.1.0 §3.27.23 has it.
pub fn sarif(reviewed: &[Reviewed], root: &Path) -> String {
    let rules: Vec<Value> = rules::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.why},
                "help": {"text": format!("{} Fix: {}", r.why, r.fix)},
                "defaultConfiguration": {"level": r.severity.name()},
            })
        })
        .collect();
    let results: Vec<Value> = reviewed
        .iter()
        .map(|r| {
            let f = &r.finding;
            let index = rules::ALL.iter().position(|r| r.id == f.id).unwrap_or(0);
            let mut physical = json!({
                "artifactLocation": {"uri": uri_path(f.file.as_bytes()), "uriBaseId": "%SRCROOT%"},
            });
            if f.line > 0 {
                physical["region"] = json!({"startLine": f.line});
            }
            let mut result = json!({
                "ruleId": f.id,
                "ruleIndex": index,
                "level": f.severity.name(),
                "message": {"text": format!("{} Fix: {}", f.message, f.fix)},
                "locations": [{"physicalLocation": physical}],
            });
            if let Some(s) = &r.suppressed {
                result["suppressions"] = json!([s]);
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "flaskgen",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri(root)}},
            "results": results,
        }],
    });
    crate::present::json::document(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            uri_path(b"a b#c%d/\xc3\xa9?x:y"),
            "a%20b%23c%25d/%C3%A9%3Fx%3Ay"
        );
        assert_eq!(uri_path(b"deploy/stack.yaml"), "deploy/stack.yaml");
        assert_eq!(
            root_uri(Path::new("/srv/my app#1/")),
            "file:///srv/my%20app%231/"
        );
        assert_eq!(root_uri(Path::new("/")), "file:///");
    }
}
