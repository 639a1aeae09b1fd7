//! `accessdesk evidence DIR`: the same file and filters give byte-identical data files;
//! the manifest's row counts are what the file holds for the same filter; each row
//! cites the event that records it; a file edited behind accessdesk's back is refused;
//! the folder must be new or empty; spreadsheet-unsafe cells are guarded.

use crate::common::{Db, NewItem};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const DECISIONS: &str = "('approve','deny','return','delegate','break-glass','close-retro','extension-approve','extension-deny','review-decide')";

fn sha256(p: &Path) -> String {
    Sha256::digest(fs::read(p).expect("read a file of the bundle"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&fs::read(dir.join("manifest.json")).expect("manifest.json"))
        .expect("manifest.json is JSON")
}

/// The data files of a bundle with their SHA-256, checked against its manifest.
#[track_caller]
fn sums(dir: &Path) -> BTreeMap<String, String> {
    let m = manifest(dir);
    let listed: BTreeMap<String, String> = m["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut on_disk = BTreeMap::new();
    for e in fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name != "manifest.json" {
            on_disk.insert(name.clone(), sha256(&dir.join(&name)));
        }
    }
    assert_eq!(
        listed, on_disk,
        "the manifest lists every data file with its SHA-256"
    );
    on_disk
}

fn jsonl(dir: &Path, name: &str) -> Vec<Value> {
    fs::read_to_string(dir.join(name))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn csv_rows(dir: &Path, name: &str) -> usize {
    let mut n = 0;
    for r in csv::Reader::from_path(dir.join(name)).unwrap().records() {
        r.expect("a CSV record");
        n += 1;
    }
    n
}

fn count(db: &Db, sql: &str, args: &[&str]) -> i64 {
    db.ro()
        .query_row(sql, rusqlite::params_from_iter(args), |r| r.get(0))
        .unwrap()
}

/// The day after `d`, as text.
fn next_day(d: &str) -> String {
    let d: chrono::NaiveDate = d.parse().unwrap();
    (d + chrono::Duration::days(1)).to_string()
}

#[test]
fn the_same_filters_on_an_unchanged_file_give_identical_data_files_counted_as_the_file_holds() {
    let db = Db::unopened("demo.db");
    db.run(&["demo", "--no-tui"]).ok();
    let out = |n: &str| db.home().join(n);

    // All of it, twice.
    db.run(&["evidence", out("a").to_str().unwrap()]).ok();
    db.run(&["evidence", out("b").to_str().unwrap(), "--json"])
        .ok();
    assert_eq!(sums(&out("a")), sums(&out("b")));
    let m = manifest(&out("a"));
    let all_items = count(&db, "SELECT count(*) FROM items", &[]);
    let all_decisions = count(
        &db,
        &format!("SELECT count(*) FROM events WHERE kind IN {DECISIONS}"),
        &[],
    );
    assert_eq!(m["rows"]["items"], all_items);
    assert_eq!(m["rows"]["decisions"], all_decisions);
    assert_eq!(csv_rows(&out("a"), "items.csv") as i64, all_items);
    assert_eq!(jsonl(&out("a"), "items.jsonl").len() as i64, all_items);
    assert_eq!(csv_rows(&out("a"), "decisions.csv") as i64, all_decisions);
    let (head_seq, head_hash): (i64, String) = db
        .ro()
        .query_row(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(m["chain"]["head_seq"], head_seq);
    assert_eq!(m["chain"]["head_link"], head_hash.as_str());
    assert_eq!(m["generated_by"]["login"], db.me().as_str());
    assert!(m["generated_at"].is_string() && m["app"]["version"].is_string());
    assert_eq!(m["schema_version"], accessdesk::store::schema::latest());
    // Only the manifest says when; no data file names the folder.
    for name in sums(&out("a")).keys() {
        let text = fs::read_to_string(out("a").join(name)).unwrap();
        assert!(!text.contains(out("a").to_str().unwrap()), "{name}");
        assert!(
            !text.contains(m["generated_at"].as_str().unwrap()),
            "{name}"
        );
    }

    // Every row cites the event that records it: seq, link, time, login and uid.
    let conn = db.ro();
    let event = |seq: i64| -> (String, String, i64, String, Option<String>, String) {
        conn.query_row(
            "SELECT at, login, uid, kind, item, hash FROM events WHERE seq = ?1",
            [seq],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .unwrap()
    };
    let cites = |stamp: &Value, kinds: &[&str], item: &str| {
        let (at, login, uid, kind, on, hash) = event(stamp["seq"].as_i64().unwrap());
        assert!(kinds.contains(&kind.as_str()), "{kind} for {stamp}");
        assert_eq!(on.as_deref(), Some(item));
        assert_eq!(
            (
                stamp["at"].as_str().unwrap(),
                stamp["login"].as_str().unwrap()
            ),
            (at.as_str(), login.as_str())
        );
        assert_eq!(
            (
                stamp["uid"].as_i64().unwrap(),
                stamp["link"].as_str().unwrap()
            ),
            (uid, hash.as_str())
        );
    };
    let items = jsonl(&out("a"), "items.jsonl");
    let mut approvals_seen = 0;
    for it in &items {
        let id = it["id"].as_str().unwrap();
        cites(&it["added"], &["item-add"], id);
        for (slot, kinds) in [
            ("requested", &["submit"][..]),
            ("approved", &["approve"][..]),
            ("granted", &["grant", "break-glass"][..]),
            ("verified", &["verify"][..]),
            ("revoked", &["revoke", "close-retro"][..]),
            ("break_glass", &["break-glass"][..]),
            ("retrospective", &["close-retro"][..]),
        ] {
            if !it[slot].is_null() {
                cites(&it[slot], kinds, id);
            }
        }
        for a in it["approvals"].as_array().unwrap() {
            cites(&a["event"], &["approve"], id);
            assert_eq!(a["event"]["login"], a["login"]);
            assert!(["owner", "security"].contains(&a["capacity"].as_str().unwrap()));
            approvals_seen += 1;
        }
        if it["state"] == "verified" {
            assert!(!it["verified"].is_null(), "{it}");
            let approved = !it["approvals"].as_array().unwrap().is_empty();
            assert!(approved || !it["break_glass"].is_null(), "{it}");
        }
    }
    assert!(approvals_seen > 0);
    let emergency: Vec<&Value> = items
        .iter()
        .filter(|i| !i["break_glass"].is_null())
        .collect();
    assert!(!emergency.is_empty());
    assert!(
        emergency
            .iter()
            .any(|i| i["retrospective_outcome"] == "accepted")
    );
    for d in jsonl(&out("a"), "decisions.jsonl") {
        let item = d["item"].as_str().unwrap();
        cites(&d["event"], &[d["kind"].as_str().unwrap()], item);
    }
    let summary = fs::read_to_string(out("a").join("summary.md")).unwrap();
    assert!(summary.starts_with("# Access evidence"));
    assert!(summary.contains(&format!("head seq {head_seq}")));

    // One project over a window that leaves part of the history out: the counts are
    // those of the same filter in the file, and smaller than the whole.
    let days: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT substr(at, 1, 10) FROM events WHERE project = 'HARBOR' ORDER BY 1",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let (since, until) = (&days[days.len() / 3], &days[2 * days.len() / 3]);
    let args = ["HARBOR", since.as_str(), &next_day(until)];
    let filtered = |dir: &str| {
        db.run(&[
            "evidence",
            out(dir).to_str().unwrap(),
            "--project",
            "harbor",
            "--since",
            since,
            "--until",
            until,
        ])
        .ok();
        manifest(&out(dir))
    };
    let w = filtered("w1");
    filtered("w2");
    assert_eq!(sums(&out("w1")), sums(&out("w2")));
    let want_items = count(
        &db,
        "SELECT count(*) FROM items WHERE project = ?1 AND created_at < ?3 \
         AND NOT (state IN ('revoked', 'cancelled') AND state_since < ?2)",
        &args,
    );
    let want_decisions = count(
        &db,
        &format!(
            "SELECT count(*) FROM events WHERE kind IN {DECISIONS} AND project = ?1 AND at >= ?2 AND at < ?3"
        ),
        &args,
    );
    assert_eq!(w["rows"]["items"], want_items);
    assert_eq!(w["rows"]["decisions"], want_decisions);
    assert_eq!(w["filters"]["project"], "HARBOR");
    assert_eq!(w["filters"]["since"], since.as_str());
    let harbor = count(
        &db,
        "SELECT count(*) FROM items WHERE project = 'HARBOR'",
        &[],
    );
    let harbor_decisions = count(
        &db,
        &format!("SELECT count(*) FROM events WHERE kind IN {DECISIONS} AND project = 'HARBOR'"),
        &[],
    );
    assert!(want_decisions > 0 && want_decisions < harbor_decisions);
    assert!(want_items > 0 && want_items <= harbor);
    for d in jsonl(&out("w1"), "decisions.jsonl") {
        let at = d["event"]["at"].as_str().unwrap();
        assert!(at >= args[1] && at < args[2], "{at}");
        assert_eq!(d["project"], "HARBOR");
    }
    // Each item as the log left it at the end of the window: nothing after it.
    for it in jsonl(&out("w1"), "items.jsonl") {
        for slot in [
            "added",
            "requested",
            "approved",
            "granted",
            "verified",
            "revoked",
        ] {
            if let Some(at) = it[slot]["at"].as_str() {
                assert!(at < args[2], "{slot} {at}");
            }
        }
    }

    // A folder that holds anything is refused, and so is a window that ends first.
    db.run(&["evidence", out("a").to_str().unwrap()])
        .refused("evidence-folder-new-or-empty");
    db.run(&[
        "evidence",
        out("c").to_str().unwrap(),
        "--since",
        until,
        "--until",
        since,
    ])
    .refused("valid-value");

    // A review campaign: its accesses, with the decisions taken, cite their events.
    assert!(!out("a").join("reviews.csv").exists());
    db.run(&["review", "start", "--project", "HARBOR"]).ok();
    db.run(&["review", "certify", "HARBOR-2", "--note", "still needed"])
        .ok();
    let r = {
        db.run(&["evidence", out("r").to_str().unwrap()]).ok();
        manifest(&out("r"))
    };
    let covered = count(
        &db,
        "SELECT count(*) FROM review_items JOIN review_campaigns c ON c.id = campaign WHERE c.project = 'HARBOR'",
        &[],
    );
    assert_eq!(r["rows"]["reviews"], covered);
    assert_eq!(csv_rows(&out("r"), "reviews.csv") as i64, covered);
    let reviews = jsonl(&out("r"), "reviews.jsonl");
    let certified: Vec<&Value> = reviews
        .iter()
        .filter(|v| v["decision"] == "certify")
        .collect();
    assert_eq!(certified.len(), 1);
    assert_eq!(certified[0]["item"], "HARBOR-2");
    let (_, _, _, kind, item, hash) = event(certified[0]["decided"]["seq"].as_i64().unwrap());
    assert_eq!(
        (kind.as_str(), item.as_deref()),
        ("review-decide", Some("HARBOR-2"))
    );
    assert_eq!(certified[0]["decided"]["link"], hash.as_str());
    assert!(
        fs::read_to_string(out("r").join("summary.md"))
            .unwrap()
            .contains("| 1 | HARBOR |")
    );

    // A direct edit with sqlite3: the file no longer verifies, and evidence refuses,
    // writing nothing.
    let edit = std::process::Command::new("sqlite3")
        .arg(&db.path)
        .arg("UPDATE items SET role = 'Owner' WHERE project = 'ACME' AND number = 1")
        .output()
        .expect("the sqlite3 shell is installed");
    assert!(edit.status.success());
    let refused = db
        .run(&["evidence", out("d").to_str().unwrap()])
        .refused("verified-log");
    assert!(refused.stderr.contains("ACME-1"), "{}", refused.stderr);
    assert!(!out("d").exists());
}

#[test]
fn evidence_guards_spreadsheet_cells_and_a_window_before_an_item_leaves_it_out() {
    let db = Db::new();
    db.team();
    let id = db.requested(&NewItem::new().set("--purpose", "=HYPERLINK(\"http://x\")"));
    let dir = db.home().join("bundle");
    db.run(&["evidence", dir.to_str().unwrap(), "--project", "ACME"])
        .ok();
    let csv = fs::read_to_string(dir.join("items.csv")).unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    let items = jsonl(&dir, "items.jsonl");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["purpose"], "=HYPERLINK(\"http://x\")");
    assert_eq!(items[0]["submitter"], db.me().as_str());
    assert_eq!(items[0]["requested"]["login"], db.me().as_str());
    assert!(items[0]["approved"].is_null());
    // No review campaign: no review files.
    assert!(!dir.join("reviews.csv").exists());
    // Evidence writes no event.
    let before = db.snapshot();
    let empty = db.home().join("empty");
    fs::create_dir(&empty).unwrap();
    db.run(&["evidence", empty.to_str().unwrap(), "--until", "2001-01-01"])
        .ok();
    before.assert_same(&db.snapshot(), "evidence");
    assert_eq!(manifest(&empty)["rows"]["items"], 0);
    assert_eq!(jsonl(&empty, "items.jsonl").len(), 0);
    // Unknown project: not found.
    db.run(&[
        "evidence",
        db.home().join("x").to_str().unwrap(),
        "--project",
        "NOPE",
    ])
    .code(1);
}
