//! Pane 6, the expiry radar, and `E`, asking to extend live temporary access: key
//! sequences on the demo data, checked against the database through another handle.

use crate::common::tui::*;
use accessdesk::domain::expiry;
use accessdesk::domain::machine::Action;
use accessdesk::store::ItemFilter;
use accessdesk::tui::{Msg, Pane, StatusKind};
use chrono::NaiveDate;
use crossterm::event::KeyCode;

/// The radar as the command line lists it (`item list --expiring 30`).
fn listed(fx: &Db) -> Vec<String> {
    open(&fx.path, tester())
        .list_items(&ItemFilter {
            expiring_days: Some(expiry::RADAR_DAYS),
            ..Default::default()
        })
        .expect("list")
        .into_iter()
        .map(|v| v.item.id())
        .collect()
}

#[test]
fn six_shows_the_radar_soonest_first_as_the_command_line_lists_it() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('6'));
    assert_eq!(a.pane(), Pane::Expiring);
    let shown = a.expiring_ids();
    assert!(!shown.is_empty(), "the demo has access ending soon");
    assert_eq!(shown, listed(&fx));
    assert_eq!(a.selected_id().as_deref(), Some(shown[0].as_str()));
    // Tab goes round every pane and comes back.
    for _ in 0..Pane::ALL.len() {
        press(&mut a, KeyCode::Tab);
    }
    assert_eq!(a.pane(), Pane::Expiring);
    let screen = screen(&render(&mut a, 80, 24));
    assert!(screen.contains("6 Expiring"), "{screen}");
}

#[test]
fn e_asks_for_an_extension_that_waits_for_someone_elses_approval() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('6'));
    // The first live temporary access of an open project on the radar (a closed
    // project's access is not extended).
    let store = open(&fx.path, tester());
    let id = a
        .expiring_ids()
        .into_iter()
        .find(|id| {
            let it = store.item(id).expect("item");
            let open = store
                .project(&it.project)
                .expect("project")
                .closed_at
                .is_none();
            open && it.state.access_live() && it.fields.temporary && it.extension.is_none()
        })
        .expect("the demo has live temporary access ending soon in an open project");
    while a.selected_id().as_deref() != Some(id.as_str()) {
        press(&mut a, KeyCode::Down);
    }
    let before = store.item(&id).expect("item");
    press(&mut a, KeyCode::Char('E'));
    type_text(&mut a, "2026-06-30");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "the rollout runs late");
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    assert!(status(&a).contains("Asked to extend"), "{}", status(&a));
    let after = store.item(&id).expect("item");
    assert_eq!(after.state, before.state, "the access stays live");
    assert_eq!(after.fields.expires, before.fields.expires);
    let ext = after.extension.as_deref().expect("the request is stored");
    assert_eq!(
        ext.expires,
        NaiveDate::from_ymd_opt(2026, 6, 30).expect("date")
    );
    assert_eq!(ext.by, "tester");
    // Tester asked: the decision is someone else's, so it is not in tester's queue.
    assert!(!a.queue_ids().contains(&id));
    // A second E is refused with the rule, and changes nothing.
    press(&mut a, KeyCode::Char('E'));
    assert!(status(&a).contains("extension-request"), "{}", status(&a));
    // The approval owner finds the request in their queue and approves it with `a`;
    // the expiry moves once every approval is given, and the item leaves the radar.
    let owner = after.fields.approver.clone();
    let mut theirs = accessdesk::tui::App::new(
        open(&fx.path, someone(&owner)),
        accessdesk::tui::Theme::ansi16(),
    )
    .expect("the owner's app");
    theirs.update(Msg::Resize(80, 24));
    press(&mut theirs, KeyCode::Char('2'));
    assert!(theirs.queue_ids().contains(&id), "{:?}", theirs.queue_ids());
    while theirs.selected_id().as_deref() != Some(id.as_str()) {
        press(&mut theirs, KeyCode::Down);
    }
    let queue = screen(&render(&mut theirs, 80, 24));
    assert!(queue.contains("extension to 2026-06"), "{queue}");
    press(&mut theirs, KeyCode::Char('a'));
    assert!(
        status(&theirs).contains("Approved the extension"),
        "{}",
        status(&theirs)
    );
    let mut done = store.item(&id).expect("item");
    if done.extension.is_some() {
        let sec = open(&fx.path, tester())
            .people()
            .expect("people")
            .into_iter()
            .find(|p| {
                p.has(accessdesk::domain::Role::Security) && p.login != owner && p.login != "tester"
            })
            .expect("a second security person");
        done = open(&fx.path, someone(&sec.login))
            .act(&id, &Action::Approve { conditions: None }, None)
            .expect("security approval");
    }
    assert_eq!(done.fields.expires, NaiveDate::from_ymd_opt(2026, 6, 30));
    a.update(Msg::Reload);
    assert!(!a.expiring_ids().contains(&id), "{:?}", a.expiring_ids());
}
