//! `config show` and `config init`: the personal configuration (presentation only),
//! read after a guarded installation gave its group up, so the file is read and
//! written as the person. Also where the database comes from when neither `--db`
//! nor `ACCESSDESK_DB` names one.

use super::{CmdResult, Failure};
use crate::config::{self, Config, Source};
use clap::Subcommand;
use serde_json::json;
use std::cell::RefCell;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Print the effective configuration and where each value came from
    ///
    /// Example: accessdesk config show --json
    Show,
    /// Write the commented default configuration (never over an existing file)
    ///
    /// Example: accessdesk config init && $EDITOR ~/.config/accessdesk/config.toml
    Init,
}

thread_local! {
    /// The configuration read at start, for the screen.
    static LOADED: RefCell<Option<Config>> = const { RefCell::new(None) };
}

/// Keeps the configuration read at start for the screen.
pub(super) fn keep(cfg: &Config) {
    LOADED.with(|l| *l.borrow_mut() = Some(cfg.clone()));
}

/// The configuration read at start.
pub(super) fn loaded() -> Option<Config> {
    LOADED.with(|l| l.borrow().clone())
}

/// Where `--db` or `ACCESSDESK_DB` came from (clap merges the two).
pub(super) fn db_source() -> Source {
    let flag = std::env::args_os().any(|a| a == "--db" || a.to_string_lossy().starts_with("--db="));
    if flag {
        Source::Flag("--db")
    } else {
        Source::Env("ACCESSDESK_DB")
    }
}

/// The refusal of a `database` key in a guarded installation.
pub(super) fn guarded_database(cfg: &Config) -> Option<Failure> {
    let db = cfg.database.as_ref()?;
    let line = match db.source {
        Source::File { line } => format!(", line {line}"),
        _ => String::new(),
    };
    Some(Failure::Usage(format!(
        "config {}{line}, key database: this installation is guarded and opens only its team file; remove the key from your configuration",
        cfg.path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    )))
}

pub(super) fn command(
    c: ConfigCmd,
    cfg: &Config,
    db: Option<(PathBuf, Source)>,
    guarded: bool,
    json: bool,
) -> CmdResult {
    match c {
        ConfigCmd::Show => show(cfg, db, guarded, json),
        ConfigCmd::Init => init(cfg),
    }
}

fn show(cfg: &Config, db: Option<(PathBuf, Source)>, guarded: bool, json: bool) -> CmdResult {
    let (_, key_problems) = crate::tui::keymap::rebind::resolve(&cfg.keys);
    let mut problems: Vec<String> = cfg.problems.iter().map(ToString::to_string).collect();
    problems.extend(key_problems.iter().map(ToString::to_string));
    if guarded && let Some(Failure::Usage(m)) = guarded_database(cfg) {
        problems.push(m);
    }
    let file = cfg
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(no config folder)".into());
    let file_note = match (&cfg.path_source, cfg.found) {
        (s, true) => format!("{s}"),
        (s, false) => format!("{s}; not found, so every value is a default"),
    };
    let (db_value, db_source) = match db {
        Some((p, s)) => (p.display().to_string(), s.to_string()),
        None => (String::new(), String::new()),
    };
    let keys: Vec<(String, String)> = cfg
        .keys
        .iter()
        .map(|k| {
            let name = match &k.pane {
                Some(p) => format!("keys.{p}.{}", k.action),
                None => format!("keys.{}", k.action),
            };
            (
                format!("{name} = {}", k.keys.join(", ")),
                Source::File { line: k.line }.to_string(),
            )
        })
        .collect();
    let views: Vec<String> = cfg.views.iter().map(|v| v.name.clone()).collect();
    let rows: Vec<(&str, String, String)> = vec![
        ("file", file.clone(), file_note.clone()),
        (
            "theme",
            cfg.theme.value.name().to_string(),
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                format!("{} (NO_COLOR is set: mono wins)", cfg.theme.source)
            } else {
                cfg.theme.source.to_string()
            },
        ),
        (
            "date_format",
            cfg.date_format.value.clone(),
            cfg.date_format.source.to_string(),
        ),
        (
            "mouse",
            cfg.mouse.value.to_string(),
            cfg.mouse.source.to_string(),
        ),
        ("database", db_value.clone(), db_source.clone()),
        ("views", views.join(", "), cfg.views_source.to_string()),
    ];
    if json {
        let values: Vec<_> = rows
            .iter()
            .map(|(k, v, s)| json!({"key": k, "value": v, "source": s}))
            .chain(
                keys.iter()
                    .map(|(k, s)| json!({"key": "keys", "value": k, "source": s})),
            )
            .collect();
        say!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "file": file,
                "found": cfg.found,
                "values": values,
                "actions": crate::tui::keymap::rebind::actions()
                    .into_iter()
                    .map(|(a, c)| json!({"action": a, "panes": c}))
                    .collect::<Vec<_>>(),
                "problems": problems,
            }))
            .unwrap_or_default()
        )?;
    } else {
        for (k, v, s) in &rows {
            say!("{k:<12} {v:<32} {s}")?;
        }
        for (k, s) in &keys {
            say!("{:<12} {k:<32} {s}", "key")?;
        }
        say!("")?;
        say!("Actions a key may be bound to ([keys] or [keys.PANE]):")?;
        for (a, c) in crate::tui::keymap::rebind::actions() {
            say!("  {a:<26} {}", c.join(", "))?;
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let what = if cfg.problems.is_empty() {
        "these bindings are not used"
    } else {
        "it is not used: the values above are the defaults"
    };
    Err(Failure::Error(format!(
        "config {file}: {what}:\n  {}",
        problems.join("\n  ")
    )))
}

fn init(cfg: &Config) -> CmdResult {
    let Some(path) = &cfg.path else {
        return Err(Failure::Error(
            "cannot find a config folder; name the file with --config PATH".into(),
        ));
    };
    if path.exists() {
        return Err(Failure::Refused(format!(
            "{} already exists; it is left as it is (move it away first to start again)",
            path.display()
        )));
    }
    config::edit::write_file(path, config::DEFAULT_TEXT).map_err(Failure::Error)?;
    say!(
        "Wrote the commented default configuration to {}",
        path.display()
    )?;
    Ok(())
}
