//! The measures over a period, on a scripted history at fixed instants: each figure of
//! the report equals the value worked out by hand from its definition in the README,
//! over all history (at a fixed clock) and over periods that leave part of the
//! history out (through the store and through the real binary), and `audit verify`
//! still passes.

use super::store::{fields, temporary};
use crate::common::ok;
use accessdesk::domain::machine::Action;
use accessdesk::domain::{ItemFields, NewProject, Role};
use accessdesk::identity::Identity;
use accessdesk::store::Store;
use accessdesk::store::report::{Measures, Window};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::Value;

fn who(login: &str, uid: u32) -> Identity {
    Identity {
        uid,
        login: login.into(),
    }
}

fn at(m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, 9, 0, 0).unwrap()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// The report's clock.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
}

/// carol (admin, coordinator, support), bob (approver), sam (security).
struct Team {
    c: Store,
    b: Store,
    s: Store,
}

impl Team {
    fn clock(&mut self, t: DateTime<Utc>) {
        for s in [&mut self.c, &mut self.b, &mut self.s] {
            s.set_now(t);
        }
    }

    /// Adds an item on `added` and submits it. Returns its id.
    fn add(&mut self, project: &str, f: ItemFields, added: DateTime<Utc>) -> String {
        self.clock(added);
        let id = self.c.add_item(project, f).unwrap().id();
        self.c
            .act(&id, &Action::Submit { note: None }, None)
            .unwrap();
        id
    }

    /// Approves (as security too when `privileged`) and grants `id` an hour before
    /// `verified`, and verifies it then.
    fn verify(&mut self, id: &str, privileged: bool, verified: DateTime<Utc>) {
        self.clock(verified - chrono::Duration::hours(1));
        let approve = Action::Approve { conditions: None };
        self.b.act(id, &approve, None).unwrap();
        if privileged {
            self.s.act(id, &approve, None).unwrap();
        }
        let grant = Action::Grant {
            method: None,
            note: None,
        };
        self.c.act(id, &grant, None).unwrap();
        self.clock(verified);
        let verify = Action::Verify {
            note: "checked in the admin console".into(),
            reference: None,
        };
        let it = self.s.act(id, &verify, None).unwrap();
        assert_eq!(it.state, accessdesk::domain::State::Verified, "{id}");
    }
}

/// ACME starts 1 February, BETA 1 March, CORE 1 May (after the clock); all in UTC.
///
/// | item | added | verified | else |
/// |---|---|---|---|
/// | ACME-1 privileged | 5 Jan | 20 Jan (security approval the same day) | |
/// | ACME-2 temporary to 25 Feb | 5 Jan | 25 Jan | revoked 26 Feb |
/// | ACME-3 | 5 Jan | 10 Feb | |
/// | ACME-4 | 5 Jan | never | offered by email 10 Jan |
/// | BETA-1 | 5 Jan | 15 Feb | offered by chat 12 Feb |
/// | BETA-2 temporary to 5 Mar | 5 Jan | 20 Feb | not revoked |
/// | CORE-1 | 5 Jan | never | |
///
/// A credential typed into ACME on 20 Feb (refused). Tasks (added 27 Feb): ACME-T1 needs ACME-1 and
/// ACME-3 (planned at the start, 1 Feb); ACME-T2 needs ACME-4 (planned 5 Feb); BETA-T1
/// needs BETA-1 (at the start, 1 Mar).
fn history(dir: &tempfile::TempDir) -> (Team, std::path::PathBuf) {
    let db = dir.path().join("access.db");
    let mut c = Store::create_as(&db, who("carol", 62001)).unwrap();
    c.set_now(at(1, 2));
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
    for (key, start) in [
        ("ACME", day(2, 1)),
        ("BETA", day(3, 1)),
        ("CORE", day(5, 1)),
    ] {
        c.add_project(NewProject {
            key: key.into(),
            name: key.into(),
            client: "Client".into(),
            start: Some(start),
            tz: Some("UTC".into()),
            coordinator: None,
        })
        .unwrap();
    }
    let mut b = Store::open_as(&db, who("bob", 62002)).unwrap();
    let mut s = Store::open_as(&db, who("sam", 62003)).unwrap();
    b.set_now(at(1, 2));
    s.set_now(at(1, 2));
    let mut t = Team { c, b, s };
    let privileged = ItemFields {
        privileged: true,
        ..fields("Ads admin")
    };
    // Written in the order it happened.
    let a1 = t.add("ACME", privileged, at(1, 5));
    let a2 = t.add("ACME", temporary("Analytics", day(2, 25)), at(1, 5));
    let a3 = t.add("ACME", fields("CRM"), at(1, 5));
    let a4 = t.add("ACME", fields("Tag manager"), at(1, 5));
    let b1 = t.add("BETA", fields("CRM"), at(1, 5));
    let b2 = t.add("BETA", temporary("Analytics", day(3, 5)), at(1, 5));
    t.add("CORE", fields("CRM"), at(1, 5));
    t.clock(at(1, 10));
    t.c.record_unsafe_channel(&a4, "email", "pasted in a mail")
        .unwrap();
    t.verify(&a1, true, at(1, 20));
    t.verify(&a2, false, at(1, 25));
    t.verify(&a3, false, at(2, 10));
    t.clock(at(2, 12));
    t.c.record_unsafe_channel(&b1, "chat", "pasted in a chat")
        .unwrap();
    t.verify(&b1, false, at(2, 15));
    t.verify(&b2, false, at(2, 20));
    let typed = ItemFields {
        notes: crate::common::SECRET.into(),
        ..fields("Wiki")
    };
    assert!(t.c.add_item("ACME", typed).is_err());
    t.clock(at(2, 26));
    t.c.act(
        &a2,
        &Action::Revoke {
            note: "removed at its end".into(),
        },
        None,
    )
    .unwrap();
    t.clock(at(2, 27));
    t.c.add_task("ACME", "Install tags", &[a1, a3], None)
        .unwrap();
    t.c.add_task("ACME", "Tag manager", &[a4], Some(day(2, 5)))
        .unwrap();
    t.c.add_task("BETA", "CRM sync", &[b1], None).unwrap();
    t.clock(now());
    (t, db)
}

fn project<'a>(r: &'a [Measures], key: &str) -> &'a Measures {
    r.iter()
        .find(|m| m.key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("{key} in the report"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn all_history_at_a_fixed_clock_equals_the_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let (t, _db) = history(&dir);
    let r = t.c.report(None).unwrap();
    let (acme, beta, core) = (
        project(&r.projects, "ACME"),
        project(&r.projects, "BETA"),
        project(&r.projects, "CORE"),
    );
    // Ready before start: ACME at 1 Feb had ACME-1 and ACME-2 of 4; BETA at 1 Mar both
    // of 2; CORE has not started. Overall the totals: (2 + 2) / (4 + 2), not the mean
    // of 50 % and 100 %.
    assert_eq!(
        (acme.ready_at_start, acme.required_at_start),
        (Some(2), Some(4))
    );
    assert_eq!(acme.ready_before_start, Some(0.5));
    assert_eq!(acme.pilot_target_met, Some(false));
    assert_eq!(beta.ready_before_start, Some(1.0));
    assert_eq!(beta.pilot_target_met, Some(true));
    assert_eq!(core.ready_before_start, None);
    let o = &r.overall;
    assert_eq!((o.ready_at_start, o.required_at_start), (Some(4), Some(6)));
    assert_eq!(o.ready_before_start, Some(0.6667));
    assert_eq!(o.pilot_target_met, Some(false));
    assert_eq!((o.projects_started, o.projects_meeting_target), (2, 1));
    // Completion: required items ever verified / required items = 5 / 7 (ACME-2 was
    // verified before its removal; ACME-4 and CORE-1 never were).
    assert!(close(o.access_completion_rate, 5.0 / 7.0), "{o:?}");
    assert!(close(acme.access_completion_rate, 0.75));
    // Deprovisioning: ACME-2 (ended 25 Feb, revoked) and BETA-2 (ended 5 Mar, live).
    assert_eq!((o.deprovisioning_due, o.deprovisioning_done), (2, 1));
    assert!(close(o.deprovisioning_completion, 0.5));
    // Delay: ACME-T1 from 1 Feb to ACME-3's verification on 10 Feb = 9; ACME-T2 from
    // 5 Feb to today, 10 Mar, = 33; BETA-T1's item was verified before its start = 0.
    assert_eq!(acme.implementation_delay_days, 42);
    assert_eq!(beta.implementation_delay_days, 0);
    assert_eq!((o.implementation_delay_days, o.delayed_tasks), (42, 2));
    // Unsafe attempts: two offered from outside (ACME, BETA), one typed (ACME).
    assert_eq!(
        (acme.unsafe_attempts_reported, acme.unsafe_attempts_typed),
        (1, 1)
    );
    assert_eq!(
        (
            o.unsafe_attempts_reported,
            o.unsafe_attempts_typed,
            o.unsafe_credential_attempts
        ),
        (2, 1, 3)
    );
    // One security decision on a privileged item (ACME-1), and no other.
    assert_eq!((o.privileged_reviews, acme.privileged_reviews), (1, 1));
    assert_eq!((o.security_reviews, acme.security_reviews), (1, 1));
    // Open blockers: age = now - the start of each blocking spell, in hours; median,
    // p90 (nearest rank) and max worked out here from the items' spells.
    let mut ages: Vec<f64> = Vec::new();
    for key in ["ACME", "BETA", "CORE"] {
        for n in 1..=4 {
            let Ok(v) = t.c.item_view(&format!("{key}-{n}")) else {
                continue;
            };
            if !v.reasons.is_empty() {
                let since = v.blocked_since.expect("a blocking item has a spell");
                ages.push((now() - since).num_minutes() as f64 / 60.0);
            }
        }
    }
    ages.sort_by(f64::total_cmp);
    assert_eq!(o.open_blockers, ages.len());
    assert!(ages.len() >= 3, "{ages:?}");
    let n = ages.len();
    let median = if n % 2 == 1 {
        ages[n / 2]
    } else {
        (ages[n / 2 - 1] + ages[n / 2]) / 2.0
    };
    let p90 = ages[(0.9 * n as f64).ceil() as usize - 1];
    let round = |x: f64| (x * 100.0).round() / 100.0;
    assert_eq!(o.blocker_age_hours_median, round(median));
    assert_eq!(o.blocker_age_hours_p90, round(p90));
    assert_eq!(o.blocker_age_hours_max, round(ages[n - 1]));
}

#[test]
fn a_period_leaves_out_what_happened_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let (t, db) = history(&dir);
    let feb = Window {
        since: Some(day(2, 3)),
        until: Some(day(2, 28)),
    };
    let r = t.c.report_in(None, feb).unwrap();
    let (acme, beta) = (project(&r.projects, "ACME"), project(&r.projects, "BETA"));
    let o = &r.overall;
    // No start falls in 3-28 Feb: no ready-before-start, no verdict.
    assert_eq!((o.ready_before_start, o.pilot_target_met), (None, None));
    assert_eq!(o.projects_started, 0);
    // Completion: required at the end and not verified before the 3rd: ACME-3 (done
    // 10 Feb), ACME-4, BETA-1 (15 Feb), BETA-2 (20 Feb), CORE-1: 3 of 5.
    assert!(close(acme.access_completion_rate, 0.5));
    assert!(close(beta.access_completion_rate, 1.0));
    assert!(close(o.access_completion_rate, 3.0 / 5.0), "{o:?}");
    // Deprovisioning: only ACME-2's end (25 Feb) falls in it, removed on the 26th.
    assert_eq!((o.deprovisioning_due, o.deprovisioning_done), (1, 1));
    // Delay: only ACME-T2 is planned in it (5 Feb), waiting to the 28th: 23 days.
    assert_eq!((o.implementation_delay_days, o.delayed_tasks), (23, 1));
    // Unsafe attempts: BETA's chat (12 Feb) and ACME's typed one (20 Feb).
    assert_eq!(
        (
            o.unsafe_attempts_reported,
            o.unsafe_attempts_typed,
            o.unsafe_credential_attempts
        ),
        (1, 1, 2)
    );
    // ACME-1's security approval (20 Jan) is before it.
    assert_eq!((o.privileged_reviews, o.security_reviews), (0, 0));

    // A period holding BETA's start only: its 100 % is the pilot's figure.
    let march = Window {
        since: Some(day(2, 15)),
        until: Some(day(3, 31)),
    };
    let r = t.c.report_in(None, march).unwrap();
    let o = &r.overall;
    assert_eq!(project(&r.projects, "ACME").ready_before_start, None);
    assert_eq!((o.ready_at_start, o.required_at_start), (Some(2), Some(2)));
    assert_eq!(o.ready_before_start, Some(1.0));
    assert_eq!(o.pilot_target_met, Some(true));
    assert_eq!((o.projects_started, o.projects_meeting_target), (1, 1));

    // The binary says the same over February (those figures do not depend on today),
    // and the log still verifies.
    let path = db.to_str().unwrap();
    let out = ok(
        &db,
        &[
            "report",
            "--since",
            "2026-02-03",
            "--until",
            "2026-02-28",
            "--json",
        ],
    );
    let j: Value = serde_json::from_str(&out).unwrap();
    let o = &j["overall"];
    assert_eq!(j["window"]["since"], "2026-02-03", "{path}");
    assert_eq!(o["deprovisioning_due"], 1);
    assert_eq!(o["implementation_delay_days"], 23);
    assert_eq!(o["unsafe_credential_attempts"], 2);
    assert_eq!(o["pilot_target_met"], Value::Null);
    let text = ok(
        &db,
        &["report", "--since", "2026-02-03", "--until", "2026-02-28"],
    );
    assert!(text.contains("Period: 2026-02-03 to 2026-02-28"), "{text}");
    assert!(text.contains("Columns: READY"), "{text}");
    let verified = ok(&db, &["audit", "verify"]);
    assert!(verified.contains("the tables match the log"), "{verified}");
}

#[test]
fn a_period_ending_before_it_starts_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_t, db) = history(&dir);
    let out = crate::common::run(
        &db,
        &["report", "--since", "2026-03-01", "--until", "2026-02-01"],
    );
    assert_eq!(crate::common::code(&out), 2);
    assert!(crate::common::stderr(&out).contains("--since"));
}
