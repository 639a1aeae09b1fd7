//! App fixtures for the TUI tests: the demo data at a fixed clock, opened as a fixed
//! identity ("tester"), an app on it, key presses and rendering into a TestBackend.

pub use super::db::Db;
use accessdesk::identity::Identity;
use accessdesk::store::Store;
use accessdesk::tui::{App, Msg, Theme, draw};
use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;

/// The fixed clock of every TUI test.
pub fn now() -> DateTime<Utc> {
    "2026-03-04T10:30:00Z".parse().expect("fixed time")
}

/// The OS account the tests act as (never the machine's real user).
pub fn tester() -> Identity {
    Identity {
        uid: 4242,
        login: "tester".into(),
    }
}

/// Another account, for changes made "by another process".
pub fn someone(login: &str) -> Identity {
    Identity {
        uid: 60_100,
        login: login.into(),
    }
}

/// A fresh copy of the demo data in a temporary folder.
pub fn demo() -> Db {
    let fx = Db::unopened("demo.db");
    accessdesk::demo::build(&fx.path, &tester(), now()).expect("build demo data");
    fx
}

pub fn open(path: &Path, who: Identity) -> Store {
    let mut s = Store::open_as(path, who).expect("open store");
    s.set_now(now());
    s
}

/// The app as the tester sees it, at `w` x `h`, with the 16-colour theme and UTC times.
pub fn app(fx: &Db, w: u16, h: u16) -> App {
    app_with(fx, w, h, Theme::ansi16())
}

pub fn app_with(fx: &Db, w: u16, h: u16, theme: Theme) -> App {
    let mut a = App::new(open(&fx.path, tester()), theme).expect("load app");
    a.set_time_zone(chrono_tz::Tz::UTC);
    a.update(Msg::Resize(w, h));
    a
}

/// Sends one key through the key table and update, as the event loop does.
pub fn key(app: &mut App, ev: KeyEvent) {
    if let Some(msg) = app.handle_key(ev) {
        app.update(msg);
    }
}

/// What the status line says now ("" when it says nothing).
pub fn status(app: &App) -> String {
    app.status().map(|s| s.text.clone()).unwrap_or_default()
}

pub fn press(app: &mut App, code: KeyCode) {
    key(app, KeyEvent::new(code, KeyModifiers::NONE));
}

pub fn ctrl(app: &mut App, c: char) {
    key(app, KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// Types every character of `text` (uppercase letters with Shift, as terminals send).
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::NONE
        };
        key(app, KeyEvent::new(KeyCode::Char(c), mods));
    }
}

/// Renders the app into a fresh TestBackend of `w` x `h`.
pub fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    app.update(Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| draw(f, app)).expect("draw");
    t
}

/// The screen as text, one line per row.
pub fn screen(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Says yes to the question approving privileged access asks (any other leaves the
/// app as it is).
pub fn yes_if_asked(app: &mut App) {
    if app.context() == accessdesk::tui::keymap::Ctx::Confirm {
        press(app, KeyCode::Char('y'));
    }
}

/// Selects the item `id` in the tracker by filtering on it (as a person would).
pub fn select_in_tracker(app: &mut App, id: &str) {
    press(app, KeyCode::Char('1'));
    press(app, KeyCode::Char('/'));
    ctrl(app, 'u');
    type_text(app, id);
    press(app, KeyCode::Enter);
    assert_eq!(
        app.selected_id().as_deref(),
        Some(id),
        "tracker shows {:?}",
        app.tracker_ids()
    );
}

/// Opens the edit form of `id` and types `text` as its purpose (the second field),
/// leaving the form open, not yet saved.
pub fn typing_purpose(app: &mut App, id: &str, text: &str) {
    select_in_tracker(app, id);
    press(app, KeyCode::Char('e'));
    press(app, KeyCode::Tab);
    ctrl(app, 'u');
    type_text(app, text);
}

/// Another coordinator (carol) sets the purpose of `id` meanwhile.
pub fn their_purpose(fx: &Db, id: &str, text: &str) {
    let mut other = open(&fx.path, someone("carol"));
    let item = other.item(id).expect("item");
    let patch = accessdesk::domain::ItemPatch {
        purpose: Some(text.into()),
        ..Default::default()
    };
    other
        .edit_item(id, item.version, &patch)
        .expect("their edit");
}

/// The purpose of `id` as stored.
pub fn stored_purpose(fx: &Db, id: &str) -> String {
    open(&fx.path, tester())
        .item(id)
        .expect("item")
        .fields
        .purpose
}
