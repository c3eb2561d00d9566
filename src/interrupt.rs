//! Ctrl-C. Before writing starts nothing is on disk, so the process ends at
//! once (exit 130); once writing has started it only raises [`STOP`], and the
//! writer removes what it staged. At a prompt in raw mode Ctrl-C is a key;
//! the terminal library restores the terminal and raises SIGINT itself, and
//! since this is a plain signal handler (no handler thread) it runs right
//! there, before the prompt can report an error of its own. One state word
//! decides between exiting and stopping the writer, so only one path acts.

use std::fmt;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Once;

/// Exit code for a run ended by Ctrl-C (128 + SIGINT), as shells report it.
pub const EXIT_CODE: i32 = 130;
/// The one line a Ctrl-C leaves; a macro so the signal handler can have it
/// as a static byte string.
macro_rules! message {
    () => {
        "interrupted; nothing was written"
    };
}
const MESSAGE: &str = message!();

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

/// Whether the handler should restore the cursor (a prompt may have hidden it).
static STDERR_IS_TERMINAL: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C handler (once per process; later calls do nothing).
/// A plain signal handler rather than a handler thread: nothing to spawn at
/// start-up, and it acts on the very thread that was interrupted.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        STDERR_IS_TERMINAL.store(std::io::stderr().is_terminal(), Ordering::SeqCst);
        #[cfg(unix)]
        // SAFETY: the handler only touches atomics and calls write(2) and
        // _exit(2), which are async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
        }
    });
}

#[cfg(unix)]
extern "C" fn on_sigint(_: libc::c_int) {
    match STATE.compare_exchange(IDLE, EXITING, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => {
            let line: &[u8] = if STDERR_IS_TERMINAL.load(Ordering::SeqCst) {
                concat!("\x1b[?25h\n", message!(), "\n").as_bytes()
            } else {
                concat!("\n", message!(), "\n").as_bytes()
            };
            // SAFETY: async-signal-safe calls on a static buffer.
            unsafe {
                libc::write(2, line.as_ptr().cast(), line.len());
                libc::_exit(EXIT_CODE);
            }
        }
        Err(WRITING) => STOP.store(true, Ordering::SeqCst),
        // Already ending the process.
        Err(_) => {}
    }
}

/// Ends the process for a Ctrl-C that a prompt reported as an error without
/// the signal having ended the run (it cannot, with the handler installed;
/// kept so no path reports Ctrl-C as a failure): same line, exit 130.
pub fn exit_now() -> ! {
    // Set first, so a SIGINT arriving while this prints leaves it to finish.
    STATE.store(EXITING, Ordering::SeqCst);
    let _ = dialoguer::console::Term::stderr().show_cursor();
    eprintln!("\n{MESSAGE}");
    std::process::exit(EXIT_CODE);
}

/// Marks the start of writing: from now on Ctrl-C asks the writer to stop.
/// (The handler runs on the interrupted thread, and the process has only
/// one, so it cannot be half-way through exiting here.)
pub fn begin_writing() {
    STATE.store(WRITING, Ordering::SeqCst);
}

/// Marks the end of writing; Ctrl-C ends the process again.
pub fn end_writing() {
    STATE.store(IDLE, Ordering::SeqCst);
}
