//! The TUI on 100,000 items: loading, a filter keystroke, a sort and a frame. Ignored
//! by default (generating the data takes a while in a debug build); run with
//! `cargo test --release --test tui -- --ignored --nocapture scale::`.

use crate::common::tui::*;
use crossterm::event::KeyCode;
use std::time::{Duration, Instant};

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let v = f();
    let took = start.elapsed();
    println!("{what}: {took:?}");
    (v, took)
}

#[test]
#[ignore = "slow: generates 100,000 items; run in release"]
fn hundred_thousand_items() {
    let n: usize = std::env::var("TUI_SCALE_ITEMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("scale.db");
    timed("generate", || {
        accessdesk::scale::generate(&path, n, 1, now(), Some(&tester())).expect("generate")
    });
    let fx = Db {
        dir,
        path,
        init: Default::default(),
    };
    timed("store.list_items alone", || {
        open(&fx.path, tester())
            .list_items(&Default::default())
            .expect("list")
            .len()
    });
    let (mut a, load) = timed("load", || app(&fx, 140, 40));
    assert_eq!(a.tracker_ids().len(), n);
    let (_, frame) = timed("first frame", || render(&mut a, 140, 40));
    let (_, key) = timed("filter keystroke", || {
        press(&mut a, KeyCode::Char('/'));
        type_text(&mut a, "s");
    });
    press(&mut a, KeyCode::Enter);
    let (_, sort) = timed("sort by system", || press(&mut a, KeyCode::Char('s')));
    let (_, frame2) = timed("frame after sort", || render(&mut a, 140, 40));
    let (_, down) = timed("move down + frame", || {
        press(&mut a, KeyCode::PageDown);
        render(&mut a, 140, 40)
    });
    // The palette lists every item to search: opening it and typing part of an id.
    press(&mut a, KeyCode::Esc);
    let (_, palette) = timed("palette: open, type 5 characters, frame", || {
        press(&mut a, KeyCode::Char(':'));
        type_text(&mut a, "77777");
        render(&mut a, 140, 40)
    });
    press(&mut a, KeyCode::Esc);
    // Generous bounds: a regression to building every row per frame shows up as
    // seconds here, not milliseconds.
    assert!(
        frame < Duration::from_millis(500)
            && frame2 < Duration::from_millis(500)
            && down < Duration::from_millis(500)
            && palette < Duration::from_secs(2)
    );
    assert!(
        key < Duration::from_secs(2)
            && sort < Duration::from_secs(3)
            && load < Duration::from_secs(30)
    );
}
