//! Nudges and decisions on several items, through key sequences on the demo data:
//! `y`/`Y` copy the nudge and the id (the status says so), Space picks queue items,
//! `a` approves only the standard ones among them, `d`/`r` decide every picked item
//! with one reason, and an item another process changed in between is reported per
//! item, never overwritten, while the others are decided.

use crate::common::tui::*;
use accessdesk::domain::State;
use accessdesk::domain::machine::Action;
use accessdesk::tui::{App, Pane, StatusKind};
use crossterm::event::KeyCode;

/// The nudge `item nudge` would print for `id`, from an independent handle.
fn nudge_text(fx: &Db, id: &str) -> Option<String> {
    let store = open(&fx.path, tester());
    let v = store.item_view(id).expect("item view");
    let p = store.project(&v.item.project).expect("project");
    let people = store.people().expect("people");
    accessdesk::present::nudge(&v, &p, &people, now()).map(|n| n.text())
}

fn is_flagged(fx: &Db, id: &str) -> bool {
    open(&fx.path, tester())
        .item(id)
        .expect("item")
        .needs_security_review()
}

fn tester_approved(fx: &Db, id: &str) -> bool {
    open(&fx.path, tester())
        .item(id)
        .expect("item")
        .approvals
        .iter()
        .any(|a| a.login == "tester")
}

/// Picks every item of the queue with Space (the cursor moves on after each).
fn pick_all(a: &mut App) -> Vec<String> {
    press(a, KeyCode::Char('2'));
    press(a, KeyCode::Char('g'));
    let ids = a.queue_ids();
    for _ in &ids {
        press(a, KeyCode::Char(' '));
    }
    ids
}

#[test]
fn y_copies_the_nudge_and_shift_y_the_id() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("a queue row");
    press(&mut a, KeyCode::Char('y'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    assert!(
        status(&a).starts_with(&format!("Copied the nudge for {id} (to ")),
        "{}",
        status(&a)
    );
    let copied = a.take_clipboard().expect("something was copied");
    assert_eq!(Some(copied.clone()), nudge_text(&fx, &id));
    assert!(copied.starts_with("To: "), "{copied}");
    assert!(!copied.to_lowercase().contains("password"), "{copied}");
    assert_eq!(a.take_clipboard(), None, "copied once");

    press(&mut a, KeyCode::Char('Y'));
    assert_eq!(status(&a), format!("Copied {id} to the clipboard."));
    assert_eq!(a.take_clipboard(), Some(id.clone()));

    // The detail view shows the same text, line by line, and y works there too.
    press(&mut a, KeyCode::Enter);
    let t = render(&mut a, 140, 80);
    let shown = screen(&t);
    for line in copied.lines().take(2) {
        assert!(
            shown.contains(&line[..line.len().min(50)]),
            "{line:?} not in\n{shown}"
        );
    }
    press(&mut a, KeyCode::Char('y'));
    assert_eq!(a.take_clipboard(), Some(copied));
}

#[test]
fn y_on_an_item_that_waits_on_no_one_copies_nothing() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let quiet = a
        .tracker_ids()
        .into_iter()
        .find(|id| nudge_text(&fx, id).is_none())
        .expect("the demo has an item with nothing to chase");
    select_in_tracker(&mut a, &quiet);
    press(&mut a, KeyCode::Char('y'));
    assert!(status(&a).starts_with("Nothing to copy"), "{}", status(&a));
    assert_eq!(a.take_clipboard(), None);
}

#[test]
fn space_picks_and_esc_clears() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let ids = a.queue_ids();
    assert!(ids.len() >= 3, "{ids:?}");
    press(&mut a, KeyCode::Char(' '));
    assert_eq!(
        a.selected_id().as_deref(),
        Some(ids[1].as_str()),
        "moves on"
    );
    press(&mut a, KeyCode::Char(' '));
    assert!(status(&a).starts_with("2 selected: "), "{}", status(&a));
    let shown = screen(&render(&mut a, 80, 24));
    assert!(shown.contains(&format!("✓ {}", ids[0])), "{shown}");
    assert!(shown.contains("· 2 selected"), "{shown}");
    assert!(shown.contains("Space select"), "{shown}");
    assert!(shown.contains("Esc deselect"), "{shown}");
    // Space on a picked item drops it.
    press(&mut a, KeyCode::Char('k'));
    press(&mut a, KeyCode::Char(' '));
    assert!(status(&a).starts_with("1 selected: "), "{}", status(&a));
    press(&mut a, KeyCode::Esc);
    assert_eq!(status(&a), "Selection cleared; nothing was changed.");
    let shown = screen(&render(&mut a, 80, 24));
    assert!(!shown.contains("✓ "), "{shown}");
    // Without a pick, a acts on the selected item alone, as before.
    let one = a.selected_id().expect("selected");
    press(&mut a, KeyCode::Char('a'));
    yes_if_asked(&mut a);
    assert!(tester_approved(&fx, &one), "{}", status(&a));
    let others: Vec<&String> = ids.iter().filter(|i| **i != one).collect();
    assert!(others.iter().all(|i| !tester_approved(&fx, i)));
}

#[test]
fn bulk_approve_decides_the_standard_items_and_skips_the_flagged() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let ids = pick_all(&mut a);
    let (flagged, standard): (Vec<String>, Vec<String>) =
        ids.iter().cloned().partition(|id| is_flagged(&fx, id));
    assert!(!flagged.is_empty() && !standard.is_empty(), "{ids:?}");
    press(&mut a, KeyCode::Char('a'));
    let said = status(&a);
    for id in &standard {
        assert!(tester_approved(&fx, id), "{id} not approved: {said}");
    }
    for id in &flagged {
        assert!(!tester_approved(&fx, id), "{id} approved: {said}");
    }
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Refused),
        "{said}"
    );
    assert!(
        said.starts_with(&format!(
            "Approved {} of {}: {}.",
            standard.len(),
            ids.len(),
            standard.join(", ")
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "Skipped, flagged for security review (decide each on its own): {}.",
            flagged.join(", ")
        )),
        "{said}"
    );
    // The whole report fits the status lines of an 80x24 screen.
    let shown = screen(&render(&mut a, 80, 24));
    let last = flagged.last().expect("one flagged");
    assert!(shown.contains(&format!("{last}.")), "{shown}");
    assert_eq!(a.picked_count(), 0);
    crate::common::ok(&fx.path, &["audit", "verify"]);
}

#[test]
fn bulk_deny_asks_one_reason_and_confirmation() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let ids = a.queue_ids();
    let picked = [ids[0].clone(), ids[1].clone()];
    press(&mut a, KeyCode::Char(' '));
    press(&mut a, KeyCode::Char(' '));
    press(&mut a, KeyCode::Char('d'));
    let form = a.form().expect("a reason form");
    assert!(
        form.title.starts_with(&format!(
            "Deny 2 selected items: {}, {}",
            picked[0], picked[1]
        )),
        "{}",
        form.title
    );
    type_text(&mut a, "Not needed for the pilot");
    press(&mut a, KeyCode::Enter);
    // Irreversible: asks first; anything but y would cancel.
    let shown = screen(&render(&mut a, 80, 24));
    assert!(shown.contains("Deny 2 selected items"), "{shown}");
    press(&mut a, KeyCode::Char('y'));
    let said = status(&a);
    assert_eq!(
        said,
        format!(
            "Denied 2 of 2: {}, {}. u undoes it for 10 s.",
            picked[0], picked[1]
        )
    );
    let store = open(&fx.path, tester());
    for id in &picked {
        let it = store.item(id).expect("item");
        assert_eq!(it.state, State::Denied, "{id}");
        assert_eq!(it.last_reason.as_deref(), Some("Not needed for the pilot"));
    }
    assert_eq!(store.item(&ids[2]).expect("item").state, State::Requested);
    assert_eq!(a.pane(), Pane::Queue);
    crate::common::ok(&fx.path, &["audit", "verify"]);
}

#[test]
fn an_item_changed_in_between_is_reported_and_the_others_decided() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let ids = a.queue_ids();
    let (mine, theirs) = (ids[0].clone(), ids[1].clone());
    press(&mut a, KeyCode::Char(' '));
    press(&mut a, KeyCode::Char(' '));
    // Another process (carol, a coordinator) writes to one of them meanwhile.
    let mut other = open(&fx.path, someone("carol"));
    let before = other.item(&theirs).expect("item");
    other
        .act(
            &theirs,
            &Action::Note {
                text: "client called back".into(),
            },
            None,
        )
        .expect("their note");
    press(&mut a, KeyCode::Char('r'));
    type_text(&mut a, "Name the exact pages");
    press(&mut a, KeyCode::Enter);
    let said = status(&a);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Error),
        "{said}"
    );
    assert_eq!(
        said,
        format!(
            "Returned 1 of 2: {mine}. Not done, changed by someone else since you selected it (nothing overwritten; look again): {theirs}. u undoes it for 10 s."
        )
    );
    let store = open(&fx.path, tester());
    assert_eq!(store.item(&mine).expect("item").state, State::Needed);
    let after = store.item(&theirs).expect("item");
    assert_eq!(after.state, State::Requested, "not overwritten");
    assert_eq!(after.version, before.version + 1, "only their note");
    assert_eq!(after.last_reason, before.last_reason);
    // The decisions went through the ordinary moves: the log replays to the tables.
    crate::common::ok(&fx.path, &["audit", "verify"]);
}

#[test]
fn queue_with_a_selection_80x24() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    press(&mut a, KeyCode::Char(' '));
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char(' '));
    let text = screen(&render(&mut a, 80, 24));
    insta::assert_snapshot!("queue_selected_80x24", text);
}

#[test]
fn with_a_pick_only_approve_deny_and_return_act_and_c_does_nothing() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let ids = a.queue_ids();
    press(&mut a, KeyCode::Char(' '));
    for k in ['c', 'e', 'o'] {
        press(&mut a, KeyCode::Char(k));
        assert!(a.form().is_none(), "{k} opened a form");
        assert!(
            status(&a).starts_with("With items selected, a approves"),
            "{k}: {}",
            status(&a)
        );
    }
    for id in &ids {
        assert!(!tester_approved(&fx, id), "{id}");
    }
    assert_eq!(a.picked_count(), 1);
    // Switching project drops the picks: they belong to the queue that was shown.
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.picked_count(), 0);
}

#[test]
fn no_nudge_of_the_demo_asks_for_a_credential() {
    let fx = demo();
    let a = app(&fx, 80, 24);
    let mut seen = 0;
    for id in a.tracker_ids() {
        let Some(text) = nudge_text(&fx, &id) else {
            continue;
        };
        seen += 1;
        assert_eq!(
            accessdesk::domain::secrets::find_secret(&text),
            None,
            "{text}"
        );
        let lower = text.to_lowercase();
        for asked in [
            "password",
            "passcode",
            "token",
            "send us",
            "reply with",
            " --",
        ] {
            assert!(
                !lower.contains(asked),
                "{asked:?} in the nudge of {id}:\n{text}"
            );
        }
        assert!(
            text.lines()
                .last()
                .is_some_and(|l| l.starts_with("Nothing secret belongs in a reply")),
            "{text}"
        );
    }
    assert!(seen >= 20, "only {seen} demo items have a nudge");
}
