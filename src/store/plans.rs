//! The query plans of what the panes, the live updates and the report read, checked
//! with `EXPLAIN QUERY PLAN` on a real file of the current schema: each reads through
//! the index meant for it, and none reads the whole log or the whole table when only
//! a part is asked for.

use super::lean::LEAN_SQL;
use super::listing::{ItemFilter, READINESS_OF_ALL, READINESS_OF_ONE, items_query};
use super::records::APPROVALS_OF_ONE;
use super::report::counters::{security_decisions_sql, unsafe_attempts_sql};
use super::report::pass::SECURITY_SQL;
use super::schema::MEASURED_KINDS;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

fn file() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plans.db");
    let now: DateTime<Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
    crate::scale::generate(&db, 300, 3, now, None).unwrap();
    let conn = Connection::open(&db).unwrap();
    (dir, conn)
}

/// The plan's lines, one per step, e.g. "SEARCH items USING INDEX items_updated (updated_at>?)".
fn plan(conn: &Connection, sql: &str) -> String {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    // The plan does not depend on the values; every parameter is left null.
    let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
    let lines: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    lines.join("\n")
}

#[test]
fn a_live_update_reads_only_the_changed_items() {
    let (_dir, conn) = file();
    let since: DateTime<Utc> = "2026-11-20T11:00:00Z".parse().unwrap();
    let (sql, _) = items_query(
        &ItemFilter {
            updated_since: Some(since),
            ..Default::default()
        },
        super::listing::PACKED_ROWS_BY_ITEM,
    );
    let p = plan(&conn, &sql);
    assert!(
        p.contains("USING INDEX items_updated (updated_at>?)"),
        "{p}"
    );
    // One project's changes: that project's rows only.
    let (sql, _) = items_query(
        &ItemFilter {
            project: Some("P0001".into()),
            updated_since: Some(since),
            ..Default::default()
        },
        super::listing::PACKED_ROWS_BY_ITEM,
    );
    let p = plan(&conn, &sql);
    assert!(p.starts_with("SEARCH items USING INDEX"), "{p}");
    assert!(p.contains("(project=?"), "{p}");
}

#[test]
fn the_tracker_reads_items_in_order_without_sorting() {
    let (_dir, conn) = file();
    for project in [None, Some("P0001".to_string())] {
        let (sql, _) = items_query(
            &ItemFilter {
                project,
                ..Default::default()
            },
            super::listing::PACKED_ROWS_BY_ITEM,
        );
        // The whole list, and the first screenful read before it.
        for sql in [format!("{sql} LIMIT 200"), sql] {
            let p = plan(&conn, &sql);
            assert!(p.contains("USING INDEX sqlite_autoindex_items_1"), "{p}");
            assert!(!p.contains("TEMP B-TREE"), "{p}");
        }
    }
    // The first screenful's approvals, item by item through their index.
    let p = plan(&conn, APPROVALS_OF_ONE);
    assert!(p.starts_with("SEARCH approvals USING INDEX"), "{p}");
    assert!(p.contains("(item_id=? AND round=?)"), "{p}");
}

#[test]
fn the_header_reads_the_kept_counts_and_no_item() {
    let (_dir, conn) = file();
    for sql in [READINESS_OF_ONE, READINESS_OF_ALL] {
        let p = plan(&conn, sql);
        assert!(p.contains("item_counts"), "{p}");
        assert!(!p.replace("item_counts", "").contains("items"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
    }
    // One project's counts are sought by its key.
    let p = plan(&conn, READINESS_OF_ONE);
    assert!(
        p.contains("SEARCH item_counts USING PRIMARY KEY (project=?)"),
        "{p}"
    );
}

#[test]
fn the_measures_read_their_events_from_the_partial_index() {
    let (_dir, conn) = file();
    let p = plan(&conn, &unsafe_attempts_sql());
    assert!(p.contains("USING COVERING INDEX events_kind"), "{p}");
    assert!(
        !p.contains("SCAN events\n") && !p.ends_with("SCAN events"),
        "{p}"
    );
    // The index holds exactly the kinds the query asks for.
    let index: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'events_kind'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        index.ends_with(&format!("WHERE {MEASURED_KINDS}")),
        "{index}"
    );
    // The items pass of the report reads the table once, in index order, with or
    // without the facts or a page of them at a time, up or down (`parallel::fold`);
    // whether every row has them is one look into an index that holds only the rows
    // that do not.
    for sql in [
        LEAN_SQL,
        super::facts::FACTS_SQL,
        super::facts::pages::PAGES_SQL,
    ] {
        for sql in [sql.to_string(), format!("{sql} DESC")] {
            let p = plan(&conn, &sql);
            assert!(
                !p.contains("TEMP B-TREE") && p.contains("USING INTEGER PRIMARY KEY"),
                "{p}"
            );
        }
    }
    let p = plan(&conn, super::facts::FACTS_MISSING);
    assert!(p.contains("USING INDEX item_facts_unpacked"), "{p}");
}

#[test]
fn the_reports_few_events_are_read_through_their_indexes() {
    let (_dir, conn) = file();
    let p = plan(&conn, super::report::window::UNDONE);
    assert!(p.contains("INDEX events_decided"), "{p}");
    let p = plan(&conn, &unsafe_attempts_sql());
    assert!(p.contains("INDEX events_kind"), "{p}");
}

#[test]
fn the_stage_timelines_are_read_from_the_items_rows() {
    let (_dir, conn) = file();
    // No event is read: the rows keep when each item entered each state (schema 16).
    let lines = super::report::stages::read(&conn, None).unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.kept()[3] != crate::domain::forecast::NO_SAMPLE)
    );
}

#[test]
fn the_closed_spells_are_read_through_the_index_on_their_ends() {
    let (_dir, conn) = file();
    let p = plan(&conn, super::report::spells::SPELLS_SQL);
    assert!(
        p.contains("SEARCH s USING INDEX blocker_spells_until (until<?)"),
        "{p}"
    );
    assert!(
        p.contains("SEARCH i USING INTEGER PRIMARY KEY (rowid=?)"),
        "{p}"
    );
}

#[test]
fn the_security_reviews_are_read_from_their_partial_indexes() {
    let (_dir, conn) = file();
    // The approvals given as security of a range of items: the index alone, in order.
    let p = plan(&conn, SECURITY_SQL);
    assert!(
        p.contains("USING COVERING INDEX approvals_security (item_id>? AND item_id<?)"),
        "{p}"
    );
    assert!(!p.contains("TEMP B-TREE"), "{p}");
    // The denials and returns decided as security: no other event's payload is read.
    let p = plan(&conn, &security_decisions_sql());
    assert!(p.contains("INDEX events_security"), "{p}");
    assert!(
        !p.contains("SCAN events\n") && !p.ends_with("SCAN events"),
        "{p}"
    );
}

#[test]
fn the_report_and_the_full_load_find_the_ends_of_the_items_from_their_key() {
    let (_dir, conn) = file();
    // Each end one step down the table's b-tree; min() and max() in one SELECT would
    // read every row.
    let p = plan(&conn, &super::parallel::id_bounds_sql("items"));
    assert_eq!(p.matches("SEARCH items").count(), 2, "{p}");
    assert!(!p.contains("SCAN items"), "{p}");
}

#[test]
fn the_approvals_on_requested_items_are_sought_through_the_indexes() {
    let (_dir, conn) = file();
    let p = plan(&conn, super::decisions::REQUESTED_APPROVALS_SQL);
    assert!(
        p.contains(
            "SEARCH i USING COVERING INDEX items_project_state (project=? AND state=? AND rowid>? AND rowid<?)"
        ),
        "{p}"
    );
    assert!(
        p.contains("SEARCH a USING INDEX sqlite_autoindex_approvals_1 (item_id=?)"),
        "{p}"
    );
    assert!(!p.contains("SCAN i") && !p.contains("SCAN a"), "{p}");
}

#[test]
fn the_needs_of_one_projects_tasks_are_sought_through_its_tasks() {
    let (_dir, conn) = file();
    for needs in [
        super::tasks::NEEDS_ANY_ROW,
        super::tasks::NEEDS_BY_ROW,
        super::tasks::NEEDS_BY_ID,
    ] {
        // Of every task: one pass over the needs in their key's order, no sort.
        let p = plan(&conn, &super::tasks::needs_sql(needs, false));
        assert!(p.starts_with("SCAN n"), "{p}");
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        // Of one project's: its tasks through the index by project, their needs by key.
        let p = plan(&conn, &super::tasks::needs_sql(needs, true));
        assert!(
            p.starts_with("SEARCH n USING PRIMARY KEY (task_id=?)"),
            "{p}"
        );
        assert!(!p.contains("TEMP B-TREE"), "{p}");
        assert!(
            p.contains("tasks USING COVERING INDEX sqlite_autoindex_tasks_1 (project=?)"),
            "{p}"
        );
        assert!(!p.contains("SCAN n"), "{p}");
    }
}
