//! The items' facts again, in pages of up to [`PER_PAGE`] items (schema 22): the row
//! of `fact_pages` whose id is a row id of `item_facts` shifted right by
//! [`PAGE_SHIFT`] holds, one after another, the row id, project, round and facts of
//! each row of `item_facts` in that page. The report over every project reads a page
//! as one row: SQLite's cost for each row it stepped to and each value it handed over
//! was about a fifth of the report's pass at 100,000 items.
//!
//! A page is a function of the rows of `item_facts` it covers. Whoever writes a row
//! of facts marks its page stale (`fact_pages_stale`: [`mark`], or the trigger that
//! takes a row of facts away with its item), and every write transaction of the store
//! makes its stale pages again before it commits ([`rebuild_stale`]). While any page
//! is marked (a transaction that wrote facts without passing through the store), the
//! report reads the rows of `item_facts` instead ([`usable`]). `audit verify` makes
//! every page again from the rows and names each that differs ([`mismatches`]).

use super::super::error::Result;
use super::form::{put_uint, uint_of, unzigzag, zigzag};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

/// How far a row id is shifted right to give its page.
pub(in crate::store) const PAGE_SHIFT: u32 = 6;

/// Most items a page holds.
pub(in crate::store) const PER_PAGE: usize = 1 << PAGE_SHIFT;

/// The version of a page's form; a page that starts otherwise does not read.
const PAGE_FORM: u8 = 1;

/// The pages of ids `?1..=?2`, in the order of their ids, each as one row: its id and
/// its entries ([`entries`]). The report's pass over every project reads these.
pub(in crate::store) const PAGES_SQL: &str =
    "SELECT id, facts FROM fact_pages WHERE id BETWEEN ?1 AND ?2 ORDER BY id";

/// Whether the pages may be read instead of the rows: no page is marked stale.
const ANY_STALE: &str = "SELECT EXISTS (SELECT 1 FROM fact_pages_stale)";

/// The rows of `item_facts` of one page (`?1..=?2`), as a page holds them.
const ROWS_OF_PAGE: &str =
    "SELECT id, project, round, facts FROM item_facts WHERE id BETWEEN ?1 AND ?2 ORDER BY id";

/// The page of row id `id`.
pub(in crate::store) fn page_of(id: i64) -> i64 {
    id >> PAGE_SHIFT
}

/// The first and last row id a range of pages covers (inclusive; the ends of the id
/// space stay where they are).
pub(in crate::store) fn ids_of(first: i64, last: i64) -> (i64, i64) {
    let low = first.saturating_mul(PER_PAGE as i64);
    let high = last
        .saturating_mul(PER_PAGE as i64)
        .saturating_add(PER_PAGE as i64 - 1);
    (low, high)
}

/// Marks a page stale (`?1` its id): see [`mark`].
pub(in crate::store) const MARK: &str = "INSERT OR IGNORE INTO fact_pages_stale (id) VALUES (?1)";

/// Marks the page of the row of facts `id` stale, on `tx`.
pub(in crate::store) fn mark(tx: &Connection, id: i64) -> Result<()> {
    tx.prepare_cached(MARK)?.execute([page_of(id)])?;
    Ok(())
}

/// Whether the report may read the pages: none is marked stale.
pub(in crate::store) fn usable(c: &Connection) -> Result<bool> {
    let stale: bool = c.prepare_cached(ANY_STALE)?.query_row([], |r| r.get(0))?;
    Ok(!stale)
}

/// Makes every page marked stale again from its rows, and unmarks it: before each
/// write transaction of the store commits.
pub(in crate::store) fn rebuild_stale(tx: &Connection) -> Result<()> {
    let stale: Vec<i64> = {
        let mut stmt = tx.prepare_cached("SELECT id FROM fact_pages_stale ORDER BY id")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    if stale.is_empty() {
        return Ok(());
    }
    let mut rows = tx.prepare_cached(ROWS_OF_PAGE)?;
    let mut put =
        tx.prepare_cached("INSERT OR REPLACE INTO fact_pages (id, facts) VALUES (?1, ?2)")?;
    let mut gone = tx.prepare_cached("DELETE FROM fact_pages WHERE id = ?1")?;
    let mut page = Vec::new();
    for id in stale {
        let (first, last) = ids_of(id, id);
        page.clear();
        let mut found = rows.query([first, last])?;
        while let Some(r) = found.next()? {
            add_row(&mut page, r)?;
        }
        if page.is_empty() {
            gone.execute([id])?;
        } else {
            put.execute(rusqlite::params![id, page])?;
        }
    }
    tx.execute("DELETE FROM fact_pages_stale", [])?;
    Ok(())
}

/// Makes every page from the rows of `item_facts`, none marked stale: for the
/// migration that brings them.
pub(in crate::store) fn fill(tx: &Connection) -> Result<()> {
    tx.execute_batch("DELETE FROM fact_pages; DELETE FROM fact_pages_stale;")?;
    let mut put = tx.prepare("INSERT INTO fact_pages (id, facts) VALUES (?1, ?2)")?;
    each_page(tx, |id, page| {
        put.execute(rusqlite::params![id, page])?;
        Ok(())
    })
}

/// Hands each page the rows of `item_facts` make (its id and bytes), in the order of
/// their ids, to `f`.
fn each_page(c: &Connection, mut f: impl FnMut(i64, &[u8]) -> Result<()>) -> Result<()> {
    let mut stmt = c.prepare("SELECT id, project, round, facts FROM item_facts ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut page = Vec::new();
    let mut at: Option<i64> = None;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if at.is_some_and(|p| p != page_of(id)) {
            f(at.unwrap_or_default(), &page)?;
            page.clear();
        }
        at = Some(page_of(id));
        add_row(&mut page, r)?;
    }
    if let Some(p) = at {
        f(p, &page)?;
    }
    Ok(())
}

/// Adds a row of `item_facts` (id, project, round, facts) to the page being made.
fn add_row(page: &mut Vec<u8>, r: &rusqlite::Row<'_>) -> Result<()> {
    if page.is_empty() {
        page.push(PAGE_FORM);
    }
    let id: i64 = r.get(0)?;
    // Within its page: the low bits of the row id.
    put_uint(page, (id & (PER_PAGE as i64 - 1)) as u64);
    let key = match r.get_ref(1)? {
        ValueRef::Text(t) => t,
        _ => &[],
    };
    put_uint(page, key.len() as u64);
    page.extend_from_slice(key);
    let round = match r.get_ref(2)? {
        ValueRef::Integer(n) => n,
        _ => 0,
    };
    put_uint(page, zigzag(round));
    match r.get_ref(3)? {
        ValueRef::Blob(b) => {
            put_uint(page, b.len() as u64 + 1);
            page.extend_from_slice(b);
        }
        _ => put_uint(page, 0),
    }
    Ok(())
}

/// One item of a page, as [`entries`] reads it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::store) struct Entry<'p> {
    pub id: i64,
    pub project: &'p [u8],
    pub round: i64,
    /// `None` for a row without facts.
    pub facts: Option<&'p [u8]>,
}

/// Reads the entries of page `id` (its bytes `b`) into `out` (cleared first), in the
/// order of their row ids; `None` when the page does not read.
pub(in crate::store) fn entries<'p>(
    id: i64,
    mut b: &'p [u8],
    out: &mut Vec<Entry<'p>>,
) -> Option<()> {
    out.clear();
    let (&form, rest) = b.split_first()?;
    if form != PAGE_FORM {
        return None;
    }
    b = rest;
    let base = id.checked_mul(PER_PAGE as i64)?;
    let bytes = |from: &mut &'p [u8], n: u64| -> Option<&'p [u8]> {
        let (x, rest) = from.split_at_checked(usize::try_from(n).ok()?)?;
        *from = rest;
        Some(x)
    };
    while !b.is_empty() {
        let low = uint_of(&mut b)?;
        if low >= PER_PAGE as u64 {
            return None;
        }
        let n = uint_of(&mut b)?;
        let project = bytes(&mut b, n)?;
        let round = unzigzag(uint_of(&mut b)?);
        let facts = match uint_of(&mut b)? {
            0 => None,
            n => Some(bytes(&mut b, n - 1)?),
        };
        let id = base + low as i64;
        // Each row once, in order.
        if out.last().is_some_and(|e: &Entry<'_>| e.id >= id) {
            return None;
        }
        out.push(Entry {
            id,
            project,
            round,
            facts,
        });
    }
    // A page is kept only while it holds a row.
    (!out.is_empty()).then_some(())
}

/// Each page that is not the one its rows of `item_facts` make, named; pages marked
/// stale aside (`audit verify`).
pub(crate) fn mismatches(conn: &Connection) -> Result<Vec<String>> {
    if !super::super::indexed::has_table(conn, "fact_pages")? {
        return Ok(Vec::new());
    }
    let stale: std::collections::HashSet<i64> = {
        let mut stmt = conn.prepare("SELECT id FROM fact_pages_stale")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    // The pages kept, in the order of their ids beside those the rows make: one page
    // of each at a time (a million items' pages are some 250 MB).
    let mut stmt = conn.prepare("SELECT id, facts FROM fact_pages ORDER BY id")?;
    let mut kept = stmt.query([])?;
    let mut next_kept = || -> Result<Option<(i64, Vec<u8>)>> {
        Ok(match kept.next()? {
            Some(r) => {
                let b = match r.get_ref(1)? {
                    ValueRef::Blob(b) => b.to_vec(),
                    _ => Vec::new(),
                };
                Some((r.get(0)?, b))
            }
            None => None,
        })
    };
    let mut out = Vec::new();
    let mut name = |id: i64| {
        if !stale.contains(&id) {
            out.push(format!(
                "fact_pages {id}: not the page of its items' packed facts (item_facts): the file was changed outside accessdesk or is damaged"
            ));
        }
    };
    let mut at = next_kept()?;
    each_page(conn, |id, page| {
        // Pages kept before this one hold no row of facts.
        while let Some((k, _)) = at.as_ref().filter(|(k, _)| *k < id) {
            name(*k);
            at = next_kept()?;
        }
        match at.take() {
            Some((k, b)) if k == id => {
                if b != page {
                    name(id);
                }
                at = next_kept()?;
            }
            other => {
                name(id);
                at = other;
            }
        }
        Ok(())
    })?;
    while let Some((k, _)) = at {
        name(k);
        at = next_kept()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
