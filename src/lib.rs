//! accessdesk: track the access a project needs before work can start — requested
//! with least privilege, collected by safe methods, approved by the right people,
//! removed on time — in one SQLite file shared by a team on one host.
#![deny(clippy::unwrap_used)]

pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod exchange;
pub mod host;
pub mod identity;
pub mod present;
pub mod scale;
pub mod store;
pub mod tui;
