//! The full-screen terminal UI: a tracker of every access item, the approval queue of
//! the logged-in person and the blockers, with a detail view, forms and help.
//!
//! Shape (Elm style): the event loop turns terminal events into [`Msg`]s through the
//! key table ([`keymap`]), [`App::update`] is the only place that changes state or
//! calls the store, and [`draw`] only reads the app. The loop redraws when something
//! happened — a key, a resize, another process's change, the clock crossing a minute
//! — and otherwise sleeps in `poll(2)`, so an idle screen costs next to no CPU.

mod actions;
mod app;
mod asking;
mod bulk;
mod choose;
mod chooser;
mod copy;
mod dashboard;
mod delegate;
mod empty;
mod form;
mod format;
mod haystacks;
mod ids;
mod item_row;
pub mod keymap;
mod layout;
mod load;
#[cfg(test)]
mod load_tests;
mod msg;
mod panes;
mod personal;
mod projects;
mod query;
mod queue_line;
mod read_only;
mod reviews;
mod row_index;
mod saved;
mod spread;
mod state;
mod tasks;
mod templates;
mod term;
pub mod theme;
mod undo;
mod update;
mod view;
mod views;
mod widgets;

pub use app::App;
pub use layout::{MIN_HEIGHT, MIN_WIDTH};
pub use msg::Msg;
pub use state::{Column, Pane, Status, StatusKind};
pub use theme::Theme;
pub use view::draw;

use crate::store::Store;
use color_eyre::eyre::WrapErr;
use crossterm::cursor;
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, MouseButton, MouseEventKind,
};
use crossterm::style::Print;
use crossterm::terminal::{Clear, ClearType};
use crossterm::{execute, queue};
use ratatui::DefaultTerminal;
use std::io::Write as _;
use std::io::stdout;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How the TUI runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Mouse support (wheel scrolls, clicks select); off by default because it stops
    /// the terminal's own text selection.
    pub mouse: bool,
}

/// Longest sleep between looks at signals, the clock and the database.
const WAIT: Duration = Duration::from_millis(250);
/// How often the database is asked whether another process changed it.
const DATA_CHECK: Duration = Duration::from_millis(500);
/// SQLite page cache of the TUI's connection, in KiB (`examples/full_load` sets it too).
pub const PAGE_CACHE_KIB: u32 = 4096;
/// How long a write waits for another process's lock (shorter than the CLI's: a
/// person is watching, and a stop signal must not wait behind it for long).
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Runs the TUI on the terminal until the person quits, a stop signal arrives or the
/// terminal goes away. The caller has installed color-eyre.
pub fn run(store: Store, opts: Options) -> color_eyre::Result<()> {
    run_with(store, opts, None)
}

/// [`run`] with the personal configuration: its theme, keys, date format, mouse
/// setting and saved views; its problems show in the status line.
pub fn run_with(
    mut store: Store,
    mut opts: Options,
    config: Option<&crate::config::Config>,
) -> color_eyre::Result<()> {
    if let Some(cfg) = config {
        opts.mouse |= cfg.mouse.value;
    }
    if std::env::var_os("ACCESSDESK_LOCK_WAIT").is_none() {
        store.set_lock_wait(LOCK_WAIT);
    }
    store.on_wait(Box::new(show_waiting));
    // The items are read once and then only as they change (see `App`): a small page
    // cache keeps the resident memory at 100,000 items within budget.
    store
        .set_page_cache(PAGE_CACHE_KIB)
        .wrap_err("cannot set up the database connection")?;
    // The header's figures are loaded before the terminal is switched over, so an
    // error prints normally; the items follow right after the first frame.
    let mut app =
        App::start(store, Theme::detect()).wrap_err("cannot load the data for the screen")?;
    if let Some(cfg) = config {
        app.apply_config(cfg);
    }
    let tty = term::Tty::open().wrap_err("accessdesk needs a terminal (no /dev/tty)")?;
    term::install_signal_handlers();
    let mut terminal = ratatui::try_init().wrap_err("cannot set up the terminal")?;
    // ratatui's hook (installed by try_init) restores raw mode and the screen; this one
    // first switches off what we switched on, then hands over to it.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
        previous(info);
    }));
    let _ = execute!(stdout(), EnableBracketedPaste);
    if opts.mouse {
        let _ = execute!(stdout(), EnableMouseCapture);
    }
    let result = event_loop(&mut terminal, &mut app, &tty, opts);
    let _ = execute!(stdout(), DisableBracketedPaste, DisableMouseCapture);
    ratatui::restore();
    // The terminal is back; what is left is freeing the loaded items one by one (most
    // of a second at a million items) just before the process ends. The OS takes the
    // memory back at once: the views are left to it. The rest of the app, the store's
    // connection with it, is closed as usual.
    std::mem::forget(std::mem::take(&mut app.views));
    result
}

/// Set when the lock-wait notice was painted outside ratatui: the next frame must be
/// drawn in full, since ratatui's buffer no longer matches the screen.
static PAINTED_OVER: AtomicBool = AtomicBool::new(false);

/// Tells the person that a write waits for another process's lock. The event loop is
/// inside the store's write at this moment, so the line goes straight to the terminal.
fn show_waiting(waited: Duration) {
    let mut out = stdout();
    if let Ok((_, rows)) = crossterm::terminal::size() {
        let text = format!(
            " waiting for another accessdesk process to finish writing ({}s)... ",
            waited.as_secs()
        );
        let _ = queue!(
            out,
            cursor::SavePosition,
            cursor::MoveTo(0, rows.saturating_sub(1)),
            Clear(ClearType::CurrentLine),
            Print(text),
            cursor::RestorePosition
        );
        let _ = out.flush();
        PAINTED_OVER.store(true, Ordering::Relaxed);
    }
}

/// In debug builds only, `ACCESSDESK_CRASH_TEST_KEY=c` makes the key `c` panic, so the
/// tests can check that a panic restores the terminal and leaves the file usable.
#[cfg(debug_assertions)]
fn crash_test(ev: &Event) {
    if let Event::Key(k) = ev
        && let crossterm::event::KeyCode::Char(c) = k.code
        && std::env::var("ACCESSDESK_CRASH_TEST_KEY").is_ok_and(|v| v.starts_with(c))
    {
        panic!("crash test key pressed");
    }
}

#[cfg(not(debug_assertions))]
fn crash_test(_: &Event) {}

/// Turns a terminal event into a message.
fn message(app: &App, ev: Event, opts: Options) -> Option<Msg> {
    match ev {
        Event::Key(key) => app.handle_key(key),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Mouse(m) if opts.mouse => match m.kind {
            MouseEventKind::ScrollDown => Some(Msg::Down),
            MouseEventKind::ScrollUp => Some(Msg::Up),
            MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click(m.column, m.row)),
            _ => None,
        },
        _ => None,
    }
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    tty: &term::Tty,
    opts: Options,
) -> color_eyre::Result<()> {
    let size = terminal.size()?;
    app.update(Msg::Resize(size.width, size.height));
    let mut dirty = true;
    let mut last_check = Instant::now();
    loop {
        if term::stop_requested() || app.should_quit() {
            return Ok(());
        }
        if PAINTED_OVER.swap(false, Ordering::Relaxed) {
            terminal.clear()?;
            dirty = true;
        }
        if dirty {
            match terminal.draw(|f| draw(f, app)) {
                Ok(_) => dirty = false,
                Err(e) if term::is_terminal_gone(&e) => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
        if app.loading() {
            // The first frame is on screen (then the tracker with every item, when it
            // shows); keys typed meanwhile wait in the terminal.
            app.load_next()
                .wrap_err("cannot load the data for the screen")?;
            dirty = true;
            continue;
        }
        if tty.wait(WAIT) == term::Wait::Gone {
            return Ok(());
        }
        // Take every event that is waiting before drawing again, so a burst of
        // resizes or a paste costs one frame.
        loop {
            match event::poll(Duration::ZERO) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) if term::is_terminal_gone(&e) => return Ok(()),
                Err(e) => return Err(e.into()),
            }
            let ev = match event::read() {
                Ok(ev) => ev,
                Err(e) if term::is_terminal_gone(&e) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            crash_test(&ev);
            if matches!(ev, Event::Resize(..)) {
                dirty = true;
            }
            if let Some(msg) = message(app, ev, opts) {
                app.update(msg);
                dirty = true;
            }
            if let Some(text) = app.take_clipboard() {
                let _ = execute!(
                    stdout(),
                    crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
                );
            }
            if app.should_quit() || term::stop_requested() {
                return Ok(());
            }
        }
        let now = app.clock();
        if app.undo_expired(now) {
            // `u` leaves the footer once the decision can no longer be undone.
            app.update(Msg::UndoExpired);
            dirty = true;
        }
        if app.minute_changed(now) {
            app.update(Msg::Tick(now));
            dirty = true;
        }
        if last_check.elapsed() >= DATA_CHECK {
            last_check = Instant::now();
            if app.data_changed() {
                app.update(Msg::Reload);
                dirty = true;
            }
        }
    }
}
