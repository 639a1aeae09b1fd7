//! The expiry radar (`item list --expiring DAYS`) and extension requests (`item
//! extend`): what the radar lists, in which order and with which action; an extension
//! that stays a request until approved, ends unchanged when denied, is refused to the
//! person who asked for it and on access that is not live; and the log that still
//! replays to the tables afterwards.

use crate::common::*;
use chrono::{Duration, Utc};
use serde_json::Value;

fn in_days(n: i64) -> String {
    (Utc::now().date_naive() + Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

fn temporary(system: &str, days: i64) -> NewItem {
    NewItem::new()
        .set("--system", system)
        .switch("--temporary")
        .set("--expires", &in_days(days))
}

/// Adds `spec`, has it approved (by whichever of the team may decide on it), granted
/// and verified.
fn live(db: &Db, acc: &Accounts, spec: &NewItem) -> String {
    let id = db.requested(spec);
    for who in [&acc.approver, &acc.dual, &acc.security] {
        if db.state(&id) == "requested" {
            db.run_as(who, &["item", "approve", &id]);
        }
    }
    assert_eq!(db.state(&id), "approved");
    db.run(&["item", "grant", &id]).ok();
    // Whoever granted does not verify.
    db.run_as(
        &acc.security,
        &["item", "verify", &id, "--note", "checked role and owner"],
    )
    .ok();
    id
}

fn radar(db: &Db, days: &str) -> Vec<Value> {
    let out = db.run(&["item", "list", "--expiring", days, "--json"]).ok();
    out.json().as_array().cloned().unwrap_or_default()
}

#[test]
fn the_radar_lists_what_ends_soonest_first_with_the_action_each_needs() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let pending = db.add(&temporary("Jira", 20));
    let soon = live(&db, acc, &temporary("Stripe", 5));
    let exception = live(
        &db,
        acc,
        &NewItem::new()
            .set("--system", "Legacy CRM")
            .set("--exception", "no delegated accounts in the CRM")
            .set("--exception-owner", &db.me())
            .set("--exception-expires", &in_days(10)),
    );
    live(&db, acc, &temporary("Shopify", 60));
    live(&db, acc, &NewItem::new().set("--system", "Permanent tool"));
    let listed = radar(&db, "30");
    let got: Vec<(&str, &str, i64)> = listed
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap_or(""),
                v["expiry_action"].as_str().unwrap_or(""),
                v["days_left"].as_i64().unwrap_or(-99),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (soon.as_str(), "extend-or-plan-removal", 5),
            (exception.as_str(), "renew-exception", 10),
            (pending.as_str(), "set-later-end", 20),
        ],
        "{listed:#?}"
    );
    // The radar adds fields; the item's own are all still there.
    assert_eq!(listed[1]["ending"], "exception");
    assert_eq!(listed[0]["ends"], in_days(5));
    assert_eq!(listed[0]["state"], "verified");
    assert!(listed[0]["extension"].is_null());
    assert_eq!(radar(&db, "7").len(), 1);
    let table = db.run(&["item", "list", "--expiring", "30"]).ok().stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].contains("ENDS") && lines[0].contains("ACTION"),
        "{table}"
    );
    assert!(
        lines[1].contains(&soon) && lines[1].contains("extend or plan removal"),
        "{table}"
    );
    assert!(
        lines[1].contains(&format!("{} (in 5d)", in_days(5))),
        "{table}"
    );
    assert!(lines[2].contains("renew the exception"), "{table}");
}

#[test]
fn an_extension_waits_for_approval_and_then_replaces_the_expiry() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let id = live(&db, acc, &temporary("Stripe", 5));
    let version = db.show(&id)["version"].as_i64().unwrap_or(0);
    let out = db
        .run(&[
            "item",
            "extend",
            &id,
            "--expires",
            &in_days(40),
            "--reason",
            "the data migration runs two weeks late",
        ])
        .ok();
    assert!(out.stdout.contains("Asked to extend"), "{out:?}");
    let item = db.show(&id);
    assert_eq!(item["state"], "verified", "access stays live");
    assert_eq!(item["expires"], in_days(5), "with its old expiry");
    assert_eq!(item["extension"]["expires"], in_days(40));
    assert_eq!(item["extension"]["requested_by"], db.me().as_str());
    assert_eq!(
        item["extension"]["missing_approvals"],
        serde_json::json!(["owner"])
    );
    assert_eq!(item["version"].as_i64(), Some(version + 1));
    // The radar says a decision waits; the text shows the request.
    assert_eq!(radar(&db, "30")[0]["expiry_action"], "decide-extension");
    let shown = db.run(&["item", "show", &id]).ok().stdout;
    assert!(shown.contains(&format!("to {}", in_days(40))), "{shown}");
    // A second request while one waits is refused.
    db.run(&["item", "extend", &id, "--expires", &in_days(50)])
        .refused("extension-request");
    let out = db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    assert!(out.stdout.contains("now ends"), "{out:?}");
    let item = db.show(&id);
    assert_eq!(item["expires"], in_days(40));
    assert_eq!(item["state"], "verified");
    assert!(item["extension"].is_null());
    // Denied: the request ends, the access is unchanged.
    db.run(&["item", "extend", &id, "--expires", &in_days(90)])
        .ok();
    db.run_as(
        &acc.approver,
        &["item", "deny", &id, "--reason", "plan the removal instead"],
    )
    .ok();
    let item = db.show(&id);
    assert_eq!(item["expires"], in_days(40));
    assert_eq!(item["state"], "verified");
    assert!(item["extension"].is_null());
    db.run(&["audit", "verify"]).ok();
    // A request planted behind the app's back is named by the replay.
    db.run(&["item", "extend", &id, "--expires", &in_days(60)])
        .ok();
    let c = rusqlite::Connection::open(&db.path).expect("open read-write");
    c.execute(
        "UPDATE items SET extension = replace(extension, ?1, ?2)",
        [in_days(60), in_days(365)],
    )
    .expect("tamper");
    drop(c);
    let out = db.run(&["audit", "verify"]).code(1);
    assert!(
        out.stdout.contains("extension") || out.stderr.contains("extension"),
        "{out:?}"
    );
}

#[test]
fn an_extension_is_refused_to_who_asked_for_it_and_on_access_that_is_not_live() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    // Dual also coordinates: it asks for the extension of an item it owns the approval of.
    db.run(&[
        "people",
        "add",
        DUAL,
        "--role",
        "approver,security,coordinator",
        "--name",
        "Dana Dual",
    ])
    .ok();
    let flagged = temporary("Stripe", 5)
        .set("--approver", DUAL)
        .switch("--privileged");
    let id = db.requested(&flagged);
    db.run_as(&acc.dual, &["item", "approve", &id]).ok();
    db.run_as(&acc.security, &["item", "approve", &id]).ok();
    db.run(&["item", "grant", &id]).ok();
    db.run_as(
        &acc.dual,
        &["item", "extend", &id, "--expires", &in_days(30)],
    )
    .ok();
    assert_eq!(
        db.show(&id)["extension"]["missing_approvals"],
        serde_json::json!(["owner", "security"])
    );
    let before = db.snapshot();
    db.run_as(&acc.dual, &["item", "approve", &id])
        .refused("no-self-approval");
    before.assert_same(&db.snapshot(), "approval by who asked for the extension");
    // The security review of the extension is still someone else's to give.
    db.run_as(&acc.security, &["item", "approve", &id]).ok();
    let item = db.show(&id);
    assert_eq!(item["expires"], in_days(5), "one approval of two");
    assert_eq!(
        item["extension"]["missing_approvals"],
        serde_json::json!(["owner"])
    );
    // Not live: a request is edited, not extended; a revoked item has nothing to extend.
    let requested = db.requested(&temporary("Jira", 5));
    db.run(&["item", "extend", &requested, "--expires", &in_days(30)])
        .refused("state-machine");
    db.run(&["item", "revoke", &id, "--note", "removed in the console"])
        .ok();
    assert!(db.show(&id)["extension"].is_null(), "ends with the access");
    db.run(&["item", "extend", &id, "--expires", &in_days(30)])
        .refused("state-machine");
    let permanent = live(&db, acc, &NewItem::new().set("--system", "Permanent tool"));
    db.run(&["item", "extend", &permanent, "--expires", &in_days(30)])
        .refused("extension-request");
    db.run(&["audit", "verify"]).ok();
}
