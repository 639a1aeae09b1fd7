//! The personal configuration on screen: rebound keys (the old key does nothing, the
//! help and footer show the new one), a broken file (defaults, said in the status
//! line), saved views as tabs with counts, and the "my work" view of a role.

use crate::common::tui::*;
use accessdesk::config::{self, Config};
use accessdesk::domain::machine::{self, ActionKind};
use accessdesk::domain::{Flag, State};
use accessdesk::tui::keymap::Ctx;
use accessdesk::tui::{App, StatusKind};
use crossterm::event::KeyCode;

fn configured(text: &str) -> Config {
    config::from_text(text).expect("a valid configuration")
}

fn tester_approved(fx: &Db, id: &str) -> bool {
    open(&fx.path, tester())
        .item(id)
        .expect("item")
        .approvals
        .iter()
        .any(|a| a.login == "tester")
}

/// Approving privileged access asks first; `y` confirms.
fn confirm_if_asked(a: &mut App) {
    if a.context() == Ctx::Confirm {
        press(a, KeyCode::Char('y'));
    }
}

#[test]
fn a_config_that_rebinds_approve_to_capital_a_makes_a_do_nothing() {
    let fx = demo();
    let mut a = app(&fx, 100, 30);
    let problems = a.apply_config(&configured("[keys]\napprove = \"A\"\n"));
    assert!(problems.is_empty(), "{problems:?}");
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("a queue row is selected");
    press(&mut a, KeyCode::Char('a'));
    assert!(
        !tester_approved(&fx, &id),
        "a still approves: {}",
        status(&a)
    );
    assert!(a.form().is_none());
    let shown = screen(&render(&mut a, 100, 30));
    assert!(shown.contains("A approve"), "footer: {shown}");
    assert!(!shown.contains("a approve"), "footer: {shown}");
    press(&mut a, KeyCode::Char('?'));
    let help = screen(&render(&mut a, 100, 30));
    assert!(help.contains("A  approve the selected item"), "{help}");
    assert!(!help.contains("a  approve the selected item"), "{help}");
    press(&mut a, KeyCode::Char('?'));
    press(&mut a, KeyCode::Char('A'));
    confirm_if_asked(&mut a);
    assert!(
        tester_approved(&fx, &id),
        "A does not approve: {}",
        status(&a)
    );
}

#[test]
fn a_conflicting_binding_is_reported_with_its_line_and_not_used() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    let problems = a.apply_config(&configured(
        "mouse = true\n\n[keys.queue]\napprove = \"d\"\n",
    ));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, Some(4));
    assert!(
        status(&a).contains("line 4, key keys.queue.approve"),
        "{}",
        status(&a)
    );
    assert!(status(&a).contains("deny"), "{}", status(&a));
    // Neither binding changed: a approves, d denies (asking for a reason first).
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("selected");
    press(&mut a, KeyCode::Char('a'));
    confirm_if_asked(&mut a);
    assert!(tester_approved(&fx, &id), "{}", status(&a));
}

#[test]
fn a_broken_config_starts_with_the_defaults_and_says_so() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "mouse = true\ntheme = \"purple\"\n[keys]\napprove = \"A\"\n",
    )
    .expect("write");
    let cfg = config::load(Some(&path));
    assert_eq!(cfg.problems.len(), 1, "{:?}", cfg.problems);
    assert!(!cfg.mouse.value, "a broken file sets nothing");
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    a.apply_config(&cfg);
    assert_eq!(a.status().map(|s| s.kind), Some(StatusKind::Refused));
    let shown = screen(&render(&mut a, 80, 24));
    assert!(shown.contains("line 2, key theme"), "{shown}");
    assert!(shown.contains("started with the defaults"), "{shown}");
    // The default keys work.
    press(&mut a, KeyCode::Char('2'));
    let id = a.selected_id().expect("selected");
    press(&mut a, KeyCode::Char('a'));
    confirm_if_asked(&mut a);
    assert!(tester_approved(&fx, &id), "{}", status(&a));
}

#[test]
fn a_saved_view_shows_its_items_with_their_count() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    a.apply_config(&configured(
        "[[views]]\nname = \"ACME privileged requests\"\nproject = \"ACME\"\nstate = [\"requested\"]\nflags = [\"privileged\"]\n",
    ));
    // Worked out from the data on its own.
    let store = open(&fx.path, tester());
    let mut want: Vec<String> = store
        .list_items(&Default::default())
        .expect("items")
        .into_iter()
        .filter(|v| {
            v.item.project == "ACME"
                && v.item.state == State::Requested
                && v.item.flags().contains(&Flag::Privileged)
        })
        .map(|v| v.item.id())
        .collect();
    want.sort();
    assert_eq!(want, ["ACME-4", "ACME-6"]);
    let views = a.saved_views();
    assert_eq!(views[0], ("ACME privileged requests".to_string(), 2));
    let shown = screen(&render(&mut a, 80, 24));
    assert!(shown.contains("ACME privileged requests 2"), "{shown}");
    press(&mut a, KeyCode::Char(']'));
    assert_eq!(a.tracker_ids(), want);
    // Past the last view: every item again.
    let all = views.len() + 1;
    for _ in 1..all {
        press(&mut a, KeyCode::Char(']'));
    }
    assert!(a.tracker_ids().len() > 2);
}

#[test]
fn the_default_views_are_shown_with_counts() {
    let fx = demo();
    let mut a = app(&fx, 140, 40);
    a.apply_config(&Config::default());
    let names: Vec<String> = a.saved_views().into_iter().map(|v| v.0).collect();
    assert_eq!(
        names[..4],
        [
            "My decisions",
            "Privileged waiting",
            "Expiring in 14 days",
            "Blocked > 3 days"
        ]
    );
    // "My decisions" is the approval queue.
    assert_eq!(a.saved_views()[0].1, a.queue_ids().len());
    // Tester is coordinator and security: their two "my work" views follow.
    assert_eq!(names.len(), 6, "{names:?}");
}

#[test]
fn the_support_my_work_view_lists_exactly_what_they_may_grant_verify_or_revoke() {
    let fx = demo();
    let mut a = App::new(
        open(&fx.path, someone("hugo")),
        accessdesk::tui::Theme::mono(),
    )
    .expect("app");
    a.set_time_zone(chrono_tz::Tz::UTC);
    a.update(accessdesk::tui::Msg::Resize(80, 24));
    a.apply_config(&Config::default());
    let store = open(&fx.path, someone("hugo"));
    let me = store.my_person().expect("hugo").expect("registered");
    let projects = store.projects().expect("projects");
    let mut want: Vec<String> = store
        .list_items(&Default::default())
        .expect("items")
        .into_iter()
        .filter(|v| {
            let p = projects
                .iter()
                .find(|p| p.key == v.item.project)
                .expect("project");
            [ActionKind::Grant, ActionKind::Verify, ActionKind::Revoke]
                .iter()
                .any(|k| machine::guard(&v.item, p, *k, Some(&me), "hugo").is_ok())
        })
        .map(|v| v.item.id())
        .collect();
    want.sort();
    let (name, count) = a.saved_views().last().cloned().expect("a my-work view");
    assert_eq!(name, "My work: grant, verify, revoke");
    assert_eq!(count, want.len());
    assert_eq!(count, 16, "{want:?}");
    for _ in 0..a.saved_views().len() {
        press(&mut a, KeyCode::Char(']'));
    }
    let mut got = a.tracker_ids();
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn the_security_and_coordinator_my_work_views_list_what_the_domain_says() {
    use accessdesk::domain::{Capacity, extension};
    let fx = demo();
    // A draft of tester's own, which waits on them to submit it.
    let mut store = open(&fx.path, tester());
    let fields = store.item("ACME-6").expect("item").fields;
    let draft = store.add_item("ACME", fields).expect("added");
    let mut a = app(&fx, 80, 24);
    a.apply_config(&Config::default());
    let me = store.my_person().expect("tester").expect("registered");
    let projects = store.projects().expect("projects");
    let project = |key: &str| projects.iter().find(|p| p.key == key).expect("project");
    let items = store.list_items(&Default::default()).expect("items");
    let ids = |keep: &dyn Fn(&accessdesk::domain::Item) -> bool| {
        let mut ids: Vec<String> = items
            .iter()
            .filter(|v| keep(&v.item))
            .map(|v| v.item.id())
            .collect();
        ids.sort();
        ids
    };
    // Flagged decisions: waiting on tester's decision as security.
    let security = ids(&|it| {
        extension::awaits_decision(it)
            && extension::open_decision(it, &me).ok() == Some(Capacity::Security)
            && machine::guard(
                it,
                project(&it.project),
                ActionKind::Approve,
                Some(&me),
                "tester",
            )
            .is_ok()
    });
    // Drafts and returns: needed items of an open project tester asked for or
    // coordinates.
    let coordinator = ids(&|it| {
        let p = project(&it.project);
        it.state == State::Needed
            && p.closed_at.is_none()
            && (it.requester == "tester" || p.coordinator == "tester")
    });
    assert!(!security.is_empty(), "{items:?}");
    assert!(coordinator.contains(&draft.id()), "{coordinator:?}");
    let views = a.saved_views();
    for (name, want) in [
        ("My work: flagged decisions", &security),
        ("My work: drafts and returns", &coordinator),
    ] {
        let at = views.iter().position(|v| v.0 == name).expect(name);
        assert_eq!(views[at].1, want.len(), "{name}");
        // Shown with `]` (past the last view comes every item, then the first
        // again): the tracker lists exactly them.
        for _ in 0..=views.len() {
            if screen(&render(&mut a, 80, 24)).contains(name) {
                break;
            }
            press(&mut a, KeyCode::Char(']'));
        }
        assert!(screen(&render(&mut a, 80, 24)).contains(name), "{name}");
        let mut got = a.tracker_ids();
        got.sort();
        assert_eq!(&got, want, "{name}");
    }
    // The queue pane's own filter narrows that pane only: with it matching nothing,
    // the flagged decisions are still counted and listed.
    press(&mut a, KeyCode::Char('2'));
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "matches-no-item");
    press(&mut a, KeyCode::Enter);
    assert!(a.queue_ids().is_empty(), "{:?}", a.queue_ids());
    press(&mut a, KeyCode::Char('1'));
    let name = "My work: flagged decisions";
    for _ in 0..=views.len() {
        press(&mut a, KeyCode::Char(']'));
        if screen(&render(&mut a, 80, 24)).contains(name) {
            break;
        }
    }
    assert!(screen(&render(&mut a, 80, 24)).contains(name));
    let counted = a.saved_views();
    let at = counted.iter().position(|v| v.0 == name).expect(name);
    assert_eq!(counted[at].1, security.len());
    let mut got = a.tracker_ids();
    got.sort();
    assert_eq!(got, security);
}

#[test]
fn v_saves_the_filter_as_a_view_keeping_the_files_comments() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "# mine\ntheme = \"16\" # colours\n").expect("write");
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    a.apply_config(&config::load(Some(&path)));
    press(&mut a, KeyCode::Char('/'));
    type_text(&mut a, "stripe");
    press(&mut a, KeyCode::Enter);
    let want = a.tracker_ids();
    press(&mut a, KeyCode::Char('V'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    assert_eq!(a.tracker_ids(), want);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.starts_with("# mine\ntheme = \"16\" # colours\n"),
        "{text}"
    );
    let cfg = config::load(Some(&path));
    assert!(cfg.problems.is_empty(), "{:?}", cfg.problems);
    let names: Vec<&str> = cfg.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "My decisions",
            "Privileged waiting",
            "Expiring in 14 days",
            "Blocked > 3 days",
            "stripe"
        ]
    );
    // Z removes the view shown.
    press(&mut a, KeyCode::Char('Z'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    let cfg = config::load(Some(&path));
    assert_eq!(cfg.views.len(), 4);
}
