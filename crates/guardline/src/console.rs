//! What the binary decides about its own output streams, besides the reports' content: whether stdout and
//! stderr get colour, and `--quiet`, which drops the informational lines on stderr ([`note!`]).
//!
//! Colour follows <https://no-color.org> and the `CLICOLOR_FORCE` convention, in this order: `NO_COLOR` set to
//! anything but the empty string turns it off (it wins over `CLICOLOR_FORCE`); `CLICOLOR_FORCE` set to
//! anything but the empty string or `0` turns it on even without a terminal; otherwise a stream gets colour
//! only when it is a terminal. The report's `--color always|never` overrides both variables; clap's own help
//! and errors follow the same variables through `anstream`.

use std::ffi::OsString;
use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether stdout gets colour (the terminal report with `--color auto`).
pub fn stdout_color() -> bool {
    decide(std::env::var_os("NO_COLOR"), std::env::var_os("CLICOLOR_FORCE"), std::io::stdout().is_terminal())
}

/// Whether stderr gets colour (the log lines).
pub fn stderr_color() -> bool {
    decide(std::env::var_os("NO_COLOR"), std::env::var_os("CLICOLOR_FORCE"), std::io::stderr().is_terminal())
}

/// The decision for one stream, from the two variables and whether the stream is a terminal.
fn decide(no_color: Option<OsString>, force: Option<OsString>, terminal: bool) -> bool {
    if no_color.is_some_and(|value| !value.is_empty()) {
        return false;
    }
    if force.is_some_and(|value| !value.is_empty() && value != "0") {
        return true;
    }
    terminal
}

static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets `--quiet` for the run (once, before the command runs).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` is on: no progress bar and no informational stderr lines; warnings and errors remain.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// `eprintln!` for an informational line (what was written where, counts), which `--quiet` drops. Warnings,
/// errors, and what a write is about to change are printed with `eprintln!` as they are.
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::console::quiet() {
            eprintln!($($arg)*);
        }
    };
}
pub(crate) use note;

#[cfg(test)]
mod tests {
    use super::decide;

    fn os(text: &str) -> Option<std::ffi::OsString> {
        Some(text.into())
    }

    #[test]
    fn no_color_wins_then_clicolor_force_then_the_terminal() {
        assert!(decide(None, None, true));
        assert!(!decide(None, None, false));
        assert!(!decide(os("1"), None, true), "NO_COLOR turns colour off on a terminal");
        assert!(decide(os(""), None, true), "an empty NO_COLOR is not set");
        assert!(decide(None, os("1"), false), "CLICOLOR_FORCE colours without a terminal");
        assert!(!decide(None, os("0"), false), "CLICOLOR_FORCE=0 does not force");
        assert!(!decide(None, os(""), false), "an empty CLICOLOR_FORCE does not force");
        assert!(!decide(os("1"), os("1"), true), "NO_COLOR wins over CLICOLOR_FORCE");
    }
}
