//! The whole life of an access item through the real binary, with the approval given
//! by a second OS account, and the JSON contract scripts depend on (section 7).

use crate::common::*;
use serde_json::Value;

/// Fields `report --json` promises in `overall` and in each project.
const MEASURES: [&str; 8] = [
    "required",
    "ready",
    "readiness_ratio",
    "open_blockers",
    "blocker_age_hours_median",
    "blocker_age_hours_max",
    "privileged_reviews",
    "unsafe_credential_attempts",
];

#[test]
fn item_goes_from_needed_to_verified_with_approval_by_a_second_os_account() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    let me = db.me();
    assert!(
        db.init
            .stdout
            .contains(&format!("registered {me} as admin and coordinator")),
        "init should register the account running it: {}",
        db.init.stdout
    );
    let people = db.run(&["people", "list", "--json"]).ok().json();
    let first = &people.as_array().expect("people list is an array")[0];
    assert_eq!(first["login"], me.as_str());
    assert_eq!(first["roles"], serde_json::json!(["admin", "coordinator"]));

    db.run(&["people", "add", APPROVER, "--role", "approver"])
        .ok();
    db.run(&["people", "add", SECURITY, "--role", "security"])
        .ok();
    db.project("ACME");

    let id = db.add(&NewItem::new());
    assert_eq!(id, "ACME-1");
    assert_eq!(db.state(&id), "needed");

    db.run(&["item", "submit", &id]).ok();
    assert_eq!(db.state(&id), "requested");

    // The approval owner is another OS account: the decision is made in a process
    // running with that uid, through the shared group-readable file.
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");

    db.run(&["item", "grant", &id, "--note", "added as named user"])
        .ok();
    assert_eq!(db.state(&id), "granted");
    // Someone other than the granter verifies.
    db.run_as(
        &acc.security,
        &[
            "item",
            "verify",
            &id,
            "--note",
            "logged in as the holder; role Viewer only; owner confirmed by phone",
        ],
    )
    .ok();

    let show = db.show(&id);
    assert_eq!(show["state"], "verified");
    let history = show["history"].as_array().expect("history is an array");
    let kinds: Vec<&str> = history.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        ["item-add", "submit", "approve", "grant", "verify"],
        "history in order"
    );
    let approve = history
        .iter()
        .find(|e| e["kind"] == "approve")
        .expect("an approve event");
    assert_eq!(
        approve["login"], APPROVER,
        "the approval is the second account's"
    );
    assert_eq!(approve["uid"], acc.approver.uid);
    assert_ne!(approve["login"], me.as_str());

    let report = db.run(&["report", "--json"]).ok().json();
    let project = &report["projects"][0];
    assert_eq!(project["key"], "ACME");
    assert_eq!(project["readiness_ratio"].as_f64(), Some(1.0));
    assert_eq!(project["required"], 1);
    assert_eq!(project["ready"], 1);
    assert_eq!(report["overall"]["readiness_ratio"].as_f64(), Some(1.0));
    for (name, m) in std::iter::once(("overall", &report["overall"])).chain(
        report["projects"]
            .as_array()
            .expect("projects is an array")
            .iter()
            .map(|p| ("project", p)),
    ) {
        for field in MEASURES {
            assert!(
                m.get(field).is_some_and(Value::is_number),
                "report {name} lacks numeric {field}: {m}"
            );
        }
    }

    db.run(&["audit", "verify"]).ok();
}

#[test]
fn item_list_json_has_the_contract_fields() {
    let db = Db::new();
    db.project("ACME");
    // The approver must be registered; any coordinator other than the requester will do.
    db.run(&["people", "add", APPROVER, "--role", "approver"])
        .ok();
    db.add(&NewItem::new());
    // Incomplete and privileged: blocking, with a reason and the flag.
    db.add(
        &NewItem::new()
            .set("--role", "Site Admin")
            .without("--method"),
    );

    let list = db.run(&["item", "list", "--json"]).ok().json();
    let items = list.as_array().expect("item list --json is an array");
    assert_eq!(items.len(), 2);
    for it in items {
        for field in ["id", "project", "system", "role", "state"] {
            assert!(it[field].is_string(), "{field} is a string in {it}");
        }
        assert!(it["flags"].is_array(), "flags is an array in {it}");
        assert!(it["blocking"].is_boolean(), "blocking is a bool in {it}");
        assert!(it["blocker_reasons"].is_array(), "blocker_reasons in {it}");
        assert!(it["version"].is_i64(), "version is an integer in {it}");
        assert_eq!(it["project"], "ACME");
        assert_eq!(it["state"], "needed");
        assert_eq!(it["version"], 1);
    }
    assert_eq!(items[0]["id"], "ACME-1");
    assert_eq!(items[0]["blocking"], false);
    assert_eq!(items[0]["flags"], serde_json::json!([]));
    assert_eq!(items[1]["id"], "ACME-2");
    assert_eq!(items[1]["role"], "Site Admin");
    assert_eq!(items[1]["blocking"], true);
    assert_eq!(items[1]["flags"], serde_json::json!(["privileged"]));
    let reasons = items[1]["blocker_reasons"].to_string();
    assert!(
        reasons.contains("method"),
        "reasons name the gap: {reasons}"
    );
}

#[test]
fn db_and_json_options_work_before_or_after_the_subcommand() {
    let db = Db::new();
    db.project("ACME");
    db.run(&["people", "add", APPROVER, "--role", "approver"])
        .ok();
    db.add(&NewItem::new());
    let file = db.path.to_str().expect("utf-8 path");

    let positions: [&[&str]; 4] = [
        &["--db", file, "--json", "item", "list"],
        &["item", "list", "--db", file, "--json"],
        &["--json", "item", "--db", file, "list"],
        &["item", "--json", "list", "--db", file],
    ];
    let mut outputs = Vec::new();
    for args in positions {
        let out = capture(command(db.home(), None), &strings(args)).ok();
        let v = out.json();
        assert_eq!(v[0]["id"], "ACME-1", "{args:?} listed the wrong file");
        outputs.push(v);
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]), "{outputs:?}");
}

#[test]
fn accessdesk_db_variable_selects_the_file_and_db_flag_wins_over_it() {
    let db = Db::new();
    db.project("ACME");
    let file = db.path.to_str().expect("utf-8 path");

    let mut c = command(db.home(), None);
    c.env("ACCESSDESK_DB", file);
    let out = capture(c, &strings(&["report", "--json"])).ok();
    assert_eq!(out.json()["projects"][0]["key"], "ACME");

    // The flag takes precedence: the file named by the variable is never created.
    let other = db.home().join("other.db");
    let mut c = command(db.home(), None);
    c.env("ACCESSDESK_DB", &other);
    let out = capture(c, &strings(&["--db", file, "report", "--json"])).ok();
    assert_eq!(out.json()["projects"][0]["key"], "ACME");
    assert!(!other.exists(), "--db should win over ACCESSDESK_DB");
}
