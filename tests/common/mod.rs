//! The one helper layer of the integration tests, shared by the `cli`, `tui` and `host`
//! test binaries. The tests drive the real `accessdesk` binary as separate processes on
//! real SQLite files in temporary folders, optionally as other OS accounts, and look at
//! the file with a read-only connection of their own to prove what changed and what did
//! not; the TUI tests drive the `App` on the demo data at a fixed clock.
//!
//! - [`bin`]: running the binary and what a run ended with.
//! - [`accounts`]: the OS accounts and the group the multi-account tests run as.
//! - [`db`]: a database file in its own folder, and reading it.
//! - [`tmux`]: a private tmux server for the tests in a real terminal.
//! - [`tui`]: the app on fixed demo data, key presses and rendering.
//!
//! A test that cannot run here says so through [`skip`], never silently.
//!
//! Each binary uses a different subset of these helpers.
#![allow(dead_code, unused_imports)]

pub mod accounts;
pub mod bin;
pub mod db;
pub mod tmux;
pub mod tui;

pub use accounts::*;
pub use bin::*;
pub use db::*;

use std::io::Write;

/// Set to `1` (as `.ci/run` does), every skip fails its test instead: CI cannot pass
/// by skipping what it was meant to check.
pub const NO_SKIP: &str = "ACCESSDESK_NO_SKIP";

/// True when [`NO_SKIP`] is set to anything but empty or `0`.
pub fn skips_forbidden() -> bool {
    std::env::var_os(NO_SKIP).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The one way a test (or a part of one) skips: it names the test and the reason on
/// stderr, or fails the test when [`NO_SKIP`] is set. The notice is written to the
/// process's stderr directly, past libtest's capture, so it shows even when the test
/// passes. The caller returns (or takes its fallback) afterwards.
#[track_caller]
pub fn skip(why: &str) {
    let current = std::thread::current();
    let test = current.name().unwrap_or("a test");
    if skips_forbidden() {
        panic!("{test} would be skipped ({why}), but {NO_SKIP}=1 forbids skipping");
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED in {test}: {why} ({NO_SKIP}=1 turns this into a failure)"
    );
}
