//! The items as the lists read them: from their packed facts with the columns the
//! facts do not hold, or from every column, one item either way.

use super::*;
use crate::store::facts::{mismatches, refresh};
use crate::store::testing::generated;
use rusqlite::Connection;

fn plan(c: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let nulls = vec![rusqlite::types::Value::Null; stmt.parameter_count()];
    stmt.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn every_item_is_read_in_one_scan_of_the_table_and_a_range_by_its_row_ids() {
    let (_dir, _db, s) = generated("scan.db", 300, 3);
    for source in [WHOLE_ROWS, PACKED_ROWS] {
        let every = plan(&s.conn, &every_item_in_table_order(source));
        assert_eq!(every, [format!("SCAN {}", source.from)], "{source:?}");
        let range = plan(&s.conn, &items_of_range(source));
        assert_eq!(
            range,
            [format!(
                "SEARCH {} USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)",
                source.from
            )],
            "{source:?}"
        );
    }
}

/// Every row read whole from its columns, and from its facts with the other columns.
fn both(c: &Connection) -> (Vec<Item>, Vec<Item>) {
    let read = |source: Source, packed: bool| {
        let mut stmt = c.prepare(&every_item_in_table_order(source)).unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut lean = Lean::new();
        let mut out = Vec::new();
        while let Some(r) = rows.next().unwrap() {
            if packed {
                facts::item_into(r, &mut lean).expect("facts that read");
            } else {
                rows::item_into(r, &mut lean.item).unwrap();
            }
            out.push(lean.item.clone());
        }
        out
    };
    (read(WHOLE_ROWS, false), read(PACKED_ROWS, true))
}

#[test]
fn every_item_reads_the_same_from_its_facts_as_from_its_columns() {
    let (_dir, _db, s) = generated("facts.db", 600, 5);
    let (columns, packed) = both(&s.conn);
    assert_eq!(columns.len(), 600);
    for (i, (c, p)) in columns.iter().zip(&packed).enumerate() {
        assert_eq!(p, c, "row {i}");
    }
    // Values the generated items lack and values no accessdesk writes, in the
    // columns the facts pack and in those they do not, each read as its column reads.
    let odd = [
        "exception_reason = 'vendor', exception_owner = 'sam', exception_expires = '2027-01-31'",
        "exception_reason = 5, exception_owner = NULL, exception_expires = 'soon'",
        "exception_reason = '   ', notes = CAST(x'ff41' AS TEXT), parties = 'kim,,sam'",
        "needed_by = '2026-12-24', deprovision = 'at-project-end', manual_block = 'waits'",
        "retro_due = '2026-11-21T08:00:00.000000Z', emergency = 1, emergency_by = 'kim'",
        "review = 'pending:2026-12-01', above_standard = 1, justification = 'audit'",
        "review = 'revoke', state = 'bogus', method = 'carrier pigeon'",
        "system = CAST(x'ff41' AS TEXT), purpose = ' ', role = char(11), approver = ''",
        "created_at = 'not a time', updated_at = '2026-11-20T12:00:00+02:00'",
        "state_since = '2026-11-20 12:00:00', blocked_since = '1969-07-20T20:17:40.123456789Z'",
        "granted_method = 'vault', granted_by = 'kim', verify_reference = 'TICKET-9'",
        "extension = 'not an extension', last_reason = 'why', requester = CAST(x'fe' AS TEXT)",
        "holder = 42, credential_owner = '', rotation = 'due', manual_block = ''",
    ];
    crate::store::testing::set_outside(&s.conn, &odd);
    // Packed again from the columns, as every write of accessdesk's packs them.
    refresh(&s.conn, "true", []).unwrap();
    assert_eq!(mismatches(&s.conn).unwrap(), Vec::<String>::new());
    let (columns, packed) = both(&s.conn);
    assert!(
        columns[1]
            .fields
            .exception
            .as_ref()
            .is_some_and(|e| e.reason == "5")
    );
    assert!(columns[3].manual_block.as_deref() == Some("waits"));
    assert_eq!(columns[2].parties, ["kim", "sam"]);
    for (i, (c, p)) in columns.iter().zip(&packed).enumerate() {
        assert_eq!(p, c, "row {i}");
    }
}

/// Items as a list hands them on, each with its blockers.
type Handed = Vec<(Item, blockers::Assessment)>;

/// Every item `each_item` hands on, with its blockers, on one thread and on two.
fn listed(s: &Store) -> (Handed, Handed) {
    let now = s.now();
    let mut one = Vec::new();
    s.each_item(&ItemFilter::default(), None, now, |l| {
        one.push((l.item.clone(), l.assessment))
    })
    .unwrap();
    let (parts, ()) = s
        .each_item_in_parts(
            2,
            now,
            |_| Vec::new(),
            |part, l| part.push((l.item.clone(), l.assessment)),
            || Ok(()),
        )
        .unwrap();
    (one, parts.into_iter().flatten().collect())
}

#[test]
fn the_lists_hand_on_the_same_items_whichever_form_they_read() {
    let (_dir, _db, s) = generated("lists.db", 500, 8);
    assert!(RowReader::new(&s).unwrap().packed);
    let (one, parts) = listed(&s);
    assert_eq!(one.len(), 500);
    assert!(one.iter().any(|(_, a)| !a.reasons.is_empty()));
    assert!(one.iter().any(|(it, _)| !it.approvals.is_empty()));
    assert_eq!(parts, one);
    // A row without facts (written outside accessdesk): every row's columns are read.
    let first = "(SELECT min(id) FROM items)";
    s.conn
        .execute(
            &format!("UPDATE item_facts SET facts = NULL WHERE id = {first}"),
            [],
        )
        .unwrap();
    assert!(!RowReader::new(&s).unwrap().packed);
    assert_eq!(listed(&s), (one.clone(), one.clone()));
    // Facts that do not read: that row is read from its columns, the others from
    // their facts; the list is the same.
    s.conn
        .execute(
            &format!("UPDATE item_facts SET facts = x'0001' WHERE id = {first}"),
            [],
        )
        .unwrap();
    assert!(RowReader::new(&s).unwrap().packed);
    assert_eq!(listed(&s), (one.clone(), one));
}
