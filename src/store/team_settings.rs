//! Team settings in the file: read when the file is opened (and again when a screen
//! reloads), changed by an admin, each change one `setting-set` event that the replay
//! rebuilds the `settings` table from.

use super::error::Result;
use super::events;
use super::handle::Store;
use crate::domain::blockers::Settings;
use crate::domain::settings::{self, KEYS, Key};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;

const UPSERT: &str = "INSERT INTO settings (key, value, set_by, set_at) VALUES (?1, ?2, ?3, ?4) \
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at";

/// The event kind of a changed setting.
pub const KIND: &str = "setting-set";

/// One setting as `settings show` lists it: its name and value, its default, who
/// changed it last and when (RFC 3339, UTC; both absent at the default), and what it
/// means.
#[derive(Debug, Serialize)]
pub struct SettingRow {
    pub key: &'static str,
    pub value: i64,
    pub default: i64,
    pub set_by: Option<String>,
    pub set_at: Option<String>,
    pub meaning: &'static str,
}

/// The team settings stored in the file over the defaults. A file without the table
/// (one opened for reading only that this version has not migrated) has the defaults.
pub(crate) fn load(conn: &Connection) -> Settings {
    let rows = stored(conn).unwrap_or_default();
    settings::from_stored(rows.iter().map(|(k, v, _, _)| (k.as_str(), v.as_str())))
}

type Stored = (String, String, String, String);

fn stored(conn: &Connection) -> rusqlite::Result<Vec<Stored>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, value, set_by, set_at FROM settings ORDER BY key")?;
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect()
}

impl Store {
    /// Reads the team settings again (a screen does so when another process changed
    /// the file).
    pub fn reload_settings(&mut self) {
        self.settings = load(&self.conn);
    }

    /// Every team setting with its value, default, and who set it last.
    pub fn setting_rows(&self) -> Result<Vec<SettingRow>> {
        let rows = stored(&self.conn)?;
        let now = load(&self.conn);
        let defaults = Settings::default();
        Ok(KEYS
            .iter()
            .map(|k| {
                let row = rows.iter().find(|(n, ..)| n == k.name());
                SettingRow {
                    key: k.name(),
                    value: k.get(&now),
                    default: k.get(&defaults),
                    set_by: row.map(|r| r.2.clone()),
                    set_at: row.map(|r| r.3.clone()),
                    meaning: k.meaning(),
                }
            })
            .collect())
    }

    /// Sets a team setting (admins only); returns the setting, its old and new value.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(Key, i64, i64)> {
        let key = Key::parse(key)?;
        let value = key.check(value)?;
        let mine = self.my_person()?;
        settings::may_change(mine.as_ref(), &self.me.login)?;
        self.reload_settings();
        let before = key.get(&self.settings);
        self.write(None, None, |tx, ctx| {
            let was: Option<String> = tx
                .query_row(
                    "SELECT value FROM settings WHERE key = ?1",
                    [key.name()],
                    |r| r.get(0),
                )
                .optional()?;
            let text = value.to_string();
            let payload = json!({"key": key.name(), "value": [was, text]});
            events::append(tx, ctx, None, None, KIND, &payload)?;
            let mut upsert = tx.prepare_cached(UPSERT)?;
            upsert.execute(rusqlite::params![
                key.name(),
                text,
                ctx.me.login,
                events::ts(ctx.now)
            ])?;
            Ok(())
        })?;
        self.reload_settings();
        Ok((key, before, key.get(&self.settings)))
    }
}
