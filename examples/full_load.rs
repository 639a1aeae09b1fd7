//! Times what the TUI does before its first frame and then to list every item, outside
//! a terminal: `App::start` (the header and the first screenful) and
//! `App::finish_loading` (every item, the panes derived), on an existing file.
//!
//! `cargo run --release --example full_load -- FILE [--start-only]` prints both times
//! on standard error. Made to be run whole, in pairs with another build (A B A B), or
//! under `valgrind --tool=callgrind`, whose instruction counts do not move with
//! whatever else the host is doing. The file is opened as the store opens it for the
//! TUI, as the OS account that runs this, with that account's configuration taken in
//! as the TUI takes it (its saved views are counted as the items are derived).

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
    let mut app = App::start(store, Theme::ansi16())?;
    app.apply_config(&accessdesk::config::load(None));
    let started = clock.elapsed();
    if !start_only {
        app.finish_loading()?;
    }
    eprintln!(
        "start {:.1} ms, full {:.1} ms",
        started.as_secs_f64() * 1e3,
        clock.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
