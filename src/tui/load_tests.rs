//! The items read on several threads make the very lists one thread makes.

use super::app::App;
use super::state::{Column, Filter};
use super::theme::Theme;
use crate::store::Store;
use crate::store::testing::me;
use chrono::{DateTime, Utc};

fn now() -> DateTime<Utc> {
    "2026-11-20T12:00:00Z".parse().expect("time")
}

/// The app over `db` at a fixed clock, its items read `per_reader` to a thread.
fn loaded(db: &std::path::Path, read_only: bool, per_reader: Option<usize>) -> App {
    let mut app = started(db, read_only, per_reader);
    app.finish_loading().expect("load");
    app
}

/// [`loaded`] before its items are: the header and the first screenful.
fn started(db: &std::path::Path, read_only: bool, per_reader: Option<usize>) -> App {
    let mut store = match read_only {
        true => Store::open_read_only_as(db, me()),
        false => Store::open_as(db, me()),
    }
    .expect("open");
    store.set_now(now());
    let mut app = App::start(store, Theme::mono()).expect("start");
    app.rows_per_reader = per_reader;
    app
}

/// Each list, search and order of `a` as of `b`, and the tasks with what each item
/// holds up.
fn assert_same(a: &mut App, b: &mut App, what: &str) {
    assert_eq!(a.views.count(), b.views.count(), "{what}");
    assert_eq!(a.tasks.list, b.tasks.list, "{what}: tasks");
    assert_eq!(
        a.views.tasks_by_item, b.views.tasks_by_item,
        "{what}: held up"
    );
    assert_eq!(a.views.held_up, b.views.held_up, "{what}: held up");
    assert_eq!(a.views.blockers, b.views.blockers, "{what}: blockers");
    for (x, y) in a.views.written_out().iter().zip(b.views.written_out()) {
        assert!(*x == y, "{what}: {x:.300} / {y:.300}");
    }
    for (text, sort) in [
        ("", Column::System),
        ("p0002", Column::Id),
        ("editor", Column::Owner),
        ("ω", Column::Purpose),
        ("blocked", Column::Blocker),
    ] {
        for app in [&mut *a, &mut *b] {
            app.filter.text = text.to_string();
            app.sort = sort;
            app.views.unsort();
            app.apply_filter();
        }
        assert_eq!(
            a.views.tracker, b.views.tracker,
            "{what}: {text:?} by {sort:?}"
        );
    }
    for app in [a, b] {
        app.filter = Filter::default();
        app.sort = Column::Id;
        app.views.unsort();
        app.apply_filter();
    }
}

#[test]
fn items_read_on_several_threads_make_the_lists_one_thread_makes() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("parts.db");
    crate::scale::generate(&db, 1_000, 7, now(), Some(&me())).expect("data");
    // The file is read in as many parts as asked for, each with items.
    let store = Store::open_as(&db, me()).expect("open");
    let count = |n: &mut usize, _: crate::store::Listed<'_>| *n += 1;
    let (parts, tasks) = store
        .each_item_in_parts(3, now(), |_| 0, count, || store.tasks(None))
        .expect("parts");
    assert_eq!(tasks, store.tasks(None).expect("tasks"));
    assert_eq!(parts.len(), 3);
    assert!(parts.iter().all(|&n| n > 0), "{parts:?}");
    let mut one = loaded(&db, false, None);
    assert!(one.views.count() >= 1_000);
    assert!(one.projects.len() > 3, "{}", one.projects.len());
    for per_reader in [250, 400, 1_000] {
        let mut parts = loaded(&db, false, Some(per_reader));
        assert_same(&mut one, &mut parts, &format!("{per_reader} to a reader"));
    }
    assert!(one.tasks.list.iter().any(|t| !t.needs.is_empty()));
    assert!(!one.views.blockers.is_empty());
    // A need left pointing at no item (a file edited outside accessdesk) is no need,
    // whichever way the tasks were read.
    let c = rusqlite::Connection::open(&db).expect("open");
    c.execute_batch(
        "PRAGMA foreign_keys = OFF; \
         INSERT INTO task_needs (task_id, item_id) SELECT min(id), 999999999 FROM tasks;",
    )
    .expect("dangling need");
    drop(c);
    let mut one = loaded(&db, false, None);
    let mut parts = loaded(&db, false, Some(400));
    assert_same(&mut one, &mut parts, "a need of no item");
    // A needed item moved to a project nobody registered: the rows leave it out, the
    // tasks still name it.
    let c = rusqlite::Connection::open(&db).expect("open");
    c.execute_batch(
        "PRAGMA foreign_keys = OFF; \
         UPDATE items SET project = 'GHOST' WHERE id = (SELECT max(item_id) FROM task_needs \
         WHERE item_id IN (SELECT id FROM items)); \
         UPDATE item_facts SET project = 'GHOST' WHERE id = (SELECT max(item_id) FROM task_needs \
         WHERE item_id IN (SELECT id FROM items));",
    )
    .expect("an item of no project");
    drop(c);
    let mut one = loaded(&db, false, None);
    let mut parts = loaded(&db, false, Some(400));
    assert!(
        one.tasks
            .list
            .iter()
            .flat_map(|t| &t.needs)
            .any(|n| n.starts_with("GHOST-")),
        "the task list names the item"
    );
    assert_same(&mut one, &mut parts, "a need of an item of no project");
    // A read-only file, and a reload over the loaded lists.
    let mut read_only = loaded(&db, true, Some(300));
    assert_same(&mut one, &mut read_only, "read-only");
    read_only.reload();
    one.reload();
    assert_same(&mut one, &mut read_only, "reloaded");
    // A live update after a load in parts: the changed item replaced in place, a new
    // one appended, as after a load on one thread.
    let mut writer = Store::open_as(&db, me()).expect("writer");
    writer.set_now(now());
    let mut fields = writer.item("P0002-1").expect("item").fields;
    fields.expires = None;
    fields.temporary = false;
    fields.deprovision = Default::default();
    writer.add_item("P0002", fields.clone()).expect("add");
    one.reload();
    let mut parts = loaded(&db, false, Some(250));
    assert_same(&mut one, &mut parts, "after a write");
    fields.notes = "moved on meanwhile".into();
    writer.add_item("P0001", fields).expect("add");
    for app in [&mut one, &mut parts] {
        app.refresh();
    }
    assert_eq!(one.views.count(), parts.views.count());
    assert_same(&mut one, &mut parts, "a live update");
}

#[test]
fn a_new_day_in_one_time_zone_reads_only_its_projects_items_again() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("days.db");
    crate::scale::generate(&db, 400, 5, now(), Some(&me())).expect("data");
    // A project far east of the others: its midnight comes at 11:00 UTC in November.
    let mut writer = Store::open_as(&db, me()).expect("writer");
    writer.set_now(now());
    let east = crate::domain::NewProject {
        key: "EAST".into(),
        name: "East".into(),
        client: "Client".into(),
        start: Some("2026-12-15".parse().expect("date")),
        tz: Some("Pacific/Auckland".into()),
        coordinator: None,
    };
    writer.add_project(east).expect("project");
    let mut fields = writer.item("P0001-1").expect("item").fields;
    fields.expires = None;
    fields.temporary = false;
    fields.deprovision = Default::default();
    for _ in 0..3 {
        writer.add_item("EAST", fields.clone()).expect("add");
    }
    let zone = |app: &App, key: &str| {
        let p = app.projects.iter().find(|p| p.key == key).expect("project");
        crate::domain::blockers::project_tz(p)
    };
    let mut app = loaded(&db, false, None);
    let before = app.views.generation;
    // 10:59 UTC to 11:01 UTC: a new day in Auckland, none in the other projects' zone
    // (unless it is Auckland's too, when every item is read again).
    let (t0, t1): (DateTime<Utc>, DateTime<Utc>) = (
        "2026-11-20T10:59:00Z".parse().expect("time"),
        "2026-11-20T11:01:00Z".parse().expect("time"),
    );
    app.update(super::Msg::Tick(t0));
    let at_t0 = app.views.generation;
    app.update(super::Msg::Tick(t1));
    let others_move = {
        let tz = zone(&app, "P0001");
        t0.with_timezone(&tz).date_naive() != t1.with_timezone(&tz).date_naive()
    };
    assert_eq!(zone(&app, "EAST").to_string(), "Pacific/Auckland");
    if !others_move {
        // Only the three items of the project whose day moved were read again.
        let due = at_t0 - before;
        assert!(
            app.views.generation - at_t0 <= 3 + due,
            "{before} {at_t0} {}",
            app.views.generation
        );
    }
    // As a load at that moment makes them.
    let mut store = Store::open_as(&db, me()).expect("open");
    store.set_now(t1);
    let mut fresh = App::start(store, Theme::mono()).expect("start");
    fresh.finish_loading().expect("load");
    let (a, b) = (app.views.rows_written_out(), fresh.views.rows_written_out());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!(x == y, "{x:.400}\n{y:.400}");
    }
}

#[test]
fn the_panes_derived_in_ranges_on_several_threads_are_the_ones_one_range_makes() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("ranges.db");
    crate::scale::generate(&db, 1_200, 11, now(), Some(&me())).expect("data");
    // Views that ask each kind of question of an item, one of them shown.
    let cfg = crate::config::from_text(
        "[[views]]\nname = \"Mine\"\napprover = \"@me\"\n\
         [[views]]\nname = \"Stale\"\nblocker = [\"stale\", \"overdue\"]\n\
         [[views]]\nname = \"Old\"\nblocked_over_days = 3\nstate = [\"requested\", \"approved\"]\n\
         [[views]]\nname = \"Ending\"\nexpiring_within_days = 30\n\
         [[views]]\nname = \"Words\"\nquery = \"editor is:blocked\"\n\
         [[views]]\nname = \"Support\"\nwork = \"support\"\n\
         [[views]]\nname = \"Privileged\"\nflags = [\"privileged\"]\n",
    )
    .expect("config");
    let mut apps: Vec<App> = [None, Some(150), Some(500)]
        .into_iter()
        .map(|at| {
            let mut app = started(&db, false, None);
            app.views.spread_at = at;
            app.finish_loading().expect("load");
            app.apply_config(&cfg);
            let shown = app.personal.views.iter().position(|v| v.name == "Old");
            app.personal.current = shown.expect("the view") + 1;
            app.derive_saved();
            app
        })
        .collect();
    let one = apps.remove(0);
    let counts = one.saved_views();
    assert!(
        counts.iter().filter(|(_, n)| *n > 0).count() >= 5,
        "the views hold items: {counts:?}"
    );
    assert!(one.views.blockers.len() > 100 && !one.views.held_up.is_empty());
    let mask = one.views.view_mask.as_ref().expect("a view is shown");
    assert!(mask.iter().any(|&m| m) && mask.iter().any(|&m| !m));
    for (app, at) in apps.iter().zip([150, 500]) {
        assert_eq!(app.saved_views(), counts, "{at} to a range");
        assert_eq!(app.views.view_mask, one.views.view_mask, "{at} to a range");
        assert_eq!(app.views.blockers, one.views.blockers, "{at} to a range");
        assert_eq!(app.views.held_up, one.views.held_up, "{at} to a range");
        assert_eq!(
            app.views.blocker_summary, one.views.blocker_summary,
            "{at} to a range"
        );
        let rows = |a: &App| {
            a.tasks
                .rows
                .iter()
                .map(|r| format!("{:?} {:?}", r.status, r.waiting))
                .collect::<Vec<_>>()
        };
        assert_eq!(rows(app), rows(&one), "{at} to a range");
    }
}

#[test]
fn a_person_deactivated_elsewhere_moves_the_blockers_of_an_open_screen() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("people.db");
    crate::scale::generate(&db, 400, 3, now(), Some(&me())).expect("data");
    let mut app = loaded(&db, false, None);
    // An approval owner with decisions pending: once they leave, each is to reassign.
    let requested = (0..app.views.count())
        .filter_map(|i| app.views.get(i))
        .find(|v| v.state == crate::domain::State::Requested)
        .map(|v| v.id())
        .expect("a requested item");
    let approver = app.store.item(&requested).expect("item").fields.approver;
    let reassign = |app: &App| {
        app.views
            .blocker_summary
            .iter()
            .find(|(code, _)| *code == "reassign")
            .map_or(0, |(_, n)| *n)
    };
    let before = reassign(&app);
    // An admin of the generated team, on another connection.
    let admin = crate::identity::Identity {
        uid: 4344,
        login: "coord1".into(),
    };
    let mut writer = Store::open_as(&db, admin).expect("writer");
    writer.set_now(now());
    writer.deactivate_person(&approver).expect("deactivate");
    app.refresh();
    assert!(reassign(&app) > before, "{approver}: {}", reassign(&app));
    // As a load at that moment makes them.
    let fresh = loaded(&db, false, None);
    assert_eq!(app.views.blocker_summary, fresh.views.blocker_summary);
    let (a, b) = (app.views.rows_written_out(), fresh.views.rows_written_out());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!(x == y, "{x:.400}\n{y:.400}");
    }
}

#[test]
fn the_tracker_lists_every_item_read_on_several_threads_before_the_tasks_are_taken_in() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("staged.db");
    crate::scale::generate(&db, 900, 5, now(), Some(&me())).expect("data");
    let mut app = started(&db, false, Some(300));
    app.load_next().expect("read the items");
    assert!(app.loading());
    assert_eq!(app.views.tracker.len(), 900);
    assert_eq!(app.views.tracker.len(), app.views.count());
    // The tasks came with the items, their needs still as row ids.
    let by_rows = app
        .tasks_by_rows
        .as_ref()
        .expect("tasks read beside the items");
    assert!(by_rows.iter().any(|t| !t.needs.is_empty()));
    assert!(app.tasks.list.is_empty());
    app.load_next().expect("derive the panes");
    assert!(!app.loading() && app.tasks_by_rows.is_none());
    let mut one = loaded(&db, false, None);
    assert!(!one.tasks.list.is_empty());
    assert_same(&mut app, &mut one, "staged");
}
