//! The first screenful before the rest: `App::start` reads the tracker's first rows
//! with the header, so the first frame shows items while the others load, and they
//! are the rows the fully loaded tracker shows first, with the same blockers.

use crate::common::tui::*;
use accessdesk::tui::{App, Theme};

/// More items than the first screenful reads.
const ITEMS: usize = 600;

fn scaled() -> Db {
    let fx = Db::unopened("scaled.db");
    accessdesk::scale::generate(&fx.path, ITEMS, 1, now(), Some(&tester())).expect("generate");
    fx
}

/// The app over `fx` as the terminal starts it: the header and the first screenful,
/// times in UTC.
fn started(fx: &Db) -> App {
    let mut a = App::start(open(&fx.path, tester()), Theme::mono()).expect("start");
    a.set_time_zone(chrono_tz::Tz::UTC);
    a
}

#[test]
fn the_first_frame_shows_the_first_rows_before_the_rest_loads() {
    let fx = scaled();
    let mut a = started(&fx);
    assert!(a.loading());
    let first = a.tracker_ids();
    assert!(!first.is_empty() && first.len() < ITEMS, "{}", first.len());
    let loading = screen(&render(&mut a, 140, 40));
    assert!(
        loading.contains(&format!("loading {ITEMS} items…")),
        "{loading}"
    );
    assert!(loading.contains(&first[0]), "{loading}");
    assert!(
        !loading.contains(&format!(" {ITEMS} items · sort")),
        "{loading}"
    );

    a.finish_loading().expect("load the rest");
    assert!(!a.loading());
    let all = a.tracker_ids();
    assert_eq!(all.len(), ITEMS);
    assert_eq!(first[..], all[..first.len()]);
    let loaded = screen(&render(&mut a, 140, 40));
    assert!(
        loaded.contains(&format!(" {ITEMS} items · sort")),
        "{loaded}"
    );
    // Each row of the first frame is drawn the same once everything is loaded: the
    // same fields, approvals and blocker mark.
    assert_rows_drawn_alike(&loading, &loaded, &first);
}

/// The header's readiness, as a screen shows it: up to the first separator of its
/// second line.
fn readiness(screen: &str) -> String {
    let line = screen
        .lines()
        .find(|l| l.contains("Ready"))
        .unwrap_or_default();
    line.split('│')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Each row of `early` that shows one of `ids` shows the same in `late` (and more
/// than a few do).
fn assert_rows_drawn_alike(early: &str, late: &str, ids: &[String]) {
    let rows: Vec<&str> = early
        .lines()
        .filter(|l| ids.iter().any(|id| l.contains(&format!(" {id} "))))
        .collect();
    assert!(rows.len() > 20, "{early}");
    for row in rows {
        assert!(late.contains(row), "{row}\n{late}");
    }
}

#[test]
fn the_tracker_lists_every_item_before_the_other_panes_are_worked_out() {
    let fx = scaled();
    let mut a = started(&fx);
    let first = screen(&render(&mut a, 140, 40));
    a.load_next().expect("read every item");
    // Every item is listed; the queue, the blockers and the counts are still to come.
    assert!(a.loading());
    let listed = a.tracker_ids();
    assert_eq!(listed.len(), ITEMS);
    let early = screen(&render(&mut a, 140, 40));
    assert!(early.contains(&format!(" {ITEMS} items · sort")), "{early}");
    assert!(early.contains("counting blockers…"), "{early}");
    // The header keeps the first frame's readiness and start meanwhile.
    let ready = readiness(&first);
    assert!(ready.contains("% ") && !ready.contains(" 0/0 "), "{first}");
    assert_eq!(readiness(&early), ready);
    assert!(!early.contains("my queue"), "{early}");
    assert!(
        !early.contains(&format!("loading {ITEMS} items…")),
        "{early}"
    );

    a.load_next().expect("derive the panes");
    assert!(!a.loading());
    assert_eq!(a.tracker_ids(), listed);
    let done = screen(&render(&mut a, 140, 40));
    assert!(done.contains("my queue"), "{done}");
    assert_eq!(readiness(&done), ready);
    assert!(!done.contains("counting blockers…"), "{done}");
    // The rows the tracker listed early are drawn the same once all is derived.
    assert_rows_drawn_alike(&early, &done, &listed);
    // As one load in a single stage makes them, the tasks' needs included.
    let mut whole = App::new(open(&fx.path, tester()), Theme::mono()).expect("load");
    whole.set_time_zone(chrono_tz::Tz::UTC);
    assert_eq!(screen(&render(&mut whole, 140, 40)), done);
    press(&mut a, crossterm::event::KeyCode::Char('5'));
    press(&mut whole, crossterm::event::KeyCode::Char('5'));
    let tasks = screen(&render(&mut a, 140, 40));
    assert!(tasks.contains("blocked"), "{tasks}");
    assert_eq!(screen(&render(&mut whole, 140, 40)), tasks);
}

#[test]
fn another_pane_in_view_waits_for_everything_in_one_stage() {
    let fx = scaled();
    let mut a = started(&fx);
    // The blockers pane is in view: it is not drawn until it is derived.
    press(&mut a, crossterm::event::KeyCode::Char('3'));
    a.load_next().expect("load");
    assert!(!a.loading());
    let shown = screen(&render(&mut a, 140, 40));
    assert!(shown.contains("my queue"), "{shown}");
}

#[test]
fn the_view_tabs_count_every_item_early_and_the_views_once_derived() {
    let fx = scaled();
    let mut a = started(&fx);
    let cfg =
        accessdesk::config::from_text("[[views]]\nname = \"Blocked\"\nquery = \"is:blocked\"\n")
            .expect("config");
    assert!(a.apply_config(&cfg).is_empty());
    let first = screen(&render(&mut a, 140, 40));
    assert!(first.contains("All … │ Blocked …"), "{first}");
    // Every view but "All" is a filter: the tracker still lists every item first.
    a.load_next().expect("read every item");
    assert!(a.loading());
    let early = screen(&render(&mut a, 140, 40));
    assert!(
        early.contains(&format!("All {ITEMS} │ Blocked …")),
        "{early}"
    );
    a.load_next().expect("derive the panes");
    let done = screen(&render(&mut a, 140, 40));
    // As many as the tracker's filter with the view's query finds.
    press(&mut a, crossterm::event::KeyCode::Char('/'));
    type_text(&mut a, "is:blocked");
    press(&mut a, crossterm::event::KeyCode::Enter);
    let blocked = a.tracker_ids().len();
    assert!(blocked > 0 && blocked < ITEMS, "{blocked}");
    assert!(
        done.contains(&format!("All {ITEMS} │ Blocked {blocked}")),
        "{done}"
    );
}

#[test]
fn a_project_added_elsewhere_after_the_first_frame_is_read_with_the_items() {
    let fx = scaled();
    let mut a = started(&fx);
    let first = screen(&render(&mut a, 140, 40));
    assert!(first.contains("All projects (6)"), "{first}");
    // Nothing committed since the header read them: the projects are the header's.
    let mut untouched = started(&fx);
    untouched.finish_loading().expect("load");
    let loaded = screen(&render(&mut untouched, 140, 40));
    assert!(loaded.contains("All projects (6)"), "{loaded}");
    // Another connection commits a project meanwhile: the items' load reads it.
    let mut other = open(&fx.path, tester());
    other
        .add_project(accessdesk::domain::NewProject {
            key: "LATE".into(),
            name: "Late".into(),
            client: "Late client".into(),
            start: Some(now().date_naive() + chrono::Days::new(30)),
            tz: None,
            coordinator: None,
        })
        .expect("add project");
    a.finish_loading().expect("load");
    let done = screen(&render(&mut a, 140, 40));
    assert!(done.contains("All projects (7)"), "{done}");
}
