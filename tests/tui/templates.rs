//! Templates in the full-screen app: `P` makes a new project from a shipped template
//! (snapshot at 80x24 with the item count), applies a template to the project in
//! view, and shows the project's check against its templates.

use crate::common::tui::*;
use accessdesk::domain::machine::Action;
use accessdesk::tui::StatusKind;
use crossterm::event::KeyCode;

fn screen_of(a: &mut accessdesk::tui::App) -> String {
    screen(&render(a, 80, 24))
}

/// `P`, then the `n`-th action (0 close/reopen, 1 start, 2 new, 3 apply, 4 check).
fn project_action(a: &mut accessdesk::tui::App, n: usize) {
    press(a, KeyCode::Char('P'));
    assert!(a.form().is_some(), "{}", status(a));
    for _ in 0..n + 1 {
        press(a, KeyCode::Right);
    }
}

#[test]
fn p_makes_a_new_project_from_a_template_with_all_its_items() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    select_in_tracker(&mut a, "HARBOR-2");
    project_action(&mut a, 2);
    press(&mut a, KeyCode::Enter);
    let form = a.form().expect("the new project form");
    assert_eq!(form.title, "New project from a template");
    // The template chosen first is the first by name: analytics-setup.
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "NEWCO");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "Newco analytics");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "Newco Ltd");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "2026-04-01");
    let filled = screen_of(&mut a);
    assert!(
        filled.contains("analytics-setup (Analytics setup, 5 items)"),
        "{filled}"
    );
    insta::assert_snapshot!("template_new_project_form_80x24", filled);
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    assert!(status(&a).contains("5 items in needed"), "{}", status(&a));
    // The tracker now shows the new project: its five items, each blocking.
    let ids = a.tracker_ids();
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert!(ids.iter().all(|i| i.starts_with("NEWCO-")), "{ids:?}");
    let text = screen_of(&mut a);
    assert!(text.contains("5 items"), "{text}");
    assert!(text.contains("NEWCO"), "{text}");
    insta::assert_snapshot!("template_new_project_80x24", text);
    let store = open(&fx.path, tester());
    let items = store.project_check("NEWCO").expect("check");
    assert_eq!(items.templates, ["analytics-setup"]);
    assert!(items.gaps.is_empty());
    // The role the project's template gives a system, matched as the catalogue does.
    let role = |system: &str| store.template_role("newco", system).expect("template role");
    assert_eq!(
        role("google analytics 4 (Newco property)").as_deref(),
        Some("Editor")
    );
    assert_eq!(role("Looker Studio").as_deref(), Some("Viewer"));
    assert_eq!(role("Stripe"), None);
    assert_eq!(
        store
            .template_role("HARBOR", "Google Analytics 4")
            .expect("read"),
        None
    );
}

#[test]
fn p_applies_a_template_and_shows_the_project_check() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    select_in_tracker(&mut a, "HARBOR-2");
    // Not made from a template: the check says so.
    project_action(&mut a, 4);
    press(&mut a, KeyCode::Enter);
    assert!(screen_of(&mut a).contains("was not made from a template"));
    press(&mut a, KeyCode::Esc);
    assert!(a.form().is_none());
    // Apply billing-integration (the second template by name) to HARBOR.
    project_action(&mut a, 3);
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Tab);
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    assert!(
        status(&a).contains("Applied template billing-integration to HARBOR"),
        "{}",
        status(&a)
    );
    // One of its items cancelled: the check names it.
    let mut store = open(&fx.path, tester());
    let added = store
        .list_items(&accessdesk::store::ItemFilter::default())
        .expect("items")
        .into_iter()
        .filter(|v| v.item.project == "HARBOR" && v.item.fields.system == "QuickBooks Online")
        .map(|v| v.item.id())
        .next_back()
        .expect("the added item");
    store
        .act(&added, &Action::Cancel { note: None }, None)
        .expect("cancel");
    select_in_tracker(&mut a, "HARBOR-2");
    project_action(&mut a, 4);
    press(&mut a, KeyCode::Enter);
    let text = screen_of(&mut a);
    assert!(text.contains("Project check HARBOR"), "{text}");
    assert!(text.contains("cancelled without a replacement"), "{text}");
    assert!(text.contains("QuickBooks Online"), "{text}");
}

#[test]
fn p_in_a_file_without_projects_opens_the_new_project_form() {
    let fx = Db::unopened("empty.db");
    {
        let mut s = accessdesk::store::Store::create_as(&fx.path, tester()).expect("create");
        s.set_now(now());
        s.init(None).expect("init");
        let (_, text) = accessdesk::demo::TEMPLATES[2];
        let t = accessdesk::exchange::parse_template(text).expect("shipped template");
        s.import_template(t).expect("import");
    }
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('P'));
    let form = a.form().expect("the new project form");
    assert_eq!(form.title, "New project from a template");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "PAY");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "Payments");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "Acme Inc");
    press(&mut a, KeyCode::Tab);
    type_text(&mut a, "2026-05-01");
    press(&mut a, KeyCode::Enter);
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    assert_eq!(a.tracker_ids().len(), 4, "{:?}", a.tracker_ids());
}
