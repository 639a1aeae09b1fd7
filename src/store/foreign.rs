//! Objects in a file's schema that accessdesk's migrations did not make: a trigger,
//! view, table or index someone added with another program (or one of ours removed
//! or changed). A planted trigger would act inside a real person's write — approve
//! every privileged item on submit, say — so a file with one is never written: its
//! schema is compared, at every open and before any migration, with an in-memory
//! database taken through the same migrations to the file's version. A file at the
//! latest version (every file, once migrated) is first compared by a digest of what
//! is compared ([`LATEST_DIGEST`]): equal, nothing differs, and no database is taken
//! through every migration first — which was most of a small command's time.

use super::{Result, schema};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Schema objects by (type, name), with their SQL.
type Objects = BTreeMap<(String, String), Option<String>>;

/// SQLite's own objects, made as it needs them (autoindexes of UNIQUE constraints,
/// the AUTOINCREMENT counter, ANALYZE statistics).
fn sqlite_own(kind: &str, name: &str) -> bool {
    (kind == "index" && name.starts_with("sqlite_autoindex_"))
        || (kind == "table"
            && matches!(
                name,
                "sqlite_sequence"
                    | "sqlite_stat1"
                    | "sqlite_stat2"
                    | "sqlite_stat3"
                    | "sqlite_stat4"
            ))
}

fn objects(conn: &Connection) -> rusqlite::Result<Objects> {
    let mut stmt = conn.prepare("SELECT type, name, sql FROM sqlite_schema")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    let mut out = Objects::new();
    for row in rows {
        let (kind, name, sql) = row?;
        if !sqlite_own(&kind, &name) {
            out.insert((kind, name), sql);
        }
    }
    Ok(out)
}

/// The [`digest`] of what the migrations make at the latest version. A test takes an
/// in-memory database through them and checks it; a new migration changes it.
const LATEST_DIGEST: &str = "238e7d9479268bcff0999e62a8480dc748bc840f9d5b02b8d6b452266aff9a38";

/// A digest of exactly what [`differences`] compares: every object's type and name,
/// and the SQL of each trigger and view (each field after its length, so no two
/// schemas run together into the same bytes).
fn digest(objects: &Objects) -> String {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    for ((kind, name), sql) in objects {
        field(kind.as_bytes());
        field(name.as_bytes());
        if kind == "trigger" || kind == "view" {
            match sql {
                Some(sql) => {
                    field(b"sql");
                    field(sql.as_bytes());
                }
                None => field(b"none"),
            }
        }
    }
    super::chain_key::hex(&h.finalize())
}

/// What the migrations make up to `version`, built once per process and version.
fn expected(version: usize) -> Result<Arc<Objects>> {
    static MADE: Mutex<BTreeMap<usize, Arc<Objects>>> = Mutex::new(BTreeMap::new());
    let mut made = MADE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(o) = made.get(&version) {
        return Ok(Arc::clone(o));
    }
    let mut mem = Connection::open_in_memory()?;
    if version > 0 {
        schema::MIGRATIONS.to_version(&mut mem, version)?;
    }
    let o = Arc::new(objects(&mem)?);
    made.insert(version, Arc::clone(&o));
    Ok(o)
}

/// Each object of the file's schema that differs from what the migrations make at
/// the file's version: one not made by them, one missing, or a trigger or view whose
/// SQL changed. (Tables and indexes are compared by name only: how SQLite words the
/// SQL of a renamed table has varied between its versions, and a changed table or
/// index runs no code of its own.) Returns the version with them: the version and
/// the schema are read in one read transaction, so another process migrating the
/// file meanwhile cannot make them disagree. A file newer than this build is not
/// compared.
pub(crate) fn differences(conn: &Connection) -> Result<(usize, Vec<String>)> {
    conn.execute_batch("BEGIN DEFERRED")?;
    let read = (|| -> Result<(usize, Objects)> {
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok((version.max(0) as usize, objects(conn)?))
    })();
    conn.execute_batch("COMMIT")?;
    let (version, have) = read?;
    let mut out = Vec::new();
    if version > schema::latest() || (version == schema::latest() && digest(&have) == LATEST_DIGEST)
    {
        return Ok((version, out));
    }
    let want = expected(version)?;
    for ((kind, name), sql) in &have {
        match want.get(&(kind.clone(), name.clone())) {
            None => out.push(format!("{kind} {name} (not made by accessdesk)")),
            Some(w) if (kind == "trigger" || kind == "view") && w != sql => {
                out.push(format!("{kind} {name} (changed)"))
            }
            Some(_) => {}
        }
    }
    for (kind, name) in want.keys() {
        if !have.contains_key(&(kind.clone(), name.clone())) {
            out.push(format!("{kind} {name} (missing)"));
        }
    }
    Ok((version, out))
}

/// Why a file with such objects is not written.
pub(crate) fn describe(path: &std::path::Path, found: &[String]) -> String {
    format!(
        "{} was changed with another program: its schema has {}. Nothing is written to it; check it with audit verify, then remove what was planted (or restore a backup)",
        path.display(),
        found.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{initialised, me};
    use crate::store::{Error, Store};

    /// A file as `init` leaves it, then changed by another program with `sql`; the
    /// connection that changed it.
    fn changed(name: &str, sql: &str) -> (tempfile::TempDir, std::path::PathBuf, Connection) {
        let (dir, path, s) = initialised(name);
        drop(s);
        let c = Connection::open(&path).unwrap();
        c.execute_batch(sql).unwrap();
        (dir, path, c)
    }

    /// What a write to the file says when it is refused; the log gains no event.
    fn refused_write(path: &std::path::Path, c: &Connection) -> String {
        let events = || -> i64 {
            c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))
                .unwrap()
        };
        let before = events();
        let mut s = Store::open_as(path, me()).unwrap();
        // Reading still works, to look at it.
        assert_eq!(s.people().unwrap().len(), 1);
        let e = s
            .add_person("eve", None, &[crate::domain::Role::Support])
            .unwrap_err();
        let Error::Refused(r) = &e else { panic!("{e}") };
        assert_eq!(events(), before);
        r.message()
    }

    #[test]
    fn the_latest_digest_is_that_of_what_the_migrations_make() {
        let mut mem = Connection::open_in_memory().unwrap();
        schema::MIGRATIONS.to_latest(&mut mem).unwrap();
        let made = digest(&objects(&mem).unwrap());
        assert_eq!(
            made, LATEST_DIGEST,
            "the migrations make another schema: LATEST_DIGEST is now {made}"
        );
        // The digest tells apart what the comparison tells apart, and only that.
        let mut o = objects(&mem).unwrap();
        let trigger = ("trigger".to_string(), "events_no_delete".to_string());
        let table = ("table".to_string(), "people".to_string());
        o.insert(table.clone(), Some("CREATE TABLE people (x)".into()));
        assert_eq!(digest(&o), made, "a table's SQL is not compared");
        o.insert(trigger.clone(), Some("CREATE TRIGGER x".into()));
        assert_ne!(digest(&o), made, "a trigger's SQL is");
        o.insert(trigger.clone(), None);
        assert_ne!(digest(&o), made);
        o.remove(&trigger);
        assert_ne!(digest(&o), made, "a missing trigger");
    }

    #[test]
    fn a_file_as_migrated_has_nothing_foreign() {
        let (_dir, _path, c) = changed("clean.db", "");
        assert_eq!(
            differences(&c).unwrap(),
            (schema::latest(), Vec::<String>::new())
        );
    }

    #[test]
    fn statistics_sqlite_gathers_are_not_planted() {
        // An administrator's ANALYZE makes SQLite's statistics tables (stat4 too, in
        // this build): SQLite's own, so the file is written as before.
        let (_dir, path, c) = changed("analysed.db", "ANALYZE");
        let stats: Vec<String> = c
            .prepare("SELECT name FROM sqlite_schema WHERE name LIKE 'sqlite_stat%' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(stats, ["sqlite_stat1", "sqlite_stat4"]);
        assert_eq!(
            differences(&c).unwrap(),
            (schema::latest(), Vec::<String>::new())
        );
        let mut s = Store::open_as(&path, me()).unwrap();
        s.add_person("eve", None, &[crate::domain::Role::Support])
            .unwrap();
        assert_eq!(s.people().unwrap().len(), 2);
    }

    #[test]
    fn one_of_its_triggers_made_to_do_nothing_is_named_and_no_write_happens() {
        // The same name, on the same table and moment, with a body that lets the
        // deletion through: the log is no longer append-only.
        let (_dir, path, c) = changed(
            "hollowed.db",
            "DROP TRIGGER events_no_delete;
             CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT 1; END;",
        );
        assert_eq!(
            differences(&c).unwrap(),
            (
                schema::latest(),
                vec!["trigger events_no_delete (changed)".to_string()]
            )
        );
        let text = refused_write(&path, &c);
        assert!(
            text.contains("trigger events_no_delete (changed)"),
            "{text}"
        );
    }

    #[test]
    fn a_file_of_an_older_version_is_compared_with_that_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("older.db");
        let mut c = Connection::open(&path).unwrap();
        schema::MIGRATIONS.to_version(&mut c, 3).unwrap();
        assert_eq!(differences(&c).unwrap(), (3, Vec::<String>::new()));
        // Planted before the migrations to come: named before any of them runs.
        c.execute_batch(
            "CREATE TRIGGER approve_all AFTER INSERT ON people BEGIN UPDATE people SET roles = 'admin'; END;",
        )
        .unwrap();
        assert_eq!(
            differences(&c).unwrap(),
            (
                3,
                vec!["trigger approve_all (not made by accessdesk)".to_string()]
            )
        );
    }

    #[test]
    fn a_planted_trigger_is_named_and_no_write_happens() {
        let (_dir, path, c) = changed(
            "planted.db",
            "CREATE TRIGGER approve_all AFTER INSERT ON people BEGIN UPDATE people SET roles = 'admin'; END;
             CREATE VIEW everything AS SELECT * FROM people;
             DROP TRIGGER events_no_delete;
             CREATE TABLE loot (x);
             CREATE INDEX people_by_name ON people(name);
             DROP INDEX task_needs_item;",
        );
        let text = refused_write(&path, &c);
        for want in [
            "trigger approve_all (not made by accessdesk)",
            "view everything (not made by accessdesk)",
            "trigger events_no_delete (missing)",
            "table loot (not made by accessdesk)",
            "index people_by_name (not made by accessdesk)",
            "index task_needs_item (missing)",
        ] {
            assert!(text.contains(want), "{text}");
        }
    }
}
