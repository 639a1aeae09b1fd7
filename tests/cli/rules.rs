//! Every rule of the foundation, refused through the real binary: exit 3, a message
//! naming the rule, and nothing changed in the file (row for row, and the event chain
//! head) — except that a refused credential is counted as one `unsafe-attempt` event
//! that names the field and the detector, never the value.

use crate::common::*;

/// Ways of handing over a credential that are never accepted.
const UNSAFE_METHODS: [&str; 6] = [
    "email",
    "chat",
    "form",
    "shared-password",
    "plaintext",
    "sms",
];

/// Runs a command that must be refused by `rule`, and proves it changed nothing.
#[track_caller]
fn refused_unchanged<S: AsRef<str> + std::fmt::Debug>(
    db: &Db,
    who: Option<&Account>,
    args: &[S],
    rule: &str,
) -> Out {
    let before = db.snapshot();
    let out = db.run_with(who, &[], args).refused(rule);
    before.assert_same(&db.snapshot(), &format!("{args:?}"));
    out
}

/// Runs a command whose text holds a credential: refused, counted, value nowhere.
#[track_caller]
fn refused_secret<S: AsRef<str> + std::fmt::Debug>(
    db: &Db,
    who: Option<&Account>,
    args: &[S],
    field: &str,
) {
    let before = db.snapshot();
    let out = db
        .run_with(who, &[], args)
        .refused("no-credentials-in-text");
    assert!(
        !out.stderr.contains(SECRET_VALUE) && !out.stdout.contains(SECRET_VALUE),
        "the refusal echoes the secret: {out:?}"
    );
    db.assert_only_unsafe_attempt(&before, &db.snapshot(), field, &format!("{args:?}"));
}

/// A complete standard item approved by its approval owner and granted.
fn granted(db: &Db, acc: &Accounts) -> String {
    let id = db.requested(&NewItem::new());
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    // Granted by security, so the account running the tests may verify it.
    db.run_as(&acc.security, &["item", "grant", &id]).ok();
    assert_eq!(db.state(&id), "granted");
    id
}

#[test]
fn unsafe_collection_methods_are_refused_at_add_edit_and_grant() {
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    for m in UNSAFE_METHODS {
        let out = refused_unchanged(
            &db,
            None,
            &NewItem::new().set("--method", m).args("ACME"),
            "safe-collection-method",
        );
        assert!(
            out.stderr.contains("--method") && out.stderr.contains("delegated-account"),
            "the refusal names the field and the safe methods: {out:?}"
        );
        refused_unchanged(
            &db,
            None,
            &["item", "edit", &id, "--version", "1", "--method", m],
            "safe-collection-method",
        );
    }
    // Granting records the method actually used; an unsafe one is refused there too.
    if let Some(acc) = accounts() {
        let g = db.requested(&NewItem::new());
        db.run_as(&acc.approver, &["item", "approve", &g]).ok();
        for m in UNSAFE_METHODS {
            refused_unchanged(
                &db,
                None,
                &["item", "grant", &g, "--method", m],
                "safe-collection-method",
            );
        }
        assert_eq!(db.state(&g), "approved");
    }
}

#[test]
fn credentials_in_item_fields_are_refused_and_counted_without_the_value() {
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    let secret_note = format!("ask Carol, {SECRET}");
    refused_secret(
        &db,
        None,
        &NewItem::new().set("--purpose", &secret_note).args("ACME"),
        "purpose",
    );
    refused_secret(
        &db,
        None,
        &NewItem::new().set("--notes", &secret_note).args("ACME"),
        "notes",
    );
    refused_secret(
        &db,
        None,
        &[
            "item",
            "edit",
            &id,
            "--version",
            "1",
            "--notes",
            &secret_note,
        ],
        "notes",
    );
    assert_eq!(
        db.show(&id)["version"],
        1,
        "the refused edit changed the item"
    );
}

#[test]
fn credentials_in_decisions_and_verification_notes_are_refused_and_counted() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let secret_note = format!("use {SECRET}");

    let r = db.requested(&NewItem::new());
    refused_secret(
        &db,
        Some(&acc.approver),
        &["item", "deny", &r, "--reason", &secret_note],
        "reason",
    );
    refused_secret(
        &db,
        Some(&acc.approver),
        &["item", "approve", &r, "--conditions", &secret_note],
        "conditions",
    );
    assert_eq!(db.state(&r), "requested");

    let g = granted(&db, acc);
    refused_secret(
        &db,
        None,
        &["item", "verify", &g, "--note", &secret_note],
        "note",
    );
    assert_eq!(db.state(&g), "granted");
}

#[test]
fn requester_cannot_approve_or_be_the_approval_owner() {
    let db = Db::new();
    db.team();
    let me = db.me();
    // The account running the tests is admin and coordinator: still not for its own request.
    let id = db.requested(&NewItem::new());
    refused_unchanged(&db, None, &["item", "approve", &id], "no-self-approval");
    refused_unchanged(
        &db,
        None,
        &NewItem::new().set("--approver", &me).args("ACME"),
        "no-self-approval",
    );
}

#[test]
fn an_approval_owner_who_owns_the_credential_is_refused_where_entered() {
    let db = Db::new();
    db.team();
    // By login, by display name (any case, surrounding space), as "Name (Company)"
    // and as an e-mail address: each names the approval owner, so the item could
    // never be decided.
    let name = format!("  {}  ", APPROVER_NAME.to_lowercase());
    let company = format!("{APPROVER_NAME} (Acme IT)");
    let mail = format!("{APPROVER}@acme.example");
    for owner in [APPROVER, name.as_str(), company.as_str(), mail.as_str()] {
        let out = refused_unchanged(
            &db,
            None,
            &NewItem::new().set("--credential-owner", owner).args("ACME"),
            "no-approval-by-credential-owner",
        );
        assert!(
            out.stderr.contains("--approver") && out.stderr.contains("credential owner"),
            "the refusal says which field to change: {out:?}"
        );
    }
    // Editing an item so that its approval owner owns the credential is refused too.
    let id = db.add(&NewItem::new());
    refused_unchanged(
        &db,
        None,
        &[
            "item",
            "edit",
            &id,
            "--version",
            "1",
            "--credential-owner",
            APPROVER_NAME,
        ],
        "no-approval-by-credential-owner",
    );
}

#[test]
fn a_security_reviewer_who_owns_the_credential_cannot_approve() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.requested(
        &NewItem::new()
            .switch("--client-owned")
            .set("--credential-owner", &format!("{SECURITY}@acme.example")),
    );
    refused_unchanged(
        &db,
        Some(&acc.security),
        &["item", "approve", &id],
        "no-approval-by-credential-owner",
    );
}

#[test]
fn holder_cannot_be_the_approval_owner_nor_approve_as_security() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    refused_unchanged(
        &db,
        None,
        &NewItem::new().set("--holder", APPROVER).args("ACME"),
        "no-approval-of-own-access",
    );
    let id = db.requested(
        &NewItem::new()
            .switch("--shared-credential")
            .set("--holder", SECURITY),
    );
    refused_unchanged(
        &db,
        Some(&acc.security),
        &["item", "approve", &id],
        "no-approval-of-own-access",
    );
    assert_eq!(db.state(&id), "requested");
}

#[test]
fn an_approval_owner_renamed_into_a_conflict_makes_the_item_block() {
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new().set("--credential-owner", "Sam Smith"));
    let shown = db.run(&["item", "show", &id, "--json"]).ok();
    assert!(!shown.stdout.contains("approver-conflict"), "{shown:?}");
    // The approval owner's display name becomes the credential owner's name.
    db.run(&[
        "people",
        "add",
        APPROVER,
        "--role",
        "approver",
        "--name",
        "Sam Smith",
    ])
    .ok();
    let shown = db.run(&["item", "show", &id, "--json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(v["blocking"], true, "{v}");
    let reasons = v["blocker_reasons"].to_string();
    assert!(
        reasons.contains(APPROVER) && reasons.contains("name another approval owner"),
        "the reason names who must change: {reasons}"
    );
}

#[test]
fn flagged_item_needs_approval_owner_and_a_different_security_person() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();

    // The approval owner cannot give the second approval by approving again.
    let a = db.requested(&NewItem::new().switch("--client-owned"));
    db.run_as(&acc.approver, &["item", "approve", &a]).ok();
    assert_eq!(db.state(&a), "requested", "one approval is not enough");
    refused_unchanged(
        &db,
        Some(&acc.approver),
        &["item", "approve", &a],
        "separate-approvers",
    );

    // Nor can a security person who is also the approval owner.
    let b = db.requested(
        &NewItem::new()
            .switch("--shared-credential")
            .set("--approver", DUAL),
    );
    db.run_as(&acc.dual, &["item", "approve", &b]).ok();
    assert_eq!(db.state(&b), "requested");
    refused_unchanged(
        &db,
        Some(&acc.dual),
        &["item", "approve", &b],
        "separate-approvers",
    );
    // A different security person completes it.
    db.run_as(&acc.security, &["item", "approve", &b]).ok();
    assert_eq!(db.state(&b), "approved");
    let approvals = db.approvals_in_force(&b);
    assert_eq!(
        approvals,
        [
            (DUAL.to_string(), "owner".to_string()),
            (SECURITY.to_string(), "security".to_string())
        ]
    );
}

#[test]
fn roles_with_a_privileged_whole_word_are_flagged_automatically() {
    let db = Db::new();
    db.team();
    for role in [
        "Site Admin",
        "Administrator",
        "Account OWNER",
        "root",
        "Superuser",
        "Super-Administrator",
    ] {
        let id = db.add(&NewItem::new().set("--role", role));
        let flags = db.show(&id)["flags"].clone();
        assert!(
            flags
                .as_array()
                .is_some_and(|f| f.contains(&"privileged".into())),
            "role {role:?} should be flagged privileged: {flags}"
        );
    }
    for role in [
        "Badminton coach",
        "Viewer",
        "Ownership reports reader",
        "Rooted editor",
    ] {
        let id = db.add(&NewItem::new().set("--role", role));
        let flags = db.show(&id)["flags"].clone();
        assert!(
            !flags
                .as_array()
                .is_some_and(|f| f.contains(&"privileged".into())),
            "role {role:?} should not be flagged privileged: {flags}"
        );
    }
}

#[test]
fn material_change_lapses_approvals_but_a_notes_edit_does_not() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    // Flagged, so one approval leaves it requested with an approval in force.
    let id = db.requested(&NewItem::new().switch("--client-owned"));
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    let v = db.show(&id);
    assert_eq!(v["state"], "requested");
    assert_eq!(db.approvals_in_force(&id).len(), 1);

    // Notes are not material: state and approval stay.
    let version = v["version"].as_i64().expect("version").to_string();
    db.run(&[
        "item",
        "edit",
        &id,
        "--version",
        &version,
        "--notes",
        "client prefers mornings",
    ])
    .ok();
    let v = db.show(&id);
    assert_eq!(
        v["state"], "requested",
        "a notes edit must not lapse approvals"
    );
    assert_eq!(db.approvals_in_force(&id).len(), 1);

    // The role is material: back to needed, approvals void.
    let version = v["version"].as_i64().expect("version").to_string();
    db.run(&[
        "item",
        "edit",
        &id,
        "--version",
        &version,
        "--role",
        "Editor",
    ])
    .ok();
    let v = db.show(&id);
    assert_eq!(
        v["state"], "needed",
        "a role change must send it back to needed"
    );
    if let Some(a) = v.get("approvals") {
        assert_eq!(a, &serde_json::json!([]), "item show lists void approvals");
    }
    assert!(
        db.approvals_in_force(&id).is_empty(),
        "approvals still in force"
    );
    let history = v["history"].as_array().expect("history");
    let edit = history.last().expect("an edit event");
    assert_eq!(edit["kind"], "edit");
    assert_eq!(
        edit["payload"]["approvals_lapsed"],
        serde_json::json!(["role"])
    );

    // The old approval really is void: after resubmitting, the security approval alone
    // does not complete the item.
    db.run(&["item", "submit", &id]).ok();
    db.run_as(&acc.security, &["item", "approve", &id]).ok();
    assert_eq!(
        db.state(&id),
        "requested",
        "the lapsed owner approval still counted"
    );
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");
}

#[test]
fn temporary_access_without_expiry_is_refused_at_add() {
    let db = Db::new();
    db.team();
    refused_unchanged(
        &db,
        None,
        &NewItem::new().switch("--temporary").args("ACME"),
        "temporary-needs-expiry",
    );
    // With an expiry it is accepted (the refusal was about the expiry, nothing else).
    db.add(&NewItem::new().switch("--temporary").set("--expires", LATER));
}

#[test]
fn exception_without_reason_owner_or_expiry_is_refused() {
    let db = Db::new();
    db.team();
    let cases = [
        NewItem::new().set("--exception", "legacy system without SSO"),
        NewItem::new()
            .set("--exception", "legacy system without SSO")
            .set("--exception-owner", SECURITY),
        NewItem::new()
            .set("--exception", "legacy system without SSO")
            .set("--exception-expires", LATER),
        NewItem::new()
            .set("--exception-owner", SECURITY)
            .set("--exception-expires", LATER),
    ];
    for spec in cases {
        refused_unchanged(
            &db,
            None,
            &spec.args("ACME"),
            "exception-needs-reason-owner-expiry",
        );
    }
    let id = db.add(
        &NewItem::new()
            .set("--exception", "legacy system without SSO")
            .set("--exception-owner", SECURITY)
            .set("--exception-expires", LATER),
    );
    let flags = db.show(&id)["flags"].clone();
    assert!(
        flags
            .as_array()
            .is_some_and(|f| f.contains(&"exception".into())),
        "{flags}"
    );
}

#[test]
fn submit_names_every_missing_field_at_once() {
    let db = Db::new();
    db.team();
    let id = db.add(
        &NewItem::new()
            .without("--purpose")
            .without("--role")
            .without("--credential-owner")
            .without("--approver")
            .without("--method"),
    );
    let out = refused_unchanged(&db, None, &["item", "submit", &id], "required-fields");
    for field in ["purpose", "role", "credential-owner", "approver", "method"] {
        assert!(
            out.stderr.contains(field),
            "the refusal does not name {field}: {}",
            out.stderr
        );
    }
    assert!(
        !out.stderr.contains("system is missing"),
        "system was given: {}",
        out.stderr
    );
    assert_eq!(
        out.stderr.trim().lines().count(),
        1,
        "one refusal: {}",
        out.stderr
    );
}

#[test]
fn stale_version_edit_is_a_conflict_and_changes_nothing() {
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    db.run(&[
        "item",
        "edit",
        &id,
        "--version",
        "1",
        "--notes",
        "first edit",
    ])
    .ok();
    let before = db.snapshot();
    let out = db
        .run(&["item", "edit", &id, "--version", "1", "--role", "Editor"])
        .code(4);
    assert!(out.stderr.contains("version"), "{}", out.stderr);
    before.assert_same(&db.snapshot(), "stale edit");
    let v = db.show(&id);
    assert_eq!(v["role"], "Viewer");
    assert_eq!(v["version"], 2);
}

#[test]
fn unregistered_account_can_read_but_not_write() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    let list = db
        .run_as(&acc.outsider, &["item", "list", "--json"])
        .ok()
        .json();
    assert_eq!(
        list[0]["id"],
        id.as_str(),
        "the outsider reads the shared file"
    );
    db.run_as(&acc.outsider, &["report", "--json"]).ok();
    db.run_as(&acc.outsider, &["audit", "verify"]).ok();

    let out = refused_unchanged(
        &db,
        Some(&acc.outsider),
        &NewItem::new().args("ACME"),
        "registered-person",
    );
    assert!(
        out.stderr.contains(OUTSIDER),
        "names the account: {}",
        out.stderr
    );
    refused_unchanged(
        &db,
        Some(&acc.outsider),
        &["item", "note", &id, "--note", "called the client"],
        "registered-person",
    );
    refused_unchanged(
        &db,
        Some(&acc.outsider),
        &["item", "submit", &id],
        "registered-person",
    );
}

#[test]
fn only_an_admin_adds_people_or_changes_roles() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    for who in [&acc.approver, &acc.security] {
        refused_unchanged(
            &db,
            Some(who),
            &["people", "add", OUTSIDER, "--role", "admin"],
            "role-required",
        );
        // Not even their own roles.
        refused_unchanged(
            &db,
            Some(who),
            &["people", "add", who.login, "--role", "admin"],
            "role-required",
        );
    }
}

#[test]
fn deny_and_return_need_a_reason() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new());
    for verb in ["deny", "return"] {
        // Without --reason it is a usage error (clap requires it).
        let before = db.snapshot();
        db.run_as(&acc.approver, &["item", verb, &id]).code(2);
        before.assert_same(&db.snapshot(), verb);
        // A blank reason is a rule refusal.
        refused_unchanged(
            &db,
            Some(&acc.approver),
            &["item", verb, &id, "--reason", "   "],
            "reason-required",
        );
    }
    assert_eq!(db.state(&id), "requested");
}

#[test]
fn verify_needs_a_note() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = granted(&db, acc);
    let before = db.snapshot();
    db.run(&["item", "verify", &id]).code(2);
    before.assert_same(&db.snapshot(), "verify without --note");
    refused_unchanged(
        &db,
        None,
        &["item", "verify", &id, "--note", " "],
        "note-required",
    );
    assert_eq!(db.state(&id), "granted");
}
