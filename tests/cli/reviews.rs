//! Access reviews through the binary: starting a campaign over a project's live
//! access (an empty one refused), who may decide in it, certifying standard access in
//! bulk (never flagged access), a revoke decision blocking until the access is revoked,
//! an overdue campaign blocking, the report and the credential owner's instruction, and
//! `audit verify` after every review action (and catching a decision changed behind
//! accessdesk's back).

use crate::common::*;
use serde_json::Value;

/// An item of ACME made live (granted) with the approvals its flags need.
#[track_caller]
fn live(db: &Db, acc: &Accounts, spec: &NewItem, flagged: bool) -> String {
    let id = db.requested(spec);
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    if flagged {
        db.run_as(&acc.security, &["item", "approve", &id]).ok();
    }
    db.run(&["item", "grant", &id]).ok();
    id
}

fn codes(db: &Db, id: &str) -> Vec<String> {
    let v = db.show(id);
    v["blocker_reason_codes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn decision(show: &Value, id: &str) -> Value {
    show["items"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["item"] == id))
        .map(|e| e["decision"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn a_review_covers_the_live_access_and_an_empty_one_is_refused() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let waiting = db.requested(&NewItem::new());
    let before = db.snapshot();
    db.run(&["review", "start", "--project", "ACME"])
        .refused("review-needs-live-access");
    before.assert_same(&db.snapshot(), "an empty review");
    let a = live(&db, acc, &NewItem::new(), false);
    let b = live(&db, acc, &NewItem::new().set("--system", "Billing"), false);
    // Whoever granted does not verify.
    db.run_as(
        &acc.security,
        &["item", "verify", &b, "--note", "checked with Carol"],
    )
    .ok();
    let started = db
        .run(&[
            "review",
            "start",
            "--project",
            "acme",
            "--due",
            LATER,
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(started["id"], 1);
    assert_eq!(started["progress"]["items"], 2);
    assert_eq!(started["state"], "open");
    assert_eq!(started["due"], LATER);
    let text = db.run(&["review", "list"]).ok().stdout;
    assert!(text.contains("ACME") && text.contains("0/2"), "{text}");
    let show = db.run(&["review", "show", "1", "--json"]).ok().json();
    let ids: Vec<&str> = show["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["item"].as_str())
        .collect();
    assert_eq!(ids, [a.as_str(), b.as_str()], "{waiting} is not live");
    let before = db.snapshot();
    db.run(&["review", "start", "--project", "ACME"])
        .refused("one-open-review");
    before.assert_same(&db.snapshot(), "a second open review");
    // A date that is not one is a usage error; a past one a refusal naming --due.
    db.run(&[
        "review",
        "start",
        "--project",
        "ACME",
        "--due",
        "2026-02-30",
    ])
    .code(2);
    let out = db
        .run(&[
            "review",
            "start",
            "--project",
            "ACME",
            "--due",
            "2020-01-01",
        ])
        .refused("valid-value");
    assert!(out.stderr.contains("(--due)"), "{}", out.stderr);
}

#[test]
fn only_a_coordinator_or_security_person_without_a_stake_decides() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let holder = live(&db, acc, &NewItem::new().set("--holder", SECURITY), false);
    let owner = live(
        &db,
        acc,
        &NewItem::new().set("--credential-owner", "Sam Security (Acme IT)"),
        false,
    );
    let plain = live(&db, acc, &NewItem::new(), false);
    db.run(&["review", "start", "--project", "ACME"]).ok();
    let before = db.snapshot();
    db.run_as(&acc.security, &["review", "certify", &holder])
        .refused("no-approval-of-own-access");
    db.run_as(&acc.security, &["review", "revoke", &owner])
        .refused("no-approval-by-credential-owner");
    // The account running the tests requested every item.
    let out = db
        .run(&["review", "certify", &plain])
        .refused("no-self-approval");
    assert!(
        !out.stderr.contains("--"),
        "no flag to change: {}",
        out.stderr
    );
    db.run_as(&acc.approver, &["review", "certify", &plain])
        .refused("role-required");
    db.run_as(
        &acc.security,
        &["review", "certify", &plain, "--campaign", "7"],
    )
    .code(1);
    before.assert_same(&db.snapshot(), "refused review decisions");
    let out = db
        .run_as(
            &acc.security,
            &[
                "review",
                "certify",
                &plain,
                "--note",
                "still in use by the analytics team",
            ],
        )
        .ok();
    assert!(
        out.stdout.contains("certified in access review 1"),
        "{out:?}"
    );
    db.run_as(&acc.security, &["review", "certify", &plain])
        .refused("state-machine");
    let show = db.run(&["review", "show", "1", "--json"]).ok().json();
    assert_eq!(decision(&show, &plain), "certify");
    assert_eq!(decision(&show, &holder), Value::Null);
}

#[test]
fn bulk_certify_keeps_standard_access_and_never_flagged_access() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let one = live(&db, acc, &NewItem::new(), false);
    let flagged = live(
        &db,
        acc,
        &NewItem::new()
            .set("--role", "Administrator")
            .switch("--privileged"),
        true,
    );
    let two = live(&db, acc, &NewItem::new().set("--system", "Billing"), false);
    db.run(&["review", "start", "--project", "ACME"]).ok();
    db.run(&["review", "certify", "--all-standard"]).code(2);
    let out = db
        .run_as(
            &acc.security,
            &["review", "certify", "--all-standard", "--campaign", "1"],
        )
        .ok();
    assert!(
        out.stdout.contains(&format!(
            "Certified 2 standard accesses in access review 1: {one}, {two}."
        )),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("Left 1 flagged access") && out.stdout.contains(&flagged),
        "{out:?}"
    );
    let show = db.run(&["review", "show", "1", "--json"]).ok().json();
    assert_eq!(decision(&show, &one), "certify");
    assert_eq!(decision(&show, &two), "certify");
    assert_eq!(decision(&show, &flagged), Value::Null);
    assert_eq!(show["state"], "open");
    // Run again: nothing standard is left, and the flagged access is still left.
    let again = db
        .run_as(
            &acc.security,
            &[
                "review",
                "certify",
                "--all-standard",
                "--campaign",
                "1",
                "--json",
            ],
        )
        .ok()
        .json();
    assert_eq!(again["certified"].as_array().map(Vec::len), Some(0));
    assert_eq!(again["flagged"][0], flagged.as_str());
    db.run_as(&acc.security, &["review", "certify", &flagged])
        .ok();
    let done = db.run(&["review", "show", "1", "--json"]).ok().json();
    assert_eq!(done["state"], "completed");
}

#[test]
fn a_revoke_decision_blocks_until_the_access_is_revoked() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = live(&db, acc, &NewItem::new(), false);
    db.run(&["review", "start", "--project", "ACME"]).ok();
    assert!(!codes(&db, &id).contains(&"revocation-due".to_string()));
    let out = db
        .run_as(
            &acc.security,
            &[
                "review",
                "revoke",
                &id,
                "--note",
                "the analytics contract ended",
            ],
        )
        .ok();
    assert!(out.stdout.contains("revocation-due"), "{out:?}");
    assert!(codes(&db, &id).contains(&"revocation-due".to_string()));
    assert_eq!(db.show(&id)["blocking"], true);
    let blocked = db.run(&["item", "list", "--blocked", "--json"]).ok().json();
    assert!(
        blocked
            .as_array()
            .is_some_and(|a| a.iter().any(|i| i["id"] == id.as_str())),
        "{blocked}"
    );
    db.run(&[
        "item",
        "revoke",
        &id,
        "--note",
        "removed, checked the user list",
    ])
    .ok();
    assert!(!codes(&db, &id).contains(&"revocation-due".to_string()));
    let report = db.run(&["report", "--json"]).ok().json();
    let r = &report["overall"]["review_campaigns"];
    assert_eq!(r["completed"], 1, "{report}");
    assert_eq!(r["revoked"], 1);
    assert_eq!(r["certified"], 0);
}

#[test]
fn an_overdue_review_blocks_its_undecided_access() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let a = live(&db, acc, &NewItem::new(), false);
    let b = live(&db, acc, &NewItem::new().set("--system", "Billing"), false);
    let today = chrono::Utc::now().date_naive().to_string();
    db.run(&["review", "start", "--project", "ACME", "--due", &today])
        .ok();
    db.run_as(&acc.security, &["review", "certify", &a]).ok();
    assert!(!codes(&db, &b).contains(&"review-overdue".to_string()));
    // Three days on, the undecided access blocks; the certified one does not.
    let mut store = accessdesk::store::Store::open(&db.path).expect("open");
    store.set_now(chrono::Utc::now() + chrono::Duration::days(3));
    let of = |id: &str| -> Vec<&'static str> {
        store
            .item_view(id)
            .expect("item")
            .reasons
            .iter()
            .map(|r| r.code())
            .collect()
    };
    assert!(of(&b).contains(&"review-overdue"), "{:?}", of(&b));
    assert!(!of(&a).contains(&"review-overdue"));
    let c = store.campaign(1).expect("campaign");
    assert_eq!(c.state.as_str(), "overdue");
    let report = store.report(None).expect("report");
    assert_eq!(report.overall.review_campaigns.overdue, 1);
    assert_eq!(report.overall.review_campaigns.undecided, 1);
    assert_eq!(
        report.overall.blockers_by_reason.get("review-overdue"),
        Some(&1)
    );
}

#[test]
fn the_report_counts_campaigns_and_the_instruction_mentions_reviews_only_then() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    db.project("BETA");
    let id = live(&db, acc, &NewItem::new(), false);
    let other = db.add(&NewItem::new());
    let instruction = |id: &str| db.show(id)["collection_instruction"].to_string();
    assert!(!instruction(&id).contains("reviewed periodically"));
    let report = db.run(&["report", "--json"]).ok().json();
    assert_eq!(report["overall"]["review_campaigns"]["open"], 0, "{report}");
    db.run(&["review", "start", "--project", "ACME"]).ok();
    assert!(instruction(&id).contains("reviewed periodically"));
    // Any item of a reviewed project says so, not only the reviewed ones.
    assert!(instruction(&other).contains("reviewed periodically"));
    let text = db.run(&["item", "show", &id]).ok().stdout;
    assert!(text.contains("reviewed periodically"), "{text}");
    let report = db.run(&["report", "--json"]).ok().json();
    let acme = report["projects"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["key"] == "ACME"))
        .expect("ACME")
        .clone();
    assert_eq!(acme["review_campaigns"]["open"], 1, "{report}");
    assert_eq!(acme["review_campaigns"]["items"], 1);
    assert_eq!(acme["review_campaigns"]["undecided"], 1);
    let beta = report["projects"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["key"] == "BETA"))
        .expect("BETA")
        .clone();
    assert_eq!(beta["review_campaigns"]["open"], 0);
    db.run_as(&acc.security, &["review", "certify", &id]).ok();
    let report = db.run(&["report", "--json"]).ok().json();
    let r = &report["overall"]["review_campaigns"];
    assert_eq!(
        (r["open"].clone(), r["completed"].clone()),
        (0.into(), 1.into())
    );
    assert_eq!(r["certified"], 1);
    let text = db.run(&["report"]).ok().stdout;
    assert!(
        text.contains(
            "Access reviews: 0 open, 0 overdue, 1 completed; 1 certified, 0 to revoke, 0 undecided"
        ),
        "{text}"
    );
    // A completed review still means the access is reviewed periodically.
    assert!(instruction(&id).contains("reviewed periodically"));
}

#[test]
fn audit_verify_passes_after_every_review_action_and_catches_a_changed_decision() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let keep = live(&db, acc, &NewItem::new(), false);
    let bulk = live(&db, acc, &NewItem::new().set("--system", "Billing"), false);
    let gone = live(&db, acc, &NewItem::new().set("--system", "CRM"), false);
    let flagged = live(&db, acc, &NewItem::new().switch("--client-owned"), true);
    db.run(&["review", "start", "--project", "ACME", "--due", LATER])
        .ok();
    db.run_as(
        &acc.security,
        &[
            "review",
            "certify",
            &keep,
            "--campaign",
            "1",
            "--note",
            "needed",
        ],
    )
    .ok();
    db.run_as(
        &acc.security,
        &["review", "revoke", &gone, "--note", "unused"],
    )
    .ok();
    db.run_as(
        &acc.security,
        &["review", "certify", "--all-standard", "--campaign", "1"],
    )
    .ok();
    db.run_as(&acc.security, &["review", "revoke", &flagged])
        .ok();
    db.run(&["item", "revoke", &gone, "--note", "removed"]).ok();
    db.run(&["item", "revoke", &flagged, "--note", "removed"])
        .ok();
    // A second campaign once the first is complete.
    db.run(&["review", "start", "--project", "ACME"]).ok();
    db.run_as(
        &acc.security,
        &["review", "certify", &bulk, "--campaign", "2"],
    )
    .ok();
    let out = db.run(&["audit", "verify"]).ok();
    assert!(out.stdout.contains("the tables match the log"), "{out:?}");
    // A decision changed behind accessdesk's back is named.
    let rw = rusqlite::Connection::open(&db.path).expect("open");
    rw.execute(
        "UPDATE review_items SET decision = 'certify' WHERE decision = 'revoke'",
        [],
    )
    .expect("tamper");
    drop(rw);
    let out = db.run(&["audit", "verify"]).code(1);
    assert!(
        out.stdout.contains("review_items 1 ") || out.stderr.contains("review_items 1 "),
        "{out:?}"
    );
}
