//! The installation on this host: plain (the file is wherever `--db` says, shared by
//! a group whose members can all rewrite it) or guarded (a root-owned system
//! configuration names the one team file, which only the program reaches, through
//! the service group it is installed setgid to). This module finds out which, holds
//! the service group for as short a time as it can, and checks the installation
//! (`accessdesk host check`). It opens no database itself.

pub mod check;
pub mod config;
pub mod keyfile;
pub mod privilege;

use config::{Config, ConfigError};
use privilege::Gids;
use std::path::PathBuf;

/// How this installation works.
#[derive(Debug, Clone)]
pub enum Mode {
    /// No system configuration: today's behaviour.
    Plain,
    Guarded(Guarded),
}

/// A guarded installation as this process found it at start.
#[derive(Debug, Clone)]
pub struct Guarded {
    pub config_path: PathBuf,
    pub config: Config,
    /// The binary, as the kernel ran it.
    pub exe: PathBuf,
    /// The group of the binary: the service group.
    pub service_gid: u32,
    /// The process's groups at start, before any was given up.
    pub at_start: Gids,
}

impl Guarded {
    /// Whether the process started with the service group as its effective group
    /// (the kernel honoured the setgid bit). A binary of root's group never counts.
    pub fn gained(&self) -> bool {
        self.service_gid != 0 && self.at_start.effective == self.service_gid
    }

    /// The service group's name, or its number when the group database has none.
    pub fn service_group(&self) -> String {
        privilege::group_name(self.service_gid).unwrap_or_else(|| self.service_gid.to_string())
    }
}

/// Where the binary is, as the kernel ran it.
pub fn exe() -> std::io::Result<PathBuf> {
    std::fs::read_link("/proc/self/exe")
}

impl Mode {
    /// Finds the system configuration of this binary. A configuration that exists
    /// but cannot be trusted is an error naming its path: the program then starts in
    /// neither mode.
    pub fn detect() -> Result<Mode, ConfigError> {
        let at_start = privilege::gids();
        let exe = exe().map_err(|e| ConfigError::Unreadable {
            path: PathBuf::from("/proc/self/exe"),
            problem: e.to_string(),
        })?;
        let Some((config_path, config)) = config::load(&exe)? else {
            return Ok(Mode::Plain);
        };
        let service_gid = privilege::service_gid().map_err(|e| ConfigError::Unreadable {
            path: exe.clone(),
            problem: e.to_string(),
        })?;
        Ok(Mode::Guarded(Guarded {
            config_path,
            config,
            exe,
            service_gid,
            at_start,
        }))
    }
}
