//! The one JSON writer: every document a `--json` (or `check --format
//! json`) run prints, its result or its error, is written here: pretty,
//! one document, ending in a newline. An error after the result was printed
//! (check's findings, update's conflicts) is not printed as a second
//! document (see `present::answered`).

use serde_json::{json, Value};

/// A document as flaskgen prints it.
pub fn document(doc: &Value) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(doc).unwrap_or_default()
    )
}

/// A run that failed: `{"error": {"message", "kind", "causes"}, "exit_code"}`.
pub fn error(err: &anyhow::Error, exit_code: i32) -> String {
    let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
    let kind = match exit_code {
        2 => "invalid_input",
        130 => "interrupted",
        _ => "failure",
    };
    document(&json!({
        "error": {"message": err.to_string(), "kind": kind, "causes": causes},
        "exit_code": exit_code,
    }))
}
