//! The replay of routing: delegation, structured terms, who granted (absent from
//! grants logged before schema 7) and people deactivated.

use super::*;

#[test]
fn a_grant_logged_before_schema_7_names_nobody_and_new_kinds_replay() {
    let mut log = Log::new();
    let at = "2026-11-01T09:00:00.000000Z";
    log.event(
        at,
        "carol",
        Some("ACME-1"),
        "item-add",
        &json!({"to": "needed", "fields": fields()}),
    );
    log.event(
        at,
        "carol",
        Some("ACME-1"),
        "submit",
        &json!({"from": "needed", "to": "requested"}),
    );
    log.event(at, "alice", Some("ACME-1"), "delegate", &json!({"capacity": "owner", "from": "alice", "delegate": "ines", "reason": "away", "round": 0}));
    log.event(at, "ines", Some("ACME-1"), "approve", &json!({"capacity": "owner", "from": "requested", "to": "approved", "terms": {"mfa": true}}));
    // As a version before schema 7 wrote it: no `granted_by`.
    log.event(
        at,
        "pat",
        Some("ACME-1"),
        "grant",
        &json!({"method": "vault", "from": "approved", "to": "granted"}),
    );
    let it = replayed(&log, "ACME-1");
    assert_eq!(it.routing.granted_by, None);
    assert_eq!(it.routing.delegates.len(), 1);
    assert_eq!(it.approvals[0].terms.as_deref(), Some(r#"{"mfa":true}"#));
    log.event(
        at,
        "carol",
        None,
        "person",
        &json!({"login": "ines", "name": "Ines", "roles": ["approver"]}),
    );
    log.event(
        at,
        "carol",
        None,
        "person-deactivate",
        &json!({"login": "ines"}),
    );
    assert!(!log.facts.people["ines"].active);
    assert!(log.facts.problems.is_empty(), "{:?}", log.facts.problems);
}
