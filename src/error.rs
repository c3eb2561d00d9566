//! The exit-code boundary: the kind of an error, wherever it was raised,
//! decides the exit code. Invalid input from any source (2), a signal
//! (128 + the signal: 130 for Ctrl-C), any other failure: an operation
//! refused or failed (1). Nothing else in flaskgen picks an exit code.

use std::fmt;

use crate::interrupt::Interrupted;

/// Bad input from any source (flag, environment, config, prompt, manifest
/// default): exit code 2. The message is one line: what, the rule, an example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// Builds an `anyhow::Error` carrying an [`InputError`].
pub fn input_error(msg: impl Into<String>) -> anyhow::Error {
    InputError(msg.into()).into()
}

/// Exit code for an error: 130 when Ctrl-C stopped it, 2 when any cause in
/// its chain is an [`InputError`], 1 otherwise.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if err.chain().any(|e| e.is::<Interrupted>()) {
        crate::interrupt::exit_code()
    } else if err
        .chain()
        .any(|e| e.downcast_ref::<InputError>().is_some())
    {
        2
    } else {
        1
    }
}
