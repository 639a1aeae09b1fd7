//! Replay verification: the event log applied from its start (or from the last
//! baseline set) and compared with the tables, so a row changed behind accessdesk's
//! back — a role granted, an approval inserted, a state moved with `sqlite3` — shows
//! as a divergence naming table, key and column, even where nothing could prevent it.
//!
//! - [`facts`]: applying events to a model of the tables (no SQL).
//! - [`compare`]: the model written out as stored text, and the divergences.
//! - `tables`: reading the tables and comparing them row by row.
//! - [`baseline`]: the one-time `baseline` events of a file first opened by a version
//!   that logs every value, so its replay starts from rows whose history was not logged.
//!
//! The replay streams the events and holds only the replayed rows, so its memory
//! grows with the rows of the file, not with the length of its history.

pub mod baseline;
mod catalogue;
mod catalogue_facts;
pub mod compare;
mod event;
pub mod facts;
mod review_facts;
mod reviews;
mod settings;
mod settings_facts;
mod spell_facts;
pub mod spells;
mod tables;
mod template_facts;
mod templates;

use super::error::Result;
use super::handle::Store;
use compare::Divergence;
use facts::{EventIn, Facts};
use rusqlite::{Connection, OptionalExtension, types::ValueRef};
use serde::Serialize;
use std::borrow::Cow;

/// The tables the replay rebuilds and compares.
pub const REPLAYED_TABLES: [&str; 13] = [
    "people",
    "projects",
    "items",
    "approvals",
    "tasks",
    "task_needs",
    reviews::TABLES[0],
    reviews::TABLES[1],
    catalogue::TABLE,
    templates::TABLES[0],
    templates::TABLES[1],
    settings::TABLE,
    spells::TABLE,
];

/// Tables the replay leaves alone on purpose, each with the reason. A table in the
/// file that is in neither list fails verification (and a test), so a feature that
/// adds a table also teaches the replay about it.
pub const IGNORED_TABLES: [(&str, &str); 6] = [
    (
        "events",
        "the log itself: the chain walk checks every row of it",
    ),
    (
        "meta",
        "the migrations' record of themselves; no person's change is kept there",
    ),
    (
        "item_counts",
        "counts the store keeps with every write to the items: compared with the rows instead",
    ),
    (
        "item_facts",
        "each item's packed facts, kept by the store with every write to the items: packed again from the rows and compared",
    ),
    (
        "fact_pages",
        "the packed facts again, a page of items to a row, kept by the store with every write to them: made again from them and compared",
    ),
    (
        "fact_pages_stale",
        "the pages of facts a write changed, made again before it commits: the pages it names are left out of the comparison",
    ),
];

/// The event kind of a baseline row.
pub const BASELINE: &str = "baseline";

/// What replaying the log found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replay {
    /// The seq the replay started at: 1, or the first event of the last baseline set.
    pub from_seq: i64,
    /// Events applied.
    pub events: i64,
    /// What `PRAGMA quick_check` reported, when it was not "ok".
    pub integrity: Vec<String>,
    /// Tables the replay knows nothing about.
    pub unknown_tables: Vec<String>,
    /// Events the log itself contradicts.
    pub log_problems: Vec<String>,
    /// Rows whose values differ from the replay's.
    pub divergences: Vec<Divergence>,
}

impl Replay {
    pub fn ok(&self) -> bool {
        self.integrity.is_empty()
            && self.unknown_tables.is_empty()
            && self.log_problems.is_empty()
            && self.divergences.is_empty()
    }

    /// Where the replay started, as `audit verify` says it.
    pub fn start(&self) -> String {
        if self.from_seq > 1 {
            format!(
                "replayed from seq {}; earlier events checked by the chain only",
                self.from_seq
            )
        } else {
            "replayed from seq 1".to_string()
        }
    }

    /// Every problem, one line each.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .integrity
            .iter()
            .map(|p| format!("integrity check: {p}"))
            .collect();
        out.extend(self.unknown_tables.iter().map(|t| {
            format!("table {t}: the replay does not know this table, so it cannot vouch for it")
        }));
        out.extend(self.log_problems.iter().cloned());
        out.extend(self.divergences.iter().map(ToString::to_string));
        out
    }
}

impl Store {
    /// Runs SQLite's quick check, replays the log and compares it with the tables.
    pub fn replay_check(&self) -> Result<Replay> {
        check(&self.conn)
    }
}

/// See [`Store::replay_check`].
pub(crate) fn check(conn: &Connection) -> Result<Replay> {
    let mut integrity = quick_check(conn)?;
    integrity.extend(counted_indexes(conn)?);
    integrity.extend(kept_counts(conn)?);
    integrity.extend(crate::store::facts::mismatches(conn)?);
    let unknown_tables = unknown_tables(conn)?;
    let from_seq = start_seq(conn)?;
    let mut facts = Facts::default();
    if baseline::pending(conn)? {
        facts.problems.push(
            "the rows of this file have no baseline in the log yet: it is written by the next open that may write to the file".to_string(),
        );
    }
    let events = replay(conn, from_seq, &mut facts)?;
    let divergences = tables::compare(conn, &mut facts)?;
    Ok(Replay {
        from_seq,
        events,
        integrity,
        unknown_tables,
        log_problems: std::mem::take(&mut facts.problems),
        divergences,
    })
}

fn quick_check(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA quick_check")?;
    let found: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(found.into_iter().filter(|l| l != "ok").collect())
}

/// The partial indexes the report counts security reviews from (schema 18), each
/// read against its rows: `PRAGMA quick_check` does not compare an index's entries
/// with the table, and the report never reads these rows but through the index.
fn counted_indexes(conn: &Connection) -> Result<Vec<String>> {
    use super::schema::SECURITY_DECISIONS;
    let checks = [
        (
            "approvals_security",
            "approvals given as security",
            "SELECT count(*), total(item_id) FROM approvals INDEXED BY approvals_security \
             WHERE capacity = 'security'"
                .to_string(),
            "SELECT count(*), total(item_id) FROM approvals NOT INDEXED WHERE capacity = 'security'"
                .to_string(),
        ),
        (
            "events_security",
            "denials and returns decided as security",
            format!("SELECT count(*), total(seq) FROM events INDEXED BY events_security WHERE {SECURITY_DECISIONS}"),
            // Through the index of every denial, return and undo, whose entries the
            // chain walk vouches for with the rows.
            format!(
                "SELECT count(*), total(seq) FROM events INDEXED BY events_decided \
                 WHERE (kind = 'deny' OR kind = 'return' OR kind = 'undo') AND {SECURITY_DECISIONS}"
            ),
        ),
    ];
    let mut out = Vec::new();
    for (index, what, through, rows) in checks {
        let there: bool = conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?1",
            [index],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !there {
            continue;
        }
        let count =
            |sql: &str| conn.query_row(sql, [], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)?)));
        // A damaged index, or another one planted under its name, is named, not a
        // reason to stop: the other checks still report.
        match (count(&through), count(&rows)) {
            (Ok(by_index), Ok(in_rows)) if by_index != in_rows => out.push(format!(
                "index {index} lists {} {what} where the rows hold {}: the file was changed outside accessdesk or is damaged",
                by_index.0, in_rows.0
            )),
            (Ok(_), Ok(_)) => {}
            (Err(e), _) | (_, Err(e)) => out.push(format!(
                "index {index} cannot be read against its rows ({e}): the file was changed outside accessdesk or is damaged"
            )),
        }
    }
    Ok(out)
}

/// The items of each project in each state as `item_counts` keeps them (schema 19),
/// read against the rows themselves (not through an index, which `PRAGMA
/// quick_check` does not compare with its table): the header's readiness is read
/// from those counts alone. Each count that differs is named, with the rows' count.
fn kept_counts(conn: &Connection) -> Result<Vec<String>> {
    use std::collections::BTreeMap;
    if !crate::store::indexed::has_table(conn, "item_counts")? {
        return Ok(Vec::new());
    }
    let read = |sql: &str| -> rusqlite::Result<BTreeMap<(String, String), i64>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get::<_, i64>(2)?)))?;
        rows.filter(|r| !matches!(r, Ok((_, 0)))).collect()
    };
    let (kept, held) = match (
        read("SELECT project, state, n FROM item_counts"),
        read("SELECT project, state, count(*) FROM items NOT INDEXED GROUP BY project, state"),
    ) {
        (Ok(k), Ok(h)) => (k, h),
        (Err(e), _) | (_, Err(e)) => {
            return Ok(vec![format!(
                "table item_counts cannot be read against the items ({e}): the file was changed outside accessdesk or is damaged"
            )]);
        }
    };
    let keys: std::collections::BTreeSet<&(String, String)> =
        kept.keys().chain(held.keys()).collect();
    Ok(keys
        .into_iter()
        .filter_map(|k| {
            let (a, b) = (kept.get(k).copied().unwrap_or(0), held.get(k).copied().unwrap_or(0));
            (a != b).then(|| format!(
                "table item_counts counts {a} items of {} in state {} where the rows hold {b}: the file was changed outside accessdesk or is damaged",
                k.0, k.1
            ))
        })
        .collect())
}

/// Tables of the file that the replay neither rebuilds nor ignores on purpose.
/// SQLite's own tables (`sqlite_…`) are its bookkeeping, not data.
pub fn unknown_tables(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names
        .into_iter()
        .filter(|n| {
            !REPLAYED_TABLES.contains(&n.as_str()) && !IGNORED_TABLES.iter().any(|(t, _)| t == n)
        })
        .collect())
}

/// The first event of the last baseline set, or 1 when the file never needed one.
pub(crate) fn start_seq(conn: &Connection) -> Result<i64> {
    let last: Option<i64> = conn
        .query_row(
            "SELECT seq FROM events WHERE kind = ?1 ORDER BY seq DESC LIMIT 1",
            [BASELINE],
            |r| r.get(0),
        )
        .optional()?;
    let Some(last) = last else { return Ok(1) };
    // A set is written in one transaction, so it is one run of seqs: it starts after
    // the last other event before its end.
    let before: Option<i64> = conn
        .query_row(
            "SELECT seq FROM events WHERE seq < ?1 AND kind <> ?2 ORDER BY seq DESC LIMIT 1",
            rusqlite::params![last, BASELINE],
            |r| r.get(0),
        )
        .optional()?;
    Ok(before.map_or(1, |s| s + 1))
}

/// A column read as text whatever was written there (a row changed behind the app's
/// back may hold a number or a blob); borrowed when it is text already.
fn raw<'a>(v: ValueRef<'a>) -> Option<Cow<'a, str>> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(Cow::Owned(i.to_string())),
        ValueRef::Real(f) => Some(Cow::Owned(f.to_string())),
        // Checked strictly first: the lossy reading is several times slower on the
        // text of 400,000 events, and needed only for a row written behind our back.
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(match std::str::from_utf8(t) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(t),
        }),
    }
}

/// Applies every event from `from` on, in seq order; returns how many.
fn replay(conn: &Connection, from: i64, facts: &mut Facts) -> Result<i64> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, login, project, item, kind, payload FROM events WHERE seq >= ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([from])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let text = |i: usize| r.get_ref(i).map(raw);
        let (at, login, project, item, kind, payload) =
            (text(1)?, text(2)?, text(3)?, text(4)?, text(5)?, text(6)?);
        facts.apply(&EventIn {
            seq: r.get(0)?,
            at: at.as_deref().unwrap_or_default(),
            login: login.as_deref().unwrap_or_default(),
            project: project.as_deref(),
            item: item.as_deref(),
            kind: kind.as_deref().unwrap_or_default(),
            payload: payload.as_deref().unwrap_or_default(),
        });
        n += 1;
    }
    if from > 1 {
        life_before(conn, from, facts)?;
    }
    Ok(n)
}

/// The items' life (schema 16) is read from the whole log: the events before the
/// baseline set still say when each item entered each state.
fn life_before(conn: &Connection, from: i64, facts: &mut Facts) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, project, item, kind, payload FROM events WHERE seq < ?1 AND \
         (kind = 'submit' OR kind = 'approve' OR kind = 'grant' OR kind = 'verify' \
         OR kind = 'break-glass' OR kind = 'revoke' OR kind = 'cancel')",
    )?;
    let mut rows = stmt.query([from])?;
    while let Some(r) = rows.next()? {
        let text = |i: usize| r.get_ref(i).map(raw);
        let (at, project, item, kind, payload) = (text(1)?, text(2)?, text(3)?, text(4)?, text(5)?);
        facts.note_life(&EventIn {
            seq: r.get(0)?,
            at: at.as_deref().unwrap_or_default(),
            login: "",
            project: project.as_deref(),
            item: item.as_deref(),
            kind: kind.as_deref().unwrap_or_default(),
            payload: payload.as_deref().unwrap_or_default(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::testing::me;
    use std::collections::BTreeMap;

    /// Counts by project and state as `sql` gives them (project, state, count).
    fn by_project_and_state(conn: &Connection, sql: &str) -> BTreeMap<(String, String), i64> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// The items of each project in each state, counted from the rows.
    fn counted(conn: &Connection) -> BTreeMap<(String, String), i64> {
        let sql = "SELECT project, state, count(*) FROM items GROUP BY project, state";
        by_project_and_state(conn, sql)
    }

    /// The counts `item_counts` keeps, but those at zero.
    fn kept(conn: &Connection) -> BTreeMap<(String, String), i64> {
        let sql = "SELECT project, state, n FROM item_counts WHERE n <> 0";
        by_project_and_state(conn, sql)
    }

    /// A generated file with histories, opened as its coordinator.
    fn generated() -> (tempfile::TempDir, std::path::PathBuf, Store) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("counts.db");
        let now: chrono::DateTime<chrono::Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
        crate::scale::generate(&db, 400, 5, now, Some(&me())).unwrap();
        let s = Store::open_as(&db, me()).unwrap();
        (dir, db, s)
    }

    #[test]
    fn the_kept_counts_follow_every_write_to_the_items() {
        let (_dir, _db, mut s) = generated();
        assert_eq!(kept(&s.conn), counted(&s.conn));
        assert!(counted(&s.conn).len() > 8, "several projects and states");
        // An item added and moved (cancelled), and items imported (their counts
        // written once, at the end of the import).
        let key = s.projects().unwrap()[0].key.clone();
        let fields = crate::domain::ItemFields {
            system: "Stripe".into(),
            purpose: "billing export".into(),
            role: "Analyst".into(),
            credential_owner: "Client IT".into(),
            ..Default::default()
        };
        let added = s.add_item(&key, fields.clone()).unwrap();
        assert_eq!(kept(&s.conn), counted(&s.conn));
        let cancel = crate::domain::machine::Action::Cancel { note: None };
        let cancelled = s.act(&added.id(), &cancel, None).unwrap();
        assert_eq!(cancelled.state, crate::domain::State::Cancelled);
        assert_eq!(kept(&s.conn), counted(&s.conn));
        for n in [3, 40] {
            let check = s.row_check(&key, true).unwrap();
            let rows = (0..n).map(|i| check.check(i + 2, fields.clone()));
            assert_eq!(s.import_items(&key, rows, false).unwrap(), n);
            assert_eq!(kept(&s.conn), counted(&s.conn), "after importing {n}");
        }
        // What the header reads: the file's readiness, from the counts alone.
        let (readiness, n) = s.readiness(None).unwrap();
        let rows = |state: &str| -> usize {
            let sql = format!("SELECT count(*) FROM items WHERE state {state}");
            let n: i64 = s.conn.query_row(&sql, [], |r| r.get(0)).unwrap();
            n as usize
        };
        assert_eq!(n, rows("IS NOT NULL"));
        assert_eq!(readiness.ready, rows("= 'verified'"));
        assert_eq!(readiness.required, rows("<> 'cancelled'"));
        assert_eq!(kept_counts(&s.conn).unwrap(), Vec::<String>::new());
        // A write behind the store's back is not counted: `audit verify` names it.
        s.conn
            .execute(
                "UPDATE items SET state = 'needed' WHERE id = ?1",
                [added.rowid],
            )
            .unwrap();
        assert_eq!(kept_counts(&s.conn).unwrap().len(), 2);
    }

    #[test]
    fn a_count_changed_behind_accessdesks_back_is_named_with_the_rows_count() {
        let (_dir, db, s) = generated();
        let ((project, state), n) = counted(&s.conn).into_iter().next().unwrap();
        drop(s);
        let c = Connection::open(&db).unwrap();
        c.execute(
            "UPDATE item_counts SET n = n + 3 WHERE project = ?1 AND state = ?2",
            [&project, &state],
        )
        .unwrap();
        c.execute(
            "INSERT INTO item_counts VALUES ('GHOST', 'verified', 2)",
            [],
        )
        .unwrap();
        assert_eq!(
            kept_counts(&c).unwrap(),
            [
                "table item_counts counts 2 items of GHOST in state verified where the rows hold 0: the file was changed outside accessdesk or is damaged".to_string(),
                format!(
                    "table item_counts counts {} items of {project} in state {state} where the rows hold {n}: the file was changed outside accessdesk or is damaged",
                    n + 3
                ),
            ]
        );
        // `audit verify`'s replay check carries them with its other findings.
        let r = check(&c).unwrap();
        assert!(!r.ok() && r.integrity.len() == 2, "{:?}", r.integrity);
    }

    #[test]
    fn a_file_of_schema_18_gets_its_counts_from_its_items() {
        let (_dir, db, s) = generated();
        let before = counted(&s.conn);
        drop(s);
        // The file as schema 18 left it: no counts (nor the facts of schema 20).
        let c = Connection::open(&db).unwrap();
        c.execute_batch(&format!(
            "{} DROP TABLE item_counts; PRAGMA user_version = 18;",
            crate::store::testing::WITHOUT_FACTS
        ))
        .unwrap();
        drop(c);
        let s = Store::open_as(&db, me()).unwrap();
        assert_eq!(kept(&s.conn), before);
        assert_eq!(kept_counts(&s.conn).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn every_table_the_migrations_make_is_replayed_or_ignored_with_a_reason() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::schema::MIGRATIONS
            .to_latest(&mut conn)
            .unwrap();
        let unknown = unknown_tables(&conn).unwrap();
        assert!(
            unknown.is_empty(),
            "the replay does not know the tables {unknown:?}: teach replay/facts.rs and \
             replay/tables.rs to rebuild and compare them, or add them to IGNORED_TABLES \
             with the reason"
        );
        // And every table it names exists (a renamed table would leave a stale name).
        for t in REPLAYED_TABLES
            .iter()
            .chain(IGNORED_TABLES.iter().map(|(t, _)| t))
        {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [t],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "{t}");
        }
    }
}
