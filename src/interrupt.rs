//! Ctrl-C. Before writing starts nothing is on disk, so the process ends at
//! once (exit 130); once writing has started it only raises [`STOP`], and the
//! writer removes what it staged. One state word decides which, so the
//! signal thread and the main thread can never both act: a SIGINT that
//! interrupts a prompt's read and the handler that runs for the same signal
//! end the process once, with one message.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// Exit code for a run ended by Ctrl-C (128 + SIGINT), as shells report it.
pub const EXIT_CODE: i32 = 130;
const MESSAGE: &str = "interrupted; nothing was written";

const IDLE: u8 = 0;
const WRITING: u8 = 1;
const EXITING: u8 = 2;
static STATE: AtomicU8 = AtomicU8::new(IDLE);

/// Raised by Ctrl-C while files are being written.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// The error a writer returns when [`STOP`] made it give up (exit 130).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MESSAGE)
    }
}

impl std::error::Error for Interrupted {}

/// Installs the Ctrl-C handler (once per process; later calls do nothing).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if STATE.load(Ordering::SeqCst) == WRITING {
            STOP.store(true, Ordering::SeqCst);
        } else {
            exit_now();
        }
    });
}

/// Ends the process for Ctrl-C outside writing: restores the cursor a prompt
/// may have hidden, prints one line, exits 130. Whichever thread comes
/// second waits for the first to finish exiting.
pub fn exit_now() -> ! {
    if STATE
        .compare_exchange(IDLE, EXITING, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        let _ = dialoguer::console::Term::stderr().show_cursor();
        eprintln!("\n{MESSAGE}");
        std::process::exit(EXIT_CODE);
    }
    if STATE.load(Ordering::SeqCst) == WRITING {
        // Only reachable from the signal thread racing the writer's start:
        // let the writer clean up instead.
        STOP.store(true, Ordering::SeqCst);
    }
    loop {
        std::thread::park();
    }
}

/// Marks the start of writing: from now on Ctrl-C asks the writer to stop.
/// If Ctrl-C is already ending the process, this never returns, so no file
/// is started that would then be cut off.
pub fn begin_writing() {
    if STATE
        .compare_exchange(IDLE, WRITING, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
        && STATE.load(Ordering::SeqCst) == EXITING
    {
        loop {
            std::thread::park();
        }
    }
}

/// Marks the end of writing; Ctrl-C ends the process again.
pub fn end_writing() {
    let _ = STATE.compare_exchange(WRITING, IDLE, Ordering::SeqCst, Ordering::SeqCst);
}
