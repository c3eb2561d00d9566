//! Signals: Ctrl-C (SIGINT), SIGTERM and SIGHUP. Before anything is on disk
//! the process ends at once (exit 128 + the signal: 130 for Ctrl-C) with the
//! terminal restored (echo, cursor) and one line that says nothing was
//! written. While work that must clean up is under way (writing a project,
//! cloning a kit into a temporary directory) a signal only raises [`STOP`],
//! and that work undoes itself and returns [`Interrupted`]. Once a project
//! is on disk, a signal still ends the run, but says the files were written.
//!
//! At a prompt in raw mode Ctrl-C is a key; the terminal library restores
//! the terminal and raises SIGINT itself, and since this is a plain signal
//! handler (no handler thread) it runs right there, before the prompt can
//! report an error of its own. One state word decides, so only one path acts.

use std::fmt;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, Ordering};
use std::sync::{Once, OnceLock};

/// Exit code for a run ended by Ctrl-C (128 + SIGINT), as shells report it.
pub const EXIT_CODE: i32 = 130;
/// The lines a signal leaves; macros so the handler has them as static bytes.
macro_rules! nothing_written {
    () => {
        "interrupted; nothing was written"
    };
}
macro_rules! already_written {
    () => {
        "interrupted after the files were written; they are all on disk"
    };
}
const MESSAGE: &str = nothing_written!();

const IDLE: u8 = 0;
const DEFERRED: u8 = 1;
const WRITTEN: u8 = 2;
const EXITING: u8 = 3;
static STATE: AtomicU8 = AtomicU8::new(IDLE);

/// Raised by a signal while work that cleans up after itself is under way.
pub static STOP: AtomicBool = AtomicBool::new(false);
/// The signal that raised [`STOP`] (its exit code is 128 + it).
static SIGNAL: AtomicI32 = AtomicI32::new(libc::SIGINT);

/// The error work returns when [`STOP`] made it give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MESSAGE)
    }
}

impl std::error::Error for Interrupted {}

/// The exit code for an [`Interrupted`] run: 128 + the signal.
pub fn exit_code() -> i32 {
    128 + SIGNAL.load(Ordering::SeqCst)
}

/// Whether the handler should restore the cursor (a prompt may have hidden it).
static STDERR_IS_TERMINAL: AtomicBool = AtomicBool::new(false);
/// The terminal's settings at start-up, put back on a signal (a prompt may
/// have turned echo off).
static SAVED_TERMIOS: OnceLock<libc::termios> = OnceLock::new();

/// Installs the handlers (once per process; later calls do nothing).
/// Plain signal handlers rather than a handler thread: nothing to spawn at
/// start-up, and they act on the very thread that was interrupted.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        STDERR_IS_TERMINAL.store(std::io::stderr().is_terminal(), Ordering::SeqCst);
        // SAFETY: tcgetattr on a descriptor we only read; the handler only
        // touches atomics and calls tcsetattr, write(2) and _exit(2), which
        // are async-signal-safe.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::isatty(0) == 1 && libc::tcgetattr(0, &mut t) == 0 {
                let _ = SAVED_TERMIOS.set(t);
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
        }
    });
}

extern "C" fn on_signal(sig: libc::c_int) {
    let state = STATE.swap(EXITING, Ordering::SeqCst);
    let line: &[u8] = match state {
        IDLE => concat!("\n", nothing_written!(), "\n").as_bytes(),
        WRITTEN => concat!("\n", already_written!(), "\n").as_bytes(),
        DEFERRED => {
            STATE.store(DEFERRED, Ordering::SeqCst);
            SIGNAL.store(sig, Ordering::SeqCst);
            STOP.store(true, Ordering::SeqCst);
            return;
        }
        // Already ending the process.
        _ => return,
    };
    // SAFETY: async-signal-safe calls on static data.
    unsafe {
        if let Some(t) = SAVED_TERMIOS.get() {
            libc::tcsetattr(0, libc::TCSANOW, t);
        }
        if STDERR_IS_TERMINAL.load(Ordering::SeqCst) {
            let show_cursor = b"\x1b[?25h";
            libc::write(2, show_cursor.as_ptr().cast(), show_cursor.len());
        }
        libc::write(2, line.as_ptr().cast(), line.len());
        libc::_exit(128 + sig);
    }
}

/// Ends the process for a Ctrl-C that a prompt reported as an error without
/// the signal having ended the run (it cannot, with the handler installed;
/// kept so no path reports Ctrl-C as a failure): same line, exit 130.
pub fn exit_now() -> ! {
    // Set first, so a signal arriving while this prints leaves it to finish.
    STATE.store(EXITING, Ordering::SeqCst);
    let _ = dialoguer::console::Term::stderr().show_cursor();
    eprintln!("\n{MESSAGE}");
    std::process::exit(EXIT_CODE);
}

/// While it lives, a signal raises [`STOP`] instead of ending the process:
/// for work that must undo itself (writing, a clone into a temporary
/// directory). Dropped, the state it found comes back.
pub struct Deferred {
    before: u8,
}

pub fn defer() -> Deferred {
    Deferred {
        before: STATE.swap(DEFERRED, Ordering::SeqCst),
    }
}

impl Deferred {
    /// The work is done and on disk: from now on a signal says so.
    pub fn written(self) {
        STATE.store(WRITTEN, Ordering::SeqCst);
        std::mem::forget(self);
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        STATE.store(self.before, Ordering::SeqCst);
    }
}

/// [`Interrupted`] once a signal has raised [`STOP`].
pub fn check() -> anyhow::Result<()> {
    if STOP.load(Ordering::SeqCst) {
        return Err(Interrupted.into());
    }
    Ok(())
}
