//! The log: `tracing` events written to one file in the platform's state folder
//! (`$XDG_STATE_HOME/accessdesk/accessdesk.log`, usually `~/.local/state/...`), never
//! to the terminal, so nothing reaches the screen while the tracker is open.
//!
//! The file is opened once, at start, after a guarded installation gave its service
//! group up, so it belongs to the person. It is rotated at start too: when it has
//! grown past [`ROTATE_AT`], it becomes `accessdesk.log.1` (and so on, [`KEEP`]
//! old files), never while a process writes to it. The level comes from
//! `--log-level`, else `RUST_LOG`, else `info`.
//!
//! What is logged: which command ran (its names only, never its arguments), how it
//! ended (exit code, and the rule of a refusal), and where a panic happened. Never a
//! value a person typed: a credential refused in a note must not be kept here either.

use std::fs::{self, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// Past this size the log is rotated at the next start.
pub const ROTATE_AT: u64 = 1024 * 1024;
/// Old logs kept: `accessdesk.log.1` (newest) to `accessdesk.log.3`.
pub const KEEP: usize = 3;

static LOG_PATH: OnceLock<PathBuf> = OnceLock::new();

/// The log file of this run, once logging started.
pub fn path() -> Option<&'static Path> {
    LOG_PATH.get().map(PathBuf::as_path)
}

/// The folder of the log: the platform's state folder, else its local data folder.
pub fn folder() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "accessdesk")?;
    Some(match dirs.state_dir() {
        Some(d) => d.to_path_buf(),
        None => dirs.data_local_dir().join("logs"),
    })
}

/// Starts logging to the file, at `level` (from `--log-level`) or `RUST_LOG`. A log
/// that cannot be opened is said on standard error only when a level was asked for;
/// otherwise the command runs on without one.
pub fn start(level: Option<&str>) {
    let asked = level.is_some() || std::env::var_os("RUST_LOG").is_some();
    match open() {
        Ok((file, path)) => {
            let filter = match level {
                Some(l) => tracing_subscriber::EnvFilter::new(format!("accessdesk={l}")),
                None => tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("accessdesk=info")),
            };
            let installed = tracing_subscriber::fmt()
                .with_writer(Mutex::new(file))
                .with_ansi(false)
                .with_env_filter(filter)
                .with_target(false)
                .try_init();
            if installed.is_ok() {
                let _ = LOG_PATH.set(path);
                name_the_log_on_panic();
            }
        }
        Err(e) if asked => super::output::notice(&format!("cannot open the log file: {e}")),
        Err(_) => {}
    }
}

fn open() -> io::Result<(fs::File, PathBuf)> {
    let dir = folder().ok_or_else(|| io::Error::other("no home folder for the log"))?;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    let path = dir.join("accessdesk.log");
    rotate(&path);
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&path)?;
    Ok((file, path))
}

/// Moves a log past [`ROTATE_AT`] aside: `.log` to `.log.1`, `.log.1` to `.log.2`, ...
fn rotate(path: &Path) {
    let big = fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() > ROTATE_AT);
    if !big {
        return;
    }
    let numbered = |n: usize| {
        let mut p = path.as_os_str().to_owned();
        p.push(format!(".{n}"));
        PathBuf::from(p)
    };
    for n in (1..KEEP).rev() {
        let _ = fs::rename(numbered(n), numbered(n + 1));
    }
    let _ = fs::rename(path, numbered(1));
}

/// A panic logs where it happened (not its message, which may quote a value) and
/// names the log file after the report.
fn name_the_log_on_panic() {
    let before = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%place, "panic");
        before(info);
        if let Some(p) = path() {
            super::output::notice(&format!("the log of this run is {}", p.display()));
        }
    }));
}

/// The names of the command being run (`item add`), read from the arguments against
/// the command line's own subcommand names, so no typed value is ever among them (the
/// commands as declared: their help texts and examples, which name no command, are
/// not built for this).
pub fn command_name() -> String {
    let mut cmd = <super::args::Cli as clap::CommandFactory>::command();
    let mut names = Vec::new();
    for arg in std::env::args().skip(1) {
        if arg.starts_with('-') {
            continue;
        }
        let Some(sub) = cmd.find_subcommand(&arg).cloned() else {
            continue;
        };
        names.push(sub.get_name().to_string());
        if !sub.has_subcommands() {
            break;
        }
        cmd = sub;
    }
    if names.is_empty() {
        "tui".to_string()
    } else {
        names.join(" ")
    }
}
