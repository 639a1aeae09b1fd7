//! The full-screen app: key sequences and screens of the `App` on the demo data at a
//! fixed clock (snapshots, every terminal size, no colour, hostile stored text, 100,000
//! items), and the built binary in a real terminal under tmux.

#[path = "../common/mod.rs"]
mod common;

mod bulk;
mod clipboard;
mod config;
mod dashboard;
mod decide;
mod defects;
mod end_of_access;
mod expiring;
mod faults;
mod hostile;
mod keys;
mod nocolor;
mod picker;
mod read_only;
mod readme;
mod reviews;
mod scale;
mod settings;
mod sizes;
mod snapshots;
mod tasks;
mod templates;
mod tmux;
mod undo;
mod wide;
mod window;
