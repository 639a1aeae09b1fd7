//! Holes in the approval rules, closed: a decision on a version someone else changed
//! meanwhile, a change of purpose or credential owner under an approval, access
//! granted by another method than the one approved, and the logins people are
//! registered under (coordinators, the last admin, names that are no OS account).

use crate::common::*;

fn version(db: &Db, id: &str) -> String {
    db.show(id)["version"].to_string()
}

#[test]
fn a_decision_on_a_stale_version_is_a_conflict() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new());
    let seen = version(&db, &id);
    // Someone adds a note meanwhile: the version moves on.
    db.run(&["item", "note", &id, "--note", "called the client"])
        .ok();
    for args in [
        vec!["item", "approve", &id, "--version", &seen],
        vec![
            "item",
            "deny",
            &id,
            "--reason",
            "too broad",
            "--version",
            &seen,
        ],
        vec![
            "item",
            "return",
            &id,
            "--reason",
            "narrow it",
            "--version",
            &seen,
        ],
    ] {
        let before = db.snapshot();
        let out = db.run_as(&acc.approver, &args).code(4);
        assert!(out.stderr.contains("conflict"), "{out:?}");
        before.assert_same(&db.snapshot(), &format!("{args:?}"));
    }
    let now = version(&db, &id);
    db.run_as(&acc.approver, &["item", "approve", &id, "--version", &now])
        .ok();
    assert_eq!(db.state(&id), "approved");
}

#[test]
fn a_new_purpose_or_credential_owner_makes_approvals_lapse() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    for (flag, value) in [
        ("--purpose", "Export every customer record"),
        ("--credential-owner", "Someone Else (Acme IT)"),
    ] {
        let id = db.requested(&NewItem::new());
        db.run_as(&acc.approver, &["item", "approve", &id]).ok();
        assert_eq!(db.state(&id), "approved");
        let v = version(&db, &id);
        let out = db
            .run(&["item", "edit", &id, "--version", &v, flag, value])
            .ok();
        assert!(out.stdout.contains("approvals lapsed"), "{out:?}");
        assert_eq!(db.state(&id), "needed", "{flag}");
        assert!(db.approvals_in_force(&id).is_empty(), "{flag}");
    }
    // On live access they are no widening: the edit is allowed and nothing lapses.
    let live = db.requested(&NewItem::new());
    db.run_as(&acc.approver, &["item", "approve", &live]).ok();
    db.run(&["item", "grant", &live]).ok();
    let v = version(&db, &live);
    db.run(&[
        "item",
        "edit",
        &live,
        "--version",
        &v,
        "--purpose",
        "Same access, new task",
    ])
    .ok();
    assert_eq!(db.state(&live), "granted");
}

#[test]
fn access_is_granted_by_the_approved_method_only() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new().set("--method", "delegated-account"));
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    let before = db.snapshot();
    db.run(&["item", "grant", &id, "--method", "vault"])
        .refused("approved-method");
    before.assert_same(&db.snapshot(), "grant by another method");
    db.run(&["item", "grant", &id, "--method", "delegated-account"])
        .ok();
    assert_eq!(db.state(&id), "granted");
}

#[test]
fn a_project_coordinator_is_a_registered_manager() {
    let db = Db::new();
    db.team();
    let add = |coordinator: &str| {
        db.run(&[
            "project",
            "add",
            "BETA",
            "--name",
            "Beta",
            "--client",
            "Beta Inc",
            "--start",
            START,
            "--coordinator",
            coordinator,
        ])
    };
    let before = db.snapshot();
    add("nobody_here").refused("valid-value");
    // Registered, but only as approver: not someone who manages projects.
    let out = add(APPROVER).refused("valid-value");
    assert!(out.stderr.contains("--coordinator"), "{out:?}");
    before.assert_same(&db.snapshot(), "refused coordinators");
    add(&db.me()).ok();
}

#[test]
fn logins_that_are_no_os_account_and_the_last_admin_are_refused() {
    let db = Db::new();
    let before = db.snapshot();
    for login in ["uid-5000", ".", "..", "-rf", "9lives"] {
        db.run(&["people", "add", "--role", "approver", "--", login])
            .refused("valid-value");
    }
    // The only admin cannot give up the admin role.
    let out = db
        .run(&["people", "add", &db.me(), "--role", "coordinator"])
        .refused("role-required");
    assert!(out.stderr.contains("only admin"), "{out:?}");
    before.assert_same(&db.snapshot(), "refused people");
    // With a second admin, it can.
    db.run(&["people", "add", APPROVER, "--role", "admin,approver"])
        .ok();
    db.run(&["people", "add", &db.me(), "--role", "coordinator"])
        .ok();
}

#[test]
fn privileged_roles_are_recognised_in_plurals_and_compounds() {
    let db = Db::new();
    db.team();
    let flags = |role: &str| {
        let id = db.add(&NewItem::new().set("--role", role));
        db.show(&id)["flags"].to_string()
    };
    for role in [
        "Domain Admins",
        "Org Owners",
        "Superadmin",
        "sysadmin",
        "Super User",
        "Full Control",
    ] {
        assert!(flags(role).contains("privileged"), "{role}");
    }
    for role in ["Badminton coach", "Administrative assistant"] {
        assert!(!flags(role).contains("privileged"), "{role}");
    }
}

#[test]
fn names_are_compared_after_folding_look_alikes_and_fullwidth_forms() {
    let db = Db::new();
    db.team();
    // The approval owner's login in fullwidth letters still names them.
    let fullwidth: String = APPROVER
        .chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
            _ => c,
        })
        .collect();
    let before = db.snapshot();
    db.run(
        &NewItem::new()
            .set("--credential-owner", &fullwidth)
            .args("ACME"),
    )
    .refused("no-approval-by-credential-owner");
    before.assert_same(&db.snapshot(), "fullwidth credential owner");
}

#[test]
fn whoever_reworks_and_submits_an_item_cannot_approve_it() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    // A coordinator who is also an approver takes over someone else's request:
    // names themselves approval owner, changes the role and submits.
    db.run(&["people", "add", DUAL, "--role", "coordinator,approver"])
        .ok();
    let id = db.add(&NewItem::new());
    let v = version(&db, &id);
    db.run_as(
        &acc.dual,
        &[
            "item",
            "edit",
            &id,
            "--version",
            &v,
            "--approver",
            DUAL,
            "--role",
            "Editor",
        ],
    )
    .ok();
    db.run_as(&acc.dual, &["item", "submit", &id]).ok();
    let before = db.snapshot();
    let out = db
        .run_as(&acc.dual, &["item", "approve", &id])
        .refused("no-self-approval");
    assert!(out.stderr.contains("submitted or reworked"), "{out:?}");
    before.assert_same(&db.snapshot(), "approval by the one who submitted");
    // The item says who must change, instead of waiting in nobody's queue.
    let shown = db.show(&id);
    assert_eq!(shown["blocking"], true, "{shown}");
    assert!(
        shown["blocker_reasons"]
            .to_string()
            .contains("name another approval owner"),
        "{shown}"
    );
    // Changed again and submitted by someone else, the round starts anew: its parties
    // are those of the new round.
    db.run(&[
        "item",
        "edit",
        &id,
        "--version",
        &version(&db, &id),
        "--approver",
        APPROVER,
    ])
    .ok();
    db.run(&["item", "submit", &id]).ok();
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");
}

#[test]
fn dates_on_the_command_line_are_as_strict_as_in_import() {
    let db = Db::new();
    db.team();
    let before = db.snapshot();
    for bad in [
        "+2026-12-31",
        "2026-1-1",
        " 2026-12-31",
        "1999-12-31",
        "2026-02-30",
    ] {
        let out = db
            .run(&NewItem::new().set("--needed-by", bad).args("ACME"))
            .code(2);
        assert!(out.stderr.contains("--needed-by"), "{bad}: {out:?}");
    }
    before.assert_same(&db.snapshot(), "refused dates");
    db.run(&NewItem::new().set("--needed-by", "2030-02-28").args("ACME"))
        .ok();
}

#[test]
fn a_refusal_quotes_a_typed_value_only_as_a_short_prefix() {
    let db = Db::new();
    db.team();
    let typed = "Europe/Berlin-hunter2-secret";
    let out = db
        .run(&[
            "project", "add", "BETA", "--name", "Beta", "--client", "Beta Inc", "--start", START,
            "--tz", typed,
        ])
        .refused("valid-value");
    assert!(
        out.stderr.contains("'Eur…'") && !out.stderr.contains("hunter2"),
        "{out:?}"
    );
    let out = db
        .run(&["item", "list", "--state", "requested-hunter2"])
        .code(2);
    assert!(!out.stderr.contains("hunter2"), "{out:?}");
    let out = db.run(&["item", "show", "hunter2-secret"]).code(1);
    assert!(!out.stderr.contains("hunter2"), "{out:?}");
}
