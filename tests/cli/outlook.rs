//! The forecast and the stage durations over a scripted history at a fixed clock,
//! against values computed by hand from their definitions (README, "Forecast and
//! where the time goes"); the same figures in `report --json`, the text report and
//! `item show`, and `audit verify` after the history.

use super::store::fields;
use crate::common;
use accessdesk::domain::machine::Action;
use accessdesk::domain::{Role, State};
use accessdesk::identity::Identity;
use accessdesk::store::report::Window;
use accessdesk::store::{NewProject, Store};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use std::path::Path;

fn who(login: &str, uid: u32) -> Identity {
    Identity {
        uid,
        login: login.into(),
    }
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The clock of the report: 10 March 2026, noon UTC.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap()
}

/// Hours each of the six finished items spent in each stage: added → submitted,
/// submitted → approved, approved → granted, granted → verified.
const STAGES: [[i64; 4]; 6] = [
    [1, 10, 2, 5],
    [2, 20, 2, 5],
    [3, 30, 2, 5],
    [4, 40, 2, 5],
    [5, 50, 2, 5],
    [6, 60, 2, 8],
];

struct Team {
    carol: Store,
    bob: Store,
    sam: Store,
}

impl Team {
    fn at(&mut self, t: DateTime<Utc>) {
        self.carol.set_now(t);
        self.bob.set_now(t);
        self.sam.set_now(t);
    }
}

fn project(c: &mut Store, key: &str, start: &str) {
    c.add_project(NewProject {
        key: key.into(),
        name: key.into(),
        client: "Client".into(),
        start: Some(date(start)),
        tz: Some("UTC".into()),
        coordinator: None,
    })
    .unwrap();
}

/// ACME (start 1 April): six Stripe items decided by bob that went all the way, with
/// the hours of [`STAGES`], and one Stripe item still `needed`. BETA (start 11 March):
/// one Jira item `needed`. GAMMA (start 20 March): one item flagged as blocked by hand.
fn history(path: &Path) -> Team {
    let t0 = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
    let mut carol = Store::create_as(path, who("carol", 62001)).unwrap();
    carol.set_now(t0);
    carol.init(None).unwrap();
    carol
        .add_person(
            "carol",
            None,
            &[Role::Admin, Role::Coordinator, Role::Support],
        )
        .unwrap();
    carol.add_person("bob", None, &[Role::Approver]).unwrap();
    carol.add_person("sam", None, &[Role::Security]).unwrap();
    project(&mut carol, "ACME", "2026-04-01");
    project(&mut carol, "BETA", "2026-03-11");
    project(&mut carol, "GAMMA", "2026-03-20");
    let mut team = Team {
        carol,
        bob: Store::open_as(path, who("bob", 62002)).unwrap(),
        sam: Store::open_as(path, who("sam", 62003)).unwrap(),
    };
    for (i, h) in STAGES.iter().enumerate() {
        // One item after the other, four days apart (each takes at most 76 hours).
        let mut t = t0 + Duration::days(4 * i as i64);
        team.at(t);
        let id = team.carol.add_item("ACME", fields("Stripe")).unwrap().id();
        t += Duration::hours(h[0]);
        team.at(t);
        team.carol
            .act(&id, &Action::Submit { note: None }, None)
            .unwrap();
        t += Duration::hours(h[1]);
        team.at(t);
        team.bob
            .act(&id, &Action::Approve { conditions: None }, None)
            .unwrap();
        t += Duration::hours(h[2]);
        team.at(t);
        let grant = Action::Grant {
            method: None,
            note: None,
        };
        team.carol.act(&id, &grant, None).unwrap();
        t += Duration::hours(h[3]);
        team.at(t);
        let verify = Action::Verify {
            note: "scope and owner checked in the admin console".into(),
            reference: None,
        };
        assert_eq!(
            team.sam.act(&id, &verify, None).unwrap().state,
            State::Verified
        );
    }
    team.at(now());
    team.carol.add_item("ACME", fields("Stripe")).unwrap();
    team.carol.add_item("BETA", fields("Jira")).unwrap();
    let g = team.carol.add_item("GAMMA", fields("Okta")).unwrap().id();
    let block = Action::Block {
        reason: "the client froze changes".into(),
    };
    team.carol.act(&g, &block, None).unwrap();
    team
}

fn spread(samples: usize, median: f64, p90: f64) -> Value {
    json!({"samples": samples, "median_hours": median, "p90_hours": p90})
}

/// The stage durations of the six finished items, by hand: median of an even count is
/// the mean of the middle two; p90 is the value at rank ⌈0.9 × 6⌉ = 6.
fn by_hand() -> Value {
    json!({
        "added_to_submitted": spread(6, 3.5, 6.0),
        "submitted_to_approved": spread(6, 35.0, 60.0),
        "approved_to_granted": spread(6, 2.0, 2.0),
        "granted_to_verified": spread(6, 5.0, 8.0),
    })
}

#[test]
fn forecast_and_stage_durations_equal_the_values_computed_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.db");
    let team = history(&path);
    let r = team.carol.report(None).unwrap();
    let j = serde_json::to_value(&r).unwrap();
    let project = |key: &str| {
        j["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == key)
            .cloned()
            .unwrap()
    };
    // A needed item passes all four stages: 3.5 + 35 + 2 + 5 = 45.5 hours, rounded up
    // to 2 days after today (10 March): 12 March.
    let acme = project("ACME");
    assert_eq!(acme["forecast_ready_on"], "2026-03-12");
    assert_eq!(acme["forecast_misses_start_by_days"], 0);
    assert_eq!(acme["forecast"], "ready by 2026-03-12 (on time)");
    assert_eq!(acme["stage_durations"], by_hand());
    // BETA's Jira item has no history of its own, nor has Jira: all history (the same
    // six items) gives the same 2 days, one day after BETA's start on 11 March.
    let beta = project("BETA");
    assert_eq!(beta["forecast_ready_on"], "2026-03-12");
    assert_eq!(beta["forecast_misses_start_by_days"], 1);
    // BETA passed no stage yet.
    assert_eq!(beta["stage_durations"]["added_to_submitted"]["samples"], 0);
    assert_eq!(
        beta["stage_durations"]["added_to_submitted"]["median_hours"],
        Value::Null
    );
    let gamma = project("GAMMA");
    assert_eq!(gamma["forecast"], "no forecast: 1 denied/blocked");
    assert_eq!(gamma["forecast_ready_on"], Value::Null);
    assert_eq!(gamma["forecast_misses_start_by_days"], Value::Null);
    // Overall: one open project without a forecast, so no date.
    let all = &j["overall"];
    assert_eq!(all["forecast"], "no forecast for 1 of 3 open projects");
    assert_eq!(all["forecast_ready_on"], Value::Null);
    assert_eq!(all["stage_durations"], by_hand());
    assert_eq!(all["stage_durations_by_system"]["Stripe"], by_hand());
    assert_eq!(all["stage_durations_by_approver"]["bob"], by_hand());
    // Jira and Okta items passed no stage.
    assert_eq!(
        all["stage_durations_by_system"]["Jira"]["granted_to_verified"]["samples"],
        0
    );
    // One project's report still draws on all history, and says the same.
    let only = team.carol.report(Some("BETA")).unwrap();
    let b = serde_json::to_value(&only).unwrap();
    assert_eq!(b["projects"][0]["forecast_ready_on"], "2026-03-12");
    assert_eq!(b["overall"]["forecast_ready_on"], "2026-03-12");
    assert_eq!(b["overall"]["forecast_misses_start_by_days"], 1);

    // The same through the binary (its clock is the real one: the durations do not
    // depend on it), the text report with its column heads explained, item show.
    let out = common::ok(&path, &["report", "--json"]);
    let cli: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(cli["overall"]["stage_durations"], by_hand());
    let text = common::ok(&path, &["report"]);
    for words in [
        "READY ON",
        "LATE d",
        "no forecast: 1 denied/blocked",
        "ADDED→SUBMITTED",
        "system Stripe",
        "approver bob",
        "3h/6h (6)",
        "1d 11h/2d 12h (6)",
        "median/p90",
    ] {
        assert!(text.contains(words), "{words}:\n{text}");
    }
    let shown: Value =
        serde_json::from_str(&common::ok(&path, &["item", "show", "ACME-6", "--json"])).unwrap();
    assert_eq!(
        shown["stage_durations_hours"],
        json!({"added_to_submitted": 6.0, "submitted_to_approved": 60.0,
               "approved_to_granted": 2.0, "granted_to_verified": 8.0})
    );
    let shown = common::ok(&path, &["item", "show", "ACME-1"]);
    assert!(
        shown.contains("added → submitted 1h · submitted → approved 10h · approved → granted 2h · granted → verified 5h"),
        "{shown}"
    );
    let verified = common::ok(&path, &["audit", "verify"]);
    assert!(verified.contains("the tables match the log"), "{verified}");
}

/// Over a period a stage counts when it ended in it (in the project's zone, UTC here),
/// and the forecast draws on those samples only. The six items began 4 days apart from
/// 1 February; by hand, from [`STAGES`], each stage ended on:
///
/// | item | submitted    | approved     | granted      | verified     |
/// |------|--------------|--------------|--------------|--------------|
/// | 1    | 1 Feb 01:00  | 1 Feb 11:00  | 1 Feb 13:00  | 1 Feb 18:00  |
/// | 2    | 5 Feb 02:00  | 5 Feb 22:00  | 6 Feb 00:00  | 6 Feb 05:00  |
/// | 3    | 9 Feb 03:00  | 10 Feb 09:00 | 10 Feb 11:00 | 10 Feb 16:00 |
/// | 4    | 13 Feb 04:00 | 14 Feb 20:00 | 14 Feb 22:00 | 15 Feb 03:00 |
/// | 5    | 17 Feb 05:00 | 19 Feb 07:00 | 19 Feb 09:00 | 19 Feb 14:00 |
/// | 6    | 21 Feb 06:00 | 23 Feb 18:00 | 23 Feb 20:00 | 24 Feb 04:00 |
#[test]
fn over_a_period_the_stages_that_ended_in_it_make_the_durations_and_the_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.db");
    let team = history(&path);
    let key = |j: &Value, k: &str| {
        j["projects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == k)
            .cloned()
            .unwrap()
    };
    // From 5 February: items 2 to 6, every stage. Added → submitted 2..6 h: median 4,
    // p90 at rank ⌈0.9 × 5⌉ = 5: 6; approval 20..60 h: 40 and 60; grant 2 and 2;
    // verification 5, 5, 5, 5, 8: 5 and 8.
    let since = Window {
        since: Some(date("2026-02-05")),
        until: None,
    };
    let from_5th = json!({
        "added_to_submitted": spread(5, 4.0, 6.0),
        "submitted_to_approved": spread(5, 40.0, 60.0),
        "approved_to_granted": spread(5, 2.0, 2.0),
        "granted_to_verified": spread(5, 5.0, 8.0),
    });
    let j = serde_json::to_value(team.carol.report_in(None, since).unwrap()).unwrap();
    let acme = key(&j, "ACME");
    assert_eq!(acme["stage_durations"], from_5th);
    assert_eq!(j["overall"]["stage_durations"], from_5th);
    assert_eq!(
        j["overall"]["stage_durations_by_system"]["Stripe"],
        from_5th
    );
    // The needed item: 4 + 40 + 2 + 5 = 51 h, three days after 10 March (all history
    // gave 45.5 h, two days); BETA (start 11 March, no Jira history) the same, 2 days
    // late.
    assert_eq!(acme["forecast_ready_on"], "2026-03-13");
    assert_eq!(acme["forecast_misses_start_by_days"], 0);
    let beta = key(&j, "BETA");
    assert_eq!(beta["forecast_ready_on"], "2026-03-13");
    assert_eq!(beta["forecast_misses_start_by_days"], 2);
    // One project's report draws on the period's samples of every project.
    let only = serde_json::to_value(team.carol.report_in(Some("BETA"), since).unwrap()).unwrap();
    assert_eq!(only["projects"][0]["forecast_ready_on"], "2026-03-13");

    // Until 9 February: items 1 and 2 whole, item 3 submitted only. Added → submitted
    // 1, 2, 3 h: median 2, p90 at rank 3: 3; approval 10 and 20 h: 15 and 20 (rank 2);
    // grant 2 and 2; verification 5 and 5. Fewer than five samples: no forecast.
    let until = Window {
        since: None,
        until: Some(date("2026-02-09")),
    };
    let j = serde_json::to_value(team.carol.report_in(None, until).unwrap()).unwrap();
    let acme = key(&j, "ACME");
    assert_eq!(
        acme["stage_durations"],
        json!({
            "added_to_submitted": spread(3, 2.0, 3.0),
            "submitted_to_approved": spread(2, 15.0, 20.0),
            "approved_to_granted": spread(2, 2.0, 2.0),
            "granted_to_verified": spread(2, 5.0, 5.0),
        })
    );
    assert_eq!(acme["forecast"], "too little history");
    assert_eq!(acme["forecast_ready_on"], Value::Null);
    // Without a period, all six as before.
    let all = serde_json::to_value(team.carol.report_in(None, Window::default()).unwrap()).unwrap();
    assert_eq!(key(&all, "ACME")["stage_durations"], by_hand());

    // The binary says the same over the same period.
    let out = common::ok(&path, &["report", "--json", "--since", "2026-02-05"]);
    let cli: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(cli["overall"]["stage_durations"], from_5th);
    let text = common::ok(&path, &["report", "--since", "2026-02-05"]);
    assert!(text.contains("4h/6h (5)"), "{text}");
    assert!(text.contains("the stages that ended in it"), "{text}");
}

#[test]
fn too_little_history_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.db");
    let mut c = Store::create_as(&path, who("carol", 62001)).unwrap();
    c.set_now(now());
    c.init(None).unwrap();
    c.add_person("carol", None, &[Role::Admin, Role::Coordinator])
        .unwrap();
    c.add_person("bob", None, &[Role::Approver]).unwrap();
    project(&mut c, "ACME", "2026-04-01");
    c.add_item("ACME", fields("Stripe")).unwrap();
    let r = serde_json::to_value(c.report(None).unwrap()).unwrap();
    assert_eq!(r["projects"][0]["forecast"], "too little history");
    assert_eq!(r["projects"][0]["forecast_ready_on"], Value::Null);
    assert_eq!(
        r["overall"]["forecast"],
        "no forecast for 1 of 1 open projects"
    );
}
