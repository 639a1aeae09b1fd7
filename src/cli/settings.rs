//! `settings show` and `settings set KEY VALUE`: the team's settings, kept in the
//! database so that everyone's blockers, reports and evidence use the same values.

use super::{CmdResult, open_store, output};
use clap::Subcommand;
use serde_json::json;
use std::path::Path;

#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// List every team setting: its value, its default, who changed it last and what it means
    Show,
    /// Change a team setting (admins only; each change is logged)
    Set {
        /// The setting: stale-after-days, readiness-target or pilot-window
        #[arg(value_name = "KEY")]
        key: String,
        /// The new value: a whole number (days, or percent for readiness-target)
        #[arg(value_name = "VALUE")]
        value: String,
    },
}

pub fn command(path: &Path, c: SettingsCmd, json: bool) -> CmdResult {
    let mut store = open_store(path)?;
    match c {
        SettingsCmd::Show => {
            let rows = store.setting_rows()?;
            if json {
                return output::json(&json!(rows));
            }
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.key.to_string(),
                        r.value.to_string(),
                        r.default.to_string(),
                        match (&r.set_by, &r.set_at) {
                            (Some(who), Some(at)) => format!("{who} {}", short_time(at)),
                            _ => "default".to_string(),
                        },
                        r.meaning.to_string(),
                    ]
                })
                .collect();
            output::table(
                &["KEY", "VALUE", "DEFAULT", "SET BY", "MEANING"],
                &table,
                90,
            )
        }
        SettingsCmd::Set { key, value } => {
            let (key, before, after) = store.set_setting(&key, &value)?;
            if json {
                return output::json(&json!({"key": key.name(), "was": before, "value": after}));
            }
            say!("{}: {before} -> {after}", key.name())
        }
    }
}

fn short_time(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| output::local(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| rfc3339.to_string())
}
