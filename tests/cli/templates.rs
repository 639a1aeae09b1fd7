//! Templates through the real binary: a project made from a shipped
//! template has exactly its items, a template's TOML file round-trips and a malformed
//! one is refused naming its line, `project check` names the gaps, template events
//! replay, and the README's walk-through takes a project made from a template to
//! 100 % readiness with several OS accounts.

use crate::common::*;
use accessdesk::exchange::{parse_template, template_toml};
use chrono::{Days, NaiveDate};
use serde_json::Value;
use std::path::PathBuf;

fn asset(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("assets/templates/{name}.toml"))
}

fn import(db: &Db, name: &str) {
    db.run(&["template", "import", asset(name).to_str().expect("utf-8")])
        .ok();
}

fn from_template(db: &Db, key: &str, template: &str) -> Value {
    db.run(&[
        "project",
        "add",
        key,
        "--name",
        "Relaunch",
        "--client",
        "Acme Inc",
        "--start",
        START,
        "--tz",
        "UTC",
        "--template",
        template,
        "--json",
    ])
    .ok()
    .json()
}

fn shift(d: NaiveDate, days: i32) -> NaiveDate {
    if days >= 0 {
        d + Days::new(days.unsigned_abs().into())
    } else {
        d - Days::new(days.unsigned_abs().into())
    }
}

#[test]
fn project_from_template_has_exactly_its_items_with_dates_from_the_start() {
    let db = Db::new();
    import(&db, "analytics-setup");
    let made = from_template(&db, "ANA", "analytics-setup");
    let t = parse_template(&std::fs::read_to_string(asset("analytics-setup")).unwrap()).unwrap();
    let start: NaiveDate = START.parse().unwrap();
    let items = db
        .run(&["item", "list", "--project", "ANA", "--json"])
        .ok()
        .json();
    let items = items.as_array().expect("an array");
    assert_eq!(items.len(), t.items.len());
    assert_eq!(made["added"].as_array().map(Vec::len), Some(t.items.len()));
    for (it, ti) in items.iter().zip(&t.items) {
        let show = db.show(it["id"].as_str().unwrap());
        let needed_by = shift(start, ti.needed_by_days);
        assert_eq!(show["system"], ti.system.as_str());
        assert_eq!(show["role"], ti.role.as_str());
        assert_eq!(show["method"], ti.method.as_str());
        assert_eq!(show["state"], "needed");
        assert_eq!(show["needed_by"], needed_by.to_string());
        let expires = ti
            .duration_days
            .filter(|_| ti.temporary)
            .map(|d| shift(needed_by, i32::try_from(d).unwrap()).to_string());
        assert_eq!(
            show["expires"].as_str().map(String::from),
            expires,
            "{show}"
        );
        // Approval owner and credential owner are left to be named: the item blocks.
        assert_eq!(show["approver"], "");
        assert_eq!(show["credential_owner"], "");
        assert_eq!(show["blocking"], true);
    }
    // Readiness counts them from day one.
    let report = db
        .run(&["report", "--project", "ANA", "--json"])
        .ok()
        .json();
    assert_eq!(report["projects"][0]["required"], t.items.len());
    assert_eq!(report["projects"][0]["ready"], 0);
    // The project remembers its template, and applying it again adds nothing.
    let again = db
        .run(&[
            "template",
            "apply",
            "analytics-setup",
            "--project",
            "ANA",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(again["added"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        again["skipped"].as_array().map(Vec::len),
        Some(t.items.len())
    );
    let check = db.run(&["project", "check", "ANA", "--json"]).ok().json();
    assert_eq!(check["templates"], serde_json::json!(["analytics-setup"]));
    assert_eq!(check["gaps"], serde_json::json!([]));
    // A start so early that the template's expiries would be past: refused, and
    // neither the project nor any item is added.
    let before = db.snapshot();
    let out = db
        .run(&[
            "project",
            "add",
            "OLD",
            "--name",
            "Old",
            "--client",
            "Acme Inc",
            "--start",
            "2020-01-01",
            "--template",
            "analytics-setup",
        ])
        .code(3);
    assert!(
        out.stderr.contains("template item 1 (Google Analytics 4)"),
        "{}",
        out.stderr
    );
    before.assert_same(&db.snapshot(), "a refused project from a template");
}

#[test]
fn project_check_names_missing_cancelled_and_other_roles() {
    let db = Db::new();
    db.team();
    import(&db, "website-relaunch");
    from_template(&db, "WEB", "website-relaunch");
    // WEB-1 WordPress at another role, WEB-2 cancelled, a sixth item unrelated.
    let v = db.show("WEB-1")["version"].to_string();
    db.run(&[
        "item",
        "edit",
        "WEB-1",
        "--version",
        &v,
        "--role",
        "Administrator",
    ])
    .ok();
    db.run(&["item", "cancel", "WEB-2", "--note", "not needed yet"])
        .ok();
    let check = db.run(&["project", "check", "WEB", "--json"]).ok().json();
    let gaps = check["gaps"].as_array().expect("gaps");
    let kinds: Vec<(&str, &str)> = gaps
        .iter()
        .map(|g| (g["system"].as_str().unwrap(), g["gap"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("WordPress", "different-role"),
            ("SFTP (staging server)", "cancelled-without-replacement")
        ]
    );
    assert_eq!(gaps[0]["requested"], serde_json::json!(["Administrator"]));
    let text = db.run(&["project", "check", "WEB"]).ok().stdout;
    assert!(text.contains("2 gap(s)"), "{text}");
    // Applying the template again replaces the cancelled item, and the gap closes.
    let again = db
        .run(&[
            "template",
            "apply",
            "website-relaunch",
            "--project",
            "WEB",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(again["added"], serde_json::json!(["WEB-6"]));
    let check = db.run(&["project", "check", "WEB", "--json"]).ok().json();
    assert_eq!(check["gaps"].as_array().map(Vec::len), Some(1));
    // A project made without a template has nothing to check against.
    let plain = db.run(&["project", "check", "ACME"]).ok().stdout;
    assert!(plain.contains("not made from a template"), "{plain}");
}

#[test]
fn template_toml_round_trips_and_a_malformed_file_is_refused_naming_the_line() {
    let db = Db::new();
    import(&db, "billing-integration");
    let exported = db
        .run(&["template", "export", "billing-integration"])
        .ok()
        .stdout;
    let file = db.home().join("billing.toml");
    std::fs::write(&file, &exported).unwrap();
    let original =
        parse_template(&std::fs::read_to_string(asset("billing-integration")).unwrap()).unwrap();
    assert_eq!(parse_template(&exported).unwrap(), original);
    assert_eq!(template_toml(&original).trim_end(), exported.trim_end());
    let out = db
        .run(&["template", "import", file.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(out["replaced"], true);
    assert_eq!(
        db.run(&["template", "export", "billing-integration"])
            .ok()
            .stdout,
        exported
    );
    let shown = db
        .run(&["template", "show", "billing-integration", "--json"])
        .ok()
        .json();
    assert_eq!(
        shown["item"].as_array().map(Vec::len),
        Some(original.items.len())
    );

    // A syntax error: exit 1, naming the file's line.
    let bad = db.home().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\ntitle = \"X\"\n\n[[item]]\nsystem = \"CMS\n",
    )
    .unwrap();
    let out = db
        .run(&["template", "import", bad.to_str().unwrap()])
        .code(1);
    assert!(out.stderr.contains("line 5"), "{}", out.stderr);
    // An unsafe method is not a method: the line that says it.
    let text = exported.replacen("method = \"vault\"", "method = \"email\"", 1);
    let line = text.lines().position(|l| l.contains("\"email\"")).unwrap() + 1;
    std::fs::write(&bad, &text).unwrap();
    let out = db
        .run(&["template", "import", bad.to_str().unwrap()])
        .code(1);
    assert!(
        out.stderr.contains(&format!("line {line}")),
        "{}",
        out.stderr
    );
    // A rule: temporary access without a duration names the item's line (exit 3).
    let text = exported.replacen("duration_days = 90\n", "", 1);
    let line = text.lines().position(|l| l == "[[item]]").unwrap() + 1;
    std::fs::write(&bad, &text).unwrap();
    let out = db
        .run(&["template", "import", bad.to_str().unwrap()])
        .refused("template-format");
    assert!(
        out.stderr.contains(&format!("line {line}")),
        "{}",
        out.stderr
    );
    // A file over 1 MiB is not read whole.
    std::fs::write(&bad, "# padding\n".repeat(120_000)).unwrap();
    let out = db
        .run(&["template", "import", bad.to_str().unwrap()])
        .code(1);
    assert!(out.stderr.contains("over 1 MiB"), "{}", out.stderr);
    // Nothing of the refused files was imported.
    let list = db.run(&["template", "list", "--json"]).ok().json();
    assert_eq!(list.as_array().map(Vec::len), Some(1));
}

#[test]
fn only_admins_and_coordinators_change_templates() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    db.run_as(
        &acc.security,
        &[
            "template",
            "import",
            asset("analytics-setup").to_str().unwrap(),
        ],
    )
    .refused("role-required");
    import(&db, "analytics-setup");
    db.run_as(
        &acc.approver,
        &["template", "apply", "analytics-setup", "--project", "ACME"],
    )
    .refused("role-required");
    // Reading is for everyone.
    db.run_as(&acc.approver, &["template", "list"]).ok();
}

#[test]
fn template_events_replay_and_an_edit_of_a_template_table_is_named() {
    let db = Db::new();
    import(&db, "analytics-setup");
    from_template(&db, "ANA", "analytics-setup");
    let out = db.run(&["audit", "verify"]).ok();
    assert!(
        out.stdout.contains("the tables match the log"),
        "{}",
        out.stdout
    );
    let sql = "UPDATE templates SET body = replace(body, '\"Viewer\"', '\"Owner\"') WHERE name = 'analytics-setup';";
    let done = std::process::Command::new("sqlite3")
        .arg(&db.path)
        .arg(sql)
        .status()
        .is_ok_and(|s| s.success());
    if !done {
        let c = rusqlite::Connection::open(&db.path).expect("open read-write");
        c.execute_batch(sql).expect("tamper");
    }
    let out = db.run(&["audit", "verify"]).code(1);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains("templates") && all.contains("analytics-setup") && all.contains("body"),
        "{all}"
    );
    // A project's template planted behind accessdesk's back is named too.
    let sql = "DELETE FROM project_templates;";
    let c = rusqlite::Connection::open(&db.path).expect("open read-write");
    c.execute_batch(sql).expect("tamper");
    let out = db.run(&["audit", "verify"]).code(1);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains("project_templates") && all.contains("ANA analytics-setup"),
        "{all}"
    );
}

/// The README's template walk-through: a coordinator makes a project from a shipped
/// template, names each item's approval owner and credential owner, submits; the
/// approval owner and (for the privileged shared key) two different security people
/// approve; the coordinator grants and a security person verifies (fulfilment by two
/// people). The project reaches 100 % readiness and the log still replays.
#[test]
fn readme_template_walk_through_reaches_full_readiness() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    // README "Templates": steps 1 and 2.
    import(&db, "billing-integration");
    let made = from_template(&db, "BILL", "billing-integration");
    let ids: Vec<String> = made["added"]
        .as_array()
        .expect("added ids")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 4);
    // Step 3: name who decides and whose credential it is, then submit.
    for id in &ids {
        let v = db.show(id)["version"].to_string();
        db.run(&[
            "item",
            "edit",
            id,
            "--version",
            &v,
            "--approver",
            APPROVER,
            "--credential-owner",
            "Jordan Lee (client finance IT)",
        ])
        .ok();
        db.run(&["item", "submit", id]).ok();
    }
    // Step 4: the decisions, each by someone other than the requester.
    for id in &ids {
        db.run_as(&acc.approver, &["item", "approve", id]).ok();
        let missing = db.show(id)["missing_approvals"].clone();
        let security = missing
            .as_array()
            .map_or(0, |m| m.iter().filter(|c| *c == "security").count());
        if security > 0 {
            db.run_as(&acc.security, &["item", "approve", id]).ok();
        }
        if security > 1 {
            db.run_as(&acc.dual, &["item", "approve", id]).ok();
        }
        assert_eq!(db.state(id), "approved", "{}", db.show(id));
    }
    // The shared, client-owned, privileged key needed two different security people.
    let key = db.show(&ids[1]);
    assert_eq!(
        key["flags"]
            .as_array()
            .map(|f| f.contains(&"privileged".into())),
        Some(true)
    );
    assert_eq!(key["approvals"].as_array().map(Vec::len), Some(3), "{key}");
    // Step 5: granted by the coordinator, verified by someone else.
    for id in &ids {
        db.run(&[
            "item",
            "grant",
            id,
            "--note",
            "invited through the client's SSO",
        ])
        .ok();
        db.run(&[
            "item",
            "verify",
            id,
            "--note",
            "signed in and saw only the role asked for",
        ])
        .refused("separate-fulfilment");
        db.run_as(
            &acc.security,
            &[
                "item",
                "verify",
                id,
                "--note",
                "signed in and saw only the role asked for",
            ],
        )
        .ok();
    }
    let report = db
        .run(&["report", "--project", "BILL", "--json"])
        .ok()
        .json();
    assert_eq!(report["projects"][0]["readiness_ratio"], 1.0, "{report}");
    assert_eq!(report["projects"][0]["ready"], 4);
    let check = db.run(&["project", "check", "BILL", "--json"]).ok().json();
    assert_eq!(check["gaps"], serde_json::json!([]));
    db.run(&["audit", "verify"]).ok();
}

#[test]
fn the_templates_role_is_the_standard_an_item_above_it_is_flagged() {
    let db = Db::new();
    db.team();
    // Looker Studio catalogued with Viewer below Editor; the template asks for Viewer.
    db.run(&[
        "system",
        "add",
        "Looker Studio",
        "--category",
        "reporting",
        "--roles",
        "Viewer<Editor<Owner",
        "--privileged-roles",
        "Owner",
    ])
    .ok();
    // GA4 catalogued with Viewer as its least role; the template asks for Editor.
    db.run(&[
        "system",
        "add",
        "Google Analytics 4",
        "--category",
        "analytics",
        "--roles",
        "Viewer<Analyst<Editor<Administrator",
        "--privileged-roles",
        "Administrator",
    ])
    .ok();
    import(&db, "analytics-setup");
    from_template(&db, "ANA", "analytics-setup");
    let flags = |id: &str| -> Vec<String> {
        db.show(id)["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .filter_map(|f| f.as_str().map(String::from))
            .collect()
    };
    // At the template's role: standard, not flagged, though GA4's Editor is above the
    // catalogue's least role (the template's role comes first).
    assert!(!flags("ANA-1").contains(&"above-standard".to_string()));
    assert!(!flags("ANA-5").contains(&"above-standard".to_string()));
    // Looker Studio asked for above the template's Viewer: above the standard.
    let v = db.show("ANA-5")["version"].to_string();
    db.run(&["item", "edit", "ANA-5", "--version", &v, "--role", "Editor"])
        .ok();
    assert!(
        flags("ANA-5").contains(&"above-standard".to_string()),
        "{:?}",
        flags("ANA-5")
    );
    // Back at the template's role, the flag goes.
    let v = db.show("ANA-5")["version"].to_string();
    db.run(&["item", "edit", "ANA-5", "--version", &v, "--role", "Viewer"])
        .ok();
    assert!(!flags("ANA-5").contains(&"above-standard".to_string()));
}

#[test]
fn project_check_names_items_the_catalogue_changed_under() {
    let db = Db::new();
    db.team();
    let id = db.requested(
        &NewItem::new()
            .set("--system", "Looker Studio (reporting)")
            .set("--role", "Editor"),
    );
    // Catalogued afterwards, without that role: the item is not rewritten...
    db.run(&[
        "system",
        "add",
        "Looker Studio",
        "--category",
        "reporting",
        "--roles",
        "Viewer<Creator",
    ])
    .ok();
    assert_eq!(db.show(&id)["role"], "Editor");
    // ... and `project check` names it.
    let check = db.run(&["project", "check", "ACME", "--json"]).ok().json();
    let drift = check["catalogue"].as_array().expect("catalogue");
    assert_eq!(drift.len(), 1, "{check}");
    assert_eq!(drift[0]["item"], id.as_str());
    assert!(
        drift[0]["problem"]
            .as_str()
            .is_some_and(|p| p.contains("Viewer, Creator")),
        "{check}"
    );
    let text = db.run(&["project", "check", "ACME"]).ok().stdout;
    assert!(
        text.contains(&format!("{id} Looker Studio (reporting) at Editor")),
        "{text}"
    );
}
