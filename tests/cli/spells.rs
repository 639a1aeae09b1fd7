//! Closed blocking spells on a scripted history at fixed instants: spells that events
//! open and close (a flag, staleness, both), their count, median, p90, maximum and
//! histogram worked out by hand from the README's definitions, over all history and
//! over a period that leaves some out (through the store and the binary); `audit
//! verify` passes on the file and names a spell row changed, removed or planted with
//! `sqlite3`.

use super::store::fields;
use crate::common::{ok, run, skip, stderr};
use accessdesk::domain::machine::Action;
use accessdesk::domain::{NewProject, Role};
use accessdesk::identity::Identity;
use accessdesk::store::Store;
use accessdesk::store::report::{Measures, Window};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn who(login: &str, uid: u32) -> Identity {
    Identity {
        uid,
        login: login.into(),
    }
}

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

/// carol (admin, coordinator, support) and bob (approver).
struct Team {
    c: Store,
    b: Store,
}

impl Team {
    fn clock(&mut self, t: DateTime<Utc>) {
        self.c.set_now(t);
        self.b.set_now(t);
    }

    fn add(&mut self, project: &str, system: &str) -> String {
        self.clock(at(1, 9));
        let id = self.c.add_item(project, fields(system)).unwrap().id();
        self.c
            .act(&id, &Action::Submit { note: None }, None)
            .unwrap();
        id
    }

    fn block(&mut self, id: &str, when: DateTime<Utc>) {
        self.clock(when);
        let block = Action::Block {
            reason: "waiting for the client's admin".into(),
        };
        self.c.act(id, &block, None).unwrap();
    }

    fn unblock(&mut self, id: &str, when: DateTime<Utc>) {
        self.clock(when);
        self.c.act(id, &Action::Unblock, None).unwrap();
    }
}

/// Both projects start 1 June, so no item is overdue; the stale period is 3 days. ACME
/// keeps UTC, BETA Auckland's time (UTC+13 in March). Every item is added and submitted
/// on 1 March at 09:00 UTC; times below are UTC.
///
/// | item | what happens | spell | hours | ends |
/// |---|---|---|---|---|
/// | ACME-1 | flagged 2 Mar 09:00, unflagged 2 Mar 15:00 | manual | 6 | 2 Mar |
/// | ACME-2 | untouched until approved 6 Mar 09:00: stale from 4 Mar 09:00 | stale | 48 | 6 Mar |
/// | ACME-3 | flagged 1 Mar 10:00 (stale too from 4 Mar 10:00), unflagged 11 Mar 10:00 | stale, manual | 240 | 11 Mar |
/// | BETA-1 | stale from 4 Mar 09:00, flagged 5 Mar 09:00 (the spell goes on), unflagged 8 Mar 21:00 | stale, manual | 108 | 9 Mar in Auckland |
/// | BETA-2 | flagged 9 Mar 09:00, still flagged | open | - | - |
fn history(dir: &Path) -> (Team, PathBuf) {
    let db = dir.join("access.db");
    let roles = [Role::Admin, Role::Coordinator, Role::Support];
    let c = file(
        &db,
        &roles,
        &[("ACME", "UTC"), ("BETA", "Pacific/Auckland")],
    );
    let b = Store::open_as(&db, who("bob", 62002)).unwrap();
    let mut t = Team { c, b };
    let a1 = t.add("ACME", "Analytics");
    let a2 = t.add("ACME", "Website");
    let a3 = t.add("ACME", "Billing");
    let b1 = t.add("BETA", "Analytics");
    let b2 = t.add("BETA", "Website");
    // Written in the order it happened.
    t.block(&a3, at(1, 10));
    t.block(&a1, at(2, 9));
    t.unblock(&a1, at(2, 15));
    t.block(&b1, at(5, 9));
    t.clock(at(6, 9));
    let approve = Action::Approve { conditions: None };
    t.b.act(&a2, &approve, None).unwrap();
    t.unblock(&b1, at(8, 21));
    t.block(&b2, at(9, 9));
    t.unblock(&a3, at(11, 10));
    t.clock(at(12, 12));
    (t, db)
}

/// A new file at `db` as carol (with `roles`) on 1 March at 08:00, with bob (approver),
/// sam (security) and the projects `(key, zone)`, each starting 1 June.
fn file(db: &Path, roles: &[Role], projects: &[(&str, &str)]) -> Store {
    let mut c = Store::create_as(db, who("carol", 62001)).unwrap();
    c.set_now(at(1, 8));
    c.init(None).unwrap();
    c.add_person("carol", None, roles).unwrap();
    c.add_person("bob", None, &[Role::Approver]).unwrap();
    c.add_person("sam", None, &[Role::Security]).unwrap();
    for (key, tz) in projects {
        let p = NewProject {
            key: key.to_string(),
            name: key.to_string(),
            client: "Client".into(),
            start: NaiveDate::from_ymd_opt(2026, 6, 1),
            tz: Some(tz.to_string()),
            coordinator: None,
        };
        c.add_project(p).unwrap();
    }
    c
}

/// Checks the file with the binary, and returns the kind of the event that ended its
/// one spell, and the spell's reasons.
fn only_spell(db: &Path) -> (String, String) {
    let verified = ok(db, &["audit", "verify"]);
    assert!(verified.contains("the tables match the log"), "{verified}");
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(
        "SELECT e.kind, s.reasons FROM blocker_spells s JOIN events e ON e.seq = s.seq",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn project<'a>(r: &'a [Measures], key: &str) -> &'a Measures {
    r.iter()
        .find(|m| m.key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("no project {key}"))
}

/// (count, median, p90, max) of a measures object's closed spells.
fn figures(m: &Measures) -> (usize, f64, f64, f64) {
    let s = &m.spells;
    (
        s.closed_spells,
        s.closed_spell_hours_median,
        s.closed_spell_hours_p90,
        s.closed_spell_hours_max,
    )
}

fn histogram(m: &Measures) -> Value {
    json!(m.spells.closed_spell_histogram)
}

#[test]
fn closed_spells_over_all_history_and_over_a_period_equal_the_hand_computed_values() {
    let dir = tempfile::tempdir().unwrap();
    let (t, db) = history(dir.path());

    // All history at 12 Mar 12:00. ACME: 6, 48, 240 h: median 48, p90 the 3rd of 3
    // (⌈0.9 × 3⌉ = 3): 240. BETA: 108 h. Overall 6, 48, 108, 240: median
    // (48 + 108) / 2 = 78, p90 the 4th of 4: 240.
    let r = t.c.report_in(None, Window::default()).unwrap();
    let (acme, beta, o) = (
        project(&r.projects, "ACME"),
        project(&r.projects, "BETA"),
        &r.overall,
    );
    assert_eq!(figures(acme), (3, 48.0, 240.0, 240.0));
    assert_eq!(
        histogram(acme),
        json!({"under-1d": 1, "1d-3d": 1, "over-7d": 1})
    );
    assert_eq!(figures(beta), (1, 108.0, 108.0, 108.0));
    assert_eq!(histogram(beta), json!({"3d-7d": 1}));
    assert_eq!(figures(o), (4, 78.0, 240.0, 240.0));
    assert_eq!(
        histogram(o),
        json!({"under-1d": 1, "1d-3d": 1, "3d-7d": 1, "over-7d": 1})
    );
    // BETA-2's spell is open: it is an open blocker, not a closed spell.
    assert!(beta.open_blockers >= 1);

    // 3 to 10 March leaves out ACME-1 (ended 2 Mar) and ACME-3 (ended 11 Mar): ACME-2's
    // 48 h and BETA-1's 108 h remain. Median 78, p90 the 2nd of 2 (⌈1.8⌉ = 2): 108.
    let period = Window {
        since: Some(day(3)),
        until: Some(day(10)),
    };
    let r = t.c.report_in(None, period).unwrap();
    assert_eq!(figures(project(&r.projects, "ACME")), (1, 48.0, 48.0, 48.0));
    assert_eq!(figures(&r.overall), (2, 78.0, 108.0, 108.0));
    assert_eq!(histogram(&r.overall), json!({"1d-3d": 1, "3d-7d": 1}));
    // 3 to 8 March: BETA-1's spell ended on 8 March in UTC but on the 9th in BETA's
    // calendar, so only ACME-2's 48 h is left.
    let to_8th = Window {
        since: Some(day(3)),
        until: Some(day(8)),
    };
    let r = t.c.report_in(None, to_8th).unwrap();
    assert_eq!(figures(&r.overall), (1, 48.0, 48.0, 48.0));
    assert_eq!(figures(project(&r.projects, "BETA")).0, 0);
    // A period whose last day is 2 March holds ACME-1's 6 h only.
    let early = Window {
        since: None,
        until: Some(day(2)),
    };
    let r = t.c.report_in(None, early).unwrap();
    assert_eq!(figures(&r.overall), (1, 6.0, 6.0, 6.0));
    // One project's report counts its own spells.
    let r = t.c.report_in(Some("BETA"), period).unwrap();
    assert_eq!(figures(&r.overall), (1, 108.0, 108.0, 108.0));

    // The events that ended the spells say so, and the binary reports the same.
    let out = ok(
        &db,
        &[
            "report",
            "--since",
            "2026-03-03",
            "--until",
            "2026-03-10",
            "--json",
        ],
    );
    let j: Value = serde_json::from_str(&out).unwrap();
    let o = &j["overall"];
    assert_eq!(o["closed_spells"], 2, "{o}");
    assert_eq!(o["closed_spell_hours_median"], 78.0);
    assert_eq!(o["closed_spell_hours_p90"], 108.0);
    assert_eq!(o["closed_spell_hours_max"], 108.0);
    assert_eq!(o["closed_spell_histogram"], json!({"1d-3d": 1, "3d-7d": 1}));
    let text = ok(
        &db,
        &["report", "--since", "2026-03-03", "--until", "2026-03-10"],
    );
    assert!(
        text.contains(
            "Closed blocking spells: 2 ended in the period, lasting median 78.0 h, p90 108.0 h, \
             max 108.0 h (under 1 day 0, 1-3 days 1, 3-7 days 1, over 7 days 0)."
        ),
        "{text}"
    );
    let verified = ok(&db, &["audit", "verify"]);
    assert!(verified.contains("the tables match the log"), "{verified}");
}

#[test]
fn each_event_that_ended_a_spell_carries_it_and_its_row_matches() {
    let dir = tempfile::tempdir().unwrap();
    let (_t, db) = history(dir.path());
    let c = rusqlite::Connection::open(&db).unwrap();
    let rows: Vec<(String, String, String, String, String)> = c
        .prepare(
            "SELECT e.item, e.kind, s.since, s.until, s.reasons FROM blocker_spells s \
             JOIN events e ON e.seq = s.seq ORDER BY s.seq",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let want = [
        ("ACME-1", "unblock", (2, 9), (2, 15), "manual"),
        ("ACME-2", "approve", (4, 9), (6, 9), "stale"),
        ("BETA-1", "unblock", (4, 9), (8, 21), "stale,manual"),
        ("ACME-3", "unblock", (1, 10), (11, 10), "stale,manual"),
    ];
    let stamp = |(d, h): (u32, u32)| accessdesk::store::events::ts(at(d, h));
    let want: Vec<(String, String, String, String, String)> = want
        .iter()
        .map(|(i, k, s, u, r)| {
            (
                i.to_string(),
                k.to_string(),
                stamp(*s),
                stamp(*u),
                r.to_string(),
            )
        })
        .collect();
    assert_eq!(rows, want);
    let payload: String = c
        .query_row(
            "SELECT payload FROM events WHERE item = 'ACME-2' AND kind = 'approve'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let p: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(
        p["spell_ended"],
        json!({"since": stamp((4, 9)), "reasons": ["stale"]})
    );
}

/// Changes the file as someone with write access would: the `sqlite3` shell, or
/// rusqlite when it is missing.
fn tamper(db: &Path, sql: &str) {
    let shell = std::process::Command::new("sqlite3")
        .arg("-bail")
        .arg(db)
        .arg(sql)
        .output();
    match shell {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("sqlite3 failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) => {
            skip("the sqlite3 shell is not installed; tampering through rusqlite instead");
            let c = rusqlite::Connection::open(db).unwrap();
            c.execute_batch(sql).unwrap();
        }
    }
}

#[test]
fn audit_verify_names_a_spell_row_changed_removed_or_planted_behind_its_back() {
    let dir = tempfile::tempdir().unwrap();
    let (t, db) = history(dir.path());
    // Closed, so that the copies below hold every write.
    drop(t);
    let c = rusqlite::Connection::open(&db).unwrap();
    let seq: i64 = c
        .query_row(
            "SELECT s.seq FROM blocker_spells s JOIN events e ON e.seq = s.seq WHERE e.item = 'ACME-3'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(c);
    let copy = |name: &str| {
        let p = dir.path().join(name);
        std::fs::copy(&db, &p).unwrap();
        p
    };
    let verify = |p: &Path| {
        let out = run(p, &["audit", "verify"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out))
    };

    // A shorter spell: the start moved later.
    let shorter = copy("shorter.db");
    tamper(
        &shorter,
        &format!(
            "UPDATE blocker_spells SET since = '2026-03-10T10:00:00.000000Z' WHERE seq = {seq};"
        ),
    );
    let said = verify(&shorter);
    assert!(
        said.contains(&format!("blocker_spells seq {seq}: since")),
        "{said}"
    );

    // A spell removed.
    let removed = copy("removed.db");
    tamper(
        &removed,
        &format!("DELETE FROM blocker_spells WHERE seq = {seq};"),
    );
    let said = verify(&removed);
    assert!(
        said.contains(&format!(
            "blocker_spells seq {seq}: the events made this row, but the table does not have it"
        )),
        "{said}"
    );

    // A spell planted on an event that ended none.
    let planted = copy("planted.db");
    tamper(
        &planted,
        "INSERT INTO blocker_spells (seq, item_id, since, until, reasons) \
         SELECT seq, 1, at, at, 'manual' FROM events WHERE kind = 'block' ORDER BY seq LIMIT 1;",
    );
    let said = verify(&planted);
    assert!(
        said.contains("the row is in the table, but no event made it"),
        "{said}"
    );
}

/// The review path ends spells too: REV-1 is verified on 1 March; a review started on
/// the 2nd is due on the 5th, so from 6 March 00:00 (UTC) the access blocks as
/// `review-overdue`; sam certifies it on 7 March at 12:00, which ends a 36-hour spell.
#[test]
fn a_review_decision_ends_the_overdue_review_spell() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("access.db");
    let mut c = file(&db, &[Role::Admin, Role::Coordinator], &[("REV", "UTC")]);
    let mut b = Store::open_as(&db, who("bob", 62002)).unwrap();
    let mut s = Store::open_as(&db, who("sam", 62003)).unwrap();
    c.set_now(at(1, 9));
    let id = c.add_item("REV", fields("Analytics")).unwrap().id();
    c.act(&id, &Action::Submit { note: None }, None).unwrap();
    b.set_now(at(1, 10));
    b.act(&id, &Action::Approve { conditions: None }, None)
        .unwrap();
    c.set_now(at(1, 11));
    let grant = Action::Grant {
        method: None,
        note: None,
    };
    c.act(&id, &grant, None).unwrap();
    s.set_now(at(1, 12));
    let verify = Action::Verify {
        note: "checked in the admin console".into(),
        reference: None,
    };
    s.act(&id, &verify, None).unwrap();
    c.set_now(at(2, 9));
    c.start_review("REV", Some(day(5))).unwrap();
    s.set_now(at(7, 12));
    s.review_decide(
        &id,
        None,
        accessdesk::domain::review::Decision::Certify,
        None,
    )
    .unwrap();
    let r = s.report_in(None, Window::default()).unwrap();
    assert_eq!(figures(&r.overall), (1, 36.0, 36.0, 36.0));
    assert_eq!(histogram(&r.overall), json!({"1d-3d": 1}));
    drop((b, c, s));
    let (kind, reasons) = only_spell(&db);
    assert_eq!(
        (kind.as_str(), reasons.as_str()),
        ("review-decide", "review-overdue")
    );
}

/// An edit ends a spell too: ACME-1 is added on 2 March at 09:00 without a credential
/// owner (it blocks: `missing-fields`); naming one on 3 March at 13:00 ends a 28-hour
/// spell, which the edit's event carries and `audit verify` replays.
#[test]
fn an_edit_that_names_the_missing_credential_owner_ends_the_spell() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("access.db");
    let mut c = file(&db, &[Role::Admin, Role::Coordinator], &[("ACME", "UTC")]);
    c.set_now(at(2, 9));
    let unnamed = accessdesk::domain::ItemFields {
        credential_owner: String::new(),
        ..fields("Analytics")
    };
    let id = c.add_item("ACME", unnamed).unwrap().id();
    c.set_now(at(3, 13));
    let patch = accessdesk::domain::ItemPatch {
        credential_owner: Some("Client IT".into()),
        ..Default::default()
    };
    c.edit_item(&id, 1, &patch).unwrap();
    let r = c.report_in(None, Window::default()).unwrap();
    assert_eq!(figures(&r.overall), (1, 28.0, 28.0, 28.0));
    drop(c);
    let (kind, reasons) = only_spell(&db);
    assert_eq!(
        (kind.as_str(), reasons.as_str()),
        ("edit", "missing-fields")
    );
}
