//! Undo from the keyboard: `u` takes back an approval, a denial or a return for ten
//! seconds; the log keeps both events and `audit verify` passes. Submit is `U`, and
//! approving privileged access asks first.

use crate::common::tui::*;
use accessdesk::domain::State;
use accessdesk::store::Store;
use accessdesk::tui::keymap::Ctx;
use accessdesk::tui::{App, StatusKind};
use chrono::Duration;
use crossterm::event::KeyCode;

fn kinds(store: &Store, id: &str) -> Vec<String> {
    store
        .history(id)
        .expect("history")
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

/// Selects `id` in the queue (pane 2).
fn in_queue(a: &mut App, id: &str) {
    press(a, KeyCode::Char('2'));
    press(a, KeyCode::Char('g'));
    for _ in 0..a.queue_ids().len() {
        if a.selected_id().as_deref() == Some(id) {
            return;
        }
        press(a, KeyCode::Down);
    }
    panic!("{id} is not in the queue: {:?}", a.queue_ids());
}

/// The first item in tester's queue that is not privileged (approved with one key).
fn plain_in_queue(a: &App, store: &Store) -> String {
    a.queue_ids()
        .into_iter()
        .find(|id| {
            let it = store.item(id).expect("item");
            !it.fields.privileged && it.state == State::Requested
        })
        .expect("a plain item waits on tester")
}

/// The demo with tester's app, a handle, and the plain item tester just approved with
/// `a` in the queue.
fn tester_approves_a_plain_item() -> (Db, App, Store, String) {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let store = open(&fx.path, tester());
    let id = plain_in_queue(&a, &store);
    in_queue(&mut a, &id);
    press(&mut a, KeyCode::Char('a'));
    (fx, a, store, id)
}

#[test]
fn undo_after_approve_restores_the_item_and_the_log_keeps_both() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let store = open(&fx.path, tester());
    let id = plain_in_queue(&a, &store);
    let before = store.item(&id).expect("item");
    in_queue(&mut a, &id);
    press(&mut a, KeyCode::Char('a'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    assert!(status(&a).contains("u undoes it"), "{}", status(&a));
    let approved = store.item(&id).expect("item");
    assert_eq!(approved.approvals.len(), before.approvals.len() + 1);
    // The footer offers `u` while it may be undone.
    let screen_now = screen(&render(&mut a, 80, 24));
    assert!(screen_now.contains("u undo"), "{screen_now}");

    press(&mut a, KeyCode::Char('u'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    let after = store.item(&id).expect("item");
    assert_eq!(after.state, before.state);
    assert_eq!(after.state_since, before.state_since);
    assert_eq!(after.approvals, before.approvals);
    assert_eq!(after.round, before.round);
    assert_eq!(after.version, before.version + 2);
    let k = kinds(&store, &id);
    assert_eq!(&k[k.len() - 2..], ["approve", "undo"], "{k:?}");
    // `u` is spent: pressing it again does nothing.
    press(&mut a, KeyCode::Char('u'));
    assert_eq!(store.item(&id).expect("item").version, after.version);
    crate::common::ok(&fx.path, &["audit", "verify"]);
    // The item may be decided again as before.
    in_queue(&mut a, &id);
    press(&mut a, KeyCode::Char('a'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    crate::common::ok(&fx.path, &["audit", "verify"]);
}

#[test]
fn undo_after_return_restores_the_approvals_it_voided() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let store = open(&fx.path, tester());
    // An item in tester's queue that already has an approval in its round.
    let id = a
        .queue_ids()
        .into_iter()
        .find(|id| !store.item(id).expect("item").approvals.is_empty())
        .expect("a queue item with an approval");
    let before = store.item(&id).expect("item");
    let reviews = |s: &Store| s.report(None).expect("report").overall.security_reviews;
    let reviews_before = reviews(&store);
    in_queue(&mut a, &id);
    press(&mut a, KeyCode::Char('r'));
    assert_eq!(a.context(), Ctx::Form);
    type_text(&mut a, "narrow the role first");
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    let returned = store.item(&id).expect("item");
    assert_eq!(returned.state, State::Needed);
    assert!(returned.approvals.is_empty());
    // A return decided as security counts as a security review, until it is undone.
    let back = store.history(&id).expect("history");
    let back = back.last().expect("the return");
    assert_eq!(back.kind, "return");
    let as_security = back.payload["capacity"] == "security";
    assert_eq!(reviews(&store), reviews_before + usize::from(as_security));

    press(&mut a, KeyCode::Char('u'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    let after = store.item(&id).expect("item");
    assert_eq!(after.state, before.state);
    assert_eq!(after.round, before.round);
    assert_eq!(after.approvals, before.approvals);
    assert_eq!(after.parties, before.parties);
    assert_eq!(after.last_reason, before.last_reason);
    assert_eq!(
        reviews(&store),
        reviews_before,
        "an undone return is no review"
    );
    crate::common::ok(&fx.path, &["audit", "verify"]);
}

#[test]
fn undo_is_offered_for_ten_seconds_only() {
    let (fx, mut a, store, id) = tester_approves_a_plain_item();
    let approved = store.item(&id).expect("item");
    a.store_mut().set_now(now() + Duration::seconds(11));
    assert!(a.undo_expired(a.clock()));
    press(&mut a, KeyCode::Char('u'));
    assert_eq!(store.item(&id).expect("item").version, approved.version);
    // The store refuses it too, whoever asks.
    let mut late = open(&fx.path, tester());
    late.set_now(now() + Duration::seconds(11));
    let e = late.undo(&id, approved.version).expect_err("too late");
    assert!(e.to_string().contains("10 s"), "{e}");
}

#[test]
fn only_the_decider_undoes_and_never_a_revoke() {
    let (fx, a, store, id) = tester_approves_a_plain_item();
    let approved = store.item(&id).expect("item");
    let mut carol = open(&fx.path, someone("carol"));
    match carol.undo(&id, approved.version) {
        Err(accessdesk::store::Error::Refused(r)) => assert_eq!(r.rule.name(), "undo"),
        other => panic!("carol undid tester's approval: {other:?}"),
    }
    // A verified item's last move is no decision: nothing to undo.
    let verified = a
        .tracker_ids()
        .into_iter()
        .find(|id| store.item(id).expect("item").state == State::Verified)
        .expect("a verified item");
    let v = store.item(&verified).expect("item");
    let mut mine = open(&fx.path, tester());
    assert!(mine.undo(&verified, v.version).is_err());
    assert_eq!(store.item(&verified).expect("item").version, v.version);
}

#[test]
fn approving_privileged_access_asks_first_and_submit_is_capital_u() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let store = open(&fx.path, tester());
    let id = a
        .queue_ids()
        .into_iter()
        .find(|id| store.item(id).expect("item").fields.privileged)
        .expect("privileged access waits on tester");
    let before = store.item(&id).expect("item");
    in_queue(&mut a, &id);
    press(&mut a, KeyCode::Char('a'));
    assert_eq!(a.context(), Ctx::Confirm, "{}", status(&a));
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(store.item(&id).expect("item").version, before.version);
    press(&mut a, KeyCode::Char('a'));
    press(&mut a, KeyCode::Char('y'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    assert_eq!(
        store.item(&id).expect("item").approvals.len(),
        before.approvals.len() + 1
    );

    // A needed item: `u` no longer submits it, `U` does.
    let needed = a
        .tracker_ids()
        .into_iter()
        .find(|id| {
            let it = store.item(id).expect("item");
            it.state == State::Needed
                && accessdesk::domain::rules::submit_refusals(&it.fields).is_empty()
        })
        .expect("a needed item ready to submit");
    select_in_tracker(&mut a, &needed);
    press(&mut a, KeyCode::Char('u'));
    assert_eq!(store.item(&needed).expect("item").state, State::Needed);
    press(&mut a, KeyCode::Char('U'));
    // Submit asks for an optional note.
    if a.context() == Ctx::Form {
        press(&mut a, KeyCode::Enter);
    }
    assert_eq!(
        store.item(&needed).expect("item").state,
        State::Requested,
        "{}",
        status(&a)
    );
}

#[test]
fn audit_verify_catches_a_withdrawn_approval_put_back_with_sqlite3() {
    let (fx, mut a, store, id) = tester_approves_a_plain_item();
    let approved = store.item(&id).expect("item");
    press(&mut a, KeyCode::Char('u'));
    crate::common::ok(&fx.path, &["audit", "verify"]);
    let (key, number) = id.rsplit_once('-').expect("an item id");
    let sql = format!(
        "UPDATE items SET state = '{}' WHERE project = '{key}' AND number = {number}",
        approved.state
    );
    let out = std::process::Command::new("sqlite3")
        .arg(&fx.path)
        .arg(&sql)
        .output()
        .expect("the sqlite3 shell");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verify = crate::common::run(&fx.path, &["audit", "verify"]);
    let said = String::from_utf8_lossy(&verify.stderr);
    assert!(!verify.status.success(), "{said}");
    assert!(said.contains(&id), "{said}");
}

#[test]
fn undo_after_a_decision_on_picked_items_undoes_each() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let store = open(&fx.path, tester());
    press(&mut a, KeyCode::Char('2'));
    press(&mut a, KeyCode::Char('g'));
    let ids = a.queue_ids();
    for _ in &ids {
        press(&mut a, KeyCode::Char(' '));
    }
    let before: Vec<_> = ids.iter().map(|id| store.item(id).expect("item")).collect();
    press(&mut a, KeyCode::Char('a'));
    let approved: Vec<&String> = ids
        .iter()
        .filter(|id| {
            let it = store.item(id).expect("item");
            it.approvals.iter().any(|x| x.login == "tester")
        })
        .collect();
    assert!(approved.len() >= 2, "{}", status(&a));
    assert!(status(&a).contains("u undoes it"), "{}", status(&a));
    press(&mut a, KeyCode::Char('u'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    for (id, b) in ids.iter().zip(&before) {
        let now = store.item(id).expect("item");
        assert_eq!((now.state, &now.approvals), (b.state, &b.approvals), "{id}");
    }
    crate::common::ok(&fx.path, &["audit", "verify"]);
}
