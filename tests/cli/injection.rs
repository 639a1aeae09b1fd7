//! Terminal injection: escape sequences, OSC title and hyperlink sequences, carriage
//! returns, BEL, C1 controls and bidi overrides are refused when typed in, and
//! neutralised on every output when they got into the file some other way: CLI
//! tables, `item show`, `--json`, and CSV export.

use crate::common::*;

const HOSTILE: [(&str, &str); 8] = [
    ("CSI colour", "\u{1b}[31mred\u{1b}[0m"),
    ("OSC title", "\u{1b}]0;pwned\u{7}"),
    (
        "OSC 8 link",
        "\u{1b}]8;;https://evil.example/\u{1b}\\click\u{1b}]8;;\u{1b}\\",
    ),
    ("carriage return", "safe\roverwritten"),
    ("BEL", "ding\u{7}"),
    ("C1 CSI", "x\u{9b}31my"),
    ("bidi override", "abc\u{202e}txt.exe"),
    ("NUL", "nul\u{0}byte"),
];

/// Bytes that must never reach a terminal from data.
fn dangerous(out: &[u8]) -> Option<&'static str> {
    let s = String::from_utf8_lossy(out);
    if out.contains(&0x1b) {
        return Some("ESC");
    }
    if out.contains(&0x07) {
        return Some("BEL");
    }
    if out.contains(&b'\r') {
        return Some("CR");
    }
    if out.contains(&0) {
        return Some("NUL");
    }
    if s.contains('\u{9b}') {
        return Some("C1");
    }
    if s.contains('\u{202e}') {
        return Some("bidi override");
    }
    None
}

#[test]
fn hostile_text_is_refused_when_typed_in() {
    let Db {
        dir: _dir,
        path: db,
        ..
    } = fixture();
    // NUL cannot travel in a command-line argument at all; it is covered below.
    for (name, text) in HOSTILE.iter().filter(|(n, _)| *n != "NUL") {
        let o = run(&db, &["item", "add", "--project", "ACME", "--system", text]);
        assert_eq!(code(&o), 3, "{name}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("plain-text-only"),
            "{name}: {}",
            stderr(&o)
        );
        assert!(
            dangerous(&o.stderr).is_none(),
            "{name}: the error message itself must be safe"
        );
        let o = run(
            &db,
            &[
                "item",
                "add",
                "--project",
                "ACME",
                "--system",
                "Jira",
                "--notes",
                text,
            ],
        );
        assert_eq!(code(&o), 3, "{name} in notes");
    }
    let items: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&db, &["item", "list", "--json"])).unwrap();
    assert!(items.is_empty());
}

#[test]
fn hostile_text_in_the_file_is_neutralised_on_every_output() {
    let Db {
        dir: _dir,
        path: db,
        ..
    } = fixture();
    for _ in HOSTILE {
        add_item(&db, "placeholder");
    }
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        for (i, (_, text)) in HOSTILE.iter().enumerate() {
            c.execute(
                "UPDATE items SET system = ?1, role = ?1, notes = ?1, credential_owner = ?1 WHERE number = ?2",
                rusqlite::params![text, i as i64 + 1],
            )
            .unwrap();
        }
    }
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    for args in [
        vec!["item", "list"],
        vec!["item", "list", "--json"],
        vec!["item", "list", "--csv"],
        vec!["export", "--format", "csv"],
        vec!["export", "--format", "json"],
        vec!["report"],
    ] {
        let o = run(&db, &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        outputs.push((args.join(" "), o.stdout));
    }
    for i in 1..=HOSTILE.len() {
        let id = format!("ACME-{i}");
        for json in [false, true] {
            let mut args = vec!["item", "show", id.as_str()];
            if json {
                args.push("--json");
            }
            let o = run(&db, &args);
            assert!(o.status.success());
            outputs.push((args.join(" "), o.stdout));
        }
    }
    for (what, out) in &outputs {
        if let Some(bad) = dangerous(out) {
            panic!(
                "`{what}` printed {bad} from data:\n{}",
                String::from_utf8_lossy(out)
            );
        }
    }
    // The text is still visible, only defanged.
    let listed = String::from_utf8_lossy(&outputs[0].1).into_owned();
    assert!(listed.contains("red"), "{listed}");
}
