//! Team settings through the binary: an admin shows and sets them, anyone else is
//! refused (exit 3, as a JSON object with `--json`), bad keys and values are refused
//! as data, each change is one event that `audit verify` replays, and a value changed
//! behind accessdesk's back is named by `audit verify`.

use crate::common::*;

#[test]
fn an_admin_sets_a_team_setting_and_the_log_replays_it() {
    let db = Db::new();
    let shown = db.run(&["settings", "show", "--json"]).ok().json();
    let stale = &shown[0];
    assert_eq!(stale["key"], "stale-after-days");
    assert_eq!(stale["value"], 3);
    assert_eq!(stale["set_by"], serde_json::Value::Null);

    let set = db
        .run(&["settings", "set", "stale-after-days", "7", "--json"])
        .ok()
        .json();
    assert_eq!(set["was"], 3);
    assert_eq!(set["value"], 7);
    db.run(&["settings", "set", "readiness-target", "95"]).ok();
    let shown = db.run(&["settings", "show", "--json"]).ok().json();
    assert_eq!(shown[0]["value"], 7);
    assert_eq!(shown[0]["set_by"], db.me().as_str());
    assert_eq!(shown[1]["value"], 95);
    let text = db.run(&["settings", "show"]).ok().stdout;
    assert!(text.contains("stale-after-days  7"), "{text}");

    // Each change is one event, with the value before and after.
    let events: i64 = db
        .ro()
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'setting-set'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(events, 2);
    let out = db.run(&["audit", "verify"]).ok();
    assert!(out.stdout.contains("the tables match the log"), "{out:?}");

    // A value changed with sqlite3 moves everyone's figures: verify names it.
    let rw = rusqlite::Connection::open(&db.path).expect("open");
    rw.execute(
        "UPDATE settings SET value = '30' WHERE key = 'stale-after-days'",
        [],
    )
    .expect("tamper");
    drop(rw);
    let out = db.run(&["audit", "verify"]).code(1);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains("settings") && said.contains("stale-after-days"),
        "{out:?}"
    );
}

#[test]
fn bad_keys_and_values_are_refused_as_data_and_change_nothing() {
    let db = Db::new();
    let before = db.snapshot();
    let out = db
        .run(&["settings", "set", "colour", "3", "--json"])
        .refused("team-setting");
    let last = out.stderr.lines().last().expect("a last line");
    let j: serde_json::Value = serde_json::from_str(last).expect("JSON on the last line");
    assert_eq!(j["rule"], "team-setting");
    assert_eq!(j["exit"], 3);
    assert!(
        j["fix"]
            .as_str()
            .is_some_and(|f| f.contains("readiness-target")),
        "{j}"
    );
    for (key, bad) in [
        ("readiness-target", "101"),
        ("stale-after-days", "0"),
        ("pilot-window", "soon"),
    ] {
        let out = db
            .run(&["settings", "set", key, bad])
            .refused("team-setting");
        assert!(
            out.stderr
                .starts_with("accessdesk: refused (team-setting): "),
            "{out:?}"
        );
    }
    before.assert_same(&db.snapshot(), "refused settings");
}

#[test]
fn only_an_admin_changes_a_team_setting() {
    let Some(acc) = accounts() else {
        return;
    };
    let db = Db::new();
    db.team();
    let before = db.snapshot();
    let out = db
        .run_as(&acc.security, &["settings", "set", "stale-after-days", "9"])
        .refused("role-required");
    assert!(out.stderr.contains("admin"), "{out:?}");
    before.assert_same(&db.snapshot(), "a refused setting");
    // Everyone reads them.
    let shown = db
        .run_as(&acc.security, &["settings", "show", "--json"])
        .ok()
        .json();
    assert_eq!(shown[0]["value"], 3);
}
