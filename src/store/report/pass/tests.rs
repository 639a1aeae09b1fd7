//! The pass on several threads against the pass on one, and needs of items that are
//! not there.

use super::super::{Report, Window};
use crate::store::Store;
use crate::store::testing::me;
use chrono::{DateTime, NaiveDate, Utc};

/// A generated file of many projects with tasks, histories and blockers, opened
/// as the one who generated it, at a fixed moment.
fn generated(n: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pass.db");
    let now: DateTime<Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
    let g = crate::scale::generate(&db, n, 7, now, Some(&me())).unwrap();
    assert!(g.projects > 3 && g.tasks > 0, "{g:?}");
    let mut s = Store::open_as(&db, me()).unwrap();
    s.set_now(now);
    (dir, s)
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn the_report_read_on_several_threads_is_the_one_read_on_one() {
    let (_dir, s) = generated(3_000);
    let windows = [
        Window::default(),
        Window {
            since: Some(day("2026-10-01")),
            until: Some(day("2026-11-10")),
        },
        Window {
            since: Some(day("2026-11-01")),
            until: None,
        },
    ];
    for w in windows {
        let one: Report = s.report_read_by(None, w, 0).unwrap();
        assert!(one.overall.items == 3_000 && one.overall.open_blockers > 0);
        assert!(one.overall.tasks > 0 && one.overall.outlook.stage_durations != Default::default());
        for readers in [1, 3] {
            let many = s.report_read_by(None, w, readers).unwrap();
            // Field by field, so a difference names its field.
            assert_eq!(many.projects.len(), one.projects.len());
            for (a, b) in many.projects.iter().zip(&one.projects) {
                assert_eq!(a, b, "{w:?} with {readers} readers");
            }
            assert_eq!(many.overall, one.overall, "{w:?} with {readers} readers");
            assert_eq!(many, one);
        }
    }
    // What the command runs is the same report.
    assert_eq!(
        s.report(None).unwrap(),
        s.report_read_by(None, Window::default(), 0).unwrap()
    );
}

#[test]
fn a_need_whose_item_is_of_no_registered_project_holds_its_task_up() {
    let (_dir, mut s) = generated(600);
    let key = s.projects().unwrap()[0].key.clone();
    let blocked = |s: &Store| s.report(None).unwrap().projects[0].blocked_tasks;
    let before = blocked(&s);
    // A task needing one item that is ready: it holds nothing up.
    let verified: Vec<String> = s
        .conn
        .prepare(
            "SELECT project || '-' || number FROM items WHERE project = ?1 AND state = 'verified'",
        )
        .unwrap()
        .query_map([&key], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let ready = verified
        .into_iter()
        .find(|id| {
            let it = s.item(id).unwrap();
            it.is_ready() && crate::domain::rules::policy_problems(&it.fields).is_empty()
        })
        .expect("a ready item");
    s.add_task(
        &key,
        "Needs one ready item",
        std::slice::from_ref(&ready),
        None,
    )
    .unwrap();
    assert_eq!(blocked(&s), before);
    // The item moved to a project nobody registered (a file edited outside
    // accessdesk, its row of facts with it, and their page marked to be made again):
    // the task list still names it, so the task waits for it.
    s.conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let row: i64 = s
        .conn
        .query_row(
            "SELECT id FROM items WHERE project || '-' || number = ?1",
            [&ready],
            |r| r.get(0),
        )
        .unwrap();
    for table in ["items", "item_facts"] {
        let sql = format!("UPDATE {table} SET project = 'GHOST' WHERE id = ?1");
        s.conn.execute(&sql, [row]).unwrap();
    }
    crate::store::facts::pages::mark(&s.conn, row).unwrap();
    assert_eq!(blocked(&s), before + 1);
}

#[test]
fn a_need_whose_item_row_is_gone_is_no_need_as_in_the_task_list() {
    let (_dir, mut s) = generated(600);
    let key = s.projects().unwrap()[0].key.clone();
    let task = s.add_task(&key, "Needs nothing", &[], None).unwrap();
    let before = s.report(None).unwrap();
    let before_one = s.report(Some(&key)).unwrap();
    let listed = s.tasks(None).unwrap();
    // A need left pointing at no item (a file edited outside accessdesk).
    s.conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    s.conn
        .execute(
            "INSERT INTO task_needs (task_id, item_id) SELECT id, 999999999 FROM tasks \
             WHERE project = ?1 AND number = ?2",
            rusqlite::params![key, task.number],
        )
        .unwrap();
    assert_eq!(s.tasks(None).unwrap(), listed);
    let after = s.report(None).unwrap();
    assert_eq!(
        after.projects[0].blocked_tasks,
        before.projects[0].blocked_tasks
    );
    assert_eq!(after, before);
    // The report of that project alone reads its tasks' needs apart: the same.
    let after_one = s.report(Some(&key)).unwrap();
    assert_eq!(
        after_one.projects[0].blocked_tasks,
        before_one.projects[0].blocked_tasks
    );
    assert_eq!(after_one, before_one);
}
