//! The pages of facts against the rows they are made from.

use super::*;
use crate::domain::machine::Action;
use crate::store::Store;

fn generated() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    crate::store::testing::generated("pages.db", 600, 5)
}

fn one(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every page as the rows of `item_facts` make it now.
fn made(c: &Connection) -> Vec<(i64, Vec<u8>)> {
    let mut out = Vec::new();
    each_page(c, |id, page| {
        out.push((id, page.to_vec()));
        Ok(())
    })
    .unwrap();
    out
}

/// Every page the file keeps.
fn kept(c: &Connection) -> Vec<(i64, Vec<u8>)> {
    let mut stmt = c
        .prepare("SELECT id, facts FROM fact_pages ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_page_reads_back_the_rows_it_was_made_of() {
    let (_dir, _db, s) = generated();
    let c = &s.conn;
    let mut stmt = c
        .prepare("SELECT id, project, round, facts FROM item_facts ORDER BY id")
        .unwrap();
    type Row = (i64, String, i64, Option<Vec<u8>>);
    let rows: Vec<Row> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let pages = kept(c);
    assert_eq!(pages, made(c));
    // A page for each span of row ids that holds a row.
    let spans = one(
        c,
        &format!("SELECT count(DISTINCT id >> {PAGE_SHIFT}) FROM item_facts"),
    );
    assert!(spans > 1 && pages.len() as i64 == spans, "{spans}");
    let mut read: Vec<Row> = Vec::new();
    let mut entries_of = Vec::new();
    for (id, b) in &pages {
        entries(*id, b, &mut entries_of).expect("a page that reads");
        assert!(entries_of.len() <= PER_PAGE);
        for e in &entries_of {
            assert_eq!(page_of(e.id), *id);
            let project = String::from_utf8(e.project.to_vec()).unwrap();
            read.push((e.id, project, e.round, e.facts.map(<[u8]>::to_vec)));
        }
    }
    assert_eq!(read, rows);
}

#[test]
fn a_page_that_does_not_read_is_refused() {
    let (_dir, _db, s) = generated();
    let (id, page) = kept(&s.conn).remove(1);
    let mut out = Vec::new();
    assert!(entries(id, &page, &mut out).is_some());
    // Cut short anywhere, or of another form, or with its rows out of order.
    for cut in [1, 2, page.len() / 2, page.len() - 1] {
        assert!(entries(id, &page[..cut], &mut out).is_none(), "{cut}");
    }
    let mut other = page.clone();
    other[0] = PAGE_FORM + 1;
    assert!(entries(id, &other, &mut out).is_none());
    let twice = [&page[..], &page[1..]].concat();
    assert!(entries(id, &twice, &mut out).is_none());
    // A row id past its page, and a page whose ids would leave the id space.
    assert!(entries(id, &[PAGE_FORM, PER_PAGE as u8, 0, 0, 0], &mut out).is_none());
    assert!(entries(i64::MAX, &page, &mut out).is_none());
    // The report names the page.
    s.conn
        .execute("UPDATE fact_pages SET facts = x'0107' WHERE id = ?1", [id])
        .unwrap();
    let e = s.report(None).unwrap_err().to_string();
    assert!(e.contains(&format!("page {id} of the packed facts")), "{e}");
}

#[test]
fn every_write_of_the_store_leaves_each_page_that_of_its_rows() {
    let (_dir, _db, mut s) = generated();
    let check = |s: &Store, what: &str| {
        assert_eq!(
            one(&s.conn, "SELECT count(*) FROM fact_pages_stale"),
            0,
            "{what}"
        );
        assert_eq!(kept(&s.conn), made(&s.conn), "{what}");
        assert!(usable(&s.conn).unwrap(), "{what}");
    };
    check(&s, "generated");
    // New items, the first rows of new pages among them.
    let fields = s.item("P0001-1").unwrap().fields;
    for _ in 0..(PER_PAGE + 1) {
        s.add_item("P0002", fields.clone()).unwrap();
    }
    check(&s, "added");
    // A change of an item's row in place: its facts packed again.
    let needed = |s: &Store, n: i64| -> String {
        s.conn
            .query_row(
                "SELECT project || '-' || number FROM items WHERE state = 'needed' \
                 AND manual_block IS NULL ORDER BY id LIMIT 1 OFFSET ?1",
                [n],
                |r| r.get(0),
            )
            .unwrap()
    };
    let (first, second) = (needed(&s, 0), needed(&s, 1));
    let block = Action::Block {
        reason: "waiting on the client".into(),
    };
    s.act(&first, &block, None).unwrap();
    check(&s, "blocked");
    s.act(
        &first,
        &Action::Cancel {
            note: Some("not needed".into()),
        },
        None,
    )
    .unwrap();
    check(&s, "cancelled");
    // A row removed outside accessdesk takes its row of facts with it and marks its
    // page: the report reads the rows until the next write makes the page again.
    let before = s.report(None).unwrap();
    s.conn
        .execute_batch(
            "PRAGMA foreign_keys = OFF; \
             DELETE FROM items WHERE project = 'P0004' AND number = 5; \
             PRAGMA foreign_keys = ON;",
        )
        .unwrap();
    assert_eq!(one(&s.conn, "SELECT count(*) FROM fact_pages_stale"), 1);
    assert!(!usable(&s.conn).unwrap());
    assert_eq!(mismatches(&s.conn).unwrap(), Vec::<String>::new());
    let after = s.report(None).unwrap();
    assert_eq!(after.overall.items, before.overall.items - 1);
    s.act(&second, &block, None).unwrap();
    check(&s, "made again by the next write");
    assert_eq!(s.report(None).unwrap().overall.items, after.overall.items);
}

#[test]
fn verify_names_a_page_that_is_not_that_of_its_rows() {
    let (_dir, _db, s) = generated();
    let c = &s.conn;
    assert_eq!(mismatches(c).unwrap(), Vec::<String>::new());
    // Another program changes a page, adds one of no rows and takes one away.
    c.execute_batch(
        "UPDATE fact_pages SET facts = (SELECT facts FROM fact_pages WHERE id = 2) WHERE id = 1; \
         INSERT INTO fact_pages (id, facts) VALUES (77, x'01'); \
         DELETE FROM fact_pages WHERE id = 3;",
    )
    .unwrap();
    let named = mismatches(c).unwrap();
    let ids: Vec<&str> = named
        .iter()
        .map(|n| n.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        ids,
        ["fact_pages 1", "fact_pages 3", "fact_pages 77"],
        "{named:?}"
    );
    assert!(named[0].contains("changed outside accessdesk or is damaged"));
    // A page marked stale is the next write's to make: not named.
    c.execute("INSERT INTO fact_pages_stale (id) VALUES (1)", [])
        .unwrap();
    assert_eq!(mismatches(c).unwrap().len(), 2);
    // So is a row of facts changed outside accessdesk, whose page it names.
    let r = s.replay_check().unwrap();
    assert!(
        r.problems().iter().any(|p| p.contains("fact_pages 3:")),
        "{:?}",
        r.problems()
    );
}

#[test]
fn the_report_reads_the_pages_as_it_reads_the_rows() {
    let (_dir, _db, s) = generated();
    assert!(usable(&s.conn).unwrap());
    let paged = s.report(None).unwrap();
    let by_readers: Vec<_> = [0, 1, 3]
        .map(|n| s.report_read_by(None, Default::default(), n).unwrap())
        .into();
    // With a page marked stale, every row of facts is read instead.
    s.conn
        .execute("INSERT INTO fact_pages_stale (id) VALUES (0)", [])
        .unwrap();
    assert!(!usable(&s.conn).unwrap());
    let rows = s.report(None).unwrap();
    assert!(rows.overall.items == 600 && rows.overall.open_blockers > 0);
    assert_eq!(paged, rows);
    for (n, r) in [0, 1, 3].iter().zip(&by_readers) {
        assert_eq!(r, &rows, "{n} readers");
    }
}

#[test]
fn a_file_of_schema_21_gets_its_pages_from_its_rows_of_facts() {
    let (_dir, db, s) = generated();
    let before = (s.report(None).unwrap(), kept(&s.conn));
    drop(s);
    // The trigger as schema 21 made it.
    let mut mem = Connection::open_in_memory().unwrap();
    crate::store::schema::MIGRATIONS
        .to_version(&mut mem, 21)
        .unwrap();
    let trigger: String = mem
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'item_facts_removed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let c = Connection::open(&db).unwrap();
    c.execute_batch(&format!(
        "DROP TABLE fact_pages; DROP TABLE fact_pages_stale; DROP TRIGGER item_facts_removed; \
         {trigger}; PRAGMA user_version = 21;"
    ))
    .unwrap();
    drop(c);
    let mut s = Store::open_as(&db, crate::store::testing::me()).unwrap();
    s.set_now(before.0.generated_at);
    assert!(usable(&s.conn).unwrap());
    assert_eq!(kept(&s.conn), before.1);
    assert_eq!(s.report(None).unwrap(), before.0);
}

#[test]
fn deleting_an_item_marks_the_page_its_id_is_in() {
    let (_dir, _db, s) = generated();
    let c = &s.conn;
    for id in [1, 63, 64, 600] {
        c.execute_batch(&format!(
            "PRAGMA foreign_keys = OFF; DELETE FROM items WHERE id = {id}; PRAGMA foreign_keys = ON;"
        ))
        .unwrap();
        let marked = one(
            c,
            &format!(
                "SELECT count(*) FROM fact_pages_stale WHERE id = {}",
                page_of(id)
            ),
        );
        assert_eq!(marked, 1, "{id}");
    }
    assert_eq!(page_of(-1), -1);
    assert_eq!(ids_of(-1, -1), (-(PER_PAGE as i64), -1));
    assert_eq!(ids_of(i64::MIN, i64::MAX), (i64::MIN, i64::MAX));
}
