//! Defects found by trying the command line as its users would, each pinned through
//! the real binary: read commands that created files, unknown names that passed
//! silently, rule names and texts worded for the wrong front end, status texts that
//! misled, long text cut in a pipe, and an exception owner approving their own
//! exception.

use crate::common::*;

#[test]
fn read_commands_on_a_missing_file_create_nothing_and_say_so() {
    let db = Db::new();
    let missing = db.home().join("typo.db");
    let m = missing.to_str().unwrap();
    for args in [
        vec!["--db", m, "item", "list"],
        vec!["--db", m, "report"],
        vec!["--db", m, "audit", "verify"],
        vec!["--db", m, "task", "list"],
        vec!["--db", m, "export"],
        vec!["--db", m, "people", "list"],
    ] {
        let out = capture(command(db.home(), None), &strings(&args)).code(1);
        assert!(
            out.stderr.contains(&format!("no database at {m}"))
                && out.stderr.contains("accessdesk init"),
            "{out:?}"
        );
        assert!(!missing.exists(), "{args:?} created {m}");
        for ext in ["-wal", "-shm", "-journal"] {
            assert!(
                !db.home().join(format!("typo.db{ext}")).exists(),
                "{args:?}"
            );
        }
    }
    // init still creates it.
    capture(command(db.home(), None), &strings(&["--db", m, "init"])).ok();
    assert!(missing.exists());
}

#[test]
fn an_unknown_project_is_named_not_passed_over() {
    let db = Db::new();
    db.team();
    for args in [
        vec!["item", "list", "--project", "NOPE"],
        vec!["task", "list", "--project", "NOPE"],
        vec!["export", "--project", "NOPE"],
        vec!["item", "list", "--project", "NOPE", "--json"],
    ] {
        let out = db.run(&args).code(1);
        assert!(out.stderr.contains("NOPE"), "{out:?}");
        assert!(out.stdout.is_empty(), "{out:?}");
    }
}

#[test]
fn the_exception_owner_does_not_approve_their_own_exception() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let spec = NewItem::new()
        .set("--exception", "legacy client SSO cannot scope roles")
        .set("--exception-owner", SECURITY)
        .set("--exception-expires", LATER);
    let id = db.requested(&spec);
    let before = db.snapshot();
    db.run_as(&acc.security, &["item", "approve", &id])
        .refused("no-approval-by-exception-owner");
    before.assert_same(&db.snapshot(), "exception owner approving");
    // Another security person may.
    db.run_as(&acc.approver, &["item", "approve", &id]).ok();
    db.run_as(&acc.dual, &["item", "approve", &id]).ok();
    assert_eq!(db.state(&id), "approved");
    // Naming the exception owner as approval owner is refused where it is entered.
    db.run(&spec.clone().set("--exception-owner", APPROVER).args("ACME"))
        .refused("no-approval-by-exception-owner");
}

#[test]
fn refusals_name_their_own_rule_and_the_flag_to_change() {
    let db = Db::new();
    db.team();
    // An expiry on permanent access is not an exception problem.
    let out = db
        .run(&NewItem::new().set("--expires", LATER).args("ACME"))
        .refused("expiry-needs-temporary");
    assert!(
        !out.stderr.contains("exception-needs-reason-owner-expiry")
            && out.stderr.contains("--expires"),
        "{out:?}"
    );
    // Temporary access without an expiry names the flag to give.
    let out = db
        .run(&NewItem::new().switch("--temporary").args("ACME"))
        .refused("temporary-needs-expiry");
    assert!(out.stderr.contains("(--expires)"), "{out:?}");
    // Submit names every missing field, each with its flag.
    let id = db.add(&NewItem::new().without("--role").without("--method"));
    let out = db.run(&["item", "submit", &id]).refused("required-fields");
    assert!(
        out.stderr.contains("role, method missing")
            && out.stderr.contains("--role")
            && out.stderr.contains("--method"),
        "{out:?}"
    );
}

#[test]
fn an_unknown_method_is_a_usage_error_an_unsafe_one_a_refusal() {
    let db = Db::new();
    db.team();
    let out = db
        .run(
            &NewItem::new()
                .set("--method", "delegated-acount")
                .args("ACME"),
        )
        .code(2);
    assert!(out.stderr.contains("--method"), "{out:?}");
    db.run(&NewItem::new().set("--method", "e-mail").args("ACME"))
        .refused("safe-collection-method");
}

#[test]
fn a_json_error_is_one_object_on_the_last_line_of_stderr() {
    let db = Db::new();
    db.team();
    let out = db
        .run(&{
            let mut a = NewItem::new().switch("--temporary").args("ACME");
            a.push("--json".into());
            a
        })
        .code(3);
    let last = out.stderr.lines().last().unwrap_or_default();
    let v: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(v["rule"], "temporary-needs-expiry");
    assert_eq!(v["field"], "expires");
    assert_eq!(v["exit"], 3);
    assert!(v["fix"].as_str().is_some_and(|f| !f.contains("--")), "{v}");
}

#[test]
fn status_texts_say_what_happened_and_what_comes_next() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    // No empty role in brackets.
    let out = db
        .run(
            &NewItem::new()
                .without("--role")
                .set("--system", "X")
                .args("ACME"),
        )
        .ok();
    assert!(
        out.stdout.starts_with("Added ACME-1 (X) as needed. Next:") && !out.stdout.contains(", )"),
        "{out:?}"
    );
    // A denied item does not wait for its requester to "complete and submit".
    let denied = db.requested(&NewItem::new());
    db.run_as(
        &acc.approver,
        &["item", "deny", &denied, "--reason", "too broad"],
    )
    .ok();
    let show = db.run(&["item", "show", &denied]).ok();
    assert!(
        show.stdout
            .contains("reopen it with a narrower request, or cancel it")
            && !show.stdout.contains("complete and submit"),
        "{show:?}"
    );
    // A verified permanent item is ready, not waiting for support to revoke it.
    let ready = db.requested(&NewItem::new());
    db.run_as(&acc.approver, &["item", "approve", &ready]).ok();
    db.run(&["item", "grant", &ready]).ok();
    let out = db
        .run_as(
            &acc.security,
            &[
                "item",
                "verify",
                &ready,
                "--note",
                "checked role and owner in the admin UI",
            ],
        )
        .ok();
    assert!(out.stdout.starts_with("Verified ACME-"), "{out:?}");
    let show = db.run(&["item", "show", &ready]).ok();
    assert!(
        show.stdout.contains("next: nothing: ready") && !show.stdout.contains("support to revoke"),
        "{show:?}"
    );
    // Flagging a blocker says so, not "block: now verified".
    let out = db
        .run(&[
            "item",
            "block",
            &ready,
            "--reason",
            "client froze all changes",
        ])
        .ok();
    assert!(out.stdout.starts_with("Flagged ACME-"), "{out:?}");
    assert!(out.stdout.contains("as blocked"), "{out:?}");
}

#[test]
fn long_text_is_whole_in_a_pipe() {
    let db = Db::new();
    db.team();
    let system = "Enterprise Resource Planning Suite for the Northern Region Warehouses";
    db.add(&NewItem::new().set("--system", system));
    let out = db.run(&["item", "list"]).ok();
    assert!(out.stdout.contains(system), "{out:?}");
    assert!(!out.stdout.contains('…'), "{out:?}");
}

#[test]
fn an_imported_row_is_refused_by_line_and_column_not_by_flag() {
    let db = Db::new();
    db.team();
    let header = db.run(&["export", "--project", "ACME"]).ok().stdout;
    let header = header.lines().next().unwrap_or_default().to_string();
    let cells = header.split(',').count();
    // approver = the person importing: nobody approves their own request.
    let mut row: Vec<String> = vec![String::new(); cells];
    let col = |name: &str| header.split(',').position(|h| h == name).unwrap();
    for (name, value) in [
        ("system", "Jira"),
        ("purpose", "tickets"),
        ("role", "Viewer"),
        ("credential-owner", "Carol Client"),
        ("approver", db.me().as_str()),
        ("method", "vault"),
    ] {
        row[col(name)] = value.to_string();
    }
    let file = db.home().join("rows.csv");
    std::fs::write(&file, format!("{header}\n{}\n", row.join(","))).unwrap();
    let before = db.snapshot();
    let out = db
        .run(&["import", file.to_str().unwrap(), "--project", "ACME"])
        .refused("no-self-approval");
    assert!(
        out.stderr.contains("line 2, column approver") && !out.stderr.contains("--approver"),
        "{out:?}"
    );
    before.assert_same(&db.snapshot(), "refused import");
}
