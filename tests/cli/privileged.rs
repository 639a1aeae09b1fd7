//! Privileged access is never approved by its approval owner alone: a security person
//! (someone else) must approve too. Standard access needs only the approval owner.

use crate::common::*;

#[test]
fn privileged_item_needs_a_security_approval_after_the_owners() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    // Flagged by its role alone, not by --privileged.
    let id = db.add(&NewItem::new().set("--role", "Workspace Administrator"));
    assert!(
        db.show(&id)["flags"]
            .as_array()
            .is_some_and(|f| f.contains(&"privileged".into())),
        "the role should flag the item privileged"
    );
    db.run(&["item", "submit", &id]).ok();

    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    let v = db.show(&id);
    assert_eq!(
        v["state"], "requested",
        "the approval owner alone approved privileged access"
    );
    let history = v["history"].as_array().expect("history");
    let approve = history.last().expect("the approve event");
    assert_eq!(approve["kind"], "approve");
    assert_eq!(approve["payload"]["capacity"], "owner");
    assert_eq!(
        approve["payload"]["still_needed"],
        serde_json::json!(["security"])
    );

    db.run_as(&acc.security, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");
    assert_eq!(
        db.approvals_in_force(&id),
        [
            (APPROVER.to_string(), "owner".to_string()),
            (SECURITY.to_string(), "security".to_string())
        ]
    );

    // The security approval of privileged access is what the report counts as a review.
    let report = db.run(&["report", "--json"]).ok().json();
    assert_eq!(report["projects"][0]["privileged_reviews"], 1);
    assert_eq!(report["overall"]["privileged_reviews"], 1);
}

#[test]
fn security_alone_cannot_approve_privileged_access_either() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new().switch("--privileged"));
    db.run(&["item", "submit", &id]).ok();
    // Order does not matter: the security review first still waits for the owner.
    db.run_as(&acc.security, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "requested");
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");
}

#[test]
fn standard_item_is_approved_by_its_approval_owner_alone() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    assert_eq!(db.show(&id)["flags"], serde_json::json!([]));
    db.run(&["item", "submit", &id]).ok();
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");
    assert_eq!(
        db.approvals_in_force(&id),
        [(APPROVER.to_string(), "owner".to_string())]
    );
    // And a security person has no say on a standard item.
    let other = db.add(&NewItem::new().set("--system", "Billing"));
    db.run(&["item", "submit", &other]).ok();
    let before = db.snapshot();
    db.run_as(&acc.security, &["item", "approve", &other])
        .refused("role-required");
    before.assert_same(&db.snapshot(), "security approving a standard item");
}
