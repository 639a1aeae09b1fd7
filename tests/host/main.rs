//! The binary on a shared host: who acts (the OS account, never the environment), many
//! processes and accounts on one file, file permissions, migrations racing at start-up,
//! held locks, SIGKILL mid-import, tampering with the event log, rows changed behind the
//! log's back, and credentials that must never reach the disk; a guarded installation
//! (setgid to a service group) end to end.

#[path = "../common/mod.rs"]
mod common;

mod concurrency;
mod faults;
mod files;
mod guarded;
mod identity;
mod load;
mod reliability;
mod replay;
mod secrets_at_rest;
mod tamper;
