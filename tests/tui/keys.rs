//! Key sequences driven through `handle_key`/`update`, checked against the database
//! through a second, independent handle on the same file.

use crate::common::tui::*;
use accessdesk::domain::machine::{Action, ActionKind};
use accessdesk::domain::{Capacity, ItemFields, Method, State};
use accessdesk::tui::keymap::{self, Ctx};
use accessdesk::tui::{Msg, Pane, StatusKind};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[test]
fn approving_from_the_queue_is_written_to_the_database() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    assert_eq!(a.pane(), Pane::Queue);
    let queue = a.queue_ids();
    assert!(!queue.is_empty(), "the demo leaves decisions for tester");
    let id = a.selected_id().expect("a queue row is selected");
    assert_eq!(id, queue[0]);
    let before = open(&fx.path, tester()).item(&id).expect("item");
    press(&mut a, KeyCode::Char('a'));
    yes_if_asked(&mut a);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );

    let other = open(&fx.path, someone("carol"));
    let after = other.item(&id).expect("item");
    assert_eq!(after.version, before.version + 1);
    let mine = after
        .approvals
        .iter()
        .find(|x| x.login == "tester")
        .expect("tester's approval recorded");
    assert!(matches!(
        mine.capacity,
        Capacity::Owner | Capacity::Security
    ));
    if after.missing_approvals().is_empty() {
        assert_eq!(after.state, State::Approved);
    }
    // Decided: it left the queue.
    assert!(!a.queue_ids().contains(&id));
}

#[test]
fn approving_with_conditions_records_them() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("selected");
    press(&mut a, KeyCode::Char('c'));
    type_text(&mut a, "Review at go-live");
    press(&mut a, KeyCode::Enter);
    yes_if_asked(&mut a);
    let after = open(&fx.path, tester()).item(&id).expect("item");
    let mine = after
        .approvals
        .iter()
        .find(|x| x.login == "tester")
        .expect("approval");
    assert_eq!(mine.conditions.as_deref(), Some("Review at go-live"));
}

#[test]
fn deny_asks_first_and_only_y_confirms() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("selected");
    let version = open(&fx.path, tester()).item(&id).expect("item").version;

    press(&mut a, KeyCode::Char('d'));
    type_text(&mut a, "Scope too wide");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Confirm);
    press(&mut a, KeyCode::Char('n'));
    assert_ne!(a.context(), Ctx::Confirm);
    assert_eq!(
        open(&fx.path, tester()).item(&id).expect("item").version,
        version,
        "nothing changed"
    );
    // Cancelling went back to the form, with the reason as typed.
    assert_eq!(a.context(), Ctx::Form);

    // Enter is "any other key" too: the default is No.
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Confirm);
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        open(&fx.path, tester()).item(&id).expect("item").state,
        State::Requested
    );

    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('y'));
    let after = open(&fx.path, tester()).item(&id).expect("item");
    assert_eq!(after.state, State::Denied);
    assert_eq!(after.last_reason.as_deref(), Some("Scope too wide"));
}

#[test]
fn a_deny_without_reason_is_not_sent() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("selected");
    press(&mut a, KeyCode::Char('d'));
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.context(),
        Ctx::Form,
        "the form stays open: the reason is required"
    );
    assert!(status(&a).contains("Reason"), "{}", status(&a));
    ctrl(&mut a, 'g');
    assert_eq!(a.context(), Ctx::Queue);
    assert_eq!(
        open(&fx.path, tester()).item(&id).expect("item").state,
        State::Requested
    );
}

/// An item the tester requested, submitted, waiting on gina.
fn own_request(fx: &Db) -> String {
    let mut s = open(&fx.path, tester());
    let item = s
        .add_item(
            "ACME",
            ItemFields {
                system: "Matomo".into(),
                purpose: "Compare with GA4".into(),
                role: "Viewer".into(),
                credential_owner: "Priya Shah".into(),
                approver: "gina".into(),
                method: Some(Method::SsoInvite),
                ..ItemFields::default()
            },
        )
        .expect("add item");
    s.act(
        &item.id(),
        &Action::Submit { note: None },
        Some(item.version),
    )
    .expect("submit");
    item.id()
}

#[test]
fn self_approval_is_refused_with_the_rule_and_changes_nothing() {
    let fx = demo();
    let id = own_request(&fx);
    let before = open(&fx.path, tester()).item(&id).expect("item");
    assert_eq!(before.state, State::Requested);

    let mut a = app(&fx, 80, 24);
    assert!(!a.queue_ids().contains(&id), "never offered in the queue");
    select_in_tracker(&mut a, &id);
    // Not offered in the footer...
    let footer: Vec<&str> = keymap::footer(&a.facts(), a.context())
        .iter()
        .map(|b| b.label)
        .collect();
    assert!(!footer.contains(&"approve"), "{footer:?}");
    // ...and refused, with the rule, when pressed anyway.
    press(&mut a, KeyCode::Char('a'));
    let s = a.status().expect("a refusal is shown");
    assert_eq!(s.kind, StatusKind::Refused);
    assert!(s.text.contains("no-self-approval"), "{}", s.text);
    let t = render(&mut a, 80, 24);
    assert!(screen(&t).contains("no-self-approval"));

    let after = open(&fx.path, someone("carol")).item(&id).expect("item");
    assert_eq!(after.version, before.version);
    assert!(after.approvals.is_empty());
}

#[test]
fn a_refusal_from_the_store_is_shown_when_things_changed_meanwhile() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("selected");
    // Another security person decides first; the screen has not reloaded yet.
    let mut other = open(&fx.path, someone("dana"));
    let item = other.item(&id).expect("item");
    other
        .act(
            &id,
            &Action::Deny {
                reason: "no".into(),
            },
            Some(item.version),
        )
        .expect("deny");
    press(&mut a, KeyCode::Char('a'));
    yes_if_asked(&mut a);
    let s = a.status().expect("shown");
    assert!(s.text.contains("conflict"), "{}", s.text);
    assert_eq!(
        open(&fx.path, tester()).item(&id).expect("item").state,
        State::Denied
    );
    // The screen reloaded: the item left the queue.
    assert!(!a.queue_ids().contains(&id));
}

#[test]
fn a_row_changed_before_the_screen_reloaded_is_not_decided_unseen() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let queue = a.queue_ids();
    assert!(queue.len() > 1, "{queue:?}");
    // Another coordinator changes the second row before this screen reloads; the
    // cursor then lands on it, and the item is read for the first time.
    let id = queue[1].clone();
    let mut other = open(&fx.path, someone("carol"));
    let note = Action::Note {
        text: "scope widened on the call".into(),
    };
    other.act(&id, &note, None).expect("their note");
    let given = other.item(&id).expect("item").approvals;
    press(&mut a, KeyCode::Down);
    assert_eq!(a.selected_id().as_deref(), Some(id.as_str()));
    press(&mut a, KeyCode::Char('a'));
    yes_if_asked(&mut a);
    let s = a.status().expect("shown");
    assert!(s.text.contains("conflict"), "{}", s.text);
    let stored = open(&fx.path, tester()).item(&id).expect("item");
    assert_eq!(
        stored.approvals, given,
        "nothing decided on the unseen version"
    );
}

#[test]
fn filtering_narrows_the_tracker() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let all = a.tracker_ids();
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "state:requested");
    // Live while typing.
    let requested = a.tracker_ids();
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.tracker_ids(), requested);
    assert!(!requested.is_empty() && requested.len() < all.len());
    let store = open(&fx.path, tester());
    for id in &requested {
        assert_eq!(store.item(id).expect("item").state, State::Requested);
    }
    // Text and state combine.
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, " shopify");
    press(&mut a, KeyCode::Enter);
    let both = a.tracker_ids();
    assert!(!both.is_empty() && both.len() < requested.len(), "{both:?}");
    // Esc clears every filter.
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.tracker_ids(), all);
    // The state key cycles needed → requested → ...
    press(&mut a, KeyCode::Char('f'));
    press(&mut a, KeyCode::Char('f'));
    assert_eq!(a.tracker_ids(), requested);
    // Cancelling the filter line restores what was there.
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "zzz-nothing");
    assert!(a.tracker_ids().is_empty());
    ctrl(&mut a, 'c');
    assert_eq!(a.tracker_ids(), requested);
}

/// Typing in the filter narrows the sorted list without sorting it again: the result
/// must keep the order of the sort in force, through sort changes made while filtered.
#[test]
fn filtering_keeps_the_sort_order() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('s'));
    let sorted = a.tracker_ids();
    let by_id = {
        let mut ids = sorted.clone();
        ids.sort();
        ids
    };
    assert_ne!(
        sorted, by_id,
        "the demo data should sort differently by system"
    );
    let kept = |all: &[String], some: &[String]| -> Vec<String> {
        all.iter().filter(|id| some.contains(id)).cloned().collect()
    };
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "state:requested");
    let filtered = a.tracker_ids();
    assert!(
        filtered.len() > 1 && filtered.len() < sorted.len(),
        "{filtered:?}"
    );
    assert_eq!(filtered, kept(&sorted, &filtered));
    let mut filtered_by_id = filtered.clone();
    filtered_by_id.sort();
    assert_ne!(
        filtered, filtered_by_id,
        "the filtered items should span systems"
    );
    press(&mut a, KeyCode::Enter);
    // Reversed while filtered, then the filter cleared: still the sort in force.
    press(&mut a, KeyCode::Char('S'));
    let reversed: Vec<String> = filtered.iter().rev().cloned().collect();
    assert_eq!(a.tracker_ids(), reversed);
    press(&mut a, KeyCode::Esc);
    let all_reversed: Vec<String> = sorted.iter().rev().cloned().collect();
    assert_eq!(a.tracker_ids(), all_reversed);
}

#[test]
fn a_secret_in_a_notes_field_is_refused_masked_and_counted_once() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let id = "ACME-3";
    select_in_tracker(&mut a, id);
    let before = open(&fx.path, tester()).item(id).expect("item");
    let attempts = |fx: &Db| {
        open(&fx.path, tester())
            .events_of(&["unsafe-attempt"], None)
            .expect("events")
            .len()
    };
    let counted_before = attempts(&fx);

    press(&mut a, KeyCode::Char('e'));
    assert_eq!(a.context(), Ctx::Form);
    // Notes is the last field: Shift-Tab from the first wraps to it.
    press(&mut a, KeyCode::BackTab);
    let secret = "admin password=Tr0ub4dor&3xyz";
    key(
        &mut a,
        KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE),
    );
    a.update(Msg::Paste(secret.into()));
    // Refused inline, never echoed back.
    let t = render(&mut a, 80, 24);
    let text = screen(&t);
    assert!(text.contains("no-credentials-in-text"), "{text}");
    assert!(!text.contains("Tr0ub4dor"), "{text}");

    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Form, "not saved");
    assert!(
        status(&a).contains("no-credentials-in-text"),
        "{}",
        status(&a)
    );
    assert!(!status(&a).contains("Tr0ub4dor"));
    assert_eq!(
        attempts(&fx),
        counted_before + 1,
        "one save attempt, one count"
    );
    let after = open(&fx.path, tester()).item(id).expect("item");
    assert_eq!(after.version, before.version);
    assert_eq!(after.fields.notes, before.fields.notes);
    // The event records where, never the value.
    let events = open(&fx.path, tester())
        .events_of(&["unsafe-attempt"], None)
        .expect("events");
    let last = events.last().expect("event");
    assert_eq!(last.payload["field"], "notes");
    assert!(!last.payload.to_string().contains("Tr0ub4dor"));
    assert_eq!(last.item.as_deref(), Some(id));
}

#[test]
fn a_stale_edit_is_refused_and_overwrites_nothing() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let id = "ACME-3";
    typing_purpose(&mut a, id, "Mine");
    // Meanwhile another coordinator changes the same item.
    their_purpose(&fx, id, "Theirs");

    press(&mut a, KeyCode::Enter);
    let s = a.status().expect("shown");
    assert!(s.text.contains("conflict"), "{}", s.text);
    // The form stays open with the typing kept (see tui_defects for what it shows).
    assert_eq!(a.context(), Ctx::Form);
    assert_eq!(stored_purpose(&fx, id), "Theirs", "their change stands");
    // Seen their change, the person saves theirs over it on purpose.
    ctrl(&mut a, 'u');
    type_text(&mut a, "Mine after all");
    press(&mut a, KeyCode::Enter);
    assert_eq!(stored_purpose(&fx, id), "Mine after all");
}

#[test]
fn adding_an_item_through_the_form() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let n = a.tracker_ids().len();
    press(&mut a, KeyCode::Char('n'));
    // Saving with the required system empty is refused.
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Form);
    type_text(&mut a, "Matomo");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "Compare with GA4");
    // Method: a choice, cycled with Space, never typed.
    for _ in 0..5 {
        press(&mut a, KeyCode::Tab);
    }
    key(
        &mut a,
        KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE),
    );
    press(&mut a, KeyCode::Enter);
    assert_ne!(a.context(), Ctx::Form, "{}", status(&a));
    assert_eq!(a.tracker_ids().len(), n + 1);
    let id = a.selected_id().expect("the new item is selected");
    let item = open(&fx.path, tester()).item(&id).expect("item");
    assert_eq!(item.fields.system, "Matomo");
    assert_eq!(item.fields.method, Some(Method::DelegatedAccount));
    assert_eq!(item.requester, "tester");
    assert_eq!(item.state, State::Needed);
}

#[test]
fn other_processes_changes_appear_on_reload() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    assert!(!a.data_changed());
    let mut other = open(&fx.path, someone("dana"));
    let id = a.queue_ids()[0].clone();
    let item = other.item(&id).expect("item");
    other
        .act(
            &id,
            &Action::Deny {
                reason: "no".into(),
            },
            Some(item.version),
        )
        .expect("deny");
    // The event loop polls this every 500 ms and sends Reload.
    assert!(a.data_changed());
    a.update(Msg::Reload);
    assert!(!a.queue_ids().contains(&id));
    assert!(!a.data_changed());
}

#[test]
fn the_clock_advances_ages_without_a_key() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('3'));
    let before = screen(&render(&mut a, 80, 24));
    let later = now() + chrono::Duration::hours(5);
    a.store_mut().set_now(later);
    assert!(a.minute_changed(a.clock()));
    a.update(Msg::Tick(later));
    let after = screen(&render(&mut a, 80, 24));
    assert_ne!(before, after);
    assert!(after.contains("19d 2h"), "{after}");
}

#[test]
fn project_key_cycles_through_projects() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let all = a.tracker_ids().len();
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Enter);
    let first = a.tracker_ids();
    assert!(!first.is_empty() && first.len() < all);
    let prefix = first[0].split('-').next().expect("key").to_string();
    assert!(first.iter().all(|id| id.starts_with(&format!("{prefix}-"))));
    for _ in 0..10 {
        press(&mut a, KeyCode::Char('p'));
        press(&mut a, KeyCode::Enter);
        if a.tracker_ids().len() == all {
            return;
        }
    }
    panic!("p never came back to all projects");
}

#[test]
fn every_key_in_help_and_footer_works_where_shown() {
    let fx = demo();
    let mut a = app(&fx, 140, 40);
    for setup in ["1", "2", "3", "1\n", "2\n", "3\n"] {
        press(&mut a, KeyCode::Esc);
        for c in setup.chars() {
            press(
                &mut a,
                if c == '\n' {
                    KeyCode::Enter
                } else {
                    KeyCode::Char(c)
                },
            );
        }
        let ctx = a.context();
        let shown: Vec<_> = keymap::active(&a.facts(), ctx).collect();
        assert!(!shown.is_empty());
        for b in keymap::footer(&a.facts(), ctx) {
            assert!(
                shown.iter().any(|s| std::ptr::eq(*s, b)),
                "footer key {} not in help",
                b.shown
            );
        }
        for b in shown {
            let Some(k) = b.keys.first() else { continue };
            let mods = if k.ctrl {
                KeyModifiers::CONTROL
            } else {
                KeyModifiers::NONE
            };
            let msg = a.handle_key(KeyEvent::new(k.code, mods));
            assert_eq!(msg.as_ref(), Some(&b.msg), "{} in {ctx:?}", b.shown);
        }
        // A move the state machine forbids is neither shown nor silently dropped.
        for kind in ActionKind::ALL {
            let offered = keymap::active(&a.facts(), ctx).any(|b| b.move_kind() == Some(kind));
            if !offered
                && let Some(b) = keymap::TABLE
                    .iter()
                    .find(|b| b.ctx.contains(&ctx) && b.move_kind() == Some(kind))
            {
                let k = b.keys[0];
                let msg = a.handle_key(KeyEvent::new(k.code, KeyModifiers::NONE));
                assert_eq!(msg, Some(Msg::Explain(kind)));
            }
        }
    }
    press(&mut a, KeyCode::Esc);
}

#[test]
fn only_key_presses_count() {
    let fx = demo();
    let a = app(&fx, 80, 24);
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = crossterm::event::KeyEventKind::Release;
    assert_eq!(a.handle_key(release), None);
    assert_eq!(
        a.handle_key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)),
        Some(Msg::Quit)
    );
}

#[test]
fn forms_cancel_without_esc() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    for cancel in ['g', 'c'] {
        press(&mut a, KeyCode::Char('n'));
        assert_eq!(a.context(), Ctx::Form);
        ctrl(&mut a, cancel);
        assert_eq!(a.context(), Ctx::Tracker);
    }
    press(&mut a, KeyCode::Char('/'));
    ctrl(&mut a, 'g');
    assert_eq!(a.context(), Ctx::Tracker);
}

#[test]
fn c_shows_the_system_catalogue_and_closes_like_help() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('C'));
    assert_eq!(a.context(), Ctx::Help);
    let text = screen(&render(&mut a, 80, 24));
    assert!(text.contains("Catalogue"), "{text}");
    assert!(text.contains("Citrix Workspace"), "{text}");
    assert!(text.contains("roles: Standard < Admin"), "{text}");
    assert!(text.contains("standard: Standard"), "{text}");
    // Scrolls like help and reaches the last system.
    press(&mut a, KeyCode::Char('G'));
    let text = screen(&render(&mut a, 80, 24));
    assert!(text.contains("Twilio"), "{text}");
    press(&mut a, KeyCode::Char('q'));
    assert_eq!(a.context(), Ctx::Tracker);
    // The help's legend names the new badge.
    press(&mut a, KeyCode::Char('?'));
    press(&mut a, KeyCode::Char('G'));
    let text = screen(&render(&mut a, 80, 24));
    assert!(text.contains("ABOVE above standard"), "{text}");
}

#[test]
fn the_add_form_suggests_the_standard_role_and_refuses_one_the_catalogue_lacks() {
    let fx = demo();
    let mut a = app(&fx, 120, 40);
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "Tableau Server (RHG)");
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    let text = screen(&render(&mut a, 120, 40));
    assert!(
        text.contains("the standard (least) role is Viewer"),
        "{text}"
    );
    type_text(&mut a, "Owner");
    let text = screen(&render(&mut a, 120, 40));
    assert!(text.contains("not a role of Tableau Server"), "{text}");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Form, "not saved");
    // A role above the standard one asks for a justification.
    for _ in 0..5 {
        press(&mut a, KeyCode::Backspace);
    }
    type_text(&mut a, "Creator");
    let text = screen(&render(&mut a, 120, 40));
    assert!(text.contains("above the standard role Viewer"), "{text}");
}
