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
    let mut store = match read_only {
        true => Store::open_read_only_as(db, me()),
        false => Store::open_as(db, me()),
    }
    .expect("open");
    store.set_now(now());
    let mut app = App::start(store, Theme::mono()).expect("start");
    app.rows_per_reader = per_reader;
    app.finish_loading().expect("load");
    app
}

/// Each list, search and order of `a` as of `b`.
fn assert_same(a: &mut App, b: &mut App, what: &str) {
    assert_eq!(a.views.count(), b.views.count(), "{what}");
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
    // A read-only file, and a reload over the loaded lists.
    let mut read_only = loaded(&db, true, Some(300));
    assert_same(&mut one, &mut read_only, "read-only");
    read_only.reload();
    one.reload();
    assert_same(&mut one, &mut read_only, "reloaded");
}
