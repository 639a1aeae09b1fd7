//! The replay of what ends access: unsafe attempts (old ones change nothing),
//! rotations, a project reopened and its start moved.

use super::*;

#[test]
fn unsafe_attempts_from_before_the_rotation_mark_change_no_table() {
    let at = "2026-11-02T09:00:00.000000Z";
    let mut log = Log::with_item(at, json!({"system": "CRM"}));
    let before = replayed(&log, "ACME-1");
    // As recorded before schema 8: counted, the item untouched.
    let old = json!({"channel": "email", "note": "mailed", "field": "channel", "detector": "reported-email"});
    log.event(at, "pat", Some("ACME-1"), "unsafe-attempt", &old);
    assert_eq!(replayed(&log, "ACME-1"), before);
    // A typed credential refused, with its rotation-free payload: nothing either.
    log.event(
        at,
        "pat",
        Some("ACME-1"),
        "unsafe-attempt",
        &json!({"field": "note", "detector": "password"}),
    );
    assert_eq!(replayed(&log, "ACME-1"), before);
    let marked = json!({"channel": "chat", "note": "pasted", "field": "channel", "detector": "reported-chat", "rotation": "due"});
    log.event(
        "2026-11-02T10:00:00.000000Z",
        "pat",
        Some("ACME-1"),
        "unsafe-attempt",
        &marked,
    );
    let after = replayed(&log, "ACME-1");
    assert_eq!(after.rotation.as_deref(), Some("due"));
    assert_eq!(after.version, before.version + 1);
    log.event(
        "2026-11-02T11:00:00.000000Z",
        "pat",
        Some("ACME-1"),
        "rotated",
        &json!({"note": "rotated"}),
    );
    assert_eq!(replayed(&log, "ACME-1").rotation.as_deref(), Some("done"));
    assert!(log.facts.problems.is_empty(), "{:?}", log.facts.problems);
}

#[test]
fn project_reopen_and_edit_replay_to_the_row() {
    let mut log = Log::new();
    log.event(
        "2026-11-02T09:00:00.000000Z",
        "carol",
        None,
        "project-close",
        &json!({"live_access": 0}),
    );
    log.event(
        "2026-11-02T09:05:00.000000Z",
        "carol",
        None,
        "project-reopen",
        &json!({}),
    );
    log.event(
        "2026-11-02T09:10:00.000000Z",
        "carol",
        None,
        "project-edit",
        &json!({"fields": {"start": ["2026-12-01", "2027-01-10"]}, "frozen_start": "2026-12-01"}),
    );
    let p = &log.facts.projects["ACME"];
    assert_eq!(p.closed_at, None);
    assert_eq!(p.start_date, "2027-01-10");
    assert_eq!(p.frozen_start.as_deref(), Some("2026-12-01"));
    assert!(log.facts.problems.is_empty(), "{:?}", log.facts.problems);
}
