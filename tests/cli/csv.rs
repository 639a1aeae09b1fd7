//! CSV through the binary: a file with one impossible date on line 7 is refused naming
//! line 7 and the column, and writes nothing; the same file fixed imports every row; a
//! project with approved and verified items, exported and imported into a new project,
//! gives the same items, all in `needed` (import never carries state or approvals).

use crate::common::*;

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
    // The member approves and verifies what the account running the tests granted.
    let Some(TeamDb { db: team, member }) = team_db("approver,support") else {
        return;
    };
    let (dir, db) = (&team.dir, team.path.clone());
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
            APPROVER.into(),
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
            dir.path(),
        )
        .output()
        .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for i in [1, 2] {
        ok(&db, &["item", "grant", &format!("ACME-{i}")]);
        let id = format!("ACME-{i}");
        let verify = ["item", "verify", &id, "--note", "checked with Ana"];
        let o = as_user(cmd(&db, &verify), member, dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
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

const HEADER: &str = "system,purpose,role,holder,credential-owner,approver,method,temporary,expires,deprovision,privileged,shared-credential,client-owned,exception,exception-owner,exception-expires,needed-by,notes";

/// A file of `n` valid rows for ACME (approver bob), row `i` being line `i + 1`;
/// `change` may rewrite any row.
fn big_file(dir: &std::path::Path, n: usize, change: impl Fn(usize, String) -> String) -> String {
    let mut text = format!("{HEADER}\n");
    for i in 1..=n {
        let row =
            format!("System {i},install tags,Viewer,,Ana,bob,vault,false,,,false,false,false,,,,,");
        text.push_str(&change(i, row));
        text.push('\n');
    }
    let path = dir.join(format!("big-{n}.csv"));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn next_item(db: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(
        "SELECT next_item FROM projects WHERE key = 'ACME'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Rows are checked and written while the rest of the file is still being read, so a
/// problem far down a large file arrives after thousands of rows were written in the
/// open transaction. Whatever the problem and wherever it is, nothing stays.
#[test]
fn a_large_file_with_one_problem_anywhere_writes_nothing() {
    let Db { dir, path: db, .. } = fixture();
    let n = 3000;
    let import = |file: &str, extra: &[&str]| {
        let mut args = vec!["import", file, "--project", "ACME"];
        args.extend_from_slice(extra);
        run(&db, &args)
    };
    let unchanged = |what: &str, events_before: i64| {
        assert!(items(&db, "ACME").is_empty(), "{what}: items were written");
        assert_eq!(events(&db), events_before, "{what}: events were written");
        assert_eq!(next_item(&db), 1, "{what}: numbers were used up");
    };

    // A credential on the last line: refused (exit 3), counted once, never stored.
    let file = big_file(dir.path(), n, |i, row| {
        if i == n {
            row.replace(",,,,,", ",,,,,the password is hunter2!")
        } else {
            row
        }
    });
    let before = events(&db);
    let o = import(&file, &[]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains(&format!("line {}, column notes", n + 1)), "{e}");
    assert!(
        e.contains("nothing was imported") && !e.contains("hunter2"),
        "{e}"
    );
    unchanged("credential", before + 1);

    // The store refuses line 2500 (an approver nobody registered) while the reader is
    // still going; an impossible date further down is a problem of the file itself and
    // is the one reported, as if the file had been read first.
    let before = events(&db);
    let file = big_file(dir.path(), n, |i, row| match i {
        2499 => row.replace(",bob,", ",zed,"),
        2900 => row.replace(",,,,,", ",,,,2030-02-30,"),
        _ => row,
    });
    let o = import(&file, &[]);
    let e = stderr(&o);
    assert_ne!(code(&o), 0, "{e}");
    assert!(e.contains("line 2901, column needed-by"), "{e}");
    assert!(!e.contains("zed"), "{e}");
    unchanged("file problem after a store refusal", before);

    // Only the store's refusal: it names the line, in a real and in a dry run.
    let file = big_file(dir.path(), n, |i, row| {
        if i == n - 1 {
            row.replace(",bob,", ",zed,")
        } else {
            row
        }
    });
    for extra in [&[][..], &["--dry-run"][..]] {
        let o = import(&file, extra);
        let e = stderr(&o);
        assert_eq!(code(&o), 3, "{extra:?}: {e}");
        assert!(
            e.contains(&format!("line {n}")) && e.contains("zed"),
            "{extra:?}: {e}"
        );
        unchanged("store refusal", before);
    }

    // A row refused by the checks made on the reading thread (temporary access with no
    // expiry): named by its line, in a real and in a dry run; a problem of the file
    // further down still comes first.
    let temporary = |row: String| row.replace(",vault,false,", ",vault,true,");
    let file = big_file(
        dir.path(),
        n,
        |i, row| if i == 1500 { temporary(row) } else { row },
    );
    for extra in [&[][..], &["--dry-run"][..]] {
        let o = import(&file, extra);
        let e = stderr(&o);
        assert_eq!(code(&o), 3, "{extra:?}: {e}");
        assert!(
            e.contains("line 1501, column expires: ")
                && e.contains("temporary access needs an expiry"),
            "{extra:?}: {e}"
        );
        unchanged("refused on the reading thread", before);
    }
    let file = big_file(dir.path(), n, |i, row| match i {
        1500 => temporary(row),
        2900 => row.replace(",,,,,", ",,,,2030-02-30,"),
        _ => row,
    });
    let o = import(&file, &[]);
    let e = stderr(&o);
    assert!(e.contains("line 2901, column needed-by"), "{e}");
    assert!(!e.contains("line 1501"), "{e}");
    unchanged("file problem after a row refused while reading", before);

    // A project that does not exist: the file is still read, and its problems come
    // first; without any, the project is named.
    let o = run(&db, &["import", &file, "--project", "NOPE"]);
    assert!(
        stderr(&o).contains("line 2901, column needed-by"),
        "{}",
        stderr(&o)
    );
    let good = big_file(dir.path(), 10, |_, row| row);
    let o = run(&db, &["import", &good, "--project", "NOPE"]);
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("NOPE"), "{}", stderr(&o));
    unchanged("unknown project", before);

    // A row repeating an early one, at the end.
    let file = big_file(dir.path(), n, |i, row| {
        if i == n {
            row.replace(&format!("System {n},"), "System 7,")
        } else {
            row
        }
    });
    let o = import(&file, &[]);
    assert!(stderr(&o).contains("repeats line 8"), "{}", stderr(&o));
    unchanged("repeated row", before);

    // The file without problems: every row, numbered in file order, on an intact chain.
    let file = big_file(dir.path(), n, |_, row| row);
    let out = ok(&db, &["import", &file, "--project", "ACME", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rows"], n);
    let all = items(&db, "ACME");
    assert_eq!(all.len(), n);
    let last = all.iter().find(|i| i["id"] == format!("ACME-{n}")).unwrap();
    assert_eq!(last["system"], format!("System {n}"));
    assert_eq!(events(&db), before + n as i64);
    assert_eq!(next_item(&db), n as i64 + 1);
    ok(&db, &["audit", "verify"]);
}
