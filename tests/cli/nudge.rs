//! `item nudge ID`: the copy-ready message for whoever an item waits on, through the
//! real binary — a waiting decision, a blocker, nothing to chase — as text and JSON,
//! never asking for a credential and never naming a command-line flag.

use crate::common::*;

/// What no nudge may contain: a request for a secret, or a flag of this CLI.
#[track_caller]
fn assert_safe(text: &str) {
    let lower = text.to_lowercase();
    for bad in [
        "password",
        "passcode",
        "token",
        "send us",
        "reply with",
        " --",
    ] {
        assert!(!lower.contains(bad), "{bad:?} in the nudge:\n{text}");
    }
    assert!(
        text.contains("Nothing secret belongs in a reply to this message"),
        "{text}"
    );
}

#[test]
fn a_waiting_decision_names_the_approvers_and_what_to_do() {
    let db = Db::new();
    db.team();
    let plain = db.requested(&NewItem::new());
    let flagged = db.requested(&NewItem::new().switch("--privileged"));

    let text = db.run(&["item", "nudge", &plain]).ok().stdout;
    assert_safe(&text);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("To: {APPROVER} (approval owner)"));
    assert_eq!(
        lines[1],
        format!(
            "About: {plain}, access to Google Analytics 4 as Viewer (purpose: Set up conversion tracking), project ACME"
        )
    );
    assert!(
        lines[2].starts_with("Since: ")
            && lines[2].ends_with("(today), waiting for a decision on the request"),
        "{text}"
    );
    assert_eq!(
        lines[3],
        "Please: approve, deny or return it in accessdesk (0 of 1 approvals given)."
    );
    assert!(
        lines[4].ends_with("the agreed safe method (delegated-account)."),
        "{text}"
    );

    let text = db.run(&["item", "nudge", &flagged]).ok().stdout;
    assert!(
        text.starts_with(&format!(
            "To: {APPROVER} (approval owner) and a security reviewer\n"
        )),
        "{text}"
    );

    // JSON: the same message, and its parts.
    let j = db.run(&["item", "nudge", &plain, "--json"]).ok().json();
    assert_eq!(j["id"], plain.as_str());
    assert_eq!(j["situation"], "decision");
    assert_eq!(j["to"], format!("{APPROVER} (approval owner)").as_str());
    assert_eq!(j["days"], 0);
    let text = db.run(&["item", "nudge", &plain]).ok().stdout;
    assert_eq!(j["text"].as_str().map(|t| format!("{t}\n")), Some(text));
}

#[test]
fn a_blocker_goes_to_whoever_lifts_it() {
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    db.run(&["item", "block", &id, "--reason", "client IT on holiday"])
        .ok();
    let text = db.run(&["item", "nudge", &id]).ok().stdout;
    assert_safe(&text);
    assert!(
        text.starts_with(&format!("To: {} (requester)\n", db.me())),
        "{text}"
    );
    assert!(
        text.contains("\nPlease: complete and submit it.\n"),
        "{text}"
    );
    assert!(
        text.contains("\nBlocking: flagged: client IT on holiday\n"),
        "{text}"
    );
    let j = db.run(&["item", "nudge", &id, "--json"]).ok().json();
    assert_eq!(j["situation"], "blocker");
    assert_eq!(j["reasons"][0], "flagged: client IT on holiday");
}

#[test]
fn nothing_waiting_is_said_plainly() {
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    let out = db.run(&["item", "nudge", &id]).ok();
    assert_eq!(
        out.stdout,
        format!("{id}: nothing waits on anyone (now needed), so there is no one to nudge.\n")
    );
    let j = db.run(&["item", "nudge", &id, "--json"]).ok().json();
    assert_eq!(j["situation"], serde_json::Value::Null);
    assert_eq!(j["text"], serde_json::Value::Null);
    let missing = db.run(&["item", "nudge", "ACME-99"]);
    assert_ne!(missing.code, 0, "{missing:?}");
}

#[test]
fn access_waiting_in_an_open_review_goes_to_its_eligible_reviewers() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new());
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    db.run(&["item", "grant", &id]).ok();
    db.run(&["review", "start", "--project", "ACME", "--due", LATER])
        .ok();
    let started = db.run(&["review", "show", "1", "--json"]).ok().json()["started_at"].clone();

    let text = db.run(&["item", "nudge", &id]).ok().stdout;
    assert_safe(&text);
    let lines: Vec<&str> = text.lines().collect();
    // Not the requester (who runs the tests) nor a plain approver: the security people.
    assert_eq!(
        lines[0],
        format!("To: {DUAL} or {SECURITY} (access reviewers)"),
        "{text}"
    );
    assert!(
        lines[2].ends_with(&format!(
            "(today), waiting for a decision in the access review of project ACME, due {LATER}"
        )),
        "{text}"
    );
    assert_eq!(
        lines[3],
        format!(
            "Please: certify or revoke the access of {id} in the access review in accessdesk: certify it if it is still needed, revoke it if not (one decision is enough)."
        )
    );
    let j = db.run(&["item", "nudge", &id, "--json"]).ok().json();
    assert_eq!(j["situation"], "review");
    // Since the review started.
    assert_eq!(j["since"], started, "{j}");

    // Decided: nothing waits on anyone any more.
    db.run_as(&acc.security, &["review", "certify", &id]).ok();
    let out = db.run(&["item", "nudge", &id]).ok().stdout;
    assert!(out.contains("nothing waits on anyone"), "{out}");
}
