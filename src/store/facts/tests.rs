//! The facts against the columns they are packed from.

use super::*;
use crate::domain::forecast::Timeline;
use crate::domain::{Capacity, Item, routing::Delegate};
use crate::store::Store;
use crate::store::testing::{WITHOUT_FACTS, me};
use chrono::NaiveDate;
use rusqlite::types::Value;

fn generated() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    crate::store::testing::generated("facts.db", 600, 11)
}

type Read = (
    Item,
    Timeline,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    String,
    i64,
    i64,
);

fn taken(l: &Lean) -> Read {
    let (it, system) = (l.item.clone(), l.system.clone());
    (
        it,
        l.timeline,
        l.revoked,
        l.cancelled,
        system,
        l.id,
        l.round,
    )
}

/// Every row as the pass reads it from its columns and from its facts.
fn both(c: &Connection) -> (Vec<Read>, Vec<Read>) {
    let every = [
        Value::Integer(i64::MIN),
        Value::Integer(i64::MAX),
        Value::Null,
    ];
    let read = |sql: &str, packed: bool| {
        let mut stmt = c.prepare(sql).unwrap();
        let mut rows = stmt.query(rusqlite::params_from_iter(&every)).unwrap();
        let (mut lean, mut out) = (Lean::new(), Vec::new());
        while let Some(r) = rows.next().unwrap() {
            if packed {
                read(r, &mut lean, rows::int(r, 2)).expect("facts that read");
            } else {
                lean.read(r);
            }
            out.push(taken(&lean));
        }
        out
    };
    (read(LEAN_SQL, false), read(FACTS_SQL, true))
}

proptest::proptest! {
    /// Any time, date, number and text chrono and Rust can hold reads back as
    /// itself, with whatever follows it left to read.
    #[test]
    fn every_value_reads_back_as_written(
        secs in -8_000_000_000_000i64..8_000_000_000_000i64,
        nanos in 0u32..1_000_000_000,
        micros in proptest::bool::ANY,
        days in proptest::num::i32::ANY,
        number in proptest::num::i64::ANY,
        text in proptest::option::of(".{0,300}"),
        later in -200_000i64..200_000,
    ) {
        let nanos = if micros { nanos / 1000 * 1000 } else { nanos };
        let t = DateTime::from_timestamp(secs, nanos);
        // Another time, often of the same day, then the first again (written as the
        // first) and the other: each time reads on its own, or is passed over.
        let near = DateTime::from_timestamp(secs.saturating_add(later), nanos / 3);
        let d = NaiveDate::from_num_days_from_ce_opt(days);
        let mut out = Vec::new();
        let times = [t, near, t, near];
        let first = &mut None;
        for at in times {
            put_time(&mut out, at, first);
        }
        put_date(&mut out, d);
        put_uint(&mut out, zigzag(number));
        put_text(&mut out, text.as_deref());
        out.push(0xAB);
        let mut days = Days::default();
        let mut passed = Reader::new(&out, &mut days);
        proptest::prop_assert_eq!(passed.time(), Some(t));
        for _ in 1..times.len() {
            proptest::prop_assert_eq!(passed.pass_time(), Some(()));
        }
        let after = passed.rest;
        let mut r = Reader::new(&out, &mut days);
        for at in times {
            proptest::prop_assert_eq!(r.time(), Some(at));
        }
        proptest::prop_assert_eq!(r.rest, after);
        proptest::prop_assert_eq!(r.date(), Some(d));
        proptest::prop_assert_eq!(r.uint().map(unzigzag), Some(number));
        proptest::prop_assert_eq!(r.opt_text(), Some(text.as_deref()));
        proptest::prop_assert_eq!(r.rest, &[0xAB][..]);
    }
}

proptest::proptest! {
    /// A number of any size reads back as written, whatever bytes follow it.
    #[test]
    fn a_number_reads_back_whatever_follows_it(
        n in proptest::num::u64::ANY,
        shift in 0u32..64,
        tail in proptest::collection::vec(proptest::num::u8::ANY, 0..12),
    ) {
        let n = n >> shift;
        let mut b = Vec::new();
        put_uint(&mut b, n);
        b.extend_from_slice(&tail);
        let mut days = Days::default();
        let mut r = Reader::new(&b, &mut days);
        proptest::prop_assert_eq!(r.uint(), Some(n));
        proptest::prop_assert_eq!(r.rest, &tail[..]);
    }
}

#[test]
fn a_time_said_to_be_the_first_reads_only_after_one() {
    let mut days = Days::default();
    assert_eq!(Reader::new(&[1], &mut days).time(), None);
    assert_eq!(Reader::new(&[0, 1], &mut days).pass_time(), Some(()));
    let mut r = Reader::new(&[1], &mut days);
    assert_eq!(r.pass_time(), None);
}

#[test]
fn a_number_reads_from_one_to_ten_bytes_and_no_more() {
    let mut days = Days::default();
    let mut read = |b: &[u8]| {
        let mut r = Reader::new(b, &mut days);
        (r.uint(), r.rest.len())
    };
    assert_eq!(read(&[0x05, 0xAB]), (Some(5), 1));
    assert_eq!(read(&[0x85, 0x01]), (Some(133), 0));
    let mut max = Vec::new();
    put_uint(&mut max, u64::MAX);
    assert_eq!(max.len(), 10);
    assert_eq!(read(&max), (Some(u64::MAX), 0));
    // An eleventh byte, or a number cut short, is not a number of this form.
    assert_eq!(read(&[0xFF; 11]).0, None);
    assert_eq!(read(&[0x85]).0, None);
    // Eight bytes that all go on, then a ninth that ends the number.
    let mut nine = vec![0x80; 8];
    nine.extend([0x01, 0xAB]);
    assert_eq!(read(&nine), (Some(1 << 56), 1));
    // A number that ends in its eighth byte, with more after it.
    let mut eight = vec![0xFF; 7];
    eight.extend([0x7F, 0xAB, 0xCD]);
    assert_eq!(read(&eight), (Some((1 << 56) - 1), 2));
    assert_eq!(read(&[]).0, None);
}

#[test]
fn every_row_reads_the_same_from_its_facts_as_from_its_columns() {
    let (_dir, _db, mut s) = generated();
    // What the store wrote: its facts are those of its columns.
    assert_eq!(mismatches(&s.conn).unwrap(), Vec::<String>::new());
    let (columns, packed) = both(&s.conn);
    assert_eq!(columns.len(), 600);
    assert_eq!(packed, columns);
    // Every column the facts pack, with what the generated items lack and with
    // values no accessdesk writes, read as the columns read them.
    let delegates = super::super::rows::delegates_text(&[Delegate {
        capacity: Capacity::Security,
        from: "sam".into(),
        to: "kim".into(),
    }]);
    let odd = [
        "exception_reason = 'vendor', exception_owner = 'sam', exception_expires = '2027-01-31'",
        "exception_reason = '   ', exception_owner = NULL, exception_expires = 'soon'",
        "needed_by = '2026-12-24', deprovision = 'at-project-end', manual_block = 'waits'",
        "retro_due = '2026-11-21T08:00:00.000000Z', emergency = 1, rotation = 'due'",
        "review = 'pending:2026-12-01', above_standard = 1, justification = 'audit'",
        "review = 'pending', holder = NULL, granted_by = 'kim'",
        "review = 'revoke', state = 'bogus', method = 'carrier pigeon'",
        "system = CAST(x'ff41' AS TEXT), purpose = ' ', role = char(11), approver = ''",
        "created_at = 'not a time', updated_at = '2026-11-20T12:00:00+02:00'",
        "state_since = '2026-11-20 12:00:00', blocked_since = '1969-07-20T20:17:40.123456789Z'",
        "submitted_at = 'not a time', verified_at = '2026-11-19T09:00:00.5+01:00'",
        "revoked_at = '2026-11-20T10:00:00.000001Z', cancelled_at = '2026-11-20T11:00:00Z'",
    ];
    crate::store::testing::set_outside(&s.conn, &odd);
    let sql = "UPDATE items SET delegates = ?1 WHERE id = (SELECT max(id) FROM items)";
    s.conn.execute(sql, [&delegates]).unwrap();
    assert_eq!(mismatches(&s.conn).unwrap().len(), odd.len() + 1);
    refresh(&s.conn, "true", []).unwrap();
    assert_eq!(mismatches(&s.conn).unwrap(), Vec::<String>::new());
    let (columns, packed) = both(&s.conn);
    let last = &columns[columns.len() - 1].0;
    assert_eq!(last.delegates.len(), 1, "{last:?}");
    assert!(columns[0].0.fields.exception.is_some() && columns[3].0.emergency);
    assert!(columns[10].1.submitted.is_none() && columns[10].1.verified.is_some());
    assert!(columns[11].2.is_some() && columns[11].3.is_some());
    for (i, (c, p)) in columns.iter().zip(&packed).enumerate() {
        assert_eq!(p, c, "row {i}");
    }
    // An access review marks items in place: their facts follow.
    let key = s.projects().unwrap()[0].key.clone();
    s.start_review(&key, None).unwrap();
    assert_eq!(mismatches(&s.conn).unwrap(), Vec::<String>::new());
}

#[test]
fn the_report_is_the_same_from_the_facts_as_from_the_columns() {
    let (_dir, _db, s) = generated();
    let missing =
        |s: &Store| -> bool { s.conn.query_row(FACTS_MISSING, [], |r| r.get(0)).unwrap() };
    assert!(!missing(&s));
    let packed = s.report(None).unwrap();
    // A row without facts (written outside accessdesk): every row's columns are
    // read, and `audit verify` names it.
    s.conn
        .execute(
            "UPDATE item_facts SET facts = NULL WHERE id = (SELECT min(id) FROM items)",
            [],
        )
        .unwrap();
    assert!(missing(&s));
    assert_eq!(s.report(None).unwrap(), packed);
    // Named, and so is its page of facts (`pages`), which it no longer makes.
    let named = mismatches(&s.conn).unwrap();
    assert!(
        named.len() == 2
            && named[0].starts_with("items P0001-1: ")
            && named[1].starts_with("fact_pages 0: "),
        "{named:?}"
    );
    // Facts that do not read are refused, not read as something else (read from the
    // rows of facts while their page is marked stale).
    s.conn
        .execute_batch(
            "UPDATE item_facts SET facts = x'0001' WHERE id = (SELECT min(id) FROM items); \
             INSERT INTO fact_pages_stale (id) VALUES (0);",
        )
        .unwrap();
    let e = s.report(None).unwrap_err().to_string();
    assert!(e.contains("do not read"), "{e}");
}

#[test]
fn a_column_changed_outside_accessdesk_is_named_by_its_item() {
    let (_dir, _db, s) = generated();
    s.conn
        .execute(
            "UPDATE items SET approver = 'mallory' WHERE project = 'P0002' AND number = 3",
            [],
        )
        .unwrap();
    let named = mismatches(&s.conn).unwrap();
    assert_eq!(named.len(), 1);
    assert!(
        named[0].starts_with("items P0002-3: its packed facts"),
        "{named:?}"
    );
    let r = s.replay_check().unwrap();
    assert!(
        r.problems()
            .iter()
            .any(|p| p.contains("P0002-3: its packed facts"))
    );
}

#[test]
fn a_file_of_schema_19_gets_its_facts_from_its_rows() {
    let (_dir, db, s) = generated();
    let before = s.report(None).unwrap();
    drop(s);
    let c = Connection::open(&db).unwrap();
    c.execute_batch(&format!("{WITHOUT_FACTS} PRAGMA user_version = 19;"))
        .unwrap();
    drop(c);
    let mut s = Store::open_as(&db, me()).unwrap();
    s.set_now(before.generated_at);
    let filled: i64 = s
        .conn
        .query_row("SELECT count(facts) FROM item_facts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(filled, 600);
    // Every page made too (`pages`: compared by `mismatches`), and none marked.
    assert!(pages::usable(&s.conn).unwrap());
    assert_eq!(mismatches(&s.conn).unwrap(), Vec::<String>::new());
    assert_eq!(s.report(None).unwrap(), before);
}

#[test]
fn a_file_of_schema_20_gets_its_facts_packed_again_in_this_form() {
    let (_dir, db, s) = generated();
    let before = s.report(None).unwrap();
    // Each row's facts as schema 20 packed them: form 1, without the values this
    // form keeps as stored.
    let mut stmt = s.conn.prepare(LEAN_SQL).unwrap();
    let ends = [
        Value::Integer(i64::MIN),
        Value::Integer(i64::MAX),
        Value::Null,
    ];
    let mut rows = stmt.query(rusqlite::params_from_iter(&ends)).unwrap();
    let (mut lean, mut old) = (Lean::new(), Vec::new());
    while let Some(r) = rows.next().unwrap() {
        lean.read(r);
        let mut out = Vec::new();
        pack(&lean, &mut out);
        out[0] = 1;
        old.push((lean.id, out));
    }
    drop(rows);
    drop(stmt);
    assert_eq!(old.len(), 600);
    assert!(
        unpack(&old[0].1, &mut Lean::new()).is_none(),
        "form 1 does not read"
    );
    drop(s);
    // The file as schema 20 left it: the facts in a column of the items.
    let c = Connection::open(&db).unwrap();
    c.execute_batch(&format!(
        "{WITHOUT_FACTS} ALTER TABLE items ADD COLUMN facts BLOB; \
         CREATE INDEX items_unpacked ON items(id) WHERE facts IS NULL;"
    ))
    .unwrap();
    for (id, facts) in &old {
        c.execute(
            "UPDATE items SET facts = ?1 WHERE id = ?2",
            rusqlite::params![facts, id],
        )
        .unwrap();
    }
    c.execute_batch("PRAGMA user_version = 20;").unwrap();
    drop(c);
    let mut s = Store::open_as(&db, me()).unwrap();
    s.set_now(before.generated_at);
    let count = |sql: &str| -> i64 { s.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let form = "SELECT count(*) FROM item_facts WHERE substr(facts, 1, 1) = x'02'";
    assert_eq!(count(form), 600);
    let column = "SELECT count(*) FROM pragma_table_info('items') WHERE name = 'facts'";
    assert_eq!(count(column), 0, "the items' column of schema 20 is gone");
    assert_eq!(mismatches(&s.conn).unwrap(), Vec::<String>::new());
    assert_eq!(s.report(None).unwrap(), before);
}

#[test]
fn each_item_has_its_row_of_facts_and_verify_names_one_that_is_not_its_items() {
    let (_dir, _db, s) = generated();
    let c = &s.conn;
    let one = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let same = "SELECT count(*) FROM items JOIN item_facts USING (id) \
                WHERE item_facts.project = items.project AND item_facts.round = items.round";
    assert_eq!(one(same), 600);
    assert_eq!(one("SELECT count(*) FROM item_facts"), 600);
    // Another program moves an item to another project and round: its row of facts
    // does not follow, and verify names it; packed again, it does.
    c.execute_batch(
        "PRAGMA foreign_keys = OFF; \
         UPDATE items SET project = 'GHOST', round = 3 WHERE project = 'P0001' AND number = 1; \
         PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    assert_eq!(one(same), 599);
    let named = mismatches(c).unwrap();
    assert!(
        named.len() == 1 && named[0].starts_with("items GHOST-1: its packed facts"),
        "{named:?}"
    );
    refresh(c, "project = 'GHOST'", []).unwrap();
    assert_eq!(one(same), 600);
    assert_eq!(mismatches(c).unwrap(), Vec::<String>::new());
    // ... adds an item: it has no row of facts, so every row is read from its
    // columns, and verify names it.
    let missing = || {
        c.query_row(FACTS_MISSING, [], |r| r.get::<_, bool>(0))
            .unwrap()
    };
    assert!(!missing());
    let cols = crate::store::rows::ITEM_COLUMNS.trim_start_matches("id, ");
    let copied = cols.replacen("number", "number + 100000", 1);
    c.execute_batch(&format!(
        "INSERT INTO items ({cols}) SELECT {copied} FROM items \
         WHERE project = 'P0002' AND number = 2"
    ))
    .unwrap();
    assert_eq!(one("SELECT count(*) FROM item_facts"), 600);
    assert!(missing());
    let named = mismatches(c).unwrap();
    assert!(
        named.len() == 1 && named[0].starts_with("items P0002-100002: its packed facts"),
        "{named:?}"
    );
    c.execute_batch("DELETE FROM items WHERE number = 100002")
        .unwrap();
    assert!(!missing());
    // ... or removes one: its row of facts goes with it.
    c.execute_batch(
        "PRAGMA foreign_keys = OFF; \
         DELETE FROM items WHERE id = (SELECT max(id) FROM items); \
         PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    assert_eq!(one("SELECT count(*) FROM item_facts"), 599);
    assert!(!missing());
    assert_eq!(mismatches(c).unwrap(), Vec::<String>::new());
    // ... or changes the facts' own table: a row put in another project, and a row
    // of facts with no item.
    c.execute_batch(
        "UPDATE item_facts SET project = 'P0003' WHERE id = (SELECT min(id) FROM items); \
         INSERT INTO item_facts (id, project, round, facts) \
         SELECT max(id) + 1, 'P0001', 0, facts FROM item_facts;",
    )
    .unwrap();
    let named = mismatches(c).unwrap();
    assert_eq!(named.len(), 2, "{named:?}");
    assert!(named[0].contains(": its packed facts (item_facts) are not those of its row"));
    assert!(named[1].starts_with("item_facts 600: packed facts of a row items does not hold"));
}
