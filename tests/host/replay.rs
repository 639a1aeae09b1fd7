//! `audit verify` replays the event log and compares it with the tables: a row changed
//! with the `sqlite3` shell (a role granted, an approval inserted, a state or a field
//! changed) fails it, naming table, key and column; a history that uses every action
//! verifies clean; and a file written by the previous version (schema 5, whose events
//! did not record every value) gets its baseline once and verifies from it.

use accessdesk::domain::machine::Action;
use accessdesk::domain::{Deprovision, Exception, ItemFields, ItemPatch, Method, Role};
use accessdesk::identity::Identity;
use accessdesk::store::{NewProject, Store};
use chrono::NaiveDate;
use rusqlite::Connection;
use std::path::Path;
use std::process::Command;

use crate::common::*;

/// The file `demo --no-tui` writes: people in every role, projects, a history of every
/// kind of move by several people, and tasks.
fn demo_file() -> Db {
    let db = Db::unopened("demo.db");
    db.run(&["demo", "--no-tui"]).ok();
    db
}

/// Runs SQL with the `sqlite3` shell, as anyone who can write the file could.
fn sqlite3(db: &Path, sql: &str) {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("the sqlite3 shell is installed");
    assert!(out.status.success(), "{sql}: {}", stderr(&out));
}

/// `audit verify` after `sql`: it exits 1 and names what `sql` changed.
#[track_caller]
fn caught(sql: &str, named: &str) {
    let db = demo_file();
    db.run(&["audit", "verify"]).ok();
    sqlite3(&db.path, sql);
    let out = db.run(&["audit", "verify"]).code(1);
    assert!(
        out.stderr.contains(named),
        "after {sql}\nexpected {named:?} in:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("the tables differ from the event log"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_role_granted_with_sqlite3_is_named() {
    caught(
        "UPDATE people SET roles = 'admin,coordinator,security,approver,support' WHERE login = 'hugo'",
        "people hugo: roles is 'admin,coordinator,security,approver,support' in the table, replay says 'support'",
    );
    caught(
        "INSERT INTO people VALUES ('mallory', 'Mallory', 'admin', '2026-01-01T00:00:00.000000Z', 1)",
        "people mallory: the row is in the table, but no event made it",
    );
}

#[test]
fn an_approval_inserted_with_sqlite3_is_named() {
    caught(
        "INSERT INTO approvals (item_id, round, login, capacity, conditions, at) \
         SELECT id, round, 'frank', 'security', NULL, '2026-11-30T10:00:00.000000Z' \
         FROM items WHERE project = 'ACME' AND number = 3",
        "security: the row is in the table, but no event made it",
    );
    // A forged approval's signer changed in place.
    caught(
        "UPDATE approvals SET login = 'mallory' WHERE id = (SELECT min(id) FROM approvals)",
        "login is 'mallory' in the table, replay says",
    );
}

#[test]
fn a_state_changed_with_sqlite3_is_named_with_the_last_event() {
    let db = demo_file();
    let c = db.ro();
    let (id, state, seq): (String, String, i64) = c
        .query_row(
            "SELECT i.project || '-' || i.number, i.state, \
                    (SELECT max(seq) FROM events e WHERE e.item = i.project || '-' || i.number) \
             FROM items i WHERE i.state = 'requested' ORDER BY i.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    drop(c);
    let (key, n) = id.rsplit_once('-').unwrap();
    sqlite3(
        &db.path,
        &format!("UPDATE items SET state = 'approved' WHERE project = '{key}' AND number = {n}"),
    );
    let out = db.run(&["audit", "verify"]).code(1);
    let want = format!(
        "items {id}: state is 'approved' in the table, replay says '{state}' (last event seq {seq})"
    );
    assert!(out.stderr.contains(&want), "{want}\n{}", out.stderr);
}

#[test]
fn a_field_changed_with_sqlite3_is_named() {
    caught(
        "UPDATE items SET privileged = 0 WHERE project = 'ACME' AND privileged = 1",
        "privileged is '0' in the table, replay says '1'",
    );
    caught(
        "UPDATE tasks SET title = 'Something else' WHERE id = 1",
        "title is 'Something else' in the table",
    );
    caught(
        "DELETE FROM task_needs WHERE (task_id, item_id) = (SELECT task_id, item_id FROM task_needs LIMIT 1)",
        "needs is",
    );
}

#[test]
fn a_table_the_replay_does_not_know_is_named() {
    caught(
        "CREATE TABLE shadow_approvals (item TEXT, login TEXT)",
        "table shadow_approvals: the replay does not know this table",
    );
}

fn who(uid: u32, login: &str) -> Identity {
    Identity {
        uid,
        login: login.to_string(),
    }
}

fn fields(system: &str, approver: &str) -> ItemFields {
    ItemFields {
        system: system.into(),
        purpose: "go-live checks".into(),
        role: "Analyst".into(),
        holder: Some("Hal Holder".into()),
        credential_owner: "Client IT".into(),
        approver: approver.into(),
        method: Some(Method::DelegatedAccount),
        ..Default::default()
    }
}

/// Every action of the app, by the people allowed to make it, through the library
/// (several people in one process) and the binary (an import).
#[test]
fn a_history_that_uses_every_action_verifies_clean() {
    let db = Db::unopened("history.db");
    let path = db.path.clone();
    let at = |login: &str, uid: u32| Store::open_as(&path, who(uid, login)).unwrap();
    let mut carol = Store::create_as(&path, who(71001, "carol")).unwrap();
    carol.init(None).unwrap();
    carol
        .add_person("alice", Some("Alice"), &[Role::Approver])
        .unwrap();
    carol
        .add_person("sam", Some("Sam"), &[Role::Security])
        .unwrap();
    carol
        .add_person("sue", Some("Sue"), &[Role::Security])
        .unwrap();
    carol
        .add_person("pat", Some("Pat"), &[Role::Support])
        .unwrap();
    carol.add_person("dana", None, &[Role::Approver]).unwrap();
    // A change of name and roles.
    carol
        .add_person("dana", Some("Dana D"), &[Role::Approver, Role::Security])
        .unwrap();
    carol
        .add_person(&db.me(), None, &[Role::Coordinator])
        .unwrap();
    carol
        .add_project(NewProject {
            key: "ACME".into(),
            name: " Acme rollout ".into(),
            client: "Acme Inc".into(),
            start: NaiveDate::from_ymd_opt(2030, 1, 15),
            tz: Some("UTC".into()),
            coordinator: None,
        })
        .unwrap();
    carol
        .add_project(NewProject {
            key: "OLD".into(),
            name: "Old work".into(),
            client: "Acme Inc".into(),
            start: NaiveDate::from_ymd_opt(2030, 1, 15),
            tz: Some("UTC".into()),
            coordinator: None,
        })
        .unwrap();
    let (mut alice, mut sam, mut sue, mut pat) = (
        at("alice", 71002),
        at("sam", 71003),
        at("sue", 71004),
        at("pat", 71005),
    );

    // The full path, with a return, a denial and a reopen on the way.
    let a = carol
        .add_item("ACME", fields("Stripe", "alice"))
        .unwrap()
        .id();
    carol
        .act(
            &a,
            &Action::Block {
                reason: "client on leave".into(),
            },
            None,
        )
        .unwrap();
    pat.act(&a, &Action::Unblock, None).unwrap();
    carol.act(&a, &Action::Submit { note: None }, None).unwrap();
    alice
        .act(
            &a,
            &Action::Return {
                reason: "narrow the role".into(),
            },
            None,
        )
        .unwrap();
    let v = carol.item(&a).unwrap().version;
    let narrowed = ItemPatch {
        role: Some("Viewer".into()),
        notes: Some("weekdays".into()),
        ..Default::default()
    };
    carol.edit_item(&a, v, &narrowed).unwrap();
    carol
        .act(
            &a,
            &Action::Submit {
                note: Some("narrowed".into()),
            },
            None,
        )
        .unwrap();
    alice
        .act(
            &a,
            &Action::Deny {
                reason: "not before the contract".into(),
            },
            None,
        )
        .unwrap();
    carol.act(&a, &Action::Reopen { note: None }, None).unwrap();
    carol.act(&a, &Action::Submit { note: None }, None).unwrap();
    alice
        .act(
            &a,
            &Action::Approve {
                conditions: Some("review in 90 days".into()),
            },
            None,
        )
        .unwrap();
    pat.act(
        &a,
        &Action::Grant {
            method: Some(Method::DelegatedAccount),
            note: None,
        },
        None,
    )
    .unwrap();
    pat.act(
        &a,
        &Action::Note {
            text: "invitation accepted".into(),
        },
        None,
    )
    .unwrap();
    // Whoever granted does not verify: carol does, recording where.
    carol
        .act(
            &a,
            &Action::Verify {
                note: "scope checked with the client".into(),
                reference: Some("TICKET-12".into()),
            },
            None,
        )
        .unwrap();
    // A field that is not material, edited on live access.
    let v = carol.item(&a).unwrap().version;
    carol
        .edit_item(
            &a,
            v,
            &ItemPatch {
                purpose: Some("reporting".into()),
                ..Default::default()
            },
        )
        .unwrap();
    pat.act(
        &a,
        &Action::Revoke {
            note: "removed in the console".into(),
        },
        None,
    )
    .unwrap();

    // A flagged item: approved by owner and security, then a material edit lapses both.
    let mut flagged = fields("AWS", "alice");
    flagged.privileged = true;
    flagged.temporary = true;
    flagged.expires = NaiveDate::from_ymd_opt(2030, 6, 30);
    flagged.deprovision = Some(Deprovision::OnDate);
    flagged.exception = Some(Box::new(Exception {
        reason: "legacy root account".into(),
        owner: Some("sam".into()),
        expires: NaiveDate::from_ymd_opt(2030, 3, 31),
    }));
    let b = carol.add_item("ACME", flagged).unwrap().id();
    carol.act(&b, &Action::Submit { note: None }, None).unwrap();
    alice
        .act(&b, &Action::Approve { conditions: None }, None)
        .unwrap();
    sue.act(
        &b,
        &Action::Approve {
            conditions: Some("MFA enforced".into()),
        },
        None,
    )
    .unwrap();
    let v = carol.item(&b).unwrap().version;
    let wider = ItemPatch {
        role: Some("Administrator".into()),
        ..Default::default()
    };
    let lapsed = carol.edit_item(&b, v, &wider).unwrap();
    assert_eq!((lapsed.state.as_str(), lapsed.round), ("needed", 1));
    carol
        .act(
            &b,
            &Action::Cancel {
                note: Some("not needed after all".into()),
            },
            None,
        )
        .unwrap();

    // Break-glass by one security person, the retrospective closed by another.
    let c = carol
        .add_item("ACME", fields("Cloudflare", "alice"))
        .unwrap()
        .id();
    sam.act(
        &c,
        &Action::BreakGlass {
            reason: "site down".into(),
        },
        None,
    )
    .unwrap();
    sue.act(
        &c,
        &Action::CloseRetro {
            note: "justified; rotated after".into(),
            outcome: accessdesk::domain::lifecycle::RetroOutcome::Accepted,
        },
        None,
    )
    .unwrap();

    // An unsafe channel reported, a task, and a project closed.
    pat.record_unsafe_channel(&c, "email", "owner offered a password by mail")
        .unwrap();
    carol
        .add_task("ACME", "Go live", &[a.clone(), c.clone()], None)
        .unwrap();
    carol.add_item("OLD", fields("Jira", "alice")).unwrap();
    carol.close_project("OLD").unwrap();

    // The end of access: the reported credential rotated, a project reopened, its
    // start moved and closed again, a retrospective that revokes.
    pat.act(
        &c,
        &Action::Rotated {
            note: "rotated by the owner; the old one is refused".into(),
        },
        None,
    )
    .unwrap();
    carol.reopen_project("OLD").unwrap();
    carol
        .move_project_start("OLD", NaiveDate::from_ymd_opt(2031, 1, 5).unwrap())
        .unwrap();
    carol.close_project("OLD").unwrap();
    let d = carol
        .add_item("ACME", fields("Fastly", "alice"))
        .unwrap()
        .id();
    sam.act(
        &d,
        &Action::BreakGlass {
            reason: "cache poisoned".into(),
        },
        None,
    )
    .unwrap();
    let revoked = sue
        .act(
            &d,
            &Action::CloseRetro {
                note: "not justified".into(),
                outcome: accessdesk::domain::lifecycle::RetroOutcome::Revoke,
            },
            None,
        )
        .unwrap();
    assert_eq!(revoked.state.as_str(), "revoked");
    drop((alice, sam, sue, pat, carol));

    // An import through the binary, as the OS account running the tests.
    let csv = db.home().join("rows.csv");
    std::fs::write(
        &csv,
        "system,purpose,role,holder,credential-owner,approver,method,temporary,expires,deprovision,privileged,shared-credential,client-owned,exception,exception-owner,exception-expires,needed-by,notes\n\
         Jira,triage,Developer,Sam,Client IT,alice,sso-invite,no,,,no,no,no,,,,,imported\n\
         Stripe,billing,Analyst,,Client Finance,alice,vault,yes,2030-03-01,on-date,yes,no,no,,,,2030-01-10,\n",
    )
    .unwrap();
    db.run(&["import", "--project", "ACME", csv.to_str().unwrap()])
        .ok();

    let kinds: Vec<String> = db
        .ro()
        .prepare("SELECT DISTINCT kind FROM events ORDER BY kind")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for kind in [
        "person",
        "project-add",
        "project-close",
        "item-add",
        "task-add",
        "edit",
        "submit",
        "approve",
        "deny",
        "return",
        "grant",
        "verify",
        "revoke",
        "cancel",
        "reopen",
        "block",
        "unblock",
        "break-glass",
        "close-retro",
        "note",
        "unsafe-attempt",
        "rotated",
        "project-reopen",
        "project-edit",
    ] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "no {kind} event in {kinds:?}"
        );
    }
    let out = db.run(&["audit", "verify"]).ok();
    assert!(
        out.stdout
            .contains("replayed from seq 1: the tables match the log"),
        "{}",
        out.stdout
    );
    let json = db.run(&["audit", "verify", "--json"]).ok().json();
    assert_eq!(json["replay"]["ok"], true, "{json}");
    assert_eq!(json["replay"]["from_seq"], 1, "{json}");
}

/// A file the previous version wrote: `tests/data/schema5-demo.sql` is the `sqlite3`
/// dump of a file made by accessdesk at schema 5 (its demo, then an import, an unsafe
/// attempt, an unblock, an edit, a task and a submit), whose events recorded no field
/// values for edits and no old values at all.
fn schema5_file() -> Db {
    let db = Db::unopened("old.db");
    let c = Connection::open(&db.path).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    c.execute_batch(include_str!("../data/schema5-demo.sql"))
        .unwrap();
    drop(c);
    std::fs::set_permissions(
        &db.path,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    db
}

fn count(db: &Db, sql: &str) -> i64 {
    db.ro().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_file_written_by_the_previous_version_gets_its_baseline_once_and_verifies() {
    let db = schema5_file();
    let head = count(&db, "SELECT max(seq) FROM events");
    let rows = count(
        &db,
        "SELECT (SELECT count(*) FROM people) + (SELECT count(*) FROM projects) \
              + (SELECT count(*) FROM items) + (SELECT count(*) FROM tasks)",
    );
    // Its own edit event says which fields changed, not to what: no replay from seq 1.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM events WHERE kind = 'edit' AND payload NOT LIKE '%\"fields\"%'"
        ),
        2
    );

    let out = db.run(&["audit", "verify"]).ok();
    let want = format!(
        "replayed from seq {}; earlier events checked by the chain only",
        head + 1
    );
    assert!(out.stdout.contains(&want), "{want}\n{}", out.stdout);
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE kind = 'baseline'"),
        rows
    );
    assert_eq!(
        count(&db, "SELECT min(seq) FROM events WHERE kind = 'baseline'"),
        head + 1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM meta WHERE key = 'baseline-pending'"
        ),
        0
    );

    // Once: opening it again writes no second set.
    db.run(&["item", "list"]).ok();
    db.run(&["audit", "verify"]).ok();
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE kind = 'baseline'"),
        rows
    );

    // Changes after the baseline replay onto it; a direct edit is still caught.
    db.run(&[
        "item",
        "note",
        "ACME-1",
        "--note",
        "checked after the upgrade",
    ])
    .ok();
    db.run(&[
        "item",
        "block",
        "ACME-12",
        "--reason",
        "waiting for the contract",
    ])
    .ok();
    let out = db.run(&["audit", "verify"]).ok();
    assert!(out.stdout.contains(&want), "{}", out.stdout);
    sqlite3(
        &db.path,
        "UPDATE people SET roles = 'admin' WHERE login = 'jonas'",
    );
    let out = db.run(&["audit", "verify"]).code(1);
    assert!(
        out.stderr
            .contains("people jonas: roles is 'admin' in the table, replay says 'support'"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_file_made_by_this_version_needs_no_baseline() {
    let db = demo_file();
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE kind = 'baseline'"),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM meta WHERE key LIKE 'baseline%'"),
        0
    );
    let out = db.run(&["audit", "verify"]).ok();
    assert!(
        out.stdout.contains("replayed from seq 1: the tables match"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_planted_trigger_is_refused_at_the_next_write_and_named_by_verify() {
    let db = demo_file();
    sqlite3(
        &db.path,
        "CREATE TRIGGER approve_all AFTER UPDATE ON items BEGIN \
         UPDATE items SET state = 'approved' WHERE state = 'requested'; END;",
    );
    let before = std::fs::read(&db.path).unwrap();
    let out = db
        .run(&["item", "note", "ACME-1", "--note", "called the client"])
        .refused("schema-version");
    assert!(out.stderr.contains("approve_all"), "{}", out.stderr);
    assert_eq!(
        std::fs::read(&db.path).unwrap(),
        before,
        "the file was written"
    );
    let out = db.run(&["audit", "verify"]).code(1);
    assert!(out.stderr.contains("approve_all"), "{}", out.stderr);
    sqlite3(&db.path, "DROP TRIGGER approve_all;");
    db.run(&["item", "note", "ACME-1", "--note", "called the client"])
        .ok();
}

/// The report counts the approvals given as security from a partial index; an index
/// left behind its rows (here: an approval written while SQLite did not know the
/// index, as a damaged or hand-edited file could have it) is named by `audit verify`.
#[test]
fn an_index_the_report_counts_from_that_disagrees_with_its_rows_is_named() {
    let db = demo_file();
    db.run(&["audit", "verify"]).ok();
    let c = Connection::open(&db.path).unwrap();
    let (kind, name, table, root, sql): (String, String, String, i64, String) = c
        .query_row(
            "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema WHERE name = 'approvals_security'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    c.execute_batch(
        "PRAGMA writable_schema = ON; DELETE FROM sqlite_schema WHERE name = 'approvals_security';",
    )
    .unwrap();
    drop(c);
    let c = Connection::open(&db.path).unwrap();
    c.execute(
        "INSERT INTO approvals (item_id, round, login, capacity, at) \
         SELECT id, round, 'not-the-requester', 'security', '2026-01-01T00:00:00.000000Z' FROM items LIMIT 1",
        [],
    )
    .unwrap();
    drop(c);
    let c = Connection::open(&db.path).unwrap();
    c.execute_batch("PRAGMA writable_schema = ON;").unwrap();
    c.execute(
        "INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![kind, name, table, root, sql],
    )
    .unwrap();
    drop(c);
    // The rows, not the index: the planner would count the index's entries.
    let listed = count(
        &db,
        "SELECT count(*) FROM approvals NOT INDEXED WHERE capacity = 'security'",
    ) - 1;
    assert!(listed > 0);
    let out = db.run(&["audit", "verify"]).code(1);
    let named = format!(
        "index approvals_security lists {listed} approvals given as security where the rows hold {}",
        listed + 1
    );
    assert!(out.stderr.contains(&named), "{named}\n{}", out.stderr);
}

/// The header reads readiness from the counts SQLite keeps with every write
/// (`item_counts`); a count changed with `sqlite3` is named by `audit verify`, with
/// the count the rows hold.
#[test]
fn a_kept_count_changed_with_sqlite3_is_named() {
    let db = demo_file();
    db.run(&["audit", "verify"]).ok();
    let (project, state, n): (String, String, i64) = db
        .ro()
        .query_row(
            "SELECT project, state, count(*) FROM items GROUP BY project, state ORDER BY 3 DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    sqlite3(
        &db.path,
        &format!("UPDATE item_counts SET n = 0 WHERE project = '{project}' AND state = '{state}'"),
    );
    let out = db.run(&["audit", "verify"]).code(1);
    let named = format!(
        "table item_counts counts 0 items of {project} in state {state} where the rows hold {n}"
    );
    assert!(out.stderr.contains(&named), "{named}\n{}", out.stderr);
}

/// An index planted under the name of one the report counts from, which cannot serve
/// its query, is named by `audit verify` with the other problems, not an abort.
#[test]
fn an_index_planted_under_a_counted_name_is_named() {
    caught(
        "DROP INDEX events_security; \
         CREATE INDEX events_security ON events(project, seq) WHERE kind = 'delegate';",
        "index events_security cannot be read against its rows",
    );
}

#[test]
fn a_plain_log_rewritten_with_recomputed_links_passes_alone_and_fails_the_anchor() {
    let db = demo_file();
    let anchor = db.home().join("anchor.json");
    db.run(&["audit", "anchor", anchor.to_str().unwrap()]).ok();
    // Whoever can write a plain team file can rewrite a note and every link after it:
    // the tables still agree with the log.
    let kinds: Vec<String> = db
        .ro()
        .prepare("SELECT kind FROM events ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let note = kinds
        .iter()
        .position(|k| k == "note")
        .expect("the demo has a note");
    rewrite_log(&db.path, note, |i, _, payload| {
        (i == note).then(|| {
            let mut v: serde_json::Value = serde_json::from_str(payload).unwrap();
            v["note"] = serde_json::json!("nothing was ever said here");
            v.to_string()
        })
    });
    // Plain mode cannot tell: the chain holds and the tables agree.
    let alone = db.run(&["audit", "verify"]).ok();
    assert!(alone.stdout.starts_with("ok:"), "{}", alone.stdout);
    // The anchor kept elsewhere can.
    db.run(&["audit", "verify", "--anchor", anchor.to_str().unwrap()])
        .code(1);
}

/// The columns that keep each item's life (when it entered each state on its way to
/// ready, when it was revoked and cancelled), as (item, values) in item order.
fn lives(db: &Db) -> Vec<(String, [Option<String>; 6])> {
    db.ro()
        .prepare(
            "SELECT project || '-' || number, submitted_at, approved_at, granted_at, verified_at, \
             revoked_at, cancelled_at FROM items ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                [
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ],
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn an_items_life_changed_with_sqlite3_is_named() {
    caught(
        "UPDATE items SET verified_at = '2020-01-01T00:00:00.000000Z' WHERE project = 'ACME' AND number = 1",
        "items ACME-1: verified_at is '2020-01-01T00:00:00.000000Z' in the table, replay says",
    );
    caught(
        "UPDATE items SET submitted_at = NULL WHERE project = 'ACME' AND number = 1",
        "items ACME-1: submitted_at is empty in the table, replay says '",
    );
}

#[test]
fn the_migration_fills_each_items_life_from_the_log_as_the_writes_keep_it() {
    let db = demo_file();
    let kept = lives(&db);
    // Every kind of time is there in the demo's history.
    for i in 0..6 {
        assert!(kept.iter().any(|(_, l)| l[i].is_some()), "column {i}");
    }
    // The file as schema 15 had it: no life columns, the index of forward events and
    // not that of decisions, no table of closed spells (its rows set aside, as the
    // migration to schema 17 cannot know them), nor the indexes of schema 18, nor the
    // counts of schema 19, nor the items' packed facts of schemas 20 to 22.
    let c = Connection::open(&db.path).unwrap();
    let aside: Vec<[rusqlite::types::Value; 5]> = c
        .prepare("SELECT seq, item_id, since, until, reasons FROM blocker_spells")
        .unwrap()
        .query_map([], |r| {
            Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    c.execute_batch(
        "DROP TABLE blocker_spells;
         DROP INDEX events_decided;
         DROP INDEX approvals_security; DROP INDEX events_security;
         DROP TABLE item_counts;
         DROP TRIGGER item_facts_removed; DROP TABLE item_facts;
         DROP TABLE fact_pages; DROP TABLE fact_pages_stale;
         ALTER TABLE items DROP COLUMN submitted_at; ALTER TABLE items DROP COLUMN approved_at;
         ALTER TABLE items DROP COLUMN granted_at; ALTER TABLE items DROP COLUMN verified_at;
         ALTER TABLE items DROP COLUMN revoked_at; ALTER TABLE items DROP COLUMN cancelled_at;
         CREATE INDEX events_forward ON events(kind, project, item, at, (CASE WHEN json_valid(payload) THEN payload ->> '$.to' END))
             WHERE kind = 'submit' OR kind = 'approve' OR kind = 'grant' OR kind = 'verify' OR kind = 'break-glass';
         PRAGMA user_version = 15;",
    )
    .unwrap();
    drop(c);
    db.run(&["item", "list"]).ok();
    assert_eq!(
        count(&db, "PRAGMA user_version"),
        accessdesk::store::schema::latest() as i64
    );
    assert_eq!(lives(&db), kept);
    let c = Connection::open(&db.path).unwrap();
    for row in &aside {
        c.execute(
            "INSERT INTO blocker_spells (seq, item_id, since, until, reasons) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params_from_iter(row),
        )
        .unwrap();
    }
    drop(c);
    let out = db.run(&["audit", "verify"]).ok();
    assert!(out.stdout.contains("the tables match"), "{}", out.stdout);
}
