//! Risk routing, delegation, fulfilment by two people and people who leave, through
//! the binary: a privileged client-owned item needs three different approvals, a
//! decision is never handed to someone party to the item, whoever granted does not
//! verify, a deactivated approver's pending decision blocks until it is handed on,
//! and `audit verify` vouches for the tables after all of it.

use crate::common::*;

fn codes(db: &Db, id: &str) -> String {
    db.show(id)["blocker_reason_codes"].to_string()
}

#[test]
fn a_privileged_client_owned_item_needs_three_different_approvals() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let spec = NewItem::new()
        .set("--role", "Admin")
        .switch("--privileged")
        .switch("--client-owned");
    let id = db.requested(&spec);
    let shown = db.show(&id);
    assert_eq!(
        shown["missing_approvals"],
        serde_json::json!(["owner", "security", "security"]),
        "{shown}"
    );
    let may: Vec<String> = serde_json::from_value(shown["may_decide"].clone()).unwrap();
    assert!(may.contains(&APPROVER.to_string()), "{may:?}");
    assert!(may.contains(&SECURITY.to_string()), "{may:?}");
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    db.run_as(&acc.security, &["item", "approve", &id]).ok();
    let shown = db.show(&id);
    assert_eq!(shown["state"], "requested", "{shown}");
    assert_eq!(shown["missing_approvals"], serde_json::json!(["security"]));
    // The same security person cannot give the second security approval.
    db.run_as(&acc.security, &["item", "approve", &id])
        .refused("separate-approvers");
    db.run_as(&acc.dual, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");
    assert_eq!(db.approvals_in_force(&id).len(), 3);
    db.run(&["audit", "verify"]).ok();
}

#[test]
fn with_one_security_reviewer_the_second_review_blocks() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    // The dual person is the approval owner: only one other security person is left.
    let spec = NewItem::new()
        .set("--approver", DUAL)
        .switch("--privileged")
        .switch("--shared-credential");
    let id = db.requested(&spec);
    assert!(codes(&db, &id).contains("second-security-needed"));
    assert!(
        db.show(&id)["blocker_reasons"]
            .to_string()
            .contains("needs a second security reviewer")
    );
    let _ = acc;
}

#[test]
fn delegation_hands_a_decision_on_but_never_to_the_requester() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new());
    let me = db.me();
    let before = db.snapshot();
    db.run_as(
        &acc.approver,
        &["item", "delegate", &id, "--to", &me, "--reason", "away"],
    )
    .refused("no-self-approval");
    before.assert_same(&db.snapshot(), "delegation to the requester");
    // Someone who holds no decision cannot hand it on.
    db.run_as(
        &acc.security,
        &["item", "delegate", &id, "--to", DUAL, "--reason", "away"],
    )
    .refused("delegation");
    let out = db
        .run_as(
            &acc.approver,
            &[
                "item", "delegate", &id, "--to", DUAL, "--reason", "on leave",
            ],
        )
        .ok();
    assert!(out.stdout.contains(DUAL), "{out:?}");
    let shown = db.show(&id);
    assert_eq!(shown["approver"], APPROVER, "the approval owner stays");
    assert_eq!(shown["may_decide"], serde_json::json!([DUAL]), "{shown}");
    db.run_as(&acc.approver, &["item", "approve", &id])
        .refused("role-required");
    db.run_as(&acc.dual, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");
    let history = db.run(&["item", "show", &id]).ok().stdout;
    assert!(
        history.contains(&format!("handed from {APPROVER} to {DUAL}")),
        "{history}"
    );
    let report = db.run(&["report", "--json"]).ok().json();
    assert_eq!(report["overall"]["delegations"], 1, "{report}");
    db.run(&["audit", "verify"]).ok();
}

#[test]
fn the_granter_cannot_verify() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new());
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    db.run(&["item", "grant", &id]).ok();
    assert_eq!(db.show(&id)["granted_by"], db.me());
    db.run(&["item", "verify", &id, "--note", "checked"])
        .refused("separate-fulfilment");
    // A reference is scanned for secrets like any other text.
    db.run_as(
        &acc.security,
        &[
            "item",
            "verify",
            &id,
            "--note",
            "checked",
            "--reference",
            "password=hunter2hunter2",
        ],
    )
    .refused("no-credentials-in-text");
    db.run_as(
        &acc.security,
        &[
            "item",
            "verify",
            &id,
            "--note",
            "checked scope with the owner",
            "--reference",
            "TICKET-42",
        ],
    )
    .ok();
    let shown = db.show(&id);
    assert_eq!(shown["state"], "verified");
    assert_eq!(shown["reference"], "TICKET-42");
    db.run(&["audit", "verify"]).ok();
}

#[test]
fn a_deactivated_approvers_pending_decision_blocks_until_reassigned() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new());
    // Access they hold, granted: the deactivation lists it.
    let held = db.requested(
        &NewItem::new()
            .set("--approver", DUAL)
            .set("--holder", APPROVER),
    );
    db.run_as(&acc.dual, &["item", "approve", &held]).ok();
    db.run(&["item", "grant", &held]).ok();
    // Approved by them as approval owner, waiting for security: nothing of theirs to
    // reassign, in the item's blockers as in the report (which reads the approvals
    // given on requested items apart from the items).
    let decided = db.requested(&NewItem::new().switch("--privileged"));
    db.run_as(&acc.approver, &["item", "approve", &decided])
        .ok();
    assert_eq!(db.state(&decided), "requested");
    let out = db.run(&["people", "deactivate", APPROVER]).ok();
    assert!(out.stdout.contains(&id), "{out:?}");
    assert!(out.stdout.contains(&held), "{out:?}");
    assert!(codes(&db, &id).contains("reassign"), "{}", db.show(&id));
    assert!(
        !codes(&db, &decided).contains("reassign"),
        "{}",
        db.show(&decided)
    );
    let report = db.run(&["report", "--json"]).ok().json();
    assert_eq!(
        report["overall"]["blockers_by_reason"]["reassign"], 1,
        "{report}"
    );
    // They can no longer act.
    db.run_as(&acc.approver, &["item", "approve", &id])
        .refused("active-person");
    let people = db.run(&["people", "list", "--json"]).ok().json();
    let row = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["login"] == APPROVER)
        .unwrap();
    assert_eq!(row["active"], false);
    // The last active admin stays.
    let me = db.me();
    db.run(&["people", "deactivate", &me])
        .refused("role-required");
    // A coordinator reassigns the decision; the history keeps the name.
    db.run(&["item", "delegate", &id, "--to", DUAL, "--reason", "left"])
        .ok();
    assert!(!codes(&db, &id).contains("reassign"));
    db.run_as(&acc.dual, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");
    assert_eq!(db.show(&id)["approver"], APPROVER);
    // Registered again, they are active (and refused only for want of a role).
    db.run(&["people", "add", APPROVER, "--role", "approver"])
        .ok();
    db.run_as(&acc.approver, &["item", "note", &held, "--note", "back"])
        .refused("role-required");
    let id2 = db.requested(&NewItem::new());
    db.run_as(&acc.approver, &["item", "approve", &id2]).ok();
    db.run(&["audit", "verify"]).ok();
}

#[test]
fn structured_conditions_shorten_the_access_and_travel_with_the_item() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new());
    db.run_as(
        &acc.approver,
        &[
            "item",
            "approve",
            &id,
            "--conditions",
            "review at go-live",
            "--expires-by",
            "2099-06-30",
            "--mfa",
            "--hours",
            "weekdays 08:00-18:00 CET",
        ],
    )
    .ok();
    let shown = db.show(&id);
    // Not a material edit: approved, and the earlier end made it temporary.
    assert_eq!(shown["state"], "approved", "{shown}");
    assert_eq!(shown["temporary"], true);
    assert_eq!(shown["expires"], "2099-06-30");
    assert_eq!(shown["deprovision"], "on-date");
    assert_eq!(shown["approvals"][0]["conditions"], "review at go-live");
    assert_eq!(shown["approvals"][0]["condition_fields"]["mfa"], true);
    assert_eq!(shown["condition_fields"]["expires_by"], "2099-06-30");
    assert_eq!(shown["condition_fields"]["read_only_first"], false);
    let instruction = shown["collection_instruction"].as_str().unwrap();
    assert!(instruction.contains("MFA required"), "{instruction}");
    assert!(instruction.contains("review at go-live"), "{instruction}");
    // Said at grant.
    let out = db.run(&["item", "grant", &id]).ok();
    assert!(out.stdout.contains("conditions to apply"), "{out:?}");
    assert!(out.stdout.contains("only during weekdays"), "{out:?}");
    // In the CSV export, as a column import ignores.
    let csv = db.run(&["export", "--format", "csv"]).ok().stdout;
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with("conditions,reference,justification"),
        "{header}"
    );
    assert!(csv.contains("MFA required"), "{csv}");
    let file = db.home().join("export.csv");
    std::fs::write(&file, &csv).unwrap();
    db.run(&["import", file.to_str().unwrap(), "--project", "ACME"])
        .ok();
    // A past end date is refused.
    let other = db.requested(&NewItem::new());
    db.run_as(
        &acc.approver,
        &["item", "approve", &other, "--expires-by", "2001-01-01"],
    )
    .refused("valid-value");
    db.run(&["audit", "verify"]).ok();
}

#[test]
fn a_history_with_every_routing_action_replays() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    db.run(&["people", "add", OUTSIDER, "--role", "security"])
        .ok();
    let spec = NewItem::new()
        .set("--role", "Admin")
        .switch("--privileged")
        .switch("--shared-credential");
    let id = db.requested(&spec);
    // The owner's decision and a security decision are handed on.
    db.run_as(
        &acc.approver,
        &[
            "item", "delegate", &id, "--to", DUAL, "--reason", "on leave",
        ],
    )
    .ok();
    db.run_as(
        &acc.security,
        &[
            "item", "delegate", &id, "--to", OUTSIDER, "--reason", "busy",
        ],
    )
    .ok();
    db.run_as(&acc.dual, &["item", "approve", &id, "--read-only-first"])
        .ok();
    // The one it was handed to leaves: it blocks until reassigned.
    db.run(&["people", "deactivate", OUTSIDER]).ok();
    assert!(codes(&db, &id).contains("reassign"), "{}", db.show(&id));
    db.run(&[
        "item", "delegate", &id, "--to", SECURITY, "--reason", "left",
    ])
    .ok();
    db.run_as(&acc.security, &["item", "approve", &id]).ok();
    // With them gone, nobody is left for the second security review.
    assert!(codes(&db, &id).contains("second-security-needed"));
    db.run(&["people", "add", OUTSIDER, "--role", "security"])
        .ok();
    db.run_as(&acc.outsider, &["item", "approve", &id, "--mfa"])
        .ok();
    assert_eq!(db.state(&id), "approved");
    db.run(&["item", "grant", &id]).ok();
    db.run_as(
        &acc.security,
        &[
            "item",
            "verify",
            &id,
            "--note",
            "checked",
            "--reference",
            "vault:/acme/crm",
        ],
    )
    .ok();
    let report = db.run(&["report", "--json"]).ok().json();
    assert_eq!(report["overall"]["delegations"], 3, "{report}");
    db.run(&["audit", "verify"]).ok();
}
