//! Times what the TUI does before its first frame and then to list every item, outside
//! a terminal: `App::start` (the header and the first screenful), then each stage of
//! `App::load_next` (every item read, listed by the tracker; the other panes derived),
//! on an existing file.
//!
//! `cargo run --release --example full_load -- FILE [--start-only]` prints the times
//! on standard error. Made to be run whole, in pairs with another build (A B A B), or
//! under `valgrind --tool=callgrind`, whose instruction counts do not move with
//! whatever else the host is doing. The file is opened as the store opens it for the
//! TUI (its page cache as small as the TUI's), as the OS account that runs this, with
//! that account's configuration taken in as the TUI takes it (its saved views are
//! counted as the items are derived).

use accessdesk::store::Store;
use accessdesk::tui::{App, Theme};
use std::time::Instant;

fn main() -> color_eyre::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: full_load FILE [--start-only]");
        std::process::exit(2);
    };
    let start_only = args.next().as_deref() == Some("--start-only");
    let clock = Instant::now();
    let store = Store::open(std::path::Path::new(&path))?;
    store.set_page_cache(accessdesk::tui::PAGE_CACHE_KIB)?;
    let mut app = App::start(store, Theme::ansi16())?;
    app.apply_config(&accessdesk::config::load(None));
    let started = clock.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    let mut stages = Vec::new();
    while !start_only && app.loading() {
        app.load_next()?;
        stages.push(format!("{:.1} ms", ms(clock.elapsed())));
    }
    // The last stage leaves every pane derived: the time it ends is the full load's.
    eprintln!(
        "start {:.1} ms, stages {}, full {:.1} ms",
        ms(started),
        stages.join(" / "),
        ms(clock.elapsed())
    );
    Ok(())
}
