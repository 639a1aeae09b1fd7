//! Defects the screen showed, each driven through the App the way the event loop
//! drives it (keys through the key table, or messages), checked against the database
//! through a second handle or against the rendered screen.

use crate::common::tui::*;
use accessdesk::domain::machine::Action;
use accessdesk::domain::{ItemFields, State};
use accessdesk::present;
use accessdesk::store::{ItemFilter, NewProject, Store};
use accessdesk::tui::keymap::Ctx;
use accessdesk::tui::{App, Msg, Pane, StatusKind};
use chrono::Days;
use crossterm::event::KeyCode;
use proptest::prelude::*;
use std::time::Duration;

fn status(a: &App) -> String {
    a.status().map(|s| s.text.clone()).unwrap_or_default()
}

/// An empty project next to the demo's.
fn add_empty_project(fx: &Db, key: &str) {
    let mut s = open(&fx.path, tester());
    s.add_project(NewProject {
        key: key.into(),
        name: format!("{key} project"),
        client: "Nobody".into(),
        start: Some(now().date_naive() + Days::new(30)),
        tz: None,
        coordinator: None,
    })
    .expect("add project");
}

/// The ids of the items in `state`, as another handle reads them.
fn ids_in(store: &Store, state: State) -> Vec<String> {
    store
        .list_items(&ItemFilter {
            state: Some(state),
            ..ItemFilter::default()
        })
        .expect("list")
        .into_iter()
        .map(|v| v.item.id())
        .collect()
}

/// The screen's rows, whitespace collapsed and joined with spaces: text wrapped over
/// several rows reads as one sentence again.
fn flowing(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.replace(['│', '┌', '┐', '└', '┘', '─'], " "))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---- 1: a project switch after a sort or filter ---------------------------------------

#[test]
fn switching_project_after_a_sort_keeps_the_tracker_consistent() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    // Sort by system, reversed: the first tracker row is an item late in the list.
    press(&mut a, KeyCode::Char('s'));
    press(&mut a, KeyCode::Char('S'));
    press(&mut a, KeyCode::Char('G'));
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Enter);
    let ids = a.tracker_ids();
    assert!(!ids.is_empty(), "the first project has items");
    let project = ids[0].split('-').next().expect("id").to_string();
    assert!(
        ids.iter().all(|id| id.starts_with(&format!("{project}-"))),
        "{ids:?}"
    );
    assert!(a.selected_id().is_some());
}

#[test]
fn switching_project_after_a_filter_keeps_the_tracker_consistent() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    // Filtered to the last project's items: the first tracker row lies far down the
    // item list, beyond the end of the first project's.
    let last = a.tracker_ids().last().cloned().expect("items");
    let key = last.split('-').next().expect("key").to_lowercase();
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, &format!("{key}-"));
    press(&mut a, KeyCode::Enter);
    for _ in 0..4 {
        press(&mut a, KeyCode::Char('p'));
        press(&mut a, KeyCode::Enter);
        let ids = a.tracker_ids();
        assert!(
            ids.iter()
                .all(|id| id.to_lowercase().starts_with(&format!("{key}-"))),
            "{ids:?}"
        );
        render(&mut a, 80, 24);
    }
}

#[test]
fn switching_onto_a_project_without_items_shows_an_empty_tracker() {
    let fx = demo();
    add_empty_project(&fx, "ZZZ");
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('s'));
    press(&mut a, KeyCode::Char('G'));
    let mut seen_empty = false;
    for _ in 0..8 {
        a.update(Msg::CycleProject);
        if a.tracker_ids().is_empty() && a.selected_id().is_none() {
            seen_empty = true;
            let screen = screen(&render(&mut a, 80, 24));
            assert!(screen.contains("No access items in ZZZ yet"), "{screen}");
        }
    }
    assert!(seen_empty, "the empty project was shown");
}

/// What the property test does to the app.
#[derive(Debug, Clone)]
enum Step {
    Msg(Msg),
    /// Types a filter text and applies it.
    Filter(String),
    /// Another handle cancels the `n`th item it lists, then the screen reloads.
    CancelElsewhere(usize),
    /// Another handle adds an item, then the screen reloads.
    AddElsewhere,
    Draw,
}

fn step() -> impl Strategy<Value = Step> {
    let msg = prop_oneof![
        Just(Msg::CycleSort),
        Just(Msg::ReverseSort),
        Just(Msg::CycleStateFilter),
        Just(Msg::ClearFilter),
        Just(Msg::CycleProject),
        Just(Msg::NextPane),
        Just(Msg::PrevPane),
        Just(Msg::ShowPane(Pane::Tracker)),
        Just(Msg::ShowPane(Pane::Queue)),
        Just(Msg::ShowPane(Pane::Blockers)),
        Just(Msg::ShowPane(Pane::Dashboard)),
        Just(Msg::Up),
        Just(Msg::Down),
        Just(Msg::PageDown),
        Just(Msg::Bottom),
        Just(Msg::Top),
        Just(Msg::OpenDetail),
        Just(Msg::Back),
        Just(Msg::Reload),
        Just(Msg::Tick(now() + chrono::TimeDelta::days(3))),
        (60u16..140, 16u16..50).prop_map(|(w, h)| Msg::Resize(w, h)),
    ];
    prop_oneof![
        6 => msg.prop_map(Step::Msg),
        2 => "[a-z:]{0,6}".prop_map(Step::Filter),
        1 => (0usize..40).prop_map(Step::CancelElsewhere),
        1 => Just(Step::AddElsewhere),
        1 => Just(Step::Draw),
    ]
}

/// The selection is always a row of the pane shown, and every list names loaded items.
fn consistent(a: &App) {
    let shown = match a.pane() {
        Pane::Tracker => a.tracker_ids(),
        Pane::Queue => a.queue_ids(),
        Pane::Blockers => a.blocker_ids(),
        Pane::Expiring => a.expiring_ids(),
        Pane::Reviews | Pane::Tasks | Pane::Dashboard => Vec::new(),
    };
    if a.context() != Ctx::Detail
        && let Some(id) = a.selected_id()
    {
        assert!(shown.contains(&id), "{id} not in {shown:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_messages_never_panic_and_keep_the_selection_consistent(
        steps in prop::collection::vec(step(), 1..40)
    ) {
        let fx = demo();
        add_empty_project(&fx, "ZZZ");
        let mut a = app(&fx, 80, 24);
        let mut other = open(&fx.path, tester());
        for s in steps {
            match s {
                Step::Msg(m) => a.update(m),
                Step::Filter(text) => {
                    a.update(Msg::StartFilter);
                    a.update(Msg::Paste(text));
                    a.update(Msg::ApplyFilter);
                }
                Step::CancelElsewhere(n) => {
                    let ids = ids_in(&other, State::Needed);
                    if let Some(id) = ids.get(n % ids.len().max(1)) {
                        // Refusals are fine: only the screen's reaction is under test.
                        let _ = other.act(id, &Action::Cancel { note: None }, None);
                    }
                    a.update(Msg::Reload);
                }
                Step::AddElsewhere => {
                    let fields = ItemFields { system: "Added elsewhere".into(), ..ItemFields::default() };
                    let _ = other.add_item("ZZZ", fields);
                    a.update(Msg::Reload);
                }
                Step::Draw => {
                    render(&mut a, 80, 24);
                }
            }
            consistent(&a);
        }
        render(&mut a, 80, 24);
    }
}

// ---- 6: the detail view shows the domain's instruction ---------------------------------

#[test]
fn the_detail_view_shows_exactly_the_collection_instruction() {
    let fx = demo();
    let store = open(&fx.path, tester());
    let item = store
        .list_items(&ItemFilter::default())
        .expect("list")
        .into_iter()
        .map(|v| v.item)
        .find(|i| i.fields.method.is_some() && i.fields.temporary)
        .expect("a temporary item with a method");
    let project = store.project(&item.project).expect("project");
    let want = item.collection_instruction(&project);
    assert!(want.contains("grant only this role, nothing broader"));

    let mut a = app(&fx, 110, 200);
    select_in_tracker(&mut a, &item.id());
    press(&mut a, KeyCode::Enter);
    let screen = flowing(&screen(&render(&mut a, 110, 200)));
    assert!(
        screen.contains(&words(&want)),
        "instruction not shown as written:\n{want}\n---\n{screen}"
    );
    assert!(!screen.contains("reviewed periodically"));
}

// ---- 8: refusals in the form's words ---------------------------------------------------

#[test]
fn saving_an_unchanged_edit_says_nothing_changed_in_form_words() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    select_in_tracker(&mut a, "ACME-3");
    press(&mut a, KeyCode::Char('e'));
    press(&mut a, KeyCode::Enter);
    let s = status(&a);
    assert!(s.starts_with("Nothing changed"), "{s}");
    assert!(!s.contains("--"), "no command-line flags: {s}");
    assert_eq!(a.context(), Ctx::Form, "the form stays open");
}

#[test]
fn a_store_refusal_in_a_form_names_the_form_label_not_a_flag() {
    let fx = demo();
    let store = open(&fx.path, tester());
    // An item whose approval owner is set: making them its credential owner is refused.
    let item = store
        .list_items(&ItemFilter::default())
        .expect("list")
        .into_iter()
        .map(|v| v.item)
        .find(|i| {
            i.state == State::Needed && !i.fields.approver.is_empty() && i.id().starts_with("ACME")
        })
        .expect("a needed ACME item with an approval owner");
    let mut a = app(&fx, 80, 24);
    select_in_tracker(&mut a, &item.id());
    press(&mut a, KeyCode::Char('e'));
    for _ in 0..4 {
        press(&mut a, KeyCode::Tab);
    }
    assert_eq!(
        a.form().and_then(|f| f.focused()).map(|f| f.name),
        Some("credential-owner")
    );
    ctrl(&mut a, 'u');
    type_text(&mut a, &item.fields.approver);
    press(&mut a, KeyCode::Enter);
    let s = status(&a);
    assert_eq!(a.status().map(|s| s.kind), Some(StatusKind::Refused), "{s}");
    assert!(
        s.contains("Approval owner") || s.contains("Credential owner"),
        "worded with the form's labels: {s}"
    );
    assert!(!s.contains("--"), "no command-line flags: {s}");
    assert_eq!(a.context(), Ctx::Form);
}

// ---- 9: a long refusal is readable at 80x24 --------------------------------------------

#[test]
fn a_long_refusal_in_a_form_is_readable_in_full_at_80x24() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "Analytics");
    let notes = a
        .form()
        .and_then(|f| f.fields.iter().position(|x| x.name == "notes"))
        .expect("notes field");
    while a.form().map(|f| f.focus) != Some(notes) {
        press(&mut a, KeyCode::Tab);
    }
    type_text(&mut a, "password=hunter2");
    press(&mut a, KeyCode::Enter);
    let s = status(&a);
    assert!(s.len() > 160, "a long refusal: {s}");
    assert_eq!(a.context(), Ctx::Form);
    let screen = screen(&render(&mut a, 80, 24));
    assert!(
        flowing(&screen).contains(&words(&s)),
        "the whole refusal shows:\n{s}\n---\n{screen}"
    );
}

// ---- 10: typed work survives a conflict, a busy database and a cancelled confirm -------

#[test]
fn a_conflicting_edit_keeps_the_form_with_their_values_beside_the_typed_ones() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let id = "ACME-3";
    typing_purpose(&mut a, id, "Mine");
    their_purpose(&fx, id, "Theirs");

    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Form, "the form stays open");
    assert!(status(&a).contains("conflict"), "{}", status(&a));
    assert_eq!(
        a.form().and_then(|f| f.value("purpose")).as_deref(),
        Some("Mine"),
        "the typing is kept"
    );
    let screen = screen(&render(&mut a, 80, 24));
    assert!(screen.contains("saved meanwhile: Theirs"), "{screen}");
    assert_eq!(stored_purpose(&fx, id), "Theirs", "nothing overwritten yet");
    // Saving again, having seen theirs, saves the typed value.
    press(&mut a, KeyCode::Enter);
    assert_eq!(stored_purpose(&fx, id), "Mine");
}

#[test]
fn a_busy_database_keeps_the_form_and_saving_again_works() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    a.store_mut().set_lock_wait(Duration::from_millis(50));
    let id = "ACME-3";
    typing_purpose(&mut a, id, "Typed while locked");

    // Another program holds the write lock.
    let lock = rusqlite::Connection::open(&fx.path).expect("open");
    lock.execute_batch("BEGIN IMMEDIATE").expect("lock");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Form, "the form stays open");
    let s = status(&a);
    assert!(s.contains("try again"), "{s}");
    assert_eq!(
        a.form().and_then(|f| f.value("purpose")).as_deref(),
        Some("Typed while locked")
    );

    lock.execute_batch("ROLLBACK").expect("unlock");
    press(&mut a, KeyCode::Enter);
    assert_ne!(a.context(), Ctx::Form, "{}", status(&a));
    assert_eq!(stored_purpose(&fx, id), "Typed while locked");
}

#[test]
fn cancelling_the_deny_confirmation_keeps_the_typed_reason() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    press(&mut a, KeyCode::Char('d'));
    type_text(&mut a, "Scope too wide: ask for Staff");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Confirm);
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(a.context(), Ctx::Form);
    assert_eq!(
        a.form().and_then(|f| f.value("reason")).as_deref(),
        Some("Scope too wide: ask for Staff")
    );
}

#[test]
fn a_move_typed_while_someone_changed_the_item_keeps_its_text_and_waits() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("a queued item");
    press(&mut a, KeyCode::Char('r'));
    type_text(&mut a, "Ask for Viewer, not Editor");
    // Meanwhile someone else adds a note: the item's version moves on.
    let mut other = open(&fx.path, someone("carol"));
    other
        .act(
            &id,
            &Action::Note {
                text: "client called back".into(),
            },
            None,
        )
        .expect("their note");
    let version = other.item(&id).expect("item").version;

    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Form, "the form stays open");
    assert!(status(&a).contains("changed meanwhile"), "{}", status(&a));
    assert_eq!(
        a.form().and_then(|f| f.value("reason")).as_deref(),
        Some("Ask for Viewer, not Editor"),
        "the typing is kept"
    );
    let now = open(&fx.path, tester()).item(&id).expect("item");
    assert_eq!(
        (now.state, now.version),
        (State::Requested, version),
        "nothing done unseen"
    );
    // Having seen the item as it is now, the person returns it.
    press(&mut a, KeyCode::Enter);
    let after = open(&fx.path, tester()).item(&id).expect("item");
    assert_eq!(after.state, State::Needed, "{}", status(&a));
    assert_eq!(
        after.last_reason.as_deref(),
        Some("Ask for Viewer, not Editor")
    );
}

// ---- 11: validation as you type --------------------------------------------------------

/// The new-item form with `text` typed into the field `name`.
fn typed_into(a: &mut App, name: &str, text: &str) {
    let at = a
        .form()
        .and_then(|f| f.fields.iter().position(|x| x.name == name))
        .expect("field");
    while a.form().map(|f| f.focus) != Some(at) {
        press(a, KeyCode::Tab);
    }
    ctrl(a, 'u');
    type_text(a, text);
}

#[test]
fn an_impossible_date_is_shown_while_typing_without_a_format_complaint() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "Analytics");
    typed_into(&mut a, "needed-by", "2026-02-30");
    let screen = screen(&render(&mut a, 80, 24));
    let line = screen
        .lines()
        .find(|l| l.contains("is not a date"))
        .unwrap_or_else(|| panic!("no problem shown:\n{screen}"));
    assert!(
        flowing(&screen).contains("February 2026 has 28 days"),
        "{screen}"
    );
    assert!(!line.contains("YYYY") && !line.contains("format"), "{line}");
}

#[test]
fn a_past_expiry_is_refused_while_typing_and_a_past_needed_by_only_warned() {
    let fx = demo();
    let mut a = app(&fx, 80, 40);
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "Analytics");
    typed_into(&mut a, "temporary", "");
    a.update(Msg::FormCycle);
    typed_into(&mut a, "expires", "2026-03-01");
    let screen1 = flowing(&screen(&render(&mut a, 80, 40)));
    assert!(screen1.contains("is in the past"), "{screen1}");

    typed_into(&mut a, "expires", "2026-06-30");
    typed_into(&mut a, "needed-by", "2026-03-01");
    let screen2 = flowing(&screen(&render(&mut a, 80, 40)));
    assert!(screen2.contains("overdue"), "a warning: {screen2}");
    assert!(!screen2.contains("is in the past"), "{screen2}");
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
}

#[test]
fn a_past_exception_expiry_is_refused_while_typing() {
    let fx = demo();
    let mut a = app(&fx, 80, 40);
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "Analytics");
    typed_into(&mut a, "exception", "legacy SSO");
    typed_into(&mut a, "exception-owner", "");
    a.update(Msg::FormCycle);
    typed_into(&mut a, "exception-expires", "2026-01-31");
    let screen = flowing(&screen(&render(&mut a, 80, 40)));
    assert!(screen.contains("is in the past"), "{screen}");
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.context(), Ctx::Form, "not saved");
}

// ---- 12: status texts say what happened and what comes next ----------------------------

#[test]
fn flagging_a_blocker_says_what_happened_and_what_comes_next() {
    let fx = demo();
    let store = open(&fx.path, tester());
    let id = ids_in(&store, State::Verified)
        .into_iter()
        .next()
        .expect("a verified item");
    let mut a = app(&fx, 80, 24);
    select_in_tracker(&mut a, &id);
    press(&mut a, KeyCode::Char('b'));
    type_text(&mut a, "Client froze the account");
    press(&mut a, KeyCode::Enter);
    let item = open(&fx.path, tester()).item(&id).expect("item");
    let s = status(&a);
    assert_eq!(
        s,
        present::outcome(
            accessdesk::domain::machine::ActionKind::Block,
            State::Verified,
            &item
        )
    );
    assert!(s.starts_with(&format!("Flagged {id}")), "{s}");
    assert!(s.contains("Next:"), "{s}");
    assert!(!s.contains("now verified"), "{s}");
}

#[test]
fn one_blocker_is_one_blocker_in_the_header() {
    let fx = demo();
    add_empty_project(&fx, "ZZZ");
    let mut other = open(&fx.path, tester());
    let fields = ItemFields {
        system: "Late system".into(),
        needed_by: Some(now().date_naive() - Days::new(2)),
        ..ItemFields::default()
    };
    other.add_item("ZZZ", fields).expect("add");
    let mut a = app(&fx, 80, 24);
    for _ in 0..10 {
        if a.tracker_ids().iter().all(|id| id.starts_with("ZZZ-")) && !a.tracker_ids().is_empty() {
            break;
        }
        a.update(Msg::CycleProject);
    }
    assert_eq!(a.blocker_ids().len(), 1, "{:?}", a.blocker_ids());
    let screen = screen(&render(&mut a, 80, 24));
    assert!(screen.contains("1 blocker"), "{screen}");
    assert!(!screen.contains("1 blockers"), "{screen}");
}

#[test]
fn adding_an_item_names_it_without_empty_parts_and_says_what_comes_next() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('n'));
    type_text(&mut a, "Analytics");
    press(&mut a, KeyCode::Enter);
    let s = status(&a);
    assert!(s.starts_with("Added "), "{s}");
    assert!(s.contains("(Analytics)"), "{s}");
    assert!(!s.contains(", )"), "{s}");
    assert!(s.contains("Next:"), "{s}");
}
