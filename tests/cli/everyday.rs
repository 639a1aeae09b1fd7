//! The command line as a terminal user meets it: completion scripts that the shells
//! accept, a manual page that `man` renders, an example under every command, errors
//! that start the same way, `--json` errors (usage errors too) as one JSON object on
//! the last line of standard error, `--read-only`, and the log file, which never holds
//! a typed value.

use crate::common::*;
use std::process::{Command, Stdio};

fn last_json(out: &Out) -> serde_json::Value {
    let last = out.stderr.lines().last().expect("stderr has a last line");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("last line is not JSON ({e}): {out:?}"))
}

fn pipe_into(program: &str, args: &[&str], input: &str) -> Option<std::process::Output> {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("MANWIDTH", "80")
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    child.wait_with_output().ok()
}

#[test]
fn completion_scripts_parse_in_their_shells_and_the_man_page_renders() {
    let db = Db::private();
    let bash = db.run(&["completions", "bash"]).ok().stdout;
    assert!(
        bash.contains("accessdesk") && bash.contains("settings"),
        "{bash}"
    );
    let checked = pipe_into("bash", &["-n"], &bash).expect("bash runs");
    assert!(
        checked.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let zsh = db.run(&["completions", "zsh"]).ok().stdout;
    assert!(zsh.starts_with("#compdef accessdesk"), "{zsh}");
    let fish = db.run(&["completions", "fish"]).ok().stdout;
    assert!(fish.contains("complete -c accessdesk"), "{fish}");
    // The state filter completes to its values.
    assert!(
        bash.contains("--read-only") && bash.contains("--log-level"),
        "{bash}"
    );

    let page = db.run(&["man"]).ok().stdout;
    assert!(
        page.starts_with(".ie") || page.contains(".TH accessdesk"),
        "{page}"
    );
    match pipe_into("man", &["-l", "-"], &page) {
        Some(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("NAME") && text.contains("COMMANDS"), "{text}");
            assert!(text.contains("accessdesk item add"), "{text}");
            assert!(
                text.contains("accessdesk settings set stale-after-days 5"),
                "{text}"
            );
        }
        Some(out) => panic!("man -l failed: {}", String::from_utf8_lossy(&out.stderr)),
        None => skip("man is not installed (apt-get install man-db)"),
    }
}

#[test]
fn every_command_shows_an_example_and_the_state_filter_lists_its_values() {
    let db = Db::private();
    let help = db.run(&["item", "list", "--help"]).ok().stdout;
    assert!(help.contains("Example"), "{help}");
    assert!(
        help.contains(
            "needed, requested, approved, granted, verified, denied, revoked or cancelled"
        ),
        "{help}"
    );
    let help = db.run(&["item", "submit", "--help"]).ok().stdout;
    assert!(
        help.contains("Example:\n  accessdesk item submit ACME-3"),
        "{help}"
    );
    let top = db.run(&["--help"]).ok().stdout;
    assert!(
        top.contains("--read-only") && top.contains("--log-level"),
        "{top}"
    );
}

#[test]
fn errors_start_alike_and_json_ends_stderr_with_one_object() {
    let db = Db::new();
    // A usage error.
    let out = db.run(&["item", "lst", "--json"]).code(2);
    assert!(out.stderr.starts_with("accessdesk: "), "{out:?}");
    let j = last_json(&out);
    assert_eq!(j["exit"], 2);
    assert!(
        j["error"].as_str().is_some_and(|e| e.contains("lst")),
        "{j}"
    );
    assert!(
        j.get("rule").is_some() && j.get("field").is_some() && j.get("fix").is_some(),
        "{j}"
    );
    let out = db.run(&["--json", "item", "show"]).code(2);
    assert_eq!(last_json(&out)["exit"], 2);
    // Without --json, no JSON.
    let out = db.run(&["item", "lst"]).code(2);
    assert!(!out.stderr.contains("{\""), "{out:?}");
    // A refusal.
    let out = db
        .run(&[
            "project", "add", "x", "--name", "n", "--client", "c", "--start", START, "--json",
        ])
        .code(3);
    assert!(out.stderr.starts_with("accessdesk: refused ("), "{out:?}");
    let j = last_json(&out);
    assert_eq!(j["exit"], 3);
    assert!(j["rule"].is_string(), "{j}");
    // An error that is not a rule's.
    let out = db.run(&["item", "show", "ACME-99", "--json"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.starts_with("accessdesk: "), "{out:?}");
    assert_eq!(last_json(&out)["exit"], out.code);
}

#[test]
fn read_only_writes_nothing_and_refuses_writes_by_rule() {
    let db = Db::new();
    db.run(&[
        "project", "add", "ACME", "--name", "A", "--client", "C", "--start", START,
    ])
    .ok();
    let bytes = std::fs::read(&db.path).expect("read");
    let listed = db
        .run(&["--read-only", "project", "list", "--json"])
        .ok()
        .json();
    assert_eq!(listed[0]["key"], "ACME");
    db.run(&["report", "--read-only", "--json"]).ok();
    db.run(&["--read-only", "audit", "verify"]).ok();
    for args in [
        vec![
            "project", "add", "BETA", "--name", "B", "--client", "C", "--start", START,
        ],
        vec!["settings", "set", "stale-after-days", "5"],
        vec!["item", "submit", "ACME-1"],
        vec!["people", "add", "someone", "--role", "support"],
        vec!["init"],
        vec!["project", "close", "ACME"],
    ] {
        let mut full = vec!["--read-only", "--json"];
        full.extend(args);
        let out = db.run(&full).refused("read-only");
        assert_eq!(last_json(&out)["rule"], "read-only");
    }
    assert_eq!(
        std::fs::read(&db.path).expect("read"),
        bytes,
        "the file changed"
    );
    // Never creates a file.
    let missing = db.home().join("none.db");
    let mut c = command(db.home(), None);
    c.args([
        "--read-only",
        "--db",
        missing.to_str().expect("utf-8"),
        "project",
        "list",
    ]);
    let out = capture(c, &[]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(!missing.exists());
}

#[test]
fn the_log_names_the_command_and_rule_but_never_a_typed_value() {
    let db = Db::new();
    db.team();
    db.run(&[
        "item",
        "add",
        "--project",
        "ACME",
        "--system",
        "Billing",
        "--purpose",
        "invoices",
        "--role",
        "Viewer",
        "--credential-owner",
        "Ana",
        "--approver",
        APPROVER,
        "--method",
        "vault",
        "--notes",
        SECRET,
    ])
    .refused("no-credentials-in-text");
    db.run(&["--log-level", "trace", "item", "list", "--state", "needed"])
        .ok();
    let log = db.home().join(".local/state/accessdesk/accessdesk.log");
    let text = std::fs::read_to_string(&log).expect("the log file exists");
    assert!(text.contains("command=item add"), "{text}");
    assert!(text.contains("no-credentials-in-text"), "{text}");
    assert!(text.contains("command=item list"), "{text}");
    assert!(
        !text.contains(SECRET_VALUE),
        "the log holds the credential:\n{text}"
    );
    assert!(
        !text.contains("Billing") && !text.contains("invoices"),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
