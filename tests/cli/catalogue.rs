//! The system catalogue and least privilege through the binary: a catalogued system's
//! roles are the only ones it may be requested at (refused naming them, exit 3); a
//! role above the standard (least) one is flagged above-standard, needs a justification
//! before submit and a security approval, and is counted by the report; who may say a
//! keyword-privileged role is not privileged; and the catalogue replays in `audit
//! verify`, which names a catalogue row changed behind accessdesk's back.

use crate::common::*;
use serde_json::Value;

const GA: &str = "Google Analytics 4";

fn catalogue_ga(db: &Db) {
    db.run(&[
        "system",
        "add",
        GA,
        "--category",
        "analytics",
        "--roles",
        "Viewer<Analyst<Editor<Administrator",
        "--privileged-roles",
        "Administrator",
    ])
    .ok();
}

fn flags(v: &Value) -> Vec<String> {
    v["flags"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_role_above_the_standard_needs_a_justification_and_a_security_approval() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    catalogue_ga(&db);
    let listed = db.run(&["system", "list", "--json"]).ok().json();
    assert_eq!(listed[0]["name"], GA);
    assert_eq!(listed[0]["roles"][0], "Viewer");
    let shown = db
        .run(&["system", "show", "google analytics 4"])
        .ok()
        .stdout;
    assert!(shown.contains("Standard:     Viewer"), "{shown}");

    // The standard role is not flagged and needs no security review.
    let viewer = db.add(&NewItem::new());
    let v = db.show(&viewer);
    assert!(!flags(&v).contains(&"above-standard".to_string()), "{v}");
    db.run(&["item", "submit", &viewer]).ok();
    db.run_as(&acc.approver, &["item", "approve", &viewer]).ok();
    assert_eq!(db.state(&viewer), "approved");

    // Editor is above Viewer: flagged, and the add says what it needs.
    let added = db.try_add(&NewItem::new().set("--role", "Editor")).ok();
    assert!(
        added.stdout.contains("above the standard role Viewer")
            && added.stdout.contains("justification"),
        "{added:?}"
    );
    let editor = {
        let v = db
            .run(&["item", "list", "--project", "ACME", "--json"])
            .ok()
            .json();
        v.as_array()
            .and_then(|a| a.iter().find(|i| i["role"] == "Editor"))
            .and_then(|i| i["id"].as_str().map(String::from))
            .expect("the Editor item")
    };
    let e = db.show(&editor);
    assert!(flags(&e).contains(&"above-standard".to_string()), "{e}");
    assert_eq!(e["justification"], Value::Null);

    // Submit is refused until a justification is given.
    let before = db.snapshot();
    db.run(&["item", "submit", &editor])
        .refused("justify-above-standard");
    before.assert_same(
        &db.snapshot(),
        "a submit refused for want of a justification",
    );
    let version = e["version"].as_i64().expect("version").to_string();
    db.run(&[
        "item",
        "edit",
        &editor,
        "--version",
        &version,
        "--justification",
        "builds the conversion dashboards, which Viewer cannot",
    ])
    .ok();
    db.run(&["item", "submit", &editor]).ok();

    // The approval owner alone is not enough: a security person must approve too.
    db.run_as(&acc.approver, &["item", "approve", &editor]).ok();
    let e = db.show(&editor);
    assert_eq!(e["state"], "requested", "{e}");
    assert_eq!(
        e["missing_approvals"],
        serde_json::json!(["security"]),
        "{e}"
    );
    db.run_as(&acc.security, &["item", "approve", &editor]).ok();
    assert_eq!(db.state(&editor), "approved");

    let r = db.run(&["report", "--json"]).ok().json();
    assert_eq!(r["overall"]["above_standard_requests"], 1, "{r}");
    assert_eq!(r["overall"]["above_standard_approved"], 1, "{r}");
    assert_eq!(r["projects"][0]["above_standard_requests"], 1, "{r}");

    // The justification travels in the CSV export.
    let csv = db.run(&["export", "--project", "ACME"]).ok().stdout;
    assert!(
        csv.lines()
            .next()
            .is_some_and(|h| h.ends_with(",justification"))
            && csv.contains("builds the conversion dashboards"),
        "{csv}"
    );
    let out = db.run(&["audit", "verify"]).ok();
    assert!(out.stdout.contains("the tables match the log"), "{out:?}");
}

#[test]
fn a_role_not_in_the_catalogue_is_refused_naming_the_valid_roles() {
    let db = Db::new();
    db.team();
    catalogue_ga(&db);
    let before = db.snapshot();
    let out = db
        .try_add(&NewItem::new().set("--role", "Owner"))
        .refused("catalogue-role");
    assert!(
        out.stderr
            .contains("Viewer, Analyst, Editor, Administrator"),
        "{out:?}"
    );
    before.assert_same(&db.snapshot(), "a role the catalogue does not list");
    // Names match ignoring case, and with a " (…)" tail, for systems and roles; the
    // catalogue's privileged roles decide the flag.
    let id = db.add(
        &NewItem::new()
            .set("--system", "google analytics 4 (acme.com property)")
            .set("--role", "administrator (all properties)"),
    );
    let v = db.show(&id);
    assert!(
        flags(&v).contains(&"privileged".to_string())
            && flags(&v).contains(&"above-standard".to_string()),
        "{v}"
    );
    // A system not in the catalogue keeps the keyword rule and takes any role.
    let other = db.add(
        &NewItem::new()
            .set("--system", "Billing")
            .set("--role", "Owner"),
    );
    let o = db.show(&other);
    assert_eq!(flags(&o), vec!["privileged".to_string()], "{o}");
}

#[test]
fn only_security_says_a_role_that_reads_privileged_is_not() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let args = [
        "system",
        "add",
        "Active Directory",
        "--category",
        "directory",
        "--roles",
        "Domain Users<Domain Admins",
        "--not-privileged-roles",
        "Domain Admins",
    ];
    // A coordinator does not change the catalogue at all.
    db.run(&["people", "add", APPROVER, "--role", "approver,coordinator"])
        .ok();
    let before = db.snapshot();
    db.run_as(&acc.approver, &args).refused("role-required");
    // An admin who is not security may catalogue, but not call Domain Admins unprivileged.
    let out = db.run(&args).refused("catalogue-privilege");
    assert!(out.stderr.contains("Domain Admins"), "{out:?}");
    // Nor leave it unlisted: the keyword rule reads it as privileged.
    db.run(&args[..7]).refused("catalogue-privilege");
    before.assert_same(&db.snapshot(), "refused catalogue entries");
    db.run_as(&acc.security, &args).ok();
    let id = db.add(
        &NewItem::new()
            .set("--system", "Active Directory")
            .set("--role", "Domain Admins"),
    );
    let v = db.show(&id);
    assert!(!flags(&v).contains(&"privileged".to_string()), "{v}");
    assert!(flags(&v).contains(&"above-standard".to_string()), "{v}");
}

#[test]
fn catalogue_events_replay_and_an_edited_row_is_named() {
    let db = Db::new();
    db.team();
    catalogue_ga(&db);
    // Replacing an entry (any case of its name) keeps one row.
    db.run(&[
        "system",
        "add",
        "google analytics 4",
        "--category",
        "analytics",
        "--roles",
        "Viewer<Analyst<Marketer<Editor<Administrator",
        "--privileged-roles",
        "Administrator",
    ])
    .ok();
    let listed = db.run(&["system", "list", "--json"]).ok().json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["name"], GA);
    assert_eq!(listed[0]["roles"][2], "Marketer");
    db.add(
        &NewItem::new()
            .set("--role", "Editor")
            .set("--justification", "tags"),
    );
    let out = db.run(&["audit", "verify"]).ok();
    assert!(out.stdout.contains("the tables match the log"), "{out:?}");
    let rw = rusqlite::Connection::open(&db.path).expect("open");
    rw.execute(
        "UPDATE systems SET privileged_roles = '[]' WHERE name = ?1",
        [GA],
    )
    .expect("tamper");
    drop(rw);
    let out = db.run(&["audit", "verify"]).code(1);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains("systems") && said.contains(GA) && said.contains("privileged_roles"),
        "{out:?}"
    );
}

#[test]
fn import_applies_the_catalogue_and_reads_the_justification() {
    let db = Db::new();
    db.team();
    catalogue_ga(&db);
    let header = "system,purpose,role,holder,credential-owner,approver,method,temporary,expires,\
                  deprovision,privileged,shared-credential,client-owned,exception,exception-owner,\
                  exception-expires,needed-by,notes,justification";
    let row = |role: &str, why: &str| {
        format!(
            "{GA},Dashboards for {role},{role},,Carol Client,{APPROVER},delegated-account,false,,,\
             false,false,false,,,,,,{why}"
        )
    };
    let file = db.home().join("items.csv");
    let bad = format!("{header}\n{}\n{}\n", row("Viewer", ""), row("Owner", ""));
    std::fs::write(&file, bad).expect("write");
    let path = file.to_str().expect("utf-8 path");
    let out = db
        .run(&["import", path, "--project", "ACME"])
        .refused("catalogue-role");
    assert!(out.stderr.contains("line 3"), "{out:?}");
    let good = format!(
        "{header}\n{}\n{}\n",
        row("Viewer", ""),
        row("Editor", "builds the conversion dashboards")
    );
    std::fs::write(&file, good).expect("write");
    db.run(&["import", path, "--project", "ACME"]).ok();
    let list = db.run(&["item", "list", "--json"]).ok().json();
    let by_role = |role: &str| {
        list.as_array()
            .and_then(|a| a.iter().find(|i| i["role"] == role))
            .cloned()
            .expect("imported item")
    };
    assert!(!flags(&by_role("Viewer")).contains(&"above-standard".to_string()));
    let editor = by_role("Editor");
    assert!(
        flags(&editor).contains(&"above-standard".to_string()),
        "{editor}"
    );
    assert_eq!(editor["justification"], "builds the conversion dashboards");
    // Justified already: it may be submitted.
    let id = editor["id"].as_str().expect("id");
    db.run(&["item", "submit", id]).ok();
    let out = db.run(&["audit", "verify"]).ok();
    assert!(out.stdout.contains("the tables match the log"), "{out:?}");
}

#[test]
fn the_demo_catalogues_its_systems_and_still_verifies() {
    let db = Db::unopened("demo.db");
    db.run(&["demo", "--no-tui"]).ok();
    let list = db.run(&["system", "list", "--json"]).ok().json();
    let names: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.len() >= 9, "{names:?}");
    assert!(names.contains(&"Microsoft 365") && names.contains(&"Tableau Server"));
    let items = db.run(&["item", "list", "--json"]).ok().json();
    let m365 = items
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|i| {
                    i["system"]
                        .as_str()
                        .is_some_and(|s| s.starts_with("Microsoft 365"))
                })
                .count()
        })
        .unwrap_or_default();
    assert_eq!(m365, 2, "both Microsoft 365 items match the catalogue");
    let out = db.run(&["audit", "verify"]).ok();
    assert!(out.stdout.contains("the tables match the log"), "{out:?}");
}
