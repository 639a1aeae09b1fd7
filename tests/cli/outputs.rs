//! What reaches standard output and standard error: JSON that escapes the characters
//! that would act on a terminal, parser errors that never echo them, and writes that
//! fail (a closed pipe, a full device) ending the command cleanly instead of aborting.

use crate::common::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

/// DEL, a C1 CSI, a right-to-left override, a zero-width space and a tag character:
/// none may reach a terminal raw.
const HOSTILE: &str = "Ev\u{7f}e\u{9b}31m\u{202e}gnp\u{200b}\u{e0041}";

fn raw_hostile(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| matches!(u32::from(*c), 0x7f..=0x9f | 0x202e | 0x200b | 0xe0041))
        .collect()
}

/// Writes `HOSTILE` straight into the file, as an edit outside accessdesk (or an older
/// version) could have left it: the outputs must not trust what the file holds.
fn plant(db: &Db, sql: &str) {
    let c = rusqlite::Connection::open(&db.path).expect("open the file read-write");
    c.execute(sql, [HOSTILE]).expect("plant the text");
}

#[test]
fn every_json_output_escapes_controls_bidi_and_format_characters() {
    let db = Db::new();
    db.team();
    let id = db.add(&NewItem::new());
    db.run(&[
        "task",
        "add",
        "--project",
        "ACME",
        "--title",
        "Kick-off",
        "--start",
        START,
        "--needs",
        &id,
    ])
    .ok();
    plant(&db, "UPDATE people SET name = ?1");
    plant(&db, "UPDATE projects SET name = ?1, client = ?1");
    plant(&db, "UPDATE items SET system = ?1, purpose = ?1");
    plant(&db, "UPDATE tasks SET title = ?1");
    let task = db.run(&["task", "list", "--json"]).ok().json()[0]["id"]
        .as_str()
        .expect("a task id")
        .to_string();
    for args in [
        vec!["people", "list", "--json"],
        vec!["project", "list", "--json"],
        vec!["item", "list", "--json"],
        vec!["item", "show", &id, "--json"],
        vec!["task", "list", "--json"],
        vec!["task", "show", &task, "--json"],
        vec!["report", "--json"],
        vec!["export", "--format", "json"],
    ] {
        let out = db.run(&args).ok();
        assert_eq!(
            raw_hostile(&out.stdout),
            Vec::<char>::new(),
            "{args:?} wrote raw controls: {:?}",
            out.stdout
        );
        // Still JSON.
        out.json();
    }
    // The escapes read back as the very text in the file (the outputs that carry a
    // person's name as it is).
    let people = db.run(&["people", "list", "--json"]).ok().json();
    assert!(
        people
            .as_array()
            .expect("people")
            .iter()
            .any(|p| p["name"] == HOSTILE),
        "{people}"
    );
}

#[test]
fn a_json_error_escapes_what_it_quotes() {
    let db = Db::new();
    let out = db.run(&["item", "show", "ACME-1\u{9b}\u{202e}", "--json"]);
    assert_ne!(out.code, 0);
    assert_eq!(
        raw_hostile(&out.stderr),
        Vec::<char>::new(),
        "{:?}",
        out.stderr
    );
}

#[test]
fn parser_errors_never_echo_escape_sequences() {
    let db = Db::new();
    for bad in ["--bo\u{1b}[31mgus\u{202e}X\r", "--colour=\u{9b}2J"] {
        let out = db.run(&[bad]).code(2);
        assert!(
            !out.stderr
                .chars()
                .any(|c| c == '\u{1b}' || c == '\r' || c == '\u{202e}' || c == '\u{9b}'),
            "the usage error echoed raw controls: {:?}",
            out.stderr
        );
        assert!(
            out.stderr.contains("--bo") || out.stderr.contains("--colour"),
            "{}",
            out.stderr
        );
    }
    let out = db.run(&["item", "list", "--state", "\u{1b}]0;owned\u{7}\u{202e}"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(!out.stderr.contains('\u{1b}') && !out.stderr.contains('\u{202e}'));
}

/// A project with `n` valid items, imported in one go.
fn with_items(n: usize) -> Db {
    let db = Db::new();
    db.team();
    let mut csv = accessdesk::exchange::FIELD_COLUMNS.join(",");
    csv.push('\n');
    for i in 0..n {
        for col in accessdesk::exchange::FIELD_COLUMNS {
            let cell = match *col {
                "system" => format!("System {i}"),
                "purpose" => "Reporting".to_string(),
                "role" => "Viewer".to_string(),
                "credential-owner" => "Carol Client".to_string(),
                "approver" => APPROVER.to_string(),
                "method" => "vault".to_string(),
                _ => String::new(),
            };
            csv.push_str(&cell);
            csv.push(',');
        }
        csv.pop();
        csv.push('\n');
    }
    let file = db.home().join("many.csv");
    std::fs::write(&file, csv).expect("write the import file");
    db.run(&["import", "--project", "ACME", file.to_str().expect("utf-8")])
        .ok();
    db
}

#[test]
fn a_pipe_closed_early_ends_quietly_with_exit_0() {
    let db = with_items(3000);
    for args in [
        vec!["item", "list"],
        vec!["item", "list", "--json"],
        vec!["export", "--format", "csv"],
        vec!["export", "--format", "json"],
    ] {
        let mut c = command(db.home(), None);
        c.arg("--db").arg(&db.path).args(&args);
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start accessdesk");
        // `| head -1`: read one line, then close the pipe while the rest is unwritten.
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("read the first line");
        assert!(!first.is_empty());
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?} complained: {stderr}");
    }
}

fn to_dev_full(db: &Db, args: &[&str], stream: &str) -> (Option<i32>, String, String) {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    let mut c = command(db.home(), None);
    c.arg("--db").arg(&db.path).args(args);
    if stream == "stdout" {
        c.stdout(full()).stderr(Stdio::piped());
    } else {
        c.stdout(Stdio::piped()).stderr(full());
    }
    let out = c.output().expect("run accessdesk");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_failed_write_is_exit_1_with_a_message_never_an_abort() {
    let db = with_items(50);
    let id = "ACME-1";
    for args in [
        vec!["people", "list"],
        vec!["item", "show", id],
        vec!["item", "list", "--json"],
        vec!["task", "list"],
        vec!["audit", "verify"],
        vec!["report"],
        vec!["--help"],
    ] {
        let (code, _, stderr) = to_dev_full(&db, &args, "stdout");
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        if args[0] != "--help" {
            assert!(
                stderr.contains("cannot write to standard output"),
                "{args:?}: {stderr}"
            );
        }
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // `init` on a fresh file says what it did on standard output.
    let fresh = Db::unopened("fresh.db");
    let (code, _, stderr) = to_dev_full(&fresh, &["init"], "stdout");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // Standard error full: the error cannot be told, but the exit says it failed.
    let (code, _, _) = to_dev_full(&db, &["item", "show", "ACME-999"], "stderr");
    assert_eq!(code, Some(1));
    let (code, _, _) = to_dev_full(&db, &["--bogus"], "stderr");
    assert_eq!(code, Some(1));
}
