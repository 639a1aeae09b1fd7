//! Reads that name the index to read through (`INDEXED BY`): a partial index that
//! holds only the rows they count. When another index has been put under that name
//! with another program, SQLite finds no way to run the read through it ("no query
//! solution"): the same read is then prepared without the clause, and gives the same
//! rows, read another way. `audit verify` names such an index.

use rusqlite::{Connection, Statement};

/// Whether the file has a table named `name`: a check of `audit verify` compares a
/// table only where the file's schema has it.
pub(crate) fn has_table(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )
}

/// Prepares `sql`, without its `INDEXED BY` clauses when the index named cannot serve
/// it. Not kept in the connection's cache of statements: a kept statement is planned
/// again at its next run when the schema changed meanwhile, where no other plan
/// could be chosen (these reads run once a report).
pub(crate) fn prepare<'c>(conn: &'c Connection, sql: &str) -> rusqlite::Result<Statement<'c>> {
    match conn.prepare(sql) {
        Err(e) if no_plan(&e) => conn.prepare(&without_index(sql)),
        found => found,
    }
}

/// Whether SQLite found no plan for a read through the index it names.
fn no_plan(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(_, Some(m)) if m == "no query solution")
}

/// `sql` without its `INDEXED BY name` clauses.
fn without_index(sql: &str) -> String {
    const CLAUSE: &str = " INDEXED BY ";
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(CLAUSE) {
        out.push_str(&rest[..at]);
        let after = &rest[at + CLAUSE.len()..];
        let name = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        rest = &after[name..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::report::Window;
    use crate::store::testing::generated;
    use chrono::NaiveDate;

    #[test]
    fn the_clause_goes_and_the_rest_stays() {
        assert_eq!(
            without_index("SELECT 1 FROM events INDEXED BY events_security WHERE x NOT INDEXED"),
            "SELECT 1 FROM events WHERE x NOT INDEXED"
        );
        assert_eq!(
            without_index("SELECT (SELECT 1 FROM a INDEXED BY a_1) FROM b INDEXED BY b_2"),
            "SELECT (SELECT 1 FROM a) FROM b"
        );
        assert_eq!(without_index("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn another_index_under_a_counted_name_leaves_the_report_as_it_was() {
        let (_dir, _db, s) = generated("planted.db", 600, 7);
        let period = Window {
            since: Some(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
            until: None,
        };
        let before = (s.report(None).unwrap(), s.report_in(None, period).unwrap());
        assert!(
            before.0.overall.security_reviews > 0,
            "{:?}",
            before.0.overall
        );
        // Narrower indexes under the names the report reads through, as another
        // program could put there: neither can serve the report's reads.
        s.conn
            .execute_batch(
                "DROP INDEX events_security; \
                 CREATE INDEX events_security ON events(project, seq) WHERE kind = 'deny'; \
                 DROP INDEX item_facts_unpacked; \
                 CREATE INDEX item_facts_unpacked ON item_facts(id) WHERE facts IS NULL AND id < 0;",
            )
            .unwrap();
        let read = |sql: &str| s.conn.prepare(sql).map(|_| ()).unwrap_err();
        assert!(no_plan(&read(super::super::facts::FACTS_MISSING)));
        assert!(no_plan(&read(
            &super::super::report::counters::security_decisions_sql()
        )));
        let after = (s.report(None).unwrap(), s.report_in(None, period).unwrap());
        assert_eq!(after, before);
        for p in s.projects().unwrap().iter().take(3) {
            s.report(Some(&p.key)).unwrap();
        }
    }
}
