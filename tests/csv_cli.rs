//! CSV through the binary: a file with one impossible date on line 7 is refused naming
//! line 7 and the column, and writes nothing; the same file fixed imports every row; a
//! project with approved and verified items, exported and imported into a new project,
//! gives the same items, all in `needed` (import never carries state or approvals).

mod support;

use support::*;

const COMPARED: [&str; 14] = [
    "system",
    "purpose",
    "role",
    "holder",
    "credential_owner",
    "approver",
    "method",
    "temporary",
    "expires",
    "deprovision",
    "exception",
    "needed_by",
    "notes",
    "flags",
];

fn items(db: &std::path::Path, key: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(&ok(db, &["item", "list", "--project", key, "--json"])).unwrap()
}

fn events(db: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn bad_line_refused_fixed_file_imported_states_never_carried() {
    let Some((dir, db, gid, member)) = team_db("approver") else {
        return;
    };
    for i in 1..=8 {
        let mut args = vec![
            "item".to_string(),
            "add".into(),
            "--project".into(),
            "ACME".into(),
            "--system".into(),
            format!("System {i}"),
            "--purpose".into(),
            format!("step {i}, with \"quotes\""),
            "--role".into(),
            if i == 3 {
                "Site Admin".into()
            } else {
                "Viewer".into()
            },
            "--credential-owner".into(),
            "Ana".into(),
            "--approver".into(),
            "adrel_member".into(),
            "--method".into(),
            "vault".into(),
            "--holder".into(),
            "ops team".into(),
            "--notes".into(),
            format!("=line {i}; formula-looking on purpose"),
        ];
        if i % 2 == 0 {
            args.extend(["--temporary", "--expires", "2030-03-01"].map(String::from));
        }
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&db, &argv);
        ok(&db, &["item", "submit", &format!("ACME-{i}")]);
    }
    // Approvals by the approver's own OS account; two items also granted and verified.
    for i in [1, 2, 4, 5] {
        let o = as_user(
            cmd(&db, &["item", "approve", &format!("ACME-{i}")]),
            member,
            gid,
            dir.path(),
        )
        .output()
        .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for i in [1, 2] {
        ok(&db, &["item", "grant", &format!("ACME-{i}")]);
        ok(
            &db,
            &[
                "item",
                "verify",
                &format!("ACME-{i}"),
                "--note",
                "checked with Ana",
            ],
        );
    }
    let original = items(&db, "ACME");
    let states: Vec<&str> = original
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"verified") && states.contains(&"approved"),
        "{states:?}"
    );

    let exported = ok(&db, &["export", "--project", "ACME", "--format", "csv"]);
    ok(
        &db,
        &[
            "project",
            "add",
            "NEWCO",
            "--name",
            "New Co",
            "--client",
            "New Co",
            "--start",
            "2030-02-01",
        ],
    );

    // Line 7 of the file (the sixth item) gets an impossible needed-by date.
    let mut reader = csv::Reader::from_reader(exported.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "needed-by").unwrap();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&headers).unwrap();
    for rec in reader.records() {
        let rec = rec.unwrap();
        let mut fields: Vec<String> = rec.iter().map(String::from).collect();
        if rec.get(0) == Some("ACME-6") {
            fields[col] = "2026-02-30".into();
        }
        out.write_record(&fields).unwrap();
    }
    let bad = String::from_utf8(out.into_inner().unwrap()).unwrap();
    let bad_line = 1 + bad.lines().position(|l| l.contains("2026-02-30")).unwrap();
    assert_eq!(bad_line, 7, "the sixth item is on line 7");
    let bad_path = dir.path().join("bad.csv");
    std::fs::write(&bad_path, &bad).unwrap();
    let before = events(&db);
    let o = run(
        &db,
        &["import", bad_path.to_str().unwrap(), "--project", "NEWCO"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("line {bad_line}")) && e.contains("needed-by"),
        "names the line and column: {e}"
    );
    assert!(items(&db, "NEWCO").is_empty(), "nothing written");
    assert_eq!(events(&db), before, "not even an event");

    // The same file, fixed: every row imports, all in `needed`, fields unchanged.
    let good_path = dir.path().join("good.csv");
    std::fs::write(&good_path, &exported).unwrap();
    let dry = ok(
        &db,
        &[
            "import",
            good_path.to_str().unwrap(),
            "--project",
            "NEWCO",
            "--dry-run",
        ],
    );
    assert!(dry.contains("8 rows"), "{dry}");
    assert!(items(&db, "NEWCO").is_empty(), "a dry run writes nothing");
    ok(
        &db,
        &["import", good_path.to_str().unwrap(), "--project", "NEWCO"],
    );
    let imported = items(&db, "NEWCO");
    assert_eq!(imported.len(), original.len());
    for (a, b) in original.iter().zip(&imported) {
        assert_eq!(b["state"], "needed", "{}", b["id"]);
        assert_eq!(b["approvals"].as_array().map(Vec::len), Some(0));
        for k in COMPARED {
            assert_eq!(a[k], b[k], "{k} of {} vs {}", a["id"], b["id"]);
        }
    }
    ok(&db, &["audit", "verify"]);
}
