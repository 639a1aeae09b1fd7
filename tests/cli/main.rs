//! The command line and the rules behind it: every rule refused through the real
//! binary, the life of an item, CSV in and out, the demo data, the secret detector and
//! free-text checks, the store's files and measures, and the layout of `src/` itself.

#[path = "../common/mod.rs"]
mod common;

mod approvals;
mod bounded;
mod catalogue;
mod config;
mod csv;
mod csv_roundtrip;
mod decide;
mod defects;
mod demo;
mod disguise;
mod end_of_access;
mod every_action;
mod everyday;
mod evidence;
mod expiry;
mod injection;
mod layout;
mod lifecycle;
mod measures;
mod nudge;
mod outlook;
mod outputs;
mod privileged;
mod reviews;
mod rules;
mod secrets_corpus;
mod secrets_everywhere;
mod settings;
mod spells;
mod store;
mod tasks;
mod templates;
mod text_props;
