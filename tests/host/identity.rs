//! The acting person is the OS account of the process (uid → passwd login), never an
//! environment variable: `USER=alice LOGNAME=alice` changes nothing about who acts.

use crate::common::*;

/// What a process would claim if identity came from the environment.
const CLAIM: [(&str, &str); 3] = [
    ("USER", "alice"),
    ("LOGNAME", "alice"),
    ("SUDO_USER", "alice"),
];

#[test]
fn user_and_logname_variables_do_not_change_who_acts() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    // alice is a registered coordinator: if the variables counted, the claims below would
    // give the outsider her rights.
    db.run(&["people", "add", "alice", "--role", "coordinator,security"])
        .ok();
    let me = db.me();

    // The account running the tests adds an item while claiming to be alice.
    let out = db.run_with(None, &CLAIM, &NewItem::new().args("ACME"));
    let out = out.ok();
    assert!(out.stdout.contains("ACME-1"), "{}", out.stdout);
    let add = &db.show("ACME-1")["history"][0];
    assert_eq!(add["kind"], "item-add");
    assert_eq!(add["login"], me.as_str(), "the requester is the OS account");
    let requester: String = db
        .ro()
        .query_row("SELECT requester FROM items WHERE number = 1", [], |r| {
            r.get(0)
        })
        .expect("requester");
    assert_eq!(requester, me);

    db.run(&["item", "submit", "ACME-1"]).ok();

    // The approval owner approves while claiming to be alice: recorded as itself.
    db.run_with(Some(&acc.approver), &CLAIM, &["item", "approve", "ACME-1"])
        .ok();
    let history = db.show("ACME-1")["history"].clone();
    let approve = history
        .as_array()
        .and_then(|h| h.iter().find(|e| e["kind"] == "approve"))
        .expect("an approve event")
        .clone();
    assert_eq!(approve["login"], APPROVER);
    assert_eq!(approve["uid"], acc.approver.uid);
    assert_eq!(
        db.approvals_in_force("ACME-1"),
        [(APPROVER.to_string(), "owner".to_string())]
    );

    // An unregistered account gains nothing by claiming to be alice.
    let before = db.snapshot();
    let out = db
        .run_with(
            Some(&acc.outsider),
            &CLAIM,
            &["item", "note", "ACME-1", "--note", "hello"],
        )
        .refused("registered-person");
    assert!(out.stderr.contains(OUTSIDER), "{}", out.stderr);
    before.assert_same(&db.snapshot(), "outsider claiming to be alice");
}
