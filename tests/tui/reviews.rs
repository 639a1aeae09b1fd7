//! Pane 7, access reviews: key sequences that start a review of the project in view,
//! certify, decide a revocation and certify the standard rest, checked through a
//! second handle on the file; the keys offered in the footer and help; and the pane at
//! 80x24 as a snapshot.

use crate::common::tui::*;
use accessdesk::domain::review::{CampaignState, Decision};
use accessdesk::tui::keymap::Ctx;
use accessdesk::tui::{App, Pane, StatusKind};
use crossterm::event::KeyCode;

fn status(a: &App) -> String {
    a.status().map(|s| s.text.clone()).unwrap_or_default()
}

fn decisions(fx: &Db) -> Vec<(String, Option<Decision>)> {
    open(&fx.path, someone("carol"))
        .campaign_entries(1)
        .expect("entries")
        .into_iter()
        .map(|e| (e.item, e.decision))
        .collect()
}

/// Pane 7 on ACME with its review started from the keyboard.
fn started(fx: &Db, w: u16, h: u16) -> App {
    let mut a = app(fx, w, h);
    press(&mut a, KeyCode::Char('7'));
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Enter);
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(a.context(), Ctx::Confirm, "{}", status(&a));
    press(&mut a, KeyCode::Char('y'));
    assert_eq!(
        a.status().map(|s| s.kind),
        Some(StatusKind::Done),
        "{}",
        status(&a)
    );
    a
}

#[test]
fn pane_7_starts_a_review_certifies_revokes_and_certifies_the_standard_rest() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    press(&mut a, KeyCode::Char('7'));
    assert_eq!(a.pane(), Pane::Reviews);
    assert_eq!(a.context(), Ctx::Reviews);
    let text = screen(&render(&mut a, 80, 24));
    assert!(text.contains("No access reviews yet"), "{text}");
    // All projects in view: no review to start, so `n` is not offered and does nothing.
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(a.context(), Ctx::Reviews);
    drop(a);

    let mut a = started(&fx, 80, 24);
    assert!(
        status(&a).starts_with("Started access review 1 of ACME: 3 live accesses"),
        "{}",
        status(&a)
    );
    let c = open(&fx.path, someone("carol"))
        .campaign(1)
        .expect("review 1");
    assert_eq!(c.progress.items, 3);
    assert_eq!(c.due.map(|d| d.to_string()).as_deref(), Some("2026-03-18"));
    let footer = screen(&render(&mut a, 80, 24));
    for key in ["c certify", "x revoke", "A certify standard"] {
        assert!(footer.contains(key), "{key} not in the footer:\n{footer}");
    }
    // A second review of ACME is not offered while this one is open.
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(a.context(), Ctx::Reviews);

    press(&mut a, KeyCode::Char('c'));
    assert!(
        status(&a).contains("certified in review 1"),
        "{}",
        status(&a)
    );
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('x'));
    assert_eq!(a.context(), Ctx::Confirm);
    // Anything but `y` cancels: nothing decided.
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(decisions(&fx)[1].1, None);
    press(&mut a, KeyCode::Char('x'));
    press(&mut a, KeyCode::Char('y'));
    assert!(status(&a).contains("revocation-due"), "{}", status(&a));
    let d = decisions(&fx);
    assert_eq!(d[0].1, Some(Decision::Certify), "{d:?}");
    assert_eq!(d[1].1, Some(Decision::Revoke), "{d:?}");
    let revoked = &d[1].0;
    let reasons: Vec<&str> = open(&fx.path, tester())
        .item_view(revoked)
        .expect("item")
        .reasons
        .iter()
        .map(|r| r.code())
        .collect();
    assert!(reasons.contains(&"revocation-due"), "{reasons:?}");
    // The tracker sees it blocking too.
    assert!(a.store().item_view(revoked).expect("item").blocking());

    press(&mut a, KeyCode::Char('A'));
    assert_eq!(a.context(), Ctx::Confirm);
    press(&mut a, KeyCode::Char('y'));
    assert!(
        status(&a).starts_with("Certified 1 standard"),
        "{}",
        status(&a)
    );
    let c = open(&fx.path, someone("carol"))
        .campaign(1)
        .expect("review 1");
    assert_eq!(c.state, CampaignState::Completed);
    assert_eq!((c.progress.certified, c.progress.revoked), (2, 1));
    // Nothing left to decide: the keys are no longer offered.
    let text = screen(&render(&mut a, 80, 24));
    assert!(!text.contains("c certify"), "{text}");
}

#[test]
fn the_help_of_pane_7_lists_its_keys() {
    let fx = demo();
    let mut a = started(&fx, 80, 24);
    press(&mut a, KeyCode::Char('?'));
    assert_eq!(a.context(), Ctx::Help);
    let text = screen(&render(&mut a, 120, 50));
    for words in [
        "certify the selected access",
        "decide the selected access goes",
        "certify every undecided access without a review flag",
        "show the access reviews",
    ] {
        assert!(text.contains(words), "{words} not in help:\n{text}");
    }
    assert!(text.contains("access reviews"), "{text}");
}

#[test]
fn the_tab_line_fits_80_columns_and_7_switches_from_every_pane() {
    let fx = demo();
    let mut a = app(&fx, 80, 24);
    for k in ['1', '2', '3'] {
        press(&mut a, KeyCode::Char(k));
        press(&mut a, KeyCode::Char('7'));
        assert_eq!(a.pane(), Pane::Reviews);
    }
    press(&mut a, KeyCode::Tab);
    assert_eq!(a.pane(), Pane::Tracker, "Tab goes round");
    press(&mut a, KeyCode::BackTab);
    assert_eq!(a.pane(), Pane::Reviews);
    let text = screen(&render(&mut a, 100, 24));
    let tabs = text.lines().nth(2).expect("tab line");
    // Seven panes: the short titles at 80 columns.
    assert!(tabs.contains("7 Rev"), "{tabs}");
    assert!(
        tabs.contains("1 Items") && tabs.contains("4 Dash") && tabs.contains("5 Task"),
        "{tabs}"
    );
    // Narrower still: the pane numbers with their counts, every tab still there.
    let text = screen(&render(&mut a, 60, 24));
    let tabs = text.lines().nth(2).expect("tab line");
    for t in [" 1 39 ", " 2 7 ", " 3 15 ", " 5 11 ", " 6 4 ", " 7 0 "] {
        assert!(tabs.contains(t), "{t} in {tabs}");
    }
}

#[test]
fn pane_7_at_80x24() {
    let fx = demo();
    let mut a = started(&fx, 80, 24);
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('j'));
    let text = screen(&render(&mut a, 80, 24));
    insta::assert_snapshot!("reviews_80x24", text);
}

#[test]
fn a_review_started_by_another_process_shows_and_its_project_says_so() {
    let fx = demo();
    let mut a = app(&fx, 110, 200);
    press(&mut a, KeyCode::Char('7'));
    let mut other = open(&fx.path, someone("carol"));
    other
        .start_review("ACME", None)
        .expect("carol starts a review");
    a.update(accessdesk::tui::Msg::Reload);
    let text = screen(&render(&mut a, 110, 200));
    assert!(text.contains("Review 1 of ACME"), "{text}");
    assert!(text.contains("7 Reviews 1"), "{text}");
    // The items were read again: the instruction mentions the periodic review.
    select_in_tracker(&mut a, "ACME-1");
    press(&mut a, KeyCode::Enter);
    let text = screen(&render(&mut a, 110, 200));
    assert!(text.contains("reviewed periodically"), "{text}");
}
