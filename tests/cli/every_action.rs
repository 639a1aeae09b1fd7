//! Acceptance 4 of the lifecycle issue: one database driven through the binary by
//! several OS accounts with every action the lifecycle added (structured conditions,
//! three-person routing, delegation, fulfilment by two people, people leaving and
//! coming back, break-glass finished both ways, rotation, extensions approved and
//! denied, access reviews, moving, closing and reopening a project, nudges), after
//! which `audit verify` replays the log to the tables. Then each new column or table
//! is changed behind accessdesk's back with the `sqlite3` shell, one at a time, and
//! `audit verify` names it: a replay that skipped or misapplied any of those actions
//! would either fail the clean run or miss the change.

use crate::common::*;
use chrono::{Duration, Utc};
use std::process::Command;

fn in_days(n: i64) -> String {
    (Utc::now().date_naive() + Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

/// Runs SQL with the `sqlite3` shell and returns what it printed.
#[track_caller]
fn sqlite3(db: &Db, sql: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(&db.path)
        .arg(sql)
        .output()
        .expect("the sqlite3 shell is installed");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `audit verify` passes and replayed everything from the first event.
#[track_caller]
fn verifies(db: &Db) {
    let out = db.run(&["audit", "verify"]).ok();
    assert!(
        out.stdout
            .contains("replayed from seq 1: the tables match the log"),
        "{out:?}"
    );
}

/// Sets `column` of the rows `which` (an SQL condition) of `table` to `value` with
/// the sqlite3 shell, checks that `audit verify` fails naming `named`, and puts the
/// old value back, after which it passes again.
#[track_caller]
fn caught(db: &Db, table: &str, column: &str, which: &str, value: &str, named: &str) {
    let old = sqlite3(
        db,
        &format!("SELECT quote({column}) FROM {table} WHERE {which}"),
    );
    assert!(
        !old.is_empty() && !old.contains('\n'),
        "{table} {which}: one row expected, got {old:?}"
    );
    sqlite3(
        db,
        &format!("UPDATE {table} SET {column} = {value} WHERE {which}"),
    );
    let out = db.run(&["audit", "verify"]).code(1);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains(named),
        "{table}.{column} set to {value}: expected {named:?} in\n{said}"
    );
    assert!(
        said.contains("the tables differ from the event log"),
        "{said}"
    );
    sqlite3(
        db,
        &format!("UPDATE {table} SET {column} = {old} WHERE {which}"),
    );
    verifies(db);
}

fn number(id: &str) -> &str {
    id.rsplit_once('-').map_or(id, |(_, n)| n)
}

fn item_row(id: &str) -> String {
    format!("project = 'ACME' AND number = {}", number(id))
}

#[test]
fn a_history_with_every_lifecycle_action_replays_and_each_new_column_is_checked() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    db.project("OLD");
    db.run(&["people", "add", OUTSIDER, "--role", "security"])
        .ok();

    // Structured conditions on an approval: the earlier end makes the access temporary.
    let cond = db.requested(&NewItem::new().set("--system", "Stripe"));
    db.run_as(
        &acc.approver,
        &[
            "item",
            "approve",
            &cond,
            "--conditions",
            "review at go-live",
            "--expires-by",
            LATER,
            "--mfa",
            "--read-only-first",
            "--hours",
            "weekdays 08:00-18:00 CET",
        ],
    )
    .ok();
    assert_eq!(db.show(&cond)["expires"], LATER);
    // Fulfilment by two people: granted by one, verified with a reference by another.
    db.run(&["item", "grant", &cond]).ok();
    db.run_as(
        &acc.security,
        &[
            "item",
            "verify",
            &cond,
            "--note",
            "scope checked with the owner",
            "--reference",
            "TICKET-42",
        ],
    )
    .ok();

    // Privileged access to a client-owned system: owner and two security people.
    let three = db.requested(
        &NewItem::new()
            .set("--system", "AWS")
            .set("--role", "Admin")
            .switch("--privileged")
            .switch("--client-owned"),
    );
    db.run_as(&acc.approver, &["item", "approve", &three]).ok();
    db.run_as(&acc.security, &["item", "approve", &three]).ok();
    db.run_as(&acc.dual, &["item", "approve", &three]).ok();
    assert_eq!(db.approvals_in_force(&three).len(), 3);
    db.run(&["item", "grant", &three]).ok();
    db.run_as(
        &acc.dual,
        &["item", "verify", &three, "--note", "checked the role"],
    )
    .ok();

    // Delegation of the owner's decision.
    let handed = db.requested(&NewItem::new().set("--system", "Jira"));
    db.run_as(
        &acc.approver,
        &[
            "item", "delegate", &handed, "--to", DUAL, "--reason", "on leave",
        ],
    )
    .ok();
    db.run_as(&acc.dual, &["item", "approve", &handed]).ok();
    db.run(&["item", "grant", &handed]).ok();

    // People leave: a security decision handed to someone who is then deactivated
    // blocks until a coordinator hands it on; registering them again reactivates them.
    let left = db.requested(
        &NewItem::new()
            .set("--system", "Vault")
            .switch("--privileged"),
    );
    db.run_as(
        &acc.security,
        &[
            "item", "delegate", &left, "--to", OUTSIDER, "--reason", "busy",
        ],
    )
    .ok();
    db.run_as(&acc.approver, &["item", "approve", &left]).ok();
    db.run(&["people", "deactivate", OUTSIDER]).ok();
    assert!(
        db.show(&left)["blocker_reason_codes"]
            .to_string()
            .contains("reassign")
    );
    db.run(&[
        "item", "delegate", &left, "--to", SECURITY, "--reason", "left",
    ])
    .ok();
    db.run_as(&acc.security, &["item", "approve", &left]).ok();
    assert_eq!(db.state(&left), "approved");
    db.run(&["people", "add", OUTSIDER, "--role", "security"])
        .ok();

    // Break-glass, its retrospective closed by another security person both ways.
    let glass = db.add(&NewItem::new().set("--system", "Cloudflare"));
    db.run_as(
        &acc.security,
        &["item", "break-glass", &glass, "--reason", "site down"],
    )
    .ok();
    db.run_as(
        &acc.dual,
        &[
            "item",
            "close-retro",
            &glass,
            "--outcome",
            "accepted",
            "--note",
            "justified",
        ],
    )
    .ok();
    assert_eq!(db.state(&glass), "granted");
    let undone = db.add(&NewItem::new().set("--system", "Fastly"));
    db.run_as(
        &acc.security,
        &["item", "break-glass", &undone, "--reason", "cache poisoned"],
    )
    .ok();
    db.run_as(
        &acc.dual,
        &[
            "item",
            "close-retro",
            &undone,
            "--outcome",
            "revoke",
            "--note",
            "not justified",
        ],
    )
    .ok();
    assert_eq!(db.state(&undone), "revoked");

    // A credential offered from outside, then rotated.
    let exposed = db.add(&NewItem::new().set("--system", "CRM"));
    db.run(&[
        "item",
        "unsafe-attempt",
        &exposed,
        "--channel",
        "email",
        "--note",
        "the owner mailed a password",
    ])
    .ok();
    assert_eq!(db.show(&exposed)["rotation"], "due");
    db.run(&[
        "item",
        "rotated",
        &exposed,
        "--note",
        "rotated by the owner; the old one is refused",
    ])
    .ok();
    assert_eq!(db.show(&exposed)["rotation"], "done");

    // An extension approved, then another denied.
    let temp = db.requested(
        &NewItem::new()
            .set("--system", "Shopify")
            .switch("--temporary")
            .set("--expires", &in_days(5)),
    );
    db.run_as(&acc.approver, &["item", "approve", &temp]).ok();
    db.run(&["item", "grant", &temp]).ok();
    db.run_as(
        &acc.security,
        &["item", "verify", &temp, "--note", "checked the role"],
    )
    .ok();
    db.run(&[
        "item",
        "extend",
        &temp,
        "--expires",
        &in_days(40),
        "--reason",
        "the migration runs late",
    ])
    .ok();
    db.run_as(&acc.approver, &["item", "approve", &temp]).ok();
    assert_eq!(db.show(&temp)["expires"], in_days(40));
    db.run(&["item", "extend", &temp, "--expires", &in_days(90)])
        .ok();
    db.run_as(
        &acc.approver,
        &[
            "item",
            "deny",
            &temp,
            "--reason",
            "plan the removal instead",
        ],
    )
    .ok();
    assert_eq!(db.show(&temp)["expires"], in_days(40));

    // An access review: one certified, one revoked (and then revoked), the standard
    // rest certified at once; the flagged access stays to be decided.
    db.run(&["review", "start", "--project", "ACME", "--due", LATER])
        .ok();
    db.run_as(
        &acc.security,
        &["review", "certify", &cond, "--note", "still needed"],
    )
    .ok();
    db.run_as(
        &acc.security,
        &["review", "revoke", &glass, "--note", "the outage is over"],
    )
    .ok();
    db.run(&["item", "revoke", &glass, "--note", "removed in the console"])
        .ok();
    let bulk = db
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
    assert_eq!(
        bulk["certified"],
        serde_json::json!([handed.as_str(), temp.as_str()]),
        "{bulk}"
    );
    assert_eq!(bulk["flagged"], serde_json::json!([three.as_str()]));

    // The project's start moved, the project closed and reopened.
    db.run(&["project", "edit", "OLD", "--start", "2031-02-01"])
        .ok();
    db.run(&["project", "close", "OLD"]).ok();
    db.run(&["project", "reopen", "OLD"]).ok();

    // A template imported, a project made from it, another applied.
    let assets = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/templates");
    for t in ["analytics-setup", "website-relaunch"] {
        db.run(&["template", "import", &format!("{assets}/{t}.toml")])
            .ok();
    }
    db.run(&[
        "project",
        "add",
        "TPL",
        "--name",
        "From a template",
        "--client",
        "Acme Inc",
        "--start",
        "2031-03-01",
        "--template",
        "analytics-setup",
    ])
    .ok();
    db.run(&["template", "apply", "website-relaunch", "--project", "TPL"])
        .ok();

    // Nudges only read.
    let before = db.snapshot();
    for id in [&cond, &three, &handed, &left, &temp, &exposed] {
        db.run(&["item", "nudge", id]).ok();
        db.run(&["item", "nudge", id, "--json"]).ok();
    }
    before.assert_same(&db.snapshot(), "item nudge");

    // Every new kind of event is in the log, with both retrospective outcomes and
    // structured conditions.
    let kinds = sqlite3(&db, "SELECT DISTINCT kind FROM events ORDER BY kind");
    for kind in [
        "approve",
        "delegate",
        "person-deactivate",
        "grant",
        "verify",
        "break-glass",
        "close-retro",
        "unsafe-attempt",
        "rotated",
        "extend",
        "extension-approve",
        "extension-deny",
        "review-start",
        "review-decide",
        "revoke",
        "project-edit",
        "project-close",
        "project-reopen",
        "template-import",
        "template-apply",
    ] {
        assert!(
            kinds.lines().any(|k| k == kind),
            "no {kind} event in {kinds}"
        );
    }
    let outcomes = sqlite3(
        &db,
        "SELECT group_concat(json_extract(payload, '$.outcome'), ',') FROM events WHERE kind = 'close-retro'",
    );
    assert_eq!(outcomes, "accepted,revoke");
    verifies(&db);

    // Each new column and table, changed behind accessdesk's back, is named.
    caught(
        &db,
        "templates",
        "title",
        "name = 'website-relaunch'",
        "'Changed'",
        "templates website-relaunch: title is 'Changed' in the table",
    );
    caught(
        &db,
        "project_templates",
        "applied_by",
        "project = 'TPL' AND template = 'analytics-setup'",
        "'mallory'",
        "project_templates TPL analytics-setup: applied_by is 'mallory' in the table",
    );
    caught(
        &db,
        "approvals",
        "terms",
        &format!(
            "item_id = (SELECT id FROM items WHERE {}) AND capacity = 'owner'",
            item_row(&cond)
        ),
        "NULL",
        "terms is",
    );
    caught(
        &db,
        "items",
        "expires",
        &item_row(&cond),
        "'2099-12-31'",
        &format!("items {cond}: expires is '2099-12-31' in the table"),
    );
    caught(
        &db,
        "items",
        "verify_reference",
        &item_row(&cond),
        "'TICKET-99'",
        &format!("items {cond}: verify_reference is 'TICKET-99' in the table"),
    );
    caught(
        &db,
        "items",
        "granted_by",
        &item_row(&three),
        &format!("'{SECURITY}'"),
        &format!("items {three}: granted_by is '{SECURITY}' in the table"),
    );
    caught(
        &db,
        "items",
        "delegates",
        &item_row(&handed),
        "''",
        &format!("items {handed}: delegates is"),
    );
    caught(
        &db,
        "people",
        "active",
        &format!("login = '{OUTSIDER}'"),
        "0",
        &format!("people {OUTSIDER}: active is '0' in the table, replay says '1'"),
    );
    caught(
        &db,
        "items",
        "state",
        &item_row(&undone),
        "'granted'",
        &format!("items {undone}: state is 'granted' in the table, replay says 'revoked'"),
    );
    caught(
        &db,
        "items",
        "rotation",
        &item_row(&exposed),
        "'due'",
        &format!("items {exposed}: rotation is 'due' in the table, replay says 'done'"),
    );
    caught(
        &db,
        "items",
        "expires",
        &item_row(&temp),
        &format!("'{}'", in_days(90)),
        &format!("items {temp}: expires is '{}' in the table", in_days(90)),
    );
    caught(
        &db,
        "items",
        "extension",
        &item_row(&temp),
        &format!(
            "'{{\"expires\":\"{}\",\"requested_by\":\"mallory\"}}'",
            in_days(90)
        ),
        &format!("items {temp}: extension is"),
    );
    caught(
        &db,
        "items",
        "review",
        &item_row(&three),
        "NULL",
        &format!("items {three}: review is empty in the table"),
    );
    caught(
        &db,
        "review_items",
        "decision",
        &format!(
            "item_id = (SELECT id FROM items WHERE {})",
            item_row(&glass)
        ),
        "'certify'",
        &format!(
            "review_items 1 {glass}: decision is 'certify' in the table, replay says 'revoke'"
        ),
    );
    caught(
        &db,
        "review_campaigns",
        "due",
        "id = 1",
        "'2099-01-01'",
        "review_campaigns 1: due is '2099-01-01' in the table",
    );
    caught(
        &db,
        "projects",
        "start_date",
        "key = 'OLD'",
        &format!("'{START}'"),
        &format!("projects OLD: start_date is '{START}' in the table, replay says '2031-02-01'"),
    );
    caught(
        &db,
        "projects",
        "closed_at",
        "key = 'OLD'",
        "'2030-01-01T00:00:00.000000Z'",
        "projects OLD: closed_at is '2030-01-01T00:00:00.000000Z' in the table, replay says empty",
    );
    // An approval is named by its item, round and capacity.
    caught(
        &db,
        "approvals",
        "login",
        &format!(
            "capacity = 'owner' AND item_id = (SELECT id FROM items WHERE {})",
            item_row(&three)
        ),
        "'mallory'",
        &format!("approvals {three} round 0 owner: login is 'mallory' in the table, replay says '"),
    );
}
