//! Unit tests of CSV import and export: every rejection names its line and column.

use super::import::Field;
use super::*;
use crate::domain::blockers::Reason;
use crate::domain::model::{
    Approval, Capacity, Deprovision, Exception, Item, ItemFields, Method, State,
};
use crate::domain::refusal::Rule;
use crate::domain::rules;
use crate::store::ItemView;
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use std::io::{self, Read};

/// A valid row, in FIELD_COLUMNS order.
const DEFAULTS: [&str; 18] = [
    "Analytics",
    "Reporting",
    "Viewer",
    "",
    "Dana Client",
    "bob",
    "vault",
    "false",
    "",
    "",
    "false",
    "false",
    "false",
    "",
    "",
    "",
    "2026-03-01",
    "",
];

fn quote(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

fn header() -> String {
    FIELD_COLUMNS.join(",")
}

/// A valid row with some cells replaced.
fn row(set: &[(&str, &str)]) -> String {
    FIELD_COLUMNS
        .iter()
        .zip(DEFAULTS)
        .map(|(c, d)| quote(set.iter().find(|(k, _)| k == c).map_or(d, |(_, v)| v)))
        .collect::<Vec<_>>()
        .join(",")
}

fn file(rows: &[String]) -> String {
    let mut s = header();
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

fn ok(input: &str) -> Vec<(usize, ItemFields)> {
    parse_items(input.as_bytes()).unwrap_or_else(|e| panic!("{}", e.report()))
}

fn err(input: &str) -> ImportError {
    parse_items(input.as_bytes()).expect_err("the file should be refused")
}

/// Asserts the line and column, in the fields and in the message.
fn at(e: &ImportError, line: usize, column: Option<&str>) {
    assert_eq!(e.line, line, "{e}");
    assert_eq!(e.column.as_deref(), column, "{e}");
    let prefix = match column {
        Some(c) => format!("line {line}, column {c}: "),
        None => format!("line {line}: "),
    };
    assert!(e.to_string().starts_with(&prefix), "{e}");
}

fn one_cell(column: &str, value: &str) -> ImportError {
    err(&file(&[
        row(&[]),
        row(&[(column, value), ("system", "Second")]),
    ]))
}

/// The error of a file whose second row holds `value` in `column`, checked to name
/// that cell (line 3, the header being line 1).
fn refused_cell(column: &str, value: &str) -> ImportError {
    let e = one_cell(column, value);
    at(&e, 3, Some(column));
    e
}

#[test]
fn columns_contract() {
    // 28 until schema 7 added the export-only `conditions` and `reference`, 30 until
    // schema 11 added the optional `justification`.
    assert_eq!(COLUMNS.len(), 31);
    assert_eq!(
        &COLUMNS[28..],
        &["conditions", "reference", "justification"]
    );
    assert_eq!(&COLUMNS[..2], &["id", "project"]);
    assert_eq!(&COLUMNS[2..20], FIELD_COLUMNS);
    for c in READ_ONLY_COLUMNS {
        assert!(COLUMNS.contains(c) && !FIELD_COLUMNS.contains(c), "{c}");
    }
    assert_eq!(FIELD_COLUMNS.len() + READ_ONLY_COLUMNS.len(), COLUMNS.len());
    for (i, name) in FIELD_COLUMNS.iter().enumerate() {
        assert_eq!(FIELDS_IN_ORDER[i].name(), *name);
    }
}

const FIELDS_IN_ORDER: &[Field] = crate::domain::ITEM_FIELDS;

#[test]
fn a_file_with_only_the_item_columns_imports() {
    let rows = ok(&file(&[
        row(&[]),
        row(&[
            ("system", "Billing"),
            ("holder", "ops-team"),
            ("temporary", "TRUE"),
            ("expires", "2026-06-30"),
            ("deprovision", "at-project-end"),
            ("exception", "legacy system"),
            ("exception-owner", "sam"),
            ("exception-expires", "2026-05-01"),
            ("notes", "first\nsecond"),
        ]),
    ]));
    assert_eq!(rows.len(), 2);
    let (line, f) = &rows[0];
    assert_eq!(*line, 2);
    assert_eq!(f.system, "Analytics");
    assert_eq!(f.method, Some(Method::Vault));
    assert_eq!(f.holder, None);
    assert_eq!(f.exception, None);
    assert_eq!(f.needed_by, NaiveDate::from_ymd_opt(2026, 3, 1));
    let (line, f) = &rows[1];
    assert_eq!(*line, 3);
    assert_eq!(f.holder.as_deref(), Some("ops-team"));
    assert!(f.temporary);
    assert_eq!(f.deprovision, Some(Deprovision::AtProjectEnd));
    assert_eq!(
        f.exception,
        Some(Box::new(Exception {
            reason: "legacy system".into(),
            owner: Some("sam".into()),
            expires: NaiveDate::from_ymd_opt(2026, 5, 1),
        }))
    );
    assert_eq!(f.notes, "first\nsecond");
}

#[test]
fn read_only_columns_are_ignored_and_order_is_free() {
    let mut names: Vec<&str> = FIELD_COLUMNS.to_vec();
    names.reverse();
    let mut text = format!("State,ID,{},Blocker_Reasons,version\n", names.join(","));
    let mut values: Vec<String> = DEFAULTS.iter().map(|v| quote(v)).collect();
    values.reverse();
    text.push_str(&format!(
        "verified,ACME-9,{},\"a, b\",7\n",
        values.join(",")
    ));
    let rows = ok(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, ok(&file(&[row(&[])]))[0].1);
}

#[test]
fn byte_order_mark_is_skipped() {
    let plain = ok(&file(&[row(&[])]));
    assert_eq!(ok(&format!("\u{feff}{}", file(&[row(&[])]))), plain);
    let quoted_header = format!(
        "\u{feff}\"system\",{}\n{}\n",
        FIELD_COLUMNS[1..].join(","),
        row(&[])
    );
    assert_eq!(ok(&quoted_header), plain);
}

#[test]
fn blank_lines_padding_rows_and_crlf_are_fine() {
    let text = format!(
        "{}\r\n{}\r\n\r\n,,,\r\n {}\r\n\r\n\r\n",
        header(),
        row(&[]),
        ",".repeat(17)
    );
    let rows = ok(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 2);
    assert!(ok(&format!("{}\n", header())).is_empty());
}

#[test]
fn empty_file_is_refused() {
    at(&err(""), 1, None);
    at(&err("\u{feff}"), 1, None);
}

#[test]
fn unknown_header_is_named() {
    let e = err(&format!("{},colour\n{},blue\n", header(), row(&[])));
    at(&e, 1, None);
    assert!(
        e.message.contains("'colour'") && e.message.contains("header cell 19"),
        "{e}"
    );
    assert_eq!(e.rule, None);
}

#[test]
fn missing_headers_are_named() {
    let names: Vec<&str> = FIELD_COLUMNS
        .iter()
        .copied()
        .filter(|c| !matches!(*c, "method" | "notes"))
        .collect();
    let e = err(&format!("{}\n", names.join(",")));
    at(&e, 1, None);
    assert!(e.message.contains("missing columns method, notes"), "{e}");
}

#[test]
fn duplicate_header_is_named() {
    let e = err(&format!("{},System\n", header()));
    at(&e, 1, Some("system"));
    assert!(e.message.contains("header cells 1 and 19"), "{e}");
    let e = err(&format!("{},state,state\n", header()));
    at(&e, 1, Some("state"));
}

#[test]
fn empty_header_cell_and_semicolon_files_are_refused() {
    at(&err(&format!("{},\n", header())), 1, None);
    let e = err(&format!("{}\n", FIELD_COLUMNS.join(";")));
    at(&e, 1, None);
    assert!(e.message.contains("comma-separated"), "{e}");
}

#[test]
fn ragged_rows_are_refused() {
    let e = err(&file(&[
        row(&[]),
        format!("{},extra", row(&[("system", "B")])),
    ]));
    at(&e, 3, None);
    assert!(
        e.message.contains("19 cells") && e.message.contains("18 columns"),
        "{e}"
    );
    let short = row(&[("system", "C")]);
    let short = short
        .rsplit_once(',')
        .map(|(a, _)| a.to_string())
        .unwrap_or_default();
    at(
        &err(&file(&[row(&[]), row(&[("system", "B")]), short])),
        4,
        None,
    );
}

#[test]
fn bad_dates_name_line_and_column() {
    let e = one_cell("expires", "2026-02-30");
    assert_eq!(
        e.to_string(),
        "line 3, column expires: 2026-02-30 is not a date: February 2026 has 28 days; check the day"
    );
    assert_eq!(e.rule, None);
    for bad in [
        "2026-3-1",
        "01/03/2026",
        "+2026-03-01",
        "2026-03-01T00:00",
        "tomorrow",
        "2026-13-01",
    ] {
        refused_cell("needed-by", bad);
    }
    refused_cell("exception-expires", "2026-02-29");
    assert_eq!(
        ok(&file(&[row(&[("expires", " 2028-02-29 ")])]))[0]
            .1
            .expires,
        NaiveDate::from_ymd_opt(2028, 2, 29)
    );
}

/// One bad cell is refused under `rule`, its message saying `says`.
#[track_caller]
fn refused_as(column: &str, value: &str, rule: Rule, says: &str) {
    let e = refused_cell(column, value);
    assert_eq!(e.rule, Some(rule), "{e}");
    assert!(e.message.contains(says), "{e}");
}

#[test]
fn unknown_and_unsafe_methods() {
    let e = refused_cell("method", "fax");
    assert_eq!(e.rule, None);
    assert!(e.message.contains("delegated-account"), "{e}");
    for unsafe_method in [
        "email",
        "E-Mail",
        "chat",
        "Slack DM",
        "web form",
        "shared password",
        "plain-text",
        "phone",
    ] {
        refused_as(
            "method",
            unsafe_method,
            Rule::SafeCollectionMethod,
            "refused by the safe-collection-method rule",
        );
    }
    assert_eq!(
        ok(&file(&[row(&[("method", "SSO_Invite")])]))[0].1.method,
        Some(Method::SsoInvite)
    );
    assert_eq!(ok(&file(&[row(&[("method", "")])]))[0].1.method, None);
}

#[test]
fn bad_booleans_and_deprovisioning() {
    let e = refused_cell("privileged", "maybe");
    assert_eq!(e.rule, None);
    refused_cell("deprovision", "never");
    let rows = ok(&file(&[row(&[
        ("temporary", "true"),
        ("expires", "2026-06-30"),
        ("deprovision", "On_Date"),
    ])]));
    assert_eq!(rows[0].1.deprovision, Some(Deprovision::OnDate));
    let rows = ok(&file(&[row(&[
        ("privileged", "Yes"),
        ("client-owned", "1"),
        ("shared-credential", "FALSE"),
    ])]));
    assert!(rows[0].1.privileged && rows[0].1.client_owned && !rows[0].1.shared_credential);
}

#[test]
fn duplicate_rows_name_both_lines() {
    let e = err(&file(&[row(&[]), row(&[("system", "B")]), row(&[])]));
    at(&e, 4, None);
    assert!(e.message.contains("line 2"), "{e}");
    // Spelling differences that parse the same are still duplicates.
    let e = err(&file(&[
        row(&[("privileged", "true")]),
        row(&[("privileged", "YES")]),
    ]));
    at(&e, 3, None);
}

#[test]
fn nul_and_control_characters_are_refused() {
    for (column, value) in [
        ("system", "Ana\0lytics"),
        ("role", "\u{1b}[31mViewer"),
        ("purpose", "two\nlines"),
        ("holder", "tab\there"),
        ("notes", "bell\u{7}"),
        ("notes", "lone\rcarriage return"),
        ("expires", "2026-03-01\0"),
    ] {
        let e = refused_cell(column, value);
        assert_eq!(e.rule, Some(Rule::PlainText), "{e}");
    }
    let rows = ok(&file(&[row(&[(
        "notes",
        "line one\r\nline two\twith a tab",
    )])]));
    assert_eq!(rows[0].1.notes, "line one\nline two\twith a tab");
}

#[test]
fn over_long_cells_are_refused() {
    let e = refused_cell("role", &"r".repeat(rules::MAX_LINE + 1));
    assert!(
        e.message.contains("201 characters") && e.message.contains("limit is 200"),
        "{e}"
    );
    refused_cell("notes", &"n".repeat(rules::MAX_NOTE + 1));
    let fits = "é".repeat(rules::MAX_LINE);
    assert_eq!(ok(&file(&[row(&[("role", &fits)])]))[0].1.role, fits);
}

#[test]
fn a_cell_far_over_the_limit_fails_cleanly() {
    // Far over the cell limit, though under the 1 MiB a row may have: the cell is
    // named by its column. (A longer row is stopped by the reader, see `bounded`.)
    let huge = "x".repeat(512 * 1024);
    let e = err(&file(&[
        row(&[]),
        row(&[("system", "B")]),
        row(&[("system", "C"), ("notes", &huge)]),
    ]));
    at(&e, 4, Some("notes"));
    assert!(e.to_string().len() < 200, "{e}");
    assert_eq!(e.rule, Some(Rule::PlainText));
    let e = err(&file(&[row(&[("purpose", &huge)])]));
    at(&e, 2, Some("purpose"));
    assert!(e.to_string().len() < 200, "{e}");
}

#[test]
fn credentials_are_refused_without_their_value() {
    let e = refused_cell("notes", "admin login: root password=Hunter2-secret");
    assert_eq!(e.rule, Some(Rule::NoCredentialsInText));
    assert_eq!(
        e.unsafe_attempt.as_ref().map(|a| a.field.as_str()),
        Some("notes")
    );
    assert!(!e.report().contains("Hunter2"), "{e}");
    // Structured cells echo bad values; a credential must not be among them.
    for column in ["method", "expires", "temporary", "deprovision"] {
        let e = refused_cell(column, "password:Hunter2");
        assert!(!e.report().contains("Hunter2"), "{e}");
        assert!(e.unsafe_attempt.is_some(), "{e}");
    }
    let e = err(&format!("{},password=Hunter2\n", header()));
    assert!(!e.report().contains("Hunter2"), "{e}");
}

#[test]
fn unguarded_formulas_are_refused() {
    for value in [
        "=1+1",
        "=HYPERLINK(\"http://example.com\")",
        "@SUM(A1)",
        "  =cmd",
        "+cmd|' /C calc'!A0",
        "-cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "+A1",
        "-(1)",
        "+=1",
    ] {
        refused_as("purpose", value, Rule::PlainText, "spreadsheet formula");
    }
    for value in [
        "- call client first",
        "+44 20 7946 0000",
        "-5",
        "+1",
        "--",
        "- 2 people",
        "a=b",
        "e-mail me",
    ] {
        let rows = ok(&file(&[row(&[("purpose", value)])]));
        assert_eq!(rows[0].1.purpose, value);
    }
}

#[test]
fn guarded_cells_lose_exactly_one_apostrophe() {
    for (cell, value) in [
        ("'=1+1", "=1+1"),
        ("''=1+1", "'=1+1"),
        ("'-cmd|x", "-cmd|x"),
        ("'@SUM(A1)", "@SUM(A1)"),
        ("' =x", " =x"),
        ("'plain", "'plain"),
        ("'", "'"),
        ("don't", "don't"),
    ] {
        let rows = ok(&file(&[row(&[("notes", cell)])]));
        assert_eq!(rows[0].1.notes, value, "{cell}");
    }
    for v in [
        "=x", "'=x", "''=x", "\tx", "'\tx", "\rx", "x", "'x", " -x", "'", "", "-", "\n=x",
    ] {
        let guarded = if needs_guard(v) {
            format!("'{v}")
        } else {
            v.to_string()
        };
        assert_eq!(unguard(&guarded).unwrap_or(&guarded), v, "{v:?}");
    }
}

#[test]
fn invalid_utf8_names_line_and_column() {
    let mut bytes = file(&[row(&[]), row(&[("system", "CafX")])]).into_bytes();
    for b in bytes.iter_mut().filter(|b| **b == b'X') {
        *b = 0xE9; // Latin-1 é, as a spreadsheet saving "CSV" in a legacy encoding writes it
    }
    let e = parse_items(bytes.as_slice()).expect_err("latin-1 byte");
    at(&e, 3, Some("system"));
    assert!(e.message.contains("UTF-8"), "{e}");
}

#[test]
fn records_spanning_lines_are_named_by_their_first_line() {
    let text = file(&[
        row(&[("notes", "one\ntwo\nthree")]),
        row(&[("system", "B"), ("notes", "x\ny")]),
        row(&[("system", "C"), ("expires", "2026-02-30")]),
    ]);
    let e = err(&text);
    at(&e, 7, Some("expires"));
    let rows = ok(&file(&[
        row(&[("notes", "one\ntwo\nthree")]),
        row(&[("system", "B")]),
    ]));
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 5]);
}

/// Hands out one byte per read, so every CR/LF sits on a buffer boundary.
struct OneByte<'a>(&'a [u8]);

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((b, rest)), Some(slot)) => {
                *slot = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn line_numbers_count_blank_lines_crlf_and_cr() {
    let bad = row(&[("system", "Z"), ("expires", "2026-02-30")]);
    let multi = row(&[("system", "M"), ("notes", "a\r\nb\nc")]);
    let cases = [
        (format!("{}\n\n{}\n\n \n\n{}\n", header(), row(&[]), bad), 7),
        (
            format!(
                "{}\r\n\r\n{}\r\n\r\n \r\n\r\n{}\r\n",
                header(),
                row(&[]),
                bad
            ),
            7,
        ),
        (
            format!("{}\r\n{}\r\n{}\r\n{}", header(), multi, row(&[]), bad),
            6,
        ),
        (format!("{}\r{}\r\r{}\r", header(), row(&[]), bad), 4),
        (format!("\n\r\n{}\n{}\n{}", header(), row(&[]), bad), 5),
        // A stray CR inside a quoted cell of an LF file is not a line of its own.
        (
            format!("{}\n{}\n{}\n", header(), row(&[("notes", "a\rb")]), bad),
            3,
        ),
    ];
    let expires_problem = |e: &ImportError| {
        e.problems()
            .find(|p| p.column.as_deref() == Some("expires"))
            .cloned()
            .unwrap_or_else(|| panic!("{}", e.report()))
    };
    for (text, line) in &cases {
        at(&expires_problem(&err(text)), *line, Some("expires"));
        let e = parse_items(OneByte(text.as_bytes())).expect_err("refused");
        at(&expires_problem(&e), *line, Some("expires"));
    }
    let e = err(&format!("\n\n{},colour\n", header()));
    at(&e, 3, None);
}

#[test]
fn problems_are_collected_up_to_the_cap() {
    let rows: Vec<String> = (0..30)
        .map(|i| row(&[("system", &format!("S{i}")), ("expires", "2026-02-30")]))
        .collect();
    let e = err(&file(&rows));
    at(&e, 2, Some("expires"));
    assert_eq!(e.problems().count(), MAX_PROBLEMS);
    assert_eq!(e.also.last().map(|p| p.line), Some(MAX_PROBLEMS + 1));
    assert!(e.more);
    assert!(e.report().contains("stopped after 20 problems"));
    let e = err(&file(&[row(&[("expires", "x"), ("privileged", "y")])]));
    assert_eq!(
        e.problems()
            .map(|p| p.column.as_deref())
            .collect::<Vec<_>>(),
        vec![Some("expires"), Some("privileged")]
    );
    assert!(!e.more);
}

#[test]
fn rule_refusals_outrank_malformed_input() {
    let e = err(&file(&[
        row(&[("expires", "soon")]),
        row(&[("system", "B"), ("notes", "password: hunter22")]),
    ]));
    at(&e, 2, Some("expires"));
    assert_eq!(e.rule, None);
    assert_eq!(e.refusal_rule(), Some(Rule::NoCredentialsInText));
    assert_eq!(e.unsafe_attempts().count(), 1);
}

#[test]
fn an_unclosed_quote_is_detected() {
    let text = format!(
        "{}\n{}\n{}\"never closed\n{}\n",
        header(),
        row(&[]),
        row(&[("system", "B")]),
        row(&[("system", "C")])
    );
    let e = err(&text);
    at(&e, 3, None);
    assert!(e.message.contains("never closed"), "{e}");
}

#[test]
fn hundred_thousand_rows_with_a_bad_last_row() {
    let mut text = header();
    text.reserve(100_000 * 90);
    for i in 1..100_000 {
        text.push('\n');
        text.push_str(&format!(
            "S{i},Reporting,Viewer,,Dana,bob,vault,false,,,false,false,false,,,,2026-03-01,"
        ));
    }
    text.push_str(
        "\nS0,Reporting,Viewer,,Dana,bob,vault,true,2026-02-30,,false,false,false,,,,2026-03-01,\n",
    );
    let e = err(&text);
    at(&e, 100_001, Some("expires"));
    assert_eq!(e.problems().count(), 1);
}

fn view(fields: ItemFields) -> ItemView {
    let t = Utc
        .with_ymd_and_hms(2026, 1, 10, 9, 0, 0)
        .single()
        .unwrap_or_default();
    let mut item = Item::new("ACME", 3, fields, "carol", t);
    item.rowid = 1;
    item.state = State::Requested;
    item.version = 2;
    item.approvals = vec![Approval {
        login: "bob".into(),
        capacity: Capacity::Owner,
        conditions: Some("only until go-live".into()),
        at: t,
        terms: None,
    }];
    ItemView {
        item,
        reasons: vec![Reason::Stale { days: 3 }],
        blocked_since: Some(t),
    }
}

fn risky_fields() -> ItemFields {
    ItemFields {
        system: "Billing".into(),
        purpose: "-cmd|' /C calc'!A0".into(),
        role: "@SUM(A1)".into(),
        holder: Some("+44 20 7946 0000".into()),
        credential_owner: "'=quoted".into(),
        approver: "bob".into(),
        method: Some(Method::TemporaryLink),
        temporary: true,
        expires: NaiveDate::from_ymd_opt(2026, 6, 30),
        deprovision: Some(Deprovision::OnDate),
        privileged: true,
        shared_credential: false,
        client_owned: true,
        exception: Some(Box::new(Exception {
            reason: "\tindented, \"quoted\"".into(),
            owner: Some("sam".into()),
            expires: NaiveDate::from_ymd_opt(2026, 4, 1),
        })),
        needed_by: NaiveDate::from_ymd_opt(2026, 2, 1),
        notes: "=HYPERLINK(\"http://x\")\nsecond line, with comma\tand tab\nüñí 中文".into(),
        above_standard: false,
        justification: None,
    }
}

fn export(items: &[ItemView]) -> String {
    let mut out = Vec::new();
    write_items(items, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn export_guards_formulas_and_round_trips() {
    let f = risky_fields();
    let text = export(&[view(f.clone())]);
    assert_eq!(text.lines().next(), Some(COLUMNS.join(",").as_str()));
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("ACME-3,ACME,Billing,'-cmd|")),
        "{text}"
    );
    for guarded in [
        "'-cmd|",
        "'@SUM(A1)",
        "'+44 20",
        "''=quoted",
        "\"'=HYPERLINK(",
        "\"'\tindented",
    ] {
        assert!(text.contains(guarded), "{guarded} in {text}");
    }
    assert!(text.contains(",requested,2,carol,privileged client-owned exception temporary,true,no change for 3+ days,"), "{text}");
    let rows = ok(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0], (2, f));
}

#[test]
fn export_sanitises_control_characters() {
    let f = ItemFields {
        system: "\u{1b}[2J\u{1b}]0;owned\u{7}Billing".into(),
        notes: "keep\nlines\u{1b}[31m".into(),
        ..ItemFields::default()
    };
    let text = export(&[view(f)]);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("keep\nlines"), "{text:?}");
    let rows = ok(&text);
    assert!(!rows[0].1.system.chars().any(char::is_control));
}

#[test]
fn item_json_shape() {
    let mut f = risky_fields();
    f.system = "Bill\u{1b}[31ming".into();
    let j = item_json(&view(f));
    assert_eq!(j["id"], "ACME-3");
    assert_eq!(j["project"], "ACME");
    assert_eq!(j["number"], 3);
    assert_eq!(j["state"], "requested");
    assert_eq!(j["method"], "temporary-link");
    assert_eq!(j["expires"], "2026-06-30");
    assert_eq!(
        j["flags"],
        json!(["privileged", "client-owned", "exception", "temporary"])
    );
    assert_eq!(j["blocking"], true);
    assert_eq!(j["blocker_reasons"], json!(["no change for 3+ days"]));
    assert_eq!(j["blocker_reason_codes"], json!(["stale"]));
    assert_eq!(j["blocked_since"], "2026-01-10T09:00:00Z");
    assert_eq!(j["exception"]["owner"], "sam");
    assert_eq!(j["approvals"][0]["capacity"], "owner");
    // Privileged and client-owned: two different security people besides the owner.
    assert_eq!(j["missing_approvals"], json!(["security", "security"]));
    assert_eq!(j["version"], 2);
    assert_eq!(j["manual_block"], Value::Null);
    assert_eq!(j["notes"], json!(risky_fields().notes));
    assert!(!j["system"].as_str().unwrap_or_default().contains('\u{1b}'));
    // Every field of an item is in its JSON, under the field's own name, and so are
    // who requested it and its times.
    let fields = serde_json::to_value(ItemFields::default()).unwrap_or_default();
    let names = fields
        .as_object()
        .map(|o| o.keys().cloned().collect::<Vec<_>>());
    let times = ["requester", "state_since", "created_at", "updated_at"].map(String::from);
    for key in names.unwrap_or_default().iter().chain(&times) {
        assert!(j.get(key).is_some(), "{key}");
    }
    assert_eq!(
        items_json(&[view(ItemFields::default())])
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}
