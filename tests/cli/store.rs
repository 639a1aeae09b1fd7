//! The store's own defects, on real SQLite files: read commands that made a database
//! where none was (through the binary and through `Store::open`), and measures that
//! counted only part of what they name (deprovisioning, expiring exceptions, blockers
//! in the report). Also the size of the store's modules, which the split keeps small.

use crate::common;
use accessdesk::domain::machine::Action;
use accessdesk::domain::{Exception, ItemFields, Method, Role, State};
use accessdesk::identity::Identity;
use accessdesk::store::{self, ItemFilter, NewProject, Store};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::path::Path;

/// Runs the binary on `db` and returns (exit code, stdout, stderr).
fn run(db: &Path, args: &[&str]) -> (i32, String, String) {
    let out = common::run(db, args);
    (
        common::code(&out),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        common::stderr(&out),
    )
}

// ---- defect 4: read commands create files ------------------------------------------

#[test]
fn read_commands_on_a_missing_file_fail_and_make_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acess.db");
    let commands: [&[&str]; 6] = [
        &["item", "list"],
        &["report"],
        &["report", "--json"],
        &["audit", "verify"],
        &["people", "list"],
        &["task", "list"],
    ];
    for args in commands {
        let (code, stdout, stderr) = run(&db, args);
        assert_eq!(code, 1, "{args:?}: stdout {stdout:?} stderr {stderr:?}");
        assert!(
            stderr.contains(&format!(
                "no database at {} (create it with `accessdesk init",
                db.display()
            )),
            "{args:?}: {stderr}"
        );
        assert!(!stdout.contains("ok"), "{args:?}: {stdout}");
        for ext in ["", "-wal", "-shm"] {
            let mut p = db.as_os_str().to_owned();
            p.push(ext);
            assert!(
                !Path::new(&p).exists(),
                "{args:?} made {}",
                Path::new(&p).display()
            );
        }
    }
}

#[test]
fn a_missing_folder_is_named_and_not_made() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo").join("deeper").join("access.db");
    let (code, _, stderr) = run(&db, &["item", "list"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "there is no folder {}",
            dir.path().join("typo").display()
        )),
        "{stderr}"
    );
    assert!(!dir.path().join("typo").exists());
}

#[test]
fn init_makes_the_file_and_read_commands_then_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team").join("access.db");
    let (code, stdout, stderr) = run(&db, &["init"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("created"), "{stdout}");
    assert!(db.is_file());
    let (code, _, stderr) = run(&db, &["report", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(&db, &["audit", "verify"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn the_store_opens_only_an_existing_file_and_creates_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("access.db");
    match Store::open_as(&db, carol()) {
        Err(store::Error::Missing {
            path,
            missing_folder,
        }) => {
            assert_eq!(path, db);
            assert_eq!(missing_folder, None);
        }
        Err(e) => panic!("expected Missing, got {e}"),
        Ok(_) => panic!("opened a file that is not there"),
    }
    assert!(!db.exists());
    // A folder in place of the file is not a database either.
    std::fs::create_dir(dir.path().join("folder.db")).unwrap();
    assert!(matches!(
        Store::open_as(&dir.path().join("folder.db"), carol()),
        Err(store::Error::Open { .. })
    ));
    Store::create_as(&db, carol()).unwrap();
    assert!(db.is_file());
    Store::open_as(&db, carol()).unwrap();
}

// ---- defect 7: measures that lie ----------------------------------------------------

fn carol() -> Identity {
    Identity {
        uid: 62001,
        login: "carol".into(),
    }
}

fn bob() -> Identity {
    Identity {
        uid: 62002,
        login: "bob".into(),
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A file with carol (admin, coordinator, support), bob (approver), sam (security)
/// and project ACME in `tz`; returns carol's and bob's handles.
fn team(dir: &tempfile::TempDir, tz: &str) -> (Store, Store) {
    let db = dir.path().join("access.db");
    let mut c = Store::create_as(&db, carol()).unwrap();
    c.set_now(now());
    c.init(None).unwrap();
    c.add_person(
        "carol",
        None,
        &[Role::Admin, Role::Coordinator, Role::Support],
    )
    .unwrap();
    c.add_person("bob", Some("Bob Approver"), &[Role::Approver])
        .unwrap();
    c.add_person("sam", Some("Sam Security"), &[Role::Security])
        .unwrap();
    c.add_project(NewProject {
        key: "ACME".into(),
        name: "Acme".into(),
        client: "Acme Retail".into(),
        start: Some(date(2026, 4, 1)),
        tz: Some(tz.into()),
        coordinator: None,
    })
    .unwrap();
    let mut b = Store::open_as(&db, bob()).unwrap();
    b.set_now(now());
    (c, b)
}

/// A complete, safe item of `system` (also the measures' scripted history).
pub(crate) fn fields(system: &str) -> ItemFields {
    ItemFields {
        system: system.into(),
        purpose: "install tracking tags".into(),
        role: "Editor".into(),
        credential_owner: "Client IT".into(),
        approver: "bob".into(),
        method: Some(Method::DelegatedAccount),
        ..Default::default()
    }
}

pub(crate) fn temporary(system: &str, expires: NaiveDate) -> ItemFields {
    ItemFields {
        temporary: true,
        expires: Some(expires),
        ..fields(system)
    }
}

/// Adds an item and takes it to `granted` (approved by bob, granted by carol).
fn granted(c: &mut Store, b: &mut Store, f: ItemFields) -> String {
    let id = c.add_item("ACME", f).unwrap().id();
    c.act(&id, &Action::Submit { note: None }, None).unwrap();
    b.act(&id, &Action::Approve { conditions: None }, None)
        .unwrap();
    let it = c
        .act(
            &id,
            &Action::Grant {
                method: None,
                note: None,
            },
            None,
        )
        .unwrap();
    assert_eq!(it.state, State::Granted);
    id
}

fn revoke(c: &mut Store, id: &str) {
    c.act(
        id,
        &Action::Revoke {
            note: "removed in the client's admin console".into(),
        },
        None,
    )
    .unwrap();
}

fn deprovisioning(s: &Store) -> (usize, usize, f64) {
    let r = s.report(Some("ACME")).unwrap();
    let m = &r.projects[0];
    assert_eq!(
        (
            m.deprovisioning_due,
            m.deprovisioning_done,
            m.deprovisioning_completion
        ),
        (
            r.overall.deprovisioning_due,
            r.overall.deprovisioning_done,
            r.overall.deprovisioning_completion
        ),
        "one project: overall equals the project"
    );
    (
        m.deprovisioning_due,
        m.deprovisioning_done,
        m.deprovisioning_completion,
    )
}

#[test]
fn a_closed_project_with_live_grants_is_not_fully_deprovisioned() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut b) = team(&dir, "UTC");
    let ids: Vec<String> = ["GA4", "WordPress", "Shopify", "Stripe"]
        .iter()
        .map(|s| granted(&mut c, &mut b, fields(s)))
        .collect();
    // Never granted: its end never comes.
    c.add_item("ACME", fields("Jira")).unwrap();
    assert_eq!(
        deprovisioning(&c),
        (0, 0, 1.0),
        "open project, permanent access"
    );
    c.close_project("ACME").unwrap();
    assert_eq!(deprovisioning(&c), (4, 0, 0.0), "four grants still live");
    revoke(&mut c, &ids[0]);
    assert_eq!(deprovisioning(&c), (4, 1, 0.25));
    for id in &ids[1..] {
        revoke(&mut c, id);
    }
    assert_eq!(deprovisioning(&c), (4, 4, 1.0));
}

#[test]
fn temporary_access_is_due_on_its_expiry_day_in_the_project_zone() {
    let dir = tempfile::tempdir().unwrap();
    // 12:00 UTC on 10 March is already 11 March in Auckland (UTC+13).
    let (mut c, mut b) = team(&dir, "Pacific/Auckland");
    c.set_now(date(2026, 3, 9).and_hms_opt(12, 0, 0).unwrap().and_utc());
    b.set_now(c.now());
    let yesterday = granted(&mut c, &mut b, temporary("GA4", date(2026, 3, 10)));
    granted(&mut c, &mut b, temporary("Stripe", date(2026, 3, 11)));
    granted(&mut c, &mut b, temporary("Shopify", date(2026, 3, 12)));
    c.set_now(now());
    // Auckland's today is 11 March: the first two have come to their end.
    assert_eq!(deprovisioning(&c), (2, 0, 0.0));
    revoke(&mut c, &yesterday);
    assert_eq!(deprovisioning(&c), (2, 1, 0.5));
}

#[test]
fn expiring_lists_security_exceptions_as_well_as_temporary_access() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, _) = team(&dir, "UTC");
    let exception = |expires| {
        Some(Box::new(Exception {
            reason: "the client's tool has no delegated access".into(),
            owner: Some("sam".into()),
            expires: Some(expires),
        }))
    };
    let soon = c
        .add_item(
            "ACME",
            ItemFields {
                exception: exception(date(2026, 3, 15)),
                ..fields("GA4")
            },
        )
        .unwrap()
        .id();
    let later = c
        .add_item(
            "ACME",
            ItemFields {
                exception: exception(date(2026, 6, 1)),
                ..fields("Stripe")
            },
        )
        .unwrap()
        .id();
    let temp = c
        .add_item("ACME", temporary("Shopify", date(2026, 3, 20)))
        .unwrap()
        .id();
    c.add_item("ACME", fields("Jira")).unwrap();
    let listed = |c: &Store, days| -> Vec<String> {
        c.list_items(&ItemFilter {
            expiring_days: Some(days),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|v| v.item.id())
        .collect()
    };
    assert_eq!(listed(&c, 7), vec![soon.clone()]);
    assert_eq!(listed(&c, 14), vec![soon.clone(), temp.clone()]);
    assert_eq!(
        listed(&c, 90),
        vec![soon.clone(), temp.clone(), later.clone()],
        "soonest first"
    );
    // An exception that has expired stays listed: it is overdue, not gone.
    c.set_now(Utc.with_ymd_and_hms(2026, 3, 18, 12, 0, 0).unwrap());
    assert_eq!(listed(&c, 0), vec![soon]);
}

#[test]
fn the_report_counts_the_blockers_the_item_list_shows() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, _) = team(&dir, "UTC");
    c.add_item("ACME", fields("GA4")).unwrap();
    c.add_item("ACME", fields("Stripe")).unwrap();
    let open_blockers = |c: &Store| c.report(Some("ACME")).unwrap().projects[0].open_blockers;
    let blocking = |c: &Store| {
        c.list_items(&ItemFilter::default())
            .unwrap()
            .iter()
            .filter(|v| v.blocking())
            .count()
    };
    assert_eq!((blocking(&c), open_blockers(&c)), (0, 0));
    // Renamed into the credential owner: bob may no longer decide on either item.
    c.add_person("bob", Some("Client IT"), &[Role::Approver])
        .unwrap();
    assert_eq!(blocking(&c), 2);
    assert_eq!(open_blockers(&c), 2, "the report agrees with the list");
}

#[test]
fn store_modules_stay_under_600_lines() {
    // Files of the module folders too (`replay/facts.rs`).
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a folder of src/store") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let lines = std::fs::read_to_string(&path)
                .expect("read")
                .lines()
                .count();
            assert!(lines < 600, "{} has {lines} lines", path.display());
        }
    }
}

#[test]
fn an_expired_security_exception_on_live_access_blocks_and_shows_as_expiring() {
    let dir = tempfile::tempdir().unwrap();
    let (mut c, mut b) = team(&dir, "UTC");
    let mut s = Store::open_as(
        &dir.path().join("access.db"),
        Identity {
            uid: 62003,
            login: "sam".into(),
        },
    )
    .unwrap();
    s.set_now(now());
    let with_exception = ItemFields {
        exception: Some(Box::new(Exception {
            reason: "the client's tool has no delegated access".into(),
            owner: Some("carol".into()),
            expires: Some(date(2026, 3, 20)),
        })),
        ..fields("Legacy CRM")
    };
    let id = c.add_item("ACME", with_exception).unwrap().id();
    c.act(&id, &Action::Submit { note: None }, None).unwrap();
    b.act(&id, &Action::Approve { conditions: None }, None)
        .unwrap();
    s.act(&id, &Action::Approve { conditions: None }, None)
        .unwrap();
    c.act(
        &id,
        &Action::Grant {
            method: None,
            note: None,
        },
        None,
    )
    .unwrap();
    // Whoever granted does not verify: sam does.
    s.act(
        &id,
        &Action::Verify {
            note: "checked role and owner in the CRM's user list".into(),
            reference: None,
        },
        None,
    )
    .unwrap();
    assert!(c.item_view(&id).unwrap().reasons.is_empty());
    // Two days after the exception's last day, the verified access blocks, since the
    // day after its last day began.
    c.set_now(date(2026, 3, 22).and_hms_opt(9, 0, 0).unwrap().and_utc());
    let v = c.item_view(&id).unwrap();
    assert!(
        v.reasons.iter().any(|r| r.code() == "exception-expired"),
        "{:?}",
        v.reasons
    );
    assert_eq!(
        v.blocked_since,
        Some(date(2026, 3, 21).and_hms_opt(0, 0, 0).unwrap().and_utc())
    );
    let blocked = c
        .list_items(&ItemFilter {
            blocked: true,
            ..Default::default()
        })
        .unwrap();
    assert!(blocked.iter().any(|v| v.item.id() == id));
    let expiring = c
        .list_items(&ItemFilter {
            expiring_days: Some(0),
            ..Default::default()
        })
        .unwrap();
    assert!(expiring.iter().any(|v| v.item.id() == id));
}
