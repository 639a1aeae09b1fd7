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

#[test]
fn the_first_frame_shows_the_first_rows_before_the_rest_loads() {
    let fx = scaled();
    let mut a = App::start(open(&fx.path, tester()), Theme::mono()).expect("start");
    a.set_time_zone(chrono_tz::Tz::UTC);
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
    let rows: Vec<&str> = loading
        .lines()
        .filter(|l| first.iter().any(|id| l.contains(&format!(" {id} "))))
        .collect();
    assert!(rows.len() > 20, "{loading}");
    for row in rows {
        assert!(loaded.contains(row), "{row}\n{loaded}");
    }
}
